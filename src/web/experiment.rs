//! The browser binding for the page's experiment panel: the sweep's seeds trained in
//! workers, one `ExperimentSeed` (every cell of a seed, by the replica engine) at a time,
//! their cells collected on the page by an `Experiment`, and its four figures drawn on
//! canvases by the same code that writes the CLI's PNGs (`figures::Figure`), at the size and in
//! the words of the page. `Comparison` is one worker's share of the live Figure 4 beside the
//! page's charts: the cells the page's plan gave it, trained step by step with the
//! replica engine while the page plays.

use crate::core::settings::Settings;
use crate::experiment::figures::{Figure, Look};
use crate::experiment::grid::{Cell, CellResult, SeedRun, SweepConfig};
use crate::experiment::live::{LiveCell, LiveCells};
use crate::experiment::results::SweepResults;
use crate::web::bindings::{violations_error, Playground};
use js_sys::Float64Array;
use plotters::prelude::IntoDrawingArea;
use plotters_canvas::CanvasBackend;
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

fn parse_config(config: JsValue) -> Result<SweepConfig, JsError> {
    let config: SweepConfig = serde_wasm_bindgen::from_value(config)?;
    config.validate().map_err(|e| JsError::new(&e))?;
    Ok(config)
}

/// The cells of one seed in training (in a worker): a few steps per call.
#[wasm_bindgen]
pub struct ExperimentSeed {
    run: Option<SeedRun>,
}

#[wasm_bindgen]
impl ExperimentSeed {
    /// `config` as for `Experiment`; `seed` one of its seeds.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue, seed: u32) -> Result<ExperimentSeed, JsError> {
        let config = parse_config(config)?;
        Ok(ExperimentSeed {
            run: Some(SeedRun::new(&config, seed)),
        })
    }

    /// Cells (models × correlations) trained together.
    pub fn cells(&self) -> usize {
        self.run.as_ref().map_or(0, SeedRun::cells)
    }

    /// Steps taken so far.
    pub fn step(&self) -> usize {
        self.run.as_ref().map_or(0, SeedRun::step)
    }

    /// Trains up to `steps` more steps; true when all are done.
    pub fn advance(&mut self, steps: usize) -> bool {
        self.run.as_mut().is_none_or(|run| run.advance(steps))
    }

    /// Evaluates every cell and returns their results as a JSON array (once).
    pub fn finish(&mut self) -> Result<String, JsError> {
        let run = self
            .run
            .take()
            .ok_or_else(|| JsError::new("this seed is already finished"))?;
        serde_json::to_string(&run.finish()).map_err(|e| JsError::new(&e.to_string()))
    }
}

/// One trainer worker's share of the live Figure 4 (`experiment::live::LiveCells`): the
/// cells the page's plan gave it, trained step for step beside its live models.
#[wasm_bindgen]
pub struct Comparison {
    cells: LiveCells,
}

/// A cell as the page names it: `{id, model, correlation, seed}`.
#[derive(Deserialize)]
struct CellSpec {
    id: u32,
    model: String,
    correlation: f64,
    seed: u32,
}

#[wasm_bindgen]
impl Comparison {
    /// `settings` as for `Playground` (each cell has its own correlation and seed);
    /// `cells` `[{id, model, correlation, seed}]`. Fails with a readable message when a
    /// model, a correlation or the settings are invalid.
    #[wasm_bindgen(constructor)]
    pub fn new(settings: JsValue, cells: JsValue) -> Result<Comparison, JsError> {
        let base: Settings = serde_wasm_bindgen::from_value(settings)?;
        let specs: Vec<CellSpec> = serde_wasm_bindgen::from_value(cells)?;
        let mut cells = Vec::with_capacity(specs.len());
        for spec in specs {
            let model = spec.model.parse().map_err(|e: String| JsError::new(&e))?;
            let settings = Settings {
                correlation: spec.correlation,
                seed: spec.seed,
                ..base.clone()
            };
            settings.validate().map_err(violations_error)?;
            cells.push(LiveCell {
                id: spec.id,
                cell: Cell {
                    model,
                    correlation: spec.correlation,
                    seed: spec.seed,
                },
            });
        }
        Ok(Comparison {
            cells: LiveCells::new(&base, &cells),
        })
    }

    /// Cells held.
    pub fn cells(&self) -> usize {
        self.cells.len()
    }

    /// The page's id of cell `i` (`u32::MAX` past the end).
    #[wasm_bindgen(js_name = cellId)]
    pub fn cell_id(&self, i: usize) -> u32 {
        self.cells.cell(i).map_or(u32::MAX, |c| c.id)
    }

    /// Whether cell `i` stopped because its loss stopped being finite.
    pub fn diverged(&self, i: usize) -> bool {
        self.cells.diverged(i)
    }

    /// Trains every cell that has not diverged `steps` more steps (at most 10,000).
    pub fn advance(&mut self, steps: u32) {
        self.cells.advance(steps.min(10_000) as usize);
    }

    /// Takes over live model `model` of `playground` as cell `id` at its present
    /// correlation (before the slider moves it on): the cell goes on from the model's
    /// exact state, as if it had been trained here from step 0.
    pub fn adopt(&mut self, id: u32, playground: &Playground, model: usize) -> Result<(), JsError> {
        let (trainer, data, cell) = playground
            .fork(model)
            .ok_or_else(|| JsError::new("no such live model"))?;
        self.cells.adopt(id, cell, trainer, data);
        Ok(())
    }

    /// Changes every cell's learning rate (the page's live learning-rate change; the
    /// value was checked by the `Playground` beside it).
    #[wasm_bindgen(js_name = setLearningRate)]
    pub fn set_learning_rate(&mut self, lr: f64) {
        if lr.is_finite() && lr > 0.0 {
            self.cells.set_learning_rate(lr);
        }
    }

    /// Cell `i`'s training losses since the last call, as [step, loss 1, loss 2]*.
    #[wasm_bindgen(js_name = takeTrainLosses)]
    pub fn take_train_losses(&mut self, i: usize) -> Float64Array {
        Float64Array::from(self.cells.take_losses(i).as_slice())
    }
}

/// A sweep's results so far, gathered seed by seed from the workers (on the page).
#[wasm_bindgen]
pub struct Experiment {
    results: SweepResults,
}

#[wasm_bindgen]
impl Experiment {
    /// `config`: `{models, correlations, seeds, first_seed, steps, curve_every, base}`
    /// with `base` a full settings object. Fails with a readable message when invalid.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> Result<Experiment, JsError> {
        Ok(Experiment {
            results: SweepResults::new(parse_config(config)?),
        })
    }

    /// Cells in the whole sweep.
    pub fn total(&self) -> usize {
        self.results.config.cells().len()
    }

    /// Cells finished so far.
    pub fn done(&self) -> usize {
        self.results.cells.len()
    }

    /// Adds one seed's cells (`ExperimentSeed::finish`'s JSON), kept in seed order.
    #[wasm_bindgen(js_name = addCells)]
    pub fn add_cells(&mut self, json: &str) -> Result<(), JsError> {
        let cells: Vec<CellResult> =
            serde_json::from_str(json).map_err(|e| JsError::new(&e.to_string()))?;
        self.results.cells.extend(cells);
        self.results.cells.sort_by_key(|c| c.seed);
        Ok(())
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
