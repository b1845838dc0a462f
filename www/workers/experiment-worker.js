// The experiment worker: trains whole seeds of the sweep, each as one replica-engine
// computation (`ExperimentSeed`: every model at every correlation of the seed together),
// and hands each seed's cells back to the page, which gathers them.

import init, { ExperimentSeed } from '../pkg/mmoe.js';
import { ToExperiment as In, FromExperiment as Out, message } from '../state/messages.js';

/** Steps between two progress messages. */
const STEPS = 50;
let config = null;

function runSeed(seed) {
  const run = new ExperimentSeed(config, seed);
  try {
    while (!run.advance(STEPS)) self.postMessage(message(Out.PROGRESS, { seed, step: run.step() }));
    self.postMessage(message(Out.SEED_DONE, { seed, cells: run.finish() }));
  } finally {
    run.free();
  }
}

self.onmessage = async ({ data }) => {
  try {
    if (data.type === In.INIT) {
      await init({ module_or_path: data.module }); // the page's compiled module
      config = data.config;
      self.postMessage(message(Out.READY));
    } else if (data.type === In.SEED) {
      runSeed(data.seed);
    }
  } catch (err) {
    self.postMessage(message(Out.ERROR, { message: String(err?.message ?? err) }));
  }
};
