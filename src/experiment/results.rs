//! A sweep's results: each cell's numbers summarised per (model, correlation) as mean ±
//! standard error over seeds, paired per-seed comparisons, and `results.json` /
//! `results.csv`.

use crate::core::metrics::median;
use crate::core::model::TASKS;
use crate::core::settings::ModelKind;
use crate::experiment::grid::{CellResult, SweepConfig, FINAL_WINDOW};
use crate::experiment::stats::Stat;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

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
                let gated = model.info().gated;
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
            median_ratio: median(&ratios),
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
    use crate::experiment::grid::CurvePoint;

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
}
