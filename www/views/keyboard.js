// Keyboard shortcuts for the lecture hall: Space play/pause, → one step, R reset,
// 1–7 presets, F full screen, L lecture mode, G the live Figure 4, ? the list of
// shortcuts, Esc closes it.
// Nothing fires while the focus is in a text field, a select or a contenteditable; a
// focused slider keeps its arrow keys, and Space/Enter keep their usual meaning on a
// focused button, checkbox or summary.

const TYPING = 'input:not([type="range"]):not([type="checkbox"]), select, textarea, [contenteditable=""], [contenteditable="true"]';
const SLIDER_KEYS = /^(Arrow|Page|Home$|End$)/; // what a focused slider keeps for itself
const ACTIVATES = 'button, summary, a[href], [role="button"], input[type="checkbox"]';
// Controls that keep the focus after a click or a drag, and would then take the keys the
// shortcuts use (Space clicks a focused button again, → moves a focused slider).
const POINTER_ONLY = 'button, summary, input[type="range"], input[type="checkbox"]';

/**
 * Takes the focus off a button, checkbox or slider once the mouse or a finger has used
 * it, so the shortcuts work right after; the keyboard's focus is left alone.
 */
export function blurAfterPointer() {
  let pointer = null;
  document.addEventListener('pointerdown', (event) => {
    pointer = event.target instanceof Element ? event.target.closest(POINTER_ONLY) : null;
  });
  let pending = null; // the element to blur once its click has run, unless a key came first
  const release = () => {
    const el = pointer;
    pointer = null;
    pending = el;
    // After the click or change the element fires for this press.
    if (el) setTimeout(() => pending === el && document.activeElement === el && el.blur());
  };
  // A key pressed before that moved the focus on purpose (a dialog's close button): keep it.
  document.addEventListener('keydown', () => (pending = null), true);
  document.addEventListener('pointerup', release);
  document.addEventListener('pointercancel', release);
}

/**
 * @param {object} o
 * @param {HTMLElement} o.overlay the shortcuts dialog
 * @param {HTMLElement} o.openButton the "?" button
 * @param {HTMLElement} o.closeButton the dialog's close button
 * @param {object} o.actions playPause, step, reset, preset(n), lecture, fullscreen
 */
export function installShortcuts({ overlay, openButton, closeButton, actions }) {
  let returnFocus = null;
  const open = () => {
    returnFocus = document.activeElement;
    overlay.hidden = false;
    closeButton.focus();
  };
  const close = () => {
    if (overlay.hidden) return;
    overlay.hidden = true;
    if (returnFocus instanceof HTMLElement) returnFocus.focus();
  };
  openButton.addEventListener('click', open);
  closeButton.addEventListener('click', close);
  overlay.addEventListener('click', (event) => {
    if (event.target === overlay) close();
  });

  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    const target = event.target instanceof Element ? event.target : null;
    if (!overlay.hidden) {
      // The dialog is modal: Esc or ? closes it, Tab stays on its button.
      if (event.key === 'Escape' || event.key === '?') {
        event.preventDefault();
        close();
      } else if (event.key === 'Tab') {
        event.preventDefault();
        closeButton.focus();
      }
      return;
    }
    if (target?.closest(TYPING)) return;
    const key = event.key;
    if (target?.matches('input[type="range"]') && SLIDER_KEYS.test(key)) return;
    if ((key === ' ' || key === 'Enter') && target?.closest(ACTIVATES)) return;
    let handled = true;
    if (key === ' ') actions.playPause();
    else if (key === 'ArrowRight') actions.step();
    else if (key === 'r' || key === 'R') actions.reset();
    else if (key === 'f' || key === 'F') actions.fullscreen();
    else if (key === 'l' || key === 'L') actions.lecture();
    else if (key === 'g' || key === 'G') actions.figure4();
    else if (key === '?') open();
    else if (/^[1-7]$/.test(key)) actions.preset(Number(key));
    else handled = false;
    if (handled) event.preventDefault();
  });

  return { isOpen: () => !overlay.hidden, open, close };
}
