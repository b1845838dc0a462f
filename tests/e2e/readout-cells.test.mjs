// The read-out on the gate heatmaps and the inspector's scatter: hovering (or tapping, or
// moving with the keyboard on) a heatmap cell shows the expert, the task, the exact weight
// and what the row means; a scatter point shows the test sample's w1·x, w2·x and each
// task's top expert, at a phone's (touch), a projector's (lecture mode) and a laptop's size,
// in English and in Chinese.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, screenshotPath } from './helpers.mjs';

const env = useBrowser();

const tipOf = (page, selector) => page.$eval(selector, (c) => c.parentElement.querySelector('.readout:not([hidden])')?.textContent ?? null);

/** Points at (x, y) CSS px inside `selector` by mouse or by a tap. */
async function pointAt(page, selector, x, y, how) {
  await page.locator(selector).scrollIntoViewIfNeeded();
  const box = await page.locator(selector).boundingBox();
  if (how === 'tap') await page.touchscreen.tap(box.x + x, box.y + y);
  else await page.mouse.move(box.x + x, box.y + y);
}

/** The centre of MMoE's heatmap cell (`row`, `expert`), in CSS px inside its canvas. */
async function cellCentre(page, row, expert) {
  const r = await page.evaluate(([a, b]) => window.mmoe._charts.cellRect('mmoe', a, b), [row, expert]);
  assert.ok(r && r.w > 0 && r.h > 0, 'the cell has a place');
  return [r.x + r.w / 2, r.y + r.h / 2];
}

for (const [name, width, height, extra, lecture] of [
  ['phone', 390, 844, { hasTouch: true, isMobile: true }, false],
  ['projector', 1024, 768, {}, true],
  ['laptop', 1440, 900, {}, false],
]) {
  test(`heatmap cell and scatter point read-outs (${name}, ${width}x${height})`, async () => {
    const context = await env.browser.newContext({ viewport: { width, height }, ...extra });
    const query = `models=sb,mmoe,cgc&lr=0.01&seed=3${lecture ? '&lecture=1' : ''}`;
    const { page, seen } = await openPage(env, query, { context });
    await page.evaluate(() => window.mmoe.runTo(200));
    await page.waitForFunction(() => document.getElementById('heatmap-mmoe')?.dataset.drawn === '1');
    const how = name === 'phone' ? 'tap' : 'mouse';
    const gates = (await page.evaluate(() => window.mmoe.snapshot())).models.mmoe.gates;
    const experts = gates[0].length;

    // Task 2's gate, expert 3: the weight there to 3 decimals, and what the row means.
    await pointAt(page, '#heatmap-mmoe', ...(await cellCentre(page, 1, 2)), how);
    let text = await tipOf(page, '#heatmap-mmoe');
    assert.ok(text, 'a read-out is shown');
    assert.ok(text.includes(`task 2’s gate · expert 3: weight ${gates[1][2].toFixed(3)}`), text);
    assert.match(text, /mean weight task 2’s gate gives expert 3 over the latest training batch \(step 200\); the row sums to 1/);
    await page.screenshot({ path: screenshotPath(`readout-heatmap-${name}.png`) });

    // The use row: the expert's weight averaged over the two tasks.
    await pointAt(page, '#heatmap-mmoe', ...(await cellCentre(page, 2, 0)), how);
    text = await tipOf(page, '#heatmap-mmoe');
    assert.ok(text.includes(`use of expert 1: ${((gates[0][0] + gates[1][0]) / 2).toFixed(3)}`), text);
    assert.match(text, /averaged over the 2 tasks’ gates, latest training batch/);

    // The keyboard: focused, the arrows move the outlined cell; → does not train.
    await page.focus('#heatmap-mmoe');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('End');
    text = await tipOf(page, '#heatmap-mmoe');
    assert.ok(text.includes(`task 1’s gate · expert ${experts}: weight ${gates[0][experts - 1].toFixed(3)}`), text);
    await page.keyboard.press('ArrowLeft');
    assert.ok((await tipOf(page, '#heatmap-mmoe')).includes(`expert ${experts - 1}: weight ${gates[0][experts - 2].toFixed(3)}`));
    assert.equal(await page.evaluate(() => window.mmoe.snapshot().step), 200);
    assert.equal(await page.$eval('#heatmap-mmoe', (c) => c.parentElement.querySelector('.readout-mark').hidden), false, 'the cell is outlined');

    // CGC: a cell its task's gate cannot choose says so.
    const cgc = (await page.evaluate(() => window.mmoe.snapshot())).models.cgc.gates;
    const closed = cgc[0].indexOf(0);
    assert.ok(closed >= 0, 'task 1 cannot choose every CGC expert');
    const r = await page.evaluate((e) => window.mmoe._charts.cellRect('cgc', 0, e), closed);
    await pointAt(page, '#heatmap-cgc', r.x + r.w / 2, r.y + r.h / 2, how);
    assert.match(await tipOf(page, '#heatmap-cgc'), new RegExp(`cannot choose expert ${closed + 1}`));

    // The scatter: the read-out names the test sample under the pointer, its w1·x, w2·x and
    // each task's top expert with its weight, as the inspector holds them.
    await page.locator('#inspector-scatter').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => window.mmoe.inspector().step === 200 && window.mmoe.inspectorSample(7) !== null);
    const sample = await page.evaluate(() => window.mmoe.inspectorSample(7));
    await pointAt(page, '#inspector-scatter', sample.x, sample.y, how);
    text = await tipOf(page, '#inspector-scatter');
    assert.ok(text, 'a read-out is shown');
    const i = Number(/Test sample (\d+)/.exec(text)[1]);
    const shown = await page.evaluate((k) => window.mmoe.inspectorSample(k), i);
    assert.ok(Math.hypot(shown.x - sample.x, shown.y - sample.y) < 3, 'the sample under the pointer');
    assert.ok(text.includes(`w1·x ${shown.w1x.toFixed(3)}`) && text.includes(`w2·x ${shown.w2x.toFixed(3)}`), text);
    assert.match(text, /test set; MMoE’s gates at step 200/);
    shown.gates.forEach((row, k) => {
      const top = row.indexOf(Math.max(...row));
      assert.ok(text.includes(`task ${k + 1}’s gate top expert ${top + 1}, weight ${row[top].toFixed(3)}`), text);
    });
    await page.screenshot({ path: screenshotPath(`readout-scatter-${name}.png`) });

    // The keyboard on the scatter: → picks the next sample and the read-out follows it.
    await page.focus('#inspector-scatter');
    const picked = (await page.evaluate(() => window.mmoe.inspector())).picked;
    await page.keyboard.press('ArrowRight');
    const state = await page.evaluate(() => window.mmoe.inspector());
    assert.equal(state.picked, picked + 1);
    text = await tipOf(page, '#inspector-scatter');
    assert.match(text, new RegExp(`Test sample ${picked + 1}\\b`));
    const top = state.gates[0].indexOf(Math.max(...state.gates[0]));
    assert.ok(text.includes(`task 1’s gate top expert ${top + 1}, weight ${state.gates[0][top].toFixed(3)}`), text);
    assert.equal(await page.evaluate(() => window.mmoe.snapshot().step), 200, '→ here does not train');

    // In Chinese: the same values, worded in Chinese.
    await page.evaluate(() => window.mmoe.setLang('zh'));
    await page.waitForFunction(() => document.getElementById('heatmap-mmoe')?.dataset.drawn === '1');
    await page.locator('#heatmap-mmoe').scrollIntoViewIfNeeded();
    await pointAt(page, '#heatmap-mmoe', ...(await cellCentre(page, 0, 1)), how);
    text = await tipOf(page, '#heatmap-mmoe');
    assert.ok(text.includes(`任务 1 的门控 · 专家 2：权重 ${gates[0][1].toFixed(3)}`), text);
    assert.match(text, /最近一个训练批次（第 200 步）/);
    await page.screenshot({ path: screenshotPath(`readout-heatmap-${name}-zh.png`) });
    await pointAt(page, '#inspector-scatter', sample.x, sample.y, how);
    assert.match(await tipOf(page, '#inspector-scatter'), /测试样本 \d+ （测试集；MMoE 第 200 步的门控）/);
    await page.screenshot({ path: screenshotPath(`readout-scatter-${name}-zh.png`) });
    assert.deepEqual(seen.errors, []);
    await context.close();
  });
}
