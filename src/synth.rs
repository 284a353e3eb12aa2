//! (in progress)
#[derive(Debug, clap::Args)]
pub struct SynthArgs {}
pub fn run(_: &SynthArgs) -> anyhow::Result<()> {
    anyhow::bail!("not yet")
}
