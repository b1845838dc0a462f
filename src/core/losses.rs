//! The per-task losses (section 5.1 trains the regression tasks on squared error; the
//! binary task of the seed's example uses log-loss), each returning its mean over the
//! batch and writing dL/dŷ for the backward pass.

use crate::core::layers::relu;
use crate::core::model::TASKS;
use crate::core::settings::{Settings, TaskKind};

/// What the models minimise: each task's loss and its weight in the total
/// L = Σ_t weight_t · loss_t.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Objective {
    pub kinds: [TaskKind; TASKS],
    pub weights: [f32; TASKS],
}

impl Objective {
    pub fn new(settings: &Settings) -> Objective {
        Objective {
            kinds: settings.task_kinds(),
            weights: [settings.weight1 as f32, settings.weight2 as f32],
        }
    }
}

/// Mean loss of one task over `outputs` (logits for binary tasks), with dL/dŷ written to
/// `grad`, where L = weight · mean loss (the model's total is the weighted sum over tasks).
pub fn task_loss(
    kind: TaskKind,
    outputs: &[f32],
    targets: &[f32],
    weight: f32,
    grad: &mut [f32],
) -> f64 {
    let rows = outputs.len();
    let scale = 1.0 / rows as f32;
    let mut total = 0.0f64;
    for ((&z, &y), d) in outputs.iter().zip(&targets[..rows]).zip(grad) {
        let (loss, dz) = match kind {
            TaskKind::Regression => ((z - y) * (z - y), 2.0 * (z - y)),
            TaskKind::Binary => (log_loss(z, y), sigmoid(z) - y),
        };
        total += loss as f64;
        *d = weight * dz * scale;
    }
    total / rows as f64
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + libm::expf(-z))
}

/// −[y·log σ(z) + (1 − y)·log(1 − σ(z))], computed without overflow.
fn log_loss(z: f32, y: f32) -> f32 {
    relu(z) - z * y + libm::log1pf(libm::expf(-z.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squared_error_and_its_gradient() {
        let mut grad = [0.0; 2];
        let loss = task_loss(
            TaskKind::Regression,
            &[1.0, 3.0],
            &[0.0, 1.0],
            0.5,
            &mut grad,
        );
        assert_eq!(loss, 2.5);
        // d/dz of 0.5 · mean (z − y)²: 0.5 · 2 (z − y) / 2.
        assert_eq!(grad, [0.5, 1.0]);
    }

    #[test]
    fn log_loss_is_finite_for_extreme_logits_and_matches_its_definition() {
        let mut grad = [0.0; 3];
        let loss = task_loss(
            TaskKind::Binary,
            &[0.0, 200.0, -200.0],
            &[1.0, 1.0, 1.0],
            1.0,
            &mut grad,
        );
        // ln 2 for z = 0, ~0 for a confident right answer, 200 for a confident wrong one.
        let want = (std::f64::consts::LN_2 + 200.0) / 3.0;
        assert!((loss - want).abs() < 1e-5, "{loss}");
        assert!(
            (grad[0] + 0.5 / 3.0).abs() < 1e-7 && grad[1] == 0.0,
            "{grad:?}"
        );
        assert!((grad[2] + 1.0 / 3.0).abs() < 1e-7, "{grad:?}");
    }
}
