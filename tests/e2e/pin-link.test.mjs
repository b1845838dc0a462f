// Pinned runs in a link: Copy link carries each pin's models, steps and settings (`pins=`);
// the opened link retrains them in the background and shows them as ghosts, bit for bit
// the same final losses and curves as the originals, at a phone's, a projector's (lecture
// mode) and a laptop's size. A pin whose run had a setting moved mid-run is left out (and
// the status says so); a hostile `pins=` gives notices, never a crash.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, screenshotPath } from './helpers.mjs';

const env = useBrowser();

/** Moves the correlation slider to `p` while the models exist (a live change). */
const slide = (page, p) =>
  page.$eval(
    '#correlation',
    (el, v) => {
      el.value = String(v);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
    },
    p,
  );

/** Pins through the test handle (lecture mode hides the button); returns the pin. */
const pin = (page) => page.evaluate(() => window.mmoe.pin());

for (const [name, width, height, lecture] of [
  ['phone', 390, 844, false],
  ['projector', 1024, 768, true],
  ['laptop', 1440, 900, false],
]) {
  test(`pinned runs in a link are rebuilt bit for bit (${name})`, async () => {
    const { page, context, seen } = await openPage(env, `models=sb,mmoe&lr=0.01&seed=4${lecture ? '&lecture=1' : ''}`, { width, height });
    await page.evaluate(() => window.mmoe.runTo(300));
    assert.equal((await pin(page)).step, 300);
    // A second run with other settings and models, pinned at step 120.
    await page.evaluate(() => window.mmoe.loadSettingsText(JSON.stringify({ settings: { experts: 4, lr: 0.01, seed: 4 }, models: ['omoe', 'mmoe', 'cgc'] })));
    await page.waitForFunction(() => window.mmoe.settings().experts === 4 && window.mmoe.snapshot().step === 0 && !document.getElementById('play').disabled);
    await page.evaluate(() => window.mmoe.runTo(120));
    assert.equal((await pin(page)).step, 120);
    // A third whose p moved mid-run: its settings cannot rebuild it, so the link leaves it out.
    await page.evaluate(() => window.mmoe.runTo(150));
    await slide(page, 0.2);
    await page.waitForFunction(() => window.mmoe.settings().correlation === 0.2);
    await page.evaluate(() => window.mmoe.runTo(170));
    const mixed = await pin(page);
    assert.deepEqual(mixed.changed, { key: 'correlation', step: 150 });
    const original = (await page.evaluate(() => window.mmoe.snapshot())).pinned;
    assert.equal(original.length, 3);

    if (lecture) await page.evaluate(() => document.getElementById('copy-link').click()); // lecture mode hides it
    else {
      await page.locator('#copy-link').scrollIntoViewIfNeeded();
      await page.click('#copy-link');
    }
    await page.waitForFunction(() => document.getElementById('link-out').value.includes('pins='));
    const link = await page.inputValue('#link-out');
    assert.match(await page.textContent('#status'), /without pin 3/);
    const pins = new URL(link).searchParams.get('pins');
    // Short: each pin's models and step, then only the settings that differ from the defaults.
    const [one, two] = pins.split('~').map((p) => p.split(';'));
    assert.equal(one[0], 'sb,mmoe@300');
    assert.deepEqual(one.slice(1).sort(), ['lr:0.01', 'seed:4']);
    assert.equal(two[0], 'omoe,mmoe,cgc@120');
    assert.deepEqual(two.slice(1).sort(), ['experts:4', 'lr:0.01', 'seed:4']);

    // The link in a new page: both pins retrained in the background, exactly the originals.
    const second = await openPage(env, new URL(link).search.slice(1), { width, height });
    await second.page.waitForFunction(() => window.mmoe.snapshot().pinned.length === 2, null, { timeout: 120000 });
    const rebuilt = (await second.page.evaluate(() => window.mmoe.snapshot())).pinned;
    for (const k of [0, 1]) {
      const [a, b] = [original[k], rebuilt[k]];
      assert.equal(b.step, a.step);
      assert.deepEqual(b.models, a.models);
      assert.deepEqual(b.settings, a.settings);
      assert.deepEqual(b.final, a.final, `pin ${k + 1}'s final losses, bit for bit`);
      for (const model of a.models) {
        assert.ok(a.curves[model].length >= 100, 'a curve of every step');
        assert.deepEqual(b.curves[model], a.curves[model], `pin ${k + 1}'s ${model} curve, bit for bit`);
      }
    }
    assert.equal(await second.page.evaluate(() => window.mmoe._charts.loss.pinnedCount()), 2, 'drawn as ghosts');
    // The rebuilt pins leave the live run alone: it is the link's own settings, at step 0.
    assert.equal((await second.page.evaluate(() => window.mmoe.snapshot())).step, 0);
    assert.equal(await second.page.isHidden('#notice'), true, 'no notice for a good link');
    await second.page.waitForFunction(() => window.mmoe._charts.loss.dirty === false);
    await second.page.locator('#loss-chart').scrollIntoViewIfNeeded();
    await second.page.screenshot({ path: screenshotPath(`pin-link-${name}.png`) });
    // In Chinese, the list says the same (lecture mode keeps it off screen).
    await second.page.evaluate(() => window.mmoe.setLang('zh'));
    assert.match(await second.page.textContent('#pins'), /pin 1 · 第 300 步.*（现在 /);
    await second.page.screenshot({ path: screenshotPath(`pin-link-${name}-zh.png`) });
    assert.deepEqual([...seen.errors, ...second.seen.errors], []);
    await second.context.close();
    await context.close();
  });
}

test('a hostile pins= value is refused with notices, the good pins rebuilt, the page working', async () => {
  const many = Array.from({ length: 6 }, (_, k) => `mmoe@${10 + k}`).join('~');
  const hostile = [
    '<img src=x onerror=alert(1)>@5', // not a model name
    'sb@999999999', // too many steps
    'mmoe@20;lr:1e9;bogus:1', // lr clamped, an unknown setting: still rebuilt
    'sb,mmoe', // no step
  ].join('~');
  const query = `models=mmoe&seed=5&pins=${encodeURIComponent(hostile)}`;
  const { page, context, seen } = await openPage(env, query);
  await page.waitForFunction(() => window.mmoe.snapshot().pinned.length === 1, null, { timeout: 60000 });
  const notices = await page.$$eval('#notice-list li', (lis) => lis.map((li) => li.textContent));
  const text = notices.join('\n');
  assert.equal(await page.isHidden('#notice'), false);
  assert.match(text, /pins, pin 1: '<img src=x onerror=alert\(1\)>@5' is not models@step;setting:value…; left it out/);
  assert.match(text, /pins, pin 2: 'sb@999999999': a pin's step must be a whole number from 1 to 100000; left it out/);
  assert.match(text, /pins, pin 3: lr: .*1e9/);
  assert.match(text, /pins, pin 3: bogus: not a known setting/);
  assert.match(text, /pins, pin 4: 'sb,mmoe' is not models@step/);
  assert.equal(await page.$$eval('#notice-list img', (imgs) => imgs.length), 0, 'never HTML');
  const [rebuilt] = (await page.evaluate(() => window.mmoe.snapshot())).pinned;
  assert.equal(rebuilt.step, 20);
  assert.ok(rebuilt.settings.lr < 1e9, 'the clamped learning rate');
  // The page still trains.
  await page.evaluate(() => window.mmoe.runTo(20));
  assert.equal((await page.evaluate(() => window.mmoe.snapshot())).step, 20);
  await context.close();

  // More than four pins: the first four are rebuilt and a notice says so; a huge value is refused whole.
  const second = await openPage(env, `models=mmoe&seed=5&pins=${many}`);
  await second.page.waitForFunction(() => window.mmoe.snapshot().pinned.length === 4, null, { timeout: 60000 });
  assert.match(await second.page.textContent('#notice-list'), /pins: 6 pinned runs, at most 4; rebuilt the first 4/);
  assert.deepEqual((await second.page.evaluate(() => window.mmoe.snapshot())).pinned.map((p) => p.step), [10, 11, 12, 13]);
  await second.context.close();
  const third = await openPage(env, `models=mmoe&pins=${'mmoe@1;lr:0.01~'.repeat(400)}`);
  assert.match(await third.page.textContent('#notice-list'), /pins: longer than 4000 characters; no pinned run was rebuilt/);
  assert.equal(await third.page.evaluate(() => document.querySelectorAll('#pins li').length), 0);
  assert.deepEqual([...seen.errors, ...second.seen.errors, ...third.seen.errors], []);
  await third.context.close();
});
