//! SCORES.csv: one line per kept data row, in input order — written by `uplift fit` and the page's export,
//! read back by `uplift simulate` and the page's "bring your own scores" path (any CSV with an `uplift` column).
//!
//! Columns: `row` (0-based data row of the input file, header excluded), `uplift`, `uplift_se`, `p_control`,
//! `p_treated`, `response_score`, then `id`, `archetype`, `review` when known. Text cells are made inert for
//! spreadsheets (a leading `=`, `+`, `-`, `@` gets an apostrophe).

use std::io::Write;

use crate::data::table::Table;
use crate::decide::review::csv_cell;
use crate::error::{Error, Result};

/// Every column a scores file may carry: never used as features when scores come with the data.
pub const SCORE_COLUMN_NAMES: &[&str] = &[
    "row",
    "uplift",
    "uplift_se",
    "p_control",
    "p_treated",
    "response_score",
    "archetype",
    "review",
];

/// The columns of a scores file; optional ones are left out when `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScoreColumns {
    /// 0-based data row in the input file.
    pub row: Vec<u32>,
    pub uplift: Vec<f64>,
    pub uplift_se: Option<Vec<f64>>,
    pub p_control: Option<Vec<f64>>,
    pub p_treated: Option<Vec<f64>>,
    pub response_score: Option<Vec<f64>>,
    pub id: Option<Vec<String>>,
    /// persuadable, sure_thing, lost_cause, do_not_disturb.
    pub archetype: Option<Vec<String>>,
    /// Empty when auto-approved, else the reason code.
    pub review: Option<Vec<String>>,
}

fn io(e: std::io::Error) -> Error {
    Error::Io {
        path: "scores".into(),
        detail: e.to_string(),
    }
}

/// `,` and the number in the shortest text that reads back as the same f64 (Rust's `{}` is round-trip
/// exact); nothing for NaN or infinite.
fn push_num(buf: &mut String, v: f64) {
    use std::fmt::Write as _;
    buf.push(',');
    if v.is_finite() {
        let _ = write!(buf, "{v}");
    }
}

impl ScoreColumns {
    /// Write as CSV (header + one line per row).
    pub fn write_csv<W: Write>(&self, out: &mut W) -> Result<()> {
        self.write_csv_part(out, true)
    }

    /// Write the rows as CSV lines, after the header line when `header` (a file written in parts: the first
    /// part with its header, the others without).
    pub fn write_csv_part<W: Write>(&self, out: &mut W, header_line: bool) -> Result<()> {
        let n = self.uplift.len();
        let mut header = vec!["row", "uplift"];
        let numeric: Vec<(&str, &Vec<f64>)> = [
            ("uplift_se", &self.uplift_se),
            ("p_control", &self.p_control),
            ("p_treated", &self.p_treated),
            ("response_score", &self.response_score),
        ]
        .into_iter()
        .filter_map(|(name, col)| col.as_ref().map(|c| (name, c)))
        .collect();
        header.extend(numeric.iter().map(|(name, _)| *name));
        let text: Vec<(&str, &Vec<String>)> = [
            ("id", &self.id),
            ("archetype", &self.archetype),
            ("review", &self.review),
        ]
        .into_iter()
        .filter_map(|(name, col)| col.as_ref().map(|c| (name, c)))
        .collect();
        header.extend(text.iter().map(|(name, _)| *name));
        if header_line {
            writeln!(out, "{}", header.join(",")).map_err(io)?;
        }
        // Lines of rows `r` appended to `buf` (the same text, however the rows are split).
        let lines = |r: std::ops::Range<usize>, buf: &mut String| {
            use std::fmt::Write as _;
            buf.clear();
            for i in r {
                let _ = write!(buf, "{}", self.row[i]);
                push_num(buf, self.uplift[i]);
                for (_, col) in &numeric {
                    push_num(buf, col[i]);
                }
                for (_, col) in &text {
                    buf.push(',');
                    buf.push_str(&csv_cell(&col[i]));
                }
                buf.push('\n');
            }
        };
        // Natively, chunks of rows are formatted on the thread pool (formatting floats is most of the time),
        // a batch of chunks at a time, and written in order.
        const CHUNK: usize = 16_384;
        const BATCH: usize = 32;
        let chunks: Vec<std::ops::Range<usize>> = (0..n.div_ceil(CHUNK))
            .map(|c| c * CHUNK..((c + 1) * CHUNK).min(n))
            .collect();
        for batch in chunks.chunks(BATCH) {
            let mut bufs: Vec<String> = vec![String::new(); batch.len()];
            #[cfg(not(target_arch = "wasm32"))]
            {
                use rayon::prelude::*;
                bufs.par_iter_mut()
                    .zip(batch.par_iter())
                    .for_each(|(b, r)| lines(r.clone(), b));
            }
            #[cfg(target_arch = "wasm32")]
            for (b, r) in bufs.iter_mut().zip(batch) {
                lines(r.clone(), b);
            }
            for b in &bufs {
                out.write_all(b.as_bytes()).map_err(io)?;
            }
        }
        Ok(())
    }

    /// Read a scores file: `uplift` is required; `row` (else the line order is the row), `uplift_se`,
    /// `p_control`, `p_treated` and `response_score` are used when present; other columns are ignored.
    pub fn read_csv(bytes: &[u8]) -> Result<ScoreColumns> {
        Self::from_table(&Table::from_bytes(bytes)?)
    }

    /// The score columns of an already parsed table (the page's "bring your own scores": one file with the
    /// data and the scores). Same rules as [`ScoreColumns::read_csv`].
    pub fn from_table(table: &Table) -> Result<ScoreColumns> {
        let numbers = |name: &str, required: bool| -> Result<Option<Vec<f64>>> {
            let Some(col) = table
                .columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(name))
            else {
                if required {
                    return Err(Error::ScoresColumnMissing {
                        name: name.to_string(),
                    });
                }
                return Ok(None);
            };
            let Some(values) = &col.numbers else {
                let (line, found) = col.first_text.clone().unwrap_or((0, String::new()));
                return Err(Error::BadValue {
                    line,
                    column: col.name.clone(),
                    expected: "a number",
                    found,
                });
            };
            if let Some(i) = values.iter().position(|v| v.is_nan()) {
                return Err(Error::ScoresMissingValue {
                    column: col.name.clone(),
                    line: table.line(i),
                });
            }
            Ok(Some(values.clone()))
        };
        let uplift = numbers("uplift", true)?.unwrap_or_default();
        let row = match numbers("row", false)? {
            Some(r) => r
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    if v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64 {
                        Ok(v as u32)
                    } else {
                        Err(Error::BadValue {
                            line: table.line(i),
                            column: "row".into(),
                            expected: "a whole number ≥ 0 (the 0-based data row)",
                            found: format!("{v}"),
                        })
                    }
                })
                .collect::<Result<Vec<u32>>>()?,
            None => (0..uplift.len() as u32).collect(),
        };
        Ok(ScoreColumns {
            row,
            uplift,
            uplift_se: numbers("uplift_se", false)?,
            p_control: numbers("p_control", false)?,
            p_treated: numbers("p_treated", false)?,
            response_score: numbers("response_score", false)?,
            ..ScoreColumns::default()
        })
    }

    /// Reorder to the given data rows (the rows a data file keeps): `positions[i]` = the score line of
    /// `rows[i]`. Every row needs exactly one score line.
    pub fn align(&self, rows: &[u32]) -> Result<Vec<usize>> {
        let max = self.row.iter().copied().max().unwrap_or(0) as usize;
        let mut at = vec![usize::MAX; max + 1];
        for (pos, &r) in self.row.iter().enumerate() {
            if at[r as usize] != usize::MAX {
                return Err(Error::ScoresDuplicateRow { row: r });
            }
            at[r as usize] = pos;
        }
        rows.iter()
            .map(|&r| match at.get(r as usize) {
                Some(&p) if p != usize::MAX => Ok(p),
                _ => Err(Error::ScoresRowMissing { row: r }),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_read_gives_the_same_numbers() {
        let s = ScoreColumns {
            row: vec![0, 2, 5],
            uplift: vec![0.001, -0.0025, 1.0 / 3.0],
            uplift_se: Some(vec![0.0001, 0.0002, 0.0003]),
            p_control: None,
            p_treated: Some(vec![0.01, 0.02, 0.5]),
            response_score: None,
            id: Some(vec!["u1".into(), "=cmd|' /C calc'!A0".into(), "a,b".into()]),
            archetype: Some(vec![
                "persuadable".into(),
                "do_not_disturb".into(),
                "lost_cause".into(),
            ]),
            review: Some(vec![String::new(), "borderline".into(), String::new()]),
        };
        let mut out = Vec::new();
        s.write_csv(&mut out).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.starts_with("row,uplift,uplift_se,p_treated,id,archetype,review\n"));
        // The formula id is inert ('=...), the comma id quoted.
        assert!(text.contains(",'=cmd|' /C calc'!A0,"));
        assert!(text.contains(",\"a,b\","));
        let back = ScoreColumns::read_csv(&out).unwrap();
        assert_eq!(back.row, s.row);
        assert_eq!(back.uplift, s.uplift);
        assert_eq!(back.uplift_se, s.uplift_se);
        assert_eq!(back.p_treated, s.p_treated);
        assert_eq!(back.p_control, None);
        // Kept rows 5 and 0 map to score lines 2 and 0; row 1 has no score.
        assert_eq!(back.align(&[5, 0]).unwrap(), vec![2, 0]);
        assert_eq!(
            back.align(&[1]).unwrap_err().to_string(),
            "Data row 1 has no line in the scores file. Use the scores written for this same data file (the `row` column must list every data row)."
        );
    }

    #[test]
    fn scores_without_uplift_are_refused_with_the_column_name() {
        let e = ScoreColumns::read_csv(b"row,score\n0,0.1\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "The scores file has no “uplift” column. Give one uplift score per row in a column named uplift (and optionally row, uplift_se, p_control, p_treated, response_score)."
        );
    }
}
