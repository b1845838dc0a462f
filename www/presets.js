// The guided tour: six presets, each a link (its settings plus `preset=N`), a button and
// a few sentences saying what to watch, ending in a claim the viewer can check on screen.
// Every claim was measured with the CLI (`mmoe train --data ple --lr 0.01`) at the preset's settings
// over seeds 1–5, re-measured after the switch to the ziggurat sampler: presets 1, 4 and 6
// hold on all five seeds, presets 2, 3 and 5 on four of the five (the values below name
// the seed that misses); `check` evaluates it on the page's own numbers
// (test-set losses and test-set mean gate weights at the latest evaluation, exactly
// what the CLI reports), and tests/e2e/presets.test.mjs checks it at the budget.

import { extend } from './i18n.js';
import { gateL1 } from './store.js';

// The data and learning rate every claim below was measured on: PLE 2020's guess at the
// sine constants with 10,000 fixed training samples (the "ple" data preset,
// `mmoe train --data ple --lr 0.01`). The page's default data (fit to the paper's
// Figure 2) is much harder and wants lr 0.001 and ~20,000 steps; the presets keep the
// setting their numbers come from, so that each claim shows within its budget.
const PLE_DATA = {
  alpha_law: 'normal', alpha_a: 0, alpha_b: 1, beta_law: 'normal', beta_a: 0, beta_b: 1,
  streaming: false, train_samples: 10000, lr: 0.01,
};

const meanTest = (m) => {
  const last = m?.test_loss?.[m.test_loss.length - 1];
  return last ? (last[1] + last[2]) / 2 : NaN;
};
const maxWeight = (gates) => Math.max(...gates.flat());
const f2 = (v) => (Number.isFinite(v) ? v.toFixed(2) : '–');
const f3 = (v) => (Number.isFinite(v) ? v.toFixed(3) : '–');

export const PRESETS = [
  {
    n: 1,
    models: ['sb', 'omoe', 'mmoe'],
    settings: { ...PLE_DATA, correlation: 1 },
    budget: 1500,
    // Measured at 1500 steps, seeds 1–5: L1 = 0.18, 0.05, 0.07, 0.18, 0.14.
    check: (s) => {
      const v = gateL1(s.models.mmoe?.test_gates);
      return { ok: v < 0.3, value: f2(v) };
    },
  },
  {
    n: 2,
    models: ['sb', 'omoe', 'mmoe'],
    settings: { ...PLE_DATA, correlation: 0.2 },
    budget: 1500,
    // Seeds 1–5: L1 = 0.62, 0.48, 0.16 (misses), 0.35, 0.54 (at p = 1 the same seeds give 0.05–0.18).
    check: (s) => {
      const v = gateL1(s.models.mmoe?.test_gates);
      return { ok: v > 0.25, value: f2(v) };
    },
  },
  {
    n: 3,
    models: ['sb', 'omoe', 'mmoe'],
    settings: { ...PLE_DATA, correlation: -0.5 },
    budget: 1500,
    // Seeds 1–5: L1 = 0.59, 0.47, 0.15 (misses), 0.39, 0.40. (Before the sampler change the
    // mean test loss of MMoE vs Shared-Bottom did not order the same way on every seed, so
    // the loss comparison is not the claim.)
    check: (s) => {
      const v = gateL1(s.models.mmoe?.test_gates);
      return { ok: v > 0.25, value: f2(v) };
    },
  },
  {
    n: 4,
    models: ['sb', 'omoe', 'mmoe'],
    settings: { ...PLE_DATA, correlation: 0.2, experts: 1 },
    budget: 1500,
    // Structural: one expert, softmax over one logit = 1 (seeds 1–5: 1.000).
    check: (s) => {
      const g = [...(s.models.omoe?.test_gates ?? []), ...(s.models.mmoe?.test_gates ?? [])];
      const v = g.length ? Math.min(...g.flat()) : NaN;
      return { ok: v > 0.999, value: f3(v) };
    },
  },
  {
    n: 5,
    models: ['mmoe'],
    settings: { ...PLE_DATA, correlation: 0.5, scale: 5 },
    fix: { gate_dropout: 0.5 },
    budget: 1500,
    // Seeds 1–5, larger task entropy without dropout: 1.09, 1.15, 0.92, 0.87, 1.40 (misses)
    // nats; smaller one with gate dropout 0.5: 1.53, 1.30, 1.41, 1.18 (misses), 1.90.
    check: (s, settings) => {
      const h = s.models.mmoe?.entropy_test ?? [];
      const v = h.length ? Math.max(...h) : NaN;
      if (settings.gate_dropout > 0) {
        const w = h.length ? Math.min(...h) : NaN;
        return { ok: w > 1.25, value: f2(w) };
      }
      return { ok: v < 1.2, value: f2(v) };
    },
  },
  {
    n: 6,
    models: ['mmoe', 'cgc'],
    settings: { ...PLE_DATA, correlation: -0.5 },
    budget: 1500,
    // Seeds 1–5, CGC vs MMoE: 1.34/0.59, 0.84/0.47, 1.09/0.15, 1.18/0.39, 0.95/0.40.
    check: (s) => {
      const [a, b] = [gateL1(s.models.mmoe?.test_gates), gateL1(s.models.cgc?.test_gates)];
      return { ok: b > a, value: `${f2(b)} > ${f2(a)}` };
    },
  },
];

/** The query string of preset `p` (models, its settings, `preset=N`). */
export function presetQuery(p, extra = {}) {
  const params = new URLSearchParams();
  params.set('models', p.models.join(','));
  for (const [k, v] of Object.entries({ ...p.settings, ...extra })) params.set(k, String(v));
  params.set('preset', String(p.n));
  return params.toString().replaceAll('%2C', ',');
}

/** The preset's settings on top of the defaults. */
export function presetSettings(p, defaults, extra = {}) {
  return { ...defaults, ...p.settings, ...extra };
}

/** Whether `settings`/`models` still are preset `p` (possibly with its fix applied). */
export function matches(p, settings, models, defaults) {
  if (models.join(',') !== p.models.join(',')) return false;
  const want = presetSettings(p, defaults);
  return Object.keys(defaults).every((k) => settings[k] === want[k] || (p.fix && k in p.fix && settings[k] === p.fix[k]));
}

extend('en', {
  'p1.text':
    'With p = 1 both tasks are the same function. MMoE’s two gates have nothing to disagree about, so its heatmap rows look alike and OMoE (one shared gate) keeps up with it.',
  'p1.claim': 'after 1500 steps the L1 distance between MMoE’s two gate rows (test set) is below 0.3',
  'p2.text':
    'With p = 0.2 the tasks share little. Watch MMoE’s heatmap: the task-1 and task-2 rows drift apart as each gate picks its own experts, while OMoE’s rows stay identical because it has only one gate.',
  'p2.claim': 'after 1500 steps the L1 distance between MMoE’s two gate rows (test set) is above 0.25 (it stays below 0.3 at p = 1)',
  'p3.text':
    'With p = −0.5 the tasks pull a shared layer in opposite directions. Shared-Bottom must serve both with one representation (its test loss ends above MMoE’s for 4 of the 5 seeds we tried); MMoE lets each task mix the experts its own way, and its two heatmap rows split.',
  'p3.claim': 'after 1500 steps the L1 distance between MMoE’s two gate rows (test set) is above 0.25',
  'p4.text':
    'With a single expert every gate weight is 1: MMoE cannot route, so it is a Shared-Bottom network with a 16-unit bottom, and OMoE is the very same network. Per-task gates only help when there are experts to choose between.',
  'p4.claim': 'every gate weight of OMoE and MMoE is 1.000, and both heatmap rows are identical',
  'p5.text':
    'Large task weights (scale c = 5) make MMoE’s gates polarise: each sample leans on two or three of the eight experts, and the gate entropy H falls far below its maximum. Gate dropout (drop each expert’s gate weight with probability 0.5 while training) makes the gates spread out, and the test loss roughly halves.',
  'p5.claim': 'after 1500 steps both tasks’ test-set gate entropy is below 1.2 nats (maximum ln 8 = 2.08); with the fix it is above 1.25 for both',
  'p6.text':
    'CGC gives each task two experts of its own plus four shared ones. On opposite tasks (p = −0.5) its gates split the work far more sharply than MMoE’s: compare the two heatmaps (“–” marks experts a task cannot use).',
  'p6.claim': 'after 1500 steps the L1 distance between CGC’s gate rows (test set) is larger than MMoE’s',
});

extend('zh', {
  'p1.text': 'p = 1 时两个任务是同一个函数。MMoE 的两个门控没有分歧，热力图的两行很像；只有一个共享门控的 OMoE 也能跟上。',
  'p1.claim': '训练 1500 步后，MMoE 两行门控权重（测试集）的 L1 距离小于 0.3',
  'p2.text': 'p = 0.2 时两个任务几乎不相关。看 MMoE 的热力图：每个门控选择自己的专家，任务 1 和任务 2 的两行逐渐分开；OMoE 只有一个门控，两行始终相同。',
  'p2.claim': '训练 1500 步后，MMoE 两行门控权重（测试集）的 L1 距离大于 0.25（p = 1 时小于 0.3）',
  'p3.text': 'p = −0.5 时两个任务把共享层往相反方向拉。Shared-Bottom 只能用一个表示同时服务两个任务（我们试过的 5 个种子中有 4 个它的测试损失高于 MMoE）；MMoE 让每个任务按自己的方式组合专家，热力图的两行随之分开。',
  'p3.claim': '训练 1500 步后，MMoE 两行门控权重（测试集）的 L1 距离大于 0.25',
  'p4.text': '只有一个专家时，每个门控权重都是 1：MMoE 无法路由，相当于底层只有 16 个单元的 Shared-Bottom，OMoE 也是同一个网络。只有存在可供选择的专家时，每个任务自己的门控才有用。',
  'p4.claim': 'OMoE 和 MMoE 的每个门控权重都是 1.000，热力图的两行完全相同',
  'p5.text': '较大的任务权重（尺度 c = 5）会让 MMoE 的门控极化：每个样本只依赖 8 个专家中的两三个，门控熵 H 远低于最大值。门控 dropout（训练时以 0.5 的概率丢弃每个专家的门控权重）让门控分散开，测试损失大约减半。',
  'p5.claim': '训练 1500 步后，两个任务在测试集上的门控熵都低于 1.2 nats（最大 ln 8 = 2.08）；应用修复后两者都高于 1.25',
  'p6.text': 'CGC 给每个任务两个专属专家和四个共享专家。在相反的任务上（p = −0.5），它的门控分工比 MMoE 清晰得多：对比两张热力图（“–”表示该任务不能使用的专家）。',
  'p6.claim': '训练 1500 步后，CGC 两行门控权重（测试集）的 L1 距离大于 MMoE',
});
