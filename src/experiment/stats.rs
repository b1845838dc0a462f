//! Statistics over seeds: summaries of a sample, and how far apart two tasks' gate
//! distributions are (Jensen–Shannon divergence and L1 distance).

use crate::core::metrics::median;
use serde::{Deserialize, Serialize};

/// Jensen–Shannon divergence in bits between two distributions (each normalised here, so
/// rounding in the inputs does not matter): JSD = ½·KL(p‖m) + ½·KL(q‖m), m = ½(p + q).
/// Symmetric, 0 for equal distributions, 1 for disjoint ones; zero entries are fine,
/// which matters for CGC, whose gates cannot choose the other task's own experts.
pub fn jensen_shannon_bits(p: &[f64], q: &[f64]) -> f64 {
    assert_eq!(p.len(), q.len(), "distributions over different supports");
    let (sp, sq) = (p.iter().sum::<f64>(), q.iter().sum::<f64>());
    if sp <= 0.0 || sq <= 0.0 {
        return f64::NAN;
    }
    let kl_to_mix = |a: f64, b: f64| {
        if a > 0.0 {
            a * libm::log2(2.0 * a / (a + b))
        } else {
            0.0
        }
    };
    let mut jsd = 0.0;
    for (&a, &b) in p.iter().zip(q) {
        let (a, b) = (a / sp, b / sq);
        jsd += 0.5 * kl_to_mix(a, b) + 0.5 * kl_to_mix(b, a);
    }
    jsd.clamp(0.0, 1.0)
}

/// Sum of absolute differences (0 for equal distributions, 2 for disjoint ones).
pub fn l1_distance(p: &[f64], q: &[f64]) -> f64 {
    p.iter().zip(q).map(|(a, b)| (a - b).abs()).sum()
}

/// Summary statistics of a sample over seeds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stat {
    /// Number of finite values summarised (NaNs, from diverged runs, are left out).
    pub n: usize,
    pub mean: f64,
    /// Standard error of the mean: sample standard deviation / √n (0 when n < 2).
    pub se: f64,
    /// Sample standard deviation (n − 1 in the denominator).
    pub sd: f64,
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Stat {
    /// Summarises the finite values of `values`; all fields NaN if there are none.
    pub fn of(values: &[f64]) -> Stat {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        let n = v.len();
        if n == 0 {
            return Stat {
                n: 0,
                mean: f64::NAN,
                se: f64::NAN,
                sd: f64::NAN,
                median: f64::NAN,
                min: f64::NAN,
                max: f64::NAN,
            };
        }
        let mean = v.iter().sum::<f64>() / n as f64;
        let sd = if n > 1 {
            libm::sqrt(v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64)
        } else {
            0.0
        };
        v.sort_by(f64::total_cmp);
        Stat {
            n,
            mean,
            se: sd / libm::sqrt(n as f64),
            sd,
            median: median(&v),
            min: v[0],
            max: v[n - 1],
        }
    }

    /// Mean and interval half-width, short, for tables.
    pub fn show(&self) -> String {
        format!("{:.4} ± {:.4}", self.mean, self.se)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_of_a_known_sample() {
        let s = Stat::of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(s.n, 8);
        assert!((s.mean - 5.0).abs() < 1e-12);
        // Sample variance 32/7.
        assert!((s.sd - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        assert!((s.se - s.sd / 8f64.sqrt()).abs() < 1e-12);
        assert_eq!((s.median, s.min, s.max), (4.5, 2.0, 9.0));
    }

    #[test]
    fn stat_skips_nan_and_handles_tiny_samples() {
        let s = Stat::of(&[f64::NAN, 3.0, 1.0, 2.0]);
        assert_eq!((s.n, s.mean, s.median), (3, 2.0, 2.0));
        let one = Stat::of(&[1.5]);
        assert_eq!((one.n, one.mean, one.se, one.sd), (1, 1.5, 0.0, 0.0));
        assert!(Stat::of(&[f64::NAN]).mean.is_nan());
        assert_eq!(Stat::of(&[]).n, 0);
    }

    #[test]
    fn jsd_bounds_symmetry_and_a_known_value() {
        let p = [0.5, 0.5, 0.0];
        let q = [0.0, 0.0, 1.0];
        assert!(jensen_shannon_bits(&p, &p).abs() < 1e-12);
        assert!(
            (jensen_shannon_bits(&p, &q) - 1.0).abs() < 1e-12,
            "disjoint"
        );
        let (a, b) = ([0.9, 0.1], [0.1, 0.9]);
        assert!((jensen_shannon_bits(&a, &b) - jensen_shannon_bits(&b, &a)).abs() < 1e-15);
        // p = (1, 0), q = (½, ½): m = (¾, ¼); JSD = ½·log2(4/3) + ½·(½·log2(2/3) + ½·log2 2).
        let want = 0.5 * (4.0f64 / 3.0).log2() + 0.25 * (2.0f64 / 3.0).log2() + 0.25;
        assert!((jensen_shannon_bits(&[1.0, 0.0], &[0.5, 0.5]) - want).abs() < 1e-12);
        // Unnormalised inputs are normalised first.
        assert!((jensen_shannon_bits(&[2.0, 0.0], &[1.0, 1.0]) - want).abs() < 1e-12);
    }

    #[test]
    fn l1_of_disjoint_distributions_is_two() {
        assert_eq!(l1_distance(&[1.0, 0.0], &[0.0, 1.0]), 2.0);
        assert_eq!(l1_distance(&[0.3, 0.7], &[0.3, 0.7]), 0.0);
    }
}
