//! Per-row standard error of τ̂: the spread of the K cross-fitted pipelines' estimates (a grouped jackknife).
//!
//! Every fold's models form a complete estimate of τ(x), fit on a different (K−1)/K of the data. Row i gets
//! τ̂_k(x_i) from each of the K pipelines (one of them is its honest out-of-fold score). The delete-a-group
//! jackknife estimates the variance of an estimator from such leave-a-fold-out refits as
//! (K−1)/K · Σ_k (τ̂_k − τ̄)²; that is the variance of a full-data fit, and the reported score comes from a fit
//! on (K−1)/K of the rows, whose variance is about K/(K−1) times larger, so
//!
//! se_i² = Σ_k (τ̂_k(x_i) − τ̄(x_i))².
//!
//! It measures how much τ̂ moves when the training rows change (the variance of the estimate), not the bias of
//! a model that cannot represent τ. Checked on generated data in `tests/uplift_uncertainty.rs`.
//!
//! Cheaper form (`UpliftParams::se_pipelines` = m < K): each row is scored by only m of the K pipelines (its
//! own and the next m − 1 folds'). Their sample variance s_m² = Σ_{j≤m} (τ̂_j − τ̄_m)²/(m − 1) estimates the
//! same per-pipeline variance as the K-pipeline one, so se_i² = (K − 1)·s_m², which is the formula above when
//! m = K. Fewer pipelines: the same quantity with fewer degrees of freedom (m − 1), for (m − 1)/(K − 1) of
//! the prediction work.

/// Accumulates the K estimates of each row as deviations from its out-of-fold score (numerically stable).
/// Borrows the out-of-fold scores (not copied: 112 MB at 14M rows).
pub struct Jackknife<'a> {
    base: &'a [f64],
    sum: Vec<f64>,
    sum_sq: Vec<f64>,
    k: usize,
    m: usize,
}

impl<'a> Jackknife<'a> {
    /// Start from the out-of-fold scores (one of the estimates of each row) with `k` pipelines in all, of
    /// which `m` (2 ≤ m ≤ k, the out-of-fold one included) score each row.
    pub fn new(oof: &'a [f64], k: usize, m: usize) -> Jackknife<'a> {
        Jackknife {
            base: oof,
            sum: vec![0.0; oof.len()],
            sum_sq: vec![0.0; oof.len()],
            k,
            m: m.clamp(2.min(k), k.max(1)),
        }
    }

    /// Add one pipeline's estimates for `rows` (the rows it was trained on).
    pub fn add(&mut self, rows: &[u32], values: &[f64]) {
        for (&r, &v) in rows.iter().zip(values) {
            let i = r as usize;
            let d = v - self.base[i];
            self.sum[i] += d;
            self.sum_sq[i] += d * d;
        }
    }

    /// se_i = sqrt((K − 1)/(m − 1) · (Σ d² − (Σ d)²/m)) with d = τ̂_j − τ̂_oof over the m pipelines; with
    /// m = K that is sqrt(Σ_k (τ̂_k − τ̄)²).
    pub fn standard_errors(&self) -> Vec<f64> {
        let m = self.m.max(1) as f64;
        let scale = if self.m == self.k {
            1.0
        } else {
            (self.k as f64 - 1.0) / (m - 1.0).max(1.0)
        };
        self.sum
            .iter()
            .zip(&self.sum_sq)
            .map(|(&s, &s2)| libm::sqrt(scale * (s2 - s * s / m).max(0.0)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_by_hand() {
        // Row 0: estimates 1, 2, 3 (oof 1) → mean 2, Σ(τ−τ̄)² = 1 + 0 + 1 = 2 → se √2.
        // Row 1: estimates 5, 5, 5 → se 0.
        let mut j = Jackknife::new(&[1.0, 5.0], 3, 3);
        j.add(&[0, 1], &[2.0, 5.0]);
        j.add(&[0, 1], &[3.0, 5.0]);
        let se = j.standard_errors();
        assert!((se[0] - 2f64.sqrt()).abs() < 1e-12);
        assert_eq!(se[1], 0.0);
    }

    #[test]
    fn fewer_pipelines_by_hand() {
        // K = 5 pipelines, m = 3 score the row: estimates 1 (oof), 2, 4 → mean 7/3, Σ(τ − τ̄)² = 16/9 + 1/9 +
        // 25/9 = 42/9, sample variance 21/9 = 7/3, se² = (K − 1)·7/3 = 28/3.
        let mut j = Jackknife::new(&[1.0], 5, 3);
        j.add(&[0], &[2.0]);
        j.add(&[0], &[4.0]);
        let se = j.standard_errors();
        assert!((se[0] - (28.0f64 / 3.0).sqrt()).abs() < 1e-12, "{se:?}");
    }
}
