//! The command line: every clap type and the command dispatch, nothing else
//! computes here. Each command resolves its flags into the library's typed
//! inputs (paths into [`Sources`], service flags over the config's values into
//! a [`crate::staff::ServicePolicy`]) once, calls the pipeline's stages, and
//! prints.
//!
//! Precedence for every setting: CLI flag > environment variable
//! (`RINGCAST_*`) > the centre config file > the history > the built-in
//! default. The service values are ranked once, by the library's resolver
//! ([`crate::settings::ServiceCandidates`]): this module only says which flag
//! or variable gave each value.
//!
//! Exit codes: 0 success; 2 bad input, config or flag; 3 a plan that cannot be
//! built as asked (uncoverable interval, no solution); 1 internal error or a
//! failure to write outputs. See [`crate::error`].

mod backtest;
mod check;
mod intraday;
mod lines;
mod plan;
mod review;
mod schedule;
mod simulate;
mod staff;
mod synth;

use crate::error::exit_code_of;
use crate::pipeline::Sources;
use chrono::NaiveDate;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::path::PathBuf;

pub use plan::{ForecastArgs, ImpactArgs, PlanArgs};

/// The exit codes, as `--help` lists them (a macro so that `concat!` takes it).
macro_rules! exit_codes_help {
    () => {
        "Exit codes:\n  0  success\n  2  bad input file, config key or flag (the message names file, row, column or key)\n  3  the plan cannot be built as asked (an interval no shift can cover, no solution found)\n  1  internal error, or the outputs could not be written"
    };
}
#[cfg(test)]
const EXIT_CODES_HELP: &str = exit_codes_help!();

/// Campaign-aware call forecasts, Erlang staffing and shift rosters for contact centres.
#[derive(Debug, Parser)]
#[command(
    name = "ringcast",
    version,
    about,
    after_help = concat!(
        "Quick start on the bundled sample:\n  ringcast plan                 # forecast, staff and roster next week into out/\n  ringcast impact --media-plan data/media_plan_next_week.csv\n  ringcast synth --seed 7 --out data/\n\n",
        exit_codes_help!()
    )
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The weekly build: forecast → staff → schedule → coverage → impact → charts.
    #[command(after_help = "Example:\n  ringcast plan --week 2026-11-23 --out out/")]
    Plan(PlanArgs),
    /// Forecast calls per interval for a period, with campaign uplift and intervals.
    #[command(
        after_help = "Example:\n  ringcast forecast --history data/history.csv --media data/media_history.csv \\\n    --media-plan data/media_plan_next_week.csv --out forecast.csv --fit-report"
    )]
    Forecast(ForecastArgs),
    /// Rolling-origin evaluation of the forecast against simple baselines.
    #[command(
        after_help = "Example:\n  ringcast backtest --history ../shared/data/us_bank_2003_5min.csv --from 2003-07-25 \\\n    --to 2003-10-24 --window-days 100 --horizon-days 1 --format json"
    )]
    Backtest(backtest::BacktestArgs),
    /// Agents needed per interval (Erlang C, or Erlang A with patience).
    #[command(
        after_help = "Example:\n  ringcast staff --calls 100 --interval-minutes 30 --aht-seconds 180 --target-sl 0.8 \\\n    --answer-seconds 20 --format json"
    )]
    Staff(staff::StaffArgs),
    /// Shifts and rosters by integer programming.
    #[command(
        after_help = "Example:\n  ringcast schedule --requirements benches/data/week_7x96_requirements.csv \\\n    --config benches/data/instance_b.toml --objective heads --format json"
    )]
    Schedule(schedule::ScheduleArgs),
    /// What each media-plan line does to the phones, and what answering costs.
    #[command(after_help = "Example:\n  ringcast impact --media-plan data/media_plan_next_week.csv")]
    Impact(ImpactArgs),
    /// Today's calls so far in: the rest of the day re-forecast and re-staffed, surprises flagged.
    #[command(
        after_help = "Example:\n  ringcast plan --out out/\n  ringcast intraday --actuals data/today.csv --plan out/ --out intraday/"
    )]
    Intraday(intraday::IntradayArgs),
    /// After the week: what each media line drove, its media cost per call, the calls answered and lost.
    #[command(
        after_help = "Example:\n  ringcast plan --out out/\n  ringcast review --actuals data/week_actuals.csv --plan out/ --out review/"
    )]
    Review(review::ReviewArgs),
    /// Validate input files and summarise them, without running anything.
    #[command(
        after_help = "Examples:\n  ringcast check --history data/history.csv --config data/centre.toml\n  ringcast check --media data/media_plan_next_week.csv --format json"
    )]
    Check(check::CheckArgs),
    /// Simulate a week's calls against the agents on the phones (a plan's coverage.csv).
    #[command(
        after_help = "Example:\n  ringcast plan --out out/\n  ringcast simulate --coverage out/coverage.csv --replications 1000 --out simulation.csv"
    )]
    Simulate(simulate::SimulateArgs),
    /// Generate the sample centre (history, media plans, agents, config, ground truth).
    #[command(after_help = "Example:\n  ringcast synth --seed 7 --out data/")]
    Synth(synth::SynthArgs),
}

/// How a subcommand prints its summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A readable table.
    Text,
    /// JSON for scripts.
    Json,
}

/// Input files shared by `plan`, `forecast` and `impact`.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// Call history: interval counts (CSV).
    #[arg(long, env = "RINGCAST_HISTORY", default_value = "data/history.csv")]
    pub history: PathBuf,
    /// Past media plans, for learning each channel's response (CSV). No
    /// campaigns: `--media ""`, an empty file or a header alone.
    #[arg(long, env = "RINGCAST_MEDIA", default_value = "data/media_history.csv", value_parser = path_or_none)]
    pub media: PathBuf,
    /// Next period's media plan, as marketing submits it (CSV). No campaigns:
    /// `--media-plan ""`, an empty file or a header alone.
    #[arg(long, env = "RINGCAST_MEDIA_PLAN", default_value = "data/media_plan_next_week.csv", value_parser = path_or_none)]
    pub media_plan: PathBuf,
    /// Centre configuration (TOML).
    #[arg(long, env = "RINGCAST_CONFIG", default_value = "data/centre.toml")]
    pub config: PathBuf,
    /// First day of the week to plan, the config's `week_start` weekday
    /// (default: the week after the history ends).
    #[arg(long, value_parser = iso_date)]
    pub week: Option<NaiveDate>,
    /// Queue to read when the history holds several.
    #[arg(long)]
    pub queue: Option<String>,
    #[command(flatten)]
    pub what_if: WhatIfArgs,
}

/// A what-if on the service: each flag wins over its environment variable,
/// which wins over the config file.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct WhatIfArgs {
    /// Service-level target as a fraction (0.8, not 80).
    #[arg(long, env = "RINGCAST_TARGET_SL")]
    pub target_sl: Option<f64>,
    /// Answer-time target, seconds.
    #[arg(long, env = "RINGCAST_ANSWER_SECONDS")]
    pub answer_seconds: Option<f64>,
    /// Share of paid time off the phones (0.3, not 30).
    #[arg(long, env = "RINGCAST_SHRINKAGE")]
    pub shrinkage: Option<f64>,
    /// Average handle time, seconds (over the config and the history).
    #[arg(long, env = "RINGCAST_AHT_SECONDS")]
    pub aht_seconds: Option<f64>,
    /// Mean caller patience, seconds (Erlang A).
    #[arg(long, env = "RINGCAST_PATIENCE_SECONDS")]
    pub patience_seconds: Option<f64>,
    /// What the target is answered for: every interval, each day, or the week.
    #[arg(long, value_enum, env = "RINGCAST_GOAL")]
    pub goal: Option<GoalArg>,
    /// The fields whose value clap read from the environment rather than the
    /// command line (noted from the parse by [`Cli::note_environment`]), so
    /// that a message names the variable the planner set.
    #[arg(skip)]
    pub from_environment: Vec<String>,
}

/// `--goal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GoalArg {
    Interval,
    Day,
    Week,
}

impl From<GoalArg> for crate::settings::GoalScope {
    fn from(g: GoalArg) -> Self {
        use crate::settings::GoalScope;
        match g {
            GoalArg::Interval => GoalScope::Interval,
            GoalArg::Day => GoalScope::Day,
            GoalArg::Week => GoalScope::Week,
        }
    }
}

impl WhatIfArgs {
    /// The what-if's values, each with the flag or variable that gave it.
    fn overrides(&self) -> crate::settings::ServiceOverrides {
        crate::settings::ServiceOverrides {
            target_sl: self.given("target_sl", self.target_sl),
            answer_seconds: self.given("answer_seconds", self.answer_seconds),
            shrinkage: self.given("shrinkage", self.shrinkage),
            aht_seconds: self.given("aht_seconds", self.aht_seconds),
            patience_seconds: self.given("patience_seconds", self.patience_seconds),
            goal: self.given("goal", self.goal.map(Into::into)),
        }
    }

    fn given<T>(&self, id: &str, value: Option<T>) -> Option<crate::settings::Given<T>> {
        given::<Self, _>(id, value, self.from_environment.iter().any(|f| f == id))
    }
}

/// A value clap holds for the field `id` of `A`, with where it came from:
/// its environment variable when clap read it from there, else its flag.
/// Both names are the ones clap declares.
fn given<A: clap::Args, T>(id: &str, value: Option<T>, from_environment: bool) -> Option<crate::settings::Given<T>> {
    use crate::settings::Given;
    let value = value?;
    let var = declared::<A>(id).and_then(|a| a.get_env().map(|v| v.to_string_lossy().into_owned()));
    match var {
        Some(var) if from_environment => Some(Given::environment(value, var)),
        _ => Some(Given::flag(value, flag_of::<A>(id))),
    }
}

/// The flag clap declares for the field `id` of `A` (`--target-sl`); a field
/// without one is set in the config (`--config`).
fn flag_of<A: clap::Args>(id: &str) -> String {
    declared::<A>(id).and_then(|a| a.get_long().map(|l| format!("--{l}"))).unwrap_or_else(|| "--config".into())
}

/// The argument clap declares for the field `id` of `A`.
fn declared<A: clap::Args>(id: &str) -> Option<clap::Arg> {
    A::augment_args(clap::Command::new("ringcast")).get_arguments().find(|a| a.get_id() == id).cloned()
}

impl InputArgs {
    /// Where the pipeline reads its inputs.
    pub fn sources(&self) -> Sources {
        Sources {
            history: self.history.clone(),
            media: self.media.clone(),
            media_plan: self.media_plan.clone(),
            config: self.config.clone(),
            week: self.week,
            queue: self.queue.clone(),
            overrides: self.what_if.overrides(),
        }
    }
}

impl Cli {
    /// Note which what-if values clap read from the environment
    /// (`ArgMatches::value_source`), for messages that name where a value
    /// came from.
    fn note_environment(&mut self, matches: &clap::ArgMatches) {
        let (Some(what_if), Some((_, sub))) = (self.command.what_if_mut(), matches.subcommand()) else { return };
        let ids = <WhatIfArgs as clap::Args>::augment_args(clap::Command::new("ringcast"));
        what_if.from_environment = ids
            .get_arguments()
            .map(|a| a.get_id().as_str())
            .filter(|id| sub.value_source(id) == Some(clap::parser::ValueSource::EnvVariable))
            .map(String::from)
            .collect();
    }
}

impl Command {
    /// The what-if flags of the commands that run the weekly build.
    fn what_if_mut(&mut self) -> Option<&mut WhatIfArgs> {
        match self {
            Command::Plan(a) => Some(&mut a.inputs.what_if),
            Command::Forecast(a) => Some(&mut a.inputs.what_if),
            Command::Impact(a) => Some(&mut a.plan.inputs.what_if),
            Command::Intraday(a) => Some(&mut a.inputs.what_if),
            Command::Review(a) => Some(&mut a.inputs.what_if),
            _ => None,
        }
    }
}

/// Run the CLI; returns the process exit code.
pub fn main() -> i32 {
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    cli.note_environment(&matches);
    match run(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            exit_code_of(&e)
        }
    }
}

/// Dispatch a parsed command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Plan(a) => plan::run_plan(&a),
        Command::Forecast(a) => plan::run_forecast(&a),
        Command::Backtest(a) => backtest::run(&a),
        Command::Staff(a) => staff::run(&a),
        Command::Schedule(a) => schedule::run(&a),
        Command::Impact(a) => plan::run_impact(&a),
        Command::Synth(a) => synth::run(&a),
        Command::Simulate(a) => simulate::run(&a),
        Command::Check(a) => check::run(&a),
        Command::Intraday(a) => intraday::run(&a),
        Command::Review(a) => review::run(&a),
    }
}

/// A date flag: `YYYY-MM-DD` only (`23/11/2026` is day- or month-first).
pub(crate) fn iso_date(s: &str) -> Result<NaiveDate, String> {
    crate::ingest::table::parse_date(s).ok_or_else(|| {
        format!(
            "got '{}', expected a date written YYYY-MM-DD (e.g. 2026-11-23) in the years 1970 to 2200",
            crate::error::shortened(s)
        )
    })
}

/// A path flag that may be given empty (`--media ""`: no file).
fn path_or_none(s: &str) -> Result<PathBuf, String> {
    Ok(PathBuf::from(s))
}

/// A flag error (exit 2).
pub(crate) fn usage(message: impl Into<String>) -> anyhow::Error {
    crate::error::Error::usage(message).into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn help_documents_the_exit_codes() {
        use clap::CommandFactory;
        let help = super::Cli::command().render_long_help().to_string();
        assert!(help.contains(super::EXIT_CODES_HELP), "{help}");
    }
}
