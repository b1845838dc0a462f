// Faults: a crashed trainer can be restarted from the page; a diverging model is paused
// with a message and a one-click fix.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, waitForStep, screenshotPath } from './helpers.mjs';

const env = useBrowser();

test('a worker crash shows a message and the restart button brings training back', async () => {
  const { page, context } = await openPage(env, 'models=mmoe');
  await page.click('#play');
  await waitForStep(page, 10);
  await page.evaluate(() => window.mmoe.crashWorker());
  await page.waitForSelector('#crash:not([hidden])');
  assert.match(await page.textContent('#crash-message'), /crash requested/);
  await page.screenshot({ path: screenshotPath('page-crash.png') });
  await page.click('#restart');
  await page.waitForSelector('#crash', { state: 'hidden' });
  await page.waitForFunction(() => window.mmoe.snapshot().step === 0);
  await page.click('#play');
  await waitForStep(page, 10);
  await context.close();
});

test('divergence pauses the model with a message and a one-click lower-learning-rate fix', async () => {
  // Big labels, a huge learning rate and no second-moment averaging in Adam: the losses
  // overflow within a few steps (the CLI diverges at step 3 for sb, 5 for mmoe).
  const { page, context } = await openPage(env, 'models=sb,mmoe&scale=100&lr=1&beta2=0');
  await page.click('#play');
  await page.waitForSelector('#diverged:not([hidden])', { timeout: 60000 });
  assert.match(await page.textContent('#diverged-message'), /diverged at step \d+/);
  const snap = await page.evaluate(() => window.mmoe.snapshot());
  assert.ok(Object.values(snap.models).some((m) => m.diverged), JSON.stringify(snap.models.sb.diverged));
  // The loss chart marks the step where it happened, naming the model(s).
  const marks = await page.evaluate(() => window.mmoe._charts.loss.markLabels());
  assert.ok(marks.some((l) => /(Shared-Bottom|MMoE).* diverged$/.test(l)), JSON.stringify(marks));
  await page.screenshot({ path: screenshotPath('page-diverged.png') });
  await page.click('#diverged-fix');
  await page.waitForFunction(() => window.mmoe.settings().lr === 0.1);
  assert.equal(await page.inputValue('#lr'), '0.1');
  assert.match(new URL(page.url()).search, /lr=0\.1(&|$)/);
  await context.close();
});

test('a stalled model (learning rate 1: the loss stays where a constant prediction would be) gets a warning and the fix', async () => {
  const { page, context } = await openPage(env, 'data=ple&models=sb,mmoe&lr=1');
  assert.equal(await page.isHidden('#diverged'), true);
  await page.evaluate(() => window.mmoe.runTo(1000));
  await page.waitForSelector('#diverged:not([hidden])');
  assert.match(await page.textContent('#diverged-head'), /not working/);
  assert.match(await page.textContent('#diverged-message'), /after 1000 steps, task [12](, 2)? does no better than predicting a constant/);
  const snap = await page.evaluate(() => window.mmoe.snapshot());
  assert.ok(Object.values(snap.models).some((m) => m.health === 'stalled'), JSON.stringify(Object.values(snap.models).map((m) => m.health)));
  assert.match(await page.textContent('#model-rows'), /stalled/);
  await page.screenshot({ path: screenshotPath('page-stalled.png') });
  // A healthy run at the default learning rate raises no warning.
  await page.click('#diverged-fix');
  await page.waitForFunction(() => window.mmoe.settings().lr === 0.1);
  await page.evaluate(() => window.mmoe.settings().lr === 0.1 && window.mmoe.pause());
  const healthy = await openPage(env, 'models=sb,mmoe');
  const after = await healthy.page.evaluate(() => window.mmoe.runTo(1000));
  assert.deepEqual(Object.values(after.models).map((m) => m.health), [null, null]);
  assert.equal(await healthy.page.isHidden('#diverged'), true);
  await healthy.context.close();
  await context.close();
});
