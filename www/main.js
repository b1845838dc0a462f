// Page wiring: starts the trainers (the models split over worker threads, trainers.js,
// all instantiating the module wasm.js compiled once), keeps the store (store.js) up to
// date from their messages, and connects the controls, the charts, the tour, the files,
// the URL and the test handle. Training never runs on this thread.

import * as wasm from './pkg/mmoe.js';
import { compiled, ready as wasmReady } from './workers/wasm.js';
import { store, RunHistory } from './state/store.js';
import { ToTrainer, FromTrainer, message } from './state/messages.js';
import { applyCatalogue, modelLabel, modelColour } from './state/catalogue.js';
import { Charts } from './views/charts.js';
import { Controls } from './views/controls.js';
import { readQuery, writeQuery, replaceUrl, copyText, SPEEDS } from './state/url-state.js';
import { t, translate, setLang } from './language/i18n.js';
import { PRESETS, presetQuery } from './state/presets.js';
import { Tour } from './views/tour.js';
import { installShortcuts, blurAfterPointer } from './views/keyboard.js';
import { Files, exportJson, exportCsv } from './state/files.js';
import { Inspector } from './views/inspector.js';
import { Architecture } from './views/architecture.js';
import { LabelCurve } from './views/label-curve.js';
import { DataView } from './views/data-view.js';
import { Figure4, FIGURE4_P } from './views/figure4.js';
import { Readout, loss } from './views/readout.js';
import { Pins, MAX_PINS } from './views/pins.js';
import { pinsParam } from './state/pin-link.js';
import { figure4Seeds } from './state/plan.js';
import { Trainers } from './workers/trainers.js';
import { censusBytes } from './state/census.js';
import { People } from './views/people.js';
import { AucChart } from './views/auc-chart.js';
import { CsvPanel } from './state/csv.js';
import { installHandle } from './state/handle.js';
import { Table } from './views/table.js';
import { status, showIdle, settleStatus, setIdleStatus, relabelStatus, showNotices, renderNotices, noticeText } from './views/status.js';
import { explain, fixFor, GATE_DROPOUT_FIX } from './views/diagnosis.js';

const $ = (id) => document.getElementById(id);
const LINK_SHOWN_MS = 2000;

let readyResolve;
const ready = new Promise((resolve) => (readyResolve = resolve));
const parts = { trainers: null, charts: null, auc: null, csv: null, inspector: null, people: null, architecture: null, controls: null, tour: null, table: new Table(), labelCurve: null, dataView: null, figure4: null, pins: null };
const messageTiming = { total: 0, max: 0 };

const post = (type, fields) => parts.trainers?.postMessage(message(type, fields));

setIdleStatus(() => {
  if (!store.info.length) return '';
  const names = store.info.map((m) => modelLabel(m.name)).join(', ');
  const values = { names, n: (store.shape?.rows ?? store.settings.train_samples).toLocaleString(), seed: store.settings.seed };
  // Streaming data has no training set to count: every row is a fresh sample.
  const data = store.settings.streaming ? '.streaming' : '';
  return t(`${store.running ? 'status.training' : 'status.paused'}${data}`, values);
});

function showCrash(text) {
  store.running = false;
  updatePlayButton();
  $('crash-message').textContent = text;
  $('crash').hidden = false;
  status('status.crashed', {}, { sticky: true });
}

// ---------- the trainers ----------

function startTrainers() {
  parts.trainers?.terminate();
  parts.trainers = new Trainers(compiled);
  parts.trainers.onmessage = (event) => onTrainerMessage(event.data);
  parts.trainers.onerror = (event) => {
    event.preventDefault();
    showCrash(event.message || t('crash.worker'));
  };
  parts.trainers.onmessageerror = () => showCrash(t('crash.message'));
  post(ToTrainer.SPEED, { value: store.speed });
}

/** Census or CSV data: a fixed table, no task correlation p. */
const isCensus = (settings) => settings.source !== 'synthetic';

/** Rebuilds the models from the store's settings; `reason` ({key, values}) goes to the status line. */
function build(reason) {
  store.resumeAfterBuild = store.running || store.resumeAfterBuild;
  store.running = false;
  store.liveChange = null;
  updatePlayButton();
  setButtons(false);
  if (reason) status(reason.key, reason.values);
  document.body.dataset.source = store.settings.source;
  if (store.settings.source === 'csv' && !store.csv) return csvMissing();
  if (store.settings.source.startsWith('census') && !store.census) return loadCensus(reason);
  // The first build comes before the views exist (the trainers load while the page sets up).
  // Figure 4 is about the synthetic data's task correlation p: census data has none to vary.
  const figure4On = (parts.figure4?.on() ?? true) && !isCensus(store.settings);
  const comparison = { correlations: FIGURE4_P, seeds: parts.figure4?.k ?? store.figure4Seeds ?? figure4Seeds(), on: figure4On };
  const census = store.settings.source.startsWith('census') ? store.census : null;
  const csv = store.settings.source === 'csv' ? store.csv : null;
  post(ToTrainer.INIT, { settings: store.settings, models: store.models, comparison, costs: stepCosts(), census, csv });
  // Start training the moment the models exist, without waiting for a round trip.
  if (store.resumeAfterBuild || store.autoplay) post(ToTrainer.PLAY);
}

/**
 * Fetches the census data once, then builds; if it cannot be had, says why and goes back
 * to the synthetic data (what the user set is kept but the data choice, and the message
 * says so).
 */
function loadCensus(reason) {
  const started = performance.now();
  status('status.census.loading');
  censusBytes().then(
    (bytes) => {
      store.census = bytes;
      store.censusMs = performance.now() - started;
      build(reason);
    },
    (error) => censusFailed(error?.message ?? String(error)),
  );
}

/** A link with source=csv: the file is never in a link, so back to the synthetic data. */
function csvMissing() {
  load(wasm.withDataPreset(store.settings, 'paper'), store.models, null);
  status('csv.missing', {}, { sticky: true });
}

/** A CSV checked by the panel: train every chosen model on it, its label kinds as the tasks'. */
function trainCsv(csv) {
  store.csv = csv;
  $('source').querySelector('option[value="csv"]').disabled = false;
  const settings = { ...store.settings, source: 'csv', task1: csv.kinds[0], task2: csv.kinds[1], streaming: false };
  store.preset = null;
  load(settings, store.models, { key: 'status.csv', values: { name: csv.name } });
}

function censusFailed(error) {
  store.census = null;
  const settings = wasm.withDataPreset(store.settings, 'paper');
  load(settings, store.models.length ? store.models : ['sb', 'omoe', 'mmoe'], null);
  status('status.census.failed', { error }, { sticky: true });
}

/** FLOPs per training step of each chosen model (what the trainers balance their workers by). */
function stepCosts() {
  try {
    const costs = wasm.Playground.stepCosts(store.settings, store.models);
    return Object.fromEntries(store.models.map((m, i) => [m, costs[i]]));
  } catch {
    return {}; // invalid settings: the workers say so; every model costs alike meanwhile
  }
}

function onTrainerMessage(m) {
  const started = performance.now();
  handleTrainerMessage(m);
  const took = performance.now() - started;
  messageTiming.total += took;
  messageTiming.max = Math.max(messageTiming.max, took);
}

function onReady(m) {
  store.generation = m.generation;
  store.info = m.models;
  store.runs = m.models.map((info) => new RunHistory(info));
  store.step = 0;
  store.pearson = m.pearson;
  store.constantLoss = m.constant;
  $('pearson').textContent = m.pearson.toFixed(3);
  parts.people.reset(m.columns);
  lossHint(); // evaluations every eval_every steps, which a data choice changes
  store.shape = { width: m.width, rows: m.rows };
  $('census-pearson').textContent = m.pearson.toFixed(3);
  const group = store.settings.source;
  if (group.startsWith('census')) $('census-tasks').textContent = t('census.tasks', { a: t(`${group}.task1`), b: t(`${group}.task2`) });
  parts.charts.reset(store.info, store.settings);
  parts.pins.render(); // how each pin differs from the settings now
  parts.inspector.reset(store.info);
  parts.architecture.reset();
  store.comparison = parts.figure4.reset(m.comparison, store.settings);
  $('diverged').hidden = true;
  setButtons(true);
  refresh(true);
  readyResolve();
  // The label curve's worker waits for the first training step when training starts now.
  if (!(store.resumeAfterBuild || store.autoplay)) parts.labelCurve.start();
  if (store.resumeAfterBuild || store.autoplay) {
    store.autoplay = false;
    store.resumeAfterBuild = false;
    play();
  } else {
    settleStatus();
  }
}

function onData(m) {
  if (m.generation !== store.generation) return; // from models that no longer exist
  for (const d of m.models) {
    const run = store.runs[d.index];
    run.record(d.train, d.test, m.testStride);
    run.setGates(d.gates, d.entropy, d.trail);
    run.setTestGates(d.testGates, d.testEntropy);
    parts.charts.pushTrain(d.index, d.train);
    parts.charts.pushTest(d.index, d.test, m.testStride);
    parts.charts.setGates(d.index, d.gates, d.entropy);
  }
  if (m.comparison) parts.figure4.push(m.comparison);
  parts.architecture.changed();
  store.step = m.step;
  if (store.step > 0 && store.firstStepAt === null) {
    store.firstStepAt = performance.now();
    parts.labelCurve.start();
  }
  refresh(!store.running);
}

function handleTrainerMessage(m) {
  switch (m.type) {
    case FromTrainer.READY:
      return onReady(m);
    case FromTrainer.DATA:
      return onData(m);
    case FromTrainer.STATE:
      store.running = m.running;
      if (!store.running) parts.inspector.ask();
      updatePlayButton();
      refresh(true);
      if (m.allDiverged) status('status.alldiverged', {}, { sticky: true });
      else showIdle();
      return;
    case FromTrainer.CORRELATION: {
      store.pearson = m.pearson;
      store.constantLoss = m.constant;
      $('pearson').textContent = m.pearson.toFixed(3);
      const value = Number(m.value).toFixed(2);
      if (m.step > 0) parts.charts.mark(m.step, `p=${value}`);
      status('status.correlation', { value, step: m.step, pearson: m.pearson.toFixed(3) });
      return;
    }
    case FromTrainer.LR:
      return status('status.lr', { value: m.value, step: m.step });
    case FromTrainer.DIVERGED: {
      const run = store.runs.find((r) => r.name === m.model);
      if (!run) return;
      Object.assign(run, { diverged: { text: m.message, step: m.step }, diagnosis: m.diagnosis ?? null });
      parts.charts.mark(...troubleMark(run));
      return refresh(true);
    }
    case FromTrainer.DIAGNOSIS: {
      const run = store.runs.find((r) => r.name === m.model);
      if (!run || m.generation !== store.generation) return;
      run.diagnosis = m.diagnosis;
      parts.charts.mark(...troubleMark(run));
      return refresh(true);
    }
    case FromTrainer.ERROR:
      if (m.request === ToTrainer.INIT && isCensus(store.settings)) return censusFailed(m.message);
      status('status.failed', { request: m.request, error: m.message }, { sticky: true });
      return setButtons(m.request !== ToTrainer.INIT);
    case FromTrainer.INSPECT:
      if (m.generation !== store.generation) return;
      parts.inspector.setData(m);
      parts.people.setData(m);
      parts.architecture.setData(m);
      return;
    case FromTrainer.FATAL:
      return showCrash(m.message);
  }
}

/**
 * The loss chart's marker for a run's trouble, [step, label]: where it diverged (models
 * diverging a few steps apart share one marker), or where a blow-up or stall began (the
 * spike, or the last step the loss improved); null before it is known.
 */
function troubleMark(run) {
  if (run.diverged) {
    const near = store.runs.filter((r) => r.diverged && Math.abs(r.diverged.step - run.diverged.step) <= 10).map((r) => modelLabel(r.name));
    return [run.diverged.step, t('diverged.mark', { models: near.join(', ') })];
  }
  return run.diagnosis && run.asked ? [run.diagnosis.onset, t(`trouble.mark.${run.asked}`, { model: modelLabel(run.name) })] : null;
}

/** The counters, the table, the tour's verdict and the trouble toast (throttled unless `force`). */
function refresh(force) {
  parts.table.counters(force);
  parts.auc?.draw();
  if (parts.table.render(force)) {
    parts.tour.verdict();
    showTrouble();
  }
}

/** Pins the current run (pins.js), or says why it cannot. */
function pin() {
  const pinned = parts.pins.pin();
  if (pinned.error) status(pinned.error, { max: MAX_PINS });
  else status('pin.done', { label: pinned.label });
  return pinned;
}

/**
 * The loss chart's read-out at `step`: each model's training losses there (both tasks)
 * and its latest test evaluation at or before it.
 */
function lossRows(step) {
  const rows = [{ label: t('readout.step', { step: step.toLocaleString('en-US') }), text: t('readout.tasks') }];
  for (const run of store.runs) {
    const train = run.trainAt(step);
    const test = run.testRows().findLast((r) => r[0] <= step);
    const parts = [train ? t('readout.train', { a: loss(train[0]), b: loss(train[1]) }) : t('readout.thinned')];
    if (test) parts.push(t('readout.test', { a: loss(test[1]), b: loss(test[2]), step: test[0].toLocaleString('en-US') }));
    rows.push({ label: modelLabel(run.name), colour: modelColour(run.name), text: parts.join('; ') });
  }
  return rows;
}

/**
 * Diverged, blown-up or stalled models: which, what happened, why (the trainer's diagnosis,
 * asked for once per model and kind of trouble), and the one-click fix the cause calls for.
 */
function showTrouble() {
  const bad = store.runs.map((run) => [run, run.diverged ? 'diverged' : run.health(store.constantLoss)]).filter(([, kind]) => kind);
  if (!bad.length) {
    $('diverged').hidden = true;
    return;
  }
  for (const [run, kind] of bad) {
    if (kind === 'diverged' || run.asked === kind) continue;
    run.asked = kind;
    post(ToTrainer.DIAGNOSE, { model: run.name });
  }
  const diverged = bad.some(([, kind]) => kind === 'diverged');
  const head = $('diverged-head');
  head.dataset.i18n = diverged ? 'diverged.head' : 'trouble.head';
  head.textContent = t(head.dataset.i18n);
  // Per model: what happened, then (once measured) why, each a line of plain text.
  $('diverged-message').replaceChildren(
    ...bad.flatMap(([run, kind]) => {
      const [l1, l2] = run.recentLoss();
      const step = kind === 'diverged' ? run.diverged.step : run.steps;
      const tasks = run.stalledTasks(store.constantLoss).join(', ');
      const d = run.diagnosis;
      const key = d?.cause ? `trouble.${kind}.short` : `trouble.${kind}`;
      const what = t(key, { model: modelLabel(run.name), step, tasks, text: run.diverged?.text, loss: Math.max(l1, l2).toPrecision(3) });
      // A divergence's marker is shared by the models that diverged within a few steps of it.
      const where = kind === 'diverged' ? t('trouble.onset.diverged') : t('trouble.onset', { step: d?.onset });
      const why = d ? `${explain(run.name, d, store.settings.lr)} ${where}` : '';
      return [line('trouble-what', what), ...(why ? [line('trouble-why', why)] : [])];
    }),
  );
  // A loss that only stalls, with no cause measured, points to a learning rate far too high only when it is high.
  const fallback = bad.every(([, kind]) => kind === 'stalled') && store.settings.lr < HIGH_LR ? null : 'lr';
  const fix = fixFor(bad.map(([run]) => run.diagnosis)) ?? fallback;
  const button = $('diverged-fix');
  button.dataset.fix = fix ?? '';
  button.textContent = fix === 'dropout' ? t('fix.dropout', { p: GATE_DROPOUT_FIX }) : t('diverged.fix', { lr: lowerLr() });
  button.hidden = !fix;
  $('diverged').hidden = $('diverged').dataset.dismissed === String(store.generation);
}

/** A line of the trouble toast: a block span of plain text. */
function line(className, text) {
  const span = document.createElement('span');
  span.className = className;
  span.textContent = text;
  return span;
}

const HIGH_LR = 0.1; // ten times the default
const lowerLr = () => Math.max(Number((store.settings.lr * 0.1).toPrecision(6)), 1e-6);

// ---------- actions ----------

function play() {
  if (!parts.trainers || !store.info.length) return;
  store.running = true;
  post(ToTrainer.PLAY);
  updatePlayButton();
  showIdle();
}

function pause() {
  store.running = false;
  post(ToTrainer.PAUSE);
  updatePlayButton();
  showIdle();
}

function singleStep() {
  if (store.running) pause();
  post(ToTrainer.STEP, { steps: 1 });
}

const reset = () => build({ key: 'status.reset' });

function updatePlayButton() {
  const button = $('play');
  button.querySelector('.icon').textContent = store.running ? '❚❚' : '▶';
  button.querySelector('.label').textContent = t(store.running ? 'pause' : 'play');
  button.setAttribute('aria-pressed', String(store.running));
}

function setButtons(enabled) {
  for (const id of ['play', 'single-step', 'reset', 'regenerate']) $(id).disabled = !enabled;
}

const syncUrl = () => replaceUrl(writeQuery(store, store.defaults));

/** Shows `settings` and `models` in the controls and the URL, and rebuilds the models. */
function load(settings, models, reason) {
  store.settings = settings;
  store.models = models;
  parts.controls.set(store);
  parts.tour.update();
  syncUrl();
  showData();
  build(reason);
}

/** The label curve and the data view follow the settings (p and the data law). */
function showData() {
  parts.labelCurve.setSettings(store.settings);
  parts.dataView.setSettings(store.settings);
}

/**
 * A setting typed or dragged in the panel: `settings` is the whole set after the change
 * (parsed like URL parameters, so a value that breaks another setting's rule fixes that
 * one), `notices` says what was fixed.
 */
function onSettings(name, settings, notices, live) {
  const changed = Object.keys(settings).filter((k) => settings[k] !== store.settings[k]);
  if (notices.length) status('status.fixed', { what: notices.map(noticeText).join('; ') });
  if (!changed.length) return;
  store.settings = settings;
  showData();
  if (notices.length) parts.controls.set(store);
  parts.tour.update();
  syncUrl();
  if (name === 'eval_every') lossHint();
  if (live && changed.length === 1 && store.info.length) {
    if (store.step > 0) store.liveChange ??= { key: name, step: store.step };
    post(name === 'lr' ? ToTrainer.LR : ToTrainer.CORRELATION, { value: settings[name] });
    return;
  }
  const key = notices.length ? null : { key: 'status.rebuilt', values: { name: parts.controls.label(name), value: settings[name] } };
  build(key);
}

function onModels(models) {
  store.models = models;
  parts.tour.update();
  syncUrl();
  build({ key: 'status.models', values: { names: models.map(modelLabel).join(', ') } });
}

/** Asks the trainers for the test rows' per-sample views (census: grouped by the people table's column). */
const inspect = () => post(ToTrainer.INSPECT, { column: parts.people.column() });

/** The data menu: a census group (its preset's training) or back to the synthetic data. */
function chooseData(name) {
  if (name === 'csv') return trainCsv(store.csv);
  const settings = wasm.withDataPreset(store.settings, name === 'synthetic' ? 'paper' : name);
  store.preset = null;
  load(settings, store.models, { key: 'status.data', values: { name: t(`data.${name}`) } });
}

function randomSeed() {
  const a = new Uint32Array(1);
  crypto.getRandomValues(a);
  return a[0];
}

// ---------- lecture mode, language ----------

function setLecture(on) {
  store.lecture = on;
  document.body.classList.toggle('lecture', on);
  $('lecture-toggle').setAttribute('aria-pressed', String(on));
  parts.charts.setLecture(on);
  parts.inspector.setLecture(on);
  parts.auc.setLecture(on);
  parts.architecture.setLecture(on);
  parts.labelCurve.setLecture(on);
  parts.dataView.setLecture(on);
  parts.figure4.setLecture(on);
  syncUrl();
}

/** The loss chart's hint (cut to one line beside the architecture drawing: whole as its tooltip). */
function lossHint() {
  const hint = $('loss-hint');
  hint.textContent = t('loss.hint', { n: store.settings.eval_every });
  hint.title = hint.textContent;
}

function applyLang(lang) {
  store.lang = setLang(lang);
  translate();
  lossHint();
  updatePlayButton();
  parts.tour.renderButtons();
  parts.tour.show();
  parts.controls.relabel();
  parts.charts.setLabels();
  parts.inspector.relabel();
  parts.architecture.relabel();
  parts.labelCurve.relabel();
  parts.dataView.relabel();
  parts.figure4.setLabels();
  parts.pins.render();
  for (const mark of store.runs.map(troubleMark)) if (mark) parts.charts.relabel(...mark);
  renderNotices();
  refresh(true);
  relabelStatus();
  syncUrl();
}

// ---------- start ----------

/** The URL's state; a `preset=N` fills in every setting and model the URL leaves out. */
function readStart() {
  const query = readQuery(wasm, window.location.search);
  const preset = PRESETS.find((p) => p.n === query.preset);
  if (!preset) return query;
  const search = new URLSearchParams(window.location.search);
  for (const [key, value] of new URLSearchParams(presetQuery(preset))) if (!search.has(key)) search.set(key, value);
  return readQuery(wasm, search.toString());
}

function wire() {
  $('play').addEventListener('click', () => (store.running ? pause() : play()));
  $('single-step').addEventListener('click', singleStep);
  $('reset').addEventListener('click', reset);
  $('regenerate').addEventListener('click', () => {
    const seed = randomSeed();
    load({ ...store.settings, seed }, store.models, { key: 'status.seed', values: { seed } });
  });
  $('speed').addEventListener('change', () => {
    store.speed = Number($('speed').value);
    if (!SPEEDS.includes(store.speed)) store.speed = 0;
    post(ToTrainer.SPEED, { value: store.speed });
    syncUrl();
  });
  $('copy-link').addEventListener('click', copyLink);
  $('notice-close').addEventListener('click', () => ($('notice').hidden = true));
  $('restart').addEventListener('click', () => {
    $('crash').hidden = true;
    startTrainers();
    build({ key: 'status.restarted' });
  });
  $('diverged-fix').addEventListener('click', () => {
    store.resumeAfterBuild = true;
    if ($('diverged-fix').dataset.fix === 'dropout') {
      const p = GATE_DROPOUT_FIX;
      return load({ ...store.settings, gate_dropout: p }, store.models, { key: 'status.dropout', values: { p } });
    }
    const lr = lowerLr();
    load({ ...store.settings, lr }, store.models, { key: 'status.lowered', values: { lr } });
  });
  $('diverged-close').addEventListener('click', () => {
    $('diverged').dataset.dismissed = String(store.generation);
    $('diverged').hidden = true;
  });
  $('lecture-toggle').addEventListener('click', () => setLecture(!store.lecture));
  $('lang-toggle').addEventListener('click', () => applyLang(store.lang === 'zh' ? 'en' : 'zh'));
  blurAfterPointer();
  return installShortcuts({
    overlay: $('shortcuts'),
    openButton: $('help-toggle'),
    closeButton: $('shortcuts-close'),
    actions: {
      playPause: () => store.info.length && (store.running ? pause : play)(),
      step: () => store.info.length && singleStep(),
      reset: () => store.info.length && reset(),
      preset: (n) => parts.tour.apply(n),
      lecture: () => setLecture(!store.lecture),
      figure4: () => document.querySelector('.figure4-grid').scrollIntoView({ block: 'start' }),
      fullscreen: () => {
        if (document.fullscreenElement) document.exitFullscreen?.();
        else document.documentElement.requestFullscreen?.().catch(() => {});
      },
    },
  });
}

/**
 * Copies a link to this view: the settings, and the pinned runs whose settings reproduce
 * them (a pin whose run had a setting changed mid-run is left out, and the status says so).
 * Only the copied link carries pins, not the address bar: a reload would retrain them all.
 */
async function copyLink() {
  const link = new URL(window.location.href);
  const query = writeQuery({ ...store, autoplay: store.running }, store.defaults);
  const carried = store.pinned.filter((p) => !p.changed);
  const pins = pinsParam(carried, store.defaults);
  link.search = pins ? `${query}&pins=${pins}` : query;
  const out = $('link-out');
  out.value = link.href;
  out.classList.add('shown');
  const copied = await copyText(link.href);
  const button = $('copy-link');
  button.dataset.i18n = copied ? 'copied' : 'copy';
  button.textContent = t(button.dataset.i18n);
  const left = store.pinned.filter((p) => p.changed).map((p) => p.label);
  if (!copied) {
    out.focus();
    out.select();
    status('status.copyfailed');
  } else if (left.length) {
    status('status.copiedpins', { labels: left.join(', ') });
  } else {
    status(store.running ? 'status.copiedplay' : 'status.copied');
  }
  setTimeout(() => {
    button.dataset.i18n = 'copy';
    button.textContent = t('copy');
  }, LINK_SHOWN_MS);
}

async function main() {
  // The trainer workers start (and build their instances) while this thread sets up.
  startTrainers();
  await wasmReady;
  applyCatalogue();
  store.defaults = wasm.defaultSettings();
  const query = readStart();
  Object.assign(store, {
    settings: query.settings,
    models: query.models,
    speed: query.speed,
    lecture: query.lecture,
    autoplay: query.autoplay,
    preset: query.preset,
    figure4Seeds: query.figure4Seeds,
    lang: setLang(query.lang ?? 'en'),
  });
  // A link never carries a CSV file: a link asking for one starts on the synthetic data.
  const csvAsked = store.settings.source === 'csv';
  if (csvAsked) store.settings = wasm.withDataPreset(store.settings, 'paper');
  // Build the models now: the workers generate the data while this thread sets up the
  // page (nothing below awaits, so READY is handled only once the page is set up).
  post(ToTrainer.SPEED, { value: store.speed });
  build();
  translate();
  showNotices(query.notices);
  document.body.classList.toggle('lecture', store.lecture);
  $('lecture-toggle').setAttribute('aria-pressed', String(store.lecture));

  parts.charts = new Charts(wasm, { lossCanvas: $('loss-chart'), heatmapBox: $('heatmaps') });
  new Readout({ canvas: $('loss-chart'), chart: () => parts.charts.loss, rows: lossRows, last: () => store.step });
  parts.pins = new Pins({ chart: parts.charts.loss, list: $('pins'), clear: $('pins-clear'), onChange: () => parts.charts.request() });
  $('pin').addEventListener('click', pin);
  if (query.pins.length) parts.pins.restore(compiled, query.pins, (n, error) => status('pin.failed', { n, error }, { sticky: true }));
  parts.charts.setLecture(store.lecture);
  parts.inspector = new Inspector({
    select: $('inspector-model'),
    scatter: $('inspector-scatter'),
    sample: $('inspector-sample'),
    similarity: $('inspector-similarity'),
    spread: $('inspector-spread'),
    readoutCanvas: $('inspector-readout'),
    sampleLabel: $('inspector-sample-label'),
    summary: $('inspector-summary'),
    none: $('inspector-none'),
    card: $('inspector'),
    request: inspect,
    onPick: (i) => parts.architecture.setSample(i),
  });
  parts.csv = new CsvPanel({ wasm, panel: $('csv-panel'), onTrain: trainCsv });
  parts.auc = new AucChart({ box: $('auc'), canvases: [0, 1].map((i) => $(`auc-${i}`)) });
  parts.auc.setLecture(store.lecture);
  parts.people = new People({
    box: $('people'),
    select: $('people-column'),
    table: $('people-table'),
    model: () => parts.inspector.model(),
    ask: () => parts.inspector.ask(true),
  });
  $('inspector-model').addEventListener('change', () => parts.people.draw());
  parts.inspector.setLecture(store.lecture);
  parts.architecture = new Architecture({
    card: $('arch-card'),
    svg: $('architecture'),
    select: $('arch-model'),
    mean: $('arch-mean'),
    prev: $('arch-prev'),
    next: $('arch-next'),
    sampleLabel: $('arch-sample'),
    equations: $('arch-eq'),
    summary: $('arch-summary'),
    panel: $('arch-panel'),
    panelTitle: $('arch-panel-title'),
    panelClose: $('arch-panel-close'),
    panelCanvases: [0, 1].map((i) => $(`arch-panel-${i}`)),
    panelNote: $('arch-panel-note'),
    request: inspect,
    onSample: (i) => parts.inspector.pick(i),
  });
  parts.architecture.setLecture(store.lecture);
  parts.labelCurve = new LabelCurve({ canvas: $('label-curve'), note: $('label-curve-note'), compiled });
  parts.dataView = new DataView({ canvases: [0, 1, 2].map((i) => $(`data-${i}`)), readout: $('data-readout'), box: $('data-view') });
  parts.figure4 = new Figure4(wasm, {
    canvases: [0, 1].map((i) => $(`figure4-${i}`)),
    titles: [0, 1].map((i) => $(`figure4-title-${i}`)),
    summary: $('figure4-summary'),
    toggle: $('figure4-on'),
    single: $('figure4-single'),
    seedsSelect: $('figure4-seeds'),
    onToggle: (on, id, seeds) => {
      store.figure4Seeds = seeds === figure4Seeds() ? null : seeds;
      syncUrl();
      post(ToTrainer.COMPARE, { on, id, seeds });
    },
  });
  parts.figure4.setSeeds(store.figure4Seeds ?? figure4Seeds());
  for (const part of [parts.labelCurve, parts.dataView, parts.figure4]) part.setLecture(store.lecture);
  showData();
  parts.controls = new Controls({
    wasm,
    fields: wasm.fields(),
    onSettings,
    onModels,
    onData: chooseData,
  });
  parts.controls.set(store);
  parts.tour = new Tour({ load });
  lossHint();
  parts.tour.renderButtons();
  parts.tour.update();
  $('speed').value = String(store.speed);
  // Keep `autoplay` out of the address bar once it has done its job.
  syncUrl();
  const files = new Files({
    wasm,
    load: (parsed, name) => {
      store.preset = null;
      load(parsed.settings, parsed.models ?? store.models, { key: 'status.loaded', values: { file: name } });
      showNotices(parsed.notices, 'file');
    },
  });
  const shortcuts = wire();
  if (csvAsked) status('csv.missing', {}, { sticky: true });
  installHandle({
    ready,
    play,
    pause,
    step: singleStep,
    runTo: (n) => post(ToTrainer.RUN_TO, { step: n }),
    preset: (n) => parts.tour.apply(n),
    setLecture,
    setLang: applyLang,
    inspector: () => parts.inspector.state(),
    inspectorSample: (i) => parts.inspector.sampleAt(i),
    people: () => parts.people.state(),
    csv: () => parts.csv.state(),
    architecture: () => parts.architecture.state(),
    labelCurve: () => parts.labelCurve.state(),
    dataView: () => parts.dataView.state(),
    figure4: () => parts.figure4.state(),
    figure4LossAt: (model, correlation, seed, s) => parts.figure4.lossAt(model, correlation, seed, s),
    figure4Readout: (panel, step) => parts.figure4.xOfStep(panel, step),
    pin,
    labelCurveX: (p) => parts.labelCurve.xOf(p),
    workers: () => parts.trainers.shares(),
    exportJson,
    exportCsv,
    loadSettingsText: (text, name = 'settings.json') => files.loadText(text, name),
    timings: () => ({
      firstStepMs: store.firstStepAt,
      chartDraws: parts.charts.drawCount,
      drawMs: parts.charts.drawMs,
      maxDrawMs: parts.charts.maxDrawMs,
      messageMs: messageTiming.total,
      maxMessageMs: messageTiming.max,
      workers: parts.trainers?.workerCount ?? 0,
    }),
    shortcutsOpen: () => shortcuts.isOpen(),
    crash: () => post(ToTrainer.CRASH),
    charts: parts.charts,
    wasm,
  });
}

main().catch((error) => {
  console.error(error);
  showCrash(t('crash.start', { error: error?.message ?? error }));
});
