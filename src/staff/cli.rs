//! `ringcast staff`: a one-interval calculator, or a whole forecast file.

use super::{performance_as, required_agents, with_shrinkage, Queue, Requirement, ServiceGoal, SlDefinition};
use crate::cli::Format;
use crate::config::CentreConfig;
use crate::error::InputError;
use crate::ingest::table::{sheet_row, Table};
use crate::report::atomic::write_file;
use crate::units::{CallsPerInterval, Fraction, Minutes, Seconds};
use anyhow::Context;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;

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
    #[arg(long, value_enum, default_value_t = SlDefinition::AllCallers)]
    pub sl_definition: SlDefinition,
    /// Output format of the one-interval mode.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// The resolved settings of a staffing run.
struct Settings {
    aht: Seconds,
    patience: Option<Seconds>,
    shrinkage: Fraction,
    goal: ServiceGoal,
    min_open: u32,
}

fn flag_fraction(name: &str, v: f64) -> anyhow::Result<Fraction> {
    Fraction::new(v).map_err(|e| anyhow::anyhow!("--{name} {v}: {e}"))
}

fn flag_seconds(name: &str, v: f64) -> anyhow::Result<Seconds> {
    Seconds::new(v).map_err(|e| anyhow::anyhow!("--{name} {v}: {e}"))
}

impl StaffArgs {
    fn settings(&self) -> anyhow::Result<Settings> {
        let svc = match &self.config {
            Some(p) => Some(CentreConfig::load(p)?.service(p)?),
            None => None,
        };
        let need = |flag: Option<f64>, from_cfg: Option<f64>, name: &str| {
            flag.or(from_cfg).ok_or_else(|| anyhow::anyhow!("missing --{name} (or a --config that sets it)"))
        };
        let aht = flag_seconds("aht-seconds", need(self.aht_seconds, svc.map(|s| s.aht.get()), "aht-seconds")?)?;
        if aht.get() <= 0.0 {
            anyhow::bail!("--aht-seconds must be above 0");
        }
        let target = flag_fraction("target-sl", need(self.target_sl, svc.map(|s| s.target_sl.get()), "target-sl")?)?;
        let answer = flag_seconds(
            "answer-seconds",
            need(self.answer_seconds, svc.map(|s| s.answer_time.get()), "answer-seconds")?,
        )?;
        let patience = self
            .patience_seconds
            .map(|v| flag_seconds("patience-seconds", v))
            .transpose()?
            .or(svc.and_then(|s| s.patience));
        let shrinkage = match self.shrinkage {
            Some(v) => flag_fraction("shrinkage", v)?,
            None => svc.map(|s| s.shrinkage).unwrap_or(Fraction::ZERO),
        };
        if shrinkage.get() >= 0.95 {
            anyhow::bail!("--shrinkage {} leaves almost no time on the phones; expected below 0.95", shrinkage.get());
        }
        let max_occupancy = match self.max_occupancy {
            Some(v) => Some(flag_fraction("max-occupancy", v)?),
            None => svc.and_then(|s| s.max_occupancy),
        };
        let max_asa = match self.max_asa_seconds {
            Some(v) => Some(flag_seconds("max-asa-seconds", v)?),
            None => svc.and_then(|s| s.max_asa),
        };
        let max_abandon = match self.max_abandon {
            Some(v) => Some(flag_fraction("max-abandon", v)?),
            None => svc.and_then(|s| s.max_abandon),
        };
        if max_abandon.is_some() && patience.is_none() {
            anyhow::bail!("--max-abandon needs --patience-seconds: without patience nobody abandons");
        }
        let goal = ServiceGoal::new(target, answer, max_asa, max_occupancy, max_abandon, self.sl_definition)
            .map_err(anyhow::Error::msg)?;
        Ok(Settings { aht, patience, shrinkage, goal, min_open: svc.map(|s| s.min_agents_open).unwrap_or(0) })
    }
}

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
    let s = a.settings()?;
    match (&a.forecast, a.calls) {
        (Some(f), _) => file_mode(a, &s, f),
        (None, Some(calls)) => {
            let minutes = a.interval_minutes.ok_or_else(|| anyhow::anyhow!("missing --interval-minutes"))?;
            let q = Queue {
                calls: CallsPerInterval::new(calls).map_err(|e| anyhow::anyhow!("--calls {calls}: {e}"))?,
                interval: Minutes::new(minutes)
                    .ok()
                    .filter(|m| m.get() > 0.0)
                    .ok_or_else(|| anyhow::anyhow!("--interval-minutes {minutes}: expected minutes above 0"))?,
                aht: s.aht,
                patience: s.patience,
            };
            let r = required_agents(&q, &s.goal);
            let p = r.performance;
            let out = OneInterval {
                agents: r.agents,
                agents_with_shrinkage: with_shrinkage(r.agents, s.shrinkage),
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
                Format::Text => {
                    println!(
                        "load                 {:.3} Erlangs ({} model)",
                        out.load_erlangs,
                        if s.patience.is_some() { "Erlang A" } else { "Erlang C" }
                    );
                    println!("agents on the phones {} (fractional {:.2})", out.agents, out.fractional_agents);
                    println!("with shrinkage       {}", out.agents_with_shrinkage);
                    println!(
                        "service level        {:.1}% answered within {} s",
                        out.service_level * 100.0,
                        s.goal.answer_time.get()
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
            }
            Ok(())
        }
        (None, None) => anyhow::bail!("give --calls for one interval, or --forecast FILE for a whole forecast"),
    }
}

/// One row of a requirements file.
#[derive(Debug, Clone)]
pub struct IntervalRequirement {
    pub interval_start: chrono::NaiveDateTime,
    pub calls: f64,
    pub open: bool,
    pub requirement: Requirement,
    pub with_shrinkage: u32,
}

/// Requirements for a series of intervals. Closed intervals need 0 agents; open
/// ones at least `min_open`.
pub fn requirements(
    starts: &[chrono::NaiveDateTime],
    calls: &[f64],
    open: &[bool],
    interval: Minutes,
    aht: Seconds,
    patience: Option<Seconds>,
    goal: &ServiceGoal,
    shrinkage: Fraction,
    min_open: u32,
) -> Vec<IntervalRequirement> {
    use rayon::prelude::*;
    (0..starts.len())
        .into_par_iter()
        .map(|i| {
            let q =
                Queue { calls: CallsPerInterval::new(calls[i].max(0.0)).unwrap_or_default(), interval, aht, patience };
            let mut r = if open[i] {
                required_agents(&q, goal)
            } else {
                required_agents(&Queue { calls: CallsPerInterval::default(), ..q }, goal)
            };
            if open[i] && r.agents < min_open {
                r.agents = min_open;
                r.fractional = r.fractional.max(min_open as f64);
                r.performance = performance_as(&q, min_open, goal.answer_time, goal.sl_definition);
            }
            let ws = with_shrinkage(r.agents, shrinkage);
            IntervalRequirement {
                interval_start: starts[i],
                calls: calls[i],
                open: open[i],
                requirement: r,
                with_shrinkage: ws,
            }
        })
        .collect()
}

/// The requirements CSV.
pub fn requirements_csv(rows: &[IntervalRequirement]) -> String {
    let mut s = String::from("interval_start,calls,required_agents,fractional_agents,agents_with_shrinkage,service_level,asa_seconds,occupancy,p_wait,p_abandon\n");
    for r in rows {
        let p = &r.requirement.performance;
        let _ = writeln!(
            s,
            "{},{:.3},{},{:.3},{},{:.6},{},{:.6},{:.6},{}",
            r.interval_start.format("%Y-%m-%d %H:%M"),
            r.calls,
            r.requirement.agents,
            r.requirement.fractional,
            r.with_shrinkage,
            p.service_level,
            if p.asa_seconds.is_finite() { format!("{:.3}", p.asa_seconds) } else { "inf".into() },
            p.occupancy,
            p.p_wait,
            p.p_abandon.map(|v| format!("{v:.6}")).unwrap_or_default()
        );
    }
    s
}

fn file_mode(a: &StaffArgs, s: &Settings, path: &PathBuf) -> anyhow::Result<()> {
    let t = Table::read(path)?;
    t.require_rows()?;
    let start = t.require(&["interval_start"], "the interval start")?;
    let expected = t.require(&["expected", "calls", "forecast"], "the expected calls per interval")?;
    let open_col = t.column(&["open"]);
    let mut starts = Vec::with_capacity(t.height());
    let mut calls = Vec::with_capacity(t.height());
    let mut open = Vec::with_capacity(t.height());
    for i in 0..t.height() {
        starts.push(t.datetime_at(start, i)?);
        calls.push(t.nonneg_at(expected, i, "expected calls >= 0")?);
        open.push(match open_col.and_then(|c| c.get(i)) {
            Some("0") | Some("false") => false,
            Some("1") | Some("true") | None => true,
            Some(v) => return Err(InputError::bad_value(path, sheet_row(i), "open", v, "1 or 0").into()),
        });
    }
    let minutes = match a.interval_minutes {
        Some(m) => m,
        None => starts
            .windows(2)
            .map(|w| (w[1] - w[0]).num_minutes())
            .filter(|d| *d > 0)
            .min()
            .map(|d| d as f64)
            .ok_or_else(|| {
                InputError::file(path, "cannot tell the interval length from one row; give --interval-minutes")
            })?,
    };
    let interval = Minutes::new(minutes).map_err(|e| anyhow::anyhow!("--interval-minutes {minutes}: {e}"))?;
    let rows = requirements(&starts, &calls, &open, interval, s.aht, s.patience, &s.goal, s.shrinkage, s.min_open);
    write_file(&a.out, requirements_csv(&rows)).with_context(|| format!("writing {}", a.out.display()))?;
    let peak = rows.iter().map(|r| r.requirement.agents).max().unwrap_or(0);
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
