//! The weekly build (in progress).
use std::path::PathBuf;

/// Inputs of the weekly build.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
}
/// Inputs of a forecast.
#[derive(Debug, clap::Args)]
pub struct ForecastArgs {}
pub fn run_plan(_: &PlanArgs) -> anyhow::Result<()> {
    anyhow::bail!("not yet")
}
pub fn run_forecast(_: &ForecastArgs) -> anyhow::Result<()> {
    anyhow::bail!("not yet")
}
