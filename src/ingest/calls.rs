//! Call-detail records: one row per call (arrival, wait, outcome, handle time),
//! aggregated to intervals: offered, answered, abandoned, average handle time and
//! the mean time abandoners waited (their observed patience).
//!
//! Column names differ between telephony systems, so a [`CdrLayout`] maps them.
//! Two layouts are built in and recognised from the header: the generic one
//! documented in `docs/formats.md`, and the Israeli "Anonymous Bank" layout.

use crate::error::{InputError, InputResult};
use crate::ingest::grid::History;
use crate::ingest::table::{sheet_row, Col, Moment, Table};
use crate::units::IntervalMinutes;
use chrono::{NaiveDate, NaiveDateTime, Timelike};
use ndarray::Array2;
use std::collections::BTreeMap;
use std::path::Path;

/// How the columns of a call-detail file map to a call: each field's
/// accepted header names, ringcast's name first (its key under
/// `[history.columns]`).
#[derive(Debug, Clone, Copy)]
pub struct CdrLayout {
    pub name: &'static str,
    /// Arrival: one date-time column, or a date column plus a time column.
    pub arrival: Arrival,
    /// Seconds waited in queue.
    pub wait: &'static [&'static str],
    /// Outcome column and the values meaning answered / abandoned / not
    /// offered (compared ignoring case).
    pub outcome: &'static [&'static str],
    pub answered: &'static [&'static str],
    pub abandoned: &'static [&'static str],
    /// Where there is no outcome column: a yes/no column saying whether the
    /// caller abandoned (NICE CXone's `Abandon` Y/N, Five9's `ABANDONED` 1/0).
    pub abandoned_flag: &'static [&'static str],
    /// Rows with these outcomes never reached the queue and are skipped.
    pub skipped: &'static [&'static str],
    /// Handle (service) time in seconds.
    pub handle: &'static [&'static str],
}

#[derive(Debug, Clone, Copy)]
pub enum Arrival {
    DateTime(&'static [&'static str]),
    /// Date column with its chrono format, and a time-of-day column.
    DateAndTime {
        date: &'static [&'static str],
        date_format: &'static str,
        time: &'static [&'static str],
    },
}

/// `arrival,wait_seconds,outcome,handle_seconds` with outcome answered/abandoned,
/// and the names per-call exports use for them (NICE CXone, Five9, Talkdesk,
/// Webex: docs/formats.md).
pub const GENERIC: CdrLayout = CdrLayout {
    name: "generic",
    arrival: Arrival::DateTime(&[
        "arrival",
        "arrival_time",
        "call_start",
        "start_time",
        "contact_start",
        "contact_start_timestamp",
        "initiation_timestamp",
        "start_at",
    ]),
    wait: &[
        "wait_seconds",
        "wait",
        "wait_time",
        "queue_wait_time",
        "queue_time",
        "queue_duration",
        "waiting_time",
        "inqueue",
    ],
    outcome: &["outcome", "call_outcome", "result", "call_result"],
    answered: &["answered", "handled", "served", "agent"],
    abandoned: &["abandoned", "abandon", "hang", "hangup", "short_abandoned"],
    abandoned_flag: &["abandoned_flag", "abandon", "abandoned", "is_abandoned"],
    skipped: &[],
    handle: &["handle_seconds", "handle_time", "handle", "handling_time", "agent_time"],
};

/// The Technion "Anonymous Bank" layout (February 1999): the call joins the
/// agents' queue when it leaves the voice-response unit (`vru_exit`); `q_time` is
/// its wait; outcome AGENT = answered, HANG = abandoned, PHANTOM = never queued.
pub const ANONYMOUS_BANK: CdrLayout = CdrLayout {
    name: "anonymous_bank",
    arrival: Arrival::DateAndTime { date: &["date"], date_format: "%y%m%d", time: &["arrival", "vru_exit"] },
    wait: &["wait_seconds", "q_time"],
    outcome: &["outcome"],
    answered: &["AGENT"],
    abandoned: &["HANG"],
    abandoned_flag: &[],
    skipped: &["PHANTOM"],
    handle: &["handle_seconds", "ser_time"],
};

/// Interval aggregates of call-detail records.
#[derive(Debug, Clone)]
pub struct CallRecords {
    /// Offered, answered, abandoned and AHT per interval.
    pub history: History,
    /// Mean wait of abandoners per interval, seconds (NaN where none abandoned).
    pub abandoner_wait_seconds: Array2<f64>,
    pub layout: &'static str,
    pub calls_read: usize,
    pub calls_skipped: usize,
}

impl CallRecords {
    /// Mean wait of all abandoners: a simple (downward-biased) patience estimate;
    /// the unbiased one for exponential patience is total wait / abandonments.
    pub fn patience_seconds(&self) -> Option<f64> {
        let ab = self.history.abandoned.as_ref()?;
        let (mut w, mut n) = (0.0, 0.0);
        for (a, m) in ab.iter().zip(self.abandoner_wait_seconds.iter()) {
            if *a > 0.0 && !m.is_nan() {
                w += a * m;
                n += a;
            }
        }
        (n > 0.0).then(|| w / n)
    }
}

/// Read call-detail records and aggregate them to `interval`.
pub fn load_call_records(path: &Path, interval: IntervalMinutes) -> InputResult<CallRecords> {
    aggregate(&Table::read(path)?, interval, None, 20.0)
}

/// Header names of the queue a call was routed to.
pub const QUEUE_COLUMNS: &[&str] = &["queue", "type", "skill", "split", "service", "queue_name", "skill_name"];

/// The queues of the records, sorted.
pub fn record_queues(t: &Table) -> InputResult<Vec<String>> {
    let Some(q) = t.column(QUEUE_COLUMNS)? else { return Ok(vec![]) };
    let names: std::collections::BTreeSet<&str> = t.rows().filter_map(|i| q.get(i)).collect();
    Ok(names.into_iter().map(str::to_string).collect())
}

/// Which rows to read: all (every queue pooled), or those of the queue asked
/// for; a queue the file does not have is an error listing those it has.
fn queue_filter<'a>(
    t: &'a Table,
    wanted: Option<&str>,
) -> InputResult<Option<(crate::ingest::table::Col<'a>, String)>> {
    let Some(w) = wanted else { return Ok(None) };
    let Some(q) = t.column(QUEUE_COLUMNS)? else {
        return Err(InputError::file(
            &t.path,
            format!("queue '{w}' was asked for, but the records have no queue column ({})", QUEUE_COLUMNS.join(", ")),
        ));
    };
    let names = record_queues(t)?;
    if !names.iter().any(|n| n == w) {
        return Err(InputError::cell(
            &t.path,
            1,
            q.name,
            format!("queue '{w}' not found; the records have queues: {}", names.join(", ")),
        ));
    }
    Ok(Some((q, w.to_string())))
}

/// The layout of a table of call-detail records.
fn layout_of(t: &Table) -> CdrLayout {
    if t.has(&["vru_exit"]) && t.has(&["q_time"]) && t.format().columns.is_empty() {
        ANONYMOUS_BANK
    } else {
        GENERIC
    }
}

/// A call's date and time of day where they are two columns.
const CDR_DATE_COLUMNS: &[&str] = &["date", "start_date", "call_date", "contact_date"];
const CDR_TIME_COLUMNS: &[&str] = &["time", "start_time", "call_time", "contact_time"];

/// The arrival column(s) of `layout`: a date-time, or a date and a time of day.
type ArrivalColumns<'a> = (Col<'a>, Option<Col<'a>>);

fn arrival_columns<'a>(t: &'a Table, layout: CdrLayout) -> InputResult<ArrivalColumns<'a>> {
    Ok(match layout.arrival {
        // A date-time, or a date and a time of day (CXone's Start_Date, Start_Time).
        Arrival::DateTime(c) => match Moment::find(t, c, CDR_DATE_COLUMNS, CDR_TIME_COLUMNS, &[])? {
            Some(Moment::One(c)) => (c, None),
            Some(Moment::DateTime(d, tm)) => (d, Some(tm)),
            None => return Err(t.missing(c, "the arrival date-time (or columns 'date' and 'time')")),
        },
        Arrival::DateAndTime { date, time, .. } => {
            (t.require(date, "the call date")?, Some(t.require(time, "the arrival time of day")?))
        }
    })
}

/// The arrival of record `i`.
fn arrival_at(t: &Table, layout: CdrLayout, arrival: ArrivalColumns<'_>, i: usize) -> InputResult<NaiveDateTime> {
    let path = t.path.as_path();
    match (layout.arrival, arrival.1) {
        (Arrival::DateAndTime { date_format, .. }, Some(tc)) => {
            let raw = t.required(arrival.0, i, "a date")?;
            let d = NaiveDate::parse_from_str(raw, date_format)
                .ok()
                .filter(|d| crate::ingest::table::in_years(*d))
                .ok_or_else(|| {
                    InputError::bad_value(
                        path,
                        sheet_row(i),
                        arrival.0.name,
                        raw,
                        format!("a date in the form {date_format} in the years 1970 to 2200"),
                    )
                })?;
            Ok(d.and_time(t.time_at(tc, i)?))
        }
        (Arrival::DateTime(_), Some(tc)) => Ok(t.date_at(arrival.0, i)?.and_time(t.time_at(tc, i)?)),
        (_, None) => t.datetime_at(arrival.0, i),
    }
}

/// Each record's arrival (of `queue` only, when given), with the column that
/// holds its time of day: for checks that name the row.
pub fn record_stamps(t: &Table, queue: Option<&str>) -> InputResult<Vec<RowStamp>> {
    let only = queue_filter(t, queue)?;
    let layout = layout_of(t);
    let outcome = Outcome::find(t, layout)?;
    let arrival = arrival_columns(t, layout)?;
    let column = arrival.1.unwrap_or(arrival.0).name.to_string();
    let mut out = Vec::new();
    for i in t.rows() {
        let other_queue = only.as_ref().is_some_and(|(q, w)| q.get(i) != Some(w.as_str()));
        if other_queue || outcome.column().get(i).is_some_and(|o| is_one_of(o, layout.skipped)) {
            continue;
        }
        out.push(RowStamp { index: i, column: column.clone(), at: arrival_at(t, layout, arrival, i)? });
    }
    Ok(out)
}

/// A data row's time, for checks that name the row and column.
#[derive(Debug, Clone)]
pub struct RowStamp {
    /// 0-based data row (see [`sheet_row`]).
    pub index: usize,
    pub column: String,
    pub at: NaiveDateTime,
}

/// Whether a table looks like call-detail records rather than interval counts.
pub fn looks_like_call_records(t: &Table) -> bool {
    (t.has(GENERIC.outcome) || t.has(GENERIC.abandoned_flag)) && (t.has(GENERIC.wait) || t.has(ANONYMOUS_BANK.wait))
}

/// Values of a yes/no abandoned column.
const YES: [&str; 4] = ["y", "yes", "1", "true"];
const NO: [&str; 4] = ["n", "no", "0", "false"];

/// Where a record's outcome comes from.
#[derive(Clone, Copy)]
enum Outcome<'a> {
    /// An outcome column with the layout's values.
    Column(Col<'a>),
    /// A yes/no column: abandoned or not (answered).
    AbandonedFlag(Col<'a>),
}

impl<'a> Outcome<'a> {
    fn find(t: &'a Table, layout: CdrLayout) -> InputResult<Outcome<'a>> {
        if let Some(c) = t.column(layout.outcome)? {
            return Ok(Outcome::Column(c));
        }
        match t.column(layout.abandoned_flag)? {
            Some(c) if !layout.abandoned_flag.is_empty() => Ok(Outcome::AbandonedFlag(c)),
            _ => Err(t.missing(layout.outcome, "the call outcome (or a yes/no abandoned column)")),
        }
    }

    /// The outcome of record `i` as the layout's words: answered, abandoned
    /// or skipped.
    fn at(&self, t: &Table, layout: CdrLayout, i: usize) -> InputResult<&'a str> {
        match *self {
            Outcome::Column(c) => t.required(c, i, "an outcome"),
            Outcome::AbandonedFlag(c) => {
                let v = t.required(c, i, "yes or no")?;
                if is_one_of(v, &YES) {
                    Ok(layout.abandoned[0])
                } else if is_one_of(v, &NO) {
                    Ok(layout.answered[0])
                } else {
                    Err(InputError::bad_value(
                        &t.path,
                        sheet_row(i),
                        c.name,
                        v,
                        "whether the caller abandoned: Y/N, yes/no, 1/0 or true/false",
                    ))
                }
            }
        }
    }

    fn column(&self) -> Col<'a> {
        match *self {
            Outcome::Column(c) | Outcome::AbandonedFlag(c) => c,
        }
    }
}

/// Aggregate a table of call-detail records to `interval`, every queue pooled
/// or only `queue`'s calls.
/// `answer_seconds` is the target for the calls answered in time.
pub fn aggregate(
    t: &Table,
    interval: IntervalMinutes,
    queue: Option<&str>,
    answer_seconds: f64,
) -> InputResult<CallRecords> {
    let path = t.path.as_path();
    t.require_rows()?;
    let only = queue_filter(t, queue)?;
    let layout = layout_of(t);
    let outcome = Outcome::find(t, layout)?;
    let wait = t.require(layout.wait, "the wait in queue (seconds)")?;
    let handle = t.require(layout.handle, "the handle time (seconds)")?;
    let arrival = arrival_columns(t, layout)?;
    let mut cells: BTreeMap<(NaiveDate, usize), Agg> = BTreeMap::new();
    // Σh and Σh² of answered calls' handle times, for their spread.
    let (mut handle_sum, mut handle_sq) = (0.0f64, 0.0f64);
    let (mut read, mut skipped) = (0, 0);
    for i in t.rows() {
        if let Some((q, w)) = &only {
            if q.get(i) != Some(w.as_str()) {
                continue;
            }
        }
        let out = outcome.at(t, layout, i)?;
        if is_one_of(out, layout.skipped) {
            skipped += 1;
            continue;
        }
        let is_answered = is_one_of(out, layout.answered);
        let is_abandoned = is_one_of(out, layout.abandoned);
        if !is_answered && !is_abandoned {
            let mut all: Vec<&str> =
                layout.answered.iter().chain(layout.abandoned).chain(layout.skipped).copied().collect();
            all.sort();
            return Err(InputError::bad_value(
                path,
                sheet_row(i),
                outcome.column().name,
                out,
                format!("one of {}", all.join(", ")),
            ));
        }
        let at = arrival_at(t, layout, arrival, i)?;
        let w = t.seconds_at(wait, i, &crate::limits::CALL_SECONDS)?;
        let h = t.seconds_at(handle, i, &crate::limits::CALL_SECONDS)?;
        let slot = ((at.hour() * 60 + at.minute()) / interval.get()) as usize;
        let a = cells.entry((at.date(), slot)).or_default();
        a.offered += 1.0;
        a.wait += w;
        if is_answered {
            a.answered += 1.0;
            a.handle += h;
            handle_sum += h;
            handle_sq += h * h;
            if w <= answer_seconds {
                a.in_time += 1.0;
            }
        } else {
            a.abandoned += 1.0;
            a.ab_wait += w;
        }
        read += 1;
    }
    check_records_span(path, &cells, arrival.0.name)?;
    let answered_total: f64 = cells.values().map(|a| a.answered).sum();
    let (history, abandoner_wait_seconds) = to_grid(&cells, interval, spread(handle_sum, handle_sq, answered_total));
    Ok(CallRecords { history, abandoner_wait_seconds, layout: layout.name, calls_read: read, calls_skipped: skipped })
}

/// Calls of one interval of one day.
#[derive(Default)]
struct Agg {
    offered: f64,
    answered: f64,
    abandoned: f64,
    handle: f64,
    ab_wait: f64,
    wait: f64,
    in_time: f64,
}

/// Records span at most [`crate::limits::MAX_SPAN_DAYS`] days, like a history.
fn check_records_span(path: &Path, cells: &BTreeMap<(NaiveDate, usize), Agg>, arrival: &str) -> InputResult<()> {
    if let (Some(((first, _), _)), Some(((last, _), _))) = (cells.first_key_value(), cells.last_key_value()) {
        if (*last - *first).num_days() > crate::limits::MAX_SPAN_DAYS {
            return Err(InputError::cell(
                path,
                1,
                arrival,
                format!(
                    "the calls run from {first} to {last}; expected at most {} days (twenty years) of records",
                    crate::limits::MAX_SPAN_DAYS
                ),
            ));
        }
    }
    Ok(())
}

/// The intervals' calls on the day × interval grid, and the mean wait of
/// abandoned calls per interval.
fn to_grid(
    cells: &BTreeMap<(NaiveDate, usize), Agg>,
    interval: IntervalMinutes,
    handle_cv: Option<f64>,
) -> (History, Array2<f64>) {
    let mut days: Vec<NaiveDate> = cells.keys().map(|(d, _)| *d).collect();
    days.dedup();
    let index: BTreeMap<NaiveDate, usize> = days.iter().enumerate().map(|(k, d)| (*d, k)).collect();
    let shape = (days.len(), interval.per_day());
    // Within a day with calls, an interval without calls had zero calls (not missing).
    let grid = |f: &dyn Fn(&Agg) -> f64, empty: f64| {
        let mut m = Array2::from_elem(shape, empty);
        for ((d, s), a) in cells {
            m[[index[d], *s]] = f(a);
        }
        m
    };
    let offered = grid(&|a| a.offered, 0.0);
    let answered = grid(&|a| a.answered, 0.0);
    let abandoned = grid(&|a| a.abandoned, 0.0);
    let aht = grid(
        &|a| {
            if a.answered > 0.0 {
                a.handle / a.answered
            } else {
                f64::NAN
            }
        },
        f64::NAN,
    );
    let ab_wait = grid(
        &|a| {
            if a.abandoned > 0.0 {
                a.ab_wait / a.abandoned
            } else {
                f64::NAN
            }
        },
        f64::NAN,
    );
    let history = History {
        interval,
        days,
        offered,
        answered: Some(answered),
        abandoned: Some(abandoned),
        aht_seconds: Some(aht),
        queue_seconds: Some(grid(&|a| a.wait, 0.0)),
        answered_in_time: Some(grid(&|a| a.in_time, 0.0)),
        handle_cv,
    };
    (history, ab_wait)
}

/// Whether an outcome is one of `values`, ignoring case (`Answered`, `ANSWERED`).
fn is_one_of(outcome: &str, values: &[&str]) -> bool {
    values.iter().any(|v| v.eq_ignore_ascii_case(outcome.trim()))
}

/// Coefficient of variation of `n` values from their sum and sum of
/// squares; `None` with fewer than two, or a mean of 0.
fn spread(sum: f64, sum_sq: f64, n: f64) -> Option<f64> {
    if n < 2.0 || sum <= 0.0 {
        return None;
    }
    let mean = sum / n;
    let var = ((sum_sq - n * mean * mean) / (n - 1.0)).max(0.0);
    Some(var.sqrt() / mean)
}

#[cfg(test)]
mod tests {

    #[test]
    fn spread_is_the_coefficient_of_variation() {
        // 1, 2, 3: mean 2, sample sd 1.
        assert!((super::spread(6.0, 14.0, 3.0).unwrap() - 0.5).abs() < 1e-12);
        assert_eq!(super::spread(5.0, 25.0, 1.0), None);
    }

    use super::*;
    use std::io::Write;

    #[test]
    fn aggregates_generic_records() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.csv");
        std::fs::File::create(&p)
            .unwrap()
            .write_all(b"arrival,wait_seconds,outcome,handle_seconds\n2026-01-05 08:01,10,answered,200\n2026-01-05 08:14,40,abandoned,0\n2026-01-05 08:16,0,answered,100\n")
            .unwrap();
        let r = load_call_records(&p, IntervalMinutes::new(15).unwrap()).unwrap();
        let h = &r.history;
        assert_eq!(h.offered[[0, 32]], 2.0);
        assert_eq!(h.answered.as_ref().unwrap()[[0, 32]], 1.0);
        assert_eq!(h.abandoned.as_ref().unwrap()[[0, 32]], 1.0);
        assert_eq!(h.aht_seconds.as_ref().unwrap()[[0, 33]], 100.0);
        assert_eq!(r.patience_seconds(), Some(40.0));
        // Two of the three callers were answered within 20 s.
        let q = crate::ingest::queue_stats::QueueStats::of(h);
        assert_eq!(q.service_level, Some(2.0 / 3.0));
        assert_eq!(q.patience.map(|e| e.seconds), Some(50.0), "10 + 40 + 0 s in queue / 1 abandonment");
        assert_eq!(h.offered[[0, 40]], 0.0, "no calls in an interval of a day with calls is zero, not missing");
    }

    #[test]
    fn a_queue_is_chosen_from_the_records_and_an_unknown_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.csv");
        std::fs::write(&p, "arrival,type,wait_seconds,outcome,handle_seconds\n2026-01-05 08:01,PS,10,answered,200\n2026-01-05 08:02,NE,5,answered,100\n2026-01-05 08:03,PS,40,abandoned,0\n").unwrap();
        let t = Table::read(&p).unwrap();
        let iv = IntervalMinutes::new(15).unwrap();
        assert_eq!(record_queues(&t).unwrap(), vec!["NE".to_string(), "PS".to_string()]);
        assert_eq!(aggregate(&t, iv, None, 20.0).unwrap().history.offered[[0, 32]], 3.0);
        let ps = aggregate(&t, iv, Some("PS"), 20.0).unwrap();
        assert_eq!(ps.history.offered[[0, 32]], 2.0);
        assert_eq!(ps.history.abandoned.unwrap()[[0, 32]], 1.0);
        let e = aggregate(&t, iv, Some("XX"), 20.0).unwrap_err().to_string();
        assert!(
            e.contains("c.csv:1: column 'type'") && e.contains("queue 'XX' not found") && e.contains("NE, PS"),
            "{e}"
        );
    }

    #[test]
    fn a_yes_no_abandoned_column_gives_the_outcome() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.csv");
        std::fs::write(&p, "Contact_ID,Start_Date,Start_Time,Skill_Name,InQueue,Handle Time,Abandon\n1,01/05/2026,08:01:00,Sales,10,3:20,N\n2,01/05/2026,08:14:00,Sales,40,0,Y\n3,01/13/2026,08:16:00,Sales,0,1:40,N\n").unwrap();
        let t = Table::read(&p).unwrap();
        let r = aggregate(&t, IntervalMinutes::new(15).unwrap(), None, 20.0).unwrap();
        let h = &r.history;
        assert_eq!((h.offered[[0, 32]], h.abandoned.as_ref().unwrap()[[0, 32]]), (2.0, 1.0));
        assert_eq!(h.aht_seconds.as_ref().unwrap()[[0, 32]], 200.0, "3:20 is 200 s");
        assert_eq!(h.days[1], NaiveDate::from_ymd_opt(2026, 1, 13).unwrap(), "month-first, as the 13th proves");
        std::fs::write(&p, "Start_Date,Start_Time,InQueue,Handle Time,Abandon\n2026-01-05,08:01:00,10,200,maybe\n")
            .unwrap();
        let e = aggregate(&Table::read(&p).unwrap(), IntervalMinutes::new(15).unwrap(), None, 20.0)
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2: column 'Abandon': got 'maybe', expected whether the caller abandoned"), "{e}");
    }

    #[test]
    fn unknown_outcome_names_row() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.csv");
        std::fs::File::create(&p)
            .unwrap()
            .write_all(b"arrival,wait_seconds,outcome,handle_seconds\n2026-01-05 08:01,10,busy,200\n")
            .unwrap();
        let e = load_call_records(&p, IntervalMinutes::new(15).unwrap()).unwrap_err().to_string();
        assert!(
            e.contains(":2: column 'outcome': got 'busy', expected one of abandon, abandoned, agent, answered"),
            "{e}"
        );
    }
}
