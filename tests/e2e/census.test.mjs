// The census-income data on the page (section 6): chosen in the data menu or the URL,
// fetched once (at most 5 MB), every model trained on it with test AUC, the people
// table grouping the gates by an input column, and a broken data file refused with a
// message and a safe state. At a phone's, a projector's (lecture) and a laptop's size.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { useBrowser, openPage, screenshotPath, inkFraction, ROOT } from './helpers.mjs';

const env = useBrowser();
const FILE = path.join(ROOT, 'data', 'census', 'census-income.bin.gz');

const visible = (page, selector) => page.locator(selector).first().isVisible();
const settled = (page, source) =>
  page.waitForFunction((s) => window.mmoe.snapshot().source === s && !document.querySelector('#play').disabled && window.mmoe.models().length > 0, source, { timeout: 30000 });

for (const [name, width, height, query, extra] of [
  ['phone', 390, 844, '', { hasTouch: true, isMobile: true }],
  ['projector', 1024, 768, 'lecture=1', {}],
  ['laptop', 1440, 900, '', {}],
]) {
  test(`census data from the menu: every model trains, AUC, people table, back to synthetic (${name})`, async () => {
    const context = await env.browser.newContext({ viewport: { width, height }, ...extra });
    const census = [];
    context.on('response', async (r) => {
      if (r.url().includes('census-income')) census.push((await r.body()).length);
    });
    const { page, seen } = await openPage(env, `models=sb,mmoe,single&${query}`, { context });
    assert.equal(await visible(page, '#figure4'), true, 'Figure 4 on synthetic data');
    await page.selectOption('#source', 'census1');
    await settled(page, 'census1');
    const settings = await page.evaluate(() => window.mmoe.settings());
    assert.deepEqual([settings.task1, settings.task2, settings.streaming], ['binary', 'binary', false]);
    assert.match(page.url(), /source=census1/);
    // The views about p give way; the tasks and their measured label correlation show.
    assert.equal(await visible(page, '#figure4'), false);
    assert.equal(await visible(page, '#correlation'), false);
    assert.match(await page.textContent('#census-tasks'), /income > 50K.*never married/);
    const r = Number(await page.textContent('#census-pearson'));
    assert.ok(Math.abs(r + 0.178) < 0.01, `label Pearson ${r}`);
    assert.equal(census.length, 1, 'the data is fetched once');
    assert.ok(census[0] <= 5 * 1024 * 1024, `${census[0]} bytes`);

    const snap = await page.evaluate(() => window.mmoe.runTo(1000));
    assert.deepEqual(Object.keys(snap.models).sort(), ['mmoe', 'sb', 'single']);
    for (const [model, m] of Object.entries(snap.models)) {
      assert.equal(m.steps, 1000, model);
      // Two evaluations (steps 500 and 1000); both tasks binary, both AUCs well above chance.
      assert.ok(m.test_auc[0] > 0.9 && m.test_auc[1] > 0.97, `${model} ${m.test_auc}`);
      const first = m.test_loss[0];
      assert.ok(m.test_loss.at(-1)[1] < first[1] / 2, `${model} test loss falls: ${first[1]} → ${m.test_loss.at(-1)[1]}`);
    }
    assert.equal(snap.source, 'census1');
    // Each task's test AUC is drawn over training, beside the loss chart's log-loss.
    await page.locator('#auc').scrollIntoViewIfNeeded();
    for (const k of [0, 1]) {
      await page.waitForFunction((id) => /latest: .*MMoE 0\.9/.test(document.getElementById(id).getAttribute('aria-label') ?? ''), `auc-${k}`);
      assert.ok((await inkFraction(page, `#auc-${k}`)) > 0.01, `AUC panel ${k} drawn`);
    }
    assert.ok(Number.isFinite(snap.census_ms), 'the page timed fetching the data (bench/census/page.mjs reports it)');
    await page.screenshot({ path: screenshotPath(`census-${name}-top.png`) });

    // The people table: the inspector's model (MMoE) grouped by age band, then by sex.
    await page.locator('#people').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => window.mmoe.people().groups.length > 0 && window.mmoe.people().step >= 1000, null, { timeout: 30000 });
    const byAge = await page.evaluate(() => window.mmoe.people());
    assert.equal(byAge.column, 'age');
    assert.equal(byAge.groups.length, 7);
    assert.equal(byAge.groups.reduce((n, g) => n + g.count, 0), 5000);
    for (const g of byAge.groups.filter((x) => x.count > 0)) {
      for (const row of g.weights) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-3, `${g.name} ${row}`);
    }
    await page.screenshot({ path: screenshotPath(`census-${name}-people.png`) });
    await page.selectOption('#people-column', 'sex');
    await page.waitForFunction(() => window.mmoe.people().column === 'sex' && window.mmoe.people().groups.length === 2, null, { timeout: 30000 });
    const bySex = await page.evaluate(() => window.mmoe.people());
    assert.deepEqual(bySex.groups.map((g) => g.name), ['Female', 'Male']);

    // Back to the synthetic data: Figure 4 and the slider return, the tasks are regression.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.selectOption('#source', 'synthetic');
    await settled(page, 'synthetic');
    const back = await page.evaluate(() => window.mmoe.settings());
    assert.deepEqual([back.task1, back.streaming, back.eval_every], ['regression', true, 50]);
    assert.equal(await visible(page, '#figure4'), true);
    assert.deepEqual(seen.errors, []);
    await context.close();
  });
}

test('data=census2 in the URL trains group 2 with education out of the inputs (Chinese)', async () => {
  const { page, seen } = await openPage(env, 'data=census2&models=mmoe&lang=zh', { width: 1440, height: 900 });
  await settled(page, 'census2');
  assert.match(await page.textContent('#census-tasks'), /学历/);
  const snap = await page.evaluate(() => window.mmoe.runTo(500));
  const [education, married] = snap.models.mmoe.test_auc;
  // The paper's .88: well above chance, and far from what an education input would give.
  assert.ok(education > 0.8 && education < 0.92, `education AUC ${education}`);
  assert.ok(married > 0.97, `never married AUC ${married}`);
  await page.screenshot({ path: screenshotPath('census-zh-laptop.png') });
  // The Experiment sweeps p, which census data has not: it says so instead of running.
  await page.click('#experiment-run');
  await page.waitForFunction(() => /mmoe sweep --data census1/.test(document.querySelector('#experiment-status').textContent));
  assert.equal(await page.isDisabled('#experiment-cancel'), true);
  assert.deepEqual(seen.errors, []);
  await page.context().close();
});

test('a broken census file is refused with its reason, and the page goes back to synthetic data', async () => {
  const good = readFileSync(FILE);
  for (const [what, body, reason] of [
    ['truncated', good.subarray(0, good.length / 2), /damaged or cut short/],
    ['not gzip', Buffer.from('not,a,census,file\n'), /not gzip/],
    ['gzip of something else', gzipSync(Buffer.from('MMOECEN0 hello')), /not a census data file/],
    ['gzip of a cut-short table', gzipSync(Buffer.concat([Buffer.from('MMOECEN1'), Buffer.alloc(6)])), /truncated/],
  ]) {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.route('**/census-income.bin.gz', (route) => route.fulfill({ status: 200, contentType: 'application/gzip', body }));
    const { page, seen } = await openPage(env, 'models=mmoe', { context });
    await page.selectOption('#source', 'census1');
    await page.waitForFunction(() => /census/i.test(document.querySelector('#status')?.textContent ?? '') && /could not/.test(document.querySelector('#status').textContent), null, { timeout: 30000 });
    const text = await page.textContent('#status');
    assert.match(text, reason, `${what}: ${text}`);
    await settled(page, 'synthetic');
    assert.equal(await page.inputValue('#source'), 'synthetic', what);
    const snap = await page.evaluate(() => window.mmoe.runTo(20));
    assert.equal(snap.models.mmoe.steps, 20, `${what}: the page still trains`);
    assert.deepEqual(seen.errors, [], what);
    await context.close();
  }
});
