//! `ringcast staff`: a one-interval calculator, or a whole forecast file.

use super::{flag_of, given, usage, Format};
use crate::error::Error;
use crate::ingest::history::{load_history_with, HistoryOptions};
use crate::ingest::queue_stats::QueueStats;
use crate::ingest::requirements::load_call_series;
use crate::report::atomic::write_file;
use crate::report::tables::{performance_csv, requirements_csv};
use crate::settings::{config_key, Given, Provenance, ResolveError, ServiceCandidates, Settings, Source};
use crate::staff::requirements::requirements;
use crate::staff::{performance_as, required_agents, with_shrinkage, Queue, ServicePolicy, SlDefinition};
use crate::units::{CallsPerInterval, Minutes};
use anyhow::Context;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Agents needed for a service goal. Flags override `--config`'s `[service]`.
#[derive(Debug, clap::Args)]
pub struct StaffArgs {
    /// Calls arriving in the interval (one-interval mode).
    #[arg(long, conflicts_with = "forecast")]
    pub calls: Option<f64>,
    /// A forecast CSV (columns `interval_start`, `expected`; `open` optional): file mode.
    #[arg(long)]
    pub forecast: Option<PathBuf>,
    /// Where file mode writes the requirements CSV.
    #[arg(long, default_value = "requirements.csv")]
    pub out: PathBuf,
    /// Centre configuration whose `[service]` supplies goals not given as flags.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// A history (call records, or interval counts with answered and AHT
    /// columns) whose handle time and patience are used where neither a flag
    /// nor the config sets them.
    #[arg(long)]
    pub history: Option<PathBuf>,
    /// Interval length in minutes (file mode: detected from the file when omitted).
    #[arg(long)]
    pub interval_minutes: Option<f64>,
    /// Average handle time, seconds.
    #[arg(long)]
    pub aht_seconds: Option<f64>,
    /// Service-level target as a fraction (0.8, not 80).
    #[arg(long)]
    pub target_sl: Option<f64>,
    /// Answer-time target, seconds.
    #[arg(long)]
    pub answer_seconds: Option<f64>,
    /// Mean caller patience, seconds: switches to Erlang A.
    #[arg(long)]
    pub patience_seconds: Option<f64>,
    /// Share of paid time off the phones (0..1).
    #[arg(long)]
    pub shrinkage: Option<f64>,
    /// Cap on agent occupancy (0..1).
    #[arg(long)]
    pub max_occupancy: Option<f64>,
    /// Cap on the average speed of answer, seconds.
    #[arg(long)]
    pub max_asa_seconds: Option<f64>,
    /// Cap on the share of callers who abandon (needs patience).
    #[arg(long)]
    pub max_abandon: Option<f64>,
    /// Which callers the service level is a share of.
    #[arg(long, value_enum, default_value_t = SlDefinitionArg::AllCallers)]
    pub sl_definition: SlDefinitionArg,
    /// Agents on the phones: report the service they give (service level,
    /// ASA, abandonment, occupancy) instead of the agents needed.
    #[arg(long)]
    pub agents: Option<u32>,
    /// Lines (trunks, SIP channels) callers must seize before they wait: the
    /// one-interval calculator reports the busy signals too (M/M/N/K+M),
    /// and without --agents finds the agents for the goal given the lines.
    #[arg(long)]
    pub lines: Option<u32>,
    /// Busy-signal target (share of call attempts, e.g. 0.01): find the
    /// fewest lines that keep the busy share at most this, for --agents (or
    /// for the agents the goal needs).
    #[arg(long)]
    pub target_busy: Option<f64>,
    /// Share of callers who hear a busy signal and call again (0..0.95).
    /// Default 0.5, the usual assumption where it is not measured.
    #[arg(long)]
    pub redial_share: Option<f64>,
    /// Output format of the one-interval mode.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Which callers the service level is a share of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SlDefinitionArg {
    /// Answered within the target / all callers (abandoners count as failures).
    AllCallers,
    /// Answered within the target / answered callers.
    AnsweredOnly,
}

impl From<SlDefinitionArg> for SlDefinition {
    fn from(a: SlDefinitionArg) -> Self {
        match a {
            SlDefinitionArg::AllCallers => SlDefinition::AllCallers,
            SlDefinitionArg::AnsweredOnly => SlDefinition::AnsweredOnly,
        }
    }
}

impl StaffArgs {
    /// The service policy, through the library's resolver: each value from
    /// its flag, else the config's `[service]`, else (handle time, patience)
    /// the history, else the default (shrinkage 0, no caps); handle time,
    /// target and answer time have no default here.
    fn policy(&self) -> anyhow::Result<ServicePolicy> {
        let settings = self.config.as_deref().map(Settings::load).transpose()?;
        let learned = self.learned(settings.as_ref())?;
        let mut service = settings.map(|s| s.service_candidates).unwrap_or_default();
        self.offer_flags(&mut service);
        service.aht_seconds.offer(learned.aht.map(|e| Given::learned(e.seconds, e)));
        service.patience_seconds.offer(learned.patience.map(|e| Given::learned(e.seconds, e)));
        service.shrinkage.offer(Some(Given::built_in(0.0)));
        service.min_agents_open.offer(Some(Given::built_in(0)));
        // The target only decides how many agents to search for: with
        // --agents the service they give is reported, whatever the goal.
        if self.agents.is_some() {
            service.target_sl.offer(Some(Given::built_in(UNUSED_TARGET_SL)));
        }
        service.sl_definition = self.sl_definition.into();
        tell_learned(&service.provenance());
        service.resolve().map(|r| r.policy).map_err(|e| self.resolve_error(e))
    }

    /// The service flags given, each named as clap declares it.
    fn offer_flags(&self, c: &mut ServiceCandidates) {
        let flag = |id: &str, value: Option<f64>| given::<Self, _>(id, value, false);
        c.aht_seconds.offer(flag("aht_seconds", self.aht_seconds));
        c.target_sl.offer(flag("target_sl", self.target_sl));
        c.answer_seconds.offer(flag("answer_seconds", self.answer_seconds));
        c.patience_seconds.offer(flag("patience_seconds", self.patience_seconds));
        c.shrinkage.offer(flag("shrinkage", self.shrinkage));
        c.max_occupancy.offer(flag("max_occupancy", self.max_occupancy));
        c.max_asa_seconds.offer(flag("max_asa_seconds", self.max_asa_seconds));
        c.max_abandon.offer(flag("max_abandon", self.max_abandon));
    }

    /// A value missing or broken, named by where it came from: its flag
    /// (with the value), its config key, or (learned, default) the `--config`
    /// key when a config is given, else the flag that would set it.
    fn resolve_error(&self, e: ResolveError) -> anyhow::Error {
        let r = match e {
            ResolveError::Missing { key } => {
                return usage(format!("missing {} (or a --config that sets it)", flag_of::<Self>(key)))
            }
            ResolveError::Rejected(r) => r,
        };
        let used = r.value.map(|v| v.to_string()).unwrap_or_else(|| "(none)".into());
        match (r.source, &self.config) {
            (Source::Flag { name }, _) => usage(format!("{name} {used}: {}", r.message)),
            (Source::File { path, key }, _) => Error::config(path, key, r.message).into(),
            (_, Some(p)) => Error::config(p, config_key(r.key), r.message).into(),
            (_, None) => usage(format!("{} {used}: {}", flag_of::<Self>(r.key), r.message)),
        }
    }

    /// What `--history` says about the queue (nothing without it).
    fn learned(&self, settings: Option<&Settings>) -> anyhow::Result<QueueStats> {
        let Some(path) = &self.history else { return Ok(QueueStats::default()) };
        // The flag's answer time (not the config's) decides what the
        // records count as answered in time.
        let opts = HistoryOptions {
            answer_seconds: self.answer_seconds,
            ..settings.map(|s| s.history_options(None)).unwrap_or_default()
        };
        let (h, warnings) = load_history_with(path, &opts)?;
        for w in warnings {
            eprintln!("warning: {w}");
        }
        Ok(QueueStats::of(&h))
    }

    fn interval(&self) -> anyhow::Result<Option<Minutes>> {
        self.interval_minutes
            .map(|m| {
                let range = crate::limits::CALCULATOR_INTERVAL_MINUTES;
                Minutes::new(m)
                    .ok()
                    .filter(|m| range.contains(m.get()))
                    .ok_or_else(|| usage(format!("--interval-minutes {m}: expected {}", range.expected())))
            })
            .transpose()
    }
}

/// Say which queue values `--history` supplied (neither a flag nor the
/// config set them).
fn tell_learned(p: &Provenance) {
    if let Source::Learned(e) = p.aht_seconds {
        eprintln!("handle time {:.1} s, learned from {:.0} {} calls in --history", e.seconds, e.calls, e.basis);
    }
    if let Source::Learned(e) = p.patience_seconds {
        eprintln!("patience {:.1} s, learned from {:.0} abandoned calls in --history", e.seconds, e.calls);
    }
}

/// The service-level target recorded when `--agents` is given without one:
/// never used, since no agents are searched for.
const UNUSED_TARGET_SL: f64 = 0.8;

/// The JSON of the one-interval calculator.
#[derive(Debug, Serialize)]
struct OneInterval {
    agents: u32,
    agents_with_shrinkage: u32,
    fractional_agents: f64,
    service_level: f64,
    service_level_answered: f64,
    /// `null` when the queue is unstable.
    asa_seconds: Option<f64>,
    occupancy: f64,
    p_wait: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    p_abandon: Option<f64>,
    load_erlangs: f64,
}

pub fn run(a: &StaffArgs) -> anyhow::Result<()> {
    let policy = a.policy()?;
    if a.forecast.is_some() && (a.lines.is_some() || a.target_busy.is_some()) {
        return Err(usage("--lines and --target-busy work on one interval (--calls), not on a --forecast file"));
    }
    match (&a.forecast, a.calls) {
        (Some(f), _) => file_mode(a, &policy, f),
        (None, Some(calls)) => one_interval(a, &policy, calls),
        (None, None) => Err(usage("give --calls for one interval, or --forecast FILE for a whole forecast")),
    }
}

fn one_interval(a: &StaffArgs, policy: &ServicePolicy, calls: f64) -> anyhow::Result<()> {
    let interval = a.interval()?.ok_or_else(|| usage("missing --interval-minutes"))?;
    let range = &crate::limits::CALLS_PER_INTERVAL;
    if !range.contains(calls) {
        return Err(usage(format!("--calls {calls}: expected {}", range.expected())));
    }
    let q = Queue {
        calls: CallsPerInterval::new(calls).map_err(|e| usage(format!("--calls {calls}: {e}")))?,
        interval,
        aht: policy.aht,
        patience: policy.patience,
    };
    let load = q.calls.load(q.interval, q.aht).get();
    if load > crate::limits::MAX_LOAD_ERLANGS {
        return Err(usage(format!(
            "--calls {calls} of {} s in {} minutes: an offered load of {load:.0} Erlangs; ringcast staffs at most {:.0} Erlangs per interval",
            q.aht.get(),
            interval.get(),
            crate::limits::MAX_LOAD_ERLANGS
        )));
    }
    if a.lines.is_some() || a.target_busy.is_some() {
        let request = super::lines::LineRequest {
            agents: given_agents(a)?,
            lines: a.lines,
            target_busy: a.target_busy,
            redial_share: a.redial_share,
            format: a.format,
        };
        return super::lines::one_interval(&request, policy, &q);
    }
    let r = match given_agents(a)? {
        Some(n) => {
            let p = performance_as(&q, n, policy.goal.answer_time, policy.goal.sl_definition);
            crate::staff::Requirement { agents: n, fractional: n as f64, performance: p }
        }
        None => required_agents(&q, &policy.goal),
    };
    let p = r.performance;
    let out = OneInterval {
        agents: r.agents,
        agents_with_shrinkage: with_shrinkage(r.agents, policy.shrinkage),
        fractional_agents: r.fractional,
        service_level: p.service_level,
        service_level_answered: p.service_level_answered,
        asa_seconds: p.asa_seconds.is_finite().then_some(p.asa_seconds),
        occupancy: p.occupancy,
        p_wait: p.p_wait,
        p_abandon: p.p_abandon,
        load_erlangs: q.calls.load(q.interval, q.aht).get(),
    };
    match a.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&out)?),
        Format::Text => print_one_interval(&out, policy, a.agents.is_some()),
    }
    Ok(())
}

fn print_one_interval(out: &OneInterval, policy: &ServicePolicy, given: bool) {
    let model = if policy.patience.is_some() { "Erlang A" } else { "Erlang C" };
    println!("load                 {:.3} Erlangs ({model} model)", out.load_erlangs);
    if given {
        println!("agents on the phones {} (given)", out.agents);
    } else {
        println!("agents on the phones {} (fractional {:.2})", out.agents, out.fractional_agents);
    }
    println!("with shrinkage       {}", out.agents_with_shrinkage);
    println!(
        "service level        {:.1}% answered within {} s",
        out.service_level * 100.0,
        policy.goal.answer_time.get()
    );
    println!(
        "ASA                  {}",
        out.asa_seconds.map(|v| format!("{v:.1} s")).unwrap_or_else(|| "unbounded".into())
    );
    println!("occupancy            {:.1}%", out.occupancy * 100.0);
    println!("P(wait)              {:.4}", out.p_wait);
    if let Some(ab) = out.p_abandon {
        println!("P(abandon)           {:.4}", ab);
    }
}

/// `--agents`, checked against the plausible range.
fn given_agents(a: &StaffArgs) -> anyhow::Result<Option<u32>> {
    match a.agents {
        Some(n) if !crate::limits::AGENTS_PER_INTERVAL.contains(n as f64) => {
            Err(usage(format!("--agents {n}: expected {}", crate::limits::AGENTS_PER_INTERVAL.expected())))
        }
        n => Ok(n),
    }
}

/// What `n` agents on the phones give in every interval of a forecast file.
fn file_performance(a: &StaffArgs, policy: &ServicePolicy, path: &Path, n: u32) -> anyhow::Result<()> {
    let series = load_call_series(path, a.interval()?)?;
    let (rows, share) = crate::staff::requirements::performance_with(&series, n, policy);
    let calls = rows.iter().fold(0.0, |sum, r| sum + r.calls);
    write_file(&a.out, performance_csv(&rows, n)).with_context(|| format!("writing {}", a.out.display()))?;
    let sl = share * 100.0;
    println!(
        "{n} agents on the phones: {sl:.1}% of {calls:.0} calls answered within {} s; written to {}",
        policy.goal.answer_time.get(),
        a.out.display()
    );
    Ok(())
}

fn file_mode(a: &StaffArgs, policy: &ServicePolicy, path: &Path) -> anyhow::Result<()> {
    crate::report::atomic::check_out_file(&a.out)?;
    if let Some(n) = given_agents(a)? {
        return file_performance(a, policy, path, n);
    }
    let series = load_call_series(path, a.interval()?)?;
    let rows = requirements(&series, policy)?;
    write_file(&a.out, requirements_csv(&rows)).with_context(|| format!("writing {}", a.out.display()))?;
    let peak = rows.iter().map(|r| r.requirement.agents).max().unwrap_or(0);
    let minutes = series.interval.get();
    let hours: f64 = rows.iter().map(|r| r.requirement.agents as f64 * minutes / 60.0).sum();
    println!(
        "{} intervals, peak {} agents, {:.1} agent-hours on the phones; written to {}",
        rows.len(),
        peak,
        hours,
        a.out.display()
    );
    Ok(())
}
