//! Per-feature quantile binning into `u8` codes, column-major; done once and shared by every model and fold.
//!
//! Bin 0 is reserved for missing values; finite values go to bins 1..=n_bins(j) (at most 255).
//! Does not choose which columns are features (see `roles`).

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
    /// rows used for the cuts is an even stride, not random.
    pub fn from_columns(columns: &[&[f64]], params: &BinParams) -> Self {
        let n_rows = columns.first().map_or(0, |c| c.len());
        let max_bins = params.max_bins.clamp(2, 255);
        let mut codes = Vec::with_capacity(n_rows * columns.len());
        let mut upper = Vec::with_capacity(columns.len());
        for col in columns {
            assert_eq!(
                col.len(),
                n_rows,
                "all feature columns must have the same length"
            );
            let cuts = quantile_cuts(col, max_bins, params.sample_rows.max(1));
            // In chunks of non-inlined calls: in wasm, V8 keeps a function that runs long in one call on its
            // baseline compiler.
            for c in col.chunks(16_384) {
                bin_chunk(&cuts, c, &mut codes);
            }
            upper.push(cuts);
        }
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
fn bin_chunk(cuts: &[f64], values: &[f64], codes: &mut Vec<u8>) {
    codes.extend(values.iter().map(|&v| bin_of(cuts, v)));
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
    let mut sample: Vec<f64> = col
        .iter()
        .step_by(stride)
        .copied()
        .filter(|v| !v.is_nan())
        .collect();
    if sample.is_empty() {
        return Vec::new();
    }
    sample.sort_by(|a, b| a.total_cmp(b));
    // Distinct values with their counts.
    let mut distinct: Vec<(f64, usize)> = Vec::new();
    for v in sample.iter().copied() {
        match distinct.last_mut() {
            Some((last, n)) if *last == v => *n += 1,
            _ => distinct.push((v, 1)),
        }
    }
    if distinct.len() <= max_bins {
        return distinct.iter().map(|&(v, _)| v).collect();
    }
    let total = sample.len() as f64;
    let mut cuts = Vec::with_capacity(max_bins);
    let mut seen = 0usize;
    let mut next_target = total / max_bins as f64;
    for (i, &(v, n)) in distinct.iter().enumerate() {
        seen += n;
        let is_last = i + 1 == distinct.len();
        if (seen as f64 >= next_target && cuts.len() + 1 < max_bins) || is_last {
            cuts.push(v);
            next_target =
                seen as f64 + (total - seen as f64) / (max_bins - cuts.len()).max(1) as f64;
        }
    }
    cuts
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
    fn indicator_columns_can_be_forced() {
        let col = [1.0, 2.0];
        let mut m = BinnedMatrix::from_columns(&[&col], &BinParams::default());
        m.push_indicator(&[true, false]);
        assert_eq!(m.column(1), &[2, 1]);
        m.set_indicator(1, false);
        assert_eq!(m.column(1), &[1, 1]);
    }
}
