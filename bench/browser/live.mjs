#!/usr/bin/env node
// The live page against TensorFlow.js, side by side in one headless Chromium run. Each
// repeat runs every configuration below once, in a fresh browser context (cold cache),
// the first one rotating between repeats so that machine noise hits them alike; every
// figure is min / median / max over the repeats.
//
//   tfjs      TF.js wasm backend, 1 thread, S.B. + OMoE + MMoE trained together: each step
//             is one step of every model, each model's losses read (bench/browser/ page)
//   trio      dist/index.html?models=sb,omoe,mmoe&autoplay=1 (Figure 4 on, the default)
//   trio-off  the same with #figure4-on unticked before Play
//   default   dist/index.html?autoplay=1 (four models + Figure 4); also its long tasks and
//             its first step after navigation
//   cores4    the default page believing it has 4 cores: how the plan shares the work
//
// Then, once each, seeds 1..N of the default page: the Figure 4 gap (OMoE / MMoE at p = 0.5
// over the same at p = 1) sampled every few seconds after Play; and, with --soak, the JS heap.
//
//   node bench/browser/live.mjs [--repeats 2] [--seconds 15] [--seeds 5] [--gap 20] [--every 2]
//       [--soak 0] [--dist dist]
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { HERE, REPO, CHROMIUM_ARGS, parseArgs, stageVendor, serveIsolated, startBrowser, stats, fmt } from './common.mjs';
import { startServer } from '../../scripts/serve.mjs';
import { CHROMIUM } from '../../scripts/chromium.mjs';

const opts = parseArgs({ repeats: 2, seconds: 15, seeds: 5, gap: 20, every: 2, soak: 0, dist: 'dist' });
if (opts.soak > 0 && opts.soak <= 60) throw new Error('--soak must be over 60 s: growth is counted after the first minute');

const TRIO = ['sb', 'omoe', 'mmoe'];
const GAP_THRESHOLD = 1.15; // the story's bar for "the gap shows" (bench/live/gap.py)
// Big enough for the page's desktop layout; Figure 4 sits below the fold here, so its
// panels are not drawn (the page skips off-screen panels) while its cells still train.
const VIEWPORT = { width: 1440, height: 900 };

const dist = path.resolve(REPO, opts.dist);
const vendor = await stageVendor(opts.dist);
const benchServer = await serveIsolated(HERE);
const pageServer = await startServer({ root: dist, port: 0 });
const benchUrl = `http://127.0.0.1:${benchServer.address().port}/index.html`;
const pageUrl = `http://127.0.0.1:${pageServer.address().port}/index.html`;
const browser = await startBrowser();
const t0 = Date.now();
const load0 = os.loadavg()[0];
const progress = (what) => console.error(`[live] ${what} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);

/** A page in a fresh context (nothing cached), its errors on stderr. */
async function freshPage(b = browser) {
  const context = await b.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') console.error(`[console] ${m.text()}`);
  });
  return { context, page };
}

/** Resolves once the page has taken its first training step (its own mark, cheap to poll). */
const firstStep = (page) =>
  page.waitForFunction(() => window.mmoe?.timings && window.mmoe.timings().firstStepMs !== null, null, { polling: 5, timeout: 60_000 });

/** Steps/s of TF.js (wasm, 1 thread) stepping the three models in turn, losses read each step. */
async function tfjsTrio() {
  const { context, page } = await freshPage();
  await page.goto(`${benchUrl}?engine=tfjs&backend=wasm&threads=1`);
  const info = await page.evaluate(() => window.bench.ready);
  // One step = a step of each of the three models on the same batch (bench.js's `run`).
  const { stepsPerSec: rate } = await page.evaluate(
    ([models, seconds]) => window.bench.run(models, { seconds }),
    [TRIO, opts.seconds],
  );
  await context.close();
  return { info, rate };
}

/**
 * The real page at `query`, measured over `opts.seconds` from its first training step:
 * steps/s (snapshot().step), the main thread's long tasks in that window, the page's own
 * first-step mark and each trainer worker's share. `cores` fakes hardwareConcurrency;
 * `figure4Off` unticks Figure 4 once the models exist and only then plays.
 */
async function livePage(query, { cores = 0, figure4Off = false } = {}) {
  const { context, page } = await freshPage();
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  if (cores) await page.addInitScript((n) => Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => n }), cores);
  await page.goto(`${pageUrl}${query}`);
  if (figure4Off) {
    await page.waitForFunction(() => window.mmoe, null, { timeout: 30_000 });
    // Set in place rather than clicked: a click scrolls Figure 4 into view, which would
    // change what the page draws compared with the other configurations.
    await page.evaluate(async () => {
      await window.mmoe.ready;
      const box = document.getElementById('figure4-on');
      box.checked = false;
      box.dispatchEvent(new Event('change'));
      window.mmoe.play();
    });
  }
  await firstStep(page);
  const read = () =>
    page.evaluate(() => ({ t: performance.now(), step: window.mmoe.snapshot().step, workers: window.mmoe.workers() }));
  const a = await read();
  await page.waitForTimeout(opts.seconds * 1000);
  const z = await read();
  const after = await page.evaluate(() => ({ longTasks: window.__longTasks, firstStepMs: window.mmoe.timings().firstStepMs }));
  await context.close();
  const during = after.longTasks.filter((e) => e.start >= a.t && e.start < z.t).map((e) => e.duration);
  return {
    rate: ((z.step - a.step) * 1000) / (z.t - a.t),
    longTasks: during.length,
    longestTask: during.length ? Math.max(...during) : 0,
    firstStepMs: after.firstStepMs,
    workers: z.workers,
  };
}

const CONFIGS = [
  { id: 'tfjs', run: tfjsTrio },
  { id: 'trio', run: () => livePage(`?models=${TRIO.join(',')}&autoplay=1`) },
  { id: 'trio-off', run: () => livePage(`?models=${TRIO.join(',')}`, { figure4Off: true }) },
  { id: 'default', run: () => livePage('?autoplay=1') },
  { id: 'cores4', run: () => livePage('?autoplay=1', { cores: 4 }) },
];

/** results[id] = [result per repeat] */
const results = Object.fromEntries(CONFIGS.map((c) => [c.id, []]));
for (let r = 0; r < opts.repeats; r++) {
  for (let k = 0; k < CONFIGS.length; k++) {
    const cfg = CONFIGS[(k + r) % CONFIGS.length];
    results[cfg.id][r] = await cfg.run();
    progress(`repeat ${r + 1}/${opts.repeats} ${cfg.id}: ${results[cfg.id][r].rate.toFixed(1)} steps/s`);
  }
}

/** Figure 4's gap from its cells: (OMoE / MMoE at p = 0.5) / (OMoE / MMoE at p = 1). */
function gapOf(cells) {
  const loss = (model, p) => cells.find((c) => c.model === model && c.correlation === p)?.loss ?? NaN;
  return loss('omoe', 0.5) / loss('mmoe', 0.5) / (loss('omoe', 1) / loss('mmoe', 1));
}

/** The default page with `seed`, untouched: Figure 4 sampled every `opts.every` s up to `opts.gap` s after the first step. */
async function seedRun(seed) {
  const { context, page } = await freshPage();
  await page.goto(`${pageUrl}?autoplay=1&seed=${seed}`);
  await firstStep(page);
  const marks = [];
  for (let s = opts.every; s < opts.gap; s += opts.every) marks.push(s);
  marks.push(opts.gap);
  // Sampled by the page's clock from its first-step mark, so node's round trips do not
  // shift the marks; Play is one step (tens of ms) before that mark.
  const samples = await page.evaluate(
    (marks) =>
      new Promise((resolve) => {
        const start = window.mmoe.timings().firstStepMs;
        const out = [];
        const take = (i) => {
          const f = window.mmoe.figure4();
          out.push({
            step: f.step,
            live: window.mmoe.snapshot().step,
            seeds: f.seeds,
            cells: f.cells.map(({ model, correlation, loss }) => ({ model, correlation, loss })),
            summary: document.getElementById('figure4-summary').textContent,
          });
          if (i + 1 < marks.length) setTimeout(() => take(i + 1), Math.max(0, start + marks[i + 1] * 1000 - performance.now()));
          else resolve(out);
        };
        setTimeout(() => take(0), Math.max(0, start + marks[0] * 1000 - performance.now()));
      }),
    marks,
  );
  await context.close();
  return samples.map((s) => ({ ...s, gap: gapOf(s.cells) }));
}

const seedRuns = [];
for (let seed = 1; seed <= opts.seeds; seed++) {
  seedRuns.push({ seed, samples: await seedRun(seed) });
  progress(`seed ${seed}/${opts.seeds}`);
}
const chromiumVersion = browser.version();
await browser.close();

/**
 * JS heap of the default page after a forced GC, at 60 s and at `opts.soak` s after the
 * first step. Its own browser: the GC and precise-memory flags stay out of the timed runs.
 */
async function soak() {
  const b = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, '--js-flags=--expose-gc', '--enable-precise-memory-info'],
  });
  const { page } = await freshPage(b);
  await page.goto(`${pageUrl}?autoplay=1`);
  await firstStep(page);
  const heapAt = (seconds) =>
    page.evaluate(
      (seconds) =>
        new Promise((resolve) => {
          const due = window.mmoe.timings().firstStepMs + seconds * 1000;
          setTimeout(() => {
            window.gc?.();
            resolve({ step: window.mmoe.snapshot().step, heap: performance.memory.usedJSHeapSize, gc: typeof window.gc === 'function' });
          }, Math.max(0, due - performance.now()));
        }),
      seconds,
    );
  const first = await heapAt(60);
  progress('soak: first minute');
  const last = await heapAt(opts.soak);
  await b.close();
  return { first, last };
}
const heap = opts.soak > 0 ? await soak() : null;

pageServer.close();
benchServer.close();
await fs.rm(vendor, { recursive: true, force: true });

// ---- report ----
const of = (id, key) => results[id].map((res) => res[key]);
const ratio = (id) => results[id].map((res, r) => res.rate / results.tfjs[r].rate);
const info = results.tfjs[0].info;
const perWorker = results.cores4.map((res) => res.workers);
// A worker's busy ms count from the build, so its share is over the whole run so far.
const busyTotal = (ws) => ws.reduce((sum, w) => sum + w.busy, 0);
// Builds before the plan's hand-over report no aliases (cells that are live models).
const cellsOf = (cells, aliases) => (Number.isNaN(aliases) || aliases === undefined ? `${cells}` : `${cells} (${aliases} of them live models)`);
// What the plan gave the workers (the same every repeat): shows that unticking dropped the cells.
const plan = (id) => {
  const ws = results[id][0].workers;
  const sum = (key) => ws.reduce((n, w) => n + w[key], 0);
  return `${ws.length} workers, Figure 4 cells ${cellsOf(sum('cells'), sum('aliases'))}`;
};

console.log(`\n${chromiumVersion}; TF.js ${info.version} (${info.backend}, SIMD ${info.simd}, threads ${info.threads}); ${os.cpus().length} cores, load average ${load0.toFixed(2)} -> ${os.loadavg()[0].toFixed(2)}`);
console.log(`min / median / max over ${opts.repeats} interleaved repeats, ${opts.seconds} s windows from the first step; viewport ${VIEWPORT.width}x${VIEWPORT.height}\n`);
console.log(`1. TF.js wasm, 1 thread, ${TRIO.join('+')} together:     ${fmt(stats(of('tfjs', 'rate')), 1)} steps/s`);
console.log(`2. page ${TRIO.join(',')}, Figure 4 on:          ${fmt(stats(of('trio', 'rate')), 1)} steps/s; x TF.js ${fmt(stats(ratio('trio')), 2)}; ${plan('trio')}`);
console.log(`3. page ${TRIO.join(',')}, Figure 4 off:         ${fmt(stats(of('trio-off', 'rate')), 1)} steps/s; x TF.js ${fmt(stats(ratio('trio-off')), 2)}; ${plan('trio-off')}`);
console.log(`4. default page (4 models + Figure 4):       ${fmt(stats(of('default', 'rate')), 1)} steps/s; x TF.js ${fmt(stats(ratio('default')), 2)}; ${plan('default')}`);
console.log(`5. default page, hardwareConcurrency = 4:   ${fmt(stats(of('cores4', 'rate')), 1)} steps/s; ${perWorker[0].length} workers:`);
perWorker[0].forEach((w, i) => {
  const share = stats(perWorker.map((ws) => ws[i].busy / busyTotal(ws)));
  console.log(`     worker ${i + 1}: models [${w.models.join(', ')}], cells ${cellsOf(w.cells, w.aliases)}, load ${(w.load / 1e6).toFixed(1)} MFLOP/step, busy share ${fmt(share, 3)}`);
});
const busyRatio = perWorker.map((ws) => Math.max(...ws.map((w) => w.busy)) / Math.min(...ws.map((w) => w.busy)));
console.log(`     max / min busy: ${fmt(stats(busyRatio), 2)}`);
console.log(`6. main-thread tasks > 50 ms in row 4's window: ${fmt(stats(of('default', 'longTasks')))} tasks, longest ${fmt(stats(of('default', 'longestTask')))} ms`);
console.log(`   (row 2: ${fmt(stats(of('trio', 'longTasks')))} tasks, longest ${fmt(stats(of('trio', 'longestTask')))} ms; row 3: ${fmt(stats(of('trio-off', 'longTasks')))}, longest ${fmt(stats(of('trio-off', 'longestTask')))} ms)`);
console.log(`7. first step after navigation (row 4's fresh contexts, timings().firstStepMs): ${fmt(stats(of('default', 'firstStepMs')))} ms`);

if (seedRuns.length) {
  const atEnd = seedRuns.filter((s) => s.samples.at(-1).gap >= GAP_THRESHOLD).length;
  const atAny = seedRuns.filter((s) => s.samples.some((x) => x.gap >= GAP_THRESHOLD)).length;
  console.log(`\n8. Figure 4 gap on the default page (k = ${seedRuns[0].samples.at(-1).seeds} seeds per cell), at ${opts.gap} s after Play, sampled every ${opts.every} s:`);
  for (const { seed, samples } of seedRuns) {
    const end = samples.at(-1);
    const any = samples.some((s) => s.gap >= GAP_THRESHOLD);
    const trail = samples.map((s) => s.gap.toFixed(2)).join(' ');
    console.log(`   seed ${seed}: gap ${end.gap.toFixed(3)} at Figure 4 step ${end.step} (live step ${end.live}); >= ${GAP_THRESHOLD} at any sample: ${any ? 'yes' : 'no'}, at ${opts.gap} s: ${end.gap >= GAP_THRESHOLD ? 'yes' : 'no'}`);
    console.log(`           samples: ${trail}`);
    console.log(`           summary: ${end.summary}`);
  }
  console.log(`   seeds with gap >= ${GAP_THRESHOLD}: at ${opts.gap} s ${atEnd} of ${seedRuns.length}; at any sample ${atAny} of ${seedRuns.length}`);
}

if (heap) {
  const kbPer1000 = (heap.last.heap - heap.first.heap) / 1024 / ((heap.last.step - heap.first.step) / 1000);
  console.log(`\n9. JS heap of the default page${heap.first.gc ? ' after gc()' : ' (no gc() exposed)'}: ${(heap.first.heap / 1024).toFixed(0)} KB at 60 s (step ${heap.first.step}), ${(heap.last.heap / 1024).toFixed(0)} KB at ${opts.soak} s (step ${heap.last.step}): ${kbPer1000.toFixed(2)} KB per 1000 steps after the first minute`);
}
