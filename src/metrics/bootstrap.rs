//! Seeded bootstrap percentile intervals for the ranking metrics (Qini coefficient, AUUC, uplift@k).
//! It does not compute point estimates itself beyond the full-data values it reports beside the intervals.
//!
//! Method: each replicate redraws, with replacement, n_t rows from the treated rows and n_c rows from the control
//! rows (stratified by arm, so both arms keep their sizes); the metric is recomputed on the redrawn rows; the
//! interval is the (α/2, 1 − α/2) percentile of the replicate values (numpy's default linear interpolation).
//! The rows are sorted once: a replicate is a vector of copy counts over the fixed ranking, so no re-sort.
//! Copies of one row, and different rows with equal scores, fall in the same tie block, as they would in a
//! re-sorted resample. Replicate r draws from ChaCha8Rng seeded with `seed`, stream r: the same seed gives the
//! same intervals natively (replicates run in parallel) and in wasm (one thread).
//!
//! uplift@k in a replicate takes the top floor(n·k) copies in ranking order (`overall`), or the top
//! floor(n_t·k) treated and floor(n_c·k) control copies (`by_group`); copies of one row are adjacent.

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

/// The four metrics of one set of copy counts; `None` where undefined.
type Values = [Option<f64>; 4];

/// Copy counts of one replicate: per arm (0 = treated, 1 = control), one count per row of that arm in ranking
/// order. Counts are u8 (1 MB per million rows, so the random increments stay in cache); the rare copies past
/// 255 are listed in `overflow`, one entry per extra copy, so counts stay exact.
struct Weights {
    w: [Vec<u8>; 2],
    overflow: [Vec<u32>; 2],
}

impl Weights {
    fn new(n_arm: [usize; 2], fill: u8) -> Weights {
        Weights {
            w: n_arm.map(|m| vec![fill; m]),
            overflow: [Vec::new(), Vec::new()],
        }
    }

    #[inline]
    fn get(&self, arm: usize, i: usize) -> u64 {
        let w = self.w[arm][i];
        if w == u8::MAX {
            let extra = self.overflow[arm]
                .iter()
                .filter(|&&j| j as usize == i)
                .count();
            u64::from(w) + extra as u64
        } else {
            u64::from(w)
        }
    }
}

/// Rows in ranking order, packed for the replicate loop.
struct Ranked {
    /// Per ranking position: bit 0 = treated, bit 1 = converted, bit 2 = last row of its tie block.
    kind: Vec<u8>,
    /// Rows per arm: [treated, control].
    n_arm: [usize; 2],
    /// Copies taken by uplift@k overall (`None` if k is out of range for these rows).
    cut_overall: Option<u64>,
    /// Copies taken per arm by uplift@k by group.
    cut_by_group: Option<[u64; 2]>,
}

/// Rows (copies) and conversions per arm [treated, control].
#[derive(Default, Clone, Copy)]
struct ArmTotals {
    n: [u64; 2],
    y: [u64; 2],
}

impl ArmTotals {
    #[inline]
    fn take(&mut self, arm: usize, converted: bool, w: u64, limit: u64, sofar: u64) {
        if sofar < limit {
            let t = w.min(limit - sofar);
            self.n[arm] += t;
            self.y[arm] += if converted { t } else { 0 };
        }
    }

    /// Treated rate minus control rate (numpy means), `None` when an arm is empty.
    fn uplift(&self) -> Option<f64> {
        (self.n[0] > 0 && self.n[1] > 0)
            .then(|| self.y[0] as f64 / self.n[0] as f64 - self.y[1] as f64 / self.n[1] as f64)
    }
}

impl Ranked {
    /// Metrics for copy counts `w`, in one pass over the ranking.
    fn values(&self, w: &Weights) -> Values {
        // Integer tallies per kind of row: index = kind code & 3.
        let mut c = [0u64; 4];
        let mut cursor = [0usize; 2];
        let (mut prev_x, mut prev_q, mut prev_u) = (0.0f64, 0.0f64, 0.0f64);
        let (mut qini_area, mut uplift_area) = (0.0f64, 0.0f64);
        let mut dirty = false;
        let cut = self.cut_overall.unwrap_or(0);
        let cut_arm = self.cut_by_group.unwrap_or([0, 0]);
        let (mut overall, mut by_group) = (ArmTotals::default(), ArmTotals::default());
        let mut taken = 0u64;
        let mut taken_arm = [0u64; 2];
        for &k in &self.kind {
            let arm = usize::from(k & 1 == 0);
            let i = cursor[arm];
            cursor[arm] += 1;
            let copies = w.get(arm, i);
            if copies != 0 {
                let converted = k & 2 != 0;
                overall.take(arm, converted, copies, cut, taken);
                taken += copies;
                by_group.take(arm, converted, copies, cut_arm[arm], taken_arm[arm]);
                taken_arm[arm] += copies;
                c[usize::from(k & 3)] += copies;
                dirty = true;
            }
            // A point at the end of each tie block that holds a copy (a copy-less block adds no width).
            if k & 4 != 0 && dirty {
                dirty = false;
                let t = tally(&c);
                let x = t.rows();
                let (q, u) = (t.qini(), t.uplift());
                qini_area += (x - prev_x) * (q + prev_q) / 2.0;
                uplift_area += (x - prev_x) * (u + prev_u) / 2.0;
                (prev_x, prev_q, prev_u) = (x, q, u);
            }
        }
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
        let qini = areas(qini_area, perfect_qini_points(groups))
            .normalized(QINI)
            .ok();
        let auuc = areas(uplift_area, perfect_uplift_points(groups))
            .normalized(AUUC)
            .ok();
        [
            qini,
            auuc,
            self.cut_overall.and_then(|_| overall.uplift()),
            self.cut_by_group.and_then(|_| by_group.uplift()),
        ]
    }

    /// Copy counts of replicate `rep`, written into `w`: n_arm draws with replacement within each arm.
    fn draw(&self, seed: u64, rep: u64, w: &mut Weights) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(rep);
        for arm in 0..2 {
            let (counts, overflow) = (&mut w.w[arm], &mut w.overflow[arm]);
            counts.fill(0);
            overflow.clear();
            let m = self.n_arm[arm] as u32;
            // Lemire's nearly divisionless uniform integer in [0, m): exact, platform independent.
            let threshold = m.wrapping_neg() % m;
            for _ in 0..m {
                let i = loop {
                    let r = u64::from(rng.next_u32()) * u64::from(m);
                    if (r as u32) >= threshold {
                        break (r >> 32) as usize;
                    }
                };
                let c = &mut counts[i];
                if *c == u8::MAX {
                    overflow.push(i as u32);
                } else {
                    *c += 1;
                }
            }
        }
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
            n_arm,
            cut_overall,
            cut_by_group,
        }
    }
}

pub(crate) fn bootstrap_ranked(
    ranking: &Ranking,
    treatment: &[bool],
    outcome: &[bool],
    params: &BootstrapParams,
) -> BootstrapIntervals {
    let ranked = Ranked::new(ranking, treatment, outcome, params.k);
    let n_arm = ranked.n_arm;
    let full = ranked.values(&Weights::new(n_arm, 1));
    let reps = run_replicates(&ranked, params.seed, params.replicates);
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
        method: "percentile bootstrap, rows redrawn with replacement within each arm (stratified), ChaCha8 seeded"
            .to_string(),
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn run_replicates(ranked: &Ranked, seed: u64, replicates: usize) -> Vec<Values> {
    use rayon::prelude::*;
    // Each replicate depends only on (seed, its index), so the parallel result equals the serial one.
    (0..replicates as u64)
        .into_par_iter()
        .map_init(
            || Weights::new(ranked.n_arm, 0),
            |w, rep| {
                ranked.draw(seed, rep, w);
                ranked.values(w)
            },
        )
        .collect()
}

#[cfg(target_arch = "wasm32")]
fn run_replicates(ranked: &Ranked, seed: u64, replicates: usize) -> Vec<Values> {
    run_serial(ranked, seed, replicates)
}

/// One replicate after another (wasm has one thread); natively only a test reference for the parallel run.
#[cfg_attr(not(any(test, target_arch = "wasm32")), allow(dead_code))]
fn run_serial(ranked: &Ranked, seed: u64, replicates: usize) -> Vec<Values> {
    let mut w = Weights::new(ranked.n_arm, 0);
    (0..replicates as u64)
        .map(|rep| {
            ranked.draw(seed, rep, &mut w);
            ranked.values(&w)
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
    fn copies_past_255_are_counted_exactly() {
        // Rows: 0 T y1 0.9 | 1 C y0 0.5 | 2 T y0 0.1 | 3 C y1 0.2. Give row 1 300 copies (255 + 45 overflow)
        // and compare with the same data written out with 300 copies of row 1.
        let (s, t, y) = (
            [0.9, 0.5, 0.1, 0.2],
            [true, false, true, false],
            [true, false, false, true],
        );
        let ranking = Ranking::new(&s);
        let ranked = Ranked::new(&ranking, &t, &y, 0.3);
        // Ranking: rows 0, 1, 3, 2 → control rows in order: 1, 3.
        let mut w = Weights::new(ranked.n_arm, 1);
        w.w[1][0] = 255;
        w.overflow[1] = vec![0; 45];
        let v = ranked.values(&w);
        let mut s2 = s.to_vec();
        let mut t2 = t.to_vec();
        let mut y2: Vec<u8> = y.iter().map(|&b| u8::from(b)).collect();
        for _ in 0..299 {
            s2.push(0.5);
            t2.push(false);
            y2.push(0);
        }
        let q = qini_auc_score(&s2, &t2, &y2, true).unwrap();
        let a = uplift_auc_score(&s2, &t2, &y2).unwrap();
        assert!((v[0].unwrap() - q).abs() < 1e-12, "{v:?} {q}");
        assert!((v[1].unwrap() - a).abs() < 1e-12, "{v:?} {a}");
    }

    #[test]
    fn parallel_equals_serial() {
        // Native runs replicates on threads, wasm one after another: the values must be bit-identical.
        let (s, t, y) = sample();
        let y: Vec<bool> = y.iter().map(|&v| v == 1).collect();
        let ranking = Ranking::new(&s);
        let ranked = Ranked::new(&ranking, &t, &y, 0.3);
        assert_eq!(run_replicates(&ranked, 9, 40), run_serial(&ranked, 9, 40));
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

    /// Split of one replicate's time at 1M rows: `cargo test --release --lib bootstrap::timing -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn split() {
        let n = 1_000_000;
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let s: Vec<f64> = (0..n).map(|_| rng.gen()).collect();
        let t: Vec<bool> = (0..n).map(|_| rng.gen_bool(0.85)).collect();
        let y: Vec<bool> = (0..n).map(|_| rng.gen_bool(0.03)).collect();
        let ranking = Ranking::new(&s);
        let ranked = Ranked::new(&ranking, &t, &y, 0.3);
        let mut w = Weights::new(ranked.n_arm, 0);
        let reps = 20;
        let cpu = || std::time::Instant::now();
        let t0 = cpu();
        for r in 0..reps {
            ranked.draw(1, r, &mut w);
        }
        let draw = t0.elapsed().as_secs_f64() / reps as f64;
        let t0 = cpu();
        let mut acc = 0.0;
        for _ in 0..reps {
            acc += ranked.values(&w)[0].unwrap_or(0.0);
        }
        let values = t0.elapsed().as_secs_f64() / reps as f64;
        println!(
            "draw {:.2} ms, values {:.2} ms ({acc})",
            draw * 1e3,
            values * 1e3
        );
    }
}
