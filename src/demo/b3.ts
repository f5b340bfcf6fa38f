// Part 1: StatQuest "Backpropagation Main Ideas". The dosage network (1-2-1, softplus hidden layer,
// identity output, SSR) with the video's fitted parameters except b3 = 0; b3 alone goes down the
// gradient exactly as the video does it, by hand: dSSR/db3 from backpropagation, step = lr × gradient.
import { createModel } from '../index.js';
import { agrees, fixed, mark, printedCell, section, table } from './format.js';
import { DOSAGE_SPEC, X, Y } from './network.js';

const LEARNING_RATE = 0.1;
const MIN_STEP = 0.001; // StatQuest's usual minimum step size: stop after the first smaller step

/**
 * What the video prints for each step: dSSR/db3, step size, new b3. Constants here, not read from the
 * reference files: the demo ships in dist and runs from a clean install (the test compares them).
 */
const PRINTED: { gradient?: string; step?: string; b3?: string }[] = [
  { gradient: '-15.7', step: '-1.57', b3: '1.57' },
  { gradient: '-6.26', step: '-0.626', b3: '2.19' },
];
const PRINTED_FINAL_B3 = '2.61';

export async function b3Descent(): Promise<void> {
  const model = await createModel({
    ...DOSAGE_SPEC,
    params: [
      { W: [[3.34], [-3.53]], b: [-1.43, 0.57] },
      { W: [[-1.22, -2.3]], b: [0] },
    ],
  });
  const b3Index = model.spec.paramCount - 1; // the last parameter of the flat layout is the output bias

  console.log(section('1. StatQuest dosage network: gradient descent on b3 alone'));
  console.log('  StatQuest, "Backpropagation Main Ideas": 1-2-1 network, softplus hidden layer, identity');
  console.log("  output, SSR; w1…w4, b1, b2 at the video's values, b3 from 0. Gradient descent on b3,");
  console.log(`  learning rate ${LEARNING_RATE}, stopping after the first step smaller than ${MIN_STEP}.\n`);
  const rows: string[][] = [];
  let b3 = 0;
  for (let step = 0; ; step++) {
    const { loss, gradsFlat } = model.gradients(X, Y);
    const gradient = gradsFlat[b3Index];
    const size = LEARNING_RATE * gradient;
    const params = model.getParamsFlat();
    b3 = params[b3Index] - size;
    params[b3Index] = b3;
    model.setParams(params);
    const printed = PRINTED[step] ?? {};
    rows.push([
      String(step + 1), fixed(loss, 6),
      fixed(gradient, 6), printedCell(gradient, printed.gradient),
      fixed(size, 6), printedCell(size, printed.step),
      fixed(b3, 6), printedCell(b3, printed.b3),
    ]);
    if (Math.abs(size) < MIN_STEP) break;
  }
  console.log(table(
    [{ header: 'step' }, { header: 'SSR' }, { header: 'dSSR/db3' }, { header: 'video' }, { header: 'step size' }, { header: 'video' }, { header: 'new b3' }, { header: 'video' }],
    rows,
  ));
  const finalLoss = model.loss(X, Y);
  console.log(`\n  after ${rows.length} steps: b3 = ${fixed(b3, 6)} (video: ${PRINTED_FINAL_B3} ${mark(agrees(b3, PRINTED_FINAL_B3))}), SSR = ${fixed(finalLoss, 6)}`);
  model.dispose();
}
