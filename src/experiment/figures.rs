//! The sweep's four figures, drawn with plotters on any backend: PNG files natively
//! (`draw_all`), and the page's experiment panel draws the same code on a canvas:
//!
//! 1. `fig4_loss_curves.png` — the paper's figure 4: task-1 training loss vs step, one
//!    panel per task correlation, mean over seeds with a ±1 s.e. band, a line per model.
//! 2. `trainability.png` — the paper's figure 6 idea: histograms over seeds of the final
//!    task-1 training loss, a row per model and a column per correlation, on a shared
//!    x-axis per column so the spreads can be compared by eye.
//! 3. `loss_vs_correlation.png` — final task-1 training and test loss vs correlation,
//!    mean ± s.e. error bars, a line per model.
//! 4. `gate_difference.png` — how different the two tasks' mean gate distributions are
//!    (Jensen–Shannon divergence, and L1 distance) vs correlation, for the gated models.
//!
//! For PNGs, text needs a TrueType font, read at run time rather than embedded so the
//! repository carries no font files: `$MMOE_FONT`, else DejaVu Sans or Liberation Sans from the
//! usual Debian paths (`scripts/setup-fonts.sh` installs fonts-dejavu-core).

use crate::core::settings::{rgb, ModelKind};
use crate::experiment::results::{Metric, SweepResults};
use crate::experiment::stats::Stat;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::io;
#[cfg(not(target_arch = "wasm32"))]
use std::path::{Path, PathBuf};
#[cfg(not(target_arch = "wasm32"))]
use std::sync::OnceLock;

/// The family name the loaded font is registered under.
const FONT: &str = "sans-serif";

#[cfg(not(target_arch = "wasm32"))]
/// Font files tried in order when `$MMOE_FONT` is not set.
const FONT_PATHS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/Library/Fonts/Arial.ttf",
    "C:\\Windows\\Fonts\\arial.ttf",
];

/// Registers a TrueType font with plotters once per process; the error explains how to
/// get one. The bytes are leaked on purpose: plotters keeps `&'static` font data.
#[cfg(not(target_arch = "wasm32"))]
pub fn load_font() -> io::Result<()> {
    static LOADED: OnceLock<Result<(), String>> = OnceLock::new();
    LOADED
        .get_or_init(|| {
            let candidates: Vec<PathBuf> = std::env::var_os("MMOE_FONT")
                .map(PathBuf::from)
                .into_iter()
                .chain(FONT_PATHS.iter().map(PathBuf::from))
                .collect();
            let (path, bytes) = candidates
                .iter()
                .find_map(|p| std::fs::read(p).ok().map(|b| (p, b)))
                .ok_or_else(|| {
                    "no TrueType font found for the figures: run scripts/setup-fonts.sh \
                     (installs fonts-dejavu-core) or set MMOE_FONT=/path/to/font.ttf"
                        .to_string()
                })?;
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            plotters::style::register_font(FONT, FontStyle::Normal, bytes)
                .map_err(|_| format!("{} is not a usable TrueType font", path.display()))
        })
        .clone()
        .map_err(io::Error::other)
}

/// The model's colour from the catalogue, the same as on the page.
fn colour(model: ModelKind) -> RGBColor {
    let (r, g, b) = rgb(model.info().colour);
    RGBColor(r, g, b)
}

fn plot_err<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> io::Error {
    io::Error::other(format!("drawing a figure: {e}"))
}

/// The four figures, in the order of the module comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    LossCurves,
    Trainability,
    LossVsCorrelation,
    GateDifference,
}

impl Figure {
    pub const ALL: [Figure; 4] = [
        Figure::LossCurves,
        Figure::Trainability,
        Figure::LossVsCorrelation,
        Figure::GateDifference,
    ];

    pub fn file_name(self) -> &'static str {
        match self {
            Figure::LossCurves => "fig4_loss_curves.png",
            Figure::Trainability => "trainability.png",
            Figure::LossVsCorrelation => "loss_vs_correlation.png",
            Figure::GateDifference => "gate_difference.png",
        }
    }

    /// Pixel size the figure is laid out for.
    pub fn size(self, results: &SweepResults) -> (u32, u32) {
        let config = &results.config;
        match self {
            Figure::LossCurves => {
                let cols = config.correlations.len().clamp(1, 3);
                let rows = config.correlations.len().div_ceil(cols).max(1);
                (420 * cols as u32, 330 * rows as u32 + 40)
            }
            Figure::Trainability => {
                let (rows, cols) = (config.models.len().max(1), config.correlations.len().max(1));
                (260 * cols as u32 + 20, 170 * rows as u32 + 40)
            }
            Figure::LossVsCorrelation | Figure::GateDifference => (1100, 440),
        }
    }

    /// Draws the figure on any plotters drawing area.
    pub fn draw<DB: DrawingBackend>(
        self,
        results: &SweepResults,
        root: &DrawingArea<DB, Shift>,
    ) -> io::Result<()> {
        root.fill(&WHITE).map_err(plot_err)?;
        match self {
            Figure::LossCurves => loss_curves(results, root),
            Figure::Trainability => trainability(results, root),
            Figure::LossVsCorrelation => loss_vs_correlation(results, root),
            Figure::GateDifference => gate_difference(results, root),
        }
    }
}

/// The models' legend, in the same place and style on every figure.
fn legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
) -> io::Result<()> {
    chart
        .configure_series_labels()
        .label_font((FONT, 12))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(plot_err)
}

/// Draws all four figures into `dir`.
#[cfg(not(target_arch = "wasm32"))]
pub fn draw_all(results: &SweepResults, dir: &Path) -> io::Result<()> {
    load_font()?;
    for figure in Figure::ALL {
        let path = dir.join(figure.file_name());
        let root = BitMapBackend::new(&path, figure.size(results)).into_drawing_area();
        figure.draw(results, &root)?;
        root.present().map_err(plot_err)?;
    }
    Ok(())
}

/// A y-range that shows the interesting part of loss curves: from the lowest point to a
/// little above the level most curves reach after the first tenth of training (the first
/// steps' losses are several times larger and would flatten everything else).
fn curve_range(curves: &[Vec<[f64; 3]>]) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for c in curves {
        let skip = c.len() / 10;
        for p in c.iter().skip(skip) {
            lo = lo.min(p[1] - p[2]);
            hi = hi.max(p[1] + p[2]);
        }
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    let pad = 0.05 * (hi - lo).max(1e-6);
    ((lo - pad).max(0.0), hi + pad)
}

/// Figure 1: the paper's figure 4.
fn loss_curves<DB: DrawingBackend>(
    results: &SweepResults,
    root: &DrawingArea<DB, Shift>,
) -> io::Result<()> {
    let config = &results.config;
    let panels = config.correlations.len();
    let cols = panels.min(3);
    let rows = panels.div_ceil(cols);
    let (title, body) = root.split_vertically(40);
    title
        .titled(
            &format!(
                "Task-1 training loss vs step (mean of {} seeds, band ±1 s.e.)",
                config.seeds
            ),
            (FONT, 20),
        )
        .map_err(plot_err)?;
    let curves: Vec<Vec<Vec<[f64; 3]>>> = config
        .correlations
        .iter()
        .map(|&p| {
            config
                .models
                .iter()
                .map(|&m| results.mean_curve(m, p, 0))
                .collect()
        })
        .collect();
    let all: Vec<Vec<[f64; 3]>> = curves.iter().flatten().cloned().collect();
    let (y0, y1) = curve_range(&all);
    let x1 = config.steps as f64;
    for (i, area) in body.split_evenly((rows, cols)).iter().enumerate() {
        let Some(&p) = config.correlations.get(i) else {
            break;
        };
        let mut chart = ChartBuilder::on(area)
            .caption(format!("correlation p = {p}"), (FONT, 16))
            .margin(8)
            .x_label_area_size(32)
            .y_label_area_size(48)
            .build_cartesian_2d(0.0..x1, y0..y1)
            .map_err(plot_err)?;
        chart
            .configure_mesh()
            .x_desc("step")
            .y_desc("task-1 loss")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .light_line_style(WHITE.mix(0.0))
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .draw()
            .map_err(plot_err)?;
        for (m, curve) in config.models.iter().zip(&curves[i]) {
            let c = colour(*m);
            let clip = |v: f64| v.clamp(y0, y1);
            let mut band: Vec<(f64, f64)> =
                curve.iter().map(|q| (q[0], clip(q[1] + q[2]))).collect();
            band.extend(curve.iter().rev().map(|q| (q[0], clip(q[1] - q[2]))));
            chart
                .draw_series(std::iter::once(Polygon::new(band, c.mix(0.2))))
                .map_err(plot_err)?;
            chart
                .draw_series(LineSeries::new(
                    curve.iter().map(|q| (q[0], clip(q[1]))),
                    c.stroke_width(2),
                ))
                .map_err(plot_err)?
                .label(m.label())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(2))
                });
        }
        if i == 0 {
            legend(&mut chart)?;
        }
    }
    Ok(())
}

/// Figure 2: histograms of the final task-1 training loss over seeds.
fn trainability<DB: DrawingBackend>(
    results: &SweepResults,
    root: &DrawingArea<DB, Shift>,
) -> io::Result<()> {
    let config = &results.config;
    let (rows, cols) = (config.models.len(), config.correlations.len());
    let (title, body) = root.split_vertically(40);
    title
        .titled(
            &format!(
                "Final task-1 training loss over {} seeds (fresh data and initial weights each)",
                config.seeds
            ),
            (FONT, 18),
        )
        .map_err(plot_err)?;
    let bins = 12usize;
    let areas = body.split_evenly((rows, cols));
    for (ci, &p) in config.correlations.iter().enumerate() {
        // One x-range per column, shared by every model, so widths compare directly.
        let column: Vec<Vec<f64>> = config
            .models
            .iter()
            .map(|&m| {
                results
                    .values(m, p, Metric::TrainLoss(0))
                    .into_iter()
                    .filter(|v| v.is_finite())
                    .collect()
            })
            .collect();
        let lo = column
            .iter()
            .flatten()
            .copied()
            .fold(f64::INFINITY, f64::min);
        let hi = column
            .iter()
            .flatten()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = if lo.is_finite() && hi > lo {
            (lo, hi)
        } else {
            (0.0, 1.0)
        };
        let width = (hi - lo) / bins as f64;
        let counts: Vec<Vec<usize>> = column
            .iter()
            .map(|vals| {
                let mut c = vec![0usize; bins];
                for &v in vals {
                    c[(((v - lo) / width) as usize).min(bins - 1)] += 1;
                }
                c
            })
            .collect();
        let top = counts.iter().flatten().copied().max().unwrap_or(1).max(1) as f64;
        for (ri, &m) in config.models.iter().enumerate() {
            let area = &areas[ri * cols + ci];
            let s = Stat::of(&column[ri]);
            let mut chart = ChartBuilder::on(area)
                .caption(format!("{} p={p}: sd {:.3}", m.label(), s.sd), (FONT, 13))
                .margin(5)
                .x_label_area_size(22)
                .y_label_area_size(28)
                .build_cartesian_2d(lo..hi, 0.0..top.max(2.0) * 1.1)
                .map_err(plot_err)?;
            chart
                .configure_mesh()
                .x_labels(4)
                .y_labels(3)
                .light_line_style(WHITE.mix(0.0))
                .label_style((FONT, 10))
                .x_label_formatter(&|v| format!("{v:.2}"))
                .y_label_formatter(&|v| {
                    if v.fract() == 0.0 {
                        format!("{v:.0}")
                    } else {
                        String::new()
                    }
                })
                .draw()
                .map_err(plot_err)?;
            let c = colour(m);
            chart
                .draw_series(counts[ri].iter().enumerate().filter(|(_, &n)| n > 0).map(
                    |(b, &n)| {
                        let x0 = lo + b as f64 * width;
                        Rectangle::new([(x0, 0.0), (x0 + width, n as f64)], c.mix(0.8).filled())
                    },
                ))
                .map_err(plot_err)?;
        }
    }
    Ok(())
}

/// Draws mean ± s.e. of `metric` vs correlation for `models` in one panel.
fn metric_panel<DB: DrawingBackend>(
    results: &SweepResults,
    area: &DrawingArea<DB, Shift>,
    models: &[ModelKind],
    metric: Metric,
    caption: &str,
    y_desc: &str,
) -> io::Result<()> {
    let ps = &results.config.correlations;
    let series: Vec<(ModelKind, Vec<(f64, Stat)>)> = models
        .iter()
        .map(|&m| {
            let points = ps
                .iter()
                .map(|&p| (p, Stat::of(&results.values(m, p, metric))))
                .filter(|(_, s)| s.n > 0)
                .collect();
            (m, points)
        })
        .collect();
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for (_, pts) in &series {
        for (_, s) in pts {
            lo = lo.min(s.mean - s.se);
            hi = hi.max(s.mean + s.se);
        }
    }
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = 0.08 * (hi - lo).max(1e-3);
    let (x0, x1) = ps
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &p| {
            (a.min(p), b.max(p))
        });
    let xpad = 0.05 * (x1 - x0).max(0.1);
    let mut chart = ChartBuilder::on(area)
        .caption(caption, (FONT, 16))
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(56)
        .build_cartesian_2d((x0 - xpad)..(x1 + xpad), (lo - pad).max(0.0)..(hi + pad))
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .x_desc("task correlation p")
        .y_desc(y_desc)
        .light_line_style(WHITE.mix(0.0))
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 13))
        .draw()
        .map_err(plot_err)?;
    for (m, pts) in &series {
        let c = colour(*m);
        chart
            .draw_series(LineSeries::new(
                pts.iter().map(|(p, s)| (*p, s.mean)),
                c.stroke_width(2),
            ))
            .map_err(plot_err)?
            .label(m.label())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(2)));
        chart
            .draw_series(pts.iter().map(|(p, s)| {
                ErrorBar::new_vertical(
                    *p,
                    s.mean - s.se,
                    s.mean,
                    s.mean + s.se,
                    c.stroke_width(2),
                    8,
                )
            }))
            .map_err(plot_err)?;
    }
    legend(&mut chart)
}

/// Figure 3: final loss vs correlation.
fn loss_vs_correlation<DB: DrawingBackend>(
    results: &SweepResults,
    root: &DrawingArea<DB, Shift>,
) -> io::Result<()> {
    let halves = root.split_evenly((1, 2));
    let models = &results.config.models;
    let n = results.config.seeds;
    metric_panel(
        results,
        &halves[0],
        models,
        Metric::TrainLoss(0),
        &format!("Final task-1 training loss (mean ± s.e., {n} seeds)"),
        "training loss",
    )?;
    metric_panel(
        results,
        &halves[1],
        models,
        Metric::TestLoss(0),
        &format!("Task-1 test loss (mean ± s.e., {n} seeds)"),
        "test loss",
    )?;
    Ok(())
}

/// Figure 4: the two tasks' gates, how different they are vs correlation.
fn gate_difference<DB: DrawingBackend>(
    results: &SweepResults,
    root: &DrawingArea<DB, Shift>,
) -> io::Result<()> {
    let halves = root.split_evenly((1, 2));
    let gated: Vec<ModelKind> = results
        .config
        .models
        .iter()
        .copied()
        .filter(|&m| m != ModelKind::Sb)
        .collect();
    metric_panel(
        results,
        &halves[0],
        &gated,
        Metric::GateJsd,
        "Jensen–Shannon divergence of the tasks' mean gates",
        "JSD (bits)",
    )?;
    metric_panel(
        results,
        &halves[1],
        &gated,
        Metric::GateL1,
        "L1 distance of the tasks' mean gates",
        "L1 distance",
    )?;
    Ok(())
}
