//! What each learned channel response does for a typical line of the
//! channel's past plans: the numbers the report's response chart draws and
//! captions.

use crate::forecast::media::response::{ChannelResponse, SpotResponse};
use crate::forecast::predict::FittedForecast;
use crate::ingest::media::MediaPlan;

/// Dayparts whose response differs from the channel's by less than this
/// share go unnamed.
const DAYPART_NAMED_FROM: f64 = 0.05;

/// One channel's response to a typical line.
#[derive(Debug, Clone, PartialEq)]
pub enum TypicalResponse {
    /// A spot channel: a spot of the past spots' mean GRPs (1 without GRPs).
    Burst {
        channel: String,
        grps: f64,
        /// Extra calls of that spot over the channel's overall response.
        calls: f64,
        /// Extra calls in each of the 60 minutes after air time.
        per_minute: Vec<f64>,
        peak_minute: f64,
        /// Dayparts whose response differs from the channel's, with their factor.
        dayparts: Vec<(&'static str, f64)>,
    },
    /// A flight or drop: a day of the past lines' mean daily spend (1000
    /// without past lines).
    Carryover {
        channel: String,
        spend_per_day: f64,
        /// Extra calls on that day and the seven after it.
        per_day: Vec<f64>,
        /// The day after the activity its calls peak on, where not the day itself.
        peak_day: Option<f64>,
        /// A drop's send-day curve, where its calls follow one.
        send_day: Option<SendDay>,
        half_life_days: f64,
    },
}

/// A drop's send-day curve as the chart draws it.
#[derive(Debug, Clone, PartialEq)]
pub struct SendDay {
    /// Share of the send day's calls in each minute of the eight hours after the send.
    pub share_per_minute: Vec<f64>,
    /// Minute after the send of the busiest moment.
    pub peak_minute: f64,
    /// Share of the send day's calls within the first hour.
    pub first_hour: f64,
}

/// Minutes after a drop's send its send-day curve is drawn over (the free
/// curve's eight hours).
const SEND_DAY_MINUTES: usize = 480;

/// Each learned channel's typical response, in the order of the fitted responses.
pub fn typical_responses(fitted: &FittedForecast, past: &MediaPlan) -> Vec<TypicalResponse> {
    let mut out = Vec::new();
    for (ch, r) in fitted.responses() {
        let lines: Vec<_> = past.lines.iter().filter(|l| &l.channel == ch).collect();
        match r {
            ChannelResponse::Spot(sr) => {
                let grps: Vec<f64> = lines.iter().filter_map(|l| l.grps).collect();
                let typical = if grps.is_empty() { 1.0 } else { grps.iter().sum::<f64>() / grps.len() as f64 };
                let calls = SpotResponse { dayparts: None, ..sr.clone() }.calls(typical, 0);
                out.push(TypicalResponse::Burst {
                    channel: ch.clone(),
                    grps: typical,
                    calls,
                    per_minute: (0..60).map(|m| calls * sr.kernel.share(m as f64, m as f64 + 1.0)).collect(),
                    peak_minute: sr.kernel.peak_minute(),
                    dayparts: fitted
                        .channel_report(ch)
                        .into_iter()
                        .flat_map(|r| &r.dayparts)
                        .filter(|d| (d.factor - 1.0).abs() >= DAYPART_NAMED_FROM)
                        .map(|d| (d.daypart, d.factor))
                        .collect(),
                });
            }
            ChannelResponse::Daily(f) => {
                let spend: Vec<f64> = lines
                    .iter()
                    .map(|l| {
                        let days = l.end.map(|e| (e.date() - l.start.date()).num_days() + 1).unwrap_or(1).max(1);
                        l.spend / days as f64
                    })
                    .collect();
                let typical = if spend.is_empty() { 1000.0 } else { spend.iter().sum::<f64>() / spend.len() as f64 };
                out.push(TypicalResponse::Carryover {
                    channel: ch.clone(),
                    spend_per_day: typical,
                    per_day: (0..8).map(|k| f.calls(typical / 1000.0 * f.lag_weight(k as f64))).collect(),
                    peak_day: f.peak_day(),
                    send_day: f.send_peak_minute().map(|peak_minute| {
                        let cdf = |m: f64| f.send_cdf(m).unwrap_or(0.0);
                        SendDay {
                            share_per_minute: (0..SEND_DAY_MINUTES)
                                .map(|m| cdf(m as f64 + 1.0) - cdf(m as f64))
                                .collect(),
                            peak_minute,
                            first_hour: cdf(60.0),
                        }
                    }),
                    half_life_days: f.half_life_days(),
                });
            }
        }
    }
    out
}
