// Part 2: StatQuest "Backpropagation Details Pt. 2". All seven parameters of the dosage network
// trained with Model.fit from the video's starting values (full batch, SSR, plain gradient descent),
// at two learning rates, beside the fitted values the video shows.
//
// Three observations and seven parameters: there is a whole family of networks with SSR = 0, and
// where gradient descent ends in it depends on the path. Small steps (lr 0.01 to 0.03 all agree) end
// at the video's parameters; lr 0.1, the rate of part 1, takes another path to another exact fit.
// The demo shows both rather than only the run that matches.
import { createModel, type Model } from '../index.js';
import { agrees, bold, fixed, mark, num, section, table } from './format.js';
import { DOSAGE_SPEC, PARAM_NAMES, X, Y, layered } from './network.js';

/** The video's initial values (w1, w2, b1, b2, w3, w4, b3): w3, w4 random draws, biases 0. */
const START = [2.74, -1.13, 0, 0, 0.36, 0.63, 0];
/** The video's fitted values, as printed (w1, w2, b1, b2, w3, w4, b3). */
const VIDEO_FITTED = ['3.34', '-3.53', '-1.43', '0.57', '-1.22', '-2.30', '2.61'];
const EPOCHS = 10_000;
const RATES = [0.02, 0.1];

export interface Run {
  learningRate: number;
  /** SSR before each update, then after the last: EPOCHS + 1 values. */
  loss: number[];
  model: Model;
  timeMs: number;
}

/** Model outputs at each dosage. */
export function curve(model: Model, dosages: number[]): number[] {
  return model.predict(dosages.map((d) => [d])).map((row) => row[0]);
}

export async function fitAllParameters(): Promise<Run[]> {
  const runs: Run[] = [];
  for (const learningRate of RATES) {
    const model = await createModel({ ...DOSAGE_SPEC, params: layered(START) });
    const history = model.fit(X, Y, { epochs: EPOCHS, batchSize: X.length, learningRate, optimizer: 'sgd', shuffle: false });
    runs.push({ learningRate, loss: [...history.loss, model.loss(X, Y)], model, timeMs: history.timeMs });
  }
  const start = await createModel({ ...DOSAGE_SPEC, params: layered(START) });
  const video = await createModel({ ...DOSAGE_SPEC, params: layered(VIDEO_FITTED.map(Number)) });
  const label = (run: Run) => `lr ${run.learningRate}`;

  console.log(section('2. StatQuest dosage network: all seven parameters'));
  console.log('  StatQuest, "Backpropagation Details Pt. 2": every parameter trained from the video\'s');
  console.log(`  starting values with Model.fit: full batch, plain gradient descent on SSR, ${EPOCHS.toLocaleString('en-US')}`);
  console.log("  epochs, at two learning rates. ✓ = rounds to the video's fitted value.\n");
  const params = runs.map((run) => Array.from(run.model.getParamsFlat()));
  const rows = PARAM_NAMES.map((name, i) => [
    name, fixed(START[i], 2), VIDEO_FITTED[i],
    ...params.map((p) => `${fixed(p[i], 4)} ${mark(agrees(p[i], VIDEO_FITTED[i]))}`),
  ]);
  // Trailing spaces line these up with the numbers above rather than with their marks.
  rows.push(['SSR', num(start.loss(X, Y), 4), num(video.loss(X, Y), 4), ...runs.map((run) => `${num(run.loss[EPOCHS], 4)}  `)]);
  rows.push(['time', '', '', ...runs.map((run) => `${Math.round(run.timeMs)} ms  `)]);
  console.log(table([{ header: 'param', align: 'left' }, { header: 'start' }, { header: 'video' }, ...runs.map((run) => ({ header: label(run) }))], rows));
  console.log(`  (the "video" column's SSR is ours at the video's rounded values)`);

  // The fitted curve every 0.1, the observations beside it where there are some.
  const dosages = Array.from({ length: 11 }, (_, i) => i / 10);
  const curves = [...runs.map((run) => curve(run.model, dosages)), curve(video, dosages)];
  console.log(`\n  ${bold('fitted curves')}: efficacy predicted at each dosage\n`);
  console.log(table(
    [{ header: 'dosage' }, { header: 'observed' }, ...runs.map((run) => ({ header: label(run) })), { header: "video's fit" }],
    dosages.map((d, k) => {
      const observed = X.findIndex((x) => x[0] === d);
      return [fixed(d, 1), observed < 0 ? '' : fixed(Y[observed][0], 0), ...curves.map((c) => fixed(c[k], 6))];
    }),
  ));
  // Said only when this run shows it: two exact fits, one of them the video's and one not.
  const exact = runs.every((run) => run.loss[EPOCHS] < 1e-20);
  const videoLike = params.map((p) => p.every((v, i) => agrees(v, VIDEO_FITTED[i])));
  if (exact && videoLike[0] && !videoLike[1]) {
    console.log('\n  Both runs fit the three points exactly (SSR at float64 round-off). Seven parameters for');
    console.log("  three points leave a family of exact fits: small steps follow the gradient to the video's,");
    console.log(`  lr ${runs[1].learningRate} takes another path to another one.`);
  }
  start.dispose();
  video.dispose();
  return runs;
}
