// Turns a user's spec into a CheckedSpec, or throws a SpecError naming the field, what it expected and
// what it got. Nothing is built before the whole spec has passed. Pure: the answer depends on the spec
// alone, not on the machine (how many threads run and whether the model fits in memory are decided
// where the model is built: src/model/factory.ts).
import { SpecError, describe } from '../errors.js';
import { validateThreads } from './threads.js';
import { DEFAULT_ENGINE, DEFAULT_INIT, DEFAULT_LEAKY_SLOPE, DEFAULT_SEED, LAYER_KEYS, SPEC_KEYS } from './defaults.js';
import { oneOfNames, rejectUnknownKeys } from './names.js';
import {
  ACTIVATIONS,
  ENGINES,
  INITS,
  LOSSES,
  type Activation,
  type LayerShape,
  type CheckedSpec,
  type ModelSpec,
} from './types.js';

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string, what: string): T {
  return oneOfNames(value, allowed, path, what, SpecError, `UNKNOWN_${what.toUpperCase()}`);
}

/** An optional field: undefined takes the default; null is not a value the API documents, so it is an error like any other. */
function optional<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

function positiveInteger(value: unknown, path: string, code: string): number {
  if (isPositiveInteger(value)) return value;
  throw new SpecError(code, `${path}: expected a positive integer, got ${describe(value)}`, {
    path,
    expected: 'a positive integer',
    received: describe(value),
  });
}

/** A layer's dropout rate: undefined is 0; a number in [0, 1), above 0 on hidden layers only. */
function dropoutRate(value: unknown, at: string, output: boolean): number {
  if (value === undefined) return 0;
  const path = `${at}.dropout`;
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new SpecError('BAD_DROPOUT', `${path}: expected a dropout rate in [0, 1) (the probability of dropping a unit), got ${describe(value)}`, {
      path,
      expected: 'a number in [0, 1)',
      received: describe(value),
    });
  }
  if (output && value > 0) {
    throw new SpecError(
      'DROPOUT_ON_OUTPUT',
      `${path}: dropout applies to hidden layers only; dropping the output layer's units would drop the model's predictions themselves (put it on the layers before)`,
      { path, expected: 'no dropout on the output layer', received: describe(value) },
    );
  }
  return value;
}

/** A layer's slope: leaky_relu's only, a finite number; the default otherwise. */
function slopeOf(layer: { slope?: unknown }, activation: Activation, at: string): number {
  if (layer.slope === undefined) return DEFAULT_LEAKY_SLOPE;
  if (activation !== 'leaky_relu') {
    throw new SpecError('SLOPE_WITHOUT_LEAKY', `${at}.slope: only leaky_relu takes a slope, this layer is ${activation}`, {
      path: `${at}.slope`,
      expected: 'no slope for this activation',
      received: describe(layer.slope),
    });
  }
  if (typeof layer.slope !== 'number' || !Number.isFinite(layer.slope)) {
    throw new SpecError('BAD_SLOPE', `${at}.slope: expected a finite number, got ${describe(layer.slope)}`, {
      path: `${at}.slope`,
      expected: 'a finite number',
      received: describe(layer.slope),
    });
  }
  return layer.slope;
}

/** Layer `index` of `count`, taking `fanIn` inputs. */
function layerShape(layer: unknown, index: number, count: number, fanIn: number): LayerShape {
  const at = `layers[${index}]`;
  if (layer === null || typeof layer !== 'object') {
    throw new SpecError('BAD_LAYER', `${at}: expected { units, activation }, got ${describe(layer)}`, {
      path: at,
      expected: '{ units, activation }',
      received: describe(layer),
    });
  }
  rejectUnknownKeys(layer, LAYER_KEYS, at, SpecError);
  const l = layer as { units?: unknown; activation?: unknown; slope?: unknown; dropout?: unknown };
  const units = positiveInteger(l.units, `${at}.units`, 'BAD_UNITS');
  const activation: Activation = oneOf(l.activation, ACTIVATIONS, `${at}.activation`, 'activation');
  if (activation === 'softmax' && index !== count - 1) {
    throw new SpecError(
      'SOFTMAX_NOT_OUTPUT',
      `${at}.activation: softmax is allowed on the output layer only (layer ${count - 1}), not on hidden layer ${index}`,
      { path: `${at}.activation`, expected: `softmax only on layers[${count - 1}]`, received: '"softmax"' },
    );
  }
  const slope = slopeOf(l, activation, at);
  const dropout = dropoutRate(l.dropout, at, index === count - 1);
  return { index, inputs: fanIn, units, activation, slope, dropout };
}

/** The layers, each taking the previous one's units. */
function layerShapes(layers: unknown, inputs: number): LayerShape[] {
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new SpecError('NO_LAYERS', `layers: expected a non-empty array of { units, activation }, got ${describe(layers)}`, {
      path: 'layers',
      expected: 'a non-empty array of { units, activation }',
      received: describe(layers),
    });
  }
  const shapes: LayerShape[] = [];
  let fanIn = inputs;
  // An indexed loop, not forEach: forEach skips the holes of a sparse array (`[, layer]`, `new Array(2)`),
  // which must be reported as missing layers, not dropped.
  for (let index = 0; index < layers.length; index++) {
    const shape = layerShape(layers[index], index, layers.length, fanIn);
    shapes.push(shape);
    fanIn = shape.units;
  }
  return shapes;
}

/** The loss and how it meets the output layer: bce wants sigmoid and cce softmax (from the logit) unless plainLoss. */
function lossOf(spec: ModelSpec, output: LayerShape): { loss: CheckedSpec['loss']; plainLoss: boolean; fromLogits: boolean } {
  const loss = oneOf(spec.loss, LOSSES, 'loss', 'loss');
  const plainLoss = optional<unknown>(spec.plainLoss, false);
  if (typeof plainLoss !== 'boolean') {
    throw new SpecError('BAD_PLAIN_LOSS', `plainLoss: expected true or false, got ${describe(plainLoss)}`, {
      path: 'plainLoss',
      expected: 'a boolean',
      received: describe(plainLoss),
    });
  }
  const pairing: Partial<Record<string, Activation>> = { bce: 'sigmoid', cce: 'softmax' };
  const needed = pairing[loss];
  if (needed !== undefined && output.activation !== needed && !plainLoss) {
    throw new SpecError(
      'LOSS_NEEDS_OUTPUT',
      `loss: ${loss} needs a ${needed} output layer (it is then computed from the logit), but layers[${output.index}] is ${output.activation}; ` +
        `set plainLoss: true to apply the plain ${loss} formula to ${/^[aeiou]/.test(output.activation) ? 'an' : 'a'} ${output.activation} output`,
      { path: `layers[${output.index}].activation`, expected: needed, received: JSON.stringify(output.activation) },
    );
  }
  if (output.activation === 'softmax' && output.units < 2) {
    throw new SpecError('SOFTMAX_ONE_UNIT', `layers[${output.index}].units: softmax over 1 unit is always 1; expected at least 2 units`, {
      path: `layers[${output.index}].units`,
      expected: 'at least 2 units for softmax',
      received: '1',
    });
  }
  const fromLogits = (loss === 'bce' && output.activation === 'sigmoid') || (loss === 'cce' && output.activation === 'softmax');
  return { loss, plainLoss, fromLogits };
}

function seedOf(value: unknown): number {
  const seed = optional<unknown>(value, DEFAULT_SEED);
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new SpecError('BAD_SEED', `seed: expected an integer in [0, 4294967295], got ${describe(seed)}`, {
      path: 'seed',
      expected: 'an integer in [0, 4294967295]',
      received: describe(seed),
    });
  }
  return seed;
}

export function validateSpec(spec: ModelSpec): CheckedSpec {
  if (spec === null || typeof spec !== 'object') {
    throw new SpecError('BAD_SPEC', `spec: expected an object { inputs, layers, loss }, got ${describe(spec)}`, {
      path: 'spec',
      expected: 'an object { inputs, layers, loss }',
      received: describe(spec),
    });
  }
  rejectUnknownKeys(spec, SPEC_KEYS, '', SpecError);
  const inputs = positiveInteger(spec.inputs, 'inputs', 'BAD_INPUTS');
  const layers = layerShapes(spec.layers, inputs);
  const paramCount = layers.reduce((sum, l) => sum + l.units * l.inputs + l.units, 0);
  const output = layers[layers.length - 1];
  const { loss, plainLoss, fromLogits } = lossOf(spec, output);
  const seed = seedOf(spec.seed);
  const init = oneOf(optional<unknown>(spec.init, DEFAULT_INIT), INITS, 'init', 'init');
  const engine = oneOf(optional<unknown>(spec.engine, DEFAULT_ENGINE), ENGINES, 'engine', 'engine');
  const threads = validateThreads(optional<unknown>(spec.threads, 'auto'), 'threads');
  return { inputs, outputs: output.units, layers, loss, plainLoss, fromLogits, seed, init, engine, threads, paramCount };
}
