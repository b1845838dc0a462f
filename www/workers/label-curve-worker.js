// The label-curve worker: computes the label Pearson correlation against p (`labelCurveAt`,
// a few hundred milliseconds for a whole curve) off the page's thread, one request at a
// time, and says how long it took.

import init, { labelCurveAt } from '../pkg/mmoe.js';
import { ToLabels as In, FromLabels as Out, message } from '../state/messages.js';

let loaded = null;

self.onmessage = async ({ data }) => {
  if (data.type === In.MODULE) {
    loaded = init({ module_or_path: data.module });
    return;
  }
  if (data.type !== In.CURVE) return;
  try {
    await loaded;
    const started = performance.now();
    const points = labelCurveAt(data.settings, data.seeds, data.samples, Float64Array.from(data.ps));
    self.postMessage(message(Out.CURVE, { id: data.id, points, ms: performance.now() - started }));
  } catch (err) {
    self.postMessage(message(Out.ERROR, { id: data.id, message: String(err?.message ?? err) }));
  }
};
