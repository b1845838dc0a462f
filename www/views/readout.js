// A read-out under the pointer for a loss chart: the training step under the mouse, a
// tap, or the keyboard (the chart takes focus; ← → move one step, with Shift 100, Home and
// End jump to the ends) and the exact values there, in a box beside a marker line. What
// the values are comes from the chart's owner (`rows(step)` → [{label, text}], each saying
// "training" or "test"), so one read-out serves the loss chart and Figure 4's panels;
// `PointReadout` is the same for charts of cells or points (the gate heatmaps, the
// inspector's scatter). Text only: nothing shown is parsed as HTML.

/** The box of values beside a chart's marker: rows [{label, text, colour?}], text only. */
class Tip {
  constructor(canvas) {
    this.canvas = canvas;
    this.el = document.createElement('div');
    this.el.className = 'readout';
    this.el.setAttribute('role', 'status');
    this.el.hidden = true;
  }

  /** Shows `rows` beside CSS x `x`, on the side with more room (`top`: its top, when given). */
  show(rows, x, top) {
    this.el.replaceChildren(
      ...rows.map(({ label, text, colour }) => {
        const line = document.createElement('div');
        if (colour) {
          const swatch = document.createElement('span');
          swatch.className = 'readout-swatch';
          swatch.style.background = colour;
          line.append(swatch);
        }
        const name = document.createElement('b');
        name.textContent = label;
        line.append(name, ` ${text}`);
        return line;
      }),
    );
    this.el.hidden = false;
    this.el.style.top = top === undefined ? '' : `${top}px`;
    const width = this.canvas.clientWidth;
    const right = x < width / 2;
    this.el.style.left = right ? `${Math.min(x + 10, width - this.el.offsetWidth)}px` : '';
    this.el.style.right = right ? '' : `${Math.min(width - x + 10, width - this.el.offsetWidth)}px`;
  }

  hide() {
    this.el.hidden = true;
  }
}

export class Readout {
  /**
   * `canvas` (inside its .canvas-box), `chart()` (the LossChart drawn there: `stepAt`, `xOfStep`),
   * `rows(step)` (the values at a step, or null), `last()` (the latest step, where the
   * keyboard starts).
   */
  constructor({ canvas, chart, rows, last }) {
    Object.assign(this, { canvas, chart, rows, last });
    this.step = null;
    this.line = document.createElement('div');
    this.line.className = 'readout-line';
    this.tip = new Tip(canvas);
    this.line.hidden = true;
    canvas.parentElement.append(this.line, this.tip.el);
    canvas.tabIndex = 0;
    canvas.addEventListener('pointermove', (e) => this.showAt(e.offsetX));
    canvas.addEventListener('pointerdown', (e) => this.showAt(e.offsetX)); // a tap on touch
    canvas.addEventListener('pointerleave', (e) => e.pointerType === 'mouse' && document.activeElement !== canvas && this.hide());
    canvas.addEventListener('focus', () => this.show(this.step ?? this.last()));
    canvas.addEventListener('blur', () => this.hide());
    canvas.addEventListener('keydown', (e) => this.key(e));
  }

  /** Shows the values at the step under `x` CSS pixels from the canvas's left edge. */
  showAt(x) {
    const step = this.chart().stepAt(x);
    if (Number.isFinite(step)) this.show(step);
    else this.hide();
  }

  /** Shows the values at `step` (clamped to what has been trained), or hides when there are none. */
  show(step) {
    const last = this.last();
    const at = Math.max(1, Math.min(last, Math.round(step)));
    const rows = last > 0 ? this.rows(at) : null;
    if (!rows?.length) return this.hide();
    this.step = at;
    const x = this.chart().xOfStep(this.step);
    if (!Number.isFinite(x)) return this.hide();
    this.line.style.left = `${x}px`;
    this.line.hidden = false;
    this.tip.show(rows, x);
  }

  hide() {
    this.line.hidden = true;
    this.tip.hide();
  }

  /** ← → one step (Shift: 100), Home / End the first and last step, Esc hides. */
  key(e) {
    const moves = { ArrowLeft: -1, ArrowRight: 1 };
    let step = null;
    if (e.key in moves) step = (this.step ?? this.last()) + moves[e.key] * (e.shiftKey ? 100 : 1);
    else if (e.key === 'Home') step = 1;
    else if (e.key === 'End') step = this.last();
    else if (e.key === 'Escape') this.hide();
    else return;
    e.preventDefault();
    e.stopPropagation(); // → here moves the read-out, not the trainer
    if (step !== null) this.show(step);
  }
}

/**
 * The same read-out for charts of separate items (a heatmap's cells, a scatter's points):
 * the item under the pointer or a tap, or (the chart focused) the one the arrow keys move
 * to, outlined, with its values beside it. The chart's owner says what is where:
 * `at(x, y)` (the item at a point in CSS pixels, or null), `rect(item)` ({x, y, w, h} in CSS
 * pixels, or null once gone), `rows(item)`, `move(item, key)` (where an arrow, Home or End
 * key goes, or null) and `first()` (where the keyboard starts); `onMove(item)` hears
 * keyboard moves; `keyAt()`, when given, is where the keyboard is (the inspector's picked
 * sample) whatever the pointer showed last. Items are compared with `same`.
 */
export class PointReadout {
  constructor({ canvas, at, rect, rows, move, first = () => null, onMove, keyAt = null, round = false, same = (a, b) => a === b }) {
    Object.assign(this, { canvas, at, rect, rows, move, first, onMove, keyAt, same });
    this.item = null;
    this.mark = document.createElement('div');
    this.mark.className = round ? 'readout-mark round' : 'readout-mark';
    this.mark.hidden = true;
    this.tip = new Tip(canvas);
    canvas.parentElement.append(this.mark, this.tip.el);
    canvas.tabIndex = 0;
    const pointAt = (e) => {
      const item = this.at(e.offsetX, e.offsetY);
      if (item !== null) this.show(item);
      else if (document.activeElement !== canvas) this.hide();
    };
    canvas.addEventListener('pointermove', pointAt);
    canvas.addEventListener('pointerdown', pointAt); // a tap on touch
    canvas.addEventListener('pointerleave', (e) => e.pointerType === 'mouse' && document.activeElement !== canvas && this.hide());
    canvas.addEventListener('focus', () => {
      const item = this.keyItem();
      if (item !== null && this.tip.el.hidden) this.show(item); // a tap that focused it shows its own item
    });
    canvas.addEventListener('blur', () => this.hide());
    canvas.addEventListener('keydown', (e) => this.key(e));
  }

  /** Shows `item`'s values beside it, outlined; hides when it has none. */
  show(item) {
    const r = this.rect(item);
    const rows = r && this.rows(item);
    if (!rows?.length) return this.hide();
    this.item = item;
    Object.assign(this.mark.style, { left: `${r.x}px`, top: `${r.y}px`, width: `${r.w}px`, height: `${r.h}px` });
    this.mark.hidden = false;
    this.tip.show(rows, r.x + r.w / 2, r.y + r.h + 4);
  }

  /** Shows the current item's values again (they change as training runs). */
  refresh() {
    if (!this.tip.el.hidden && this.item !== null) this.show(this.item);
  }

  hide() {
    this.mark.hidden = true;
    this.tip.hide();
  }

  /** Where the keyboard is: `keyAt()`, else the item shown last, else `first()`. */
  keyItem() {
    return this.keyAt?.() ?? this.item ?? this.first();
  }

  key(e) {
    if (e.key === 'Escape') {
      this.hide();
      return;
    }
    const from = this.keyItem();
    const to = from === null ? null : this.move(from, e.key);
    if (to === null) return;
    e.preventDefault();
    e.stopPropagation(); // the arrows here move the read-out, not the trainer
    this.show(to);
    if (!this.same(to, from)) this.onMove?.(to);
  }
}

/** A loss for a read-out: 4 significant digits ('–' when not a number). */
export const loss = (v) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(1) : v.toPrecision(4)) : '–');
