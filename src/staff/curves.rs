//! Service curves for scheduling to a day's (or week's) goal: what each added
//! agent on the phones buys in an interval, for the shift model to a goal
//! (`schedule::goal`).

use super::requirements::queue_of;
use super::{performance_as, required_agents, Queue, ServiceGoal, ServicePolicy};
use crate::series::{CallSeries, IntervalCurve};
use crate::units::Fraction;

/// The goals a period answers for, in the order of [`IntervalCurve::values`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeriodGoals {
    /// Always: calls not answered within the target.
    pub service_level: bool,
    /// Calls abandoned, with a cap on abandonment (needs patience).
    pub abandon_cap: Option<f64>,
    /// Waiting beyond the ASA cap: Σ answered × (ASA − cap).
    pub asa_cap: Option<f64>,
}

impl PeriodGoals {
    pub fn of(policy: &ServicePolicy) -> PeriodGoals {
        PeriodGoals {
            service_level: true,
            abandon_cap: policy.goal.max_abandon.filter(|_| policy.patience.is_some()).map(|f| f.get()),
            asa_cap: policy.goal.max_asa.map(|s| s.get()),
        }
    }
}

/// The curve of interval `t`: its floor (the per-interval floor service
/// level, the occupancy cap, the minimum agents) and, for each agent above it
/// up to the point where another agent changes almost nothing, the value of
/// every goal's function. `None` when closed or without calls.
pub fn interval_curve(
    series: &CallSeries,
    t: usize,
    policy: &ServicePolicy,
    floor_sl: Option<Fraction>,
    goals: &PeriodGoals,
) -> Option<IntervalCurve> {
    if !series.open[t] {
        return None;
    }
    let q = queue_of(series, t, series.calls[t], policy);
    let g = &policy.goal;
    let calls = q.calls.get();
    if calls <= 0.0 {
        return (policy.min_agents_open > 0).then(|| IntervalCurve {
            floor: policy.min_agents_open,
            load: 0.0,
            values: vec![vec![0.0]; goal_count(goals)],
        });
    }
    // The occupancy cap holds over the period too (see `GoalGrid::occupancy_cap`).
    let floor_goal = ServiceGoal {
        target_sl: floor_sl.unwrap_or(Fraction::ZERO),
        max_asa: None,
        max_abandon: None,
        max_occupancy: None,
        ..*g
    };
    let floor = required_agents(&q, &floor_goal).agents.max(policy.min_agents_open);
    let top = top_agents(&q, g).max(floor);
    let values: Vec<Vec<f64>> =
        (0..goal_count(goals)).map(|k| (floor..=top).map(|n| goal_value(&q, g, goals, k, n)).collect()).collect();
    // Below its steepest point a service curve is convex in the agents (a
    // queue short of its load answers almost nobody in time): the shift model
    // is exact only where each agent buys less than the one before, so the
    // floor rises to the steepest point of every goal's curve.
    let skip = values.iter().map(|v| steepest(v)).max().unwrap_or(0);
    let values = values.into_iter().map(|v| v[skip..].to_vec()).collect();
    Some(IntervalCurve { floor: floor + skip as u32, load: q.calls.load(q.interval, q.aht).get(), values })
}

/// The index from which the reductions `v[k] − v[k+1]` never rise again.
fn steepest(v: &[f64]) -> usize {
    let d: Vec<f64> = v.windows(2).map(|w| w[0] - w[1]).collect();
    (1..d.len()).rev().find(|&k| d[k] > d[k - 1] + 1e-12 * d[k - 1].abs().max(1.0)).unwrap_or(0)
}

fn goal_count(goals: &PeriodGoals) -> usize {
    1 + usize::from(goals.abandon_cap.is_some()) + usize::from(goals.asa_cap.is_some())
}

/// The agents beyond which one more changes the service level by less than
/// a thousandth: the requirement at 99.5% (two agents more for good measure).
fn top_agents(q: &Queue, g: &ServiceGoal) -> u32 {
    let near_all = ServiceGoal { target_sl: Fraction::new(0.995).unwrap_or(Fraction::ONE), ..*g };
    required_agents(q, &near_all).agents + 2
}

/// Goal `k`'s function at `n` agents (convex and decreasing in `n`).
fn goal_value(q: &Queue, g: &ServiceGoal, goals: &PeriodGoals, k: usize, n: u32) -> f64 {
    let p = performance_as(q, n, g.answer_time, g.sl_definition);
    let calls = q.calls.get();
    let mut index = 0;
    if k == index {
        return calls * (1.0 - p.service_level);
    }
    if goals.abandon_cap.is_some() {
        index += 1;
        if k == index {
            return calls * p.p_abandon.unwrap_or(0.0);
        }
    }
    let cap = goals.asa_cap.unwrap_or(0.0);
    let answered = calls * (1.0 - p.p_abandon.unwrap_or(0.0));
    let asa = if p.asa_seconds.is_finite() { p.asa_seconds } else { 1e6 };
    answered * (asa - cap)
}
