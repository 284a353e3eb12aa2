//! One simulation for a centre whose agents take several queues.
//!
//! Every queue's callers and every agent share one event loop, so an agent
//! who takes two queues answers whichever needs them, as the switch does.
//! The routing is [`Routing::PrimaryFirstLongestIdle`]:
//!
//! - a caller of queue `q` goes to the free agent who has been idle longest
//!   among those whose primary queue is `q`; if none is free, to the
//!   longest-idle free agent who takes `q` as another skill — at once, or
//!   only once the caller has waited `overflow_after` (then only agents of
//!   other primaries are held back; the primary agents always answer);
//! - an agent who comes free takes the first caller of their primary queue;
//!   with none waiting, the caller who has waited longest among their other
//!   queues (those past the overflow wait); with none, they wait idle.
//!
//! Callers hang up after an exponential patience (their queue's), handle
//! times are exponential or log-normal with the queue's mean of the
//! interval times the answering group's handle-time factor for the queue, and each skill group's agents on the phones change at interval
//! boundaries (an agent who leaves finishes the call in hand first). Each
//! replication has its own seeded stream; replications run in parallel and
//! are combined in order, so a rerun is byte-identical.

use super::{Estimate, HandleTimes, SimSettings, SlotCounts};
pub use crate::staff::skills::SkillGroup;
use crate::units::Seconds;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, Poisson};
use rayon::prelude::*;
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, VecDeque};

/// How calls reach agents who take several queues.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Routing {
    /// `routing.policy = "primary-first-longest-idle"`: the longest-idle
    /// free agent whose primary queue it is, then (after `overflow_after`,
    /// none: at once) the longest-idle free agent with the queue as another
    /// skill. A free agent takes their primary queue's caller first.
    PrimaryFirstLongestIdle { overflow_after: Option<Seconds> },
}

impl Routing {
    /// The policy's name, as the config and the report give it.
    pub fn name(&self) -> &'static str {
        match self {
            Routing::PrimaryFirstLongestIdle { .. } => "primary-first-longest-idle",
        }
    }

    fn overflow_seconds(&self) -> f64 {
        match self {
            Routing::PrimaryFirstLongestIdle { overflow_after } => overflow_after.map_or(0.0, |s| s.get()),
        }
    }
}

impl Default for Routing {
    fn default() -> Self {
        Routing::PrimaryFirstLongestIdle { overflow_after: None }
    }
}

/// One queue's callers over the run.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueLoad {
    /// Expected callers per interval.
    pub calls: Vec<f64>,
    /// Mean handle time per interval.
    pub handle: Vec<Seconds>,
    /// Mean patience per interval; `None`: callers never hang up.
    pub patience: Vec<Option<Seconds>>,
    /// The service level's answer-time target.
    pub answer_time: Seconds,
}

/// A run of consecutive intervals of a centre with skill groups.
#[derive(Debug, Clone, PartialEq)]
pub struct CentreInput {
    pub interval_seconds: f64,
    pub queues: Vec<QueueLoad>,
    pub groups: Vec<SkillGroup>,
    /// Per group, per interval: agents on the phones.
    pub on_phones: Vec<Vec<u32>>,
    pub routing: Routing,
    pub handle_times: HandleTimes,
}

impl CentreInput {
    fn slots(&self) -> usize {
        self.queues.first().map_or(0, |q| q.calls.len())
    }
}

/// One replication's counts: per queue per interval (callers by the interval
/// they arrived in), and per group per interval the busy agent-seconds, the
/// calls its agents answered, and those of queues other than their primary.
#[derive(Debug, Clone, PartialEq)]
pub struct CentreCounts {
    pub queues: Vec<Vec<SlotCounts>>,
    pub group_busy: Vec<Vec<f64>>,
    pub group_answered: Vec<Vec<u32>>,
    pub group_other_calls: Vec<Vec<u32>>,
}

#[derive(Debug, Clone, Copy)]
struct Caller {
    arrival: f64,
    deadline: f64,
    slot: usize,
}

/// Events, earliest first; ties broken by kind then index, so a run is
/// the same whatever the heap's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    /// Agent `.0` finishes a call.
    Free(usize),
    /// A caller of queue `.0` becomes one other skills may answer.
    Overflow(usize),
}

/// Non-negative times ordered through their bits (the same order).
fn key(t: f64) -> u64 {
    t.max(0.0).to_bits()
}

struct AgentState {
    group: usize,
    idle_since: f64,
    on_floor: bool,
    busy: bool,
    leaving: bool,
}

/// The floor during one replication.
struct Floor<'a> {
    input: &'a CentreInput,
    rng: ChaCha8Rng,
    overflow: f64,
    waiting: Vec<VecDeque<Caller>>,
    agents: Vec<AgentState>,
    /// Per group, agents who have left the floor (reused when it grows).
    off_floor: Vec<Vec<usize>>,
    /// Per group, agents on the floor (busy, idle or about to leave).
    present: Vec<Vec<usize>>,
    /// Per queue, idle agents whose primary it is: (idle since, agent).
    idle_primary: Vec<BTreeSet<(u64, usize)>>,
    /// Per queue, idle agents who take it as another skill.
    idle_other: Vec<BTreeSet<(u64, usize)>>,
    events: BinaryHeap<Reverse<(u64, Event)>>,
    counts: CentreCounts,
}

impl Floor<'_> {
    fn group_of(&self, a: usize) -> &SkillGroup {
        &self.input.groups[self.agents[a].group]
    }

    fn handle_time(&mut self, q: usize, slot: usize) -> f64 {
        super::draw_handle_time(&mut self.rng, self.input.queues[q].handle[slot], self.input.handle_times)
    }

    fn set_idle(&mut self, a: usize, now: f64) {
        self.agents[a].busy = false;
        self.agents[a].idle_since = now;
        let g = self.group_of(a).clone();
        self.idle_primary[g.primary()].insert((key(now), a));
        for &q in &g.queues[1..] {
            self.idle_other[q].insert((key(now), a));
        }
    }

    fn unset_idle(&mut self, a: usize) {
        let k = (key(self.agents[a].idle_since), a);
        let g = self.group_of(a).clone();
        self.idle_primary[g.primary()].remove(&k);
        for &q in &g.queues[1..] {
            self.idle_other[q].remove(&k);
        }
    }

    /// Agent `a` answers caller `c` of queue `q` at `now`.
    fn answer(&mut self, a: usize, q: usize, c: Caller, now: f64) {
        let wait = now - c.arrival;
        let counts = &mut self.counts.queues[q][c.slot];
        counts.answered += 1;
        counts.wait_answered += wait;
        if wait <= self.input.queues[q].answer_time.get() + 1e-9 {
            counts.answered_in_time += 1;
        }
        let g = self.agents[a].group;
        let slot = self.slot_at(now);
        self.counts.group_answered[g][slot] += 1;
        if self.input.groups[g].primary() != q {
            self.counts.group_other_calls[g][slot] += 1;
        }
        let end = now + self.handle_time(q, c.slot) * self.input.groups[g].handle_factor(q);
        self.add_busy_time(g, now, end);
        self.agents[a].busy = true;
        self.events.push(Reverse((key(end), Event::Free(a))));
    }

    fn slot_at(&self, t: f64) -> usize {
        ((t / self.input.interval_seconds) as usize).min(self.input.slots().saturating_sub(1))
    }

    fn add_busy_time(&mut self, g: usize, from: f64, to: f64) {
        let busy = &mut self.counts.group_busy[g];
        let slots = busy.len();
        super::spread_over_intervals(self.input.interval_seconds, slots, from, to, |k, secs| busy[k] += secs);
    }

    /// The first caller of queue `q` still waiting at `now` whom an agent
    /// may take (`other`: an agent of another primary, who waits for the
    /// overflow); callers past their patience are counted as abandoned.
    fn head(&mut self, q: usize, now: f64, other: bool) -> Option<Caller> {
        while let Some(c) = self.waiting[q].front().copied() {
            if c.deadline < now {
                self.waiting[q].pop_front();
                self.counts.queues[q][c.slot].abandoned += 1;
                continue;
            }
            return (!other || c.arrival + self.overflow <= now + 1e-9).then_some(c);
        }
        None
    }

    /// Agent `a` is free at `now`: leave, take the next caller, or wait.
    fn agent_free(&mut self, a: usize, now: f64) {
        if self.agents[a].leaving {
            self.leave(a);
            return;
        }
        let g = self.group_of(a).clone();
        let primary = g.primary();
        if let Some(c) = self.head(primary, now, false) {
            self.waiting[primary].pop_front();
            self.answer(a, primary, c, now);
            return;
        }
        let mut best: Option<(f64, usize, Caller)> = None;
        for &q in &g.queues[1..] {
            if let Some(c) = self.head(q, now, true) {
                if best.is_none_or(|(t, _, _)| c.arrival < t) {
                    best = Some((c.arrival, q, c));
                }
            }
        }
        match best {
            Some((_, q, c)) => {
                self.waiting[q].pop_front();
                self.answer(a, q, c, now);
            }
            None => self.set_idle(a, now),
        }
    }

    fn leave(&mut self, a: usize) {
        let s = &mut self.agents[a];
        s.on_floor = false;
        s.leaving = false;
        s.busy = false;
        let g = s.group;
        self.present[g].retain(|&x| x != a);
        self.off_floor[g].push(a);
    }

    /// A caller of queue `q` arrives at `at`.
    fn arrival(&mut self, q: usize, slot: usize, at: f64) {
        self.counts.queues[q][slot].offered += 1;
        let deadline = match self.input.queues[q].patience[slot] {
            Some(p) => at + Exp::new(1.0 / p.get().max(1e-9)).map_or(f64::INFINITY, |d| d.sample(&mut self.rng)),
            None => f64::INFINITY,
        };
        let c = Caller { arrival: at, deadline, slot };
        let free = self.idle_primary[q]
            .first()
            .copied()
            .or_else(|| (self.overflow <= 0.0).then(|| self.idle_other[q].first().copied()).flatten());
        match free {
            Some((_, a)) if self.waiting[q].is_empty() => {
                self.unset_idle(a);
                self.answer(a, q, c, at);
            }
            _ => {
                self.waiting[q].push_back(c);
                if self.overflow > 0.0 && at + self.overflow < deadline {
                    self.events.push(Reverse((key(at + self.overflow), Event::Overflow(q))));
                }
            }
        }
    }

    /// Callers of `q` who have waited out the overflow go to idle agents of
    /// other primaries.
    fn overflow_to_others(&mut self, q: usize, now: f64) {
        while let Some(&(_, a)) = self.idle_other[q].first() {
            let Some(c) = self.head(q, now, true) else { break };
            self.waiting[q].pop_front();
            self.unset_idle(a);
            self.answer(a, q, c, now);
        }
    }

    /// Events up to `until`.
    fn run_events(&mut self, until: f64) {
        while let Some(&Reverse((t, e))) = self.events.peek() {
            if t > key(until) {
                break;
            }
            self.events.pop();
            let now = f64::from_bits(t);
            match e {
                Event::Free(a) => self.agent_free(a, now),
                Event::Overflow(q) => self.overflow_to_others(q, now),
            }
        }
    }

    /// The roster puts `want` agents of group `g` on the phones from `now`.
    fn staff(&mut self, g: usize, want: u32, now: f64) {
        let staying = self.present[g].iter().filter(|&&a| !self.agents[a].leaving).count() as u32;
        if want >= staying {
            let mut extra = want - staying;
            let present = self.present[g].clone();
            for a in present {
                if extra == 0 {
                    break;
                }
                if self.agents[a].leaving {
                    self.agents[a].leaving = false;
                    extra -= 1;
                }
            }
            for _ in 0..extra {
                let a = self.off_floor[g].pop().unwrap_or_else(|| {
                    self.agents.push(AgentState {
                        group: g,
                        idle_since: 0.0,
                        on_floor: false,
                        busy: false,
                        leaving: false,
                    });
                    self.agents.len() - 1
                });
                self.agents[a].on_floor = true;
                self.present[g].push(a);
                self.agent_free(a, now);
            }
        } else {
            let mut fewer = staying - want;
            // The most recently idle go first, then busy agents as their call ends.
            let mut idle: Vec<usize> = self.present[g].iter().copied().filter(|&a| !self.agents[a].busy).collect();
            idle.sort_by(|&x, &y| self.agents[y].idle_since.total_cmp(&self.agents[x].idle_since).then(y.cmp(&x)));
            for a in idle.into_iter().take(fewer as usize) {
                self.unset_idle(a);
                self.leave(a);
                fewer -= 1;
            }
            let busy: Vec<usize> =
                self.present[g].iter().copied().filter(|&a| self.agents[a].busy && !self.agents[a].leaving).collect();
            for a in busy.into_iter().take(fewer as usize) {
                self.agents[a].leaving = true;
            }
        }
    }

    /// Every queue's arrivals in interval `slot`, in time order.
    fn arrivals(&mut self, slot: usize) -> Vec<(f64, usize)> {
        let len = self.input.interval_seconds;
        let start = slot as f64 * len;
        let mut all = Vec::new();
        for q in 0..self.input.queues.len() {
            let mean = self.input.queues[q].calls[slot];
            if mean <= 0.0 {
                continue;
            }
            let n = Poisson::new(mean).map_or(0.0, |p| p.sample(&mut self.rng)) as usize;
            all.extend((0..n).map(|_| (start + self.rng.gen::<f64>() * len, q)));
        }
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        all
    }
}

/// One replication of the centre.
pub fn replicate_centre(input: &CentreInput, seed: u64, replication: u64) -> CentreCounts {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(replication);
    let (nq, ng, slots) = (input.queues.len(), input.groups.len(), input.slots());
    let mut f = Floor {
        input,
        rng,
        overflow: input.routing.overflow_seconds(),
        waiting: vec![VecDeque::new(); nq],
        agents: Vec::new(),
        off_floor: vec![Vec::new(); ng],
        present: vec![Vec::new(); ng],
        idle_primary: vec![BTreeSet::new(); nq],
        idle_other: vec![BTreeSet::new(); nq],
        events: BinaryHeap::new(),
        counts: CentreCounts {
            queues: vec![vec![SlotCounts::default(); slots]; nq],
            group_busy: vec![vec![0.0; slots]; ng],
            group_answered: vec![vec![0; slots]; ng],
            group_other_calls: vec![vec![0; slots]; ng],
        },
    };
    let len = input.interval_seconds;
    for t in 0..slots {
        let start = t as f64 * len;
        f.run_events(start);
        for g in 0..ng {
            f.staff(g, input.on_phones[g].get(t).copied().unwrap_or(0), start);
        }
        for (at, q) in f.arrivals(t) {
            f.run_events(at);
            f.arrival(q, t, at);
        }
    }
    // After the last interval the agents finish their calls and go; callers
    // still waiting then are not answered (abandoned if they would hang up).
    let end = slots as f64 * len;
    f.run_events(end);
    for q in 0..nq {
        while let Some(c) = f.waiting[q].pop_front() {
            if c.deadline.is_finite() {
                f.counts.queues[q][c.slot].abandoned += 1;
            }
        }
    }
    f.counts
}

/// What the simulation says of one queue over a group of intervals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QueueOutcome {
    /// Answered within the queue's target / offered.
    pub service_level: Option<Estimate>,
    pub asa_seconds: Option<Estimate>,
    pub abandon_rate: Option<Estimate>,
    /// Mean callers offered per replication.
    pub offered: f64,
}

/// What the simulation says of one skill group over the run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GroupOutcome {
    /// Busy agent-time / agent-time on the phones.
    pub occupancy: Option<Estimate>,
    /// Share of the group's answered calls that were of other queues than
    /// its primary.
    pub other_queue_share: Option<Estimate>,
}

/// The simulated centre: per queue per interval and per day, per group.
#[derive(Debug, Clone, Serialize)]
pub struct CentreReport {
    pub replications: usize,
    pub seed: u64,
    pub routing: &'static str,
    /// `[queue][interval]`.
    pub intervals: Vec<Vec<QueueOutcome>>,
    /// `[queue][day]`.
    pub days: Vec<Vec<QueueOutcome>>,
    /// `[queue]`: the whole run.
    pub whole: Vec<QueueOutcome>,
    pub groups: Vec<GroupOutcome>,
}

fn queue_outcome(runs: &[CentreCounts], q: usize, slots: &[usize]) -> QueueOutcome {
    let (mut sl, mut asa, mut ab) = (Vec::new(), Vec::new(), Vec::new());
    let mut offered = 0u64;
    for r in runs {
        let c = super::total(&r.queues[q], slots.iter().copied());
        let per_offered = |x: f64| if c.offered > 0 { x / c.offered as f64 } else { f64::NAN };
        sl.push(per_offered(c.answered_in_time as f64));
        ab.push(per_offered(c.abandoned as f64));
        asa.push(if c.answered > 0 { c.wait_answered / c.answered as f64 } else { f64::NAN });
        offered += c.offered as u64;
    }
    QueueOutcome {
        service_level: Estimate::of(&mut sl),
        asa_seconds: Estimate::of(&mut asa),
        abandon_rate: Estimate::of(&mut ab),
        offered: offered as f64 / runs.len().max(1) as f64,
    }
}

fn group_outcome(input: &CentreInput, runs: &[CentreCounts], g: usize) -> GroupOutcome {
    let staffed: f64 = input.on_phones[g].iter().map(|&n| n as f64 * input.interval_seconds).sum();
    let (mut occ, mut other) = (Vec::new(), Vec::new());
    for r in runs {
        let busy: f64 = r.group_busy[g].iter().sum();
        occ.push(if staffed > 0.0 { (busy / staffed).min(1.0) } else { f64::NAN });
        let others: u32 = r.group_other_calls[g].iter().sum();
        let answered: u32 = r.group_answered[g].iter().sum();
        other.push(if answered > 0 { others as f64 / answered as f64 } else { f64::NAN });
    }
    GroupOutcome { occupancy: Estimate::of(&mut occ), other_queue_share: Estimate::of(&mut other) }
}

/// Run the replications in parallel and summarise them per queue (per
/// interval, per day, whole run) and per skill group.
pub fn simulate_centre(input: &CentreInput, settings: &SimSettings, days: &[Vec<usize>]) -> CentreReport {
    let runs: Vec<CentreCounts> =
        (0..settings.replications as u64).into_par_iter().map(|r| replicate_centre(input, settings.seed, r)).collect();
    let all: Vec<usize> = (0..input.slots()).collect();
    let nq = input.queues.len();
    CentreReport {
        replications: settings.replications,
        seed: settings.seed,
        routing: input.routing.name(),
        intervals: (0..nq).map(|q| all.iter().map(|&t| queue_outcome(&runs, q, &[t])).collect()).collect(),
        days: (0..nq).map(|q| days.iter().map(|d| queue_outcome(&runs, q, d)).collect()).collect(),
        whole: (0..nq).map(|q| queue_outcome(&runs, q, &all)).collect(),
        groups: (0..input.groups.len()).map(|g| group_outcome(input, &runs, g)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff::erlang::metrics;

    fn secs(s: f64) -> Seconds {
        Seconds::new(s).unwrap()
    }

    /// `hours` of stationary queues in 30-minute intervals: `calls` per
    /// interval per queue, 180 s handle time, the groups' agents constant.
    fn centre(
        calls: &[f64],
        groups: Vec<SkillGroup>,
        agents: &[u32],
        patience: Option<f64>,
        hours: usize,
    ) -> CentreInput {
        let slots = hours * 2;
        CentreInput {
            interval_seconds: 1800.0,
            queues: calls
                .iter()
                .map(|&c| QueueLoad {
                    calls: vec![c; slots],
                    handle: vec![secs(180.0); slots],
                    patience: vec![patience.map(secs); slots],
                    answer_time: secs(20.0),
                })
                .collect(),
            groups,
            on_phones: agents.iter().map(|&n| vec![n; slots]).collect(),
            routing: Routing::default(),
            handle_times: HandleTimes::Exponential,
        }
    }

    /// Per queue: service level over the intervals after a warm-up hour,
    /// pooled over `reps` replications.
    fn pooled_sl(input: &CentreInput, reps: u64) -> Vec<f64> {
        let slots = input.slots();
        (0..input.queues.len())
            .map(|q| {
                let (mut ok, mut all) = (0u64, 0u64);
                for r in 0..reps {
                    let c = replicate_centre(input, 11, r);
                    let t = super::super::total(&c.queues[q], 2..slots - 1);
                    ok += t.answered_in_time as u64;
                    all += t.offered as u64;
                }
                ok as f64 / all as f64
            })
            .collect()
    }

    fn erlang_sl(calls_per_half_hour: f64, agents: u32, patience: Option<f64>) -> f64 {
        metrics(calls_per_half_hour / 1800.0, 1.0 / 180.0, patience.map_or(0.0, |p| 1.0 / p), agents, 20.0).sl_all
    }

    #[test]
    fn one_group_per_queue_is_each_queue_on_its_own() {
        let groups = vec![SkillGroup::new(0, &[0]), SkillGroup::new(1, &[1])];
        let input = centre(&[100.0, 60.0], groups, &[12, 8], Some(300.0), 6);
        let sl = pooled_sl(&input, 60);
        for (q, (&calls, agents)) in [100.0, 60.0].iter().zip([12, 8]).enumerate() {
            let want = erlang_sl(calls, agents, Some(300.0));
            assert!((sl[q] - want).abs() < 0.03, "queue {q}: simulated {} vs Erlang A {want}", sl[q]);
        }
    }

    /// A group whose agents take 1.5 times the queue's handle time is the
    /// queue at that handle time (Erlang A), and its agents are busier.
    #[test]
    fn a_handle_time_factor_is_the_queue_at_that_handle_time() {
        let slow = vec![SkillGroup::new(0, &[0]).with_factors(&[(0, 1.5)])];
        let input = centre(&[60.0], slow, &[12], Some(300.0), 6);
        let sl = pooled_sl(&input, 60)[0];
        let want = metrics(60.0 / 1800.0, 1.0 / 270.0, 1.0 / 300.0, 12, 20.0).sl_all;
        assert!((sl - want).abs() < 0.03, "simulated {sl} vs Erlang A at 270 s {want}");
        let plain = pooled_sl(&centre(&[60.0], vec![SkillGroup::new(0, &[0])], &[12], Some(300.0), 6), 60)[0];
        assert!(plain > sl + 0.05, "a factor of 1 answers faster: {plain} vs {sl}");
    }

    #[test]
    fn one_group_on_both_queues_is_the_merged_queue() {
        let groups = vec![SkillGroup::new(0, &[0, 1]), SkillGroup::new(1, &[0, 1])];
        let input = centre(&[100.0, 60.0], groups, &[10, 9], None, 6);
        let sl = pooled_sl(&input, 60);
        let merged = erlang_sl(160.0, 19, None);
        for (q, s) in sl.iter().enumerate() {
            assert!((s - merged).abs() < 0.08, "queue {q}: simulated {s} vs merged Erlang C {merged}");
        }
        // Primary first is not first come first served across the queues, so
        // each queue's service differs a little; but agents never idle while
        // a caller waits, so the mean wait is the merged queue's (the same
        // handle times: the discipline does not change the work).
        let (mut wait, mut answered) = (0.0, 0u64);
        for r in 0..60 {
            let c = replicate_centre(&input, 11, r);
            for q in 0..2 {
                let t = super::super::total(&c.queues[q], 2..11);
                wait += t.wait_answered;
                answered += t.answered as u64;
            }
        }
        let asa = wait / answered as f64;
        let want = metrics(160.0 / 1800.0, 1.0 / 180.0, 0.0, 19, 20.0).asa;
        assert!((asa / want - 1.0).abs() < 0.1, "mean wait {asa} s vs merged Erlang C {want} s");
        // Apart, the same agents give far less to the busier queue.
        assert!(erlang_sl(100.0, 10, None) < merged - 0.1);
    }

    #[test]
    fn overflow_holds_other_agents_back() {
        let groups = vec![SkillGroup::new(0, &[0]), SkillGroup::new(1, &[0, 1])];
        let mut input = centre(&[110.0, 40.0], groups, &[11, 7], Some(300.0), 4);
        let s = SimSettings { replications: 30, seed: 5 };
        let days = vec![(0..8).collect::<Vec<_>>()];
        let at_once = simulate_centre(&input, &s, &days);
        input.routing = Routing::PrimaryFirstLongestIdle { overflow_after: Some(secs(60.0)) };
        let later = simulate_centre(&input, &s, &days);
        let share = |r: &CentreReport| r.groups[1].other_queue_share.unwrap().mean;
        assert!(share(&at_once) > 0.05, "the flexible group helps queue 0: {}", share(&at_once));
        assert!(share(&later) < share(&at_once), "{} vs {}", share(&later), share(&at_once));
        // Its own queue is served better when it waits before helping.
        let sl = |r: &CentreReport, q: usize| r.whole[q].service_level.unwrap().mean;
        assert!(sl(&later, 1) > sl(&at_once, 1));
    }

    #[test]
    fn reruns_are_identical_and_every_caller_is_counted() {
        let groups = vec![SkillGroup::new(0, &[0, 1]), SkillGroup::new(1, &[1])];
        let mut input = centre(&[80.0, 50.0], groups, &[6, 3], Some(120.0), 3);
        input.on_phones[0][2] = 0; // a gap in the roster
        let s = SimSettings { replications: 8, seed: 2 };
        let days = vec![(0..6).collect::<Vec<_>>()];
        let a = serde_json::to_string(&simulate_centre(&input, &s, &days)).unwrap();
        let b = serde_json::to_string(&simulate_centre(&input, &s, &days)).unwrap();
        assert_eq!(a, b);
        let c = replicate_centre(&input, 2, 0);
        for q in 0..2 {
            let t = super::super::total(&c.queues[q], 0..6);
            assert_eq!(t.offered, t.answered + t.abandoned, "queue {q}");
        }
    }
}

#[cfg(test)]
mod reference;
