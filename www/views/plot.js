// Small plain-canvas plots of the page (the label-correlation curve, the data view, the
// gate inspector): a canvas fitted to the screen's pixels, the page's ink colours, and a
// framed pair of linear axes with round ticks.

import { fitBackingStore } from './charts.js';

export const INK = '#1d232b';
export const MUTED = '#5b6470';
export const GRID = '#e6e9ee';

/** Fits `canvas` to its CSS size and clears it to white; returns its context and CSS size. */
export function fit(canvas) {
  const ratio = fitBackingStore(canvas);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, canvas.clientWidth, canvas.clientHeight);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.clientWidth, canvas.clientHeight);
  return { ctx, w: canvas.clientWidth, h: canvas.clientHeight };
}

/** The canvas font at `size` CSS pixels, larger in lecture mode. */
export const font = (size, lecture) => `${lecture ? Math.round(size * 1.35) : size}px system-ui, sans-serif`;

/** About `count` round tick values covering lo..hi. */
export function ticks(lo, hi, count = 4) {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / count;
  const unit = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * unit).find((s) => s >= raw) ?? 10 * unit;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/**
 * Draws a frame, grid lines and tick labels for x in `xr` and y in `yr` ([lo, hi]) inside
 * the `w`×`h` canvas, with axis titles `xlabel` (below) and `ylabel` (above, left);
 * returns the maps from values to pixels and the plot box.
 */
export function axes(ctx, { w, h, xr, yr, xlabel, ylabel, lecture = false, digits = 1, xdigits = digits, xticks = true }) {
  const size = lecture ? 14 : 10;
  // Room for the y labels: wider ones (three decimals) need more.
  const pad = { l: (lecture ? 40 : 30) + Math.max(0, digits - 1) * (lecture ? 9 : 7), r: lecture ? 16 : 11, t: lecture ? 26 : 20, b: lecture ? 36 : 28 };
  const box = { x: pad.l, y: pad.t, w: Math.max(1, w - pad.l - pad.r), h: Math.max(1, h - pad.t - pad.b) };
  const sx = (v) => box.x + ((v - xr[0]) / (xr[1] - xr[0])) * box.w;
  const sy = (v) => box.y + ((yr[1] - v) / (yr[1] - yr[0])) * box.h;
  ctx.font = font(10, lecture);
  ctx.lineWidth = 1;
  ctx.strokeStyle = GRID;
  ctx.fillStyle = MUTED;
  ctx.textAlign = 'right';
  for (const v of ticks(yr[0], yr[1])) {
    ctx.beginPath();
    ctx.moveTo(box.x, sy(v));
    ctx.lineTo(box.x + box.w, sy(v));
    ctx.stroke();
    ctx.fillText(v.toFixed(digits), box.x - 4, sy(v) + 3);
  }
  ctx.textAlign = 'center';
  for (const v of xticks ? ticks(xr[0], xr[1], w < 200 ? 3 : 4) : []) {
    ctx.beginPath();
    ctx.moveTo(sx(v), box.y);
    ctx.lineTo(sx(v), box.y + box.h);
    ctx.stroke();
    ctx.fillText(v.toFixed(xdigits), sx(v), box.y + box.h + size + 2);
  }
  ctx.strokeStyle = '#d2d7df';
  ctx.strokeRect(box.x, box.y, box.w, box.h);
  ctx.fillText(xlabel, box.x + box.w / 2, h - 4);
  ctx.textAlign = 'left';
  ctx.fillText(ylabel, 2, box.y - 6);
  return { sx, sy, box };
}
