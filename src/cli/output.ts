// Output files appear whole or not at all: everything is written to a temporary file in the target's
// own directory (same filesystem, so the final rename is atomic) and renamed into place only when the
// command succeeded. A failure, Ctrl-C or crash leaves no half-written model, plot or predictions.
import { createWriteStream, openSync, unlinkSync, type WriteStream } from 'node:fs';
import { access, lstat, readlink, realpath, rename, stat, unlink } from 'node:fs/promises';
import { constants } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { CliError, fsReason } from './errors.js';

/** Temporary files not yet committed: removed on exit, whatever the reason. */
const live = new Set<string>();
/** Output files renamed into place by this process, in order: what a second Ctrl-C reports as written. */
const committed: string[] = [];

/**
 * Quits at once (a second Ctrl-C): removes the temporary files and says what really happened,
 * since a file renamed into place before the signal is there to stay.
 */
export function quit(command: string, code = 130): never {
  removeTemporaryFiles();
  const what = committed.length === 0 ? 'nothing was written' : `already written: ${committed.join(', ')}; nothing else was`;
  process.stderr.write(`wasmlp ${command}: interrupted; ${what}\n`);
  process.exit(code);
}

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
    throw new CliError('CANNOT_WRITE', `${option} ${path}: cannot write into ${dir} (${fsReason(error)})`, { file: path });
  }
  try {
    if ((await stat(path)).isDirectory()) throw new CliError('CANNOT_WRITE', `${option} ${path}: is a directory`, { file: path });
  } catch (error) {
    if (error instanceof CliError) throw error;
  }
}

export interface Input {
  path: string;
  /** `the training data`, `the model`: how the message names it. */
  what: string;
}

/** Device and inode of an existing file (symbolic links followed), or null. */
async function identity(path: string): Promise<{ dev: number; ino: number; mode: number } | null> {
  try {
    const info = await stat(path);
    return { dev: info.dev, ino: info.ino, mode: info.mode };
  } catch {
    return null;
  }
}

/**
 * The real path a file has or would have: symbolic links resolved, including a dangling one (writing
 * through it would create its target) and those of the directory.
 */
async function realTarget(path: string, depth = 0): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    try {
      if (depth < 40 && (await lstat(path)).isSymbolicLink()) return await realTarget(resolve(dirname(path), await readlink(path)), depth + 1);
    } catch {
      // not there at all
    }
    try {
      return join(await realpath(dirname(resolve(path))), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

/**
 * Refuses, before any work, an output that would replace one of the command's inputs (the same real
 * path, or the same device and inode: symbolic and hard links count), another output of the same
 * command, or a read-only file. `outputs`: [path, option] pairs; a null path is skipped.
 */
export async function checkOutputs(outputs: [string | null, string][], inputs: Input[]): Promise<void> {
  const seen: { option: string; path: string; real: string; id: { dev: number; ino: number } | null }[] = [];
  const known = await Promise.all(inputs.map(async (input) => ({ ...input, real: await realTarget(input.path), id: await identity(input.path) })));
  for (const [path, option] of outputs) {
    if (path === null) continue;
    await checkWritable(path, option);
    const real = await realTarget(path);
    const id = await identity(path);
    const same = (other: { real: string; id: { dev: number; ino: number } | null }) =>
      other.real === real || (id !== null && other.id !== null && other.id.dev === id.dev && other.id.ino === id.ino);
    for (const input of known) {
      if (same(input)) {
        throw new CliError('OUTPUT_IS_INPUT', `${option} ${path}: is ${input.what} (${input.path}); refusing to write over an input, choose another ${option}`, { file: path });
      }
    }
    for (const other of seen) {
      if (same(other)) throw new CliError('SAME_OUTPUT', `${option} ${path}: the same file as ${other.option} ${other.path}; give them different paths`, { file: path });
    }
    if (id !== null && (id.mode & 0o222) === 0) {
      throw new CliError('READ_ONLY', `${option} ${path}: the file is read-only; not replacing it (make it writable, or choose another ${option})`, { file: path });
    }
    seen.push({ option, path, real, id });
  }
}

/** A file written in pieces to a temporary name, renamed into place by commit(). */
export class AtomicFile {
  private readonly stream: WriteStream;
  private readonly temp: string;
  private failed: Error | null = null;

  constructor(readonly path: string) {
    this.temp = join(dirname(resolve(path)), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
    // created now, synchronously: an asynchronous open could complete after the exit hook removed the
    // name (a second Ctrl-C) and leave an empty temporary file behind
    let fd: number;
    try {
      fd = openSync(this.temp, 'wx');
    } catch (error) {
      throw this.writeError(error as Error);
    }
    live.add(this.temp);
    this.stream = createWriteStream(this.temp, { fd });
    this.stream.on('error', (error) => {
      this.failed = error;
    });
  }

  /** Appends text (or bytes), waiting when the stream's buffer is full (large predictions stay bounded). */
  async write(text: string | Uint8Array): Promise<void> {
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
    committed.push(this.path);
  }

  async discard(): Promise<void> {
    this.stream.destroy();
    await unlink(this.temp).catch(() => undefined);
    live.delete(this.temp);
  }

  private writeError(error: Error): CliError {
    return new CliError('CANNOT_WRITE', `${this.path}: cannot write (${fsReason(error)})`, { file: this.path });
  }
}

/**
 * Writes several files so that either all of them appear or none: every temporary file is written
 * and closed first, then they are renamed one after the other.
 */
export async function writeFilesAtomically(files: { path: string; content: string | Uint8Array }[]): Promise<void> {
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
