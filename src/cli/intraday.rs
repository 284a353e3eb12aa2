//! `ringcast intraday`: today's calls so far in; the rest of the day
//! re-forecast, re-staffed and the surprises flagged.

use super::{usage, InputArgs};
use crate::pipeline::intraday::{run_intraday, IntradaySources};
use crate::report::atomic::OutDir;
use crate::report::intraday::{intraday_text, write_intraday, IntradaySummary};
use anyhow::Context;
use chrono::NaiveTime;
use std::path::PathBuf;

/// The intraday update.
#[derive(Debug, clap::Args)]
pub struct IntradayArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Today's calls so far: interval counts or call records of one day of the
    /// planning week, all before `--at`.
    #[arg(long)]
    pub actuals: PathBuf,
    /// The update time, local `HH:MM` on the config's interval grid (default:
    /// the end of the last interval in the actuals).
    #[arg(long)]
    pub at: Option<NaiveTime>,
    /// The plan's output folder: its roster.csv (required) and forecast.csv
    /// (the morning's forecast; refitted when absent).
    #[arg(long, default_value = "out")]
    pub plan: PathBuf,
    /// Agents with contracts and availability (CSV): the overtime offers keep them.
    #[arg(long, env = "RINGCAST_AGENTS", default_value = "data/agents.csv")]
    pub agents: PathBuf,
    /// Most overtime offered to one agent today, hours (0.25..=8).
    #[arg(long, default_value_t = 2.0)]
    pub max_overtime_hours: f64,
    /// Output folder (replaced only when every step succeeded).
    #[arg(long, default_value = "intraday")]
    pub out: PathBuf,
}

pub fn run(a: &IntradayArgs) -> anyhow::Result<()> {
    if !(0.25..=8.0).contains(&a.max_overtime_hours) {
        return Err(usage(format!("--max-overtime-hours {}: expected 0.25 to 8 hours", a.max_overtime_hours)));
    }
    let out = OutDir::claim(&a.out)?;
    let sources = IntradaySources {
        sources: a.inputs.sources(),
        actuals: a.actuals.clone(),
        at: a.at,
        plan: a.plan.clone(),
        agents: a.agents.clone(),
        max_overtime_hours: a.max_overtime_hours,
    };
    let p = run_intraday(&sources)?;
    let summary = IntradaySummary::of(&p);
    for w in &p.warnings {
        eprintln!("warning: {w}");
    }
    let title = format!(
        "Calls per {} minutes on {}: so far, this morning's forecast and the update at {}",
        p.interval.get(),
        p.day.format("%a %d %b %Y"),
        summary.at
    );
    let written = write_intraday(&p, &summary, &title, &out)
        .with_context(|| format!("writing the intraday outputs into {}", a.out.display()))?;
    print!("{}", intraday_text(&p, &summary));
    println!("wrote {} files into {}", written.len(), a.out.display());
    Ok(())
}
