// Streaming against in-memory training with the command line: `wasmlp train` on a smaller CSV in
// memory, and `wasmlp train --stream` on a larger one, each in a child process; prints their peak
// resident memory (process.resourceUsage().maxRSS of the child, via --report-memory) and training
// samples per second, and the throughput of the stream as a share of the in-memory one.
//
//   npm run build && node bench/stream.mjs [--shape w3|wide] [--small-rows 200000] [--big-bytes 2G]
//                                          [--epochs 2] [--dir /tmp/wasmlp-stream] [--threads 1]
//
// The CSVs are made by bench/make-csv.mjs (deterministic) in --dir, and kept there for another run.
// Both runs train the same network for the same epochs, without early stopping or held-out rows,
// with the CLI's defaults otherwise (the stream shuffles through its buffer, --shuffle-buffer).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'bin', 'wasmlp.js');

function args(argv) {
  const out = {};
  for (let i = 2; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

const a = args(process.argv);
const shape = a.shape ?? 'w3';
const NETWORKS = { w3: ['--layers', '8,8', '--activation', 'tanh'], wide: ['--layers', '256,256', '--activation', 'relu'] };
const dir = a.dir ?? '/tmp/wasmlp-stream';
const epochs = a.epochs ?? '2';
mkdirSync(dir, { recursive: true });

/** The CSV `name` in --dir, made by make-csv.mjs unless it is there. */
function csv(name, sizeArgs) {
  const file = join(dir, name);
  if (!existsSync(file)) execFileSync(process.execPath, [join(ROOT, 'bench', 'make-csv.mjs'), '--shape', shape, ...sizeArgs, '--out', file], { stdio: 'inherit' });
  return file;
}

/** One `wasmlp train` in a child process: its JSON summary, or its error. */
function train(file, stream) {
  const flags = [
    'train', file, '--target', 'y', '--epochs', epochs, '--patience', '0', '--validation-split', '0', ...NETWORKS[shape],
    '--threads', a.threads ?? '1', '--json', '--report-memory', '--no-plot', '--out', join(dir, `${stream ? 'stream' : 'memory'}.model.json`),
  ];
  if (stream) flags.splice(flags.indexOf('--validation-split'), 2, '--stream');
  const run = spawnSync(process.execPath, [CLI, ...flags], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const doc = JSON.parse(run.stdout || '{}');
  return { ok: run.status === 0, doc, stderr: run.stderr.trim() };
}

const small = csv(`${shape}-small.csv`, ['--rows', a['small-rows'] ?? '200000']);
const big = csv(`${shape}-big.csv`, ['--bytes', a['big-bytes'] ?? '2G']);
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const rows = [];
for (const [label, file, stream] of [['in memory', small, false], ['--stream', big, true]]) {
  const r = train(file, stream);
  if (!r.ok) {
    console.log(`${label}: failed: ${r.doc.error?.message ?? r.stderr}`);
    continue;
  }
  rows.push({ label, file: mib(statSync(file).size), rows: r.doc.rows, samplesPerSecond: Math.round(r.doc.samplesPerSecond), peakRss: mib(r.doc.memory.maxRssBytes) });
}
console.table(rows);
if (rows.length === 2) console.log(`--stream throughput: ${((100 * rows[1].samplesPerSecond) / rows[0].samplesPerSecond).toFixed(1)} % of in memory (${shape}, ${epochs} epochs)`);
