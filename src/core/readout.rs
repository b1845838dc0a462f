//! The experts' read-out (the inspector's R² chart): how well each expert's output tracks
//! each task's target, as the R² of the best linear read-out from the expert's units to
//! the target: least squares with a bias and a tiny ridge, solved by Cholesky, in f64.

use crate::core::model::TASKS;

/// The ridge added to the normal equations' diagonal, per sample: enough to keep a dead
/// unit (always 0 after its ReLU) from making them singular, too small to move a fit.
const RIDGE: f64 = 1e-6;

/// The smallest pivot the Cholesky factorisation takes: a matrix that is singular in
/// floating point still gives finite coefficients.
const MIN_PIVOT: f64 = 1e-12;

/// Each expert's output per sample as one number, the mean of its `units` ReLU units,
/// samples × experts row-major, from `outputs` (samples × experts × `units`, as
/// `Trainer::split_expert_outputs` gives them): what the page's architecture view plots
/// against the latent projections when an expert is clicked.
pub fn expert_means(outputs: &[f32], experts: usize, units: usize) -> Vec<f32> {
    if experts == 0 || units == 0 {
        return Vec::new();
    }
    outputs
        .chunks_exact(units)
        .map(|unit| unit.iter().sum::<f32>() / units as f32)
        .collect()
}

/// R² of each expert's read-out of each task's target, experts × tasks row-major, from
/// `outputs` (samples × experts × `units`, row-major, as `Trainer::split_expert_outputs`
/// gives them) and each task's targets (one per sample). Always in [0, 1]: 0 for a
/// constant target, a fit worse than the mean, or non-finite inputs.
pub fn expert_readout(
    outputs: &[f32],
    targets: [&[f32]; TASKS],
    experts: usize,
    units: usize,
) -> Vec<f32> {
    let n = targets[0].len();
    assert!(outputs.len() >= n * experts * units && targets[1].len() == n);
    let mut r2 = Vec::with_capacity(experts * TASKS);
    for e in 0..experts {
        let unit_row = |i: usize| &outputs[(i * experts + e) * units..][..units];
        let beta = least_squares(n, units, unit_row, targets);
        for (t, y) in targets.iter().enumerate() {
            let fit = |i: usize| {
                let bias = beta[units * TASKS + t];
                let terms = unit_row(i).iter().enumerate();
                terms.fold(bias, |s, (u, &v)| s + beta[u * TASKS + t] * v as f64)
            };
            r2.push(r_squared(y, fit) as f32);
        }
    }
    r2
}

/// The coefficients, (units + 1) × tasks row-major with the bias last, that minimise
/// Σ_i (y_i − [x_i, 1]·β)² + λ‖β‖² for every task at once, where row i of x is
/// `row(i)` and λ = `RIDGE`·n.
fn least_squares<'a>(
    n: usize,
    units: usize,
    row: impl Fn(usize) -> &'a [f32],
    targets: [&[f32]; TASKS],
) -> Vec<f64> {
    let k = units + 1;
    let mut a = vec![0.0; k * k];
    let mut b = vec![0.0; k * TASKS];
    let mut x = vec![1.0; k];
    for i in 0..n {
        for (xu, &v) in x.iter_mut().zip(row(i)) {
            *xu = v as f64;
        }
        // Rows of the sums that a zero (a ReLU's usual output) adds nothing to.
        for (p, &xp) in x.iter().enumerate().filter(|(_, &xp)| xp != 0.0) {
            for (apq, &xq) in a[p * k..(p + 1) * k].iter_mut().zip(&x) {
                *apq += xp * xq;
            }
            for (t, y) in targets.iter().enumerate() {
                b[p * TASKS + t] += xp * y[i] as f64;
            }
        }
    }
    for p in 0..k {
        a[p * k + p] += RIDGE * n as f64;
    }
    cholesky_solve(&a, &b, k, TASKS)
}

/// Solves A·X = B for a k × k symmetric positive definite A and a k × `cols` B (both
/// row-major) by the Cholesky factorisation A = L·Lᵀ, pivots clamped to `MIN_PIVOT`.
pub fn cholesky_solve(a: &[f64], b: &[f64], k: usize, cols: usize) -> Vec<f64> {
    assert!(a.len() == k * k && b.len() == k * cols);
    let mut l = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let sum = (0..j).fold(a[i * k + j], |s, m| s - l[i * k + m] * l[j * k + m]);
            l[i * k + j] = if i == j {
                sum.max(MIN_PIVOT).sqrt()
            } else {
                sum / l[j * k + j]
            };
        }
    }
    let mut x = vec![0.0; k * cols];
    let mut y = vec![0.0; k];
    for c in 0..cols {
        // L·y = b, then Lᵀ·x = y.
        for i in 0..k {
            let sum = (0..i).fold(b[i * cols + c], |s, m| s - l[i * k + m] * y[m]);
            y[i] = sum / l[i * k + i];
        }
        for i in (0..k).rev() {
            let sum = (i + 1..k).fold(y[i], |s, m| s - l[m * k + i] * x[m * cols + c]);
            x[i * cols + c] = sum / l[i * k + i];
        }
    }
    x
}

/// 1 − SSE/SST of the predictions `fit(i)` of `y`, clamped to [0, 1]; 0 when `y` is
/// constant or anything is not finite.
fn r_squared(y: &[f32], fit: impl Fn(usize) -> f64) -> f64 {
    let n = y.len() as f64;
    let mean = y.iter().fold(0.0, |s, &v| s + v as f64 / n);
    let (mut sse, mut sst) = (0.0, 0.0);
    for (i, &v) in y.iter().enumerate() {
        let (error, spread) = (v as f64 - fit(i), v as f64 - mean);
        sse += error * error;
        sst += spread * spread;
    }
    let r2 = 1.0 - sse / sst;
    if sst > 0.0 && r2.is_finite() {
        r2.max(0.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::metrics::pearson;
    use crate::core::rng::{Rng, Stream};

    #[test]
    fn expert_means_average_each_experts_units() {
        // 2 samples × 2 experts × 3 units.
        let outputs = [1.0, 2.0, 3.0, 0.0, 0.0, 6.0, 4.0, 4.0, 4.0, 9.0, 0.0, 0.0];
        assert_eq!(expert_means(&outputs, 2, 3), vec![2.0, 2.0, 4.0, 3.0]);
        assert!(expert_means(&[], 0, 16).is_empty());
    }

    #[test]
    fn cholesky_solves_a_known_system() {
        // A = L·Lᵀ with L = [[2, 0, 0], [1, 3, 0], [-1, 2, 1]]; X = [[1, 0], [2, -1], [-3, 4]].
        let a = [4.0, 2.0, -2.0, 2.0, 10.0, 5.0, -2.0, 5.0, 6.0];
        let b = [14.0, -10.0, 7.0, 10.0, -10.0, 19.0];
        let x = cholesky_solve(&a, &b, 3, 2);
        for (got, want) in x.iter().zip([1.0, 0.0, 2.0, -1.0, -3.0, 4.0]) {
            assert!((got - want).abs() < 1e-12, "{x:?}");
        }
    }

    #[test]
    fn singular_systems_give_finite_solutions() {
        let x = cholesky_solve(&[1.0, 1.0, 1.0, 1.0], &[2.0, 2.0], 2, 1);
        assert!(x.iter().all(|v| v.is_finite()), "{x:?}");
        let x = cholesky_solve(&[0.0; 4], &[0.0; 2], 2, 1);
        assert_eq!(x, [0.0, 0.0]);
    }

    #[test]
    fn least_squares_recovers_an_exact_linear_law() {
        // y1 = 2·x1 − x2 + 0.5 and y2 = −3·x2 + 1 on a grid of (x1, x2).
        let x: Vec<[f32; 2]> = (0..20).map(|i| [i as f32 / 4.0, (i % 3) as f32]).collect();
        let y1: Vec<f32> = x.iter().map(|r| 2.0 * r[0] - r[1] + 0.5).collect();
        let y2: Vec<f32> = x.iter().map(|r| -3.0 * r[1] + 1.0).collect();
        let beta = least_squares(20, 2, |i| &x[i], [&y1, &y2]);
        for (got, want) in beta.iter().zip([2.0, 0.0, -1.0, -3.0, 0.5, 1.0]) {
            assert!((got - want).abs() < 1e-4, "{beta:?}");
        }
        let flat: Vec<f32> = x.concat();
        let r2 = expert_readout(&flat, [&y1, &y2], 1, 2);
        assert!(r2.iter().all(|&v| v > 0.999_999), "{r2:?}");
    }

    #[test]
    fn one_unit_r2_is_the_squared_correlation() {
        let mut rng = Rng::new(3, Stream::Init, 0);
        let n = 500;
        let experts = 3;
        let outputs: Vec<f32> = (0..n * experts).map(|_| rng.normal() as f32).collect();
        let noise: Vec<f32> = (0..2 * n).map(|_| rng.normal() as f32).collect();
        let y1: Vec<f32> = (0..n).map(|i| outputs[i * experts] + noise[i]).collect();
        let y2: Vec<f32> = (0..n)
            .map(|i| 0.5 * outputs[i * experts + 2] - noise[n + i])
            .collect();
        let r2 = expert_readout(&outputs, [&y1, &y2], experts, 1);
        for e in 0..experts {
            let unit: Vec<f64> = (0..n).map(|i| outputs[i * experts + e] as f64).collect();
            for (t, y) in [&y1, &y2].iter().enumerate() {
                let y: Vec<f64> = y.iter().map(|&v| v as f64).collect();
                let direct = pearson(&unit, &y).powi(2);
                assert!(
                    (r2[e * 2 + t] as f64 - direct).abs() < 1e-4,
                    "{e} {t}: {r2:?}"
                );
            }
        }
        assert!(r2[0] > 0.4 && r2[5] > 0.1 && r2[2] < 0.02, "{r2:?}");
    }

    #[test]
    fn degenerate_inputs_give_zero_not_nan() {
        let y = [1.0, 2.0, 3.0, 4.0];
        // A dead expert (its units always 0), a constant target, no samples, non-finite outputs.
        assert_eq!(expert_readout(&[0.0; 8], [&y, &y], 1, 2), [0.0, 0.0]);
        let outputs = [1.0, 5.0, 2.0, 7.0];
        assert_eq!(expert_readout(&outputs, [&[2.0; 4], &y], 1, 1)[0], 0.0);
        assert!(expert_readout(&[], [&[], &[]], 2, 3) == [0.0; 4]);
        let r2 = expert_readout(&[1.0, f32::NAN, 2.0, f32::INFINITY], [&y, &y], 1, 1);
        assert_eq!(r2, [0.0, 0.0]);
    }
}
