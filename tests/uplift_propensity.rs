//! Propensity diagnostics: a clean randomized test looks random; assignment driven by a feature is flagged.

mod uplift_support;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uplift_simulator::uplift::{MetaLearner, UpliftParams};
use uplift_support::*;

fn params() -> UpliftParams {
    UpliftParams {
        learner: MetaLearner::T,
        ..Default::default()
    }
}

/// Randomized 70/30: the out-of-fold propensity cannot tell the arms apart (AUC 0.5 ± 0.03 at 10,000 rows:
/// the AUC's standard error is about 0.006 here, and fitted noise pushes it slightly below 0.5), its mean is
/// the treated share, nothing is clipped, no warning.
#[test]
fn a_randomized_test_looks_random() {
    let k = logit_world(10_000, 0.7, 4);
    let f = fit(&k, &params()).unwrap();
    let r = &f.propensity_report;
    assert!((r.auc - 0.5).abs() < 0.03, "{r:?}");
    assert!((r.mean - r.treated_share).abs() < 0.005, "{r:?}");
    assert!(r.min > 0.6 && r.max < 0.8, "{r:?}");
    assert_eq!(r.share_clipped, 0.0);
    assert!(r.warning.is_none());
    assert!(f.propensity.iter().all(|&e| (0.01..=0.99).contains(&e)));
}

/// Assignment driven by x0 (P(treated) = σ(4·x0)): the propensity model finds it (AUC ≈ 0.95 > 0.6), the
/// report warns in plain words, extreme propensities are clipped to [0.01, 0.99].
#[test]
fn non_random_assignment_is_flagged_and_clipped() {
    let mut k = logit_world(10_000, 0.7, 4);
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    for i in 0..k.treatment.len() {
        let x0 = k.design.raw[[i, 0]];
        k.treatment[i] = rng.gen::<f64>() < 1.0 / (1.0 + (-4.0 * x0).exp());
    }
    let f = fit(&k, &params()).unwrap();
    let r = &f.propensity_report;
    assert!(r.auc > 0.9, "{r:?}");
    assert!(r.share_clipped > 0.0 && r.min < 0.01, "{r:?}");
    assert!(f.propensity.iter().all(|&e| (0.01..=0.99).contains(&e)));
    let w = r.warning.as_ref().unwrap();
    assert!(
        w.starts_with("Who got the ad can be predicted from the features (propensity AUC 0.9"),
        "{w}"
    );
    assert!(f.warnings.contains(w));
}
