// Output files appear whole or not at all: everything is written to a temporary file in the target's
// own directory (same filesystem, so the final rename is atomic) and renamed into place only when the
// command succeeded. A failure, Ctrl-C or crash leaves no half-written model, plot or predictions.
import { createWriteStream, unlinkSync, type WriteStream } from 'node:fs';
import { access, rename, stat, unlink } from 'node:fs/promises';
import { constants } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { CliError } from './errors.js';

/** Temporary files not yet committed: removed on exit, whatever the reason. */
const live = new Set<string>();

/** Removes temporary files synchronously (safe in an 'exit' handler). */
export function removeTemporaryFiles(): void {
  for (const path of live) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
  live.clear();
}

process.on('exit', removeTemporaryFiles);

/**
 * Fails early, before any work, when `path` could not be written: its directory must exist and be
 * writable, and the path must not be a directory. Better than training for an hour first.
 */
export async function checkWritable(path: string, option: string): Promise<void> {
  const dir = dirname(resolve(path));
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw new Error('not a directory');
    await access(dir, constants.W_OK);
  } catch (error) {
    throw new CliError('CANNOT_WRITE', `${option} ${path}: cannot write into ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { file: path });
  }
  try {
    if ((await stat(path)).isDirectory()) throw new CliError('CANNOT_WRITE', `${option} ${path}: is a directory`, { file: path });
  } catch (error) {
    if (error instanceof CliError) throw error;
  }
}

/** A file written in pieces to a temporary name, renamed into place by commit(). */
export class AtomicFile {
  private readonly stream: WriteStream;
  private readonly temp: string;
  private failed: Error | null = null;

  constructor(readonly path: string) {
    this.temp = join(dirname(resolve(path)), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
    live.add(this.temp);
    this.stream = createWriteStream(this.temp);
    this.stream.on('error', (error) => {
      this.failed = error;
    });
  }

  /** Appends text, waiting when the stream's buffer is full (large predictions stay bounded). */
  async write(text: string): Promise<void> {
    if (this.failed) throw this.writeError(this.failed);
    if (!this.stream.write(text)) await Promise.race([once(this.stream, 'drain'), once(this.stream, 'error')]);
    if (this.failed) throw this.writeError(this.failed);
  }

  /** Flushes and closes the temporary file (still under its temporary name). */
  async close(): Promise<void> {
    if (!this.stream.closed) {
      this.stream.end();
      await Promise.race([once(this.stream, 'close'), once(this.stream, 'error').catch(() => undefined)]);
    }
    if (this.failed) throw this.writeError(this.failed);
  }

  /** Moves the finished file into place. */
  async commit(): Promise<void> {
    await this.close();
    await rename(this.temp, this.path);
    live.delete(this.temp);
  }

  async discard(): Promise<void> {
    this.stream.destroy();
    await unlink(this.temp).catch(() => undefined);
    live.delete(this.temp);
  }

  private writeError(error: Error): CliError {
    return new CliError('CANNOT_WRITE', `${this.path}: cannot write (${(error as NodeJS.ErrnoException).code ?? error.message})`, { file: this.path });
  }
}

/**
 * Writes several files so that either all of them appear or none: every temporary file is written
 * and closed first, then they are renamed one after the other.
 */
export async function writeFilesAtomically(files: { path: string; content: string }[]): Promise<void> {
  const pending = files.map((f) => new AtomicFile(f.path));
  try {
    for (let i = 0; i < files.length; i++) {
      await pending[i].write(files[i].content);
      await pending[i].close();
    }
    for (const file of pending) await file.commit();
  } catch (error) {
    await Promise.all(pending.map((f) => f.discard()));
    throw error;
  }
}

/** Writes to stdout, waiting for it to drain (a pipe into `head` or a slow reader). */
export async function writeStdout(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}
