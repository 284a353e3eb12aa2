//! `ringcast synth`: write the sample centre.

use crate::report::Staging;
use crate::synth::{generate, SynthOptions};
use anyhow::Context;
use chrono::NaiveDate;
use std::path::PathBuf;

/// Generate the sample centre.
#[derive(Debug, Clone, clap::Args)]
pub struct SynthArgs {
    /// Random seed; the same seed writes byte-identical files.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Output folder.
    #[arg(long, default_value = "data")]
    pub out: PathBuf,
    /// Weeks of history ending the Sunday before the planning week (1..=520).
    #[arg(long, default_value_t = 104, value_parser = clap::value_parser!(u32).range(1..=520))]
    pub weeks: u32,
    /// Monday of the planning week (the week after the history).
    #[arg(long, default_value = "2026-11-23")]
    pub week: NaiveDate,
    /// Number of agents in agents.csv.
    #[arg(long, default_value_t = 150)]
    pub agents: usize,
}

/// Write the sample into `--out`, all files or none.
pub fn run(a: &SynthArgs) -> anyhow::Result<()> {
    let out = crate::report::atomic::OutDir::claim(&a.out)?;
    let sample = generate(&SynthOptions { seed: a.seed, weeks: a.weeks, week: a.week, agents: a.agents })?;
    let mut staging = Staging::new(&out)?;
    for (name, text) in &sample.files {
        staging.write(name, text)?;
    }
    let written = staging.commit().with_context(|| format!("writing the sample into {}", a.out.display()))?;
    for w in written {
        println!("wrote {}", w.display());
    }
    Ok(())
}
