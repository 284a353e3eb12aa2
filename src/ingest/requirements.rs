//! The files of the standalone `staff` and `schedule` commands: a forecast
//! (calls per interval) and a requirements file (agents per interval).

use crate::error::{InputError, InputResult};
use crate::ingest::table::{sheet_row, Table};
use crate::series::{CallSeries, RequirementGrid};
use crate::units::{CallsPerInterval, Minutes};
use std::path::Path;

/// Read a requirements CSV onto a grid of whole days from its first date.
pub fn load_requirements(path: &Path, per_day: usize) -> InputResult<RequirementGrid> {
    let t = Table::read(path)?;
    t.require_rows()?;
    let start = t.require(&["interval_start"], "the interval start")?;
    let req = t.require(&["required_agents", "required", "agents"], "the agents required")?;
    let mut rows = Vec::with_capacity(t.height());
    for i in 0..t.height() {
        rows.push((t.datetime_at(start, i)?, t.nonneg_at(req, i, "agents required >= 0")?, i));
    }
    let first_day = rows.iter().map(|r| r.0.date()).min().ok_or_else(|| InputError::file(path, "no rows"))?;
    let last_day = rows.iter().map(|r| r.0.date()).max().unwrap_or(first_day);
    let n_days = (last_day - first_day).num_days() as usize + 1;
    let minutes = 1440 / per_day as i64;
    let mut required = vec![0.0; n_days * per_day];
    for (ts, v, i) in rows {
        let m = (ts - first_day.and_hms_opt(0, 0, 0).unwrap_or_default()).num_minutes();
        if m % minutes != 0 {
            return Err(InputError::bad_value(
                path,
                sheet_row(i),
                start.name,
                &ts.to_string(),
                format!("a start on the config's {minutes}-minute grid"),
            ));
        }
        required[(m / minutes) as usize] = v;
    }
    Ok(RequirementGrid { first_day, per_day, required })
}

/// Read a forecast CSV (`interval_start`, `expected`, optional `open`) as a
/// call series. The interval length is `interval` when given, else the
/// smallest step between starts.
pub fn load_call_series(path: &Path, interval: Option<Minutes>) -> InputResult<CallSeries> {
    let t = Table::read(path)?;
    t.require_rows()?;
    let start = t.require(&["interval_start"], "the interval start")?;
    let expected = t.require(&["expected", "calls", "forecast"], "the expected calls per interval")?;
    let open_col = t.column(&["open"]);
    let mut starts = Vec::with_capacity(t.height());
    let mut calls = Vec::with_capacity(t.height());
    let mut open = Vec::with_capacity(t.height());
    for i in 0..t.height() {
        starts.push(t.datetime_at(start, i)?);
        let v = t.nonneg_at(expected, i, "expected calls >= 0")?;
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
