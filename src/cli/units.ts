// What a loss is measured in, said wherever the CLI shows one: a regression with a target scaler
// trains (and its history is) on scaled targets, while evaluate's MSE/MAE are in the targets' units.

/** `on standardized targets`, `on min-max scaled targets`, or '' when the loss is in target units. */
export function lossUnitsText(targetScaler: string | undefined): string {
  if (targetScaler === undefined || targetScaler === 'none') return '';
  return targetScaler === 'minMax' || targetScaler === 'minmax' ? 'on min-max scaled targets' : 'on standardized targets';
}
