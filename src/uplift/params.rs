//! Uplift settings and the specification handed to the base-learner factory; no fitting here.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::learners::logistic::LogisticParams;
use crate::learners::Objective;

/// Which meta-learner turns base models into uplift (DESIGN.md, "Meta-learners").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetaLearner {
    /// Choose among the candidates by out-of-fold evidence (see `auto`).
    #[default]
    Auto,
    /// One model on [x, treatment]; τ̂ = μ(x,1) − μ(x,0).
    S,
    /// One model per arm; τ̂ = μ1(x) − μ0(x).
    T,
    /// T's models, imputed effects, effect models per arm blended by the propensity.
    X,
    /// Doubly robust (AIPW) pseudo-outcome regressed on x.
    Dr,
    /// The mean of the S, T, X and DR estimates (or of auto's candidates): errors of different learners
    /// partly cancel. Costs nothing beyond fitting the candidates, which auto does anyway.
    Blend,
}

impl MetaLearner {
    /// The name used in reports and the page ("S", "T", "X", "DR", "auto").
    pub fn label(self) -> &'static str {
        match self {
            MetaLearner::Auto => "auto",
            MetaLearner::S => "S",
            MetaLearner::T => "T",
            MetaLearner::X => "X",
            MetaLearner::Dr => "DR",
            MetaLearner::Blend => "blend",
        }
    }
    /// Simplicity rank used by auto's one-standard-error rule: fewer and simpler models first.
    pub fn simplicity(self) -> usize {
        match self {
            MetaLearner::S => 0,
            MetaLearner::T => 1,
            MetaLearner::X => 2,
            MetaLearner::Dr => 3,
            MetaLearner::Blend => 4,
            MetaLearner::Auto => 5,
        }
    }
}

/// Uplift estimation settings. Every field has a default, so the page may send `{}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct UpliftParams {
    /// Meta-learner: auto, s, t, x or dr (default auto).
    pub learner: MetaLearner,
    /// Cross-fitting folds K, 2..=20 (default 5): each row is scored by models fit on the other K−1 folds.
    pub folds: usize,
    /// Propensity clip ε: e(x) is kept in [ε, 1−ε], 0 < ε < 0.5 (default 0.01, so no inverse-propensity
    /// weight exceeds 100; in a clean 85/15 test nothing is clipped).
    pub propensity_clip: f64,
    /// Weight outcome-model rows by 1/e(x) (treated) and 1/(1−e(x)) (control) (default true).
    pub ipw: bool,
    /// Weight converters by non-converters ÷ converters in each outcome model, then map the probabilities
    /// back exactly (default false).
    pub imbalance_weighting: bool,
    /// The learners auto chooses from (default S, T, X, DR).
    pub auto_candidates: Vec<MetaLearner>,
    /// Auto's tolerance: a simpler learner (S < T < X < DR) within this many standard errors of the best is
    /// chosen instead, ≥ 0 (default 0: take the best estimate, ties to the simpler). 1.0 is the classic
    /// one-standard-error rule; on the demo data (100k rows, logistic base) it picked S (Spearman 0.21 with
    /// the true effect) over T (0.54), because at 0.3 % conversion nearly every learner is within one
    /// standard error, and S is the most shrunken, not the most reliable, ranker.
    pub auto_se_rule: f64,
    /// Auto keeps the blend of its candidates unless a single learner beats it by more than this many standard
    /// errors of the paired difference, ≥ 0 (default 2). Why: on the project's generator (200k rows, 3 seeds) the
    /// blend captured more true incremental conversions than every single learner on every seed, while the
    /// out-of-fold evidence at 0.3 % conversion was too noisy to find that (it picked X or DR); an average of
    /// learners whose errors partly cancel is the safer default, and strong evidence can still overrule it.
    pub auto_blend_margin: f64,
    /// Same data + same seed ⇒ same folds and same scores (default 42).
    pub seed: u64,
    /// The propensity model (logistic regression) settings (defaults of [`LogisticParams`]).
    pub propensity: LogisticParams,
    /// Most training rows per fold for the propensity model, ≥ 1000 (default 200,000): larger training parts
    /// use an even stride of rows (deterministic). A 14-feature logistic regression gains nothing from more,
    /// and it keeps this stage at a fixed cost on files of millions of rows.
    pub propensity_sample_rows: usize,
    /// Non-converter sampling, the main speed lever at rare conversions: each base model trains on every
    /// converter of its rows and a seeded random share of its non-converters, each kept non-converter weighted
    /// by 1 / share, so weighted sums (and so probabilities and effects) stay unbiased and need no map-back.
    /// Non-converters kept per converter in the outcome models (μ0, μ1, S), ≥ 0 (default 100; 0 = keep every
    /// row of every model, effect models included). The effect models use `nonconverter_ratio_effect`. See
    /// `nonconverter_min`. At 0.3 % conversion a model of 600,000 rows trains on ≈ 185,000.
    /// Why 100: on the generator at 1M rows (3 seeds) capture@25 % of auto and X equalled the unsampled fit's
    /// (means 0.900 vs 0.898 and 0.890 vs 0.890), while 50 lost 0.003 on auto's mean and put auto 0.0005 below X
    /// on one seed (docs/BENCHMARKS.md; measured again in `uplift fit` round 6: auto −0.003, X +0.002).
    pub nonconverter_ratio: f64,
    /// Non-converters kept per converter in the effect models (the X-learner's τ0 and τ1, DR's regression),
    /// ≥ 0 (default 50; 0 = every row). Applies only while `nonconverter_ratio` is above 0
    /// (`nonconverter_ratio` = 0 keeps every row of every model). A separate setting because an effect
    /// model's non-converter targets (−μ0(x) for τ1, μ1(x) for τ0) are small and close to each other, so it
    /// needs fewer of them than an outcome model. Why 50: at 2M rows the X-learner's τ1 trains on ≈ 227,000
    /// rows instead of ≈ 449,000 and keeps fewer trees; on the generator at 1M rows (3 seeds, with the outcome
    /// models' patience 5) capture@25 % of X moved by +0.0005 on average and auto's by −0.002 (30 was as fast
    /// at 2M and cost auto −0.003; docs/BENCHMARKS.md, `uplift fit` round 6). Set 100 for the sampling of
    /// earlier versions.
    pub nonconverter_ratio_effect: f64,
    /// Fewest non-converters a model keeps when sampling, ≥ 1000 (default 50,000): models with no more
    /// non-converters than this use every row (so small data is never sampled).
    pub nonconverter_min: usize,
    /// Fold pipelines that score each row for its standard error: 0 = all `folds` (default: the full
    /// grouped jackknife), or m in 2..=folds (more than `folds` counts as `folds`): the row's own
    /// out-of-fold pipeline and the next m − 1 folds' (in fold order, wrapping), an estimate of the same
    /// quantity (see `uncertainty`). Each extra pipeline costs a prediction of every row by the learner's
    /// models, so m = 3 halves that stage at K = 5, for a noisier per-row standard error (2 degrees of
    /// freedom instead of 4: ±1.96·se coverage 0.785 instead of 0.85 in tests/uplift_uncertainty.rs). The
    /// default keeps the full jackknife because the review queue's borderline checks rest on it.
    pub se_pipelines: usize,
}

impl Default for UpliftParams {
    fn default() -> Self {
        Self {
            learner: MetaLearner::Auto,
            folds: 5,
            propensity_clip: 0.01,
            ipw: true,
            imbalance_weighting: false,
            auto_candidates: vec![
                MetaLearner::S,
                MetaLearner::T,
                MetaLearner::X,
                MetaLearner::Dr,
            ],
            auto_se_rule: 0.0,
            auto_blend_margin: 2.0,
            seed: 42,
            propensity: LogisticParams::default(),
            propensity_sample_rows: 200_000,
            nonconverter_ratio: 100.0,
            nonconverter_ratio_effect: 50.0,
            nonconverter_min: 50_000,
            se_pipelines: 0,
        }
    }
}

impl UpliftParams {
    /// Check the settings before any work.
    pub fn validate(&self) -> Result<()> {
        if !(2..=20).contains(&self.folds) {
            return Err(Error::BadParam {
                name: "folds",
                expected: "between 2 and 20",
                found: self.folds.to_string(),
            });
        }
        if !(self.propensity_clip > 0.0 && self.propensity_clip < 0.5) {
            return Err(Error::BadParam {
                name: "propensityClip",
                expected: "more than 0 and less than 0.5",
                found: self.propensity_clip.to_string(),
            });
        }
        if !(self.auto_blend_margin.is_finite() && self.auto_blend_margin >= 0.0) {
            return Err(Error::BadParam {
                name: "autoBlendMargin",
                expected: "a number ≥ 0 (standard errors)",
                found: self.auto_blend_margin.to_string(),
            });
        }
        if !(self.auto_se_rule.is_finite() && self.auto_se_rule >= 0.0) {
            return Err(Error::BadParam {
                name: "autoSeRule",
                expected: "a number ≥ 0",
                found: self.auto_se_rule.to_string(),
            });
        }
        if self.propensity_sample_rows < 1000 {
            return Err(Error::BadParam {
                name: "propensitySampleRows",
                expected: "at least 1000",
                found: self.propensity_sample_rows.to_string(),
            });
        }
        if !(self.nonconverter_ratio.is_finite() && self.nonconverter_ratio >= 0.0) {
            return Err(Error::BadParam {
                name: "nonconverterRatio",
                expected: "a number ≥ 0 (non-converters kept per converter; 0 keeps every row)",
                found: self.nonconverter_ratio.to_string(),
            });
        }
        if !(self.nonconverter_ratio_effect.is_finite() && self.nonconverter_ratio_effect >= 0.0) {
            return Err(Error::BadParam {
                name: "nonconverterRatioEffect",
                expected: "a number ≥ 0 (non-converters kept per converter in effect models; 0 keeps every row)",
                found: self.nonconverter_ratio_effect.to_string(),
            });
        }
        if self.nonconverter_min < 1000 {
            return Err(Error::BadParam {
                name: "nonconverterMin",
                expected: "at least 1000",
                found: self.nonconverter_min.to_string(),
            });
        }
        if self.se_pipelines == 1 {
            return Err(Error::BadParam {
                name: "sePipelines",
                expected: "0 (every fold) or at least 2 (the row's own fold pipeline and one more)",
                found: self.se_pipelines.to_string(),
            });
        }
        let c = &self.auto_candidates;
        let mut sorted = c.clone();
        sorted.sort();
        sorted.dedup();
        if c.is_empty()
            || sorted.len() != c.len()
            || c.contains(&MetaLearner::Auto)
            || c.contains(&MetaLearner::Blend)
        {
            return Err(Error::BadCandidates {
                found: if c.is_empty() {
                    "empty".into()
                } else {
                    c.iter().map(|m| m.label()).collect::<Vec<_>>().join(", ")
                },
            });
        }
        self.propensity.validate()
    }

    /// The learners whose models must be fit: the chosen one, or every auto candidate.
    pub fn learners_to_fit(&self) -> Vec<MetaLearner> {
        match self.learner {
            MetaLearner::Auto => {
                let mut c = self.auto_candidates.clone();
                c.sort();
                c
            }
            MetaLearner::Blend => vec![
                MetaLearner::S,
                MetaLearner::T,
                MetaLearner::X,
                MetaLearner::Dr,
            ],
            one => vec![one],
        }
    }
}

/// What a base model is for. The factory may tune the learner per role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    /// The S-learner's one outcome model on [x, treatment].
    Outcome,
    /// μ0: conversion of control rows.
    Control,
    /// μ1: conversion of treated rows (also the response score).
    Treated,
    /// X-learner τ0: imputed effect μ1(x) − y on control rows.
    EffectControl,
    /// X-learner τ1: imputed effect y − μ0(x) on treated rows.
    EffectTreated,
    /// DR-learner: the doubly robust pseudo-outcome on all rows.
    EffectDr,
}

impl Role {
    fn index(self) -> u64 {
        self as u64
    }
}

/// Everything the factory needs to build a base learner for one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BaseSpec {
    pub objective: Objective,
    pub role: Role,
    /// Cross-fitting fold whose rows this model must not see (0-based).
    pub fold: usize,
    /// A seed for this model alone, derived from the uplift seed, the fold and the role.
    pub seed: u64,
    /// Rows the model trains on.
    pub n_rows: usize,
    /// Conversions among those rows (for effect models too: their targets are built from those outcomes).
    /// Scale regularization to it: few positives ⇒ larger min child weight / L2, fewer trees.
    pub n_positive: usize,
    /// Set when imbalance weighting is on: the sample weights passed to `fit` already multiply converters by
    /// this factor, and uplift maps the probabilities back. The learner must NOT add its own class weighting.
    pub imbalance_weight: Option<f64>,
}

/// Derive a per-model seed (splitmix64 of the uplift seed, fold and role): independent streams, reproducible.
pub fn model_seed(seed: u64, fold: usize, role: Role) -> u64 {
    let mut z = seed
        .wrapping_add((fold as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(role.index().wrapping_mul(0xD1B5_4A32_D192_ED03));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_from_an_empty_object_and_bad_values_are_refused() {
        let p: UpliftParams = serde_json::from_str("{}").unwrap();
        assert_eq!(p, UpliftParams::default());
        assert_eq!(p.learner, MetaLearner::Auto);
        let p: UpliftParams =
            serde_json::from_str(r#"{"learner":"dr","folds":3,"imbalanceWeighting":true}"#)
                .unwrap();
        assert_eq!(
            (p.learner, p.folds, p.imbalance_weighting),
            (MetaLearner::Dr, 3, true)
        );
        assert!(serde_json::from_str::<UpliftParams>(r#"{"fold":3}"#).is_err());
        let bad = UpliftParams {
            folds: 1,
            ..Default::default()
        };
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "Setting “folds” is 1, but it must be between 2 and 20."
        );
        let bad = UpliftParams {
            nonconverter_ratio_effect: -1.0,
            ..Default::default()
        };
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "Setting “nonconverterRatioEffect” is -1, but it must be a number ≥ 0 (non-converters kept per converter in effect models; 0 keeps every row)."
        );
        let p: UpliftParams = serde_json::from_str(r#"{"nonconverterRatioEffect":30}"#).unwrap();
        assert_eq!(p.nonconverter_ratio_effect, 30.0);
        let bad = UpliftParams {
            auto_candidates: vec![MetaLearner::X, MetaLearner::X],
            ..Default::default()
        };
        assert_eq!(
            bad.validate().unwrap_err().to_string(),
            "The learners “auto” chooses from must be one or more of S, T, X and DR, each named once; the list was: X, X."
        );
    }

    #[test]
    fn model_seeds_differ_by_fold_and_role() {
        let a = model_seed(42, 0, Role::Control);
        assert_eq!(a, model_seed(42, 0, Role::Control));
        assert_ne!(a, model_seed(42, 1, Role::Control));
        assert_ne!(a, model_seed(42, 0, Role::Treated));
        assert_ne!(a, model_seed(43, 0, Role::Control));
    }
}
