// Every default of the model spec, in one place.
export const DEFAULT_SEED = 42;
export const DEFAULT_LEAKY_SLOPE = 0.01;
export const DEFAULT_INIT = 'auto' as const;
export const DEFAULT_ENGINE = 'wasm' as const;

/** The keys a spec may have; any other is an error (a typo must not silently fall back to a default). */
export const SPEC_KEYS = ['inputs', 'layers', 'loss', 'plainLoss', 'seed', 'init', 'params', 'engine', 'threads', 'classes', 'inputNames', 'targetNames'] as const;
/** The keys a layer of the spec may have. */
export const LAYER_KEYS = ['units', 'activation', 'slope', 'dropout'] as const;
