// Page wiring: starts the trainers (the models split over one worker per core,
// trainers.js, all instantiating the module wasm.js compiled once) and connects the
// controls, the charts, the URL and the test handle `window.mmoe`. Training never runs
// on this thread.

import * as wasm from './pkg/mmoe.js';
import { compiled, ready as wasmReady } from './wasm.js';
import { Charts } from './charts.js';
import { Controls } from './controls.js';
import { readQuery, writeQuery, replaceUrl, copyText, SPEEDS } from './url-state.js';
import { t, translate, setLang, getLang } from './i18n.js';
import { PRESETS, presetSettings, matches } from './presets.js';
import { installShortcuts } from './keyboard.js';
import { runJson, runCsv, download, downloadCanvas, readSettingsFile } from './exporter.js';
import { Inspector } from './inspector.js';
import { Trainers } from './trainers.js';

const $ = (id) => document.getElementById(id);
const NAMES = { sb: 'Shared-Bottom', omoe: 'OMoE', mmoe: 'MMoE', cgc: 'CGC' };

const state = {
  settings: null,
  models: [],
  speed: 0,
  lecture: false,
  autoplay: false,
  preset: null, // the guided-tour preset being shown (1–6)
  lang: 'en',
};

let defaults = null;
let charts = null;
let inspector = null;
let controls = null;
let trainers = null; // the trainer workers (trainers.js), addressed like one worker
let generation = 0; // of the models the page is showing (the trainers' build counter)
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
  const values = { names, n: state.settings.train_samples, seed: state.settings.seed };
  return t(running ? 'status.training' : 'status.paused', values);
}

function showNotices(notices, source = 'url') {
  const head = $('notice-head');
  head.dataset.i18n = source === 'file' ? 'notice.file' : 'notice.url';
  head.textContent = t(head.dataset.i18n);
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
    testGates: new Float32Array(0), // tasks × experts, test set, latest evaluation
    testEntropy: new Float32Array(0),
    gateHistory: [], // [step, ...mean gate weights of the last batch (tasks × experts)]
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

// ---------- the trainers ----------

function startTrainers() {
  trainers?.terminate();
  trainers = new Trainers(compiled);
  trainers.onmessage = (event) => onTrainerMessage(event.data);
  trainers.onerror = (event) => {
    event.preventDefault();
    showCrash(event.message || 'a trainer worker failed');
  };
  trainers.onmessageerror = () => showCrash('a message from the trainer could not be read');
  trainers.postMessage({ type: 'speed', value: state.speed });
}

function build(reason) {
  resumeAfterBuild = running || resumeAfterBuild;
  running = false;
  updatePlayButton();
  setButtons(false);
  if (reason) status(reason);
  trainers.postMessage({ type: 'init', settings: state.settings, models: state.models });
  // Start training the moment the models exist, without waiting for a round trip.
  if (resumeAfterBuild || state.autoplay) trainers.postMessage('play');
}

function onTrainerMessage(m) {
  const started = performance.now();
  handleTrainerMessage(m);
  const took = performance.now() - started;
  messageTiming.total += took;
  messageTiming.max = Math.max(messageTiming.max, took);
}

const messageTiming = { total: 0, max: 0 };
function handleTrainerMessage(m) {
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
      inspector.reset(info);
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
      m.models.forEach((d) => {
        const i = d.index;
        const run = runs[i];
        record(run, d.train, d.test, m.testStride);
        charts.pushTrain(i, d.train);
        charts.pushTest(i, d.test, m.testStride);
        if (d.gates.length) {
          run.gates = d.gates;
          run.entropy = d.entropy;
          charts.setGates(i, d.gates, d.entropy);
          for (let r = 0; r < d.trail.length; r += 1 + d.gates.length) {
            recordGates(run, d.trail[r], d.trail.subarray(r + 1, r + 1 + d.gates.length));
          }
        }
        if (d.testGates.length) {
          run.testGates = d.testGates;
          run.testEntropy = d.testEntropy;
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
      if (!running) inspector.ask();
      updatePlayButton();
      updateCounters(true);
      renderTable(true);
      if (m.reason) status(`Paused: ${m.reason}.`, { sticky: true });
      else status(idleStatus());
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
    case 'inspect':
      if (m.generation === generation) inspector.setData(m);
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
  $('diverged-fix').textContent = t('diverged.fix', { lr: Number(lower.toPrecision(3)) });
  $('diverged').hidden = false;
}

// ---------- actions ----------

function play() {
  if (!trainers || !info.length) return;
  running = true;
  trainers.postMessage('play');
  updatePlayButton();
  status(idleStatus());
}

function pause() {
  running = false;
  trainers?.postMessage('pause');
  updatePlayButton();
  status(idleStatus());
}

function singleStep() {
  if (running) pause();
  trainers.postMessage({ type: 'step', steps: 1 });
}

function updatePlayButton() {
  const button = $('play');
  button.querySelector('.icon').textContent = running ? '❚❚' : '▶';
  button.querySelector('.label').textContent = t(running ? 'pause' : 'play');
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
  presetChanged();
  syncUrl();
  if (name === 'eval_every') lossHint();
  if (kind === 'live' && info.length) {
    trainers.postMessage({ type: name === 'lr' ? 'lr' : 'correlation', value });
    return;
  }
  build(`Rebuilt the models: ${name.replaceAll('_', ' ')} = ${value}. Training starts again from step 0.`);
}

function onModels(models) {
  state.models = models;
  presetChanged();
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
    cells[6].textContent = t(run.diverged ? 'st.diverged' : running ? 'st.training' : 'st.paused');
    cells[6].className = run.diverged ? 'bad' : '';
  });
  showVerdict();
}

// ---------- gate history (for the inspector and the export) ----------

const GATE_EVERY = 10; // keep the last batch's mean gates every this many steps (as worker.js sends them)
const GATE_KEEP = 4000; // then thin to every other record

function recordGates(run, s, gates) {
  const history = run.gateHistory;
  const last = history[history.length - 1];
  const every = run.gateEvery ?? GATE_EVERY;
  if (last && s - last[0] < every) return;
  history.push([s, ...gates]);
  if (history.length > GATE_KEEP) {
    run.gateHistory = history.filter((_, k) => k % 2 === 0);
    run.gateEvery = every * 2;
  }
}

// ---------- the guided tour ----------

function presetTitle(p) {
  return `${p.n}. ${t(`p${p.n}.title`)}`;
}

function renderPresetButtons() {
  const box = $('preset-buttons');
  box.replaceChildren(
    ...PRESETS.map((p) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.preset = String(p.n);
      b.textContent = presetTitle(p);
      b.setAttribute('aria-keyshortcuts', String(p.n));
      b.title = `${t('preset.claim')}: ${t(`p${p.n}.claim`)}`;
      b.setAttribute('aria-pressed', String(state.preset === p.n));
      b.addEventListener('click', () => applyPreset(p.n));
      return b;
    }),
  );
}

function showPreset() {
  const p = PRESETS.find((x) => x.n === state.preset);
  for (const b of $('preset-buttons').children) b.setAttribute('aria-pressed', String(b.dataset.preset === String(state.preset)));
  $('preset-title').textContent = p ? presetTitle(p) : '';
  $('preset-title').hidden = !p;
  $('preset-body').dataset.i18n = p ? `p${p.n}.text` : 'preset.none';
  $('preset-body').textContent = t($('preset-body').dataset.i18n);
  $('preset-claim').hidden = !p;
  if (p) $('preset-claim-text').textContent = t(`p${p.n}.claim`);
  $('preset-fix').hidden = !(p?.fix && !Object.entries(p.fix).every(([k, v]) => state.settings[k] === v));
  showVerdict();
}

/** The light snapshot the presets' checks read (latest evaluation only). */
function claimSnapshot() {
  const models = {};
  for (const run of runs) {
    const experts = run.testGates.length / 2;
    models[run.name] = {
      test_loss: run.test.length ? [run.test[run.test.length - 1]] : [],
      test_gates: experts ? [Array.from(run.testGates.subarray(0, experts)), Array.from(run.testGates.subarray(experts))] : [],
      entropy_test: Array.from(run.testEntropy),
    };
  }
  return { step, models };
}

function showVerdict() {
  const p = PRESETS.find((x) => x.n === state.preset);
  const el = $('preset-verdict');
  if (!p || !runs.length) {
    el.textContent = '';
    return;
  }
  const evaluated = Math.min(...runs.map((r) => (r.test.length ? r.test[r.test.length - 1][0] : 0)));
  const { ok, value } = p.check(claimSnapshot(), state.settings);
  const mark = evaluated < p.budget ? '…' : ok ? '✓' : '✗';
  el.textContent = `(${t('counter.step')} ${evaluated}: ${value} ${mark})`;
  el.className = `verdict ${evaluated < p.budget ? '' : ok ? 'ok' : 'bad'}`;
}

function applyPreset(n, extra = {}) {
  const p = PRESETS.find((x) => x.n === n);
  if (!p) return;
  state.settings = presetSettings(p, defaults, extra);
  state.models = p.models.slice();
  state.preset = n;
  controls.set(state);
  syncUrl();
  showPreset();
  running = false; // a preset starts from step 0, paused unless it was playing
  build(t('status.preset', { n, title: t(`p${n}.title`) }));
}

function presetChanged() {
  const p = PRESETS.find((x) => x.n === state.preset);
  if (p && !matches(p, state.settings, state.models, defaults)) {
    state.preset = null;
    showPreset();
    $('preset-body').textContent = t('preset.changed');
  } else if (p) {
    showPreset();
  }
}

// ---------- lecture mode, language ----------

function setLecture(on) {
  state.lecture = on;
  document.body.classList.toggle('lecture', on);
  $('lecture-toggle').setAttribute('aria-pressed', String(on));
  charts.setLecture(on);
  inspector.setLecture(on);
  syncUrl();
}

function lossHint() {
  $('loss-hint').textContent = t('loss.hint', { n: state.settings.eval_every });
}

function applyLang(lang) {
  state.lang = setLang(lang);
  translate();
  lossHint();
  updatePlayButton();
  showPreset();
  renderPresetButtons();
  charts.setLabels(t);
  inspector.relabel();
  renderTable(true);
  showDiverged();
  if (info.length) status(idleStatus());
}

// ---------- the test handle ----------

function snapshot() {
  const models = {};
  const claim = claimSnapshot();
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
      test_gates: claim.models[run.name].test_gates,
      entropy_test: claim.models[run.name].entropy_test,
      gate_history_length: run.gateHistory.length,
      diverged: run.diverged,
    };
  }
  const preset = PRESETS.find((x) => x.n === state.preset);
  const check = preset && runs.length ? preset.check(claim, state.settings) : null;
  return { step, running, pearson, models, preset: state.preset, claim: check, lecture: state.lecture, lang: state.lang };
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
    /** Trains from where it is to exactly step `n`, then pauses; resolves at step n. */
    runTo(n) {
      trainers.postMessage({ type: 'runTo', step: n });
      return new Promise((resolve) => {
        const poll = () => (step >= n && !running ? resolve(snapshot()) : setTimeout(poll, 50));
        poll();
      });
    },
    preset: applyPreset,
    presets: () => PRESETS.map((p) => ({ n: p.n, models: p.models, settings: p.settings, budget: p.budget, fix: p.fix ?? null })),
    setLecture,
    setLang: applyLang,
    inspector: () => inspector.state(),
    exportJson: () => runJson(exportSource()),
    exportCsv: () => runCsv(exportSource()),
    loadSettingsText: (text, name = 'settings.json') => loadSettings(text, name),
    timings: () => ({
      firstStepMs: firstStepAt,
      chartDraws: charts.drawCount,
      drawMs: charts.drawMs,
      maxDrawMs: charts.maxDrawMs,
      messageMs: messageTiming.total,
      maxMessageMs: messageTiming.max,
      workers: trainers?.workerCount ?? 0,
    }),
    crashWorker: () => trainers.postMessage('crash'),
    _charts: charts,
    _wasm: wasm,
  };
}

function reset() {
  build(t('status.reset'));
}

// ---------- export and import ----------

function exportSource() {
  return { settings: state.settings, models: state.models, step, pearson, preset: state.preset, runs };
}

/**
 * Loads settings from a file's text (an exported run, or a plain settings object):
 * every value goes through the wasm `parsePairs`, like URL parameters, and the notices
 * show what was fixed. Nothing from the file is inserted as HTML.
 */
function loadSettings(text, name) {
  let parsed;
  try {
    parsed = readSettingsFile(wasm, text);
  } catch (error) {
    status(t('status.badfile', { file: name, error: error.message }), { sticky: true });
    return null;
  }
  state.settings = parsed.settings;
  if (parsed.models) state.models = parsed.models;
  state.preset = null;
  controls.set(state);
  showPreset();
  syncUrl();
  showNotices(parsed.notices, 'file');
  build(t('status.loaded', { file: name }));
  return parsed.notices;
}

// ---------- start ----------

async function main() {
  // The trainer workers start (and build their instances) while this thread sets up.
  startTrainers();
  await wasmReady;
  defaults = wasm.defaultSettings();
  const query = readQuery(wasm, window.location.search);
  state.settings = query.settings;
  state.models = query.models;
  state.speed = query.speed;
  state.lecture = query.lecture;
  state.autoplay = query.autoplay;
  state.preset = query.preset;
  state.lang = setLang(query.lang ?? 'en');
  // Build the models now: the workers generate the data while this thread sets up the
  // page (nothing below awaits, so 'ready' is handled only once the page is set up).
  trainers.postMessage({ type: 'speed', value: state.speed });
  build();
  translate();
  showNotices(query.notices);
  document.body.classList.toggle('lecture', state.lecture);
  $('lecture-toggle').setAttribute('aria-pressed', String(state.lecture));

  charts = new Charts(wasm, { lossCanvas: $('loss-chart'), heatmapBox: $('heatmaps'), t });
  charts.setLecture(state.lecture);
  inspector = new Inspector({
    select: $('inspector-model'),
    scatter: $('inspector-scatter'),
    sample: $('inspector-sample'),
    similarity: $('inspector-similarity'),
    spread: $('inspector-spread'),
    sampleLabel: $('inspector-sample-label'),
    summary: $('inspector-summary'),
    none: $('inspector-none'),
    card: $('inspector'),
    runs: () => runs,
    request: () => trainers?.postMessage('inspect'),
    running: () => running,
    t,
  });
  inspector.setLecture(state.lecture);
  controls = new Controls({
    wasm,
    fields: wasm.fields(),
    onSetting,
    onModels,
    onStatus: (message) => status(message),
  });
  controls.set(state);
  lossHint();
  renderPresetButtons();
  showPreset();
  if (state.preset) presetChanged();
  $('speed').value = String(state.speed);
  // Keep `autoplay` out of the address bar once it has done its job.
  syncUrl();
  installHandle();

  $('play').addEventListener('click', () => (running ? pause() : play()));
  $('single-step').addEventListener('click', singleStep);
  $('reset').addEventListener('click', reset);
  $('regenerate').addEventListener('click', () => {
    state.settings = { ...state.settings, seed: randomSeed() };
    controls.set(state);
    syncUrl();
    build(`New data and weights: seed ${state.settings.seed}.`);
  });
  $('speed').addEventListener('change', () => {
    state.speed = Number($('speed').value);
    if (!SPEEDS.includes(state.speed)) state.speed = 0;
    trainers.postMessage({ type: 'speed', value: state.speed });
    syncUrl();
  });
  $('copy-link').addEventListener('click', async () => {
    const link = new URL(window.location.href);
    link.search = writeQuery({ ...state, autoplay: running }, defaults);
    const out = $('link-out');
    out.value = link.href;
    out.classList.add('shown');
    const copied = await copyText(link.href);
    $('copy-link').textContent = t(copied ? 'copied' : 'copy');
    if (!copied) {
      out.focus();
      out.select();
      status('Select-all and copy the link shown beside the button.');
    } else {
      status('Link copied: it opens this exact setting' + (running ? ' and starts training.' : '.'));
    }
    setTimeout(() => ($('copy-link').textContent = t('copy')), 2000);
  });
  $('notice-close').addEventListener('click', () => ($('notice').hidden = true));
  $('restart').addEventListener('click', () => {
    $('crash').hidden = true;
    startTrainers();
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
  $('lecture-toggle').addEventListener('click', () => setLecture(!state.lecture));
  $('lang-toggle').addEventListener('click', () => {
    applyLang(state.lang === 'zh' ? 'en' : 'zh');
    syncUrl();
  });
  $('preset-fix').addEventListener('click', () => {
    const p = PRESETS.find((x) => x.n === state.preset);
    if (p?.fix) applyPreset(p.n, p.fix);
  });
  const shortcuts = installShortcuts({
    overlay: $('shortcuts'),
    openButton: $('help-toggle'),
    closeButton: $('shortcuts-close'),
    actions: {
      playPause: () => info.length && (running ? pause : play)(),
      step: () => info.length && singleStep(),
      reset: () => info.length && reset(),
      preset: (n) => applyPreset(n),
      lecture: () => setLecture(!state.lecture),
      fullscreen: () => {
        if (document.fullscreenElement) document.exitFullscreen?.();
        else document.documentElement.requestFullscreen?.().catch(() => {});
      },
    },
  });
  window.mmoe.shortcutsOpen = () => shortcuts.isOpen();

  $('export-json').addEventListener('click', () =>
    download(`mmoe-run-step${step}.json`, runJson(exportSource()), 'application/json'),
  );
  $('export-csv').addEventListener('click', () => download(`mmoe-run-step${step}.csv`, runCsv(exportSource()), 'text/csv'));
  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button.png') : null;
    if (button) downloadCanvas($(button.dataset.canvas), `mmoe-${button.dataset.canvas}-step${step}.png`);
  });
  $('import-button').addEventListener('click', () => $('import-file').click());
  $('import-file').addEventListener('change', async () => {
    const file = $('import-file').files[0];
    if (file) loadSettings(await file.text(), file.name);
    $('import-file').value = '';
  });
  let dragDepth = 0;
  const isFileDrag = (e) => [...(e.dataTransfer?.types ?? [])].includes('Files');
  document.addEventListener('dragenter', (e) => {
    if (!isFileDrag(e)) return;
    dragDepth += 1;
    $('drop-zone').hidden = false;
  });
  document.addEventListener('dragleave', (e) => {
    if (!isFileDrag(e)) return;
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) $('drop-zone').hidden = true;
  });
  document.addEventListener('dragover', (e) => {
    if (isFileDrag(e)) e.preventDefault();
  });
  document.addEventListener('drop', async (e) => {
    if (!isFileDrag(e)) return;
    e.preventDefault();
    dragDepth = 0;
    $('drop-zone').hidden = true;
    const file = e.dataTransfer.files[0];
    if (file) loadSettings(await file.text(), file.name);
  });
}

main().catch((error) => {
  console.error(error);
  showCrash(`The page could not start: ${error?.message ?? error}`);
});
