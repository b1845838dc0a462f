//! A training-loss series kept at a bounded size, and its smoothed trend: what the page's
//! loss chart stores and draws, computed here so it is tested natively.

/// A loss series of [step, loss 1, loss 2] points with a bounded number of points: when
/// the series reaches its budget, adjacent points are averaged in pairs and each point then
/// stands for twice as many steps, so memory and drawing time stay constant however long
/// the run.
#[derive(Clone, Debug, Default)]
pub struct LossSeries {
    points: Vec<[f64; 3]>,
    /// How many raw points each stored point averages.
    bucket: usize,
    partial: [f64; 3],
    partial_count: usize,
}

impl LossSeries {
    pub fn new() -> LossSeries {
        LossSeries {
            bucket: 1,
            ..LossSeries::default()
        }
    }

    pub fn push(&mut self, point: [f64; 3], budget: usize) {
        for (sum, v) in self.partial.iter_mut().zip(point) {
            *sum += v;
        }
        self.partial_count += 1;
        if self.partial_count < self.bucket {
            return;
        }
        let n = self.partial_count as f64;
        self.points.push(self.partial.map(|s| s / n));
        self.partial = [0.0; 3];
        self.partial_count = 0;
        if self.points.len() >= budget {
            self.halve();
        }
    }

    /// Averages adjacent pairs; an odd last point is carried on as the open bucket.
    fn halve(&mut self) {
        let odd = self.points.len() % 2 == 1;
        let last = if odd { self.points.pop() } else { None };
        let halved: Vec<[f64; 3]> = self
            .points
            .chunks_exact(2)
            .map(|p| std::array::from_fn(|k| (p[0][k] + p[1][k]) / 2.0))
            .collect();
        self.points = halved;
        if let Some(p) = last {
            // One point of the old bucket size becomes half of a new, open bucket.
            self.partial = p.map(|v| v * self.bucket as f64);
            self.partial_count = self.bucket;
        }
        self.bucket *= 2;
    }

    /// The stored points followed by the open bucket's mean, if any.
    pub fn iter(&self) -> impl Iterator<Item = [f64; 3]> + '_ {
        let open = (self.partial_count > 0).then(|| {
            let n = self.partial_count as f64;
            self.partial.map(|s| s / n)
        });
        self.points.iter().copied().chain(open)
    }

    pub fn last_step(&self) -> f64 {
        self.iter().last().map_or(0.0, |p| p[0])
    }

    /// Stored points (the open bucket not counted).
    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty() && self.partial_count == 0
    }

    /// How many raw points each stored point averages.
    pub fn bucket(&self) -> usize {
        self.bucket
    }
}

/// Steps of training loss the trend line averages over (exponentially, in log space).
const SMOOTH_STEPS: f64 = 25.0;

/// An exponential moving average of a task's loss in log space, which follows the trend
/// of a noisy per-step loss without being pulled up by single bad batches.
pub fn smoothed(series: &LossSeries, task: usize) -> Vec<(f64, f64)> {
    let keep = (-(series.bucket as f64) / SMOOTH_STEPS).exp();
    let mut level: Option<f64> = None;
    let mut out = Vec::with_capacity(series.points.len() + 1);
    for p in series.iter() {
        let v = p[1 + task];
        if !(v.is_finite() && v > 0.0) {
            continue;
        }
        let l = v.ln();
        let next = match level {
            None => l,
            Some(prev) => keep * prev + (1.0 - keep) * l,
        };
        level = Some(next);
        out.push((p[0], next.exp()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_stays_within_budget_and_keeps_the_mean() {
        let mut s = LossSeries::new();
        let n = 10_000;
        for i in 0..n {
            s.push([i as f64, (i % 7) as f64, 1.0], 100);
        }
        assert!(s.len() < 100, "{}", s.len());
        assert_eq!(
            s.bucket() & (s.bucket() - 1),
            0,
            "buckets are powers of two"
        );
        let points: Vec<[f64; 3]> = s.iter().collect();
        let weight = |k: usize| if k + 1 == points.len() { 0.0 } else { 1.0 };
        // Every full bucket averages `bucket` raw points, so task 2 (constant) stays 1.
        assert!(points.iter().all(|p| (p[2] - 1.0).abs() < 1e-12));
        let mean: f64 = points
            .iter()
            .enumerate()
            .map(|(k, p)| weight(k) * p[1])
            .sum::<f64>()
            / (points.len() - 1) as f64;
        assert!((mean - 3.0).abs() < 0.05, "mean of 0..6 is 3: {mean}");
        assert!((s.last_step() - (n - 1) as f64).abs() < s.bucket() as f64);
        // Steps stay increasing after any number of halvings.
        assert!(points.windows(2).all(|w| w[0][0] < w[1][0]));
    }

    #[test]
    fn smoothing_follows_a_step_change_and_skips_non_positive_losses() {
        let mut s = LossSeries::new();
        for i in 0..200 {
            let loss = if i < 100 { 1.0 } else { 0.1 };
            s.push(
                [i as f64, loss, if i == 50 { f64::NAN } else { loss }],
                1000,
            );
        }
        let trend = smoothed(&s, 0);
        assert_eq!(trend.len(), 200);
        assert!((trend[99].1 - 1.0).abs() < 1e-9);
        assert!(trend[110].1 < 1.0 && trend[110].1 > 0.1);
        assert!((trend[199].1 - 0.1).abs() < 0.01);
        assert_eq!(smoothed(&s, 1).len(), 199);
    }
}
