// The page's numbers are the CLI's numbers: same settings, same seed, same bits.
// Needs the native CLI built (cargo build --release); this test does not build it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useBrowser, openPage, waitForStep, ROOT } from './helpers.mjs';

const CLI = process.env.MMOE_CLI ?? path.join(ROOT, 'target', 'release', 'mmoe');
const STEPS = 20;

const env = useBrowser();

function cliCurve(args) {
  assert.ok(existsSync(CLI), `${CLI} not found: build the CLI with cargo build --release`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mmoe-parity-'));
  try {
    const file = path.join(dir, 'curve.csv');
    execFileSync(CLI, [...args, '--quiet', '--curve', file], { stdio: ['ignore', 'ignore', 'inherit'] });
    const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(header, 'step,train_loss_1,train_loss_2,test_loss_1,test_loss_2');
    // Rust prints the shortest representation that round-trips, so Number() gets the same f64.
    // The step and the training losses (the test losses are empty between evaluations).
    return rows.map((r) => r.split(',').slice(0, 3).map(Number));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('page losses at step k equal the CLI train losses bit for bit', async () => {
  const rows = cliCurve(['train', '--model', 'mmoe', '--correlation', '0.5', '--steps', String(STEPS), '--seed', '7']);
  assert.equal(rows.length, STEPS);

  const { page, context } = await openPage(env, 'models=mmoe&correlation=0.5&seed=7');
  await page.click('#play');
  await waitForStep(page, STEPS);
  await page.click('#play');
  for (const k of [1, 2, 3, 5, 10, 15, 20]) {
    const got = await page.evaluate((s) => window.mmoe.trainLossAt('mmoe', s), k);
    const want = rows[k - 1];
    assert.equal(want[0], k);
    assert.ok(Object.is(got[0], want[1]) && Object.is(got[1], want[2]), `step ${k}: page ${got} vs CLI ${want.slice(1)}`);
  }
  await context.close();
});

test('a model trained beside others follows the same path as alone (binary task 2, CGC)', async () => {
  const rows = cliCurve(['train', '--model', 'cgc', '--steps', '10', '--seed', '3', '--task2', 'binary', '--experts', '4']);
  const { page, context } = await openPage(env, 'models=sb,cgc,mmoe&seed=3&task2=binary&experts=4');
  for (let k = 0; k < 10; k++) await page.click('#single-step');
  await waitForStep(page, 10);
  for (const k of [1, 4, 10]) {
    const got = await page.evaluate((s) => window.mmoe.trainLossAt('cgc', s), k);
    assert.deepEqual(got, rows[k - 1].slice(1), `step ${k}`);
  }
  await context.close();
});

test('the Experiment panel (replica engine in workers) reproduces mmoe sweep bit for bit', async () => {
  assert.ok(existsSync(CLI), `${CLI} not found: build the CLI with cargo build --release`);
  const flags = ['--train-samples', '600', '--test-samples', '200', '--task2', 'binary', '--gate-dropout', '0.2'];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mmoe-parity-sweep-'));
  let cli;
  try {
    execFileSync(CLI, ['sweep', '--models', 'sb,mmoe,cgc', '--correlations', '1,0.1', '--seeds', '3', '--first-seed', '4',
      '--steps', '60', '--out', dir, ...flags], { stdio: ['ignore', 'ignore', 'inherit'] });
    cli = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const { page, context } = await openPage(env, 'seed=4&train_samples=600&test_samples=200&task2=binary&gate_dropout=0.2');
  await page.uncheck('#experiment-form input[value="omoe"]');
  await page.check('#experiment-form input[value="cgc"]');
  await page.fill('#experiment-correlations', '1, 0.1');
  await page.fill('#experiment-seeds', '3');
  await page.fill('#experiment-steps', '60');
  await page.click('#experiment-run');
  await page.waitForFunction(() => /Done: 18 runs/.test(document.querySelector('#experiment-status').textContent), null, { timeout: 120000 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#experiment-json')]);
  const web = JSON.parse(readFileSync(await download.path(), 'utf8'));
  const key = (c) => `${c.seed} ${c.correlation} ${c.model}`;
  const sorted = (cells) => [...cells].sort((a, b) => key(a).localeCompare(key(b)));
  assert.equal(web.cells.length, 18);
  assert.deepStrictEqual(sorted(web.cells), sorted(cli.cells));
  await context.close();
});
