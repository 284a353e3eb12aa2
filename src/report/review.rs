//! The review's outputs: `review.csv` (one row per line), `review_stations.csv`
//! (channel × station × daypart), `review_days.csv`, `review.json` and a
//! `report.html` for marketing first. Formatting only: the numbers come from
//! [`crate::review`] and [`crate::pipeline::review`].

use super::html::{page, sourced};
use super::tables::csv_text;
use super::Staging;
use crate::pipeline::review::WeekReview;
use crate::review::{LineReview, StationReview};
use maud::{html, Markup};
use std::fmt::Write as _;

/// The files of a review, in the order they are written.
pub const REVIEW_FILES: [&str; 5] =
    ["review.csv", "review_stations.csv", "review_days.csv", "review.json", "report.html"];

/// A number with `d` decimals; empty for none. Never `-0`.
fn num(v: Option<f64>, d: usize) -> String {
    v.filter(|x| x.is_finite()).map(|x| format!("{:.*}", d, x + 0.0)).map(no_negative_zero).unwrap_or_default()
}

fn no_negative_zero(s: String) -> String {
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// `review.csv`.
pub fn review_csv(r: &WeekReview) -> String {
    let mut s = String::from("line,status,channel,campaign,station,daypart,start,planned_start,spend,grps,forecast_extra_calls,actual_extra_calls,actual_extra_calls_low95,actual_extra_calls_high95,extra_calls_while_closed,extra_calls_after_week,ratio,response_scale,answered_extra_calls,lost_extra_calls,media_cost_per_extra_call,media_cost_per_answered_call,calls_per_unit,unit\n");
    for l in &r.review.lines {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{:.0},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            csv_text(&l.line),
            l.status.label(),
            csv_text(&l.channel),
            csv_text(&l.campaign),
            csv_text(&l.station),
            l.daypart,
            l.start.format("%Y-%m-%d %H:%M"),
            l.planned_start.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default(),
            l.spend,
            num(l.grps, 1),
            num(l.forecast_extra_calls, 1),
            num(l.actual_extra_calls, 1),
            num(l.actual_extra_calls_low95, 1),
            num(l.actual_extra_calls_high95, 1),
            num(l.extra_calls_while_closed, 1),
            num(l.extra_calls_after_week, 1),
            num(l.ratio, 2),
            num(l.response_scale, 2),
            num(l.answered_extra_calls, 1),
            num(l.lost_extra_calls, 1),
            num(l.media_cost_per_extra_call, 2),
            num(l.media_cost_per_answered_call, 2),
            num(l.calls_per_unit, 3),
            l.unit
        );
    }
    s
}

/// `review_stations.csv`.
pub fn stations_csv(r: &WeekReview) -> String {
    let mut s = String::from("channel,station,daypart,lines,spend,grps,actual_extra_calls,calls_per_unit,unit,media_cost_per_extra_call,rank\n");
    for g in &r.review.stations {
        let _ = writeln!(
            s,
            "{},{},{},{},{:.0},{},{:.1},{},{},{},{}",
            csv_text(&g.channel),
            csv_text(&g.station),
            g.daypart,
            g.lines,
            g.spend,
            num(g.grps, 1),
            g.actual_extra_calls + 0.0,
            num(g.calls_per_unit, 3),
            g.unit,
            num(g.media_cost_per_extra_call, 2),
            g.rank
        );
    }
    s
}

/// `review_days.csv`.
pub fn days_csv(r: &WeekReview) -> String {
    let mut s = String::from("day,open,actual,forecast,baseline,campaigns,unexplained,level\n");
    for d in &r.review.days {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{}",
            d.day,
            u8::from(d.open),
            num(d.actual, 0),
            num(Some(d.forecast), 1),
            num(d.baseline, 1),
            num(d.campaigns, 1),
            num(d.unexplained, 1),
            num(d.level, 3)
        );
    }
    s
}

/// `review.json`: totals, lines, stations, days and the responses relearned.
pub fn review_json(r: &WeekReview) -> anyhow::Result<String> {
    let v = serde_json::json!({
        "centre": r.centre,
        "currency": r.currency,
        "week": r.week,
        "forecast_source": r.forecast_source,
        "outcomes": r.outcomes_note,
        "day_level_sd": r.day_level_sd,
        "totals": r.review.totals,
        "lines": r.review.lines,
        "stations": r.review.stations,
        "days": r.review.days,
        "learning": r.learning,
        "warnings": r.warnings,
    });
    Ok(serde_json::to_string_pretty(&v)? + "\n")
}

/// Write every output of the review into the staging folder.
pub fn write_review(st: &Staging, r: &WeekReview) -> anyhow::Result<()> {
    st.write("review.csv", review_csv(r))?;
    st.write("review_stations.csv", stations_csv(r))?;
    st.write("review_days.csv", days_csv(r))?;
    st.write("review.json", review_json(r)?)?;
    st.write("report.html", review_html(r))?;
    Ok(())
}

/// The text summary printed after a review.
pub fn review_summary(r: &WeekReview) -> String {
    let t = &r.review.totals;
    let cur = &r.currency;
    let mut o = String::new();
    let _ = writeln!(o, "Review of the week of {} — {}", r.week, r.centre);
    let _ = writeln!(
        o,
        "calls            {:.0} actual against {:.0} forecast ({})",
        t.actual_calls, t.forecast_calls, r.forecast_source
    );
    let _ = writeln!(
        o,
        "campaign calls   {:.0} (95%: {:.0}–{:.0}) against {:.0} forecast{}",
        t.actual_extra_calls,
        t.actual_extra_calls_low95,
        t.actual_extra_calls_high95,
        t.forecast_extra_calls,
        t.ratio.map(|x| format!(": {x:.2}× the forecast")).unwrap_or_default()
    );
    let _ = writeln!(
        o,
        "media cost       {:.0} {cur}: {} {cur} per extra call, {} {cur} per answered extra call",
        t.spend,
        num(t.media_cost_per_extra_call, 2),
        if t.media_cost_per_answered_call.is_some() { num(t.media_cost_per_answered_call, 2) } else { "-".into() }
    );
    match (t.answered_extra_calls, t.lost_extra_calls) {
        (Some(a), Some(l)) => {
            let _ = writeln!(
                o,
                "answered / lost  {a:.0} of the campaign calls answered, {l:.0} lost (hung up before an answer; {})",
                r.outcomes_note
            );
        }
        _ => {
            let _ = writeln!(o, "answered / lost  {}", r.outcomes_note);
        }
    }
    let _ = writeln!(o, "unexplained      {:+.0} calls no line or baseline accounts for", t.unexplained_calls);
    let _ = writeln!(o, "lines (actual extra calls, 95% range, against the forecast):");
    for l in &r.review.lines {
        let _ = writeln!(o, "  {}", line_text(l));
    }
    if !r.learning.is_empty() {
        let _ = writeln!(o, "learned from this week (response before → after):");
        for c in &r.learning {
            let _ = writeln!(
                o,
                "  {:<14} {:.2} → {:.2} calls per {} ({} lines → {}); this week's lines: {:.0} → {:.0} calls",
                c.channel,
                c.before,
                c.after,
                unit_words(c.unit),
                c.lines_before,
                c.lines_after,
                c.week_forecast_calls,
                c.week_relearned_calls
            );
        }
    }
    o
}

fn unit_words(unit: &str) -> &'static str {
    if unit == "grp" {
        "GRP"
    } else {
        "1,000 spent"
    }
}

fn line_text(l: &LineReview) -> String {
    let when = l.start.format("%a %Y-%m-%d %H:%M");
    let what = match (l.actual_extra_calls, l.actual_extra_calls_low95, l.actual_extra_calls_high95) {
        (Some(a), Some(lo), Some(hi)) => format!("{a:.0} ({lo:.0}–{hi:.0})"),
        _ => "-".into(),
    };
    format!(
        "{:<6} {:<13} {:<12} {:<10} {when}  {:<9} {what} against {}",
        l.line,
        l.channel,
        l.station,
        l.status.label(),
        l.daypart,
        l.forecast_extra_calls.map(|f| format!("{f:.0}")).unwrap_or_else(|| "-".into())
    )
}

/// The review's page: what each line drove, the best and worst stations,
/// what the centre answered and lost, and what next week's forecast learns.
pub fn review_html(r: &WeekReview) -> String {
    let title = format!("{} — review of the week of {}", r.centre, r.week);
    let nav = [
        ("lines", "Lines"),
        ("stations", "Stations"),
        ("answered", "Answered and lost"),
        ("learning", "Next week"),
        ("days", "Days"),
    ];
    page(
        &title,
        &nav,
        html! {
            (headline(r))
            (lines_section(r))
            (stations_section(r))
            (answered_section(r))
            (learning_section(r))
            (days_section(r))
        },
    )
}

fn headline(r: &WeekReview) -> Markup {
    let t = &r.review.totals;
    html! {
        section id="week" {
            p {
                "The week's media lines drove "
                (sourced("review.json:/totals/actual_extra_calls".into(), format!("{:.0}", t.actual_extra_calls)))
                " extra calls (95%: " (format!("{:.0}–{:.0}", t.actual_extra_calls_low95, t.actual_extra_calls_high95)) "), against "
                (sourced("review.json:/totals/forecast_extra_calls".into(), format!("{:.0}", t.forecast_extra_calls)))
                " forecast"
                @if let Some(x) = t.ratio { " (" (format!("{x:.2}")) "× the forecast)" }
                ". Media spend " (format!("{:.0} {}", t.spend, r.currency)) ": "
                (sourced("review.json:/totals/media_cost_per_extra_call".into(), num(t.media_cost_per_extra_call, 2)))
                " " (r.currency) " per extra call."
            }
            p class="note" { "Forecast: " (r.forecast_source) ". " "Media cost per extra call is the spend divided by the line's extra calls; it is not the cost of answering them." }
        }
    }
}

fn lines_section(r: &WeekReview) -> Markup {
    html! {
        section id="lines" {
            h2 { "What each line drove" }
            table {
                thead { tr { th { "line" } th { "channel" } th { "station" } th { "daypart" } th { "aired" } th { "status" } th { "forecast" } th { "actual extra calls" } th { "95% range" } th { "ratio" } th { "media cost per extra call" } } }
                tbody {
                    @for l in &r.review.lines {
                        tr {
                            td { (l.line) } td { (l.channel) } td { (l.station) } td { (l.daypart) }
                            td { (l.start.format("%a %d %b %H:%M").to_string()) } td { (l.status.label()) }
                            td class="num" { (num(l.forecast_extra_calls, 0)) }
                            td class="num" { (sourced(format!("review.csv:line:{}:actual_extra_calls", l.line), num(l.actual_extra_calls, 1))) }
                            td class="num" { (num(l.actual_extra_calls_low95, 0)) "–" (num(l.actual_extra_calls_high95, 0)) }
                            td class="num" { (num(l.ratio, 2)) }
                            td class="num" { (num(l.media_cost_per_extra_call, 2)) }
                        }
                    }
                }
            }
        }
    }
}

fn stations_section(r: &WeekReview) -> Markup {
    let mut ranked: Vec<&StationReview> =
        r.review.stations.iter().filter(|s| s.media_cost_per_extra_call.is_some()).collect();
    ranked.sort_by(|a, b| {
        a.media_cost_per_extra_call.unwrap_or(0.0).total_cmp(&b.media_cost_per_extra_call.unwrap_or(0.0))
    });
    html! {
        section id="stations" {
            h2 { "Stations and dayparts, cheapest calls first" }
            @if let (Some(best), Some(worst)) = (ranked.first(), ranked.last()) {
                p {
                    "Best: " (best.channel) " " (best.station) " " (best.daypart) " at " (num(best.media_cost_per_extra_call, 2)) " " (r.currency) " per extra call; "
                    "worst: " (worst.channel) " " (worst.station) " " (worst.daypart) " at " (num(worst.media_cost_per_extra_call, 2)) " " (r.currency) "."
                }
            }
            table {
                thead { tr { th { "channel" } th { "station" } th { "daypart" } th { "lines" } th { "spend" } th { "actual extra calls" } th { "calls per unit" } th { "media cost per extra call" } th { "rank in channel" } } }
                tbody {
                    @for s in &ranked {
                        tr {
                            td { (s.channel) } td { (s.station) } td { (s.daypart) } td class="num" { (s.lines) }
                            td class="num" { (format!("{:.0}", s.spend)) } td class="num" { (format!("{:.1}", s.actual_extra_calls)) }
                            td class="num" { (num(s.calls_per_unit, 2)) " per " (unit_words(s.unit)) }
                            td class="num" { (num(s.media_cost_per_extra_call, 2)) } td class="num" { (s.rank) }
                        }
                    }
                }
            }
        }
    }
}

fn answered_section(r: &WeekReview) -> Markup {
    let t = &r.review.totals;
    html! {
        section id="answered" {
            h2 { "What the centre answered and lost" }
            @match (t.answered_extra_calls, t.lost_extra_calls) {
                (Some(a), Some(l)) => {
                    p {
                        "Of the campaign calls, " (sourced("review.json:/totals/answered_extra_calls".into(), format!("{a:.0}"))) " were answered and "
                        (sourced("review.json:/totals/lost_extra_calls".into(), format!("{l:.0}"))) " lost: callers who hung up before an answer. "
                        "Media cost per answered call: " (num(t.media_cost_per_answered_call, 2)) " " (r.currency) "."
                    }
                    p class="note" { "Answered and lost from " (r.outcomes_note) "." }
                }
                _ => { p { "Answered and lost: " (r.outcomes_note) "." } }
            }
        }
    }
}

fn learning_section(r: &WeekReview) -> Markup {
    html! {
        section id="learning" {
            h2 { "How next week's forecast changes when this week is learned" }
            table {
                thead { tr { th { "channel" } th { "response before" } th { "after" } th { "per" } th { "lines behind it" } th { "this week's lines, forecast" } th { "with this week learned" } } }
                tbody {
                    @for c in &r.learning {
                        tr {
                            td { (c.channel) } td class="num" { (format!("{:.2}", c.before)) } td class="num" { (format!("{:.2}", c.after)) }
                            td { (unit_words(c.unit)) } td class="num" { (c.lines_before) " → " (c.lines_after) }
                            td class="num" { (format!("{:.0}", c.week_forecast_calls)) } td class="num" { (format!("{:.0}", c.week_relearned_calls)) }
                        }
                    }
                }
            }
        }
    }
}

fn days_section(r: &WeekReview) -> Markup {
    html! {
        section id="days" {
            h2 { "Day by day" }
            table {
                thead { tr { th { "day" } th { "actual" } th { "forecast" } th { "baseline" } th { "campaigns" } th { "unexplained" } } }
                tbody {
                    @for d in &r.review.days {
                        tr {
                            td { (d.day.format("%a %d %b").to_string()) }
                            td class="num" { (num(d.actual, 0)) } td class="num" { (num(Some(d.forecast), 0)) }
                            td class="num" { (num(d.baseline, 0)) } td class="num" { (num(d.campaigns, 0)) } td class="num" { (num(d.unexplained, 0)) }
                        }
                    }
                }
            }
        }
    }
}
