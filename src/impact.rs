//! Campaign impact (in progress).
use crate::plan::WeeklyPlan;
use crate::report::Staging;

/// Inputs of the impact report.
#[derive(Debug, clap::Args)]
pub struct ImpactArgs {}
pub fn run(_: &ImpactArgs) -> anyhow::Result<()> {
    anyhow::bail!("not yet")
}

pub fn write_outputs(_: &WeeklyPlan, _: &mut Staging) -> anyhow::Result<()> {
    Ok(())
}
