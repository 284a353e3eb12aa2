//! `report.html`: one self-contained page per build — the planner's week and
//! marketing's media plan — that opens offline (charts inline as PNG data
//! URIs, styles inline, no scripts, no network requests) and prints with a
//! page per section.
//!
//! Every number is formatted as in the CSV or JSON file it comes from, and the
//! tables name their source (`data-src`, `data-key`, `data-col`), so a test can
//! check the page against the files.

use super::atomic::Staging;
use super::summary::Summary;
use super::tables::{agent_weeks, roster_days};
use crate::impact::{group_totals, GroupTotals, Impact};
use crate::pipeline::WeeklyPlan;
use base64::Engine as _;
use maud::{html, Markup, PreEscaped, DOCTYPE};

/// A chart to show: its caption and PNG bytes.
pub struct Chart {
    pub caption: String,
    pub png: Vec<u8>,
}

/// Read back the charts staged under `prefix` for the HTML report (those
/// drawn: a chart with nothing to show is left out).
pub fn staged_charts(st: &Staging, prefix: &str, which: &[(&str, &str)]) -> anyhow::Result<Vec<Chart>> {
    let mut drawn = Vec::new();
    for (file, caption) in which {
        if st.wrote(&format!("{prefix}charts/{file}.png")) {
            drawn.push((*file, *caption));
        }
    }
    drawn
        .iter()
        .map(|(file, caption)| {
            let png = st.read(&format!("{prefix}charts/{file}.png"))?;
            Ok(Chart { caption: caption.to_string(), png })
        })
        .collect()
}

const STYLE: &str = r#"
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2330; margin: 0; background: #f5f6f8; }
main { max-width: 1180px; margin: 0 auto; padding: 1.5rem; }
header { background: #1f3a5f; color: #fff; padding: 1.2rem 1.5rem; }
header h1 { margin: 0 0 .3rem; font-size: 1.5rem; }
nav a { color: #cfe0f5; margin-right: 1rem; }
section { background: #fff; border-radius: 6px; padding: 1rem 1.4rem; margin: 1.2rem 0; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
h2 { font-size: 1.2rem; margin-top: .2rem; border-bottom: 2px solid #e3e7ee; padding-bottom: .3rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-variant-numeric: tabular-nums; }
th, td { padding: .25rem .5rem; border-bottom: 1px solid #e6e9ef; text-align: left; vertical-align: top; }
th { background: #f0f3f7; font-weight: 600; }
td.n, th.n { text-align: right; white-space: nowrap; }
th.n { white-space: normal; }
table.lines { font-size: .88rem; }
td.t { white-space: nowrap; }
tr.sub td { border-bottom: 1px solid #d5dae3; padding-top: 0; color: #3d4657; font-size: .9rem; }
tr:has(+ tr.sub) td { border-bottom: none; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(210px, 1fr)); gap: .8rem; }
.kpi { border: 1px solid #e3e7ee; border-radius: 6px; padding: .6rem .8rem; }
.kpi .v { font-size: 1.35rem; font-weight: 600; }
.kpi .l { color: #5a6475; font-size: .85rem; }
figure { margin: 1rem 0; }
figure img { width: 100%; height: auto; border: 1px solid #e3e7ee; }
figcaption { color: #5a6475; font-size: .85rem; }
.note { color: #5a6475; font-size: .9rem; }
.flag { color: #8a4b00; }
.wide { overflow-x: auto; }
td.day { min-width: 5.5rem; white-space: nowrap; }
.bar { display: block; position: relative; height: 6px; background: #eef1f5; margin-top: 2px; }
.bar span { position: absolute; top: 0; bottom: 0; }
.bar .on { background: #3c8c50; }
.bar .brk { background: #c8c8c8; }
@media print {
  body { background: #fff; font-size: 10pt; }
  header { background: #fff; color: #000; border-bottom: 2px solid #000; }
  nav { display: none; }
  section { box-shadow: none; page-break-before: always; break-before: page; padding: 0; }
  section:first-of-type { page-break-before: avoid; break-before: avoid; }
  figure, tr { break-inside: avoid; }
  @page { size: A4 landscape; margin: 12mm; }
}
"#;

/// The weekly build's report: the planner's sections, then marketing's.
pub fn plan_report(p: &WeeklyPlan, s: &Summary, charts: &[Chart]) -> String {
    let title = format!("{} — week of {}", p.settings().name, p.loaded.week);
    let nav = [("week", "Week"), ("charts", "Charts"), ("media", "Media plan"), ("roster", "Roster")];
    page(
        &title,
        &nav,
        html! {
            (week_at_a_glance(s))
            (service_by_day(s))
            (charts_section(charts, media_charts_note(p).as_deref()))
            (worst_intervals(s))
            (paid_hours(s))
            (media_plan(&p.impact))
            (roster_by_day(p))
            (roster_by_agent(p))
        },
    )
}

/// The impact run's report: marketing's sections and the impact chart.
pub fn impact_report(p: &WeeklyPlan, charts: &[Chart]) -> String {
    let title = format!("{} — media plan for the week of {}", p.settings().name, p.loaded.week);
    page(
        &title,
        &[("media", "Media plan"), ("charts", "Charts")],
        html! { (media_plan(&p.impact)) (charts_section(charts, media_charts_note(p).as_deref())) },
    )
}

/// Why media charts are left out, where they are.
fn media_charts_note(p: &WeeklyPlan) -> Option<String> {
    let no_lines = p.impact.lines.is_empty();
    let no_responses = p.fitted.responses().is_empty();
    match (no_lines, no_responses) {
        (false, false) => None,
        (true, true) => Some(
            "No media charts: the media plan has no lines, and no channel response was learned (no past media plans)."
                .into(),
        ),
        (true, false) => {
            Some("No impact chart: the media plan has no lines, so campaigns add no calls this week.".into())
        }
        (false, true) => {
            Some("No channel-response chart: no channel response was learned from past media plans.".into())
        }
    }
}

/// The page around `body`, with links to its sections (id, label).
pub(super) fn page(title: &str, nav: &[(&str, &str)], body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                // Nothing leaves the page: no scripts, no requests but its own
                // inline images (a browser refuses and reports any other).
                meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { (title) }
                    nav {
                        @for (id, label) in nav { a href=(format!("#{id}")) { (label) } }
                    }
                }
                main { (body) }
            }
        }
    }
    .into_string()
}

/// A number with where it comes from (`file:locator`), so a test can check
/// the page against the files: `summary.json:/json/pointer`,
/// `impact.csv:sum:column`, `roster.csv:agent:ID:paid_hours`,
/// `roster.csv:day:YYYY-MM-DD:shifts|paid_hours|unfilled`.
pub(super) fn sourced(source: String, text: String) -> Markup {
    html! { span data-v=(source) { (text) } }
}

/// A number of `summary.json` at `pointer`.
fn summary_value(pointer: &str, text: String) -> Markup {
    sourced(format!("summary.json:{pointer}"), text)
}

pub(super) fn kpi(label: &str, value: impl maud::Render) -> Markup {
    html! { div.kpi { div.v { (value) } div.l { (label) } } }
}

fn week_at_a_glance(s: &Summary) -> Markup {
    let cur = &s.currency;
    html! {
        section #week {
            h2 { "The week at a glance" }
            div.kpis {
                (kpi("calls forecast (95% range)", html! {
                    (summary_value("/calls_forecast", format!("{:.0}", s.calls_forecast)))
                    " (" (summary_value("/calls_forecast_low95", format!("{:.0}", s.calls_forecast_low95)))
                    "–" (summary_value("/calls_forecast_high95", format!("{:.0}", s.calls_forecast_high95))) ")"
                }))
                (kpi("of which from campaigns", summary_value("/calls_from_campaigns", format!("{:.0}", s.calls_from_campaigns))))
                (kpi("agent-hours needed on the phones", html! { (summary_value("/agent_hours_needed_on_phones", format!("{:.0}", s.agent_hours_needed_on_phones))) " h" }))
                (kpi("paid hours rostered", html! { (summary_value("/agent_hours_rostered", format!("{:.0}", s.agent_hours_rostered))) " h" }))
                (kpi("shifts / agents rostered", html! { (summary_value("/shifts", s.shifts.to_string())) " / " (summary_value("/agents_rostered", s.agents_rostered.to_string())) }))
                (kpi("roster cost", html! { (summary_value("/cost", format!("{:.0}", s.cost))) " " (cur) }))
                (kpi("shifts no agent could take", summary_value("/unfilled_shifts", s.unfilled_shifts.to_string())))
                (kpi("agents below contract minimum", summary_value("/agents_below_contract_minimum", s.agents_below_contract_minimum.to_string())))
            }
            p.note {
                "Handle time " (summary_value("/handle_time_seconds", format!("{:.0}", s.handle_time_seconds))) " s (" (s.handle_time_source) "); "
                @match s.patience_seconds {
                    Some(v) => { "caller patience " (summary_value("/patience_seconds", format!("{v:.0}"))) " s (" (s.patience_source) "), Erlang A." }
                    None => { "no caller patience: Erlang C." }
                }
                " Roster: " (s.roster_status) "."
            }
            p.note { "Agents needed: " (super::summary::staffing_sentence(&s.staffing_set_by)) "." }
            @if !s.special_days.is_empty() { p.note { "Special days this week: " (s.special_days.join("; ")) "." } }
            @if let Some(m) = super::summary::minimums_sentence(s) { p.note { "Contract minimums: " (m) "." } }
            @if let Some(l) = &s.lines { (lines_note(l)) }
        }
    }
}

/// The lines and the week's busy signals, for the planner.
fn lines_note(l: &super::summary::LinesSummary) -> Markup {
    html! {
        p.note {
            "Lines: " (summary_value("/lines/trunks", l.trunks.to_string())) " trunks"
            @if let Some(p) = l.ivr_ports { ", " (p) " IVR ports" }
            "; " (format!("{:.0}", l.redial_share * 100.0)) "% of busy callers call again after " (l.redial_minutes) " min on average. "
            @match &l.week {
                Some(w) => {
                    "Busy signals in the week (simulated): " (summary_value("/lines/week/busy_signals", format!("{:.0}", w.busy_signals)))
                    @if let Some(b) = w.busy_share { " (" (format!("{:.2}", b.mean * 100.0)) "% of attempts)" }
                    "; callers lost to them: " (summary_value("/lines/week/callers_lost_to_busy", format!("{:.0}", w.callers_lost_to_busy)))
                    ", apart from those who got a line and hung up waiting"
                    @if let (Some(m), Some(b)) = (&w.worst_minute, w.worst_minute_busy_share) { "; the worst minute " (m) " (" (format!("{:.0}", b * 100.0)) "% busy)" }
                    "."
                }
                None => { "Busy signals are not simulated (simulation.replications = 0)." }
            }
            @if l.intervals_with_agents_beyond_trunks > 0 {
                " " strong { (l.intervals_with_agents_beyond_trunks) " interval(s) have more agents on the phones than trunks (up to " (l.most_agents_on_phones) "): the extra agents cannot take a call." }
            }
        }
    }
}

pub(super) fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{:.1}%", x * 100.0)).unwrap_or_else(|| "closed".into())
}

fn service_by_day(s: &Summary) -> Markup {
    let busy = s.days.iter().any(|d| d.busy.is_some());
    html! {
        section {
            h2 { "Service level per day" }
            p.note { "Projected: Erlang per interval on the roster, weighted by calls. Simulated: the roster's week replayed call by call (mean and 95% range of the replications)." }
            table data-src="summary.json#days" {
                tr {
                    th { "day" } th.n { "calls" } th.n { "projected" } th.n { "simulated" } th.n { "simulated 95% range" } th.n { "abandoned" } th.n { "under-staffed intervals" }
                    @if busy { th.n { "busy signals" } th.n { "callers lost to busy signals" } }
                }
                @for d in &s.days {
                    tr data-key=(d.date) {
                        td { (d.date) }
                        td.n data-col="calls" { (format!("{:.0}", d.calls)) }
                        td.n data-col="service_level" { (pct(d.service_level)) }
                        td.n data-col="simulated_service_level.mean" { (pct(d.simulated_service_level.as_ref().map(|e| e.mean))) }
                        td.n { (d.simulated_service_level.as_ref().map(|e| format!("{:.1}–{:.1}%", e.low95 * 100.0, e.high95 * 100.0)).unwrap_or_else(|| "-".into())) }
                        td.n data-col="abandoned_calls" { (d.abandoned_calls.map(|v| format!("{v:.0}")).unwrap_or_else(|| "-".into())) }
                        td.n data-col="understaffed_intervals" { (d.understaffed_intervals) }
                        @if busy {
                            td.n data-col="busy.busy_signals" { (d.busy.as_ref().map(|b| format!("{:.0}", b.busy_signals)).unwrap_or_else(|| "-".into())) }
                            td.n data-col="busy.callers_lost_to_busy" { (d.busy.as_ref().map(|b| format!("{:.0}", b.callers_lost_to_busy)).unwrap_or_else(|| "-".into())) }
                        }
                    }
                }
            }
        }
    }
}

fn worst_intervals(s: &Summary) -> Markup {
    html! {
        section {
            h2 { "Worst intervals" }
            table {
                tr { th { "interval" } th.n { "calls" } th.n { "on the phones" } th.n { "needed" } th.n { "service level" } }
                @for (k, w) in s.worst_intervals.iter().enumerate() {
                    tr data-key=(w.interval_start) {
                        td { (w.interval_start) }
                        td.n { (summary_value(&format!("/worst_intervals/{k}/calls"), format!("{:.0}", w.calls))) }
                        td.n { (summary_value(&format!("/worst_intervals/{k}/on_phones"), w.on_phones.to_string())) }
                        td.n { (summary_value(&format!("/worst_intervals/{k}/required"), w.required.to_string())) }
                        td.n { (summary_value(&format!("/worst_intervals/{k}/service_level"), pct(Some(w.service_level)))) }
                    }
                }
            }
        }
    }
}

fn paid_hours(s: &Summary) -> Markup {
    let h = &s.hours_beyond_need;
    html! {
        section {
            h2 { "Where the paid hours go" }
            table {
                tr { th { "" } th.n { "hours" } }
                tr { td { "needed (on the phones, after shrinkage)" } td.n { (summary_value("/hours_beyond_need/needed", format!("{:.1}", h.needed))) } }
                tr { td { "on shift beyond an interval's need (shift lengths, opening hours, minimum agents)" } td.n { (summary_value("/hours_beyond_need/on_shift_beyond_need", format!("{:.1}", h.on_shift_beyond_need))) } }
                tr { td { "less: below need (unfilled shifts, or borrowed under a daily goal)" } td.n { (summary_value("/hours_beyond_need/below_need", format!("{:.1}", h.below_need))) } }
                tr { td { "paid breaks" } td.n { (summary_value("/hours_beyond_need/paid_breaks", format!("{:.1}", h.paid_breaks))) } }
                tr { th { "rostered" } th.n { (summary_value("/agent_hours_rostered", format!("{:.1}", s.agent_hours_rostered))) } }
            }
        }
    }
}

fn roster_by_day(p: &WeeklyPlan) -> Markup {
    html! {
        section #roster {
            h2 { "Roster by day" }
            table data-src="roster.csv" {
                tr { th { "day" } th.n { "shifts" } th.n { "paid hours" } th.n { "first start" } th.n { "last end" } th.n { "unfilled" } }
                @for d in roster_days(p) {
                    tr data-key=(d.day) {
                        td { (d.label) }
                        td.n { (sourced(format!("roster.csv:day:{}:shifts", d.day), d.shifts.to_string())) }
                        td.n { (sourced(format!("roster.csv:day:{}:paid_hours", d.day), format!("{:.2}", d.paid_hours))) }
                        td.n { (d.first_start) }
                        td.n { (d.last_end) }
                        td.n { (sourced(format!("roster.csv:day:{}:unfilled", d.day), d.unfilled.to_string())) }
                    }
                }
            }
        }
    }
}

fn roster_by_agent(p: &WeeklyPlan) -> Markup {
    let days = crate::calendar::week_days(p.loaded.week);
    html! {
        section {
            h2 { "Roster by agent" }
            p.note { "Each day's shift as a bar from midnight to midnight, breaks in grey: the roster's Gantt, one row per agent." }
            div.wide {
                table data-src="roster.csv" {
                    tr {
                        th { "agent" } th { "name" } th { "contract" }
                        @for d in &days { th { (d.format("%a %d")) } }
                        th.n { "paid hours" }
                    }
                    @for a in agent_weeks(p) {
                        tr data-key=(a.id) {
                            td { (a.id) } td { (a.name) } td { (a.contract) }
                            @for (cell, bar) in a.days.iter().zip(&a.bars) {
                                td.day { (cell) @if let Some(b) = bar { (day_bar(b)) } }
                            }
                            td.n { (sourced(format!("roster.csv:agent:{}:paid_hours", a.id), format!("{:.2}", a.paid_hours))) }
                        }
                    }
                }
            }
        }
    }
}

/// A shift as a bar across its day (breaks in grey): the roster's Gantt, one
/// row per named agent, legible however many agents the week has.
fn day_bar(b: &super::tables::DayBar) -> Markup {
    let pct = |f: f64| format!("{:.2}%", f * 100.0);
    html! {
        span.bar title="the shift across its day, midnight to midnight; breaks in grey" {
            span.on style={ "left:" (pct(b.from)) ";width:" (pct(b.to - b.from)) } {}
            @for (x, y) in &b.breaks { span.brk style={ "left:" (pct(*x)) ";width:" (pct(y - x)) } {} }
        }
    }
}

fn media_plan(i: &Impact) -> Markup {
    let cur = &i.currency;
    let sum = |f: fn(&crate::impact::LineImpact) -> f64| i.lines.iter().map(f).sum::<f64>();
    html! {
        section #media {
            h2 { "The media plan and the phones" }
            @if i.lines.is_empty() {
                p { "The media plan has no lines: no campaign calls to assess." }
            } @else {
                div.kpis {
                    (kpi("extra calls in the week", sourced("impact.csv:sum:extra_calls_in_week".into(), format!("{:.0}", sum(|l| l.extra_calls)))))
                    (kpi("extra calls after the week (carry-over)", sourced("impact.csv:sum:extra_calls_after_week".into(), format!("{:.0}", sum(|l| l.calls_after_week)))))
                    (kpi("extra paid hours to answer them", html! { (sourced("impact.csv:sum:extra_paid_hours".into(), format!("{:.0}", sum(|l| l.extra_paid_hours)))) " h" }))
                    (kpi("their staffing cost", html! { (sourced("impact.csv:sum:extra_cost".into(), format!("{:.0}", sum(|l| l.extra_cost)))) " " (cur) }))
                    (kpi("callers lost if the centre is not told", sourced("impact.csv:sum:lost_calls_if_not_told".into(), format!("{:.0}", sum(|l| l.lost_calls_if_not_told)))))
                    (kpi("their value", html! { (sourced("impact.csv:sum:value_lost_if_not_told".into(), format!("{:.0}", sum(|l| l.value_lost_if_not_told)))) " " (cur) }))
                    @if i.with_lines {
                        (kpi("callers who hear a busy signal if the centre is not told", sourced("impact.csv:sum:busy_callers_if_not_told".into(), format!("{:.0}", sum(|l| l.busy.map_or(0.0, |b| b.busy_callers_if_not_told))))))
                    }
                }
                @if i.with_lines {
                    p.note { "Busy signals: callers who find every line taken, minute by minute after each spot (its calls on the channel's learned minute curve). Lines for the target: the lines that keep every minute after the spot at or under the busy target with the roster as planned." }
                }
                p.note { "Lost: " (i.lost_means) ". Media cost per extra call is the spend divided by the line's extra calls; the staffing cost is what answering them costs." }
                h3 { "Each line" }
                div.wide {
                    table.lines data-src="impact.csv" {
                        tr {
                            th { "line" } th { "channel" } th { "campaign" } th { "start" } th.n { "spend" }
                            th.n { "extra calls in the week" } th.n { "95% range" } th.n { "after the week" }
                            th { "busiest interval" } th.n { "extra paid hours" } th.n { (format!("cost ({cur})")) }
                            th.n { "lost if not told" }
                            th { "station" } th { "daypart" } th.n { (format!("media cost per extra call ({cur})")) } th { "response" }
                            @if i.with_lines { th.n { "busy if not told" } th.n { "worst minute busy" } th.n { "lines for the busy target" } }
                        }
                        @for l in &i.lines {
                            tr data-key=(l.line) {
                                td { (l.line) } td { (l.channel) } td { (l.campaign) }
                                td.t { (l.start.format("%a %d %b %H:%M")) }
                                td.n data-col="spend" { (format!("{:.0}", l.spend)) }
                                td.n data-col="extra_calls_in_week" { (format!("{:.1}", l.extra_calls)) }
                                td.n { span data-col="extra_calls_in_week_low95" { (format!("{:.1}", l.extra_calls_low95)) } "–" span data-col="extra_calls_in_week_high95" { (format!("{:.1}", l.extra_calls_high95)) } }
                                td.n data-col="extra_calls_after_week" { (format!("{:.1}", l.calls_after_week)) }
                                td.t {
                                    @if let Some(t) = l.peak_interval {
                                        (t.format("%a %H:%M")) " (+" span data-col="peak_extra_calls" { (format!("{:.1}", l.peak_extra_calls)) } ")"
                                    }
                                }
                                td.n data-col="extra_paid_hours" { (format!("{:.2}", l.extra_paid_hours)) }
                                td.n data-col="extra_cost" { (format!("{:.2}", l.extra_cost)) }
                                td.n data-col="lost_calls_if_not_told" { (format!("{:.1}", l.lost_calls_if_not_told)) }
                                td data-col="station" { (l.station) } td data-col="daypart" { (l.daypart) }
                                td.n data-col="media_cost_per_extra_call" { (l.media_cost_per_extra_call.map(|c| format!("{c:.2}")).unwrap_or_default()) }
                                td { span data-col="response_source" { (l.response_source) } " (" span data-col="response_lines" { (l.response_lines) } " past lines)" }
                                @if i.with_lines {
                                    td.n data-col="busy_callers_if_not_told" { (l.busy.map(|b| format!("{:.2}", b.busy_callers_if_not_told)).unwrap_or_default()) }
                                    td.n { (l.busy.map(|b| format!("{:.1}%", b.worst_minute_busy_share * 100.0)).unwrap_or_default()) }
                                    td.n data-col="lines_for_busy_target" { (l.busy.and_then(|b| b.lines_for_busy_target).map(|n| n.to_string()).unwrap_or_default()) }
                                }
                            }
                            @if !l.flags.is_empty() || !l.suggestion.is_empty() {
                                tr.sub {
                                    td {}
                                    td colspan="15" {
                                        @for f in &l.flags { span.flag { "⚑ " (f) } br; }
                                        @if !l.suggestion.is_empty() { "Suggestion: " (l.suggestion) }
                                    }
                                }
                            }
                        }
                    }
                }
                h3 { "By campaign and channel" }
                (group_table(&group_totals(i), cur))
            }
        }
    }
}

fn group_table(groups: &[((&'static str, String), GroupTotals)], cur: &str) -> Markup {
    html! {
        table data-src="impact_campaigns.csv" {
            tr {
                th { "group" } th { "name" } th.n { "lines" } th.n { "spend" } th.n { "extra calls in the week" }
                th.n { "after the week" } th.n { "extra paid hours" } th.n { (format!("cost ({cur})")) }
                th.n { "answering cost per extra call" } th.n { "media cost per extra call" } th.n { "lost if not told" }
            }
            @for ((g, n), e) in groups {
                tr data-key=(format!("{g}/{n}")) {
                    td { (g) } td { (n) }
                    td.n data-col="lines" { (e.lines) }
                    td.n data-col="spend" { (format!("{:.0}", e.spend)) }
                    td.n data-col="extra_calls_in_week" { (format!("{:.1}", e.extra_calls)) }
                    td.n data-col="extra_calls_after_week" { (format!("{:.1}", e.after_week)) }
                    td.n data-col="extra_paid_hours" { (format!("{:.2}", e.extra_paid_hours)) }
                    td.n data-col="extra_cost" { (format!("{:.2}", e.extra_cost)) }
                    td.n data-col="answering_cost_per_extra_call" { (format!("{:.2}", e.answering_cost_per_call())) }
                    td.n data-col="media_cost_per_extra_call" { (e.media_cost_per_call().map(|c| format!("{c:.2}")).unwrap_or_default()) }
                    td.n data-col="lost_calls_if_not_told" { (format!("{:.1}", e.lost_calls)) }
                }
            }
        }
    }
}

fn charts_section(charts: &[Chart], note: Option<&str>) -> Markup {
    let b64 = base64::engine::general_purpose::STANDARD;
    html! {
        section #charts {
            h2 { "Charts" }
            @if let Some(n) = note { p.note { (n) } }
            @for c in charts {
                figure {
                    img src=(format!("data:image/png;base64,{}", b64.encode(&c.png))) alt=(c.caption);
                    figcaption { (c.caption) }
                }
            }
        }
    }
}
