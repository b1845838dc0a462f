//! The page's charts, drawn with plotters on an HTML canvas from the main thread.
//!
//! `LossChart` keeps every model's loss curves in wasm memory, bounded in size: when a
//! series reaches its point budget, adjacent points are averaged in pairs and each point
//! then stands for twice as many steps, so memory and drawing time stay constant however
//! long the run. `drawGateHeatmap` draws one gated model's task × expert gate weights
//! with the numbers printed in the cells, the experts' utilisation and the gates' entropy.
//!
//! plotters measures text by inserting a styled `<span>` into the page (blocked by the
//! page's Content-Security-Policy, and a forced layout on every call), so nothing here
//! uses the plotters parts that measure text: captions, series legends and right-hand
//! label areas. Titles and legends are placed with a fixed glyph-width estimate instead.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// The few words the charts draw themselves, in the page's language (`setChartWords`).
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(default)]
struct Words {
    training_step: String,
    loss_log: String,
    test: String,
    /// "task {}" with the task number in place of `{}`.
    task: String,
    utilisation: String,
}

impl Default for Words {
    fn default() -> Self {
        Words {
            training_step: "training step".into(),
            loss_log: "loss (log scale)".into(),
            test: "test".into(),
            task: "task {}".into(),
            utilisation: "use".into(),
        }
    }
}

thread_local! {
    static WORDS: std::cell::RefCell<Words> = std::cell::RefCell::new(Words::default());
}

fn words() -> Words {
    WORDS.with(|w| w.borrow().clone())
}

/// Sets the words the charts draw (`{training_step, loss_log, test, task, utilisation}`;
/// missing ones keep their English default). Charts drawn afterwards use them.
#[wasm_bindgen(js_name = setChartWords)]
pub fn set_chart_words(words: JsValue) -> Result<(), JsError> {
    let words: Words = serde_wasm_bindgen::from_value(words)?;
    WORDS.with(|w| *w.borrow_mut() = words);
    Ok(())
}

/// Okabe–Ito colours, one per model, safe for the common colour-vision deficiencies.
const MODEL_COLOURS: [(&str, RGBColor); 4] = [
    ("sb", RGBColor(0xE6, 0x9F, 0x00)),
    ("omoe", RGBColor(0x56, 0xB4, 0xE9)),
    ("mmoe", RGBColor(0x00, 0x9E, 0x73)),
    ("cgc", RGBColor(0xCC, 0x79, 0xA7)),
];
const OTHER_COLOUR: RGBColor = RGBColor(0x55, 0x55, 0x55);

const INK: RGBColor = RGBColor(0x1d, 0x23, 0x2b);
const MUTED: RGBColor = RGBColor(0x5b, 0x64, 0x70);
const GRID: RGBColor = RGBColor(0xe6, 0xe9, 0xee);
const GRID_BOLD: RGBColor = RGBColor(0xd2, 0xd7, 0xdf);
const MARK: RGBColor = RGBColor(0x8a, 0x3f, 0xfc);
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

/// Points kept per train-loss series and per test-loss series before halving.
const TRAIN_POINTS: usize = 800;
const TEST_POINTS: usize = 400;
/// Test-loss markers drawn per series (the evaluations between are thinned out).
const MARKERS: usize = 40;

fn model_colour(name: &str) -> RGBColor {
    MODEL_COLOURS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(OTHER_COLOUR, |(_, c)| *c)
}

fn display_name(name: &str) -> &str {
    match name {
        "sb" => "Shared-Bottom",
        "omoe" => "OMoE",
        "mmoe" => "MMoE",
        "cgc" => "CGC",
        other => other,
    }
}

/// Sizes for the normal view and for the lecture hall, in device pixels.
#[derive(Clone, Copy)]
struct Theme {
    font: f64,
    small: f64,
    line: u32,
    marker: u32,
    px: f64,
}

impl Theme {
    fn new(lecture: bool, pixel_ratio: f64) -> Theme {
        let px = if pixel_ratio.is_finite() {
            pixel_ratio.clamp(0.5, 4.0)
        } else {
            1.0
        };
        let (font, small, line, marker) = if lecture {
            (20.0, 17.0, 4.0, 5.0)
        } else {
            (13.0, 11.5, 2.0, 3.0)
        };
        Theme {
            font: font * px,
            small: small * px,
            line: (line * px).round().max(1.0) as u32,
            marker: (marker * px).round().max(2.0) as u32,
            px,
        }
    }

    fn scaled(&self, v: f64) -> i32 {
        (v * self.px).round() as i32
    }

    /// A rough width of `text` at `size`: plotters cannot measure text here (see above).
    fn text_width(text: &str, size: f64) -> i32 {
        // CJK glyphs (the page's Chinese) are about twice as wide as Latin ones.
        let ems: f64 = text
            .chars()
            .map(|c| if c >= '\u{2E80}' { 1.0 } else { 0.56 })
            .sum();
        (ems * size).ceil() as i32
    }

    fn text(&self, size: f64, colour: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
        TextStyle {
            font: (FONT, size).into_font(),
            color: colour.to_backend_color(),
            pos: Pos::new(h, v),
        }
    }
}

/// A loss series of [step, loss 1, loss 2] points with a bounded number of points.
#[derive(Default)]
struct Series {
    points: Vec<[f64; 3]>,
    /// How many raw points each stored point averages.
    bucket: usize,
    partial: [f64; 3],
    partial_count: usize,
}

impl Series {
    fn new() -> Series {
        Series {
            bucket: 1,
            ..Series::default()
        }
    }

    fn push(&mut self, point: [f64; 3], budget: usize) {
        for (sum, v) in self.partial.iter_mut().zip(point) {
            *sum += v;
        }
        self.partial_count += 1;
        if self.partial_count < self.bucket {
            return;
        }
        let n = self.partial_count as f64;
        self.points.push(self.partial.map(|s| s / n));
        self.partial = [0.0; 3];
        self.partial_count = 0;
        if self.points.len() >= budget {
            self.halve();
        }
    }

    /// Averages adjacent pairs; an odd last point is carried on as the open bucket.
    fn halve(&mut self) {
        let odd = self.points.len() % 2 == 1;
        let last = if odd { self.points.pop() } else { None };
        let halved: Vec<[f64; 3]> = self
            .points
            .chunks_exact(2)
            .map(|p| std::array::from_fn(|k| (p[0][k] + p[1][k]) / 2.0))
            .collect();
        self.points = halved;
        if let Some(p) = last {
            // One point of the old bucket size becomes half of a new, open bucket.
            self.partial = p.map(|v| v * self.bucket as f64);
            self.partial_count = self.bucket;
        }
        self.bucket *= 2;
    }

    /// The stored points followed by the open bucket's mean, if any.
    fn iter(&self) -> impl Iterator<Item = [f64; 3]> + '_ {
        let open = (self.partial_count > 0).then(|| {
            let n = self.partial_count as f64;
            self.partial.map(|s| s / n)
        });
        self.points.iter().copied().chain(open)
    }

    fn last_step(&self) -> f64 {
        self.iter().last().map_or(0.0, |p| p[0])
    }
}

struct ModelCurves {
    name: String,
    train: Series,
    test: Series,
}

/// Per-task loss curves of several models, with markers where the correlation changed.
#[wasm_bindgen]
pub struct LossChart {
    models: Vec<ModelCurves>,
    marks: Vec<(f64, String)>,
    task_labels: [String; 2],
    lecture: bool,
    pixel_ratio: f64,
    dirty: bool,
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
            marks: Vec::new(),
            task_labels: ["task 1".into(), "task 2".into()],
            lecture: false,
            pixel_ratio: 1.0,
            dirty: true,
        }
    }

    /// Forgets every series and marker and starts over with these models (in order).
    pub fn reset(&mut self, models: Vec<String>) {
        self.models = models
            .into_iter()
            .map(|name| ModelCurves {
                name,
                train: Series::new(),
                test: Series::new(),
            })
            .collect();
        self.marks.clear();
        self.dirty = true;
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

    /// A vertical marker at `step` (e.g. where the task correlation changed).
    pub fn mark(&mut self, step: f64, label: String) {
        // Several changes in quick succession (a slider moved with the keyboard) make one
        // marker, labelled with the latest value.
        if let Some(last) = self.marks.last_mut() {
            if step - last.0 <= 10.0 {
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

    /// Whether anything changed since the last `draw`.
    #[wasm_bindgen(getter)]
    pub fn dirty(&self) -> bool {
        self.dirty
    }

    /// Stored points of model `i`'s train series (bounded; for tests).
    #[wasm_bindgen(js_name = storedPoints)]
    pub fn stored_points(&self, i: usize) -> usize {
        self.models.get(i).map_or(0, |m| m.train.points.len())
    }

    /// Draws the chart on `canvas`, whose size in device pixels is the chart's size.
    pub fn draw(&mut self, canvas: HtmlCanvasElement) -> Result<(), JsError> {
        self.dirty = false;
        let theme = Theme::new(self.lecture, self.pixel_ratio);
        let backend = CanvasBackend::with_canvas_object(canvas)
            .ok_or_else(|| JsError::new("the canvas has no 2d context"))?;
        let root = backend.into_drawing_area();
        self.draw_on(&root, theme).map_err(|e| JsError::new(&e))
    }
}

fn finite_positive(v: f64) -> bool {
    v.is_finite() && v > 0.0
}

impl LossChart {
    fn draw_on(&self, root: &DrawingArea<CanvasBackend, Shift>, t: Theme) -> Result<(), String> {
        let err = |e: DrawingAreaErrorKind<_>| e.to_string();
        let words = words();
        root.fill(&WHITE).map_err(err)?;
        let (width, _) = root.dim_in_pixel();

        // Legend band on top: one entry per model, then the line styles.
        let legend_h = (t.font * 1.9).round() as i32;
        let (legend, plot) = root.split_vertically(legend_h);
        self.draw_legend(&legend, t, width as i32)?;

        // Ranges over everything visible.
        let mut max_step: f64 = 10.0;
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for m in &self.models {
            max_step = max_step.max(m.train.last_step()).max(m.test.last_step());
            for p in m.train.iter().chain(m.test.iter()) {
                for &v in &p[1..] {
                    if finite_positive(v) {
                        lo = lo.min(v);
                        hi = hi.max(v);
                    }
                }
            }
        }
        if !lo.is_finite() {
            (lo, hi) = (0.01, 10.0);
        }
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
            .y_desc(words.loss_log.as_str())
            .x_labels(8)
            .y_labels(0)
            .y_label_formatter(&|_| String::new())
            .disable_y_mesh()
            .x_label_formatter(&|v| format_step(*v))
            .draw()
            .map_err(err)?;

        // Log-scale ticks at round values (1, 2, 5 × 10^k, or denser in a narrow range).
        let ticks = log_ticks(ymin, ymax);
        for &v in &ticks {
            let major = (v.log10() - v.log10().round()).abs() < 1e-9;
            let colour = if major { GRID_BOLD } else { GRID };
            chart
                .draw_series(LineSeries::new(
                    [(0.0, v), (xmax, v)],
                    colour.stroke_width(1),
                ))
                .map_err(err)?;
            let (px, py) = chart.backend_coord(&(0.0, v));
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
        // Raw per-step losses, thin and faint, for every model first ...
        for m in &self.models {
            let colour = model_colour(&m.name);
            let raw = colour
                .mix(0.22)
                .stroke_width((t.px).round().max(1.0) as u32);
            for task in 0..2 {
                let points: Vec<(f64, f64)> = m
                    .train
                    .iter()
                    .filter(|p| finite_positive(p[1 + task]))
                    .map(|p| (p[0], clamp(p[1 + task])))
                    .collect();
                chart
                    .draw_series(LineSeries::new(points, raw))
                    .map_err(err)?;
            }
        }
        // ... then the smoothed trend on top: task 1 solid, task 2 dashed.
        for m in &self.models {
            let colour = model_colour(&m.name);
            let style = colour.stroke_width(t.line);
            for task in 0..2 {
                let points: Vec<(f64, f64)> = smoothed(&m.train, task)
                    .into_iter()
                    .map(|(x, y)| (x, clamp(y)))
                    .collect();
                if task == 0 {
                    chart
                        .draw_series(LineSeries::new(points, style))
                        .map_err(err)?;
                } else {
                    chart
                        .draw_series(DashedLineSeries::new(
                            points,
                            t.scaled(10.0),
                            t.scaled(5.0),
                            style,
                        ))
                        .map_err(err)?;
                }
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
                let all: Vec<(f64, f64)> = m
                    .test
                    .iter()
                    .filter(|p| finite_positive(p[1 + task]))
                    .map(|p| (p[0], clamp(p[1 + task])))
                    .collect();
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
        Ok(())
    }

    fn draw_legend(
        &self,
        area: &DrawingArea<CanvasBackend, Shift>,
        t: Theme,
        width: i32,
    ) -> Result<(), String> {
        let err = |e: DrawingAreaErrorKind<_>| e.to_string();
        let words = words();
        let y = (t.font * 0.95).round() as i32;
        let swatch = t.scaled(22.0);
        let gap = t.scaled(8.0);
        let mut x = t.scaled(10.0);
        let label = t.text(t.font, INK, HPos::Left, VPos::Center);
        let muted = t.text(t.small, MUTED, HPos::Left, VPos::Center);
        for m in &self.models {
            let colour = model_colour(&m.name);
            area.draw(&PathElement::new(
                vec![(x, y), (x + swatch, y)],
                colour.stroke_width(t.line + t.scaled(1.0) as u32),
            ))
            .map_err(err)?;
            x += swatch + gap / 2;
            let name = display_name(&m.name);
            area.draw(&Text::new(name.to_string(), (x, y), label.clone()))
                .map_err(err)?;
            x += Theme::text_width(name, t.font) + gap * 2;
        }
        // Line-style key, right-aligned when it fits, else following the models.
        let key_items: [(&str, u8); 3] = [
            (self.task_labels[0].as_str(), 0),
            (self.task_labels[1].as_str(), 1),
            (words.test.as_str(), 2),
        ];
        let key_width: i32 = key_items
            .iter()
            .map(|(s, _)| swatch + gap / 2 + Theme::text_width(s, t.small) + gap * 2)
            .sum();
        let mut kx = (width - key_width - t.scaled(10.0)).max(x);
        for (text, kind) in key_items {
            let style = MUTED.stroke_width(t.line);
            match kind {
                0 => area
                    .draw(&PathElement::new(vec![(kx, y), (kx + swatch, y)], style))
                    .map_err(err)?,
                1 => area
                    .draw(&DashedPathElement::new(
                        vec![(kx, y), (kx + swatch, y)],
                        t.scaled(6.0),
                        t.scaled(3.0),
                        style,
                    ))
                    .map_err(err)?,
                _ => {
                    let c = kx + swatch / 2;
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
                }
            }
            kx += swatch + gap / 2;
            area.draw(&Text::new(text.to_string(), (kx, y), muted.clone()))
                .map_err(err)?;
            kx += Theme::text_width(text, t.small) + gap * 2;
        }
        Ok(())
    }
}

/// Steps of training loss the trend line averages over (exponentially, in log space).
const SMOOTH_STEPS: f64 = 25.0;

/// An exponential moving average of a task's loss in log space, which follows the trend
/// of a noisy per-step loss without being pulled up by single bad batches.
fn smoothed(series: &Series, task: usize) -> Vec<(f64, f64)> {
    let keep = (-(series.bucket as f64) / SMOOTH_STEPS).exp();
    let mut level: Option<f64> = None;
    let mut out = Vec::with_capacity(series.points.len() + 1);
    for p in series.iter() {
        let v = p[1 + task];
        if !finite_positive(v) {
            continue;
        }
        let l = v.ln();
        let next = match level {
            None => l,
            Some(prev) => keep * prev + (1.0 - keep) * l,
        };
        level = Some(next);
        out.push((p[0], next.exp()));
    }
    out
}

/// Round tick values within [lo, hi] on a log axis: powers of ten, else 1-2-5, else 1..9.
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let sets: [&[f64]; 3] = [
        &[1.0],
        &[1.0, 2.0, 5.0],
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
    ];
    let mut best = Vec::new();
    for set in sets {
        let mut ticks = Vec::new();
        let mut p = lo.log10().floor() as i32;
        while p <= hi.log10().ceil() as i32 {
            for m in set {
                let v = m * 10f64.powi(p);
                if v >= lo && v <= hi {
                    ticks.push(v);
                }
            }
            p += 1;
        }
        best = ticks;
        if best.len() >= 4 {
            break;
        }
    }
    best
}

/// The next "round" number at or above `v` (1, 2, 2.5, 5 × a power of ten).
fn nice_ceiling(v: f64) -> f64 {
    let v = v.max(1.0);
    let p = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * p >= v {
            return m * p;
        }
    }
    10.0 * p
}

fn format_step(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{}k", trim_float(v / 1000.0, 1))
    } else {
        format!("{}", v.round())
    }
}

fn format_loss(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        trim_float(v, 2)
    } else {
        let digits = (-v.log10().floor()) as usize + 1;
        trim_float(v, digits.min(8))
    }
}

fn trim_float(v: f64, digits: usize) -> String {
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A light-to-dark blue-green ramp (readable on white, fine in greyscale).
fn ramp(v: f32) -> RGBColor {
    const STOPS: [(f32, [f32; 3]); 4] = [
        (0.0, [247.0, 250.0, 252.0]),
        (0.35, [178.0, 226.0, 226.0]),
        (0.7, [44.0, 162.0, 148.0]),
        (1.0, [0.0, 88.0, 80.0]),
    ];
    let v = v.clamp(0.0, 1.0);
    let k = STOPS.iter().rposition(|(s, _)| *s <= v).unwrap_or(0).min(2);
    let (a, ca) = STOPS[k];
    let (b, cb) = STOPS[k + 1];
    let f = (v - a) / (b - a);
    let c: [u8; 3] = std::array::from_fn(|i| (ca[i] + (cb[i] - ca[i]) * f).round() as u8);
    RGBColor(c[0], c[1], c[2])
}

/// Draws a gated model's mean gate weights (`gates`: tasks × experts, row-major), a row
/// with each expert's utilisation (its mean weight over the tasks), and each task's gate
/// entropy in nats beside the maximum possible (`entropy`: one per task). A weight of
/// exactly 0 marks an expert the task's gate cannot choose (CGC) and is drawn as "–".
#[wasm_bindgen(js_name = drawGateHeatmap)]
pub fn draw_gate_heatmap(
    canvas: HtmlCanvasElement,
    gates: &[f32],
    experts: usize,
    title: String,
    entropy: &[f32],
    lecture: bool,
    pixel_ratio: f64,
) -> Result<(), JsError> {
    let t = Theme::new(lecture, pixel_ratio);
    let backend = CanvasBackend::with_canvas_object(canvas)
        .ok_or_else(|| JsError::new("the canvas has no 2d context"))?;
    let root = backend.into_drawing_area();
    draw_heatmap_on(&root, t, gates, experts, &title, entropy).map_err(|e| JsError::new(&e))
}

fn draw_heatmap_on(
    root: &DrawingArea<CanvasBackend, Shift>,
    t: Theme,
    gates: &[f32],
    experts: usize,
    title: &str,
    entropy: &[f32],
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<_>| e.to_string();
    root.fill(&WHITE).map_err(err)?;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let pad = t.scaled(6.0);
    let title_h = (t.font * 1.8).round() as i32;
    root.draw(&Text::new(
        title.to_string(),
        (pad, title_h / 2),
        t.text(t.font, INK, HPos::Left, VPos::Center),
    ))
    .map_err(err)?;
    if experts == 0 || gates.len() < experts {
        return Ok(());
    }
    let tasks = gates.len() / experts;

    let words = words();
    let task_label = |k: usize| words.task.replace("{}", &k.to_string());
    let label_w = Theme::text_width(&task_label(2), t.small) + pad * 2;
    let side_w = Theme::text_width("H≤0.00", t.small) + pad * 2;
    let head_h = (t.small * 1.6).round() as i32;
    let x0 = label_w;
    let grid_w = (w - x0 - side_w - pad).max(experts as i32);
    let cell_w = grid_w / experts as i32;
    let rows = tasks + 1;
    let y0 = title_h + head_h;
    let gap = t.scaled(6.0); // between the task rows and the utilisation row
    let cell_h = ((h - y0 - gap - pad) / rows as i32).max(4);

    let small = t.text(t.small, MUTED, HPos::Center, VPos::Center);
    let right_label = t.text(t.small, MUTED, HPos::Right, VPos::Center);
    let show_numbers = cell_w as f64 >= t.small * 1.95 && cell_h as f64 >= t.small * 1.3;
    let short_numbers = (cell_w as f64) < t.small * 2.6;

    // Expert numbers above the columns (thinned when the columns are narrow).
    let every = ((t.small * 1.6) / cell_w as f64).ceil().max(1.0) as usize;
    for e in (0..experts).filter(|e| e % every == 0) {
        root.draw(&Text::new(
            format!("{}", e + 1),
            (x0 + cell_w * e as i32 + cell_w / 2, title_h + head_h / 2),
            small.clone(),
        ))
        .map_err(err)?;
    }

    let row_y = |r: usize| y0 + cell_h * r as i32 + if r >= tasks { gap } else { 0 };
    let mut utilisation = vec![0f32; experts];
    let mut max_entropy = 0f32;
    for task in 0..tasks {
        let row = &gates[task * experts..(task + 1) * experts];
        let y = row_y(task);
        root.draw(&Text::new(
            task_label(task + 1),
            (x0 - pad, y + cell_h / 2),
            right_label.clone(),
        ))
        .map_err(err)?;
        let mut choices = 0usize;
        for (e, &v) in row.iter().enumerate() {
            utilisation[e] += v / tasks as f32;
            if v > 0.0 {
                choices += 1;
            }
            draw_cell(
                root,
                t,
                (x0 + cell_w * e as i32, y),
                (cell_w, cell_h),
                v,
                None,
            )?;
            if show_numbers {
                draw_number(
                    root,
                    t,
                    (x0 + cell_w * e as i32, y),
                    (cell_w, cell_h),
                    v,
                    short_numbers,
                )?;
            }
        }
        max_entropy = max_entropy.max((choices.max(1) as f32).ln());
        if let Some(&hv) = entropy.get(task) {
            root.draw(&Text::new(
                format!("H {hv:.2}"),
                (x0 + cell_w * experts as i32 + pad, y + cell_h / 2),
                t.text(t.small, MUTED, HPos::Left, VPos::Center),
            ))
            .map_err(err)?;
        }
    }
    // Utilisation row: the mean over tasks, drawn as bars in the cells.
    let y = row_y(tasks);
    root.draw(&Text::new(
        words.utilisation.clone(),
        (x0 - pad, y + cell_h / 2),
        right_label,
    ))
    .map_err(err)?;
    let peak = utilisation.iter().cloned().fold(0.0f32, f32::max).max(1e-6);
    for (e, &u) in utilisation.iter().enumerate() {
        let x = x0 + cell_w * e as i32;
        draw_cell(root, t, (x, y), (cell_w, cell_h), -1.0, Some(u / peak))?;
        if show_numbers {
            draw_number(root, t, (x, y), (cell_w, cell_h), u, short_numbers)?;
        }
    }
    root.draw(&Text::new(
        format!("H≤{max_entropy:.2}"),
        (x0 + cell_w * experts as i32 + pad, title_h + head_h / 2),
        t.text(t.small, MUTED, HPos::Left, VPos::Center),
    ))
    .map_err(err)?;
    Ok(())
}

/// One cell: a colour for a weight `v`, or (with `bar`) a bar of that height in [0, 1].
fn draw_cell(
    root: &DrawingArea<CanvasBackend, Shift>,
    t: Theme,
    (x, y): (i32, i32),
    (w, h): (i32, i32),
    v: f32,
    bar: Option<f32>,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<_>| e.to_string();
    let inset = t.scaled(1.0);
    let (x0, y0, x1, y1) = (x + inset, y + inset, x + w - inset, y + h - inset);
    match bar {
        Some(frac) => {
            root.draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                GRID.mix(0.6).filled(),
            ))
            .map_err(err)?;
            let top = y1 - ((y1 - y0) as f32 * frac.clamp(0.0, 1.0)).round() as i32;
            root.draw(&Rectangle::new(
                [(x0, top), (x1, y1)],
                RGBColor(0xb7, 0xc3, 0xd0).filled(),
            ))
            .map_err(err)?;
        }
        None if v == 0.0 => {
            root.draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                RGBColor(0xf1, 0xf2, 0xf4).filled(),
            ))
            .map_err(err)?;
        }
        None => {
            // Square root: uniform weights (1/n) stay visible, full weight is darkest.
            root.draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                ramp(v.max(0.0).sqrt()).filled(),
            ))
            .map_err(err)?;
        }
    }
    Ok(())
}

fn draw_number(
    root: &DrawingArea<CanvasBackend, Shift>,
    t: Theme,
    (x, y): (i32, i32),
    (w, h): (i32, i32),
    v: f32,
    short: bool,
) -> Result<(), String> {
    let text = if v == 0.0 {
        "–".to_string()
    } else if short {
        let s = format!("{v:.2}");
        s.strip_prefix('0').unwrap_or(&s).to_string()
    } else {
        format!("{v:.2}")
    };
    let colour = if v.max(0.0).sqrt() > 0.62 { WHITE } else { INK };
    root.draw(&Text::new(
        text,
        (x + w / 2, y + h / 2),
        t.text(t.small, colour, HPos::Center, VPos::Center),
    ))
    .map_err(|e| e.to_string())
}
