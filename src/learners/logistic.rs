//! Logistic regression (weighted, ridge) and weighted ridge regression: the second base learner and the propensity model.
//!
//! Our own rather than smartcore 0.7's `LogisticRegression`, because smartcore's (checked in its 0.7.0 source):
//! - takes no sample weights (`fit(x, y, params)`), and uplift needs them for IPW and class weighting;
//! - predicts class labels only (no probabilities; the coefficients are public, but the fit is not weighted);
//! - minimizes with LBFGS using `std` `exp`/`ln`, whose last bits may differ between native and wasm, while here every
//!   transcendental call goes through `libm`, so a fit is bit-identical in both;
//! - has no weighted squared-error counterpart (the X- and DR-learners' effect models need one).
//!
//! The objective is smartcore's: Σ wᵢ·lossᵢ + ½·l2·‖β‖² with the intercept not penalized (log loss for
//! [`Objective::LogLoss`], ½·squared error for [`Objective::SquaredError`]); a unit test checks that both
//! libraries find the same coefficients on unweighted data.
//!
//! Features: the raw values ([`Design::raw`]), standardized by the mean and standard deviation of the fitting
//! rows. A missing value (NaN) is imputed by that mean (0 after standardizing); no missing-indicator column is
//! added (one coefficient per feature keeps the model small; the trees handle missingness properly). Constant
//! columns get coefficient 0. Fit: Newton–Raphson (IRLS) with step halving and a Cholesky solve of the
//! (p+1)×(p+1) system; one step is exact for squared error. Rows are summed in order, so results are deterministic.
//! The features are read from the design's ndarray; the small system is solved by hand because ndarray has
//! no solver without ndarray-linalg (LAPACK, which does not build for wasm).

use serde::{Deserialize, Serialize};

use super::{CancelFn, Design, FitData, Learner, Objective, Predictor};
use crate::error::{Error, Result};

/// Logistic / ridge regression settings. Every field has a default, so `{}` is valid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct LogisticParams {
    /// L2 penalty on the standardized coefficients (not the intercept), in units of summed sample weight;
    /// ≥ 0 (default 1.0: negligible for thousands of rows, keeps separable data finite).
    pub l2: f64,
    /// Most Newton steps, 1..=1000 (default 50; log loss usually converges in under 10).
    pub max_iter: usize,
    /// Stop when no coefficient moves more than this in one step, > 0 (default 1e-8).
    pub tol: f64,
}

impl Default for LogisticParams {
    fn default() -> Self {
        Self {
            l2: 1.0,
            max_iter: 50,
            tol: 1e-8,
        }
    }
}

impl LogisticParams {
    /// Check the settings before any work.
    pub fn validate(&self) -> Result<()> {
        if !(self.l2.is_finite() && self.l2 >= 0.0) {
            return Err(Error::BadParam {
                name: "l2",
                expected: "a number ≥ 0",
                found: self.l2.to_string(),
            });
        }
        if !(1..=1000).contains(&self.max_iter) {
            return Err(Error::BadParam {
                name: "maxIter",
                expected: "between 1 and 1000",
                found: self.max_iter.to_string(),
            });
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(Error::BadParam {
                name: "tol",
                expected: "a number > 0",
                found: self.tol.to_string(),
            });
        }
        Ok(())
    }
}

/// The learner: weighted logistic regression for log loss, weighted ridge for squared error.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Logistic {
    pub params: LogisticParams,
}

/// A fitted linear model on standardized features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogisticModel {
    pub objective: Objective,
    /// Per feature: the mean used to centre (and to impute missing values).
    pub mean: Vec<f64>,
    /// Per feature: the standard deviation used to scale; 0 for a constant column (ignored).
    pub scale: Vec<f64>,
    /// Per feature: the coefficient on the standardized value.
    pub coef: Vec<f64>,
    pub intercept: f64,
    /// Newton steps taken, and whether the step fell below `tol`.
    pub iterations: usize,
    pub converged: bool,
}

impl LogisticModel {
    /// The linear score (log-odds for log loss) of one row.
    pub fn score(&self, design: &Design, row: usize) -> f64 {
        let ncols = design.raw.ncols();
        let mut eta = self.intercept;
        for j in 0..self.coef.len().min(ncols) {
            let s = self.scale[j];
            if s > 0.0 {
                let v = design.raw[[row, j]];
                if v.is_finite() {
                    eta += self.coef[j] * (v - self.mean[j]) / s;
                }
            }
        }
        eta
    }
}

impl Predictor for LogisticModel {
    /// Each row's value is [`LogisticModel::score`]'s, to the bit (same terms added in the same order), computed
    /// for a chunk of rows one feature at a time, so the rows' sums are independent chains.
    fn predict(&self, design: &Design, rows: &[u32]) -> Vec<f64> {
        const CHUNK: usize = 64;
        let ncols = design.raw.ncols();
        let mut out = vec![self.intercept; rows.len()];
        for (eta, rs) in out.chunks_mut(CHUNK).zip(rows.chunks(CHUNK)) {
            for j in 0..self.coef.len().min(ncols) {
                let s = self.scale[j];
                if s > 0.0 {
                    let (c, mu) = (self.coef[j], self.mean[j]);
                    let col = design.raw.column(j);
                    for (e, &r) in eta.iter_mut().zip(rs) {
                        let v = col[r as usize];
                        if v.is_finite() {
                            *e += c * (v - mu) / s;
                        }
                    }
                }
            }
        }
        if self.objective == Objective::LogLoss {
            for v in out.iter_mut() {
                *v = sigmoid(*v);
            }
        }
        out
    }
}

/// 1 / (1 + e^−z), with libm so wasm and native agree.
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + libm::exp(-z))
    } else {
        let e = libm::exp(z);
        e / (1.0 + e)
    }
}

/// log(1 + e^z) without overflow.
fn log1pexp(z: f64) -> f64 {
    if z > 0.0 {
        z + libm::log1p(libm::exp(-z))
    } else {
        libm::log1p(libm::exp(z))
    }
}

impl Learner for Logistic {
    fn fit(
        &self,
        data: &FitData,
        objective: Objective,
        cancel: CancelFn,
    ) -> Result<Box<dyn Predictor>> {
        Ok(Box::new(self.fit_model(data, objective, cancel)?))
    }
    fn name(&self) -> &'static str {
        "logistic"
    }
}

impl Logistic {
    /// Fit and return the concrete model (the propensity model keeps it to report and reuse).
    pub fn fit_model(
        &self,
        data: &FitData,
        objective: Objective,
        cancel: CancelFn,
    ) -> Result<LogisticModel> {
        self.params.validate()?;
        let m = data.rows.len();
        if m == 0 {
            return Err(Error::NoRows);
        }
        if data.target.len() != m {
            return Err(Error::LengthMismatch {
                what: "The target",
                found: data.target.len(),
                reference: "the list of rows",
                expected: m,
            });
        }
        if let Some(w) = data.weight {
            if w.len() != m {
                return Err(Error::LengthMismatch {
                    what: "The sample weights",
                    found: w.len(),
                    reference: "the list of rows",
                    expected: m,
                });
            }
            if let Some(bad) = w.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
                return Err(Error::BadParam {
                    name: "sample weights",
                    expected: "finite numbers ≥ 0",
                    found: bad.to_string(),
                });
            }
        }
        let n_design = data.design.raw.nrows();
        if let Some(&r) = data.rows.iter().find(|&&r| r as usize >= n_design) {
            return Err(Error::LengthMismatch {
                what: "The row list",
                found: r as usize + 1,
                reference: "the data",
                expected: n_design,
            });
        }
        for (i, &y) in data.target.iter().enumerate() {
            let ok = match objective {
                Objective::LogLoss => (0.0..=1.0).contains(&y),
                Objective::SquaredError => y.is_finite(),
            };
            if !ok {
                return Err(Error::NotANumber {
                    what: "the target",
                    row: data.rows[i] as usize,
                });
            }
        }
        let weight = |i: usize| data.weight.map_or(1.0, |w| w[i]);
        let w_sum: f64 = (0..m).map(weight).sum();
        if w_sum <= 0.0 {
            return Err(Error::BadParam {
                name: "sample weights",
                expected: "not all 0",
                found: "0 in total".into(),
            });
        }

        // Standardize on the fitting rows (unweighted moments). Each column's values of the fitting rows are
        // gathered once (the rows are scattered through the design: one cache line per value); the gathered
        // columns are kept for the standardized copy when they are small (≤ 2^22 values, 32 MB), else that
        // copy gathers them again.
        let p = data.design.raw.ncols();
        let keep = m.saturating_mul(p) <= 1 << 22;
        let mut mean = vec![0.0; p];
        let mut scale = vec![0.0; p];
        let mut kept: Vec<Vec<f64>> = Vec::new();
        let mut vals = vec![0.0; m];
        for j in 0..p {
            let col = data.design.raw.column(j);
            for (v, &r) in vals.iter_mut().zip(data.rows) {
                *v = col[r as usize];
            }
            let (mut n, mut s) = (0usize, 0.0);
            for &v in &vals {
                if v.is_finite() {
                    n += 1;
                    s += v;
                }
            }
            if n > 0 {
                let mu = s / n as f64;
                let ss: f64 = vals
                    .iter()
                    .filter(|v| v.is_finite())
                    .map(|v| (v - mu) * (v - mu))
                    .sum();
                let sd = libm::sqrt(ss / n as f64);
                mean[j] = mu;
                scale[j] = if sd > 1e-12 * (1.0 + mu.abs()) {
                    sd
                } else {
                    0.0
                };
            }
            if keep && scale[j] > 0.0 {
                kept.push(std::mem::replace(&mut vals, vec![0.0; m]));
            }
        }
        drop(vals);
        // Row-major standardized copy of the fitting rows: only the used columns.
        let used: Vec<usize> = (0..p).filter(|&j| scale[j] > 0.0).collect();
        let q = used.len();
        let mut z = vec![0.0; m * q];
        let mut gathered = vec![0.0; if keep { 0 } else { m }];
        for (c, &j) in used.iter().enumerate() {
            let vals: &[f64] = if keep {
                &kept[c]
            } else {
                let col = data.design.raw.column(j);
                for (v, &r) in gathered.iter_mut().zip(data.rows) {
                    *v = col[r as usize];
                }
                &gathered
            };
            for (i, &v) in vals.iter().enumerate() {
                z[i * q + c] = if v.is_finite() {
                    (v - mean[j]) / scale[j]
                } else {
                    0.0
                };
            }
        }
        drop(kept);

        // β = [coefficients of used columns…, intercept].
        let d = q + 1;
        let mut beta = vec![0.0; d];
        let y_mean: f64 = (0..m).map(|i| weight(i) * data.target[i]).sum::<f64>() / w_sum;
        beta[q] = match objective {
            Objective::LogLoss => {
                let pm = y_mean.clamp(1e-12, 1.0 - 1e-12);
                libm::log(pm / (1.0 - pm))
            }
            Objective::SquaredError => y_mean,
        };
        let l2 = self.params.l2;
        let eta_of = |beta: &[f64], i: usize| -> f64 {
            let zi = &z[i * q..(i + 1) * q];
            beta[q] + zi.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>()
        };
        let objective_value = |beta: &[f64]| -> f64 {
            let mut f = 0.0;
            for i in 0..m {
                let eta = eta_of(beta, i);
                let y = data.target[i];
                let loss = match objective {
                    Objective::LogLoss => log1pexp(eta) - y * eta,
                    Objective::SquaredError => 0.5 * (eta - y) * (eta - y),
                };
                f += weight(i) * loss;
            }
            f + 0.5 * l2 * beta[..q].iter().map(|b| b * b).sum::<f64>()
        };

        let mut f_cur = objective_value(&beta);
        let mut iterations = 0;
        let mut converged = false;
        let mut grad = vec![0.0; d];
        let mut hess = vec![0.0; d * d];
        while iterations < self.params.max_iter {
            if cancel() {
                return Err(Error::Cancelled);
            }
            iterations += 1;
            grad.iter_mut().for_each(|g| *g = 0.0);
            hess.iter_mut().for_each(|h| *h = 0.0);
            for i in 0..m {
                let eta = eta_of(&beta, i);
                let (resid, curv) = match objective {
                    Objective::LogLoss => {
                        let pr = sigmoid(eta);
                        (pr - data.target[i], pr * (1.0 - pr))
                    }
                    Objective::SquaredError => (eta - data.target[i], 1.0),
                };
                let wi = weight(i);
                let (gw, hw) = (wi * resid, wi * curv);
                if gw == 0.0 && hw == 0.0 {
                    continue;
                }
                let zi = &z[i * q..(i + 1) * q];
                for a in 0..q {
                    grad[a] += gw * zi[a];
                    let hza = hw * zi[a];
                    let row = &mut hess[a * d..a * d + a + 1];
                    for (b, h) in row.iter_mut().enumerate() {
                        *h += hza * zi[b];
                    }
                    hess[q * d + a] += hza;
                }
                grad[q] += gw;
                hess[q * d + q] += hw;
            }
            for a in 0..q {
                grad[a] += l2 * beta[a];
                hess[a * d + a] += l2;
            }
            // Mirror the lower triangle and keep the system positive definite.
            for a in 0..d {
                for b in 0..a {
                    hess[b * d + a] = hess[a * d + b];
                }
                hess[a * d + a] += 1e-10 * (1.0 + hess[a * d + a]);
            }
            let step = cholesky_solve(&mut hess, &grad, d).ok_or(Error::BadParam {
                name: "features",
                expected: "columns a linear model can use",
                found: "values too extreme to fit".into(),
            })?;
            // Step halving keeps log loss decreasing on nearly separable data.
            let mut t = 1.0;
            let mut next = vec![0.0; d];
            loop {
                for a in 0..d {
                    next[a] = beta[a] - t * step[a];
                }
                let f_next = objective_value(&next);
                if f_next <= f_cur + 1e-12 * f_cur.abs() || t < 1e-6 {
                    f_cur = f_next;
                    break;
                }
                t *= 0.5;
            }
            let moved = step.iter().fold(0.0f64, |acc, s| acc.max((t * s).abs()));
            beta.copy_from_slice(&next);
            if moved < self.params.tol || objective == Objective::SquaredError {
                converged = true;
                break;
            }
        }
        let mut coef = vec![0.0; p];
        for (c, &j) in used.iter().enumerate() {
            coef[j] = beta[c];
        }
        Ok(LogisticModel {
            objective,
            mean,
            scale,
            coef,
            intercept: beta[q],
            iterations,
            converged,
        })
    }
}

/// Solve A x = b for symmetric positive definite A (d×d, row-major, overwritten by its Cholesky factor).
fn cholesky_solve(a: &mut [f64], b: &[f64], d: usize) -> Option<Vec<f64>> {
    for j in 0..d {
        let mut s = a[j * d + j];
        for k in 0..j {
            s -= a[j * d + k] * a[j * d + k];
        }
        if s.is_nan() || s <= 0.0 || s.is_infinite() {
            return None;
        }
        let l = libm::sqrt(s);
        a[j * d + j] = l;
        for i in j + 1..d {
            let mut t = a[i * d + j];
            for k in 0..j {
                t -= a[i * d + k] * a[j * d + k];
            }
            a[i * d + j] = t / l;
        }
    }
    let mut y = vec![0.0; d];
    for i in 0..d {
        let mut t = b[i];
        for k in 0..i {
            t -= a[i * d + k] * y[k];
        }
        y[i] = t / a[i * d + i];
    }
    let mut x = vec![0.0; d];
    for i in (0..d).rev() {
        let mut t = y[i];
        for k in i + 1..d {
            t -= a[k * d + i] * x[k];
        }
        x[i] = t / a[i * d + i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::binning::{BinParams, BinnedMatrix};
    use ndarray::Array2;

    fn design(cols: &[Vec<f64>]) -> Design {
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let n = cols[0].len();
        let mut raw = Array2::zeros((n, cols.len()));
        for (j, c) in cols.iter().enumerate() {
            for (i, v) in c.iter().enumerate() {
                raw[[i, j]] = *v;
            }
        }
        Design {
            names: (0..cols.len()).map(|j| format!("x{j}")).collect(),
            binned: BinnedMatrix::from_columns(&refs, &BinParams::default()),
            raw,
        }
    }

    fn never() -> bool {
        false
    }

    #[test]
    fn ridge_with_no_penalty_recovers_an_exact_line_with_weights_and_missing_values() {
        // y = 3 + 2·x exactly on the finite rows; the NaN row (imputed by the mean) gets weight 0.
        let x = vec![0.0, 1.0, 2.0, 3.0, f64::NAN];
        let y = vec![3.0, 5.0, 7.0, 9.0, 100.0];
        let d = design(&[x]);
        let rows: Vec<u32> = (0..5).collect();
        let w = [1.0, 2.0, 1.0, 3.0, 0.0];
        let lm = Logistic {
            params: LogisticParams {
                l2: 0.0,
                ..Default::default()
            },
        };
        let m = lm
            .fit_model(
                &FitData {
                    design: &d,
                    rows: &rows,
                    target: &y,
                    weight: Some(&w),
                },
                Objective::SquaredError,
                &never,
            )
            .unwrap();
        let p = m.predict(&d, &[0, 3]);
        assert!(
            (p[0] - 3.0).abs() < 1e-9 && (p[1] - 9.0).abs() < 1e-9,
            "{p:?}"
        );
        assert_eq!(m.iterations, 1);
    }

    #[test]
    fn batch_predict_equals_the_row_score_to_the_bit() {
        // A hand-set model over 3 columns (one constant: scale 0, skipped; missing values skipped), 150 rows in
        // a scrambled order (chunks of 64 and a partial one): predict must be sigmoid(score) / score exactly.
        let n = 150;
        let c0: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin() * 3.0).collect();
        let c1: Vec<f64> = (0..n)
            .map(|i| {
                if i % 7 == 0 {
                    f64::NAN
                } else {
                    i as f64 / 11.0
                }
            })
            .collect();
        let c2 = vec![5.0; n];
        let d = design(&[c0, c1, c2]);
        let rows: Vec<u32> = (0..n as u32).map(|i| (i * 37) % n as u32).collect();
        for objective in [Objective::LogLoss, Objective::SquaredError] {
            let m = LogisticModel {
                objective,
                mean: vec![0.1, 6.5, 5.0],
                scale: vec![2.1, 3.9, 0.0],
                coef: vec![0.7, -1.3, 9.0],
                intercept: -0.4,
                iterations: 1,
                converged: true,
            };
            let got = m.predict(&d, &rows);
            for (&r, g) in rows.iter().zip(&got) {
                let eta = m.score(&d, r as usize);
                let want = match objective {
                    Objective::LogLoss => sigmoid(eta),
                    Objective::SquaredError => eta,
                };
                assert_eq!(g.to_bits(), want.to_bits(), "row {r}");
            }
        }
    }

    #[test]
    fn intercept_only_log_loss_matches_the_weighted_rate() {
        // A constant feature is dropped; weighted rate = (2·1 + 1·1) / (2 + 1 + 1 + 1) = 3/5 = 0.6.
        let d = design(&[vec![1.0; 4]]);
        let y = [1.0, 1.0, 0.0, 0.0];
        let w = [2.0, 1.0, 1.0, 1.0];
        let m = Logistic::default()
            .fit_model(
                &FitData {
                    design: &d,
                    rows: &[0, 1, 2, 3],
                    target: &y,
                    weight: Some(&w),
                },
                Objective::LogLoss,
                &never,
            )
            .unwrap();
        assert!((m.predict(&d, &[0])[0] - 0.6).abs() < 1e-12);
        assert_eq!(m.coef, vec![0.0]);
    }

    #[test]
    fn integer_weights_equal_repeated_rows() {
        // Weight 2 on a row ⇔ the row twice: same unpenalized objective, same optimum (the data are not
        // separable, so the optimum is finite; the penalty is off because standardization differs).
        let x = vec![0.1, 0.5, 0.9, 1.3, 0.2, 0.8];
        let y = vec![0.0, 0.0, 1.0, 1.0, 1.0, 0.0];
        let d = design(&[x]);
        let w = [2.0, 1.0, 1.0, 2.0, 1.0, 1.0];
        let rep_rows: Vec<u32> = vec![0, 0, 1, 2, 3, 3, 4, 5];
        let rep_y: Vec<f64> = rep_rows.iter().map(|&r| y[r as usize]).collect();
        let lg = Logistic {
            params: LogisticParams {
                l2: 0.0,
                ..Default::default()
            },
        };
        let a = lg
            .fit_model(
                &FitData {
                    design: &d,
                    rows: &[0, 1, 2, 3, 4, 5],
                    target: &y,
                    weight: Some(&w),
                },
                Objective::LogLoss,
                &never,
            )
            .unwrap();
        let b = lg
            .fit_model(
                &FitData {
                    design: &d,
                    rows: &rep_rows,
                    target: &rep_y,
                    weight: None,
                },
                Objective::LogLoss,
                &never,
            )
            .unwrap();
        let pa = a.predict(&d, &[0, 1, 2, 3, 4, 5]);
        let pb = b.predict(&d, &[0, 1, 2, 3, 4, 5]);
        for (u, v) in pa.iter().zip(&pb) {
            assert!((u - v).abs() < 1e-9, "{pa:?} vs {pb:?}");
        }
    }

    #[test]
    fn agrees_with_smartcore_on_unweighted_data() {
        use smartcore::linear::logistic_regression::{
            LogisticRegression, LogisticRegressionParameters,
        };
        // Deterministic pseudo-random data; both fit the same objective on standardized x.
        let n = 400;
        let mut s = 12345u64;
        let mut next = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut x1 = Vec::new();
        let mut x2 = Vec::new();
        let mut y = Vec::new();
        for _ in 0..n {
            let a = next() * 4.0 - 2.0;
            let b = next() * 2.0;
            let pr = sigmoid(0.5 + 1.2 * a - 0.8 * b);
            x1.push(a);
            x2.push(b);
            y.push(if next() < pr { 1.0 } else { 0.0 });
        }
        let d = design(&[x1, x2]);
        let rows: Vec<u32> = (0..n as u32).collect();
        let ours = Logistic::default()
            .fit_model(
                &FitData {
                    design: &d,
                    rows: &rows,
                    target: &y,
                    weight: None,
                },
                Objective::LogLoss,
                &never,
            )
            .unwrap();
        let mut zs = Array2::<f64>::zeros((n, 2));
        for i in 0..n {
            for j in 0..2 {
                zs[[i, j]] = (d.raw[[i, j]] - ours.mean[j]) / ours.scale[j];
            }
        }
        let yi = ndarray::Array1::from_iter(y.iter().map(|&v| v as i32));
        let sc = LogisticRegression::fit(
            &zs,
            &yi,
            LogisticRegressionParameters::default().with_alpha(1.0),
        )
        .unwrap();
        let c = sc.coefficients();
        assert!(
            (c[[0, 0]] - ours.coef[0]).abs() < 1e-3,
            "{c:?} vs {:?}",
            ours.coef
        );
        assert!((c[[0, 1]] - ours.coef[1]).abs() < 1e-3);
        assert!((sc.intercept()[[0, 0]] - ours.intercept).abs() < 1e-3);
        assert!(ours.converged);
    }

    #[test]
    fn cancel_and_bad_weights_are_errors() {
        let d = design(&[vec![0.0, 1.0]]);
        let yes = || true;
        let fit = |w: Option<&[f64]>, c: CancelFn| {
            Logistic::default().fit_model(
                &FitData {
                    design: &d,
                    rows: &[0, 1],
                    target: &[0.0, 1.0],
                    weight: w,
                },
                Objective::LogLoss,
                c,
            )
        };
        assert!(matches!(fit(None, &yes), Err(Error::Cancelled)));
        let err = fit(Some(&[1.0, -1.0]), &never).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Setting “sample weights” is -1, but it must be finite numbers ≥ 0."
        );
    }
}
