// The test handle `window.mmoe`: what the end-to-end tests (and curious users in the
// console) read and drive. It only reads the store and calls the page's own actions.

import { store } from './store.js';
import { PRESETS } from './presets.js';
import { claimSnapshot, checkClaim } from '../views/tour.js';

const MAX_ROWS = 2000; // training-loss rows per model in a snapshot

/** Everything the tests check, as plain data. */
function snapshot() {
  const models = {};
  const claim = claimSnapshot();
  for (const run of store.runs) {
    const last = run.testRows().at(-1);
    models[run.name] = {
      steps: run.steps,
      parameters: run.parameters,
      train_loss: run.trainRows(Math.max(1, Math.ceil(run.steps / MAX_ROWS))),
      test_loss: run.testRows().map((r) => r.slice()),
      // The latest evaluation's AUC per task (null for a regression task or before one).
      test_auc: [3, 4].map((k) => (last && Number.isFinite(last[k]) ? last[k] : null)),
      gates: run.gateRows(),
      entropy: Array.from(run.entropy),
      test_gates: claim.models[run.name].test_gates,
      entropy_test: claim.models[run.name].entropy_test,
      gate_history_length: run.gateHistory().length,
      diverged: run.diverged,
      health: run.health(store.constantLoss),
      diagnosis: run.diagnosis,
    };
  }
  return {
    step: store.step,
    running: store.running,
    pearson: store.pearson,
    constant_loss: store.constantLoss,
    models,
    preset: store.preset,
    claim: checkClaim(),
    lecture: store.lecture,
    lang: store.lang,
    pinned: store.pinned.map((p) => structuredClone(p)),
    source: store.settings.source,
    census_ms: store.censusMs ?? null,
  };
}

/**
 * @param {object} page the page's actions and parts: ready, play, pause, step, post
 *   (a message to the trainers), preset, setLecture, setLang, inspector, architecture, labelCurve,
 *   dataView, figure4 (the story views' state), workers (each trainer worker's share), exportJson,
 *   exportCsv, loadSettingsText, timings, shortcutsOpen, charts, wasm
 */
export function installHandle(page) {
  window.mmoe = {
    ready: page.ready,
    snapshot,
    settings: () => ({ ...store.settings }),
    models: () => store.models.slice(),
    trainLossAt: (model, s) => store.runs.find((r) => r.name === model)?.trainAt(s) ?? null,
    play: page.play,
    pause: page.pause,
    step: page.step,
    /** Trains from where it is to exactly step `n`, then pauses; resolves at step n. */
    runTo(n) {
      page.runTo(n);
      return new Promise((resolve) => {
        const poll = () => (store.step >= n && !store.running ? resolve(snapshot()) : setTimeout(poll, 50));
        poll();
      });
    },
    preset: page.preset,
    presets: () => PRESETS.map((p) => ({ n: p.n, models: p.models, settings: p.settings, budget: p.budget, fix: p.fix ?? null })),
    setLecture: page.setLecture,
    setLang: page.setLang,
    inspector: page.inspector,
    /** Test sample `i` in the inspector's scatter: {i, x, y (CSS px in the scatter), w1x, w2x, gates [task][expert]}. */
    inspectorSample: page.inspectorSample,
    /** The census "which experts for which people" table: {column, step, groups}. */
    people: page.people,
    /** The CSV panel: {open, columns, message, bad}. */
    csv: page.csv,
    /** What the architecture drawing shows: {model, sample, step, maxWidth, experts: [{id, use}], edges: [{expert, task, weight, width}], open}. */
    architecture: page.architecture,
    labelCurve: page.labelCurve,
    labelCurveX: page.labelCurveX,
    dataView: page.dataView,
    figure4: page.figure4,
    figure4LossAt: page.figure4LossAt,
    /** Pins the current run (as the Pin button); returns the pin or {error}. */
    pin: page.pin,
    figure4Readout: page.figure4Readout,
    workers: page.workers,
    exportJson: page.exportJson,
    exportCsv: page.exportCsv,
    loadSettingsText: page.loadSettingsText,
    timings: page.timings,
    shortcutsOpen: page.shortcutsOpen,
    crashWorker: page.crash,
    _charts: page.charts,
    _wasm: page.wasm,
  };
}
