//! The fairness audit of a targeted set: selection rate per group, disparate impact, statistical parity, the
//! 80 % rule as a reference line; does not change who is targeted (see `fair_targeting`).
//!
//! Definitions (shared/DESIGN.md):
//! - selection rate of a group = targeted members ÷ members;
//! - without a privileged group (Fairlearn): disparate impact = min rate ÷ max rate
//!   (`demographic_parity_ratio`), statistical parity difference = max rate − min rate
//!   (`demographic_parity_difference`); each group's row compares it with the highest-rate group;
//! - with a privileged group (AIF360): disparate impact = rate of everyone else ÷ rate of the privileged group
//!   (`disparate_impact`), statistical parity difference = rate of everyone else − privileged rate
//!   (`statistical_parity_difference`); each group's row compares it with the privileged group;
//! - 80 % rule: disparate impact ≥ 0.8 ⇒ PASS — a reference line, not a legal verdict.
//!
//! Built for sliders: [`FairnessIndex`] stores, per policy and group, the ranks of the group's members in the
//! policy's order, so the count targeted in the top k is one binary search per group: O(groups · log n).

use serde::{Deserialize, Serialize};

use super::simulator::{Policy, Simulator};
use crate::error::{Error, Result};

/// Most groups an audited column may have.
pub const MAX_GROUPS: usize = 50;

/// An audited attribute: each user's group code and the groups' labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupColumn {
    pub name: String,
    /// Group label per code.
    pub labels: Vec<String>,
    /// One code per user.
    pub codes: Vec<u16>,
    /// For a numeric column: the cut points used (editable by the user), else `None`.
    pub edges: Option<Vec<f64>>,
}

impl GroupColumn {
    /// Groups from text values, labels sorted (an empty value is the group "(missing)").
    pub fn categorical<S: AsRef<str>>(name: &str, values: &[S]) -> Result<GroupColumn> {
        let mut labels: Vec<String> = values
            .iter()
            .map(|v| label_of(v.as_ref()))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if labels.len() > MAX_GROUPS {
            return Err(Error::AuditColumn {
                column: name.to_string(),
            });
        }
        labels.sort();
        let codes = values
            .iter()
            .map(|v| {
                let l = label_of(v.as_ref());
                labels.binary_search(&l).unwrap_or(0) as u16
            })
            .collect();
        Ok(GroupColumn {
            name: name.to_string(),
            labels,
            codes,
            edges: None,
        })
    }

    /// Groups from numbers cut at increasing `edges`: "< e0", "e0 to < e1", …, "≥ last"; NaN ⇒ "(missing)".
    pub fn numeric(name: &str, values: &[f64], edges: &[f64]) -> Result<GroupColumn> {
        if edges.is_empty()
            || edges.len() + 2 > MAX_GROUPS
            || edges.iter().any(|e| !e.is_finite())
            || edges.windows(2).any(|w| w[0] >= w[1])
        {
            return Err(Error::BadBins {
                column: name.to_string(),
                found: edges
                    .iter()
                    .map(|e| format!("{e}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let mut labels = Vec::with_capacity(edges.len() + 2);
        labels.push(format!("< {}", edges[0]));
        for w in edges.windows(2) {
            labels.push(format!("{} to < {}", w[0], w[1]));
        }
        labels.push(format!("≥ {}", edges[edges.len() - 1]));
        let missing = edges.len() + 1;
        let mut any_missing = false;
        let codes = values
            .iter()
            .map(|&v| {
                if v.is_nan() {
                    any_missing = true;
                    missing as u16
                } else {
                    edges.partition_point(|&e| e <= v) as u16
                }
            })
            .collect();
        if any_missing {
            labels.push("(missing)".to_string());
        }
        Ok(GroupColumn {
            name: name.to_string(),
            labels,
            codes,
            edges: Some(edges.to_vec()),
        })
    }

    /// Suggested cut points: up to `bins − 1` distinct quantiles of the finite values (for the page to show
    /// and let the user edit).
    pub fn default_edges(values: &[f64], bins: usize) -> Vec<f64> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() || bins < 2 {
            return Vec::new();
        }
        v.sort_by(|a, b| a.total_cmp(b));
        let mut edges: Vec<f64> = (1..bins)
            .map(|i| v[(i * v.len() / bins).min(v.len() - 1)])
            .collect();
        edges.dedup();
        // An edge equal to the minimum would leave the first group empty.
        edges.retain(|&e| e > v[0]);
        edges
    }

    /// Number of users.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// True when there are no users.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Members per group.
    pub fn sizes(&self) -> Vec<usize> {
        let mut s = vec![0; self.labels.len()];
        for &c in &self.codes {
            s[c as usize] += 1;
        }
        s
    }

    /// The code of a group label, or an error listing the groups.
    pub fn code_of(&self, label: &str) -> Result<usize> {
        self.labels
            .iter()
            .position(|l| l == label)
            .ok_or_else(|| Error::UnknownGroup {
                column: self.name.clone(),
                value: label.to_string(),
                values: self.labels.join(", "),
            })
    }
}

fn label_of(v: &str) -> String {
    let t = v.trim();
    if t.is_empty() {
        "(missing)".to_string()
    } else {
        t.to_string()
    }
}

/// How to judge. Every field has a default, so the page may send `{}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditParams {
    /// The privileged group's label (AIF360 style); `None` = compare min with max (Fairlearn style).
    pub privileged: Option<String>,
    /// The reference line for disparate impact, in (0, 1] (default 0.8, the 80 % rule).
    pub threshold: f64,
    /// Groups with fewer members than this get a warning (default 30).
    pub small_group: usize,
}

impl Default for AuditParams {
    fn default() -> Self {
        Self {
            privileged: None,
            threshold: 0.8,
            small_group: 30,
        }
    }
}

/// One group's selection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupRate {
    pub group: String,
    pub size: usize,
    pub targeted: usize,
    /// targeted ÷ size (`None` for an empty group).
    pub selection_rate: Option<f64>,
    pub small: bool,
}

/// One row of the page's table: Segment | Disparate Impact | Statistical Parity | 80% Rule | Status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRow {
    pub segment: String,
    /// Group rate ÷ reference rate.
    pub disparate_impact: Option<f64>,
    /// Group rate − reference rate.
    pub statistical_parity: Option<f64>,
    /// "PASS", "FAIL" or "" when not defined.
    pub rule80: String,
    pub status: String,
}

/// How the reference was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AuditMode {
    /// Fairlearn: min ÷ max over groups.
    MinOverMax,
    /// AIF360: everyone else ÷ the privileged group.
    Privileged,
}

/// The audit of one attribute for one targeted set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Audit {
    pub attribute: String,
    pub targeted: usize,
    pub users: usize,
    pub mode: AuditMode,
    /// The group others are compared with (max-rate group, or the privileged group).
    pub reference_group: Option<String>,
    pub groups: Vec<GroupRate>,
    /// The attribute's disparate impact (see module docs); `None` when the reference rate is 0.
    pub disparate_impact: Option<f64>,
    /// The attribute's statistical parity difference (see module docs).
    pub statistical_parity_difference: Option<f64>,
    pub threshold: f64,
    /// disparate impact ≥ threshold.
    pub passes: Option<bool>,
    pub rows: Vec<AuditRow>,
    pub warnings: Vec<String>,
}

fn check(params: &AuditParams) -> Result<()> {
    if !(params.threshold > 0.0 && params.threshold <= 1.0) {
        return Err(Error::BadParam {
            name: "fairness threshold",
            expected: "more than 0 and at most 1",
            found: params.threshold.to_string(),
        });
    }
    Ok(())
}

/// Audit from per-group sizes and targeted counts (the core every other entry point uses).
pub fn audit_counts(
    column: &GroupColumn,
    sizes: &[usize],
    targeted: &[usize],
    params: &AuditParams,
) -> Result<Audit> {
    check(params)?;
    let priv_code = params
        .privileged
        .as_deref()
        .map(|p| column.code_of(p))
        .transpose()?;
    let rate = |g: usize| (sizes[g] > 0).then(|| targeted[g] as f64 / sizes[g] as f64);
    let groups: Vec<GroupRate> = (0..column.labels.len())
        .map(|g| GroupRate {
            group: column.labels[g].clone(),
            size: sizes[g],
            targeted: targeted[g],
            selection_rate: rate(g),
            small: sizes[g] < params.small_group,
        })
        .collect();
    let present: Vec<usize> = (0..groups.len()).filter(|&g| sizes[g] > 0).collect();
    let total_targeted: usize = targeted.iter().sum();
    let users: usize = sizes.iter().sum();
    let (mode, reference, di, spd) = match priv_code {
        Some(p) => {
            let rp = rate(p);
            let (os, ot) = (users - sizes[p], total_targeted - targeted[p]);
            let ro = (os > 0).then(|| ot as f64 / os as f64);
            let di = match (ro, rp) {
                (Some(o), Some(pr)) if pr > 0.0 => Some(o / pr),
                _ => None,
            };
            let spd = ro.zip(rp).map(|(o, pr)| o - pr);
            (AuditMode::Privileged, Some(p), di, spd)
        }
        None => {
            // Highest rate first; ties go to the earlier label.
            let max_g = present
                .iter()
                .copied()
                .fold(None, |b: Option<usize>, g| match b {
                    Some(b) if rate(b) >= rate(g) => Some(b),
                    _ => Some(g),
                });
            let min_r = present
                .iter()
                .filter_map(|&g| rate(g))
                .fold(f64::INFINITY, f64::min);
            let max_r = max_g.and_then(rate);
            let di = max_r.and_then(|m| (m > 0.0).then(|| min_r / m));
            let spd = max_r.map(|m| m - min_r);
            (AuditMode::MinOverMax, max_g, di, spd)
        }
    };
    let ref_rate = reference.and_then(rate);
    let mut warnings = Vec::new();
    let rows = groups
        .iter()
        .enumerate()
        .map(|(g, gr)| {
            let di_g = match (gr.selection_rate, ref_rate) {
                (Some(r), Some(rr)) if rr > 0.0 => Some(r / rr),
                _ => None,
            };
            let sp_g = gr.selection_rate.zip(ref_rate).map(|(r, rr)| r - rr);
            let rule80 = match di_g {
                Some(d) if d >= params.threshold => "PASS",
                Some(_) => "FAIL",
                None => "",
            };
            let status = if gr.size == 0 {
                "No users in this group".to_string()
            } else if Some(g) == reference {
                if priv_code.is_some() {
                    "Privileged group (reference)".to_string()
                } else {
                    "Highest selection rate (reference)".to_string()
                }
            } else if gr.small {
                format!("Small group ({} users): rates are unreliable", gr.size)
            } else if rule80 == "FAIL" {
                format!(
                    "Selected at under {:.0}% of the reference rate",
                    100.0 * params.threshold
                )
            } else if rule80 == "PASS" {
                "OK".to_string()
            } else {
                "No one targeted in the reference group".to_string()
            };
            AuditRow {
                segment: gr.group.clone(),
                disparate_impact: di_g,
                statistical_parity: sp_g,
                rule80: rule80.to_string(),
                status,
            }
        })
        .collect();
    for gr in groups.iter().filter(|g| g.small && g.size > 0) {
        warnings.push(format!(
            "Group “{}” of “{}” has only {} users: its selection rate is unreliable.",
            gr.group, column.name, gr.size
        ));
    }
    if total_targeted == 0 {
        warnings
            .push("No one is targeted, so there are no selection rates to compare.".to_string());
    }
    Ok(Audit {
        attribute: column.name.clone(),
        targeted: total_targeted,
        users,
        mode,
        reference_group: reference.map(|g| column.labels[g].clone()),
        groups,
        disparate_impact: di,
        statistical_parity_difference: spd,
        threshold: params.threshold,
        passes: di.map(|d| d >= params.threshold),
        rows,
        warnings,
    })
}

/// Audit any targeted set given as one flag per user.
pub fn audit_selection(
    column: &GroupColumn,
    selected: &[bool],
    params: &AuditParams,
) -> Result<Audit> {
    if selected.len() != column.len() {
        return Err(Error::LengthMismatch {
            what: "The targeted set",
            found: selected.len(),
            reference: "the audited column",
            expected: column.len(),
        });
    }
    let sizes = column.sizes();
    let mut t = vec![0; column.labels.len()];
    for (&c, &s) in column.codes.iter().zip(selected) {
        if s {
            t[c as usize] += 1;
        }
    }
    audit_counts(column, &sizes, &t, params)
}

/// Per-policy, per-group ranks for O(groups · log n) audits along a simulator's orders.
#[derive(Debug, Clone)]
pub struct FairnessIndex {
    pub column: GroupColumn,
    sizes: Vec<usize>,
    /// (policy, ranks of each group's members in that policy's order, ascending).
    ranks: Vec<(Policy, Vec<Vec<u32>>)>,
}

impl FairnessIndex {
    /// Index a column along every order of the simulator.
    pub fn build(sim: &Simulator, column: GroupColumn) -> Result<FairnessIndex> {
        if column.len() != sim.len() {
            return Err(Error::LengthMismatch {
                what: "The audited column",
                found: column.len(),
                reference: "the scored users",
                expected: sim.len(),
            });
        }
        let sizes = column.sizes();
        let mut ranks = Vec::new();
        for p in sim.policies() {
            if let Some(order) = sim.order(p) {
                let mut r: Vec<Vec<u32>> = sizes.iter().map(|&s| Vec::with_capacity(s)).collect();
                for (rank, &i) in order.iter().enumerate() {
                    r[column.codes[i as usize] as usize].push(rank as u32);
                }
                ranks.push((p, r));
            }
        }
        Ok(FairnessIndex {
            column,
            sizes,
            ranks,
        })
    }

    /// Members per group.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// Ranks of each group's members in a policy's order (`None` for everyone).
    pub fn ranks(&self, policy: Policy) -> Option<&[Vec<u32>]> {
        self.ranks
            .iter()
            .find(|(p, _)| *p == policy)
            .map(|(_, r)| r.as_slice())
    }

    /// Targeted members per group when the policy targets its first k users.
    pub fn targeted(&self, policy: Policy, k: usize) -> Vec<usize> {
        match self.ranks(policy) {
            Some(r) => r
                .iter()
                .map(|g| g.partition_point(|&x| (x as usize) < k))
                .collect(),
            None => self.sizes.clone(),
        }
    }

    /// The audit of a policy targeting its first k users. O(groups · log n).
    pub fn audit(&self, policy: Policy, k: usize, params: &AuditParams) -> Result<Audit> {
        let t = self.targeted(policy, k);
        audit_counts(&self.column, &self.sizes, &t, params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::scored::Scored;
    use crate::decide::simulator::SimParams;

    fn ten() -> GroupColumn {
        // a: 4 users, b: 4, c: 2.
        GroupColumn::categorical(
            "region",
            &["a", "a", "a", "a", "b", "b", "b", "b", "c", "c"],
        )
        .unwrap()
    }

    #[test]
    fn min_over_max_by_hand() {
        // Selected: a 3/4 = 0.75, b 1/4 = 0.25, c 1/2 = 0.5.
        let sel = [
            true, true, true, false, true, false, false, false, true, false,
        ];
        let a = audit_selection(&ten(), &sel, &AuditParams::default()).unwrap();
        assert_eq!(a.mode, AuditMode::MinOverMax);
        assert_eq!(a.reference_group.as_deref(), Some("a"));
        // DI = 0.25 / 0.75 = 1/3; difference = 0.75 − 0.25 = 0.5; 1/3 < 0.8 ⇒ FAIL.
        assert!((a.disparate_impact.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert!((a.statistical_parity_difference.unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(a.passes, Some(false));
        // Rows: b: 0.25/0.75 = 0.333, −0.5, FAIL; c: 0.5/0.75 = 0.667, −0.25, FAIL (small group: 2 < 30).
        assert_eq!(a.rows[1].rule80, "FAIL");
        assert!((a.rows[2].disparate_impact.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert!((a.rows[2].statistical_parity.unwrap() + 0.25).abs() < 1e-12);
        assert_eq!(a.rows[0].status, "Highest selection rate (reference)");
        assert_eq!(a.rows[0].rule80, "PASS");
        assert!(a.rows[2].status.starts_with("Small group (2 users)"));
        assert_eq!(a.warnings.len(), 3);
    }

    #[test]
    fn privileged_by_hand() {
        let sel = [
            true, true, true, false, true, false, false, false, true, false,
        ];
        let p = AuditParams {
            privileged: Some("a".into()),
            small_group: 1,
            ..Default::default()
        };
        let a = audit_selection(&ten(), &sel, &p).unwrap();
        // Unprivileged = b ∪ c: 2 selected of 6 = 1/3; privileged a = 0.75.
        // DI = (1/3)/0.75 = 0.4444; SPD = 1/3 − 0.75 = −0.41667.
        assert!((a.disparate_impact.unwrap() - 4.0 / 9.0).abs() < 1e-12);
        assert!((a.statistical_parity_difference.unwrap() + 5.0 / 12.0).abs() < 1e-12);
        assert_eq!(a.rows[0].status, "Privileged group (reference)");
        assert!(a.warnings.is_empty());
        let bad = AuditParams {
            privileged: Some("z".into()),
            ..Default::default()
        };
        assert_eq!(
            audit_selection(&ten(), &sel, &bad).unwrap_err().to_string(),
            "“region” has no group “z” to compare against. Its groups are: a, b, c."
        );
    }

    #[test]
    fn eighty_percent_rule_at_the_line() {
        // a 4/4 = 1.0, b 4/4, c... use a: 5/... simpler: a 1.0 (4/4), b 0.75 (3/4) ⇒ 0.75 FAIL; c 2/2 ⇒ 1.0.
        let sel = [true, true, true, true, true, true, true, false, true, true];
        let a = audit_selection(&ten(), &sel, &AuditParams::default()).unwrap();
        assert_eq!(a.disparate_impact, Some(0.75));
        let p = AuditParams {
            threshold: 0.75,
            ..Default::default()
        };
        // DI exactly at the threshold passes (≥).
        assert_eq!(
            audit_selection(&ten(), &sel, &p).unwrap().passes,
            Some(true)
        );
    }

    #[test]
    fn numeric_bins() {
        let ages = [17.0, 25.0, 30.0, 45.0, f64::NAN, 60.0];
        let g = GroupColumn::numeric("age", &ages, &[18.0, 30.0, 50.0]).unwrap();
        assert_eq!(
            g.labels,
            vec!["< 18", "18 to < 30", "30 to < 50", "≥ 50", "(missing)"]
        );
        // 17 → 0, 25 → 1, 30 → 2 (30 ≤ v), 45 → 2, NaN → 4, 60 → 3.
        assert_eq!(g.codes, vec![0, 1, 2, 2, 4, 3]);
        assert_eq!(
            GroupColumn::numeric("age", &ages, &[30.0, 18.0])
                .unwrap_err()
                .to_string(),
            "The bins for “age” need increasing cut points (found 30, 18). Enter numbers from low to high, e.g. 18, 30, 50."
        );
        // Quartile edges of 1..=8: values at 2, 4, 6 ⇒ 3, 5, 7.
        let v: Vec<f64> = (1..=8).map(f64::from).collect();
        assert_eq!(GroupColumn::default_edges(&v, 4), vec![3.0, 5.0, 7.0]);
    }

    #[test]
    fn index_matches_direct_counts() {
        // Uplift order: users by τ̂ descending = 9, 8, …, 0.
        let s = Scored::new(
            (0..10).map(|i| i as f64 / 100.0).collect(),
            vec![
                true, false, true, false, true, false, true, false, true, false,
            ],
            vec![0.0; 10],
        );
        let sim = Simulator::build(&s, &SimParams::default()).unwrap();
        let idx = FairnessIndex::build(&sim, ten()).unwrap();
        // Top 3 = users 9, 8, 7: c 2/2, b 1/4, a 0/4 ⇒ DI 0.
        assert_eq!(idx.targeted(Policy::Uplift, 3), vec![0, 1, 2]);
        let a = idx
            .audit(Policy::Uplift, 3, &AuditParams::default())
            .unwrap();
        assert_eq!(a.disparate_impact, Some(0.0));
        assert_eq!(a.reference_group.as_deref(), Some("c"));
        for k in 0..=10 {
            let order = sim.order(Policy::Random).unwrap();
            let mut sel = vec![false; 10];
            for &i in &order[..k] {
                sel[i as usize] = true;
            }
            let d = audit_selection(&idx.column, &sel, &AuditParams::default()).unwrap();
            assert_eq!(
                idx.audit(Policy::Random, k, &AuditParams::default())
                    .unwrap(),
                d
            );
        }
        let all = idx
            .audit(Policy::Everyone, 0, &AuditParams::default())
            .unwrap();
        assert_eq!(all.disparate_impact, Some(1.0));
    }
}
