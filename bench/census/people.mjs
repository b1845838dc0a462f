#!/usr/bin/env node
// What MMoE's gates do on census data, measured for "What to look for": for each seed,
// MMoE alone on census group 1 (or 2) trained to STEPS on the page, then the people table
// by age band: each task's most-used expert for children (0-17) and for adults 35-44,
// and the weight it gets.
//   scripts/build-web.sh && node bench/census/people.mjs [census1|census2] [STEPS] [SEEDS...]
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/chromium.mjs';

const [data = 'census1', steps = '3000', ...seedArgs] = process.argv.slice(2);
const seeds = seedArgs.length ? seedArgs.map(Number) : [1, 2, 3, 4, 5];
const server = await startServer({ root: new URL('../../dist', import.meta.url).pathname, port: 0 });
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const top = (weights) => weights.reduce((best, w, k) => (w > weights[best] ? k : best), 0);
for (const seed of seeds) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(`${origin}/?data=${data}&models=mmoe&seed=${seed}`);
  await page.waitForFunction(() => window.mmoe?.snapshot);
  await page.evaluate(() => window.mmoe.ready);
  const snap = await page.evaluate((n) => window.mmoe.runTo(n), Number(steps));
  await page.locator('#people').scrollIntoViewIfNeeded();
  await page.waitForFunction((n) => window.mmoe.people().step >= n, Number(steps), { timeout: 60000 });
  const { groups } = await page.evaluate(() => window.mmoe.people());
  const row = (name) => groups.find((g) => g.name === name);
  const [kids, adults] = [row('0–17'), row('35–44')];
  const say = (g, t) => `E${top(g.weights[t]) + 1} ${g.weights[t][top(g.weights[t])].toFixed(2)}`;
  console.log(
    `seed ${seed}: AUC ${snap.models.mmoe.test_auc.map((a) => a.toFixed(4)).join('/')}; ` +
      `task 1 children ${say(kids, 0)}, adults ${say(adults, 0)}; task 2 children ${say(kids, 1)}, adults ${say(adults, 1)}`,
  );
  await page.close();
}
await browser.close();
server.close();
