// The experiment panel's worker: runs a sweep (models × correlations × seeds) one training
// run at a time with the same Rust code as `mmoe sweep`, posting the results so far after
// each run. Cancelling terminates this worker.

import init, { Experiment } from './pkg/mmoe.js';

self.onmessage = async ({ data }) => {
  try {
    await init({ module_or_path: data.module }); // the page's compiled module
    const experiment = new Experiment(data.config);
    const total = experiment.total();
    self.postMessage({ type: 'started', total });
    while (experiment.runNext()) {
      self.postMessage({
        type: 'progress',
        done: experiment.done(),
        total,
        json: experiment.resultsJson(),
        csv: experiment.resultsCsv(),
      });
    }
    self.postMessage({ type: 'finished', total });
  } catch (err) {
    self.postMessage({ type: 'error', message: String(err?.message ?? err) });
  }
};
