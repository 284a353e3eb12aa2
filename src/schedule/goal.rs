//! Scheduling to a service goal per day (or per week) instead of covering
//! every interval.
//!
//! Planners answer for the day's service level: calls answered within the
//! target over the day's calls. Covering every interval's Erlang requirement
//! meets that with room to spare, because shift lengths and opening hours
//! force surplus in some intervals that the busiest ones could use. This
//! model lets the intervals trade:
//!
//! ```text
//! minimise   Σ_o cost_o · x_o
//! subject to m_t ≤ (1 − shrinkage) · Σ_{o covers t} x_o        (on the phones, whole agents)
//!            f_t + Σ_k z_{t,k} ≤ m_t,   0 ≤ z_{t,k} ≤ 1          (the k-th agent above the floor f_t)
//!            Σ_{t ∈ scope} [h_t(f_t) − Σ_k d_{t,k} z_{t,k}] ≤ bound   (each goal, each day or week)
//!            x_o, m_t ∈ ℤ≥0
//! ```
//!
//! Each goal is written as a convex, decreasing function `h_t(n)` of the agents
//! on the phones: calls not answered in time (service level), calls abandoned
//! (abandonment cap), waiting time beyond the ASA cap. `d_{t,k}` is the k-th
//! agent's reduction of `h_t`. Such reductions fall with every agent once the
//! queue is past its stability point (concave service curves: Koole & van der
//! Sluis 2003; Atlason, Epelman & Henderson 2004 cut the same curves with
//! tangents), so the cheapest use of `z` takes the agents in order. Below that
//! point the curve is convex; its concave envelope is used, an optimistic
//! bound the per-interval floor and the simulation keep in check.
//!
//! Cost alone leaves slack: many rosters cost the same (the day's goal met
//! with room, or hours held by the occupancy cap, the floors or the shift
//! lengths), and the solver returns any of them, which can starve a busy
//! interval while a quiet one has agents to spare. So each block is solved
//! twice, lexicographically: first for cost, then with the cost held at its
//! optimum (plus a tolerance far below one shift's hours) and no more shifts,
//! for the callers:
//!
//! ```text
//! maximise   Σ_t a_t                             (calls answered in time)
//! subject to Σ_o cost_o · x_o ≤ cost* (1 + 1e-9),   Σ_o x_o ≤ shifts*
//!            (the constraints above)
//! ```
//!
//! where `a_t = n_t − h_t` are interval `t`'s calls answered in time (the
//! service-level goal's curve, concave above the floor). A starved interval
//! sits at its curve's steepest point, where an agent answers the most calls,
//! so the slack goes there first. (Lifting the worst interval's service level
//! directly, max-min, gave the US bank's week a worst interval of 94% instead
//! of 88% but took the bundled week's `plan --goal day` from 5.7 s to 22.6 s,
//! one run each on a loaded machine.)

use super::model::{coverage, plan_from, solve_model, solve_model_within, BlockResult, ScheduleError};
use super::shifts::{expand, on_phones_per_slot, ShiftOption};
use super::week::Scheduled;
use super::{Objective, SchedulingRules};
use crate::calendar::OpenCalendar;
use crate::error::Infeasibility;
pub use crate::series::IntervalCurve;
use crate::series::RequirementGrid;
use chrono::Datelike;
use good_lp::{constraint, variable, Expression, Solution, Variable};
use rayon::prelude::*;
use std::time::Instant;

/// A goal over a group of intervals: `Σ h_t(n_t) ≤ bound` (goal index into
/// [`IntervalCurve::values`]).
#[derive(Debug, Clone, PartialEq)]
pub struct GoalRow {
    pub goal: usize,
    /// Slots of the week the goal sums over (a day, or the week).
    pub slots: Vec<usize>,
    pub bound: f64,
    /// What the goal is, for messages ("Mon 2026-11-23: 80% within 20 s").
    pub label: String,
    /// The period's occupancy cap: offered load over agents on the phones,
    /// summed over the slots, at most this (conservative: abandoned calls
    /// counted as carried). Only on the period's first goal row.
    pub occupancy_cap: Option<f64>,
}

/// The week's intervals with their curves, and the goals.
#[derive(Debug, Clone)]
pub struct GoalGrid {
    pub first_day: chrono::NaiveDate,
    pub per_day: usize,
    /// Per slot of the week; `None` where closed or without calls.
    pub curves: Vec<Option<IntervalCurve>>,
    pub shrinkage: f64,
    pub goals: Vec<GoalRow>,
    /// Calls offered per slot of the week (the second objective's weights).
    pub calls: Vec<f64>,
}

impl GoalGrid {
    /// The agents to roster for the floors alone (for reports).
    fn floor_grid(&self) -> RequirementGrid {
        let required = self
            .curves
            .iter()
            .map(|c| c.as_ref().map_or(0.0, |c| (c.floor as f64 / (1.0 - self.shrinkage) - 1e-9).ceil().max(0.0)))
            .collect();
        RequirementGrid { first_day: self.first_day, per_day: self.per_day, required }
    }
}

/// Reductions per added agent, made non-increasing (the concave envelope of
/// the cumulative reduction).
pub fn concave_reductions(values: &[f64]) -> Vec<f64> {
    let cum: Vec<f64> = values.iter().map(|v| values[0] - v).collect();
    // Upper concave hull of (k, cum[k]).
    let mut hull: Vec<usize> = Vec::new();
    for k in 0..cum.len() {
        while hull.len() >= 2 {
            let (a, b) = (hull[hull.len() - 2], hull[hull.len() - 1]);
            // Drop b when it lies on or below the chord from a to k.
            let left = (cum[b] - cum[a]) * (k - a) as f64;
            let right = (cum[k] - cum[a]) * (b - a) as f64;
            if left <= right {
                hull.pop();
            } else {
                break;
            }
        }
        hull.push(k);
    }
    let mut env = vec![0.0; cum.len()];
    for w in hull.windows(2) {
        let (a, b) = (w[0], w[1]);
        for (k, e) in env.iter_mut().enumerate().take(b + 1).skip(a) {
            *e = cum[a] + (cum[b] - cum[a]) * (k - a) as f64 / (b - a) as f64;
        }
    }
    if let Some(&only) = hull.first().filter(|_| hull.len() == 1) {
        env[only] = cum[only];
    }
    env.windows(2).map(|w| (w[1] - w[0]).max(0.0)).collect()
}

/// Expand the shift families over the grid's days and choose the cheapest
/// shifts that meet every goal.
pub fn schedule_to_goal(
    rules: &SchedulingRules,
    calendar: &OpenCalendar,
    grid: &GoalGrid,
    objective: Objective,
) -> Result<Scheduled, ScheduleError> {
    let t0 = Instant::now();
    let req = grid.floor_grid();
    let days = req.days();
    let weekdays: Vec<_> = days.iter().map(|d| d.weekday()).collect();
    let per_day = grid.per_day;
    let open = |t: usize| calendar.is_open(days[t / per_day], t % per_day);
    let options = expand(rules, calendar.interval, &weekdays, &open);
    check_reachable(grid, &options)?;
    // Goals of one day and shifts within it make an independent block.
    let independent = options.iter().all(|o| !o.crosses_midnight(per_day))
        && grid.goals.iter().all(|g| g.slots.iter().all(|t| t / per_day == g.slots[0] / per_day));
    let n_days = days.len();
    let blocks: Vec<Vec<usize>> =
        if independent { (0..n_days).map(|d| vec![d]).collect() } else { vec![(0..n_days).collect()] };
    let solved: Vec<Block> = blocks
        .par_iter()
        .with_max_len(1)
        .map(|b| solve_block(b, grid, &options, objective, rules))
        .collect::<Result<_, _>>()?;
    let plan = plan_from(solved, &options, &req.required, t0);
    Ok(Scheduled { req, options, plan })
}

/// A solved block of days (the shift model's, without solver values).
type Block = BlockResult;

/// Refuse, in planner's words, a goal that no staffing can meet: each goal
/// with every interval at its curve's last point (the most agents it
/// considers), and intervals no shift can reach at their floor.
fn check_reachable(grid: &GoalGrid, options: &[ShiftOption]) -> Result<(), ScheduleError> {
    let mut reachable = vec![false; grid.curves.len()];
    for o in options {
        for &t in &o.covered {
            if let Some(r) = reachable.get_mut(t) {
                *r = true;
            }
        }
    }
    let mut problems = Vec::new();
    for g in &grid.goals {
        let best: f64 = g
            .slots
            .iter()
            .filter_map(|&t| grid.curves[t].as_ref())
            .map(|c| c.values[g.goal].last().copied().unwrap_or(0.0))
            .sum();
        if best > g.bound + 1e-6 {
            problems.push(format!(
                "{} cannot be met: even with every interval staffed to 99.5% it misses by {:.1} (in the goal's units: calls, or seconds of waiting for an ASA cap)",
                g.label,
                best - g.bound
            ));
        }
    }
    let unreachable: Vec<usize> = (0..grid.curves.len())
        .filter(|&t| grid.curves[t].as_ref().is_some_and(|c| c.floor > 0) && !reachable[t])
        .collect();
    if let Some(&t) = unreachable.first() {
        problems.push(format!(
            "{} interval(s) need agents but no allowed shift covers them, the first at slot {} of day {}",
            unreachable.len(),
            t % grid.per_day,
            t / grid.per_day + 1
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        let mut rules = vec!["service.goal"];
        if !unreachable.is_empty() {
            rules.push("scheduling.shifts");
        }
        Err(ScheduleError::Uncoverable(Infeasibility::new(unreachable, &rules, problems.join("; "))))
    }
}

/// The variables and constraints of a block's model.
struct BlockModel {
    vars: good_lp::ProblemVariables,
    obj: Expression,
    cons: Vec<good_lp::Constraint>,
    /// Shift counts, parallel to the block's options.
    x: Vec<Variable>,
    /// Per interval: the agents to roster for its floor and the increments above it.
    on_phones: Vec<(usize, usize, Vec<Variable>)>,
}

/// What every model of one block shares: its days' shift options, the grid
/// and the solver's rules.
struct BlockInputs<'a> {
    days: &'a [usize],
    /// Indexes into `options` of the shifts on the block's days.
    opts: Vec<usize>,
    grid: &'a GoalGrid,
    options: &'a [ShiftOption],
    objective: Objective,
    rules: &'a SchedulingRules,
}

impl BlockInputs<'_> {
    fn in_block(&self, t: usize) -> bool {
        self.days.contains(&(t / self.grid.per_day))
    }
}

/// The model of the days of a block (see the module doc); `integer`: whole
/// shifts and whole agents on the phones, else its LP relaxation.
fn block_model(b: &BlockInputs<'_>, goals: &[&GoalRow], integer: bool) -> BlockModel {
    let (opts, grid, options, objective) = (&b.opts, b.grid, b.options, b.objective);
    let in_block = |t: usize| b.in_block(t);
    let whole = || if integer { variable().integer().min(0) } else { variable().min(0) };
    let mut vars = good_lp::variables!();
    let x: Vec<Variable> = opts.iter().map(|_| vars.add(whole())).collect();
    let mut rostered: std::collections::BTreeMap<usize, Expression> = Default::default();
    for (k, &oi) in opts.iter().enumerate() {
        for &t in options[oi].covered.iter().filter(|&&t| in_block(t)) {
            *rostered.entry(t).or_insert_with(|| Expression::from(0.0)) += x[k];
        }
    }
    let mut cons = Vec::new();
    let mut on_phones = Vec::new();
    let mut increments: std::collections::BTreeMap<usize, (usize, Vec<Variable>)> = Default::default();
    for (t, c) in grid.curves.iter().enumerate().filter(|(t, _)| in_block(*t)) {
        let Some(c) = c else { continue };
        let r = rostered.get(&t).cloned().unwrap_or_else(|| Expression::from(0.0));
        let (first, _) = rostered_curve(c, grid.shrinkage, 0);
        let len = (0..c.values.len()).map(|g| rostered_curve(c, grid.shrinkage, g).1.len()).min().unwrap_or(1);
        let z: Vec<Variable> = (1..len).map(|_| vars.add(variable().min(0).max(1))).collect();
        let added: Expression = z.iter().map(|v| Expression::from(*v)).sum();
        cons.push(constraint!(first as f64 + added <= r));
        increments.insert(t, (first, z.clone()));
        on_phones.push((t, first, z));
    }
    for g in goals {
        let (mut lhs, mut base) = (Expression::from(0.0), 0.0);
        let (mut agents, mut load) = (Expression::from(0.0), 0.0);
        for &t in g.slots.iter().filter(|&&t| in_block(t)) {
            let Some(c) = &grid.curves[t] else { continue };
            let (first, values) = rostered_curve(c, grid.shrinkage, g.goal);
            base += values[0];
            load += c.load;
            let keep = 1.0 - grid.shrinkage;
            agents += first as f64 * keep;
            for (v, dk) in increments[&t].1.iter().zip(concave_reductions(&values)) {
                lhs -= dk * *v;
                agents += keep * *v;
            }
        }
        cons.push(constraint!(lhs <= g.bound - base));
        if let Some(cap) = g.occupancy_cap {
            cons.push(constraint!(cap * agents >= load));
        }
    }
    let obj: Expression = opts.iter().zip(&x).map(|(&oi, v)| unit_cost(&options[oi], objective) * *v).sum();
    BlockModel { vars, obj, cons, x, on_phones }
}

/// What one shift costs under the objective: a head, or its paid hours.
fn unit_cost(o: &ShiftOption, objective: Objective) -> f64 {
    match objective {
        Objective::Heads => 1.0,
        _ => o.paid_hours,
    }
}

fn solve_block(
    days: &[usize],
    grid: &GoalGrid,
    options: &[ShiftOption],
    objective: Objective,
    rules: &SchedulingRules,
) -> Result<Block, ScheduleError> {
    let opts: Vec<usize> = (0..options.len()).filter(|&i| days.contains(&options[i].day)).collect();
    let b = BlockInputs { days, opts, grid, options, objective, rules };
    let goals: Vec<&GoalRow> = grid.goals.iter().filter(|g| g.slots.iter().any(|&t| b.in_block(t))).collect();
    if b.opts.is_empty()
        || goals.is_empty() && grid.curves.iter().enumerate().all(|(t, c)| !b.in_block(t) || c.is_none())
    {
        return Ok(Block::empty());
    }
    // The model credits a rostered agent with a share of an agent on the
    // phones where the whole agents step (the envelope of `floor(r·(1−s))`);
    // a goal the whole agents then miss is tightened and solved again (after
    // the pre-tightening below, one round on four of the bundled week's six
    // days; `RINGCAST_TIMINGS=1` prints them).
    let mut goals: Vec<GoalRow> = goals.into_iter().cloned().collect();
    let targets: Vec<f64> = goals.iter().map(|g| g.bound).collect();
    // Start from the envelope's optimism where the LP relaxation staffs each
    // interval: most days then need no second round.
    let (lp_rostered, bound) = relaxed_rostered(&b, &goals.iter().collect::<Vec<_>>())?;
    for g in goals.iter_mut() {
        g.bound -= optimism(g, grid, &lp_rostered);
    }
    let mut last = None;
    for round in 0..MAX_TIGHTENINGS {
        let t_round = Instant::now();
        let refs: Vec<&GoalRow> = goals.iter().collect();
        let solved = solve_block_once(&b, &refs)?;
        let counts: Vec<u32> = {
            let mut c = vec![0u32; options.len()];
            for &(i, n) in &solved.counts {
                c[i] = n;
            }
            c
        };
        let on = coverage(options, &counts, grid.curves.len());
        let mut missed = false;
        for (g, original) in goals.iter_mut().zip(&targets) {
            let excess = true_value(g, grid, &on) - original;
            if excess > 1e-6 {
                // Twice the miss, doubling each round: the next solution
                // moves agents too and tends to lose part of what the
                // tightening bought; a low enough bound always holds.
                g.bound -= 2f64.powi(round as i32 + 1) * excess;
                missed = true;
            }
        }
        if std::env::var_os("RINGCAST_TIMINGS").is_some() {
            eprintln!(
                "goal block from day {}: {:.0} paid hours, goals missed: {missed}, {:.2} s",
                days[0] + 1,
                solved.objective,
                t_round.elapsed().as_secs_f64()
            );
        }
        last = Some(solved);
        if !missed {
            break;
        }
    }
    let last = last.ok_or_else(|| ScheduleError::Solver("the goal model was not solved".into()))?;
    let counts = callers_counts(&b, &goals, &targets, &last)?;
    Ok(Block { bound: bound.min(last.objective), counts, ..last })
}

/// The solved block's shifts after the second solve (see the module doc):
/// kept only where the whole agents on the phones still meet every goal
/// (the second solve trusts the model's envelope as the first does, but has
/// no round of tightening after it), else the first solve's.
fn callers_counts(
    b: &BlockInputs<'_>,
    goals: &[GoalRow],
    targets: &[f64],
    solved: &Block,
) -> Result<Vec<(usize, u32)>, ScheduleError> {
    let refs: Vec<&GoalRow> = goals.iter().collect();
    let t0 = Instant::now();
    let better = for_the_callers(b, &refs, &solved.counts, solved.objective)?;
    if std::env::var_os("RINGCAST_TIMINGS").is_some() {
        eprintln!(
            "goal block from day {}: second solve (for the callers) {:.2} s",
            b.days[0] + 1,
            t0.elapsed().as_secs_f64()
        );
    }
    let Some(better) = better else {
        return Ok(solved.counts.clone());
    };
    let mut c = vec![0u32; b.options.len()];
    for &(i, n) in &better {
        c[i] = n;
    }
    let on = coverage(b.options, &c, b.grid.curves.len());
    let holds = goals.iter().zip(targets).all(|(g, t)| true_value(g, b.grid, &on) <= t + 1e-6);
    Ok(if holds { better } else { solved.counts.clone() })
}

/// Rounds of tightening a goal the whole agents miss.
const MAX_TIGHTENINGS: usize = 8;

/// Goal `g`'s sum with the agents on the phones that `rostered` gives
/// (whole agents: `floor(r · (1 − shrinkage))`).
fn true_value(g: &GoalRow, grid: &GoalGrid, rostered: &[u32]) -> f64 {
    g.slots
        .iter()
        .filter_map(|&t| grid.curves[t].as_ref().map(|c| (t, c)))
        .map(|(t, c)| {
            let on = (rostered[t] as f64 * (1.0 - grid.shrinkage) + 1e-9).floor() as usize;
            let v = &c.values[g.goal];
            match on.checked_sub(c.floor as usize) {
                Some(k) => v[k.min(v.len() - 1)],
                // Below the floor: the curve's first value (the model never goes there).
                None => v[0],
            }
        })
        .sum()
}

/// The LP relaxation of the block with its goals as given: agents rostered
/// per slot, and its objective — a valid lower bound, since the envelope only
/// ever credits more than the whole agents give (a tightened model's LP is not).
fn relaxed_rostered(b: &BlockInputs<'_>, goals: &[&GoalRow]) -> Result<(Vec<f64>, f64), ScheduleError> {
    let lp = block_model(b, goals, false);
    let (sol, _) = solve_model(lp.vars, lp.obj.clone(), lp.cons, b.rules, false, Vec::new())?;
    let x: Vec<f64> = lp.x.iter().map(|v| sol.value(*v)).collect();
    Ok((
        on_phones_per_slot(b.options, b.opts.iter().copied().zip(x.iter().copied()), b.grid.curves.len()),
        sol.eval(&lp.obj),
    ))
}

/// How much the model's envelope promises beyond the whole agents on the
/// phones, summed over a goal's slots at the nearest whole number of agents
/// to roster to `rostered`.
fn optimism(g: &GoalRow, grid: &GoalGrid, rostered: &[f64]) -> f64 {
    g.slots
        .iter()
        .filter_map(|&t| grid.curves[t].as_ref().map(|c| (t, c)))
        .map(|(t, c)| {
            let (first, values) = rostered_curve(c, grid.shrinkage, g.goal);
            let d = concave_reductions(&values);
            let k = ((rostered[t] - first as f64).round().max(0.0) as usize).min(values.len() - 1);
            let modelled = values[0] - d[..k].iter().sum::<f64>();
            (values[k] - modelled).max(0.0)
        })
        .sum()
}

fn solve_block_once(b: &BlockInputs<'_>, goals: &[&GoalRow]) -> Result<Block, ScheduleError> {
    // The LP relaxation: the bound, and (rounded up) a start for the MIP.
    let lp = block_model(b, goals, false);
    let (lp_sol, _) = solve_model(lp.vars, lp.obj.clone(), lp.cons, b.rules, false, Vec::new())?;
    let bound = lp_sol.eval(&lp.obj);
    let x0: Vec<f64> = lp.x.iter().map(|v| (lp_sol.value(*v) - 1e-6).ceil().max(0.0)).collect();
    let mip = block_model(b, goals, true);
    let init = start_from(&mip, &x0, b);
    let (n_vars, n_cons) = (mip.x.len() + mip.on_phones.iter().map(|p| p.2.len()).sum::<usize>(), mip.cons.len());
    let (sol, timed_out) = solve_model(mip.vars, mip.obj.clone(), mip.cons, b.rules, false, init)?;
    let counts: Vec<(usize, u32)> =
        b.opts.iter().zip(&mip.x).map(|(&oi, v)| (oi, sol.value(*v).round().max(0.0) as u32)).collect();
    let value = sol.eval(&mip.obj);
    Ok(Block {
        counts,
        values: vec![],
        objective: value,
        bound: bound.min(value),
        timed_out,
        vars: n_vars,
        cons: n_cons,
    })
}

/// Branch-and-bound nodes the second solve may take: it starts from the
/// first solve's roster, so stopping early only leaves part of the slack
/// unspent, and a node limit (unlike the clock) stops it at the same
/// roster on any machine.
const CALLERS_MAX_NODES: i32 = 200;

/// Relative slack on the cost when it is held for the second objective: far
/// below one shift's hours, above the solver's rounding.
const COST_TOLERANCE: f64 = 1e-9;

/// The second, lexicographic solve: the cost held at `cost` (the first
/// solve's), the rosters of that cost that favour the callers (see the
/// module doc), started from the first solve's `counts`. `None` when the
/// block has no interval with calls or the solver found nothing better.
fn for_the_callers(
    b: &BlockInputs<'_>,
    goals: &[&GoalRow],
    counts: &[(usize, u32)],
    cost: f64,
) -> Result<Option<Vec<(usize, u32)>>, ScheduleError> {
    let mut m = block_model(b, goals, true);
    let served: Vec<Expression> = m.on_phones.iter().filter_map(|(t, _, z)| answered_in_time(b.grid, *t, z)).collect();
    if served.is_empty() {
        return Ok(None);
    }
    m.cons.push(constraint!(m.obj.clone() <= cost + COST_TOLERANCE * cost.abs().max(1.0)));
    // No more shifts than the first solve's: for the same hours, more and
    // shorter shifts need more agent-days than the roster may have.
    let shifts: Expression = m.x.iter().map(|v| Expression::from(*v)).sum();
    m.cons.push(constraint!(shifts <= counts.iter().map(|&(_, n)| n as f64).sum::<f64>()));
    let answered: Expression = served.into_iter().sum();
    let x0: Vec<f64> = counts.iter().map(|&(_, n)| n as f64).collect();
    let init = start_from(&m, &x0, b);
    let (sol, _) = solve_model_within(m.vars, -answered, m.cons, b.rules, false, init, Some(CALLERS_MAX_NODES))?;
    let better: Vec<(usize, u32)> =
        b.opts.iter().zip(&m.x).map(|(&oi, v)| (oi, sol.value(*v).round().max(0.0) as u32)).collect();
    let cost_of =
        |c: &[(usize, u32)]| c.iter().map(|&(oi, n)| n as f64 * unit_cost(&b.options[oi], b.objective)).sum::<f64>();
    // Rounding must not cost anything: keep the first solve's shifts if it did.
    Ok((cost_of(&better) <= cost_of(counts) + 1e-6).then_some(better))
}

/// Interval `t`'s calls answered in time as an expression of its agents
/// above the floor (the service-level goal's curve, goal 0); `None` without calls.
fn answered_in_time(grid: &GoalGrid, t: usize, z: &[Variable]) -> Option<Expression> {
    let c = grid.curves[t].as_ref()?;
    let n = grid.calls.get(t).copied().filter(|n| *n > 0.0)?;
    let (_, values) = rostered_curve(c, grid.shrinkage, 0);
    let mut a = Expression::from(n - values[0]);
    for (v, dk) in z.iter().zip(concave_reductions(&values)) {
        a += dk * *v;
    }
    Some(a)
}

/// The rounded-up LP shifts as a MIP start, the increments filled in order.
fn start_from(m: &BlockModel, x0: &[f64], b: &BlockInputs<'_>) -> Vec<(Variable, f64)> {
    let rostered = on_phones_per_slot(b.options, b.opts.iter().copied().zip(x0.iter().copied()), b.grid.curves.len());
    let mut init: Vec<(Variable, f64)> = m.x.iter().copied().zip(x0.iter().copied()).collect();
    for (t, first, z) in &m.on_phones {
        let mut left = (rostered[*t] - *first as f64).max(0.0);
        for v in z {
            let take = left.min(1.0);
            init.push((*v, take));
            left -= take;
        }
    }
    init
}

/// A curve in agents to roster: the fewest rostered agents whose on-phones
/// share (`floor(r · (1 − shrinkage))`) reaches the floor, and goal `g`'s
/// value at each rostered count from there to the curve's end.
fn rostered_curve(c: &IntervalCurve, shrinkage: f64, g: usize) -> (usize, Vec<f64>) {
    let keep = 1.0 - shrinkage;
    let on = |r: usize| (r as f64 * keep + 1e-9).floor() as usize;
    let floor = c.floor as usize;
    let mut r = ((floor as f64 / keep) - 1e-9).ceil().max(0.0) as usize;
    while on(r) < floor {
        r += 1;
    }
    let first = r;
    let v = &c.values[g];
    let mut out = Vec::new();
    while on(r) - floor < v.len() {
        out.push(v[on(r) - floor]);
        r += 1;
    }
    (first, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::SchedulingRules;

    fn shift(start: usize, len: usize) -> ShiftOption {
        ShiftOption {
            family: 0,
            day: 0,
            start,
            end: start + len,
            breaks: vec![],
            paid_hours: len as f64,
            covered: (start..start + len).collect(),
            queue: 0,
        }
    }

    /// Four intervals of 10 calls; an agent answers 8 of them in time, two
    /// answer all. The day's goal (at most 20 calls late of 40) takes two
    /// 2-interval shifts, and three pairs of them cost the same: both early
    /// (the late intervals answer nobody: worst 0%), both in the middle (the
    /// ends at 0%), or one early and one late, every interval at 80%: the
    /// only optimum of the second objective.
    fn equal_cost_day() -> (GoalGrid, Vec<ShiftOption>, SchedulingRules) {
        let curve = IntervalCurve { floor: 0, load: 1.0, values: vec![vec![10.0, 2.0, 0.0]] };
        let grid = GoalGrid {
            first_day: chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            per_day: 4,
            curves: vec![Some(curve); 4],
            shrinkage: 0.0,
            goals: vec![GoalRow {
                goal: 0,
                slots: (0..4).collect(),
                bound: 20.0,
                label: "Mon: 50% answered in time".into(),
                occupancy_cap: None,
            }],
            calls: vec![10.0; 4],
        };
        let rules = SchedulingRules::default();
        (grid, vec![shift(0, 2), shift(1, 2), shift(2, 2)], rules)
    }

    #[test]
    fn equal_cost_rosters_go_to_the_one_whose_worst_interval_is_best() {
        let (grid, options, rules) = equal_cost_day();
        let b = BlockInputs {
            days: &[0],
            opts: vec![0, 1, 2],
            grid: &grid,
            options: &options,
            objective: Objective::PaidHours,
            rules: &rules,
        };
        let goals: Vec<&GoalRow> = grid.goals.iter().collect();
        // From the worst of the equal-cost rosters (both shifts early) ...
        let better = for_the_callers(&b, &goals, &[(0, 2), (1, 0), (2, 0)], 4.0).unwrap().unwrap();
        assert_eq!(better, vec![(0, 1), (1, 0), (2, 1)]);
        // ... and end to end: the cost is the optimum, the roster the one the callers favour.
        let solved = solve_block(&[0], &grid, &options, Objective::PaidHours, &rules).unwrap();
        assert_eq!((solved.objective, solved.counts), (4.0, vec![(0, 1), (1, 0), (2, 1)]));
    }

    #[test]
    fn reductions_of_a_convex_curve_fall_and_the_envelope_covers_an_s_shape() {
        // Convex decreasing: reductions as they are.
        assert_eq!(concave_reductions(&[10.0, 6.0, 3.0, 1.0, 0.0]), vec![4.0, 3.0, 2.0, 1.0]);
        // Concave at first (an S-shaped service curve): the envelope spreads
        // the first big drop back, never below the true cumulative reduction.
        let d = concave_reductions(&[10.0, 9.9, 5.0, 2.0, 1.0]);
        assert!(d.windows(2).all(|w| w[0] >= w[1] - 1e-12), "{d:?}");
        let mut cum = 0.0;
        for (k, v) in [10.0, 9.9, 5.0, 2.0, 1.0].iter().enumerate().skip(1) {
            cum += d[k - 1];
            assert!(cum >= 10.0 - v - 1e-9, "{k}: {cum}");
        }
        assert!((cum - 9.0).abs() < 1e-9);
    }
}
