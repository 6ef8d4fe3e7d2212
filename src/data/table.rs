//! CSV ingest: bytes → typed columns (numbers and/or text levels), with delimiter sniffing; no roles here.
//!
//! The file is read once with the `csv` crate. Each column keeps its numbers (when every non-missing
//! value is one) and its distinct text levels (while there are few, or always for text columns).
//! Missing: empty, `NA`, `N/A`, `NaN`, `null`, `None`, `?` (any case). Decimal commas (`1,5`) are read when
//! the delimiter is not a comma, and thousands separators (`"1,234.5"`) are read too.

use std::collections::HashMap;

use serde::Serialize;

use crate::error::{Error, Result};

/// Numeric columns keep their text levels only while they have at most this many distinct values
/// (enough to recognise 0/1 treatment and outcome columns and category codes).
const NUMERIC_LEVELS_KEPT: usize = 64;

/// Text columns keep a table of their distinct values (level codes) while they have at most this many; a
/// column with more (ids, free text) keeps each row's text as read, in one buffer ([`Texts`]): a level table
/// costs about 130 bytes per distinct value (the text twice, its hash entry and code), 1.8 GB for the 14M
/// distinct ids of a Criteo-size file, where the buffer costs the text plus 8 bytes a row.
const TEXT_LEVELS_KEPT: usize = 1 << 16;

/// One column of the file.
#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    /// Parsed numbers, one per row (NaN = missing) — `None` when some value is not a number.
    pub numbers: Option<Vec<f64>>,
    /// Level index per row (`MISSING_CODE` = missing) — `None` for numeric columns with many distinct values.
    pub codes: Option<Vec<u32>>,
    /// The distinct non-missing texts, in order of first appearance.
    pub levels: Vec<String>,
    /// Rows with a missing value.
    pub missing: usize,
    /// Numbers that are infinite or too large ("inf", "1e999"); they count as missing.
    pub non_finite: usize,
    /// First value that is not a number, with its line, for messages.
    pub first_text: Option<(u64, String)>,
    /// Each row's text, for text columns with too many distinct values to code (then `codes` is `None`).
    pub texts: Option<Texts>,
}

/// The texts of a column with very many distinct values, row by row in one buffer (no allocation per value).
#[derive(Debug, Clone, Default)]
pub struct Texts {
    buf: String,
    /// End of row i's text in `buf` (it starts at the previous end); an empty text is a missing value.
    ends: Vec<usize>,
    /// Distinct non-missing texts.
    distinct: usize,
}

impl Texts {
    /// Rows.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The text of row i, `None` when it is missing.
    pub fn get(&self, i: usize) -> Option<&str> {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        let end = self.ends[i];
        (end > start).then(|| &self.buf[start..end])
    }

    /// Distinct non-missing texts.
    pub fn distinct(&self) -> usize {
        self.distinct
    }

    fn push(&mut self, text: Option<&str>) {
        if let Some(t) = text {
            self.buf.push_str(t);
        }
        self.ends.push(self.buf.len());
    }

    /// Count the distinct texts once every row is in.
    fn count_distinct(&mut self) {
        let mut seen: std::collections::HashSet<&str> =
            std::collections::HashSet::with_capacity(self.len());
        for i in 0..self.len() {
            if let Some(t) = self.get(i) {
                seen.insert(t);
            }
        }
        self.distinct = seen.len();
    }
}

/// Code of a missing value in `Column::codes`.
pub const MISSING_CODE: u32 = u32::MAX;

/// What a column holds, as the page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ColumnKind {
    /// Numbers only (or missing).
    Numeric,
    /// Text with a modest number of distinct values.
    Categorical,
    /// Text with many distinct values (ids, free text).
    Text,
    /// Nothing but missing values.
    Empty,
}

impl Column {
    pub fn kind(&self) -> ColumnKind {
        if self.missing == self.len() {
            ColumnKind::Empty
        } else if self.numbers.is_some() {
            ColumnKind::Numeric
        } else if self.texts.is_none() && self.levels.len() <= 1000 {
            ColumnKind::Categorical
        } else {
            ColumnKind::Text
        }
    }

    pub fn len(&self) -> usize {
        self.numbers
            .as_ref()
            .map(Vec::len)
            .or(self.codes.as_ref().map(Vec::len))
            .or(self.texts.as_ref().map(Texts::len))
            .unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text of row i as it was read (numbers of many-valued numeric columns are re-printed).
    pub fn text(&self, i: usize) -> Option<String> {
        if let Some(codes) = &self.codes {
            let c = codes[i];
            return (c != MISSING_CODE).then(|| self.levels[c as usize].clone());
        }
        if let Some(texts) = &self.texts {
            return texts.get(i).map(str::to_string);
        }
        self.numbers
            .as_ref()
            .and_then(|v| (!v[i].is_nan()).then(|| format!("{}", v[i])))
    }

    /// Distinct values when they are known (text columns, and numeric ones with few values).
    pub fn distinct(&self) -> Option<usize> {
        self.codes
            .as_ref()
            .map(|_| self.levels.len())
            .or(self.texts.as_ref().map(Texts::distinct))
    }

    /// Up to `k` distinct texts, in order of first appearance (for the column list).
    pub fn examples(&self, k: usize) -> Vec<String> {
        let Some(texts) = &self.texts else {
            return self.levels.iter().take(k).cloned().collect();
        };
        let mut out: Vec<String> = Vec::with_capacity(k);
        for i in 0..texts.len() {
            if out.len() == k {
                break;
            }
            if let Some(t) = texts.get(i) {
                if !out.iter().any(|o| o == t) {
                    out.push(t.to_string());
                }
            }
        }
        out
    }
}

/// A parsed CSV file: named columns of equal length.
#[derive(Debug, Clone)]
pub struct Table {
    pub columns: Vec<Column>,
    pub n_rows: usize,
    pub delimiter: u8,
    /// File line on which each data row starts (1-based, header = line 1).
    pub lines: Vec<u32>,
}

impl Table {
    /// Parse a CSV file's bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Table> {
        let text = check_text(bytes)?;
        let delimiter = sniff_delimiter(text);
        if let Some(line) = unclosed_quote(text, delimiter) {
            return Err(Error::UnclosedQuote { line });
        }
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(true)
            .flexible(false)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| csv_error(text, e))?.clone();
        // A delimiter at the end of every line (some exports do this) gives a last column with no name;
        // it is dropped when it holds nothing, and reported as unnamed otherwise.
        let trailing_blank = headers.len() > 1 && headers.iter().next_back() == Some("");
        let named: csv::StringRecord = if trailing_blank {
            headers.iter().take(headers.len() - 1).collect()
        } else {
            headers.clone()
        };
        let mut names = check_headers(&named)?;
        if trailing_blank {
            names.push(String::new());
        }
        // Every record ends a line and holds a byte per field at least (its delimiters and line end), so both
        // the line count and bytes / columns bound the rows (quoted line breaks make the first loose):
        // reserving it up front spares the copies (and the up-to-double capacity) of growing vectors, and
        // costs at most 12 bytes per byte of file; untouched capacity costs no memory natively.
        let rows_bound = (text.bytes().filter(|&b| b == b'\n').count() + 1)
            .min(text.len() / names.len().max(1) + 1);
        let mut builders: Vec<ColumnBuilder> = names
            .into_iter()
            .map(|n| ColumnBuilder::new(n, rows_bound))
            .collect();
        let mut lines = Vec::with_capacity(rows_bound);
        let mut record = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_error(text, e)),
            }
            // A line with nothing on it at all is skipped (trailing blank lines).
            if record.len() == 1 && record[0].is_empty() && builders.len() > 1 {
                continue;
            }
            let line = record.position().map_or(0, |p| line_of(text, p));
            lines.push(u32::try_from(line).unwrap_or(u32::MAX));
            for (b, field) in builders.iter_mut().zip(record.iter()) {
                b.push(field, line, delimiter);
            }
        }
        if lines.is_empty() {
            return Err(Error::NoDataRows);
        }
        let mut columns: Vec<Column> = builders.into_iter().map(ColumnBuilder::finish).collect();
        if trailing_blank {
            match columns.pop() {
                Some(c) if c.missing == c.len() => {}
                _ => {
                    return Err(Error::BlankHeader {
                        position: headers.len(),
                    })
                }
            }
        }
        Ok(Table {
            n_rows: lines.len(),
            columns,
            delimiter,
            lines,
        })
    }

    /// The column called `name` (exact match), or a plain-words error listing the columns.
    pub fn column(&self, name: &str) -> Result<&Column> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| Error::UnknownColumn {
                name: name.to_string(),
                available: self
                    .columns
                    .iter()
                    .map(|c| format!("“{}”", c.name))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// Line of data row i in the file.
    pub fn line(&self, i: usize) -> u64 {
        u64::from(self.lines[i])
    }
}

/// Reject what is not UTF-8 text, say what it probably is, and strip a UTF-8 byte-order mark.
fn check_text(bytes: &[u8]) -> Result<&str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::EmptyFile);
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(Error::NotUtf8 {
            detail: "it is saved as UTF-16".into(),
        });
    }
    if let Some(offset) = bytes
        .iter()
        .take(1 << 16)
        .position(|&b| b == 0 || (b < 0x20 && !b"\t\r\n\x0c".contains(&b)))
    {
        return Err(Error::NotText { offset });
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        Error::NotUtf8 {
            detail: format!(
                "line {line} has a character that is not UTF-8, probably Latin-1 or Windows-1252"
            ),
        }
    })
}

/// Pick the delimiter (comma, semicolon or tab) that splits the first lines most consistently.
fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let mut best = (b',', 0usize);
    for d in [b',', b';', b'\t'] {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        let first = counts.first().copied().unwrap_or(0);
        // Score: fields in the header when every sampled line agrees; else half of it.
        let consistent = counts.iter().all(|&c| c == first);
        let score = if consistent { first * 2 } else { first };
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, d: u8) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for &b in line.as_bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == d && !quoted {
            n += 1;
        }
    }
    n
}

fn check_headers(headers: &csv::StringRecord) -> Result<Vec<String>> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut names = Vec::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        if h.is_empty() {
            return Err(Error::BlankHeader { position: i + 1 });
        }
        if let Some(&first) = seen.get(h) {
            return Err(Error::DuplicateHeader {
                name: h.to_string(),
                first: first + 1,
                second: i + 1,
            });
        }
        seen.insert(h, i);
        names.push(h.to_string());
    }
    Ok(names)
}

/// The line of a quote that opens a field and is never closed (the reader would swallow the rest of the file
/// into that one field). Same rules as the reader: a quote opens a field only at its start, `""` inside
/// quotes is an escaped quote.
fn unclosed_quote(text: &str, delimiter: u8) -> Option<u64> {
    let bytes = text.as_bytes();
    let (mut line, mut open_line) = (1u64, 0u64);
    let (mut in_quote, mut at_start) = (false, true);
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if in_quote {
            if c == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    in_quote = false;
                }
            } else if c == b'\n' {
                line += 1;
            }
        } else {
            if c == b'"' && at_start {
                in_quote = true;
                open_line = line;
            }
            at_start = c == delimiter || c == b'\n' || c == b'\r';
            if c == b'\n' {
                line += 1;
            }
        }
        i += 1;
    }
    in_quote.then_some(open_line)
}

/// The file line of a position. With CRLF endings the reader places a record's start on the LF that
/// ends the previous line; such a record really starts on the next line.
fn line_of(text: &str, p: &csv::Position) -> u64 {
    let on_lf = text.as_bytes().get(p.byte() as usize) == Some(&b'\n');
    p.line() + u64::from(on_lf)
}

fn csv_error(text: &str, e: csv::Error) -> Error {
    let line = e.position().map_or(0, |p| line_of(text, p));
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len,
            len,
            pos,
        } => Error::Ragged {
            line: pos.as_ref().map_or(line, |p| line_of(text, p)),
            expected: *expected_len as usize,
            found: *len as usize,
        },
        csv::ErrorKind::Utf8 { .. } => Error::NotUtf8 {
            detail: format!("line {line} is not valid UTF-8"),
        },
        _ => Error::Csv {
            line,
            detail: e.to_string(),
        },
    }
}

/// True for the texts that mean "no value".
pub fn is_missing(s: &str) -> bool {
    s.is_empty()
        || s == "?"
        || ["na", "n/a", "nan", "null", "none"]
            .iter()
            .any(|m| s.eq_ignore_ascii_case(m))
}

/// Read a number, accepting a decimal comma (when the delimiter is not a comma) and thousands separators.
pub fn parse_number(s: &str, delimiter: u8) -> Option<f64> {
    if let Ok(v) = s.parse::<f64>() {
        // Rust also reads "inf" and "infinity": keep them (callers count non-finite values).
        return Some(v);
    }
    let b = s.as_bytes();
    let commas = b.iter().filter(|&&c| c == b',').count();
    if commas == 0 {
        return None;
    }
    let dots = b.iter().filter(|&&c| c == b'.').count();
    if delimiter != b',' && commas == 1 && dots == 0 {
        return s.replace(',', ".").parse().ok();
    }
    // Thousands separators: 1,234 or 1,234,567.89 (groups of exactly three digits).
    let (int_part, frac) = s.split_once('.').unwrap_or((s, ""));
    let int_digits = int_part.strip_prefix('-').unwrap_or(int_part);
    let groups: Vec<&str> = int_digits.split(',').collect();
    let ok = !groups[0].is_empty()
        && groups[0].len() <= 3
        && groups.iter().all(|g| g.bytes().all(|c| c.is_ascii_digit()))
        && groups[1..].iter().all(|g| g.len() == 3)
        && frac.bytes().all(|c| c.is_ascii_digit());
    if ok {
        s.replace(',', "").parse().ok()
    } else {
        None
    }
}

struct ColumnBuilder {
    name: String,
    numbers: Option<Vec<f64>>,
    codes: Option<Vec<u32>>,
    levels: Vec<String>,
    index: HashMap<String, u32>,
    texts: Option<Texts>,
    missing: usize,
    non_finite: usize,
    first_text: Option<(u64, String)>,
    rows: usize,
}

impl ColumnBuilder {
    /// A column of at most `rows_bound` rows (the vectors reserve that much).
    fn new(name: String, rows_bound: usize) -> Self {
        Self {
            name,
            numbers: Some(Vec::with_capacity(rows_bound)),
            codes: Some(Vec::with_capacity(rows_bound)),
            levels: Vec::new(),
            index: HashMap::new(),
            texts: None,
            missing: 0,
            non_finite: 0,
            first_text: None,
            rows: 0,
        }
    }

    fn push(&mut self, field: &str, line: u64, delimiter: u8) {
        self.rows += 1;
        if is_missing(field) {
            self.missing += 1;
            if let Some(v) = &mut self.numbers {
                v.push(f64::NAN);
            }
            if let Some(c) = &mut self.codes {
                c.push(MISSING_CODE);
            }
            if let Some(t) = &mut self.texts {
                t.push(None);
            }
            return;
        }
        if self.numbers.is_some() {
            match parse_number(field, delimiter) {
                Some(x) => {
                    let x = if x.is_finite() {
                        x
                    } else {
                        self.non_finite += 1;
                        self.missing += 1;
                        f64::NAN
                    };
                    if let Some(v) = &mut self.numbers {
                        v.push(x);
                    }
                }
                None => self.become_text(field, line),
            }
        }
        if self.codes.is_some() {
            self.push_code(field);
        } else if let Some(t) = &mut self.texts {
            t.push(Some(field));
        }
    }

    /// A value that is not a number: from now on this is a text column.
    fn become_text(&mut self, field: &str, line: u64) {
        self.first_text = Some((line, field.chars().take(80).collect()));
        let numbers = self.numbers.take().unwrap_or_default();
        if self.codes.is_none() {
            // The level table was dropped for having many numbers: rebuild it from the numbers read so far.
            self.codes = Some(Vec::with_capacity(numbers.capacity()));
            for x in &numbers {
                if x.is_nan() {
                    self.store_text(None);
                } else {
                    self.store_text(Some(&format!("{x}")));
                }
            }
        }
    }

    /// Store one text value (`None` = missing) of a text column: as a level code while there are few
    /// distinct values, as text once there are too many.
    fn store_text(&mut self, text: Option<&str>) {
        if let Some(t) = &mut self.texts {
            t.push(text);
            return;
        }
        let c = match text {
            Some(s) => self.code_of(s),
            None => MISSING_CODE,
        };
        if let Some(codes) = &mut self.codes {
            codes.push(c);
        }
        if self.levels.len() > TEXT_LEVELS_KEPT {
            self.codes_to_texts();
        }
    }

    /// Too many distinct texts to code: keep each row's text instead, and drop the level table.
    fn codes_to_texts(&mut self) {
        let codes = self.codes.take().unwrap_or_default();
        let mut texts = Texts {
            buf: String::new(),
            ends: Vec::with_capacity(codes.capacity()),
            distinct: 0,
        };
        for &c in &codes {
            texts.push((c != MISSING_CODE).then(|| self.levels[c as usize].as_str()));
        }
        self.texts = Some(texts);
        self.levels = Vec::new();
        self.index = HashMap::new();
    }

    fn code_of(&mut self, field: &str) -> u32 {
        if let Some(&c) = self.index.get(field) {
            return c;
        }
        let c = self.levels.len() as u32;
        self.levels.push(field.to_string());
        self.index.insert(field.to_string(), c);
        c
    }

    fn push_code(&mut self, field: &str) {
        let many = self.numbers.is_some()
            && self.levels.len() >= NUMERIC_LEVELS_KEPT
            && !self.index.contains_key(field);
        if many {
            // A numeric column with many values: its numbers are enough.
            self.codes = None;
            self.levels.clear();
            self.index = HashMap::new();
            return;
        }
        self.store_text(Some(field));
    }

    fn finish(mut self) -> Column {
        if let Some(t) = &mut self.texts {
            t.count_distinct();
        }
        Column {
            name: self.name,
            numbers: self.numbers,
            codes: self.codes,
            levels: self.levels,
            missing: self.missing,
            non_finite: self.non_finite,
            first_text: self.first_text,
            texts: self.texts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Table> {
        Table::from_bytes(s.as_bytes())
    }

    #[test]
    fn reads_numbers_text_and_missing() {
        let t = parse("id,x,group\r\na,1.5,ctl\r\nb,NA,trt\r\nc,-2,trt\r\n").unwrap();
        assert_eq!(t.n_rows, 3);
        assert_eq!(t.delimiter, b',');
        let x = t.column("x").unwrap();
        assert_eq!(x.kind(), ColumnKind::Numeric);
        let v = x.numbers.as_ref().unwrap();
        assert_eq!((v[0], v[1].is_nan(), v[2]), (1.5, true, -2.0));
        assert_eq!(x.missing, 1);
        let g = t.column("group").unwrap();
        assert_eq!(g.kind(), ColumnKind::Categorical);
        assert_eq!(g.levels, vec!["ctl", "trt"]);
        assert_eq!(g.codes.as_ref().unwrap(), &vec![0, 1, 1]);
        assert_eq!(t.lines, vec![2, 3, 4]);
    }

    #[test]
    fn sniffs_semicolons_with_decimal_commas_and_tabs() {
        let t = parse("a;b\n1,5;2\n3;4,25\n").unwrap();
        assert_eq!(t.delimiter, b';');
        assert_eq!(
            t.column("a").unwrap().numbers.as_ref().unwrap(),
            &vec![1.5, 3.0]
        );
        assert_eq!(
            t.column("b").unwrap().numbers.as_ref().unwrap(),
            &vec![2.0, 4.25]
        );
        let t = parse("a\tb\n1\t2\n").unwrap();
        assert_eq!(t.delimiter, b'\t');
    }

    #[test]
    fn quoted_fields_thousands_and_bom() {
        let t =
            parse("\u{feff}name,amount\n\"Smith, J\",\"1,234.50\"\n\"two\nlines\",7\n").unwrap();
        assert_eq!(
            t.column("name").unwrap().levels,
            vec!["Smith, J", "two\nlines"]
        );
        assert_eq!(
            t.column("amount").unwrap().numbers.as_ref().unwrap(),
            &vec![1234.5, 7.0]
        );
        assert_eq!(
            t.lines,
            vec![2, 3],
            "the record spanning lines 3-4 starts on line 3"
        );
    }

    #[test]
    fn non_finite_numbers_count_as_missing() {
        let t = parse("x\n1\ninf\n1e999\n").unwrap();
        let c = t.column("x").unwrap();
        assert_eq!((c.non_finite, c.missing), (2, 2));
    }

    #[test]
    fn a_late_text_value_turns_a_many_valued_number_column_into_text() {
        let mut s = String::from("x\n");
        for i in 0..100 {
            s.push_str(&format!("{i}\n"));
        }
        s.push_str("oops\n");
        let c = parse(&s).unwrap().columns.remove(0);
        assert!(c.numbers.is_none());
        assert_eq!(c.levels.len(), 101);
        assert_eq!(c.text(5).as_deref(), Some("5"));
        assert_eq!(c.first_text, Some((102, "oops".to_string())));
    }

    #[test]
    fn messages_for_broken_files() {
        let msg = |s: &[u8]| Table::from_bytes(s).unwrap_err().to_string();
        assert_eq!(
            msg(b""),
            "The file is empty. Choose a CSV file with a header row and at least one data row."
        );
        assert_eq!(msg(b"a,b\n"), "The file has a header row but no data rows. Add the rows of your test below the header.");
        assert_eq!(
            msg(b"a,b\r\n1,2\r\n3\r\n"),
            "Line 3: expected 2 fields like the header, but found 1. Check for a missing or extra separator on that line."
        );
        assert_eq!(
            msg(b"a,,c\n1,2,3\n"),
            "Column 2 has no name in the header row. Give every column a name."
        );
        assert_eq!(
            msg(b"a,b,a\n1,2,3\n"),
            "The header names the column “a” twice (columns 1 and 3). Rename one of them."
        );
        assert_eq!(
            msg(b"\xFF\xFEa\x00"),
            "The file is not UTF-8 text (it is saved as UTF-16). Save it as “CSV UTF-8” in your spreadsheet program and try again."
        );
        assert_eq!(
            msg(b"name\ncaf\xE9\n"),
            "The file is not UTF-8 text (line 2 has a character that is not UTF-8, probably Latin-1 or Windows-1252). Save it as “CSV UTF-8” in your spreadsheet program and try again."
        );
        assert!(msg(b"PK\x03\x04\x00\x00").starts_with("This does not look like a text CSV file"));
        // The quote opened on line 3 never closes; escaped quotes ("") and quotes inside a value do not count.
        assert_eq!(
            msg(b"a,b\n\"x \"\"y\"\"\",5\"\n1,\"2\n3,4\n"),
            "Line 3: a quoted value opens with \" and never closes, so the rest of the file would be read as one value. Add the missing closing quote (or remove the stray one) and try again."
        );
    }

    #[test]
    fn a_text_column_with_very_many_values_keeps_its_texts_instead_of_codes() {
        // 70,000 rows: ids u0…u69999 (one missing, row 3), so 69,999 distinct texts > TEXT_LEVELS_KEPT.
        let mut s = String::from("id,g\n");
        for i in 0..70_000 {
            if i == 3 {
                s.push_str(",a\n");
            } else {
                s.push_str(&format!("u{i},{}\n", ["a", "b"][i % 2]));
            }
        }
        let t = parse(&s).unwrap();
        let id = t.column("id").unwrap();
        assert!(id.codes.is_none() && id.levels.is_empty());
        assert_eq!(id.kind(), ColumnKind::Text);
        assert_eq!(
            (id.len(), id.missing, id.distinct()),
            (70_000, 1, Some(69_999))
        );
        assert_eq!(id.text(0).as_deref(), Some("u0"));
        assert_eq!(id.text(3), None);
        assert_eq!(id.text(69_999).as_deref(), Some("u69999"));
        assert_eq!(id.examples(3), vec!["u0", "u1", "u2"]);
        // A few-valued column keeps its codes.
        let g = t.column("g").unwrap();
        assert_eq!((g.levels.len(), g.codes.as_ref().unwrap()[1]), (2, 1));
        assert!(g.texts.is_none());
    }

    #[test]
    fn a_late_text_value_in_a_column_of_very_many_numbers_keeps_texts() {
        // 70,000 distinct numbers then a text: rebuilt as texts, not as 70,001 level codes.
        let mut s = String::from("x\n");
        for i in 0..70_000 {
            s.push_str(&format!("{i}\n"));
        }
        s.push_str("oops\n");
        let c = parse(&s).unwrap().columns.remove(0);
        assert!(c.numbers.is_none() && c.codes.is_none());
        assert_eq!(c.distinct(), Some(70_001));
        assert_eq!(c.text(5).as_deref(), Some("5"));
        assert_eq!(c.text(70_000).as_deref(), Some("oops"));
        assert_eq!(c.first_text, Some((70_002, "oops".to_string())));
    }

    #[test]
    fn parse_number_rules() {
        assert_eq!(parse_number("1,5", b';'), Some(1.5));
        assert_eq!(
            parse_number("1,5", b','),
            None,
            "with a comma delimiter 1,5 is not a number"
        );
        assert_eq!(parse_number("12,345,678.9", b','), Some(12_345_678.9));
        assert_eq!(parse_number("1,23", b','), None);
        assert_eq!(parse_number("abc", b';'), None);
    }
}
