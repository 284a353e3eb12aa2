//! (in progress: the scheduling engine replaces this placeholder)
use serde::{Deserialize, Serialize};

/// Placeholder until the scheduling engine lands.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SchedulingConfig {}

impl SchedulingConfig {
    pub fn validate(&self) -> Result<(), String> {
        Ok(())
    }
}
pub mod cli {
    /// Placeholder.
    #[derive(Debug, clap::Args)]
    pub struct ScheduleArgs {}
    pub fn run(_: &ScheduleArgs) -> anyhow::Result<()> {
        anyhow::bail!("scheduling engine not merged yet")
    }
}
