// The experiment panel: repeats the paper's comparison over many seeds in a worker, with a
// progress bar, cancel, the four figures of `mmoe sweep` drawn live (by the same Rust
// code, on canvases) and the results as JSON/CSV downloads.

import { drawSweepFigure, sweepFigureSize } from './pkg/mmoe.js';
import { compiled, ready } from './wasm.js';
import { FromExperiment } from './messages.js';
import { t, onLang, hasOwn } from './i18n.js';
import { modelNames, modelLabel } from './catalogue.js';

const $ = (id) => document.getElementById(id);
const FIGURES = 4;
const CHECKED = new Set(['sb', 'omoe', 'mmoe']); // the paper's three models, ticked at first

let worker = null;
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
  if (!models.length) problems.push(t('exp.nomodel'));
  if (!correlations.length || correlations.some((p) => !Number.isFinite(p) || p < -1 || p > 1)) {
    problems.push(t('exp.badcorr'));
  }
  const seeds = Number($('experiment-seeds').value);
  const steps = Number($('experiment-steps').value);
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 100) problems.push(t('exp.badseeds'));
  if (!Number.isInteger(steps) || steps < 10 || steps > 20000) problems.push(t('exp.badsteps'));
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
  worker?.terminate();
  worker = null;
  $('experiment-run').disabled = false;
  $('experiment-cancel').disabled = true;
  setStatus(key, values);
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
  const perSeed = config.models.length * config.correlations.length;
  const progress = $('experiment-progress');
  progress.value = 0;
  progress.max = perSeed * config.seeds;
  $('experiment-run').disabled = true;
  $('experiment-cancel').disabled = false;
  setStatus('exp.running', { n: perSeed * config.seeds, steps: config.steps });
  worker = new Worker(new URL('./experiment-worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data }) => {
    if (data.type === FromExperiment.PROGRESS) {
      latest = data;
      progress.value = data.done;
      setStatus('exp.progress', { done: data.done, total: data.total });
      setDownloads(data);
      // Figures need every (model, correlation) group to hold at least one seed.
      if (data.done >= perSeed) scheduleDraw();
    } else if (data.type === FromExperiment.FINISHED) {
      finish('exp.done', { total: data.total });
    } else if (data.type === FromExperiment.ERROR) {
      finish('exp.stopped', { error: data.message });
    }
  };
  worker.onerror = (err) => finish('exp.crashed', { error: err.message ?? '?' });
  worker.postMessage({ config, module: await compiled });
}

function cancel() {
  const done = latest?.done ?? 0;
  finish(done ? 'exp.cancelledsome' : 'exp.cancelled', { done });
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
$('experiment-cancel').addEventListener('click', cancel);
onLang(() => {
  setStatus(shown.key, shown.values);
  if (latest) scheduleDraw();
});
