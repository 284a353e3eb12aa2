//! Today's calls so far (`ringcast intraday --actuals`): interval counts or
//! call records of one day of the planning week, up to the update time.
//!
//! Checked row by row before anything is computed: every row on the same day,
//! that day in the planning week, every time before `--at` (an interval
//! starting at `--at` or later has not happened yet). Without `--at`, the
//! update time is the end of the last interval with data; for call records,
//! whose last interval is still filling, the start of that interval (its
//! calls are left out with a warning).

use crate::calendar::{slot_time, OpenCalendar};
use crate::error::{Error, InputError};
use crate::ingest::calls::RowStamp;
use crate::ingest::history::{history_from_table, row_stamps, HistoryOptions};
use crate::ingest::table::{sheet_row, Table};
use chrono::{NaiveDate, NaiveTime, Timelike};
use std::path::Path;

/// Today's calls seen so far.
#[derive(Debug, Clone)]
pub struct Actuals {
    pub day: NaiveDate,
    /// Calls per slot of the day at the config's interval; NaN where the file
    /// has no data (and from `at` on).
    pub calls: Vec<f64>,
    /// The first slot not seen yet.
    pub at: usize,
    pub warnings: Vec<String>,
}

/// Read today's calls from `path` for a planning week of `days`.
pub fn load_actuals(
    path: &Path,
    opts: &HistoryOptions,
    calendar: &OpenCalendar,
    days: &[NaiveDate],
    at: Option<NaiveTime>,
) -> Result<Actuals, Error> {
    let interval = calendar.interval;
    let t = Table::read_as(path, &opts.format.in_section("history"))?;
    t.require_rows()?;
    let stamps = row_stamps(&t, opts.queue.as_deref())?;
    let first = stamps.first().ok_or_else(|| InputError::file(path, "no rows of the queue asked for"))?;
    let day = first.at.date();
    check_day(path, first, days)?;
    if !calendar.is_open_day(day) {
        return Err(InputError::bad_value(
            path,
            sheet_row(first.index),
            &first.column,
            &first.at.format("%Y-%m-%d %H:%M").to_string(),
            "a day the centre is open (the config closes it)",
        )
        .into());
    }
    if let Some(other) = stamps.iter().find(|s| s.at.date() != day) {
        return Err(InputError::bad_value(
            path,
            sheet_row(other.index),
            &other.column,
            &other.at.format("%Y-%m-%d %H:%M").to_string(),
            format!("a time on {day}, the day of the first row: one day's calls per file"),
        )
        .into());
    }
    let step = interval.get();
    let records = !is_counts(&t);
    let mut warnings = Vec::new();
    let at_minutes = match at {
        Some(a) => {
            check_on_grid(a, step)?;
            if let Some(late) = stamps.iter().find(|s| s.at.time() >= a) {
                return Err(InputError::bad_value(
                    path,
                    sheet_row(late.index),
                    &late.column,
                    &late.at.format("%H:%M").to_string(),
                    format!(
                        "a time before --at {} (the update time: later calls have not happened yet)",
                        a.format("%H:%M")
                    ),
                )
                .into());
            }
            a.hour() * 60 + a.minute()
        }
        None => default_at(&stamps, step, records, &mut warnings, path),
    };
    let (raw, load_warnings) = history_from_table(
        &t,
        &HistoryOptions { records_interval: Some(interval), interval_hint: Some(interval), ..opts.clone() },
    )?;
    warnings.extend(load_warnings);
    let grid = raw.resample(interval).map_err(|m| {
        InputError::file(path, format!("{m}; expected intervals that add up to the config's {step} minutes"))
    })?;
    let at = (at_minutes / step) as usize;
    let row = grid.day_index(day);
    let calls: Vec<f64> = (0..interval.per_day())
        .map(|s| match row {
            Some(r) if s < at => grid.offered[[r, s]],
            _ => f64::NAN,
        })
        .collect();
    let open = calendar.open_slots(day);
    let closed: Vec<usize> = (0..calls.len()).filter(|&s| !open[s] && calls[s] > 0.0).collect();
    if let Some(&first) = closed.first() {
        let n: f64 = closed.iter().map(|&s| calls[s]).sum();
        warnings.push(format!(
            "{}: {n:.0} call(s) in {} interval(s) the config has closed (from {}) are left out of the update",
            path.display(),
            closed.len(),
            slot_time(day, first, interval).format("%H:%M")
        ));
    }
    Ok(Actuals { day, calls, at, warnings })
}

/// Interval counts have a calls column; records do not.
fn is_counts(t: &Table) -> bool {
    t.has(crate::ingest::history::CALLS_COLUMNS)
}

fn check_day(path: &Path, first: &RowStamp, days: &[NaiveDate]) -> Result<(), Error> {
    if days.contains(&first.at.date()) {
        return Ok(());
    }
    let (a, b) = (days.first().copied().unwrap_or_default(), days.last().copied().unwrap_or_default());
    Err(InputError::bad_value(
        path,
        sheet_row(first.index),
        &first.column,
        &first.at.format("%Y-%m-%d %H:%M").to_string(),
        format!("a day of the planning week {a} .. {b} (the plan's week; choose another with --week)"),
    )
    .into())
}

fn check_on_grid(a: NaiveTime, step: u32) -> Result<(), Error> {
    if a.second() != 0 || !(a.hour() * 60 + a.minute()).is_multiple_of(step) {
        return Err(Error::usage(format!(
            "--at {}: expected a time on the config's {step}-minute interval boundaries",
            a.format("%H:%M:%S")
        )));
    }
    Ok(())
}

/// The end of the last interval with data, in minutes after midnight; for
/// records, the start of the interval still filling (its calls are left out).
fn default_at(stamps: &[RowStamp], step: u32, records: bool, warnings: &mut Vec<String>, path: &Path) -> u32 {
    let last = stamps.iter().map(|s| s.at).max().unwrap_or_default();
    let minutes = last.time().num_seconds_from_midnight() / 60;
    let start = minutes - minutes % step;
    let end = if records { start } else { (start + step).min(24 * 60) };
    if records {
        let dropped = stamps.iter().filter(|s| (s.at.time().num_seconds_from_midnight() / 60) >= start).count();
        warnings.push(format!(
            "{}: updating at {:02}:{:02}, the start of the last interval (its {dropped} call(s) so far are left out until it is complete; give --at to choose)",
            path.display(),
            start / 60,
            start % 60
        ));
    }
    end
}
