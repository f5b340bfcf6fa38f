export interface SeededRun {
  name: string;
  paramsHash: string;
  predictionsHash: string;
  lossHash: string;
  initialHash: string;
  epochs: number;
  finalLoss: number;
  firstLoss: number;
  firstParam: number;
}
export const SCENARIOS: { name: string; spec: { layers: { activation: string }[] }; fit: Record<string, unknown> }[];
export function seededRuns(wasmlp: unknown, engine?: 'wasm' | 'ts'): Promise<SeededRun[]>;
