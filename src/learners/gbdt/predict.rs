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

/// One node: `next = left + !goes_left` (the right child is always `left + 1`; a leaf has `left` = itself).
#[derive(Debug, Clone, Copy)]
struct Flat {
    left: u32,
    feature: u32,
    threshold: u8,
    missing_left: bool,
}

/// Trees flattened for batch prediction.
pub(crate) struct FlatForest {
    nodes: Vec<Flat>,
    /// Leaf values (0 for splits), indexed like `nodes`.
    values: Vec<f64>,
    /// Per tree: index of its root in `nodes`, and its depth (edges on the longest root-to-leaf path).
    trees: Vec<(u32, u32)>,
    base: f64,
}

impl FlatForest {
    /// Flatten `trees` for a design with `n_features` columns. None when a tree does not have the grower's
    /// shape (right child = left + 1, children after their parent, features inside the design): such
    /// models (hand-edited JSON) are predicted by the plain tree walk.
    pub fn new(trees: &[Tree], base: f64, n_features: usize) -> Option<FlatForest> {
        let total: usize = trees.iter().map(|t| t.nodes.len()).sum();
        if total >= u32::MAX as usize {
            return None;
        }
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
                        nodes.push(Flat {
                            left: off + i as u32,
                            feature: 0,
                            threshold: u8::MAX,
                            missing_left: true,
                        });
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
                        nodes.push(Flat {
                            left: off + left,
                            feature,
                            threshold: threshold_bin,
                            missing_left,
                        });
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
        })
    }

    /// Raw scores of `rows` (at most [`BLOCK`]) into `out`; `codes` column-major with `n` rows per column.
    pub fn raw_block(&self, codes: &[u8], n: usize, rows: &[u32], out: &mut [f64]) {
        let m = rows.len().min(BLOCK);
        let out = &mut out[..m];
        let rows = &rows[..m];
        out.fill(self.base);
        let mut idx = [0u32; BLOCK];
        let idx = &mut idx[..m];
        for &(root, depth) in &self.trees {
            idx.fill(root);
            for _ in 0..depth {
                for (i, &r) in idx.iter_mut().zip(rows) {
                    let nd = self.nodes[*i as usize];
                    let b = codes[nd.feature as usize * n + r as usize];
                    // bin 0 = missing: goes where `missing_left` says; otherwise left when b ≤ threshold
                    let left = ((b == 0) & nd.missing_left) | ((b != 0) & (b <= nd.threshold));
                    *i = nd.left + u32::from(!left);
                }
            }
            for (o, &i) in out.iter_mut().zip(idx.iter()) {
                *o += self.values[i as usize];
            }
        }
    }
}
