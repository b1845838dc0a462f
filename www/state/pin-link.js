// Pinned runs in a link (`pins=`): each pin as its models with the step each was pinned
// at and its settings that differ from the defaults, e.g.
//   pins=sb,mmoe@300;lr:0.01;seed:2~mmoe@200;experts:4
// (`~` between pins, `;` between fields, `:` between a setting and its value; a model
// without its own `@step` takes the last model's). Reading never fails: a pin that cannot
// be read is dropped and a notice says which and why; at most MAX_PINS. The settings go
// through the same `parsePairs` as the URL's own, so a bad value is fixed the same way.

import { MAX_PINS } from '../views/pins.js';

export const MAX_PIN_STEPS = 100000; // a pin is retrained on load: this many steps at most
const MAX_LENGTH = 4000; // characters of a `pins=` value
const STEP = /^[0-9]{1,9}$/;
const MODEL = /^[a-z]{1,12}$/;

/**
 * The `pins=` value for `pins` ([{settings, models, final: {model: {steps}}}]), each
 * setting written only when it differs from `defaults` (`null` when there are none).
 */
export function pinsParam(pins, defaults) {
  if (!pins.length) return null;
  return pins
    .map((pin) => {
      const steps = pin.models.map((m) => pin.final[m]?.steps ?? pin.step);
      const last = steps[steps.length - 1];
      const head = pin.models.map((m, i) => (steps[i] === last && i < steps.length - 1 ? m : `${m}@${steps[i]}`)).join(',');
      const fields = Object.entries(pin.settings)
        .filter(([key, value]) => value !== defaults[key])
        .map(([key, value]) => `${key}:${encodeURIComponent(String(value))}`);
      return [head, ...fields].join(';');
    })
    .join('~');
}

/**
 * Reads a `pins=` value into [{n (its place in the link), settings, models, steps: {model:
 * step}}], pushing a notice (`{kind, pin?, …}`, worded by status.js) for whatever it drops
 * or fixes.
 */
export function readPins(wasm, value, notices) {
  if (value.length > MAX_LENGTH) {
    notices.push({ kind: 'pins_too_long', max: MAX_LENGTH });
    return [];
  }
  const parts = value.split('~').filter((p) => p.trim() !== '');
  if (parts.length > MAX_PINS) notices.push({ kind: 'pins_too_many', max: MAX_PINS, count: parts.length });
  const pins = [];
  parts.slice(0, MAX_PINS).forEach((part, k) => {
    const pin = readPin(wasm, part, k + 1, notices);
    if (pin) pins.push(pin);
  });
  return pins;
}

/** Pin `n` of a link, or null (with a notice) when it cannot be rebuilt. */
function readPin(wasm, text, n, notices) {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  const bad = (kind, fields = {}) => {
    notices.push({ kind, pin: n, shown, ...fields });
    return null;
  };
  const [head, ...fields] = text.split(';');
  const entries = head.split(',').map((e) => e.split('@'));
  if (entries.some((e) => e.length > 2 || !MODEL.test(e[0]) || (e.length === 2 && !STEP.test(e[1])))) return bad('pin_malformed');
  const last = entries[entries.length - 1];
  if (last.length !== 2) return bad('pin_malformed');
  const steps = {};
  for (const [model, step = last[1]] of entries) {
    const s = Number(step);
    if (s < 1 || s > MAX_PIN_STEPS) return bad('pin_steps', { max: MAX_PIN_STEPS });
    steps[model] ??= s;
  }
  const pairs = [['models', Object.keys(steps).join(',')]];
  const seen = new Set(['models']);
  for (const field of fields) {
    const at = field.indexOf(':');
    if (at <= 0) return bad('pin_malformed');
    const key = field.slice(0, at);
    if (seen.has(key)) continue; // the first occurrence wins, as in the URL
    seen.add(key);
    pairs.push([key, field.slice(at + 1)]);
  }
  const parsed = wasm.parsePairs(pairs);
  for (const notice of parsed.notices) notices.push({ ...notice, pin: n });
  for (const u of parsed.unknown) notices.push({ kind: 'unknown_setting', key: u.shown_key, pin: n });
  if (parsed.settings.source !== 'synthetic') return bad('pin_census');
  const models = (parsed.models ?? []).filter((m) => m in steps);
  if (!models.length) return bad('pin_malformed');
  return { n, settings: parsed.settings, models, steps: Object.fromEntries(models.map((m) => [m, steps[m]])) };
}
