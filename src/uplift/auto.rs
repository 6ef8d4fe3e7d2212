//! `auto`: choose the meta-learner by out-of-fold evidence (a doubly robust uplift curve) with a one-standard-error rule.
//!
//! For each row, φ = μ̂1 − μ̂0 + t·(y − μ̂1)/ê − (1 − t)·(y − μ̂0)/(1 − ê) is built from the row's own fold's
//! models, which never saw it; given x, φ averages to τ(x) when ê is right (it is, in a randomized test). So
//! for any targeting set chosen without looking at the row's outcome, Σ φ over the set estimates the true
//! incremental conversions it captures. Every candidate's τ̂ is out-of-fold, so its ranking of a row never
//! used that row's outcome.
//!
//! Criterion (what the product sells: who to target first): the area under the doubly robust uplift curve,
//! gain = (1/n)·Σᵢ φᵢ·(1 − rankᵢ/n) with rank 0 for the highest τ̂ (tied scores share their average rank),
//! i.e. the captured effect averaged over every targeting share from 0 to 100 %. Differences between two
//! candidates are per-row sums, so their standard error comes from the paired per-row terms. A squared-error
//! loss mean (φ − τ̂)² is reported too but not used: at rare conversions it rewards flat, shrunken scores
//! that rank users poorly. Nested folds would multiply the cost by K; with a few candidates and the rule
//! below the choice has little room to overfit.
//!
//! Rule: the highest gain wins unless a simpler learner (S < T < X < DR) is within `se_rule` standard errors
//! of the paired difference, in which case the simplest such learner is chosen (default 0: see
//! `UpliftParams::auto_se_rule` for why the one-standard-error rule is not the default).

use serde::Serialize;

use super::params::MetaLearner;

/// One candidate's out-of-fold evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CandidateLoss {
    pub learner: MetaLearner,
    /// Area under the doubly robust uplift curve minus that of random targeting (conversions per user; higher
    /// is better).
    pub gain: f64,
    /// Best gain − this gain (≥ 0), and the standard error of that paired difference.
    pub behind_best: f64,
    pub behind_best_se: f64,
    /// mean (φ − τ̂)² (reported, not used for the choice).
    pub squared_error: f64,
}

/// What auto chose and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoReport {
    pub chosen: MetaLearner,
    pub runner_up: Option<MetaLearner>,
    /// Candidates by gain (best first).
    pub candidates: Vec<CandidateLoss>,
    /// One plain sentence: why this learner.
    pub reason: String,
    /// How the evidence was computed.
    pub method: String,
}

/// Mean and standard error of the mean of the `len` values `value(0..len)` (two passes in index order; the
/// values are computed, not stored: each is a per-row vector of 112 MB at 14M rows).
fn mean_se(len: usize, value: impl Fn(usize) -> f64) -> (f64, f64) {
    let n = len.max(1) as f64;
    let m = (0..len).map(&value).sum::<f64>() / n;
    let var = (0..len)
        .map(|i| {
            let x = value(i);
            (x - m) * (x - m)
        })
        .sum::<f64>()
        / (n - 1.0).max(1.0);
    (m, libm::sqrt(var / n))
}

/// Twice each row's rank (rank 0 = highest score; ties share the average rank: i + j for a tie block at sorted
/// positions i..=j), kept as u32 (4 bytes a row instead of an f64 weight's 8; exact below 2³¹ rows, and rows
/// are u32 indices everywhere).
fn doubled_ranks(score: &[f64]) -> Vec<u32> {
    let n = score.len();
    // Rows by descending score, −0.0 = 0.0: ties sit together, their keys equal (their order does not
    // matter: they share one rank).
    use crate::metrics::order::{sorted_by_score, Order};
    let order = Order {
        descending: true,
        zeros_equal: true,
        larger_row_first: false,
    };
    let sorted = sorted_by_score(score, order);
    let mut d = vec![0u32; n];
    for b in sorted.tie_blocks() {
        // positions i..=j, with j = end − 1
        let doubled = (b.start + b.end - 1) as u32;
        for &r in &sorted.rows[b] {
            d[r as usize] = doubled;
        }
    }
    d
}

/// The weight 1 − rank/n of a row with doubled rank `d` among `nf` rows, minus ½ (random targeting).
fn rank_weight(d: u32, nf: f64) -> f64 {
    let avg_rank = d as f64 / 2.0;
    1.0 - avg_rank / nf - 0.5
}

/// Per-row gain terms of each candidate, rank weight × φ, computed from the ranks when read: this runs where
/// auto's memory peaks (every candidate's τ̂, the out-of-fold predictions and the design are held), so each
/// candidate keeps 4 bytes a row (56 MB at 14M rows) instead of an f64 term, and the candidates are ranked one
/// at a time (a radix sort: 24 bytes a row while it runs).
struct GainTerms<'a> {
    phi: &'a [f64],
    ranks: Vec<Vec<u32>>,
    nf: f64,
}

impl<'a> GainTerms<'a> {
    fn new(phi: &'a [f64], candidates: &[(MetaLearner, Vec<f64>)]) -> GainTerms<'a> {
        GainTerms {
            phi,
            ranks: candidates
                .iter()
                .map(|(_, tau)| doubled_ranks(tau))
                .collect(),
            nf: phi.len().max(1) as f64,
        }
    }

    /// Rows of candidate c's terms (its ranks and φ aligned).
    fn len(&self, c: usize) -> usize {
        self.ranks[c].len().min(self.phi.len())
    }

    /// Candidate c's term of row i.
    fn term(&self, c: usize, i: usize) -> f64 {
        rank_weight(self.ranks[c][i], self.nf) * self.phi[i]
    }
}

/// Choose among `candidates` (learner, out-of-fold τ̂) with pseudo-outcomes `phi`; `se_rule` standard errors
/// of tolerance for a simpler learner (1.0 is the usual one-standard-error rule).
pub fn choose(
    phi: &[f64],
    candidates: &[(MetaLearner, Vec<f64>)],
    se_rule: f64,
    blend_margin: f64,
) -> AutoReport {
    let n = phi.len().max(1) as f64;
    let terms = GainTerms::new(phi, candidates);
    let gains: Vec<f64> = (0..candidates.len())
        .map(|c| (0..terms.len(c)).map(|i| terms.term(c, i)).sum::<f64>() / n)
        .collect();
    let best = (0..candidates.len())
        .max_by(|&a, &b| {
            gains[a].total_cmp(&gains[b]).then(
                candidates[b]
                    .0
                    .simplicity()
                    .cmp(&candidates[a].0.simplicity()),
            )
        })
        .unwrap_or(0);
    let mut rows: Vec<CandidateLoss> = candidates
        .iter()
        .enumerate()
        .map(|(c, (learner, tau))| {
            let len = terms.len(best).min(terms.len(c));
            let (behind_best, behind_best_se) =
                mean_se(len, |i| terms.term(best, i) - terms.term(c, i));
            CandidateLoss {
                learner: *learner,
                gain: gains[c],
                behind_best,
                behind_best_se,
                squared_error: phi
                    .iter()
                    .zip(tau)
                    .map(|(p, t)| (p - t) * (p - t))
                    .sum::<f64>()
                    / n,
            }
        })
        .collect();
    let best_learner = candidates.get(best).map_or(MetaLearner::T, |c| c.0);
    let blend_row = rows
        .iter()
        .find(|r| r.learner == MetaLearner::Blend)
        .cloned();
    let keep_blend = blend_row
        .as_ref()
        .is_some_and(|r| r.behind_best <= blend_margin * r.behind_best_se);
    let chosen = if keep_blend {
        MetaLearner::Blend
    } else {
        rows.iter()
            .filter(|r| r.learner != MetaLearner::Blend)
            .filter(|r| r.behind_best <= se_rule * r.behind_best_se)
            .min_by_key(|r| r.learner.simplicity())
            .map_or(best_learner, |r| r.learner)
    };
    rows.sort_by(|a, b| {
        b.gain
            .total_cmp(&a.gain)
            .then(a.learner.simplicity().cmp(&b.learner.simplicity()))
    });
    let runner_up = rows.iter().map(|r| r.learner).find(|&l| l != chosen);
    let row_of = |l: MetaLearner| rows.iter().find(|r| r.learner == l);
    let in_se = |r: &CandidateLoss| {
        if r.behind_best_se > 0.0 {
            format!("{:.1} standard errors", r.behind_best / r.behind_best_se)
        } else {
            "a margin that could not be measured".into()
        }
    };
    let reason = match (chosen == best_learner, runner_up.and_then(row_of)) {
        (false, Some(_)) if keep_blend => format!(
            "The blend (mean of the {} learners' scores) was kept: {} ranked best on rows no model had seen, but only {} ahead of the blend, short of the {blend_margin} standard errors needed to overrule the average.",
            candidates.len().saturating_sub(1),
            best_learner.label(),
            blend_row.as_ref().map_or_else(|| "0 standard errors".into(), in_se)
        ),
        (_, None) => format!("{} was the only candidate.", chosen.label()),
        (true, Some(r)) => format!(
            "{} ranked users best on rows no model had seen (a doubly robust estimate of the conversions gained when targeting by its scores, of the {} learners tried); the runner-up, {}, was {} behind.",
            chosen.label(),
            candidates.len(),
            r.learner.label(),
            in_se(r)
        ),
        (false, _) => format!(
            "{} was chosen: {} ranked users best on rows no model had seen, but {} is only {} behind and is simpler, so it is less likely to chase noise.",
            chosen.label(),
            best_learner.label(),
            chosen.label(),
            row_of(chosen).map_or_else(|| "0 standard errors".into(), in_se)
        ),
    };
    AutoReport {
        chosen,
        runner_up,
        candidates: rows,
        reason,
        method: format!(
            "Area under the doubly robust (AIPW) uplift curve of each learner's out-of-fold scores; the blend (mean of the candidates) is kept unless a learner beats it by more than {blend_margin} standard errors, else a simpler learner (S < T < X < DR) is preferred when within {se_rule} standard error(s) of the best (paired per-row differences)."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_weights_by_hand() {
        // scores 0.3, 0.9, 0.3, 0.1 → ranks 1.5 (tie of ranks 1,2), 0, 1.5, 3 → doubled 3, 0, 3, 6
        // → weights 1 − r/4 − ½ = 0.125, 0.5, 0.125, −0.25
        let d = doubled_ranks(&[0.3, 0.9, 0.3, 0.1]);
        assert_eq!(d, vec![3, 0, 3, 6]);
        let w: Vec<f64> = d.iter().map(|&d| rank_weight(d, 4.0)).collect();
        assert_eq!(w, vec![0.125, 0.5, 0.125, -0.25]);
    }

    #[test]
    fn the_better_ranking_wins_and_a_close_simpler_one_is_preferred() {
        // φ = 1, 0, 0, 0 (only row 0 responds). X ranks row 0 first: weight ½ → gain ½·1/4 = 0.125.
        // S ranks row 0 last: weight −¼ → gain −0.0625. Paired differences: 0.75, 0, 0, 0 (per row, ·1/n
        // implied by the mean) → mean 0.1875, sd 0.375, se 0.1875: S is exactly one se behind → within → S.
        let phi = [1.0, 0.0, 0.0, 0.0];
        let x = (MetaLearner::X, vec![0.9, 0.5, 0.3, 0.1]);
        let s = (MetaLearner::S, vec![0.1, 0.5, 0.3, 0.9]);
        let r = choose(&phi, &[s.clone(), x.clone()], 1.0, 2.0);
        assert_eq!(r.candidates[0].learner, MetaLearner::X);
        assert!((r.candidates[0].gain - 0.125).abs() < 1e-12);
        assert!((r.candidates[1].gain + 0.0625).abs() < 1e-12);
        assert!((r.candidates[1].behind_best - 0.1875).abs() < 1e-12);
        assert!((r.candidates[1].behind_best_se - 0.1875).abs() < 1e-12);
        assert_eq!(r.chosen, MetaLearner::S);
        assert!(
            r.reason.starts_with("S was chosen: X ranked users best"),
            "{}",
            r.reason
        );
        // A stricter tolerance (half a standard error) keeps the best.
        let r = choose(&phi, &[s.clone(), x.clone()], 0.5, 2.0);
        assert_eq!(r.chosen, MetaLearner::X);
        assert_eq!(r.runner_up, Some(MetaLearner::S));
        assert!(r.reason.starts_with("X ranked users best"), "{}", r.reason);

        // The blend of S and X (0.5, 0.5, 0.3, 0.5): rows 0, 1 and 3 tie at the top (ranks 0–2) → avg rank 1 → weight 1 − 1/4 − ½ = ¼,
        // gain ¼·1/4 = 0.0625; X leads it by 0.0625 per row-mean with paired differences (0.25, 0, 0, 0) → mean
        // 0.0625, sd 0.125, se 0.0625: exactly 1 se behind. Margin 2 keeps the blend; margin 0.5 lets X overrule it.
        let b = (MetaLearner::Blend, vec![0.5, 0.5, 0.3, 0.5]);
        let r = choose(&phi, &[s.clone(), x.clone(), b.clone()], 0.0, 2.0);
        assert_eq!(r.chosen, MetaLearner::Blend);
        assert!(
            r.reason
                .starts_with("The blend (mean of the 2 learners' scores) was kept: X ranked best"),
            "{}",
            r.reason
        );
        let r = choose(&phi, &[s, x, b], 0.0, 0.5);
        assert_eq!(r.chosen, MetaLearner::X);
    }
}
