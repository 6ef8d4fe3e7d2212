//! One fitted tree: splits on bin thresholds (with the raw-value threshold kept for reading), leaf values.

use serde::{Deserialize, Serialize};

use crate::data::binning::MISSING_BIN;

/// A node of a tree: a split or a leaf.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Node {
    /// Rows with `bin ≤ threshold_bin` of `feature` go to `left`, others to `right`; missing (bin 0)
    /// rows go left when `missing_left`.
    Split {
        feature: u32,
        threshold_bin: u8,
        /// The largest raw value that goes left (the upper bound of `threshold_bin`).
        threshold: f64,
        missing_left: bool,
        left: u32,
        right: u32,
        /// Loss reduction the split bought on the training rows (for feature importance).
        gain: f64,
    },
    /// Adds `value` (learning rate already applied) to the raw score.
    Leaf { value: f64 },
}

/// A regression tree over binned features; node 0 is the root.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    pub nodes: Vec<Node>,
}

impl Tree {
    /// The leaf value for a row whose bin of feature j is `bin(j)`.
    #[inline]
    pub fn value(&self, bin: impl Fn(usize) -> u8) -> f64 {
        let mut i = 0usize;
        loop {
            match &self.nodes[i] {
                Node::Leaf { value } => return *value,
                Node::Split {
                    feature,
                    threshold_bin,
                    missing_left,
                    left,
                    right,
                    ..
                } => {
                    let b = bin(*feature as usize);
                    let go_left = if b == MISSING_BIN {
                        *missing_left
                    } else {
                        b <= *threshold_bin
                    };
                    i = if go_left { *left } else { *right } as usize;
                }
            }
        }
    }

    /// Number of leaves.
    pub fn n_leaves(&self) -> usize {
        self.nodes
            .iter()
            .filter(|n| matches!(n, Node::Leaf { .. }))
            .count()
    }
}
