//! A whole training run on tiny, degenerate data with fuzzed settings: a CSV of 2–80 rows is written from
//! structured input (treatment, outcome, revenue, 1–4 numeric features that may be missing, ±inf or huge,
//! one text attribute), then the real path runs: `Table::from_bytes` → `prepare` → `train` (any meta-learner,
//! 2–5 folds, 1–4 trees, depth 1–6, clipping, IPW, imbalance weighting, either base learner) → a simulator view
//! at a fuzzed budget → the review queue → the scores and review CSVs.
//! Errors are expected (too few rows per fold, one arm, …); a panic, a non-finite score, scores of the wrong
//! length or a spend above the budget are findings.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

use uplift_simulator::data::prepare::prepare;
use uplift_simulator::data::roles::Roles;
use uplift_simulator::data::table::Table;
use uplift_simulator::decide::review::ReviewQuery;
use uplift_simulator::decide::simulator::Budget;
use uplift_simulator::pipeline::base::BaseKind;
use uplift_simulator::pipeline::trained::{train, TrainParams};
use uplift_simulator::uplift::MetaLearner;

#[derive(Debug, Arbitrary)]
struct Row {
    treated: bool,
    converted: bool,
    revenue: u8,
    features: [Option<i16>; 4],
    special: u8,
    group: bool,
}

#[derive(Debug, Arbitrary)]
struct Case {
    rows: Vec<Row>,
    n_features: u8,
    learner: u8,
    folds: u8,
    trees: u8,
    depth: u8,
    clip: u8,
    ipw: bool,
    imbalance: bool,
    logistic: bool,
    budget_share: u8,
    seed: u64,
}

fn cell(v: Option<i16>, special: u8) -> String {
    match (v, special % 16) {
        (None, _) => String::new(),
        (Some(_), 1) => "inf".into(),
        (Some(_), 2) => "-1e999".into(),
        (Some(_), 3) => "NaN".into(),
        (Some(x), 4) => format!("{}e300", x),
        (Some(x), 5) => format!("{}", f64::from(x) * 1e-300),
        (Some(x), _) => format!("{}", f64::from(x) / 8.0),
    }
}

fuzz_target!(|case: Case| {
    if case.rows.len() < 2 || case.rows.len() > 80 {
        return;
    }
    let k = usize::from(case.n_features % 4) + 1;
    let mut csv = String::from("treatment,conversion,revenue,group");
    for j in 0..k {
        csv.push_str(&format!(",f{j}"));
    }
    csv.push('\n');
    for r in &case.rows {
        csv.push_str(&format!(
            "{},{},{},{}",
            u8::from(r.treated),
            u8::from(r.converted),
            if r.converted { r.revenue } else { 0 },
            if r.group { "a" } else { "b" }
        ));
        for j in 0..k {
            csv.push(',');
            csv.push_str(&cell(r.features[j], r.special >> j));
        }
        csv.push('\n');
    }
    let Ok(table) = Table::from_bytes(csv.as_bytes()) else {
        return;
    };
    let roles = Roles {
        treatment: "treatment".into(),
        outcome: "conversion".into(),
        revenue: Some("revenue".into()),
        audit: vec!["group".into()],
        ..Roles::default()
    };
    let Ok(prepared) = prepare(&table, &roles) else {
        return;
    };
    let mut params = TrainParams::default();
    params.run.uplift.learner = match case.learner % 6 {
        0 => MetaLearner::Auto,
        1 => MetaLearner::S,
        2 => MetaLearner::T,
        3 => MetaLearner::X,
        4 => MetaLearner::Dr,
        _ => MetaLearner::Blend,
    };
    params.run.uplift.folds = usize::from(case.folds % 4) + 2;
    params.run.uplift.propensity_clip = [0.0, 0.01, 0.1, 0.49][usize::from(case.clip % 4)];
    params.run.uplift.ipw = case.ipw;
    params.run.uplift.imbalance_weighting = case.imbalance;
    params.run.uplift.seed = case.seed;
    params.run.base.gbdt.trees = usize::from(case.trees % 4) + 1;
    params.run.base.gbdt.max_depth = usize::from(case.depth % 6) + 1;
    if case.logistic {
        params.run.base.kind = BaseKind::Logistic;
    }
    let trained = match train(
        &table,
        &prepared,
        &roles.audit,
        &params,
        &mut |_, _| {},
        &|| false,
        None,
    ) {
        Ok(t) => t,
        Err(e) => {
            assert!(!e.to_string().trim().is_empty());
            return;
        }
    };
    let n = prepared.n_rows();
    let run = trained.run.as_ref().expect("a fitted run");
    assert_eq!(run.fit.uplift.len(), n);
    assert!(run.fit.uplift.iter().all(|u| u.is_finite()), "non-finite uplift");
    assert!(run.fit.uplift_se.iter().all(|s| s.is_finite() && *s >= 0.0), "bad standard error");
    for p in run.fit.p_control.iter().chain(&run.fit.p_treated) {
        assert!((0.0..=1.0).contains(p), "probability {p} outside [0, 1]");
    }
    let share = f64::from(case.budget_share) / 255.0;
    if let Ok(view) = trained.view(Budget::Share(share)) {
        let _ = view;
    }
    let _ = trained.review_page(&ReviewQuery::default());
    let _ = trained.scores_csv(&prepared);
    let _ = trained.review_csv(&prepared, true);
});
