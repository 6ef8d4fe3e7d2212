//! Fit: prepared rows → binned design → cross-fitted uplift scores with the chosen base learner.

use serde::{Deserialize, Serialize};

use crate::data::binning::BinParams;
use crate::data::prepare::Prepared;
use crate::error::Result;
use crate::learners::{CancelFn, Design};
use crate::uplift::{fit_uplift, StageTiming, UpliftFit, UpliftParams};

use super::base::BaseParams;

/// Every setting of a fit. Every field has a default, so the page may send `{}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct RunParams {
    /// Feature binning (default ≤ 255 quantile bins per feature + a missing bin).
    pub bins: BinParams,
    /// Meta-learner, folds, propensity clipping, IPW, imbalance weighting, seed.
    pub uplift: UpliftParams,
    /// Base learner and small-arm safety.
    pub base: BaseParams,
}

/// The fitted scores and what produced them.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoreRun {
    pub fit: UpliftFit,
    /// "gradient-boosted trees" or "logistic regression".
    pub base_learner: &'static str,
    pub settings: RunParams,
}

/// Fit uplift on every kept row with K-fold cross-fitting (see `uplift::fit_uplift`).
/// `progress(stage, fraction)`, `cancel()` and the optional clock `now_ms` are passed through.
pub fn score(
    prepared: &Prepared,
    params: &RunParams,
    progress: &mut dyn FnMut(&str, f64),
    cancel: CancelFn,
    now_ms: Option<&dyn Fn() -> f64>,
) -> Result<ScoreRun> {
    let t0 = start(params, progress, now_ms)?;
    let design = prepared.design(&params.bins);
    fit_design(&design, t0, prepared, params, progress, cancel, now_ms)
}

/// [`score`] for a caller done with the feature values (the native command): they move into the design
/// instead of being copied (`Prepared::take_design`), 8 bytes per cell less at the peak. Same scores.
pub fn score_taking_features(
    prepared: &mut Prepared,
    params: &RunParams,
    progress: &mut dyn FnMut(&str, f64),
    cancel: CancelFn,
    now_ms: Option<&dyn Fn() -> f64>,
) -> Result<ScoreRun> {
    let t0 = start(params, progress, now_ms)?;
    let design = prepared.take_design(&params.bins);
    fit_design(&design, t0, prepared, params, progress, cancel, now_ms)
}

/// Inputs from this size on (bytes of the data file) get glibc's mmap and trim thresholds at 1 MiB; smaller ones at
/// 32 MiB (see [`return_large_blocks_to_the_system`]). 512 MiB is about 6M rows of the demo's 18 columns.
pub const LARGE_INPUT_BYTES: u64 = 512 << 20;

/// For a native process about to hold large buffers (the `uplift fit` command), sized by its input
/// (`input_bytes`, the data file's size): natively on Linux with glibc, every allocation from the threshold on gets
/// its own mapping, given back to the system when it is freed, and free memory at the top of the heap is given back
/// from the same size on. The threshold is fixed (by default glibc raises it up to 32 MiB as large blocks are freed)
/// at 1 MiB for inputs of [`LARGE_INPUT_BYTES`] or more, so the folds' and models' freed buffers do not stay in
/// malloc's heaps beside the largest buffers (14M rows: ≤ 6 GB), and at 32 MiB below that, where every buffer of
/// 32 MiB or less is reused from the heaps instead of mapped, faulted in page by page and unmapped each time: 2M
/// rows (X), system time 4.2–4.4 s → 1.9 s and page faults 1.04M → 0.41M, for a peak of 1.03 GB instead of 0.65
/// (docs/BENCHMARKS.md, read + prepare round 2). Changes no result; does nothing elsewhere (other platforms, wasm).
pub fn return_large_blocks_to_the_system(input_bytes: u64) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn mallopt(param: i32, value: i32) -> i32;
        }
        // glibc's <malloc.h>
        const M_TRIM_THRESHOLD: i32 = -1;
        const M_MMAP_THRESHOLD: i32 = -3;
        let threshold: i32 = if input_bytes >= LARGE_INPUT_BYTES {
            1 << 20
        } else {
            32 << 20
        };
        // SAFETY: mallopt only sets glibc malloc's tuning parameters (under its own lock); a rejected value
        // leaves the default in place, so the return value needs no handling.
        unsafe {
            mallopt(M_MMAP_THRESHOLD, threshold);
            mallopt(M_TRIM_THRESHOLD, threshold);
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = input_bytes;
}

/// Validate the settings and announce the binning; the clock reading when binning starts.
fn start(
    params: &RunParams,
    progress: &mut dyn FnMut(&str, f64),
    now_ms: Option<&dyn Fn() -> f64>,
) -> Result<Option<f64>> {
    params.base.validate()?;
    params.uplift.validate()?;
    progress("Binning features", 0.0);
    Ok(now_ms.map(|f| f()))
}

/// Fit on the binned `design`; `binning_started` (clock ms) times the binning as the first stage.
#[allow(clippy::too_many_arguments)]
fn fit_design(
    design: &Design,
    binning_started: Option<f64>,
    prepared: &Prepared,
    params: &RunParams,
    progress: &mut dyn FnMut(&str, f64),
    cancel: CancelFn,
    now_ms: Option<&dyn Fn() -> f64>,
) -> Result<ScoreRun> {
    let binning_ms = now_ms.zip(binning_started).map(|(f, t0)| f() - t0);
    let factory = params.base.factory();
    let mut fit = fit_uplift(
        design,
        &prepared.treatment,
        &prepared.outcome,
        &params.uplift,
        &factory,
        progress,
        cancel,
        now_ms,
    )?;
    if let Some(ms) = binning_ms {
        fit.timings.insert(
            0,
            StageTiming {
                stage: "binning".to_string(),
                ms,
            },
        );
    }
    Ok(ScoreRun {
        fit,
        base_learner: params.base.label(),
        settings: params.clone(),
    })
}
