//! Growing one tree: gradient histograms per node, best split per node, row partitioning.
//!
//! Layout choices (measured, see docs/BENCHMARKS.md (gradient-boosted trees)):
//! - the training rows' bin codes are copied once per fit into a row-major `n × F` byte matrix, so one row's
//!   codes for every feature share a cache line and a node's histogram is one pass over its row list;
//! - with quantized gradients, features with few bins share a histogram column ([`Layout`]: a mixed-radix
//!   code per bundle, e.g. a 6-level and a 31-level feature in one column), so a row makes one histogram add
//!   for the bundle — the adds, one store each, bound a histogram — and each feature's histogram is the bundle's
//!   summed over the other digits (exact integers: the same trees, tested);
//! - in wasm (no prefetch instruction), a sparse node's gathered rows are copied to block buffers before their
//!   adds ([`gather_then_add`]), so many cache misses are in flight at once;
//! - with quantized gradients (the default, [`Grads::Quant`]) each row is one packed integer `g·2³² + h` and a
//!   histogram cell is one `i64`: an update is one integer add, the sibling is parent − child exactly, and the
//!   sums do not depend on the order of the rows; from 65,536 training rows on, where both levels fit 16 bits,
//!   a row's gradient is stored as `g·2¹⁶ + h` in a `u32` ([`QRows`]) and widened per row when added (half the
//!   memory the per-round pass writes and the gathers read);
//! - with float gradients ([`Grads::Float`]) gradient and hessian are packed as `[f32; 2]`; rows are accumulated
//!   in fixed chunks of [`CHUNK`] rows into an `f32` histogram that fits in L1, and the chunk histograms are
//!   added into the node's `f64` histogram in chunk order. The chunking depends only on the row count, so the
//!   sums are bit-identical whether the chunks run on rayon's threads (native) or one after another (wasm);
//! - each node owns a range of one index array (stable in-place partition, no re-sorting; [`split_rows`] works
//!   through 256-row block buffers without bounds checks, which paid most in wasm: GBDT round 9); only the
//!   smaller child's histogram is built, the sibling's is the parent's minus it;
//! - a split's rule is a 256-entry table per split ([`left_table`]: does bin b go left?), so the partition and
//!   the final leaves read one table entry per row instead of comparing (branch-free; measured in
//!   docs/BENCHMARKS.md, GBDT round 6, where the tried-and-not-kept fused partition + histogram is noted too);
//! - children at the depth limit are never partitioned: their leaf numbers are written straight from the
//!   parent's row range;
//! - natively without a leaf limit, the subtree below the root is grown at once with the two children of every
//!   split on rayon's threads ([`grow_below`]), so deep nodes use both threads; the tree (node numbers too) is
//!   the one the serial best-first loop grows, which wasm and leaf-limited fits keep (tested);
//! - the leaf numbers are written after the tree is grown ([`write_leaves`]), natively on rayon's threads by
//!   parts of the rows (each leaf's row list is sorted, so a part finds its rows by binary search);
//! - a tree does not add its values to the rows' scores itself: it writes each row's leaf number ([`LeafNum`]:
//!   1 byte with at most 256 leaves, else 2; a small array that stays in cache, instead of an 8-byte
//!   read-modify-write of a scattered score), and the next round's gradient pass adds the leaf values in row
//!   order.

use super::params::GbdtParams;
use super::tree::{Node, Tree};
use crate::data::binning::MISSING_BIN;

/// Rows per histogram chunk (fixed: the summation order must not depend on the number of threads).
pub(crate) const CHUNK: usize = 16_384;
/// Rows per chunk of a parallel partition (any size gives the same result as one sequential pass).
#[cfg(not(target_arch = "wasm32"))]
const PART: usize = 16_384;
/// Bins per feature in a histogram (bin 0 = missing).
pub(crate) const NB: usize = 256;

/// The training rows' bin codes, row-major for the histograms and column-major for the partitions.
pub(crate) struct TrainSet {
    pub n: usize,
    pub nf: usize,
    /// Histogram columns ([`Layout`]): `nf`, or fewer when features with few bins share a column.
    pub hf: usize,
    /// `codes[i * hf + c]`: code of histogram column c for training row i (histograms read whole rows).
    pub codes: Vec<u8>,
    /// `cols[j * n + i]`: the same codes column-major (partitions read one feature: 1 byte per row, cache-dense).
    pub cols: Vec<u8>,
    /// Finite bins per feature (codes 1..=nbins[j]).
    pub nbins: Vec<usize>,
    /// Raw upper bound of each bin, per feature (for readable thresholds).
    pub upper: Vec<Vec<f64>>,
    /// Which features each histogram column holds.
    pub layout: Layout,
}

/// The histogram columns: each holds one feature, or a bundle of features with few bins whose codes are the
/// digits of one mixed-radix code (product of their code counts ≤ [`NB`]). A row then makes one histogram add
/// for the whole bundle instead of one per feature — the adds are what bounds a histogram (one store each) — and
/// each member's histogram is the bundle's summed over the other digits, exact with integer sums. Used with
/// quantized gradients only (float histograms keep one column per feature).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Layout {
    /// Per column, its features as (feature, radix, code count): code = Σ feature code × radix.
    pub cols: Vec<Vec<(usize, usize, usize)>>,
}

impl Layout {
    /// One column per feature.
    pub fn identity(nf: usize) -> Self {
        Self {
            cols: (0..nf).map(|j| vec![(j, 1, NB)]).collect(),
        }
    }

    /// Number of histogram columns.
    pub fn width(&self) -> usize {
        self.cols.len()
    }

    /// Features with at most 128 codes (finite bins + the missing bin) share columns: largest code counts
    /// first, each into the first column whose product stays ≤ [`NB`] (ties by feature order); columns ordered
    /// by their first feature. Depends only on the bin counts: the same natively and in wasm.
    pub fn bundled(nbins: &[usize]) -> Self {
        let count = |j: usize| nbins[j] + 1;
        let mut order: Vec<usize> = (0..nbins.len()).collect();
        order.sort_by_key(|&j| (std::cmp::Reverse(count(j)), j));
        // (features, product of their code counts)
        let mut cols: Vec<(Vec<usize>, usize)> = Vec::new();
        for j in order {
            let c = count(j);
            let fits = if c <= NB / 2 {
                cols.iter().position(|(_, p)| *p <= NB / 2 && p * c <= NB)
            } else {
                None
            };
            match fits {
                Some(k) => {
                    cols[k].0.push(j);
                    cols[k].1 *= c;
                }
                None => cols.push((vec![j], c)),
            }
        }
        cols.sort_by_key(|(m, _)| m.iter().min().copied());
        let cols = cols
            .into_iter()
            .map(|(m, _)| {
                let mut radix = 1;
                m.into_iter()
                    .map(|j| {
                        let r = radix;
                        radix *= count(j);
                        (j, r, count(j))
                    })
                    .collect()
            })
            .collect();
        Self { cols }
    }

    /// Whether every column holds one feature, in feature order.
    pub fn is_identity(&self) -> bool {
        self.cols
            .iter()
            .enumerate()
            .all(|(c, m)| matches!(m.as_slice(), [(j, _, _)] if *j == c))
    }
}

type Hist = Vec<[f64; 2]>;

/// Per-row gradients as the histograms read them.
#[derive(Clone, Copy)]
pub(crate) enum Grads<'a> {
    /// `(grad, hess)` per row in `f32`; histograms are summed per fixed chunk (see the module notes).
    Float(&'a [[f32; 2]]),
    /// Quantized gradients: `g·2³² + h` per row with integer `g` and `0 ≤ h`, chosen so that the sums over
    /// all rows fit (|Σg| < 2³¹, Σh < 2³²): one wrapping `i64` add accumulates both, and integer sums do not
    /// depend on the order of the rows. `scale` turns integer sums back into (grad, hess) units.
    Quant(QRows<'a>, [f64; 2]),
}

/// Every training row's quantized gradient: packed `g·2³² + h` in an `i64`, or, when every level fits 16 bits
/// (from 65,536 training rows on, |g| ≤ 32,767 and h ≤ 65,535), `g·2¹⁶ + h` in a `u32`: half the memory that the
/// per-round pass writes and the histograms' gathers read. Both give the same `i64` histogram cell.
#[derive(Clone, Copy)]
pub(crate) enum QRows<'a> {
    Wide(&'a [i64]),
    Narrow(&'a [u32]),
}

/// A row's gradient as stored, turned into the histogram cell it adds.
pub(crate) trait RowGrad<C>: Copy + Send + Sync {
    fn cell(self) -> C;
}

impl RowGrad<[f32; 2]> for [f32; 2] {
    #[inline(always)]
    fn cell(self) -> [f32; 2] {
        self
    }
}

impl RowGrad<i64> for i64 {
    #[inline(always)]
    fn cell(self) -> i64 {
        self
    }
}

impl RowGrad<i64> for u32 {
    /// `g·2¹⁶ + h` (g in two's complement in the high half) → `g·2³² + h`.
    #[inline(always)]
    fn cell(self) -> i64 {
        ((((self as i32) >> 16) as i64) << 32) + (self & 0xffff) as i64
    }
}

/// A node's histogram: `f` is what split finding reads (per feature, [`NB`] bins of (grad, hess) sums);
/// with quantized gradients `q` holds the exact integer sums `f` is decoded from.
#[derive(Default)]
pub(crate) struct NodeHist {
    pub f: Hist,
    q: Vec<i64>,
}

/// One histogram cell: a row's contribution and the bin's running sum have the same type.
trait Cell: Copy + Send + Sync {
    const ZERO: Self;
    fn add(&mut self, v: Self);
}

impl Cell for [f32; 2] {
    const ZERO: Self = [0.0; 2];
    #[inline(always)]
    fn add(&mut self, v: Self) {
        self[0] += v[0];
        self[1] += v[1];
    }
}

impl Cell for i64 {
    const ZERO: Self = 0;
    #[inline(always)]
    fn add(&mut self, v: Self) {
        *self = self.wrapping_add(v);
    }
}

/// Add the contributions of `rows` into a chunk histogram, with the per-row feature loop unrolled for
/// common feature counts (the loop over features is the innermost and hottest loop of training).
fn accumulate_chunk<C: Cell, R: RowGrad<C>>(
    ts: &TrainSet,
    gh: &[R],
    rows: Chunk,
    local: &mut [[C; NB]],
) {
    // `gh` starts at training row `base` (a chunk's own gradients) or 0
    macro_rules! dispatch {
        ($($n:literal)*) => {
            match ts.hf {
                $($n => accumulate_fixed::<C, R, $n>(ts, gh, rows, local),)*
                _ => accumulate_any(ts, gh, rows, local),
            }
        };
    }
    dispatch!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24)
}

#[inline(always)]
fn add_row<C: Cell, const NF: usize>(local: &mut [[C; NB]; NF], row: &[u8; NF], g: C) {
    for j in 0..NF {
        local[j][row[j] as usize].add(g);
    }
}

#[inline(never)]
fn accumulate_fixed<C: Cell, R: RowGrad<C>, const NF: usize>(
    ts: &TrainSet,
    gh: &[R],
    rows: Chunk,
    local: &mut [[C; NB]],
) {
    let local: &mut [[C; NB]; NF] = local.try_into().expect("one histogram per feature");
    match rows {
        Chunk::Range(start, end, base) => {
            let codes = &ts.codes[start * NF..end * NF];
            for (row, &g) in codes.chunks_exact(NF).zip(&gh[start - base..end - base]) {
                add_row(local, row.try_into().expect("NF codes"), g.cell());
            }
        }
        Chunk::Rows(rows) if GATHER_FIRST && sparse(rows) => gather_then_add(ts, gh, rows, local),
        Chunk::Rows(rows) => {
            for (k, &r) in rows.iter().enumerate() {
                if let Some(&ahead) = rows.get(k + AHEAD) {
                    prefetch(&ts.codes, ahead as usize * NF);
                    prefetch(gh, ahead as usize);
                }
                let r = r as usize;
                let row: &[u8; NF] = ts.codes[r * NF..r * NF + NF].try_into().expect("NF codes");
                add_row(local, row, gh[r].cell());
            }
        }
    }
}

/// [`accumulate_fixed`] of gathered `rows`: a block's codes and gradients are copied to small buffers first (a
/// loop of independent loads and few stores, so many cache misses are in flight at once), then added from there
/// (in L1). Same sums as the plain loop (tested).
#[inline(always)]
fn gather_then_add<C: Cell, R: RowGrad<C>, const NF: usize>(
    ts: &TrainSet,
    gh: &[R],
    rows: &[u32],
    local: &mut [[C; NB]; NF],
) {
    let mut codes = [[0u8; NF]; GATHER];
    let mut g = [C::ZERO; GATHER];
    for block in rows.chunks(GATHER) {
        for ((c, g), &r) in codes.iter_mut().zip(g.iter_mut()).zip(block) {
            let r = r as usize;
            *c = ts.codes[r * NF..r * NF + NF].try_into().expect("NF codes");
            *g = gh[r].cell();
        }
        for (c, &g) in codes.iter().zip(&g).take(block.len()) {
            add_row(local, c, g);
        }
    }
}

/// Whether a sparse node's gathered rows are copied to buffers a block at a time before their adds (wasm: it
/// has no prefetch instruction). In the plain loop every row's twelve histogram stores fill the store buffer
/// while the next rows' loads wait on cache misses, so only a few misses overlap; the copy loop has one load
/// per code row and gradient and three stores per row. In-process wasm measurements (node 20, uniform random
/// row subsets of 2²⁰ rows × 12 features, blocks of 256 rows): 27.5 → 16.5 ns per row at 3 % density, 14.7 →
/// 13.4 at 8 %, but 8.8 → 10.3 at 15 % and 6.3 → 7.5 at 30 % (there the plain loop's misses already overlap),
/// hence the density threshold of [`sparse`]. Natively the prefetch in the plain loop does the same job.
const GATHER_FIRST: bool = cfg!(target_arch = "wasm32");
/// Rows per block of the buffered gather (their codes and gradients stay in L1 beside the histogram).
const GATHER: usize = 256;

/// Whether ascending `rows` are sparse: fewer than one in 10 of the training rows they span.
#[inline]
fn sparse(rows: &[u32]) -> bool {
    match (rows.first(), rows.last()) {
        (Some(&a), Some(&b)) => rows.len() * 10 < (b.saturating_sub(a) as usize + 1),
        _ => false,
    }
}

/// How many rows ahead a node's histogram prefetches the rows it will read (a deep node's rows are scattered
/// over the whole training set: each row is a cache miss, and the out-of-order window holds only a few rows).
const AHEAD: usize = 16;

/// Hint the CPU to bring `v[i]` into cache (natively on x86-64; nothing elsewhere). `i` must be in bounds.
#[inline(always)]
fn prefetch<T>(v: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let p: *const T = &v[i];
        // SAFETY: SSE is part of the x86-64 baseline, and a prefetch neither reads into the program nor
        // faults; `p` points into `v` anyway.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p as *const i8) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (v, i);
}

#[inline(never)]
fn accumulate_any<C: Cell, R: RowGrad<C>>(
    ts: &TrainSet,
    gh: &[R],
    rows: Chunk,
    local: &mut [[C; NB]],
) {
    let nf = ts.hf;
    match rows {
        Chunk::Range(start, end, base) => {
            let codes = &ts.codes[start * nf..end * nf];
            for (row, &g) in codes.chunks_exact(nf).zip(&gh[start - base..end - base]) {
                let g = g.cell();
                for (hj, &b) in local.iter_mut().zip(row) {
                    hj[b as usize].add(g);
                }
            }
        }
        Chunk::Rows(rows) => {
            for &r in rows {
                let r = r as usize;
                let g = gh[r].cell();
                let row = &ts.codes[r * nf..r * nf + nf];
                for (hj, &b) in local.iter_mut().zip(row) {
                    hj[b as usize].add(g);
                }
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Chunk<'a> {
    /// Training rows `start..end` in order; the gradients slice starts at training row `base`.
    Range(usize, usize, usize),
    Rows(&'a [u32]),
}

fn chunk_hist<C: Cell, R: RowGrad<C>>(ts: &TrainSet, gh: &[R], c: Chunk) -> Vec<[C; NB]> {
    let mut local = vec![[C::ZERO; NB]; ts.hf];
    accumulate_chunk(ts, gh, c, &mut local);
    local
}

fn merge_f(out: &mut [[f64; 2]], local: &[[[f32; 2]; NB]]) {
    for (o, l) in out.chunks_exact_mut(NB).zip(local) {
        for (a, b) in o.iter_mut().zip(l) {
            a[0] += b[0] as f64;
            a[1] += b[1] as f64;
        }
    }
}

fn merge_q(out: &mut [i64], local: &[[i64; NB]]) {
    for (o, l) in out.chunks_exact_mut(NB).zip(local) {
        for (a, &b) in o.iter_mut().zip(l) {
            *a = a.wrapping_add(b);
        }
    }
}

/// (grad, hess) sums of one packed quantized cell, in gradient units.
#[inline]
fn decode(q: i64, scale: [f64; 2]) -> [f64; 2] {
    let h = q as u32;
    let g = (q - h as i64) >> 32;
    [g as f64 * scale[0], h as f64 * scale[1]]
}

/// Rows per histogram chunk with quantized gradients: integer sums do not depend on the chunking, so natively
/// chunks are small enough that a deep node's histogram still runs on both threads.
const QCHUNK: usize = if cfg!(target_arch = "wasm32") {
    CHUNK
} else {
    8_192
};

/// The fixed chunks of `size` rows of a node's rows (None = all training rows in order).
fn chunks_of(n: usize, rows: Option<&[u32]>, size: usize) -> Vec<Chunk<'_>> {
    match rows {
        None => (0..n)
            .step_by(size)
            .map(|s| Chunk::Range(s, (s + size).min(n), 0))
            .collect(),
        Some(r) => r.chunks(size).map(Chunk::Rows).collect(),
    }
}

/// The chunk histograms, on rayon's threads natively (in chunk order either way).
fn chunk_hists<C: Cell, R: RowGrad<C>>(
    ts: &TrainSet,
    gh: &[R],
    chunks: &[Chunk],
) -> Vec<Vec<[C; NB]>> {
    #[cfg(not(target_arch = "wasm32"))]
    if chunks.len() > 1 {
        use rayon::prelude::*;
        return chunks.par_iter().map(|&c| chunk_hist(ts, gh, c)).collect();
    }
    chunks.iter().map(|&c| chunk_hist(ts, gh, c)).collect()
}

/// The quantized chunk histogram of training rows `start..start + gh.len()` (`gh`: those rows' gradients).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn range_hist<R: RowGrad<i64>>(ts: &TrainSet, gh: &[R], start: usize) -> Vec<[i64; NB]> {
    chunk_hist(ts, gh, Chunk::Range(start, start + gh.len(), start))
}

/// Add training rows `start..start + gh.len()` (`gh`: those rows' gradients) to the quantized histogram `local`
/// (one thread: the chunks of a pass add into one histogram).
#[cfg(target_arch = "wasm32")]
pub(crate) fn add_range<R: RowGrad<i64>>(
    ts: &TrainSet,
    gh: &[R],
    start: usize,
    local: &mut [[i64; NB]],
) {
    accumulate_chunk(ts, gh, Chunk::Range(start, start + gh.len(), start), local);
}

/// The root histogram from the chunk histograms of every training row, in chunk order ([`range_hist`]).
pub(crate) fn root_hist(ts: &TrainSet, locals: Vec<Vec<[i64; NB]>>, scale: [f64; 2]) -> NodeHist {
    let mut out = NodeHist {
        f: vec![[0.0; 2]; ts.nf * NB],
        q: vec![0; ts.hf * NB],
    };
    for l in locals {
        merge_q(&mut out.q, &l);
    }
    out.decode(scale, &ts.layout);
    out
}

/// The histogram of the given rows (None = all training rows in order).
pub(crate) fn build_hist(ts: &TrainSet, grads: Grads, rows: Option<&[u32]>, out: &mut NodeHist) {
    let size = match grads {
        Grads::Float(_) => CHUNK,
        Grads::Quant(..) => QCHUNK,
    };
    let chunks = chunks_of(ts.n, rows, size);
    match grads {
        Grads::Float(gh) => {
            out.f.clear();
            out.f.resize(ts.nf * NB, [0.0; 2]);
            for l in chunk_hists(ts, gh, &chunks) {
                merge_f(&mut out.f, &l);
            }
        }
        Grads::Quant(gh, scale) => {
            out.q.clear();
            out.q.resize(ts.hf * NB, 0);
            match gh {
                QRows::Wide(gh) => quant_sums(ts, gh, &chunks, &mut out.q),
                QRows::Narrow(gh) => quant_sums(ts, gh, &chunks, &mut out.q),
            }
            // decoding writes every cell
            out.f.resize(ts.nf * NB, [0.0; 2]);
            out.decode(scale, &ts.layout);
        }
    }
}

/// Add the chunks' rows to the integer sums `q` (on one thread, wasm, every chunk straight into `q`).
fn quant_sums<R: RowGrad<i64>>(ts: &TrainSet, gh: &[R], chunks: &[Chunk], q: &mut [i64]) {
    #[cfg(target_arch = "wasm32")]
    for &c in chunks {
        accumulate_chunk(ts, gh, c, q.as_chunks_mut::<NB>().0);
    }
    #[cfg(not(target_arch = "wasm32"))]
    for l in chunk_hists(ts, gh, chunks) {
        merge_q(q, &l);
    }
}

impl NodeHist {
    /// `f` from the integer sums `q`: per feature, its column's cells, or for a feature of a bundle, the
    /// bundle's cells summed by that feature's digit.
    fn decode(&mut self, scale: [f64; 2], layout: &Layout) {
        for (c, members) in layout.cols.iter().enumerate() {
            let q = &self.q[c * NB..(c + 1) * NB];
            if let [(j, _, _)] = members.as_slice() {
                for (f, &q) in self.f[j * NB..(j + 1) * NB].iter_mut().zip(q) {
                    *f = decode(q, scale);
                }
                continue;
            }
            let cells: usize = members.iter().map(|m| m.2).product();
            for &(j, radix, count) in members {
                let mut m = [0i64; NB];
                for (x, &v) in q[..cells].iter().enumerate() {
                    let d = (x / radix) % count;
                    m[d] = m[d].wrapping_add(v);
                }
                for (f, &q) in self.f[j * NB..(j + 1) * NB].iter_mut().zip(&m) {
                    *f = decode(q, scale);
                }
            }
        }
    }

    /// Turn the parent's histogram into the sibling's: parent − child (exact with quantized gradients).
    fn subtract(&mut self, child: &NodeHist, grads: Grads, layout: &Layout) {
        match grads {
            Grads::Float(_) => {
                for (pb, sb) in self.f.iter_mut().zip(&child.f) {
                    pb[0] -= sb[0];
                    pb[1] -= sb[1];
                }
            }
            Grads::Quant(_, scale) => {
                for (pb, &sb) in self.q.iter_mut().zip(&child.q) {
                    *pb = pb.wrapping_sub(sb);
                }
                self.decode(scale, layout);
            }
        }
    }

    /// (grad, hess) over every row of the node: the sum over the first feature's bins.
    fn total(&self, grads: Grads) -> [f64; 2] {
        match grads {
            Grads::Float(_) => {
                let mut t = [0.0f64; 2];
                for b in &self.f[..NB] {
                    t[0] += b[0];
                    t[1] += b[1];
                }
                t
            }
            Grads::Quant(_, scale) => {
                let q = self.q[..NB].iter().fold(0i64, |a, &b| a.wrapping_add(b));
                decode(q, scale)
            }
        }
    }
}

/// The best split of one node.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Split {
    pub gain: f64,
    pub feature: usize,
    pub bin: u8,
    pub missing_left: bool,
    pub left: [f64; 2],
    pub right: [f64; 2],
}

#[inline]
fn score(g: f64, h: f64, l2: f64) -> f64 {
    let d = h + l2;
    if d > 0.0 {
        g * g / d
    } else {
        0.0
    }
}

/// Leaf value −G/(H+λ) (before the learning rate).
#[inline]
pub(crate) fn leaf_value(gh: [f64; 2], l2: f64) -> f64 {
    let d = gh[1] + l2;
    if d > 0.0 {
        -gh[0] / d
    } else {
        0.0
    }
}

/// The split with the largest gain over every feature and bin threshold, trying missing rows on both sides;
/// ties go to the lower feature, then the lower threshold, then missing-right. None when no split passes
/// `min_child_weight` and `min_split_gain`.
pub(crate) fn best_split(
    hist: &[[f64; 2]],
    nbins: &[usize],
    total: [f64; 2],
    p: &GbdtParams,
) -> Option<Split> {
    let l2 = p.l2;
    let mcw = p.min_child_weight;
    let parent = score(total[0], total[1], l2);
    let mut best: Option<Split> = None;
    let mut best_gain = p.min_split_gain;
    let mut consider = |l: [f64; 2], feature: usize, bin: u8, missing_left: bool| {
        let r = [total[0] - l[0], total[1] - l[1]];
        if l[1] < mcw || r[1] < mcw || l[1] <= 0.0 || r[1] <= 0.0 {
            return;
        }
        let gain = 0.5 * (score(l[0], l[1], l2) + score(r[0], r[1], l2) - parent);
        if gain > best_gain {
            best_gain = gain;
            best = Some(Split {
                gain,
                feature,
                bin,
                missing_left,
                left: l,
                right: r,
            });
        }
    };
    for (j, &nb) in nbins.iter().enumerate() {
        let h = &hist[j * NB..(j + 1) * NB];
        let miss = h[MISSING_BIN as usize];
        let has_missing = miss[1] > 0.0 || miss[0] != 0.0;
        let mut acc = [0.0f64; 2];
        for (t, hb) in h.iter().enumerate().take(nb).skip(1) {
            acc[0] += hb[0];
            acc[1] += hb[1];
            consider(acc, j, t as u8, false);
            if has_missing {
                consider([acc[0] + miss[0], acc[1] + miss[1]], j, t as u8, true);
            }
        }
        if has_missing && nb >= 1 {
            // every finite value left, missing right
            acc[0] += h[nb][0];
            acc[1] += h[nb][1];
            consider(acc, j, nb as u8, false);
        }
    }
    // No missing rows in the node: send future missing values the way most of the training weight went.
    if let Some(s) = best.as_mut() {
        let miss = hist[s.feature * NB + MISSING_BIN as usize];
        if miss[1] <= 0.0 && miss[0] == 0.0 && (s.bin as usize) < nbins[s.feature] {
            s.missing_left = s.left[1] >= s.right[1];
        }
    }
    best
}

struct Open {
    node: usize,
    start: usize,
    end: usize,
    depth: usize,
    gh: [f64; 2],
    hist: Option<NodeHist>,
    split: Option<Split>,
    /// The split's children, when already grown (nodes of a level in parallel, see [`grow_below`]).
    kids: Option<Box<Kids>>,
}

/// The two children of a split leaf: where its range of rows splits (offset from the leaf's start) and, per
/// child, its histogram, best split and (when grown ahead) its own children.
struct Kids {
    mid: usize,
    kids: [Kid; 2],
}

struct Kid {
    hist: Option<NodeHist>,
    split: Option<Split>,
    kids: Option<Box<Kids>>,
}

/// Split a leaf: stable partition of its rows `idx` (`scratch`: at least as long), the smaller child's
/// histogram into `small`, the sibling's as `parent` − `small`, and each child's best split (`child_depth`:
/// the children's depth).
#[allow(clippy::too_many_arguments)]
fn split_leaf(
    ts: &TrainSet,
    grads: Grads,
    idx: &mut [u32],
    scratch: &mut [u32],
    s: &Split,
    mut parent: NodeHist,
    mut small: NodeHist,
    child_depth: usize,
    p: &GbdtParams,
) -> Kids {
    let m = idx.len();
    let mid = partition(ts, idx, scratch, s);
    let left_small = mid <= m - mid;
    {
        let rows = if left_small { &idx[..mid] } else { &idx[mid..] };
        build_hist(ts, grads, Some(rows), &mut small);
    }
    parent.subtract(&small, grads, &ts.layout);
    let (lh, rh) = if left_small {
        (small, parent)
    } else {
        (parent, small)
    };
    let can_split = child_depth < p.max_depth;
    let kid = |h: NodeHist, g: [f64; 2], rows: usize| Kid {
        split: if can_split && rows > 0 {
            best_split(&h.f, &ts.nbins, g, p)
        } else {
            None
        },
        hist: Some(h),
        kids: None,
    };
    Kids {
        mid,
        kids: [kid(lh, s.left, mid), kid(rh, s.right, m - mid)],
    }
}

/// Run both closures, on rayon's threads natively (one after the other in wasm).
fn join(a: impl FnOnce() + Send, b: impl FnOnce() + Send) {
    #[cfg(not(target_arch = "wasm32"))]
    rayon::join(a, b);
    #[cfg(target_arch = "wasm32")]
    {
        a();
        b();
    }
}

/// Grow the whole subtree below a leaf natively, the two children of every split on rayon's threads
/// (`rayon::join`), so deep nodes use both threads. Only used without a leaf limit: then every leaf with a
/// split is split, whatever the order, and each node's partition, histogram and split depend only on its own
/// rows, so the tree is the one the serial best-first loop grows.
#[allow(clippy::too_many_arguments)]
fn grow_below(
    ts: &TrainSet,
    grads: Grads,
    idx: &mut [u32],
    scratch: &mut [u32],
    s: &Split,
    parent: NodeHist,
    small: NodeHist,
    child_depth: usize,
    p: &GbdtParams,
) -> Box<Kids> {
    let mut kids = split_leaf(ts, grads, idx, scratch, s, parent, small, child_depth, p);
    // a child is split again (partitioned) only when its own children are not at the depth limit
    if child_depth + 1 < p.max_depth {
        let mid = kids.mid;
        let (il, ir) = idx.split_at_mut(mid);
        let (sl, sr) = scratch.split_at_mut(mid);
        let [a, b] = &mut kids.kids;
        let go = |k: &mut Kid, idx: &mut [u32], scratch: &mut [u32]| {
            if let (Some(s), Some(h)) = (k.split, k.hist.take()) {
                k.kids = Some(grow_below(
                    ts,
                    grads,
                    idx,
                    scratch,
                    &s,
                    h,
                    NodeHist::default(),
                    child_depth + 1,
                    p,
                ));
            }
        };
        join(|| go(a, il, sl), || go(b, ir, sr));
    }
    Box::new(kids)
}

/// Reusable buffers for growing trees over one training set.
pub(crate) struct Grower {
    indices: Vec<u32>,
    scratch: Vec<u32>,
    spare: Vec<NodeHist>,
}

impl Grower {
    pub fn new() -> Self {
        Self {
            indices: Vec::new(),
            scratch: Vec::new(),
            spare: Vec::new(),
        }
    }

    fn take_hist(&mut self) -> NodeHist {
        self.spare.pop().unwrap_or_default()
    }

    /// Keep a histogram for reuse (a few: subtrees grown in parallel allocate their own).
    fn give_hist(&mut self, h: NodeHist) {
        if self.spare.len() < 64 {
            self.spare.push(h);
        }
    }

    /// Grow one tree on `rows` (None = every training row). When `leaf_of` is given, write each row's leaf
    /// (a number into the returned leaf values, learning rate applied) to `leaf_of` of those rows. `root`: the
    /// root's histogram when the caller built it (every training row, with these gradients).
    pub fn grow<L: LeafNum>(
        &mut self,
        ts: &TrainSet,
        grads: Grads,
        rows: Option<&[u32]>,
        p: &GbdtParams,
        leaf_of: Option<&mut [L]>,
        root: Option<NodeHist>,
    ) -> (Tree, Vec<f64>) {
        self.indices.clear();
        match rows {
            None => self.indices.extend(0..ts.n as u32),
            Some(r) => self.indices.extend_from_slice(r),
        }
        let m = self.indices.len();
        let max_leaves = if p.max_leaves == 0 {
            usize::MAX
        } else {
            p.max_leaves
        };
        let lr = p.learning_rate;
        let root_hist = match root {
            Some(h) => h,
            None => {
                let mut h = self.take_hist();
                build_hist(ts, grads, rows, &mut h);
                h
            }
        };
        let total = root_hist.total(grads);
        let mut nodes = vec![Node::Leaf { value: 0.0 }];
        let root_split = if p.max_depth > 0 {
            best_split(&root_hist.f, &ts.nbins, total, p)
        } else {
            None
        };
        let mut open = vec![Open {
            node: 0,
            start: 0,
            end: m,
            depth: 0,
            gh: total,
            hist: Some(root_hist),
            split: root_split,
            kids: None,
        }];
        // Leaves whose rows sit in a range of `indices`, and pairs of final leaves sharing the parent's range.
        let mut done: Vec<(usize, usize, usize)> = Vec::new();
        let mut final_pairs: Vec<(usize, usize, Split, f64, f64)> = Vec::new();
        let mut n_leaves = 1usize;
        loop {
            if n_leaves >= max_leaves {
                break;
            }
            // best open leaf by gain; ties to the earliest node
            let mut pick: Option<usize> = None;
            for (k, o) in open.iter().enumerate() {
                if let Some(s) = &o.split {
                    match pick {
                        Some(q) if open[q].split.map_or(0.0, |t| t.gain) >= s.gain => {}
                        _ => pick = Some(k),
                    }
                }
            }
            let Some(k) = pick else { break };
            let leaf = open.swap_remove(k);
            let s = leaf.split.expect("picked leaves have a split");
            n_leaves += 1;
            let li = nodes.len();
            nodes.push(Node::Leaf { value: 0.0 });
            nodes.push(Node::Leaf { value: 0.0 });
            let f = s.feature;
            nodes[leaf.node] = Node::Split {
                feature: f as u32,
                threshold_bin: s.bin,
                threshold: ts.upper[f]
                    .get((s.bin as usize).saturating_sub(1))
                    .copied()
                    .unwrap_or(f64::NAN),
                missing_left: s.missing_left,
                left: li as u32,
                right: li as u32 + 1,
                gain: s.gain,
            };
            let child_depth = leaf.depth + 1;
            if child_depth >= p.max_depth {
                // both children are final leaves: no partition needed
                let vl = lr * leaf_value(s.left, p.l2);
                let vr = lr * leaf_value(s.right, p.l2);
                nodes[li] = Node::Leaf { value: vl };
                nodes[li + 1] = Node::Leaf { value: vr };
                if let Some(h) = leaf.hist {
                    self.give_hist(h);
                }
                final_pairs.push((leaf.start, leaf.end, s, vl, vr));
                continue;
            }
            let kids = match leaf.kids {
                Some(k) => k,
                None => {
                    let m = leaf.end - leaf.start;
                    if self.scratch.len() < m {
                        self.scratch.resize(m, 0);
                    }
                    let parent = leaf.hist.expect("open leaves keep their histogram");
                    // natively without a leaf limit: the whole subtree at once, nodes in parallel
                    let whole = cfg!(not(target_arch = "wasm32")) && p.max_leaves == 0;
                    let small = self.take_hist();
                    let idx = &mut self.indices[leaf.start..leaf.end];
                    let scratch = &mut self.scratch[..m];
                    if whole {
                        grow_below(ts, grads, idx, scratch, &s, parent, small, child_depth, p)
                    } else {
                        Box::new(split_leaf(
                            ts,
                            grads,
                            idx,
                            scratch,
                            &s,
                            parent,
                            small,
                            child_depth,
                            p,
                        ))
                    }
                }
            };
            let Kids { mid, kids } = *kids;
            let mid = leaf.start + mid;
            let [kl, kr] = kids;
            for (node, start, end, g, k) in [
                (li, leaf.start, mid, s.left, kl),
                (li + 1, mid, leaf.end, s.right, kr),
            ] {
                open.push(Open {
                    node,
                    start,
                    end,
                    depth: child_depth,
                    gh: g,
                    hist: k.hist,
                    split: k.split,
                    kids: k.kids,
                });
            }
        }
        for o in open {
            nodes[o.node] = Node::Leaf {
                value: lr * leaf_value(o.gh, p.l2),
            };
            if let Some(h) = o.hist {
                self.give_hist(h);
            }
            done.push((o.node, o.start, o.end));
        }
        let mut values = Vec::with_capacity(done.len() + 2 * final_pairs.len());
        let mut writes = Vec::with_capacity(done.len() + final_pairs.len());
        for &(node, start, end) in &done {
            if let Node::Leaf { value } = nodes[node] {
                writes.push((start, end, LeafWrite::One(L::from_index(values.len()))));
                values.push(value);
            }
        }
        for &(start, end, s, vl, vr) in &final_pairs {
            let o = values.len();
            writes.push((
                start,
                end,
                LeafWrite::Pair(s, [L::from_index(o + 1), L::from_index(o)]),
            ));
            values.push(vl);
            values.push(vr);
        }
        if let Some(leaf_of) = leaf_of {
            // with every training row, each leaf's row list is in ascending order (stable partitions of 0..n)
            write_leaves(ts, &self.indices, &writes, leaf_of, rows.is_none());
        }
        (Tree { nodes }, values)
    }
}

/// Does a row with bin `b` go left?
#[inline(always)]
fn goes_left(b: u8, t: u8, missing_left: bool) -> bool {
    if b == MISSING_BIN {
        missing_left
    } else {
        b <= t
    }
}

/// Which bins of the split feature go left: `goes_left(b) as u8` for every bin b. A table load per row
/// instead of comparisons (the compiler turned `goes_left` into an unpredictable branch in
/// [`set_final_pair`]; measured in docs/BENCHMARKS.md, GBDT round 6).
fn left_table(s: &Split) -> [u8; NB] {
    let mut lut = [0u8; NB];
    for (b, l) in lut.iter_mut().enumerate() {
        *l = goes_left(b as u8, s.bin, s.missing_left) as u8;
    }
    lut
}

/// Rows per block of [`split_rows`].
const SPLIT_BLOCK: usize = 256;

/// Branch-free stable partition of `idx`: left rows move to the front of `idx` in their order, right rows
/// are written in their order to the front of `right` (at least as long as `idx`). `col`: the split
/// feature's bins; `lut`: its [`left_table`]. Returns the number of left rows.
///
/// Blocks of [`SPLIT_BLOCK`] rows: each row is written to both of two block buffers and one counter advances
/// (no unpredictable branch); the buffers' indices are masked to the block, so the loop has no bounds checks
/// but the one on the column. Then the block's left part moves to the front of `idx` (never past the block
/// just read) and its right part to `right`.
#[inline(never)]
fn split_rows(col: &[u8], lut: &[u8; NB], idx: &mut [u32], right: &mut [u32]) -> usize {
    const B: usize = SPLIT_BLOCK;
    let (mut nl, mut nr) = (0usize, 0usize);
    let m = idx.len();
    let right = &mut right[..m];
    let (mut bl, mut br) = ([0u32; B], [0u32; B]);
    for b0 in (0..m).step_by(B) {
        let b1 = (b0 + B).min(m);
        let mut l = 0usize;
        for (k, &r) in idx[b0..b1].iter().enumerate() {
            let go = lut[col[r as usize] as usize] as usize;
            // l ≤ k < B: both indices stay in the block buffers (the masks only tell the compiler)
            bl[l & (B - 1)] = r;
            br[(k - l) & (B - 1)] = r;
            l += go;
        }
        let n = b1 - b0;
        idx[nl..nl + l].copy_from_slice(&bl[..l]);
        right[nr..nr + n - l].copy_from_slice(&br[..n - l]);
        nl += l;
        nr += n - l;
    }
    nl
}

/// Stable partition of `idx` by the split: left rows first, in their order; returns the number of left rows.
/// Large ranges are partitioned in fixed chunks on rayon's threads natively, then the chunks' left parts and
/// right parts are concatenated in chunk order: the result is the same as one sequential pass.
fn partition(ts: &TrainSet, idx: &mut [u32], scratch: &mut [u32], s: &Split) -> usize {
    let lut = left_table(s);
    let col = &ts.cols[s.feature * ts.n..(s.feature + 1) * ts.n];
    let m = idx.len();
    let scratch = &mut scratch[..m];
    #[cfg(not(target_arch = "wasm32"))]
    if m >= 2 * PART {
        use rayon::prelude::*;
        let lefts: Vec<usize> = idx
            .par_chunks_mut(PART)
            .zip(scratch.par_chunks_mut(PART))
            .map(|(c, r)| split_rows(col, &lut, c, r))
            .collect();
        // every chunk's left part moves forward (never past unread data), then every chunk's right part
        let mut k = 0;
        for (c, &nl) in lefts.iter().enumerate() {
            idx.copy_within(c * PART..c * PART + nl, k);
            k += nl;
        }
        let total_left = k;
        for (c, &nl) in lefts.iter().enumerate() {
            let len = PART.min(m - c * PART);
            idx[k..k + len - nl].copy_from_slice(&scratch[c * PART..c * PART + len - nl]);
            k += len - nl;
        }
        return total_left;
    }
    let nl = split_rows(col, &lut, idx, scratch);
    idx[nl..].copy_from_slice(&scratch[..m - nl]);
    nl
}

/// A row's leaf number in the last tree (an index into the tree's leaf values): one byte when no tree can have
/// more than 256 leaves, else two. The final leaves' numbers are scattered writes over every training row, and
/// one byte per row halves the memory they touch (in-process wasm measurement, 32 leaf pairs over 2²⁰ rows:
/// 3.4 → 2.3 ns per row).
pub(crate) trait LeafNum: Copy + Send + Sync + 'static {
    /// The number of leaf `i` (below the type's range: the caller picks the type from the most leaves a tree
    /// can have).
    fn from_index(i: usize) -> Self;
    fn index(self) -> usize;
}

macro_rules! leaf_num {
    ($($t:ty)*) => {$(
        impl LeafNum for $t {
            #[inline(always)]
            fn from_index(i: usize) -> Self {
                debug_assert!(i <= <$t>::MAX as usize);
                i as $t
            }
            #[inline(always)]
            fn index(self) -> usize {
                self as usize
            }
        }
    )*};
}
leaf_num!(u8 u16);

/// What a range of `indices` gets as leaf numbers: one leaf, or a split's final pair (`[right, left]`).
enum LeafWrite<L> {
    One(L),
    Pair(Split, [L; 2]),
}

/// Rows per part when the leaf numbers are written on rayon's threads (natively).
#[cfg(not(target_arch = "wasm32"))]
const LEAF_PART: usize = 1 << 16;

/// Write every row's leaf number: `writes` lists ranges of `idx` and what their rows get. With `sorted` (each
/// range in ascending row order) and enough rows, natively, `leaf_of` is cut into parts by row number and the
/// parts run on rayon's threads, each taking from every range the rows in its part (a binary search); a row
/// gets the same number either way.
fn write_leaves<L: LeafNum>(
    ts: &TrainSet,
    idx: &[u32],
    writes: &[(usize, usize, LeafWrite<L>)],
    leaf_of: &mut [L],
    sorted: bool,
) {
    let one = |lo: usize, part: &mut [L]| {
        let hi = (lo + part.len()) as u32;
        for (start, end, w) in writes {
            let mut rows = &idx[*start..*end];
            if sorted {
                let a = rows.partition_point(|&r| r < lo as u32);
                let b = rows.partition_point(|&r| r < hi);
                rows = &rows[a..b];
            }
            match w {
                LeafWrite::One(leaf) => set_leaf(rows, *leaf, lo, part),
                LeafWrite::Pair(s, o) => set_final_pair(ts, rows, s, *o, lo, part),
            }
        }
    };
    #[cfg(not(target_arch = "wasm32"))]
    if sorted && leaf_of.len() >= 2 * LEAF_PART {
        use rayon::prelude::*;
        leaf_of
            .par_chunks_mut(LEAF_PART)
            .enumerate()
            .for_each(|(k, part)| one(k * LEAF_PART, part));
        return;
    }
    one(0, leaf_of);
}

/// Write the final leaves of a split (`o` = [right, left] leaf numbers) to the rows of its parent, without
/// partitioning them. `leaf_of` starts at row `base`.
#[inline(never)]
fn set_final_pair<L: LeafNum>(
    ts: &TrainSet,
    idx: &[u32],
    s: &Split,
    o: [L; 2],
    base: usize,
    leaf_of: &mut [L],
) {
    let col = &ts.cols[s.feature * ts.n..(s.feature + 1) * ts.n];
    let leaf = left_table(s).map(|l| o[l as usize]);
    for &r in idx {
        leaf_of[r as usize - base] = leaf[col[r as usize] as usize];
    }
}

/// Write one leaf's number to its rows (`leaf_of` starts at row `base`).
#[inline(never)]
fn set_leaf<L: LeafNum>(idx: &[u32], leaf: L, base: usize, leaf_of: &mut [L]) {
    for &r in idx {
        leaf_of[r as usize - base] = leaf;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A split of feature 0 at `bin` (its sums do not matter to the partition or the bin table).
    fn rule(bin: u8, missing_left: bool) -> Split {
        Split {
            gain: 1.0,
            feature: 0,
            bin,
            missing_left,
            left: [0.0; 2],
            right: [0.0; 2],
        }
    }

    #[test]
    fn features_with_few_codes_share_columns() {
        // code counts 256, 7, 32, 256, 3, 3, 129: 32 × 7 = 224 fits one column; 3 × 3 another (the 3s do not
        // fit beside 224: 672 > 256); 129 codes never share
        let l = Layout::bundled(&[255, 6, 31, 255, 2, 2, 128]);
        assert_eq!(
            l.cols,
            vec![
                vec![(0, 1, 256)],
                vec![(2, 1, 32), (1, 32, 7)],
                vec![(3, 1, 256)],
                vec![(4, 1, 3), (5, 3, 3)],
                vec![(6, 1, 129)],
            ]
        );
        assert!(!l.is_identity());
        assert!(Layout::bundled(&[255, 200, 255]).is_identity());
        assert!(Layout::identity(4).is_identity());
    }

    /// A training set of per-feature codes with the given layout (as `gather_hist` builds it).
    fn train_set(cols: &[Vec<u8>], nbins: &[usize], layout: Layout) -> TrainSet {
        let n = cols[0].len();
        let hf = layout.width();
        let mut codes = vec![0u8; n * hf];
        for (c, members) in layout.cols.iter().enumerate() {
            for &(j, radix, _) in members {
                for i in 0..n {
                    codes[i * hf + c] += cols[j][i] * radix as u8;
                }
            }
        }
        TrainSet {
            n,
            nf: cols.len(),
            hf,
            codes,
            cols: cols.concat(),
            nbins: nbins.to_vec(),
            upper: nbins
                .iter()
                .map(|&b| (1..=b).map(|v| v as f64).collect())
                .collect(),
            layout,
        }
    }

    #[test]
    fn bundled_columns_and_32_bit_gradients_grow_the_trees_of_the_plain_layout() {
        // Features of 255, 6, 31, 2 and 2 bins (code 0 = missing, some rows missing) and gradients that depend
        // on them; quantized histograms are exact, so the bundled layout, and the gradients stored in 32 bits,
        // must give the same trees and values, with and without a leaf limit (the serial and the level-parallel
        // growth), over several depths.
        let n = 3 * CHUNK + 1_234;
        let nbins = [255usize, 6, 31, 2, 2];
        let mut seed = 0x9e37_79b9_u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            seed >> 8
        };
        let cols: Vec<Vec<u8>> = nbins
            .iter()
            .map(|&b| (0..n).map(|_| (next() % (b as u32 + 1)) as u8).collect())
            .collect();
        let gh: Vec<i64> = (0..n)
            .map(|i| {
                let signal =
                    cols[1][i] as i64 * 40 - cols[2][i] as i64 * 7 + cols[3][i] as i64 * 90;
                let g = signal + (next() % 200) as i64 - 100 - cols[0][i] as i64;
                let h = 500 + (next() % 300) as i64;
                (g << 32) + h
            })
            .collect();
        let grads = Grads::Quant(QRows::Wide(&gh), [1e-3, 1e-3]);
        let gh32: Vec<u32> = gh
            .iter()
            .map(|&x| {
                let (g, h) = (x >> 32, x & 0xffff_ffff);
                assert!(g.abs() < 1 << 15 && h < 1 << 16);
                ((g as u32) << 16) | h as u32
            })
            .collect();
        let plain = train_set(&cols, &nbins, Layout::identity(nbins.len()));
        let bundled = train_set(&cols, &nbins, Layout::bundled(&nbins));
        assert_eq!(bundled.hf, 3, "(6, 31) and (2, 2) share columns");
        for (depth, leaves) in [(6, 0), (6, 20), (3, 0), (9, 0)] {
            let p = GbdtParams {
                max_depth: depth,
                max_leaves: leaves,
                min_child_weight: 0.0,
                ..GbdtParams::default()
            };
            let mut a = vec![0u16; n];
            let mut b = vec![0u16; n];
            let ta = Grower::new().grow(&plain, grads, None, &p, Some(&mut a), None);
            let tb = Grower::new().grow(&bundled, grads, None, &p, Some(&mut b), None);
            assert!(ta.0.nodes.len() > 7, "depth {depth}: a real tree");
            assert_eq!(ta, tb, "depth {depth}, leaves {leaves}");
            assert_eq!(a, b, "depth {depth}, leaves {leaves}: leaf numbers");
            // gradients stored in 32 bits (their levels fit 16 bits each): the same tree and numbers
            let mut d = vec![0u16; n];
            let narrow = Grads::Quant(QRows::Narrow(&gh32), [1e-3, 1e-3]);
            let td = Grower::new().grow(&bundled, narrow, None, &p, Some(&mut d), None);
            assert_eq!(ta, td, "depth {depth}, leaves {leaves}, 32-bit gradients");
            assert_eq!(a, d);
            if depth <= 8 {
                // one-byte leaf numbers: the same tree and numbers
                let mut c = vec![0u8; n];
                let tc = Grower::new().grow(&bundled, grads, None, &p, Some(&mut c), None);
                assert_eq!(ta, tc, "depth {depth}, leaves {leaves}, u8");
                assert!(a.iter().zip(&c).all(|(&a, &c)| a == c as u16));
            }
        }
    }

    #[test]
    fn the_buffered_gather_sums_what_the_plain_loop_sums() {
        // 12 features, rows every 1, 7 and 40 (dense and sparse) and a block remainder: the buffered gather
        // (wasm's path for sparse rows) must give the plain loop's histogram exactly.
        let n = 20_011;
        let cols: Vec<Vec<u8>> = (0..12)
            .map(|j| {
                (0..n)
                    .map(|i| ((i * (2 * j + 3) + j * 11) % 251) as u8)
                    .collect()
            })
            .collect();
        let ts = train_set(&cols, &[250; 12], Layout::identity(12));
        let gh: Vec<i64> = (0..n as i64)
            .map(|i| ((i % 97 - 40) << 32) + i % 13)
            .collect();
        for step in [1, 7, 40] {
            let rows: Vec<u32> = (0..n as u32).step_by(step).collect();
            let mut plain = vec![[0i64; NB]; 12];
            accumulate_any(&ts, &gh, Chunk::Rows(&rows), &mut plain);
            let mut buffered = [[0i64; NB]; 12];
            gather_then_add(&ts, &gh, &rows, &mut buffered);
            assert_eq!(plain, buffered.to_vec(), "rows every {step}");
            assert_eq!(sparse(&rows), step >= 10);
        }
    }

    #[test]
    fn left_table_sends_bins_up_to_the_threshold_and_missing_as_told() {
        // threshold bin 3: bins 1, 2, 3 go left, 4..=255 right; bin 0 (missing) follows `missing_left`
        for ml in [true, false] {
            let s = rule(3, ml);
            let lut = left_table(&s);
            assert_eq!(lut[0], ml as u8);
            assert_eq!(&lut[1..4], &[1, 1, 1]);
            assert!(lut[4..].iter().all(|&l| l == 0));
        }
    }

    #[test]
    fn partition_is_stable_and_matches_a_filter_at_any_size() {
        // Sizes below and above the parallel threshold (4 chunks); codes 0..=9, split "≤ 4, missing left".
        for n in [1usize, 1000, 4 * CHUNK + 777, 9 * CHUNK + 5] {
            let cols: Vec<u8> = (0..n).map(|i| ((i * 7919) % 10) as u8).collect();
            let ts = TrainSet {
                n,
                nf: 1,
                hf: 1,
                codes: cols.clone(),
                cols,
                nbins: vec![9],
                upper: vec![(1..=9).map(f64::from).collect()],
                layout: Layout::identity(1),
            };
            let s = rule(4, true);
            // every other row, so indices are not 0..n
            let mut idx: Vec<u32> = (0..n as u32).step_by(2).collect();
            let go = |r: &u32| goes_left(ts.cols[*r as usize], 4, true);
            let want: Vec<u32> = idx
                .iter()
                .filter(|r| go(r))
                .chain(idx.iter().filter(|r| !go(r)))
                .copied()
                .collect();
            let nl = partition(&ts, &mut idx, &mut vec![0; n], &s);
            assert_eq!(idx, want, "n = {n}");
            assert_eq!(nl, want.iter().filter(|r| go(r)).count());
        }
    }
}
