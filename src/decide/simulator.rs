//! The campaign simulator: what a budget buys under each targeting policy, answered in O(log n) per query.
//!
//! Built for sliders: [`Simulator::build`] sorts the users once per policy (uplift ranking, conversion-rate
//! ranking, a seeded random order; "everyone" targets all) and keeps prefix sums along each order of treated
//! users, treated and control conversions, Σ τ̂ and revenue. A query ([`Simulator::simulate`]) turns the
//! budget into a number of users k (money ÷ cost per contact, share × n, or the count of τ̂ ≥ a threshold by
//! binary search) and reads every KPI of every policy at k from the prefix arrays: O(log n) at most.
//!
//! KPI definitions (shared/DESIGN.md), for the k users a policy targets, with n_t/n_c treated/control users and
//! y_t/y_c their conversions among them:
//! - incremental conversions (RCT estimate) = (y_t/n_t − y_c/n_c) × k, with a Wald interval
//!   ± z·√(r_t(1−r_t)/n_t + r_c(1−r_c)/n_c) × k; the model's estimate is Σ τ̂ over the k users;
//! - incremental revenue = value per conversion × incremental conversions, or, when the value comes from the
//!   revenue column, (mean revenue of treated − mean revenue of control) × k (Wald interval likewise);
//! - incremental ROAS = incremental revenue ÷ spend; cost per incremental conversion = spend ÷ incremental
//!   conversions (only when they are positive);
//! - attributed ROAS (the conventional number, shown labelled beside it): the revenue of the treated users'
//!   conversions in the targeted set, scaled to all k targeted users (treated conversion rate × k × value, or
//!   mean revenue of the treated × k), ÷ spend — it credits the ad with every conversion of an exposed user,
//!   including the Sure Things who would have bought anyway.
//!
//! Does not decide fairness (see `fairness`) and does not fit models.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::scored::Scored;
use crate::error::{Error, Result};

/// A rule that picks whom to target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Policy {
    /// Highest τ̂ first.
    Uplift,
    /// Highest response score (likely to convert) first.
    ConversionRate,
    /// Everyone, whatever the budget.
    Everyone,
    /// A seeded random order.
    Random,
}

impl Policy {
    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Policy::Uplift => "Uplift targeting",
            Policy::ConversionRate => "Conversion-rate targeting",
            Policy::Everyone => "Everyone",
            Policy::Random => "Random",
        }
    }
}

/// The economics of the campaign. Every field has a default, so the page may send `{}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct SimParams {
    /// Cost of one contact, in money (default 0.10). Ignored when `cpm` is set.
    pub cost_per_contact: f64,
    /// Cost per thousand contacts, in money; when set, cost per contact = cpm ÷ 1000 (default none).
    pub cpm: Option<f64>,
    /// Value of one conversion, in money (default 40); `None` = take revenue from the revenue column.
    pub value_per_conversion: Option<f64>,
    /// Confidence level of intervals, in (0, 1) (default 0.95).
    pub confidence: f64,
    /// Seed of the random policy's order (default 42).
    pub seed: u64,
    /// Points on the budget curve, 2..=1000 (default 100).
    pub curve_points: usize,
    /// A curve point needs at least this many treated and this many control users among the targeted for its
    /// RCT estimate to count towards the break-even and best-ROAS shares (default 30).
    pub min_arm_rows: usize,
}

impl Default for SimParams {
    fn default() -> Self {
        Self {
            cost_per_contact: 0.10,
            cpm: None,
            value_per_conversion: Some(40.0),
            confidence: 0.95,
            seed: 42,
            curve_points: 100,
            min_arm_rows: 30,
        }
    }
}

impl SimParams {
    /// Check every field; errors name the setting.
    pub fn validate(&self) -> Result<()> {
        let bad = |name, expected, v: String| Error::BadParam {
            name,
            expected,
            found: v,
        };
        if !(self.cost_per_contact.is_finite() && self.cost_per_contact >= 0.0) {
            return Err(bad(
                "cost per contact",
                "0 or more",
                self.cost_per_contact.to_string(),
            ));
        }
        if let Some(c) = self.cpm {
            if !(c.is_finite() && c >= 0.0) {
                return Err(bad("CPM", "0 or more", c.to_string()));
            }
        }
        if let Some(v) = self.value_per_conversion {
            if !(v.is_finite() && v > 0.0) {
                return Err(bad("value per conversion", "more than 0", v.to_string()));
            }
        }
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(bad(
                "confidence",
                "between 0 and 1 (exclusive)",
                self.confidence.to_string(),
            ));
        }
        if !(2..=1000).contains(&self.curve_points) {
            return Err(bad(
                "curve points",
                "between 2 and 1000",
                self.curve_points.to_string(),
            ));
        }
        Ok(())
    }

    /// Cost of one contact after applying `cpm`.
    pub fn contact_cost(&self) -> f64 {
        self.cpm.map_or(self.cost_per_contact, |c| c / 1000.0)
    }
}

/// How much to spend: money, a share of users, or every user whose τ̂ reaches a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "camelCase")]
pub enum Budget {
    /// Money to spend (contacts = ⌊money ÷ cost per contact⌋).
    Money(f64),
    /// Share of users to target, 0..=1.
    Share(f64),
    /// Target as many users as have τ̂ ≥ this (every policy then targets that many).
    UpliftThreshold(f64),
}

/// A number with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Estimate {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

impl Estimate {
    fn scale(self, f: f64) -> Estimate {
        let (a, b) = (self.low * f, self.high * f);
        Estimate {
            estimate: self.estimate * f,
            low: a.min(b),
            high: a.max(b),
        }
    }
}

/// Every KPI of one policy at one budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyResult {
    pub policy: Policy,
    pub label: String,
    /// Users targeted.
    pub targeted: usize,
    /// targeted ÷ all users.
    pub share: f64,
    /// targeted × cost per contact.
    pub spend: f64,
    /// Treated and control users among the targeted, and their conversions.
    pub treated: usize,
    pub control: usize,
    pub treated_conversions: usize,
    pub control_conversions: usize,
    /// RCT estimate (y_t/n_t − y_c/n_c) × targeted with its interval; `None` when an arm is empty.
    pub incremental_conversions: Option<Estimate>,
    /// The model's estimate: Σ τ̂ over the targeted users.
    pub model_incremental_conversions: f64,
    /// RCT estimate of incremental revenue with its interval.
    pub incremental_revenue: Option<Estimate>,
    /// The model's: Σ τ̂ × value per conversion (or the average revenue per conversion in the data).
    pub model_incremental_revenue: f64,
    /// Incremental revenue ÷ spend (`None` when spend is 0 or no estimate).
    pub incremental_roas: Option<Estimate>,
    /// Model incremental revenue ÷ spend.
    pub model_incremental_roas: Option<f64>,
    /// Spend ÷ incremental conversions (only when these are positive).
    pub cost_per_incremental_conversion: Option<f64>,
    /// Incremental revenue − spend (RCT estimate).
    pub profit: Option<f64>,
    /// Attributed ROAS (conventional, credits every treated conversion; see the module docs).
    pub attributed_roas: Option<f64>,
}

/// The answer to one budget query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Simulation {
    pub budget: Budget,
    /// Users each budget-limited policy targets.
    pub targeted: usize,
    pub share: f64,
    pub spend: f64,
    pub cost_per_contact: f64,
    /// The value per conversion used (given, or average revenue per conversion in the data).
    pub value_per_conversion: f64,
    /// Uplift, conversion-rate (when a score exists), random and everyone, in that order.
    pub policies: Vec<PolicyResult>,
    /// One sentence computed from the numbers above.
    pub headline: String,
}

/// One point of a policy's budget curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurvePoint {
    pub share: f64,
    pub targeted: usize,
    pub spend: f64,
    pub incremental_conversions: Option<f64>,
    pub model_incremental_conversions: f64,
    pub incremental_revenue: Option<f64>,
    pub incremental_roas: Option<f64>,
    pub profit: Option<f64>,
    /// Both arms have at least `min_arm_rows` users among the targeted.
    pub enough_rows: bool,
}

/// One policy's curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurveSeries {
    pub policy: Policy,
    pub label: String,
    pub points: Vec<CurvePoint>,
}

/// KPIs versus share targeted, for charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BudgetCurve {
    /// Uplift, conversion-rate (when available) and random.
    pub series: Vec<CurveSeries>,
    /// Uplift policy: the largest share whose RCT incremental ROAS is still ≥ 1 (`None` if none).
    pub break_even_share: Option<f64>,
    /// Uplift policy: the share with the highest RCT incremental ROAS.
    pub best_roas_share: Option<f64>,
    /// Uplift policy: the share with the highest RCT profit (incremental revenue − spend).
    pub best_profit_share: Option<f64>,
}

/// Prefix sums along one policy's order: entry k covers the first k users.
#[derive(Debug, Clone)]
struct Prefix {
    order: Vec<u32>,
    nt: Vec<u32>,
    yt: Vec<u32>,
    yc: Vec<u32>,
    tau: Vec<f64>,
    revenue: Option<RevenuePrefix>,
}

#[derive(Debug, Clone)]
struct RevenuePrefix {
    t: Vec<f64>,
    t2: Vec<f64>,
    c: Vec<f64>,
    c2: Vec<f64>,
}

/// [`arm_flags`] bits.
const TREATED: u8 = 1;
const CONVERTED: u8 = 2;

/// Each user's arm and outcome in one byte: [`TREATED`] and [`CONVERTED`] (outcome exactly 1).
fn arm_flags(s: &Scored) -> Vec<u8> {
    s.treatment
        .iter()
        .zip(&s.outcome)
        .map(|(&t, &y)| if t { TREATED } else { 0 } | if y == 1.0 { CONVERTED } else { 0 })
        .collect()
}

impl Prefix {
    /// Prefix sums along `order`. `arms` holds each user's [`arm_flags`] (one byte a user: the pass reads one
    /// small array instead of the outcome's and the treatment's); `tau_in_order`, when given, is τ̂ already in
    /// `order` (read in sequence instead of gathered).
    fn build(
        order: Vec<u32>,
        s: &Scored,
        arms: &[u8],
        tau_in_order: Option<&[f64]>,
        with_revenue: bool,
    ) -> Prefix {
        let n = order.len();
        let mut nt = Vec::with_capacity(n + 1);
        let mut yt = Vec::with_capacity(n + 1);
        let mut yc = Vec::with_capacity(n + 1);
        let mut tau = Vec::with_capacity(n + 1);
        let (mut a, mut b, mut c, mut d) = (0u32, 0u32, 0u32, 0f64);
        nt.push(0);
        yt.push(0);
        yc.push(0);
        tau.push(0.0);
        for (k, &i) in order.iter().enumerate() {
            let i = i as usize;
            let f = arms[i];
            let y = u32::from(f & CONVERTED != 0);
            if f & TREATED != 0 {
                a += 1;
                b += y;
            } else {
                c += y;
            }
            d += match tau_in_order {
                Some(t) => t[k],
                None => s.uplift[i],
            };
            nt.push(a);
            yt.push(b);
            yc.push(c);
            tau.push(d);
        }
        let revenue = match (&s.revenue, with_revenue) {
            (Some(r), true) => {
                let mut p = RevenuePrefix {
                    t: vec![0.0; n + 1],
                    t2: vec![0.0; n + 1],
                    c: vec![0.0; n + 1],
                    c2: vec![0.0; n + 1],
                };
                for (k, &i) in order.iter().enumerate() {
                    let (i, v) = (i as usize, r[i as usize]);
                    let treated = s.treatment[i];
                    p.t[k + 1] = p.t[k] + if treated { v } else { 0.0 };
                    p.t2[k + 1] = p.t2[k] + if treated { v * v } else { 0.0 };
                    p.c[k + 1] = p.c[k] + if treated { 0.0 } else { v };
                    p.c2[k + 1] = p.c2[k] + if treated { 0.0 } else { v * v };
                }
                Some(p)
            }
            _ => None,
        };
        Prefix {
            order,
            nt,
            yt,
            yc,
            tau,
            revenue,
        }
    }
}

/// Sorted once, answers any budget in O(log n).
#[derive(Debug, Clone)]
pub struct Simulator {
    n: usize,
    params: SimParams,
    cost: f64,
    value: f64,
    /// True: incremental revenue from the revenue column; false: value × conversions.
    revenue_based: bool,
    z: f64,
    /// τ̂ in descending order (for threshold budgets).
    uplift_desc: Vec<f64>,
    uplift: Prefix,
    conversion: Option<Prefix>,
    random: Prefix,
}

/// Users ordered by a score, highest first; ties by input order (deterministic).
pub(crate) fn order_by(score: &[f64]) -> Vec<u32> {
    use crate::metrics::order::{sorted_by_score, Order};
    let order = Order {
        descending: true,
        zeros_equal: false,
        larger_row_first: false,
    };
    sorted_by_score(score, order).rows
}

impl Simulator {
    /// Validate, sort once per policy and build the prefix sums.
    pub fn build(scored: &Scored, params: &SimParams) -> Result<Simulator> {
        params.validate()?;
        scored.validate()?;
        let n = scored.len();
        if n > u32::MAX as usize {
            return Err(Error::BadParam {
                name: "number of users",
                expected: "at most 4,294,967,295",
                found: n.to_string(),
            });
        }
        let revenue_based = params.value_per_conversion.is_none();
        let value = match params.value_per_conversion {
            Some(v) => v,
            None => {
                let r = scored.revenue.as_ref().ok_or(Error::NoValuePerConversion)?;
                let conv: f64 = scored.outcome.iter().sum();
                let rev: f64 = r.iter().sum();
                if conv > 0.0 {
                    rev / conv
                } else {
                    0.0
                }
            }
        };
        let uplift_order = order_by(&scored.uplift);
        let uplift_desc: Vec<f64> = uplift_order
            .iter()
            .map(|&i| scored.uplift[i as usize])
            .collect();
        let arms = arm_flags(scored);
        let uplift = Prefix::build(
            uplift_order,
            scored,
            &arms,
            Some(&uplift_desc),
            revenue_based,
        );
        let conversion = scored
            .conversion_score()
            .map(|s| Prefix::build(order_by(s), scored, &arms, None, revenue_based));
        let mut random_order: Vec<u32> = (0..n as u32).collect();
        random_order.shuffle(&mut ChaCha8Rng::seed_from_u64(params.seed));
        let random = Prefix::build(random_order, scored, &arms, None, revenue_based);
        Ok(Simulator {
            n,
            params: params.clone(),
            cost: params.contact_cost(),
            value,
            revenue_based,
            z: z_of(params.confidence),
            uplift_desc,
            uplift,
            conversion,
            random,
        })
    }

    /// Number of users.
    pub fn len(&self) -> usize {
        self.n
    }

    /// True when there are no users (never, after a successful build).
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Cost of one contact (after CPM).
    pub fn cost_per_contact(&self) -> f64 {
        self.cost
    }

    /// Value of one conversion (given, or the average revenue per conversion in the data).
    pub fn value_per_conversion(&self) -> f64 {
        self.value
    }

    /// The normal quantile of the confidence level.
    pub fn z(&self) -> f64 {
        self.z
    }

    /// The params it was built with.
    pub fn params(&self) -> &SimParams {
        &self.params
    }

    /// Policies this simulator can answer (conversion-rate only with a response score).
    pub fn policies(&self) -> Vec<Policy> {
        let mut p = vec![Policy::Uplift];
        if self.conversion.is_some() {
            p.push(Policy::ConversionRate);
        }
        p.push(Policy::Random);
        p.push(Policy::Everyone);
        p
    }

    /// A policy's order of users (input row indices, first targeted first); `None` for everyone or a missing
    /// conversion score.
    pub fn order(&self, policy: Policy) -> Option<&[u32]> {
        self.prefix(policy).map(|p| p.order.as_slice())
    }

    fn prefix(&self, policy: Policy) -> Option<&Prefix> {
        match policy {
            Policy::Uplift => Some(&self.uplift),
            Policy::ConversionRate => self.conversion.as_ref(),
            Policy::Random => Some(&self.random),
            Policy::Everyone => None,
        }
    }

    /// The number of users a budget buys. O(log n) for a threshold, O(1) otherwise.
    pub fn targeted(&self, budget: Budget) -> Result<usize> {
        let n = self.n;
        match budget {
            Budget::Money(m) => {
                if !(m.is_finite() && m >= 0.0) {
                    return Err(Error::BadParam {
                        name: "budget",
                        expected: "an amount of 0 or more",
                        found: m.to_string(),
                    });
                }
                if self.cost <= 0.0 {
                    return Ok(n);
                }
                // Tiny tolerance so $10.00 at $0.10 buys 100 contacts despite binary fractions.
                let k = (m / self.cost * (1.0 + 1e-12)).floor();
                Ok(if k >= n as f64 { n } else { k as usize })
            }
            Budget::Share(s) => {
                if !(0.0..=1.0).contains(&s) {
                    return Err(Error::BadParam {
                        name: "share targeted",
                        expected: "between 0 and 1",
                        found: s.to_string(),
                    });
                }
                Ok(((s * n as f64).round() as usize).min(n))
            }
            Budget::UpliftThreshold(t) => {
                if t.is_nan() {
                    return Err(Error::BadParam {
                        name: "uplift threshold",
                        expected: "a number",
                        found: t.to_string(),
                    });
                }
                Ok(self.uplift_desc.partition_point(|&u| u >= t))
            }
        }
    }

    /// Every available policy's KPIs at the budget, and the headline.
    pub fn simulate(&self, budget: Budget) -> Result<Simulation> {
        let k = self.targeted(budget)?;
        let policies: Vec<PolicyResult> =
            self.policies().into_iter().map(|p| self.at(p, k)).collect();
        let headline = headline(&policies, self.n);
        Ok(Simulation {
            budget,
            targeted: k,
            share: k as f64 / self.n as f64,
            spend: k as f64 * self.cost,
            cost_per_contact: self.cost,
            value_per_conversion: self.value,
            policies,
            headline,
        })
    }

    /// One policy's KPIs when it targets its first k users (everyone: all users whatever k). O(1).
    /// An unavailable policy (conversion rate without a score) falls back to random.
    pub fn at(&self, policy: Policy, k: usize) -> PolicyResult {
        let (p, k) = match self.prefix(policy) {
            Some(p) => (p, k.min(self.n)),
            None if policy == Policy::Everyone => (&self.uplift, self.n),
            None => (&self.random, k.min(self.n)),
        };
        let nt = p.nt[k] as usize;
        let nc = k - nt;
        let yt = p.yt[k] as usize;
        let yc = p.yc[k] as usize;
        let kf = k as f64;
        let spend = kf * self.cost;
        let z = self.z;
        let incr = rct_estimate(nt, yt, nc, yc, z);
        let (incr_rev, attributed) = match (&p.revenue, self.revenue_based) {
            (Some(r), true) => {
                let rev = (nt > 0 && nc > 0).then(|| {
                    let (st, st2, sc, sc2) = (r.t[k], r.t2[k], r.c[k], r.c2[k]);
                    let (mt, mc) = (st / nt as f64, sc / nc as f64);
                    let var = |s: f64, s2: f64, m: usize| {
                        if m > 1 {
                            ((s2 - s * s / m as f64) / (m - 1) as f64).max(0.0)
                        } else {
                            0.0
                        }
                    };
                    let se = (var(st, st2, nt) / nt as f64 + var(sc, sc2, nc) / nc as f64).sqrt();
                    let d = mt - mc;
                    Estimate {
                        estimate: d * kf,
                        low: (d - z * se) * kf,
                        high: (d + z * se) * kf,
                    }
                });
                let att = (nt > 0).then(|| r.t[k] / nt as f64 * kf);
                (rev, att)
            }
            _ => (
                incr.map(|e| e.scale(self.value)),
                (nt > 0).then(|| yt as f64 / nt as f64 * kf * self.value),
            ),
        };
        let model = p.tau[k];
        let model_rev = model * self.value;
        let per_spend = |x: f64| (spend > 0.0).then(|| x / spend);
        PolicyResult {
            policy,
            label: policy.label().to_string(),
            targeted: k,
            share: kf / self.n as f64,
            spend,
            treated: nt,
            control: nc,
            treated_conversions: yt,
            control_conversions: yc,
            incremental_conversions: incr,
            model_incremental_conversions: model,
            incremental_revenue: incr_rev,
            model_incremental_revenue: model_rev,
            incremental_roas: incr_rev.and_then(|e| (spend > 0.0).then(|| e.scale(1.0 / spend))),
            model_incremental_roas: per_spend(model_rev),
            cost_per_incremental_conversion: incr
                .and_then(|e| (e.estimate > 0.0).then(|| spend / e.estimate)),
            profit: incr_rev.map(|e| e.estimate - spend),
            attributed_roas: attributed.and_then(per_spend),
        }
    }

    /// KPIs at `curve_points` evenly spaced shares (1/points … 1) for the budget-limited policies, plus the
    /// uplift policy's break-even, best-ROAS and best-profit shares.
    pub fn curve(&self) -> BudgetCurve {
        let m = self.params.curve_points;
        let mut series = Vec::new();
        for policy in self.policies() {
            if policy == Policy::Everyone {
                continue;
            }
            let points = (1..=m)
                .map(|i| {
                    let share = i as f64 / m as f64;
                    let k = ((share * self.n as f64).round() as usize).min(self.n);
                    let r = self.at(policy, k);
                    let min = self.params.min_arm_rows;
                    CurvePoint {
                        share,
                        targeted: k,
                        spend: r.spend,
                        incremental_conversions: r.incremental_conversions.map(|e| e.estimate),
                        model_incremental_conversions: r.model_incremental_conversions,
                        incremental_revenue: r.incremental_revenue.map(|e| e.estimate),
                        incremental_roas: r.incremental_roas.map(|e| e.estimate),
                        profit: r.profit,
                        enough_rows: r.treated >= min && r.control >= min,
                    }
                })
                .collect();
            series.push(CurveSeries {
                policy,
                label: policy.label().to_string(),
                points,
            });
        }
        let up = &series[0].points;
        let usable = || up.iter().filter(|p| p.enough_rows);
        let break_even_share = usable()
            .filter(|p| p.incremental_roas.is_some_and(|r| r >= 1.0))
            .map(|p| p.share)
            .next_back();
        let best = |f: fn(&CurvePoint) -> Option<f64>| {
            usable()
                .filter_map(|p| f(p).map(|v| (p.share, v)))
                .fold(None, |acc: Option<(f64, f64)>, (s, v)| match acc {
                    Some((_, bv)) if bv >= v => acc,
                    _ => Some((s, v)),
                })
                .map(|(s, _)| s)
        };
        BudgetCurve {
            break_even_share,
            best_roas_share: best(|p| p.incremental_roas),
            best_profit_share: best(|p| p.profit),
            series,
        }
    }
}

/// RCT estimate of incremental conversions among n_t + n_c targeted users: (y_t/n_t − y_c/n_c) × (n_t + n_c)
/// with a Wald interval; `None` when an arm is empty.
pub fn rct_estimate(nt: usize, yt: usize, nc: usize, yc: usize, z: f64) -> Option<Estimate> {
    (nt > 0 && nc > 0).then(|| {
        let kf = (nt + nc) as f64;
        let (rt, rc) = (yt as f64 / nt as f64, yc as f64 / nc as f64);
        let se = (rt * (1.0 - rt) / nt as f64 + rc * (1.0 - rc) / nc as f64).sqrt();
        let d = rt - rc;
        Estimate {
            estimate: d * kf,
            low: (d - z * se) * kf,
            high: (d + z * se) * kf,
        }
    })
}

/// The sentence the page shows, computed from the results (uplift first, everyone last).
pub fn headline(results: &[PolicyResult], n: usize) -> String {
    let find = |p: Policy| results.iter().find(|r| r.policy == p);
    let Some(up) = find(Policy::Uplift) else {
        return String::new();
    };
    let roas = |r: &PolicyResult| r.incremental_roas.map(|e| e.estimate);
    let x = |v: f64| format!("{v:.2}×");
    let Some(ux) = roas(up) else {
        return if up.targeted == 0 {
            "This budget targets no one: raise the budget to see what it buys.".to_string()
        } else if up.spend <= 0.0 {
            "Contacts cost nothing, so return on spend is not defined; compare incremental conversions instead."
                .to_string()
        } else {
            format!(
                "Uplift targeting's return cannot be estimated at this budget: its {} targeted users include {} treated and {} control users, and both are needed.",
                up.targeted, up.treated, up.control
            )
        };
    };
    let mut s = match find(Policy::ConversionRate).and_then(roas) {
        Some(cx) if ux > cx => format!(
            "Uplift targeting returns {} vs {} for conversion-rate targeting",
            x(ux),
            x(cx)
        ),
        Some(cx) if ux < cx => format!(
            "Conversion-rate targeting returns {} vs {} for uplift targeting at this budget",
            x(cx),
            x(ux)
        ),
        Some(_) => format!(
            "Uplift and conversion-rate targeting both return {} at this budget",
            x(ux)
        ),
        None => format!(
            "Uplift targeting returns {} (there is no conversion-rate score to compare with)",
            x(ux)
        ),
    };
    if up.targeted < n {
        let less = 100.0 * (1.0 - up.targeted as f64 / n as f64);
        s.push_str(&format!(
            " and spends {less:.0}% less than targeting everyone"
        ));
        if let Some(e) = find(Policy::Everyone).and_then(roas) {
            s.push_str(&format!(" (which returns {})", x(e)));
        }
    } else {
        s.push_str(" and, at this budget, targets everyone");
    }
    s.push('.');
    if ux < 1.0 {
        s.push_str(" Below 1× the campaign loses money on incremental revenue.");
    }
    s
}

/// The two-sided normal quantile for a confidence level (0.95 ⇒ 1.959964), by bisection on erf.
pub(crate) fn z_of(confidence: f64) -> f64 {
    let target = confidence;
    let (mut lo, mut hi) = (0.0f64, 10.0f64);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if libm::erf(mid / std::f64::consts::SQRT_2) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `order_by`: highest score first, ties (including -0.0 vs 0.0: total order puts 0.0 first) by input
    /// order — on many rows with many ties, as a sequential stable sort by the same rule.
    #[test]
    fn order_by_is_highest_first_then_input_order() {
        // 0.5 0.9 0.5 -0.0 0.0 ⇒ 0.9 (1), 0.5 (0, 2), 0.0 (4), -0.0 (3).
        assert_eq!(order_by(&[0.5, 0.9, 0.5, -0.0, 0.0]), vec![1, 0, 2, 4, 3]);
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let score: Vec<f64> = (0..100_000)
            .map(|_| f64::from(rng.gen_range(-40i32..40)) / 3.0)
            .collect();
        let mut expected: Vec<u32> = (0..score.len() as u32).collect();
        expected.sort_by(|&a, &b| score[b as usize].total_cmp(&score[a as usize]));
        assert_eq!(order_by(&score), expected);
    }

    /// Eight users; uplift ranks 0..7, conversion score ranks them in reverse.
    fn eight() -> Scored {
        let mut s = Scored::new(
            vec![0.08, 0.07, 0.06, 0.05, 0.04, 0.03, 0.02, 0.01],
            vec![true, false, true, false, true, false, true, false],
            vec![1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0],
        );
        s.response_score = Some(vec![0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]);
        s
    }

    #[test]
    fn z_matches_tables() {
        assert!((z_of(0.95) - 1.959964).abs() < 1e-6);
        assert!((z_of(0.90) - 1.644854).abs() < 1e-6);
    }

    #[test]
    fn budget_to_users() {
        let sim = Simulator::build(&eight(), &SimParams::default()).unwrap();
        // $0.30 at $0.10 = 3 users (not 2 because of 0.30/0.10 = 2.9999…).
        assert_eq!(sim.targeted(Budget::Money(0.30)).unwrap(), 3);
        assert_eq!(sim.targeted(Budget::Money(100.0)).unwrap(), 8);
        assert_eq!(sim.targeted(Budget::Share(0.5)).unwrap(), 4);
        // τ̂ ≥ 0.045: 0.08, 0.07, 0.06, 0.05 ⇒ 4.
        assert_eq!(sim.targeted(Budget::UpliftThreshold(0.045)).unwrap(), 4);
        assert_eq!(sim.targeted(Budget::UpliftThreshold(0.05)).unwrap(), 4);
        assert_eq!(
            sim.targeted(Budget::Share(1.5)).unwrap_err().to_string(),
            "Setting “share targeted” is 1.5, but it must be between 0 and 1."
        );
    }

    #[test]
    fn kpis_worked_by_hand() {
        let sim = Simulator::build(&eight(), &SimParams::default()).unwrap();
        // Uplift top 4 = users 0..3: treated 0, 2 (both converted), control 1 (no), 3 (yes).
        // r_t = 2/2 = 1, r_c = 1/2 = 0.5; incremental = 0.5 × 4 = 2 conversions.
        // se = √(1·0/2 + 0.5·0.5/2) = √0.125 = 0.353553; ±1.959964·0.353553·4 = ±2.771808.
        let r = sim.at(Policy::Uplift, 4);
        assert_eq!(
            (
                r.treated,
                r.control,
                r.treated_conversions,
                r.control_conversions
            ),
            (2, 2, 2, 1)
        );
        let e = r.incremental_conversions.unwrap();
        assert!((e.estimate - 2.0).abs() < 1e-12);
        assert!((e.high - 4.771808).abs() < 1e-5, "{e:?}");
        // Σ τ̂ = 0.08 + 0.07 + 0.06 + 0.05 = 0.26.
        assert!((r.model_incremental_conversions - 0.26).abs() < 1e-12);
        // Spend 4 × 0.10 = 0.40; revenue 2 × 40 = 80; iROAS 200; cost per incremental conversion 0.20.
        assert!((r.spend - 0.4).abs() < 1e-12);
        assert!((r.incremental_revenue.unwrap().estimate - 80.0).abs() < 1e-9);
        assert!((r.incremental_roas.unwrap().estimate - 200.0).abs() < 1e-9);
        assert!((r.cost_per_incremental_conversion.unwrap() - 0.2).abs() < 1e-12);
        // Attributed: treated rate 1 × 4 users × $40 = 160 ÷ 0.40 = 400.
        assert!((r.attributed_roas.unwrap() - 400.0).abs() < 1e-9);
        // Conversion-rate top 4 = users 7, 6, 5, 4: treated 6 (yes), 4 (no); control 7 (yes), 5 (no).
        // r_t = r_c = 0.5 ⇒ 0 incremental conversions, no cost per incremental conversion.
        let c = sim.at(Policy::ConversionRate, 4);
        assert_eq!(c.incremental_conversions.unwrap().estimate, 0.0);
        assert_eq!(c.cost_per_incremental_conversion, None);
        // Everyone: treated 4/4 converted? users 0,2,4,6 → 1,1,0,1 = 3/4; control 1,3,5,7 → 0,1,0,1 = 2/4.
        // (0.75 − 0.5) × 8 = 2.
        let all = sim.at(Policy::Everyone, 1);
        assert_eq!(all.targeted, 8);
        assert!((all.incremental_conversions.unwrap().estimate - 2.0).abs() < 1e-12);
    }

    #[test]
    fn revenue_column_gives_the_value() {
        let mut s = eight();
        s.revenue = Some(vec![50.0, 0.0, 30.0, 20.0, 0.0, 0.0, 10.0, 10.0]);
        let p = SimParams {
            value_per_conversion: None,
            ..Default::default()
        };
        let sim = Simulator::build(&s, &p).unwrap();
        let r = sim.at(Policy::Uplift, 4);
        // Treated revenue mean (50 + 30)/2 = 40; control (0 + 20)/2 = 10; (40 − 10) × 4 = 120.
        assert!((r.incremental_revenue.unwrap().estimate - 120.0).abs() < 1e-9);
        // Attributed: 40 × 4 = 160 ÷ 0.4 = 400.
        assert!((r.attributed_roas.unwrap() - 400.0).abs() < 1e-9);
        // Average revenue per conversion: 120 ÷ 5 conversions = 24 (the model's value).
        let q = sim.simulate(Budget::Share(0.5)).unwrap();
        assert!((q.value_per_conversion - 24.0).abs() < 1e-12);
        // Revenue-based interval: var_t of {50, 30} = 200, var_c of {0, 20} = 200;
        // se = √(200/2 + 200/2) = √200 = 14.1421; half-width 1.959964 × 14.142136 × 4 = 110.8723.
        let e = r.incremental_revenue.unwrap();
        assert!((e.high - e.estimate - 110.8723).abs() < 1e-3, "{e:?}");
        s.revenue = None;
        assert_eq!(
            Simulator::build(&s, &p).unwrap_err().to_string(),
            "Set a value per conversion (for example $40) or choose a revenue column: the simulator needs to know what a conversion is worth."
        );
    }

    #[test]
    fn headline_says_what_is_true() {
        let sim = Simulator::build(&eight(), &SimParams::default()).unwrap();
        let q = sim.simulate(Budget::Share(0.5)).unwrap();
        assert_eq!(
            q.headline,
            "Uplift targeting returns 200.00× vs 0.00× for conversion-rate targeting and spends 50% less than targeting everyone (which returns 100.00×)."
        );
        let q = sim.simulate(Budget::Share(1.0)).unwrap();
        assert!(q.headline.contains("both return"), "{}", q.headline);
        assert!(q.headline.contains("targets everyone"), "{}", q.headline);
        let q = sim.simulate(Budget::Money(0.0)).unwrap();
        assert_eq!(
            q.headline,
            "This budget targets no one: raise the budget to see what it buys."
        );
        // One user: no control among the targeted.
        let q = sim.simulate(Budget::Share(0.125)).unwrap();
        assert!(q.headline.contains("both are needed"), "{}", q.headline);
    }

    #[test]
    fn curve_has_points_and_shares() {
        let p = SimParams {
            curve_points: 4,
            min_arm_rows: 1,
            ..Default::default()
        };
        let sim = Simulator::build(&eight(), &p).unwrap();
        let c = sim.curve();
        assert_eq!(c.series.len(), 3);
        let up = &c.series[0].points;
        assert_eq!(
            up.iter().map(|p| p.targeted).collect::<Vec<_>>(),
            vec![2, 4, 6, 8]
        );
        // iROAS: k=2: (1 − 0) × 2 × 40 / 0.2 = 400; k=4: 200; k=6: r_t 2/3, r_c 1/3 ⇒ 2 × 40 / 0.6 = 133.3;
        // k=8: 2 × 40 / 0.8 = 100. All ≥ 1 ⇒ break-even at 1.0, best ROAS at 0.25.
        assert_eq!(c.break_even_share, Some(1.0));
        assert_eq!(c.best_roas_share, Some(0.25));
        // Profit: 80 − 0.2, 80 − 0.4, 80 − 0.6, 80 − 0.8 ⇒ best at 0.25.
        assert_eq!(c.best_profit_share, Some(0.25));
    }

    #[test]
    fn random_order_is_seeded() {
        let a = Simulator::build(&eight(), &SimParams::default()).unwrap();
        let b = Simulator::build(&eight(), &SimParams::default()).unwrap();
        assert_eq!(a.order(Policy::Random), b.order(Policy::Random));
        let mut o = a.order(Policy::Random).unwrap().to_vec();
        o.sort();
        assert_eq!(o, (0..8).collect::<Vec<u32>>());
        assert!(a.order(Policy::Everyone).is_none());
    }

    #[test]
    fn serde_shapes() {
        let b: Budget = serde_json::from_str(r#"{"kind":"share","value":0.3}"#).unwrap();
        assert_eq!(b, Budget::Share(0.3));
        let b: Budget =
            serde_json::from_str(r#"{"kind":"upliftThreshold","value":0.002}"#).unwrap();
        assert_eq!(b, Budget::UpliftThreshold(0.002));
        let p: SimParams = serde_json::from_str(r#"{"cpm": 5}"#).unwrap();
        assert_eq!(p.contact_cost(), 0.005);
    }
}
