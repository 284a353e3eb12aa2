//! `ringcast staff --lines / --target-busy`: one interval with finite lines.

use super::{usage, Format};
use crate::error::{Error, Infeasibility};
use crate::staff::lines::{agents_for_goal, lines_for_busy_target, with_redials, LineMetrics, LineQueue};
use crate::staff::{required_agents, Queue, ServicePolicy};
use serde::Serialize;

/// Default share of busy callers who call again: the usual assumption of
/// Extended Erlang B calculators where it is not measured.
pub const DEFAULT_REDIAL_SHARE: f64 = 0.5;
/// Most redialling share accepted: at 1 the attempts grow without bound
/// when every line is taken.
const MOST_REDIAL_SHARE: f64 = 0.95;
/// Most lines searched for a busy target.
const MOST_LINES: u32 = 100_000;

/// The JSON of the calculator with lines.
#[derive(Debug, Serialize)]
struct WithLines {
    agents: u32,
    lines: u32,
    /// Share of call attempts (redials included) that hear a busy signal.
    busy_share: f64,
    /// Call attempts in the interval with redials, and the first attempts.
    attempts: f64,
    calls: f64,
    redial_share: f64,
    /// Answered within the target among callers who got a line, and among
    /// all attempts (a busy signal counts as not answered).
    service_level: f64,
    service_level_offered: f64,
    asa_seconds: Option<f64>,
    p_abandon: f64,
    occupancy: f64,
}

/// What `staff` was asked about lines (its flags, `--agents` checked).
pub struct LineRequest {
    pub agents: Option<u32>,
    pub lines: Option<u32>,
    pub target_busy: Option<f64>,
    pub redial_share: Option<f64>,
    pub format: Format,
}

/// One interval with lines: the service and busy share of given agents and
/// lines, or the agents the goal needs on the lines, or the lines a busy
/// target needs for the agents.
pub fn one_interval(a: &LineRequest, policy: &ServicePolicy, q: &Queue) -> anyhow::Result<()> {
    let redial = redial_share(a)?;
    if a.lines == Some(0) {
        return Err(usage("--lines 0: expected at least 1 line"));
    }
    let seconds = q.interval.get() * 60.0;
    let base = LineQueue {
        lambda: q.calls.get() / seconds,
        mu: 1.0 / q.aht.get(),
        theta: q.patience.map_or(0.0, |p| 1.0 / p.get()),
        agents: 0,
        lines: 0,
        t: policy.goal.answer_time.get(),
    };
    let agents = match (a.agents, a.lines) {
        (Some(n), _) => n,
        (None, Some(k)) => {
            agents_for_goal(LineQueue { lines: k, ..base }, redial, policy.goal.target_sl.get()).unwrap_or(k)
        }
        (None, None) => required_agents(q, &policy.goal).agents,
    };
    let lines = match (a.target_busy, a.lines) {
        (Some(b), _) => {
            if !(b > 0.0 && b < 1.0) {
                return Err(usage(format!(
                    "--target-busy {b}: expected a share of call attempts in (0, 1), like 0.01"
                )));
            }
            lines_for_busy_target(LineQueue { agents, ..base }, redial, b, MOST_LINES).ok_or_else(|| {
                Error::Infeasible(Infeasibility::new(
                    vec![],
                    &["--target-busy"],
                    format!("--target-busy {b}: not reached with {MOST_LINES} lines"),
                ))
            })?
        }
        (None, Some(k)) => k,
        (None, None) => return Err(usage("give --lines or --target-busy")),
    };
    if agents > lines {
        eprintln!(
            "warning: {agents} agents on {lines} lines: {} of them cannot take a call (a line carries one caller)",
            agents - lines
        );
    }
    let (attempts, m) = with_redials(LineQueue { agents, lines, ..base }, redial);
    let out = WithLines {
        agents,
        lines,
        busy_share: m.busy_share,
        attempts: attempts * seconds,
        calls: q.calls.get(),
        redial_share: redial,
        service_level: m.sl_accepted,
        service_level_offered: m.sl_offered,
        asa_seconds: m.asa.is_finite().then_some(m.asa),
        p_abandon: m.p_abandon,
        occupancy: m.occupancy,
    };
    match a.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&out)?),
        Format::Text => print(&out, &m, policy),
    }
    Ok(())
}

fn redial_share(a: &LineRequest) -> anyhow::Result<f64> {
    let r = a.redial_share.unwrap_or(DEFAULT_REDIAL_SHARE);
    if (0.0..=MOST_REDIAL_SHARE).contains(&r) {
        Ok(r)
    } else {
        Err(usage(format!("--redial-share {r}: expected a share of busy callers from 0 to {MOST_REDIAL_SHARE}")))
    }
}

fn print(out: &WithLines, m: &LineMetrics, policy: &ServicePolicy) {
    let model = if m.p_abandon > 0.0 || policy.patience.is_some() { "M/M/N/K+M" } else { "M/M/N/K" };
    println!("lines                {} ({model}; Erlang B where lines = agents)", out.lines);
    println!("agents on the phones {}", out.agents);
    println!(
        "busy signals         {:.2}% of {:.1} attempts ({:.1} calls, {:.0}% of busy callers redial)",
        out.busy_share * 100.0,
        out.attempts,
        out.calls,
        out.redial_share * 100.0
    );
    println!(
        "service level        {:.1}% of callers who got a line answered within {} s ({:.1}% of all attempts)",
        out.service_level * 100.0,
        policy.goal.answer_time.get(),
        out.service_level_offered * 100.0
    );
    println!(
        "ASA                  {}",
        out.asa_seconds.map(|v| format!("{v:.1} s")).unwrap_or_else(|| "unbounded".into())
    );
    println!("occupancy            {:.1}%", out.occupancy * 100.0);
    if policy.patience.is_some() {
        println!("P(abandon)           {:.4}", out.p_abandon);
    }
}
