//! The intraday update's outputs: `intraday.csv` (per interval of the day),
//! `actions.csv` (the offers), `intraday.json` (the summary) and
//! `charts/intraday.png`, staged and moved into place together.

use super::atomic::OutDir;
use super::charts::{intraday_chart, IntradayChart};
use super::tables::csv_text;
use super::Staging;
use crate::calendar::slot_time;
use crate::pipeline::intraday::IntradayPlan;
use crate::schedule::adjust::ActionKind;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;

/// `intraday.json`.
#[derive(Debug, Clone, Serialize)]
pub struct IntradaySummary {
    pub day: String,
    /// The update time: calls before it are seen.
    pub at: String,
    pub calls_seen: f64,
    /// The morning's forecast of the intervals seen.
    pub morning_forecast_seen: f64,
    pub morning_forecast_rest: f64,
    pub updated_forecast_rest: f64,
    pub surprise: Option<SurpriseSummary>,
    pub lines: Vec<LineSummary>,
    /// Intervals still to come with fewer agents rostered than needed.
    pub short_intervals: usize,
    pub most_agents_short: u32,
    /// Calls-weighted projected service level of the rest of the day, with the
    /// roster as it stands and once every offer is taken.
    pub service_level_rest: Option<f64>,
    pub service_level_rest_after_offers: Option<f64>,
    pub target_service_level: f64,
    pub overtime_offers: usize,
    pub overtime_hours: f64,
    /// Agents not rostered today asked to come in.
    pub call_in_offers: usize,
    pub call_in_hours: f64,
    pub time_off_offers: usize,
    pub time_off_hours: f64,
    /// Calls to move to callbacks where the agents (after the offers) cannot meet the target.
    pub callbacks: f64,
    /// Where they are placed: later intervals with agents to spare (earliest first).
    pub callbacks_placed: Vec<CallbackMove>,
    /// Callbacks with no interval left today to take them.
    pub callbacks_not_placed: f64,
    /// With lines (`[lines]`): the busy risk of the rest of the day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub busy_rest: Option<BusyRest>,
    pub warnings: Vec<String>,
}

/// The rest of the day's busy risk in `intraday.json`.
#[derive(Debug, Clone, Serialize)]
pub struct BusyRest {
    /// Callers expected to hear a busy signal from the update time on.
    pub busy_callers: f64,
    /// Their share of the calls expected.
    pub busy_share: f64,
    /// The minute with the largest busy share (HH:MM) and that share.
    pub worst_minute: Option<String>,
    pub worst_minute_busy_share: Option<f64>,
}

/// A surprise in `intraday.json`.
#[derive(Debug, Clone, Serialize)]
pub struct SurpriseSummary {
    pub start: String,
    /// +0.38 for 38% above the forecast made from the calls before it.
    pub share: f64,
    pub calls_seen: f64,
    pub calls_expected: f64,
    pub z: f64,
}

/// A running line in `intraday.json`.
#[derive(Debug, Clone, Serialize)]
pub struct LineSummary {
    pub line: String,
    /// Its response today as a multiple of the learned one.
    pub response_scale: f64,
    /// Its extra calls in the rest of the day, updated.
    pub calls_rest: f64,
}

impl IntradaySummary {
    pub fn of(p: &IntradayPlan) -> Self {
        let n = p.open.len();
        // `+ 0.0`: an empty sum is -0.0, which would print as "-0".
        let rest = |v: &[f64]| (p.at..n).filter(|&j| p.open[j]).map(|j| v[j]).sum::<f64>() + 0.0;
        let seen = |v: &[f64]| {
            (0..p.at.min(n)).filter(|&j| p.open[j] && p.actual[j].is_finite()).map(|j| v[j]).sum::<f64>() + 0.0
        };
        let short: Vec<u32> = (p.at..n)
            .filter(|&j| p.open[j])
            .map(|j| p.required_rostered[j].saturating_sub(p.rostered[j]))
            .filter(|s| *s > 0)
            .collect();
        let weighted = |sl: &[Option<f64>]| {
            let (num, den) = (p.at..n)
                .filter_map(|j| sl[j].map(|s| (s * p.update.total[j], p.update.total[j])))
                .fold((0.0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1));
            (den > 0.0).then(|| num / den)
        };
        let hours = |k: &[ActionKind]| {
            p.offers.actions.iter().filter(|a| k.contains(&a.kind)).map(|a| a.hours()).sum::<f64>() + 0.0
        };
        let count = |k: &[ActionKind]| p.offers.actions.iter().filter(|a| k.contains(&a.kind)).count();
        let overtime = [ActionKind::Extend, ActionKind::StartEarly];
        IntradaySummary {
            day: p.day.to_string(),
            at: hhmm(p, p.at),
            calls_seen: seen(&p.actual),
            morning_forecast_seen: seen(&p.morning),
            morning_forecast_rest: rest(&p.morning),
            updated_forecast_rest: rest(&p.update.total),
            surprise: p.update.surprise.as_ref().map(|s| SurpriseSummary {
                start: hhmm(p, s.start),
                share: s.share(),
                calls_seen: s.seen,
                calls_expected: s.expected,
                z: s.z,
            }),
            lines: p
                .update
                .lines
                .iter()
                .zip(&p.line_labels)
                .map(|(u, label)| LineSummary {
                    line: label.clone(),
                    response_scale: u.scale,
                    calls_rest: rest(&u.extra_calls),
                })
                .collect(),
            short_intervals: short.len(),
            most_agents_short: short.iter().copied().max().unwrap_or(0),
            service_level_rest: weighted(&p.service_level),
            service_level_rest_after_offers: weighted(&p.service_level_after),
            target_service_level: p.target_sl,
            overtime_offers: count(&overtime),
            overtime_hours: hours(&overtime),
            call_in_offers: count(&[ActionKind::CallIn]),
            call_in_hours: hours(&[ActionKind::CallIn]),
            time_off_offers: count(&[ActionKind::LeaveEarly]),
            time_off_hours: hours(&[ActionKind::LeaveEarly]),
            callbacks: p.callbacks.iter().sum::<f64>() + 0.0,
            callbacks_placed: p
                .callbacks_placed
                .iter()
                .map(|&(from, to, calls)| CallbackMove { from: hhmm(p, from), to: hhmm(p, to), calls })
                .collect(),
            callbacks_not_placed: (p.callbacks.iter().sum::<f64>()
                - p.callbacks_placed.iter().map(|c| c.2).sum::<f64>())
            .max(0.0),
            busy_rest: busy_rest(p),
            warnings: p.warnings.clone(),
        }
    }
}

fn busy_rest(p: &IntradayPlan) -> Option<BusyRest> {
    if p.busy.is_empty() {
        return None;
    }
    let risks = p.busy.iter().enumerate().filter_map(|(j, b)| b.map(|b| (j, b)));
    let callers: f64 = risks.clone().map(|(_, b)| b.busy_callers).sum();
    let calls: f64 = (p.at..p.open.len()).filter(|j| p.open[*j]).map(|j| p.update.total[j]).sum();
    let worst = risks.filter_map(|(j, b)| b.worst_minute.map(|(m, v)| (j as u32 * p.interval.get() + m, v))).fold(
        None,
        |best: Option<(u32, f64)>, w| match best {
            Some(b) if b.1 >= w.1 => Some(b),
            _ => Some(w),
        },
    );
    Some(BusyRest {
        busy_callers: callers,
        busy_share: if calls > 0.0 { callers / calls } else { 0.0 },
        worst_minute: worst.map(|(m, _)| format!("{:02}:{:02}", m / 60, m % 60)),
        worst_minute_busy_share: worst.map(|w| w.1),
    })
}

/// Callbacks of one interval placed into a later one.
#[derive(Debug, Clone, Serialize)]
pub struct CallbackMove {
    pub from: String,
    pub to: String,
    pub calls: f64,
}

fn hhmm(p: &IntradayPlan, slot: usize) -> String {
    let m = slot as u32 * p.interval.get();
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// `intraday.csv`: one row per interval of the day.
pub fn intraday_csv(p: &IntradayPlan) -> String {
    let mut s = String::from("interval_start,open,seen,actual,morning_forecast,updated_forecast,lo80,hi80,lo95,hi95,baseline_updated,campaigns_updated,unexplained,required_agents,required_rostered,rostered_agents,rostered_after_offers,service_level,service_level_after_offers,callbacks");
    let with_lines = !p.busy.is_empty();
    if with_lines {
        s.push_str(",busy_callers,busy_share");
    }
    s.push('\n');
    let o = |v: Option<f64>| v.map(|x| format!("{x:.3}")).unwrap_or_default();
    let u = &p.update;
    for j in 0..p.open.len() {
        let campaigns: f64 = u.lines.iter().map(|l| l.extra_calls[j]).sum();
        let actual = (j < p.at && p.actual[j].is_finite()).then_some(p.actual[j]);
        let _ = write!(
            s,
            "{},{},{},{},{:.3},{:.3},{},{},{},{},{:.3},{:.3},{:.3},{},{},{},{},{},{},{:.1}",
            slot_time(p.day, j, p.interval).format("%Y-%m-%d %H:%M"),
            u8::from(p.open[j]),
            u8::from(j < p.at),
            actual.map(|v| format!("{v:.0}")).unwrap_or_default(),
            p.morning[j],
            u.total[j],
            u.bands[0].0[j],
            u.bands[0].1[j],
            u.bands[1].0[j],
            u.bands[1].1[j],
            u.baseline[j],
            campaigns,
            u.unexplained[j],
            p.required[j],
            p.required_rostered[j],
            p.rostered[j],
            p.offers.rostered_after[j],
            o(p.service_level[j]),
            o(p.service_level_after[j]),
            p.callbacks[j],
        );
        if with_lines {
            let b = p.busy.get(j).copied().flatten();
            let _ = write!(
                s,
                ",{},{}",
                b.map(|b| format!("{:.3}", b.busy_callers)).unwrap_or_default(),
                b.map(|b| format!("{:.4}", b.busy_share)).unwrap_or_default()
            );
        }
        s.push('\n');
    }
    s
}

/// `actions.csv`: one row per offer.
pub fn actions_csv(p: &IntradayPlan) -> String {
    let mut s = String::from("agent_id,name,action,from,to,hours\n");
    for a in &p.offers.actions {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{:.2}",
            csv_text(&a.agent_id),
            csv_text(&a.name),
            a.kind.label(),
            a.from.format("%Y-%m-%d %H:%M"),
            a.to.format("%Y-%m-%d %H:%M"),
            a.hours()
        );
    }
    s
}

/// Write the outputs into `out`, all or nothing.
pub fn write_intraday(
    p: &IntradayPlan,
    summary: &IntradaySummary,
    title: &str,
    out: &OutDir,
) -> anyhow::Result<Vec<PathBuf>> {
    let st = Staging::new(out)?;
    st.write("intraday.csv", intraday_csv(p))?;
    st.write("actions.csv", actions_csv(p))?;
    st.write("intraday.json", serde_json::to_string_pretty(summary)? + "\n")?;
    let open: Vec<usize> = (0..p.open.len()).filter(|&j| p.open[j]).collect();
    let (first, last) = (open.first().copied().unwrap_or(0), open.last().copied().unwrap_or(p.open.len() - 1));
    let chart = IntradayChart {
        title,
        midnight: slot_time(p.day, 0, p.interval),
        interval_minutes: p.interval.get(),
        first_slot: first,
        last_slot: last,
        at: p.at,
        actual: &p.actual,
        morning: &p.morning,
        updated: &p.update.total,
        lo80: &p.update.bands[0].0,
        hi80: &p.update.bands[0].1,
        surprise: p.update.surprise.as_ref().map(|s| s.start),
    };
    intraday_chart(&st.path("charts/intraday.png")?, &chart)?;
    st.commit()
}

/// What `ringcast intraday` prints.
pub fn intraday_text(p: &IntradayPlan, s: &IntradaySummary) -> String {
    let mut out = String::new();
    let pct = |x: f64| format!("{:+.0}%", 100.0 * x);
    let _ = writeln!(
        out,
        "{} at {}: {:.0} calls so far, forecast this morning {:.0} ({})",
        p.day.format("%A %Y-%m-%d"),
        s.at,
        s.calls_seen,
        s.morning_forecast_seen,
        pct(s.calls_seen / s.morning_forecast_seen.max(1e-9) - 1.0)
    );
    match &s.surprise {
        Some(x) => {
            let _ = writeln!(
                out,
                "SURPRISE: calls {:.0}% {} forecast since {} ({:.0} seen, {:.0} expected); no planned line explains it",
                100.0 * x.share.abs(),
                if x.share >= 0.0 { "above" } else { "below" },
                x.start,
                x.calls_seen,
                x.calls_expected
            );
        }
        None => {
            let _ = writeln!(
                out,
                "no surprise: the calls so far are within what the day's level and the planned lines explain"
            );
        }
    }
    for l in s.lines.iter().filter(|l| (l.response_scale - 1.0).abs() >= 0.1) {
        let _ = writeln!(
            out,
            "line {}: response {:.2}x the learned one, {:.0} extra calls in the rest of the day",
            l.line, l.response_scale, l.calls_rest
        );
    }
    let _ = writeln!(
        out,
        "rest of the day: {:.0} calls expected (this morning {:.0})",
        s.updated_forecast_rest, s.morning_forecast_rest
    );
    let sl = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{:.1}%", 100.0 * v));
    let _ = writeln!(
        out,
        "agents: {} interval(s) short (at most {} agents), projected service level {} with the roster as it stands, {} with the offers (target {:.0}%)",
        s.short_intervals,
        s.most_agents_short,
        sl(s.service_level_rest),
        sl(s.service_level_rest_after_offers),
        100.0 * s.target_service_level
    );
    let _ = writeln!(
        out,
        "offers: {} overtime ({:.1} h), {} call-ins of agents not rostered today ({:.1} h), {} time off ({:.1} h); {:.0} calls to move to callbacks",
        s.overtime_offers, s.overtime_hours, s.call_in_offers, s.call_in_hours, s.time_off_offers, s.time_off_hours, s.callbacks
    );
    if let Some(b) = &s.busy_rest {
        let worst = match (&b.worst_minute, b.worst_minute_busy_share) {
            (Some(m), Some(v)) => format!("; worst minute {m} ({:.0}% busy)", v * 100.0),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "busy signals: {:.1} callers expected to find every line taken in the rest of the day ({:.2}% of the calls){worst}",
            b.busy_callers,
            b.busy_share * 100.0
        );
    }
    if s.callbacks >= 0.5 {
        let mut into: std::collections::BTreeMap<&str, f64> = std::collections::BTreeMap::new();
        for m in &s.callbacks_placed {
            *into.entry(m.to.as_str()).or_default() += m.calls;
        }
        let placed: Vec<String> = into.iter().map(|(t, c)| format!("{t} ({c:.1})")).collect();
        let _ = writeln!(
            out,
            "callbacks: call back in {}{}",
            if placed.is_empty() {
                "no interval today (none has agents to spare)".to_string()
            } else {
                placed.join(", ")
            },
            if s.callbacks_not_placed >= 0.5 {
                format!("; {:.0} have no room left today", s.callbacks_not_placed)
            } else {
                String::new()
            }
        );
    }
    out
}
