// Shared by run.mjs, memory.mjs and load.mjs: staging the served files, the server,
// the headless browser (Chromium or Firefox), argument parsing and min/median/max.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveIsolated } from './serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../../scripts/chromium.mjs';
import { launchFirefox } from '../../scripts/firefox.mjs';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.join(HERE, '..', '..');

export { CHROMIUM_ARGS };

/** `--name value` and `--flag` arguments into an object (numbers parsed). */
export function parseArgs(defaults) {
  const out = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in defaults)) throw new Error(`unknown option ${argv[i]}; known: ${Object.keys(defaults).join(', ')}`);
    if (typeof defaults[key] === 'boolean') out[key] = true;
    else {
      const v = argv[++i];
      out[key] = typeof defaults[key] === 'number' ? Number(v) : v;
    }
  }
  return out;
}

/**
 * Copies what the page loads but the repository does not hold into bench/browser/vendor/
 * (git-ignored): our built dist/pkg and TF.js's bundles and wasm binaries from node_modules.
 */
export async function stageVendor(dist) {
  const vendor = path.join(HERE, 'vendor');
  await fs.rm(vendor, { recursive: true, force: true });
  await fs.mkdir(path.join(vendor, 'tfjs'), { recursive: true });
  await fs.cp(path.join(path.resolve(REPO, dist), 'pkg'), path.join(vendor, 'pkg'), { recursive: true });
  const nm = path.join(REPO, 'node_modules', '@tensorflow');
  const files = [
    ['tfjs/dist/tf.min.js', 'tf.min.js'],
    ['tfjs-backend-wasm/dist/tf-backend-wasm.min.js', 'tf-backend-wasm.min.js'],
    ['tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm', 'tfjs-backend-wasm.wasm'],
    ['tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-simd.wasm'],
    ['tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'],
  ];
  for (const [from, to] of files) await fs.copyFile(path.join(nm, from), path.join(vendor, 'tfjs', to));
  return vendor;
}

/** Headless `name` ('chromium': playwright-core; 'firefox': puppeteer-core over BiDi). */
export async function startBrowser(name = 'chromium') {
  if (name === 'firefox') return launchFirefox();
  if (name !== 'chromium') throw new Error(`unknown browser ${name}: chromium or firefox`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export { serveIsolated };

/** A page that reports its errors on stderr. */
export async function newPage(browser) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') console.error(`[console] ${m.text()}`);
  });
  return page;
}

export function stats(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return null;
  return { min: v[0], median: v[Math.floor((v.length - 1) / 2)] / 2 + v[Math.ceil((v.length - 1) / 2)] / 2, max: v[v.length - 1], n: v.length };
}

export const fmt = (s, digits = 0) =>
  s ? `${s.min.toFixed(digits)} / ${s.median.toFixed(digits)} / ${s.max.toFixed(digits)}` : 'n/a';
