// The experiment panel: runs a small sweep in a worker, shows progress, draws the four
// figures and offers the results as JSON and CSV downloads; cancel stops it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { useBrowser, openPage, screenshotPath, inkFraction } from './helpers.mjs';

const env = useBrowser();

test('an experiment runs in a worker, shows progress and figures, and downloads its results', async () => {
  const { page, context } = await openPage(env, 'train_samples=1000&test_samples=200', { width: 1600, height: 1000 });
  await page.uncheck('#experiment-form input[value="omoe"]');
  await page.fill('#experiment-correlations', '1, 0.1');
  await page.fill('#experiment-seeds', '2');
  await page.fill('#experiment-steps', '60');
  await page.click('#experiment-run');
  await page.waitForFunction(() => document.querySelector('#experiment-progress').value >= 1);
  await page.waitForFunction(() => /Done: 8 runs/.test(document.querySelector('#experiment-status').textContent), null, { timeout: 120000 });
  assert.equal(await page.$eval('#experiment-progress', (p) => [p.value, p.max].join('/')), '8/8');

  for (const index of [0, 1, 2, 3]) {
    await page.waitForSelector(`#experiment-fig-${index}[data-drawn="8"]`);
    assert.ok((await inkFraction(page, `#experiment-fig-${index}`)) > 0.01, `figure ${index} is blank`);
  }
  await page.locator('#experiment-fig-0').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('experiment.png') });
  // Drawn at the width they are shown at (sharp text), every figure.
  for (const index of [0, 1, 2, 3]) {
    const [css, backing] = await page.$eval(`#experiment-fig-${index}`, (c) => [c.clientWidth, c.width]);
    assert.equal(backing, Math.round(css * (await page.evaluate(() => devicePixelRatio))), `figure ${index}: ${backing} px for ${css} CSS px`);
  }
  await page.locator('#experiment-figures').screenshot({ path: screenshotPath('experiment-figures.png') });
  // In Chinese the figures are redrawn in Chinese.
  await page.evaluate(() => window.mmoe.setLang('zh'));
  await page.waitForTimeout(500);
  await page.locator('#experiment-figures').screenshot({ path: screenshotPath('experiment-figures-zh.png') });

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#experiment-csv')]);
  const csv = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
  assert.equal(csv.length, 1 + 8);
  assert.match(csv[0], /^model,correlation,seed,steps/);
  const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.click('#experiment-json')]);
  const results = JSON.parse(fs.readFileSync(await jsonDownload.path(), 'utf8'));
  assert.deepEqual(results.config.models, ['sb', 'mmoe']);
  assert.equal(results.cells.length, 8);
  await context.close();
});

test('the paper\'s Figure 5 button sets up 200 seeds of three models at p = 1 and 0.5', async () => {
  const { page, context } = await openPage(env);
  await page.click('#experiment-figure5');
  const form = await page.evaluate(() => ({
    models: [...document.querySelectorAll('#experiment-form input[name="experiment-model"]:checked')].map((el) => el.value),
    correlations: document.querySelector('#experiment-correlations').value,
    seeds: document.querySelector('#experiment-seeds').value,
  }));
  assert.deepEqual(form, { models: ['sb', 'omoe', 'mmoe'], correlations: '1, 0.5', seeds: '200' });
  await context.close();
});

test('an experiment can be cancelled, and bad input gets a message instead of a run', async () => {
  const { page, context } = await openPage(env, 'train_samples=1000&test_samples=200');
  await page.fill('#experiment-correlations', '1, 7');
  await page.click('#experiment-run');
  assert.match(await page.textContent('#experiment-status'), /Cannot start: correlations must be numbers from -1 to 1/);
  assert.equal(await page.$eval('#experiment-run', (b) => b.disabled), false);

  await page.fill('#experiment-correlations', '1, 0.5, 0.1');
  await page.fill('#experiment-seeds', '20');
  await page.fill('#experiment-steps', '400');
  await page.click('#experiment-run');
  await page.waitForFunction(() => document.querySelector('#experiment-progress').value >= 1, null, { timeout: 60000 });
  // Progress counts the seeds in flight too, and says how long is left.
  assert.match(await page.textContent('#experiment-status'), /of 180 runs done on \d+ cores, about \d+ (s|min \d+ s) left/);
  await page.click('#experiment-cancel');
  assert.match(await page.textContent('#experiment-status'), /Cancelled after \d+ runs/);
  assert.equal(await page.$eval('#experiment-run', (b) => b.disabled), false);
  await context.close();
});
