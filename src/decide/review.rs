//! The review queue: each user's archetype is auto-approved or flagged for a person with a reason; no relabelling.
//!
//! Reasons (checked in this order; the first that applies is the user's `review` code, all are listed):
//! - `impossible_uplift`: τ̂ > 1 − p̂0 (more uplift than the base rate leaves room for) or τ̂ < −p̂0 (a larger
//!   drop than the base rate), by more than z·se when the scores carry standard errors;
//! - `outlier_uplift`: τ̂ > median + k × scaled MAD (1.4826 × median absolute deviation) of all τ̂;
//! - `may_not_be_do_not_disturb`: called Do-Not-Disturb, but τ̂ + z·se is above the Do-Not-Disturb line;
//! - `may_be_do_not_disturb`: not called Do-Not-Disturb, but τ̂ − z·se reaches the Do-Not-Disturb line;
//! - `borderline`: τ̂ within z·se of the Persuadable threshold.
//!
//! The checks that need an uncertainty run only when the scores carry `uplift_se` (the summary says so when
//! they don't); the checks that need p̂0 only when `p_control` is given.

use std::io::Write;

use serde::{Deserialize, Serialize};

use super::archetype::{Archetype, Archetypes};
use super::scored::Scored;
use crate::error::{Error, Result};

/// Why a user is sent to review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewReason {
    ImpossibleUplift,
    OutlierUplift,
    MayNotBeDoNotDisturb,
    MayBeDoNotDisturb,
    Borderline,
}

impl ReviewReason {
    /// All reasons, in priority order.
    pub const ALL: [ReviewReason; 5] = [
        ReviewReason::ImpossibleUplift,
        ReviewReason::OutlierUplift,
        ReviewReason::MayNotBeDoNotDisturb,
        ReviewReason::MayBeDoNotDisturb,
        ReviewReason::Borderline,
    ];

    /// The code in the CSV `review` column.
    pub fn code(self) -> &'static str {
        match self {
            ReviewReason::ImpossibleUplift => "impossible_uplift",
            ReviewReason::OutlierUplift => "outlier_uplift",
            ReviewReason::MayNotBeDoNotDisturb => "may_not_be_do_not_disturb",
            ReviewReason::MayBeDoNotDisturb => "may_be_do_not_disturb",
            ReviewReason::Borderline => "borderline",
        }
    }

    /// The reason in plain words.
    pub fn text(self) -> &'static str {
        match self {
            ReviewReason::ImpossibleUplift => "The estimated uplift is larger than this user's base rate allows: check the scores.",
            ReviewReason::OutlierUplift => "The estimated uplift is far above everyone else's: check before spending on it.",
            ReviewReason::MayNotBeDoNotDisturb => "Called Do-Not-Disturb, but within its uncertainty the ad may not hurt.",
            ReviewReason::MayBeDoNotDisturb => "Not called Do-Not-Disturb, but within its uncertainty the ad may hurt.",
            ReviewReason::Borderline => "The estimated uplift is within its uncertainty of the Persuadable threshold.",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// How strict the review is. Every field has a default, so the page may send `{}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct ReviewParams {
    /// Width of the uncertainty band in standard errors, > 0 (default 1: within one standard error; 1.96 flags
    /// about twice as many users on generated data, mostly correct calls).
    pub z: f64,
    /// Outlier cut in scaled MADs above the median τ̂, > 0 (default 12: uplift is heavy-tailed, so smaller cuts
    /// flag genuine top Persuadables).
    pub outlier_mads: f64,
}

impl Default for ReviewParams {
    fn default() -> Self {
        Self {
            z: 1.0,
            outlier_mads: 12.0,
        }
    }
}

/// Counts for the page's header line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewSummary {
    pub users: usize,
    pub flagged: usize,
    pub flagged_share: f64,
    /// Users whose first reason is each reason, in [`ReviewReason::ALL`] order.
    pub by_reason: Vec<(ReviewReason, usize)>,
    /// The outlier cut used (median + k × scaled MAD).
    pub outlier_cut: f64,
    /// Checks that could not run, in plain words.
    pub notes: Vec<String>,
}

/// Every user's review flags (compact: one byte per user).
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewQueue {
    pub summary: ReviewSummary,
    /// Bit set of [`ReviewReason`]s per user; 0 = auto-approved.
    flags: Vec<u8>,
}

/// Flag every user.
pub fn review(
    scored: &Scored,
    archetypes: &Archetypes,
    params: &ReviewParams,
) -> Result<ReviewQueue> {
    if !(params.z.is_finite() && params.z > 0.0) {
        return Err(Error::BadParam {
            name: "review band (z)",
            expected: "more than 0",
            found: params.z.to_string(),
        });
    }
    if !(params.outlier_mads.is_finite() && params.outlier_mads > 0.0) {
        return Err(Error::BadParam {
            name: "outlier cut (MADs)",
            expected: "more than 0",
            found: params.outlier_mads.to_string(),
        });
    }
    scored.validate()?;
    let n = scored.len();
    if archetypes.labels.len() != n {
        return Err(Error::LengthMismatch {
            what: "The archetypes",
            found: archetypes.labels.len(),
            reference: "the scored users",
            expected: n,
        });
    }
    let th = &archetypes.thresholds;
    let median = super::archetype::quantile(&scored.uplift, 0.5);
    let dev: Vec<f64> = scored.uplift.iter().map(|t| (t - median).abs()).collect();
    let mad = 1.4826 * super::archetype::quantile(&dev, 0.5);
    let outlier_cut = median + params.outlier_mads * mad;
    let mut notes = Vec::new();
    if scored.uplift_se.is_none() {
        notes.push("The scores have no standard errors, so borderline and Do-Not-Disturb checks did not run.".to_string());
    }
    if scored.p_control.is_none() {
        notes.push(
            "The scores have no base rate (p_control), so the impossible-uplift check did not run."
                .to_string(),
        );
    }
    let z = params.z;
    let mut flags = vec![0u8; n];
    let mut by_reason = [0usize; 5];
    for (i, f) in flags.iter_mut().enumerate() {
        let t = scored.uplift[i];
        let mut b = 0u8;
        let band = scored.uplift_se.as_ref().map_or(0.0, |s| z * s[i]);
        if let Some(p0) = scored.p_control.as_ref().map(|p| p[i]) {
            if t - band > 1.0 - p0 || t + band < -p0 {
                b |= ReviewReason::ImpossibleUplift.bit();
            }
        }
        if mad > 0.0 && t > outlier_cut {
            b |= ReviewReason::OutlierUplift.bit();
        }
        if scored.uplift_se.is_some() {
            if archetypes.labels[i] == Archetype::DoNotDisturb {
                if t + band > th.do_not_disturb_max {
                    b |= ReviewReason::MayNotBeDoNotDisturb.bit();
                }
            } else if t - band <= th.do_not_disturb_max {
                b |= ReviewReason::MayBeDoNotDisturb.bit();
            }
            if (t - th.persuadable_min).abs() < band {
                b |= ReviewReason::Borderline.bit();
            }
        }
        *f = b;
        if b != 0 {
            by_reason[b.trailing_zeros() as usize] += 1;
        }
    }
    let flagged = by_reason.iter().sum();
    Ok(ReviewQueue {
        summary: ReviewSummary {
            users: n,
            flagged,
            flagged_share: flagged as f64 / n as f64,
            by_reason: ReviewReason::ALL.iter().copied().zip(by_reason).collect(),
            outlier_cut,
            notes,
        },
        flags,
    })
}

impl ReviewQueue {
    /// Number of users.
    pub fn len(&self) -> usize {
        self.flags.len()
    }

    /// True when there are no users.
    pub fn is_empty(&self) -> bool {
        self.flags.is_empty()
    }

    /// True when user i needs no review.
    pub fn approved(&self, i: usize) -> bool {
        self.flags[i] == 0
    }

    /// All reasons of user i, in priority order.
    pub fn reasons(&self, i: usize) -> Vec<ReviewReason> {
        ReviewReason::ALL
            .into_iter()
            .filter(|r| self.flags[i] & r.bit() != 0)
            .collect()
    }

    /// The first reason of user i (`None` = auto-approved).
    pub fn reason(&self, i: usize) -> Option<ReviewReason> {
        let b = self.flags[i];
        (b != 0).then(|| ReviewReason::ALL[b.trailing_zeros() as usize])
    }

    /// One sorted, filtered page of rows for the table.
    pub fn page(
        &self,
        scored: &Scored,
        archetypes: &Archetypes,
        q: &ReviewQuery,
    ) -> Result<ReviewPage> {
        if q.limit == 0 || q.limit > 10_000 {
            return Err(Error::BadParam {
                name: "rows per page",
                expected: "between 1 and 10,000",
                found: q.limit.to_string(),
            });
        }
        if archetypes.labels.len() != self.len() || scored.len() != self.len() {
            return Err(Error::LengthMismatch {
                what: "The scores",
                found: scored.len(),
                reference: "the review queue",
                expected: self.len(),
            });
        }
        let mut idx: Vec<u32> = (0..self.len() as u32)
            .filter(|&i| {
                let i = i as usize;
                match (q.flagged_only, q.reason) {
                    (_, Some(r)) => self.reason(i) == Some(r),
                    (true, None) => !self.approved(i),
                    (false, None) => true,
                }
            })
            .collect();
        let key = |i: u32| -> f64 {
            let i = i as usize;
            match q.sort {
                ReviewSort::Row => i as f64,
                ReviewSort::Uplift => scored.uplift[i],
                ReviewSort::UpliftSe => scored.uplift_se.as_ref().map_or(0.0, |s| s[i]),
                ReviewSort::PControl => scored.p_control.as_ref().map_or(0.0, |p| p[i]),
                ReviewSort::Archetype => archetypes.labels[i].index() as f64,
                ReviewSort::Reason => self.reason(i).map_or(9.0, |r| r as u8 as f64),
            }
        };
        idx.sort_by(|&a, &b| {
            let o = key(a).total_cmp(&key(b));
            let o = if q.descending { o.reverse() } else { o };
            o.then(a.cmp(&b))
        });
        let total = idx.len();
        let rows = idx
            .iter()
            .skip(q.offset)
            .take(q.limit)
            .map(|&i| self.row(scored, archetypes, i as usize))
            .collect();
        Ok(ReviewPage {
            total,
            offset: q.offset,
            rows,
        })
    }

    /// The table row of user i.
    pub fn row(&self, scored: &Scored, archetypes: &Archetypes, i: usize) -> ReviewRow {
        let reasons = self.reasons(i);
        ReviewRow {
            row: i,
            archetype: archetypes.labels[i],
            uplift: scored.uplift[i],
            uplift_se: scored.uplift_se.as_ref().map(|s| s[i]),
            p_control: scored.p_control.as_ref().map(|p| p[i]),
            review: reasons.first().map_or("", |r| r.code()).to_string(),
            explanation: reasons.first().map_or("", |r| r.text()).to_string(),
            reasons,
        }
    }

    /// Write every user (or only flagged ones) as CSV: row, id (when given), uplift, uplift_se, p_control,
    /// archetype, review, reason. Text cells are escaped against spreadsheet formulas ([`csv_cell`]).
    pub fn write_csv<W: Write>(
        &self,
        out: &mut W,
        scored: &Scored,
        archetypes: &Archetypes,
        ids: Option<&[String]>,
        flagged_only: bool,
    ) -> Result<()> {
        let io = |e: std::io::Error| Error::Io {
            path: "review CSV".into(),
            detail: e.to_string(),
        };
        let opt = |v: Option<f64>| v.map_or(String::new(), |x| format!("{x}"));
        let id_head = if ids.is_some() { "id," } else { "" };
        writeln!(
            out,
            "row,{id_head}uplift,uplift_se,p_control,archetype,review,reason"
        )
        .map_err(io)?;
        for i in 0..self.len() {
            if flagged_only && self.approved(i) {
                continue;
            }
            let r = self.row(scored, archetypes, i);
            let id = match ids.and_then(|v| v.get(i)) {
                Some(s) => format!("{},", csv_cell(s)),
                None if ids.is_some() => ",".to_string(),
                None => String::new(),
            };
            writeln!(
                out,
                "{},{id}{},{},{},{},{},{}",
                i,
                r.uplift,
                opt(r.uplift_se),
                opt(r.p_control),
                r.archetype.code(),
                csv_cell(&r.review),
                csv_cell(&r.explanation)
            )
            .map_err(io)?;
        }
        Ok(())
    }
}

/// Which column sorts the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ReviewSort {
    #[default]
    Row,
    Uplift,
    UpliftSe,
    PControl,
    Archetype,
    Reason,
}

/// What page of the queue to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct ReviewQuery {
    /// Sort column (default row).
    pub sort: ReviewSort,
    /// Largest first (default false).
    pub descending: bool,
    /// Only flagged users (default true).
    pub flagged_only: bool,
    /// Only users whose first reason is this (default any).
    pub reason: Option<ReviewReason>,
    /// Rows to skip (default 0).
    pub offset: usize,
    /// Rows per page, 1..=10,000 (default 50).
    pub limit: usize,
}

impl Default for ReviewQuery {
    fn default() -> Self {
        Self {
            sort: ReviewSort::Row,
            descending: false,
            flagged_only: true,
            reason: None,
            offset: 0,
            limit: 50,
        }
    }
}

/// One user in the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewRow {
    /// 0-based position in the scored input.
    pub row: usize,
    pub archetype: Archetype,
    pub uplift: f64,
    pub uplift_se: Option<f64>,
    pub p_control: Option<f64>,
    /// First reason's code; empty when auto-approved.
    pub review: String,
    /// First reason in plain words; empty when auto-approved.
    pub explanation: String,
    pub reasons: Vec<ReviewReason>,
}

/// A page of rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewPage {
    /// Rows matching the filter.
    pub total: usize,
    pub offset: usize,
    pub rows: Vec<ReviewRow>,
}

/// One CSV text cell: a leading `=`, `+`, `-`, `@`, tab or carriage return gets an apostrophe so a
/// spreadsheet shows it as text instead of running it as a formula; cells with a comma, quote or line break
/// are quoted, doubling inner quotes.
pub fn csv_cell(s: &str) -> String {
    let mut v = String::with_capacity(s.len() + 3);
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        v.push('\'');
    }
    v.push_str(s);
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::archetype::{assign, ArchetypeParams};

    /// The hand-worked numbers below use a 95 % band and an 8-MAD outlier cut.
    const P95: ReviewParams = ReviewParams {
        z: 1.96,
        outlier_mads: 8.0,
    };

    /// Six users, defaults: t+ = 0.0025, DND line −0.001.
    fn six() -> (Scored, Archetypes) {
        let mut s = Scored::new(
            vec![0.0026, 0.010, -0.0012, -0.0030, 0.0, 0.0005],
            vec![true; 6],
            vec![0.0; 6],
        );
        s.uplift_se = Some(vec![0.0005, 0.0005, 0.0005, 0.0005, 0.0001, 0.0005]);
        s.p_control = Some(vec![0.01, 0.995, 0.02, 0.02, 0.01, 0.01]);
        let a = assign(&s, &ArchetypeParams::default()).unwrap();
        (s, a)
    }

    #[test]
    fn reasons_worked_by_hand() {
        let (s, a) = six();
        let q = review(&s, &a, &P95).unwrap();
        // Band 1.96 × 0.0005 = 0.00098.
        // 0: |0.0026 − 0.0025| = 0.0001 < 0.00098 ⇒ borderline.
        assert_eq!(q.reasons(0), vec![ReviewReason::Borderline]);
        // 1: 0.010 > 1 − 0.995 = 0.005 ⇒ impossible. Median of τ̂ sorted −0.003 −0.0012 0 0.0005 0.0026 0.01
        // (lower middle, index floor(0.5·5) = 2) = 0; |dev| sorted 0 0.0005 0.0012 0.0026 0.003 0.01 ⇒ 0.0012;
        // scaled MAD 0.00177912; cut 0 + 8 × 0.00177912 = 0.01423 ⇒ 0.010 is not an outlier.
        assert!((q.summary.outlier_cut - 0.01423296).abs() < 1e-8);
        assert_eq!(q.reasons(1), vec![ReviewReason::ImpossibleUplift]);
        // 2: DND (−0.0012 ≤ −0.001), −0.0012 + 0.00098 = −0.00022 > −0.001 ⇒ may not be DND.
        assert_eq!(q.reason(2), Some(ReviewReason::MayNotBeDoNotDisturb));
        // 3: DND, −0.003 + 0.00098 = −0.00202 ≤ −0.001 ⇒ approved.
        assert!(q.approved(3));
        // 4: 0 − 1.96 × 0.0001 = −0.000196 > −0.001 ⇒ approved.
        assert!(q.approved(4));
        // 5: 0.0005 − 0.00098 = −0.00048 > −0.001 ⇒ approved.
        assert!(q.approved(5));
        assert_eq!(q.summary.flagged, 3);
        assert_eq!(q.summary.flagged_share, 0.5);
        assert!(q.summary.notes.is_empty());
    }

    #[test]
    fn outliers_and_missing_columns() {
        let mut s = Scored::new(
            vec![0.0, 0.001, -0.001, 0.002, -0.002, 0.5],
            vec![true; 6],
            vec![0.0; 6],
        );
        let a = assign(&s, &ArchetypeParams::default()).unwrap();
        let q = review(&s, &a, &P95).unwrap();
        // Median (index 2 of sorted −0.002 −0.001 0 0.001 0.002 0.5) = 0; MAD 0.001 ⇒ cut 0.0118608.
        assert_eq!(q.reason(5), Some(ReviewReason::OutlierUplift));
        assert_eq!(q.summary.flagged, 1);
        assert_eq!(q.summary.notes.len(), 2);
        s.uplift[5] = 0.0;
        let q = review(&s, &a, &P95).unwrap();
        assert_eq!(q.summary.flagged, 0);
    }

    #[test]
    fn pages_sort_and_filter() {
        let (s, a) = six();
        let q = review(&s, &a, &P95).unwrap();
        let page = q
            .page(
                &s,
                &a,
                &ReviewQuery {
                    sort: ReviewSort::Uplift,
                    descending: true,
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(page.total, 3);
        assert_eq!(
            page.rows.iter().map(|r| r.row).collect::<Vec<_>>(),
            vec![1, 0, 2]
        );
        assert_eq!(page.rows[0].review, "impossible_uplift");
        let all = q
            .page(
                &s,
                &a,
                &ReviewQuery {
                    flagged_only: false,
                    offset: 4,
                    limit: 10,
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!((all.total, all.rows.len(), all.rows[0].row), (6, 2, 4));
        assert_eq!(all.rows[0].review, "");
    }

    #[test]
    fn csv_escapes_formulas_and_quotes() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("@SUM"), "'@SUM");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("plain"), "plain");
        let (s, a) = six();
        let q = review(&s, &a, &P95).unwrap();
        let ids: Vec<String> = ["u1", "=cmd()", "u3", "u4", "u5", "u6"]
            .map(String::from)
            .to_vec();
        let mut out = Vec::new();
        q.write_csv(&mut out, &s, &a, Some(&ids), true).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "row,id,uplift,uplift_se,p_control,archetype,review,reason"
        );
        assert_eq!(lines.len(), 4);
        assert!(
            lines[2].starts_with("1,'=cmd(),0.01,0.0005,0.995,persuadable,impossible_uplift,"),
            "{}",
            lines[2]
        );
        assert!(lines[3].starts_with("2,u3,-0.0012,"), "{}", lines[3]);
    }
}
