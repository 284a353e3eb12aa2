//! Coverage: what the roster delivers, interval by interval: agents on shift,
//! on the phones after shrinkage, and the projected service (Erlang C/A) for
//! the forecast calls; during the day ([`DaySeries`]), the calls the agents
//! cannot answer at the target and where callbacks fit ([`place_callbacks`]).

use crate::schedule::roster::Roster;
use crate::schedule::shifts::{on_phones_per_slot, ShiftOption};
use crate::series::CallSeries;
use crate::staff::requirements::{answerable_at_target, queue_of, IntervalRequirement};
use crate::staff::{performance_as, Performance, ServicePolicy};
use chrono::NaiveDateTime;
use serde::Serialize;

/// One interval of the coverage report.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageRow {
    pub interval_start: NaiveDateTime,
    pub open: bool,
    pub calls: f64,
    /// Agents needed on the phones.
    pub required: u32,
    /// Agents to roster for that (after shrinkage).
    pub required_rostered: u32,
    /// Agents rostered on shift and not on a break.
    pub rostered: u32,
    /// Of those, expected on the phones after shrinkage.
    pub on_phones: u32,
    pub service_level: Option<f64>,
    pub asa_seconds: Option<f64>,
    pub abandon: Option<f64>,
    pub occupancy: Option<f64>,
    /// The simulated service level (mean and 95% range of the replications),
    /// where the week was simulated.
    pub simulated_service_level: Option<crate::simulate::Estimate>,
    pub simulated_abandon: Option<f64>,
    /// The limit that set the interval's requirement.
    pub set_by: Option<crate::staff::StaffingLimit>,
    /// With lines, the simulated busy signals (where the week was simulated).
    pub busy: Option<IntervalBusy>,
}

/// Busy signals of one interval, simulated with the centre's lines.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IntervalBusy {
    /// Mean busy signals (attempts that found every line taken).
    pub busy_signals: f64,
    /// Busy signals / attempts.
    pub busy_share: f64,
    /// Mean callers lost to busy signals (did not call again).
    pub lost_to_busy: f64,
    /// The minute with the largest busy share, and that share.
    pub worst_minute: Option<(NaiveDateTime, f64)>,
}

/// Agents on shift (not on a break) per slot of the week, from the roster.
pub fn rostered_per_slot(options: &[ShiftOption], roster: &Roster, slots: usize) -> Vec<u32> {
    on_phones_per_slot(options, roster.assignments.iter().map(|a| (a.option, 1u32)), slots)
}

/// What `on_phones` agents achieve on interval `t` of `series`; `None` when closed.
pub fn project(series: &CallSeries, t: usize, on_phones: u32, policy: &ServicePolicy) -> Option<Performance> {
    if !series.open[t] {
        return None;
    }
    let q = queue_of(series, t, series.calls[t], policy);
    Some(performance_as(&q, on_phones, policy.goal.answer_time, policy.goal.sl_definition))
}

/// The coverage of every interval with `rostered` agents on shift.
pub fn coverage(
    series: &CallSeries,
    requirements: &[IntervalRequirement],
    rostered: &[u32],
    policy: &ServicePolicy,
) -> Vec<CoverageRow> {
    (0..series.len())
        .map(|t| {
            let on = policy.on_phones(rostered[t]);
            let p = project(series, t, on, policy);
            CoverageRow {
                interval_start: series.starts[t],
                open: series.open[t],
                calls: series.calls[t].get(),
                required: requirements[t].requirement.agents,
                required_rostered: requirements[t].with_shrinkage,
                rostered: rostered[t],
                on_phones: on,
                service_level: p.map(|p| p.service_level),
                asa_seconds: p.and_then(|p| p.asa_seconds.is_finite().then_some(p.asa_seconds)),
                abandon: p.and_then(|p| p.p_abandon),
                occupancy: p.map(|p| p.occupancy),
                simulated_service_level: None,
                simulated_abandon: None,
                set_by: requirements[t].set_by,
                busy: None,
            }
        })
        .collect()
}

/// The day's part of the week's updated calls, with the service policy.
pub struct DaySeries<'a> {
    pub series: &'a CallSeries,
    /// The day's first slot in the week.
    pub first: usize,
    pub per_day: usize,
    pub policy: &'a ServicePolicy,
}

impl DaySeries<'_> {
    /// Projected service level per slot with `rostered` agents on shift.
    pub fn service_levels(&self, rostered: &[u32]) -> Vec<Option<f64>> {
        let p = self.policy;
        (0..self.per_day)
            .map(|j| project(self.series, self.first + j, p.on_phones(rostered[j]), p).map(|x| x.service_level))
            .collect()
    }

    /// Calls per slot from `at` on that `rostered` agents cannot answer at the target.
    pub fn callbacks(&self, rostered: &[u32], at: usize) -> Vec<f64> {
        self.beyond(rostered, at, |calls, most| (calls - most).max(0.0))
    }

    /// Calls per slot from `at` on that `rostered` agents could answer at the
    /// target beyond the slot's own: room for callbacks.
    pub fn spare_calls(&self, rostered: &[u32], at: usize) -> Vec<f64> {
        self.beyond(rostered, at, |calls, most| (most - calls).max(0.0))
    }

    /// `f(calls, most answered at the target)` per open slot from `at` on; 0 elsewhere.
    fn beyond(&self, rostered: &[u32], at: usize, f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
        let p = self.policy;
        (0..self.per_day)
            .map(|j| {
                let t = self.first + j;
                if j < at || !self.series.open[t] {
                    return 0.0;
                }
                f(self.series.calls[t].get(), answerable_at_target(self.series, t, p.on_phones(rostered[j]), p))
            })
            .collect()
    }
}

/// Place each slot's callbacks, earliest first, into the later slots with
/// spare room (calls their agents could answer at the target beyond their
/// own), filling each slot's room before the next: (from, to, calls).
/// Callbacks with no room left today are not placed.
pub fn place_callbacks(callbacks: &[f64], spare: &[f64]) -> Vec<(usize, usize, f64)> {
    let mut room = spare.to_vec();
    let mut out = Vec::new();
    for (from, &c) in callbacks.iter().enumerate() {
        let mut left = c;
        for (to, r) in room.iter_mut().enumerate().skip(from + 1) {
            if left < 0.05 {
                break;
            }
            let take = left.min(*r);
            if take >= 0.05 {
                out.push((from, to, take));
                *r -= take;
                left -= take;
            }
        }
    }
    out
}

#[cfg(test)]
mod callbacks {
    use super::place_callbacks;

    #[test]
    fn callbacks_go_to_the_earliest_later_intervals_with_room() {
        let callbacks = [0.0, 6.0, 0.0, 0.0, 3.0];
        let spare = [9.0, 0.0, 4.0, 5.0, 0.0];
        // Slot 1's six go to 2 (4) and 3 (2); slot 4's three have no later room.
        assert_eq!(place_callbacks(&callbacks, &spare), vec![(1, 2, 4.0), (1, 3, 2.0)]);
    }
}
