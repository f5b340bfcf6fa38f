// `npm start`: backpropagation examples from the texts, our numbers beside the ones they print.
//   1. StatQuest dosage network, gradient descent on b3 alone (the video's table)
//   2. the same network, all seven parameters trained with Model.fit from the video's start
//   3. Mazur's 2-2-2 sigmoid network, one step
//   4. two SVG charts of part 2, in ./wasmlp-demo/ or `--out DIR`
// Runs on the WebAssembly engine; takes well under a second after the build.
import { performance } from 'node:perf_hooks';
import { b3Descent } from './b3.js';
import { fitAllParameters } from './fit7.js';
import { bold, dim, mark } from './format.js';
import { mazurStep } from './mazur.js';
import { DEFAULT_OUT_DIR, writePlots } from './plots.js';

const USAGE = `usage: node dist/demo/statquest.js [--out DIR]   (charts go to DIR, default ./${DEFAULT_OUT_DIR})`;

class UsageError extends Error {}

/** The output directory from `--out DIR` or `--out=DIR`; undefined after printing usage. */
function parseArgs(args: string[]): string | undefined {
  let out = DEFAULT_OUT_DIR;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      return undefined;
    }
    if (arg === '--out' && i + 1 < args.length) out = args[++i];
    else if (arg.startsWith('--out=') && arg.length > 6) out = arg.slice(6);
    else throw new UsageError(`unexpected argument ${JSON.stringify(arg)}\n${USAGE}`);
  }
  return out;
}

async function main(): Promise<void> {
  const outDir = parseArgs(process.argv.slice(2));
  if (outDir === undefined) return;
  const started = performance.now();
  console.log(bold('wasmlp demo: backpropagation worked examples, our float64 numbers beside the printed ones'));
  console.log(`  ${mark(true)} ${dim('ours rounds to the printed digits')}   ${mark(false)} ${dim('it does not   (engine: WebAssembly)')}`);
  await b3Descent();
  const runs = await fitAllParameters();
  await mazurStep();
  await writePlots(runs, outDir);
  for (const run of runs) run.model.dispose();
  console.log(dim(`\n  done in ${Math.round(performance.now() - started)} ms`));
}

main().catch((error: unknown) => {
  console.error(error instanceof UsageError ? error.message : error);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
