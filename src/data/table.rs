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

    /// Append the rows of `other`.
    fn append(&mut self, other: &Texts) {
        let base = self.buf.len();
        self.buf.push_str(&other.buf);
        self.ends.extend(other.ends.iter().map(|e| base + e));
    }

    /// Count the distinct texts once every row is in. Natively the texts are shared out among the threads by
    /// their hash (each thread counts the distinct texts of its share: a text's copies all fall in one share).
    fn count_distinct(&mut self) {
        #[cfg(not(target_arch = "wasm32"))]
        let shares = if self.len() >= 1 << 16 {
            rayon::current_num_threads().clamp(1, 16)
        } else {
            1
        };
        #[cfg(target_arch = "wasm32")]
        let shares = 1;
        let count = |share: usize| {
            let mut seen: std::collections::HashSet<&str, FastHash> =
                std::collections::HashSet::with_capacity_and_hasher(
                    self.len() / shares + 1,
                    FastHash::default(),
                );
            for i in 0..self.len() {
                if let Some(t) = self.get(i) {
                    if shares == 1 || text_hash(t) % shares as u64 == share as u64 {
                        seen.insert(t);
                    }
                }
            }
            seen.len()
        };
        #[cfg(not(target_arch = "wasm32"))]
        let distinct = {
            use rayon::prelude::*;
            (0..shares).into_par_iter().map(count).sum()
        };
        #[cfg(target_arch = "wasm32")]
        let distinct = count(0);
        self.distinct = distinct;
    }
}

/// A hash of a text for sharing texts out (the top bits of the level tables' hash, which index the tables).
fn text_hash(t: &str) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = FastHash::default().build_hasher();
    h.write(t.as_bytes());
    h.finish() >> 40
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

    /// [`Column::text`] without a copy when the column holds the text (levels, texts).
    pub fn text_ref(&self, i: usize) -> Option<std::borrow::Cow<'_, str>> {
        if let Some(codes) = &self.codes {
            let c = codes[i];
            return (c != MISSING_CODE).then(|| self.levels[c as usize].as_str().into());
        }
        if let Some(texts) = &self.texts {
            return texts.get(i).map(Into::into);
        }
        self.text(i).map(Into::into)
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
    /// Parse a CSV file's bytes. Natively, a large file without quotes is read in parallel parts (one per
    /// thread) and joined: the table is the same as a serial read's ([`Table::from_bytes_in_parts`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Table> {
        Table::from_bytes_in_parts(bytes, default_parts(bytes.len()))
    }

    /// Parse a CSV file's bytes read as up to `parts` pieces split at line ends (natively in parallel, in wasm one
    /// after another). Every `parts` gives the same table and the same errors as `parts = 1`, and as
    /// [`Table::from_bytes_by_csv_reader`]: a file with a `"` is read in one piece by the `csv` crate (a line end
    /// may sit inside a quoted value); a file without is cut into records and fields by [`read_plain_rows`]
    /// (there every line end ends a record and every delimiter ends a field), and when joining two pieces cannot
    /// reproduce what a serial read would have kept (a column that turns from numbers to text in a later piece,
    /// see [`ColumnBuilder::join`]) the file is read again in one piece.
    pub fn from_bytes_in_parts(bytes: &[u8], parts: usize) -> Result<Table> {
        Table::read(bytes, Some(parts))
    }

    /// The reference read: every record through the `csv` crate, serially (`from_bytes` gives the same table
    /// and errors faster; the tests compare the two).
    pub fn from_bytes_by_csv_reader(bytes: &[u8]) -> Result<Table> {
        Table::read(bytes, None)
    }

    /// `parts`: `None` = the `csv` crate's reader in one piece; `Some(k)`: up to k pieces when the file has no `"`.
    fn read(bytes: &[u8], parts: Option<usize>) -> Result<Table> {
        let text = check_text(bytes)?;
        let delimiter = sniff_delimiter(text);
        let quoted = text.as_bytes().contains(&b'"');
        if quoted {
            if let Some(line) = unclosed_quote(text, delimiter) {
                return Err(Error::UnclosedQuote { line });
            }
        }
        let mut reader = csv_reader(text.as_bytes(), delimiter, true);
        let headers = reader.headers().map_err(|e| csv_error(text, 0, e))?.clone();
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
        let (builders, lines) = match parts {
            Some(parts) if !quoted => read_plain(text, delimiter, parts, &names)?,
            _ => {
                // Every record ends a line and holds a byte per field at least (its delimiters and line end), so
                // both the line count and bytes / columns bound the rows (quoted line breaks make the first
                // loose): reserving it up front spares the copies (and the up-to-double capacity) of growing
                // vectors, and costs at most 12 bytes per byte of file; untouched capacity costs no memory natively.
                let rows_bound =
                    (count_newlines(text.as_bytes()) + 1).min(text.len() / names.len().max(1) + 1);
                let mut builders: Vec<ColumnBuilder> = names
                    .into_iter()
                    .map(|n| ColumnBuilder::new(n, rows_bound))
                    .collect();
                let mut lines = Vec::with_capacity(rows_bound);
                read_rows(&mut reader, text, 0, &mut builders, &mut lines, delimiter)?;
                (builders, lines)
            }
        };
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

/// The file line of a position. The reader places a record's start where the previous record ended: on the LF
/// that ends the previous line with CRLF endings, and before any blank lines it skipped; the record really starts
/// after those line ends.
fn line_of(text: &str, p: &csv::Position) -> u64 {
    let rest = text.as_bytes().get(p.byte() as usize..).unwrap_or_default();
    let skipped = rest
        .iter()
        .take_while(|&&b| b == b'\n' || b == b'\r')
        .filter(|&&b| b == b'\n')
        .count();
    p.line() + skipped as u64
}

fn csv_error(text: &str, line_base: u64, e: csv::Error) -> Error {
    let line_of = |text: &str, p: &csv::Position| line_base + line_of(text, p);
    let line = e.position().map_or(line_base, |p| line_of(text, p));
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

/// The reader every piece of a file is read with: fields are trimmed by [`read_rows`] (`str::trim`, as the
/// reader's own `Trim::All` does for text records) and their count checked there, against the header's.
fn csv_reader(bytes: &[u8], delimiter: u8, headers: bool) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(headers)
        .flexible(true)
        .trim(csv::Trim::Headers)
        .from_reader(bytes)
}

/// Read the data records of `reader` into the builders, a row each with its file line. `text` is what the reader
/// reads (the file, or a piece of it starting after a line end) and `line_base` the lines before it.
///
/// Fields are taken as bytes, not as text records: the file was checked to be UTF-8 as a whole, and fields are
/// cut at ASCII bytes (delimiter, quote, line end), so each is UTF-8 too; text records would check every record
/// again and build a second, trimmed record per row.
fn read_rows(
    reader: &mut csv::Reader<&[u8]>,
    text: &str,
    line_base: u64,
    builders: &mut [ColumnBuilder],
    lines: &mut Vec<u32>,
    delimiter: u8,
) -> Result<()> {
    let expected = builders.len();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(e) => return Err(csv_error(text, line_base, e)),
        }
        // (The reader skips lines with nothing on them; a line of blanks is a record of one field.)
        let line = line_base + record.position().map_or(0, |p| line_of(text, p));
        if record.len() != expected {
            return Err(Error::Ragged {
                line,
                expected,
                found: record.len(),
            });
        }
        lines.push(u32::try_from(line).unwrap_or(u32::MAX));
        for (b, field) in builders.iter_mut().zip(record.iter()) {
            b.push_raw(field, line, delimiter)?;
        }
    }
}

/// How many pieces [`Table::from_bytes`] reads a file in: one per thread natively for files of 4 MB and more,
/// one in wasm (single-threaded).
fn default_parts(len: usize) -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    if len >= 4 << 20 {
        return rayon::current_num_threads().clamp(1, 16);
    }
    let _ = len;
    1
}

/// Where the data rows of a file without `"` start: the line end that ends the header, its first record (the
/// reader skips line ends before it); the text's length when there is none.
fn plain_data_start(bytes: &[u8]) -> usize {
    let first = bytes
        .iter()
        .position(|&b| b != b'\n' && b != b'\r')
        .unwrap_or(bytes.len());
    bytes[first..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(bytes.len(), |i| first + i)
}

/// Byte offsets that cut `bytes[start..]` into up to `parts` pieces of about equal size: `start`, then offsets
/// just after a `\n`, then the length. Only for a file without `"`: there every `\n` ends a record.
fn split_points(bytes: &[u8], start: usize, parts: usize) -> Vec<usize> {
    let mut out = vec![start];
    let len = bytes.len();
    for k in 1..parts.max(1) {
        let target = start + (len - start) / parts * k;
        let from = target.max(out.last().copied().unwrap_or(start));
        let Some(i) = bytes
            .get(from..)
            .and_then(|b| b.iter().position(|&c| c == b'\n'))
        else {
            break;
        };
        let p = from + i + 1;
        if p < len && out.last() != Some(&p) {
            out.push(p);
        }
    }
    out.push(len);
    out
}

fn count_newlines(bytes: &[u8]) -> usize {
    // Blocks of 255 bytes summed in a byte (no overflow): this compiles to whole vector registers of bytes
    // compared and added at once, where a count in a usize widens every byte first (several times slower).
    bytes
        .chunks(255)
        .map(|c| usize::from(c.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n'))))
        .sum()
}

/// The data rows of a file without `"` (`text`, from after its header), read in up to `parts` pieces (in
/// parallel natively) and joined in order into one set of column builders and row lines, or read again in one
/// piece when some column cannot be joined exactly (see [`ColumnBuilder::join`]). An error is the first piece's
/// error, the one a serial read meets first.
fn read_plain(
    text: &str,
    delimiter: u8,
    parts: usize,
    names: &[String],
) -> Result<(Vec<ColumnBuilder>, Vec<u32>)> {
    let bytes = text.as_bytes();
    let start = plain_data_start(bytes);
    let cuts = split_points(bytes, start, parts);
    let pieces: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
    // Line ends per piece: the line each piece starts on, and a bound on its records.
    #[cfg(not(target_arch = "wasm32"))]
    let newlines: Vec<usize> = {
        use rayon::prelude::*;
        pieces
            .par_iter()
            .map(|&(a, b)| count_newlines(&bytes[a..b]))
            .collect()
    };
    #[cfg(target_arch = "wasm32")]
    let newlines: Vec<usize> = pieces
        .iter()
        .map(|&(a, b)| count_newlines(&bytes[a..b]))
        .collect();
    let first_line = count_newlines(&bytes[..start]) as u64 + 1;
    let columns = names.len().max(1);
    // Every record ends a line (or the file) and holds a byte per field at least, so both bound the rows;
    // a line end may also be `\r` alone, so this is a bound for common files only, not for all (vectors grow).
    let bound = |lines: usize, len: usize| (lines + 1).min(len / columns + 1);
    let all = bound(newlines.iter().sum(), bytes.len() - start);
    if pieces.len() > 1 {
        if let Some(read) = read_plain_pieces(
            text, delimiter, &pieces, &newlines, first_line, names, all, &bound,
        )? {
            return Ok(read);
        }
    }
    let mut builders: Vec<ColumnBuilder> = names
        .iter()
        .map(|n| ColumnBuilder::new(n.clone(), all))
        .collect();
    let mut lines = Vec::with_capacity(all);
    read_plain_rows(
        text,
        start,
        bytes.len(),
        first_line,
        &mut builders,
        &mut lines,
        delimiter,
    )?;
    Ok((builders, lines))
}

/// [`read_plain`] of two or more pieces; `Ok(None)` when some column cannot be joined exactly.
#[allow(clippy::too_many_arguments)]
fn read_plain_pieces(
    text: &str,
    delimiter: u8,
    pieces: &[(usize, usize)],
    newlines: &[usize],
    first_line: u64,
    names: &[String],
    all: usize,
    bound: &dyn Fn(usize, usize) -> usize,
) -> Result<Option<(Vec<ColumnBuilder>, Vec<u32>)>> {
    // Every piece's columns are made here, on the calling thread, with room for all their rows (the first piece's
    // for every row: the others are appended to it). The threads only fill them, so the memory of the pieces
    // freed after joining goes back to this thread's heap (and is reused), not to a reading thread's, where it
    // would stay resident.
    let mut line = first_line;
    let empty: Vec<(Vec<ColumnBuilder>, Vec<u32>, u64)> = pieces
        .iter()
        .zip(newlines)
        .enumerate()
        .map(|(k, (&(a, b), &n))| {
            let rows = if k == 0 { all } else { bound(n, b - a) };
            let builders = names
                .iter()
                .map(|n| ColumnBuilder::new(n.clone(), rows))
                .collect();
            let starts_on = line;
            line += n as u64;
            (builders, Vec::with_capacity(rows), starts_on)
        })
        .collect();
    let read_piece =
        |(k, (mut builders, mut lines, line)): (usize, (Vec<ColumnBuilder>, Vec<u32>, u64))| {
            let (a, b) = pieces[k];
            read_plain_rows(text, a, b, line, &mut builders, &mut lines, delimiter)?;
            Ok((builders, lines))
        };
    #[cfg(not(target_arch = "wasm32"))]
    let read: Vec<Result<(Vec<ColumnBuilder>, Vec<u32>)>> = {
        use rayon::prelude::*;
        empty.into_par_iter().enumerate().map(read_piece).collect()
    };
    #[cfg(target_arch = "wasm32")]
    let read: Vec<Result<(Vec<ColumnBuilder>, Vec<u32>)>> =
        empty.into_iter().enumerate().map(read_piece).collect();
    let mut read = read.into_iter().collect::<Result<Vec<_>>>()?.into_iter();
    let Some((mut builders, mut lines)) = read.next() else {
        return Ok(None);
    };
    for (part, part_lines) in read {
        lines.extend_from_slice(&part_lines);
        // Each column joins on its own (natively the columns in parallel).
        #[cfg(not(target_arch = "wasm32"))]
        let joined: Vec<bool> = {
            use rayon::prelude::*;
            builders
                .par_iter_mut()
                .zip(part)
                .map(|(b, p)| b.join(p))
                .collect()
        };
        #[cfg(target_arch = "wasm32")]
        let joined: Vec<bool> = builders
            .iter_mut()
            .zip(part)
            .map(|(b, p)| b.join(p))
            .collect();
        if !joined.iter().all(|&j| j) {
            return Ok(None);
        }
    }
    Ok(Some((builders, lines)))
}

/// Read the records of `text[from..to]`, a piece of a file without `"` that starts where a record may start (the
/// file's data start, or just after a `\n`), into the builders, a row each with its file line; `line` is the
/// line byte `from` is on. The records, fields and lines are the `csv` crate reader's for such text ([`read_rows`]):
/// `\n`, `\r` and `\r\n` end a record, line ends with nothing between them are skipped, every delimiter ends a
/// field; a record's line is one more than the `\n`s before it. Fields are cut at ASCII bytes, so each is text.
fn read_plain_rows(
    text: &str,
    from: usize,
    to: usize,
    mut line: u64,
    builders: &mut [ColumnBuilder],
    lines: &mut Vec<u32>,
    delimiter: u8,
) -> Result<()> {
    let bytes = text.as_bytes();
    let to = to.min(bytes.len());
    let expected = builders.len();
    let mut i = from;
    while i < to {
        match bytes[i] {
            b'\n' => {
                line += 1;
                i += 1;
                continue;
            }
            b'\r' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        lines.push(u32::try_from(line).unwrap_or(u32::MAX));
        let mut found = 0;
        let mut columns = builders.iter_mut();
        loop {
            let mut j = i;
            while j < to {
                let c = bytes[j];
                if c == delimiter || c == b'\n' || c == b'\r' {
                    break;
                }
                j += 1;
            }
            if let Some(b) = columns.next() {
                b.push_field(text.get(i..j).unwrap_or_default(), line, delimiter);
            }
            found += 1;
            if j < to && bytes[j] == delimiter {
                i = j + 1;
            } else {
                i = j;
                break;
            }
        }
        if found != expected {
            return Err(Error::Ragged {
                line,
                expected,
                found,
            });
        }
    }
    Ok(())
}

/// True for the texts that mean "no value".
pub fn is_missing(s: &str) -> bool {
    match s.len() {
        0 => true,
        1 => s == "?",
        2..=4 => ["na", "n/a", "nan", "null", "none"]
            .iter()
            .any(|m| s.eq_ignore_ascii_case(m)),
        _ => false,
    }
}

/// Read a number, accepting a decimal comma (when the delimiter is not a comma) and thousands separators.
pub fn parse_number(s: &str, delimiter: u8) -> Option<f64> {
    if let Some(v) = plain_decimal(s.as_bytes()) {
        return Some(v);
    }
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

/// Powers of ten that are exact in an f64 (10^22 is the last).
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The common number, `-?digits(.digits)?` with at most 2^53 as its digits, read without the general parser:
/// digits / 10^k with both exact in an f64 is one correctly rounded division, the same value `str::parse` gives
/// (Clinger's fast path). `None` for anything else (signs, exponents, long or odd forms): parse it in full.
fn plain_decimal(b: &[u8]) -> Option<f64> {
    let (negative, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut dot = None;
    for (i, &c) in digits.iter().enumerate() {
        match c {
            b'0'..=b'9' => mantissa = mantissa * 10 + u64::from(c - b'0'),
            b'.' if dot.is_none() && i > 0 && i + 1 < digits.len() => dot = Some(i),
            _ => return None,
        }
    }
    if mantissa > 1 << 53 {
        return None;
    }
    // (An integer needs no division: dividing by 1 changes no bit.)
    let v = match dot {
        None => mantissa as f64,
        Some(d) => mantissa as f64 / EXACT_POWERS_OF_TEN[digits.len() - d - 1],
    };
    Some(if negative { -v } else { v })
}

/// A fast hash for the level tables (short texts, hashed once per value read): FxHash's multiply-and-rotate over
/// 8-byte words. Not keyed: a file made to collide only slows its own reading down.
#[derive(Clone, Copy, Default)]
struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut a = [0u8; 8];
            a.copy_from_slice(w);
            self.add(u64::from_le_bytes(a));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut a = [0u8; 8];
            a[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(a) ^ (rest.len() as u64) << 59);
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    fn finish(&self) -> u64 {
        // Fold the high bits (best mixed) into the low ones the table indexes with.
        self.0 ^ (self.0 >> 29)
    }
}

impl FastHasher {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type FastHash = std::hash::BuildHasherDefault<FastHasher>;

/// Columns with at most this many levels find a value's level by comparing it with each (see `push_code`).
const SHORT_LEVELS: usize = 16;

/// A text of at most 8 bytes as a number (its bytes, little-endian) and its length: equal keys, equal texts.
fn short_key(b: &[u8]) -> Option<(u64, usize)> {
    if b.len() > 8 {
        return None;
    }
    let mut k = 0u64;
    for (i, &c) in b.iter().enumerate() {
        k |= u64::from(c) << (8 * i);
    }
    Some((k, b.len()))
}

struct ColumnBuilder {
    name: String,
    numbers: Option<Vec<f64>>,
    codes: Option<Vec<u32>>,
    levels: Vec<String>,
    index: HashMap<String, u32, FastHash>,
    /// [`short_key`] of the first `SHORT_LEVELS` levels (`(0, usize::MAX)` for a longer text: matches none).
    short: Vec<(u64, usize)>,
    texts: Option<Texts>,
    missing: usize,
    non_finite: usize,
    first_text: Option<(u64, String)>,
    rows: usize,
    /// The texts were rebuilt from numbers (`{x}`, not as written) when this column turned to text: a piece read
    /// on its own then differs from a serial read (see [`ColumnBuilder::join`]).
    rebuilt: bool,
}

impl ColumnBuilder {
    /// A column of at most `rows_bound` rows (the vectors reserve that much).
    fn new(name: String, rows_bound: usize) -> Self {
        Self {
            name,
            numbers: Some(Vec::with_capacity(rows_bound)),
            codes: Some(Vec::with_capacity(rows_bound)),
            levels: Vec::new(),
            index: HashMap::default(),
            short: Vec::new(),
            texts: None,
            missing: 0,
            non_finite: 0,
            first_text: None,
            rows: 0,
            rebuilt: false,
        }
    }

    /// Push a field as the `csv` crate's reader cut it (untrimmed bytes; text, see [`read_rows`]).
    fn push_raw(&mut self, raw: &[u8], line: u64, delimiter: u8) -> Result<()> {
        let text = std::str::from_utf8(raw).map_err(|_| Error::NotUtf8 {
            detail: format!("line {line} is not valid UTF-8"),
        })?;
        self.push_field(text, line, delimiter);
        Ok(())
    }

    /// Push a field as it was cut (untrimmed). A plain decimal in a numeric column — most fields of most files —
    /// goes straight in: it has no blanks to trim, is not a missing-value word and is finite, so
    /// [`ColumnBuilder::push`] would store the same; anything else is trimmed text for `push`.
    #[inline]
    fn push_field(&mut self, raw: &str, line: u64, delimiter: u8) {
        if let Some(numbers) = &mut self.numbers {
            if let Some(x) = plain_decimal(raw.as_bytes()) {
                numbers.push(x);
                self.rows += 1;
                if self.codes.is_some() {
                    self.push_code(raw);
                }
                return;
            }
        }
        self.push(raw.trim(), line, delimiter);
    }

    #[inline(never)]
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
            self.rebuilt = true;
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
        self.drop_level_table();
    }

    /// Forget the level look-ups (the caller empties or replaces `levels`).
    fn drop_level_table(&mut self) {
        self.index = HashMap::default();
        self.short = Vec::new();
    }

    fn code_of(&mut self, field: &str) -> u32 {
        if let Some(&c) = self.index.get(field) {
            return c;
        }
        let c = self.levels.len() as u32;
        if self.short.len() < SHORT_LEVELS {
            self.short
                .push(short_key(field.as_bytes()).unwrap_or((0, usize::MAX)));
        }
        self.levels.push(field.to_string());
        self.index.insert(field.to_string(), c);
        c
    }

    #[inline]
    fn push_code(&mut self, field: &str) {
        // One look-up for the common case, a value already seen (0/1 columns, categories).
        if self.texts.is_none() {
            // A few levels (0/1 columns, small categories, small counts): comparing the texts beats hashing the
            // field, and comparing texts of up to 8 bytes as numbers beats comparing them as texts.
            let known = if self.levels.len() <= SHORT_LEVELS {
                match short_key(field.as_bytes()) {
                    Some(key) => self.short.iter().position(|&k| k == key),
                    None => self.levels.iter().position(|l| l == field),
                }
                .map(|c| c as u32)
            } else {
                self.index.get(field).copied()
            };
            if let Some(c) = known {
                if let Some(codes) = &mut self.codes {
                    codes.push(c);
                }
                return;
            }
        }
        self.push_new_code(field);
    }

    /// [`ColumnBuilder::push_code`] of a value not seen yet, or of a column kept as texts.
    #[inline(never)]
    fn push_new_code(&mut self, field: &str) {
        if self.numbers.is_some() && self.levels.len() >= NUMERIC_LEVELS_KEPT {
            // A numeric column with many values: its numbers are enough.
            self.codes = None;
            self.levels.clear();
            self.drop_level_table();
            return;
        }
        self.store_text(Some(field));
    }

    /// Append `next`, the builder of the same column for the rows right after this one's, read on its own from
    /// a fresh state; false when the result would differ from reading both in one go (then nothing is kept).
    /// Exact cases: both all numbers (levels kept while ≤ `NUMERIC_LEVELS_KEPT` together); or this one already
    /// text and `next` holding every row's text as written (no numbers rebuilt as `{x}`, no "inf" counted as
    /// missing — a text column keeps it as text). A column that turns to text only in `next` is not joined: a
    /// serial read would have rebuilt or recoded this one's values at that row.
    fn join(&mut self, mut next: ColumnBuilder) -> bool {
        match (&mut self.numbers, &next.numbers) {
            (Some(mine), Some(theirs)) => {
                mine.extend_from_slice(theirs);
                next.numbers = None;
                self.join_codes(next, NUMERIC_LEVELS_KEPT);
                true
            }
            (None, _) => {
                let as_written = !next.rebuilt
                    && next.non_finite == 0
                    && (next.codes.is_some() || next.texts.is_some());
                if as_written {
                    self.join_codes(next, TEXT_LEVELS_KEPT);
                }
                as_written
            }
            (Some(_), None) => false,
        }
    }

    /// The codes (or texts) and counts of `next` appended, its levels added in its order of first appearance —
    /// the order a serial read meets the new ones in. Past `limit` distinct values a numeric column drops its
    /// codes, a text column keeps texts instead, as `push_code` and `store_text` do.
    fn join_codes(&mut self, next: ColumnBuilder, limit: usize) {
        self.missing += next.missing;
        self.non_finite += next.non_finite;
        self.rows += next.rows;
        let numeric = self.numbers.is_some();
        if numeric && (self.codes.is_none() || next.codes.is_none()) {
            self.codes = None;
            self.levels.clear();
            self.drop_level_table();
            return;
        }
        // Map next's level codes to ours, adding the new levels; switch to texts past the limit.
        let mut map: Vec<u32> = Vec::with_capacity(next.levels.len());
        if self.texts.is_none() {
            for level in &next.levels {
                if numeric && self.levels.len() >= limit && !self.index.contains_key(level) {
                    self.codes = None;
                    self.levels.clear();
                    self.drop_level_table();
                    return;
                }
                map.push(self.code_of(level));
                if !numeric && self.levels.len() > limit {
                    break;
                }
            }
            if !numeric && (self.levels.len() > limit || next.texts.is_some()) {
                self.codes_to_texts();
            }
        }
        if let Some(texts) = &mut self.texts {
            match (next.codes, next.texts) {
                (_, Some(theirs)) => texts.append(&theirs),
                (Some(codes), None) => {
                    for c in codes {
                        texts.push((c != MISSING_CODE).then(|| next.levels[c as usize].as_str()));
                    }
                }
                (None, None) => {}
            }
        } else if let (Some(mine), Some(theirs)) = (&mut self.codes, next.codes) {
            mine.extend(theirs.into_iter().map(|c| {
                if c == MISSING_CODE {
                    c
                } else {
                    map[c as usize]
                }
            }));
        }
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
    fn plain_decimals_read_exactly_as_the_full_parser() {
        // By hand: 0.1 = 1 / 10 (one rounding, as the parser's); -0 keeps its sign; forms it leaves to the parser.
        assert_eq!(plain_decimal(b"0.1"), Some(0.1));
        assert_eq!(plain_decimal(b"-12.250"), Some(-12.25));
        assert_eq!(
            plain_decimal(b"-0").map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
        for other in [
            "",
            "-",
            "1.",
            ".5",
            "+1",
            "1e5",
            "1.2.3",
            "1,5",
            " 1",
            "12345678901234567890",
            "9007199254740993",
        ] {
            assert_eq!(plain_decimal(other.as_bytes()), None, "{other}");
        }
        // Seeded random decimals of every length up to 19 digits: bit for bit what `str::parse` gives.
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for _ in 0..20_000 {
            let digits: String = (0..rng.gen_range(1..=17))
                .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
                .collect();
            let cut = rng.gen_range(0..=digits.len());
            let mut s = if rng.gen_bool(0.3) {
                "-".to_string()
            } else {
                String::new()
            };
            s.push_str(&digits[..cut]);
            if cut > 0 && cut < digits.len() {
                s.push('.');
            }
            s.push_str(&digits[cut..]);
            let full: f64 = s.parse().unwrap();
            if let Some(fast) = plain_decimal(s.as_bytes()) {
                assert_eq!(fast.to_bits(), full.to_bits(), "{s}");
            }
            assert_eq!(
                parse_number(&s, b',').map(f64::to_bits),
                Some(full.to_bits()),
                "{s}"
            );
        }
    }

    #[test]
    fn newlines_are_counted_across_blocks() {
        // 600 bytes: a line end every 3rd byte (200), across the 255-byte blocks; none in the empty text.
        let bytes: Vec<u8> = (0..600)
            .map(|i| if i % 3 == 2 { b'\n' } else { b'x' })
            .collect();
        assert_eq!(count_newlines(&bytes), 200);
        assert_eq!(count_newlines(&[b'\n'; 1000]), 1000);
        assert_eq!(count_newlines(b""), 0);
    }

    #[test]
    fn split_points_fall_after_line_ends_past_the_header() {
        // "h\n" (bytes 0-1; the data start at its line end, byte 1), then rows "1\n" at 2, "2\n" at 4, "3\n" at
        // 6: 7 bytes from byte 1, halves cut at 1 + 3 = 4 → after row 1 (the next line end from byte 4 is at 5, so
        // the cut is 6); quarters at 2, 3, 4 → 4, then 6, then 8 (the end: no cut).
        assert_eq!(plain_data_start(b"h\n1\n2\n3\n"), 1);
        assert_eq!(split_points(b"h\n1\n2\n3\n", 1, 2), vec![1, 6, 8]);
        assert_eq!(split_points(b"h\n1\n2\n3\n", 1, 4), vec![1, 4, 6, 8]);
        assert_eq!(plain_data_start(b"\r\n\nheader only"), 14);
        assert_eq!(split_points(b"\r\n\nheader only", 14, 4), vec![14, 14]);
    }

    #[test]
    fn lines_count_the_blank_lines_skipped() {
        // "2" sits on line 5 after two blank lines (LF), "4" on line 4 after one (CRLF).
        assert_eq!(parse("a\n1\n\n\n2\n").unwrap().lines, vec![2, 5]);
        assert_eq!(parse("a\r\n3\r\n\r\n4\r\n").unwrap().lines, vec![2, 4]);
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
