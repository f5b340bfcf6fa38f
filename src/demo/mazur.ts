// Part 3: Matt Mazur, "A Step by Step Backpropagation Example" (2015). A 2-2-2 sigmoid network,
// E = ½ Σ (target − out)², one gradient-descent step with learning rate 0.5; every number the post
// prints beside ours. Mazur's single hidden bias 0.35 and output bias 0.60 are b1 = b2 = 0.35 and
// b3 = b4 = 0.60 here; layer 0 W = [[w1, w2], [w3, w4]], layer 1 W = [[w5, w6], [w7, w8]].
import { createModel, type FitOptions, type LayerParams, type ModelSpec } from '../index.js';
import { agrees, bold, fixed, printedCell, section, table } from './format.js';

const SPEC: ModelSpec = {
  inputs: 2,
  layers: [
    { units: 2, activation: 'sigmoid' },
    { units: 2, activation: 'sigmoid' },
  ],
  loss: 'half_se',
};
const PARAMS: LayerParams[] = [
  { W: [[0.15, 0.2], [0.25, 0.3]], b: [0.35, 0.35] },
  { W: [[0.4, 0.45], [0.5, 0.55]], b: [0.6, 0.6] },
];
const X = [[0.05, 0.1]];
const Y = [[0.01, 0.99]];
const LEARNING_RATE = 0.5;
const LONG_RUN = 10_000;

/** As the post prints them (constants: the demo runs without the reference files). */
const PRINTED = {
  net_h1: '0.3775', out_h1: '0.593269992', out_h2: '0.596884378', net_o1: '1.105905967',
  out_o1: '0.75136507', out_o2: '0.772928465', E_total: '0.298371109',
  'dE/dw5': '0.082167041', 'dE/dw1': '0.000438568',
  'w5+': '0.35891648', 'w6+': '0.408666186', 'w7+': '0.511301270', 'w8+': '0.561370121',
  'w1+': '0.149780716', 'w2+': '0.19956143', 'w3+': '0.24975114', 'w4+': '0.29950229',
};
/** E_total after the first weights-only update, and after 10,000 (the post's last paragraph). */
const PRINTED_AFTER_1 = '0.291027924';
const PRINTED_AFTER_LONG = '0.0000351085';

const DECIMALS = 10; // one more than the post's most precise number

export async function mazurStep(): Promise<void> {
  const model = await createModel({ ...SPEC, params: PARAMS });
  const { loss, grads, output, layers } = model.gradients(X, Y, { traces: true });
  // One full-batch step on every parameter. The post updates weights only; with one step that changes
  // no weight, since every update uses the gradient at the starting point.
  model.fit(X, Y, { epochs: 1, batchSize: 1, learningRate: LEARNING_RATE, optimizer: 'sgd', shuffle: false });
  const [l0, l1] = model.getParams();
  const ours: Record<keyof typeof PRINTED, number> = {
    net_h1: layers[0].z[0][0], out_h1: layers[0].a[0][0], out_h2: layers[0].a[0][1], net_o1: layers[1].z[0][0],
    out_o1: output[0][0], out_o2: output[0][1], E_total: loss,
    'dE/dw5': grads[1].W[0][0], 'dE/dw1': grads[0].W[0][0],
    'w5+': l1.W[0][0], 'w6+': l1.W[0][1], 'w7+': l1.W[1][0], 'w8+': l1.W[1][1],
    'w1+': l0.W[0][0], 'w2+': l0.W[0][1], 'w3+': l0.W[1][0], 'w4+': l0.W[1][1],
  };

  // Mazur's own code trains the weights only, for the two totals of his last paragraph.
  const weightsOnly = await createModel({ ...SPEC, params: PARAMS });
  const options: FitOptions = { batchSize: 1, learningRate: LEARNING_RATE, optimizer: 'sgd', shuffle: false, trainable: ['0.W', '1.W'] };
  weightsOnly.fit(X, Y, { ...options, epochs: 1 });
  const after1 = weightsOnly.loss(X, Y);
  weightsOnly.fit(X, Y, { ...options, epochs: LONG_RUN - 1 });
  const afterLong = weightsOnly.loss(X, Y);
  // And E at the post's own rounded new weights: does his 0.291027924 follow from them?
  const w = (key: keyof typeof PRINTED) => Number(PRINTED[key]);
  const printedWeights = await createModel({
    ...SPEC,
    params: [
      { W: [[w('w1+'), w('w2+')], [w('w3+'), w('w4+')]], b: PARAMS[0].b },
      { W: [[w('w5+'), w('w6+')], [w('w7+'), w('w8+')]], b: PARAMS[1].b },
    ],
  });
  const atPrintedWeights = printedWeights.loss(X, Y);

  console.log(section("3. Mazur's 2-2-2 network: one backpropagation step"));
  console.log('  Matt Mazur, "A Step by Step Backpropagation Example": sigmoid hidden and output layers,');
  console.log(`  E = ½ Σ (target − out)², inputs 0.05, 0.10, targets 0.01, 0.99, learning rate ${LEARNING_RATE}\n`);
  const keys = Object.keys(PRINTED) as (keyof typeof PRINTED)[];
  console.log(table(
    [{ header: 'quantity', align: 'left' }, { header: 'ours' }, { header: 'Mazur' }],
    keys.map((key) => [key, fixed(ours[key], DECIMALS), printedCell(ours[key], PRINTED[key])]),
  ));
  console.log(`\n  ${bold('weights only, as in the post\'s code')}\n`);
  console.log(table(
    [{ header: 'quantity', align: 'left' }, { header: 'ours' }, { header: 'Mazur' }],
    [
      ['E_total after 1 update', fixed(after1, DECIMALS), printedCell(after1, PRINTED_AFTER_1)],
      [`E_total after ${LONG_RUN} updates`, fixed(afterLong, DECIMALS), printedCell(afterLong, PRINTED_AFTER_LONG)],
      ["E_total at the post's new weights", fixed(atPrintedWeights, DECIMALS), ''],
    ],
  ));
  if (!agrees(after1, PRINTED_AFTER_1) && agrees(atPrintedWeights, after1.toFixed(8))) {
    console.log(`\n  The post's two totals are slightly off: E at its own rounded new weights is ${fixed(atPrintedWeights, 8)} too.`);
  }
  model.dispose();
  weightsOnly.dispose();
  printedWeights.dispose();
}
