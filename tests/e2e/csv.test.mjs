// Your own data: a CSV file picked in the page, its label columns named, every model
// trained on it live; hostile files (too large, malformed, formula cells, not UTF-8,
// empty) refused with the reason while nothing changes. The file never leaves the
// browser: no request carries it. At a phone's, a projector's and a laptop's size.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, screenshotPath } from './helpers.mjs';

const env = useBrowser();

/** A learnable CSV: `bought` follows x1, `spend` follows x2 and the city; `id` is an id. */
function shop(rows = 600) {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const lines = ['id,x1,x2,city,spend,bought'];
  const cities = ['Paris', 'Lyon', '"Nice, FR"', ''];
  for (let i = 0; i < rows; i++) {
    const [x1, x2] = [rand(), rand()];
    const c = i % 4;
    lines.push(`u${i},${x1.toFixed(3)},${x2.toFixed(3)},${cities[c]},${(2 * x2 + c + 0.1 * rand()).toFixed(3)},${x1 + 0.2 * rand() > 0 ? 'yes' : 'no'}`);
  }
  return lines.join('\n') + '\n';
}

async function pick(page, name, buffer) {
  if (!(await page.isVisible('#csv-panel'))) await page.click('#csv-open');
  await page.setInputFiles('#csv-file', { name, mimeType: 'text/csv', buffer });
}

for (const [name, width, height, query, extra] of [
  ['phone', 390, 844, '', { hasTouch: true, isMobile: true }],
  ['projector', 1024, 768, 'lecture=1', {}],
  ['laptop', 1440, 900, '', {}],
]) {
  test(`a CSV with two label columns trains every model (${name})`, async () => {
    const context = await env.browser.newContext({ viewport: { width, height }, ...extra });
    const { page, seen } = await openPage(env, `models=sb,mmoe&${query}`, { context });
    await pick(page, 'shop.csv', Buffer.from(shop()));
    await page.waitForFunction(() => window.mmoe.csv().columns.length === 6);
    assert.match(await page.textContent('#csv-panel'), /never leaves/);
    await page.selectOption('#csv-label-1', 'spend');
    await page.selectOption('#csv-kind-1', 'regression');
    await page.selectOption('#csv-label-2', 'bought');
    await page.selectOption('#csv-kind-2', 'binary');
    const requests = seen.requests.length;
    await page.click('#csv-train');
    await page.waitForFunction(() => window.mmoe.snapshot().source === 'csv' && window.mmoe.models().length === 2 && !document.querySelector('#play').disabled);
    const message = await page.textContent('#csv-message');
    assert.match(message, /600 rows \(480 for training/);
    assert.match(message, /Dropped: id \(600 distinct texts/);
    assert.match(message, /2 numeric, 1 categorical/);
    const settings = await page.evaluate(() => window.mmoe.settings());
    assert.deepEqual([settings.source, settings.task1, settings.task2, settings.streaming], ['csv', 'regression', 'binary', false]);
    const snap = await page.evaluate(() => window.mmoe.runTo(600));
    for (const [model, m] of Object.entries(snap.models)) {
      assert.equal(m.steps, 600, model);
      const [first, last] = [m.test_loss[0], m.test_loss.at(-1)];
      assert.ok(last[1] < first[1] / 3, `${model}: the regression task's test loss falls (${first[1]} → ${last[1]})`);
      assert.equal(m.test_auc[0], null, 'a regression task has no AUC');
      assert.ok(m.test_auc[1] > 0.85, `${model}: bought AUC ${m.test_auc[1]}`);
    }
    // The URL says csv, never the file; nothing was fetched or sent since the file was picked.
    assert.match(page.url(), /source=csv/);
    assert.deepEqual(seen.requests.slice(requests).filter((u) => !u.startsWith('blob:')), []);
    // The people table groups by the CSV's own columns.
    await page.locator('#people').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => window.mmoe.people().groups.length > 0);
    const people = await page.evaluate(() => window.mmoe.people());
    assert.equal(people.column, 'city');
    assert.deepEqual(people.groups.map((g) => g.name), ['(missing)', 'Lyon', 'Nice, FR', 'Paris']);
    await page.screenshot({ path: screenshotPath(`csv-${name}.png`) });
    assert.deepEqual(seen.errors, []);
    await context.close();
  });
}

for (const [size, width, height, extra] of [
  ['phone', 390, 844, { hasTouch: true, isMobile: true }],
  ['projector', 1024, 768, {}],
  ['laptop', 1440, 900, {}],
]) test(`hostile CSV files are refused with the reason, and nothing changes (${size})`, async () => {
  const context = await env.browser.newContext({ viewport: { width, height }, ...extra });
  const { page, seen } = await openPage(env, `models=mmoe${size === 'projector' ? '&lecture=1' : ''}`, { context });
  const good = shop();
  for (const [what, buffer, reason] of [
    ['huge', Buffer.alloc(21 * 1024 * 1024, 'a'), /at most 20 MB/],
    ['empty', Buffer.alloc(0), /empty/],
    ['not UTF-8', Buffer.concat([Buffer.from('a,b,c\n'), Buffer.from([0xff, 0xfe, 0x00, 0x41]), Buffer.from(',1,2\n')]), /not UTF-8/],
  ]) {
    await pick(page, `${what}.csv`, buffer);
    await page.waitForFunction(() => window.mmoe.csv().bad);
    assert.match(await page.textContent('#csv-message'), reason, what);
    assert.equal(await page.isVisible('#csv-train'), false, `${what}: no Train button`);
  }
  for (const [what, text, reason] of [
    ['malformed', good.replace('u5,', 'u5,1,'), /row 7: 7 fields, the header has 6/],
    ['quote never ends', good + 'u9,1,2,"Paris,3,yes\n', /never ends/],
    ['formula cells', good.replace('u3,', '=HYPERLINK("http://x"),'), /looks like a spreadsheet formula/],
    ['a non-numeric regression label', good.replace(/\n(u4,[^,]*,[^,]*,[^,]*,)[^,]*,/, '\n$1lots,'), /'lots' is not a number/],
  ]) {
    await pick(page, `${what}.csv`, Buffer.from(text));
    await page.waitForFunction(() => window.mmoe.csv().columns.length === 6);
    await page.selectOption('#csv-label-1', 'spend');
    await page.selectOption('#csv-kind-1', 'regression');
    await page.click('#csv-train');
    await page.waitForFunction(() => window.mmoe.csv().bad);
    assert.match(await page.textContent('#csv-message'), reason, what);
    assert.equal((await page.evaluate(() => window.mmoe.settings())).source, 'synthetic', `${what}: the data did not change`);
  }
  const snap = await page.evaluate(() => window.mmoe.runTo(20));
  assert.equal(snap.models.mmoe.steps, 20, 'the page still trains');
  await page.locator('#csv-message').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath(`csv-refused-${size}.png`) });
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test('a link with source=csv (the file is never in a link) says so and trains the synthetic data', async () => {
  const { page, seen } = await openPage(env, 'source=csv&streaming=off&models=mmoe', { width: 1280, height: 800 });
  await page.waitForFunction(() => /never put in a link/.test(document.querySelector('#status').textContent));
  await page.waitForFunction(() => window.mmoe.snapshot().source === 'synthetic' && !document.querySelector('#play').disabled);
  assert.deepEqual(seen.errors, []);
  await page.context().close();
});
