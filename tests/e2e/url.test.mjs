// Settings in the URL: a copied link restores the same settings; bad parameters are
// clamped or dropped with a visible notice, and the page still works.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, waitForStep, screenshotPath } from './helpers.mjs';

const env = useBrowser();

test('copy link restores the same settings in a new page', async () => {
  const { page, context } = await openPage(env, '');
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.origin });
  // Change a few settings the way a person would.
  await page.fill('#experts', '4');
  await page.press('#experts', 'Enter');
  await page.waitForFunction(() => window.mmoe.settings().experts === 4);
  await page.uncheck('input[name="models"][value="sb"]');
  await page.selectOption('#task2', 'binary');
  await page.fill('#lr', '0.003');
  await page.press('#lr', 'Tab');
  await page.$eval('#correlation', (el) => {
    el.value = '-0.35';
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await page.waitForFunction(() => window.mmoe.settings().correlation === -0.35 && window.mmoe.settings().lr === 0.003);
  await page.evaluate(() => window.mmoe.ready);
  const settings = await page.evaluate(() => window.mmoe.settings());
  const models = await page.evaluate(() => window.mmoe.models());
  assert.deepEqual(models, ['omoe', 'mmoe', 'cgc']);
  assert.equal(settings.task2, 'binary');

  await page.click('#copy-link');
  const link = await page.inputValue('#link-out');
  assert.ok(link.startsWith(env.origin + '/?'), link);
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, link);

  const second = await openPage(env, new URL(link).search.slice(1));
  assert.deepEqual(await second.page.evaluate(() => window.mmoe.settings()), settings);
  assert.deepEqual(await second.page.evaluate(() => window.mmoe.models()), models);
  // The controls show the restored values, and no notice was needed.
  assert.equal(await second.page.inputValue('#experts'), '4');
  assert.equal(await second.page.inputValue('#task2'), 'binary');
  assert.equal(await second.page.textContent('#correlation-out'), '-0.35');
  assert.equal(await second.page.isHidden('#notice'), true);
  await second.context.close();
  await context.close();
});

test('a link with autoplay=1 starts training by itself', async () => {
  const { page, context } = await openPage(env, 'models=mmoe&autoplay=1');
  await waitForStep(page, 20);
  assert.equal(await page.evaluate(() => window.mmoe.snapshot().running), true);
  await context.close();
});

test('bad URL parameters produce a notice listing each problem, and the page works', async () => {
  const query = new URLSearchParams({
    experts: '500',
    lr: 'abc',
    correlation: '2',
    models: 'mmoe,foo,sb',
    task1: '<img src=x onerror=alert(1)>',
    bogus: '<b>x</b>',
    autoplay: 'maybe',
    fig4_seeds: '9',
  }).toString();
  const { page, context, seen } = await openPage(env, query);
  await page.waitForSelector('#notice:not([hidden])');
  const items = await page.$$eval('#notice-list li', (lis) => lis.map((li) => li.textContent));
  const expect = [/^experts: 500 is out of range 1–64; set to 64/, /^lr: 'abc' is not a number/,
    /^correlation: 2 is out of range -1 to 1; set to 1/, /^models: unknown model 'foo'/, /^task1: unknown task type/,
    /not a known parameter/, /^autoplay: 'maybe' is not 0 or 1/, /^fig4_seeds: '9' is not a whole number of seeds from 1 to 4/];
  for (const re of expect) assert.ok(items.some((t) => re.test(t)), `no notice matching ${re}: ${JSON.stringify(items)}`);
  assert.equal(items.length, expect.length, JSON.stringify(items));
  // Quoted, never parsed as HTML.
  assert.equal(await page.$$eval('#notice img, #notice b, #notice-list *:not(li)', (e) => e.length), 0);
  const settings = await page.evaluate(() => window.mmoe.settings());
  assert.equal(settings.experts, 64);
  assert.equal(settings.correlation, 1);
  assert.equal(settings.lr, 0.001);
  assert.equal(settings.task1, 'regression');
  assert.deepEqual(await page.evaluate(() => window.mmoe.models()), ['mmoe', 'sb']);
  await page.screenshot({ path: screenshotPath('page-bad-url.png') });
  // And it trains.
  await page.click('#play');
  await waitForStep(page, 30);
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test('a bare preset=N link loads the preset; with lecture=1&autoplay=1 it trains that preset', async () => {
  const { page, context } = await openPage(env, 'preset=2');
  const preset = (await page.evaluate(() => window.mmoe.presets())).find((p) => p.n === 2);
  assert.deepEqual(await page.evaluate(() => window.mmoe.models()), preset.models);
  assert.equal(await page.evaluate(() => window.mmoe.settings().correlation), preset.settings.correlation);
  assert.equal((await page.evaluate(() => window.mmoe.snapshot())).preset, 2);
  assert.match(await page.textContent('#preset-title'), /^2\. /);
  assert.doesNotMatch(await page.textContent('#preset-body'), /differ/);
  assert.equal(await page.isHidden('#notice'), true);
  await context.close();

  const second = await openPage(env, 'preset=3&lecture=1&autoplay=1');
  await waitForStep(second.page, 20);
  const snap = await second.page.evaluate(() => window.mmoe.snapshot());
  assert.equal(snap.preset, 3);
  assert.equal(snap.lecture, true);
  assert.equal(snap.running, true);
  assert.equal(await second.page.evaluate(() => window.mmoe.settings().correlation), -0.5);
  // A setting given beside the preset wins over the preset's, and then it is no longer the preset.
  const third = await openPage(env, 'preset=3&correlation=0.4');
  assert.equal(await third.page.evaluate(() => window.mmoe.settings().correlation), 0.4);
  assert.equal((await third.page.evaluate(() => window.mmoe.snapshot())).preset, null);
  await third.context.close();
  await second.context.close();
});

test('typing a training set smaller than the batch lowers the batch and says so; the page keeps working', async () => {
  // A fixed training set (streaming off): only then does its size limit a batch.
  const { page, context, seen } = await openPage(env, 'models=mmoe&streaming=off');
  await page.click('summary');
  await page.fill('#train_samples', '16');
  await page.press('#train_samples', 'Enter');
  await page.waitForFunction(() => window.mmoe.settings().train_samples === 16);
  assert.equal(await page.evaluate(() => window.mmoe.settings().batch_size), 16);
  assert.equal(await page.inputValue('#batch_size'), '16');
  assert.match(await page.textContent('#status'), /batch_size: larger than train_samples; set to 16/);
  await page.waitForFunction(() => !document.getElementById('play').disabled);
  await page.click('#play');
  await waitForStep(page, 20);
  assert.match(new URL(page.url()).search, /batch_size=16/);
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test('fig4_seeds: the live Figure 4 averages that many seeds, its menu says so, and the link keeps it', async () => {
  const { page, context } = await openPage(env, 'models=omoe,mmoe&fig4_seeds=3');
  const f = await page.evaluate(() => window.mmoe.figure4());
  assert.equal(f.seeds, 3);
  assert.equal(await page.inputValue('#figure4-seeds'), '3');
  assert.match(await page.textContent('#figure4-title-0'), /mean of 3 seeds \(1–3\)/);
  // The menu: one seed, no band and no single-seed button; the URL says so.
  await page.selectOption('#figure4-seeds', '1');
  await page.waitForFunction(() => window.mmoe.figure4().seeds === 1);
  assert.match(new URL(page.url()).search, /fig4_seeds=1/);
  assert.equal(await page.isHidden('#figure4-single'), true);
  await page.evaluate(() => window.mmoe.runTo(40));
  await page.waitForFunction(() => window.mmoe.figure4().step === 40);
  assert.equal((await page.evaluate(() => window.mmoe.workers())).reduce((n, w) => n + w.cells, 0), 4);
  // G jumps to the panels.
  await page.keyboard.press('g');
  await page.waitForFunction(() => document.querySelector('.figure4-grid').getBoundingClientRect().top < window.innerHeight / 2);
  await context.close();
});
