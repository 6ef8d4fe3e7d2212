mod uplift_support;
use uplift_simulator::uplift::{MetaLearner, UpliftParams};
use uplift_support::*;

#[test]
fn explore() {
    for (name, k) in [
        ("logit", logit_world(20_000, 0.7, 1)),
        ("demo", demo(100_000, 1)),
    ] {
        for l in [
            MetaLearner::S,
            MetaLearner::T,
            MetaLearner::X,
            MetaLearner::Dr,
            MetaLearner::Auto,
        ] {
            let t0 = std::time::Instant::now();
            let f = fit(
                &k,
                &UpliftParams {
                    learner: l,
                    ..Default::default()
                },
            )
            .unwrap();
            let err: Vec<f64> = f
                .uplift
                .iter()
                .zip(&k.true_uplift)
                .map(|(a, b)| (a - b).abs())
                .collect();
            let cover = f
                .uplift
                .iter()
                .zip(&k.true_uplift)
                .zip(&f.uplift_se)
                .filter(|((a, b), s)| (*a - *b).abs() <= 1.96 * **s)
                .count() as f64
                / err.len() as f64;
            println!("{name} {:?} used {:?} pearson {:.3} spearman {:.3} cover {:.3} err~se {:.3} mean se {:.5} cal {:+.3} {:+.3} {:?} ms {}",
              l, f.learner_used, pearson(&f.uplift, &k.true_uplift), spearman(&f.uplift, &k.true_uplift), cover,
              spearman(&err, &f.uplift_se), f.uplift_se.iter().sum::<f64>() / err.len() as f64,
              f.calibration.control.relative_error, f.calibration.treated.relative_error,
              f.auto.as_ref().map(|a| a.candidates.iter().map(|c| (c.learner, c.behind_best / c.behind_best_se.max(1e-300))).collect::<Vec<_>>()),
              t0.elapsed().as_millis());
        }
    }
}
