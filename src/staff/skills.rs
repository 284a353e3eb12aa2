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
    /// Per queue of `queues`, the agents' handle-time factor in thousandths
    /// (1000: the queue's mean handle time); empty: 1 on every queue.
    pub factors: Vec<u32>,
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
        SkillGroup { queues: all, factors: Vec::new() }
    }

    /// The group with its agents' handle-time factors (queue, factor); a
    /// queue not listed is 1, and a group whose factors are all 1 has none.
    pub fn with_factors(mut self, factors: &[(usize, f64)]) -> SkillGroup {
        let of = |q: usize| factors.iter().find(|f| f.0 == q).map_or(1000, |f| (f.1 * 1000.0).round() as u32);
        let listed: Vec<u32> = self.queues.iter().map(|&q| of(q)).collect();
        self.factors = if listed.iter().all(|&f| f == 1000) { Vec::new() } else { listed };
        self
    }

    /// How long the group's agents take on queue `q` against its mean.
    pub fn handle_factor(&self, q: usize) -> f64 {
        let at = self.queues.iter().position(|&x| x == q);
        at.and_then(|i| self.factors.get(i)).map_or(1.0, |&f| f as f64 / 1000.0)
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

/// What each family of two or more queues needs merged into one queue, per
/// interval: worked out once (the intervals in parallel) and looked up by
/// every round of the staffing and every pair of the cross-training
/// what-if, whose skill sets differ but whose families mostly repeat.
#[derive(Debug, Clone)]
pub struct MergedNeeds {
    /// Families of two or more queues, sorted.
    families: Vec<Vec<usize>>,
    /// `[slot][family]`: agents the merged queue needs (0: no calls).
    per_slot: Vec<Vec<u32>>,
}

impl MergedNeeds {
    /// The merged needs of `families` (those of one queue are skipped) over
    /// `slots` intervals, `queues_at(t)` giving each queue of interval `t`.
    pub fn of<F>(queues_at: F, slots: usize, families: &[Vec<usize>]) -> MergedNeeds
    where
        F: Fn(usize) -> Vec<(Queue, ServiceGoal)> + Sync,
    {
        use rayon::prelude::*;
        let families: Vec<Vec<usize>> =
            families.iter().filter(|f| f.len() > 1).cloned().collect::<BTreeSet<_>>().into_iter().collect();
        let per_slot = (0..slots)
            .into_par_iter()
            .map(|t| {
                let queues = queues_at(t);
                (families.iter())
                    .map(|f| merged_queue(&queues, f).map_or(0, |(q, g)| required_agents(&q, &g).agents))
                    .collect()
            })
            .collect();
        MergedNeeds { families, per_slot }
    }

    /// The merged need of `family` at `t` (`None`: not worked out).
    fn get(&self, t: usize, family: &[usize]) -> Option<u32> {
        let f = self.families.binary_search_by(|x| x.as_slice().cmp(family)).ok()?;
        Some(self.per_slot[t][f])
    }
}

/// The pooling bounds of interval `t`: `own[q]` is queue `q`'s own
/// requirement (its goal's caps and minimum staffing included); each larger
/// family's is its merged queue's, at least the largest own one in it and
/// at most their sum: staffing each queue on its own meets every goal, and
/// a merged queue may need more only because it abandons fewer callers
/// (under an occupancy cap its answered work is larger). A family whose
/// merged need was not worked out is bounded by that sum.
pub fn pooling_bounds(needs: &MergedNeeds, t: usize, own: &[u32], families: &[Vec<usize>]) -> Vec<PoolingBound> {
    families
        .iter()
        .map(|f| {
            let largest_own = f.iter().map(|&q| own[q]).max().unwrap_or(0);
            let own_sum: u32 = f.iter().map(|&q| own[q]).sum();
            let agents = match f.as_slice() {
                [q] => own[*q],
                _ => needs.get(t, f).unwrap_or(own_sum).min(own_sum).max(largest_own),
            };
            PoolingBound { queues: f.clone(), agents, primary_only: false }
        })
        .filter(|b| b.agents > 0)
        .collect()
}

/// Who is staffed together: the skill groups, their agents, and the pool
/// (shift class) each belongs to. Agents of one pool work the same shifts,
/// so the roster puts its groups on the phones in proportion to their
/// agents; the staffing decides per pool and splits the same way.
#[derive(Debug, Clone, Copy)]
pub struct Pools<'a> {
    pub groups: &'a [SkillGroup],
    /// Agents per group.
    pub headcount: &'a [u32],
    /// Per group, its pool (`0..pools`).
    pub pool_of: &'a [usize],
    /// Per pool, the most of its agents on the phones at once.
    pub caps: &'a [u32],
}

impl Pools<'_> {
    fn len(&self) -> usize {
        self.caps.len()
    }

    /// Agents per pool.
    fn pool_headcount(&self) -> Vec<f64> {
        let mut h = vec![0.0; self.len()];
        for (g, &p) in self.pool_of.iter().enumerate() {
            h[p] += self.headcount[g] as f64;
        }
        h
    }

    /// Share of pool `p`'s agents that `bound` counts, per pool.
    fn shares(&self, bound: &PoolingBound, pool_headcount: &[f64]) -> Vec<f64> {
        let mut a = vec![0.0; self.len()];
        for (g, group) in self.groups.iter().enumerate() {
            if bound.counts(group) {
                a[self.pool_of[g]] += self.headcount[g] as f64;
            }
        }
        a.iter().zip(pool_headcount).map(|(n, h)| if *h > 0.0 { n / h } else { 0.0 }).collect()
    }
}

/// Agents on the phones per skill group for one interval: the fewest per
/// pool meeting every bound (a linear programme over the pools, each at
/// most its cap, the pools' loads as even as the bounds allow), rounded,
/// split among each pool's groups in proportion to their agents, then
/// topped up group by group until every bound holds in whole agents.
/// Where the caps cannot meet the bounds they are dropped (the roster then
/// shows the shifts nobody can take).
pub fn staff_interval(bounds: &[PoolingBound], pools: &Pools) -> Vec<u32> {
    let mut n = vec![0u32; pools.groups.len()];
    if bounds.is_empty() {
        return n;
    }
    let headcount = pools.pool_headcount();
    let shares: Vec<Vec<f64>> = bounds.iter().map(|b| pools.shares(b, &headcount)).collect();
    let per_pool = solve(bounds, &shares, Some(pools.caps), &headcount)
        .or_else(|| solve(bounds, &shares, None, &headcount))
        .unwrap_or_else(|| vec![0.0; pools.len()]);
    split(&per_pool, pools, &mut n);
    for b in bounds {
        top_up(b, pools, &mut n);
    }
    n
}

/// `min Σ x_p + ½·z` with `x_p ≤ z·headcount_p`: one agent more always
/// costs more than any imbalance (z ≤ 1 when every agent could be on the
/// phones), and among the fewest the most even share is chosen.
fn solve(bounds: &[PoolingBound], shares: &[Vec<f64>], caps: Option<&[u32]>, headcount: &[f64]) -> Option<Vec<f64>> {
    let mut vars = ProblemVariables::new();
    let x: Vec<Variable> = (0..headcount.len())
        .map(|p| {
            let v = variable().min(0);
            match caps {
                Some(c) => vars.add(v.max(c[p] as f64)),
                None => vars.add(v),
            }
        })
        .collect();
    let z = vars.add(variable().min(0));
    let total: Expression = x.iter().copied().sum();
    let mut model = vars.minimise(total + 0.5 * z).using(highs);
    model.set_verbose(false);
    for (p, &v) in x.iter().enumerate() {
        model = model.with(constraint!(v <= headcount[p].max(1.0) * z));
    }
    for (b, a) in bounds.iter().zip(shares) {
        let counted: Expression = x.iter().zip(a).filter(|(_, &s)| s > 0.0).map(|(&v, &s)| s * v).sum();
        model = model.with(constraint!(counted >= b.agents as f64));
    }
    let solution = model.solve().ok()?;
    Some(x.iter().map(|&v| solution.value(v).max(0.0)).collect())
}

/// Each pool's agents, rounded to the nearest whole agent, shared among its
/// groups by their agents.
fn split(per_pool: &[f64], pools: &Pools, n: &mut [u32]) {
    for (p, &x) in per_pool.iter().enumerate() {
        let whole = (x - 1e-6).round().max(0.0) as u32;
        let members: Vec<usize> = (0..pools.groups.len()).filter(|&g| pools.pool_of[g] == p).collect();
        let weights: Vec<u32> = members.iter().map(|&g| pools.headcount[g]).collect();
        for (&g, k) in members.iter().zip(shared(whole, &weights)) {
            n[g] = k;
        }
    }
}

/// `whole` shared in proportion to `weights` (largest remainders first,
/// then order); nothing where every weight is 0.
pub fn shared(whole: u32, weights: &[u32]) -> Vec<u32> {
    let sum: u32 = weights.iter().sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|&w| whole as f64 * w as f64 / sum as f64).collect();
    let mut out: Vec<u32> = exact.iter().map(|e| (e + 1e-9).floor() as u32).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - out[b] as f64).total_cmp(&(exact[a] - out[a] as f64)).then(a.cmp(&b)));
    let given: u32 = out.iter().sum();
    for &k in order.iter().take(whole.saturating_sub(given) as usize) {
        out[k] += 1;
    }
    out
}

/// Adds agents to the groups `bound` counts, one at a time to the group
/// least on the phones for its size, until the bound holds.
fn top_up(bound: &PoolingBound, pools: &Pools, n: &mut [u32]) {
    let counted: Vec<usize> = (0..pools.groups.len()).filter(|&g| bound.counts(&pools.groups[g])).collect();
    let mut have: u32 = counted.iter().map(|&g| n[g]).sum();
    while have < bound.agents {
        let load = |g: usize| (n[g] + 1) as f64 / pools.headcount[g].max(1) as f64;
        let Some(&g) = counted.iter().min_by(|&&a, &&b| load(a).total_cmp(&load(b)).then(a.cmp(&b))) else {
            return;
        };
        n[g] += 1;
        have += 1;
    }
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
            let pool_of: Vec<usize> = (0..groups.len()).collect();
            let pools = Pools { groups, headcount: caps, pool_of: &pool_of, caps };
            let needs = MergedNeeds::of(|_| queues.to_vec(), 1, &fams);
            staff_interval(&pooling_bounds(&needs, 0, &own, &fams), &pools).iter().sum::<u32>()
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
