//! Several queues whose agents take several of them: staffed, scheduled and
//! rostered by skill set, checked by one simulation of the whole centre.
//!
//! ```text
//! each queue: load → forecast → staff (its own Erlang need)
//! per interval: agents per skill set from the pooling bounds (staff::skills)
//! simulate the staffing (simulate::skills); raise a queue's bound where a day misses; again
//! per primary queue and kind of agent (one skill, several): shifts (HiGHS) → one roster
//! simulate the roster → each queue's coverage, simulated service, impact
//! ```
//!
//! Each queue's outputs hold the shifts of the agents whose primary queue it
//! is (they answer it first, and the others when free): the queues' parts
//! add up to the centre's roster, and each queue's simulated service is the
//! centre simulation's, under the routing the config names.

use super::cross_train::{cross_training, CrossTraining};
use super::{expected_calls, finish_week_with, forecast, staff, Loaded, QueueShifts, WeeklyPlan};
use crate::error::Error;
use crate::forecast::predict::{FittedForecast, Forecast};
use crate::impact::ImpactThreshold;
use crate::schedule::model::{plan_of_counts, solved_together};
use crate::schedule::roster::{build_roster, Agent, Assignment, Roster};
use crate::schedule::shifts::{on_phones_per_slot, ShiftOption};
use crate::schedule::week::{schedule, Scheduled};
use crate::series::{CallSeries, RequirementGrid};
use crate::simulate::skills::{simulate_centre, CentreInput, CentreReport, QueueLoad, Routing, SkillGroup};
use crate::simulate::{days_of, Outcome, SimReport, SimSettings};
use crate::staff::requirements::{queue_of, IntervalRequirement};
use crate::staff::skills::{families, pooling_bounds, shared, staff_interval, MergedNeeds, PoolingBound, Pools};
use crate::staff::{with_shrinkage, Queue, ServiceGoal};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeSet;

/// Rounds of simulation and raised bounds at most.
pub const MAX_ROUNDS: usize = 8;

/// Share of paid hours an agent is on the phones, shrinkage aside (paid
/// breaks).
const ON_PHONES_OF_PAID: f64 = 0.95;

/// Replications of each staffing round's simulation (at most the config's).
const ROUND_REPLICATIONS: usize = 100;

/// One queue forecast and staffed on its own.
pub struct QueueDemand {
    pub loaded: Loaded,
    pub fitted: FittedForecast,
    pub forecast: Forecast,
    pub series: CallSeries,
    pub requirements: Vec<IntervalRequirement>,
}

/// Every queue forecast and staffed, in parallel.
pub fn demands(loaded: Vec<Loaded>) -> Result<Vec<QueueDemand>, Error> {
    loaded
        .into_par_iter()
        .map(|loaded| {
            let (fitted, forecast) = forecast(&loaded)?;
            let series = expected_calls(&forecast, &loaded.settings)?;
            let requirements = staff(&series, &loaded.settings)?;
            Ok(QueueDemand { loaded, fitted, forecast, series, requirements })
        })
        .collect()
}

/// Who takes what: the agents' skill sets (the queues they take) and skill
/// groups (a set with its primary: what staffing, shifts, roster and
/// routing are by).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skills {
    /// Distinct sets of queues, ascending.
    pub sets: Vec<Vec<usize>>,
    /// Agents per set.
    pub headcount: Vec<u32>,
    pub groups: Vec<SkillGroup>,
    /// Agents per group, and each group's set.
    pub group_headcount: Vec<u32>,
    pub set_of_group: Vec<usize>,
    /// Per agent, their group.
    pub group_of: Vec<usize>,
    /// What shifts are scheduled and rostered by: a primary queue, and
    /// whether its agents take other queues too (a class per primary and
    /// kind keeps the shift models few and the shifts whole, however many
    /// combinations of skills the agents have).
    pub classes: Vec<ShiftClass>,
    pub class_of_group: Vec<usize>,
    /// Per class, its agents and the most hours they work in a week.
    pub class_headcount: Vec<u32>,
    pub class_week_hours: Vec<f64>,
}

/// Agents who answer `primary` first, and take (`several`) or do not take
/// other queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ShiftClass {
    pub primary: usize,
    pub several: bool,
}

impl Skills {
    /// The skills of `agents` over `queues` queues (an agent listing none
    /// takes every queue; their primary is the one marked, else the first
    /// listed).
    pub fn of(agents: &[Agent], queues: usize) -> Skills {
        let taken: Vec<SkillGroup> = agents
            .iter()
            .map(|a| {
                let set = a.queues.clone().unwrap_or_else(|| (0..queues).collect());
                SkillGroup::new(a.primary.or(set.first().copied()).unwrap_or(0), &set)
                    .with_factors(&a.handle_time_factors)
            })
            .collect();
        let groups: Vec<SkillGroup> = taken.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect();
        let sets: Vec<Vec<usize>> =
            groups.iter().map(|g| sorted(&g.queues)).collect::<BTreeSet<_>>().into_iter().collect();
        let set_of_group: Vec<usize> =
            groups.iter().map(|g| sets.binary_search(&sorted(&g.queues)).unwrap_or(0)).collect();
        let group_of: Vec<usize> = taken.iter().map(|g| groups.binary_search(g).unwrap_or(0)).collect();
        let mut group_headcount = vec![0u32; groups.len()];
        for &g in &group_of {
            group_headcount[g] += 1;
        }
        let mut headcount = vec![0u32; sets.len()];
        for (g, &n) in group_headcount.iter().enumerate() {
            headcount[set_of_group[g]] += n;
        }
        let class = |g: &SkillGroup| ShiftClass { primary: g.primary(), several: g.queues.len() > 1 };
        let classes: Vec<ShiftClass> = groups.iter().map(class).collect::<BTreeSet<_>>().into_iter().collect();
        let class_of_group: Vec<usize> = groups.iter().map(|g| classes.binary_search(&class(g)).unwrap_or(0)).collect();
        let mut class_headcount = vec![0u32; classes.len()];
        let mut class_week_hours = vec![0.0; classes.len()];
        for (a, &g) in agents.iter().zip(&group_of) {
            class_headcount[class_of_group[g]] += 1;
            class_week_hours[class_of_group[g]] += a.max_weekly_hours;
        }
        Skills {
            sets,
            headcount,
            groups,
            group_headcount,
            set_of_group,
            group_of,
            classes,
            class_of_group,
            class_headcount,
            class_week_hours,
        }
    }

    /// Per shift class and slot, the agents of a per-group staffing.
    fn per_class(&self, per_group: &[Vec<u32>]) -> Vec<Vec<u32>> {
        summed_into(per_group, &self.class_of_group, self.classes.len())
    }

    /// Whether any agent takes more than one queue.
    pub fn several(&self) -> bool {
        self.sets.iter().any(|s| s.len() > 1)
    }

    /// Per set and slot, the agents of a per-group staffing.
    fn per_set(&self, per_group: &[Vec<u32>]) -> Vec<Vec<u32>> {
        summed_into(per_group, &self.set_of_group, self.sets.len())
    }
}

/// `per_group[g][slot]` added up into `len` parts, group `g` into `part_of[g]`.
fn summed_into(per_group: &[Vec<u32>], part_of: &[usize], len: usize) -> Vec<Vec<u32>> {
    let slots = per_group.first().map_or(0, Vec::len);
    let mut out = vec![vec![0u32; slots]; len];
    for (g, n) in per_group.iter().enumerate() {
        for (o, k) in out[part_of[g]].iter_mut().zip(n) {
            *o += k;
        }
    }
    out
}

fn sorted(v: &[usize]) -> Vec<usize> {
    let mut v = v.to_vec();
    v.sort_unstable();
    v
}

/// One interval's queues as the staffing sees them.
fn interval_queues(demands: &[QueueDemand], t: usize) -> Vec<(Queue, ServiceGoal)> {
    demands
        .iter()
        .map(|d| {
            let policy = &d.loaded.settings.service;
            let calls = if d.series.open[t] {
                d.series.calls[t]
            } else {
                crate::units::CallsPerInterval::new(0.0).unwrap_or(d.series.calls[t])
            };
            (queue_of(&d.series, t, calls, policy), policy.goal)
        })
        .collect()
}

/// What the staffing must meet beyond the pooling bounds, per queue and
/// slot: the queue's own requirement, and agents whose primary it is (0:
/// none asked for); both raised where the simulation shows a miss.
struct Floors {
    own: Vec<Vec<u32>>,
    primary: Vec<Vec<u32>>,
}

/// The merged needs of `families` over the week.
pub fn merged_needs(demands: &[QueueDemand], families: &[Vec<usize>]) -> MergedNeeds {
    MergedNeeds::of(|t| interval_queues(demands, t), demands[0].series.len(), families)
}

/// Agents on the phones per group and interval, `[group][slot]`.
fn staffing(
    demands: &[QueueDemand],
    skills: &Skills,
    floors: &Floors,
    caps: &[Vec<u32>],
    needs: &MergedNeeds,
) -> Vec<Vec<u32>> {
    let fams = families(demands.len(), &skills.sets);
    let slots = demands[0].series.len();
    let per_slot: Vec<Vec<u32>> = (0..slots)
        .into_par_iter()
        .map(|t| {
            let own_t: Vec<u32> = floors.own.iter().map(|o| o[t]).collect();
            let mut bounds = pooling_bounds(needs, t, &own_t, &fams);
            bounds.extend((0..demands.len()).filter(|&q| floors.primary[q][t] > 0).map(|q| PoolingBound {
                queues: vec![q],
                agents: floors.primary[q][t],
                primary_only: true,
            }));
            let pools = Pools {
                groups: &skills.groups,
                headcount: &skills.group_headcount,
                pool_of: &skills.class_of_group,
                caps: &caps[t],
            };
            staff_interval(&bounds, &pools)
        })
        .collect();
    (0..skills.groups.len()).map(|g| per_slot.iter().map(|n| n[g]).collect()).collect()
}

/// The centre to simulate with `on_phones[group][slot]`.
fn centre_input(demands: &[QueueDemand], skills: &Skills, on_phones: Vec<Vec<u32>>, routing: Routing) -> CentreInput {
    let settings = &demands[0].loaded.settings;
    let queues = demands
        .iter()
        .map(|d| {
            let policy = &d.loaded.settings.service;
            let q = |t: usize| queue_of(&d.series, t, d.series.calls[t], policy);
            QueueLoad {
                calls: (0..d.series.len())
                    .map(|t| if d.series.open[t] { d.series.calls[t].get() } else { 0.0 })
                    .collect(),
                handle: (0..d.series.len()).map(|t| q(t).aht).collect(),
                patience: (0..d.series.len()).map(|t| q(t).patience).collect(),
                answer_time: policy.goal.answer_time,
            }
        })
        .collect();
    CentreInput {
        interval_seconds: demands[0].series.interval.to_seconds().get(),
        queues,
        groups: skills.groups.clone(),
        on_phones,
        routing,
        handle_times: settings.simulation.handle_times,
    }
}

/// Per queue, the open intervals of days whose simulated service level
/// misses the queue's target, with the agents to add there: where the
/// queue's interval is below the target, its shortfall times the queue's
/// own requirement (at least one); the day's worst interval where none is.
fn misses(demands: &[QueueDemand], report: &CentreReport, days: &[Vec<usize>]) -> Vec<Vec<(usize, u32)>> {
    demands
        .iter()
        .enumerate()
        .map(|(q, d)| {
            let target = d.loaded.settings.service.goal.target_sl.get();
            let sl = |t: usize| report.intervals[q][t].service_level.map_or(1.0, |e| e.mean);
            let step =
                |t: usize| (((target - sl(t)) * d.requirements[t].requirement.agents as f64).ceil() as u32).max(1);
            let mut raise = Vec::new();
            for (k, slots) in days.iter().enumerate() {
                if report.days[q][k].service_level.is_none_or(|e| e.mean >= target) {
                    continue;
                }
                let open: Vec<usize> = slots.iter().copied().filter(|&t| d.series.open[t]).collect();
                let below: Vec<(usize, u32)> =
                    open.iter().filter(|&&t| sl(t) < target).map(|&t| (t, step(t))).collect();
                if below.is_empty() {
                    raise.extend(
                        open.iter().copied().min_by(|&a, &b| sl(a).total_cmp(&sl(b)).then(a.cmp(&b))).map(|t| (t, 1)),
                    );
                } else {
                    raise.extend(below);
                }
            }
            raise
        })
        .collect()
}

/// The staffing found: agents per group and slot, and how it was found.
#[derive(Debug, Clone)]
pub struct SkillStaffing {
    pub per_group: Vec<Vec<u32>>,
    /// Simulation rounds run (0: not simulated, `simulation.replications = 0`).
    pub rounds: usize,
    /// Whether every queue's every open day met its target in the last round.
    pub met: bool,
}

/// Per slot, the most of each shift class on the phones: no more than three
/// in four of its agents on shift at once (less shrinkage), and the class's
/// week (its agents' most weekly hours, less shrinkage and paid breaks)
/// shared over the slots as the queues' own requirements are. Without the
/// week's share, agents who take several queues, the most useful in every
/// interval, would be asked for more hours than they work.
fn caps(skills: &Skills, own: &[Vec<u32>], shrinkage: f64, interval_hours: f64) -> Vec<Vec<u32>> {
    let on_phones = (1.0 - shrinkage) * ON_PHONES_OF_PAID;
    let at_once: Vec<u32> =
        skills.class_headcount.iter().map(|&h| ((h as f64 * 0.75 * (1.0 - shrinkage)).floor() as u32).max(1)).collect();
    let week: Vec<f64> = skills.class_week_hours.iter().map(|&h| h * on_phones / interval_hours).collect();
    let slots = own.first().map_or(0, Vec::len);
    let load: Vec<f64> = (0..slots).map(|t| own.iter().map(|o| o[t] as f64).sum()).collect();
    let total: f64 = load.iter().sum::<f64>().max(1.0);
    (0..slots)
        .map(|t| at_once.iter().zip(&week).map(|(&a, &w)| a.min((w * load[t] / total).ceil() as u32)).collect())
        .collect()
}

/// The staffing's start: each queue's own requirement, no agents asked for
/// by primary queue; and each class's caps.
fn floors_and_caps(demands: &[QueueDemand], skills: &Skills) -> (Floors, Vec<Vec<u32>>) {
    let settings = &demands[0].loaded.settings;
    let own: Vec<Vec<u32>> = demands
        .iter()
        .map(|d| d.requirements.iter().map(|r| if r.open { r.requirement.agents } else { 0 }).collect())
        .collect();
    let caps = caps(skills, &own, settings.service.shrinkage.get(), demands[0].series.interval.get() / 60.0);
    let slots = demands[0].series.len();
    (Floors { own, primary: vec![vec![0; slots]; demands.len()] }, caps)
}

/// Agent-hours to roster for `skills` by the pooling bounds alone (no
/// simulation): what the cross-training what-if compares. `needs` holds
/// the merged needs of the skills' families.
pub fn hours_needed_by_pooling(demands: &[QueueDemand], skills: &Skills, needs: &MergedNeeds) -> f64 {
    let (floors, caps) = floors_and_caps(demands, skills);
    rostered_hours(demands, &staffing(demands, skills, &floors, &caps, needs))
}

/// Agent-hours to roster for agents on the phones per group and slot: the
/// centre's total rounded once per interval, as one queue's is (the sets'
/// lines, each rounded on its own, may add up to a little more).
fn rostered_hours(demands: &[QueueDemand], per_group: &[Vec<u32>]) -> f64 {
    let d0 = &demands[0];
    let hours = d0.series.interval.get() / 60.0;
    let shrinkage = d0.loaded.settings.service.shrinkage;
    (0..d0.series.len()).map(|t| with_shrinkage(per_group.iter().map(|n| n[t]).sum(), shrinkage) as f64 * hours).sum()
}

/// Agents per group and slot: the pooling bounds, then rounds of simulation
/// (common random numbers: the same seed each round) asking, in the
/// intervals of each day a queue misses, for more agents who answer it
/// first (its own bound where no group has it as primary).
pub fn staff_by_skills(demands: &[QueueDemand], skills: &Skills, routing: Routing) -> SkillStaffing {
    let settings = &demands[0].loaded.settings;
    let (mut floors, caps) = floors_and_caps(demands, skills);
    let needs = merged_needs(demands, &families(demands.len(), &skills.sets));
    let mut per_group = staffing(demands, skills, &floors, &caps, &needs);
    let Some(run) = settings.simulation.run else {
        return SkillStaffing { per_group, rounds: 0, met: false };
    };
    let sim = SimSettings { replications: run.replications.min(ROUND_REPLICATIONS), seed: run.seed };
    let days = days_of(&demands[0].series.starts);
    for round in 1..=MAX_ROUNDS {
        let input = centre_input(demands, skills, per_group.clone(), routing);
        let raise = misses(demands, &simulate_centre(&input, &sim, &days), &days);
        if raise.iter().all(Vec::is_empty) || round == MAX_ROUNDS {
            return SkillStaffing { per_group, rounds: round, met: raise.iter().all(Vec::is_empty) };
        }
        for (q, slots) in raise.iter().enumerate() {
            let primary: Vec<usize> = (0..skills.groups.len()).filter(|&g| skills.groups[g].primary() == q).collect();
            for &(t, more) in slots {
                if primary.is_empty() {
                    let takers: u32 =
                        (0..skills.groups.len()).filter(|&g| skills.groups[g].takes(q)).map(|g| per_group[g][t]).sum();
                    floors.own[q][t] = floors.own[q][t].max(takers + more);
                } else {
                    let first: u32 = primary.iter().map(|&g| per_group[g][t]).sum();
                    floors.primary[q][t] = floors.primary[q][t].max(first + more);
                }
            }
        }
        per_group = staffing(demands, skills, &floors, &caps, &needs);
    }
    SkillStaffing { per_group, rounds: MAX_ROUNDS, met: false }
}

/// Each shift class's shifts for its agents on the phones (after shrinkage).
fn schedule_classes(demands: &[QueueDemand], per_class: &[Vec<u32>]) -> Result<Vec<Scheduled>, Error> {
    let d = &demands[0];
    let settings = &d.loaded.settings;
    per_class
        .par_iter()
        .map(|n| {
            let grid = RequirementGrid {
                first_day: d.loaded.week,
                per_day: settings.calendar.interval.per_day(),
                required: n.iter().map(|&k| with_shrinkage(k, settings.service.shrinkage) as f64).collect(),
            };
            Ok(schedule(&settings.scheduling, &settings.calendar, grid, settings.scheduling.objective)?)
        })
        .collect()
}

/// What the skills model adds to a centre's plan.
#[derive(Debug, Clone)]
pub struct SkillsOutcome {
    pub routing: Routing,
    pub skills: Skills,
    pub staffing: SkillStaffing,
    /// Agent-hours the staffing needs on the phones, and to roster (after
    /// shrinkage, per set and interval).
    pub agent_hours_needed_on_phones: f64,
    pub agent_hours_needed_rostered: f64,
    /// Per set, the agent-hours it needs rostered.
    pub set_hours_needed_rostered: Vec<f64>,
    /// The roster simulated (`None` with `simulation.replications = 0`).
    pub simulation: Option<CentreReport>,
    /// `--cross-train N`: every pair of queues with N more agents on both.
    pub cross_training: Option<CrossTraining>,
}

/// The centre's roster over every set's shifts, each queue's part, and
/// what the skills model found.
pub struct SkillsCentre {
    pub queues: Vec<WeeklyPlan>,
    pub roster: Roster,
    pub options: Vec<ShiftOption>,
    pub outcome: SkillsOutcome,
}

/// The weekly build of a centre whose agents take several queues; with
/// `cross_train`, the what-if of that many more agents on two queues.
pub fn build(
    loaded: Vec<Loaded>,
    agents: Vec<Agent>,
    routing: Routing,
    cross_train: Option<u32>,
    threshold: ImpactThreshold,
    progress: &dyn Fn(&str),
) -> Result<SkillsCentre, Error> {
    progress("forecasting and staffing each queue");
    let demands = demands(loaded)?;
    let order = Canonical::of(&demands);
    let (demands, positioned) = (order.apply(demands), order.agents(&agents));
    let what_if = cross_train.map(|n| {
        progress("cross-training what-if: every pair of queues");
        cross_training(&demands, &positioned, n)
    });
    let mut centre = build_in_order(demands, &positioned, agents, routing, threshold, progress)?;
    centre.outcome.cross_training = what_if;
    order.restore(&mut centre);
    Ok(centre)
}

/// The queues in an order their names do not decide (most calls forecast
/// first), so that renaming queues changes no model: the staffing's ties,
/// the routing groups and the simulation's random draws follow this order.
struct Canonical {
    /// Position → the queue's index in the plan.
    order: Vec<usize>,
    /// The queue's index in the plan → position.
    position: Vec<usize>,
}

impl Canonical {
    fn of(demands: &[QueueDemand]) -> Canonical {
        let calls = |d: &QueueDemand| d.series.calls.iter().map(|c| c.get()).sum::<f64>();
        let past = |d: &QueueDemand| d.loaded.history.offered.iter().filter(|v| v.is_finite()).sum::<f64>();
        let mut order: Vec<usize> = (0..demands.len()).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (&demands[a], &demands[b]);
            calls(y).total_cmp(&calls(x)).then(past(y).total_cmp(&past(x))).then(a.cmp(&b))
        });
        let mut position = vec![0; order.len()];
        for (k, &q) in order.iter().enumerate() {
            position[q] = k;
        }
        Canonical { order, position }
    }

    fn apply(&self, demands: Vec<QueueDemand>) -> Vec<QueueDemand> {
        let mut slots: Vec<Option<QueueDemand>> = demands.into_iter().map(Some).collect();
        self.order.iter().filter_map(|&q| slots[q].take()).collect()
    }

    /// The agents with their queues as positions.
    fn agents(&self, agents: &[Agent]) -> Vec<Agent> {
        let at = |q: usize| self.position.get(q).copied().unwrap_or(q);
        (agents.iter())
            .map(|a| Agent {
                queues: a.queues.as_ref().map(|l| l.iter().map(|&q| at(q)).collect()),
                primary: a.primary.map(at),
                handle_time_factors: a.handle_time_factors.iter().map(|&(q, f)| (at(q), f)).collect(),
                ..a.clone()
            })
            .collect()
    }

    /// Queues, skill sets, groups and the simulation back in the plan's
    /// queue order and indices.
    fn restore(&self, c: &mut SkillsCentre) {
        let mut slots: Vec<Option<WeeklyPlan>> = std::mem::take(&mut c.queues).into_iter().map(Some).collect();
        c.queues = self.position.iter().filter_map(|&k| slots[k].take()).collect();
        let k = &mut c.outcome.skills;
        for set in &mut k.sets {
            set.iter_mut().for_each(|q| *q = self.order[*q]);
        }
        for g in &mut k.groups {
            g.queues.iter_mut().for_each(|q| *q = self.order[*q]);
        }
        for c in &mut k.classes {
            c.primary = self.order[c.primary];
        }
        if let Some(w) = &mut c.outcome.cross_training {
            for p in &mut w.pairs {
                p.queues = p.queues.map(|q| self.order[q]);
                p.queues.sort_unstable();
            }
        }
        if let Some(r) = &mut c.outcome.simulation {
            r.intervals = self.position.iter().map(|&k| r.intervals[k].clone()).collect();
            r.days = self.position.iter().map(|&k| r.days[k].clone()).collect();
            r.whole = self.position.iter().map(|&k| r.whole[k]).collect();
        }
    }
}

/// [`build`] with the queues in canonical order; `agents` name queues by
/// position, `listed` are the agents as the plan has them.
fn build_in_order(
    demands: Vec<QueueDemand>,
    agents: &[Agent],
    listed: Vec<Agent>,
    routing: Routing,
    threshold: ImpactThreshold,
    progress: &dyn Fn(&str),
) -> Result<SkillsCentre, Error> {
    let skills = Skills::of(agents, demands.len());
    progress("staffing skill sets (simulation)");
    let staffing = staff_by_skills(&demands, &skills, routing);
    progress("scheduling shifts per primary queue and kind of agent (HiGHS)");
    let classes = schedule_classes(&demands, &skills.per_class(&staffing.per_group))?;
    let mut options = Vec::new();
    let mut counts = Vec::new();
    for (c, sc) in classes.iter().enumerate() {
        options.extend(sc.options.iter().map(|o| ShiftOption { queue: c, ..o.clone() }));
        counts.extend(&sc.plan.counts);
    }
    progress("rostering named agents by primary queue and skills");
    let by_class: Vec<Agent> = (agents.iter().zip(&skills.group_of))
        .map(|(a, &g)| {
            let c = skills.class_of_group[g];
            Agent { queues: Some(vec![c]), primary: Some(c), ..a.clone() }
        })
        .collect();
    let d0 = &demands[0];
    let per_day = d0.loaded.settings.calendar.interval.per_day();
    let roster = build_roster(&options, &counts, &d0.loaded.days, per_day, &by_class, &d0.loaded.settings.scheduling)?;
    progress("simulating the centre");
    let simulation = simulate_roster(&demands, &skills, &options, &roster, routing);
    if std::env::var_os("RINGCAST_TIMINGS").is_some() {
        let agent_intervals: u32 = staffing.per_group.iter().flatten().sum();
        eprintln!(
            "skills: {} groups, {} shift classes, {agent_intervals} agent-intervals on the phones, {} round(s), met: {}",
            skills.groups.len(),
            skills.classes.len(),
            staffing.rounds,
            staffing.met
        );
    }
    let solved = solved_together(&classes.iter().map(|s| &s.plan).collect::<Vec<_>>());
    let hours = d0.series.interval.get() / 60.0;
    let shrinkage = d0.loaded.settings.service.shrinkage;
    let set_hours_needed_rostered: Vec<f64> = (skills.per_set(&staffing.per_group).iter())
        .map(|n| n.iter().map(|&k| with_shrinkage(k, shrinkage) as f64 * hours).sum())
        .collect();
    let agent_hours_needed_rostered = rostered_hours(&demands, &staffing.per_group);
    let agent_hours_needed_on_phones = staffing.per_group.iter().flatten().map(|&k| k as f64 * hours).sum();
    let parts: Vec<(QueueShifts, Roster, Option<SimReport>)> = demands
        .into_iter()
        .enumerate()
        .map(|(q, d)| {
            let (scheduled, part) = queue_part(q, &d, &options, &roster, &solved, &skills, agents);
            let sim = simulation.as_ref().map(|r| queue_report(r, q));
            let QueueDemand { loaded, fitted, forecast, series, requirements } = d;
            (QueueShifts { loaded, fitted, forecast, series, requirements, scheduled }, part, sim)
        })
        .collect();
    progress("coverage and impact per queue");
    let queues = parts
        .into_par_iter()
        .map(|(w, r, sim)| finish_week_with(w, r, listed.clone(), threshold, sim, &|_| {}))
        .collect::<Result<_, _>>()?;
    let outcome = SkillsOutcome {
        routing,
        skills,
        staffing,
        agent_hours_needed_on_phones,
        agent_hours_needed_rostered,
        set_hours_needed_rostered,
        simulation,
        cross_training: None,
    };
    Ok(SkillsCentre { queues, roster, options, outcome })
}

/// The roster's agents on the phones per group, simulated.
fn simulate_roster(
    demands: &[QueueDemand],
    skills: &Skills,
    options: &[ShiftOption],
    roster: &Roster,
    routing: Routing,
) -> Option<CentreReport> {
    let settings = &demands[0].loaded.settings;
    let run = settings.simulation.run?;
    let on_phones = roster_on_phones(skills, options, roster, demands[0].series.len(), &settings.service);
    let input = centre_input(demands, skills, on_phones, routing);
    Some(simulate_centre(&input, &run, &days_of(&demands[0].series.starts)))
}

/// Per group and slot, the roster's agents on the phones. Shrinkage takes
/// its share of each shift class's rostered agents (whose shifts are
/// planned together), and what is left is shared among the class's groups
/// as they are rostered: taken group by group, a group of two agents would
/// lose one to a 30% shrinkage.
fn roster_on_phones(
    skills: &Skills,
    options: &[ShiftOption],
    roster: &Roster,
    slots: usize,
    policy: &crate::staff::ServicePolicy,
) -> Vec<Vec<u32>> {
    let rostered: Vec<Vec<u32>> = (0..skills.groups.len())
        .map(|g| {
            let mine = roster.assignments.iter().filter(|a| skills.group_of[a.agent] == g).map(|a| (a.option, 1u32));
            on_phones_per_slot(options, mine, slots)
        })
        .collect();
    let per_class = skills.per_class(&rostered);
    let mut out = vec![vec![0u32; slots]; skills.groups.len()];
    for (c, class_rostered) in per_class.iter().enumerate() {
        let members: Vec<usize> = (0..skills.groups.len()).filter(|&g| skills.class_of_group[g] == c).collect();
        for (t, &total) in class_rostered.iter().enumerate() {
            let weights: Vec<u32> = members.iter().map(|&g| rostered[g][t]).collect();
            for (&g, n) in members.iter().zip(shared(policy.on_phones(total), &weights)) {
                out[g][t] = n;
            }
        }
    }
    out
}

/// Queue `q`'s part of the centre: the shifts of agents whose primary it
/// is (and the unfilled shifts of their groups), as the queue's own shift
/// plan and roster, options renumbered to those it uses.
#[allow(clippy::too_many_arguments)]
fn queue_part(
    q: usize,
    d: &QueueDemand,
    options: &[ShiftOption],
    all: &Roster,
    solved: &crate::schedule::model::ShiftPlan,
    skills: &Skills,
    agents: &[Agent],
) -> (Scheduled, Roster) {
    let primary_here = |agent: usize| skills.groups[skills.group_of[agent]].primary() == q;
    let mine: Vec<&Assignment> = all.assignments.iter().filter(|a| primary_here(a.agent)).collect();
    let unfilled: Vec<(usize, u32)> =
        all.unfilled.iter().copied().filter(|(o, _)| skills.classes[options[*o].queue].primary == q).collect();
    let mut used: Vec<usize> = mine.iter().map(|a| a.option).chain(unfilled.iter().map(|(o, _)| *o)).collect();
    used.sort_unstable();
    used.dedup();
    let local = |o: usize| used.binary_search(&o).unwrap_or(0);
    let local_options: Vec<ShiftOption> =
        used.iter().map(|&o| ShiftOption { queue: q, ..options[o].clone() }).collect();
    let mut counts = vec![0u32; used.len()];
    for a in &mine {
        counts[local(a.option)] += 1;
    }
    for (o, n) in &unfilled {
        counts[local(*o)] += n;
    }
    let assignments: Vec<Assignment> =
        mine.iter().map(|a| Assignment { agent: a.agent, option: local(a.option) }).collect();
    let mut hours = vec![0.0; all.hours.len()];
    for a in &assignments {
        hours[a.agent] += local_options[a.option].paid_hours;
    }
    let settings = &d.loaded.settings;
    let req = RequirementGrid {
        first_day: d.loaded.week,
        per_day: settings.calendar.interval.per_day(),
        required: d.requirements.iter().map(|r| r.with_shrinkage as f64).collect(),
    };
    let plan = plan_of_counts(solved, &local_options, counts, &req.required);
    let takes_q = |i: usize| agents[i].queues.as_ref().is_none_or(|l| l.contains(&q));
    let roster = Roster {
        assignments,
        unfilled: unfilled.iter().map(|(o, n)| (local(*o), *n)).collect(),
        hours,
        below_minimum: all.below_minimum.iter().copied().filter(|(i, _)| takes_q(*i)).collect(),
        ..all.clone()
    };
    (Scheduled { req, options: local_options, plan }, roster)
}

/// Queue `q`'s part of the centre's simulation, as a queue's report.
fn queue_report(r: &CentreReport, q: usize) -> SimReport {
    let outcome = |o: &crate::simulate::skills::QueueOutcome| Outcome {
        service_level: o.service_level,
        asa_seconds: o.asa_seconds,
        abandon_rate: o.abandon_rate,
        occupancy: None,
        busy_share: None,
        busy_signals: None,
        lost_to_busy: None,
        abandoned_calls: None,
    };
    SimReport {
        replications: r.replications,
        seed: r.seed,
        intervals: r.intervals[q].iter().map(outcome).collect(),
        days: r.days[q].iter().map(outcome).collect(),
        worst_minutes: Vec::new(),
        whole: None,
    }
}
