// `npm start`: the StatQuest dosage network (1-2-1, softplus hidden layer, identity output, SSR),
// optimizing the last bias b3 by gradient descent exactly as the video does, our numbers beside the
// ones the video prints. Runs on the WebAssembly engine.
import { createModel } from '../index.js';

const X = [[0], [0.5], [1]];
const Y = [[0], [1], [0]];
const LEARNING_RATE = 0.1;
const MIN_STEP = 0.001; // StatQuest's usual minimum step size: stop after the first smaller step

/** What the video prints for each step: dSSR/db3, step size, new b3. */
const PRINTED: { gradient?: string; step?: string; b3?: string }[] = [
  { gradient: '-15.7', step: '-1.57', b3: '1.57' },
  { gradient: '-6.26', step: '-0.626', b3: '2.19' },
];
const PRINTED_FINAL_B3 = '2.61';

/** Whether `value` rounds to the printed number's digits. */
function agrees(value: number, printed: string): boolean {
  const decimals = printed.includes('.') ? printed.split('.')[1].length : 0;
  return Math.abs(value - Number(printed)) <= 0.5 * 10 ** -decimals * (1 + 1e-12);
}

function cell(value: number, printed: string | undefined, width: number): string {
  const ours = value.toFixed(6).padStart(12);
  if (printed === undefined) return `${ours}${''.padStart(width)}`;
  return `${ours}${`${printed} ${agrees(value, printed) ? '✓' : '✗'}`.padStart(width)}`;
}

async function main(): Promise<void> {
  const model = await createModel({
    inputs: 1,
    layers: [
      { units: 2, activation: 'softplus' },
      { units: 1, activation: 'identity' },
    ],
    loss: 'ssr',
    params: [
      { W: [[3.34], [-3.53]], b: [-1.43, 0.57] },
      { W: [[-1.22, -2.3]], b: [0] },
    ],
  });
  const b3Index = model.spec.paramCount - 1; // the last parameter of the flat layout is the output bias

  console.log('wasmlp: StatQuest "Backpropagation Main Ideas", optimizing b3 of the dosage network');
  console.log(`1-2-1 network, softplus hidden layer, identity output, SSR loss; engine: ${model.engineKind}`);
  console.log(`gradient descent on b3 alone, learning rate ${LEARNING_RATE}, stop after the first step smaller than ${MIN_STEP}\n`);
  console.log('step          SSR   dSSR/db3   (video)   step size  (video)       new b3  (video)');
  let step = 0;
  let b3 = 0;
  for (;;) {
    const { loss, gradsFlat } = model.gradients(X, Y);
    const size = LEARNING_RATE * gradsFlat[b3Index];
    const params = model.getParamsFlat();
    b3 = params[b3Index] - size;
    params[b3Index] = b3;
    model.setParams(params);
    const printed = PRINTED[step] ?? {};
    console.log(
      `${String(step + 1).padStart(4)} ${loss.toFixed(6).padStart(12)}` +
        `${cell(gradsFlat[b3Index], printed.gradient, 9)}${cell(size, printed.step, 9)}${cell(b3, printed.b3, 9)}`,
    );
    step++;
    if (Math.abs(size) < MIN_STEP) break;
  }
  const finalLoss = model.loss(X, Y);
  console.log(`\nafter ${step} steps: b3 = ${b3.toFixed(6)} (video: ${PRINTED_FINAL_B3} ${agrees(b3, PRINTED_FINAL_B3) ? '✓' : '✗'}), SSR = ${finalLoss.toFixed(6)}`);
  console.log('✓ marks a value that rounds to the digits the video prints.');
  model.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
