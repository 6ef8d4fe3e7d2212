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

/// `,` and the number in the shortest text that reads back as the same f64, exactly as Rust's `{}` writes it
/// (never an exponent: `0.0000001`, `100000000000000000000`, `1`, `-0`); nothing for NaN or infinite.
fn push_num(buf: &mut String, v: f64) {
    buf.push(',');
    if v.is_finite() {
        push_display(buf, v);
    }
}

/// A finite `v` as `{}` writes it, from `ryu`'s digits (the same shortest round-trip digits, several times
/// faster; `ryu` writes some numbers with an exponent, so its text is taken apart and laid out again).
///
/// The two differ only on an exact tie — `v` lies exactly halfway between the two nearest 16- or 17-digit
/// decimals that both read back as `v` (ryu then takes the even one, `{}` the upper one, e.g.
/// 2086845729129147.25). That needs `v` = m·2⁻ᵗ (m odd, t ≥ 1) whose exact decimal m·5ᵗ has 17–18 digits:
/// such values (t ≤ 26, m·5ᵗ ≥ 10¹⁵, a safe margin) are written by `{}` itself. Scores and probabilities,
/// with t ≈ 53 or more, never are.
fn push_display(buf: &mut String, v: f64) {
    if may_tie(v) {
        use std::fmt::Write as _;
        let _ = write!(buf, "{v}");
        return;
    }
    let mut ryu_buf = ryu::Buffer::new();
    let text = ryu_buf.format_finite(v);
    // Most numbers: ryu writes plain decimals ("0.0123", "1234.5") as `{}` does, and whole numbers with ".0".
    if !text.contains('e') {
        buf.push_str(text.strip_suffix(".0").unwrap_or(text));
        return;
    }
    let text = text.as_bytes();
    let (negative, text) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let (mantissa, exponent) = match text.iter().position(|&c| c == b'e') {
        Some(p) => {
            let (sign, digits) = match text.get(p + 1) {
                Some(b'-') => (-1, &text[p + 2..]),
                _ => (1, &text[p + 1..]),
            };
            let e = digits
                .iter()
                .fold(0i32, |e, &c| e * 10 + i32::from(c.wrapping_sub(b'0')));
            (&text[..p], sign * e)
        }
        None => (text, 0),
    };
    // Significant digits (at most 17) and where the decimal point falls among them.
    let mut digits = [0u8; 40];
    let mut n = 0usize;
    let mut point: Option<i32> = None;
    for &c in mantissa {
        if c == b'.' {
            point = Some(n as i32);
        } else if n < digits.len() {
            digits[n] = c;
            n += 1;
        }
    }
    let mut point = point.unwrap_or(n as i32) + exponent;
    let mut first = 0usize;
    while first < n && digits[first] == b'0' {
        first += 1;
        point -= 1;
    }
    while n > first && digits[n - 1] == b'0' {
        n -= 1;
    }
    if negative {
        buf.push('-');
    }
    let digits = &digits[first..n];
    let len = digits.len() as i32;
    // Only ASCII digits from here.
    let push_digits = |buf: &mut String, d: &[u8]| d.iter().for_each(|&c| buf.push(c as char));
    if digits.is_empty() {
        buf.push('0');
    } else if point <= 0 {
        buf.push_str("0.");
        (0..-point).for_each(|_| buf.push('0'));
        push_digits(buf, digits);
    } else if point >= len {
        push_digits(buf, digits);
        (0..point - len).for_each(|_| buf.push('0'));
    } else {
        let (int, frac) = digits.split_at(point as usize);
        push_digits(buf, int);
        buf.push('.');
        push_digits(buf, frac);
    }
}

/// Whether finite `v` = m·2⁻ᵗ with m odd, 1 ≤ t ≤ 26 and m·5ᵗ ≥ 10¹⁵ (see [`push_display`]).
fn may_tie(v: f64) -> bool {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    let (m, q) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), biased - 1075)
    };
    if m == 0 {
        return false;
    }
    let zeros = m.trailing_zeros();
    let t = -(q + zeros as i32);
    (1..=26).contains(&t) && u128::from(m >> zeros) * 5u128.pow(t as u32) >= 1_000_000_000_000_000
}

/// `,` and the text cell as [`csv_cell`] writes it, without building a string when it needs no change.
fn push_cell(buf: &mut String, s: &str) {
    buf.push(',');
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) || s.contains([',', '"', '\n', '\r']) {
        buf.push_str(&csv_cell(s));
    } else {
        buf.push_str(s);
    }
}

/// A text column read by row position (no copy of the cells).
pub type TextColumn<'a> = Box<dyn Fn(usize) -> &'a str + Sync + 'a>;

/// The columns of [`ScoreColumns`], borrowed (numbers as slices, text cells by position), so a caller that
/// holds them elsewhere writes SCORES.csv without copying a cell: the same text as `ScoreColumns`.
pub struct ScoreRows<'a> {
    pub row: &'a [u32],
    pub uplift: &'a [f64],
    pub uplift_se: Option<&'a [f64]>,
    pub p_control: Option<&'a [f64]>,
    pub p_treated: Option<&'a [f64]>,
    pub response_score: Option<&'a [f64]>,
    pub id: Option<TextColumn<'a>>,
    pub archetype: Option<TextColumn<'a>>,
    pub review: Option<TextColumn<'a>>,
}

impl ScoreRows<'_> {
    /// Write the rows as CSV lines, after the header line when `header_line`.
    pub fn write_csv_part<W: Write>(&self, out: &mut W, header_line: bool) -> Result<()> {
        let n = self.uplift.len();
        let mut header = vec!["row", "uplift"];
        let numeric: Vec<(&str, &[f64])> = [
            ("uplift_se", self.uplift_se),
            ("p_control", self.p_control),
            ("p_treated", self.p_treated),
            ("response_score", self.response_score),
        ]
        .into_iter()
        .filter_map(|(name, col)| col.map(|c| (name, c)))
        .collect();
        header.extend(numeric.iter().map(|(name, _)| *name));
        let text: Vec<(&str, &TextColumn)> = [
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
            buf.clear();
            for i in r {
                buf.push_str(itoa::Buffer::new().format(self.row[i]));
                push_num(buf, self.uplift[i]);
                for (_, col) in &numeric {
                    push_num(buf, col[i]);
                }
                for (_, col) in &text {
                    push_cell(buf, col(i));
                }
                buf.push('\n');
            }
        };
        // Natively, chunks of rows are formatted on the thread pool (formatting floats is most of the time),
        // a batch of chunks at a time, and written in order; the batch's buffers are reused.
        const CHUNK: usize = 16_384;
        const BATCH: usize = 32;
        let chunks: Vec<std::ops::Range<usize>> = (0..n.div_ceil(CHUNK))
            .map(|c| c * CHUNK..((c + 1) * CHUNK).min(n))
            .collect();
        let mut bufs: Vec<String> = vec![String::new(); BATCH.min(chunks.len())];
        for batch in chunks.chunks(BATCH) {
            let bufs = &mut bufs[..batch.len()];
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
            for b in bufs.iter() {
                out.write_all(b.as_bytes()).map_err(io)?;
            }
        }
        Ok(())
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
        fn text_of(col: &Option<Vec<String>>) -> Option<TextColumn<'_>> {
            col.as_ref()
                .map(|c| Box::new(move |i: usize| c[i].as_str()) as TextColumn<'_>)
        }
        ScoreRows {
            row: &self.row,
            uplift: &self.uplift,
            uplift_se: self.uplift_se.as_deref(),
            p_control: self.p_control.as_deref(),
            p_treated: self.p_treated.as_deref(),
            response_score: self.response_score.as_deref(),
            id: text_of(&self.id),
            archetype: text_of(&self.archetype),
            review: text_of(&self.review),
        }
        .write_csv_part(out, header_line)
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

    /// `push_display` must write every finite f64 exactly as `{}` does: edge cases, random bit patterns (every
    /// magnitude), and random scores in [-1, 1] and (0, 1) (what SCORES.csv holds).
    #[test]
    fn numbers_are_written_exactly_as_display_writes_them() {
        use rand::{Rng, SeedableRng};
        let check = |v: f64| {
            let mut buf = String::new();
            push_display(&mut buf, v);
            assert_eq!(buf, format!("{v}"), "bits {:#x}", v.to_bits());
        };
        for v in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            1e-7,
            -1e-7,
            1.5e-5,
            1e-4,
            123456.0,
            1e15,
            1e16,
            1e17,
            1e20,
            1.2345e21,
            1e22,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            f64::EPSILON,
            1.0 / 3.0,
            0.30000000000000004,
            9007199254740993.0,
        ] {
            check(v);
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for _ in 0..200_000 {
            let v = f64::from_bits(rng.gen::<u64>());
            if v.is_finite() {
                check(v);
            }
            check(rng.gen_range(-1.0..1.0));
            check(rng.gen::<f64>() * 1e-3);
            // Near-ties: an odd 53-bit integer over 2, 4, …, 2²⁶ (exact decimals of 16 to 35 digits).
            let m = (rng.gen::<u64>() >> 11) | 1;
            check(m as f64 / f64::from(1u32 << rng.gen_range(1..27)));
        }
        // The tie found by the random test: ryu alone writes …147.2.
        check(f64::from_bits(0x431d_a7e6_898b_0aed));
        assert!(may_tie(f64::from_bits(0x431d_a7e6_898b_0aed)));
        // 0.25 = 1·2⁻² (exact decimal 25: 2 digits) and 0.1 (t = 55) cannot tie.
        assert!(!may_tie(0.25) && !may_tie(0.1) && !may_tie(0.0));
        // Through `push_num`: a comma first; nothing for NaN or infinite.
        let mut buf = String::new();
        push_num(&mut buf, 2.5e-8);
        push_num(&mut buf, f64::NAN);
        push_num(&mut buf, f64::NEG_INFINITY);
        assert_eq!(buf, ",0.000000025,,");
    }

    /// Text cells: unchanged when plain, else as `csv_cell` writes them (apostrophe before a formula start,
    /// quotes around commas and quotes).
    #[test]
    fn cells_are_written_as_csv_cell_writes_them() {
        for s in [
            "",
            "u1",
            "persuadable",
            "=1+1",
            "-x",
            "a,b",
            "say \"hi\"",
            "two\nlines",
            "@a,b",
        ] {
            let mut buf = String::new();
            push_cell(&mut buf, s);
            assert_eq!(buf, format!(",{}", csv_cell(s)));
        }
        let mut buf = String::new();
        push_cell(&mut buf, "-x");
        assert_eq!(buf, ",'-x");
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
