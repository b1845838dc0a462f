// The gate inspector: the test samples laid out by their two latent projections (w1·x,
// w2·x) and coloured by the expert task 1's gate favours; the picked sample's gate
// weights for each task; how far apart the two tasks' mean gates are over training; and
// how much each expert's gate weight varies from sample to sample (input-dependent
// routing, or a constant mixture?). Plain canvas 2D, drawn only when something changed.

import { store } from '../state/store.js';
import { t } from '../language/i18n.js';
import { isGated, modelLabel, modelColour, expertColour } from '../state/catalogue.js';
import { fit, font, INK, MUTED, GRID } from './plot.js';
import { PointReadout } from './readout.js';

const REFRESH_MS = 1000;
const NEAR_PX = 20; // a point counts as under the pointer this close (CSS px)

function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}

export class Inspector {
  constructor(o) {
    Object.assign(this, o);
    this.lecture = false;
    this.models = []; // [{name, index, experts}]
    this.data = null; // {gates: Float32Array[], projections: Float32Array, step}
    this.picked = 0;
    this.visible = false; // until the IntersectionObserver says otherwise
    this.dirty = true;
    this.spreadStd = NaN;
    this.select.addEventListener('change', () => this.drawAll());
    this.scatter.addEventListener('click', (e) => this.pickAt(e));
    // The sample under the pointer, a tap or (focused) the picked one, which ← → / Home / End move.
    this.pointReadout = new PointReadout({
      canvas: this.scatter,
      round: true,
      at: (x, y) => this.nearest(x, y),
      rect: (i) => this.pointRect(i),
      rows: (i) => this.pointRows(i),
      move: (i, key) => {
        const n = this.count();
        const to = { ArrowLeft: (i + n - 1) % n, ArrowRight: (i + 1) % n, Home: 0, End: n - 1 }[key];
        return n && to !== undefined ? to : null;
      },
      keyAt: () => (this.count() ? this.picked : null),
      onMove: (i) => this.pick(i),
    });
    document.getElementById('inspector-refresh').addEventListener('click', () => this.ask(true));
    // Off screen, the inspector neither asks the trainer for data nor draws.
    new IntersectionObserver((entries) => {
      this.visible = entries.some((e) => e.isIntersecting);
      if (this.visible) {
        this.ask();
        if (this.dirty) this.drawAll();
      }
    }).observe(this.card);
    new ResizeObserver(() => this.drawAll()).observe(this.scatter);
    setInterval(() => {
      if (this.visible && store.running && this.models.length) {
        this.ask();
        this.drawSimilarity();
      }
    }, REFRESH_MS);
  }

  setLecture(on) {
    this.lecture = on;
    this.drawAll();
  }

  /** New models: list the gated ones (MMoE first choice) and ask for fresh data. */
  reset(info) {
    const keep = this.select.value;
    this.models = info.map((m, index) => ({ name: m.name, index, experts: m.experts })).filter((m) => isGated(m.name));
    this.select.replaceChildren(
      ...this.models.map((m) => {
        const o = document.createElement('option');
        o.value = m.name;
        o.textContent = modelLabel(m.name);
        return o;
      }),
    );
    const names = this.models.map((m) => m.name);
    this.select.value = names.includes(keep) ? keep : names.includes('mmoe') ? 'mmoe' : names[0] ?? '';
    this.none.hidden = this.models.length > 0;
    this.data = null;
    this.ask();
    this.drawAll();
  }

  /** Asks the trainer for fresh per-sample gates, if the inspector is on screen. */
  ask(force = false) {
    if ((force || this.visible) && this.models.length) this.request();
  }

  relabel() {
    this.drawAll();
  }

  model() {
    return this.models.find((m) => m.name === this.select.value) ?? null;
  }

  count() {
    return this.data ? this.data.projections.length / 2 : 0;
  }

  setData(m) {
    this.data = m;
    if (this.picked >= this.count()) this.picked = 0;
    this.drawAll();
  }

  /** Gate weights [task][expert] of sample `i` for the selected model. */
  sampleGates(i) {
    const m = this.model();
    const g = m && this.data?.gates[m.index];
    if (!g || !g.length) return null;
    const e = m.experts;
    return [Array.from(g.subarray((2 * i) * e, (2 * i + 1) * e)), Array.from(g.subarray((2 * i + 1) * e, (2 * i + 2) * e))];
  }

  /** Picks test sample `i`; the architecture drawing shows its routing too (`onPick`). */
  pick(i) {
    this.picked = i;
    this.drawScatter();
    this.drawSample();
    this.onPick?.(i);
  }

  pickAt(event) {
    const rect = this.scatter.getBoundingClientRect();
    const best = this.nearest(event.clientX - rect.left, event.clientY - rect.top);
    if (best !== null) this.pick(best);
  }

  /** The sample drawn nearest to (`x`, `y`) CSS px in the scatter, if within NEAR_PX; else null. */
  nearest(x, y) {
    const n = this.count();
    if (!n || !this.layout) return null;
    const { sx, sy } = this.layout;
    const p = this.data.projections;
    let best = -1;
    let bestD = Infinity;
    for (let i = 0; i < n; i++) {
      const d = (sx(p[i]) - x) ** 2 + (sy(p[n + i]) - y) ** 2;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best >= 0 && bestD < NEAR_PX * NEAR_PX ? best : null;
  }

  /**
   * Test sample `i` as drawn and known: its place in the scatter (CSS px), w1·x, w2·x and
   * the selected model's gate weights [task][expert]; null when there is none.
   */
  sampleAt(i) {
    const n = this.count();
    if (!Number.isInteger(i) || i < 0 || i >= n || !this.layout) return null;
    const p = this.data.projections;
    return { i, x: this.layout.sx(p[i]), y: this.layout.sy(p[n + i]), w1x: p[i], w2x: p[n + i], gates: this.sampleGates(i) };
  }

  /** A square around sample `i`'s dot, for the read-out's ring. */
  pointRect(i) {
    const s = this.sampleAt(i);
    const r = this.lecture ? 12 : 9;
    return s && { x: s.x - r, y: s.y - r, w: 2 * r, h: 2 * r };
  }

  /** The read-out of sample `i`: w1·x and w2·x (3 decimals), and each task's top expert and its weight. */
  pointRows(i) {
    const s = this.sampleAt(i);
    if (!s) return null;
    const m = this.model();
    const rows = [
      { label: t('inspector.point', { i }), text: t('inspector.point.set', { model: m ? modelLabel(m.name) : '–', step: (this.data.step ?? 0).toLocaleString('en-US') }) },
      { label: 'w1·x', text: t('inspector.point.w', { v: s.w1x.toFixed(3), k: 1 }) },
      { label: 'w2·x', text: t('inspector.point.w', { v: s.w2x.toFixed(3), k: 2 }) },
    ];
    (s.gates ?? []).forEach((row, k) => {
      let top = 0;
      for (let e = 1; e < row.length; e++) if (row[e] > row[top]) top = e;
      rows.push({ label: t('inspector.point.gate', { k: k + 1 }), colour: expertColour(top), text: t('inspector.point.top', { e: top + 1, w: row[top].toFixed(3) }) });
    });
    return rows;
  }

  drawAll() {
    this.dirty = !this.visible;
    if (!this.visible) return;
    this.drawScatter();
    this.drawSample();
    this.drawSimilarity();
    this.drawSpread();
    this.drawReadout();
  }

  /** Bars per expert: R² of the best linear read-out of each task's target from it. */
  drawReadout() {
    const { ctx, w, h } = fit(this.readoutCanvas);
    const m = this.model();
    const r = m && this.data?.readout?.[m.index];
    this.readout = r?.length ? Array.from(r) : null;
    if (!r || !r.length) return;
    const e = m.experts;
    const { pad, ph, slot, y } = this.expertPanel(ctx, w, h, e, 8, this.lecture ? 28 : 22);
    ctx.textAlign = 'center';
    for (let k = 0; k < e; k++) {
      const bw = Math.max(2, slot * 0.34);
      for (let task = 0; task < 2; task++) {
        const v = Math.min(1, Math.max(0, r[k * 2 + task]));
        ctx.globalAlpha = task === 0 ? 0.9 : 0.45;
        ctx.fillStyle = expertColour(k);
        const x = pad.l + k * slot + slot * (task === 0 ? 0.14 : 0.52);
        ctx.fillRect(x, y(v), bw, Math.max(1, ph * v));
      }
      ctx.globalAlpha = 1;
      ctx.fillStyle = MUTED;
      if (e <= 32) ctx.fillText(String(k + 1), pad.l + k * slot + slot / 2, h - 6);
    }
  }

  /**
   * Grid lines and labels at 0, half and all of `top` (`y` maps a value to its pixel
   * row), for every chart of weights, R² and distances.
   */
  /**
   * A plot of `e` expert slots over a 0–1 axis inside the `w`×`h` canvas, `top` and
   * `bottom` px of margin: its padding, plot height, slot width and value → y map.
   */
  expertPanel(ctx, w, h, e, top, bottom) {
    const pad = { l: this.lecture ? 44 : 34, r: 8, t: top, b: bottom };
    const ph = h - pad.t - pad.b;
    const slot = (w - pad.l - pad.r) / e;
    const y = (v) => pad.t + ph * (1 - v);
    this.unitAxis(ctx, pad, w, y);
    return { pad, ph, slot, y };
  }

  unitAxis(ctx, pad, w, y, top = 1, digits = 1) {
    ctx.font = this.font(10);
    ctx.fillStyle = MUTED;
    ctx.strokeStyle = GRID;
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    for (const v of [0, top / 2, top]) {
      ctx.beginPath();
      ctx.moveTo(pad.l, y(v));
      ctx.lineTo(w - pad.r, y(v));
      ctx.stroke();
      ctx.fillText(v.toFixed(digits), pad.l - 4, y(v) + 3);
    }
  }

  font(size) {
    return font(size, this.lecture);
  }

  drawScatter() {
    const { ctx, w, h } = fit(this.scatter);
    const n = this.count();
    const pad = this.lecture ? 34 : 26;
    if (!n) return;
    const p = this.data.projections;
    let r = 0;
    for (const v of p) r = Math.max(r, Math.abs(v));
    r = r || 1;
    // Both axes share one scale (the projections are comparable), the plot as wide as fits.
    const size = h - 2 * pad;
    const width = Math.min(w - 2 * pad, 1.8 * size);
    const ox = (w - width) / 2;
    const rx = (r * width) / size;
    const sx = (v) => ox + ((v + rx) / (2 * rx)) * width;
    const sy = (v) => pad + ((r - v) / (2 * r)) * size;
    this.layout = { sx, sy };
    ctx.strokeStyle = GRID;
    ctx.lineWidth = 1;
    ctx.strokeRect(ox, pad, width, size);
    ctx.beginPath();
    ctx.moveTo(sx(0), pad);
    ctx.lineTo(sx(0), pad + size);
    ctx.moveTo(ox, sy(0));
    ctx.lineTo(ox + width, sy(0));
    ctx.stroke();
    const m = this.model();
    const g = m && this.data.gates[m.index];
    const e = m?.experts ?? 1;
    const dot = this.lecture ? 2.6 : 1.8;
    ctx.globalAlpha = 0.75;
    for (let i = 0; i < n; i++) {
      let best = 0;
      if (g?.length) {
        const row = 2 * i * e;
        for (let k = 1; k < e; k++) if (g[row + k] > g[row + best]) best = k;
      }
      ctx.fillStyle = g?.length ? expertColour(best) : MUTED;
      ctx.fillRect(sx(p[i]) - dot, sy(p[n + i]) - dot, 2 * dot, 2 * dot);
    }
    ctx.globalAlpha = 1;
    // The picked sample: a dark ring with a white halo, visible on any colour.
    const i = this.picked;
    const ring = this.lecture ? 10 : 8;
    for (const [colour, width] of [['#ffffff', this.lecture ? 7 : 5], [INK, this.lecture ? 3 : 2]]) {
      ctx.strokeStyle = colour;
      ctx.lineWidth = width;
      ctx.beginPath();
      ctx.arc(sx(p[i]), sy(p[n + i]), ring, 0, 2 * Math.PI);
      ctx.stroke();
    }
    ctx.fillStyle = MUTED;
    ctx.font = this.font(11);
    ctx.textAlign = 'center';
    ctx.fillText('w1·x →', ox + width / 2, pad + size + (this.lecture ? 24 : 18));
    ctx.save();
    ctx.translate(ox - 8, pad + size / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText('w2·x →', 0, 0);
    ctx.restore();
    ctx.textAlign = 'left';
    ctx.fillText(t('inspector.colour'), ox, pad - 8);
    this.pointReadout.refresh();
  }

  drawSample() {
    const { ctx, w, h } = fit(this.sample);
    const gates = this.count() ? this.sampleGates(this.picked) : null;
    if (!gates) {
      this.sampleLabel.textContent = t('inspector.sample.none');
      return;
    }
    const p = this.data.projections;
    const n = this.count();
    this.sampleLabel.textContent = t('inspector.sample', {
      i: this.picked,
      a: p[this.picked].toFixed(2),
      b: p[n + this.picked].toFixed(2),
    });
    const e = gates[0].length;
    const pad = { l: this.lecture ? 44 : 34, r: 8, t: 12, b: this.lecture ? 44 : 34 };
    const plotH = h - pad.t - pad.b;
    const groupW = (w - pad.l - pad.r) / 2;
    const barW = Math.max(2, (groupW - 16) / e);
    this.unitAxis(ctx, pad, w, (v) => pad.t + plotH * (1 - v));
    ctx.textAlign = 'center';
    for (let task = 0; task < 2; task++) {
      const x0 = pad.l + task * groupW + 8;
      for (let k = 0; k < e; k++) {
        const v = gates[task][k];
        ctx.fillStyle = expertColour(k);
        ctx.fillRect(x0 + k * barW + 1, pad.t + plotH * (1 - v), barW - 2, plotH * v);
      }
      ctx.fillStyle = INK;
      ctx.font = this.font(11);
      ctx.fillText(t('task.label', { t: task + 1, loss: '' }).replace(/ · $/, ''), x0 + (e * barW) / 2, h - 8);
      if (e <= 16) {
        ctx.fillStyle = MUTED;
        ctx.font = this.font(9);
        for (let k = 0; k < e; k++) ctx.fillText(String(k + 1), x0 + k * barW + barW / 2, pad.t + plotH + 12);
      }
    }
  }

  drawSimilarity() {
    const { ctx, w, h } = fit(this.similarity);
    const m = this.model();
    const l1 = (m && store.runs[m.index]?.gateDistances()) ?? [];
    const pad = { l: this.lecture ? 44 : 34, r: 10, t: 10, b: this.lecture ? 34 : 26 };
    const pw = w - pad.l - pad.r;
    const ph = h - pad.t - pad.b;
    const maxStep = Math.max(1, ...l1.map((p) => p[0]));
    const maxY = Math.max(0.5, ...l1.map((p) => p[1]));
    this.unitAxis(ctx, pad, w, (v) => pad.t + ph * (1 - v / maxY), maxY, 2);
    ctx.textAlign = 'center';
    ctx.fillText(`${t('counter.step')} ${maxStep}`, pad.l + pw / 2, h - 6);
    this.similarityPoints = l1.length;
    if (l1.length < 2) return;
    ctx.strokeStyle = modelColour(m.name);
    ctx.lineWidth = this.lecture ? 4 : 2;
    ctx.beginPath();
    l1.forEach(([s, v], k) => {
      const x = pad.l + (s / maxStep) * pw;
      const y = pad.t + ph * (1 - v / maxY);
      if (k === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
  }

  drawSpread() {
    const { ctx, w, h } = fit(this.spread);
    const m = this.model();
    const g = m && this.data?.gates[m.index];
    this.spreadStd = NaN;
    if (!g || !g.length) {
      this.summary.textContent = '';
      return;
    }
    const e = m.experts;
    const n = g.length / (2 * e);
    const { pad, ph, slot, y } = this.expertPanel(ctx, w, h, e, 10, this.lecture ? 30 : 24);
    let stdSum = 0;
    let stdCount = 0;
    const values = new Float32Array(n);
    for (let k = 0; k < e; k++) {
      for (let task = 0; task < 2; task++) {
        let mean = 0;
        for (let i = 0; i < n; i++) {
          values[i] = g[(2 * i + task) * e + k];
          mean += values[i] / n;
        }
        const sorted = values.slice().sort(); // a typed array sorts numerically
        if (sorted[sorted.length - 1] === 0) continue; // an expert this task cannot choose (CGC)
        let varSum = 0;
        for (const v of sorted) varSum += (v - mean) ** 2;
        stdSum += Math.sqrt(varSum / n);
        stdCount += 1;
        const bw = Math.max(2, slot * 0.32);
        const x = pad.l + k * slot + slot * (task === 0 ? 0.14 : 0.54);
        const colour = expertColour(k);
        ctx.strokeStyle = colour;
        ctx.lineWidth = this.lecture ? 2.5 : 1.5;
        ctx.beginPath();
        ctx.moveTo(x + bw / 2, y(quantile(sorted, 0.05)));
        ctx.lineTo(x + bw / 2, y(quantile(sorted, 0.95)));
        ctx.stroke();
        ctx.globalAlpha = task === 0 ? 0.85 : 0.45;
        ctx.fillStyle = colour;
        const q1 = y(quantile(sorted, 0.25));
        const q3 = y(quantile(sorted, 0.75));
        ctx.fillRect(x, q3, bw, Math.max(1.5, q1 - q3));
        ctx.globalAlpha = 1;
        ctx.fillStyle = INK;
        ctx.fillRect(x, y(quantile(sorted, 0.5)) - 1, bw, 2);
      }
      if (e <= 16) {
        ctx.fillStyle = MUTED;
        ctx.textAlign = 'center';
        ctx.fillText(String(k + 1), pad.l + k * slot + slot / 2, h - 8);
      }
    }
    this.spreadStd = stdCount ? stdSum / stdCount : NaN;
    const kind = this.spreadStd > 0.02 ? 'inspector.dependent' : 'inspector.constant';
    this.summary.textContent = t('inspector.summary', { s: this.spreadStd.toFixed(3), kind: t(kind) });
  }

  /** For tests and curious users. */
  state() {
    const m = this.model();
    return {
      model: m?.name ?? null,
      samples: this.count(),
      step: this.data?.step ?? null,
      picked: this.picked,
      gates: this.count() ? this.sampleGates(this.picked) : null,
      spreadStd: this.spreadStd,
      similarityPoints: this.similarityPoints ?? 0,
      readout: this.readout ?? null, // experts × tasks R²
    };
  }
}
