//! The browser binding for the page's experiment panel: a sweep run one cell at a time in
//! a worker (`Experiment`), and its four figures drawn on canvases by the same code that
//! writes the CLI's PNGs (`figures::Figure`), at the size and in the words of the page.

use crate::experiment::figures::{Figure, Look};
use crate::experiment::sweep::{run_cell, Cell, SweepConfig, SweepResults};
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

/// A sweep in progress: models × correlations × seeds, one training run per call.
#[wasm_bindgen]
pub struct Experiment {
    cells: Vec<Cell>,
    results: SweepResults,
}

#[wasm_bindgen]
impl Experiment {
    /// `config`: `{models, correlations, seeds, first_seed, steps, curve_every, base}`
    /// with `base` a full settings object. Fails with a readable message when invalid.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<Experiment, JsError> {
        let config: SweepConfig = serde_wasm_bindgen::from_value(config)?;
        config.validate().map_err(|e| JsError::new(&e))?;
        Ok(Experiment {
            cells: config.cells(),
            results: SweepResults {
                config,
                cells: Vec::new(),
            },
        })
    }

    pub fn total(&self) -> usize {
        self.cells.len()
    }

    pub fn done(&self) -> usize {
        self.results.cells.len()
    }

    /// Trains the next (model, correlation, seed) run; false when all are done.
    #[wasm_bindgen(js_name = runNext)]
    pub fn run_next(&mut self) -> bool {
        let Some(&cell) = self.cells.get(self.results.cells.len()) else {
            return false;
        };
        let result = run_cell(&self.results.config, cell, None);
        self.results.cells.push(result);
        true
    }

    /// Results so far, in the CLI's `results.json` format.
    #[wasm_bindgen(js_name = resultsJson)]
    pub fn results_json(&self) -> String {
        self.results.to_json()
    }

    /// Results so far, in the CLI's `results.csv` format.
    #[wasm_bindgen(js_name = resultsCsv)]
    pub fn results_csv(&self) -> String {
        self.results.to_csv()
    }
}

fn figure(index: u8) -> Result<Figure, JsError> {
    Figure::ALL
        .get(index as usize)
        .copied()
        .ok_or_else(|| JsError::new("figure index is 0..=3"))
}

/// The layout size figure `index` (0..=3) takes at `width` CSS pixels, as `[width,
/// height]`: draw it on a canvas of that size times the pixel ratio.
#[wasm_bindgen(js_name = sweepFigureSize)]
pub fn sweep_figure_size(index: u8, results_json: &str, width: u32) -> Result<Vec<u32>, JsError> {
    let results = SweepResults::from_json(results_json).map_err(|e| JsError::new(&e))?;
    let (w, h) = figure(index)?.size(&results, Some(width), &Look::default());
    Ok(vec![w, h])
}

/// Draws figure `index` (0 loss curves, 1 trainability, 2 loss vs correlation, 3 gate
/// difference) of `results_json` on `canvas`, whose backing store is the
/// `sweepFigureSize` times `pixel_ratio`, in `words` (`figures::Words`; missing ones are
/// English).
#[wasm_bindgen(js_name = drawSweepFigure)]
pub fn draw_sweep_figure(
    canvas: HtmlCanvasElement,
    index: u8,
    results_json: &str,
    words: JsValue,
    pixel_ratio: f64,
) -> Result<(), JsError> {
    let results = SweepResults::from_json(results_json).map_err(|e| JsError::new(&e))?;
    let look = Look {
        words: serde_wasm_bindgen::from_value(words)?,
        scale: if pixel_ratio.is_finite() {
            pixel_ratio.clamp(0.5, 4.0)
        } else {
            1.0
        },
    };
    let backend =
        CanvasBackend::with_canvas_object(canvas).ok_or_else(|| JsError::new("no 2d context"))?;
    let root = backend.into_drawing_area();
    figure(index)?
        .draw(&results, &root, &look)
        .map_err(|e| JsError::new(&e.to_string()))?;
    root.present().map_err(|e| JsError::new(&e.to_string()))
}
