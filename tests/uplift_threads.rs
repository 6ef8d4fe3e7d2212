//! Same data + seed ⇒ the same scores with one thread or two: natively the folds are fit two at a time
//! (`uplift::fit_folds_parallel`), in wasm and in a one-thread pool one after another.

use uplift_simulator::data::generate::{write_demo, DemoParams};
use uplift_simulator::data::prepare::{prepare, Prepared};
use uplift_simulator::data::roles::detect_roles;
use uplift_simulator::data::table::Table;
use uplift_simulator::pipeline::run::{score, RunParams, ScoreRun};
use uplift_simulator::uplift::MetaLearner;

#[test]
fn one_thread_and_two_give_the_same_scores() {
    let mut data = Vec::new();
    write_demo(
        &DemoParams {
            rows: 20_000,
            seed: 3,
        },
        &mut data,
        None::<&mut Vec<u8>>,
    )
    .unwrap();
    let table = Table::from_bytes(&data).unwrap();
    let prepared = prepare(&table, &detect_roles(&table)).unwrap();
    // auto: every model of every learner, folds scored after fitting (the S design is shared); X: each fold
    // scored by the thread that fit it, right after fitting, out-of-fold and standard-error rows in one pass.
    for learner in [MetaLearner::Auto, MetaLearner::X] {
        let mut params = RunParams::default();
        params.uplift.learner = learner;
        same_with_one_thread_and_two(&prepared, &params);
    }
}

fn same_with_one_thread_and_two(prepared: &Prepared, params: &RunParams) {
    let go = |threads: usize| -> (ScoreRun, Vec<(String, f64)>) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut seen = Vec::new();
            let run = score(
                prepared,
                params,
                &mut |s, f| seen.push((s.to_string(), f)),
                &|| false,
                None,
            )
            .unwrap();
            (run, seen)
        })
    };
    let (one, p1) = go(1);
    let (two, p2) = go(2);
    let (a, b) = (&one.fit, &two.fit);
    assert_eq!(a.learner_used, b.learner_used);
    assert_eq!(a.uplift, b.uplift);
    assert_eq!(a.uplift_se, b.uplift_se);
    assert_eq!(a.p_control, b.p_control);
    assert_eq!(a.p_treated, b.p_treated);
    assert_eq!(a.response_score, b.response_score);
    assert_eq!(a.propensity, b.propensity);
    assert_eq!(a.auto, b.auto);
    // Progress counts every model either way and ends at 1.
    assert_eq!(p1.len(), p2.len(), "{:?}", params.uplift.learner);
    assert_eq!(p1.last().map(|p| p.1), Some(1.0));
    assert_eq!(p2.last().map(|p| p.1), Some(1.0));
}
