//! The weekly build and its shared inputs.
//!
//! [`Inputs`] are the clap flags (with `RINGCAST_*` environment variables and the
//! bundled `data/` as defaults, in that order of precedence); [`Loaded`] is what
//! they resolve to once every file has been read and validated. Stages take
//! `Loaded`, never flags.

use crate::calendar::{week_days, OpenCalendar};
use crate::config::CentreConfig;
use crate::error::InputError;
use crate::forecast::predict::{unlearned_channels, FittedForecast, Forecast, ForecastModel};
use crate::ingest::agents::{load_agents, Agent};
use crate::ingest::history::{load_history_with, HistoryOptions};
use crate::ingest::media::{load_media_plan, MediaPlan};
use crate::ingest::History;
use crate::report::atomic::write_file;
use crate::schedule::cli::{schedule, Requirements, Scheduled};
use crate::schedule::roster::{build_roster, Roster};
use crate::schedule::shifts::ShiftOption;
use crate::staff::cli::{requirements, IntervalRequirement};
use crate::staff::{Queue, ServiceGoal, SlDefinition};
use crate::units::CallsPerInterval;
use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Input files shared by `plan`, `forecast` and `impact`.
#[derive(Debug, Clone, clap::Args)]
pub struct Inputs {
    /// Call history: interval counts (CSV).
    #[arg(long, env = "RINGCAST_HISTORY", default_value = "data/history.csv")]
    pub history: PathBuf,
    /// Past media plans, for learning each channel's response (CSV).
    #[arg(long, env = "RINGCAST_MEDIA", default_value = "data/media_history.csv")]
    pub media: PathBuf,
    /// Next period's media plan, as marketing submits it (CSV).
    #[arg(long, env = "RINGCAST_MEDIA_PLAN", default_value = "data/media_plan_next_week.csv")]
    pub media_plan: PathBuf,
    /// Centre configuration (TOML).
    #[arg(long, env = "RINGCAST_CONFIG", default_value = "data/centre.toml")]
    pub config: PathBuf,
    /// Monday of the week to plan (default: the week after the history ends).
    #[arg(long)]
    pub week: Option<NaiveDate>,
    /// Queue to read when the history holds several.
    #[arg(long)]
    pub queue: Option<String>,
}

/// Inputs read and validated.
pub struct Loaded {
    pub config: CentreConfig,
    pub calendar: OpenCalendar,
    pub history: History,
    pub past: MediaPlan,
    pub plan: MediaPlan,
    pub week: NaiveDate,
    pub days: Vec<NaiveDate>,
    pub warnings: Vec<String>,
    pub inputs: Inputs,
}

impl Inputs {
    /// Read every input and check them against each other.
    pub fn load(&self) -> anyhow::Result<Loaded> {
        let config = CentreConfig::load(&self.config)?;
        let calendar = OpenCalendar::from_config(&config, &self.config)?;
        let opts = HistoryOptions {
            tz: Some(calendar.tz),
            queue: self.queue.clone(),
            records_interval: Some(calendar.interval),
        };
        let (raw, mut warnings) = load_history_with(&self.history, &opts)?;
        let history = raw.resample(calendar.interval).map_err(|m| {
            InputError::key(&self.config, "interval_minutes", format!("{m} (history {})", self.history.display()))
        })?;
        let past = load_media_plan(&self.media, &config)?;
        let plan = load_media_plan(&self.media_plan, &config)?;
        warnings.extend(past.warnings.iter().cloned());
        warnings.extend(plan.warnings.iter().cloned());
        let last = history.last_day().ok_or_else(|| InputError::file(&self.history, "no history rows"))?;
        let week = match self.week {
            Some(w) if w.weekday() != Weekday::Mon => {
                anyhow::bail!("--week {w} is a {}; expected the Monday that starts the planning week", w.weekday())
            }
            Some(w) => w,
            None => last + Duration::days(7 - last.weekday().num_days_from_monday() as i64),
        };
        let days = week_days(week);
        let end = week + Duration::days(7);
        for l in &plan.lines {
            let last_moment = l.end.unwrap_or(l.start);
            if last_moment.date() < week || l.start.date() >= end {
                return Err(InputError::bad_value(
                    &self.media_plan,
                    l.row,
                    "start",
                    &l.start.format("%Y-%m-%d %H:%M").to_string(),
                    format!("a time within the planning week {week} .. {}", end - Duration::days(1)),
                )
                .into());
            }
        }
        Ok(Loaded { config, calendar, history, past, plan, week, days, warnings, inputs: self.clone() })
    }
}

impl Loaded {
    /// Fit the forecaster and forecast the planning week.
    pub fn forecast(&self) -> anyhow::Result<(FittedForecast, Forecast)> {
        let fitted = ForecastModel::default().fit(&self.history, &self.past.lines);
        let missing = unlearned_channels(&fitted, &self.plan.lines);
        if let Some(l) = missing.first() {
            let why = fitted
                .learned
                .fitted
                .skipped
                .iter()
                .find(|(c, _)| *c == l.channel)
                .map(|(_, w)| w.clone())
                .unwrap_or_else(|| {
                    format!("it never appears in the past media plans ({})", self.inputs.media.display())
                });
            return Err(InputError::cell(
                &self.inputs.media_plan,
                l.row,
                "channel",
                format!(
                    "no response learned for channel '{}': {why}; expected a channel with history (learned: {})",
                    l.channel,
                    fitted.responses().keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            )
            .into());
        }
        let fc = fitted.predict(&self.days, &self.calendar, &self.plan.lines);
        Ok((fitted, fc))
    }
}

/// The forecast as CSV: one row per interval of the period.
pub fn forecast_csv(fc: &Forecast) -> String {
    let channels: Vec<&String> = fc.uplift.keys().collect();
    let mut s = String::from("interval_start,open,baseline");
    for c in &channels {
        let _ = write!(s, ",uplift_{c}");
    }
    s.push_str(",uplift_total,expected,lo80,hi80,lo95,hi95\n");
    let step = fc.interval.get() as i64;
    for (k, d) in fc.days.iter().enumerate() {
        for slot in 0..fc.interval.per_day() {
            let t = d.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(slot as i64 * step);
            let up: f64 = channels.iter().map(|c| fc.uplift[*c][[k, slot]]).sum();
            let _ = write!(
                s,
                "{},{},{:.3}",
                t.format("%Y-%m-%d %H:%M"),
                u8::from(fc.open[[k, slot]]),
                fc.baseline[[k, slot]]
            );
            for c in &channels {
                let _ = write!(s, ",{:.3}", fc.uplift[*c][[k, slot]]);
            }
            let _ = writeln!(
                s,
                ",{:.3},{:.3},{},{},{},{}",
                up,
                fc.total[[k, slot]],
                fc.lo80[[k, slot]],
                fc.hi80[[k, slot]],
                fc.lo95[[k, slot]],
                fc.hi95[[k, slot]]
            );
        }
    }
    s
}

/// The learned channel responses as a text table.
pub fn fit_report(fitted: &FittedForecast) -> String {
    let mut s = String::from(
        "channel        kind    lines  calls/GRP  calls/1000  ±se   peak min  ≤15 min  ≤60 min  half-life d\n",
    );
    let opt = |v: Option<f64>, d: usize| v.map(|x| format!("{x:.d$}")).unwrap_or_else(|| "-".into());
    for r in &fitted.learned.fitted.reports {
        let _ = writeln!(
            s,
            "{:<14} {:<7} {:>5}  {:>9}  {:>10.1}  {:>3.0}%  {:>8}  {:>7}  {:>7}  {:>11}",
            r.channel,
            r.kind,
            r.lines,
            opt(r.calls_per_grp, 2),
            r.calls_per_1000,
            r.relative_se * 100.0,
            opt(r.peak_minute, 1),
            opt(r.share_15_min.map(|v| v * 100.0), 0),
            opt(r.share_60_min.map(|v| v * 100.0), 0),
            opt(r.half_life_days, 2)
        );
    }
    for (c, why) in &fitted.learned.fitted.skipped {
        let _ = writeln!(s, "{c:<14} not learned: {why}");
    }
    s
}

/// Inputs of the weekly build.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    /// Agents with contracts and availability (CSV).
    #[arg(long, env = "RINGCAST_AGENTS", default_value = "data/agents.csv")]
    pub agents: PathBuf,
    /// Output folder (outputs replace last run's only when every stage succeeded).
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
}

/// Inputs of a forecast.
#[derive(Debug, clap::Args)]
pub struct ForecastArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    /// Where to write the forecast CSV.
    #[arg(long, default_value = "forecast.csv")]
    pub out: PathBuf,
    /// Print what was learned about each channel.
    #[arg(long)]
    pub fit_report: bool,
    /// Forecast and staff every queue of the history in parallel; `--out` is
    /// then a folder receiving `forecast_<queue>.csv` and `requirements_<queue>.csv`.
    #[arg(long, conflicts_with = "queue")]
    pub all_queues: bool,
}

/// The service goal of the loaded config.
pub fn goal_of(loaded: &Loaded) -> anyhow::Result<(crate::config::CheckedService, ServiceGoal)> {
    let cfg_path = &loaded.inputs.config;
    let service = loaded.config.service(cfg_path)?;
    let goal = ServiceGoal::new(
        service.target_sl,
        service.answer_time,
        service.max_asa,
        service.max_occupancy,
        service.max_abandon,
        SlDefinition::AllCallers,
    )
    .map_err(|m| InputError::key(cfg_path, "service", m))?;
    Ok((service, goal))
}

/// A forecast as flat per-interval series: starts, expected calls, open flags.
pub fn flatten(fc: &Forecast) -> (Vec<NaiveDateTime>, Vec<f64>, Vec<bool>) {
    let per_day = fc.interval.per_day();
    let step = fc.interval.get() as i64;
    let (mut starts, mut calls, mut open) = (Vec::new(), Vec::new(), Vec::new());
    for (k, d) in fc.days.iter().enumerate() {
        for s in 0..per_day {
            starts.push(d.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(s as i64 * step));
            calls.push(fc.total[[k, s]]);
            open.push(fc.open[[k, s]]);
        }
    }
    (starts, calls, open)
}

/// Staffing requirements of a forecast under the loaded config.
pub fn staff_forecast(loaded: &Loaded, fc: &Forecast) -> anyhow::Result<Vec<IntervalRequirement>> {
    let (service, goal) = goal_of(loaded)?;
    let (starts, calls, open) = flatten(fc);
    Ok(requirements(
        &starts,
        &calls,
        &open,
        fc.interval.minutes(),
        service.aht,
        service.patience,
        &goal,
        service.shrinkage,
        service.min_agents_open,
    ))
}

/// Every queue of the history: forecast and staffing in parallel.
fn run_all_queues(a: &ForecastArgs) -> anyhow::Result<()> {
    use rayon::prelude::*;
    let names = crate::ingest::history::queues(&a.inputs.history)?;
    if names.is_empty() {
        anyhow::bail!("--all-queues: {} has no 'queue' column", a.inputs.history.display());
    }
    let results: Vec<anyhow::Result<(String, Forecast, Vec<IntervalRequirement>)>> = names
        .par_iter()
        .map(|q| {
            let mut inputs = a.inputs.clone();
            inputs.queue = Some(q.clone());
            let loaded = inputs.load()?;
            let (_, fc) = loaded.forecast()?;
            let req = staff_forecast(&loaded, &fc)?;
            Ok((q.clone(), fc, req))
        })
        .collect();
    let mut st = crate::report::Staging::new(&a.out)?;
    for r in results {
        let (q, fc, req) = r?;
        let safe: String =
            q.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
        st.write(&format!("forecast_{safe}.csv"), forecast_csv(&fc))?;
        st.write(&format!("requirements_{safe}.csv"), crate::staff::cli::requirements_csv(&req))?;
        let peak = req.iter().map(|r| r.requirement.agents).max().unwrap_or(0);
        println!("queue {q}: {:.0} calls forecast, peak {peak} agents on the phones", fc.total.sum());
    }
    st.commit()?;
    println!("written to {}", a.out.display());
    Ok(())
}

pub fn run_forecast(a: &ForecastArgs) -> anyhow::Result<()> {
    if a.all_queues {
        return run_all_queues(a);
    }
    let loaded = a.inputs.load()?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    let (fitted, fc) = loaded.forecast()?;
    write_file(&a.out, forecast_csv(&fc)).with_context(|| format!("writing {}", a.out.display()))?;
    if a.fit_report {
        print!("{}", fit_report(&fitted));
    }
    let base: f64 = fc.baseline.sum();
    let up: f64 = fc.total_uplift().sum();
    println!(
        "forecast {} .. {}: {:.0} calls ({:.0} baseline + {:.0} from campaigns); written to {}",
        loaded.week,
        loaded.week + Duration::days(6),
        base + up,
        base,
        up,
        a.out.display()
    );
    Ok(())
}

/// Everything the weekly build computed.
pub struct WeeklyPlan {
    pub loaded: Loaded,
    pub fitted: FittedForecast,
    pub forecast: Forecast,
    pub requirements: Vec<IntervalRequirement>,
    pub scheduled: Scheduled,
    pub agents: Vec<Agent>,
    pub roster: Roster,
    pub coverage: Vec<CoverageRow>,
    pub goal: ServiceGoal,
    pub service: crate::config::CheckedService,
}

/// One interval of the coverage report.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageRow {
    pub interval_start: NaiveDateTime,
    pub open: bool,
    pub calls: f64,
    /// Agents needed on the phones.
    pub required: u32,
    /// Agents to roster for that (after shrinkage).
    pub required_rostered: u32,
    /// Agents rostered on shift and not on a break.
    pub rostered: u32,
    /// Of those, expected on the phones after shrinkage.
    pub on_phones: u32,
    pub service_level: Option<f64>,
    pub asa_seconds: Option<f64>,
    pub abandon: Option<f64>,
    pub occupancy: Option<f64>,
}

/// Agents on shift (not on a break) per slot of the week, from the roster.
pub fn rostered_per_slot(options: &[ShiftOption], roster: &Roster, slots: usize) -> Vec<u32> {
    let mut n = vec![0u32; slots];
    for a in &roster.assignments {
        for &t in &options[a.option].covered {
            if t < slots {
                n[t] += 1;
            }
        }
    }
    n
}

/// The projected service per interval for a number of agents on shift.
pub fn project(
    starts: &[NaiveDateTime],
    calls: &[f64],
    open: &[bool],
    rostered: &[u32],
    interval: crate::units::Minutes,
    service: &crate::config::CheckedService,
    goal: &ServiceGoal,
) -> Vec<(u32, Option<crate::staff::Performance>)> {
    (0..starts.len())
        .map(|t| {
            let on = (rostered[t] as f64 * (1.0 - service.shrinkage.get()) + 1e-9).floor() as u32;
            if !open[t] {
                return (on, None);
            }
            let q = Queue {
                calls: CallsPerInterval::new(calls[t].max(0.0)).unwrap_or_default(),
                interval,
                aht: service.aht,
                patience: service.patience,
            };
            (on, Some(crate::staff::performance_as(&q, on, goal.answer_time, goal.sl_definition)))
        })
        .collect()
}

/// Run every stage; nothing is written here.
pub fn build(a: &PlanArgs, progress: &dyn Fn(&str)) -> anyhow::Result<WeeklyPlan> {
    progress("reading inputs");
    let loaded = a.inputs.load()?;
    let agents = load_agents(&a.agents)?;
    progress("learning from history and past campaigns");
    let (fitted, forecast) = loaded.forecast()?;
    progress("staffing (Erlang)");
    let cfg_path = &loaded.inputs.config;
    let (service, goal) = goal_of(&loaded)?;
    let per_day = loaded.calendar.interval.per_day();
    let (starts, calls, open) = flatten(&forecast);
    let interval = loaded.calendar.interval.minutes();
    let requirements = staff_forecast(&loaded, &forecast)?;
    progress("scheduling shifts (HiGHS)");
    let req = Requirements {
        first_day: loaded.week,
        per_day,
        required: requirements.iter().map(|r| r.with_shrinkage as f64).collect(),
    };
    let scheduled = schedule(&loaded.config, cfg_path, req, loaded.config.scheduling.objective)?;
    progress("rostering named agents");
    let roster = build_roster(
        &scheduled.options,
        &scheduled.plan.counts,
        &loaded.days,
        per_day,
        &agents,
        &loaded.config.scheduling,
    )
    .map_err(anyhow::Error::msg)?;
    progress("projecting coverage");
    let rostered = rostered_per_slot(&scheduled.options, &roster, starts.len());
    let projected = project(&starts, &calls, &open, &rostered, interval, &service, &goal);
    let coverage = (0..starts.len())
        .map(|t| {
            let (on, p) = &projected[t];
            CoverageRow {
                interval_start: starts[t],
                open: open[t],
                calls: calls[t],
                required: requirements[t].requirement.agents,
                required_rostered: requirements[t].with_shrinkage,
                rostered: rostered[t],
                on_phones: *on,
                service_level: p.map(|p| p.service_level),
                asa_seconds: p.and_then(|p| p.asa_seconds.is_finite().then_some(p.asa_seconds)),
                abandon: p.and_then(|p| p.p_abandon),
                occupancy: p.map(|p| p.occupancy),
            }
        })
        .collect();
    Ok(WeeklyPlan { loaded, fitted, forecast, requirements, scheduled, agents, roster, coverage, goal, service })
}

/// `roster.csv`: one row per agent shift, then the shifts no agent could take.
pub fn roster_csv(p: &WeeklyPlan) -> String {
    let s = &p.scheduled;
    let mut out = String::from("agent_id,name,contract,day,start,end,breaks,paid_hours,shift_family\n");
    let mut rows: Vec<(usize, usize)> = p.roster.assignments.iter().map(|a| (a.agent, a.option)).collect();
    rows.sort_by_key(|(a, o)| (*a, s.options[*o].start));
    let fmt_breaks = |o: &ShiftOption| {
        o.breaks
            .iter()
            .map(|(a, b)| format!("{}-{}", s.req.slot_time(*a).format("%H:%M"), s.req.slot_time(*b).format("%H:%M")))
            .collect::<Vec<_>>()
            .join(" ")
    };
    for (a, o) in rows {
        let ag = &p.agents[a];
        let opt = &s.options[o];
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{:.2},{}",
            ag.id,
            csv_text(&ag.name),
            csv_text(&ag.contract),
            s.req.slot_time(opt.start).format("%Y-%m-%d"),
            s.req.slot_time(opt.start).format("%H:%M"),
            s.req.slot_time(opt.end).format("%H:%M"),
            fmt_breaks(opt),
            opt.paid_hours,
            csv_text(&p.loaded.config.scheduling.shifts[opt.family].name)
        );
    }
    for (o, n) in &p.roster.unfilled {
        let opt = &s.options[*o];
        for _ in 0..*n {
            let _ = writeln!(
                out,
                "UNFILLED,,,{},{},{},{},{:.2},{}",
                s.req.slot_time(opt.start).format("%Y-%m-%d"),
                s.req.slot_time(opt.start).format("%H:%M"),
                s.req.slot_time(opt.end).format("%H:%M"),
                fmt_breaks(opt),
                opt.paid_hours,
                csv_text(&p.loaded.config.scheduling.shifts[opt.family].name)
            );
        }
    }
    out
}

/// Quote a CSV text cell when needed.
pub fn csv_text(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `coverage.csv`.
pub fn coverage_csv(rows: &[CoverageRow]) -> String {
    let mut out = String::from("interval_start,open,calls,required_agents,required_rostered,rostered_agents,on_phones,service_level,asa_seconds,abandon_rate,occupancy,understaffed\n");
    let o = |v: Option<f64>, d: usize| v.map(|x| format!("{x:.d$}")).unwrap_or_default();
    for r in rows {
        let _ = writeln!(
            out,
            "{},{},{:.3},{},{},{},{},{},{},{},{},{}",
            r.interval_start.format("%Y-%m-%d %H:%M"),
            u8::from(r.open),
            r.calls,
            r.required,
            r.required_rostered,
            r.rostered,
            r.on_phones,
            o(r.service_level, 4),
            o(r.asa_seconds, 1),
            o(r.abandon, 4),
            o(r.occupancy, 4),
            u8::from(r.open && r.on_phones < r.required)
        );
    }
    out
}

pub fn run_plan(a: &PlanArgs) -> anyhow::Result<()> {
    let t0 = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    // Stage timings go to stderr with RINGCAST_TIMINGS=1 (for tuning).
    let timings = std::env::var_os("RINGCAST_TIMINGS").is_some();
    let last = std::cell::Cell::new(std::time::Instant::now());
    let progress = |m: &str| {
        if timings {
            eprintln!("[{:>6.3} s] {m}", last.get().elapsed().as_secs_f64());
            last.set(std::time::Instant::now());
        }
        bar.set_message(m.to_string());
    };
    let plan = build(a, &progress)?;
    let summary = crate::report::weekly::summary(&plan);
    bar.set_message("writing outputs");
    let written = crate::report::weekly::write_all(&plan, &summary, &a.out)?;
    bar.finish_and_clear();
    for w in &plan.loaded.warnings {
        eprintln!("warning: {w}");
    }
    print!("{}", crate::report::weekly::text_summary(&plan, &summary));
    println!("outputs: {} files in {} ({:.1} s)", written.len(), a.out.display(), t0.elapsed().as_secs_f64());
    Ok(())
}
