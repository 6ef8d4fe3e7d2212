//! Uplift estimation: propensity, S/T/X/DR meta-learners, cross-fitting, auto choice and per-row uncertainty.
//!
//! Entry point: [`fit_uplift`]. It takes the base learner through a factory ([`BaseSpec`] → `Box<dyn Learner>`),
//! so any learner (gradient-boosted trees, logistic regression) plugs in. Every row's τ̂, p̂0, p̂1, response score
//! and propensity come from models fit on the other K−1 folds. Does not compute Qini/uplift metrics (`metrics`).
//!
//! Files: [`params`] (settings, factory spec) · [`crossfit`] (folds) · [`propensity`] · [`meta`] (per-fold
//! models and S/T/X/DR) · [`auto`] (choice) · [`uncertainty`] (standard errors) · [`imbalance`] (arm checks and
//! calibration).

pub mod auto;
pub mod crossfit;
pub mod imbalance;
pub mod meta;
pub mod params;
pub mod propensity;
pub mod uncertainty;

use serde::Serialize;

pub use auto::AutoReport;
pub use imbalance::{ArmCalibration, Calibration};
pub use meta::BaseFactory;
pub use params::{BaseSpec, MetaLearner, Role, UpliftParams};
pub use propensity::PropensityReport;

use crate::error::{Error, Result};
use crate::learners::{CancelFn, Design, Objective};
use crossfit::Folds;
use meta::{FoldModels, Inputs, Needs};

/// Time spent in one stage, in milliseconds (only when a clock is given).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StageTiming {
    pub stage: String,
    pub ms: f64,
}

/// Everything estimated, one value per row in input order, plus the reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpliftFit {
    /// The meta-learner whose scores these are (never `auto`: what auto chose).
    pub learner_used: MetaLearner,
    /// The base learner's name ("gbdt", "logistic").
    pub base_learner: String,
    /// τ̂(x): uplift on the probability scale, out-of-fold.
    pub uplift: Vec<f64>,
    /// Standard error of τ̂ (see `uncertainty`).
    pub uplift_se: Vec<f64>,
    /// p̂0(x) = P(convert | control, x) and p̂1(x) = P(convert | treated, x), out-of-fold (S: μ(x,0), μ(x,1);
    /// T, X, DR: μ0, μ1). For X and DR, p̂1 − p̂0 need not equal τ̂.
    pub p_control: Vec<f64>,
    pub p_treated: Vec<f64>,
    /// Conversion-rate targeting score P(convert | treated, x) from the treated-arm model μ1, out-of-fold.
    pub response_score: Vec<f64>,
    /// e(x), out-of-fold and clipped.
    pub propensity: Vec<f64>,
    pub propensity_report: PropensityReport,
    pub calibration: Calibration,
    /// Cross-fitting fold of each row (0-based).
    pub fold_of: Vec<u32>,
    /// Present when the learner was `auto`.
    pub auto: Option<AutoReport>,
    /// Plain-words findings (few conversions, non-random assignment, calibration off).
    pub warnings: Vec<String>,
    /// Milliseconds per stage, in the order the stages first ran (empty without a clock).
    pub timings: Vec<StageTiming>,
    pub settings: UpliftParams,
}

/// Progress, timing and cancellation between units of work.
struct Run<'a> {
    progress: &'a mut dyn FnMut(&str, f64),
    cancel: CancelFn<'a>,
    now: Option<&'a dyn Fn() -> f64>,
    last: f64,
    timings: Vec<StageTiming>,
    done: usize,
    total: usize,
}

impl Run<'_> {
    /// Record that one unit of `stage` finished; stop if cancelled.
    fn step(&mut self, stage: &str) -> Result<()> {
        if let Some(now) = self.now {
            let t = now();
            let dt = t - self.last;
            self.last = t;
            match self.timings.iter_mut().find(|s| s.stage == stage) {
                Some(s) => s.ms += dt,
                None => self.timings.push(StageTiming {
                    stage: stage.to_string(),
                    ms: dt,
                }),
            }
        }
        self.done += 1;
        (self.progress)(
            stage,
            (self.done as f64 / self.total.max(1) as f64).min(1.0),
        );
        if (self.cancel)() {
            return Err(Error::Cancelled);
        }
        Ok(())
    }
}

/// Estimate uplift for every row of a randomized test with K-fold cross-fitting.
///
/// `outcome` is 0/1; `base` builds the base learner of each model; `progress(stage, fraction)` reports
/// overall progress 0..1; `cancel()` returning true stops with [`Error::Cancelled`]; `now_ms` (optional, a
/// monotonic clock in ms) fills the timings — the core never reads a clock itself (wasm has none in std).
#[allow(clippy::too_many_arguments)]
pub fn fit_uplift(
    design: &Design,
    treatment: &[bool],
    outcome: &[f64],
    params: &UpliftParams,
    base: BaseFactory,
    progress: &mut dyn FnMut(&str, f64),
    cancel: CancelFn,
    now_ms: Option<&dyn Fn() -> f64>,
) -> Result<UpliftFit> {
    params.validate()?;
    let arms = imbalance::check_inputs(design, treatment, outcome, params.folds)?;
    let n = design.n_rows();
    let k = params.folds;
    let auto = params.learner == MetaLearner::Auto;
    let learners = params.learners_to_fit();
    let needs = Needs::of(&learners, auto);
    let mut run = Run {
        progress,
        cancel,
        now: now_ms,
        last: now_ms.map_or(0.0, |f| f()),
        timings: Vec::new(),
        done: 0,
        total: k * needs.models_per_fold() + 2 * k + 3,
    };
    run.step("checks")?;

    let folds = Folds::stratified(treatment, outcome, k, params.seed);
    // The S design: the bins (and, for a base learner that reads them, the raw values) with the treatment
    // appended. Trees read only the bins, so for them the raw matrix (n × features × 8 bytes: 1.3 GB at 14M
    // rows) is not copied.
    let mut design_s = needs.s.then(|| {
        let probe = BaseSpec {
            objective: Objective::LogLoss,
            role: Role::Outcome,
            fold: 0,
            seed: params.seed,
            n_rows: n,
            n_positive: arms.treated_conversions + arms.control_conversions,
            imbalance_weight: None,
        };
        let mut d = if base(&probe).reads_raw() {
            design.clone()
        } else {
            design.binned_only()
        };
        d.push_indicator("treatment (S-learner)", treatment);
        d
    });
    // Standard errors: each row is also scored by the next m − 1 folds' pipelines (rows they trained on).
    let m = if params.se_pipelines == 0 {
        k
    } else {
        params.se_pipelines.min(k)
    };
    // The learner whose τ̂ the standard errors need, when known before the out-of-fold scores (not auto).
    let known = (!auto).then_some(params.learner);
    let plan = ScorePlan {
        design,
        folds: &folds,
        known,
        m,
        clip: params.propensity_clip,
    };
    // Without the S design (shared, its indicator column rewritten per prediction), a fold is scored by the
    // thread that fit it, right after fitting: natively it overlaps the other thread's fitting.
    let early = |model: &FoldModels| plan.score(model, None);
    let fitted: Vec<(FoldModels, Option<FoldScores>)> = {
        let inp = Inputs {
            design,
            design_s: design_s.as_ref(),
            treatment,
            outcome,
            params,
            base,
            cancel,
        };
        let early: Option<&ScoreFn> = design_s.is_none().then_some(&early);
        fit_folds(&inp, &folds, needs, early, &mut run)?
    };

    // Out-of-fold predictions: each fold's models score only that fold's rows. When the learner is known,
    // its models score the fold's rows and the rows they add a standard-error estimate to in one pass, and
    // the estimates are kept until the out-of-fold τ̂ is complete (added to the jackknife in fold order).
    let mut e_raw = vec![0.0; n];
    let mut e = vec![0.0; n];
    let mut mu0 = vec![f64::NAN; n];
    let mut mu1 = vec![0.0; n];
    let mut s0 = vec![f64::NAN; n];
    let mut s1 = vec![f64::NAN; n];
    let mut taus: Vec<(MetaLearner, Vec<f64>)> =
        learners.iter().map(|&l| (l, vec![0.0; n])).collect();
    let mut jack_parts: Vec<(usize, Vec<f64>)> = Vec::new();
    let mut models = Vec::with_capacity(k);
    for (model, scored) in fitted {
        let scored = match scored {
            Some(sc) => sc,
            None => {
                let sc = plan.score(&model, design_s.as_mut());
                run.step("predictions")?;
                sc
            }
        };
        let FoldScores {
            rows,
            preds: p,
            jack,
        } = scored;
        jack_parts.extend(jack.map(|v| (model.fold, v)));
        models.push(model);
        scatter(&mut e_raw, &rows, &p.e_raw);
        scatter(&mut e, &rows, &p.e);
        scatter(&mut mu1, &rows, &p.mu1);
        if let Some(v) = &p.mu0 {
            scatter(&mut mu0, &rows, v);
        }
        if let (Some(a), Some(b)) = (&p.s0, &p.s1) {
            scatter(&mut s0, &rows, a);
            scatter(&mut s1, &rows, b);
        }
        for (l, tau) in taus.iter_mut() {
            if let Some(v) = p.uplift(*l) {
                scatter(tau, &rows, &v);
            }
        }
    }

    // e before clipping is needed only for the propensity report: made now, and freed before the choice and
    // the standard errors (memory at 14M rows).
    let propensity_report = propensity::report(&e_raw, treatment, params.propensity_clip);
    drop(e_raw);

    // The blend: auto's extra candidate (when it has several), or the learner asked for.
    if (auto && taus.len() > 1) || params.learner == MetaLearner::Blend {
        // borrowed, not copied: at 14M rows each candidate's τ̂ is 112 MB
        let parts: Vec<&[f64]> = taus.iter().map(|(_, t)| t.as_slice()).collect();
        if let Some(b) = meta::blend(&parts) {
            taus.push((MetaLearner::Blend, b));
        }
    }
    let auto_report = if auto {
        let phi: Vec<f64> = (0..n)
            .map(|i| meta::dr_pseudo_outcome(treatment[i], outcome[i], mu0[i], mu1[i], e[i]))
            .collect();
        Some(auto::choose(
            &phi,
            &taus,
            params.auto_se_rule,
            params.auto_blend_margin,
        ))
    } else {
        None
    };
    let chosen = auto_report.as_ref().map_or(params.learner, |r| r.chosen);
    run.step("choice")?;
    // The chosen τ̂ is moved out and the other candidates' freed before the standard errors (memory at 14M).
    let uplift = taus
        .into_iter()
        .find(|(l, _)| *l == chosen)
        .map(|(_, t)| t)
        .unwrap_or_else(|| vec![0.0; n]);
    // The probabilities reported: S's own, or μ0 and μ1; the others are freed before the standard errors.
    let (p_control, p_treated) = if chosen == MetaLearner::S {
        drop(mu0);
        (s0, Some(s1))
    } else {
        drop((s0, s1));
        (mu0, None)
    };

    let mut jack = uncertainty::Jackknife::new(&uplift, k, m);
    if known.is_some() {
        // scored above, in fold order
        for (f, v) in &jack_parts {
            let rows: Vec<u32> = (0..n as u32)
                .filter(|&i| plan.jackknifed(*f, i as usize))
                .collect();
            jack.add(&rows, v);
        }
        drop(jack_parts);
        for _ in 0..k {
            run.step("uncertainty")?;
        }
    } else {
        // Scored SCORE_CHUNK rows at a time: one fold's jackknife rows are (m − 1)/k of all rows, and the
        // blend's τ̂ needs every model's predictions (at 14M rows, 11.2M rows × 9 predictions + 5 τ̂ parts
        // ≈ 1.3 GB at once). Each row's prediction does not depend on the others', and every row still gets
        // its estimates added in fold order, so the standard errors are the same to the bit.
        for model in &models {
            let f = model.fold;
            in_chunks(
                n,
                |i| plan.jackknifed(f, i),
                |rows| {
                    let p = model.predict_for(
                        design,
                        design_s.as_mut(),
                        rows,
                        params.propensity_clip,
                        Some(chosen),
                    );
                    if let Some(v) = p.uplift(chosen) {
                        jack.add(rows, &v);
                    }
                },
            );
            run.step("uncertainty")?;
        }
    }
    let uplift_se = jack.standard_errors();

    drop(jack);
    let p_treated = p_treated.unwrap_or_else(|| mu1.clone());
    let calibration = imbalance::calibration(&p_control, &p_treated, treatment, outcome);
    let mut warnings = arms.warnings();
    warnings.extend(propensity_report.warning.clone());
    warnings.extend(calibration.warnings());
    run.step("reports")?;

    Ok(UpliftFit {
        learner_used: chosen,
        base_learner: base(&BaseSpec {
            objective: crate::learners::Objective::LogLoss,
            role: Role::Treated,
            fold: 0,
            seed: params.seed,
            n_rows: n,
            n_positive: arms.treated_conversions,
            imbalance_weight: None,
        })
        .name()
        .to_string(),
        uplift,
        uplift_se,
        p_control,
        p_treated,
        response_score: mu1,
        propensity: e,
        propensity_report,
        calibration,
        fold_of: folds.fold_of,
        auto: auto_report,
        warnings,
        timings: run.timings,
        settings: params.clone(),
    })
}

/// How a fold's models score rows after fitting (see [`ScorePlan::score`]).
struct ScorePlan<'a> {
    design: &'a Design,
    folds: &'a Folds,
    /// The learner whose τ̂ the standard errors need, when known before the out-of-fold scores (not auto).
    known: Option<MetaLearner>,
    /// Pipelines per row for the standard errors (2 ≤ m ≤ k, or fewer folds).
    m: usize,
    clip: f64,
}

/// One fold's out-of-fold predictions (aligned with `rows`), and its standard-error estimates when the
/// learner is known (τ̂ of the rows `ScorePlan::jackknifed` picks, ascending; the rows are not kept: 4 bytes
/// a row and fold less at 14M rows).
pub(crate) struct FoldScores {
    rows: Vec<u32>,
    preds: meta::Preds,
    jack: Option<Vec<f64>>,
}

/// Scores a fold right after it is fit (in the thread that fit it).
type ScoreFn<'a> = dyn Fn(&FoldModels) -> FoldScores + Sync + 'a;

impl ScorePlan<'_> {
    /// Whether fold f's pipeline scores row i for its standard error: f − fold(i) (mod k) ∈ 1..m.
    fn jackknifed(&self, f: usize, i: usize) -> bool {
        let k = self.folds.k;
        let g = self.folds.fold_of[i] as usize;
        (1..self.m).contains(&((f + k - g) % k))
    }

    /// The fold's out-of-fold predictions; with the learner known, its models also score the rows they add a
    /// standard-error estimate to, in the same pass (every row's prediction is independent of the others').
    fn score(&self, model: &FoldModels, design_s: Option<&mut Design>) -> FoldScores {
        let f = model.fold;
        let fold_of = &self.folds.fold_of;
        let Some(l) = self.known else {
            let rows = self.folds.test_rows(f);
            let preds = model.predict(self.design, design_s, &rows, self.clip);
            return FoldScores {
                rows,
                preds,
                jack: None,
            };
        };
        // The fold's rows and its standard-error rows are every row when m = k: scored SCORE_CHUNK rows at a
        // time (at 14M rows one pass held ≈ 1 GB of predictions, selections and positions while the other
        // thread fits); each row's prediction does not depend on the others', and rows stay ascending.
        let n = fold_of.len();
        let mut design_s = design_s;
        let (mut rows, mut oof) = (Vec::new(), meta::Preds::default());
        let mut jack: Option<Vec<f64>> = Some(Vec::new());
        in_chunks(
            n,
            |i| fold_of[i] as usize == f || self.jackknifed(f, i),
            |chunk| {
                let p = model.predict_for(
                    self.design,
                    design_s.as_deref_mut(),
                    chunk,
                    self.clip,
                    Some(l),
                );
                let (mut oof_pos, mut jk_pos) = (Vec::new(), Vec::new());
                for (j, &i) in chunk.iter().enumerate() {
                    if fold_of[i as usize] as usize == f {
                        oof_pos.push(j);
                        rows.push(i);
                    } else {
                        jk_pos.push(j);
                    }
                }
                jack = match (jack.take(), p.select(&jk_pos).uplift(l)) {
                    (Some(mut a), Some(b)) => {
                        a.extend(b);
                        Some(a)
                    }
                    _ => None,
                };
                append(&mut oof, p.select(&oof_pos));
            },
        );
        let rest = model.predict_where(self.design, design_s, &rows, self.clip, &|x| {
            !meta::uses(l, x)
        });
        FoldScores {
            rows,
            preds: oof.or(rest),
            jack,
        }
    }
}

/// Fit every fold's models, in fold order.
/// With `early`, each fold is scored right after its fit (one "predictions" step).
fn fit_folds(
    inp: &Inputs,
    folds: &Folds,
    needs: Needs,
    early: Option<&ScoreFn>,
    run: &mut Run,
) -> Result<Vec<(FoldModels, Option<FoldScores>)>> {
    #[cfg(not(target_arch = "wasm32"))]
    if folds.k > 1 && rayon::current_num_threads() > 1 {
        return fit_folds_parallel(inp, folds, needs, early, run);
    }
    let mut out = Vec::with_capacity(folds.k);
    for f in 0..folds.k {
        let train = folds.train_rows(f);
        let model = meta::fit_fold(inp, f, &train, needs, &mut |s| run.step(s))?;
        let scored = early.map(|score| score(&model));
        if scored.is_some() {
            run.step("predictions")?;
        }
        out.push((model, scored));
    }
    Ok(out)
}

/// Natively, two folds at a time: this thread and one helper thread take the next fold until none is left
/// (each model still uses the thread pool inside). A fold's models depend only on its rows and seeds, so the
/// result is the serial one to the bit. Progress and timings stay on this thread: its stages are timed as
/// usual (wall time); the helper's finished models are recorded after this thread's next one, with ~0 ms.
#[cfg(not(target_arch = "wasm32"))]
fn fit_folds_parallel(
    inp: &Inputs,
    folds: &Folds,
    needs: Needs,
    early: Option<&ScoreFn>,
    run: &mut Run,
) -> Result<Vec<(FoldModels, Option<FoldScores>)>> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Mutex;
    let k = folds.k;
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let events: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let take = || {
        let f = next.fetch_add(1, Ordering::SeqCst);
        (f < k && !stop.load(Ordering::SeqCst)).then_some(f)
    };
    // The helper's finished models, recorded here right after one of this thread's (so they take ~0 ms).
    let drain = |run: &mut Run| -> Result<()> {
        let done: Vec<&'static str> = events
            .lock()
            .map(|mut e| e.split_off(0))
            .unwrap_or_default();
        for s in done {
            run.step(s)?;
        }
        Ok(())
    };
    // Take folds until none is left (or the other thread failed); a failure stops both threads.
    let fit_taken =
        |on_step: &mut dyn FnMut(&'static str) -> Result<()>| -> Result<Vec<(FoldModels, Option<FoldScores>)>> {
            let mut got = Vec::new();
            while let Some(f) = take() {
                let train = folds.train_rows(f);
                let fitted = meta::fit_fold(inp, f, &train, needs, &mut |s| {
                    on_step(s)?;
                    if stop.load(Ordering::SeqCst) {
                        return Err(Error::Cancelled);
                    }
                    Ok(())
                });
                let fitted = fitted.and_then(|m| {
                    let scored = early.map(|score| score(&m));
                    if scored.is_some() {
                        on_step("predictions")?;
                    }
                    Ok((m, scored))
                });
                match fitted {
                    Ok(m) => got.push(m),
                    Err(e) => {
                        stop.store(true, Ordering::SeqCst);
                        return Err(e);
                    }
                }
            }
            Ok(got)
        };
    let (mine, theirs) = std::thread::scope(|scope| {
        let helper = scope.spawn(|| {
            fit_taken(&mut |s| {
                if let Ok(mut e) = events.lock() {
                    e.push(s);
                }
                if (inp.cancel)() {
                    return Err(Error::Cancelled);
                }
                Ok(())
            })
        });
        let mine = fit_taken(&mut |s| {
            run.step(s)?;
            drain(run)
        });
        (mine, helper.join())
    });
    let drained = drain(run);
    // The helper's own error (it stopped first) explains more than the Cancelled it caused here.
    let theirs = match theirs {
        Ok(r) => r,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    let (mine, theirs) = match (mine, theirs) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(Error::Cancelled), Err(e)) | (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    drained?;
    let mut all: Vec<(FoldModels, Option<FoldScores>)> = mine.into_iter().chain(theirs).collect();
    all.sort_by_key(|(m, _)| m.fold);
    Ok(all)
}

/// Rows per batch when standard-error rows are scored (8 MB per prediction vector).
const SCORE_CHUNK: usize = 1 << 20;

/// Calls `each` with the rows i < n for which `keep(i)`, ascending, at most [`SCORE_CHUNK`] at a time (one
/// buffer, reused).
fn in_chunks(n: usize, keep: impl Fn(usize) -> bool, mut each: impl FnMut(&[u32])) {
    let mut chunk: Vec<u32> = Vec::with_capacity(SCORE_CHUNK.min(n));
    let mut next = 0usize;
    while next < n {
        chunk.clear();
        while next < n && chunk.len() < SCORE_CHUNK {
            if keep(next) {
                chunk.push(next as u32);
            }
            next += 1;
        }
        if !chunk.is_empty() {
            each(&chunk);
        }
    }
}

/// `acc` with the rows of `p` appended (fields `p` lacks stay as they are).
fn append(acc: &mut meta::Preds, p: meta::Preds) {
    let opt = |a: &mut Option<Vec<f64>>, b: Option<Vec<f64>>| {
        if let Some(b) = b {
            a.get_or_insert_with(Vec::new).extend(b);
        }
    };
    acc.e_raw.extend(p.e_raw);
    acc.e.extend(p.e);
    opt(&mut acc.mu0, p.mu0);
    acc.mu1.extend(p.mu1);
    opt(&mut acc.s0, p.s0);
    opt(&mut acc.s1, p.s1);
    opt(&mut acc.tau0, p.tau0);
    opt(&mut acc.tau1, p.tau1);
    opt(&mut acc.dr, p.dr);
}

fn scatter(dst: &mut [f64], rows: &[u32], values: &[f64]) {
    for (&r, &v) in rows.iter().zip(values) {
        dst[r as usize] = v;
    }
}
