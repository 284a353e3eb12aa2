//! The files of the standalone `staff` and `schedule` commands: a forecast
//! (calls per interval) and a requirements file (agents per interval).

use crate::calendar::OpenCalendar;
use crate::error::{InputError, InputResult};
use crate::ingest::table::{sheet_row, Table};
use crate::limits;
use crate::series::{CallSeries, RequirementGrid};
use crate::units::{CallsPerInterval, Fraction, Minutes};
use chrono::NaiveDateTime;
use std::collections::BTreeMap;
use std::path::Path;

/// Calendar days a requirements file may span: the scheduler builds a week or
/// a few; a month is the most it is asked for.
pub const MAX_REQUIREMENT_DAYS: i64 = 31;

/// Read a requirements CSV onto a grid of whole days from its first date.
///
/// Every row must sit on the calendar's grid, once, and every interval the
/// calendar opens, from the first row's day to the last row's, needs a row (0
/// agents where none are needed), so that a missing row or a coarser export
/// never shrinks a schedule silently. Closed intervals need no row.
///
/// Agents to roster are read from `agents_with_shrinkage` (or
/// `required_rostered`) as they are; where the file only has agents on the
/// phones (`required_agents`, `required`, `agents`), `shrinkage` turns them
/// into agents to roster, `ceil(n / (1 − shrinkage))`, as `plan` does.
pub fn load_requirements(path: &Path, calendar: &OpenCalendar, shrinkage: Fraction) -> InputResult<RequirementGrid> {
    requirements_from_table(&Table::read(path)?, calendar, shrinkage)
}

/// [`load_requirements`] on a table already read.
pub fn requirements_from_table(
    t: &Table,
    calendar: &OpenCalendar,
    shrinkage: Fraction,
) -> InputResult<RequirementGrid> {
    let path = t.path.as_path();
    t.require_rows()?;
    let start = t.require(&["interval_start"], "the interval start")?;
    let rostered = t.column(&["agents_with_shrinkage", "required_rostered"])?;
    let req = match rostered {
        Some(c) => c,
        None => t.require(&["required_agents", "required", "agents"], "the agents required")?,
    };
    let to_roster = |v: f64| {
        if rostered.is_some() {
            v
        } else {
            (v / (1.0 - shrinkage.get()) - 1e-9).ceil().max(0.0)
        }
    };
    let per_day = calendar.interval.per_day();
    let minutes = 1440 / per_day as i64;
    let mut rows: BTreeMap<NaiveDateTime, (f64, usize)> = BTreeMap::new();
    for i in t.rows() {
        let ts = t.datetime_at(start, i)?;
        let v = t.number_at(req, i, &limits::AGENTS_PER_INTERVAL)?;
        let on_grid = (ts - ts.date().and_hms_opt(0, 0, 0).unwrap_or_default()).num_minutes() % minutes == 0;
        if !on_grid {
            return Err(InputError::bad_value(
                path,
                sheet_row(i),
                start.name,
                &ts.to_string(),
                format!("a start on the config's {minutes}-minute grid"),
            ));
        }
        let slot = ((ts - ts.date().and_hms_opt(0, 0, 0).unwrap_or_default()).num_minutes() / minutes) as usize;
        if v > 0.0 && !calendar.is_open(ts.date(), slot) {
            return Err(InputError::bad_value(
                path,
                sheet_row(i),
                req.name,
                req.get(i).unwrap_or(""),
                format!(
                    "0 agents on a closed interval ({} {}: the config's opening hours or closed dates close it; no shift may cover it)",
                    ts.format("%a"),
                    ts.format("%Y-%m-%d %H:%M")
                ),
            ));
        }
        if let Some((_, first)) = rows.insert(ts, (to_roster(v), i)) {
            return Err(twice(path, start.name, ts, i, first));
        }
    }
    let (Some((&first, _)), Some((&last, &(_, last_i)))) = (rows.first_key_value(), rows.last_key_value()) else {
        return Err(InputError::file(path, "the file has a header but no data rows"));
    };
    let (first_day, last_day) = (first.date(), last.date());
    if (last_day - first_day).num_days() >= MAX_REQUIREMENT_DAYS {
        return Err(InputError::bad_value(
            path,
            sheet_row(last_i),
            start.name,
            &last.format("%Y-%m-%d %H:%M").to_string(),
            format!(
                "a date within {MAX_REQUIREMENT_DAYS} days of the first row's {first_day} (schedule a month at most)"
            ),
        ));
    }
    let n_days = (last_day - first_day).num_days() as usize + 1;
    let midnight = first_day.and_hms_opt(0, 0, 0).unwrap_or_default();
    let grid = RequirementGrid { first_day, per_day, required: vec![0.0; n_days * per_day] };
    check_no_missing_rows(path, start.name, &rows, &grid, calendar)?;
    let mut grid = grid;
    for (ts, (v, _)) in rows {
        grid.required[((ts - midnight).num_minutes() / minutes) as usize] = v;
    }
    Ok(grid)
}

/// Every interval the calendar opens within the grid's days has a row. When
/// every step between a day's rows is a multiple of a longer one, the file is
/// on a coarser grid than the config's, and the error says so.
fn check_no_missing_rows(
    path: &Path,
    column: &str,
    rows: &BTreeMap<NaiveDateTime, (f64, usize)>,
    grid: &RequirementGrid,
    calendar: &OpenCalendar,
) -> InputResult<()> {
    let minutes = 1440 / grid.per_day as i64;
    let missing = (0..grid.required.len())
        .map(|t| (grid.slot_time(t), t % grid.per_day))
        .find(|(ts, slot)| calendar.is_open(ts.date(), *slot) && !rows.contains_key(ts));
    let Some((gap, _)) = missing else { return Ok(()) };
    let gcd = rows
        .keys()
        .zip(rows.keys().skip(1))
        .filter(|(a, b)| a.date() == b.date())
        .map(|(a, b)| (*b - *a).num_minutes())
        .fold(0, gcd);
    // The row after the gap names where to look (the last row when none follows).
    let (_, &(_, i)) = rows.range(gap..).next().or_else(|| rows.last_key_value()).unwrap_or((&gap, &(0.0, 0)));
    let message = if gcd > minutes {
        format!(
            "the rows are {gcd} minutes apart but the config plans {minutes}-minute intervals: write a row per {minutes} minutes (0 where no agents are needed), or set interval_minutes = {gcd}"
        )
    } else {
        format!(
            "no row for {}, an interval the config opens: every open interval from the first row's day to the last row's needs a row (0 where no agents are needed)",
            gap.format("%Y-%m-%d %H:%M")
        )
    };
    Err(InputError::cell(path, sheet_row(i), column, message))
}

/// Row `i` repeats the interval `ts` of row `first` (0-based data rows).
fn twice(path: &Path, column: &str, ts: NaiveDateTime, i: usize, first: usize) -> InputError {
    InputError::bad_value(
        path,
        sheet_row(i),
        column,
        &ts.format("%Y-%m-%d %H:%M").to_string(),
        format!("each interval once (this one is also at row {})", sheet_row(first)),
    )
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Read a forecast CSV (`interval_start`, `expected`, optional `open`) as a
/// call series. The interval length is `interval` when given, else the
/// smallest step between starts.
pub fn load_call_series(path: &Path, interval: Option<Minutes>) -> InputResult<CallSeries> {
    let t = Table::read(path)?;
    t.require_rows()?;
    let start = t.require(&["interval_start"], "the interval start")?;
    let expected = t.require(&["expected", "calls", "forecast"], "the expected calls per interval")?;
    let open_col = t.column(&["open"])?;
    let mut starts = Vec::with_capacity(t.height());
    let mut calls = Vec::with_capacity(t.height());
    let mut open = Vec::with_capacity(t.height());
    let mut seen: BTreeMap<NaiveDateTime, usize> = BTreeMap::new();
    for i in t.rows() {
        let ts = t.datetime_at(start, i)?;
        if let Some(first) = seen.insert(ts, i) {
            return Err(twice(path, start.name, ts, i, first));
        }
        starts.push(ts);
        let v = t.number_at(expected, i, &limits::CALLS_PER_INTERVAL)?;
        calls.push(
            CallsPerInterval::new(v).map_err(|e| InputError::cell(path, sheet_row(i), expected.name, e.to_string()))?,
        );
        open.push(match open_col.and_then(|c| c.get(i)) {
            Some("0") | Some("false") => false,
            Some("1") | Some("true") | None => true,
            Some(v) => return Err(InputError::bad_value(path, sheet_row(i), "open", v, "1 or 0")),
        });
    }
    let interval = match interval {
        Some(m) => m,
        None => starts
            .windows(2)
            .map(|w| (w[1] - w[0]).num_minutes())
            .filter(|d| *d > 0)
            .min()
            .and_then(|d| Minutes::new(d as f64).ok())
            .ok_or_else(|| {
                InputError::file(path, "cannot tell the interval length from one row; give --interval-minutes")
            })?,
    };
    Ok(CallSeries { interval, starts, calls, open, handle: None, patience: None })
}

/// Agents on the phones per row of a coverage file (`on_phones`, or
/// `agents`): whole numbers within [`limits::AGENTS_PER_INTERVAL`].
pub fn load_on_phones(path: &Path) -> InputResult<Vec<u32>> {
    let t = Table::read(path)?;
    t.require_rows()?;
    let col = t.require(&["on_phones", "agents"], "the agents on the phones")?;
    (0..t.height())
        .map(|i| {
            let v = t.number_at(col, i, &limits::AGENTS_PER_INTERVAL)?;
            if v.fract() != 0.0 {
                return Err(InputError::bad_value(
                    path,
                    sheet_row(i),
                    col.name,
                    col.get(i).unwrap_or(""),
                    "a whole number of agents",
                ));
            }
            Ok(v as u32)
        })
        .collect()
}
