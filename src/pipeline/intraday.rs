//! The intraday update as a library: today's calls so far → the rest of the
//! day re-forecast ([`crate::forecast::intraday`]), re-staffed (agents needed
//! against the plan's roster, projected service level), and the offers that
//! close the gap ([`crate::schedule::adjust`]) with the calls left to move to
//! callbacks.
//!
//! The forecast is refitted from the same inputs as the plan (same inputs,
//! same forecast); the plan's own `forecast.csv`, when there, is the morning
//! forecast shown, with a warning where the two differ.

use super::{expected_calls, forecast, load, staff, Loaded, Sources};
use crate::calendar::slot_time;
use crate::coverage::project;
use crate::error::{Error, InputError};
use crate::forecast::intraday::{DayUpdate, IntradayModel, MorningDay, Seen};
use crate::forecast::minutes::minute_shares;
use crate::ingest::actuals::{load_actuals, Actuals};
use crate::ingest::agents::load_agents;
use crate::ingest::plan_files::{load_forecast_day, load_roster, RosterRules, RosterShift};
use crate::schedule::adjust::{offers, DayNeeds, OfferRules, Offers};
use crate::schedule::roster::Agent;
use crate::series::CallSeries;
use crate::staff::lines::{busy_risk, BusyRisk};
use crate::staff::requirements::queue_of;
use crate::staff::{performance_as, ServicePolicy};
use crate::units::{CallsPerInterval, IntervalMinutes};
use chrono::{NaiveDate, NaiveTime};
use std::path::PathBuf;

/// Where the intraday update reads.
#[derive(Debug, Clone)]
pub struct IntradaySources {
    /// The plan's inputs (history, media, config, week, queue).
    pub sources: Sources,
    /// Today's calls so far.
    pub actuals: PathBuf,
    /// The update time; `None`: the end of the actuals.
    pub at: Option<NaiveTime>,
    /// The plan's output folder (roster.csv, forecast.csv).
    pub plan: PathBuf,
    pub agents: PathBuf,
    /// Most overtime offered to one agent, hours (0.25..=8).
    pub max_overtime_hours: f64,
}

/// Everything the update computed, per slot of the day.
pub struct IntradayPlan {
    pub day: NaiveDate,
    pub interval: IntervalMinutes,
    /// The first slot not seen yet.
    pub at: usize,
    pub open: Vec<bool>,
    pub actual: Vec<f64>,
    pub morning: Vec<f64>,
    pub update: DayUpdate,
    /// A label per line of `update.lines`: channel, campaign and id.
    pub line_labels: Vec<String>,
    /// Agents needed on the phones, and rostered for that (with shrinkage), for the updated calls.
    pub required: Vec<u32>,
    pub required_rostered: Vec<u32>,
    pub rostered: Vec<u32>,
    pub service_level: Vec<Option<f64>>,
    pub offers: Offers,
    pub service_level_after: Vec<Option<f64>>,
    /// Calls beyond what the agents on the phones (after the offers) answer at target.
    pub callbacks: Vec<f64>,
    /// Where the callbacks go: (from slot, to slot, calls), into later
    /// intervals whose agents (after the offers) answer more than their own
    /// calls at the target; earliest first.
    pub callbacks_placed: Vec<(usize, usize, f64)>,
    pub target_sl: f64,
    /// With lines: the busy risk of each interval from the update time on
    /// (the roster after the offers, spots on their minute curves); empty
    /// without lines.
    pub busy: Vec<Option<BusyRisk>>,
    pub warnings: Vec<String>,
}

/// Every file the update reads, read before any stage runs.
struct IntradayFiles {
    loaded: Loaded,
    actuals: Actuals,
    /// The actuals' day in the planning week.
    k: usize,
    /// The plan folder's forecast of the day, where it has a `forecast.csv`.
    planned: Option<(PathBuf, Vec<f64>)>,
    shifts: Vec<RosterShift>,
    agents: Vec<Agent>,
}

/// Load the plan's inputs, today's actuals and the plan folder's files.
fn read_intraday(s: &IntradaySources) -> Result<IntradayFiles, Error> {
    let loaded = load(&s.sources)?;
    let cal = &loaded.settings.calendar;
    let opts = loaded.settings.history_options(s.sources.queue.clone());
    let actuals = load_actuals(&s.actuals, &opts, cal, &loaded.days, s.at)?;
    let day = actuals.day;
    let k = loaded
        .days
        .iter()
        .position(|d| *d == day)
        .ok_or_else(|| Error::usage(format!("{day} is not in the planning week")))?;
    let path = s.plan.join("forecast.csv");
    let planned = match path.exists() {
        true => Some((path.clone(), load_forecast_day(&path, cal.interval, day)?)),
        false => None,
    };
    let (shifts, agents) = plan_roster(s, &loaded)?;
    Ok(IntradayFiles { loaded, actuals, k, planned, shifts, agents })
}

/// Read, refit, update, re-staff.
pub fn run_intraday(s: &IntradaySources) -> Result<IntradayPlan, Error> {
    let IntradayFiles { loaded, actuals, k, planned, shifts, agents } = read_intraday(s)?;
    let (fitted, fc) = forecast(&loaded)?;
    let settings = &loaded.settings;
    let cal = &settings.calendar;
    let Actuals { day, calls, at, mut warnings } = actuals;
    warnings.extend(loaded.warnings.iter().cloned());
    let model = IntradayModel::default().check().map_err(|message| Error::Internal { stage: "intraday", message })?;
    let update = model.update(&MorningDay::of(&fitted, &fc, cal, k), &Seen { calls: calls.clone(), at });
    let morning = morning_forecast(planned, &fc.total.row(k).to_vec(), day, &mut warnings);
    // Re-staff: the week's forecast with today replaced by the update.
    let mut updated = fc.clone();
    updated.total.row_mut(k).assign(&ndarray::Array1::from(update.total.clone()));
    let series = expected_calls(&updated, settings)?;
    let reqs = staff(&series, settings)?;
    let per_day = cal.interval.per_day();
    let t0 = k * per_day;
    let queue = s.sources.queue.as_deref();
    let open: Vec<bool> = fc.open.row(k).to_vec();
    let rostered = on_shift_per_slot(&shifts, day, cal.interval, queue);
    let required_rostered: Vec<u32> = (0..per_day).map(|j| reqs[t0 + j].with_shrinkage).collect();
    let required: Vec<u32> = (0..per_day).map(|j| reqs[t0 + j].requirement.agents).collect();
    let policy = &settings.service;
    let day_series = DaySeries { series: &series, first: t0, per_day, policy };
    let needs =
        DayNeeds { day, interval: cal.interval, at, open: &open, required: &required_rostered, rostered: &rostered };
    let rules = OfferRules {
        min_rest_hours: settings.scheduling.min_rest_hours,
        max_overtime_hours: s.max_overtime_hours,
        min_slots: (30 / cal.interval.get()).max(1) as usize,
        agents: Some(&agents),
        queue,
    };
    let offered = offers(&needs, &shifts, &rules);
    let line_labels = update
        .lines
        .iter()
        .map(|u| {
            let line = loaded.plan.lines.get(u.line);
            line.map_or_else(|| format!("line {}", u.line), |x| format!("{} {} ({})", x.channel, x.campaign, x.id))
        })
        .collect();
    let busy = match settings.lines {
        Some(lines) => {
            let shares = minute_shares(&updated, &loaded.plan.lines, fitted.responses());
            let risk = busy_risk(
                &lines,
                &series,
                t0 + at..t0 + per_day,
                |t| policy.on_phones(offered.rostered_after[t - t0]),
                &shares,
                policy,
            );
            (0..at).map(|_| None).chain(risk.into_iter().map(Some)).collect()
        }
        None => Vec::new(),
    };
    Ok(IntradayPlan {
        busy,
        day,
        interval: cal.interval,
        at,
        open,
        actual: calls,
        morning,
        line_labels,
        service_level: day_series.service_levels(&rostered),
        service_level_after: day_series.service_levels(&offered.rostered_after),
        callbacks: day_series.callbacks(&offered.rostered_after, at),
        callbacks_placed: place_callbacks(
            &day_series.callbacks(&offered.rostered_after, at),
            &day_series.spare_calls(&offered.rostered_after, at),
        ),
        required,
        required_rostered,
        rostered,
        offers: offered,
        target_sl: policy.goal.target_sl.get(),
        update,
        warnings,
    })
}

/// The plan's roster (checked against the config, the week and the agents
/// file) and the agents.
fn plan_roster(s: &IntradaySources, loaded: &Loaded) -> Result<(Vec<RosterShift>, Vec<Agent>), Error> {
    let settings = &loaded.settings;
    let families: Vec<String> = settings.scheduling.shifts.iter().map(|f| f.name.clone()).collect();
    let path = s.plan.join("roster.csv");
    if !path.exists() {
        return Err(InputError::file(
            &path,
            "no roster: expected the roster.csv of `ringcast plan --out DIR` for this week (give that folder with --plan)",
        )
        .into());
    }
    let rules = RosterRules { interval: settings.calendar.interval, days: &loaded.days, families };
    let shifts = load_roster(&path, &rules)?;
    let agents = load_agents(&s.agents)?;
    check_roster_agents(&path, &shifts, &agents)?;
    Ok((shifts, agents))
}

/// Agents on shift (not on a break) answering `queue`, per slot of `day`.
fn on_shift_per_slot(
    shifts: &[RosterShift],
    day: NaiveDate,
    interval: IntervalMinutes,
    queue: Option<&str>,
) -> Vec<u32> {
    (0..interval.per_day())
        .map(|j| {
            let t = slot_time(day, j, interval);
            shifts.iter().filter(|x| x.agent_id.is_some() && x.answers(queue) && x.on_shift_at(t)).count() as u32
        })
        .collect()
}

/// The day's part of the week's updated calls, with the service policy.
struct DaySeries<'a> {
    series: &'a CallSeries,
    /// The day's first slot in the week.
    first: usize,
    per_day: usize,
    policy: &'a ServicePolicy,
}

impl DaySeries<'_> {
    /// Projected service level per slot with `rostered` agents on shift.
    fn service_levels(&self, rostered: &[u32]) -> Vec<Option<f64>> {
        let p = self.policy;
        (0..self.per_day)
            .map(|j| project(self.series, self.first + j, p.on_phones(rostered[j]), p).map(|x| x.service_level))
            .collect()
    }

    /// Calls per slot from `at` on that `rostered` agents cannot answer at the target.
    fn callbacks(&self, rostered: &[u32], at: usize) -> Vec<f64> {
        self.beyond(rostered, at, |calls, most| (calls - most).max(0.0))
    }

    /// Calls per slot from `at` on that `rostered` agents could answer at the
    /// target beyond the slot's own: room for callbacks.
    fn spare_calls(&self, rostered: &[u32], at: usize) -> Vec<f64> {
        self.beyond(rostered, at, |calls, most| (most - calls).max(0.0))
    }

    /// `f(calls, most answered at the target)` per open slot from `at` on; 0 elsewhere.
    fn beyond(&self, rostered: &[u32], at: usize, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
        let p = self.policy;
        (0..self.per_day)
            .map(|j| {
                let t = self.first + j;
                if j < at || !self.series.open[t] {
                    return 0.0;
                }
                f(self.series.calls[t].get(), answerable_at_target(self.series, t, p.on_phones(rostered[j]), p))
            })
            .collect()
    }
}

/// The plan's forecast.csv for the day when there; else the refit's. A
/// warning where they differ by more than 1% of the day.
fn morning_forecast(
    planned: Option<(PathBuf, Vec<f64>)>,
    refit: &[f64],
    day: NaiveDate,
    warnings: &mut Vec<String>,
) -> Vec<f64> {
    let Some((path, plan)) = planned else { return refit.to_vec() };
    let (a, b): (f64, f64) = (plan.iter().sum(), refit.iter().sum());
    if (a - b).abs() > 0.01 * a.max(b) + 1.0 {
        warnings.push(format!(
            "{}: {a:.0} calls forecast for {day}, the refit from today's inputs {b:.0}: the inputs changed since the plan; the update starts from the refit",
            path.display()
        ));
    }
    plan
}

/// Every agent of the roster is in the agents file.
fn check_roster_agents(path: &std::path::Path, shifts: &[RosterShift], agents: &[Agent]) -> Result<(), Error> {
    for sh in shifts {
        if let Some(id) = &sh.agent_id {
            if !agents.iter().any(|a| &a.id == id) {
                return Err(InputError::bad_value(
                    path,
                    sh.row,
                    "agent_id",
                    id,
                    "an agent of the agents file (--agents)",
                )
                .into());
            }
        }
    }
    Ok(())
}

/// The most calls interval `t` may hold for `on_phones` agents to answer
/// them at the target service level (bisection; the service level falls as
/// calls rise).
fn answerable_at_target(series: &CallSeries, t: usize, on_phones: u32, policy: &ServicePolicy) -> f64 {
    let target = policy.goal.target_sl.get();
    let meets = |c: f64| {
        let Ok(c) = CallsPerInterval::new(c) else { return false };
        let q = queue_of(series, t, c, policy);
        performance_as(&q, on_phones, policy.goal.answer_time, policy.goal.sl_definition).service_level >= target
    };
    if on_phones == 0 {
        return 0.0;
    }
    // An upper bound: the calls `on_phones` agents handle when always busy.
    let q = queue_of(series, t, CallsPerInterval::default(), policy);
    let mut hi = on_phones as f64 * q.interval.get() * 60.0 / q.aht.get() + 1.0;
    while meets(hi) && hi < 1e6 {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..40 {
        let mid = (lo + hi) / 2.0;
        if meets(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Place each slot's callbacks, earliest first, into the later slots with
/// spare room (calls their agents could answer at the target beyond their
/// own), filling each slot's room before the next: (from, to, calls).
/// Callbacks with no room left today are not placed.
pub fn place_callbacks(callbacks: &[f64], spare: &[f64]) -> Vec<(usize, usize, f64)> {
    let mut room = spare.to_vec();
    let mut out = Vec::new();
    for (from, &c) in callbacks.iter().enumerate() {
        let mut left = c;
        for (to, r) in room.iter_mut().enumerate().skip(from + 1) {
            if left < 0.05 {
                break;
            }
            let take = left.min(*r);
            if take >= 0.05 {
                out.push((from, to, take));
                *r -= take;
                left -= take;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::place_callbacks;

    #[test]
    fn callbacks_go_to_the_earliest_later_intervals_with_room() {
        let callbacks = [0.0, 6.0, 0.0, 0.0, 3.0];
        let spare = [9.0, 0.0, 4.0, 5.0, 0.0];
        // Slot 1's six go to 2 (4) and 3 (2); slot 4's three have no later room.
        assert_eq!(place_callbacks(&callbacks, &spare), vec![(1, 2, 4.0), (1, 3, 2.0)]);
    }
}
