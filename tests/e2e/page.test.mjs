// The page end to end: load, play, losses fall, heatmaps draw, pause stops, the main
// thread's work stays small while training, and no request leaves the origin.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, waitForStep, screenshotPath, inkFraction } from './helpers.mjs';

const env = useBrowser();

test('trains all four models live in parallel workers: losses fall, heatmaps draw, pause stops', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1366, height: 768 } });
  // Record long tasks from the very start; the test looks only at those after play.
  await context.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  // PLE's smooth data at lr 0.01: 300 steps are enough for every loss to fall there.
  const { page, seen } = await openPage(env, 'data=ple&lr=0.01', { context });

  assert.deepEqual(await page.evaluate(() => window.mmoe.models()), ['sb', 'omoe', 'mmoe', 'cgc']);
  assert.equal(await page.textContent('#step-count'), '0');
  await page.screenshot({ path: screenshotPath('page-loaded.png') });

  const playedAt = await page.evaluate(() => performance.now());
  await page.click('#play');
  const N = 800; // the default data (fitted to the paper's Figure 2) take a few hundred steps to give way
  await waitForStep(page, N, 120000);
  // Long tasks are judged over this stretch of pure training; what the test does next
  // (reading canvases back pixel by pixel, screenshots) is the test's own main-thread work.
  const reachedAt = await page.evaluate(() => performance.now());
  // How long the main thread's tasks were is a timing, so it is reported here and
  // measured by bench/browser/load.mjs, not asserted: on a shared 2-core machine with both
  // cores training, a frame's compositor commit can wait past 50 ms for CPU.
  const long = await page.evaluate(([a, b]) => window.__longTasks.filter((e) => e.start >= a && e.start <= b), [playedAt, reachedAt]);
  const t = await page.evaluate(() => window.mmoe.timings());
  console.log(`# main-thread tasks > 50 ms while training: ${long.length}, longest ${Math.round(Math.max(0, ...long.map((e) => e.duration)))} ms; ` +
    `chart draws ${t.chartDraws}, longest ${Math.round(t.maxDrawMs)} ms; longest message ${Math.round(t.maxMessageMs)} ms`);
  // Let the charts catch up with the data (they redraw at most every 100-200 ms).
  await page.waitForTimeout(400);
  const snap = await page.evaluate(() => window.mmoe.snapshot());
  for (const name of ['sb', 'omoe', 'mmoe', 'cgc']) {
    const m = snap.models[name];
    assert.ok(m.steps >= N, `${name} trained ${m.steps} steps`);
    // Mean of steps 1–20 and of the 20 steps up to N, per task: training lowered both
    // by well over a quarter (at least 41% in the CLI for these settings).
    const rows = await page.evaluate(
      ([model, n]) => Array.from({ length: n }, (_, k) => window.mmoe.trainLossAt(model, k + 1)),
      [name, N],
    );
    for (const task of [0, 1]) {
      const mean = (a) => a.reduce((s, r) => s + r[task], 0) / a.length;
      const first = mean(rows.slice(0, 20));
      const last = mean(rows.slice(-20));
      assert.ok(last < 0.7 * first, `${name} task ${task + 1}: ${first} -> ${last}`);
    }
    // The test loss fell too (step 0 evaluation vs the latest one).
    const [t0, tn] = [m.test_loss[0], m.test_loss[m.test_loss.length - 1]];
    assert.equal(t0[0], 0);
    assert.ok(tn[0] >= 250 && tn[1] < t0[1] && tn[2] < t0[2], `${name} test ${t0} -> ${tn}`);
    if (name === 'sb') {
      assert.deepEqual(m.gates, []);
    } else {
      assert.equal(m.gates.length, 2);
      for (const row of m.gates) {
        const sum = row.reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - 1) < 1e-3, `${name} gate row sums to ${sum}`);
      }
    }
  }

  // Heatmaps: one per gated model, with ink on them.
  const heatmaps = await page.$$eval('#heatmaps canvas', (cs) => cs.map((c) => c.dataset.model));
  assert.deepEqual(heatmaps, ['omoe', 'mmoe', 'cgc']);
  for (const model of heatmaps) {
    const ink = await inkFraction(page, `#heatmaps canvas[data-model="${model}"]`);
    assert.ok(ink > 0.1, `${model} heatmap ink ${ink}`);
  }
  assert.ok((await inkFraction(page, '#loss-chart')) > 0.03, 'loss chart drew');

  const sps = Number((await page.textContent('#steps-per-sec')).replace(/,/g, ''));
  assert.ok(sps > 0, `steps/s shown: ${sps}`);
  const timings = await page.evaluate(() => window.mmoe.timings());
  console.log(`# steps/s (4 models): ${sps}; first step at ${Math.round(timings.firstStepMs)} ms after navigation; ` +
    `${timings.chartDraws} loss-chart draws, mean draw ${(timings.drawMs / Math.max(1, timings.chartDraws)).toFixed(1)} ms`);
  await page.screenshot({ path: screenshotPath('page-training.png') });

  // Pause stops the step counter.
  await page.click('#play');
  await page.waitForFunction(() => !window.mmoe.snapshot().running);
  await page.waitForTimeout(300);
  const paused = await page.evaluate(() => window.mmoe.snapshot().step);
  await page.waitForTimeout(1000);
  assert.equal(await page.evaluate(() => window.mmoe.snapshot().step), paused);
  assert.equal(await page.textContent('#step-count'), paused.toLocaleString('en-US'));

  // The models and the live Figure 4 trained in one worker per core (at most 8), kept in
  // step: no model ran more than the lockstep window (100 steps) plus a slice ahead.
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  assert.equal((await page.evaluate(() => window.mmoe.timings())).workers, Math.min(cores, 8));
  const steps = Object.values((await page.evaluate(() => window.mmoe.snapshot())).models).map((m) => m.steps);
  assert.ok(Math.max(...steps) - Math.min(...steps) <= 150, `model steps at pause: ${steps}`);

  // Single step moves it by exactly one.
  await page.click('#single-step');
  await page.waitForFunction((s) => window.mmoe.snapshot().step === s + 1, paused);

  // Every request stayed on the page's origin.
  const foreign = seen.requests.filter((u) => !u.startsWith(env.origin + '/') && !u.startsWith('data:'));
  assert.deepEqual(foreign, []);
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.console, []);
  await context.close();
});

test('moving the correlation slider while training marks the chart and changes the label Pearson', async () => {
  const { page, context, seen } = await openPage(env, 'models=mmoe,sb');
  const before = await page.evaluate(() => window.mmoe.snapshot().pearson);
  await page.click('#play');
  await waitForStep(page, 60);
  // Drag with the keyboard: each arrow press is one 0.05 step of the slider.
  await page.focus('#correlation');
  for (let k = 0; k < 6; k++) await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(() => window.mmoe.settings().correlation < 0.5);
  await page.waitForFunction((p) => window.mmoe.snapshot().pearson !== p, before);
  const after = await page.evaluate(() => window.mmoe.snapshot());
  assert.ok(after.pearson < before, `label Pearson ${before} -> ${after.pearson}`);
  assert.equal(await page.evaluate(() => window.mmoe.settings().correlation), 0.2);
  assert.match(new URL(page.url()).search, /correlation=0\.2(&|$)/);
  // The models kept training: no rebuild, the step counter keeps going.
  const s0 = after.step;
  await waitForStep(page, s0 + 30);
  assert.match(await page.textContent('#status'), /correlation|Training/);
  await page.screenshot({ path: screenshotPath('page-correlation-change.png') });
  // Six quick slider moves were six requests to every worker: the Pearson shown is the
  // last one's, the same as a page opened at p = 0.2 from the start.
  await page.waitForTimeout(300);
  const shown = await page.evaluate(() => window.mmoe.snapshot().pearson);
  const fresh = await openPage(env, 'models=mmoe,sb&correlation=0.2');
  assert.equal(shown, await fresh.page.evaluate(() => window.mmoe.snapshot().pearson));
  await fresh.context.close();
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test('64 experts: the heatmap cells are drawn however narrow, and the expert numbers do not run into the entropy column', async () => {
  const { page, context } = await openPage(env, 'models=omoe,mmoe&experts=64&lecture=1', { width: 1024, height: 768 });
  await page.evaluate(() => window.mmoe.runTo(20));
  await page.waitForFunction(() => document.querySelectorAll('#heatmaps canvas[data-drawn]').length === 2);
  for (const model of ['omoe', 'mmoe']) {
    const ink = await inkFraction(page, `#heatmaps canvas[data-model="${model}"]`);
    assert.ok(ink > 0.2, `${model} heatmap ink ${ink}`);
  }
  await page.locator('#heatmaps').screenshot({ path: screenshotPath('heatmap-64-experts-1024-lecture.png') });
  await context.close();
});

test('on four cores the models train in four workers, bit for bit as on one core in one worker', async () => {
  /** A page that sees `cores` cores. */
  const withCores = async (cores) => {
    const context = await env.browser.newContext({ viewport: { width: 1366, height: 768 } });
    await context.addInitScript((n) => Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => n }), cores);
    return openPage(env, 'seed=5', { context });
  };
  const losses = (page) =>
    page.evaluate(() =>
      window.mmoe.runTo(60).then(() => window.mmoe.models().map((m) => Array.from({ length: 60 }, (_, k) => window.mmoe.trainLossAt(m, k + 1)))),
    );
  const [four, one] = [await withCores(4), await withCores(1)];
  assert.equal((await four.page.evaluate(() => window.mmoe.timings())).workers, 4);
  assert.equal((await one.page.evaluate(() => window.mmoe.timings())).workers, 1);
  // One plan for all the training: the four live models and the live Figure 4's cells (4
  // seeds on four cores: 4 models x 2 p x 4 seeds), split by cost; the four cells at the
  // slider's p and the page's seed are the live models themselves (not trained twice).
  const shares = await four.page.evaluate(() => window.mmoe.workers());
  console.log(`four cores: ${JSON.stringify(shares.map(({ models, cells, aliases, load }) => ({ models, cells, aliases, load })))}`);
  assert.deepEqual(shares.flatMap((s) => s.models).sort(), ['cgc', 'mmoe', 'omoe', 'sb']);
  assert.equal(shares.reduce((n, s) => n + s.cells, 0), 32);
  assert.equal(shares.reduce((n, s) => n + s.aliases, 0), 4);
  const loads = shares.map((s) => s.load);
  assert.ok(Math.max(...loads) <= 1.15 * Math.min(...loads), `planned loads within 15%: ${loads}`);
  assert.deepEqual(await losses(four.page), await losses(one.page));
  await four.context.close();
  await one.context.close();
});
