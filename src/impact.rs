//! Campaign impact for marketing: what each line of the media plan does to the
//! phones, what answering it costs, and what happens if the centre is not told.
//!
//! * Extra calls per line come from the forecast's per-line uplift, so the
//!   lines add up exactly to the forecast's campaign uplift.
//! * Extra agent-hours: the Erlang requirement with every line, less the
//!   requirement without this line, interval by interval.
//! * "Not told": the centre rosters for the baseline only (shift model on the
//!   baseline's requirement); the staffing engine then projects service and
//!   abandonment under the calls that really come, with and without each line.

use crate::config::ChannelKind;
use crate::forecast::media::uplift::LineUplift;
use crate::plan::{build, PlanArgs, WeeklyPlan};
use crate::report::charts;
use crate::report::Staging;
use crate::schedule::cli::{schedule, Requirements};
use crate::staff::cli::requirements;
use crate::staff::{performance_as, Queue};
use crate::units::CallsPerInterval;
use chrono::{Duration, NaiveDateTime, Timelike};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// `ringcast impact`: the weekly build's inputs; writes only the impact outputs.
#[derive(Debug, clap::Args)]
pub struct ImpactArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Flag a line whose extra calls exceed this share of an interval's baseline.
    #[arg(long, default_value_t = 0.25)]
    pub threshold: f64,
}

/// One media-plan line's impact.
#[derive(Debug, Clone, Serialize)]
pub struct LineImpact {
    pub line: String,
    pub row: usize,
    pub channel: String,
    pub campaign: String,
    pub start: NaiveDateTime,
    pub spend: f64,
    pub extra_calls: f64,
    pub extra_calls_low95: f64,
    pub extra_calls_high95: f64,
    pub peak_interval: Option<NaiveDateTime>,
    pub peak_extra_calls: f64,
    pub calls_when_closed: f64,
    /// Carry-over calls arriving after the planning week.
    pub calls_after_week: f64,
    /// Agent-hours on the phones this line adds to hold the goal.
    pub extra_agent_hours: f64,
    /// Rostered (paid) hours after shrinkage, and their cost.
    pub extra_paid_hours: f64,
    pub extra_cost: f64,
    /// If the centre is not told (baseline roster): calls this line's callers
    /// lose (abandoned with patience, else answered late) and their value.
    pub lost_calls_if_not_told: f64,
    pub value_lost_if_not_told: f64,
    pub flags: Vec<String>,
    pub suggestion: String,
}

/// The impact of a whole plan.
#[derive(Debug, Clone, Serialize)]
pub struct Impact {
    pub lines: Vec<LineImpact>,
    /// Service level per interval with the campaign-aware roster and the baseline roster.
    pub sl_told: Vec<Option<f64>>,
    pub sl_not_told: Vec<Option<f64>>,
    pub total_extra_calls: f64,
    pub currency: String,
}

/// Compute the impact of every line of the plan.
pub fn analyse(p: &WeeklyPlan, threshold: f64) -> anyhow::Result<Impact> {
    let fc = &p.forecast;
    let per_day = fc.interval.per_day();
    let n = fc.days.len() * per_day;
    let interval = fc.interval.minutes();
    let hours_per = interval.get() / 60.0;
    let svc = &p.service;
    let cfg = &p.loaded.config;
    let idx: BTreeMap<_, _> = fc.days.iter().enumerate().map(|(k, d)| (*d, k)).collect();
    let flat = |a: &ndarray::Array2<f64>| a.iter().copied().collect::<Vec<f64>>();
    let total = flat(&fc.total);
    let base = flat(&fc.baseline);
    let open: Vec<bool> = fc.open.iter().copied().collect();
    let starts: Vec<NaiveDateTime> = (0..n).map(|t| p.scheduled.req.slot_time(t)).collect();
    // The roster the centre would have had without being told: baseline only.
    let base_req = requirements(
        &starts,
        &base,
        &open,
        interval,
        svc.aht,
        svc.patience,
        &p.goal,
        svc.shrinkage,
        svc.min_agents_open,
    );
    let req = Requirements {
        first_day: p.loaded.week,
        per_day,
        required: base_req.iter().map(|r| r.with_shrinkage as f64).collect(),
    };
    let not_told = schedule(cfg, &p.loaded.inputs.config, req, cfg.scheduling.objective)?;
    let on_not_told: Vec<u32> = not_told
        .plan
        .scheduled
        .iter()
        .map(|s| (*s as f64 * (1.0 - svc.shrinkage.get()) + 1e-9).floor() as u32)
        .collect();
    let perf = |calls: f64, on: u32| {
        let q = Queue {
            calls: CallsPerInterval::new(calls.max(0.0)).unwrap_or_default(),
            interval,
            aht: svc.aht,
            patience: svc.patience,
        };
        performance_as(&q, on, p.goal.answer_time, p.goal.sl_definition)
    };
    // Calls lost in an interval: abandoned with patience, else answered late.
    let lost = |calls: f64, on: u32| {
        let pf = perf(calls, on);
        calls * pf.p_abandon.unwrap_or(1.0 - pf.service_level)
    };
    let queue = |calls: f64| Queue {
        calls: CallsPerInterval::new(calls.max(0.0)).unwrap_or_default(),
        interval,
        aht: svc.aht,
        patience: svc.patience,
    };
    // Agents needed for all the calls, once per interval; without a line the
    // need can only be lower, so it is found by stepping down from there.
    let agents_total: Vec<u32> =
        (0..n).map(|t| crate::staff::required_agents(&queue(total[t]), &p.goal).agents).collect();

    let sl_told: Vec<Option<f64>> = p.coverage.iter().map(|r| r.service_level).collect();
    let sl_not_told: Vec<Option<f64>> =
        (0..n).map(|t| (open[t] && total[t] > 0.0).then(|| perf(total[t], on_not_told[t]).service_level)).collect();
    let spots: Vec<(usize, NaiveDateTime)> = p
        .loaded
        .plan
        .lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.kind == ChannelKind::Spot)
        .map(|(i, l)| (i, l.start))
        .collect();
    let rel_se: BTreeMap<&str, f64> =
        p.fitted.learned.fitted.reports.iter().map(|r| (r.channel.as_str(), r.relative_se)).collect();
    let k = fc.dispersion_k;
    let mut lines = Vec::new();
    for lu in &fc.lines.lines {
        let l = &p.loaded.plan.lines[lu.line];
        let cells = cells_of(lu, &idx, per_day);
        let (extra, after_period) = fc.line_split(lu);
        let se = rel_se.get(l.channel.as_str()).copied().unwrap_or(0.0);
        let sd = (extra + if k.is_finite() { extra * extra / k } else { 0.0 } + (se * extra).powi(2)).sqrt();
        let (mut agent_hours, mut lost_calls) = (0.0, 0.0);
        let mut peak: Option<(usize, f64)> = None;
        let mut over_threshold = false;
        let mut window: Option<(usize, usize, u32)> = None;
        for &(t, v) in &cells {
            let without = (total[t] - v).max(0.0);
            let extra_agents =
                agents_total[t] - crate::staff::required_agents_at_most(&queue(without), &p.goal, agents_total[t]);
            agent_hours += extra_agents as f64 * hours_per;
            if extra_agents > 0 {
                let w = window.get_or_insert((t, t, 0));
                w.0 = w.0.min(t);
                w.1 = w.1.max(t);
                w.2 = w.2.max(extra_agents);
            }
            lost_calls += (lost(total[t], on_not_told[t]) - lost(without, on_not_told[t])).max(0.0);
            if peak.is_none_or(|(_, pv)| v > pv) {
                peak = Some((t, v));
            }
            if base[t] > 0.0 && v > threshold * base[t] {
                over_threshold = true;
            }
        }
        let paid = agent_hours / (1.0 - svc.shrinkage.get());
        let mut flags = Vec::new();
        let closed_share =
            if extra + lu.lost_when_closed > 0.0 { lu.lost_when_closed / (extra + lu.lost_when_closed) } else { 0.0 };
        if closed_share > 0.1 {
            flags.push(format!(
                "{:.0}% of its calls ({:.0}) arrive while the centre is closed",
                closed_share * 100.0,
                lu.lost_when_closed
            ));
        }
        if let (Some((t, _)), false) = (peak, l.kind == ChannelKind::Flight) {
            let day = t / per_day;
            let mut day_base: Vec<f64> = base[day * per_day..(day + 1) * per_day].to_vec();
            day_base.sort_by(|a, b| b.total_cmp(a));
            let top = day_base.get(per_day / 20).copied().unwrap_or(f64::INFINITY);
            if base[t] >= top && base[t] > 0.0 {
                flags.push("lands at the day's peak".into());
            }
        }
        if l.kind == ChannelKind::Spot {
            let overlapping: Vec<String> = spots
                .iter()
                .filter(|(j, t)| *j != lu.line && (*t - l.start).num_minutes().abs() < 15)
                .map(|(j, _)| p.loaded.plan.lines[*j].id.clone())
                .collect();
            if !overlapping.is_empty() {
                flags.push(format!("burst overlaps {}", overlapping.join(", ")));
            }
        }
        if over_threshold {
            flags.push(format!("adds more than {:.0}% to an interval's calls", threshold * 100.0));
        }
        let suggestion = if flags.is_empty() {
            String::new()
        } else {
            suggest(
                p,
                l.kind == ChannelKind::Spot,
                l.start,
                window,
                &on_not_told,
                &base,
                &starts,
                svc.shrinkage.get(),
                per_day,
            )
        };
        lines.push(LineImpact {
            line: l.id.clone(),
            row: l.row,
            channel: l.channel.clone(),
            campaign: l.campaign.clone(),
            start: l.start,
            spend: l.spend,
            extra_calls: extra,
            extra_calls_low95: (extra - 1.96 * sd).max(0.0),
            extra_calls_high95: extra + 1.96 * sd,
            peak_interval: peak.map(|(t, _)| starts[t]),
            peak_extra_calls: peak.map(|(_, v)| v).unwrap_or(0.0),
            calls_when_closed: lu.lost_when_closed,
            calls_after_week: after_period,
            extra_agent_hours: agent_hours,
            extra_paid_hours: paid,
            extra_cost: paid * cfg.costs.hourly_cost,
            lost_calls_if_not_told: lost_calls,
            value_lost_if_not_told: lost_calls * cfg.costs.value_per_answered_call,
            flags,
            suggestion,
        });
    }
    Ok(Impact {
        total_extra_calls: lines.iter().map(|l| l.extra_calls).sum(),
        lines,
        sl_told,
        sl_not_told,
        currency: cfg.currency.clone(),
    })
}

fn cells_of(lu: &LineUplift, idx: &BTreeMap<chrono::NaiveDate, usize>, per_day: usize) -> Vec<(usize, f64)> {
    lu.cells.iter().filter_map(|(d, s, v)| idx.get(d).map(|k| (k * per_day + s, *v))).collect()
}

/// A staffing change that absorbs the line, or for a spot, a slot the baseline
/// roster can absorb (most spare agents in the half hour after, same day).
#[allow(clippy::too_many_arguments)]
fn suggest(
    p: &WeeklyPlan,
    is_spot: bool,
    start: NaiveDateTime,
    window: Option<(usize, usize, u32)>,
    on_not_told: &[u32],
    base: &[f64],
    starts: &[NaiveDateTime],
    shrinkage: f64,
    per_day: usize,
) -> String {
    let mut parts = Vec::new();
    if let Some((a, b, extra)) = window {
        let rostered = (extra as f64 / (1.0 - shrinkage)).ceil();
        if starts[a].date() != starts[b].date() {
            parts.push(format!(
                "roster up to {rostered:.0} more agent(s) at the busy times from {} to {}",
                starts[a].format("%a %d %b"),
                starts[b].format("%a %d %b")
            ));
        } else {
            parts.push(format!(
                "roster {rostered:.0} more agent(s) {}–{} on {}",
                starts[a].format("%H:%M"),
                (starts[b] + Duration::minutes((1440 / per_day) as i64)).format("%H:%M"),
                starts[a].format("%a %d %b")
            ));
        }
    }
    if is_spot {
        // The same day if the centre opens that day, else any day of the week.
        let day = start.date();
        let d = (day - p.loaded.week).num_days().clamp(0, p.loaded.days.len() as i64 - 1) as usize;
        let open_day = |d: usize| p.forecast.open.row(d).iter().any(|o| *o);
        let days: Vec<usize> =
            if open_day(d) { vec![d] } else { (0..p.loaded.days.len()).filter(|&k| open_day(k)).collect() };
        let slot_minutes = 1440 / per_day;
        let mut best: Option<(f64, usize)> = None;
        for s in days.iter().flat_map(|&k| (k * per_day..(k + 1) * per_day).step_by((60 / slot_minutes).max(1))) {
            let day_end = (s / per_day + 1) * per_day;
            let span = s..(s + (30 / slot_minutes).max(1)).min(base.len());
            if span.clone().any(|t| !p.forecast.open[[t / per_day, t % per_day]]) || span.end + 2 > day_end {
                continue;
            }
            let spare: f64 =
                span.clone().map(|t| on_not_told[t] as f64 - p.requirements[t].requirement.agents as f64).sum::<f64>()
                    / span.len() as f64;
            if best.is_none_or(|(b, _)| spare > b) {
                best = Some((spare, s));
            }
        }
        if let Some((spare, s)) = best {
            if starts[s].date() != start.date() {
                parts.push(format!(
                    "move the spot to {} (about {spare:.0} spare agents then)",
                    starts[s].format("%a %d %b %H:%M")
                ));
            } else if starts[s].hour() != start.hour() {
                let or = if parts.is_empty() { "" } else { "or " };
                parts.push(format!(
                    "{or}move the spot to {} (about {spare:.0} spare agents then)",
                    starts[s].format("%H:%M")
                ));
            }
        }
    }
    parts.join("; ")
}

/// `impact.csv`.
pub fn impact_csv(i: &Impact) -> String {
    let mut s = String::from("line,row,channel,campaign,start,spend,extra_calls,extra_calls_low95,extra_calls_high95,peak_interval,peak_extra_calls,calls_when_closed,calls_after_week,extra_agent_hours,extra_paid_hours,extra_cost,lost_calls_if_not_told,value_lost_if_not_told,flags,suggestion\n");
    for l in &i.lines {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{:.0},{:.1},{:.1},{:.1},{},{:.1},{:.1},{:.1},{:.2},{:.2},{:.2},{:.1},{:.2},{},{}",
            l.line,
            l.row,
            l.channel,
            crate::plan::csv_text(&l.campaign),
            l.start.format("%Y-%m-%d %H:%M"),
            l.spend,
            l.extra_calls,
            l.extra_calls_low95,
            l.extra_calls_high95,
            l.peak_interval.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default(),
            l.peak_extra_calls,
            l.calls_when_closed,
            l.calls_after_week,
            l.extra_agent_hours,
            l.extra_paid_hours,
            l.extra_cost,
            l.lost_calls_if_not_told,
            l.value_lost_if_not_told,
            crate::plan::csv_text(&l.flags.join("; ")),
            crate::plan::csv_text(&l.suggestion)
        );
    }
    s
}

/// `impact_campaigns.csv` and the per-channel marginal view.
pub fn campaigns_csv(i: &Impact) -> String {
    let mut by: BTreeMap<(String, String), (usize, f64, f64, f64, f64, f64, f64)> = BTreeMap::new();
    for l in &i.lines {
        for key in [
            ("campaign".to_string(), if l.campaign.is_empty() { "(none)".to_string() } else { l.campaign.clone() }),
            ("channel".to_string(), l.channel.clone()),
        ] {
            let e = by.entry(key).or_default();
            e.0 += 1;
            e.1 += l.spend;
            e.2 += l.extra_calls;
            e.3 += l.extra_paid_hours;
            e.4 += l.extra_cost;
            e.5 += l.lost_calls_if_not_told;
            e.6 += l.value_lost_if_not_told;
        }
    }
    let mut s = String::from("group,name,lines,spend,extra_calls,extra_paid_hours,extra_cost,cost_per_extra_call,lost_calls_if_not_told,value_lost_if_not_told\n");
    for ((g, n), e) in &by {
        let per_call = if e.2 > 0.0 { e.4 / e.2 } else { 0.0 };
        let _ = writeln!(
            s,
            "{g},{},{},{:.0},{:.1},{:.2},{:.2},{:.2},{:.1},{:.2}",
            crate::plan::csv_text(n),
            e.0,
            e.1,
            e.2,
            e.3,
            e.4,
            per_call,
            e.5,
            e.6
        );
    }
    s
}

/// The text summary for a marketing reader.
pub fn marketing_summary(i: &Impact, p: &WeeklyPlan) -> String {
    let mut o = String::new();
    let cur = &i.currency;
    let _ = writeln!(o, "Media plan for the week of {}: {} lines", p.loaded.week, i.lines.len());
    let _ = writeln!(
        o,
        "It will bring about {:.0} extra calls to the contact centre. Answering them to the service goal takes {:.0} extra paid agent-hours ({:.0} {cur}).",
        i.total_extra_calls,
        i.lines.iter().map(|l| l.extra_paid_hours).sum::<f64>(),
        i.lines.iter().map(|l| l.extra_cost).sum::<f64>()
    );
    let _ = writeln!(
        o,
        "If the centre is not told, about {:.0} of those callers are lost (worth {:.0} {cur}).",
        i.lines.iter().map(|l| l.lost_calls_if_not_told).sum::<f64>(),
        i.lines.iter().map(|l| l.value_lost_if_not_told).sum::<f64>()
    );
    let mut top: Vec<&LineImpact> = i.lines.iter().collect();
    top.sort_by(|a, b| b.extra_calls.total_cmp(&a.extra_calls).then(a.line.cmp(&b.line)));
    let _ = writeln!(o, "Biggest lines:");
    for l in top.iter().take(5) {
        let _ = writeln!(
            o,
            "  {} {} {} ({}): +{:.0} calls (95% {:.0}–{:.0}), peak {}",
            l.line,
            l.channel,
            l.start.format("%a %H:%M"),
            if l.campaign.is_empty() { "-" } else { &l.campaign },
            l.extra_calls,
            l.extra_calls_low95,
            l.extra_calls_high95,
            l.peak_interval.map(|t| t.format("%a %H:%M").to_string()).unwrap_or_default()
        );
    }
    let flagged: Vec<&LineImpact> = i.lines.iter().filter(|l| !l.flags.is_empty()).collect();
    if !flagged.is_empty() {
        let _ = writeln!(o, "Lines to look at:");
        for l in flagged {
            let _ = writeln!(
                o,
                "  {} {} {}: {}{}",
                l.line,
                l.channel,
                l.start.format("%a %H:%M"),
                l.flags.join("; "),
                if l.suggestion.is_empty() { String::new() } else { format!(" → {}", l.suggestion) }
            );
        }
    }
    o
}

/// Impact files inside the weekly build's staging folder.
pub fn write_outputs(p: &WeeklyPlan, st: &mut Staging) -> anyhow::Result<()> {
    let i = analyse(p, 0.25)?;
    write_impact(p, &i, st)
}

fn write_impact(p: &WeeklyPlan, i: &Impact, st: &mut Staging) -> anyhow::Result<()> {
    st.write("impact.csv", impact_csv(i))?;
    st.write("impact_campaigns.csv", campaigns_csv(i))?;
    let fc = &p.forecast;
    let mut series: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (ch, g) in &fc.uplift {
        series.insert(ch.clone(), g.iter().copied().collect());
    }
    let title = format!(
        "Extra calls from the media plan and service level with / without a campaign-aware roster, week of {}",
        p.loaded.week
    );
    charts::impact_chart(
        &st.path("charts/impact.png")?,
        &charts::ImpactChart {
            title: &title,
            axis: charts::TimeAxis {
                start: p.loaded.week.and_hms_opt(0, 0, 0).unwrap_or_default(),
                step_minutes: fc.interval.get(),
            },
            uplift_by_channel: &series,
            sl_told: &i.sl_told,
            sl_not_told: &i.sl_not_told,
            target_sl: p.goal.target_sl.get(),
            interval_minutes: fc.interval.get(),
        },
    )?;
    Ok(())
}

pub fn run(a: &ImpactArgs) -> anyhow::Result<()> {
    if !(a.threshold > 0.0) {
        anyhow::bail!("--threshold {}: expected a share above 0 (e.g. 0.25)", a.threshold);
    }
    let plan = build(&a.plan, &|_| {})?;
    let i = analyse(&plan, a.threshold)?;
    let mut st = Staging::new(&a.plan.out)?;
    write_impact(&plan, &i, &mut st)?;
    st.commit()?;
    for w in &plan.loaded.warnings {
        eprintln!("warning: {w}");
    }
    print!("{}", marketing_summary(&i, &plan));
    println!("outputs: impact.csv, impact_campaigns.csv, charts/impact.png in {}", a.plan.out.display());
    Ok(())
}
