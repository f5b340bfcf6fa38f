// `wasmlp export model.json --onnx model.onnx`: the model as an ONNX file (opset 17, float64, scalers
// included), for ONNX Runtime (Python, C++, Node, web, mobile) and PyTorch (onnx2torch). The model's
// names travel in the file's metadata (`wasmlp.names`, which loadONNX reads back), and so do the task
// and a classification's column of labels (`wasmlp.task`, `wasmlp.columns.targets`), so `wasmlp
// import` brings everything back.
import { Command } from 'commander';
import { toONNX } from '../../index.js';
import { ONNX_OPSET } from '../../onnx/export.js';
import { CliError } from '../errors.js';
import { count } from '../format.js';
import { nameModel, readModelFile } from '../model-file.js';
import { checkOutputs, writeFilesAtomically } from '../output.js';
import { job } from '../jobs.js';
import { action, type Context, type Result } from '../run.js';
import { describeNetwork } from './info.js';

interface ExportOptions {
  onnx?: string;
  json?: boolean;
}

/** The computation, in a worker thread (jobs.ts): the model file read and written as ONNX bytes. */
const convert = job('export', async (_ctx: Context, [modelFile]: string[]) => {
  const { model, columns, named } = await readModelFile(modelFile);
  try {
    // the names of an older file (its cli block) become the model's, which toONNX writes
    if (named) nameModel(model, columns);
    const metadata: Record<string, string> = {};
    if (named) metadata['wasmlp.task'] = columns.task;
    if (columns.task === 'classification' && columns.targets !== null) metadata['wasmlp.columns.targets'] = JSON.stringify(columns.targets);
    const bytes = toONNX(model, { metadata });
    return { bytes, columns: named ? columns : null, network: describeNetwork(model), scalers: model.getNormalization() };
  } finally {
    model.dispose();
  }
});

async function exportModel(ctx: Context, [modelFile]: string[], o: ExportOptions): Promise<Result> {
  if (o.onnx === undefined) throw new CliError('MISSING_OPTION', 'export: --onnx <file> is required (the ONNX file to write)');
  await checkOutputs([[o.onnx, '--onnx']], [{ path: modelFile, what: 'the model' }]);
  const { bytes, columns: named, network, scalers } = await convert(ctx, [modelFile], o);
  await writeFilesAtomically([{ path: o.onnx, content: bytes, option: '--onnx' }]);
  const columns = named === null ? null : { inputs: named.inputs, targets: named.targets, labels: named.labels };
  return {
    text: `wrote ${o.onnx} (${count(bytes.length)} bytes, ONNX opset ${ONNX_OPSET}, float64): ${network}${scalers.inputs || scalers.targets ? ', scalers included' : ''}${named ? ', column names in its metadata' : ''}`,
    json: { model: modelFile, onnx: o.onnx, bytes: bytes.length, opset: ONNX_OPSET, network, scalers: { inputs: scalers.inputs !== undefined, targets: scalers.targets !== undefined }, columns },
  };
}

export function exportCommand(): Command {
  return new Command('export')
    .description(`write a model as an ONNX file (opset ${ONNX_OPSET}, float64, scalers included) for ONNX Runtime or PyTorch`)
    .argument('<model>', 'model file written by `wasmlp train` (or model.toJSON())')
    .option('--onnx <file>', 'the ONNX file to write')
    .option('--json', 'print one JSON document on stdout')
    .action(action('export', exportModel));
}
