//! The live loss chart: every model's per-task loss curves, bounded in size (see
//! `core::series`), with markers where the correlation changed.

use super::{display_name, model_colour, words, Theme, GRID, GRID_BOLD, INK, MARK, MUTED};
use crate::core::axis::{format_loss, format_step, log_ticks, nice_ceiling, text_width};
use crate::core::series::{smoothed, LossSeries};
use crate::experiment::figures::look::draw_task_line;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// Points kept per train-loss series and per test-loss series before halving.
const TRAIN_POINTS: usize = 800;
const TEST_POINTS: usize = 400;
/// Test-loss markers drawn per series (the evaluations between are thinned out).
const MARKERS: usize = 40;

struct ModelCurves {
    name: String,
    train: LossSeries,
    test: LossSeries,
    /// Per seed, when `train` is the mean over several (the live Figure 4): the band.
    seeds: Vec<LossSeries>,
}

/// A pinned run: its label and each model's training-loss curve, drawn as a faint ghost.
struct Pinned {
    label: String,
    curves: Vec<(String, LossSeries)>,
}

/// Per-task loss curves of several models, with markers where the correlation changed.
#[wasm_bindgen]
pub struct LossChart {
    models: Vec<ModelCurves>,
    /// Runs kept to compare with (`pin`); a reset keeps them.
    pinned: Vec<Pinned>,
    marks: Vec<(f64, String)>,
    task_labels: [String; 2],
    /// A loss range to draw instead of the data's own (charts shown side by side share one).
    range: Option<(f64, f64)>,
    /// The loss axis's title instead of the page-wide one (e.g. "training loss (log scale)").
    loss_word: Option<String>,
    lecture: bool,
    pixel_ratio: f64,
    dirty: bool,
    /// Where the last draw put steps 0 and `xmax` (device pixels) and `xmax`: the
    /// pointer's read-out maps a position back to a step.
    x_axis: Option<(f64, f64, f64)>,
}

impl Default for LossChart {
    fn default() -> Self {
        LossChart::new()
    }
}

#[wasm_bindgen]
impl LossChart {
    #[wasm_bindgen(constructor)]
    pub fn new() -> LossChart {
        LossChart {
            models: Vec::new(),
            pinned: Vec::new(),
            marks: Vec::new(),
            task_labels: ["task 1".into(), "task 2".into()],
            range: None,
            loss_word: None,
            lecture: false,
            pixel_ratio: 1.0,
            dirty: true,
            x_axis: None,
        }
    }

    /// Forgets every series and marker and starts over with these models (in order).
    pub fn reset(&mut self, models: Vec<String>) {
        self.models = models
            .into_iter()
            .map(|name| ModelCurves {
                name,
                train: LossSeries::new(),
                test: LossSeries::new(),
                seeds: Vec::new(),
            })
            .collect();
        self.marks.clear();
        self.dirty = true;
    }

    /// Keeps the current training-loss curves as a ghost labelled `label`, drawn faint
    /// under the live curves until `unpin` (a reset keeps it).
    pub fn pin(&mut self, label: String) {
        let curves = self
            .models
            .iter()
            .map(|m| (m.name.clone(), m.train.clone()))
            .collect();
        self.pinned.push(Pinned { label, curves });
        self.dirty = true;
    }

    /// Adds a pinned run `label` with no curves yet: a run rebuilt elsewhere (a link's
    /// pin, retrained in the background), whose losses `pushPinned` then appends.
    #[wasm_bindgen(js_name = addPin)]
    pub fn add_pin(&mut self, label: String) {
        self.pinned.push(Pinned {
            label,
            curves: Vec::new(),
        });
        self.dirty = true;
    }

    /// Appends model `name`'s training losses ([step, loss 1, loss 2]*) to the last pinned
    /// run, kept as the live curves are (the same points, thinned alike).
    #[wasm_bindgen(js_name = pushPinned)]
    pub fn push_pinned(&mut self, name: String, data: &[f64]) {
        let Some(pin) = self.pinned.last_mut() else {
            return;
        };
        let k = match pin.curves.iter().position(|(n, _)| *n == name) {
            Some(k) => k,
            None => {
                pin.curves.push((name, LossSeries::new()));
                pin.curves.len() - 1
            }
        };
        for p in data.chunks_exact(3) {
            pin.curves[k].1.push([p[0], p[1], p[2]], TRAIN_POINTS);
        }
        self.dirty = true;
    }

    /// Forgets pinned run `i` (in pinning order).
    pub fn unpin(&mut self, i: usize) {
        if i < self.pinned.len() {
            self.pinned.remove(i);
            self.dirty = true;
        }
    }

    /// How many pinned runs the chart draws.
    #[wasm_bindgen(js_name = pinnedCount)]
    pub fn pinned_count(&self) -> usize {
        self.pinned.len()
    }

    /// Names of the two tasks in the legend (e.g. "task 1 · MSE").
    #[wasm_bindgen(js_name = setTaskLabels)]
    pub fn set_task_labels(&mut self, task1: String, task2: String) {
        self.task_labels = [task1, task2];
        self.dirty = true;
    }

    /// Lecture style: bigger type, thicker lines.
    #[wasm_bindgen(js_name = setLecture)]
    pub fn set_lecture(&mut self, lecture: bool) {
        self.lecture = lecture;
        self.dirty = true;
    }

    /// Device pixels per CSS pixel of the canvas (window.devicePixelRatio).
    #[wasm_bindgen(js_name = setPixelRatio)]
    pub fn set_pixel_ratio(&mut self, ratio: f64) {
        self.pixel_ratio = ratio;
        self.dirty = true;
    }

    /// Appends per-step training losses of model `i`, interleaved [step, loss 1, loss 2]*.
    #[wasm_bindgen(js_name = pushTrain)]
    pub fn push_train(&mut self, i: usize, data: &[f64]) {
        if let Some(m) = self.models.get_mut(i) {
            for p in data.chunks_exact(3) {
                m.train.push([p[0], p[1], p[2]], TRAIN_POINTS);
            }
            self.dirty |= data.len() >= 3;
        }
    }

    /// Appends per-step training losses of seed `k` of model `i` ([step, loss 1, loss
    /// 2]*), when `pushTrain` gets their mean: the chart shades the band between the
    /// seeds' smoothed task-1 curves.
    #[wasm_bindgen(js_name = pushSeed)]
    pub fn push_seed(&mut self, i: usize, k: usize, data: &[f64]) {
        if let Some(m) = self.models.get_mut(i) {
            while m.seeds.len() <= k.min(63) {
                m.seeds.push(LossSeries::new());
            }
            let series = &mut m.seeds[k.min(63)];
            for p in data.chunks_exact(3) {
                series.push([p[0], p[1], p[2]], TRAIN_POINTS);
            }
            self.dirty |= data.len() >= 3;
        }
    }

    /// Appends test evaluations of model `i`: records of `stride` numbers starting
    /// [step, loss 1, loss 2, ...].
    #[wasm_bindgen(js_name = pushTest)]
    pub fn push_test(&mut self, i: usize, data: &[f64], stride: usize) {
        if stride < 3 {
            return;
        }
        if let Some(m) = self.models.get_mut(i) {
            for p in data.chunks_exact(stride) {
                m.test.push([p[0], p[1], p[2]], TEST_POINTS);
            }
            self.dirty |= data.len() >= stride;
        }
    }

    /// The markers' labels, oldest first (for tests).
    #[wasm_bindgen(js_name = markLabels)]
    pub fn mark_labels(&self) -> Vec<String> {
        self.marks.iter().map(|(_, label)| label.clone()).collect()
    }

    /// The markers' steps, oldest first (for tests).
    #[wasm_bindgen(js_name = markSteps)]
    pub fn mark_steps(&self) -> Vec<f64> {
        self.marks.iter().map(|(step, _)| *step).collect()
    }

    /// Gives the marker at `step` a new label (the page's language changed); false when
    /// no marker stands there.
    pub fn relabel(&mut self, step: f64, label: String) -> bool {
        let Some(mark) = self.marks.iter_mut().find(|(s, _)| *s == step) else {
            return false;
        };
        mark.1 = label;
        self.dirty = true;
        true
    }

    /// A vertical marker at `step` (e.g. where the task correlation changed).
    pub fn mark(&mut self, step: f64, label: String) {
        // Several changes in quick succession (a slider moved with the keyboard) make one
        // marker, labelled with the latest value.
        if let Some(last) = self.marks.last_mut() {
            if (step - last.0).abs() <= 10.0 {
                last.1 = label;
                self.dirty = true;
                return;
            }
        }
        self.marks.push((step, label));
        if self.marks.len() > 64 {
            self.marks.remove(0);
        }
        self.dirty = true;
    }

    /// The smallest and largest finite positive loss stored, `[lo, hi]` (empty when none).
    #[wasm_bindgen(js_name = lossRange)]
    pub fn loss_range(&self) -> Vec<f64> {
        self.data_range()
            .map_or_else(Vec::new, |(lo, hi)| vec![lo, hi])
    }

    /// Draws the loss axis over `lo..hi` (widened to cover the data) instead of the data's
    /// own range; a non-finite or non-positive bound goes back to the data's range.
    #[wasm_bindgen(js_name = setLossRange)]
    pub fn set_loss_range(&mut self, lo: f64, hi: f64) {
        let range = (finite_positive(lo) && finite_positive(hi) && lo <= hi).then_some((lo, hi));
        self.dirty |= range != self.range;
        self.range = range;
    }

    /// Titles the loss axis `word` instead of the page-wide words' (empty: those again).
    #[wasm_bindgen(js_name = setLossWord)]
    pub fn set_loss_word(&mut self, word: String) {
        self.loss_word = (!word.is_empty()).then_some(word);
        self.dirty = true;
    }

    /// Whether anything changed since the last `draw`.
    #[wasm_bindgen(getter)]
    pub fn dirty(&self) -> bool {
        self.dirty
    }

    /// Stored points of model `i`'s train series (bounded; for tests).
    #[wasm_bindgen(js_name = storedPoints)]
    pub fn stored_points(&self, i: usize) -> usize {
        self.models.get(i).map_or(0, |m| m.train.len())
    }

    /// Draws the chart on `canvas`, whose size in device pixels is the chart's size.
    pub fn draw(&mut self, canvas: HtmlCanvasElement) -> Result<(), JsError> {
        self.dirty = false;
        let theme = Theme::new(self.lecture, self.pixel_ratio);
        let backend = CanvasBackend::with_canvas_object(canvas)
            .ok_or_else(|| JsError::new("the canvas has no 2d context"))?;
        let root = backend.into_drawing_area();
        self.x_axis = Some(self.draw_on(&root, theme).map_err(|e| JsError::new(&e))?);
        Ok(())
    }

    /// The training step under a pointer `x` CSS pixels from the canvas's left edge, as
    /// last drawn (rounded; NaN off the plot or before the first draw).
    #[wasm_bindgen(js_name = stepAt)]
    pub fn step_at(&self, x: f64) -> f64 {
        let Some((left, right, xmax)) = self.x_axis else {
            return f64::NAN;
        };
        let px = x * self.pixel_ratio;
        if !(left..=right).contains(&px) || right <= left {
            return f64::NAN;
        }
        ((px - left) / (right - left) * xmax).round()
    }

    /// Where step `step` is drawn, in CSS pixels from the canvas's left edge (NaN before
    /// the first draw): for the read-out's marker and for tests.
    #[wasm_bindgen(js_name = xOfStep)]
    pub fn x_of_step(&self, step: f64) -> f64 {
        let Some((left, right, xmax)) = self.x_axis else {
            return f64::NAN;
        };
        (left + step / xmax * (right - left)) / self.pixel_ratio
    }
}

/// The models whose curve is a mean over seeds (a band to shade).
fn banded(models: &[ModelCurves]) -> impl Iterator<Item = &ModelCurves> {
    models.iter().filter(|m| m.seeds.len() >= 2)
}

fn finite_positive(v: f64) -> bool {
    v.is_finite() && v > 0.0
}

impl LossChart {
    fn data_range(&self) -> Option<(f64, f64)> {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        let live = self.models.iter().flat_map(|m| [&m.train, &m.test]);
        let pinned = self
            .pinned
            .iter()
            .flat_map(|p| p.curves.iter().map(|(_, c)| c));
        for series in live.chain(pinned) {
            for p in series.iter() {
                for &v in p[1..].iter().filter(|&&v| finite_positive(v)) {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
        }
        lo.is_finite().then_some((lo, hi))
    }

    /// Draws everything; returns where steps 0 and `xmax` landed (device pixels) and `xmax`.
    fn draw_on(
        &self,
        root: &DrawingArea<CanvasBackend, Shift>,
        t: Theme,
    ) -> Result<(f64, f64, f64), String> {
        let err = |e: DrawingAreaErrorKind<_>| e.to_string();
        let words = words();
        root.fill(&WHITE).map_err(err)?;
        let (width, _) = root.dim_in_pixel();

        // Legend band on top: one entry per model, then the line styles (in more rows
        // when the chart is narrow).
        let (entries, rows) = self.legend_layout(t, width as i32);
        let row_h = (t.font * 1.9).round() as i32;
        let (legend, plot) = root.split_vertically(row_h * rows);
        self.draw_legend(&legend, t, &entries, row_h)?;

        // Ranges over everything visible.
        let mut max_step: f64 = 10.0;
        for m in &self.models {
            max_step = max_step.max(m.train.last_step()).max(m.test.last_step());
        }
        for (_, c) in self.pinned.iter().flat_map(|p| &p.curves) {
            max_step = max_step.max(c.last_step());
        }
        let (lo, hi) = match (self.data_range(), self.range) {
            (Some((lo, hi)), Some((a, b))) => (lo.min(a), hi.max(b)),
            (data, shared) => data.or(shared).unwrap_or((0.01, 10.0)),
        };
        // Pad by a fraction of a decade on each side, and show at least half a decade.
        let (mut llo, mut lhi) = (lo.log10() - 0.06, hi.log10() + 0.06);
        if lhi - llo < 0.5 {
            let mid = (lhi + llo) / 2.0;
            (llo, lhi) = (mid - 0.25, mid + 0.25);
        }
        let (ymin, ymax) = (10f64.powf(llo), 10f64.powf(lhi));
        let xmax = nice_ceiling(max_step);

        let mut chart = ChartBuilder::on(&plot)
            .margin_right(t.scaled(18.0))
            .margin_top(t.scaled(6.0))
            .margin_left(t.scaled(4.0))
            .x_label_area_size((t.font * 2.9) as i32)
            .y_label_area_size((t.font * 5.0) as i32)
            .build_cartesian_2d(0f64..xmax, (ymin..ymax).log_scale())
            .map_err(err)?;

        let label_style = t.text(t.small, MUTED, HPos::Center, VPos::Center);
        let desc_style = t.text(t.small, MUTED, HPos::Center, VPos::Center);
        chart
            .configure_mesh()
            .bold_line_style(GRID_BOLD.stroke_width(1))
            .light_line_style(GRID.stroke_width(1))
            .axis_style(GRID_BOLD.stroke_width(1))
            .label_style(label_style)
            .axis_desc_style(desc_style)
            .x_desc(words.training_step.as_str())
            .y_desc(self.loss_word.as_deref().unwrap_or(&words.loss_log))
            .x_labels(8)
            .y_labels(0)
            .y_label_formatter(&|_| String::new())
            .disable_y_mesh()
            .x_label_formatter(&|v| format_step(*v))
            .draw()
            .map_err(err)?;

        // Log-scale ticks at round values (1, 2, 5 × 10^k, or denser in a narrow range).
        let ticks = log_ticks(ymin, ymax);
        // A label only where it clears the last one drawn (decades first: dense ticks in a
        // short chart would print on top of each other).
        let mut labelled: Vec<i32> = Vec::new();
        let mut order: Vec<f64> = ticks.clone();
        order.sort_by_key(|v| (v.log10() - v.log10().round()).abs() >= 1e-9);
        for &v in &order {
            let major = (v.log10() - v.log10().round()).abs() < 1e-9;
            let colour = if major { GRID_BOLD } else { GRID };
            chart
                .draw_series(LineSeries::new(
                    [(0.0, v), (xmax, v)],
                    colour.stroke_width(1),
                ))
                .map_err(err)?;
            let (px, py) = chart.backend_coord(&(0.0, v));
            if labelled
                .iter()
                .any(|&y| (y - py).abs() < (t.small * 1.1) as i32)
            {
                continue;
            }
            labelled.push(py);
            let (bx, by) = plot.get_base_pixel();
            plot.draw(&Text::new(
                format_loss(v),
                (px - bx - t.scaled(7.0), py - by),
                t.text(t.small, MUTED, HPos::Right, VPos::Center),
            ))
            .map_err(err)?;
        }

        // Markers where the correlation changed.
        let mark_style = MARK.mix(0.75).stroke_width((t.px * 1.5).round() as u32);
        for (step, label) in &self.marks {
            if *step > xmax {
                continue;
            }
            chart
                .draw_series(DashedLineSeries::new(
                    [(*step, ymin), (*step, ymax)],
                    t.scaled(5.0),
                    t.scaled(4.0),
                    mark_style,
                ))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    label.clone(),
                    (*step, ymax),
                    t.text(t.small, MARK, HPos::Left, VPos::Top),
                )))
                .map_err(err)?;
        }

        let clamp = |v: f64| v.clamp(ymin, ymax);
        // A task's finite positive losses of `series`, clamped into the chart.
        let plotted = |series: &LossSeries, task: usize| -> Vec<(f64, f64)> {
            series
                .iter()
                .filter(|p| finite_positive(p[1 + task]))
                .map(|p| (p[0], clamp(p[1 + task])))
                .collect()
        };
        // Pinned runs first, as ghosts: each model's smoothed curves, faint and thin,
        // labelled at their end.
        let ghost_width = (t.px * 1.2).round().max(1.0) as u32;
        for pin in &self.pinned {
            let mut end: Option<(f64, f64)> = None;
            for (name, curve) in &pin.curves {
                let style = model_colour(name).mix(0.45).stroke_width(ghost_width);
                for task in 0..2 {
                    let points: Vec<(f64, f64)> = smoothed(curve, task)
                        .into_iter()
                        .map(|(x, y)| (x, clamp(y)))
                        .collect();
                    if task == 0 {
                        end = end.or(points.last().copied());
                    }
                    let dash = (t.scaled(3.0), t.scaled(3.0));
                    draw_task_line(&mut chart, points, task, dash, style).map_err(err)?;
                }
            }
            if let Some(at) = end {
                chart
                    .draw_series(std::iter::once(Text::new(
                        pin.label.clone(),
                        at,
                        t.text(t.small, MUTED, HPos::Right, VPos::Bottom),
                    )))
                    .map_err(err)?;
            }
        }
        // Raw per-step losses, thin and faint, for every model first ...
        for m in &self.models {
            let colour = model_colour(&m.name);
            let raw = colour
                .mix(0.22)
                .stroke_width((t.px).round().max(1.0) as u32);
            for task in 0..2 {
                chart
                    .draw_series(LineSeries::new(plotted(&m.train, task), raw))
                    .map_err(err)?;
            }
        }
        // ... the band between the seeds' smoothed task-1 curves (the mean's spread; task
        // 2's would double the shading), up to the mean's last step ...
        for m in banded(&self.models) {
            let fill = model_colour(&m.name).mix(0.12).filled();
            let curves: Vec<Vec<(f64, f64)>> = m.seeds.iter().map(|s| smoothed(s, 0)).collect();
            let last = m.train.last_step();
            let n = curves.iter().map(Vec::len).min().unwrap_or(0);
            let edge = |pick: fn(f64, f64) -> f64| -> Vec<(f64, f64)> {
                (0..n)
                    .filter(|&j| curves[0][j].0 <= last)
                    .map(|j| {
                        let v = curves
                            .iter()
                            .map(|c| c[j].1)
                            .reduce(pick)
                            .unwrap_or(f64::NAN);
                        (curves[0][j].0, clamp(v))
                    })
                    .collect()
            };
            let mut outline = edge(f64::max);
            outline.extend(edge(f64::min).into_iter().rev());
            if outline.len() >= 4 {
                chart
                    .draw_series(std::iter::once(Polygon::new(outline, fill)))
                    .map_err(err)?;
            }
        }
        // ... then the smoothed trend on top: task 1 solid, task 2 dashed.
        for m in &self.models {
            let colour = model_colour(&m.name);
            let style = colour.stroke_width(t.line);
            for task in 0..2 {
                let points = smoothed(&m.train, task)
                    .into_iter()
                    .map(|(x, y)| (x, clamp(y)))
                    .collect();
                let dash = (t.scaled(10.0), t.scaled(5.0));
                draw_task_line(&mut chart, points, task, dash, style).map_err(err)?;
            }
        }
        // Test evaluations on top: filled circles for task 1, rings for task 2.
        for m in &self.models {
            let colour = model_colour(&m.name);
            for task in 0..2 {
                let style = if task == 0 {
                    colour.filled()
                } else {
                    colour.stroke_width((t.px * 1.6).round().max(1.0) as u32)
                };
                let outline = WHITE.stroke_width((t.px).round().max(1.0) as u32);
                let all = plotted(&m.test, task);
                // At most MARKERS per series, the latest always included: every circle is
                // its own path, and thousands of them made a redraw take tens of ms.
                let stride = all.len().div_ceil(MARKERS).max(1);
                let points: Vec<(f64, f64)> = all.iter().rev().step_by(stride).copied().collect();
                if task == 0 {
                    chart
                        .draw_series(
                            points
                                .iter()
                                .map(|&p| Circle::new(p, t.marker + 1, outline)),
                        )
                        .map_err(err)?;
                }
                chart
                    .draw_series(points.iter().map(|&p| Circle::new(p, t.marker, style)))
                    .map_err(err)?;
            }
        }
        let (left, _) = chart.backend_coord(&(0.0, ymin));
        let (right, _) = chart.backend_coord(&(xmax, ymin));
        Ok((left as f64, right as f64, xmax))
    }

    /// Where each legend entry goes: `(entry, x, row)`, and how many rows it takes. The
    /// models come first; the line-style key follows them, right-aligned when all fits on
    /// one row; an entry that does not fit its row starts the next.
    fn legend_layout(&self, t: Theme, width: i32) -> (Vec<(Key<'_>, i32, i32)>, i32) {
        let words = words();
        let swatch = t.scaled(22.0);
        let gap = t.scaled(8.0);
        let margin = t.scaled(10.0);
        let mut keys: Vec<Key> = self.models.iter().map(|m| Key::Model(&m.name)).collect();
        let models = keys.len();
        keys.extend([Key::Task(0), Key::Task(1)]);
        // The test-loss key only when the chart shows test losses.
        if self.models.iter().any(|m| !m.test.is_empty()) {
            keys.push(Key::Test(words.test.clone()));
        }
        let widths: Vec<i32> = keys
            .iter()
            .map(|k| {
                let (text, size) = match k {
                    Key::Model(name) => (display_name(name).to_string(), t.font),
                    Key::Task(i) => (self.task_labels[*i].clone(), t.small),
                    Key::Test(text) => (text.clone(), t.small),
                };
                swatch + gap / 2 + text_width(&text, size) + gap * 2
            })
            .collect();
        let total: i32 = widths.iter().sum();
        let mut placed = Vec::with_capacity(keys.len());
        if margin + total <= width {
            let key_width: i32 = widths[models..].iter().sum();
            let mut x = margin;
            for (k, (key, w)) in keys.into_iter().zip(&widths).enumerate() {
                if k == models {
                    x = x.max(width - key_width - margin);
                }
                placed.push((key, x, 0));
                x += w;
            }
            return (placed, 1);
        }
        let (mut x, mut row) = (margin, 0);
        for (k, (key, w)) in keys.into_iter().zip(&widths).enumerate() {
            if x > margin && (x + w > width || k == models) {
                row += 1;
                x = margin;
            }
            placed.push((key, x, row));
            x += w;
        }
        (placed, row + 1)
    }

    fn draw_legend(
        &self,
        area: &DrawingArea<CanvasBackend, Shift>,
        t: Theme,
        entries: &[(Key<'_>, i32, i32)],
        row_h: i32,
    ) -> Result<(), String> {
        let err = |e: DrawingAreaErrorKind<_>| e.to_string();
        let swatch = t.scaled(22.0);
        let gap = t.scaled(8.0);
        let label = t.text(t.font, INK, HPos::Left, VPos::Center);
        let muted = t.text(t.small, MUTED, HPos::Left, VPos::Center);
        for (key, x, row) in entries {
            let (x, y) = (*x, row * row_h + (t.font * 0.95).round() as i32);
            let style = MUTED.stroke_width(t.line);
            let (text, text_style) = match key {
                Key::Model(name) => {
                    area.draw(&PathElement::new(
                        vec![(x, y), (x + swatch, y)],
                        model_colour(name).stroke_width(t.line + t.scaled(1.0) as u32),
                    ))
                    .map_err(err)?;
                    (display_name(name).to_string(), &label)
                }
                Key::Task(0) => {
                    area.draw(&PathElement::new(vec![(x, y), (x + swatch, y)], style))
                        .map_err(err)?;
                    (self.task_labels[0].clone(), &muted)
                }
                Key::Task(_) => {
                    area.draw(&DashedPathElement::new(
                        vec![(x, y), (x + swatch, y)],
                        t.scaled(6.0),
                        t.scaled(3.0),
                        style,
                    ))
                    .map_err(err)?;
                    (self.task_labels[1].clone(), &muted)
                }
                Key::Test(text) => {
                    let c = x + swatch / 2;
                    area.draw(&Circle::new(
                        (c - t.scaled(5.0), y),
                        t.marker,
                        MUTED.filled(),
                    ))
                    .map_err(err)?;
                    area.draw(&Circle::new(
                        (c + t.scaled(5.0), y),
                        t.marker,
                        MUTED.stroke_width((t.px * 1.6).round().max(1.0) as u32),
                    ))
                    .map_err(err)?;
                    (text.clone(), &muted)
                }
            };
            area.draw(&Text::new(
                text,
                (x + swatch + gap / 2, y),
                text_style.clone(),
            ))
            .map_err(err)?;
        }
        Ok(())
    }
}

/// One entry of the loss chart's legend.
enum Key<'a> {
    Model(&'a str),
    Task(usize),
    Test(String),
}
