// `wasmlp export model.json --onnx model.onnx`: the model as an ONNX file (opset 17, float64, scalers
// included), for ONNX Runtime (Python, C++, Node, web, mobile) and PyTorch (onnx2torch). The CLI's
// column names, task and labels travel in the file's metadata (`wasmlp.columns.inputs`, …), so
// `wasmlp import` brings them back.
import { randomBytes } from 'node:crypto';
import { realpathSync, unlinkSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Command } from 'commander';
import { toONNX } from '../../index.js';
import { CliError } from '../errors.js';
import { count } from '../format.js';
import { readModelFile } from '../model-file.js';
import { checkWritable } from '../output.js';
import { action, type Context, type Result } from '../run.js';
import { describeNetwork } from './info.js';

interface ExportOptions {
  onnx?: string;
  json?: boolean;
}

/** A path's identity for "is this the same file": its real path when it exists, else its absolute path. */
export function samePath(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  return real(a) === real(b);
}

const pending = new Set<string>();
process.on('exit', () => {
  for (const temp of pending) {
    try {
      // a write cut short by an exit leaves no temporary file behind
      unlinkSync(temp);
    } catch {
      // gone already
    }
  }
});

/** Writes bytes to a temporary file beside `path`, then renames it into place: whole or not at all. */
export async function writeBytesAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temp = join(dirname(resolve(path)), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  pending.add(temp);
  try {
    await writeFile(temp, bytes);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new CliError('CANNOT_WRITE', `${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { file: path });
  } finally {
    pending.delete(temp);
  }
}

async function exportModel(_ctx: Context, [modelFile]: string[], o: ExportOptions): Promise<Result> {
  if (o.onnx === undefined) throw new CliError('MISSING_OPTION', 'export: --onnx <file> is required (the ONNX file to write)');
  if (samePath(o.onnx, modelFile)) throw new CliError('SAME_OUTPUT', `--onnx ${o.onnx}: the same file as the model; choose another name`, { file: o.onnx });
  await checkWritable(o.onnx, '--onnx');
  const { model, meta } = await readModelFile(modelFile);
  // the model file's names (model.metadata.cli) go into the ONNX metadata by themselves
  const bytes = toONNX(model);
  const network = describeNetwork(model);
  const scalers = model.getNormalization();
  model.dispose();
  await writeBytesAtomically(o.onnx, bytes);
  const columns = meta === null ? null : { inputs: meta.inputs, targets: meta.targets, labels: meta.labels };
  return {
    text: `wrote ${o.onnx} (${count(bytes.length)} bytes, ONNX opset 17, float64): ${network}${scalers.inputs || scalers.targets ? ', scalers included' : ''}${meta ? ', column names in its metadata' : ''}`,
    json: { model: modelFile, onnx: o.onnx, bytes: bytes.length, opset: 17, network, scalers: { inputs: scalers.inputs !== undefined, targets: scalers.targets !== undefined }, columns },
  };
}

export function exportCommand(): Command {
  return new Command('export')
    .description('write a model as an ONNX file (opset 17, float64, scalers included) for ONNX Runtime or PyTorch')
    .argument('<model>', 'model file written by `wasmlp train` (or model.toJSON())')
    .option('--onnx <file>', 'the ONNX file to write')
    .option('--json', 'print one JSON document on stdout')
    .action(action('export', exportModel));
}
