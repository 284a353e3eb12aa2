//! A CSV file read through polars as text columns, with the checks every input
//! shares: readable, UTF-8, a header, a sensible delimiter, each column named
//! once. Typed parsing happens per format, cell by cell, so an error can name
//! the row and column.
//!
//! Odd-but-usable files (a byte-order mark, CRLF line ends, tab or semicolon
//! delimiters, `Total` rows at the bottom of an ACD report) are accepted; the
//! delimiter is sniffed from the header line.
//!
//! Nothing is read silently: a reader asks for each field by its names
//! ([`Table::column`]); the table remembers which header it read as which
//! field, refuses a field that two headers give, and names every header no
//! reader asked for ([`Table::reading_warnings`]).

use crate::error::{InputError, InputResult};
use crate::limits::{Plausible, YEARS};
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use polars::prelude::*;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// How a file writes its columns and values, from the config's `[history]`
/// or `[media]` section (docs/formats.md, "Reading your own export"): which
/// header holds each field, and the formats of dates, times and decimals.
/// The default reads ringcast's names and the common vendors' aliases, ISO
/// dates, and times as `HH:MM`, `7:00 AM` or `07:00-07:30`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadFormat {
    /// The config section that says how the file is read (`history`,
    /// `media`), for messages that name the key to set; empty for files
    /// read only in ringcast's names (agents, requirements).
    pub section: String,
    /// The config file, for messages about its keys.
    pub config: Option<PathBuf>,
    /// ringcast field → the file's header (`calls = "ACD Calls"`).
    pub columns: BTreeMap<String, String>,
    /// strftime format of dates (`"%m/%d/%Y"`).
    pub date_format: Option<String>,
    /// strftime format of times of day (`"%I:%M %p"`).
    pub time_format: Option<String>,
    /// Numbers written with a decimal comma (`decimal = ","`).
    pub decimal_comma: bool,
}

impl ReadFormat {
    /// The format of a file of `section` (`history`, `media`) without a config.
    pub fn of(section: &str) -> ReadFormat {
        ReadFormat { section: section.to_string(), ..ReadFormat::default() }
    }

    /// The same format, named as the config section `section` in messages.
    pub fn in_section(&self, section: &str) -> ReadFormat {
        ReadFormat { section: section.to_string(), ..self.clone() }
    }

    /// Where a key goes, for messages: `under [history] in the config`.
    fn under(&self) -> String {
        if self.section.is_empty() {
            "in the config".to_string()
        } else {
            format!("under [{}] in the config", self.section)
        }
    }
}

/// A CSV file as named text columns.
pub struct Table {
    pub path: PathBuf,
    df: DataFrame,
    /// Header names as written (trimmed).
    pub headers: Vec<String>,
    format: ReadFormat,
    /// Header index → the field a reader read it as.
    used: RefCell<BTreeMap<usize, String>>,
    /// Data rows (0-based) that are totals or a trailing summary block.
    summary: BTreeSet<usize>,
    /// Per column index: whether its `a/b/yyyy` dates are month-first,
    /// day-first, or not told apart by any value.
    date_orders: RefCell<BTreeMap<usize, DateOrder>>,
}

/// How a column writes `a/b/yyyy` dates, as its values prove it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateOrder {
    MonthFirst,
    DayFirst,
    /// No value above 12 in either place.
    Unproven,
    /// Values above 12 in both places.
    Mixed,
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
    index: usize,
    ca: &'a StringChunked,
}

impl<'a> Col<'a> {
    /// The trimmed cell of data row `i` (0-based); `None` when empty.
    /// A lone `-` (how Avaya CMS writes an empty cell) is empty too.
    pub fn get(&self, i: usize) -> Option<&'a str> {
        self.ca.get(i).map(str::trim).filter(|s| !s.is_empty() && *s != "-")
    }
}

/// Where a row's moment comes from: one date-time column, or a date column
/// and a time-of-day column.
#[derive(Clone, Copy)]
pub enum Moment<'a> {
    One(Col<'a>),
    DateTime(Col<'a>, Col<'a>),
}

impl<'a> Moment<'a> {
    /// A column of `stamp` names, else `date` + `time` names (`fallback`
    /// time names only where no `time` name matches), else a `date` column
    /// alone holding date-times. A `stamp` column holding only times of day
    /// beside a `date` column (`Date`, `Interval Start` = `7:00 AM`) is read
    /// with it.
    pub fn find(
        t: &'a Table,
        stamp: &[&str],
        date: &[&str],
        time: &[&str],
        fallback: &[&str],
    ) -> InputResult<Option<Moment<'a>>> {
        let day = t.column(date)?;
        if let Some(c) = t.column(stamp)? {
            let first = t.rows().find_map(|i| c.get(i));
            return Ok(Some(match (day, first) {
                (Some(d), Some(v)) if parse_time_of_day(v).is_some() => Moment::DateTime(d, c),
                _ => Moment::One(c),
            }));
        }
        Ok(match (day, t.column_or(time, fallback)?) {
            (Some(d), Some(tm)) => Some(Moment::DateTime(d, tm)),
            (Some(d), None) => Some(Moment::One(d)),
            _ => None,
        })
    }

    /// The moment of data row `i`.
    pub fn at(&self, t: &Table, i: usize) -> InputResult<NaiveDateTime> {
        match *self {
            Moment::One(c) => t.datetime_at(c, i),
            Moment::DateTime(d, tm) => Ok(t.date_at(d, i)?.and_time(t.time_at(tm, i)?)),
        }
    }

    /// The column a message names: the time of day's where there are two.
    pub fn label(&self) -> String {
        match self {
            Moment::One(c) | Moment::DateTime(_, c) => c.name.to_string(),
        }
    }
}

/// A header as the aliases are written: lower case, every run of other
/// characters than letters and digits one `_` (`Avg Handle Time (sec)` →
/// `avg_handle_time_sec`).
pub fn normalized(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    for c in header.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// The spreadsheet letter of 0-based column `i` (A, B, …, Z, AA, …).
pub fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
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
    /// Read a CSV file: every column as text, ringcast's own names and formats.
    pub fn read(path: &Path) -> InputResult<Table> {
        Self::read_as(path, &ReadFormat::default())
    }

    /// Read a CSV file written as `format` says.
    pub fn read_as(path: &Path, format: &ReadFormat) -> InputResult<Table> {
        let bytes = std::fs::read(path).map_err(|e| InputError::file(path, format!("cannot read the file: {e}")))?;
        Self::from_bytes_as(path, bytes, format)
    }

    /// Parse CSV bytes; `path` names the source in errors.
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> InputResult<Table> {
        Self::from_bytes_as(path, bytes, &ReadFormat::default())
    }

    /// Parse CSV bytes written as `format` says.
    pub fn from_bytes_as(path: &Path, mut bytes: Vec<u8>, format: &ReadFormat) -> InputResult<Table> {
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
        let separator = sniff_separator(path, header_line)?;
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
        // The header is read as a row of its own: polars would rename a
        // repeated header (`calls_duplicated_0`), and a repeat must be refused.
        let opts = CsvReadOptions::default()
            .with_has_header(false)
            .with_infer_schema_length(Some(0))
            .with_raise_if_empty(false)
            .with_parse_options(CsvParseOptions::default().with_separator(separator).with_missing_is_null(true));
        let raw = opts
            .into_reader_with_file_handle(Cursor::new(bytes))
            .finish()
            .map_err(|e| InputError::file(path, format!("cannot parse as CSV: {}", first_line(&e.to_string()))))?;
        let headers: Vec<String> = raw
            .columns()
            .iter()
            .map(|c| c.str().ok().and_then(|s| s.get(0)).unwrap_or("").trim().to_string())
            .collect();
        check_repeated_headers(path, &headers)?;
        let df = raw.slice(1, raw.height().saturating_sub(1));
        let summary = summary_rows(&df);
        Ok(Table {
            path: path.to_path_buf(),
            df,
            headers,
            format: format.clone(),
            used: RefCell::default(),
            summary,
            date_orders: RefCell::default(),
        })
    }

    /// Number of data rows in the file, totals and summaries included.
    pub fn height(&self) -> usize {
        self.df.height()
    }

    /// The 0-based data rows to read: every row but totals and a trailing
    /// summary block.
    pub fn rows(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.height()).filter(|i| !self.summary.contains(i))
    }

    /// The format the table was read with.
    pub fn format(&self) -> &ReadFormat {
        &self.format
    }

    /// Whether a header matches one of `names` (no field is read).
    pub fn has(&self, names: &[&str]) -> bool {
        let wanted: Vec<String> = names.iter().map(|n| normalized(n)).collect();
        self.headers.iter().any(|h| wanted.contains(&normalized(h)))
    }

    /// The column of the field `names[0]`: the header the config maps to it
    /// (`[history.columns]`), else the one header that matches one of `names`
    /// (case, spaces and punctuation aside). Two headers for one field are
    /// refused naming both.
    pub fn column(&self, names: &[&str]) -> InputResult<Option<Col<'_>>> {
        self.column_or(names, &[])
    }

    /// Like [`Table::column`], with `fallback` names tried only when none of
    /// `names` matches (`interval` as the time of day when there is no `time`).
    pub fn column_or(&self, names: &[&str], fallback: &[&str]) -> InputResult<Option<Col<'_>>> {
        let field = names[0];
        if let Some(mapped) = self.format.columns.get(field) {
            let Some(index) = self.headers.iter().position(|h| h.eq_ignore_ascii_case(mapped.trim())) else {
                let key = format!("{}.columns.{field}", self.format.section);
                let message = format!(
                    "got '{}', but {} has no such column; its columns: {}",
                    crate::error::shortened(mapped),
                    self.path.display(),
                    self.headers.join(", ")
                );
                return Err(match &self.format.config {
                    Some(c) => InputError::key(c, key, message),
                    None => InputError::file(&self.path, format!("{key}: {message}")),
                });
            };
            return Ok(self.bind(index, field));
        }
        let claimed: BTreeSet<String> = self.format.columns.values().map(|h| h.trim().to_ascii_lowercase()).collect();
        let matching = |aliases: &[&str]| -> Vec<usize> {
            let wanted: Vec<String> = aliases.iter().map(|n| normalized(n)).collect();
            (0..self.headers.len())
                .filter(|&i| {
                    let h = &self.headers[i];
                    !claimed.contains(&h.to_ascii_lowercase()) && wanted.contains(&normalized(h))
                })
                .collect()
        };
        let mut found = matching(names);
        if found.is_empty() {
            found = matching(fallback);
        }
        match found[..] {
            [] => Ok(None),
            [i] => Ok(self.bind(i, field)),
            [a, b, ..] => Err(InputError::cell(
                &self.path,
                1,
                self.headers[b].clone(),
                format!(
                    "columns '{}' ({}) and '{}' ({}) both give the field {field}; expected one: remove one{}",
                    self.headers[a],
                    column_letter(a),
                    self.headers[b],
                    column_letter(b),
                    self.mapping_hint(field, &self.headers[a], "or name the one to read")
                ),
            )),
        }
    }

    fn bind(&self, index: usize, field: &str) -> Option<Col<'_>> {
        let ca = self.df.columns()[index].str().ok()?;
        self.used.borrow_mut().entry(index).or_insert_with(|| field.to_string());
        Some(Col { name: &self.headers[index], index, ca })
    }

    /// Like [`Table::column`], but a missing column is an error naming the
    /// accepted names and the columns found.
    pub fn require(&self, names: &[&str], what: &str) -> InputResult<Col<'_>> {
        self.column(names)?.ok_or_else(|| self.missing(names, what))
    }

    /// The error for a field no header gives.
    pub fn missing(&self, names: &[&str], what: &str) -> InputError {
        InputError::file(
            &self.path,
            format!(
                "missing column for {what}: expected a column named {}{}; found columns: {}",
                names.iter().take(6).map(|n| format!("'{n}'")).collect::<Vec<_>>().join(" or "),
                self.mapping_hint(names[0], "your header", "or map yours"),
                self.headers.join(", ")
            ),
        )
    }

    /// `, or map yours under [history.columns] (calls = "your header")`, for
    /// files whose columns the config can map.
    fn mapping_hint(&self, field: &str, header: &str, lead: &str) -> String {
        if self.format.section.is_empty() {
            return String::new();
        }
        format!(", {lead} under [{}.columns] ({field} = \"{header}\")", self.format.section)
    }

    /// Refuse a file with a header but no data rows.
    pub fn require_rows(&self) -> InputResult<()> {
        if self.rows().next().is_none() {
            return Err(InputError::file(&self.path, "the file has a header but no data rows"));
        }
        Ok(())
    }

    /// Each header read, with the field it was read as, in file order.
    pub fn reading(&self) -> Vec<(String, String)> {
        self.used.borrow().iter().map(|(i, f)| (self.headers[*i].clone(), f.clone())).collect()
    }

    /// The headers no reader asked for, in file order.
    pub fn unused(&self) -> Vec<String> {
        let used = self.used.borrow();
        (0..self.headers.len())
            .filter(|i| !used.contains_key(i))
            .map(|i| {
                if self.headers[i].is_empty() {
                    format!("(unnamed column {})", column_letter(i))
                } else {
                    self.headers[i].clone()
                }
            })
            .collect()
    }

    /// Warnings a reader passes on after reading: the totals and summary
    /// rows skipped, and the columns not used.
    pub fn reading_warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.summary.is_empty() {
            let rows: Vec<usize> = self.summary.iter().map(|i| sheet_row(*i)).collect();
            out.push(format!(
                "{}: {} {} skipped: a total or summary, not an interval of data",
                self.path.display(),
                if rows.len() == 1 { "row" } else { "rows" },
                row_ranges(&rows)
            ));
        }
        if let Some((i, col, cell)) = self.first_formula_like_text() {
            out.push(format!(
                "{}:{}: column '{col}': '{}' starts like a spreadsheet formula (=, +, -, @, a tab or a carriage return); ringcast's CSV outputs write such names with a leading apostrophe so that a spreadsheet shows them as text",
                self.path.display(),
                sheet_row(i),
                crate::error::shortened(&cell)
            ));
        }
        let unused = self.unused();
        if !unused.is_empty() {
            let read: Vec<String> = self.reading().iter().map(|(h, f)| format!("'{h}' -> {f}")).collect();
            out.push(format!(
                "{}: {} not used: {} (read: {}; docs/formats.md lists the fields{})",
                self.path.display(),
                if unused.len() == 1 { "column" } else { "columns" },
                unused.iter().map(|h| format!("'{h}'")).collect::<Vec<_>>().join(", "),
                read.join(", "),
                if self.format.section.is_empty() {
                    String::new()
                } else {
                    format!(", [{}.columns] maps a header to one", self.format.section)
                }
            ));
        }
        out
    }

    /// The first cell of a column read that is text (not a number) and
    /// starts like a formula: its row, column and value.
    fn first_formula_like_text(&self) -> Option<(usize, String, String)> {
        let used = self.used.borrow();
        for i in self.rows() {
            for &c in used.keys() {
                let ca = self.df.columns()[c].str().ok()?;
                let Some(cell) = ca.get(i).filter(|v| starts_like_a_formula(v)) else { continue };
                if self.number(cell).is_none() {
                    return Some((i, self.headers[c].clone(), cell.to_string()));
                }
            }
        }
        None
    }

    // --- typed cells -------------------------------------------------------

    /// A number as this file writes it (decimal point, or comma when the
    /// config says so).
    fn number(&self, raw: &str) -> Option<f64> {
        let s = raw.trim();
        if self.format.decimal_comma {
            if s.contains('.') {
                return None;
            }
            return parse_number(&s.replace(',', "."));
        }
        parse_number(s)
    }

    /// The error for a cell that is not a number, with the fix when it is a
    /// decimal comma.
    fn not_a_number(&self, col: Col<'_>, i: usize, raw: &str, expected: &str) -> InputError {
        let comma = !self.format.decimal_comma
            && raw.matches(',').count() == 1
            && parse_number(&raw.trim().replace(',', ".")).is_some_and(f64::is_finite);
        let thousands = raw
            .trim()
            .rsplit(',')
            .next()
            .is_some_and(|tail| tail.len() == 3 && tail.chars().all(|c| c.is_ascii_digit()));
        let expected = if comma && thousands {
            format!(
                "{expected}: write {} without the thousands separator, or, if ',' is a decimal comma, set decimal = \",\" {}",
                raw.trim().replace(',', ""),
                self.format.under()
            )
        } else if comma {
            format!(
                "{expected}: use a decimal point ({}) or set decimal = \",\" {}",
                crate::error::shortened(&raw.trim().replace(',', ".")),
                self.format.under()
            )
        } else {
            expected.to_string()
        };
        InputError::bad_value(&self.path, sheet_row(i), col.name, raw, expected)
    }

    /// A required number.
    pub fn f64_at(&self, col: Col<'_>, i: usize, expected: &str) -> InputResult<f64> {
        let raw = self.required(col, i, expected)?;
        self.number(raw).filter(|v| v.is_finite()).ok_or_else(|| self.not_a_number(col, i, raw, expected))
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

    /// A required duration in seconds within its range: a number of seconds,
    /// or `m:ss` / `h:mm:ss` as ACD reports write handle times.
    pub fn seconds_at(&self, col: Col<'_>, i: usize, range: &Plausible) -> InputResult<f64> {
        let expected = format!("{} (or m:ss, h:mm:ss)", range.expected());
        let raw = self.required(col, i, &expected)?;
        let v = match parse_clock_duration(raw) {
            Some(v) => v,
            None => {
                self.number(raw).filter(|v| v.is_finite()).ok_or_else(|| self.not_a_number(col, i, raw, &expected))?
            }
        };
        if !range.contains(v) {
            return Err(InputError::bad_value(&self.path, sheet_row(i), col.name, raw, expected));
        }
        Ok(v)
    }

    /// An optional duration in seconds (empty cell → `None`).
    pub fn opt_seconds_at(&self, col: Option<Col<'_>>, i: usize, range: &Plausible) -> InputResult<Option<f64>> {
        match col {
            Some(c) if c.get(i).is_some() => self.seconds_at(c, i, range).map(Some),
            _ => Ok(None),
        }
    }

    /// A required text cell.
    pub fn required<'a>(&self, col: Col<'a>, i: usize, expected: &str) -> InputResult<&'a str> {
        col.get(i).ok_or_else(|| {
            InputError::cell(&self.path, sheet_row(i), col.name, format!("empty cell, expected {expected}"))
        })
    }

    /// A required local date-time: ISO, or a date and a time of day as this
    /// file writes them, separated by a space.
    pub fn datetime_at(&self, col: Col<'_>, i: usize) -> InputResult<NaiveDateTime> {
        let raw = self.required(col, i, DATETIME_EXPECTED)?;
        if let Some(t) = parse_datetime(raw) {
            return Ok(t);
        }
        let bad = || InputError::bad_value(&self.path, sheet_row(i), col.name, raw, DATETIME_EXPECTED);
        if let (Some(df), Some(tf)) = (&self.format.date_format, &self.format.time_format) {
            return NaiveDateTime::parse_from_str(raw, &format!("{df} {tf}"))
                .ok()
                .filter(|t| in_years(t.date()))
                .ok_or_else(|| self.format_error(col, i, raw, &format!("{df} {tf}"), "date_format and time_format"));
        }
        let Some((date, time)) = raw.trim().split_once([' ', 'T']) else { return Err(bad()) };
        let date = self.date_value(col, i, raw, date.trim())?.ok_or_else(bad)?;
        let time = self.time_value(time.trim()).ok_or_else(bad)?;
        Ok(date.and_time(time))
    }

    /// An optional local date-time.
    pub fn opt_datetime_at(&self, col: Option<Col<'_>>, i: usize) -> InputResult<Option<NaiveDateTime>> {
        match col {
            Some(c) if c.get(i).is_some() => self.datetime_at(c, i).map(Some),
            _ => Ok(None),
        }
    }

    /// A required date: ISO, the config's `date_format`, or `a/b/yyyy` where
    /// the column's values show which is the day.
    pub fn date_at(&self, col: Col<'_>, i: usize) -> InputResult<NaiveDate> {
        let raw = self.required(col, i, DATE_EXPECTED)?;
        self.date_value(col, i, raw, raw)?
            .ok_or_else(|| InputError::bad_value(&self.path, sheet_row(i), col.name, raw, DATE_EXPECTED))
    }

    /// The date `part` of cell `raw`; `Ok(None)` when it is no date at all.
    fn date_value(&self, col: Col<'_>, i: usize, raw: &str, part: &str) -> InputResult<Option<NaiveDate>> {
        if let Some(d) = parse_date(part) {
            return Ok(Some(d));
        }
        if let Some(f) = &self.format.date_format {
            return NaiveDate::parse_from_str(part, f)
                .ok()
                .filter(|d| in_years(*d))
                .map(Some)
                .ok_or_else(|| self.format_error(col, i, raw, f, "date_format"));
        }
        if let Some(d) = parse_date(part) {
            return Ok(Some(d));
        }
        let Some((a, b, y, sep)) = slashed(part) else { return Ok(None) };
        let (month, day) = match self.date_order(col) {
            DateOrder::MonthFirst => (a, b),
            DateOrder::DayFirst => (b, a),
            order => {
                let why = if order == DateOrder::Mixed {
                    "the column has dates with a day above 12 in both places"
                } else {
                    "no date in the column has a day above 12, so day and month cannot be told apart"
                };
                let s = sep;
                return Err(InputError::cell(
                    &self.path,
                    sheet_row(i),
                    col.name,
                    format!(
                        "got '{}': an ambiguous date ({why}); write dates as YYYY-MM-DD, or set date_format {}: \"%m{s}%d{s}%Y\" (month first) or \"%d{s}%m{s}%Y\" (day first)",
                        crate::error::shortened(raw),
                        self.format.under()
                    ),
                ));
            }
        };
        Ok(NaiveDate::from_ymd_opt(y, month, day).filter(|d| in_years(*d)))
    }

    /// Whether the column's `a/b/yyyy` dates are month- or day-first.
    fn date_order(&self, col: Col<'_>) -> DateOrder {
        *self.date_orders.borrow_mut().entry(col.index).or_insert_with(|| {
            let (mut first_is_day, mut second_is_day) = (false, false);
            for i in self.rows() {
                let Some(cell) = col.get(i) else { continue };
                let date = cell.split([' ', 'T']).next().unwrap_or(cell);
                if let Some((a, b, _, _)) = slashed(date) {
                    first_is_day |= a > 12;
                    second_is_day |= b > 12;
                }
            }
            match (first_is_day, second_is_day) {
                (true, true) => DateOrder::Mixed,
                (true, false) => DateOrder::DayFirst,
                (false, true) => DateOrder::MonthFirst,
                (false, false) => DateOrder::Unproven,
            }
        })
    }

    /// A cell that does not follow the config's format: names the key.
    fn format_error(&self, col: Col<'_>, i: usize, raw: &str, format: &str, key: &str) -> InputError {
        InputError::bad_value(
            &self.path,
            sheet_row(i),
            col.name,
            raw,
            format!("a value in the form \"{format}\" ({key} {})", self.format.under()),
        )
    }

    /// A required time of day: `HH:MM[:SS]`, `7:00 AM`, the start of
    /// `07:00-07:30`, or the config's `time_format`.
    pub fn time_at(&self, col: Col<'_>, i: usize) -> InputResult<NaiveTime> {
        let raw = self.required(col, i, TIME_EXPECTED)?;
        if let Some(f) = &self.format.time_format {
            return NaiveTime::parse_from_str(raw, f).map_err(|_| self.format_error(col, i, raw, f, "time_format"));
        }
        self.time_value(raw)
            .ok_or_else(|| InputError::bad_value(&self.path, sheet_row(i), col.name, raw, TIME_EXPECTED))
    }

    fn time_value(&self, raw: &str) -> Option<NaiveTime> {
        match &self.format.time_format {
            Some(f) => NaiveTime::parse_from_str(raw.trim(), f).ok(),
            None => parse_time_of_day(raw),
        }
    }
}

/// Whether a text would run as a formula when a spreadsheet opens it: it
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return (OWASP).
pub fn starts_like_a_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A header naming a column twice is refused: which one to read would be a guess.
fn check_repeated_headers(path: &Path, headers: &[String]) -> InputResult<()> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, h) in headers.iter().enumerate() {
        if h.is_empty() {
            continue;
        }
        if let Some(first) = seen.insert(h.to_ascii_lowercase(), i) {
            return Err(InputError::cell(
                path,
                1,
                h.clone(),
                format!(
                    "the header names '{h}' twice (columns {} and {}); expected each column once: remove or rename one",
                    column_letter(first),
                    column_letter(i)
                ),
            ));
        }
    }
    Ok(())
}

/// Whether a cell is a total's label (`Total`, `Totals:`, `Grand Total`, `Summary`).
fn is_total_label(cell: &str) -> bool {
    let n = normalized(cell);
    ["total", "totals", "grand_total", "subtotal", "sub_total", "summary"].contains(&n.as_str())
        || n.starts_with("total_")
        || n.starts_with("totals_")
        || n.starts_with("grand_total_")
}

/// Rows an ACD report adds to its data: a row labelled as a total in its
/// first two cells, and a block at the end that starts with one and holds no
/// row starting with a digit (a date or time) after it.
fn summary_rows(df: &DataFrame) -> BTreeSet<usize> {
    let cols: Vec<&StringChunked> = df.columns().iter().filter_map(|c| c.str().ok()).collect();
    let cell = |c: usize, i: usize| cols.get(c).and_then(|ca| ca.get(i)).map(str::trim).filter(|s| !s.is_empty());
    let first_cell = |i: usize| (0..cols.len()).find_map(|c| cell(c, i));
    let is_total = |i: usize| (0..cols.len().min(2)).any(|c| cell(c, i).is_some_and(is_total_label));
    let mut out: BTreeSet<usize> = (0..df.height()).filter(|&i| is_total(i)).collect();
    let data_like = |i: usize| first_cell(i).is_some_and(|s| s.starts_with(|c: char| c.is_ascii_digit()));
    if let Some(&first_total) = out.iter().find(|&&k| !((k + 1)..df.height()).any(data_like)) {
        out.extend(first_total..df.height());
    }
    out
}

/// `5, 7-9, 12` for sorted row numbers.
fn row_ranges(rows: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut k = 0;
    while k < rows.len() {
        let mut end = k;
        while end + 1 < rows.len() && rows[end + 1] == rows[end] + 1 {
            end += 1;
        }
        parts.push(if end == k { rows[k].to_string() } else { format!("{}-{}", rows[k], rows[end]) });
        k = end + 1;
    }
    parts.join(", ")
}

/// `a/b/yyyy` (or with `.` or `-`, or a two-digit year): the two small
/// numbers, the year and the separator.
fn slashed(s: &str) -> Option<(u32, u32, i32, char)> {
    let sep = ['/', '.', '-'].into_iter().find(|c| s.contains(*c))?;
    let parts: Vec<&str> = s.trim().split(sep).collect();
    let [a, b, y] = parts[..] else { return None };
    let small = |p: &str| (1..=2).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit());
    if !small(a) || !small(b) || !(y.len() == 4 || y.len() == 2) || !y.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let y: i32 = y.parse().ok()?;
    let year = if y < 100 {
        if y < 70 {
            2000 + y
        } else {
            1900 + y
        }
    } else {
        y
    };
    Some((a.parse().ok()?, b.parse().ok()?, year, sep))
}

/// A duration written as a clock: `m:ss` or `h:mm:ss` (fractions of a
/// second allowed).
pub fn parse_clock_duration(s: &str) -> Option<f64> {
    let parts: Vec<&str> = s.trim().split(':').collect();
    if parts.len() < 2 || parts.len() > 3 {
        return None;
    }
    let whole = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    let last = parts[parts.len() - 1];
    let secs: f64 = last.parse().ok().filter(|v: &f64| v.is_finite() && *v >= 0.0 && *v < 60.0)?;
    if !last.starts_with(|c: char| c.is_ascii_digit()) || parts[..parts.len() - 1].iter().any(|p| !whole(p)) {
        return None;
    }
    let n = |p: &str| p.parse::<f64>().ok();
    match parts[..] {
        [m, _] => Some(n(m)? * 60.0 + secs),
        [h, m, _] if n(m)? < 60.0 => Some(n(h)? * 3600.0 + n(m)? * 60.0 + secs),
        _ => None,
    }
}

pub const DATETIME_EXPECTED: &str =
    "a local date-time like 2026-11-23 08:15 (ISO 8601; YYYY-MM-DD HH:MM[:SS]) in the years 1970 to 2200";
pub const DATE_EXPECTED: &str = "a date like 2026-11-23 (YYYY-MM-DD) in the years 1970 to 2200";
pub const TIME_EXPECTED: &str = "a time of day like 08:15 (HH:MM or HH:MM:SS, 7:00 AM, or 07:00-07:30)";

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// Pick the delimiter that splits the header best: comma, semicolon or tab.
/// A header split only by another common delimiter is refused naming it.
fn sniff_separator(path: &Path, header: &str) -> InputResult<u8> {
    let count = |c: char| header.matches(c).count();
    let (comma, semi, tab) = (count(','), count(';'), count('\t'));
    if comma + semi + tab == 0 {
        if let Some(d) = ['|', '^', '~'].into_iter().find(|c| header.contains(*c)) {
            return Err(InputError::row(
                path,
                1,
                format!("the header is split by '{d}'; expected columns separated by a comma, a semicolon or a tab (save the export as CSV)"),
            ));
        }
    }
    Ok(if tab > comma && tab >= semi {
        b'\t'
    } else if semi > comma {
        b';'
    } else {
        b','
    })
}

/// A number as written by telephony exports and spreadsheets: `12`, `12.5`,
/// `1e3`. Thousands separators and percent signs are refused (ambiguous).
pub fn parse_number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok()
}

/// ISO dates only: `2026-11-23`. Day-first/month-first forms are told apart
/// by [`Table::date_at`]. Dates outside [`YEARS`] are refused (a typo like 0226 or 9999).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    // Year first is never ambiguous: 2026-11-23, 2026/11/23 (Five9), 2026.11.23.
    ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
        .filter(|d| in_years(*d) && s.len() >= 8 && s.as_bytes().get(4).is_some_and(|b| !b.is_ascii_digit()))
}

/// Whether a date lies in the plausible years ([`YEARS`]).
pub fn in_years(d: NaiveDate) -> bool {
    YEARS.contains(&d.year())
}

/// `HH:MM` or `HH:MM:SS` (ringcast's own files).
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    NaiveTime::parse_from_str(s, "%H:%M:%S").or_else(|_| NaiveTime::parse_from_str(s, "%H:%M")).ok()
}

/// A time of day as exports write it: `HH:MM[:SS[.fff]]`, `7:00 AM`,
/// `7:00:00 PM`, or an interval `07:00-07:30` / `7:00 AM - 7:30 AM` (its start).
pub fn parse_time_of_day(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    let start = s.split_once('-').map_or(s, |(a, _)| a).trim();
    const FORMATS: [&str; 7] = ["%H:%M:%S%.f", "%H:%M", "%I:%M %p", "%I:%M:%S %p", "%I:%M%p", "%I:%M:%S%p", "%I %p"];
    FORMATS.iter().find_map(|f| NaiveTime::parse_from_str(start, f).ok())
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
        let b = t.column(&["B"]).unwrap().unwrap();
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
        let c = t.column(&["calls"]).unwrap().unwrap();
        assert_eq!(t.f64_at(c, 0, "a count").unwrap(), 3.0);
        let e = t.f64_at(c, 1, "a count").unwrap_err().to_string();
        assert_eq!(e, "t.csv:3: column 'calls': got 'x', expected a count");
    }

    fn table_as(text: &str, format: &ReadFormat) -> InputResult<Table> {
        Table::from_bytes_as(Path::new("t.csv"), text.as_bytes().to_vec(), format)
    }

    #[test]
    fn headers_match_ignoring_case_spaces_and_punctuation() {
        assert_eq!(normalized("Avg Handle Time (sec)"), "avg_handle_time_sec");
        assert_eq!(normalized("  Calls-Offered "), "calls_offered");
        let t = table("Interval Start,Calls Offered,Service Level\n2026-01-05 08:00,3,0.8\n").unwrap();
        assert_eq!(t.column(&["interval_start"]).unwrap().unwrap().name, "Interval Start");
        assert_eq!(t.column(&["calls", "calls_offered"]).unwrap().unwrap().name, "Calls Offered");
        assert_eq!(
            t.reading(),
            vec![("Interval Start".into(), "interval_start".into()), ("Calls Offered".into(), "calls".into())]
        );
        assert_eq!(t.unused(), vec!["Service Level".to_string()]);
        let w = t.reading_warnings();
        assert!(
            w.len() == 1
                && w[0].contains("column not used: 'Service Level'")
                && w[0].contains("'Calls Offered' -> calls"),
            "{w:?}"
        );
    }

    #[test]
    fn a_field_given_twice_is_refused_naming_both_columns() {
        let t = table("calls,offered\n1,2\n").unwrap();
        let e = t.column(&["calls", "offered"]).err().unwrap().to_string();
        assert!(e.contains("columns 'calls' (A) and 'offered' (B) both give the field calls"), "{e}");
        // The same header twice is refused when the file is read.
        let e = table("interval_start,calls,calls\n2026-01-05 08:00,1,2\n").err().unwrap().to_string();
        assert!(e.contains("t.csv:1") && e.contains("names 'calls' twice (columns B and C)"), "{e}");
        // A mapping decides between two candidates.
        let mut f = ReadFormat::of("history");
        f.columns.insert("calls".into(), "offered".into());
        let t = table_as("calls,offered\n1,2\n", &f).unwrap();
        assert_eq!(t.column(&["calls", "offered"]).unwrap().unwrap().name, "offered");
        assert_eq!(t.unused(), vec!["calls".to_string()]);
    }

    #[test]
    fn a_mapped_header_the_file_lacks_names_the_key() {
        let mut f = ReadFormat::of("history");
        f.config = Some("centre.toml".into());
        f.columns.insert("calls".into(), "ACD Calls".into());
        let t = table_as("when,n\n1,2\n", &f).unwrap();
        let e = t.column(&["calls"]).err().unwrap().to_string();
        assert!(
            e.starts_with("centre.toml: key 'history.columns.calls': got 'ACD Calls'") && e.contains("when, n"),
            "{e}"
        );
    }

    #[test]
    fn totals_and_trailing_summaries_are_skipped_and_named() {
        let t = table(
            "date,interval,calls\n2003-03-03,7:00 AM,5\n2003-03-03,7:30 AM,6\nTotals,,11\n,,\nReport run by CMS,,\n",
        )
        .unwrap();
        assert_eq!(t.rows().collect::<Vec<_>>(), vec![0, 1]);
        let w = t.reading_warnings();
        assert!(w[0].contains("rows 4-6 skipped: a total"), "{w:?}");
        // A daily subtotal between days is skipped alone.
        let t = table("date,calls\n2003-03-03,5\nTotal,5\n2003-03-04,6\n").unwrap();
        assert_eq!(t.rows().collect::<Vec<_>>(), vec![0, 2]);
    }

    #[test]
    fn times_durations_and_dates_as_exports_write_them() {
        let hm = |h, m| NaiveTime::from_hms_opt(h, m, 0);
        assert_eq!(parse_time_of_day("7:00 AM"), hm(7, 0));
        assert_eq!(parse_time_of_day("7:30PM"), hm(19, 30));
        assert_eq!(parse_time_of_day("07:00-07:30"), hm(7, 0));
        assert_eq!(parse_time_of_day("7:00 AM - 7:30 AM"), hm(7, 0));
        assert_eq!(parse_time_of_day("7:00:00"), hm(7, 0));
        assert_eq!(parse_time_of_day("25:00"), None);
        assert_eq!(parse_clock_duration("7:29"), Some(449.0));
        assert_eq!(parse_clock_duration("75:10"), Some(4510.0), "Avaya minutes above 59");
        assert_eq!(parse_clock_duration("1:02:03"), Some(3723.0));
        assert_eq!(parse_clock_duration("1:60"), None);
        assert_eq!(parse_clock_duration("449"), None);
        // Month-first dates are read when a day above 12 proves it.
        let t = table("date,calls\n03/03/2003,1\n03/14/2003,2\n").unwrap();
        let c = t.column(&["date"]).unwrap().unwrap();
        assert_eq!(t.date_at(c, 0).unwrap(), NaiveDate::from_ymd_opt(2003, 3, 3).unwrap());
        assert_eq!(t.date_at(c, 1).unwrap(), NaiveDate::from_ymd_opt(2003, 3, 14).unwrap());
        let t = table("date,calls\n14.03.2003,1\n").unwrap();
        let c = t.column(&["date"]).unwrap().unwrap();
        assert_eq!(t.date_at(c, 0).unwrap(), NaiveDate::from_ymd_opt(2003, 3, 14).unwrap());
        // No day above 12: ambiguous, and the message says which key to set.
        let t = table("date,calls\n03/04/2003,1\n").unwrap();
        let c = t.column(&["date"]).unwrap().unwrap();
        let e = t.date_at(c, 0).unwrap_err().to_string();
        assert!(e.contains("ambiguous date") && e.contains("date_format") && e.contains("%m/%d/%Y"), "{e}");
        let f = ReadFormat { date_format: Some("%m/%d/%Y".into()), ..ReadFormat::of("history") };
        let t = table_as("date,calls\n03/04/2003,1\n", &f).unwrap();
        let c = t.column(&["date"]).unwrap().unwrap();
        assert_eq!(t.date_at(c, 0).unwrap(), NaiveDate::from_ymd_opt(2003, 3, 4).unwrap());
    }

    #[test]
    fn a_decimal_comma_says_the_fix() {
        let t = table("a;b\n1;12,5\n").unwrap();
        let c = t.column(&["b"]).unwrap().unwrap();
        let e = t.f64_at(c, 0, "a count").unwrap_err().to_string();
        assert!(e.contains("use a decimal point (12.5) or set decimal = \",\""), "{e}");
        let f = ReadFormat { decimal_comma: true, ..ReadFormat::of("history") };
        let t = table_as("a;b\n1;12,5\n", &f).unwrap();
        let c = t.column(&["b"]).unwrap().unwrap();
        assert_eq!(t.f64_at(c, 0, "a count").unwrap(), 12.5);
    }

    #[test]
    fn thousands_separators_and_year_first_dates() {
        let t = table("a;b\n1;1,234\n").unwrap();
        let c = t.column(&["b"]).unwrap().unwrap();
        let e = t.f64_at(c, 0, "a count").unwrap_err().to_string();
        assert!(e.contains("write 1234 without the thousands separator"), "{e}");
        let d = |s: &str| parse_date(s);
        assert_eq!(d("2026/01/05"), NaiveDate::from_ymd_opt(2026, 1, 5));
        assert_eq!(d("2026.01.05"), NaiveDate::from_ymd_opt(2026, 1, 5));
        assert_eq!(d("14.03.2003"), None, "day first is told apart by the column");
        // Avaya CMS writes a lone '-' for an empty cell.
        let t = table("a,b\n-,2\n").unwrap();
        assert_eq!(t.column(&["a"]).unwrap().unwrap().get(0), None);
    }

    #[test]
    fn a_pipe_delimiter_names_the_accepted_ones() {
        let e = table("interval_start|calls\n2026-01-05 08:00|1\n").err().unwrap().to_string();
        assert!(e.contains("split by '|'") && e.contains("a comma, a semicolon or a tab"), "{e}");
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
    }

    #[test]
    fn datetimes() {
        assert!(parse_datetime("2026-11-23 08:15").is_some());
        assert!(parse_datetime("2026-11-23T08:15:00").is_some());
        assert!(parse_datetime("23/11/2026 08:15").is_none());
        assert!(parse_time("7:02:47").is_some());
    }
}
