//! The replica engine reproduces solo training bit for bit: every replica's batch losses
//! at every step, its test losses, AUCs and gate statistics equal those of the same
//! model trained alone by `Trainer` (what `mmoe train` runs), for every model kind, with
//! a binary task and with gate dropout, and whatever else shares the wide product.

use mmoe::core::replicas::Replicas;
use mmoe::{Dataset, ModelKind, Settings, TaskKind, Trainer};

fn settings(correlation: f64, task2: TaskKind, gate_dropout: f64) -> Settings {
    Settings {
        seed: 7,
        correlation,
        train_samples: 700, // several epochs in the steps below: reshuffles are covered
        test_samples: 300,  // not a multiple of the batch: a short last chunk
        task2,
        gate_dropout,
        ..Settings::default()
    }
}

/// Trains `cells` (model, index into `all`) both ways for `steps` steps and compares.
fn compare(all: &[Settings], cells: &[(ModelKind, usize)], steps: usize) {
    let data: Vec<Dataset> = all.iter().map(Dataset::generate).collect();
    let refs: Vec<&Dataset> = data.iter().collect();
    let mut solo: Vec<Trainer> = cells
        .iter()
        .map(|&(kind, d)| Trainer::new(kind, &all[d], &data[d]))
        .collect();
    let mut engine = Replicas::new(
        cells
            .iter()
            .map(|&(kind, d)| (Trainer::new(kind, &all[d], &data[d]), d))
            .collect(),
        &refs,
    );
    for step in 1..=steps {
        engine.train_step(&refs);
        for (i, (trainer, &(_, d))) in solo.iter_mut().zip(cells).enumerate() {
            let replica = &engine.replicas[i];
            match trainer.train_step(&data[d]) {
                Ok(losses) => {
                    assert_eq!(replica.diverged, None, "{} at step {step}", replica.kind);
                    assert_eq!(
                        replica.losses.map(f64::to_bits),
                        losses.map(f64::to_bits),
                        "{} (data set {d}) at step {step}",
                        replica.kind
                    );
                }
                Err(e) => assert_eq!(replica.diverged, Some(e), "{}", replica.kind),
            }
            assert_eq!(replica.step, trainer.step);
        }
    }
    let evaluations = engine.evaluate(&refs);
    for ((trainer, &(kind, d)), eval) in solo.iter_mut().zip(cells).zip(evaluations) {
        if trainer.diverged.is_some() {
            assert!(
                eval.is_none(),
                "{kind}: a diverged replica is not evaluated"
            );
            continue;
        }
        assert_eq!(
            eval,
            Some(trainer.evaluate(&data[d].test)),
            "{kind}, data set {d}"
        );
    }
}

#[test]
fn every_model_at_two_correlations_with_a_binary_task_and_gate_dropout() {
    let all = [
        settings(0.9, TaskKind::Binary, 0.3),
        settings(-0.2, TaskKind::Binary, 0.3),
    ];
    let cells: Vec<(ModelKind, usize)> = (0..all.len())
        .flat_map(|d| ModelKind::ALL.map(|kind| (kind, d)))
        .collect();
    compare(&all, &cells, 40);
}

#[test]
fn regression_tasks_without_dropout_and_a_replica_of_one() {
    let all = [settings(0.5, TaskKind::Regression, 0.0)];
    for kind in ModelKind::ALL {
        compare(&all, &[(kind, 0)], 25);
    }
    let cells: Vec<(ModelKind, usize)> = ModelKind::ALL.map(|kind| (kind, 0)).to_vec();
    compare(&all, &cells, 25);
}

#[test]
fn a_diverging_replica_stops_alone_and_the_others_stay_exact() {
    // Same data; one copy of the settings with a learning rate that explodes.
    let calm = settings(0.5, TaskKind::Regression, 0.1);
    let wild = Settings {
        lr: 1e30,
        ..calm.clone()
    };
    let all = [calm, wild];
    let cells = [
        (ModelKind::Mmoe, 0),
        (ModelKind::Sb, 1),
        (ModelKind::Cgc, 0),
        (ModelKind::Omoe, 1),
    ];
    compare(&all, &cells, 60);
    let data: Vec<Dataset> = all.iter().map(Dataset::generate).collect();
    let mut sb = Trainer::new(ModelKind::Sb, &all[1], &data[1]);
    let diverged = (0..60).any(|_| sb.train_step(&data[1]).is_err());
    assert!(
        diverged,
        "the wild settings must diverge for this test to mean anything"
    );
}

#[test]
fn a_fixed_training_set_is_shuffled_alike_for_every_replica() {
    // Streaming is the default; with it off, rows come from one shuffled training set.
    let fixed = |p| Settings {
        streaming: false,
        ..settings(p, TaskKind::Binary, 0.2)
    };
    let all = [fixed(1.0), fixed(0.3)];
    let cells: Vec<(ModelKind, usize)> = (0..all.len())
        .flat_map(|d| ModelKind::ALL.map(|kind| (kind, d)))
        .collect();
    compare(&all, &cells, 40);
}
