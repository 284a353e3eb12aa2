//! Assumed responses: what a channel without past lines is expected to do,
//! from the config (`[channels.tv] assumed_calls_per_grp = 5`), so that a
//! centre's first campaign can be forecast. An assumption is the prior of
//! what the history teaches: alone where no line was learned, blended with
//! the learned response by their precisions where both exist, so that as
//! spots air the data takes over.

use super::fit::{ChannelReport, ResponseSource};
use super::response::{BurstKernel, ChannelResponse, FlightResponse, SpotResponse, DAYPARTS};

/// Log-sd of the documented default range: the truth within a factor of 2
/// either way at 95% (ln 2 / 1.96).
pub fn rel_sd_of_range(factor: f64) -> f64 {
    factor.ln() / 1.96
}

/// The shape of the sample's TV burst (docs/formats.md): onset 0.5 min and a
/// log-normal delay of log-sd 1.048.
const SPOT_ONSET_MINUTES: f64 = 0.5;
const SPOT_SIGMA: f64 = 1.048;

/// A checked assumption about one channel.
#[derive(Debug, Clone, PartialEq)]
pub struct AssumedResponse {
    pub response: ChannelResponse,
    /// Relative sd of the response scale (log scale), from the range factor.
    pub rel_sd: f64,
    /// Spots: calls per GRP; flights and drops: calls per 1,000 of spend.
    pub per_unit: f64,
}

impl AssumedResponse {
    /// A spot bringing `calls_per_grp` calls per GRP (linear in GRPs), its
    /// busiest minute `peak_minutes` after air time.
    pub fn spot(calls_per_grp: f64, peak_minutes: f64, range_factor: f64) -> Self {
        let sigma = SPOT_SIGMA;
        let kernel = BurstKernel {
            onset_minutes: SPOT_ONSET_MINUTES,
            mu: (peak_minutes - SPOT_ONSET_MINUTES).ln() + sigma * sigma,
            sigma,
        };
        AssumedResponse {
            response: ChannelResponse::Spot(SpotResponse::new(calls_per_grp, 1.0, kernel)),
            rel_sd: rel_sd_of_range(range_factor),
            per_unit: calls_per_grp,
        }
    }

    /// A flight or drop bringing `calls_per_1000` calls in all per 1,000 of
    /// spend, halving every `half_life_days` after the activity (0: the
    /// same day only).
    pub fn daily(calls_per_1000: f64, half_life_days: f64, range_factor: f64) -> Self {
        let carryover = if half_life_days > 0.0 { 0.5f64.powf(1.0 / half_life_days) } else { 0.0 };
        // A day's spend x brings scale·x·λ^j on day j: (1 − λ) makes the total calls_per_1000.
        let response = FlightResponse::new(calls_per_1000 * (1.0 - carryover), 1.0, carryover);
        AssumedResponse {
            response: ChannelResponse::Daily(response),
            rel_sd: rel_sd_of_range(range_factor),
            per_unit: calls_per_1000,
        }
    }

    /// The relative sd by daypart, for the forecast's bands.
    pub fn rel_sd_by_daypart(&self) -> [f64; DAYPARTS.len()] {
        [self.rel_sd; DAYPARTS.len()]
    }
}

/// The response scale's factor a blend applies to the learned one: the
/// precision-weighted mean, in the log scale, of the learned scale (with its
/// relative sd) and the assumed one (with its). Also the blend's relative sd.
pub fn blend(learned_scale: f64, learned_rel_sd: f64, assumed_scale: f64, assumed_rel_sd: f64) -> (f64, f64) {
    if learned_scale <= 0.0 || assumed_scale <= 0.0 {
        return (1.0, learned_rel_sd);
    }
    let wl = 1.0 / learned_rel_sd.max(1e-6).powi(2);
    let wa = 1.0 / assumed_rel_sd.max(1e-6).powi(2);
    let log = (wl * learned_scale.ln() + wa * assumed_scale.ln()) / (wl + wa);
    (log.exp() / learned_scale, (1.0 / (wl + wa)).sqrt())
}

/// The report of an assumed channel, in the learned ones' units.
pub fn assumed_report(channel: &str, a: &AssumedResponse) -> ChannelReport {
    let mut r = ChannelReport::empty(channel);
    r.source = ResponseSource::Assumed;
    r.relative_se = a.rel_sd;
    r.saturation_beta = 1.0;
    match &a.response {
        ChannelResponse::Spot(s) => {
            r.kind = "spot";
            r.calls_per_grp = Some(a.per_unit);
            r.peak_minute = Some(s.kernel.peak_minute());
            r.share_15_min = Some(s.kernel.cdf(15.0));
            r.share_60_min = Some(s.kernel.cdf(60.0));
        }
        ChannelResponse::Daily(f) => {
            r.kind = "flight";
            r.calls_per_1000 = a.per_unit;
            r.half_life_days = Some(f.half_life_days());
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_assumed_spot_brings_its_calls_per_grp_at_its_peak() {
        let a = AssumedResponse::spot(5.0, 2.0, 2.0);
        let ChannelResponse::Spot(s) = a.response else { panic!("a spot") };
        assert!((s.calls(8.0, 20) - 40.0).abs() < 1e-12);
        assert!((s.kernel.peak_minute() - 2.0).abs() < 1e-12);
        assert!((a.rel_sd - 0.3536).abs() < 1e-3, "a factor of 2 at 95%");
    }

    #[test]
    fn an_assumed_flight_brings_its_calls_per_1000_in_all() {
        let a = AssumedResponse::daily(30.0, 1.0, 2.0);
        let ChannelResponse::Daily(f) = a.response else { panic!("daily") };
        assert!((f.half_life_days() - 1.0).abs() < 1e-12);
        let total: f64 = (0..200).map(|j| f.calls(f.carryover.powi(j))).sum();
        assert!((total - 30.0).abs() < 1e-6, "{total}");
    }

    #[test]
    fn a_blend_leans_to_the_more_precise_side() {
        // Equal precision: the geometric mean.
        let (f, sd) = blend(4.0, 0.3, 9.0, 0.3);
        assert!((4.0 * f - 6.0).abs() < 1e-9 && sd < 0.3);
        // A precise learned response barely moves.
        let (f, _) = blend(4.0, 0.02, 9.0, 0.35);
        assert!((f - 1.0).abs() < 0.01, "{f}");
    }
}
