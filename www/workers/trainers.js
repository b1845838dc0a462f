// The trainers: all of the page's training (the live models and the live Figure 4's
// cells, one list: plan.js) split by cost over as many module Web Workers as the machine
// has cores, behind the interface of a single worker (postMessage, onmessage, onerror,
// terminate). The page talks to `Trainers` exactly as it would to one worker.js holding
// every model; this module fans each request out and merges the answers: one READY when
// every worker is built, one STATE for the whole set, one reply per CORRELATION, LR and
// INSPECT request (the messages are listed in messages.js).
//
// Every worker gets the same settings and seed, so each builds the same data and the
// same batches; a model trained in any worker equals the same model trained alone, bit
// for bit (tested), and so does every Figure 4 cell. The workers share one compiled
// WebAssembly.Module. The page's own thread is kept cheap instead of being left a core
// (it draws at a fixed rate and does no heavy work in a message handler), so on two
// cores both train.
//
// Lockstep: a worker may run at most WINDOW steps ahead of the slowest running worker
// (a LIMIT message), so a paused page shows every model at about the same step
// and a fast worker's spare time goes to the slow ones rather than to running ahead.

import { ToTrainer as In, FromTrainer as Out, message } from '../state/messages.js';
import { costOf, figure4Cells, placeCells, planTraining } from '../state/plan.js';

const WINDOW = 100;
const MAX_WORKERS = 8;

export class Trainers {
  /**
   * `module`: (a promise of) the compiled trainer, shared by every worker; `cores`:
   * workers at most. The workers start at once, so they load while the page sets up.
   */
  constructor(module, cores = navigator.hardwareConcurrency || 1) {
    this.module = Promise.resolve(module);
    this.cores = Math.max(1, Math.min(cores, MAX_WORKERS));
    this.onmessage = null;
    this.onerror = null;
    this.onmessageerror = null;
    this.slots = []; // per worker: {worker, models (global indices), load, steps, running, ...}
    this.costs = {}; // FLOPs per step by model name
    this.spec = null; // the last INIT's {settings, models, comparison}
    this.generation = 0;
    this.speed = 0;
    this.dead = false;
    this.pending = new Map(); // request type → queue of requests, each [reply per worker]
    this.held = []; // data posted by a worker before every model was ready
    this.ready = false;
    this.initFailed = false;
    while (this.slots.length < this.cores) this.slots.push({ worker: this.spawn(this.slots.length) });
  }

  postMessage(m) {
    if (this.dead) return;
    switch (m.type) {
      case In.INIT:
        return this.init(m.settings, m.models, m.comparison, m.costs, m.census, m.csv);
      case In.SPEED:
        this.speed = m.value;
        return this.broadcast(m);
      case In.CRASH:
        return this.slots[0]?.worker.postMessage(m);
      case In.COMPARE:
        return this.compare(m.on, m.id, m.seeds);
      case In.CORRELATION:
      case In.LR:
      case In.INSPECT:
        if (!this.slots.length) return;
        if (!this.pending.has(m.type)) this.pending.set(m.type, []);
        this.pending.get(m.type).push(Array(this.slots.length).fill(null));
        return this.broadcast(m);
      default:
        return this.broadcast(m);
    }
  }

  terminate() {
    this.dead = true;
    for (const slot of this.slots) slot.worker.terminate();
    this.slots = [];
  }

  broadcast(m) {
    for (const slot of this.slots) slot.worker.postMessage(m);
  }

  emit(m) {
    this.onmessage?.({ data: m });
  }

  /**
   * Plans the models and the live Figure 4 (`comparison`: {on, correlations, seeds}) over
   * the workers by `costs` (FLOPs per step by model name); reuses the workers it has,
   * starts or stops the difference.
   */
  init(settings, models, comparison = null, costs = {}, census = null, csv = null) {
    this.generation += 1;
    this.pending.clear();
    this.held = [];
    this.ready = false;
    this.initFailed = false;
    this.costs = costs ?? {};
    this.spec = { settings, models, comparison };
    const cells = comparison?.on ? this.cells() : [];
    const plan = planTraining({ models, costs: this.costs, cells, correlation: settings.correlation, seed: settings.seed, workers: this.cores });
    while (this.slots.length > plan.length) this.slots.pop().worker.terminate();
    while (this.slots.length < plan.length) this.slots.push({ worker: this.spawn(this.slots.length) });
    this.slots.forEach((slot, w) => {
      const share = plan[w];
      Object.assign(slot, { models: share.models, load: share.load, cells: share.cells.length + share.aliases.length, aliases: share.aliases.length, busy: 0, steps: 0, running: false, diverged: false, limit: Infinity, info: null });
      const compare = comparison ? { on: comparison.on, cells: share.cells, aliases: share.aliases } : null;
      // A worker keeps the census data it was given: each gets its copy once.
      const data = census && slot.census !== census ? census : null;
      if (data) slot.census = census;
      const table = csv && slot.csv !== csv ? { bytes: csv.bytes, labels: csv.labels, kinds: csv.kinds } : null;
      if (table) slot.csv = csv;
      slot.worker.postMessage(message(In.INIT, { generation: this.generation, settings, models: share.models.map((i) => models[i]), comparison: compare, census: data, csv: table }));
    });
  }

  /** Every cell of the live Figure 4 asked for at the last INIT (ids are indices). */
  cells() {
    const { settings, models, comparison } = this.spec ?? {};
    if (!comparison) return [];
    return figure4Cells(models, comparison.correlations, settings.seed, comparison.seeds);
  }

  /**
   * Drops the live Figure 4 or starts it again from step 0 (as `id`, with `seeds` seeds if
   * given): the live models
   * are past step 0 then, so no cell is one of them; the cells go where the load is least.
   */
  compare(on, id, seeds) {
    if (seeds && this.spec?.comparison) this.spec.comparison.seeds = seeds;
    const cells = on ? this.cells() : [];
    const cost = (name) => costOf(this.costs, name);
    const loads = this.slots.map((s) => s.models.reduce((sum, i) => sum + cost(this.spec.models[i]), 0));
    const where = placeCells(cells, cost, loads);
    this.slots.forEach((slot, w) => {
      const mine = cells.filter((_, i) => where[i] === w);
      slot.load = loads[w];
      slot.cells = mine.length;
      slot.aliases = 0;
      slot.worker.postMessage(message(In.COMPARE, { on, id, cells: mine }));
    });
  }

  /**
   * Each worker's share: its live models' names, its Figure 4 cells (`aliases` of them its
   * live models, not trained twice), its planned load (FLOPs per step), its steps and its
   * busy ms.
   */
  shares() {
    return this.slots.map((s) => ({ models: s.models.map((i) => this.spec.models[i]), cells: s.cells, aliases: s.aliases, load: s.load, steps: s.steps, busy: s.busy }));
  }

  spawn(index) {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: `mmoe-trainer-${index + 1}` });
    worker.postMessage(message(In.SPEED, { value: this.speed }));
    this.module.then(
      (module) => worker.postMessage(message(In.MODULE, { module })),
      (error) => this.receive(worker, message(Out.FATAL, { message: `cannot load the trainer: ${error?.message ?? error}` })),
    );
    worker.onmessage = (event) => this.receive(worker, event.data);
    worker.onerror = (event) => {
      if (this.dead) return;
      event.preventDefault();
      this.dead = true;
      this.onerror?.(event);
    };
    worker.onmessageerror = (event) => this.onmessageerror?.(event);
    return worker;
  }

  /** Merges one worker's message into the page's single stream. */
  receive(worker, m) {
    const i = this.slots.findIndex((s) => s.worker === worker);
    if (this.dead || i < 0) return;
    const slot = this.slots[i];
    if ('generation' in m && m.generation !== this.generation) return; // from models since replaced
    switch (m.type) {
      case Out.READY:
        slot.info = m;
        if (this.slots.every((s) => s.info)) {
          this.ready = true;
          this.emit(
            message(Out.READY, {
              generation: this.generation,
              models: this.global((s) => s.info.models),
              comparison: this.cells(), // listed even when off: ticking it on trains these
              pearson: m.pearson,
              constant: m.constant,
              columns: m.columns,
              width: m.width,
              rows: m.rows,
            }),
          );
          for (const held of this.held.splice(0)) this.emit(held);
        }
        return;
      case Out.DATA: {
        slot.steps = m.step;
        slot.busy = m.busy;
        const merged = { ...m, step: this.maxSteps(), models: m.models.map((d) => ({ ...d, index: slot.models[d.index] })) };
        if (this.ready) this.emit(merged);
        else this.held.push(merged);
        this.keepInStep();
        return;
      }
      case Out.STATE: {
        const before = this.running();
        slot.running = m.running;
        if (m.allDiverged) slot.diverged = true;
        const now = this.running();
        if (now !== before) {
          this.emit(message(Out.STATE, { running: now, allDiverged: !now && this.slots.every((s) => s.diverged) }));
        }
        this.keepInStep();
        return;
      }
      case Out.DIVERGED:
      case Out.DIAGNOSIS:
      case Out.FATAL:
        if (m.type === Out.FATAL) this.dead = true;
        this.emit(m);
        return;
      case Out.ERROR:
        if (m.request === In.INIT) {
          if (!this.initFailed) this.emit(m);
          this.initFailed = true;
          return;
        }
        return this.reply(m.request, i, m);
      case Out.CORRELATION:
      case Out.LR:
      case Out.INSPECT:
        return this.reply(m.type, i, m);
    }
  }

  /**
   * Collects worker `i`'s reply to the oldest request of `type` it has not answered
   * (each worker answers in order), and emits one answer per request once every worker
   * has replied to it, oldest first, so quick slider moves each get their own answer.
   */
  reply(type, i, m) {
    const queue = this.pending.get(type) ?? [];
    const request = queue.find((replies) => replies[i] === null);
    if (!request) return;
    request[i] = m;
    while (queue.length && queue[0].every((r) => r !== null)) this.answer(type, queue.shift());
  }

  answer(type, replies) {
    const failed = replies.find((r) => r.type === Out.ERROR);
    if (failed) return this.emit(failed);
    const [first] = replies;
    if (type !== Out.INSPECT) return this.emit({ ...first, step: this.maxSteps() });
    this.emit(
      message(Out.INSPECT, {
        generation: this.generation,
        step: this.maxSteps(),
        gates: this.global((_, w) => replies[w].gates),
        projections: first.projections,
        readout: this.global((_, w) => replies[w].readout),
        outputs: this.global((_, w) => replies[w].outputs),
        groups: first.groups,
        column: first.column,
      }),
    );
  }

  /** Per-model values of every worker (`read(slot, w)`, in the slot's model order) in the page's model order. */
  global(read) {
    const out = [];
    this.slots.forEach((slot, w) => read(slot, w).forEach((v, k) => (out[slot.models[k]] = v)));
    return out;
  }

  /** How many workers the models are split over. */
  get workerCount() {
    return this.slots.length;
  }

  running() {
    return this.slots.some((s) => s.running);
  }

  maxSteps() {
    return this.slots.reduce((most, s) => Math.max(most, s.steps), 0);
  }

  /** Lets every worker run to WINDOW steps past the slowest worker still training. */
  keepInStep() {
    const active = this.slots.filter((s) => s.running && !s.diverged);
    if (active.length < 2) {
      for (const slot of this.slots) this.setLimit(slot, Infinity);
      return;
    }
    const limit = Math.min(...active.map((s) => s.steps)) + WINDOW;
    for (const slot of active) {
      if (limit >= slot.limit + WINDOW / 4 || limit < slot.limit - WINDOW) this.setLimit(slot, limit);
    }
  }

  setLimit(slot, limit) {
    if (slot.limit === limit) return;
    slot.limit = limit;
    slot.worker.postMessage(message(In.LIMIT, { step: limit }));
  }
}
