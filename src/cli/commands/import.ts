// `wasmlp import model.onnx --out model.json`: an ONNX model (from `wasmlp export`, PyTorch or another
// tool; see src/onnx/import.ts for the graphs it reads) as a wasmlp model file. The model's names
// (`wasmlp.names`, read by loadONNX), the task and a classification's column of labels that `wasmlp
// export` put in the metadata are kept, so `predict` and `evaluate` work on CSV files again; files of
// earlier versions carried the names as `wasmlp.columns.inputs`, `wasmlp.columns.targets` and
// `wasmlp.labels`, which are read too. A file without names gives a model for the library and `info`.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Command, Option } from 'commander';
import { FormatError, LOSSES, type Loss, type Model } from '../../index.js';
import { loadONNXWithMetadata } from '../../onnx/import.js';
import { CliError, fsReason } from '../errors.js';
import { CLI_FORMAT_VERSION, columnsOf, modelFileText, nameModel, type Columns } from '../model-file.js';
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

/**
 * The columns the file names, when it names any and they fit the model; otherwise null and why.
 * The model's own names come first; the keys of earlier versions fill in what they do not name.
 */
function columnsFromONNX(meta: Record<string, string>, model: Model): { columns: Columns | null; note: string | null } {
  const inputs = strings(meta['wasmlp.columns.inputs']);
  const targets = strings(meta['wasmlp.columns.targets']);
  const task = meta['wasmlp.task'];
  const labels = strings(meta['wasmlp.labels']);
  const own = model.names;
  const hasOwn = own.inputs !== null || own.targets !== null || own.classes !== null;
  if (!hasOwn && inputs === null && targets === null) return { columns: null, note: null };
  try {
    // an earlier version's keys are a version 1 cli block, checked as one; otherwise the task and label column
    const cli = inputs !== null && !hasOwn
      ? { version: 1, inputs, targets, task, labels: task === 'classification' ? labels : null, training: null }
      : task === 'classification' || task === 'regression'
        ? { version: CLI_FORMAT_VERSION, task, target: task === 'classification' ? (targets?.[0] ?? null) : null, training: null }
        : undefined;
    const { columns } = columnsOf('the ONNX metadata', model, cli);
    nameModel(model, columns);
    return { columns, note: null };
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return { columns: null, note: 'the column names in the file do not fit the model: not kept' };
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
    const { columns, note } = columnsFromONNX(metadata, model);
    const text = columns === null ? `${JSON.stringify(model.toJSON(), null, 2)}\n` : modelFileText(model, { version: CLI_FORMAT_VERSION, task: columns.task, target: columns.task === 'classification' ? (columns.targets?.[0] ?? null) : null, training: null });
    return { text, columns, note, metadata, network: describeNetwork(model), loss: model.spec.loss, scalers: model.getNormalization() };
  } finally {
    model.dispose();
  }
});

async function importModel(ctx: Context, [onnxFile]: string[], o: ImportOptions): Promise<Result> {
  const out = o.out ?? join(dirname(onnxFile), `${basename(onnxFile).replace(/\.onnx$/i, '')}.model.json`);
  await checkOutputs([[out, '--out']], [{ path: onnxFile, what: 'the ONNX file' }]);
  const { text, columns: meta, note, metadata, network, loss, scalers } = await convert(ctx, [onnxFile], o);
  await writeFilesAtomically([{ path: out, content: text, option: '--out' }]);
  const lines = [`wrote ${out}: ${network}, loss ${loss}${scalers.inputs || scalers.targets ? ', scalers' : ''}`];
  if (meta) lines.push(`  columns  ${meta.inputs?.join(', ') ?? '(inputs not named)'} → ${meta.targets?.join(', ') ?? '(targets not named)'}${meta.labels ? ` (${meta.labels.join(', ')})` : ''}`);
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
