//! The paper's experiment as a grid of independent cells: every (model, task correlation,
//! seed) is trained from scratch, and the results are summarised per (model, correlation)
//! as mean ± standard error over seeds, with paired per-seed differences.
//!
//! This module runs one cell at a time and has no threads, files or clocks, so the page's
//! worker can run it cell by cell (showing progress and allowing cancel between cells);
//! the native runner in `native` spreads the same cells over the cores.
//!
//! Why pairing: a seed fixes the task directions u1, u2, the sinusoid constants, the
//! inputs, the noise, the batch order and each model's initial weights. Two models trained
//! with the same seed therefore see exactly the same data, and the same model at two
//! correlations sees the same inputs and the same task-1 labels (only task 2 moves).
//! Differences taken within a seed cancel most of the seed-to-seed variation in how hard
//! the drawn data is, which is what makes small effects measurable with tens of seeds.

use crate::core::data::Dataset;
use crate::core::model::TASKS;
use crate::core::settings::{ModelKind, Settings};
use crate::core::train::Trainer;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

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
            models: ModelKind::ALL.to_vec(),
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

/// Trains one cell from scratch. `data` must have been generated with
/// `config.settings_for(cell.correlation, cell.seed)`; pass `None` to generate it here
/// (callers that run several models on one (correlation, seed) can share it).
pub fn run_cell(config: &SweepConfig, cell: Cell, data: Option<&Dataset>) -> CellResult {
    let settings = config.settings_for(cell.correlation, cell.seed);
    let owned;
    let data = match data {
        Some(d) => d,
        None => {
            owned = Dataset::generate(&settings);
            &owned
        }
    };
    let mut trainer = Trainer::new(cell.model, &settings, data);
    let every = config.curve_every.max(1);
    let mut curve = Vec::with_capacity(config.steps / every + 1);
    let mut window = [0.0f64; TASKS];
    let mut window_len = 0usize;
    let mut tail = [0.0f64; TASKS];
    let tail_from = config.steps.saturating_sub(FINAL_WINDOW);
    let mut diverged = false;
    for step in 0..config.steps {
        match trainer.train_step(data) {
            Ok(losses) => {
                for t in 0..TASKS {
                    window[t] += losses[t];
                    if step >= tail_from {
                        tail[t] += losses[t];
                    }
                }
                window_len += 1;
                if window_len == every || step + 1 == config.steps {
                    curve.push(CurvePoint {
                        step: step + 1,
                        loss: window.map(|w| w / window_len as f64),
                    });
                    window = [0.0; TASKS];
                    window_len = 0;
                }
            }
            Err(_) => {
                diverged = true;
                break;
            }
        }
    }
    let tail_len = (config.steps - tail_from).max(1) as f64;
    // Gate weights are averaged over the whole test split by `evaluate`, not taken from
    // the last 128-sample training batch, which is noisier.
    let (train_loss, test_loss, gate_weights) = if diverged {
        ([f64::NAN; TASKS], [f64::NAN; TASKS], Vec::new())
    } else {
        let eval = trainer.evaluate(&data.test);
        let gates: Vec<Vec<f64>> = eval.gates.map_or_else(Vec::new, |g| {
            (0..TASKS)
                .map(|t| g.weights.iter().map(|w| w[t] as f64).collect())
                .collect()
        });
        (tail.map(|t| t / tail_len), eval.loss, gates)
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
        model: cell.model,
        correlation: cell.correlation,
        seed: cell.seed,
        steps: trainer.step,
        train_loss,
        test_loss,
        curve,
        gate_weights,
        gate_jsd,
        gate_l1,
        label_pearson: data.label_pearson,
        diverged,
    }
}

/// Jensen–Shannon divergence in bits between two distributions (each normalised here, so
/// rounding in the inputs does not matter): JSD = ½·KL(p‖m) + ½·KL(q‖m), m = ½(p + q).
/// Symmetric, 0 for equal distributions, 1 for disjoint ones; zero entries are fine,
/// which matters for CGC, whose gates cannot choose the other task's own experts.
pub fn jensen_shannon_bits(p: &[f64], q: &[f64]) -> f64 {
    assert_eq!(p.len(), q.len(), "distributions over different supports");
    let (sp, sq) = (p.iter().sum::<f64>(), q.iter().sum::<f64>());
    if sp <= 0.0 || sq <= 0.0 {
        return f64::NAN;
    }
    let kl_to_mix = |a: f64, b: f64| {
        if a > 0.0 {
            a * libm::log2(2.0 * a / (a + b))
        } else {
            0.0
        }
    };
    let mut jsd = 0.0;
    for (&a, &b) in p.iter().zip(q) {
        let (a, b) = (a / sp, b / sq);
        jsd += 0.5 * kl_to_mix(a, b) + 0.5 * kl_to_mix(b, a);
    }
    jsd.clamp(0.0, 1.0)
}

/// Sum of absolute differences (0 for equal distributions, 2 for disjoint ones).
pub fn l1_distance(p: &[f64], q: &[f64]) -> f64 {
    p.iter().zip(q).map(|(a, b)| (a - b).abs()).sum()
}

/// Summary statistics of a sample over seeds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stat {
    /// Number of finite values summarised (NaNs, from diverged runs, are left out).
    pub n: usize,
    pub mean: f64,
    /// Standard error of the mean: sample standard deviation / √n (0 when n < 2).
    pub se: f64,
    /// Sample standard deviation (n − 1 in the denominator).
    pub sd: f64,
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Stat {
    /// Summarises the finite values of `values`; all fields NaN if there are none.
    pub fn of(values: &[f64]) -> Stat {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        let n = v.len();
        if n == 0 {
            return Stat {
                n: 0,
                mean: f64::NAN,
                se: f64::NAN,
                sd: f64::NAN,
                median: f64::NAN,
                min: f64::NAN,
                max: f64::NAN,
            };
        }
        let mean = v.iter().sum::<f64>() / n as f64;
        let sd = if n > 1 {
            libm::sqrt(v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64)
        } else {
            0.0
        };
        v.sort_by(f64::total_cmp);
        Stat {
            n,
            mean,
            se: sd / libm::sqrt(n as f64),
            sd,
            median: median_sorted(&v),
            min: v[0],
            max: v[n - 1],
        }
    }

    /// Mean and interval half-width, short, for tables.
    pub fn show(&self) -> String {
        format!("{:.4} ± {:.4}", self.mean, self.se)
    }
}

fn median_sorted(v: &[f64]) -> f64 {
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// A number measured on each cell, to summarise or compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Final training loss of task t (0-based): the paper's figure 4 quantity.
    TrainLoss(usize),
    /// Test loss of task t.
    TestLoss(usize),
    /// Mean of both tasks' final training losses.
    TrainLossMean,
    /// Mean of both tasks' test losses.
    TestLossMean,
    GateJsd,
    GateL1,
    /// Task t's training loss at an earlier step: the mean of the recorded curve points
    /// in the last `FINAL_WINDOW` steps up to that step (what a viewer of the page sees
    /// after that many steps, without re-running shorter sweeps).
    TrainLossAt(usize, usize),
}

impl Metric {
    pub fn of(self, cell: &CellResult) -> f64 {
        match self {
            Metric::TrainLoss(t) => cell.train_loss[t],
            Metric::TestLoss(t) => cell.test_loss[t],
            Metric::TrainLossMean => 0.5 * (cell.train_loss[0] + cell.train_loss[1]),
            Metric::TestLossMean => 0.5 * (cell.test_loss[0] + cell.test_loss[1]),
            Metric::GateJsd => cell.gate_jsd.unwrap_or(f64::NAN),
            Metric::GateL1 => cell.gate_l1.unwrap_or(f64::NAN),
            Metric::TrainLossAt(t, step) => {
                if cell.diverged {
                    return f64::NAN;
                }
                let from = step.saturating_sub(FINAL_WINDOW);
                let points: Vec<f64> = cell
                    .curve
                    .iter()
                    .filter(|p| p.step > from && p.step <= step)
                    .map(|p| p.loss[t])
                    .collect();
                if points.is_empty() {
                    f64::NAN
                } else {
                    points.iter().sum::<f64>() / points.len() as f64
                }
            }
        }
    }

    pub fn name(self) -> String {
        match self {
            Metric::TrainLoss(t) => format!("train_loss{}", t + 1),
            Metric::TestLoss(t) => format!("test_loss{}", t + 1),
            Metric::TrainLossMean => "train_loss_mean".into(),
            Metric::TestLossMean => "test_loss_mean".into(),
            Metric::GateJsd => "gate_jsd".into(),
            Metric::GateL1 => "gate_l1".into(),
            Metric::TrainLossAt(t, step) => format!("train_loss{}_at_{step}", t + 1),
        }
    }
}

/// Summary of one (model, correlation) over seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupSummary {
    pub model: ModelKind,
    pub correlation: f64,
    pub runs: usize,
    pub diverged: usize,
    pub label_pearson: Stat,
    pub train_loss: [Stat; TASKS],
    pub test_loss: [Stat; TASKS],
    /// `None` for Shared-Bottom.
    pub gate_jsd: Option<Stat>,
    pub gate_l1: Option<Stat>,
}

/// A paired comparison over seeds at one correlation: `a − b` per seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairedSummary {
    pub a: ModelKind,
    pub b: ModelKind,
    pub correlation: f64,
    pub metric: Metric,
    pub diff: Stat,
    /// Median over seeds of a / b (robust to one seed's outlier loss).
    pub median_ratio: f64,
    /// Seeds where a's value is below b's (for losses: a did better).
    pub a_lower: usize,
}

/// A sweep's cells and the configuration that produced them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SweepResults {
    pub config: SweepConfig,
    pub cells: Vec<CellResult>,
}

/// Everything in `results.json`: the configuration, each cell, and the summaries.
#[derive(Clone, Debug, Serialize)]
pub struct Report<'a> {
    pub config: &'a SweepConfig,
    pub groups: Vec<GroupSummary>,
    pub paired: Vec<PairedSummary>,
    pub cells: &'a [CellResult],
}

impl SweepResults {
    pub fn new(config: SweepConfig) -> Self {
        SweepResults {
            config,
            cells: Vec::new(),
        }
    }

    /// The cells of one (model, correlation), in seed order.
    pub fn group(&self, model: ModelKind, correlation: f64) -> Vec<&CellResult> {
        let mut cells: Vec<&CellResult> = self
            .cells
            .iter()
            .filter(|c| c.model == model && c.correlation == correlation)
            .collect();
        cells.sort_by_key(|c| c.seed);
        cells
    }

    /// A metric's values over the seeds of one (model, correlation), in seed order.
    pub fn values(&self, model: ModelKind, correlation: f64, metric: Metric) -> Vec<f64> {
        self.group(model, correlation)
            .into_iter()
            .map(|c| metric.of(c))
            .collect()
    }

    /// Mean ± s.e. (and more) per (model, correlation), in the configuration's order.
    pub fn summaries(&self) -> Vec<GroupSummary> {
        let mut out = Vec::new();
        for &model in &self.config.models {
            for &correlation in &self.config.correlations {
                let cells = self.group(model, correlation);
                if cells.is_empty() {
                    continue;
                }
                let stat = |m: Metric| Stat::of(&self.values(model, correlation, m));
                let gated = model != ModelKind::Sb;
                out.push(GroupSummary {
                    model,
                    correlation,
                    runs: cells.len(),
                    diverged: cells.iter().filter(|c| c.diverged).count(),
                    label_pearson: Stat::of(
                        &cells.iter().map(|c| c.label_pearson).collect::<Vec<_>>(),
                    ),
                    train_loss: [stat(Metric::TrainLoss(0)), stat(Metric::TrainLoss(1))],
                    test_loss: [stat(Metric::TestLoss(0)), stat(Metric::TestLoss(1))],
                    gate_jsd: gated.then(|| stat(Metric::GateJsd)),
                    gate_l1: gated.then(|| stat(Metric::GateL1)),
                });
            }
        }
        out
    }

    /// `a − b` of `metric` per seed at `correlation`, over the seeds both finished.
    pub fn paired(
        &self,
        a: ModelKind,
        b: ModelKind,
        correlation: f64,
        metric: Metric,
    ) -> PairedSummary {
        let pairs = self.pairs(a, b, correlation, metric);
        let diffs: Vec<f64> = pairs.iter().map(|(_, va, vb)| va - vb).collect();
        let mut ratios: Vec<f64> = pairs.iter().map(|(_, va, vb)| va / vb).collect();
        let a_lower = pairs.iter().filter(|(_, va, vb)| va < vb).count();
        ratios.sort_by(f64::total_cmp);
        PairedSummary {
            a,
            b,
            correlation,
            metric,
            diff: Stat::of(&diffs),
            median_ratio: if ratios.is_empty() {
                f64::NAN
            } else {
                median_sorted(&ratios)
            },
            a_lower,
        }
    }

    /// Per-seed values of `metric` for `a` and `b` at `correlation`, over the seeds both
    /// finished, as (seed, a, b) in seed order.
    fn pairs(
        &self,
        a: ModelKind,
        b: ModelKind,
        correlation: f64,
        metric: Metric,
    ) -> Vec<(u32, f64, f64)> {
        let bs = self.group(b, correlation);
        self.group(a, correlation)
            .into_iter()
            .filter_map(|ca| {
                let cb = bs.iter().find(|c| c.seed == ca.seed)?;
                let (va, vb) = (metric.of(ca), metric.of(cb));
                (va.is_finite() && vb.is_finite()).then_some((ca.seed, va, vb))
            })
            .collect()
    }

    /// Does `a` vary more over seeds than `b`? A paired Brown–Forsythe comparison: per seed,
    /// |a − median(a)| − |b − median(b)|. A mean clearly above 0 means a's spread is larger;
    /// unlike a ratio of standard deviations it comes with a standard error, and the median
    /// keeps one wild seed from deciding it alone.
    pub fn spread_difference(
        &self,
        a: ModelKind,
        b: ModelKind,
        correlation: f64,
        metric: Metric,
    ) -> Stat {
        let pairs = self.pairs(a, b, correlation, metric);
        let med = |v: Vec<f64>| Stat::of(&v).median;
        let ma = med(pairs.iter().map(|p| p.1).collect());
        let mb = med(pairs.iter().map(|p| p.2).collect());
        let d: Vec<f64> = pairs
            .iter()
            .map(|(_, x, y)| (x - ma).abs() - (y - mb).abs())
            .collect();
        Stat::of(&d)
    }

    /// Difference in differences, paired per seed: how much more `a`'s metric grows than
    /// `b`'s between two correlations, [a(to) − b(to)] − [a(from) − b(from)]. This is
    /// finding (b) in one number: above 0 means a degrades more than b as p moves.
    pub fn interaction(
        &self,
        a: ModelKind,
        b: ModelKind,
        from: f64,
        to: f64,
        metric: Metric,
    ) -> Stat {
        let at_from = self.pairs(a, b, from, metric);
        let d: Vec<f64> = self
            .pairs(a, b, to, metric)
            .into_iter()
            .filter_map(|(seed, ta, tb)| {
                let &(_, fa, fb) = at_from.iter().find(|p| p.0 == seed)?;
                Some((ta - tb) - (fa - fb))
            })
            .collect();
        Stat::of(&d)
    }

    /// How much one model's metric changes between two correlations, paired per seed
    /// (same inputs, same task-1 labels, same initial weights): value(to) − value(from).
    pub fn change(&self, model: ModelKind, from: f64, to: f64, metric: Metric) -> Stat {
        let base = self.group(model, from);
        let diffs: Vec<f64> = self
            .group(model, to)
            .into_iter()
            .filter_map(|c| {
                base.iter()
                    .find(|b| b.seed == c.seed)
                    .map(|b| metric.of(c) - metric.of(b))
            })
            .collect();
        Stat::of(&diffs)
    }

    /// The standard comparisons against MMoE (every other model − MMoE) at every
    /// correlation, for task 1's and the mean training and test loss.
    pub fn standard_pairs(&self) -> Vec<PairedSummary> {
        let mut out = Vec::new();
        if !self.config.models.contains(&ModelKind::Mmoe) {
            return out;
        }
        let metrics = [
            Metric::TrainLoss(0),
            Metric::TestLoss(0),
            Metric::TrainLossMean,
            Metric::TestLossMean,
        ];
        for &a in self.config.models.iter().filter(|&&m| m != ModelKind::Mmoe) {
            for &p in &self.config.correlations {
                for m in metrics {
                    out.push(self.paired(a, ModelKind::Mmoe, p, m));
                }
            }
        }
        out
    }

    /// Mean ± s.e. over seeds of the task-`task` training-loss curve of one (model,
    /// correlation), as (step, mean, s.e.) per recorded point; diverged runs left out.
    pub fn mean_curve(&self, model: ModelKind, correlation: f64, task: usize) -> Vec<[f64; 3]> {
        let runs: Vec<&CellResult> = self
            .group(model, correlation)
            .into_iter()
            .filter(|c| !c.diverged)
            .collect();
        let Some(len) = runs.iter().map(|c| c.curve.len()).min() else {
            return Vec::new();
        };
        (0..len)
            .map(|i| {
                let v: Vec<f64> = runs.iter().map(|c| c.curve[i].loss[task]).collect();
                let s = Stat::of(&v);
                [runs[0].curve[i].step as f64, s.mean, s.se]
            })
            .collect()
    }

    /// The full report (configuration, summaries, paired comparisons, cells).
    pub fn report(&self) -> Report<'_> {
        Report {
            config: &self.config,
            groups: self.summaries(),
            paired: self.standard_pairs(),
            cells: &self.cells,
        }
    }

    /// `results.json`: the report, pretty-printed. NaN (diverged runs) is written as null.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.report()).expect("plain data serialises")
    }

    /// Reads back a `results.json` (its summaries are recomputed, not read).
    pub fn from_json(json: &str) -> Result<SweepResults, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    /// `results.csv`: one row per cell, written by hand (no dependency), with the mean
    /// gate weight of each task and expert as `gate<task>_<expert>` columns.
    pub fn to_csv(&self) -> String {
        let experts = self
            .cells
            .iter()
            .map(|c| c.gate_weights.first().map_or(0, |r| r.len()))
            .max()
            .unwrap_or(0);
        let mut out = String::from(
            "model,correlation,seed,steps,diverged,label_pearson,train_loss1,train_loss2,test_loss1,test_loss2,gate_jsd,gate_l1",
        );
        for t in 0..TASKS {
            for e in 0..experts {
                let _ = write!(out, ",gate{}_{}", t + 1, e + 1);
            }
        }
        out.push('\n');
        let num = |v: f64| {
            if v.is_finite() {
                format!("{v}")
            } else {
                String::new()
            }
        };
        for c in &self.cells {
            let _ = write!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{}",
                c.model,
                c.correlation,
                c.seed,
                c.steps,
                c.diverged,
                num(c.label_pearson),
                num(c.train_loss[0]),
                num(c.train_loss[1]),
                num(c.test_loss[0]),
                num(c.test_loss[1]),
                c.gate_jsd.map_or(String::new(), num),
                c.gate_l1.map_or(String::new(), num),
            );
            for t in 0..TASKS {
                for e in 0..experts {
                    let v = c.gate_weights.get(t).and_then(|r| r.get(e)).copied();
                    let _ = write!(out, ",{}", v.map_or(String::new(), num));
                }
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_of_a_known_sample() {
        let s = Stat::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(s.n, 8);
        assert!((s.mean - 5.0).abs() < 1e-12);
        // Sample variance 32/7.
        assert!((s.sd - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        assert!((s.se - s.sd / 8f64.sqrt()).abs() < 1e-12);
        assert_eq!((s.median, s.min, s.max), (4.5, 2.0, 9.0));
    }

    #[test]
    fn stat_skips_nan_and_handles_tiny_samples() {
        let s = Stat::of(&[f64::NAN, 3.0, 1.0, 2.0]);
        assert_eq!((s.n, s.mean, s.median), (3, 2.0, 2.0));
        let one = Stat::of(&[1.5]);
        assert_eq!((one.n, one.mean, one.se, one.sd), (1, 1.5, 0.0, 0.0));
        assert!(Stat::of(&[f64::NAN]).mean.is_nan());
        assert_eq!(Stat::of(&[]).n, 0);
    }

    #[test]
    fn jsd_bounds_symmetry_and_a_known_value() {
        let p = [0.5, 0.5, 0.0];
        let q = [0.0, 0.0, 1.0];
        assert!(jensen_shannon_bits(&p, &p).abs() < 1e-12);
        assert!(
            (jensen_shannon_bits(&p, &q) - 1.0).abs() < 1e-12,
            "disjoint"
        );
        let (a, b) = ([0.9, 0.1], [0.1, 0.9]);
        assert!((jensen_shannon_bits(&a, &b) - jensen_shannon_bits(&b, &a)).abs() < 1e-15);
        // p = (1, 0), q = (½, ½): m = (¾, ¼); JSD = ½·log2(4/3) + ½·(½·log2(2/3) + ½·log2 2).
        let want = 0.5 * (4.0f64 / 3.0).log2() + 0.25 * (2.0f64 / 3.0).log2() + 0.25;
        assert!((jensen_shannon_bits(&[1.0, 0.0], &[0.5, 0.5]) - want).abs() < 1e-12);
        // Unnormalised inputs are normalised first.
        assert!((jensen_shannon_bits(&[2.0, 0.0], &[1.0, 1.0]) - want).abs() < 1e-12);
    }

    #[test]
    fn l1_of_disjoint_distributions_is_two() {
        assert_eq!(l1_distance(&[1.0, 0.0], &[0.0, 1.0]), 2.0);
        assert_eq!(l1_distance(&[0.3, 0.7], &[0.3, 0.7]), 0.0);
    }

    fn cell(model: ModelKind, seed: u32, loss: f64) -> CellResult {
        CellResult {
            model,
            correlation: 0.5,
            seed,
            steps: 10,
            train_loss: [loss, loss],
            test_loss: [loss, loss],
            curve: vec![CurvePoint {
                step: 10,
                loss: [loss, loss],
            }],
            gate_weights: Vec::new(),
            gate_jsd: None,
            gate_l1: None,
            label_pearson: 0.3,
            diverged: !loss.is_finite(),
        }
    }

    #[test]
    fn paired_differences_match_seeds_and_skip_diverged_runs() {
        let config = SweepConfig {
            models: vec![ModelKind::Sb, ModelKind::Mmoe],
            correlations: vec![0.5],
            seeds: 4,
            ..SweepConfig::default()
        };
        let mut r = SweepResults::new(config);
        // Stored out of order on purpose: pairing is by seed, not position.
        r.cells = vec![
            cell(ModelKind::Sb, 2, 3.0),
            cell(ModelKind::Sb, 1, 2.0),
            cell(ModelKind::Sb, 3, f64::NAN),
            cell(ModelKind::Sb, 4, 1.0),
            cell(ModelKind::Mmoe, 1, 1.0),
            cell(ModelKind::Mmoe, 2, 1.0),
            cell(ModelKind::Mmoe, 3, 1.0),
            cell(ModelKind::Mmoe, 4, 2.0),
        ];
        let p = r.paired(ModelKind::Sb, ModelKind::Mmoe, 0.5, Metric::TrainLoss(0));
        // Seeds 1, 2, 4: differences 1, 2, −1.
        assert_eq!(p.diff.n, 3);
        assert!((p.diff.mean - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(p.a_lower, 1);
        assert_eq!(p.median_ratio, 2.0);
        let groups = r.summaries();
        assert_eq!(groups.len(), 2);
        assert_eq!((groups[0].runs, groups[0].diverged), (4, 1));
        assert!(groups[0].gate_jsd.is_none() && groups[1].gate_jsd.is_some());
    }

    #[test]
    fn csv_has_a_row_per_cell_and_blank_nans() {
        let mut r = SweepResults::new(SweepConfig::default());
        r.cells = vec![
            cell(ModelKind::Sb, 1, 2.0),
            cell(ModelKind::Sb, 2, f64::NAN),
        ];
        let csv = r.to_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("model,correlation,seed"));
        assert!(lines[1].starts_with("sb,0.5,1,10,false,0.3,2,2,2,2,,"));
        assert!(lines[2].contains(",true,0.3,,,,,,"));
        let json = r.to_json();
        assert!(json.contains("\"train_loss\": [\n        null"), "{json}");
    }

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
        let cells = config.cells();
        let r = run_cell(&config, cells[0], None);
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
