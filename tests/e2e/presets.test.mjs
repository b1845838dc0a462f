// The guided tour: each preset loads from its link, trains to exactly its budget, and the
// claim its text makes is true on the page's own numbers (test-set losses and gates at
// the final evaluation, or the live Figure 4 view's recent training losses: the same
// numbers `mmoe train` prints for these settings).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, screenshotPath } from './helpers.mjs';

const env = useBrowser();

const l1 = (g) => g[0].reduce((s, v, e) => s + Math.abs(v - g[1][e]), 0);
const meanTest = (m) => {
  const [, a, b] = m.test_loss.at(-1);
  return (a + b) / 2;
};

/** Opens a preset by its button's link, trains to the budget, returns the snapshot. */
async function trainPreset(n, extra = '') {
  const first = await openPage(env, `preset=${n}`);
  // Clicking the preset button applies its settings and writes its link.
  await first.page.click(`#preset-buttons button[data-preset="${n}"]`);
  await first.page.waitForFunction((k) => window.mmoe.snapshot().preset === k, n);
  const link = new URL(first.page.url());
  await first.context.close();
  const query = link.search.slice(1) + extra;
  const { page, context, seen } = await openPage(env, query);
  const preset = (await page.evaluate(() => window.mmoe.presets())).find((p) => p.n === n);
  const snap = await page.evaluate((b) => window.mmoe.runTo(b), preset.budget);
  assert.equal(snap.step, preset.budget);
  assert.deepEqual(seen.errors, []);
  return { page, context, snap, preset, query };
}

test('every preset has a button, a link with preset=N, a text and a claim', async () => {
  const { page, context } = await openPage(env, '');
  const buttons = await page.$$eval('#preset-buttons button', (bs) => bs.map((b) => b.textContent));
  assert.equal(buttons.length, 7);
  for (let n = 1; n <= 7; n++) {
    await page.click(`#preset-buttons button[data-preset="${n}"]`);
    await page.waitForFunction((k) => window.mmoe.snapshot().preset === k, n);
    assert.match(page.url(), new RegExp(`preset=${n}`));
    assert.ok((await page.textContent('#preset-body')).length > 60);
    assert.ok((await page.textContent('#preset-claim-text')).length > 20);
  }
  // Changing a setting leaves the preset (its text no longer applies).
  await page.fill('#seed', '7');
  await page.press('#seed', 'Enter');
  await page.waitForFunction(() => window.mmoe.snapshot().preset === null);
  assert.doesNotMatch(page.url(), /preset=/);
  await context.close();
});

test('preset 1 (p = 1): OMoE’s test loss is within 1.1× of MMoE’s', async () => {
  const { snap, context } = await trainPreset(1);
  const v = meanTest(snap.models.omoe) / meanTest(snap.models.mmoe);
  assert.ok(v <= 1.1, `OMoE / MMoE = ${v}`);
  assert.equal(snap.claim.ok, true);
  await context.close();
});

test('preset 2 (p = 0.2): MMoE’s gate rows separate (L1 > 0.8); OMoE’s are identical', async () => {
  const { snap, context } = await trainPreset(2);
  const v = l1(snap.models.mmoe.test_gates);
  assert.ok(v > 0.8, `L1 = ${v}`);
  assert.equal(l1(snap.models.omoe.test_gates), 0);
  assert.equal(snap.claim.ok, true);
  await context.close();
});

test('preset 3 (p = -0.5): MMoE’s gate rows separate further (L1 > 1.2)', async () => {
  const { snap, context } = await trainPreset(3);
  const v = l1(snap.models.mmoe.test_gates);
  assert.ok(v > 1.2, `L1 = ${v}`);
  assert.equal(snap.claim.ok, true);
  await context.close();
});

test('preset 4 (one expert): every OMoE and MMoE gate weight is 1', async () => {
  const { snap, context } = await trainPreset(4);
  for (const m of ['omoe', 'mmoe']) {
    assert.deepEqual(snap.models[m].test_gates.flat().map((v) => Math.round(v * 1000) / 1000), [1, 1]);
  }
  assert.equal(snap.claim.ok, true);
  await context.close();
});

test('preset 5: gates polarise (entropy < 1.45); the gate-dropout fix spreads them (> 1.45) at a higher test loss', async () => {
  const before = await trainPreset(5);
  const h = before.snap.models.mmoe.entropy_test;
  assert.ok(Math.max(...h) < 1.45, `entropy ${h}`);
  assert.equal(before.snap.claim.ok, true);
  const lossBefore = meanTest(before.snap.models.mmoe);
  // The fix button applies gate dropout 0.5 and keeps the preset.
  await before.page.click('#preset-fix');
  await before.page.waitForFunction(() => window.mmoe.settings().gate_dropout === 0.5 && window.mmoe.snapshot().step === 0);
  assert.match(before.page.url(), /gate_dropout=0.5/);
  const after = await before.page.evaluate((b) => window.mmoe.runTo(b), before.preset.budget);
  const h2 = after.models.mmoe.entropy_test;
  assert.ok(Math.min(...h2) > 1.45, `entropy with the fix ${h2}`);
  assert.equal(after.preset, 5);
  assert.equal(after.claim.ok, true);
  const lossAfter = meanTest(after.models.mmoe);
  assert.ok(lossAfter > lossBefore, `${lossBefore} -> ${lossAfter}`);
  assert.match(await before.page.textContent('#preset-verdict'), /✓/);
  await before.context.close();
});

test('preset 6 (p = -0.5): CGC’s gate rows are further apart than MMoE’s', async () => {
  const { snap, context } = await trainPreset(6);
  const [a, b] = [l1(snap.models.mmoe.test_gates), l1(snap.models.cgc.test_gates)];
  assert.ok(b > a, `CGC ${b} vs MMoE ${a}`);
  assert.equal(snap.claim.ok, true);
  await context.close();
});

test('preset 7 (Figure 3): a 16-unit Shared-Bottom’s training loss is higher at p = 0.5 than at p = 1 (live Figure 4)', async () => {
  const { page, preset, context } = await trainPreset(7);
  assert.equal(await page.inputValue('#bottom_units'), '16');
  // The view starts a few steps after the model: train on until it is at the budget too.
  const behind = preset.budget - (await page.evaluate(() => window.mmoe.figure4().step));
  assert.ok(behind >= 0 && behind < 300, `the live Figure 4 view is ${behind} steps behind`);
  const { claim } = await page.evaluate((n) => window.mmoe.runTo(n), preset.budget + behind);
  await page.waitForFunction((b) => window.mmoe.figure4().step === b, preset.budget);
  const cells = (await page.evaluate(() => window.mmoe.figure4())).cells;
  assert.deepEqual(cells.map((c) => [c.model, c.correlation, c.steps]), [['sb', 1, preset.budget], ['sb', 0.5, preset.budget]]);
  const [same, half] = cells.map((c) => c.loss);
  assert.ok(half > same, `p = 0.5: ${half}, p = 1: ${same}`);
  console.log(`preset 7 at step ${preset.budget}: p = 0.5 ${half.toFixed(3)}, p = 1 ${same.toFixed(3)}`);
  assert.deepEqual(claim, { ok: true, value: `${half.toFixed(3)} > ${same.toFixed(3)}` });
  await page.waitForFunction(() => /✓/.test(document.getElementById('preset-verdict').textContent));
  assert.match(await page.textContent('#preset-verdict'), new RegExp(`${preset.budget}: ${half.toFixed(3)} > ${same.toFixed(3)} ✓`));
  await page.locator('#preset-claim').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('preset-7.png') });
  await context.close();
});
