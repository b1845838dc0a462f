//! The paper's findings that reproduced (docs/reproduction.md), checked on a small seeded
//! sweep: paper sizes (d = 100, 8 experts × 16, towers 8, Shared-Bottom 113, Adam 0.01,
//! batch 128), 6 seeds, 800 steps, correlations 1 and 0.1, on the data these margins were
//! measured on: the "ple" data preset (PLE 2020's guess, 10,000 fixed training samples).
//!
//! Every check is a median or a count over the seeds, with margins taken from the 20-seed
//! runs and verified on disjoint seed sets (1–6, 7–12, 4–9), so no single lucky seed
//! decides a test. Findings that did not reproduce at these sizes are not asserted.

use mmoe::experiment::grid::SweepConfig;
use mmoe::experiment::native::run_parallel;
use mmoe::experiment::results::{Metric, SweepResults};
use mmoe::ModelKind::{self, Mmoe, Omoe, Sb};
use std::sync::OnceLock;

const HIGH: f64 = 1.0;
const LOW: f64 = 0.1;

/// One sweep shared by all tests (it is the expensive part: 36 cells × 800 steps).
fn results() -> &'static SweepResults {
    static RESULTS: OnceLock<SweepResults> = OnceLock::new();
    RESULTS.get_or_init(|| {
        let config = SweepConfig {
            models: vec![Sb, Omoe, Mmoe],
            correlations: vec![HIGH, LOW],
            seeds: 6,
            first_seed: 1,
            steps: 800,
            curve_every: 20,
            base: mmoe::Settings {
                lr: 0.01,
                ..mmoe::Settings::default().with_data_preset("ple").unwrap()
            },
        };
        config.validate().unwrap();
        run_parallel(&config, 2, |_, _| {})
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    assert!(n > 0);
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Per-seed ratio a / b of a metric at one correlation (same seed = same data).
fn ratios(a: ModelKind, b: ModelKind, p: f64, metric: Metric) -> Vec<f64> {
    let r = results();
    r.values(a, p, metric)
        .into_iter()
        .zip(r.values(b, p, metric))
        .map(|(x, y)| x / y)
        .collect()
}

#[test]
fn no_run_diverges_at_the_paper_settings() {
    assert!(results().cells.iter().all(|c| !c.diverged));
    assert_eq!(results().cells.len(), 36);
}

#[test]
fn gated_models_beat_shared_bottom_at_every_correlation() {
    // Seen: median Shared-Bottom / MMoE 1.5–2.6 on 6-seed subsets.
    for p in [HIGH, LOW] {
        let m = median(ratios(Sb, Mmoe, p, Metric::TrainLossMean));
        assert!(m > 1.2, "p={p}: median SB / MMoE training loss {m:.3}");
    }
}

#[test]
fn omoe_matches_mmoe_when_the_tasks_are_identical() {
    // Finding (c): at p = 1 the OMoE–MMoE gap is small next to the Shared-Bottom–MMoE gap
    // (seen: 0.24 vs 0.92, 0.03 vs 0.54, −0.07 vs 0.54 on three seed sets).
    let omoe = median(ratios(Omoe, Mmoe, HIGH, Metric::TrainLoss(0))) - 1.0;
    let sb = median(ratios(Sb, Mmoe, HIGH, Metric::TrainLoss(0))) - 1.0;
    assert!(
        omoe.abs() < 0.5 * sb,
        "OMoE gap {omoe:.3} vs Shared-Bottom gap {sb:.3}"
    );
}

#[test]
fn omoe_falls_behind_mmoe_when_the_tasks_differ() {
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
fn mmoe_gates_separate_as_the_correlation_falls() {
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
    let (mh, ml) = (median(high), median(low));
    assert!(ml > 2.0 * mh, "median L1 {mh:.3} at p=1, {ml:.3} at p=0.1");
    // OMoE has one gate: its two tasks' gate distributions are identical by construction.
    assert!(r
        .values(Omoe, LOW, Metric::GateJsd)
        .iter()
        .all(|&j| j.abs() < 1e-9));
}

#[test]
fn shared_bottom_final_loss_varies_more_over_seeds() {
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
