//! Campaign impact (in progress).
/// Inputs of the impact report.
#[derive(Debug, clap::Args)]
pub struct ImpactArgs {}
pub fn run(_: &ImpactArgs) -> anyhow::Result<()> {
    anyhow::bail!("not yet")
}
