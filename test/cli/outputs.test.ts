// The command line never writes over its own inputs (issue 10, item 11): an output path that is one
// of the command's inputs, by name, through a symbolic link or as a hard link, is refused with exit 1
// before any work, and the input is left byte for byte as it was; a read-only file is never
// replaced; a second Ctrl-C leaves no temporary file and says truthfully what was written.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtomicFile, removeTemporaryFiles } from '../../src/cli/output.js';
import { CLI, cleanup, listing, scratch, wasmlp } from './helpers.js';

let dir: string;
let irisText: string;
let modelText: string;

beforeAll(async () => {
  dir = scratch();
  expect((await wasmlp(['example', 'iris', '--out', 'iris.csv'], dir)).code).toBe(0);
  expect((await wasmlp(['train', 'iris.csv', '--target', 'species', '--epochs', '3', '--no-plot', '--out', 'model.json'], dir)).code).toBe(0);
  irisText = readFileSync(join(dir, 'iris.csv'), 'utf8');
  modelText = readFileSync(join(dir, 'model.json'), 'utf8');
  symlinkSync('iris.csv', join(dir, 'iris-link.csv'));
  linkSync(join(dir, 'iris.csv'), join(dir, 'iris-hard.csv'));
  symlinkSync('model.json', join(dir, 'model-link.json'));
  mkdirSync(join(dir, 'sub'));
  symlinkSync('..', join(dir, 'sub', 'up'));
});
afterAll(cleanup);

/** Runs a command that must be refused: exit 1, the message, the inputs unchanged, no new file. */
async function refused(args: string[], message: RegExp) {
  const before = listing(dir);
  const run = await wasmlp(args, dir);
  expect(run.code, run.stderr).toBe(1);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toContain('read 150 rows'); // refused before any work
  expect(readFileSync(join(dir, 'iris.csv'), 'utf8')).toBe(irisText);
  expect(readFileSync(join(dir, 'model.json'), 'utf8')).toBe(modelText);
  expect(listing(dir)).toEqual(before);
}

describe('an output that is an input is refused', () => {
  it('train --out the data', async () => {
    await refused(['train', 'iris.csv', '--target', 'species', '--out', 'iris.csv'], /--out iris\.csv: is the training data/);
  });

  it('train --plot the data', async () => {
    await refused(['train', 'iris.csv', '--target', 'species', '--out', 'm2.json', '--plot', 'iris.csv'], /--plot iris\.csv: is the training data/);
  });

  it('predict --out the data, and --out the model', async () => {
    await refused(['predict', 'model.json', 'iris.csv', '--out', 'iris.csv'], /--out iris\.csv: is the data/);
    await refused(['predict', 'model.json', 'iris.csv', '--out', 'model.json'], /--out model\.json: is the model/);
  });

  it('through a symbolic link, either way round', async () => {
    await refused(['train', 'iris-link.csv', '--target', 'species', '--out', 'iris.csv'], /is the training data/);
    await refused(['train', 'iris.csv', '--target', 'species', '--out', 'iris-link.csv'], /is the training data/);
    await refused(['predict', 'model-link.json', 'iris.csv', '--out', 'model.json'], /is the model/);
    // a directory reached through a link: sub/up/iris.csv is iris.csv
    await refused(['predict', 'model.json', 'iris.csv', '--out', 'sub/up/iris.csv'], /is the data/);
  });

  it('through a hard link (same device and inode, another name)', async () => {
    await refused(['train', 'iris.csv', '--target', 'species', '--out', 'iris-hard.csv'], /--out iris-hard\.csv: is the training data/);
    await refused(['predict', 'model.json', 'iris-hard.csv', '--out', 'iris.csv'], /is the data/);
  });

  it('the model and the plot on the same file, through a link', async () => {
    symlinkSync('same.json', join(dir, 'same-link.svg'));
    await refused(['train', 'iris.csv', '--target', 'species', '--out', 'same.json', '--plot', 'same-link.svg'], /--plot same-link\.svg: the same file as --out same\.json/);
  });
});

describe('read-only files', () => {
  it('are not replaced, by train or by predict', async () => {
    writeFileSync(join(dir, 'locked.json'), 'keep me');
    chmodSync(join(dir, 'locked.json'), 0o444);
    await refused(['train', 'iris.csv', '--target', 'species', '--out', 'locked.json'], /--out locked\.json: the file is read-only; not replacing it/);
    await refused(['predict', 'model.json', 'iris.csv', '--out', 'locked.json'], /the file is read-only/);
    expect(readFileSync(join(dir, 'locked.json'), 'utf8')).toBe('keep me');
  });

  it('an ordinary existing output is still replaced', async () => {
    writeFileSync(join(dir, 'old.csv'), 'old');
    const run = await wasmlp(['predict', 'model.json', 'iris.csv', '--out', 'old.csv'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(dir, 'old.csv'), 'utf8')).toMatch(/^species,prob_setosa/);
  });
});

describe('temporary files and Ctrl-C', () => {
  it('a temporary file exists as soon as it is registered, so the exit hook always removes it', async () => {
    const own = scratch();
    const file = new AtomicFile(join(own, 'out.txt'));
    // what the exit hook does on a second Ctrl-C, before any await: the name must be gone for good
    removeTemporaryFiles();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(readdirSync(own)).toEqual([]);
    await file.discard();
  });

  it('two Ctrl-C in quick succession: no temporary file left, and the message matches the files', async () => {
    const own = scratch();
    const lines = ['a,b,y'];
    for (let i = 0; i < 2000; i++) lines.push(`${Math.sin(i)},${Math.cos(i)},${Math.sin(3 * i)}`);
    writeFileSync(join(own, 'big.csv'), `${lines.join('\n')}\n`);
    const child = spawn(process.execPath, [CLI, 'train', 'big.csv', '--target', 'y', '--epochs', '100000', '--batch-size', '1', '--out', 'm.json'], { cwd: own, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const started = new Promise<void>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (/read [\d,]+ rows/.test(stderr)) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await started;
    child.kill('SIGINT');
    child.kill('SIGINT');
    const code = await exited;
    expect(readdirSync(own).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    if (code === 130) {
      // quit: the message names what was written, and only that exists
      expect(stderr).toMatch(/interrupted; (nothing was written|already written: )/);
      expect(existsSync(join(own, 'm.json'))).toBe(!stderr.includes('nothing was written'));
    } else {
      // the save finished before the second signal was seen: a complete model
      expect(code, stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(own, 'm.json'), 'utf8')).format).toBe('wasmlp-model');
    }
  });
});
