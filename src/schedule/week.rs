//! A week's shifts: the shift options the families allow on the days of a
//! requirement grid, and the solved coverage model.

use super::model::{solve, ScheduleError, ShiftPlan};
use super::shifts::{expand, ShiftOption};
use super::{Objective, SchedulingRules};
use crate::calendar::OpenCalendar;
use crate::series::RequirementGrid;
use chrono::Datelike;

/// A solved schedule with the options it chose from.
#[derive(Debug, Clone)]
pub struct Scheduled {
    pub req: RequirementGrid,
    pub options: Vec<ShiftOption>,
    pub plan: ShiftPlan,
}

/// Expand the shift families over the grid's days (closed hours from the
/// calendar) and solve the coverage model.
pub fn schedule(
    rules: &SchedulingRules,
    calendar: &OpenCalendar,
    req: RequirementGrid,
    objective: Objective,
) -> Result<Scheduled, ScheduleError> {
    let days = req.days();
    let weekdays: Vec<_> = days.iter().map(|d| d.weekday()).collect();
    let per_day = req.per_day;
    let open = |t: usize| calendar.is_open(days[t / per_day], t % per_day);
    let options = expand(rules, calendar.interval, &weekdays, &open);
    let plan = solve(&req.required, &options, per_day, objective, rules)?;
    Ok(Scheduled { req, options, plan })
}
