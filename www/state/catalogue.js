// The model catalogue, written once in Rust (src/core/settings.rs) and read here: each
// model's name, label, colour, whether it is gated and a one-line description, and the
// experts' own palette. Call after the wasm instance is ready.

import { modelCatalogue } from '../pkg/mmoe.js';
import { extend } from '../language/i18n.js';

let cached = null;
const catalogue = () => (cached ??= modelCatalogue());
const info = (name) => catalogue().models.find((m) => m.name === name);

/** Every model's short name, in the order the page lists them. */
export const modelNames = () => catalogue().models.map((m) => m.name);
/** The models a page without `models=` trains: the multi-task four (Single-Task, the census baseline, is a tick away). */
export const defaultModels = () => modelNames().filter((m) => m !== 'single');
export const modelLabel = (name) => info(name)?.label ?? name;
export const modelColour = (name) => info(name)?.colour ?? '#555555';
export const isGated = (name) => info(name)?.gated ?? false;
export const gatedNames = () => catalogue().models.filter((m) => m.gated).map((m) => m.name);

/** Expert `k`'s colour (0-based), distinct from every model's colour. */
export function expertColour(k) {
  const colours = catalogue().expert_colours;
  return colours[k % colours.length];
}

/**
 * Sets the CSS variables `--sb`, `--omoe`, … on the root element (the stylesheet names
 * no colour of its own) and the English model descriptions as `desc.<name>` texts.
 */
export function applyCatalogue() {
  const entries = {};
  for (const m of catalogue().models) {
    document.documentElement.style.setProperty(`--${m.name}`, m.colour);
    entries[`desc.${m.name}`] = m.description;
  }
  extend('en', entries);
}

/** A small colour square for model `name`. */
export function swatch(name) {
  const el = document.createElement('span');
  el.className = 'swatch';
  el.style.setProperty('--swatch', `var(--${name})`);
  return el;
}
