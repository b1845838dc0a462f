//! How a figure looks: its words, its scale, and the parts drawn around the panels (the
//! title, the legend, the panel captions), placed without asking plotters to measure text.

use super::{colour, plot_err, FONT};
use crate::core::axis::text_width;
use crate::core::settings::ModelKind;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Deserialize;
use std::io;

/// The words the figures draw, in the reader's language; `{name}` marks a value. The
/// page sends its own (`drawSweepFigure`); a missing one keeps its English default.
#[derive(Clone, Debug, Deserialize)]
#[serde(default)]
pub struct Words {
    /// `{n}`: seeds.
    pub loss_curves: String,
    /// `{n}`: seeds.
    pub trainability: String,
    /// `{n}`: seeds.
    pub train_panel: String,
    /// `{n}`: seeds.
    pub test_panel: String,
    pub jsd_panel: String,
    pub l1_panel: String,
    /// `{p}`: the correlation.
    pub correlation_panel: String,
    /// `{model}`, `{p}`, `{sd1}`, `{sd2}`: the two tasks' standard deviations.
    pub histogram_panel: String,
    /// `{t}`: the task's number.
    pub task: String,
    pub step: String,
    pub correlation: String,
    pub loss: String,
    pub training_loss: String,
    pub test_loss: String,
    pub jsd: String,
    pub l1: String,
}

impl Default for Words {
    fn default() -> Self {
        let w = |s: &str| s.to_string();
        Words {
            loss_curves: w("Training loss vs step (mean of {n} seeds, band ±1 s.e.)"),
            trainability: w(
                "Final training loss over {n} seeds (fresh data and initial weights each)",
            ),
            train_panel: w("Final training loss (mean ± s.e., {n} seeds)"),
            test_panel: w("Test loss (mean ± s.e., {n} seeds)"),
            jsd_panel: w("Jensen–Shannon divergence of the tasks' mean gates"),
            l1_panel: w("L1 distance of the tasks' mean gates"),
            correlation_panel: w("correlation p = {p}"),
            histogram_panel: w("{model}, p = {p}: s.d. {sd1} / {sd2}"),
            task: w("task {t}"),
            step: w("step"),
            correlation: w("task correlation p"),
            loss: w("loss"),
            training_loss: w("training loss"),
            test_loss: w("test loss"),
            jsd: w("JSD (bits)"),
            l1: w("L1 distance"),
        }
    }
}

/// `template` with each `{name}` replaced by its value.
pub(super) fn fill(template: &str, values: &[(&str, String)]) -> String {
    values
        .iter()
        .fold(template.to_string(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

/// How a figure is drawn: its words and its scale (device pixels per layout pixel).
#[derive(Clone, Debug)]
pub struct Look {
    pub words: Words,
    pub scale: f64,
}

impl Default for Look {
    fn default() -> Self {
        Look {
            words: Words::default(),
            scale: 1.0,
        }
    }
}

impl Look {
    /// `v` layout pixels in device pixels.
    pub(super) fn px(&self, v: f64) -> i32 {
        (v * self.scale).round() as i32
    }

    pub(super) fn size(&self, v: f64) -> f64 {
        v * self.scale
    }

    pub(super) fn font(&self, size: f64) -> TextStyle<'static> {
        (FONT, self.size(size)).into_font().color(&INK)
    }

    /// Task 2's dashes: their length and the gap between them, in device pixels.
    pub(super) fn dash(&self) -> (i32, i32) {
        (self.px(6.0), self.px(4.0))
    }

    pub(super) fn stroke(&self, colour: RGBColor) -> ShapeStyle {
        colour.stroke_width(self.px(2.0).max(1) as u32)
    }
}

pub(super) const INK: RGBColor = RGBColor(0x1d, 0x23, 0x2b);
const MUTED: RGBColor = RGBColor(0x8a, 0x92, 0x9c);
pub(super) const TITLE: f64 = 17.0;
pub(super) const CAPTION: f64 = 14.0;
pub(super) const LABEL: f64 = 12.0;
pub(super) const LEGEND: f64 = 13.0;

/// One legend entry: a model's colour, a task's line style, or a task's histogram bar
/// (task 1 filled, task 2 outlined).
#[derive(Clone, Copy)]
pub(super) enum Entry {
    Model(ModelKind),
    Task(usize),
    Bar(usize),
}

impl Entry {
    pub(super) fn text(self, words: &Words) -> String {
        match self {
            Entry::Model(m) => m.label().to_string(),
            Entry::Task(t) | Entry::Bar(t) => fill(&words.task, &[("t", (t + 1).to_string())]),
        }
    }
}

pub(super) const SWATCH: f64 = 22.0; // the legend's line sample, layout pixels
pub(super) const GAP: f64 = 10.0;

/// The legend's entries wrapped into rows that fit `width` layout pixels.
pub(super) fn legend_rows(entries: &[Entry], width: u32, look: &Look) -> Vec<Vec<Entry>> {
    let mut rows: Vec<Vec<Entry>> = vec![Vec::new()];
    let mut x = GAP;
    for &entry in entries {
        let w =
            SWATCH + GAP / 2.0 + text_width(&entry.text(&look.words), LEGEND) as f64 + 2.0 * GAP;
        if x + w > width as f64 && !rows.last().is_some_and(Vec::is_empty) {
            rows.push(Vec::new());
            x = GAP;
        }
        rows.last_mut().expect("a row").push(entry);
        x += w;
    }
    rows
}

/// Height of a title line.
pub(super) const TITLE_H: f64 = TITLE * 1.9;

/// Layout height of the title (if `titled`) and the legend rows.
pub(super) fn header_height(titled: bool, entries: &[Entry], width: u32, look: &Look) -> u32 {
    let rows = legend_rows(entries, width, look).len() as f64;
    let title = if titled { TITLE_H } else { 0.0 };
    (title + rows * LEGEND * 1.8 + 4.0).round() as u32
}

/// A font size at most `size` at which `text` fits `width` device pixels.
pub(super) fn fitting(text: &str, size: f64, width: i32) -> f64 {
    let w = text_width(text, size).max(1);
    if w <= width {
        size
    } else {
        size * width as f64 / w as f64
    }
}

/// The title, centred (shrunk to fit), and the legend below it.
pub(super) fn draw_header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: Option<&str>,
    entries: &[Entry],
    look: &Look,
) -> io::Result<()> {
    let (w, _) = area.dim_in_pixel();
    let title_h = if title.is_some() { look.px(TITLE_H) } else { 0 };
    if let Some(title) = title {
        draw_centred(
            area,
            title,
            title_h / 2,
            look.size(TITLE),
            look.px(2.0 * GAP),
        )?;
    }
    let row_h = look.px(LEGEND * 1.8);
    let label = look.font(LEGEND).pos(Pos::new(HPos::Left, VPos::Center));
    let rows = legend_rows(entries, (w as f64 / look.scale) as u32, look);
    for (r, row) in rows.iter().enumerate() {
        let y = title_h + row_h * r as i32 + row_h / 2;
        let widths: Vec<i32> = row
            .iter()
            .map(|e| {
                look.px(SWATCH + GAP / 2.0) + text_width(&e.text(&look.words), look.size(LEGEND))
            })
            .collect();
        let total: i32 = widths.iter().sum::<i32>() + look.px(2.0 * GAP) * (row.len() as i32 - 1);
        let mut x = (w as i32 - total).max(0) / 2;
        for (entry, width) in row.iter().zip(widths) {
            let sample = vec![(x, y), (x + look.px(SWATCH), y)];
            match *entry {
                Entry::Model(m) => draw_line(area, sample, 0, look.stroke(colour(m)), look)?,
                Entry::Task(t) => draw_line(area, sample, t, look.stroke(INK), look)?,
                Entry::Bar(t) => {
                    let corners = [
                        (x, y - look.px(6.0)),
                        (x + look.px(SWATCH), y + look.px(6.0)),
                    ];
                    area.draw(&Rectangle::new(corners, bar_style(t, MUTED, look)))
                        .map_err(plot_err)?
                }
            }
            area.draw(&Text::new(
                entry.text(&look.words),
                (x + look.px(SWATCH + GAP / 2.0), y),
                label.clone(),
            ))
            .map_err(plot_err)?;
            x += width + look.px(2.0 * GAP);
        }
    }
    Ok(())
}

/// A histogram bar of task `t` in `colour`: filled for task 1, outlined for task 2.
pub(super) fn bar_style(t: usize, colour: RGBColor, look: &Look) -> ShapeStyle {
    if t == 0 {
        colour.mix(0.75).filled()
    } else {
        INK.stroke_width(look.px(1.5).max(1) as u32)
    }
}

/// A line in pixel coordinates: solid for task 1, dashed for task 2.
pub(super) fn draw_line<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    points: Vec<(i32, i32)>,
    task: usize,
    style: ShapeStyle,
    look: &Look,
) -> io::Result<()> {
    if task == 0 {
        area.draw(&PathElement::new(points, style))
    } else {
        let (dash, gap) = look.dash();
        area.draw(&DashedPathElement::new(points, dash, gap, style))
    }
    .map_err(plot_err)
}

/// A line in a chart's data coordinates, drawn as the figures and the page's loss chart
/// draw each task: solid for task 1, dashed (`dash` long, `gap` apart) for task 2.
pub(crate) fn draw_task_line<DB: DrawingBackend, CT: CoordTranslate<From = (f64, f64)>>(
    chart: &mut ChartContext<'_, DB, CT>,
    points: Vec<(f64, f64)>,
    task: usize,
    (dash, gap): (i32, i32),
    style: ShapeStyle,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    if task == 0 {
        chart.draw_series(LineSeries::new(points, style))?;
    } else {
        chart.draw_series(DashedLineSeries::new(points, dash, gap, style))?;
    }
    Ok(())
}

/// A panel's caption above it, centred and shrunk to fit; returns the area below.
pub(super) fn captioned<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    size: f64,
    look: &Look,
) -> io::Result<DrawingArea<DB, Shift>> {
    let h = look.px(size * 1.7);
    let (top, rest) = area.split_vertically(h);
    draw_centred(&top, caption, h / 2, look.size(size), look.px(8.0))?;
    Ok(rest)
}

/// `text` centred across `area` at height `y`, at `size` shrunk to fit the width less
/// `margin`.
fn draw_centred<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    y: i32,
    size: f64,
    margin: i32,
) -> io::Result<()> {
    let (w, _) = area.dim_in_pixel();
    let style = (FONT, fitting(text, size, w as i32 - margin))
        .into_font()
        .color(&INK)
        .pos(Pos::new(HPos::Center, VPos::Center));
    area.draw(&Text::new(text.to_string(), (w as i32 / 2, y), style))
        .map_err(plot_err)
}
