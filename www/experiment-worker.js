// One of the experiment panel's workers (one per core): trains the seeds the page hands
// it, one at a time, every cell of a seed together by the replica engine
// (`ExperimentSeed`, the same Rust code as `mmoe sweep`), reporting its step as it goes
// and the seed's results when done. Cancelling terminates the workers.
//
// Messages in:  {type: 'init', module, config}, then {type: 'seed', seed} per seed.
// Messages out: {type: 'ready'}; {type: 'progress', seed, step} every STEPS steps;
//               {type: 'seed-done', seed, cells} (cells: JSON of the seed's results);
//               {type: 'error', message}.

import init, { ExperimentSeed } from './pkg/mmoe.js';

const STEPS = 50;
let config = null;

function runSeed(seed) {
  const run = new ExperimentSeed(config, seed);
  try {
    while (!run.advance(STEPS)) self.postMessage({ type: 'progress', seed, step: run.step() });
    self.postMessage({ type: 'seed-done', seed, cells: run.finish() });
  } finally {
    run.free();
  }
}

self.onmessage = async ({ data }) => {
  try {
    if (data.type === 'init') {
      await init({ module_or_path: data.module }); // the page's compiled module
      config = data.config;
      self.postMessage({ type: 'ready' });
    } else if (data.type === 'seed') {
      runSeed(data.seed);
    }
  } catch (err) {
    self.postMessage({ type: 'error', message: String(err?.message ?? err) });
  }
};
