#!/usr/bin/env node
// The `wasmlp` command: commander wiring only; each subcommand lives in commands/.
// Exit codes (errors.ts): 0 ok, 1 bad input or I/O error, 2 training diverged, 3 internal error,
// 130 SIGINT, 143 SIGTERM.
import { readFileSync } from 'node:fs';
import { isMainThread, workerData } from 'node:worker_threads';
import { Command, CommanderError } from 'commander';
import { isBenchWorkerData, runBenchWorker } from './bench-worker.js';
import { benchCommand } from './commands/bench.js';
import { evaluateCommand } from './commands/evaluate.js';
import { exampleCommand } from './commands/example.js';
import { exportCommand } from './commands/export.js';
import { gradcheckCommand } from './commands/gradcheck.js';
import { importCommand } from './commands/import.js';
import { infoCommand } from './commands/info.js';
import { predictCommand } from './commands/predict.js';
import { trainCommand } from './commands/train-command.js';
import { EXIT, reportOf } from './errors.js';
import { isJobWorkerData, runJobWorker, setJobEntry } from './jobs.js';
import { isPrefetchWorkerData, runPrefetchWorker } from './prefetch.js';
import { printError } from './run.js';

/**
 * The package's version: package.json sits two levels above this file, whether it runs as the
 * bundled dist/bin/wasmlp.js (what the package ships), the compiled dist/cli/main.js or src/cli/main.ts.
 */
function version(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

function program(): Command {
  const root = new Command('wasmlp')
    .description('define and train multilayer perceptrons on CSV data (WebAssembly kernels, exact float64 backpropagation)')
    .version(version(), '-V, --version')
    .addHelpText('after', `
Examples:
  wasmlp example iris --out iris.csv
  wasmlp train iris.csv --target species --out iris.model.json
  wasmlp evaluate iris.model.json iris.csv
  wasmlp predict iris.model.json iris.csv --out predictions.csv

Exit codes: 0 ok, 1 bad input (arguments, CSV, model file) or a file that cannot be read or written,
2 training diverged, 3 internal error, 130 stopped by Ctrl-C (SIGINT), 143 stopped by SIGTERM.`);
  for (const sub of [trainCommand(), predictCommand(), evaluateCommand(), gradcheckCommand(), infoCommand(), exportCommand(), importCommand(), benchCommand(new URL(import.meta.url)), exampleCommand()]) {
    root.addCommand(sub);
  }
  // commander exits by itself on bad arguments; overriding lets a --json run get its JSON error too
  for (const command of [root, ...root.commands]) command.exitOverride().showHelpAfterError('(add --help for usage)');
  return root;
}

async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version end with exit code 0; usage errors were printed by commander and end with 1
      if (error.exitCode !== 0 && argv.includes('--json')) {
        const command = argv.slice(2).find((a) => !a.startsWith('-')) ?? 'wasmlp';
        process.stdout.write(`${JSON.stringify({ ok: false, command, error: { code: error.code, message: error.message, exitCode: EXIT.badInput } }, null, 2)}\n`);
      }
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    } else {
      const report = reportOf(error);
      printError('wasmlp', report, argv.includes('--json'));
      process.exitCode = report.exitCode;
    }
  }
}

// `wasmlp bench`, the long computations of other commands and the reading ahead of a streamed file
// start this same file in worker threads (see bench-worker.ts, jobs.ts and prefetch.ts); stdout's errors and signals are handled
// in run.ts
if (!isMainThread && isBenchWorkerData(workerData)) await runBenchWorker(workerData.wasmlpBench);
else if (!isMainThread && isJobWorkerData(workerData)) await runJobWorker(workerData.wasmlpJob);
else if (!isMainThread && isPrefetchWorkerData(workerData)) await runPrefetchWorker(workerData.wasmlpPrefetch);
else {
  setJobEntry(new URL(import.meta.url));
  await main(process.argv);
}
