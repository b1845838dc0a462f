#!/usr/bin/env node
// Load: the size of the built .wasm (raw and gzip -9), the time from navigation to the
// first training step of the real page (dist/index.html?autoplay=1, served by
// scripts/serve.mjs with its CSP and COOP/COEP, a fresh browser context = cold cache
// each repeat), and the page's own training speed while it renders: steps/s of each
// model with S.B., OMoE, MMoE together (and with CGC), and the longest main-thread task.
//
//   scripts/build-web.sh && node bench/browser/load.mjs [--repeats 5] [--seconds 5] [--dist dist]
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO, parseArgs, startBrowser, stats, fmt } from './common.mjs';
import { startServer } from '../../scripts/serve.mjs';

const opts = parseArgs({ repeats: 5, seconds: 5, dist: 'dist' });
const dist = path.resolve(REPO, opts.dist);
const wasm = await fs.readFile(path.join(dist, 'pkg', 'mmoe_bg.wasm'));
const gz = gzipSync(wasm, { level: 9 }).length;
console.log(`mmoe_bg.wasm: ${wasm.length} bytes raw (${(wasm.length / 1024).toFixed(1)} KiB), ${gz} bytes gzip -9 (${(gz / 1024).toFixed(1)} KiB)`);

const server = await startServer({ root: dist, port: 0 });
const base = `http://127.0.0.1:${server.address().port}/index.html`;
const browser = await startBrowser();

// Long tasks on the main thread (> 50 ms by definition of the API), recorded from the start.
const observeLongTasks = () => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
};

const firstStep = [];
const firstStepPage = [];
const afterLoadEvent = [];
const speed = {};
for (let r = 0; r < opts.repeats; r++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  await page.addInitScript(observeLongTasks);
  await page.goto(`${base}?autoplay=1`);
  const at = await page.waitForFunction(
    () => (window.mmoe?.snapshot && window.mmoe.snapshot().step > 0 ? performance.now() : null),
    null,
    { polling: 5, timeout: 30_000 },
  );
  firstStep.push(await at.jsonValue());
  firstStepPage.push(await page.evaluate(() => window.mmoe.timings?.().firstStepMs ?? null));
  await page.waitForFunction(() => performance.getEntriesByType('navigation')[0]?.loadEventEnd > 0);
  afterLoadEvent.push(
    await page.evaluate(() => window.mmoe.timings().firstStepMs - performance.getEntriesByType('navigation')[0].loadEventEnd),
  );
  await page.close();

  for (const models of ['sb,omoe,mmoe', 'sb,omoe,mmoe,cgc']) {
    const p = await context.newPage();
    await p.addInitScript(observeLongTasks);
    await p.goto(`${base}?autoplay=1&models=${models}`);
    await p.waitForFunction(() => window.mmoe?.snapshot && window.mmoe.snapshot().step > 200, null, { polling: 50, timeout: 60_000 });
    // The slowest model's step count: every model must be stepping at the rate reported.
    const sample = () =>
      p.evaluate(() => [
        Math.min(...Object.values(window.mmoe.snapshot().models).map((m) => m.steps)),
        performance.now(),
        window.__longTasks.slice(),
      ]);
    const s0 = await sample();
    await p.waitForTimeout(opts.seconds * 1000);
    const s1 = await sample();
    const during = s1[2].slice(s0[2].length);
    (speed[models] ??= { rate: [], longest: [], count: [] }).rate.push(((s1[0] - s0[0]) * 1000) / (s1[1] - s0[1]));
    speed[models].longest.push(during.length ? Math.max(...during) : 0);
    speed[models].count.push(during.length);
    await p.close();
  }
  await context.close();
}
await browser.close();
server.close();

console.log(`\nnavigation -> first training step (dist/index.html?autoplay=1, cold cache), ms, min / median / max over ${opts.repeats}:`);
console.log(`  seen by polling window.mmoe.snapshot().step > 0: ${fmt(stats(firstStep))}`);
console.log(`  the page's own mark (mmoe.timings().firstStepMs): ${fmt(stats(firstStepPage.filter((v) => v !== null)))}`);
console.log(`  after the page's load event (loadEventEnd -> first step): ${fmt(stats(afterLoadEvent))}`);
console.log(`\nthe real page training (worker, charts rendering), steps/s of each model over ${opts.seconds} s:`);
for (const [models, s] of Object.entries(speed)) {
  console.log(`  ${models.padEnd(18)} ${fmt(stats(s.rate))} steps/s; main-thread tasks > 50 ms: ${fmt(stats(s.count))} per run, longest ${fmt(stats(s.longest))} ms`);
}
