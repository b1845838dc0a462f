// The settings panel: the model picks (from the catalogue), the inputs, a tooltip per
// setting (the English help comes from the Rust settings table, so it cannot drift from
// the CLI) and each change reported with how it has to be applied: live (correlation,
// learning rate: the trainer changes them while training) or by rebuilding the models.

import { store } from '../state/store.js';
import { t, has, extend } from '../language/i18n.js';
import { modelNames, modelLabel, swatch } from '../state/catalogue.js';

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
   * @param {(name: string, settings: object, notices: Array, live: boolean) => void} o.onSettings
   * @param {(models: string[]) => void} o.onModels
   * @param {(name: string) => void} o.onData the data chosen: synthetic, census1 or census2
   */
  constructor({ wasm, fields, onSettings, onModels, onData }) {
    this.wasm = wasm;
    this.fields = new Map(fields.map((f) => [f.name, f]));
    this.onSettings = onSettings;
    this.onModels = onModels;
    this.inputs = new Map();
    extend('en', Object.fromEntries(fields.map((f) => [`help.${f.name}`, f.help])));
    this.buildModelPicks();
    this.buildMoreFields();
    for (const field of fields) {
      const input = $(field.name);
      if (!input) continue;
      this.inputs.set(field.name, input);
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
      $(name).addEventListener('change', () => this.commit(name, $(name).value));
    }
    $('source').addEventListener('change', () => onData($('source').value));
    this.relabel();
  }

  /** A checkbox per model of the catalogue, with its colour and a few words. */
  buildModelPicks() {
    this.modelBoxes = modelNames().map((name) => {
      const label = document.createElement('label');
      label.className = 'pick';
      label.dataset.model = name;
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.name = 'models';
      box.value = name;
      const text = document.createElement('span');
      const b = document.createElement('b');
      b.textContent = modelLabel(name);
      const small = document.createElement('small');
      small.dataset.i18n = `pick.${name}`;
      text.append(b, small);
      label.append(box, swatch(name), text);
      box.addEventListener('change', () => {
        const models = this.checkedModels();
        if (models.length === 0) {
          box.checked = true;
          this.onSettings('models', store.settings, [{ kind: 'one_model', model: modelLabel(name) }], false);
          return;
        }
        this.onModels(models);
      });
      return box;
    });
    $('model-picks').replaceChildren(...this.modelBoxes.map((box) => box.parentElement));
  }

  /** One labelled input per setting that has no place in the main panel. */
  buildMoreFields() {
    const box = $('more-fields');
    for (const field of this.fields.values()) {
      if ($(field.name)) continue;
      const label = document.createElement('label');
      label.className = 'field';
      const name = document.createElement('span');
      name.className = 'field-name';
      name.dataset.field = field.name;
      const input = document.createElement('input');
      input.id = field.name;
      input.name = field.name;
      input.type = 'number';
      input.inputMode = field.integer ? 'numeric' : 'decimal';
      label.append(name, input);
      box.append(label);
    }
  }

  /** A setting's name in the current language (its field name when untranslated). */
  label(name) {
    return has(`field.${name}`) ? t(`field.${name}`) : name.replaceAll('_', ' ');
  }

  /** Re-words the tooltips and the generated labels in the current language. */
  relabel() {
    for (const [name, input] of this.inputs) input.title = t(`help.${name}`);
    for (const el of document.querySelectorAll('#more-fields .field-name')) el.textContent = this.label(el.dataset.field);
    for (const box of this.modelBoxes) {
      box.parentElement.title = t(`desc.${box.value}`);
      box.parentElement.querySelector('small').textContent = t(`pick.${box.value}`);
    }
    for (const name of ['task1', 'task2']) $(name).title = t('task.type.title', { t: name.slice(-1) });
  }

  checkedModels() {
    // Keep the catalogue's order whatever order they were ticked in.
    return modelNames().filter((m) => this.modelBoxes.find((b) => b.value === m)?.checked);
  }

  /**
   * Reads a typed value together with every other current setting, through the same
   * rules as URL parameters (so a value that breaks another setting's rule, like a
   * training set smaller than the batch, fixes that setting and says so), then reports it.
   */
  commit(name, raw) {
    const pairs = Object.entries({ ...store.settings, [name]: raw }).map(([k, v]) => [k, String(v)]);
    const parsed = this.wasm.parsePairs(pairs);
    const input = this.inputs.get(name);
    if (input) input.value = show(parsed.settings[name]);
    if (name === 'correlation') $('correlation-out').textContent = Number(parsed.settings[name]).toFixed(2);
    this.onSettings(name, parsed.settings, parsed.notices, LIVE.has(name));
  }

  /** Shows a whole state (settings and models) in the inputs. */
  set(state) {
    for (const [name, input] of this.inputs) {
      if (name in state.settings) input.value = show(state.settings[name]);
    }
    $('correlation-out').textContent = Number(state.settings.correlation).toFixed(2);
    $('task1').value = state.settings.task1;
    $('task2').value = state.settings.task2;
    $('source').value = state.settings.source;
    for (const box of this.modelBoxes) box.checked = state.models.includes(box.value);
  }
}
