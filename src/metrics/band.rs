//! Pointwise interval band of the Qini curve for charts (seeded, arm-stratified bootstrap); not the Qini
//! coefficient's interval, which `bootstrap.rs` gives.
//!
//! Method: the curve's x points are the chart's (the model Qini curve downsampled to `maxPoints`, x = rows
//! targeted from the top of the ranking). Each replicate redraws, with replacement, n_t rows among the treated
//! rows and n_c among the control rows, keeps the ranking of the original rows (copies of a row sit together),
//! and evaluates the Qini value y_t − y_c·n_t/n_c (scikit-uplift `qini_curve` convention) over the first x
//! copies of the ranking at every x. The band is the (α/2, 1 − α/2) percentile of the replicate values at each
//! x (numpy linear interpolation). Replicate r draws from ChaCha8Rng seeded with `seed`, stream r, so the
//! band is the same natively (replicates in parallel) and in wasm (one thread).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::bootstrap::percentile;
use super::curves::{qini_curve_ranked, Tally};
use super::deciles::check_confidence;
use super::input::{check, OutcomeValue};
use super::order::Ranking;
use crate::error::{Error, Result};

/// Settings of [`qini_band`]. Every field has a default, so the page may send `{}`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct QiniBandParams {
    /// Bootstrap replicates, 2–10,000 (default 100).
    pub replicates: usize,
    /// Coverage of the band at each point, strictly between 0 and 1 (default 0.95).
    pub confidence: f64,
    /// Seed of the resampling (default 42).
    pub seed: u64,
    /// Most points of the band, ≥ 2 (default 200, the same as `MetricsParams::max_curve_points`, so the band's
    /// x points are the chart curve's).
    pub max_points: usize,
}

impl Default for QiniBandParams {
    fn default() -> Self {
        QiniBandParams {
            replicates: 100,
            confidence: 0.95,
            seed: 42,
            max_points: 200,
        }
    }
}

impl QiniBandParams {
    /// `BadParam` for the first field out of range.
    pub fn validate(&self) -> Result<()> {
        if !(2..=10_000).contains(&self.replicates) {
            return Err(Error::BadParam {
                name: "replicates",
                expected: "a whole number from 2 to 10000",
                found: self.replicates.to_string(),
            });
        }
        check_confidence(self.confidence)?;
        if self.max_points < 2 {
            return Err(Error::BadParam {
                name: "maxPoints",
                expected: "at least 2",
                found: self.max_points.to_string(),
            });
        }
        Ok(())
    }
}

/// Pointwise bootstrap band of the Qini curve: at rows targeted `x[i]`, the Qini value lies in
/// `low[i]..=high[i]` with the stated coverage.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QiniBand {
    /// Rows targeted (the chart curve's x points).
    pub x: Vec<f64>,
    /// Lower end of the band at each x, in incremental conversions (scikit-uplift `qini_curve` scale).
    pub low: Vec<f64>,
    /// Upper end of the band at each x.
    pub high: Vec<f64>,
    /// Coverage at each point (e.g. 0.95).
    pub confidence: f64,
    /// Replicates drawn.
    pub replicates: usize,
}

/// Pointwise bootstrap band of the Qini curve of `score` (see the module docs for the method).
///
/// Errors: input errors as [`super::curves::qini_curve`]; `BadParam` for params out of range.
pub fn qini_band<T: OutcomeValue>(
    score: &[f64],
    treatment: &[bool],
    outcome: &[T],
    params: &QiniBandParams,
) -> Result<QiniBand> {
    params.validate()?;
    let c = check("uplift score", score, treatment, outcome)?;
    let ranking = Ranking::new(c.score);
    let y = c.outcome.as_slice();
    let x = qini_curve_ranked(&ranking, c.treatment, y)
        .downsample(params.max_points)
        .x;
    // Per ranking position: arm and outcome, and the position's index within its arm.
    let mut arm_rows = [Vec::new(), Vec::new()];
    let kinds: Vec<(bool, bool)> = ranking
        .rows
        .iter()
        .map(|&r| {
            let r = r as usize;
            let t = c.treatment[r];
            arm_rows[usize::from(!t)].push(r);
            (t, y[r])
        })
        .collect();
    let n_arm = [arm_rows[0].len(), arm_rows[1].len()];
    let cuts: Vec<f64> = x.clone();
    let one =
        |rep: u64, w: &mut [Vec<u32>; 2]| replicate(&kinds, n_arm, &cuts, params.seed, rep, w);
    let reps = run(params.replicates, n_arm, one);
    let alpha = 1.0 - params.confidence;
    let (mut low, mut high) = (Vec::with_capacity(x.len()), Vec::with_capacity(x.len()));
    let mut column = Vec::with_capacity(reps.len());
    for j in 0..x.len() {
        column.clear();
        column.extend(reps.iter().map(|r| r[j]));
        column.sort_unstable_by(f64::total_cmp);
        low.push(percentile(&column, alpha / 2.0));
        high.push(percentile(&column, 1.0 - alpha / 2.0));
    }
    Ok(QiniBand {
        x,
        low,
        high,
        confidence: params.confidence,
        replicates: params.replicates,
    })
}

/// Qini values of replicate `rep` at each cut (`cuts` ascending, in copies from the top of the ranking).
fn replicate(
    kinds: &[(bool, bool)],
    n_arm: [usize; 2],
    cuts: &[f64],
    seed: u64,
    rep: u64,
    w: &mut [Vec<u32>; 2],
) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(rep);
    for arm in 0..2 {
        w[arm].fill(0);
        let m = n_arm[arm] as u32;
        for _ in 0..m {
            // u32 range: the same draws on 32- and 64-bit targets.
            w[arm][rng.gen_range(0..m) as usize] += 1;
        }
    }
    let mut out = Vec::with_capacity(cuts.len());
    let mut tally = Tally::default();
    let mut cursor = [0usize; 2];
    let mut next = 0;
    // Cuts at 0 (the curve's first point) take nothing.
    while next < cuts.len() && cuts[next] <= 0.0 {
        out.push(0.0);
        next += 1;
    }
    for &(t, y) in kinds {
        if next >= cuts.len() {
            break;
        }
        let arm = usize::from(!t);
        let mut copies = w[arm][cursor[arm]];
        cursor[arm] += 1;
        // A row's copies may straddle one or more cuts.
        while copies > 0 && next < cuts.len() {
            let room = cuts[next] - tally.rows();
            let take = f64::from(copies).min(room);
            tally.add(t, y, take);
            copies -= take as u32;
            if tally.rows() >= cuts[next] {
                out.push(tally.qini());
                next += 1;
            }
        }
    }
    // Cuts past the copies drawn (only the last, by rounding) get the full-sample value.
    while out.len() < cuts.len() {
        out.push(tally.qini());
    }
    out
}

#[cfg(not(target_arch = "wasm32"))]
fn run(
    replicates: usize,
    n_arm: [usize; 2],
    one: impl Fn(u64, &mut [Vec<u32>; 2]) -> Vec<f64> + Sync,
) -> Vec<Vec<f64>> {
    use rayon::prelude::*;
    // Each replicate depends only on (seed, its index), so the parallel result equals the serial one.
    (0..replicates as u64)
        .into_par_iter()
        .map_init(|| n_arm.map(|m| vec![0u32; m]), |w, rep| one(rep, w))
        .collect()
}

#[cfg(target_arch = "wasm32")]
fn run(
    replicates: usize,
    n_arm: [usize; 2],
    one: impl Fn(u64, &mut [Vec<u32>; 2]) -> Vec<f64>,
) -> Vec<Vec<f64>> {
    let mut w = n_arm.map(|m| vec![0u32; m]);
    (0..replicates as u64).map(|rep| one(rep, &mut w)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::qini_curve;

    #[test]
    fn band_brackets_the_curve_and_is_seeded() {
        // 400 rows, alternating arms; treated rows with a high score convert more often.
        let n = 400;
        let score: Vec<f64> = (0..n).map(|i| ((i * 37) % 101) as f64 / 101.0).collect();
        let t: Vec<bool> = (0..n).map(|i| i % 2 == 0).collect();
        let y: Vec<u8> = (0..n)
            .map(|i| u8::from((t[i] && score[i] > 0.5 && i % 3 != 0) || i % 7 == 0))
            .collect();
        let p = QiniBandParams {
            max_points: 20,
            ..Default::default()
        };
        let b = qini_band(&score, &t, &y, &p).unwrap();
        let curve = qini_curve(&score, &t, &y).unwrap().downsample(20);
        assert_eq!(b.x, curve.x);
        assert_eq!((b.low.len(), b.high.len()), (20, 20));
        // At x = 0 nothing is targeted: the band is the single point 0.
        assert_eq!((b.low[0], b.high[0]), (0.0, 0.0));
        for j in 1..20 {
            assert!(b.low[j] <= b.high[j]);
        }
        // Mid-curve the band is a real interval around the curve.
        let mid = 10;
        assert!(
            b.low[mid] < curve.y[mid] && curve.y[mid] < b.high[mid],
            "{b:?}"
        );
        assert_eq!(qini_band(&score, &t, &y, &p).unwrap(), b);
        let e = qini_band(&score, &t, &y, &QiniBandParams { replicates: 1, ..p }).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Setting “replicates” is 1, but it must be a whole number from 2 to 10000."
        );
    }

    #[test]
    fn copies_straddling_cuts_are_split() {
        // Ranking (score desc): T y1, C y0, T y0, C y1. One replicate, cuts at 0, 1, 2, 4.
        // With every copy count 1 the values are the full-sample Qini curve: at 1: yt=1 → 1;
        // at 2: 1 − 0·1/1 = 1; at 4: 1 − 1·2/2 = 0.
        let kinds = [(true, true), (false, false), (true, false), (false, true)];
        let mut w = [vec![0u32; 2], vec![0u32; 2]];
        let v = replicate(&kinds, [2, 2], &[0.0, 1.0, 2.0, 4.0], 7, 0, &mut w);
        assert_eq!(v.len(), 4);
        assert_eq!(v[0], 0.0);
        // Whatever was drawn, 2 treated and 2 control copies exist in total.
        assert_eq!(w[0].iter().sum::<u32>(), 2);
        assert_eq!(w[1].iter().sum::<u32>(), 2);
    }
}
