// Shared set-up for the end-to-end tests: serve the already-built dist/ with the
// project's own server on a free port, and drive Debian's Chromium with playwright-core
// (or Firefox ESR with puppeteer-core). The tests never build: run scripts/build-web.sh first.

import { before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../scripts/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/chromium.mjs';
import { launchFirefox } from '../../scripts/firefox.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = path.join(ROOT, 'dist');
export const OUTPUT = path.join(ROOT, 'test-output');

/**
 * The shared set-up of a test file: before its tests, serve dist/ and launch Chromium
 * (the returned object then has `origin`, `browser`, `close`); after them, stop both.
 * After every test, asserts that no page it opened broke the Content-Security-Policy.
 */
export function useBrowser() {
  const env = { cspViolations: [] };
  before(async () => Object.assign(env, await setUp()));
  after(async () => env.close?.());
  afterEach(() => assert.deepEqual(env.cspViolations.splice(0), [], 'Content-Security-Policy violations'));
  return env;
}

const reporting = new WeakSet(); // contexts that report CSP violations already

/** Makes every page of `context` report its CSP violations into `env.cspViolations`. */
async function reportCsp(env, context) {
  if (reporting.has(context)) return;
  reporting.add(context);
  await context.exposeBinding('__cspViolation', (_source, text) => env.cspViolations?.push(text));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`),
    );
  });
}

/** Serves the built dist/ on a free port; resolves to `{origin, close}`. */
async function serveDist() {
  if (!existsSync(path.join(DIST, 'index.html')) || !existsSync(path.join(DIST, 'pkg', 'mmoe_bg.wasm'))) {
    throw new Error('dist/ is not built: run scripts/build-web.sh first');
  }
  mkdirSync(OUTPUT, { recursive: true });
  const server = await startServer({ root: DIST, port: 0 });
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Serves dist/ and launches Chromium; `close()` stops both. */
async function setUp() {
  const served = await serveDist();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  return {
    origin: served.origin,
    browser,
    async close() {
      await browser.close();
      await served.close();
    },
  };
}

/**
 * The same for Firefox (puppeteer-core over WebDriver BiDi): before the file's tests,
 * serve dist/ and launch Firefox; after them, stop both.
 */
export function useFirefox() {
  const env = {};
  before(async () => {
    const served = await serveDist();
    const browser = await launchFirefox();
    Object.assign(env, {
      origin: served.origin,
      browser,
      async close() {
        await browser.close();
        await served.close();
      },
    });
  });
  after(async () => env.close?.());
  return env;
}

/**
 * Opens the page with `query` in Firefox and waits for the trainer to be ready. Collects
 * page errors and console errors; `close()` asserts that the page broke no
 * Content-Security-Policy rule, then closes it.
 */
export async function openFirefoxPage(env, query = '', { width = 1366, height = 768 } = {}) {
  const page = await env.browser.newPage();
  await page.setViewport({ width, height });
  const seen = { errors: [], console: [] };
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') seen.console.push(m.text());
  });
  await page.evaluateOnNewDocument(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`));
  });
  await page.goto(`${env.origin}/${query ? '?' + query : ''}`);
  await page.waitForFunction(() => window.mmoe !== undefined, { timeout: 20000 });
  await page.evaluate(() => window.mmoe.ready);
  return {
    page,
    seen,
    async close() {
      assert.deepEqual(await page.evaluate(() => window.__csp), [], 'Content-Security-Policy violations');
      await page.close();
    },
  };
}

/**
 * Opens the page with `query` and waits for the trainer to be ready. Collects page
 * errors, console errors and every request URL on the returned object.
 */
export async function openPage(env, query = '', { width = 1366, height = 768, context } = {}) {
  const ctx = context ?? (await env.browser.newContext({ viewport: { width, height } }));
  await reportCsp(env, ctx);
  const page = await ctx.newPage();
  const seen = { errors: [], console: [], requests: [] };
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') seen.console.push(m.text());
  });
  page.on('request', (r) => seen.requests.push(r.url()));
  await page.goto(`${env.origin}/${query ? '?' + query : ''}`);
  await page.waitForFunction(() => window.mmoe !== undefined, null, { timeout: 20000 });
  await page.evaluate(() => window.mmoe.ready);
  return { page, context: ctx, seen };
}

/** Waits until the page's step counter reaches `n`. */
export async function waitForStep(page, n, timeout = 60000) {
  await page.waitForFunction((k) => window.mmoe.snapshot().step >= k, n, { timeout, polling: 100 });
}

export function screenshotPath(name) {
  return path.join(OUTPUT, name);
}

/** Fraction of a canvas's pixels that are not (near) white. */
export async function inkFraction(page, selector) {
  return page.$eval(selector, (canvas) => {
    const ctx = canvas.getContext('2d');
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235) ink++;
    }
    return ink / (data.length / 4);
  });
}
