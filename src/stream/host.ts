// What the stream methods need of a model: the trainer's view (src/train/run.ts TrainingHost) and a
// few more things only a model knows: its classes (labels in chunks), and where an unfinished
// stream epoch stands (position.ts), which it keeps and saves.
import type { MatrixInput } from '../data/dataset.js';
import type { TrainingHost } from '../train/run.js';
import type { Label } from '../spec/labels.js';
import type { StreamPosition } from './position.js';

export interface StreamHost extends TrainingHost {
  /** Targets as rows: labels encoded with the model's classes (a DataError naming `name` otherwise). */
  encode(y: MatrixInput | readonly Label[], name: string): MatrixInput;
  /** A classifier's `{ label: weight }` checked against its classes: the weight of each class in output order. */
  classWeights(classWeight: unknown): Float64Array;
  /** Where the unfinished epoch of a stopped fitStream stands, or null. */
  position(): StreamPosition | null;
  setPosition(position: StreamPosition | null): void;
}
