// Test AUC over training, one panel per binary task of census or CSV data (AUC is what
// the paper reports on census data): each model's evaluations as a line, the paper's
// mean for MMoE as a dashed reference on census data. Redrawn only when an evaluation
// arrived.

import { store } from '../state/store.js';
import { t } from '../language/i18n.js';
import { modelColour, modelLabel } from '../state/catalogue.js';
import { fit, axes, INK, MUTED } from './plot.js';

/** The paper's mean test AUC of MMoE per task (Tables 2 and 3). */
const PAPER_MMOE = { census1: [0.9359, 0.9927], census2: [0.8826, 0.9924] };

export class AucChart {
  /** @param {{box: HTMLElement, canvases: HTMLCanvasElement[]}} o */
  constructor({ box, canvases }) {
    Object.assign(this, { box, canvases });
    this.lecture = false;
    this.drawn = '';
    new ResizeObserver(() => this.draw(true)).observe(canvases[0]);
  }

  setLecture(on) {
    this.lecture = on;
    this.draw(true);
  }

  /** Draws if an evaluation arrived since the last drawing (or `force`). */
  draw(force = false) {
    const census = store.settings.source !== 'synthetic';
    this.box.hidden = !census;
    if (!census) return;
    const key = store.runs.map((r) => `${r.name}:${r.testRows().length}`).join() + store.lang;
    if (!force && key === this.drawn) return;
    this.drawn = key;
    const paper = PAPER_MMOE[store.settings.source] ?? [NaN, NaN];
    const kinds = [store.settings.task1, store.settings.task2];
    this.canvases.forEach((canvas, task) => {
      // A regression task (a CSV's) has no AUC: its test loss is on the loss chart.
      canvas.closest('figure').hidden = kinds[task] !== 'binary';
      if (kinds[task] !== 'binary') return;
      const series = store.runs.map((run) => ({ name: run.name, rows: run.testRows().filter((r) => r[0] > 0 && Number.isFinite(r[3 + task])) }));
      const values = series.flatMap((s) => s.rows.map((r) => r[3 + task]));
      const last = Math.max(1, ...series.flatMap((s) => s.rows.map((r) => r[0])));
      // From the lowest AUC after the first evaluation (the first are near chance) up.
      const settled = values.slice(values.length > 4 ? Math.floor(values.length / 5) : 0);
      const known = Number.isFinite(paper[task]) ? [paper[task]] : [];
      const lo = Math.min(...known, ...settled, 1) - 0.005;
      const hi = Math.min(1, Math.max(...known, ...values, 0.5) + 0.002);
      const { ctx, w, h } = fit(canvas);
      const { sx, sy } = axes(ctx, { w, h, xr: [0, last], yr: [lo, hi], xlabel: t('auc.x'), ylabel: t('auc.y', { k: task + 1 }), lecture: this.lecture, digits: 3, xdigits: 0 });
      ctx.save();
      ctx.beginPath();
      ctx.rect(sx(0), sy(hi), sx(last) - sx(0), sy(lo) - sy(hi));
      ctx.clip();
      if (known.length) {
        ctx.setLineDash([5, 4]);
        ctx.strokeStyle = MUTED;
        ctx.beginPath();
        ctx.moveTo(sx(0), sy(paper[task]));
        ctx.lineTo(sx(last), sy(paper[task]));
        ctx.stroke();
        ctx.setLineDash([]);
      }
      ctx.lineWidth = this.lecture ? 2.5 : 1.6;
      for (const s of series) {
        ctx.strokeStyle = modelColour(s.name);
        ctx.beginPath();
        s.rows.forEach((r, i) => (i ? ctx.lineTo(sx(r[0]), sy(r[3 + task])) : ctx.moveTo(sx(r[0]), sy(r[3 + task]))));
        ctx.stroke();
      }
      ctx.restore();
      ctx.fillStyle = MUTED;
      ctx.textAlign = 'left';
      if (known.length) ctx.fillText(t('auc.paper', { v: paper[task].toFixed(4) }), sx(0) + 4, sy(paper[task]) - 4);
      ctx.fillStyle = INK;
      const latest = series.map((s) => `${modelLabel(s.name)} ${s.rows.at(-1)?.[3 + task]?.toFixed(4) ?? '–'}`).join(', ');
      canvas.setAttribute('aria-label', t('auc.aria', { k: task + 1, latest }));
    });
  }
}
