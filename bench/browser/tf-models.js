// The four multi-task models written in TensorFlow.js the way a competent user would:
// all experts of a model are one matmul (x · W of shape d × (n·u), reshaped to [B, n, u]),
// all gates one matmul + softmax, two small towers; tf.variable + tf.train.adam and
// optimizer.minimize. The shapes are the paper's (and the Rust core's defaults).
//
// `tf` is the global of the UMD bundle (tf.min.js), loaded by index.html.

const tf = globalThis.tf;

/** The paper's sizes (section 5.1), as in the Rust `Settings::default()`. */
export const SIZES = {
  d: 100,
  experts: 8,
  expertUnits: 16,
  bottomUnits: 113,
  towerUnits: 8,
  taskExperts: 2,
  sharedExperts: 4,
  batch: 128,
  trainSamples: 10000,
  lr: 0.01,
};

/** He-style initial weights: N(0, 2 / fan_in). */
function weight(rows, cols) {
  return tf.variable(tf.randomNormal([rows, cols], 0, Math.sqrt(2 / rows)));
}

function zeros(cols) {
  return tf.variable(tf.zeros([cols]));
}

/** Data of the paper's section 3.2, generated once on the device (d = 100, c = 1, m = 10). */
export function makeData(s = SIZES, p = 0.5) {
  return tf.tidy(() => {
    const { d, trainSamples: n } = s;
    // Two orthogonal unit vectors (Gram-Schmidt on Gaussian draws).
    const g1 = tf.randomNormal([d]);
    const u1 = g1.div(g1.norm());
    const g2 = tf.randomNormal([d]);
    const r2 = g2.sub(u1.mul(g2.dot(u1)));
    const u2 = r2.div(r2.norm());
    const w1 = u1;
    const w2 = u1.mul(p).add(u2.mul(Math.sqrt(1 - p * p)));
    const alpha = tf.randomNormal([10]);
    const beta = tf.randomNormal([10]);
    const x = tf.randomNormal([n, d]);
    const label = (w) => {
      const wx = x.matMul(w.reshape([d, 1])); // [n, 1]
      const sines = tf.sin(wx.mul(alpha).add(beta)).sum(1, true); // [n, 1]
      return wx.add(sines).add(tf.randomNormal([n, 1], 0, 0.1));
    };
    return { x: tf.keep(x), y: [tf.keep(label(w1)), tf.keep(label(w2))] };
  });
}

/** Batch `b` of `data` (contiguous slices, cycling through the epoch): [x, y1, y2], to dispose. */
export function batchAt(data, b, s = SIZES) {
  const start = (b % Math.floor(s.trainSamples / s.batch)) * s.batch;
  return tf.tidy(() => [
    data.x.slice([start, 0], [s.batch, s.d]),
    data.y[0].slice([start, 0], [s.batch, 1]),
    data.y[1].slice([start, 0], [s.batch, 1]),
  ]);
}

/**
 * Builds model `kind` (sb, omoe, mmoe, cgc). Returns {step(x, y1, y2) -> Tensor [2] of the
 * task losses (the caller reads and disposes it), dispose()}.
 */
export function buildModel(kind, s = SIZES) {
  const { d, towerUnits: h } = s;
  let nExperts;
  let units;
  let gateSets; // per gate: the expert indices it mixes
  let taskGate; // gate used by each task
  if (kind === 'sb') {
    nExperts = 1;
    units = s.bottomUnits;
    gateSets = [];
    taskGate = [-1, -1];
  } else if (kind === 'omoe') {
    nExperts = s.experts;
    units = s.expertUnits;
    gateSets = [[...Array(nExperts).keys()]];
    taskGate = [0, 0];
  } else if (kind === 'mmoe') {
    nExperts = s.experts;
    units = s.expertUnits;
    const all = [...Array(nExperts).keys()];
    gateSets = [all, all];
    taskGate = [0, 1];
  } else if (kind === 'cgc') {
    const own = s.taskExperts;
    const shared = s.sharedExperts;
    nExperts = 2 * own + shared;
    units = s.expertUnits;
    const sharedIds = [...Array(shared).keys()].map((i) => 2 * own + i);
    gateSets = [0, 1].map((t) => [...Array(own).keys()].map((i) => t * own + i).concat(sharedIds));
    taskGate = [0, 1];
  } else {
    throw new Error(`unknown model ${kind}`);
  }
  const gateWidth = gateSets.length ? gateSets[0].length : 0;
  // All gates have the same width here, so they are one d × (G·k) matmul.
  const vars = {
    we: weight(d, nExperts * units),
    be: zeros(nExperts * units),
    towers: [0, 1].map(() => ({ w1: weight(units, h), b1: zeros(h), w2: weight(h, 1), b2: zeros(1) })),
  };
  if (gateSets.length) {
    vars.wg = weight(d, gateSets.length * gateWidth);
    vars.bg = zeros(gateSets.length * gateWidth);
  }
  // Each gate's experts as runs of consecutive expert indices [start, count] (CGC: the
  // task's own block, then the shared block), so they are slices, not gathers (the wasm
  // backend has no gradient kernel for gather).
  const runs = gateSets.map((set) => {
    const out = [];
    for (const e of set) {
      const last = out[out.length - 1];
      if (last && last[0] + last[1] === e) last[1]++;
      else out.push([e, 1]);
    }
    return out;
  });
  const optimizer = tf.train.adam(s.lr);
  const varList = [vars.we, vars.be, vars.wg, vars.bg, ...vars.towers.flatMap((t) => Object.values(t))].filter(
    Boolean,
  );

  const forward = (x) => {
    const batch = x.shape[0];
    const flat = tf.relu(x.matMul(vars.we).add(vars.be)); // [B, n·u]
    let mixed;
    if (!gateSets.length) {
      mixed = [flat, flat];
    } else {
      const experts = flat.reshape([batch, nExperts, units]);
      const logits = x.matMul(vars.wg).add(vars.bg).reshape([batch, gateSets.length, gateWidth]);
      const gates = tf.softmax(logits); // softmax over the last axis
      const perGate = gateSets.map((_, g) => {
        const weights = gates.slice([0, g, 0], [batch, 1, gateWidth]).reshape([batch, gateWidth, 1]);
        let offset = 0;
        const terms = runs[g].map(([start, count]) => {
          const e = count === nExperts ? experts : experts.slice([0, start, 0], [batch, count, units]);
          const w = count === gateWidth ? weights : weights.slice([0, offset, 0], [batch, count, 1]);
          offset += count;
          return e.mul(w).sum(1); // [B, u]
        });
        return terms.length === 1 ? terms[0] : tf.addN(terms);
      });
      mixed = taskGate.map((g) => perGate[g]);
    }
    return mixed.map((m, t) => {
      const tw = vars.towers[t];
      return tf.relu(m.matMul(tw.w1).add(tw.b1)).matMul(tw.w2).add(tw.b2); // [B, 1]
    });
  };

  let losses = null;
  return {
    /** One Adam step; returns the two task losses as a kept tensor of shape [2]. */
    step(x, y1, y2) {
      optimizer.minimize(() => {
        const [p1, p2] = forward(x);
        const l1 = tf.losses.meanSquaredError(y1, p1);
        const l2 = tf.losses.meanSquaredError(y2, p2);
        losses = tf.keep(tf.stack([l1, l2]));
        return l1.add(l2);
      }, false, varList);
      return losses;
    },
    dispose() {
      optimizer.dispose();
      for (const v of varList) v.dispose();
    },
  };
}
