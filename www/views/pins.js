// Pinned runs: *Pin* keeps the current run's curves in the loss chart as a faint, labelled
// ghost (LossChart.pin) and its settings and final losses in the store, so that the next
// run (after a settings change or a Reset, which keep the pins) draws beside it. Up to
// MAX_PINS; the list under the chart says how each differs from the current settings.
// A link's pins (pin-link.js) are retrained in the background (pin-rebuild.js) and join
// the list when done, the same as if pinned here.

import { store } from '../state/store.js';
import { t } from '../language/i18n.js';
import { modelLabel, modelColour } from '../state/catalogue.js';
import { loss } from './readout.js';
import { rebuildPin } from '../workers/pin-rebuild.js';

export const MAX_PINS = 4;
const CURVE_ROWS = 500; // training-loss rows per model a pin keeps (snapshot, export)

/** `{key, then, now}` for every setting or the model list that differs from the current ones. */
export function settingsDiff(pin) {
  const diff = [];
  const then = pin.models.join(',');
  const now = store.models.join(',');
  if (then !== now) diff.push({ key: 'models', then, now });
  for (const [key, value] of Object.entries(pin.settings)) {
    if (store.settings[key] !== value) diff.push({ key, then: String(value), now: String(store.settings[key]) });
  }
  return diff;
}

export class Pins {
  /** `chart` (the loss chart's LossChart), `list` (the <ul>), `clear` (its button), `onChange` (redraw). */
  constructor({ chart, list, clear, onChange }) {
    Object.assign(this, { chart, list, clear, onChange });
    this.count = 0; // pins made so far: each gets the next number
    this.pending = []; // a link's pins being retrained: [{pin, done, total}]
    clear.addEventListener('click', () => this.clearAll());
    this.render();
  }

  /** Pins the current run; returns the pin, or `{error}` (a message key) when it cannot. */
  pin() {
    if (!store.runs.length || store.step === 0) return { error: 'pin.empty' };
    if (store.pinned.length + this.pending.length >= MAX_PINS) return { error: 'pin.full' };
    const pin = this.add(store.runs, { ...store.settings }, store.models.slice(), store.step, store.liveChange);
    this.chart.pin(pin.label);
    this.changed();
    return pin;
  }

  /**
   * A new pin of `runs` (RunHistory each) at `settings`, `models` and `step`: its final
   * losses (the mean of each task over the last steps, the latest test) and its curves.
   * `changed` ({key, step}) says a setting moved during the run, so the settings alone do
   * not reproduce it.
   */
  add(runs, settings, models, step, changed = null) {
    this.count += 1;
    const final = {};
    const curves = {};
    for (const run of runs) {
      const test = run.latestTest();
      final[run.name] = { steps: run.steps, train: run.recentLoss(), test: test ? [test[1], test[2]] : null };
      curves[run.name] = run.trainRows(Math.max(1, Math.ceil(run.steps / CURVE_ROWS)));
    }
    const pin = { label: t('pin.label', { n: this.count }), n: this.count, step, settings, models, final, curves, changed };
    store.pinned.push(pin);
    return pin;
  }

  /**
   * Retrains a link's pins (`pins`: pin-link.js's readPins) one after another with the
   * compiled trainer `module`, each shown as pending until it joins the list and the
   * chart. `failed(n, error)` hears a pin that could not be rebuilt.
   */
  async restore(module, pins, failed) {
    const room = Math.max(0, MAX_PINS - store.pinned.length - this.pending.length);
    const queue = pins.slice(0, room).map((pin) => ({ pin, done: 0, total: 1 }));
    this.pending.push(...queue);
    this.render();
    for (const item of queue) {
      try {
        const { runs, chunks } = await rebuildPin(module, item.pin, (done, total) => {
          Object.assign(item, { done, total });
          this.render();
        });
        const step = Math.max(...Object.values(item.pin.steps));
        const pin = this.add(runs, item.pin.settings, item.pin.models, step);
        this.chart.addPin(pin.label);
        for (const model of pin.models) for (const chunk of chunks[model] ?? []) this.chart.pushPinned(model, chunk);
      } catch (error) {
        failed(item.pin.n, error?.message ?? String(error));
      }
      this.pending.splice(this.pending.indexOf(item), 1);
      this.changed();
    }
  }

  /** Removes pinned run `i` (in pinning order). */
  unpin(i) {
    if (i < 0 || i >= store.pinned.length) return;
    store.pinned.splice(i, 1);
    this.chart.unpin(i);
    this.changed();
  }

  clearAll() {
    while (store.pinned.length) this.unpin(store.pinned.length - 1);
  }

  changed() {
    this.render();
    this.onChange();
  }

  /** The list: each pin's label, step, how its settings differ and its final losses. */
  render() {
    this.clear.hidden = store.pinned.length === 0;
    this.list.setAttribute('aria-busy', String(this.pending.length > 0));
    this.list.replaceChildren(
      ...store.pinned.map((pin, i) => {
        const li = document.createElement('li');
        const head = document.createElement('b');
        head.textContent = `${pin.label} · ${t('pin.at', { step: pin.step.toLocaleString('en-US') })}`;
        const diff = settingsDiff(pin);
        const changes = document.createElement('span');
        changes.textContent = diff.length ? diff.map((d) => t('pin.diff', d)).join(', ') : t('pin.same');
        if (pin.changed) changes.textContent += ` · ${t('pin.mixed', { key: pin.changed.key, step: pin.changed.step.toLocaleString('en-US') })}`;
        const losses = document.createElement('span');
        losses.className = 'pin-losses';
        for (const [name, f] of Object.entries(pin.final)) {
          const item = document.createElement('span');
          const swatch = document.createElement('span');
          swatch.className = 'readout-swatch';
          swatch.style.background = modelColour(name);
          item.append(swatch, t('pin.final', { model: modelLabel(name), a: loss(f.train[0]), b: loss(f.train[1]) }));
          losses.append(item);
        }
        const remove = document.createElement('button');
        remove.type = 'button';
        remove.className = 'quiet';
        remove.textContent = '×';
        remove.setAttribute('aria-label', t('pin.remove', { label: pin.label }));
        remove.addEventListener('click', () => this.unpin(i));
        li.append(head, ' ', changes, losses, remove);
        return li;
      }),
      ...this.pending.map(({ pin, done, total }) => {
        const li = document.createElement('li');
        li.className = 'pin-pending';
        li.textContent = t(done ? 'pin.rebuilding' : 'pin.queued', { models: pin.models.map(modelLabel).join(', '), pct: Math.floor((100 * done) / total) });
        return li;
      }),
    );
  }
}
