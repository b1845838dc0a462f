//! Why a run broke: the numbers behind a loss that diverged, blew up or stalled, and the
//! cause they point to.
//!
//! Cheap enough to run when asked (one product of the input layer over a few hundred
//! rows), never on every step; only the loss track (`LossTrack`) is fed every step, in
//! O(1). What it reads:
//! - each gate's pre-softmax logits x·W_gk + b_gk (eq. 7): past a logit gap of about
//!   `SATURATED`, softmax puts all the weight on one expert and its gradient
//!   p_j·(δ_ij − p_i) vanishes (e^−30 ≈ 10^−13), so the gate can no longer learn;
//! - each expert's ReLU units f_i(x) = ReLU(x·W_i + b_i) (eq. 6's f_i): a unit whose
//!   pre-activation is ≤ 0 on every row outputs 0 and gets no gradient, so it never comes
//!   back; an expert whose units are all dead is gone for good;
//! - each gate's mean weight over the rows (one expert taking ~all of it is collapse);
//! - how far each weight matrix has grown from its Glorot scale;
//! - the loss track: non-finite losses, a spike, the last step the loss improved.

use crate::core::data::Split;
use crate::core::layers::{relu, softmax};
use crate::core::model::{Model, TASKS};
use ndarray::{s, Array2, ArrayView2};
use serde::Serialize;

/// Test rows a diagnosis reads, on the page and in the CLI (enough for a unit that fires
/// on any row to show; one product of the input layer over them).
pub const ROWS: usize = 500;
/// Logit magnitude past which a gate's softmax is saturated (see the module comment).
pub const SATURATED: f32 = 30.0;
/// A gate's mean weight on one expert at or past which the gate has collapsed onto it.
pub const COLLAPSED: f32 = 0.95;
/// Weights whose RMS has grown this many times their Glorot scale were pushed by steps
/// far too large (healthy runs of 2,000 steps stay under 5: seed 1, lr 0.01 and 0.001).
pub const GROWN: f32 = 20.0;
/// A batch loss this many times the best smoothed loss so far is a spike; a smoothed loss
/// this many times its best has blown up (the page's 'blown' uses the same ratio).
pub const BLOWN: f64 = 10.0;
/// The smoothed loss must fall below this share of its best to count as an improvement
/// (well above the wobble of a 50-step average of batch losses).
const IMPROVES: f64 = 0.95;
/// The exponential smoothing's weight on each new loss: about the last 50 steps, as the
/// page's recent loss.
const SMOOTHING: f64 = 1.0 / 50.0;
/// Steps before the smoothed loss counts (it starts at the first batch's loss).
const WARM_UP: usize = 50;

/// What each training step's losses said, kept in O(1) per step.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LossTrack {
    /// The last step recorded.
    step: usize,
    smooth: [f64; TASKS],
    best: [f64; TASKS],
    /// The last step whose smoothed loss (either task) was a new best by 5%.
    improved_at: usize,
    /// The first step whose batch loss was `BLOWN` times the best smoothed loss.
    spike_at: Option<usize>,
    /// The first step whose loss was not a finite number.
    diverged_at: Option<usize>,
}

impl LossTrack {
    /// Records step `step`'s batch losses (a non-finite one marks the divergence).
    pub fn push(&mut self, step: usize, losses: &[f64; TASKS]) {
        if losses.iter().any(|l| !l.is_finite()) {
            self.diverged_at.get_or_insert(step);
            return;
        }
        let first = self.step == 0;
        self.step = step;
        for (t, &loss) in losses.iter().enumerate() {
            self.smooth[t] = if first {
                loss
            } else {
                self.smooth[t] + SMOOTHING * (loss - self.smooth[t])
            };
            if step <= WARM_UP {
                self.best[t] = self.smooth[t];
                self.improved_at = step;
                continue;
            }
            if self.spike_at.is_none() && loss >= BLOWN * self.best[t] {
                self.spike_at = Some(step);
            }
            if self.smooth[t] < IMPROVES * self.best[t] {
                self.best[t] = self.smooth[t];
                self.improved_at = step;
            }
        }
    }

    /// A task's smoothed loss over its best (the larger of the two tasks'); 1 before any step.
    pub fn loss_ratio(&self) -> f64 {
        (0..TASKS)
            .map(|t| self.smooth[t] / self.best[t])
            .filter(|r| r.is_finite())
            .fold(1.0, f64::max)
    }
}

/// The cause the numbers point to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    /// The loss diverged or spiked, or the weights overflowed or grew `GROWN` times their
    /// initial scale, with the gates unsaturated: Adam's steps are too large for this model.
    LearningRate,
    /// As `LearningRate` but with a gate's logits past `SATURATED`; or, the loss flat, a
    /// saturated gate: eq. 7's softmax routes each row to one expert and cannot learn.
    GateLogits,
    /// A task's tower has every ReLU unit dead on every row: it outputs a constant, and no
    /// gradient reaches the experts or gates beneath it.
    DeadTowers,
    /// Every unit of some experts is dead on every row: those experts are gone for good.
    DeadExperts,
    /// A gate gives one expert ~all its weight on average over the rows.
    CollapsedGates,
}

/// The numbers of a model's state, read on some rows, and the cause they point to.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnosis {
    pub cause: Option<Cause>,
    /// The last step the loss was recorded at.
    pub step: usize,
    /// Where the trouble began: the divergence, else the spike, else the last step the
    /// smoothed loss improved (a stall's start).
    pub onset: usize,
    pub diverged_at: Option<usize>,
    pub spike_at: Option<usize>,
    /// The smoothed loss over its best (the worse task).
    pub loss_ratio: f64,
    /// Per gate: the largest |logit| before the softmax, over the rows.
    pub gate_logits: Vec<f32>,
    /// The gates (0-based) whose logits reach `SATURATED`.
    pub saturated_gates: Vec<usize>,
    /// Per gate: its mean weight on its favourite expert, over the rows.
    pub gate_top: Vec<f32>,
    /// Per expert (Shared-Bottom: its bottom): the share of its ReLU units dead on every row.
    pub dead_units: Vec<f32>,
    /// The experts (0-based) whose units are all dead.
    pub dead_experts: Vec<usize>,
    /// Per task: the share of its tower's hidden ReLU units dead on every row.
    pub dead_tower: [f32; TASKS],
    /// The largest RMS of a weight block over its Glorot initial RMS, sqrt(2 / (fan_in + fan_out)).
    pub weight_growth: f32,
    /// Weights that are not finite numbers (overflowed): a ReLU hides them (it outputs 0
    /// for NaN), so the loss can stay finite.
    pub nonfinite_weights: usize,
    /// Rows the numbers were read on.
    pub rows: usize,
}

impl Diagnosis {
    /// The largest |gate logit| of any gate (0 for an ungated model).
    pub fn max_logit(&self) -> f32 {
        self.gate_logits.iter().copied().fold(0.0, f32::max)
    }
}

/// Reads `model`'s state on the first `rows` rows of `split`, with `track`'s losses, and
/// names the cause (`None`: nothing is wrong that these numbers show).
pub fn diagnose(model: &Model, split: &Split, rows: usize, track: &LossTrack) -> Diagnosis {
    let rows = rows.min(split.len());
    let mut buf = Array2::zeros((rows, split.x.width()));
    let x = split.x.chunk(0, rows, &mut buf);
    let z = model.pre_activations(x);
    // A copy runs the whole forward pass, so the model's last batch stays as it was.
    let mut copy = model.clone();
    copy.forward(x, None);
    let dead_tower = std::array::from_fn(|t| dead_share(copy.tower_hidden(t)));
    let mixture = model.mixture();
    let units = mixture.expert_units();

    let dead_units: Vec<f32> = (0..mixture.expert_count())
        .map(|e| dead_share(z.slice(s![.., e * units..(e + 1) * units])))
        .collect();
    let dead_experts = (0..dead_units.len())
        .filter(|&e| dead_units[e] >= 1.0)
        .collect::<Vec<_>>();

    let gates = mixture.gate_columns();
    let gate_logits: Vec<f32> = gates
        .iter()
        .map(|c| {
            z.slice(s![.., c.clone()])
                .iter()
                .fold(0.0f32, |m, &v| largest(m, v))
        })
        .collect();
    let saturated_gates = (0..gate_logits.len())
        .filter(|&g| gate_logits[g] >= SATURATED)
        .collect();
    let gate_top = gates
        .iter()
        .map(|c| top_weight(z.slice(s![.., c.clone()])))
        .collect();

    let mut diagnosis = Diagnosis {
        cause: None,
        step: track.step,
        onset: track
            .diverged_at
            .or(track.spike_at)
            .unwrap_or(track.improved_at),
        diverged_at: track.diverged_at,
        spike_at: track.spike_at,
        loss_ratio: track.loss_ratio(),
        gate_logits,
        saturated_gates,
        gate_top,
        dead_units,
        dead_experts,
        dead_tower,
        weight_growth: weight_growth(model),
        nonfinite_weights: model
            .weight_blocks()
            .iter()
            .map(|(w, _)| w.iter().filter(|v| !v.is_finite()).count())
            .sum(),
        rows,
    };
    diagnosis.cause = cause(&diagnosis);
    diagnosis
}

/// The cause, first match: a loss that diverged or spiked, or weights that overflowed, is
/// the learning rate's doing (through saturated gates when their logits are huge); a flat
/// loss is explained by dead towers, then dead experts, then saturated gates, then weights
/// grown far past their scale, then a collapsed gate.
fn cause(d: &Diagnosis) -> Option<Cause> {
    let saturated = !d.saturated_gates.is_empty();
    let blown = d.diverged_at.is_some()
        || d.spike_at.is_some()
        || d.loss_ratio >= BLOWN
        || d.nonfinite_weights > 0;
    let too_high = if saturated {
        Cause::GateLogits
    } else {
        Cause::LearningRate
    };
    if blown {
        Some(too_high)
    } else if d.dead_tower.iter().any(|&dead| dead >= 1.0) {
        Some(Cause::DeadTowers)
    } else if !d.dead_experts.is_empty() {
        Some(Cause::DeadExperts)
    } else if saturated || d.weight_growth >= GROWN {
        Some(too_high)
    } else {
        d.gate_top
            .iter()
            .any(|&top| top >= COLLAPSED)
            .then_some(Cause::CollapsedGates)
    }
}

/// The larger of `m` and |v|, a non-finite `v` counting as infinite.
fn largest(m: f32, v: f32) -> f32 {
    if v.is_finite() {
        m.max(v.abs())
    } else {
        f32::INFINITY
    }
}

/// The share of the columns (ReLU units) of `z` the ReLU zeroes (≤ 0 or NaN) on every row: units
/// that output 0 whatever the input, and get no gradient to come back.
fn dead_share(z: ArrayView2<f32>) -> f32 {
    let dead = z
        .columns()
        .into_iter()
        .filter(|c| c.iter().all(|&v| relu(v) == 0.0))
        .count();
    dead as f32 / z.ncols().max(1) as f32
}

/// A gate's mean softmax weight (eq. 7) over the rows of `logits`, on its favourite expert.
fn top_weight(logits: ArrayView2<f32>) -> f32 {
    let mut mean = vec![0.0f32; logits.ncols()];
    let mut p = vec![0.0f32; logits.ncols()];
    for row in logits.rows() {
        p.iter_mut().zip(row).for_each(|(pj, &v)| *pj = v);
        softmax(&mut p);
        mean.iter_mut().zip(&p).for_each(|(m, &pj)| *m += pj);
    }
    let rows = logits.nrows().max(1) as f32;
    mean.iter().fold(0.0f32, |m, &v| m.max(v / rows))
}

/// The largest ratio of a weight block's RMS to its Glorot initial RMS: how far the
/// weights have grown (about 1 at the start; Adam's steps of ~lr per weight add to it).
fn weight_growth(model: &Model) -> f32 {
    let mut growth = 0.0f32;
    for (w, blocks) in model.weight_blocks() {
        let fan_in = w.nrows();
        let mut first = 0;
        for width in blocks {
            let block = w.slice(s![.., first..first + width]);
            let rms = (block.iter().map(|v| v * v).sum::<f32>() / block.len() as f32).sqrt();
            if !rms.is_finite() {
                return f32::INFINITY;
            }
            let glorot = (2.0 / (fan_in + width) as f32).sqrt();
            growth = growth.max(rms / glorot);
            first += width;
        }
    }
    growth
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::layers::Param;
    use crate::core::settings::{ModelKind, Settings};
    use crate::core::train::Session;

    /// A session of `kind` at `settings` trained `steps` steps, with each step's losses tracked.
    fn trained(kind: ModelKind, settings: Settings, steps: usize) -> (Session, LossTrack) {
        let mut session = Session::new(settings, &[kind]).expect("valid settings");
        let mut track = LossTrack::default();
        let mut losses = Vec::new();
        for _ in 0..steps {
            session.train_step(&mut losses);
            match losses[0] {
                Ok(l) => track.push(session.trainers[0].step, &l),
                Err(d) => track.push(d.step, &[f64::NAN; TASKS]),
            }
        }
        (session, track)
    }

    fn diagnosed(session: &Session, track: &LossTrack) -> Diagnosis {
        diagnose(&session.trainers[0].model, &session.data.test, ROWS, track)
    }

    /// Calls `f` on the parameter named `name` (of task `task` for a tower's).
    fn with_param(session: &mut Session, name: &str, task: usize, f: impl Fn(&mut Param)) {
        session.trainers[0]
            .model
            .visit_params_mut(&mut |part, i, p| {
                if part == name && i == task {
                    f(p)
                }
            });
    }

    fn small() -> Settings {
        Settings {
            train_samples: 2000,
            test_samples: 1000,
            streaming: false,
            ..Settings::default()
        }
    }

    #[test]
    fn a_healthy_run_has_no_cause() {
        let (session, track) = trained(ModelKind::Mmoe, small(), 300);
        let d = diagnosed(&session, &track);
        assert_eq!(d.cause, None, "{d:?}");
        assert_eq!(
            (d.step, d.rows, d.diverged_at, d.spike_at),
            (300, ROWS, None, None)
        );
        assert!(d.max_logit() < 10.0 && d.weight_growth < 2.0, "{d:?}");
        assert!(d.dead_experts.is_empty() && d.dead_tower.iter().all(|&v| v < 1.0));
        assert_eq!(d.gate_logits.len(), 2);
        assert!(d.gate_top.iter().all(|&t| t < 0.5), "{d:?}");
        assert!(d.loss_ratio < 1.05, "{d:?}");
    }

    /// Labels a hundred times larger and Adam without second-moment averaging: the weights
    /// overflow within a few dozen steps (seed 1).
    fn exploding() -> Settings {
        Settings {
            scale: 100.0,
            lr: 0.01,
            beta2: 0.0,
            ..small()
        }
    }

    #[test]
    fn a_diverging_mmoe_is_exploding_gate_logits_at_its_step() {
        let (session, track) = trained(ModelKind::Mmoe, exploding(), 100);
        let diverged = session.trainers[0].diverged.expect("diverges").step;
        let d = diagnosed(&session, &track);
        assert_eq!(d.cause, Some(Cause::GateLogits), "{d:?}");
        assert_eq!((d.diverged_at, d.onset), (Some(diverged), diverged));
        assert!(d.max_logit() > 1e6, "{d:?}");
        assert!(d.weight_growth > 1e6, "{d:?}");
    }

    #[test]
    fn a_diverging_shared_bottom_is_the_learning_rate() {
        // No gate to saturate: the learning rate, with the weights grown past all scale.
        let (session, track) = trained(ModelKind::Sb, exploding(), 100);
        let d = diagnosed(&session, &track);
        assert_eq!(d.cause, Some(Cause::LearningRate), "{d:?}");
        assert!(d.gate_logits.is_empty() && d.diverged_at.is_some());
        assert!(d.weight_growth > 1e6, "{d:?}");
    }

    #[test]
    fn a_huge_learning_rate_kills_mmoes_towers() {
        // lr 0.1 on the page's default data (streaming, seed 1): every unit of task 1's
        // tower dies and the loss stays where a constant prediction's is.
        let settings = Settings {
            lr: 0.1,
            ..Settings::default()
        };
        let (session, track) = trained(ModelKind::Mmoe, settings, 1000);
        let d = diagnosed(&session, &track);
        assert_eq!(d.cause, Some(Cause::DeadTowers), "{d:?}");
        assert_eq!(d.dead_tower[0], 1.0, "{d:?}");
        assert!(d.onset < 500 && d.spike_at.is_none(), "{d:?}");
        assert!(d.weight_growth > 3.0, "{d:?}");
    }

    #[test]
    fn a_huge_learning_rate_saturates_mmoes_gates() {
        // lr 0.1 on a fixed training set (seed 1): the loss flat, the gates' logits past
        // SATURATED, the weights grown well past their initial scale.
        let settings = Settings { lr: 0.1, ..small() };
        let (session, track) = trained(ModelKind::Mmoe, settings, 600);
        let d = diagnosed(&session, &track);
        assert_eq!(d.cause, Some(Cause::GateLogits), "{d:?}");
        assert!(d.max_logit() > SATURATED && d.weight_growth > 10.0, "{d:?}");
        assert!(d.spike_at.is_none() && d.loss_ratio < 1.1, "{d:?}");
    }

    #[test]
    fn experts_whose_units_never_fire_are_a_dead_expert_set() {
        let (mut session, track) = trained(ModelKind::Mmoe, small(), 20);
        let units = session.settings.expert_units;
        // Experts 2 and 5: every unit's bias far below anything x·W reaches.
        with_param(&mut session, "experts_and_gates.b", 0, |b| {
            for e in [2, 5] {
                b.value
                    .slice_mut(s![0, e * units..(e + 1) * units])
                    .fill(-1e3);
            }
        });
        let d = diagnosed(&session, &track);
        assert_eq!(d.cause, Some(Cause::DeadExperts), "{d:?}");
        assert_eq!(d.dead_experts, vec![2, 5]);
        assert_eq!((d.dead_units[2], d.dead_units[5]), (1.0, 1.0));
        assert!(d.dead_units[0] < 1.0);
    }

    #[test]
    fn a_dead_tower_comes_before_dead_experts() {
        let (mut session, track) = trained(ModelKind::Omoe, small(), 20);
        with_param(&mut session, "tower.hidden.b", 1, |b| b.value.fill(-1e3));
        let d = diagnosed(&session, &track);
        assert_eq!(d.cause, Some(Cause::DeadTowers), "{d:?}");
        assert_eq!(d.dead_tower, [d.dead_tower[0], 1.0]);
        assert!(d.dead_tower[0] < 1.0);
    }

    #[test]
    fn gate_weights_scaled_up_are_exploding_logits() {
        let (mut session, track) = trained(ModelKind::Mmoe, small(), 20);
        let gates = session.trainers[0].model.mixture().gate_columns();
        with_param(&mut session, "experts_and_gates.w", 0, |w| {
            w.value
                .slice_mut(s![.., gates[1].clone()])
                .mapv_inplace(|v| v * 1e3);
        });
        let d = diagnosed(&session, &track);
        assert_eq!(d.cause, Some(Cause::GateLogits), "{d:?}");
        assert!(
            d.gate_logits[1] > 100.0 * SATURATED && d.gate_logits[0] < 10.0,
            "{d:?}"
        );
    }

    #[test]
    fn a_gate_that_favours_one_expert_for_every_row_has_collapsed() {
        let (mut session, track) = trained(ModelKind::Cgc, small(), 20);
        let gates = session.trainers[0].model.mixture().gate_columns();
        // Task 2's gate: a bias of 20 on its first expert (e^20 against ~1: all the weight)
        // keeps the logits under SATURATED.
        with_param(&mut session, "experts_and_gates.b", 0, |b| {
            b.value[[0, gates[1].start]] = 20.0;
        });
        let d = diagnosed(&session, &track);
        assert_eq!(d.cause, Some(Cause::CollapsedGates), "{d:?}");
        assert!(d.gate_top[1] > 0.99 && d.gate_top[0] < 0.5, "{d:?}");
        assert!(d.max_logit() < SATURATED, "{d:?}");
    }

    #[test]
    fn overflowed_weights_are_the_learning_rate_though_the_loss_is_finite() {
        let (mut session, track) = trained(ModelKind::Sb, small(), 20);
        with_param(&mut session, "experts_and_gates.w", 0, |w| {
            w.value[[0, 0]] = f32::NAN;
        });
        let d = diagnosed(&session, &track);
        assert_eq!(
            (d.cause, d.nonfinite_weights),
            (Some(Cause::LearningRate), 1)
        );
        assert_eq!(d.weight_growth, f32::INFINITY);
    }

    #[test]
    fn the_track_finds_the_spike_and_the_last_improvement() {
        let mut track = LossTrack::default();
        for step in 1..=200 {
            let l = if step <= 100 {
                10.0 - step as f64 * 0.05
            } else {
                5.0
            };
            track.push(step, &[l, 1.0]);
        }
        assert_eq!(track.spike_at, None);
        let improved = track.improved_at;
        assert!((100..200).contains(&improved), "{improved}");
        track.push(201, &[60.0, 1.0]);
        assert_eq!(track.spike_at, Some(201));
        track.push(202, &[f64::NAN, 1.0]);
        track.push(203, &[f64::INFINITY, 1.0]);
        assert_eq!((track.diverged_at, track.step), (Some(202), 201));
        assert!(track.loss_ratio() > 1.1);
    }
}
