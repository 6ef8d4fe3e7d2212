//! `auto`: choose the meta-learner by out-of-fold evidence (a doubly robust loss) with a one-standard-error rule.
//!
//! For each row, φ = μ̂1 − μ̂0 + t·(y − μ̂1)/ê − (1 − t)·(y − μ̂0)/(1 − ê) is built from the row's own fold's
//! models, which never saw it; given x, φ averages to τ(x) when ê is right (it is, in a randomized test), so
//! mean (φ − τ̂_c)² = noise + mean (τ − τ̂_c)²: differences between candidates estimate differences in
//! their error against the true effect. Every candidate's τ̂ is out-of-fold too, so the comparison is on
//! rows no model saw. (Nested folds would multiply the cost by K; with a few candidates and the rule below,
//! the choice itself has little room to overfit.)
//!
//! Rule: the lowest loss wins unless a simpler learner (S < T < X < DR) is within one standard error of the
//! paired per-row loss difference, in which case the simplest such learner is chosen.

use serde::Serialize;

use super::params::MetaLearner;

/// One candidate's out-of-fold doubly robust loss.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CandidateLoss {
    pub learner: MetaLearner,
    /// mean (φ − τ̂)² over all rows.
    pub loss: f64,
    /// Standard error of that mean.
    pub se: f64,
    /// loss − best loss, and the standard error of the paired per-row difference.
    pub vs_best: f64,
    pub vs_best_se: f64,
    /// mean (φ − τ̂)² improvement over one flat uplift for everyone (positive = better than flat).
    pub gain_over_flat: f64,
}

/// What auto chose and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoReport {
    pub chosen: MetaLearner,
    pub runner_up: Option<MetaLearner>,
    /// Candidates in order of loss (best first).
    pub candidates: Vec<CandidateLoss>,
    /// Loss of a flat uplift (the average effect, the same for everyone): the reference.
    pub flat_loss: f64,
    /// One plain sentence: why this learner.
    pub reason: String,
    /// How the losses were computed.
    pub method: String,
}

fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len().max(1) as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0).max(1.0);
    (m, libm::sqrt(var / n))
}

/// Choose among `candidates` (learner, out-of-fold τ̂) with pseudo-outcomes `phi`.
pub fn choose(phi: &[f64], candidates: &[(MetaLearner, Vec<f64>)]) -> AutoReport {
    let n = phi.len().max(1) as f64;
    let flat = phi.iter().sum::<f64>() / n;
    let flat_loss = phi.iter().map(|p| (p - flat) * (p - flat)).sum::<f64>() / n;
    let losses: Vec<Vec<f64>> = candidates
        .iter()
        .map(|(_, tau)| {
            phi.iter()
                .zip(tau)
                .map(|(p, t)| (p - t) * (p - t))
                .collect()
        })
        .collect();
    let means: Vec<(f64, f64)> = losses.iter().map(|l| mean_se(l)).collect();
    let best = (0..candidates.len())
        .min_by(|&a, &b| {
            means[a].0.total_cmp(&means[b].0).then(
                candidates[a]
                    .0
                    .simplicity()
                    .cmp(&candidates[b].0.simplicity()),
            )
        })
        .unwrap_or(0);
    let mut rows: Vec<CandidateLoss> = candidates
        .iter()
        .enumerate()
        .map(|(c, (learner, _))| {
            let d: Vec<f64> = losses[c]
                .iter()
                .zip(&losses[best])
                .map(|(a, b)| a - b)
                .collect();
            let (vs_best, vs_best_se) = mean_se(&d);
            CandidateLoss {
                learner: *learner,
                loss: means[c].0,
                se: means[c].1,
                vs_best,
                vs_best_se,
                gain_over_flat: flat_loss - means[c].0,
            }
        })
        .collect();
    let best_learner = candidates.get(best).map_or(MetaLearner::T, |c| c.0);
    let chosen = rows
        .iter()
        .filter(|r| r.vs_best <= r.vs_best_se)
        .min_by_key(|r| r.learner.simplicity())
        .map_or(best_learner, |r| r.learner);
    rows.sort_by(|a, b| {
        a.loss
            .total_cmp(&b.loss)
            .then(a.learner.simplicity().cmp(&b.learner.simplicity()))
    });
    let runner_up = rows.iter().map(|r| r.learner).find(|&l| l != chosen);
    let row_of = |l: MetaLearner| rows.iter().find(|r| r.learner == l);
    let reason = match (chosen == best_learner, runner_up.and_then(row_of)) {
        (_, None) => format!("{} was the only candidate.", chosen.label()),
        (true, Some(r)) => {
            let gap = if r.vs_best_se > 0.0 {
                format!("{:.1} standard errors", r.vs_best / r.vs_best_se)
            } else {
                "a margin that could not be measured".into()
            };
            format!(
                "{} had the lowest out-of-fold error of the {} learners tried (a doubly robust check on rows no model saw); the runner-up, {}, was {} behind.",
                chosen.label(),
                candidates.len(),
                r.learner.label(),
                gap
            )
        }
        (false, _) => {
            let c = row_of(chosen);
            let gap = c.map_or(0.0, |c| {
                if c.vs_best_se > 0.0 {
                    c.vs_best / c.vs_best_se
                } else {
                    0.0
                }
            });
            format!(
                "{} was chosen: {} had the lowest out-of-fold error, but {} is within one standard error of it ({:.1} apart) and is simpler, so it is less likely to chase noise.",
                chosen.label(),
                best_learner.label(),
                chosen.label(),
                gap
            )
        }
    };
    AutoReport {
        chosen,
        runner_up,
        candidates: rows,
        flat_loss,
        reason,
        method: "Doubly robust (AIPW) pseudo-outcome loss, mean (φ − τ̂)², on out-of-fold scores; one-standard-error rule on paired differences, simpler learner preferred (S < T < X < DR).".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_wins_when_clearly_better_and_simpler_wins_a_tie() {
        // φ = 1, 0, 1, 0. A predicts φ exactly (loss 0); B predicts 0.5 everywhere (loss 0.25, every row worse
        // by 0.25, so the paired difference has se 0 and B is not within one se).
        let phi = [1.0, 0.0, 1.0, 0.0];
        let a = (MetaLearner::X, phi.to_vec());
        let b = (MetaLearner::S, vec![0.5; 4]);
        let r = choose(&phi, &[b.clone(), a.clone()]);
        assert_eq!(r.chosen, MetaLearner::X);
        assert_eq!(r.runner_up, Some(MetaLearner::S));
        assert_eq!(r.flat_loss, 0.25);
        assert_eq!(r.candidates[0].loss, 0.0);
        assert!(
            r.reason.starts_with("X had the lowest out-of-fold error"),
            "{}",
            r.reason
        );
        // Equal losses: T (simpler) beats DR.
        let c = (MetaLearner::Dr, vec![0.5; 4]);
        let d = (MetaLearner::T, vec![0.5; 4]);
        let r = choose(&phi, &[c, d]);
        assert_eq!(r.chosen, MetaLearner::T);
    }

    #[test]
    fn within_one_se_the_simpler_learner_is_chosen() {
        // X predicts 0.5 everywhere: row loss 0.25. S predicts 0.4, 0.45, 0.4, 0.45: row losses 0.36, 0.2025,
        // 0.36, 0.2025 (mean 0.28125, worse). Paired differences 0.11, −0.0475, … → mean 0.03125,
        // sd 0.0909, se 0.0455 ≥ 0.03125 → S is within one standard error and simpler → S.
        let phi = [1.0, 0.0, 1.0, 0.0];
        let x = (MetaLearner::X, vec![0.5, 0.5, 0.5, 0.5]);
        let s = (MetaLearner::S, vec![0.4, 0.45, 0.4, 0.45]);
        let r = choose(&phi, &[x, s]);
        assert_eq!(r.chosen, MetaLearner::S);
        assert!(
            r.reason.starts_with("S was chosen: X had the lowest"),
            "{}",
            r.reason
        );
        assert_eq!(r.runner_up, Some(MetaLearner::X));
    }
}
