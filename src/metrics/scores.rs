//! Qini coefficient and AUUC: areas under the curves normalised between random and perfect targeting,
//! exactly as scikit-uplift 0.5.1 `qini_auc_score` and `uplift_auc_score`. Curves themselves are in `curves.rs`.

use super::curves::{
    perfect_qini_points, perfect_qini_points_no_negative, perfect_uplift_points, random_points,
    CurvePoints, Groups,
};
use super::input::{check, OutcomeValue};
use super::order::Ranking;
use crate::error::{Error, Result};

/// Areas under a curve and its references (trapezoid rule, as `sklearn.metrics.auc`), in curve units × rows.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurveAreas {
    /// Area under the model's curve.
    pub model: f64,
    /// Area under the random-targeting line (0, 0)–(x_last, y_last) of the perfect curve (scikit-uplift baseline).
    pub random: f64,
    /// Area under the perfect curve.
    pub perfect: f64,
}

impl CurveAreas {
    /// Areas of `model` with the references that scikit-uplift derives from `perfect`.
    pub fn of(model: &CurvePoints, perfect: &CurvePoints) -> CurveAreas {
        CurveAreas {
            model: model.area(),
            random: random_points(perfect).area(),
            perfect: perfect.area(),
        }
    }

    /// (model − random) / (perfect − random), with scikit-uplift's operation order. `metric` names the score
    /// in the error raised when perfect and random areas coincide (nothing to normalise by).
    pub fn normalized(&self, metric: &'static str) -> Result<f64> {
        let perfect = self.perfect - self.random;
        let actual = self.model - self.random;
        let v = actual / perfect;
        if perfect == 0.0 || !v.is_finite() {
            return Err(Error::MetricUndefined {
                metric,
                reason: "no ranking can beat random targeting on these outcomes (for example, no row converted, or conversions do not differ between the groups)",
            });
        }
        Ok(v)
    }
}

/// Name of the Qini coefficient in messages.
pub(crate) const QINI: &str = "Qini coefficient";
/// Name of the AUUC in messages.
pub(crate) const AUUC: &str = "area under the uplift curve";

/// Qini coefficient, scikit-uplift 0.5.1 `qini_auc_score(y, score, t, negative_effect)` convention:
/// (area(model) − area(random)) / (area(perfect) − area(random)), one curve point per distinct score.
/// `negative_effect = true` (scikit-uplift's default) takes the perfect curve that ranks control converters
/// last; `false` takes the (0,0)–(r,r)–(n,r) curve.
///
/// Errors: as [`super::curves::qini_curve`], plus `MetricUndefined` when perfect and random areas coincide, or
/// (for `negative_effect = false`) when the overall Qini value r is negative (scikit-uplift raises there too).
pub fn qini_auc_score<T: OutcomeValue>(
    score: &[f64],
    treatment: &[bool],
    outcome: &[T],
    negative_effect: bool,
) -> Result<f64> {
    let c = check("uplift score", score, treatment, outcome)?;
    let ranking = Ranking::new(c.score);
    qini_areas_ranked(&ranking, c.treatment, &c.outcome, negative_effect)?.normalized(QINI)
}

/// Area under the uplift curve, normalised, scikit-uplift 0.5.1 `uplift_auc_score` convention:
/// (area(model) − area(random)) / (area(perfect) − area(random)) with the perfect uplift curve.
///
/// Errors: as [`super::curves::uplift_curve`], plus `MetricUndefined` when perfect and random areas coincide.
pub fn uplift_auc_score<T: OutcomeValue>(
    score: &[f64],
    treatment: &[bool],
    outcome: &[T],
) -> Result<f64> {
    let c = check("uplift score", score, treatment, outcome)?;
    let ranking = Ranking::new(c.score);
    uplift_areas_ranked(&ranking, c.treatment, &c.outcome).normalized(AUUC)
}

pub(crate) fn qini_areas_ranked(
    ranking: &Ranking,
    treatment: &[bool],
    outcome: &[bool],
    negative_effect: bool,
) -> Result<CurveAreas> {
    let model = super::curves::model_points(super::curves::Kind::Qini, ranking, treatment, outcome);
    qini_areas_of(&model, Groups::count(treatment, outcome), negative_effect)
}

/// Qini areas from the model curve's points ([`super::curves::model_points`]) and the row totals.
pub(crate) fn qini_areas_of(
    model: &CurvePoints,
    groups: Groups,
    negative_effect: bool,
) -> Result<CurveAreas> {
    let perfect = if negative_effect {
        perfect_qini_points(groups)
    } else {
        let p = perfect_qini_points_no_negative(groups);
        // sklearn's auc refuses x = [0, r, n] when it is not monotonic (r < 0).
        if p.x[1] < 0.0 {
            return Err(Error::MetricUndefined {
                metric: QINI,
                reason: "without negative effects it needs treated rows to convert at least as often as control rows overall, and here they convert less",
            });
        }
        p
    };
    Ok(CurveAreas::of(model, &perfect))
}

pub(crate) fn uplift_areas_ranked(
    ranking: &Ranking,
    treatment: &[bool],
    outcome: &[bool],
) -> CurveAreas {
    let model =
        super::curves::model_points(super::curves::Kind::Uplift, ranking, treatment, outcome);
    uplift_areas_of(&model, Groups::count(treatment, outcome))
}

/// Uplift-curve areas from the model curve's points and the row totals.
pub(crate) fn uplift_areas_of(model: &CurvePoints, groups: Groups) -> CurveAreas {
    let perfect = perfect_uplift_points(groups);
    CurveAreas::of(model, &perfect)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qini_by_hand() {
        // The six rows of curves.rs: model area 0.75 (worked there).
        // Perfect points (0,0) (2,2) (5,2) (6,1): 2·2/2 + 3·4/2 + 1·3/2 = 2 + 6 + 1.5 = 9.5.
        // Random line (0,0)–(6,1): 6·1/2 = 3.
        // Qini coefficient = (0.75 − 3) / (9.5 − 3) = −2.25 / 6.5 = −0.346153…
        let s = [0.5, 0.5, 0.9, 0.2, 0.2, 0.1];
        let t = [true, false, true, false, true, false];
        let y = [0u8, 1, 1, 0, 1, 0];
        let q = qini_auc_score(&s, &t, &y, true).unwrap();
        assert!((q - (-2.25 / 6.5)).abs() < 1e-15, "{q}");
        // negative_effect = false: perfect (0,0) (1,1) (6,1): 0.5 + 5 = 5.5 → (0.75 − 3)/(5.5 − 3) = −0.9.
        let q = qini_auc_score(&s, &t, &y, false).unwrap();
        assert!((q + 0.9).abs() < 1e-15, "{q}");
    }

    #[test]
    fn ranking_by_truth_scores_one() {
        // Score = y·t − y·(1−t) reproduces the perfect curve, so the coefficient is exactly 1.
        let t = [true, true, false, false, true, false, true];
        let y = [1u8, 0, 1, 0, 1, 0, 0];
        let s: Vec<f64> = t
            .iter()
            .zip(&y)
            .map(|(&t, &y)| if t { f64::from(y) } else { -f64::from(y) })
            .collect();
        assert_eq!(qini_auc_score(&s, &t, &y, true).unwrap(), 1.0);
    }

    #[test]
    fn undefined_when_nobody_converts() {
        let e =
            qini_auc_score(&[0.1, 0.2, 0.3], &[true, false, true], &[0u8, 0, 0], true).unwrap_err();
        assert_eq!(e.to_string(), "The Qini coefficient cannot be computed: no ranking can beat random targeting on these outcomes (for example, no row converted, or conversions do not differ between the groups).");
        // Treated 0/2 convert, control 1/1 → r = 0 − 2·1/1 = −2 < 0.
        let e = qini_auc_score(&[0.1, 0.2, 0.3], &[true, false, true], &[0u8, 1, 0], false)
            .unwrap_err();
        assert_eq!(e.to_string(), "The Qini coefficient cannot be computed: without negative effects it needs treated rows to convert at least as often as control rows overall, and here they convert less.");
    }
}
