//! Native integration tests of the data layer: generator rates and determinism, ingest of real and generated files.

use uplift_simulator::data::binning::BinParams;
use uplift_simulator::data::generate::{demo_csv, write_demo, DemoParams};
use uplift_simulator::data::prepare::prepare;
use uplift_simulator::data::roles::{detect_roles, Roles};
use uplift_simulator::data::table::Table;

fn hillstrom() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/hillstrom.csv"
    ))
    .expect("../shared/data/hillstrom.csv sits beside the checkout (locally and in CI)")
}

#[test]
fn generator_hits_its_stated_rates() {
    let params = DemoParams {
        rows: 200_000,
        seed: 42,
    };
    let mut data = Vec::new();
    let mut truth = Vec::new();
    write_demo(&params, &mut data, Some(&mut truth)).unwrap();
    let t = Table::from_bytes(&data).unwrap();
    let p = prepare(&t, &detect_roles(&t)).unwrap();
    let a = &p.report.arms;
    let n = p.n_rows() as f64;
    let treat_share = a.treated_rows as f64 / n;
    let conv = (a.treated_conversions + a.control_conversions) as f64 / n;
    // Stated: treatment share 0.85 (±0.005 is > 3 sd at 200k), conversion ≈ 0.3 % (0.25–0.35 %).
    assert!(
        (treat_share - 0.85).abs() < 0.005,
        "treatment share {treat_share}"
    );
    assert!((0.0025..0.0035).contains(&conv), "conversion rate {conv}");
    assert_eq!(
        p.feature_names.len(),
        14,
        "f0..f11 + engagement + app_user: {:?}",
        p.feature_names
    );
    // Missing values exist where promised (f5 ≈ 15 %, f11 ≈ 8 %).
    let miss = |name: &str| {
        p.report
            .columns
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .missing_share
    };
    assert!((miss("f5") - 0.15).abs() < 0.01 && (miss("f11") - 0.08).abs() < 0.01);
    // The truth file has every archetype, with Persuadables a large minority and Do-Not-Disturbs a small one.
    let truth = String::from_utf8(truth).unwrap();
    let count = |k: &str| truth.lines().filter(|l| l.ends_with(k)).count() as f64 / n;
    assert!(
        (0.10..0.30).contains(&count(",persuadable")),
        "persuadables {}",
        count(",persuadable")
    );
    assert!((0.01..0.08).contains(&count(",do_not_disturb")));
    assert!(count(",sure_thing") > 0.005 && count(",lost_cause") > 0.5);
}

#[test]
fn generator_matches_the_committed_fixture_byte_for_byte() {
    // tests/fixtures/demo_1000_seed7.csv was written by `uplift generate --rows 1000 --seed 7`; the wasm
    // test checks the same bytes, proving native and wasm agree.
    let fixture = include_str!("fixtures/demo_1000_seed7.csv");
    assert_eq!(
        demo_csv(&DemoParams {
            rows: 1000,
            seed: 7
        })
        .unwrap(),
        fixture
    );
}

#[test]
fn hillstrom_men_vs_no_email() {
    let t = Table::from_bytes(&hillstrom()).unwrap();
    assert_eq!(t.n_rows, 64_000);
    let proposed = detect_roles(&t);
    assert_eq!(proposed.treatment, "segment");
    assert_eq!(proposed.control_value.as_deref(), Some("No E-Mail"));
    let roles = Roles {
        treatment: "segment".into(),
        treatment_values: vec!["Mens E-Mail".into()],
        control_value: Some("No E-Mail".into()),
        outcome: "visit".into(),
        revenue: Some("spend".into()),
        ..Default::default()
    };
    let p = prepare(&t, &roles).unwrap();
    let a = &p.report.arms;
    // shared/data/README.md: 21,307 Mens rows (18.28 % visit), 21,306 No E-Mail rows (10.62 %).
    assert_eq!((a.treated_rows, a.control_rows), (21_307, 21_306));
    assert!((a.treated_conversions as f64 / 21_307.0 - 0.1828).abs() < 5e-4);
    assert!((a.control_conversions as f64 / 21_306.0 - 0.1062).abs() < 5e-4);
    assert_eq!(a.set_aside, vec![("Womens E-Mail".to_string(), 21_387)]);
    // conversion is measured after the e-mail: never a feature
    assert!(!p.feature_names.contains(&"conversion".to_string()));
    assert!(
        p.feature_names.contains(&"history_segment".to_string())
            && p.feature_names.contains(&"recency".to_string())
    );
    let d = p.design(&BinParams::default());
    assert_eq!(d.n_rows(), 42_613);
}
