// The trainer's WebAssembly, compiled once per page: this thread instantiates it (URL
// parsing, charts, figures) and the workers are handed the same compiled module, so
// nothing is fetched or compiled twice.

import init from '../pkg/mmoe.js';

const url = new URL('../pkg/mmoe_bg.wasm', import.meta.url);

/** The compiled module; streams when the server sends application/wasm. */
export const compiled = WebAssembly.compileStreaming(fetch(url)).catch(async () => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load ${url.pathname}: HTTP ${response.status}`);
  return WebAssembly.compile(await response.arrayBuffer());
});

/** Resolves when this thread's instance is ready to call. */
export const ready = compiled.then((module) => init({ module_or_path: module }));
