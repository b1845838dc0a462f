// The page's state, in one object, and each model's run history: the per-step training
// losses, the test evaluations, the latest gates and a thinned gate history. Every other
// module reads a run through the methods here instead of indexing its arrays.

import { gateL1 as l1 } from '../pkg/mmoe.js';

/** Everything the page knows, in one place (main.js is the only writer of most of it). */
export const store = {
  defaults: null, // the default settings (wasm)
  settings: null,
  models: [],
  speed: 0,
  lecture: false,
  autoplay: false,
  preset: null, // the guided-tour preset being shown (1–7)
  figure4Seeds: null, // seeds the live Figure 4 averages (`fig4_seeds`); null: by the cores
  lang: 'en',
  generation: 0, // of the models the page is showing (the trainers' build counter)
  running: false, // the page wants training to run
  resumeAfterBuild: false,
  step: 0,
  pearson: NaN,
  constantLoss: [NaN, NaN], // each task's loss when predicting a constant (the labels' spread)
  info: [], // [{name, experts, parameters}]
  runs: [], // a RunHistory per model, in `info` order
  archModel: null, // the model the architecture drawing shows (architecture.js)
  sample: null, // the test sample whose routing it shows (null: the last batch's mean), as picked in the inspector too
  pinned: [], // pinned runs (pins.js): [{label, n, step, settings, models, final, curves, changed}]
  liveChange: null, // {key, step}: the first setting changed mid-run since the models were built
  census: null, // the un-gzipped census data (an ArrayBuffer) once fetched (census.js)
  censusMs: null, // how long fetching and un-gzipping it took
  csv: null, // the CSV file trained on (csv.js): {name, bytes (an ArrayBuffer), labels, kinds, report}; never in a link
  shape: null, // the built models' data: {width: input columns, rows: training rows}
  comparison: [], // the live Figure 4's cells: [{model, correlation, run (a RunHistory)}]
  firstStepAt: null, // ms since navigation start
};

const GATE_EVERY = 10; // a gate snapshot every this many steps (as worker.js sends them)
const GATE_KEEP = 4000; // then thin to every other record
// Training losses: the last KEEP steps at full resolution (a ring), older steps thinned to
// at most OLD_KEEP records (every other one dropped when full), so that a page left
// training for hours holds a bounded history.
const KEEP = 8192;
const OLD_KEEP = 4000;
const TEST_KEEP = 4000; // evaluations, thinned alike
const RECENT = 50; // steps in the "recent" training loss (the table, the health check)
// Steps before a flat loss counts as stalled: the default data's loss stays flat for its
// first ~700 steps at learning rate 0.01, and about as much longer as the rate is smaller.
const STALL_AFTER = 1000; // at least
const STALL_LR_STEPS = 10; // steps × learning rate
/** The steps a run at the page's learning rate gets before it can count as stalled. */
function stallAfter() {
  const lr = store.settings?.lr;
  return lr > 0 ? Math.max(STALL_AFTER, Math.round(STALL_LR_STEPS / lr)) : STALL_AFTER;
}
const STALL_RATIO = 0.9; // recent loss at least this share of a constant prediction's
const BLOWN_RATIO = 10; // recent loss at least this many times the best recent loss

/** L1 distance between the two rows (tasks) of a mean-gate matrix (computed in Rust). */
export function gateL1(rows) {
  if (!rows || rows.length !== 2) return NaN;
  return l1(Float32Array.from(rows.flat()));
}

/** A tasks × experts row-major array as two rows (none for an ungated model). */
function twoRows(flat) {
  const experts = flat.length / 2;
  return experts ? [Array.from(flat.subarray(0, experts)), Array.from(flat.subarray(experts))] : [];
}

/** Keeps every other record of `rows` (the newest always). */
function halve(rows) {
  const last = rows.length - 1;
  return rows.filter((_, k) => k % 2 === last % 2);
}

export class RunHistory {
  constructor({ name, parameters, experts }) {
    this.name = name;
    this.parameters = parameters;
    this.experts = experts;
    this.steps = 0;
    this.diverged = null; // the trainer's message once the loss stopped being finite
    this.diagnosis = null; // why it broke, as the trainer measured it (diagnosis.js words it)
    this.asked = null; // the trouble ('blown', 'stalled') a diagnosis was asked for
    this.train = new Float64Array(2 * KEEP); // ring: [loss 1, loss 2] at 2 * ((step - 1) % KEEP)
    this.older = []; // [step, loss 1, loss 2] of steps before the ring, thinned
    this.olderEvery = 1;
    this.tests = []; // [step, loss 1, loss 2, auc 1, auc 2], thinned past TEST_KEEP
    this.gates = new Float32Array(0); // last batch, tasks × experts
    this.entropy = new Float32Array(0);
    this.testGates = new Float32Array(0); // test set, latest evaluation
    this.testEntropy = new Float32Array(0);
    this.history = []; // [step, ...mean gate weights of the last batch (tasks × experts)]
    this.historyEvery = GATE_EVERY;
    this.bestRecent = [Infinity, Infinity];
  }

  /** Adds a 'data' message's training losses ([step, l1, l2]…) and evaluations. */
  record(train, test, stride) {
    for (let k = 0; k + 2 < train.length; k += 3) {
      const s = train[k];
      const at = 2 * ((s - 1) % KEEP);
      const leaving = s - KEEP; // the step whose slot this one takes
      if (leaving >= 1 && leaving % this.olderEvery === 0) {
        this.older.push([leaving, this.train[at], this.train[at + 1]]);
        if (this.older.length > OLD_KEEP) {
          this.older = this.older.filter((r) => r[0] % (2 * this.olderEvery) === 0);
          this.olderEvery *= 2;
        }
      }
      this.train[at] = train[k + 1];
      this.train[at + 1] = train[k + 2];
      this.steps = Math.max(this.steps, s);
    }
    for (let k = 0; k + stride - 1 < test.length; k += stride) this.tests.push(Array.from(test.subarray(k, k + stride)));
    if (this.tests.length > TEST_KEEP) this.tests = halve(this.tests);
    if (this.steps >= RECENT) {
      this.recentLoss().forEach((v, t) => (this.bestRecent[t] = Math.min(this.bestRecent[t], v)));
    }
  }

  /** The latest batch's gates and entropy, and the gate snapshots since the last message. */
  setGates(gates, entropy, trail) {
    if (!gates.length) return;
    this.gates = gates;
    this.entropy = entropy;
    for (let r = 0; r < trail.length; r += 1 + gates.length) {
      this.recordGates(trail[r], trail.subarray(r + 1, r + 1 + gates.length));
    }
  }

  recordGates(s, gates) {
    const last = this.history[this.history.length - 1];
    if (last && s - last[0] < this.historyEvery) return;
    this.history.push([s, ...gates]);
    if (this.history.length > GATE_KEEP) {
      this.history = this.history.filter((_, k) => k % 2 === 0);
      this.historyEvery *= 2;
    }
  }

  setTestGates(gates, entropy) {
    if (!gates.length) return;
    this.testGates = gates;
    this.testEntropy = entropy;
  }

  /** Where step `s`'s losses sit in the ring, or -1 when it is older than the ring. */
  ringAt(s) {
    return s > this.steps - KEEP ? 2 * ((s - 1) % KEEP) : -1;
  }

  /** Training losses [task 1, task 2] at step `s` (1-based), or null (not kept: older steps are thinned). */
  trainAt(s) {
    if (!Number.isInteger(s) || s < 1 || s > this.steps) return null;
    const at = this.ringAt(s);
    if (at >= 0) return [this.train[at], this.train[at + 1]];
    let lo = 0;
    let hi = this.older.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.older[mid];
      if (r[0] === s) return [r[1], r[2]];
      if (r[0] < s) lo = mid + 1;
      else hi = mid - 1;
    }
    return null;
  }

  /**
   * [step, loss 1, loss 2] every `every` steps from step 1 (of the steps kept: before the
   * last KEEP steps, the thinned ones), always ending at the last step.
   */
  trainRows(every = 1) {
    const rows = [];
    for (let s = 1; s <= this.steps; s += every) {
      const l = this.trainAt(s);
      if (l) rows.push([s, ...l]);
    }
    if (this.steps > 0 && rows[rows.length - 1]?.[0] !== this.steps) rows.push([this.steps, ...this.trainAt(this.steps)]);
    return rows;
  }

  /** Mean training loss of each task over the `n` steps up to step `upTo` (the last step). */
  recentLoss(n = RECENT, upTo = this.steps) {
    const end = Math.min(upTo, this.steps);
    const from = Math.max(1, end - n + 1);
    const sums = [0, 0];
    let count = 0;
    for (let s = from; s <= end; s++) {
      const at = this.ringAt(s); // read in place: this runs for every model every frame
      if (at >= 0) {
        sums[0] += this.train[at];
        sums[1] += this.train[at + 1];
        count += 1;
        continue;
      }
      const l = this.trainAt(s);
      if (!l) continue;
      sums[0] += l[0];
      sums[1] += l[1];
      count += 1;
    }
    return count > 0 ? sums.map((v) => v / count) : [NaN, NaN];
  }

  /** The evaluations so far, oldest first: [step, loss 1, loss 2, auc 1, auc 2]. */
  testRows() {
    return this.tests;
  }

  latestTest() {
    return this.tests[this.tests.length - 1] ?? null;
  }

  /** The step of the latest evaluation (0 before any). */
  evaluatedAt() {
    return this.latestTest()?.[0] ?? 0;
  }

  gateRows() {
    return twoRows(this.gates);
  }

  testGateRows() {
    return twoRows(this.testGates);
  }

  /** The recorded gate snapshots, [step, task-1 row…, task-2 row…], oldest first. */
  gateHistory() {
    return this.history;
  }

  /** [step, L1 distance between the two tasks' mean gates] for every gate snapshot. */
  gateDistances() {
    return this.history.map((r) => [r[0], r.length > 1 ? l1(Float32Array.from(r.slice(1))) : NaN]);
  }

  /**
   * Whether training went wrong while the loss stayed finite: 'blown' when the recent
   * loss of a task is BLOWN_RATIO times its best so far; 'stalled' when after
   * `stallAfter()` steps a task's loss is still at least STALL_RATIO of `constant` (that
   * task's loss when predicting a constant: the model learned nothing of it); else null.
   * (A loss that stops being finite is the trainer's `diverged`.)
   */
  health(constant) {
    if (this.diverged || this.steps < RECENT) return null;
    if (this.recentLoss().some((v, t) => v > BLOWN_RATIO * this.bestRecent[t])) return 'blown';
    return this.stalledTasks(constant).length ? 'stalled' : null;
  }

  /** The tasks (1, 2) whose loss after `stallAfter()` steps is still near `constant`'s. */
  stalledTasks(constant) {
    if (this.steps < stallAfter()) return [];
    return this.recentLoss().flatMap((v, t) => (v >= STALL_RATIO * constant[t] ? [t + 1] : []));
  }
}
