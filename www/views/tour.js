// The guided tour on the page: the preset buttons, the text of the preset shown, its
// claim and the live ✓/✗ verdict, the "apply the fix" button. The presets themselves
// (settings, texts, checks) are in presets.js.

import { store } from '../state/store.js';
import { t } from '../language/i18n.js';
import { PRESETS, presetSettings, matches } from '../state/presets.js';
import { recentGroup } from './figure4.js';

const $ = (id) => document.getElementById(id);
const find = (n) => PRESETS.find((p) => p.n === n);
const title = (p) => `${p.n}. ${t(`p${p.n}.title`)}`;

/**
 * The light snapshot the presets' checks read: each model at its latest evaluation, and
 * the live Figure 4 view's cells (recent training losses, the mean over its seeds) at step
 * `figure4At` (their latest step if they have not got there).
 */
export function claimSnapshot(figure4At = Infinity) {
  const models = {};
  for (const run of store.runs) {
    const test = run.latestTest();
    models[run.name] = {
      test_loss: test ? [test] : [],
      test_gates: run.testGateRows(),
      entropy_test: Array.from(run.testEntropy),
    };
  }
  return { step: store.step, models, figure4: store.comparison.map((g) => recentGroup(g, figure4At)) };
}

/** The shown preset's claim checked on the page's numbers, or null. */
export function checkClaim() {
  const p = find(store.preset);
  return p && store.runs.length ? p.check(claimSnapshot(p.figure4 ? p.budget : Infinity), store.settings) : null;
}

export class Tour {
  /**
   * @param {object} o
   * @param {(settings: object, models: string[], reason: {key, values}) => void} o.load
   *   shows and builds a preset's settings
   */
  constructor({ load }) {
    this.load = load;
    $('preset-fix').addEventListener('click', () => {
      const p = find(store.preset);
      if (p?.fix) this.apply(p.n, p.fix);
    });
  }

  renderButtons() {
    $('preset-buttons').replaceChildren(
      ...PRESETS.map((p) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.dataset.preset = String(p.n);
        b.textContent = title(p);
        b.setAttribute('aria-keyshortcuts', String(p.n));
        b.title = `${t('preset.claim')}: ${t(`p${p.n}.claim`)}`;
        b.setAttribute('aria-pressed', String(store.preset === p.n));
        b.addEventListener('click', () => this.apply(p.n));
        return b;
      }),
    );
  }

  show() {
    const p = find(store.preset);
    for (const b of $('preset-buttons').children) b.setAttribute('aria-pressed', String(b.dataset.preset === String(store.preset)));
    $('preset-title').textContent = p ? title(p) : '';
    $('preset-title').hidden = !p;
    $('preset-body').dataset.i18n = p ? `p${p.n}.text` : this.changed ? 'preset.changed' : 'preset.none';
    $('preset-body').textContent = t($('preset-body').dataset.i18n);
    $('preset-claim').hidden = !p;
    if (p) $('preset-claim-text').textContent = t(`p${p.n}.claim`);
    $('preset-fix').hidden = !(p?.fix && !Object.entries(p.fix).every(([k, v]) => store.settings[k] === v));
    this.verdict();
  }

  verdict() {
    const p = find(store.preset);
    const el = $('preset-verdict');
    if (!p || !store.runs.length) {
      el.textContent = '';
      return;
    }
    // A claim on the live Figure 4 view is checked at its budget step (its cells train in
    // several workers, a few steps apart), the others at the latest evaluation.
    const steps = p.figure4 ? store.comparison.flatMap((g) => g.cells.map((c) => c.run.steps)) : store.runs.map((r) => r.evaluatedAt());
    const evaluated = steps.length ? Math.min(...steps) : 0;
    const shown = p.figure4 ? Math.min(evaluated, p.budget) : evaluated;
    const { ok, value } = checkClaim();
    const mark = evaluated < p.budget ? '…' : ok ? '✓' : '✗';
    el.textContent = `(${t('counter.step')} ${shown}: ${value} ${mark})`;
    el.className = `verdict ${evaluated < p.budget ? '' : ok ? 'ok' : 'bad'}`;
  }

  /** Loads preset `n` (with `extra` settings on top, e.g. its fix) from step 0. */
  apply(n, extra = {}) {
    const p = find(n);
    if (!p) return;
    store.preset = n;
    this.changed = false;
    this.load(presetSettings(p, store.defaults, extra), p.models.slice(), { key: 'status.preset', values: { n, title: t(`p${n}.title`) } });
    this.show();
  }

  /** After any change of settings or models: leaves the preset once they differ from it. */
  update() {
    const p = find(store.preset);
    if (p && !matches(p, store.settings, store.models, store.defaults)) {
      store.preset = null;
      this.changed = true;
    }
    this.show();
  }
}
