#!/usr/bin/env node
// The census data on the page, measured: `?data=census1&autoplay=1` (or census2) in
// headless Chromium at 1440x900; how long fetching and un-gzipping the data took, and
// every model's test AUC each 10 s for a minute after load. Screenshots in OUT_DIR.
//   scripts/build-web.sh && node bench/census/page.mjs [census1|census2] [OUT_DIR] [SECONDS]
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { startServer } from '../../scripts/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/chromium.mjs';

const data = process.argv[2] ?? 'census1';
const out = process.argv[3] ?? 'test-output/census';
const seconds = Number(process.argv[4] ?? 60);
mkdirSync(out, { recursive: true });
const server = await startServer({ root: new URL('../../dist', import.meta.url).pathname, port: 0 });
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
page.on('console', (m) => m.type() === 'error' && console.log('console:', m.text()));
page.on('pageerror', (e) => console.log('page error:', e.message));
let fetched = 0;
page.on('response', async (r) => {
  if (r.url().includes('census-income')) fetched += Number(r.headers()['content-length'] ?? 0);
});
const loaded = Date.now();
await page.goto(`${origin}/?data=${data}&autoplay=1`);
await page.waitForFunction(() => window.mmoe?.snapshot);
for (let s = 10; s <= seconds; s += 10) {
  await page.waitForTimeout(s * 1000 - (Date.now() - loaded));
  const snap = await page.evaluate(() => window.mmoe.snapshot());
  const auc = Object.entries(snap.models).map(([m, v]) => `${m} ${v.test_auc.map((a) => a?.toFixed(4)).join('/')}`);
  console.log(`${s} s: step ${snap.step}, data ${snap.census_ms?.toFixed(0)} ms, ${auc.join(', ')}`);
}
console.log(`fetched ${fetched} bytes of census data`);
await page.screenshot({ path: `${out}/${data}-top.png` });
await page.locator('#inspector').scrollIntoViewIfNeeded();
await page.waitForTimeout(1500);
await page.screenshot({ path: `${out}/${data}-inspector.png` });
await browser.close();
server.close();
