#!/usr/bin/env node
// Screenshots of the story on the default page: 5, 10 and 20 s after Play at 1440x900, and
// lecture mode at 1280x720, in English and Chinese, scrolled to the live Figure 4 (key G).
//   scripts/build-web.sh && node bench/live/shots.mjs [OUT_DIR]
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { startServer } from '../../scripts/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/chromium.mjs';

const out = process.argv[2] ?? 'test-output/story';
mkdirSync(out, { recursive: true });
const server = await startServer({ root: new URL('../../dist', import.meta.url).pathname, port: 0 });
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
for (const lang of ['en', 'zh']) {
  for (const [name, width, height, query] of [
    ['laptop', 1440, 900, ''],
    ['lecture', 1280, 720, '&lecture=1'],
  ]) {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(`${origin}/?lang=${lang}${query}`);
    await page.waitForFunction(() => window.mmoe?.snapshot);
    await page.evaluate(() => window.mmoe.ready);
    await page.screenshot({ path: `${out}/${lang}-${name}-0s.png` });
    await page.evaluate(() => window.mmoe.play());
    const started = Date.now();
    for (const s of [5, 10, 20]) {
      await page.waitForTimeout(s * 1000 - (Date.now() - started));
      await page.screenshot({ path: `${out}/${lang}-${name}-${s}s-top.png` });
      await page.keyboard.press('g');
      await page.waitForTimeout(400);
      await page.screenshot({ path: `${out}/${lang}-${name}-${s}s-figure4.png` });
      await page.evaluate(() => window.scrollTo(0, 0));
      console.log(lang, name, s, 's:', await page.evaluate(() => document.getElementById('figure4-summary').textContent));
    }
    await page.close();
  }
}
await browser.close();
server.close();
