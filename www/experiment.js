// The experiment panel: repeats the paper's comparison over many seeds in a worker, with a
// progress bar, cancel, the four figures of `mmoe sweep` drawn live (by the same Rust
// code, on canvases) and the results as JSON/CSV downloads.

import { drawSweepFigure, sweepFigureSize } from './pkg/mmoe.js';
import { compiled, ready } from './wasm.js';

const $ = (id) => document.getElementById(id);
const FIGURES = 4;

let worker = null;
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
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 100) problems.push('seeds must be a whole number in 1..100');
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
  worker?.terminate();
  worker = null;
  $('experiment-run').disabled = false;
  $('experiment-cancel').disabled = true;
  setStatus(message);
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
  const perSeed = config.models.length * config.correlations.length;
  const progress = $('experiment-progress');
  progress.value = 0;
  progress.max = perSeed * config.seeds;
  $('experiment-run').disabled = true;
  $('experiment-cancel').disabled = false;
  setStatus(`Running ${perSeed * config.seeds} training runs of ${config.steps} steps in a worker…`);
  worker = new Worker(new URL('./experiment-worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data }) => {
    if (data.type === 'progress') {
      latest = data;
      progress.value = data.done;
      setStatus(`${data.done} of ${data.total} runs done.`);
      setDownloads(data);
      // Figures need every (model, correlation) group to hold at least one seed.
      if (data.done >= perSeed) scheduleDraw();
    } else if (data.type === 'finished') {
      finish(`Done: ${data.total} runs. Download the results below, or run again.`);
    } else if (data.type === 'error') {
      finish(`The experiment stopped: ${data.message}`);
    }
  };
  worker.onerror = (err) => finish(`The experiment worker crashed: ${err.message ?? 'unknown error'}. Press Run to start again.`);
  worker.postMessage({ config, module: await compiled });
}

function cancel() {
  const done = latest?.done ?? 0;
  finish(`Cancelled after ${done} runs${done ? '; the downloads hold the runs so far' : ''}.`);
}

await ready;
$('experiment-form').addEventListener('submit', start);
$('experiment-cancel').addEventListener('click', cancel);
