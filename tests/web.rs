//! wasm tests of the facade (`src/wasm`): run in node, and in headless Chromium with `WASM_BINDGEN_USE_BROWSER=1`
//! (scripts/test.sh runs both). Canvas tests need a document and return early in node.
#![cfg(target_arch = "wasm32")]

use serde_json::Value;
use uplift_simulator::wasm::{
    demo_csv_js, draw_arm_rates_js, draw_budget_curve_js, draw_budget_layer_js,
    draw_budget_marker_js, version, Session,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

/// A JS value (plain objects from the facade) as JSON.
fn json(v: JsValue) -> Value {
    let s: String = js_sys::JSON::stringify(&v).unwrap().into();
    serde_json::from_str(&s).unwrap()
}

fn roles(s: &str) -> JsValue {
    js_sys::JSON::parse(s).unwrap()
}

/// The message of a JsError, as the page shows it.
fn message(e: wasm_bindgen::JsError) -> String {
    let v: JsValue = e.into();
    String::from(v.unchecked_into::<js_sys::Error>().message())
}

/// Same seed ⇒ same bytes in wasm as natively: tests/fixtures/demo_1000_seed7.csv was written by the native
/// `uplift generate --rows 1000 --seed 7` (and tests/data_pipeline.rs checks the native side against it).
#[wasm_bindgen_test]
fn wasm_generates_the_same_bytes_as_native() {
    let fixture = include_str!("fixtures/demo_1000_seed7.csv");
    let csv = demo_csv_js(1000, 7).unwrap();
    assert_eq!(csv.len(), fixture.len());
    assert!(
        csv == fixture,
        "wasm demo CSV differs from the native fixture"
    );
}

#[wasm_bindgen_test]
fn demo_session_summarizes_and_reports() {
    let mut s = Session::new();
    let summary = json(s.load_demo(2000, 42).unwrap());
    // 2000 rows; 18 columns: user_id, f0..f11, engagement, app_user, treatment, conversion, revenue.
    assert_eq!(summary["rows"], 2000);
    assert_eq!(summary["columns"].as_array().unwrap().len(), 18);
    assert_eq!(summary["roles"]["treatment"], "treatment");
    assert_eq!(summary["roles"]["outcome"], "conversion");
    assert_eq!(summary["roles"]["revenue"], "revenue");
    // The proposed roles go straight back in; the report counts every row in one of the two arms.
    let report = json(s.set_roles(s.roles().unwrap()).unwrap());
    let arms = &report["arms"];
    let treated = arms["treatedRows"].as_u64().unwrap();
    let control = arms["controlRows"].as_u64().unwrap();
    assert_eq!(treated + control, 2000);
    // treatment share 0.85: 1700 expected, sd = sqrt(2000·0.85·0.15) ≈ 16, so ±80 is 5 sd.
    assert!((1620..=1780).contains(&treated), "treated {treated}");
    let rates = json(s.arm_rates().unwrap());
    assert_eq!(rates[0]["label"], "1");
    assert_eq!(rates[0]["rows"], treated);
}

#[wasm_bindgen_test]
fn text_arms_are_chosen_by_the_user() {
    let rows = "Mens E-Mail,1,0,0,3\nNo E-Mail,0,0,0,5\nWomens E-Mail,1,1,20,7\n".repeat(12);
    let body = format!("segment,visit,conversion,spend,recency\n{rows}");
    let mut s = Session::new();
    let summary = json(s.load_csv(body.as_bytes()).unwrap());
    assert_eq!(summary["rows"], 36);
    assert_eq!(summary["roles"]["controlValue"], "No E-Mail");
    // Three arms and no treatment value chosen: the message asks the user to choose.
    let e = message(s.set_roles(s.roles().unwrap()).unwrap_err());
    assert!(e.contains("has 3 different values"), "{e}");
    let report = json(
        s.set_roles(roles(
            r#"{"treatment":"segment","treatmentValues":["Womens E-Mail"],"controlValue":"No E-Mail","outcome":"conversion"}"#,
        ))
        .unwrap(),
    );
    // 12 rows per arm; the 12 "Mens E-Mail" rows are set aside; every Womens row converted.
    assert_eq!(report["arms"]["treatedRows"], 12);
    assert_eq!(report["arms"]["controlRows"], 12);
    assert_eq!(report["arms"]["treatedConversions"], 12);
    assert_eq!(report["rowsKept"], 24);
}

#[wasm_bindgen_test]
fn errors_reach_the_page_as_plain_messages() {
    let mut s = Session::new();
    assert_eq!(
        message(s.summary().unwrap_err()),
        "No data is loaded yet. Choose a CSV file or click “Try the demo data” first."
    );
    assert_eq!(
        message(s.load_csv(b"").unwrap_err()),
        "The file is empty. Choose a CSV file with a header row and at least one data row."
    );
    s.load_csv(b"treatment,conversion\n1,0\n0,1\n").unwrap();
    assert_eq!(
        message(s.report().unwrap_err()),
        "Choose the treatment and outcome columns first."
    );
    let e = message(
        s.set_roles(roles(r#"{"treatment":"treatment","bogus":1}"#))
            .unwrap_err(),
    );
    assert!(
        e.starts_with("The page sent a request the engine does not understand (unknown field `bogus`, expected one of"),
        "{e}"
    );
    assert_eq!(
        message(demo_csv_js(0, 1).unwrap_err()),
        "Setting “rows” is 0, but it must be between 1 and 50,000,000."
    );
    assert_eq!(version(), env!("CARGO_PKG_VERSION"));
}

/// In a browser: the arm chart puts bars on the canvas (pixels of the treatment colour #0D6EFD mixed at 0.75
/// over white ≈ rgb(74, 146, 254)).
#[wasm_bindgen_test]
fn arm_chart_draws_on_a_canvas() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return; // node: no canvas
    };
    let canvas: web_sys::HtmlCanvasElement =
        document.create_element("canvas").unwrap().unchecked_into();
    canvas.set_width(480);
    canvas.set_height(300);
    let mut s = Session::new();
    s.load_demo(3000, 1).unwrap();
    s.set_roles(s.roles().unwrap()).unwrap();
    draw_arm_rates_js(canvas.clone(), s.arm_rates().unwrap()).unwrap();
    let ctx: web_sys::CanvasRenderingContext2d =
        canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    let data = ctx.get_image_data(0.0, 0.0, 480.0, 300.0).unwrap().data();
    let bar = data
        .chunks(4)
        .filter(|p| (p[0] as i32 - 74).abs() < 8 && (p[1] as i32 - 146).abs() < 8 && p[2] > 240)
        .count();
    assert!(bar > 1000, "only {bar} treatment-bar pixels");
    let e = message(draw_arm_rates_js(canvas, JsValue::from_str("nope")).unwrap_err());
    assert!(e.starts_with("The page sent a request"), "{e}");
}

/// Bring your own scores in wasm: the fixture (demo data + the uplift, p_control, p_treated columns written by
/// `uplift fit`, see tests/e2e/byo.test.mjs) skips training; the score columns are not features; an empty
/// uplift cell is refused with its line.
#[wasm_bindgen_test]
fn own_scores_skip_training() {
    let body = include_str!("fixtures/demo_4000_seed7_scores.csv");
    let mut s = Session::new();
    s.load_csv(body.as_bytes()).unwrap();
    assert!(s.has_scores());
    s.set_roles(s.roles().unwrap()).unwrap();
    let summary = json(s.use_scores(roles("{}")).unwrap());
    assert_eq!(summary["learnerUsed"], "yours");
    assert_eq!(summary["ownScores"], true);
    assert_eq!(summary["rows"], 4000);
    assert!(summary["responseMetrics"].is_object());
    // 30% of 4,000 users at the default 0.10 per contact.
    let view = json(
        s.simulate(roles(r#"{"kind":"share","value":0.3}"#))
            .unwrap(),
    );
    assert_eq!(view["simulation"]["targeted"], 1200);
    let rules = summary["rules"].to_string();
    assert!(!rules.contains("p_treated") && !rules.contains("p_control"));
    // Data row 0 (line 2) with an empty uplift cell.
    let mut lines: Vec<String> = body.lines().map(str::to_string).collect();
    let col = lines[0].split(',').position(|c| c == "uplift").unwrap();
    let mut cells: Vec<&str> = lines[1].split(',').collect();
    cells[col] = "";
    lines[1] = cells.join(",");
    let mut s = Session::new();
    s.load_csv(lines.join("\n").as_bytes()).unwrap();
    s.set_roles(s.roles().unwrap()).unwrap();
    assert_eq!(
        message(s.use_scores(roles("{}")).unwrap_err()),
        "Line 2: column “uplift” of the scores file is empty. Every row needs a score."
    );
    // Without an uplift column there is nothing to use.
    let mut s = Session::new();
    s.load_demo(2000, 1).unwrap();
    assert!(!s.has_scores());
}

/// A file with more columns to learn from than the simulator handles is refused when loaded (not at the role
/// check), so the page never lists its columns; the earlier file stays loaded.
#[wasm_bindgen_test]
fn a_too_wide_file_is_refused_at_load_and_the_earlier_file_stays() {
    let mut s = Session::new();
    s.load_demo(1000, 7).unwrap();
    // treatment, conversion and 600 numeric features f0..f599 that vary: 600 > 500 to learn from.
    let mut csv = String::from("treatment,conversion");
    for j in 0..600 {
        csv.push_str(&format!(",f{j}"));
    }
    csv.push('\n');
    for i in 0..40 {
        csv.push_str(&format!("{},{}", i % 2, (i / 2) % 2));
        for j in 0..600 {
            csv.push_str(&format!(",{}", (i * 7 + j) % 11));
        }
        csv.push('\n');
    }
    assert_eq!(
        message(s.load_csv(csv.as_bytes()).unwrap_err()),
        "The file has 600 columns to learn from, but the simulator handles at most 500. Remove the columns you do not need (keep those that describe the users) and load the file again."
    );
    assert_eq!(
        json(s.summary().unwrap())["rows"],
        1000,
        "the demo is still loaded"
    );
    // 501 columns, but only 499 to learn from once treatment and conversion take their roles: accepted.
    let narrow: String = csv
        .lines()
        .map(|l| l.split(',').take(501).collect::<Vec<_>>().join(",") + "\n")
        .collect();
    assert_eq!(json(s.load_csv(narrow.as_bytes()).unwrap())["rows"], 40);
    assert_eq!(
        json(s.set_roles(s.roles().unwrap()).unwrap())["rowsKept"],
        40
    );
}

/// A canvas element of w × h pixels.
fn new_canvas(document: &web_sys::Document, w: u32, h: u32) -> web_sys::HtmlCanvasElement {
    let c: web_sys::HtmlCanvasElement = document.create_element("canvas").unwrap().unchecked_into();
    c.set_width(w);
    c.set_height(h);
    c
}

/// Every pixel of a canvas, RGBA.
fn pixels(c: &web_sys::HtmlCanvasElement) -> Vec<u8> {
    let ctx: web_sys::CanvasRenderingContext2d =
        c.get_context("2d").unwrap().unwrap().unchecked_into();
    ctx.get_image_data(0.0, 0.0, f64::from(c.width()), f64::from(c.height()))
        .unwrap()
        .data()
        .to_vec()
}

/// A budget curve (JSON) with one uplift-targeting series of `n + 1` points at shares i / n: `rows_per_step` users
/// and a tenth of that in spend per step, `conv(i)` incremental conversions.
fn budget_curve_json(
    n: u32,
    rows_per_step: u32,
    break_even: f64,
    conv: impl Fn(u32) -> f64,
) -> String {
    let points: Vec<String> = (0..=n)
        .map(|i| {
            let conv = conv(i);
            format!(
                r#"{{"share":{},"targeted":{},"spend":{},"incrementalConversions":{conv},"modelIncrementalConversions":{conv},"incrementalRevenue":null,"incrementalRoas":null,"profit":null,"enoughRows":true}}"#,
                f64::from(i) / f64::from(n),
                i * rows_per_step,
                i * rows_per_step / 10
            )
        })
        .collect();
    format!(
        r#"{{"series":[{{"policy":"uplift","label":"Uplift targeting","points":[{}]}}],"breakEvenShare":{break_even},"bestRoasShare":null,"bestProfitShare":null}}"#,
        points.join(",")
    )
}

/// The page's canvas backend sizes labels with the canvas's `measureText` (src/wasm/canvas.rs) instead of plotters'
/// span-per-label path; the chart comes out pixel for pixel as plain plotters-canvas draws it (same label widths,
/// so the same axes, ticks and legend), and drawing it again reuses the cached sizes with the same pixels.
#[wasm_bindgen_test]
fn measured_text_draws_the_same_pixels_as_plotters_canvas() {
    use plotters::prelude::IntoDrawingArea;
    use uplift_simulator::charts::budget::{draw_budget_layer, BudgetKpi};
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return; // node: no canvas
    };
    let canvas = || new_canvas(&document, 800, 380);
    // A curve whose labels have different widths (1,000s of conversions, shares up to 100 %).
    let curve = budget_curve_json(20, 1000, 0.65, |i| 1234.5 * f64::from(i).sqrt());
    let plain = canvas();
    {
        let root = plotters_canvas::CanvasBackend::with_canvas_object(plain.clone())
            .unwrap()
            .into_drawing_area();
        let parsed = serde_json::from_str(&curve).unwrap();
        draw_budget_layer(&root, &parsed, BudgetKpi::IncrementalConversions).unwrap();
        root.present().unwrap();
    }
    let curve = || js_sys::JSON::parse(&curve).unwrap();
    let kpi = || JsValue::from_str("incrementalConversions");
    let page = canvas();
    draw_budget_layer_js(page.clone(), curve(), kpi()).unwrap();
    assert!(
        pixels(&page) == pixels(&plain),
        "the measured-text backend draws other pixels than plotters-canvas"
    );
    let again = canvas();
    draw_budget_layer_js(again.clone(), curve(), kpi()).unwrap();
    assert!(
        pixels(&again) == pixels(&plain),
        "the second draw (sizes from the cache) differs"
    );
}

/// The budget chart as the page draws it on a slider move — a copy of the layer drawn once, then the marker — has
/// exactly the pixels of the chart drawn in one call; the marker is the 2-pixel ink line at the frame's x.
#[wasm_bindgen_test]
fn budget_layer_and_marker_draw_the_whole_chart_on_a_canvas() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return; // node: no canvas
    };
    let canvas = |w: u32, h: u32| new_canvas(&document, w, h);
    // Uplift targeting gains 10 conversions per 10 % of users up to 50 %, then nothing more.
    let curve = budget_curve_json(10, 100, 0.8, |i| 10.0 * f64::from(i.min(5)));
    let curve = || js_sys::JSON::parse(&curve).unwrap();
    let kpi = || JsValue::from_str("incrementalConversions");
    let whole = canvas(800, 380);
    draw_budget_curve_js(whole.clone(), curve(), kpi(), Some(0.3)).unwrap();
    let layer = canvas(800, 380);
    let frame = draw_budget_layer_js(layer.clone(), curve(), kpi()).unwrap();
    let page = canvas(800, 380);
    let ctx: web_sys::CanvasRenderingContext2d =
        page.get_context("2d").unwrap().unwrap().unchecked_into();
    ctx.draw_image_with_html_canvas_element(&layer, 0.0, 0.0)
        .unwrap();
    draw_budget_marker_js(page.clone(), frame.clone(), 0.3).unwrap();
    assert!(
        pixels(&page) == pixels(&whole),
        "layer + marker differs from the whole chart"
    );
    // The marker's column: x0 + (x100 − x0) × 0.3, rounded (a 2-pixel line centred there covers x − 1 and x);
    // dark ink from top to bottom of the plot.
    let f = json(frame);
    let (x0, x100) = (f["x0"].as_i64().unwrap(), f["x100"].as_i64().unwrap());
    let (top, bottom) = (f["top"].as_i64().unwrap(), f["bottom"].as_i64().unwrap());
    let x = x0 + ((x100 - x0) as f64 * 0.3).round() as i64;
    let data = pixels(&page);
    let dark = (top + 20..bottom - 5)
        .filter(|&y| (x - 1..=x).any(|c| data[((y * 800 + c) * 4) as usize] < 90))
        .count() as i64;
    assert!(
        dark >= bottom - top - 30,
        "{dark} dark pixels in column {x} ({f})"
    );
    // Nothing to plot: the layer is the "no data" message and there is no frame.
    let none = js_sys::JSON::parse(
        r#"{"series":[],"breakEvenShare":null,"bestRoasShare":null,"bestProfitShare":null}"#,
    )
    .unwrap();
    assert!(draw_budget_layer_js(canvas(360, 300), none, kpi())
        .unwrap()
        .is_null());
}
