//! One call that computes every ranking metric the page and REPORT.json show, sorting the rows once.
//! Calibration (needs p̂0/p̂1) and capture (needs true effects) are separate calls.

use super::at_k::{AtKCut, AtKStrategy, TopK};
use super::bootstrap::{bootstrap_ranked, BootstrapParams, Interval};
use super::curves::{
    model_points_both, qini_curve_of, uplift_curve_of, Groups, QiniCurve, UpliftCurve,
};
use super::deciles::{bins_ranked, check_bins, UpliftBin};
use super::input::{check, OutcomeValue};
use super::order::Ranking;
use super::scores::{qini_areas_of, uplift_areas_of, CurveAreas, AUUC, QINI};
use crate::error::{Error, Result};

/// Settings of [`uplift_metrics`]. Every field has a default, so the page may send `{}`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricsParams {
    /// Bootstrap replicates for the intervals, 1–100,000 (default 200).
    pub replicates: usize,
    /// Coverage of every interval (bootstrap and Newcombe), strictly between 0 and 1 (default 0.95).
    pub confidence: f64,
    /// Seed of the bootstrap: same data + same seed ⇒ same intervals (default 42).
    pub seed: u64,
    /// Share of rows for uplift@k, strictly between 0 and 1 (default 0.3, scikit-uplift's default k).
    pub k: f64,
    /// Number of bins of predicted uplift for the bin table, ≥ 1 and ≤ rows (default 10: deciles).
    pub bins: usize,
    /// Most points kept per curve for charts, ≥ 2 (default 200); areas and scores use every point.
    pub max_curve_points: usize,
}

impl Default for MetricsParams {
    fn default() -> Self {
        MetricsParams {
            replicates: 200,
            confidence: 0.95,
            seed: 42,
            k: 0.3,
            bins: 10,
            max_curve_points: 200,
        }
    }
}

impl MetricsParams {
    fn bootstrap(&self) -> BootstrapParams {
        BootstrapParams {
            replicates: self.replicates,
            confidence: self.confidence,
            seed: self.seed,
            k: self.k,
        }
    }

    /// `BadParam` for the first field out of range (rows-dependent checks happen in [`uplift_metrics`]).
    pub fn validate(&self) -> Result<()> {
        self.bootstrap().validate()?;
        if self.bins == 0 {
            return Err(Error::BadParam {
                name: "bins",
                expected: "at least 1 and at most the number of rows",
                found: "0".to_string(),
            });
        }
        if self.max_curve_points < 2 {
            return Err(Error::BadParam {
                name: "maxCurvePoints",
                expected: "at least 2",
                found: self.max_curve_points.to_string(),
            });
        }
        Ok(())
    }
}

/// Everything that judges a ranking of users by uplift score, with intervals. `None` metrics are undefined on
/// these rows; `undefined` says why.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpliftMetrics {
    /// Rows judged.
    pub rows: usize,
    /// Treated rows.
    pub treated: usize,
    /// Control rows.
    pub control: usize,
    /// Conversions among treated rows.
    pub treated_conversions: usize,
    /// Conversions among control rows.
    pub control_conversions: usize,
    /// Qini coefficient, scikit-uplift `qini_auc_score` convention (negative_effect = true), with its bootstrap
    /// percentile interval.
    pub qini: Option<Interval>,
    /// Qini coefficient, scikit-uplift `qini_auc_score(negative_effect=False)` convention (no interval).
    pub qini_no_negative_effect: Option<f64>,
    /// AUUC, scikit-uplift `uplift_auc_score` convention (normalised area), with its bootstrap interval.
    pub auuc: Option<Interval>,
    /// Uplift at k, scikit-uplift `uplift_at_k(strategy="overall")` convention, with its bootstrap interval.
    pub uplift_at_k_overall: Option<Interval>,
    /// Uplift at k, scikit-uplift `uplift_at_k(strategy="by_group")` convention, with its bootstrap interval.
    pub uplift_at_k_by_group: Option<Interval>,
    /// Share of rows k used by uplift@k.
    pub k: f64,
    /// Raw areas under the Qini curves (trapezoid, `sklearn.metrics.auc`), model / random / perfect.
    pub qini_areas: CurveAreas,
    /// Raw areas under the uplift curves, model / random / perfect.
    pub uplift_areas: CurveAreas,
    /// Qini curve (scikit-uplift `qini_curve`), downsampled to `maxCurvePoints` for charts.
    pub qini_curve: QiniCurve,
    /// Uplift curve (scikit-uplift `uplift_curve`), downsampled to `maxCurvePoints` for charts.
    pub uplift_curve: UpliftCurve,
    /// Uplift by bins of predicted uplift (bin 1 = highest), Newcombe intervals.
    pub bins: Vec<UpliftBin>,
    /// Interval settings and method.
    pub intervals: IntervalSettings,
    /// Why a metric above is `None`, in plain words.
    pub undefined: Vec<String>,
}

/// How the intervals were made.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntervalSettings {
    /// Coverage of every interval.
    pub confidence: f64,
    /// Bootstrap replicates drawn.
    pub replicates: usize,
    /// Bootstrap seed.
    pub seed: u64,
    /// Bootstrap method of the metric intervals.
    pub bootstrap_method: String,
    /// Method of the bin intervals.
    pub bin_method: String,
}

/// Every ranking metric of `score` (predicted uplift τ̂, or any score to compare, e.g. the response score) on
/// a randomized test: Qini coefficient and AUUC with bootstrap intervals, uplift@k, curves for charts, and the
/// bin table. Sorts the rows once.
///
/// Errors: input errors as [`super::curves::qini_curve`]; `BadParam` for params out of range. Metrics that are
/// undefined on these rows are `None` with a reason in `undefined`, not errors.
pub fn uplift_metrics<T: OutcomeValue>(
    score: &[f64],
    treatment: &[bool],
    outcome: &[T],
    params: &MetricsParams,
) -> Result<UpliftMetrics> {
    params.validate()?;
    let c = check("uplift score", score, treatment, outcome)?;
    check_bins(params.bins, score.len())?;
    let ranking = Ranking::new(c.score);
    let (t, y) = (c.treatment, c.outcome.as_slice());

    let mut undefined = Vec::new();
    let mut keep = |r: Result<f64>| match r {
        Ok(v) => Some(v),
        Err(e) => {
            let msg = e.to_string();
            if !undefined.contains(&msg) {
                undefined.push(msg);
            }
            None
        }
    };
    // Both model curves in one walk over the ranking; every area and curve below is made from them.
    let (qini_pts, uplift_pts) = model_points_both(&ranking, t, y);
    let groups = Groups::count(t, y);
    let qini_areas = qini_areas_of(&qini_pts, groups, true)?;
    let uplift_areas = uplift_areas_of(&uplift_pts, groups);
    // Point values give the reasons when undefined; the bootstrap gives the same values with intervals.
    keep(qini_areas.normalized(QINI));
    keep(uplift_areas.normalized(AUUC));
    let qini_no_negative_effect =
        keep(qini_areas_of(&qini_pts, groups, false).and_then(|a| a.normalized(QINI)));
    for s in [AtKStrategy::Overall, AtKStrategy::ByGroup] {
        let v = AtKCut::new(TopK::Share(params.k), s, c.n_treated, c.n_control).and_then(|cut| {
            let rows = ranking.rows.iter().map(|&r| r as usize);
            cut.uplift(rows.map(|r| (t[r], y[r], 1u32)))
        });
        keep(v);
    }
    let boot = bootstrap_ranked(&ranking, t, y, &params.bootstrap());

    let treated_conversions = (0..y.len()).filter(|&i| t[i] && y[i]).count();
    let control_conversions = (0..y.len()).filter(|&i| !t[i] && y[i]).count();
    Ok(UpliftMetrics {
        rows: score.len(),
        treated: c.n_treated,
        control: c.n_control,
        treated_conversions,
        control_conversions,
        qini: boot.qini,
        qini_no_negative_effect,
        auuc: boot.auuc,
        uplift_at_k_overall: boot.uplift_at_k_overall,
        uplift_at_k_by_group: boot.uplift_at_k_by_group,
        k: params.k,
        qini_areas,
        uplift_areas,
        qini_curve: qini_curve_of(qini_pts, groups).downsample(params.max_curve_points),
        uplift_curve: uplift_curve_of(uplift_pts, groups).downsample(params.max_curve_points),
        bins: bins_ranked(&ranking, c.score, t, y, params.bins, params.confidence)?,
        intervals: IntervalSettings {
            confidence: params.confidence,
            replicates: params.replicates,
            seed: params.seed,
            bootstrap_method: boot.method,
            bin_method: "Newcombe hybrid score interval (method 10) of the rate difference"
                .to_string(),
        },
        undefined,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{qini_auc_score, uplift_auc_score};

    #[test]
    fn bundles_the_single_metrics() {
        // 12 rows; scores with ties.
        let s = [0.9, 0.8, 0.8, 0.7, 0.6, 0.5, 0.5, 0.4, 0.3, 0.2, 0.1, 0.1];
        let t = [
            true, false, true, true, false, true, false, true, false, true, false, false,
        ];
        let y = [1u8, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 0];
        let p = MetricsParams {
            bins: 3,
            max_curve_points: 4,
            ..Default::default()
        };
        let m = uplift_metrics(&s, &t, &y, &p).unwrap();
        assert_eq!((m.rows, m.treated, m.control), (12, 6, 6));
        assert_eq!((m.treated_conversions, m.control_conversions), (3, 2));
        let q = qini_auc_score(&s, &t, &y, true).unwrap();
        assert!((m.qini.unwrap().estimate - q).abs() < 1e-12);
        let a = uplift_auc_score(&s, &t, &y).unwrap();
        assert!((m.auuc.unwrap().estimate - a).abs() < 1e-12);
        assert_eq!(m.qini_curve.x.len(), 4);
        assert_eq!(m.qini_curve.x[0], 0.0);
        assert_eq!(*m.qini_curve.x.last().unwrap(), 12.0);
        assert_eq!(m.bins.len(), 3);
        assert!(m.undefined.is_empty(), "{:?}", m.undefined);
        let json = serde_json::to_string(&m).unwrap();
        assert!(json.contains("\"upliftAtKOverall\""));
        assert!(json.contains("\"qiniNoNegativeEffect\""));
    }

    #[test]
    fn undefined_metrics_are_explained_not_errors() {
        // Nobody converts: every score is undefined, the report still comes back.
        let s = [0.3, 0.2, 0.1, 0.4];
        let t = [true, false, true, false];
        let y = [0u8; 4];
        let p = MetricsParams {
            bins: 2,
            ..Default::default()
        };
        let m = uplift_metrics(&s, &t, &y, &p).unwrap();
        assert!(m.qini.is_none() && m.auuc.is_none());
        assert!(m.undefined[0].starts_with("The Qini coefficient cannot be computed"));
        let e = uplift_metrics(&s, &t, &y, &MetricsParams::default()).unwrap_err();
        assert!(matches!(e, Error::BadParam { name: "bins", .. }));
    }
}
