// Export of the current run (JSON, CSV, each chart as PNG) and import of settings from
// a downloaded file. Imported values go through the wasm `parsePairs`, the same
// validation as URL parameters, and come back with the same kind of notices. A run is
// read through its RunHistory (store.js).

import { t } from '../language/i18n.js';

export const FORMAT = 'mmoe-playground-run';
const num = (v) => (Number.isFinite(v) ? v : null);

/** The run as a JSON text: settings, models, per-step losses, evaluations, gate history. */
export function runJson({ settings, models, step, pearson, preset, runs, pinned = [] }) {
  const out = {
    format: FORMAT,
    version: 1,
    step,
    label_pearson: num(pearson),
    preset: preset ?? null,
    models,
    settings,
    // Pinned runs to compare with: label, step, settings, models, final training (mean of the
    // last 50 steps) and test losses per model.
    pinned: pinned.map((p) => ({ label: p.label, step: p.step, settings: p.settings, models: p.models, final: p.final })),
    runs: Object.fromEntries(
      runs.map((run) => [
        run.name,
        {
          parameters: run.parameters,
          experts: run.experts,
          steps: run.steps,
          diverged: run.diverged,
          train_loss: run.trainRows().map((r) => r.map(num)),
          test_loss: run.testRows().map((r) => r.map(num)),
          test_gates: run.testGateRows(),
          // Mean gate weights of the training batch, every few steps: [step, task-1 row…, task-2 row…].
          gate_history: run.gateHistory().map((r) => r.map(num)),
        },
      ]),
    ),
  };
  return JSON.stringify(out);
}

const csvCell = (v) => (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? '' : String(v));

/**
 * The run as CSV: `#` lines with the settings, then one row per model and step with the
 * training losses, the test losses at evaluated steps, and the recorded gate weights.
 */
export function runCsv({ settings, models, runs }) {
  const lines = [`# ${FORMAT} v1`, `# models=${models.join(',')}`];
  for (const [k, v] of Object.entries(settings)) lines.push(`# ${k}=${v}`);
  const width = Math.max(0, ...runs.map((r) => r.gates.length)) / 2;
  const gateCols = [];
  for (const task of [1, 2]) for (let e = 1; e <= width; e++) gateCols.push(`gate_t${task}_e${e}`);
  lines.push(['model', 'step', 'train_loss_1', 'train_loss_2', 'test_loss_1', 'test_loss_2', ...gateCols].join(','));
  for (const run of runs) {
    const tests = new Map(run.testRows().map((r) => [r[0], r]));
    const gates = new Map(run.gateHistory().map((r) => [r[0], r]));
    const experts = run.gates.length / 2;
    for (let s = 0; s <= run.steps; s++) {
      const test = tests.get(s);
      const g = gates.get(s);
      const train = run.trainAt(s);
      if (!train && !test && !g) continue; // step 0 without an evaluation, or a step thinned out
      const cells = [run.name, s, csvCell(train?.[0]), csvCell(train?.[1]), csvCell(test?.[1]), csvCell(test?.[2])];
      for (let c = 0; c < gateCols.length; c++) {
        const task = c < width ? 0 : 1;
        const e = c % width;
        cells.push(g && e < experts ? csvCell(g[1 + task * experts + e]) : '');
      }
      lines.push(cells.join(','));
    }
  }
  return lines.join('\n') + '\n';
}

/** Saves `text` (or a Blob) as a file download. */
export function download(name, content, type = 'application/octet-stream') {
  const blob = content instanceof Blob ? content : new Blob([content], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Saves a canvas as a PNG file. */
export function downloadCanvas(canvas, name) {
  if (!(canvas instanceof HTMLCanvasElement)) return;
  canvas.toBlob((blob) => blob && download(name, blob), 'image/png');
}

/**
 * Reads settings from a file's text: an exported run (`{format, settings, models}`) or a
 * plain settings object. Returns `{settings, models, notices}`; throws when the text is
 * not a JSON object.
 */
export function readSettingsFile(wasm, text) {
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(t('file.notjson'));
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error(t('file.notobject'));
  const source = data.settings && typeof data.settings === 'object' && !Array.isArray(data.settings) ? data.settings : data;
  const pairs = [];
  for (const [key, value] of Object.entries(source)) {
    if (source === data && ['format', 'version', 'models', 'runs', 'step', 'label_pearson', 'preset'].includes(key)) continue;
    // A list or an object is quoted as JSON, and parsePairs says it is not a value.
    pairs.push([key, value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value)]);
  }
  if (Array.isArray(data.models)) pairs.push(['models', data.models.map(String).join(',')]);
  else if (typeof data.models === 'string') pairs.push(['models', data.models]);
  const parsed = wasm.parsePairs(pairs);
  const notices = [...parsed.notices, ...parsed.unknown.map((u) => ({ kind: 'unknown_setting', key: u.shown_key }))];
  return { settings: parsed.settings, models: parsed.models ?? null, notices };
}
