//! Response shapes.
//!
//! A spot's calls arrive in a burst: nothing for `onset` minutes (viewers reach
//! for the phone), then a log-normal delay — a skewed peak a minute or two later,
//! most calls within 15 minutes and a tail to about an hour. Because the kernel
//! is a continuous function of minutes it is integrated over each interval, so
//! 5-, 15- or 30-minute history all work.
//!
//! Flights and drops act at day level: daily activity is carried over with a
//! geometric decay λ (adstock, half-life ln ½ / ln λ days), then saturated by a
//! power β < 1 (doubling spend less than doubles calls).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Delay distribution of a spot's calls, in minutes after air time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BurstKernel {
    /// Minutes before the first call (fixed, not learned). Typically 0.5.
    pub onset_minutes: f64,
    /// Log-normal location of the delay after onset (ln minutes).
    pub mu: f64,
    /// Log-normal scale (> 0).
    pub sigma: f64,
}

impl BurstKernel {
    /// Share of the burst's calls arriving within `minutes` of air time.
    pub fn cdf(&self, minutes: f64) -> f64 {
        let x = minutes - self.onset_minutes;
        if x <= 0.0 {
            return 0.0;
        }
        0.5 * libm::erfc(-(x.ln() - self.mu) / (self.sigma * std::f64::consts::SQRT_2))
    }

    /// Share arriving between `a` and `b` minutes after air time.
    pub fn share(&self, a: f64, b: f64) -> f64 {
        (self.cdf(b) - self.cdf(a)).max(0.0)
    }

    /// The minute of the peak call rate (mode of the delay plus onset).
    pub fn peak_minute(&self) -> f64 {
        self.onset_minutes + (self.mu - self.sigma * self.sigma).exp()
    }

    /// Minutes after which the kernel is treated as spent: 99.9% of calls, and
    /// never more than four hours (a spot's calls come within the hour; wider
    /// candidate kernels in the fit need not be followed all day).
    pub fn horizon_minutes(&self) -> f64 {
        (self.onset_minutes + (self.mu + 3.09 * self.sigma).exp()).min(240.0)
    }
}

/// The parts of the day a spot can air in, as (name, first hour, end hour).
/// Response per GRP may differ between them (an evening audience watches with
/// the phone to hand); the learned multipliers are shrunk towards 1, so a
/// daypart with few spots keeps the channel's overall response.
pub const DAYPARTS: [(&str, u32, u32); 6] = [
    ("night", 0, 6),
    ("morning", 6, 12),
    ("afternoon", 12, 17),
    ("early evening", 17, 19),
    ("evening", 19, 22),
    ("late", 22, 24),
];

/// The daypart of an air time's hour (0..24).
pub fn daypart_of(hour: u32) -> usize {
    DAYPARTS.iter().position(|(_, a, b)| (*a..*b).contains(&hour)).unwrap_or(DAYPARTS.len() - 1)
}

/// Calls from one spot: `scale · daypart multiplier · size^beta`, spread by the
/// kernel. `size` is GRPs where the plan gives them, else spend in thousands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpotResponse {
    pub scale: f64,
    pub beta: f64,
    pub kernel: BurstKernel,
    /// Response of a spot in each of [`DAYPARTS`] relative to `scale`; `None`:
    /// the same at every hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dayparts: Option<[f64; DAYPARTS.len()]>,
    /// Response of a spot at each named station relative to `scale` (others: 1).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub stations: BTreeMap<String, f64>,
    /// A Hill saturation in place of the power `size^beta`: `size · (1 + K) /
    /// (size + K)` with this half-saturation size K (the sample generator's
    /// other family of concave responses; 1 at size 1, as the power is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hill_half_size: Option<f64>,
}

impl SpotResponse {
    /// A spot response with the same response at every hour.
    pub fn new(scale: f64, beta: f64, kernel: BurstKernel) -> Self {
        SpotResponse { scale, beta, kernel, dayparts: None, stations: BTreeMap::new(), hill_half_size: None }
    }

    /// Expected calls from a spot of the given size aired at `hour` (0..24).
    pub fn calls(&self, size: f64, hour: u32) -> f64 {
        if size <= 0.0 {
            0.0
        } else {
            self.scale * self.daypart_factor(hour) * self.saturated(size)
        }
    }

    /// A spot's size after saturation (1 at size 1).
    pub fn saturated(&self, size: f64) -> f64 {
        match self.hill_half_size {
            Some(k) => size * (1.0 + k) / (size + k),
            None => size.powf(self.beta),
        }
    }

    /// Expected calls from a spot of the given size aired at `hour` on `station`.
    pub fn calls_at(&self, size: f64, hour: u32, station: &str) -> f64 {
        self.calls(size, hour) * self.station_factor(station)
    }

    /// The response of a spot on `station` relative to the channel's overall one.
    pub fn station_factor(&self, station: &str) -> f64 {
        self.stations.get(station).copied().unwrap_or(1.0)
    }

    /// The response of a spot aired at `hour` relative to the channel's overall one.
    pub fn daypart_factor(&self, hour: u32) -> f64 {
        self.dayparts.map_or(1.0, |m| m[daypart_of(hour)])
    }
}

/// Calls per day from carried-over activity: `scale · adstock^beta`, where the
/// adstock is daily spend in thousands plus λ times yesterday's adstock.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FlightResponse {
    pub scale: f64,
    pub beta: f64,
    /// Geometric carry-over λ in [0, 1).
    pub carryover: f64,
    /// A drop's (email, SMS, push) send-day response: minutes from the send to
    /// the busiest moment of its calls (a log-normal delay, see
    /// [`FlightResponse::send_kernel`]), over the day's intraday shape.
    /// `None` (or 0): the calls follow the day's shape from the send on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_peak_minutes: Option<f64>,
    /// Delayed carry-over: a day's activity weighs λ^|lag − delay| on the days
    /// after it, so the calls peak `delay` days after the spend (0 or `None`:
    /// the geometric carry-over, peaking on the day itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_days: Option<f64>,
    /// A drop's send-day curve as free weights over 15-minute bins after the
    /// send (any shape; takes the place of `send_peak_minutes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_curve: Option<SendCurve>,
    /// The carry-over as free weights over the days after the activity (any
    /// shape; takes the place of `carryover` and `delay_days`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_weights: Option<DayWeights>,
}

/// Minutes per bin of a [`SendCurve`].
pub const SEND_BIN_MINUTES: f64 = 15.0;
/// Bins of a [`SendCurve`]: 32 of 15 minutes, eight hours after the send.
pub const SEND_BINS: usize = 32;
/// Days of a [`DayWeights`] carry-over: the day of the activity and 20 after.
pub const LAG_DAYS: usize = 21;

/// A drop's send-day delay as a histogram: the share of its calls in each
/// 15-minute bin after the send (summing to 1), spread evenly within a bin,
/// so any shape (a gamma, a log-normal, two humps) can be written or learned.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SendCurve {
    pub weights: [f64; SEND_BINS],
}

impl SendCurve {
    /// Weights normalised to sum to 1 (negative ones set to 0); `None` when
    /// nothing is left.
    pub fn normalised(mut weights: [f64; SEND_BINS]) -> Option<SendCurve> {
        weights.iter_mut().for_each(|w| *w = if w.is_finite() { w.max(0.0) } else { 0.0 });
        let total: f64 = weights.iter().sum();
        (total > 0.0).then(|| {
            weights.iter_mut().for_each(|w| *w /= total);
            SendCurve { weights }
        })
    }

    /// A gamma delay with this shape (≥ 1) and mean (minutes), binned; the
    /// mass beyond eight hours goes to the last bin.
    pub fn gamma(shape: f64, mean_minutes: f64) -> Option<SendCurve> {
        let scale = mean_minutes / shape;
        let ln_norm = libm::lgamma(shape) + shape * scale.ln();
        let pdf = |x: f64| if x <= 0.0 { 0.0 } else { ((shape - 1.0) * x.ln() - x / scale - ln_norm).exp() };
        let mut w = [0.0; SEND_BINS];
        let sub = 60;
        for (b, wb) in w.iter_mut().enumerate() {
            // Midpoint rule on 60 sub-steps of 15 seconds.
            let h = SEND_BIN_MINUTES / sub as f64;
            *wb = (0..sub).map(|i| pdf(b as f64 * SEND_BIN_MINUTES + (i as f64 + 0.5) * h) * h).sum();
        }
        let inside: f64 = w.iter().sum();
        w[SEND_BINS - 1] += (1.0 - inside).max(0.0);
        SendCurve::normalised(w)
    }

    /// Share of the delay within `minutes` of the send.
    pub fn cdf(&self, minutes: f64) -> f64 {
        if minutes <= 0.0 {
            return 0.0;
        }
        let x = minutes / SEND_BIN_MINUTES;
        let full = (x.floor() as usize).min(SEND_BINS);
        let mut c: f64 = self.weights[..full].iter().sum();
        if full < SEND_BINS {
            c += self.weights[full] * (x - full as f64);
        }
        c.min(1.0)
    }

    /// Share arriving between `a` and `b` minutes after the send.
    pub fn share(&self, a: f64, b: f64) -> f64 {
        (self.cdf(b) - self.cdf(a)).max(0.0)
    }

    /// The middle minute of the busiest bin.
    pub fn peak_minute(&self) -> f64 {
        let b = self.weights.iter().enumerate().fold(0, |best, (i, w)| if *w > self.weights[best] { i } else { best });
        (b as f64 + 0.5) * SEND_BIN_MINUTES
    }
}

/// A carry-over as free weights: a day's activity weighs `weights[lag]` in
/// the adstock `lag` days later (the largest weight is 1, so `scale` keeps
/// the meaning it has with the geometric carry-over).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DayWeights {
    pub weights: [f64; LAG_DAYS],
}

impl DayWeights {
    /// Weights scaled so the largest is 1 (negative ones set to 0); `None`
    /// when nothing is left.
    pub fn normalised(mut weights: [f64; LAG_DAYS]) -> Option<DayWeights> {
        weights.iter_mut().for_each(|w| *w = if w.is_finite() { w.max(0.0) } else { 0.0 });
        let top = weights.iter().fold(0.0f64, |a, b| a.max(*b));
        (top > 0.0).then(|| {
            weights.iter_mut().for_each(|w| *w /= top);
            DayWeights { weights }
        })
    }

    /// A Weibull delay in days (shape > 0, scale > 0): each lag day weighs
    /// the delay's mass within it.
    pub fn weibull(shape: f64, scale_days: f64) -> Option<DayWeights> {
        let cdf = |x: f64| 1.0 - (-(x / scale_days).powf(shape)).exp();
        let mut w = [0.0; LAG_DAYS];
        for (l, wl) in w.iter_mut().enumerate() {
            *wl = cdf(l as f64 + 1.0) - cdf(l as f64);
        }
        DayWeights::normalised(w)
    }

    /// The share of a single day's activity (before saturation) falling on
    /// the day itself.
    pub fn same_day_share(&self) -> f64 {
        self.weights[0] / self.weights.iter().sum::<f64>().max(1e-12)
    }

    /// The last lag with a weight above 0.1% of the largest.
    pub fn last_lag(&self) -> usize {
        self.weights.iter().rposition(|w| *w > 1e-3).unwrap_or(0)
    }

    /// The lag with the largest weight.
    pub fn peak_lag(&self) -> usize {
        self.weights.iter().enumerate().fold(0, |best, (i, w)| if *w > self.weights[best] { i } else { best })
    }
}

/// Log-sd of a drop's send-day delay: with it a peak 90 minutes after the send
/// puts about 13% of the delay's mass in the first hour and 90% within 5 hours.
pub const SEND_DELAY_SIGMA: f64 = 0.7;

impl FlightResponse {
    /// A flight's or drop's response without a send-day delay.
    pub fn new(scale: f64, beta: f64, carryover: f64) -> Self {
        FlightResponse {
            scale,
            beta,
            carryover,
            send_peak_minutes: None,
            delay_days: None,
            send_curve: None,
            day_weights: None,
        }
    }

    /// The carry-over delay in days, where there is one.
    pub fn delay(&self) -> Option<f64> {
        self.delay_days.filter(|d| *d > 0.0)
    }

    /// The weight of activity `lag` days back in today's adstock.
    pub fn lag_weight(&self, lag: f64) -> f64 {
        if let Some(w) = &self.day_weights {
            return if lag < 0.0 { 0.0 } else { w.weights.get(lag.round() as usize).copied().unwrap_or(0.0) };
        }
        let d = self.delay().unwrap_or(0.0);
        if self.carryover <= 0.0 {
            return if (lag - d).abs() < 0.5 { 1.0 } else { 0.0 };
        }
        self.carryover.powf((lag - d).abs())
    }

    /// The delay from a drop's send to its calls, where it has one: a
    /// log-normal with its mode at `send_peak_minutes`.
    pub fn send_kernel(&self) -> Option<BurstKernel> {
        let peak = self.send_peak_minutes.filter(|p| *p > 0.0)?;
        let sigma = SEND_DELAY_SIGMA;
        Some(BurstKernel { onset_minutes: 0.0, mu: peak.ln() + sigma * sigma, sigma })
    }

    /// The day after the activity on which its calls peak, where that is
    /// not the day itself (a delayed or free carry-over).
    pub fn peak_day(&self) -> Option<f64> {
        match &self.day_weights {
            Some(w) => Some(w.peak_lag() as f64).filter(|d| *d > 0.0),
            None => self.delay(),
        }
    }

    /// A drop's busiest minute after the send, where its calls follow a
    /// send-day delay (free or log-normal).
    pub fn send_peak_minute(&self) -> Option<f64> {
        match &self.send_curve {
            Some(c) => Some(c.peak_minute()),
            None => self.send_peak_minutes.filter(|p| *p > 0.0),
        }
    }

    /// Share of a drop's send-day calls within `minutes` of the send, where
    /// it has a send-day delay.
    pub fn send_cdf(&self, minutes: f64) -> Option<f64> {
        match &self.send_curve {
            Some(c) => Some(c.cdf(minutes)),
            None => self.send_kernel().map(|k| k.cdf(minutes)),
        }
    }

    /// Days for the extra calls to halve once the activity stops.
    ///
    /// With free day weights: from the peak lag to the lag where the
    /// saturated weight w^β falls to half its peak (log-linear between days).
    ///
    /// After the last day of spend the adstock decays as λ^j, so the calls decay
    /// as λ^(βj): their half-life is ln ½ / (β ln λ). This is what the history
    /// identifies (λ and β trade off against each other for a single drop) and
    /// what a planner wants to know.
    pub fn half_life_days(&self) -> f64 {
        if let Some(w) = &self.day_weights {
            return free_half_life(&w.weights, self.beta);
        }
        if self.carryover <= 0.0 || self.beta <= 0.0 {
            0.0
        } else {
            (0.5f64).ln() / (self.beta * self.carryover.ln())
        }
    }

    /// Expected calls on a day with this adstock.
    pub fn calls(&self, adstock: f64) -> f64 {
        if adstock <= 0.0 {
            0.0
        } else {
            self.scale * adstock.powf(self.beta)
        }
    }

    /// Days after the last activity until the carry-over is negligible (< 0.1%).
    pub fn tail_days(&self) -> usize {
        if let Some(w) = &self.day_weights {
            return w.last_lag();
        }
        if self.carryover <= 0.0 {
            self.delay().unwrap_or(0.0).ceil().clamp(0.0, 60.0) as usize
        } else {
            (((1e-3f64).ln() / self.carryover.ln()).ceil() + self.delay().unwrap_or(0.0).ceil()).clamp(0.0, 60.0)
                as usize
        }
    }
}

/// Days from the largest of `weights` until `w^β` halves (log-linear
/// between days; to the last weight when it never does).
fn free_half_life(weights: &[f64; LAG_DAYS], beta: f64) -> f64 {
    let peak = weights.iter().enumerate().fold(0, |best, (i, w)| if *w > weights[best] { i } else { best });
    let top = weights[peak].powf(beta);
    if top <= 0.0 {
        return 0.0;
    }
    for j in peak + 1..LAG_DAYS {
        let (before, now) = (weights[j - 1].powf(beta), weights[j].powf(beta));
        if now <= 0.5 * top {
            let t = if now > 0.0 && before > now { (before / (0.5 * top)).ln() / (before / now).ln() } else { 0.0 };
            return (j - 1 - peak) as f64 + t.clamp(0.0, 1.0);
        }
    }
    (LAG_DAYS - 1 - peak) as f64
}

/// A channel's learned or true response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
// A daily response carries its free lag shapes inline (about 0.5 KB); there
// is one response per channel, so boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum ChannelResponse {
    Spot(SpotResponse),
    /// Flights and drops share the day-level form.
    Daily(FlightResponse),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample's TV kernel: onset 0.5 min, median 4.5 min after onset.
    pub fn tv() -> BurstKernel {
        BurstKernel { onset_minutes: 0.5, mu: 4.5f64.ln(), sigma: 1.048 }
    }

    #[test]
    fn tv_kernel_matches_the_documented_shape() {
        let k = tv();
        assert_eq!(k.cdf(0.4), 0.0);
        assert!((k.cdf(5.0) - 0.5).abs() < 1e-9);
        let c15 = k.cdf(15.0);
        assert!((0.8..=0.9).contains(&c15), "{c15}");
        assert!(k.cdf(60.0) > 0.99);
        let p = k.peak_minute();
        assert!((1.0..=3.0).contains(&p), "{p}");
        // Integrated over intervals, shares add up to the CDF.
        let s: f64 = (0..4).map(|i| k.share(15.0 * i as f64, 15.0 * (i + 1) as f64)).sum();
        assert!((s - k.cdf(60.0)).abs() < 1e-12);
    }

    #[test]
    fn free_shapes_integrate_their_families() {
        // Gamma shape 2, mean 100 minutes: mode at 50, about 26% within an hour.
        let g = SendCurve::gamma(2.0, 100.0).unwrap();
        assert!((g.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let within_hour = 1.0 - (1.0 + 60.0 / 50.0) * (-60.0f64 / 50.0).exp();
        assert!((g.cdf(60.0) - within_hour).abs() < 1e-3, "{} vs {within_hour}", g.cdf(60.0));
        assert!((g.peak_minute() - 52.5).abs() < 1e-9, "{}", g.peak_minute());
        assert_eq!(g.cdf(0.0), 0.0);
        assert!((g.share(0.0, 480.0) - 1.0).abs() < 1e-12);
        assert!((g.share(10.0, 20.0) - (g.cdf(20.0) - g.cdf(10.0))).abs() < 1e-15);
        assert!(SendCurve::normalised([0.0; SEND_BINS]).is_none());
        // Weibull shape 2, scale 2 days: day 1 carries the most, day 0 about 22%.
        let w = DayWeights::weibull(2.0, 2.0).unwrap();
        assert_eq!(w.peak_lag(), 1);
        assert_eq!(w.weights[1], 1.0);
        assert!((w.same_day_share() - (1.0 - (-0.25f64).exp())).abs() < 1e-9, "{}", w.same_day_share());
        let f = FlightResponse { day_weights: Some(w), ..FlightResponse::new(1.0, 1.0, 0.5) };
        assert_eq!(f.lag_weight(1.0), 1.0);
        assert_eq!(f.lag_weight(-1.0), 0.0);
        assert_eq!(f.tail_days(), w.last_lag());
        assert!((4..=6).contains(&f.tail_days()), "{}", f.tail_days());
    }

    #[test]
    fn carryover_half_life() {
        let f = FlightResponse::new(1.0, 1.0, 0.5);
        assert!((f.half_life_days() - 1.0).abs() < 1e-12);
        assert_eq!(FlightResponse { carryover: 0.0, ..f }.half_life_days(), 0.0);
        assert!(f.tail_days() >= 9);
    }

    #[test]
    fn saturation_is_concave() {
        let s = SpotResponse::new(10.0, 0.7, tv());
        assert!(s.calls(8.0, 20) < 2.0 * s.calls(4.0, 20));
        assert_eq!(s.calls(0.0, 20), 0.0);
    }

    #[test]
    fn dayparts_cover_the_day_and_scale_their_spots() {
        assert_eq!(daypart_of(0), 0);
        assert_eq!(DAYPARTS[daypart_of(19)].0, "evening");
        assert_eq!(DAYPARTS[daypart_of(21)].0, "evening");
        assert_eq!(DAYPARTS[daypart_of(22)].0, "late");
        assert_eq!(daypart_of(23), DAYPARTS.len() - 1);
        let mut m = [1.0; DAYPARTS.len()];
        m[daypart_of(20)] = 1.3;
        let s = SpotResponse { dayparts: Some(m), ..SpotResponse::new(10.0, 1.0, tv()) };
        assert!((s.calls(2.0, 20) - 26.0).abs() < 1e-12);
        assert!((s.calls(2.0, 10) - 20.0).abs() < 1e-12);
    }
}
