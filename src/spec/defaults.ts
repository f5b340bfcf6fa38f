// Every default of the model spec, in one place.
export const DEFAULT_SEED = 42;
export const DEFAULT_LEAKY_SLOPE = 0.01;
export const DEFAULT_INIT = 'auto' as const;
export const DEFAULT_ENGINE = 'wasm' as const;
