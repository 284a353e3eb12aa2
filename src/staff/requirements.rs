//! Agents needed per interval of a call series under a service policy.

use super::{
    binding_limit, performance_as, required_agents, with_shrinkage, Performance, Queue, Requirement, ServicePolicy,
    StaffingLimit,
};
use crate::error::{Error, Infeasibility};
use crate::limits::MAX_LOAD_ERLANGS;
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
    /// The limit that set the agents (`None`: closed, or no agents needed).
    pub set_by: Option<StaffingLimit>,
    /// The agents the service-level target alone needs.
    pub service_level_agents: u32,
}

/// What a fixed number of agents on the phones gives in one open interval.
#[derive(Debug, Clone)]
pub struct IntervalPerformance {
    pub interval_start: NaiveDateTime,
    pub calls: f64,
    pub performance: Performance,
}

/// What `agents` on the phones give in every open interval of `series`, and
/// the share of all its calls answered within the goal's time (1 without
/// calls).
pub fn performance_with(series: &CallSeries, agents: u32, policy: &ServicePolicy) -> (Vec<IntervalPerformance>, f64) {
    let mut rows = Vec::new();
    let (mut answered_in_time, mut calls) = (0.0, 0.0);
    for t in (0..series.len()).filter(|&t| series.open[t]) {
        let q = queue_of(series, t, series.calls[t], policy);
        let p = performance_as(&q, agents, policy.goal.answer_time, policy.goal.sl_definition);
        answered_in_time += q.calls.get() * p.service_level;
        calls += q.calls.get();
        rows.push(IntervalPerformance { interval_start: series.starts[t], calls: q.calls.get(), performance: p });
    }
    let share = if calls > 0.0 { answered_in_time / calls } else { 1.0 };
    (rows, share)
}

/// The queue of interval `t` of `series` with `calls` arriving, under
/// `policy`: the interval's own handle time where the series has one.
pub fn queue_of(series: &CallSeries, t: usize, calls: CallsPerInterval, policy: &ServicePolicy) -> Queue {
    let aht = series.handle.as_ref().map_or(policy.aht, |h| h[t]);
    let patience = series.patience.as_ref().map_or(policy.patience, |p| Some(p[t]));
    Queue { calls, interval: series.interval, aht, patience }
}

/// Requirements for every interval. Closed intervals need the agents of an
/// empty queue (0); open ones at least `policy.min_agents_open`.
///
/// An interval whose offered load exceeds [`MAX_LOAD_ERLANGS`] is refused
/// before any search: its agents would number in the hundreds of thousands,
/// no centre's single queue, and almost surely a unit or decimal slip.
pub fn requirements(series: &CallSeries, policy: &ServicePolicy) -> Result<Vec<IntervalRequirement>, Error> {
    use rayon::prelude::*;
    check_loads(series, policy)?;
    Ok((0..series.len()).into_par_iter().map(|i| interval_requirement(series, i, policy)).collect())
}

/// The first open interval whose load is beyond what ringcast staffs.
fn check_loads(series: &CallSeries, policy: &ServicePolicy) -> Result<(), Error> {
    for t in (0..series.len()).filter(|&t| series.open[t]) {
        let q = queue_of(series, t, series.calls[t], policy);
        let load = q.calls.load(q.interval, q.aht).get();
        if load > MAX_LOAD_ERLANGS {
            return Err(Error::Infeasible(Infeasibility::new(vec![t], &["service.aht_seconds"], format!(
                "the interval from {} has {:.0} calls of {:.0} s in {} minutes, an offered load of {load:.0} Erlangs; ringcast staffs at most {MAX_LOAD_ERLANGS:.0} Erlangs per interval (check the calls and the handle time for a unit or decimal slip)",
                series.starts[t].format("%Y-%m-%d %H:%M"),
                q.calls.get(),
                q.aht.get(),
                q.interval.get()
            ))));
        }
    }
    Ok(())
}

fn interval_requirement(series: &CallSeries, i: usize, policy: &ServicePolicy) -> IntervalRequirement {
    let open = series.open[i];
    let q = queue_of(series, i, series.calls[i], policy);
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
    let (set_by, service_level_agents) = if open && r.agents > 0 {
        let (limit, sl) = binding_limit(&q, goal, r.agents);
        (Some(limit), sl)
    } else {
        (None, 0)
    };
    IntervalRequirement {
        interval_start: series.starts[i],
        calls: series.calls[i].get(),
        open,
        requirement: r,
        with_shrinkage: with_shrinkage(r.agents, policy.shrinkage),
        set_by,
        service_level_agents,
    }
}

/// The most calls interval `t` may hold for `on_phones` agents to answer
/// them at the target service level (bisection; the service level falls as
/// calls rise).
pub fn answerable_at_target(series: &CallSeries, t: usize, on_phones: u32, policy: &ServicePolicy) -> f64 {
    let target = policy.goal.target_sl.get();
    let meets = |c: f64| {
        let Ok(c) = CallsPerInterval::new(c) else { return false };
        let q = queue_of(series, t, c, policy);
        performance_as(&q, on_phones, policy.goal.answer_time, policy.goal.sl_definition).service_level >= target
    };
    if on_phones == 0 {
        return 0.0;
    }
    // An upper bound: the calls `on_phones` agents handle when always busy.
    let q = queue_of(series, t, CallsPerInterval::default(), policy);
    let mut hi = on_phones as f64 * q.interval.get() * 60.0 / q.aht.get() + 1.0;
    while meets(hi) && hi < 1e6 {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..40 {
        let mid = (lo + hi) / 2.0;
        if meets(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff::{ServiceValues, SlDefinition};
    use crate::units::{Minutes, Seconds};

    #[test]
    fn each_interval_is_staffed_with_its_own_handle_time() {
        let policy = ServicePolicy::new(&ServiceValues {
            target_sl: 0.8,
            answer_seconds: 20.0,
            max_asa_seconds: None,
            max_occupancy: None,
            max_abandon: None,
            aht_seconds: 200.0,
            patience_seconds: None,
            shrinkage: 0.0,
            min_agents_open: 0,
            sl_definition: SlDefinition::AllCallers,
        })
        .unwrap();
        let t = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap().and_hms_opt(9, 0, 0).unwrap();
        let series = CallSeries {
            interval: Minutes::new(30.0).unwrap(),
            starts: vec![t, t + chrono::Duration::minutes(30)],
            calls: vec![CallsPerInterval::new(100.0).unwrap(); 2],
            open: vec![true, true],
            handle: None,
            patience: None,
        };
        let flat: Vec<u32> = requirements(&series, &policy).unwrap().iter().map(|r| r.requirement.agents).collect();
        assert_eq!(flat[0], flat[1]);
        let by_hour =
            CallSeries { handle: Some(vec![Seconds::new(100.0).unwrap(), Seconds::new(400.0).unwrap()]), ..series };
        let r: Vec<u32> = requirements(&by_hour, &policy).unwrap().iter().map(|r| r.requirement.agents).collect();
        assert!(r[0] < flat[0] && r[1] > flat[1], "{r:?} vs {flat:?}");
    }
}
