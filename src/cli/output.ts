// Where outputs go, and how they are written. What an output path names decides (see outputTarget):
//   - nothing yet, or a regular file: written to a temporary file in the same directory (same
//     filesystem, so the final rename is atomic) and renamed into place only when the command
//     succeeded. A failure, Ctrl-C or crash leaves no half-written model, plot or predictions.
//   - a symbolic link: followed to the end of its chain; the file it points to is replaced as above
//     (the temporary file beside it), and the link stays a link. A dangling link creates the file it
//     points to, as `> link` does in a shell.
//   - a FIFO or a character device (also through a link, such as /dev/stdout or /proc/self/fd/1):
//     written into directly, as `> path` does: no temporary file, no rename. A write error there
//     (no space left, a reader gone) is a CANNOT_WRITE error.
//   - a directory, a socket or a block device: refused.
// Nothing that is not a regular file is ever replaced.
import { closeSync, createWriteStream, fstatSync, lstatSync, open as openCallback, openSync, readlinkSync, realpathSync, statSync, unlinkSync, type Stats, type WriteStream } from 'node:fs';
import { access, rename, stat, unlink } from 'node:fs/promises';
import { constants } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { CliError, fsReason } from './errors.js';

/** Temporary files not yet committed: removed on exit, whatever the reason. */
const live = new Set<string>();
/** Outputs finished by this process, in order: what an interrupted command reports as written. */
const committed: string[] = [];
/** Outputs written into directly (a FIFO, a device, stdout) and not finished: they got part of their bytes. */
const partial = new Set<string>();

/** What was written, for the message of a command that stops before its end. */
export function writtenSoFar(): string {
  const done = committed.length === 0 ? 'nothing was written' : `already written: ${committed.join(', ')}; nothing else was`;
  return partial.size === 0 ? done : `${done} (${[...partial].join(', ')} got part of the output)`;
}

/**
 * Quits at once (a second Ctrl-C, or a signal during a command): removes the temporary files and
 * says what really happened, since a file renamed into place before the signal is there to stay.
 * `signal`: SIGINT says `interrupted`, SIGTERM `terminated (SIGTERM)`.
 */
export function quit(command: string, code = 130, signal: 'SIGINT' | 'SIGTERM' = 'SIGINT'): never {
  removeTemporaryFiles();
  process.stderr.write(`wasmlp ${command}: ${signal === 'SIGINT' ? 'interrupted' : 'terminated (SIGTERM)'}; ${writtenSoFar()}\n`);
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

/** Standard output is receiving a command's main output (true: predictions, a CSV), or has all of it (false). */
export function streamingStdout(active: boolean): void {
  if (active) partial.add('stdout');
  else partial.delete('stdout');
}

/** How an output path is written (see the file comment). */
export type OutputTarget =
  /** `target`: the absolute path of the regular file to create or replace (links resolved). */
  | { kind: 'file'; target: string }
  /** Opened and written into directly. */
  | { kind: 'stream'; what: 'a FIFO' | 'a character device' };

/** A node's kind in words, for the message that refuses it. */
function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isSocket()) return 'a socket';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

const errno = (error: unknown) => (error as NodeJS.ErrnoException | null)?.code;

/**
 * The path a dangling symbolic link leads to: its chain followed link by link (relative links
 * against their own directory) to the first name that does not exist, with the directories' links
 * resolved. Writing through the link creates that file.
 */
function danglingTarget(path: string): string {
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let info: Stats;
    try {
      info = lstatSync(current);
    } catch {
      break; // the end of the chain: the name to create
    }
    if (!info.isSymbolicLink()) break;
    current = resolve(dirname(current), readlinkSync(current));
  }
  try {
    return join(realpathSync(dirname(current)), basename(current));
  } catch {
    return current;
  }
}

/** open(2) off the main thread (a FIFO's waits for a reader), giving a plain descriptor for a write stream. */
const openFd = promisify(openCallback) as (path: string, flags: number) => Promise<number>;

function cannotWrite(option: string, path: string, how: string): CliError {
  return new CliError('CANNOT_WRITE', `${option} ${path}: ${how}`, { file: path });
}

/**
 * What `path` names and so how it is written (see the file comment); a directory, a socket, a block
 * device or a link that cannot be followed is a CANNOT_WRITE error naming `option`.
 */
export function outputTarget(path: string, option: string): OutputTarget {
  let own: Stats;
  try {
    own = lstatSync(path);
  } catch (error) {
    if (errno(error) === 'ENOENT') return { kind: 'file', target: resolve(path) };
    throw cannotWrite(option, path, `cannot write (${fsReason(error)})`);
  }
  let info = own;
  const link = own.isSymbolicLink();
  if (link) {
    try {
      info = statSync(path);
    } catch (error) {
      if (errno(error) === 'ENOENT') return { kind: 'file', target: danglingTarget(path) };
      throw cannotWrite(option, path, `cannot write through the symbolic link (${fsReason(error)})`);
    }
  }
  if (info.isFile()) {
    if (!link) return { kind: 'file', target: resolve(path) };
    try {
      return { kind: 'file', target: realpathSync(path) };
    } catch (error) {
      throw cannotWrite(option, path, `cannot resolve the symbolic link (${fsReason(error)})`);
    }
  }
  if (info.isFIFO()) return { kind: 'stream', what: 'a FIFO' };
  if (info.isCharacterDevice()) return { kind: 'stream', what: 'a character device' };
  const what = kindOf(info);
  throw cannotWrite(option, path, `is ${what}${link ? ' (where the symbolic link leads)' : ''}; not writing there (give a file name, a FIFO or a character device)`);
}

/**
 * Fails early, before any work, when `path` could not be written: a new or replaced file needs a
 * writable directory, a FIFO or a device must be writable itself, and anything else is refused
 * (see outputTarget). Better than training for an hour first.
 */
export async function checkWritable(path: string, option: string): Promise<OutputTarget> {
  const target = outputTarget(path, option);
  if (target.kind === 'stream') {
    try {
      await access(path, constants.W_OK);
    } catch (error) {
      throw cannotWrite(option, path, `cannot write to ${target.what} (${fsReason(error)})`);
    }
    return target;
  }
  const dir = dirname(target.target);
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    await access(dir, constants.W_OK);
  } catch (error) {
    throw cannotWrite(option, path, `cannot write into ${dir} (${fsReason(error)})`);
  }
  return target;
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
function realTarget(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return danglingTarget(path);
  }
}

/**
 * Refuses, before any work, an output that would replace one of the command's inputs (the same real
 * path, or the same device and inode: symbolic and hard links count), another output of the same
 * command, a read-only file, or something that is not written (see outputTarget). `outputs`:
 * [path, option] pairs; a null path is skipped.
 */
export async function checkOutputs(outputs: [string | null, string][], inputs: Input[]): Promise<void> {
  const seen: { option: string; path: string; real: string; id: { dev: number; ino: number } | null }[] = [];
  const known = await Promise.all(inputs.map(async (input) => ({ ...input, real: realTarget(input.path), id: await identity(input.path) })));
  for (const [path, option] of outputs) {
    if (path === null) continue;
    const target = await checkWritable(path, option);
    const real = realTarget(path);
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
    if (target.kind === 'file' && id !== null && (id.mode & 0o222) === 0) {
      throw new CliError('READ_ONLY', `${option} ${path}: the file is read-only; not replacing it (make it writable, or choose another ${option})`, { file: path });
    }
    seen.push({ option, path, real, id });
  }
}

/** An output being written: appended to, then committed (it appears) or discarded (it does not). */
export interface Output {
  readonly path: string;
  /** Appends text (or bytes), waiting when the buffer is full (large outputs stay bounded). */
  write(text: string | Uint8Array): Promise<void>;
  /** Flushes what was written (a file: still under its temporary name). */
  close(): Promise<void>;
  /** Makes the output appear (a file: renamed into place). */
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/** Ends the stream and waits until it is closed or has failed (the caller's error listener keeps the error). */
async function flushed(stream: WriteStream, failed: () => Error | null): Promise<void> {
  if (stream.closed || failed()) return;
  await new Promise<void>((resolve) => {
    stream.once('close', resolve);
    stream.once('error', () => resolve());
    stream.end();
  });
}

/** Waits for the stream to take more (events.once would reject on 'error': the caller's listener keeps it). */
function drained(stream: WriteStream): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('error', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('error', done);
  });
}

/**
 * A regular file written in pieces to a temporary name beside it, renamed into place by commit().
 * `path` may be a symbolic link: the file it leads to is replaced, the link kept.
 */
export class AtomicFile implements Output {
  private readonly stream: WriteStream;
  private readonly temp: string;
  /** The file replaced or created (links resolved). */
  private readonly target: string;
  private failed: Error | null = null;

  constructor(readonly path: string, private readonly option = '--out') {
    const where = outputTarget(path, option);
    if (where.kind !== 'file') throw new Error(`AtomicFile: ${path} is ${where.what}, not a file (use createOutput)`);
    this.target = where.target;
    this.temp = join(dirname(this.target), `.${basename(this.target)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
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

  async write(text: string | Uint8Array): Promise<void> {
    if (this.failed) throw this.writeError(this.failed);
    if (!this.stream.write(text)) await drained(this.stream);
    if (this.failed) throw this.writeError(this.failed);
  }

  async close(): Promise<void> {
    await flushed(this.stream, () => this.failed);
    if (this.failed) throw this.writeError(this.failed);
  }

  /** Moves the finished file into place, unless what is there now is not a regular file. */
  async commit(): Promise<void> {
    await this.close();
    let there: Stats | null = null;
    try {
      there = lstatSync(this.target);
    } catch {
      // nothing there: created
    }
    if (there !== null && !there.isFile()) {
      await this.discard();
      throw cannotWrite(this.option, this.path, `${this.target} is ${kindOf(there)} now; not replacing it`);
    }
    try {
      await rename(this.temp, this.target);
    } catch (error) {
      await this.discard();
      throw this.writeError(error as Error);
    }
    live.delete(this.temp);
    committed.push(this.path);
  }

  async discard(): Promise<void> {
    this.stream.destroy();
    await unlink(this.temp).catch(() => undefined);
    live.delete(this.temp);
  }

  private writeError(error: Error): CliError {
    return cannotWrite(this.option, this.path, `cannot write (${fsReason(error)})`);
  }
}

/**
 * A FIFO or a character device (or a link to one), written into directly as `> path` does: opened
 * for writing only when the first bytes come (a FIFO's open waits for a reader, off the main
 * thread), never created, truncated or renamed.
 */
class DirectOutput implements Output {
  private stream: WriteStream | null = null;
  private failed: Error | null = null;

  constructor(readonly path: string, private readonly option: string) {}

  private async opened(): Promise<WriteStream> {
    if (this.stream) return this.stream;
    // not created, not truncated: the node is there (outputTarget saw it)
    let fd: number;
    try {
      fd = await openFd(this.path, constants.O_WRONLY | constants.O_NOCTTY);
    } catch (error) {
      throw this.writeError(error as Error);
    }
    // what was opened, not what the name was before: it may have changed since the check
    const info = fstatSync(fd);
    if (!info.isFIFO() && !info.isCharacterDevice()) {
      closeSync(fd);
      throw cannotWrite(this.option, this.path, `is ${info.isFile() ? 'a regular file' : kindOf(info)} now, no longer a FIFO or a device; not writing there`);
    }
    partial.add(this.path);
    const stream = createWriteStream(this.path, { fd });
    stream.on('error', (error) => {
      this.failed = error;
    });
    this.stream = stream;
    return stream;
  }

  async write(text: string | Uint8Array): Promise<void> {
    const stream = await this.opened();
    if (this.failed) throw this.writeError(this.failed);
    if (!stream.write(text)) await drained(stream);
    if (this.failed) throw this.writeError(this.failed);
  }

  async close(): Promise<void> {
    const stream = await this.opened();
    await flushed(stream, () => this.failed);
    if (this.failed) throw this.writeError(this.failed);
  }

  async commit(): Promise<void> {
    await this.close();
    partial.delete(this.path);
    committed.push(this.path);
  }

  async discard(): Promise<void> {
    this.stream?.destroy();
  }

  private writeError(error: Error): CliError {
    return cannotWrite(this.option, this.path, `cannot write (${fsReason(error)})`);
  }
}

/** The output for `path` (see outputTarget): a temporary file renamed into place, or a FIFO or device written into. */
export function createOutput(path: string, option = '--out'): Output {
  return outputTarget(path, option).kind === 'file' ? new AtomicFile(path, option) : new DirectOutput(path, option);
}

/**
 * Writes several outputs so that either all of the files appear or none: every temporary file is
 * written and closed first, then any FIFO or device is written, and only then are the files renamed
 * one after the other. `option` names the path in messages (default --out).
 */
export async function writeFilesAtomically(files: { path: string; content: string | Uint8Array; option?: string }[]): Promise<void> {
  const pending: Output[] = [];
  try {
    for (const f of files) pending.push(createOutput(f.path, f.option));
    const direct = pending.filter((p) => !(p instanceof AtomicFile));
    for (let i = 0; i < files.length; i++) {
      if (!(pending[i] instanceof AtomicFile)) continue;
      await pending[i].write(files[i].content);
      await pending[i].close();
    }
    for (const output of direct) {
      await output.write(files[pending.indexOf(output)].content);
      await output.commit();
    }
    for (const output of pending) if (output instanceof AtomicFile) await output.commit();
  } catch (error) {
    await Promise.all(pending.map((f) => f.discard()));
    throw error;
  }
}

/** Writes to stdout, waiting for it to drain (a pipe into `head` or a slow reader). */
export async function writeStdout(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}
