//! Queueing formulas: Erlang B and C (M/M/n), Erlang A (M/M/n+M, callers abandon
//! with exponential patience).
//!
//! Everything is computed by recursions and in log space — no factorials, no
//! powers of the load — so loads from 0 to beyond 10,000 Erlangs are exact to
//! floating-point precision.
//!
//! Erlang A follows the birth–death chain with abandonment rate θ per waiting
//! caller (Garnett, Mandelbaum & Reiman 2002). A caller who finds `j` ahead in
//! the queue moves up at rate `nμ + iθ` while `i` are ahead and abandons at rate
//! θ, so it is served with probability `P_j = Π_{i≤j} (nμ+iθ)/(nμ+(i+1)θ)` after a
//! hypo-exponential wait whose distribution is computed by uniformisation. With
//! θ = 0 the same code gives Erlang C.

/// Erlang B blocking probability for load `a` Erlangs and `n` servers.
///
/// Small `n`: the stable recursion B(k) = a·B(k−1) / (k + a·B(k−1)), O(n).
/// Large `n`: the series 1/B = Σ_k Π_{i<k} (n−i)/a, whose terms rise while
/// n−i > a and then fall like a Gaussian of width √a, so it stops after
/// about (n−a)⁺ + 40√a terms — O(√a) near the load instead of O(n) (a load of
/// 10¹⁰ Erlangs took 17 s by the recursion).
pub fn erlang_b(a: f64, n: u32) -> f64 {
    if n <= ERLANG_B_SERIES_FROM || a <= 0.0 {
        let mut b = 1.0;
        for k in 1..=n {
            b = a * b / (k as f64 + a * b);
        }
        return b;
    }
    // Terms are kept below 1e200 by moving powers of 1e200 into `log_scale`.
    let (mut sum, mut term, mut log_scale) = (0.0f64, 1.0f64, 0.0f64);
    for k in 0..=n {
        sum += term;
        let remaining = (n - k) as f64;
        if k == n || (remaining < a && term < 1e-17 * sum) {
            break;
        }
        term *= remaining / a;
        if term > 1e200 {
            term *= 1e-200;
            sum *= 1e-200;
            log_scale += 200.0 * std::f64::consts::LN_10;
        }
    }
    (-(sum.ln() + log_scale)).exp()
}

/// Servers from which [`erlang_b`] sums its series instead of recursing.
const ERLANG_B_SERIES_FROM: u32 = 1_000;

/// Erlang C probability of waiting from Erlang B; 1 when `n ≤ a` (unstable).
pub fn erlang_c_from_b(a: f64, n: u32, b: f64) -> f64 {
    let n = n as f64;
    if n <= a {
        return 1.0;
    }
    (n * b / (n - a * (1.0 - b))).clamp(0.0, 1.0)
}

/// Erlang C probability of waiting.
pub fn erlang_c(a: f64, n: u32) -> f64 {
    erlang_c_from_b(a, n, erlang_b(a, n))
}

/// The performance of M/M/n+M (θ ≥ 0; θ = 0 is M/M/n) with arrival rate `lambda`,
/// service rate `mu` and abandonment rate `theta` (all per second), `n` servers
/// and answer-time target `t` seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueueMetrics {
    /// Probability an arriving caller has to wait.
    pub p_wait: f64,
    /// Probability an arriving caller abandons.
    pub p_abandon: f64,
    /// Share of all callers answered within `t` (abandoners count as failures).
    pub sl_all: f64,
    /// Share of answered callers answered within `t`.
    pub sl_answered: f64,
    /// Mean wait of answered callers, seconds (infinite when unstable).
    pub asa: f64,
    /// Mean wait of all callers, seconds (infinite when unstable).
    pub mean_wait_all: f64,
    /// Busy share of the agents.
    pub occupancy: f64,
}

/// Metrics of M/M/n+M. Unstable Erlang C (θ = 0, n·μ ≤ λ) reports waits of
/// infinity, service level 0 and occupancy 1.
pub fn metrics(lambda: f64, mu: f64, theta: f64, n: u32, t: f64) -> QueueMetrics {
    let a = lambda / mu;
    if lambda <= 0.0 {
        return QueueMetrics {
            p_wait: 0.0,
            p_abandon: 0.0,
            sl_all: 1.0,
            sl_answered: 1.0,
            asa: 0.0,
            mean_wait_all: 0.0,
            occupancy: 0.0,
        };
    }
    let nf = n as f64;
    if theta <= 0.0 {
        if nf <= a {
            return QueueMetrics {
                p_wait: 1.0,
                p_abandon: 0.0,
                sl_all: 0.0,
                sl_answered: 0.0,
                asa: f64::INFINITY,
                mean_wait_all: f64::INFINITY,
                occupancy: 1.0,
            };
        }
        let c = erlang_c(a, n);
        let sl = (1.0 - c * (-(nf * mu - lambda) * t).exp()).clamp(0.0, 1.0);
        let asa = c / (nf * mu - lambda);
        return QueueMetrics {
            p_wait: c,
            p_abandon: 0.0,
            sl_all: sl,
            sl_answered: sl,
            asa,
            mean_wait_all: asa,
            occupancy: a / nf,
        };
    }
    // Stationary distribution in log space: k ≤ n, then the queue until negligible.
    let mut log_w = Vec::with_capacity(n as usize + 64);
    log_w.push(0.0f64);
    for k in 1..=n {
        let prev = log_w[k as usize - 1];
        log_w.push(prev + a.ln() - (k as f64).ln());
    }
    let log_n = log_w[n as usize];
    let mut j = 0u32;
    let mut l = log_n;
    let mut peak = log_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    loop {
        j += 1;
        l += lambda.ln() - (nf * mu + j as f64 * theta).ln();
        log_w.push(l);
        peak = peak.max(l);
        if l < peak - 40.0 && (nf * mu + j as f64 * theta) > lambda {
            break;
        }
        if j > 1_000_000 {
            break;
        }
    }
    let w: Vec<f64> = log_w.iter().map(|x| (x - peak).exp()).collect();
    let z: f64 = w.iter().sum();
    let pi: Vec<f64> = w.iter().map(|x| x / z).collect();
    let below: f64 = pi[..n as usize].iter().sum();
    let queue = &pi[n as usize..];
    let p_wait = queue.iter().sum::<f64>();
    let eq: f64 = queue.iter().enumerate().map(|(j, p)| j as f64 * p).sum();
    let p_abandon = (theta * eq / lambda).clamp(0.0, 1.0);
    // A caller finding j ahead: served with P_j after Σ_{i≤j} Exp(s_i).
    let jn = queue.len();
    let s: Vec<f64> = (0..jn).map(|i| nf * mu + (i as f64 + 1.0) * theta).collect();
    let mut served_p = Vec::with_capacity(jn);
    let mut wait_sum = Vec::with_capacity(jn);
    let (mut acc, mut tsum) = (1.0, 0.0);
    for (i, si) in s.iter().enumerate() {
        acc *= (nf * mu + i as f64 * theta) / si;
        tsum += 1.0 / si;
        served_p.push(acc);
        wait_sum.push(tsum);
    }
    let within = hypoexponential_cdfs(nf * mu, theta, t, jn);
    let (mut served, mut served_t, mut served_wait) = (below, below, 0.0);
    for i in 0..jn {
        served += queue[i] * served_p[i];
        served_t += queue[i] * served_p[i] * within[i];
        served_wait += queue[i] * served_p[i] * wait_sum[i];
    }
    let carried = a * (1.0 - p_abandon);
    QueueMetrics {
        p_wait: p_wait.clamp(0.0, 1.0),
        p_abandon,
        sl_all: served_t.clamp(0.0, 1.0),
        sl_answered: if served > 0.0 { (served_t / served).clamp(0.0, 1.0) } else { 0.0 },
        asa: if served > 0.0 { served_wait / served } else { f64::INFINITY },
        mean_wait_all: eq / lambda,
        occupancy: if n > 0 { (carried / nf).min(1.0) } else { 1.0 },
    }
}

/// `F_i(t) = P(Exp(s_0) + … + Exp(s_i) ≤ t)` for `i < len`, where the stages
/// are `s_k = nμ + (k+1)θ`: the wait of a caller who finds `i` ahead.
///
/// With `r = nμ/θ` those rates are `(r+1)θ … (r+i+1)θ`, the spacings of the
/// order statistics of `r+i+1` exponentials of rate θ (Rényi), so `F_i(t)` is
/// the regularised incomplete beta `I_p(i+1, r+1)` with `p = 1 − e^{−θt}`,
/// and `I_p(a+1, b) = I_p(a, b) − p^a q^b / (a B(a, b))` gives every `F_i` in
/// one pass, each term from the last — O(len) however long the queue and
/// however many calls (uniformisation cost grew with the square of the load).
/// The complement is summed in log space, so values near 0 and 1 keep their
/// precision; once it reaches 1 the rest are 0.
pub(crate) fn hypoexponential_cdfs(n_mu: f64, theta: f64, t: f64, len: usize) -> Vec<f64> {
    let mut f = vec![0.0; len];
    if len == 0 || t <= 0.0 || theta <= 0.0 {
        return f;
    }
    let b = n_mu / theta + 1.0;
    let ln_p = (-(-theta * t).exp_m1()).ln();
    // log of T(0) = q^b, and of the complement G_0 = T(0).
    let mut log_term = -theta * t * b;
    let mut log_g = log_term;
    for (a, fa) in f.iter_mut().enumerate() {
        if a > 0 {
            log_term += ln_p + (a as f64 - 1.0 + b).ln() - (a as f64).ln();
            log_g = log_add_exp(log_g, log_term);
        }
        if log_g >= 0.0 {
            break;
        }
        *fa = (-log_g.exp_m1()).clamp(0.0, 1.0);
    }
    f
}

/// ln(e^x + e^y) without overflow.
pub(crate) fn log_add_exp(x: f64, y: f64) -> f64 {
    let (hi, lo) = if x >= y { (x, y) } else { (y, x) };
    if lo == f64::NEG_INFINITY {
        hi
    } else {
        hi + (lo - hi).exp().ln_1p()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn erlang_c_reference_values() {
        // 100 calls / 30 min, AHT 180 s, 80/20: A = 10.
        let (lam, mu) = (100.0 / 1800.0, 1.0 / 180.0);
        let m14 = metrics(lam, mu, 0.0, 14, 20.0);
        assert!(close(m14.p_wait, 0.1741319, 1e-6), "{}", m14.p_wait);
        assert!(close(m14.sl_all, 0.8883500, 1e-6), "{}", m14.sl_all);
        assert!(close(m14.asa, 7.836, 1e-3), "{}", m14.asa);
        assert!(close(m14.occupancy, 0.7143, 1e-4));
        let m13 = metrics(lam, mu, 0.0, 13, 20.0);
        assert!(close(m13.p_wait, 0.285270, 1e-6) && close(m13.sl_all, 0.795595, 1e-6), "{m13:?}");
        // 360 calls / h, AHT 240 s: A = 24.
        let (lam, mu) = (0.1, 1.0 / 240.0);
        let m = metrics(lam, mu, 0.0, 29, 20.0);
        assert!(
            close(m.p_wait, 0.242274, 1e-6) && close(m.sl_all, 0.840283, 1e-6) && close(m.asa, 11.63, 5e-3),
            "{m:?}"
        );
        assert!(close(metrics(lam, mu, 0.0, 28, 20.0).sl_all, 0.761296, 1e-6));
        assert!(close(erlang_c(1000.0, 1030), 0.2489087858, 1e-10), "{}", erlang_c(1000.0, 1030));
    }

    #[test]
    fn erlang_a_reference_values() {
        let (lam, mu, theta) = (100.0 / 1800.0, 1.0 / 180.0, 1.0 / 300.0);
        let m = metrics(lam, mu, theta, 13, 20.0);
        assert!(close(m.p_wait, 0.225797, 1e-6) && close(m.p_abandon, 0.024963, 1e-6), "{m:?}");
        assert!(close(m.sl_all, 0.858178, 1e-6) && close(m.sl_answered, 0.880149, 1e-6), "{m:?}");
        let m = metrics(lam, mu, theta, 14, 20.0);
        assert!(
            close(m.p_wait, 0.145260, 1e-6) && close(m.p_abandon, 0.013984, 1e-6) && close(m.sl_all, 0.916792, 1e-6),
            "{m:?}"
        );
        let m = metrics(lam, mu, theta, 9, 20.0);
        assert!(
            close(m.p_wait, 0.734549, 1e-6) && close(m.p_abandon, 0.163262, 1e-6) && close(m.sl_all, 0.366249, 1e-6),
            "{m:?}"
        );
        let m = metrics(2000.0 / 1800.0, mu, theta, 198, 20.0);
        assert!(
            close(m.p_wait, 0.634291, 1e-6) && close(m.p_abandon, 0.029730, 1e-6) && close(m.sl_all, 0.812687, 1e-6),
            "{m:?}"
        );
    }

    #[test]
    fn erlang_b_series_agrees_with_the_recursion() {
        let recursion = |a: f64, n: u32| (1..=n).fold(1.0, |b, k| a * b / (k as f64 + a * b));
        for (a, n) in [(900.0, 1_001), (1_000.0, 1_030), (1_500.0, 1_200), (5_000.0, 5_300), (10.0, 2_000)] {
            let (got, want) = (erlang_b(a, n), recursion(a, n));
            assert!((got - want).abs() <= 1e-12 + 1e-9 * want, "B({a}, {n}) = {got}, recursion {want}");
        }
        // Far beyond the load the series rescales instead of overflowing.
        let b = erlang_b(10_000.0, 30_000);
        assert!((0.0..1e-300).contains(&b), "{b}");
    }

    #[test]
    fn extreme_loads_stay_finite() {
        for (a, n) in [(0.0, 0), (0.0, 5), (10_000.0, 10_100), (10_000.0, 10_000), (1e-9, 1)] {
            let c = erlang_c(a, n);
            assert!(c.is_finite() && (0.0..=1.0).contains(&c), "C({a},{n}) = {c}");
        }
        let m = metrics(10_000.0 / 300.0, 1.0 / 300.0, 1.0 / 120.0, 10_050, 20.0);
        assert!(m.sl_all.is_finite() && m.p_abandon.is_finite() && m.asa.is_finite(), "{m:?}");
    }

    #[test]
    fn erlang_a_tends_to_erlang_c_as_patience_grows() {
        let (lam, mu) = (100.0 / 1800.0, 1.0 / 180.0);
        let c = metrics(lam, mu, 0.0, 14, 20.0);
        let a = metrics(lam, mu, 1e-9, 14, 20.0);
        assert!(
            close(a.sl_all, c.sl_all, 1e-5) && close(a.p_wait, c.p_wait, 1e-5) && close(a.asa, c.asa, 1e-3),
            "{a:?} vs {c:?}"
        );
    }
}
