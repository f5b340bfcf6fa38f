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
  /** model.threads of the run's model. */
  threads: number;
  /** model.threadsNote of the run's model: why it runs on fewer threads than asked, or null. */
  threadsNote: string | null;
  /** Tiles the model's workers ran (0 without workers). */
  workerTiles: number;
}
export const SCENARIOS: { name: string; spec: { layers: { activation: string }[] }; fit: Record<string, unknown> }[];
export function seededRuns(wasmlp: unknown, engine?: 'wasm' | 'ts', threads?: number | 'auto'): Promise<SeededRun[]>;
