//! The weekly build's outputs: CSVs, the planner's workbook, the summary and
//! the charts — staged, then moved into place together.

use super::atomic::OutDir;
use super::charts::{self, CoverageChart, ForecastChart, GanttShift, ResponseCurve, RosterChart, TimeAxis};
use super::summary::Summary;
use super::tables::{coverage_csv, forecast_csv, requirements_csv, roster_csv, shifts_csv};
use super::Staging;
use crate::forecast::typical::{typical_responses, TypicalResponse};
use crate::pipeline::WeeklyPlan;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Write every output of the weekly build into `out` (all or nothing).
pub fn write_all(p: &WeeklyPlan, s: &Summary, out: &OutDir) -> anyhow::Result<Vec<PathBuf>> {
    let st = Staging::new(out)?;
    write_into(p, s, &st, "")?;
    st.commit()
}

/// Stage every output of the weekly build under `prefix` (`""` or a folder
/// ending in `/`).
pub fn write_into(p: &WeeklyPlan, s: &Summary, st: &Staging, prefix: &str) -> anyhow::Result<()> {
    let name = |n: &str| format!("{prefix}{n}");
    st.write(&name("forecast.csv"), forecast_csv(&p.forecast))?;
    st.write(&name("requirements.csv"), requirements_csv(&p.requirements))?;
    let settings = p.settings();
    st.write(&name("shifts.csv"), shifts_csv(&p.scheduled, &settings.scheduling, settings.costs.hourly))?;
    st.write(&name("roster.csv"), roster_csv(p))?;
    st.write(&name("coverage.csv"), coverage_csv(&p.coverage))?;
    st.write(&name("summary.json"), serde_json::to_string_pretty(s)? + "\n")?;
    let xlsx = st.path(&name("roster.xlsx"))?;
    super::workbook::write_roster_workbook(p, s, &xlsx)?;
    draw_charts(p, st, prefix)?;
    super::impact::write_impact_into(p, st, prefix)?;
    let charts = super::html::staged_charts(st, prefix, CHART_CAPTIONS)?;
    st.write(&name("report.html"), super::html::plan_report(p, s, &charts))
}

/// The weekly build's charts in the report, with their captions.
const CHART_CAPTIONS: &[(&str, &str)] = &[
    (
        "forecast",
        "Calls per interval: the history's last seven days, the forecast (baseline and campaigns) and its 95% band",
    ),
    ("coverage", "Agents on the phones against the requirement, and the projected service level"),
    (
        "impact",
        "Extra calls from the media plan by channel, and the service level with and without a campaign-aware roster",
    ),
    (
        "roster",
        "Who works when: a Gantt with every agent named up to 60 agents; beyond, agents on shift per day and quarter-hour (each agent's shifts are drawn as bars in Roster by agent)",
    ),
    ("channel_response", "What each channel does to the phones, as learned from past campaigns"),
];

/// First of the seven whole days of history the forecast chart shows: the
/// week before the planning week, or, when the history ends before days the
/// centre opens (a history that stops a week early), the history's last
/// seven days, drawn beside the week rather than days of nothing.
fn recent_days_from(history_days: &[NaiveDate], week: NaiveDate, is_open_day: impl Fn(NaiveDate) -> bool) -> NaiveDate {
    let week_before = week - Duration::days(7);
    let Some(last) = history_days.iter().copied().filter(|d| *d < week).max() else { return week_before };
    let open_days_missing = (1..(week - last).num_days()).any(|k| is_open_day(last + Duration::days(k)));
    if open_days_missing {
        last - Duration::days(6)
    } else {
        week_before
    }
}

fn draw_charts(p: &WeeklyPlan, st: &Staging, prefix: &str) -> anyhow::Result<()> {
    let week_start: NaiveDateTime = p.loaded.week.and_hms_opt(0, 0, 0).unwrap_or_default();
    draw_forecast(p, st, prefix, week_start)?;
    draw_coverage(p, st, prefix, week_start)?;
    draw_roster(p, st, prefix, week_start)?;
    draw_responses(p, st, prefix)
}

/// The history's last seven days, then the forecast week.
fn draw_forecast(p: &WeeklyPlan, st: &Staging, prefix: &str, week_start: NaiveDateTime) -> anyhow::Result<()> {
    let fc = &p.forecast;
    let per_day = fc.interval.per_day();
    let step = fc.interval.get();
    let calendar = &p.settings().calendar;
    let recent_from = recent_days_from(&p.loaded.history.days, p.loaded.week, |d| calendar.is_open_day(d));
    let gap = recent_from + Duration::days(7) < p.loaded.week;
    let mut actual = Vec::with_capacity(7 * per_day);
    for d in 0..7 {
        let day = recent_from + Duration::days(d);
        for s in 0..per_day {
            actual.push(
                p.loaded.history.day_index(day).map(|k| p.loaded.history.offered[[k, s]]).filter(|v| !v.is_nan()),
            );
        }
    }
    let flat = |a: &ndarray::Array2<f64>| a.iter().copied().collect::<Vec<f64>>();
    let spots: Vec<NaiveDateTime> =
        p.loaded.plan.lines.iter().filter(|l| l.kind == crate::config::ChannelKind::Spot).map(|l| l.start).collect();
    let title = if gap {
        format!(
            "{} — calls per {} minutes: the history's last seven days (to {}) and the forecast for the week of {}",
            p.settings().name,
            step,
            recent_from + Duration::days(6),
            p.loaded.week
        )
    } else {
        format!(
            "{} — calls per {} minutes: last week's actuals and the forecast for the week of {}",
            p.settings().name,
            step,
            p.loaded.week
        )
    };
    let history_start = recent_from.and_hms_opt(0, 0, 0).unwrap_or_default();
    charts::forecast_chart(
        &st.path(&format!("{prefix}charts/forecast.png"))?,
        &ForecastChart {
            title: &title,
            axis: TimeAxis {
                start: history_start,
                step_minutes: step,
                resume: gap.then_some((actual.len() as f64, week_start)),
            },
            actual: &actual,
            forecast_from: actual.len(),
            baseline: &flat(&fc.baseline),
            uplift: &flat(&fc.total_uplift()),
            lo95: &flat(&fc.lo95),
            hi95: &flat(&fc.hi95),
            spots: &spots,
            interval_minutes: step,
        },
    )?;
    Ok(())
}

fn draw_coverage(p: &WeeklyPlan, st: &Staging, prefix: &str, week_start: NaiveDateTime) -> anyhow::Result<()> {
    let step = p.forecast.interval.get();
    let required: Vec<f64> = p.coverage.iter().map(|r| r.required as f64).collect();
    let on: Vec<f64> = p.coverage.iter().map(|r| r.on_phones as f64).collect();
    let sl: Vec<Option<f64>> = p.coverage.iter().map(|r| r.service_level).collect();
    let title = format!("Agents on the phones: required vs rostered, week of {}", p.loaded.week);
    charts::coverage_chart(
        &st.path(&format!("{prefix}charts/coverage.png"))?,
        &CoverageChart {
            title: &title,
            axis: TimeAxis::new(week_start, step),
            required: &required,
            scheduled: &on,
            service_level: &sl,
            target_sl: p.settings().service.goal.target_sl.get(),
            interval_minutes: step,
        },
    )?;
    Ok(())
}

/// Gantt: agents with shifts, in id order.
fn draw_roster(p: &WeeklyPlan, st: &Staging, prefix: &str, week_start: NaiveDateTime) -> anyhow::Result<()> {
    let mut rows: BTreeMap<usize, usize> = BTreeMap::new();
    for a in &p.roster.assignments {
        let n = rows.len();
        rows.entry(a.agent).or_insert(n);
    }
    let mut order: Vec<usize> = rows.keys().copied().collect();
    order.sort();
    let row_of: BTreeMap<usize, usize> = order.iter().enumerate().map(|(i, a)| (*a, i)).collect();
    let names: Vec<String> = order.iter().map(|a| format!("{} {}", p.agents[*a].id, p.agents[*a].name)).collect();
    let s = &p.scheduled;
    let shifts: Vec<GanttShift> = p
        .roster
        .assignments
        .iter()
        .map(|a| {
            let o = &s.options[a.option];
            GanttShift {
                row: row_of[&a.agent],
                start: s.req.slot_time(o.start),
                end: s.req.slot_time(o.end),
                breaks: o.breaks.iter().map(|(x, y)| (s.req.slot_time(*x), s.req.slot_time(*y))).collect(),
            }
        })
        .collect();
    let title = format!("Roster, week of {} ({} agents, {} shifts)", p.loaded.week, names.len(), shifts.len());
    charts::roster_chart(
        &st.path(&format!("{prefix}charts/roster.png"))?,
        &RosterChart { title: &title, week_start, agents: &names, shifts: &shifts },
    )?;
    Ok(())
}

/// Learned responses, each for a typical line; without any, the chart is
/// left out (an empty chart says nothing; the report says why).
fn draw_responses(p: &WeeklyPlan, st: &Staging, prefix: &str) -> anyhow::Result<()> {
    let curves: Vec<ResponseCurve> =
        typical_responses(&p.fitted, &p.loaded.past).into_iter().flat_map(|t| response_curves(t, p)).collect();
    let name = format!("{prefix}charts/channel_response.png");
    if curves.is_empty() {
        return st.leave_out(&name);
    }
    charts::channel_response_chart(
        &st.path(&name)?,
        "What each channel does to the phones (learned from past campaigns)",
        &curves,
    )?;
    Ok(())
}

/// A typical response as the chart draws it, with its caption (a drop's
/// send-day curve apart from its carry-over).
fn response_curves(t: TypicalResponse, p: &WeeklyPlan) -> Vec<ResponseCurve> {
    match t {
        TypicalResponse::Burst { channel, grps, calls, per_minute, peak_minute, dayparts } => {
            let parts: Vec<String> = dayparts.iter().map(|(d, f)| format!("{d} ×{f:.2}")).collect();
            let parts = if parts.is_empty() { String::new() } else { format!(" ({})", parts.join(", ")) };
            vec![ResponseCurve::Burst {
                channel,
                per_minute,
                typical: format!(
                    "a spot of {grps:.1} GRPs brings {calls:.0} extra calls{parts}, busiest {peak_minute:.1} minutes after it airs"
                ),
            }]
        }
        TypicalResponse::Carryover { channel, spend_per_day, per_day, peak_day, send_day, half_life_days } => {
            let peak = peak_day.map(|d| format!(", busiest {d:.0} day(s) after")).unwrap_or_default();
            let mut curves = vec![ResponseCurve::Carryover {
                channel: channel.clone(),
                per_day,
                typical: format!(
                    "{spend_per_day:.0} {} spent in a day; the extra calls halve every {half_life_days:.1} days{peak}",
                    p.settings().costs.currency
                ),
            }];
            if let Some(send) = send_day {
                curves.push(ResponseCurve::SendDay {
                    channel,
                    typical: format!(
                        "busiest {:.0} min after the send; {:.0}% of the send day's calls in the first hour",
                        send.peak_minute,
                        100.0 * send.first_hour
                    ),
                    per_minute: send.share_per_minute,
                });
            }
            curves
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A history that ends the day before the week, or before closed days
    /// only, shows the week before; one that ends a week earlier (a
    /// Sunday-week centre's February, planned for the week of 7 March) shows
    /// its own last seven days, not one day and six empty ones.
    #[test]
    fn the_history_panel_shows_the_last_seven_whole_days() {
        let feb: Vec<NaiveDate> = (1..=28).map(|d| date(&format!("1999-02-{d:02}"))).collect();
        let every_day = |_: NaiveDate| true;
        assert_eq!(recent_days_from(&feb, date("1999-03-01"), every_day), date("1999-02-22"));
        assert_eq!(recent_days_from(&feb, date("1999-03-07"), every_day), date("1999-02-22"));
        // Closed days between the history and the week: the week before.
        let closed_in_march = |d: NaiveDate| d < date("1999-03-01");
        assert_eq!(recent_days_from(&feb, date("1999-03-07"), closed_in_march), date("1999-02-28"));
        // History reaching into the week: the seven days before it.
        assert_eq!(recent_days_from(&feb, date("1999-02-14"), every_day), date("1999-02-07"));
        assert_eq!(recent_days_from(&[], date("1999-03-07"), every_day), date("1999-02-28"));
    }
}
