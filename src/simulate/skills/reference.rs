//! An independent check of the skills simulation.
//!
//! The reference below is a second simulator written from the routing's
//! description alone (the module doc of `skills.rs`), sharing none of its
//! code: a stationary multi-class centre with a fixed number of agents per
//! group, one Poisson arrival stream per queue (exponential gaps rather than
//! a count per interval), an explicit hang-up event per caller (rather than
//! callers found expired at the head of the queue), a sorted `Vec` of future
//! events and linear scans over all agents for the longest-idle free one.
//! It is slow and plain on purpose: the point is that it is obviously right,
//! so that when both simulators agree on each queue's service level and
//! abandonment and each group's occupancy, the fast one's routing is too.

use super::{replicate_centre, CentreCounts, CentreInput, QueueLoad, Routing, SkillGroup};
use crate::simulate::HandleTimes;
use crate::units::Seconds;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp};

/// Half-hour intervals, as a day's plan has them.
const INTERVAL: f64 = 1800.0;
/// Intervals per run: one day.
const SLOTS: usize = 48;
/// Intervals discarded at the start while the queues fill from empty.
const WARM_UP: usize = 2;
/// Intervals measured: all but the warm-up and the last, whose callers
/// ringcast cuts off at the end of the run.
const MEASURED: std::ops::Range<usize> = WARM_UP..SLOTS - 1;
/// Independent runs of each simulator.
const REPLICATIONS: u64 = 100;

/// A stationary centre both simulators are given.
#[derive(Debug, Clone)]
struct Scenario {
    /// Per queue: expected callers per half hour.
    calls: Vec<f64>,
    /// Per queue: mean handle time, seconds.
    handle: Vec<f64>,
    /// Per queue: the service level's answer time, seconds.
    answer: Vec<f64>,
    /// Mean patience of every caller; `None`: nobody hangs up.
    patience: Option<f64>,
    /// Per group: (primary queue, the other queues taken).
    groups: Vec<(usize, Vec<usize>)>,
    /// Per group: agents on the phones all day.
    agents: Vec<u32>,
    /// Seconds a caller waits before agents of other primaries may answer.
    overflow: Option<f64>,
}

impl Scenario {
    /// The same centre as ringcast's input: constant calls and staffing in
    /// every interval.
    fn centre_input(&self) -> CentreInput {
        let secs = |s: f64| Seconds::new(s).unwrap();
        let queues = (0..self.calls.len())
            .map(|q| QueueLoad {
                calls: vec![self.calls[q]; SLOTS],
                handle: vec![secs(self.handle[q]); SLOTS],
                patience: vec![self.patience.map(secs); SLOTS],
                answer_time: secs(self.answer[q]),
            })
            .collect();
        let groups = self.groups.iter().map(|(p, others)| SkillGroup::new(*p, others)).collect();
        CentreInput {
            interval_seconds: INTERVAL,
            queues,
            groups,
            on_phones: self.agents.iter().map(|&n| vec![n; SLOTS]).collect(),
            routing: Routing::PrimaryFirstLongestIdle { overflow_after: self.overflow.map(secs) },
            handle_times: HandleTimes::Exponential,
        }
    }
}

/// One run's results over the measured window.
#[derive(Debug, Clone)]
struct Outcome {
    /// Per queue: answered within the answer time / offered.
    service_level: Vec<f64>,
    /// Per queue: abandoned / offered.
    abandon_rate: Vec<f64>,
    /// Per group: busy agent-time / agent-time on the phones.
    occupancy: Vec<f64>,
}

/// What happens next in the reference.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// The next caller of a queue arrives.
    Arrival(usize),
    /// An agent ends a call.
    Finish(usize),
    /// A caller runs out of patience.
    HangUp(usize),
    /// A caller has waited long enough for agents of other primaries.
    Overflow(usize),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fate {
    Waiting,
    Answered,
    Abandoned,
}

struct RefCaller {
    queue: usize,
    arrival: f64,
    /// Arrived inside the measured window.
    measured: bool,
    fate: Fate,
}

struct RefAgent {
    primary: usize,
    others: Vec<usize>,
    group: usize,
    busy: bool,
    idle_since: f64,
}

/// Totals of the measured callers and busy time.
#[derive(Default)]
struct Tally {
    offered: Vec<u64>,
    in_time: Vec<u64>,
    abandoned: Vec<u64>,
    busy: Vec<f64>,
}

/// The reference simulator's state during one run.
struct Reference<'a> {
    s: &'a Scenario,
    rng: ChaCha8Rng,
    now: f64,
    /// Future events, latest first, so the next one is `pop()`ed.
    events: Vec<(f64, Kind)>,
    callers: Vec<RefCaller>,
    /// Per queue: ids of waiting callers in arrival order.
    waiting: Vec<Vec<usize>>,
    agents: Vec<RefAgent>,
    window: (f64, f64),
    tally: Tally,
}

impl<'a> Reference<'a> {
    fn new(s: &'a Scenario, seed: u64) -> Self {
        let mut agents = Vec::new();
        for (g, (primary, others)) in s.groups.iter().enumerate() {
            for _ in 0..s.agents[g] {
                agents.push(RefAgent {
                    primary: *primary,
                    others: others.clone(),
                    group: g,
                    busy: false,
                    idle_since: 0.0,
                });
            }
        }
        let (nq, ng) = (s.calls.len(), s.groups.len());
        Reference {
            s,
            rng: ChaCha8Rng::seed_from_u64(seed),
            now: 0.0,
            events: Vec::new(),
            callers: Vec::new(),
            waiting: vec![Vec::new(); nq],
            agents,
            window: (MEASURED.start as f64 * INTERVAL, MEASURED.end as f64 * INTERVAL),
            tally: Tally { offered: vec![0; nq], in_time: vec![0; nq], abandoned: vec![0; nq], busy: vec![0.0; ng] },
        }
    }

    fn exp(&mut self, mean: f64) -> f64 {
        Exp::new(1.0 / mean).unwrap().sample(&mut self.rng)
    }

    /// Insert keeping the vector sorted latest first.
    fn schedule(&mut self, at: f64, kind: Kind) {
        let i = self.events.partition_point(|&(t, _)| t > at);
        self.events.insert(i, (at, kind));
    }

    fn schedule_arrival(&mut self, q: usize) {
        let gap = self.exp(INTERVAL / self.s.calls[q]);
        self.schedule(self.now + gap, Kind::Arrival(q));
    }

    /// The free agent idle longest among those `fits` accepts.
    fn longest_idle(&self, fits: impl Fn(&RefAgent) -> bool) -> Option<usize> {
        (0..self.agents.len())
            .filter(|&a| !self.agents[a].busy && fits(&self.agents[a]))
            .min_by(|&x, &y| self.agents[x].idle_since.total_cmp(&self.agents[y].idle_since))
    }

    fn overflow_wait(&self) -> f64 {
        self.s.overflow.unwrap_or(0.0)
    }

    /// Runs until `horizon`; arrivals go on to the end so the last measured
    /// callers see the same competition as the others.
    fn run(mut self, horizon: f64) -> Outcome {
        for q in 0..self.s.calls.len() {
            self.schedule_arrival(q);
        }
        while let Some((at, kind)) = self.events.pop() {
            if at > horizon {
                break;
            }
            self.now = at;
            match kind {
                Kind::Arrival(q) => self.arrival(q),
                Kind::Finish(a) => self.finish(a),
                Kind::HangUp(c) => self.hang_up(c),
                Kind::Overflow(c) => self.overflow(c),
            }
        }
        self.outcome()
    }

    /// A new caller goes to a primary agent, else (with no overflow wait) to
    /// an agent who takes the queue as another skill, else waits.
    fn arrival(&mut self, q: usize) {
        self.schedule_arrival(q);
        let measured = self.now >= self.window.0 && self.now < self.window.1;
        let c = self.callers.len();
        self.callers.push(RefCaller { queue: q, arrival: self.now, measured, fate: Fate::Waiting });
        if measured {
            self.tally.offered[q] += 1;
        }
        if let Some(p) = self.s.patience {
            let at = self.now + self.exp(p);
            self.schedule(at, Kind::HangUp(c));
        }
        let agent = self.longest_idle(|a| a.primary == q).or_else(|| {
            if self.overflow_wait() > 0.0 {
                None
            } else {
                self.longest_idle(|a| a.others.contains(&q))
            }
        });
        match agent {
            Some(a) => self.answer(a, c),
            None => {
                self.waiting[q].push(c);
                if let Some(wait) = self.s.overflow {
                    self.schedule(self.now + wait, Kind::Overflow(c));
                }
            }
        }
    }

    /// A caller still waiting after the overflow wait goes to an idle agent
    /// who takes the queue as another skill, if any.
    fn overflow(&mut self, c: usize) {
        if self.callers[c].fate != Fate::Waiting {
            return;
        }
        let q = self.callers[c].queue;
        if let Some(a) = self.longest_idle(|a| a.others.contains(&q)) {
            self.answer(a, c);
        }
    }

    fn hang_up(&mut self, c: usize) {
        if self.callers[c].fate != Fate::Waiting {
            return;
        }
        self.remove_waiting(c);
        self.callers[c].fate = Fate::Abandoned;
        if self.callers[c].measured {
            self.tally.abandoned[self.callers[c].queue] += 1;
        }
    }

    fn remove_waiting(&mut self, c: usize) {
        let list = &mut self.waiting[self.callers[c].queue];
        if let Some(i) = list.iter().position(|&x| x == c) {
            list.remove(i);
        }
    }

    /// A freed agent takes their primary queue's first caller, else the
    /// longest-waiting caller of their other queues who has waited out the
    /// overflow wait, else goes idle.
    fn finish(&mut self, a: usize) {
        self.agents[a].busy = false;
        self.agents[a].idle_since = self.now;
        let primary = self.agents[a].primary;
        if let Some(&c) = self.waiting[primary].first() {
            self.answer(a, c);
            return;
        }
        let eligible = |c: &usize| self.now - self.callers[*c].arrival >= self.overflow_wait();
        let next = self.agents[a]
            .others
            .iter()
            .flat_map(|&q| self.waiting[q].iter().filter(|c| eligible(c)))
            .min_by(|&&x, &&y| self.callers[x].arrival.total_cmp(&self.callers[y].arrival))
            .copied();
        if let Some(c) = next {
            self.answer(a, c);
        }
    }

    fn answer(&mut self, a: usize, c: usize) {
        self.remove_waiting(c);
        let caller = &mut self.callers[c];
        caller.fate = Fate::Answered;
        let q = caller.queue;
        if caller.measured && self.now - caller.arrival <= self.s.answer[q] + 1e-9 {
            self.tally.in_time[q] += 1;
        }
        let end = self.now + self.exp(self.s.handle[q]);
        let (from, to) = (self.now.max(self.window.0), end.min(self.window.1));
        self.tally.busy[self.agents[a].group] += (to - from).max(0.0);
        self.agents[a].busy = true;
        self.schedule(end, Kind::Finish(a));
    }

    fn outcome(&self) -> Outcome {
        let t = &self.tally;
        let per_offered = |x: &[u64]| x.iter().zip(&t.offered).map(|(&n, &o)| n as f64 / o as f64).collect();
        let span = self.window.1 - self.window.0;
        Outcome {
            service_level: per_offered(&t.in_time),
            abandon_rate: per_offered(&t.abandoned),
            occupancy: t.busy.iter().zip(&self.s.agents).map(|(b, &n)| b / (n as f64 * span)).collect(),
        }
    }
}

/// One reference run: a day like ringcast's, with an extra hour of traffic
/// after it so every measured caller's fate is settled under load.
fn reference_run(s: &Scenario, seed: u64) -> Outcome {
    Reference::new(s, seed).run((SLOTS + 2) as f64 * INTERVAL)
}

/// One ringcast replication, summarised over the same window.
fn ringcast_run(input: &CentreInput, s: &Scenario, seed: u64, r: u64) -> Outcome {
    let counts: CentreCounts = replicate_centre(input, seed, r);
    let rate = |q: usize, pick: fn(&crate::simulate::SlotCounts) -> u32| {
        let slots = &counts.queues[q][MEASURED];
        let offered: u32 = slots.iter().map(|c| c.offered).sum();
        slots.iter().map(pick).sum::<u32>() as f64 / offered as f64
    };
    let nq = s.calls.len();
    let span = MEASURED.len() as f64 * INTERVAL;
    Outcome {
        service_level: (0..nq).map(|q| rate(q, |c| c.answered_in_time)).collect(),
        abandon_rate: (0..nq).map(|q| rate(q, |c| c.abandoned)).collect(),
        occupancy: (0..s.groups.len())
            .map(|g| counts.group_busy[g][MEASURED].iter().sum::<f64>() / (s.agents[g] as f64 * span))
            .collect(),
    }
}

/// Mean and standard error of independent values.
fn mean_se(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Asserts that one measure agrees between the simulators.
///
/// Each side's runs are independent replications, so each mean's standard
/// error comes from the spread between runs, and the difference of two
/// independent means has the root-sum-of-squares error. Four such errors
/// leave about one chance in 16,000 of failing a correct pair per
/// comparison (and the seeds are fixed, so the test is deterministic). The
/// 0.01 slack covers what differs by design and not by routing: ringcast
/// draws a Poisson count per interval and places the calls uniformly (the
/// same process, other draws), discards callers only at the head of the
/// queue, and settles ties by its own keys.
fn assert_agrees(what: &str, ours: &[f64], reference: &[f64]) {
    let ((m1, se1), (m2, se2)) = (mean_se(ours), mean_se(reference));
    let tolerance = 4.0 * (se1 * se1 + se2 * se2).sqrt() + 0.01;
    println!(
        "{what}: ringcast {m1:.4} ± {se1:.4}, reference {m2:.4} ± {se2:.4}, diff {:.4} (tol {tolerance:.4})",
        m1 - m2
    );
    assert!((m1 - m2).abs() <= tolerance, "{what}: ringcast {m1:.4} vs reference {m2:.4}, tolerance {tolerance:.4}");
}

/// Runs both simulators `REPLICATIONS` times and compares every queue's
/// service level and abandonment and every group's occupancy.
fn compare(name: &str, s: &Scenario) {
    let input = s.centre_input();
    let ours: Vec<Outcome> = (0..REPLICATIONS).map(|r| ringcast_run(&input, s, 7, r)).collect();
    let theirs: Vec<Outcome> = (0..REPLICATIONS).map(|r| reference_run(s, 1_000 + r)).collect();
    let both = |pick: &dyn Fn(&Outcome) -> f64| -> (Vec<f64>, Vec<f64>) {
        (ours.iter().map(pick).collect(), theirs.iter().map(pick).collect())
    };
    for q in 0..s.calls.len() {
        let (a, b) = both(&|o| o.service_level[q]);
        assert_agrees(&format!("{name} queue {q} SL"), &a, &b);
        let (a, b) = both(&|o| o.abandon_rate[q]);
        assert_agrees(&format!("{name} queue {q} abandon"), &a, &b);
    }
    for g in 0..s.groups.len() {
        let (a, b) = both(&|o| o.occupancy[g]);
        assert_agrees(&format!("{name} group {g} occupancy"), &a, &b);
    }
}

/// A chain of three queues: each chain group's second skill is the next
/// queue, and queue 0 is overloaded on its own, so how much help it gets
/// from group (2|2,0) and how much group (0|0,1) gives away both matter.
#[test]
fn chain_of_three_queues_agrees_with_the_reference() {
    let s = Scenario {
        calls: vec![140.0, 60.0, 50.0],
        handle: vec![180.0, 240.0, 300.0],
        answer: vec![20.0, 20.0, 30.0],
        patience: Some(240.0),
        groups: vec![(0, vec![1]), (1, vec![2]), (2, vec![0]), (0, vec![]), (1, vec![]), (2, vec![])],
        agents: vec![3, 3, 3, 10, 6, 6],
        overflow: None,
    };
    compare("chain", &s);
}

/// Two queues; the flexible group helps the overloaded queue 0 only after
/// its callers have waited 30 s, so the overflow events and the freed
/// agent's overflow check both carry traffic. Queue 0's 60 s answer time
/// makes its service level depend on the overflowed calls too.
#[test]
fn overflow_after_a_wait_agrees_with_the_reference() {
    let s = Scenario {
        calls: vec![110.0, 40.0],
        handle: vec![180.0, 180.0],
        answer: vec![60.0, 20.0],
        patience: Some(300.0),
        groups: vec![(0, vec![]), (1, vec![0])],
        agents: vec![10, 7],
        overflow: Some(30.0),
    };
    compare("overflow", &s);
}

/// The "V": one single-skill group per queue and a flexible group (primary
/// queue 0) taking both; nobody hangs up, so every caller is answered and
/// only the waits tell the routing apart.
#[test]
fn v_design_without_patience_agrees_with_the_reference() {
    let s = Scenario {
        calls: vec![100.0, 70.0],
        handle: vec![180.0, 180.0],
        answer: vec![20.0, 20.0],
        patience: None,
        groups: vec![(0, vec![]), (1, vec![]), (0, vec![1])],
        agents: vec![8, 7, 5],
        overflow: None,
    };
    compare("V", &s);
}
