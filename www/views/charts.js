// Chart drawing on the main thread. The drawing itself is Rust (plotters on a canvas,
// src/web/charts/); this module sizes the canvases for the screen's pixel density and
// draws at most once per animation frame, and only when new data arrived.

import { t } from '../language/i18n.js';
import { isGated, modelLabel, modelColour } from '../state/catalogue.js';
import { PointReadout } from './readout.js';
import { store } from '../state/store.js';

const LOSS_MS = 100; // at most 10 loss-chart redraws a second while training
const HEATMAP_MS = 200;
const TASKS = 2;
// Lecture mode's large type and thick lines are for big screens; a phone keeps the normal ones.
const BIG_SCREEN = window.matchMedia('(min-width: 701px)');

/** Makes a canvas's backing store match its CSS size × devicePixelRatio; returns the ratio. */
export function fitBackingStore(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  return ratio;
}

/** The legend's name of task `k` (1, 2) with its loss, e.g. "task 1 · MSE". */
export const taskLabel = (settings, k) => t('task.label', { t: k, loss: settings[`task${k}`] === 'binary' ? 'log-loss' : 'MSE' });

export class Charts {
  constructor(wasm, { lossCanvas, heatmapBox }) {
    this.wasm = wasm;
    this.settings = null;
    this.chartWords();
    this.loss = new wasm.LossChart();
    this.lossCanvas = lossCanvas;
    this.heatmapBox = heatmapBox;
    this.heatmaps = new Map(); // model index → {canvas, gates, entropy, experts, dirty, name}
    this.lecture = false;
    this.frameRequested = false;
    this.drawCount = 0;
    this.lossAt = -Infinity;
    this.heatmapAt = -Infinity;
    this.drawMs = 0;
    this.maxDrawMs = 0;
    this.observer = new ResizeObserver((entries) => {
      for (const entry of entries) this.fitCanvas(entry.target);
      this.draw();
    });
    this.observer.observe(lossCanvas);
    BIG_SCREEN.addEventListener('change', () => this.setLecture(this.lecture));
  }

  /** Sizes a canvas's backing store and marks what it shows to be redrawn. */
  fitCanvas(canvas) {
    const ratio = fitBackingStore(canvas);
    if (canvas === this.lossCanvas) {
      this.loss.setPixelRatio(ratio);
    } else {
      for (const h of this.heatmaps.values()) if (h.canvas === canvas) h.dirty = true;
    }
  }

  /** Starts over with these models (`info`: [{name, experts}]) and task types. */
  reset(info, settings) {
    this.loss.reset(info.map((m) => m.name));
    this.settings = settings;
    this.taskLabels();
    for (const h of this.heatmaps.values()) this.observer.unobserve(h.canvas);
    this.heatmaps.clear();
    const cards = [];
    info.forEach((m, i) => {
      if (!isGated(m.name)) return;
      const card = document.createElement('div');
      card.className = 'card heatmap-card';
      card.dataset.model = m.name;
      const box = document.createElement('div');
      box.className = 'canvas-box heatmap-box';
      const canvas = document.createElement('canvas');
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', t('heat.aria', { title: t(`heat.${m.name}`) }));
      canvas.dataset.model = m.name;
      canvas.id = `heatmap-${m.name}`;
      box.append(canvas);
      const png = document.createElement('button');
      png.type = 'button';
      png.className = 'png quiet heatmap-png';
      png.dataset.canvas = canvas.id;
      png.textContent = t('png');
      png.title = t('png.title');
      png.setAttribute('aria-label', `${t('png.title')}: ${t(`heat.${m.name}`)}`);
      card.append(box, png);
      cards.push(card);
      const h = { index: i, name: m.name, canvas, experts: m.experts, gates: new Float32Array(0), entropy: new Float32Array(0), dirty: true };
      h.readout = this.cellReadout(h);
      this.heatmaps.set(i, h);
    });
    this.heatmapBox.replaceChildren(...cards);
    this.heatmapBox.dataset.count = String(cards.length);
    for (const h of this.heatmaps.values()) this.observer.observe(h.canvas);
    this.request();
  }

  taskLabels() {
    this.loss.setTaskLabels(taskLabel(this.settings, 1), taskLabel(this.settings, 2));
  }

  /** The words the Rust charts draw themselves, in the current language. */
  chartWords() {
    this.wasm.setChartWords({
      training_step: t('chart.step'),
      loss_log: t('chart.loss'),
      test: t('chart.test'),
      task: t('chart.task'),
      utilisation: t('chart.use'),
    });
  }

  /** Redraws every chart's words in the current language. */
  setLabels() {
    this.chartWords();
    if (this.settings) this.taskLabels();
    for (const h of this.heatmaps.values()) {
      h.canvas.setAttribute('aria-label', t('heat.aria', { title: t(`heat.${h.name}`) }));
      const png = h.canvas.parentElement.nextElementSibling;
      if (png) {
        png.textContent = t('png');
        png.title = t('png.title');
        png.setAttribute('aria-label', `${t('png.title')}: ${t(`heat.${h.name}`)}`);
      }
      h.dirty = true;
    }
    this.request();
  }

  setLecture(on) {
    this.lecture = on;
    this.loss.setLecture(this.big());
    for (const h of this.heatmaps.values()) h.dirty = true;
    this.request();
  }

  /** Whether the charts are drawn with lecture mode's large type. */
  big() {
    return this.lecture && BIG_SCREEN.matches;
  }

  pushTrain(i, data) {
    if (data.length) {
      this.loss.pushTrain(i, data);
      this.request();
    }
  }

  pushTest(i, data, stride) {
    if (data.length) {
      this.loss.pushTest(i, data, stride);
      this.request();
    }
  }

  setGates(i, gates, entropy) {
    const h = this.heatmaps.get(i);
    if (!h || gates.length === 0) return;
    h.gates = gates;
    h.entropy = entropy;
    h.dirty = true;
    this.request();
  }

  /**
   * A heatmap's read-out under the pointer, a tap or the arrow keys: the cell's expert,
   * task and exact weight, and what its row means. Row `TASKS` is the use row.
   */
  cellReadout(h) {
    const cell = (c) => c && { row: Math.max(0, Math.min(TASKS, c.row)), expert: Math.max(0, Math.min(h.experts - 1, c.expert)) };
    return new PointReadout({
      canvas: h.canvas,
      at: (x, y) => {
        const rects = this.cells(h);
        const k = rects.findIndex((r) => x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h);
        return k < 0 ? null : { row: Math.floor(k / h.experts), expert: k % h.experts };
      },
      rect: (c) => this.cells(h)[c.row * h.experts + c.expert] ?? null,
      rows: (c) => this.cellRows(h, c),
      move: (c, key) => {
        const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
        if (key in moves) return cell({ row: c.row + moves[key][0], expert: c.expert + moves[key][1] });
        if (key === 'Home') return { row: c.row, expert: 0 };
        if (key === 'End') return { row: c.row, expert: h.experts - 1 };
        return null;
      },
      first: () => ({ row: 0, expert: 0 }),
      same: (a, b) => a.row === b.row && a.expert === b.expert,
    });
  }

  /** Where heatmap `h`'s cells are drawn ({x, y, w, h} in CSS px, row by row), from the Rust layout. */
  cells(h) {
    if (!h.gates.length || h.canvas.width <= 1) return [];
    const flat = this.wasm.gateHeatmapCells(h.canvas.width, h.canvas.height, h.experts, TASKS, this.big(), window.devicePixelRatio || 1);
    const rects = [];
    for (let k = 0; k + 3 < flat.length; k += 4) rects.push({ x: flat[k], y: flat[k + 1], w: flat[k + 2], h: flat[k + 3] });
    return rects;
  }

  /** Cell `row`, `expert` of model `name`'s heatmap in CSS px (for tests), or null. */
  cellRect(name, row, expert) {
    const h = [...this.heatmaps.values()].find((m) => m.name === name);
    return h ? (this.cells(h)[row * h.experts + expert] ?? null) : null;
  }

  /** The read-out's rows for cell `c` of heatmap `h`: the weight (3 decimals) and what it is. */
  cellRows(h, { row, expert }) {
    const g = h.gates;
    if (!g.length) return null;
    const step = (store.runs[h.index]?.steps ?? 0).toLocaleString('en-US');
    const e = expert + 1;
    const head = { label: modelLabel(h.name), colour: modelColour(h.name) };
    if (row === TASKS) {
      let sum = 0;
      for (let k = 0; k < TASKS; k++) sum += g[k * h.experts + expert];
      const use = (sum / TASKS).toFixed(3);
      return [
        { ...head, text: t('heat.readout.use', { e, w: use }) },
        { label: '', text: t('heat.readout.use.means', { e, tasks: TASKS, step }) },
      ];
    }
    const w = g[row * h.experts + expert];
    const task = row + 1;
    const kind = w === 0 ? 'heat.readout.closed' : h.name === 'omoe' ? 'heat.readout.shared' : 'heat.readout.means';
    return [
      { ...head, text: t('heat.readout.cell', { task, e, w: w.toFixed(3) }) },
      { label: '', text: t(kind, { task, e, step }) },
    ];
  }

  mark(step, label) {
    this.loss.mark(step, label);
    this.request();
  }

  /** Relabels the marker at `step`, if one stands there. */
  relabel(step, label) {
    if (this.loss.relabel(step, label)) this.request();
  }

  /**
   * Asks for a draw in the next animation frame. While data streams in, each chart is
   * redrawn at most every LOSS_MS / HEATMAP_MS, which keeps the main thread mostly idle
   * (the trainer shares the machine's cores) and still looks live.
   */
  request() {
    if (this.frameRequested) return;
    this.frameRequested = true;
    const now = performance.now();
    let at = Infinity;
    if (this.loss.dirty) at = this.lossAt + LOSS_MS;
    if ([...this.heatmaps.values()].some((h) => h.dirty)) at = Math.min(at, this.heatmapAt + HEATMAP_MS);
    if (at === Infinity) {
      this.frameRequested = false;
      return;
    }
    const due = Math.max(0, at - now);
    const frame = () =>
      requestAnimationFrame(() => {
        this.frameRequested = false;
        this.draw({ throttle: true });
      });
    if (due > 4) setTimeout(frame, due);
    else frame();
  }

  /** Draws whatever changed (with `throttle`, only the charts whose interval is over). */
  draw({ throttle = false } = {}) {
    const started = performance.now();
    const ratio = window.devicePixelRatio || 1;
    let pending = false;
    if (this.loss.dirty && this.lossCanvas.width > 1) {
      if (throttle && started - this.lossAt < LOSS_MS) {
        pending = true;
      } else {
        this.loss.draw(this.lossCanvas);
        this.lossAt = started;
        this.drawCount += 1;
      }
    }
    // While streaming, the heatmaps (about a millisecond each) are drawn all together but
    // never in the loss chart's frame: a frame's task ends with the compositor commit of
    // every canvas it changed, which on a busy machine takes as long as the drawing.
    const lossDrawn = this.lossAt === started;
    const heatmapsDue = !throttle || (!lossDrawn && started - this.heatmapAt >= HEATMAP_MS);
    for (const h of this.heatmaps.values()) {
      if (!h.dirty || h.canvas.width <= 1) continue;
      if (!heatmapsDue) {
        pending = true;
        continue;
      }
      h.dirty = false;
      this.heatmapAt = started;
      this.wasm.drawGateHeatmap(h.canvas, h.gates, h.experts, t(`heat.${h.name}`), h.entropy, this.big(), ratio);
      if (h.gates.length) h.canvas.dataset.drawn = '1'; // with gate weights, not only its title
      h.readout.refresh();
    }
    const took = performance.now() - started;
    this.drawMs += took;
    this.maxDrawMs = Math.max(this.maxDrawMs, took);
    if (pending) this.request();
  }
}
