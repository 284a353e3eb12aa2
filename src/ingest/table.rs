//! A CSV file read through polars as text columns, with the checks every input
//! shares: readable, UTF-8, a header, a sensible delimiter. Typed parsing happens
//! per format, cell by cell, so an error can name the row and column.
//!
//! Odd-but-usable files (a byte-order mark, CRLF line ends, tab or semicolon
//! delimiters) are accepted; the delimiter is sniffed from the header line.

use crate::error::{InputError, InputResult};
use crate::limits::{Plausible, YEARS};
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use polars::prelude::*;
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// A CSV file as named text columns.
pub struct Table {
    pub path: PathBuf,
    df: DataFrame,
    /// Header names as written (trimmed).
    pub headers: Vec<String>,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("path", &self.path)
            .field("headers", &self.headers)
            .field("rows", &self.height())
            .finish()
    }
}

/// One text column of a [`Table`].
#[derive(Clone, Copy)]
pub struct Col<'a> {
    pub name: &'a str,
    ca: &'a StringChunked,
}

impl<'a> Col<'a> {
    /// The trimmed cell of data row `i` (0-based); `None` when empty.
    pub fn get(&self, i: usize) -> Option<&'a str> {
        self.ca.get(i).map(str::trim).filter(|s| !s.is_empty())
    }
}

/// The byte length of `text` up to the end of its last line that holds
/// something other than separators and whitespace (its line break kept).
fn last_row_end(text: &str, separator: char) -> usize {
    let blank = |line: &str| line.chars().all(|c| c == separator || c.is_whitespace());
    let mut end = text.len();
    for line in text.split_inclusive('\n').rev() {
        if !blank(line) {
            break;
        }
        end -= line.len();
    }
    end
}

/// The first record with more fields than the header: its spreadsheet row,
/// its field count and the header's. Quotes are honoured (a separator or line
/// break inside quotes is part of the value).
fn row_with_extra_fields(text: &str, separator: char) -> Option<(usize, usize, usize)> {
    let (mut row, mut fields, mut quoted) = (1usize, 1usize, false);
    let mut header = None;
    let mut blank = true;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c == separator && !quoted => fields += 1,
            '\n' if !quoted => {
                match header {
                    None => header = Some(fields),
                    Some(h) if fields > h && !blank => return Some((row, fields, h)),
                    _ => {}
                }
                row += 1;
                fields = 1;
                blank = true;
                continue;
            }
            _ => {}
        }
        if !c.is_whitespace() && c != separator {
            blank = false;
        }
    }
    match header {
        Some(h) if fields > h && !blank => Some((row, fields, h)),
        _ => None,
    }
}

/// The spreadsheet row number of 0-based data row `i` (header is row 1).
pub fn sheet_row(i: usize) -> usize {
    i + 2
}

impl Table {
    /// Read a CSV file: every column as text.
    pub fn read(path: &Path) -> InputResult<Table> {
        let bytes = std::fs::read(path).map_err(|e| InputError::file(path, format!("cannot read the file: {e}")))?;
        Self::from_bytes(path, bytes)
    }

    /// Parse CSV bytes; `path` names the source in errors.
    pub fn from_bytes(path: &Path, mut bytes: Vec<u8>) -> InputResult<Table> {
        if let Err(e) = std::str::from_utf8(&bytes) {
            let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
            return Err(InputError::row(
                path,
                line,
                "the file is not valid UTF-8 text; expected a CSV saved as UTF-8 (in Excel: 'CSV UTF-8')",
            ));
        }
        if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
            bytes.drain(..3);
        }
        let text = std::str::from_utf8(&bytes).unwrap_or_default();
        let header_line = text.lines().find(|l| !l.trim().is_empty());
        let Some(header_line) = header_line else {
            return Err(InputError::file(path, "the file is empty; expected a header row and data rows"));
        };
        let separator = sniff_separator(header_line);
        // Blank lines at the end (or lines of separators only, as spreadsheets
        // save them) are not rows.
        let keep = last_row_end(text, separator as char);
        if let Some((row, fields, expected)) = row_with_extra_fields(&text[..keep], separator as char) {
            return Err(InputError::row(
                path,
                row,
                format!("the row has {fields} fields but the header names {expected} columns; expected one field per column (a stray separator, or a value with the separator that needs quotes)"),
            ));
        }
        bytes.truncate(keep);
        let opts = CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .with_raise_if_empty(false)
            .with_parse_options(CsvParseOptions::default().with_separator(separator).with_missing_is_null(true));
        let df = opts
            .into_reader_with_file_handle(Cursor::new(bytes))
            .finish()
            .map_err(|e| InputError::file(path, format!("cannot parse as CSV: {}", first_line(&e.to_string()))))?;
        let headers: Vec<String> = df.get_column_names().iter().map(|s| s.trim().to_string()).collect();
        let mut seen = std::collections::BTreeSet::new();
        for h in &headers {
            if !seen.insert(h.to_ascii_lowercase()) {
                return Err(InputError::cell(path, 1, h.clone(), "the column appears twice in the header"));
            }
        }
        Ok(Table { path: path.to_path_buf(), df, headers })
    }

    /// Number of data rows.
    pub fn height(&self) -> usize {
        self.df.height()
    }

    /// The first column whose header matches one of `names` (case-insensitive).
    pub fn column(&self, names: &[&str]) -> Option<Col<'_>> {
        for n in names {
            for (i, h) in self.headers.iter().enumerate() {
                if h.eq_ignore_ascii_case(n) {
                    let col = &self.df.columns()[i];
                    if let Ok(ca) = col.str() {
                        return Some(Col { name: h, ca });
                    }
                }
            }
        }
        None
    }

    /// Like [`Table::column`], but a missing column is an error naming the
    /// accepted names and the columns found.
    pub fn require(&self, names: &[&str], what: &str) -> InputResult<Col<'_>> {
        self.column(names).ok_or_else(|| {
            InputError::file(
                &self.path,
                format!(
                    "missing column for {what}: expected a column named {}; found columns: {}",
                    names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(" or "),
                    self.headers.join(", ")
                ),
            )
        })
    }

    /// Refuse a file with a header but no data rows.
    pub fn require_rows(&self) -> InputResult<()> {
        if self.height() == 0 {
            return Err(InputError::file(&self.path, "the file has a header but no data rows"));
        }
        Ok(())
    }

    // --- typed cells -------------------------------------------------------

    /// A required number.
    pub fn f64_at(&self, col: Col<'_>, i: usize, expected: &str) -> InputResult<f64> {
        let raw = self.required(col, i, expected)?;
        parse_number(raw)
            .filter(|v| v.is_finite())
            .ok_or_else(|| InputError::bad_value(&self.path, sheet_row(i), col.name, raw, expected))
    }

    /// An optional number (empty cell → `None`).
    pub fn opt_f64_at(&self, col: Option<Col<'_>>, i: usize, expected: &str) -> InputResult<Option<f64>> {
        match col {
            Some(c) if c.get(i).is_some() => self.f64_at(c, i, expected).map(Some),
            _ => Ok(None),
        }
    }

    /// A required number within its plausible range.
    pub fn number_at(&self, col: Col<'_>, i: usize, range: &Plausible) -> InputResult<f64> {
        let expected = range.expected();
        let v = self.f64_at(col, i, &expected)?;
        if !range.contains(v) {
            return Err(InputError::bad_value(&self.path, sheet_row(i), col.name, col.get(i).unwrap_or(""), expected));
        }
        Ok(v)
    }

    /// An optional number within its plausible range (empty cell → `None`).
    pub fn opt_number_at(&self, col: Option<Col<'_>>, i: usize, range: &Plausible) -> InputResult<Option<f64>> {
        match col {
            Some(c) if c.get(i).is_some() => self.number_at(c, i, range).map(Some),
            _ => Ok(None),
        }
    }

    /// A required text cell.
    pub fn required<'a>(&self, col: Col<'a>, i: usize, expected: &str) -> InputResult<&'a str> {
        col.get(i).ok_or_else(|| {
            InputError::cell(&self.path, sheet_row(i), col.name, format!("empty cell, expected {expected}"))
        })
    }

    /// A required local date-time.
    pub fn datetime_at(&self, col: Col<'_>, i: usize) -> InputResult<NaiveDateTime> {
        let raw = self.required(col, i, DATETIME_EXPECTED)?;
        parse_datetime(raw)
            .ok_or_else(|| InputError::bad_value(&self.path, sheet_row(i), col.name, raw, DATETIME_EXPECTED))
    }

    /// An optional local date-time.
    pub fn opt_datetime_at(&self, col: Option<Col<'_>>, i: usize) -> InputResult<Option<NaiveDateTime>> {
        match col {
            Some(c) if c.get(i).is_some() => self.datetime_at(c, i).map(Some),
            _ => Ok(None),
        }
    }

    /// A required date.
    pub fn date_at(&self, col: Col<'_>, i: usize) -> InputResult<NaiveDate> {
        let raw = self.required(col, i, DATE_EXPECTED)?;
        parse_date(raw).ok_or_else(|| InputError::bad_value(&self.path, sheet_row(i), col.name, raw, DATE_EXPECTED))
    }

    /// A required time of day.
    pub fn time_at(&self, col: Col<'_>, i: usize) -> InputResult<NaiveTime> {
        let raw = self.required(col, i, TIME_EXPECTED)?;
        parse_time(raw).ok_or_else(|| InputError::bad_value(&self.path, sheet_row(i), col.name, raw, TIME_EXPECTED))
    }
}

pub const DATETIME_EXPECTED: &str =
    "a local date-time like 2026-11-23 08:15 (ISO 8601; YYYY-MM-DD HH:MM[:SS]) in the years 1970 to 2200";
pub const DATE_EXPECTED: &str = "a date like 2026-11-23 (YYYY-MM-DD) in the years 1970 to 2200";
pub const TIME_EXPECTED: &str = "a time of day like 08:15 (HH:MM or HH:MM:SS)";

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// Pick the delimiter that splits the header best: comma, semicolon or tab.
fn sniff_separator(header: &str) -> u8 {
    let count = |c: char| header.matches(c).count();
    let (comma, semi, tab) = (count(','), count(';'), count('\t'));
    if tab > comma && tab >= semi {
        b'\t'
    } else if semi > comma {
        b';'
    } else {
        b','
    }
}

/// A number as written by telephony exports and spreadsheets: `12`, `12.5`,
/// `1e3`. Thousands separators and percent signs are refused (ambiguous).
pub fn parse_number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok()
}

/// ISO dates only: `2026-11-23`. Day-first/month-first forms are ambiguous and refused.
/// Dates outside [`YEARS`] are refused (a typo like 0226 or 9999).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok().filter(|d| in_years(*d))
}

/// Whether a date lies in the plausible years ([`YEARS`]).
pub fn in_years(d: NaiveDate) -> bool {
    YEARS.contains(&d.year())
}

/// `HH:MM` or `HH:MM:SS`.
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    NaiveTime::parse_from_str(s, "%H:%M:%S").or_else(|_| NaiveTime::parse_from_str(s, "%H:%M")).ok()
}

/// ISO local date-time with a space or `T`, minutes or seconds. A trailing UTC
/// offset or `Z` is refused: files carry local wall-clock time of the centre.
pub fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return in_years(t.date()).then_some(t);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> InputResult<Table> {
        Table::from_bytes(Path::new("t.csv"), text.as_bytes().to_vec())
    }

    #[test]
    fn reads_bom_crlf_and_semicolons() {
        let t = table("\u{feff}a;b\r\n1;2\r\n3;4\r\n").unwrap();
        assert_eq!(t.headers, vec!["a", "b"]);
        let b = t.column(&["B"]).unwrap();
        assert_eq!(b.get(1), Some("4"));
    }

    #[test]
    fn a_row_with_an_extra_field_is_named() {
        let e = table("a,b\n1,2\n3,4,5\n").unwrap_err().to_string();
        assert!(e.contains("t.csv:3") && e.contains("3 fields") && e.contains("2 columns"), "{e}");
        // A separator inside quotes, even over a line break, is part of the value.
        let t = table("a,b\n\"x,\ny\",2\n3,4\n").unwrap();
        assert_eq!(t.height(), 2);
    }

    #[test]
    fn blank_lines_at_the_end_are_not_rows() {
        for text in ["a,b\n1,2\n\n", "a,b\n1,2\n\n\n  \n", "a,b\r\n1,2\r\n,\r\n", "a,b\n1,2"] {
            let t = table(text).unwrap();
            assert_eq!(t.height(), 1, "{text:?}");
        }
        // A blank line between rows is still seen (and refused by the reader that needs its cells).
        assert_eq!(table("a,b\n1,2\n,\n3,4\n").unwrap().height(), 3);
    }

    #[test]
    fn refuses_invalid_utf8_naming_the_line() {
        let e = Table::from_bytes(Path::new("t.csv"), b"a,b\n1,2\n\xff,3\n".to_vec()).unwrap_err();
        assert!(e.to_string().starts_with("t.csv:3"), "{e}");
    }

    #[test]
    fn empty_and_header_only() {
        assert!(table("").unwrap_err().to_string().contains("empty"));
        let t = table("a,b\n").unwrap();
        assert!(t.require_rows().unwrap_err().to_string().contains("no data rows"));
    }

    #[test]
    fn missing_column_lists_what_was_found() {
        let t = table("when,n\n2026-01-01 00:00,3\n").unwrap();
        let e = t.require(&["calls", "offered"], "calls offered").err().unwrap().to_string();
        assert!(e.contains("'calls' or 'offered'") && e.contains("found columns: when, n"), "{e}");
    }

    #[test]
    fn cell_errors_name_row_and_column() {
        let t = table("calls\n3\nx\n").unwrap();
        let c = t.column(&["calls"]).unwrap();
        assert_eq!(t.f64_at(c, 0, "a count").unwrap(), 3.0);
        let e = t.f64_at(c, 1, "a count").unwrap_err().to_string();
        assert_eq!(e, "t.csv:3: column 'calls': got 'x', expected a count");
    }

    #[test]
    fn datetimes() {
        assert!(parse_datetime("2026-11-23 08:15").is_some());
        assert!(parse_datetime("2026-11-23T08:15:00").is_some());
        assert!(parse_datetime("23/11/2026 08:15").is_none());
        assert!(parse_time("7:02:47").is_some());
    }
}
