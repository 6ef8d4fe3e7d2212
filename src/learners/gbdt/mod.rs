//! Histogram gradient-boosted trees: our own, because it is the product's speed.
