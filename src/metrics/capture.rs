//! Scores judged against known true effects (generated data only): the share of true incremental conversions
//! captured by targeting the top rows, and Spearman rank correlation. Observed-data metrics live elsewhere.

use super::input::{check_finite, check_len};
use super::order::Ranking;
use crate::error::{Error, Result};

/// Capture ratio at `share`: Σ true τ over the top floor(n·share) rows by `score` ÷ Σ true τ over the top
/// floor(n·share) rows by `true_effect` (1 = as good as targeting by the true effect). Ranking convention as
/// everywhere (descending, larger index first among ties), so a constant score takes the last rows first.
///
/// Errors: lengths differ (`LengthMismatch`), NaN/infinite values (`NotANumber`), `share` ∉ (0, 1] or fewer
/// than one row targeted (`BadParam`), and `NothingToCapture` when the best possible sum is not positive.
pub fn capture_at(score: &[f64], true_effect: &[f64], share: f64) -> Result<f64> {
    check_len("true effect", true_effect.len(), "score", score.len())?;
    check_finite("score", score)?;
    check_finite("true effect", true_effect)?;
    let rows = if share > 0.0 && share <= 1.0 {
        (score.len() as f64 * share) as usize
    } else {
        0
    };
    if rows == 0 {
        return Err(Error::BadParam {
            name: "share",
            expected: "a share above 0 and at most 1 that targets at least one row",
            found: share.to_string(),
        });
    }
    let top_sum = |by: &[f64]| -> f64 {
        Ranking::new(by).rows[..rows]
            .iter()
            .map(|&r| true_effect[r as usize])
            .sum()
    };
    let best = top_sum(true_effect);
    if best <= 0.0 {
        return Err(Error::NothingToCapture { rows, total: best });
    }
    Ok(top_sum(score) / best)
}

/// Spearman rank correlation of `a` and `b` (Pearson correlation of their ranks, ties given their average rank,
/// as `scipy.stats.spearmanr`).
///
/// Errors: lengths differ, NaN/infinite values, fewer than 2 rows (`NoRows`), or a constant input
/// (`MetricUndefined`).
pub fn spearman(a: &[f64], b: &[f64]) -> Result<f64> {
    check_len("second variable", b.len(), "first variable", a.len())?;
    check_finite("first variable", a)?;
    check_finite("second variable", b)?;
    if a.len() < 2 {
        return Err(Error::NoRows);
    }
    let (ra, rb) = (average_ranks(a), average_ranks(b));
    let n = a.len() as f64;
    let mean = (n + 1.0) / 2.0; // ranks 1..n average to (n+1)/2, ties included
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in ra.iter().zip(&rb) {
        let (dx, dy) = (x - mean, y - mean);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    if saa == 0.0 || sbb == 0.0 {
        return Err(Error::MetricUndefined {
            metric: "rank correlation",
            reason: "one of the two columns has the same value on every row",
        });
    }
    Ok(sab / (saa * sbb).sqrt())
}

/// Ranks 1..n in ascending order, tied values sharing their average rank.
fn average_ranks(v: &[f64]) -> Vec<f64> {
    let r = Ranking::new(v); // descending; ties are contiguous blocks
    let n = v.len();
    let mut ranks = vec![0.0; n];
    let mut start = 0usize;
    for &end in &r.block_ends {
        let end = end as usize;
        // Descending positions start..end hold ascending ranks n−end+1 ..= n−start: average (2n − start − end + 1)/2.
        let avg = (2 * n - start - end + 1) as f64 / 2.0;
        for &row in &r.rows[start..end] {
            ranks[row as usize] = avg;
        }
        start = end;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_by_hand() {
        // true τ:  0.3  0.1  -0.1  0.2 ; share 0.5 → 2 rows.
        // Best two by truth: 0.3 + 0.2 = 0.5.
        // Score ranks rows 1, 3 first: 0.1 + 0.2 = 0.3 → 0.6.
        let tau = [0.3, 0.1, -0.1, 0.2];
        let s = [0.0, 0.9, 0.1, 0.8];
        assert!((capture_at(&s, &tau, 0.5).unwrap() - 0.6).abs() < 1e-15);
        assert_eq!(capture_at(&tau, &tau, 0.5).unwrap(), 1.0);
        let e = capture_at(&s, &[-0.1; 4], 0.5).unwrap_err();
        assert_eq!(e.to_string(), "The true effects of the top 2 rows add up to -0.2, so there are no incremental conversions to capture. Choose a larger share, or data where the campaign has a positive effect.");
        assert!(matches!(
            capture_at(&s, &tau, 0.1),
            Err(Error::BadParam { .. })
        ));
    }

    #[test]
    fn spearman_by_hand() {
        // a = 1 2 3 4 5, b = 5 6 7 8 7 → ranks of b: 1 2 3.5 5 3.5.
        // Rank deviations: a −2 −1 0 1 2; b −2 −1 0.5 2 0.5.
        // Σab = 4 + 1 + 0 + 2 + 1 = 8; Σa² = 10; Σb² = 4 + 1 + 0.25 + 4 + 0.25 = 9.5 → 8/√95 = 0.820782…
        let r = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[5.0, 6.0, 7.0, 8.0, 7.0]).unwrap();
        assert!((r - 8.0 / 95f64.sqrt()).abs() < 1e-15);
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]).unwrap(), -1.0);
        assert!(spearman(&[1.0, 1.0], &[1.0, 2.0]).is_err());
    }
}
