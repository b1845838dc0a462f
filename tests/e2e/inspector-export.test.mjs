// The gate inspector, the export of a run (JSON, CSV, PNG) and loading settings back from
// a file (picker and drag and drop) through the same validation as URL parameters.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { useBrowser, openPage, screenshotPath, inkFraction } from './helpers.mjs';

const env = useBrowser();

test('inspector: per-sample gates for a clicked test sample, similarity over training, spread per expert', async () => {
  const { page, context, seen } = await openPage(env, 'data=ple&lr=0.01&models=sb,omoe,mmoe&correlation=0.2', { width: 1366, height: 1000 });
  await page.evaluate(() => window.mmoe.runTo(400));
  await page.locator('#inspector').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => window.mmoe.inspector().step === 400, null, { timeout: 20000 });
  let s = await page.evaluate(() => window.mmoe.inspector());
  assert.equal(s.model, 'mmoe');
  assert.equal(s.samples, 2000); // the test split
  // The only gated models are listed.
  assert.deepEqual(await page.$$eval('#inspector-model option', (o) => o.map((x) => x.value)), ['omoe', 'mmoe']);
  // Each task's gate for a sample is a distribution over the 8 experts.
  for (const row of s.gates) {
    assert.equal(row.length, 8);
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-4);
  }
  // Click somewhere else on the scatter: another sample is picked and its bars redrawn.
  const box = await page.locator('#inspector-scatter').boundingBox();
  let picked;
  for (const [fx, fy] of [[0.5, 0.5], [0.45, 0.55], [0.55, 0.45]]) {
    await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
    picked = await page.evaluate(() => window.mmoe.inspector());
    if (picked.picked !== 0) break;
  }
  assert.notEqual(picked.picked, 0);
  assert.match(await page.textContent('#inspector-sample-label'), new RegExp(`sample ${picked.picked} `));
  // Routing is input-dependent after training (per-sample weights vary).
  assert.ok(picked.spreadStd > 0.02, `spread ${picked.spreadStd}`);
  assert.match(await page.textContent('#inspector-summary'), /input-dependent/);
  // OMoE: both tasks share one gate, so a sample's two rows are equal.
  await page.selectOption('#inspector-model', 'omoe');
  s = await page.evaluate(() => window.mmoe.inspector());
  assert.deepEqual(s.gates[0], s.gates[1]);
  await page.selectOption('#inspector-model', 'mmoe');
  assert.ok(s.similarityPoints > 10, `similarity points ${s.similarityPoints}`);
  // Each expert's read-out R² per task: 8 experts × 2 tasks in [0, 1], and after 400
  // steps some expert tracks each task's target well.
  const readout = (await page.evaluate(() => window.mmoe.inspector())).readout;
  assert.equal(readout.length, 16);
  assert.ok(readout.every((v) => v >= 0 && v <= 1), String(readout));
  for (const t of [0, 1]) assert.ok(Math.max(...readout.filter((_, k) => k % 2 === t)) > 0.3, String(readout));
  for (const id of ['inspector-scatter', 'inspector-sample', 'inspector-similarity', 'inspector-spread', 'inspector-readout']) {
    assert.ok((await inkFraction(page, `#${id}`)) > 0.01, `${id} drew`);
  }
  // Below the sticky top bar, then the card alone.
  await page.evaluate(() => window.scrollBy(0, document.getElementById('inspector').getBoundingClientRect().top - 70));
  await page.locator('#inspector').screenshot({ path: screenshotPath('inspector.png') });
  assert.deepEqual(seen.errors, []);
  await context.close();
});

test('export: the run as JSON and CSV, a chart as PNG; loading the JSON back restores the settings', async () => {
  const { page, context, seen } = await openPage(env, 'models=omoe,mmoe&correlation=0.2&seed=4&preset=2');
  await page.evaluate(() => window.mmoe.runTo(120));
  await page.waitForTimeout(300);

  const [json] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
  assert.match(json.suggestedFilename(), /^mmoe-run-step120\.json$/);
  const run = JSON.parse(await readFile(await json.path(), 'utf8'));
  assert.equal(run.format, 'mmoe-playground-run');
  assert.equal(run.settings.correlation, 0.2);
  assert.equal(run.settings.seed, 4);
  assert.deepEqual(run.models, ['omoe', 'mmoe']);
  assert.equal(run.runs.mmoe.train_loss.length, 120);
  assert.deepEqual(run.runs.mmoe.test_loss.map((r) => r[0]), [0, 50, 100]);
  assert.ok(run.runs.mmoe.gate_history.length >= 10);
  assert.equal(run.runs.mmoe.gate_history[0].length, 1 + 16);
  assert.equal(run.runs.mmoe.test_gates.length, 2);

  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const lines = (await readFile(await csv.path(), 'utf8')).trim().split('\n');
  assert.ok(lines.includes('# correlation=0.2'));
  const header = lines.find((l) => l.startsWith('model,'));
  assert.match(header, /^model,step,train_loss_1,train_loss_2,test_loss_1,test_loss_2,gate_t1_e1,/);
  assert.equal(lines.filter((l) => l.startsWith('mmoe,')).length, 121); // step 0 (evaluation) + 120 steps
  const row50 = lines.find((l) => l.startsWith('mmoe,50,')).split(',');
  assert.equal(Number(row50[4]), run.runs.mmoe.test_loss[1][1]);

  const [png] = await Promise.all([page.waitForEvent('download'), page.click('.loss-card button.png')]);
  const bytes = await readFile(await png.path());
  assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  const [heat] = await Promise.all([page.waitForEvent('download'), page.click('.heatmap-card[data-model="mmoe"] button.png')]);
  assert.match(heat.suggestedFilename(), /heatmap-mmoe/);

  // Load the settings back into a fresh page with the file picker.
  const fresh = await openPage(env, '');
  await fresh.page.setInputFiles('#import-file', { name: 'run.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(run)) });
  await fresh.page.waitForFunction(() => window.mmoe.settings().seed === 4);
  assert.deepEqual(await fresh.page.evaluate(() => window.mmoe.models()), ['omoe', 'mmoe']);
  assert.equal(await fresh.page.evaluate(() => window.mmoe.settings().correlation), 0.2);
  assert.equal(await fresh.page.isHidden('#notice'), true);
  assert.match(fresh.page.url(), /seed=4/);
  // The confirmation stays long enough to be read.
  await fresh.page.waitForTimeout(2500);
  assert.match(await fresh.page.textContent('#status'), /Loaded settings from run\.json/);

  // A tampered file: bad values are clamped or dropped and listed, as for URL parameters.
  const tampered = { ...run, settings: { ...run.settings, experts: 999, lr: 'fast', correlation: 0.35 } };
  tampered.settings['<img src=x onerror=alert(1)>'] = 1;
  await fresh.page.evaluate((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'tampered.json', { type: 'application/json' }));
    document.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true }));
    document.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, JSON.stringify(tampered));
  await fresh.page.waitForFunction(() => window.mmoe.settings().correlation === 0.35);
  const settings = await fresh.page.evaluate(() => window.mmoe.settings());
  assert.equal(settings.experts, 64);
  assert.equal(settings.lr, 0.001);
  await fresh.page.waitForSelector('#notice:not([hidden])');
  assert.match(await fresh.page.textContent('#notice-head'), /file/);
  const items = await fresh.page.$$eval('#notice-list li', (lis) => lis.map((li) => li.textContent));
  assert.ok(items.some((t) => t.startsWith('experts')), items.join(' | '));
  assert.ok(items.some((t) => t.startsWith('lr')), items.join(' | '));
  assert.ok(items.some((t) => t.includes('<img')), items.join(' | '));
  assert.equal(await fresh.page.$$eval('#notice img', (e) => e.length), 0);
  assert.equal(await fresh.page.isHidden('#drop-zone'), true);
  // Not JSON at all: a message, and nothing changes.
  await fresh.page.setInputFiles('#import-file', { name: 'oops.json', mimeType: 'application/json', buffer: Buffer.from('not json') });
  await fresh.page.waitForFunction(() => /oops\.json/.test(document.getElementById('status').textContent));
  assert.equal(await fresh.page.evaluate(() => window.mmoe.settings().correlation), 0.35);
  assert.deepEqual(fresh.seen.errors, []);
  await fresh.context.close();
  assert.deepEqual(seen.errors, []);
  await context.close();
});
