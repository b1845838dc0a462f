//! Metrics: correlation, AUC, the entropy of a gate's distribution, and the loss of the
//! best constant prediction (what a model that learned nothing scores).

/// Pearson correlation coefficient of two equally long samples.
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (dx, dy) = (x - ma, y - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    sab / (saa * sbb).sqrt()
}

/// The median (the mean of the two middle values for an even count; NaN when empty),
/// by sorting a copy with `total_cmp`.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]),
    }
}

/// Area under the ROC curve: the probability that a random positive scores above a
/// random negative (ties count half), by sorting once.
pub fn auc(scores: &[f32], labels: &[f32]) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&i, &j| scores[i].total_cmp(&scores[j]));
    let (mut rank_sum, mut positives) = (0.0f64, 0.0f64);
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let mid_rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            if labels[k] > 0.5 {
                rank_sum += mid_rank;
                positives += 1.0;
            }
        }
        i = j + 1;
    }
    let negatives = scores.len() as f64 - positives;
    (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

/// Shannon entropy (nats) of a probability vector.
pub fn entropy(p: &[f32]) -> f32 {
    -p.iter()
        .filter(|&&q| q > 0.0)
        .map(|&q| q * libm::logf(q))
        .sum::<f32>()
}

/// The training loss of the best constant prediction for `targets`: their variance for a
/// regression task (mean squared error of predicting the mean), the entropy in nats of
/// the share of ones for a binary task (log-loss of predicting that share). A model whose
/// loss stays at this level has learned nothing about its inputs.
pub fn constant_loss(targets: &[f32], binary: bool) -> f64 {
    if targets.is_empty() {
        return f64::NAN;
    }
    let n = targets.len() as f64;
    let mean = targets.iter().map(|&v| v as f64).sum::<f64>() / n;
    if binary {
        let q = mean.clamp(1e-12, 1.0 - 1e-12);
        -(q * q.ln() + (1.0 - q) * (1.0 - q).ln())
    } else {
        targets
            .iter()
            .map(|&v| (v as f64 - mean).powi(2))
            .sum::<f64>()
            / n
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn constant_loss_is_the_variance_or_the_base_rate_entropy() {
        assert!((super::constant_loss(&[1.0, 3.0], false) - 1.0).abs() < 1e-12);
        assert!((super::constant_loss(&[0.0, 1.0, 0.0, 1.0], true) - 2f64.ln()).abs() < 1e-12);
        assert_eq!(super::constant_loss(&[2.0, 2.0], false), 0.0);
        assert!(super::constant_loss(&[], false).is_nan());
    }

    use super::*;

    #[test]
    fn pearson_of_linear_relations() {
        let a: Vec<f64> = (0..50).map(|i| i as f64).collect();
        let b: Vec<f64> = a.iter().map(|x| 3.0 - 2.0 * x).collect();
        assert!((pearson(&a, &b) + 1.0).abs() < 1e-12);
    }

    #[test]
    fn auc_counts_ordered_pairs() {
        assert_eq!(auc(&[0.1, 0.2, 0.8, 0.9], &[0.0, 0.0, 1.0, 1.0]), 1.0);
        assert_eq!(auc(&[0.9, 0.8, 0.2, 0.1], &[0.0, 0.0, 1.0, 1.0]), 0.0);
        assert_eq!(auc(&[0.5; 4], &[0.0, 1.0, 0.0, 1.0]), 0.5);
        // One positive beats one of two negatives.
        assert_eq!(auc(&[0.1, 0.5, 0.9], &[0.0, 1.0, 0.0]), 0.5);
    }

    #[test]
    fn entropy_bounds() {
        assert_eq!(entropy(&[1.0, 0.0, 0.0]), 0.0);
        assert!((entropy(&[0.25; 4]) - 4f32.ln()).abs() < 1e-6);
    }
}
