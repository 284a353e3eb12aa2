//! (placeholder until the staffing engine lands)
pub mod cli {
    /// Placeholder.
    #[derive(Debug, clap::Args)]
    pub struct StaffArgs {}
    pub fn run(_: &StaffArgs) -> anyhow::Result<()> {
        anyhow::bail!("staffing engine not merged yet")
    }
}
