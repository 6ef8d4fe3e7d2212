//! Segment rules: a shallow decision tree (depth ≤ 3) over the binned features that explains each archetype in
//! readable rules ("Persuadables: f7 > 0.42 and f2 = 3 — 71% of these users are Persuadables"); no scoring.
//!
//! Why not smartcore: smartcore 0.7's `DecisionTreeClassifier` keeps its nodes (split feature, split value,
//! children) private and offers only `predict`, `predict_proba`, `depth` and feature importances, so its
//! splits cannot be turned into rules. This module grows a small CART (Gini impurity) on the
//! [`BinnedMatrix`] every model already shares: a split "code ≤ b" reads back as "feature ≤ `upper[b − 1]`",
//! missing values (bin 0) go with the low side. With ≤ 255 bins per feature a node costs one pass over its
//! rows per feature plus a scan of the bins, so the tree is cheap even at a million rows.

use serde::{Deserialize, Serialize};

use super::archetype::Archetype;
use crate::data::binning::BinnedMatrix;
use crate::error::{Error, Result};

/// Tree size. Every field has a default, so the page may send `{}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct RuleParams {
    /// Depth of the tree, 1..=3 (default 3): at most three conditions per rule.
    pub max_depth: usize,
    /// Smallest leaf as a share of all rows, in [0, 0.5) (default 0.01).
    pub min_leaf_share: f64,
    /// Smallest leaf in rows (default 20); the larger of the two applies.
    pub min_leaf_rows: usize,
}

impl Default for RuleParams {
    fn default() -> Self {
        Self {
            max_depth: 3,
            min_leaf_share: 0.01,
            min_leaf_rows: 20,
        }
    }
}

/// One condition on one feature: the value lies in (`above`, `at_most`], with or without missing values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    pub feature: String,
    /// Lower bound (exclusive), if any.
    pub above: Option<f64>,
    /// Upper bound (inclusive), if any.
    pub at_most: Option<f64>,
    /// Whether users with no value satisfy it.
    pub includes_missing: bool,
    pub text: String,
}

/// One leaf of the tree read as a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub archetype: Archetype,
    pub conditions: Vec<Condition>,
    /// Users the rule picks.
    pub users: usize,
    /// Share of those users who are of the archetype.
    pub purity: f64,
    /// Share of all users of the archetype that the rule picks.
    pub coverage: f64,
    /// The archetype is the most common one among these users.
    pub majority: bool,
    /// "Persuadables: f7 > 0.42 and f2 = 3 — 71% of these users are Persuadables; it finds 40% of them."
    pub text: String,
}

/// The rules of one archetype.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArchetypeRules {
    pub archetype: Archetype,
    pub count: usize,
    /// Leaves where the archetype is the majority, largest coverage first; when there are none, the leaf
    /// where it is most concentrated (with `majority: false`).
    pub rules: Vec<Rule>,
}

/// The explanation of the archetypes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentRules {
    /// Share of users whose archetype the tree's leaves get right.
    pub accuracy: f64,
    /// Share of the most common archetype (what a tree with no splits would get).
    pub baseline_accuracy: f64,
    pub depth: usize,
    pub leaves: usize,
    pub archetypes: Vec<ArchetypeRules>,
}

/// Per feature, the allowed code range (lo, hi]; lo = −1 includes missing (code 0).
#[derive(Clone)]
struct Path(Vec<(i32, i32)>);

struct Leaf {
    path: Path,
    counts: [usize; 4],
}

/// Grow the tree on the binned features and read its leaves as rules per archetype.
pub fn explain(
    binned: &BinnedMatrix,
    feature_names: &[String],
    labels: &[Archetype],
    params: &RuleParams,
) -> Result<SegmentRules> {
    if !(1..=3).contains(&params.max_depth) {
        return Err(Error::BadParam {
            name: "rule depth",
            expected: "1, 2 or 3",
            found: params.max_depth.to_string(),
        });
    }
    if !(0.0..0.5).contains(&params.min_leaf_share) {
        return Err(Error::BadParam {
            name: "smallest segment share",
            expected: "at least 0 and under 0.5",
            found: params.min_leaf_share.to_string(),
        });
    }
    if labels.len() != binned.n_rows {
        return Err(Error::LengthMismatch {
            what: "The archetypes",
            found: labels.len(),
            reference: "the feature rows",
            expected: binned.n_rows,
        });
    }
    if feature_names.len() != binned.n_features {
        return Err(Error::LengthMismatch {
            what: "The feature names",
            found: feature_names.len(),
            reference: "the feature columns",
            expected: binned.n_features,
        });
    }
    if labels.is_empty() {
        return Err(Error::NoRows);
    }
    let n = labels.len();
    let min_leaf = params
        .min_leaf_rows
        .max((params.min_leaf_share * n as f64).ceil() as usize)
        .max(1);
    let y: Vec<u8> = labels.iter().map(|a| a.index() as u8).collect();
    let root = Path(
        (0..binned.n_features)
            .map(|j| (-1, binned.n_bins(j) as i32))
            .collect(),
    );
    let mut leaves = Vec::new();
    let rows: Vec<u32> = (0..n as u32).collect();
    grow(
        binned,
        &y,
        rows,
        root,
        0,
        params.max_depth,
        min_leaf,
        &mut leaves,
    );

    let mut totals = [0usize; 4];
    for &c in &y {
        totals[c as usize] += 1;
    }
    let correct: usize = leaves
        .iter()
        .map(|l| l.counts.iter().max().copied().unwrap_or(0))
        .sum();
    let has_missing: Vec<bool> = (0..binned.n_features)
        .map(|j| binned.column(j).contains(&0))
        .collect();
    let mut archetypes = Vec::new();
    for a in Archetype::ALL {
        let ai = a.index();
        let make = |l: &Leaf, majority: bool| -> Rule {
            let users: usize = l.counts.iter().sum();
            let conditions = conditions(binned, feature_names, &has_missing, &l.path);
            let purity = l.counts[ai] as f64 / users.max(1) as f64;
            let coverage = l.counts[ai] as f64 / totals[ai].max(1) as f64;
            let when = if conditions.is_empty() {
                "everyone".to_string()
            } else {
                conditions
                    .iter()
                    .map(|c| c.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" and ")
            };
            let text = format!(
                "{}: {when} — {:.0}% of these users are {}; it finds {:.0}% of them.",
                plural(a),
                100.0 * purity,
                plural(a),
                100.0 * coverage
            );
            Rule {
                archetype: a,
                conditions,
                users,
                purity,
                coverage,
                majority,
                text,
            }
        };
        let mut rules: Vec<Rule> = leaves
            .iter()
            .filter(|l| majority_of(&l.counts) == ai && l.counts[ai] > 0)
            .map(|l| make(l, true))
            .collect();
        rules.sort_by(|p, q| q.coverage.total_cmp(&p.coverage));
        if rules.is_empty() && totals[ai] > 0 {
            let densest = leaves.iter().max_by(|p, q| {
                let fp = p.counts[ai] as f64 / p.counts.iter().sum::<usize>().max(1) as f64;
                let fq = q.counts[ai] as f64 / q.counts.iter().sum::<usize>().max(1) as f64;
                fp.total_cmp(&fq)
            });
            if let Some(l) = densest {
                rules.push(make(l, false));
            }
        }
        archetypes.push(ArchetypeRules {
            archetype: a,
            count: totals[ai],
            rules,
        });
    }
    Ok(SegmentRules {
        accuracy: correct as f64 / n as f64,
        baseline_accuracy: *totals.iter().max().unwrap_or(&0) as f64 / n as f64,
        depth: params.max_depth,
        leaves: leaves.len(),
        archetypes,
    })
}

fn plural(a: Archetype) -> &'static str {
    match a {
        Archetype::Persuadable => "Persuadables",
        Archetype::SureThing => "Sure Things",
        Archetype::LostCause => "Lost Causes",
        Archetype::DoNotDisturb => "Do-Not-Disturbs",
    }
}

/// Most common class; ties to the lower index.
fn majority_of(c: &[usize; 4]) -> usize {
    (0..4).fold(0, |b, k| if c[k] > c[b] { k } else { b })
}

fn gini(c: &[usize; 4], n: usize) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let nf = n as f64;
    1.0 - c.iter().map(|&k| (k as f64 / nf).powi(2)).sum::<f64>()
}

#[allow(clippy::too_many_arguments)]
fn grow(
    b: &BinnedMatrix,
    y: &[u8],
    rows: Vec<u32>,
    path: Path,
    depth: usize,
    max_depth: usize,
    min_leaf: usize,
    leaves: &mut Vec<Leaf>,
) {
    let mut counts = [0usize; 4];
    for &r in &rows {
        counts[y[r as usize] as usize] += 1;
    }
    let n = rows.len();
    let pure = counts.iter().filter(|&&c| c > 0).count() <= 1;
    if depth == max_depth || pure || n < 2 * min_leaf {
        leaves.push(Leaf { path, counts });
        return;
    }
    // Best split over features and bins: minimise weighted Gini of the children.
    let mut best: Option<(f64, usize, u8)> = None;
    let mut hist = vec![[0usize; 4]; 256];
    for j in 0..b.n_features {
        let col = b.column(j);
        for h in hist.iter_mut() {
            *h = [0; 4];
        }
        for &r in &rows {
            hist[col[r as usize] as usize][y[r as usize] as usize] += 1;
        }
        let mut left = [0usize; 4];
        let mut nl = 0usize;
        for (code, h) in hist.iter().enumerate().take(b.n_bins(j)) {
            for k in 0..4 {
                left[k] += h[k];
            }
            nl += h.iter().sum::<usize>();
            let nr = n - nl;
            if nl < min_leaf || nr < min_leaf {
                continue;
            }
            let right = [
                counts[0] - left[0],
                counts[1] - left[1],
                counts[2] - left[2],
                counts[3] - left[3],
            ];
            let score = (nl as f64 * gini(&left, nl) + nr as f64 * gini(&right, nr)) / n as f64;
            if best.is_none_or(|(s, _, _)| score < s - 1e-12) {
                best = Some((score, j, code as u8));
            }
        }
    }
    match best {
        Some((score, j, code)) if score < gini(&counts, n) - 1e-9 => {
            let col = b.column(j);
            let (l, r): (Vec<u32>, Vec<u32>) = rows.iter().partition(|&&i| col[i as usize] <= code);
            let mut lp = path.clone();
            lp.0[j].1 = lp.0[j].1.min(code as i32);
            let mut rp = path;
            rp.0[j].0 = rp.0[j].0.max(code as i32);
            grow(b, y, l, lp, depth + 1, max_depth, min_leaf, leaves);
            grow(b, y, r, rp, depth + 1, max_depth, min_leaf, leaves);
        }
        _ => leaves.push(Leaf { path, counts }),
    }
}

/// Short number text: up to 4 decimals, no trailing zeros.
fn num(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

fn conditions(
    b: &BinnedMatrix,
    names: &[String],
    has_missing: &[bool],
    path: &Path,
) -> Vec<Condition> {
    let mut out = Vec::new();
    for (j, &(lo, hi)) in path.0.iter().enumerate() {
        let nb = b.n_bins(j) as i32;
        if lo == -1 && hi == nb {
            continue;
        }
        let up = &b.upper[j];
        let name = &names[j];
        let integral = up.iter().all(|v| v.fract() == 0.0);
        let above = (lo >= 1).then(|| up[(lo - 1) as usize]);
        let at_most = (hi >= 1 && hi < nb).then(|| up[(hi - 1) as usize]);
        let includes_missing = lo == -1;
        let mut text = match (lo, hi) {
            (-1, 0) => format!("{name} is missing"),
            (0, h) if h == nb => format!("{name} is known"),
            (l, h) if l >= 1 && h == l + 1 && integral => {
                format!("{name} = {}", num(up[(h - 1) as usize]))
            }
            _ => match (above, at_most) {
                (Some(a), Some(m)) => format!("{} < {name} ≤ {}", num(a), num(m)),
                (Some(a), None) => format!("{name} > {}", num(a)),
                (None, Some(m)) => format!("{name} ≤ {}", num(m)),
                (None, None) => format!("{name} is known"),
            },
        };
        if includes_missing && hi >= 1 && has_missing[j] {
            text.push_str(" (or missing)");
        }
        out.push(Condition {
            feature: name.clone(),
            above,
            at_most,
            includes_missing,
            text,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::binning::BinParams;

    #[test]
    fn recovers_a_planted_rule() {
        // 400 users: x0 = i mod 10 (0..9), x1 = i mod 7. Persuadable iff x0 > 6; else Lost Cause iff x1 ≤ 2;
        // else Sure Thing. A depth-2 tree recovers it exactly.
        let x0: Vec<f64> = (0..400).map(|i| (i % 10) as f64).collect();
        let x1: Vec<f64> = (0..400).map(|i| (i % 7) as f64).collect();
        let labels: Vec<Archetype> = (0..400)
            .map(|i| {
                if x0[i] > 6.0 {
                    Archetype::Persuadable
                } else if x1[i] <= 2.0 {
                    Archetype::LostCause
                } else {
                    Archetype::SureThing
                }
            })
            .collect();
        let b = BinnedMatrix::from_columns(&[&x0, &x1], &BinParams::default());
        let names = vec!["visits".to_string(), "tenure".to_string()];
        let r = explain(&b, &names, &labels, &RuleParams::default()).unwrap();
        assert_eq!(r.accuracy, 1.0);
        let p = &r.archetypes[0].rules[0];
        assert_eq!(p.conditions[0].text, "visits > 6");
        assert_eq!(p.purity, 1.0);
        assert_eq!(p.coverage, 1.0);
        // 120 Persuadables (x0 ∈ {7, 8, 9}: 3 of 10).
        assert_eq!(
            p.text,
            "Persuadables: visits > 6 — 100% of these users are Persuadables; it finds 100% of them."
        );
        let lc = &r.archetypes[2].rules[0];
        assert_eq!(
            lc.text.split(" — ").next().unwrap(),
            "Lost Causes: visits ≤ 6 and tenure ≤ 2"
        );
        // No Do-Not-Disturbs at all: no rule.
        assert!(r.archetypes[3].rules.is_empty());
    }

    #[test]
    fn equality_and_missing_text() {
        // x = 0..5 repeating with every 10th missing; label Persuadable iff x == 3.
        let x: Vec<f64> = (0..600)
            .map(|i| {
                if i % 10 == 9 {
                    f64::NAN
                } else {
                    (i % 6) as f64
                }
            })
            .collect();
        let labels: Vec<Archetype> = x
            .iter()
            .map(|&v| {
                if v == 3.0 {
                    Archetype::Persuadable
                } else {
                    Archetype::LostCause
                }
            })
            .collect();
        let b = BinnedMatrix::from_columns(&[&x], &BinParams::default());
        let r = explain(&b, &["f9".to_string()], &labels, &RuleParams::default()).unwrap();
        assert_eq!(r.accuracy, 1.0);
        assert_eq!(r.archetypes[0].rules[0].conditions[0].text, "f9 = 3");
        assert!(r.archetypes[2].rules.iter().any(|rule| rule
            .conditions
            .iter()
            .any(|c| c.text.ends_with("(or missing)"))));
        assert_eq!(
            explain(
                &b,
                &["f9".to_string()],
                &labels,
                &RuleParams {
                    max_depth: 4,
                    ..Default::default()
                }
            )
            .unwrap_err()
            .to_string(),
            "Setting “rule depth” is 4, but it must be 1, 2 or 3."
        );
    }
}
