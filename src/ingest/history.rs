//! Reading a call history: interval counts, or call records aggregated to
//! intervals ([`crate::ingest::calls`]), onto the calendar grid of [`History`].

use crate::ingest::grid::History;
use crate::units::IntervalMinutes;
use chrono::NaiveDate;
use ndarray::Array2;

use crate::error::{InputError, InputResult};
use crate::ingest::table::{sheet_row, Col, Moment, ReadFormat, Table};
use crate::limits;
use chrono::{LocalResult, NaiveDateTime, TimeZone, Timelike};
use chrono_tz::Tz;
use std::collections::BTreeMap;
use std::path::Path;

/// How to read an interval-count history file.
#[derive(Debug, Clone, Default)]
pub struct HistoryOptions {
    /// The centre's time zone: enables DST checks (a 25-hour day's repeated hour
    /// is summed; a time inside a 23-hour day's skipped hour is refused).
    pub tz: Option<Tz>,
    /// Which queue to read when the file has a `queue` column with several queues.
    pub queue: Option<String>,
    /// Interval to aggregate call-detail records to (default 15 minutes).
    pub records_interval: Option<IntervalMinutes>,
    /// Answer-time target, seconds, for the service level observed in call
    /// records (default 20).
    pub answer_seconds: Option<f64>,
    /// The interval of a file too short or too gappy to show its own (today's
    /// calls so far): used when every row is on its grid.
    pub interval_hint: Option<IntervalMinutes>,
    /// How the file writes its columns and values (`[history]` in the config).
    pub format: ReadFormat,
}

/// Accepted header names of each field, its ringcast name first (the key
/// under `[history.columns]`); matched ignoring case, spaces and punctuation.
/// Besides ringcast's own they are the names of the interval reports of
/// Genesys Cloud, Avaya CMS, Cisco UCCE/UCCX and Webex, NICE CXone, Five9,
/// Amazon Connect and Talkdesk (docs/formats.md lists them per system).
pub const TIMESTAMP_COLUMNS: &[&str] = &[
    "interval_start",
    "timestamp",
    "datetime",
    "date_time",
    "start",
    "ds",
    "period_start",
    "interval_start_time",
    "start_interval",
    "startinterval",
    "interval_begin",
    "dintervalstart",
];
pub const DATE_COLUMNS: &[&str] = &["date", "day", "start_date", "report_date", "interval_date"];
pub const TIME_COLUMNS: &[&str] = &["time", "start_time", "interval_time", "time_of_day", "times", "half_hour"];
/// Read as the time of day only where no [`TIME_COLUMNS`] name is there: the
/// US bank file's `interval` is a row number beside its `time`; Avaya CMS's
/// `Interval` is the time (`7:00 AM`, `07:00-07:30`).
pub const TIME_FALLBACK_COLUMNS: &[&str] = &["interval", "period"];
pub const CALLS_COLUMNS: &[&str] = &[
    "calls",
    "offered",
    "calls_offered",
    "volume",
    "arrivals",
    "contacts",
    "y",
    "offer",
    "tasks_offered",
    "callsoffered",
    "contacts_offered",
    "contacts_queued",
    "inbound_calls",
    "incoming_calls",
    "total_calls",
    "nenteredacd",
];
pub const ANSWERED_COLUMNS: &[&str] = &[
    "answered",
    "handled",
    "calls_handled",
    "calls_answered",
    "answer",
    "acd_calls",
    "tasks_handled",
    "contacts_handled",
    "callshandled",
    "answered_calls",
    "handled_calls",
    "nansweredacd",
];
pub const ABANDONED_COLUMNS: &[&str] = &[
    "abandoned",
    "calls_abandoned",
    "abandons",
    "abandon",
    "aban_calls",
    "aban",
    "total_abandon",
    "contacts_abandoned",
    "abandon_cnt",
    "abandoned_calls",
    "totalcallsaband",
    "nabandonedacd",
];
/// Average handle time (talk, hold and wrap-up) per call, seconds or m:ss.
pub const AHT_COLUMNS: &[&str] = &[
    "aht_seconds",
    "aht",
    "avg_handle_time",
    "average_handle_time",
    "avg_handle_time_sec",
    "avg_handle_time_s",
    "avg_handle_time_seconds",
    "average_handle_time_sec",
    "average_handle_time_seconds",
    "aht_sec",
    "aht_s",
    "avg_handle",
    "average_handle",
];
/// Avaya CMS reports talk and after-call work apart: their sum is the AHT.
pub const TALK_COLUMNS: &[&str] = &["avg_talk_seconds", "avg_acd_time", "avg_talk_time", "average_talk_time"];
pub const WRAP_COLUMNS: &[&str] =
    &["avg_wrap_seconds", "avg_acw_time", "avg_wrap_time", "avg_after_call_work_time", "average_after_call_work_time"];
pub const QUEUE_COLUMNS: &[&str] = &[
    "queue",
    "skill",
    "split",
    "queue_name",
    "split_skill",
    "skill_name",
    "csq_name",
    "skill_group",
    "call_type",
    "call_type_name",
];

/// The fields `[history.columns]` may map, interval counts and call records.
pub const HISTORY_FIELDS: &[&str] = &[
    "interval_start",
    "date",
    "time",
    "calls",
    "answered",
    "abandoned",
    "aht_seconds",
    "avg_talk_seconds",
    "avg_wrap_seconds",
    "queue",
    "arrival",
    "wait_seconds",
    "outcome",
    "handle_seconds",
    "abandoned_flag",
];

/// The queues named in a history file's `queue` column (empty when it has
/// none), busiest first: by calls in the file (records: by rows), ties by
/// the row that first names them. The order is the content's, never the
/// names', so renaming a queue changes no model and no output but its name.
/// Two names that would write to the same output folder (`a/b` and `a_b`,
/// `Sales` and `sales`) are refused naming both.
pub fn queues(path: &Path, format: &ReadFormat) -> InputResult<Vec<String>> {
    let t = Table::read_as(path, &format.in_section("history"))?;
    let records = !t.has(CALLS_COLUMNS) && crate::ingest::calls::looks_like_call_records(&t);
    let q = if records { t.column(crate::ingest::calls::QUEUE_COLUMNS)? } else { t.column(QUEUE_COLUMNS)? };
    let Some(q) = q else { return Ok(vec![]) };
    let calls = if records { None } else { t.column(CALLS_COLUMNS)? };
    // name -> (calls, first row)
    let mut seen: BTreeMap<&str, (f64, usize)> = BTreeMap::new();
    for i in t.rows() {
        let Some(name) = q.get(i) else { continue };
        let n = match calls {
            Some(c) => t.opt_number_at(Some(c), i, &limits::CALLS_PER_INTERVAL)?.unwrap_or(0.0),
            None => 1.0,
        };
        seen.entry(name).or_insert((0.0, i)).0 += n;
    }
    let mut order: Vec<(&str, f64, usize)> = seen.into_iter().map(|(n, (c, i))| (n, c, i)).collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)));
    let mut folders: BTreeMap<String, (&str, usize)> = BTreeMap::new();
    for &(name, _, row) in &order {
        if let Some((other, first)) = folders.insert(output_name(name).to_ascii_lowercase(), (name, row)) {
            let (later, later_row) = if row > first { (name, row) } else { (other, first) };
            let earlier = if later == name { other } else { name };
            return Err(InputError::bad_value(
                path,
                sheet_row(later_row),
                q.name,
                later,
                format!(
                    "a queue name of its own: '{earlier}' and '{later}' both become the output folder queues/{} (names are written with letters, digits, - and _ only, and compared ignoring case); rename one",
                    output_name(name)
                ),
            ));
        }
    }
    Ok(order.into_iter().map(|(n, _, _)| n.to_string()).collect())
}

/// A name as output folders and files write it: letters, digits, `-` and
/// `_`, every other character `_` (`../../evil` → `______evil`).
pub fn output_name(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

/// Read interval counts (any interval length) with no options: the timestamp
/// layout, interval length and optional columns are recognised.
pub fn load_history(path: &Path) -> InputResult<History> {
    load_history_with(path, &HistoryOptions::default()).map(|(h, _)| h)
}

/// Read interval counts; returns the history and warnings about odd-but-usable input.
pub fn load_history_with(path: &Path, opts: &HistoryOptions) -> InputResult<(History, Vec<String>)> {
    let (h, mut warnings) = history_from_table(&Table::read_as(path, &opts.format.in_section("history"))?, opts)?;
    warnings.extend(silent_end_warning(path, &h));
    Ok((h, warnings))
}

/// Days at the end of a history that hold rows but no calls, at least this
/// many calendar days, are more likely a broken feed than a closure.
pub const SILENT_END_DAYS: i64 = 14;

/// A history whose last weeks hold rows but no calls (an export of the
/// wrong queue, a feed that broke): the warning names the span, since the
/// forecast then learns only from the days before it.
pub fn silent_end_warning(path: &Path, h: &History) -> Option<String> {
    let has_calls = |d: usize| h.offered.row(d).iter().any(|v| *v > 0.0);
    let last_day = *h.days.last()?;
    let Some(last_with_calls) = (0..h.days.len()).rev().find(|&d| has_calls(d)) else {
        return Some(format!(
            "{}: the history's {} days ({} .. {last_day}) hold no calls at all: an export of the wrong queue or a broken feed? There is nothing to forecast from",
            path.display(),
            h.days.len(),
            h.days[0]
        ));
    };
    let quiet_from = *h.days.get(last_with_calls + 1)?;
    let span = (last_day - quiet_from).num_days() + 1;
    (span >= SILENT_END_DAYS).then(|| {
        format!(
            "{}: the last {span} days of the history ({quiet_from} .. {last_day}) hold rows but no calls (the last call is on {}): an export of the wrong queue or a broken feed? They are read as closed days, and the forecast learns from the days before {quiet_from}",
            path.display(),
            h.days[last_with_calls]
        )
    })
}

/// [`load_history_with`] on a table already read.
pub fn history_from_table(t: &Table, opts: &HistoryOptions) -> InputResult<(History, Vec<String>)> {
    let path = t.path.as_path();
    t.require_rows()?;
    let mut warnings = Vec::new();
    if !t.has(CALLS_COLUMNS) && crate::ingest::calls::looks_like_call_records(t) {
        return history_from_records(t, opts);
    }
    let stamps = find_stamps(t)?;
    let answered = t.column(ANSWERED_COLUMNS)?;
    let abandoned = t.column(ABANDONED_COLUMNS)?;
    let calls = match (t.column(CALLS_COLUMNS)?, answered, abandoned) {
        (Some(c), _, _) => Offered::Column(c),
        // Avaya CMS reports ACD calls and abandoned calls, not calls offered.
        (None, Some(a), Some(b)) => {
            warnings.push(format!(
                "{}: no calls-offered column: calls offered = '{}' + '{}' (answered + abandoned); map calls under [history.columns] if the file has them",
                path.display(),
                a.name,
                b.name
            ));
            Offered::AnsweredPlusAbandoned
        }
        _ => return Err(t.missing(CALLS_COLUMNS, "calls offered per interval")),
    };
    let aht = Handle::find(t)?;
    let queue = t.column(QUEUE_COLUMNS)?;
    let wanted_queue = select_queue(t, queue, opts.queue.as_deref())?;

    let mut rows: Vec<Row> = Vec::with_capacity(t.height());
    let mut odd_handle = OddHandle::default();
    for i in t.rows() {
        if let (Some(q), Some(w)) = (queue, wanted_queue.as_deref()) {
            if q.get(i) != Some(w) {
                continue;
            }
        }
        let ts = stamps.at(t, i)?;
        let count = &limits::CALLS_PER_INTERVAL;
        let answered_v = t.opt_number_at(answered, i, count)?;
        let abandoned_v = t.opt_number_at(abandoned, i, count)?;
        let offered = match calls {
            Offered::Column(c) => t.number_at(c, i, count)?,
            Offered::AnsweredPlusAbandoned => answered_v.unwrap_or(0.0) + abandoned_v.unwrap_or(0.0),
        };
        let r = Row { i, ts, offered, answered: answered_v, abandoned: abandoned_v, aht: aht.at(t, i)? };
        if let (Some(h), true) = (r.aht, r.answered.unwrap_or(r.offered) > 0.0) {
            odd_handle.see(h, sheet_row(i));
        }
        let (ans_v, abd_v) = (r.answered.unwrap_or(0.0), r.abandoned.unwrap_or(0.0));
        if ans_v + abd_v > r.offered + 1e-9 {
            // Name the answered column when it alone exceeds the offered calls.
            let culprit = answered.filter(|_| ans_v > r.offered).or(abandoned).or(answered);
            if let Some(c) = culprit {
                return Err(InputError::bad_value(
                    path,
                    sheet_row(i),
                    c.name,
                    c.get(i).unwrap_or(""),
                    format!("answered + abandoned at most the {} calls offered", r.offered),
                ));
            }
        }
        rows.push(r);
    }
    warnings.extend(odd_handle.warning(path, aht.label()));
    warnings.extend(t.reading_warnings());
    if let Some(tz) = opts.tz {
        drop_empty_rows_in_dst_gap(path, &mut rows, tz, &mut warnings);
    }
    if rows.windows(2).any(|w| w[1].ts < w[0].ts) {
        warnings.push(format!("{}: rows are not in time order; they were sorted", path.display()));
        rows.sort_by_key(|r| r.ts);
    }
    check_span(path, &rows, &stamps.label())?;
    check_duplicates(path, &rows, opts, &stamps.label(), &mut warnings)?;
    let on_hint = |h: &IntervalMinutes| {
        rows.iter().all(|r| r.ts.second() == 0 && (r.ts.hour() * 60 + r.ts.minute()).is_multiple_of(h.get()))
    };
    let interval = match opts.interval_hint.filter(on_hint) {
        Some(h) => h,
        None => detect_interval(path, &rows, &stamps.label())?,
    };
    let columns = Columns {
        answered: answered.is_some(),
        abandoned: abandoned.is_some(),
        aht: !matches!(aht, Handle::None),
        stamps: stamps.label(),
    };
    let history = to_grid(path, &rows, interval, &columns, opts.tz)?;
    Ok((history, warnings))
}

/// A history given as call-detail records: aggregated to intervals, with
/// what was read and which queues the records hold.
fn history_from_records(t: &Table, opts: &HistoryOptions) -> InputResult<(History, Vec<String>)> {
    let path = t.path.as_path();
    let mut warnings = Vec::new();
    let iv =
        opts.records_interval.unwrap_or(IntervalMinutes::new(15).map_err(|e| InputError::file(path, e.to_string()))?);
    let target = opts.answer_seconds.unwrap_or(20.0);
    let r = crate::ingest::calls::aggregate(t, iv, opts.queue.as_deref(), target)?;
    warnings.push(format!(
        "{}: read as call-detail records ({} layout): {} calls aggregated to {}-minute intervals, {} rows skipped",
        path.display(),
        r.layout,
        r.calls_read,
        iv.get(),
        r.calls_skipped
    ));
    let queues = crate::ingest::calls::record_queues(t)?;
    if opts.queue.is_none() && queues.len() > 1 {
        warnings.push(format!(
            "{}: the records hold {} queues ({}), read together as one; choose one with --queue",
            path.display(),
            queues.len(),
            queues.join(", ")
        ));
    }
    warnings.extend(t.reading_warnings());
    Ok((r.history, warnings))
}

/// Which value columns the file has, and how its time stamps are named.
struct Columns {
    answered: bool,
    abandoned: bool,
    aht: bool,
    stamps: String,
}

/// The rows (sorted, checked) on the day × interval grid; a DST pair of one
/// local time adds up, and a time the DST change skipped is refused.
fn to_grid(
    path: &Path,
    rows: &[Row],
    interval: IntervalMinutes,
    columns: &Columns,
    tz: Option<Tz>,
) -> InputResult<History> {
    let mut days: Vec<NaiveDate> = rows.iter().map(|r| r.ts.date()).collect();
    days.dedup();
    let index: BTreeMap<NaiveDate, usize> = days.iter().enumerate().map(|(k, d)| (*d, k)).collect();
    let shape = (days.len(), interval.per_day());
    let mut offered = Array2::from_elem(shape, f64::NAN);
    let mut ans = columns.answered.then(|| Array2::from_elem(shape, f64::NAN));
    let mut abd = columns.abandoned.then(|| Array2::from_elem(shape, f64::NAN));
    let mut aht_m = columns.aht.then(|| Array2::from_elem(shape, f64::NAN));
    let mut prev: Option<&Row> = None;
    for r in rows {
        let d = index[&r.ts.date()];
        let s = ((r.ts.hour() * 60 + r.ts.minute()) / interval.get()) as usize;
        let repeated = prev.is_some_and(|p| p.ts == r.ts);
        if let Some(tz) = tz {
            if matches!(tz.from_local_datetime(&r.ts), LocalResult::None) {
                return Err(InputError::bad_value(
                    path,
                    sheet_row(r.i),
                    &columns.stamps,
                    &r.ts.format("%Y-%m-%d %H:%M").to_string(),
                    format!("a local time that exists in {tz} (this one falls in the hour skipped by the DST change)"),
                ));
            }
        }
        add(&mut offered, d, s, Some(r.offered), repeated);
        if let Some(m) = ans.as_mut() {
            add(m, d, s, r.answered, repeated);
        }
        if let Some(m) = abd.as_mut() {
            add(m, d, s, r.abandoned, repeated);
        }
        if let Some(m) = aht_m.as_mut() {
            // Handle time is an average, not a count: keep the first of a DST pair.
            if !repeated {
                add(m, d, s, r.aht, false);
            }
        }
        prev = Some(r);
    }
    Ok(History {
        interval,
        days,
        offered,
        answered: ans,
        abandoned: abd,
        aht_seconds: aht_m,
        queue_seconds: None,
        answered_in_time: None,
        handle_cv: None,
    })
}

/// A history spans at most [`limits::MAX_SPAN_DAYS`] calendar days: models
/// and calendars are sized by the span, and twenty years is beyond any use.
fn check_span(path: &Path, rows: &[Row], col: &str) -> InputResult<()> {
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else { return Ok(()) };
    if (last.ts.date() - first.ts.date()).num_days() > limits::MAX_SPAN_DAYS {
        return Err(InputError::bad_value(
            path,
            sheet_row(last.i),
            col,
            &last.ts.format("%Y-%m-%d %H:%M").to_string(),
            format!(
                "a date within {} days (twenty years) of the first row's {}",
                limits::MAX_SPAN_DAYS,
                first.ts.date()
            ),
        ));
    }
    Ok(())
}

/// Two rows for one interval start are an error, except the repeated hour of a
/// 25-hour DST day (the same local time occurs twice), which is summed.
fn check_duplicates(
    path: &Path,
    rows: &[Row],
    opts: &HistoryOptions,
    col: &str,
    warnings: &mut Vec<String>,
) -> InputResult<()> {
    for w in rows.windows(2) {
        let (p, r) = (&w[0], &w[1]);
        if p.ts != r.ts {
            continue;
        }
        let fold = opts.tz.is_some_and(|tz| matches!(tz.from_local_datetime(&r.ts), LocalResult::Ambiguous(..)));
        if !fold {
            return Err(InputError::cell(
                path,
                sheet_row(r.i),
                col,
                format!(
                    "duplicate interval {} (also at row {}); expected one row per interval start",
                    r.ts.format("%Y-%m-%d %H:%M"),
                    sheet_row(p.i)
                ),
            ));
        }
        warnings.push(format!(
            "{}:{}: {} occurs twice (the repeated hour of a DST change); the two intervals were summed",
            path.display(),
            sheet_row(r.i),
            r.ts.format("%Y-%m-%d %H:%M")
        ));
    }
    Ok(())
}

/// Where a row's calls offered come from.
#[derive(Clone, Copy)]
enum Offered<'a> {
    Column(Col<'a>),
    /// Answered + abandoned (Avaya CMS: ACD calls + abandoned calls).
    AnsweredPlusAbandoned,
}

/// Where the average handle time comes from: one column, or talk plus
/// after-call work (Avaya CMS), or none.
#[derive(Clone, Copy)]
enum Handle<'a> {
    None,
    Column(Col<'a>),
    TalkAndWrap(Col<'a>, Col<'a>),
}

impl<'a> Handle<'a> {
    fn find(t: &'a Table) -> InputResult<Handle<'a>> {
        if let Some(c) = t.column(AHT_COLUMNS)? {
            return Ok(Handle::Column(c));
        }
        Ok(match (t.column(TALK_COLUMNS)?, t.column(WRAP_COLUMNS)?) {
            (Some(talk), Some(wrap)) => Handle::TalkAndWrap(talk, wrap),
            _ => Handle::None,
        })
    }

    fn at(&self, t: &Table, i: usize) -> InputResult<Option<f64>> {
        let range = &limits::HANDLE_SECONDS;
        match *self {
            Handle::None => Ok(None),
            Handle::Column(c) => t.opt_seconds_at(Some(c), i, range),
            Handle::TalkAndWrap(a, b) => {
                match (t.opt_seconds_at(Some(a), i, range)?, t.opt_seconds_at(Some(b), i, range)?) {
                    (None, None) => Ok(None),
                    (x, y) => Ok(Some(x.unwrap_or(0.0) + y.unwrap_or(0.0))),
                }
            }
        }
    }

    fn label(&self) -> String {
        match self {
            Handle::None => String::new(),
            Handle::Column(c) => format!("'{}'", c.name),
            Handle::TalkAndWrap(a, b) => format!("'{}' + '{}'", a.name, b.name),
        }
    }
}

/// Interval handle times below 30 s or above an hour are possible but rare:
/// more often minutes read as seconds, or milliseconds.
#[derive(Default)]
struct OddHandle {
    rows: Vec<(usize, f64)>,
    sum: f64,
    n: usize,
}

/// Plausible interval handle times, seconds: outside, a warning.
const USUAL_HANDLE_SECONDS: std::ops::RangeInclusive<f64> = 30.0..=3_600.0;

impl OddHandle {
    fn see(&mut self, seconds: f64, row: usize) {
        self.sum += seconds;
        self.n += 1;
        if !USUAL_HANDLE_SECONDS.contains(&seconds) {
            self.rows.push((row, seconds));
        }
    }

    fn warning(&self, path: &Path, column: String) -> Option<String> {
        let &(row, v) = self.rows.first()?;
        let mean = self.sum / self.n.max(1) as f64;
        let hint = if mean < 30.0 {
            "; did you mean minutes? (write seconds, or m:ss)"
        } else if mean > 3_600.0 {
            "; is the column in milliseconds? (write seconds, or h:mm:ss)"
        } else {
            ""
        };
        Some(format!(
            "{}: column {column}: {} of {} intervals have an average handle time under 30 s or above 3,600 s (first: row {row}, {v} s; the file's mean is {mean:.1} s){hint}",
            path.display(),
            self.rows.len(),
            self.n
        ))
    }
}

struct Row {
    i: usize,
    ts: NaiveDateTime,
    offered: f64,
    answered: Option<f64>,
    abandoned: Option<f64>,
    aht: Option<f64>,
}

fn add(m: &mut Array2<f64>, d: usize, s: usize, v: Option<f64>, accumulate: bool) {
    if let Some(v) = v {
        let cell = &mut m[[d, s]];
        *cell = if accumulate && !cell.is_nan() { *cell + v } else { v };
    }
}

/// Each row's time (interval start, or a record's arrival) for `queue`'s
/// rows, with its column: for checks that name the row.
pub fn row_stamps(t: &Table, queue: Option<&str>) -> InputResult<Vec<crate::ingest::calls::RowStamp>> {
    use crate::ingest::calls::{looks_like_call_records, record_stamps, RowStamp};
    if !t.has(CALLS_COLUMNS) && looks_like_call_records(t) {
        return record_stamps(t, queue);
    }
    let stamps = find_stamps(t)?;
    let qcol = t.column(QUEUE_COLUMNS)?;
    let wanted = select_queue(t, qcol, queue)?;
    let mut out = Vec::with_capacity(t.height());
    for i in t.rows() {
        if let (Some(q), Some(w)) = (qcol, wanted.as_deref()) {
            if q.get(i) != Some(w) {
                continue;
            }
        }
        out.push(RowStamp { index: i, column: stamps.label(), at: stamps.at(t, i)? });
    }
    Ok(out)
}

/// Where the interval start comes from: a date-time column, or a date and a
/// time of day (the US bank's `date,time`, Avaya's `Date,Interval`).
fn find_stamps(t: &Table) -> InputResult<Moment<'_>> {
    Moment::find(t, TIMESTAMP_COLUMNS, DATE_COLUMNS, TIME_COLUMNS, TIME_FALLBACK_COLUMNS)?.ok_or_else(|| {
        InputError::file(
            &t.path,
            format!(
                "missing interval start: expected a column 'interval_start' (or 'timestamp', 'datetime', 'Interval Start'), or columns 'date' and 'time', or their names under [history.columns]; found columns: {}",
                t.headers.join(", ")
            ),
        )
    })
}

/// A 24-hour export holds rows for the hour the spring DST change skips; with
/// no calls in them they are dropped (with a warning). A row there with calls
/// is left for the grid to refuse, naming the row.
fn drop_empty_rows_in_dst_gap(path: &Path, rows: &mut Vec<Row>, tz: Tz, warnings: &mut Vec<String>) {
    let in_gap = |r: &Row| matches!(tz.from_local_datetime(&r.ts), LocalResult::None);
    let empty: Vec<NaiveDateTime> = rows.iter().filter(|r| in_gap(r) && r.offered == 0.0).map(|r| r.ts).collect();
    if let Some(first) = empty.first() {
        rows.retain(|r| !(in_gap(r) && r.offered == 0.0));
        warnings.push(format!(
            "{}: {} row(s) without calls in the hour skipped by the DST change in {tz} (from {}) were dropped",
            path.display(),
            empty.len(),
            first.format("%Y-%m-%d %H:%M")
        ));
    }
}

fn select_queue(t: &Table, queue: Option<Col<'_>>, wanted: Option<&str>) -> InputResult<Option<String>> {
    let Some(q) = queue else {
        return match wanted {
            Some(w) => {
                Err(InputError::file(&t.path, format!("queue '{w}' was asked for, but the file has no 'queue' column")))
            }
            None => Ok(None),
        };
    };
    let names: std::collections::BTreeSet<&str> = (0..t.height()).filter_map(|i| q.get(i)).collect();
    match wanted {
        Some(w) if names.contains(w) => Ok(Some(w.to_string())),
        Some(w) => Err(InputError::cell(
            &t.path,
            1,
            q.name,
            format!("queue '{w}' not found; the file has queues: {}", names.into_iter().collect::<Vec<_>>().join(", ")),
        )),
        None if names.len() > 1 => Err(InputError::cell(
            &t.path,
            1,
            q.name,
            format!(
                "the file holds {} queues ({}); expected one queue per run: choose one with --queue",
                names.len(),
                names.into_iter().collect::<Vec<_>>().join(", ")
            ),
        )),
        None => Ok(None),
    }
}

/// The interval length: the most common step between consecutive rows of a day.
/// Every row must sit on that grid (from midnight), and no day may use another step.
fn detect_interval(path: &Path, rows: &[Row], col: &str) -> InputResult<IntervalMinutes> {
    let minute = |r: &Row| (r.ts.hour() * 60 + r.ts.minute()) as i64;
    let mut steps: BTreeMap<i64, usize> = BTreeMap::new();
    for w in rows.windows(2) {
        if w[0].ts.date() == w[1].ts.date() {
            let d = minute(&w[1]) - minute(&w[0]);
            if d > 0 {
                *steps.entry(d).or_default() += 1;
            }
        }
    }
    let Some(step) = steps.iter().max_by_key(|(d, n)| (**n, -**d)).map(|(d, _)| *d) else {
        return Err(InputError::file(
            path,
            "cannot tell the interval length: no day has two rows; expected consecutive interval starts (e.g. 08:00, 08:15)",
        ));
    };
    let interval = IntervalMinutes::new(step as u32)
        .map_err(|e| InputError::cell(path, 2, col, format!("the rows are {step} minutes apart: {e}")))?;
    for r in rows {
        if r.ts.second() != 0 || minute(r) % step != 0 {
            return Err(InputError::bad_value(
                path,
                sheet_row(r.i),
                col,
                &r.ts.format("%Y-%m-%d %H:%M:%S").to_string(),
                format!("an interval start on the {step}-minute grid of the other rows (mixed interval lengths are not supported)"),
            ));
        }
    }
    // A day whose rows are all a larger step apart is a different interval length.
    let mut k = 0;
    while k < rows.len() {
        let day = rows[k].ts.date();
        let end = k + rows[k..].iter().take_while(|r| r.ts.date() == day).count();
        let day_rows = &rows[k..end];
        if day_rows.len() >= 4 {
            let min_step = day_rows.windows(2).map(|w| minute(&w[1]) - minute(&w[0])).filter(|d| *d > 0).min();
            if let Some(m) = min_step.filter(|m| *m > step) {
                return Err(InputError::cell(
                    path,
                    sheet_row(day_rows[0].i),
                    col,
                    format!(
                        "mixed interval lengths: {day} has rows {m} minutes apart, the rest of the file {step} minutes; expected one interval length per file"
                    ),
                ));
            }
        }
        k = end;
    }
    Ok(interval)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::table::ReadFormat;
    use chrono::NaiveDateTime;
    use std::io::Write;

    fn load(text: &str, opts: &HistoryOptions) -> InputResult<(History, Vec<String>)> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("h.csv");
        std::fs::File::create(&p).unwrap().write_all(text.as_bytes()).unwrap();
        load_history_with(&p, opts).map_err(|mut e| {
            e.at.file = "h.csv".into();
            e
        })
    }

    #[test]
    fn timestamp_column_and_gaps() {
        let (h, w) = load(
            "interval_start,calls\n2026-01-05 08:00,3\n2026-01-05 08:15,4\n2026-01-05 09:00,5\n2026-01-07 08:00,6\n",
            &HistoryOptions::default(),
        )
        .unwrap();
        assert!(w.is_empty());
        assert_eq!(h.interval.get(), 15);
        assert_eq!(h.days.len(), 2, "the missing day is not a row");
        assert_eq!(h.offered[[0, 32]], 3.0);
        assert!(h.offered[[0, 34]].is_nan(), "a gap stays a gap");
        assert_eq!(h.offered[[0, 36]], 5.0);
        assert_eq!(h.offered[[1, 32]], 6.0);
    }

    #[test]
    fn date_and_time_columns_like_the_us_bank_file() {
        let (h, _) = load(
            "date,interval,time,calls\n2003-03-03,1,07:00,111\n2003-03-03,2,07:05,113\n2003-03-03,3,07:10,90\n",
            &HistoryOptions::default(),
        )
        .unwrap();
        assert_eq!(h.interval.get(), 5);
        assert_eq!(h.offered[[0, 84]], 111.0);
        let r = h.resample(IntervalMinutes::new(15).unwrap()).unwrap();
        assert_eq!(r.offered[[0, 28]], 314.0);
    }

    #[test]
    fn duplicate_interval_is_an_error_naming_both_rows() {
        let e = load("interval_start,calls\n2026-01-05 08:00,3\n2026-01-05 08:00,4\n", &HistoryOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("h.csv:3: column 'interval_start'") && e.contains("also at row 2"), "{e}");
    }

    #[test]
    fn unsorted_rows_are_sorted_with_a_warning() {
        let (h, w) =
            load("interval_start,calls\n2026-01-05 08:15,4\n2026-01-05 08:00,3\n", &HistoryOptions::default()).unwrap();
        assert_eq!(w.len(), 1);
        assert_eq!(h.offered[[0, 32]], 3.0);
    }

    #[test]
    fn dst_fold_is_summed_and_skipped_hour_refused() {
        let tz: Tz = "Europe/London".parse().unwrap();
        let opts = HistoryOptions { tz: Some(tz), ..Default::default() };
        let text =
            "interval_start,calls\n2026-10-25 00:30,1\n2026-10-25 01:00,2\n2026-10-25 01:00,3\n2026-10-25 01:30,4\n";
        let (h, w) = load(text, &opts).unwrap();
        assert_eq!(h.interval.get(), 30);
        assert_eq!(h.offered[[0, 2]], 5.0, "both 01:00 intervals of the 25-hour day");
        assert_eq!(w.len(), 1);
        let e = load("interval_start,calls\n2026-03-29 00:30,1\n2026-03-29 01:30,2\n2026-03-29 02:00,2\n", &opts)
            .unwrap_err()
            .to_string();
        assert!(e.contains("h.csv:3") && e.contains("skipped"), "{e}");
        // A 24-hour export's empty rows in the skipped hour are dropped, with a warning.
        let (h, w) = load(
            "interval_start,calls\n2026-03-29 00:00,1\n2026-03-29 00:30,1\n2026-03-29 01:00,0\n2026-03-29 01:30,0\n2026-03-29 02:00,2\n2026-03-29 02:30,1\n",
            &opts,
        )
        .unwrap();
        assert_eq!(h.offered.iter().filter(|v| !v.is_nan()).sum::<f64>(), 5.0);
        assert!(w.iter().any(|w| w.contains("2 row(s) without calls") && w.contains("2026-03-29 01:00")), "{w:?}");
    }

    #[test]
    fn more_answered_than_offered_is_refused() {
        let e = load(
            "interval_start,calls,answered,abandoned\n2026-01-05 08:00,5,4,1\n2026-01-05 08:15,5,6,0\n",
            &HistoryOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("h.csv:3: column 'answered': got '6'") && e.contains("at most the 5 calls offered"), "{e}");
        let e = load(
            "interval_start,calls,answered,abandoned\n2026-01-05 08:00,5,4,2\n2026-01-05 08:15,5,1,0\n",
            &HistoryOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("h.csv:2: column 'abandoned'"), "{e}");
    }

    #[test]
    fn mixed_interval_lengths_are_refused() {
        let mut text = String::from("interval_start,calls\n");
        for m in (0..120).step_by(15) {
            text += &format!("2026-01-05 {:02}:{:02},1\n", 8 + m / 60, m % 60);
        }
        for m in (0..240).step_by(30) {
            text += &format!("2026-01-06 {:02}:{:02},1\n", 8 + m / 60, m % 60);
        }
        let e = load(&text, &HistoryOptions::default()).unwrap_err().to_string();
        assert!(e.contains("mixed interval lengths") && e.contains("2026-01-06"), "{e}");
        let e = load("interval_start,calls\n2026-01-05 08:00,1\n2026-01-05 08:15,1\n2026-01-05 08:20,1\n2026-01-05 08:30,1\n2026-01-05 08:45,1\n", &HistoryOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("h.csv:4") && e.contains("15-minute grid"), "{e}");
    }

    #[test]
    fn negative_and_nan_counts_are_refused() {
        for bad in ["-1", "NaN", "abc"] {
            let e = load(&format!("interval_start,calls\n2026-01-05 08:00,{bad}\n"), &HistoryOptions::default())
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("h.csv:2: column 'calls'") && e.contains(bad), "{e}");
        }
    }

    #[test]
    fn a_history_that_ends_in_weeks_of_zeros_warns_naming_the_span() {
        let mut text = String::from("interval_start,calls\n");
        let day0 = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        for d in 0..30 {
            let calls = if d < 10 { 5 } else { 0 };
            for s in ["08:00", "08:15"] {
                text += &format!("{} {s},{calls}\n", day0 + chrono::Duration::days(d));
            }
        }
        let (h, _) = load(&text, &HistoryOptions::default()).unwrap();
        let w = silent_end_warning(Path::new("h.csv"), &h).unwrap();
        assert!(
            w.contains("last 20 days of the history (2026-01-15 .. 2026-02-03)") && w.contains("2026-01-14"),
            "{w}"
        );
        // A week of zeros at the end is a closure, not a broken feed.
        let short: String = text.lines().take(1 + 2 * 17).map(|l| format!("{l}\n")).collect();
        let (h, _) = load(&short, &HistoryOptions::default()).unwrap();
        assert_eq!(silent_end_warning(Path::new("h.csv"), &h), None);
        let zeros = text.replace(",5\n", ",0\n");
        let (h, _) = load(&zeros, &HistoryOptions::default()).unwrap();
        assert!(silent_end_warning(Path::new("h.csv"), &h).unwrap().contains("hold no calls at all"));
    }

    #[test]
    fn several_queues_need_a_choice() {
        let text = "interval_start,queue,calls\n2026-01-05 08:00,sales,1\n2026-01-05 08:00,service,2\n2026-01-05 08:15,sales,1\n2026-01-05 08:15,service,2\n";
        let e = load(text, &HistoryOptions::default()).unwrap_err().to_string();
        assert!(e.contains("2 queues") && e.contains("--queue"), "{e}");
        let (h, _) = load(text, &HistoryOptions { queue: Some("service".into()), ..Default::default() }).unwrap();
        assert_eq!(h.offered[[0, 32]], 2.0);
    }

    /// How a twin writes the history: header names, date and time style,
    /// handle time as seconds or m:ss, the delimiter.
    #[derive(Debug, Clone)]
    struct Style {
        mapped: bool,
        date: usize,
        time: usize,
        clock_aht: bool,
        sep: &'static str,
    }

    fn render_twin(rows: &[(NaiveDateTime, u32, u32, u32)], s: &Style) -> (String, ReadFormat) {
        let mut f = ReadFormat::of("history");
        let (date_h, time_h, calls_h, ans_h, aht_h) = if s.mapped {
            for (k, v) in [
                ("date", "Tag"),
                ("time", "Zeit"),
                ("calls", "Anrufe"),
                ("answered", "Angenommen"),
                ("aht_seconds", "Dauer"),
            ] {
                f.columns.insert(k.into(), v.into());
            }
            ("Tag", "Zeit", "Anrufe", "Angenommen", "Dauer")
        } else {
            ("Date", "Interval", "Calls Offered", "ACD Calls", "Avg Handle Time (sec)")
        };
        let (date_fmt, given) =
            [("%Y-%m-%d", false), ("%m/%d/%Y", true), ("%d.%m.%Y", true), ("%Y/%m/%d", true)][s.date];
        if given {
            f.date_format = Some(date_fmt.into());
        }
        let sep = s.sep;
        let mut text = format!("{date_h}{sep}{time_h}{sep}{calls_h}{sep}{ans_h}{sep}{aht_h}\n");
        for (t, calls, answered, aht) in rows {
            let time = match s.time {
                0 => t.format("%H:%M").to_string(),
                1 => t.format("%-I:%M %p").to_string(),
                2 => format!("{}-{}", t.format("%H:%M"), (*t + chrono::Duration::minutes(15)).format("%H:%M")),
                _ => t.format("%H:%M:%S").to_string(),
            };
            let aht = if s.clock_aht { format!("{}:{:02}", aht / 60, aht % 60) } else { aht.to_string() };
            text += &format!("{}{sep}{time}{sep}{calls}{sep}{answered}{sep}{aht}\n", t.format(date_fmt));
        }
        (text, f)
    }

    fn from_text(text: &str, f: &ReadFormat) -> (History, Vec<String>) {
        let t = Table::from_bytes_as(Path::new("h.csv"), text.as_bytes().to_vec(), f).unwrap();
        history_from_table(&t, &HistoryOptions::default()).unwrap()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// A file and its re-headed, re-formatted twin (mapped where its
        /// names are not known) read to the same history, which is all the
        /// plan sees of it.
        #[test]
        fn a_re_headed_twin_reads_to_the_same_history(
            cells in proptest::collection::vec((0u32..400, 0u32..100, 30u32..1200), 8..40),
            gap in 1i64..4,
            mapped: bool,
            date in 0usize..4,
            time in 0usize..4,
            clock_aht: bool,
            sep in proptest::prop_oneof![proptest::strategy::Just(","), proptest::strategy::Just(";"), proptest::strategy::Just("\t")],
        ) {
            let start = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap().and_hms_opt(8, 0, 0).unwrap();
            let rows: Vec<(NaiveDateTime, u32, u32, u32)> = cells
                .iter()
                .enumerate()
                .map(|(k, (calls, share, aht))| {
                    // Four intervals a day, days `gap` apart (gaps are missing days).
                    let day = (k / 4) as i64 * gap;
                    let t = start + chrono::Duration::days(day) + chrono::Duration::minutes(15 * (k % 4) as i64);
                    (t, *calls, calls * share / 100, *aht)
                })
                .collect();
            let mut plain = String::from("interval_start,calls,answered,aht_seconds\n");
            for (t, c, a, h) in &rows {
                plain += &format!("{},{c},{a},{h}\n", t.format("%Y-%m-%d %H:%M"));
            }
            let (a, _) = from_text(&plain, &ReadFormat::of("history"));
            let (text, f) = render_twin(&rows, &Style { mapped, date, time, clock_aht, sep });
            let (b, warnings) = from_text(&text, &f);
            proptest::prop_assert_eq!(format!("{a:?}"), format!("{b:?}"));
            proptest::prop_assert!(!warnings.iter().any(|w| w.contains("not used")), "{:?}", warnings);
        }
    }
}
