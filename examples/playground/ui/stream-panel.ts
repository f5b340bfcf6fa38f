// The page's side of training on a large CSV file: the file input, the target column (from the
// header: the first megabyte of the file is read, never the whole file), the Train button and the
// progress of the worker's passes over the file, by bytes.
import { detectDelimiter } from 'wasmlp/csv';
import type { StreamPhase } from '../protocol.js';

/** Bytes read for the header: a header line longer than this is refused with a message. */
const HEADER_BYTES = 1 << 20;

function $<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

/** The fields of a CSV line, split at `delimiter` outside quotes ("" in quotes is a quote). */
export function splitLine(line: string, delimiter: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"' && quoted && line[i + 1] === '"') {
      field += '"';
      i++;
    } else if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) {
      fields.push(field.trim());
      field = '';
    } else field += ch;
  }
  fields.push(field.trim());
  return fields;
}

/** The columns of a CSV file's header (its first line that is not blank), from the file's first bytes only. */
export async function headerOf(file: File): Promise<string[]> {
  const text = (await file.slice(0, HEADER_BYTES).text()).replace(/^\uFEFF/, '');
  const match = /^[\r\n]*([^\r\n]*)[\r\n]/.exec(text);
  if (match === null || match[1].trim() === '') throw new Error(`${file.name}: no header line in its first ${HEADER_BYTES >> 20} MB`);
  const delimiter = /\.tsv$/i.test(file.name) ? '\t' : detectDelimiter(match[1]).delimiter;
  return splitLine(match[1], delimiter);
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

const PHASES: Record<StreamPhase, string> = { classes: 'Finding the classes', scalers: 'Computing the scalers', training: 'Training' };

export class StreamPanel {
  private file: File | null = null;
  private readonly select = $<HTMLSelectElement>('stream-target');
  private readonly progress = $<HTMLParagraphElement>('stream-progress');

  constructor(start: (file: File, target: string) => void) {
    const input = $<HTMLInputElement>('stream-file');
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      if (file) void this.choose(file);
    });
    $<HTMLButtonElement>('stream-start').addEventListener('click', () => {
      if (this.file !== null && this.select.value !== '') start(this.file, this.select.value);
    });
  }

  private async choose(file: File): Promise<void> {
    this.showError('');
    let names: string[];
    try {
      names = await headerOf(file);
    } catch (error) {
      this.showError((error as Error).message);
      return;
    }
    this.file = file;
    this.select.replaceChildren(...names.map((name) => new Option(name, name)));
    this.select.value = names[names.length - 1] ?? '';
    $('stream-name').textContent = `(${file.name}, ${megabytes(file.size)})`;
    $('stream-target-field').hidden = false;
  }

  showError(text: string): void {
    $('error-stream').textContent = text;
  }

  /** After each chunk the worker read: the pass, and how far it is through the file. */
  showProgress(phase: StreamPhase, pass: number, bytesRead: number, totalBytes: number | null, rows: number): void {
    const share = totalBytes ? ` ${Math.floor((100 * bytesRead) / totalBytes)}%` : '';
    const of = totalBytes === null ? '' : ` of ${megabytes(totalBytes)}`;
    this.progress.textContent = `${PHASES[phase]} (pass ${pass}):${share}, ${megabytes(bytesRead)}${of}, ${rows.toLocaleString('en-US')} rows`;
    Object.assign(this.progress.dataset, { phase, pass: String(pass), bytes: String(bytesRead), total: String(totalBytes ?? ''), rows: String(rows) });
    this.progress.hidden = false;
  }
}
