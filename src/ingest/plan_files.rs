//! A plan's own outputs read back (`ringcast intraday --plan DIR`):
//! `roster.csv` and `forecast.csv`, checked against the config and the
//! planning week, so that a roster from another centre or week, or made with
//! another interval, is refused with its row and column named.

use crate::error::{InputError, InputResult};
use crate::ingest::table::{parse_number, parse_time, sheet_row, Table};
pub use crate::schedule::adjust::RosterShift;
use crate::units::IntervalMinutes;
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use std::path::Path;

/// What a roster must agree with.
pub struct RosterRules<'a> {
    pub interval: IntervalMinutes,
    pub days: &'a [NaiveDate],
    /// The config's shift family names.
    pub families: Vec<String>,
}

/// Read `roster.csv`.
pub fn load_roster(path: &Path, rules: &RosterRules<'_>) -> InputResult<Vec<RosterShift>> {
    let t = Table::read(path)?;
    let id = t.require(&["agent_id"], "the agent id (UNFILLED for a shift nobody took)")?;
    let name = t.column(&["name"])?;
    let day = t.require(&["day"], "the shift's day")?;
    let start = t.require(&["start"], "the shift's start (HH:MM)")?;
    let end = t.require(&["end"], "the shift's end (HH:MM)")?;
    let breaks = t.column(&["breaks"])?;
    let paid = t.require(&["paid_hours"], "the shift's paid hours")?;
    let family = t.require(&["shift_family"], "the shift family")?;
    let queue = t.column(&["queue"])?;
    let step = rules.interval.get();
    let mut out = Vec::with_capacity(t.height());
    for i in t.rows() {
        let row = sheet_row(i);
        let d = t.date_at(day, i)?;
        if !rules.days.contains(&d) {
            let (a, b) = (rules.days[0], rules.days[rules.days.len() - 1]);
            return Err(InputError::bad_value(
                path,
                row,
                day.name,
                day.get(i).unwrap_or(""),
                format!("a day of the planning week {a} .. {b}"),
            ));
        }
        let on_grid = |col: crate::ingest::table::Col<'_>| -> InputResult<NaiveTime> {
            let raw = t.required(col, i, "a time HH:MM")?;
            parse_time(raw).filter(|x| x.second() == 0 && (x.hour() * 60 + x.minute()).is_multiple_of(step)).ok_or_else(
                || {
                    InputError::bad_value(
                        path,
                        row,
                        col.name,
                        raw,
                        format!("a time HH:MM on the config's {step}-minute grid"),
                    )
                },
            )
        };
        let s = d.and_time(on_grid(start)?);
        let mut e = d.and_time(on_grid(end)?);
        if e <= s {
            e += Duration::days(1); // crosses midnight
        }
        let fam = t.required(family, i, "a shift family")?;
        if !rules.families.iter().any(|f| f == fam) {
            return Err(InputError::bad_value(
                path,
                row,
                family.name,
                fam,
                format!("a shift family of the config ({})", rules.families.join(", ")),
            ));
        }
        let hours =
            parse_number(t.required(paid, i, "paid hours")?).filter(|h| (0.0..=24.0).contains(h)).ok_or_else(|| {
                InputError::bad_value(path, row, paid.name, paid.get(i).unwrap_or(""), "paid hours from 0 to 24")
            })?;
        let bs = match breaks.and_then(|b| b.get(i)) {
            Some(raw) => parse_breaks(raw, s, e).ok_or_else(|| {
                InputError::bad_value(
                    path,
                    row,
                    "breaks",
                    raw,
                    format!(
                        "breaks 'HH:MM-HH:MM' separated by spaces, inside the shift {}-{}",
                        s.format("%H:%M"),
                        e.format("%H:%M")
                    ),
                )
            })?,
            None => vec![],
        };
        let agent = t.required(id, i, "an agent id")?;
        out.push(RosterShift {
            row,
            agent_id: (agent != "UNFILLED").then(|| agent.to_string()),
            name: name.and_then(|n| n.get(i)).unwrap_or("").to_string(),
            start: s,
            end: e,
            breaks: bs,
            paid_hours: hours,
            family: fam.to_string(),
            queue: queue.and_then(|q| q.get(i)).map(String::from),
        });
    }
    Ok(out)
}

/// `HH:MM-HH:MM HH:MM-HH:MM` inside `[s, e)`, placed on the shift's days.
fn parse_breaks(raw: &str, s: NaiveDateTime, e: NaiveDateTime) -> Option<Vec<(NaiveDateTime, NaiveDateTime)>> {
    let place = |t: NaiveTime| {
        let same = s.date().and_time(t);
        if same < s {
            same + Duration::days(1)
        } else {
            same
        }
    };
    raw.split_whitespace()
        .map(|b| {
            let (a, z) = b.split_once('-')?;
            let (a, z) = (place(parse_time(a)?), place(parse_time(z)?));
            (a < z && z <= e).then_some((a, z))
        })
        .collect()
}

/// The morning's forecast of one day from `forecast.csv`: expected calls per
/// slot (closed slots 0).
pub fn load_forecast_day(path: &Path, interval: IntervalMinutes, day: NaiveDate) -> InputResult<Vec<f64>> {
    let step = interval.get();
    let out = load_week_column(
        path,
        &["expected"],
        "the expected calls",
        &crate::limits::CALLS_PER_INTERVAL,
        interval,
        &[day],
    )?
    .row(0)
    .to_vec();
    if let Some(s) = out.iter().position(|v| v.is_nan()) {
        let at = day.and_time(NaiveTime::MIN) + Duration::minutes(s as i64 * step as i64);
        return Err(InputError::file(
            path,
            format!(
                "no row for {} (expected every {step}-minute interval of {day}: was the plan made for another week?)",
                at.format("%Y-%m-%d %H:%M")
            ),
        ));
    }
    Ok(out)
}

/// One numeric column of a plan's interval file (`forecast.csv`,
/// `coverage.csv`) on a days × slots grid; NaN where the file has no row.
/// Rows of other days are skipped; a start off the config's grid is refused.
pub fn load_week_column(
    path: &Path,
    column: &[&str],
    what: &str,
    range: &crate::limits::Plausible,
    interval: IntervalMinutes,
    days: &[NaiveDate],
) -> InputResult<ndarray::Array2<f64>> {
    let t = Table::read(path)?;
    let start = t.require(&["interval_start"], "the interval start")?;
    let values = t.require(column, what)?;
    let step = interval.get();
    let mut out = ndarray::Array2::from_elem((days.len(), interval.per_day()), f64::NAN);
    for i in t.rows() {
        let ts = t.datetime_at(start, i)?;
        if !(ts.hour() * 60 + ts.minute()).is_multiple_of(step) || ts.second() != 0 {
            return Err(InputError::bad_value(
                path,
                sheet_row(i),
                start.name,
                start.get(i).unwrap_or(""),
                format!(
                    "an interval start on the config's {step}-minute grid (was the plan made with another interval?)"
                ),
            ));
        }
        let Some(k) = days.iter().position(|d| *d == ts.date()) else { continue };
        let v = t.number_at(values, i, range)?;
        out[[k, ((ts.hour() * 60 + ts.minute()) / step) as usize]] = v;
    }
    Ok(out)
}

/// Each line's forecast extra calls in the week, from a plan's `impact.csv`.
pub fn load_line_forecasts(path: &Path) -> InputResult<std::collections::BTreeMap<String, f64>> {
    let t = Table::read(path)?;
    let line = t.require(&["line"], "the line id")?;
    let calls = t.require(&["extra_calls_in_week"], "the line's forecast extra calls in the week")?;
    let mut out = std::collections::BTreeMap::new();
    for i in t.rows() {
        let id = t.required(line, i, "a line id")?;
        out.insert(id.to_string(), t.number_at(calls, i, &crate::limits::CALLS_IN_WEEK)?);
    }
    Ok(out)
}
