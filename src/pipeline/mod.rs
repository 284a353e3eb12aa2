//! The weekly build as a library, one stage a function from typed values to
//! typed values:
//!
//! ```text
//! load → forecast → staff → shifts → roster → coverage → simulate → impact
//! ```
//!
//! [`centre`] runs the same stages for several queues with one roster.
//!
//! [`load`] is the only stage that sees paths; the others take the settings
//! and the values of the stages before them (a media plan keeps the name of
//! its file, [`MediaPlan::source`](crate::ingest::media::MediaPlan), for the
//! messages that must name it). The report ([`crate::report`])
//! only formats and writes a [`WeeklyPlan`]. `plan`, `forecast`, `impact`,
//! `staff` and `schedule` on the command line are compositions of these.

pub mod centre;
pub mod cross_train;
pub mod intraday;
pub mod review;
pub mod skills;

use crate::coverage::IntervalBusy;
use crate::coverage::{coverage, rostered_per_slot, CoverageRow};
use crate::error::{Error, InputError};
use crate::forecast::minutes::minute_shares;
use crate::forecast::predict::{FittedForecast, Forecast, ForecastModel, UnlearnedChannel};
use crate::impact::{analyse, Impact, ImpactInputs, ImpactThreshold};
use crate::ingest::history::load_history_with;
use crate::ingest::media::{load_media_plan_as, MediaPlan};
use crate::ingest::queue_stats::{HourProfile, QueueStats};
use crate::ingest::History;
use crate::schedule::goal::{schedule_to_goal, GoalGrid, GoalRow};
use crate::schedule::roster::{build_roster, Agent, Roster};
use crate::schedule::week::{schedule, Scheduled};
use crate::series::{CallSeries, RequirementGrid};
use crate::settings::{GoalScope, ServiceOverrides, Settings};
use crate::simulate::{days_of, simulate, week_input, Outcome, SimInput, SimReport, WorstMinute};
use crate::staff::curves::{interval_curve, PeriodGoals};
use crate::staff::requirements::{requirements, IntervalRequirement};
use crate::units::Seconds;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};
use std::path::PathBuf;

/// Where the weekly build's inputs are.
#[derive(Debug, Clone)]
pub struct Sources {
    /// Call history: interval counts or call records.
    pub history: PathBuf,
    /// Past media plans.
    pub media: PathBuf,
    /// The planning week's media plan.
    pub media_plan: PathBuf,
    /// Centre configuration.
    pub config: PathBuf,
    /// First day of the week to plan (the config's `week_start` weekday);
    /// `None`: the week after the history ends.
    pub week: Option<NaiveDate>,
    /// Queue to read when the history holds several.
    pub queue: Option<String>,
    /// Service values of a what-if, over the config's.
    pub overrides: ServiceOverrides,
}

impl Sources {
    /// The files of a centre folder by the names `ringcast synth` gives them
    /// (the bundled sample in `data/`), planning the week after the history.
    pub fn in_folder(dir: &std::path::Path) -> Sources {
        Sources {
            history: dir.join("history.csv"),
            media: dir.join("media_history.csv"),
            media_plan: dir.join("media_plan_next_week.csv"),
            config: dir.join("centre.toml"),
            week: None,
            queue: None,
            overrides: ServiceOverrides::default(),
        }
    }
}

/// Inputs read, validated and checked against each other.
pub struct Loaded {
    pub settings: Settings,
    pub history: History,
    pub past: MediaPlan,
    pub plan: MediaPlan,
    /// First day of the planning week.
    pub week: NaiveDate,
    pub days: Vec<NaiveDate>,
    pub warnings: Vec<String>,
}

/// Stage 1: read every input and check them against each other.
pub fn load(sources: &Sources) -> Result<Loaded, Error> {
    let mut settings = Settings::load_with(&sources.config, &sources.overrides)?;
    let calendar = &settings.calendar;
    let opts = settings.history_options(sources.queue.clone());
    let (raw, history_warnings) = load_history_with(&sources.history, &opts)?;
    let mut warnings = settings.warnings.clone();
    warnings.extend(history_warnings);
    let history = raw.resample(calendar.interval).map_err(|m| {
        Error::config(&sources.config, "interval_minutes", format!("{m} (history {})", sources.history.display()))
    })?;
    let mut past = load_media_plan_as(&sources.media, &settings.channels, &settings.media_reading)?;
    let plan = load_media_plan_as(&sources.media_plan, &settings.channels, &settings.media_reading)?;
    warnings.extend(past.warnings.iter().cloned());
    warnings.extend(plan.warnings.iter().cloned());
    let last = history.last_day().ok_or_else(|| InputError::file(&sources.history, "no history rows"))?;
    let week = planning_week(sources.week, last, settings.week_start)?;
    let history = if week <= last {
        // Planning a week the history already holds (a what-if, a back-test by
        // hand): learn only from what was known before it.
        warnings.push(format!(
            "--week {week} is inside the history (which ends {last}): learning only from the days before {week}"
        ));
        past.lines.retain(|l| l.start.date() < week);
        history.between(history.days[0], week)
    } else {
        history
    };
    if history.days.is_empty() {
        return Err(Error::usage(format!("--week {week}: the history has no days before it to learn from")));
    }
    warnings.extend(history.closed_calls_warning(&settings.calendar));
    // Closed days are gaps, whether the export left them out, wrote zero rows,
    // or the config lists them as closed dates.
    let calendar = &settings.calendar;
    let history = history.without_empty_days().retain_days(|d, _| calendar.is_open_day(d));
    warnings.extend(settings.learn_queue(&QueueStats::of(&history), &sources.config)?);
    let days = crate::calendar::week_days(week);
    check_plan_in_week(&plan, week, &sources.media_plan)?;
    Ok(Loaded { settings, history, past, plan, week, days, warnings })
}

/// The first day given, or the first `start` weekday after the history's last day.
fn planning_week(given: Option<NaiveDate>, last: NaiveDate, start: Weekday) -> Result<NaiveDate, Error> {
    match given {
        Some(w) if w.weekday() != start => Err(Error::usage(format!(
            "--week {w} is a {}; expected a {} (the config's week_start), the first day of the planning week",
            day_name(w.weekday()),
            day_name(start)
        ))),
        Some(w) => Ok(w),
        None => {
            let ahead = (7 + start.num_days_from_monday() as i64 - last.weekday().num_days_from_monday() as i64) % 7;
            Ok(last + Duration::days(if ahead == 0 { 7 } else { ahead }))
        }
    }
}

fn day_name(d: Weekday) -> &'static str {
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][d.num_days_from_monday() as usize]
}

fn check_plan_in_week(plan: &MediaPlan, week: NaiveDate, path: &std::path::Path) -> Result<(), Error> {
    let end = week + Duration::days(7);
    for l in &plan.lines {
        let last_moment = l.end.unwrap_or(l.start);
        if last_moment.date() < week || l.start.date() >= end {
            return Err(InputError::bad_value(
                path,
                l.row,
                "start",
                &l.start.format("%Y-%m-%d %H:%M").to_string(),
                format!("a time within the planning week {week} .. {}", end - Duration::days(1)),
            )
            .into());
        }
    }
    Ok(())
}

/// Stage 2: fit the forecaster and forecast the planning week.
pub fn forecast(loaded: &Loaded) -> Result<(FittedForecast, Forecast), Error> {
    let model = ForecastModel::default().check().map_err(|message| Error::Internal { stage: "forecast", message })?;
    let fitted = model
        .fit_on_calendar(&loaded.history, &loaded.past.lines, None, Some(&loaded.settings.calendar))
        .with_assumed(&loaded.settings.assumed);
    let fc = fitted
        .predict(&loaded.days, &loaded.settings.calendar, &loaded.plan.lines)
        .map_err(|e| unlearned_channel(loaded, &fitted, &e))?;
    Ok((fitted, fc))
}

fn unlearned_channel(loaded: &Loaded, fitted: &FittedForecast, l: &UnlearnedChannel) -> InputError {
    let skipped = fitted.skipped_channels().iter().find(|c| c.channel == l.channel);
    let why = match skipped {
        Some(c) => c.reason.clone(),
        None if loaded.past.lines.is_empty() => "no past media plans were given (--media) to learn it from".into(),
        None => format!("it never appears in the past media plans ({})", loaded.past.source.display()),
    };
    InputError::cell(
        &loaded.plan.source,
        l.row,
        "channel",
        format!(
            "no response learned for channel '{}': {why}; expected a channel with history (learned: {}), or an assumed response in the config ([channels.{}] assumed_calls_per_grp = … for spots, assumed_calls_per_1000 = … for flights and drops)",
            l.channel,
            fitted.responses().keys().cloned().collect::<Vec<_>>().join(", "),
            l.channel
        ),
    )
}

/// The forecast's expected calls, typed, with each interval's handle time and
/// patience where they were learned by weekday and hour.
pub fn expected_calls(forecast: &Forecast, settings: &Settings) -> Result<CallSeries, Error> {
    let mut series = forecast.series()?;
    let by_hour = |profile: &HourProfile, what: &str| {
        series
            .starts
            .iter()
            .map(|t| Seconds::new(profile.at(*t)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::Internal { stage: "staff", message: format!("{what} by hour: {e}") })
    };
    let handle = settings.aht_profile.as_ref().map(|p| by_hour(p, "handle time")).transpose()?;
    let patience = settings.patience_profile.as_ref().map(|p| by_hour(p, "patience")).transpose()?;
    series.handle = handle;
    series.patience = patience;
    Ok(series)
}

/// Stage 3: agents needed per interval.
pub fn staff(series: &CallSeries, settings: &Settings) -> Result<Vec<IntervalRequirement>, Error> {
    let mut reqs = requirements(series, &settings.service)?;
    mark_special_days(&mut reqs, &settings.calendar);
    Ok(reqs)
}

/// Intervals a special day closes that its weekday would open: set by the
/// special day (the planner reads why a usual interval has no agents).
fn mark_special_days(reqs: &mut [IntervalRequirement], calendar: &crate::calendar::OpenCalendar) {
    let minutes = calendar.interval.get() as usize;
    for r in reqs.iter_mut().filter(|r| !r.open) {
        let t = r.interval_start;
        let slot = (t.time() - chrono::NaiveTime::MIN).num_minutes() as usize / minutes;
        if calendar.closed_by_special_day(t.date(), slot) {
            r.set_by = Some(crate::staff::StaffingLimit::SpecialDay);
        }
    }
}

/// Stage 4: the cheapest shifts that meet the service goal — every
/// interval's requirement, or each day's (week's) goal with the curves of
/// [`crate::staff::curves`].
pub fn shifts(
    week: NaiveDate,
    series: &CallSeries,
    reqs: &[IntervalRequirement],
    settings: &Settings,
) -> Result<Scheduled, Error> {
    if settings.goal.scope != GoalScope::Interval {
        let grid = goal_grid(week, series, settings);
        return Ok(schedule_to_goal(&settings.scheduling, &settings.calendar, &grid, settings.scheduling.objective)?);
    }
    let grid = RequirementGrid {
        first_day: week,
        per_day: settings.calendar.interval.per_day(),
        required: reqs.iter().map(|r| r.with_shrinkage as f64).collect(),
    };
    Ok(schedule(&settings.scheduling, &settings.calendar, grid, settings.scheduling.objective)?)
}

/// The week's service curves and goals for the shift model.
fn goal_grid(week: NaiveDate, series: &CallSeries, settings: &Settings) -> GoalGrid {
    let policy = &settings.service;
    let goals = PeriodGoals::of(policy);
    let curves: Vec<_> =
        (0..series.len()).map(|t| interval_curve(series, t, policy, settings.goal.floor_sl, &goals)).collect();
    let per_day = settings.calendar.interval.per_day();
    let calls = |slots: &[usize]| slots.iter().map(|&t| series.calls[t].get()).sum::<f64>();
    let answer = policy.goal.answer_time.get();
    let periods: Vec<(String, Vec<usize>, f64)> = match settings.goal.scope {
        GoalScope::Week => {
            vec![(format!("the week of {week}"), (0..series.len()).collect(), policy.goal.target_sl.get())]
        }
        _ => (0..series.len().div_ceil(per_day))
            .map(|d| {
                let day = week + Duration::days(d as i64);
                let target = settings.goal.weekday_targets[day.weekday().num_days_from_monday() as usize]
                    .unwrap_or(policy.goal.target_sl)
                    .get();
                (
                    day.format("%a %Y-%m-%d").to_string(),
                    (d * per_day..((d + 1) * per_day).min(series.len())).collect(),
                    target,
                )
            })
            .collect(),
    };
    let mut rows = Vec::new();
    for (label, slots, target) in periods {
        let n = calls(&slots);
        if n <= 0.0 {
            continue;
        }
        rows.push(GoalRow {
            goal: 0,
            bound: (1.0 - target) * n,
            label: format!("{label}: {:.0}% answered within {answer:.0} s", target * 100.0),
            slots: slots.clone(),
            occupancy_cap: policy.goal.max_occupancy.map(|f| f.get()),
        });
        let mut k = 1;
        if let Some(cap) = goals.abandon_cap {
            rows.push(GoalRow {
                goal: k,
                bound: cap * n,
                label: format!("{label}: at most {:.1}% abandoned", cap * 100.0),
                slots: slots.clone(),
                occupancy_cap: None,
            });
            k += 1;
        }
        if let Some(cap) = goals.asa_cap {
            rows.push(GoalRow {
                goal: k,
                bound: 0.0,
                label: format!("{label}: ASA at most {cap:.0} s"),
                slots,
                occupancy_cap: None,
            });
        }
    }
    let calls = series.calls.iter().map(|c| c.get()).collect();
    GoalGrid { first_day: week, per_day, curves, shrinkage: policy.shrinkage.get(), goals: rows, calls }
}

/// Stage 5: the chosen shifts handed to named agents.
pub fn roster(
    scheduled: &Scheduled,
    days: &[NaiveDate],
    agents: &[Agent],
    settings: &Settings,
) -> Result<Roster, Error> {
    let counts = &scheduled.plan.counts;
    Ok(build_roster(&scheduled.options, counts, days, scheduled.req.per_day, agents, &settings.scheduling)?)
}

/// Everything the weekly build computed.
pub struct WeeklyPlan {
    pub loaded: Loaded,
    pub agents: Vec<Agent>,
    pub fitted: FittedForecast,
    pub forecast: Forecast,
    /// The forecast's expected calls, typed.
    pub series: CallSeries,
    pub requirements: Vec<IntervalRequirement>,
    pub scheduled: Scheduled,
    pub roster: Roster,
    pub coverage: Vec<CoverageRow>,
    pub impact: Impact,
    /// The roster simulated (`None` with `simulation.replications = 0`).
    pub simulation: Option<SimReport>,
}

impl WeeklyPlan {
    pub fn settings(&self) -> &Settings {
        &self.loaded.settings
    }
}

/// A queue's week up to its shifts: what the roster is built from.
pub struct QueueShifts {
    pub loaded: Loaded,
    pub fitted: FittedForecast,
    pub forecast: Forecast,
    pub series: CallSeries,
    pub requirements: Vec<IntervalRequirement>,
    pub scheduled: Scheduled,
}

/// Stages 2–4: forecast, staff and schedule one loaded queue.
pub fn up_to_shifts(loaded: Loaded, progress: &dyn Fn(&str)) -> Result<QueueShifts, Error> {
    progress("learning from history and past campaigns");
    let (fitted, forecast) = forecast(&loaded)?;
    let series = expected_calls(&forecast, &loaded.settings)?;
    progress("staffing (Erlang)");
    let requirements = staff(&series, &loaded.settings)?;
    progress("scheduling shifts (HiGHS)");
    let scheduled = shifts(loaded.week, &series, &requirements, &loaded.settings)?;
    Ok(QueueShifts { loaded, fitted, forecast, series, requirements, scheduled })
}

/// The whole weekly build after loading; `progress` hears each stage's name.
pub fn build_week(
    loaded: Loaded,
    agents: Vec<Agent>,
    threshold: ImpactThreshold,
    progress: &dyn Fn(&str),
) -> Result<WeeklyPlan, Error> {
    let week = up_to_shifts(loaded, progress)?;
    progress("rostering named agents");
    let roster = roster(&week.scheduled, &week.loaded.days, &agents, &week.loaded.settings)?;
    finish_week(week, roster, agents, threshold, progress)
}

/// Stages 6–8 for a rostered queue: coverage, simulation and impact.
pub fn finish_week(
    week: QueueShifts,
    roster: Roster,
    agents: Vec<Agent>,
    threshold: ImpactThreshold,
    progress: &dyn Fn(&str),
) -> Result<WeeklyPlan, Error> {
    finish_week_with(week, roster, agents, threshold, None, progress)
}

/// [`finish_week`], with `simulated` the queue's part of a simulation run
/// for the whole centre (agents of several queues, [`skills`]); `None`:
/// this queue's roster is simulated on its own.
pub fn finish_week_with(
    week: QueueShifts,
    roster: Roster,
    agents: Vec<Agent>,
    threshold: ImpactThreshold,
    simulated: Option<SimReport>,
    progress: &dyn Fn(&str),
) -> Result<WeeklyPlan, Error> {
    let QueueShifts { mut loaded, fitted, forecast, series, requirements, scheduled } = week;
    progress("projecting coverage");
    let rostered = rostered_per_slot(&scheduled.options, &roster, series.len());
    let mut coverage = coverage(&series, &requirements, &rostered, &loaded.settings.service);
    loaded.warnings.extend(starved_intervals_warning(&coverage, &loaded.settings));
    loaded.warnings.extend(agents_beyond_trunks_warning(&coverage, &loaded.settings));
    let settings = &loaded.settings;
    progress("simulating the roster");
    let minute_shares = match settings.lines {
        Some(_) => minute_shares(&forecast, &loaded.plan.lines, fitted.responses()),
        None => Vec::new(),
    };
    let simulation = match simulated {
        Some(report) => {
            put_simulation(&mut coverage, &report);
            Some(report)
        }
        None => simulate_week(&series, &mut coverage, forecast.dispersion_k, minute_shares, settings),
    };
    progress("campaign impact");
    let impact = analyse(
        &ImpactInputs {
            settings,
            week: loaded.week,
            forecast: &forecast,
            series: &series,
            fitted: &fitted,
            plan: &loaded.plan,
            requirements: &requirements,
            coverage: &coverage,
        },
        threshold,
    )?;
    Ok(WeeklyPlan {
        loaded,
        agents,
        fitted,
        forecast,
        series,
        requirements,
        scheduled,
        roster,
        coverage,
        impact,
        simulation,
    })
}

/// A day's (or week's) goal without a floor lets the model leave an interval
/// far below target when that is the cheapest way to meet the day: callers
/// in it wait, and nothing else would say so. Names the intervals projected
/// below half their day's target and the calls in them; `None` with a floor,
/// under the interval goal, or when no interval is that low.
pub fn starved_intervals_warning(coverage: &[CoverageRow], settings: &Settings) -> Option<String> {
    if settings.goal.scope == GoalScope::Interval || settings.goal.floor_sl.is_some() {
        return None;
    }
    let target = |r: &CoverageRow| {
        let w = r.interval_start.weekday().num_days_from_monday() as usize;
        let weekday = settings.goal.weekday_targets[w].filter(|_| settings.goal.scope == GoalScope::Day);
        weekday.unwrap_or(settings.service.goal.target_sl).get()
    };
    let low: Vec<&CoverageRow> = coverage
        .iter()
        .filter(|r| r.open && r.calls > 0.0 && r.service_level.is_some_and(|sl| sl < target(r) / 2.0))
        .collect();
    let first = low.first()?;
    let calls: f64 = low.iter().map(|r| r.calls).sum();
    let mut worst = low.clone();
    worst.sort_by(|a, b| a.service_level.unwrap_or(0.0).total_cmp(&b.service_level.unwrap_or(0.0)));
    let named: Vec<String> = worst
        .iter()
        .take(5)
        .map(|r| format!("{} ({:.0}%)", r.interval_start.format("%a %H:%M"), r.service_level.unwrap_or(0.0) * 100.0))
        .collect();
    Some(format!(
        "the {} goal has no floor per interval: {} interval(s) are projected below half the day's target ({:.0}%), with {calls:.0} calls in them; the worst: {}{}; set service.interval_floor_sl (e.g. 0.5) to keep every interval at least there",
        if settings.goal.scope == GoalScope::Day { "daily" } else { "weekly" },
        low.len(),
        target(first) * 50.0,
        named.join(", "),
        if low.len() > named.len() { ", …" } else { "" }
    ))
}

/// More agents on the phones than trunks: the extra agents cannot take a
/// call (a trunk carries one caller). Names the first such interval.
pub fn agents_beyond_trunks_warning(coverage: &[CoverageRow], settings: &Settings) -> Option<String> {
    let trunks = settings.lines?.trunks;
    let over: Vec<&CoverageRow> = coverage.iter().filter(|r| r.open && r.on_phones > trunks).collect();
    let most = over.iter().max_by_key(|r| r.on_phones)?;
    Some(format!(
        "lines.trunks = {trunks} is below the agents on the phones in {} interval(s) (up to {} on {}): the extra agents cannot take a call; raise lines.trunks or roster fewer agents there",
        over.len(),
        most.on_phones,
        most.interval_start.format("%a %Y-%m-%d %H:%M")
    ))
}

/// Stage 6: simulate the roster's week (when the settings ask for it) and put
/// the simulated service level (and, with lines, the busy signals) beside the
/// projected one in `coverage`. `minute_shares`: per interval, how its calls
/// fall on its minutes (empty: evenly).
pub fn simulate_week(
    series: &CallSeries,
    coverage: &mut [CoverageRow],
    dispersion_k: f64,
    minute_shares: Vec<Option<Vec<f64>>>,
    settings: &Settings,
) -> Option<SimReport> {
    let sim = settings.simulation;
    let run = sim.run?;
    let on_phones: Vec<u32> = coverage.iter().map(|r| r.on_phones).collect();
    let k = (sim.draw_rates && dispersion_k.is_finite()).then_some(dispersion_k);
    let input = SimInput {
        lines: settings.lines,
        minute_shares,
        ..week_input(series, &on_phones, &settings.service, sim.handle_times, k)
    };
    let report = simulate(&input, &run, &days_of(&series.starts));
    put_simulation(coverage, &report);
    Some(report)
}

/// The simulated service level (and, with lines, the busy signals) of each
/// interval beside the projected one.
fn put_simulation(coverage: &mut [CoverageRow], report: &SimReport) {
    for (t, (row, o)) in coverage.iter_mut().zip(&report.intervals).enumerate() {
        if row.open {
            row.simulated_service_level = o.service_level;
            row.simulated_abandon = o.abandon_rate.map(|e| e.mean);
        }
        if row.open {
            row.busy = interval_busy(row.interval_start, o, report.worst_minutes.get(t).copied().flatten());
        }
    }
}

/// An interval's simulated busy signals, where lines were simulated.
fn interval_busy(start: NaiveDateTime, o: &Outcome, worst: Option<WorstMinute>) -> Option<IntervalBusy> {
    Some(IntervalBusy {
        busy_signals: o.busy_signals?,
        busy_share: o.busy_share.map_or(0.0, |e| e.mean),
        lost_to_busy: o.lost_to_busy.unwrap_or(0.0),
        worst_minute: worst.map(|w| (start + Duration::minutes(w.minute as i64), w.busy_share)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::agents::load_agents;
    use std::path::Path;

    fn row(hour: u32, calls: f64, sl: f64) -> CoverageRow {
        CoverageRow {
            interval_start: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap().and_hms_opt(hour, 0, 0).unwrap(),
            open: true,
            calls,
            required: 10,
            required_rostered: 15,
            rostered: 12,
            on_phones: 8,
            service_level: Some(sl),
            asa_seconds: None,
            abandon: None,
            occupancy: None,
            simulated_service_level: None,
            simulated_abandon: None,
            busy: None,
            set_by: None,
        }
    }

    #[test]
    fn a_daily_goal_without_a_floor_names_the_intervals_it_leaves_below_half_the_target() {
        let rows = [row(9, 100.0, 0.85), row(10, 120.0, 0.39), row(11, 80.0, 0.03), row(12, 90.0, 0.41)];
        let p = Path::new("centre.toml");
        let settings =
            |text: &str| Settings::from_config(&crate::config::CentreConfig::from_toml(p, text).unwrap(), p).unwrap();
        let w = starved_intervals_warning(&rows, &settings("[service]\ngoal = \"day\"\n")).unwrap();
        assert!(w.contains("2 interval(s) are projected below half the day's target (40%), with 200 calls"), "{w}");
        assert!(w.contains("Mon 11:00 (3%), Mon 10:00 (39%);") && w.contains("service.interval_floor_sl"), "{w}");
        let floor = settings("[service]\ngoal = \"day\"\ninterval_floor_sl = 0.5\n");
        assert_eq!(starved_intervals_warning(&rows, &floor), None, "a floor is the planner's choice");
        assert_eq!(starved_intervals_warning(&rows, &settings("")), None, "every interval meets the target");
    }

    fn sample() -> Sources {
        Sources::in_folder(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data"))
    }

    /// The weekly build from Rust, without the command line: every stage's
    /// output lines up with the others.
    #[test]
    fn the_bundled_week_builds_through_the_library() {
        let loaded = load(&sample()).unwrap();
        let agents = load_agents(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/agents.csv")).unwrap();
        let plan = build_week(loaded, agents, ImpactThreshold::default(), &|_| {}).unwrap();
        let slots = 7 * plan.settings().calendar.interval.per_day();
        assert_eq!(plan.series.len(), slots);
        assert_eq!(plan.requirements.len(), slots);
        assert_eq!(plan.coverage.len(), slots);
        assert_eq!(plan.impact.lines.len(), plan.forecast.lines.lines.len());
        assert!(plan.roster.unfilled.is_empty());
        let calls: f64 = plan.series.raw_calls().iter().sum();
        assert!((calls - plan.forecast.total.sum()).abs() < 1e-6);
    }

    #[test]
    fn a_week_inside_the_history_learns_only_from_the_days_before_it() {
        let week = NaiveDate::from_ymd_opt(2026, 11, 16);
        let loaded = load(&Sources { week, media_plan: PathBuf::new(), ..sample() }).unwrap();
        assert_eq!(loaded.history.last_day(), NaiveDate::from_ymd_opt(2026, 11, 14), "Sunday 15th is closed");
        assert!(loaded.past.lines.iter().all(|l| l.start.date() < week.unwrap()));
        assert!(loaded.warnings.iter().any(|w| w.contains("inside the history")), "{:?}", loaded.warnings);
        let e = load(&Sources { week: NaiveDate::from_ymd_opt(2020, 1, 6), media_plan: PathBuf::new(), ..sample() })
            .err()
            .unwrap();
        assert!(e.to_string().contains("no days before it"), "{e}");
    }

    #[test]
    fn the_planning_week_starts_on_the_centres_first_day() {
        let d = |day: u32| NaiveDate::from_ymd_opt(2026, 11, day).unwrap();
        // History ending Sunday 22nd: Monday 23rd, or Sunday 29th for a Sunday week.
        assert_eq!(planning_week(None, d(22), Weekday::Mon).unwrap(), d(23));
        assert_eq!(planning_week(None, d(22), Weekday::Sun).unwrap(), d(29));
        // History ending Thursday 26th: Sunday 29th.
        assert_eq!(planning_week(None, d(26), Weekday::Sun).unwrap(), d(29));
        assert_eq!(planning_week(Some(d(29)), d(26), Weekday::Sun).unwrap(), d(29));
        let e = planning_week(Some(d(30)), d(26), Weekday::Sun).unwrap_err().to_string();
        assert!(e.contains("is a Monday; expected a Sunday (the config's week_start)"), "{e}");
    }

    #[test]
    fn a_week_that_does_not_start_on_monday_is_a_flag_error() {
        let e = load(&Sources { week: NaiveDate::from_ymd_opt(2026, 11, 24), ..sample() }).err().unwrap();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("--week 2026-11-24 is a Tuesday; expected a Monday"), "{e}");
    }
}
