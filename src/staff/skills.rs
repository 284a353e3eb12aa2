//! Agents needed per skill group when agents take several queues.
//!
//! A skill set is the queues an agent takes; a skill group, a set with the
//! agents' primary queue. For each interval the agents on the phones per
//! skill group are the fewest that satisfy the pooling bounds: for every family `Q` of queues, the
//! agents who take at least one queue of `Q` must be at least what the
//! queues of `Q` need merged into one queue (Erlang, the strictest goal of
//! them). For one queue that is its own requirement; for every queue of a
//! connected centre it is the merged requirement, what full cross-training
//! would need. The families checked are each queue, each skill set, each
//! pair of overlapping skill sets and each connected group of queues: with
//! two queues that is every family.
//!
//! The bounds are necessary, not always enough (a chain of skills may route
//! worse than the bound assumes), so the pipeline (`pipeline::skills`) checks the
//! staffing by simulation and, where a queue's service misses, asks for one
//! more agent whose primary it is (a bound with `primary_only`) — agents of
//! another primary answer their own queue first, so adding them may not
//! help — the simulation-based search of Cezik & L'Ecuyer (2008), with
//! the pooled Erlang requirement as its start.

use super::{required_agents, Queue, ServiceGoal};
use crate::units::{CallsPerInterval, Seconds};
use good_lp::solvers::highs::highs;
use good_lp::{constraint, variable, Expression, ProblemVariables, Solution, SolverModel, Variable};
use serde::Serialize;
use std::collections::BTreeSet;

/// Agents who take the same queues with the same primary.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct SkillGroup {
    /// Queue indices, the primary first, the others in ascending order.
    pub queues: Vec<usize>,
}

impl SkillGroup {
    /// A group from a primary and every queue taken (the primary among them
    /// or not).
    pub fn new(primary: usize, queues: &[usize]) -> SkillGroup {
        let mut others: Vec<usize> = queues.iter().copied().filter(|&q| q != primary).collect();
        others.sort_unstable();
        others.dedup();
        let mut all = vec![primary];
        all.extend(others);
        SkillGroup { queues: all }
    }

    pub fn primary(&self) -> usize {
        self.queues[0]
    }

    pub fn takes(&self, q: usize) -> bool {
        self.queues.contains(&q)
    }
}

/// Agents who take (or, `primary_only`, whose primary is) one of `queues`
/// must be at least `agents` together.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolingBound {
    pub queues: Vec<usize>,
    pub agents: u32,
    pub primary_only: bool,
}

impl PoolingBound {
    /// Whether agents of `group` count towards the bound.
    fn counts(&self, group: &SkillGroup) -> bool {
        if self.primary_only {
            self.queues.contains(&group.primary())
        } else {
            group.queues.iter().any(|q| self.queues.contains(q))
        }
    }
}

/// The queue families whose pooling bounds are checked: each queue, each
/// skill set, the union of each two overlapping sets, and each connected
/// group of queues (queues linked through the sets). Sorted, no repeats.
pub fn families(queues: usize, sets: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut all: BTreeSet<Vec<usize>> = (0..queues).map(|q| vec![q]).collect();
    all.extend(sets.iter().cloned());
    for (i, a) in sets.iter().enumerate() {
        for b in &sets[i + 1..] {
            if a.iter().any(|q| b.contains(q)) {
                all.insert(union(a, b));
            }
        }
    }
    all.extend(connected(queues, sets));
    all.into_iter().collect()
}

fn union(a: &[usize], b: &[usize]) -> Vec<usize> {
    let s: BTreeSet<usize> = a.iter().chain(b).copied().collect();
    s.into_iter().collect()
}

/// The queues linked through skill sets, group by group.
fn connected(queues: usize, sets: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut root: Vec<usize> = (0..queues).collect();
    fn find(root: &mut [usize], q: usize) -> usize {
        let mut r = q;
        while root[r] != r {
            r = root[r];
        }
        root[q] = r;
        r
    }
    for s in sets {
        for w in s.windows(2) {
            let (a, b) = (find(&mut root, w[0]), find(&mut root, w[1]));
            root[a.max(b)] = a.min(b);
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for q in 0..queues {
        let r = find(&mut root, q);
        groups.entry(r).or_default().push(q);
    }
    groups.into_values().filter(|g| g.len() > 1).collect()
}

/// The queues of `family` merged into one for one interval: their calls
/// summed, handle time and abandonment rate call-weighted, under the
/// strictest goal among them (highest target, shortest answer time).
/// `None` when no calls arrive.
pub fn merged_queue(queues: &[(Queue, ServiceGoal)], family: &[usize]) -> Option<(Queue, ServiceGoal)> {
    let members: Vec<&(Queue, ServiceGoal)> = family.iter().map(|&q| &queues[q]).collect();
    let calls: f64 = members.iter().map(|(q, _)| q.calls.get()).sum();
    if calls <= 0.0 {
        return None;
    }
    let weighted = |f: &dyn Fn(&Queue) -> f64| members.iter().map(|(q, _)| q.calls.get() * f(q)).sum::<f64>() / calls;
    let aht = weighted(&|q| q.aht.get());
    let theta = weighted(&|q| q.patience.map_or(0.0, |p| 1.0 / p.get()));
    let strictest = members.iter().map(|(_, g)| *g).max_by(|a, b| {
        a.target_sl.get().total_cmp(&b.target_sl.get()).then(b.answer_time.get().total_cmp(&a.answer_time.get()))
    })?;
    let queue = Queue {
        calls: CallsPerInterval::new(calls).ok()?,
        interval: members[0].0.interval,
        aht: Seconds::new(aht).ok()?,
        patience: (theta > 0.0).then(|| Seconds::new(1.0 / theta).ok()).flatten(),
    };
    Some((queue, strictest))
}

/// The pooling bounds of one interval: `own[q]` is queue `q`'s own
/// requirement (its goal's caps and minimum staffing included); each larger
/// family's is its merged queue's, at least the largest own one in it.
pub fn pooling_bounds(queues: &[(Queue, ServiceGoal)], own: &[u32], families: &[Vec<usize>]) -> Vec<PoolingBound> {
    families
        .iter()
        .map(|f| {
            let largest_own = f.iter().map(|&q| own[q]).max().unwrap_or(0);
            let agents = match f.as_slice() {
                [q] => own[*q],
                _ => merged_queue(queues, f).map_or(0, |(q, g)| required_agents(&q, &g).agents).max(largest_own),
            };
            PoolingBound { queues: f.clone(), agents, primary_only: false }
        })
        .filter(|b| b.agents > 0)
        .collect()
}

/// Agents on the phones per skill group for one interval: the fewest
/// meeting every bound, each group at most its `caps`, shared among the
/// groups in proportion to their `headcount` where the bounds leave a
/// choice (so no group is asked for more hours than its agents have).
/// Where the caps cannot meet the bounds they are dropped (the roster then
/// shows the shifts nobody can take).
pub fn staff_interval(bounds: &[PoolingBound], groups: &[SkillGroup], caps: &[u32], headcount: &[u32]) -> Vec<u32> {
    if bounds.is_empty() {
        return vec![0; groups.len()];
    }
    (solve(bounds, groups, Some(caps), headcount).or_else(|| solve(bounds, groups, None, headcount)))
        .unwrap_or_else(|| vec![0; groups.len()])
}

/// `min Σ n_g + ½·z` with `n_g ≤ z·headcount_g`: one agent more always
/// costs more than any imbalance (z ≤ 1 when every agent could be on the
/// phones), and among the fewest the most even share is chosen.
fn solve(bounds: &[PoolingBound], groups: &[SkillGroup], caps: Option<&[u32]>, headcount: &[u32]) -> Option<Vec<u32>> {
    let mut vars = ProblemVariables::new();
    let n: Vec<Variable> = (0..groups.len())
        .map(|g| {
            let v = variable().integer().min(0);
            match caps {
                Some(c) => vars.add(v.max(c[g] as f64)),
                None => vars.add(v),
            }
        })
        .collect();
    let z = vars.add(variable().min(0));
    let total: Expression = n.iter().copied().sum();
    let mut model = vars.minimise(total + 0.5 * z).using(highs);
    model.set_verbose(false);
    for (g, &v) in n.iter().enumerate() {
        model = model.with(constraint!(v <= headcount[g].max(1) as f64 * z));
    }
    for b in bounds {
        let counted: Expression = (0..groups.len()).filter(|&g| b.counts(&groups[g])).map(|g| n[g]).sum();
        model = model.with(constraint!(counted >= b.agents as f64));
    }
    let solution = model.solve().ok()?;
    Some(n.iter().map(|&v| solution.value(v).round().max(0.0) as u32).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::{Fraction, Minutes};

    fn queue(calls: f64) -> (Queue, ServiceGoal) {
        let q = Queue {
            calls: CallsPerInterval::new(calls).unwrap(),
            interval: Minutes::new(30.0).unwrap(),
            aht: Seconds::new(180.0).unwrap(),
            patience: None,
        };
        let g = ServiceGoal::new(
            Fraction::new(0.8).unwrap(),
            Seconds::new(20.0).unwrap(),
            None,
            None,
            None,
            Default::default(),
        )
        .unwrap();
        (q, g)
    }

    fn sorted(v: &[usize]) -> Vec<usize> {
        let mut v = v.to_vec();
        v.sort_unstable();
        v
    }

    fn own(queues: &[(Queue, ServiceGoal)]) -> Vec<u32> {
        queues.iter().map(|(q, g)| required_agents(q, g).agents).collect()
    }

    #[test]
    fn two_queues_need_what_their_skills_pool() {
        let queues = [queue(100.0), queue(60.0)];
        let own = own(&queues);
        let merged = {
            let (q, g) = merged_queue(&queues, &[0, 1]).unwrap();
            required_agents(&q, &g).agents
        };
        assert!(merged < own[0] + own[1], "pooling saves agents: {merged} vs {own:?}");
        let staff = |groups: &[SkillGroup], caps: &[u32]| {
            let sets: Vec<Vec<usize>> = groups.iter().map(|g| sorted(&g.queues)).collect();
            let fams = families(2, &sets);
            staff_interval(&pooling_bounds(&queues, &own, &fams), groups, caps, caps).iter().sum::<u32>()
        };
        let (a, b, ab, ba) = (
            SkillGroup::new(0, &[0]),
            SkillGroup::new(1, &[1]),
            SkillGroup::new(0, &[0, 1]),
            SkillGroup::new(1, &[0, 1]),
        );
        // Apart: each queue its own need.
        assert_eq!(staff(&[a.clone(), b.clone()], &[50, 50]), own[0] + own[1]);
        // Every agent on both: the merged need.
        assert_eq!(staff(&[ab.clone(), ba], &[50, 50]), merged);
        // A few flexible agents: in between, and never below the merged need.
        let some = staff(&[a, b, ab], &[50, 50, 3]);
        assert!(some >= merged && some < own[0] + own[1], "{some}");
    }

    #[test]
    fn families_of_a_chain_reach_every_queue() {
        let sets = vec![vec![0, 1], vec![1, 2], vec![0, 2]];
        let f = families(3, &sets);
        assert!(f.contains(&vec![0]) && f.contains(&vec![0, 1]) && f.contains(&vec![0, 1, 2]));
        assert!(families(3, &[vec![0], vec![1, 2]]).iter().all(|f| !f.contains(&0) || f.len() == 1));
    }
}
