#!/usr/bin/env node
// Memory soak: trains the four models in the benchmark page (our wasm, step(10) batches,
// losses and evaluations read as the page does) for N minutes and samples the size of
// our WebAssembly.Memory and the JS heap every 10 s. After warm-up the training step
// allocates nothing, so the wasm memory must stay flat.
//
//   scripts/build-web.sh && node bench/browser/memory.mjs [--minutes 30] [--every 10] [--dist dist]
import { promises as fs } from 'node:fs';
import { HERE, parseArgs, stageVendor, serveIsolated, newPage, CHROMIUM_ARGS } from './common.mjs';
import { CHROMIUM } from '../../scripts/chromium.mjs';
import { chromium } from 'playwright-core';

const opts = parseArgs({ minutes: 30, every: 10, dist: 'dist', models: 'sb,omoe,mmoe,cgc' });
const vendor = await stageVendor(opts.dist);
const server = await serveIsolated(HERE);
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [...CHROMIUM_ARGS, '--enable-precise-memory-info'],
});
const page = await newPage(browser);
await page.goto(`http://127.0.0.1:${server.address().port}/index.html?engine=ours`);
await page.evaluate(() => window.bench.ready);
await page.evaluate((models) => window.bench.soak(models), opts.models.split(','));

const sample = () =>
  page.evaluate(() => ({
    steps: window.soakState.steps,
    wasmBytes: window.bench.memoryBytes(),
    jsHeapBytes: performance.memory?.usedJSHeapSize ?? null,
  }));
const samples = [];
const t0 = Date.now();
const end = t0 + opts.minutes * 60_000;
console.log('   t (s)      steps   wasm memory (bytes)   JS heap (bytes)');
for (;;) {
  const s = { t: (Date.now() - t0) / 1000, ...(await sample()) };
  samples.push(s);
  console.log(`${s.t.toFixed(0).padStart(8)} ${String(s.steps).padStart(10)} ${String(s.wasmBytes).padStart(21)} ${String(s.jsHeapBytes).padStart(17)}`);
  if (Date.now() + opts.every * 1000 > end + 500) break;
  await new Promise((r) => setTimeout(r, opts.every * 1000));
}
await page.evaluate(() => (window.soakState.running = false));
await browser.close();
server.close();
await fs.rm(vendor, { recursive: true, force: true });

// Warm-up: everything up to and including the first sample.
const after = samples.slice(1);
const wasmSizes = new Set(after.map((s) => s.wasmBytes));
const heaps = after.map((s) => s.jsHeapBytes);
const steps = samples[samples.length - 1].steps;
console.log(`\n${steps} steps of each of ${opts.models} in ${samples[samples.length - 1].t.toFixed(0)} s`);
if (after.length < 2) {
  console.log('too short to judge: run for at least two sampling intervals');
} else {
  const flat = wasmSizes.size === 1;
  console.log(
    `wasm memory after warm-up: ${flat ? 'FLAT' : 'GREW'} (${[...wasmSizes].join(' -> ')} bytes; at the first sample ${samples[0].wasmBytes})`,
  );
  const first = heaps[0];
  const last = heaps[heaps.length - 1];
  console.log(
    `JS heap after warm-up: min ${Math.min(...heaps)} max ${Math.max(...heaps)}, first ${first} last ${last} (${(((last - first) / first) * 100).toFixed(1)}%; sawtooth from GC is normal, a steady climb is not)`,
  );
}
