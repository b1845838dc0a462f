//! The page's charts, drawn with plotters on an HTML canvas from the main thread: the
//! loss chart (`loss`), the gate heatmaps (`heatmap`), and here the theme they share.
//!
//! plotters measures text by inserting a styled `<span>` into the page (blocked by the
//! page's Content-Security-Policy, and a forced layout on every call), so nothing here
//! uses the plotters parts that measure text: captions, series legends and right-hand
//! label areas. Titles and legends are placed with a glyph-width estimate instead
//! (`core::axis::text_width`).

mod heatmap;
mod loss;

pub use heatmap::{draw_gate_heatmap, gate_heatmap_cells};
pub use loss::LossChart;

use crate::core::settings::{rgb, ModelKind};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use wasm_bindgen::prelude::*;

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

const OTHER_COLOUR: RGBColor = RGBColor(0x55, 0x55, 0x55);

const INK: RGBColor = RGBColor(0x1d, 0x23, 0x2b);
const MUTED: RGBColor = RGBColor(0x5b, 0x64, 0x70);
const GRID: RGBColor = RGBColor(0xe6, 0xe9, 0xee);
const GRID_BOLD: RGBColor = RGBColor(0xd2, 0xd7, 0xdf);
const MARK: RGBColor = RGBColor(0x8a, 0x3f, 0xfc);
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

fn model_colour(name: &str) -> RGBColor {
    name.parse::<ModelKind>().map_or(OTHER_COLOUR, |m| {
        let (r, g, b) = rgb(m.info().colour);
        RGBColor(r, g, b)
    })
}

fn display_name(name: &str) -> &str {
    match name.parse::<ModelKind>() {
        Ok(m) => m.label(),
        Err(_) => name,
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

    fn text(&self, size: f64, colour: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
        TextStyle {
            font: (FONT, size).into_font(),
            color: colour.to_backend_color(),
            pos: Pos::new(h, v),
        }
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
