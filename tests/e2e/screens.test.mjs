// Every screen the page is used on, in normal and lecture mode: no sideways scroll, no
// control smaller than a 24 px target, and what must be on the first screen is there
// (lecture mode: the loss chart and the gate heatmaps, for every preset; a laptop: the
// loss chart and the gates together). Screenshots in test-output/screens-*.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, screenshotPath } from './helpers.mjs';

const env = useBrowser();

const SCREENS = [
  [390, 844],
  [768, 1024],
  [1024, 768],
  [1280, 720],
  [1440, 900],
  [1920, 1080],
];
const MIN_TARGET = 24;

/** Visible controls whose target (a checkbox's: its label) is under 24 × 24 px. */
function smallTargets(min) {
  const small = [];
  for (const el of document.querySelectorAll('button, input, select, textarea, summary, a[href]')) {
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    const label = ['checkbox', 'radio'].includes(el.type) ? el.closest('label') : null;
    const r = (label ?? el).getBoundingClientRect();
    if (r.width < min || r.height < min) {
      const name = el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}.${el.className}`;
      small.push(`${name} "${(el.textContent || el.value || '').trim().slice(0, 20)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
  }
  return small;
}

/** Where the loss chart and the heatmaps are, and how far the page scrolls sideways. */
function layout() {
  const box = (sel) => {
    const r = document.querySelector(sel).getBoundingClientRect();
    return { top: Math.round(r.top), bottom: Math.round(r.bottom), height: Math.round(r.height) };
  };
  return {
    sideways: document.documentElement.scrollWidth - window.innerWidth,
    scrollY: window.scrollY,
    loss: box('#loss-chart'),
    heatmaps: box('#heatmaps'),
    statusTop: Math.round(document.querySelector('.statusbar').getBoundingClientRect().top),
  };
}

/**
 * What keeps the loss chart and the heatmaps from lying wholly on the first screen, above
 * the status bar (the heatmaps only when a gated model is shown: Shared-Bottom has none).
 */
function offFirstScreen(where, gated = true) {
  const off = [];
  if (where.scrollY !== 0) off.push(`scrolled to ${where.scrollY}`);
  if (where.loss.top < 0 || where.loss.height < 150) off.push(`loss chart ${JSON.stringify(where.loss)}`);
  if (!gated) {
    if (where.heatmaps.height > 0) off.push(`heatmaps shown without a gated model ${JSON.stringify(where.heatmaps)}`);
    return off;
  }
  if (where.heatmaps.height < 100) off.push(`heatmaps ${JSON.stringify(where.heatmaps)}`);
  if (where.heatmaps.bottom > where.statusTop) off.push(`heatmaps end at ${where.heatmaps.bottom}, the screen at ${where.statusTop}`);
  return off;
}

/** Loads preset `n` and waits until its models and their heatmaps are built. */
async function showPreset(page, n) {
  await page.evaluate((k) => window.mmoe.preset(k), n);
  await page.waitForFunction((k) => {
    const want = window.mmoe.presets().find((p) => p.n === k).models;
    const snap = window.mmoe.snapshot();
    const drawn = document.querySelectorAll('#heatmaps canvas[data-drawn]').length;
    const built = !document.getElementById('play').disabled; // the buttons wait for the new models
    return built && snap.preset === k && Object.keys(snap.models).join() === want.join() && drawn === want.filter((m) => m !== 'sb').length;
  }, n);
}

/** One image of several screenshots side by side, to look at together. */
async function contactSheet(shots, name) {
  const page = await env.browser.newPage({ viewport: { width: 1800, height: 800 } });
  await page.setContent(
    `<body style="margin:0;display:grid;grid-template-columns:repeat(3,1fr);gap:8px;background:#444">${shots
      .map((png) => `<img style="width:100%" src="data:image/png;base64,${png.toString('base64')}">`)
      .join('')}</body>`,
  );
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
  await page.close();
}

async function checkScreen([width, height]) {
  const size = `${width}x${height}`;
  const { page, context, seen } = await openPage(env, '', { width, height });
  const problems = [];
  const check = async (label) => {
    const where = await page.evaluate(layout);
    if (where.sideways > 0) problems.push(`${label}: scrolls sideways by ${where.sideways} px`);
    for (const s of await page.evaluate(smallTargets, MIN_TARGET)) problems.push(`${label}: ${s}`);
    return where;
  };
  const normal = await check(`${size} normal`);
  if (width >= 1440) problems.push(...offFirstScreen(normal).map((p) => `${size} normal: ${p}`));
  await page.screenshot({ path: screenshotPath(`screens-${size}-normal.png`) });
  await page.evaluate(() => window.mmoe.setLecture(true));
  await page.waitForTimeout(300);
  // The default four models too: three heatmaps.
  await page.waitForFunction(() => document.querySelectorAll('#heatmaps canvas[data-drawn]').length === 3);
  problems.push(...offFirstScreen(await check(`${size} lecture`)).map((p) => `${size} lecture: ${p}`));
  await page.screenshot({ path: screenshotPath(`screens-${size}-lecture.png`) });
  const shots = [];
  for (const n of [1, 2, 3, 4, 5, 6, 7]) {
    await showPreset(page, n);
    const label = `${size} lecture preset ${n}`;
    const gated = (await page.evaluate(() => window.mmoe.models())).some((m) => m !== 'sb');
    problems.push(...offFirstScreen(await check(label), gated).map((p) => `${label}: ${p}`));
    shots.push(await page.screenshot());
  }
  await contactSheet(shots, `screens-${size}-lecture-presets.png`);
  problems.push(...seen.errors.map((e) => `${size}: page error ${e}`));
  await context.close();
  return problems;
}

test('every screen, normal and lecture: no sideways scroll, 24 px targets, charts and gates on the first screen', async () => {
  // Three screens at a time in one browser: the pages only build models, they do not train.
  const problems = [];
  for (let i = 0; i < SCREENS.length; i += 3) problems.push(...(await Promise.all(SCREENS.slice(i, i + 3).map(checkScreen))).flat());
  assert.deepEqual(problems, []);
});
