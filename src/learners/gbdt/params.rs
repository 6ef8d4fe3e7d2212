//! Settings of the gradient-boosted trees, with their defaults and the checks `fit` runs first.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How much more a positive (target 1) row counts than a negative one while training (log loss only).
/// Predictions are always mapped back to calibrated probabilities: p = p_w / (p_w + w·(1 − p_w)).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum ScalePosWeight {
    /// Every row counts by its sample weight only (default).
    #[default]
    Off,
    /// w = weighted negatives / weighted positives over the rows the model trains on.
    Auto,
    /// A fixed w > 0.
    Value(f64),
}

/// Gradient-boosted trees. Every field has a default, so the page may send `{}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct GbdtParams {
    /// Number of boosting rounds (trees), 1..=100,000 (default 100).
    pub trees: usize,
    /// Shrinkage applied to every leaf value, 0 < rate ≤ 1 (default 0.1).
    pub learning_rate: f64,
    /// Deepest level a leaf may sit at (root = 0), 1..=16 (default 6).
    pub max_depth: usize,
    /// Most leaves per tree, grown best-gain first; 0 = no limit beyond `max_depth` (default 0).
    /// Otherwise 2..=65,536.
    pub max_leaves: usize,
    /// Least sum of hessians (for squared error: of sample weights) in each child of a split, ≥ 0 (default 1.0).
    pub min_child_weight: f64,
    /// L2 penalty on leaf values (λ in −G/(H+λ)), ≥ 0 (default 1.0).
    pub l2: f64,
    /// Least gain, ½·(G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)), for a split to be made, ≥ 0 (default 0.0).
    pub min_split_gain: f64,
    /// Share of training rows each tree sees, drawn per tree from the seed, 0 < share ≤ 1 (default 1.0).
    pub subsample: f64,
    /// Share of the fit rows held out (drawn from the seed) to measure the loss each round, 0 ≤ share < 1
    /// (default 0.0 = none).
    pub validation_fraction: f64,
    /// Stop when the held-out loss has not improved for this many rounds and keep the best round's trees;
    /// 0 = off (default 0). Needs `validation_fraction` > 0.
    pub early_stopping_rounds: usize,
    /// Weight of positive rows while training (log loss only; default off).
    pub scale_pos_weight: ScalePosWeight,
    /// Same seed + same data ⇒ bit-identical model, natively and in wasm (default 42).
    pub seed: u64,
    /// Train on quantized gradients (default true): every round, each row's gradient and hessian are rounded
    /// to integers (up to 2¹⁵ / 2¹⁶ levels of the largest possible value: for log loss the bounds |grad| ≤ w,
    /// hess ≤ w/4 with w the largest weight; for squared error hess = w and |grad| ≤ the previous round's largest
    /// |grad| + w times the last tree's largest |leaf value|; fewer above ~65,000 rows so the sums fit 32 bits;
    /// stochastic rounding from the seed, so unbiased and reproducible) and histograms sum integers: faster, one
    /// fused pass over the rows per round, and the same model whatever the number of threads. false = `f32`
    /// gradients.
    pub quantized_gradients: bool,
}

impl Default for GbdtParams {
    fn default() -> Self {
        Self {
            trees: 100,
            learning_rate: 0.1,
            max_depth: 6,
            max_leaves: 0,
            min_child_weight: 1.0,
            l2: 1.0,
            min_split_gain: 0.0,
            subsample: 1.0,
            validation_fraction: 0.0,
            early_stopping_rounds: 0,
            scale_pos_weight: ScalePosWeight::Off,
            seed: 42,
            quantized_gradients: true,
        }
    }
}

fn bad(name: &'static str, expected: &'static str, found: impl ToString) -> Error {
    Error::BadParam {
        name,
        expected,
        found: found.to_string(),
    }
}

impl GbdtParams {
    /// Check every setting; the first one out of range is the error.
    pub fn validate(&self) -> Result<()> {
        if !(1..=100_000).contains(&self.trees) {
            return Err(bad("trees", "between 1 and 100,000", self.trees));
        }
        if !(self.learning_rate > 0.0 && self.learning_rate <= 1.0) {
            return Err(bad(
                "learningRate",
                "above 0 and at most 1",
                self.learning_rate,
            ));
        }
        if !(1..=16).contains(&self.max_depth) {
            return Err(bad("maxDepth", "between 1 and 16", self.max_depth));
        }
        if self.max_leaves == 1 || self.max_leaves > 65_536 {
            return Err(bad(
                "maxLeaves",
                "0 (no limit) or between 2 and 65,536",
                self.max_leaves,
            ));
        }
        if !(self.min_child_weight >= 0.0 && self.min_child_weight.is_finite()) {
            return Err(bad(
                "minChildWeight",
                "a number of 0 or more",
                self.min_child_weight,
            ));
        }
        if !(self.l2 >= 0.0 && self.l2.is_finite()) {
            return Err(bad("l2", "a number of 0 or more", self.l2));
        }
        if !(self.min_split_gain >= 0.0 && self.min_split_gain.is_finite()) {
            return Err(bad(
                "minSplitGain",
                "a number of 0 or more",
                self.min_split_gain,
            ));
        }
        if !(self.subsample > 0.0 && self.subsample <= 1.0) {
            return Err(bad("subsample", "above 0 and at most 1", self.subsample));
        }
        if !(self.validation_fraction >= 0.0 && self.validation_fraction < 1.0) {
            return Err(bad(
                "validationFraction",
                "at least 0 and below 1",
                self.validation_fraction,
            ));
        }
        if self.early_stopping_rounds > 0 && self.validation_fraction == 0.0 {
            return Err(bad(
                "validationFraction",
                "above 0 when early stopping is on (e.g. 0.1)",
                self.validation_fraction,
            ));
        }
        if let ScalePosWeight::Value(w) = self.scale_pos_weight {
            if !(w > 0.0 && w.is_finite()) {
                return Err(bad("scalePosWeight", "a number above 0", w));
            }
        }
        Ok(())
    }
}
