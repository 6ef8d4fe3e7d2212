//! Column roles (treatment, outcome, revenue, id, features, audit attributes): detection by name, always overridable.
//!
//! Detection only proposes; `prepare` checks the choice against the values.

use serde::{Deserialize, Serialize};

use super::table::{Column, ColumnKind, Table};

/// Which column plays which part. Every field has a default, so the page may send `{}` plus a few choices.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Roles {
    /// Column with the arm of each row (required).
    pub treatment: String,
    /// Values of the treatment column that mean "treated". Empty: decided from the values when the column
    /// has exactly two (1/0, true/false, yes/no, or a control-looking text such as "No E-Mail").
    pub treatment_values: Vec<String>,
    /// Value meaning "control". `None`: decided as above.
    pub control_value: Option<String>,
    /// Binary 0/1 conversion column (required).
    pub outcome: String,
    /// Optional money value of each row's conversions (numeric, ≥ 0).
    pub revenue: Option<String>,
    /// Optional user id, echoed in exports.
    pub id: Option<String>,
    /// Feature columns. Empty: every other column except those excluded below and those that look like
    /// outcomes or arms measured after the ad (they would leak the answer).
    pub features: Vec<String>,
    /// Columns never used as features.
    pub exclude: Vec<String>,
    /// Columns to audit for fairness (categorical, or numeric cut into bins).
    pub audit: Vec<String>,
}

const TREATMENT_NAMES: &[&str] = &[
    "treatment",
    "treated",
    "treat",
    "is_treatment",
    "is_treated",
    "treatment_group",
    "group",
    "segment",
    "arm",
    "variant",
    "test_group",
    "exposure",
    "exposed",
    "w",
];
const OUTCOME_NAMES: &[&str] = &[
    "conversion",
    "converted",
    "convert",
    "outcome",
    "purchase",
    "purchased",
    "bought",
    "response",
    "responded",
    "y",
    "label",
    "target",
    "visit",
    "visited",
    "click",
    "clicked",
];
const REVENUE_NAMES: &[&str] = &[
    "revenue",
    "spend",
    "amount",
    "sales",
    "order_value",
    "value",
    "gmv",
    "purchase_amount",
    "money",
];
const ID_NAMES: &[&str] = &[
    "id",
    "user_id",
    "userid",
    "customer_id",
    "client_id",
    "uid",
    "user",
    "customer",
];
/// Likely audit attributes (demographic or behavioural groups).
const AUDIT_HINTS: &[&str] = &[
    "engagement",
    "app_user",
    "gender",
    "sex",
    "age_group",
    "age",
    "region",
    "zip_code",
    "channel",
    "country",
    "segment_group",
    "newbie",
    "loyalty",
    "tier",
];

fn norm(name: &str) -> String {
    name.trim()
        .to_ascii_lowercase()
        .replace([' ', '-', '.'], "_")
}

fn rank(names: &[&str], column: &str) -> Option<usize> {
    let n = norm(column);
    names.iter().position(|&c| c == n)
}

/// True when the name looks like an arm or an outcome (such columns are not used as features by default).
pub fn looks_post_treatment(name: &str) -> bool {
    rank(TREATMENT_NAMES, name).is_some()
        || rank(OUTCOME_NAMES, name).is_some()
        || rank(REVENUE_NAMES, name).is_some()
}

fn best<'a>(table: &'a Table, names: &[&str], ok: impl Fn(&Column) -> bool) -> Option<&'a Column> {
    // By name first: `ok` may read every value of the column.
    table
        .columns
        .iter()
        .filter_map(|c| rank(names, &c.name).map(|r| (r, c)))
        .filter(|(_, c)| ok(c))
        .min_by_key(|(r, _)| *r)
        .map(|(_, c)| c)
}

fn is_binary_numeric(c: &Column) -> bool {
    c.numbers
        .as_ref()
        .is_some_and(|v| v.iter().all(|x| x.is_nan() || *x == 0.0 || *x == 1.0))
}

/// Propose roles from the column names and values.
pub fn detect_roles(table: &Table) -> Roles {
    let has_levels = |c: &Column| c.distinct().is_some_and(|d| d >= 2);
    let treatment = best(table, TREATMENT_NAMES, has_levels);
    let outcome = best(table, OUTCOME_NAMES, |c| {
        is_binary_numeric(c) && Some(c.name.as_str()) != treatment.map(|t| t.name.as_str())
    });
    let revenue = best(table, REVENUE_NAMES, |c| {
        c.kind() == ColumnKind::Numeric && !is_binary_numeric(c)
    });
    let id = best(table, ID_NAMES, |_| true);
    let (treatment_values, control_value) = treatment.map(propose_arms).unwrap_or_default();
    let chosen: Vec<&str> = [treatment, outcome, revenue, id]
        .iter()
        .flatten()
        .map(|c| c.name.as_str())
        .collect();
    let audit = table
        .columns
        .iter()
        .filter(|c| !chosen.contains(&c.name.as_str()))
        .filter(|c| {
            rank(AUDIT_HINTS, &c.name).is_some()
                && c.distinct().is_some_and(|d| (2..=20).contains(&d))
        })
        .map(|c| c.name.clone())
        .collect();
    Roles {
        treatment: treatment.map(|c| c.name.clone()).unwrap_or_default(),
        treatment_values,
        control_value,
        outcome: outcome.map(|c| c.name.clone()).unwrap_or_default(),
        revenue: revenue.map(|c| c.name.clone()),
        id: id.map(|c| c.name.clone()),
        features: Vec::new(),
        exclude: Vec::new(),
        audit,
    }
}

/// Texts that mean "control" in a treatment column.
fn looks_control(level: &str) -> bool {
    let l = level.trim().to_ascii_lowercase();
    [
        "0",
        "false",
        "no",
        "n",
        "f",
        "control",
        "ctrl",
        "c",
        "holdout",
        "none",
        "untreated",
    ]
    .contains(&l.as_str())
        || l.starts_with("no ")
        || l.starts_with("no_")
        || l.starts_with("no-")
        || l.contains("control")
        || l.contains("holdout")
}

/// Treatment and control values proposed for a treatment column: one control-looking level, and the
/// other level when there are exactly two (with three or more the user must choose).
pub fn propose_arms(c: &Column) -> (Vec<String>, Option<String>) {
    let control = c.levels.iter().find(|l| looks_control(l)).cloned();
    let others: Vec<String> = c
        .levels
        .iter()
        .filter(|l| Some(*l) != control.as_ref())
        .cloned()
        .collect();
    match (control, others.len()) {
        (Some(ctl), 1) => (others, Some(ctl)),
        (Some(ctl), _) => (Vec::new(), Some(ctl)),
        (None, _) => (Vec::new(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_the_demo_columns() {
        let csv = "user_id,f0,engagement,app_user,treatment,conversion,revenue\nu1,1.5,low,0,1,0,0\nu2,2,high,1,0,1,12.5\n";
        let r = detect_roles(&Table::from_bytes(csv.as_bytes()).unwrap());
        assert_eq!(r.treatment, "treatment");
        assert_eq!(
            (r.treatment_values, r.control_value),
            (vec!["1".to_string()], Some("0".to_string()))
        );
        assert_eq!(r.outcome, "conversion");
        assert_eq!(r.revenue.as_deref(), Some("revenue"));
        assert_eq!(r.id.as_deref(), Some("user_id"));
        assert_eq!(r.audit, vec!["engagement", "app_user"]);
    }

    #[test]
    fn hillstrom_style_three_arms_leave_the_treatment_arm_to_the_user() {
        let csv = "segment,visit,conversion,spend\nMens E-Mail,1,0,0\nNo E-Mail,0,0,0\nWomens E-Mail,1,1,20\n";
        let r = detect_roles(&Table::from_bytes(csv.as_bytes()).unwrap());
        assert_eq!(r.treatment, "segment");
        assert_eq!(r.control_value.as_deref(), Some("No E-Mail"));
        assert!(r.treatment_values.is_empty(), "three arms: the user picks");
        assert_eq!(r.outcome, "conversion", "conversion ranks above visit");
        assert!(
            looks_post_treatment("visit")
                && looks_post_treatment("Spend")
                && !looks_post_treatment("recency")
        );
    }
}
