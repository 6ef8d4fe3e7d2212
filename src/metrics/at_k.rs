//! Uplift among the top-ranked rows (scikit-uplift 0.5.1 `uplift_at_k`, strategies `overall` and `by_group`).

use super::input::{check, OutcomeValue};
use super::order::Ranking;
use crate::error::{Error, Result};

/// How many top rows: a share of rows in (0, 1), or a number of rows (scikit-uplift's float / int `k`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TopK {
    /// Share of rows, strictly between 0 and 1 (scikit-uplift float `k`); counts are floor(rows × share).
    Share(f64),
    /// Number of rows, 1 ≤ k < rows (scikit-uplift int `k`).
    Rows(usize),
}

/// Which rows count as "the top k" (scikit-uplift `strategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AtKStrategy {
    /// The top floor(n·k) rows of the whole ranking; treated rate minus control rate within them.
    Overall,
    /// The top floor(n_t·k) treated rows and the top floor(n_c·k) control rows, each ranked within its own arm.
    ByGroup,
}

/// Uplift at k: conversion rate of treated rows minus that of control rows among the top-ranked rows,
/// scikit-uplift 0.5.1 `uplift_at_k(y, score, t, strategy, k)` convention (ranking: descending score, larger
/// row index first among ties; no tie averaging at the cut).
///
/// Errors: input errors as [`super::curves::qini_curve`]; `BadParam` when k is out of range (share not in
/// (0, 1), rows not in [1, n), or by group more rows than an arm has); `EmptyArmInTop` when an arm has no row
/// among the top rows (scikit-uplift returns NaN there).
pub fn uplift_at_k<T: OutcomeValue>(
    score: &[f64],
    treatment: &[bool],
    outcome: &[T],
    k: TopK,
    strategy: AtKStrategy,
) -> Result<f64> {
    let c = check("uplift score", score, treatment, outcome)?;
    let ranking = Ranking::new(c.score);
    let cut = AtKCut::new(k, strategy, c.n_treated, c.n_control)?;
    let rows = ranking.rows.iter().map(|&r| r as usize);
    cut.uplift(rows.map(|r| (c.treatment[r], c.outcome[r], 1u32)))
}

/// The cut sizes of one (k, strategy) for arms of given sizes; shared with the bootstrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AtKCut {
    /// Top `rows` rows overall.
    Overall { rows: usize },
    /// Top `treated` treated rows and top `control` control rows.
    ByGroup { treated: usize, control: usize },
}

impl AtKCut {
    pub fn new(
        k: TopK,
        strategy: AtKStrategy,
        n_treated: usize,
        n_control: usize,
    ) -> Result<AtKCut> {
        let n = n_treated + n_control;
        let bad = |expected: &'static str, found: String| Error::BadParam {
            name: "k",
            expected,
            found,
        };
        match k {
            TopK::Share(s) if !(s > 0.0 && s < 1.0) => {
                return Err(bad("a share strictly between 0 and 1", s.to_string()))
            }
            TopK::Rows(r) if r == 0 || r >= n => {
                return Err(bad(
                    "at least 1 and fewer than the number of rows",
                    r.to_string(),
                ))
            }
            _ => {}
        }
        // Python int(n * k): the product in f64, truncated.
        let of = |m: usize| match k {
            TopK::Share(s) => (m as f64 * s) as usize,
            TopK::Rows(r) => r,
        };
        Ok(match strategy {
            AtKStrategy::Overall => AtKCut::Overall { rows: of(n) },
            AtKStrategy::ByGroup => {
                let (treated, control) = (of(n_treated), of(n_control));
                if treated > n_treated || control > n_control {
                    return Err(bad(
                        "at most the number of rows in each group",
                        format!("{} rows", treated.max(control)),
                    ));
                }
                AtKCut::ByGroup { treated, control }
            }
        })
    }

    /// Rate difference over `rows` = (treated?, converted?, copies) in ranking order.
    pub fn uplift(&self, rows: impl Iterator<Item = (bool, bool, u32)>) -> Result<f64> {
        // [treated, control] × (rows, conversions)
        let (mut n, mut y) = ([0u64; 2], [0u64; 2]);
        match *self {
            AtKCut::Overall { rows: limit } => {
                let mut left = limit as u64;
                for (t, conv, w) in rows {
                    if left == 0 {
                        break;
                    }
                    let take = u64::from(w).min(left);
                    left -= take;
                    let a = usize::from(!t);
                    n[a] += take;
                    y[a] += if conv { take } else { 0 };
                }
                for (a, arm) in [(0, "treated"), (1, "control")] {
                    if n[a] == 0 {
                        return Err(Error::EmptyArmInTop { arm, rows: limit });
                    }
                }
            }
            AtKCut::ByGroup { treated, control } => {
                let limit = [treated as u64, control as u64];
                for (t, conv, w) in rows {
                    let a = usize::from(!t);
                    let take = u64::from(w).min(limit[a] - n[a]);
                    n[a] += take;
                    y[a] += if conv { take } else { 0 };
                    if n == limit {
                        break;
                    }
                }
                for (a, arm) in [(0, "treated"), (1, "control")] {
                    if n[a] == 0 {
                        return Err(Error::MetricUndefined {
                            metric: "uplift at k by group",
                            reason: if arm == "treated" {
                                "the share is too small to take even one treated row; choose a larger share"
                            } else {
                                "the share is too small to take even one control row; choose a larger share"
                            },
                        });
                    }
                }
            }
        }
        // numpy mean = sum / count; treated mean minus control mean.
        Ok(y[0] as f64 / n[0] as f64 - y[1] as f64 / n[1] as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Ranked rows (see curves.rs): 2:T y1, 1:C y1, 0:T y0, 4:T y1, 3:C y0, 5:C y0.
    const S: [f64; 6] = [0.5, 0.5, 0.9, 0.2, 0.2, 0.1];
    const T: [bool; 6] = [true, false, true, false, true, false];
    const Y: [u8; 6] = [0, 1, 1, 0, 1, 0];

    #[test]
    fn overall_by_hand() {
        // k = 0.5 → floor(3.0) = 3 rows: 2:T y1, 1:C y1, 0:T y0 → 1/2 − 1/1 = −0.5.
        let u = uplift_at_k(&S, &T, &Y, TopK::Share(0.5), AtKStrategy::Overall).unwrap();
        assert_eq!(u, -0.5);
        // 4 rows adds 4:T y1 → 2/3 − 1/1 = −1/3.
        let u = uplift_at_k(&S, &T, &Y, TopK::Rows(4), AtKStrategy::Overall).unwrap();
        assert!((u + 1.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn by_group_by_hand() {
        // k = 0.7: floor(3·0.7) = 2 per arm. Treated in order 2 (y1), 0 (y0) → 1/2; control 1 (y1), 3 (y0) → 1/2.
        let u = uplift_at_k(&S, &T, &Y, TopK::Share(0.7), AtKStrategy::ByGroup).unwrap();
        assert_eq!(u, 0.0);
    }

    #[test]
    fn undefined_cases() {
        // The top row is treated: no control row to compare with.
        let e = uplift_at_k(&S, &T, &Y, TopK::Rows(1), AtKStrategy::Overall).unwrap_err();
        assert_eq!(e.to_string(), "No control rows are among the top 1 rows by score, so the uplift there cannot be measured. Target a larger share of rows.");
        // floor(3·0.2) = 0 rows per arm.
        let e = uplift_at_k(&S, &T, &Y, TopK::Share(0.2), AtKStrategy::ByGroup).unwrap_err();
        assert!(matches!(e, Error::MetricUndefined { .. }));
        let e = uplift_at_k(&S, &T, &Y, TopK::Share(1.0), AtKStrategy::Overall).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Setting “k” is 1, but it must be a share strictly between 0 and 1."
        );
        let e = uplift_at_k(&S, &T, &Y, TopK::Rows(4), AtKStrategy::ByGroup).unwrap_err();
        assert!(matches!(e, Error::BadParam { name: "k", .. }));
    }
}
