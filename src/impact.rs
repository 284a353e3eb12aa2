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
//!
//! This is a stage of the weekly build: it computes, the report writes.

use crate::config::ChannelKind;
use crate::coverage::CoverageRow;
use crate::error::Error;
use crate::forecast::media::uplift::LineUplift;
use crate::forecast::minutes::{interval_minutes, kernel_of, spot_minutes, spots_by_interval};
use crate::forecast::predict::{FittedForecast, Forecast};
use crate::ingest::media::{MediaLine, MediaPlan};
use crate::schedule::week::schedule;
use crate::series::{CallSeries, RequirementGrid};
use crate::settings::Settings;
use crate::staff::lines::{busy_minutes, lines_for_minutes, LineQueue, Minute};
use crate::staff::requirements::{queue_of, requirements, IntervalRequirement};
use crate::staff::{performance_as, required_agents, required_agents_at_most, Performance};
use crate::units::CallsPerInterval;
use chrono::{Duration, NaiveDate, NaiveDateTime, Timelike};
use serde::Serialize;
use std::collections::BTreeMap;

/// A line is flagged when its extra calls exceed this share of an interval's
/// baseline calls; see [`ImpactThreshold`].
pub const DEFAULT_THRESHOLD: f64 = 0.25;

/// The share of an interval's baseline calls above which a line is flagged.
/// Range (0, 10]; default [`DEFAULT_THRESHOLD`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImpactThreshold(f64);

impl ImpactThreshold {
    pub fn new(v: f64) -> Result<ImpactThreshold, String> {
        if v > 0.0 && v <= 10.0 {
            Ok(ImpactThreshold(v))
        } else {
            Err(format!("got {v}, expected a share above 0 and at most 10 (e.g. 0.25)"))
        }
    }
    pub fn get(self) -> f64 {
        self.0
    }
}

impl Default for ImpactThreshold {
    fn default() -> Self {
        ImpactThreshold(DEFAULT_THRESHOLD)
    }
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
    pub flags: Vec<LineFlag>,
    pub suggestion: Suggestion,
    /// Where the channel's response comes from (learned, assumed, blended),
    /// and the past lines it was learned from.
    pub response_source: &'static str,
    pub response_lines: usize,
    /// The station (publisher) and, for a spot, the daypart it airs in.
    pub station: String,
    pub daypart: &'static str,
    /// Media spend per extra call in the week (not the answering cost).
    pub media_cost_per_extra_call: Option<f64>,
    /// With lines, a spot's busy signals minute by minute after it airs.
    pub busy: Option<LineBusy>,
}

/// A spot's busy signals with the centre's lines, from the chain through
/// time minute by minute (the spot's burst on its learned minute curve, the
/// interval's other calls evenly; docs/lines.md).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LineBusy {
    /// Callers who would hear a busy signal because of this spot if the
    /// centre is not told (roster built for the baseline), at most its calls.
    pub busy_callers_if_not_told: f64,
    /// The busy share in the worst minute after the spot, with the roster
    /// as planned and the lines as set.
    pub worst_minute_busy_share: f64,
    /// Lines (callers the centre can hold) that keep every minute after the
    /// spot at or under `lines.target_busy` with the roster as planned.
    pub lines_for_busy_target: Option<u32>,
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
    /// What "lost" means here: callers who hang up (with patience, Erlang A),
    /// or, without patience, callers not answered within the answer-time target.
    pub lost_means: String,
    /// Whether the centre's lines are modelled (`[lines]`): the spots' busy
    /// signals are then in each line's `busy`.
    pub with_lines: bool,
}

/// What "lost" counts under the service policy.
fn lost_means(settings: &Settings) -> String {
    if settings.service.patience.is_some() || settings.patience_profile.is_some() {
        "callers who hang up before an answer (Erlang A with the queue's patience)".into()
    } else {
        format!(
            "callers not answered within {:.0} s: the config has no patience (Erlang C), so nobody is modelled as hanging up",
            settings.service.goal.answer_time.get()
        )
    }
}

/// What the impact stage reads of the weekly build.
pub struct ImpactInputs<'a> {
    pub settings: &'a Settings,
    pub week: NaiveDate,
    pub forecast: &'a Forecast,
    /// The forecast's expected calls (every line included).
    pub series: &'a CallSeries,
    pub fitted: &'a FittedForecast,
    pub plan: &'a MediaPlan,
    pub requirements: &'a [IntervalRequirement],
    pub coverage: &'a [CoverageRow],
}

/// Most lines searched for a spot's busy target.
const MOST_LINES: u32 = 100_000;

/// Per-interval values every line's impact is measured against.
struct Week<'a> {
    inputs: &'a ImpactInputs<'a>,
    total: Vec<f64>,
    base: Vec<f64>,
    per_day: usize,
    /// Agents on the phones per slot with the roster built for the baseline only.
    on_not_told: Vec<u32>,
    /// Agents needed for all the calls.
    agents_total: Vec<u32>,
    day_index: BTreeMap<NaiveDate, usize>,
    /// With lines: every spot's calls per minute, by interval.
    spot_minutes: BTreeMap<usize, Vec<f64>>,
}

/// Compute the impact of every line of the plan.
pub fn analyse(inputs: &ImpactInputs<'_>, threshold: ImpactThreshold) -> Result<Impact, Error> {
    let sl_told: Vec<Option<f64>> = inputs.coverage.iter().map(|r| r.service_level).collect();
    if inputs.forecast.lines.lines.is_empty() {
        // No campaigns: nothing to assess, and the roster is the baseline's.
        return Ok(Impact {
            lines: vec![],
            sl_not_told: sl_told.clone(),
            sl_told,
            total_extra_calls: 0.0,
            currency: inputs.settings.costs.currency.clone(),
            lost_means: lost_means(inputs.settings),
            with_lines: inputs.settings.lines.is_some(),
        });
    }
    let week = Week::new(inputs)?;
    let sl_not_told = week.service_not_told();
    let lines =
        inputs.forecast.lines.lines.iter().map(|lu| week.line_impact(lu, threshold)).collect::<Result<Vec<_>, _>>()?;
    Ok(Impact {
        total_extra_calls: lines.iter().map(|l| l.extra_calls).sum(),
        lines,
        sl_told,
        sl_not_told,
        currency: inputs.settings.costs.currency.clone(),
        lost_means: lost_means(inputs.settings),
        with_lines: inputs.settings.lines.is_some(),
    })
}

/// A finite, non-negative number of calls computed inside this stage.
fn calls(v: f64) -> Result<CallsPerInterval, Error> {
    CallsPerInterval::new(v.max(0.0))
        .map_err(|e| Error::Internal { stage: "impact", message: format!("calls without a line: {e}") })
}

impl<'a> Week<'a> {
    fn new(inputs: &'a ImpactInputs<'a>) -> Result<Week<'a>, Error> {
        let fc = inputs.forecast;
        let base_series = CallSeries {
            handle: inputs.series.handle.clone(),
            patience: inputs.series.patience.clone(),
            ..fc.baseline_series()?
        };
        let policy = &inputs.settings.service;
        let series = inputs.series;
        let agents_total = (0..series.len())
            .map(|t| required_agents(&queue_of(series, t, series.calls[t], policy), &policy.goal).agents)
            .collect();
        Ok(Week {
            inputs,
            total: inputs.series.raw_calls(),
            base: base_series.raw_calls(),
            per_day: fc.interval.per_day(),
            on_not_told: not_told_on_phones(inputs, &base_series)?,
            agents_total,
            day_index: fc.days.iter().enumerate().map(|(k, d)| (*d, k)).collect(),
            spot_minutes: match inputs.settings.lines {
                Some(_) => spots_by_interval(fc, &inputs.plan.lines, inputs.fitted.responses()),
                None => BTreeMap::new(),
            },
        })
    }

    fn performance(&self, t: usize, c: CallsPerInterval, on: u32) -> Performance {
        let policy = &self.inputs.settings.service;
        let q = queue_of(self.inputs.series, t, c, policy);
        performance_as(&q, on, policy.goal.answer_time, policy.goal.sl_definition)
    }

    /// Calls lost in an interval: abandoned with patience, else answered late.
    fn lost(&self, t: usize, c: CallsPerInterval, on: u32) -> f64 {
        let pf = self.performance(t, c, on);
        c.get() * pf.p_abandon.unwrap_or(1.0 - pf.service_level)
    }

    fn service_not_told(&self) -> Vec<Option<f64>> {
        let s = self.inputs.series;
        (0..s.len())
            .map(|t| {
                (s.open[t] && self.total[t] > 0.0)
                    .then(|| self.performance(t, s.calls[t], self.on_not_told[t]).service_level)
            })
            .collect()
    }

    fn cells(&self, lu: &LineUplift) -> Vec<(usize, f64)> {
        let per_day = self.per_day;
        lu.cells.iter().filter_map(|(d, s, v)| self.day_index.get(d).map(|k| (k * per_day + s, *v))).collect()
    }

    fn line_impact(&self, lu: &LineUplift, threshold: ImpactThreshold) -> Result<LineImpact, Error> {
        let inputs = self.inputs;
        let l = &inputs.plan.lines[lu.line];
        let (extra, after_period) = inputs.forecast.line_split(lu);
        let sd = self.extra_calls_sd(l, extra);
        let effect = self.effect(lu, threshold)?;
        let policy = &inputs.settings.service;
        let paid = effect.agent_hours / (1.0 - policy.shrinkage.get());
        let flags = self.flags(l, lu, extra, &effect, threshold);
        let suggestion = if flags.is_empty() { Suggestion::default() } else { self.suggest(l, effect.window) };
        let costs = &inputs.settings.costs;
        let report = inputs.fitted.channel_report(&l.channel);
        Ok(LineImpact {
            response_source: report.map_or("learned", |r| r.source.label()),
            response_lines: report.map_or(0, |r| r.lines),
            station: l.station.clone(),
            daypart: if l.kind == crate::config::ChannelKind::Spot {
                crate::forecast::media::response::DAYPARTS[crate::forecast::media::response::daypart_of(l.start.hour())]
                    .0
            } else {
                ""
            },
            media_cost_per_extra_call: (extra >= 0.5).then(|| l.spend / extra),
            line: l.id.clone(),
            row: l.row,
            channel: l.channel.clone(),
            campaign: l.campaign.clone(),
            start: l.start,
            spend: l.spend,
            extra_calls: extra,
            extra_calls_low95: (extra - 1.96 * sd).max(0.0),
            extra_calls_high95: extra + 1.96 * sd,
            peak_interval: effect.peak.map(|(t, _)| inputs.series.starts[t]),
            peak_extra_calls: effect.peak.map(|(_, v)| v).unwrap_or(0.0),
            calls_when_closed: lu.lost_when_closed,
            calls_after_week: after_period,
            extra_agent_hours: effect.agent_hours,
            extra_paid_hours: paid,
            extra_cost: paid * costs.hourly.get(),
            // A line's callers lost never exceed its calls (its calls also make
            // others wait; those are the baseline's losses, not the line's).
            lost_calls_if_not_told: effect.lost_calls.min(extra),
            value_lost_if_not_told: effect.lost_calls.min(extra) * costs.value_per_answered_call.get(),
            busy: self.line_busy(l, lu, extra),
            flags,
            suggestion,
        })
    }

    /// A spot's busy signals minute by minute after it airs (`None` without
    /// lines or for a line that is not a spot): the chain through time over
    /// the intervals its burst reaches, with and without its calls.
    fn line_busy(&self, l: &MediaLine, lu: &LineUplift, extra: f64) -> Option<LineBusy> {
        let lines = self.inputs.settings.lines?;
        let kernel = kernel_of(l, self.inputs.fitted.responses())?;
        let policy = &self.inputs.settings.service;
        let (mut with, mut without, mut told) = (Vec::new(), Vec::new(), Vec::new());
        for (t, own) in spot_minutes(self.inputs.forecast, l, lu, kernel) {
            let Some(spots) = self.spot_minutes.get(&t) else { continue };
            let q = queue_of(self.inputs.series, t, self.inputs.series.calls[t], policy);
            let queue = |agents: u32| LineQueue {
                lambda: 0.0,
                mu: 1.0 / q.aht.get(),
                theta: q.patience.map_or(0.0, |p| 1.0 / p.get()),
                agents,
                lines: 0,
                t: policy.goal.answer_time.get(),
            };
            for (all, mine) in interval_minutes(self.total[t], spots).into_iter().zip(own) {
                with.push(Minute { calls: all, queue: queue(self.on_not_told[t]) });
                without.push(Minute { calls: (all - mine).max(0.0), queue: queue(self.on_not_told[t]) });
                told.push(Minute { calls: all, queue: queue(self.inputs.coverage[t].on_phones) });
            }
        }
        if told.is_empty() {
            return None;
        }
        let heard = |minutes: &[Minute]| -> f64 {
            busy_minutes(&lines, minutes).iter().zip(minutes).map(|(b, m)| b * m.calls).sum()
        };
        Some(LineBusy {
            busy_callers_if_not_told: (heard(&with) - heard(&without)).clamp(0.0, extra),
            worst_minute_busy_share: busy_minutes(&lines, &told).into_iter().fold(0.0, f64::max),
            lines_for_busy_target: lines_for_minutes(&lines, &told, MOST_LINES),
        })
    }

    /// Standard deviation of a line's extra calls: count noise (negative
    /// binomial) and the uncertainty of the channel's learned response.
    fn extra_calls_sd(&self, l: &MediaLine, extra: f64) -> f64 {
        let rel_se = self.inputs.fitted.channel_report(&l.channel).map(|r| r.relative_se).unwrap_or(0.0);
        let k = self.inputs.forecast.dispersion_k;
        (extra + if k.is_finite() { extra * extra / k } else { 0.0 } + (rel_se * extra).powi(2)).sqrt()
    }

    /// The line's effect interval by interval: agents it adds, callers it
    /// loses when the centre is not told, its peak and busy window.
    fn effect(&self, lu: &LineUplift, threshold: ImpactThreshold) -> Result<LineEffect, Error> {
        let policy = &self.inputs.settings.service;
        let hours_per = self.inputs.forecast.interval.get() as f64 / 60.0;
        let mut e = LineEffect::default();
        for (t, v) in self.cells(lu) {
            let with = calls(self.total[t])?;
            let without = calls(self.total[t] - v)?;
            let q = queue_of(self.inputs.series, t, without, policy);
            let extra_agents = self.agents_total[t] - required_agents_at_most(&q, &policy.goal, self.agents_total[t]);
            e.agent_hours += extra_agents as f64 * hours_per;
            if extra_agents > 0 {
                let w = e.window.get_or_insert((t, t, 0));
                w.0 = w.0.min(t);
                w.1 = w.1.max(t);
                w.2 = w.2.max(extra_agents);
            }
            let on = self.on_not_told[t];
            e.lost_calls += (self.lost(t, with, on) - self.lost(t, without, on)).max(0.0);
            if e.peak.is_none_or(|(_, pv)| v > pv) {
                e.peak = Some((t, v));
            }
            if self.base[t] > 0.0 && v > threshold.get() * self.base[t] {
                e.over_threshold = true;
            }
        }
        Ok(e)
    }

    fn flags(
        &self,
        l: &MediaLine,
        lu: &LineUplift,
        extra: f64,
        effect: &LineEffect,
        threshold: ImpactThreshold,
    ) -> Vec<LineFlag> {
        let mut flags = Vec::new();
        let closed_share =
            if extra + lu.lost_when_closed > 0.0 { lu.lost_when_closed / (extra + lu.lost_when_closed) } else { 0.0 };
        if closed_share > 0.1 {
            flags.push(LineFlag::WhileClosed { share: closed_share, calls: lu.lost_when_closed });
        }
        if let (Some((t, _)), false) = (effect.peak, l.kind == ChannelKind::Flight) {
            if self.at_days_peak(t) {
                flags.push(LineFlag::AtDaysPeak);
            }
        }
        if l.kind == ChannelKind::Spot {
            let overlapping: Vec<String> = self
                .inputs
                .plan
                .lines
                .iter()
                .enumerate()
                .filter(|(j, o)| {
                    *j != lu.line && o.kind == ChannelKind::Spot && (o.start - l.start).num_minutes().abs() < 15
                })
                .map(|(_, o)| o.id.clone())
                .collect();
            if !overlapping.is_empty() {
                flags.push(LineFlag::Overlaps(overlapping));
            }
        }
        if effect.over_threshold {
            flags.push(LineFlag::OverThreshold(threshold));
        }
        flags
    }

    /// Whether slot `t` is among the busiest 5% of its day's baseline.
    fn at_days_peak(&self, t: usize) -> bool {
        let per_day = self.per_day;
        let day = t / per_day;
        let mut day_base: Vec<f64> = self.base[day * per_day..(day + 1) * per_day].to_vec();
        day_base.sort_by(|a, b| b.total_cmp(a));
        let top = day_base.get(per_day / 20).copied().unwrap_or(f64::INFINITY);
        self.base[t] >= top && self.base[t] > 0.0
    }

    /// A staffing change that absorbs the line, or for a spot, a slot the
    /// baseline roster can absorb (most spare agents in the half hour after,
    /// same day).
    fn suggest(&self, l: &MediaLine, window: Option<(usize, usize, u32)>) -> Suggestion {
        let starts = &self.inputs.series.starts;
        let roster = window.map(|(a, b, extra)| RosterMore {
            agents: (extra as f64 / (1.0 - self.inputs.settings.service.shrinkage.get())).ceil(),
            first: starts[a],
            last: starts[b],
            end: starts[b] + Duration::minutes((1440 / self.per_day) as i64),
        });
        let spot_move = if l.kind == ChannelKind::Spot { self.spot_move(l.start) } else { None };
        Suggestion { roster, spot_move }
    }

    /// The hour of the week (the same day if the centre opens that day) with
    /// the most spare agents in the half hour after, on the baseline roster.
    fn spot_move(&self, start: NaiveDateTime) -> Option<SpotMove> {
        let fc = self.inputs.forecast;
        let per_day = self.per_day;
        let n_days = fc.days.len();
        let d = (start.date() - self.inputs.week).num_days().clamp(0, n_days as i64 - 1) as usize;
        let open_day = |d: usize| fc.open.row(d).iter().any(|o| *o);
        let days: Vec<usize> = if open_day(d) { vec![d] } else { (0..n_days).filter(|&k| open_day(k)).collect() };
        let slot_minutes = 1440 / per_day;
        let mut best: Option<(f64, usize)> = None;
        for s in days.iter().flat_map(|&k| (k * per_day..(k + 1) * per_day).step_by((60 / slot_minutes).max(1))) {
            let day_end = (s / per_day + 1) * per_day;
            let span = s..(s + (30 / slot_minutes).max(1)).min(self.base.len());
            if span.clone().any(|t| !fc.open[[t / per_day, t % per_day]]) || span.end + 2 > day_end {
                continue;
            }
            let spare: f64 = span
                .clone()
                .map(|t| self.on_not_told[t] as f64 - self.inputs.requirements[t].requirement.agents as f64)
                .sum::<f64>()
                / span.len() as f64;
            if best.is_none_or(|(b, _)| spare > b) {
                best = Some((spare, s));
            }
        }
        let (spare, s) = best?;
        let starts = &self.inputs.series.starts;
        let other_day = starts[s].date() != start.date();
        (other_day || starts[s].hour() != start.hour()).then_some(SpotMove { to: starts[s], spare, other_day })
    }
}

/// Why a media line needs the planner's attention.
#[derive(Debug, Clone, PartialEq)]
pub enum LineFlag {
    /// More than a tenth of its calls arrive while the centre is closed.
    WhileClosed { share: f64, calls: f64 },
    /// Its peak lands among the busiest 5% of its day's intervals.
    AtDaysPeak,
    /// Its burst overlaps these spots' (within 15 minutes).
    Overlaps(Vec<String>),
    /// It adds more than the threshold to an interval's calls.
    OverThreshold(ImpactThreshold),
}

impl std::fmt::Display for LineFlag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LineFlag::WhileClosed { share, calls } => {
                write!(f, "{:.0}% of its calls ({calls:.0}) arrive while the centre is closed", share * 100.0)
            }
            LineFlag::AtDaysPeak => f.write_str("lands at the day's peak"),
            LineFlag::Overlaps(ids) => write!(f, "burst overlaps {}", ids.join(", ")),
            LineFlag::OverThreshold(t) => write!(f, "adds more than {:.0}% to an interval's calls", t.get() * 100.0),
        }
    }
}

impl Serialize for LineFlag {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Agents to roster for a flagged line's busy intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterMore {
    /// Agents to roster (after shrinkage).
    pub agents: f64,
    /// The first and last busy intervals' starts, and the end of the last.
    pub first: NaiveDateTime,
    pub last: NaiveDateTime,
    pub end: NaiveDateTime,
}

/// A better hour for a spot: the most spare agents on the baseline roster.
#[derive(Debug, Clone, PartialEq)]
pub struct SpotMove {
    pub to: NaiveDateTime,
    /// Spare agents there, on average over the half hour after.
    pub spare: f64,
    /// On another day than the spot's (the spot's day is closed).
    pub other_day: bool,
}

/// What absorbs a flagged line: more agents, a better slot for a spot, both
/// (as alternatives) or neither.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Suggestion {
    pub roster: Option<RosterMore>,
    pub spot_move: Option<SpotMove>,
}

impl Suggestion {
    pub fn is_empty(&self) -> bool {
        self.roster.is_none() && self.spot_move.is_none()
    }
}

impl std::fmt::Display for Suggestion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(r) = &self.roster {
            if r.first.date() != r.last.date() {
                write!(
                    f,
                    "roster up to {:.0} more agent(s) at the busy times from {} to {}",
                    r.agents,
                    r.first.format("%a %d %b"),
                    r.last.format("%a %d %b")
                )?;
            } else {
                write!(
                    f,
                    "roster {:.0} more agent(s) {}–{} on {}",
                    r.agents,
                    r.first.format("%H:%M"),
                    r.end.format("%H:%M"),
                    r.first.format("%a %d %b")
                )?;
            }
        }
        if let Some(m) = &self.spot_move {
            if self.roster.is_some() {
                f.write_str("; ")?;
            }
            if m.other_day {
                write!(
                    f,
                    "move the spot to {} (about {:.0} spare agents then)",
                    m.to.format("%a %d %b %H:%M"),
                    m.spare
                )?;
            } else {
                let or = if self.roster.is_some() { "or " } else { "" };
                write!(f, "{or}move the spot to {} (about {:.0} spare agents then)", m.to.format("%H:%M"), m.spare)?;
            }
        }
        Ok(())
    }
}

impl Serialize for Suggestion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A line's effect summed over its intervals.
#[derive(Debug, Default)]
struct LineEffect {
    agent_hours: f64,
    lost_calls: f64,
    /// (slot, extra calls) of the line's busiest interval.
    peak: Option<(usize, f64)>,
    /// (first slot, last slot, most agents) where the line needs more agents.
    window: Option<(usize, usize, u32)>,
    over_threshold: bool,
}

/// Agents on the phones per slot had the centre rostered for the baseline
/// calls only (the same shift model and rules).
fn not_told_on_phones(inputs: &ImpactInputs<'_>, base: &CallSeries) -> Result<Vec<u32>, Error> {
    let settings = inputs.settings;
    let base_req = requirements(base, &settings.service)?;
    let grid = RequirementGrid {
        first_day: inputs.week,
        per_day: inputs.forecast.interval.per_day(),
        required: base_req.iter().map(|r| r.with_shrinkage as f64).collect(),
    };
    let not_told = schedule(&settings.scheduling, &settings.calendar, grid, settings.scheduling.objective)?;
    Ok(not_told.plan.scheduled.iter().map(|s| settings.service.on_phones(*s)).collect())
}

/// Sums of the lines of one campaign or channel.
#[derive(Debug, Default)]
pub struct GroupTotals {
    pub lines: usize,
    pub spend: f64,
    /// Extra calls in the planning week, and after it.
    pub extra_calls: f64,
    pub after_week: f64,
    pub extra_paid_hours: f64,
    pub extra_cost: f64,
    pub lost_calls: f64,
    pub value_lost: f64,
}

impl GroupTotals {
    fn add(&mut self, l: &LineImpact) {
        self.lines += 1;
        self.spend += l.spend;
        self.extra_calls += l.extra_calls;
        self.after_week += l.calls_after_week;
        self.extra_paid_hours += l.extra_paid_hours;
        self.extra_cost += l.extra_cost;
        self.lost_calls += l.lost_calls_if_not_told;
        self.value_lost += l.value_lost_if_not_told;
    }

    /// What answering costs per extra call in the week (the staffing cost).
    pub fn answering_cost_per_call(&self) -> f64 {
        if self.extra_calls >= 0.5 {
            self.extra_cost / self.extra_calls
        } else {
            0.0
        }
    }

    /// What the media cost per extra call in the week (spend / extra calls).
    pub fn media_cost_per_call(&self) -> Option<f64> {
        (self.extra_calls >= 0.5).then(|| self.spend / self.extra_calls)
    }
}

/// The lines' totals by ("campaign", name) and ("channel", name), in that order.
pub fn group_totals(i: &Impact) -> Vec<((&'static str, String), GroupTotals)> {
    let mut by: BTreeMap<(&'static str, String), GroupTotals> = BTreeMap::new();
    for l in &i.lines {
        let campaign = if l.campaign.is_empty() { "(none)".to_string() } else { l.campaign.clone() };
        by.entry(("campaign", campaign)).or_default().add(l);
        by.entry(("channel", l.channel.clone())).or_default().add(l);
    }
    by.into_iter().collect()
}
