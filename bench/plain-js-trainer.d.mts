// Types of plain-js-trainer.mjs (the benchmark's plain-JavaScript reference trainer), for the tests.
export interface PlainSpec {
  inputs: number;
  layers: readonly { units: number; activation: string }[];
  loss: string;
}
export interface PlainOptions {
  batchSize: number;
  learningRate: number;
  optimizer?: string;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}
export interface PlainTrainer {
  epoch(X: number[][], Y: number[][], order: number[]): number;
  forward(x: number[]): number[];
  params(): { W: number[][]; b: number[] }[];
}
export function createTrainer(spec: PlainSpec, params: readonly { W: readonly (readonly number[])[]; b: readonly number[] }[], options: PlainOptions): PlainTrainer;
