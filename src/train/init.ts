// Seeded initial parameters. Uniform distributions only, so nothing goes through the host's
// Math.log/cos and the values are the same on every platform.
//   glorot (Xavier) uniform: W ~ U(-l, l), l = sqrt(6 / (fan_in + fan_out))
//   he uniform:              W ~ U(-l, l), l = sqrt(6 / fan_in)          (He et al., for relu)
// Biases start at 0. `auto` takes He for relu / leaky_relu layers and Glorot for the others.
import type { ValidSpec } from '../spec/types.js';
import { nextUniform, seedState } from '../layout/rng.js';

export function initialParams(spec: ValidSpec, out: Float64Array = new Float64Array(spec.paramCount)): Float64Array {
  const state = seedState(spec.seed);
  let at = 0;
  for (const layer of spec.layers) {
    const rectifier = layer.activation === 'relu' || layer.activation === 'leaky_relu';
    const he = spec.init === 'he' || (spec.init === 'auto' && rectifier);
    const limit = Math.sqrt(6 / (he ? layer.inputs : layer.inputs + layer.units));
    const weights = layer.units * layer.inputs;
    for (let i = 0; i < weights; i++) out[at++] = (2 * nextUniform(state) - 1) * limit;
    for (let j = 0; j < layer.units; j++) out[at++] = 0;
  }
  return out;
}
