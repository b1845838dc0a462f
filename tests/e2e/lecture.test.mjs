// Lecture mode, keyboard shortcuts and the language switch.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, screenshotPath, waitForStep } from './helpers.mjs';

const env = useBrowser();

test('lecture mode: toggle and lecture=1, large type, essentials only, 1920×1080 screenshot', async () => {
  const { page, context, seen } = await openPage(env, 'models=sb,omoe,mmoe&correlation=0.2&preset=2', { width: 1920, height: 1080 });
  const normal = await page.$eval('.preset-body', (el) => parseFloat(getComputedStyle(el).fontSize));
  assert.equal(await page.isVisible('#experts'), true);
  await page.click('#lecture-toggle');
  assert.equal(await page.getAttribute('#lecture-toggle', 'aria-pressed'), 'true');
  assert.match(page.url(), /lecture=1/);
  const big = await page.$eval('.preset-body', (el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(big >= 1.4 * normal, `${normal}px -> ${big}px`);
  assert.ok(big >= 22, `lecture text ${big}px`);
  // Essentials only: no architecture fields, no export, no explanation column.
  for (const hidden of ['#experts', '#lr', '#export-json', '.explain', '#copy-link', '#regenerate']) {
    assert.equal(await page.isVisible(hidden), false, hidden);
  }
  for (const shown of ['#play', '#single-step', '#reset', '#correlation', '#preset-buttons', '#loss-chart']) {
    assert.equal(await page.isVisible(shown), true, shown);
  }
  await page.evaluate(() => window.mmoe.runTo(1500));
  await page.waitForTimeout(800);
  // The heatmaps fit on the 1080-pixel screen under the tour text and the loss chart.
  const bottom = await page.$eval('#heatmaps', (el) => el.getBoundingClientRect().bottom);
  assert.ok(bottom <= 1080, `heatmaps end at ${bottom}px`);
  await page.screenshot({ path: screenshotPath('lecture-1920x1080.png') });
  await page.evaluate(() => window.mmoe.setLang('zh'));
  await page.waitForTimeout(500);
  await page.screenshot({ path: screenshotPath('lecture-1920x1080-zh.png') });
  assert.deepEqual(seen.errors, []);

  // The link keeps lecture mode.
  const again = await openPage(env, new URL(page.url()).search.slice(1), { width: 1920, height: 1080 });
  assert.equal(await again.page.evaluate(() => document.body.classList.contains('lecture')), true);
  await again.context.close();
  await context.close();
});

test('keyboard: space, →, r, 1–7, l, ?, Esc; nothing fires while typing in an input', async () => {
  const { page, context } = await openPage(env, 'models=mmoe&speed=100');
  const snap = () => page.evaluate(() => window.mmoe.snapshot());
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => window.mmoe.snapshot().step === 1);
  await page.keyboard.press(' ');
  await waitForStep(page, 20);
  assert.equal((await snap()).running, true);
  await page.keyboard.press(' ');
  await page.waitForFunction(() => !window.mmoe.snapshot().running);
  await page.keyboard.press('r');
  await page.waitForFunction(() => window.mmoe.snapshot().step === 0);

  // Typing in an input: digits, space and r go to the input.
  await page.click('#seed');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('3');
  await page.keyboard.press(' ');
  await page.keyboard.press('r');
  await page.keyboard.press('f');
  await page.waitForTimeout(300);
  assert.equal(await page.inputValue('#seed'), '3');
  const typed = await snap();
  assert.equal(typed.preset, null);
  assert.equal(typed.running, false);
  assert.equal(await page.evaluate(() => document.fullscreenElement), null);
  await page.click('h1');

  for (const n of [3, 7, 1, 6]) {
    await page.keyboard.press(String(n));
    await page.waitForFunction((k) => window.mmoe.snapshot().preset === k, n);
  }
  assert.deepEqual(await page.evaluate(() => window.mmoe.models()), ['mmoe', 'cgc']);

  await page.keyboard.press('l');
  assert.equal(await page.evaluate(() => document.body.classList.contains('lecture')), true);
  await page.keyboard.press('l');
  assert.equal(await page.evaluate(() => document.body.classList.contains('lecture')), false);

  await page.keyboard.press('?');
  assert.equal(await page.isVisible('#shortcuts'), true);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'shortcuts-close');
  // While the dialog is open the shortcuts do not act on the page.
  await page.keyboard.press('2');
  assert.equal((await snap()).preset, 6);
  await page.keyboard.press('Escape');
  assert.equal(await page.isHidden('#shortcuts'), true);
  await page.click('#help-toggle');
  assert.equal(await page.isVisible('#shortcuts'), true);
  await page.click('#shortcuts-close');
  assert.equal(await page.isHidden('#shortcuts'), true);
  await context.close();
});

test('keyboard after the mouse: Space, R and → work after clicking a button or dragging the slider', async () => {
  const { page, context } = await openPage(env, 'models=mmoe&speed=100');
  const snap = () => page.evaluate(() => window.mmoe.snapshot());
  // A preset button clicked with the mouse: Space then plays instead of clicking it again.
  await page.click('#preset-buttons button[data-preset="1"]');
  await page.waitForFunction(() => window.mmoe.snapshot().preset === 1 && !document.getElementById('play').disabled);
  await page.keyboard.press(' ');
  await page.waitForFunction(() => window.mmoe.snapshot().running);
  await page.keyboard.press(' ');
  await page.waitForFunction(() => !window.mmoe.snapshot().running);
  // The slider dragged with the mouse: → steps, R resets, Space plays; p stays where it was dropped.
  const box = await page.locator('#correlation').boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => window.mmoe.settings().correlation > 0.4);
  const p = await page.evaluate(() => window.mmoe.settings().correlation);
  const before = (await snap()).step;
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((s) => window.mmoe.snapshot().step === s + 1, before);
  assert.equal(await page.evaluate(() => window.mmoe.settings().correlation), p);
  await page.keyboard.press('r');
  await page.waitForFunction(() => window.mmoe.snapshot().step === 0);
  await page.keyboard.press(' ');
  await page.waitForFunction(() => window.mmoe.snapshot().running);
  // The keyboard's own focus is kept: a slider focused with Tab still takes the arrows.
  await page.keyboard.press(' ');
  await page.focus('#correlation');
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction((q) => window.mmoe.settings().correlation < q, p);
  // It shows a focus ring with at least 3:1 contrast against the panel.
  const ring = await page.$eval('#correlation', (el) => {
    const style = getComputedStyle(el);
    return { visible: el.matches(':focus-visible'), style: style.outlineStyle, width: parseFloat(style.outlineWidth), colour: style.outlineColor };
  });
  assert.equal(ring.visible, true);
  assert.equal(ring.style, 'solid');
  assert.ok(ring.width >= 2, JSON.stringify(ring));
  const luminance = (rgb) => {
    const [r, g, b] = rgb.match(/\d+/g).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (1 + 0.05) / (luminance(ring.colour) + 0.05);
  assert.ok(contrast >= 3, `focus ring ${ring.colour}: contrast ${contrast.toFixed(1)} against white`);
  await context.close();
});

test('language: lang=zh and the toggle translate every label; numbers and model names stay', async () => {
  const { page, context, seen } = await openPage(env, 'lang=zh&models=sb,mmoe');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-Hans');
  assert.equal(await page.textContent('#play .label'), '播放');
  assert.equal(await page.textContent('#reset'), '重置');
  assert.equal(await page.textContent('h2[data-i18n="models"]'), '模型');
  assert.match(await page.textContent('#preset-buttons button[data-preset="2"]'), /^2\. 弱相关的任务$/);
  assert.match(await page.textContent('.pick[data-model="mmoe"]'), /MMoE/);
  // No element that carries a translation key is left in English.
  const untranslated = await page.$$eval('[data-i18n]', (els) =>
    els
      .filter((e) => e.dataset.i18n !== 'help' && e.dataset.i18n !== 'png' && e.dataset.i18n !== 'lang.button')
      .filter((e) => /^[\x20-\x7e]{4,}$/.test(e.textContent.trim()))
      .map((e) => `${e.dataset.i18n}: ${e.textContent}`),
  );
  assert.deepEqual(untranslated, []);
  await page.click('#preset-buttons button[data-preset="5"]');
  await page.waitForFunction(() => window.mmoe.snapshot().preset === 5);
  assert.match(await page.textContent('#preset-body'), /门控/);
  assert.match(page.url(), /lang=zh/);
  // Back to English with the toggle.
  await page.click('#lang-toggle');
  assert.equal(await page.textContent('#play .label'), 'Play');
  assert.match(await page.textContent('#preset-body'), /gate/);
  assert.doesNotMatch(page.url(), /lang=/);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  // A bad lang= is reported like any other bad parameter.
  const bad = await openPage(env, 'lang=xx');
  await bad.page.waitForSelector('#notice:not([hidden])');
  assert.match(await bad.page.textContent('#notice-list'), /lang: 'xx'/);
  await bad.context.close();
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test('no layout jumps while training (charts, heatmaps and inspector stay put)', async () => {
  const { page, context } = await openPage(env, 'models=sb,omoe,mmoe,cgc&correlation=0.2', {
    width: 1366,
    height: 768,
  });
  await page.click('#preset-buttons button[data-preset="5"]');
  await page.waitForFunction(() => window.mmoe.snapshot().preset === 5);
  await page.waitForTimeout(300);
  const where = () =>
    page.evaluate(() =>
      ['#loss-chart', '#heatmaps', '#model-table', '#inspector', '#preset-fix'].map((s) => {
        const r = document.querySelector(s).getBoundingClientRect();
        return [s, Math.round(r.top), Math.round(r.height)].join(':');
      }),
    );
  const first = await where();
  await page.click('#play');
  for (let k = 0; k < 10; k++) {
    await page.waitForTimeout(250);
    assert.deepEqual(await where(), first);
  }
  await page.click('#play');
  await context.close();
});
