//! Fairness-aware targeting: per-group uplift thresholds that reach a disparate-impact level at the same
//! budget while keeping as much expected incremental conversion (Σ τ̂) as possible; does not audit (see
//! `fairness`).
//!
//! The problem: choose k_g users per group g (each group's highest-τ̂ members, i.e. a per-group uplift
//! threshold) with Σ k_g = k and min_g r_g ÷ max_g r_g ≥ L, where r_g = k_g ÷ N_g, maximising Σ τ̂. Meeting
//! the min ÷ max ratio (Fairlearn) also meets AIF360's everyone-else ÷ privileged ratio for any privileged
//! group, since every group's rate is then at least L × the highest.
//!
//! Method: for a minimum rate ρ the rates must lie in [ρ, ρ ÷ L], i.e. k_g ∈ [⌈ρ·N_g⌉, ⌊ρ·N_g ÷ L⌋]. Within
//! those bounds the best fill is greedy by τ̂ (each group's gains fall as k_g grows), found by binary search on
//! the global uplift rank t: k_g(t) = clamp(members of g in the global top t, bounds), smallest t with
//! Σ k_g(t) ≥ k (it then equals k, as one step adds at most one user). ρ runs over a grid of 201 values in
//! [L·k/n, k/n] (the only range where a solution can exist) and the best Σ τ̂ wins. Each candidate costs
//! O(groups · log² n), so a query stays interactive.

use serde::{Deserialize, Serialize};

use super::fairness::FairnessIndex;
use super::scored::Scored;
use super::simulator::{rct_estimate, Estimate, Policy, Simulator};
use crate::error::{Error, Result};

/// The target. Every field has a default, so the page may send `{}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct FairTargetingParams {
    /// Disparate impact (min ÷ max selection rate) to reach, in (0, 1] (default 0.8).
    pub level: f64,
}

impl Default for FairTargetingParams {
    fn default() -> Self {
        Self { level: 0.8 }
    }
}

/// One group under both targetings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FairGroup {
    pub group: String,
    pub size: usize,
    pub targeted_unconstrained: usize,
    pub targeted_fair: usize,
    pub rate_unconstrained: Option<f64>,
    pub rate_fair: Option<f64>,
    /// The group's uplift threshold under fair targeting: τ̂ of its last targeted member (`None` if none).
    pub uplift_threshold: Option<f64>,
}

/// What one targeting achieves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetingOutcome {
    pub disparate_impact: Option<f64>,
    /// Σ τ̂ of the targeted users.
    pub model_incremental_conversions: f64,
    /// RCT estimate inside the targeted set.
    pub incremental_conversions: Option<Estimate>,
    /// RCT incremental revenue ÷ spend (value per conversion × incremental conversions).
    pub incremental_roas: Option<f64>,
    /// The model's: value × Σ τ̂ ÷ spend.
    pub model_incremental_roas: Option<f64>,
}

/// Fair versus unconstrained uplift targeting at the same budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FairTargeting {
    pub attribute: String,
    pub level: f64,
    pub targeted: usize,
    /// False when no per-group thresholds reach the level at this budget (then `fair` is the unconstrained).
    pub reached: bool,
    pub groups: Vec<FairGroup>,
    pub unconstrained: TargetingOutcome,
    pub fair: TargetingOutcome,
    /// Expected incremental conversions (Σ τ̂) given up for fairness.
    pub model_conversion_cost: f64,
    /// The same as a share of the unconstrained Σ τ̂ (`None` when that is ≤ 0).
    pub model_conversion_cost_share: Option<f64>,
    /// One sentence in plain words.
    pub summary: String,
}

/// Per-group prefix sums along the uplift order, reused across queries.
#[derive(Debug, Clone)]
pub struct FairTargeter {
    labels: Vec<String>,
    attribute: String,
    sizes: Vec<usize>,
    /// Global uplift ranks of each group's members, ascending.
    ranks: Vec<Vec<u32>>,
    /// τ̂ of each group's members in uplift order.
    uplift: Vec<Vec<f64>>,
    tau: Vec<Vec<f64>>,
    nt: Vec<Vec<u32>>,
    yt: Vec<Vec<u32>>,
    yc: Vec<Vec<u32>>,
    n: usize,
    cost: f64,
    value: f64,
    z: f64,
}

impl FairTargeter {
    /// Build from the simulator, its fairness index for one attribute, and the scores it was built from.
    pub fn build(sim: &Simulator, index: &FairnessIndex, scored: &Scored) -> Result<FairTargeter> {
        let order = sim.order(Policy::Uplift).ok_or(Error::NoRows)?;
        if scored.len() != sim.len() {
            return Err(Error::LengthMismatch {
                what: "The scores",
                found: scored.len(),
                reference: "the simulator's users",
                expected: sim.len(),
            });
        }
        let ranks = index.ranks(Policy::Uplift).ok_or(Error::NoRows)?.to_vec();
        let g = ranks.len();
        let mut t = FairTargeter {
            labels: index.column.labels.clone(),
            attribute: index.column.name.clone(),
            sizes: index.sizes().to_vec(),
            uplift: vec![Vec::new(); g],
            tau: vec![vec![0.0]; g],
            nt: vec![vec![0]; g],
            yt: vec![vec![0]; g],
            yc: vec![vec![0]; g],
            ranks,
            n: sim.len(),
            cost: sim.cost_per_contact(),
            value: sim.value_per_conversion(),
            z: sim.z(),
        };
        for (gi, r) in t.ranks.iter().enumerate() {
            for &rank in r {
                let i = order[rank as usize] as usize;
                let y = u32::from(scored.outcome[i] == 1.0);
                let tr = scored.treatment[i];
                t.uplift[gi].push(scored.uplift[i]);
                let (a, b, c, d) = (
                    *t.tau[gi].last().unwrap_or(&0.0),
                    *t.nt[gi].last().unwrap_or(&0),
                    *t.yt[gi].last().unwrap_or(&0),
                    *t.yc[gi].last().unwrap_or(&0),
                );
                t.tau[gi].push(a + scored.uplift[i]);
                t.nt[gi].push(b + u32::from(tr));
                t.yt[gi].push(c + if tr { y } else { 0 });
                t.yc[gi].push(d + if tr { 0 } else { y });
            }
        }
        Ok(t)
    }

    fn outcome(&self, ks: &[usize]) -> TargetingOutcome {
        let (mut tau, mut nt, mut yt, mut yc, mut k) = (0.0, 0usize, 0usize, 0usize, 0usize);
        for (g, &kg) in ks.iter().enumerate() {
            tau += self.tau[g][kg];
            nt += self.nt[g][kg] as usize;
            yt += self.yt[g][kg] as usize;
            yc += self.yc[g][kg] as usize;
            k += kg;
        }
        let incr = rct_estimate(nt, yt, k - nt, yc, self.z);
        let spend = k as f64 * self.cost;
        let per = |x: f64| (spend > 0.0).then(|| x * self.value / spend);
        TargetingOutcome {
            disparate_impact: di(ks, &self.sizes),
            model_incremental_conversions: tau,
            incremental_conversions: incr,
            incremental_roas: incr.and_then(|e| per(e.estimate)),
            model_incremental_roas: per(tau),
        }
    }

    /// Per-group counts for bounds (lo, hi) and total k: greedy by global uplift rank.
    fn fill(&self, lo: &[usize], hi: &[usize], k: usize) -> Vec<usize> {
        let at = |t: usize| -> Vec<usize> {
            self.ranks
                .iter()
                .enumerate()
                .map(|(g, r)| r.partition_point(|&x| (x as usize) < t).clamp(lo[g], hi[g]))
                .collect()
        };
        let (mut a, mut b) = (0usize, self.n);
        while a < b {
            let m = a + (b - a) / 2;
            if at(m).iter().sum::<usize>() >= k {
                b = m;
            } else {
                a = m + 1;
            }
        }
        at(a)
    }

    /// Fair targeting of k users.
    pub fn solve(&self, k: usize, params: &FairTargetingParams) -> Result<FairTargeting> {
        let level = params.level;
        if !(level > 0.0 && level <= 1.0) {
            return Err(Error::BadParam {
                name: "fairness level",
                expected: "more than 0 and at most 1",
                found: level.to_string(),
            });
        }
        let k = k.min(self.n);
        let free: Vec<usize> = self
            .ranks
            .iter()
            .map(|r| r.partition_point(|&x| (x as usize) < k))
            .collect();
        let unconstrained = self.outcome(&free);
        let mut best: Option<(f64, Vec<usize>)> = None;
        if unconstrained.disparate_impact.is_some_and(|d| d >= level) || k == 0 {
            best = Some((unconstrained.model_incremental_conversions, free.clone()));
        } else {
            let overall = k as f64 / self.n as f64;
            let steps = 200;
            for s in 0..=steps {
                let rho = overall * (level + (1.0 - level) * s as f64 / steps as f64);
                let lo: Vec<usize> = self
                    .sizes
                    .iter()
                    .map(|&n| ((rho * n as f64 - 1e-9).ceil().max(0.0) as usize).min(n))
                    .collect();
                let hi: Vec<usize> = self
                    .sizes
                    .iter()
                    .map(|&n| ((rho / level * n as f64 + 1e-9).floor() as usize).min(n))
                    .collect();
                // A small group may have no whole count in [ρ·n, ρ·n/level] (e.g. n = 5, ρ = 0.24: [1.2, 1.5]).
                if lo.iter().zip(&hi).any(|(l, h)| l > h)
                    || lo.iter().sum::<usize>() > k
                    || hi.iter().sum::<usize>() < k
                {
                    continue;
                }
                let ks = self.fill(&lo, &hi, k);
                if ks.iter().sum::<usize>() != k
                    || di(&ks, &self.sizes).is_some_and(|d| d < level - 1e-12)
                {
                    continue;
                }
                let tau: f64 = ks.iter().enumerate().map(|(g, &kg)| self.tau[g][kg]).sum();
                if best.as_ref().is_none_or(|(b, _)| tau > *b) {
                    best = Some((tau, ks));
                }
            }
        }
        let reached = best.is_some();
        let ks = best.map_or(free.clone(), |(_, ks)| ks);
        let fair = self.outcome(&ks);
        let cost = unconstrained.model_incremental_conversions - fair.model_incremental_conversions;
        let base = unconstrained.model_incremental_conversions;
        let groups = (0..self.labels.len())
            .map(|g| {
                let n = self.sizes[g];
                let rate = |c: usize| (n > 0).then(|| c as f64 / n as f64);
                FairGroup {
                    group: self.labels[g].clone(),
                    size: n,
                    targeted_unconstrained: free[g],
                    targeted_fair: ks[g],
                    rate_unconstrained: rate(free[g]),
                    rate_fair: rate(ks[g]),
                    uplift_threshold: ks[g].checked_sub(1).map(|j| self.uplift[g][j]),
                }
            })
            .collect();
        let summary = summary(reached, level, &unconstrained, &fair, cost, base);
        Ok(FairTargeting {
            attribute: self.attribute.clone(),
            level,
            targeted: k,
            reached,
            groups,
            unconstrained,
            fair,
            model_conversion_cost: cost,
            model_conversion_cost_share: (base > 0.0).then(|| cost / base),
            summary,
        })
    }
}

fn summary(
    reached: bool,
    level: f64,
    free: &TargetingOutcome,
    fair: &TargetingOutcome,
    cost: f64,
    base: f64,
) -> String {
    if !reached {
        return format!(
            "No per-group thresholds reach a disparate impact of {level:.2} at this budget; the targeting is unchanged."
        );
    }
    if cost.abs() < 1e-12 {
        return format!(
            "Uplift targeting already reaches a disparate impact of {level:.2} at this budget: fairness costs nothing here."
        );
    }
    let roas = match (free.incremental_roas, fair.incremental_roas) {
        (Some(a), Some(b)) => {
            format!(" Incremental ROAS (test estimate) moves from {a:.2}× to {b:.2}×.")
        }
        _ => String::new(),
    };
    let share = if base > 0.0 {
        format!(" ({:.1}%)", 100.0 * cost / base)
    } else {
        String::new()
    };
    format!(
        "Reaching a disparate impact of {:.2} (from {}) costs {cost:.1} expected incremental conversions{share}.{roas}",
        fair.disparate_impact.unwrap_or(level),
        free.disparate_impact.map_or("undefined".to_string(), |d| format!("{d:.2}")),
    )
}

/// min ÷ max selection rate over non-empty groups (`None` when the max is 0).
fn di(ks: &[usize], sizes: &[usize]) -> Option<f64> {
    let rates = ks
        .iter()
        .zip(sizes)
        .filter(|(_, &n)| n > 0)
        .map(|(&k, &n)| k as f64 / n as f64);
    let (mn, mx) = rates.fold((f64::INFINITY, 0.0f64), |(a, b), r| (a.min(r), b.max(r)));
    (mx > 0.0).then(|| mn / mx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::fairness::GroupColumn;
    use crate::decide::simulator::SimParams;

    /// Group a (users 0..5) has the higher uplifts; group b (users 5..10) lower.
    fn setup() -> (Scored, Simulator, FairnessIndex) {
        let s = Scored::new(
            vec![0.10, 0.09, 0.08, 0.07, 0.06, 0.05, 0.04, 0.03, 0.02, 0.01],
            vec![
                true, false, true, false, true, false, true, false, true, false,
            ],
            vec![1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0],
        );
        let sim = Simulator::build(&s, &SimParams::default()).unwrap();
        let g = GroupColumn::categorical("g", &["a", "a", "a", "a", "a", "b", "b", "b", "b", "b"])
            .unwrap();
        let idx = crate::decide::fairness::FairnessIndex::build(&sim, g).unwrap();
        (s, sim, idx)
    }

    #[test]
    fn groups_with_no_count_at_a_step_are_skipped_not_a_panic() {
        // Users 0..7 (group b) have the higher uplifts, 7..10 (group a, 3 users) the lower. k = 8 takes all of b and
        // one of a (rates 1 and 1/3, DI 0.33). At ρ = 0.8 · (0.8 + 0.2 · 58/200) = 0.6864, group a's bounds cross:
        // ceil(0.6864 · 3) = 3 > floor(0.6864 / 0.8 · 3) = 2 (this panicked in `fill`'s clamp). No split of 8 reaches
        // DI 0.8 here: (1, 7) 0.33, (2, 6) 0.78, (3, 5) 0.71 — so the targeting stays as it is.
        let uplift: Vec<f64> = (0..10).map(|i| 0.10 - 0.01 * i as f64).collect();
        let treated: Vec<bool> = (0..10).map(|i| i % 2 == 0).collect();
        let outcome: Vec<f64> = (0..10).map(|i| f64::from(i % 3 == 0)).collect();
        let s = Scored::new(uplift, treated, outcome);
        let sim = Simulator::build(&s, &SimParams::default()).unwrap();
        let labels: Vec<&str> = (0..10).map(|i| if i < 7 { "b" } else { "a" }).collect();
        let g = GroupColumn::categorical("g", &labels).unwrap();
        let idx = crate::decide::fairness::FairnessIndex::build(&sim, g).unwrap();
        let t = FairTargeter::build(&sim, &idx, &s).unwrap();
        let r = t.solve(8, &FairTargetingParams::default()).unwrap();
        assert!(!r.reached);
        assert_eq!(r.fair.disparate_impact, r.unconstrained.disparate_impact);
        assert!((r.unconstrained.disparate_impact.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        // Every budget and level answers (the page asks for every slider position).
        for level in [0.5, 0.8, 0.9, 0.99, 1.0] {
            for k in 0..=10 {
                let r = t.solve(k, &FairTargetingParams { level }).unwrap();
                assert!(
                    !r.reached || r.fair.disparate_impact.is_none_or(|d| d >= level - 1e-12),
                    "k {k} level {level}"
                );
            }
        }
    }

    #[test]
    fn exact_on_a_small_case() {
        let (s, sim, idx) = setup();
        let t = FairTargeter::build(&sim, &idx, &s).unwrap();
        // k = 4: unconstrained takes a's top 4 (rates 0.8 vs 0) ⇒ DI 0, Σ τ̂ = 0.34.
        // DI ≥ 0.8 with 5 users per group: k_a + k_b = 4 and min/max ≥ 0.8 ⇒ (2, 2) only
        // ((3, 1): 1/3 < 0.8). Σ τ̂ = 0.10 + 0.09 + 0.05 + 0.04 = 0.28; cost 0.06 (17.6 %).
        let r = t.solve(4, &FairTargetingParams::default()).unwrap();
        assert!(r.reached);
        assert_eq!(r.unconstrained.disparate_impact, Some(0.0));
        assert_eq!(
            r.groups.iter().map(|g| g.targeted_fair).collect::<Vec<_>>(),
            vec![2, 2]
        );
        assert_eq!(r.fair.disparate_impact, Some(1.0));
        assert!((r.model_conversion_cost - 0.06).abs() < 1e-12);
        assert!((r.model_conversion_cost_share.unwrap() - 0.06 / 0.34).abs() < 1e-12);
        // Group thresholds: a's 2nd best τ̂ 0.09, b's 2nd best 0.04.
        assert_eq!(r.groups[0].uplift_threshold, Some(0.09));
        assert_eq!(r.groups[1].uplift_threshold, Some(0.04));
        // RCT in the fair set {0, 1, 5, 6}: treated 0 (1), 6 (1) ⇒ 1.0; control 1 (0), 5 (0) ⇒ 0: +4 conversions;
        // ROAS = 4 × 40 ÷ 0.40 = 400.
        assert!((r.fair.incremental_roas.unwrap() - 400.0).abs() < 1e-9);
        assert!(
            r.summary
                .starts_with("Reaching a disparate impact of 1.00 (from 0.00) costs 0.1 expected"),
            "{}",
            r.summary
        );
        // A looser level: 0.3 allows (3, 1) with DI 1/3 ⇒ Σ τ̂ = 0.10 + 0.09 + 0.08 + 0.05 = 0.32.
        let r = t.solve(4, &FairTargetingParams { level: 0.3 }).unwrap();
        assert_eq!(
            r.groups.iter().map(|g| g.targeted_fair).collect::<Vec<_>>(),
            vec![3, 1]
        );
        assert!((r.fair.model_incremental_conversions - 0.32).abs() < 1e-12);
    }

    #[test]
    fn small_groups_without_a_whole_count_in_range() {
        // Found by the fit_tiny fuzz target. Groups of 3 (a, the top-ranked) and 7 (b), k = 8, level 0.8:
        // unconstrained rates 3/3 and 5/7 ⇒ DI 0.71, so thresholds are searched. At step 58, ρ = 0.8 · 0.858 =
        // 0.6864: a's bounds [⌈2.06⌉, ⌊2.57⌋] = [3, 2] are empty (b's [5, 6] are not; Σlo = 8 ≤ k ≤ Σhi = 8).
        // That ρ must be skipped: clamping to an empty range panicked.
        let (s, sim, _) = setup();
        let g = GroupColumn::categorical("g", &["a", "a", "a", "b", "b", "b", "b", "b", "b", "b"])
            .unwrap();
        let idx = crate::decide::fairness::FairnessIndex::build(&sim, g).unwrap();
        let t = FairTargeter::build(&sim, &idx, &s).unwrap();
        for k in 0..=10 {
            let r = t.solve(k, &FairTargetingParams::default()).unwrap();
            assert_eq!(r.groups.iter().map(|g| g.targeted_fair).sum::<usize>(), k);
        }
        // k = 8: (2, 6) gives rates 0.67 and 0.86, DI 0.78 < 0.8; (3, 5) is the unconstrained 0.71; nothing
        // reaches 0.8, so the answer is "not reached" with the unconstrained counts.
        let r = t.solve(8, &FairTargetingParams::default()).unwrap();
        assert!(!r.reached);
    }

    #[test]
    fn already_fair_costs_nothing() {
        let (s, sim, idx) = setup();
        let t = FairTargeter::build(&sim, &idx, &s).unwrap();
        // Everyone: rates 1 and 1.
        let r = t.solve(10, &FairTargetingParams::default()).unwrap();
        assert_eq!(r.model_conversion_cost, 0.0);
        assert!(r.summary.contains("costs nothing"));
        assert_eq!(
            t.solve(4, &FairTargetingParams { level: 1.5 })
                .unwrap_err()
                .to_string(),
            "Setting “fairness level” is 1.5, but it must be more than 0 and at most 1."
        );
    }
}
