//! The pooled shifts handed to named agents.
//!
//! The pooled model decided how many of each shift each group works and each
//! member's weekly pattern; here every agent gets a legal week: at most one
//! shift a day, at most `max_days` days, weekly hours within the contract
//! (the minimum is soft), the minimum rest between consecutive shifts,
//! evening shifts shared out. Three steps:
//!
//! * [`assign`]: a group's shifts by a greedy that follows the patterns, and
//!   for small rosters the group's own agent-by-shift MIP;
//! * [`polish`]: moves across groups that lower shifts left, hours short and
//!   evenings above the share;
//! * [`repair`]: one small MIP over the agents the moves could not mend.

use super::pooled::{Pooled, Quota};
use super::{RosterInputs, EXTRA_EVENING_COST, SHORT_HOUR_COST, UNFILLED_COST};
use crate::schedule::model::ScheduleError;
use crate::schedule::ROSTER_ABS_GAP;
use good_lp::solvers::highs::highs;
use good_lp::{constraint, variable, Expression, Solution, SolverModel, Variable};
use std::collections::BTreeMap;

/// One group's named roster.
#[derive(Debug, Clone, Default)]
pub struct Part {
    /// (agent, used option `k`) pairs.
    pub taken: Vec<(usize, usize)>,
    /// Shifts of used option `k` given to the group that none of its agents took.
    pub left: Vec<u32>,
    pub cost: f64,
    pub timed_out: bool,
    pub variables: usize,
    pub constraints: usize,
}

/// Hand the group's `counts` (per used option) to its `members`; `target` is
/// the group's cost in the pooled optimum, which no named roster can beat.
pub fn assign(
    inp: &RosterInputs<'_>,
    members: &[usize],
    counts: &[u32],
    target: f64,
    quota: Option<&Quota>,
) -> Result<Part, ScheduleError> {
    let start = greedy(inp, members, counts, quota);
    // Shifts the greedy could not place are left to the moves across groups
    // ([`polish`]); the MIP improves how the placed ones are shared out, and
    // only where that is short of the pooled optimum by more than its gap.
    let left_cost = UNFILLED_COST * start.left.iter().sum::<u32>() as f64;
    let close = start.cost - left_cost <= target + ROSTER_ABS_GAP.max(0.01 * target);
    if close || inp.large {
        return Ok(start);
    }
    let placed: Vec<u32> = counts.iter().zip(&start.left).map(|(c, l)| c - l).collect();
    let mut from = start.clone();
    from.left = vec![0; counts.len()];
    from.cost -= left_cost;
    let better = solve_group(inp, members, &placed, &from, inp.cfg.time_limit_seconds)?;
    Ok(Part { left: start.left, cost: better.cost + left_cost, ..better })
}

/// Rosters of up to this many agents have each group improved by its own
/// MIP. Larger ones keep the greedy hand-out and the moves across groups:
/// on 5,000 agents those did better in 0.8 s (4,839 points) than the
/// groups' MIPs in 14 s (6,321), and on the US bank's 800 agents about as
/// well (787,475 against 787,406 points, bound 787,371) in 0.3 s instead of
/// 1.8 s (both measured before the hand-out followed weekly patterns). (A
/// group MIP stopped by the clock would also make the roster
/// depend on the machine's speed.)
pub(super) const GROUP_MIPS_UP_TO_AGENTS: usize = 300;

/// Branch-and-bound nodes a group's or a repair's MIP may explore.
const MIP_MAX_NODES: i32 = 500;

/// Agents taken from each other group into a repair.
const REPAIR_PEERS: usize = 4;
/// Most agents in a repair.
const REPAIR_MOST_AGENTS: usize = 150;

/// Groups with agents further below their minimum than the pooled optimum
/// (a pattern the days could not hold: nine part-timers needing two
/// four-hour shifts each where ten of those shifts fall on one day) trade
/// shifts with a few agents of every other group: one MIP over those agents
/// and all the shifts they hold, started from the roster as it stands, so it
/// can only improve it.
pub fn repair(
    inp: &RosterInputs<'_>,
    groups: &[Vec<usize>],
    roster: &mut Flat,
    pool: &Pooled,
) -> Result<(), ScheduleError> {
    let mut group_of = vec![0; inp.agents.len()];
    for (g, members) in groups.iter().enumerate() {
        members.iter().for_each(|&a| group_of[a] = g);
    }
    let mut taken_by_group: Vec<Vec<(usize, usize)>> = vec![Vec::new(); groups.len()];
    for &(a, k) in &roster.taken {
        taken_by_group[group_of[a]].push((a, k));
    }
    let none = vec![0; inp.used.len()];
    let tallies: Vec<Tally> =
        groups.iter().zip(&taken_by_group).map(|(members, taken)| tally(inp, members, taken, &none)).collect();
    // Hours short where the pooled optimum has none, or shifts left beyond its:
    // what the moves could not mend. (Preferences and evenings above it are
    // not worth a repair's seconds.)
    // Only groups the pooled optimum keeps whole: where it leaves hours short
    // too, the demand does not allow every minimum and a repair finds little
    // (2,000 agents on the US bank's week: 4.6 s for 20 of 7,424 hours).
    let short_groups: Vec<usize> =
        (0..groups.len()).filter(|&g| pool.short_hours[g] <= 1e-6 && tallies[g].short_hours > 1e-6).collect();
    let left_beyond = roster.left.iter().sum::<u32>() > pool.unfilled.iter().sum::<u32>();
    if short_groups.is_empty() && !left_beyond {
        return Ok(());
    }
    // The agents short, those who could take a shift left, then a few of
    // every group: at most REPAIR_MOST_AGENTS, so the MIP stays small.
    let mut members: Vec<usize> = Vec::new();
    let mut hours = vec![0.0; inp.agents.len()];
    for &(a, k) in &roster.taken {
        hours[a] += inp.option(k).paid_hours;
    }
    for &g in &short_groups {
        members.extend(groups[g].iter().filter(|&&a| hours[a] + 1e-9 < inp.agents[a].min_weekly_hours));
    }
    let left_options: Vec<usize> = (0..roster.left.len()).filter(|&k| roster.left[k] > 0).collect();
    for (a, ag) in inp.agents.iter().enumerate() {
        if left_options.iter().any(|&k| inp.allowed(ag, k)) && hours[a] < ag.max_weekly_hours {
            members.push(a);
        }
    }
    members.truncate(REPAIR_MOST_AGENTS - REPAIR_PEERS.min(REPAIR_MOST_AGENTS / 2));
    for group in groups {
        members.extend(group.iter().take(REPAIR_PEERS));
    }
    members.sort_unstable();
    members.dedup();
    members.truncate(REPAIR_MOST_AGENTS);
    members.sort_unstable();
    let inside = |a: usize| members.binary_search(&a).is_ok();
    let mut counts = roster.left.clone();
    let mut taken = Vec::new();
    for &(a, k) in roster.taken.iter().filter(|(a, _)| inside(*a)) {
        counts[k] += 1;
        taken.push((a, k));
    }
    let start = Part {
        cost: cost_of(inp, &members, &taken, &roster.left),
        taken,
        left: roster.left.clone(),
        ..Part::default()
    };
    // Ended by its node limit or optimality, not the clock: a repair cut short
    // by seconds would make the roster depend on the machine's speed.
    let fixed = solve_group(inp, &members, &counts, &start, inp.cfg.time_limit_seconds)?;
    roster.timed_out |= fixed.timed_out;
    roster.variables += fixed.variables;
    roster.constraints += fixed.constraints;
    if fixed.cost < start.cost {
        roster.taken.retain(|(a, _)| !inside(*a));
        roster.taken.extend(fixed.taken);
        roster.left = fixed.left;
    }
    Ok(())
}

/// The roster over all groups: who works which used option, and shifts left.
#[derive(Debug, Clone, Default)]
pub struct Flat {
    pub taken: Vec<(usize, usize)>,
    pub left: Vec<u32>,
    pub timed_out: bool,
    pub variables: usize,
    pub constraints: usize,
}

/// What a roster of `members` costs, by cause.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tally {
    pub left: u32,
    /// Hours below contract minimums.
    pub short_hours: f64,
    pub extra_evenings: f64,
    pub preferences: f64,
}

impl Tally {
    pub fn cost(&self) -> f64 {
        UNFILLED_COST * self.left as f64
            + SHORT_HOUR_COST * self.short_hours
            + EXTRA_EVENING_COST * self.extra_evenings
            + self.preferences
    }
}

/// The tally of a roster: shifts left, hours short, evenings above the
/// share, preferences missed.
pub fn tally(inp: &RosterInputs<'_>, members: &[usize], taken: &[(usize, usize)], left: &[u32]) -> Tally {
    let mut hours: BTreeMap<usize, f64> = members.iter().map(|&a| (a, 0.0)).collect();
    let mut evenings: BTreeMap<usize, f64> = members.iter().map(|&a| (a, 0.0)).collect();
    let mut preferences = 0.0;
    for &(a, k) in taken {
        *hours.get_mut(&a).expect("member") += inp.option(k).paid_hours;
        if inp.is_evening(k) {
            *evenings.get_mut(&a).expect("member") += 1.0;
        }
        preferences += inp.preference_cost(&inp.agents[a], k);
    }
    Tally {
        left: left.iter().sum(),
        short_hours: hours.iter().map(|(a, h)| (inp.agents[*a].min_weekly_hours - h).max(0.0)).sum(),
        extra_evenings: evenings.values().map(|e| (e - inp.fair_share).max(0.0)).sum(),
        preferences,
    }
}

fn cost_of(inp: &RosterInputs<'_>, members: &[usize], taken: &[(usize, usize)], left: &[u32]) -> f64 {
    tally(inp, members, taken, left).cost()
}

/// A legal roster: shifts handed out day by day, earliest first, each to a
/// member whose weekly pattern from the pooled optimum still has a shift of
/// that length (with `quota`), furthest below their contracted minimum (for
/// an evening shift, with the fewest evenings so far among those). Without
/// the patterns a myopic hand-out fills weeks with short shifts early and has
/// no days left for Friday's (800 agents on the US bank's week: 74 shifts
/// left against 38).
fn greedy(inp: &RosterInputs<'_>, members: &[usize], counts: &[u32], quota: Option<&Quota>) -> Part {
    let n = members.len();
    let mut remaining: Option<Vec<Vec<usize>>> = quota.map(|q| q.per_member.clone());
    let length_of = |k: usize| quota.and_then(|q| q.length_of(inp, k));
    let mut hours = vec![0.0; n];
    let mut days = vec![0u32; n];
    let mut evenings = vec![0u32; n];
    let mut on_day: Vec<BTreeMap<usize, usize>> = vec![BTreeMap::new(); n];
    let mut left = counts.to_vec();
    let mut taken = Vec::new();
    let mut order: Vec<usize> = (0..inp.used.len()).filter(|&k| counts[k] > 0).collect();
    order.sort_by_key(|&k| (inp.option(k).day, inp.option(k).start, k));
    for k in order {
        let o = inp.option(k);
        let evening = inp.is_evening(k);
        let length = length_of(k);
        while left[k] > 0 {
            let fits = |i: usize| {
                let a = &inp.agents[members[i]];
                inp.allowed(a, k)
                    && !on_day[i].contains_key(&o.day)
                    && days[i] < a.max_days
                    && hours[i] + o.paid_hours <= a.max_weekly_hours + 1e-9
                    && on_day[i].get(&o.day.wrapping_sub(1)).is_none_or(|&p| !inp.too_close(p, k))
                    && on_day[i].get(&(o.day + 1)).is_none_or(|&x| !inp.too_close(k, x))
            };
            let below = |i: usize| hours[i] - inp.agents[members[i]].min_weekly_hours;
            let preference = |i: usize| inp.preference_cost(&inp.agents[members[i]], k);
            let out_of_pattern = |i: usize| match (&remaining, length) {
                (Some(r), Some(l)) => r[i][l] == 0,
                _ => false,
            };
            let at_share = |i: usize| evening && evenings[i] as f64 >= inp.fair_share;
            let pick = (0..n).filter(|&i| fits(i)).min_by(|&i, &j| {
                out_of_pattern(i)
                    .cmp(&out_of_pattern(j))
                    .then(at_share(i).cmp(&at_share(j)))
                    .then(below(i).total_cmp(&below(j)))
                    .then(if evening { evenings[i].cmp(&evenings[j]) } else { std::cmp::Ordering::Equal })
                    .then(preference(i).total_cmp(&preference(j)))
                    .then(i.cmp(&j))
            });
            let Some(i) = pick else { break };
            if let (Some(r), Some(l)) = (remaining.as_mut(), length) {
                r[i][l] = r[i][l].saturating_sub(1);
            }
            hours[i] += o.paid_hours;
            days[i] += 1;
            evenings[i] += u32::from(evening);
            on_day[i].insert(o.day, k);
            left[k] -= 1;
            taken.push((members[i], k));
        }
    }
    let cost = cost_of(inp, members, &taken, &left);
    Part { taken, left, cost, timed_out: false, variables: 0, constraints: 0 }
}

/// The group's agent-by-shift MIP: variables, constraints and objective.
struct GroupModel {
    vars: good_lp::ProblemVariables,
    /// `y[i][k]`: member `i` works used option `k` (`None` when not allowed or not given).
    y: Vec<Vec<Option<Variable>>>,
    left: Vec<Variable>,
    short: Vec<Variable>,
    extra_evenings: Vec<Variable>,
    cons: Vec<good_lp::Constraint>,
    objective: Expression,
    n_vars: usize,
}

fn group_model(inp: &RosterInputs<'_>, members: &[usize], counts: &[u32]) -> GroupModel {
    let mut vars = good_lp::variables!();
    let mut n_vars = 0;
    let y: Vec<Vec<Option<Variable>>> = members
        .iter()
        .map(|&a| {
            (0..inp.used.len())
                .map(|k| {
                    (counts[k] > 0 && inp.allowed(&inp.agents[a], k)).then(|| {
                        n_vars += 1;
                        vars.add(variable().binary())
                    })
                })
                .collect()
        })
        .collect();
    let left: Vec<Variable> = counts.iter().map(|_| vars.add(variable().min(0))).collect();
    let short: Vec<Variable> = members.iter().map(|_| vars.add(variable().min(0))).collect();
    let extra_evenings: Vec<Variable> = members.iter().map(|_| vars.add(variable().min(0))).collect();
    let objective = left.iter().map(|u| UNFILLED_COST * *u).sum::<Expression>()
        + short.iter().map(|s| SHORT_HOUR_COST * *s).sum::<Expression>()
        + extra_evenings.iter().map(|e| EXTRA_EVENING_COST * *e).sum::<Expression>();
    let mut m = GroupModel { vars, y, left, short, extra_evenings, cons: Vec::new(), objective, n_vars };
    for (k, &c) in counts.iter().enumerate() {
        let taken: Expression = m.y.iter().filter_map(|row| row[k]).map(Expression::from).sum();
        m.cons.push(constraint!(taken + m.left[k] == c as f64));
    }
    for (i, &a) in members.iter().enumerate() {
        agent_rules(inp, &mut m, i, a);
    }
    m
}

/// One agent's week: a shift a day, days and hours within the contract, rest
/// between days, the evening share, and the costs of preferences.
fn agent_rules(inp: &RosterInputs<'_>, m: &mut GroupModel, i: usize, ai: usize) {
    let a = &inp.agents[ai];
    let mine: Vec<(usize, Variable)> = (0..inp.used.len()).filter_map(|k| m.y[i][k].map(|v| (k, v))).collect();
    if mine.is_empty() {
        m.cons.push(constraint!(m.short[i] >= a.min_weekly_hours));
        return;
    }
    for d in 0..inp.days.len() {
        let today: Expression =
            mine.iter().filter(|(k, _)| inp.option(*k).day == d).map(|(_, v)| Expression::from(*v)).sum();
        m.cons.push(constraint!(today <= 1.0));
    }
    let days_worked: Expression = mine.iter().map(|(_, v)| Expression::from(*v)).sum();
    m.cons.push(constraint!(days_worked <= a.max_days as f64));
    let hours: Expression = mine.iter().map(|(k, v)| inp.option(*k).paid_hours * *v).sum();
    m.cons.push(constraint!(hours.clone() <= a.max_weekly_hours));
    m.cons.push(constraint!(hours + m.short[i] >= a.min_weekly_hours));
    for (k, v) in &mine {
        let clash: Vec<Variable> = mine.iter().filter(|(k2, _)| inp.too_close(*k, *k2)).map(|(_, v2)| *v2).collect();
        if !clash.is_empty() {
            let s: Expression = clash.into_iter().map(Expression::from).sum();
            m.cons.push(constraint!(s + *v <= 1.0));
        }
    }
    let evening: Expression = mine.iter().filter(|(k, _)| inp.is_evening(*k)).map(|(_, v)| Expression::from(*v)).sum();
    m.cons.push(constraint!(evening - inp.fair_share <= m.extra_evenings[i]));
    // Agents of a group are interchangeable; a tiny cost that differs by
    // agent breaks the symmetry the solver would otherwise explore.
    let tie = 1e-4 * (i % 97) as f64;
    for (k, v) in &mine {
        m.objective += (inp.preference_cost(a, *k) + tie * inp.option(*k).paid_hours) * *v;
    }
}

/// The greedy roster as the MIP's starting point.
fn initial_solution(inp: &RosterInputs<'_>, m: &GroupModel, members: &[usize], start: &Part) -> Vec<(Variable, f64)> {
    let index: BTreeMap<usize, usize> = members.iter().enumerate().map(|(i, &a)| (a, i)).collect();
    let mut on = vec![vec![false; inp.used.len()]; members.len()];
    for &(a, k) in &start.taken {
        on[index[&a]][k] = true;
    }
    let mut init = Vec::new();
    for (i, row) in m.y.iter().enumerate() {
        let (mut hours, mut evenings) = (0.0, 0.0);
        for (k, v) in row.iter().enumerate() {
            let Some(v) = v else { continue };
            init.push((*v, if on[i][k] { 1.0 } else { 0.0 }));
            if on[i][k] {
                hours += inp.option(k).paid_hours;
                evenings += if inp.is_evening(k) { 1.0 } else { 0.0 };
            }
        }
        init.push((m.short[i], (inp.agents[members[i]].min_weekly_hours - hours).max(0.0)));
        init.push((m.extra_evenings[i], (evenings - inp.fair_share).max(0.0)));
    }
    init.extend(m.left.iter().zip(&start.left).map(|(u, n)| (*u, *n as f64)));
    init
}

/// Solve the group's MIP with HiGHS from the greedy start.
fn solve_group(
    inp: &RosterInputs<'_>,
    members: &[usize],
    counts: &[u32],
    start: &Part,
    seconds: f64,
) -> Result<Part, ScheduleError> {
    let m = group_model(inp, members, counts);
    let init = initial_solution(inp, &m, members, start);
    let (y, left, n_vars, n_cons) = (m.y.clone(), m.left.clone(), m.n_vars, m.cons.len());
    let mut model = m.vars.minimise(m.objective).using(highs);
    model.set_verbose(std::env::var_os("RINGCAST_SOLVER_LOG").is_some());
    // Parallel groups share the two cores: one thread each.
    // A node limit, not the clock, normally ends it, so the same inputs give
    // the same roster; the time limit is a safety net.
    let mut model = model.set_time_limit(seconds).set_threads(1).set_option("mip_max_nodes", MIP_MAX_NODES);
    // Stop within 1% of the bound, or within 2 cost points of it: 2 points are
    // a tenth of an hour below a contract minimum, or 20 hours of preferred
    // starts missed by an hour — nothing a planner would trade seconds for.
    model = model.set_mip_rel_gap(0.01).map_err(|e| ScheduleError::Solver(e.to_string()))?;
    model = model.set_mip_abs_gap(ROSTER_ABS_GAP as f32).map_err(|e| ScheduleError::Solver(e.to_string()))?;
    {
        use good_lp::WithInitialSolution;
        model = model.with_initial_solution(init);
    }
    for c in m.cons {
        model = model.with(c);
    }
    let sol = model.solve().map_err(|e| ScheduleError::Solver(format!("the roster model failed: {e}")))?;
    let timed_out = matches!(sol.status(), good_lp::solvers::SolutionStatus::TimeLimit);
    let mut taken = Vec::new();
    for (i, row) in y.iter().enumerate() {
        for (k, v) in row.iter().enumerate() {
            if v.is_some_and(|v| sol.value(v) > 0.5) {
                taken.push((members[i], k));
            }
        }
    }
    let left: Vec<u32> = left.iter().map(|u| sol.value(*u).round() as u32).collect();
    let cost = cost_of(inp, members, &taken, &left);
    // The MIP never returns worse than its start; keep the greedy roster on a tie.
    if cost >= start.cost {
        return Ok(Part { timed_out, variables: n_vars, constraints: n_cons, ..start.clone() });
    }
    Ok(Part { taken, left, cost, timed_out, variables: n_vars, constraints: n_cons })
}

/// The agent-by-shift MIP over every agent and every shift at once (the
/// model before the decomposition), for tests to measure against.
#[cfg(test)]
pub fn agent_by_agent(inp: &RosterInputs<'_>) -> Result<Part, ScheduleError> {
    let everyone: Vec<usize> = (0..inp.agents.len()).collect();
    let counts: Vec<u32> = (0..inp.used.len()).map(|k| inp.count(k)).collect();
    let start = greedy(inp, &everyone, &counts, None);
    solve_group(inp, &everyone, &counts, &start, 60.0)
}

/// The whole roster as it stands, agent by agent, for local moves.
struct Weeks<'a, 'b> {
    inp: &'a RosterInputs<'b>,
    hours: Vec<f64>,
    days: Vec<u32>,
    /// The used option each agent works per day.
    on_day: Vec<BTreeMap<usize, usize>>,
}

impl<'a, 'b> Weeks<'a, 'b> {
    fn of(inp: &'a RosterInputs<'b>, taken: &[(usize, usize)]) -> Self {
        let n = inp.agents.len();
        let mut w = Weeks { inp, hours: vec![0.0; n], days: vec![0; n], on_day: vec![BTreeMap::new(); n] };
        for &(a, k) in taken {
            w.add(a, k);
        }
        w
    }
    fn add(&mut self, a: usize, k: usize) {
        self.hours[a] += self.inp.option(k).paid_hours;
        self.days[a] += 1;
        self.on_day[a].insert(self.inp.option(k).day, k);
    }
    fn remove(&mut self, a: usize, k: usize) {
        self.hours[a] -= self.inp.option(k).paid_hours;
        self.days[a] -= 1;
        self.on_day[a].remove(&self.inp.option(k).day);
    }
    /// Whether agent `a` may take used option `k` as their week stands.
    fn fits(&self, a: usize, k: usize) -> bool {
        let (inp, o, ag) = (self.inp, self.inp.option(k), &self.inp.agents[a]);
        inp.allowed(ag, k)
            && !self.on_day[a].contains_key(&o.day)
            && self.days[a] < ag.max_days
            && self.hours[a] + o.paid_hours <= ag.max_weekly_hours + 1e-9
            && self.on_day[a].get(&o.day.wrapping_sub(1)).is_none_or(|&p| !inp.too_close(p, k))
            && self.on_day[a].get(&(o.day + 1)).is_none_or(|&x| !inp.too_close(k, x))
    }
    fn short(&self, a: usize) -> f64 {
        (self.inp.agents[a].min_weekly_hours - self.hours[a]).max(0.0)
    }
    fn evenings(&self, a: usize) -> f64 {
        self.on_day[a].values().filter(|&&k| self.inp.is_evening(k)).count() as f64
    }
}

/// Local moves over the whole roster, each lowering its shifts left or hours
/// short: a shift left over goes to any agent who can take it (the one
/// furthest below their minimum); an agent below their minimum takes a shift
/// from one who stays at or above theirs, or swaps a shorter shift for a
/// longer one the same day with such an agent. They mend what rounding the
/// pooled model and handing out group by group left behind.
pub fn polish(inp: &RosterInputs<'_>, roster: &mut Flat) {
    let (taken, left) = (&mut roster.taken, &mut roster.left);
    let mut w = Weeks::of(inp, taken);
    let n = inp.agents.len();
    for (k, n_left) in left.iter_mut().enumerate() {
        while *n_left > 0 {
            let pick = (0..n).filter(|&a| w.fits(a, k)).min_by(|&a, &b| {
                let below = |x: usize| w.hours[x] - inp.agents[x].min_weekly_hours;
                let preference = |x: usize| inp.preference_cost(&inp.agents[x], k);
                below(a).total_cmp(&below(b)).then(preference(a).total_cmp(&preference(b))).then(a.cmp(&b))
            });
            let Some(a) = pick else { break };
            w.add(a, k);
            taken.push((a, k));
            *n_left -= 1;
        }
    }
    make_room(&mut w, taken, left);
    for _round in 0..3 {
        let mut moved = false;
        for a in 0..n {
            if w.short(a) <= 1e-9 {
                continue;
            }
            for slot in taken.iter_mut() {
                let (b, k) = *slot;
                let len = inp.option(k).paid_hours;
                if b == a || w.hours[b] - len < inp.agents[b].min_weekly_hours - 1e-9 {
                    continue;
                }
                if w.fits(a, k) {
                    w.remove(b, k);
                    w.add(a, k);
                    *slot = (a, k);
                    moved = true;
                    if w.short(a) <= 1e-9 {
                        break;
                    }
                }
            }
            if w.short(a) > 1e-9 {
                moved |= swap_for_longer(&mut w, taken, a);
            }
        }
        if !moved {
            break;
        }
    }
    share_evenings(&mut w, taken);
    share_evenings_across_days(&mut w, taken);
    swap_for_preferences(&mut w, taken);
}

/// Most agent checks the room-making moves may spend: they stop there, the
/// same place on every machine.
const MAKE_ROOM_CHECKS: usize = 20_000_000;

/// A shift left over goes to an agent who could work that day but whose
/// week is full (days or hours), once one of their shifts on another day
/// has moved to an agent with room for it.
fn make_room(w: &mut Weeks<'_, '_>, taken: &mut Vec<(usize, usize)>, left: &mut [u32]) {
    let inp = w.inp;
    let n = inp.agents.len();
    let mut checks = 0usize;
    let mut index_of: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for (i, &(a, k)) in taken.iter().enumerate() {
        index_of.insert((a, inp.option(k).day), i);
    }
    for (k, n_left) in left.iter_mut().enumerate() {
        let day = inp.option(k).day;
        'unit: while *n_left > 0 {
            for a in 0..n {
                if checks > MAKE_ROOM_CHECKS {
                    return;
                }
                checks += 1;
                if !inp.allowed(&inp.agents[a], k) || w.on_day[a].contains_key(&day) {
                    continue;
                }
                let theirs: Vec<(usize, usize)> = w.on_day[a].iter().map(|(&d, &k2)| (d, k2)).collect();
                for (d2, k2) in theirs {
                    w.remove(a, k2);
                    if w.fits(a, k) {
                        checks += n;
                        if let Some(b) = (0..n).find(|&b| b != a && w.fits(b, k2)) {
                            w.add(a, k);
                            w.add(b, k2);
                            let i = index_of.remove(&(a, d2)).expect("indexed");
                            taken[i] = (b, k2);
                            index_of.insert((b, d2), i);
                            index_of.insert((a, day), taken.len());
                            taken.push((a, k));
                            *n_left -= 1;
                            continue 'unit;
                        }
                    }
                    w.add(a, k2);
                }
            }
            break;
        }
    }
}

/// An agent above the even share of evening shifts swaps one for a daytime
/// shift of the same paid hours, the same day, with an agent below it: hours
/// stay as they are, the evenings above the share fall by one.
fn share_evenings(w: &mut Weeks<'_, '_>, taken: &mut [(usize, usize)]) {
    let inp = w.inp;
    let fair = inp.fair_share;
    let mut by_day: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, &(_, k)) in taken.iter().enumerate() {
        by_day.entry(inp.option(k).day).or_default().push(i);
    }
    for i in 0..taken.len() {
        let (a, ka) = taken[i];
        if !inp.is_evening(ka) || w.evenings(a) <= fair {
            continue;
        }
        let o = inp.option(ka);
        for &j in &by_day[&o.day] {
            let (b, kb) = taken[j];
            if b == a || inp.is_evening(kb) || w.evenings(b) + 1.0 > fair {
                continue;
            }
            if (inp.option(kb).paid_hours - o.paid_hours).abs() > 1e-9 {
                continue;
            }
            if swap_if_fits(w, taken, i, j) {
                break;
            }
        }
    }
}

/// Most swaps the evening sharing across days may try: it stops there, the
/// same place on every machine.
const SHARE_EVENINGS_CHECKS: usize = 5_000_000;

/// What [`share_evenings`] leaves: an agent above the even share of evening
/// shifts swaps one for a daytime shift of the same paid hours on another
/// day with an agent below it, where both weeks allow it and the two
/// agents' preferences lose less than the evening costs. On a generated
/// centre of 5,000 agents the same-day swaps leave hundreds of evenings
/// above the share that a swap across days removes.
fn share_evenings_across_days(w: &mut Weeks<'_, '_>, taken: &mut [(usize, usize)]) {
    let inp = w.inp;
    let fair = inp.fair_share;
    let daytime: Vec<usize> = (0..taken.len()).filter(|&j| !inp.is_evening(taken[j].1)).collect();
    let mut checks = 0usize;
    for i in 0..taken.len() {
        let (a, ka) = taken[i];
        if !inp.is_evening(ka) || w.evenings(a) <= fair {
            continue;
        }
        let o = inp.option(ka);
        for &j in &daytime {
            let (b, kb) = taken[j];
            let ob = inp.option(kb);
            if b == a || ob.day == o.day || (ob.paid_hours - o.paid_hours).abs() > 1e-9 || inp.is_evening(kb) {
                continue;
            }
            if w.evenings(b) + 1.0 > fair {
                continue;
            }
            let pref = |x: usize, k: usize| inp.preference_cost(&inp.agents[x], k);
            if pref(a, kb) + pref(b, ka) - pref(a, ka) - pref(b, kb) >= super::EXTRA_EVENING_COST {
                continue;
            }
            checks += 1;
            if checks > SHARE_EVENINGS_CHECKS {
                return;
            }
            if swap_if_fits(w, taken, i, j) {
                break;
            }
        }
    }
}

/// Most pairs of shifts the preference swaps may weigh: they stop there,
/// the same place on every machine.
const PREFERENCE_SWAP_PAIRS: usize = 40_000_000;

/// Two agents working the same day swap shifts of the same paid hours where
/// that lowers their preference and evening costs together: days and hours
/// stay as they are, so only availability and rest are checked. The
/// hand-out of a large roster (group by group, without a MIP) leaves starts
/// far from the agents' preferred ones that such swaps bring closer.
fn swap_for_preferences(w: &mut Weeks<'_, '_>, taken: &mut [(usize, usize)]) {
    let inp = w.inp;
    let mut alike: BTreeMap<(usize, u64), Vec<usize>> = BTreeMap::new();
    for (i, &(_, k)) in taken.iter().enumerate() {
        let o = inp.option(k);
        alike.entry((o.day, o.paid_hours.to_bits())).or_default().push(i);
    }
    // One pass: a second one saved under 1% more on 5,000 agents, for
    // two seconds.
    let mut pairs = 0usize;
    for shifts in alike.values() {
        for (x, &i) in shifts.iter().enumerate() {
            for &j in &shifts[x + 1..] {
                pairs += 1;
                if pairs > PREFERENCE_SWAP_PAIRS {
                    return;
                }
                try_swap(w, taken, i, j);
            }
        }
    }
}

/// Swaps the agents of shifts `i` and `j` where that saves cost and both
/// weeks allow it.
fn try_swap(w: &mut Weeks<'_, '_>, taken: &mut [(usize, usize)], i: usize, j: usize) {
    let ((a, ka), (b, kb)) = (taken[i], taken[j]);
    if a != b && ka != kb && swap_gain(w, a, ka, b, kb) > 1e-9 {
        swap_if_fits(w, taken, i, j);
    }
}

/// Shifts `i` and `j` change agents where both weeks allow it; whether
/// they did.
fn swap_if_fits(w: &mut Weeks<'_, '_>, taken: &mut [(usize, usize)], i: usize, j: usize) -> bool {
    let ((a, ka), (b, kb)) = (taken[i], taken[j]);
    w.remove(a, ka);
    w.remove(b, kb);
    if w.fits(a, kb) && w.fits(b, ka) {
        w.add(a, kb);
        w.add(b, ka);
        taken[i] = (a, kb);
        taken[j] = (b, ka);
        return true;
    }
    w.add(a, ka);
    w.add(b, kb);
    false
}

/// What agents `a` (on `ka`) and `b` (on `kb`) save in preference and
/// evening costs by swapping.
fn swap_gain(w: &Weeks<'_, '_>, a: usize, ka: usize, b: usize, kb: usize) -> f64 {
    let inp = w.inp;
    let pref = |x: usize, k: usize| inp.preference_cost(&inp.agents[x], k);
    let preferences = pref(a, ka) + pref(b, kb) - pref(a, kb) - pref(b, ka);
    let (ea, eb) = (inp.is_evening(ka), inp.is_evening(kb));
    if ea == eb {
        return preferences;
    }
    let above = |evenings: f64| (evenings - inp.fair_share).max(0.0);
    let (giver, taker) = if ea { (a, b) } else { (b, a) };
    let before = above(w.evenings(giver)) + above(w.evenings(taker));
    let after = above(w.evenings(giver) - 1.0) + above(w.evenings(taker) + 1.0);
    preferences + super::EXTRA_EVENING_COST * (before - after)
}

/// Agent `a` (below their minimum) swaps one of their shifts for a longer one
/// worked the same day by an agent who stays no further below their own
/// minimum. Whether a swap was made.
fn swap_for_longer(w: &mut Weeks<'_, '_>, taken: &mut [(usize, usize)], a: usize) -> bool {
    let inp = w.inp;
    let mine: Vec<usize> = (0..taken.len()).filter(|&i| taken[i].0 == a).collect();
    for i in mine {
        let ka = taken[i].1;
        let (day, len_a) = (inp.option(ka).day, inp.option(ka).paid_hours);
        for j in 0..taken.len() {
            let (b, kb) = taken[j];
            let o = inp.option(kb);
            if b == a || o.day != day || o.paid_hours <= len_a + 1e-9 {
                continue;
            }
            let short_b = w.short(b);
            w.remove(a, ka);
            w.remove(b, kb);
            if w.fits(a, kb) && w.fits(b, ka) {
                w.add(a, kb);
                w.add(b, ka);
                if w.short(b) <= short_b + 1e-9 {
                    taken[i] = (a, kb);
                    taken[j] = (b, ka);
                    return true;
                }
                w.remove(a, kb);
                w.remove(b, ka);
            }
            w.add(a, ka);
            w.add(b, kb);
        }
    }
    false
}
