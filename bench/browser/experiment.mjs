#!/usr/bin/env node
// The page's Experiment panel, timed in headless Chromium: the default experiment (the
// form as the page opens it), and optionally the paper's Figure 5 protocol (the button:
// Shared-Bottom, OMoE and MMoE at p = 1 and 0.5, 200 seeds), each run to the end by the
// real page (dist/, served by scripts/serve.mjs) with one worker per core. Prints the wall
// time from Run to Done and the replica-steps per second that makes.
//
//   scripts/build-web.sh && node bench/browser/experiment.mjs [--figure5] [--steps N] [--seeds N]
import path from 'node:path';
import { REPO, parseArgs, startBrowser } from './common.mjs';
import { startServer } from '../../scripts/serve.mjs';

const opts = parseArgs({ figure5: false, steps: 0, seeds: 0, dist: 'dist' });
const server = await startServer({ root: path.resolve(REPO, opts.dist), port: 0 });
const browser = await startBrowser();
const page = await browser.newPage();
page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
await page.waitForFunction(() => window.mmoe?.settings);
if (opts.figure5) await page.click('#experiment-figure5');
if (opts.steps) await page.fill('#experiment-steps', String(opts.steps));
if (opts.seeds) await page.fill('#experiment-seeds', String(opts.seeds));
const form = await page.evaluate(() => ({
  models: [...document.querySelectorAll('#experiment-form input[name="experiment-model"]:checked')].map((el) => el.value),
  correlations: document.querySelector('#experiment-correlations').value,
  seeds: Number(document.querySelector('#experiment-seeds').value),
  steps: Number(document.querySelector('#experiment-steps').value),
  cores: navigator.hardwareConcurrency,
}));
const runs = form.models.length * form.correlations.split(',').length * form.seeds;
console.log(`${opts.figure5 ? 'Figure 5' : 'default'} experiment: ${form.models.join(',')} x p ${form.correlations} x ${form.seeds} seeds x ${form.steps} steps = ${runs} runs, ${form.cores} cores`);
const started = Date.now();
await page.click('#experiment-run');
await page.waitForFunction(() => /^Done:|stopped|crashed/.test(document.querySelector('#experiment-status').textContent), null,
  { timeout: 4 * 3600_000, polling: 500 });
const seconds = (Date.now() - started) / 1000;
const status = await page.textContent('#experiment-status');
console.log(`status: ${status.trim()}`);
console.log(`wall time Run -> Done: ${seconds.toFixed(1)} s; ${((runs * form.steps) / seconds).toFixed(0)} replica-steps/s over ${form.cores} workers`);
await browser.close();
server.close();
