// `wasmlp gradcheck model.json data.csv`: backpropagation against central differences of the loss,
// on the model's current parameters and the first rows of a CSV file (model.gradCheck).
// Each parameter costs two loss evaluations over the rows, hence only a few rows by default.
import { Command, Option } from 'commander';
import { DELIMITER_DEFAULT, delimiter, nonNegativeNumber, positiveInt, positiveNumber } from '../args.js';
import { count, fields } from '../format.js';
import { readModelData } from '../model-data.js';
import { readModelFile } from '../model-file.js';
import { job } from '../jobs.js';
import { action, type Context, type Result } from '../run.js';

interface GradcheckOptions {
  delimiter?: string;
  engine?: 'wasm' | 'ts';
  rows: number;
  epsilon: number;
  tolerance: number;
  absoluteTolerance: number;
}

async function gradcheck(ctx: Context, [modelFile, dataFile]: string[], o: GradcheckOptions): Promise<Result> {
  const loaded = await readModelFile(modelFile, o.engine);
  const data = await readModelData(dataFile, loaded.columns, loaded.model, { delimiter: o.delimiter, targets: true, maxRows: o.rows });
  if (data.note !== null) ctx.progress.note(data.note);
  const { model } = loaded;
  const rows = Math.min(o.rows, data.rows);
  const X = { data: data.X.subarray(0, rows * model.inputs), rows };
  const Y = { data: data.Y!.subarray(0, rows * model.outputs), rows };
  const started = performance.now();
  const report = model.gradCheck(X, Y, { epsilon: o.epsilon, tolerance: o.tolerance, absoluteTolerance: o.absoluteTolerance });
  const ms = performance.now() - started;
  model.dispose();
  const w = report.worst;
  const verdict = report.passed ? 'PASS' : 'FAIL';
  return {
    text: `gradient check on ${rows} rows of ${dataFile}: ${verdict}\n${fields([
      ...(report.maxRelativeError === 0
        ? [['max relative error', `0: backprop and central differences agree on all ${count(report.checked)} parameters (differences below ${o.absoluteTolerance} count as 0)`] as [string, string]]
        : [
            ['max relative error', `${report.maxRelativeError.toExponential(3)} (tolerance ${o.tolerance}; differences below ${o.absoluteTolerance} count as 0)`] as [string, string],
            ['worst parameter', `${w.name}: backprop ${w.analytic.toExponential(6)}, central difference ${w.numeric.toExponential(6)} (absolute difference ${Math.abs(w.analytic - w.numeric).toExponential(2)})`] as [string, string],
          ]),
      ['parameters', `${count(report.checked)} checked in ${Math.round(ms)} ms (epsilon ${o.epsilon})`],
    ])}`,
    json: {
      model: modelFile,
      data: dataFile,
      rows,
      passed: report.passed,
      maxRelativeError: report.maxRelativeError,
      tolerance: o.tolerance,
      absoluteTolerance: o.absoluteTolerance,
      epsilon: o.epsilon,
      checked: report.checked,
      // with no error at all, `worst` is merely the first parameter checked
      allAgree: report.maxRelativeError === 0,
      worst: w,
      absoluteError: Math.abs(w.analytic - w.numeric),
    },
  };
}

/** Runs in a worker thread (jobs.ts): loading a large model or computing over many rows must not hold off a signal. */
const inWorker = job('gradcheck', gradcheck);

export function gradcheckCommand(): Command {
  return new Command('gradcheck')
    .description('check backpropagation against central differences on the first rows of a CSV file (exit 0 either way; see PASS/FAIL)')
    .argument('<model>', 'model file written by `wasmlp train`')
    .argument('<data>', 'CSV file with the model\'s input and target columns')
    .option('--rows <n>', 'rows to use, from the top of the file', positiveInt, 32)
    .option('--epsilon <h>', 'relative step of the central differences', positiveNumber, 1e-6)
    .option('--tolerance <t>', 'largest relative error that passes', positiveNumber, 1e-6)
    .option('--absolute-tolerance <a>', 'differences up to this pass whatever the gradient\'s size (the resolution of a central difference)', nonNegativeNumber, 1e-9)
    .option('--delimiter <char>', `field delimiter ("tab" for tabs; default: ${DELIMITER_DEFAULT})`, delimiter)
    .addOption(new Option('--engine <name>', 'compute engine').choices(['wasm', 'ts']))
    .option('--json', 'print one JSON document on stdout')
    .addOption(new Option('--report-memory').hideHelp())
    .action(action('gradcheck', inWorker));
}
