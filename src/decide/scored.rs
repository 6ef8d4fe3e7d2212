//! The input of every decision: one uplift score per user plus the test's arms and outcomes; no modelling here.
//!
//! [`Scored`] does not care how τ̂ was made: the engine's meta-learners fill every column, while a user who brings
//! scores from another pipeline may give only the `uplift` column (with `treatment` and `outcome` from the test).
//! Optional columns switch features on: `uplift_se` (review queue borderline checks), `p_control` (Sure Thing vs
//! Lost Cause, impossible-uplift checks), `response_score` or `p_treated` (conversion-rate targeting), `revenue`.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Scored users, one entry per user in every column (row i of each column is the same user).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Scored {
    /// Estimated uplift τ̂ on the probability scale (e.g. 0.004 = +0.4 points of conversion).
    pub uplift: Vec<f64>,
    /// Standard error of each τ̂ (same scale), when the scorer gives one.
    pub uplift_se: Option<Vec<f64>>,
    /// Estimated base rate p̂0 = P(convert | not shown), in 0..=1.
    pub p_control: Option<Vec<f64>>,
    /// Estimated treated rate p̂1 = P(convert | shown), in 0..=1.
    pub p_treated: Option<Vec<f64>>,
    /// Any "likely to convert" score used by conversion-rate targeting (higher = more likely); when absent,
    /// `p_treated` is used.
    pub response_score: Option<Vec<f64>>,
    /// The arm of each user in the test: true = treated (shown the ad).
    pub treatment: Vec<bool>,
    /// Observed conversion, 0.0 or 1.0.
    pub outcome: Vec<f64>,
    /// Money value of each user's conversions (0 when none), when the data has it.
    pub revenue: Option<Vec<f64>>,
}

impl Scored {
    /// Scores with only the uplift column and the test's arms and outcomes.
    pub fn new(uplift: Vec<f64>, treatment: Vec<bool>, outcome: Vec<f64>) -> Self {
        Self {
            uplift,
            treatment,
            outcome,
            ..Self::default()
        }
    }

    /// Number of users.
    pub fn len(&self) -> usize {
        self.uplift.len()
    }

    /// True when there are no users.
    pub fn is_empty(&self) -> bool {
        self.uplift.is_empty()
    }

    /// The score conversion-rate targeting ranks by: `response_score`, else `p_treated`.
    pub fn conversion_score(&self) -> Option<&[f64]> {
        self.response_score.as_deref().or(self.p_treated.as_deref())
    }

    /// The base-rate score that splits Sure Things from Lost Causes: `p_control`, else the conversion score.
    pub fn base_rate_score(&self) -> Option<(&[f64], BaseRateSource)> {
        if let Some(p) = self.p_control.as_deref() {
            Some((p, BaseRateSource::PControl))
        } else {
            self.conversion_score()
                .map(|s| (s, BaseRateSource::ResponseScore))
        }
    }

    /// Check that the columns line up and hold usable numbers. Errors name the row (1-based) and column.
    pub fn validate(&self) -> Result<()> {
        let n = self.uplift.len();
        if n == 0 {
            return Err(Error::NoRows);
        }
        let same = |what: &'static str, found: usize| -> Result<()> {
            if found == n {
                Ok(())
            } else {
                Err(Error::LengthMismatch {
                    what,
                    found,
                    reference: "the uplift column",
                    expected: n,
                })
            }
        };
        same("The treatment column", self.treatment.len())?;
        same("The outcome column", self.outcome.len())?;
        finite("uplift", &self.uplift)?;
        for (what, col) in [
            ("uplift standard error", &self.uplift_se),
            ("base rate (p_control)", &self.p_control),
            ("treated rate (p_treated)", &self.p_treated),
            ("response score", &self.response_score),
            ("revenue", &self.revenue),
        ] {
            if let Some(c) = col {
                same(column_name(what), c.len())?;
                finite(what, c)?;
            }
        }
        for (i, &y) in self.outcome.iter().enumerate() {
            if y != 0.0 && y != 1.0 {
                return Err(Error::OutcomeNotBinary {
                    row: i + 1,
                    found: y.to_string(),
                });
            }
        }
        if let Some(se) = &self.uplift_se {
            if let Some(i) = se.iter().position(|&s| s < 0.0) {
                return Err(Error::NegativeScore {
                    what: "uplift standard error",
                    row: i + 1,
                });
            }
        }
        for (what, col) in [
            ("base rate (p_control)", &self.p_control),
            ("treated rate (p_treated)", &self.p_treated),
        ] {
            if let Some(c) = col {
                if let Some(i) = c.iter().position(|&p| !(0.0..=1.0).contains(&p)) {
                    return Err(Error::NotAProbability {
                        what,
                        row: i + 1,
                        found: c[i].to_string(),
                    });
                }
            }
        }
        if let Some(r) = &self.revenue {
            if let Some(i) = r.iter().position(|&v| v < 0.0) {
                return Err(Error::NegativeScore {
                    what: "revenue",
                    row: i + 1,
                });
            }
        }
        Ok(())
    }
}

/// Where the base rate that splits Sure Things from Lost Causes came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum BaseRateSource {
    /// The estimated base rate p̂0.
    PControl,
    /// No p̂0: the response score (or p̂1) stands in for it.
    ResponseScore,
    /// Neither: Sure Things and Lost Causes cannot be told apart.
    None,
}

fn column_name(what: &'static str) -> &'static str {
    match what {
        "uplift standard error" => "The uplift standard error column",
        "base rate (p_control)" => "The base rate (p_control) column",
        "treated rate (p_treated)" => "The treated rate (p_treated) column",
        "response score" => "The response score column",
        _ => "The revenue column",
    }
}

fn finite(what: &'static str, col: &[f64]) -> Result<()> {
    match col.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(Error::NotANumber { what, row: i + 1 }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three() -> Scored {
        Scored::new(
            vec![0.01, -0.002, 0.0],
            vec![true, false, true],
            vec![1.0, 0.0, 0.0],
        )
    }

    #[test]
    fn only_uplift_is_enough() {
        let s = three();
        s.validate().unwrap();
        assert_eq!(s.len(), 3);
        assert!(s.conversion_score().is_none());
        assert!(s.base_rate_score().is_none());
    }

    #[test]
    fn response_score_falls_back_to_p_treated() {
        let mut s = three();
        s.p_treated = Some(vec![0.1, 0.2, 0.3]);
        assert_eq!(s.conversion_score(), Some(&[0.1, 0.2, 0.3][..]));
        let (b, src) = s.base_rate_score().unwrap();
        assert_eq!(src, BaseRateSource::ResponseScore);
        assert_eq!(b[2], 0.3);
        s.p_control = Some(vec![0.0, 0.5, 1.0]);
        assert_eq!(s.base_rate_score().unwrap().1, BaseRateSource::PControl);
        s.validate().unwrap();
    }

    #[test]
    fn messages_name_the_row_and_column() {
        let mut s = three();
        s.outcome[1] = 2.0;
        assert_eq!(
            s.validate().unwrap_err().to_string(),
            "Row 2: the outcome must be 0 or 1, but it is 2. Choose a yes/no conversion column as the outcome."
        );
        let mut s = three();
        s.uplift[2] = f64::NAN;
        assert_eq!(
            s.validate().unwrap_err().to_string(),
            "Row 3: uplift is not a number. Check the uplift column for empty or non-numeric cells."
        );
        let mut s = three();
        s.treatment.pop();
        assert_eq!(
            s.validate().unwrap_err().to_string(),
            "The treatment column has 2 values but the uplift column has 3; they must line up row by row."
        );
        let mut s = three();
        s.p_control = Some(vec![0.1, 1.5, 0.2]);
        assert_eq!(
            s.validate().unwrap_err().to_string(),
            "Row 2: the base rate (p_control) must be a probability between 0 and 1, but it is 1.5."
        );
        let mut s = three();
        s.revenue = Some(vec![0.0, -3.0, 0.0]);
        assert_eq!(
            s.validate().unwrap_err().to_string(),
            "Row 2: the revenue is negative. Check the revenue column; it must be 0 or more."
        );
        assert!(matches!(Scored::default().validate(), Err(Error::NoRows)));
    }
}
