//! Uplift by bins of predicted uplift (deciles by default): mean predicted τ̂ beside the observed difference of
//! conversion rates, with Newcombe intervals. Also the interval helpers (Wilson, Newcombe, normal quantile).
//!
//! Bins follow scikit-uplift 0.5.1 `uplift_by_percentile(strategy="overall")`: rows in ranking order (descending
//! τ̂, larger index first among ties) cut into `bins` consecutive groups like `np.array_split` (the first
//! n mod bins groups hold one row more). Bin 1 holds the highest predicted uplift.

use super::input::{check, OutcomeValue};
use super::order::Ranking;
use crate::error::{Error, Result};

/// One bin of rows ranked by predicted uplift.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpliftBin {
    /// 1 = highest predicted uplift.
    pub bin: usize,
    /// Rows in the bin.
    pub rows: usize,
    /// Treated rows in the bin.
    pub treated: usize,
    /// Control rows in the bin.
    pub control: usize,
    /// Conversions among the bin's treated rows.
    pub treated_conversions: usize,
    /// Conversions among the bin's control rows.
    pub control_conversions: usize,
    /// Lowest predicted uplift in the bin (probability scale).
    pub score_min: f64,
    /// Highest predicted uplift in the bin.
    pub score_max: f64,
    /// Mean predicted uplift τ̂ of the bin's rows (probability scale).
    pub mean_predicted: f64,
    /// Observed treated conversion rate; `None` without treated rows.
    pub treated_rate: Option<f64>,
    /// Observed control conversion rate; `None` without control rows.
    pub control_rate: Option<f64>,
    /// Observed uplift = treated rate − control rate (scikit-uplift `uplift_by_percentile` "uplift");
    /// `None` when an arm is empty in the bin.
    pub observed: Option<f64>,
    /// Wald standard error of the observed uplift, √(p_t(1−p_t)/n_t + p_c(1−p_c)/n_c)
    /// (scikit-uplift `uplift_by_percentile(std=True)` convention).
    pub observed_std: Option<f64>,
    /// Lower end of the Newcombe hybrid score interval (Newcombe 1998, method 10, from Wilson intervals of both
    /// rates) for the observed uplift, at the requested confidence. Chosen over Wald because it stays
    /// meaningful when a bin has no conversions (0.3% conversion rates).
    pub low: Option<f64>,
    /// Upper end of the Newcombe interval.
    pub high: Option<f64>,
}

/// Uplift by `bins` bins of predicted uplift `score` (see the module docs for the binning convention), with
/// Newcombe intervals at `confidence` (e.g. 0.95).
///
/// Errors: input errors as [`super::curves::qini_curve`]; `BadParam` when `bins` is 0 or more than the rows, or
/// `confidence` is not strictly between 0 and 1.
pub fn uplift_by_bins<T: OutcomeValue>(
    score: &[f64],
    treatment: &[bool],
    outcome: &[T],
    bins: usize,
    confidence: f64,
) -> Result<Vec<UpliftBin>> {
    let c = check("uplift score", score, treatment, outcome)?;
    let ranking = Ranking::new(c.score);
    bins_ranked(&ranking, c.score, c.treatment, &c.outcome, bins, confidence)
}

pub(crate) fn check_bins(bins: usize, rows: usize) -> Result<()> {
    if bins == 0 || bins > rows {
        return Err(Error::BadParam {
            name: "bins",
            expected: "at least 1 and at most the number of rows",
            found: bins.to_string(),
        });
    }
    Ok(())
}

pub(crate) fn check_confidence(confidence: f64) -> Result<()> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(Error::BadParam {
            name: "confidence",
            expected: "a share strictly between 0 and 1 (e.g. 0.95)",
            found: confidence.to_string(),
        });
    }
    Ok(())
}

/// `np.array_split` bounds: `bins` consecutive ranges over `n` items, the first n mod bins one longer.
pub(crate) fn split_bounds(n: usize, bins: usize) -> Vec<(usize, usize)> {
    let (size, extra) = (n / bins, n % bins);
    let mut start = 0;
    (0..bins)
        .map(|b| {
            let len = size + usize::from(b < extra);
            let r = (start, start + len);
            start += len;
            r
        })
        .collect()
}

pub(crate) fn bins_ranked(
    ranking: &Ranking,
    score: &[f64],
    treatment: &[bool],
    outcome: &[bool],
    bins: usize,
    confidence: f64,
) -> Result<Vec<UpliftBin>> {
    check_bins(bins, ranking.len())?;
    check_confidence(confidence)?;
    let z = normal_quantile(0.5 + confidence / 2.0);
    let out = split_bounds(ranking.len(), bins)
        .into_iter()
        .enumerate()
        .map(|(b, (start, end))| {
            let rows = &ranking.rows[start..end];
            let (mut nt, mut nc, mut yt, mut yc, mut sum) =
                (0usize, 0usize, 0usize, 0usize, 0.0f64);
            for &r in rows {
                let r = r as usize;
                sum += score[r];
                if treatment[r] {
                    nt += 1;
                    yt += usize::from(outcome[r]);
                } else {
                    nc += 1;
                    yc += usize::from(outcome[r]);
                }
            }
            let rate = |y: usize, n: usize| (n > 0).then(|| y as f64 / n as f64);
            let (pt, pc) = (rate(yt, nt), rate(yc, nc));
            let both = pt.zip(pc);
            let newcombe = both.map(|_| newcombe_interval(yt, nt, yc, nc, z));
            UpliftBin {
                bin: b + 1,
                rows: rows.len(),
                treated: nt,
                control: nc,
                treated_conversions: yt,
                control_conversions: yc,
                // Ranking is descending: the bin's first row has the highest score.
                score_min: score[rows[rows.len() - 1] as usize],
                score_max: score[rows[0] as usize],
                mean_predicted: sum / rows.len() as f64,
                treated_rate: pt,
                control_rate: pc,
                observed: both.map(|(a, b)| a - b),
                observed_std: both
                    .map(|(a, b)| (a * (1.0 - a) / nt as f64 + b * (1.0 - b) / nc as f64).sqrt()),
                low: newcombe.map(|i| i.0),
                high: newcombe.map(|i| i.1),
            }
        })
        .collect();
    Ok(out)
}

/// Wilson score interval of a proportion y/n (n > 0) with normal quantile z.
pub fn wilson_interval(y: usize, n: usize, z: f64) -> (f64, f64) {
    let (n, p) = (n as f64, y as f64 / n as f64);
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Newcombe (1998) hybrid score interval, method 10, for the difference y1/n1 − y2/n2 (both n > 0).
pub fn newcombe_interval(y1: usize, n1: usize, y2: usize, n2: usize, z: f64) -> (f64, f64) {
    let (p1, p2) = (y1 as f64 / n1 as f64, y2 as f64 / n2 as f64);
    let (l1, u1) = wilson_interval(y1, n1, z);
    let (l2, u2) = wilson_interval(y2, n2, z);
    let d = p1 - p2;
    (
        d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt(),
        d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt(),
    )
}

/// Standard normal quantile Φ⁻¹(p) for 0 < p < 1 (Acklam's rational approximation, one Halley refinement
/// step with libm's erfc: about 1e-15 relative error).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let x = if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    };
    // Halley step on Φ(x) − p, Φ(x) = erfc(−x/√2)/2.
    let e = 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantile_known_values() {
        assert!((normal_quantile(0.975) - 1.959963984540054).abs() < 1e-12);
        assert!((normal_quantile(0.5)).abs() < 1e-15);
        assert!((normal_quantile(0.005) + 2.5758293035489004).abs() < 1e-12);
    }

    #[test]
    fn newcombe_paper_example() {
        // Newcombe (1998), Table II example (a): 56/70 − 48/80 = 0.2, method 10 gives 0.0524 to 0.3339.
        let (l, h) = newcombe_interval(56, 70, 48, 80, 1.959963984540054);
        assert!((l - 0.0524).abs() < 5e-5, "{l}");
        assert!((h - 0.3339).abs() < 5e-5, "{h}");
        // Wilson for 0/10 at 95%: centre (0 + 3.8415/20)/(1.38415) = 0.13876; upper = 2·centre = 0.27753.
        let (l, h) = wilson_interval(0, 10, 1.959963984540054);
        assert_eq!(l, 0.0);
        assert!((h - 0.27753).abs() < 1e-5, "{h}");
    }

    #[test]
    fn array_split_sizes() {
        // np.array_split(range(7), 3) → sizes 3, 2, 2.
        assert_eq!(split_bounds(7, 3), vec![(0, 3), (3, 5), (5, 7)]);
    }

    #[test]
    fn bins_by_hand() {
        // Ranked rows (curves.rs example): 2:T y1 (0.9), 1:C y1 (0.5), 0:T y0 (0.5) | 4:T y1 (0.2), 3:C y0 (0.2),
        // 5:C y0 (0.1).
        let s = [0.5, 0.5, 0.9, 0.2, 0.2, 0.1];
        let t = [true, false, true, false, true, false];
        let y = [0u8, 1, 1, 0, 1, 0];
        let b = uplift_by_bins(&s, &t, &y, 2, 0.95).unwrap();
        // Bin 1: treated 1/2, control 1/1 → −0.5; mean τ̂ (0.9 + 0.5 + 0.5)/3.
        assert_eq!((b[0].treated, b[0].control), (2, 1));
        assert_eq!(b[0].observed, Some(-0.5));
        assert!((b[0].mean_predicted - 1.9 / 3.0).abs() < 1e-15);
        assert_eq!((b[0].score_min, b[0].score_max), (0.5, 0.9));
        // Wald std: √(0.5·0.5/2 + 0) = √0.125.
        assert_eq!(b[0].observed_std, Some(0.125f64.sqrt()));
        // Bin 2: treated 1/1, control 0/2 → 1.
        assert_eq!(b[1].observed, Some(1.0));
        let (l, h) = (b[1].low.unwrap(), b[1].high.unwrap());
        assert!(l < 1.0 && h <= 1.0 && l > -1.0);
        let e = uplift_by_bins(&s, &t, &y, 7, 0.95).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Setting “bins” is 7, but it must be at least 1 and at most the number of rows."
        );
    }
}
