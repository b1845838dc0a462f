//! Finite-difference check of every parameter tensor of every model, for both loss types
//! and with gate dropout: the analytic gradient of L = Σ_t w_t·loss_t must match
//! (L(θ + h) − L(θ − h)) / 2h entry by entry.

use mmoe::core::layers::Param;
use mmoe::core::losses::Objective;
use mmoe::core::rng::{Rng, Stream};
use mmoe::{Model, ModelKind, Settings, TaskKind, TASKS};
use ndarray::Array2;

fn tiny(task2: TaskKind, gate_dropout: f64) -> Settings {
    Settings {
        input_dim: 5,
        experts: 3,
        expert_units: 4,
        bottom_units: 6,
        tower_units: 3,
        task_experts: 1,
        shared_experts: 2,
        batch_size: 7,
        weight1: 1.0,
        weight2: 0.7,
        task2,
        gate_dropout,
        ..Settings::default()
    }
}

struct Case {
    model: Model,
    x: Array2<f32>,
    y: [Vec<f32>; TASKS],
    objective: Objective,
    dropout: Rng,
}

impl Case {
    fn new(kind: ModelKind, settings: &Settings) -> Case {
        let mut rng = Rng::new(8, Stream::Samples, 0);
        let b = settings.batch_size;
        let x = Array2::from_shape_simple_fn((b, settings.input_dim), || rng.normal() as f32);
        let y = std::array::from_fn(|t| {
            (0..b)
                .map(|_| match settings.task_kinds()[t] {
                    TaskKind::Regression => rng.normal() as f32,
                    TaskKind::Binary => (rng.uniform() < 0.5) as u8 as f32,
                })
                .collect()
        });
        let mut model = Model::new(
            kind,
            settings,
            settings.input_dim,
            &mut Rng::new(9, Stream::Init, kind.id()),
        );
        // Zero biases put every pre-activation of an all-zero input row exactly on the
        // ReLU kink, where a central difference measures half the slope; jitter them off.
        model.visit_params_mut(&mut |_, _, p| {
            p.value.mapv_inplace(|v| v + 0.2 * rng.normal() as f32)
        });
        Case {
            model,
            x,
            y,
            objective: Objective::new(settings),
            dropout: Rng::new(3, Stream::Dropout, 0),
        }
    }

    /// The weighted total loss; the dropout generator is cloned so every evaluation
    /// draws the same gate-dropout mask.
    fn total_loss(&mut self) -> f64 {
        self.model
            .forward(self.x.view(), Some(&mut self.dropout.clone()));
        let losses = self.model.loss([&self.y[0], &self.y[1]], self.objective);
        losses
            .iter()
            .zip(self.objective.weights)
            .map(|(l, w)| l * w as f64)
            .sum()
    }

    fn with_param<R>(&mut self, index: usize, f: impl FnOnce(&mut Param) -> R) -> R {
        let mut f = Some(f);
        let mut out = None;
        let mut i = 0;
        self.model.visit_params_mut(&mut |_, _, p| {
            if i == index {
                out = Some((f.take().unwrap())(p));
            }
            i += 1;
        });
        out.expect("parameter index in range")
    }
}

fn check(kind: ModelKind, settings: &Settings) {
    let mut case = Case::new(kind, settings);
    case.total_loss();
    case.model.backward(case.x.view());
    let mut names = Vec::new();
    case.model.visit_params_mut(&mut |name, i, p| {
        names.push((format!("{name}[{i}]"), p.grad.clone(), p.value.len()))
    });

    let h = 5e-4f32;
    let mut checked = 0;
    for (index, (name, grad, len)) in names.iter().enumerate() {
        // Compare whole tensors, ‖numeric − analytic‖ / (‖numeric‖ + ‖analytic‖): a wrong
        // gradient scores O(1), while an entry that happens to sit on a ReLU kink or f32
        // rounding in the difference cannot dominate. (f32 losses limit the agreement to
        // about 1e-3 for the small gate gradients; a wrong formula gives 0.3 or more.)
        let (mut diff, mut norm_n, mut norm_a) = (0.0f64, 0.0f64, 0.0f64);
        for entry in 0..*len {
            let original = case.with_param(index, |p| p.value.as_slice().unwrap()[entry]);
            case.with_param(index, |p| {
                p.value.as_slice_mut().unwrap()[entry] = original + h
            });
            let up = case.total_loss();
            case.with_param(index, |p| {
                p.value.as_slice_mut().unwrap()[entry] = original - h
            });
            let down = case.total_loss();
            case.with_param(index, |p| p.value.as_slice_mut().unwrap()[entry] = original);
            let numeric = (up - down) / (2.0 * h as f64);
            let analytic = grad.as_slice().unwrap()[entry] as f64;
            diff += (numeric - analytic).powi(2);
            norm_n += numeric * numeric;
            norm_a += analytic * analytic;
            checked += 1;
        }
        let error = diff.sqrt() / (norm_n.sqrt() + norm_a.sqrt() + 1e-12);
        assert!(norm_a > 0.0, "{kind} {name}: gradient is identically zero");
        assert!(error < 2e-2, "{kind} {name}: relative error {error}");
    }
    assert_eq!(checked, case.model.parameter_count());
}

#[test]
fn every_model_regression_and_binary() {
    for kind in ModelKind::ALL {
        check(kind, &tiny(TaskKind::Regression, 0.0));
        check(kind, &tiny(TaskKind::Binary, 0.0));
    }
}

#[test]
fn gated_models_with_gate_dropout() {
    for kind in [ModelKind::Omoe, ModelKind::Mmoe, ModelKind::Cgc] {
        check(kind, &tiny(TaskKind::Binary, 0.4));
    }
}

#[test]
fn parameter_counts_follow_the_paper() {
    let s = Settings::default();
    let count = |kind| {
        Model::new(kind, &s, s.input_dim, &mut Rng::new(1, Stream::Init, 0)).parameter_count()
    };
    // MMoE: experts 100·128 + 128, two gates 2·(100·8 + 8), two towers 2·(16·8 + 8 + 8 + 1).
    assert_eq!(count(ModelKind::Mmoe), 12_928 + 1_616 + 290);
    assert_eq!(count(ModelKind::Omoe), 12_928 + 808 + 290);
    // Shared-Bottom with 113 units has about as many parameters as MMoE (section 5.1).
    assert_eq!(count(ModelKind::Sb), 11_413 + 2 * (113 * 8 + 8 + 8 + 1));
    // CGC: 2·2 own + 4 shared experts of 16, gates over 6 experts each.
    assert_eq!(count(ModelKind::Cgc), 12_928 + 2 * (100 * 6 + 6) + 290);
}
