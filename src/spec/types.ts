// What a user writes to describe a model, and what validation turns it into.

export const ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'softplus', 'identity', 'softmax'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const LOSSES = ['ssr', 'half_se', 'mse', 'bce', 'cce'] as const;
export type Loss = (typeof LOSSES)[number];

export const INITS = ['auto', 'glorot', 'he'] as const;
export type Init = (typeof INITS)[number];

export const ENGINES = ['wasm', 'ts'] as const;
export type EngineKind = (typeof ENGINES)[number];

export interface LayerSpec {
  /** Number of units (outputs) of the layer: a positive integer. */
  units: number;
  activation: Activation;
  /** Negative-side slope of `leaky_relu` (default 0.01). */
  slope?: number;
  /**
   * Dropout rate p in [0, 1) of a hidden layer (default 0: none). While training, each output of the
   * layer is kept with probability 1 − p and scaled by 1/(1 − p), or set to 0; predictions, losses and
   * gradients use the whole network. The masks come from the model's seeded generator.
   */
  dropout?: number;
}

/** Parameters of one layer: `W[j][i]` weighs input i into unit j (z = W a + b). */
export interface LayerParams {
  W: number[][];
  b: number[];
}

export interface ModelSpec {
  /** Width of the input rows. */
  inputs: number;
  layers: LayerSpec[];
  loss: Loss;
  /**
   * `bce` needs a sigmoid output and `cce` a softmax output, because then the loss is computed from
   * the logit (stable for any z). Set `plainLoss: true` to apply the plain formula to another output.
   */
  plainLoss?: boolean;
  /** Seed of the initializer (an integer in [0, 2^32)); default 42, so two runs agree. */
  seed?: number;
  /** `auto` (default): He uniform for relu / leaky_relu layers, Glorot uniform otherwise. */
  init?: Init;
  /** Explicit parameters, one `{ W, b }` per layer; replaces initialization. */
  params?: LayerParams[];
  /** `wasm` (default): WebAssembly kernels. `ts`: the pure-TypeScript reference engine. */
  engine?: EngineKind;
  /**
   * Threads the WebAssembly engine may use: a count (1 … 64), or `'auto'` (default: the available
   * cores, at most 8). Results are the same bits for any count. Where threads cannot run (the TS
   * engine, a browser page that is not cross-origin isolated) the model runs on one: see `model.threads`.
   */
  threads?: Threads;
  /**
   * A classifier's classes, in the order of its outputs (a cce loss over K units: K labels; a bce loss
   * on one unit: two, the unit being the probability of the second). Without it, the first fit on
   * labels takes their sorted unique values. See src/spec/labels.ts.
   */
  classes?: readonly (string | number)[];
  /** Names of the input columns, one per input. */
  inputNames?: readonly string[];
  /** Names of the outputs, one per output unit (a regressor's target columns). */
  targetNames?: readonly string[];
}

export type Threads = number | 'auto';

/** One validated layer. */
export interface LayerShape {
  readonly index: number;
  readonly inputs: number;
  readonly units: number;
  readonly activation: Activation;
  readonly slope: number;
  /** Dropout rate p in [0, 1); 0: none. */
  readonly dropout: number;
}

/**
 * A spec that passed validation, with every default filled in: what the spec says, independent of
 * the machine (validateSpec). `threads` is the count asked for.
 */
export interface CheckedSpec {
  readonly inputs: number;
  readonly outputs: number;
  readonly layers: readonly LayerShape[];
  readonly loss: Loss;
  readonly plainLoss: boolean;
  /** True when the loss is computed from the output logits: sigmoid + bce, softmax + cce. */
  readonly fromLogits: boolean;
  readonly seed: number;
  readonly init: Init;
  readonly engine: EngineKind;
  /** Threads asked for: a count or 'auto'. */
  readonly threads: Threads;
  /** Total parameter count P. */
  readonly paramCount: number;
}

/** A checked spec on this machine: its thread count resolved for the engine and the environment. */
export interface ValidSpec extends CheckedSpec {
  /** Threads in use: `threads` resolved for this engine and environment (1 … 64). */
  readonly threads: number;
}
