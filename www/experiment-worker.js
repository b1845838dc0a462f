// The experiment panel's worker: runs a sweep (models × correlations × seeds) one training
// run at a time with the same Rust code as `mmoe sweep`, posting the results so far after
// each run. Cancelling terminates this worker.

import init, { Experiment } from './pkg/mmoe.js';
import { FromExperiment as Out, message } from './messages.js';

self.onmessage = async ({ data }) => {
  try {
    await init({ module_or_path: data.module }); // the page's compiled module
    const experiment = new Experiment(data.config);
    const total = experiment.total();
    self.postMessage(message(Out.STARTED, { total }));
    while (experiment.runNext()) {
      self.postMessage(
        message(Out.PROGRESS, { done: experiment.done(), total, json: experiment.resultsJson(), csv: experiment.resultsCsv() }),
      );
    }
    self.postMessage(message(Out.FINISHED, { total }));
  } catch (err) {
    self.postMessage(message(Out.ERROR, { message: String(err?.message ?? err) }));
  }
};
