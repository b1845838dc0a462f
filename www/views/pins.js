// Pinned runs: *Pin* keeps the current run's curves in the loss chart as a faint, labelled
// ghost (LossChart.pin) and its settings and final losses in the store, so that the next
// run (after a settings change or a Reset, which keep the pins) draws beside it. Up to
// MAX_PINS; the list under the chart says how each differs from the current settings.

import { store } from '../state/store.js';
import { t } from '../language/i18n.js';
import { modelLabel, modelColour } from '../state/catalogue.js';
import { loss } from './readout.js';

export const MAX_PINS = 4;

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
    clear.addEventListener('click', () => this.clearAll());
    this.render();
  }

  /** Pins the current run; returns the pin, or `{error}` (a message key) when it cannot. */
  pin() {
    if (!store.runs.length || store.step === 0) return { error: 'pin.empty' };
    if (store.pinned.length >= MAX_PINS) return { error: 'pin.full' };
    this.count += 1;
    const final = {};
    for (const run of store.runs) {
      const test = run.latestTest();
      final[run.name] = { steps: run.steps, train: run.recentLoss(), test: test ? [test[1], test[2]] : null };
    }
    const pin = {
      label: t('pin.label', { n: this.count }),
      n: this.count,
      step: store.step,
      settings: { ...store.settings },
      models: store.models.slice(),
      final,
    };
    store.pinned.push(pin);
    this.chart.pin(pin.label);
    this.changed();
    return pin;
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
    this.list.replaceChildren(
      ...store.pinned.map((pin, i) => {
        const li = document.createElement('li');
        const head = document.createElement('b');
        head.textContent = `${pin.label} · ${t('pin.at', { step: pin.step.toLocaleString('en-US') })}`;
        const diff = settingsDiff(pin);
        const changes = document.createElement('span');
        changes.textContent = diff.length ? diff.map((d) => t('pin.diff', d)).join(', ') : t('pin.same');
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
    );
  }
}
