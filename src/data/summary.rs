//! A first look at a loaded file for the page: rows, columns with kinds and examples, proposed roles; no checks.

use serde::Serialize;

use super::roles::{detect_roles, Roles};
use super::table::{ColumnKind, Table};

/// One column as the page lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnSummary {
    pub name: String,
    pub kind: ColumnKind,
    /// Share of rows with no value (0..1).
    pub missing_share: f64,
    /// Distinct values when few (≤ 64 for numbers, ≤ 1000 for text).
    pub distinct: Option<usize>,
    /// Up to 12 distinct values (all of them for the arm choice when there are few).
    pub examples: Vec<String>,
}

/// What the page shows right after a file is read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TableSummary {
    pub rows: usize,
    pub columns: Vec<ColumnSummary>,
    /// "comma", "semicolon" or "tab".
    pub delimiter: String,
    /// Proposed roles (the user may change them).
    pub roles: Roles,
}

impl Table {
    /// Summarize the table and propose roles.
    pub fn summary(&self) -> TableSummary {
        let columns = self
            .columns
            .iter()
            .map(|c| ColumnSummary {
                name: c.name.clone(),
                kind: c.kind(),
                missing_share: if self.n_rows == 0 {
                    0.0
                } else {
                    c.missing as f64 / self.n_rows as f64
                },
                distinct: c.distinct(),
                examples: c.examples(12),
            })
            .collect();
        let delimiter = match self.delimiter {
            b';' => "semicolon",
            b'\t' => "tab",
            _ => "comma",
        };
        TableSummary {
            rows: self.n_rows,
            columns,
            delimiter: delimiter.into(),
            roles: detect_roles(self),
        }
    }
}
