//! The ranking every metric shares: rows sorted by score, and the tie blocks of equal scores. No metric maths.
//!
//! Convention (scikit-uplift 0.5.1, `np.argsort(score, kind="mergesort")[::-1]`): descending score; among equal
//! scores the row with the LARGER index comes first. `-0.0` and `0.0` are equal. Scores must be finite
//! (checked by the callers).

/// Rows in ranking order and the tie blocks (runs of equal scores) of that order.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// Row indices, best score first (scikit-uplift order, see the module docs).
    pub rows: Vec<u32>,
    /// Exclusive end (position in `rows`) of each tie block; the last one is `rows.len()`.
    /// scikit-uplift's curves have one point per tie block, at its end.
    pub block_ends: Vec<u32>,
}

/// How [`sorted_by_score`] orders rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Order {
    /// Highest score first (else lowest first).
    pub descending: bool,
    /// −0.0 and 0.0 are one score (as `==` and `partial_cmp` have it); else −0.0 comes below 0.0
    /// (`total_cmp`).
    pub zeros_equal: bool,
    /// Among equal scores the larger row index first (else the smaller).
    pub larger_row_first: bool,
}

/// Rows sorted by score: `rows` in order and each one's sort key (`keys[i]` belongs to `rows[i]`; equal keys ⇔
/// equal scores under the order's rule, so tie blocks are runs of equal keys, read by value).
pub(crate) struct Sorted {
    pub keys: Vec<u64>,
    pub rows: Vec<u32>,
}

impl Sorted {
    /// The tie blocks in order: each a range of positions (in `rows` / `keys`) whose keys are equal, i.e. rows of
    /// equal scores under the order's rule.
    pub fn tie_blocks(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let n = self.keys.len();
        let mut start = 0;
        std::iter::from_fn(move || {
            if start >= n {
                return None;
            }
            let key = self.keys[start];
            let end = start + self.keys[start..].iter().take_while(|&&k| k == key).count();
            let block = start..end;
            start = end;
            Some(block)
        })
    }
}

/// A u64 whose unsigned order is `total_cmp`'s order of `s` (ascending).
pub(crate) fn total_order_key(s: f64) -> u64 {
    let b = s.to_bits();
    // flip every bit of negatives, only the sign bit of positives
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// Digit width of the radix sort: 6 passes over a u64 key, 2,048 buckets (16 KB of counts: in L1).
const RADIX_BITS: u32 = 11;

/// Rows `0..score.len()` (fewer than 2³² rows) sorted by score as `order` says, every tie broken by row, so the
/// result is one permutation whatever the sort. A least-significant-digit radix sort of the keys: a stable pass
/// per 11-bit digit (skipped when every key has the same digit), started from the rows in the order ties
/// must take — O(n) and the same on every target, where a comparison sort of 2M rows cost ≈ 4× more CPU.
/// Shared by the metrics' ranking, the campaign's policies, the propensity AUC and auto's ranks.
pub(crate) fn sorted_by_score(score: &[f64], order: Order) -> Sorted {
    let n = score.len();
    let key = |s: f64| {
        let s = if order.zeros_equal && s == 0.0 {
            0.0
        } else {
            s
        };
        let k = total_order_key(s);
        if order.descending {
            !k
        } else {
            k
        }
    };
    let (mut keys, mut rows): (Vec<u64>, Vec<u32>) = if order.larger_row_first {
        (0..n).rev().map(|i| (key(score[i]), i as u32)).unzip()
    } else {
        (0..n).map(|i| (key(score[i]), i as u32)).unzip()
    };
    let passes = 64_u32.div_ceil(RADIX_BITS) as usize;
    let buckets = 1usize << RADIX_BITS;
    let digit = |k: u64, p: usize| (k >> (p as u32 * RADIX_BITS)) as usize & (buckets - 1);
    let mut counts = vec![0usize; passes * buckets];
    for &k in &keys {
        for p in 0..passes {
            counts[p * buckets + digit(k, p)] += 1;
        }
    }
    let (mut keys2, mut rows2) = (Vec::new(), Vec::new());
    for p in 0..passes {
        let count = &mut counts[p * buckets..(p + 1) * buckets];
        if count.contains(&n) {
            continue; // one digit for every key: the pass would not move anything
        }
        // counts → starting positions
        let mut at = 0;
        for c in count.iter_mut() {
            let here = *c;
            *c = at;
            at += here;
        }
        if keys2.is_empty() {
            (keys2, rows2) = (vec![0u64; n], vec![0u32; n]);
        }
        for (&k, &r) in keys.iter().zip(&rows) {
            let d = digit(k, p);
            let to = count[d];
            count[d] += 1;
            keys2[to] = k;
            rows2[to] = r;
        }
        std::mem::swap(&mut keys, &mut keys2);
        std::mem::swap(&mut rows, &mut rows2);
    }
    Sorted { keys, rows }
}

impl Ranking {
    /// Sorts once (a radix sort, O(n)). `score` must be finite and shorter than 2³² rows.
    pub fn new(score: &[f64]) -> Ranking {
        // Descending score (−0.0 = 0.0), then descending index.
        let sorted = sorted_by_score(
            score,
            Order {
                descending: true,
                zeros_equal: true,
                larger_row_first: true,
            },
        );
        // np.diff(score) != 0 marks the end of a block (equal keys ⇔ equal scores).
        let block_ends = sorted.tie_blocks().map(|b| b.end as u32).collect();
        Ranking {
            rows: sorted.rows,
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

    /// The ranking is the order of a plain stable sort by the same rule, on many rows with many ties (scores
    /// on a coarse grid, including -0.0 and 0.0).
    #[test]
    fn order_matches_the_sequential_rule() {
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

    /// Every order of `sorted_by_score` is the one a stable comparison sort gives by the same rule, on rows with
    /// many ties, both zeros, negatives and a wide range of magnitudes (every radix digit in play); and the
    /// keys tie exactly where the scores do.
    #[test]
    fn radix_order_matches_a_comparison_sort() {
        use rand::{Rng, SeedableRng};
        use std::cmp::Ordering;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let score: Vec<f64> = (0..50_000)
            .map(|_| match rng.gen_range(0..6) {
                0 => -0.0,
                1 => 0.0,
                2 => f64::from(rng.gen_range(-50i32..50)) / 7.0,
                3 => rng.gen_range(-1e-300..1e-300),
                4 => rng.gen_range(-1e300..1e300),
                _ => rng.gen_range(-1.0..1.0),
            })
            .collect();
        for descending in [false, true] {
            for zeros_equal in [false, true] {
                for larger_row_first in [false, true] {
                    let order = Order {
                        descending,
                        zeros_equal,
                        larger_row_first,
                    };
                    let cmp = |a: f64, b: f64| -> Ordering {
                        let o = if zeros_equal {
                            a.partial_cmp(&b).unwrap()
                        } else {
                            a.total_cmp(&b)
                        };
                        if descending {
                            o.reverse()
                        } else {
                            o
                        }
                    };
                    let mut expected: Vec<u32> = (0..score.len() as u32).collect();
                    if larger_row_first {
                        expected.reverse();
                    }
                    expected.sort_by(|&a, &b| cmp(score[a as usize], score[b as usize]));
                    let got = sorted_by_score(&score, order);
                    assert_eq!(got.rows, expected, "{order:?}");
                    for w in 1..got.rows.len() {
                        let (a, b) = (score[got.rows[w - 1] as usize], score[got.rows[w] as usize]);
                        assert_eq!(
                            got.keys[w - 1] == got.keys[w],
                            cmp(a, b) == Ordering::Equal,
                            "{order:?} at {w}"
                        );
                    }
                }
            }
        }
        // every key the same (all passes skipped), one row, none
        let same = sorted_by_score(
            &[2.5; 5],
            Order {
                descending: true,
                zeros_equal: true,
                larger_row_first: true,
            },
        );
        assert_eq!(same.rows, vec![4, 3, 2, 1, 0]);
        let one = sorted_by_score(
            &[1.0],
            Order {
                descending: false,
                zeros_equal: false,
                larger_row_first: false,
            },
        );
        assert_eq!(one.rows, vec![0]);
        assert!(sorted_by_score(
            &[],
            Order {
                descending: false,
                zeros_equal: false,
                larger_row_first: false
            }
        )
        .rows
        .is_empty());
    }
}
