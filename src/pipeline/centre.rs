//! Several queues in one plan.
//!
//! Each queue of the history is forecast, staffed and scheduled on its own
//! (its own calls, handle time and patience), the queues in parallel. One
//! roster then hands every queue's shifts to the agents: an agent works only
//! shifts of the queues `agents.csv` lists for them (all queues when it lists
//! none), leaning to their primary queue. This is a pooled model: a shift
//! answers one queue; agents are shared across queues day by day, not within
//! an interval (multi-skill routing would need a different staffing model).
//! Coverage, simulation and impact then run per queue on its part of the
//! roster.

use super::skills::{Skills, SkillsOutcome};
use super::{expected_calls, finish_week, forecast, load, staff, up_to_shifts, QueueShifts, Sources, WeeklyPlan};
use crate::error::Error;
use crate::forecast::predict::Forecast;
use crate::impact::ImpactThreshold;
use crate::schedule::roster::{build_roster, Agent, Assignment, Roster};
use crate::schedule::shifts::ShiftOption;
use crate::staff::requirements::IntervalRequirement;
use rayon::prelude::*;

/// Every queue's plan and the roster they share.
pub struct CentrePlan {
    /// Queue names, as in the history.
    pub names: Vec<String>,
    /// Each queue's weekly plan; its roster holds that queue's shifts only.
    pub queues: Vec<WeeklyPlan>,
    /// The roster over every queue's shifts; option indices into `options`.
    pub roster: Roster,
    /// Every queue's shift options, queue after queue (`queue` set).
    pub options: Vec<ShiftOption>,
    pub agents: Vec<Agent>,
    /// With agents of several queues under a routing: skill sets, their
    /// staffing and the centre's simulation ([`super::skills`]); `None`: each
    /// shift answers one queue.
    pub skills: Option<SkillsOutcome>,
}

/// The agents who take `queue` when one queue is planned (`plan --queue`):
/// those whose `queues` column lists it or is empty; and a warning when the
/// file lists queues but the plan is not of a named queue (every agent is
/// then taken to answer the history's calls).
pub fn agents_for_one_queue(agents: Vec<Agent>, queue: Option<&str>) -> (Vec<Agent>, Option<String>) {
    if agents.iter().all(|a| a.queue_names.is_empty()) {
        return (agents, None);
    }
    let Some(q) = queue else {
        return (
            agents,
            Some("the agents file lists queues, but one history is planned without --queue: every agent is taken to answer its calls (plan one queue with --queue NAME, or all with --all-queues)".into()),
        );
    };
    let total = agents.len();
    let kept: Vec<Agent> =
        agents.into_iter().filter(|a| a.queue_names.is_empty() || a.queue_names.iter().any(|n| n == q)).collect();
    let warning = (kept.len() < total)
        .then(|| format!("queue {q}: {} of {total} agents take it (the others list other queues)", kept.len()));
    (kept, warning)
}

/// Load every queue for the same planning week: the latest any queue's
/// history leads to (a queue whose history ends earlier plans that week too).
fn load_queues(sources: &Sources, names: &[String]) -> Result<Vec<super::Loaded>, Error> {
    let for_queue = |q: &String, week| Sources { queue: Some(q.clone()), week, ..sources.clone() };
    let first: Vec<super::Loaded> =
        names.par_iter().map(|q| load(&for_queue(q, sources.week))).collect::<Result<_, _>>()?;
    let Some(week) = first.iter().map(|l| l.week).max() else {
        return Err(no_queues(sources));
    };
    first
        .into_par_iter()
        .zip(names.par_iter())
        .map(|(l, q)| if l.week == week { Ok(l) } else { load(&for_queue(q, Some(week))) })
        .collect()
}

/// One queue's forecast and the agents it needs (`forecast --all-queues`).
pub struct QueueForecast {
    pub name: String,
    pub forecast: Forecast,
    pub requirements: Vec<IntervalRequirement>,
}

/// Every queue in `names` forecast and staffed, in parallel, each for the
/// week its own history leads to (no shifts, so no common week is needed).
/// The first queue in `names` that fails is the error.
pub fn forecast_queues(sources: &Sources, names: &[String]) -> Result<Vec<QueueForecast>, Error> {
    let results: Vec<Result<QueueForecast, Error>> = names
        .par_iter()
        .map(|q| {
            let loaded = load(&Sources { queue: Some(q.clone()), ..sources.clone() })?;
            let (_, fc) = forecast(&loaded)?;
            let requirements = staff(&expected_calls(&fc, &loaded.settings)?, &loaded.settings)?;
            Ok(QueueForecast { name: q.clone(), forecast: fc, requirements })
        })
        .collect();
    results.into_iter().collect()
}

/// Every queue forecast, staffed and scheduled, in parallel.
pub fn queue_shifts(sources: &Sources, names: &[String]) -> Result<Vec<QueueShifts>, Error> {
    let loaded = load_queues(sources, names)?;
    loaded.into_par_iter().map(|l| up_to_shifts(l, &|_| {})).collect()
}

/// Every queue's shift options, queue after queue with `queue` set, and how
/// many of each the queues' shift models chose: what the one roster hands out.
pub fn pooled_shifts(weeks: &[QueueShifts]) -> (Vec<ShiftOption>, Vec<u32>) {
    let mut options = Vec::new();
    let mut counts = Vec::new();
    for (q, w) in weeks.iter().enumerate() {
        options.extend(w.scheduled.options.iter().map(|o| ShiftOption { queue: q, ..o.clone() }));
        counts.extend(&w.scheduled.plan.counts);
    }
    (options, counts)
}

fn no_queues(sources: &Sources) -> Error {
    Error::usage(format!("--all-queues: {} has no 'queue' column (or no queue names in it)", sources.history.display()))
}

/// Every agent's queues resolved against the plan's: an agent left
/// unresolved would take every queue.
fn check_resolved(agents: &[Agent], names: &[String]) -> Result<(), Error> {
    let resolved = |a: &Agent| match &a.queues {
        None => a.queue_names.is_empty(),
        Some(q) => q.len() == a.queue_names.len() && q.iter().all(|&i| i < names.len()),
    };
    match agents.iter().find(|a| !resolved(a)) {
        None => Ok(()),
        Some(a) => Err(Error::Internal {
            stage: "centre",
            message: format!("agent {}'s queues were not resolved against the history's queues", a.id),
        }),
    }
}

/// The weekly build for every queue in `names`, with one roster.
/// `agents` have their queues resolved against `names`
/// ([`crate::ingest::agents::resolve_queues`], which names their file).
/// With `cross_train` (`--cross-train N`), the skills model plans the
/// centre and reports what N more agents on two queues would save.
pub fn build_centre(
    sources: &Sources,
    names: &[String],
    agents: Vec<Agent>,
    cross_train: Option<u32>,
    threshold: ImpactThreshold,
    progress: &dyn Fn(&str),
) -> Result<CentrePlan, Error> {
    if names.is_empty() {
        return Err(no_queues(sources));
    }
    check_resolved(&agents, names)?;
    let loaded = load_queues(sources, names)?;
    let routing = loaded[0].settings.routing;
    if let (Some(n), None) = (cross_train, routing) {
        return Err(Error::usage(format!(
            "--cross-train {n}: {} has no [routing] policy; the what-if is of agents who answer two queues under a routing, e.g. [routing] policy = \"primary-first-longest-idle\" (docs/skills.md)",
            sources.config.display()
        )));
    }
    let skills_model = cross_train.is_some() || Skills::of(&agents, names.len()).several();
    if let Some(routing) = routing.filter(|_| skills_model) {
        let c = super::skills::build(loaded, agents.clone(), routing, cross_train, threshold, progress)?;
        let (queues, roster, options) = (c.queues, c.roster, c.options);
        return Ok(CentrePlan { names: names.to_vec(), queues, roster, options, agents, skills: Some(c.outcome) });
    }
    progress("forecasting, staffing and scheduling each queue");
    let weeks: Vec<QueueShifts> = loaded.into_par_iter().map(|l| up_to_shifts(l, &|_| {})).collect::<Result<_, _>>()?;
    let (options, counts) = pooled_shifts(&weeks);
    progress("rostering named agents across queues");
    let first = &weeks[0];
    let per_day = first.scheduled.req.per_day;
    let roster =
        build_roster(&options, &counts, &first.loaded.days, per_day, &agents, &first.loaded.settings.scheduling)?;
    progress("coverage, simulation and impact per queue");
    let mut offset = 0;
    let mut parts = Vec::new();
    for (q, w) in weeks.into_iter().enumerate() {
        let len = w.scheduled.options.len();
        parts.push((queue_roster(&roster, q, offset..offset + len, &options, &agents), w));
        offset += len;
    }
    let queues: Vec<WeeklyPlan> = parts
        .into_par_iter()
        .map(|(r, w)| finish_week(w, r, agents.clone(), threshold, &|_| {}))
        .collect::<Result<_, _>>()?;
    Ok(CentrePlan { names: names.to_vec(), queues, roster, options, agents, skills: None })
}

/// One queue's part of the centre's roster: its shifts (option indices
/// local to the queue) and each agent's hours on it. Agents below their
/// contract minimum are counted centre-wide; each queue lists those of them
/// who may take it.
fn queue_roster(
    all: &Roster,
    q: usize,
    mine: std::ops::Range<usize>,
    options: &[ShiftOption],
    agents: &[Agent],
) -> Roster {
    let offset = mine.start;
    let assignments: Vec<Assignment> = (all.assignments.iter())
        .filter(|a| mine.contains(&a.option))
        .map(|a| Assignment { agent: a.agent, option: a.option - offset })
        .collect();
    let mut hours = vec![0.0; all.hours.len()];
    for a in &assignments {
        hours[a.agent] += options[a.option + offset].paid_hours;
    }
    let may_take = |i: usize| agents[i].queues.as_ref().is_none_or(|l| l.contains(&q));
    Roster {
        status: all.status,
        assignments,
        unfilled: all.unfilled.iter().filter(|(o, _)| mine.contains(o)).map(|(o, n)| (o - offset, *n)).collect(),
        hours,
        below_minimum: all.below_minimum.iter().copied().filter(|(i, _)| may_take(*i)).collect(),
        cost: all.cost,
        bound: all.bound,
        groups: all.groups,
        solve_seconds: all.solve_seconds,
        variables: all.variables,
        constraints: all.constraints,
    }
}
