//! The ranking every metric shares: rows sorted by score, and the tie blocks of equal scores. No metric maths.
//!
//! Convention (scikit-uplift 0.5.1, `np.argsort(score, kind="mergesort")[::-1]`): descending score; among equal
//! scores the row with the LARGER index comes first. `-0.0` and `0.0` are equal. Scores must be finite
//! (checked by the callers).

use std::cmp::Ordering;

/// Rows in ranking order and the tie blocks (runs of equal scores) of that order.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// Row indices, best score first (scikit-uplift order, see the module docs).
    pub rows: Vec<u32>,
    /// Exclusive end (position in `rows`) of each tie block; the last one is `rows.len()`.
    /// scikit-uplift's curves have one point per tie block, at its end.
    pub block_ends: Vec<u32>,
}

/// (score, row) pairs sorted by `order`, read by value (no look-ups through the scores). `order` must be a
/// strict total order (ties broken by row), so the unstable sort is deterministic and, natively, the thread
/// pool's parallel sort gives the very same order as the sequential one wasm uses. Shared by the metrics'
/// ranking, the campaign's policies and the propensity AUC.
pub(crate) fn keyed_sorted(
    score: &[f64],
    order: impl Fn(&(f64, u32), &(f64, u32)) -> Ordering + Sync,
) -> Vec<(f64, u32)> {
    let mut keyed: Vec<(f64, u32)> = score
        .iter()
        .enumerate()
        .map(|(i, &s)| (s, i as u32))
        .collect();
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        keyed.par_sort_unstable_by(order);
    }
    #[cfg(target_arch = "wasm32")]
    keyed.sort_unstable_by(order);
    keyed
}

impl Ranking {
    /// Sorts once; O(n log n). `score` must be finite and shorter than 2³² rows.
    pub fn new(score: &[f64]) -> Ranking {
        // Descending score, then descending index.
        let keyed = keyed_sorted(score, |a, b| match b.0.partial_cmp(&a.0) {
            Some(Ordering::Equal) | None => b.1.cmp(&a.1),
            Some(o) => o,
        });
        let mut block_ends = Vec::new();
        for pos in 1..keyed.len() {
            // np.diff(score) != 0 marks the end of a block.
            if keyed[pos].0 != keyed[pos - 1].0 {
                block_ends.push(pos as u32);
            }
        }
        if !keyed.is_empty() {
            block_ends.push(keyed.len() as u32);
        }
        Ranking {
            rows: keyed.into_iter().map(|(_, i)| i).collect(),
            block_ends,
        }
    }

    /// Number of rows ranked.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when no row is ranked.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn larger_index_first_among_ties() {
        // scores:   0.5  0.9  0.5  0.1  0.9  -0.0  0.0
        // desc order: 0.9 (rows 4, 1), 0.5 (rows 2, 0), 0.0/-0.0 (rows 6, 5), 0.1 sits before the zeros.
        let r = Ranking::new(&[0.5, 0.9, 0.5, 0.1, 0.9, -0.0, 0.0]);
        assert_eq!(r.rows, vec![4, 1, 2, 0, 3, 6, 5]);
        // Blocks: {4,1} ends at 2, {2,0} at 4, {3} at 5, {6,5} at 7.
        assert_eq!(r.block_ends, vec![2, 4, 5, 7]);
    }

    #[test]
    fn constant_and_empty() {
        let r = Ranking::new(&[1.0; 3]);
        assert_eq!(r.rows, vec![2, 1, 0]);
        assert_eq!(r.block_ends, vec![3]);
        assert!(Ranking::new(&[]).is_empty());
    }

    /// The parallel sort (natively) gives the order of a plain sequential sort by the same rule, on many rows
    /// with many ties (scores on a coarse grid, including -0.0 and 0.0).
    #[test]
    fn parallel_order_matches_the_sequential_rule() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let score: Vec<f64> = (0..100_000)
            .map(|_| match rng.gen_range(0..3) {
                0 => -0.0,
                _ => f64::from(rng.gen_range(-50i32..50)) / 7.0,
            })
            .collect();
        let mut expected: Vec<u32> = (0..score.len() as u32).collect();
        // Stable sort of descending indices by descending score = larger index first among ties.
        expected.reverse();
        expected.sort_by(|&a, &b| score[b as usize].partial_cmp(&score[a as usize]).unwrap());
        assert_eq!(Ranking::new(&score).rows, expected);
    }
}
