// The engines every shared suite runs on. One suite, parameterised by engine.
import type { EngineKind } from '../../src/index.js';

export const ENGINES: EngineKind[] = ['ts', 'wasm'];
