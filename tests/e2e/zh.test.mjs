// 中文 throughout: with lang=zh no English prose is left on the page (every text, tooltip
// and label, shown or hidden), apart from names, code and units. Screenshots in
// test-output/zh-*.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, screenshotPath } from './helpers.mjs';

const env = useBrowser();

// Words that stay as they are in Chinese: model and product names, people, units,
// file formats, mathematical symbols, settings' keys and values as typed in URLs and the CLI.
const KEEP = new Set(
  `shared-bottom omoe mmoe cgc sb playground ple tang kdd ma mse auc log-loss png json csv jsd adam
   dropout nats relu jensen shannon softmax alpha_i beta_i alpha_law beta_law normal uniform spaced quadratic epsilon mmoe sweep max regression binary models experts lr batch_size train_samples
   preset lang speed autoplay correlation bogus results.json results.csv single-task uci lane kohavi
   census census1 census2 data docs reproduction.md bench people.mjs utf tab`.split(/\s+/),
);

/** Latin words of three letters or more in every text node, title and aria-label, with where they are. */
function latinWords(keep) {
  const found = [];
  const check = (text, where) => {
    for (const word of text.match(/[A-Za-z][A-Za-z_.-]{2,}/g) ?? []) {
      if (!keep.includes(word.toLowerCase().replace(/[.-]+$/, ''))) found.push(`${where}: "${word}" in "${text.trim().slice(0, 60)}"`);
    }
  };
  const skip = (el) => el.closest('code, kbd, script, style') || !el.closest('[lang]')?.lang.startsWith('zh');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!skip(node.parentElement)) check(node.textContent, node.parentElement.id || node.parentElement.tagName);
  }
  for (const el of document.querySelectorAll('[title], [aria-label]')) {
    if (skip(el)) continue;
    for (const attr of ['title', 'aria-label']) if (el.hasAttribute(attr)) check(el.getAttribute(attr), `${el.id || el.tagName}[${attr}]`);
  }
  return found;
}

test('中文: no English prose in texts, tooltips and labels; notices, presets and the experiment panel included', async () => {
  const { page, context, seen } = await openPage(env, 'lang=zh&experts=500&bogus=1&speed=7', { width: 1600, height: 1000 });
  await page.waitForSelector('#notice:not([hidden])');
  const notices = await page.$$eval('#notice-list li', (lis) => lis.map((li) => li.textContent));
  assert.equal(notices.length, 3, notices.join(' | '));
  // Ranges are written as people write them, never Rust's `1..=64`.
  assert.ok(notices.some((n) => n.includes('1 到 64')), notices.join(' | '));
  assert.ok(notices.every((n) => !n.includes('..=')), notices.join(' | '));
  await page.screenshot({ path: screenshotPath('zh-page.png') });

  await page.click('#preset-buttons button[data-preset="5"]');
  await page.waitForFunction(() => window.mmoe.snapshot().preset === 5 && !document.getElementById('play').disabled);
  await page.click('summary');
  await page.evaluate(() => window.mmoe.runTo(60));

  await page.uncheck('#experiment-form input[value="omoe"]');
  await page.fill('#experiment-correlations', '1');
  await page.fill('#experiment-seeds', '1');
  await page.fill('#experiment-steps', '20');
  await page.click('#experiment-run');
  await page.waitForSelector('#experiment-fig-0[data-drawn]', { timeout: 60000 });
  await page.waitForFunction(() => /完成/.test(document.getElementById('experiment-status').textContent), null, { timeout: 60000 });

  const english = await page.evaluate(latinWords, [...KEEP]);
  assert.deepEqual(english, []);
  await page.locator('#experiment').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('zh-experiment.png') });
  assert.deepEqual(seen.errors, []);
  await context.close();
});
