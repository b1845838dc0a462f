// The benchmark page: `window.bench` trains one engine's models for a fixed time and
// reports steps per second. One engine per page load (a TF.js backend is chosen once).
//
//   ?engine=ours                          our wasm (vendor/pkg, built by scripts/build-web.sh)
//   ?engine=tfjs&backend=cpu              TF.js cpu backend
//   ?engine=tfjs&backend=wasm&threads=1   TF.js wasm backend (SIMD), one thread
//   ?engine=tfjs&backend=wasm&threads=2   TF.js wasm backend (SIMD + threads; needs COOP/COEP)

const query = new URLSearchParams(location.search);
const engine = query.get('engine') ?? 'ours';
const log = (line) => {
  document.getElementById('log').textContent += line + '\n';
};

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.append(s);
  });
}

/** Calls `body()` (one training step or batch, returning steps done) for `seconds`. */
async function timed(body, seconds, warmup) {
  // Warm up (JIT tiers, caches) for `warmup` steps or one second, whichever comes first.
  const w0 = performance.now();
  for (let i = 0; i < warmup && performance.now() - w0 < 1000; ) i += await body();
  let steps = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < seconds * 1000) {
    steps += await body();
    t = performance.now();
  }
  return { steps, ms: t - t0, stepsPerSec: (1000 * steps) / (t - t0) };
}

async function setupOurs() {
  const wasm = await import('./vendor/pkg/mmoe.js');
  await wasm.default();
  const settings = () => ({ ...wasm.defaultSettings(), eval_every: 100000 });
  return {
    info: { engine: 'ours', crossOriginIsolated },
    /** Trains `models` side by side (one Playground), `perCall` steps per step() call. */
    async run(models, { seconds = 2, warmup = 100, perCall = 1 } = {}) {
      const pg = new wasm.Playground(settings(), models);
      let sink = 0;
      const body = () => {
        pg.step(perCall);
        for (let i = 0; i < models.length; i++) {
          const losses = pg.takeTrainLosses(i); // [step, loss 1, loss 2, ...] as a UI reads it
          sink += losses[losses.length - 1];
        }
        return perCall;
      };
      const r = await timed(body, seconds, warmup);
      pg.free();
      return { ...r, finalLoss: sink / Math.max(1, r.steps) };
    },
    matmul: (n, reps) => wasm.benchMatmul(n, reps),
    memoryBytes: () => wasm.wasmMemoryBytes(),
    /**
     * Trains `models` until stopped, as the page's worker does: step(10) then read every
     * model's train and test losses, yielding to the event loop every ~50 ms. Uses the
     * default settings (evaluation on the test set every 50 steps).
     */
    soak(models) {
      const pg = new wasm.Playground(wasm.defaultSettings(), models);
      const state = { steps: 0, running: true };
      const chunk = () => {
        if (!state.running) return pg.free();
        const t = performance.now();
        while (performance.now() - t < 50) {
          pg.step(10);
          for (let i = 0; i < models.length; i++) {
            pg.takeTrainLosses(i);
            pg.takeTestLosses(i);
          }
          state.steps += 10;
        }
        setTimeout(chunk, 0);
      };
      chunk();
      window.soakState = state;
      return true;
    },
  };
}

async function setupTf() {
  const backend = query.get('backend') ?? 'wasm';
  const threads = Number(query.get('threads') ?? '1');
  await loadScript('./vendor/tfjs/tf.min.js');
  await loadScript('./vendor/tfjs/tf-backend-wasm.min.js');
  const tf = globalThis.tf;
  if (backend === 'wasm') {
    tf.wasm.setWasmPaths(new URL('./vendor/tfjs/', location.href).href);
    tf.wasm.setThreadsCount(threads);
    // Without threads, keep TF.js from choosing its threaded binary on its own.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads > 1 && crossOriginIsolated);
  }
  await tf.setBackend(backend);
  await tf.ready();
  const { buildModel, makeData, batchAt } = await import('./tf-models.js');
  const data = makeData();
  const info = {
    engine: 'tfjs',
    version: tf.version.tfjs,
    backend: tf.getBackend(),
    crossOriginIsolated,
    simd: backend === 'wasm' ? await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') : null,
    multithread: backend === 'wasm' ? await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') : null,
    threads: backend === 'wasm' ? tf.wasm.getThreadsCount() : null,
  };
  return {
    info,
    /** Trains `models` side by side: one step is a step of each on the same batch. */
    async run(models, { seconds = 2, warmup = 50 } = {}) {
      const built = models.map((m) => buildModel(m));
      let b = 0;
      let sink = 0;
      const body = () => {
        const [x, y1, y2] = batchAt(data, b++);
        for (const model of built) {
          const losses = model.step(x, y1, y2);
          const read = losses.dataSync(); // read the losses every step, as a live UI does
          sink += read[0] + read[1];
          losses.dispose();
        }
        tf.dispose([x, y1, y2]);
        return 1;
      };
      const r = await timed(body, seconds, warmup);
      for (const model of built) model.dispose();
      return { ...r, finalLoss: sink / Math.max(1, r.steps * built.length), tensors: tf.memory().numTensors };
    },
    matmul(n, reps) {
      const a = tf.randomNormal([n, n]);
      const c = tf.randomNormal([n, n]);
      tf.matMul(a, c).dataSync(); // warm-up
      let best = Infinity;
      for (let i = 0; i < reps; i++) {
        const t = performance.now();
        const p = tf.matMul(a, c);
        p.dataSync();
        best = Math.min(best, performance.now() - t);
        p.dispose();
      }
      tf.dispose([a, c]);
      return (2 * n * n * n) / (best / 1000) / 1e9;
    },
  };
}

window.bench = {
  ready: (engine === 'ours' ? setupOurs() : setupTf()).then((api) => {
    Object.assign(window.bench, api);
    log(JSON.stringify(api.info));
    return api.info;
  }),
};
