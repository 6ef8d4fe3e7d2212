//! The ranking metrics reproduce scikit-uplift 0.5.1 to 1e-9 on every vector of
//! tests/fixtures/sklift_metric_vectors.json (a copy of shared/golden/), including ties and edge cases.

use serde_json::Value;
use uplift_simulator::metrics::{
    qini_auc_score, qini_curve, uplift_at_k, uplift_auc_score, uplift_curve, AtKStrategy,
    CurvePoints, Ranking, TopK,
};

const TOL: f64 = 1e-9;

fn golden() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sklift_metric_vectors.json"
    );
    let text = std::fs::read_to_string(path).expect("golden fixture");
    serde_json::from_str(&text).expect("golden JSON")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

fn close(name: &str, case: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= TOL,
        "{case}: {name} = {got}, scikit-uplift says {want}"
    );
}

fn same_curve(name: &str, case: &str, got: &CurvePoints, want: &Value) {
    let (x, y) = (floats(&want["x"]), floats(&want["y"]));
    assert_eq!(
        got.x.len(),
        x.len(),
        "{case}: {name} has {} points, scikit-uplift {}",
        got.x.len(),
        x.len()
    );
    for i in 0..x.len() {
        close(&format!("{name}.x[{i}]"), case, got.x[i], x[i]);
        close(&format!("{name}.y[{i}]"), case, got.y[i], y[i]);
    }
}

struct Case {
    name: String,
    y: Vec<u8>,
    t: Vec<bool>,
    s: Vec<f64>,
    expected: serde_json::Map<String, Value>,
}

fn cases() -> Vec<Case> {
    let g = golden();
    assert_eq!(g["library"]["scikit-uplift"], "0.5.1");
    let cases: Vec<Case> = g["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| {
            let name = c["name"].as_str().expect("name").to_string();
            let y: Vec<u8> = floats(&c["y"]).iter().map(|&v| v as u8).collect();
            let t: Vec<bool> = floats(&c["treatment"]).iter().map(|&v| v == 1.0).collect();
            let s = floats(&c["score"]);
            // The recorded summary agrees with the arrays we read.
            let n = c["n"].as_u64().unwrap() as usize;
            assert_eq!((y.len(), t.len(), s.len()), (n, n, n), "{name}");
            let nt = t.iter().filter(|&&b| b).count();
            assert_eq!(nt as u64, c["n_treated"].as_u64().unwrap(), "{name}");
            assert_eq!((n - nt) as u64, c["n_control"].as_u64().unwrap(), "{name}");
            let yt: u64 = (0..n).filter(|&i| t[i]).map(|i| u64::from(y[i])).sum();
            let yc: u64 = (0..n).filter(|&i| !t[i]).map(|i| u64::from(y[i])).sum();
            assert_eq!(yt, c["y_treated_sum"].as_u64().unwrap(), "{name}");
            assert_eq!(yc, c["y_control_sum"].as_u64().unwrap(), "{name}");
            let expected = c["expected"].as_object().expect("expected").clone();
            Case {
                name,
                y,
                t,
                s,
                expected,
            }
        })
        .collect();
    assert_eq!(cases.len(), 7);
    cases
}

/// Every expected value of every case is checked; an expected key this test does not know fails it.
#[test]
fn every_golden_value_matches() {
    let mut checked = 0;
    for c in cases() {
        let qc = qini_curve(&c.s, &c.t, &c.y).unwrap();
        let uc = uplift_curve(&c.s, &c.t, &c.y).unwrap();
        for (key, want) in &c.expected {
            let case = c.name.as_str();
            match key.as_str() {
                "qini_auc_score" => close(
                    key,
                    case,
                    qini_auc_score(&c.s, &c.t, &c.y, true).unwrap(),
                    want.as_f64().unwrap(),
                ),
                "qini_auc_score_no_negative_effect" => close(
                    key,
                    case,
                    qini_auc_score(&c.s, &c.t, &c.y, false).unwrap(),
                    want.as_f64().unwrap(),
                ),
                "uplift_auc_score" => close(
                    key,
                    case,
                    uplift_auc_score(&c.s, &c.t, &c.y).unwrap(),
                    want.as_f64().unwrap(),
                ),
                "uplift_at_k_0.3_overall" => close(
                    key,
                    case,
                    uplift_at_k(&c.s, &c.t, &c.y, TopK::Share(0.3), AtKStrategy::Overall).unwrap(),
                    want.as_f64().unwrap(),
                ),
                "uplift_at_k_0.3_by_group" => close(
                    key,
                    case,
                    uplift_at_k(&c.s, &c.t, &c.y, TopK::Share(0.3), AtKStrategy::ByGroup).unwrap(),
                    want.as_f64().unwrap(),
                ),
                "qini_curve" => same_curve(key, case, &qc.points(), want),
                "perfect_qini_curve" => same_curve(key, case, &qc.perfect, want),
                "uplift_curve" => same_curve(key, case, &uc.points(), want),
                "perfect_uplift_curve" => same_curve(key, case, &uc.perfect, want),
                other => panic!("{case}: golden key {other} is not tested"),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 7 * 9);
}

/// The curves' random reference is scikit-uplift's baseline: (0, 0) to the perfect curve's last point, which
/// is also the model curve's last point (all rows targeted).
#[test]
fn random_line_ends_where_every_curve_ends() {
    for c in cases() {
        let q = qini_curve(&c.s, &c.t, &c.y).unwrap();
        assert_eq!(q.random.x, vec![0.0, *q.perfect.x.last().unwrap()]);
        assert_eq!(q.random.y, vec![0.0, *q.perfect.y.last().unwrap()]);
        close(
            "qini end",
            &c.name,
            *q.y.last().unwrap(),
            *q.random.y.last().unwrap(),
        );
        let u = uplift_curve(&c.s, &c.t, &c.y).unwrap();
        close(
            "uplift end",
            &c.name,
            *u.y.last().unwrap(),
            *u.random.y.last().unwrap(),
        );
    }
}

/// The order convention the file states: np.argsort(score, kind="mergesort")[::-1], so among equal scores the
/// larger index comes first. Checked on the tied cases against a direct emulation of that expression.
#[test]
fn order_convention() {
    let g = golden();
    assert!(g["conventions"]["order"]
        .as_str()
        .unwrap()
        .contains("LARGER index comes first"));
    for c in cases() {
        let mut asc: Vec<usize> = (0..c.s.len()).collect();
        asc.sort_by(|&a, &b| c.s[a].partial_cmp(&c.s[b]).unwrap()); // stable, like mergesort
        asc.reverse();
        let r = Ranking::new(&c.s);
        let got: Vec<usize> = r.rows.iter().map(|&i| i as usize).collect();
        assert_eq!(got, asc, "{}", c.name);
        // One tie block per distinct score.
        let mut distinct = c.s.clone();
        distinct.sort_by(|a, b| a.partial_cmp(b).unwrap());
        distinct.dedup();
        assert_eq!(r.block_ends.len(), distinct.len(), "{}", c.name);
    }
}

/// uplift@k's cut ignores ties (n40_ties4 has ties at the 30% cut): moving one tied row across the cut changes
/// the value, and the golden value pins which rows are in.
#[test]
fn at_k_cut_inside_a_tie_block() {
    let c = cases().into_iter().find(|c| c.name == "n40_ties4").unwrap();
    let r = Ranking::new(&c.s);
    let cut = (c.s.len() as f64 * 0.3) as usize; // 12
    let last_in = r.rows[cut - 1] as usize;
    let first_out = r.rows[cut] as usize;
    assert_eq!(
        c.s[last_in], c.s[first_out],
        "the cut falls inside a tie block"
    );
}
