//! `plan`, `forecast` and `impact`: compositions of the pipeline's stages.

use super::{usage, InputArgs};
use crate::impact::{ImpactThreshold, DEFAULT_THRESHOLD};
use crate::ingest::agents::{load_agents, load_agents_with_warnings};
use crate::pipeline::{self, WeeklyPlan};
use crate::report::atomic::{check_out_file, write_file, OutDir};
use crate::report::impact::{marketing_summary, write_impact_report};
use crate::report::tables::{fit_report, forecast_csv, requirements_csv};
use crate::report::{summary, weekly, Staging};
use anyhow::Context;
use chrono::Duration;
use std::path::PathBuf;

/// Inputs of the weekly build.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Agents with contracts and availability (CSV).
    #[arg(long, env = "RINGCAST_AGENTS", default_value = "data/agents.csv")]
    pub agents: PathBuf,
    /// Output folder (outputs replace last run's only when every stage succeeded).
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Plan every queue of the history with one roster: agents take the queues
    /// agents.csv lists for them. Each queue's outputs go to `queues/<queue>/`
    /// in `--out`, the centre's roster.csv and summary.json beside them.
    #[arg(long, conflicts_with = "queue")]
    pub all_queues: bool,
    /// With --all-queues: what N more agents on two queues would save. For
    /// every pair of queues, N agents who take one of them only (half from
    /// each) also take the other; the pairs are ranked by the agent-hours
    /// they save (cross_training.csv, the summary). Needs `[routing]` in the
    /// config (docs/skills.md). 1..=100000.
    #[arg(long, value_name = "N", requires = "all_queues", value_parser = clap::value_parser!(u32).range(1..=pipeline::cross_train::MOST_CROSS_TRAINED as i64))]
    pub cross_train: Option<u32>,
}

/// Inputs of a forecast.
#[derive(Debug, clap::Args)]
pub struct ForecastArgs {
    #[command(flatten)]
    pub inputs: InputArgs,
    /// Where to write the forecast CSV.
    #[arg(long, default_value = "forecast.csv")]
    pub out: PathBuf,
    /// Print what was learned about each channel.
    #[arg(long)]
    pub fit_report: bool,
    /// Forecast and staff every queue of the history in parallel; `--out` is
    /// then a folder receiving `forecast_<queue>.csv` and `requirements_<queue>.csv`.
    #[arg(long, conflicts_with = "queue")]
    pub all_queues: bool,
}

/// `ringcast impact`: the weekly build's inputs; writes only the impact outputs.
#[derive(Debug, clap::Args)]
pub struct ImpactArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Flag a line whose extra calls exceed this share of an interval's baseline.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
    pub threshold: f64,
}

/// A spinner on stderr naming the stage; with `RINGCAST_TIMINGS=1` each
/// stage's time is printed too (for tuning).
struct Progress {
    bar: indicatif::ProgressBar,
    timings: bool,
    last: std::cell::Cell<std::time::Instant>,
}

impl Progress {
    fn new() -> Progress {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        Progress {
            bar,
            timings: std::env::var_os("RINGCAST_TIMINGS").is_some(),
            last: std::cell::Cell::new(std::time::Instant::now()),
        }
    }
    fn stage(&self, m: &str) {
        if self.timings {
            eprintln!("[{:>6.3} s] {m}", self.last.get().elapsed().as_secs_f64());
            self.last.set(std::time::Instant::now());
        }
        self.bar.set_message(m.to_string());
    }
}

/// Load, then run every stage of the weekly build.
pub fn build(a: &PlanArgs, threshold: ImpactThreshold, progress: &dyn Fn(&str)) -> anyhow::Result<WeeklyPlan> {
    progress("reading inputs");
    let sources = a.inputs.sources();
    let mut loaded = pipeline::load(&sources)?;
    let (agents, agent_warnings) = load_agents_with_warnings(&a.agents)?;
    loaded.warnings.extend(agent_warnings);
    loaded.warnings.extend(factors_not_used(&agents, &a.agents));
    let (agents, warning) = pipeline::centre::agents_for_one_queue(agents, sources.queue.as_deref());
    if agents.is_empty() {
        return Err(usage(format!(
            "{}: no agent takes queue '{}' (column 'queues'); expected at least one",
            a.agents.display(),
            sources.queue.unwrap_or_default()
        )));
    }
    loaded.warnings.extend(warning);
    // A failure later is often the consequence of what a warning names (a
    // history whose last weeks are silent): the warnings come with the error.
    let warnings = loaded.warnings.clone();
    pipeline::build_week(loaded, agents, threshold, progress).map_err(|e| {
        print_warnings(&warnings);
        e.into()
    })
}

pub fn run_plan(a: &PlanArgs) -> anyhow::Result<()> {
    let t0 = std::time::Instant::now();
    let out = OutDir::claim(&a.out)?;
    let progress = Progress::new();
    if a.all_queues {
        return run_centre(a, &out, &progress, t0);
    }
    let plan = build(a, ImpactThreshold::default(), &|m| progress.stage(m))?;
    let summary = summary::summary(&plan);
    progress.stage("writing outputs");
    let written = weekly::write_all(&plan, &summary, &out)?;
    progress.bar.finish_and_clear();
    print_warnings(&plan.loaded.warnings);
    print!("{}", summary::text_summary(&plan, &summary));
    println!("outputs: {} files in {} ({:.1} s)", written.len(), a.out.display(), t0.elapsed().as_secs_f64());
    Ok(())
}

/// `plan --all-queues`: every queue of the history, one roster.
fn run_centre(a: &PlanArgs, out: &OutDir, progress: &Progress, t0: std::time::Instant) -> anyhow::Result<()> {
    progress.stage("reading inputs");
    let format = crate::settings::Settings::load(&a.inputs.config)?.history_format;
    let names = crate::ingest::history::queues(&a.inputs.history, &format)?;
    let mut agents = load_agents(&a.agents)?;
    if !names.is_empty() {
        crate::ingest::agents::resolve_queues(&mut agents, &names, &a.agents)?;
    }
    let threshold = ImpactThreshold::default();
    let centre = pipeline::centre::build_centre(&a.inputs.sources(), &names, agents, a.cross_train, threshold, &|m| {
        progress.stage(m)
    })?;
    progress.stage("writing outputs");
    let (summary, written) = crate::report::centre::write_centre(&centre, out)?;
    progress.bar.finish_and_clear();
    let mut seen = std::collections::BTreeSet::new();
    for (name, p) in centre.names.iter().zip(&centre.queues) {
        let fresh: Vec<String> = p
            .loaded
            .warnings
            .iter()
            .filter(|w| seen.insert(w.to_string()))
            .map(|w| format!("queue {name}: {w}"))
            .collect();
        print_warnings(&fresh);
    }
    if centre.skills.is_none() {
        print_warnings(&factors_not_used(&centre.agents, &a.agents));
    }
    print!("{}", crate::report::centre::centre_text(&summary));
    println!("outputs: {} files in {} ({:.1} s)", written.len(), a.out.display(), t0.elapsed().as_secs_f64());
    Ok(())
}

pub fn run_impact(a: &ImpactArgs) -> anyhow::Result<()> {
    if a.plan.all_queues {
        return Err(usage(
            "impact --all-queues: impact assesses one queue; use plan --all-queues (each queue's impact.csv is in queues/<queue>/) or impact --queue NAME",
        ));
    }
    let threshold = ImpactThreshold::new(a.threshold).map_err(|m| usage(format!("--threshold: {m}")))?;
    let out = OutDir::claim(&a.plan.out)?;
    let plan = build(&a.plan, threshold, &|_| {})?;
    let st = Staging::new(&out)?;
    write_impact_report(&plan, &st)?;
    st.commit()?;
    print_warnings(&plan.loaded.warnings);
    print!("{}", marketing_summary(&plan));
    println!("outputs: report.html, impact.csv, impact_campaigns.csv, charts/impact.png in {}", a.plan.out.display());
    Ok(())
}

pub fn run_forecast(a: &ForecastArgs) -> anyhow::Result<()> {
    if a.all_queues {
        let out = OutDir::claim(&a.out)?;
        return run_all_queues(a, &out);
    }
    check_out_file(&a.out)?;
    let loaded = pipeline::load(&a.inputs.sources())?;
    print_warnings(&loaded.warnings);
    let (fitted, fc) = pipeline::forecast(&loaded)?;
    fc.series()?;
    write_file(&a.out, forecast_csv(&fc)).with_context(|| format!("writing {}", a.out.display()))?;
    if a.fit_report {
        print!("{}", fit_report(&fitted));
        print!("{}", crate::report::tables::calendar_days_text(&fc));
    }
    let base: f64 = fc.baseline.sum();
    let up: f64 = fc.total_uplift().sum();
    let parts = if loaded.plan.lines.is_empty() {
        "no campaign part: the media plan has no lines".to_string()
    } else {
        format!("{base:.0} baseline + {up:.0} from campaigns")
    };
    println!(
        "forecast {} .. {}: {:.0} calls ({parts}); written to {}",
        loaded.week,
        loaded.week + Duration::days(6),
        base + up,
        a.out.display()
    );
    Ok(())
}

/// Every queue of the history: forecast and staffing (`pipeline::centre::forecast_queues`).
fn run_all_queues(a: &ForecastArgs, out: &OutDir) -> anyhow::Result<()> {
    let format = crate::settings::Settings::load(&a.inputs.config)?.history_format;
    let names = crate::ingest::history::queues(&a.inputs.history, &format)?;
    if names.is_empty() {
        return Err(usage(format!("--all-queues: {} has no 'queue' column", a.inputs.history.display())));
    }
    let queues = pipeline::centre::forecast_queues(&a.inputs.sources(), &names)?;
    let st = Staging::new(out)?;
    for pipeline::centre::QueueForecast { name: q, forecast: fc, requirements: req } in queues {
        let safe = crate::ingest::history::output_name(&q);
        st.write(&format!("forecast_{safe}.csv"), forecast_csv(&fc))?;
        st.write(&format!("requirements_{safe}.csv"), requirements_csv(&req))?;
        let peak = req.iter().map(|r| r.requirement.agents).max().unwrap_or(0);
        println!("queue {q}: {:.0} calls forecast, peak {peak} agents on the phones", fc.total.sum());
    }
    st.commit()?;
    println!("written to {}", a.out.display());
    Ok(())
}

/// The handle-time factors agents.csv gives, named where the skills model
/// (which alone reads them) does not plan.
fn factors_not_used(agents: &[crate::schedule::roster::Agent], path: &std::path::Path) -> Vec<String> {
    let listed = agents.iter().filter(|a| !a.handle_time_factor_names.is_empty()).count();
    if listed == 0 {
        return Vec::new();
    }
    vec![format!(
        "{}: column 'handle_time_factors' ({listed} agents) is read by the skills model only (`plan --all-queues` with [routing] in the config, agents on several queues); this plan does not use it",
        path.display()
    )]
}

fn print_warnings(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}
