//! Per-feature quantile binning into `u8` codes, column-major; done once and shared by every model and fold.
//!
//! Bin 0 is reserved for missing values; finite values go to bins 1..=n_bins(j) (at most 255).
//! Does not choose which columns are features (see `roles`).
//!
//! Speed (it is part of every fit's time; docs/BENCHMARKS.md, GBDT round 9): the cut sample is radix-sorted as
//! integers in `total_cmp` order, codes come from a per-feature bucket table (`CodeTable`: usually one
//! comparison per value instead of a binary search over 255 cuts), and natively the features run on rayon's
//! threads. The cuts and codes are exactly those of a comparison sort and a binary search (tested).

use serde::{Deserialize, Serialize};

/// The code every missing value (NaN) gets.
pub const MISSING_BIN: u8 = 0;

/// How to cut features into bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct BinParams {
    /// Most bins for the finite values of one feature, 2..=255 (default 255).
    pub max_bins: usize,
    /// Rows sampled to find the quantile cuts (default 200,000; all rows when fewer).
    pub sample_rows: usize,
}

impl Default for BinParams {
    fn default() -> Self {
        Self {
            max_bins: 255,
            sample_rows: 200_000,
        }
    }
}

/// Features as bin codes, column-major: `codes[j * n_rows + i]` is row i of feature j.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinnedMatrix {
    pub n_rows: usize,
    pub n_features: usize,
    pub codes: Vec<u8>,
    /// `upper[j][b - 1]` is the largest value in bin b of feature j (ascending); a value v goes to the
    /// first bin whose upper bound is ≥ v (the last bin takes everything above).
    pub upper: Vec<Vec<f64>>,
}

impl BinnedMatrix {
    /// Bin the given columns (each of length n_rows; NaN = missing). Deterministic: the sample of
    /// rows used for the cuts is an even stride, not random. Natively the features are binned on rayon's
    /// threads (each feature's cuts and codes depend only on its own column: same result on any thread count).
    pub fn from_columns(columns: &[&[f64]], params: &BinParams) -> Self {
        let n_rows = columns.first().map_or(0, |c| c.len());
        for col in columns {
            assert_eq!(
                col.len(),
                n_rows,
                "all feature columns must have the same length"
            );
        }
        let max_bins = params.max_bins.clamp(2, 255);
        let sample_rows = params.sample_rows.max(1);
        let mut codes = vec![0u8; n_rows * columns.len()];
        // One feature: its cuts, then its codes through a search table. In chunks of non-inlined calls: in
        // wasm, V8 keeps a function that runs long in one call on its baseline compiler.
        let one = |(out, col): (&mut [u8], &&[f64])| {
            let cuts = quantile_cuts(col, max_bins, sample_rows);
            let table = CodeTable::new(&cuts);
            for (o, c) in out.chunks_mut(16_384).zip(col.chunks(16_384)) {
                bin_chunk(&table, c, o);
            }
            cuts
        };
        let upper: Vec<Vec<f64>> = if n_rows == 0 {
            columns
                .iter()
                .map(|c| quantile_cuts(c, max_bins, sample_rows))
                .collect()
        } else {
            #[cfg(not(target_arch = "wasm32"))]
            {
                use rayon::prelude::*;
                codes
                    .par_chunks_mut(n_rows)
                    .zip(columns.par_iter())
                    .map(one)
                    .collect()
            }
            #[cfg(target_arch = "wasm32")]
            {
                codes
                    .chunks_mut(n_rows)
                    .zip(columns.iter())
                    .map(one)
                    .collect()
            }
        };
        Self {
            n_rows,
            n_features: columns.len(),
            codes,
            upper,
        }
    }

    /// The codes of feature j, one per row.
    pub fn column(&self, j: usize) -> &[u8] {
        &self.codes[j * self.n_rows..(j + 1) * self.n_rows]
    }

    /// Number of finite-value bins of feature j (codes 1..=n).
    pub fn n_bins(&self, j: usize) -> usize {
        self.upper[j].len()
    }

    /// The bin a raw value of feature j falls in (used to apply a model to new rows).
    pub fn bin_value(&self, j: usize, v: f64) -> u8 {
        bin_of(&self.upper[j], v)
    }

    /// Append a 0/1 column (e.g. the treatment indicator for the S-learner): bin 1 = false, 2 = true.
    pub fn push_indicator(&mut self, values: &[bool]) {
        assert_eq!(values.len(), self.n_rows);
        self.codes
            .extend(values.iter().map(|&b| if b { 2 } else { 1 }));
        self.upper.push(vec![0.0, 1.0]);
        self.n_features += 1;
    }

    /// Set every row of indicator column j to `value` (to predict "everyone treated" or "no one").
    pub fn set_indicator(&mut self, j: usize, value: bool) {
        let code = if value { 2 } else { 1 };
        let n = self.n_rows;
        self.codes[j * n..(j + 1) * n].fill(code);
    }
}

#[inline(never)]
fn bin_chunk(table: &CodeTable, values: &[f64], codes: &mut [u8]) {
    for (o, &v) in codes.iter_mut().zip(values) {
        *o = table.code(v);
    }
}

/// Buckets of a [`CodeTable`] (the value range between the first and last cut in equal steps).
const BUCKETS: usize = 4096;

/// [`bin_of`] for many values of one feature without a binary search over all cuts: a value's bucket
/// k = f(v) = ⌊(v − lo)·scale⌋ (clamped to the buckets) is monotone in v, so every cut in an earlier bucket is
/// below v and every cut in a later bucket above it; only the cuts of v's own bucket (`start[k]..start[k + 1]`,
/// usually none or one) are compared. Same codes as [`bin_of`] (tested), whatever the values (infinite cuts or
/// values: the steps may degenerate to one bucket, which is still exact, only slower).
struct CodeTable {
    lo: f64,
    scale: f64,
    /// `start[k]`: number of cuts in buckets before k (`start[BUCKETS]` = all cuts).
    start: Vec<u8>,
    /// The cuts followed by +∞ (so `cuts[start[k]]` can always be read).
    cuts: Vec<f64>,
}

impl CodeTable {
    fn new(cuts: &[f64]) -> Self {
        let (lo, hi) = match cuts {
            [a, .., b] => (*a, *b),
            _ => (0.0, 0.0),
        };
        let scale = if lo.is_finite() && hi.is_finite() && hi > lo {
            BUCKETS as f64 / (hi - lo)
        } else {
            0.0
        };
        let mut t = Self {
            lo,
            scale,
            start: vec![0; BUCKETS + 1],
            cuts: cuts.iter().copied().chain([f64::INFINITY]).collect(),
        };
        let mut i = 0usize;
        for k in 0..=BUCKETS {
            while i < cuts.len() && t.bucket(cuts[i]) < k {
                i += 1;
            }
            t.start[k] = i as u8;
        }
        t
    }

    /// The bucket of a value: monotone non-decreasing in v (a subtraction, a product by a constant ≥ 0 and a
    /// saturating conversion are each monotone under rounding; NaN ↦ 0).
    #[inline(always)]
    fn bucket(&self, v: f64) -> usize {
        (((v - self.lo) * self.scale) as usize).min(BUCKETS - 1)
    }

    /// The code of value `v`: the same as `bin_of(cuts, v)`.
    #[inline(always)]
    fn code(&self, v: f64) -> u8 {
        let n = self.cuts.len() - 1;
        if v.is_nan() || n == 0 {
            return MISSING_BIN;
        }
        let k = self.bucket(v);
        let (s, e) = (self.start[k] as usize, self.start[k + 1] as usize);
        // cuts[..s] < v < cuts[e..]: the index of the first cut ≥ v is in s..=e. With at most one cut in the
        // bucket one comparison decides (cuts[s] is the next bucket's first cut or +∞ when the bucket is empty).
        let idx = if e - s <= 1 {
            s + (self.cuts[s] < v) as usize
        } else {
            s + self.cuts[s..e].partition_point(|&c| c < v)
        };
        (idx.min(n - 1) + 1) as u8
    }
}

fn bin_of(cuts: &[f64], v: f64) -> u8 {
    if v.is_nan() || cuts.is_empty() {
        return MISSING_BIN;
    }
    // First cut ≥ v; values above every cut go to the last bin.
    let idx = cuts.partition_point(|&c| c < v).min(cuts.len() - 1);
    (idx + 1) as u8
}

/// Upper bounds of up to `max_bins` bins holding about equal numbers of sampled finite values.
/// Distinct values are never split across bins.
fn quantile_cuts(col: &[f64], max_bins: usize, sample_rows: usize) -> Vec<f64> {
    let stride = (col.len() / sample_rows).max(1);
    // The finite sample as unsigned integers in `f64::total_cmp`'s order (sign-magnitude → two's complement,
    // then the sign bit flipped), radix-sorted: the same array as sorting the floats by `total_cmp` (equal keys
    // are equal bits), cheaper than a comparison sort (in wasm especially).
    const SIGN: u64 = 1 << 63;
    let to_key = |b: u64| b ^ (((b as i64) >> 63) as u64 >> 1) ^ SIGN;
    let from_key = |k: u64| {
        let t = k ^ SIGN;
        f64::from_bits(t ^ (((t as i64) >> 63) as u64 >> 1))
    };
    let mut keys: Vec<u64> = col
        .iter()
        .step_by(stride)
        .filter(|v| !v.is_nan())
        .map(|v| to_key(v.to_bits()))
        .collect();
    if keys.is_empty() {
        return Vec::new();
    }
    radix_sort(&mut keys);
    let sample: Vec<f64> = keys.into_iter().map(from_key).collect();
    // Runs of equal values (−0 and 0 are one run: they compare equal and sort next to each other).
    let run_end = |i: usize| {
        let v = sample[i];
        i + 1 + sample[i + 1..].iter().take_while(|&&x| x == v).count()
    };
    let mut n_distinct = 0usize;
    let mut i = 0;
    while i < sample.len() {
        n_distinct += 1;
        i = run_end(i);
    }
    let mut cuts = Vec::with_capacity(n_distinct.min(max_bins));
    let total = sample.len() as f64;
    let mut seen = 0usize;
    let mut next_target = total / max_bins as f64;
    let mut i = 0;
    while i < sample.len() {
        let (v, end) = (sample[i], run_end(i));
        seen += end - i;
        let is_last = end == sample.len();
        // few distinct values: one bin each
        if n_distinct <= max_bins
            || (seen as f64 >= next_target && cuts.len() + 1 < max_bins)
            || is_last
        {
            cuts.push(v);
            next_target =
                seen as f64 + (total - seen as f64) / (max_bins - cuts.len()).max(1) as f64;
        }
        i = end;
    }
    cuts
}

/// Bits per digit of [`radix_sort`]: six passes over 64-bit keys (eight with bytes), with count tables that
/// stay in L1 (6 × 2,048 × 4 bytes).
const RADIX_BITS: usize = 11;
const RADIX: usize = 1 << RADIX_BITS;
const DIGITS: usize = 64_usize.div_ceil(RADIX_BITS);

/// LSD radix sort of `u64` keys by 11-bit digits (stable passes; a digit every key shares is skipped).
fn radix_sort(keys: &mut Vec<u64>) {
    let n = keys.len();
    let digit = |k: u64, p: usize| (k >> (RADIX_BITS * p)) as usize & (RADIX - 1);
    let mut counts = vec![[0u32; RADIX]; DIGITS];
    for &k in keys.iter() {
        for (p, c) in counts.iter_mut().enumerate() {
            c[digit(k, p)] += 1;
        }
    }
    let mut buf = vec![0u64; n];
    for (p, c) in counts.iter().enumerate() {
        if c.iter().any(|&x| x as usize == n) {
            continue;
        }
        let mut at = vec![0usize; RADIX];
        let mut sum = 0usize;
        for (a, &x) in at.iter_mut().zip(c) {
            *a = sum;
            sum += x as usize;
        }
        for &k in keys.iter() {
            let d = digit(k, p);
            buf[at[d]] = k;
            at[d] += 1;
        }
        std::mem::swap(keys, &mut buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_distinct_values_get_one_bin_each_and_missing_gets_zero() {
        let col = [3.0, 1.0, f64::NAN, 2.0, 3.0];
        let m = BinnedMatrix::from_columns(&[&col], &BinParams::default());
        // cuts are the distinct values 1, 2, 3 → bins 1, 2, 3; NaN → 0
        assert_eq!(m.column(0), &[3, 1, 0, 2, 3]);
        assert_eq!(m.n_bins(0), 3);
        assert_eq!(m.bin_value(0, 2.5), 3);
        assert_eq!(m.bin_value(0, 99.0), 3);
        assert_eq!(m.bin_value(0, -5.0), 1);
    }

    #[test]
    fn many_values_respect_max_bins_and_order() {
        let col: Vec<f64> = (0..10_000).map(|i| (i as f64).sqrt()).collect();
        let m = BinnedMatrix::from_columns(
            &[&col],
            &BinParams {
                max_bins: 16,
                sample_rows: 1_000_000,
            },
        );
        assert_eq!(m.n_bins(0), 16);
        let c = m.column(0);
        assert!(
            c.windows(2).all(|w| w[0] <= w[1]),
            "bins are monotone in the value"
        );
        // equal-frequency: every bin holds 625 ± 1 rows
        for b in 1..=16u8 {
            let n = c.iter().filter(|&&x| x == b).count();
            assert!((624..=626).contains(&n), "bin {b} holds {n}");
        }
    }

    #[test]
    fn cuts_sort_negative_zero_and_infinite_values_like_total_cmp() {
        // total_cmp order: −∞ < −2.5 < −1 < −1e-300 < −0 < 0 < 1e-300 < 3 < ∞; −0 and 0 are one distinct
        // value (they compare equal), kept as the first seen in that order, −0
        let col = [
            3.0,
            -1.0,
            0.0,
            -0.0,
            f64::NEG_INFINITY,
            f64::INFINITY,
            -2.5,
            1e-300,
            -1e-300,
            f64::NAN,
        ];
        let cuts = quantile_cuts(&col, 255, 1_000);
        let want = [
            f64::NEG_INFINITY,
            -2.5,
            -1.0,
            -1e-300,
            -0.0,
            1e-300,
            3.0,
            f64::INFINITY,
        ];
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&cuts), bits(&want));
    }

    #[test]
    fn radix_sort_sorts_like_sort_unstable() {
        // keys with every byte varying, duplicates, and a byte all keys share (skipped pass)
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut keys: Vec<u64> = (0..5_000)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                if i % 7 == 0 {
                    42
                } else {
                    x & !(0xff << 40)
                }
            })
            .collect();
        let mut want = keys.clone();
        want.sort_unstable();
        radix_sort(&mut keys);
        assert_eq!(keys, want);
    }

    #[test]
    fn the_code_table_gives_the_codes_of_the_binary_search() {
        // Cut sets: even, skewed (most cuts in one bucket), with ±∞ and ±0, one cut, none; values: the cuts
        // themselves, their neighbours one ulp away, values between and beyond, ±∞, NaN.
        let even: Vec<f64> = (0..255).map(|i| i as f64 * 0.5 - 3.0).collect();
        let skewed: Vec<f64> = (0..200)
            .map(|i| 1e-6 * i as f64)
            .chain([1.0, 1e3, 1e9])
            .collect();
        let odd = vec![f64::NEG_INFINITY, -1.0, -0.0, 2.5, f64::INFINITY];
        let huge = vec![-1e308, 0.0, 1e308];
        for cuts in [even, skewed, odd, huge, vec![7.0], vec![]] {
            let table = CodeTable::new(&cuts);
            let mut values = vec![
                f64::NAN,
                f64::INFINITY,
                f64::NEG_INFINITY,
                0.0,
                -0.0,
                1e300,
                -1e300,
            ];
            for &c in &cuts {
                values.extend([c, c.next_up(), c.next_down(), c + 0.25, c - 0.25, c * 1.5]);
            }
            for v in values {
                assert_eq!(table.code(v), bin_of(&cuts, v), "cuts {cuts:?}, value {v}");
            }
        }
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn binning_is_the_same_on_one_thread_as_on_several() {
        // two columns of 50,000 rows: codes and cuts must not depend on how the features are spread
        let a: Vec<f64> = (0..50_000).map(|i| ((i * 7919) % 1000) as f64).collect();
        let b: Vec<f64> = (0..50_000)
            .map(|i| {
                if i % 10 == 0 {
                    f64::NAN
                } else {
                    (i as f64).ln()
                }
            })
            .collect();
        let many = BinnedMatrix::from_columns(&[&a, &b], &BinParams::default());
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| BinnedMatrix::from_columns(&[&a, &b], &BinParams::default()));
        assert_eq!(many, one);
        for j in 0..2 {
            let col = if j == 0 { &a } else { &b };
            let want: Vec<u8> = col.iter().map(|&v| bin_of(&many.upper[j], v)).collect();
            assert_eq!(many.column(j), &want[..]);
        }
    }

    #[test]
    fn indicator_columns_can_be_forced() {
        let col = [1.0, 2.0];
        let mut m = BinnedMatrix::from_columns(&[&col], &BinParams::default());
        m.push_indicator(&[true, false]);
        assert_eq!(m.column(1), &[2, 1]);
        m.set_indicator(1, false);
        assert_eq!(m.column(1), &[1, 1]);
    }
}
