//! Staff: from calls per interval to agents on the phones.
//!
//! * [`erlang`]: Erlang B/C and Erlang A, exact and stable.
//! * [`lines`]: finite lines (trunks, IVR ports): busy signals and redials,
//!   the M/M/N/K+M chain.
//! * [`performance`] of `n` agents on a [`Queue`] (the reverse view, used for
//!   coverage and the "not told" scenario of the campaign impact).
//! * [`required_agents`]: the smallest `n` meeting every goal of a
//!   [`ServiceGoal`], with the fractional crossing for the scheduler.
//! * [`policy`]: the service goal and queue parameters, checked once.
//! * [`requirements`]: agents needed per interval of a [`crate::series::CallSeries`].
//!
//! Service level has two definitions in the industry; [`SlDefinition`] offers both.
//! The default, `AllCallers`, counts a caller who abandons as not answered in
//! time (the stricter one); `AnsweredOnly` is the share of answered callers who
//! waited no longer than the target.

pub mod curves;
pub mod erlang;
pub mod lines;
pub mod policy;
pub mod requirements;
pub mod skills;

pub use policy::{PolicyError, ServicePolicy, ServiceValues};

use crate::units::{CallsPerInterval, Fraction, Minutes, Seconds};
use serde::Serialize;

/// One interval's queue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Queue {
    pub calls: CallsPerInterval,
    pub interval: Minutes,
    pub aht: Seconds,
    /// Mean caller patience; `None` = callers never abandon (Erlang C).
    pub patience: Option<Seconds>,
}

/// Which callers the service level is a share of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlDefinition {
    /// Answered within the target / all callers (abandoners count as failures).
    #[default]
    AllCallers,
    /// Answered within the target / answered callers.
    AnsweredOnly,
}

/// The goals an interval's staffing must meet; all optional caps are checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceGoal {
    pub target_sl: Fraction,
    pub answer_time: Seconds,
    pub max_asa: Option<Seconds>,
    pub max_occupancy: Option<Fraction>,
    pub max_abandon: Option<Fraction>,
    pub sl_definition: SlDefinition,
}

impl ServiceGoal {
    /// A checked goal: refuses goals no number of agents can meet.
    pub fn new(
        target_sl: Fraction,
        answer_time: Seconds,
        max_asa: Option<Seconds>,
        max_occupancy: Option<Fraction>,
        max_abandon: Option<Fraction>,
        sl_definition: SlDefinition,
    ) -> Result<ServiceGoal, PolicyError> {
        if target_sl.get() >= 1.0 {
            return Err(PolicyError {
                key: "target_sl",
                message: format!(
                    "got {}: cannot be met, no number of agents answers every call within {} s; expected a target below 1 (e.g. 0.8)",
                    target_sl.get(),
                    answer_time.get()
                ),
            });
        }
        if max_occupancy.is_some_and(|o| o.get() <= 0.0) {
            return Err(PolicyError {
                key: "max_occupancy",
                message: "expected an occupancy cap above 0 (e.g. 0.85)".into(),
            });
        }
        if max_asa.is_some_and(|a| a.get() <= 0.0) {
            return Err(PolicyError {
                key: "max_asa_seconds",
                message: "a maximum ASA of 0 s cannot be met with any callers waiting; expected a cap above 0".into(),
            });
        }
        Ok(ServiceGoal { target_sl, answer_time, max_asa, max_occupancy, max_abandon, sl_definition })
    }
}

/// What `n` agents achieve on a queue.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Performance {
    pub agents: u32,
    /// Service level under the goal's definition (or all callers).
    pub service_level: f64,
    pub service_level_answered: f64,
    /// Mean wait of answered callers, seconds; infinite when the queue is unstable.
    pub asa_seconds: f64,
    /// Mean wait of all callers, seconds.
    pub mean_wait_seconds: f64,
    pub occupancy: f64,
    pub p_wait: f64,
    /// Share of callers who abandon; `None` without patience.
    pub p_abandon: Option<f64>,
}

/// Agents needed for one interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Requirement {
    /// Smallest whole number of agents meeting every goal.
    pub agents: u32,
    /// Where the binding goal is crossed, interpolated between `agents − 1` and `agents`.
    pub fractional: f64,
    pub performance: Performance,
}

impl Queue {
    fn rates(&self) -> (f64, f64, f64) {
        let secs = self.interval.to_seconds().get().max(f64::MIN_POSITIVE);
        let lambda = self.calls.get() / secs;
        let mu = 1.0 / self.aht.get().max(f64::MIN_POSITIVE);
        let theta = self.patience.map(|p| 1.0 / p.get().max(f64::MIN_POSITIVE)).unwrap_or(0.0);
        (lambda, mu, theta)
    }
}

/// Performance of `agents` on `q` with the answer-time target `t` (service level
/// reported for all callers; see [`Performance::service_level_answered`]).
pub fn performance(q: &Queue, agents: u32, t: Seconds) -> Performance {
    performance_as(q, agents, t, SlDefinition::AllCallers)
}

/// Performance with a chosen service-level definition.
pub fn performance_as(q: &Queue, agents: u32, t: Seconds, def: SlDefinition) -> Performance {
    let (lambda, mu, theta) = q.rates();
    let m = erlang::metrics(lambda, mu, theta, agents, t.get());
    Performance {
        agents,
        service_level: match def {
            SlDefinition::AllCallers => m.sl_all,
            SlDefinition::AnsweredOnly => m.sl_answered,
        },
        service_level_answered: m.sl_answered,
        asa_seconds: m.asa,
        mean_wait_seconds: m.mean_wait_all,
        occupancy: m.occupancy,
        p_wait: m.p_wait,
        p_abandon: q.patience.map(|_| m.p_abandon),
    }
}

/// Whether a performance meets every goal.
pub fn meets(p: &Performance, g: &ServiceGoal) -> bool {
    p.service_level + 1e-12 >= g.target_sl.get()
        && g.max_asa.is_none_or(|m| p.asa_seconds <= m.get())
        && g.max_occupancy.is_none_or(|m| p.occupancy <= m.get() + 1e-12)
        && g.max_abandon.is_none_or(|m| p.p_abandon.unwrap_or(0.0) <= m.get() + 1e-12)
}

/// Which limit of the service policy set an interval's agents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffingLimit {
    /// The service-level target alone.
    ServiceLevel,
    /// The occupancy cap (`max_occupancy`) needed more agents than the target.
    OccupancyCap,
    /// The ASA cap (`max_asa_seconds`).
    AsaCap,
    /// The abandonment cap (`max_abandon`).
    AbandonCap,
    /// The minimum agents in every open interval (`min_agents_open`).
    MinimumAgents,
    /// A special day's hours (`[opening_hours] special`) close an interval
    /// its weekday would open: no agents.
    SpecialDay,
}

impl StaffingLimit {
    pub fn label(self) -> &'static str {
        match self {
            StaffingLimit::ServiceLevel => "service_level",
            StaffingLimit::OccupancyCap => "occupancy_cap",
            StaffingLimit::AsaCap => "asa_cap",
            StaffingLimit::AbandonCap => "abandon_cap",
            StaffingLimit::MinimumAgents => "minimum_agents",
            StaffingLimit::SpecialDay => "special_day",
        }
    }
    /// In words, for the summary and the report.
    pub fn words(self) -> &'static str {
        match self {
            StaffingLimit::ServiceLevel => "the service-level target",
            StaffingLimit::OccupancyCap => "the occupancy cap (max_occupancy)",
            StaffingLimit::AsaCap => "the ASA cap (max_asa_seconds)",
            StaffingLimit::AbandonCap => "the abandonment cap (max_abandon)",
            StaffingLimit::MinimumAgents => "the minimum agents per open interval (min_agents_open)",
            StaffingLimit::SpecialDay => "a special day's hours ([opening_hours] special)",
        }
    }
}

/// The limit that set `n` agents for `q` under `g` (with `n` at least the
/// goal's requirement, raised to a minimum where one applies), and the agents
/// the service-level target alone needs. Where a cap binds, `n − 1` agents
/// meet the target but break that cap.
pub fn binding_limit(q: &Queue, g: &ServiceGoal, n: u32) -> (StaffingLimit, u32) {
    let target_only = ServiceGoal { max_asa: None, max_occupancy: None, max_abandon: None, ..*g };
    let sl_agents = required_agents(q, &target_only).agents;
    if n <= sl_agents {
        return (StaffingLimit::ServiceLevel, sl_agents);
    }
    let p = performance_as(q, n - 1, g.answer_time, g.sl_definition);
    let limit = if g.max_occupancy.is_some_and(|m| p.occupancy > m.get() + 1e-12) {
        StaffingLimit::OccupancyCap
    } else if g.max_asa.is_some_and(|m| p.asa_seconds > m.get()) {
        StaffingLimit::AsaCap
    } else if g.max_abandon.is_some_and(|m| p.p_abandon.unwrap_or(0.0) > m.get() + 1e-12) {
        StaffingLimit::AbandonCap
    } else {
        StaffingLimit::MinimumAgents
    };
    (limit, sl_agents)
}

/// The smallest number of agents meeting every goal.
///
/// Service level, ASA, occupancy and abandonment all improve with every agent
/// added, so the answer is bracketed and bisected. Erlang C walks up from the
/// load (see [`erlang_c_search`]). Erlang A starts from the square-root
/// staffing rule n ≈ a + √a, which lands within a few √a of the answer, and
/// widens the bracket by doubling steps from there: O(log √a) evaluations
/// near the answer, never one at n = 0 where a long queue makes each
/// evaluation cost as much as the calls.
pub fn required_agents(q: &Queue, g: &ServiceGoal) -> Requirement {
    let perf = |n: u32| performance_as(q, n, g.answer_time, g.sl_definition);
    if q.calls.get() <= 0.0 {
        return Requirement { agents: 0, fractional: 0.0, performance: perf(0) };
    }
    let (lambda, mu, theta) = q.rates();
    let load = lambda / mu;
    if theta <= 0.0 {
        return erlang_c_search(q, g, lambda, mu);
    }
    let start = (load + load.sqrt()).ceil().max(1.0) as u32;
    let (lo, hi, p_hi) = bracket(start, |n| {
        let p = perf(n);
        (meets(&p, g), p)
    });
    let (n, p_hi) = bisect(lo, hi, p_hi, |n| {
        let p = perf(n);
        (meets(&p, g), p)
    });
    let fractional = if n == 0 { 0.0 } else { fractional_crossing(q, g, n, &p_hi, &perf(n - 1)) };
    Requirement { agents: n, fractional, performance: p_hi }
}

/// A bracket `(lo, hi)` around the smallest `n` that meets (`check(n).0`),
/// found from `start` by steps that double: `lo` fails (or is `None` when 0
/// meets), `hi` meets. Meeting is monotone in `n`.
fn bracket<P>(start: u32, check: impl Fn(u32) -> (bool, P)) -> (Option<u32>, u32, P) {
    let (ok, p) = check(start);
    let mut step = 1u32;
    if ok {
        let (mut hi, mut p_hi) = (start, p);
        loop {
            let n = hi.saturating_sub(step);
            let (ok, p) = check(n);
            if !ok {
                return (Some(n), hi, p_hi);
            }
            (hi, p_hi) = (n, p);
            if n == 0 {
                return (None, 0, p_hi);
            }
            step = step.saturating_mul(2);
        }
    }
    let mut lo = start;
    loop {
        let n = lo.saturating_add(step);
        let (ok, p) = check(n);
        if ok {
            return (Some(lo), n, p);
        }
        lo = n;
        step = step.saturating_mul(2);
    }
}

/// The smallest meeting `n` in `(lo, hi]` (`hi` meets with `p_hi`; `lo` fails).
fn bisect<P>(lo: Option<u32>, hi: u32, p_hi: P, check: impl Fn(u32) -> (bool, P)) -> (u32, P) {
    let Some(mut lo) = lo else { return (hi, p_hi) };
    let (mut hi, mut p_hi) = (hi, p_hi);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let (ok, p) = check(mid);
        if ok {
            (hi, p_hi) = (mid, p);
        } else {
            lo = mid;
        }
    }
    (hi, p_hi)
}

/// Erlang C: every metric follows from Erlang B in O(1), and B(n+1) from B(n),
/// so walk up from the first stable n (just above the load) — never above the
/// answer — in O(load + steps).
fn erlang_c_search(q: &Queue, g: &ServiceGoal, lambda: f64, mu: f64) -> Requirement {
    let a = lambda / mu;
    let t = g.answer_time.get();
    let perf_at = |n: u32, b: f64| {
        let nf = n as f64;
        if nf <= a {
            return Performance {
                agents: n,
                service_level: 0.0,
                service_level_answered: 0.0,
                asa_seconds: f64::INFINITY,
                mean_wait_seconds: f64::INFINITY,
                occupancy: 1.0,
                p_wait: 1.0,
                p_abandon: None,
            };
        }
        let c = erlang::erlang_c_from_b(a, n, b);
        let sl = (1.0 - c * (-(nf * mu - lambda) * t).exp()).clamp(0.0, 1.0);
        let asa = c / (nf * mu - lambda);
        Performance {
            agents: n,
            service_level: sl,
            service_level_answered: sl,
            asa_seconds: asa,
            mean_wait_seconds: asa,
            occupancy: a / nf,
            p_wait: c,
            p_abandon: None,
        }
    };
    let mut n = a.floor() as u32;
    let mut b = erlang::erlang_b(a, n);
    let mut prev = perf_at(n, b);
    loop {
        n += 1;
        b = a * b / (n as f64 + a * b);
        let p = perf_at(n, b);
        if meets(&p, g) {
            let fractional = fractional_crossing(q, g, n, &p, &prev);
            return Requirement { agents: n, fractional, performance: p };
        }
        prev = p;
    }
}

/// Interpolated crossing of the binding goal between `n − 1` (fails) and `n` (meets).
fn fractional_crossing(q: &Queue, g: &ServiceGoal, n: u32, at: &Performance, below: &Performance) -> f64 {
    let lerp = |f0: f64, f1: f64, target: f64| {
        if !(f0.is_finite() && f1.is_finite()) || (f1 - f0).abs() < 1e-15 {
            1.0
        } else {
            ((target - f0) / (f1 - f0)).clamp(0.0, 1.0)
        }
    };
    let base = (n - 1) as f64;
    let mut x: f64 = 0.0;
    x = x.max(lerp(below.service_level, at.service_level, g.target_sl.get()));
    if let Some(m) = g.max_asa {
        if below.asa_seconds > m.get() {
            x = x.max(if below.asa_seconds.is_finite() {
                lerp(below.asa_seconds, at.asa_seconds, m.get())
            } else {
                1.0
            });
        }
    }
    if let Some(m) = g.max_abandon {
        let (b, a) = (below.p_abandon.unwrap_or(0.0), at.p_abandon.unwrap_or(0.0));
        if b > m.get() {
            x = x.max(lerp(b, a, m.get()));
        }
    }
    let mut frac = base + x;
    if let Some(m) = g.max_occupancy {
        let (lambda, mu, _) = q.rates();
        let carried = lambda / mu * (1.0 - at.p_abandon.unwrap_or(0.0));
        frac = frac.max(carried / m.get());
    }
    frac.min(n as f64)
}

/// The requirement of `q` when it is known to be at most `upper` (e.g. the
/// same interval with more calls): step down from `upper` while the goal
/// still holds — a few evaluations instead of a search from zero.
pub fn required_agents_at_most(q: &Queue, g: &ServiceGoal, upper: u32) -> u32 {
    let mut n = upper;
    while n > 0 && meets(&performance_as(q, n - 1, g.answer_time, g.sl_definition), g) {
        n -= 1;
    }
    n
}

/// Agents to schedule so that `n` are on the phones after shrinkage.
pub fn with_shrinkage(n: u32, shrinkage: Fraction) -> u32 {
    let s = shrinkage.get().min(0.99);
    // Guard against 14/0.7 = 20.000000000000004 rounding up to 21.
    ((n as f64 / (1.0 - s)) - 1e-9).ceil().max(0.0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn q(calls: f64, minutes: f64, aht: f64, patience: Option<f64>) -> Queue {
        Queue {
            calls: CallsPerInterval::new(calls).unwrap(),
            interval: Minutes::new(minutes).unwrap(),
            aht: Seconds::new(aht).unwrap(),
            patience: patience.map(|p| Seconds::new(p).unwrap()),
        }
    }

    fn goal(sl: f64) -> ServiceGoal {
        ServiceGoal::new(
            Fraction::new(sl).unwrap(),
            Seconds::new(20.0).unwrap(),
            None,
            None,
            None,
            SlDefinition::AllCallers,
        )
        .unwrap()
    }

    #[test]
    fn the_binding_limit_is_the_one_that_needed_more_agents() {
        let q = q(100.0, 30.0, 180.0, None);
        let capped = |occupancy: Option<f64>, asa: Option<f64>| ServiceGoal {
            max_occupancy: occupancy.map(|v| Fraction::new(v).unwrap()),
            max_asa: asa.map(|v| Seconds::new(v).unwrap()),
            ..goal(0.8)
        };
        // 14 agents meet 80% in 20 s at 71% occupancy.
        let g = capped(None, None);
        assert_eq!(binding_limit(&q, &g, required_agents(&q, &g).agents), (StaffingLimit::ServiceLevel, 14));
        // At most 60% occupancy: 17 agents (10 Erlangs / 17 = 59%).
        let g = capped(Some(0.6), None);
        let n = required_agents(&q, &g).agents;
        assert_eq!((n, binding_limit(&q, &g, n)), (17, (StaffingLimit::OccupancyCap, 14)));
        // An ASA of at most 2 s needs more than the target.
        let g = capped(None, Some(2.0));
        let n = required_agents(&q, &g).agents;
        assert!(n > 14 && binding_limit(&q, &g, n).0 == StaffingLimit::AsaCap, "{n}");
        // Raised to a minimum beyond every goal.
        assert_eq!(binding_limit(&q, &capped(None, None), 20).0, StaffingLimit::MinimumAgents);
    }

    #[test]
    fn reference_requirements() {
        let r = required_agents(&q(100.0, 30.0, 180.0, None), &goal(0.8));
        assert_eq!(r.agents, 14);
        assert!(r.fractional > 13.0 && r.fractional < 14.0, "{}", r.fractional);
        assert_eq!(with_shrinkage(14, Fraction::new(0.3).unwrap()), 20);
        assert_eq!(required_agents(&q(360.0, 60.0, 240.0, None), &goal(0.8)).agents, 29);
        // 2000 calls / 30 min × 3 min is 200.00000000000003 Erlangs; with patience 198 suffice.
        let r = required_agents(&q(2000.0, 30.0, 180.0, Some(300.0)), &goal(0.8));
        assert_eq!(r.agents, 198);
        assert!(r.performance.service_level >= 0.8);
    }

    #[test]
    fn exact_beats_square_root_staffing() {
        // P(wait) ≤ 0.1 at A = 1000: square-root staffing says 1045, exact Erlang C 1046.
        let needed = (1000..1100).find(|&n| erlang::erlang_c(1000.0, n) <= 0.1).unwrap();
        assert_eq!(needed, 1046);
    }

    #[test]
    fn zero_calls_need_no_agents_and_goals_are_checked() {
        assert_eq!(required_agents(&q(0.0, 15.0, 300.0, None), &goal(0.8)).agents, 0);
        assert!(ServiceGoal::new(
            Fraction::ONE,
            Seconds::new(0.0).unwrap(),
            None,
            None,
            None,
            SlDefinition::AllCallers
        )
        .is_err());
    }

    #[test]
    fn occupancy_and_asa_caps_bind() {
        let occ = ServiceGoal { max_occupancy: Some(Fraction::new(0.6).unwrap()), ..goal(0.8) };
        let r = required_agents(&q(100.0, 30.0, 180.0, None), &occ);
        assert_eq!(r.agents, 17, "10 Erlangs at ≤ 60% occupancy");
        assert!((r.fractional - 10.0 / 0.6).abs() < 1e-9);
        let asa = ServiceGoal { max_asa: Some(Seconds::new(3.0).unwrap()), ..goal(0.8) };
        let r = required_agents(&q(100.0, 30.0, 180.0, None), &asa);
        assert!(r.performance.asa_seconds <= 3.0);
        assert!(performance(&q(100.0, 30.0, 180.0, None), r.agents - 1, Seconds::new(20.0).unwrap()).asa_seconds > 3.0);
    }

    proptest! {
        #[test]
        fn service_level_never_falls_when_an_agent_is_added(calls in 0.0f64..3000.0, aht in 30.0f64..900.0, n in 0u32..400, patience in prop::option::of(10.0f64..1200.0)) {
            let qu = q(calls, 30.0, aht, patience);
            let t = Seconds::new(20.0).unwrap();
            let a = performance(&qu, n, t);
            let b = performance(&qu, n + 1, t);
            prop_assert!(b.service_level + 1e-9 >= a.service_level, "{a:?} -> {b:?}");
            prop_assert!((0.0..=1.0).contains(&a.p_wait));
            prop_assert!(b.asa_seconds <= a.asa_seconds + 1e-9 || a.asa_seconds.is_infinite());
        }

        #[test]
        fn requirement_is_minimal(calls in 1.0f64..2000.0, aht in 30.0f64..600.0, sl in 0.5f64..0.95, patience in prop::option::of(30.0f64..900.0)) {
            let qu = q(calls, 30.0, aht, patience);
            let g = goal(sl);
            let r = required_agents(&qu, &g);
            prop_assert!(meets(&r.performance, &g));
            if r.agents > 0 {
                let below = performance(&qu, r.agents - 1, g.answer_time);
                prop_assert!(!meets(&below, &g), "n-1 = {} already meets the goal", r.agents - 1);
                prop_assert!(r.fractional <= r.agents as f64 && r.fractional > r.agents as f64 - 1.0 - 1e-9);
            }
        }
    }
}
