//! The native command's contract (issue 3/4): `uplift fit` writes SCORES.csv with the promised columns, one line
//! per kept row in input order, and REPORT.json; `uplift simulate` reads those scores back; errors are plain
//! words on stderr with exit code 1.

use std::path::PathBuf;
use std::process::Command;

fn uplift() -> Command {
    Command::new(env!("CARGO_BIN_EXE_uplift"))
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("uplift-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// 20,000 generated rows (60 conversions in the control arm at 0.3 %); small trees keep the test quick.
fn generate(rows: usize) -> (PathBuf, PathBuf) {
    let data = tmp(&format!("data{rows}.csv"));
    let truth = tmp(&format!("truth{rows}.csv"));
    let out = uplift()
        .args([
            "generate",
            "--rows",
            &rows.to_string(),
            "--seed",
            "3",
            "--out",
        ])
        .arg(&data)
        .arg("--truth")
        .arg(&truth)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (data, truth)
}

#[test]
fn fit_writes_scores_and_report_then_simulate_and_evaluate_read_them() {
    let (data, truth) = generate(20_000);
    let scores = tmp("scores.csv");
    let report = tmp("report.json");
    let out = uplift()
        .arg("fit")
        .arg(&data)
        .args([
            "--treatment",
            "treatment",
            "--outcome",
            "conversion",
            "--id",
            "user_id",
        ])
        .args([
            "--learner",
            "t",
            "--trees",
            "20",
            "--folds",
            "3",
            "--quiet",
            "--out",
        ])
        .arg(&scores)
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let text = std::fs::read_to_string(&scores).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "row,uplift,uplift_se,p_control,p_treated,response_score,id,archetype,review"
    );
    let body: Vec<&str> = lines.collect();
    assert_eq!(
        body.len(),
        20_000,
        "one line per data row (the generator writes no droppable rows)"
    );
    // Input order: line i is data row i, and its id is the generator's u0000001-style id.
    assert!(body[0].starts_with("0,"));
    assert!(body[19_999].starts_with("19999,"));
    assert!(body[0].contains(",u0000001,"));
    let archetypes = ["persuadable", "sure_thing", "lost_cause", "do_not_disturb"];
    for l in &body[..100] {
        let f: Vec<&str> = l.split(',').collect();
        assert_eq!(f.len(), 9);
        let (tau, p0, p1): (f64, f64, f64) = (
            f[1].parse().unwrap(),
            f[3].parse().unwrap(),
            f[4].parse().unwrap(),
        );
        // T-learner: τ̂ = p̂1 − p̂0 exactly (same models), probabilities in [0, 1].
        assert!((tau - (p1 - p0)).abs() < 1e-12);
        assert!((0.0..=1.0).contains(&p0) && (0.0..=1.0).contains(&p1));
        assert!(archetypes.contains(&f[7]), "archetype {}", f[7]);
    }

    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    for key in [
        "settings",
        "validation",
        "learner",
        "propensity",
        "calibration",
        "metrics",
        "archetypes",
        "review",
        "timings",
    ] {
        assert!(r.get(key).is_some(), "REPORT.json lacks {key}");
    }
    assert_eq!(r["learner"]["used"], "t");
    assert!(r["metrics"]["uplift"]["qini"]["low"].is_number());
    // A clean randomized test: the propensity model cannot tell the arms apart (AUC near 0.5).
    let auc = r["propensity"]["auc"].as_f64().unwrap();
    assert!((0.4..0.6).contains(&auc), "propensity AUC {auc}");

    let out = uplift()
        .arg("simulate")
        .arg(&data)
        .arg("--scores")
        .arg(&scores)
        .args(["--treatment", "treatment", "--outcome", "conversion"])
        .args([
            "--cost",
            "0.1",
            "--value",
            "40",
            "--share",
            "0.25",
            "--audit",
            "engagement",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sim: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // 25 % of 20,000 users at $0.10 each.
    assert_eq!(sim["simulation"]["targeted"], 5000);
    assert!((sim["simulation"]["spend"].as_f64().unwrap() - 500.0).abs() < 1e-9);
    assert!(sim["simulation"]["headline"].as_str().unwrap().len() > 20);
    assert_eq!(sim["audits"][0]["attribute"], "engagement");

    let out = uplift()
        .arg("evaluate")
        .arg(&scores)
        .arg("--truth")
        .arg(&truth)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ev: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let capture = ev["capture"]["uplift"].as_f64().unwrap();
    assert!(capture > 0.0 && capture <= 1.0 + 1e-12, "capture {capture}");
}

#[test]
fn errors_are_plain_words_with_exit_code_1() {
    let (data, _) = generate(2_000);
    let out = uplift()
        .arg("fit")
        .arg(&data)
        .args(["--treatment", "nope", "--outcome", "conversion", "--out"])
        .arg(tmp("never.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("uplift: There is no column named “nope”."),
        "{err}"
    );

    let out = uplift()
        .args(["fit", "missing-file.csv", "--out", "x.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Could not read or write “missing-file.csv”")
    );
}
