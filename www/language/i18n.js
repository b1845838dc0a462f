// The page's words in English and Chinese (the dictionaries are in lang/). Static
// elements carry `data-i18n` (text), `data-i18n-title` (tooltip), `data-i18n-aria`
// (aria-label) or `data-i18n-lang` (the language of their text) with a key of the
// dictionary; scripts call `t(key, values)`. Numbers and model names are never
// translated. Every value is plain text: it is set with textContent or setAttribute,
// never as HTML.

import en from './en.js';
import zh from './zh.js';

export const LANGS = ['en', 'zh'];

const DICTS = { en, zh };
let lang = 'en';
const listeners = [];

/** Switches the language (unknown codes mean English); returns the one in use. */
export function setLang(next) {
  const before = lang;
  lang = LANGS.includes(next) ? next : 'en';
  if (lang !== before) for (const fn of listeners) fn(lang);
  return lang;
}

/** Calls `fn(lang)` after every change of language. */
export function onLang(fn) {
  listeners.push(fn);
}

/** Whether `key` has a text in the current language or in English. */
export function has(key) {
  return hasOwn(key) || key in en;
}

/** Whether `key` has a text in the current language itself. */
export function hasOwn(key) {
  return key in DICTS[lang];
}

export function getLang() {
  return lang;
}

/** Adds preset texts (they live in presets.js beside the settings they describe). */
export function extend(code, entries) {
  Object.assign(DICTS[code], entries);
}

/** The text for `key` in the current language, with `{name}` filled from `values`. */
export function t(key, values = {}) {
  const text = DICTS[lang][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in values ? String(values[name]) : m));
}

/** Re-labels every element under `root` that carries a data-i18n attribute. */
export function translate(root = document) {
  document.documentElement.lang = lang === 'zh' ? 'zh-Hans' : 'en';
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
  for (const el of root.querySelectorAll('[data-i18n-lang]')) el.lang = t(el.dataset.i18nLang); // text in another language
}
