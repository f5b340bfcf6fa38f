// Streaming against in-memory training with the command line: `wasmlp train` on a smaller CSV in
// memory, and `wasmlp train --stream` on a larger one, each in a child process, run after run in
// turn (interleaved, so a change in the machine's load falls on both); prints the medians of their
// peak resident memory (process.resourceUsage().maxRSS of the child, via --report-memory) and
// training samples per second, and the throughput of the stream as a share of the in-memory one, as
// a markdown table.
//
// The full measurement (issue 21: a CSV of several GB, on a quiet machine, W3-sized and a wider network):
//
//   npm run build
//   node bench/stream.mjs --shape w3   --big-bytes 4G --small-rows 1000000 --epochs 2 --runs 3
//   node bench/stream.mjs --shape wide --big-bytes 4G --small-rows 200000  --epochs 1 --runs 3
//   rm -r /tmp/wasmlp-stream        # the CSVs are kept there between runs; they are large
//
// Options (defaults in brackets):
//   --shape w3|wide    w3: x1, x2 → in/out, a 2-8-8-2 tanh network (W3's size); wide: 64 inputs →
//                      10 classes, a 64-256-256-10 relu network  [w3]
//   --small-rows N     rows of the in-memory CSV  [200000]
//   --big-bytes SIZE   size of the streamed CSV (K, M, G suffixes)  [2G]
//   --epochs N         epochs of both runs  [2]
//   --runs N           runs of each, interleaved; the table shows medians  [3]
//   --threads N        the trainer's threads (the stream also reads on a thread of its own)  [1]
//   --dir DIR          where the CSVs and models go  [/tmp/wasmlp-stream]
//
// The CSVs are made by bench/make-csv.mjs (deterministic) in --dir, named by shape and size, and kept
// there for another run.
// Both runs train the same network for the same epochs, without early stopping or held-out rows,
// with the CLI's defaults otherwise (the stream shuffles through its buffer, --shuffle-buffer).
// samples/s is the command's own figure: training rows over the fit's time (the stream's includes
// reading the file every epoch; neither includes the read before training).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'bin', 'wasmlp.js');

function args(argv) {
  const out = {};
  for (let i = 2; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (key === 'help' || key === 'h') out.help = true;
    else out[key] = argv[++i];
  }
  return out;
}

const a = args(process.argv);
if (a.help) {
  // the header comment above is the help
  const text = readFileSync(fileURLToPath(import.meta.url), 'utf8');
  console.log(text.slice(0, text.indexOf('\nimport ')).replace(/^\/\/ ?/gm, ''));
  process.exit(0);
}
const shape = a.shape ?? 'w3';
const NETWORKS = { w3: ['--layers', '8,8', '--activation', 'tanh'], wide: ['--layers', '256,256', '--activation', 'relu'] };
if (!NETWORKS[shape]) throw new Error(`--shape: expected w3 or wide, got ${shape}`);
const dir = a.dir ?? '/tmp/wasmlp-stream';
const epochs = a.epochs ?? '2';
const runs = Number(a.runs ?? 3);
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
  let doc = {};
  try {
    doc = JSON.parse(run.stdout);
  } catch {
    // no JSON: the error is on stderr
  }
  if (run.status !== 0) throw new Error(`${stream ? '--stream' : 'in memory'} failed: ${doc.error?.message ?? run.stderr.trim()}`);
  return { samplesPerSecond: doc.samplesPerSecond, maxRss: doc.memory.maxRssBytes, rows: doc.rows };
}

const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

// named by their shape and size: a file of another size is another file
const smallRows = a['small-rows'] ?? '200000', bigBytes = a['big-bytes'] ?? '2G';
const small = csv(`${shape}-${smallRows}-rows.csv`, ['--rows', smallRows]);
const big = csv(`${shape}-${bigBytes}.csv`, ['--bytes', bigBytes]);
const paths = [{ label: 'in memory', file: small, stream: false, runs: [] }, { label: '`--stream`', file: big, stream: true, runs: [] }];
for (let i = 0; i < runs; i++) {
  for (const p of paths) {
    p.runs.push(train(p.file, p.stream));
    console.error(`run ${i + 1}/${runs} ${p.label}: ${Math.round(p.runs.at(-1).samplesPerSecond).toLocaleString('en-US')} samples/s`);
  }
}
const rate = (p) => median(p.runs.map((r) => r.samplesPerSecond));
console.log(`\n${shape} (${NETWORKS[shape].join(' ')}), ${epochs} epochs, --threads ${a.threads ?? '1'}, medians of ${runs} interleaved runs\n`);
console.log('| path | CSV | rows | peak RSS | samples/s | vs in memory |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const p of paths) {
  const share = `${((100 * rate(p)) / rate(paths[0])).toFixed(1)} %`;
  console.log(`| ${p.label} | ${mib(statSync(p.file).size)} | ${p.runs[0].rows.toLocaleString('en-US')} | ${mib(median(p.runs.map((r) => r.maxRss)))} | ${Math.round(rate(p)).toLocaleString('en-US')} | ${share} |`);
}
