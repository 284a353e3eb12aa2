//! Finite lines: the trunks, SIP channels or IVR ports a caller must seize
//! before they can wait for an agent.
//!
//! With `K` lines and `N` agents the centre is the birth–death chain
//! M/M/N/K+M: callers arrive at rate λ while fewer than `K` are in the
//! centre (talking or waiting), and the one who finds every line taken hears
//! a busy signal; `min(i, N)` are served at rate μ each and the `(i − N)⁺`
//! waiting abandon at rate θ each. Its stationary distribution is exact by
//! the product of the chain's rates (in log space, so hundreds of lines stay
//! exact), and by PASTA an arriving caller sees it: the busy share is `π_K`
//! (Erlang B when `K = N`), and an accepted caller who finds `j` ahead in the
//! queue waits and is served as in Erlang A ([`super::erlang`]), because
//! callers who arrive after them never pass them.
//!
//! **Redials.** A share `r` of the callers who hear a busy signal call again
//! (after `redial_minutes`, too short for the interval's load to change), so
//! the attempts are `λ = λ₀ + r·λ·B(λ)`: the fixed point of that map, as in
//! the Extended Erlang B model (Jewett & Shrago, *Designing Optimal Voice
//! Networks*, 1975; the Westbay Engineers calculators, whose worked examples
//! the tests reproduce), with `B` the chain's busy share.

use super::erlang::{hypoexponential_cdfs, log_add_exp};
use super::requirements::queue_of;
use super::ServicePolicy;
use crate::series::CallSeries;

/// The centre's lines, checked (`[lines]` in the config; docs/lines.md).
///
/// A caller holds a trunk from the moment they get through until they hang
/// up or their call ends; while they wait for an agent they also hold an IVR
/// port (the queue's music and messages). With `N` agents on the phones the
/// centre therefore holds at most `min(trunks, N + ivr_ports)` callers: the
/// chain's `K`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lines {
    /// Trunks (SIP channels): 1..=100,000.
    pub trunks: u32,
    /// Ports callers wait on; `None`: as many as the trunks allow.
    pub ivr_ports: Option<u32>,
    /// Share of callers who hear a busy signal and call again: 0..=0.95,
    /// default 0.5.
    pub redial_share: f64,
    /// Mean minutes before a redial: (0, 120], default 2.
    pub redial_minutes: f64,
    /// Busy share the lines are sized for (the worst minute after a spot):
    /// (0, 0.5], default 0.01 (1% busy, the classic telephony target).
    pub target_busy: f64,
}

impl Lines {
    /// Callers the centre can hold with `agents` on the phones.
    pub fn capacity(&self, agents: u32) -> u32 {
        match self.ivr_ports {
            Some(p) => self.trunks.min(agents.saturating_add(p)),
            None => self.trunks,
        }
    }

    /// The same lines with `trunks` trunks (a what-if, or a search).
    pub fn with_trunks(&self, trunks: u32) -> Lines {
        Lines { trunks, ..*self }
    }
}

/// What callers meet with `K` lines and `N` agents (M/M/N/K+M).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineMetrics {
    /// Share of call attempts that find every line taken (a busy signal).
    pub busy_share: f64,
    /// Share of the callers who get a line that wait for an agent.
    pub p_wait: f64,
    /// Share of the callers who get a line that hang up before an answer.
    pub p_abandon: f64,
    /// Share of the callers who get a line answered within the target
    /// (callers who hang up count as not answered in time).
    pub sl_accepted: f64,
    /// Share of all attempts answered within the target: busy signals count
    /// as not answered.
    pub sl_offered: f64,
    /// Mean wait of answered callers, seconds.
    pub asa: f64,
    /// Busy share of the agents.
    pub occupancy: f64,
}

/// The chain's queue: arrival rate `lambda`, service rate `mu`, abandonment
/// rate `theta` (all per second), `agents` and `lines`, answer target `t`
/// seconds. Lines fewer than the agents leave the extra agents idle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineQueue {
    pub lambda: f64,
    pub mu: f64,
    pub theta: f64,
    pub agents: u32,
    pub lines: u32,
    pub t: f64,
}

impl LineQueue {
    /// Agents who can be talking at once: no more than the lines.
    fn servers(&self) -> u32 {
        self.agents.min(self.lines)
    }

    /// Service and abandonment out of state `i` (callers in the centre).
    fn departure_rate(&self, i: u32) -> f64 {
        let n = self.servers();
        i.min(n) as f64 * self.mu + i.saturating_sub(n) as f64 * self.theta
    }

    /// Stationary distribution over 0..=K callers in the centre.
    pub fn stationary(&self) -> Vec<f64> {
        let k = self.lines as usize;
        if self.lambda <= 0.0 {
            let mut pi = vec![0.0; k + 1];
            pi[0] = 1.0;
            return pi;
        }
        let mut log_w = Vec::with_capacity(k + 1);
        log_w.push(0.0f64);
        for i in 1..=self.lines {
            let d = self.departure_rate(i);
            // No way out of state i (no agent, no patience): every later
            // state is reached and none left; all mass sits on the last.
            let step = if d > 0.0 { self.lambda.ln() - d.ln() } else { f64::INFINITY };
            log_w.push(log_w[i as usize - 1] + step);
        }
        if log_w.iter().any(|w| w.is_infinite()) {
            let mut pi = vec![0.0; k + 1];
            pi[k] = 1.0;
            return pi;
        }
        let peak = log_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let w: Vec<f64> = log_w.iter().map(|x| (x - peak).exp()).collect();
        let z: f64 = w.iter().sum();
        w.iter().map(|x| x / z).collect()
    }

    /// Every measure of [`LineMetrics`].
    pub fn metrics(&self) -> LineMetrics {
        let pi = self.stationary();
        let n = self.servers();
        let busy = pi[self.lines as usize];
        let accepted = 1.0 - busy;
        let carried: f64 = pi.iter().enumerate().map(|(i, p)| (i as u32).min(n) as f64 * p).sum();
        let occupancy = if n > 0 { (carried / n as f64).min(1.0) } else { 1.0 };
        if self.lambda <= 0.0 || accepted <= 0.0 {
            let idle = self.lambda <= 0.0;
            return LineMetrics {
                busy_share: busy,
                p_wait: 0.0,
                p_abandon: 0.0,
                sl_accepted: if idle { 1.0 } else { 0.0 },
                sl_offered: if idle { 1.0 } else { 0.0 },
                asa: 0.0,
                occupancy,
            };
        }
        // Accepted callers see states 0..K−1 in proportion to π.
        let seen: Vec<f64> = pi[..self.lines as usize].iter().map(|p| p / accepted).collect();
        let answered_at_once: f64 = seen.iter().take(n as usize).sum();
        let queue = seen.get(n as usize..).unwrap_or(&[]);
        let fate = WaitFate::new(n as f64 * self.mu, self.theta, self.t, queue.len());
        let (mut served, mut in_time, mut wait) = (answered_at_once, answered_at_once, 0.0);
        for (j, p) in queue.iter().enumerate() {
            served += p * fate.served[j];
            in_time += p * fate.served[j] * fate.within[j];
            wait += p * fate.served[j] * fate.mean_wait[j];
        }
        let mean_queue: f64 = pi.iter().enumerate().map(|(i, p)| (i as u32).saturating_sub(n) as f64 * p).sum();
        let p_abandon = (self.theta * mean_queue / (self.lambda * accepted)).clamp(0.0, 1.0);
        let sl_accepted = in_time.clamp(0.0, 1.0);
        LineMetrics {
            busy_share: busy,
            p_wait: queue.iter().sum::<f64>().clamp(0.0, 1.0),
            p_abandon,
            sl_accepted,
            sl_offered: sl_accepted * accepted,
            asa: if served > 0.0 { wait / served } else { f64::INFINITY },
            occupancy,
        }
    }
}

/// What happens to an accepted caller who finds `j` ahead in the queue: the
/// probability they are served, that they are served within `t`, and their
/// mean wait if served. They move up at `Nμ + iθ` while `i` are ahead and
/// abandon at θ: served with `Π_{i≤j} (Nμ+iθ)/(Nμ+(i+1)θ)` after the sum of
/// exponential stages `Nμ + (i+1)θ` (Erlang stages of `Nμ` when θ = 0).
struct WaitFate {
    served: Vec<f64>,
    within: Vec<f64>,
    mean_wait: Vec<f64>,
}

impl WaitFate {
    fn new(n_mu: f64, theta: f64, t: f64, len: usize) -> Self {
        let (mut served, mut mean_wait) = (Vec::with_capacity(len), Vec::with_capacity(len));
        let (mut acc, mut sum) = (1.0, 0.0);
        for i in 0..len {
            let stage = n_mu + (i as f64 + 1.0) * theta;
            acc *= (n_mu + i as f64 * theta) / stage;
            sum += 1.0 / stage;
            served.push(acc);
            mean_wait.push(sum);
        }
        let within = if theta > 0.0 { hypoexponential_cdfs(n_mu, theta, t, len) } else { erlang_cdfs(n_mu, t, len) };
        WaitFate { served, within, mean_wait }
    }
}

/// `P(Erlang(j+1, rate) ≤ t)` for `j < len`: one minus the Poisson(rate·t)
/// probabilities of at most `j` events, summed in log space.
fn erlang_cdfs(rate: f64, t: f64, len: usize) -> Vec<f64> {
    let mut f = vec![0.0; len];
    if t <= 0.0 || rate <= 0.0 {
        return f;
    }
    let x = rate * t;
    let (mut log_term, mut log_sum) = (-x, -x);
    for (j, fj) in f.iter_mut().enumerate() {
        if j > 0 {
            log_term += x.ln() - (j as f64).ln();
            log_sum = log_add_exp(log_sum, log_term);
        }
        *fj = (-log_sum.exp_m1()).clamp(0.0, 1.0);
    }
    f
}

/// Call attempts with redials: `λ = λ₀ + r·λ·B(λ)`, by fixed-point
/// iteration from `λ₀` (each step raises `λ` towards the fixed point, and
/// `r·B < 1` makes it a contraction near it). Returns the attempts per
/// second and the metrics at them.
pub fn with_redials(first: LineQueue, redial_share: f64) -> (f64, LineMetrics) {
    let mut q = first;
    let mut m = q.metrics();
    for _ in 0..REDIAL_ITERATIONS {
        let next = first.lambda + redial_share * q.lambda * m.busy_share;
        if (next - q.lambda).abs() <= 1e-12 * first.lambda.max(1e-300) {
            break;
        }
        q.lambda = next;
        m = q.metrics();
    }
    (q.lambda, m)
}

/// The chain through time, for minutes whose rates change (a spot's burst):
/// the distribution of callers in the centre, stepped through stretches of
/// constant rates exactly by uniformization (Jensen's method: `π(t) = Σₙ
/// Poisson(n; Λt) π₀ Pⁿ` with `P = I + Q/Λ`), starting from the steady state.
#[derive(Debug, Clone, PartialEq)]
pub struct Transient {
    pi: Vec<f64>,
}

/// Most uniformized jumps per piece: longer stretches are cut into pieces
/// (the Poisson weights stay well inside floating point).
const MOST_JUMPS_PER_PIECE: f64 = 40.0;

impl Transient {
    /// The steady state of `q`.
    pub fn stationary(q: LineQueue) -> Transient {
        Transient { pi: q.stationary() }
    }

    /// Run `seconds` at the rates of `q` (its lines may differ from the
    /// last stretch's: callers beyond fewer lines are held at the last).
    /// Returns the share of the stretch's attempts that hear a busy signal
    /// (the time average of `π_K`, by PASTA).
    pub fn run(&mut self, q: LineQueue, seconds: f64) -> f64 {
        let k = q.lines as usize;
        if self.pi.len() != k + 1 {
            let beyond: f64 = self.pi.iter().skip(k + 1).sum();
            self.pi.resize(k + 1, 0.0);
            self.pi[k] += beyond;
        }
        let rate = q.lambda + (0..=q.lines).map(|i| q.departure_rate(i)).fold(0.0, f64::max);
        if rate <= 0.0 || seconds <= 0.0 {
            return self.pi[k];
        }
        let pieces = (rate * seconds / MOST_JUMPS_PER_PIECE).ceil().max(1.0);
        let piece = seconds / pieces;
        let mut busy = 0.0;
        for _ in 0..pieces as usize {
            busy += self.piece(q, rate, piece);
        }
        busy / pieces
    }

    /// One piece: the new distribution and the time-average of `π_K` over it
    /// (`∫₀ᵀ Poisson(n; Λs) ds = P(N(T) > n) / Λ`).
    fn piece(&mut self, q: LineQueue, rate: f64, t: f64) -> f64 {
        let k = q.lines as usize;
        let x = rate * t;
        let mut weight = (-x).exp();
        let mut tail = 1.0 - weight;
        let mut v = self.pi.clone();
        let mut next = vec![0.0; k + 1];
        let mut out: Vec<f64> = v.iter().map(|p| p * weight).collect();
        let mut busy = v[k] * tail / x;
        let mut n = 0.0;
        while tail > 1e-13 {
            n += 1.0;
            for (i, slot) in next.iter_mut().enumerate() {
                let up_in = if i > 0 { v[i - 1] * q.lambda } else { 0.0 };
                let down_in = if i < k { v[i + 1] * q.departure_rate(i as u32 + 1) } else { 0.0 };
                let leave = if i < k { q.lambda } else { 0.0 } + q.departure_rate(i as u32);
                *slot = v[i] * (1.0 - leave / rate) + (up_in + down_in) / rate;
            }
            std::mem::swap(&mut v, &mut next);
            weight *= x / n;
            tail -= weight;
            for (o, p) in out.iter_mut().zip(&v) {
                *o += p * weight;
            }
            busy += v[k] * tail.max(0.0) / x;
        }
        let mass: f64 = out.iter().sum();
        self.pi = out.iter().map(|p| p / mass).collect();
        busy
    }
}

/// One minute of a stretch whose calls change minute by minute: its first
/// attempts (callers who have not heard a busy signal yet) and the queue's
/// agents and rates then (`lambda` and `lines` of `queue` are set from these
/// and the lines).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Minute {
    pub calls: f64,
    pub queue: LineQueue,
}

/// The busy share of each minute of `minutes` with `lines`, by the chain
/// through time ([`Transient`], from the steady state of the first minute's
/// calls); callers who hear a busy signal call again with the lines' share,
/// after an exponential delay of mean `redial_minutes`.
pub fn busy_minutes(lines: &Lines, minutes: &[Minute]) -> Vec<f64> {
    let Some(first) = minutes.first() else { return Vec::new() };
    let at = |m: &Minute, attempts: f64| LineQueue {
        lambda: attempts / 60.0,
        lines: lines.capacity(m.queue.agents),
        ..m.queue
    };
    let mut chain = Transient::stationary(at(first, first.calls));
    let back_per_minute = 1.0 - (-1.0 / lines.redial_minutes).exp();
    let mut waiting_to_redial = 0.0;
    minutes
        .iter()
        .map(|m| {
            let redials = waiting_to_redial * back_per_minute;
            waiting_to_redial -= redials;
            let attempts = m.calls + redials;
            let share = chain.run(at(m, attempts), 60.0);
            waiting_to_redial += attempts * share * lines.redial_share;
            share
        })
        .collect()
}

/// The fewest lines (trunks, up to `most`) that keep every minute of
/// `minutes` at or under `lines.target_busy`; `None` when `most` do not.
pub fn lines_for_minutes(lines: &Lines, minutes: &[Minute], most: u32) -> Option<u32> {
    let worst = |k: u32| busy_minutes(&lines.with_trunks(k), minutes).into_iter().fold(0.0, f64::max);
    fewest_lines(most, |k| worst(k) <= lines.target_busy)
}

/// The fewest lines in 1..=`most` for which `enough` holds, `enough` being
/// monotone (more lines never hurt): double until it holds (the chain grows
/// with the lines, so small counts are tried first), then bisect.
fn fewest_lines(most: u32, enough: impl Fn(u32) -> bool) -> Option<u32> {
    let mut hi = 1u32;
    while !enough(hi) {
        if hi >= most {
            return None;
        }
        hi = hi.saturating_mul(2).min(most);
    }
    let mut lo = if hi == 1 { 0 } else { hi / 2 };
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if enough(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

/// The busy risk of one interval: its callers who would hear a busy signal,
/// their share, and its worst minute (minutes from its start, busy share).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BusyRisk {
    pub busy_callers: f64,
    pub busy_share: f64,
    pub worst_minute: Option<(u32, f64)>,
}

/// Busy risk interval by interval over `slots` of `series` (consecutive),
/// minute by minute through the chain: each interval's calls on its minute
/// curve (`shares`, indexed like the series; evenly where absent) with
/// `on_phones(t)` agents.
pub fn busy_risk(
    lines: &Lines,
    series: &CallSeries,
    slots: std::ops::Range<usize>,
    on_phones: impl Fn(usize) -> u32,
    shares: &[Option<Vec<f64>>],
    policy: &ServicePolicy,
) -> Vec<BusyRisk> {
    let width = (series.interval.to_seconds().get() / 60.0).round().max(1.0) as usize;
    let mut minutes = Vec::with_capacity(slots.len() * width);
    for t in slots.clone() {
        let q = queue_of(series, t, series.calls[t], policy);
        let calls = if series.open[t] { series.calls[t].get() } else { 0.0 };
        let queue = LineQueue {
            lambda: 0.0,
            mu: 1.0 / q.aht.get(),
            theta: q.patience.map_or(0.0, |p| 1.0 / p.get()),
            agents: on_phones(t),
            lines: 0,
            t: policy.goal.answer_time.get(),
        };
        let curve = shares.get(t).and_then(|s| s.as_deref()).filter(|s| s.len() == width);
        for m in 0..width {
            let share = curve.map_or(1.0 / width as f64, |c| c[m]);
            minutes.push(Minute { calls: calls * share, queue });
        }
    }
    let busy = busy_minutes(lines, &minutes);
    busy.chunks(width)
        .zip(minutes.chunks(width))
        .map(|(b, m)| {
            let callers: f64 = b.iter().zip(m).map(|(b, m)| b * m.calls).sum();
            let calls: f64 = m.iter().map(|m| m.calls).sum();
            let worst = b.iter().enumerate().fold(None, |best: Option<(u32, f64)>, (k, v)| match best {
                Some(x) if x.1 >= *v => Some(x),
                _ => (*v > 0.0).then_some((k as u32, *v)),
            });
            BusyRisk {
                busy_callers: callers,
                busy_share: if calls > 0.0 { callers / calls } else { 0.0 },
                worst_minute: worst,
            }
        })
        .collect()
}

/// Most fixed-point steps of [`with_redials`]: at a busy share of 0.9 and
/// every busy caller redialling, the error shrinks by about a tenth a step.
const REDIAL_ITERATIONS: usize = 500;

/// Extended Erlang B: the blocking of `lines` offered `erlangs` of first
/// attempts when a share `recall` of blocked callers immediately retry (no
/// queue: every line is a talking caller). Returns (blocking, offered
/// Erlangs with the retries).
pub fn extended_erlang_b(erlangs: f64, lines: u32, recall: f64) -> (f64, f64) {
    let q = LineQueue { lambda: erlangs, mu: 1.0, theta: 0.0, agents: lines, lines, t: 0.0 };
    let (offered, m) = with_redials(q, recall);
    (m.busy_share, offered)
}

/// The fewest lines (up to `most`) whose busy share with redials is at most
/// `target`; `None` when even `most` lines do not reach it.
pub fn lines_for_busy_target(q: LineQueue, redial_share: f64, target: f64, most: u32) -> Option<u32> {
    let busy = |k: u32| with_redials(LineQueue { lines: k, ..q }, redial_share).1.busy_share;
    fewest_lines(most, |k| busy(k) <= target)
}

/// The fewest agents (up to the lines: more cannot take calls) whose
/// callers who get a line are answered within the target at least
/// `target_sl` of the time, with redials; `None` without lines. With as
/// many agents as lines nobody who gets a line waits, so the goal is always
/// met there: what the lines cost shows in the busy share instead.
pub fn agents_for_goal(q: LineQueue, redial_share: f64, target_sl: f64) -> Option<u32> {
    let sl = |n: u32| with_redials(LineQueue { agents: n, ..q }, redial_share).1.sl_accepted;
    if q.lines == 0 || sl(q.lines) < target_sl {
        return None;
    }
    // The service level rises with the agents: bisect on (0, lines].
    let (mut lo, mut hi) = (0u32, q.lines);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if sl(mid) >= target_sl {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(hi)
}

#[cfg(test)]
mod tests {
    use super::super::erlang::{erlang_b, metrics};
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        (a - b).abs() / b.abs().max(1e-300)
    }

    /// Erlang B tables (traffic carried at 1% and 5% blocking, to 4
    /// significant figures): with as many lines as agents and no queue the
    /// chain's busy share is Erlang B.
    #[test]
    fn lines_equal_to_agents_give_erlang_b_tables() {
        for (lines, erlangs, blocking) in [
            (1u32, 0.0101, 0.01),
            (5, 1.361, 0.01),
            (10, 4.461, 0.01),
            (20, 12.03, 0.01),
            (50, 37.90, 0.01),
            (100, 84.06, 0.01),
            (10, 6.216, 0.05),
            (30, 24.80, 0.05),
        ] {
            let q = LineQueue { lambda: erlangs, mu: 1.0, theta: 0.0, agents: lines, lines, t: 20.0 };
            let b = q.metrics().busy_share;
            assert!(rel(b, blocking) < 1e-3, "{lines} lines, {erlangs} E: {b}");
            assert!(rel(b, erlang_b(erlangs, lines)) < 1e-9, "{lines} lines: chain {b} vs formula");
        }
    }

    /// The chain's stationary distribution against the generator's balance
    /// equations solved directly (πQ = 0, Σπ = 1) by a dense linear solve.
    #[test]
    fn the_chain_matches_an_independent_solve_of_its_generator() {
        for (lambda, agents, lines, theta) in
            [(0.05, 8u32, 12u32, 1.0 / 120.0), (0.2, 10, 10, 0.0), (0.1, 12, 30, 0.0), (0.3, 5, 9, 1.0 / 60.0)]
        {
            let q = LineQueue { lambda, mu: 1.0 / 180.0, theta, agents, lines, t: 20.0 };
            let k = lines as usize + 1;
            let mut a = nalgebra::DMatrix::<f64>::zeros(k, k);
            for i in 0..k {
                let up = if i + 1 < k { lambda } else { 0.0 };
                let down = if i > 0 {
                    (i as f64).min(agents as f64) * q.mu + (i as f64 - agents as f64).max(0.0) * theta
                } else {
                    0.0
                };
                // Column i of Qᵀ: flows out of state i.
                a[(i, i)] -= up + down;
                if i + 1 < k {
                    a[(i + 1, i)] += up;
                }
                if i > 0 {
                    a[(i - 1, i)] += down;
                }
            }
            for j in 0..k {
                a[(k - 1, j)] = 1.0;
            }
            let mut b = nalgebra::DVector::<f64>::zeros(k);
            b[k - 1] = 1.0;
            let direct = a.lu().solve(&b).unwrap();
            let pi = q.stationary();
            for i in 0..k {
                assert!((pi[i] - direct[i]).abs() < 1e-9, "state {i}: {} vs {}", pi[i], direct[i]);
            }
        }
    }

    /// Lines far beyond the queue's reach change nothing: the chain's service
    /// level, ASA and abandonment are Erlang A's (and C's without patience).
    #[test]
    fn many_lines_give_erlang_a_and_c() {
        let (lambda, mu) = (100.0 / 1800.0, 1.0 / 180.0);
        for theta in [0.0, 1.0 / 200.0] {
            let a = metrics(lambda, mu, theta, 12, 20.0);
            let m = LineQueue { lambda, mu, theta, agents: 12, lines: 400, t: 20.0 }.metrics();
            assert!(m.busy_share < 1e-12, "{m:?}");
            assert!((m.sl_accepted - a.sl_all).abs() < 1e-6, "SL {} vs {}", m.sl_accepted, a.sl_all);
            assert!((m.asa - a.asa).abs() < 1e-6, "ASA {} vs {}", m.asa, a.asa);
            assert!((m.p_abandon - a.p_abandon).abs() < 1e-6, "abandon {} vs {}", m.p_abandon, a.p_abandon);
            assert!((m.occupancy - a.occupancy).abs() < 1e-6);
        }
    }

    /// The Westbay Engineers calculators' worked examples of Extended Erlang B.
    #[test]
    fn extended_erlang_b_reproduces_published_examples() {
        // 1,500 Erlangs on 1,000 lines, 20% of blocked calls retry: 0.386.
        let (b, _) = extended_erlang_b(1500.0, 1000, 0.2);
        assert!((b - 0.386).abs() < 5e-4, "{b}");
        // 5.5 Erlangs at 3% blocking with half the blocked calls retried: 11 lines.
        let lines = (1..40).find(|&k| extended_erlang_b(5.5, k, 0.5).0 <= 0.03);
        assert_eq!(lines, Some(11));
        // 200 lines at 3% blocking, 70% retrying, carry 186.877 Erlangs of first attempts.
        let (b, _) = extended_erlang_b(186.877, 200, 0.7);
        assert!((b - 0.03).abs() < 2e-4, "{b}");
    }

    /// Redials raise the attempts and the busy share; none leave Erlang B.
    #[test]
    fn redials_raise_the_busy_share() {
        let q = LineQueue { lambda: 10.0, mu: 1.0, theta: 0.0, agents: 10, lines: 10, t: 0.0 };
        let (plain, m0) = with_redials(q, 0.0);
        assert_eq!(plain, 10.0);
        assert!(rel(m0.busy_share, erlang_b(10.0, 10)) < 1e-12);
        let (attempts, m) = with_redials(q, 0.8);
        assert!(attempts > 10.0 && m.busy_share > m0.busy_share, "{attempts} {m:?}");
        // The fixed point holds.
        assert!((attempts - (10.0 + 0.8 * attempts * m.busy_share)).abs() < 1e-9);
    }

    /// The fewest agents for the goal on 30 lines: one fewer misses it; with
    /// lines to spare it is Erlang C's answer (100 calls in 30 min, 180 s,
    /// 80/20: 14 agents).
    #[test]
    fn agents_for_a_goal_given_the_lines_are_the_fewest() {
        let q = LineQueue { lambda: 100.0 / 1800.0, mu: 1.0 / 180.0, theta: 0.0, agents: 0, lines: 200, t: 20.0 };
        assert_eq!(agents_for_goal(q, 0.5, 0.8), Some(14));
        let tight = LineQueue { lines: 15, ..q };
        let n = agents_for_goal(tight, 0.5, 0.8).unwrap();
        let sl = |n: u32| with_redials(LineQueue { agents: n, ..tight }, 0.5).1.sl_accepted;
        assert!(sl(n) >= 0.8 && sl(n - 1) < 0.8, "{n}");
        assert_eq!(agents_for_goal(LineQueue { lines: 3, ..q }, 0.5, 0.99), Some(3), "nobody waits on 3 lines");
        assert_eq!(agents_for_goal(LineQueue { lines: 0, ..q }, 0.5, 0.8), None);
    }

    /// The chain through time: at constant rates it stays at its steady
    /// state; after a jump in the rate it moves to the new one, and the busy
    /// share of the first minute lies between the two.
    #[test]
    fn the_transient_chain_moves_from_one_steady_state_to_the_next() {
        let quiet = LineQueue { lambda: 0.05, mu: 1.0 / 180.0, theta: 1.0 / 120.0, agents: 8, lines: 12, t: 20.0 };
        let mut c = Transient::stationary(quiet);
        let b = c.run(quiet, 600.0);
        assert!(rel(b, quiet.metrics().busy_share) < 1e-9, "{b} vs {}", quiet.metrics().busy_share);
        let burst = LineQueue { lambda: 0.5, ..quiet };
        let first = c.run(burst, 60.0);
        let steady = burst.metrics().busy_share;
        assert!(first > quiet.metrics().busy_share && first < steady, "{first} vs {steady}");
        let later = c.run(burst, 3600.0);
        assert!(later > first && later < steady + 1e-9, "{later}");
        let mut d = c.clone();
        d.run(burst, 36_000.0);
        for (p, s) in d.pi.iter().zip(burst.stationary()) {
            assert!((p - s).abs() < 1e-9);
        }
        // Fewer lines: callers beyond them are held at the last state.
        let fewer = LineQueue { lines: 9, ..burst };
        c.run(fewer, 1.0);
        assert!((c.pi.iter().sum::<f64>() - 1.0).abs() < 1e-12 && c.pi.len() == 10);
    }

    /// A burst minute by minute: the busy share climbs with it and falls
    /// after; more lines lower it; the lines found keep every minute under
    /// the target and one fewer does not.
    #[test]
    fn a_burst_minute_by_minute() {
        let lines = Lines { trunks: 14, ivr_ports: None, redial_share: 0.5, redial_minutes: 2.0, target_busy: 0.01 };
        let queue = LineQueue { lambda: 0.0, mu: 1.0 / 180.0, theta: 1.0 / 120.0, agents: 10, lines: 0, t: 20.0 };
        let calls = [2.0, 2.0, 12.0, 10.0, 6.0, 3.0, 2.0, 2.0, 2.0, 2.0];
        let minutes: Vec<Minute> = calls.iter().map(|&c| Minute { calls: c, queue }).collect();
        let b = busy_minutes(&lines, &minutes);
        let peak = b.iter().enumerate().max_by(|a, c| a.1.total_cmp(c.1)).unwrap().0;
        assert!((3..=5).contains(&peak), "{b:?}");
        assert!(b[peak] > 10.0 * b[0] && b[9] < b[peak], "{b:?}");
        let more = busy_minutes(&lines.with_trunks(20), &minutes);
        assert!(more.iter().zip(&b).all(|(m, l)| m <= l), "{more:?}");
        let k = lines_for_minutes(&lines, &minutes, 1000).unwrap();
        let worst = |k: u32| busy_minutes(&lines.with_trunks(k), &minutes).into_iter().fold(0.0, f64::max);
        assert!(worst(k) <= 0.01 && worst(k - 1) > 0.01, "{k}");
    }

    /// The fewest lines for a busy target: one fewer misses it.
    #[test]
    fn lines_for_a_busy_target_are_the_fewest() {
        let q = LineQueue { lambda: 0.1, mu: 1.0 / 180.0, theta: 1.0 / 120.0, agents: 18, lines: 18, t: 20.0 };
        let k = lines_for_busy_target(q, 0.5, 0.01, 500).unwrap();
        let busy = |k: u32| with_redials(LineQueue { lines: k, ..q }, 0.5).1.busy_share;
        assert!(busy(k) <= 0.01 && busy(k - 1) > 0.01, "{k}: {} / {}", busy(k), busy(k - 1));
        assert_eq!(lines_for_busy_target(q, 0.5, 1e-12, 19), None);
    }
}
