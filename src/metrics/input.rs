//! Checks the three row-aligned inputs of every metric (score, treatment, outcome); computes nothing.
//!
//! Rows are numbered from 0 in error messages, like the `row` column of SCORES.csv.

use crate::error::{Error, Result};

/// One outcome value that must be 0 or 1 (a conversion flag). Implemented for the usual column types,
/// so metrics accept `&[f64]`, `&[f32]`, `&[u8]`, `&[i32]`, `&[i64]`, `&[u32]` and `&[bool]`.
pub trait OutcomeValue: Copy {
    /// `Some(true)` for 1, `Some(false)` for 0, `None` for anything else.
    fn as_binary(self) -> Option<bool>;
    /// How the value reads in an error message.
    fn describe(self) -> String;
}

macro_rules! outcome_float {
    ($($t:ty),*) => {$(
        impl OutcomeValue for $t {
            fn as_binary(self) -> Option<bool> {
                if self == 0.0 {
                    Some(false)
                } else if self == 1.0 {
                    Some(true)
                } else {
                    None
                }
            }
            fn describe(self) -> String {
                if self.is_nan() { "empty (not a number)".to_string() } else { self.to_string() }
            }
        }
    )*};
}
macro_rules! outcome_int {
    ($($t:ty),*) => {$(
        impl OutcomeValue for $t {
            fn as_binary(self) -> Option<bool> {
                match self {
                    0 => Some(false),
                    1 => Some(true),
                    _ => None,
                }
            }
            fn describe(self) -> String {
                self.to_string()
            }
        }
    )*};
}
outcome_float!(f64, f32);
outcome_int!(u8, u16, u32, u64, i8, i16, i32, i64, usize);

impl OutcomeValue for bool {
    fn as_binary(self) -> Option<bool> {
        Some(self)
    }
    fn describe(self) -> String {
        self.to_string()
    }
}

/// Row-aligned inputs after validation: outcome as 0/1 flags.
#[derive(Debug, Clone)]
pub(crate) struct Checked<'a> {
    pub score: &'a [f64],
    pub treatment: &'a [bool],
    pub outcome: Vec<bool>,
    pub n_treated: usize,
    pub n_control: usize,
}

/// Checks lengths (against `score`), finite scores, binary outcomes, and that both arms are present.
/// `what` names the score in messages (e.g. "uplift score").
pub(crate) fn check<'a, T: OutcomeValue>(
    what: &'static str,
    score: &'a [f64],
    treatment: &'a [bool],
    outcome: &[T],
) -> Result<Checked<'a>> {
    check_len("treatment", treatment.len(), what, score.len())?;
    check_len("outcome", outcome.len(), what, score.len())?;
    if score.is_empty() {
        return Err(Error::NoRows);
    }
    check_finite(what, score)?;
    let outcome = check_outcome(outcome)?;
    let n_treated = treatment.iter().filter(|&&t| t).count();
    let n_control = treatment.len() - n_treated;
    if n_treated == 0 || n_control == 0 {
        return Err(Error::TooFewInArm {
            treated: n_treated,
            control: n_control,
            min: 1,
        });
    }
    Ok(Checked {
        score,
        treatment,
        outcome,
        n_treated,
        n_control,
    })
}

/// `Error::LengthMismatch` when `found != expected`.
pub(crate) fn check_len(
    what: &'static str,
    found: usize,
    reference: &'static str,
    expected: usize,
) -> Result<()> {
    if found != expected {
        return Err(Error::LengthMismatch {
            what,
            found,
            reference,
            expected,
        });
    }
    Ok(())
}

/// `Error::NotANumber` at the first NaN or infinite value.
pub(crate) fn check_finite(what: &'static str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(row) => Err(Error::NotANumber { what, row }),
        None => Ok(()),
    }
}

/// Outcome as flags; `Error::OutcomeNotBinary` at the first value other than 0 or 1.
pub(crate) fn check_outcome<T: OutcomeValue>(outcome: &[T]) -> Result<Vec<bool>> {
    outcome
        .iter()
        .enumerate()
        .map(|(row, &v)| {
            v.as_binary().ok_or_else(|| Error::OutcomeNotBinary {
                row,
                found: v.describe(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_pinned() {
        let e = check("uplift score", &[0.1, 0.2], &[true], &[0u8, 1]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "treatment has 1 values but uplift score has 2; they must line up row by row."
        );
        let e = check("uplift score", &[0.1, f64::NAN], &[true, false], &[0u8, 1]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Row 1: uplift score is not a number. Check the uplift score column for empty or non-numeric cells."
        );
        let e = check("uplift score", &[0.1, 0.2], &[true, false], &[0.0, 0.5]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Row 1: the outcome must be 0 or 1, but it is 0.5. Choose a yes/no conversion column as the outcome."
        );
        let e = check("uplift score", &[0.1, 0.2], &[true, true], &[0u8, 1]).unwrap_err();
        assert!(matches!(
            e,
            Error::TooFewInArm {
                treated: 2,
                control: 0,
                min: 1
            }
        ));
        assert!(matches!(
            check::<u8>("uplift score", &[], &[], &[]),
            Err(Error::NoRows)
        ));
    }

    #[test]
    fn accepts_every_binary_type() {
        let c = check("s", &[1.0, 2.0, 3.0], &[true, false, true], &[1i32, 0, 1]).unwrap();
        assert_eq!(c.outcome, vec![true, false, true]);
        assert_eq!((c.n_treated, c.n_control), (2, 1));
        assert!(check("s", &[1.0, 2.0], &[true, false], &[true, false]).is_ok());
        assert!(check("s", &[1.0, 2.0], &[true, false], &[1.0f32, 0.0]).is_ok());
        assert!(check("s", &[1.0, 2.0], &[true, false], &[2u8, 0]).is_err());
    }
}
