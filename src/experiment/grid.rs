//! The paper's experiment as a grid of independent cells: every (model, task correlation,
//! seed) is trained from scratch (section 5.2's protocol: fresh data and initialisation
//! per run), and `results` summarises them.
//!
//! This module has no threads, files or clocks, so the page's worker can run it cell by
//! cell (showing progress and allowing cancel between cells); the native runner in
//! `native` spreads the same cells over the cores.
//!
//! Why pairing: a seed fixes the task directions u1, u2, the sinusoid constants, the
//! inputs, the noise, the batch order and each model's initial weights. Two models trained
//! with the same seed therefore see exactly the same data, and the same model at two
//! correlations sees the same inputs and the same task-1 labels (only task 2 moves).
//! Differences taken within a seed cancel most of the seed-to-seed variation in how hard
//! the drawn data is, which is what makes small effects measurable with tens of seeds.

use crate::core::data::Dataset;
use crate::core::model::TASKS;
use crate::core::replicas::Replicas;
use crate::core::settings::{ModelKind, Settings};
use crate::core::train::{Evaluation, Trainer};
use crate::experiment::stats::{jensen_shannon_bits, l1_distance};
use serde::{Deserialize, Serialize};

/// Steps at the end of training averaged into the final training loss (a single batch
/// loss is too noisy to compare models by).
pub const FINAL_WINDOW: usize = 100;

/// What to run: the grid of models × correlations × seeds, and the shared settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepConfig {
    pub models: Vec<ModelKind>,
    /// Task correlations p (the cosine between w1 and w2).
    pub correlations: Vec<f64>,
    /// Number of seeds; seed s (from `first_seed`) redraws the data and initial weights.
    pub seeds: usize,
    pub first_seed: u32,
    /// Training steps per cell.
    pub steps: usize,
    /// Every other setting (its `correlation` and `seed` are overridden per cell).
    pub base: Settings,
    /// Steps per point of the recorded training-loss curve (each point is the mean batch
    /// loss over those steps).
    pub curve_every: usize,
}

impl Default for SweepConfig {
    /// The paper's comparison at its sizes (Settings' defaults), small enough to run on a
    /// laptop in minutes: the CLI and the page override seeds and steps.
    fn default() -> Self {
        SweepConfig {
            models: ModelKind::MULTI_TASK.to_vec(),
            correlations: vec![1.0, 0.9, 0.5, 0.1, -0.5],
            seeds: 20,
            first_seed: 1,
            steps: 2000,
            base: Settings::default(),
            curve_every: 20,
        }
    }
}

/// One cell of the grid.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub model: ModelKind,
    pub correlation: f64,
    pub seed: u32,
}

impl SweepConfig {
    /// Checks the base settings with every correlation of the grid, and the grid itself.
    pub fn validate(&self) -> Result<(), String> {
        if self.models.is_empty() || self.correlations.is_empty() || self.seeds == 0 {
            return Err("a sweep needs at least one model, one correlation and one seed".into());
        }
        if self.steps == 0 || self.curve_every == 0 {
            return Err("steps and curve_every must be at least 1".into());
        }
        if self.first_seed as u64 + self.seeds as u64 - 1 > u32::MAX as u64 {
            return Err("first_seed + seeds overflows the seed range".into());
        }
        for &p in &self.correlations {
            self.settings_for(p, self.first_seed)
                .validate()
                .map_err(|errs| {
                    let list: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
                    format!("correlation {p}: {}", list.join("; "))
                })?;
        }
        Ok(())
    }

    /// The settings of one cell: the base with this correlation and seed.
    pub fn settings_for(&self, correlation: f64, seed: u32) -> Settings {
        Settings {
            correlation,
            seed,
            ..self.base.clone()
        }
    }

    /// Every cell, seed-major: all models and correlations of seed 1 come before seed 2,
    /// so a sweep stopped early (or charted live) has complete comparisons for the
    /// seeds it finished.
    pub fn cells(&self) -> Vec<Cell> {
        let mut cells =
            Vec::with_capacity(self.models.len() * self.correlations.len() * self.seeds);
        for s in 0..self.seeds {
            for &correlation in &self.correlations {
                for &model in &self.models {
                    cells.push(Cell {
                        model,
                        correlation,
                        seed: self.first_seed + s as u32,
                    });
                }
            }
        }
        cells
    }
}

/// One point of a training-loss curve: the mean batch loss of each task over the
/// `curve_every` steps ending at `step`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    pub step: usize,
    pub loss: [f64; TASKS],
}

/// What one trained cell measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellResult {
    pub model: ModelKind,
    pub correlation: f64,
    pub seed: u32,
    /// Steps actually taken (fewer than asked if the run diverged).
    pub steps: usize,
    /// Mean batch training loss per task over the last `FINAL_WINDOW` steps (NaN, written
    /// as null, if the run diverged).
    #[serde(deserialize_with = "nan_for_null")]
    pub train_loss: [f64; TASKS],
    /// Loss per task on the held-out test split (NaN if diverged).
    #[serde(deserialize_with = "nan_for_null")]
    pub test_loss: [f64; TASKS],
    /// The downsampled training-loss curve of both tasks.
    pub curve: Vec<CurvePoint>,
    /// Mean gate weight over the test split, one row per task, one column per expert
    /// (empty for Shared-Bottom, which has no gate).
    pub gate_weights: Vec<Vec<f64>>,
    /// Jensen–Shannon divergence (bits, 0..=1) between the two tasks' mean gate
    /// distributions; `None` for Shared-Bottom. OMoE's is 0 by construction.
    pub gate_jsd: Option<f64>,
    /// L1 distance (0..=2) between the two tasks' mean gate distributions.
    pub gate_l1: Option<f64>,
    /// Pearson correlation of the two regression labels on the training split.
    pub label_pearson: f64,
    pub diverged: bool,
}

/// JSON has no NaN: serde_json writes it as null, and this reads null back as NaN, so a
/// saved `results.json` loads again (to redraw figures without re-running).
fn nan_for_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<[f64; TASKS], D::Error> {
    let v: [Option<f64>; TASKS] = Deserialize::deserialize(d)?;
    Ok(v.map(|x| x.unwrap_or(f64::NAN)))
}

/// What the steps of one cell leave behind: the downsampled curve, the sum over the
/// final window, and whether (and when) it diverged.
#[derive(Clone, Debug)]
struct Recorder {
    cell: Cell,
    every: usize,
    steps: usize,
    curve: Vec<CurvePoint>,
    window: [f64; TASKS],
    window_len: usize,
    tail: [f64; TASKS],
    tail_from: usize,
    diverged: bool,
}

impl Recorder {
    fn new(config: &SweepConfig, cell: Cell) -> Recorder {
        let every = config.curve_every.max(1);
        Recorder {
            cell,
            every,
            steps: config.steps,
            curve: Vec::with_capacity(config.steps / every + 1),
            window: [0.0; TASKS],
            window_len: 0,
            tail: [0.0; TASKS],
            tail_from: config.steps.saturating_sub(FINAL_WINDOW),
            diverged: false,
        }
    }

    /// Step `step` (0-based) ended with these batch losses.
    fn record(&mut self, step: usize, losses: [f64; TASKS]) {
        for (t, &loss) in losses.iter().enumerate() {
            self.window[t] += loss;
            if step >= self.tail_from {
                self.tail[t] += loss;
            }
        }
        self.window_len += 1;
        if self.window_len == self.every || step + 1 == self.steps {
            self.curve.push(CurvePoint {
                step: step + 1,
                loss: self.window.map(|w| w / self.window_len as f64),
            });
            self.window = [0.0; TASKS];
            self.window_len = 0;
        }
    }

    /// The cell's result, from its test evaluation (`None` if it diverged).
    fn finish(self, steps: usize, eval: Option<Evaluation>, label_pearson: f64) -> CellResult {
        let tail_len = (self.steps - self.tail_from).max(1) as f64;
        // Gate weights are averaged over the whole test split by the evaluation, not taken
        // from the last 128-sample training batch, which is noisier.
        let (train_loss, test_loss, gate_weights) = match eval {
            None => ([f64::NAN; TASKS], [f64::NAN; TASKS], Vec::new()),
            Some(eval) => {
                let gates: Vec<Vec<f64>> = eval.gates.map_or_else(Vec::new, |g| {
                    g.weights
                        .iter()
                        .map(|w| w.iter().map(|&v| v as f64).collect())
                        .collect()
                });
                (self.tail.map(|t| t / tail_len), eval.loss, gates)
            }
        };
        let (gate_jsd, gate_l1) = if gate_weights.len() == TASKS {
            (
                Some(jensen_shannon_bits(&gate_weights[0], &gate_weights[1])),
                Some(l1_distance(&gate_weights[0], &gate_weights[1])),
            )
        } else {
            (None, None)
        };
        CellResult {
            model: self.cell.model,
            correlation: self.cell.correlation,
            seed: self.cell.seed,
            steps,
            train_loss,
            test_loss,
            curve: self.curve,
            gate_weights,
            gate_jsd,
            gate_l1,
            label_pearson,
            diverged: self.diverged,
        }
    }
}

/// One seed's data sets (one per correlation of `config`) and the replica engine holding
/// its cells (every model at every correlation, in `config.cells()` order), fresh.
pub fn seed_cells(config: &SweepConfig, seed: u32) -> (Vec<Dataset>, Replicas, Vec<Cell>) {
    let cells: Vec<Cell> = config
        .correlations
        .iter()
        .flat_map(|&correlation| {
            config.models.iter().map(move |&model| Cell {
                model,
                correlation,
                seed,
            })
        })
        .collect();
    let (data, engine) = cells_engine(&config.base, &cells);
    (data, engine, cells)
}

/// A fresh replica engine holding `cells` (any models and correlations of one seed, in
/// this order) over `base`'s other settings, and its data sets: one per distinct
/// correlation, in first-seen order. The live Figure 4 gives each worker such a subset.
pub fn cells_engine(base: &Settings, cells: &[Cell]) -> (Vec<Dataset>, Replicas) {
    let mut correlations: Vec<f64> = Vec::new();
    let mut data: Vec<Dataset> = Vec::new();
    let mut trainers = Vec::with_capacity(cells.len());
    for cell in cells {
        assert_eq!(cell.seed, cells[0].seed, "one engine holds one seed");
        let settings = Settings {
            correlation: cell.correlation,
            seed: cell.seed,
            ..base.clone()
        };
        let d = match correlations.iter().position(|&p| p == cell.correlation) {
            Some(d) => d,
            None => {
                correlations.push(cell.correlation);
                data.push(Dataset::generate(&settings));
                data.len() - 1
            }
        };
        trainers.push((Trainer::new(cell.model, &settings, &data[d]), d));
    }
    let engine = Replicas::new(trainers, &data.iter().collect::<Vec<_>>());
    (data, engine)
}

/// Every cell of one seed (all models at all correlations) trained together by the
/// replica engine: the same numbers as training each cell alone, one computation.
/// `advance` trains a few steps at a time, so the page's worker can report progress.
#[derive(Clone, Debug)]
pub struct SeedRun {
    /// One data set per correlation of the grid.
    data: Vec<Dataset>,
    engine: Replicas,
    recorders: Vec<Recorder>,
    step: usize,
    steps: usize,
}

impl SeedRun {
    /// Generates the seed's data sets and builds its cells, in `config.cells()` order.
    pub fn new(config: &SweepConfig, seed: u32) -> SeedRun {
        let (data, engine, cells) = seed_cells(config, seed);
        SeedRun {
            data,
            engine,
            recorders: cells
                .into_iter()
                .map(|c| Recorder::new(config, c))
                .collect(),
            step: 0,
            steps: config.steps,
        }
    }

    /// Number of cells (replicas) trained together.
    pub fn cells(&self) -> usize {
        self.recorders.len()
    }

    /// Steps taken so far (by every replica that has not diverged).
    pub fn step(&self) -> usize {
        self.step
    }

    /// Trains up to `steps` more steps; true when every step is done.
    pub fn advance(&mut self, steps: usize) -> bool {
        let data: Vec<&Dataset> = self.data.iter().collect();
        let end = (self.step + steps).min(self.steps);
        while self.step < end {
            self.engine.train_step(&data);
            for (replica, recorder) in self.engine.replicas.iter().zip(&mut self.recorders) {
                if recorder.diverged {
                    continue;
                }
                match replica.diverged {
                    Some(_) => recorder.diverged = true,
                    None => recorder.record(self.step, replica.losses),
                }
            }
            self.step += 1;
        }
        self.step == self.steps
    }

    /// Trains to the end and evaluates every cell on its test split.
    pub fn finish(mut self) -> Vec<CellResult> {
        self.advance(self.steps);
        let data: Vec<&Dataset> = self.data.iter().collect();
        let evaluations = self.engine.evaluate(&data);
        self.recorders
            .into_iter()
            .zip(evaluations)
            .zip(&self.engine.replicas)
            .map(|((recorder, eval), replica)| {
                let pearson = self.data[replica.data_set()].label_pearson;
                recorder.finish(replica.step, eval, pearson)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tiny_cell_trains_and_measures_its_gates() {
        let config = SweepConfig {
            models: vec![ModelKind::Mmoe],
            correlations: vec![0.5],
            seeds: 1,
            steps: 30,
            curve_every: 7,
            base: Settings {
                train_samples: 512,
                test_samples: 300,
                input_dim: 10,
                ..Settings::default()
            },
            ..SweepConfig::default()
        };
        config.validate().unwrap();
        let results = SeedRun::new(&config, config.first_seed).finish();
        assert_eq!(results.len(), 1);
        let r = &results[0];
        assert!(!r.diverged);
        assert_eq!(r.steps, 30);
        // Points at 7, 14, 21, 28 and the last (partial) window ending at 30.
        let steps: Vec<usize> = r.curve.iter().map(|p| p.step).collect();
        assert_eq!(steps, vec![7, 14, 21, 28, 30]);
        assert_eq!(r.gate_weights.len(), TASKS);
        for row in &r.gate_weights {
            assert_eq!(row.len(), 8);
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-4);
        }
        let jsd = r.gate_jsd.unwrap();
        assert!((0.0..=1.0).contains(&jsd));
        assert!(r.train_loss.iter().all(|l| l.is_finite()));
    }
}
