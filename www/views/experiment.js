// The experiment panel: repeats the paper's comparison over many seeds on every core
// (one worker per core, each training whole seeds with the replica engine: the same
// runs as `mmoe sweep`), with a progress bar and the time left, cancel, the four figures
// of `mmoe sweep` drawn live (by the same Rust code, on canvases) and the results as
// JSON/CSV downloads.

import { Experiment, drawSweepFigure, sweepFigureSize } from '../pkg/mmoe.js';
import { compiled, ready } from '../workers/wasm.js';
import { ToExperiment, FromExperiment, message } from '../state/messages.js';
import { t, onLang, hasOwn } from '../language/i18n.js';
import { modelNames, modelLabel } from '../state/catalogue.js';

const $ = (id) => document.getElementById(id);
const FIGURES = 4;
const CHECKED = new Set(['sb', 'omoe', 'mmoe']); // the paper's three models, ticked at first
/** Least time between two redraws of the figures and downloads while running. */
const REFRESH_MS = 1000;

let run = null; // { workers, collector, queue, steps (per seed in flight), started, perSeed, total, config }
let latest = null; // { json, csv, done, total }
let drawQueue = [];
let urls = [];
let shown = { key: '', values: {} }; // the status line's text, re-worded on a language change

function setStatus(key, values = {}) {
  shown = { key, values };
  $('experiment-status').textContent = key ? t(key, values) : '';
}

/** A checkbox per model of the catalogue. */
function buildModelPicks() {
  const legend = $('experiment-models').querySelector('legend');
  $('experiment-models').replaceChildren(
    legend,
    ...modelNames().map((name) => {
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.name = 'experiment-model';
      box.value = name;
      box.checked = CHECKED.has(name);
      label.append(box, ` ${modelLabel(name)}`);
      return label;
    }),
  );
}

/** The run's configuration from the form; throws with every problem, worded for people. */
function readConfig() {
  const settings = window.mmoe?.settings?.();
  if (!settings) throw new Error(t('exp.loading'));
  const models = [...document.querySelectorAll('#experiment-form input[name="experiment-model"]:checked')].map((el) => el.value);
  const correlations = $('experiment-correlations').value.split(',').map((v) => v.trim()).filter(Boolean).map(Number);
  const problems = [];
  // The Experiment sweeps the synthetic data's task correlation p; census data has no p.
  if (settings.source !== 'synthetic') problems.push(t('exp.census'));
  if (!models.length) problems.push(t('exp.nomodel'));
  if (!correlations.length || correlations.some((p) => !Number.isFinite(p) || p < -1 || p > 1)) {
    problems.push(t('exp.badcorr'));
  }
  const seeds = Number($('experiment-seeds').value);
  const steps = Number($('experiment-steps').value);
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 500) problems.push(t('exp.badseeds'));
  if (!Number.isInteger(steps) || steps < 10 || steps > 50000) problems.push(t('exp.badsteps'));
  if (problems.length) throw new Error(problems.join(t('exp.join')));
  return {
    models,
    correlations,
    seeds,
    first_seed: settings.seed,
    steps,
    curve_every: Math.max(1, Math.floor(steps / 100)),
    base: settings,
  };
}

function setDownloads(result) {
  urls.forEach((u) => URL.revokeObjectURL(u));
  urls = [];
  for (const [id, text, type] of [
    ['experiment-json', result?.json, 'application/json'],
    ['experiment-csv', result?.csv, 'text/csv'],
  ]) {
    const link = $(id);
    link.hidden = !text;
    if (text) {
      const url = URL.createObjectURL(new Blob([text], { type }));
      urls.push(url);
      link.href = url;
    }
  }
}

// One figure per animation frame keeps every main-thread task short.
function scheduleDraw() {
  if (drawQueue.length) {
    drawQueue = [...Array(FIGURES).keys()];
    return;
  }
  drawQueue = [...Array(FIGURES).keys()];
  requestAnimationFrame(drawNext);
}

/**
 * The words the figures draw in the page's language, for figures::Words in Rust (which
 * has the English ones: a word this language lacks stays English).
 */
const figureWords = () =>
  Object.fromEntries(FIGURE_WORDS.filter((name) => hasOwn(`fig.${name}`)).map((name) => [name, t(`fig.${name}`)]));
const FIGURE_WORDS = ['loss_curves', 'trainability', 'train_panel', 'test_panel', 'jsd_panel', 'l1_panel',
  'correlation_panel', 'histogram_panel', 'task', 'step', 'correlation', 'loss', 'training_loss', 'test_loss', 'jsd', 'l1'];

/** Draws the next queued figure at the width its box is shown at, for the screen's pixels. */
function drawNext() {
  const index = drawQueue.shift();
  if (index === undefined || !latest) return;
  const canvas = $(`experiment-fig-${index}`);
  const ratio = window.devicePixelRatio || 1;
  try {
    const [w, h] = sweepFigureSize(index, latest.json, Math.round(canvas.parentElement.clientWidth));
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
    drawSweepFigure(canvas, index, latest.json, figureWords(), ratio);
    canvas.dataset.drawn = String(latest.done);
  } catch (err) {
    setStatus('exp.drawfail', { error: err.message ?? err });
  }
  if (drawQueue.length) requestAnimationFrame(drawNext);
}

function finish(key, values) {
  run?.workers.forEach((worker) => worker.terminate());
  run?.collector.free();
  run = null;
  $('experiment-run').disabled = false;
  $('experiment-cancel').disabled = true;
  setStatus(key, values);
}

/** A duration for people: "40 s", "3 min 05 s". */
const duration = (ms) => {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? t('exp.seconds', { s }) : t('exp.minutes', { m: Math.floor(s / 60), s: String(s % 60).padStart(2, '0') });
};

/** Runs done, counting the seeds in flight by their share of steps. */
function runsDone() {
  const inFlight = [...run.steps.values()].reduce((sum, step) => sum + step / run.config.steps, 0);
  return run.collector.done() + inFlight * run.perSeed;
}

function showProgress() {
  const done = runsDone();
  $('experiment-progress').value = done;
  const elapsed = performance.now() - run.started;
  const left = done > 0 ? (elapsed * (run.total - done)) / done : NaN;
  const values = { done: run.collector.done(), total: run.total, cores: run.workers.length };
  if (Number.isFinite(left)) setStatus('exp.progress.eta', { ...values, left: duration(left) });
  else setStatus('exp.progress', values);
}

function refresh(force) {
  const now = performance.now();
  if (!force && now - run.refreshed < REFRESH_MS) return;
  run.refreshed = now;
  latest = {
    json: run.collector.resultsJson(),
    csv: run.collector.resultsCsv(),
    done: run.collector.done(),
    total: run.total,
  };
  setDownloads(latest);
  // Figures need every (model, correlation) group to hold at least one seed: any
  // finished seed has them all.
  if (latest.done > 0) scheduleDraw();
}

function handOut(worker) {
  if (!run.queue.length) return;
  const seed = run.queue.shift();
  run.steps.set(seed, 0);
  worker.postMessage(message(ToExperiment.SEED, { seed }));
}

function onMessage(worker, data) {
  if (!run) return;
  if (data.type === FromExperiment.READY) {
    handOut(worker);
  } else if (data.type === FromExperiment.PROGRESS) {
    run.steps.set(data.seed, data.step);
    showProgress();
  } else if (data.type === FromExperiment.SEED_DONE) {
    run.steps.delete(data.seed);
    run.collector.addCells(data.cells);
    handOut(worker);
    const all = run.collector.done() === run.total;
    refresh(all);
    if (all) {
      $('experiment-progress').value = run.total;
      finish('exp.done', { total: run.total, took: duration(performance.now() - run.started) });
    } else {
      showProgress();
    }
  } else if (data.type === FromExperiment.ERROR) {
    finish('exp.stopped', { error: data.message });
  }
}

async function start(event) {
  event.preventDefault();
  let config;
  try {
    config = readConfig();
  } catch (err) {
    setStatus('exp.cannot', { why: err.message });
    return;
  }
  finish('');
  latest = null;
  setDownloads(null);
  let collector;
  try {
    collector = new Experiment(config);
  } catch (err) {
    setStatus('exp.cannot', { why: err.message ?? err });
    return;
  }
  const perSeed = config.models.length * config.correlations.length;
  const total = perSeed * config.seeds;
  const cores = Math.max(1, Math.min(navigator.hardwareConcurrency || 1, config.seeds));
  const progress = $('experiment-progress');
  progress.value = 0;
  progress.max = total;
  $('experiment-run').disabled = true;
  $('experiment-cancel').disabled = false;
  setStatus('exp.running', { n: total, steps: config.steps, cores });
  const queue = Array.from({ length: config.seeds }, (_, i) => config.first_seed + i);
  run = { workers: [], collector, queue, steps: new Map(), started: performance.now(), refreshed: 0, perSeed, total, config };
  const module = await compiled;
  const current = run;
  for (let i = 0; i < cores; i++) {
    const worker = new Worker(new URL('../workers/experiment-worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data }) => run === current && onMessage(worker, data);
    worker.onerror = (err) => run === current && finish('exp.crashed', { error: err.message ?? '?' });
    worker.postMessage(message(ToExperiment.INIT, { module, config }));
    run.workers.push(worker);
  }
}

function cancel() {
  const done = run?.collector.done() ?? 0;
  if (run && done) refresh(true);
  finish(done ? 'exp.cancelledsome' : 'exp.cancelled', { done });
}

/** The paper's Figure 5 protocol (section 5.3): 200 runs of each model at p = 1 and 0.5. */
function figure5() {
  const models = ['sb', 'omoe', 'mmoe'];
  document.querySelectorAll('#experiment-form input[name="experiment-model"]').forEach((el) => {
    el.checked = models.includes(el.value);
  });
  $('experiment-correlations').value = '1, 0.5';
  $('experiment-seeds').value = '200';
  setStatus('exp.fig5set');
}

await ready;
buildModelPicks();
// Redraw at the new width when the panel's width changes (a resize, a rotated phone).
let figuresWidth = 0;
new ResizeObserver(([entry]) => {
  const width = Math.round(entry.contentRect.width);
  if (width !== figuresWidth && latest) scheduleDraw();
  figuresWidth = width;
}).observe($('experiment-figures'));
$('experiment-form').addEventListener('submit', start);
$('experiment-figure5').addEventListener('click', figure5);
$('experiment-cancel').addEventListener('click', cancel);
onLang(() => {
  setStatus(shown.key, shown.values);
  if (latest) scheduleDraw();
});
