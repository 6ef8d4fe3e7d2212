//! Every chart rendered to SVG from real core structs built on small generated data, at desktop (600×360) and
//! mobile (360×300) sizes, with checks on what the SVG says (captions, legends, bands, markers).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uplift_simulator::charts::budget::{draw_budget_curve, BudgetKpi};
use uplift_simulator::charts::calibration::{draw_calibration, CALIBRATION_CAPTION};
use uplift_simulator::charts::deciles::draw_deciles;
use uplift_simulator::charts::histogram::{
    draw_uplift_histogram, UpliftHistogram, HISTOGRAM_CAPTION,
};
use uplift_simulator::charts::qini::{draw_qini, QINI_CAPTION};
use uplift_simulator::charts::to_svg;
use uplift_simulator::decide::archetype::{assign, ArchetypeParams};
use uplift_simulator::decide::{Scored, SimParams, Simulator};
use uplift_simulator::metrics::calibration::calibration;
use uplift_simulator::metrics::{qini_band, uplift_metrics, MetricsParams, QiniBandParams};

const SIZES: [(u32, u32); 2] = [(600, 360), (360, 300)];

/// 3000 users: base rate 2–6 %, true uplift −0.5 … +1.5 points, known to the scorer with some noise; half treated.
fn scored() -> Scored {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let n = 3000;
    let (mut s, mut p0s, mut p1s, mut t, mut y) = (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let p0: f64 = rng.gen_range(0.02..0.06);
        let tau: f64 = rng.gen_range(-0.005..0.015);
        let treated = rng.gen_bool(0.5);
        let p = if treated { p0 + tau } else { p0 };
        y.push(if rng.gen_bool(p) { 1.0 } else { 0.0 });
        t.push(treated);
        s.push(tau + rng.gen_range(-0.002..0.002));
        p0s.push(p0);
        p1s.push(p0 + tau);
    }
    Scored {
        p_control: Some(p0s),
        p_treated: Some(p1s),
        ..Scored::new(s, t, y)
    }
}

fn count(svg: &str, needle: &str) -> usize {
    svg.matches(needle).count()
}

#[test]
fn qini_chart_has_caption_references_band_and_legend() {
    let d = scored();
    let p = MetricsParams {
        replicates: 50,
        ..Default::default()
    };
    let m = uplift_metrics(&d.uplift, &d.treatment, &d.outcome, &p).unwrap();
    let r = uplift_metrics(d.p_treated.as_ref().unwrap(), &d.treatment, &d.outcome, &p).unwrap();
    let band = qini_band(
        &d.uplift,
        &d.treatment,
        &d.outcome,
        &QiniBandParams::default(),
    )
    .unwrap();
    assert_eq!(
        band.x, m.qini_curve.x,
        "the band sits on the chart's x points"
    );
    for (w, h) in SIZES {
        let svg = to_svg(w, h, |root| draw_qini(root, &m, Some(&r), Some(&band))).unwrap();
        assert!(svg.contains(QINI_CAPTION), "{svg}");
        assert!(svg.contains("users targeted, best scores first"));
        assert!(svg.contains("incremental conversions"));
        let q = m.qini.unwrap();
        assert!(
            svg.contains(&format!(
                "Uplift model, Qini {:.3} (95% {:.3} to {:.3})",
                q.estimate, q.low, q.high
            )),
            "legend states the coefficient and its interval"
        );
        for label in [
            "Conversion-rate score, Qini",
            "Random targeting",
            "Perfect ranking",
            "95% band (bootstrap)",
        ] {
            assert!(svg.contains(label), "legend entry {label}");
        }
        // The band: one shaded polygon in the model's colour.
        assert_eq!(count(&svg, "<polygon"), 1, "{svg}");
        assert!(svg
            .lines()
            .any(|l| l.starts_with("<polygon") && l.contains("#0D6EFD")));
    }
    // Without response and band: no polygon, no response entry.
    let svg = to_svg(600, 360, |root| draw_qini(root, &m, None, None)).unwrap();
    assert_eq!(count(&svg, "<polygon"), 0);
    assert!(!svg.contains("Conversion-rate score"));
    // A perfect curve far above the model's is cut at the top, and its legend gives the peak.
    let mut tall = m.clone();
    tall.qini_curve
        .perfect
        .y
        .iter_mut()
        .for_each(|y| *y *= 50.0);
    let peak = tall
        .qini_curve
        .perfect
        .y
        .iter()
        .copied()
        .fold(0.0, f64::max);
    let svg = to_svg(600, 360, |root| draw_qini(root, &tall, None, None)).unwrap();
    assert!(svg.contains("Perfect ranking (peaks at ") && svg.contains("above the chart"));
    assert!(peak > 1000.0);
    // No curve: a message, not a panic.
    let mut empty = m.clone();
    empty.qini_curve = Default::default();
    let svg = to_svg(360, 300, |root| draw_qini(root, &empty, None, None)).unwrap();
    assert!(svg.contains(QINI_CAPTION) && svg.contains("No data"));
}

#[test]
fn deciles_chart_has_ten_bins_with_error_bars() {
    let d = scored();
    let m = uplift_metrics(
        &d.uplift,
        &d.treatment,
        &d.outcome,
        &MetricsParams {
            replicates: 10,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(m.bins.len(), 10);
    for (w, h) in SIZES {
        let svg = to_svg(w, h, |root| draw_deciles(root, &m.bins)).unwrap();
        assert!(svg.contains("Uplift by decile: predicted vs observed"));
        assert!(svg.contains("bin of predicted uplift (1 = highest)"));
        assert!(svg.contains("uplift (percentage points)"));
        assert!(svg.contains("Predicted (mean τ̂)") && svg.contains("Observed treated − control"));
        // One bar per bin (filled rects in the primary colour), plus the legend swatch.
        let bars = svg
            .lines()
            .filter(|l| l.starts_with("<rect") && l.contains("#0D6EFD"))
            .count();
        assert_eq!(bars, 11, "10 bars + legend");
        // One error-bar centre point per bin, plus the legend's.
        assert_eq!(count(&svg, "<circle"), 11);
    }
    // A bin with an empty arm shows the bar only; one bin gets its own caption.
    let mut one = vec![m.bins[0].clone()];
    one[0].observed = None;
    one[0].low = None;
    one[0].high = None;
    let svg = to_svg(360, 300, |root| draw_deciles(root, &one)).unwrap();
    assert!(svg.contains("Uplift by bin (1)"));
    assert_eq!(count(&svg, "<circle"), 1, "legend only");
    let svg = to_svg(360, 300, |root| draw_deciles(root, &[])).unwrap();
    assert!(svg.contains("No data"));
}

#[test]
fn histogram_is_stacked_by_archetype_with_threshold_lines() {
    let d = scored();
    let a = assign(&d, &ArchetypeParams::default()).unwrap();
    let h = UpliftHistogram::new(&d.uplift, &a.labels, &a.thresholds, 40).unwrap();
    let total: usize = h.counts.iter().flatten().sum();
    assert_eq!(total, d.len(), "every user counted once");
    for k in 0..4 {
        let by_label = a.labels.iter().filter(|l| l.index() == k).count();
        assert_eq!(h.counts.iter().map(|c| c[k]).sum::<usize>(), by_label);
    }
    for (w, hgt) in SIZES {
        let svg = to_svg(w, hgt, |root| draw_uplift_histogram(root, &h)).unwrap();
        assert!(svg.contains(HISTOGRAM_CAPTION));
        assert!(svg.contains("predicted uplift τ̂ (percentage points)"));
        // Defaults: persuadable at break-even 0.10/40 = 0.25 points, do-not-disturb at −0.1 points.
        assert!(svg.contains("Persuadable ≥ 0.25"), "{svg}");
        assert!(svg.contains("Do-Not-Disturb ≤ -0.10"));
        for label in ["Persuadable", "Sure Thing", "Lost Cause", "Do-Not-Disturb"] {
            assert!(svg.lines().any(|l| l == label), "legend entry {label}");
        }
        // Bars in the Persuadable and Do-Not-Disturb colours exist.
        assert!(svg.contains("#198754") && svg.contains("#DC3545"));
    }
    let empty = UpliftHistogram::new(&[], &[], &a.thresholds, 40).unwrap();
    let svg = to_svg(360, 300, |root| draw_uplift_histogram(root, &empty)).unwrap();
    assert!(svg.contains("No data"));
    // The struct crosses from the worker as JSON.
    let json = serde_json::to_string(&h).unwrap();
    assert!(json.contains("\"persuadableMin\"") && json.contains("\"doNotDisturbMax\""));
    assert_eq!(serde_json::from_str::<UpliftHistogram>(&json).unwrap(), h);
}

#[test]
fn budget_curve_has_a_line_per_policy_and_markers() {
    let d = scored();
    let sim = Simulator::build(&d, &SimParams::default()).unwrap();
    let curve = sim.curve();
    assert_eq!(curve.series.len(), 3, "uplift, conversion rate, random");
    for kpi in [
        BudgetKpi::IncrementalConversions,
        BudgetKpi::IncrementalRoas,
        BudgetKpi::Profit,
        BudgetKpi::Spend,
    ] {
        for (w, h) in SIZES {
            let svg = to_svg(w, h, |root| draw_budget_curve(root, &curve, kpi, Some(0.3))).unwrap();
            assert!(svg.contains(kpi.caption()) && svg.contains(kpi.axis()));
            assert!(svg.contains("share of users targeted (%)"));
            for label in ["Uplift targeting", "Conversion-rate targeting", "Random"] {
                assert!(
                    svg.lines().any(|l| l == label),
                    "{kpi:?}: legend entry {label}"
                );
            }
            assert!(svg.contains("current 30%"));
            if let Some(b) = curve.break_even_share {
                assert!(svg.contains(&format!("break-even {:.0}%", b * 100.0)));
            }
        }
    }
    let json = serde_json::to_string(&BudgetKpi::IncrementalRoas).unwrap();
    assert_eq!(json, "\"incrementalRoas\"");
    // Nothing defined (e.g. no value per conversion): a message.
    let mut none = curve.clone();
    for s in &mut none.series {
        for p in &mut s.points {
            p.incremental_roas = None;
        }
    }
    let svg = to_svg(360, 300, |root| {
        draw_budget_curve(root, &none, BudgetKpi::IncrementalRoas, None)
    })
    .unwrap();
    assert!(svg.contains("No data"));
    // It redraws on every slider move: time 100-point curves.
    let start = std::time::Instant::now();
    let reps = 20;
    for i in 0..reps {
        let s = Some(i as f64 / reps as f64);
        to_svg(600, 360, |root| {
            draw_budget_curve(root, &curve, BudgetKpi::Profit, s)
        })
        .unwrap();
    }
    let per = start.elapsed().as_secs_f64() * 1000.0 / reps as f64;
    println!("budget curve to SVG: {per:.2} ms per draw");
    assert!(per < 100.0, "{per} ms");
}

#[test]
fn calibration_chart_has_both_arms_and_the_diagonal() {
    let d = scored();
    let c = calibration(
        d.p_control.as_ref().unwrap(),
        d.p_treated.as_ref().unwrap(),
        &d.treatment,
        &d.outcome,
        10,
        0.95,
    )
    .unwrap();
    for (w, h) in SIZES {
        let svg = to_svg(w, h, |root| draw_calibration(root, &c)).unwrap();
        assert!(svg.contains(CALIBRATION_CAPTION));
        assert!(
            svg.contains("predicted conversion rate (%)")
                && svg.contains("observed conversion rate (%)")
        );
        assert!(svg.contains(&format!("p̂0 on control rows ({} rows)", c.control.rows)));
        assert!(svg.contains(&format!("p̂1 on treated rows ({} rows)", c.treated.rows)));
        assert!(svg.contains("Perfect calibration"));
        // 10 points per arm, each an error bar with a centre circle.
        assert_eq!(count(&svg, "<circle"), 20);
    }
    let mut empty = c.clone();
    empty.control.points.clear();
    empty.treated.points.clear();
    let svg = to_svg(360, 300, |root| draw_calibration(root, &empty)).unwrap();
    assert!(svg.contains("No data"));
}
/// Not a check: writes every chart at both sizes to `CARGO_TARGET_TMPDIR/charts/` for a look in a browser
/// (`cargo test --test charts_svg write_all -- --ignored`).
#[test]
#[ignore]
fn write_all_charts_for_review() {
    let d = scored();
    let p = MetricsParams::default();
    let m = uplift_metrics(&d.uplift, &d.treatment, &d.outcome, &p).unwrap();
    let r = uplift_metrics(d.p_treated.as_ref().unwrap(), &d.treatment, &d.outcome, &p).unwrap();
    let band = qini_band(
        &d.uplift,
        &d.treatment,
        &d.outcome,
        &QiniBandParams::default(),
    )
    .unwrap();
    let a = assign(&d, &ArchetypeParams::default()).unwrap();
    let h = UpliftHistogram::new(&d.uplift, &a.labels, &a.thresholds, 40).unwrap();
    let curve = Simulator::build(&d, &SimParams::default()).unwrap().curve();
    let c = calibration(
        d.p_control.as_ref().unwrap(),
        d.p_treated.as_ref().unwrap(),
        &d.treatment,
        &d.outcome,
        10,
        0.95,
    )
    .unwrap();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("charts");
    std::fs::create_dir_all(&dir).unwrap();
    for (w, hgt) in SIZES {
        let put = |name: &str, svg: String| {
            std::fs::write(dir.join(format!("{name}_{w}x{hgt}.svg")), svg).unwrap()
        };
        put(
            "qini",
            to_svg(w, hgt, |root| draw_qini(root, &m, Some(&r), Some(&band))).unwrap(),
        );
        put(
            "deciles",
            to_svg(w, hgt, |root| draw_deciles(root, &m.bins)).unwrap(),
        );
        put(
            "histogram",
            to_svg(w, hgt, |root| draw_uplift_histogram(root, &h)).unwrap(),
        );
        put(
            "budget",
            to_svg(w, hgt, |root| {
                draw_budget_curve(root, &curve, BudgetKpi::Profit, Some(0.3))
            })
            .unwrap(),
        );
        put(
            "calibration",
            to_svg(w, hgt, |root| draw_calibration(root, &c)).unwrap(),
        );
    }
    println!("{}", dir.display());
}
