// What an output path names decides how it is written, and nothing that is not a regular file is
// ever replaced: a symbolic link is followed (the file it leads to is replaced, the link kept; a
// dangling one creates that file), a FIFO or a character device is written into as `> path` would
// (a reader gets the bytes; a reader that goes away is a clear error, exit 1), and a directory or a
// socket is refused. Every node is made here, in a scratch directory: never a real /dev entry.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cleanup, scratch, wasmlp, type Run } from './helpers.js';

let dir: string;
/** What `predict m.json iris.csv` prints on stdout: what every output of it must hold. */
let predictions: string;
/** iris 40 times over: its predictions (about 400 KB) overflow a pipe's buffer. */
let bigPredictions: string;

beforeAll(async () => {
  dir = scratch();
  expect((await wasmlp(['example', 'iris', '--out', 'iris.csv'], dir)).code).toBe(0);
  expect((await wasmlp(['train', 'iris.csv', '--target', 'species', '--epochs', '3', '--no-plot', '--out', 'm.json'], dir)).code).toBe(0);
  expect((await wasmlp(['export', 'm.json', '--onnx', 'm.onnx'], dir)).code).toBe(0);
  const [header, ...rows] = readFileSync(join(dir, 'iris.csv'), 'utf8').trim().split('\n');
  writeFileSync(join(dir, 'big.csv'), `${[header, ...Array.from({ length: 40 }, () => rows).flat()].join('\n')}\n`);
  const run = await wasmlp(['predict', 'm.json', 'iris.csv'], dir);
  expect(run.code, run.stderr).toBe(0);
  predictions = run.stdout;
  const big = await wasmlp(['predict', 'm.json', 'big.csv'], dir);
  expect(big.code, big.stderr).toBe(0);
  bigPredictions = big.stdout;
  expect(bigPredictions.length).toBeGreaterThan(256 * 1024);
});
afterAll(cleanup);

const temporaries = (where: string) => readdirSync(where).filter((name) => name.endsWith('.tmp'));

/** A child that reads `path` to its end (a FIFO: waits for a writer), resolving to what it read. */
function reader(path: string): { text: Promise<string>; kill: () => void } {
  const child = spawn('cat', [path], { stdio: ['ignore', 'pipe', 'ignore'] });
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
  return { text: new Promise((resolve) => child.on('close', () => resolve(text))), kill: () => child.kill('SIGKILL') };
}

/** Runs `node args…` with its stdout a pipe (into cat), as `node args… | cat` in a shell; its own exit code. */
function inPipe(args: string[], cwd: string): Promise<Run> {
  const status = join(scratch(), 'status');
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', '{ "$@"; echo $? > "$STATUS"; } | cat', 'sh', process.execPath, ...args], { cwd, env: { ...process.env, STATUS: status }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', () => resolve({ code: Number(readFileSync(status, 'utf8')), stdout, stderr, ms: 0 }));
  });
}

describe('a symbolic link', () => {
  it('is followed along its chain: the file at its end is replaced, every link stays a link', async () => {
    const own = scratch();
    mkdirSync(join(own, 'sub'));
    writeFileSync(join(own, 'sub', 'target.csv'), 'old contents');
    symlinkSync(join('sub', 'target.csv'), join(own, 'link.csv'));
    symlinkSync('link.csv', join(own, 'link2.csv'));
    const run = await wasmlp(['predict', join(dir, 'm.json'), join(dir, 'iris.csv'), '--out', 'link2.csv'], own);
    expect(run.code, run.stderr).toBe(0);
    expect(lstatSync(join(own, 'link2.csv')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(own, 'link2.csv'))).toBe('link.csv');
    expect(lstatSync(join(own, 'link.csv')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(own, 'sub', 'target.csv'), 'utf8')).toBe(predictions);
    // the temporary file was made beside the target, and is gone
    expect(temporaries(own)).toEqual([]);
    expect(temporaries(join(own, 'sub'))).toEqual([]);
  });

  it('import, export and train write through a link too', async () => {
    const own = scratch();
    writeFileSync(join(own, 'model-target.json'), 'old');
    writeFileSync(join(own, 'onnx-target.onnx'), 'old');
    writeFileSync(join(own, 'train-target.json'), 'old');
    symlinkSync('model-target.json', join(own, 'model.json'));
    symlinkSync('onnx-target.onnx', join(own, 'model.onnx'));
    symlinkSync('train-target.json', join(own, 'trained.json'));
    const imported = await wasmlp(['import', join(dir, 'm.onnx'), '--out', 'model.json'], own);
    expect(imported.code, imported.stderr).toBe(0);
    const exported = await wasmlp(['export', join(dir, 'm.json'), '--onnx', 'model.onnx'], own);
    expect(exported.code, exported.stderr).toBe(0);
    const trained = await wasmlp(['train', join(dir, 'iris.csv'), '--target', 'species', '--epochs', '1', '--no-plot', '--out', 'trained.json'], own);
    expect(trained.code, trained.stderr).toBe(0);
    for (const link of ['model.json', 'model.onnx', 'trained.json']) expect(lstatSync(join(own, link)).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(join(own, 'model-target.json'), 'utf8')).format).toBe('wasmlp-model');
    expect(JSON.parse(readFileSync(join(own, 'train-target.json'), 'utf8')).format).toBe('wasmlp-model');
    expect(readFileSync(join(own, 'onnx-target.onnx'))).toEqual(readFileSync(join(dir, 'm.onnx')));
    expect(temporaries(own)).toEqual([]);
  });

  it('a dangling link creates the file it leads to; one into a missing directory is refused', async () => {
    const own = scratch();
    symlinkSync('new.csv', join(own, 'dangling.csv'));
    const run = await wasmlp(['predict', join(dir, 'm.json'), join(dir, 'iris.csv'), '--out', 'dangling.csv'], own);
    expect(run.code, run.stderr).toBe(0);
    expect(lstatSync(join(own, 'dangling.csv')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(own, 'new.csv'), 'utf8')).toBe(predictions);

    symlinkSync(join('missing', 'x.csv'), join(own, 'nowhere.csv'));
    const refused = await wasmlp(['predict', join(dir, 'm.json'), join(dir, 'iris.csv'), '--out', 'nowhere.csv'], own);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--out nowhere.csv: cannot write into ');
    expect(refused.stderr).toMatch(/missing \(no such file\)/);
    expect(readdirSync(own).sort()).toEqual(['dangling.csv', 'new.csv', 'nowhere.csv']);
  });

  it.runIf(existsSync('/proc/self/fd/1'))('to /proc/self/fd/1: the output goes to stdout, the link stays', async () => {
    const own = scratch();
    symlinkSync('/proc/self/fd/1', join(own, 'stdout.csv'));
    // stdout a pipe, as in a shell (a child's stdio from spawn is a socket, which cannot be opened by name)
    const run = await inPipe([CLI, 'predict', join(dir, 'm.json'), join(dir, 'iris.csv'), '--out', 'stdout.csv'], own);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.startsWith(predictions)).toBe(true);
    expect(run.stdout).toContain('wrote 150 predictions');
    expect(lstatSync(join(own, 'stdout.csv')).isSymbolicLink()).toBe(true);
    expect(readdirSync(own)).toEqual(['stdout.csv']);
  });
});

describe('a FIFO', () => {
  it('is written into, not replaced: its reader gets the predictions', async () => {
    const own = scratch();
    const fifo = join(own, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    const cat = reader(fifo);
    try {
      const run = await wasmlp(['predict', join(dir, 'm.json'), join(dir, 'iris.csv'), '--out', 'out.fifo'], own);
      expect(run.code, run.stderr).toBe(0);
      expect(await cat.text).toBe(predictions);
      expect(lstatSync(fifo).isFIFO()).toBe(true);
      expect(readdirSync(own)).toEqual(['out.fifo']);
    } finally {
      cat.kill();
    }
  });

  it('through a symbolic link: import writes the model into it, link and FIFO stay', async () => {
    const own = scratch();
    const fifo = join(own, 'model.fifo');
    execFileSync('mkfifo', [fifo]);
    symlinkSync('model.fifo', join(own, 'model.json'));
    const cat = reader(join(own, 'model.json'));
    try {
      const run = await wasmlp(['import', join(dir, 'm.onnx'), '--out', 'model.json'], own);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(await cat.text).format).toBe('wasmlp-model');
      expect(lstatSync(join(own, 'model.json')).isSymbolicLink()).toBe(true);
      expect(lstatSync(fifo).isFIFO()).toBe(true);
      expect(readdirSync(own).sort()).toEqual(['model.fifo', 'model.json']);
    } finally {
      cat.kill();
    }
  });

  it('train --out a FIFO: the model goes into it, and no loss curve is put beside it unless --plot says where', async () => {
    const own = scratch();
    const fifo = join(own, 'model.fifo');
    execFileSync('mkfifo', [fifo]);
    const cat = reader(fifo);
    try {
      const run = await wasmlp(['train', join(dir, 'iris.csv'), '--target', 'species', '--epochs', '1', '--out', 'model.fifo'], own);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('plot      — (--out is not a file; give --plot)');
      expect(JSON.parse(await cat.text).format).toBe('wasmlp-model');
      expect(readdirSync(own)).toEqual(['model.fifo']);
    } finally {
      cat.kill();
    }
  });

  it('whose reader goes away: exit 1 with a message naming the option, the FIFO left as it was', async () => {
    const own = scratch();
    const fifo = join(own, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    // opens the FIFO (so the command's open succeeds), then closes it without reading: the predictions
    // are larger than a pipe's buffer, so writing them must meet the closed end (EPIPE)
    const quitter = spawn(process.execPath, ['-e', 'require("fs").closeSync(require("fs").openSync(process.argv[1], "r"))', fifo], { stdio: 'ignore' });
    try {
      const run = await wasmlp(['predict', join(dir, 'm.json'), join(dir, 'big.csv'), '--out', 'out.fifo'], own);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toBe('wasmlp predict: --out out.fifo: cannot write (nothing reads from it any more)\n');
      expect(run.stdout).toBe('');
      expect(lstatSync(fifo).isFIFO()).toBe(true);
      expect(readdirSync(own)).toEqual(['out.fifo']);
    } finally {
      quitter.kill('SIGKILL');
    }
  });
});

describe('what is refused', () => {
  let server: Server | null = null;
  afterAll(() => server?.close());

  it('a directory, a socket and links to them: exit 1 before any work, left as they were', async () => {
    const own = scratch();
    mkdirSync(join(own, 'folder'));
    symlinkSync('folder', join(own, 'folder-link'));
    const socket = join(own, 'server.sock');
    server = createServer();
    await new Promise<void>((resolve) => server!.listen(socket, resolve));
    const cases: [string[], string][] = [
      [['predict', join(dir, 'm.json'), join(dir, 'iris.csv'), '--out', 'folder'], 'wasmlp predict: --out folder: is a directory; not writing there (give a file name, a FIFO or a character device)\n'],
      [['predict', join(dir, 'm.json'), join(dir, 'iris.csv'), '--out', 'folder-link'], 'wasmlp predict: --out folder-link: is a directory (where the symbolic link leads); not writing there (give a file name, a FIFO or a character device)\n'],
      [['import', join(dir, 'm.onnx'), '--out', 'server.sock'], 'wasmlp import: --out server.sock: is a socket; not writing there (give a file name, a FIFO or a character device)\n'],
      [['export', join(dir, 'm.json'), '--onnx', 'server.sock'], 'wasmlp export: --onnx server.sock: is a socket; not writing there (give a file name, a FIFO or a character device)\n'],
      [['train', join(dir, 'iris.csv'), '--target', 'species', '--out', 'model.json', '--plot', 'folder'], 'wasmlp train: --plot folder: is a directory; not writing there (give a file name, a FIFO or a character device)\n'],
    ];
    for (const [args, message] of cases) {
      const run = await wasmlp(args, own);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toBe(message);
    }
    expect(statSync(join(own, 'folder')).isDirectory()).toBe(true);
    expect(readdirSync(join(own, 'folder'))).toEqual([]);
    expect(lstatSync(join(own, 'folder-link')).isSymbolicLink()).toBe(true);
    expect(lstatSync(socket).isSocket()).toBe(true);
    expect(readdirSync(own).sort()).toEqual(['folder', 'folder-link', 'server.sock']);
  });
});
