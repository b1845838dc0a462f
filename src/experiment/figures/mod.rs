//! The sweep's four figures, drawn with plotters on any backend: PNG files natively
//! (`draw_all`), and the page's experiment panel draws the same code on a canvas:
//!
//! 1. `fig4_loss_curves.png` — the paper's figure 4: training loss vs step, one panel
//!    per task correlation, mean over seeds with a ±1 s.e. band, a colour per model, task
//!    1 solid and task 2 dashed.
//! 2. `trainability.png` — the paper's figure 6 idea: histograms over seeds of the final
//!    training loss (task 1 filled, task 2 outlined), a row per model and a column per
//!    correlation, on a shared x-axis per column so the spreads can be compared by eye.
//! 3. `loss_vs_correlation.png` — final training and test loss of both tasks vs
//!    correlation, mean ± s.e. error bars.
//! 4. `gate_difference.png` — how different the two tasks' mean gate distributions are
//!    (Jensen–Shannon divergence, and L1 distance) vs correlation, for the gated models.
//!
//! Every figure is laid out for a width (the page's: the width it is shown at; the CLI's:
//! a default) and drawn at a scale (the screen's pixel ratio), in the reader's words
//! (`Words`, English by default). Nothing asks plotters to measure text (captions,
//! series legends): the page's Content-Security-Policy forbids how it does that in a
//! browser, so titles and legends are placed with `core::axis::text_width`.
//!
//! For PNGs, text needs a TrueType font, read at run time rather than embedded so the
//! repository carries no font files: `$MMOE_FONT`, else DejaVu Sans or Liberation Sans from the
//! usual Debian paths (`scripts/setup-fonts.sh` installs fonts-dejavu-core).

pub(crate) mod look;
mod panels;

pub use look::{Look, Words};

use crate::core::settings::{rgb, ModelKind};
use crate::experiment::results::SweepResults;
use look::{draw_header, fill, header_height, Entry};
use panels::{gate_difference, loss_curves, loss_vs_correlation, trainability};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::io;
#[cfg(not(target_arch = "wasm32"))]
use std::path::{Path, PathBuf};
#[cfg(not(target_arch = "wasm32"))]
use std::sync::OnceLock;

/// The family name the loaded font is registered under.
pub(super) const FONT: &str = "sans-serif";

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
pub(super) fn colour(model: ModelKind) -> RGBColor {
    let (r, g, b) = rgb(model.info().colour);
    RGBColor(r, g, b)
}

pub(super) fn plot_err<E: std::error::Error + Send + Sync>(
    e: DrawingAreaErrorKind<E>,
) -> io::Error {
    io::Error::other(format!("drawing a figure: {e}"))
}

/// Width a panel needs to stay readable, in layout pixels, per figure kind.
const CURVE_PANEL: u32 = 360;
const HISTOGRAM_PANEL: u32 = 230;
const METRIC_PANEL: u32 = 400;

/// The four figures, in the order of the module comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    LossCurves,
    Trainability,
    LossVsCorrelation,
    GateDifference,
}

/// How a figure's panels are arranged for a width: the grid and each panel's height.
struct Grid {
    cols: usize,
    rows: usize,
    panel_h: u32,
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

    /// The width the CLI draws at: every panel side by side, up to three loss panels.
    fn default_width(self, results: &SweepResults) -> u32 {
        let ps = results.config.correlations.len().max(1) as u32;
        match self {
            Figure::LossCurves => 420 * ps.min(3),
            Figure::Trainability => 260 * ps + 20,
            Figure::LossVsCorrelation | Figure::GateDifference => 1100,
        }
    }

    fn grid(self, results: &SweepResults, width: u32) -> Grid {
        let ps = results.config.correlations.len().max(1);
        let fit = |panel: u32, most: usize| ((width / panel) as usize).clamp(1, most);
        match self {
            Figure::LossCurves => {
                let cols = fit(CURVE_PANEL, ps.min(3));
                Grid {
                    cols,
                    rows: ps.div_ceil(cols),
                    panel_h: 310,
                }
            }
            Figure::Trainability => Grid {
                cols: ps,
                rows: results.config.models.len().max(1),
                panel_h: if width / (ps as u32) < HISTOGRAM_PANEL {
                    190
                } else {
                    160
                },
            },
            Figure::LossVsCorrelation | Figure::GateDifference => {
                let cols = fit(METRIC_PANEL, 2);
                Grid {
                    cols,
                    rows: 2 / cols,
                    panel_h: 380,
                }
            }
        }
    }

    /// The layout size `(width, height)` for `width` (None: the CLI's default width).
    pub fn size(self, results: &SweepResults, width: Option<u32>, look: &Look) -> (u32, u32) {
        let width = width
            .unwrap_or_else(|| self.default_width(results))
            .max(240);
        let grid = self.grid(results, width);
        let head = header_height(self.titled(), &self.legend(results), width, look);
        (width, head + grid.rows as u32 * grid.panel_h)
    }

    /// Whether the figure has a title of its own (the others' panels say it all).
    fn titled(self) -> bool {
        matches!(self, Figure::LossCurves | Figure::Trainability)
    }

    /// The legend's entries: the models shown, then the line style of each task.
    fn legend(self, results: &SweepResults) -> Vec<Entry> {
        let models = results.config.models.iter().copied();
        let mut entries: Vec<Entry> = match self {
            Figure::GateDifference => models
                .filter(|m| m.info().gated)
                .map(Entry::Model)
                .collect(),
            _ => models.map(Entry::Model).collect(),
        };
        match self {
            Figure::Trainability => entries.extend([Entry::Bar(0), Entry::Bar(1)]),
            Figure::GateDifference => {}
            _ => entries.extend([Entry::Task(0), Entry::Task(1)]),
        }
        entries
    }

    /// Draws the figure on a drawing area `look.scale` times its layout size.
    pub fn draw<DB: DrawingBackend>(
        self,
        results: &SweepResults,
        root: &DrawingArea<DB, Shift>,
        look: &Look,
    ) -> io::Result<()> {
        root.fill(&WHITE).map_err(plot_err)?;
        let (w, _) = root.dim_in_pixel();
        let width = (w as f64 / look.scale).round() as u32;
        let n = results.config.seeds.to_string();
        let words = &look.words;
        let title = match self {
            Figure::LossCurves => Some(fill(&words.loss_curves, &[("n", n)])),
            Figure::Trainability => Some(fill(&words.trainability, &[("n", n)])),
            Figure::LossVsCorrelation | Figure::GateDifference => None,
        };
        let head = look.px(header_height(self.titled(), &self.legend(results), width, look) as f64);
        let (top, body) = root.split_vertically(head);
        draw_header(&top, title.as_deref(), &self.legend(results), look)?;
        let grid = self.grid(results, width);
        let panels = body.split_evenly((grid.rows, grid.cols));
        match self {
            Figure::LossCurves => loss_curves(results, &panels, look),
            Figure::Trainability => trainability(results, &body, look),
            Figure::LossVsCorrelation => loss_vs_correlation(results, &panels, look),
            Figure::GateDifference => gate_difference(results, &panels, look),
        }
    }
}

/// Draws all four figures into `dir`.
#[cfg(not(target_arch = "wasm32"))]
pub fn draw_all(results: &SweepResults, dir: &Path) -> io::Result<()> {
    load_font()?;
    let look = Look::default();
    for figure in Figure::ALL {
        let path = dir.join(figure.file_name());
        let size = figure.size(results, None, &look);
        let root = BitMapBackend::new(&path, size).into_drawing_area();
        figure.draw(results, &root, &look)?;
        root.present().map_err(plot_err)?;
    }
    Ok(())
}
