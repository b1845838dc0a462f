// The trainers: the models split over as many module Web Workers as the machine has
// cores (at most one per model; on two cores or fewer, one core is left to the page's own
// thread, which otherwise waits for CPU and drops frames), so that they train in
// parallel, behind the interface
// of a single worker (postMessage, onmessage, onerror, terminate). The page talks to
// `Trainers` exactly as it would to one worker.js holding every model; this module fans
// each request out and merges the answers: one READY when every model is built, one
// STATE for the whole set, one reply per CORRELATION, LR and INSPECT request (the
// messages are listed in messages.js). The live Figure 4 (`comparison`) is built in the
// last worker, which holds the fewest models.
//
// Every worker gets the same settings and seed, so each builds the same data and the
// same batches; a model trained in any worker equals the same model trained alone, bit
// for bit (tested). The workers share one compiled WebAssembly.Module.
//
// Lockstep: a worker may run at most WINDOW steps ahead of the slowest running model
// (a LIMIT message), so a paused page shows every model at about the same step
// and a fast model's spare time goes to the slow ones rather than to running ahead.

import { ToTrainer as In, FromTrainer as Out, message } from './messages.js';

const WINDOW = 100;
const MAX_WORKERS = 4; // the page shows at most four models

export class Trainers {
  /**
   * `module`: (a promise of) the compiled trainer, shared by every worker; `cores`:
   * workers at most. The workers start at once, so they load while the page sets up.
   */
  constructor(module, cores = navigator.hardwareConcurrency || 1) {
    this.module = Promise.resolve(module);
    this.cores = Math.max(1, Math.min(cores <= 2 ? cores - 1 : cores, MAX_WORKERS));
    this.onmessage = null;
    this.onerror = null;
    this.onmessageerror = null;
    this.slots = []; // per worker: {worker, first, size (its models), steps, running, ...}
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
        return this.init(m.settings, m.models, m.comparison);
      case In.SPEED:
        this.speed = m.value;
        return this.broadcast(m);
      case In.CRASH:
        return this.slots[0]?.worker.postMessage(m);
      case In.COMPARE:
        return this.slots[this.slots.length - 1]?.worker.postMessage(m);
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
   * Splits `models` into contiguous groups, one per worker (sizes differing by at most
   * one); reuses the workers it has, starts or stops the difference.
   */
  init(settings, models, comparison = null) {
    this.generation += 1;
    this.pending.clear();
    this.held = [];
    this.ready = false;
    this.initFailed = false;
    const count = Math.max(1, Math.min(models.length, this.cores));
    while (this.slots.length > count) this.slots.pop().worker.terminate();
    while (this.slots.length < count) this.slots.push({ worker: this.spawn(this.slots.length) });
    let first = 0;
    this.slots.forEach((slot, w) => {
      const size = Math.floor(models.length / count) + (w < models.length % count ? 1 : 0);
      Object.assign(slot, { first, size, steps: 0, running: false, diverged: false, limit: Infinity, info: null });
      const group = models.slice(first, first + size);
      const compare = w === count - 1 ? comparison : null;
      slot.worker.postMessage(message(In.INIT, { generation: this.generation, settings, models: group, comparison: compare }));
      first += size;
    });
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
              models: this.slots.flatMap((s) => s.info.models),
              comparison: this.slots.flatMap((s) => s.info.comparison ?? []),
              pearson: m.pearson,
              constant: m.constant,
            }),
          );
          for (const held of this.held.splice(0)) this.emit(held);
        }
        return;
      case Out.DATA: {
        slot.steps = m.step;
        const merged = { ...m, step: this.maxSteps(), models: m.models.map((d) => ({ ...d, index: slot.first + d.index })) };
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
        gates: replies.flatMap((r) => r.gates),
        projections: first.projections,
        readout: replies.flatMap((r) => r.readout),
      }),
    );
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
