//! From a parsed table and chosen roles to model-ready arrays plus a validation report; no modelling here.
//!
//! Blocking problems (no such column, an outcome of "maybe", negative revenue, an arm too small) are errors
//! naming the line and column. Everything else (missing values, rows set aside, few conversions) is a finding
//! in [`ValidationReport`].

use std::collections::HashMap;

use ndarray::{Array2, ShapeBuilder};
use serde::Serialize;

use super::binning::{BinParams, BinnedMatrix};
use super::roles::{looks_post_treatment, Roles};
use super::table::{Column, ColumnKind, Table, Texts, MISSING_CODE};
use crate::error::{Error, Result};
use crate::learners::Design;

/// Each arm needs at least this many rows.
pub const MIN_ROWS_PER_ARM: usize = 10;
/// Fewer conversions than this in an arm gives a warning: estimates will be unstable.
pub const FEW_CONVERSIONS: usize = 50;
/// Text levels seen in fewer rows than this (or under 0.5 % of rows) are pooled into one "other" level.
/// Most feature columns a fit accepts. The propensity model is a Newton logistic regression whose cost grows
/// with rows × features² + features³: 10,000 columns would take hours (a hung tab); 500 take seconds on small
/// files. Marketing exports have tens of columns.
pub const MAX_FEATURES: usize = 500;
const RARE_LEVEL_ROWS: usize = 20;
/// Text columns with more distinct levels than this (after pooling) are not used as features.
const MAX_FEATURE_LEVELS: usize = 200;

/// How a feature column is encoded for the models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FeatureKind {
    Numeric,
    /// Text levels coded 0, 1, 2, … by falling frequency (rare ones pooled into the last code).
    Categorical,
}

/// Model-ready data: rows kept (other arms and rows without an arm or outcome are set aside).
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Index of each kept row in the table (0-based data row, header excluded).
    pub rows: Vec<u32>,
    pub treatment: Vec<bool>,
    /// 0.0 or 1.0.
    pub outcome: Vec<f64>,
    pub revenue: Option<Vec<f64>>,
    pub ids: Option<Ids>,
    pub feature_names: Vec<String>,
    pub feature_kinds: Vec<FeatureKind>,
    /// Feature values column by column (NaN = missing), kept rows only.
    pub features: Vec<Vec<f64>>,
    /// For categorical features: the level of each code.
    pub feature_levels: Vec<Vec<String>>,
    pub report: ValidationReport,
}

/// The id of each kept row, all in one text buffer: a `String` per row would cost a 24-byte `String` and a heap
/// block of 32 bytes or more on top of each text (0.78 GB for the 14M ids of a Criteo-size file).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ids {
    buf: String,
    /// End of row i's id in `buf` (it starts at the previous end).
    ends: Vec<usize>,
}

impl Ids {
    /// Rows.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The id of row i ("" for a row without one).
    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.buf[start..self.ends[i]]
    }

    /// Every id as its own `String` (for the page's exports of a loaded file).
    pub fn to_strings(&self) -> Vec<String> {
        (0..self.len()).map(|i| self.get(i).to_string()).collect()
    }

    /// The ids of a column on the kept rows.
    fn of(col: &Column, rows: &[u32]) -> Ids {
        let mut ids = Ids {
            buf: String::new(),
            ends: Vec::with_capacity(rows.len()),
        };
        for &i in rows {
            if let Some(t) = col.text_ref(i as usize) {
                ids.buf.push_str(&t);
            }
            ids.ends.push(ids.buf.len());
        }
        ids
    }
}

/// Counts per arm.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArmCounts {
    pub treatment_label: String,
    pub control_label: String,
    pub treated_rows: usize,
    pub control_rows: usize,
    pub treated_conversions: usize,
    pub control_conversions: usize,
    /// Rows of other arms, set aside, by value.
    pub set_aside: Vec<(String, usize)>,
}

/// What happened to one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnReport {
    pub name: String,
    /// treatment, outcome, revenue, id, feature, audit, unused.
    pub role: String,
    pub kind: ColumnKind,
    /// Share of kept rows with no value (0..1).
    pub missing_share: f64,
    /// Values such as "inf" or "1e999" read as missing.
    pub non_finite: usize,
    pub distinct: Option<usize>,
    /// Why a column is not a feature, or how it was encoded.
    pub note: Option<String>,
}

/// Rows dropped for one reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dropped {
    pub reason: String,
    pub count: usize,
    /// First few file lines affected.
    pub first_lines: Vec<u64>,
}

/// The validation report: findings as data, shown in plain words by the page and written by the CLI.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationReport {
    pub rows_read: usize,
    pub rows_kept: usize,
    pub arms: ArmCounts,
    pub columns: Vec<ColumnReport>,
    pub dropped: Vec<Dropped>,
    pub warnings: Vec<String>,
}

/// Shares of rows in each arm and their conversion rates, for the first chart.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArmRate {
    pub label: String,
    pub rows: usize,
    pub conversions: usize,
    pub rate: f64,
    /// 95 % Wilson interval of the rate.
    pub low: f64,
    pub high: f64,
}

impl Prepared {
    pub fn n_rows(&self) -> usize {
        self.rows.len()
    }

    /// Features binned once and as raw values, shared by every model and fold.
    pub fn design(&self, params: &BinParams) -> Design {
        let binned = self.bin(params);
        let flat = self.features.concat();
        self.finish_design(binned, flat)
    }

    /// [`Prepared::design`] that moves the feature values into the design instead of copying them (each column
    /// is freed once copied): the same design, with 8 bytes per cell less at the peak. `features` is empty
    /// afterwards, so a second design needs the data prepared again.
    pub fn take_design(&mut self, params: &BinParams) -> Design {
        let binned = self.bin(params);
        let mut flat: Vec<f64> = Vec::with_capacity(self.n_rows() * self.features.len());
        for col in std::mem::take(&mut self.features) {
            flat.extend_from_slice(&col);
        }
        self.finish_design(binned, flat)
    }

    fn bin(&self, params: &BinParams) -> BinnedMatrix {
        let cols: Vec<&[f64]> = self.features.iter().map(Vec::as_slice).collect();
        BinnedMatrix::from_columns(&cols, params)
    }

    /// The design from the binned codes and the raw values (column-major, one column after another).
    fn finish_design(&self, binned: BinnedMatrix, flat: Vec<f64>) -> Design {
        let raw = Array2::from_shape_vec((self.n_rows(), binned.n_features).f(), flat)
            .expect("columns have n rows each");
        Design {
            names: self.feature_names.clone(),
            binned,
            raw,
        }
    }

    /// Conversion rate per arm (treatment first) with 95 % Wilson intervals.
    pub fn arm_rates(&self) -> Vec<ArmRate> {
        let a = &self.report.arms;
        vec![
            arm_rate(&a.treatment_label, a.treated_rows, a.treated_conversions),
            arm_rate(&a.control_label, a.control_rows, a.control_conversions),
        ]
    }
}

fn arm_rate(label: &str, rows: usize, conversions: usize) -> ArmRate {
    let (rate, low, high) = wilson(conversions, rows);
    ArmRate {
        label: label.to_string(),
        rows,
        conversions,
        rate,
        low,
        high,
    }
}

/// Rate with its 95 % Wilson score interval (well-behaved at 0 and at rare events).
pub fn wilson(successes: usize, n: usize) -> (f64, f64, f64) {
    if n == 0 {
        return (0.0, 0.0, 0.0);
    }
    let z = 1.959_963_984_540_054_f64;
    let nf = n as f64;
    let p = successes as f64 / nf;
    let denom = 1.0 + z * z / nf;
    let centre = (p + z * z / (2.0 * nf)) / denom;
    let half = z * (p * (1.0 - p) / nf + z * z / (4.0 * nf * nf)).sqrt() / denom;
    (p, (centre - half).max(0.0), (centre + half).min(1.0))
}

/// Check the roles against the table and build the model-ready arrays and the report.
pub fn prepare(table: &Table, roles: &Roles) -> Result<Prepared> {
    prepare_features(table, roles, false).map(|(p, _)| p)
}

/// [`prepare`] for a caller that needs no feature column of the table afterwards (the native command): the same
/// `Prepared`, with the feature columns taken out of `table` (its other columns stay). When every row is kept, a
/// numeric feature's values move into `Prepared` instead of being copied: no second copy of them at the peak.
pub fn prepare_taking_features(table: &mut Table, roles: &Roles) -> Result<Prepared> {
    let (mut p, moved) = prepare_features(table, roles, true)?;
    for (k, c) in moved {
        p.features[k] = table.columns[c].numbers.take().unwrap_or_default();
    }
    table.columns.retain(|c| !p.feature_names.contains(&c.name));
    Ok(p)
}

/// [`prepare`]; with `moving`, the features whose values are a column's numbers as they are (every row kept) are
/// left empty and listed as (feature, column) for the caller to move.
fn prepare_features(
    table: &Table,
    roles: &Roles,
    moving: bool,
) -> Result<(Prepared, Vec<(usize, usize)>)> {
    if roles.treatment.is_empty() {
        return Err(Error::MissingRole {
            role: "treatment",
            hint: "the column that says whether each user saw the ad",
        });
    }
    if roles.outcome.is_empty() {
        return Err(Error::MissingRole {
            role: "outcome",
            hint: "the 0/1 column that says whether each user converted",
        });
    }
    let tcol = table.column(&roles.treatment)?;
    let ycol = table.column(&roles.outcome)?;
    let rcol = roles
        .revenue
        .as_deref()
        .map(|r| table.column(r))
        .transpose()?;
    let icol = roles.id.as_deref().map(|r| table.column(r)).transpose()?;
    let (treated_codes, control_code) = resolve_arms(tcol, roles)?;

    let mut report = ValidationReport {
        rows_read: table.n_rows,
        ..Default::default()
    };
    let mut rows = Vec::with_capacity(table.n_rows);
    let mut treatment = Vec::with_capacity(table.n_rows);
    let mut outcome = Vec::with_capacity(table.n_rows);
    let mut revenue = rcol.map(|_| Vec::with_capacity(table.n_rows));
    let mut set_aside = vec![0usize; tcol.levels.len()];
    let mut no_arm = Dropped {
        reason: "no value in the treatment column".into(),
        count: 0,
        first_lines: vec![],
    };
    let mut no_outcome = Dropped {
        reason: "no value in the outcome column".into(),
        count: 0,
        first_lines: vec![],
    };
    let tcodes = tcol.codes.as_ref().ok_or_else(|| Error::TooManyArms {
        column: tcol.name.clone(),
    })?;
    let ynum = outcome_numbers(ycol, table)?;

    for i in 0..table.n_rows {
        let code = tcodes[i];
        if code == MISSING_CODE {
            note_drop(&mut no_arm, table.line(i));
            continue;
        }
        let is_treated = treated_codes.contains(&code);
        if !is_treated && code != control_code {
            set_aside[code as usize] += 1;
            continue;
        }
        let y = ynum[i];
        if y.is_nan() {
            note_drop(&mut no_outcome, table.line(i));
            continue;
        }
        if let (Some(rc), Some(rv)) = (rcol, revenue.as_mut()) {
            rv.push(revenue_value(rc, i, table, y)?);
        }
        rows.push(i as u32);
        treatment.push(is_treated);
        outcome.push(y);
    }
    report.dropped = [no_arm, no_outcome]
        .into_iter()
        .filter(|d| d.count > 0)
        .collect();

    let arms = &mut report.arms;
    arms.treatment_label = treated_codes
        .iter()
        .map(|&c| tcol.levels[c as usize].clone())
        .collect::<Vec<_>>()
        .join(" + ");
    arms.control_label = tcol.levels[control_code as usize].clone();
    for (t, y) in treatment.iter().zip(&outcome) {
        let conv = usize::from(*y == 1.0);
        if *t {
            arms.treated_rows += 1;
            arms.treated_conversions += conv;
        } else {
            arms.control_rows += 1;
            arms.control_conversions += conv;
        }
    }
    arms.set_aside = set_aside
        .iter()
        .enumerate()
        .filter(|(_, &n)| n > 0)
        .map(|(c, &n)| (tcol.levels[c].clone(), n))
        .collect();
    if arms.treated_rows < MIN_ROWS_PER_ARM || arms.control_rows < MIN_ROWS_PER_ARM {
        return Err(Error::TooFewInArm {
            treated: arms.treated_rows,
            control: arms.control_rows,
            min: MIN_ROWS_PER_ARM,
        });
    }
    check_conversions(arms)?;
    report.rows_kept = rows.len();

    let ids = icol.map(|c| Ids::of(c, &rows));
    let mut prepared = Prepared {
        rows,
        treatment,
        outcome,
        revenue,
        ids,
        feature_names: Vec::new(),
        feature_kinds: Vec::new(),
        features: Vec::new(),
        feature_levels: Vec::new(),
        report,
    };
    let moved = add_features(table, roles, &mut prepared, moving)?;
    add_warnings(&mut prepared.report);
    Ok((prepared, moved))
}

fn note_drop(d: &mut Dropped, line: u64) {
    d.count += 1;
    if d.first_lines.len() < 5 {
        d.first_lines.push(line);
    }
}

/// Which level codes are treatment and which one is control.
fn resolve_arms(tcol: &Column, roles: &Roles) -> Result<(Vec<u32>, u32)> {
    let levels = &tcol.levels;
    let code = |v: &str| -> Result<u32> {
        levels
            .iter()
            .position(|l| l == v)
            .map(|p| p as u32)
            .ok_or_else(|| Error::UnknownArm {
                column: tcol.name.clone(),
                value: v.to_string(),
                values: quoted_list(levels),
            })
    };
    if levels.len() < 2 {
        return Err(Error::OneArm {
            column: tcol.name.clone(),
            values: quoted_list(levels),
        });
    }
    let (proposed_t, proposed_c) = super::roles::propose_arms(tcol);
    let treated_values = if roles.treatment_values.is_empty() {
        proposed_t
    } else {
        roles.treatment_values.clone()
    };
    let control_value = roles.control_value.clone().or(proposed_c);
    let (Some(control_value), false) = (control_value, treated_values.is_empty()) else {
        return Err(Error::ArmNotChosen {
            column: tcol.name.clone(),
            count: levels.len(),
            values: quoted_list(levels),
        });
    };
    let control = code(&control_value)?;
    let treated = treated_values
        .iter()
        .map(|v| code(v))
        .collect::<Result<Vec<_>>>()?;
    if treated.contains(&control) {
        return Err(Error::ArmBothWays {
            value: control_value,
        });
    }
    Ok((treated, control))
}

fn quoted_list(levels: &[String]) -> String {
    let mut shown: Vec<String> = levels.iter().take(8).map(|l| format!("“{l}”")).collect();
    if levels.len() > 8 {
        shown.push(format!("and {} more", levels.len() - 8));
    }
    shown.join(", ")
}

/// The outcome as 0/1 numbers (NaN = missing); anything else is a blocking error naming the first bad line.
fn outcome_numbers<'a>(ycol: &'a Column, table: &Table) -> Result<&'a [f64]> {
    let bad = |line: u64, found: String| Error::BadValue {
        line,
        column: ycol.name.clone(),
        expected: "0 or 1",
        found,
    };
    let Some(v) = ycol.numbers.as_deref() else {
        let (line, found) = ycol.first_text.clone().unwrap_or((0, String::new()));
        return Err(bad(line, found));
    };
    if let Some(i) = v.iter().position(|&y| !y.is_nan() && y != 0.0 && y != 1.0) {
        return Err(bad(table.line(i), format!("{}", v[i])));
    }
    Ok(v)
}

fn revenue_value(rc: &Column, i: usize, table: &Table, y: f64) -> Result<f64> {
    let bad = |line: u64, found: String| Error::BadValue {
        line,
        column: rc.name.clone(),
        expected: "an amount of money of 0 or more",
        found,
    };
    let Some(v) = rc.numbers.as_deref() else {
        let (line, found) = rc.first_text.clone().unwrap_or((0, String::new()));
        return Err(bad(line, found));
    };
    match v[i] {
        x if x.is_nan() => Ok(if y == 1.0 { f64::NAN } else { 0.0 }),
        x if x < 0.0 => Err(bad(table.line(i), format!("{x}"))),
        x => Ok(x),
    }
}

fn check_conversions(arms: &ArmCounts) -> Result<()> {
    if arms.treated_conversions + arms.control_conversions == 0 {
        return Err(Error::NoConversions);
    }
    let all = |conv: usize, rows: usize| conv == rows;
    if all(arms.treated_conversions, arms.treated_rows)
        && all(arms.control_conversions, arms.control_rows)
    {
        return Err(Error::AllConverted);
    }
    Ok(())
}

/// The report line of every column and the features; with `moving`, the features to move (see
/// [`prepare_features`]). Natively the columns are worked on in parallel (each on its own; same results).
fn add_features(
    table: &Table,
    roles: &Roles,
    p: &mut Prepared,
    moving: bool,
) -> Result<Vec<(usize, usize)>> {
    let role_of = |name: &str| -> Option<&'static str> {
        if name == roles.treatment {
            Some("treatment")
        } else if name == roles.outcome {
            Some("outcome")
        } else if roles.revenue.as_deref() == Some(name) {
            Some("revenue")
        } else if roles.id.as_deref() == Some(name) {
            Some("id")
        } else {
            None
        }
    };
    for f in &roles.features {
        table.column(f)?;
    }
    for f in &roles.exclude {
        table.column(f)?;
    }
    for a in &roles.audit {
        table.column(a)?;
    }
    let rows = &p.rows;
    let n_kept = rows.len() as f64;
    let one = |col: &Column| {
        let missing_kept = rows
            .iter()
            .filter(|&&i| col_missing(col, i as usize))
            .count();
        let mut rep = ColumnReport {
            name: col.name.clone(),
            role: role_of(&col.name).unwrap_or("unused").to_string(),
            kind: col.kind(),
            missing_share: missing_kept as f64 / n_kept,
            non_finite: col.non_finite,
            distinct: col.distinct(),
            note: None,
        };
        let wanted = if roles.features.is_empty() {
            role_of(&col.name).is_none() && !roles.exclude.contains(&col.name)
        } else {
            roles.features.contains(&col.name)
        };
        let mut feature = None;
        if wanted {
            match feature_values(col, rows, roles.features.is_empty(), moving) {
                Ok((values, kind, levels, note)) => {
                    rep.role = "feature".into();
                    rep.note = note;
                    feature = Some((values, kind, levels));
                }
                Err(why) => rep.note = Some(why),
            }
        }
        if roles.audit.contains(&col.name) && rep.role != "feature" {
            rep.role = "audit".into();
        }
        (rep, feature)
    };
    #[cfg(not(target_arch = "wasm32"))]
    let done: Vec<_> = {
        use rayon::prelude::*;
        table.columns.par_iter().map(one).collect()
    };
    #[cfg(target_arch = "wasm32")]
    let done: Vec<_> = table.columns.iter().map(one).collect();
    let mut moved = Vec::new();
    for (c, (rep, feature)) in done.into_iter().enumerate() {
        if let Some((values, kind, levels)) = feature {
            if values.is_none() {
                moved.push((p.features.len(), c));
            }
            p.feature_names.push(rep.name.clone());
            p.feature_kinds.push(kind);
            p.features.push(values.unwrap_or_default());
            p.feature_levels.push(levels);
        }
        p.report.columns.push(rep);
    }
    if p.features.is_empty() {
        return Err(Error::NoFeatures);
    }
    if p.features.len() > MAX_FEATURES {
        return Err(Error::TooManyFeatures {
            count: p.features.len(),
            max: MAX_FEATURES,
        });
    }
    Ok(moved)
}

fn col_missing(col: &Column, i: usize) -> bool {
    match (&col.numbers, &col.codes) {
        (Some(v), _) => v[i].is_nan(),
        (None, Some(c)) => c[i] == MISSING_CODE,
        _ => col.texts.as_ref().is_some_and(|t| t.get(i).is_none()),
    }
}

type FeatureValues = (Vec<f64>, FeatureKind, Vec<String>, Option<String>);
/// [`FeatureValues`] whose values may be left in the column to move (`None`).
type TakenValues = (Option<Vec<f64>>, FeatureKind, Vec<String>, Option<String>);

/// A column's values on the kept rows, or why it is not used as a feature. `None` values (only `moving`): the
/// column's numbers as they are, every row being kept, for the caller to move.
fn feature_values(
    col: &Column,
    rows: &[u32],
    automatic: bool,
    moving: bool,
) -> std::result::Result<TakenValues, String> {
    if automatic && looks_post_treatment(&col.name) {
        return Err("not used as a feature: its name says it is an arm or an outcome, measured after the ad — it would leak the answer".into());
    }
    let kept = |v: &[f64]| rows.iter().map(|&i| v[i as usize]).collect::<Vec<f64>>();
    if col.kind() == ColumnKind::Empty {
        return Err("not used as a feature: every value is missing".into());
    }
    if let Some(v) = &col.numbers {
        // The kept rows are increasing row numbers: as many as the column's rows means all of them, in order.
        let every_row = rows.len() == v.len();
        let some_rows = (!every_row).then(|| kept(v));
        let mut finite = some_rows
            .as_deref()
            .unwrap_or(v)
            .iter()
            .filter(|x| !x.is_nan());
        let first = finite.next().copied();
        if finite.all(|&x| Some(x) == first) {
            return Err("not used as a feature: it has the same value on every row".into());
        }
        let values = match (some_rows, moving) {
            (Some(values), _) => Some(values),
            (None, true) => None,
            (None, false) => Some(v.clone()),
        };
        return Ok((values, FeatureKind::Numeric, Vec::new(), None));
    }
    let with_values = |r: std::result::Result<FeatureValues, String>| {
        r.map(|(values, kind, levels, note)| (Some(values), kind, levels, note))
    };
    if let Some(texts) = &col.texts {
        return with_values(text_feature_values(texts, rows));
    }
    let codes = col
        .codes
        .as_ref()
        .ok_or("not used as a feature: unreadable values")?;
    // Count levels on kept rows.
    let mut counts = vec![0usize; col.levels.len()];
    for &i in rows {
        let c = codes[i as usize];
        if c != MISSING_CODE {
            counts[c as usize] += 1;
        }
    }
    let row_code = |i: u32| match codes[i as usize] {
        MISSING_CODE => None,
        c => Some(c as usize),
    };
    with_values(categorical_values(
        &counts,
        |c| &col.levels[c],
        row_code,
        rows,
    ))
}

/// [`feature_values`] of a text column kept as texts (too many distinct values for level codes): the same
/// levels, counts and codes as if it had been coded, levels numbered by first appearance in the whole file.
fn text_feature_values(texts: &Texts, rows: &[u32]) -> std::result::Result<FeatureValues, String> {
    // Each text seen on a kept row: (first row anywhere in the file, rows among the kept ones).
    let mut seen: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut kept = rows.iter().peekable();
    for i in 0..texts.len() {
        let is_kept = kept.next_if(|&&r| r as usize == i).is_some();
        if let Some(t) = texts.get(i) {
            let e = seen.entry(t).or_insert((i, 0));
            e.1 += usize::from(is_kept);
        }
    }
    let mut levels: Vec<(usize, usize, &str)> = seen
        .iter()
        .filter(|(_, &(_, n))| n > 0)
        .map(|(&t, &(first, n))| (first, n, t))
        .collect();
    drop(seen);
    levels.sort_unstable();
    let counts: Vec<usize> = levels.iter().map(|&(_, n, _)| n).collect();
    let code: HashMap<&str, usize> = levels
        .iter()
        .enumerate()
        .map(|(c, &(_, _, t))| (t, c))
        .collect();
    let row_code = |i: u32| texts.get(i as usize).and_then(|t| code.get(t).copied());
    categorical_values(&counts, |c| levels[c].2, row_code, rows)
}

/// A categorical feature from its level counts on the kept rows (`counts[c]` for level c, in order of first
/// appearance): levels coded by falling frequency, rare ones pooled, or why it is not used.
fn categorical_values<'a>(
    counts: &[usize],
    level: impl Fn(usize) -> &'a str,
    row_code: impl Fn(u32) -> Option<usize>,
    rows: &[u32],
) -> std::result::Result<FeatureValues, String> {
    let rare = RARE_LEVEL_ROWS.max(rows.len() / 200);
    let mut order: Vec<usize> = (0..counts.len()).filter(|&c| counts[c] > 0).collect();
    order.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
    let common: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&c| counts[c] >= rare)
        .collect();
    let pooled = order.len() - common.len();
    if common.len() > MAX_FEATURE_LEVELS {
        return Err(format!(
            "not used as a feature: {} different texts (an id or free text?)",
            order.len()
        ));
    }
    if common.len() + usize::from(pooled > 0) < 2 {
        return Err("not used as a feature: it has the same value on every row".into());
    }
    let mut new_code = vec![common.len() as f64; counts.len()];
    for (k, &c) in common.iter().enumerate() {
        new_code[c] = k as f64;
    }
    let mut levels: Vec<String> = common.iter().map(|&c| level(c).to_string()).collect();
    if pooled > 0 {
        levels.push("(other)".into());
    }
    let values = rows
        .iter()
        .map(|&i| row_code(i).map_or(f64::NAN, |c| new_code[c]))
        .collect();
    let note = (pooled > 0).then(|| format!("{pooled} rare values pooled into “(other)”"));
    Ok((values, FeatureKind::Categorical, levels, note))
}

fn add_warnings(r: &mut ValidationReport) {
    let a = &r.arms;
    for (arm, conv) in [
        ("treatment", a.treated_conversions),
        ("control", a.control_conversions),
    ] {
        if conv < FEW_CONVERSIONS {
            r.warnings.push(format!(
                "The {arm} group has only {conv} conversions (fewer than {FEW_CONVERSIONS}): uplift estimates will be noisy and intervals wide. Treat the rankings as rough."
            ));
        }
    }
    for (arm, rows, conv) in [
        ("treatment", a.treated_rows, a.treated_conversions),
        ("control", a.control_rows, a.control_conversions),
    ] {
        if conv == 0 {
            r.warnings.push(format!("No one in the {arm} group ({rows} rows) converted, so that group's conversion rate is estimated as 0."));
        }
    }
    let share = a.treated_rows as f64 / (a.treated_rows + a.control_rows) as f64;
    if !(0.02..=0.98).contains(&share) {
        r.warnings.push(format!(
            "Only {:.1}% of rows are in the {} group: the smaller group limits how precise any estimate can be.",
            100.0 * share.min(1.0 - share),
            if share < 0.5 { "treatment" } else { "control" }
        ));
    }
    for c in &r.columns {
        if c.role == "feature" && c.missing_share > 0.2 {
            r.warnings.push(format!(
                "Column “{}” is {:.0}% empty; missing values are modelled as their own group.",
                c.name,
                100.0 * c.missing_share
            ));
        }
        if c.non_finite > 0 {
            r.warnings.push(format!(
                "Column “{}” has {} values such as “inf” or “1e999”; they are treated as missing.",
                c.name, c.non_finite
            ));
        }
    }
    if !r.arms.set_aside.is_empty() {
        let list: Vec<String> = r
            .arms
            .set_aside
            .iter()
            .map(|(v, n)| format!("{n} rows of “{v}”"))
            .collect();
        r.warnings.push(format!(
            "Set aside (neither treatment nor control): {}.",
            list.join(", ")
        ));
    }
}

/// Build the audit attribute codes (for fairness) from a column: text levels, or numeric quantile bins.
pub fn attribute_levels(
    table: &Table,
    name: &str,
    rows: &[u32],
) -> Result<(Vec<String>, Vec<u32>)> {
    let col = table.column(name)?;
    if let (Some(codes), true) = (&col.codes, col.levels.len() <= 50) {
        let mut levels = col.levels.clone();
        let missing = levels.len() as u32;
        let mut any_missing = false;
        let out = rows
            .iter()
            .map(|&i| match codes[i as usize] {
                MISSING_CODE => {
                    any_missing = true;
                    missing
                }
                c => c,
            })
            .collect();
        if any_missing {
            levels.push("(missing)".into());
        }
        return Ok((levels, out));
    }
    Err(Error::AuditColumn {
        column: name.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::roles::detect_roles;

    fn table(s: &str) -> Table {
        Table::from_bytes(s.as_bytes()).unwrap()
    }

    fn demo_like(n: usize) -> String {
        let mut s = String::from("user_id,x,city,treatment,conversion,revenue,visit\n");
        for i in 0..n {
            let t = usize::from(i % 3 != 0);
            let y = usize::from(i % 7 == 0);
            let city = ["a", "b", "c"][i % 3];
            s.push_str(&format!(
                "u{i},{},{city},{t},{y},{},{}\n",
                i as f64 / 10.0,
                y * 20,
                y
            ));
        }
        s
    }

    #[test]
    fn keeps_rows_counts_arms_and_skips_leaky_columns() {
        let t = table(&demo_like(60));
        let p = prepare(&t, &detect_roles(&t)).unwrap();
        // rows i%3==0 are control: 20 of 60; conversions i%7==0: 9 rows (0,7,…,56), control ones i%21==0: 0,21,42
        assert_eq!(
            (p.report.arms.treated_rows, p.report.arms.control_rows),
            (40, 20)
        );
        assert_eq!(
            (
                p.report.arms.treated_conversions,
                p.report.arms.control_conversions
            ),
            (6, 3)
        );
        assert_eq!(
            p.feature_names,
            vec!["x", "city"],
            "visit looks like an outcome: left out"
        );
        let visit = p.report.columns.iter().find(|c| c.name == "visit").unwrap();
        assert!(visit.note.as_deref().unwrap().contains("leak"));
        assert_eq!(p.ids.as_ref().unwrap().get(1), "u1");
        let d = p.design(&BinParams::default());
        assert_eq!((d.n_rows(), d.n_features()), (60, 2));
        assert_eq!(d.raw[[3, 0]], 0.3);
        assert!(p
            .report
            .warnings
            .iter()
            .any(|w| w.contains("only 6 conversions")));
    }

    #[test]
    fn a_text_feature_kept_as_texts_is_coded_like_a_coded_one() {
        // 140,000 rows; column "tag": even rows "b" (i%4==0) or "a" (i%4==2), 35,000 each; odd rows a unique
        // text (70,000 of them), so 70,002 distinct values: kept as texts. Row 1 has no treatment: dropped.
        // On the 139,999 kept rows "a" and "b" both have 35,000 rows ≥ rare = 139,999/200 = 699, tied: coded by
        // first appearance, "b" (row 0) = 0, "a" (row 2) = 1; the 69,999 unique texts kept are pooled as 2.
        let mut s = String::from("tag,treatment,conversion\n");
        for i in 0..140_000 {
            let tag = match i % 4 {
                0 => "b".to_string(),
                2 => "a".to_string(),
                _ => format!("t{i}"),
            };
            let t = if i == 1 {
                String::new()
            } else {
                (i % 3 % 2).to_string()
            };
            s.push_str(&format!("{tag},{t},{}\n", usize::from(i % 5 == 0)));
        }
        let t = table(&s);
        assert!(t.column("tag").unwrap().texts.is_some());
        let p = prepare(&t, &detect_roles(&t)).unwrap();
        assert_eq!(p.feature_names, vec!["tag"]);
        assert_eq!(p.feature_kinds, vec![FeatureKind::Categorical]);
        assert_eq!(p.feature_levels[0], vec!["b", "a", "(other)"]);
        assert_eq!(&p.features[0][..5], &[0.0, 1.0, 2.0, 0.0, 2.0]);
        let rep = p.report.columns.iter().find(|c| c.name == "tag").unwrap();
        assert_eq!(
            rep.note.as_deref(),
            Some("69999 rare values pooled into “(other)”")
        );
        assert_eq!(rep.distinct, Some(70_002));
    }

    #[test]
    fn taking_the_features_gives_the_same_prepared_and_leaves_the_other_columns() {
        // demo_like(60) keeps every row: x moves out of the table; city (text) is coded; with row 0 without an
        // arm (dropped) x is copied on the 59 kept rows instead. Either way the same as `prepare`.
        let mut text = demo_like(60);
        for (case, t) in [
            ("all rows", table(&text)),
            ("a row dropped", {
                text = text.replacen("u0,0,a,0,", "u0,0,a,,", 1);
                table(&text)
            }),
        ] {
            let roles = detect_roles(&t);
            let copied = prepare(&t, &roles).unwrap();
            let mut left = t.clone();
            let moved = prepare_taking_features(&mut left, &roles).unwrap();
            assert_eq!(format!("{copied:?}"), format!("{moved:?}"), "{case}");
            let names: Vec<&str> = left.columns.iter().map(|c| c.name.as_str()).collect();
            assert_eq!(
                names,
                vec!["user_id", "treatment", "conversion", "revenue", "visit"],
                "{case}"
            );
        }
        assert_eq!(table(&text).n_rows, 60);
    }

    #[test]
    fn take_design_moves_the_features_into_the_same_design() {
        let t = table(&demo_like(60));
        let mut p = prepare(&t, &detect_roles(&t)).unwrap();
        let copied = p.design(&BinParams::default());
        let moved = p.take_design(&BinParams::default());
        assert_eq!(moved.binned, copied.binned);
        assert_eq!(moved.raw.shape(), copied.raw.shape());
        assert!(moved
            .raw
            .iter()
            .zip(copied.raw.iter())
            .all(|(a, b)| a.to_bits() == b.to_bits()));
        assert_eq!(moved.names, copied.names);
        assert!(p.features.is_empty());
    }

    #[test]
    fn three_arms_need_a_choice_then_other_arms_are_set_aside() {
        let mut s = String::from("segment,visit,x\n");
        for i in 0..90 {
            let arm = ["Mens E-Mail", "Womens E-Mail", "No E-Mail"][i % 3];
            s.push_str(&format!("{arm},{},{}\n", usize::from(i % 4 == 0), i));
        }
        let t = table(&s);
        let mut roles = Roles {
            treatment: "segment".into(),
            outcome: "visit".into(),
            ..Default::default()
        };
        assert_eq!(
            prepare(&t, &roles).unwrap_err().to_string(),
            "Column “segment” has 3 different values (“Mens E-Mail”, “Womens E-Mail”, “No E-Mail”). Choose which value(s) mean treatment and which one means control."
        );
        roles.treatment_values = vec!["Mens E-Mail".into()];
        let p = prepare(&t, &roles).unwrap();
        assert_eq!(p.n_rows(), 60);
        assert_eq!(
            p.report.arms.set_aside,
            vec![("Womens E-Mail".to_string(), 30)]
        );
        assert_eq!(p.report.arms.control_label, "No E-Mail");
    }

    #[test]
    fn blocking_messages_name_line_and_column() {
        let t = table("t,y,x\n1,0,1\n0,maybe,2\n");
        let r = Roles {
            treatment: "t".into(),
            outcome: "y".into(),
            ..Default::default()
        };
        assert_eq!(
            prepare(&t, &r).unwrap_err().to_string(),
            "Line 3: column “y” should be 0 or 1, but it says “maybe”."
        );
        let t = table("t,y,x\n1,0,1\n0,2,2\n");
        assert_eq!(
            prepare(&t, &r).unwrap_err().to_string(),
            "Line 3: column “y” should be 0 or 1, but it says “2”."
        );
        let t = table("t,y,x\n1,0,1\n1,1,2\n");
        assert_eq!(
            prepare(&t, &r).unwrap_err().to_string(),
            "Column “t” has only one value (“1”): uplift needs a treatment group and a control group to compare."
        );
        let r2 = Roles {
            treatment: "arm".into(),
            outcome: "y".into(),
            ..Default::default()
        };
        assert_eq!(
            prepare(&t, &r2).unwrap_err().to_string(),
            "There is no column named “arm”. The columns are: “t”, “y”, “x”."
        );
    }

    #[test]
    fn wilson_interval_matches_hand_value() {
        // 1 success in 10: Wilson 95 % ≈ [0.0179, 0.4042]
        let (p, lo, hi) = wilson(1, 10);
        assert_eq!(p, 0.1);
        assert!(
            (lo - 0.01787).abs() < 1e-4 && (hi - 0.40415).abs() < 1e-4,
            "{lo} {hi}"
        );
    }
}
