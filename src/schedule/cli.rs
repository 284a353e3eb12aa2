//! `ringcast schedule`: requirements CSV + centre config (+ agents) → shifts,
//! coverage (and roster) CSVs, and a summary.

use super::model::{solve, ShiftPlan};
use super::shifts::{expand, ShiftOption};
use super::Objective;
use crate::calendar::OpenCalendar;
use crate::cli::Format;
use crate::config::CentreConfig;
use crate::error::InputError;
use crate::ingest::table::{sheet_row, Table};
use crate::report::Staging;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Shifts (and a named roster) for a requirements file.
#[derive(Debug, clap::Args)]
pub struct ScheduleArgs {
    /// Requirements CSV: `interval_start`, `required_agents`, optional `fractional_agents`.
    #[arg(long)]
    pub requirements: PathBuf,
    /// Centre configuration with `[scheduling]` (shift families, breaks, rules).
    #[arg(long, env = "RINGCAST_CONFIG", default_value = "data/centre.toml")]
    pub config: PathBuf,
    /// What to minimise (default: the config's `scheduling.objective`).
    #[arg(long, value_enum)]
    pub objective: Option<Objective>,
    /// Output folder for shifts.csv and coverage.csv.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Summary format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// A requirement per slot of a whole number of days.
#[derive(Debug, Clone)]
pub struct Requirements {
    pub first_day: NaiveDate,
    pub per_day: usize,
    pub required: Vec<f64>,
}

impl Requirements {
    pub fn days(&self) -> Vec<NaiveDate> {
        (0..self.required.len().div_ceil(self.per_day)).map(|d| self.first_day + Duration::days(d as i64)).collect()
    }
    pub fn slot_time(&self, t: usize) -> NaiveDateTime {
        let minutes = 1440 / self.per_day as i64;
        self.first_day.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(t as i64 * minutes)
    }
}

/// Read a requirements CSV onto a grid of whole days from its first date.
pub fn load_requirements(path: &Path, per_day: usize) -> anyhow::Result<Requirements> {
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
            )
            .into());
        }
        required[(m / minutes) as usize] = v;
    }
    Ok(Requirements { first_day, per_day, required })
}

/// A solved schedule with the options it chose from.
pub struct Scheduled {
    pub req: Requirements,
    pub options: Vec<ShiftOption>,
    pub plan: ShiftPlan,
}

/// Expand the families over the requirement's days and solve.
pub fn schedule(
    cfg: &CentreConfig,
    cfg_path: &Path,
    req: Requirements,
    objective: Objective,
) -> anyhow::Result<Scheduled> {
    let cal = OpenCalendar::from_config(cfg, cfg_path)?;
    let days = req.days();
    let weekdays: Vec<_> = days.iter().map(|d| d.weekday()).collect();
    let per_day = req.per_day;
    let open = |t: usize| cal.is_open(days[t / per_day], t % per_day);
    let options = expand(&cfg.scheduling, cal.interval, &weekdays, &open);
    let plan = solve(&req.required, &options, per_day, objective, &cfg.scheduling)?;
    Ok(Scheduled { req, options, plan })
}

/// `shifts.csv`: one row per shift (count expanded), with breaks.
pub fn shifts_csv(s: &Scheduled, cfg: &CentreConfig) -> String {
    let mut out = String::from("shift_id,day,family,start,end,breaks,paid_hours,cost\n");
    let mut id = 0;
    for (o, c) in s.options.iter().zip(&s.plan.counts) {
        for _ in 0..*c {
            id += 1;
            let breaks: Vec<String> = o
                .breaks
                .iter()
                .map(|(a, b)| {
                    format!("{}-{}", s.req.slot_time(*a).format("%H:%M"), s.req.slot_time(*b).format("%H:%M"))
                })
                .collect();
            let _ = writeln!(
                out,
                "S{id:05},{},{},{},{},{},{:.2},{:.2}",
                s.req.slot_time(o.start).format("%Y-%m-%d"),
                cfg.scheduling.shifts[o.family].name,
                s.req.slot_time(o.start).format("%Y-%m-%d %H:%M"),
                s.req.slot_time(o.end).format("%Y-%m-%d %H:%M"),
                breaks.join(" "),
                o.paid_hours,
                o.paid_hours * cfg.costs.hourly_cost
            );
        }
    }
    out
}

/// `coverage.csv`: required vs scheduled per interval.
pub fn coverage_csv(s: &Scheduled) -> String {
    let mut out = String::from("interval_start,required_agents,scheduled_agents,difference\n");
    for (t, (r, c)) in s.req.required.iter().zip(&s.plan.scheduled).enumerate() {
        let _ = writeln!(out, "{},{},{},{}", s.req.slot_time(t).format("%Y-%m-%d %H:%M"), r, c, *c as f64 - r);
    }
    out
}

/// The summary printed with `--format json`.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub status: String,
    pub objective: f64,
    pub heads: u32,
    pub paid_hours: f64,
    pub cost: f64,
    pub lp_bound: f64,
    pub gap: f64,
    pub solve_seconds: f64,
    pub variables: usize,
    pub constraints: usize,
    pub shortfall_agent_intervals: f64,
    pub surplus_agent_intervals: f64,
}

pub fn summary(s: &Scheduled, cfg: &CentreConfig) -> Summary {
    let p = &s.plan;
    Summary {
        status: p.status.clone(),
        objective: p.objective,
        heads: p.heads,
        paid_hours: p.paid_hours,
        cost: p.paid_hours * cfg.costs.hourly_cost,
        lp_bound: p.lp_bound,
        gap: p.gap,
        solve_seconds: p.solve_seconds,
        variables: p.variables,
        constraints: p.constraints,
        shortfall_agent_intervals: p.shortfall,
        surplus_agent_intervals: p.surplus,
    }
}

pub fn run(a: &ScheduleArgs) -> anyhow::Result<()> {
    let cfg = CentreConfig::load(&a.config)?;
    let per_day = cfg.interval(&a.config)?.per_day();
    let req = load_requirements(&a.requirements, per_day)?;
    let objective = a.objective.unwrap_or(cfg.scheduling.objective);
    let s = schedule(&cfg, &a.config, req, objective)?;
    let mut stage = Staging::new(&a.out)?;
    stage.write("shifts.csv", shifts_csv(&s, &cfg))?;
    stage.write("coverage.csv", coverage_csv(&s))?;
    stage.commit()?;
    let sum = summary(&s, &cfg);
    match a.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&sum)?),
        Format::Text => {
            println!("status      {}", sum.status);
            println!("objective   {:.2} ({:?})", sum.objective, objective);
            println!("LP bound    {:.2} (gap {:.2}%)", sum.lp_bound, sum.gap * 100.0);
            println!(
                "shifts      {} ({:.1} paid hours, cost {:.2} {})",
                sum.heads, sum.paid_hours, sum.cost, cfg.currency
            );
            println!(
                "shortfall   {:.1} agent-intervals; surplus {:.1}",
                sum.shortfall_agent_intervals, sum.surplus_agent_intervals
            );
            println!(
                "model       {} variables, {} constraints, solved in {:.3} s",
                sum.variables, sum.constraints, sum.solve_seconds
            );
            println!("written     {}/shifts.csv, {}/coverage.csv", a.out.display(), a.out.display());
        }
    }
    Ok(())
}
