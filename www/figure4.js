// The live Figure 4: the chosen models trained twice from step 0, at p = 1 and at p = 0.5
// (the ends of the paper's Figure 4), with the same seed, inputs and initial weights, by
// the replica engine in a trainer worker (worker.js) while the page plays. Each panel is
// the loss chart's Rust drawing (LossChart) of the training losses; both share one loss
// axis, and a line below says how far each model is from MMoE in each panel.

import { fitBackingStore, taskLabel } from './charts.js';
import { t } from './i18n.js';
import { modelLabel } from './catalogue.js';
import { RunHistory } from './store.js';

/** The two correlations compared: the ends of the paper's Figure 4. */
export const FIGURE4_P = [1, 0.5];
const DRAW_MS = 250;
const RECENT = 200; // steps in the summary's recent training loss
const BIG_SCREEN = window.matchMedia('(min-width: 701px)');
/**
 * A comparison cell at its step `upTo` (its last step if it has not got there): that step
 * (`steps`), its mean training loss of both tasks over the RECENT steps up to it (`loss`)
 * and over its first five steps (`start`).
 */
export function recentCell(c, upTo = Infinity) {
  const [a, b] = c.run.recentLoss(RECENT, upTo);
  const first = [1, 2, 3, 4, 5].map((s) => c.run.trainAt(s)).filter(Boolean);
  const start = first.reduce((sum, [x, y]) => sum + (x + y) / 2, 0) / first.length;
  return { model: c.model, correlation: c.correlation, steps: Math.min(c.run.steps, upTo), loss: (a + b) / 2, start };
}

/** A loss or a ratio for the summary ('–' for a cell that diverged). */
const fmt = (v, digits) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

export class Figure4 {
  /** `canvases`, `titles`: one per correlation of FIGURE4_P; `summary`: the line below. */
  constructor(wasm, { canvases, titles, summary, toggle, onToggle }) {
    Object.assign(this, { canvases, titles, summary, toggle });
    this.id = 0; // which start of the comparison is shown (its data carry the same id)
    toggle.addEventListener('change', () => {
      this.id += 1;
      this.restart();
      onToggle(toggle.checked, this.id);
    });
    this.charts = canvases.map(() => new wasm.LossChart());
    this.cells = []; // [{model, correlation, run (RunHistory), panel, index (in its panel)}]
    this.settings = null;
    this.lecture = false;
    this.step = 0;
    this.drawnAt = -Infinity;
    this.timer = null;
    this.draws = 0;
    const observer = new ResizeObserver(() => {
      canvases.forEach((c, i) => this.charts[i].setPixelRatio(fitBackingStore(c)));
      this.draw();
    });
    canvases.forEach((c) => observer.observe(c));
    // Off screen, the panels are not drawn (the summary line still follows).
    this.visible = false;
    new IntersectionObserver((entries) => {
      this.visible = entries.some((e) => e.isIntersecting);
      if (this.visible) this.request();
    }).observe(canvases[0].closest('.figure4-grid'));
    BIG_SCREEN.addEventListener('change', () => this.setLecture(this.lecture));
  }

  /** Whether the comparison is wanted (the trainers build it only then). */
  on() {
    return this.toggle.checked;
  }

  /**
   * New comparison cells (`[{model, correlation}]`, as the trainers built them); returns
   * them with their run histories (`run`).
   */
  reset(cells, settings) {
    this.settings = settings;
    this.id = 0;
    this.cells = cells.map((c) => ({ ...c, panel: FIGURE4_P.indexOf(c.correlation) }));
    this.restart();
    return this.cells;
  }

  /** Empties both panels: the comparison starts from step 0 (or is off). */
  restart() {
    this.step = 0;
    for (const c of this.cells) c.run = new RunHistory({ name: c.model });
    this.charts.forEach((chart, panel) => {
      const mine = this.cells.filter((c) => c.panel === panel);
      mine.forEach((c, index) => (c.index = index));
      chart.reset(mine.map((c) => c.model));
    });
    this.setLabels();
  }

  /** A 'data' message's comparison part: {step, cells: [{index, train}]}. */
  push(data) {
    if (data.id !== this.id) return; // from the comparison before the last toggle
    for (const d of data.cells) {
      const cell = this.cells[d.index];
      if (!cell || !d.train.length) continue;
      cell.run.record(d.train, [], 5);
      this.charts[cell.panel]?.pushTrain(cell.index, d.train);
    }
    this.step = data.step;
    this.request();
  }

  setLecture(on) {
    this.lecture = on;
    this.charts.forEach((c) => c.setLecture(on && BIG_SCREEN.matches));
    this.request();
  }

  setLabels() {
    this.titles.forEach((el, i) => (el.textContent = t(FIGURE4_P[i] === 1 ? 'fig4.panel.same' : 'fig4.panel', { p: FIGURE4_P[i] })));
    for (const chart of this.charts) {
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
    const ranges = this.charts.map((c) => c.lossRange()).filter((r) => r.length);
    const lo = Math.min(...ranges.map((r) => r[0]));
    const hi = Math.max(...ranges.map((r) => r[1]));
    if (this.visible) {
      this.charts.forEach((chart, i) => {
        chart.setLossRange(lo, hi);
        if (this.canvases[i].width > 1) chart.draw(this.canvases[i]);
      });
      this.draws += 1;
    }
    this.summary.textContent = this.describe();
  }

  /** Each cell's mean training loss of both tasks over the last RECENT steps. */
  recent() {
    return this.cells.map((c) => recentCell(c));
  }

  /** "OMoE / MMoE: ×1.10 at p = 1, ×1.30 at p = 0.5 · …" once there is something to compare. */
  describe() {
    if (!this.toggle.checked) return t('fig4.off');
    if (this.step < RECENT) return t('fig4.waiting', { n: RECENT });
    const recent = this.recent();
    const at = (model, p) => recent.find((r) => r.model === model && r.correlation === p)?.loss;
    const models = [...new Set(recent.map((r) => r.model))];
    if (!models.includes('mmoe') || models.length < 2) {
      const parts = models.map((m) => t('fig4.pair', { model: modelLabel(m), a: fmt(at(m, FIGURE4_P[0]), 3), b: fmt(at(m, FIGURE4_P[1]), 3) }));
      return t('fig4.summary.plain', { step: this.step, n: RECENT, list: parts.join(' · ') });
    }
    const ratio = (m, p) => fmt(at(m, p) / at('mmoe', p), 2);
    const parts = models.filter((m) => m !== 'mmoe').map((m) => t('fig4.ratio', { model: modelLabel(m), a: ratio(m, FIGURE4_P[0]), b: ratio(m, FIGURE4_P[1]) }));
    return t('fig4.summary', { step: this.step, n: RECENT, list: parts.join(' · ') });
  }

  /** For the test handle. */
  state() {
    return { on: this.toggle.checked, step: this.step, draws: this.draws, cells: this.recent() };
  }
}
