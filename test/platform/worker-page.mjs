// A page script (loaded by test/platform/worker-responsive.test.ts from the built package, served by
// path): a fit in a worker model runs while this thread keeps a timer going, and it stops only when
// the timer has ticked `ticks` times, so what is shown is order, not speed; then the same fit on this
// thread with `fit`, during which no tick can run. The longest main-thread task (longtask) is reported.

/** Seeded rows (mulberry32) for a network large enough that an epoch is real work. */
function data(rows, inputs) {
  let a = 77;
  const rand = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const X = new Float64Array(rows * inputs).map(() => rand() * 2 - 1);
  const Y = new Float64Array(rows * 2).map((_, i) => Math.sin(X[(i >> 1) * inputs] + (i & 1)));
  return { X: { data: X, rows }, Y: { data: Y, rows } };
}

export const SPEC = { inputs: 32, layers: [{ units: 64, activation: 'tanh' }, { units: 32, activation: 'relu' }, { units: 2, activation: 'identity' }], loss: 'mse', seed: 11 };
const OPTIONS = { batchSize: 16, optimizer: 'adam', learningRate: 0.003, shuffle: true };

/** Runs the timer beside a fit; `log` gets 'tick' and 'epoch' in the order they happen on this thread. */
function ticker(log, every) {
  let ticks = 0, stopped = false;
  const tick = () => {
    if (stopped) return;
    ticks += 1;
    log.push('tick');
    setTimeout(tick, every);
  };
  setTimeout(tick, every);
  return { count: () => ticks, stop: () => void (stopped = true) };
}

export async function responsiveness(lib, worker, ticks) {
  // the longest task while the worker fits, and while this thread fits
  const longest = { worker: 0, main: 0 };
  let longTasks = 0, watching = null;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (watching === null) continue;
      if (watching === 'worker') longTasks += 1;
      longest[watching] = Math.max(longest[watching], entry.duration);
    }
  });
  observer.observe({ type: 'longtask', buffered: false });
  const { X, Y } = data(512, SPEC.inputs);
  const model = await worker.createWorkerModel(SPEC);
  // in the worker: epoch after epoch until this thread has ticked `ticks` times
  const log = [];
  watching = 'worker';
  const started = performance.now();
  const timer = ticker(log, 10);
  const history = await model.fit(X, Y, { ...OPTIONS, epochs: 1_000_000, onEpochEnd: () => {
    log.push('epoch');
    return timer.count() < ticks;
  } });
  timer.stop();
  const fitMs = performance.now() - started;
  watching = null;
  const params = await model.getParamsFlat();
  const predicted = await model.predict(X);
  const threads = model.threads;
  await model.dispose();
  // on this thread, the same fit (as many epochs) with fit: the timer cannot run until it returns
  const here = await lib.createModel(SPEC);
  const mainLog = [];
  const mainTimer = ticker(mainLog, 0);
  watching = 'main';
  const mainHistory = here.fit(X, Y, { ...OPTIONS, epochs: history.epochs, onEpochEnd: () => void mainLog.push('epoch') });
  const ticksDuringMainFit = mainTimer.count();
  mainTimer.stop();
  // the long task of the fit above is reported once this task has ended
  await new Promise((resolve) => setTimeout(resolve, 50));
  watching = null;
  const same = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  const result = {
    isolated: crossOriginIsolated, threads, fitMs, longest: longest.worker, mainLongest: longest.main, longTasks, history: { epochs: history.epochs, stopReason: history.stopReason },
    log: log.join(' '), ticksDuringMainFit, mainEpochsLogged: mainLog.filter((e) => e === 'epoch').length,
    sameLoss: same(history.loss, mainHistory.loss), sameParams: same(params, here.getParamsFlat()), samePredictions: same(predicted, here.predict(X)),
  };
  here.dispose();
  observer.disconnect();
  return result;
}
