//! `[scheduling]`: the rules as written ([`SchedulingConfig`], times as
//! `HH:MM` text and weekdays as names) and the same rules typed and checked
//! ([`SchedulingRules`], minutes of the day and [`Weekday`]s), which is the
//! only form the schedule stages take. [`SchedulingConfig::rules`] parses
//! every value once; a broken rule names its exact key
//! (`scheduling.shifts[2].start`), the value and what was expected.

use crate::error::{shortened, InputError, InputResult};
use crate::units::IntervalMinutes;
use chrono::{NaiveTime, Timelike, Weekday};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What the coverage model minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Objective {
    /// Number of shifts, full coverage.
    Heads,
    /// Paid hours × hourly cost, full coverage.
    #[default]
    PaidHours,
    /// Σ |scheduled − required| over intervals; coverage is soft.
    AbsDeviation,
}

/// What the roster does when the agents' contract minimums add up to more
/// than the week's shifts (`scheduling.minimums`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Minimums {
    /// Share the shortfall: hours go to whoever is furthest below their
    /// minimum, so every agent may end below it.
    #[default]
    Spread,
    /// Bring as many agents as the shifts allow up to their minimum, largest
    /// minimums first (full-timers before part-timers), ties in `agents.csv`
    /// order; the others take only what those cannot.
    Fill,
}

/// `[scheduling]` in the centre config, as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SchedulingConfig {
    /// Default objective of `ringcast plan`.
    pub objective: Objective,
    /// Solver time limit per model, seconds. Default 30.
    pub time_limit_seconds: f64,
    /// Relative MIP gap at which the solver may stop. Default 0 (prove optimality).
    pub mip_gap: f64,
    /// Never place a shift over closed hours. Default true.
    pub respect_opening_hours: bool,
    /// Under-staffing weight per agent-interval when headcount is capped.
    pub under_weight: f64,
    /// Over-staffing weight per agent-interval (soft coverage).
    pub over_weight: f64,
    /// Cap on shifts per day (soft coverage applies when set).
    pub max_shifts_per_day: Option<u32>,
    /// Minimum rest between two shifts of one agent, hours. Default 11.
    pub min_rest_hours: f64,
    /// Use the implicit-break formulation for the absolute-deviation objective
    /// when every family has at most one break (fewer, less symmetric
    /// variables; about twice as fast on instance B). Default true.
    pub implicit_breaks: bool,
    /// Contract minimums beyond the need: `spread` (default) or `fill`.
    pub minimums: Minimums,
    /// Shift families.
    pub shifts: Vec<ShiftFamilyConfig>,
}

impl Default for SchedulingConfig {
    fn default() -> Self {
        let r = SchedulingRules::default();
        Self {
            objective: r.objective,
            time_limit_seconds: r.time_limit_seconds,
            mip_gap: r.mip_gap,
            respect_opening_hours: r.respect_opening_hours,
            under_weight: r.under_weight,
            over_weight: r.over_weight,
            max_shifts_per_day: r.max_shifts_per_day,
            min_rest_hours: r.min_rest_hours,
            implicit_breaks: r.implicit_breaks,
            minimums: r.minimums,
            shifts: vec![ShiftFamilyConfig::default()],
        }
    }
}

/// A family of shifts as written: same length and breaks, starts anywhere in a window.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShiftFamilyConfig {
    pub name: String,
    /// First allowed start, `HH:MM`.
    pub earliest_start: String,
    /// Last allowed start, `HH:MM` (shifts may cross midnight).
    pub latest_start: String,
    /// Start every N minutes in the window.
    pub start_step_minutes: u32,
    /// From start to end, hours (breaks included).
    pub span_hours: f64,
    /// Paid hours (span less unpaid breaks).
    pub paid_hours: f64,
    /// Weekdays the family may be used (`mon` … `sun`); empty = every day.
    pub days: Vec<String>,
    /// Breaks and lunch inside the shift (each placed by the optimiser).
    pub breaks: Vec<BreakRule>,
    /// Part-time family (reported separately).
    pub part_time: bool,
}

impl Default for ShiftFamilyConfig {
    fn default() -> Self {
        Self {
            name: "day".into(),
            earliest_start: "08:00".into(),
            latest_start: "12:00".into(),
            start_step_minutes: 30,
            span_hours: 8.5,
            paid_hours: 8.0,
            days: vec![],
            breaks: vec![BreakRule::default()],
            part_time: false,
        }
    }
}

/// A break or lunch: its length and the window (after shift start) where it may begin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BreakRule {
    pub minutes: u32,
    pub earliest_after_minutes: u32,
    pub latest_after_minutes: u32,
    pub step_minutes: u32,
    /// Paid breaks count in paid hours; unpaid ones do not.
    pub paid: bool,
}

impl Default for BreakRule {
    fn default() -> Self {
        Self { minutes: 30, earliest_after_minutes: 210, latest_after_minutes: 270, step_minutes: 15, paid: false }
    }
}

/// The scheduling rules, typed and checked by [`SchedulingConfig::rules`].
#[derive(Debug, Clone)]
pub struct SchedulingRules {
    pub objective: Objective,
    /// Solver time limit per model, seconds, in (0, [`MAX_TIME_LIMIT_SECONDS`]].
    pub time_limit_seconds: f64,
    /// Relative MIP gap, in [0, 1).
    pub mip_gap: f64,
    pub respect_opening_hours: bool,
    pub under_weight: f64,
    pub over_weight: f64,
    pub max_shifts_per_day: Option<u32>,
    pub min_rest_hours: f64,
    pub implicit_breaks: bool,
    pub minimums: Minimums,
    /// At least one family.
    pub shifts: Vec<ShiftFamily>,
}

impl Default for SchedulingRules {
    fn default() -> Self {
        Self {
            objective: Objective::PaidHours,
            time_limit_seconds: 30.0,
            mip_gap: 0.0,
            respect_opening_hours: true,
            under_weight: 10.0,
            over_weight: 1.0,
            max_shifts_per_day: None,
            min_rest_hours: 11.0,
            implicit_breaks: true,
            minimums: Minimums::Spread,
            shifts: vec![ShiftFamily::default()],
        }
    }
}

/// A family of shifts, typed: start window in minutes from midnight.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftFamily {
    pub name: String,
    /// First allowed start, minutes from midnight.
    pub earliest_start: u32,
    /// Last allowed start, minutes from midnight, not before `earliest_start`.
    pub latest_start: u32,
    /// Start every N minutes in the window (above 0).
    pub start_step_minutes: u32,
    /// From start to end, hours (breaks included), whole intervals.
    pub span_hours: f64,
    /// Paid hours, above 0 and at most `span_hours`.
    pub paid_hours: f64,
    /// Weekdays the family may be used; empty = every day.
    pub days: Vec<Weekday>,
    /// Breaks and lunch inside the shift, each ending within it.
    pub breaks: Vec<BreakRule>,
    pub part_time: bool,
}

impl Default for ShiftFamily {
    fn default() -> Self {
        Self {
            name: "day".into(),
            earliest_start: 8 * 60,
            latest_start: 12 * 60,
            start_step_minutes: 30,
            span_hours: 8.5,
            paid_hours: 8.0,
            days: vec![],
            breaks: vec![BreakRule::default()],
            part_time: false,
        }
    }
}

/// The longest a solver model may run, seconds: beyond an hour a weekly build
/// is no longer a build a planner waits for.
pub const MAX_TIME_LIMIT_SECONDS: f64 = 3_600.0;

/// Minutes from midnight of `HH:MM` (`24:00` is 1440).
pub fn parse_hhmm(s: &str) -> Option<u32> {
    if s.trim() == "24:00" {
        return Some(1440);
    }
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok().map(|t| t.hour() * 60 + t.minute())
}

/// The weekday of `mon` … `sun` or `monday` … `sunday`, any case.
pub fn weekday_of(s: &str) -> Option<Weekday> {
    match s.trim().to_ascii_lowercase().as_str() {
        "mon" | "monday" => Some(Weekday::Mon),
        "tue" | "tuesday" => Some(Weekday::Tue),
        "wed" | "wednesday" => Some(Weekday::Wed),
        "thu" | "thursday" => Some(Weekday::Thu),
        "fri" | "friday" => Some(Weekday::Fri),
        "sat" | "saturday" => Some(Weekday::Sat),
        "sun" | "sunday" => Some(Weekday::Sun),
        _ => None,
    }
}

impl SchedulingConfig {
    /// The rules typed and checked against the planning interval. `derived`
    /// replaces the file's families (a file without `[[scheduling.shifts]]`
    /// takes families derived from the opening hours); they are checked the
    /// same way. A broken rule names its key in `path`.
    pub fn rules(
        &self,
        path: &Path,
        interval: IntervalMinutes,
        derived: Option<Vec<ShiftFamily>>,
    ) -> InputResult<SchedulingRules> {
        let err = |key: String, message: String| InputError::key(path, key, message);
        if !(self.time_limit_seconds > 0.0 && self.time_limit_seconds <= MAX_TIME_LIMIT_SECONDS) {
            return Err(err(
                "scheduling.time_limit_seconds".into(),
                format!(
                    "got {}, expected seconds above 0 and at most {MAX_TIME_LIMIT_SECONDS} (an hour per solver model)",
                    self.time_limit_seconds
                ),
            ));
        }
        if !(0.0..1.0).contains(&self.mip_gap) {
            return Err(err(
                "scheduling.mip_gap".into(),
                format!("got {}, expected a fraction in [0, 1)", self.mip_gap),
            ));
        }
        let shifts = match derived {
            Some(shifts) => shifts,
            None => self
                .shifts
                .iter()
                .enumerate()
                .map(|(i, f)| f.typed(i))
                .collect::<Result<_, _>>()
                .map_err(|(key, message)| err(key, message))?,
        };
        if shifts.is_empty() {
            return Err(err("scheduling.shifts".into(), "expected at least one shift family".into()));
        }
        for (i, f) in shifts.iter().enumerate() {
            f.check(i, interval).map_err(|(key, message)| err(key, message))?;
        }
        Ok(SchedulingRules {
            objective: self.objective,
            time_limit_seconds: self.time_limit_seconds,
            mip_gap: self.mip_gap,
            respect_opening_hours: self.respect_opening_hours,
            under_weight: self.under_weight,
            over_weight: self.over_weight,
            max_shifts_per_day: self.max_shifts_per_day,
            min_rest_hours: self.min_rest_hours,
            implicit_breaks: self.implicit_breaks,
            minimums: self.minimums,
            shifts,
        })
    }
}

/// A broken rule: its key and what is wrong.
type KeyMessage = (String, String);

impl ShiftFamilyConfig {
    /// Times and weekdays parsed; `i` is the family's place in the file.
    fn typed(&self, i: usize) -> Result<ShiftFamily, KeyMessage> {
        let key = |k: &str| format!("scheduling.shifts[{i}].{k}");
        let time =
            |k: &str, v: &str| parse_hhmm(v).ok_or_else(|| (key(k), format!("got '{}', expected HH:MM", shortened(v))));
        let earliest_start = time("earliest_start", &self.earliest_start)?;
        let latest_start = time("latest_start", &self.latest_start)?;
        if latest_start < earliest_start {
            return Err((
                key("latest_start"),
                format!(
                    "got '{}', before earliest_start '{}'; expected a start window from earliest to latest",
                    self.latest_start, self.earliest_start
                ),
            ));
        }
        let days = self
            .days
            .iter()
            .map(|d| {
                weekday_of(d).ok_or_else(|| {
                    (key("days"), format!("got '{}', expected mon, tue, wed, thu, fri, sat or sun", shortened(d)))
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(ShiftFamily {
            name: self.name.clone(),
            earliest_start,
            latest_start,
            start_step_minutes: self.start_step_minutes,
            span_hours: self.span_hours,
            paid_hours: self.paid_hours,
            days,
            breaks: self.breaks.clone(),
            part_time: self.part_time,
        })
    }
}

impl ShiftFamily {
    /// The family's rules on the `interval` grid; `i` is its place in the list.
    /// Every rule the expansion into shift options relies on is checked here,
    /// so no family or break is dropped there.
    fn check(&self, i: usize, interval: IntervalMinutes) -> Result<(), KeyMessage> {
        let key = |k: &str| format!("scheduling.shifts[{i}].{k}");
        let step = interval.get();
        let span = self.span_hours * 60.0;
        let whole = (span.round() - span).abs() < 1e-6 && (span.round() as u32).is_multiple_of(step);
        if span.is_finite() && !whole {
            return Err((
                key("span_hours"),
                format!(
                    "got {}, expected a length in whole {step}-minute intervals (interval_minutes)",
                    self.span_hours
                ),
            ));
        }
        if self.start_step_minutes == 0 {
            return Err((key("start_step_minutes"), "expected minutes above 0".into()));
        }
        if !(self.span_hours > 0.0 && self.span_hours <= 16.0) {
            return Err((key("span_hours"), format!("got {}, expected hours in (0, 16]", self.span_hours)));
        }
        if !(self.paid_hours > 0.0 && self.paid_hours <= self.span_hours) {
            return Err((
                key("paid_hours"),
                format!(
                    "got {}, expected paid hours above 0 and at most span_hours ({})",
                    self.paid_hours, self.span_hours
                ),
            ));
        }
        if !on_grid(self.earliest_start, self.latest_start, self.start_step_minutes, step) {
            return Err((
                key("earliest_start"),
                format!(
                    "no start from {} to {} every {} minutes falls on the {step}-minute intervals (interval_minutes); expected a start window that meets them",
                    hhmm(self.earliest_start),
                    hhmm(self.latest_start),
                    self.start_step_minutes
                ),
            ));
        }
        for (j, b) in self.breaks.iter().enumerate() {
            let bk = |k: &str| format!("scheduling.shifts[{i}].breaks[{j}].{k}");
            if b.minutes == 0 {
                return Err((bk("minutes"), "expected minutes above 0".into()));
            }
            if b.latest_after_minutes < b.earliest_after_minutes {
                return Err((
                    bk("latest_after_minutes"),
                    format!("{} is before earliest_after_minutes {}", b.latest_after_minutes, b.earliest_after_minutes),
                ));
            }
            if (b.latest_after_minutes as u64 + b.minutes as u64) as f64 > self.span_hours * 60.0 {
                return Err((
                    bk("latest_after_minutes"),
                    format!("the break would end after the shift ({} h)", self.span_hours),
                ));
            }
            if b.step_minutes == 0 {
                return Err((bk("step_minutes"), "expected minutes above 0".into()));
            }
            if !b.minutes.is_multiple_of(step) {
                return Err((
                    bk("minutes"),
                    format!("got {}, expected a length in whole {step}-minute intervals (interval_minutes)", b.minutes),
                ));
            }
            if !on_grid(b.earliest_after_minutes, b.latest_after_minutes, b.step_minutes, step) {
                return Err((
                    bk("earliest_after_minutes"),
                    format!(
                        "no start from {} to {} minutes every {} falls on the {step}-minute intervals (interval_minutes); expected a window that meets them",
                        b.earliest_after_minutes, b.latest_after_minutes, b.step_minutes
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Whether some `from + k·every` up to `to` is a multiple of `grid`.
fn on_grid(from: u32, to: u32, every: u32, grid: u32) -> bool {
    (from..=to).step_by(every.max(1) as usize).any(|t| t.is_multiple_of(grid))
}

fn hhmm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> InputResult<SchedulingRules> {
        let cfg: SchedulingConfig = toml::from_str(text).unwrap();
        cfg.rules(Path::new("c.toml"), IntervalMinutes::new(15).unwrap(), None)
    }

    #[test]
    fn families_are_typed_once() {
        let r =
            rules("[[shifts]]\nearliest_start = \"07:30\"\nlatest_start = \"24:00\"\ndays = [\"Mon\", \"friday\"]\n")
                .unwrap();
        assert_eq!(r.shifts[0].earliest_start, 450);
        assert_eq!(r.shifts[0].latest_start, 1440);
        assert_eq!(r.shifts[0].days, vec![Weekday::Mon, Weekday::Fri]);
        let d = SchedulingConfig::default().rules(Path::new("c.toml"), IntervalMinutes::new(15).unwrap(), None);
        assert_eq!(d.unwrap().shifts, SchedulingRules::default().shifts);
    }

    #[test]
    fn a_rule_the_options_would_drop_is_refused_by_its_key() {
        for (text, key, what) in [
            ("[[shifts]]\nearliest_start = \"8 am\"", "scheduling.shifts[0].earliest_start", "8 am"),
            ("[[shifts]]\ndays = [\"someday\"]", "scheduling.shifts[0].days", "someday"),
            (
                "[[shifts]]\nearliest_start = \"08:05\"\nlatest_start = \"08:10\"",
                "scheduling.shifts[0].earliest_start",
                "08:05",
            ),
            ("[[shifts]]\n[[shifts.breaks]]\nminutes = 10", "scheduling.shifts[0].breaks[0].minutes", "got 10"),
            (
                "[[shifts]]\n[[shifts.breaks]]\nearliest_after_minutes = 200\nlatest_after_minutes = 205",
                "scheduling.shifts[0].breaks[0].earliest_after_minutes",
                "200",
            ),
            ("mip_gap = 1", "scheduling.mip_gap", "got 1"),
        ] {
            let e = rules(text).unwrap_err().to_string();
            assert!(e.contains(key) && e.contains(what), "{text}: {e}");
        }
    }
}
