//! The one error type of the crate: every message says what is wrong, where, and what to do.
//!
//! Messages are user-facing copy (a marketer reads them in the page); each is pinned in a test.
//! Problems that do not block work (a column 8% missing) are findings in a report, not errors.

/// Everything that can stop an operation. Keep variants grouped by module.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    // ---- data: reading the file -------------------------------------------------------------
    #[error("The file is empty. Choose a CSV file with a header row and at least one data row.")]
    EmptyFile,
    #[error(
        "The file has a header row but no data rows. Add the rows of your test below the header."
    )]
    NoDataRows,
    #[error("This does not look like a text CSV file (it contains binary data near byte {offset}). Export your data as CSV (comma, semicolon or tab separated) and try again.")]
    NotText { offset: usize },
    #[error("The file is not UTF-8 text ({detail}). Save it as “CSV UTF-8” in your spreadsheet program and try again.")]
    NotUtf8 { detail: String },
    #[error("Line {line}: expected {expected} fields like the header, but found {found}. Check for a missing or extra separator on that line.")]
    Ragged {
        line: u64,
        expected: usize,
        found: usize,
    },
    #[error("Line {line}: the file could not be read as CSV ({detail}).")]
    Csv { line: u64, detail: String },
    #[error("Column {position} has no name in the header row. Give every column a name.")]
    BlankHeader { position: usize },
    #[error("The header names the column “{name}” twice (columns {first} and {second}). Rename one of them.")]
    DuplicateHeader {
        name: String,
        first: usize,
        second: usize,
    },
    #[error("There is no column named “{name}”. The columns are: {available}.")]
    UnknownColumn { name: String, available: String },
    #[error("Line {line}: column “{column}” should be {expected}, but it says “{found}”.")]
    BadValue {
        line: u64,
        column: String,
        expected: &'static str,
        found: String,
    },

    #[error("Line {line}: a quoted value opens with \" and never closes, so the rest of the file would be read as one value. Add the missing closing quote (or remove the stray one) and try again.")]
    UnclosedQuote { line: u64 },
    #[error("This file ({file_mb} MB) would need about {needed_mb} MB of memory to fit, more than a browser tab can use ({limit_mb} MB). Run it with the command line instead: uplift fit DATA.csv --treatment COLUMN --outcome COLUMN --out scores.csv (or load a sample of the rows here).")]
    TooBigForTab {
        file_mb: u64,
        needed_mb: u64,
        limit_mb: u64,
    },

    // ---- data: roles and arms ---------------------------------------------------------------
    #[error("Choose the {role} column: {hint}.")]
    MissingRole {
        role: &'static str,
        hint: &'static str,
    },
    #[error("Column “{column}” has only one value ({values}): uplift needs a treatment group and a control group to compare.")]
    OneArm { column: String, values: String },
    #[error("Column “{column}” has {count} different values ({values}). Choose which value(s) mean treatment and which one means control.")]
    ArmNotChosen {
        column: String,
        count: usize,
        values: String,
    },
    #[error("Column “{column}” has no value “{value}”. Its values are: {values}.")]
    UnknownArm {
        column: String,
        value: String,
        values: String,
    },
    #[error("The value “{value}” is chosen as both treatment and control. Pick a different control value.")]
    ArmBothWays { value: String },
    #[error("Column “{column}” has too many different values to be the treatment column. Choose the column that holds the arm of each row (e.g. 0/1 or “control”/“treatment”).")]
    TooManyArms { column: String },
    #[error("No row converted (the outcome is 0 everywhere), so there is nothing to learn. Check that the outcome column is the right one.")]
    NoConversions,
    #[error("Every row converted (the outcome is 1 everywhere), so there is nothing to learn. Check that the outcome column is the right one.")]
    AllConverted,
    #[error("The file has {count} columns to learn from, but the simulator handles at most {max}. Remove the columns you do not need (keep those that describe the users) and load the file again.")]
    TooManyFeatures { count: usize, max: usize },
    #[error("No column is left to learn from: every other column is a role, excluded, constant or empty. Add feature columns that describe the users.")]
    NoFeatures,
    #[error("Column “{column}” has too many different values to audit as groups. Choose a column with a few groups (e.g. region, age band).")]
    AuditColumn { column: String },
    #[error("Uplift needs both groups: found {treated} treated and {control} control rows; each needs at least {min}.")]
    TooFewInArm {
        treated: usize,
        control: usize,
        min: usize,
    },

    // ---- shared by learners, uplift, metrics and decide (use these; do not add look-alikes) ----
    #[error(
        "{what} has {found} values but {reference} has {expected}; they must line up row by row."
    )]
    LengthMismatch {
        what: &'static str,
        found: usize,
        reference: &'static str,
        expected: usize,
    },
    #[error("Row {row}: {what} is not a number. Check the {what} column for empty or non-numeric cells.")]
    NotANumber { what: &'static str, row: usize },
    #[error("Row {row}: the outcome must be 0 or 1, but it is {found}. Choose a yes/no conversion column as the outcome.")]
    OutcomeNotBinary { row: usize, found: String },
    #[error("There are no rows to work on. Load data with treated and control rows first.")]
    NoRows,

    // ---- learners (gbdt, logistic) ----------------------------------------------------------
    #[error("Row {row}: the sample weight is {found}, but weights must be 0 or more. Check the weight column.")]
    NegativeWeight { row: usize, found: String },
    #[error("Every row has weight 0, so there is nothing to learn from. Give some rows a positive weight.")]
    AllWeightsZero,

    // ---- uplift ------------------------------------------------------------------------------
    #[error("In the {group} group, {conversions} of {rows} rows converted. Uplift needs at least {min} rows that converted and {min} that did not in each group, so that every cross-fitting fold can learn both outcomes. Use more data or a more common outcome (e.g. visits instead of purchases).")]
    TooFewOutcomesInArm {
        group: &'static str,
        conversions: usize,
        rows: usize,
        min: usize,
    },
    #[error("The learners “auto” chooses from must be one or more of S, T, X and DR, each named once; the list was: {found}.")]
    BadCandidates { found: String },

    // ---- metrics -----------------------------------------------------------------------------
    #[error("The {metric} cannot be computed: {reason}.")]
    MetricUndefined {
        metric: &'static str,
        reason: &'static str,
    },
    #[error("No {arm} rows are among the top {rows} rows by score, so the uplift there cannot be measured. Target a larger share of rows.")]
    EmptyArmInTop { arm: &'static str, rows: usize },
    #[error("The true effects of the top {rows} rows add up to {total}, so there are no incremental conversions to capture. Choose a larger share, or data where the campaign has a positive effect.")]
    NothingToCapture { rows: usize, total: f64 },

    // ---- decide ------------------------------------------------------------------------------
    #[error("Row {row}: the {what} must be a probability between 0 and 1, but it is {found}.")]
    NotAProbability {
        what: &'static str,
        row: usize,
        found: String,
    },
    #[error("Row {row}: the {what} is negative. Check the {what} column; it must be 0 or more.")]
    NegativeScore { what: &'static str, row: usize },
    #[error("Set a value per conversion (for example $40) or choose a revenue column: the simulator needs to know what a conversion is worth.")]
    NoValuePerConversion,
    #[error("“{column}” has no group “{value}” to compare against. Its groups are: {values}.")]
    UnknownGroup {
        column: String,
        value: String,
        values: String,
    },
    #[error("The bins for “{column}” need increasing cut points (found {found}). Enter numbers from low to high, e.g. 18, 30, 50.")]
    BadBins { column: String, found: String },

    // ---- pipeline (scores files) ----------------------------------------------------------------
    #[error("The scores file has no “{name}” column. Give one uplift score per row in a column named uplift (and optionally row, uplift_se, p_control, p_treated, response_score).")]
    ScoresColumnMissing { name: String },
    #[error(
        "Line {line}: column “{column}” of the scores file is empty. Every row needs a score."
    )]
    ScoresMissingValue { column: String, line: u64 },
    #[error("Data row {row} appears twice in the scores file. Each data row needs exactly one score line.")]
    ScoresDuplicateRow { row: u32 },
    #[error("Data row {row} has no line in the scores file. Use the scores written for this same data file (the `row` column must list every data row).")]
    ScoresRowMissing { row: u32 },

    // ---- wasm / page -------------------------------------------------------------------------
    #[error("No data is loaded yet. Choose a CSV file or click “Try the demo data” first.")]
    NoData,
    #[error("Choose the treatment and outcome columns first.")]
    NoRolesYet,
    #[error("The page sent a request the engine does not understand ({detail}). Reload the page and try again.")]
    BadRequest { detail: String },
    #[error("Train a model first: click “Train” in the Train panel.")]
    NotTrained,

    // ---- parameters -------------------------------------------------------------------------
    #[error("Setting “{name}” is {found}, but it must be {expected}.")]
    BadParam {
        name: &'static str,
        expected: &'static str,
        found: String,
    },

    // ---- running ----------------------------------------------------------------------------
    #[error("Stopped: the run was cancelled.")]
    Cancelled,
    #[error("Could not draw the chart: {0}")]
    Chart(String),
    #[error("{detail}")]
    Usage { detail: String },
    #[error("Could not read or write “{path}”: {detail}")]
    Io { path: String, detail: String },
}

/// The crate-wide result.
pub type Result<T> = std::result::Result<T, Error>;
