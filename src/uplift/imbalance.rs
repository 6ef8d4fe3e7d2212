//! Small arms and rare outcomes: input checks, few-conversion warnings and calibration of p̂0/p̂1 per arm.
//!
//! The class weighting itself (converters × non-converters ÷ converters, then the exact map-back
//! p = p_w / (p_w + w·(1 − p_w))) is applied per model in `meta`; this file checks that the result is still
//! calibrated: mean predicted rate vs observed rate in each arm. Does not fit models.

use serde::Serialize;

use crate::data::prepare::{FEW_CONVERSIONS, MIN_ROWS_PER_ARM};
use crate::error::{Error, Result};
use crate::learners::Design;

/// Each arm needs at least this many converters and this many non-converters (so every fold's training part has both).
pub const MIN_OUTCOMES_PER_ARM: usize = 2;
/// Mean prediction off the observed rate by more than this share gives a warning.
pub const CALIBRATION_TOLERANCE: f64 = 0.10;

/// Rows and conversions per arm.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArmSizes {
    pub treated_rows: usize,
    pub control_rows: usize,
    pub treated_conversions: usize,
    pub control_conversions: usize,
}

impl ArmSizes {
    /// Plain-words warnings for arms with fewer than 50 conversions.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        for (group, conv, other) in [
            ("control", self.control_conversions, "treated"),
            ("treated", self.treated_conversions, "control"),
        ] {
            if conv < FEW_CONVERSIONS {
                w.push(format!(
                    "The {group} group has only {conv} conversions (fewer than {FEW_CONVERSIONS}). Everything the models \
                     learn about how the {group} group converts rests on those few users, so the uplift scores are noisy: \
                     the ranking can change from run to run, the intervals are wide, and learners that lean on the {group} \
                     group (X uses its model to judge the {other} group) are the least stable. Treat the numbers as rough \
                     until the test has more {group} conversions."
                ));
            }
        }
        w
    }
}

/// Validate the inputs of `fit_uplift`: lengths, a 0/1 outcome, both arms with converters and non-converters.
pub fn check_inputs(
    design: &Design,
    treatment: &[bool],
    outcome: &[f64],
    folds: usize,
) -> Result<ArmSizes> {
    let n = design.n_rows();
    if n == 0 {
        return Err(Error::NoRows);
    }
    if design.raw.nrows() != n {
        return Err(Error::LengthMismatch {
            what: "The raw feature table",
            found: design.raw.nrows(),
            reference: "the binned feature table",
            expected: n,
        });
    }
    if treatment.len() != n {
        return Err(Error::LengthMismatch {
            what: "The treatment column",
            found: treatment.len(),
            reference: "the feature table",
            expected: n,
        });
    }
    if outcome.len() != n {
        return Err(Error::LengthMismatch {
            what: "The outcome column",
            found: outcome.len(),
            reference: "the feature table",
            expected: n,
        });
    }
    let mut a = ArmSizes {
        treated_rows: 0,
        control_rows: 0,
        treated_conversions: 0,
        control_conversions: 0,
    };
    for (row, (&t, &y)) in treatment.iter().zip(outcome).enumerate() {
        if y.is_nan() {
            return Err(Error::NotANumber {
                what: "the outcome",
                row,
            });
        }
        if y != 0.0 && y != 1.0 {
            return Err(Error::OutcomeNotBinary {
                row,
                found: y.to_string(),
            });
        }
        let c = usize::from(y == 1.0);
        if t {
            a.treated_rows += 1;
            a.treated_conversions += c;
        } else {
            a.control_rows += 1;
            a.control_conversions += c;
        }
    }
    let min = MIN_ROWS_PER_ARM.max(folds);
    if a.treated_rows < min || a.control_rows < min {
        return Err(Error::TooFewInArm {
            treated: a.treated_rows,
            control: a.control_rows,
            min,
        });
    }
    let conversions = a.treated_conversions + a.control_conversions;
    if conversions == 0 {
        return Err(Error::NoConversions);
    }
    if conversions == n {
        return Err(Error::AllConverted);
    }
    for (group, conv, rows) in [
        ("control", a.control_conversions, a.control_rows),
        ("treated", a.treated_conversions, a.treated_rows),
    ] {
        if conv < MIN_OUTCOMES_PER_ARM || rows - conv < MIN_OUTCOMES_PER_ARM {
            return Err(Error::TooFewOutcomesInArm {
                group,
                conversions: conv,
                rows,
                min: MIN_OUTCOMES_PER_ARM,
            });
        }
    }
    Ok(a)
}

/// Mean predicted vs observed conversion rate in one arm.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArmCalibration {
    pub rows: usize,
    pub observed_rate: f64,
    /// Mean of the arm's own prediction (p̂0 for control rows, p̂1 for treated rows).
    pub mean_predicted: f64,
    /// mean_predicted ÷ observed_rate − 1 (0 = perfectly calibrated on average).
    pub relative_error: f64,
}

/// Calibration of p̂0 on control rows and p̂1 on treated rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Calibration {
    pub control: ArmCalibration,
    pub treated: ArmCalibration,
}

impl Calibration {
    /// Warnings when an arm's mean prediction is more than 10 % off its observed rate.
    pub fn warnings(&self) -> Vec<String> {
        [("control", &self.control), ("treated", &self.treated)]
            .iter()
            .filter(|(_, c)| c.relative_error.abs() > CALIBRATION_TOLERANCE)
            .map(|(group, c)| {
                format!(
                    "Predicted conversion in the {group} group averages {:.3}% against {:.3}% observed ({:+.0}%). \
                     The ranking of users can still be useful, but read the predicted rates as rough.",
                    100.0 * c.mean_predicted,
                    100.0 * c.observed_rate,
                    100.0 * c.relative_error
                )
            })
            .collect()
    }
}

/// Compare mean predictions with observed rates per arm.
pub fn calibration(
    p_control: &[f64],
    p_treated: &[f64],
    treatment: &[bool],
    outcome: &[f64],
) -> Calibration {
    let arm = |want: bool, pred: &[f64]| {
        let (mut n, mut y, mut p) = (0usize, 0.0, 0.0);
        for i in 0..treatment.len() {
            if treatment[i] == want {
                n += 1;
                y += outcome[i];
                p += pred[i];
            }
        }
        let nf = n.max(1) as f64;
        let (obs, mean) = (y / nf, p / nf);
        ArmCalibration {
            rows: n,
            observed_rate: obs,
            mean_predicted: mean,
            relative_error: if obs > 0.0 { mean / obs - 1.0 } else { 0.0 },
        }
    };
    Calibration {
        control: arm(false, p_control),
        treated: arm(true, p_treated),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::binning::{BinParams, BinnedMatrix};
    use ndarray::Array2;

    fn design(n: usize) -> Design {
        let col: Vec<f64> = (0..n).map(|i| i as f64).collect();
        Design {
            names: vec!["x".into()],
            binned: BinnedMatrix::from_columns(&[&col], &BinParams::default()),
            raw: Array2::from_shape_vec((n, 1), col).unwrap(),
        }
    }

    #[test]
    fn input_errors_in_plain_words() {
        let d = design(40);
        let t: Vec<bool> = (0..40).map(|i| i % 2 == 0).collect();
        let mut y = vec![0.0; 40];
        assert!(matches!(
            check_inputs(&d, &t, &y, 5),
            Err(Error::NoConversions)
        ));
        y[0] = 1.0; // one treated conversion only
        y[1] = 1.0;
        y[3] = 1.0; // control has 2
        assert_eq!(
            check_inputs(&d, &t, &y, 5).unwrap_err().to_string(),
            "In the treated group, 1 of 20 rows converted. Uplift needs at least 2 rows that converted and 2 that did not in each group, so that every cross-fitting fold can learn both outcomes. Use more data or a more common outcome (e.g. visits instead of purchases)."
        );
        y[2] = 1.0;
        let a = check_inputs(&d, &t, &y, 5).unwrap();
        assert_eq!((a.treated_conversions, a.control_conversions), (2, 2));
        assert_eq!(a.warnings().len(), 2);
        assert!(a.warnings()[0]
            .starts_with("The control group has only 2 conversions (fewer than 50)."));
        y[5] = 0.5;
        assert_eq!(
            check_inputs(&d, &t, &y, 5).unwrap_err().to_string(),
            "Row 5: the outcome must be 0 or 1, but it is 0.5. Choose a yes/no conversion column as the outcome."
        );
        assert!(matches!(
            check_inputs(&d, &t[..39], &y, 5),
            Err(Error::LengthMismatch {
                found: 39,
                expected: 40,
                ..
            })
        ));
        y[5] = 0.0;
        let t_few: Vec<bool> = (0..40).map(|i| i > 3).collect();
        assert_eq!(
            check_inputs(&d, &t_few, &y, 5).unwrap_err().to_string(),
            "Uplift needs both groups: found 36 treated and 4 control rows; each needs at least 10."
        );
    }

    #[test]
    fn calibration_by_hand() {
        // control rows 1, 3: observed 1/2 = 0.5, predicted (0.4 + 0.8)/2 = 0.6 → +20 % → warning.
        // treated rows 0, 2: observed 0/2 = 0 → relative error reported as 0.
        let t = [true, false, true, false];
        let y = [0.0, 1.0, 0.0, 0.0];
        let c = calibration(&[9.0, 0.4, 9.0, 0.8], &[0.1, 9.0, 0.2, 9.0], &t, &y);
        assert!((c.control.relative_error - 0.2).abs() < 1e-12);
        assert!((c.treated.mean_predicted - 0.15).abs() < 1e-12);
        let w = c.warnings();
        assert_eq!(w.len(), 1);
        assert!(w[0].starts_with("Predicted conversion in the control group averages 60.000% against 50.000% observed (+20%)."), "{}", w[0]);
    }
}
