//! Honest scores and bookkeeping: out-of-fold fits, IPW and class weights, calibration after map-back,
//! cancellation, progress, determinism and input errors.

mod uplift_support;

use std::cell::Cell;
use std::sync::{Arc, Mutex};

use uplift_simulator::learners::{Learner, Objective};
use uplift_simulator::uplift::{fit_uplift, BaseSpec, MetaLearner, Role, UpliftParams};
use uplift_simulator::Error;
use uplift_support::*;

fn recorded(k: &Known, params: &UpliftParams) -> (uplift_simulator::uplift::UpliftFit, Vec<Seen>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let factory = |spec: &BaseSpec| -> Box<dyn Learner> {
        Box::new(Recording {
            spec: spec.clone(),
            log: log.clone(),
        })
    };
    let f = fit_uplift(
        &k.design,
        &k.treatment,
        &k.outcome,
        params,
        &factory,
        &mut |_, _| {},
        &never,
        None,
    )
    .unwrap();
    let seen = log.lock().unwrap().clone();
    (f, seen)
}

/// Every model of fold f trains only on rows outside fold f, so every row's scores come from models that
/// never saw it; each arm model sees only its arm; effect models are unweighted squared-error fits.
#[test]
fn no_model_sees_the_rows_it_scores() {
    let k = logit_world(3_000, 0.7, 2);
    let (f, seen) = recorded(&k, &UpliftParams::default());
    // auto fits μ1, μ0, S, τ1, τ0, DR per fold (the propensity model is ours, not the factory's).
    assert_eq!(seen.len(), 6 * 5);
    for s in &seen {
        assert!(s
            .rows
            .iter()
            .all(|&r| f.fold_of[r as usize] as usize != s.spec.fold));
        assert_eq!(s.spec.n_rows, s.rows.len());
        let n_pos = s
            .rows
            .iter()
            .filter(|&&r| k.outcome[r as usize] > 0.5)
            .count();
        assert_eq!(s.spec.n_positive, n_pos);
        match s.spec.role {
            Role::Treated | Role::EffectTreated => {
                assert!(s.rows.iter().all(|&r| k.treatment[r as usize]))
            }
            Role::Control | Role::EffectControl => {
                assert!(s.rows.iter().all(|&r| !k.treatment[r as usize]))
            }
            Role::Outcome | Role::EffectDr => {
                // all training rows: 4/5 of the data
                assert!((2_390..=2_410).contains(&s.rows.len()), "{}", s.rows.len())
            }
        }
        if is_outcome(s.spec.role) {
            assert_eq!(s.spec.objective, Objective::LogLoss);
        } else {
            assert_eq!(s.spec.objective, Objective::SquaredError);
            assert!(s.weight.is_none());
        }
    }
    // Every row is held out exactly once and scored.
    for fold in 0..5u32 {
        let n = f.fold_of.iter().filter(|&&x| x == fold).count();
        assert!((599..=601).contains(&n));
    }
    assert!(f.uplift.iter().all(|v| v.is_finite()));
}

/// IPW: treated rows weigh 1/e, control rows 1/(1−e). In a randomized test e ≈ the treated share, so each
/// arm's weights sum to about the number of training rows (both arms count equally despite a 70/30 split):
/// 2,400 training rows; treated ≈ 1,680 rows × 1/0.7 ≈ 2,400; control ≈ 720 × 1/0.3 ≈ 2,400 (±3 %: e is
/// estimated and the split is random). With ipw off every weight is 1.
#[test]
fn ipw_weights_make_both_arms_count_equally() {
    let k = logit_world(3_000, 0.7, 2);
    let (_, seen) = recorded(&k, &with_learner(MetaLearner::T));
    for s in &seen {
        let w = s.weight.as_ref().unwrap();
        let sum: f64 = w.iter().sum();
        assert!(
            (sum / 2_400.0 - 1.0).abs() < 0.03,
            "{:?}: {sum}",
            s.spec.role
        );
    }
    let (_, seen) = recorded(
        &k,
        &UpliftParams {
            learner: MetaLearner::T,
            ipw: false,
            ..Default::default()
        },
    );
    for s in &seen {
        assert!(s.weight.as_ref().unwrap().iter().all(|&w| w == 1.0));
    }
}

fn with_learner(learner: MetaLearner) -> UpliftParams {
    UpliftParams {
        learner,
        ..Default::default()
    }
}

/// Imbalance weighting with a rare outcome (base rate ≈ 1.7 %, 40,000 rows, 30 % control ⇒ ≈ 200 control
/// conversions, w ≈ 60): converters get w × their IPW weight, the spec tells the learner w, and after the
/// map-back mean p̂0 and p̂1 are within 10 % of the observed rates (the target). Without the map-back
/// the mean prediction would be near 50 %.
#[test]
fn imbalance_weighting_is_mapped_back_to_calibrated_rates() {
    let k = logit_world_with_base(40_000, 0.7, -4.5, 3);
    let params = UpliftParams {
        learner: MetaLearner::T,
        imbalance_weighting: true,
        ..Default::default()
    };
    let (f, seen) = recorded(&k, &params);
    for s in &seen {
        let n_pos = s.spec.n_positive as f64;
        let w = s
            .spec
            .imbalance_weight
            .expect("weight given to the learner");
        assert!((w - (s.rows.len() as f64 - n_pos) / n_pos).abs() < 1e-9);
        assert!(w > 30.0, "{w}");
        let wt = s.weight.as_ref().unwrap();
        // converters weigh w times a non-converter of (nearly) the same propensity: the classes balance
        let (mut pos, mut neg) = (0.0, 0.0);
        for (i, &r) in s.rows.iter().enumerate() {
            if k.outcome[r as usize] > 0.5 {
                pos += wt[i];
            } else {
                neg += wt[i];
            }
        }
        assert!(
            (pos / neg - 1.0).abs() < 0.05,
            "weighted classes balance: {pos} vs {neg}"
        );
    }
    let c = &f.calibration;
    assert!(c.control.relative_error.abs() < 0.10, "{c:?}");
    assert!(c.treated.relative_error.abs() < 0.10, "{c:?}");
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
}

/// The product's case the test above cannot reach: the default base (gradient-boosted trees, with small-arm
/// safety), a 0.3 % conversion rate (the demo generator: w ≈ 300 and more), and non-converter sampling (forced
/// here with a small minimum, as it is at 1M rows with the defaults). Trees in the weighted space are shrunk
/// towards the weighted mean (≈ 50 %) and the map-back is convex at small rates, so before the calibration
/// shift (`uplift::meta::calibration_shift`) mean p̂0 came out 30–40 % low. Measured at this seed (200,000 rows,
/// ≈ 66 control conversions): before the shift control −40.0 %, treated −21.8 %; after it −0.9 % and −0.2 %.
/// The bound is the 10 %.
#[test]
fn imbalance_weighting_with_trees_and_sampling_stays_calibrated() {
    use uplift_simulator::pipeline::base::BaseParams;
    let k = demo(200_000, 3);
    let params = UpliftParams {
        learner: MetaLearner::X,
        imbalance_weighting: true,
        nonconverter_min: 2_000,
        ..Default::default()
    };
    let base = BaseParams::default();
    let factory = base.factory();
    let f = fit_uplift(
        &k.design,
        &k.treatment,
        &k.outcome,
        &params,
        &factory,
        &mut |_, _| {},
        &never,
        None,
    )
    .unwrap();
    let c = &f.calibration;
    assert!(c.control.relative_error.abs() < 0.10, "{c:?}");
    assert!(c.treated.relative_error.abs() < 0.10, "{c:?}");
}

#[test]
fn same_seed_same_scores_other_seed_other_folds() {
    let k = logit_world(4_000, 0.8, 5);
    let a = fit(&k, &UpliftParams::default()).unwrap();
    let b = fit(&k, &UpliftParams::default()).unwrap();
    assert_eq!(a, b);
    let c = fit(
        &k,
        &UpliftParams {
            seed: 7,
            ..Default::default()
        },
    )
    .unwrap();
    assert_ne!(a.fold_of, c.fold_of);
    assert_ne!(a.uplift, c.uplift);
}

#[test]
fn cancel_stops_with_cancelled_and_progress_runs_to_one() {
    let k = logit_world(3_000, 0.7, 2);
    // Cancel at the 10th check: somewhere inside the fold fits.
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let c = || calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 >= 10;
    let err = fit_uplift(
        &k.design,
        &k.treatment,
        &k.outcome,
        &UpliftParams::default(),
        &logistic,
        &mut |_, _| {},
        &c,
        None,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Cancelled));
    assert_eq!(err.to_string(), "Stopped: the run was cancelled.");

    let mut seen: Vec<(String, f64)> = Vec::new();
    let clock = Cell::new(0.0);
    let now = || {
        clock.set(clock.get() + 1.0);
        clock.get()
    };
    let f = fit_uplift(
        &k.design,
        &k.treatment,
        &k.outcome,
        &UpliftParams::default(),
        &logistic,
        &mut |s, x| seen.push((s.to_string(), x)),
        &never,
        Some(&now),
    )
    .unwrap();
    assert!(seen.windows(2).all(|w| w[0].1 <= w[1].1));
    assert_eq!(seen.last().unwrap().1, 1.0);
    let stages: Vec<&str> = f.timings.iter().map(|t| t.stage.as_str()).collect();
    assert_eq!(
        stages,
        [
            "checks",
            "propensity",
            "outcome models",
            "effect models",
            "predictions",
            "choice",
            "uncertainty",
            "reports"
        ]
    );
    // the fake clock ticks once per step: 1 ms per unit of work
    let total: f64 = f.timings.iter().map(|t| t.ms).sum();
    assert_eq!(total, seen.len() as f64);
}

#[test]
fn bad_inputs_are_refused_in_plain_words() {
    let k = logit_world(500, 0.7, 2);
    let run = |t: &[bool], y: &[f64], p: &UpliftParams| {
        fit_uplift(&k.design, t, y, p, &logistic, &mut |_, _| {}, &never, None)
            .unwrap_err()
            .to_string()
    };
    let p = UpliftParams::default();
    assert_eq!(
        run(&k.treatment[..499], &k.outcome, &p),
        "The treatment column has 499 values but the feature table has 500; they must line up row by row."
    );
    let mut y = k.outcome.clone();
    y[7] = 2.0;
    assert_eq!(
        run(&k.treatment, &y, &p),
        "Row 7: the outcome must be 0 or 1, but it is 2. Choose a yes/no conversion column as the outcome."
    );
    let all_treated = vec![true; 500];
    assert_eq!(
        run(&all_treated, &k.outcome, &p),
        "Uplift needs both groups: found 500 treated and 0 control rows; each needs at least 10."
    );
    let bad = UpliftParams {
        propensity_clip: 0.5,
        ..Default::default()
    };
    assert_eq!(
        run(&k.treatment, &k.outcome, &bad),
        "Setting “propensityClip” is 0.5, but it must be more than 0 and less than 0.5."
    );
}
