// Every setting lives in the URL. Parameter names are the settings' field names, which
// are also the CLI's flags (e.g. `correlation=0.5&experts=8&models=sb,mmoe&autoplay=1`).
// Reading goes through the wasm `parsePairs`, which clamps or drops bad values and says
// what it did; nothing read from the URL is ever inserted as HTML.


import { defaultModels } from './catalogue.js';
import { LANGS } from '../language/i18n.js';
import { FIGURE4_MAX_SEEDS } from './plan.js';
import { readPins } from './pin-link.js';

export const SPEEDS = [0, 500, 100, 20, 5, 1]; // steps per second; 0 = as fast as possible
export const PRESET_COUNT = 7;

function parseFlag(u, notices) {
  const v = u.value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on', ''].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  notices.push({ kind: 'not_flag', key: u.key, shown: u.shown_value });
  return false;
}

/**
 * Reads a query string into `{settings, models, autoplay, speed, lecture, preset, lang,
 * figure4Seeds, pins, notices}`. `wasm` is the initialised wasm module (for `parsePairs`); each notice is
 * `{kind, …}` (status.js words it).
 */
export function readQuery(wasm, search) {
  const params = new URLSearchParams(search);
  const pairs = [];
  const seen = new Set();
  for (const [key, value] of params) {
    if (seen.has(key)) continue; // the first occurrence wins
    seen.add(key);
    pairs.push([key, value]);
  }
  const parsed = wasm.parsePairs(pairs);
  const notices = [...parsed.notices];
  const state = {
    settings: parsed.settings,
    models: parsed.models ?? defaultModels(),
    autoplay: false,
    speed: 0,
    lecture: false,
    preset: null,
    lang: null,
    figure4Seeds: null, // the live Figure 4's seeds; null: by the machine's cores
    pins: [], // a link's pinned runs to retrain (pin-link.js)
    notices,
  };
  for (const u of parsed.unknown) {
    const shown = u.shown_value;
    switch (u.key) {
      case 'autoplay':
        state.autoplay = parseFlag(u, notices);
        break;
      case 'lecture':
        state.lecture = parseFlag(u, notices);
        break;
      case 'preset': {
        const n = Number(u.value);
        if (Number.isInteger(n) && n >= 1 && n <= PRESET_COUNT) state.preset = n;
        else notices.push({ kind: 'not_preset', shown, max: PRESET_COUNT });
        break;
      }
      case 'lang': {
        const v = u.value.trim().toLowerCase();
        if (LANGS.includes(v)) state.lang = v;
        else notices.push({ kind: 'not_lang', shown, langs: LANGS.join(', '), fixed: LANGS[0] });
        break;
      }
      case 'fig4_seeds': {
        const n = Number(u.value);
        if (Number.isInteger(n) && n >= 1 && n <= FIGURE4_MAX_SEEDS) state.figure4Seeds = n;
        else notices.push({ kind: 'not_fig4_seeds', shown, max: FIGURE4_MAX_SEEDS });
        break;
      }
      case 'speed': {
        const v = u.value.trim() === 'max' ? 0 : Number(u.value);
        if (SPEEDS.includes(v)) state.speed = v;
        else notices.push({ kind: 'not_speed', shown, speeds: ['max', ...SPEEDS.filter((x) => x > 0)].join(', ') });
        break;
      }
      case 'pins':
        state.pins = readPins(wasm, u.value, notices);
        break;
      default:
        notices.push({ kind: 'unknown_param', key: u.shown_key });
    }
  }
  return state;
}

/**
 * The query string for a state: the models, every setting that differs from its default,
 * and the page's own options. Numbers are written with JavaScript's shortest round-trip
 * form, which Rust parses back to the same f64.
 */
export function writeQuery(state, defaults) {
  const params = new URLSearchParams();
  params.set('models', state.models.join(','));
  for (const [key, value] of Object.entries(state.settings)) {
    if (value !== defaults[key]) params.set(key, String(value));
  }
  if (state.speed > 0) params.set('speed', String(state.speed));
  if (state.figure4Seeds) params.set('fig4_seeds', String(state.figure4Seeds));
  if (state.lecture) params.set('lecture', '1');
  if (state.preset) params.set('preset', String(state.preset));
  if (state.lang && state.lang !== 'en') params.set('lang', state.lang);
  if (state.autoplay) params.set('autoplay', '1');
  return params.toString().replaceAll('%2C', ',');
}

/** Replaces the address bar's query without a navigation or a history entry. */
export function replaceUrl(query) {
  const url = new URL(window.location.href);
  url.search = query;
  if (url.href !== window.location.href) window.history.replaceState(null, '', url);
  return url.href;
}

/** Copies `text` to the clipboard; resolves to whether it worked. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
