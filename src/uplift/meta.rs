//! S, T, X and DR meta-learners on one cross-fitting fold: fit every model a learner needs on the fold's
//! training rows only, then predict any rows with them. Does not choose the learner (`auto`) or the folds.
//!
//! Models per fold (shared between learners, so `auto` fits each once):
//! - e(x): propensity (logistic, on at most `propensity_sample_rows` evenly strided training rows), needed
//!   for IPW weights and by X and DR;
//! - μ1 on treated rows (always: it is also the response score), μ0 on control rows (T, X, DR, auto);
//! - S: one model on [x, treatment] (the treatment indicator appended as a column);
//! - X: τ1 on treated rows with target y − μ0(x), τ0 on control rows with target μ1(x) − y (squared error);
//!   τ̂ = e(x)·τ0(x) + (1 − e(x))·τ1(x);
//! - DR: φ = μ1 − μ0 + t·(y − μ1)/e − (1 − t)·(y − μ0)/(1 − e) regressed on x (squared error).
//!
//! The imputed effects and φ of training rows use the fold's own μ0, μ1 and e (fit on those same training
//! rows, as CausalML's X-learner does), so nothing a fold's models see comes from its held-out rows.
//!
//! Weights: outcome models (μ0, μ1, S) weight rows by 1/e (treated) and 1/(1 − e) (control) when `ipw` is on;
//! with `imbalance_weighting` converters also get w = non-converters ÷ converters of that model's rows, and the
//! probabilities are mapped back exactly: p = p_w / (p_w + w·(1 − p_w)), then shifted on the log-odds scale so
//! that their weighted mean on the model's training rows equals those rows' weighted conversion rate
//! ([`calibration_shift`]: trees shrunk towards the weighted 50 % under-predict after the convex map-back). The
//! learner is told w in its [`BaseSpec`] and must not weight classes itself; the map-back is done here for every
//! learner.

use super::params::{model_seed, BaseSpec, MetaLearner, Role, UpliftParams};
use super::propensity;
use crate::error::Result;
use crate::learners::logistic::LogisticModel;
use crate::learners::{CancelFn, Design, FitData, Learner, Objective, Predictor};

/// The base-learner factory: one fresh learner per model.
pub type BaseFactory<'a> = &'a (dyn Fn(&BaseSpec) -> Box<dyn Learner> + Sync);

/// Undo positive-class weighting w: p = p_w / (p_w + w·(1 − p_w)).
pub fn map_back(p_w: f64, w: f64) -> f64 {
    let d = p_w + w * (1.0 - p_w);
    if d > 0.0 {
        p_w / d
    } else {
        0.0
    }
}

/// A log-loss model and the class weight it was trained with (mapped back on prediction).
pub struct OutcomeModel {
    pub model: Box<dyn Predictor>,
    pub imbalance_weight: Option<f64>,
    /// Log-odds shift applied after the map-back (0 = none; only with imbalance weighting, see
    /// [`calibration_shift`]).
    pub shift: f64,
}

impl OutcomeModel {
    pub fn predict(&self, design: &Design, rows: &[u32]) -> Vec<f64> {
        let p = self.model.predict(design, rows);
        match self.imbalance_weight {
            Some(w) => p
                .into_iter()
                .map(|v| shift_log_odds(map_back(v, w), self.shift))
                .collect(),
            None => p,
        }
    }
}

/// `p` with `d` added to its log-odds (0 and 1 stay as they are).
pub fn shift_log_odds(p: f64, d: f64) -> f64 {
    if d == 0.0 || p <= 0.0 || p >= 1.0 {
        return p;
    }
    let l = libm::log(p / (1.0 - p)) + d;
    1.0 / (1.0 + libm::exp(-l))
}

/// Calibration in the large after imbalance weighting: the log-odds shift d that makes the weighted mean of
/// the mapped-back predictions `p` on the model's own training rows equal their weighted conversion rate
/// (weights `w`: the inverse-propensity and sampling weights, without the class weight). The map-back is
/// exact only for a model that is right in the weighted space; a model shrunk towards the weighted mean
/// (≈ 50 %) under-predicts after the map-back, because the map-back is convex at small rates (measured: mean
/// p̂0 35 % low at 1M rows and a 0.2 % conversion rate). Newton's method on a monotone equation, in row order
/// (deterministic); 0 when there is nothing to fit.
pub fn calibration_shift(p: &[f64], y: &[f64], w: &[f64]) -> f64 {
    let (mut sw, mut sy) = (0.0f64, 0.0f64);
    for (&yi, &wi) in y.iter().zip(w) {
        sw += wi;
        sy += wi * yi;
    }
    // nothing to fit: no weight, no converters, only converters (or a NaN anywhere)
    if sw.is_nan() || sy.is_nan() || sw <= 0.0 || sy <= 0.0 || sy >= sw {
        return 0.0;
    }
    let logits: Vec<f64> = p
        .iter()
        .map(|&v| {
            let v = v.clamp(1e-12, 1.0 - 1e-12);
            libm::log(v / (1.0 - v))
        })
        .collect();
    let mut d = 0.0f64;
    for _ in 0..50 {
        let (mut f, mut df) = (-sy, 0.0f64);
        for (&l, &wi) in logits.iter().zip(w) {
            let q = 1.0 / (1.0 + libm::exp(-(l + d)));
            f += wi * q;
            df += wi * q * (1.0 - q);
        }
        if df.is_nan() || df <= 0.0 {
            break;
        }
        let step = (f / df).clamp(-2.0, 2.0);
        d -= step;
        if step.abs() < 1e-10 {
            break;
        }
    }
    if d.is_finite() {
        d.clamp(-20.0, 20.0)
    } else {
        0.0
    }
}

/// Non-converter sampling (see `UpliftParams::nonconverter_ratio`): keep every converter and each
/// non-converter with probability r = max(ratio · converters, min) / non-converters, drawn in row order from
/// a ChaCha8 stream seeded with `seed`. Returns the kept positions (ascending) and 1/r, the weight factor of a
/// kept non-converter; None when every row is kept (ratio 0, or no more non-converters than the target).
pub fn sample_nonconverters(
    converted: &[bool],
    ratio: f64,
    min: usize,
    seed: u64,
) -> Option<(Vec<usize>, f64)> {
    use rand::{Rng, SeedableRng};
    let pos = converted.iter().filter(|&&c| c).count();
    let neg = converted.len() - pos;
    let keep = (ratio * pos as f64).max(min as f64);
    if ratio <= 0.0 || neg as f64 <= keep {
        return None;
    }
    let rate = keep / neg as f64;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let kept = (0..converted.len())
        .filter(|&i| converted[i] || rng.gen::<f64>() < rate)
        .collect();
    Some((kept, 1.0 / rate))
}

/// Non-converters kept per converter for a model of `role`: `nonconverter_ratio` for outcome models,
/// `nonconverter_ratio_effect` for effect models (0 for every model when `nonconverter_ratio` is 0).
pub fn sampling_ratio(p: &UpliftParams, role: Role) -> f64 {
    match role {
        _ if p.nonconverter_ratio <= 0.0 => 0.0,
        Role::EffectControl | Role::EffectTreated | Role::EffectDr => p.nonconverter_ratio_effect,
        Role::Outcome | Role::Control | Role::Treated => p.nonconverter_ratio,
    }
}

/// Every model of one fold.
pub struct FoldModels {
    pub fold: usize,
    pub e: LogisticModel,
    pub mu0: Option<OutcomeModel>,
    pub mu1: OutcomeModel,
    pub s: Option<OutcomeModel>,
    pub tau0: Option<Box<dyn Predictor>>,
    pub tau1: Option<Box<dyn Predictor>>,
    pub dr: Option<Box<dyn Predictor>>,
}

/// What the fold must fit, from the learners requested.
#[derive(Debug, Clone, Copy)]
pub struct Needs {
    pub mu0: bool,
    pub s: bool,
    pub x: bool,
    pub dr: bool,
}

impl Needs {
    pub fn of(learners: &[MetaLearner], auto: bool) -> Needs {
        let has = |m| learners.contains(&m);
        Needs {
            mu0: auto || has(MetaLearner::T) || has(MetaLearner::X) || has(MetaLearner::Dr),
            s: has(MetaLearner::S),
            x: has(MetaLearner::X),
            dr: has(MetaLearner::Dr),
        }
    }
    /// Models fit per fold (for progress).
    pub fn models_per_fold(&self) -> usize {
        2 + [self.mu0, self.s, self.x, self.x, self.dr]
            .iter()
            .filter(|&&b| b)
            .count()
    }
}

/// Shared inputs of every fold.
pub struct Inputs<'a> {
    pub design: &'a Design,
    /// The design with the treatment indicator appended (last column); only when S is fit.
    pub design_s: Option<&'a Design>,
    pub treatment: &'a [bool],
    pub outcome: &'a [f64],
    pub params: &'a UpliftParams,
    pub base: BaseFactory<'a>,
    pub cancel: CancelFn<'a>,
}

/// Fit every needed model on `train` (the rows outside `fold`). `step(stage)` is called after each model
/// (progress, timing, cancellation).
pub fn fit_fold(
    inp: &Inputs,
    fold: usize,
    train: &[u32],
    needs: Needs,
    step: &mut dyn FnMut(&'static str) -> Result<()>,
) -> Result<FoldModels> {
    let p = inp.params;
    let y = |r: u32| inp.outcome[r as usize];
    let t = |r: u32| inp.treatment[r as usize];

    let stride = train.len().div_ceil(p.propensity_sample_rows.max(1)).max(1);
    let e_rows: Vec<u32> = train.iter().step_by(stride).copied().collect();
    let e = propensity::fit(
        inp.design,
        &e_rows,
        inp.treatment,
        &p.propensity,
        inp.cancel,
    )?;
    let e_train: Vec<f64> = propensity::predict(&e, inp.design, train)
        .into_iter()
        .map(|v| propensity::clip(v, p.propensity_clip))
        .collect();
    step("propensity")?;
    let ipw: Vec<f64> = train
        .iter()
        .zip(&e_train)
        .map(|(&r, &ei)| match (p.ipw, t(r)) {
            (false, _) => 1.0,
            (true, true) => 1.0 / ei,
            (true, false) => 1.0 / (1.0 - ei),
        })
        .collect();
    let pick = |want: bool| -> (Vec<u32>, Vec<f64>) {
        train
            .iter()
            .zip(&ipw)
            .filter(|(&r, _)| t(r) == want)
            .map(|(&r, &w)| (r, w))
            .unzip()
    };
    let (rows_t, w_t) = pick(true);
    let (rows_c, w_c) = pick(false);

    // Rows a model trains on after non-converter sampling, and each kept row's weight factor (None: all rows, 1).
    let thin = |role: Role, rows: &[u32]| -> (Vec<u32>, Option<Vec<f64>>) {
        let converted: Vec<bool> = rows.iter().map(|&r| y(r) > 0.5).collect();
        match sample_nonconverters(
            &converted,
            sampling_ratio(p, role),
            p.nonconverter_min,
            model_seed(p.seed, fold, role) ^ 0x6E6F_6E63_6F6E_7665,
        ) {
            None => (rows.to_vec(), None),
            Some((kept, inv)) => (
                kept.iter().map(|&i| rows[i]).collect(),
                Some(
                    kept.iter()
                        .map(|&i| if converted[i] { 1.0 } else { inv })
                        .collect(),
                ),
            ),
        }
    };

    let fit_outcome =
        |design: &Design, role: Role, all_rows: &[u32], all_ipw: &[f64]| -> Result<OutcomeModel> {
            let n_pos = all_rows.iter().filter(|&&r| y(r) > 0.5).count();
            let n_neg = all_rows.len() - n_pos;
            let w = (p.imbalance_weighting && n_pos > 0).then(|| n_neg as f64 / n_pos as f64);
            let (rows, factor) = thin(role, all_rows);
            let ipw: Vec<f64> = match &factor {
                None => all_ipw.to_vec(),
                Some(f) => {
                    // positions of the kept rows in all_rows (both ascending)
                    let mut k = 0usize;
                    rows.iter()
                        .zip(f)
                        .map(|(&r, &fi)| {
                            while all_rows[k] != r {
                                k += 1;
                            }
                            all_ipw[k] * fi
                        })
                        .collect()
                }
            };
            let rows = &rows[..];
            let target: Vec<f64> = rows.iter().map(|&r| y(r)).collect();
            let weight: Vec<f64> = ipw
                .iter()
                .zip(&target)
                .map(|(&b, &v)| match w {
                    Some(w) if v > 0.5 => b * w,
                    _ => b,
                })
                .collect();
            let spec = BaseSpec {
                objective: Objective::LogLoss,
                role,
                fold,
                seed: model_seed(p.seed, fold, role),
                n_rows: all_rows.len(),
                n_positive: n_pos,
                imbalance_weight: w,
            };
            let model = (inp.base)(&spec).fit(
                &FitData {
                    design,
                    rows,
                    target: &target,
                    weight: Some(&weight),
                },
                Objective::LogLoss,
                inp.cancel,
            )?;
            // With imbalance weighting, calibrate the mapped-back predictions in the large on the training
            // rows (their inverse-propensity and sampling weights; the class weight is what is undone).
            let shift = match w {
                Some(w) => {
                    let mapped: Vec<f64> = model
                        .predict(design, rows)
                        .into_iter()
                        .map(|v| map_back(v, w))
                        .collect();
                    calibration_shift(&mapped, &target, &ipw)
                }
                None => 0.0,
            };
            Ok(OutcomeModel {
                model,
                imbalance_weight: w,
                shift,
            })
        };
    // An effect model on `rows` (sampled from `all_rows` by `thin`), weighted by the sampling factors.
    let fit_effect = |role: Role,
                      all_rows: &[u32],
                      rows: &[u32],
                      target: &[f64],
                      weight: Option<&[f64]>|
     -> Result<Box<dyn Predictor>> {
        let spec = BaseSpec {
            objective: Objective::SquaredError,
            role,
            fold,
            seed: model_seed(p.seed, fold, role),
            n_rows: all_rows.len(),
            n_positive: all_rows.iter().filter(|&&r| y(r) > 0.5).count(),
            imbalance_weight: None,
        };
        (inp.base)(&spec).fit(
            &FitData {
                design: inp.design,
                rows,
                target,
                weight,
            },
            Objective::SquaredError,
            inp.cancel,
        )
    };

    let mu1 = fit_outcome(inp.design, Role::Treated, &rows_t, &w_t)?;
    step("outcome models")?;
    let mu0 = if needs.mu0 {
        let m = fit_outcome(inp.design, Role::Control, &rows_c, &w_c)?;
        step("outcome models")?;
        Some(m)
    } else {
        None
    };
    let s = match (needs.s, inp.design_s) {
        (true, Some(ds)) => {
            let m = fit_outcome(ds, Role::Outcome, train, &ipw)?;
            step("outcome models")?;
            Some(m)
        }
        _ => None,
    };

    let (mut tau0, mut tau1, mut dr) = (None, None, None);
    if let (true, Some(m0)) = (needs.x, &mu0) {
        let (rs, ws) = thin(Role::EffectTreated, &rows_t);
        let d1: Vec<f64> = m0
            .predict(inp.design, &rs)
            .iter()
            .zip(&rs)
            .map(|(&m, &r)| y(r) - m)
            .collect();
        tau1 = Some(fit_effect(
            Role::EffectTreated,
            &rows_t,
            &rs,
            &d1,
            ws.as_deref(),
        )?);
        step("effect models")?;
        let (rs, ws) = thin(Role::EffectControl, &rows_c);
        let d0: Vec<f64> = mu1
            .predict(inp.design, &rs)
            .iter()
            .zip(&rs)
            .map(|(&m, &r)| m - y(r))
            .collect();
        tau0 = Some(fit_effect(
            Role::EffectControl,
            &rows_c,
            &rs,
            &d0,
            ws.as_deref(),
        )?);
        step("effect models")?;
    }
    if let (true, Some(m0)) = (needs.dr, &mu0) {
        let (rs, ws) = thin(Role::EffectDr, train);
        let p0 = m0.predict(inp.design, &rs);
        let p1 = mu1.predict(inp.design, &rs);
        // e of each kept row: train and rs are both ascending
        let mut k = 0usize;
        let phi: Vec<f64> = rs
            .iter()
            .enumerate()
            .map(|(i, &r)| {
                while train[k] != r {
                    k += 1;
                }
                dr_pseudo_outcome(t(r), y(r), p0[i], p1[i], e_train[k])
            })
            .collect();
        dr = Some(fit_effect(Role::EffectDr, train, &rs, &phi, ws.as_deref())?);
        step("effect models")?;
    }
    Ok(FoldModels {
        fold,
        e,
        mu0,
        mu1,
        s,
        tau0,
        tau1,
        dr,
    })
}

/// The AIPW pseudo-outcome: its mean given x is τ(x) when either the outcome models or e are right.
pub fn dr_pseudo_outcome(t: bool, y: f64, mu0: f64, mu1: f64, e: f64) -> f64 {
    if t {
        mu1 - mu0 + (y - mu1) / e
    } else {
        mu1 - mu0 - (y - mu0) / (1.0 - e)
    }
}

/// One fold's predictions for some rows (aligned with them).
#[derive(Debug, Clone, Default)]
pub struct Preds {
    /// e(x) before and after clipping.
    pub e_raw: Vec<f64>,
    pub e: Vec<f64>,
    pub mu0: Option<Vec<f64>>,
    pub mu1: Vec<f64>,
    /// S-learner μ(x, 0) and μ(x, 1).
    pub s0: Option<Vec<f64>>,
    pub s1: Option<Vec<f64>>,
    pub tau0: Option<Vec<f64>>,
    pub tau1: Option<Vec<f64>>,
    pub dr: Option<Vec<f64>>,
}

impl FoldModels {
    /// Predict `rows` with this fold's models. `design_s` (the S design) has its indicator overwritten.
    pub fn predict(
        &self,
        design: &Design,
        design_s: Option<&mut Design>,
        rows: &[u32],
        clip: f64,
    ) -> Preds {
        self.predict_for(design, design_s, rows, clip, None)
    }

    /// Like [`FoldModels::predict`], but with `only = Some(learner)` only the models that learner's τ̂
    /// needs are run (the others' fields are empty): the standard errors need one learner's τ̂ on the
    /// training rows, and predicting is a large share of a fit's time.
    pub fn predict_for(
        &self,
        design: &Design,
        design_s: Option<&mut Design>,
        rows: &[u32],
        clip: f64,
        only: Option<MetaLearner>,
    ) -> Preds {
        self.predict_where(design, design_s, rows, clip, &|m| {
            only.is_none_or(|o| uses(o, m))
        })
    }

    /// Predict `rows` with the models `want` accepts (the others' fields are empty).
    pub fn predict_where(
        &self,
        design: &Design,
        design_s: Option<&mut Design>,
        rows: &[u32],
        clip: f64,
        want: &dyn Fn(Model) -> bool,
    ) -> Preds {
        let e_raw = if want(Model::E) {
            propensity::predict(&self.e, design, rows)
        } else {
            Vec::new()
        };
        let e = e_raw.iter().map(|&v| propensity::clip(v, clip)).collect();
        let (s0, s1) = match (&self.s, design_s) {
            (Some(s), Some(ds)) if want(Model::S) => {
                let j = ds.n_features() - 1;
                ds.set_indicator(j, true);
                let s1 = s.predict(ds, rows);
                ds.set_indicator(j, false);
                (Some(s.predict(ds, rows)), Some(s1))
            }
            _ => (None, None),
        };
        Preds {
            e_raw,
            e,
            mu0: self
                .mu0
                .as_ref()
                .filter(|_| want(Model::Mu0))
                .map(|m| m.predict(design, rows)),
            mu1: if want(Model::Mu1) {
                self.mu1.predict(design, rows)
            } else {
                Vec::new()
            },
            s0,
            s1,
            tau0: self
                .tau0
                .as_ref()
                .filter(|_| want(Model::Tau0))
                .map(|m| m.predict(design, rows)),
            tau1: self
                .tau1
                .as_ref()
                .filter(|_| want(Model::Tau1))
                .map(|m| m.predict(design, rows)),
            dr: self
                .dr
                .as_ref()
                .filter(|_| want(Model::Dr))
                .map(|m| m.predict(design, rows)),
        }
    }
}

/// One of a fold's models (for choosing which to predict).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    E,
    Mu0,
    Mu1,
    S,
    Tau0,
    Tau1,
    Dr,
}

/// Whether `learner`'s τ̂ needs model `m` (the blend needs every model; auto is decided later, so none).
pub fn uses(learner: MetaLearner, m: Model) -> bool {
    use MetaLearner as L;
    match learner {
        L::Blend => true,
        L::S => m == Model::S,
        L::T => matches!(m, Model::Mu0 | Model::Mu1),
        L::X => matches!(m, Model::E | Model::Tau0 | Model::Tau1),
        L::Dr => m == Model::Dr,
        L::Auto => false,
    }
}

/// Row-wise mean of several learners' τ̂ (None when there are none).
pub fn blend(parts: &[&[f64]]) -> Option<Vec<f64>> {
    let first = parts.first()?;
    let k = parts.len() as f64;
    Some(
        (0..first.len())
            .map(|i| parts.iter().map(|p| p[i]).sum::<f64>() / k)
            .collect(),
    )
}

impl Preds {
    /// The values at positions `pos` (indices into these rows) of every field present.
    pub fn select(&self, pos: &[usize]) -> Preds {
        let take = |v: &Vec<f64>| -> Vec<f64> {
            if v.is_empty() {
                Vec::new()
            } else {
                pos.iter().map(|&i| v[i]).collect()
            }
        };
        let take_opt = |v: &Option<Vec<f64>>| v.as_ref().map(take);
        Preds {
            e_raw: take(&self.e_raw),
            e: take(&self.e),
            mu0: take_opt(&self.mu0),
            mu1: take(&self.mu1),
            s0: take_opt(&self.s0),
            s1: take_opt(&self.s1),
            tau0: take_opt(&self.tau0),
            tau1: take_opt(&self.tau1),
            dr: take_opt(&self.dr),
        }
    }

    /// These predictions, with every field missing here taken from `other` (predictions of the same rows).
    pub fn or(self, other: Preds) -> Preds {
        let pick = |a: Vec<f64>, b: Vec<f64>| if a.is_empty() { b } else { a };
        Preds {
            e_raw: pick(self.e_raw, other.e_raw),
            e: pick(self.e, other.e),
            mu0: self.mu0.or(other.mu0),
            mu1: pick(self.mu1, other.mu1),
            s0: self.s0.or(other.s0),
            s1: self.s1.or(other.s1),
            tau0: self.tau0.or(other.tau0),
            tau1: self.tau1.or(other.tau1),
            dr: self.dr.or(other.dr),
        }
    }

    /// τ̂ of one learner for these rows (None when its models were not fit).
    pub fn uplift(&self, learner: MetaLearner) -> Option<Vec<f64>> {
        let diff = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x - y).collect();
        match learner {
            MetaLearner::S => Some(diff(self.s1.as_ref()?, self.s0.as_ref()?)),
            MetaLearner::T => Some(diff(&self.mu1, self.mu0.as_ref()?)),
            MetaLearner::X => {
                let (t0, t1) = (self.tau0.as_ref()?, self.tau1.as_ref()?);
                Some(
                    (0..t0.len())
                        .map(|i| self.e[i] * t0[i] + (1.0 - self.e[i]) * t1[i])
                        .collect(),
                )
            }
            MetaLearner::Dr => self.dr.clone(),
            MetaLearner::Blend => {
                let parts: Vec<Vec<f64>> = [
                    MetaLearner::S,
                    MetaLearner::T,
                    MetaLearner::X,
                    MetaLearner::Dr,
                ]
                .into_iter()
                .filter_map(|l| self.uplift(l))
                .collect();
                let refs: Vec<&[f64]> = parts.iter().map(Vec::as_slice).collect();
                blend(&refs)
            }
            MetaLearner::Auto => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibration_shift_matches_the_weighted_rate() {
        // Every prediction 0.1, weighted rate 0.2: the shift is logit(0.2) − logit(0.1) = ln(0.25 · 9) = ln 2.25.
        let p = vec![0.1; 10];
        let y = [1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let d = calibration_shift(&p, &y, &[1.0; 10]);
        assert!((d - 2.25f64.ln()).abs() < 1e-9, "{d}");
        assert!((shift_log_odds(0.1, d) - 0.2).abs() < 1e-12);
        // Weights count: the two converters weigh 3 each ⇒ rate 6/14 = 3/7; spread predictions still meet it.
        let p: Vec<f64> = (0..10).map(|i| 0.02 + 0.05 * i as f64).collect();
        let w = [3.0, 3.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let d = calibration_shift(&p, &y, &w);
        let mean: f64 = p
            .iter()
            .zip(&w)
            .map(|(&v, &wi)| wi * shift_log_odds(v, d))
            .sum::<f64>()
            / 14.0;
        assert!((mean - 3.0 / 7.0).abs() < 1e-9, "{mean}");
        // Nothing to fit: no converters, or no weight.
        assert_eq!(calibration_shift(&p, &[0.0; 10], &w), 0.0);
        assert_eq!(calibration_shift(&p, &y, &[0.0; 10]), 0.0);
        assert_eq!(shift_log_odds(0.3, 0.0), 0.3);
    }

    #[test]
    fn map_back_undoes_positive_weighting() {
        // True p = 0.01, weight w = 99 ⇒ weighted odds 0.01·99 / 0.99 = 1 ⇒ p_w = 0.5; back: 0.5 / (0.5 + 99·0.5) = 0.01.
        assert!((map_back(0.5, 99.0) - 0.01).abs() < 1e-15);
        assert_eq!(map_back(0.3, 1.0), 0.3);
        assert_eq!(map_back(0.0, 5.0), 0.0);
    }

    #[test]
    fn effect_models_take_their_own_sampling_ratio_unless_sampling_is_off() {
        let p = UpliftParams {
            nonconverter_ratio: 100.0,
            nonconverter_ratio_effect: 30.0,
            ..Default::default()
        };
        assert_eq!(sampling_ratio(&p, Role::Treated), 100.0);
        assert_eq!(sampling_ratio(&p, Role::Control), 100.0);
        assert_eq!(sampling_ratio(&p, Role::Outcome), 100.0);
        assert_eq!(sampling_ratio(&p, Role::EffectTreated), 30.0);
        assert_eq!(sampling_ratio(&p, Role::EffectControl), 30.0);
        assert_eq!(sampling_ratio(&p, Role::EffectDr), 30.0);
        // ratio 0 = every row of every model (the documented switch), whatever the effect ratio says
        let off = UpliftParams {
            nonconverter_ratio: 0.0,
            ..p
        };
        assert_eq!(sampling_ratio(&off, Role::EffectTreated), 0.0);
        assert_eq!(sampling_ratio(&off, Role::Treated), 0.0);
    }

    #[test]
    fn nonconverter_sampling_keeps_converters_and_a_seeded_share() {
        // 10 converters (every 501st row) among 5,010 rows: 5,000 non-converters. Ratio 50 → 500 wanted, below
        // the minimum 1,000 → keep 1,000 of 5,000: rate 0.2, weight 1/0.2 = 5. Kept non-converters ~
        // Binomial(5000, 0.2): mean 1,000, sd √(5000·0.2·0.8) = 28.3, so 915..=1085 is ±3 sd.
        let conv: Vec<bool> = (0..5010).map(|i| i % 501 == 0).collect();
        let (kept, inv) = sample_nonconverters(&conv, 50.0, 1000, 9).expect("sampled");
        assert_eq!(inv, 5.0);
        assert_eq!(kept.iter().filter(|&&i| conv[i]).count(), 10);
        let neg = kept.iter().filter(|&&i| !conv[i]).count();
        assert!((915..=1085).contains(&neg), "{neg}");
        assert!(kept.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(
            sample_nonconverters(&conv, 50.0, 1000, 9),
            Some((kept.clone(), inv))
        );
        assert_ne!(sample_nonconverters(&conv, 50.0, 1000, 10).unwrap().0, kept);
        // Ratio 600 → 6,000 wanted ≥ 5,000 non-converters, ratio 0 = off, or few rows: keep everything.
        assert_eq!(sample_nonconverters(&conv, 600.0, 1000, 9), None);
        assert_eq!(sample_nonconverters(&conv, 0.0, 1000, 9), None);
        assert_eq!(sample_nonconverters(&conv[..900], 50.0, 1000, 9), None);
    }

    #[test]
    fn pseudo_outcome_by_hand() {
        // treated, y=1, μ0=0.1, μ1=0.3, e=0.8: 0.2 + 0.7/0.8 = 1.075
        assert!((dr_pseudo_outcome(true, 1.0, 0.1, 0.3, 0.8) - 1.075).abs() < 1e-12);
        // control, y=0, same: 0.2 − (0 − 0.1)/0.2 = 0.7
        assert!((dr_pseudo_outcome(false, 0.0, 0.1, 0.3, 0.8) - 0.7).abs() < 1e-12);
    }

    #[test]
    fn needs_follow_the_learners() {
        let n = Needs::of(&[MetaLearner::S], false);
        assert!(!n.mu0 && n.s && !n.x && !n.dr);
        assert_eq!(n.models_per_fold(), 3); // e, μ1, S
        let all = Needs::of(
            &[
                MetaLearner::S,
                MetaLearner::T,
                MetaLearner::X,
                MetaLearner::Dr,
            ],
            true,
        );
        assert_eq!(all.models_per_fold(), 7); // e, μ1, μ0, S, τ0, τ1, DR
    }
}
