// The flags of `wasmlp train` (commander), for the two ways it trains: in memory (train.ts) and,
// with --stream, a chunk of rows at a time (train-stream.ts).
import { Command, Option } from 'commander';
import { ACTIVATIONS, INITS, LOSSES } from '../../index.js';
import { DELIMITER_DEFAULT, delimiter, fraction, layerList, nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber, scheduleArg, seed, threadsArg } from '../args.js';
import { action } from '../run.js';
import { DEFAULTS, SCALINGS, train, type TrainOptions } from './train.js';
import { STREAM_DEFAULTS, trainStreamed } from './train-stream.js';

export function trainCommand(): Command {
  return new Command('train')
    .description('train a network on a CSV file (header row; the --target columns are predicted from the others)')
    .argument('<data>', 'CSV file with a header row')
    .option('-t, --target <columns>', 'target column(s), comma-separated; a column of labels makes a classification (required unless --resume)')
    .option('--ignore <columns>', 'columns that are neither inputs nor targets (ids, free text), comma-separated')
    .option('--classes', 'treat the target column as class labels even when its values are numbers (so do --loss cce|bce and --output-activation softmax)')
    .addOption(new Option('--layers <units>', 'hidden layer sizes, comma-separated, or "none" (default: 100, scikit-learn\'s)').argParser(layerList))
    .addOption(new Option('--activation <name>', 'hidden layer activation (default: "relu")').choices(ACTIVATIONS.filter((a) => a !== 'softmax')))
    .addOption(new Option('--init <name>', 'initial weights (default: "glorot", scikit-learn\'s; the library\'s "auto" takes He for relu, whose larger weights fit small data sets less well: on a test split, iris 0.96 accuracy instead of 1.00, diabetes R² 0.22 instead of 0.33)').choices([...INITS]))
    .addOption(new Option('--output-activation <name>', 'output activation (default: softmax for labels, sigmoid with --loss bce, identity for numbers)').choices([...ACTIVATIONS]))
    .addOption(new Option('--loss <name>', 'loss (default: cce for labels, bce with a sigmoid output, mse for numbers); cce and bce mean a classification').choices([...LOSSES]))
    .addOption(new Option('--optimizer <name>', 'update rule (default: "adam")').choices(['sgd', 'momentum', 'adam']))
    .option('--lr <rate>', 'learning rate (default: the library\'s and scikit-learn\'s: 0.001 for adam, 0.01 for sgd and momentum)', positiveNumber)
    .option('--schedule <spec>', 'learning-rate schedule, stepped once per epoch: step:EVERY[:GAMMA] (× GAMMA every EVERY epochs, GAMMA 0.1), exponential:GAMMA, cosine:T[:MIN] (cosine from --lr down to MIN, 0, over T epochs), plateau[:FACTOR[:PATIENCE]] (× FACTOR, 0.1, when the validation loss, else the training loss, has not improved for PATIENCE epochs, 10), or none (default: none; --resume: the saved one, continued)', scheduleArg)
    .option('--epochs <n>', 'at most this many passes over the training rows (with --resume, this many more); early stopping (--patience) usually ends training well before', nonNegativeInt, DEFAULTS.epochs)
    .option('--batch-size <n>', 'rows per update, capped at the number of training rows (default: 32)', positiveInt)
    .option('--weight-decay <lambda>', 'L2 weight decay (default: 0)', nonNegativeNumber)
    .option('--l1 <lambda>', 'L1 penalty: the update adds lambda·sign(θ) to the gradient, as lambda·Σ|θ| added to the loss (the losses shown stay the data loss) (default: 0)', nonNegativeNumber)
    .option('--dropout <rate>', 'inverted dropout on every hidden layer while training: each unit dropped with this probability, the others scaled by 1/(1 − rate); predict, evaluate and export use the whole network (default: 0, none)', fraction)
    .addOption(new Option('--normalize <kind>', 'input scaling, fitted on the training rows and saved with the model (default: "standard", as a StandardScaler before scikit-learn\'s MLP; standardize and minMax, the library\'s names, are the same)').choices(SCALINGS))
    .addOption(new Option('--normalize-targets <kind>', 'target scaling for a regression (default: as --normalize), so targets of any size train at the same rate; losses are then on scaled targets, evaluate reports target units').choices(SCALINGS))
    .option('--validation-split <fraction>', `hold out this fraction of the rows, a seeded random sample, as the CSV may be sorted (the library's validationSplit takes the last rows), and stop on their loss (default: ${DEFAULTS.validationSplit.regression} for a regression, whose training loss keeps falling while it overfits; ${DEFAULTS.validationSplit.classification} for a classification, trained on every row, as rows held out cost a small data set accuracy; 0 with fewer than 10 rows)`, fraction)
    .option('--patience <epochs>', `stop when the monitored loss has not improved for this many epochs: the validation loss, and the best epoch is kept; without validation rows the training loss, which must fall by more than --tol (scikit-learn's rule, n_iter_no_change); 0: never stop early (default: ${DEFAULTS.patience})`, nonNegativeInt)
    .option('--tol <delta>', `without validation rows: the least fall of the training loss that counts as an improvement (default: ${DEFAULTS.tol}, scikit-learn's tol)`, nonNegativeNumber)
    .option('--seed <n>', 'seed of the initial weights, the validation sample and the shuffling (default: 42)', seed)
    .addOption(new Option('--engine <name>', 'compute engine (default: "wasm")').choices(['wasm', 'ts']))
    .option('--threads <n>', 'threads of the wasm engine: a count, or "auto" for the available cores, at most 8 (default: auto); the results are the same bits for any count', threadsArg)
    .option('--delimiter <char>', `field delimiter ("tab" for tabs; default: ${DELIMITER_DEFAULT})`, delimiter)
    .option('--stream', 'read the data a chunk of rows at a time, once per epoch, instead of into memory: for files larger than memory (progress by bytes read); rows are shuffled through a buffer (--shuffle-buffer), and nothing is held out: give --validation-file')
    .option('--validation-file <csv>', 'with --stream: rows to compute the validation loss on after each epoch (and stop on it, --patience), read a chunk at a time too; the columns are found by name')
    .option('--shuffle-buffer <rows>', `with --stream: rows drawn at random from a buffer of this many as they are read (0: in the file's order) (default: ${STREAM_DEFAULTS.shuffleBuffer})`, nonNegativeInt)
    .option('--resume <model>', 'continue training this model file (written by `wasmlp train`) with its saved optimizer and shuffler state; the network, columns, scalers and seed come from it, training settings default to the saved ones')
    .option('-o, --out <file>', 'where to write the model (default: <data>.model.json; never over an input)')
    .option('--plot <file>', 'where to write the loss curve (default: <model>.loss.svg)')
    .option('--no-plot', 'do not write a loss curve')
    .option('--json', 'print one JSON document on stdout (no progress display)')
    .addOption(new Option('--report-memory', 'include the peak resident memory in the summary').hideHelp())
    .action(action('train', (ctx, args, o: TrainOptions) => (o.stream ? trainStreamed(ctx, args, o) : train(ctx, args, o))));
}
