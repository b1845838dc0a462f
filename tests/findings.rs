//! The paper's findings, checked on small seeded sweeps at paper sizes (d = 100, 8 experts
//! × 16, towers 8, Shared-Bottom 113, batch 128), each on the data its margins were
//! measured on (docs/reproduction.md). About a million replica-steps on every core: run
//! as release code, `cargo test --release --test findings` (scripts/test.sh does), in
//! about three minutes on two cores; the plain `cargo test` leaves it out (Cargo.toml).
//!
//! - **the defaults** (the paper's Figure 2 data, streaming, Adam 0.001): 6 seeds ×
//!   20,000 steps at p = 1 and 0.5, the scale at which the story shows: OMoE loses ground
//!   as the tasks drift apart, MMoE holds, its gates separate, Shared-Bottom stays behind;
//! - **the paper's Figure 3** (the defaults with a 16-unit shared bottom): Shared-Bottom
//!   alone, 6 seeds × 20,000 steps at p = 1 and 0.5: its loss rises as the tasks drift apart;
//! - **the "ple" data** (PLE 2020's guess, 10,000 fixed samples, Adam 0.01): 6 seeds ×
//!   800 steps at p = 1 and 0.1, the gap between the gated models and Shared-Bottom.
//!
//! Every check is a median or a count over the seeds, with margins read off the ten
//! 6-seed blocks of seeds 1-60 (defaults) and the 20-seed runs (ple), disjoint seed sets, so no single
//! lucky seed decides a test. Findings that did not reproduce are not asserted.

use mmoe::core::metrics::median;
use mmoe::experiment::grid::SweepConfig;
use mmoe::experiment::native::run_parallel;
use mmoe::experiment::results::{Metric, SweepResults};
use mmoe::experiment::stats::Stat;
use mmoe::ModelKind::{self, Mmoe, Omoe, Sb};
use mmoe::Settings;
use std::sync::OnceLock;

const HIGH: f64 = 1.0;
const LOW: f64 = 0.1;
const APART: f64 = 0.5;

fn sweep(
    models: &[ModelKind],
    base: Settings,
    low: f64,
    steps: usize,
    curve_every: usize,
) -> SweepResults {
    let config = SweepConfig {
        models: models.to_vec(),
        correlations: vec![HIGH, low],
        seeds: 6,
        first_seed: 1,
        steps,
        curve_every,
        base,
    };
    config.validate().unwrap();
    run_parallel(&config, 2, |_, _| {})
}

/// The "ple" sweep shared by its tests: 36 cells × 800 steps.
fn results() -> &'static SweepResults {
    static RESULTS: OnceLock<SweepResults> = OnceLock::new();
    RESULTS.get_or_init(|| {
        let base = Settings {
            lr: 0.01,
            ..Settings::default().with_data_preset("ple").unwrap()
        };
        sweep(&[Sb, Omoe, Mmoe], base, LOW, 800, 20)
    })
}

/// The sweep at the defaults shared by its tests: 36 cells × 20,000 steps.
fn defaults() -> &'static SweepResults {
    static RESULTS: OnceLock<SweepResults> = OnceLock::new();
    RESULTS.get_or_init(|| sweep(&[Sb, Omoe, Mmoe], Settings::default(), APART, 20_000, 1000))
}

/// The paper's Figure 3 at the defaults' data: Shared-Bottom alone with a 16-unit shared
/// bottom, 12 cells × 20,000 steps.
fn figure3() -> &'static SweepResults {
    static RESULTS: OnceLock<SweepResults> = OnceLock::new();
    RESULTS.get_or_init(|| {
        let base = Settings {
            bottom_units: 16,
            ..Settings::default()
        };
        sweep(&[Sb], base, APART, 20_000, 1000)
    })
}

/// Per-seed ratio a / b of a metric at one correlation (same seed = same data).
fn ratios(a: ModelKind, b: ModelKind, p: f64, metric: Metric) -> Vec<f64> {
    ratios_in(results(), a, b, p, metric)
}

fn ratios_in(r: &SweepResults, a: ModelKind, b: ModelKind, p: f64, metric: Metric) -> Vec<f64> {
    r.values(a, p, metric)
        .into_iter()
        .zip(r.values(b, p, metric))
        .map(|(x, y)| x / y)
        .collect()
}

#[test]
fn ple_no_run_diverges() {
    assert!(results().cells.iter().all(|c| !c.diverged));
    assert_eq!(results().cells.len(), 36);
}

#[test]
fn ple_gated_models_beat_shared_bottom_at_every_correlation() {
    // Seen: median Shared-Bottom / MMoE 1.5–2.6 on 6-seed subsets.
    for p in [HIGH, LOW] {
        let m = median(&ratios(Sb, Mmoe, p, Metric::TrainLossMean));
        assert!(m > 1.2, "p={p}: median SB / MMoE training loss {m:.3}");
    }
}

#[test]
fn ple_omoe_matches_mmoe_when_the_tasks_are_identical() {
    // Finding (c): at p = 1 the OMoE–MMoE gap is small next to the Shared-Bottom–MMoE gap
    // (seen: 0.24 vs 0.92, 0.03 vs 0.54, −0.07 vs 0.54 on three seed sets).
    let omoe = median(&ratios(Omoe, Mmoe, HIGH, Metric::TrainLoss(0))) - 1.0;
    let sb = median(&ratios(Sb, Mmoe, HIGH, Metric::TrainLoss(0))) - 1.0;
    assert!(
        omoe.abs() < 0.5 * sb,
        "OMoE gap {omoe:.3} vs Shared-Bottom gap {sb:.3}"
    );
}

#[test]
fn ple_omoe_falls_behind_mmoe_when_the_tasks_differ() {
    // Finding (b), the part that reproduced: with a shared gate, OMoE trains task 1 worse
    // than MMoE at p = 0.1 early in training (seen in 5–6 of 6 seeds, 19/20 at 20 seeds).
    let worse = ratios(Omoe, Mmoe, LOW, Metric::TrainLoss(0))
        .iter()
        .filter(|&&r| r > 1.0)
        .count();
    assert!(
        worse >= 4,
        "OMoE worse than MMoE in only {worse} of 6 seeds"
    );
}

#[test]
fn ple_mmoe_gates_separate_as_the_correlation_falls() {
    // The clearest effect: the L1 distance between the two tasks' mean gate weights
    // (seen: medians 0.08–0.16 at p = 1, 0.25–0.53 at p = 0.1; higher in 6/6 seeds).
    let r = results();
    let high = r.values(Mmoe, HIGH, Metric::GateL1);
    let low = r.values(Mmoe, LOW, Metric::GateL1);
    let apart = high.iter().zip(&low).filter(|(h, l)| l > h).count();
    assert!(
        apart >= 5,
        "gates further apart at p=0.1 in {apart} of 6 seeds"
    );
    let (mh, ml) = (median(&high), median(&low));
    assert!(ml > 2.0 * mh, "median L1 {mh:.3} at p=1, {ml:.3} at p=0.1");
    // OMoE has one gate: its two tasks' gate distributions are identical by construction.
    assert!(r
        .values(Omoe, LOW, Metric::GateJsd)
        .iter()
        .all(|&j| j.abs() < 1e-9));
}

#[test]
fn ple_shared_bottom_final_loss_varies_more_over_seeds() {
    // Finding (d), trainability: pooled over both correlations, Shared-Bottom's final
    // task-1 loss has a larger spread than MMoE's (seen: 1.7–21× on 6-seed subsets).
    let r = results();
    let pooled = |m: ModelKind| {
        let mut v = r.values(m, HIGH, Metric::TrainLoss(0));
        v.extend(r.values(m, LOW, Metric::TrainLoss(0)));
        mmoe::experiment::stats::Stat::of(&v).sd
    };
    let (sb, mm) = (pooled(Sb), pooled(Mmoe));
    assert!(sb > 1.3 * mm, "sd Shared-Bottom {sb:.4}, MMoE {mm:.4}");
}

/// Per-seed change of task 1's final training loss from p = 1 to p = 0.5 (a ratio).
fn drift(model: ModelKind) -> Vec<f64> {
    drift_in(defaults(), model)
}

fn drift_in(r: &SweepResults, model: ModelKind) -> Vec<f64> {
    r.values(model, APART, Metric::TrainLoss(0))
        .into_iter()
        .zip(r.values(model, HIGH, Metric::TrainLoss(0)))
        .map(|(apart, same)| apart / same)
        .collect()
}

#[test]
fn defaults_omoe_loses_ground_as_the_tasks_drift_apart_and_mmoe_holds() {
    // Finding (b): with one gate, OMoE's task-1 loss rises from p = 1 to 0.5, by more
    // than MMoE's (seen on the ten 6-seed blocks of seeds 1-60, 20,000 steps: median rise
    // ×1.19-2.15, in 4-6 of 6 seeds; OMoE's rise over MMoE's ×1.12-4.69, in 3-6 of 6),
    // while MMoE's median change stays ×0.35-1.36.
    let omoe = drift(Omoe);
    let up = omoe.iter().filter(|&&r| r > 1.0).count();
    let over: Vec<f64> = omoe.iter().zip(drift(Mmoe)).map(|(o, m)| o / m).collect();
    let more = over.iter().filter(|&&r| r > 1.0).count();
    let (m, o, mm) = (median(&omoe), median(&over), median(&drift(Mmoe)));
    assert!(
        m > 1.15 && up >= 4,
        "OMoE: median change ×{m:.3}, up in {up} of 6"
    );
    assert!(
        o > 1.05 && more >= 3,
        "OMoE / MMoE change ×{o:.3}, more in {more} of 6"
    );
    assert!(mm < 1.5, "MMoE: median change ×{mm:.3}");
}

#[test]
fn figure3_a_small_shared_bottom_does_better_when_the_tasks_agree() {
    // Finding (a), the paper's Figure 3: with a 16-unit shared bottom the two tasks compete
    // for too few units, so task 1's loss rises as p falls (the paper: 0.285 at p = 1,
    // 0.40 at p = 0.5). Seen on the ten 6-seed blocks of seeds 1-60, 20,000 steps: mean
    // loss at p = 0.5 over mean loss at p = 1 ×1.12-2.38, the loss up in 3-6 of 6 seeds.
    let r = figure3();
    assert!(r.cells.iter().all(|c| !c.diverged));
    let mean = |p| Stat::of(&r.values(Sb, p, Metric::TrainLoss(0))).mean;
    let rise = mean(APART) / mean(HIGH);
    let up = drift_in(r, Sb).iter().filter(|&&x| x > 1.0).count();
    assert!(
        rise > 1.05 && up >= 3,
        "mean loss ×{rise:.3} from p = 1 to 0.5, up in {up} of 6"
    );
}

#[test]
fn defaults_gated_models_beat_shared_bottom_when_the_tasks_differ() {
    // Seen: median Shared-Bottom / MMoE at p = 0.5 1.12-3.17 on the ten 6-seed
    // blocks. The paper-sized Shared-Bottom's own rise with p is not asserted: at its 113
    // units it is within the seed noise up to 100,000 steps (docs/reproduction.md); the
    // 16-unit bottom of Figure 3 shows it (above).
    let m = median(&ratios_in(
        defaults(),
        Sb,
        Mmoe,
        APART,
        Metric::TrainLoss(0),
    ));
    assert!(m > 1.05, "median SB / MMoE at p = 0.5: {m:.3}");
}

#[test]
fn defaults_omoe_matches_mmoe_when_the_tasks_are_identical() {
    // Finding (c): at p = 1 one gate does as well as two (seen: median OMoE / MMoE
    // 0.83-1.34 on nine of the ten 6-seed blocks; 0.33 on seeds 19-24, where MMoE's runs
    // at p = 1 got stuck: so only the upper side is asserted).
    let m = median(&ratios_in(
        defaults(),
        Omoe,
        Mmoe,
        HIGH,
        Metric::TrainLoss(0),
    ));
    assert!(m < 1.45, "median OMoE / MMoE at p = 1: {m:.3}");
}

#[test]
fn defaults_mmoe_gates_separate_and_nothing_diverges() {
    // Seen: the L1 distance between the tasks' mean gates higher at p = 0.5 in every
    // seed, its median ×1.9-6.2 from p = 1 on the ten 6-seed blocks.
    let r = defaults();
    assert!(r.cells.iter().all(|c| !c.diverged));
    let high = r.values(Mmoe, HIGH, Metric::GateL1);
    let low = r.values(Mmoe, APART, Metric::GateL1);
    assert!(
        high.iter().zip(&low).all(|(h, l)| l > h),
        "{high:?} vs {low:?}"
    );
    let (mh, ml) = (median(&high), median(&low));
    assert!(ml > 1.5 * mh, "median L1 {mh:.3} at p=1, {ml:.3} at p=0.5");
}
