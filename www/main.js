// Page wiring: loads the wasm module (for URL parsing and charts), starts the trainer
// worker, and connects the controls, the charts, the URL and the test handle
// `window.mmoe`. Training never runs on this thread.

import init, * as wasm from './pkg/mmoe.js';
import { Charts } from './charts.js';
import { Controls } from './controls.js';
import { readQuery, writeQuery, replaceUrl, copyText, SPEEDS } from './url-state.js';

const $ = (id) => document.getElementById(id);
const NAMES = { sb: 'Shared-Bottom', omoe: 'OMoE', mmoe: 'MMoE', cgc: 'CGC' };

const state = {
  settings: null,
  models: [],
  speed: 0,
  lecture: false,
  autoplay: false,
};

let defaults = null;
let charts = null;
let controls = null;
let worker = null;
let generation = 0; // of the models the page is showing (the worker's build counter)
let running = false; // the page wants training to run
let resumeAfterBuild = false;
let step = 0;
let info = []; // [{name, experts, parameters}]
let runs = []; // per model: history and latest state
let pearson = NaN;
let firstStepAt = null;
let readyResolve;
const ready = new Promise((resolve) => (readyResolve = resolve));

// ---------- status line and banners ----------

let statusTimer = null;
function status(message, { sticky = false } = {}) {
  const el = $('status');
  el.textContent = message;
  clearTimeout(statusTimer);
  if (!sticky) statusTimer = setTimeout(() => (el.textContent = idleStatus()), 8000);
}

function idleStatus() {
  if (!info.length) return '';
  const names = info.map((m) => NAMES[m.name]).join(', ');
  return `${running ? 'Training' : 'Paused'}: ${names} on ${state.settings.train_samples} samples (seed ${state.settings.seed}).`;
}

function showNotices(notices) {
  const list = $('notice-list');
  list.replaceChildren(
    ...notices.map((text) => {
      const li = document.createElement('li');
      li.textContent = text; // never HTML: these quote the URL
      return li;
    }),
  );
  $('notice').hidden = notices.length === 0;
}

function showCrash(message) {
  running = false;
  updatePlayButton();
  $('crash-message').textContent = message;
  $('crash').hidden = false;
  status('The trainer stopped; press "Restart trainer".', { sticky: true });
}

// ---------- per-model history ----------

/** Grows a Float64Array to hold at least `n` numbers. */
function ensure(array, n) {
  if (array.length >= n) return array;
  const grown = new Float64Array(Math.max(n, array.length * 2, 4096));
  grown.set(array);
  return grown;
}

function newRun(m) {
  return {
    name: m.name,
    parameters: m.parameters,
    experts: m.experts,
    train: new Float64Array(0), // [loss 1, loss 2] at index 2 * (step - 1)
    steps: 0,
    test: [], // [step, loss 1, loss 2, auc 1, auc 2]
    gates: new Float32Array(0),
    entropy: new Float32Array(0),
    diverged: null,
  };
}

function record(run, train, test, stride) {
  for (let k = 0; k + 2 < train.length; k += 3) {
    const s = train[k];
    run.train = ensure(run.train, 2 * s);
    run.train[2 * (s - 1)] = train[k + 1];
    run.train[2 * (s - 1) + 1] = train[k + 2];
    run.steps = Math.max(run.steps, s);
  }
  for (let k = 0; k + stride - 1 < test.length; k += stride) {
    run.test.push(Array.from(test.subarray(k, k + stride)));
  }
}

/** Mean training loss of each task over the last `n` steps. */
function recentLoss(run, n = 50) {
  const from = Math.max(0, run.steps - n);
  const sums = [0, 0];
  for (let s = from; s < run.steps; s++) {
    sums[0] += run.train[2 * s];
    sums[1] += run.train[2 * s + 1];
  }
  const count = run.steps - from;
  return count ? sums.map((v) => v / count) : [NaN, NaN];
}

// ---------- the worker ----------

function startWorker() {
  worker?.terminate();
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'mmoe-trainer' });
  worker.onmessage = (event) => onWorkerMessage(event.data);
  worker.onerror = (event) => {
    event.preventDefault();
    showCrash(event.message || 'the trainer worker failed');
  };
  worker.onmessageerror = () => showCrash('a message from the trainer could not be read');
  worker.postMessage({ type: 'speed', value: state.speed });
}

function build(reason) {
  resumeAfterBuild = running || resumeAfterBuild;
  running = false;
  updatePlayButton();
  setButtons(false);
  if (reason) status(reason);
  worker.postMessage({ type: 'init', settings: state.settings, models: state.models });
}

function onWorkerMessage(m) {
  const started = performance.now();
  handleWorkerMessage(m);
  const took = performance.now() - started;
  messageTiming.total += took;
  messageTiming.max = Math.max(messageTiming.max, took);
}

const messageTiming = { total: 0, max: 0 };
function handleWorkerMessage(m) {
  switch (m.type) {
    case 'ready': {
      generation = m.generation;
      info = m.models;
      runs = info.map(newRun);
      step = 0;
      pearson = m.pearson;
      $('pearson').textContent = pearson.toFixed(3);
      charts.reset(info, state.settings);
      renderTable(true);
      $('diverged').hidden = true;
      setButtons(true);
      updateCounters(true);
      readyResolve();
      if (resumeAfterBuild || state.autoplay) {
        state.autoplay = false;
        resumeAfterBuild = false;
        play();
      } else {
        status(idleStatus());
      }
      break;
    }
    case 'data': {
      if (m.generation !== generation) return; // from models that no longer exist
      m.models.forEach((d, i) => {
        const run = runs[i];
        record(run, d.train, d.test, m.testStride);
        charts.pushTrain(i, d.train);
        charts.pushTest(i, d.test, m.testStride);
        if (d.gates.length) {
          run.gates = d.gates;
          run.entropy = d.entropy;
          charts.setGates(i, d.gates, d.entropy);
        }
      });
      step = m.step;
      if (step > 0 && firstStepAt === null) firstStepAt = performance.now(); // ms since navigation start
      updateCounters(!running);
      renderTable(!running);
      break;
    }
    case 'state':
      running = m.running;
      updatePlayButton();
      updateCounters(true);
      renderTable(true);
      if (m.reason) status(`Paused: ${m.reason}.`, { sticky: true });
      break;
    case 'correlation': {
      pearson = m.pearson;
      $('pearson').textContent = pearson.toFixed(3);
      if (m.step > 0) charts.mark(m.step, `p=${Number(m.value).toFixed(2)}`);
      status(
        `Task correlation set to ${Number(m.value).toFixed(2)} at step ${m.step} (label Pearson ${pearson.toFixed(3)}); ` +
          'same inputs, new labels, the models keep training.',
      );
      break;
    }
    case 'lr':
      status(`Learning rate set to ${m.value} at step ${m.step}; the models keep their weights.`);
      break;
    case 'diverged': {
      const i = info.findIndex((x) => x.name === m.model);
      if (i >= 0) runs[i].diverged = m.message;
      showDiverged();
      renderTable(true);
      break;
    }
    case 'error':
      status(`Could not apply ${m.request}: ${m.message}`, { sticky: true });
      setButtons(m.request !== 'init');
      break;
    case 'fatal':
      showCrash(m.message);
      break;
  }
}

function showDiverged() {
  const bad = runs.filter((r) => r.diverged);
  if (!bad.length) return;
  $('diverged-message').textContent = bad
    .map((r) => `${NAMES[r.name]} ${r.diverged}.`)
    .join(' ');
  const lower = Math.max(state.settings.lr * 0.1, 1e-6);
  $('diverged-fix').textContent = `Lower the learning rate to ${Number(lower.toPrecision(3))} and restart`;
  $('diverged').hidden = false;
}

// ---------- actions ----------

function play() {
  if (!worker || !info.length) return;
  running = true;
  worker.postMessage('play');
  updatePlayButton();
  status(idleStatus());
}

function pause() {
  running = false;
  worker?.postMessage('pause');
  updatePlayButton();
  status(idleStatus());
}

function singleStep() {
  if (running) pause();
  worker.postMessage({ type: 'step', steps: 1 });
}

function updatePlayButton() {
  const button = $('play');
  button.querySelector('.icon').textContent = running ? '❚❚' : '▶';
  button.querySelector('.label').textContent = running ? 'Pause' : 'Play';
  button.setAttribute('aria-pressed', String(running));
}

function setButtons(enabled) {
  for (const id of ['play', 'single-step', 'reset', 'regenerate']) $(id).disabled = !enabled;
}

function syncUrl() {
  return replaceUrl(writeQuery(state, defaults));
}

function onSetting(name, value, kind) {
  if (state.settings[name] === value) return;
  state.settings = { ...state.settings, [name]: value };
  syncUrl();
  if (name === 'eval_every') $('eval-every').textContent = String(value);
  if (kind === 'live' && info.length) {
    worker.postMessage({ type: name === 'lr' ? 'lr' : 'correlation', value });
    return;
  }
  build(`Rebuilt the models: ${name.replaceAll('_', ' ')} = ${value}. Training starts again from step 0.`);
}

function onModels(models) {
  state.models = models;
  syncUrl();
  build(`Rebuilt with ${models.map((m) => NAMES[m]).join(', ')}.`);
}

function randomSeed() {
  const a = new Uint32Array(1);
  crypto.getRandomValues(a);
  return a[0];
}

// ---------- counters and table ----------

const rate = { samples: [], shown: 0, last: 0 };
function updateCounters(force = false) {
  const now = performance.now();
  rate.samples.push([now, step]);
  while (rate.samples.length > 2 && now - rate.samples[0][0] > 1500) rate.samples.shift();
  if (!force && now - rate.last < 250) return;
  rate.last = now;
  $('step-count').textContent = step.toLocaleString('en-US');
  const [t0, s0] = rate.samples[0];
  const perSec = now - t0 > 200 ? ((step - s0) * 1000) / (now - t0) : 0;
  rate.shown = running ? perSec : 0;
  $('steps-per-sec').textContent = running && perSec > 0 ? Math.round(perSec).toLocaleString('en-US') : '–';
}

const fmt = (v) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(3) : v.toPrecision(3)) : '–');
let tableAt = 0;
function renderTable(force = false) {
  const now = performance.now();
  if (!force && now - tableAt < 250) return;
  tableAt = now;
  const body = $('model-rows');
  if (body.rows.length !== runs.length || force) {
    body.replaceChildren(
      ...runs.map((run) => {
        const tr = document.createElement('tr');
        tr.dataset.model = run.name;
        const name = document.createElement('th');
        name.scope = 'row';
        const swatch = document.createElement('span');
        swatch.className = `swatch ${run.name}`;
        name.append(swatch, NAMES[run.name]);
        tr.append(name);
        for (let c = 0; c < 6; c++) tr.append(document.createElement('td'));
        tr.cells[1].textContent = run.parameters.toLocaleString('en-US');
        return tr;
      }),
    );
  }
  runs.forEach((run, i) => {
    const cells = body.rows[i].cells;
    const [l1, l2] = recentLoss(run);
    cells[2].textContent = fmt(l1);
    cells[3].textContent = fmt(l2);
    const test = run.test[run.test.length - 1];
    for (const t of [0, 1]) {
      let text = test ? fmt(test[1 + t]) : '–';
      if (test && Number.isFinite(test[3 + t])) text += ` · AUC ${test[3 + t].toFixed(3)}`;
      cells[4 + t].textContent = text;
    }
    cells[6].textContent = run.diverged ? 'diverged' : running ? 'training' : 'paused';
    cells[6].className = run.diverged ? 'bad' : '';
  });
}

// ---------- the test handle ----------

function snapshot() {
  const models = {};
  for (const run of runs) {
    const every = Math.max(1, Math.ceil(run.steps / 2000));
    const train = [];
    for (let s = 1; s <= run.steps; s += every) train.push([s, run.train[2 * (s - 1)], run.train[2 * s - 1]]);
    if (run.steps > 0 && train[train.length - 1][0] !== run.steps) {
      train.push([run.steps, run.train[2 * run.steps - 2], run.train[2 * run.steps - 1]]);
    }
    const experts = run.gates.length / 2;
    models[run.name] = {
      steps: run.steps,
      parameters: run.parameters,
      train_loss: train,
      test_loss: run.test.map((r) => r.slice()),
      gates: experts ? [Array.from(run.gates.subarray(0, experts)), Array.from(run.gates.subarray(experts))] : [],
      entropy: Array.from(run.entropy),
      diverged: run.diverged,
    };
  }
  return { step, running, pearson, models };
}

function installHandle() {
  window.mmoe = {
    ready,
    snapshot,
    settings: () => ({ ...state.settings }),
    models: () => state.models.slice(),
    trainLossAt(model, s) {
      const run = runs.find((r) => r.name === model);
      if (!run || !Number.isInteger(s) || s < 1 || s > run.steps) return null;
      return [run.train[2 * (s - 1)], run.train[2 * s - 1]];
    },
    play,
    pause,
    step: singleStep,
    timings: () => ({
      firstStepMs: firstStepAt,
      chartDraws: charts.drawCount,
      drawMs: charts.drawMs,
      maxDrawMs: charts.maxDrawMs,
      messageMs: messageTiming.total,
      maxMessageMs: messageTiming.max,
    }),
    crashWorker: () => worker.postMessage('crash'),
    _charts: charts,
    _wasm: wasm,
  };
}

// ---------- start ----------

async function main() {
  await init();
  defaults = wasm.defaultSettings();
  const query = readQuery(wasm, window.location.search);
  state.settings = query.settings;
  state.models = query.models;
  state.speed = query.speed;
  state.lecture = query.lecture;
  state.autoplay = query.autoplay;
  showNotices(query.notices);
  document.body.classList.toggle('lecture', state.lecture);

  charts = new Charts(wasm, { lossCanvas: $('loss-chart'), heatmapBox: $('heatmaps') });
  charts.setLecture(state.lecture);
  controls = new Controls({
    wasm,
    fields: wasm.fields(),
    onSetting,
    onModels,
    onStatus: (message) => status(message),
  });
  controls.set(state);
  $('speed').value = String(state.speed);
  // Keep `autoplay` out of the address bar once it has done its job.
  syncUrl();
  installHandle();

  $('play').addEventListener('click', () => (running ? pause() : play()));
  $('single-step').addEventListener('click', singleStep);
  $('reset').addEventListener('click', () => build('Reset: the models restart from step 0 (same seed: same data, same initial weights).'));
  $('regenerate').addEventListener('click', () => {
    state.settings = { ...state.settings, seed: randomSeed() };
    controls.set(state);
    syncUrl();
    build(`New data and weights: seed ${state.settings.seed}.`);
  });
  $('speed').addEventListener('change', () => {
    state.speed = Number($('speed').value);
    if (!SPEEDS.includes(state.speed)) state.speed = 0;
    worker.postMessage({ type: 'speed', value: state.speed });
    syncUrl();
  });
  $('copy-link').addEventListener('click', async () => {
    const link = new URL(window.location.href);
    link.search = writeQuery({ ...state, autoplay: running }, defaults);
    const out = $('link-out');
    out.value = link.href;
    out.classList.add('shown');
    const copied = await copyText(link.href);
    $('copy-link').textContent = copied ? 'Copied ✓' : 'Copy link';
    if (!copied) {
      out.focus();
      out.select();
      status('Select-all and copy the link shown beside the button.');
    } else {
      status('Link copied: it opens this exact setting' + (running ? ' and starts training.' : '.'));
    }
    setTimeout(() => ($('copy-link').textContent = 'Copy link'), 2000);
  });
  $('notice-close').addEventListener('click', () => ($('notice').hidden = true));
  $('restart').addEventListener('click', () => {
    $('crash').hidden = true;
    startWorker();
    build('Restarted the trainer.');
  });
  $('diverged-fix').addEventListener('click', () => {
    const lr = Math.max(Number((state.settings.lr * 0.1).toPrecision(6)), 1e-6);
    state.settings = { ...state.settings, lr };
    controls.set(state);
    syncUrl();
    resumeAfterBuild = true;
    build(`Learning rate lowered to ${lr}; restarted the models.`);
  });
  document.addEventListener('keydown', (event) => {
    const target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target instanceof HTMLElement && target.closest('input, select, textarea, button, summary')) return;
    if (event.key === ' ') {
      event.preventDefault();
      if (info.length) (running ? pause : play)();
    } else if (event.key === 'ArrowRight' && info.length) {
      singleStep();
    }
  });

  startWorker();
  build();
}

main().catch((error) => {
  console.error(error);
  showCrash(`The page could not start: ${error?.message ?? error}`);
});
