// Export of the current run (JSON, CSV, each chart as PNG) and import of settings from
// a downloaded file. Imported values go through the wasm `parsePairs`, the same
// validation as URL parameters, and come back with the same kind of notices.

export const FORMAT = 'mmoe-playground-run';
const MAX_SHOWN = 40;
const shorten = (s) => (s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}…` : s);
const num = (v) => (Number.isFinite(v) ? v : null);

function trainRows(run) {
  const rows = [];
  for (let s = 1; s <= run.steps; s++) rows.push([s, num(run.train[2 * s - 2]), num(run.train[2 * s - 1])]);
  return rows;
}

/** The run as a JSON text: settings, models, per-step losses, evaluations, gate history. */
export function runJson({ settings, models, step, pearson, preset, runs }) {
  const out = {
    format: FORMAT,
    version: 1,
    step,
    label_pearson: num(pearson),
    preset: preset ?? null,
    models,
    settings,
    runs: Object.fromEntries(
      runs.map((run) => {
        const experts = run.testGates.length / 2;
        return [
          run.name,
          {
            parameters: run.parameters,
            experts: run.experts,
            steps: run.steps,
            diverged: run.diverged,
            train_loss: trainRows(run),
            test_loss: run.test.map((r) => r.map(num)),
            test_gates: experts ? [Array.from(run.testGates.subarray(0, experts)), Array.from(run.testGates.subarray(experts))] : [],
            // Mean gate weights of the training batch, every few steps: [step, task-1 row…, task-2 row…].
            gate_history: run.gateHistory.map((r) => r.map(num)),
          },
        ];
      }),
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
  const width = Math.max(0, ...runs.map((r) => (r.gateHistory[0]?.length ?? 1) - 1)) / 2;
  const gateCols = [];
  for (const task of [1, 2]) for (let e = 1; e <= width; e++) gateCols.push(`gate_t${task}_e${e}`);
  lines.push(['model', 'step', 'train_loss_1', 'train_loss_2', 'test_loss_1', 'test_loss_2', ...gateCols].join(','));
  for (const run of runs) {
    const tests = new Map(run.test.map((r) => [r[0], r]));
    const gates = new Map(run.gateHistory.map((r) => [r[0], r]));
    const experts = (run.gateHistory[0]?.length ?? 1) - 1;
    for (let s = 0; s <= run.steps; s++) {
      const test = tests.get(s);
      const g = gates.get(s);
      if (s === 0 && !test) continue;
      const cells = [
        run.name,
        s,
        s > 0 ? csvCell(run.train[2 * s - 2]) : '',
        s > 0 ? csvCell(run.train[2 * s - 1]) : '',
        csvCell(test?.[1]),
        csvCell(test?.[2]),
      ];
      for (let c = 0; c < gateCols.length; c++) {
        const task = c < width ? 0 : 1;
        const e = c % width;
        cells.push(g && e < experts / 2 ? csvCell(g[1 + task * (experts / 2) + e]) : '');
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
    throw new Error('not a JSON file');
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error('not a JSON object');
  const source = data.settings && typeof data.settings === 'object' && !Array.isArray(data.settings) ? data.settings : data;
  const notices = [];
  const pairs = [];
  for (const [key, value] of Object.entries(source)) {
    if (source === data && ['format', 'version', 'models', 'runs', 'step', 'label_pearson', 'preset'].includes(key)) continue;
    if (value === null || typeof value === 'object') {
      notices.push(`${shorten(key)}: not a number or a word; ignored it`);
      continue;
    }
    pairs.push([key, String(value)]);
  }
  if (Array.isArray(data.models)) pairs.push(['models', data.models.map(String).join(',')]);
  else if (typeof data.models === 'string') pairs.push(['models', data.models]);
  const parsed = wasm.parsePairs(pairs);
  notices.push(...parsed.notices);
  for (const [key] of parsed.unknown) notices.push(`${shorten(key)}: not a known setting; ignored it`);
  return { settings: parsed.settings, models: parsed.models ?? null, notices };
}
