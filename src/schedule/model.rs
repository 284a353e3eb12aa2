//! The coverage model: how many of each shift option.
//!
//! ```text
//! minimise   Σ_o cost_o · x_o  (+ weights · deviation when coverage is soft)
//! subject to Σ_{o covers t} x_o ≥ required_t              (hard coverage)
//!         or Σ_{o covers t} x_o − over_t + under_t = required_t   (soft)
//!            x_o ∈ ℤ≥0
//! ```
//!
//! Days are independent when no shift crosses midnight, so each day is its own
//! small MIP (solved in parallel); otherwise the week is one model. The LP
//! relaxation of the same model gives the bound the gap is measured against.

use super::shifts::ShiftOption;
use super::{Objective, SchedulingRules, SolveStatus};
use crate::error::Infeasibility;
use good_lp::solvers::highs::highs;
use good_lp::{constraint, variable, Expression, ResolutionError, Solution, SolverModel, Variable};
use rayon::prelude::*;
use serde::Serialize;
use std::time::Instant;

/// Why a schedule could not be built, in planner's words.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("{0}")]
    Uncoverable(Infeasibility),
    #[error("the solver failed: {0}")]
    Solver(String),
}

impl From<ScheduleError> for crate::error::Error {
    fn from(e: ScheduleError) -> Self {
        match e {
            ScheduleError::Uncoverable(m) => crate::error::Error::Infeasible(m),
            ScheduleError::Solver(m) => crate::error::Error::Solver(m),
        }
    }
}

/// The solved coverage model.
#[derive(Debug, Clone, Serialize)]
pub struct ShiftPlan {
    pub status: SolveStatus,
    pub objective: f64,
    pub lp_bound: f64,
    /// (objective − bound) / objective.
    pub gap: f64,
    pub solve_seconds: f64,
    pub variables: usize,
    pub constraints: usize,
    /// How many of each option (parallel to the options given).
    pub counts: Vec<u32>,
    /// Agents on the phones per slot of the week.
    pub scheduled: Vec<u32>,
    pub heads: u32,
    pub paid_hours: f64,
    /// Σ max(0, required − scheduled) over slots, agent-intervals.
    pub shortfall: f64,
    /// Σ max(0, scheduled − required).
    pub surplus: f64,
}

struct Block {
    options: Vec<usize>,
    slots: Vec<usize>,
}

/// A solved block of days.
pub(super) struct BlockResult {
    pub(super) counts: Vec<(usize, u32)>,
    /// Solver values of the option variables (LP: fractional).
    pub(super) values: Vec<f64>,
    pub(super) objective: f64,
    pub(super) bound: f64,
    pub(super) timed_out: bool,
    pub(super) vars: usize,
    pub(super) cons: usize,
}

/// Solve the coverage model for `required` agents per slot of the week.
pub fn solve(
    required: &[f64],
    options: &[ShiftOption],
    per_day: usize,
    objective: Objective,
    cfg: &SchedulingRules,
) -> Result<ShiftPlan, ScheduleError> {
    let t0 = Instant::now();
    let soft = objective == Objective::AbsDeviation || cfg.max_shifts_per_day.is_some();
    if !soft {
        explain_uncoverable(required, options, per_day)?;
    }
    let days = required.len().div_ceil(per_day.max(1));
    let independent = options.iter().all(|o| !o.crosses_midnight(per_day));
    let blocks: Vec<Block> = if independent {
        (0..days)
            .map(|d| Block {
                options: (0..options.len()).filter(|&i| options[i].day == d).collect(),
                slots: (d * per_day..((d + 1) * per_day).min(required.len())).collect(),
            })
            .collect()
    } else {
        vec![Block { options: (0..options.len()).collect(), slots: (0..required.len()).collect() }]
    };
    // LP relaxations first (cheap), then the MIPs, hardest-looking first, from a
    // shared queue so the two cores stay busy until the end.
    let relaxed: Vec<Relaxed> = blocks
        .par_iter()
        .with_max_len(1)
        .map(|b| relax_block(b, required, options, objective, cfg, soft))
        .collect::<Result<_, _>>()?;
    let mut order: Vec<usize> = (0..blocks.len()).collect();
    order.sort_by(|a, b| relaxed[*b].fractionality().total_cmp(&relaxed[*a].fractionality()).then(a.cmp(b)));
    let results: Vec<Result<BlockResult, ScheduleError>> =
        in_order(&order, |i| solve_relaxed(&blocks[i], &relaxed[i], required, options, objective, cfg, soft))
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(ScheduleError::Solver("a day's model was not solved".into()))))
            .collect();
    let results: Vec<BlockResult> = results.into_iter().collect::<Result<_, _>>()?;
    Ok(plan_from(results, options, required, t0))
}

impl BlockResult {
    /// A block with nothing to schedule.
    pub(super) fn empty() -> BlockResult {
        BlockResult { counts: vec![], values: vec![], objective: 0.0, bound: 0.0, timed_out: false, vars: 0, cons: 0 }
    }
}

/// The week's plan from its solved blocks: counts, totals, the coverage and
/// its shortfall and surplus against `required`.
pub(super) fn plan_from(
    results: Vec<BlockResult>,
    options: &[ShiftOption],
    required: &[f64],
    t0: Instant,
) -> ShiftPlan {
    let mut counts = vec![0u32; options.len()];
    let (mut obj, mut bound, mut timed_out, mut vars, mut cons) = (0.0, 0.0, false, 0, 0);
    for r in results {
        for (i, c) in r.counts {
            counts[i] = c;
        }
        obj += r.objective;
        bound += r.bound;
        timed_out |= r.timed_out;
        vars += r.vars;
        cons += r.cons;
    }
    let solved = ShiftPlan {
        status: if timed_out { SolveStatus::TimeLimit } else { SolveStatus::Optimal },
        gap: if obj.abs() > 1e-9 { ((obj - bound) / obj).max(0.0) } else { 0.0 },
        objective: obj,
        lp_bound: bound,
        solve_seconds: t0.elapsed().as_secs_f64(),
        variables: vars,
        constraints: cons,
        ..ShiftPlan::unsolved()
    };
    plan_of_counts(&solved, options, counts, required)
}

impl ShiftPlan {
    /// Nothing solved, nothing counted: what [`solved_together`] and
    /// [`plan_of_counts`] fill in.
    fn unsolved() -> ShiftPlan {
        ShiftPlan {
            status: SolveStatus::Optimal,
            objective: 0.0,
            lp_bound: 0.0,
            gap: 0.0,
            solve_seconds: 0.0,
            variables: 0,
            constraints: 0,
            counts: Vec::new(),
            scheduled: Vec::new(),
            heads: 0,
            paid_hours: 0.0,
            shortfall: 0.0,
            surplus: 0.0,
        }
    }
}

/// The plan of given `counts` (one queue's part of shifts solved with other
/// queues'): totals, coverage, shortfall and surplus against `required`;
/// the solve's own figures (status, objective, bound, size) are `solved`'s.
pub fn plan_of_counts(solved: &ShiftPlan, options: &[ShiftOption], counts: Vec<u32>, required: &[f64]) -> ShiftPlan {
    let scheduled = coverage(options, &counts, required.len());
    let shortfall = required.iter().zip(&scheduled).map(|(r, s)| (r - *s as f64).max(0.0)).sum();
    let surplus = required.iter().zip(&scheduled).map(|(r, s)| (*s as f64 - r).max(0.0)).sum();
    ShiftPlan {
        heads: counts.iter().sum(),
        paid_hours: counts.iter().zip(options).map(|(c, o)| *c as f64 * o.paid_hours).sum(),
        counts,
        scheduled,
        shortfall,
        surplus,
        ..solved.clone()
    }
}

/// The solve figures of plans solved apart, as one: objectives, bounds and
/// sizes summed, the time limit if any hit it (counts and coverage empty).
pub fn solved_together(plans: &[&ShiftPlan]) -> ShiftPlan {
    let objective: f64 = plans.iter().map(|p| p.objective).sum();
    let lp_bound: f64 = plans.iter().map(|p| p.lp_bound).sum();
    ShiftPlan {
        status: if plans.iter().any(|p| p.status == SolveStatus::TimeLimit) {
            SolveStatus::TimeLimit
        } else {
            SolveStatus::Optimal
        },
        objective,
        lp_bound,
        gap: if objective.abs() > 1e-9 { ((objective - lp_bound) / objective).max(0.0) } else { 0.0 },
        solve_seconds: plans.iter().map(|p| p.solve_seconds).sum(),
        variables: plans.iter().map(|p| p.variables).sum(),
        constraints: plans.iter().map(|p| p.constraints).sum(),
        ..ShiftPlan::unsolved()
    }
}

/// Agents on the phones per slot for given counts.
pub fn coverage(options: &[ShiftOption], counts: &[u32], slots: usize) -> Vec<u32> {
    let mut s = vec![0u32; slots];
    for (o, c) in options.iter().zip(counts) {
        for &t in &o.covered {
            if t < slots {
                s[t] += c;
            }
        }
    }
    s
}

/// A block after its LP relaxation: what the MIP phase needs.
enum Relaxed {
    /// Nothing to schedule.
    Empty,
    Implicit {
        groups: Vec<super::compact::Group>,
        lp: BlockResult,
    },
    Explicit {
        lp: BlockResult,
    },
}

impl Relaxed {
    /// How far the LP is from whole numbers: the harder MIPs tend to have the
    /// most fractional relaxations, so they are started first.
    fn fractionality(&self) -> f64 {
        match self {
            Relaxed::Empty => 0.0,
            Relaxed::Implicit { lp, .. } | Relaxed::Explicit { lp } => {
                lp.values.iter().map(|v| (v - v.round()).abs()).sum()
            }
        }
    }
}

fn relax_block(
    b: &Block,
    required: &[f64],
    options: &[ShiftOption],
    objective: Objective,
    cfg: &SchedulingRules,
    soft: bool,
) -> Result<Relaxed, ScheduleError> {
    let need: f64 = b.slots.iter().map(|&t| required[t]).sum();
    if b.options.is_empty() || (need <= 0.0 && !soft) {
        return Ok(Relaxed::Empty);
    }
    // Measured on instance B: the implicit model halves the absolute-deviation
    // solve, while hard coverage solves faster with explicit placements.
    let implicit = cfg.implicit_breaks && objective == Objective::AbsDeviation;
    if let Some(groups) = super::compact::groups(&b.options, options, cfg).filter(|_| implicit) {
        let lp = build_and_solve_compact(b, required, options, &groups, objective, cfg, soft, false)?;
        return Ok(Relaxed::Implicit { groups, lp });
    }
    Ok(Relaxed::Explicit { lp: build_and_solve(b, required, options, objective, cfg, soft, None)? })
}

fn solve_relaxed(
    b: &Block,
    relaxed: &Relaxed,
    required: &[f64],
    options: &[ShiftOption],
    objective: Objective,
    cfg: &SchedulingRules,
    soft: bool,
) -> Result<BlockResult, ScheduleError> {
    let t0 = Instant::now();
    let (lp, mip) = match relaxed {
        Relaxed::Empty => return Ok(BlockResult::empty()),
        Relaxed::Implicit { groups, lp } => {
            (lp, build_and_solve_compact(b, required, options, groups, objective, cfg, soft, true)?)
        }
        Relaxed::Explicit { lp } => {
            // The LP solution rounded up covers every interval: a feasible
            // start, so a time limit always leaves a schedule to report.
            let start: Vec<f64> = lp.values.iter().map(|v| (v - 1e-6).ceil().max(0.0)).collect();
            (lp, build_and_solve(b, required, options, objective, cfg, soft, Some(&start))?)
        }
    };
    if std::env::var_os("RINGCAST_TIMINGS").is_some() {
        eprintln!(
            "block at slot {}: MIP {:.3} s, LP fractionality {:.2}",
            b.slots.first().copied().unwrap_or(0),
            t0.elapsed().as_secs_f64(),
            relaxed.fractionality()
        );
    }
    Ok(BlockResult { bound: lp.objective, ..mip })
}

/// Run `job(i)` for every index of `order`, taking them in that order from a
/// shared queue on as many threads as rayon uses (longest-first scheduling).
fn in_order<T: Send>(order: &[usize], job: impl Fn(usize) -> T + Sync) -> Vec<Option<T>> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<T>>> = order.iter().map(|_| std::sync::Mutex::new(None)).collect();
    let workers = rayon::current_num_threads().clamp(1, order.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(&i) = order.get(k) else { break };
                let r = job(i);
                if let Ok(mut slot) = results[i].lock() {
                    *slot = Some(r);
                }
            });
        }
    });
    results.into_iter().map(|m| m.into_inner().ok().flatten()).collect()
}

fn build_and_solve(
    b: &Block,
    required: &[f64],
    options: &[ShiftOption],
    objective: Objective,
    cfg: &SchedulingRules,
    soft: bool,
    start: Option<&[f64]>,
) -> Result<BlockResult, ScheduleError> {
    let integer = start.is_some();
    let mut vars = good_lp::variables!();
    let x: Vec<Variable> = b
        .options
        .iter()
        .map(|_| vars.add(if integer { variable().integer().min(0) } else { variable().min(0) }))
        .collect();
    let mut cover: Vec<Expression> = vec![Expression::from(0.0); b.slots.len()];
    let mut any = vec![false; b.slots.len()];
    let first = b.slots.first().copied().unwrap_or(0);
    for (k, &oi) in b.options.iter().enumerate() {
        for &t in &options[oi].covered {
            if t >= first && t < first + b.slots.len() {
                cover[t - first] += x[k];
                any[t - first] = true;
            }
        }
    }
    let cost = |oi: usize| match objective {
        Objective::Heads => 1.0,
        _ => options[oi].paid_hours,
    };
    let mut obj: Expression = match objective {
        Objective::AbsDeviation => Expression::from(0.0),
        _ => b.options.iter().zip(&x).map(|(&oi, v)| cost(oi) * *v).sum(),
    };
    let mut cons = Vec::new();
    let deviations = coverage_rows(
        &mut vars,
        &mut obj,
        &mut cons,
        Coverage { b, required, cover: &cover, any: &any },
        objective,
        cfg,
        soft,
    );
    if let Some(cap) = cfg.max_shifts_per_day {
        let mut by_day: std::collections::BTreeMap<usize, Expression> = Default::default();
        for (k, &oi) in b.options.iter().enumerate() {
            *by_day.entry(options[oi].day).or_insert_with(|| Expression::from(0.0)) += x[k];
        }
        for (_, e) in by_day {
            cons.push(constraint!(e <= cap as f64));
        }
    }
    let n_vars = x.len();
    let n_cons = cons.len();
    let mut init: Vec<(Variable, f64)> = Vec::new();
    if let Some(start) = start {
        init = x.iter().copied().zip(start.iter().copied()).collect();
        let mut cover_at = vec![0.0; b.slots.len()];
        for (k, &oi) in b.options.iter().enumerate() {
            for &t in &options[oi].covered {
                if t >= first && t < first + b.slots.len() {
                    cover_at[t - first] += start[k];
                }
            }
        }
        for d in &deviations {
            init.push((d.over, (cover_at[d.row] - required[d.slot]).max(0.0)));
            init.push((d.under, (required[d.slot] - cover_at[d.row]).max(0.0)));
        }
    }
    let whole = whole_valued(b, required, objective, soft) && integer;
    let (sol, timed_out) = solve_model(vars, obj.clone(), cons, cfg, whole, init)?;
    let values: Vec<f64> = x.iter().map(|v| sol.value(*v)).collect();
    let counts: Vec<(usize, u32)> =
        b.options.iter().zip(&values).map(|(&oi, v)| (oi, v.round().max(0.0) as u32)).collect();
    let value = sol.eval(&obj);
    Ok(BlockResult { counts, values, objective: value, bound: value, timed_out, vars: n_vars, cons: n_cons })
}

/// The implicit-break model of a block (see [`super::compact`]).
#[allow(clippy::too_many_arguments)]
fn build_and_solve_compact(
    b: &Block,
    required: &[f64],
    options: &[ShiftOption],
    groups: &[super::compact::Group],
    objective: Objective,
    cfg: &SchedulingRules,
    soft: bool,
    integer: bool,
) -> Result<BlockResult, ScheduleError> {
    use std::collections::BTreeMap;
    let int_var = || if integer { variable().integer().min(0) } else { variable().min(0) };
    let mut vars = good_lp::variables!();
    let y: Vec<Variable> = groups.iter().map(|_| vars.add(int_var())).collect();
    // Break starts per family: every placement any of its shifts allows.
    let mut break_slots: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut break_len: BTreeMap<usize, usize> = BTreeMap::new();
    for g in groups.iter().filter(|g| g.has_break()) {
        break_len.insert(g.family, g.break_len);
        for p in g.placements.iter().filter_map(|p| p.1) {
            break_slots.entry((g.family, p)).or_insert(0);
        }
    }
    let keys: Vec<(usize, usize)> = break_slots.keys().copied().collect();
    let bv: Vec<Variable> = keys.iter().map(|_| vars.add(int_var())).collect();
    let first = b.slots.first().copied().unwrap_or(0);
    let n = b.slots.len();
    let mut cover: Vec<Expression> = vec![Expression::from(0.0); n];
    let mut any = vec![false; n];
    for (gi, g) in groups.iter().enumerate() {
        let o = &options[g.placements[0].0];
        for t in o.start..o.end {
            if t >= first && t < first + n {
                cover[t - first] += y[gi];
                any[t - first] = true;
            }
        }
    }
    for (k, &(f, p)) in keys.iter().enumerate() {
        for t in p..p + break_len[&f] {
            if t >= first && t < first + n {
                cover[t - first] -= bv[k];
            }
        }
    }
    let mut obj: Expression = match objective {
        Objective::AbsDeviation => Expression::from(0.0),
        Objective::Heads => y.iter().map(|v| Expression::from(*v)).sum(),
        Objective::PaidHours => groups.iter().zip(&y).map(|(g, v)| options[g.placements[0].0].paid_hours * *v).sum(),
    };
    let mut cons = break_matching(groups, &keys, &break_len, &y, &bv);
    let deviations = coverage_rows(
        &mut vars,
        &mut obj,
        &mut cons,
        Coverage { b, required, cover: &cover, any: &any },
        objective,
        cfg,
        soft,
    );
    if let Some(cap) = cfg.max_shifts_per_day {
        let total: Expression = y.iter().map(|v| Expression::from(*v)).sum();
        cons.push(constraint!(total <= cap as f64));
    }
    let (n_vars, n_cons) = (y.len() + bv.len(), cons.len());
    // With soft coverage, no shifts at all is feasible: a start that guarantees
    // a schedule to report if the time limit strikes.
    let init: Vec<(Variable, f64)> = if integer && soft {
        y.iter().chain(&bv).map(|v| (*v, 0.0)).chain(deviations.iter().map(|d| (d.under, required[d.slot]))).collect()
    } else {
        Vec::new()
    };
    let whole = whole_valued(b, required, objective, soft) && integer;
    let (sol, timed_out) = solve_model(vars, obj.clone(), cons, cfg, whole, init)?;
    let values: Vec<f64> = y.iter().chain(&bv).map(|v| sol.value(*v)).collect();
    let value = sol.eval(&obj);
    let counts = if integer {
        let yc: Vec<u32> = y.iter().map(|v| sol.value(*v).round().max(0.0) as u32).collect();
        let bc: BTreeMap<(usize, usize), u32> =
            keys.iter().zip(&bv).map(|(k, v)| (*k, sol.value(*v).round().max(0.0) as u32)).collect();
        super::compact::assign(groups, &yc, &bc)
            .ok_or_else(|| ScheduleError::Solver("breaks could not be matched to shifts".into()))?
    } else {
        vec![]
    };
    Ok(BlockResult { counts, values, objective: value, bound: value, timed_out, vars: n_vars, cons: n_cons })
}

/// A block's coverage: the shifts on the phones per interval (`cover`, one
/// per slot of the block) and whether any shift covers it at all.
struct Coverage<'a> {
    b: &'a Block,
    required: &'a [f64],
    cover: &'a [Expression],
    any: &'a [bool],
}

/// The over- and under-staffing variables of one interval (soft coverage):
/// `row` in the block, `slot` in the week.
struct Deviation {
    row: usize,
    slot: usize,
    over: Variable,
    under: Variable,
}

/// Coverage constraints of a block, shared by the explicit and the
/// implicit-break model. Hard: every needed interval covered. Soft: each
/// interval needed or covered gets over and under variables, weighted in the
/// objective (1 each for absolute deviation, else the configured weights).
fn coverage_rows(
    vars: &mut good_lp::ProblemVariables,
    obj: &mut Expression,
    cons: &mut Vec<good_lp::Constraint>,
    c: Coverage,
    objective: Objective,
    cfg: &SchedulingRules,
    soft: bool,
) -> Vec<Deviation> {
    let (b, required, cover) = (c.b, c.required, c.cover);
    let mut deviations = Vec::new();
    if soft {
        let (w_over, w_under) = match objective {
            Objective::AbsDeviation => (1.0, 1.0),
            _ => (cfg.over_weight, cfg.under_weight),
        };
        for (j, &t) in b.slots.iter().enumerate() {
            if required[t] <= 0.0 && !c.any[j] {
                continue;
            }
            let over = vars.add(variable().min(0));
            let under = vars.add(variable().min(0));
            deviations.push(Deviation { row: j, slot: t, over, under });
            *obj += w_over * over + w_under * under;
            cons.push(constraint!(cover[j].clone() - over + under == required[t]));
        }
    } else {
        for (j, &t) in b.slots.iter().enumerate() {
            if required[t] > 0.0 {
                cons.push(constraint!(cover[j].clone() >= required[t]));
            }
        }
    }
    deviations
}

/// The implicit-break model's breaks match its shifts, family by family: as
/// many breaks as shifts, and none outside a shift's window (counted
/// forward and backward from each break start).
fn break_matching(
    groups: &[super::compact::Group],
    keys: &[(usize, usize)],
    break_len: &std::collections::BTreeMap<usize, usize>,
    y: &[Variable],
    bv: &[Variable],
) -> Vec<good_lp::Constraint> {
    let mut cons = Vec::new();
    for &f in break_len.keys() {
        let fam_groups: Vec<usize> =
            (0..groups.len()).filter(|&i| groups[i].family == f && groups[i].has_break()).collect();
        let fam_breaks: Vec<usize> = (0..keys.len()).filter(|&k| keys[k].0 == f).collect();
        let shifts: Expression = fam_groups.iter().map(|&i| Expression::from(y[i])).sum();
        let breaks: Expression = fam_breaks.iter().map(|&k| Expression::from(bv[k])).sum();
        cons.push(constraint!(shifts == breaks));
        for &k in &fam_breaks {
            let p = keys[k].1;
            let fwd_s: Expression =
                fam_groups.iter().filter(|&&i| groups[i].latest() <= p).map(|&i| Expression::from(y[i])).sum();
            let fwd_b: Expression =
                fam_breaks.iter().filter(|&&j| keys[j].1 <= p).map(|&j| Expression::from(bv[j])).sum();
            cons.push(constraint!(fwd_s <= fwd_b));
            let bwd_s: Expression =
                fam_groups.iter().filter(|&&i| groups[i].earliest() >= p).map(|&i| Expression::from(y[i])).sum();
            let bwd_b: Expression =
                fam_breaks.iter().filter(|&&j| keys[j].1 >= p).map(|&j| Expression::from(bv[j])).sum();
            cons.push(constraint!(bwd_s <= bwd_b));
        }
    }
    cons
}

/// Whether the objective takes whole values (whole requirements, and heads or
/// absolute deviation): then a solution within 1 of the bound is optimal.
fn whole_valued(b: &Block, required: &[f64], objective: Objective, soft: bool) -> bool {
    let integral = b.slots.iter().all(|&t| required[t].fract() == 0.0);
    integral
        && match objective {
            Objective::Heads => !soft,
            Objective::AbsDeviation => true,
            Objective::PaidHours => false,
        }
}

/// Solve a built model with HiGHS under the configured limits; returns the
/// solution and whether the time limit stopped it.
pub(super) fn solve_model(
    vars: good_lp::ProblemVariables,
    obj: Expression,
    cons: Vec<good_lp::Constraint>,
    cfg: &SchedulingRules,
    whole: bool,
    init: Vec<(Variable, f64)>,
) -> Result<(good_lp::solvers::highs::HighsSolution, bool), ScheduleError> {
    solve_model_within(vars, obj, cons, cfg, whole, init, None)
}

/// [`solve_model`], stopping after `max_nodes` branch-and-bound nodes when
/// given: a limit that, unlike the clock, gives the same answer on any machine.
pub(super) fn solve_model_within(
    vars: good_lp::ProblemVariables,
    obj: Expression,
    cons: Vec<good_lp::Constraint>,
    cfg: &SchedulingRules,
    whole: bool,
    init: Vec<(Variable, f64)>,
    max_nodes: Option<i32>,
) -> Result<(good_lp::solvers::highs::HighsSolution, bool), ScheduleError> {
    use good_lp::WithInitialSolution;
    let mut model = vars.minimise(obj).using(highs);
    model.set_verbose(false);
    let mut model = model.set_time_limit(cfg.time_limit_seconds).set_threads(1);
    if let Some(n) = max_nodes {
        model = model.set_option("mip_max_nodes", n);
    }
    model = model.set_mip_rel_gap(cfg.mip_gap as f32).map_err(|e| ScheduleError::Solver(e.to_string()))?;
    if whole && cfg.mip_gap == 0.0 {
        model = model.set_mip_abs_gap(0.999).map_err(|e| ScheduleError::Solver(e.to_string()))?;
    }
    if !init.is_empty() {
        model = model.with_initial_solution(init);
    }
    for c in cons {
        model = model.with(c);
    }
    match model.solve() {
        Ok(s) => {
            let timed_out = matches!(s.status(), good_lp::solvers::SolutionStatus::TimeLimit);
            Ok((s, timed_out))
        }
        Err(ResolutionError::Infeasible) => Err(ScheduleError::Uncoverable(Infeasibility::new(
            vec![],
            &["scheduling.shifts", "scheduling.max_shifts_per_day"],
            "the shift rules cannot cover the requirement (the model is infeasible)",
        ))),
        Err(e) => Err(ScheduleError::Solver(format!(
            "{e} (within scheduling.time_limit_seconds = {} s; raise it if the solver found nothing in time)",
            cfg.time_limit_seconds
        ))),
    }
}

/// Refuse, in planner's words, a requirement no shift can cover.
fn explain_uncoverable(required: &[f64], options: &[ShiftOption], per_day: usize) -> Result<(), ScheduleError> {
    let mut covered = vec![false; required.len()];
    for o in options {
        for &t in &o.covered {
            if t < covered.len() {
                covered[t] = true;
            }
        }
    }
    let bad: Vec<usize> = (0..required.len()).filter(|&t| required[t] > 0.0 && !covered[t]).collect();
    if bad.is_empty() {
        return Ok(());
    }
    let mut spans: Vec<String> = Vec::new();
    let mut i = 0;
    while i < bad.len() && spans.len() < 5 {
        let mut j = i;
        while j + 1 < bad.len() && bad[j + 1] == bad[j] + 1 && bad[j + 1] / per_day == bad[i] / per_day {
            j += 1;
        }
        let m = |t: usize| {
            let min = (t % per_day) * 1440 / per_day;
            format!("{:02}:{:02}", min / 60, min % 60)
        };
        spans.push(format!("day {} {}–{}", bad[i] / per_day + 1, m(bad[i]), m(bad[j] + 1)));
        i = j + 1;
    }
    let message = format!(
        "{} intervals need agents but no allowed shift covers them ({}{}); widen the shift families' start windows or opening hours, or use --objective abs-deviation",
        bad.len(),
        spans.join(", "),
        if bad.len() > spans.len() { ", …" } else { "" }
    );
    Err(ScheduleError::Uncoverable(Infeasibility::new(bad, &["scheduling.shifts", "opening_hours"], message)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::shifts::ShiftOption;
    use proptest::prelude::*;

    fn option(day: usize, start: usize, len: usize, paid: f64) -> ShiftOption {
        ShiftOption {
            family: 0,
            day,
            start,
            end: start + len,
            breaks: vec![],
            paid_hours: paid,
            covered: (start..start + len).collect(),
            queue: 0,
        }
    }

    /// Enumerate every count vector up to `max` per option.
    fn brute(required: &[f64], opts: &[ShiftOption], objective: Objective, max: u32) -> f64 {
        let mut best = f64::INFINITY;
        let mut counts = vec![0u32; opts.len()];
        loop {
            let cover = coverage(opts, &counts, required.len());
            let value = match objective {
                Objective::AbsDeviation => required.iter().zip(&cover).map(|(r, c)| (r - *c as f64).abs()).sum(),
                _ if required.iter().zip(&cover).any(|(r, c)| (*c as f64) < *r) => f64::INFINITY,
                Objective::Heads => counts.iter().sum::<u32>() as f64,
                Objective::PaidHours => counts.iter().zip(opts).map(|(c, o)| *c as f64 * o.paid_hours).sum(),
            };
            best = best.min(value);
            let mut i = 0;
            loop {
                if i == counts.len() {
                    return best;
                }
                counts[i] += 1;
                if counts[i] <= max {
                    break;
                }
                counts[i] = 0;
                i += 1;
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 40, failure_persistence: None, ..ProptestConfig::default() })]
        /// On random small days the MIP finds the brute-force optimum, and a
        /// hard objective's schedule covers what it claims.
        #[test]
        fn matches_brute_force_on_small_instances(
            req in prop::collection::vec(0u32..4, 8),
            shapes in prop::collection::vec((0usize..6, 2usize..6), 1..4),
        ) {
            let required: Vec<f64> = req.iter().map(|r| *r as f64).collect();
            let opts: Vec<ShiftOption> = shapes.iter().map(|(s, l)| option(0, *s, (*l).min(8 - s), (*l).min(8 - s) as f64)).collect();
            let cfg = SchedulingRules { time_limit_seconds: 10.0, ..SchedulingRules::default() };
            for objective in [Objective::Heads, Objective::PaidHours, Objective::AbsDeviation] {
                let expected = brute(&required, &opts, objective, 4);
                match solve(&required, &opts, 8, objective, &cfg) {
                    Ok(plan) => {
                        prop_assert!((plan.objective - expected).abs() < 1e-6, "{objective:?}: MIP {} vs brute force {expected}", plan.objective);
                        if objective != Objective::AbsDeviation {
                            prop_assert!(plan.scheduled.iter().zip(&required).all(|(s, r)| *s as f64 >= *r));
                        }
                    }
                    Err(ScheduleError::Uncoverable(_)) => prop_assert!(expected.is_infinite(), "{objective:?}: refused but brute force found {expected}"),
                    Err(e) => prop_assert!(false, "{e}"),
                }
            }
        }
    }
}
