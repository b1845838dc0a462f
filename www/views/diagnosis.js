// Why a run broke, in words: the cause the trainer measured (src/core/diagnosis.rs, asked
// through the 'diagnose' message or sent with 'diverged') with its numbers, and which fix
// answers it. main.js shows both in the trouble toast and marks the onset on the chart.

import { t } from '../language/i18n.js';
import { modelLabel } from '../state/catalogue.js';

/** Causes a smaller learning rate answers (the run restarts: dead units never revive). */
const LOWER_LR = new Set(['learning-rate', 'gate-logits', 'dead-towers', 'dead-experts']);
/** Gate dropout for a collapsed gate (preset 5 measures it spreading MMoE's gates). */
export const GATE_DROPOUT_FIX = 0.5;

/** A number for a sentence: '∞' when not finite, 8.3e+11 when huge, else 3 significant digits. */
export function num(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '∞';
  if (Math.abs(v) >= 1e5) return v.toExponential(1);
  return Number(v.toPrecision(3)).toLocaleString('en-US');
}

/** Which gate: each task's own (MMoE, CGC) or the one shared gate (OMoE). */
const gateName = (d, g) => (d.gate_logits.length > 1 ? t('cause.gate.task', { k: g + 1 }) : t('cause.gate.one'));

/** The index of the largest of `values`. */
const argmax = (values) => values.reduce((best, v, i) => (v > values[best] || !Number.isFinite(v) ? i : best), 0);

/** What happened to the loss, for a learning-rate cause ('' when it only stopped improving). */
function event(d) {
  if (d.diverged_at) return t('cause.event.diverged');
  if (d.spike_at) return t('cause.event.spike', { step: d.spike_at });
  if (d.nonfinite_weights) return t('cause.event.overflow', { n: d.nonfinite_weights });
  return '';
}

/** The sentence naming diagnosis `d`'s cause for model `name` at learning rate `lr`, with its numbers, and what else broke. */
export function explain(name, d, lr) {
  if (!d) return '';
  return [cause(name, d, lr), ...also(d)].join(' ');
}

/** Other broken parts than the cause: saturated gates, dead experts. */
function also(d) {
  const out = [];
  const logit = d.gate_logits[argmax(d.gate_logits)];
  if (d.cause !== 'gate-logits' && d.saturated_gates.length) out.push(t('cause.also.saturated', { logit: num(logit) }));
  if (d.cause !== 'dead-experts' && d.dead_experts.length) out.push(t('cause.also.dead-experts', { experts: d.dead_experts.map((e) => e + 1).join(', ') }));
  return out;
}

function cause(name, d, lr) {
  const values = { model: modelLabel(name), lr, growth: num(d.weight_growth), rows: d.rows, event: event(d) };
  const gate = argmax(d.gate_logits);
  switch (d.cause) {
    case 'learning-rate':
      return t('cause.learning-rate', values);
    case 'gate-logits':
      return t('cause.gate-logits', { ...values, gate: gateName(d, gate), logit: num(d.gate_logits[gate]) });
    case 'dead-towers': {
      const dead = d.dead_tower.flatMap((v, k) => (v >= 1 ? [k + 1] : []));
      const which = dead.length > 1 ? t('cause.tower.both') : t('cause.tower.one', { k: dead[0] });
      return t('cause.dead-towers', { ...values, which });
    }
    case 'dead-experts':
      return t('cause.dead-experts', { ...values, count: d.dead_experts.length, total: d.dead_units.length, experts: d.dead_experts.map((e) => e + 1).join(', ') });
    case 'collapsed-gates': {
      const g = argmax(d.gate_top);
      return t('cause.collapsed-gates', { ...values, gate: gateName(d, g), share: Math.round(100 * d.gate_top[g]) });
    }
    default:
      return t('cause.none', { ...values, logit: d.gate_logits.length ? num(Math.max(...d.gate_logits)) : '–' });
  }
}

/** The fix the diagnosed causes call for: 'lr', 'dropout', or null when none names one. */
export function fixFor(diagnoses) {
  const causes = diagnoses.map((d) => d?.cause).filter(Boolean);
  if (causes.some((c) => LOWER_LR.has(c))) return 'lr';
  return causes.includes('collapsed-gates') ? 'dropout' : null;
}
