// The status line at the bottom, the notice banner (what was fixed in a link or a file)
// and the toasts. Every text here is plain text (textContent): notices quote the URL.

import { t, has, getLang } from '../language/i18n.js';

const $ = (id) => document.getElementById(id);
const STATUS_MS = 8000;

let timer = null;
let idle = () => '';
let last = null; // {key, values} of the message shown, to re-word it in another language

/** What the status line falls back to after a message (training / paused …). */
export function setIdleStatus(fn) {
  idle = fn;
}

/** Shows `t(key, values)` in the status line; it returns to the idle text after a while. */
export function status(key, values = {}, { sticky = false } = {}) {
  last = { key, values };
  $('status').textContent = t(key, values);
  clearTimeout(timer);
  timer = sticky ? null : setTimeout(showIdle, STATUS_MS);
}

export function showIdle() {
  last = null;
  $('status').textContent = idle();
}

/** Shows the idle text unless a message is still on display (it falls back by itself). */
export function settleStatus() {
  if (!last) showIdle();
}

/** Re-words whatever the status line shows (after a language change). */
export function relabelStatus() {
  $('status').textContent = last ? t(last.key, last.values) : idle();
}

let notices = { items: [], source: 'url' };

/** Lists `items` (from parsePairs and the page's own checks) in the banner. */
export function showNotices(items, source = 'url') {
  notices = { items, source };
  renderNotices();
  $('notice').hidden = items.length === 0;
}

/**
 * One notice (`{kind, pin?, …}`) in the current language. Notices from Rust carry their English
 * `text`, which is shown in English and whenever the language has no wording for the kind.
 */
export function noticeText(n) {
  const key = `notice.${n.kind}`;
  const text = n.text !== undefined && (getLang() === 'en' || !has(key)) ? n.text : t(key, n);
  return n.pin ? t('notice.in_pin', { n: n.pin, text }) : text; // about one of a link's pins
}

export function renderNotices() {
  const head = $('notice-head');
  head.dataset.i18n = notices.source === 'file' ? 'notice.file' : 'notice.url';
  head.textContent = t(head.dataset.i18n);
  $('notice-list').replaceChildren(
    ...notices.items.map((n) => {
      const li = document.createElement('li');
      li.textContent = noticeText(n); // never HTML: these quote the URL
      return li;
    }),
  );
}
