//! Fast batch prediction: the trees flattened into small arrays, a block of rows at a time, one tree after
//! another.
//!
//! Why: predicting is most of an uplift fit's time (every fold's models score every row twice: out-of-fold
//! and for the standard errors), and walking one row through 100 trees of `Node` enums costs an unpredictable
//! branch per level. Two kernels, both bit-identical to the tree walk:
//!
//! - **Leaf masks** (trees of at most 16 leaves, depth ≤ 4; natively with AVX-512 at most 64, depth ≤ 6: every
//!   model an uplift fit makes). Each tree's
//!   leaves are numbered left to right and every row of the block starts with all of them possible (a bit
//!   each). Every split of the tree, in any order, clears the leaves of its left subtree in the rows that go
//!   right; the row's leaf is then the lowest bit left (QuickScorer, Lucchese et al. 2015: a leaf left of the
//!   row's leaf sits in the left subtree of a split on its path that the row left to the right; the row's own
//!   leaf is never cleared). A split is a compare of one column of the block's codes with a key and an AND over
//!   the block's masks: no dependent loads, and the loop runs over several rows per SIMD register. Measured
//!   (`examples/predict_speed`, 100 trees, 2M rows, CPU per row-level, both cores busy): depth 4 0.39–0.44 ns
//!   with AVX-512, 0.75 with AVX2, 1.2 with SSE2 only, against 1.95 linked; depth 6 0.94–1.08 with AVX-512
//!   against 2.15 linked.
//! - **Linked nodes** (deeper trees): a leaf points to itself (threshold 255, missing left), so every row of a
//!   tree takes exactly `depth` steps with no branch on the data; 8 rows are stepped together (independent
//!   loads, no mispredictions).
//!
//! Either way a block's codes stay in cache across the trees, and each row's raw score is still
//! base + tree 0 + tree 1 + … added in tree order.

use std::ops::{BitAnd, BitAndAssign, BitOr};

use super::tree::{Node, Tree};

/// Rows stepped together.
pub(crate) const BLOCK: usize = 256;

/// Rows that go through a forest together in the leaf-mask kernel (a divisor of [`BLOCK`]).
const GROUP: usize = 32;

/// Rows walked down one tree together, each in its own register chain (independent loads for the CPU to
/// overlap).
const LANES: usize = 8;

/// One node packed in 8 bytes: bits 0–23 the offset of its code in a row's part of the block (the feature,
/// plus one plane when missing values go right), 24–31 the threshold key, 32–63 `left` (the next node is
/// `left + goes_right`; a leaf has `left` = itself).
///
/// The block holds every code twice: plane 0 as binned (missing = 0, below every key), plane 1 shifted down by
/// one with wrapping (missing = 255, above every key). A row goes right when its code > key. Missing left:
/// plane 0, key = threshold (bin b ≥ 1 goes left when b ≤ threshold). Missing right: plane 1, key =
/// threshold − 1 (threshold ≥ 1; b − 1 ≤ threshold − 1 ⇔ b ≤ threshold). A leaf: plane 0, key = 255.
type Packed = u64;

fn pack(left: u32, offset: u32, key: u8) -> Packed {
    u64::from(left) << 32 | u64::from(key) << 24 | u64::from(offset)
}

/// Largest offset a node may hold (24 bits).
const MAX_OFFSET: usize = (1 << 24) - 1;

/// Trees flattened for batch prediction.
pub(crate) struct FlatForest {
    nodes: Vec<Packed>,
    /// Leaf values (0 for splits), indexed like `nodes`.
    values: Vec<f64>,
    /// Per tree: index of its root in `nodes`, and its depth (edges on the longest root-to-leaf path).
    trees: Vec<(u32, u32)>,
    base: f64,
    n_features: usize,
    /// The same trees for the leaf-mask kernel (None when a tree has more than 64 leaves, or more than 16
    /// without AVX-512).
    masks: Option<Masks>,
}

/// A leaf mask: one bit per leaf of a tree, leaf 0 (the leftmost) in bit 0.
trait Mask: Copy + BitAnd<Output = Self> + BitOr<Output = Self> + BitAndAssign {
    const ONES: Self;
    const BITS: u32;
    /// Every bit when `b`, else none.
    fn all_if(b: bool) -> Self;
    /// Every bit but `lo..hi` (hi − lo ≤ BITS).
    fn without(lo: u32, hi: u32) -> Self;
    fn lowest(self) -> u32;
}

macro_rules! mask_impl {
    ($t:ty) => {
        impl Mask for $t {
            const ONES: $t = <$t>::MAX;
            const BITS: u32 = <$t>::BITS;
            #[inline(always)]
            fn all_if(b: bool) -> $t {
                (b as $t).wrapping_neg()
            }
            fn without(lo: u32, hi: u32) -> $t {
                !((((1u128 << (hi - lo)) - 1) << lo) as $t)
            }
            #[inline(always)]
            fn lowest(self) -> u32 {
                self.trailing_zeros()
            }
        }
    };
}
mask_impl!(u16);
mask_impl!(u32);
mask_impl!(u64);

/// A split for the leaf-mask kernel: rows whose code in block column `col` is > `key` go right and keep only
/// the leaves in `keep` (every leaf but the left subtree's).
#[derive(Clone, Copy)]
struct Cond<M> {
    col: u32,
    key: u8,
    keep: M,
}

/// Trees for the leaf-mask kernel.
struct MaskForest<M> {
    conds: Vec<Cond<M>>,
    /// Per tree: the end of its splits in `conds` (they start at the previous tree's end).
    ends: Vec<u32>,
    /// Per tree, `M::BITS` leaf values left to right (0 past its last leaf).
    leaves: Vec<f64>,
}

/// The mask width: the narrowest that holds every tree's leaves.
enum Masks {
    W16(MaskForest<u16>),
    W32(MaskForest<u32>),
    W64(MaskForest<u64>),
}

/// Split key and block column of a split (see [`Packed`]); None for a split that sends every present value
/// right (threshold bin 0 with missing values right).
fn key_col(
    feature: u32,
    threshold_bin: u8,
    missing_left: bool,
    n_features: usize,
) -> Option<(u8, u32)> {
    if missing_left {
        Some((threshold_bin, feature))
    } else {
        Some((threshold_bin.checked_sub(1)?, n_features as u32 + feature))
    }
}

/// `trees` for the leaf-mask kernel, when every node of every tree is reachable from its root and each tree
/// has at most `M::BITS` leaves (shapes already checked by [`FlatForest::new`]).
fn mask_forest<M: Mask>(trees: &[Tree], n_features: usize) -> Option<MaskForest<M>> {
    let w = M::BITS as usize;
    let mut conds = Vec::new();
    let mut ends = Vec::with_capacity(trees.len());
    let mut leaves = Vec::with_capacity(trees.len() * w);
    for t in trees {
        let len = t.nodes.len();
        // leaves numbered left to right (depth first, left child first)
        let mut ord = vec![u32::MAX; len];
        let mut n_leaves = 0u32;
        let mut stack = vec![0usize];
        let start = leaves.len();
        leaves.resize(start + w, 0.0);
        while let Some(i) = stack.pop() {
            match t.nodes[i] {
                Node::Leaf { value } => {
                    if n_leaves as usize >= w {
                        return None;
                    }
                    leaves[start + n_leaves as usize] = value;
                    ord[i] = n_leaves;
                    n_leaves += 1;
                }
                Node::Split { left, right, .. } => {
                    stack.push(right as usize);
                    stack.push(left as usize);
                }
            }
        }
        // each node's leaves are the range lo..hi (children come after their parent)
        let (mut lo, mut hi) = (vec![0u32; len], vec![0u32; len]);
        for i in (0..len).rev() {
            match t.nodes[i] {
                Node::Leaf { .. } => {
                    if ord[i] == u32::MAX {
                        return None; // unreachable
                    }
                    (lo[i], hi[i]) = (ord[i], ord[i] + 1);
                }
                Node::Split { left, right, .. } => {
                    (lo[i], hi[i]) = (lo[left as usize], hi[right as usize]);
                }
            }
        }
        for n in &t.nodes {
            if let Node::Split {
                feature,
                threshold_bin,
                missing_left,
                left,
                ..
            } = *n
            {
                let (key, col) = key_col(feature, threshold_bin, missing_left, n_features)?;
                let l = left as usize;
                conds.push(Cond {
                    col,
                    key,
                    keep: M::without(lo[l], hi[l]),
                });
            }
        }
        ends.push(u32::try_from(conds.len()).ok()?);
    }
    Some(MaskForest {
        conds,
        ends,
        leaves,
    })
}

impl<M: Mask> MaskForest<M> {
    /// Adds each tree's leaf value to `out` (the block's first `out.len()` rows), tree after tree; `blk` holds
    /// the block's codes column-major, [`BLOCK`] per column. Rows go [`GROUP`] at a time through all the
    /// trees, their masks in registers; a last partial group reads the block's stale codes past `out.len()`
    /// and drops their leaves.
    #[inline(always)]
    fn add_to(&self, blk: &[u8], out: &mut [f64]) {
        let w = M::BITS as usize;
        for (g, out) in out.chunks_mut(GROUP).enumerate() {
            let mut c0 = 0usize;
            for (t, &c1) in self.ends.iter().enumerate() {
                let mut masks = [M::ONES; GROUP];
                self.masks(&mut masks, blk, g * GROUP, c0..c1 as usize);
                c0 = c1 as usize;
                let vals = &self.leaves[t * w..][..w];
                // f64 sums in tree order per row: the tree walk's result to the bit
                for (o, &mk) in out.iter_mut().zip(&masks) {
                    *o += vals[mk.lowest() as usize & (w - 1)];
                }
            }
        }
    }

    /// The leaf masks of the [`GROUP`] rows from `r0` of the block after the splits `conds` (one tree's),
    /// from all ones.
    /// Not a closure: a closure is compiled without the caller's target features and would not be inlined
    /// into the AVX2 / AVX-512 builds.
    #[inline(always)]
    fn masks(&self, masks: &mut [M; GROUP], blk: &[u8], r0: usize, conds: std::ops::Range<usize>) {
        for c in &self.conds[conds] {
            let at = c.col as usize * BLOCK + r0;
            let Some(col) = blk.get(at..at + GROUP) else {
                continue; // never: columns hold BLOCK codes
            };
            for j in 0..GROUP {
                masks[j] &= c.keep | M::all_if(col[j] <= c.key);
            }
        }
    }
}

impl MaskForest<u16> {
    /// [`MaskForest::add_to`] with AVX-512 when this CPU has it (natively on x86-64): the leaf step looks 8
    /// rows' values up in the tree's 16 values held in two registers (a permute) instead of 8 loads; the same
    /// leaves and the same additions.
    fn add_to_fastest16(&self, blk: &[u8], out: &mut [f64]) {
        #[cfg(target_arch = "x86_64")]
        if has_avx512() {
            // SAFETY: the CPU has the features the function is compiled for (checked just above).
            unsafe { add_to_avx512_w16(self, blk, out) };
            return;
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: as above.
            unsafe { add_to_avx2(self, blk, out) };
            return;
        }
        self.add_to(blk, out);
    }
}

// The SIMD builds need Rust 1.89 (AVX-512 target features and intrinsics; safe `#[target_feature]` fns from
// 1.86): Cargo.toml's `rust-version` is 1.89 for them (docs/BENCHMARKS.md §`uplift fit` round 7).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512cd,avx512vl,avx2,bmi1")]
fn add_to_avx512_w16(f: &MaskForest<u16>, blk: &[u8], out: &mut [f64]) {
    use std::arch::x86_64::*;
    for (g, out) in out.chunks_mut(GROUP).enumerate() {
        let mut c0 = 0usize;
        for (t, &c1) in f.ends.iter().enumerate() {
            let mut masks = [u16::MAX; GROUP];
            f.masks(&mut masks, blk, g * GROUP, c0..c1 as usize);
            c0 = c1 as usize;
            let vals = &f.leaves[t * 16..][..16];
            let m = out.len().min(GROUP);
            let masks = &masks[..m];
            // SAFETY: 16 values are read from `vals` (length 16); 8 masks from `masks` and 8 values from and
            // to `out` at j < j + 8 ≤ m ≤ both lengths.
            unsafe {
                let lo = _mm512_loadu_pd(vals.as_ptr());
                let hi = _mm512_loadu_pd(vals.as_ptr().add(8));
                let top = _mm512_set1_epi64(63);
                let mut j = 0;
                while j + 8 <= m {
                    let mk = _mm512_cvtepu16_epi64(_mm_loadu_si128(masks.as_ptr().add(j).cast()));
                    // the lowest set bit alone, then its index: 63 − leading zeros (a mask is never 0: the
                    // row's own leaf stays set)
                    let low = _mm512_and_si512(mk, _mm512_sub_epi64(_mm512_setzero_si512(), mk));
                    let leaf = _mm512_sub_epi64(top, _mm512_lzcnt_epi64(low));
                    let v = _mm512_permutex2var_pd(lo, leaf, hi);
                    let o = out.as_mut_ptr().add(j);
                    _mm512_storeu_pd(o, _mm512_add_pd(_mm512_loadu_pd(o), v));
                    j += 8;
                }
                for (o, &mk) in out[j..m].iter_mut().zip(&masks[j..]) {
                    *o += vals[mk.trailing_zeros() as usize & 15];
                }
            }
        }
    }
}

impl<M: Mask> MaskForest<M> {
    /// [`MaskForest::add_to`] compiled for AVX2 when this CPU has it (natively on x86-64; the same integer
    /// operations, so the same leaves).
    fn add_to_fastest(&self, blk: &[u8], out: &mut [f64]) {
        #[cfg(target_arch = "x86_64")]
        {
            if has_avx512() {
                // SAFETY: the CPU has the features the function is compiled for (checked just above).
                unsafe { add_to_avx512(self, blk, out) };
                return;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: as above.
                unsafe { add_to_avx2(self, blk, out) };
                return;
            }
        }
        self.add_to(blk, out);
    }
}

/// Whether this CPU has the AVX-512 parts the kernels use (F, BW, CD, VL).
#[cfg(target_arch = "x86_64")]
fn has_avx512() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512bw")
        && std::arch::is_x86_feature_detected!("avx512cd")
        && std::arch::is_x86_feature_detected!("avx512vl")
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512cd,avx512vl,avx2,bmi1")]
fn add_to_avx512<M: Mask>(f: &MaskForest<M>, blk: &[u8], out: &mut [f64]) {
    f.add_to(blk, out);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,bmi1")]
fn add_to_avx2<M: Mask>(f: &MaskForest<M>, blk: &[u8], out: &mut [f64]) {
    f.add_to(blk, out);
}

/// Whether masks wider than 16 bits are fast here: with AVX-512 (`examples/predict_speed`, depth 6, CPU per
/// row-level: 0.94 ns against 2.15 linked). With AVX2 the 64-bit masks took 3.5 ns and with 128-bit vectors
/// (SSE2, wasm's SIMD128) 6.6 ns, so there trees of more than 16 leaves take the linked kernel.
fn wide_masks_fast() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        has_avx512()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

impl FlatForest {
    /// Flatten `trees` for a design with `n_features` columns. None when a tree does not have the grower's
    /// shape (right child = left + 1, children after their parent, features inside the design) or has a split
    /// that sends every present value right (threshold bin 0 with missing values right, which the grower never
    /// makes): such models (hand-edited JSON) are predicted by the plain tree walk.
    pub fn new(trees: &[Tree], base: f64, n_features: usize) -> Option<FlatForest> {
        let total: usize = trees.iter().map(|t| t.nodes.len()).sum();
        // plane 1 starts at BLOCK · n_features; its last code must fit a node's offset
        if total >= u32::MAX as usize || 2 * BLOCK * n_features.max(1) > MAX_OFFSET {
            return None;
        }
        let plane = (BLOCK * n_features) as u32;
        let mut nodes = Vec::with_capacity(total);
        let mut values = Vec::with_capacity(total);
        let mut out_trees = Vec::with_capacity(trees.len());
        for t in trees {
            let off = nodes.len() as u32;
            let len = t.nodes.len();
            if len == 0 {
                return None;
            }
            let mut depth = vec![0u32; len];
            for (i, n) in t.nodes.iter().enumerate() {
                match *n {
                    Node::Leaf { value } => {
                        nodes.push(pack(off + i as u32, 0, u8::MAX));
                        values.push(value);
                    }
                    Node::Split {
                        feature,
                        threshold_bin,
                        missing_left,
                        left,
                        right,
                        ..
                    } => {
                        let (l, r) = (left as usize, right as usize);
                        // children strictly after the parent: no cycles, depth known in one pass
                        if r != l + 1 || l <= i || r >= len || feature as usize >= n_features {
                            return None;
                        }
                        depth[l] = depth[i] + 1;
                        depth[r] = depth[i] + 1;
                        let (key, col) = key_col(feature, threshold_bin, missing_left, n_features)?;
                        // a code's offset in the block's row: the column, plane 1 at BLOCK · nf
                        let offset = if col >= n_features as u32 {
                            plane + feature
                        } else {
                            feature
                        };
                        nodes.push(pack(off + left, offset, key));
                        values.push(0.0);
                    }
                }
            }
            out_trees.push((off, depth.iter().copied().max().unwrap_or(0)));
        }
        let most_leaves = trees.iter().map(Tree::n_leaves).max().unwrap_or(0);
        let masks = match most_leaves {
            0..=16 => mask_forest(trees, n_features).map(Masks::W16),
            17..=32 if wide_masks_fast() => mask_forest(trees, n_features).map(Masks::W32),
            33..=64 if wide_masks_fast() => mask_forest(trees, n_features).map(Masks::W64),
            _ => None,
        };
        Some(FlatForest {
            nodes,
            values,
            trees: out_trees,
            base,
            n_features,
            masks,
        })
    }

    /// Raw scores of `rows` (at most [`BLOCK`]) into `out`; `codes` column-major with `n` rows per column.
    /// `scratch` holds the block's codes (resized here; reuse it across blocks).
    pub fn raw_block(
        &self,
        codes: &[u8],
        n: usize,
        rows: &[u32],
        out: &mut [f64],
        scratch: &mut Vec<u8>,
    ) {
        let m = rows.len().min(BLOCK).min(out.len());
        if m == 0 {
            return;
        }
        let out = &mut out[..m];
        let rows = &rows[..m];
        out.fill(self.base);
        if let Some(masks) = &self.masks {
            // The block's codes column-major (feature f's at f·BLOCK…, plane 1 at BLOCK·nf…): a split reads
            // one run of the block's codes.
            let nf = self.n_features;
            if scratch.len() < 2 * BLOCK * nf {
                scratch.resize(2 * BLOCK * nf, 0);
            }
            let (p0, p1) = scratch.split_at_mut(BLOCK * nf);
            for f in 0..nf {
                let col = &codes[f * n..(f + 1) * n];
                let dst = &mut p0[f * BLOCK..][..m];
                for (d, &r) in dst.iter_mut().zip(rows) {
                    *d = col[r as usize];
                }
                for (b, &a) in p1[f * BLOCK..][..m].iter_mut().zip(dst.iter()) {
                    *b = a.wrapping_sub(1);
                }
            }
            match masks {
                Masks::W16(f) => f.add_to_fastest16(scratch, out),
                Masks::W32(f) => f.add_to_fastest(scratch, out),
                Masks::W64(f) => f.add_to_fastest(scratch, out),
            }
            return;
        }
        // The block's codes row-major (row j's features at j·nf…, plane 1 at BLOCK·nf…): each step reads one
        // small, hot array. Rows are padded to a whole number of lanes with copies of the last row (their sums
        // are dropped).
        let nf = self.n_features.max(1);
        let plane = BLOCK * nf;
        let padded = m.div_ceil(LANES) * LANES;
        scratch.clear();
        scratch.resize(2 * plane, 0);
        for f in 0..self.n_features {
            let col = &codes[f * n..(f + 1) * n];
            for (j, &r) in rows.iter().enumerate() {
                scratch[j * nf + f] = col[r as usize];
            }
        }
        let last = (m - 1) * nf;
        for j in m..padded {
            scratch.copy_within(last..last + nf, j * nf);
        }
        let (p0, p1) = scratch.split_at_mut(plane);
        for (b, &a) in p1[..padded * nf].iter_mut().zip(&p0[..padded * nf]) {
            *b = a.wrapping_sub(1);
        }
        let blk = &scratch[..];
        let nodes = &self.nodes[..];
        let mut leaf = [0u32; BLOCK];
        for &(root, depth) in &self.trees {
            for (g, lanes) in leaf[..padded].chunks_exact_mut(LANES).enumerate() {
                let mut idx = [root; LANES];
                let mut base = [0usize; LANES];
                for (c, b) in base.iter_mut().enumerate() {
                    *b = (g * LANES + c) * nf;
                }
                for _ in 0..depth {
                    for c in 0..LANES {
                        let nd = nodes[idx[c] as usize];
                        let code = blk[base[c] + (nd as usize & MAX_OFFSET)];
                        let right = code > (nd >> 24) as u8;
                        idx[c] = (nd >> 32) as u32 + u32::from(right);
                    }
                }
                lanes.copy_from_slice(&idx);
            }
            // f64 sums in tree order per row: the tree walk's result to the bit
            for (o, &i) in out.iter_mut().zip(&leaf[..m]) {
                *o += self.values[i as usize];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(feature: u32, threshold_bin: u8, missing_left: bool, left: u32) -> Node {
        Node::Split {
            feature,
            threshold_bin,
            threshold: 0.0,
            missing_left,
            left,
            right: left + 1,
            gain: 0.0,
        }
    }

    #[test]
    fn packed_nodes_send_every_code_where_the_tree_walk_does() {
        // Two features, every pair of codes (a, b) in 0..=255 (0 = missing): 65,536 rows. Tree 0: root on
        // feature 0 at bin 255 with missing right (plane 1, key 254: bin 255 still left, missing right), then feature 1
        // at bin 1 missing left (key 1) and at bin 7 missing right (key 6). Tree 1: feature 1 at bin 0 missing
        // left (the "missing or not" split: key 0). Leaf values are powers of two so every path's sum differs.
        let leaf = |value: f64| Node::Leaf { value };
        let t0 = Tree {
            nodes: vec![
                split(0, 255, false, 1),
                split(1, 1, true, 3),
                split(1, 7, false, 5),
                leaf(1.0),
                leaf(2.0),
                leaf(4.0),
                leaf(8.0),
            ],
        };
        let t1 = Tree {
            nodes: vec![split(1, 0, true, 1), leaf(16.0), leaf(32.0)],
        };
        let trees = [t0, t1];
        let n = 256 * 256;
        let mut codes = vec![0u8; 2 * n];
        for r in 0..n {
            codes[r] = (r / 256) as u8;
            codes[n + r] = (r % 256) as u8;
        }
        // rows in a scrambled order, blocks of BLOCK and a partial last block (not a multiple of LANES)
        let rows: Vec<u32> = (0..n as u32 - 3).map(|i| (i * 40_503) % n as u32).collect();
        let forest = FlatForest::new(&trees, 0.5, 2).expect("grower shape");
        assert!(matches!(forest.masks, Some(Masks::W16(_))));
        for kernel in kernels(forest, &trees, 2) {
            assert_same_as_tree_walk(&kernel, &trees, &codes, n, &rows);
        }
        // Threshold bin 0 with missing right sends every row right: not packable, the tree walk predicts it;
        // so is a design too wide for a node's 24-bit offset.
        let odd = Tree {
            nodes: vec![split(0, 0, false, 1), leaf(1.0), leaf(2.0)],
        };
        assert!(FlatForest::new(&[odd], 0.0, 2).is_none());
        assert!(FlatForest::new(&trees, 0.5, 32_767).is_some());
        assert!(FlatForest::new(&trees, 0.5, 32_768).is_none());
    }

    /// How a test runs a forest: `raw_block` (whatever kernel it picks), or the leaf masks' plain loop (the
    /// one wasm runs) or its AVX2 or AVX-512 build called directly (when the CPU has them; else the plain one).
    #[derive(Clone, Copy, PartialEq)]
    enum Run {
        Raw,
        Plain,
        Avx2,
        Avx512,
    }

    /// The forest as built, then with each kernel forced: linked nodes, 64-bit leaf masks (a forest whose trees
    /// have at most 64 leaves) and 16-bit ones (at most 16), through the plain and the AVX2 loops.
    fn kernels(forest: FlatForest, trees: &[Tree], nf: usize) -> Vec<(FlatForest, Run)> {
        let copy = |masks: Option<Masks>| FlatForest {
            nodes: forest.nodes.clone(),
            values: forest.values.clone(),
            trees: forest.trees.clone(),
            base: forest.base,
            n_features: forest.n_features,
            masks,
        };
        let mut out = vec![(copy(None), Run::Raw)];
        for run in [Run::Plain, Run::Avx2, Run::Avx512] {
            if let Some(m) = mask_forest::<u64>(trees, nf) {
                out.push((copy(Some(Masks::W64(m))), run));
            }
            if let Some(m) = mask_forest::<u16>(trees, nf) {
                out.push((copy(Some(Masks::W16(m))), run));
            }
        }
        out.push((forest, Run::Raw));
        out
    }

    fn run_masks<M: Mask>(m: &MaskForest<M>, run: Run, blk: &[u8], out: &mut [f64]) {
        #[cfg(target_arch = "x86_64")]
        {
            if run == Run::Avx512 && has_avx512() {
                // SAFETY: the CPU has the features (checked).
                return unsafe { add_to_avx512(m, blk, out) };
            }
            if run == Run::Avx2 && std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: as above.
                return unsafe { add_to_avx2(m, blk, out) };
            }
        }
        let _ = run;
        m.add_to(blk, out)
    }

    /// Every row's raw score equals base + the trees' leaf values added in tree order, to the bit.
    fn assert_same_as_tree_walk(
        (forest, run): &(FlatForest, Run),
        trees: &[Tree],
        codes: &[u8],
        n: usize,
        rows: &[u32],
    ) {
        let mut scratch = Vec::new();
        for chunk in rows.chunks(BLOCK) {
            let mut out = vec![0.0; chunk.len()];
            if *run == Run::Raw {
                forest.raw_block(codes, n, chunk, &mut out, &mut scratch);
            } else {
                // the block's columns as raw_block lays them out, then the loop asked for
                let nf = forest.n_features;
                scratch.clear();
                scratch.resize(2 * BLOCK * nf, 0);
                for f in 0..nf {
                    for (j, &r) in chunk.iter().enumerate() {
                        let c = codes[f * n + r as usize];
                        scratch[f * BLOCK + j] = c;
                        scratch[(nf + f) * BLOCK + j] = c.wrapping_sub(1);
                    }
                }
                out.fill(forest.base);
                match &forest.masks {
                    Some(Masks::W64(m)) => run_masks(m, *run, &scratch, &mut out),
                    Some(Masks::W16(m)) => run_masks(m, *run, &scratch, &mut out),
                    _ => unreachable!("the tests force only these"),
                }
            }
            for (&r, &got) in chunk.iter().zip(&out) {
                let r = r as usize;
                let bin = |j: usize| codes[j * n + r];
                let want = trees.iter().fold(forest.base, |acc, t| acc + t.value(bin));
                assert_eq!(got.to_bits(), want.to_bits(), "row {r}");
            }
        }
    }

    #[test]
    fn every_kernel_matches_the_tree_walk_on_random_shapes() {
        // Trees grown by splitting a random leaf until they have L leaves (L = 1, 3, 16, 17, 40, 64: every mask
        // width, unbalanced and deep shapes), random features of 3, thresholds and missing directions; codes
        // weighted towards 0 (missing), 1, 254 and 255 (the planes' edges). Leaf values are random.
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let nf = 3;
        let mut tree = |leaves: usize| {
            let mut nodes = vec![Node::Leaf { value: 0.0 }];
            while nodes.len() < 2 * leaves - 1 {
                let at: Vec<usize> = (0..nodes.len())
                    .filter(|&i| matches!(nodes[i], Node::Leaf { .. }))
                    .collect();
                let i = at[rng.gen_range(0..at.len())];
                let missing_left = rng.gen_bool(0.5);
                let lo = if missing_left { 0 } else { 1 };
                let left = nodes.len() as u32;
                nodes[i] = split(
                    rng.gen_range(0..nf as u32),
                    rng.gen_range(lo..=255),
                    missing_left,
                    left,
                );
                nodes.push(Node::Leaf { value: 0.0 });
                nodes.push(Node::Leaf { value: 0.0 });
            }
            for nd in nodes.iter_mut() {
                if let Node::Leaf { value } = nd {
                    *value = rng.gen_range(-1.0..1.0);
                }
            }
            Tree { nodes }
        };
        let forests: Vec<Vec<Tree>> = vec![
            vec![tree(1), tree(3), tree(16), tree(16)],
            vec![tree(16), tree(17), tree(3), tree(32)],
            vec![tree(40), tree(64), tree(1), tree(64), tree(16)],
        ];
        let big = [tree(65)];
        let n = 3_000;
        let codes: Vec<u8> = (0..nf * n)
            .map(|_| match rng.gen_range(0..8) {
                0 => 0,
                1 => 1,
                2 => 254,
                3 => 255,
                _ => rng.gen(),
            })
            .collect();
        // every row once in a scrambled order, then every 5th: full and partial blocks and groups
        let mut rows: Vec<u32> = (0..n as u32).map(|i| (i * 1_117) % n as u32).collect();
        rows.extend((0..n as u32).step_by(5));
        for trees in &forests {
            let forest = FlatForest::new(trees, 0.25, nf).expect("grower shape");
            for kernel in kernels(forest, trees, nf) {
                assert_same_as_tree_walk(&kernel, trees, &codes, n, &rows);
            }
        }
        // more than 64 leaves: linked nodes only
        let forest = FlatForest::new(&big, 0.0, nf).expect("grower shape");
        assert!(forest.masks.is_none());
        assert!(mask_forest::<u64>(&big, nf).is_none());
        assert_same_as_tree_walk(&(forest, Run::Raw), &big, &codes, n, &rows);
    }
}
