//! (placeholder until the backtest lands)
/// Placeholder.
#[derive(Debug, clap::Args)]
pub struct BacktestArgs {}
pub fn run(_: &BacktestArgs) -> anyhow::Result<()> {
    anyhow::bail!("backtest not merged yet")
}
