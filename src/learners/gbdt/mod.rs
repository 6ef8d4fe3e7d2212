//! Histogram gradient-boosted trees: our own, because it is the product's speed.
//!
//! Reading order: [`params`] (settings and their checks) → [`grow`](self) (histograms, splits, one tree) →
//! [`tree`] (fitted trees) → this file (boosting rounds, early stopping, the fitted [`GbdtModel`]).
//!
//! Features arrive pre-binned (`u8` codes, bin 0 = missing); splits are bin thresholds with a learned
//! direction for missing values. Log loss and squared error, sample weights, `scale_pos_weight` with the
//! probabilities mapped back exactly (p = p_w / (p_w + w·(1 − p_w))), row subsampling, early stopping on a
//! seeded validation part, gain importance. Same data + params ⇒ bit-identical model natively and in wasm.

mod grow;
pub mod params;
mod predict;
#[cfg(test)]
mod tests;
pub mod tree;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::data::binning::MISSING_BIN;
use crate::error::{Error, Result};
use crate::learners::{CancelFn, Design, FitData, Learner, Objective, Predictor};
#[cfg(target_arch = "wasm32")]
use grow::add_range;
#[cfg(not(target_arch = "wasm32"))]
use grow::range_hist;
use grow::{root_hist, Grads, Grower, Layout, LeafNum, QRows, RowGrad, TrainSet, NB};
pub use params::{GbdtParams, ScalePosWeight};
use predict::{FlatForest, BLOCK};
pub use tree::{Node, Tree};

/// Seed offset of the stream of stochastic-rounding keys (kept apart from the sampling stream, so turning
/// quantization on or off does not change which rows are held out or subsampled).
const QUANT_SEED: u64 = 0x5175_616e_7469_7a65;

/// The gradient-boosted trees learner.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gbdt {
    pub params: GbdtParams,
}

/// Called after every round with (rounds done, rounds planned).
pub type ProgressFn<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// A fitted model. For log loss it predicts calibrated probabilities (positive weighting mapped back).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GbdtModel {
    pub objective: Objective,
    /// Feature names, one per design column the model was trained on.
    pub names: Vec<String>,
    /// Starting raw score: weighted mean target (log-odds for log loss) in the weighted space.
    pub base_score: f64,
    /// Weight positives had while training (1 = none); predictions are mapped back with it.
    pub pos_weight: f64,
    /// The trees kept (after early stopping: up to the best round).
    pub trees: Vec<Tree>,
    /// Held-out loss after each round run (weighted log loss or mean squared error in the training
    /// weighting); empty without a validation part.
    pub valid_loss: Vec<f64>,
    /// Training loss after the last round run (same definition as `valid_loss`, on the training rows).
    pub train_loss: f64,
}

impl GbdtModel {
    /// Number of trees used to predict (fewer than `trees` when early stopping cut the run short).
    pub fn n_trees(&self) -> usize {
        self.trees.len()
    }

    /// Total split gain per feature over the kept trees, largest first (ties in column order).
    pub fn feature_importance(&self) -> Vec<(String, f64)> {
        let mut gain = vec![0.0f64; self.names.len()];
        for t in &self.trees {
            for n in &t.nodes {
                if let Node::Split {
                    feature, gain: g, ..
                } = n
                {
                    if let Some(x) = gain.get_mut(*feature as usize) {
                        *x += g;
                    }
                }
            }
        }
        let mut out: Vec<(String, f64)> = self.names.iter().cloned().zip(gain).collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }

    /// Raw score (before the link function) of one design row.
    fn raw_score(&self, design: &Design, row: usize) -> f64 {
        let n = design.binned.n_rows;
        let nf = design.binned.n_features;
        let codes = &design.binned.codes;
        let mut s = self.base_score;
        for t in &self.trees {
            s += t.value(|j| {
                if j < nf {
                    codes[j * n + row]
                } else {
                    MISSING_BIN
                }
            });
        }
        s
    }

    /// Map a raw score to the prediction: the mapped-back probability for log loss, the value otherwise.
    fn link(&self, s: f64) -> f64 {
        match self.objective {
            Objective::SquaredError => s,
            Objective::LogLoss => {
                let pw = sigmoid(s);
                let w = self.pos_weight;
                if w == 1.0 {
                    pw
                } else {
                    pw / (pw + w * (1.0 - pw))
                }
            }
        }
    }
}

impl Predictor for GbdtModel {
    fn predict(&self, design: &Design, rows: &[u32]) -> Vec<f64> {
        let n = design.binned.n_rows;
        if let Some(forest) =
            FlatForest::new(&self.trees, self.base_score, design.binned.n_features)
        {
            let codes = &design.binned.codes;
            let mut out = vec![0.0; rows.len()];
            let block = |scratch: &mut Vec<u8>, (o, r): (&mut [f64], &[u32])| {
                forest.raw_block(codes, n, r, o, scratch);
                for v in o.iter_mut() {
                    *v = self.link(*v);
                }
            };
            #[cfg(not(target_arch = "wasm32"))]
            {
                use rayon::prelude::*;
                out.par_chunks_mut(BLOCK)
                    .zip(rows.par_chunks(BLOCK))
                    .for_each_init(Vec::new, block);
            }
            #[cfg(target_arch = "wasm32")]
            {
                let mut scratch = Vec::new();
                out.chunks_mut(BLOCK)
                    .zip(rows.chunks(BLOCK))
                    .for_each(|x| block(&mut scratch, x));
            }
            return out;
        }
        let one = |&r: &u32| self.link(self.raw_score(design, r as usize));
        #[cfg(not(target_arch = "wasm32"))]
        {
            use rayon::prelude::*;
            rows.par_iter().map(one).collect()
        }
        #[cfg(target_arch = "wasm32")]
        {
            rows.iter().map(one).collect()
        }
    }
}

fn sigmoid(s: f64) -> f64 {
    1.0 / (1.0 + libm::exp(-s))
}

impl Learner for Gbdt {
    fn fit(
        &self,
        data: &FitData,
        objective: Objective,
        cancel: CancelFn,
    ) -> Result<Box<dyn Predictor>> {
        Ok(Box::new(self.fit_model(
            data,
            objective,
            cancel,
            &|_, _| {},
        )?))
    }
    fn name(&self) -> &'static str {
        "gbdt"
    }
    fn reads_raw(&self) -> bool {
        false
    }
}

/// Checked per-row inputs: targets and effective weights (sample weight × positive weight).
struct Checked {
    y: Vec<f32>,
    w: Vec<f32>,
    pos_weight: f64,
}

fn check_inputs(data: &FitData, objective: Objective, p: &GbdtParams) -> Result<Checked> {
    let n = data.rows.len();
    if n == 0 {
        return Err(Error::NoRows);
    }
    if data.target.len() != n {
        return Err(Error::LengthMismatch {
            what: "the target",
            found: data.target.len(),
            reference: "the list of rows",
            expected: n,
        });
    }
    if let Some(w) = data.weight {
        if w.len() != n {
            return Err(Error::LengthMismatch {
                what: "the sample weights",
                found: w.len(),
                reference: "the list of rows",
                expected: n,
            });
        }
    }
    let n_design = data.design.n_rows();
    if let Some(i) = data.rows.iter().position(|&r| r as usize >= n_design) {
        return Err(Error::BadParam {
            name: "rows",
            expected: "row numbers inside the data",
            found: data.rows[i].to_string(),
        });
    }
    let mut y = Vec::with_capacity(n);
    let mut w = Vec::with_capacity(n);
    let (mut wpos, mut wneg) = (0.0f64, 0.0f64);
    for i in 0..n {
        let t = data.target[i];
        if !t.is_finite() {
            return Err(Error::NotANumber {
                what: "the target",
                row: data.rows[i] as usize,
            });
        }
        if objective == Objective::LogLoss && t != 0.0 && t != 1.0 {
            return Err(Error::OutcomeNotBinary {
                row: data.rows[i] as usize,
                found: t.to_string(),
            });
        }
        let wi = data.weight.map_or(1.0, |w| w[i]);
        if !wi.is_finite() {
            return Err(Error::NotANumber {
                what: "the sample weight",
                row: data.rows[i] as usize,
            });
        }
        if wi < 0.0 {
            return Err(Error::NegativeWeight {
                row: data.rows[i] as usize,
                found: wi.to_string(),
            });
        }
        if t == 1.0 {
            wpos += wi;
        } else {
            wneg += wi;
        }
        y.push(t as f32);
        w.push(wi as f32);
    }
    if wpos + wneg <= 0.0 {
        return Err(Error::AllWeightsZero);
    }
    let pos_weight = match (objective, p.scale_pos_weight) {
        (Objective::SquaredError, _) | (_, ScalePosWeight::Off) => 1.0,
        (_, ScalePosWeight::Value(v)) => v,
        (_, ScalePosWeight::Auto) => {
            if wpos > 0.0 && wneg > 0.0 {
                wneg / wpos
            } else {
                1.0
            }
        }
    };
    if pos_weight != 1.0 {
        let pw = pos_weight as f32;
        for (wi, &yi) in w.iter_mut().zip(&y) {
            if yi == 1.0 {
                *wi *= pw;
            }
        }
    }
    Ok(Checked { y, w, pos_weight })
}

/// Column-major codes of the given design rows.
fn gather_cols(design: &Design, rows: &[u32]) -> Vec<u8> {
    let n = design.n_rows();
    let mut out = Vec::with_capacity(rows.len() * design.n_features());
    // every row in order (a fit on a whole design): the columns as they are
    let all = rows.len() == n && rows.iter().enumerate().all(|(i, &r)| r as usize == i);
    for j in 0..design.n_features() {
        let col = &design.binned.codes[j * n..(j + 1) * n];
        if all {
            out.extend_from_slice(col);
        } else {
            out.extend(rows.iter().map(|&r| col[r as usize]));
        }
    }
    out
}

/// Row-major codes of the given design rows.
fn gather(design: &Design, rows: &[u32]) -> Vec<u8> {
    let nf = design.n_features();
    let n = design.n_rows();
    let mut out = vec![0u8; rows.len() * nf];
    for j in 0..nf {
        let col = &design.binned.codes[j * n..(j + 1) * n];
        for (o, &r) in out.iter_mut().skip(j).step_by(nf.max(1)).zip(rows) {
            *o = col[r as usize];
        }
    }
    out
}

/// Row-major histogram codes of the given design rows ([`Layout`]: a bundle's code is the sum of its features'
/// codes times their radixes).
fn gather_hist(design: &Design, rows: &[u32], layout: &Layout) -> Vec<u8> {
    if layout.is_identity() {
        return gather(design, rows);
    }
    let hf = layout.width();
    let n = design.n_rows();
    let mut out = vec![0u8; rows.len() * hf];
    for (c, members) in layout.cols.iter().enumerate() {
        for &(j, radix, _) in members {
            let col = &design.binned.codes[j * n..(j + 1) * n];
            // Σ code × radix < the product of the code counts ≤ 256: no overflow
            for (o, &r) in out.iter_mut().skip(c).step_by(hf).zip(rows) {
                *o += col[r as usize] * radix as u8;
            }
        }
    }
    out
}

/// Weighted mean loss of raw scores (summed in row order, in chunks: see [`PASS`]).
fn mean_loss(objective: Objective, score: &[f64], y: &[f32], w: &[f32]) -> f64 {
    let mut acc = [0.0f64; 2];
    for ((s, y), w) in score.chunks(PASS).zip(y.chunks(PASS)).zip(w.chunks(PASS)) {
        loss_chunk(objective, s, y, w, &mut acc);
    }
    if acc[1] > 0.0 {
        acc[0] / acc[1]
    } else {
        0.0
    }
}

#[inline(never)]
fn loss_chunk(objective: Objective, score: &[f64], y: &[f32], w: &[f32], acc: &mut [f64; 2]) {
    let [mut num, mut den] = *acc;
    for ((&s, &yi), &wi) in score.iter().zip(y).zip(w) {
        let l = match objective {
            // log(1 + e^s) − y·s, computed stably
            Objective::LogLoss => {
                let sp = if s > 0.0 {
                    s + libm::log1p(libm::exp(-s))
                } else {
                    libm::log1p(libm::exp(s))
                };
                sp - yi as f64 * s
            }
            Objective::SquaredError => {
                let d = s - yi as f64;
                d * d
            }
        };
        num += wi as f64 * l;
        den += wi as f64;
    }
    *acc = [num, den];
}

/// `e^x` in `f32` from basic IEEE operations only (Cephes' polynomial, relative error ≈ 2·10⁻⁷), so the
/// gradient loop vectorizes and gives the same bits natively and in wasm. Inputs are clamped to
/// [−87, 88] (the result stays a normal number).
#[inline(always)]
fn exp_f32(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // 1.5·2²³: adding it rounds x·log2 e to the nearest integer k (|k| < 2²²), which then sits in the low
    // mantissa bits of t (t stays in [2²³, 2²⁴), where one unit is one step of the mantissa): k as an integer is
    // t's bits minus ROUND's bits. A float → int cast (`k as i32`) would saturate, which compiles to scalar
    // conversions and compares per lane natively; the bit difference is one vector integer subtraction.
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let t = x * LOG2E + ROUND;
    let k = t - ROUND;
    let ki = t.to_bits().wrapping_sub(ROUND.to_bits()) as i32;
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let mut p = 1.987_569_1e-4f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 5e-1;
    let e = p * r * r + r + 1.0;
    e * f32::from_bits((ki.wrapping_add(127) as u32) << 23)
}

/// Rows per call in the per-row passes (gradients, quantization, loss). In wasm, V8 keeps a function that runs
/// long in ONE call on its baseline compiler (no on-stack replacement), so every pass is a loop over calls of
/// a non-inlined chunk function; natively the chunks run on rayon's threads.
const PASS: usize = 16_384;

/// Gradient and hessian of every training row at the current scores (f32, packed; the float-gradient path).
fn gradients(objective: Objective, score: &[f64], y: &[f32], w: &[f32], gh: &mut [[f32; 2]]) {
    let one = |(((g, s), y), w)| gradients_chunk(objective, s, y, w, g);
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        gh.par_chunks_mut(PASS)
            .zip(score.par_chunks(PASS))
            .zip(y.par_chunks(PASS))
            .zip(w.par_chunks(PASS))
            .for_each(one);
    }
    #[cfg(target_arch = "wasm32")]
    gh.chunks_mut(PASS)
        .zip(score.chunks(PASS))
        .zip(y.chunks(PASS))
        .zip(w.chunks(PASS))
        .for_each(one);
}

/// One chunk of [`gradients`].
#[inline(never)]
fn gradients_chunk(objective: Objective, score: &[f64], y: &[f32], w: &[f32], gh: &mut [[f32; 2]]) {
    for (((g, &s), &yi), &wi) in gh.iter_mut().zip(score).zip(y).zip(w) {
        *g = match objective {
            Objective::LogLoss => {
                let p = 1.0 / (1.0 + exp_f32(-(s as f32)));
                [(p - yi) * wi, (p * (1.0 - p)).max(1e-16) * wi]
            }
            Objective::SquaredError => [(s as f32 - yi) * wi, wi],
        };
    }
}

/// A 32-bit integer hash (Wellons' "lowbias32"): the per-row noise of the stochastic rounding.
#[inline(always)]
fn mix32(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x7feb_352d);
    x ^= x >> 15;
    x = x.wrapping_mul(0x846c_a68b);
    x ^ (x >> 16)
}

/// Largest integer |grad| and hess per row for `n` rows: the sums over all rows must fit the packed
/// cell (|Σg| < 2³¹, Σh < 2³²); at most 2¹⁵ / 2¹⁶ levels.
fn quant_levels(n: usize) -> (i32, i32) {
    let n = n.max(1);
    let g = (i32::MAX as usize / n).clamp(1, 1 << 15) as i32;
    let h = (u32::MAX as usize / n).clamp(1, 1 << 16) as i32;
    (g, h)
}

/// `x` limited to `lo..=hi` (NaN ↦ `lo`) by comparisons: `f32::max` / `min` are calls of `fmaxf` / `fminf` in
/// wasm (their NaN rule differs from wasm's), which stop the loop from vectorizing.
#[inline(always)]
fn within(x: f32, lo: f32, hi: f32) -> f32 {
    let x = if x >= lo { x } else { lo };
    if x <= hi {
        x
    } else {
        hi
    }
}

/// Settings of one round's quantization.
struct Quant {
    /// Largest |grad| and hess levels (≤ 2¹⁵, 2¹⁶: exact in `f32`).
    levels: [f32; 2],
    /// Levels per gradient unit.
    inv: [f32; 2],
    /// The round's key of the rounding noise.
    key: u32,
}

impl Quant {
    /// The quantization of `n` rows whose largest |grad| and hess are `max`, and the scales (s_g, s_h) that
    /// turn integer sums back into gradient units (exactly 1 / `inv`).
    fn new(n: usize, max: [f32; 2], key: u32) -> (Self, [f64; 2]) {
        let (gl, hl) = quant_levels(n);
        let inv = |m: f32, l: i32| {
            if m > 0.0 {
                (l as f64 / m as f64) as f32
            } else {
                0.0
            }
        };
        let inv = [inv(max[0], gl), inv(max[1], hl)];
        let sc = |i: f32| if i > 0.0 { 1.0 / i as f64 } else { 0.0 };
        let q = Quant {
            levels: [gl as f32, hl as f32],
            inv,
            key,
        };
        (q, [sc(inv[0]), sc(inv[1])])
    }

    /// The quantized levels of (g, h) for training row `r` (grad in two's complement; packed as g·2³² + h by
    /// [`Quant::pack_block`]): ⌊x + u⌋ computed as x + u − ½ rounded to
    /// the nearest integer by adding 1.5·2²³ (the integer lands in the low mantissa bits; |x| ≤ 2¹⁶ < 2²²),
    /// clamped first. All in `f32` lanes: x = g·levels/max carries a relative error of 2⁻²⁴ (≤ 2⁻⁸ of a level
    /// at 2¹⁶ levels), negligible next to the rounding step of one level. The noise of both halves comes from
    /// one 32-bit hash of (row, key): its low 16 bits for grad, its high 16 bits for hess (u in steps of 2⁻¹⁶).
    /// Plain float adds, integer → float conversions of 16-bit values and bit operations: the loop vectorizes
    /// (a saturating float → int conversion does not).
    #[inline(always)]
    fn levels_of(&self, r: u32, g: f32, h: f32) -> [u32; 2] {
        const U: f32 = 1.0 / 65_536.0;
        const MAGIC: f32 = 12_582_912.0;
        let z = mix32(r.wrapping_add(self.key));
        let ug = (z & 0xffff) as i32 as f32 * U - 0.5;
        let uh = (z >> 16) as i32 as f32 * U - 0.5;
        let [gl, hl] = self.levels;
        let xg = within(g * self.inv[0] + ug, -gl, gl) + MAGIC;
        let xh = within(h * self.inv[1] + uh, 0.0, hl) + MAGIC;
        let m = MAGIC.to_bits();
        [xg.to_bits().wrapping_sub(m), xh.to_bits().wrapping_sub(m)]
    }

    /// The packed levels g·2³² + h (grad level in the high half, two's complement; hess level ≥ 0 in the low half)
    /// of a block of rows `r0..` (at most [`BLOCK_ROWS`]) into `out`: the levels first, in `u32` lanes (four rows
    /// per 128-bit vector), then the packing into `i64` (a loop over 64-bit lanes would carry all the float work
    /// two rows at a time).
    #[inline(always)]
    fn pack_block<O: Packed>(&self, r0: u32, g: &[f32], h: &[f32], out: &mut [O]) {
        let (mut qg, mut qh) = ([0u32; BLOCK_ROWS], [0u32; BLOCK_ROWS]);
        for (i, ((a, b), (&g, &h))) in qg
            .iter_mut()
            .zip(qh.iter_mut())
            .zip(g.iter().zip(h))
            .enumerate()
        {
            [*a, *b] = self.levels_of(r0.wrapping_add(i as u32), g, h);
        }
        for ((o, &a), &b) in out.iter_mut().zip(&qg).zip(&qh) {
            *o = O::pack(a, b);
        }
    }
}

/// A row's quantized gradient as stored ([`QRows`]): the grad level `g` (two's complement) and the hess level
/// `h` packed into one integer.
trait Packed: RowGrad<i64> {
    fn pack(g: u32, h: u32) -> Self;
}

impl Packed for i64 {
    /// `g·2³² + h`.
    #[inline(always)]
    fn pack(g: u32, h: u32) -> Self {
        (((g as u64) << 32) | h as u64) as i64
    }
}

impl Packed for u32 {
    /// `g·2¹⁶ + h`: only when the levels fit 16 bits (|g| ≤ 2¹⁵ − 1, h < 2¹⁶; see [`QGrads::new`]).
    #[inline(always)]
    fn pack(g: u32, h: u32) -> Self {
        (g << 16) | (h & 0xffff)
    }
}

/// The rows' quantized gradients of one round, in 32 bits when the levels fit ([`QRows`]).
enum QGrads {
    Wide(Vec<i64>),
    Narrow(Vec<u32>),
}

impl QGrads {
    /// For `n` training rows (0: none, the float path).
    fn new(n: usize) -> Self {
        let (g, h) = quant_levels(n);
        if g < 1 << 15 && h < 1 << 16 {
            QGrads::Narrow(vec![0; n])
        } else {
            QGrads::Wide(vec![0; n])
        }
    }

    fn rows(&self) -> QRows<'_> {
        match self {
            QGrads::Wide(v) => QRows::Wide(v),
            QGrads::Narrow(v) => QRows::Narrow(v),
        }
    }
}

/// Rows per block in the per-row chunk functions: their `f32` work goes through stack arrays of this many rows, so
/// each loop runs on one element type (four `f32` lanes per 128-bit vector rather than two `f64`).
const BLOCK_ROWS: usize = 256;

/// Each training row's leaf in the last tree ([`LeafNum`]): one byte per row when no tree can have more than 256
/// leaves (at most 256 leaves, or depth ≤ 8), else two.
enum LeafOf {
    Byte(Vec<u8>),
    Wide(Vec<u16>),
}

impl LeafOf {
    fn new(n: usize, p: &GbdtParams) -> Self {
        if p.max_depth <= 8 || (1..=256).contains(&p.max_leaves) {
            LeafOf::Byte(vec![0; n])
        } else {
            LeafOf::Wide(vec![0; n])
        }
    }

    /// [`add_leaf_values`] with these leaf numbers.
    fn add_values(&self, score: &mut [f64], values: &[f64]) {
        match self {
            LeafOf::Byte(l) => add_leaf_values(score, l, values),
            LeafOf::Wide(l) => add_leaf_values(score, l, values),
        }
    }
}

/// Add the last tree's leaf values (`values`, by leaf number; empty = nothing pending) to the rows' scores.
#[inline(never)]
fn add_leaf_values<L: LeafNum>(score: &mut [f64], leaf_of: &[L], values: &[f64]) {
    if values.is_empty() {
        return;
    }
    for (s, &l) in score.iter_mut().zip(leaf_of) {
        *s += values[l.index()];
    }
}

/// Quantized gradients, one pass per round: the last tree's leaf values are added to the scores, then each
/// row's gradient and hessian are computed and quantized against bounds known up front (see [`Gbdt::fit_model`]),
/// and, when `ts` is given, the root histogram of every training row is summed (chunk by chunk, while the chunk
/// is in cache). Returns the chunk histograms in chunk order and the largest |grad| of the pass (squared error
/// only; 0 for log loss).
#[allow(clippy::too_many_arguments)]
fn fused_pass<L: LeafNum, O: Packed>(
    objective: Objective,
    q: &Quant,
    score: &mut [f64],
    y: &[f32],
    w: &[f32],
    leaf_of: &[L],
    values: &[f64],
    out: &mut [O],
    ts: Option<&TrainSet>,
) -> (Vec<Vec<[i64; NB]>>, f32) {
    // the chunk's gradients (max |grad| as bits for squared error); `a..b` its training rows
    let grads = |c: usize, o: &mut [O], s: &mut [f64]| {
        let (a, b) = (c * PASS, c * PASS + o.len());
        // the last tree's leaf values are added block by block inside the chunk functions
        let leaves = Leaves {
            of: if values.is_empty() {
                &[]
            } else {
                &leaf_of[a..b]
            },
            values,
        };
        match objective {
            Objective::LogLoss => {
                logloss_chunk(q, a, s, leaves, &y[a..b], &w[a..b], o);
                0
            }
            Objective::SquaredError => squared_chunk(q, a, s, leaves, &y[a..b], &w[a..b], o),
        }
    };
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        let parts: Vec<(Option<Vec<[i64; NB]>>, u32)> = out
            .par_chunks_mut(PASS)
            .zip(score.par_chunks_mut(PASS))
            .enumerate()
            .map(|(c, (o, s))| {
                let mg = grads(c, o, s);
                (ts.map(|ts| range_hist(ts, o, c * PASS)), mg)
            })
            .collect();
        let mg = parts.iter().fold(0u32, |a, p| a.max(p.1));
        let hists = parts.into_iter().filter_map(|p| p.0).collect();
        (hists, f32::from_bits(mg))
    }
    // one thread: every chunk's rows add straight into one root histogram (integer sums)
    #[cfg(target_arch = "wasm32")]
    {
        let mut root = vec![[0i64; NB]; ts.map_or(0, |ts| ts.hf)];
        let mut mg = 0u32;
        for (c, (o, s)) in out.chunks_mut(PASS).zip(score.chunks_mut(PASS)).enumerate() {
            mg = mg.max(grads(c, o, s));
            if let Some(ts) = ts {
                add_range(ts, o, c * PASS, &mut root);
            }
        }
        let hists = ts.map(|_| root).into_iter().collect();
        (hists, f32::from_bits(mg))
    }
}

/// The last tree's leaf numbers of a chunk's rows and its leaf values (both empty: nothing to add).
#[derive(Clone, Copy)]
struct Leaves<'a, L> {
    of: &'a [L],
    values: &'a [f64],
}

impl<L: LeafNum> Leaves<'_, L> {
    /// Add the leaf values of block `k` ([`BLOCK_ROWS`] rows) to its scores `s` and write the scores as `f32`
    /// to `sf` (the same f64 additions as [`add_leaf_values`], while the block is in L1).
    #[inline(always)]
    fn add_and_narrow(&self, k: usize, s: &mut [f64], sf: &mut [f32; BLOCK_ROWS]) {
        if self.values.is_empty() {
            for (a, &s) in sf.iter_mut().zip(s.iter()) {
                *a = s as f32;
            }
        } else {
            let of = &self.of[k * BLOCK_ROWS..k * BLOCK_ROWS + s.len()];
            for ((a, s), &l) in sf.iter_mut().zip(s.iter_mut()).zip(of) {
                *s += self.values[l.index()];
                *a = *s as f32;
            }
        }
    }
}

/// One chunk of [`fused_pass`]'s gradients for log loss; `first` is the training-row number of the chunk's first row.
/// Blocks of 256 rows: gradients in `f32`, then their quantization (two loops that each vectorize).
#[inline(never)]
fn logloss_chunk<L: LeafNum, O: Packed>(
    q: &Quant,
    first: usize,
    score: &mut [f64],
    leaves: Leaves<L>,
    y: &[f32],
    w: &[f32],
    out: &mut [O],
) {
    const B: usize = BLOCK_ROWS;
    let (mut sf, mut g, mut h) = ([0f32; B], [0f32; B], [0f32; B]);
    for (k, (((o, s), y), w)) in out
        .chunks_mut(B)
        .zip(score.chunks_mut(B))
        .zip(y.chunks(B))
        .zip(w.chunks(B))
        .enumerate()
    {
        let n = o.len();
        leaves.add_and_narrow(k, s, &mut sf);
        for ((((g, h), &s), &yi), &wi) in g.iter_mut().zip(h.iter_mut()).zip(&sf).zip(y).zip(w) {
            let p = 1.0 / (1.0 + exp_f32(-s));
            *g = (p - yi) * wi;
            let v = p * (1.0 - p);
            *h = if v > 1e-16 { v } else { 1e-16 } * wi;
        }
        q.pack_block((first + k * B) as u32, &g[..n], &h[..n], o);
    }
}

/// One chunk of [`fused_pass`]'s gradients for squared error (grad = w·(s − y), hess = w), in blocks of 256 rows
/// like [`logloss_chunk`]; returns the largest |grad| as bits (the next round's bound starts from it).
#[inline(never)]
fn squared_chunk<L: LeafNum, O: Packed>(
    q: &Quant,
    first: usize,
    score: &mut [f64],
    leaves: Leaves<L>,
    y: &[f32],
    w: &[f32],
    out: &mut [O],
) -> u32 {
    const B: usize = BLOCK_ROWS;
    let (mut sf, mut g) = ([0f32; B], [0f32; B]);
    let mut mg = 0u32;
    for (k, (((o, s), y), w)) in out
        .chunks_mut(B)
        .zip(score.chunks_mut(B))
        .zip(y.chunks(B))
        .zip(w.chunks(B))
        .enumerate()
    {
        let n = o.len();
        leaves.add_and_narrow(k, s, &mut sf);
        for ((g, &s), (&yi, &wi)) in g.iter_mut().zip(&sf).zip(y.iter().zip(w)) {
            *g = (s - yi) * wi;
            mg = mg.max(g.abs().to_bits());
        }
        q.pack_block((first + k * B) as u32, &g[..n], w, o);
    }
    mg
}

/// Largest |leaf value| of a tree (how far one round can move a score).
fn max_leaf(tree: &Tree) -> f64 {
    tree.nodes.iter().fold(0.0, |m, n| match n {
        Node::Leaf { value } => m.max(value.abs()),
        Node::Split { .. } => m,
    })
}

impl Gbdt {
    pub fn new(params: GbdtParams) -> Self {
        Self { params }
    }

    /// Fit and return the concrete model (for feature importance, serialization and the loss per round).
    /// `progress(done, planned)` is called after every round; `cancel` is checked before every round.
    pub fn fit_model(
        &self,
        data: &FitData,
        objective: Objective,
        cancel: CancelFn,
        progress: ProgressFn,
    ) -> Result<GbdtModel> {
        let p = &self.params;
        p.validate()?;
        let checked = check_inputs(data, objective, p)?;
        let n_fit = data.rows.len();
        let mut rng = ChaCha8Rng::seed_from_u64(p.seed);

        // Training and validation parts (positions into data.rows), each in ascending order.
        let (train_pos, valid_pos): (Vec<usize>, Vec<usize>) = if p.validation_fraction > 0.0 {
            let n_valid = (n_fit as f64 * p.validation_fraction).round() as usize;
            if n_valid == 0 || n_valid >= n_fit {
                return Err(Error::BadParam {
                    name: "validationFraction",
                    expected: "small enough to leave rows for training and large enough to hold out at least one row",
                    found: format!("{} of {} rows", p.validation_fraction, n_fit),
                });
            }
            let mut order: Vec<usize> = (0..n_fit).collect();
            order.shuffle(&mut rng);
            let mut v = order[..n_valid].to_vec();
            let mut t = order[n_valid..].to_vec();
            v.sort_unstable();
            t.sort_unstable();
            (t, v)
        } else {
            ((0..n_fit).collect(), Vec::new())
        };
        let pick = |pos: &[usize]| -> (Vec<u32>, Vec<f32>, Vec<f32>) {
            (
                pos.iter().map(|&i| data.rows[i]).collect(),
                pos.iter().map(|&i| checked.y[i]).collect(),
                pos.iter().map(|&i| checked.w[i]).collect(),
            )
        };
        let (train_rows, y, w) = pick(&train_pos);
        let (valid_rows, vy, vw) = pick(&valid_pos);
        let design = data.design;
        let nf = design.n_features();
        let nbins: Vec<usize> = (0..nf).map(|j| design.binned.n_bins(j)).collect();
        // features with few bins share histogram columns (quantized gradients: exact integer sums)
        let layout = if p.quantized_gradients {
            Layout::bundled(&nbins)
        } else {
            Layout::identity(nf)
        };
        let ts = TrainSet {
            n: train_rows.len(),
            nf,
            hf: layout.width(),
            codes: gather_hist(design, &train_rows, &layout),
            cols: gather_cols(design, &train_rows),
            nbins,
            upper: design.binned.upper.clone(),
            layout,
        };
        let valid_codes = gather(design, &valid_rows);

        // Base score: weighted mean in the training weighting.
        let (mut sy, mut sw) = (0.0f64, 0.0f64);
        for (&yi, &wi) in y.iter().zip(&w) {
            sy += yi as f64 * wi as f64;
            sw += wi as f64;
        }
        let mean = if sw > 0.0 { sy / sw } else { 0.0 };
        let base_score = match objective {
            Objective::SquaredError => mean,
            Objective::LogLoss => {
                let m = mean.clamp(1e-12, 1.0 - 1e-12);
                (m / (1.0 - m)).ln()
            }
        };

        let mut score = vec![base_score; ts.n];
        let mut vscore = vec![base_score; valid_rows.len()];
        // Quantized gradients run one fused pass per round (see `fused_pass`); float gradients are computed in
        // a pass of their own. The quantization needs bounds on |grad| and hess before the pass: log loss has
        // |grad| ≤ w and hess ≤ w/4 (w the largest weight); squared error has hess = w, and |grad| = w·|s − y|
        // after adding the last tree is at most the previous pass's exact max w·|s − y| plus w times the last
        // tree's largest |leaf value| (round 0: the exact max at the base score); the quantization clamps the few
        // ulps of `f32` rounding that may exceed it.
        let fused = p.quantized_gradients;
        let mut gh = vec![[0f32; 2]; if fused { 0 } else { ts.n }];
        let wmax = w.iter().fold(0f32, |a, &b| a.max(b));
        let mut gmax = match objective {
            Objective::SquaredError if fused => y.iter().zip(&w).fold(0f32, |m, (&yi, &wi)| {
                m.max(((base_score as f32 - yi) * wi).abs())
            }),
            _ => 0.0,
        };
        let mut last_leaf = 0f32;
        // Quantized gradients: packed integers per row and a separate seeded stream of rounding keys.
        let mut qgh = QGrads::new(if p.quantized_gradients { ts.n } else { 0 });
        let mut qrng = ChaCha8Rng::seed_from_u64(p.seed ^ QUANT_SEED);
        let mut grower = Grower::new();
        let mut trees = Vec::with_capacity(p.trees);
        let mut valid_loss = Vec::new();
        let mut best = (f64::INFINITY, 0usize);
        let mut sampled: Vec<u32> = Vec::new();
        // Each row's leaf in the last tree, and that tree's leaf values not yet added to `score`.
        let mut leaf_of = LeafOf::new(if p.subsample < 1.0 { 0 } else { ts.n }, p);
        let mut pending: Vec<f64> = Vec::new();
        for round in 0..p.trees {
            if cancel() {
                return Err(Error::Cancelled);
            }
            let mut root = None;
            let grads = if fused {
                let max = match objective {
                    Objective::LogLoss => [wmax, wmax * 0.25],
                    Objective::SquaredError => [gmax + wmax * last_leaf, wmax],
                };
                let (q, scale) = Quant::new(ts.n, max, qrng.gen::<u32>());
                let hist_ts = (p.subsample >= 1.0).then_some(&ts);
                // one instance per (leaf number, stored gradient) type
                macro_rules! pass {
                    ($l:expr, $o:expr) => {
                        fused_pass(objective, &q, &mut score, &y, &w, $l, &pending, $o, hist_ts)
                    };
                }
                let (hists, mg) = match (&leaf_of, &mut qgh) {
                    (LeafOf::Byte(l), QGrads::Narrow(o)) => pass!(l, o),
                    (LeafOf::Byte(l), QGrads::Wide(o)) => pass!(l, o),
                    (LeafOf::Wide(l), QGrads::Narrow(o)) => pass!(l, o),
                    (LeafOf::Wide(l), QGrads::Wide(o)) => pass!(l, o),
                };
                gmax = mg;
                if p.subsample >= 1.0 {
                    root = Some(root_hist(&ts, hists, scale));
                }
                Grads::Quant(qgh.rows(), scale)
            } else {
                leaf_of.add_values(&mut score, &pending);
                gradients(objective, &score, &y, &w, &mut gh);
                Grads::Float(&gh)
            };
            pending.clear();
            let tree = if p.subsample < 1.0 {
                sampled.clear();
                for i in 0..ts.n as u32 {
                    if rng.gen::<f64>() < p.subsample {
                        sampled.push(i);
                    }
                }
                let (t, _) = grower.grow::<u16>(&ts, grads, Some(&sampled), p, None, root);
                for (i, s) in score.iter_mut().enumerate() {
                    *s += t.value(|j| ts.cols[j * ts.n + i]);
                }
                t
            } else {
                let (t, values) = match &mut leaf_of {
                    LeafOf::Byte(l) => grower.grow(&ts, grads, None, p, Some(l), root),
                    LeafOf::Wide(l) => grower.grow(&ts, grads, None, p, Some(l), root),
                };
                pending = values;
                t
            };
            for (i, s) in vscore.iter_mut().enumerate() {
                *s += tree.value(|j| valid_codes[i * nf + j]);
            }
            last_leaf = max_leaf(&tree) as f32;
            trees.push(tree);
            if !valid_rows.is_empty() {
                let l = mean_loss(objective, &vscore, &vy, &vw);
                valid_loss.push(l);
                if l < best.0 {
                    best = (l, round + 1);
                }
            }
            progress(round + 1, p.trees);
            if p.early_stopping_rounds > 0 && round + 1 - best.1 >= p.early_stopping_rounds {
                break;
            }
        }
        leaf_of.add_values(&mut score, &pending);
        if p.early_stopping_rounds > 0 && best.1 > 0 {
            trees.truncate(best.1);
        }
        let train_loss = mean_loss(objective, &score, &y, &w);
        Ok(GbdtModel {
            objective,
            names: design.names.clone(),
            base_score,
            pos_weight: checked.pos_weight,
            trees,
            valid_loss,
            train_loss,
        })
    }
}
