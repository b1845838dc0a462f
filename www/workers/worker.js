// The trainer, in a module Web Worker: owns the wasm `Playground` with its share of the
// live models and a `Comparison` with its share of the live Figure 4's cells (plan.js),
// trained step for step together, and trains them in short slices, so that it
// answers the page's messages within a few milliseconds, and posts what happened as
// typed arrays (transferred, not copied). The messages it takes and
// sends are listed in messages.js.

import init, { Playground, Comparison, loadCensus, loadCsv } from '../pkg/mmoe.js';
import { ToTrainer as In, FromTrainer as Out, message } from '../state/messages.js';

const SLICE_MS = 12; // time spent training before yielding to messages
const FLUSH_MS = 50; // at most this often a 'data' message: the page's thread stays cheap
const TEST_STRIDE = 5; // [step, loss 1, loss 2, auc 1, auc 2]
const GATE_EVERY = 10; // steps between the gate snapshots kept for the page's history

let playground = null;
let comparison = null; // this worker's Figure 4 cells (or none)
let aliases = []; // [{id, model}]: Figure 4 cells that are live models here (not trained twice)
let settingsNow = null; // the settings the models were built with, at the current lr
let compareId = 0; // which start of the comparison its data belong to (COMPARE)
let taken = 0; // steps this worker has trained (its live models' and cells' step)
let busy = 0; // ms spent training since the build (the plan's balance, measured)
let names = [];
let running = false;
let speed = 0; // steps per second; 0 = as fast as possible
let allowance = 0; // steps earned at the current speed but not taken yet
let lastTick = 0;
let stepsPerCall = 1;
let reportedDiverged = new Set();
let scheduled = false;
let generation = 0;
let stopAt = Infinity; // pause when the models reach this step (runTo)
let limit = Infinity; // wait (still running) when the models reach this step
let trails = []; // per model: [step, ...mean gates] every GATE_EVERY steps, since the last flush
let censusColumns = null; // the census data's input columns, once the page has sent the data
let csvColumns = null; // the CSV's input columns, once the page has sent one

const queue = [];
let initialised = false;
self.onmessage = (event) => {
  if (initialised) handle(event.data);
  else if (event.data?.type === In.MODULE) start(event.data.module);
  else queue.push(event.data);
};

// A self-addressed channel schedules the next slice without setTimeout's 4 ms clamp.
const channel = new MessageChannel();
channel.port1.onmessage = () => {
  scheduled = false;
  tick();
};
let timer = null;
function schedule(delay = 0) {
  if (!running || scheduled || timer !== null) return;
  if (delay > 0) {
    timer = setTimeout(() => {
      timer = null;
      tick();
    }, delay);
  } else {
    scheduled = true;
    channel.port2.postMessage(null);
  }
}
/** Cancels a pending sleep and trains again at once (after play or a speed change). */
function wake() {
  if (timer !== null) {
    clearTimeout(timer);
    timer = null;
  }
  schedule();
}

function post(m, transfer = []) {
  self.postMessage(m, transfer);
}

function fatal(error) {
  running = false;
  playground = null;
  comparison = null;
  post(message(Out.FATAL, { message: String(error?.message ?? error) }));
}

let flushedAt = 0;

/** Posts everything new since the last flush: losses, gates, entropy, divergence. */
function flush() {
  const models = [];
  const transfer = [];
  for (let i = 0; i < names.length; i++) {
    const train = playground.takeTrainLosses(i);
    const test = playground.takeTestLosses(i);
    const gates = playground.gates(i);
    const entropy = playground.gateEntropy(i);
    const testGates = test.length ? playground.testGates(i) : new Float32Array(0);
    const testEntropy = test.length ? playground.testGateEntropy(i) : new Float32Array(0);
    const trail = Float32Array.from(trails[i].splice(0));
    transfer.push(train.buffer, test.buffer, gates.buffer, entropy.buffer, testGates.buffer, testEntropy.buffer, trail.buffer);
    models.push({ index: i, train, test, gates, entropy, testGates, testEntropy, trail, steps: playground.modelSteps(i) });
    const diverged = playground.diverged(i);
    if (diverged !== undefined && !reportedDiverged.has(i)) {
      reportedDiverged.add(i);
      post(message(Out.DIVERGED, { model: names[i], message: diverged, step: playground.modelSteps(i), diagnosis: playground.diagnose(i) }));
    }
  }
  const compared = comparison || aliases.length ? comparisonData(models, transfer) : null;
  post(message(Out.DATA, { generation, step: taken, busy, testStride: TEST_STRIDE, models, comparison: compared }), transfer);
  flushedAt = performance.now();
  if (names.length && reportedDiverged.size === names.length && running) {
    running = false;
    post(message(Out.STATE, { running, allDiverged: true }));
  }
}

/**
 * The Figure 4 cells' training losses since the last flush: this worker's own cells, and
 * the cells that are its live models (their losses, copied: `models` transfers them).
 */
function comparisonData(models, transfer) {
  const cells = [];
  for (let i = 0; comparison && i < comparison.cells(); i++) {
    const train = comparison.takeTrainLosses(i);
    transfer.push(train.buffer);
    cells.push({ id: comparison.cellId(i), train, diverged: comparison.diverged(i) });
  }
  for (const alias of aliases) {
    cells.push({ id: alias.id, train: models[alias.model].train.slice(), diverged: playground.diverged(alias.model) !== undefined });
  }
  return { id: compareId, cells };
}

/** Starts this worker's Figure 4 cells from step 0 (none when `cells` is empty). */
function startComparison(cells) {
  comparison?.free();
  comparison = null;
  if (cells?.length) comparison = new Comparison(settingsNow, cells);
}

/**
 * Trains `n` steps in calls that end on multiples of GATE_EVERY, keeping each model's
 * mean gates there, so the gate history has the same resolution at any speed.
 */
function advance(n) {
  while (n > 0) {
    const k = Math.min(n, GATE_EVERY - (taken % GATE_EVERY));
    playground.step(k);
    comparison?.advance(k);
    taken += k;
    n -= k;
    if (taken % GATE_EVERY !== 0) continue;
    for (let i = 0; i < names.length; i++) {
      const gates = playground.gates(i);
      if (gates.length) trails[i].push(playground.modelSteps(i), ...gates);
    }
  }
}

function tick() {
  if (!running || !playground) return;
  const start = performance.now();
  if (speed > 0) {
    allowance = Math.min(allowance + ((start - lastTick) * speed) / 1000, Math.max(1, speed / 5));
  }
  lastTick = start;
  try {
    let done = 0;
    while (performance.now() - start < SLICE_MS) {
      let n = Math.min(stepsPerCall, stopAt - taken, limit - taken);
      if (n <= 0) break;
      if (speed > 0) {
        n = Math.min(n, Math.floor(allowance));
        if (n <= 0) break;
        allowance -= n;
      }
      const t0 = performance.now();
      advance(n);
      done += n;
      const took = performance.now() - t0;
      busy += took;
      // Size the next call to about a third of a slice.
      const perStep = took / n;
      stepsPerCall = Math.max(1, Math.min(256, Math.floor(SLICE_MS / 3 / Math.max(perStep, 0.01))));
    }
    if (done > 0 && performance.now() - flushedAt >= FLUSH_MS) flush();
    if (taken >= stopAt) {
      flush();
      stopAt = Infinity;
      running = false;
      post(message(Out.STATE, { running }));
      return;
    }
  } catch (error) {
    fatal(error);
    return;
  }
  if (taken >= limit) {
    flush(); // the page sees where this worker waits
    return; // the next LIMIT message wakes the loop
  }
  if (speed > 0 && allowance < 1) {
    // Sleep until the next step is due instead of spinning.
    schedule(Math.min(250, Math.max(1, ((1 - allowance) * 1000) / speed)));
  } else {
    schedule();
  }
}

function build(settings, models, nextGeneration, compare) {
  running = false;
  playground?.free();
  playground = null;
  comparison?.free();
  comparison = null;
  aliases = [];
  generation = nextGeneration ?? generation + 1;
  stopAt = Infinity;
  limit = Infinity;
  taken = 0;
  busy = 0;
  reportedDiverged = new Set();
  stepsPerCall = 1;
  settingsNow = settings;
  playground = new Playground(settings, models);
  compareId = 0;
  if (compare?.on) {
    startComparison(compare.cells);
    aliases = compare.aliases ?? [];
  }
  names = models.slice();
  trails = names.map((_, i) => {
    const gates = playground.gates(i); // before training: the initial gates, at step 0
    return gates.length ? [0, ...gates] : [];
  });
  const info = names.map((name, i) => ({
    name,
    experts: playground.expertCount(i),
    parameters: playground.parameterCount(i),
  }));
  const columns = { synthetic: null, csv: csvColumns }[settings.source] ?? censusColumns;
  const [width, rows] = playground.dataShape();
  post(message(Out.READY, { generation, models: info, pearson: playground.labelPearson(), constant: Array.from(playground.constantLosses()), columns, width, rows }));
  flush();
}

/** Starts the training loop if it is not running. */
function startRunning() {
  if (running) return;
  running = true;
  allowance = 1;
  lastTick = performance.now();
  post(message(Out.STATE, { running }));
  wake();
}

function handle(m) {
  const type = m?.type;
  try {
    switch (type) {
      case In.INIT:
        try {
          if (m.census) censusColumns = loadCensus(new Uint8Array(m.census));
          if (m.csv) {
            const report = loadCsv(new Uint8Array(m.csv.bytes), m.csv.labels, m.csv.kinds);
            csvColumns = [...report.categorical, ...report.numeric];
          }
          build(m.settings, m.models, m.generation, m.comparison);
        } catch (error) {
          playground = null;
          comparison = null;
          post(message(Out.ERROR, { request: In.INIT, message: String(error?.message ?? error) }));
        }
        return;
      case In.CRASH:
        setTimeout(() => {
          throw new Error('crash requested by the page (test hook)');
        });
        return;
    }
    if (!playground) return;
    switch (type) {
      case In.PLAY:
        stopAt = Infinity;
        startRunning();
        break;
      case In.RUN_TO:
        stopAt = Math.max(0, Math.floor(m.step));
        if (taken >= stopAt) {
          stopAt = Infinity;
          break;
        }
        startRunning();
        break;
      case In.INSPECT: {
        const gates = names.map((_, i) => playground.testGateWeights(i));
        const projections = playground.testProjections();
        const readout = names.map((_, i) => playground.testReadout(i));
        const outputs = names.map((_, i) => playground.testExpertMeans(i));
        const groups = m.column ? playground.testGroups(m.column) : undefined;
        post(
          message(Out.INSPECT, { generation, step: taken, gates, projections, readout, outputs, groups, column: m.column ?? null }),
          [...gates.map((g) => g.buffer), projections.buffer, ...readout.map((r) => r.buffer), ...outputs.map((o) => o.buffer)],
        );
        break;
      }
      case In.DIAGNOSE: {
        const i = names.indexOf(m.model); // the worker that holds the model answers
        if (i >= 0) post(message(Out.DIAGNOSIS, { generation, model: m.model, diagnosis: playground.diagnose(i) }));
        break;
      }
      case In.PAUSE:
        stopAt = Infinity;
        if (running) {
          running = false;
          flush(); // the steps trained since the last 'data' (at most FLUSH_MS of them)
          post(message(Out.STATE, { running }));
        }
        break;
      case In.STEP: {
        const steps = Math.max(1, Math.min(10000, Math.floor(m.steps ?? 1)));
        advance(steps);
        flush();
        break;
      }
      case In.CORRELATION: {
        try {
          // The live models leave their Figure 4 cells: each cell goes on from the
          // model's state at the old correlation, here.
          if (aliases.length) {
            flush();
            comparison ??= new Comparison(settingsNow, []);
            for (const alias of aliases.splice(0)) comparison.adopt(alias.id, playground, alias.model);
          }
          const pearson = playground.setCorrelation(m.value);
          post(message(Out.CORRELATION, { value: m.value, pearson, constant: Array.from(playground.constantLosses()), step: taken }));
          flush();
        } catch (error) {
          post(message(Out.ERROR, { request: In.CORRELATION, message: String(error?.message ?? error) }));
        }
        break;
      }
      case In.LR:
        try {
          playground.setLearningRate(m.value);
          comparison?.setLearningRate(m.value);
          settingsNow = { ...settingsNow, lr: m.value };
          post(message(Out.LR, { value: m.value, step: taken }));
        } catch (error) {
          post(message(Out.ERROR, { request: In.LR, message: String(error?.message ?? error) }));
        }
        break;
      case In.COMPARE:
        compareId = m.id;
        aliases = [];
        startComparison(m.on ? m.cells : []);
        break;
      case In.LIMIT:
        limit = Number(m.step);
        wake();
        break;
      case In.SPEED:
        speed = Math.max(0, Number(m.value) || 0);
        allowance = Math.min(allowance, 1);
        lastTick = performance.now();
        wake();
        break;
    }
  } catch (error) {
    // A trap inside wasm (panic = abort) leaves the instance unusable.
    fatal(error);
  }
}

/** Instantiates the trainer from the page's compiled module, then handles what queued. */
async function start(module) {
  try {
    await init({ module_or_path: module });
    initialised = true;
    for (const queued of queue.splice(0)) handle(queued);
  } catch (error) {
    fatal(error);
  }
}
