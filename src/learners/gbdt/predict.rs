//! Fast batch prediction: the trees flattened into one array of small nodes, walked branch-free, a block of
//! rows at a time, one tree after another.
//!
//! Why: predicting is most of an uplift fit's time (every fold's models score every row twice: out-of-fold
//! and for the standard errors), and walking one row through 100 trees of `Node` enums costs an unpredictable
//! branch per level. Here a leaf points to itself (threshold 255, missing left), so every row of a tree takes
//! exactly `depth` steps with no branch on the data; the rows of a block are stepped together (independent
//! loads, no mispredictions) and a block's codes stay in cache across the trees.
//!
//! Same result as [`super::GbdtModel`]'s tree walk to the bit: each row's raw score is still
//! base + tree 0 + tree 1 + … added in tree order.

use super::tree::{Node, Tree};

/// Rows stepped together.
pub(crate) const BLOCK: usize = 256;

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
                        let (key, offset) = if missing_left {
                            (threshold_bin, feature)
                        } else {
                            (threshold_bin.checked_sub(1)?, plane + feature)
                        };
                        nodes.push(pack(off + left, offset, key));
                        values.push(0.0);
                    }
                }
            }
            out_trees.push((off, depth.iter().copied().max().unwrap_or(0)));
        }
        Some(FlatForest {
            nodes,
            values,
            trees: out_trees,
            base,
            n_features,
        })
    }

    /// Raw scores of `rows` (at most [`BLOCK`]) into `out`; `codes` column-major with `n` rows per column.
    /// `scratch` holds the block's codes row-major (resized here; reuse it across blocks).
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
        let forest = FlatForest::new(&trees, 0.5, 2).expect("grower shape");
        let n = 256 * 256;
        let mut codes = vec![0u8; 2 * n];
        for r in 0..n {
            codes[r] = (r / 256) as u8;
            codes[n + r] = (r % 256) as u8;
        }
        // rows in a scrambled order, blocks of BLOCK and a partial last block (not a multiple of LANES)
        let rows: Vec<u32> = (0..n as u32 - 3).map(|i| (i * 40_503) % n as u32).collect();
        let mut scratch = Vec::new();
        for chunk in rows.chunks(BLOCK) {
            let mut out = vec![0.0; chunk.len()];
            forest.raw_block(&codes, n, chunk, &mut out, &mut scratch);
            for (&r, &got) in chunk.iter().zip(&out) {
                let r = r as usize;
                let bin = |j: usize| codes[j * n + r];
                let want = 0.5 + trees[0].value(bin) + trees[1].value(bin);
                assert_eq!(got.to_bits(), want.to_bits(), "row {r}");
            }
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
}
