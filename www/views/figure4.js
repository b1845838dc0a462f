// The live Figure 4: the chosen models trained from step 0 at p = 1 and at p = 0.5 (the
// ends of the paper's Figure 4) for k seeds each, every cell with its own seed's inputs
// and initial weights, by the trainer workers (plan.js) while the page plays. As the
// paper drew it, each panel plots per model the mean training loss over the k seeds
// (the band: the seeds' spread); one click shows seed 1 of them alone. Each panel is the
// loss chart's Rust drawing (LossChart); both share one loss axis, and a line below says
// how far each model is from MMoE in each panel, from the means.

import { fitBackingStore, taskLabel } from './charts.js';
import { t } from '../language/i18n.js';
import { modelColour, modelLabel } from '../state/catalogue.js';
import { RunHistory } from '../state/store.js';
import { figure4Cells, figure4Seeds, FIGURE4_MAX_SEEDS } from '../state/plan.js';
import { Readout, loss } from './readout.js';

/** The two correlations compared: the ends of the paper's Figure 4. */
export const FIGURE4_P = [1, 0.5];
const DRAW_MS = 250;
const RECENT = 200; // steps in the summary's recent training loss
const BIG_SCREEN = window.matchMedia('(min-width: 701px)');

/** Mean of both tasks' training loss over the RECENT steps up to step `upTo` of a run. */
function recentOf(run, upTo) {
  const [a, b] = run.recentLoss(RECENT, upTo);
  return (a + b) / 2;
}

/**
 * A group (one model at one correlation, k seeds) at step `upTo` (the step every seed has
 * reached, if sooner): that step (`steps`), the mean over the seeds of their recent
 * training loss (`loss`, what the summary line reads), each seed's (`seeds`), and the
 * mean over the seeds of their first five steps' (`start`).
 */
export function recentGroup(g, upTo = Infinity) {
  const steps = Math.min(upTo, ...g.cells.map((c) => c.run.steps));
  const seeds = g.cells.map((c) => recentOf(c.run, steps));
  const mean = (values) => values.reduce((sum, v) => sum + v, 0) / values.length;
  const start = mean(g.cells.map((c) => mean([1, 2, 3, 4, 5].map((s) => c.run.trainAt(s)).filter(Boolean).map(([a, b]) => (a + b) / 2))));
  return { model: g.model, correlation: g.correlation, steps, loss: mean(seeds), start, seeds, k: g.cells.length };
}

/** A loss or a ratio for the summary ('–' for a cell that diverged). */
const fmt = (v, digits) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

export class Figure4 {
  /**
   * `canvases`, `titles`: one per correlation of FIGURE4_P; `summary`: the line below;
   * `toggle`: train it or not; `single`: the button between the mean and seed 1 alone.
   */
  constructor(wasm, { canvases, titles, summary, toggle, single, seedsSelect, onToggle }) {
    Object.assign(this, { canvases, titles, summary, toggle, single, seedsSelect });
    this.id = 0; // which start of the comparison is shown (its data carry the same id)
    this.models = [];
    this.k = figure4Seeds(); // seeds averaged: by the machine's cores, or `fig4_seeds`
    toggle.addEventListener('change', () => {
      this.id += 1;
      this.restart();
      onToggle(toggle.checked, this.id, this.k);
    });
    // Another number of seeds starts the view over from step 0 with that many.
    seedsSelect.addEventListener('change', () => {
      this.setSeeds(Number(seedsSelect.value));
      this.reset(figure4Cells(this.models, FIGURE4_P, this.settings.seed, this.k), this.settings, this.id + 1);
      onToggle(toggle.checked, this.id, this.k);
    });
    this.view = 'mean'; // or 'single': the first seed's cells alone
    single.addEventListener('click', () => this.setView(this.view === 'mean' ? 'single' : 'mean'));
    this.charts = { mean: canvases.map(() => new wasm.LossChart()), single: canvases.map(() => new wasm.LossChart()) };
    this.groups = []; // [{model, correlation, panel, index (in its panel), cells, next (step to average)}]
    this.byId = new Map(); // cell id → {model, correlation, seed, k (seed index), group, run}
    this.settings = null;
    this.lecture = false;
    this.step = 0;
    this.drawnAt = -Infinity;
    this.timer = null;
    this.draws = 0;
    const observer = new ResizeObserver(() => {
      canvases.forEach((c, i) => this.all(i).forEach((chart) => chart.setPixelRatio(fitBackingStore(c))));
      this.draw();
    });
    canvases.forEach((c) => observer.observe(c));
    canvases.forEach(
      (canvas, panel) => new Readout({ canvas, chart: () => this.charts[this.view][panel], rows: (s) => this.rowsAt(panel, s), last: () => this.step }),
    );
    // Off screen, the panels are not drawn (the summary line still follows).
    this.visible = false;
    new IntersectionObserver((entries) => {
      this.visible = entries.some((e) => e.isIntersecting);
      if (this.visible) this.request();
    }).observe(canvases[0].closest('.figure4-grid'));
    BIG_SCREEN.addEventListener('change', () => this.setLecture(this.lecture));
  }

  /** Both views' charts of panel `i`. */
  all(i) {
    return [this.charts.mean[i], this.charts.single[i]];
  }

  /** Whether the comparison is wanted (the trainers build it only then). */
  on() {
    return this.toggle.checked;
  }

  /** Averages `k` seeds from the next start on (1 … FIGURE4_MAX_SEEDS). */
  setSeeds(k) {
    this.k = Math.max(1, Math.min(FIGURE4_MAX_SEEDS, Math.round(k) || 1));
    this.seedsSelect.value = String(this.k);
  }

  /**
   * New comparison cells (`[{id, model, correlation, seed}]`, as the plan made them) of
   * start `id`; returns the groups (one per model and correlation, each with its k cells' runs).
   */
  reset(cells, settings, id = 0) {
    this.settings = settings;
    this.id = id;
    this.models = [...new Set(cells.map((c) => c.model))];
    const groups = new Map();
    for (const c of cells) {
      const key = `${c.model}|${c.correlation}`;
      if (!groups.has(key)) groups.set(key, { model: c.model, correlation: c.correlation, panel: FIGURE4_P.indexOf(c.correlation), cells: [] });
      groups.get(key).cells.push({ ...c });
    }
    this.groups = [...groups.values()];
    for (const g of this.groups) g.cells.sort((a, b) => a.seed - b.seed);
    this.restart();
    return this.groups;
  }

  /** Seeds averaged per cell (k). */
  seeds() {
    return this.groups[0]?.cells.length ?? 0;
  }

  /** Empties both panels: the comparison starts from step 0 (or is off). */
  restart() {
    this.step = 0;
    this.byId.clear();
    for (const g of this.groups) {
      g.next = 1;
      g.cells.forEach((c, k) => {
        Object.assign(c, { k, group: g, run: new RunHistory({ name: c.model }) });
        this.byId.set(c.id, c);
      });
    }
    this.canvases.forEach((_, panel) => {
      const mine = this.groups.filter((g) => g.panel === panel);
      mine.forEach((g, index) => (g.index = index));
      this.all(panel).forEach((chart) => chart.reset(mine.map((g) => g.model)));
    });
    this.setLabels();
  }

  /** A 'data' message's comparison part: {id, cells: [{id, train}]} (one worker's cells). */
  push(data) {
    if (data.id !== this.id) return; // from the comparison before the last toggle
    const touched = new Set();
    for (const d of data.cells) {
      const cell = this.byId.get(d.id);
      if (!cell || !d.train.length) continue;
      cell.run.record(d.train, [], 5);
      const { panel, index } = cell.group;
      if (cell.k === 0) this.charts.single[panel]?.pushTrain(index, d.train);
      this.charts.mean[panel]?.pushSeed(index, cell.k, d.train);
      touched.add(cell.group);
    }
    for (const g of touched) this.average(g);
    if (this.groups.length) this.step = Math.min(...this.groups.map((g) => g.next - 1));
    this.request();
  }

  /** Adds group `g`'s mean over its seeds for every step all of them have reached. */
  average(g) {
    const upTo = Math.min(...g.cells.map((c) => c.run.steps));
    if (upTo < g.next) return;
    const out = new Float64Array(3 * (upTo - g.next + 1));
    let o = 0;
    for (let s = g.next; s <= upTo; s++) {
      let a = 0;
      let b = 0;
      for (const c of g.cells) {
        const l = c.run.trainAt(s) ?? [NaN, NaN];
        a += l[0];
        b += l[1];
      }
      out[o++] = s;
      out[o++] = a / g.cells.length;
      out[o++] = b / g.cells.length;
    }
    g.next = upTo + 1;
    this.charts.mean[g.panel]?.pushTrain(g.index, out);
  }

  /** Shows the mean over the seeds, or the first seed alone (`'single'`). */
  setView(view) {
    this.view = view === 'single' ? 'single' : 'mean';
    this.setLabels();
  }

  setLecture(on) {
    this.lecture = on;
    this.canvases.forEach((_, i) => this.all(i).forEach((c) => c.setLecture(on && BIG_SCREEN.matches)));
    this.request();
  }

  setLabels() {
    const k = this.seeds();
    const seed = this.groups[0]?.cells[0]?.seed ?? this.settings?.seed;
    const which = this.view === 'mean' && k > 1 ? t('fig4.mean', { k, first: seed, last: seed + k - 1 }) : t('fig4.one', { seed });
    this.titles.forEach((el, i) => (el.textContent = `${t(FIGURE4_P[i] === 1 ? 'fig4.panel.same' : 'fig4.panel', { p: FIGURE4_P[i] })} · ${which}`));
    this.single.textContent = this.view === 'mean' ? t('fig4.show.one', { seed }) : t('fig4.show.mean', { k });
    this.single.setAttribute('aria-pressed', String(this.view === 'single'));
    this.single.hidden = k < 2; // one seed: the mean is that seed
    for (const chart of [...this.charts.mean, ...this.charts.single]) {
      chart.setLossWord(t('fig4.y'));
      if (this.settings) chart.setTaskLabels(taskLabel(this.settings, 1), taskLabel(this.settings, 2));
    }
    this.canvases.forEach((c, i) => c.setAttribute('aria-label', t('fig4.aria', { p: FIGURE4_P[i] })));
    this.request();
  }

  request() {
    if (this.timer !== null) return;
    const due = Math.max(0, this.drawnAt + DRAW_MS - performance.now());
    this.timer = setTimeout(() => requestAnimationFrame(() => {
      this.timer = null;
      this.draw();
    }), due);
  }

  /** Both panels on one loss axis, and the summary line. */
  draw() {
    this.drawnAt = performance.now();
    const charts = this.charts[this.view];
    const ranges = charts.map((c) => c.lossRange()).filter((r) => r.length);
    const lo = Math.min(...ranges.map((r) => r[0]));
    const hi = Math.max(...ranges.map((r) => r[1]));
    if (this.visible) {
      charts.forEach((chart, i) => {
        chart.setLossRange(lo, hi);
        if (this.canvases[i].width > 1) chart.draw(this.canvases[i]);
      });
      this.draws += 1;
    }
    this.summary.textContent = this.describe();
  }

  /** Each group's mean over its seeds of their recent training loss (both tasks). */
  recent() {
    return this.groups.map((g) => recentGroup(g));
  }

  /** "OMoE / MMoE: ×1.10 at p = 1, ×1.30 at p = 0.5 · …" (from the means) once there is something to compare. */
  describe() {
    if (!this.toggle.checked) return t('fig4.off');
    if (this.step < RECENT) return t('fig4.waiting', { n: RECENT });
    const recent = this.groups.map((g) => recentGroup(g, this.step));
    const at = (model, p) => recent.find((r) => r.model === model && r.correlation === p)?.loss;
    const models = [...new Set(recent.map((r) => r.model))];
    const k = this.seeds();
    if (!models.includes('mmoe') || models.length < 2) {
      const parts = models.map((m) => t('fig4.pair', { model: modelLabel(m), a: fmt(at(m, FIGURE4_P[0]), 3), b: fmt(at(m, FIGURE4_P[1]), 3) }));
      return t('fig4.summary.plain', { step: this.step, n: RECENT, k, list: parts.join(' · ') });
    }
    const ratio = (m, p) => fmt(at(m, p) / at('mmoe', p), 2);
    const parts = models.filter((m) => m !== 'mmoe').map((m) => t('fig4.ratio', { model: modelLabel(m), a: ratio(m, FIGURE4_P[0]), b: ratio(m, FIGURE4_P[1]) }));
    return t('fig4.summary', { step: this.step, n: RECENT, k, list: parts.join(' · ') });
  }

  /**
   * Panel `panel`'s read-out at `step`: each model's training losses there (both tasks),
   * the mean over its seeds (or the first seed alone, as the view shows).
   */
  rowsAt(panel, step) {
    const k = this.view === 'mean' ? this.seeds() : 1;
    const rows = [{ label: t('readout.step', { step: step.toLocaleString('en-US') }), text: t('readout.tasks') }];
    for (const g of this.groups.filter((x) => x.panel === panel)) {
      const values = g.cells.slice(0, k).map((c) => c.run.trainAt(step));
      const text = values.every(Boolean)
        ? t(k > 1 ? 'readout.train.mean' : 'readout.train', { a: loss(values.reduce((s, v) => s + v[0], 0) / k), b: loss(values.reduce((s, v) => s + v[1], 0) / k), k })
        : t('readout.thinned');
      rows.push({ label: modelLabel(g.model), colour: modelColour(g.model), text });
    }
    return rows;
  }

  /** Where step `step` is drawn in panel `panel` (CSS pixels from its left edge), for tests. */
  xOfStep(panel, step) {
    return this.charts[this.view][panel].xOfStep(step);
  }

  /** Training losses [task 1, task 2] of the cell (model, correlation, seed) at step `s`, or null. */
  lossAt(model, correlation, seed, s) {
    const g = this.groups.find((x) => x.model === model && x.correlation === correlation);
    return g?.cells.find((c) => c.seed === seed)?.run.trainAt(s) ?? null;
  }

  /** For the test handle: `cells` per model and correlation, `loss` the summary's (the mean over the seeds). */
  state() {
    return { on: this.toggle.checked, step: this.step, draws: this.draws, seeds: this.seeds(), view: this.view, cells: this.groups.map((g) => recentGroup(g, this.step)) };
  }
}
