// A large CSV for the streaming measurements (bench/stream.mjs), deterministic: the same arguments
// write the same bytes. Written as it is generated (bounded memory, whatever the size).
//
//   node bench/make-csv.mjs --shape w3 --rows 1000000 --out w3.csv [--seed 1]
//   node bench/make-csv.mjs --shape wide --bytes 4G --out wide.csv
//
// Shapes:
//   w3    the W3 workload's data (bench/run.mjs): two inputs x1, x2 in [-1, 1] and a label y, "in"
//         inside the circle of radius 0.7 and "out" outside (a network of W3's size: 2-8-8-2)
//   wide  a bigger network's data, as W6 (digits-shaped): 64 inputs, a noisy copy of one of 10
//         seeded prototypes, and its class c0 … c9 as the label y
// --rows N, or --bytes SIZE (K, M, G suffixes; the file stops at the first row past it).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mulberry32 } from '../test/helpers/mulberry32.mjs';

function args(argv) {
  const out = {};
  for (let i = 2; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

function sizeOf(text) {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)$/i.exec(text ?? '');
  if (!m) throw new Error(`--bytes: expected a size such as 500M or 4G, got ${text}`);
  return Math.round(Number(m[1]) * 1024 ** ' KMG'.indexOf(m[2].toUpperCase() || ' '));
}

const SHAPES = {
  w3: (random) => ({
    header: 'x1,x2,y',
    row: () => {
      const x1 = 2 * random() - 1, x2 = 2 * random() - 1;
      return `${x1.toFixed(6)},${x2.toFixed(6)},${x1 * x1 + x2 * x2 < 0.49 ? 'in' : 'out'}`;
    },
  }),
  wide: (random) => {
    const prototypes = Array.from({ length: 10 }, () => Array.from({ length: 64 }, () => random()));
    return {
      header: `${Array.from({ length: 64 }, (_, i) => `p${i}`).join(',')},y`,
      row: () => {
        const c = Math.floor(random() * 10);
        return `${prototypes[c].map((v) => (v + 0.3 * (random() - 0.5)).toFixed(4)).join(',')},c${c}`;
      },
    };
  },
};

const a = args(process.argv);
const shape = SHAPES[a.shape ?? 'w3'];
if (!shape || !a.out || (a.rows === undefined && a.bytes === undefined)) {
  console.error('usage: node bench/make-csv.mjs --shape w3|wide (--rows N | --bytes SIZE) --out FILE [--seed S]');
  process.exit(1);
}
const { header, row } = shape(mulberry32(Number(a.seed ?? 1)));
const maxRows = a.rows !== undefined ? Number(a.rows) : Infinity;
const maxBytes = a.bytes !== undefined ? sizeOf(a.bytes) : Infinity;
const out = createWriteStream(a.out);
let rows = 0, bytes = header.length + 1;
out.write(`${header}\n`);
while (rows < maxRows && bytes < maxBytes) {
  const lines = [];
  for (let i = 0; i < 4096 && rows < maxRows && bytes < maxBytes; i++, rows++) {
    const line = row();
    lines.push(line);
    bytes += line.length + 1;
  }
  if (!out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
}
out.end();
await once(out, 'close');
console.log(JSON.stringify({ file: a.out, shape: a.shape ?? 'w3', rows, bytes }));
