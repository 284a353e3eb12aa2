//! The command line: clap types only. Each subcommand resolves its arguments into
//! the stage's own settings and calls the library; nothing here computes.
//!
//! Precedence for shared inputs is CLI flag > environment variable (`RINGCAST_*`)
//! > the bundled default under `data/`, resolved once by clap.

use crate::error::EXIT_USER_ERROR;
use clap::{Parser, Subcommand};

/// Campaign-aware call forecasts, Erlang staffing and shift rosters for contact centres.
#[derive(Debug, Parser)]
#[command(
    name = "ringcast",
    version,
    about,
    after_help = "Quick start on the bundled sample:\n  ringcast plan                 # forecast, staff and roster next week into out/\n  ringcast impact --media-plan data/media_plan_next_week.csv\n  ringcast synth --seed 7 --out data/"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The weekly build: forecast → staff → schedule → coverage → charts.
    #[command(after_help = "Example:\n  ringcast plan --week 2026-11-23 --out out/")]
    Plan(crate::plan::PlanArgs),
    /// Forecast calls per interval for a period, with campaign uplift and intervals.
    #[command(
        after_help = "Example:\n  ringcast forecast --history data/history.csv --media data/media_history.csv \\\n    --media-plan data/media_plan_next_week.csv --out forecast.csv --fit-report"
    )]
    Forecast(crate::plan::ForecastArgs),
    /// Rolling-origin evaluation of the forecast against simple baselines.
    #[command(
        after_help = "Example:\n  ringcast backtest --history ../shared/data/us_bank_2003_5min.csv --from 2003-07-25 \\\n    --to 2003-10-24 --window-days 100 --horizon-days 1 --format json"
    )]
    Backtest(crate::forecast::backtest::BacktestArgs),
    /// Agents needed per interval (Erlang C, or Erlang A with patience).
    #[command(
        after_help = "Example:\n  ringcast staff --calls 100 --interval-minutes 30 --aht-seconds 180 --target-sl 0.8 \\\n    --answer-seconds 20 --format json"
    )]
    Staff(crate::staff::cli::StaffArgs),
    /// Shifts and rosters by integer programming.
    #[command(
        after_help = "Example:\n  ringcast schedule --requirements benches/data/week_7x96_requirements.csv \\\n    --config benches/data/instance_b.toml --objective heads --format json"
    )]
    Schedule(crate::schedule::cli::ScheduleArgs),
    /// What each media-plan line does to the phones, and what answering costs.
    #[command(after_help = "Example:\n  ringcast impact --media-plan data/media_plan_next_week.csv")]
    Impact(crate::impact::ImpactArgs),
    /// Validate input files and summarise them, without running anything.
    #[command(
        after_help = "Examples:\n  ringcast check --history data/history.csv --config data/centre.toml\n  ringcast check --media data/media_plan_next_week.csv --format json"
    )]
    Check(crate::check::CheckArgs),
    /// Generate the sample centre (history, media plans, agents, config, ground truth).
    #[command(after_help = "Example:\n  ringcast synth --seed 7 --out data/")]
    Synth(crate::synth::SynthArgs),
}

/// How a subcommand prints its summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A readable table.
    Text,
    /// JSON for scripts.
    Json,
}

/// Run the CLI; returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            EXIT_USER_ERROR
        }
    }
}

/// Dispatch a parsed command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Plan(a) => crate::plan::run_plan(&a),
        Command::Forecast(a) => crate::plan::run_forecast(&a),
        Command::Backtest(a) => crate::forecast::backtest::run(&a),
        Command::Staff(a) => crate::staff::cli::run(&a),
        Command::Schedule(a) => crate::schedule::cli::run(&a),
        Command::Impact(a) => crate::impact::run(&a),
        Command::Synth(a) => crate::synth::run(&a),
        Command::Check(a) => crate::check::run(&a),
    }
}
