// Which experts each task's gate uses for which people (census data only): the test rows
// grouped by an input column the engineer picks (age band, sex, class of worker, weeks
// worked, ...), and per group each task's mean gate weight on every expert, from the
// same per-sample test-set gates the inspector reads. A plain table, so every number is
// readable (and focusable, with its meaning in its title) on every screen.

import { t } from '../language/i18n.js';
import { expertColour } from '../state/catalogue.js';

const DEFAULT_COLUMN = 'age';
const MIN_ROWS = 20; // smaller groups are listed but not coloured: their mean is noise

export class People {
  /**
   * @param {object} o
   * @param {HTMLElement} o.box the figure (hidden on synthetic data)
   * @param {HTMLSelectElement} o.select the column to group by
   * @param {HTMLElement} o.table where the table goes
   * @param {() => ({name, index, experts}|null)} o.model the inspector's chosen model
   * @param {() => void} o.ask asks the trainer for fresh gates and groups
   */
  constructor({ box, select, table, model, ask }) {
    Object.assign(this, { box, select, tableBox: table, modelOf: model, ask });
    this.columns = [];
    this.data = null; // {gates, groups: {groups, rows}}
    this.select.addEventListener('change', () => {
      this.data = null;
      this.draw();
      this.ask();
    });
  }

  /** New models: census input `columns` (null on synthetic data). */
  reset(columns) {
    this.columns = columns ?? [];
    this.box.hidden = !this.columns.length;
    const keep = this.select.value || DEFAULT_COLUMN;
    this.select.replaceChildren(
      ...this.columns.map((c) => {
        const o = document.createElement('option');
        o.value = c;
        o.textContent = c.replaceAll('_', ' ');
        return o;
      }),
    );
    if (this.columns.length) this.select.value = this.columns.includes(keep) ? keep : this.columns[0];
    this.data = null;
    this.draw();
  }

  /** The column to group by, or null on synthetic data. */
  column() {
    return this.columns.length ? this.select.value : null;
  }

  setData(m) {
    if (!this.columns.length || !m.groups) return;
    this.data = { gates: m.gates, groups: m.groups, step: m.step };
    this.draw();
  }

  /** Per group: row count and [task][expert] mean gate weights of the chosen model. */
  summary() {
    const model = this.modelOf();
    const g = model && this.data?.gates[model.index];
    if (!g || !g.length) return null;
    const { groups, rows } = this.data.groups;
    const e = model.experts;
    const sums = groups.map(() => [new Float64Array(e), new Float64Array(e)]);
    const counts = new Array(groups.length).fill(0);
    rows.forEach((group, i) => {
      counts[group] += 1;
      for (let task = 0; task < 2; task++) {
        const at = (2 * i + task) * e;
        for (let k = 0; k < e; k++) sums[group][task][k] += g[at + k];
      }
    });
    return groups.map((name, k) => ({
      name,
      count: counts[k],
      weights: sums[k].map((row) => Array.from(row, (v) => (counts[k] ? v / counts[k] : NaN))),
    }));
  }

  draw() {
    if (this.box.hidden) return;
    const rows = this.summary();
    if (!rows) {
      const p = document.createElement('p');
      p.className = 'hint';
      p.textContent = t(this.modelOf() ? 'people.wait' : 'inspector.none');
      this.tableBox.replaceChildren(p);
      return;
    }
    const experts = rows[0]?.weights[0].length ?? 0;
    const table = document.createElement('table');
    table.className = 'people-table';
    const head = table.createTHead().insertRow();
    const th = (text, scope = 'col') => {
      const cell = document.createElement('th');
      cell.scope = scope;
      cell.textContent = text;
      return cell;
    };
    head.append(th(this.select.value.replaceAll('_', ' ')), th(t('people.count')), th(t('people.task')));
    for (let k = 0; k < experts; k++) {
      const cell = th(`E${k + 1}`);
      cell.style.borderBottom = `3px solid ${expertColour(k)}`;
      head.append(cell);
    }
    const body = table.createTBody();
    for (const group of rows.filter((r) => r.count > 0)) {
      for (let task = 0; task < 2; task++) {
        const row = body.insertRow();
        if (task === 0) {
          const name = th(group.name, 'row');
          name.rowSpan = 2;
          const count = document.createElement('td');
          count.rowSpan = 2;
          count.textContent = group.count.toLocaleString();
          row.append(name, count);
        }
        const label = document.createElement('td');
        label.textContent = t(`people.task${task + 1}`);
        row.append(label);
        group.weights[task].forEach((w, k) => {
          const cell = row.insertCell();
          cell.textContent = w.toFixed(2);
          cell.tabIndex = 0;
          cell.title = t('people.cell', { expert: k + 1, task: task + 1, weight: w.toFixed(3), group: group.name, n: group.count });
          if (group.count >= MIN_ROWS) cell.style.background = `color-mix(in srgb, ${expertColour(k)} ${Math.round(100 * Math.min(1, w))}%, transparent)`;
          if (task === 1) row.classList.add('task2');
        });
      }
    }
    this.tableBox.replaceChildren(table);
  }

  /** What the table shows, for tests: {column, step, groups: [{name, count, weights}]}. */
  state() {
    return { column: this.column(), step: this.data?.step ?? null, groups: this.summary() ?? [] };
  }
}
