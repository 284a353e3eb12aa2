//! The count side of the forecast: calls are counts, so prediction intervals
//! come from a count distribution — negative binomial (Poisson with
//! overdispersion) for the day-level model, the normal in the square-root
//! scale √(N+¼) for the low-rank model — and are whole calls.

/// Central prediction interval of a count with mean `mu` whose square root
/// √(N+¼) is normal with sd `sigma`: the mean is f² + σ² − ¼ for the centre f
/// of the square root. Bounds are whole calls (a count inside the continuous
/// bounds is inside the whole ones).
pub fn sqrt_scale_interval(mu: f64, sigma: f64, level: f64) -> (f64, f64) {
    if !(mu > 0.0) {
        return (0.0, 0.0);
    }
    let z = normal_quantile(0.5 + level / 2.0);
    let f = (mu + 0.25 - sigma * sigma).max(0.0).sqrt();
    let lo = ((f - z * sigma).max(0.0).powi(2) - 0.25).max(0.0);
    let hi = (f + z * sigma).powi(2) - 0.25;
    (lo.ceil(), hi.floor().max(lo.ceil()))
}

/// The band of a count with mean `mu` and `extra` variance on top of its
/// noise (the learned responses' uncertainty): the square-root scale with sd
/// `sigma` where the low-rank model gives one (the extra variance added by the
/// delta method, Var √N ≈ Var N / 4μ), else the negative binomial of size `k`
/// with the extra variance added to its own.
pub fn count_interval(mu: f64, sigma: Option<f64>, k: f64, extra: f64, level: f64) -> (f64, f64) {
    match sigma {
        Some(sig) => sqrt_scale_interval(mu, (sig * sig + extra / (4.0 * (mu + 0.25))).sqrt(), level),
        None => nb_interval(mu, with_extra_variance(mu, k, extra), level),
    }
}

/// The negative-binomial size whose variance is that of size `k` plus `extra`.
fn with_extra_variance(mu: f64, k: f64, extra: f64) -> f64 {
    let over = if k.is_finite() { mu * mu / k } else { 0.0 } + extra;
    if over > 0.0 && mu > 0.0 {
        mu * mu / over
    } else {
        k
    }
}

/// Central prediction interval of a negative binomial with mean `mu` and size `k`
/// (Poisson when `k` is infinite): exact by summing the pmf for moderate means,
/// normal approximation with the same variance beyond.
pub fn nb_interval(mu: f64, k: f64, level: f64) -> (f64, f64) {
    if !(mu > 0.0) {
        return (0.0, 0.0);
    }
    let alpha = (1.0 - level) / 2.0;
    let var = mu + if k.is_finite() { mu * mu / k } else { 0.0 };
    if mu > 400.0 {
        let z = normal_quantile(1.0 - alpha);
        return ((mu - z * var.sqrt()).max(0.0).round(), (mu + z * var.sqrt()).round());
    }
    // pmf recursion from 0.
    let mut p = if k.is_finite() { (k / (k + mu)).powf(k) } else { (-mu).exp() };
    let ratio = if k.is_finite() { mu / (k + mu) } else { 0.0 };
    let mut cdf = 0.0;
    let mut lo = None;
    let mut x = 0.0f64;
    let limit = mu + 20.0 * var.sqrt() + 50.0;
    while x <= limit {
        cdf += p;
        if lo.is_none() && cdf >= alpha {
            lo = Some(x);
        }
        if cdf >= 1.0 - alpha {
            return (lo.unwrap_or(x), x);
        }
        p *= if k.is_finite() { (x + k) / (x + 1.0) * ratio } else { mu / (x + 1.0) };
        x += 1.0;
    }
    (lo.unwrap_or(0.0), x)
}

/// Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] =
        [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    let q = p.clamp(1e-300, 1.0 - 1e-16);
    if q < 0.02425 {
        let r = (-2.0 * q.ln()).sqrt();
        (((((C[0] * r + C[1]) * r + C[2]) * r + C[3]) * r + C[4]) * r + C[5])
            / ((((D[0] * r + D[1]) * r + D[2]) * r + D[3]) * r + 1.0)
    } else if q > 1.0 - 0.02425 {
        -normal_quantile(1.0 - q)
    } else {
        let r = q - 0.5;
        let t = r * r;
        (((((A[0] * t + A[1]) * t + A[2]) * t + A[3]) * t + A[4]) * t + A[5]) * r
            / (((((B[0] * t + B[1]) * t + B[2]) * t + B[3]) * t + B[4]) * t + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_interval_matches_known_quantiles() {
        // Poisson(10): 2.5% quantile 4, 97.5% quantile 17 (as R's qpois(c(.025,.975), 10)).
        assert_eq!(nb_interval(10.0, f64::INFINITY, 0.95), (4.0, 17.0));
        // NB size 5, mean 10: 2 and 23 (checked by summing the pmf with lgamma in Python).
        assert_eq!(nb_interval(10.0, 5.0, 0.95), (2.0, 23.0));
        assert_eq!(nb_interval(0.0, 5.0, 0.95), (0.0, 0.0));
        let (lo, hi) = nb_interval(5000.0, f64::INFINITY, 0.95);
        assert!((lo - (5000.0 - 1.96 * 5000f64.sqrt())).abs() < 2.0 && hi > 5130.0);
        assert!((normal_quantile(0.975) - 1.959964).abs() < 1e-6);
    }

    #[test]
    fn square_root_interval_of_poisson_noise_is_close_to_poisson_quantiles() {
        // √(N+¼) of Poisson(100) has sd about ½; qpois(c(.025,.975), 100) = 81, 120.
        assert_eq!(sqrt_scale_interval(100.0, 0.5, 0.95), (82.0, 120.0));
        assert_eq!(sqrt_scale_interval(0.0, 0.5, 0.95), (0.0, 0.0));
        // Wider with a larger error, narrower at a lower level, bounds whole calls.
        let (a, b) = sqrt_scale_interval(40.0, 0.5, 0.8);
        let (c, d) = sqrt_scale_interval(40.0, 0.9, 0.8);
        let (e, f) = sqrt_scale_interval(40.0, 0.9, 0.95);
        assert!(c < a && d > b && e <= c && f >= d, "{a} {b} {c} {d} {e} {f}");
        assert!([a, b, c, d].iter().all(|v| v.fract() == 0.0));
    }

    #[test]
    fn extra_variance_widens_both_kinds_of_band() {
        assert_eq!(count_interval(100.0, Some(0.5), 50.0, 0.0, 0.95), sqrt_scale_interval(100.0, 0.5, 0.95));
        assert_eq!(count_interval(10.0, None, 5.0, 0.0, 0.95), nb_interval(10.0, 5.0, 0.95));
        let (a, b) = count_interval(100.0, Some(0.5), 50.0, 400.0, 0.95);
        let (c, d) = count_interval(100.0, None, f64::INFINITY, 400.0, 0.95);
        assert!(a < 82.0 && b > 120.0 && c < 81.0 && d > 120.0, "{a} {b} {c} {d}");
        assert!(with_extra_variance(100.0, 50.0, 100.0) < 50.0);
        assert_eq!(with_extra_variance(100.0, f64::INFINITY, 0.0), f64::INFINITY);
    }
}
