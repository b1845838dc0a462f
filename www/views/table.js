// The step counter, the steps/s rate and the table of models (parameters, recent
// training loss, latest test loss, status), refreshed at most every REFRESH_MS while
// training.

import { store } from '../state/store.js';
import { t } from '../language/i18n.js';
import { modelLabel, swatch } from '../state/catalogue.js';

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 250;
const RATE_WINDOW_MS = 1500;

const fmt = (v) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(3) : v.toPrecision(3)) : '–');
const count = (v) => v.toLocaleString('en-US');

/** What a model's status cell says, and whether it is bad news. */
function runStatus(run) {
  if (run.diverged) return { text: t('st.diverged'), bad: true };
  const health = run.health(store.constantLoss);
  if (health) return { text: t(`st.${health}`), bad: true };
  return { text: t(store.running ? 'st.training' : 'st.paused'), bad: false };
}

export class Table {
  constructor() {
    this.samples = []; // [time, step] over the last RATE_WINDOW_MS
    this.countersAt = 0;
    this.tableAt = 0;
  }

  counters(force = false) {
    const now = performance.now();
    this.samples.push([now, store.step]);
    while (this.samples.length > 2 && now - this.samples[0][0] > RATE_WINDOW_MS) this.samples.shift();
    if (!force && now - this.countersAt < REFRESH_MS) return;
    this.countersAt = now;
    $('step-count').textContent = count(store.step);
    const [t0, s0] = this.samples[0];
    const perSec = now - t0 > 200 ? ((store.step - s0) * 1000) / (now - t0) : 0;
    $('steps-per-sec').textContent = store.running && perSec > 0 ? count(Math.round(perSec)) : '–';
  }

  render(force = false) {
    const now = performance.now();
    if (!force && now - this.tableAt < REFRESH_MS) return false;
    this.tableAt = now;
    const body = $('model-rows');
    if (body.rows.length !== store.runs.length || force) {
      body.replaceChildren(
        ...store.runs.map((run) => {
          const tr = document.createElement('tr');
          tr.dataset.model = run.name;
          const name = document.createElement('th');
          name.scope = 'row';
          name.append(swatch(run.name), modelLabel(run.name));
          tr.append(name);
          for (let c = 0; c < 6; c++) tr.append(document.createElement('td'));
          tr.cells[1].textContent = count(run.parameters);
          return tr;
        }),
      );
    }
    store.runs.forEach((run, i) => {
      const cells = body.rows[i].cells;
      const [l1, l2] = run.recentLoss();
      cells[2].textContent = fmt(l1);
      cells[3].textContent = fmt(l2);
      const test = run.latestTest();
      for (const k of [0, 1]) {
        let text = test ? fmt(test[1 + k]) : '–';
        if (test && Number.isFinite(test[3 + k])) text += ` · AUC ${test[3 + k].toFixed(3)}`;
        cells[4 + k].textContent = text;
      }
      const { text, bad } = runStatus(run);
      cells[6].textContent = text;
      cells[6].className = bad ? 'bad' : '';
    });
    return true;
  }
}
