//! # Uplift Simulator
//!
//! Learns from a randomized test (treated vs control rows) how much an ad changes each user's chance to buy,
//! sorts users into archetypes, simulates campaign budgets and audits fairness — in the browser (wasm) and natively.
//!
//! Reading order, following the one-way flow of data:
//! `data → learners → uplift → metrics / decide → charts → {wasm, bin}`.
//!
//! | module | what it does |
//! |---|---|
//! | [`error`] | the one error enum; messages a marketer can act on |
//! | [`data`] | demo generator, CSV ingest, column roles, validation report, binning |
//! | [`learners`] | `Learner` trait, histogram gradient-boosted trees, logistic regression |
//! | [`uplift`] | propensity, S/T/X/DR meta-learners, cross-fitting, uncertainty |
//! | [`metrics`] | Qini/uplift curves and scores, deciles, bootstrap intervals, calibration |
//! | [`decide`] | archetypes, review queue, campaign simulator, fairness audit |
//! | [`charts`] | plotters drawings generic over the backend |
//! | `wasm` | the JavaScript facade (wasm32 only) |

pub mod charts;
pub mod data;
pub mod decide;
pub mod error;
pub mod learners;
pub mod metrics;
pub mod pipeline;
pub mod uplift;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, Result};
