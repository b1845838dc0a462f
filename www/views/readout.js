// A read-out under the pointer for a loss chart: the training step under the mouse, a
// tap, or the keyboard (the chart takes focus; ← → move one step, with Shift 100, Home and
// End jump to the ends) and the exact values there, in a box beside a marker line. What
// the values are comes from the chart's owner (`rows(step)` → [{label, text}], each saying
// "training" or "test"), so one read-out serves the loss chart and Figure 4's panels.
// Text only: nothing shown is parsed as HTML.

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
    this.tip = document.createElement('div');
    this.tip.className = 'readout';
    this.tip.setAttribute('role', 'status');
    this.line.hidden = this.tip.hidden = true;
    canvas.parentElement.append(this.line, this.tip);
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
    this.tip.replaceChildren(
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
    this.line.style.left = `${x}px`;
    this.line.hidden = this.tip.hidden = false;
    // Beside the marker, on the side with more room.
    const width = this.canvas.clientWidth;
    const right = x < width / 2;
    this.tip.style.left = right ? `${Math.min(x + 10, width - this.tip.offsetWidth)}px` : '';
    this.tip.style.right = right ? '' : `${Math.min(width - x + 10, width - this.tip.offsetWidth)}px`;
  }

  hide() {
    this.line.hidden = this.tip.hidden = true;
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

/** A loss for a read-out: 4 significant digits ('–' when not a number). */
export const loss = (v) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(1) : v.toPrecision(4)) : '–');
