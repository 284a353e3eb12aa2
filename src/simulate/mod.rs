//! Simulate: what a roster really delivers, by discrete-event simulation.
//!
//! The Erlang formulas assume each interval in steady state, a known arrival
//! rate and exponential handle times. The simulator drops those assumptions:
//! callers arrive as a Poisson process at each interval's rate (optionally
//! drawn from the forecast's predictive distribution, a gamma–Poisson
//! mixture), handle times are exponential or log-normal with the interval's
//! mean, callers abandon after an exponential patience, agents answer first
//! come first served, and the agents on the phones change at interval
//! boundaries as the roster puts them (an agent whose shift or break starts
//! finishes the call in hand first). Queues carry over from one interval to
//! the next, as they do on the floor.
//!
//! With lines (`[lines]`), a caller who finds every trunk taken (or, if they
//! would wait, every IVR port) hears a busy signal; a share of them call
//! again after an exponential delay, the rest are lost. Calls of an interval
//! a spot's burst falls in arrive on the burst's minute curve, not evenly, so
//! the busy signals in the minutes after a spot show.
//!
//! Each replication has its own seeded random stream; replications run in
//! parallel and are combined in order, so a rerun is byte-identical.

pub mod skills;

use crate::series::CallSeries;
use crate::staff::lines::Lines;
use crate::staff::requirements::queue_of;
use crate::staff::ServicePolicy;
use crate::units::Seconds;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Poisson};
use rayon::prelude::*;
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// One interval of the week to simulate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimSlot {
    /// Expected calls arriving in the interval.
    pub calls: f64,
    /// Agents on the phones (after shrinkage and breaks).
    pub agents: u32,
    /// Mean handle time.
    pub handle: Seconds,
    /// Mean caller patience; `None`: callers never hang up.
    pub patience: Option<Seconds>,
}

/// Handle-time distribution around each interval's mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HandleTimes {
    /// Exponential (the Erlang assumption).
    Exponential,
    /// Log-normal with this coefficient of variation (real handle times: 0.7–1.2).
    LogNormal { cv: f64 },
}

/// A week (or any run of consecutive intervals) to simulate.
#[derive(Debug, Clone)]
pub struct SimInput {
    /// Interval length in seconds.
    pub interval_seconds: f64,
    pub slots: Vec<SimSlot>,
    /// Answer-time target of the service level.
    pub answer_time: Seconds,
    pub handle_times: HandleTimes,
    /// Gamma–Poisson size `k` of the forecast's predictive distribution: each
    /// interval's rate is drawn with variance μ²/k; `None`: the rate is known.
    pub dispersion_k: Option<f64>,
    /// The centre's lines; `None`: every caller gets through.
    pub lines: Option<Lines>,
    /// Per interval, the share of its calls arriving in each of its minutes
    /// (a spot's burst); an empty list or `None`: evenly over the interval.
    pub minute_shares: Vec<Option<Vec<f64>>>,
}

/// How many replications, from which seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimSettings {
    /// Default 300, range 1..=100,000.
    pub replications: usize,
    pub seed: u64,
}

impl Default for SimSettings {
    fn default() -> Self {
        SimSettings { replications: 300, seed: 1 }
    }
}

/// Counts of one interval in one replication (callers by the interval they
/// arrived in; busy time by the interval it fell in). With lines, `offered`
/// are the attempts that got a line (redials among them).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SlotCounts {
    pub offered: u32,
    pub answered: u32,
    pub answered_in_time: u32,
    pub abandoned: u32,
    /// Total wait of answered callers, seconds.
    pub wait_answered: f64,
    /// Agent-seconds spent on calls.
    pub busy_seconds: f64,
    /// Attempts that heard a busy signal (every line taken).
    pub busy_signals: u32,
    /// Of those, callers who did not call again: lost to busy signals.
    pub lost_to_busy: u32,
}

/// A caller waiting in the queue.
#[derive(Debug, Clone, Copy)]
struct Waiting {
    arrival: f64,
    deadline: f64,
    slot: usize,
    /// Index into `Trunks::abandoned` (lines only).
    id: usize,
}

/// A call in service, ordered by its end (earliest first in the heap).
#[derive(Debug, Clone, Copy, PartialEq)]
struct InService {
    end: f64,
}

impl Eq for InService {}
impl PartialOrd for InService {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for InService {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        o.end.total_cmp(&self.end)
    }
}

/// What the lines need to know of the callers in the centre: who waits, who
/// has hung up, and the redials to come.
#[derive(Default)]
struct Trunks {
    /// Callers waiting who have not hung up yet.
    waiting: u32,
    /// Per caller who got a line: whether they hung up (counted) or were
    /// answered, i.e. left the queue.
    left: Vec<bool>,
    /// Deadlines of callers who got a line, earliest first: (deadline,
    /// caller, interval they arrived in).
    deadlines: BinaryHeap<Reverse<(OrdF64, usize, usize)>>,
    /// Redials to come: (time, interval of the busy signal).
    redials: BinaryHeap<Reverse<(OrdF64, usize)>>,
    /// Per minute of the run: attempts and busy signals.
    minute_attempts: Vec<u32>,
    minute_busy: Vec<u32>,
}

/// An `f64` ordered by `total_cmp`, for the heaps.
#[derive(Debug, Clone, Copy, PartialEq)]
struct OrdF64(f64);
impl Eq for OrdF64 {}
impl PartialOrd for OrdF64 {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for OrdF64 {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&o.0)
    }
}

/// The floor during one replication.
struct Floor<'a> {
    input: &'a SimInput,
    rng: ChaCha8Rng,
    queue: VecDeque<Waiting>,
    busy: BinaryHeap<InService>,
    idle: u32,
    /// Agents to let go as soon as their call ends (the roster shrank).
    leaving: u32,
    counts: Vec<SlotCounts>,
    /// With lines only.
    trunks: Option<Trunks>,
}

impl Floor<'_> {
    fn handle_time(&mut self, slot: usize) -> f64 {
        draw_handle_time(&mut self.rng, self.input.slots[slot].handle, self.input.handle_times)
    }

    /// An agent takes caller `w` at time `now`.
    fn answer(&mut self, w: Waiting, now: f64) {
        let wait = now - w.arrival;
        let c = &mut self.counts[w.slot];
        c.answered += 1;
        c.wait_answered += wait;
        if wait <= self.input.answer_time.get() + 1e-9 {
            c.answered_in_time += 1;
        }
        let end = now + self.handle_time(w.slot);
        self.add_busy_time(now, end);
        self.busy.push(InService { end });
    }

    /// Spread an agent's busy time over the intervals it falls in.
    fn add_busy_time(&mut self, from: f64, to: f64) {
        let counts = &mut self.counts;
        let slots = counts.len();
        spread_over_intervals(self.input.interval_seconds, slots, from, to, |k, secs| counts[k].busy_seconds += secs);
    }

    /// The first caller still waiting at `now` (those past their patience
    /// have hung up and are counted as abandoned).
    fn next_waiting(&mut self, now: f64) -> Option<Waiting> {
        while let Some(w) = self.queue.pop_front() {
            if let Some(tr) = self.trunks.as_mut() {
                if tr.left[w.id] {
                    continue; // hung up earlier, already counted
                }
                tr.left[w.id] = true;
                tr.waiting -= 1;
            }
            if w.deadline >= now {
                return Some(w);
            }
            self.counts[w.slot].abandoned += 1;
        }
        None
    }

    /// Callers whose patience ran out before `now` hang up and free their
    /// line (lines only: without them nobody needs to know before an agent
    /// reaches them).
    fn hang_up_before(&mut self, now: f64) {
        let Some(tr) = self.trunks.as_mut() else { return };
        while let Some(Reverse((OrdF64(d), id, slot))) = tr.deadlines.peek().copied() {
            if d >= now {
                break;
            }
            tr.deadlines.pop();
            if !tr.left[id] {
                tr.left[id] = true;
                tr.waiting -= 1;
                self.counts[slot].abandoned += 1;
            }
        }
    }

    /// An agent is free at `now`: leave, take the next caller, or wait.
    fn agent_free(&mut self, now: f64) {
        if self.leaving > 0 {
            self.leaving -= 1;
        } else if let Some(w) = self.next_waiting(now) {
            self.answer(w, now);
        } else {
            self.idle += 1;
        }
    }

    /// Calls that end by `until`.
    fn finish_calls(&mut self, until: f64) {
        while self.busy.peek().is_some_and(|c| c.end <= until) {
            let Some(c) = self.busy.pop() else { break };
            self.agent_free(c.end);
        }
    }

    /// The roster puts `agents` on the phones from `now`.
    fn staff(&mut self, agents: u32, now: f64) {
        let present = self.idle + self.busy.len() as u32 - self.leaving;
        if agents >= present {
            let mut extra = agents - present;
            // Cancel departures first: those agents stay on.
            let kept = extra.min(self.leaving);
            self.leaving -= kept;
            extra -= kept;
            for _ in 0..extra {
                self.agent_free(now);
            }
        } else {
            let mut fewer = present - agents;
            let from_idle = fewer.min(self.idle);
            self.idle -= from_idle;
            fewer -= from_idle;
            self.leaving += fewer;
        }
    }

    fn arrival(&mut self, slot: usize, at: f64) {
        if self.hears_busy(slot, at) {
            return;
        }
        self.counts[slot].offered += 1;
        let deadline = match self.input.slots[slot].patience {
            Some(p) => at + Exp::new(1.0 / p.get().max(1e-9)).map_or(f64::INFINITY, |d| d.sample(&mut self.rng)),
            None => f64::INFINITY,
        };
        let mut w = Waiting { arrival: at, deadline, slot, id: 0 };
        if self.idle > 0 && self.queue.is_empty() {
            self.idle -= 1;
            self.answer(w, at);
        } else {
            if let Some(tr) = self.trunks.as_mut() {
                w.id = tr.left.len();
                tr.left.push(false);
                tr.waiting += 1;
                if deadline.is_finite() {
                    tr.deadlines.push(Reverse((OrdF64(deadline), w.id, slot)));
                }
            }
            self.queue.push_back(w);
        }
    }

    /// With lines: whether the attempt at `at` finds every trunk taken (or,
    /// when it would wait, every IVR port); if so it is counted, and the
    /// caller calls again later or is lost.
    fn hears_busy(&mut self, slot: usize, at: f64) -> bool {
        let Some(lines) = self.input.lines else { return false };
        self.hang_up_before(at);
        let Some(tr) = self.trunks.as_mut() else { return false };
        let minute = (at / 60.0) as usize;
        if let Some(a) = tr.minute_attempts.get_mut(minute) {
            *a += 1;
        }
        let in_centre = self.busy.len() as u32 + tr.waiting;
        let would_wait = self.idle == 0 || !self.queue.is_empty();
        let full = in_centre >= lines.trunks || (would_wait && lines.ivr_ports.is_some_and(|p| tr.waiting >= p));
        if !full {
            return false;
        }
        if let Some(b) = tr.minute_busy.get_mut(minute) {
            *b += 1;
        }
        self.counts[slot].busy_signals += 1;
        if self.rng.gen::<f64>() < lines.redial_share {
            let delay = Exp::new(1.0 / (lines.redial_minutes * 60.0)).map_or(120.0, |d| d.sample(&mut self.rng));
            tr.redials.push(Reverse((OrdF64(at + delay), slot)));
        } else {
            self.counts[slot].lost_to_busy += 1;
        }
        true
    }

    /// The next redial before `until`, if any.
    fn next_redial_before(&mut self, until: f64) -> Option<f64> {
        let tr = self.trunks.as_mut()?;
        let Reverse((OrdF64(at), _)) = *tr.redials.peek()?;
        (at < until).then(|| {
            tr.redials.pop();
            at
        })
    }

    /// Arrival times of an interval: a Poisson count at the (possibly drawn)
    /// rate, placed uniformly, in order.
    fn arrivals(&mut self, slot: usize) -> Vec<f64> {
        let mean = self.input.slots[slot].calls;
        if mean <= 0.0 {
            return Vec::new();
        }
        let rate = match self.input.dispersion_k {
            Some(k) if k.is_finite() && k > 0.0 => Gamma::new(k, mean / k).map_or(mean, |g| g.sample(&mut self.rng)),
            _ => mean,
        };
        let n = if rate > 0.0 { Poisson::new(rate).map_or(0.0, |p| p.sample(&mut self.rng)) as usize } else { 0 };
        let len = self.input.interval_seconds;
        let start = slot as f64 * len;
        let shares = self.input.minute_shares.get(slot).and_then(|s| s.as_deref()).filter(|s| !s.is_empty());
        let mut times: Vec<f64> = match shares {
            None => (0..n).map(|_| start + self.rng.gen::<f64>() * len).collect(),
            Some(shares) => {
                let width = len / shares.len() as f64;
                let total: f64 = shares.iter().sum();
                (0..n)
                    .map(|_| {
                        let m = pick(shares, total, self.rng.gen::<f64>());
                        start + (m as f64 + self.rng.gen::<f64>()) * width
                    })
                    .collect()
            }
        };
        times.sort_by(f64::total_cmp);
        times
    }
}

/// A handle time around `mean` with the run's distribution.
fn draw_handle_time(rng: &mut ChaCha8Rng, mean: Seconds, shape: HandleTimes) -> f64 {
    let mean = mean.get().max(1e-9);
    match shape {
        HandleTimes::Exponential => Exp::new(1.0 / mean).map_or(mean, |d| d.sample(rng)),
        HandleTimes::LogNormal { cv } => {
            let s2 = (1.0 + cv * cv).ln();
            LogNormal::new(mean.ln() - s2 / 2.0, s2.sqrt()).map_or(mean, |d| d.sample(rng))
        }
    }
}

/// Busy time from `from` to `to` split over the intervals of `len` seconds
/// it falls in (the first `slots` of them): `add(interval, seconds)`.
fn spread_over_intervals(len: f64, slots: usize, from: f64, to: f64, mut add: impl FnMut(usize, f64)) {
    let mut t = from;
    while t < to {
        let k = (t / len).floor() as usize;
        if k >= slots {
            break;
        }
        let edge = ((k + 1) as f64 * len).min(to);
        add(k, edge - t);
        t = edge;
    }
}

/// The index `u` (uniform in 0..1) falls on when `weights` (summing to
/// `total`) are laid end to end.
fn pick(weights: &[f64], total: f64, u: f64) -> usize {
    let mut left = u * total;
    for (i, w) in weights.iter().enumerate() {
        if left < *w {
            return i;
        }
        left -= w;
    }
    weights.len() - 1
}

impl Floor<'_> {
    /// Fresh arrivals and redials of interval `t`, in time order.
    fn run_interval(&mut self, t: usize) {
        let end = (t + 1) as f64 * self.input.interval_seconds;
        let fresh = self.arrivals(t);
        let mut next = fresh.into_iter().peekable();
        loop {
            let redial = self.next_redial_before(next.peek().copied().unwrap_or(end));
            let at = match redial {
                Some(at) => at,
                None => match next.next() {
                    Some(at) => at,
                    None => break,
                },
            };
            self.finish_calls(at);
            self.arrival(t, at);
        }
    }
}

/// A week to simulate: the forecast calls of `series` with each interval's
/// handle time and patience (as staffing used them), and `on_phones` agents.
pub fn week_input(
    series: &CallSeries,
    on_phones: &[u32],
    policy: &ServicePolicy,
    handle_times: HandleTimes,
    dispersion_k: Option<f64>,
) -> SimInput {
    let slots = (0..series.len())
        .map(|t| {
            let q = queue_of(series, t, series.calls[t], policy);
            SimSlot {
                calls: if series.open[t] { q.calls.get() } else { 0.0 },
                agents: on_phones.get(t).copied().unwrap_or(0),
                handle: q.aht,
                patience: q.patience,
            }
        })
        .collect();
    SimInput {
        interval_seconds: series.interval.to_seconds().get(),
        slots,
        answer_time: policy.goal.answer_time,
        handle_times,
        dispersion_k,
        lines: None,
        minute_shares: Vec::new(),
    }
}

/// One replication: counts per interval.
pub fn replicate(input: &SimInput, seed: u64, replication: u64) -> Vec<SlotCounts> {
    run(input, seed, replication).0
}

/// One replication: counts per interval and, with lines, per minute
/// (attempts, busy signals).
fn run(input: &SimInput, seed: u64, replication: u64) -> (Vec<SlotCounts>, Option<MinuteCounts>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(replication);
    let len = input.interval_seconds;
    let minutes = (input.slots.len() as f64 * len / 60.0).ceil() as usize;
    let mut f = Floor {
        input,
        rng,
        queue: VecDeque::new(),
        busy: BinaryHeap::new(),
        idle: 0,
        leaving: 0,
        counts: vec![SlotCounts::default(); input.slots.len()],
        trunks: input.lines.map(|_| Trunks {
            minute_attempts: vec![0; minutes],
            minute_busy: vec![0; minutes],
            ..Trunks::default()
        }),
    };
    for (t, slot) in input.slots.iter().enumerate() {
        let start = t as f64 * len;
        f.finish_calls(start);
        f.staff(slot.agents, start);
        f.run_interval(t);
    }
    // After the last interval the agents finish their calls and go; callers
    // still waiting then are not answered (abandoned if they would hang up);
    // redials still to come are lost to the busy signal they heard.
    let end = input.slots.len() as f64 * len;
    f.finish_calls(end);
    f.hang_up_before(f64::INFINITY);
    let trunks = f.trunks.take();
    while let Some(w) = f.queue.pop_front() {
        let counted = trunks.as_ref().is_some_and(|tr| tr.left[w.id]);
        if w.deadline.is_finite() && !counted {
            f.counts[w.slot].abandoned += 1;
        }
    }
    let minutes = trunks.map(|mut tr| {
        while let Some(Reverse((_, slot))) = tr.redials.pop() {
            f.counts[slot].lost_to_busy += 1;
        }
        MinuteCounts { attempts: tr.minute_attempts, busy: tr.minute_busy }
    });
    (f.counts, minutes)
}

/// Attempts and busy signals per minute of a run (summed over replications).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MinuteCounts {
    pub attempts: Vec<u32>,
    pub busy: Vec<u32>,
}

impl MinuteCounts {
    fn add(&mut self, o: &MinuteCounts) {
        if self.attempts.is_empty() {
            self.attempts = vec![0; o.attempts.len()];
            self.busy = vec![0; o.busy.len()];
        }
        for (a, b) in self.attempts.iter_mut().zip(&o.attempts) {
            *a += b;
        }
        for (a, b) in self.busy.iter_mut().zip(&o.busy) {
            *a += b;
        }
    }
}

/// A mean over the replications with its central 95% range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    pub mean: f64,
    pub low95: f64,
    pub high95: f64,
}

impl Estimate {
    /// Mean and 2.5% / 97.5% quantiles of `values` (NaN values, where a
    /// replication had no callers, left out).
    fn of(values: &mut Vec<f64>) -> Option<Estimate> {
        values.retain(|v| !v.is_nan());
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let q = |p: f64| values[((values.len() - 1) as f64 * p).round() as usize];
        Some(Estimate { mean: values.iter().sum::<f64>() / values.len() as f64, low95: q(0.025), high95: q(0.975) })
    }
}

/// What the simulation says of a group of intervals (one, or a day).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Outcome {
    /// Answered within the target / offered (all callers).
    pub service_level: Option<Estimate>,
    /// Mean wait of answered callers, seconds.
    pub asa_seconds: Option<Estimate>,
    /// Abandoned / offered.
    pub abandon_rate: Option<Estimate>,
    /// Busy agent-time / agent-time on the phones.
    pub occupancy: Option<Estimate>,
    /// With lines: busy signals / call attempts (redials included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub busy_share: Option<Estimate>,
    /// With lines: mean busy signals, and mean callers lost to them (heard a
    /// busy signal and did not call again), per replication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub busy_signals: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lost_to_busy: Option<f64>,
    /// With lines: mean callers who got a line and hung up before an answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abandoned_calls: Option<f64>,
}

/// Sum of counts of the given intervals.
fn total(counts: &[SlotCounts], slots: impl Iterator<Item = usize>) -> SlotCounts {
    slots.fold(SlotCounts::default(), |mut a, t| {
        let c = counts[t];
        a.offered += c.offered;
        a.answered += c.answered;
        a.answered_in_time += c.answered_in_time;
        a.abandoned += c.abandoned;
        a.wait_answered += c.wait_answered;
        a.busy_seconds += c.busy_seconds;
        a.busy_signals += c.busy_signals;
        a.lost_to_busy += c.lost_to_busy;
        a
    })
}

/// The outcome of intervals `slots` over replications `runs`.
fn outcome(input: &SimInput, runs: &[Vec<SlotCounts>], slots: &[usize]) -> Outcome {
    let staffed: f64 = slots.iter().map(|&t| input.slots[t].agents as f64 * input.interval_seconds).sum();
    let mut sl = Vec::with_capacity(runs.len());
    let mut asa = Vec::with_capacity(runs.len());
    let mut ab = Vec::with_capacity(runs.len());
    let mut occ = Vec::with_capacity(runs.len());
    let mut busy = Vec::with_capacity(runs.len());
    let (mut signals, mut lost, mut abandoned) = (0u64, 0u64, 0u64);
    for r in runs {
        let c = total(r, slots.iter().copied());
        let per_offered = |x: f64| if c.offered > 0 { x / c.offered as f64 } else { f64::NAN };
        sl.push(per_offered(c.answered_in_time as f64));
        ab.push(per_offered(c.abandoned as f64));
        asa.push(if c.answered > 0 { c.wait_answered / c.answered as f64 } else { f64::NAN });
        occ.push(if staffed > 0.0 { (c.busy_seconds / staffed).min(1.0) } else { f64::NAN });
        let attempts = c.offered + c.busy_signals;
        busy.push(if attempts > 0 { c.busy_signals as f64 / attempts as f64 } else { f64::NAN });
        signals += c.busy_signals as u64;
        lost += c.lost_to_busy as u64;
        abandoned += c.abandoned as u64;
    }
    let with_lines = input.lines.is_some();
    let mean = |n: u64| (with_lines && !runs.is_empty()).then(|| n as f64 / runs.len() as f64);
    Outcome {
        service_level: Estimate::of(&mut sl),
        asa_seconds: Estimate::of(&mut asa),
        abandon_rate: Estimate::of(&mut ab),
        occupancy: Estimate::of(&mut occ),
        busy_share: if with_lines { Estimate::of(&mut busy) } else { None },
        busy_signals: mean(signals),
        lost_to_busy: mean(lost),
        abandoned_calls: mean(abandoned),
    }
}

/// The simulated week: per interval and per day (days of `slots_per_day`).
#[derive(Debug, Clone, Serialize)]
pub struct SimReport {
    pub replications: usize,
    pub seed: u64,
    pub intervals: Vec<Outcome>,
    pub days: Vec<Outcome>,
    /// With lines: per interval, its minute with the largest busy share over
    /// the replications (`None` where nobody heard a busy signal).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub worst_minutes: Vec<Option<WorstMinute>>,
    /// With lines: the whole run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub whole: Option<Outcome>,
}

/// The minute of an interval whose attempts most often heard a busy signal.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WorstMinute {
    /// Minutes from the interval's start.
    pub minute: u32,
    /// Busy signals / attempts in that minute, over all replications.
    pub busy_share: f64,
    /// Mean busy signals in that minute per replication.
    pub busy_signals: f64,
}

/// Replications run at once: their per-minute counts are summed before the
/// next batch, so memory does not grow with the replications.
const BATCH: u64 = 64;

/// Run the replications in parallel and summarise them per interval and per
/// day (`days`: the intervals of each day).
pub fn simulate(input: &SimInput, settings: &SimSettings, days: &[Vec<usize>]) -> SimReport {
    let reps = settings.replications as u64;
    let mut runs: Vec<Vec<SlotCounts>> = Vec::with_capacity(settings.replications);
    let mut minutes = MinuteCounts::default();
    let mut first = 0;
    while first < reps {
        let last = (first + BATCH).min(reps);
        let batch: Vec<_> = (first..last).into_par_iter().map(|r| run(input, settings.seed, r)).collect();
        for (counts, m) in batch {
            runs.push(counts);
            if let Some(m) = m {
                minutes.add(&m);
            }
        }
        first = last;
    }
    let intervals = (0..input.slots.len()).map(|t| outcome(input, &runs, &[t])).collect();
    let days = days.iter().map(|slots| outcome(input, &runs, slots)).collect();
    let (worst_minutes, whole) = match input.lines {
        Some(_) => {
            let all: Vec<usize> = (0..input.slots.len()).collect();
            (worst_minutes(input, &minutes, reps), Some(outcome(input, &runs, &all)))
        }
        None => (Vec::new(), None),
    };
    SimReport { replications: settings.replications, seed: settings.seed, intervals, days, worst_minutes, whole }
}

/// Per interval, the minute with the largest busy share.
fn worst_minutes(input: &SimInput, m: &MinuteCounts, reps: u64) -> Vec<Option<WorstMinute>> {
    let per = (input.interval_seconds / 60.0).round().max(1.0) as usize;
    (0..input.slots.len())
        .map(|t| {
            (0..per)
                .filter_map(|k| {
                    let i = t * per + k;
                    let (a, b) = (*m.attempts.get(i)?, *m.busy.get(i)?);
                    (b > 0).then(|| WorstMinute {
                        minute: k as u32,
                        busy_share: b as f64 / a as f64,
                        busy_signals: b as f64 / reps.max(1) as f64,
                    })
                })
                .fold(None, |best: Option<WorstMinute>, w| match best {
                    Some(b) if b.busy_share >= w.busy_share => Some(b),
                    _ => Some(w),
                })
        })
        .collect()
}

/// The intervals of each calendar day of `starts` (in order of the days).
pub fn days_of(starts: &[chrono::NaiveDateTime]) -> Vec<Vec<usize>> {
    let mut days: Vec<(chrono::NaiveDate, Vec<usize>)> = Vec::new();
    for (t, s) in starts.iter().enumerate() {
        match days.last_mut() {
            Some((d, slots)) if *d == s.date() => slots.push(t),
            _ => days.push((s.date(), vec![t])),
        }
    }
    days.into_iter().map(|(_, slots)| slots).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff::erlang::metrics;
    use proptest::prelude::*;

    /// `hours` of a stationary queue in 30-minute intervals.
    fn stationary(calls: f64, agents: u32, aht: f64, patience: Option<f64>, hours: usize) -> SimInput {
        SimInput {
            interval_seconds: 1800.0,
            slots: vec![
                SimSlot {
                    calls,
                    agents,
                    handle: Seconds::new(aht).unwrap(),
                    patience: patience.map(|p| Seconds::new(p).unwrap()),
                };
                hours * 2
            ],
            answer_time: Seconds::new(20.0).unwrap(),
            handle_times: HandleTimes::Exponential,
            dispersion_k: None,
            lines: None,
            minute_shares: Vec::new(),
        }
    }

    /// Service level and ASA over all intervals after a warm-up hour, pooled
    /// over `reps` replications.
    fn pooled(input: &SimInput, reps: u64) -> (f64, f64, f64) {
        let mut c = SlotCounts::default();
        for r in 0..reps {
            let counts = replicate(input, 7, r);
            let t = total(&counts, 2..counts.len() - 1);
            c.offered += t.offered;
            c.answered += t.answered;
            c.answered_in_time += t.answered_in_time;
            c.abandoned += t.abandoned;
            c.wait_answered += t.wait_answered;
        }
        (
            c.answered_in_time as f64 / c.offered as f64,
            c.wait_answered / c.answered as f64,
            c.abandoned as f64 / c.offered as f64,
        )
    }

    #[test]
    fn reruns_are_identical_and_seeds_differ() {
        let input = stationary(100.0, 13, 180.0, Some(300.0), 4);
        let s = SimSettings { replications: 20, seed: 3 };
        let days: Vec<Vec<usize>> = vec![(0..4).collect(), (4..8).collect()];
        let a = serde_json::to_string(&simulate(&input, &s, &days)).unwrap();
        let b = serde_json::to_string(&simulate(&input, &s, &days)).unwrap();
        assert_eq!(a, b);
        let c = serde_json::to_string(&simulate(&input, &SimSettings { seed: 4, ..s }, &days)).unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn no_agents_no_answers_and_every_caller_is_counted() {
        let input = stationary(50.0, 0, 180.0, Some(60.0), 2);
        let c = replicate(&input, 1, 0);
        let t = total(&c, 0..c.len());
        assert!(t.offered > 100 && t.answered == 0 && t.abandoned == t.offered, "{t:?}");
        let input = stationary(50.0, 5, 180.0, Some(60.0), 2);
        let t = total(&replicate(&input, 1, 0), 0..4);
        assert_eq!(t.answered + t.abandoned, t.offered, "every caller answered or abandoned: {t:?}");
    }

    /// A shift change: agents leaving finish their calls; busy time never
    /// exceeds the agents on the phones by more than those calls.
    #[test]
    fn agents_leaving_finish_their_calls() {
        let mut input = stationary(200.0, 25, 300.0, None, 2);
        input.slots[2].agents = 5;
        input.slots[3].agents = 0;
        let c = replicate(&input, 2, 0);
        assert!(c[2].busy_seconds > 0.0 && c[3].busy_seconds < 5.0 * 1800.0, "{c:?}");
    }

    fn lines(trunks: u32, redial_share: f64) -> Lines {
        Lines { trunks, ivr_ports: None, redial_share, redial_minutes: 2.0, target_busy: 0.01 }
    }

    /// Busy share and service level of callers who got a line, pooled after
    /// a warm-up hour.
    fn pooled_lines(input: &SimInput, reps: u64) -> (f64, f64) {
        let mut c = SlotCounts::default();
        for r in 0..reps {
            let counts = replicate(input, 11, r);
            let t = total(&counts, 2..counts.len() - 1);
            c.offered += t.offered;
            c.busy_signals += t.busy_signals;
            c.answered_in_time += t.answered_in_time;
        }
        (c.busy_signals as f64 / (c.offered + c.busy_signals) as f64, c.answered_in_time as f64 / c.offered as f64)
    }

    /// Every caller is accounted for: got a line (answered, abandoned or
    /// still talking at the end), or heard a busy signal; busy callers who
    /// do not call again are lost, the others come back as attempts.
    #[test]
    fn with_lines_every_attempt_is_counted() {
        let mut input = stationary(300.0, 10, 180.0, Some(120.0), 3);
        input.lines = Some(lines(12, 0.6));
        let c = replicate(&input, 3, 0);
        let t = total(&c, 0..c.len());
        assert!(t.busy_signals > 100 && t.lost_to_busy > 0 && t.lost_to_busy < t.busy_signals, "{t:?}");
        assert_eq!(t.answered + t.abandoned, t.offered, "{t:?}");
        // No lines: identical to the run without them, counts and all.
        let mut wide = stationary(300.0, 10, 180.0, Some(120.0), 3);
        let plain = replicate(&wide, 3, 0);
        wide.lines = Some(lines(100_000, 0.6));
        assert_eq!(replicate(&wide, 3, 0), plain, "lines nobody fills change nothing");
    }

    /// IVR ports limit the callers waiting, not those talking: with no port
    /// nobody waits (a pure loss system, Erlang B).
    #[test]
    fn no_ivr_port_means_nobody_waits() {
        let mut input = stationary(150.0, 8, 180.0, None, 40);
        input.lines = Some(Lines { ivr_ports: Some(0), ..lines(50, 0.0) });
        let (busy, sl) = pooled_lines(&input, 20);
        let b = crate::staff::erlang::erlang_b(150.0 * 180.0 / 1800.0, 8);
        assert!((busy - b).abs() < 0.005, "busy {busy} vs Erlang B {b}");
        assert!(sl > 0.999, "{sl}");
    }

    /// A burst on a minute curve: the calls arrive in its minutes, and the
    /// busy signals with them.
    #[test]
    fn a_burst_shows_in_its_minutes() {
        let mut input = stationary(0.0, 10, 180.0, Some(120.0), 1);
        input.interval_seconds = 900.0;
        input.slots = vec![SimSlot { calls: 200.0, ..input.slots[0] }; 2];
        let mut shares = vec![0.0; 15];
        shares[3] = 1.0;
        input.minute_shares = vec![Some(shares), None];
        input.lines = Some(lines(15, 0.0));
        let report = simulate(&input, &SimSettings { replications: 40, seed: 2 }, &[vec![0, 1]]);
        let w = report.worst_minutes[0].expect("busy signals in the burst");
        assert_eq!(w.minute, 3, "{w:?}");
        assert!(w.busy_share > 0.5, "{w:?}");
        let even = report.worst_minutes[1].map_or(0.0, |w| w.busy_share);
        assert!(even < w.busy_share, "spread evenly the busy share is lower: {even}");
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 6, failure_persistence: None, ..ProptestConfig::default() })]

        /// Stationary M/M/N/K(+M): the simulated busy share and the service
        /// level of callers who got a line within 0.5 points of the exact
        /// chain (`staff::lines`).
        #[test]
        fn stationary_lines_match_the_chain(load in 4.0f64..40.0, spare in 0u32..12, patience in prop::option::of(60.0f64..600.0)) {
            let aht = 200.0;
            let agents = load.ceil() as u32;
            let calls = load * 1800.0 / aht;
            let mut input = stationary(calls, agents, aht, patience, 100);
            input.lines = Some(lines(agents + spare, 0.0));
            let reps = (4e6 / (calls * 200.0)).ceil() as u64;
            let (busy, sl) = pooled_lines(&input, reps);
            let q = crate::staff::lines::LineQueue {
                lambda: calls / 1800.0,
                mu: 1.0 / aht,
                theta: patience.map_or(0.0, |p| 1.0 / p),
                agents,
                lines: agents + spare,
                t: 20.0,
            };
            let m = q.metrics();
            prop_assert!((busy - m.busy_share).abs() < 0.005, "busy {busy} vs {} (load {load}, n {agents}, K {})", m.busy_share, agents + spare);
            prop_assert!((sl - m.sl_accepted).abs() < 0.005, "SL {sl} vs {}", m.sl_accepted);
        }

        /// Stationary M/M/n and M/M/n+M: the simulated service level within
        /// 0.5 percentage points of Erlang C / Erlang A, ASA within 2% (plus
        /// 0.2 s where waits are tiny) with at least √a spare agents,
        /// abandonment within 0.5 points.
        #[test]
        fn stationary_queues_match_erlang(load in 5.0f64..60.0, extra in 0.5f64..2.5, patience in prop::option::of(60.0f64..600.0)) {
            let aht = 240.0;
            let agents = (load + extra * load.sqrt()).ceil() as u32;
            let calls = load * 1800.0 / aht;
            let input = stationary(calls, agents, aht, patience, 200);
            // About twelve million callers per case: queues are strongly
            // autocorrelated (0.4 points of service-level noise at 600,000
            // callers, load 5; ASA 6% off at three million, load 55).
            let reps = (1.2e7 / (calls * 400.0)).ceil() as u64;
            let (sl, asa, ab) = pooled(&input, reps);
            let theta = patience.map_or(0.0, |p| 1.0 / p);
            let m = metrics(calls / 1800.0, 1.0 / aht, theta, agents, 20.0);
            prop_assert!((sl - m.sl_all).abs() < 0.005, "SL {sl} vs {} (load {load}, n {agents}, patience {patience:?})", m.sl_all);
            // Waits near the stability point are long-memory: ASA is checked
            // from √a spare agents up (at 0.5√a, load 45, three million
            // callers estimate it 5% off; service level is fine there).
            if extra >= 1.0 {
                prop_assert!((asa - m.asa).abs() < 0.02 * m.asa + 0.2, "ASA {asa} vs {}", m.asa);
            }
            prop_assert!((ab - m.p_abandon).abs() < 0.005, "abandon {ab} vs {}", m.p_abandon);
        }
    }
}
