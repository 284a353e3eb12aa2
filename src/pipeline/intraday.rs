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
use crate::coverage::{place_callbacks, DaySeries};
use crate::error::{Error, InputError};
use crate::forecast::intraday::{DayUpdate, IntradayModel, MorningDay, Seen};
use crate::forecast::minutes::minute_shares;
use crate::ingest::actuals::{load_actuals, Actuals};
use crate::ingest::agents::load_agents;
use crate::ingest::plan_files::{load_forecast_day, load_roster, RosterRules, RosterShift};
use crate::schedule::adjust::{offers, DayNeeds, OfferRules, Offers};
use crate::schedule::roster::Agent;
use crate::staff::lines::{busy_risk, BusyRisk};
use crate::units::IntervalMinutes;
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
