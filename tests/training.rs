//! Training behaviour: every model learns both tasks, runs repeat bit for bit, and a
//! non-finite loss stops the run with `Diverged` instead of producing NaN forever.

use mmoe::{ModelKind, Session, Settings, TaskKind, Trainer};

/// PLE's smooth data with a fixed training set: the mechanics of training, checked where
/// 400 steps are enough (the paper's wiggly default data is checked in findings.rs).
fn small(task2: TaskKind) -> Settings {
    Settings {
        train_samples: 2000,
        test_samples: 500,
        correlation: 0.5,
        task2,
        lr: 0.01,
        ..Settings::default().with_data_preset("ple").unwrap()
    }
}

#[test]
fn training_reduces_every_task_loss_on_every_model() {
    for task2 in [TaskKind::Regression, TaskKind::Binary] {
        // The full 10 000 training samples: 400 steps is then five epochs, too few to
        // overfit the log-loss.
        let settings = Settings {
            train_samples: 10_000,
            ..small(task2)
        };
        let mut session = Session::new(settings, &ModelKind::ALL).unwrap();
        let data = &session.data;
        for trainer in &mut session.trainers {
            let kind = trainer.model.kind;
            let before = trainer.evaluate(&data.test);
            let mut first = [0.0; 2];
            let mut last = [0.0; 2];
            for step in 0..400 {
                let l = trainer.train_step(data).unwrap();
                for t in 0..2 {
                    if step < 20 {
                        first[t] += l[t] / 20.0;
                    }
                    if step >= 380 {
                        last[t] += l[t] / 20.0;
                    }
                }
            }
            let after = trainer.evaluate(&data.test);
            for t in 0..2 {
                assert!(
                    last[t] < 0.7 * first[t],
                    "{kind} task {t} ({task2:?}): train loss {first:?} -> {last:?}"
                );
                // Log-loss on 500 test samples overfits sooner than squared error, so the
                // binary task must only improve; its AUC is checked below.
                let factor = if t == 1 && task2 == TaskKind::Binary {
                    1.0
                } else {
                    0.8
                };
                assert!(
                    after.loss[t] < factor * before.loss[t],
                    "{kind} task {t} ({task2:?}): test loss {before:?} -> {after:?}"
                );
            }
            if task2 == TaskKind::Binary {
                let auc = after.auc[1].expect("binary task has an AUC");
                assert!(auc > 0.85, "{kind}: AUC {auc}");
                assert!(after.auc[0].is_none());
            }
        }
    }
}

#[test]
fn seeded_runs_are_bit_identical_and_seeds_differ() {
    let run = |seed: u32| {
        let settings = Settings {
            seed,
            gate_dropout: 0.1,
            ..small(TaskKind::Binary)
        };
        let mut session = Session::new(settings, &[ModelKind::Cgc, ModelKind::Mmoe]).unwrap();
        let data = &session.data;
        let mut bits = Vec::new();
        for trainer in &mut session.trainers {
            for _ in 0..60 {
                bits.extend(trainer.train_step(data).unwrap().map(f64::to_bits));
            }
            bits.extend(trainer.evaluate(&data.test).loss.map(f64::to_bits));
        }
        bits
    };
    assert_eq!(run(4), run(4));
    assert_ne!(run(4), run(5));
}

#[test]
fn a_model_trained_alone_follows_the_same_path_as_beside_others() {
    let settings = small(TaskKind::Regression);
    let mut together = Session::new(settings.clone(), &ModelKind::ALL).unwrap();
    let mut alone = Session::new(settings, &[ModelKind::Mmoe]).unwrap();
    for _ in 0..30 {
        let a = together.trainers[2].train_step(&together.data).unwrap();
        let b = alone.trainers[0].train_step(&alone.data).unwrap();
        assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits));
    }
}

#[test]
fn a_session_step_on_its_shared_batch_equals_each_model_alone_and_forks_exactly() {
    // Streaming rows: every model of a session trains on one draw per step, exactly as
    // each would on its own batch order; a fork mid-run goes on as the model would have.
    let settings = Settings {
        test_samples: 200,
        ..Settings::default()
    };
    let mut together = Session::new(settings.clone(), &ModelKind::ALL).unwrap();
    let mut alone: Vec<Trainer> = together.trainers.clone();
    let mut losses = Vec::new();
    for _ in 0..25 {
        together.train_step(&mut losses);
        for (t, l) in alone.iter_mut().zip(&losses) {
            let own = t.train_step(&together.data).unwrap();
            assert_eq!(
                l.unwrap().map(f64::to_bits),
                own.map(f64::to_bits),
                "{}",
                t.model.kind
            );
        }
    }
    let mut fork = together.fork(1).unwrap();
    for _ in 0..10 {
        together.train_step(&mut losses);
        let own = fork.train_step(&together.data).unwrap();
        assert_eq!(losses[1].unwrap().map(f64::to_bits), own.map(f64::to_bits));
    }
    assert!(together.fork(9).is_none());
}

#[test]
fn non_finite_loss_stops_with_diverged_naming_step_and_task() {
    let settings = small(TaskKind::Regression);
    let mut session = Session::new(settings, &[ModelKind::Mmoe]).unwrap();
    let data = &session.data;
    let trainer: &mut Trainer = &mut session.trainers[0];
    for _ in 0..5 {
        trainer.train_step(data).unwrap();
    }
    // Poison task 2's output layer, as an exploding learning rate would.
    trainer.model.visit_params_mut(&mut |name, tower, p| {
        if name == "tower.out.b" && tower == 1 {
            p.value.fill(f32::INFINITY);
        }
    });
    let err = trainer.train_step(data).unwrap_err();
    assert_eq!((err.step, err.task), (6, 1));
    assert!(
        err.to_string().contains("diverged at step 6: task 2"),
        "{err}"
    );
    // It stays stopped rather than stepping on with NaN weights.
    assert_eq!(trainer.train_step(data).unwrap_err(), err);
    assert_eq!(trainer.step, 6);
}

#[test]
fn changing_the_correlation_keeps_the_models_and_moves_label_pearson() {
    let mut session = Session::new(small(TaskKind::Regression), &[ModelKind::Mmoe]).unwrap();
    for _ in 0..10 {
        session.trainers[0].train_step(&session.data).unwrap();
    }
    let before = session.data.label_pearson;
    session.set_correlation(1.0).unwrap();
    assert!(session.data.label_pearson > before + 0.3);
    assert_eq!(session.trainers[0].step, 10);
    session.trainers[0].train_step(&session.data).unwrap();
    assert!(session.set_correlation(2.0).is_err());
}
