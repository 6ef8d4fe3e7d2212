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

use rand::{Rng, SeedableRng};
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

/// Rows in ranking order, packed for the replicate loop.
struct Ranked<'a> {
    ranking: &'a Ranking,
    /// Per ranking position: bit 0 = treated, bit 1 = converted.
    kind: Vec<u8>,
    /// Ranking positions of treated rows, then of control rows.
    arm_positions: [Vec<u32>; 2],
    cuts: [Option<AtKCut>; 2],
}

impl Ranked<'_> {
    /// Metrics for copy counts `w` (one per ranking position).
    fn values(&self, w: &[u32]) -> Values {
        // Integer tallies per kind of row: index = kind code.
        let mut c = [0u64; 4];
        let mut prev = (0.0f64, 0.0f64, 0.0f64); // (x, qini y, uplift y)
        let (mut qini_area, mut uplift_area) = (0.0f64, 0.0f64);
        let mut start = 0usize;
        for &end in &self.ranking.block_ends {
            let end = end as usize;
            for (&k, &n) in self.kind[start..end].iter().zip(&w[start..end]) {
                c[k as usize] += u64::from(n);
            }
            start = end;
            let t = tally(&c);
            let x = t.rows();
            if x == prev.0 {
                continue; // no copy in this block: no point (a zero-width trapezoid anyway)
            }
            let (q, u) = (t.qini(), t.uplift());
            qini_area += (x - prev.0) * (q + prev.1) / 2.0;
            uplift_area += (x - prev.0) * (u + prev.2) / 2.0;
            prev = (x, q, u);
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
        let at = |cut: &Option<AtKCut>| {
            let rows = self
                .kind
                .iter()
                .zip(w)
                .map(|(&k, &n)| (k & 1 == 1, k & 2 == 2, n));
            cut.as_ref().and_then(|cut| cut.uplift(rows).ok())
        };
        [qini, auuc, at(&self.cuts[0]), at(&self.cuts[1])]
    }

    /// Copy counts of replicate `rep`, written into `w`.
    fn draw(&self, seed: u64, rep: u64, w: &mut [u32]) {
        w.fill(0);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(rep);
        for pos in &self.arm_positions {
            let m = pos.len() as u32;
            for _ in 0..m {
                w[pos[rng.gen_range(0..m) as usize] as usize] += 1;
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

pub(crate) fn bootstrap_ranked(
    ranking: &Ranking,
    treatment: &[bool],
    outcome: &[bool],
    params: &BootstrapParams,
) -> BootstrapIntervals {
    let n = ranking.len();
    let mut kind = Vec::with_capacity(n);
    let mut arm_positions = [Vec::new(), Vec::new()];
    for (pos, &row) in ranking.rows.iter().enumerate() {
        let (t, y) = (treatment[row as usize], outcome[row as usize]);
        kind.push(u8::from(t) | (u8::from(y) << 1));
        arm_positions[usize::from(!t)].push(pos as u32);
    }
    let (nt, nc) = (arm_positions[0].len(), arm_positions[1].len());
    let cuts = [AtKStrategy::Overall, AtKStrategy::ByGroup]
        .map(|s| AtKCut::new(TopK::Share(params.k), s, nt, nc).ok());
    let ranked = Ranked {
        ranking,
        kind,
        arm_positions,
        cuts,
    };
    let full = ranked.values(&vec![1u32; n]);
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
    let n = ranked.kind.len();
    // Each replicate depends only on (seed, its index), so the parallel result equals the serial one.
    (0..replicates as u64)
        .into_par_iter()
        .map_init(
            || vec![0u32; n],
            |w, rep| {
                ranked.draw(seed, rep, w);
                ranked.values(w)
            },
        )
        .collect()
}

#[cfg(target_arch = "wasm32")]
fn run_replicates(ranked: &Ranked, seed: u64, replicates: usize) -> Vec<Values> {
    let mut w = vec![0u32; ranked.kind.len()];
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
