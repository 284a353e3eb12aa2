//! `ringcast schedule`: requirements CSV + centre config → shifts and coverage CSVs.

use super::Format;
use crate::ingest::requirements::load_requirements;
use crate::report::tables::{schedule_coverage_csv, shifts_csv};
use crate::report::Staging;
use crate::schedule::week::{schedule, Scheduled};
use crate::schedule::Objective;
use crate::settings::{Costs, Settings};
use serde::Serialize;
use std::path::PathBuf;

/// Shifts for a requirements file.
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
    pub objective: Option<ObjectiveArg>,
    /// Output folder for shifts.csv and coverage.csv.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Summary format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// What the coverage model minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ObjectiveArg {
    /// Number of shifts, full coverage.
    Heads,
    /// Paid hours × hourly cost, full coverage.
    PaidHours,
    /// Σ |scheduled − required| over intervals; coverage is soft.
    AbsDeviation,
}

impl From<ObjectiveArg> for Objective {
    fn from(a: ObjectiveArg) -> Self {
        match a {
            ObjectiveArg::Heads => Objective::Heads,
            ObjectiveArg::PaidHours => Objective::PaidHours,
            ObjectiveArg::AbsDeviation => Objective::AbsDeviation,
        }
    }
}

/// The summary printed with `--format json`.
#[derive(Debug, Serialize)]
struct Summary {
    status: String,
    objective: f64,
    heads: u32,
    paid_hours: f64,
    cost: f64,
    lp_bound: f64,
    gap: f64,
    solve_seconds: f64,
    variables: usize,
    constraints: usize,
    shortfall_agent_intervals: f64,
    surplus_agent_intervals: f64,
}

fn summary(s: &Scheduled, costs: &Costs) -> Summary {
    let p = &s.plan;
    Summary {
        status: p.status.to_string(),
        objective: p.objective,
        heads: p.heads,
        paid_hours: p.paid_hours,
        cost: p.paid_hours * costs.hourly.get(),
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
    let out = crate::report::atomic::OutDir::claim(&a.out)?;
    let settings = Settings::load(&a.config)?;
    let req = load_requirements(&a.requirements, &settings.calendar, settings.service.shrinkage)?;
    let objective = a.objective.map(Objective::from).unwrap_or(settings.scheduling.objective);
    let s = schedule(&settings.scheduling, &settings.calendar, req, objective).map_err(crate::error::Error::from)?;
    let stage = Staging::new(&out)?;
    stage.write("shifts.csv", shifts_csv(&s, &settings.scheduling, settings.costs.hourly))?;
    stage.write("coverage.csv", schedule_coverage_csv(&s))?;
    stage.commit()?;
    let sum = summary(&s, &settings.costs);
    match a.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&sum)?),
        Format::Text => {
            println!("status      {}", sum.status);
            println!("objective   {:.2} ({:?})", sum.objective, objective);
            println!("LP bound    {:.2} (gap {:.2}%)", sum.lp_bound, sum.gap * 100.0);
            println!(
                "shifts      {} ({:.1} paid hours, cost {:.2} {})",
                sum.heads, sum.paid_hours, sum.cost, settings.costs.currency
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
