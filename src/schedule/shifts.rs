//! Shift families → concrete shift options on the week's interval grid.
//!
//! An option is one start time on one day with one placement of each break;
//! the coverage model chooses how many of each, so placing breaks is part of the
//! optimisation. Options identical in what they cover and cost are merged.

use super::{SchedulingConfig, ShiftFamily};
use crate::units::IntervalMinutes;
use chrono::{NaiveTime, Timelike, Weekday};
use std::collections::BTreeSet;

/// One way to work one shift.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftOption {
    pub family: usize,
    /// Day of the week (0 = the week's first day).
    pub day: usize,
    /// First slot, counted from the week's start.
    pub start: usize,
    /// Slot after the last, from the week's start (may pass the week's end).
    pub end: usize,
    /// Break slots `[a, b)`, from the week's start.
    pub breaks: Vec<(usize, usize)>,
    pub paid_hours: f64,
    /// Slots on the phones (within the week), ascending.
    pub covered: Vec<usize>,
    /// The queue the shift answers (index into the plan's queues; 0 with one queue).
    pub queue: usize,
}

impl ShiftOption {
    /// Whether the shift runs past midnight into the next day.
    pub fn crosses_midnight(&self, per_day: usize) -> bool {
        (self.end - 1) / per_day != self.start / per_day
    }
}

pub fn parse_hhmm(s: &str) -> Option<u32> {
    if s.trim() == "24:00" {
        return Some(1440);
    }
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok().map(|t| t.hour() * 60 + t.minute())
}

pub fn weekday_of(s: &str) -> Option<Weekday> {
    match s.trim().to_ascii_lowercase().as_str() {
        "mon" | "monday" => Some(Weekday::Mon),
        "tue" | "tuesday" => Some(Weekday::Tue),
        "wed" | "wednesday" => Some(Weekday::Wed),
        "thu" | "thursday" => Some(Weekday::Thu),
        "fri" | "friday" => Some(Weekday::Fri),
        "sat" | "saturday" => Some(Weekday::Sat),
        "sun" | "sunday" => Some(Weekday::Sun),
        _ => None,
    }
}

/// All options of all families on `days` (weekday of each day of the week).
/// `open(week_slot)` tells whether a slot is open; with
/// `respect_opening_hours`, options touching a closed slot are dropped.
pub fn expand(
    cfg: &SchedulingConfig,
    interval: IntervalMinutes,
    days: &[Weekday],
    open: &dyn Fn(usize) -> bool,
) -> Vec<ShiftOption> {
    let iv = interval.get();
    let per_day = interval.per_day();
    let week_slots = per_day * days.len();
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (fi, f) in cfg.shifts.iter().enumerate() {
        let allowed: Vec<Weekday> = f.days.iter().filter_map(|d| weekday_of(d)).collect();
        let (Some(first), Some(last)) = (parse_hhmm(&f.earliest_start), parse_hhmm(&f.latest_start)) else { continue };
        let span = (f.span_hours * 60.0).round() as u32;
        if !span.is_multiple_of(iv) {
            continue;
        }
        for (d, wd) in days.iter().enumerate() {
            if !allowed.is_empty() && !allowed.contains(wd) {
                continue;
            }
            let mut t = first;
            while t <= last {
                if t % iv == 0 {
                    let start = d * per_day + (t / iv) as usize;
                    let end = start + (span / iv) as usize;
                    for breaks in placements(f, start, iv) {
                        let on_break = |s: usize| breaks.iter().any(|(a, b)| s >= *a && s < *b);
                        let touches_closed =
                            cfg.respect_opening_hours && (start..end.min(week_slots)).any(|s| !open(s));
                        if touches_closed {
                            continue;
                        }
                        let covered: Vec<usize> = (start..end.min(week_slots)).filter(|s| !on_break(*s)).collect();
                        let key = (covered.clone(), (f.paid_hours * 1000.0).round() as i64, fi, start);
                        if seen.insert(key) {
                            out.push(ShiftOption {
                                family: fi,
                                day: d,
                                start,
                                end,
                                breaks,
                                paid_hours: f.paid_hours,
                                covered,
                                queue: 0,
                            });
                        }
                    }
                }
                t += f.start_step_minutes;
            }
        }
    }
    out
}

/// Every placement of the family's breaks (in order, not overlapping), as slot ranges.
fn placements(f: &ShiftFamily, start: usize, iv: u32) -> Vec<Vec<(usize, usize)>> {
    let mut acc: Vec<Vec<(usize, usize)>> = vec![vec![]];
    for b in &f.breaks {
        if b.minutes % iv != 0 {
            continue;
        }
        let mut next = Vec::new();
        for prev in &acc {
            let mut off = b.earliest_after_minutes;
            while off <= b.latest_after_minutes {
                if off % iv == 0 {
                    let a = start + (off / iv) as usize;
                    let e = a + (b.minutes / iv) as usize;
                    if prev.iter().all(|(pa, pb)| e <= *pa || a >= *pb) {
                        let mut v = prev.clone();
                        v.push((a, e));
                        next.push(v);
                    }
                }
                off += b.step_minutes.max(1);
            }
        }
        acc = next;
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::BreakRule;

    #[test]
    fn instance_b_like_family_expands_to_starts_times_lunch_placements() {
        let cfg = SchedulingConfig {
            respect_opening_hours: false,
            shifts: vec![ShiftFamily {
                name: "FT".into(),
                earliest_start: "07:00".into(),
                latest_start: "13:30".into(),
                start_step_minutes: 15,
                span_hours: 8.5,
                paid_hours: 8.0,
                days: vec![],
                breaks: vec![BreakRule {
                    minutes: 30,
                    earliest_after_minutes: 210,
                    latest_after_minutes: 255,
                    step_minutes: 15,
                    paid: false,
                }],
                part_time: false,
            }],
            ..SchedulingConfig::default()
        };
        let o = expand(&cfg, IntervalMinutes::new(15).unwrap(), &[Weekday::Mon], &|_| true);
        assert_eq!(o.len(), 27 * 4);
        let first = &o[0];
        assert_eq!(first.start, 28);
        assert_eq!(first.end, 28 + 34);
        assert_eq!(first.covered.len(), 32, "8.5 h span less a 30-minute lunch");
        assert_eq!(first.breaks, vec![(42, 44)]);
    }
}
