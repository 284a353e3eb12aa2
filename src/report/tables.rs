//! The CSV tables (and the fit report) the commands write: formatting only.

use crate::coverage::CoverageRow;
use crate::forecast::predict::{FittedForecast, Forecast};
use crate::pipeline::WeeklyPlan;
use crate::schedule::shifts::ShiftOption;
use crate::schedule::week::Scheduled;
use crate::schedule::SchedulingRules;
use crate::staff::requirements::{IntervalPerformance, IntervalRequirement};
use crate::units::Money;
use chrono::Duration;
use std::fmt::Write as _;

/// The forecast as CSV: one row per interval of the period.
pub fn forecast_csv(fc: &Forecast) -> String {
    let channels: Vec<&String> = fc.uplift.keys().collect();
    let mut s = String::from("interval_start,open,baseline");
    for c in &channels {
        let _ = write!(s, ",{}", csv_text(&format!("uplift_{c}")));
    }
    s.push_str(",uplift_total,expected,lo80,hi80,lo95,hi95\n");
    let step = fc.interval.get() as i64;
    for (k, d) in fc.days.iter().enumerate() {
        for slot in 0..fc.interval.per_day() {
            let t = d.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(slot as i64 * step);
            let up = channels.iter().map(|c| fc.uplift[*c][[k, slot]]).sum::<f64>() + 0.0;
            let _ = write!(
                s,
                "{},{},{:.3}",
                t.format("%Y-%m-%d %H:%M"),
                u8::from(fc.open[[k, slot]]),
                fc.baseline[[k, slot]]
            );
            for c in &channels {
                let _ = write!(s, ",{:.3}", fc.uplift[*c][[k, slot]]);
            }
            let _ = writeln!(
                s,
                ",{:.3},{:.3},{},{},{},{}",
                up,
                fc.total[[k, slot]],
                fc.lo80[[k, slot]],
                fc.hi80[[k, slot]],
                fc.lo95[[k, slot]],
                fc.hi95[[k, slot]]
            );
        }
    }
    s
}

/// The learned channel responses as a text table.
pub fn fit_report(fitted: &FittedForecast) -> String {
    let mut s = String::from(
        "channel        kind    lines  calls/GRP  calls/1000  ±se   peak min  ≤15 min  ≤60 min  half-life d  peak day\n",
    );
    let opt = |v: Option<f64>, d: usize| v.map(|x| format!("{x:.d$}")).unwrap_or_else(|| "-".into());
    for r in fitted.channel_reports() {
        let _ = writeln!(
            s,
            "{:<14} {:<7} {:>5}  {:>9}  {:>10.1}  {:>3.0}%  {:>8}  {:>7}  {:>7}  {:>11}  {:>8}",
            r.channel,
            r.kind,
            r.lines,
            opt(r.calls_per_grp, 2),
            r.calls_per_1000,
            r.relative_se * 100.0,
            opt(r.peak_minute, 1),
            opt(r.share_15_min.map(|v| v * 100.0), 0),
            opt(r.share_60_min.map(|v| v * 100.0), 0),
            opt(r.half_life_days, 2),
            // Flights and drops without a delay peak on the day itself.
            opt(r.peak_day.or((r.kind != "spot").then_some(0.0)), 0)
        );
    }
    for r in fitted.channel_reports() {
        let dayparts = r.dayparts.iter().map(|d| (d.daypart, d.factor, d.relative_se, d.spots));
        levels_line(&mut s, &r.channel, "dayparts", dayparts.collect());
    }
    for r in fitted.channel_reports() {
        let stations = r.stations.iter().map(|d| (d.station.as_str(), d.factor, d.relative_se, d.spots));
        levels_line(&mut s, &r.channel, "stations", stations.collect());
    }
    for r in fitted.channel_reports() {
        lag_shape_lines(&mut s, r);
    }
    for c in fitted.skipped_channels() {
        let _ = writeln!(s, "{:<14} not learned: {}", c.channel, c.reason);
    }
    let _ = writeln!(s, "baseline trend: {}", fitted.trend_note());
    for note in fitted.calendar_notes() {
        let _ = writeln!(s, "calendar level: {note}");
    }
    s
}

/// The forecast's days with a calendar effect, one line each (empty without any).
pub fn calendar_days_text(fc: &crate::forecast::predict::Forecast) -> String {
    fc.calendar_days.iter().map(|(d, e)| format!("calendar day: {}\n", e.describe(*d))).collect()
}

/// The requirements CSV.
pub fn requirements_csv(rows: &[IntervalRequirement]) -> String {
    let mut s = String::from("interval_start,calls,required_agents,fractional_agents,agents_with_shrinkage,service_level,asa_seconds,occupancy,p_wait,p_abandon,set_by\n");
    for r in rows {
        let p = &r.requirement.performance;
        let _ = writeln!(
            s,
            "{},{:.3},{},{:.3},{},{:.6},{},{:.6},{:.6},{},{}",
            r.interval_start.format("%Y-%m-%d %H:%M"),
            r.calls,
            r.requirement.agents,
            r.requirement.fractional,
            r.with_shrinkage,
            p.service_level,
            if p.asa_seconds.is_finite() { format!("{:.3}", p.asa_seconds) } else { "inf".into() },
            p.occupancy,
            p.p_wait,
            p.p_abandon.map(|v| format!("{v:.6}")).unwrap_or_default(),
            r.set_by.map(|l| l.label()).unwrap_or_default()
        );
    }
    s
}

/// `shifts.csv`: one row per shift (count expanded), with breaks.
/// `staff --agents N` over a forecast file: each open interval's calls and
/// what the `agents` give (service level, ASA, abandon rate, occupancy).
pub fn performance_csv(rows: &[IntervalPerformance], agents: u32) -> String {
    let mut csv = String::from("interval_start,calls,agents,service_level,asa_seconds,abandon_rate,occupancy\n");
    let f = |v: Option<f64>| v.map(|x| format!("{x:.4}")).unwrap_or_default();
    for r in rows {
        let p = &r.performance;
        let _ = writeln!(
            csv,
            "{},{:.3},{agents},{},{},{},{}",
            r.interval_start.format("%Y-%m-%d %H:%M"),
            r.calls,
            f(Some(p.service_level)),
            f(p.asa_seconds.is_finite().then_some(p.asa_seconds)),
            f(p.p_abandon),
            f(Some(p.occupancy)),
        );
    }
    csv
}

pub fn shifts_csv(s: &Scheduled, rules: &SchedulingRules, hourly: Money) -> String {
    let mut out = String::from("shift_id,day,family,start,end,breaks,paid_hours,cost\n");
    let mut id = 0;
    for (o, c) in s.options.iter().zip(&s.plan.counts) {
        for _ in 0..*c {
            id += 1;
            let breaks: Vec<String> = o
                .breaks
                .iter()
                .map(|(a, b)| {
                    format!("{}-{}", s.req.slot_time(*a).format("%H:%M"), s.req.slot_time(*b).format("%H:%M"))
                })
                .collect();
            let _ = writeln!(
                out,
                "S{id:05},{},{},{},{},{},{:.2},{:.2}",
                s.req.slot_time(o.start).format("%Y-%m-%d"),
                csv_text(&rules.shifts[o.family].name),
                s.req.slot_time(o.start).format("%Y-%m-%d %H:%M"),
                s.req.slot_time(o.end).format("%Y-%m-%d %H:%M"),
                breaks.join(" "),
                o.paid_hours,
                o.paid_hours * hourly.get()
            );
        }
    }
    out
}

/// One line of the fit report for a channel's levels (dayparts or
/// stations): name ×factor ±relative se (spots); nothing without levels.
fn levels_line(s: &mut String, channel: &str, what: &str, levels: Vec<(&str, f64, f64, usize)>) {
    if levels.is_empty() {
        return;
    }
    let parts: Vec<String> = levels
        .iter()
        .map(|(name, factor, se, spots)| format!("{name} ×{factor:.2} ±{:.0}% ({spots} spots)", se * 100.0))
        .collect();
    let _ = writeln!(s, "{channel:<14} {what}: {}", parts.join(", "));
}

/// The fit report's lines for a channel's learned shapes: a spot channel's
/// saturation with its interval, a drop's send-day curve by the hour after
/// the send, a flight's carry-over by day.
fn lag_shape_lines(s: &mut String, r: &crate::forecast::media::fit::ChannelReport) {
    if let Some([lo, hi]) = r.saturation_beta_95 {
        let _ = match r.hill_half_size {
            Some(k) => writeln!(
                s,
                "{:<14} saturation: a Hill curve, half its most at size {k:.1} (a power's β 95% {lo:.2}-{hi:.2})",
                r.channel
            ),
            None if r.saturation_beta == 1.0 => writeln!(
                s,
                "{:<14} saturation: linear, the history does not show it bending (β 95% {lo:.2}-{hi:.2})",
                r.channel
            ),
            None => writeln!(
                s,
                "{:<14} saturation: calls grow as size^{:.2} (95% {lo:.2}-{hi:.2})",
                r.channel, r.saturation_beta
            ),
        };
    }
    if let Some(curve) = &r.send_curve {
        let hours: Vec<String> = curve
            .chunks(4)
            .enumerate()
            .map(|(h, q)| format!("{h}-{}h {:.0}%", h + 1, 100.0 * q.iter().sum::<f64>()))
            .collect();
        let _ = writeln!(s, "{:<14} send-day curve (share of the send day's calls): {}", r.channel, hours.join(", "));
    }
    if let Some(weights) = &r.day_weights {
        let shown = weights.iter().rposition(|w| *w >= 0.005).map_or(0, |d| d + 1);
        let days: Vec<String> = weights[..shown].iter().enumerate().map(|(d, w)| format!("day {d} {w:.2}")).collect();
        let _ =
            writeln!(s, "{:<14} carry-over (weight of a day's activity, largest 1): {}", r.channel, days.join(", "));
    }
}

/// `coverage.csv`: required vs scheduled per interval.
pub fn schedule_coverage_csv(s: &Scheduled) -> String {
    let mut out = String::from("interval_start,required_agents,scheduled_agents,difference\n");
    for (t, (r, c)) in s.req.required.iter().zip(&s.plan.scheduled).enumerate() {
        let _ = writeln!(out, "{},{},{},{}", s.req.slot_time(t).format("%Y-%m-%d %H:%M"), r, c, *c as f64 - r);
    }
    out
}

/// `roster.csv`: one row per agent shift, then the shifts no agent could take.
pub fn roster_csv(p: &WeeklyPlan) -> String {
    let s = &p.scheduled;
    let mut out = String::from("agent_id,name,contract,day,start,end,breaks,paid_hours,shift_family\n");
    let mut rows: Vec<(usize, usize)> = p.roster.assignments.iter().map(|a| (a.agent, a.option)).collect();
    rows.sort_by_key(|(a, o)| (*a, s.options[*o].start));
    let fmt_breaks = |o: &ShiftOption| breaks_text(o, &s.req);
    // The shift's cells: day, start, end, breaks, paid hours, family.
    let shift = |opt: &ShiftOption| {
        format!(
            "{},{},{},{},{:.2},{}",
            s.req.slot_time(opt.start).format("%Y-%m-%d"),
            s.req.slot_time(opt.start).format("%H:%M"),
            s.req.slot_time(opt.end).format("%H:%M"),
            fmt_breaks(opt),
            opt.paid_hours,
            csv_text(&p.settings().scheduling.shifts[opt.family].name)
        )
    };
    for (a, o) in rows {
        let ag = &p.agents[a];
        let _ = writeln!(
            out,
            "{},{},{},{}",
            csv_text(&ag.id),
            csv_text(&ag.name),
            csv_text(&ag.contract),
            shift(&s.options[o])
        );
    }
    for (o, n) in &p.roster.unfilled {
        for _ in 0..*n {
            let _ = writeln!(out, "UNFILLED,,,{}", shift(&s.options[*o]));
        }
    }
    out
}

/// One agent's week as the report and the workbook show it: a cell per day
/// of the week (`08:00–16:30`, empty when off) and the paid hours.
pub struct AgentWeek {
    pub id: String,
    pub name: String,
    pub contract: String,
    pub days: Vec<String>,
    /// Per day, the shift as a bar over the day: where it starts and ends
    /// and its breaks, as fractions of the 24 hours (a shift past midnight
    /// is cut at it); `None` when off.
    pub bars: Vec<Option<DayBar>>,
    pub paid_hours: f64,
}

/// A shift drawn over its day (fractions of the day, 0 = midnight).
pub struct DayBar {
    pub from: f64,
    pub to: f64,
    pub breaks: Vec<(f64, f64)>,
}

/// Every rostered agent's week, in agent order.
pub fn agent_weeks(p: &WeeklyPlan) -> Vec<AgentWeek> {
    let s = &p.scheduled;
    let mut by: std::collections::BTreeMap<usize, AgentWeek> = std::collections::BTreeMap::new();
    for a in &p.roster.assignments {
        let ag = &p.agents[a.agent];
        let w = by.entry(a.agent).or_insert_with(|| AgentWeek {
            id: ag.id.clone(),
            name: ag.name.clone(),
            contract: ag.contract.clone(),
            days: vec![String::new(); 7],
            bars: (0..7).map(|_| None).collect(),
            paid_hours: 0.0,
        });
        let o = &s.options[a.option];
        let start = s.req.slot_time(o.start);
        let day = (start.date() - p.loaded.week).num_days();
        if let Some(d) = usize::try_from(day).ok().filter(|d| *d < 7) {
            w.days[d] = format!("{}–{}", start.format("%H:%M"), s.req.slot_time(o.end).format("%H:%M"));
            let midnight = start.date().and_hms_opt(0, 0, 0).unwrap_or_default();
            let of_day = |slot: usize| ((s.req.slot_time(slot) - midnight).num_minutes() as f64 / 1440.0).min(1.0);
            w.bars[d] = Some(DayBar {
                from: of_day(o.start),
                to: of_day(o.end),
                breaks: o.breaks.iter().map(|&(x, y)| (of_day(x), of_day(y))).collect(),
            });
        }
        w.paid_hours += o.paid_hours;
    }
    by.into_values().collect()
}

/// One day of the roster: shifts, paid hours, first start, last end, unfilled shifts.
pub struct RosterDay {
    pub day: String,
    pub label: String,
    pub shifts: usize,
    pub paid_hours: f64,
    pub first_start: String,
    pub last_end: String,
    pub unfilled: usize,
}

/// The roster day by day over the planning week.
pub fn roster_days(p: &WeeklyPlan) -> Vec<RosterDay> {
    let s = &p.scheduled;
    crate::calendar::week_days(p.loaded.week)
        .into_iter()
        .map(|d| {
            let on = |o: usize| s.req.slot_time(s.options[o].start).date() == d;
            let mine: Vec<usize> = p.roster.assignments.iter().map(|a| a.option).filter(|o| on(*o)).collect();
            let first = mine.iter().map(|o| s.req.slot_time(s.options[*o].start)).min();
            let last = mine.iter().map(|o| s.req.slot_time(s.options[*o].end)).max();
            RosterDay {
                day: d.format("%Y-%m-%d").to_string(),
                label: d.format("%a %d %b").to_string(),
                shifts: mine.len(),
                // + 0.0: the sum of no shifts is -0.0 in IEEE arithmetic, which prints as "-0.00".
                paid_hours: mine.iter().map(|o| s.options[*o].paid_hours).sum::<f64>() + 0.0,
                first_start: first.map(|t| t.format("%H:%M").to_string()).unwrap_or_else(|| "-".into()),
                last_end: last.map(|t| t.format("%H:%M").to_string()).unwrap_or_else(|| "-".into()),
                unfilled: p.roster.unfilled.iter().filter(|(o, _)| on(*o)).map(|(_, n)| *n as usize).sum(),
            }
        })
        .collect()
}

/// A shift's breaks as roster.csv writes them: `HH:MM-HH:MM`, space-separated.
pub fn breaks_text(o: &ShiftOption, req: &crate::series::RequirementGrid) -> String {
    o.breaks
        .iter()
        .map(|(a, b)| format!("{}-{}", req.slot_time(*a).format("%H:%M"), req.slot_time(*b).format("%H:%M")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A text cell of a CSV output: quoted when needed, and, when it starts
/// with a character a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
/// a tab or a carriage return), written with a leading apostrophe (OWASP's
/// rule against CSV injection, CWE-1236). Numbers never pass through here.
pub fn csv_text(s: &str) -> String {
    let s = if crate::ingest::table::starts_like_a_formula(s) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// `coverage.csv`; with lines, five more columns: the simulated busy
/// signals, their share of attempts, the callers lost to them, and the worst
/// minute with its busy share.
pub fn coverage_csv(rows: &[CoverageRow]) -> String {
    let with_lines = rows.iter().any(|r| r.busy.is_some());
    let mut out = String::from("interval_start,open,calls,required_agents,required_rostered,rostered_agents,on_phones,service_level,asa_seconds,abandon_rate,occupancy,understaffed,simulated_service_level,simulated_sl_low95,simulated_sl_high95,simulated_abandon_rate,set_by");
    if with_lines {
        out.push_str(",busy_signals,busy_share,lost_to_busy,worst_minute,worst_minute_busy_share");
    }
    out.push('\n');
    let o = |v: Option<f64>, d: usize| v.map(|x| format!("{x:.d$}")).unwrap_or_default();
    for r in rows {
        let sim = r.simulated_service_level;
        let _ = write!(
            out,
            "{},{},{:.3},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.interval_start.format("%Y-%m-%d %H:%M"),
            u8::from(r.open),
            r.calls,
            r.required,
            r.required_rostered,
            r.rostered,
            r.on_phones,
            o(r.service_level, 4),
            o(r.asa_seconds, 1),
            o(r.abandon, 4),
            o(r.occupancy, 4),
            u8::from(r.open && r.on_phones < r.required),
            o(sim.map(|e| e.mean), 4),
            o(sim.map(|e| e.low95), 4),
            o(sim.map(|e| e.high95), 4),
            o(r.simulated_abandon, 4),
            r.set_by.map(|l| l.label()).unwrap_or_default(),
        );
        if with_lines {
            let b = r.busy;
            let worst = b.and_then(|b| b.worst_minute);
            let _ = write!(
                out,
                ",{},{},{},{},{}",
                o(b.map(|b| b.busy_signals), 3),
                o(b.map(|b| b.busy_share), 4),
                o(b.map(|b| b.lost_to_busy), 3),
                worst.map(|w| w.0.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default(),
                o(worst.map(|w| w.1), 4),
            );
        }
        out.push('\n');
    }
    out
}
