//! Base learners behind one trait: our histogram gradient-boosted trees and smartcore's logistic regression.
//!
//! A learner fits one model on some rows of a [`Design`] and predicts for other rows. It knows nothing of
//! treatment arms or uplift (that is `uplift`), only features, targets and weights.

use ndarray::Array2;

use crate::data::binning::BinnedMatrix;
use crate::error::Result;

/// What the model predicts: a probability (binary 0/1 targets, log loss) or a number (squared error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Objective {
    LogLoss,
    SquaredError,
}

/// The features every learner reads: binned codes (trees) and raw values (linear models), same rows.
#[derive(Debug, Clone)]
pub struct Design {
    /// Feature names, one per column.
    pub names: Vec<String>,
    /// Bin codes, column-major (see [`BinnedMatrix`]).
    pub binned: BinnedMatrix,
    /// Raw values, n_rows × n_features, NaN = missing.
    pub raw: Array2<f64>,
}

impl Design {
    pub fn n_rows(&self) -> usize {
        self.binned.n_rows
    }
    pub fn n_features(&self) -> usize {
        self.binned.n_features
    }
    /// Append a 0/1 column (the S-learner's treatment indicator).
    pub fn push_indicator(&mut self, name: &str, values: &[bool]) {
        self.binned.push_indicator(values);
        if self.raw.nrows() == 0 {
            // a bins-only design stays bins-only (no raw values to append to)
            self.raw = ndarray::Array2::zeros((0, self.raw.ncols() + 1));
        } else {
            let col = ndarray::Array1::from_iter(values.iter().map(|&b| if b { 1.0 } else { 0.0 }));
            self.raw
                .push_column(col.view())
                .expect("indicator has one value per row");
        }
        self.names.push(name.to_string());
    }
    /// Set indicator column j to `value` on every row (predict "all treated" / "none treated").
    pub fn set_indicator(&mut self, j: usize, value: bool) {
        self.binned.set_indicator(j, value);
        if self.raw.nrows() > 0 {
            self.raw.column_mut(j).fill(if value { 1.0 } else { 0.0 });
        }
    }
    /// A copy with the bins only (the raw matrix left empty): for learners that read only the bins.
    pub fn binned_only(&self) -> Design {
        Design {
            names: self.names.clone(),
            binned: self.binned.clone(),
            raw: ndarray::Array2::zeros((0, self.raw.ncols())),
        }
    }
}

/// The rows to fit on, with their targets and (optional) sample weights, aligned with `rows`.
pub struct FitData<'a> {
    pub design: &'a Design,
    pub rows: &'a [u32],
    pub target: &'a [f64],
    pub weight: Option<&'a [f64]>,
}

/// Checked between boosting rounds and stages; returning true stops the work with `Error::Cancelled`.
pub type CancelFn<'a> = &'a (dyn Fn() -> bool + Sync);

/// A base learner: fits a model from [`FitData`].
pub trait Learner: Send + Sync {
    fn fit(
        &self,
        data: &FitData,
        objective: Objective,
        cancel: CancelFn,
    ) -> Result<Box<dyn Predictor>>;
    /// A short name for reports ("gbdt", "logistic").
    fn name(&self) -> &'static str;
    /// Whether the learner reads the design's raw values (`Design::raw`); false = the bins only.
    fn reads_raw(&self) -> bool {
        true
    }
}

/// A fitted model. For `LogLoss` it returns calibrated probabilities (any class weighting already mapped back).
pub trait Predictor: Send + Sync {
    fn predict(&self, design: &Design, rows: &[u32]) -> Vec<f64>;
}

pub mod gbdt;
pub mod logistic;
