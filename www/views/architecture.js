// The architecture, drawn live (issue 20, part 1): the chosen model as the paper draws it
// (Ma et al. 2018, Figure 1), input at the bottom, then the experts, each task's gate and
// mixture, its tower and its output. The width of the edge from expert i to task k is the
// gate weight g^k(x)_i (the last training batch's mean, or one test sample's), so the
// drawing is the gates at work; an expert's box is filled by how much the tasks use it.
// Click (or Enter on) an expert to see what it computes on the test rows.
//
// SVG, built once per model, size, language and mode; while training only the edges'
// widths, the boxes' fills and the numbers change, at most every REDRAW_MS.

import { store } from '../state/store.js';
import { t } from '../language/i18n.js';
import { modelLabel, expertColour } from '../state/catalogue.js';
import { fit, axes, INK, MUTED } from './plot.js';

const SVG = 'http://www.w3.org/2000/svg';
const REDRAW_MS = 200; // as often as the gate heatmaps
const ASK_MS = 1000; // per-sample data while training, as often as the inspector asks
const WIRE = '#c9ced6';
// Text over wires: a white outline under the letters keeps them legible.
const HALO = { stroke: '#ffffff', 'stroke-width': 3, 'paint-order': 'stroke' };

/** An SVG element `tag` with `attrs` under `parent`. */
function node(parent, tag, attrs = {}) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  parent.append(el);
  return el;
}

/**
 * A text with sub- and superscripts under `parent`: `parts` are strings, or ['sub', s] /
 * ['sup', s] (Firefox and Chromium both shift a tspan by dy, not all by baseline-shift).
 */
function mathText(parent, parts, attrs) {
  const text = node(parent, 'text', attrs);
  let shift = 0;
  for (const part of parts) {
    const [kind, s] = typeof part === 'string' ? ['', part] : part;
    const want = kind === 'sub' ? 0.3 : kind === 'sup' ? -0.4 : 0;
    const span = node(text, 'tspan', want !== shift ? { dy: `${want - shift}em` } : {});
    if (kind) span.setAttribute('font-size', '72%');
    span.textContent = s;
    shift = want;
  }
  return text;
}

/** The same for HTML (the equations under the drawing). */
function mathHtml(parts) {
  return parts.map((part) => {
    if (typeof part === 'string') return document.createTextNode(part);
    const el = document.createElement(part[0]);
    el.textContent = part[1];
    return el;
  });
}

/** The paper's equations for a model kind (section 4; CGC: Tang et al. 2020), as math parts and the key of their label. */
function equations(kind) {
  const yk = ['y', ['sub', 'k']];
  const hk = ['h', ['sup', 'k']];
  const fi = ['f', ['sub', 'i'], '(x)'];
  const gate = (k) => ['g', ['sup', k], '(x)'];
  if (kind === 'sb') return [{ eq: 1, parts: [...yk, ' = ', ...hk, '(f(x))'] }];
  if (kind === 'omoe') {
    return [{ eq: 4, parts: [...yk, ' = ', ...hk, '(Σ', ['sub', 'i'], ' ', ...gate(''), ['sub', 'i'], ' ', ...fi, '),  g(x) = softmax(W', ['sub', 'g'], 'x)'] }];
  }
  const over = kind === 'cgc' ? ['sub', t('arch.eq.own')] : ['sub', 'i=1…n'];
  return [
    { eq: 5, parts: [...yk, ' = ', ...hk, '(f', ['sup', 'k'], '(x))'] },
    { eq: 6, parts: ['f', ['sup', 'k'], '(x) = Σ', over, ' ', ...gate('k'), ['sub', 'i'], ' ', ...fi], key: kind === 'cgc' ? 'arch.eq.cgc' : 'arch.eq' },
    { eq: 7, parts: [...gate('k'), ' = softmax(W', ['sub', 'gk'], 'x)'] },
  ];
}

export class Architecture {
  /**
   * @param {object} o the card's elements (svg, select, mean, prev, next, sampleLabel,
   *   equations, summary, card, panel, panelTitle, panelClose, panelCanvases, panelNote),
   *   `request()` (ask the trainers for per-sample test data) and `onSample(i)` (the
   *   sample shown changed: the inspector follows).
   */
  constructor(o) {
    Object.assign(this, o);
    this.lecture = false;
    this.data = null; // the latest 'inspect' answer: per-sample gates, projections, outputs, read-out
    this.parts = null; // the SVG elements that change while training
    this.weights = null; // tasks × experts, what the edges show now
    this.step = 0; // the training step of the weights drawn
    this.open = null; // the expert whose view is open
    this.visible = false;
    this.drawAt = -Infinity;
    this.timer = null;
    this.select.addEventListener('change', () => {
      store.archModel = this.select.value;
      this.closeExpert();
      this.build();
    });
    this.mean.addEventListener('click', () => this.setSample(null, true));
    this.prev.addEventListener('click', () => this.stepSample(-1));
    this.next.addEventListener('click', () => this.stepSample(1));
    this.panelClose.addEventListener('click', () => this.closeExpert());
    this.panel.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      this.closeExpert();
    });
    new IntersectionObserver((entries) => {
      this.visible = entries.some((e) => e.isIntersecting);
      if (this.visible) this.changed();
    }).observe(this.card);
    new ResizeObserver(() => this.build()).observe(this.svg);
    setInterval(() => {
      if (this.visible && store.running && this.needsData()) this.request();
    }, ASK_MS);
  }

  setLecture(on) {
    this.lecture = on;
    this.build();
  }

  relabel() {
    this.fillSelect();
    this.build();
  }

  /** New models: list them all (MMoE first choice), forget the old per-sample data. */
  reset() {
    this.data = null;
    this.closeExpert();
    this.fillSelect();
    if (store.sample !== null) this.request();
    this.build();
  }

  fillSelect() {
    const names = store.info.map((m) => m.name);
    this.select.replaceChildren(
      ...names.map((name) => {
        const o = document.createElement('option');
        o.value = name;
        o.textContent = modelLabel(name);
        return o;
      }),
    );
    const keep = store.archModel;
    this.select.value = names.includes(keep) ? keep : names.includes('mmoe') ? 'mmoe' : names[0] ?? '';
  }

  /** The model drawn: {name, index, experts} or null. */
  model() {
    const index = store.info.findIndex((m) => m.name === this.select.value);
    return index < 0 ? null : { name: store.info[index].name, index, experts: store.info[index].experts };
  }

  /** Which experts each task's gate mixes (CGC: its own and the shared ones). */
  reach(m) {
    const all = Array.from({ length: m.experts }, (_, i) => i);
    if (m.name !== 'cgc') return [all, all];
    const own = store.settings.task_experts;
    const shared = all.slice(2 * own);
    return [0, 1].map((k) => [...all.slice(k * own, (k + 1) * own), ...shared]);
  }

  /** Whether what is shown needs the trainers' per-sample test data. */
  needsData() {
    return store.sample !== null || this.open !== null;
  }

  /** Whether the per-sample data is missing or older than the models. */
  stale() {
    return !this.data || this.data.step < store.step;
  }

  /** Test rows in the per-sample data (census: the people, grouped by the inspector's column). */
  count() {
    if (!this.data) return 0;
    return this.data.groups ? this.data.groups.rows.length : this.data.projections.length / 2;
  }

  /** An 'inspect' answer (for this view or the inspector's). */
  setData(m) {
    this.data = m;
    if (store.sample !== null && store.sample >= this.count()) store.sample = 0;
    this.changed(true);
    if (this.open !== null) this.drawExpert();
  }

  /** Shows test sample `i`'s routing (null: the batch mean); `tell` lets the inspector follow. */
  setSample(i, tell = false) {
    if (store.sample === i) return;
    store.sample = i;
    if (i !== null && this.stale()) this.request();
    if (tell && i !== null) this.onSample(i);
    this.changed(true);
    if (this.open !== null) this.drawExpert();
  }

  stepSample(by) {
    const n = this.count() || 1;
    const from = store.sample ?? (by > 0 ? -1 : 0);
    this.setSample((from + by + n) % n, true);
  }

  /** New numbers arrived: redraw soon (at most every REDRAW_MS), or now with `now`. */
  changed(now = false) {
    if (!this.visible || !this.parts) return;
    const due = now ? 0 : Math.max(0, this.drawAt + REDRAW_MS - performance.now());
    if (this.timer !== null) {
      if (!now) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.update();
    }, due);
  }

  /** The gate weights to show, tasks × experts (flat), and the step they belong to; null if none yet. */
  currentWeights(m) {
    const run = store.runs[m.index];
    if (!run) return null;
    if (store.sample === null) return run.gates.length ? { weights: run.gates, step: run.steps } : null;
    const g = this.data?.gates[m.index];
    if (!g?.length || store.sample >= this.count()) return null;
    const e = m.experts;
    return { weights: g.subarray(2 * store.sample * e, 2 * (store.sample + 1) * e), step: this.data.step };
  }

  // ---------- the drawing ----------

  /** Lays the model out afresh for the SVG's size (cheap: a few dozen elements). */
  build() {
    const m = this.model();
    const { width: w, height: h } = this.svg.getBoundingClientRect();
    this.svg.replaceChildren();
    this.parts = null;
    if (!m || w < 10 || h < 10) return;
    const fs = this.lecture && w > 330 ? (w > 500 ? 16 : 14) : 11;
    this.showEquations(m);
    this.svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
    this.svg.setAttribute('font-size', fs);
    const kind = m.name;
    const pad = 6;
    const gated = kind !== 'sb';
    const gw = Math.round(fs * 3.4); // a gate's box
    const lo = pad + gw + 10; // the experts' band, clear of the gates' feed lines
    const hi = w - lo;
    const taskX = [w * 0.3, w * 0.7];
    const mixX = kind === 'omoe' ? [w / 2, w / 2] : [Math.max(taskX[0], lo + fs), Math.min(taskX[1], hi - fs)];
    const r = Math.round(fs * 1.05);
    const towerH = Math.round(fs * 2);
    const towerW = Math.min(w * 0.3, fs * 11);
    const outY = pad + fs;
    const towerY = outY + 6;
    const mixY = towerY + towerH + fs + r;
    const inputH = Math.round(fs * 1.9);
    const inputY = h - pad - inputH;
    const captionY = inputY - 5; // baselines, bottom up
    const useY = captionY - fs - 6;
    const boxH = Math.max(24, Math.round(fs * 2.2));
    const boxY = useY - fs - 2 - boxH;
    const reach = gated ? this.reach(m) : [[], []];
    // Edge width = weight × maxWidth: an even split over n experts draws ~3.5 px, a gate
    // that picks one expert at most 60% of an expert's slot.
    const slot = (hi - lo) / Math.max(1, m.experts);
    const maxWidth = Math.max(4, Math.min(slot * 0.6, 3.5 * m.experts));
    const parts = { kind, experts: [], edges: [], maxWidth };

    // Input x: one bar, feeding every expert (and every gate).
    node(this.svg, 'rect', { x: pad, y: inputY, width: w - 2 * pad, height: inputH, rx: 4, fill: '#eef1f5', stroke: MUTED });
    const inputLabel = node(this.svg, 'text', { x: w / 2, y: inputY + inputH / 2 + fs * 0.35, 'text-anchor': 'middle', fill: INK });
    const d = store.shape?.width ?? store.settings.input_dim;
    inputLabel.textContent = t(store.settings.source === 'synthetic' ? 'arch.input' : 'arch.input.census', { d });
    const wires = node(this.svg, 'g', { stroke: WIRE, 'stroke-width': 1, fill: 'none' });
    const edges = node(this.svg, 'g', { fill: 'none', 'stroke-linecap': 'round', 'stroke-opacity': 0.8 });

    // Towers and outputs, one per task.
    for (let k = 0; k < 2; k++) {
      const x = taskX[k];
      node(this.svg, 'rect', { x: x - towerW / 2, y: towerY, width: towerW, height: towerH, rx: 5, fill: '#ffffff', stroke: INK, 'stroke-width': 1.2 });
      mathText(this.svg, [t('arch.tower'), ' h', ['sup', String(k + 1)]], { x, y: towerY + towerH / 2 + fs * 0.35, 'text-anchor': 'middle', fill: INK });
      mathText(this.svg, ['y', ['sub', String(k + 1)], ` · ${t('arch.task', { k: k + 1 })}`], { x, y: outY, 'text-anchor': 'middle', fill: INK, 'font-weight': 600 });
      const fromX = gated ? mixX[k] : x;
      const fromY = gated ? mixY - r : boxY;
      node(wires, 'path', { d: `M${fromX},${fromY} L${x},${towerY + towerH}`, stroke: MUTED, 'stroke-width': 1.5 });
    }

    if (!gated) {
      // Shared-Bottom: one bottom f(x) read by both towers.
      node(this.svg, 'rect', { x: lo, y: boxY, width: hi - lo, height: boxH, rx: 5, fill: '#e9edf2', stroke: INK });
      mathText(this.svg, [t('arch.bottom'), ' f(x)'], { x: w / 2, y: boxY + boxH / 2 + fs * 0.35, 'text-anchor': 'middle', fill: INK });
      const caption = node(this.svg, 'text', { x: w / 2, y: captionY, 'text-anchor': 'middle', fill: MUTED });
      caption.textContent = t('arch.bottom.units', { n: store.settings.bottom_units });
      node(wires, 'path', { d: `M${w / 2},${inputY} L${w / 2},${boxY + boxH}` });
      this.parts = parts;
      this.update();
      return;
    }

    // The experts, in a band between the gates' feed lines (CGC: task 1's own, the shared, task 2's own).
    const order = this.expertOrder(m);
    const boxW = Math.max(24, Math.min(slot - 4, fs * 4));
    order.forEach((e, s) => {
      const cx = lo + slot * (s + 0.5);
      const colour = expertColour(e);
      const g = node(this.svg, 'g', { class: 'arch-expert', tabindex: 0, role: 'button', 'data-expert': e });
      node(g, 'rect', { class: 'arch-ring', x: cx - boxW / 2 - 3, y: boxY - 3, width: boxW + 6, height: boxH + 6, rx: 7, fill: 'none' });
      const fill = node(g, 'rect', { x: cx - boxW / 2, y: boxY, width: boxW, height: boxH, rx: 5, fill: colour, 'fill-opacity': 0.15, stroke: colour, 'stroke-width': 2 });
      const label = node(g, 'text', { x: cx, y: boxY + boxH / 2 + fs * 0.35, 'text-anchor': 'middle', fill: INK, 'font-weight': 600, ...HALO });
      label.textContent = String(e + 1);
      const use = node(this.svg, 'text', { x: cx, y: useY, 'text-anchor': 'middle', fill: MUTED, 'font-size': Math.round(fs * 0.9), ...HALO });
      node(wires, 'path', { d: `M${cx},${inputY} L${cx},${boxY + boxH}` });
      g.addEventListener('click', (ev) => this.openExpert(e, ev.detail === 0));
      g.addEventListener('keydown', (ev) => {
        if (ev.key !== 'Enter' && ev.key !== ' ') return;
        ev.preventDefault();
        ev.stopPropagation();
        this.openExpert(e, true);
      });
      parts.experts[e] = { x: cx, group: g, fill, use };
    });
    this.captions(m, order, lo, slot, captionY);

    // Each task's gate (OMoE: one for both), fed by the input, and its mixture Σ.
    const gates = kind === 'omoe' ? [0] : [0, 1];
    for (const k of gates) {
      const left = k === 0;
      const gx = left ? pad : w - pad - gw;
      const gy = mixY - fs;
      node(this.svg, 'rect', { x: gx, y: gy, width: gw, height: 2 * fs, rx: 4, fill: '#fff8e6', stroke: '#b8860b' });
      mathText(this.svg, kind === 'omoe' ? ['g(x)'] : ['g', ['sup', String(k + 1)], '(x)'], { x: gx + gw / 2, y: mixY + fs * 0.35, 'text-anchor': 'middle', fill: INK });
      node(wires, 'path', { d: `M${gx + gw / 2},${inputY} L${gx + gw / 2},${gy + 2 * fs}`, stroke: '#b8860b', 'stroke-dasharray': '3 3' });
      const into = left ? mixX[k] - r : mixX[k] + r;
      node(wires, 'path', { d: `M${left ? gx + gw : gx},${mixY} L${into},${mixY}`, stroke: '#b8860b', 'stroke-width': 1.5 });
    }
    const mixes = kind === 'omoe' ? [0] : [0, 1];
    for (const k of mixes) {
      for (const e of reach[k]) {
        const from = parts.experts[e];
        const d = `M${from.x},${boxY} C${from.x},${(boxY + mixY) / 2} ${mixX[k]},${(boxY + mixY) / 2 + r} ${mixX[k]},${mixY + r}`;
        node(wires, 'path', { d });
        const path = node(edges, 'path', { d, stroke: expertColour(e), 'stroke-width': 0 });
        parts.edges.push({ expert: e, task: kind === 'omoe' ? null : k + 1, row: k, path, weight: 0, width: 0 });
      }
      node(this.svg, 'circle', { cx: mixX[k], cy: mixY, r, fill: '#ffffff', stroke: INK, 'stroke-width': 1.5 });
      const sigma = node(this.svg, 'text', { x: mixX[k], y: mixY + fs * 0.4, 'text-anchor': 'middle', fill: INK, 'font-weight': 600 });
      sigma.textContent = 'Σ';
    }
    this.parts = parts;
    this.update();
  }

  /** The experts left to right: CGC's task 1 own, then the shared, then task 2's own. */
  expertOrder(m) {
    const all = Array.from({ length: m.experts }, (_, i) => i);
    if (m.name !== 'cgc') return all;
    const own = store.settings.task_experts;
    return [...all.slice(0, own), ...all.slice(2 * own), ...all.slice(own, 2 * own)];
  }

  /** The line under the experts: what they are (CGC: whose they are). */
  captions(m, order, lo, slot, y) {
    const text = (x, s, anchor = 'middle') => {
      const el = node(this.svg, 'text', { x, y, 'text-anchor': anchor, fill: MUTED, ...HALO });
      el.textContent = s;
    };
    if (m.name !== 'cgc') {
      text(lo + (slot * m.experts) / 2, t('arch.experts', { n: m.experts, units: store.settings.expert_units }));
      return;
    }
    const own = store.settings.task_experts;
    const shared = m.experts - 2 * own;
    const groups = [
      [0, own, t('arch.own', { k: 1 })],
      [own, shared, t('arch.shared')],
      [own + shared, own, t('arch.own', { k: 2 })],
    ];
    for (const [from, n, label] of groups) if (n > 0) text(lo + slot * (from + n / 2), label);
  }

  /** Sets the edges' widths and the boxes' fills from the current weights (no new elements). */
  update() {
    this.drawAt = performance.now();
    const m = this.model();
    const parts = this.parts;
    if (!m || !parts) return;
    this.sampleText(m);
    if (parts.kind === 'sb') {
      this.weights = null;
      this.describe(m);
      return;
    }
    const now = this.currentWeights(m);
    this.weights = now?.weights ?? null;
    this.step = now?.step ?? 0;
    const e = m.experts;
    for (const edge of parts.edges) {
      edge.weight = this.weights ? this.weights[edge.row * e + edge.expert] : 0;
      edge.width = edge.weight * parts.maxWidth;
      edge.path.setAttribute('stroke-width', edge.width.toFixed(2));
    }
    const uses = this.uses(e);
    const most = Math.max(1e-9, ...uses);
    parts.experts.forEach((x, k) => {
      x.fill.setAttribute('fill-opacity', (0.1 + 0.9 * Math.min(1, uses[k] / most)).toFixed(3));
      x.use.textContent = this.weights ? `${Math.round(100 * uses[k])}%` : '';
      x.group.setAttribute('aria-label', t('arch.expert.aria', { k: k + 1, use: Math.round(100 * uses[k]) }));
    });
    this.describe(m);
  }

  /** Each expert's use: its gate weight averaged over the two tasks (as the heatmaps' "use"). */
  uses(e) {
    return Array.from({ length: e }, (_, k) => (this.weights ? (this.weights[k] + this.weights[e + k]) / 2 : 0));
  }

  /** The routing shown: the batch mean, or a test sample with its projections. */
  sampleText(m) {
    const gated = m.name !== 'sb';
    this.mean.setAttribute('aria-pressed', String(store.sample === null));
    for (const b of [this.mean, this.prev, this.next]) b.disabled = !gated;
    if (!gated) {
      this.sampleLabel.textContent = t('arch.sb.note');
    } else if (store.sample === null) {
      this.sampleLabel.textContent = t('arch.mean.note');
    } else if (store.sample < this.count() && this.data.groups) {
      const { groups, rows } = this.data.groups;
      this.sampleLabel.textContent = t('arch.person', { i: store.sample + 1, n: this.count(), group: groups[rows[store.sample]] });
    } else if (store.sample < this.count()) {
      const p = this.data.projections;
      const n = this.count();
      this.sampleLabel.textContent = t('arch.sample', { i: store.sample + 1, n, a: p[store.sample].toFixed(2), b: p[n + store.sample].toFixed(2) });
    } else {
      this.sampleLabel.textContent = t('arch.sample.wait');
    }
  }

  /** The paper's equations that apply to model `m`, and the drawing's label. */
  showEquations(m) {
    this.equations.replaceChildren(
      ...equations(m.name).map(({ eq, parts, key = 'arch.eq' }) => {
        const span = document.createElement('span');
        span.className = 'arch-eq-one';
        span.append(...mathHtml(parts), ` ${t(key, { n: eq })}`);
        return span;
      }),
    );
    this.svg.setAttribute('aria-label', t('arch.aria', { model: modelLabel(m.name) }));
  }

  /** The text alternative: every weight drawn, in words. */
  describe(m) {
    if (m.name === 'sb') {
      this.summary.textContent = t('arch.summary.sb', { n: store.settings.bottom_units });
      return;
    }
    if (!this.weights) {
      this.summary.textContent = t('arch.summary.none');
      return;
    }
    const e = m.experts;
    const rows = (m.name === 'omoe' ? [0] : [0, 1]).map((k) => {
      const list = this.reach(m)[k].map((i) => `${i + 1}: ${this.weights[k * e + i].toFixed(2)}`).join(', ');
      return t(m.name === 'omoe' ? 'arch.summary.shared' : 'arch.summary.task', { k: k + 1, list });
    });
    const what = store.sample === null ? t('arch.summary.mean', { step: this.step }) : t('arch.summary.sample', { i: store.sample + 1 });
    this.summary.textContent = `${what} ${rows.join(' ')}`;
  }

  // ---------- what an expert computes ----------

  /** Opens expert `k`'s view (with `focus`, the keyboard's: the focus moves into it). */
  openExpert(k, focus) {
    this.open = k;
    this.panel.hidden = false;
    if (this.stale()) this.request();
    this.drawExpert();
    if (focus) this.panelClose.focus();
  }

  closeExpert() {
    if (this.open === null) return;
    const k = this.open;
    this.open = null;
    this.panel.hidden = true;
    if (this.panel.contains(document.activeElement)) this.svg.querySelector(`[data-expert="${k}"]`)?.focus();
  }

  /** Expert `open`'s mean unit on every test row against w1·x and w2·x, with its read-out R². */
  drawExpert() {
    const m = this.model();
    const k = this.open;
    if (k === null || !m) return;
    this.panelTitle.textContent = t('arch.expert.title', { k: k + 1, units: store.settings.expert_units });
    const out = this.data?.outputs?.[m.index];
    const n = this.count();
    if (!out?.length || !n) {
      this.panelNote.textContent = t('arch.expert.wait');
      for (const c of this.panelCanvases) {
        fit(c);
        delete c.dataset.drawn;
      }
      return;
    }
    const e = m.experts;
    if (this.data.groups) return this.drawExpertByGroup(m, k, out, n);
    this.panelCanvases[1].hidden = false;
    const p = this.data.projections;
    let top = 0;
    for (let i = 0; i < n; i++) top = Math.max(top, out[i * e + k]);
    let most = 0;
    for (const v of p) most = Math.max(most, Math.abs(v));
    // Up to 1, 2 or 5 × 10^j, so that the axis has round ticks at both ends and at 0.
    const unit = 10 ** Math.floor(Math.log10(most || 1));
    const r = [1, 2, 5, 10].map((k) => k * unit).find((v) => v >= most);
    const readout = this.data.readout?.[m.index];
    this.panelCanvases.forEach((canvas, task) => {
      const { ctx, w, h } = fit(canvas);
      const { sx, sy } = axes(ctx, {
        w,
        h,
        xr: [-r, r],
        yr: [0, top > 0 ? top * 1.05 : 1],
        xlabel: `w${task + 1}·x`,
        ylabel: t('arch.expert.y'),
        lecture: this.lecture,
      });
      ctx.fillStyle = expertColour(k);
      ctx.globalAlpha = 0.5;
      const dot = this.lecture ? 2 : 1.4;
      for (let i = 0; i < n; i++) ctx.fillRect(sx(p[task * n + i]) - dot, sy(out[i * e + k]) - dot, 2 * dot, 2 * dot);
      ctx.globalAlpha = 1;
      if (store.sample !== null && store.sample < n) {
        ctx.strokeStyle = INK;
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.arc(sx(p[task * n + store.sample]), sy(out[store.sample * e + k]), 6, 0, 2 * Math.PI);
        ctx.stroke();
      }
      const r2 = readout?.length ? readout[k * 2 + task] : NaN;
      canvas.setAttribute('aria-label', t('arch.expert.aria.plot', { k: k + 1, t: task + 1, r2: Number.isFinite(r2) ? r2.toFixed(2) : '–' }));
      ctx.fillStyle = MUTED;
      ctx.textAlign = 'right';
      if (Number.isFinite(r2)) ctx.fillText(`R² ${r2.toFixed(2)}`, w - 12, 14);
      canvas.dataset.drawn = '1';
    });
    this.panelNote.textContent = t('arch.expert.note', { n, step: this.data.step });
  }

  /**
   * Census data: expert `k`'s mean unit averaged over the test people of each group of the
   * inspector's column (age band, sex, ...), as bars; census rows have no w·x to plot.
   */
  drawExpertByGroup(m, k, out, n) {
    const e = m.experts;
    const { groups, rows } = this.data.groups;
    const sums = new Float64Array(groups.length);
    const counts = new Float64Array(groups.length);
    for (let i = 0; i < n; i++) {
      sums[rows[i]] += out[i * e + k];
      counts[rows[i]] += 1;
    }
    const shown = groups.map((name, g) => ({ name, mean: sums[g] / counts[g], n: counts[g] })).filter((g) => g.n > 0);
    const top = Math.max(...shown.map((g) => g.mean), 0);
    const canvas = this.panelCanvases[0];
    this.panelCanvases[1].hidden = true;
    const { ctx, w, h } = fit(canvas);
    const { sx, sy } = axes(ctx, { w, h, xr: [0, shown.length], yr: [0, top > 0 ? top * 1.1 : 1], xlabel: this.data.column ?? '', ylabel: t('arch.expert.y'), lecture: this.lecture, xticks: false });
    ctx.fillStyle = expertColour(k);
    ctx.textAlign = 'center';
    shown.forEach((g, i) => {
      const x0 = sx(i + 0.15);
      const x1 = sx(i + 0.85);
      ctx.fillRect(x0, sy(g.mean), x1 - x0, sy(0) - sy(g.mean));
    });
    ctx.fillStyle = INK;
    ctx.save();
    ctx.font = `${this.lecture ? 13 : 10}px system-ui, sans-serif`;
    shown.forEach((g, i) => ctx.fillText(g.name.length > 14 ? `${g.name.slice(0, 13)}…` : g.name, sx(i + 0.5), sy(0) + 12));
    ctx.restore();
    canvas.setAttribute('aria-label', t('arch.expert.aria.groups', { k: k + 1, list: shown.map((g) => `${g.name}: ${g.mean.toFixed(2)}`).join(', ') }));
    canvas.dataset.drawn = '1';
    this.panelNote.textContent = t('arch.expert.note.groups', { n, step: this.data.step });
  }

  /** What is drawn, for tests: the model, each expert's use, each edge's weight and width. */
  state() {
    const m = this.model();
    const parts = this.parts;
    const e = m?.experts ?? 0;
    const uses = parts && parts.kind !== 'sb' ? this.uses(e) : [];
    return {
      model: m?.name ?? null,
      sample: store.sample,
      step: this.step,
      maxWidth: parts?.maxWidth ?? 0,
      experts: parts && parts.kind !== 'sb' ? uses.map((use, id) => ({ id, use })) : [],
      edges: (parts?.edges ?? []).map(({ expert, task, weight, path }) => ({ expert, task, weight, width: Number(path.getAttribute('stroke-width')) })),
      open: this.open,
    };
  }
}
