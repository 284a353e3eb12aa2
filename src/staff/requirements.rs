//! Agents needed per interval of a call series under a service policy.

use super::{performance_as, required_agents, with_shrinkage, Queue, Requirement, ServicePolicy};
use crate::series::CallSeries;
use crate::units::CallsPerInterval;
use chrono::NaiveDateTime;

/// One interval's staffing requirement.
#[derive(Debug, Clone)]
pub struct IntervalRequirement {
    pub interval_start: NaiveDateTime,
    pub calls: f64,
    pub open: bool,
    /// Agents on the phones.
    pub requirement: Requirement,
    /// Agents to roster for them (after shrinkage).
    pub with_shrinkage: u32,
}

/// The queue of one interval of `series` under `policy`.
pub fn queue_of(calls: CallsPerInterval, series: &CallSeries, policy: &ServicePolicy) -> Queue {
    Queue { calls, interval: series.interval, aht: policy.aht, patience: policy.patience }
}

/// Requirements for every interval. Closed intervals need the agents of an
/// empty queue (0); open ones at least `policy.min_agents_open`.
pub fn requirements(series: &CallSeries, policy: &ServicePolicy) -> Vec<IntervalRequirement> {
    use rayon::prelude::*;
    (0..series.len()).into_par_iter().map(|i| interval_requirement(series, i, policy)).collect()
}

fn interval_requirement(series: &CallSeries, i: usize, policy: &ServicePolicy) -> IntervalRequirement {
    let open = series.open[i];
    let q = queue_of(series.calls[i], series, policy);
    let goal = &policy.goal;
    let mut r = if open {
        required_agents(&q, goal)
    } else {
        required_agents(&Queue { calls: CallsPerInterval::default(), ..q }, goal)
    };
    let min_open = policy.min_agents_open;
    if open && r.agents < min_open {
        r.agents = min_open;
        r.fractional = r.fractional.max(min_open as f64);
        r.performance = performance_as(&q, min_open, goal.answer_time, goal.sl_definition);
    }
    IntervalRequirement {
        interval_start: series.starts[i],
        calls: series.calls[i].get(),
        open,
        requirement: r,
        with_shrinkage: with_shrinkage(r.agents, policy.shrinkage),
    }
}
