//! The weekly build's summary: `summary.json`, the text printed on stdout and
//! the workbook's summary sheet all read the one [`Summary`].

use crate::pipeline::WeeklyPlan;
use crate::settings::Source;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// `summary.json`.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub week: String,
    pub calls_forecast: f64,
    pub calls_forecast_low95: f64,
    pub calls_forecast_high95: f64,
    pub calls_from_campaigns: f64,
    /// Handle time staffing used (the mean; by weekday and hour when the
    /// source says so), seconds, and where it came from.
    pub handle_time_seconds: f64,
    pub handle_time_source: String,
    /// Patience staffing used (`null`: Erlang C), and where it came from.
    pub patience_seconds: Option<f64>,
    pub patience_source: String,
    pub agent_hours_needed_on_phones: f64,
    pub agent_hours_needed_rostered: f64,
    pub agent_hours_rostered: f64,
    /// Where the rostered hours beyond the need come from.
    pub hours_beyond_need: HoursBeyondNeed,
    /// Under a daily or weekly goal: what held the hours up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours_held_by: Option<HeldBy>,
    pub shifts: u32,
    pub unfilled_shifts: u32,
    pub cost: f64,
    pub currency: String,
    pub schedule_status: String,
    pub schedule_lp_bound_paid_hours: f64,
    pub roster_status: String,
    /// The roster's cost in its own points (1,000 per unfilled shift, 20 per
    /// hour below a contract minimum, 5 per evening above the even share,
    /// preferences), a lower bound on any legal roster's, and the gap.
    pub roster_cost_points: f64,
    pub roster_bound_points: f64,
    pub roster_gap: f64,
    pub agents_rostered: usize,
    pub agents_below_contract_minimum: usize,
    /// The planning week's special days (`[opening_hours] special`): date and hours.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub special_days: Vec<String>,
    /// The planning week's days with a calendar effect (reopening day, eve,
    /// special day), the factor each got, and how its level was learned.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub calendar_effects: Vec<String>,
    /// Whether the baseline extrapolates a trend, in words.
    pub baseline_trend: String,
    /// The agents' contracted weekly minimums added up, hours.
    pub contract_minimum_hours: f64,
    /// What the roster does with minimums beyond the need
    /// (`scheduling.minimums`: `spread` or `fill`).
    pub contract_minimums: crate::schedule::Minimums,
    /// Agents rostered at or above a minimum above zero.
    pub agents_at_contract_minimum: usize,
    pub days: Vec<DaySummary>,
    pub worst_intervals: Vec<WorstInterval>,
    pub top_campaign_lines: Vec<CampaignLine>,
    pub channels_learned: Vec<crate::forecast::media::fit::ChannelReport>,
    /// Which limit set the agents: per limit, the open intervals it set and
    /// the agent-hours on the phones it added beyond the service-level target alone.
    pub staffing_set_by: BTreeMap<&'static str, LimitShare>,
    /// The centre's lines (`[lines]`) and the busy signals simulated with them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<LinesSummary>,
}

/// The intervals one staffing limit set, and what it added.
#[derive(Debug, Serialize)]
pub struct LimitShare {
    pub intervals: usize,
    pub agent_hours_beyond_service_level: f64,
}

/// Per staffing limit, the open intervals it set and the agent-hours it
/// added beyond what the service-level target alone needs.
pub fn staffing_set_by(
    rows: &[crate::staff::requirements::IntervalRequirement],
    interval_hours: f64,
) -> BTreeMap<&'static str, LimitShare> {
    let mut out: BTreeMap<&'static str, LimitShare> = BTreeMap::new();
    for r in rows {
        let Some(limit) = r.set_by else { continue };
        let e = out.entry(limit.label()).or_insert(LimitShare { intervals: 0, agent_hours_beyond_service_level: 0.0 });
        e.intervals += 1;
        e.agent_hours_beyond_service_level +=
            r.requirement.agents.saturating_sub(r.service_level_agents) as f64 * interval_hours;
    }
    out
}

/// Why agents end below their contract minimum, where the minimums add up
/// to more than the week's shifts: both numbers and what to do.
pub fn minimums_sentence(s: &Summary) -> Option<String> {
    use crate::schedule::Minimums;
    (s.agents_below_contract_minimum > 0 && s.contract_minimum_hours > s.agent_hours_rostered + 0.5).then(|| {
        let head = format!(
            "the agents' contract minimums add up to {:.0} h, more than the {:.0} paid hours the week's shifts need",
            s.contract_minimum_hours, s.agent_hours_rostered
        );
        match s.contract_minimums {
            Minimums::Spread => format!(
                "{head}: {} agent(s) stay below their minimum, the shortfall shared by the roster (scheduling.minimums = \"spread\"; \"fill\" brings as many agents as the hours allow up to their minimum instead; or lower the minimums for the week, rest some agents, or add work off the phones)",
                s.agents_below_contract_minimum
            ),
            Minimums::Fill => format!(
                "{head}: {} agent(s) brought up to their minimum, largest minimums first, and {} below it (scheduling.minimums = \"fill\"; \"spread\" shares the shortfall instead; or lower the minimums for the week, or add work off the phones)",
                s.agents_at_contract_minimum, s.agents_below_contract_minimum
            ),
        }
    })
}

/// One sentence on which limit set the agents.
pub fn staffing_sentence(set_by: &BTreeMap<&'static str, LimitShare>) -> String {
    use crate::staff::StaffingLimit as L;
    let all = [L::ServiceLevel, L::OccupancyCap, L::AsaCap, L::AbandonCap, L::MinimumAgents, L::SpecialDay];
    let total: usize = set_by.iter().filter(|(k, _)| **k != L::SpecialDay.label()).map(|(_, v)| v.intervals).sum();
    let parts: Vec<String> = all
        .iter()
        .filter_map(|l| set_by.get(l.label()).map(|v| (l, v)))
        .map(|(l, v)| match l {
            L::ServiceLevel => format!("{} in {} of {total} open intervals", l.words(), v.intervals),
            L::SpecialDay => {
                format!("{} in {} interval(s) its weekday would open (no agents)", l.words(), v.intervals)
            }
            _ => format!(
                "{} in {} (adding {:.0} agent-hours on the phones beyond the target alone)",
                l.words(),
                v.intervals,
                v.agent_hours_beyond_service_level
            ),
        })
        .collect();
    if parts.is_empty() {
        "no open interval needs agents".into()
    } else {
        format!("set by {}", parts.join("; "))
    }
}

/// Rostered paid hours against the hours needed (after shrinkage), split by
/// cause: `rostered = needed + on_shift_beyond_need − below_need + breaks_and_other`.
#[derive(Debug, Serialize)]
pub struct HoursBeyondNeed {
    pub needed: f64,
    /// Agents on shift beyond an interval's need: shift lengths and start
    /// times, opening hours and the minimum agents force them.
    pub on_shift_beyond_need: f64,
    /// Intervals rostered below their own requirement: shifts no agent could
    /// take, or a daily or weekly goal letting busy intervals borrow from quiet ones.
    pub below_need: f64,
    /// Paid time on shift but not on the phones for the schedule: paid breaks.
    pub paid_breaks: f64,
}

/// What holds the rostered hours up under a daily or weekly goal, beyond the
/// goal itself: each figure is the least the rule alone asks for, so a
/// planner can see why the goal saved little against covering every interval.
#[derive(Debug, Serialize)]
pub struct HeldBy {
    /// The occupancy cap: the agent-hours to roster that keep the week's
    /// offered load within it (load / cap / (1 − shrinkage)).
    pub occupancy_cap: Option<CapHours>,
    /// The agents every interval keeps at least (its floor: the service
    /// curve's steepest point, `interval_floor_sl`, `min_agents_open`), hours to roster.
    pub interval_floors: f64,
    /// Paid hours the roster added beyond the shifts' (contract minimums).
    pub contract_minimums: f64,
}

#[derive(Debug, Serialize)]
pub struct CapHours {
    pub cap: f64,
    pub hours_to_roster: f64,
    /// Open days whose occupancy is within half a point of the cap.
    pub days_at_cap: usize,
    pub open_days: usize,
}

/// [`HeldBy`] of a plan under a daily or weekly goal; `None` under the
/// interval goal (every interval's requirement is the need there).
pub fn held_by(p: &WeeklyPlan, rostered_hours: f64) -> Option<HeldBy> {
    let settings = p.settings();
    if settings.goal.scope == crate::settings::GoalScope::Interval {
        return None;
    }
    let iv = p.forecast.interval.get() as f64 / 60.0;
    let occupancy_cap = settings.service.goal.max_occupancy.map(|cap| cap_hours(p, cap.get(), iv));
    Some(HeldBy {
        occupancy_cap,
        interval_floors: p.scheduled.req.required.iter().sum::<f64>() * iv,
        contract_minimums: (rostered_hours - p.scheduled.plan.paid_hours).max(0.0),
    })
}

/// What the occupancy cap `cap` asks for: the load over the cap in hours to
/// roster, and the open days the plan runs at the cap.
fn cap_hours(p: &WeeklyPlan, cap: f64, iv: f64) -> CapHours {
    let service = &p.settings().service;
    let keep = 1.0 - service.shrinkage.get();
    let load = |t: usize| {
        let q = crate::staff::requirements::queue_of(&p.series, t, p.series.calls[t], service);
        q.calls.load(q.interval, q.aht).get() * iv
    };
    let per_day = p.forecast.interval.per_day();
    let (mut hours, mut days_at_cap, mut open_days) = (0.0, 0, 0);
    for (d, rows) in p.coverage.chunks(per_day).enumerate() {
        let load_h: f64 = (0..rows.len()).filter(|&i| rows[i].open).map(|i| load(d * per_day + i)).sum();
        let on_h: f64 = rows.iter().filter(|r| r.open).map(|r| r.on_phones as f64 * iv).sum();
        hours += load_h / cap / keep;
        if load_h > 0.0 && on_h > 0.0 {
            open_days += 1;
            days_at_cap += usize::from(load_h / on_h >= cap - 0.005);
        }
    }
    CapHours { cap, hours_to_roster: hours, days_at_cap, open_days }
}

/// [`HeldBy`] in one sentence, with the hours on shift beyond an interval's
/// need (shift lengths, opening hours) from `h`.
pub fn held_by_sentence(b: &HeldBy, h: &HoursBeyondNeed) -> String {
    let mut parts = Vec::new();
    if let Some(c) = &b.occupancy_cap {
        parts.push(format!(
            "the occupancy cap ({:.0}%): {:.0} h to roster at least for the week's load, at the cap on {} of {} open days",
            c.cap * 100.0,
            c.hours_to_roster,
            c.days_at_cap,
            c.open_days
        ));
    }
    parts.push(format!("the interval floors: {:.0} h", b.interval_floors));
    parts.push(format!("shift lengths: {:.0} h on shift beyond an interval's need", h.on_shift_beyond_need));
    parts.push(format!("contract minimums: {:.0} h beyond the shifts", b.contract_minimums));
    format!("held by          {}", parts.join("; "))
}

#[derive(Debug, Serialize)]
pub struct DaySummary {
    pub date: String,
    pub calls: f64,
    /// Calls-weighted projected service level of the open intervals.
    pub service_level: Option<f64>,
    pub abandoned_calls: Option<f64>,
    pub understaffed_intervals: usize,
    /// The day's service level in the simulation of the roster: mean of the
    /// replications and their 95% range (`null` when not simulated or closed).
    pub simulated_service_level: Option<crate::simulate::Estimate>,
    /// With lines (`[lines]`), the day's simulated busy signals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub busy: Option<Busy>,
}

/// Busy signals simulated with the centre's lines, over a day or the week.
#[derive(Debug, Clone, Serialize)]
pub struct Busy {
    /// Busy signals / call attempts (redials included): mean and 95% range.
    pub busy_share: Option<crate::simulate::Estimate>,
    /// Mean busy signals heard.
    pub busy_signals: f64,
    /// Mean callers lost to busy signals (heard one and did not call again),
    /// apart from those who got a line and hung up waiting (abandoned).
    pub callers_lost_to_busy: f64,
    /// Mean callers who got a line and hung up before an answer.
    pub abandoned_calls: Option<f64>,
    /// The minute with the largest busy share, and that share.
    pub worst_minute: Option<String>,
    pub worst_minute_busy_share: Option<f64>,
}

/// `summary.json`'s `lines`: the lines set and what they did in the simulation.
#[derive(Debug, Clone, Serialize)]
pub struct LinesSummary {
    pub trunks: u32,
    pub ivr_ports: Option<u32>,
    pub redial_share: f64,
    pub redial_minutes: f64,
    pub target_busy: f64,
    /// The most agents on the phones in any interval, and the intervals with
    /// more agents on the phones than trunks (the extra agents cannot take a call).
    pub most_agents_on_phones: u32,
    pub intervals_with_agents_beyond_trunks: usize,
    /// The week in the simulation (`null` when the week was not simulated).
    pub week: Option<Busy>,
}

#[derive(Debug, Serialize)]
pub struct WorstInterval {
    pub interval_start: String,
    pub calls: f64,
    pub required: u32,
    pub on_phones: u32,
    pub service_level: f64,
}

#[derive(Debug, Serialize)]
pub struct CampaignLine {
    pub line: String,
    pub channel: String,
    pub campaign: String,
    pub start: String,
    /// Extra calls in the planning week, and after it (carry-over).
    pub extra_calls_in_week: f64,
    pub extra_calls_after_week: f64,
}

pub fn summary(p: &WeeklyPlan) -> Summary {
    let fc = &p.forecast;
    let iv_h = fc.interval.get() as f64 / 60.0;
    let total: f64 = fc.total.sum();
    let k = fc.dispersion_k;
    let var: f64 = fc.total.iter().map(|m| m + if k.is_finite() { m * m / k } else { 0.0 }).sum();
    let costs = &p.settings().costs;
    let rostered_hours: f64 = p.roster.hours.iter().sum();
    let days = day_summaries(p);
    let hours_beyond_need = hours_beyond_need(p, rostered_hours);
    Summary {
        week: p.loaded.week.to_string(),
        calls_forecast: total,
        calls_forecast_low95: (total - 1.96 * var.sqrt()).max(0.0),
        calls_forecast_high95: total + 1.96 * var.sqrt(),
        calls_from_campaigns: fc.total_uplift().sum(),
        handle_time_seconds: p.settings().service.aht.get(),
        handle_time_source: source(&p.settings().provenance.aht_seconds)
            + if p.settings().aht_profile.is_some() { ", by weekday and hour" } else { "" },
        patience_seconds: p.settings().service.patience.map(|s| s.get()),
        patience_source: source(&p.settings().provenance.patience_seconds)
            + if p.settings().patience_profile.is_some() { ", by weekday and hour" } else { "" },
        agent_hours_needed_on_phones: p.requirements.iter().map(|r| r.requirement.agents as f64 * iv_h).sum(),
        agent_hours_needed_rostered: p.requirements.iter().map(|r| r.with_shrinkage as f64 * iv_h).sum(),
        agent_hours_rostered: rostered_hours,
        hours_beyond_need,
        hours_held_by: held_by(p, rostered_hours),
        shifts: p.scheduled.plan.heads,
        unfilled_shifts: p.roster.unfilled.iter().map(|(_, n)| n).sum(),
        cost: rostered_hours * costs.hourly.get(),
        currency: costs.currency.clone(),
        schedule_status: p.scheduled.plan.status.to_string(),
        schedule_lp_bound_paid_hours: p.scheduled.plan.lp_bound,
        roster_status: p.roster.status.to_string(),
        roster_cost_points: p.roster.cost,
        roster_bound_points: p.roster.bound,
        roster_gap: p.roster.gap(),
        agents_rostered: p.roster.hours.iter().filter(|h| **h > 0.0).count(),
        agents_below_contract_minimum: p.roster.below_minimum.len(),
        calendar_effects: calendar_effects(p),
        baseline_trend: p.fitted.trend_note(),
        special_days: p
            .settings()
            .calendar
            .special_days_between(p.loaded.week, p.loaded.week + chrono::Duration::days(6)),
        contract_minimum_hours: p.agents.iter().map(|a| a.min_weekly_hours).sum::<f64>() + 0.0,
        contract_minimums: p.settings().scheduling.minimums,
        agents_at_contract_minimum: (p.agents.iter().zip(&p.roster.hours))
            .filter(|(a, &h)| a.min_weekly_hours > 0.0 && h + 1e-9 >= a.min_weekly_hours)
            .count(),
        days,
        worst_intervals: worst_intervals(p),
        top_campaign_lines: top_campaign_lines(p),
        channels_learned: p.fitted.channel_reports().to_vec(),
        staffing_set_by: staffing_set_by(&p.requirements, iv_h),
        lines: lines_summary(p),
    }
}

/// Each day's calls, service level, abandoned calls, understaffed
/// intervals and, where simulated, its outcome.
fn day_summaries(p: &WeeklyPlan) -> Vec<DaySummary> {
    let fc = &p.forecast;
    let per_day = fc.interval.per_day();
    let mut days = Vec::new();
    for (k, d) in fc.days.iter().enumerate() {
        let rows = &p.coverage[k * per_day..(k + 1) * per_day];
        let open: Vec<_> = rows.iter().filter(|r| r.open && r.calls > 0.0).collect();
        let calls: f64 = rows.iter().map(|r| r.calls).sum();
        let w: f64 = open.iter().map(|r| r.calls).sum();
        days.push(DaySummary {
            date: d.format("%a %Y-%m-%d").to_string(),
            calls,
            service_level: (w > 0.0)
                .then(|| open.iter().map(|r| r.calls * r.service_level.unwrap_or(0.0)).sum::<f64>() / w),
            abandoned_calls: p
                .settings()
                .service
                .patience
                .map(|_| open.iter().map(|r| r.calls * r.abandon.unwrap_or(0.0)).sum::<f64>().max(0.0)),
            understaffed_intervals: rows.iter().filter(|r| r.open && r.on_phones < r.required).count(),
            simulated_service_level: p.simulation.as_ref().and_then(|s| s.days.get(k)).and_then(|o| o.service_level),
            busy: p.simulation.as_ref().and_then(|s| s.days.get(k)).and_then(|o| busy(o, rows)),
        });
    }
    days
}

/// Hours on shift against the need: beyond it, below it, and paid breaks.
fn hours_beyond_need(p: &WeeklyPlan, rostered_hours: f64) -> HoursBeyondNeed {
    let iv = p.forecast.interval.get() as f64 / 60.0;
    let on_shift: f64 = p.coverage.iter().map(|r| r.rostered as f64 * iv).sum();
    HoursBeyondNeed {
        needed: p.coverage.iter().map(|r| r.required_rostered as f64 * iv).sum(),
        on_shift_beyond_need: p
            .coverage
            .iter()
            .map(|r| (r.rostered as f64 - r.required_rostered as f64).max(0.0) * iv)
            .sum(),
        below_need: p.coverage.iter().map(|r| (r.required_rostered as f64 - r.rostered as f64).max(0.0) * iv).sum(),
        paid_breaks: (rostered_hours - on_shift).max(0.0),
    }
}

/// The five open intervals with calls and the lowest service level.
fn worst_intervals(p: &WeeklyPlan) -> Vec<WorstInterval> {
    let mut worst: Vec<_> =
        p.coverage.iter().filter(|r| r.open && r.calls > 0.0 && r.service_level.is_some()).collect();
    worst.sort_by(|a, b| {
        a.service_level
            .unwrap_or(0.0)
            .total_cmp(&b.service_level.unwrap_or(0.0))
            .then(a.interval_start.cmp(&b.interval_start))
    });
    worst
        .iter()
        .take(5)
        .map(|r| WorstInterval {
            interval_start: r.interval_start.format("%a %Y-%m-%d %H:%M").to_string(),
            calls: r.calls,
            required: r.required,
            on_phones: r.on_phones,
            service_level: r.service_level.unwrap_or(0.0),
        })
        .collect()
}

/// The five media lines bringing the most extra calls in the week.
fn top_campaign_lines(p: &WeeklyPlan) -> Vec<CampaignLine> {
    let mut lines: Vec<CampaignLine> = p
        .impact
        .lines
        .iter()
        .map(|l| CampaignLine {
            line: l.line.clone(),
            channel: l.channel.clone(),
            campaign: l.campaign.clone(),
            start: l.start.format("%a %Y-%m-%d %H:%M").to_string(),
            extra_calls_in_week: l.extra_calls,
            extra_calls_after_week: l.calls_after_week,
        })
        .collect();
    lines.sort_by(|a, b| b.extra_calls_in_week.total_cmp(&a.extra_calls_in_week).then(a.line.cmp(&b.line)));
    lines.truncate(5);
    lines
}

/// A day's or the week's busy signals: the simulation's outcome over
/// `rows`, the worst minute among theirs.
fn busy(o: &crate::simulate::Outcome, rows: &[crate::coverage::CoverageRow]) -> Option<Busy> {
    let worst = rows.iter().filter_map(|r| r.busy.and_then(|b| b.worst_minute)).fold(
        None,
        |best: Option<(chrono::NaiveDateTime, f64)>, w| match best {
            Some(b) if b.1 >= w.1 => Some(b),
            _ => Some(w),
        },
    );
    Some(Busy {
        busy_share: o.busy_share,
        busy_signals: o.busy_signals?,
        callers_lost_to_busy: o.lost_to_busy.unwrap_or(0.0),
        abandoned_calls: o.abandoned_calls,
        worst_minute: worst.map(|w| w.0.format("%a %Y-%m-%d %H:%M").to_string()),
        worst_minute_busy_share: worst.map(|w| w.1),
    })
}

fn lines_summary(p: &WeeklyPlan) -> Option<LinesSummary> {
    let l = p.settings().lines?;
    let open = p.coverage.iter().filter(|r| r.open);
    Some(LinesSummary {
        trunks: l.trunks,
        ivr_ports: l.ivr_ports,
        redial_share: l.redial_share,
        redial_minutes: l.redial_minutes,
        target_busy: l.target_busy,
        most_agents_on_phones: open.clone().map(|r| r.on_phones).max().unwrap_or(0),
        intervals_with_agents_beyond_trunks: open.filter(|r| r.on_phones > l.trunks).count(),
        week: p.simulation.as_ref().and_then(|s| s.whole.as_ref()).and_then(|o| busy(o, &p.coverage)),
    })
}

/// Where a queue parameter came from, in words.
/// The week's days with a calendar effect: `Wed 1999-09-22 reopening day
/// ×1.31 (learned from 4 examples)`.
fn calendar_effects(p: &WeeklyPlan) -> Vec<String> {
    let levels = p.fitted.calendar_effects().map(|c| c.levels().clone());
    p.forecast
        .calendar_days
        .iter()
        .map(|(d, e)| {
            let how = levels
                .as_ref()
                .and_then(|l| l.iter().find(|l| l.kind == e.kind))
                .map(|l| format!(" ({})", l.source(e.learned)))
                .unwrap_or_default();
            format!("{}{how}", e.describe(*d))
        })
        .collect()
}

/// Where a queue value came from, in the report's words.
fn source(source: &Source) -> String {
    match source {
        Source::File { .. } => "config".into(),
        Source::Learned(e) => format!("learned from {:.0} {} calls in the history", e.calls, e.basis),
        Source::Default => "default".into(),
        Source::Flag { .. } | Source::Environment { .. } => "command line".into(),
    }
}

/// The rostered hours against each interval's own need, by part. Under a
/// daily goal the hours borrowed from quiet intervals can outweigh those on
/// shift beyond need: a net total alone would then read as a negative
/// surplus, so the parts come first and the net is named a saving or an excess.
pub fn hours_sentence(h: &HoursBeyondNeed, rostered: f64) -> String {
    let net = rostered - h.needed;
    let parts = format!(
        "{:.0} h on shift beyond an interval's need (shift lengths, opening hours), {:.0} h paid breaks, less {:.0} h below need (unfilled shifts, or borrowed under a daily goal)",
        h.on_shift_beyond_need, h.paid_breaks, h.below_need
    );
    if net < -0.5 {
        format!(
            "beyond need      {parts}: {:.0} h rostered, {:.0} h fewer than the {:.0} h every interval's own need adds up to",
            rostered, -net, h.needed
        )
    } else {
        format!("beyond need      {net:+.0} h: {parts}")
    }
}

/// The gap in words: against a bound of 0 (the roster's own cost points
/// have no lower bound above zero) any cost would read as 100%, which says
/// nothing about how good the roster is.
/// The busy-signal lines of the text summary: the lines set, the week, and
/// each open day.
fn busy_lines(o: &mut String, l: &LinesSummary, days: &[DaySummary]) {
    let ports = l.ivr_ports.map(|p| format!(", {p} IVR ports")).unwrap_or_default();
    let _ = writeln!(
        o,
        "lines            {} trunks{ports}; {:.0}% of busy callers call again after {} min on average; sized for {:.1}% busy",
        l.trunks,
        l.redial_share * 100.0,
        l.redial_minutes,
        l.target_busy * 100.0
    );
    if l.intervals_with_agents_beyond_trunks > 0 {
        let _ = writeln!(
            o,
            "                 {} interval(s) have more agents on the phones than trunks (up to {}): the extra agents cannot take a call",
            l.intervals_with_agents_beyond_trunks, l.most_agents_on_phones
        );
    }
    let Some(w) = &l.week else {
        let _ = writeln!(o, "                 busy signals not simulated (simulation.replications = 0)");
        return;
    };
    let _ = writeln!(o, "busy signals     {}", busy_words(w));
    for d in days {
        if let Some(b) = d.busy.as_ref().filter(|b| b.busy_signals > 0.0) {
            let _ = writeln!(o, "  {:<14} {}", d.date, busy_words(b));
        }
    }
}

fn busy_words(b: &Busy) -> String {
    let share = b.busy_share.map(|e| format!("{:.2}% of attempts", e.mean * 100.0)).unwrap_or_else(|| "-".into());
    let worst = match (&b.worst_minute, b.worst_minute_busy_share) {
        (Some(m), Some(s)) => format!("; worst minute {m} ({:.0}% busy)", s * 100.0),
        _ => String::new(),
    };
    format!(
        "{:.0} busy signals ({share}); {:.0} callers lost to them, apart from {} who got a line and hung up waiting{worst}",
        b.busy_signals,
        b.callers_lost_to_busy,
        b.abandoned_calls.map(|a| format!("{a:.0}")).unwrap_or_else(|| "-".into())
    )
}

pub fn gap_words(cost: f64, bound: f64, gap: f64) -> String {
    if bound.abs() < 1e-9 && cost > 1e-9 {
        "no bound above 0 to measure a gap against".into()
    } else {
        format!("gap {:.2}%", 100.0 * gap)
    }
}

/// The concise summary printed on stdout.
pub fn text_summary(p: &WeeklyPlan, s: &Summary) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "Week of {} — {}", s.week, p.settings().name);
    let campaigns = if p.loaded.plan.lines.is_empty() {
        "no campaign part (the media plan has no lines)".to_string()
    } else {
        format!("of which {:.0} from campaigns", s.calls_from_campaigns)
    };
    let _ = writeln!(
        o,
        "calls forecast   {:.0} (95%: {:.0}–{:.0}), {campaigns}",
        s.calls_forecast, s.calls_forecast_low95, s.calls_forecast_high95
    );
    let patience = match s.patience_seconds {
        Some(v) => format!("patience {v:.1} s ({}), Erlang A", s.patience_source),
        None => "no patience (callers never abandon), Erlang C".into(),
    };
    let _ = writeln!(
        o,
        "queue            handle time {:.1} s ({}); {patience}",
        s.handle_time_seconds, s.handle_time_source
    );
    let _ = writeln!(
        o,
        "agent-hours      {:.0} needed on the phones, {:.0} to roster after {:.0}% shrinkage; {:.0} rostered",
        s.agent_hours_needed_on_phones,
        s.agent_hours_needed_rostered,
        p.settings().service.shrinkage.get() * 100.0,
        s.agent_hours_rostered
    );
    if !s.special_days.is_empty() {
        let _ = writeln!(o, "special days     {} (the config's [opening_hours] special)", s.special_days.join("; "));
    }
    for e in &s.calendar_effects {
        let _ = writeln!(o, "calendar effect  {e}");
    }
    let _ = writeln!(o, "staffing         {}", staffing_sentence(&s.staffing_set_by));
    if let Some(m) = minimums_sentence(s) {
        let _ = writeln!(o, "minimums         {m}");
    }
    let _ = writeln!(o, "{}", hours_sentence(&s.hours_beyond_need, s.agent_hours_rostered));
    if let Some(b) = &s.hours_held_by {
        let _ = writeln!(o, "{}", held_by_sentence(b, &s.hours_beyond_need));
    }
    let _ = writeln!(
        o,
        "roster           {} shifts for {} agents, cost {:.0} {}; {} shifts unfilled; {} agents below contract minimum ({}: {:.1} points against a bound of {:.1}, {})",
        s.shifts, s.agents_rostered, s.cost, s.currency, s.unfilled_shifts, s.agents_below_contract_minimum, s.roster_status,
        s.roster_cost_points, s.roster_bound_points, gap_words(s.roster_cost_points, s.roster_bound_points, s.roster_gap)
    );
    day_table(&mut o, s);
    if let Some(l) = &s.lines {
        busy_lines(&mut o, l, &s.days);
    }
    simulation_line(&mut o, p);
    let _ = writeln!(o, "worst intervals:");
    for w in &s.worst_intervals {
        let _ = writeln!(
            o,
            "  {}  {:.0} calls, {} on the phones of {} needed, service level {:.0}%",
            w.interval_start,
            w.calls,
            w.on_phones,
            w.required,
            w.service_level * 100.0
        );
    }
    if !s.top_campaign_lines.is_empty() {
        let _ = writeln!(o, "top campaign lines by extra calls in the week (and after it):");
    }
    for l in &s.top_campaign_lines {
        let _ = writeln!(
            o,
            "  {} {:<14} {:<14} {}  +{:.0} calls in the week, +{:.0} after it",
            l.line, l.channel, l.campaign, l.start, l.extra_calls_in_week, l.extra_calls_after_week
        );
    }
    o
}

/// The text summary's day table: calls, projected and simulated service
/// level, abandoned calls and under-staffed intervals.
fn day_table(o: &mut String, s: &Summary) {
    let _ = writeln!(
        o,
        "day              calls   service level: projected | simulated (95% range)   abandoned   under-staffed intervals"
    );
    for d in &s.days {
        let sim = d
            .simulated_service_level
            .map(|e| format!("{:.1}% ({:.1}–{:.1}%)", e.mean * 100.0, e.low95 * 100.0, e.high95 * 100.0))
            .unwrap_or_else(|| "-".into());
        let _ = writeln!(
            o,
            "{:<16} {:>5.0}   {:>24} | {:<22}   {:>9}   {:>5}",
            d.date,
            d.calls,
            d.service_level.map(|v| format!("{:.1}%", v * 100.0)).unwrap_or_else(|| "closed".into()),
            sim,
            d.abandoned_calls.map(|v| format!("{v:.0}")).unwrap_or_else(|| "-".into()),
            d.understaffed_intervals
        );
    }
}

/// How the roster's week was simulated, when it was.
fn simulation_line(o: &mut String, p: &WeeklyPlan) {
    if let Some(r) = &p.simulation {
        let _ = writeln!(
            o,
            "simulated        {} replications of the roster's week (seed {}): Poisson arrivals at the forecast rate{}, {} handle times, FCFS, agents as rostered",
            r.replications,
            r.seed,
            if p.settings().simulation.draw_rates { " drawn from its predictive distribution" } else { "" },
            match p.settings().simulation.handle_times {
                crate::simulate::HandleTimes::Exponential => "exponential".to_string(),
                crate::simulate::HandleTimes::LogNormal { cv } => format!(
                    "log-normal (CV {cv:.2}{})",
                    if p.settings().simulation.handle_cv_learned { ", learned from the call records" } else { "" }
                ),
            }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_borrowed_under_a_daily_goal_read_as_parts_not_a_negative_total() {
        let h = HoursBeyondNeed { needed: 21_100.0, on_shift_beyond_need: 158.0, below_need: 234.0, paid_breaks: 0.0 };
        let line = hours_sentence(&h, 21_024.0);
        assert!(!line.contains("-76") && !line.contains("−76"), "{line}");
        assert!(line.contains("158 h on shift beyond") && line.contains("less 234 h below need"), "{line}");
        assert!(line.contains("21024 h rostered, 76 h fewer than the 21100 h"), "{line}");
        let h = HoursBeyondNeed { needed: 2_000.0, on_shift_beyond_need: 200.0, below_need: 10.0, paid_breaks: 5.0 };
        assert!(hours_sentence(&h, 2_195.0).starts_with("beyond need      +195 h: 200 h on shift"));
    }

    #[test]
    fn a_gap_against_a_zero_bound_is_not_a_percentage() {
        assert_eq!(gap_words(70.0, 0.0, 1.0), "no bound above 0 to measure a gap against");
        assert_eq!(gap_words(1639.0, 1483.8, (1639.0 - 1483.8) / 1639.0), "gap 9.47%");
        assert_eq!(gap_words(0.0, 0.0, 0.0), "gap 0.00%");
    }
}
