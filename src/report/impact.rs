//! The campaign impact's outputs: CSVs for marketing, the chart, and the text
//! summary. Formatting only: the numbers come from [`crate::impact`].

use super::charts;
use super::tables::csv_text;
use super::Staging;
use crate::impact::{group_totals, Impact, LineImpact};
use crate::pipeline::WeeklyPlan;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// `impact.csv`.
pub fn impact_csv(i: &Impact) -> String {
    let mut s = String::from("line,row,channel,campaign,start,spend,extra_calls_in_week,extra_calls_in_week_low95,extra_calls_in_week_high95,peak_interval,peak_extra_calls,calls_when_closed,extra_calls_after_week,extra_agent_hours,extra_paid_hours,extra_cost,lost_calls_if_not_told,value_lost_if_not_told,flags,suggestion,response_source,response_lines,station,daypart,media_cost_per_extra_call,answering_cost_per_extra_call");
    if i.with_lines {
        s.push_str(",busy_callers_if_not_told,worst_minute_busy_share,lines_for_busy_target");
    }
    s.push('\n');
    for l in &i.lines {
        let _ = write!(
            s,
            "{},{},{},{},{},{:.0},{:.1},{:.1},{:.1},{},{:.1},{:.1},{:.1},{:.2},{:.2},{:.2},{:.1},{:.2},{},{},{},{},{},{},{},{}",
            csv_text(&l.line),
            l.row,
            csv_text(&l.channel),
            csv_text(&l.campaign),
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
            csv_text(&flags_text(&l.flags)),
            csv_text(&l.suggestion.to_string()),
            l.response_source,
            l.response_lines,
            csv_text(&l.station),
            l.daypart,
            l.media_cost_per_extra_call.map(|c| format!("{c:.2}")).unwrap_or_default(),
            if l.extra_calls >= 0.5 { format!("{:.2}", l.extra_cost / l.extra_calls) } else { String::new() }
        );
        if i.with_lines {
            let b = l.busy;
            let _ = write!(
                s,
                ",{},{},{}",
                b.map(|b| format!("{:.2}", b.busy_callers_if_not_told)).unwrap_or_default(),
                b.map(|b| format!("{:.4}", b.worst_minute_busy_share)).unwrap_or_default(),
                b.and_then(|b| b.lines_for_busy_target).map(|n| n.to_string()).unwrap_or_default(),
            );
        }
        s.push('\n');
    }
    s
}

/// `impact_campaigns.csv` and the per-channel marginal view.
pub fn campaigns_csv(i: &Impact) -> String {
    let mut s = String::from("group,name,lines,spend,extra_calls_in_week,extra_calls_after_week,extra_paid_hours,extra_cost,answering_cost_per_extra_call,media_cost_per_extra_call,lost_calls_if_not_told,value_lost_if_not_told\n");
    for ((g, n), e) in &group_totals(i) {
        let _ = writeln!(
            s,
            "{g},{},{},{:.0},{:.1},{:.1},{:.2},{:.2},{:.2},{},{:.1},{:.2}",
            csv_text(n),
            e.lines,
            e.spend,
            e.extra_calls,
            e.after_week,
            e.extra_paid_hours,
            e.extra_cost,
            e.answering_cost_per_call(),
            e.media_cost_per_call().map(|c| format!("{c:.2}")).unwrap_or_default(),
            e.lost_calls,
            e.value_lost
        );
    }
    s
}

/// The text summary for a marketing reader.
pub fn marketing_summary(p: &WeeklyPlan) -> String {
    let i = &p.impact;
    let mut o = String::new();
    if i.lines.is_empty() {
        let _ =
            writeln!(o, "The media plan for the week of {} has no lines: no campaign calls to assess.", p.loaded.week);
        return o;
    }
    let cur = &i.currency;
    let _ = writeln!(o, "Media plan for the week of {}: {} lines", p.loaded.week, i.lines.len());
    let _ = writeln!(
        o,
        "It will bring about {:.0} extra calls to the contact centre in the week (and {:.0} after it). Answering them to the service goal takes {:.0} extra paid agent-hours ({:.0} {cur}).",
        i.total_extra_calls,
        i.lines.iter().map(|l| l.calls_after_week).sum::<f64>(),
        i.lines.iter().map(|l| l.extra_paid_hours).sum::<f64>(),
        i.lines.iter().map(|l| l.extra_cost).sum::<f64>()
    );
    let _ = writeln!(
        o,
        "If the centre is not told, about {:.0} of those callers are lost (worth {:.0} {cur}); lost: {}.",
        i.lines.iter().map(|l| l.lost_calls_if_not_told).sum::<f64>(),
        i.lines.iter().map(|l| l.value_lost_if_not_told).sum::<f64>(),
        i.lost_means
    );
    let mut top: Vec<&LineImpact> = i.lines.iter().collect();
    top.sort_by(|a, b| b.extra_calls.total_cmp(&a.extra_calls).then(a.line.cmp(&b.line)));
    let _ = writeln!(o, "Biggest lines:");
    for l in top.iter().take(5) {
        let _ = writeln!(
            o,
            "  {} {} {} ({}): +{:.0} calls in the week (95% {:.0}–{:.0}), +{:.0} after it, peak {}{}",
            l.line,
            l.channel,
            l.start.format("%a %H:%M"),
            if l.campaign.is_empty() { "-" } else { &l.campaign },
            l.extra_calls,
            l.extra_calls_low95,
            l.extra_calls_high95,
            l.calls_after_week,
            l.peak_interval.map(|t| t.format("%a %H:%M").to_string()).unwrap_or_default(),
            match l.response_source {
                "assumed" => " [response assumed in the config: no past lines]".to_string(),
                "blended" => format!(" [response assumed and learned from {} past lines]", l.response_lines),
                _ => String::new(),
            }
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
                flags_text(&l.flags),
                if l.suggestion.is_empty() { String::new() } else { format!(" → {}", l.suggestion) }
            );
        }
    }
    o
}

/// The impact outputs under `prefix` (`""` or a folder ending in `/`).
pub fn write_impact_into(p: &WeeklyPlan, st: &Staging, prefix: &str) -> anyhow::Result<()> {
    let i = &p.impact;
    st.write(&format!("{prefix}impact.csv"), impact_csv(i))?;
    st.write(&format!("{prefix}impact_campaigns.csv"), campaigns_csv(i))?;
    if i.lines.is_empty() {
        // No campaigns: an empty chart says nothing; the report says why it is left out.
        return st.leave_out(&format!("{prefix}charts/impact.png"));
    }
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
        &st.path(&format!("{prefix}charts/impact.png"))?,
        &charts::ImpactChart {
            title: &title,
            axis: charts::TimeAxis::new(p.loaded.week.and_hms_opt(0, 0, 0).unwrap_or_default(), fc.interval.get()),
            uplift_by_channel: &series,
            sl_told: &i.sl_told,
            sl_not_told: &i.sl_not_told,
            target_sl: p.settings().service.goal.target_sl.get(),
            interval_minutes: fc.interval.get(),
        },
    )?;
    Ok(())
}

/// The impact run's outputs with its `report.html`.
pub fn write_impact_report(p: &WeeklyPlan, st: &Staging) -> anyhow::Result<()> {
    write_impact_into(p, st, "")?;
    let captions = [(
        "impact",
        "Extra calls from the media plan by channel, and the service level with and without a campaign-aware roster",
    )];
    let charts = super::html::staged_charts(st, "", &captions)?;
    st.write("report.html", super::html::impact_report(p, &charts))
}

/// A line's flags as the CSV and the text summary write them.
fn flags_text(flags: &[crate::impact::LineFlag]) -> String {
    flags.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("; ")
}
