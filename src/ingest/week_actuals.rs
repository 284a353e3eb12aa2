//! The week as it happened (`ringcast review --actuals`): interval counts or
//! call records of the planning week, in the history's formats, with
//! answered and abandoned calls where the file has them.
//!
//! Every row must fall in the planning week: a row outside it is refused
//! naming its row and column (a file of the wrong week is a mistake, not
//! something to skip). Days of the week without rows are left out of the
//! fit with a warning; their lines keep what the other days and their
//! channel say.

use crate::calendar::{slot_time, OpenCalendar};
use crate::error::{Error, InputError};
use crate::ingest::history::{history_from_table, row_stamps, HistoryOptions};
use crate::ingest::table::{sheet_row, Table};
use crate::ingest::History;
use chrono::NaiveDate;
use ndarray::Array2;
use std::path::Path;

/// The week's calls on its days × slots grid.
#[derive(Debug, Clone)]
pub struct WeekCalls {
    /// Offered calls; NaN where the file has no data.
    pub calls: Array2<f64>,
    /// Answered and abandoned calls, where the file gives both (or one, the
    /// other then being the rest of the offered calls).
    pub answered: Option<Array2<f64>>,
    pub abandoned: Option<Array2<f64>>,
    /// The file's rows as a history, for learning from the week.
    pub history: History,
    pub warnings: Vec<String>,
}

/// Read the week's calls from `path` for the planning week `days`.
pub fn load_week_calls(
    path: &Path,
    opts: &HistoryOptions,
    calendar: &OpenCalendar,
    days: &[NaiveDate],
) -> Result<WeekCalls, Error> {
    let interval = calendar.interval;
    let t = Table::read_as(path, &opts.format.in_section("history"))?;
    t.require_rows()?;
    let stamps = row_stamps(&t, opts.queue.as_deref())?;
    let (first, last) = (days.first().copied().unwrap_or_default(), days.last().copied().unwrap_or_default());
    if let Some(out) = stamps.iter().find(|s| !days.contains(&s.at.date())) {
        return Err(InputError::bad_value(
            path,
            sheet_row(out.index),
            &out.column,
            &out.at.format("%Y-%m-%d %H:%M").to_string(),
            format!("a time in the week under review, {first} .. {last} (choose the week with --week)"),
        )
        .into());
    }
    let opts = HistoryOptions { records_interval: Some(interval), interval_hint: Some(interval), ..opts.clone() };
    let (raw, mut warnings) = history_from_table(&t, &opts)?;
    let history = raw.resample(interval).map_err(|m| {
        InputError::file(
            path,
            format!("{m}; expected intervals that add up to the config's {} minutes", interval.get()),
        )
    })?;
    let per_day = interval.per_day();
    let on_grid = |g: &Array2<f64>| {
        let mut out = Array2::from_elem((days.len(), per_day), f64::NAN);
        for (k, d) in days.iter().enumerate() {
            if let Some(r) = history.day_index(*d) {
                out.row_mut(k).assign(&g.row(r));
            }
        }
        out
    };
    let calls = on_grid(&history.offered);
    let (answered, abandoned) = match (&history.answered, &history.abandoned) {
        (Some(a), Some(b)) => (Some(on_grid(a)), Some(on_grid(b))),
        (Some(a), None) => (Some(on_grid(a)), Some(&calls - &on_grid(a))),
        (None, Some(b)) => (Some(&calls - &on_grid(b)), Some(on_grid(b))),
        (None, None) => (None, None),
    };
    let missing: Vec<String> = days
        .iter()
        .enumerate()
        .filter(|(k, d)| calendar.is_open_day(**d) && calls.row(*k).iter().all(|v| v.is_nan()))
        .map(|(_, d)| d.format("%a %Y-%m-%d").to_string())
        .collect();
    if !missing.is_empty() {
        warnings.push(format!(
            "{}: no calls on {} (open in the config): the review fits the other days; lines on those days keep their channel's response",
            path.display(),
            missing.join(", ")
        ));
    }
    warnings.extend(closed_calls(path, &calls, calendar, days, interval));
    Ok(WeekCalls { calls, answered, abandoned, history, warnings })
}

/// Calls in intervals the config has closed: named, and left out of the fit.
fn closed_calls(
    path: &Path,
    calls: &Array2<f64>,
    calendar: &OpenCalendar,
    days: &[NaiveDate],
    interval: crate::units::IntervalMinutes,
) -> Option<String> {
    let mut first = None;
    let mut n = 0.0;
    for (k, d) in days.iter().enumerate() {
        for (s, v) in calls.row(k).iter().enumerate() {
            if *v > 0.0 && !calendar.is_open(*d, s) {
                n += v;
                first.get_or_insert(slot_time(*d, s, interval));
            }
        }
    }
    first.map(|t| {
        format!(
            "{}: {n:.0} call(s) in intervals the config has closed (the first at {}) are left out of the review",
            path.display(),
            t.format("%Y-%m-%d %H:%M")
        )
    })
}
