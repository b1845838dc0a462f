// The main flows in Firefox ESR (puppeteer-core over WebDriver BiDi): load, play, the
// losses fall, the heatmaps are drawn, pause stops, the settings live in the URL and
// reopen from it, a bad URL gets its notices and the page still trains. No page may break
// the Content-Security-Policy (checked when each page closes).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useFirefox, openFirefoxPage, screenshotPath, inkFraction } from './helpers.mjs';

const env = useFirefox();

const waitForStep = (page, n) =>
  page.waitForFunction((k) => window.mmoe.snapshot().step >= k, { timeout: 120000, polling: 100 }, n);

test('Firefox: trains all four models, losses fall, heatmaps draw, pause stops', async () => {
  // Learning rate 0.01: 800 steps are enough for every loss to fall (the default 0.001 takes thousands).
  const { page, seen, close } = await openFirefoxPage(env, 'lr=0.01');
  assert.deepEqual(await page.evaluate(() => window.mmoe.models()), ['sb', 'omoe', 'mmoe', 'cgc']);
  await page.click('#play');
  const N = 800; // as in page.test.mjs: the same numbers as in Chromium, bit for bit
  await waitForStep(page, N);
  // The page's step is its fastest worker's: wait until every model has trained N steps.
  await page.waitForFunction((n) => ['sb', 'omoe', 'mmoe', 'cgc'].every((m) => window.mmoe.trainLossAt(m, n) !== null), {}, N);
  await new Promise((resolve) => setTimeout(resolve, 400)); // the charts' next frame
  for (const name of ['sb', 'omoe', 'mmoe', 'cgc']) {
    const rows = await page.evaluate((model, n) => Array.from({ length: n }, (_, k) => window.mmoe.trainLossAt(model, k + 1)), name, N);
    for (const task of [0, 1]) {
      const mean = (a) => a.reduce((s, r) => s + r[task], 0) / a.length;
      const [first, last] = [mean(rows.slice(0, 20)), mean(rows.slice(-20))];
      assert.ok(last < 0.7 * first, `${name} task ${task + 1}: ${first} -> ${last}`);
    }
  }
  for (const model of ['omoe', 'mmoe', 'cgc']) {
    const ink = await inkFraction(page, `#heatmaps canvas[data-model="${model}"]`);
    assert.ok(ink > 0.1, `${model} heatmap ink ${ink}`);
  }
  assert.ok((await inkFraction(page, '#loss-chart')) > 0.03, 'loss chart drew');
  await page.screenshot({ path: screenshotPath('firefox-training.png') });

  await page.click('#play');
  await page.waitForFunction(() => !window.mmoe.snapshot().running);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const paused = await page.evaluate(() => window.mmoe.snapshot().step);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal(await page.evaluate(() => window.mmoe.snapshot().step), paused);
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.console, []);
  await close();
});

test('Firefox: the label curve, the data view and the live Figure 4', async () => {
  // Learning rate 0.01: a few hundred steps are enough for every loss to fall.
  const { page, seen, close } = await openFirefoxPage(env, 'lr=0.01', { width: 1440, height: 900 });
  await page.waitForFunction(() => window.mmoe.labelCurve().points > 0 && !window.mmoe.labelCurve().pending, { timeout: 60000 });
  assert.equal(await page.evaluate(() => window.mmoe.labelCurve().paper), 9);
  const before = await page.evaluate(() => window.mmoe.dataView());
  await page.evaluate(() => {
    const el = document.getElementById('correlation');
    el.value = '0.9';
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await page.waitForFunction((n) => window.mmoe.labelCurve().p === 0.9 && window.mmoe.dataView().draws > n, {}, before.draws);
  assert.ok((await page.evaluate(() => window.mmoe.dataView().r)) > before.r);
  await page.click('#play');
  await page.waitForFunction(() => window.mmoe.figure4().step >= 300, { timeout: 120000, polling: 100 });
  await page.click('#play');
  await page.waitForFunction(() => !window.mmoe.snapshot().running);
  const cells = await page.evaluate(() => window.mmoe.figure4().cells);
  assert.equal(cells.length, 8);
  for (const c of cells) assert.ok(c.loss < c.start, `${c.model} at p = ${c.correlation}: ${c.start} -> ${c.loss}`);
  const { draws } = await page.evaluate(() => window.mmoe.figure4());
  await page.evaluate(() => document.getElementById('figure4').scrollIntoView());
  await page.waitForFunction((n) => window.mmoe.figure4().draws > n, {}, draws);
  assert.ok((await inkFraction(page, '#figure4-1')) > 0.03, 'the p = 0.5 panel drew');
  await page.screenshot({ path: screenshotPath('firefox-story.png') });
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.console, []);
  await close();
});

test('Firefox: settings live in the URL and reopen; a bad URL gets notices and still trains', async () => {
  const { page, close } = await openFirefoxPage(env, 'models=omoe,mmoe');
  await page.evaluate(() => {
    const experts = document.getElementById('experts');
    experts.value = '4';
    experts.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await page.waitForFunction(() => window.mmoe.settings().experts === 4);
  const search = await page.evaluate(() => window.location.search);
  assert.match(search, /experts=4/);
  const settings = await page.evaluate(() => window.mmoe.settings());
  await close();

  const again = await openFirefoxPage(env, search.slice(1));
  assert.deepEqual(await again.page.evaluate(() => window.mmoe.settings()), settings);
  assert.deepEqual(await again.page.evaluate(() => window.mmoe.models()), ['omoe', 'mmoe']);
  assert.equal(await again.page.$eval('#experts', (el) => el.value), '4');
  await again.close();

  const bad = await openFirefoxPage(env, 'experts=500&lr=abc&models=mmoe,foo&bogus=%3Cb%3Ex%3C/b%3E');
  await bad.page.waitForSelector('#notice:not([hidden])');
  const items = await bad.page.$$eval('#notice-list li', (lis) => lis.map((li) => li.textContent));
  assert.equal(items.length, 4, items.join(' | '));
  assert.ok(items.some((t) => t.startsWith('experts: 500 is out of range 1–64; set to 64')), items.join(' | '));
  assert.equal(await bad.page.$$eval('#notice-list b', (els) => els.length), 0);
  await bad.page.screenshot({ path: screenshotPath('firefox-bad-url.png') });
  await bad.page.click('#play');
  await waitForStep(bad.page, 30);
  assert.deepEqual(bad.seen.errors, []);
  await bad.close();
});
