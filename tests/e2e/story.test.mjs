// The views that tell the story by themselves: the label-correlation curve beside the
// slider (the paper's Figure 2 points, a marker that follows p), the data view (redrawn
// as p moves, the plotted labels' correlation read back), and the live Figure 4 (every
// model at p = 1 and p = 0.5 from the same seed, trained with Play, stopped by Pause and
// in step with the live models). Screenshots in test-output/story-*.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, screenshotPath, inkFraction } from './helpers.mjs';

const env = useBrowser();

/** Moves the correlation slider to `p` as a user does (input while dragging, change on release). */
const slide = (page, p) =>
  page.evaluate((value) => {
    const el = document.getElementById('correlation');
    el.value = String(value);
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, p);

/** A hash of a canvas's pixels. */
const canvasHash = (page, selector) =>
  page.$eval(selector, (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let h = 2166136261;
    for (let i = 0; i < data.length; i += 7) h = Math.imul(h ^ data[i], 16777619);
    return h >>> 0;
  });

test('label curve: drawn with the paper’s Figure 2 points, its marker follows the slider', async () => {
  const { page, context, seen } = await openPage(env, '', { width: 1440, height: 900 });
  await page.waitForFunction(() => {
    const s = window.mmoe.labelCurve();
    return s.points > 0 && !s.pending;
  }, null, { timeout: 60000 });
  const before = await page.evaluate(() => window.mmoe.labelCurve());
  assert.equal(before.paper, 9);
  assert.equal(await page.$eval('#label-curve', (c) => c.dataset.paper), '9');
  assert.ok(before.ms > 0 && before.ms < 20000, `computed in ${before.ms} ms`);
  console.log(`label curve: ${before.points} points, 8 seeds × 2000 samples in ${before.ms.toFixed(0)} ms`);
  assert.ok((await inkFraction(page, '#label-curve')) > 0.05, 'the curve has ink');
  const settings = await page.evaluate(() => window.mmoe.settings());
  assert.equal(before.p, settings.correlation);
  assert.ok(Number.isFinite(before.r) && before.r < 0.5, `r at p = ${before.p}: ${before.r}`);
  // The live Figure 4 is there at the defaults with nothing touched, waiting for Play.
  assert.ok(await page.isVisible('#figure4-1'));
  assert.equal((await page.evaluate(() => window.mmoe.figure4())).cells.length, 2 * (await page.evaluate(() => window.mmoe.models())).length);
  assert.match(await page.textContent('#figure4-title-1'), /p = 0\.5/);
  const hash = await canvasHash(page, '#label-curve');
  await slide(page, 0.95);
  await page.waitForFunction(() => window.mmoe.labelCurve().p === 0.95);
  const after = await page.evaluate(() => window.mmoe.labelCurve());
  assert.ok(after.r > before.r + 0.1, `r rises with p: ${before.r} -> ${after.r}`);
  assert.notEqual(await canvasHash(page, '#label-curve'), hash, 'the marker moved');
  assert.match(await page.$eval('#label-curve', (c) => c.getAttribute('aria-label')), /0\.95/);
  // A data setting recomputes the curve.
  const { points } = after;
  await page.evaluate(() => {
    const el = document.getElementById('noise_std');
    el.value = '1';
    el.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await page.waitForFunction(() => window.mmoe.labelCurve().pending, null, { timeout: 10000 });
  await page.waitForFunction(() => !window.mmoe.labelCurve().pending, null, { timeout: 60000 });
  const noisy = await page.evaluate(() => window.mmoe.labelCurve());
  assert.equal(noisy.points, points);
  assert.ok(noisy.r < after.r, `more noise, less label correlation: ${after.r} -> ${noisy.r}`);
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.console, []);
  await context.close();
});

test('data view: each task’s label against its projection, redrawn as p moves', async () => {
  const { page, context, seen } = await openPage(env, 'correlation=0.5', { width: 1440, height: 900 });
  await page.waitForFunction(() => window.mmoe.dataView().draws > 0);
  const half = await page.evaluate(() => window.mmoe.dataView());
  assert.equal(half.rows, 300);
  assert.ok(half.open, 'shown at first');
  const hashes = await Promise.all([0, 1, 2].map((i) => canvasHash(page, `#data-${i}`)));
  assert.equal(half.sums.length, 4);
  for (const i of [0, 1, 2]) assert.ok((await inkFraction(page, `#data-${i}`)) > 0.02, `panel ${i} has points`);
  await page.locator('#data-view').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('story-data-p05.png') });
  await slide(page, 1);
  await page.waitForFunction((n) => window.mmoe.dataView().draws > n && window.mmoe.dataView().p === 1, half.draws);
  const same = await page.evaluate(() => window.mmoe.dataView());
  assert.ok(same.r > 0.95 && half.r < 0.5, `identical tasks: r ${half.r} -> ${same.r}`);
  // Task 1's rows do not depend on p; task 2's do, and so do its panel and the right one.
  assert.deepEqual(same.sums.slice(0, 2), half.sums.slice(0, 2));
  assert.notDeepEqual(same.sums.slice(2), half.sums.slice(2));
  assert.notEqual(await canvasHash(page, '#data-1'), hashes[1]);
  assert.notEqual(await canvasHash(page, '#data-2'), hashes[2]);
  assert.match(await page.textContent('#data-readout'), /p = 1\.00/);
  await page.screenshot({ path: screenshotPath('story-data-p1.png') });
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test('live Figure 4: both panels train with Play, losses fall, pause stops, in step with the live models', async () => {
  // Learning rate 0.01: 600 steps are enough for every loss to fall (the default 0.001 takes thousands).
  const { page, context, seen } = await openPage(env, 'lr=0.01', { width: 1440, height: 900 });
  const models = await page.evaluate(() => window.mmoe.models());
  const idle = await page.evaluate(() => window.mmoe.figure4());
  // One cell per model and p, each the mean over the seeds the machine's cores carry.
  assert.equal(idle.cells.length, 2 * models.length);
  assert.ok(idle.seeds >= 2 && idle.cells.every((c) => c.k === idle.seeds), `${idle.seeds} seeds`);
  assert.equal(idle.step, 0);
  const started = Date.now();
  await page.click('#play');
  await page.waitForFunction(() => window.mmoe.figure4().step >= 600, null, { timeout: 120000, polling: 100 });
  const seconds = (Date.now() - started) / 1000;
  const live = await page.evaluate(() => window.mmoe.snapshot().step);
  console.log(`Figure 4: 600 steps of ${2 * models.length} cells in ${seconds.toFixed(1)} s (live models at step ${live})`);
  const state = await page.evaluate(() => window.mmoe.figure4());
  for (const c of state.cells) {
    assert.ok(c.steps >= 600, `${c.model} at p = ${c.correlation}: ${c.steps} steps`);
    assert.ok(Number.isFinite(c.loss) && c.loss < 0.8 * c.start, `${c.model} at p = ${c.correlation}: ${c.start} -> ${c.loss}`);
  }
  // The panels are drawn while on screen.
  await page.locator('#figure4').scrollIntoViewIfNeeded();
  await page.waitForFunction((n) => window.mmoe.figure4().draws > n, state.draws);
  for (const i of [0, 1]) assert.ok((await inkFraction(page, `#figure4-${i}`)) > 0.03, `panel ${i} drew`);
  assert.match(await page.textContent('#figure4-summary'), /MMoE/);
  await page.screenshot({ path: screenshotPath('story-figure4.png') });

  await page.click('#play'); // pause
  await page.waitForFunction(() => !window.mmoe.snapshot().running);
  // Settle on a known step: the trainer, paused, trains to exactly step n and stops there
  // (the messages it sent before the pause arrive first).
  const n = (await page.evaluate(() => window.mmoe.snapshot().step)) + 100;
  assert.equal((await page.evaluate((k) => window.mmoe.runTo(k), n)).step, n);
  // One step more moves the live models and both panels by exactly one, and no further.
  const f = await page.evaluate(() => window.mmoe.figure4().step);
  await page.evaluate(() => window.mmoe.step());
  await page.waitForFunction((k) => window.mmoe.snapshot().step === k + 1, n);
  await page.waitForFunction((k) => window.mmoe.figure4().step === k + 1, f);
  assert.deepEqual(await page.evaluate(() => [window.mmoe.snapshot().running, window.mmoe.snapshot().step, window.mmoe.figure4().step]), [false, n + 1, f + 1]);
  const s = n + 1;
  // Off, the panels stop while the live models train on; on again, they start from step 0.
  await page.uncheck('#figure4-on');
  await page.evaluate(() => window.mmoe.step());
  await page.waitForFunction((k) => window.mmoe.snapshot().step === k + 1, s);
  assert.equal(await page.evaluate(() => window.mmoe.figure4().step), 0);
  await page.waitForFunction(() => /Train it/.test(document.getElementById('figure4-summary').textContent));
  await page.check('#figure4-on');
  await page.evaluate(() => window.mmoe.step());
  await page.waitForFunction(() => window.mmoe.figure4().step === 1);
  // Reset starts both panels over.
  await page.click('#reset');
  await page.waitForFunction(() => window.mmoe.figure4().step === 0 && !document.getElementById('play').disabled);
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.console, []);
  await context.close();
});

test('live Figure 4: a cell that is a live model is not trained twice, and stays exact when the slider moves the model on', async () => {
  // At p = 0.5 (the default) MMoE's p = 0.5 cell of the page's seed is the live MMoE itself.
  const { page, context, seen } = await openPage(env, 'seed=3&lr=0.01', { width: 1440, height: 900 });
  const shares = await page.evaluate(() => window.mmoe.workers());
  const models = await page.evaluate(() => window.mmoe.models());
  assert.equal(shares.reduce((n, s) => n + s.aliases, 0), models.length, 'every live model stands for its cell');
  await page.evaluate(() => window.mmoe.runTo(150));
  await slide(page, 0.9);
  await page.waitForFunction(() => window.mmoe.settings().correlation === 0.9);
  await page.evaluate(() => window.mmoe.runTo(300));
  await page.waitForFunction(() => window.mmoe.figure4().step >= 300);
  const cell = await page.evaluate(() => Array.from({ length: 300 }, (_, k) => window.mmoe.figure4LossAt('mmoe', 0.5, 3, k + 1)));
  const moved = await page.evaluate(() => window.mmoe.trainLossAt('mmoe', 300));
  // A page whose MMoE stays at p = 0.5 throughout: the cell equals it at every step.
  const other = await openPage(env, 'seed=3&lr=0.01&models=mmoe', { width: 1280, height: 800 });
  await other.page.evaluate(() => window.mmoe.runTo(300));
  const alone = await other.page.evaluate(() => Array.from({ length: 300 }, (_, k) => window.mmoe.trainLossAt('mmoe', k + 1)));
  assert.deepEqual(cell, alone);
  assert.notDeepEqual(moved, alone[299], 'the live MMoE moved on to p = 0.9');

  // One click shows the first seed alone, another the mean again.
  await page.locator('#figure4').scrollIntoViewIfNeeded();
  assert.match(await page.textContent('#figure4-title-1'), /mean of \d seeds/);
  await page.click('#figure4-single');
  assert.equal((await page.evaluate(() => window.mmoe.figure4())).view, 'single');
  assert.match(await page.textContent('#figure4-title-1'), /seed 3 alone/);
  await page.screenshot({ path: screenshotPath('story-figure4-single.png') });
  await page.click('#figure4-single');
  assert.equal((await page.evaluate(() => window.mmoe.figure4())).view, 'mean');
  assert.deepEqual(seen.errors, []);
  await other.context.close();
  await context.close();
});
