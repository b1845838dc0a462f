#!/usr/bin/env node
// Browser benchmark, in headless Chromium and in headless Firefox ESR, repeats alternating:
// our wasm trainer vs TensorFlow.js (cpu, wasm SIMD 1 thread, wasm SIMD + 2 threads) on
// the four models at the paper's sizes, batch 128, losses read every step. Every
// configuration is a fresh load of index.html; the configurations are interleaved within
// each repeat (the start rotates between repeats) so machine noise hits them alike.
// Prints steps/s as min / median / max over the repeats, per browser, then ours side by side.
//
//   scripts/build-web.sh && node bench/browser/run.mjs [--repeats 3] [--seconds 2]
//       [--browsers chromium,firefox] [--dist dist] [--out bench/browser/results.json]
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { HERE, REPO, parseArgs, stageVendor, serveIsolated, startBrowser, newPage, stats, fmt } from './common.mjs';

const opts = parseArgs({
  repeats: 3,
  seconds: 2,
  browsers: 'chromium,firefox',
  dist: 'dist',
  out: path.join('bench', 'browser', 'results.json'),
});
const MODELS = ['sb', 'omoe', 'mmoe', 'cgc'];
const TOGETHER = [
  ['sb', 'omoe', 'mmoe'],
  ['sb', 'omoe', 'mmoe', 'cgc'],
];
const PAGES = [
  { id: 'ours', query: 'engine=ours' },
  { id: 'tfjs-cpu', query: 'engine=tfjs&backend=cpu' },
  { id: 'tfjs-wasm', query: 'engine=tfjs&backend=wasm&threads=1' },
  { id: 'tfjs-wasm-threads', query: 'engine=tfjs&backend=wasm&threads=2' },
];
const TF = ['tfjs-cpu', 'tfjs-wasm', 'tfjs-wasm-threads'];

/** FLOPs of one training step, counted as the Rust `Model::flops_per_step` does. */
function flopsPerStep(kind, B = 128) {
  const d = 100;
  const h = 8;
  const [experts, u, gateExperts, gates] = {
    sb: [1, 113, [1, 1], 0],
    omoe: [8, 16, [8, 8], 1],
    mmoe: [8, 16, [8, 8], 2],
    cgc: [8, 16, [6, 6], 2],
  }[kind];
  const dense = (i, o) => 2 * B * i * o;
  const width = experts * u + gates * gateExperts[0];
  const towers = 2 * (3 * dense(u, h) + 3 * dense(h, 1));
  const mixing = gateExperts.reduce((s, g) => s + 3 * 2 * B * u * g, 0);
  return 2 * dense(d, width) + towers + mixing;
}

const vendor = await stageVendor(opts.dist);
const server = await serveIsolated(HERE);
const base = `http://127.0.0.1:${server.address().port}/index.html`;

/** Headless `name` with one page, and where its numbers go. */
async function open(name) {
  const browser = await startBrowser(name);
  const version = await browser.version();
  console.error(`[bench] ${version}, serving ${HERE} (vendor staged in ${path.relative(REPO, vendor)})`);
  return { name, browser, version, page: await newPage(browser), infos: {}, samples: {} };
}

/** One repeat of every configuration in `run`'s browser, the first one rotating with `r`. */
async function repeat(run, r, t0) {
  const { page, infos } = run;
  // samples[key] = [value per repeat]
  const add = (key, v) => (run.samples[key] ??= []).push(v);
  const seconds = opts.seconds;
  for (let k = 0; k < PAGES.length; k++) {
    const cfg = PAGES[(k + r) % PAGES.length];
    await page.goto(`${base}?${cfg.query}`);
    infos[cfg.id] = await page.evaluate(() => window.bench.ready);
    for (const m of MODELS) {
      const res = await page.evaluate(([m, s]) => window.bench.run([m], { seconds: s }), [m, seconds]);
      add(`${cfg.id}/${m}`, res.stepsPerSec);
      if (cfg.id === 'ours') {
        const res10 = await page.evaluate(([m, s]) => window.bench.run([m], { seconds: s, perCall: 10 }), [m, seconds]);
        add(`ours-step10/${m}`, res10.stepsPerSec);
      }
    }
    if (cfg.id === 'ours') {
      for (const set of TOGETHER) {
        for (const perCall of [1, 10]) {
          const res = await page.evaluate(([set, s, p]) => window.bench.run(set, { seconds: s, perCall: p }), [set, seconds, perCall]);
          add(`together${perCall}/${set.join('+')}`, res.stepsPerSec);
        }
      }
      add('matmul512/ours', await page.evaluate(() => window.bench.matmul(512, 10)));
      add('matmul128/ours', await page.evaluate(() => window.bench.matmul(128, 50)));
    }
    if (cfg.id === 'tfjs-wasm') {
      add('matmul512/tfjs-wasm', await page.evaluate(() => window.bench.matmul(512, 10)));
      add('matmul128/tfjs-wasm', await page.evaluate(() => window.bench.matmul(128, 50)));
    }
    console.error(`[bench] ${run.name} repeat ${r + 1}/${opts.repeats} ${cfg.id} done (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
}

/** Prints one browser's tables; returns its rows. */
function report({ browser: browserVersion, infos, samples }) {
  // Per repeat ratio: ours / the fastest TF.js backend of that repeat.
  const ratio = (ours, m) =>
    samples[`${ours}/${m}`].map((v, r) => v / Math.max(...TF.map((t) => samples[`${t}/${m}`][r])));
  // The peak: our kernel's best 512³ rate over the whole run (the least disturbed repeat).
  const peak = stats(samples['matmul512/ours']);
  const peakBest = peak.max;
  const rows = MODELS.map((m) => ({
    model: m,
    ours: stats(samples[`ours/${m}`]),
    oursStep10: stats(samples[`ours-step10/${m}`]),
    ...Object.fromEntries(TF.map((t) => [t, stats(samples[`${t}/${m}`])])),
    ratioOursVsBestTf: stats(ratio('ours', m)),
    ratioStep10VsBestTf: stats(ratio('ours-step10', m)),
    mflopsPerStep: flopsPerStep(m) / 1e6,
    shareOfPeak: stats(samples[`ours/${m}`].map((v) => (flopsPerStep(m) * v) / 1e9 / peakBest)),
  }));

  const line = (cells, widths) => cells.map((c, i) => String(c).padStart(widths[i])).join('  ');
  const W = [6, 20, 20, 16, 16, 18, 16, 16, 9];
  console.log(`\n${browserVersion}: steps/s, min / median / max over ${opts.repeats} interleaved repeats (${opts.seconds} s each), batch 128, paper sizes, losses read every step`);
  console.log(`TF.js ${infos['tfjs-wasm']?.version}; crossOriginIsolated=${infos['tfjs-wasm-threads']?.crossOriginIsolated}, threads backend: multithread=${infos['tfjs-wasm-threads']?.multithread} threads=${infos['tfjs-wasm-threads']?.threads}\n`);
  console.log(line(['model', 'ours step(1)', 'ours step(10)', 'tfjs-cpu', 'tfjs-wasm', 'tfjs-wasm-threads', 'ours/bestTF', 'step10/bestTF', '% peak'], W));
  for (const row of rows) {
    console.log(
      line(
        [
          row.model,
          fmt(row.ours),
          fmt(row.oursStep10),
          fmt(row['tfjs-cpu']),
          fmt(row['tfjs-wasm']),
          fmt(row['tfjs-wasm-threads']),
          fmt(row.ratioOursVsBestTf, 1),
          fmt(row.ratioStep10VsBestTf, 1),
          `${(100 * row.shareOfPeak.median).toFixed(0)}%`,
        ],
        W,
      ),
    );
  }
  console.log('\nours, models trained together in one Playground (steps/s of each model; every model steps):');
  for (const set of TOGETHER) {
    for (const p of [1, 10]) console.log(`  ${set.join(' + ').padEnd(22)} step(${p}):`.padEnd(36) + fmt(stats(samples[`together${p}/${set.join('+')}`])));
  }
  console.log('\nsingle-thread matmul, GFLOP/s (best of reps), min / median / max:');
  for (const n of [512, 128]) {
    console.log(`  ${n}x${n}x${n}: ours ${fmt(stats(samples[`matmul${n}/ours`]), 1)}   tfjs-wasm ${fmt(stats(samples[`matmul${n}/tfjs-wasm`]), 1)}`);
  }
  console.log(`  (% peak above = FLOPs per step x median steps/s / our best 512 rate of the run, ${peakBest.toFixed(1)} GFLOP/s)`);

  return rows;
}

// Both browsers stay open; each repeat runs in one, then the other (alternating which
// goes first), so that machine noise hits them alike.
const browsers = await Promise.all(opts.browsers.split(',').map(open));
const t0 = Date.now();
for (let r = 0; r < opts.repeats; r++) {
  for (let b = 0; b < browsers.length; b++) await repeat(browsers[(b + r) % browsers.length], r, t0);
}
const runs = {};
for (const run of browsers) {
  await run.browser.close();
  runs[run.name] = { browser: run.version, infos: run.infos, samples: run.samples };
}
server.close();
await fs.rm(vendor, { recursive: true, force: true });

const results = {};
for (const [name, run] of Object.entries(runs)) results[name] = { ...run, rows: report(run) };
if (Object.keys(runs).length > 1) {
  const names = Object.keys(runs);
  console.log(`\nours side by side, steps/s (median over ${opts.repeats} repeats): ${names.map((n) => `${n} = ${runs[n].browser}`).join('; ')}`);
  const cells = (key) => names.map((n) => fmt(stats(runs[n].samples[key])).padStart(20)).join('');
  console.log(`${''.padEnd(30)}${names.map((n) => n.padStart(20)).join('')}`);
  for (const m of MODELS) console.log(`${`${m} step(1)`.padEnd(30)}${cells(`ours/${m}`)}`);
  for (const set of TOGETHER) console.log(`${`${set.join('+')} step(10)`.padEnd(30)}${cells(`together10/${set.join('+')}`)}`);
  console.log(`${'matmul 512 GFLOP/s'.padEnd(30)}${names.map((n) => fmt(stats(runs[n].samples['matmul512/ours']), 1).padStart(20)).join('')}`);
}

const out = { date: new Date().toISOString(), opts, browsers: results };
await fs.writeFile(path.resolve(REPO, opts.out), JSON.stringify(out, null, 1) + '\n');
console.error(`[bench] wrote ${opts.out}`);
