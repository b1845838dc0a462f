// The settings panel: reads and writes the inputs, explains each setting in a tooltip
// (the help text comes from the Rust settings table, so it cannot drift from the CLI),
// and reports each change with how it has to be applied:
//   'live'    — the worker changes it while training (correlation, learning rate)
//   'rebuild' — the models are rebuilt (sizes, seed, data, task types)

import { MODEL_NAMES } from './url-state.js';

const LIVE = new Set(['correlation', 'lr']);
const $ = (id) => document.getElementById(id);

/** Shortest readable form of a number for an input (no float noise like 0.30000000000000004). */
function show(value) {
  return String(Number.parseFloat(Number(value).toPrecision(12)));
}

export class Controls {
  /**
   * @param {object} o
   * @param {object} o.wasm the initialised wasm module (parsePairs)
   * @param {Array} o.fields the settings table (name, min, max, integer, help)
   * @param {(name: string, value: any, kind: 'live'|'rebuild') => void} o.onSetting
   * @param {(models: string[]) => void} o.onModels
   * @param {(message: string) => void} o.onStatus
   */
  constructor({ wasm, fields, onSetting, onModels, onStatus }) {
    this.wasm = wasm;
    this.fields = new Map(fields.map((f) => [f.name, f]));
    this.onSetting = onSetting;
    this.onModels = onModels;
    this.onStatus = onStatus;
    this.inputs = new Map();
    this.buildMoreFields();
    for (const field of fields) {
      const input = $(field.name);
      if (!input) continue;
      this.inputs.set(field.name, input);
      input.title = field.help;
      if (input.type !== 'range') {
        input.min = String(field.min);
        input.max = String(field.max);
        if (field.integer) input.step = '1';
        else if (!input.step) input.step = 'any';
      }
      input.addEventListener('change', () => this.commit(field.name, input.value));
    }
    const correlation = $('correlation');
    correlation.addEventListener('input', () => {
      $('correlation-out').textContent = Number(correlation.value).toFixed(2);
    });
    for (const name of ['task1', 'task2']) {
      const select = $(name);
      select.title = `Type of task ${name.slice(-1)}: regression (MSE) or binary (log-loss; AUC on the test set)`;
      select.addEventListener('change', () => this.onSetting(name, select.value, 'rebuild'));
    }
    this.modelBoxes = [...document.querySelectorAll('input[name="models"]')];
    for (const box of this.modelBoxes) {
      box.addEventListener('change', () => {
        const models = this.checkedModels();
        if (models.length === 0) {
          box.checked = true;
          this.onStatus('At least one model has to train; kept ' + box.value + '.');
          return;
        }
        this.onModels(models);
      });
    }
  }

  /** One labelled input per setting that has no place in the main panel. */
  buildMoreFields() {
    const box = $('more-fields');
    for (const field of this.fields.values()) {
      if ($(field.name)) continue;
      const label = document.createElement('label');
      label.className = 'field';
      const name = document.createElement('span');
      name.textContent = field.name.replaceAll('_', ' ');
      const input = document.createElement('input');
      input.id = field.name;
      input.name = field.name;
      input.type = 'number';
      input.inputMode = field.integer ? 'numeric' : 'decimal';
      label.append(name, input);
      box.append(label);
    }
  }

  checkedModels() {
    // Keep the canonical order (sb, omoe, mmoe, cgc) whatever order they were ticked in.
    return MODEL_NAMES.filter((m) => this.modelBoxes.find((b) => b.value === m)?.checked);
  }

  /** Clamps a typed value through the same rules as URL parameters, then reports it. */
  commit(name, raw) {
    const parsed = this.wasm.parsePairs([[name, String(raw)]]);
    const value = parsed.settings[name];
    for (const notice of parsed.notices) this.onStatus(notice);
    this.inputs.get(name).value = show(value);
    if (name === 'correlation') $('correlation-out').textContent = Number(value).toFixed(2);
    this.onSetting(name, value, LIVE.has(name) ? 'live' : 'rebuild');
  }

  /** Shows a whole state (settings and models) in the inputs. */
  set(state) {
    for (const [name, input] of this.inputs) {
      if (name in state.settings) input.value = show(state.settings[name]);
    }
    $('correlation-out').textContent = Number(state.settings.correlation).toFixed(2);
    $('task1').value = state.settings.task1;
    $('task2').value = state.settings.task2;
    for (const box of this.modelBoxes) box.checked = state.models.includes(box.value);
  }
}
