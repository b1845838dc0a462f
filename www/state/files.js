// Export and import on the page: the run as JSON or CSV, each chart as PNG, and loading
// settings back from a file (the picker, or a file dropped anywhere on the page). The
// file formats are in exporter.js.

import { store } from './store.js';
import { runJson, runCsv, download, downloadCanvas, readSettingsFile } from './exporter.js';
import { status } from '../views/status.js';

const $ = (id) => document.getElementById(id);

/** What the exporters write. */
function exportSource() {
  const { settings, models, step, pearson, preset, runs, pinned } = store;
  return { settings, models, step, pearson, preset, runs, pinned };
}

export const exportJson = () => runJson(exportSource());
export const exportCsv = () => runCsv(exportSource());

export class Files {
  /**
   * @param {object} o
   * @param {object} o.wasm the initialised wasm module (parsePairs)
   * @param {(parsed: {settings, models, notices}, name: string) => void} o.load applies
   *   settings read from a file
   */
  constructor({ wasm, load }) {
    this.wasm = wasm;
    this.load = load;
    $('export-json').addEventListener('click', () =>
      download(`mmoe-run-step${store.step}.json`, exportJson(), 'application/json'),
    );
    $('export-csv').addEventListener('click', () => download(`mmoe-run-step${store.step}.csv`, exportCsv(), 'text/csv'));
    document.addEventListener('click', (event) => {
      const button = event.target instanceof Element ? event.target.closest('button.png') : null;
      if (button) downloadCanvas($(button.dataset.canvas), `mmoe-${button.dataset.canvas}-step${store.step}.png`);
    });
    $('import-button').addEventListener('click', () => $('import-file').click());
    $('import-file').addEventListener('change', async () => {
      const file = $('import-file').files[0];
      if (file) this.loadText(await file.text(), file.name);
      $('import-file').value = '';
    });
    this.installDrop();
  }

  installDrop() {
    let depth = 0;
    const isFileDrag = (e) => [...(e.dataTransfer?.types ?? [])].includes('Files');
    const zone = $('drop-zone');
    document.addEventListener('dragenter', (e) => {
      if (!isFileDrag(e)) return;
      depth += 1;
      zone.hidden = false;
    });
    document.addEventListener('dragleave', (e) => {
      if (!isFileDrag(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) zone.hidden = true;
    });
    document.addEventListener('dragover', (e) => {
      if (isFileDrag(e)) e.preventDefault();
    });
    document.addEventListener('drop', async (e) => {
      if (!isFileDrag(e)) return;
      e.preventDefault();
      depth = 0;
      zone.hidden = true;
      const file = e.dataTransfer.files[0];
      if (file) this.loadText(await file.text(), file.name);
    });
  }

  /**
   * Loads settings from a file's text (an exported run, or a plain settings object):
   * every value goes through the wasm `parsePairs`, like URL parameters, and the notices
   * show what was fixed. A file that is not JSON changes nothing and says why.
   * Returns the notices, or null when the file could not be read.
   */
  loadText(text, name) {
    let parsed;
    try {
      parsed = readSettingsFile(this.wasm, text);
    } catch (error) {
      status('status.badfile', { file: name, error: error.message }, { sticky: true });
      return null;
    }
    this.load(parsed, name);
    return parsed.notices;
  }
}
