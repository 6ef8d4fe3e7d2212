//! One run from a prepared table to honest scores and decisions, shared by the native command and the page.
//!
//! Holds no logic of its own beyond wiring: [`base`] picks the base learner per model (small-arm safety),
//! [`run`] bins the features once and calls `uplift::fit_uplift`, [`scores`] writes and reads SCORES.csv
//! (ours, or scores a user brings from another pipeline).

pub mod base;
pub mod campaign;
pub mod run;
pub mod scores;
pub mod trained;

pub use base::{BaseKind, BaseParams};
pub use run::{score, RunParams, ScoreRun};
