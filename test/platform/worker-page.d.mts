export const SPEC: object;
export function responsiveness(lib: unknown, worker: unknown, ticks: number): Promise<{
  isolated: boolean; threads: number; fitMs: number; longest: number; mainLongest: number; longTasks: number;
  history: { epochs: number; stopReason: string }; log: string; ticksDuringMainFit: number; mainEpochsLogged: number;
  sameLoss: boolean; sameParams: boolean; samePredictions: boolean;
}>;
