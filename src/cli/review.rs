//! `ringcast review`: after the week, what each media line drove, what its
//! calls cost in media, how many the centre answered and lost, and how the
//! responses change once the week is learned.

use super::InputArgs;
use crate::pipeline::review::{run_review, ReviewSources};
use crate::report::atomic::OutDir;
use crate::report::review::{review_summary, write_review};
use crate::report::Staging;
use anyhow::Context;
use std::path::PathBuf;

/// The review after the week.
#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// The week's calls: interval counts or call records of the planning
    /// week, in the history's formats (answered and abandoned where present).
    #[arg(long)]
    pub actuals: PathBuf,
    /// The lines as they aired: a media plan's columns, matched to the plan by
    /// `id` (empty id: aired without being planned).
    #[arg(long)]
    pub as_run: Option<PathBuf>,
    /// The published plan's output folder (impact.csv, forecast.csv,
    /// coverage.csv): the forecast shown, and the agents on the phones for
    /// answered and lost calls. Without it the forecast is refitted.
    #[arg(long)]
    pub plan: Option<PathBuf>,
    /// Agents (CSV): without `--plan` and without answered/abandoned in the
    /// actuals, the week's roster is built from them to model answered and lost calls.
    #[arg(long)]
    pub agents: Option<PathBuf>,
    /// Output folder (replaced only when every step succeeded).
    #[arg(long, default_value = "review")]
    pub out: PathBuf,
}

pub fn run(a: &ReviewArgs) -> anyhow::Result<()> {
    let out = OutDir::claim(&a.out)?;
    let sources = ReviewSources {
        sources: a.inputs.sources(),
        actuals: a.actuals.clone(),
        as_run: a.as_run.clone(),
        plan: a.plan.clone(),
        agents: a.agents.clone(),
    };
    let r = run_review(&sources)?;
    for w in &r.warnings {
        eprintln!("warning: {w}");
    }
    let staging = Staging::new(&out)?;
    write_review(&staging, &r)?;
    let written = staging.commit().with_context(|| format!("writing the review into {}", a.out.display()))?;
    print!("{}", review_summary(&r));
    println!("wrote {} files into {}", written.len(), a.out.display());
    Ok(())
}
