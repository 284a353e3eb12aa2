//! The roster by groups of interchangeable agents.
//!
//! Agents with the same rules (contract hours and days, availability,
//! preferred start, queues) are interchangeable, so the roster is first solved
//! for each group as a whole: integer `z[g, k]`, how many of group `g` work
//! shift `k`, under each agent's weekly rules summed over the group. A real
//! centre has a few dozen groups however many agents it has, so this model
//! stays small where the agent-by-shift model grows with agents × shifts (800
//! agents: 20 s to a time limit; see docs/performance.md).
//!
//! Every legal named roster sums to a feasible `z` of the same cost, so this
//! model is a relaxation of the named one and its optimum (or its LP bound)
//! is a valid lower bound on any named roster's cost.

use super::{Agent, RosterInputs, EXTRA_EVENING_COST, SHORT_HOUR_COST, UNFILLED_COST};
use crate::schedule::model::ScheduleError;
use good_lp::solvers::highs::highs;
use good_lp::{constraint, variable, Expression, Solution, SolutionStatus, SolverModel, Variable};
use std::collections::BTreeMap;

/// Relative and absolute MIP gaps of the pooled model: small, because the
/// model is small and its optimum is the bound the roster is measured against.
const POOLED_REL_GAP: f32 = 1e-3;
const POOLED_ABS_GAP: f32 = 1.0;

/// Most groups before agents that differ only in preferences (preferred
/// start, primary queue) share a group: the pooled model grows with groups ×
/// shifts.
const MOST_GROUPS: usize = 64;

/// Agents grouped by identical rules, in order of their first member: by every
/// rule and preference where that gives at most [`MOST_GROUPS`] groups, else
/// by the hard rules alone.
pub fn groups(inp: &RosterInputs<'_>) -> Vec<Vec<usize>> {
    let by_all = group_by(inp, |a| format!("{}|{:?}|{:?}", hard_rules(a), a.preferred_start, a.primary));
    if by_all.len() <= MOST_GROUPS {
        return by_all;
    }
    groups_by_rules(inp)
}

/// Agents grouped by their hard rules alone (contract hours and days,
/// availability, queues), whatever their preferences.
pub fn groups_by_rules(inp: &RosterInputs<'_>) -> Vec<Vec<usize>> {
    group_by(inp, hard_rules)
}

fn hard_rules(a: &Agent) -> String {
    format!(
        "{}|{}|{}|{:?}|{}|{}|{:?}",
        a.min_weekly_hours.to_bits(),
        a.max_weekly_hours.to_bits(),
        a.max_days,
        a.days,
        a.earliest_start,
        a.latest_end,
        a.queues
    )
}

fn group_by(inp: &RosterInputs<'_>, key: impl Fn(&Agent) -> String) -> Vec<Vec<usize>> {
    let mut by_key: BTreeMap<String, usize> = BTreeMap::new();
    let mut out: Vec<Vec<usize>> = Vec::new();
    for (i, a) in inp.agents.iter().enumerate() {
        let g = *by_key.entry(key(a)).or_insert_with(|| {
            out.push(Vec::new());
            out.len() - 1
        });
        out[g].push(i);
    }
    out
}

/// The group's members by preference profile (preferred start, primary
/// queue), in order of their first member.
pub fn profiles(inp: &RosterInputs<'_>, members: &[usize]) -> Vec<Vec<usize>> {
    let mut by_profile: BTreeMap<(Option<u32>, Option<usize>), usize> = BTreeMap::new();
    let mut out: Vec<Vec<usize>> = Vec::new();
    for &a in members {
        let ag = &inp.agents[a];
        let p = *by_profile.entry((ag.preferred_start, ag.primary)).or_insert_with(|| {
            out.push(Vec::new());
            out.len() - 1
        });
        out[p].push(a);
    }
    out
}

/// The least any member's preferences cost on used option `k`: the pooled
/// model charges a group that, so it stays a relaxation when members differ
/// in preferences.
fn least_preference_cost(inp: &RosterInputs<'_>, profiles: &[usize], k: usize) -> f64 {
    profiles.iter().map(|&a| inp.preference_cost(&inp.agents[a], k)).fold(f64::INFINITY, f64::min)
}

/// The pooled model's answer: shifts per group, shifts no group can take,
/// and what the named roster is measured against.
#[derive(Debug, Clone)]
pub struct Pooled {
    /// `counts[g][k]`: shifts of used option `k` handed to group `g`.
    pub counts: Vec<Vec<u32>>,
    /// Shifts of used option `k` no agent can take.
    pub unfilled: Vec<u32>,
    /// Each group's part of the optimum (hours short, evenings, preferences).
    pub group_cost: Vec<f64>,
    /// Each group's hours below contract minimums in the optimum.
    pub short_hours: Vec<f64>,
    /// Each group's members' weekly patterns in the optimum, rounded.
    pub quotas: Vec<Option<Quota>>,
    /// A valid lower bound on the named roster's cost.
    pub bound: f64,
    pub timed_out: bool,
    pub variables: usize,
    pub constraints: usize,
}

/// The model as variables, constraints and objective.
struct Model {
    vars: good_lp::ProblemVariables,
    /// `z[g][k]`, `None` where the group may not work option `k`.
    z: Vec<Vec<Option<Variable>>>,
    unfilled: Vec<Variable>,
    short: Vec<Variable>,
    extra_evenings: Vec<Variable>,
    cons: Vec<good_lp::Constraint>,
    n_vars: usize,
    /// Each group's first member (whose rules the group shares).
    first: Vec<usize>,
    /// Each group's weekly patterns and their variables (`None`: no shifts,
    /// or too many patterns to list).
    patterns: Vec<Option<GroupPatterns>>,
    /// Each group's preference cost shared among its members' preference
    /// profiles (`None`: one profile, whose cost is exact per shift, or the
    /// model already at its budget, [`MOST_PREFERENCE_VARIABLES`] or
    /// [`MOST_DAILY_PREFERENCE_VARIABLES`]).
    preference_cost: Vec<Option<Expression>>,
    preference_variables: usize,
}

/// A group's weekly patterns: shifts of each kind (paid length, and
/// whether it ends in the evening) per agent.
struct GroupPatterns {
    kinds: Vec<(f64, bool)>,
    patterns: Vec<Vec<usize>>,
    w: Vec<Variable>,
}

/// Each member's weekly pattern, from the pooled solution: `per_member[i][l]`
/// shifts of `lengths[l]` paid hours for the group's `i`-th member.
#[derive(Debug, Clone)]
pub struct Quota {
    pub lengths: Vec<f64>,
    pub per_member: Vec<Vec<usize>>,
}

impl Quota {
    /// The position of used option `k`'s paid hours among the lengths.
    pub fn length_of(&self, inp: &RosterInputs<'_>, k: usize) -> Option<usize> {
        self.lengths.iter().position(|l| (l - inp.option(k).paid_hours).abs() < 1e-9)
    }
}

impl GroupPatterns {
    /// Whole patterns for `n` members: each pattern's whole part of its
    /// solution value, then one more to those with the largest fractions.
    fn quota(&self, n: usize, value: impl Fn(Variable) -> f64) -> Quota {
        let x: Vec<f64> = self.w.iter().map(|v| value(*v).max(0.0)).collect();
        let mut whole: Vec<usize> = x.iter().map(|v| (v + 1e-6).floor() as usize).collect();
        let mut order: Vec<usize> = (0..x.len()).collect();
        order.sort_by(|&a, &b| (x[b] - whole[b] as f64).total_cmp(&(x[a] - whole[a] as f64)).then(a.cmp(&b)));
        let short_of_n = n.saturating_sub(whole.iter().sum());
        for &p in order.iter().cycle().take(short_of_n.min(2 * x.len())) {
            whole[p] += 1;
        }
        let mut per_member: Vec<Vec<usize>> = Vec::with_capacity(n);
        for (p, &count) in whole.iter().enumerate() {
            per_member.extend(std::iter::repeat_n(self.patterns[p].clone(), count));
        }
        per_member.truncate(n);
        per_member.resize(n, vec![0; self.kinds.len()]);
        // The hand-out follows lengths alone: told evenings apart, it left
        // more hours short and shifts over on 5,000 agents (3,730 points
        // against 3,674 after the moves).
        let mut lengths: Vec<f64> = self.kinds.iter().map(|x| x.0).collect();
        lengths.dedup_by(|x, y| (*x - *y).abs() < 1e-9);
        let position = |len: f64| lengths.iter().position(|l| (l - len).abs() < 1e-9).expect("a length listed");
        let per_member = (per_member.iter())
            .map(|p| {
                let mut per_length = vec![0; lengths.len()];
                for (j, x) in p.iter().zip(&self.kinds) {
                    per_length[position(x.0)] += j;
                }
                per_length
            })
            .collect();
        Quota { lengths, per_member }
    }
}

fn build(inp: &RosterInputs<'_>, groups: &[Vec<usize>], integer: bool) -> Model {
    let mut vars = good_lp::variables!();
    let mut n_vars = 0;
    let z: Vec<Vec<Option<Variable>>> = groups
        .iter()
        .map(|members| {
            let a = &inp.agents[members[0]];
            (0..inp.used.len())
                .map(|k| {
                    inp.allowed(a, k).then(|| {
                        n_vars += 1;
                        let v = variable().min(0).max(members.len() as f64);
                        vars.add(if integer { v.integer() } else { v })
                    })
                })
                .collect()
        })
        .collect();
    let unfilled = inp.used.iter().map(|_| vars.add(variable().min(0))).collect();
    let short = groups.iter().map(|_| vars.add(variable().min(0))).collect();
    let extra_evenings = groups.iter().map(|_| vars.add(variable().min(0))).collect();
    n_vars += inp.used.len() + 2 * groups.len();
    let first = groups.iter().map(|members| members[0]).collect();
    let patterns = groups.iter().map(|_| None).collect();
    let preference_cost = groups.iter().map(|_| None).collect();
    let mut m = Model {
        vars,
        z,
        unfilled,
        short,
        extra_evenings,
        cons: Vec::new(),
        n_vars,
        first,
        patterns,
        preference_cost,
        preference_variables: 0,
    };
    every_shift_taken_or_unfilled(inp, &mut m);
    let daily = share_daily(inp, &m.z, groups);
    for (g, members) in groups.iter().enumerate() {
        group_rules(inp, &mut m, g, members);
        m.preference_cost[g] = preference_split(inp, &mut m, g, members, daily);
    }
    m
}

/// Most variables the preference sharing may add to the pooled model; the
/// groups past it are charged their members' least preference cost. The
/// generated 10-queue centre of 5,000 agents asks for 16,175 (167 groups),
/// which took its pooled model from about 10 s to 54 s; its skills
/// version, 5,720 (80 groups), a second.
const MOST_PREFERENCE_VARIABLES: usize = 6_000;

/// Most variables the sharing may add when it is day by day: more than
/// over the week, because the day's sharing guides the hand-out that
/// follows the pooled optimum (the skills centre of 5,000 agents asks for
/// 8,580: its roster went from 3,636.6 to 3,519.6 points, its pooled model
/// still under a second).
const MOST_DAILY_PREFERENCE_VARIABLES: usize = 10_000;

/// What a preference and the evening share are priced on: the day (where
/// shifts are shared day by day), start minute, queue, paid hours, whether
/// it ends in the evening.
type Kind = (Option<usize>, u32, usize, u64, bool);

fn kind_of(inp: &RosterInputs<'_>, k: usize, daily: bool) -> Kind {
    let o = inp.option(k);
    (daily.then_some(o.day), inp.minute(o.start, o.day), o.queue, o.paid_hours.to_bits(), inp.is_evening(k))
}

/// Whether the groups' shifts are shared among their preference profiles
/// day by day (each profile working at most its members each day) rather
/// than over the week: where the whole model's sharing fits in
/// [`MOST_DAILY_PREFERENCE_VARIABLES`] that way. Over the week, a group could
/// take Monday's early shifts for its early risers beyond their number.
fn share_daily(inp: &RosterInputs<'_>, z: &[Vec<Option<Variable>>], groups: &[Vec<usize>]) -> bool {
    let mut variables = 0;
    for (g, members) in groups.iter().enumerate() {
        let profiles = profiles(inp, members).len();
        if profiles < 2 {
            continue;
        }
        let kinds: std::collections::BTreeSet<Kind> =
            (0..inp.used.len()).filter(|&k| z[g][k].is_some()).map(|k| kind_of(inp, k, true)).collect();
        variables += profiles * kinds.len();
    }
    variables <= MOST_DAILY_PREFERENCE_VARIABLES
}

/// Group `g`'s preference cost as its members' own: the group's shifts of
/// each kind (start time, queue, paid hours: what a preference is priced
/// on) shared among its preference profiles, each profile working at most
/// its members' days and hours, short of its members' minimum hours at the
/// group's cost of short hours. Any named roster gives such a sharing at
/// its own preference cost, so the model stays a relaxation, and its bound
/// counts what each profile's preferences cost rather than the least of
/// them (which made a centre of 5,000 agents report a 77% gap).
fn preference_split(
    inp: &RosterInputs<'_>,
    m: &mut Model,
    g: usize,
    members: &[usize],
    daily: bool,
) -> Option<Expression> {
    let mut profiles: BTreeMap<(Option<u32>, Option<usize>), (usize, f64)> = BTreeMap::new();
    for &a in members {
        let ag = &inp.agents[a];
        profiles.entry((ag.preferred_start, ag.primary)).or_insert((a, 0.0)).1 += 1.0;
    }
    if profiles.len() < 2 {
        return None;
    }
    let mut kinds: BTreeMap<Kind, Vec<Variable>> = BTreeMap::new();
    let mut example: BTreeMap<Kind, usize> = BTreeMap::new();
    for (k, v) in (0..inp.used.len()).filter_map(|k| m.z[g][k].map(|v| (k, v))) {
        let kind = kind_of(inp, k, daily);
        kinds.entry(kind).or_default().push(v);
        example.entry(kind).or_insert(k);
    }
    let variables = profiles.len() * example.len();
    let most = if daily { MOST_DAILY_PREFERENCE_VARIABLES } else { MOST_PREFERENCE_VARIABLES };
    if m.preference_variables + variables > most {
        return None;
    }
    m.preference_variables += variables;
    let a = &inp.agents[members[0]];
    let days = (a.max_days as usize).min(inp.days.len()) as f64;
    let mut cost = Expression::from(0.0);
    let mut profiles_short = Expression::from(0.0);
    let mut profiles_evenings = Expression::from(0.0);
    let mut per_kind: BTreeMap<Kind, Expression> = BTreeMap::new();
    let mut per_day: BTreeMap<usize, Expression> = BTreeMap::new();
    for &(profile, n) in profiles.values() {
        let (mut shifts, mut hours) = (Expression::from(0.0), Expression::from(0.0));
        let mut evenings = Expression::from(0.0);
        for (kind, &k) in &example {
            let y = m.vars.add(variable().min(0));
            m.n_vars += 1;
            cost += inp.preference_cost(&inp.agents[profile], k) * y;
            shifts += y;
            hours += inp.option(k).paid_hours * y;
            if kind.4 {
                evenings += y;
            }
            if let Some(d) = kind.0 {
                *per_day.entry(d).or_insert_with(|| Expression::from(0.0)) += y;
            }
            *per_kind.entry(*kind).or_insert_with(|| Expression::from(0.0)) += y;
        }
        for today in std::mem::take(&mut per_day).into_values() {
            m.cons.push(constraint!(today <= n));
        }
        m.cons.push(constraint!(shifts <= n * days));
        m.cons.push(constraint!(hours.clone() <= n * a.max_weekly_hours));
        let short = m.vars.add(variable().min(0));
        m.n_vars += 1;
        m.cons.push(constraint!(hours + short >= n * a.min_weekly_hours));
        profiles_short += short;
        let extra = m.vars.add(variable().min(0));
        m.n_vars += 1;
        m.cons.push(constraint!(evenings - n * inp.fair_share <= extra));
        profiles_evenings += extra;
    }
    m.cons.push(constraint!(m.extra_evenings[g] >= profiles_evenings));
    // Hours short are each member's own, so the group's are at least its
    // profiles'.
    m.cons.push(constraint!(m.short[g] >= profiles_short));
    for (kind, shared) in per_kind {
        let worked: Expression = kinds[&kind].iter().map(|v| Expression::from(*v)).sum();
        m.cons.push(constraint!(shared == worked));
    }
    Some(cost)
}

fn every_shift_taken_or_unfilled(inp: &RosterInputs<'_>, m: &mut Model) {
    for k in 0..inp.used.len() {
        let taken: Expression = m.z.iter().filter_map(|row| row[k]).map(Expression::from).sum();
        m.cons.push(constraint!(taken + m.unfilled[k] == inp.count(k) as f64));
    }
}

/// Each agent's weekly rules, summed over the group's `n` agents.
fn group_rules(inp: &RosterInputs<'_>, m: &mut Model, g: usize, members: &[usize]) {
    let a = &inp.agents[members[0]];
    let n = members.len() as f64;
    let mine: Vec<(usize, Variable)> = (0..inp.used.len()).filter_map(|k| m.z[g][k].map(|v| (k, v))).collect();
    if mine.is_empty() {
        m.cons.push(constraint!(m.short[g] >= n * a.min_weekly_hours));
        return;
    }
    for d in 0..inp.days.len() {
        let today: Expression =
            mine.iter().filter(|(k, _)| inp.option(*k).day == d).map(|(_, v)| Expression::from(*v)).sum();
        m.cons.push(constraint!(today <= n));
    }
    let hours: Expression = mine.iter().map(|(k, v)| inp.option(*k).paid_hours * *v).sum();
    m.cons.push(constraint!(hours.clone() <= n * a.max_weekly_hours));
    m.cons.push(constraint!(hours + m.short[g] >= n * a.min_weekly_hours));
    weekly_patterns(inp, m, g, n, &mine);
    for (k, v) in &mine {
        let clash: Vec<Variable> = mine.iter().filter(|(k2, _)| inp.too_close(*k, *k2)).map(|(_, v2)| *v2).collect();
        if !clash.is_empty() {
            let s: Expression = clash.into_iter().map(Expression::from).sum();
            m.cons.push(constraint!(s + *v <= n));
        }
    }
    let evening: Expression = mine.iter().filter(|(k, _)| inp.is_evening(*k)).map(|(_, v)| Expression::from(*v)).sum();
    m.cons.push(constraint!(evening - n * inp.fair_share <= m.extra_evenings[g]));
}

/// Most weekly patterns per group before the pattern count falls back to
/// counting days alone.
const MOST_PATTERNS: usize = 500;

/// How many of the group work each weekly pattern — so many shifts of each
/// paid length, daytime or evening (`w[p]`), within the agent's days and
/// hours — so that hours short and evenings above the share count per
/// agent: summed over the group alone, hours would spread like a liquid (16
/// full-timers needing 30 h each "met" by 40 eight-hour and 40 four-hour
/// shifts, where eight of them can reach only 28 h), and so would evenings
/// (part-timers whose four-hour shifts are all evenings, two each, counted
/// as if others in the group took none). `w` is continuous even in the
/// integer model: whole patterns made it 1.8 s instead of 0.25 s on the US
/// bank's 800 agents for no better roster.
fn weekly_patterns(inp: &RosterInputs<'_>, m: &mut Model, g: usize, n: f64, mine: &[(usize, Variable)]) {
    let a = &inp.agents[m.first[g]];
    let mut kinds: Vec<(f64, bool)> =
        mine.iter().map(|(k, _)| (inp.option(*k).paid_hours, inp.is_evening(*k))).collect();
    kinds.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    kinds.dedup_by(|x, y| (x.0 - y.0).abs() < 1e-9 && x.1 == y.1);
    let open_days = (0..inp.days.len()).filter(|&d| mine.iter().any(|(k, _)| inp.option(*k).day == d)).count();
    let most = (a.max_days as usize).min(open_days);
    let listed = |kinds: &[(f64, bool)]| {
        let lengths: Vec<f64> = kinds.iter().map(|x| x.0).collect();
        let mut patterns = Vec::new();
        enumerate_patterns(&lengths, most, a.max_weekly_hours, &mut vec![], &mut patterns);
        (patterns.len() <= MOST_PATTERNS).then_some(patterns)
    };
    // Evenings told apart guide the hand-out of large rosters (5,000 agents:
    // 3,674 points against 3,752); a roster small enough for the groups' own
    // MIPs did better without (the bundled week: 79.4 against 82.3).
    let tell_evenings = inp.large;
    let mut patterns = if tell_evenings { listed(&kinds) } else { None };
    if patterns.is_none() {
        // Too many: lengths alone, the evenings counted over the group.
        kinds = kinds.iter().map(|x| (x.0, false)).collect();
        kinds.dedup_by(|x, y| (x.0 - y.0).abs() < 1e-9);
        patterns = listed(&kinds);
    }
    let evenings_apart = kinds.iter().any(|x| x.1);
    let is_listed = patterns.is_some();
    let patterns = patterns.unwrap_or_else(|| {
        // Count days alone, at the longest length: weaker, still valid.
        let longest = kinds.iter().map(|x| x.0).fold(f64::NEG_INFINITY, f64::max);
        kinds = vec![(longest, false)];
        (0..=most).map(|j| vec![j]).collect()
    });
    let w: Vec<Variable> = patterns
        .iter()
        .map(|_| {
            m.n_vars += 1;
            m.vars.add(variable().min(0).max(n))
        })
        .collect();
    let agents: Expression = w.iter().map(|v| Expression::from(*v)).sum();
    m.cons.push(constraint!(agents == n));
    for (l, &(len, evening)) in kinds.iter().enumerate() {
        let fits = |k: usize| {
            kinds.len() == 1
                || ((inp.option(k).paid_hours - len).abs() < 1e-9 && (!evenings_apart || inp.is_evening(k) == evening))
        };
        let shifts: Expression = mine.iter().filter(|(k, _)| fits(*k)).map(|(_, v)| Expression::from(*v)).sum();
        let in_patterns: Expression = patterns.iter().zip(&w).map(|(p, v)| p[l] as f64 * *v).sum();
        m.cons.push(constraint!(shifts == in_patterns));
    }
    let per_pattern = |f: &dyn Fn(&[usize]) -> f64| -> Expression {
        patterns.iter().zip(&w).map(|(p, v)| f(p) * *v).collect::<Vec<_>>().into_iter().sum()
    };
    let short = per_pattern(&|p| {
        let hours: f64 = p.iter().zip(&kinds).map(|(j, x)| *j as f64 * x.0).sum();
        (a.min_weekly_hours - hours).max(0.0)
    });
    m.cons.push(constraint!(m.short[g] >= short));
    if evenings_apart {
        let extra = per_pattern(&|p| {
            let evenings: usize = p.iter().zip(&kinds).filter(|(_, x)| x.1).map(|(j, _)| *j).sum();
            (evenings as f64 - inp.fair_share).max(0.0)
        });
        m.cons.push(constraint!(m.extra_evenings[g] >= extra));
    }
    if is_listed {
        m.patterns[g] = Some(GroupPatterns { kinds, patterns, w });
    }
}

/// Every vector of shift counts per length with at most `days` shifts and
/// `max_hours` hours (with one length alone, hours are checked by the caller's
/// hours constraint).
fn enumerate_patterns(
    lengths: &[f64],
    days: usize,
    max_hours: f64,
    prefix: &mut Vec<usize>,
    out: &mut Vec<Vec<usize>>,
) {
    let used: usize = prefix.iter().sum();
    let hours: f64 = prefix.iter().zip(lengths).map(|(j, l)| *j as f64 * l).sum();
    if prefix.len() == lengths.len() {
        out.push(prefix.clone());
        return;
    }
    let len = lengths[prefix.len()];
    for j in 0..=(days - used) {
        if hours + j as f64 * len > max_hours + 1e-9 {
            break;
        }
        prefix.push(j);
        enumerate_patterns(lengths, days, max_hours, prefix, out);
        prefix.pop();
        if out.len() > MOST_PATTERNS {
            return;
        }
    }
}

/// The cost of group `g`'s part: hours short, evenings above the share, starts away from preference.
fn group_cost_expr(inp: &RosterInputs<'_>, m: &Model, g: usize, members: &[usize]) -> Expression {
    let pref: Expression = m.preference_cost[g].clone().unwrap_or_else(|| {
        let profiles: Vec<usize> = profiles(inp, members).iter().map(|p| p[0]).collect();
        (0..inp.used.len()).filter_map(|k| m.z[g][k].map(|v| least_preference_cost(inp, &profiles, k) * v)).sum()
    });
    pref + SHORT_HOUR_COST * m.short[g] + EXTRA_EVENING_COST * m.extra_evenings[g]
}

fn objective(inp: &RosterInputs<'_>, m: &Model, groups: &[Vec<usize>]) -> Expression {
    let unfilled: Expression = m.unfilled.iter().map(|u| UNFILLED_COST * *u).sum();
    unfilled + groups.iter().enumerate().map(|(g, members)| group_cost_expr(inp, m, g, members)).sum::<Expression>()
}

/// Solve the pooled model: its LP relaxation for the bound, then the integer model.
pub fn solve(inp: &RosterInputs<'_>, groups: &[Vec<usize>]) -> Result<Pooled, ScheduleError> {
    let relaxed = solve_relaxation(inp, groups)?;
    let shift_variables: usize = relaxed.fractional.iter().map(|row| row.iter().flatten().count()).sum();
    if shift_variables > MOST_INTEGER_VARIABLES {
        return Ok(relaxed.rounded(inp));
    }
    match solve_integer(inp, groups, relaxed.pooled.bound) {
        Ok(p) => Ok(p),
        // No integer solution within the time limit: round the relaxation.
        Err(ScheduleError::Solver(_)) => Ok(relaxed.rounded(inp)),
        Err(e) => Err(e),
    }
}

/// The pooled model's relaxation, its shifts rounded to whole ones per
/// group: for a roster whose groups' shares are solved again among their
/// preference profiles, where the integer model's seconds buy little (5,000
/// agents on 10 queues with skills: 4.7 s of HiGHS for 3,688 points after
/// the hand-out and moves, against 3,785 from the rounded relaxation).
pub fn solve_rounded(inp: &RosterInputs<'_>, groups: &[Vec<usize>]) -> Result<Pooled, ScheduleError> {
    Ok(solve_relaxation(inp, groups)?.rounded(inp))
}

/// Above this many group × shift variables the pooled model is not solved in
/// integers: its relaxation is rounded (5,000 agents on 10 queues: 170 groups,
/// some 40,000 variables, where HiGHS found no integer solution in 20 s).
const MOST_INTEGER_VARIABLES: usize = 10_000;

fn quotas(patterns: &[Option<GroupPatterns>], groups: &[Vec<usize>], sol: &impl Solution) -> Vec<Option<Quota>> {
    patterns
        .iter()
        .zip(groups)
        .map(|(p, members)| p.as_ref().map(|p| p.quota(members.len(), |v| sol.value(v))))
        .collect()
}

/// The relaxation's solution: the bound, and shifts per group as fractions.
struct Relaxed {
    pooled: Pooled,
    /// `fractional[g][k]`, `None` where group `g` may not work option `k`.
    fractional: Vec<Vec<Option<f64>>>,
}

impl Relaxed {
    /// Whole shifts per group: each option's shifts handed out by the
    /// relaxation's whole parts, then the remaining ones to the groups with
    /// the largest fractions; what is left is unfilled.
    fn rounded(self, inp: &RosterInputs<'_>) -> Pooled {
        let Relaxed { mut pooled, fractional } = self;
        for k in 0..inp.used.len() {
            let mut given = 0u32;
            let mut fractions: Vec<(f64, usize)> = Vec::new();
            for (g, row) in fractional.iter().enumerate() {
                let Some(x) = row[k] else { continue };
                let whole = (x + 1e-6).floor().max(0.0);
                pooled.counts[g][k] = whole as u32;
                given += whole as u32;
                fractions.push((x - whole, g));
            }
            let taken_lp: f64 = fractional.iter().filter_map(|row| row[k]).sum();
            let mut extra = ((taken_lp + 1e-6).floor() as u32).saturating_sub(given);
            fractions.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            for (f, g) in fractions {
                if extra == 0 || f <= 1e-6 {
                    break;
                }
                pooled.counts[g][k] += 1;
                extra -= 1;
            }
            let taken: u32 = pooled.counts.iter().map(|row| row[k]).sum();
            pooled.unfilled[k] = inp.count(k).saturating_sub(taken);
        }
        pooled
    }
}

fn solve_relaxation(inp: &RosterInputs<'_>, groups: &[Vec<usize>]) -> Result<Relaxed, ScheduleError> {
    let m = build(inp, groups, false);
    let (n_vars, n_cons) = (m.n_vars, m.cons.len());
    let obj = objective(inp, &m, groups);
    let costs: Vec<Expression> =
        groups.iter().enumerate().map(|(g, members)| group_cost_expr(inp, &m, g, members)).collect();
    let mut p = m.vars.minimise(obj.clone()).using(highs);
    p.set_verbose(std::env::var_os("RINGCAST_SOLVER_LOG").is_some());
    let mut p = p.set_threads(2);
    for c in m.cons {
        p = p.with(c);
    }
    let sol = p.solve().map_err(|e| ScheduleError::Solver(format!("the pooled roster relaxation failed: {e}")))?;
    let fractional: Vec<Vec<Option<f64>>> =
        m.z.iter().map(|row| row.iter().map(|v| v.map(|v| sol.value(v))).collect()).collect();
    let solved =
        Solved { short: &m.short, patterns: &m.patterns, costs: &costs, groups, sol: &sol, sizes: (n_vars, n_cons) };
    // Whole shifts come from rounding (`Relaxed::rounded`).
    let pooled = solved.pooled(
        fractional.iter().map(|row| vec![0; row.len()]).collect(),
        vec![0; inp.used.len()],
        obj.eval_with(&sol).max(0.0),
        false,
    );
    Ok(Relaxed { pooled, fractional })
}

/// The pooled model in integers; `lp_bound` from its relaxation.
/// Branch-and-bound nodes the pooled model may explore.
const POOLED_MAX_NODES: i32 = 20_000;

fn solve_integer(inp: &RosterInputs<'_>, groups: &[Vec<usize>], lp_bound: f64) -> Result<Pooled, ScheduleError> {
    let m = build(inp, groups, true);
    let (n_vars, n_cons) = (m.n_vars, m.cons.len());
    let obj = objective(inp, &m, groups);
    let costs: Vec<Expression> =
        groups.iter().enumerate().map(|(g, members)| group_cost_expr(inp, &m, g, members)).collect();
    let total = obj.clone();
    let mut p = m.vars.minimise(obj).using(highs);
    p.set_verbose(std::env::var_os("RINGCAST_SOLVER_LOG").is_some());
    // A node limit ends it before the clock on any normal run, so the same
    // inputs give the same roster on any machine; the time limit is a safety net.
    let mut p =
        p.set_time_limit(inp.cfg.time_limit_seconds).set_threads(2).set_option("mip_max_nodes", POOLED_MAX_NODES);
    p = p.set_mip_rel_gap(POOLED_REL_GAP).map_err(|e| ScheduleError::Solver(e.to_string()))?;
    p = p.set_mip_abs_gap(POOLED_ABS_GAP).map_err(|e| ScheduleError::Solver(e.to_string()))?;
    for c in m.cons {
        p = p.with(c);
    }
    let sol = p.solve().map_err(|e| ScheduleError::Solver(format!("the pooled roster model failed: {e}")))?;
    let value = total.eval_with(&sol);
    let timed_out = matches!(sol.status(), SolutionStatus::TimeLimit);
    // HiGHS stops when either gap is met (the relative one measured against
    // at least 1), so the optimum is no lower than the smaller of the two.
    let proven = if timed_out {
        f64::NEG_INFINITY
    } else {
        (value - POOLED_REL_GAP as f64 * value.abs().max(1.0)).min(value - POOLED_ABS_GAP as f64)
    };
    let counts =
        (m.z.iter()).map(|row| row.iter().map(|v| v.map_or(0, |v| sol.value(v).round() as u32)).collect()).collect();
    let unfilled = m.unfilled.iter().map(|u| sol.value(*u).round() as u32).collect();
    let solved =
        Solved { short: &m.short, patterns: &m.patterns, costs: &costs, groups, sol: &sol, sizes: (n_vars, n_cons) };
    Ok(solved.pooled(counts, unfilled, proven.max(lp_bound).max(0.0), timed_out))
}

/// A solved pooled model, read the same way by both solves.
struct Solved<'a, S: Solution> {
    short: &'a [Variable],
    patterns: &'a [Option<GroupPatterns>],
    costs: &'a [Expression],
    groups: &'a [Vec<usize>],
    sol: &'a S,
    /// Variables and constraints of the model.
    sizes: (usize, usize),
}

impl<S: Solution> Solved<'_, S> {
    fn pooled(&self, counts: Vec<Vec<u32>>, unfilled: Vec<u32>, bound: f64, timed_out: bool) -> Pooled {
        Pooled {
            counts,
            unfilled,
            group_cost: self.costs.iter().map(|c| c.eval_with(self.sol)).collect(),
            short_hours: self.short.iter().map(|v| self.sol.value(*v)).collect(),
            quotas: quotas(self.patterns, self.groups, self.sol),
            bound,
            timed_out,
            variables: self.sizes.0,
            constraints: self.sizes.1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_rounded_to_whole_members_by_largest_fraction() {
        let mut vars = good_lp::variables!();
        let w: Vec<Variable> = (0..3).map(|_| vars.add(variable())).collect();
        let g = GroupPatterns {
            kinds: vec![(4.0, false), (8.0, false)],
            patterns: vec![vec![0, 4], vec![2, 2], vec![4, 0]],
            w: w.clone(),
        };
        let values = [1.4, 2.6, 1.0];
        let value = |v: Variable| values[w.iter().position(|x| *x == v).expect("one of w")];
        let q = g.quota(5, value);
        assert_eq!(q.per_member, vec![vec![0, 4], vec![2, 2], vec![2, 2], vec![2, 2], vec![4, 0]]);
        // Fewer members than the patterns add up to: cut, never more.
        assert_eq!(g.quota(3, value).per_member.len(), 3);
    }
}
