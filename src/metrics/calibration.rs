//! Calibration of the predicted conversion rates p̂0 (control) and p̂1 (treated): mean predicted vs observed rate
//! per arm, and per bin of predicted rate. It judges probabilities, not rankings.
//!
//! Each arm is judged on its own rows (p̂0 on control rows, p̂1 on treated rows): in a randomized test those rows
//! are a fair sample, so the mean prediction should match the observed rate. Bins: the arm's rows sorted by
//! predicted rate (ascending, larger index first among ties, reversed ranking), cut like `np.array_split`.

use super::deciles::{
    check_bins, check_confidence, normal_quantile, split_bounds, wilson_interval,
};
use super::input::{check_finite, check_len, check_outcome, OutcomeValue};
use super::order::Ranking;
use crate::error::{Error, Result};

/// Calibration of both predicted rates.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalibrationReport {
    /// p̂0 = P(convert | control, x), judged on control rows.
    pub control: ArmCalibration,
    /// p̂1 = P(convert | treated, x), judged on treated rows.
    pub treated: ArmCalibration,
    /// Coverage of the Wilson intervals (e.g. 0.95).
    pub confidence: f64,
}

/// Calibration of one arm's predicted rate.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArmCalibration {
    /// Rows of this arm.
    pub rows: usize,
    /// Conversions among them.
    pub conversions: usize,
    /// Observed conversion rate of the arm (conversions ÷ rows).
    pub observed_rate: f64,
    /// Wilson score interval of the observed rate: lower end.
    pub observed_low: f64,
    /// Wilson score interval of the observed rate: upper end.
    pub observed_high: f64,
    /// Mean predicted rate over this arm's rows (compare with `observedRate`).
    pub mean_predicted: f64,
    /// Mean predicted rate over all rows of both arms (equal to the above in expectation in a randomized test).
    pub mean_predicted_all_rows: f64,
    /// mean predicted ÷ observed rate (1 = calibrated); `None` when the arm has no conversion.
    pub ratio: Option<f64>,
    /// Per-bin calibration points, lowest predicted rate first.
    pub points: Vec<CalibrationPoint>,
}

/// One calibration point: a bin of rows with similar predicted rates.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalibrationPoint {
    /// Rows in the bin.
    pub rows: usize,
    /// Mean predicted rate in the bin.
    pub mean_predicted: f64,
    /// Observed conversion rate in the bin.
    pub observed_rate: f64,
    /// Wilson score interval of the observed rate: lower end.
    pub low: f64,
    /// Wilson score interval of the observed rate: upper end.
    pub high: f64,
}

/// Calibration of p̂0 (`p_control`) and p̂1 (`p_treated`) against observed outcomes, with `bins` calibration
/// points per arm (capped at the arm's rows) and Wilson intervals at `confidence`.
///
/// Errors: lengths differ (`LengthMismatch`), a prediction is NaN/infinite (`NotANumber`), an outcome is not
/// 0/1 (`OutcomeNotBinary`), an arm is empty (`TooFewInArm`), `bins` = 0 or `confidence` ∉ (0, 1) (`BadParam`).
pub fn calibration<T: OutcomeValue>(
    p_control: &[f64],
    p_treated: &[f64],
    treatment: &[bool],
    outcome: &[T],
    bins: usize,
    confidence: f64,
) -> Result<CalibrationReport> {
    let n = treatment.len();
    check_len("predicted control rate", p_control.len(), "treatment", n)?;
    check_len("predicted treated rate", p_treated.len(), "treatment", n)?;
    check_len("outcome", outcome.len(), "treatment", n)?;
    if n == 0 {
        return Err(Error::NoRows);
    }
    check_finite("predicted control rate", p_control)?;
    check_finite("predicted treated rate", p_treated)?;
    let outcome = check_outcome(outcome)?;
    check_bins(bins, n)?;
    check_confidence(confidence)?;
    let n_treated = treatment.iter().filter(|&&t| t).count();
    if n_treated == 0 || n_treated == n {
        return Err(Error::TooFewInArm {
            treated: n_treated,
            control: n - n_treated,
            min: 1,
        });
    }
    let z = normal_quantile(0.5 + confidence / 2.0);
    Ok(CalibrationReport {
        control: arm(p_control, treatment, &outcome, false, bins, z),
        treated: arm(p_treated, treatment, &outcome, true, bins, z),
        confidence,
    })
}

fn arm(
    predicted: &[f64],
    treatment: &[bool],
    outcome: &[bool],
    which: bool,
    bins: usize,
    z: f64,
) -> ArmCalibration {
    let rows: Vec<usize> = (0..treatment.len())
        .filter(|&i| treatment[i] == which)
        .collect();
    let conversions = rows.iter().filter(|&&i| outcome[i]).count();
    let m = rows.len();
    let observed_rate = conversions as f64 / m as f64;
    let (observed_low, observed_high) = wilson_interval(conversions, m, z);
    let mean_predicted = rows.iter().map(|&i| predicted[i]).sum::<f64>() / m as f64;
    let mean_predicted_all_rows = predicted.iter().sum::<f64>() / predicted.len() as f64;
    // Ascending predicted rate: the reversed ranking of this arm's predictions.
    let arm_pred: Vec<f64> = rows.iter().map(|&i| predicted[i]).collect();
    let mut order = Ranking::new(&arm_pred).rows;
    order.reverse();
    let points = split_bounds(m, bins.min(m))
        .into_iter()
        .map(|(start, end)| {
            let members = &order[start..end];
            let y = members
                .iter()
                .filter(|&&j| outcome[rows[j as usize]])
                .count();
            let sum: f64 = members.iter().map(|&j| arm_pred[j as usize]).sum();
            let (low, high) = wilson_interval(y, members.len(), z);
            CalibrationPoint {
                rows: members.len(),
                mean_predicted: sum / members.len() as f64,
                observed_rate: y as f64 / members.len() as f64,
                low,
                high,
            }
        })
        .collect();
    ArmCalibration {
        rows: m,
        conversions,
        observed_rate,
        observed_low,
        observed_high,
        mean_predicted,
        mean_predicted_all_rows,
        ratio: (conversions > 0).then(|| mean_predicted / observed_rate),
        points,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_hand() {
        // Rows:        0     1     2     3     4
        // treated:     T     C     T     C     C
        // y:           1     0     0     1     0
        // p̂0:        0.1   0.2   0.3   0.4   0.6
        // p̂1:        0.5   0.1   0.3   0.2   0.2
        let t = [true, false, true, false, false];
        let y = [1.0, 0.0, 0.0, 1.0, 0.0];
        let p0 = [0.1, 0.2, 0.3, 0.4, 0.6];
        let p1 = [0.5, 0.1, 0.3, 0.2, 0.2];
        let r = calibration(&p0, &p1, &t, &y, 2, 0.95).unwrap();
        // Control rows 1, 3, 4: observed 1/3; mean p̂0 = (0.2 + 0.4 + 0.6)/3 = 0.4; ratio 1.2.
        assert_eq!(r.control.rows, 3);
        assert!((r.control.observed_rate - 1.0 / 3.0).abs() < 1e-15);
        assert!((r.control.mean_predicted - 0.4).abs() < 1e-15);
        assert!((r.control.ratio.unwrap() - 1.2).abs() < 1e-12);
        // All rows: (0.1+0.2+0.3+0.4+0.6)/5 = 0.32.
        assert!((r.control.mean_predicted_all_rows - 0.32).abs() < 1e-15);
        // Control bins ascending p̂0, array_split(3, 2) → sizes 2, 1: {0.2 (y0), 0.4 (y1)}, {0.6 (y0)}.
        assert_eq!(r.control.points.len(), 2);
        assert!((r.control.points[0].mean_predicted - 0.3).abs() < 1e-15);
        assert_eq!(r.control.points[0].observed_rate, 0.5);
        assert_eq!(r.control.points[1].observed_rate, 0.0);
        // Treated rows 0, 2: observed 1/2; mean p̂1 = (0.5 + 0.3)/2 = 0.4; ratio 0.8.
        assert!((r.treated.ratio.unwrap() - 0.8).abs() < 1e-12);
        // Treated bins: {0.3 (y0)}, {0.5 (y1)}.
        assert_eq!(r.treated.points[0].observed_rate, 0.0);
        assert_eq!(r.treated.points[1].observed_rate, 1.0);
    }

    #[test]
    fn errors() {
        let e = calibration(&[0.1], &[0.1, 0.2], &[true, false], &[1u8, 0], 2, 0.95).unwrap_err();
        assert_eq!(
            e.to_string(),
            "predicted control rate has 1 values but treatment has 2; they must line up row by row."
        );
        let e = calibration(
            &[0.1, f64::NAN],
            &[0.1, 0.2],
            &[true, false],
            &[1u8, 0],
            2,
            0.95,
        )
        .unwrap_err();
        assert!(matches!(e, Error::NotANumber { row: 1, .. }));
    }
}
