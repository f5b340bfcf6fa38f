// The palette: two classes are orange and blue (as in TensorFlow Playground); more classes add green,
// purple, red and teal. Weights: blue positive, orange negative.

export const ORANGE = '#f59322';
export const BLUE = '#0877bd';
export const CLASS_COLORS = [ORANGE, BLUE, '#2e9e5b', '#8a5cc9', '#d9475a', '#1aa3a3', '#8c6d3f', '#c6569b', '#5c6f82', '#b0a21c'];

export type RGB = [number, number, number];

export function hexToRgb(hex: string): RGB {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export const CLASS_RGB = CLASS_COLORS.map(hexToRgb);
export const WHITE: RGB = [248, 249, 251];

export function classColor(label: number, _classes: number): string {
  return CLASS_COLORS[label % CLASS_COLORS.length];
}

export function mix(a: RGB, b: RGB, t: number): RGB {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

/** Orange (t = 0) through white (0.5) to blue (1), at full strength. */
export function diverging(t: number): RGB {
  const u = Math.min(1, Math.max(0, t));
  return u < 0.5 ? mix(CLASS_RGB[0], WHITE, u * 2) : mix(WHITE, CLASS_RGB[1], (u - 0.5) * 2);
}

export function css([r, g, b]: RGB): string {
  return `rgb(${Math.round(r)} ${Math.round(g)} ${Math.round(b)})`;
}
