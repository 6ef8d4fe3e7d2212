//! Metrics that judge uplift scores: Qini and uplift curves, AUUC, uplift@k, deciles, bootstrap intervals,
//! calibration and (on generated data) the share of true incremental conversions captured. No model fitting.
//!
//! Every number follows a named convention, stated beside it: the ranking metrics reproduce scikit-uplift 0.5.1
//! exactly (tests/metrics_golden.rs checks them to 1e-9 against tests/fixtures/sklift_metric_vectors.json).
//! Inputs are plain row-aligned slices: `&[f64]` scores, `&[bool]` treatment, and a 0/1 outcome of any
//! numeric type (see [`OutcomeValue`]).
//!
//! | file | what |
//! |---|---|
//! | `input.rs` | input checks shared by every metric |
//! | `order.rs` | the ranking (sort once) and its tie blocks |
//! | `curves.rs` | Qini and uplift curves with perfect and random references, downsampling for charts |
//! | `scores.rs` | Qini coefficient (`qini_auc_score`) and AUUC (`uplift_auc_score`), curve areas |
//! | `at_k.rs` | uplift@k, `overall` and `by_group` |
//! | `bootstrap.rs` | seeded, arm-stratified percentile intervals of the ranking metrics |
//! | `band.rs` | pointwise bootstrap band of the Qini curve, for charts |
//! | `deciles.rs` | uplift by bins of predicted uplift, with Newcombe intervals |
//! | `calibration.rs` | mean predicted vs observed conversion rate per arm, and per bin |
//! | `capture.rs` | share of true incremental conversions captured; Spearman rank correlation |
//! | `report.rs` | `uplift_metrics`: everything the page and REPORT.json show, in one call |

pub mod at_k;
pub mod band;
pub mod bootstrap;
pub mod calibration;
pub mod capture;
pub mod curves;
pub mod deciles;
pub mod input;
pub mod order;
pub mod report;
pub mod scores;

pub use at_k::{uplift_at_k, AtKStrategy, TopK};
pub use band::{qini_band, QiniBand, QiniBandParams};
pub use bootstrap::{bootstrap_intervals, BootstrapIntervals, BootstrapParams, Interval};

pub use calibration::{calibration, ArmCalibration, CalibrationPoint, CalibrationReport};
pub use capture::{capture_at, spearman};
pub use curves::{qini_curve, uplift_curve, CurvePoints, QiniCurve, UpliftCurve};
pub use deciles::{uplift_by_bins, UpliftBin};

pub use input::OutcomeValue;
pub use order::Ranking;

pub use report::{uplift_metrics, IntervalSettings, MetricsParams, UpliftMetrics};
pub use scores::{qini_auc_score, uplift_auc_score, CurveAreas};
