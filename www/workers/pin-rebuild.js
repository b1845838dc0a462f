// Retrains a link's pinned runs in the background, one model at a time, each to the step
// it was pinned at. A separate Trainers with one worker does it (not the Experiment's
// workers, which train whole seeds of the paper's grid, nor the live trainers, whose
// models are the page's): a model trained alone from the same settings and seed is the
// same model bit for bit (trainers.js), so the rebuilt curves and final losses equal the
// original pin's. One worker, at full speed, leaves the live training the other core.

import { ToTrainer as In, FromTrainer as Out, message } from '../state/messages.js';
import { Trainers } from './trainers.js';
import { RunHistory } from '../state/store.js';

/**
 * Retrains `pin` ({settings, models, steps: {model: step}}) with the compiled trainer
 * `module`; `progress(done, total)` hears its steps. Resolves to `{runs: [RunHistory],
 * chunks: {model: [Float64Array]}}` (every training-loss message, for the chart's ghost),
 * or rejects with the trainer's message.
 */
export async function rebuildPin(module, pin, progress = () => {}) {
  const total = pin.models.reduce((sum, m) => sum + pin.steps[m], 0);
  let before = 0;
  const runs = [];
  const chunks = {};
  const trainers = new Trainers(module, 1);
  try {
    for (const model of pin.models) {
      const target = pin.steps[model];
      const run = await trainOne(trainers, pin.settings, model, target, (chunk) => (chunks[model] ??= []).push(chunk), (s) => progress(before + s, total));
      runs.push(run);
      before += target;
    }
  } finally {
    trainers.terminate();
  }
  return { runs, chunks };
}

/** Trains `model` alone to step `target` on `trainers`; resolves to its RunHistory. */
function trainOne(trainers, settings, model, target, onChunk, onStep) {
  return new Promise((resolve, reject) => {
    let run = null;
    let started = false;
    trainers.onerror = (event) => {
      event.preventDefault?.();
      reject(new Error(event.message || 'the trainer stopped'));
    };
    trainers.onmessage = ({ data: m }) => {
      switch (m.type) {
        case Out.READY:
          run = new RunHistory(m.models[0]);
          trainers.postMessage(message(In.RUN_TO, { step: target }));
          return;
        case Out.DATA:
          for (const d of m.models) {
            run.record(d.train, d.test, m.testStride);
            if (d.train.length) onChunk(Float64Array.from(d.train));
          }
          onStep(run.steps);
          return;
        case Out.STATE:
          if (m.running) started = true;
          else if (started || run?.steps >= target) resolve(run);
          return;
        case Out.DIVERGED:
          run.diverged = { text: m.message, step: m.step };
          return;
        case Out.ERROR:
        case Out.FATAL:
          reject(new Error(m.message));
      }
    };
    trainers.postMessage(message(In.INIT, { settings, models: [model], comparison: null, costs: {}, census: null }));
  });
}
