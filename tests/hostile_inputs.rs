//! Hostile and odd input files (tests/hostile/, one file per case):
//! each runs the real path — `Table::from_bytes` → `detect_roles` (+ explicit roles where the case needs
//! them) → `prepare` → a tiny fit — and pins the exact message a user sees, or the finding in the report.
//! No case may panic. The catalogue is docs/RELIABILITY.md; tests/e2e/hostile.test.mjs shows a subset in the page.

use uplift_simulator::data::prepare::{prepare, Prepared};
use uplift_simulator::data::roles::{detect_roles, Roles};
use uplift_simulator::data::table::Table;
use uplift_simulator::pipeline::run::{score, RunParams, ScoreRun};
use uplift_simulator::Result;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/hostile/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Small, fast fit settings: 5 trees, 2 folds.
fn tiny() -> RunParams {
    let mut p = RunParams::default();
    p.base.gbdt.trees = 5;
    p.uplift.folds = 2;
    p
}

fn fit(p: &Prepared) -> Result<ScoreRun> {
    score(p, &tiny(), &mut |_, _| {}, &|| false, None)
}

/// Read → detect (then `adjust` the roles) → prepare → fit; the first error's message, or "ok".
fn run_bytes(bytes: &[u8], adjust: impl FnOnce(&mut Roles)) -> (String, Option<Prepared>) {
    let table = match Table::from_bytes(bytes) {
        Ok(t) => t,
        Err(e) => return (e.to_string(), None),
    };
    let mut roles = detect_roles(&table);
    adjust(&mut roles);
    let prepared = match prepare(&table, &roles) {
        Ok(p) => p,
        Err(e) => return (e.to_string(), None),
    };
    match fit(&prepared) {
        Ok(run) => {
            assert_eq!(run.fit.uplift.len(), prepared.n_rows());
            assert!(run.fit.uplift.iter().all(|u| u.is_finite()));
            ("ok".to_string(), Some(prepared))
        }
        Err(e) => (e.to_string(), Some(prepared)),
    }
}

fn explicit(r: &mut Roles) {
    r.treatment = "treatment".into();
    r.outcome = "conversion".into();
}

/// The case fails with exactly `message`.
fn fails(name: &str, adjust: impl FnOnce(&mut Roles), message: &str) {
    let (got, _) = run_bytes(&fixture(name), adjust);
    assert_eq!(got, message, "{name}");
}

/// The case fits, and the report carries exactly these warnings.
fn fits(name: &str, adjust: impl FnOnce(&mut Roles), warnings: &[&str]) -> Prepared {
    let (got, p) = run_bytes(&fixture(name), adjust);
    assert_eq!(got, "ok", "{name}");
    let p = p.expect("prepared");
    assert_eq!(p.report.warnings, warnings, "{name}");
    p
}

const LOW_T: &str = "The treatment group has only 13 conversions (fewer than 50): uplift estimates will be noisy and intervals wide. Treat the rankings as rough.";
const LOW_C: &str = "The control group has only 14 conversions (fewer than 50): uplift estimates will be noisy and intervals wide. Treat the rankings as rough.";

#[test]
fn empty_file() {
    fails(
        "empty.csv",
        |_| {},
        "The file is empty. Choose a CSV file with a header row and at least one data row.",
    );
}

#[test]
fn whitespace_only() {
    fails(
        "whitespace_only.csv",
        |_| {},
        "The file is empty. Choose a CSV file with a header row and at least one data row.",
    );
}

#[test]
fn header_only() {
    fails(
        "header_only.csv",
        |_| {},
        "The file has a header row but no data rows. Add the rows of your test below the header.",
    );
}

#[test]
fn binary_garbage() {
    fails("binary_garbage.bin", |_| {}, "This does not look like a text CSV file (it contains binary data near byte 6). Export your data as CSV (comma, semicolon or tab separated) and try again.");
}

#[test]
fn utf16_with_bom() {
    fails("utf16_bom.csv", |_| {}, "The file is not UTF-8 text (it is saved as UTF-16). Save it as “CSV UTF-8” in your spreadsheet program and try again.");
}

#[test]
fn latin1_text() {
    fails("latin1.csv", |_| {}, "The file is not UTF-8 text (line 1 has a character that is not UTF-8, probably Latin-1 or Windows-1252). Save it as “CSV UTF-8” in your spreadsheet program and try again.");
}

#[test]
fn ragged_rows() {
    fails("ragged_rows.csv", |_| {}, "Line 3: expected 3 fields like the header, but found 4. Check for a missing or extra separator on that line.");
}

#[test]
fn duplicate_header_names() {
    fails(
        "duplicate_header.csv",
        |_| {},
        "The header names the column “age” twice (columns 3 and 4). Rename one of them.",
    );
}

#[test]
fn blank_header_name() {
    fails(
        "blank_header.csv",
        |_| {},
        "Column 3 has no name in the header row. Give every column a name.",
    );
}

#[test]
fn no_treatment_column() {
    fails(
        "no_treatment_column.csv",
        |_| {},
        "Choose the treatment column: the column that says whether each user saw the ad.",
    );
}

#[test]
fn treatment_one_value_detected() {
    fails(
        "treatment_one_value.csv",
        |_| {},
        "Choose the treatment column: the column that says whether each user saw the ad.",
    );
}

#[test]
fn treatment_one_value_chosen() {
    fails("treatment_one_value.csv", explicit, "Column “treatment” has only one value (“1”): uplift needs a treatment group and a control group to compare.");
}

#[test]
fn treatment_three_values_no_arm() {
    fails("treatment_three_values.csv", |_| {}, "Column “segment” has 3 different values (“Mens E-Mail”, “Womens E-Mail”, “No E-Mail”). Choose which value(s) mean treatment and which one means control.");
}

#[test]
fn outcome_two() {
    fails(
        "outcome_two.csv",
        explicit,
        "Line 7: column “conversion” should be 0 or 1, but it says “2”.",
    );
}

#[test]
fn outcome_minus_one() {
    fails(
        "outcome_minus_one.csv",
        explicit,
        "Line 9: column “conversion” should be 0 or 1, but it says “-1”.",
    );
}

#[test]
fn outcome_maybe() {
    fails(
        "outcome_maybe.csv",
        explicit,
        "Line 11: column “conversion” should be 0 or 1, but it says “maybe”.",
    );
}

#[test]
fn outcome_maybe_detected() {
    fails(
        "outcome_maybe.csv",
        |_| {},
        "Choose the outcome column: the 0/1 column that says whether each user converted.",
    );
}

#[test]
fn arm_with_zero_conversions() {
    fails("arm_zero_conversions.csv", |_| {}, "In the control group, 0 of 40 rows converted. Uplift needs at least 2 rows that converted and 2 that did not in each group, so that every cross-fitting fold can learn both outcomes. Use more data or a more common outcome (e.g. visits instead of purchases).");
}

#[test]
fn one_conversion_per_arm() {
    fails("one_conversion_per_arm.csv", |_| {}, "In the control group, 1 of 40 rows converted. Uplift needs at least 2 rows that converted and 2 that did not in each group, so that every cross-fitting fold can learn both outcomes. Use more data or a more common outcome (e.g. visits instead of purchases).");
}

#[test]
fn every_row_converted() {
    fails("all_converted.csv", |_| {}, "Every row converted (the outcome is 1 everywhere), so there is nothing to learn. Check that the outcome column is the right one.");
}

#[test]
fn negative_revenue() {
    fails(
        "revenue_negative.csv",
        |_| {},
        "Line 5: column “revenue” should be an amount of money of 0 or more, but it says “-5”.",
    );
}

#[test]
fn text_revenue() {
    fails(
        "revenue_text.csv",
        |r| r.revenue = Some("revenue".into()),
        "Line 5: column “revenue” should be an amount of money of 0 or more, but it says “lots”.",
    );
}

#[test]
fn one_row() {
    fails("one_row.csv", explicit, "Column “treatment” has only one value (“0”): uplift needs a treatment group and a control group to compare.");
}

#[test]
fn two_rows_per_arm() {
    fails(
        "two_rows_per_arm.csv",
        |_| {},
        "Uplift needs both groups: found 2 treated and 2 control rows; each needs at least 10.",
    );
}

#[test]
fn all_features_missing() {
    fails("features_all_missing.csv", |_| {}, "No column is left to learn from: every other column is a role, excluded, constant or empty. Add feature columns that describe the users.");
}

#[test]
fn only_constant_features() {
    fails("constant_features_only.csv", |_| {}, "No column is left to learn from: every other column is a role, excluded, constant or empty. Add feature columns that describe the users.");
}

#[test]
fn unterminated_quote() {
    fails("unterminated_quote.csv", explicit, "Line 2: a quoted value opens with \" and never closes, so the rest of the file would be read as one value. Add the missing closing quote (or remove the stray one) and try again.");
}

fn feature_names(p: &Prepared) -> Vec<&str> {
    p.feature_names.iter().map(String::as_str).collect()
}

#[test]
fn utf8_bom_is_stripped() {
    let p = fits("bom_utf8.csv", |_| {}, &[LOW_T, LOW_C]);
    assert_eq!(p.n_rows(), 80);
}

#[test]
fn tab_delimited() {
    let p = fits("tab_delimited.csv", |_| {}, &[LOW_T, LOW_C]);
    assert_eq!(feature_names(&p), ["age", "region"]);
}

#[test]
fn treatment_three_values_with_arm_chosen() {
    let p = fits(
        "treatment_three_values.csv",
        |r| {
            r.treatment_values = vec!["Mens E-Mail".into()];
            r.control_value = Some("No E-Mail".into());
        },
        &[
            "The treatment group has only 9 conversions (fewer than 50): uplift estimates will be noisy and intervals wide. Treat the rankings as rough.",
            "The control group has only 9 conversions (fewer than 50): uplift estimates will be noisy and intervals wide. Treat the rankings as rough.",
            "Set aside (neither treatment nor control): 27 rows of “Womens E-Mail”.",
        ],
    );
    assert_eq!(p.report.arms.set_aside, [("Womens E-Mail".to_string(), 27)]);
}

#[test]
fn treatment_yes_no() {
    let p = fits("treatment_yes_no.csv", |_| {}, &[LOW_T, LOW_C]);
    assert_eq!(p.report.arms.treated_rows, 40);
}

#[test]
fn inf_huge_and_nan_in_features_count_as_missing() {
    let p = fits(
        "features_inf_nan.csv",
        |_| {},
        &[
            LOW_T,
            LOW_C,
            "Column “score” has 4 values such as “inf” or “1e999”; they are treated as missing.",
        ],
    );
    let score = p.report.columns.iter().find(|c| c.name == "score").unwrap();
    // Rows 0, 10, …, 70: "inf", "NaN", "1e999", "-inf" twice each → 8 missing of 80 (NaN is a missing marker).
    assert_eq!(score.missing_share, 8.0 / 80.0);
}

#[test]
fn decimal_commas_with_semicolons() {
    let p = fits("decimal_comma_semicolon.csv", |_| {}, &[LOW_T, LOW_C]);
    let j = p.feature_names.iter().position(|n| n == "price").unwrap();
    // Row 3: "3,5" → 3.5.
    assert_eq!(p.features[j][3], 3.5);
}

#[test]
fn thousands_separators() {
    let p = fits("thousands_separators.csv", |_| {}, &[LOW_T, LOW_C]);
    let j = p.feature_names.iter().position(|n| n == "income").unwrap();
    // Row 1: "2,037.50" → 2037.5.
    assert_eq!(p.features[j][1], 2037.5);
}

#[test]
fn quoted_fields_with_newlines_and_delimiters() {
    let p = fits("quoted_newlines_delimiters.csv", |_| {}, &[LOW_T, LOW_C]);
    assert_eq!(p.n_rows(), 80);
    // Each quoted comment spans two file lines, so later rows sit on later lines (row 1 is on line 4).
    let t = Table::from_bytes(&fixture("quoted_newlines_delimiters.csv")).unwrap();
    assert_eq!(t.line(1), 4);
}

#[test]
fn duplicated_rows_are_kept() {
    let p = fits(
        "duplicated_rows.csv",
        |_| {},
        &[
            "The treatment group has only 14 conversions (fewer than 50): uplift estimates will be noisy and intervals wide. Treat the rankings as rough.",
            LOW_C,
        ],
    );
    assert_eq!(p.n_rows(), 80);
}

#[test]
fn column_entirely_missing_is_not_a_feature() {
    let p = fits("column_all_missing.csv", |_| {}, &[LOW_T, LOW_C]);
    assert_eq!(feature_names(&p), ["age", "region"]);
}

#[test]
fn constant_feature_is_not_a_feature() {
    let p = fits("constant_feature.csv", |_| {}, &[LOW_T, LOW_C]);
    assert_eq!(feature_names(&p), ["age", "region"]);
}

#[test]
fn mixed_crlf_and_lf() {
    let p = fits("mixed_crlf_lf.csv", |_| {}, &[LOW_T, LOW_C]);
    assert_eq!(p.n_rows(), 80);
    assert_eq!(feature_names(&p), ["age", "region"]);
}

#[test]
fn trailing_delimiter_on_every_line() {
    let p = fits("trailing_delimiter.csv", |_| {}, &[LOW_T, LOW_C]);
    assert_eq!(feature_names(&p), ["age", "region"]);
}

#[test]
fn spreadsheet_formula_text_is_plain_data() {
    let p = fits("formula_injection.csv", |_| {}, &[LOW_T, LOW_C]);
    assert_eq!(p.ids.as_ref().unwrap().get(0), "=cmd|' /C calc'!A0");
}

#[test]
fn one_megabyte_field() {
    // Row 0's comment is 1 MiB of "x": read as one level of a text feature, nothing slows down.
    let p = fits("one_megabyte_field.csv", |_| {}, &[
        "The treatment group has only 7 conversions (fewer than 50): uplift estimates will be noisy and intervals wide. Treat the rankings as rough.",
        "The control group has only 7 conversions (fewer than 50): uplift estimates will be noisy and intervals wide. Treat the rankings as rough.",
    ]);
    assert_eq!(feature_names(&p), ["age", "comment"]);
}

#[test]
fn ten_thousand_columns() {
    // Refused before any fit: the propensity model's cost grows with features³ (this used to hang for hours).
    let t = std::time::Instant::now();
    fails("ten_thousand_columns.csv", |_| {}, "The file has 10000 columns to learn from, but the simulator handles at most 500. Remove the columns you do not need (keep those that describe the users) and load the file again.");
    assert!(t.elapsed().as_secs() < 20, "{:?}", t.elapsed());
}

#[test]
fn formulas_stay_inert_in_the_exports() {
    use uplift_simulator::pipeline::trained::{train, TrainParams};
    let table = Table::from_bytes(&fixture("formula_injection.csv")).unwrap();
    let roles = detect_roles(&table);
    let p = prepare(&table, &roles).unwrap();
    let params = TrainParams {
        run: tiny(),
        ..TrainParams::default()
    };
    let trained = train(
        &table,
        &p,
        &roles.audit,
        &params,
        &mut |_, _| {},
        &|| false,
        None,
    )
    .unwrap();
    let scores = trained.scores_csv(&p).unwrap();
    // Row 0's id "=cmd|' /C calc'!A0" is written with a leading apostrophe: a spreadsheet shows it as text.
    let line1 = scores.lines().nth(1).unwrap();
    assert!(line1.contains(",'=cmd|' /C calc'!A0,"), "{line1}");
    assert!(
        !scores.lines().any(|l| l
            .split(',')
            .any(|c| c.starts_with('=') || c.starts_with('+') || c.starts_with('@'))),
        "{scores}"
    );
    let review = trained.review_csv(&p, false).unwrap();
    assert!(review.contains("'=cmd|' /C calc'!A0"), "{review}");
    assert!(
        !review.lines().any(|l| l
            .split(',')
            .any(|c| c.starts_with('=') || c.starts_with('+') || c.starts_with('@'))),
        "{review}"
    );
}
