//! The base learner behind every meta-learner model, with small-arm safety: regularization scaled to the
//! number of conversions a model sees. Does not fit anything itself; `uplift` calls the factory per model.
//!
//! Why scale: an outcome model on a control arm with 40 conversions, grown like one on 4,000, memorises noise
//! — and the X-learner leans 85 % on that model when 85 % of rows are treated (issue 8). So each model gets
//! (1) a minimum expected number of conversions per leaf (`min_child_weight`, in hessian units ≈ conversions
//! for log loss at low rates), (2) fewer levels when positives are few, and (3) early stopping on a held-out
//! tenth of its own training rows, so the number of trees is chosen by data the model did not fit.

use serde::{Deserialize, Serialize};

use crate::learners::gbdt::{Gbdt, GbdtParams};
use crate::learners::logistic::{Logistic, LogisticParams};
use crate::learners::{Learner, Objective};
use crate::uplift::{BaseSpec, Role};

/// Which base learner the meta-learners use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub enum BaseKind {
    /// Our histogram gradient-boosted trees (default).
    #[default]
    Gbdt,
    /// Weighted logistic regression / ridge (fast, linear effects only).
    Logistic,
}

/// The base learner and its settings. Every field has a default, so the page may send `{}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct BaseParams {
    /// Base learner (default gradient-boosted trees).
    pub kind: BaseKind,
    /// Tree settings: the user's ceiling; small-arm safety only ever makes a model simpler (default 100 trees,
    /// depth 6, learning rate 0.1).
    pub gbdt: GbdtParams,
    /// Logistic settings (when `kind` is logistic).
    pub logistic: LogisticParams,
    /// Scale regularization to the conversions each model sees (default on). Off: every model uses `gbdt` as is.
    pub small_arm_safety: bool,
    /// Early stopping patience of the outcome models (μ0, μ1, S), in rounds without a better held-out log loss,
    /// ≥ 1 (default 5). Only with `small_arm_safety` (which holds out a tenth of each model's rows). Every
    /// round after the best one is grown only to be dropped: at 2M rows μ1 kept 35–59 trees and grew 10 more
    /// with the earlier default 10. Why 5: on the generator at 1M rows (3 seeds) capture@25 % of X and auto
    /// moved by +0.0002 and +0.0001 on average (docs/BENCHMARKS.md, `uplift fit` round 6).
    pub outcome_early_stopping_rounds: usize,
    /// Early stopping patience of the effect models (X's τ0 and τ1, DR), in rounds, ≥ 1 (default 5).
    pub effect_early_stopping_rounds: usize,
}

impl Default for BaseParams {
    fn default() -> Self {
        Self {
            kind: BaseKind::Gbdt,
            gbdt: GbdtParams::default(),
            logistic: LogisticParams::default(),
            small_arm_safety: true,
            outcome_early_stopping_rounds: 5,
            effect_early_stopping_rounds: 5,
        }
    }
}

impl BaseParams {
    /// Validate the chosen learner's settings before any work.
    pub fn validate(&self) -> crate::Result<()> {
        for (name, v) in [
            (
                "outcomeEarlyStoppingRounds",
                self.outcome_early_stopping_rounds,
            ),
            (
                "effectEarlyStoppingRounds",
                self.effect_early_stopping_rounds,
            ),
        ] {
            if v == 0 {
                return Err(crate::Error::BadParam {
                    name,
                    expected:
                        "at least 1 (rounds without a better held-out loss before a model stops)",
                    found: v.to_string(),
                });
            }
        }
        match self.kind {
            BaseKind::Gbdt => self.gbdt.validate(),
            BaseKind::Logistic => self.logistic.validate(),
        }
    }

    /// The tree settings one model gets (see the module doc for the rules).
    pub fn gbdt_for(&self, spec: &BaseSpec) -> GbdtParams {
        let mut p = self.gbdt.clone();
        p.seed = spec.seed;
        if spec.imbalance_weight.is_some() {
            // uplift already weights converters and maps probabilities back: no second weighting.
            p.scale_pos_weight = crate::learners::gbdt::ScalePosWeight::Off;
        }
        if !self.small_arm_safety {
            return p;
        }
        let positives = spec.n_positive.max(1) as f64;
        match spec.objective {
            Objective::LogLoss => {
                // Hessian p(1−p) ≈ p at low rates, so min_child_weight ≈ expected conversions per leaf:
                // ~1 % of the model's conversions, between 2 and 20.
                p.min_child_weight = p.min_child_weight.max((positives / 100.0).clamp(2.0, 20.0));
                if spec.n_positive < 500 {
                    p.max_depth = p.max_depth.min(4);
                }
                if spec.n_positive < 150 {
                    p.max_depth = p.max_depth.min(3);
                    p.l2 = p.l2.max(10.0);
                }
            }
            Objective::SquaredError => {
                // Effect targets are ±1-sized noise around a sub-percent signal: leaves need many rows.
                let rows = spec.n_rows.max(1) as f64;
                p.min_child_weight = p.min_child_weight.max((rows / 200.0).max(20.0));
                p.max_depth = p.max_depth.min(4);
                p.l2 = p.l2.max(rows / 1000.0);
            }
        }
        if spec.n_rows >= 2_000 && p.trees > 10 {
            p.validation_fraction = 0.1;
            p.early_stopping_rounds = if matches!(
                spec.role,
                Role::EffectControl | Role::EffectTreated | Role::EffectDr
            ) {
                self.effect_early_stopping_rounds
            } else {
                self.outcome_early_stopping_rounds
            };
        }
        p
    }

    /// The factory `uplift::fit_uplift` calls for every model.
    pub fn factory(&self) -> impl Fn(&BaseSpec) -> Box<dyn Learner> + '_ {
        move |spec: &BaseSpec| -> Box<dyn Learner> {
            match self.kind {
                BaseKind::Gbdt => Box::new(Gbdt::new(self.gbdt_for(spec))),
                BaseKind::Logistic => Box::new(Logistic {
                    params: self.logistic.clone(),
                }),
            }
        }
    }

    /// A short name for reports.
    pub fn label(&self) -> &'static str {
        match self.kind {
            BaseKind::Gbdt => "gradient-boosted trees",
            BaseKind::Logistic => "logistic regression",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(objective: Objective, role: Role, n_rows: usize, n_positive: usize) -> BaseSpec {
        BaseSpec {
            objective,
            role,
            fold: 0,
            seed: 7,
            n_rows,
            n_positive,
            imbalance_weight: None,
        }
    }

    #[test]
    fn few_conversions_make_simpler_trees() {
        let p = BaseParams::default();
        // 30,000 control rows with 90 conversions: depth capped at 3, ≥ 2 expected conversions per leaf, L2 ≥ 10.
        let small = p.gbdt_for(&spec(Objective::LogLoss, Role::Control, 30_000, 90));
        assert_eq!(small.max_depth, 3);
        assert_eq!(small.min_child_weight, 2.0);
        assert_eq!(small.l2, 10.0);
        assert_eq!(small.seed, 7);
        // 170,000 treated rows with 5,000 conversions: the user's depth 6, 50 conversions per leaf capped to 20.
        let big = p.gbdt_for(&spec(Objective::LogLoss, Role::Treated, 170_000, 5_000));
        assert_eq!(big.max_depth, 6);
        assert_eq!(big.min_child_weight, 20.0);
        assert_eq!(big.early_stopping_rounds, 5);
        // Effect regressors on 100,000 rows: leaves of ≥ 500 rows (weight), depth ≤ 4, L2 ≥ 100.
        let eff = p.gbdt_for(&spec(
            Objective::SquaredError,
            Role::EffectTreated,
            100_000,
            300,
        ));
        assert_eq!(eff.min_child_weight, 500.0);
        assert_eq!(eff.max_depth, 4);
        assert_eq!(eff.l2, 100.0);
        assert_eq!(eff.early_stopping_rounds, 5);
    }

    #[test]
    fn early_stopping_patience_per_kind_of_model() {
        let p = BaseParams {
            outcome_early_stopping_rounds: 3,
            effect_early_stopping_rounds: 7,
            ..BaseParams::default()
        };
        let g = p.gbdt_for(&spec(Objective::LogLoss, Role::Treated, 170_000, 5_000));
        assert_eq!(g.early_stopping_rounds, 3);
        let g = p.gbdt_for(&spec(Objective::LogLoss, Role::Outcome, 170_000, 5_000));
        assert_eq!(g.early_stopping_rounds, 3);
        let g = p.gbdt_for(&spec(
            Objective::SquaredError,
            Role::EffectDr,
            170_000,
            5_000,
        ));
        assert_eq!(g.early_stopping_rounds, 7);
        // too few rows to hold any out: no early stopping at all
        let g = p.gbdt_for(&spec(Objective::LogLoss, Role::Treated, 1_000, 50));
        assert_eq!(g.early_stopping_rounds, 0);
        let bad = BaseParams {
            outcome_early_stopping_rounds: 0,
            ..BaseParams::default()
        };
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "Setting “outcomeEarlyStoppingRounds” is 0, but it must be at least 1 (rounds without a better held-out loss before a model stops)."
        );
        let q: BaseParams = serde_json::from_str(r#"{"outcomeEarlyStoppingRounds":5}"#).unwrap();
        assert_eq!(
            (
                q.outcome_early_stopping_rounds,
                q.effect_early_stopping_rounds
            ),
            (5, 5)
        );
    }

    #[test]
    fn safety_off_keeps_the_users_settings() {
        let p = BaseParams {
            small_arm_safety: false,
            ..BaseParams::default()
        };
        let g = p.gbdt_for(&spec(Objective::LogLoss, Role::Control, 30_000, 90));
        assert_eq!(g.max_depth, 6);
        assert_eq!(g.min_child_weight, 1.0);
        assert_eq!(g.early_stopping_rounds, 0);
    }
}
