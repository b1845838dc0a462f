// The label-correlation curve beside the task-correlation slider: the labels' Pearson r
// against p (mean ± sd over seeds 1–8, from the Rust data law, computed in a worker so
// the page's thread never waits for it), the paper's Figure 2 read-offs, and a marker at
// the slider's p with its r. Recomputed, debounced, when a data setting changes.

import { figure2 } from '../pkg/mmoe.js';
import { ToLabels, FromLabels, message } from '../state/messages.js';
import { t } from '../language/i18n.js';
import { fit, axes, font, INK } from './plot.js';
import { Readout } from './readout.js';

const SEEDS = 8; // seeds 1–8
const SAMPLES = 2000; // rows per seed
const DEBOUNCE_MS = 300;
const ACCENT = '#1f4e79';

/** p from -1 to 1 in the slider's steps, and the paper's read-offs between them. */
function grid(paper) {
  const ps = new Set(Array.from({ length: 41 }, (_, i) => Number((-1 + i * 0.05).toFixed(2))));
  for (const point of paper) ps.add(point.p);
  return [...ps].sort((a, b) => a - b);
}

/** The curve's mean at `p`, linearly between its points. */
function meanAt(points, p) {
  const j = points.findIndex((q) => q.p >= p);
  if (j <= 0) return points[Math.max(0, j)]?.mean ?? NaN;
  const [a, b] = [points[j - 1], points[j]];
  return a.mean + ((p - a.p) / (b.p - a.p)) * (b.mean - a.mean);
}

export class LabelCurve {
  /** `canvas` to draw on, `note` for the caption, `compiled`: the page's compiled module. */
  constructor({ canvas, note, compiled }) {
    Object.assign(this, { canvas, note, compiled });
    this.paper = figure2();
    this.ps = grid(this.paper);
    this.points = null;
    this.ms = NaN;
    this.failed = null; // the worker's error for the last request
    this.p = NaN;
    this.key = null; // the data law the curve (or the request in flight) is for
    this.requests = 0;
    this.inFlight = null; // the id of the request awaiting its answer
    this.worker = null;
    this.timer = null;
    this.settings = null;
    this.lecture = false;
    this.draws = 0;
    this.map = null; // the last draw's x map and plot box, for the read-out
    new ResizeObserver(() => this.draw()).observe(canvas);
    // The read-out walks the curve's points (1-based, in p order) instead of steps.
    new Readout({ canvas, chart: () => this.pointer(), rows: (i) => this.rowsAt(i), last: () => this.points?.length ?? 0 });
  }

  /** The read-out's map between the pointer and the curve's points. */
  pointer() {
    const { sx, box } = this.map ?? {};
    const points = this.points ?? [];
    return {
      stepAt: (x) => {
        if (!box || !points.length || x < box.x || x > box.x + box.w) return NaN;
        const p = -1 + ((x - box.x) / box.w) * 2;
        let best = 0;
        points.forEach((q, i) => (Math.abs(q.p - p) < Math.abs(points[best].p - p) ? (best = i) : 0));
        return best + 1;
      },
      xOfStep: (i) => (sx && points[i - 1] ? sx(points[i - 1].p) : NaN),
    };
  }

  /** The read-out at point `i`: p, our r (mean ± sd over the seeds) and the paper's read-off there. */
  rowsAt(i) {
    const q = this.points?.[i - 1];
    if (!q) return null;
    const rows = [{ label: `p = ${q.p.toFixed(2)}`, text: t('curve.readout', { r: q.mean.toFixed(3), sd: q.sd.toFixed(3), seeds: `1–${SEEDS}` }) }];
    const paper = this.paper.find((f) => f.p === q.p);
    if (paper) rows.push({ label: t('curve.readout.paper'), text: `r = ${paper.r.toFixed(3)}` });
    return rows;
  }

  /** Starts the worker (call once the page trains: it is not on the path to the first step). */
  start() {
    if (this.worker) return;
    this.worker = new Worker(new URL('../workers/label-curve-worker.js', import.meta.url), { type: 'module', name: 'mmoe-label-curve' });
    this.compiled.then((module) => this.worker.postMessage(message(ToLabels.MODULE, { module })));
    this.worker.onmessage = ({ data }) => this.receive(data);
    this.ask();
  }

  /** New settings: moves the marker now, recomputes the curve (debounced) when the data law changed. */
  setSettings(settings) {
    this.settings = settings;
    this.p = settings.correlation;
    this.draw();
    this.ask();
  }

  ask() {
    if (!this.worker || !this.settings) return;
    // Every seed and p are drawn here: only the law's other settings matter.
    const key = JSON.stringify({ ...this.settings, seed: 1, correlation: 0 });
    if (key === this.key) return;
    this.key = key;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.requests += 1;
      this.inFlight = this.requests;
      this.showNote();
      const settings = { ...this.settings, seed: 1 };
      this.worker.postMessage(message(ToLabels.CURVE, { id: this.inFlight, settings, seeds: SEEDS, samples: SAMPLES, ps: this.ps }));
    }, this.points ? DEBOUNCE_MS : 0);
  }

  receive(data) {
    if (data.id !== this.inFlight) return; // an answer to a request since replaced
    if (data.type === FromLabels.CURVE) {
      this.points = data.points;
      this.ms = data.ms;
      this.failed = null;
    } else {
      this.failed = data.message;
    }
    this.inFlight = null;
    this.draw();
  }

  setLecture(on) {
    this.lecture = on;
    this.draw();
  }

  relabel() {
    this.draw();
  }

  /** The r at the slider's p (NaN before the curve exists). */
  markerR() {
    return this.points ? meanAt(this.points, this.p) : NaN;
  }

  showNote() {
    const r = this.markerR();
    let text;
    if (this.failed) text = t('curve.failed', { error: this.failed });
    else if (this.inFlight !== null || !this.points) text = t('curve.computing');
    else text = t('curve.note', { seeds: `1–${SEEDS}`, samples: SAMPLES.toLocaleString('en') });
    this.note.textContent = text;
    this.canvas.setAttribute('aria-label', t('curve.aria', { p: this.p.toFixed(2), r: Number.isFinite(r) ? r.toFixed(3) : '–' }));
  }

  draw() {
    this.showNote();
    if (!this.canvas.clientWidth) return;
    const { ctx, w, h } = fit(this.canvas);
    const points = this.points ?? [];
    let lo = -0.2;
    for (const q of points) lo = Math.min(lo, q.mean - q.sd);
    lo = Math.floor(lo * 5) / 5;
    const { sx, sy, box } = axes(ctx, { w, h, xr: [-1, 1], yr: [lo, 1], xlabel: t('curve.x'), ylabel: t('curve.y'), lecture: this.lecture });
    this.map = { sx, box };
    if (points.length) {
      // The band: mean ± sd over the seeds; the mean on top.
      ctx.fillStyle = 'rgba(31, 78, 121, 0.18)';
      ctx.beginPath();
      points.forEach((q, i) => (i ? ctx.lineTo : ctx.moveTo).call(ctx, sx(q.p), sy(Math.min(1, q.mean + q.sd))));
      for (const q of [...points].reverse()) ctx.lineTo(sx(q.p), sy(q.mean - q.sd));
      ctx.closePath();
      ctx.fill();
      ctx.strokeStyle = ACCENT;
      ctx.lineWidth = this.lecture ? 3 : 2;
      ctx.beginPath();
      points.forEach((q, i) => (i ? ctx.lineTo : ctx.moveTo).call(ctx, sx(q.p), sy(q.mean)));
      ctx.stroke();
    }
    // The paper's read-offs: dark diamonds.
    const d = this.lecture ? 5 : 3.5;
    ctx.fillStyle = INK;
    for (const q of this.paper) {
      ctx.beginPath();
      ctx.moveTo(sx(q.p), sy(q.r) - d);
      ctx.lineTo(sx(q.p) + d, sy(q.r));
      ctx.lineTo(sx(q.p), sy(q.r) + d);
      ctx.lineTo(sx(q.p) - d, sy(q.r));
      ctx.closePath();
      ctx.fill();
    }
    this.drawMarker(ctx, sx, sy, h);
    this.canvas.dataset.paper = String(this.paper.length);
    this.draws += 1;
  }

  /** A dashed line at the slider's p, a ring on the curve and its r written beside it. */
  drawMarker(ctx, sx, sy, h) {
    if (!Number.isFinite(this.p)) return;
    const x = sx(this.p);
    ctx.strokeStyle = '#8a3ffc';
    ctx.lineWidth = 1.5;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(x, sy(1));
    ctx.lineTo(x, h - (this.lecture ? 36 : 28));
    ctx.stroke();
    ctx.setLineDash([]);
    const r = this.markerR();
    if (!Number.isFinite(r)) return;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(x, sy(r), this.lecture ? 6 : 4.5, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.font = font(11, this.lecture);
    ctx.fillStyle = '#8a3ffc';
    const text = `r = ${r.toFixed(3)}`;
    const left = x > sx(0.2);
    ctx.textAlign = left ? 'right' : 'left';
    ctx.fillText(text, x + (left ? -6 : 6), Math.max(sy(1) + 12, sy(r) - 8));
  }

  /** Where `p` is drawn (CSS pixels from the canvas's left edge; NaN before a draw), for tests. */
  xOf(p) {
    return this.map ? this.map.sx(p) : NaN;
  }

  /** For the test handle. */
  state() {
    return {
      points: this.points?.length ?? 0,
      paper: this.paper.length,
      ms: this.ms,
      p: this.p,
      r: this.markerR(),
      draws: this.draws,
      pending: this.inFlight !== null,
    };
  }
}
