// The architecture drawn live (issue 20, part 1) at a phone's, a projector's (lecture
// mode) and a laptop's size: on the laptop's first screen beside the loss chart; redrawn
// as training runs; its edges as wide as the gate weights in the snapshot; each model's
// own structure (Shared-Bottom: no gate edges; CGC: each task's gate reaches only its own
// and the shared experts); a test sample's routing, the inspector's too; an expert's view
// by click, tap or keyboard. In English and Chinese; screenshots in
// test-output/architecture-*.png.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, screenshotPath } from './helpers.mjs';

const env = useBrowser();

const SIZES = [
  ['phone', 390, 844, { hasTouch: true, isMobile: true }, ''],
  ['projector', 1024, 768, {}, '&lecture=1'],
  ['laptop', 1440, 900, {}, ''],
];

const drawn = (page) => page.evaluate(() => window.mmoe.architecture());

/** Trains to step `n` and waits until the drawing shows that step's gates. */
async function trainTo(page, n) {
  await page.evaluate((k) => window.mmoe.runTo(k), n);
  await page.waitForFunction((k) => window.mmoe.architecture().step === k, n);
  return drawn(page);
}

/** Each edge's weight is the snapshot's gate weight and its width that weight × the drawing's scale. */
function assertFollowsGates(arch, gates) {
  assert.ok(arch.maxWidth > 3, `scale ${arch.maxWidth}`);
  for (const e of arch.edges) {
    const want = gates[e.task - 1][e.expert];
    assert.ok(Math.abs(e.weight - want) < 1e-6, `task ${e.task} expert ${e.expert + 1}: drawn ${e.weight}, snapshot ${want}`);
    assert.ok(Math.abs(e.width - want * arch.maxWidth) < 0.006, `task ${e.task} expert ${e.expert + 1}: width ${e.width} for weight ${want}`);
  }
  // Monotone: a larger weight is never drawn thinner.
  const sorted = arch.edges.slice().sort((a, b) => a.weight - b.weight);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i].width >= sorted[i - 1].width, 'widths in the order of the weights');
  // Each expert's use is its weight averaged over the two tasks.
  for (const x of arch.experts) assert.ok(Math.abs(x.use - (gates[0][x.id] + gates[1][x.id]) / 2) < 1e-6, `use of expert ${x.id + 1}`);
}

for (const [name, width, height, extra, query] of SIZES) {
  test(`architecture drawn live (${name}, ${width}x${height})`, async () => {
    const context = await env.browser.newContext({ viewport: { width, height }, ...extra });
    const { page, seen } = await openPage(env, `seed=3&lr=0.01${query}`, { context });
    const svg = page.locator('#architecture');
    if (name === 'laptop') {
      // On the first screen without scrolling, beside the loss chart.
      const [box, loss, statusTop, scrollY] = await page.evaluate(() => [
        document.getElementById('architecture').getBoundingClientRect().toJSON(),
        document.getElementById('loss-chart').getBoundingClientRect().toJSON(),
        document.querySelector('.statusbar').getBoundingClientRect().top,
        window.scrollY,
      ]);
      assert.equal(scrollY, 0);
      assert.ok(box.top >= 0 && box.bottom <= statusTop && box.height >= 250 && box.width >= 300, JSON.stringify(box));
      assert.ok(box.left >= loss.right && box.top < loss.bottom && box.bottom > loss.top, `beside the loss chart: ${JSON.stringify({ box, loss })}`);
    } else {
      await page.evaluate(() => document.getElementById('arch-card').scrollIntoView());
    }
    assert.ok(await svg.isVisible());
    assert.equal((await drawn(page)).model, 'mmoe');

    // Redrawn as training runs; the edges follow the snapshot's gate weights.
    const early = await trainTo(page, 60);
    assert.equal(early.edges.length, 16);
    assertFollowsGates(early, (await page.evaluate(() => window.mmoe.snapshot())).models.mmoe.gates);
    const later = await trainTo(page, 300);
    const gates = (await page.evaluate(() => window.mmoe.snapshot())).models.mmoe.gates;
    assertFollowsGates(later, gates);
    const moved = later.edges.reduce((most, e, i) => Math.max(most, Math.abs(e.width - early.edges[i].width)), 0);
    assert.ok(moved > 0.05, `widths moved by at most ${moved} px between steps 60 and 300`);
    // The text alternative names every weight drawn.
    const summary = await page.textContent('#arch-summary');
    assert.match(summary, /step 300/);
    assert.ok(summary.includes(`1: ${gates[0][0].toFixed(2)}`) && summary.includes(`8: ${gates[1][7].toFixed(2)}`), summary);
    assert.match(await page.textContent('#arch-eq'), /softmax\(Wgkx\)/);
    await page.screenshot({ path: screenshotPath(`architecture-${name}-en.png`) });

    // Each model's structure.
    await page.selectOption('#arch-model', 'sb');
    let arch = await drawn(page);
    assert.deepEqual([arch.model, arch.edges.length, arch.experts.length], ['sb', 0, 0]);
    assert.equal(await page.locator('#architecture .arch-expert').count(), 0);
    assert.match(await page.textContent('#arch-eq'), /h\s*k\s*\(f\(x\)\)/);
    await page.selectOption('#arch-model', 'omoe');
    arch = await drawn(page);
    assert.equal(arch.edges.length, 8);
    assert.ok(arch.edges.every((e) => e.task === null), 'one gate for both tasks');
    await page.selectOption('#arch-model', 'cgc');
    arch = await drawn(page);
    const reach = (k) => arch.edges.filter((e) => e.task === k).map((e) => e.expert).sort();
    assert.deepEqual(reach(1), [0, 1, 4, 5, 6, 7], "task 1's gate: its own experts 1-2 and the shared 5-8");
    assert.deepEqual(reach(2), [2, 3, 4, 5, 6, 7], "task 2's gate: its own experts 3-4 and the shared 5-8");
    await page.locator('#arch-card').screenshot({ path: screenshotPath(`architecture-${name}-cgc.png`) });
    await page.selectOption('#arch-model', 'mmoe');

    // A test sample's routing: its own gate weights, the inspector's for the same sample.
    const mean = (await drawn(page)).edges.map((e) => e.weight);
    await page.click('#arch-next');
    await page.waitForFunction(() => window.mmoe.architecture().sample === 0 && window.mmoe.architecture().step === 300);
    const first = (await drawn(page)).edges.map((e) => e.weight);
    await page.click('#arch-next');
    await page.waitForFunction(() => window.mmoe.architecture().sample === 1);
    arch = await drawn(page);
    const second = arch.edges.map((e) => e.weight);
    const differ = (a, b) => a.some((v, i) => Math.abs(v - b[i]) > 1e-4);
    assert.ok(differ(first, second) && differ(mean, second), 'a sample routes its own way');
    const inspector = await page.evaluate(() => window.mmoe.inspector());
    assert.equal(inspector.picked, 1, 'the inspector follows the sample');
    for (const e of arch.edges) assert.ok(Math.abs(e.weight - inspector.gates[e.task - 1][e.expert]) < 1e-6);
    assert.match(await page.textContent('#arch-sample'), /Test sample 2 of 2000/);
    await page.locator('#arch-card').screenshot({ path: screenshotPath(`architecture-${name}-sample.png`) });
    // A sample picked in the inspector (its scatter, by keyboard) shows here too.
    await page.focus('#inspector-scatter');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => window.mmoe.architecture().sample === 2);
    await page.click('#arch-prev');
    await page.waitForFunction(() => window.mmoe.architecture().sample === 1);
    await page.click('#arch-mean');
    await page.waitForFunction(() => window.mmoe.architecture().sample === null);

    // An expert's view: by click (a tap on the phone), then by keyboard.
    const expert = page.locator('#architecture [data-expert="2"]');
    if (name === 'phone') await expert.tap();
    else await expert.click();
    await page.waitForSelector('#arch-panel-1[data-drawn]');
    assert.ok(await page.locator('#arch-panel').isVisible());
    assert.equal((await drawn(page)).open, 2);
    assert.match(await page.textContent('#arch-panel-title'), /Expert 3: the mean of its 16 ReLU units/);
    assert.match(await page.getAttribute('#arch-panel-0', 'aria-label'), /against w1·x .* R² of its read-out of task 1: \d\.\d\d/);
    await page.locator('#arch-card').screenshot({ path: screenshotPath(`architecture-${name}-expert.png`) });
    await page.click('#arch-panel-close');
    assert.equal(await page.locator('#arch-panel').isVisible(), false);
    await page.focus('#architecture [data-expert="5"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#arch-panel-0[data-drawn]');
    assert.equal((await drawn(page)).open, 5);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'arch-panel-close');
    await page.keyboard.press('Escape');
    assert.equal((await drawn(page)).open, null);
    assert.equal(await page.evaluate(() => document.activeElement.dataset.expert), '5', 'the focus goes back to the expert');
    assert.equal((await page.evaluate(() => window.mmoe.snapshot())).step, 300, 'no key trained a step');
    assert.deepEqual(seen.errors, []);
    assert.deepEqual(seen.console, []);
    await context.close();
  });
}

test('architecture in Chinese at every size', async () => {
  for (const [name, width, height, extra, query] of SIZES) {
    const context = await env.browser.newContext({ viewport: { width, height }, ...extra });
    const { page, seen } = await openPage(env, `lang=zh&seed=3&lr=0.01${query}`, { context });
    await page.evaluate(() => document.getElementById('arch-card').scrollIntoView());
    await trainTo(page, 200);
    assert.match(await page.textContent('#arch-card h2'), /结构/);
    assert.match(await page.textContent('#arch-summary'), /第 200 步训练批次的平均门控权重/);
    const words = await page.textContent('#architecture');
    for (const w of ['任务 1', '塔 h', '专家：8 × 16 个 ReLU 单元', '输入 x']) assert.ok(words.includes(w), `${w} in ${words}`);
    await page.screenshot({ path: screenshotPath(`architecture-${name}-zh.png`) });
    await page.selectOption('#arch-model', 'cgc');
    const groups = await page.textContent('#architecture');
    for (const w of ['任务 1 专属', '共享', '任务 2 专属']) assert.ok(groups.includes(w), `${w} in ${groups}`);
    await page.locator('#architecture [data-expert="0"]').click();
    await page.waitForSelector('#arch-panel-1[data-drawn]');
    assert.match(await page.textContent('#arch-panel-title'), /专家 1/);
    await page.locator('#arch-card').screenshot({ path: screenshotPath(`architecture-${name}-zh-expert.png`) });
    assert.deepEqual(seen.errors, []);
    await context.close();
  }
});
