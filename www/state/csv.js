// Your own data: a CSV file picked or dropped, read in this browser only (it is never
// sent anywhere), its two label columns and their kinds chosen, then checked by the
// wasm reader (core/csv.rs) before any model is rebuilt. Everything it refuses — too
// large, not UTF-8, malformed rows, formula cells, a label that does not fit — is said
// in the panel and nothing changes.

import { t } from '../language/i18n.js';

const MAX_BYTES = 20 * 1024 * 1024; // core::csv::MAX_BYTES

export class CsvPanel {
  /**
   * @param {object} o
   * @param {object} o.wasm the page's wasm module (csvHeader, loadCsv)
   * @param {HTMLElement} o.panel the panel (its children found by id)
   * @param {(csv: {name, bytes, labels, kinds, report}) => void} o.onTrain a checked file to train on
   */
  constructor({ wasm, panel, onTrain }) {
    Object.assign(this, { wasm, panel, onTrain });
    const $ = (id) => document.getElementById(id);
    this.file = $('csv-file');
    this.message = $('csv-message');
    this.labels = [$('csv-label-1'), $('csv-label-2')];
    this.kinds = [$('csv-kind-1'), $('csv-kind-2')];
    this.train = $('csv-train');
    this.fields = $('csv-fields');
    this.loaded = null; // {name, bytes, columns}
    $('csv-open').addEventListener('click', () => this.toggle());
    this.file.addEventListener('change', () => this.file.files[0] && this.read(this.file.files[0]));
    for (const type of ['dragenter', 'dragover']) {
      panel.addEventListener(type, (e) => {
        e.preventDefault();
        panel.classList.add('dropping');
      });
    }
    panel.addEventListener('dragleave', () => panel.classList.remove('dropping'));
    panel.addEventListener('drop', (e) => {
      e.preventDefault();
      panel.classList.remove('dropping');
      const file = e.dataTransfer?.files?.[0];
      if (file) this.read(file);
    });
    this.train.addEventListener('click', () => this.check());
  }

  toggle(open = this.panel.hidden) {
    this.panel.hidden = !open;
    document.getElementById('csv-open').setAttribute('aria-expanded', String(open));
  }

  say(key, values, bad = false) {
    this.message.textContent = t(key, values);
    this.message.classList.toggle('bad', bad);
  }

  /** Reads a file's bytes and its header; fills the label menus (the last two columns first). */
  async read(file) {
    this.loaded = null;
    this.fields.hidden = true;
    if (file.size > MAX_BYTES) return this.say('csv.too_large', { mb: (file.size / 2 ** 20).toFixed(1) }, true);
    let bytes;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (error) {
      return this.say('csv.failed', { error: error?.message ?? error }, true);
    }
    let columns;
    try {
      columns = this.wasm.csvHeader(bytes);
    } catch (error) {
      return this.say('csv.failed', { error: error?.message ?? error }, true);
    }
    this.loaded = { name: file.name, bytes, columns };
    this.labels.forEach((select, k) => {
      select.replaceChildren(
        ...columns.map((c) => {
          const o = document.createElement('option');
          o.value = c;
          o.textContent = c;
          return o;
        }),
      );
      select.value = columns[columns.length - 2 + k];
    });
    this.fields.hidden = false;
    this.say('csv.header', { name: file.name, n: columns.length });
  }

  /** Checks the file with the chosen labels (the wasm reader); trains on it if it reads. */
  check() {
    if (!this.loaded) return;
    const labels = this.labels.map((s) => s.value);
    const kinds = this.kinds.map((s) => s.value);
    let report;
    try {
      report = this.wasm.loadCsv(this.loaded.bytes, labels, kinds);
    } catch (error) {
      return this.say('csv.failed', { error: error?.message ?? error }, true);
    }
    this.say('csv.report', summary(report, labels));
    this.onTrain({ name: this.loaded.name, bytes: this.loaded.bytes.buffer, labels, kinds, report });
  }

  /** What the panel shows, for tests. */
  state() {
    return { open: !this.panel.hidden, columns: this.loaded?.columns ?? [], message: this.message.textContent, bad: this.message.classList.contains('bad') };
  }
}

/** A report's numbers for its sentence. */
function summary(r, labels) {
  const dropped = r.dropped.map(([name, why]) => `${name} (${why})`).join('; ');
  return {
    rows: r.rows.toLocaleString(),
    train: r.train_rows.toLocaleString(),
    a: labels[0],
    b: labels[1],
    numbers: r.numeric.length,
    categories: r.categorical.length,
    dropped: dropped || '–',
    unlabelled: r.rows_without_label,
    missing: r.missing_cells,
  };
}
