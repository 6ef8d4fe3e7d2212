//! Propensity e(x) = P(treatment | x): logistic regression per fold, clipping, and the overlap report.
//!
//! Fitted with our [`Logistic`] learner (smartcore 0.7's logistic regression gives class labels, not
//! probabilities; see `learners::logistic`). Does not choose meta-learners.

use serde::Serialize;

use crate::error::Result;
use crate::learners::logistic::{Logistic, LogisticModel, LogisticParams};
use crate::learners::{CancelFn, Design, FitData, Objective, Predictor};

/// Above this out-of-fold AUC, treatment assignment looks predictable from the features (not random).
pub const NON_RANDOM_AUC: f64 = 0.6;

/// How the propensity looks: a clean randomized test has AUC ≈ 0.5 and nothing clipped.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PropensityReport {
    /// AUC of the out-of-fold propensity for telling treated from control rows (0.5 = no better than chance).
    pub auc: f64,
    /// Mean, smallest and largest out-of-fold e(x) before clipping.
    pub mean: f64,
    pub min: f64,
    pub max: f64,
    /// The clip ε: e(x) is kept in [ε, 1−ε].
    pub clip: f64,
    /// Share of rows whose e(x) was clipped (0..1).
    pub share_clipped: f64,
    /// Observed treated share.
    pub treated_share: f64,
    /// A plain-words warning when assignment looks non-random.
    pub warning: Option<String>,
}

/// Fit the propensity model on `rows`.
pub fn fit(
    design: &Design,
    rows: &[u32],
    treatment: &[bool],
    params: &LogisticParams,
    cancel: CancelFn,
) -> Result<LogisticModel> {
    let target: Vec<f64> = rows
        .iter()
        .map(|&r| if treatment[r as usize] { 1.0 } else { 0.0 })
        .collect();
    Logistic {
        params: params.clone(),
    }
    .fit_model(
        &FitData {
            design,
            rows,
            target: &target,
            weight: None,
        },
        Objective::LogLoss,
        cancel,
    )
}

/// e(x) of `rows` (before clipping): the model's own per-row prediction, natively on the thread pool in
/// chunks (each row's value does not depend on the others, so the result is the serial one to the bit).
pub fn predict(model: &LogisticModel, design: &Design, rows: &[u32]) -> Vec<f64> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        const CHUNK: usize = 1 << 14;
        if rows.len() > CHUNK && rayon::current_num_threads() > 1 {
            let mut out = vec![0.0; rows.len()];
            out.par_chunks_mut(CHUNK)
                .zip(rows.par_chunks(CHUNK))
                .for_each(|(o, r)| o.copy_from_slice(&model.predict(design, r)));
            return out;
        }
    }
    model.predict(design, rows)
}

/// e clipped to [ε, 1−ε].
pub fn clip(e: f64, eps: f64) -> f64 {
    e.clamp(eps, 1.0 - eps)
}

/// The report from out-of-fold e(x) (before clipping).
pub fn report(e_raw: &[f64], treatment: &[bool], eps: f64) -> PropensityReport {
    let n = e_raw.len().max(1) as f64;
    let auc = auc(e_raw, treatment);
    let mean = e_raw.iter().sum::<f64>() / n;
    let min = e_raw.iter().copied().fold(f64::INFINITY, f64::min);
    let max = e_raw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let clipped = e_raw.iter().filter(|&&e| e < eps || e > 1.0 - eps).count();
    let treated_share = treatment.iter().filter(|&&t| t).count() as f64 / n;
    let warning = (auc > NON_RANDOM_AUC).then(|| {
        format!(
            "Who got the ad can be predicted from the features (propensity AUC {auc:.2}; a random split gives about 0.50). \
             The test may not have been randomized, so the treated and control groups differ before the ad, and part \
             of the measured uplift may come from that difference. Check how users were assigned."
        )
    });
    PropensityReport {
        auc,
        mean,
        min,
        max,
        clip: eps,
        share_clipped: clipped as f64 / n,
        treated_share,
        warning,
    }
}

/// Area under the ROC curve of `score` for `label` (Mann–Whitney, tied scores count one half);
/// 0.5 when a class is empty.
pub fn auc(score: &[f64], label: &[bool]) -> f64 {
    // Rows in ascending score order; equal keys ⇔ equal scores (−0.0 = 0.0, as `==` has it). The order within
    // a tie block does not matter: its rows share the average rank.
    use crate::metrics::order::{sorted_by_score, Order};
    let order = Order {
        descending: false,
        zeros_equal: true,
        larger_row_first: false,
    };
    let sorted = sorted_by_score(score, order);
    let n_pos = label.iter().filter(|&&l| l).count() as f64;
    let n_neg = label.len() as f64 - n_pos;
    if n_pos == 0.0 || n_neg == 0.0 {
        return 0.5;
    }
    // Sum of positive ranks, average rank for ties (ranks from 1).
    let mut rank_sum = 0.0;
    for b in sorted.tie_blocks() {
        // positions i..=j, with j = end − 1
        let avg = (b.start + b.end - 1) as f64 / 2.0 + 1.0;
        let pos = sorted.rows[b]
            .iter()
            .filter(|&&r| label[r as usize])
            .count() as f64;
        rank_sum += avg * pos;
    }
    (rank_sum - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_by_hand_with_ties() {
        // scores 0.1(−) 0.4(+) 0.4(−) 0.8(+): pairs (+,−): (0.4,0.1)=1, (0.4,0.4)=½, (0.8,0.1)=1, (0.8,0.4)=1
        // → 3.5 / 4 = 0.875.
        let a = auc(&[0.1, 0.4, 0.4, 0.8], &[false, true, false, true]);
        assert!((a - 0.875).abs() < 1e-12);
        assert_eq!(auc(&[0.3, 0.3], &[true, false]), 0.5);
        assert_eq!(auc(&[0.3, 0.7], &[true, true]), 0.5);
    }

    #[test]
    fn report_counts_clipped_rows_and_warns_only_when_predictable() {
        let e = [0.005, 0.5, 0.6, 0.995];
        let t = [false, false, true, true];
        let r = report(&e, &t, 0.01);
        // two of four outside [0.01, 0.99]; the scores sort the labels perfectly → AUC 1 → warning
        assert_eq!(r.share_clipped, 0.5);
        assert_eq!((r.min, r.max), (0.005, 0.995));
        assert!((r.auc - 1.0).abs() < 1e-12);
        assert!(r
            .warning
            .unwrap()
            .starts_with("Who got the ad can be predicted"));
        let r = report(&[0.85; 4], &t, 0.01);
        assert_eq!(r.auc, 0.5);
        assert!(r.warning.is_none());
        assert_eq!(clip(0.999, 0.01), 0.99);
    }
}
