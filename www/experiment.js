// The experiment panel: repeats the paper's comparison over many seeds on every core
// (one worker per core, each training whole seeds with the replica engine: the same
// runs as `mmoe sweep`), with a progress bar and the time left, cancel, the four figures
// of `mmoe sweep` drawn live (by the same Rust code, on canvases) and the results as
// JSON/CSV downloads.

import { Experiment, drawSweepFigure, sweepFigureSize } from './pkg/mmoe.js';
import { compiled, ready } from './wasm.js';

const $ = (id) => document.getElementById(id);
const FIGURES = 4;
/** Least time between two redraws of the figures and downloads while running. */
const REFRESH_MS = 1000;

let run = null; // { workers, collector, queue, steps (per seed in flight), started, perSeed, total, config }
let latest = null; // { json, csv, done, total }
let drawQueue = [];
let urls = [];

function setStatus(text) {
  $('experiment-status').textContent = text;
}

function readConfig() {
  const settings = window.mmoe?.settings?.();
  if (!settings) throw new Error('the page is still loading');
  const models = [...document.querySelectorAll('#experiment-form input[name="experiment-model"]:checked')].map((el) => el.value);
  const correlations = $('experiment-correlations').value.split(',').map((v) => v.trim()).filter(Boolean).map(Number);
  const problems = [];
  if (!models.length) problems.push('choose at least one model');
  if (!correlations.length || correlations.some((p) => !Number.isFinite(p) || p < -1 || p > 1)) {
    problems.push('correlations must be numbers in -1..1, separated by commas');
  }
  const seeds = Number($('experiment-seeds').value);
  const steps = Number($('experiment-steps').value);
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 500) problems.push('seeds must be a whole number in 1..500');
  if (!Number.isInteger(steps) || steps < 10 || steps > 20000) problems.push('steps must be a whole number in 10..20000');
  if (problems.length) throw new Error(problems.join('; '));
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

function drawNext() {
  const index = drawQueue.shift();
  if (index === undefined || !latest) return;
  const canvas = $(`experiment-fig-${index}`);
  try {
    const [w, h] = sweepFigureSize(index, latest.json);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    drawSweepFigure(canvas, index, latest.json);
    canvas.dataset.drawn = String(latest.done);
  } catch (err) {
    setStatus(`Could not draw a figure: ${err.message ?? err}`);
  }
  if (drawQueue.length) requestAnimationFrame(drawNext);
}

function finish(message) {
  run?.workers.forEach((w) => w.terminate());
  run?.collector.free();
  run = null;
  $('experiment-run').disabled = false;
  $('experiment-cancel').disabled = true;
  setStatus(message);
}

const minutes = (ms) => {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
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
  const eta = Number.isFinite(left) ? `, about ${minutes(left)} left` : '';
  setStatus(`${run.collector.done()} of ${run.total} runs done on ${run.workers.length} cores${eta}.`);
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
  worker.postMessage({ type: 'seed', seed });
}

function onMessage(worker, data) {
  if (!run) return;
  if (data.type === 'ready') {
    handOut(worker);
  } else if (data.type === 'progress') {
    run.steps.set(data.seed, data.step);
    showProgress();
  } else if (data.type === 'seed-done') {
    run.steps.delete(data.seed);
    run.collector.addCells(data.cells);
    handOut(worker);
    const all = run.collector.done() === run.total;
    refresh(all);
    if (all) {
      $('experiment-progress').value = run.total;
      const took = minutes(performance.now() - run.started);
      finish(`Done: ${run.total} runs in ${took}. Download the results below, or run again.`);
    } else {
      showProgress();
    }
  } else if (data.type === 'error') {
    finish(`The experiment stopped: ${data.message}`);
  }
}

async function start(event) {
  event.preventDefault();
  let config;
  try {
    config = readConfig();
  } catch (err) {
    setStatus(`Cannot start: ${err.message}.`);
    return;
  }
  finish('');
  latest = null;
  setDownloads(null);
  let collector;
  try {
    collector = new Experiment(config);
  } catch (err) {
    setStatus(`Cannot start: ${err.message ?? err}.`);
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
  setStatus(`Running ${total} training runs of ${config.steps} steps on ${cores} cores…`);
  const queue = Array.from({ length: config.seeds }, (_, i) => config.first_seed + i);
  run = { workers: [], collector, queue, steps: new Map(), started: performance.now(), refreshed: 0, perSeed, total, config };
  const module = await compiled;
  const current = run;
  for (let i = 0; i < cores; i++) {
    const worker = new Worker(new URL('./experiment-worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data }) => run === current && onMessage(worker, data);
    worker.onerror = (err) => run === current && finish(`The experiment worker crashed: ${err.message ?? 'unknown error'}. Press Run to start again.`);
    worker.postMessage({ type: 'init', module, config });
    run.workers.push(worker);
  }
}

function cancel() {
  const done = run?.collector.done() ?? 0;
  if (run && done) refresh(true);
  finish(`Cancelled after ${done} runs${done ? '; the downloads hold the runs so far' : ''}.`);
}

/** The paper's Figure 5 protocol (section 5.3): 200 runs of each model at p = 1 and 0.5. */
function figure5() {
  const models = ['sb', 'omoe', 'mmoe'];
  document.querySelectorAll('#experiment-form input[name="experiment-model"]').forEach((el) => {
    el.checked = models.includes(el.value);
  });
  $('experiment-correlations').value = '1, 0.5';
  $('experiment-seeds').value = '200';
  setStatus('Set up the paper’s Figure 5: 3 models × 2 correlations × 200 seeds. Press Run.');
}

await ready;
$('experiment-form').addEventListener('submit', start);
$('experiment-figure5').addEventListener('click', figure5);
$('experiment-cancel').addEventListener('click', cancel);
