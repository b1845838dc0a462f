//! The paper's synthetic multi-task data (Ma et al. 2018, section 3.2).
//!
//! Two regression tasks whose correlation is controlled by the cosine `p` between their
//! weight vectors:
//!   w1 = c·u1,  w2 = c·(p·u1 + sqrt(1 − p²)·u2)            (u1 ⟂ u2, unit length)
//!   y_k = w_k·x + Σ_{i=1..m} sin(α_i·w_k·x + β_i) + ε_k,     x ~ N(0, I_d)
//! The sine terms make the labels non-linear, so the labels' Pearson correlation is not
//! p; we measure and report it.

use crate::core::metrics::{median, pearson};
use crate::core::rng::{Rng, Stream};
use crate::core::settings::{Settings, TaskKind};
use ndarray::Array2;

/// Inputs and per-task targets of one split.
#[derive(Clone, Debug)]
pub struct Split {
    /// One sample per row.
    pub x: Array2<f32>,
    /// The target each task is trained on: y_k, or 1/0 for "y_k above its training median".
    pub y: [Vec<f32>; 2],
    /// The latent projections w_k·x of each sample (for charts of samples).
    pub projection: [Vec<f32>; 2],
}

impl Split {
    pub fn len(&self) -> usize {
        self.x.nrows()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A generated data set with both splits.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub train: Split,
    pub test: Split,
    /// The task weight vectors w1, w2 (f64, as drawn).
    pub w: [Vec<f64>; 2],
    /// Pearson correlation of the two regression labels on the training split.
    pub label_pearson: f64,
}

impl Dataset {
    /// Generates the data for `settings` (assumed valid). The inputs and noise depend only
    /// on the seed and sizes, so changing the correlation changes the labels alone.
    pub fn generate(settings: &Settings) -> Dataset {
        let d = settings.input_dim;
        let mut rng = Rng::new(settings.seed, Stream::Directions, 0);
        let (u1, u2) = orthonormal_pair(&mut rng, d);
        let m = settings.sinusoids;
        let alpha: Vec<f64> = (0..m).map(|_| settings.alpha_std * rng.normal()).collect();
        let beta: Vec<f64> = (0..m).map(|_| settings.beta_std * rng.normal()).collect();

        let (c, p) = (settings.scale, settings.correlation);
        let q = (1.0 - p * p).max(0.0).sqrt();
        let w1: Vec<f64> = u1.iter().map(|a| c * a).collect();
        let w2: Vec<f64> = u1
            .iter()
            .zip(&u2)
            .map(|(a, b)| c * (p * a + q * b))
            .collect();

        let label = |s: f64| {
            s + alpha
                .iter()
                .zip(&beta)
                .map(|(a, b)| libm::sin(a * s + b))
                .sum::<f64>()
        };
        let mut rng = Rng::new(settings.seed, Stream::Samples, 0);
        let mut draw = |n: usize| {
            let mut x = Array2::<f32>::zeros((n, d));
            let mut y = [vec![0.0f64; n], vec![0.0f64; n]];
            let mut projection = [vec![0.0f32; n], vec![0.0f32; n]];
            for (i, mut row) in x.rows_mut().into_iter().enumerate() {
                row.iter_mut().for_each(|v| *v = rng.normal() as f32);
                for (k, w) in [&w1, &w2].into_iter().enumerate() {
                    let s: f64 = row.iter().zip(w).map(|(&xi, wi)| xi as f64 * wi).sum();
                    projection[k][i] = s as f32;
                    y[k][i] = label(s) + settings.noise_std * rng.normal();
                }
            }
            (x, y, projection)
        };
        let (train_x, train_y, train_proj) = draw(settings.train_samples);
        let (test_x, test_y, test_proj) = draw(settings.test_samples);

        let label_pearson = pearson(&train_y[0], &train_y[1]);
        let kinds = settings.task_kinds();
        let targets = |ys: &[Vec<f64>; 2]| -> [Vec<f32>; 2] {
            std::array::from_fn(|k| match kinds[k] {
                TaskKind::Regression => ys[k].iter().map(|&v| v as f32).collect(),
                TaskKind::Binary => {
                    let cut = median(&train_y[k]);
                    ys[k]
                        .iter()
                        .map(|&v| if v > cut { 1.0 } else { 0.0 })
                        .collect()
                }
            })
        };
        Dataset {
            train: Split {
                x: train_x,
                y: targets(&train_y),
                projection: train_proj,
            },
            test: Split {
                x: test_x,
                y: targets(&test_y),
                projection: test_proj,
            },
            w: [w1, w2],
            label_pearson,
        }
    }
}

/// Two orthonormal vectors: Gaussian draws, then Gram–Schmidt.
fn orthonormal_pair(rng: &mut Rng, d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut u1: Vec<f64> = (0..d).map(|_| rng.normal()).collect();
    let mut u2: Vec<f64> = (0..d).map(|_| rng.normal()).collect();
    normalise(&mut u1);
    let along = dot(&u1, &u2);
    u2.iter_mut().zip(&u1).for_each(|(b, a)| *b -= along * a);
    normalise(&mut u2);
    (u1, u2)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn normalise(v: &mut [f64]) {
    let norm = dot(v, v).sqrt();
    v.iter_mut().for_each(|x| *x /= norm);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small(p: f64) -> Settings {
        Settings {
            correlation: p,
            train_samples: 4000,
            test_samples: 500,
            ..Settings::default()
        }
    }

    #[test]
    fn cosine_of_task_weights_is_the_correlation() {
        for p in [-1.0, -0.5, 0.0, 0.1, 0.5, 0.9, 1.0] {
            let data = Dataset::generate(&small(p));
            let [w1, w2] = &data.w;
            let cos = dot(w1, w2) / (dot(w1, w1) * dot(w2, w2)).sqrt();
            assert!((cos - p).abs() < 1e-6, "p={p}: cos={cos}");
            assert!((dot(w1, w1).sqrt() - 1.0).abs() < 1e-9);
        }
    }

    #[test]
    fn noise_has_the_requested_variance() {
        // Same seed, with and without noise: the difference is exactly the noise.
        let noisy = Dataset::generate(&Settings {
            noise_std: 0.1,
            ..small(0.5)
        });
        let clean = Dataset::generate(&Settings {
            noise_std: 0.0,
            ..small(0.5)
        });
        for k in 0..2 {
            let eps: Vec<f64> = noisy.train.y[k]
                .iter()
                .zip(&clean.train.y[k])
                .map(|(a, b)| (*a as f64) - (*b as f64))
                .collect();
            let mean = eps.iter().sum::<f64>() / eps.len() as f64;
            let var = eps.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / eps.len() as f64;
            assert!((var - 0.01).abs() < 0.001, "task {k}: noise variance {var}");
        }
    }

    #[test]
    fn label_pearson_rises_with_correlation() {
        let rs: Vec<f64> = [-0.5, 0.1, 0.5, 0.9, 1.0]
            .iter()
            .map(|&p| Dataset::generate(&small(p)).label_pearson)
            .collect();
        assert!(rs.windows(2).all(|w| w[0] < w[1]), "{rs:?}");
        assert!(rs[4] > 0.95, "identical tasks differ only by noise: {rs:?}");
    }

    #[test]
    fn binary_labels_split_at_the_training_median() {
        let data = Dataset::generate(&Settings {
            task2: TaskKind::Binary,
            ..small(0.5)
        });
        let ones = data.train.y[1].iter().filter(|&&v| v == 1.0).count();
        assert_eq!(ones, data.train.len() / 2);
        assert!(data.train.y[1].iter().all(|&v| v == 0.0 || v == 1.0));
        assert!(data.train.y[0].iter().any(|&v| v != 0.0 && v != 1.0));
    }

    #[test]
    fn correlation_changes_labels_only() {
        let a = Dataset::generate(&small(0.9));
        let b = Dataset::generate(&small(0.1));
        assert_eq!(a.train.x, b.train.x);
        assert_eq!(a.train.y[0], b.train.y[0]);
        assert_ne!(a.train.y[1], b.train.y[1]);
    }
}
