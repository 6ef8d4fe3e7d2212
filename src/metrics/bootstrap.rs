//! Seeded bootstrap percentile intervals for the ranking metrics (Qini coefficient, AUUC, uplift@k).
//! It does not compute point estimates itself beyond the full-data values it reports beside the intervals.
//!
//! Method: each replicate redraws, with replacement, n_t rows from the treated rows and n_c rows from the control
//! rows (stratified by arm, so both arms keep their sizes); the metric is recomputed on the redrawn rows; the
//! interval is the (α/2, 1 − α/2) percentile of the replicate values (numpy's default linear interpolation).
//!
//! The rows are sorted once and cut into at most [`MAX_GROUPS`] groups of consecutive whole tie blocks in
//! ranking order. A replicate only needs how many copies each (group, arm, outcome) cell receives, and the
//! per-cell totals of n draws with replacement are exactly multinomial; they are drawn directly (Poisson counts
//! conditioned on their total, below), so a replicate costs O(groups), not O(rows). The curves get a point at
//! the end of every group that holds a copy. With at most [`MAX_GROUPS`] tie blocks each block is its own group
//! and the replicate metrics are exactly those of the redrawn rows (curves have one point per tie block). With
//! more blocks, a group's inner points are left out of the replicate's area (a trapezoid over ≈ n/8192 rows:
//! far below the interval's width; checked in the tests), and uplift@k takes the cut group's copies
//! proportionally. The full-data estimates are exact (every row).
//!
//! Multinomial draw of one arm (n draws over cells of sizes m_j): c_j ~ Poisson(λ·m_j/n) with
//! λ = n − 3√n, redrawn in the rare case Σ c_j > n, then the n − Σ c_j missing draws are dealt one at a time
//! to cell j with probability m_j/n (a uniform row, located by binary search). Poisson counts given their sum
//! are multinomial, so the result is exactly Multinomial(n; m_j/n). Poisson variates: multiplication method
//! below mean 10, PTRS transformed rejection (Hörmann 1993) above, with `libm` functions only, so they are the
//! same bits natively and in wasm. Replicate r draws from ChaCha8Rng seeded with `seed`, stream r: the same seed
//! gives the same intervals natively (replicates run in parallel) and in wasm (one thread).

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::at_k::{AtKCut, AtKStrategy, TopK};
use super::curves::{perfect_qini_points, perfect_uplift_points, CurvePoints, Groups, Tally};
use super::input::{check, OutcomeValue};
use super::order::Ranking;
use super::scores::{CurveAreas, AUUC, QINI};
use crate::error::{Error, Result};

/// Bootstrap settings. Every field has a default, so the page may send `{}`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct BootstrapParams {
    /// Number of bootstrap replicates, 1 ≤ replicates ≤ 100,000 (default 200).
    pub replicates: usize,
    /// Coverage of the percentile interval, strictly between 0 and 1 (default 0.95).
    pub confidence: f64,
    /// Seed of the resampling: same data + same seed ⇒ same intervals (default 42).
    pub seed: u64,
    /// Share of rows for uplift@k, strictly between 0 and 1 (default 0.3, scikit-uplift's default k).
    pub k: f64,
}

impl Default for BootstrapParams {
    fn default() -> Self {
        BootstrapParams {
            replicates: 200,
            confidence: 0.95,
            seed: 42,
            k: 0.3,
        }
    }
}

impl BootstrapParams {
    /// `BadParam` for the first field out of range.
    pub fn validate(&self) -> Result<()> {
        if !(1..=100_000).contains(&self.replicates) {
            return Err(Error::BadParam {
                name: "replicates",
                expected: "a whole number from 1 to 100000",
                found: self.replicates.to_string(),
            });
        }
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(Error::BadParam {
                name: "confidence",
                expected: "a share strictly between 0 and 1 (e.g. 0.95)",
                found: self.confidence.to_string(),
            });
        }
        if !(self.k > 0.0 && self.k < 1.0) {
            return Err(Error::BadParam {
                name: "k",
                expected: "a share strictly between 0 and 1",
                found: self.k.to_string(),
            });
        }
        Ok(())
    }
}

/// A point estimate on all rows with its bootstrap percentile interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Interval {
    /// The metric on all rows (its convention is named where the interval is used).
    pub estimate: f64,
    /// Lower end: the (1 − confidence)/2 percentile of the replicate values.
    pub low: f64,
    /// Upper end: the (1 + confidence)/2 percentile of the replicate values.
    pub high: f64,
    /// Replicates where the metric was defined (others, e.g. with no control row in the top k, are left out).
    pub replicates_used: usize,
}

/// Bootstrap intervals of the ranking metrics. A field is `None` when the metric is undefined on all rows or in
/// every replicate.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BootstrapIntervals {
    /// Qini coefficient, scikit-uplift `qini_auc_score` convention (negative_effect = true).
    pub qini: Option<Interval>,
    /// AUUC, scikit-uplift `uplift_auc_score` convention.
    pub auuc: Option<Interval>,
    /// Uplift at k, scikit-uplift `uplift_at_k(strategy="overall")` convention, k = `k`.
    pub uplift_at_k_overall: Option<Interval>,
    /// Uplift at k, scikit-uplift `uplift_at_k(strategy="by_group")` convention, k = `k`.
    pub uplift_at_k_by_group: Option<Interval>,
    /// Share of rows used for uplift@k.
    pub k: f64,
    /// Replicates drawn.
    pub replicates: usize,
    /// Interval coverage.
    pub confidence: f64,
    /// Seed of the resampling.
    pub seed: u64,
    /// Method, for readers of REPORT.json.
    pub method: String,
}

/// Bootstrap intervals of the Qini coefficient, AUUC and uplift@k (overall and by group) of `score`.
///
/// Errors: input errors as [`super::curves::qini_curve`]; `BadParam` for params out of range.
pub fn bootstrap_intervals<T: OutcomeValue>(
    score: &[f64],
    treatment: &[bool],
    outcome: &[T],
    params: &BootstrapParams,
) -> Result<BootstrapIntervals> {
    params.validate()?;
    let c = check("uplift score", score, treatment, outcome)?;
    let ranking = Ranking::new(c.score);
    Ok(bootstrap_ranked(&ranking, c.treatment, &c.outcome, params))
}

/// The four metrics of one replicate; `None` where undefined.
type Values = [Option<f64>; 4];

/// Most groups a replicate works on (see the module docs): ≈ 32,768 cells, about a millisecond per replicate.
pub(crate) const MAX_GROUPS: usize = 8192;

/// Rows in ranking order, packed for the exact full-data values.
struct Ranked {
    /// Per ranking position: bit 0 = treated, bit 1 = converted, bit 2 = last row of its tie block.
    kind: Vec<u8>,
    /// Copies taken by uplift@k overall (`None` if k is out of range for these rows).
    cut_overall: Option<u64>,
    /// Copies taken per arm by uplift@k by group.
    cut_by_group: Option<[u64; 2]>,
}

/// Rows (copies) and conversions per arm [treated, control]; f64 because a replicate may take part of a group.
#[derive(Default, Clone, Copy)]
struct ArmTotals {
    n: [f64; 2],
    y: [f64; 2],
}

impl ArmTotals {
    /// Take up to `limit − sofar` of `copies` copies (`conv` of them converted), proportionally when only
    /// part fits.
    #[inline]
    fn take(&mut self, arm: usize, copies: u64, conv: u64, limit: u64, sofar: u64) {
        if sofar < limit && copies > 0 {
            let t = copies.min(limit - sofar);
            self.n[arm] += t as f64;
            self.y[arm] += if t == copies {
                conv as f64
            } else {
                conv as f64 * (t as f64 / copies as f64)
            };
        }
    }

    /// Treated rate minus control rate (numpy means), `None` when an arm is empty.
    fn uplift(&self) -> Option<f64> {
        (self.n[0] > 0.0 && self.n[1] > 0.0).then(|| self.y[0] / self.n[0] - self.y[1] / self.n[1])
    }
}

/// Running areas under the Qini and uplift curves (trapezoids between consecutive points).
#[derive(Default)]
struct Areas {
    c: [u64; 4],
    prev: (f64, f64, f64),
    qini: f64,
    uplift: f64,
}

impl Areas {
    /// Add copies of the four kinds (index = treated + 2·converted) and a curve point after them.
    #[inline]
    fn point(&mut self, add: [u64; 4]) {
        for (c, a) in self.c.iter_mut().zip(add) {
            *c += a;
        }
        let t = tally(&self.c);
        let (x, q, u) = (t.rows(), t.qini(), t.uplift());
        let (px, pq, pu) = self.prev;
        self.qini += (x - px) * (q + pq) / 2.0;
        self.uplift += (x - px) * (u + pu) / 2.0;
        self.prev = (x, q, u);
    }

    /// The four metrics from the areas and the uplift@k tallies.
    fn values(&self, overall: Option<ArmTotals>, by_group: Option<ArmTotals>) -> Values {
        let c = &self.c;
        let groups = Groups {
            treated_converted: c[3] as f64,
            treated_not: c[1] as f64,
            control_converted: c[2] as f64,
            control_not: c[0] as f64,
        };
        let areas = |model: f64, perfect: CurvePoints| {
            let a = CurveAreas::of(&CurvePoints::default(), &perfect);
            CurveAreas { model, ..a }
        };
        [
            areas(self.qini, perfect_qini_points(groups))
                .normalized(QINI)
                .ok(),
            areas(self.uplift, perfect_uplift_points(groups))
                .normalized(AUUC)
                .ok(),
            overall.and_then(|o| o.uplift()),
            by_group.and_then(|g| g.uplift()),
        ]
    }
}

fn tally(c: &[u64; 4]) -> Tally {
    Tally {
        nt: (c[1] + c[3]) as f64,
        nc: (c[0] + c[2]) as f64,
        yt: c[3] as f64,
        yc: c[2] as f64,
    }
}

impl Ranked {
    fn new(ranking: &Ranking, treatment: &[bool], outcome: &[bool], k_share: f64) -> Ranked {
        let n = ranking.len();
        let mut kind = Vec::with_capacity(n);
        let mut n_arm = [0usize; 2];
        let mut end = ranking.block_ends.iter().peekable();
        for (pos, &row) in ranking.rows.iter().enumerate() {
            let (t, y) = (treatment[row as usize], outcome[row as usize]);
            n_arm[usize::from(!t)] += 1;
            let last = end.peek().is_some_and(|&&e| e as usize == pos + 1);
            if last {
                end.next();
            }
            kind.push(u8::from(t) | (u8::from(y) << 1) | (u8::from(last) << 2));
        }
        let k = TopK::Share(k_share);
        let cut_overall = match AtKCut::new(k, AtKStrategy::Overall, n_arm[0], n_arm[1]) {
            Ok(AtKCut::Overall { rows }) => Some(rows as u64),
            _ => None,
        };
        let cut_by_group = match AtKCut::new(k, AtKStrategy::ByGroup, n_arm[0], n_arm[1]) {
            Ok(AtKCut::ByGroup { treated, control }) => Some([treated as u64, control as u64]),
            _ => None,
        };
        Ranked {
            kind,
            cut_overall,
            cut_by_group,
        }
    }

    /// The metrics on all rows (one copy of each), exactly: a point at the end of every tie block, uplift@k over
    /// the first rows in ranking order.
    fn full(&self) -> Values {
        let mut areas = Areas::default();
        let mut add = [0u64; 4];
        let cut = self.cut_overall.unwrap_or(0);
        let cut_arm = self.cut_by_group.unwrap_or([0, 0]);
        let (mut overall, mut by_group) = (ArmTotals::default(), ArmTotals::default());
        let (mut taken, mut taken_arm) = (0u64, [0u64; 2]);
        for &k in &self.kind {
            let arm = usize::from(k & 1 == 0);
            let conv = u64::from(k & 2 != 0);
            overall.take(arm, 1, conv, cut, taken);
            taken += 1;
            by_group.take(arm, 1, conv, cut_arm[arm], taken_arm[arm]);
            taken_arm[arm] += 1;
            add[usize::from(k & 3)] += 1;
            if k & 4 != 0 {
                areas.point(add);
                add = [0; 4];
            }
        }
        areas.values(
            self.cut_overall.map(|_| overall),
            self.cut_by_group.map(|_| by_group),
        )
    }
}

/// Rows in ranking order cut into groups of whole tie blocks, for the replicates (see the module docs).
struct Grouped {
    /// Per arm (0 = treated, 1 = control), rows per cell; cell 2g = group g's non-converters, 2g + 1 its
    /// converters.
    size: [Vec<u32>; 2],
    /// Per arm, running totals of `size` (end of each cell), for dealing single draws.
    ends: [Vec<u64>; 2],
    /// Per arm, each cell's Poisson draw ([`cell_draws`]).
    draws: [Vec<PoissonDraw>; 2],
    cut_overall: Option<u64>,
    cut_by_group: Option<[u64; 2]>,
}

impl Grouped {
    /// At most `max_groups` groups (+1): every tie block its own group when there are few enough, else
    /// consecutive blocks merged until a group holds ⌈n / max_groups⌉ rows.
    fn new(ranked: &Ranked, blocks: usize, max_groups: usize) -> Grouped {
        let n = ranked.kind.len();
        let target = if blocks <= max_groups {
            1
        } else {
            n.div_ceil(max_groups.max(1))
        };
        let mut size = [Vec::new(), Vec::new()];
        let mut cur = [0u32; 4];
        let mut rows = 0usize;
        for &k in &ranked.kind {
            cur[usize::from(k & 3)] += 1;
            rows += 1;
            if k & 4 != 0 && rows >= target {
                // treated: kinds 1 (not) and 3 (converted); control: 0 and 2
                size[0].extend([cur[1], cur[3]]);
                size[1].extend([cur[0], cur[2]]);
                cur = [0; 4];
                rows = 0;
            }
        }
        if rows > 0 {
            size[0].extend([cur[1], cur[3]]);
            size[1].extend([cur[0], cur[2]]);
        }
        let ends: [Vec<u64>; 2] = [0, 1].map(|a| {
            size[a]
                .iter()
                .scan(0u64, |s, &m| {
                    *s += u64::from(m);
                    Some(*s)
                })
                .collect()
        });
        let draws = [0, 1].map(|a| cell_draws(&size[a], &ends[a]));
        Grouped {
            size,
            ends,
            draws,
            cut_overall: ranked.cut_overall,
            cut_by_group: ranked.cut_by_group,
        }
    }

    fn groups(&self) -> usize {
        self.size[0].len() / 2
    }

    /// Copies per cell of replicate `rep`, written into `counts` (same layout as `size`).
    fn draw(&self, seed: u64, rep: u64, counts: &mut [Vec<u32>; 2]) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(rep);
        for ((draws, ends), out) in self.draws.iter().zip(&self.ends).zip(counts.iter_mut()) {
            multinomial_with(&mut rng, draws, ends, out);
        }
    }

    /// The metrics of one replicate's copy counts.
    fn values(&self, counts: &[Vec<u32>; 2]) -> Values {
        let mut areas = Areas::default();
        let cut = self.cut_overall.unwrap_or(0);
        let cut_arm = self.cut_by_group.unwrap_or([0, 0]);
        let (mut overall, mut by_group) = (ArmTotals::default(), ArmTotals::default());
        let (mut taken, mut taken_arm) = (0u64, [0u64; 2]);
        for g in 0..self.groups() {
            let [tn, tc] = [counts[0][2 * g], counts[0][2 * g + 1]].map(u64::from);
            let [cn, cc] = [counts[1][2 * g], counts[1][2 * g + 1]].map(u64::from);
            let (nt, nc) = (tn + tc, cn + cc);
            if nt + nc == 0 {
                continue;
            }
            if taken < cut {
                // the cut may fall inside the group: take each arm's share of the copies it lets through
                let t = (nt + nc).min(cut - taken);
                let f = t as f64 / (nt + nc) as f64;
                let take = |o: &mut ArmTotals, arm: usize, n: u64, y: u64| {
                    if t == nt + nc {
                        o.n[arm] += n as f64;
                        o.y[arm] += y as f64;
                    } else {
                        o.n[arm] += n as f64 * f;
                        o.y[arm] += y as f64 * f;
                    }
                };
                take(&mut overall, 0, nt, tc);
                take(&mut overall, 1, nc, cc);
            }
            taken += nt + nc;
            by_group.take(0, nt, tc, cut_arm[0], taken_arm[0]);
            by_group.take(1, nc, cc, cut_arm[1], taken_arm[1]);
            taken_arm[0] += nt;
            taken_arm[1] += nc;
            areas.point([cn, tn, cc, tc]);
        }
        areas.values(
            self.cut_overall.map(|_| overall),
            self.cut_by_group.map(|_| by_group),
        )
    }
}

/// Each cell's Poisson draw for [`multinomial_with`]: mean size_j · (n − 3√n)⁺ / n, n = Σ size (the same in
/// every replicate, so its constants are worked out once).
fn cell_draws(size: &[u32], ends: &[u64]) -> Vec<PoissonDraw> {
    let n = ends.last().copied().unwrap_or(0);
    let nf = n as f64;
    let scale = (nf - 3.0 * libm::sqrt(nf)).max(0.0) / nf;
    size.iter()
        .map(|&m| {
            if m == 0 {
                PoissonDraw::Zero
            } else {
                PoissonDraw::new(f64::from(m) * scale)
            }
        })
        .collect()
}

/// Exactly Multinomial(n; size_j / n) copies per cell, n = Σ size (see the module docs).
#[cfg(test)]
fn multinomial(rng: &mut ChaCha8Rng, size: &[u32], ends: &[u64], out: &mut Vec<u32>) {
    multinomial_with(rng, &cell_draws(size, ends), ends, out);
}

/// [`multinomial`] with the cells' draws from [`cell_draws`].
fn multinomial_with(rng: &mut ChaCha8Rng, draws: &[PoissonDraw], ends: &[u64], out: &mut Vec<u32>) {
    let n = ends.last().copied().unwrap_or(0);
    out.clear();
    out.resize(draws.len(), 0);
    if n == 0 {
        return;
    }
    let mut drawn = loop {
        let mut s = 0u64;
        for (o, d) in out.iter_mut().zip(draws) {
            let c = d.draw(rng);
            *o = c.min(u64::from(u32::MAX)) as u32;
            s += u64::from(*o);
        }
        if s <= n {
            break s;
        }
    };
    while drawn < n {
        let u = uniform_below(rng, n);
        // the cell whose rows hold u: the first end > u
        let j = ends.partition_point(|&e| e <= u);
        out[j] += 1;
        drawn += 1;
    }
}

/// Uniform integer in [0, m), m ≥ 1 (Lemire's method on 64 bits; exact, platform independent).
fn uniform_below(rng: &mut ChaCha8Rng, m: u64) -> u64 {
    let threshold = m.wrapping_neg() % m;
    loop {
        let r = u128::from(rng.next_u64()) * u128::from(m);
        if (r as u64) >= threshold {
            return (r >> 64) as u64;
        }
    }
}

/// Uniform in [0, 1) with 53 random bits.
fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A Poisson(mu) variate: multiplication method below 10, PTRS (Hörmann 1993, "The transformed rejection method
/// for generating Poisson random variables") from 10; `libm` only, so the same bits on every platform.
#[cfg(test)]
fn poisson(rng: &mut ChaCha8Rng, mu: f64) -> u64 {
    PoissonDraw::new(mu).draw(rng)
}

/// Poisson(mu) with the constants that depend on mu alone worked out once (see [`poisson`]): each draw takes
/// the same random numbers and gives the same value as computing them every time.
#[derive(Debug, Clone, Copy)]
enum PoissonDraw {
    /// mu ≤ 0: always 0, no random number taken.
    Zero,
    /// mu < 10: multiplication method, `limit` = e^−mu.
    Small { limit: f64 },
    /// mu ≥ 10: PTRS.
    Large {
        mu: f64,
        loglam: f64,
        a: f64,
        b: f64,
        vr: f64,
        log_inv_alpha: f64,
    },
}

impl PoissonDraw {
    fn new(mu: f64) -> PoissonDraw {
        if mu <= 0.0 {
            return PoissonDraw::Zero;
        }
        if mu < 10.0 {
            return PoissonDraw::Small {
                limit: libm::exp(-mu),
            };
        }
        let slam = libm::sqrt(mu);
        let b = 0.931 + 2.53 * slam;
        let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
        PoissonDraw::Large {
            mu,
            loglam: libm::log(mu),
            a: -0.059 + 0.02483 * b,
            b,
            vr: 0.9277 - 3.6224 / (b - 2.0),
            log_inv_alpha: libm::log(inv_alpha),
        }
    }

    fn draw(&self, rng: &mut ChaCha8Rng) -> u64 {
        match *self {
            PoissonDraw::Zero => 0,
            PoissonDraw::Small { limit } => {
                let mut k = 0u64;
                let mut prod = uniform(rng);
                while prod > limit {
                    k += 1;
                    prod *= uniform(rng);
                }
                k
            }
            PoissonDraw::Large {
                mu,
                loglam,
                a,
                b,
                vr,
                log_inv_alpha,
            } => loop {
                let u = uniform(rng) - 0.5;
                let v = uniform(rng);
                let us = 0.5 - u.abs();
                let k = libm::floor((2.0 * a / us + b) * u + mu + 0.43);
                if us >= 0.07 && v <= vr {
                    return k as u64;
                }
                if k < 0.0 || (us < 0.013 && v > us) {
                    continue;
                }
                if libm::log(v) + log_inv_alpha - libm::log(a / (us * us) + b)
                    <= -mu + k * loglam - libm::lgamma(k + 1.0)
                {
                    return k as u64;
                }
            },
        }
    }
}

pub(crate) fn bootstrap_ranked(
    ranking: &Ranking,
    treatment: &[bool],
    outcome: &[bool],
    params: &BootstrapParams,
) -> BootstrapIntervals {
    bootstrap_grouped(ranking, treatment, outcome, params, MAX_GROUPS)
}

fn bootstrap_grouped(
    ranking: &Ranking,
    treatment: &[bool],
    outcome: &[bool],
    params: &BootstrapParams,
    max_groups: usize,
) -> BootstrapIntervals {
    let ranked = Ranked::new(ranking, treatment, outcome, params.k);
    let full = ranked.full();
    let grouped = Grouped::new(&ranked, ranking.block_ends.len(), max_groups);
    let reps = run_replicates(&grouped, params.seed, params.replicates);
    let alpha = 1.0 - params.confidence;
    let interval = |m: usize| {
        let estimate = full[m]?;
        let mut v: Vec<f64> = reps.iter().filter_map(|r| r[m]).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_unstable_by(f64::total_cmp);
        Some(Interval {
            estimate,
            low: percentile(&v, alpha / 2.0),
            high: percentile(&v, 1.0 - alpha / 2.0),
            replicates_used: v.len(),
        })
    };
    BootstrapIntervals {
        qini: interval(0),
        auuc: interval(1),
        uplift_at_k_overall: interval(2),
        uplift_at_k_by_group: interval(3),
        k: params.k,
        replicates: params.replicates,
        confidence: params.confidence,
        seed: params.seed,
        method: format!(
            "percentile bootstrap, rows redrawn with replacement within each arm (stratified), ChaCha8 seeded; copies counted per group of tied scores ({} groups)",
            grouped.groups()
        ),
    }
}

fn new_counts(g: &Grouped) -> [Vec<u32>; 2] {
    [vec![0; g.size[0].len()], vec![0; g.size[1].len()]]
}

#[cfg(not(target_arch = "wasm32"))]
fn run_replicates(grouped: &Grouped, seed: u64, replicates: usize) -> Vec<Values> {
    use rayon::prelude::*;
    // Each replicate depends only on (seed, its index), so the parallel result equals the serial one.
    (0..replicates as u64)
        .into_par_iter()
        .map_init(
            || new_counts(grouped),
            |w, rep| {
                grouped.draw(seed, rep, w);
                grouped.values(w)
            },
        )
        .collect()
}

#[cfg(target_arch = "wasm32")]
fn run_replicates(grouped: &Grouped, seed: u64, replicates: usize) -> Vec<Values> {
    run_serial(grouped, seed, replicates)
}

/// One replicate after another (wasm has one thread); natively only a test reference for the parallel run.
#[cfg_attr(not(any(test, target_arch = "wasm32")), allow(dead_code))]
fn run_serial(grouped: &Grouped, seed: u64, replicates: usize) -> Vec<Values> {
    let mut w = new_counts(grouped);
    (0..replicates as u64)
        .map(|rep| {
            grouped.draw(seed, rep, &mut w);
            grouped.values(&w)
        })
        .collect()
}

/// numpy `percentile(v, 100·q)` with linear interpolation; `v` sorted, non-empty.
pub(crate) fn percentile(v: &[f64], q: f64) -> f64 {
    let pos = q * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{qini_auc_score, uplift_at_k, uplift_auc_score};
    use rand::Rng;

    #[test]
    fn percentile_like_numpy() {
        // np.percentile([1, 2, 3, 4], 25) = 1.75 (position 0.75); 97.5 → position 2.925 → 3.925.
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&v, 0.25), 1.75);
        assert!((percentile(&v, 0.975) - 3.925).abs() < 1e-12);
        assert_eq!(percentile(&[5.0], 0.5), 5.0);
    }

    /// A reasonable sample: 4,000 rows, half treated, τ = 0.1 for high scores.
    fn sample() -> (Vec<f64>, Vec<bool>, Vec<u8>) {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut s = Vec::new();
        let mut t = Vec::new();
        let mut y = Vec::new();
        for _ in 0..4000 {
            let x: f64 = rng.gen();
            let treated = rng.gen_bool(0.5);
            let p = 0.1 + if treated && x > 0.5 { 0.15 } else { 0.0 };
            s.push((x * 100.0).round() / 100.0); // ties
            t.push(treated);
            y.push(u8::from(rng.gen_bool(p)));
        }
        (s, t, y)
    }

    #[test]
    fn all_ones_weights_give_the_exact_metrics() {
        let (s, t, y) = sample();
        let b = bootstrap_intervals(&s, &t, &y, &BootstrapParams::default()).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(
            b.qini.unwrap().estimate,
            qini_auc_score(&s, &t, &y, true).unwrap()
        ));
        assert!(close(
            b.auuc.unwrap().estimate,
            uplift_auc_score(&s, &t, &y).unwrap()
        ));
        let k = TopK::Share(0.3);
        let o = uplift_at_k(&s, &t, &y, k, AtKStrategy::Overall).unwrap();
        let g = uplift_at_k(&s, &t, &y, k, AtKStrategy::ByGroup).unwrap();
        assert!(close(b.uplift_at_k_overall.unwrap().estimate, o));
        assert!(close(b.uplift_at_k_by_group.unwrap().estimate, g));
    }

    #[test]
    fn deterministic_and_covers_the_estimate() {
        let (s, t, y) = sample();
        let p = BootstrapParams::default();
        let a = bootstrap_intervals(&s, &t, &y, &p).unwrap();
        let b = bootstrap_intervals(&s, &t, &y, &p).unwrap();
        assert_eq!(a, b);
        for i in [
            a.qini,
            a.auuc,
            a.uplift_at_k_overall,
            a.uplift_at_k_by_group,
        ] {
            let i = i.unwrap();
            assert!(i.low < i.estimate && i.estimate < i.high, "{i:?}");
            assert_eq!(i.replicates_used, 200);
        }
        // The effect is real (Qini well above 0), so the interval excludes 0.
        assert!(a.qini.unwrap().low > 0.0, "{:?}", a.qini);
        let c = bootstrap_intervals(&s, &t, &y, &BootstrapParams { seed: 7, ..p }).unwrap();
        assert_ne!(a.qini, c.qini);
    }

    #[test]
    fn a_replicate_equals_the_metrics_of_its_redrawn_rows() {
        // Scores rounded to 0.01: ≤ 101 tie blocks, so every block is its own group and a replicate's Qini and
        // AUUC must be those of the redrawn rows written out (each cell's copies as rows with the block's score).
        let (s, t, y) = sample();
        let yb: Vec<bool> = y.iter().map(|&v| v == 1).collect();
        let ranking = Ranking::new(&s);
        let ranked = Ranked::new(&ranking, &t, &yb, 0.3);
        let g = Grouped::new(&ranked, ranking.block_ends.len(), MAX_GROUPS);
        assert_eq!(g.groups(), ranking.block_ends.len());
        let mut counts = new_counts(&g);
        for rep in 0..3 {
            g.draw(5, rep, &mut counts);
            assert_eq!(
                counts[0].iter().map(|&c| c as usize).sum::<usize>(),
                t.iter().filter(|&&b| b).count()
            );
            assert_eq!(
                counts[1].iter().map(|&c| c as usize).sum::<usize>(),
                t.iter().filter(|&&b| !b).count()
            );
            let (mut s2, mut t2, mut y2) = (Vec::new(), Vec::new(), Vec::new());
            let mut start = 0usize;
            for (b, &end) in ranking.block_ends.iter().enumerate() {
                let score = s[ranking.rows[start] as usize];
                start = end as usize;
                for (arm, treated) in [(0, true), (1, false)] {
                    for conv in 0..2 {
                        for _ in 0..counts[arm][2 * b + conv] {
                            s2.push(score);
                            t2.push(treated);
                            y2.push(conv as u8);
                        }
                    }
                }
            }
            let v = g.values(&counts);
            let q = qini_auc_score(&s2, &t2, &y2, true).unwrap();
            let a = uplift_auc_score(&s2, &t2, &y2).unwrap();
            assert!((v[0].unwrap() - q).abs() < 1e-12, "{v:?} {q}");
            assert!((v[1].unwrap() - a).abs() < 1e-12, "{v:?} {a}");
        }
    }

    #[test]
    fn grouping_moves_the_interval_far_less_than_its_width() {
        // 10,000 distinct scores: per-row groups (the exact replicate metrics) vs 250 groups of 40 rows, a far
        // coarser cut than production's 8,192 groups. With 500 replicates two independent runs' percentiles
        // differ by a few % of the width (Monte Carlo noise), so 15 % bounds the grouping effect generously.
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let n = 10_000;
        let (mut s, mut t, mut y) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..n {
            let x: f64 = rng.gen();
            let treated = rng.gen_bool(0.7);
            s.push(x);
            t.push(treated);
            y.push(rng.gen_bool(0.05 + if treated { 0.1 * x } else { 0.0 }));
        }
        let p = BootstrapParams {
            replicates: 500,
            ..Default::default()
        };
        let ranking = Ranking::new(&s);
        let exact = bootstrap_grouped(&ranking, &t, &y, &p, n);
        let coarse = bootstrap_grouped(&ranking, &t, &y, &p, 250);
        assert!(exact.method.ends_with("(10000 groups)"), "{}", exact.method);
        assert!(coarse.method.ends_with("(250 groups)"), "{}", coarse.method);
        for (a, b) in [
            (exact.qini, coarse.qini),
            (exact.auuc, coarse.auuc),
            (exact.uplift_at_k_overall, coarse.uplift_at_k_overall),
            (exact.uplift_at_k_by_group, coarse.uplift_at_k_by_group),
        ] {
            let (a, b) = (a.unwrap(), b.unwrap());
            assert_eq!(a.estimate, b.estimate);
            let width = a.high - a.low;
            assert!((a.low - b.low).abs() < 0.15 * width, "{a:?} {b:?}");
            assert!((a.high - b.high).abs() < 0.15 * width, "{a:?} {b:?}");
        }
    }

    #[test]
    fn poisson_and_multinomial_draws_have_the_right_moments() {
        // Poisson(mu): mean = variance = mu. 20,000 draws: the mean's sd is sqrt(mu/20000); allow 4 sd; the
        // variance's relative sd is about sqrt(2/20000) = 1 %: allow 5 %.
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        for mu in [0.3, 3.5, 9.9, 10.0, 250.0] {
            let v: Vec<f64> = (0..20_000).map(|_| poisson(&mut rng, mu) as f64).collect();
            let m = v.iter().sum::<f64>() / v.len() as f64;
            let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64;
            assert!(
                (m - mu).abs() < 4.0 * (mu / 20_000.0).sqrt(),
                "mu {mu}: mean {m}"
            );
            assert!((var / mu - 1.0).abs() < 0.05, "mu {mu}: variance {var}");
        }
        assert_eq!(poisson(&mut rng, 0.0), 0);
        // Multinomial over sizes 1, 0, 5, 994 (n = 1,000): the total is exact, an empty cell gets nothing, and
        // cell 2's count (Binomial(1000, 0.005): mean 5) averages 5 over 2,000 draws (sd 0.05 → within 0.2).
        let size = [1u32, 0, 5, 994];
        let ends = [1u64, 1, 6, 1000];
        let mut out = Vec::new();
        let mut sum2 = 0u64;
        for _ in 0..2000 {
            multinomial(&mut rng, &size, &ends, &mut out);
            assert_eq!(out.iter().map(|&c| u64::from(c)).sum::<u64>(), 1000);
            assert_eq!(out[1], 0);
            sum2 += u64::from(out[2]);
        }
        assert!((sum2 as f64 / 2000.0 - 5.0).abs() < 0.2, "{sum2}");
    }

    #[test]
    fn parallel_equals_serial() {
        // Native runs replicates on threads, wasm one after another: the values must be bit-identical.
        let (s, t, y) = sample();
        let y: Vec<bool> = y.iter().map(|&v| v == 1).collect();
        let ranking = Ranking::new(&s);
        let ranked = Ranked::new(&ranking, &t, &y, 0.3);
        let g = Grouped::new(&ranked, ranking.block_ends.len(), MAX_GROUPS);
        assert_eq!(run_replicates(&g, 9, 40), run_serial(&g, 9, 40));
    }

    #[test]
    fn params_checked() {
        let p = BootstrapParams {
            confidence: 1.0,
            ..Default::default()
        };
        let e = bootstrap_intervals(&[0.1, 0.2], &[true, false], &[1u8, 0], &p).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Setting “confidence” is 1, but it must be a share strictly between 0 and 1 (e.g. 0.95)."
        );
        let p: BootstrapParams = serde_json::from_str(r#"{"replicates": 50}"#).unwrap();
        assert_eq!((p.replicates, p.seed), (50, 42));
    }
}

#[cfg(test)]
mod timing {
    use super::*;
    use rand::Rng;

    /// Split of one replicate's time at 2M rows: `cargo test --release --lib bootstrap::timing -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn split() {
        let n = 2_000_000;
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let s: Vec<f64> = (0..n).map(|_| rng.gen()).collect();
        let t: Vec<bool> = (0..n).map(|_| rng.gen_bool(0.85)).collect();
        let y: Vec<bool> = (0..n).map(|_| rng.gen_bool(0.03)).collect();
        let ranking = Ranking::new(&s);
        let ranked = Ranked::new(&ranking, &t, &y, 0.3);
        let g = Grouped::new(&ranked, ranking.block_ends.len(), MAX_GROUPS);
        let mut w = new_counts(&g);
        let reps = 50;
        let clock = std::time::Instant::now;
        let t0 = clock();
        for r in 0..reps {
            g.draw(1, r, &mut w);
        }
        let draw = t0.elapsed().as_secs_f64() / reps as f64;
        let t0 = clock();
        let mut acc = 0.0;
        for _ in 0..reps {
            acc += g.values(&w)[0].unwrap_or(0.0);
        }
        let values = t0.elapsed().as_secs_f64() / reps as f64;
        let t0 = clock();
        let full = ranked.full()[0].unwrap_or(0.0);
        let full_s = t0.elapsed().as_secs_f64();
        println!(
            "draw {:.3} ms, values {:.3} ms per replicate; full pass {:.1} ms ({acc} {full})",
            draw * 1e3,
            values * 1e3,
            full_s * 1e3
        );
    }
}
