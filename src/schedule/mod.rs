//! Schedule: shifts and rosters at least cost, by integer programming
//! (good_lp with HiGHS).
//!
//! * [`shifts`]: shift families from the config → concrete shift options (start,
//!   covered intervals, breaks placed), one per start time and break placement,
//!   so break placement is part of the optimisation.
//! * [`model`]: how many of each option (coverage MIP; objectives heads, paid
//!   hours/cost, or absolute deviation), with its LP bound.
//! * [`week`]: a week's requirements grid → its shift options → the solved plan.
//! * [`roster`]: named agents on those shifts under contracts and weekly rules.

pub mod adjust;
pub mod compact;
pub mod goal;
pub mod model;
pub mod roster;
pub mod shifts;
pub mod week;

use crate::error::shortened;
use serde::{Deserialize, Serialize};
use std::ops::Deref;

/// Absolute MIP gap of the roster model, in its cost points (20 per hour
/// below a contract minimum, 5 per evening above the even share, 0.1 per
/// hour away from a preferred start).
pub const ROSTER_ABS_GAP: f64 = 2.0;

/// How a solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SolveStatus {
    /// Proved optimal (within the configured MIP gap).
    Optimal,
    /// Stopped within the roster model's relative or absolute gap of its bound.
    WithinGap,
    /// Stopped at the time limit with the best solution found.
    TimeLimit,
    /// Every step finished, but further from the bound than the gap allows
    /// (a roster whose groups' patterns the days could not hold).
    AboveGap,
}

impl std::fmt::Display for SolveStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SolveStatus::Optimal => f.write_str("optimal"),
            SolveStatus::WithinGap => {
                write!(f, "within 1% or {} cost points of its bound", ROSTER_ABS_GAP)
            }
            SolveStatus::TimeLimit => f.write_str("time limit (best found)"),
            SolveStatus::AboveGap => f.write_str("best found, above the gap"),
        }
    }
}

impl Serialize for SolveStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

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

/// `[scheduling]` in the centre config.
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
    pub shifts: Vec<ShiftFamily>,
}

impl Default for SchedulingConfig {
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

/// A family of shifts: same length and breaks, starts anywhere in a window.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShiftFamily {
    pub name: String,
    /// First allowed start, `HH:MM`.
    pub earliest_start: String,
    /// Last allowed start, `HH:MM` (may be after midnight's span: shifts can cross midnight).
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

impl Default for ShiftFamily {
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
#[derive(Debug, Clone, Serialize, Deserialize)]
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

/// The longest a solver model may run, seconds: beyond an hour a weekly build
/// is no longer a build a planner waits for.
pub const MAX_TIME_LIMIT_SECONDS: f64 = 3_600.0;

impl SchedulingConfig {
    /// Check the rules; the message names the key.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.time_limit_seconds > 0.0 && self.time_limit_seconds <= MAX_TIME_LIMIT_SECONDS) {
            return Err(format!(
                "scheduling.time_limit_seconds: got {}, expected seconds above 0 and at most {MAX_TIME_LIMIT_SECONDS} (an hour per solver model)",
                self.time_limit_seconds
            ));
        }
        if !(0.0..1.0).contains(&self.mip_gap) {
            return Err(format!("scheduling.mip_gap: got {}, expected a fraction in [0, 1)", self.mip_gap));
        }
        if self.shifts.is_empty() {
            return Err("scheduling.shifts: expected at least one shift family".into());
        }
        for (i, f) in self.shifts.iter().enumerate() {
            let key = |k: &str| format!("scheduling.shifts[{i}].{k}");
            let earliest = shifts::parse_hhmm(&f.earliest_start).ok_or_else(|| {
                format!("{}: got '{}', expected HH:MM", key("earliest_start"), shortened(&f.earliest_start))
            })?;
            let latest = shifts::parse_hhmm(&f.latest_start).ok_or_else(|| {
                format!("{}: got '{}', expected HH:MM", key("latest_start"), shortened(&f.latest_start))
            })?;
            if latest < earliest {
                return Err(format!(
                    "{}: got '{}', before earliest_start '{}'; expected a start window from earliest to latest",
                    key("latest_start"),
                    f.latest_start,
                    f.earliest_start
                ));
            }
            if f.start_step_minutes == 0 {
                return Err(format!("{}: expected minutes above 0", key("start_step_minutes")));
            }
            if !(f.span_hours > 0.0 && f.span_hours <= 16.0) {
                return Err(format!("{}: got {}, expected hours in (0, 16]", key("span_hours"), f.span_hours));
            }
            if !(f.paid_hours > 0.0 && f.paid_hours <= f.span_hours) {
                return Err(format!(
                    "{}: got {}, expected paid hours above 0 and at most span_hours ({})",
                    key("paid_hours"),
                    f.paid_hours,
                    f.span_hours
                ));
            }
            for d in &f.days {
                shifts::weekday_of(d).ok_or_else(|| {
                    format!("{}: got '{}', expected mon, tue, wed, thu, fri, sat or sun", key("days"), shortened(d))
                })?;
            }
            for (j, b) in f.breaks.iter().enumerate() {
                let bk = |k: &str| format!("scheduling.shifts[{i}].breaks[{j}].{k}");
                if b.minutes == 0 {
                    return Err(format!("{}: expected minutes above 0", bk("minutes")));
                }
                if b.latest_after_minutes < b.earliest_after_minutes {
                    return Err(format!(
                        "{}: {} is before earliest_after_minutes {}",
                        bk("latest_after_minutes"),
                        b.latest_after_minutes,
                        b.earliest_after_minutes
                    ));
                }
                if (b.latest_after_minutes + b.minutes) as f64 > f.span_hours * 60.0 {
                    return Err(format!(
                        "{}: the break would end after the shift ({} h)",
                        bk("latest_after_minutes"),
                        f.span_hours
                    ));
                }
                if b.step_minutes == 0 {
                    return Err(format!("{}: expected minutes above 0", bk("step_minutes")));
                }
            }
        }
        Ok(())
    }
}

/// Scheduling rules that passed [`SchedulingConfig::validate`]: the only form
/// the stages take.
#[derive(Debug, Clone)]
pub struct SchedulingRules(SchedulingConfig);

impl SchedulingRules {
    /// Check the rules; the message names the key.
    pub fn new(cfg: SchedulingConfig) -> Result<SchedulingRules, String> {
        cfg.validate()?;
        Ok(SchedulingRules(cfg))
    }
}

impl Deref for SchedulingRules {
    type Target = SchedulingConfig;
    fn deref(&self) -> &SchedulingConfig {
        &self.0
    }
}
