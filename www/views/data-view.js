// The data view ("Show the data"): a few hundred rows of the data law at the page's seed
// and p (`dataView`, Rust), drawn as each task's label y_k against its latent projection
// w_k·x (the wiggly law the models must learn) and task 2's label against task 1's (how
// related the tasks are: their Pearson r is written on it). Points are coloured by w1·x,
// so a row keeps its colour in every panel: at p = 1 the colours run in order in both
// tasks, at lower p task 2 shuffles them. Redrawn when p or a data setting changes.

import { dataView } from '../pkg/mmoe.js';
import { t } from '../language/i18n.js';
import { expertColour } from '../state/catalogue.js';
import { fit, axes } from './plot.js';

const ROWS = 300;

/** Pearson correlation of two equally long arrays. */
function pearson(a, b) {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** `#rrggbb` → [r, g, b]. */
const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

export class DataView {
  /** `canvases`: [task 1, task 2, task 2 vs task 1]; `readout`: the line below them. */
  constructor({ canvases, readout, box }) {
    Object.assign(this, { canvases, readout, box });
    this.settings = null;
    this.rows = null; // [s1, y1, s2, y2], each a Float32Array of ROWS
    this.lecture = false;
    this.frame = null;
    this.draws = 0;
    this.r = NaN;
    this.error = null;
    new ResizeObserver(() => this.draw()).observe(canvases[0]);
    box.addEventListener('toggle', () => this.draw());
  }

  /** Recomputes the rows for new settings (at most once an animation frame) and redraws. */
  setSettings(settings) {
    this.settings = settings;
    if (this.frame !== null) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.compute();
      this.draw();
    });
  }

  compute() {
    try {
      const flat = dataView(this.settings, ROWS);
      const n = flat.length / 4;
      this.rows = [0, 1, 2, 3].map((k) => flat.subarray(k * n, (k + 1) * n));
      this.r = pearson(this.rows[1], this.rows[3]);
      this.error = null;
    } catch (err) {
      this.rows = null;
      this.error = String(err?.message ?? err);
    }
  }

  setLecture(on) {
    this.lecture = on;
    this.draw();
  }

  relabel() {
    this.draw();
  }

  draw() {
    if (!this.box.open || !this.rows) {
      this.showReadout();
      return;
    }
    const [s1, y1, s2, y2] = this.rows;
    const colours = this.colours(s1);
    const extent = (...arrays) => {
      let lo = Infinity;
      let hi = -Infinity;
      for (const a of arrays) for (const v of a) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
      const pad = (hi - lo) * 0.05 || 1;
      return [lo - pad, hi + pad];
    };
    const sr = extent(s1, s2);
    const yr = extent(y1, y2);
    this.scatter(this.canvases[0], s1, y1, colours, sr, yr, 'w1·x', t('data.y', { k: 1 }));
    this.scatter(this.canvases[1], s2, y2, colours, sr, yr, 'w2·x', t('data.y', { k: 2 }));
    this.scatter(this.canvases[2], y1, y2, colours, yr, yr, t('data.y', { k: 1 }), t('data.y', { k: 2 }));
    this.draws += 1;
    this.showReadout();
  }

  /**
   * A colour per row from the rank of its w1·x (so an outlier does not squeeze the rest):
   * blue, yellow, red (three of the catalogue's expert colours).
   */
  colours(s1) {
    const stops = [0, 4, 1].map((k) => rgb(expertColour(k)));
    const order = Array.from(s1.keys()).sort((i, j) => s1[i] - s1[j]);
    const colours = new Array(s1.length);
    order.forEach((row, rank) => {
      const f = (2 * rank) / Math.max(1, s1.length - 1);
      const [a, b, g] = f < 1 ? [stops[0], stops[1], f] : [stops[1], stops[2], f - 1];
      colours[row] = `rgb(${a.map((c, i) => Math.round(c + (b[i] - c) * g)).join(',')})`;
    });
    return colours;
  }

  scatter(canvas, xs, ys, colours, xr, yr, xlabel, ylabel) {
    const { ctx, w, h } = fit(canvas);
    const { sx, sy } = axes(ctx, { w, h, xr, yr, xlabel, ylabel, lecture: this.lecture, digits: 0 });
    const dot = this.lecture ? 2.4 : 1.7;
    ctx.globalAlpha = 0.8;
    for (let i = 0; i < xs.length; i++) {
      ctx.fillStyle = colours[i];
      ctx.fillRect(sx(xs[i]) - dot, sy(ys[i]) - dot, 2 * dot, 2 * dot);
    }
    ctx.globalAlpha = 1;
  }

  showReadout() {
    if (this.error) {
      this.readout.textContent = t('data.failed', { error: this.error });
      return;
    }
    if (!this.settings) return;
    this.readout.textContent = t('data.readout', {
      n: ROWS,
      p: Number(this.settings.correlation).toFixed(2),
      r: Number.isFinite(this.r) ? this.r.toFixed(3) : '–',
    });
  }

  /** For the test handle: what is plotted. */
  state() {
    const sums = (this.rows ?? []).map((a) => a.reduce((s, v) => s + v, 0));
    return { rows: this.rows?.[0].length ?? 0, p: this.settings?.correlation, r: this.r, sums, draws: this.draws, open: this.box.open };
  }
}
