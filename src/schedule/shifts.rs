//! Shift families → concrete shift options on the week's interval grid.
//!
//! An option is one start time on one day with one placement of each break;
//! the coverage model chooses how many of each, so placing breaks is part of the
//! optimisation. Options identical in what they cover and cost are merged.

use super::{SchedulingRules, ShiftFamily};
use crate::units::IntervalMinutes;
use chrono::Weekday;
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

/// Agents on the phones (on shift, not on a break) per slot of the week
/// when each `(option, times)` of `taken` is worked `times` times: whole
/// agents from a roster, or an LP's fractional counts. Slots past `slots`
/// (a shift running past the week's end) are left out.
pub fn on_phones_per_slot<T>(
    options: &[ShiftOption],
    taken: impl IntoIterator<Item = (usize, T)>,
    slots: usize,
) -> Vec<T>
where
    T: Copy + Default + std::ops::AddAssign,
{
    let mut n = vec![T::default(); slots];
    for (oi, times) in taken {
        for &t in &options[oi].covered {
            if let Some(c) = n.get_mut(t) {
                *c += times;
            }
        }
    }
    n
}

/// All options of all families on `days` (weekday of each day of the week).
/// `open(week_slot)` tells whether a slot is open; with
/// `respect_opening_hours`, options touching a closed slot are dropped.
/// The rules were checked against `interval` ([`crate::config::SchedulingConfig::rules`]):
/// every span and break is whole intervals, and every window meets them.
pub fn expand(
    cfg: &SchedulingRules,
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
        let span = (f.span_hours * 60.0).round() as u32;
        for (d, wd) in days.iter().enumerate() {
            if !f.days.is_empty() && !f.days.contains(wd) {
                continue;
            }
            let mut t = f.earliest_start;
            while t <= f.latest_start {
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
        let cfg = SchedulingRules {
            respect_opening_hours: false,
            shifts: vec![ShiftFamily {
                name: "FT".into(),
                earliest_start: 7 * 60,
                latest_start: 13 * 60 + 30,
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
            ..SchedulingRules::default()
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
