// The read-out under the pointer: hovering (or tapping, or moving with the keyboard on)
// the loss chart, a Figure 4 panel or the label curve shows the step there and each model's exact training
// (and test) losses, at a phone's, a projector's and a laptop's size.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, screenshotPath } from './helpers.mjs';

const env = useBrowser();

/** A loss as the read-out prints it. */
const shown = (v) => (v >= 100 ? v.toFixed(1) : v.toPrecision(4));

/** Where step `s` is drawn on the loss chart (`panel` null) or Figure 4's panel `panel`, in CSS px. */
const xOf = (page, panel, s) =>
  page.evaluate(([p, k]) => (p === null ? window.mmoe._charts.loss.xOfStep(k) : window.mmoe.figure4Readout(p, k)), [panel, s]);

/** Puts the pointer (`how`: 'mouse' or 'tap') over step `step` of a chart, mid-height. */
async function pointAt(page, selector, panel, step, how = 'mouse') {
  await page.locator(selector).scrollIntoViewIfNeeded();
  // A chart off screen is drawn once it shows: wait for its first draw.
  await page.waitForFunction(
    ([p, k]) => Number.isFinite(p === null ? window.mmoe._charts.loss.xOfStep(k) : window.mmoe.figure4Readout(p, k)),
    [panel, step],
  );
  const x = await xOf(page, panel, step);
  const box = await page.locator(selector).boundingBox();
  const at = [box.x + x, box.y + box.height / 2];
  if (how === 'tap') await page.touchscreen.tap(...at);
  else await page.mouse.move(...at);
}

const readoutText = (page, selector) => page.$eval(selector, (c) => c.parentElement.querySelector('.readout:not([hidden])')?.textContent ?? null);

for (const [name, width, height, extra] of [
  ['phone', 390, 844, { hasTouch: true, isMobile: true }],
  ['projector', 1920, 1080, {}],
  ['laptop', 1440, 900, {}],
]) {
  test(`read-out on the loss chart, Figure 4 and the label curve (${name}, ${width}x${height})`, async () => {
    const context = await env.browser.newContext({ viewport: { width, height }, ...extra });
    const { page, seen } = await openPage(env, `models=sb,mmoe&lr=0.01&seed=2${name === 'projector' ? '&lecture=1' : ''}`, { context });
    await page.evaluate(() => window.mmoe.runTo(300));
    await page.waitForFunction(() => window.mmoe.figure4().step >= 300);
    await page.waitForFunction(() => window.mmoe._charts.loss.xOfStep(1) > 0);

    // Step 200 of the loss chart: both models' training losses exactly, and the latest test loss.
    const how = name === 'phone' ? 'tap' : 'mouse';
    await pointAt(page, '#loss-chart', null, 200, how);
    const text = await readoutText(page, '#loss-chart');
    assert.ok(text, 'a read-out is shown');
    const step = Number(/Step ([\d,]+)/.exec(text)[1].replace(/,/g, ''));
    assert.ok(Math.abs(step - 200) <= 2, `read-out at step ${step}`);
    for (const [model, label] of [['sb', 'Shared-Bottom'], ['mmoe', 'MMoE']]) {
      const [a, b] = await page.evaluate(([m, s]) => window.mmoe.trainLossAt(m, s), [model, step]);
      assert.match(text, new RegExp(`${label} training ${shown(a)} · ${shown(b)}`));
    }
    assert.match(text, /test [\d.]+ · [\d.]+ \(evaluated at step 200\)/);
    await page.screenshot({ path: screenshotPath(`readout-loss-${name}.png`) });

    // The keyboard: focused, ← moves the read-out one step back and does not train.
    await page.focus('#loss-chart');
    await page.keyboard.press('ArrowLeft');
    assert.match(await readoutText(page, '#loss-chart'), new RegExp(`Step ${step - 1}\\b`));
    assert.equal(await page.evaluate(() => window.mmoe.snapshot().step), 300);
    await page.keyboard.press('End');
    assert.match(await readoutText(page, '#loss-chart'), /Step 300\b/);

    // Figure 4's p = 0.5 panel at step 100: the mean over the seeds of each model's training losses.
    await pointAt(page, '#figure4-1', 1, 100, how);
    const f4 = await readoutText(page, '#figure4-1');
    const s4 = Number(/Step ([\d,]+)/.exec(f4)[1].replace(/,/g, ''));
    const seeds = await page.evaluate(() => window.mmoe.figure4().seeds);
    for (const [model, label] of [['sb', 'Shared-Bottom'], ['mmoe', 'MMoE']]) {
      const losses = await page.evaluate(
        ([m, s, k]) => Array.from({ length: k }, (_, i) => window.mmoe.figure4LossAt(m, 0.5, 2 + i, s)),
        [model, s4, seeds],
      );
      const mean = (t) => losses.reduce((sum, l) => sum + l[t], 0) / seeds;
      assert.match(f4, new RegExp(`${label} training ${shown(mean(0))} · ${shown(mean(1))} \\(mean of ${seeds} seeds\\)`));
    }
    await page.screenshot({ path: screenshotPath(`readout-figure4-${name}.png`) });

    // The label curve beside the slider at p = 0.5: our r there and the paper's read-off.
    await page.waitForFunction(() => window.mmoe.labelCurve().points > 0 && !window.mmoe.labelCurve().pending);
    await page.locator('#label-curve').scrollIntoViewIfNeeded();
    const x = await page.evaluate(() => window.mmoe.labelCurveX(0.5));
    const curveBox = await page.locator('#label-curve').boundingBox();
    const at = [curveBox.x + x, curveBox.y + curveBox.height / 2];
    if (how === 'tap') await page.touchscreen.tap(...at);
    else await page.mouse.move(...at);
    const curve = await readoutText(page, '#label-curve');
    const r = (await page.evaluate(() => window.mmoe.labelCurve())).r;
    assert.match(curve, new RegExp(`p = 0\\.50 label r ${r.toFixed(3)} ± [\\d.]+ \\(mean ± sd over seeds 1–8\\)`));
    assert.match(curve, /the paper’s Figure 2 r = 0\.075/);
    await page.screenshot({ path: screenshotPath(`readout-label-curve-${name}.png`) });
    assert.deepEqual(seen.errors, []);
    await context.close();
  });
}
