// `wasmlp import model.onnx --out model.json`: an ONNX model (from `wasmlp export`, PyTorch or another
// tool; see src/onnx/import.ts for the graphs it reads) as a wasmlp model file. The column names,
// task and labels that `wasmlp export` put in the metadata are kept, so `predict` and `evaluate`
// work on CSV files again; a file without them gives a model for the library and `info`.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Command, Option } from 'commander';
import { FormatError, LOSSES, type Loss, type Model } from '../../index.js';
import { loadONNXWithMetadata } from '../../onnx/import.js';
import { CliError, fsReason } from '../errors.js';
import { CLI_FORMAT_VERSION, checkMeta, modelFileText, type CliMeta } from '../model-file.js';
import { checkOutputs, writeFilesAtomically } from '../output.js';
import { job } from '../jobs.js';
import { action, type Context, type Result } from '../run.js';
import { describeNetwork } from './info.js';

interface ImportOptions {
  out?: string;
  loss?: Loss;
  json?: boolean;
}

function strings(text: string | undefined): string[] | null {
  if (text === undefined) return null;
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : null;
  } catch {
    return null;
  }
}

/** The CLI metadata carried by the file, when it is there and fits the model; otherwise null and why. */
function metaFromONNX(meta: Record<string, string>, model: Model): { meta: CliMeta | null; note: string | null } {
  const inputs = strings(meta['wasmlp.columns.inputs']);
  const targets = strings(meta['wasmlp.columns.targets']);
  const task = meta['wasmlp.task'];
  const labels = strings(meta['wasmlp.labels']);
  if (inputs === null && targets === null) return { meta: null, note: null };
  // the same checks as a model file's cli block (counts, task, labels, no name twice), so what is
  // written here is a file that `predict` and `evaluate` read
  const candidate = { version: CLI_FORMAT_VERSION, inputs, targets, task, labels: task === 'classification' ? labels : null, training: null };
  try {
    return { meta: checkMeta('the ONNX metadata', candidate, model), note: null };
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return { meta: null, note: 'the column names in the file do not fit the model: not kept' };
  }
}

/** The computation, in a worker thread (jobs.ts): the ONNX file read and converted to a model file's text. */
const convert = job('import', async (_ctx: Context, [onnxFile]: string[], o: ImportOptions) => {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(onnxFile);
  } catch (error) {
    throw new CliError('CANNOT_READ', `${onnxFile}: cannot read the ONNX file (${fsReason(error)})`, { file: onnxFile });
  }
  let model: Model;
  let metadata: Record<string, string>;
  try {
    ({ model, metadata } = await loadONNXWithMetadata(bytes, o.loss === undefined ? {} : { loss: o.loss }));
  } catch (error) {
    if (error instanceof FormatError) throw new CliError('BAD_ONNX_FILE', `${onnxFile}: not an ONNX model wasmlp reads (${error.message})`, { file: onnxFile });
    throw error;
  }
  try {
    const { meta, note } = metaFromONNX(metadata, model);
    const text = meta === null ? `${JSON.stringify(model.toJSON(), null, 2)}\n` : modelFileText(model, meta);
    return { text, meta, note, metadata, network: describeNetwork(model), loss: model.spec.loss, scalers: model.getNormalization() };
  } finally {
    model.dispose();
  }
});

async function importModel(ctx: Context, [onnxFile]: string[], o: ImportOptions): Promise<Result> {
  const out = o.out ?? join(dirname(onnxFile), `${basename(onnxFile).replace(/\.onnx$/i, '')}.model.json`);
  await checkOutputs([[out, '--out']], [{ path: onnxFile, what: 'the ONNX file' }]);
  const { text, meta, note, metadata, network, loss, scalers } = await convert(ctx, [onnxFile], o);
  await writeFilesAtomically([{ path: out, content: text, option: '--out' }]);
  const lines = [`wrote ${out}: ${network}, loss ${loss}${scalers.inputs || scalers.targets ? ', scalers' : ''}`];
  if (meta) lines.push(`  columns  ${meta.inputs.join(', ')} → ${meta.targets.join(', ')}${meta.labels ? ` (${meta.labels.join(', ')})` : ''}`);
  else lines.push(`  columns  ${note ?? 'none in the file'}: \`predict\` and \`evaluate\` take the CSV's columns in order (inputs first, then targets), checking their count`);
  return {
    text: lines.join('\n'),
    json: {
      onnx: onnxFile, out, network, loss,
      producer: metadata['wasmlp.version'] === undefined ? null : `wasmlp ${metadata['wasmlp.version']}`,
      scalers: { inputs: scalers.inputs ?? null, targets: scalers.targets ?? null },
      columns: meta === null ? null : { inputs: meta.inputs, targets: meta.targets, task: meta.task, labels: meta.labels },
      note,
    },
  };
}

export function importCommand(): Command {
  return new Command('import')
    .description('read an ONNX model (from `wasmlp export`, PyTorch, …) into a wasmlp model file')
    .argument('<onnx>', 'the ONNX file to read')
    .option('--out <file>', 'the model file to write (default: <name>.model.json beside the ONNX file)')
    .addOption(new Option('--loss <loss>', 'loss for further training (default: the file\'s, else cce for softmax, bce for sigmoid, mse otherwise)').choices([...LOSSES]))
    .option('--json', 'print one JSON document on stdout')
    .action(action('import', importModel));
}
