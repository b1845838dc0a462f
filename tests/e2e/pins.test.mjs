// Pinned runs: Pin keeps the current run's curves as a labelled ghost on the loss chart and
// its settings and final losses in a list, through a settings change and a Reset; up to
// four; exported in the JSON; removed one by one or all at once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, screenshotPath } from './helpers.mjs';

const env = useBrowser();

for (const [name, width, height] of [
  ['phone', 390, 844],
  ['projector', 1920, 1080],
  ['laptop', 1440, 900],
]) {
  test(`a pinned run survives a settings change and a Reset, and lists how it differs (${name})`, async () => {
    const { page, context, seen } = await openPage(env, 'models=sb,mmoe&lr=0.01&seed=4', { width, height });
    assert.deepEqual(await page.evaluate(() => window.mmoe.pin()), { error: 'pin.empty' });
    await page.evaluate(() => window.mmoe.runTo(200));
    await page.locator('#pin').scrollIntoViewIfNeeded();
    await page.click('#pin');
    let pinned = (await page.evaluate(() => window.mmoe.snapshot())).pinned;
    assert.equal(pinned.length, 1);
    assert.equal(pinned[0].step, 200);
    assert.equal(pinned[0].settings.lr, 0.01);
    assert.deepEqual(pinned[0].models, ['sb', 'mmoe']);
    // Its final training loss: the mean of each task over the last 50 steps.
    const rows = await page.evaluate(() => Array.from({ length: 50 }, (_, k) => window.mmoe.trainLossAt('mmoe', 151 + k)));
    const mean = (t) => rows.reduce((s, r) => s + r[t], 0) / rows.length;
    assert.ok(Math.abs(pinned[0].final.mmoe.train[0] - mean(0)) < 1e-12 && Math.abs(pinned[0].final.mmoe.train[1] - mean(1)) < 1e-12);

    // A settings change that rebuilds the models; the pin stays and says what changed.
    await page.fill('#experts', '4');
    await page.press('#experts', 'Enter');
    await page.waitForFunction(() => window.mmoe.settings().experts === 4 && window.mmoe.snapshot().step === 0);
    await page.waitForFunction(() => !document.getElementById('play').disabled);
    pinned = (await page.evaluate(() => window.mmoe.snapshot())).pinned;
    assert.equal(pinned.length, 1);
    assert.match(await page.textContent('#pins'), /pin 1 · step 200.*experts 8 \(now 4\)/);
    assert.equal(await page.evaluate(() => window.mmoe._charts.loss.pinnedCount()), 1, 'the chart draws the ghost');
    await page.click('#reset');
    await page.waitForFunction(() => !document.getElementById('play').disabled);
    assert.equal((await page.evaluate(() => window.mmoe.snapshot())).pinned.length, 1);
    await page.screenshot({ path: screenshotPath(`pins-${name}.png`) });

    // Up to four: three more, then the fifth is refused with a message.
    for (let k = 0; k < 3; k++) {
      await page.evaluate((n) => window.mmoe.runTo(n), 50 * (k + 1));
      await page.click('#pin');
    }
    assert.equal((await page.evaluate(() => window.mmoe.snapshot())).pinned.length, 4);
    assert.equal(await page.evaluate(() => window.mmoe._charts.loss.pinnedCount()), 4);
    await page.click('#pin');
    await page.waitForFunction(() => /Up to 4 pinned runs/.test(document.getElementById('status').textContent));
    const exported = JSON.parse(await page.evaluate(() => window.mmoe.exportJson()));
    assert.deepEqual(exported.pinned.map((p) => p.label), ['pin 1', 'pin 2', 'pin 3', 'pin 4']);
    assert.equal(exported.pinned[0].settings.lr, 0.01);

    // Removed one by one (×), then all at once; the ghosts leave the chart.
    await page.click('#pins li:first-child button');
    assert.deepEqual((await page.evaluate(() => window.mmoe.snapshot())).pinned.map((p) => p.label), ['pin 2', 'pin 3', 'pin 4']);
    await page.click('#pins-clear');
    assert.equal((await page.evaluate(() => window.mmoe.snapshot())).pinned.length, 0);
    assert.equal(await page.isHidden('#pins-clear'), true);
    assert.equal(await page.evaluate(() => window.mmoe._charts.loss.pinnedCount()), 0, 'the ghosts are gone');
    assert.deepEqual(seen.errors, []);
    await context.close();
  });
}
