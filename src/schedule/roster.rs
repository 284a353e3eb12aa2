//! Named rosters: the chosen shifts handed to the agents in `agents.csv`.
//!
//! A second, staged model: given how many of each shift option the coverage
//! model chose, assign them to agents (binary `y[a, o]`) so that every agent's
//! week is legal — at most one shift a day, at most `max_days` days (two days
//! off for a five-day contract), weekly hours within the contract (the minimum
//! is soft: a shortfall is reported), the minimum rest between consecutive
//! shifts, the agent's days and hours of availability — while leaning towards
//! preferred start times and spreading evening shifts fairly. Shifts no agent
//! can take are reported as unfilled, never dropped silently.

use super::model::ScheduleError;
use super::shifts::ShiftOption;
use super::{SchedulingConfig, SolveStatus, ROSTER_ABS_GAP};
use chrono::{Datelike, NaiveDate, Weekday};
use good_lp::solvers::highs::highs;
use good_lp::{constraint, variable, Expression, Solution, SolverModel, Variable};
use serde::Serialize;
use std::time::Instant;

/// One agent as `agents.csv` describes them (validated by `ingest::agents`).
#[derive(Debug, Clone, PartialEq)]
pub struct Agent {
    pub row: usize,
    pub id: String,
    pub name: String,
    pub contract: String,
    pub min_weekly_hours: f64,
    pub max_weekly_hours: f64,
    pub max_days: u32,
    pub days: Vec<Weekday>,
    /// Minutes after midnight.
    pub earliest_start: u32,
    pub latest_end: u32,
    pub preferred_start: Option<u32>,
}

/// One agent's shift.
#[derive(Debug, Clone, Serialize)]
pub struct Assignment {
    pub agent: usize,
    pub option: usize,
}

/// The roster and how it measures up.
#[derive(Debug, Clone, Serialize)]
pub struct Roster {
    pub status: SolveStatus,
    pub assignments: Vec<Assignment>,
    /// Shifts chosen by the coverage model that no agent could take, per option.
    pub unfilled: Vec<(usize, u32)>,
    /// Per agent: paid hours rostered.
    pub hours: Vec<f64>,
    /// Agents below their contracted minimum hours (index, hours short).
    pub below_minimum: Vec<(usize, f64)>,
    pub solve_seconds: f64,
    pub variables: usize,
    pub constraints: usize,
}

fn end_minute(o: &ShiftOption, per_day: usize) -> u32 {
    ((o.end - o.day * per_day) * (1440 / per_day)) as u32
}

fn start_minute(o: &ShiftOption, per_day: usize) -> u32 {
    ((o.start - o.day * per_day) * (1440 / per_day)) as u32
}

/// Whether the agent may work this option at all.
fn allowed(a: &Agent, o: &ShiftOption, day: NaiveDate, per_day: usize) -> bool {
    a.days.contains(&day.weekday())
        && start_minute(o, per_day) >= a.earliest_start
        && end_minute(o, per_day) <= a.latest_end
}

/// A legal starting roster: shifts handed out day by day, earliest first, each
/// to the allowed agent furthest below their contracted minimum. It gives the
/// solver an incumbent at once (finding one is otherwise most of its time).
struct Greedy {
    /// `taken[agent][k]` for used option k.
    taken: Vec<Vec<bool>>,
    /// Shifts left unassigned per used option.
    left: Vec<u32>,
}

fn greedy(inp: &RosterInputs<'_>, y: &[Vec<Option<Variable>>]) -> Greedy {
    let (options, counts, used, agents) = (inp.options, inp.counts, &inp.used, inp.agents);
    let (per_day, cfg) = (inp.per_day, inp.cfg);
    let rest_slots = (cfg.min_rest_hours * per_day as f64 / 24.0).ceil() as usize;
    let mut taken = vec![vec![false; used.len()]; agents.len()];
    let mut hours = vec![0.0; agents.len()];
    let mut days = vec![0u32; agents.len()];
    // The shift (used index) each agent works per day.
    let mut on_day: Vec<std::collections::BTreeMap<usize, usize>> = vec![Default::default(); agents.len()];
    let mut left: Vec<u32> = used.iter().map(|&o| counts[o]).collect();
    let mut order: Vec<usize> = (0..used.len()).collect();
    order.sort_by_key(|&k| (options[used[k]].day, options[used[k]].start, k));
    for k in order {
        let o = &options[used[k]];
        while left[k] > 0 {
            let fits = |a: usize| {
                y[a][k].is_some()
                    && !on_day[a].contains_key(&o.day)
                    && days[a] < agents[a].max_days
                    && hours[a] + o.paid_hours <= agents[a].max_weekly_hours + 1e-9
                    && on_day[a]
                        .get(&(o.day.wrapping_sub(1)))
                        .is_none_or(|&p| o.start >= options[used[p]].end + rest_slots)
                    && on_day[a].get(&(o.day + 1)).is_none_or(|&n| options[used[n]].start >= o.end + rest_slots)
            };
            let pick = (0..agents.len()).filter(|&a| fits(a)).min_by(|&a, &b| {
                (hours[a] - agents[a].min_weekly_hours)
                    .total_cmp(&(hours[b] - agents[b].min_weekly_hours))
                    .then(a.cmp(&b))
            });
            let Some(a) = pick else { break };
            taken[a][k] = true;
            hours[a] += o.paid_hours;
            days[a] += 1;
            on_day[a].insert(o.day, k);
            left[k] -= 1;
        }
    }
    Greedy { taken, left }
}

/// What the roster model is built from.
struct RosterInputs<'a> {
    options: &'a [ShiftOption],
    counts: &'a [u32],
    days: &'a [NaiveDate],
    per_day: usize,
    agents: &'a [Agent],
    cfg: &'a SchedulingConfig,
    /// Options chosen at least once; the model's shift index `k` is into this.
    used: Vec<usize>,
}

impl RosterInputs<'_> {
    fn option(&self, k: usize) -> &ShiftOption {
        &self.options[self.used[k]]
    }
    fn is_evening(&self, k: usize) -> bool {
        end_minute(self.option(k), self.per_day) > 20 * 60
    }
}

/// The roster MIP: its variables, constraints and objective.
struct RosterModel {
    vars: good_lp::ProblemVariables,
    /// `y[agent][k]`: the agent works used option `k` (`None` when not allowed).
    y: Vec<Vec<Option<Variable>>>,
    /// Shifts of used option `k` no agent takes.
    unfilled: Vec<Variable>,
    /// Hours each agent falls below the contract minimum.
    short: Vec<Variable>,
    /// Evening shifts each agent works above the even share.
    extra_evenings: Vec<Variable>,
    fair_share: f64,
    n_vars: usize,
    cons: Vec<good_lp::Constraint>,
    objective: Expression,
}

/// Assign the chosen shifts (`counts` per option) to `agents`.
pub fn build_roster(
    options: &[ShiftOption],
    counts: &[u32],
    days: &[NaiveDate],
    per_day: usize,
    agents: &[Agent],
    cfg: &SchedulingConfig,
) -> Result<Roster, ScheduleError> {
    let t0 = Instant::now();
    let used: Vec<usize> = (0..options.len()).filter(|&o| counts[o] > 0).collect();
    let inp = RosterInputs { options, counts, days, per_day, agents, cfg, used };
    let mut m = variables(&inp);
    every_shift_taken_or_unfilled(&inp, &mut m);
    for ai in 0..agents.len() {
        agent_rules(&inp, &mut m, ai);
    }
    let n_cons = m.cons.len();
    let init = initial_solution(&inp, &m);
    let (y, unfilled, n_vars) = (m.y.clone(), m.unfilled.clone(), m.n_vars);
    let (sol, timed_out) = solve_roster(&inp, m, init)?;
    let mut roster = read_roster(&inp, &y, &unfilled, &sol);
    roster.status = if timed_out { SolveStatus::TimeLimit } else { SolveStatus::WithinGap };
    roster.solve_seconds = t0.elapsed().as_secs_f64();
    roster.variables = n_vars;
    roster.constraints = n_cons;
    Ok(roster)
}

/// The variables, and the fair share of evening shifts (ending after 20:00).
fn variables(inp: &RosterInputs<'_>) -> RosterModel {
    let mut vars = good_lp::variables!();
    let mut n_vars = 0;
    let mut y: Vec<Vec<Option<Variable>>> = Vec::with_capacity(inp.agents.len());
    for a in inp.agents {
        let row = inp
            .used
            .iter()
            .map(|&o| {
                let day = inp.days.get(inp.options[o].day).copied()?;
                allowed(a, &inp.options[o], day, inp.per_day).then(|| {
                    n_vars += 1;
                    vars.add(variable().binary())
                })
            })
            .collect();
        y.push(row);
    }
    let unfilled: Vec<Variable> = inp.used.iter().map(|_| vars.add(variable().min(0))).collect();
    let short: Vec<Variable> = inp.agents.iter().map(|_| vars.add(variable().min(0))).collect();
    // Fairness: evening shifts are shared out. Each agent who can work
    // evenings pays for every evening above an even share of them. (A min–max
    // of the evenings was tried first: one agent who can only work evenings
    // set the maximum, so it spread nothing, and its weak LP relaxation
    // doubled the roster's solve time on the bundled week: 3.0 s against 1.5 s.)
    let evening_shifts: u32 = (0..inp.used.len()).filter(|&k| inp.is_evening(k)).map(|k| inp.counts[inp.used[k]]).sum();
    let can_evening =
        y.iter().filter(|row| row.iter().enumerate().any(|(k, v)| v.is_some() && inp.is_evening(k))).count();
    let fair_share = if can_evening > 0 { (evening_shifts as f64 / can_evening as f64).ceil() } else { 0.0 };
    let extra_evenings: Vec<Variable> = inp.agents.iter().map(|_| vars.add(variable().min(0))).collect();
    let objective: Expression = unfilled.iter().map(|u| 1000.0 * *u).sum::<Expression>()
        + short.iter().map(|s| 20.0 * *s).sum::<Expression>()
        + extra_evenings.iter().map(|e| 5.0 * *e).sum::<Expression>();
    RosterModel { vars, y, unfilled, short, extra_evenings, fair_share, n_vars, cons: Vec::new(), objective }
}

/// Every chosen shift is taken by an agent or reported unfilled.
fn every_shift_taken_or_unfilled(inp: &RosterInputs<'_>, m: &mut RosterModel) {
    for (k, &o) in inp.used.iter().enumerate() {
        let taken: Expression = m.y.iter().filter_map(|row| row[k]).map(Expression::from).sum();
        m.cons.push(constraint!(taken + m.unfilled[k] == inp.counts[o] as f64));
    }
}

/// One agent's week: a shift a day, days and hours within the contract, rest
/// between days, the evening share, and the costs of preferences.
fn agent_rules(inp: &RosterInputs<'_>, m: &mut RosterModel, ai: usize) {
    let a = &inp.agents[ai];
    let mine: Vec<(usize, Variable)> = (0..inp.used.len()).filter_map(|k| m.y[ai][k].map(|v| (k, v))).collect();
    if mine.is_empty() {
        m.cons.push(constraint!(m.short[ai] >= a.min_weekly_hours));
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
    m.cons.push(constraint!(hours + m.short[ai] >= a.min_weekly_hours));
    let rest_slots = (inp.cfg.min_rest_hours * inp.per_day as f64 / 24.0).ceil() as usize;
    for (k, v) in &mine {
        let o = inp.option(*k);
        let clash: Vec<Variable> = mine
            .iter()
            .filter(|(k2, _)| {
                let o2 = inp.option(*k2);
                o2.day == o.day + 1 && o2.start < o.end + rest_slots
            })
            .map(|(_, v2)| *v2)
            .collect();
        if !clash.is_empty() {
            let s: Expression = clash.into_iter().map(Expression::from).sum();
            m.cons.push(constraint!(s + *v <= 1.0));
        }
    }
    let evening: Expression = mine.iter().filter(|(k, _)| inp.is_evening(*k)).map(|(_, v)| Expression::from(*v)).sum();
    m.cons.push(constraint!(evening - m.fair_share <= m.extra_evenings[ai]));
    // Preferred start: a small cost per hour away from it.
    if let Some(p) = a.preferred_start {
        for (k, v) in &mine {
            let away = (start_minute(inp.option(*k), inp.per_day) as f64 - p as f64).abs() / 60.0;
            m.objective += 0.1 * away * *v;
        }
    }
    // Agents with the same contract are interchangeable; a tiny cost that
    // differs by agent breaks the symmetry the solver would otherwise explore.
    let tie = 1e-4 * (ai % 97) as f64;
    for (k, v) in &mine {
        m.objective += tie * inp.option(*k).paid_hours * *v;
    }
}

/// The greedy roster as the solver's starting point.
fn initial_solution(inp: &RosterInputs<'_>, m: &RosterModel) -> Vec<(Variable, f64)> {
    let start = greedy(inp, &m.y);
    let mut init: Vec<(Variable, f64)> = Vec::new();
    for (ai, row) in m.y.iter().enumerate() {
        let mut hours = 0.0;
        let mut evenings = 0.0;
        for (k, v) in row.iter().enumerate() {
            if let Some(v) = v {
                let on = start.taken[ai][k];
                init.push((*v, if on { 1.0 } else { 0.0 }));
                if on {
                    hours += inp.option(k).paid_hours;
                    if inp.is_evening(k) {
                        evenings += 1.0;
                    }
                }
            }
        }
        init.push((m.short[ai], (inp.agents[ai].min_weekly_hours - hours).max(0.0)));
        init.push((m.extra_evenings[ai], (evenings - m.fair_share).max(0.0)));
    }
    for (k, u) in m.unfilled.iter().enumerate() {
        init.push((*u, start.left[k] as f64));
    }
    init
}

/// Solve with HiGHS; whether it stopped at the time limit.
fn solve_roster(
    inp: &RosterInputs<'_>,
    m: RosterModel,
    init: Vec<(Variable, f64)>,
) -> Result<(impl Solution, bool), ScheduleError> {
    let mut model = m.vars.minimise(m.objective).using(highs);
    model.set_verbose(std::env::var_os("RINGCAST_SOLVER_LOG").is_some());
    let mut model = model.set_time_limit(inp.cfg.time_limit_seconds).set_threads(2);
    // Stop within 1% of the bound, or within 2 cost points of it: 2 points are
    // a tenth of an hour below a contract minimum, or 20 hours of preferred
    // starts missed by an hour across the whole roster — nothing a planner would
    // trade seconds for. (The bundled week: the 1% alone took 17.8 s to prove
    // for an incumbent found at 1.3 s that was 1.2% above the bound.)
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
    Ok((sol, timed_out))
}

/// The assignments, unfilled shifts and hours of a solved model.
fn read_roster(
    inp: &RosterInputs<'_>,
    y: &[Vec<Option<Variable>>],
    unfilled: &[Variable],
    sol: &impl Solution,
) -> Roster {
    let agents = inp.agents;
    let mut assignments = Vec::new();
    let mut hours = vec![0.0; agents.len()];
    for (ai, row) in y.iter().enumerate() {
        for (k, v) in row.iter().enumerate() {
            if let Some(v) = v {
                if sol.value(*v) > 0.5 {
                    assignments.push(Assignment { agent: ai, option: inp.used[k] });
                    hours[ai] += inp.option(k).paid_hours;
                }
            }
        }
    }
    let unfilled_out: Vec<(usize, u32)> = inp
        .used
        .iter()
        .zip(unfilled)
        .filter_map(|(&o, u)| {
            let n = sol.value(*u).round() as u32;
            (n > 0).then_some((o, n))
        })
        .collect();
    let below_minimum = agents
        .iter()
        .enumerate()
        .filter(|(i, a)| hours[*i] + 1e-9 < a.min_weekly_hours)
        .map(|(i, a)| (i, a.min_weekly_hours - hours[i]))
        .collect();
    Roster {
        status: SolveStatus::WithinGap,
        assignments,
        unfilled: unfilled_out,
        hours,
        below_minimum,
        solve_seconds: 0.0,
        variables: 0,
        constraints: 0,
    }
}
