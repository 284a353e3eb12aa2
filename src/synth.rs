//! The sample centre: two years of 15-minute call history whose calls include
//! the documented response to the media plans that ran, next week's plan, agents
//! and a centre config — with the ground truth written beside them, so the
//! forecast's recovery of each channel's response can be checked.
//!
//! Same seed → byte-identical files (ChaCha RNG, fixed formatting, sorted maps).

use crate::config::ChannelKind;
use crate::forecast::media::fit::{summarise, ChannelReport};
use crate::forecast::media::response::{
    daypart_of, BurstKernel, ChannelResponse, FlightResponse, SpotResponse, DAYPARTS,
};
use crate::forecast::media::uplift::{DayShapes, Uplift};
use crate::ingest::media::MediaLine;
use crate::units::IntervalMinutes;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma, Poisson};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What to generate.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    /// Random seed; the same seed gives byte-identical files.
    pub seed: u64,
    /// Weeks of history ending the Sunday before the planning week (1..=520).
    pub weeks: u32,
    /// Monday of the planning week (the week after the history).
    pub week: NaiveDate,
    /// Number of agents in agents.csv.
    pub agents: usize,
    /// Queues (1..=50): with more than one, history.csv has a `queue` column,
    /// each queue takes a share of the calls, and agents list their queues.
    pub queues: usize,
    /// Calls multiplied by this (0.01..=1000); the bundled demand suits 150 agents.
    pub demand_scale: f64,
    /// How the planning week really goes (its calls are generated too; one queue only).
    pub realised: RealisedOptions,
    /// Emails' send-day calls peak this many minutes after the send (a
    /// log-normal delay over the day's shape); `None`: they follow the day's
    /// shape from the send on, as in the bundled sample.
    pub email_peak_minutes: Option<f64>,
    /// Retargeting's calls peak this many days after the spend (a delayed
    /// carry-over); `None`: on the day itself, as in the bundled sample.
    pub retargeting_delay_days: Option<f64>,
    /// TV spots aired 19:00–22:00 bring this many times the calls per GRP of
    /// TV spots at other hours; `None`: the same at every hour, as in the
    /// bundled sample.
    pub tv_evening_factor: Option<f64>,
    /// TV spots' calls grow as GRPs to this power (0.2..=1.2; 1 = linear);
    /// `None`: 0.75, as in the bundled sample.
    pub tv_grp_power: Option<f64>,
    /// TV spots' calls saturate as a Hill curve in GRPs with this
    /// half-saturation (0.5..=100 GRPs) instead of a power; `None`: a power.
    pub tv_hill_grps: Option<f64>,
    /// Each past line's response is its channel's times a log-normal factor
    /// with this log-sd (creatives and audiences differ); `None`: every line
    /// responds as its channel, as in the bundled sample.
    pub line_response_sd: Option<f64>,
    /// About this many TV spots over the history (each open day has one with
    /// probability spots / open days, at most one a day); `None`: 0–2 a day,
    /// as in the bundled sample.
    pub tv_spots: Option<u32>,
    /// Share of TV spots aired 19:00–21:59 (the others 08:00–18:59, GRPs
    /// drawn alike); `None`: 70% between 18:00 and 21:40, as bundled.
    pub tv_evening_share: Option<f64>,
    /// Spots (and lines) at these stations respond this many times their
    /// channel's response, in the history and the planning week alike
    /// (empty: every station as its channel).
    pub station_effects: BTreeMap<String, f64>,
    /// Emails' send-day delay is a gamma with this (shape ≥ 1, mean minutes),
    /// over the day's shape — a family the fit does not assume.
    pub email_send_gamma: Option<(f64, f64)>,
    /// Retargeting's carry-over is a Weibull delay in days with this (shape,
    /// scale): each day after the spend weighs the delay's mass in it.
    pub retargeting_weibull: Option<(f64, f64)>,
}

/// Where and when TV spots air, as [`SynthOptions`] sets it.
#[derive(Debug, Clone, Copy, Default)]
struct TvPlan {
    /// Probability of a spot on an open day (`None`: 0–2 a day).
    per_day: Option<f64>,
    evening_share: Option<f64>,
}

/// The planning week as it happens, for the intraday update: its calls come
/// from the same truth, with next week's plan at `response_factor` × its
/// true response and, optionally, a campaign nobody announced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RealisedOptions {
    /// The day `today.csv` holds, up to (not including) `until`.
    pub today: NaiveDate,
    pub until: NaiveTime,
    /// The planned lines' true response in the week, as a multiple of the
    /// response the history taught (0..=10; 1 = as learned).
    pub response_factor: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unannounced: Option<Unannounced>,
    /// Planned lines at these stations draw this many times their response
    /// in the week on top of `response_factor` (empty: every station alike).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub station_factors: BTreeMap<String, f64>,
}

/// A campaign nobody told the centre about: from `start`, extra calls of
/// `peak_share` × the baseline, fading with `half_life_minutes`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unannounced {
    pub start: NaiveDateTime,
    pub peak_share: f64,
    pub half_life_minutes: f64,
}

impl RealisedOptions {
    /// The bundled sample's: Friday of the planning week up to 11:00, with a
    /// click-to-call push nobody announced from 09:45 adding 80% at first.
    pub fn bundled(week: NaiveDate) -> Self {
        let friday = week + Duration::days(4);
        let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
        RealisedOptions {
            today: friday,
            until: at(11, 0),
            response_factor: 1.0,
            unannounced: Some(Unannounced::push(friday.and_time(at(9, 45)))),
            station_factors: BTreeMap::new(),
        }
    }
}

impl Unannounced {
    /// A click-to-call push from `start`: 80% more calls at first, fading with a two-hour half-life.
    pub fn push(start: NaiveDateTime) -> Self {
        Unannounced { start, peak_share: 1.0, half_life_minutes: 120.0 }
    }
}

impl SynthOptions {
    /// The bundled sample's options for `agents`, one queue, demand as bundled.
    pub fn sample(seed: u64, weeks: u32, week: NaiveDate, agents: usize) -> SynthOptions {
        SynthOptions {
            seed,
            weeks,
            week,
            agents,
            queues: 1,
            demand_scale: 1.0,
            realised: RealisedOptions::bundled(week),
            email_peak_minutes: None,
            retargeting_delay_days: None,
            tv_evening_factor: None,
            tv_grp_power: None,
            tv_hill_grps: None,
            line_response_sd: None,
            tv_spots: None,
            tv_evening_share: None,
            station_effects: BTreeMap::new(),
            email_send_gamma: None,
            retargeting_weibull: None,
        }
    }

    /// Check the opt-in behaviours' ranges.
    pub fn check(&self) -> anyhow::Result<()> {
        if let Some(n) = self.tv_spots {
            anyhow::ensure!((1..=10_000).contains(&n), "--tv-spots {n}: expected 1 to 10000");
        }
        if let Some(b) = self.tv_grp_power {
            anyhow::ensure!((0.2..=1.2).contains(&b), "--tv-grp-power {b}: expected 0.2 to 1.2");
        }
        if let Some(k) = self.tv_hill_grps {
            anyhow::ensure!((0.5..=100.0).contains(&k), "--tv-hill-grps {k}: expected 0.5 to 100 GRPs");
            anyhow::ensure!(self.tv_grp_power.is_none(), "--tv-hill-grps and --tv-grp-power: give one of the two");
        }
        if let Some(e) = self.tv_evening_share {
            anyhow::ensure!((0.0..=1.0).contains(&e), "--tv-evening-share {e}: expected 0 to 1");
        }
        for (st, f) in &self.station_effects {
            anyhow::ensure!((0.0..=10.0).contains(f), "--station-effect {st}={f}: expected 0 to 10");
        }
        if let Some((shape, mean)) = self.email_send_gamma {
            anyhow::ensure!(
                (1.0..=20.0).contains(&shape) && (5.0..=300.0).contains(&mean),
                "--email-send-gamma {shape},{mean}: expected a shape from 1 to 20 and a mean from 5 to 300 minutes"
            );
        }
        if let Some((shape, scale)) = self.retargeting_weibull {
            anyhow::ensure!(
                (0.5..=10.0).contains(&shape) && (0.2..=7.0).contains(&scale),
                "--retargeting-weibull {shape},{scale}: expected a shape from 0.5 to 10 and a scale from 0.2 to 7 days"
            );
        }
        Ok(())
    }
}

/// The true uplift of `lines`: each line's by its channel's response, times
/// its station's effect where the options give one.
pub fn true_uplift(
    lines: &[MediaLine],
    responses: &BTreeMap<String, ChannelResponse>,
    station_effects: &BTreeMap<String, f64>,
    shapes: &DayShapes,
) -> Uplift {
    let mut u = Uplift::compute(lines, responses, shapes);
    if !station_effects.is_empty() {
        for l in &mut u.lines {
            let f = station_effects.get(&lines[l.line].station).copied().unwrap_or(1.0);
            l.cells.iter_mut().for_each(|c| c.2 *= f);
            l.lost_when_closed *= f;
        }
    }
    u
}

/// Agents the bundled demand suits: `demand_scale` defaults to agents / this.
pub const AGENTS_FOR_BUNDLED_DEMAND: f64 = 150.0;

/// A generated queue: its name and share of the calls.
#[derive(Debug, Clone, Serialize)]
pub struct QueueTruth {
    pub name: String,
    pub share: f64,
}

/// Queue names and shares: shares falling like 1/(rank+1), summing to 1.
pub fn queue_truth(n: usize) -> Vec<QueueTruth> {
    const NAMES: [&str; 10] =
        ["cards", "loans", "mortgages", "savings", "fraud", "business", "insurance", "pensions", "payments", "online"];
    let weights: Vec<f64> = (0..n).map(|i| 1.0 / (i as f64 + 2.0)).collect();
    let total: f64 = weights.iter().sum();
    (0..n)
        .map(|i| QueueTruth {
            name: NAMES.get(i).map_or_else(|| format!("queue{:02}", i + 1), |s| s.to_string()),
            share: weights[i] / total,
        })
        .collect()
}

/// The sample's planning interval.
pub const INTERVAL: u32 = 15;

/// Public holidays (England and Wales) in the sample's range: closed.
pub const HOLIDAYS: [&str; 27] = [
    "2023-12-25",
    "2023-12-26",
    "2024-01-01",
    "2024-03-29",
    "2024-04-01",
    "2024-05-06",
    "2024-05-27",
    "2024-08-26",
    "2024-12-25",
    "2024-12-26",
    "2025-01-01",
    "2025-04-18",
    "2025-04-21",
    "2025-05-05",
    "2025-05-26",
    "2025-08-25",
    "2025-12-25",
    "2025-12-26",
    "2026-01-01",
    "2026-04-03",
    "2026-04-06",
    "2026-05-04",
    "2026-05-25",
    "2026-08-31",
    "2026-12-25",
    "2026-12-28",
    "2027-01-01",
];

/// Ground truth of the sample, written as `ground_truth.json`.
#[derive(Debug, Clone, Serialize)]
pub struct GroundTruth {
    pub seed: u64,
    pub interval_minutes: u32,
    pub history_from: NaiveDate,
    pub history_to: NaiveDate,
    pub baseline: BaselineTruth,
    /// The true response of each channel (same forms the forecast fits).
    pub responses: BTreeMap<String, ChannelResponse>,
    /// The true responses summarised over the past media plan, in the units
    /// the forecast's fit report uses.
    pub summaries: Vec<ChannelReport>,
    /// Calls multiplied by this against the bundled demand (absent: 1).
    #[serde(skip_serializing_if = "is_one")]
    pub demand_scale: f64,
    /// The queues and their shares of calls (absent: one queue).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<QueueTruth>,
    /// How the planning week went (`today.csv`, `week_actuals.csv`; one queue only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub realised: Option<RealisedOptions>,
    /// Each planned line's true extra calls in the week as it happened (the
    /// truth `ringcast review` is scored against; one queue only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub week_lines: Vec<LineTruth>,
    /// Stations whose lines respond this many times their channel's response
    /// (history and planning week; absent: none).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub station_effects: BTreeMap<String, f64>,
}

/// A planned line's truth in the realised week: the expected extra calls it
/// drew in the week's open intervals (before count noise), and its calls per
/// GRP (spots) or per 1,000 of spend (flights and drops) over them.
#[derive(Debug, Clone, Serialize)]
pub struct LineTruth {
    pub id: String,
    pub channel: String,
    pub station: String,
    pub start: String,
    /// Its true response as a multiple of what the history taught.
    pub factor: f64,
    pub true_extra_calls: f64,
    pub true_calls_per_unit: f64,
}

fn is_one(x: &f64) -> bool {
    *x == 1.0
}

/// The history-only part of the truth.
#[derive(Debug, Clone, Serialize)]
pub struct BaselineTruth {
    pub weekday_calls_per_day: f64,
    /// Monday..Saturday multipliers; Sunday closed.
    pub weekday_factor: [f64; 6],
    pub annual_amplitude: f64,
    pub annual_peak_day_of_year: f64,
    pub trend_per_year: f64,
    pub day_after_holiday_factor: f64,
    /// Gamma shape of the day-level multiplier (larger = calmer days).
    pub day_noise_shape: f64,
    /// Gamma shape of the interval-level multiplier (negative-binomial size).
    pub interval_noise_shape: f64,
}

impl BaselineTruth {
    fn sample() -> Self {
        Self {
            weekday_calls_per_day: 1800.0,
            weekday_factor: [1.18, 1.06, 1.0, 0.98, 0.94, 0.5],
            annual_amplitude: 0.12,
            annual_peak_day_of_year: 20.0,
            trend_per_year: 0.06,
            day_after_holiday_factor: 1.2,
            day_noise_shape: 1500.0,
            interval_noise_shape: 40.0,
        }
    }

    /// Expected calls on a day (0 when closed).
    pub fn day_volume(&self, d: NaiveDate, first: NaiveDate, holidays: &[NaiveDate]) -> f64 {
        let wd = d.weekday().num_days_from_monday() as usize;
        if wd == 6 || holidays.contains(&d) {
            return 0.0;
        }
        let season = 1.0
            + self.annual_amplitude
                * (2.0 * std::f64::consts::PI * (d.ordinal() as f64 - self.annual_peak_day_of_year) / 365.25).cos();
        let years = (d - first).num_days() as f64 / 365.25;
        let after_holiday =
            if holidays.contains(&(d - Duration::days(1))) { self.day_after_holiday_factor } else { 1.0 };
        self.weekday_calls_per_day
            * self.weekday_factor[wd]
            * season
            * (1.0 + self.trend_per_year * years)
            * after_holiday
    }
}

/// The true history-only expected calls on a days × slots grid (no noise).
pub fn true_baseline(days: &[NaiveDate], first: NaiveDate) -> ndarray::Array2<f64> {
    let holidays = holidays();
    let per_day = (1440 / INTERVAL) as usize;
    let mut g = ndarray::Array2::zeros((days.len(), per_day));
    for (k, d) in days.iter().enumerate() {
        if let Some(shape) = sample_shape(d.weekday()) {
            let v = BaselineTruth::sample().day_volume(*d, first, &holidays);
            for s in 0..per_day {
                g[[k, s]] = v * shape[s];
            }
        }
    }
    g
}

/// The sample's closed dates.
pub fn holidays() -> Vec<NaiveDate> {
    HOLIDAYS.iter().filter_map(|h| NaiveDate::parse_from_str(h, "%Y-%m-%d").ok()).collect()
}

/// Opening hours of the sample (minutes after midnight), `None` on Sunday.
pub fn sample_hours(wd: Weekday) -> Option<(u32, u32)> {
    match wd {
        Weekday::Sun => None,
        Weekday::Sat => Some((9 * 60, 18 * 60)),
        _ => Some((8 * 60, 22 * 60)),
    }
}

/// The true intraday shape of a weekday: a morning and an afternoon peak with
/// an evening shoulder (Saturday: one late-morning peak). Sums to 1 over open slots.
pub fn sample_shape(wd: Weekday) -> Option<Vec<f64>> {
    let (open, close) = sample_hours(wd)?;
    let per_day = (1440 / INTERVAL) as usize;
    let mut v = vec![0.0; per_day];
    for (s, x) in v.iter_mut().enumerate() {
        let start = s as u32 * INTERVAL;
        if start < open || start >= close {
            continue;
        }
        let t = (start as f64 + INTERVAL as f64 / 2.0) / 60.0;
        let g = |m: f64, w: f64| (-((t - m) / w).powi(2)).exp();
        *x = if wd == Weekday::Sat {
            0.2 + g(11.5, 1.8)
        } else {
            0.15 + g(10.75, 1.3) + 0.8 * g(14.5, 1.6) + 0.35 * g(19.5, 1.5)
        };
    }
    let total: f64 = v.iter().sum();
    v.iter_mut().for_each(|x| *x /= total);
    Some(v)
}

/// The true responses of the sample's five channels.
pub fn true_responses() -> BTreeMap<String, ChannelResponse> {
    let mut m = BTreeMap::new();
    let tv = BurstKernel { onset_minutes: 0.5, mu: 4.5f64.ln(), sigma: 1.048 };
    let radio = BurstKernel { onset_minutes: 0.5, mu: 8.0f64.ln(), sigma: 1.2 };
    m.insert("tv".into(), ChannelResponse::Spot(SpotResponse::new(9.0, 0.75, tv)));
    m.insert("radio".into(), ChannelResponse::Spot(SpotResponse::new(10.0, 0.8, radio)));
    m.insert("retargeting".into(), ChannelResponse::Daily(FlightResponse::new(100.0, 0.6, 0.6)));
    m.insert("click_to_call".into(), ChannelResponse::Daily(FlightResponse::new(120.0, 0.7, 0.4)));
    m.insert("email".into(), ChannelResponse::Daily(FlightResponse::new(200.0, 0.5, 0.5)));
    m
}

const CAMPAIGNS: [&str; 6] =
    ["Winter Saver", "Spring Switch", "Summer Cover", "Back to School", "Autumn Boost", "Loyalty Plus"];
const TV_STATIONS: [&str; 4] = ["ITV1", "Channel 4", "Sky One", "Channel 5"];
const RADIO_STATIONS: [&str; 3] = ["Heart", "Capital", "Smooth"];

fn campaign_of(d: NaiveDate) -> &'static str {
    CAMPAIGNS[((d.ordinal0() / 61) as usize) % CAMPAIGNS.len()]
}

/// Media lines for the days `[from, to]`.
fn media_for(
    rng: &mut ChaCha8Rng,
    from: NaiveDate,
    to: NaiveDate,
    holidays: &[NaiveDate],
    tv: TvPlan,
) -> Vec<MediaLine> {
    let mut lines = Vec::new();
    let at = |d: NaiveDate, minute: u32| {
        d.and_time(NaiveTime::from_hms_opt(minute / 60, minute % 60, 0).unwrap_or_default())
    };
    let mk = |ch: &str,
              kind,
              start: NaiveDateTime,
              end: Option<NaiveDateTime>,
              spend: f64,
              grps: Option<f64>,
              station: &str| MediaLine {
        row: 0,
        id: String::new(),
        channel: ch.to_string(),
        kind,
        start,
        end,
        spend,
        grps,
        impressions: None,
        audience: None,
        campaign: campaign_of(start.date()).to_string(),
        station: station.to_string(),
        creative: String::new(),
    };
    let open = |d: NaiveDate| sample_hours(d.weekday()).is_some() && !holidays.contains(&d);
    let mut week = from;
    while week <= to {
        for day in 0..7 {
            let d = week + Duration::days(day);
            if d > to || !open(d) {
                continue;
            }
            // TV: about one spot a day, mostly in the evening.
            let n_tv = match tv.per_day {
                Some(p) => i32::from(rng.gen_bool(p)),
                None => rng.gen_range(0..=2),
            };
            for _ in 0..n_tv {
                let minute = match tv.evening_share {
                    Some(e) if rng.gen_bool(e) => rng.gen_range(19 * 60..22 * 60),
                    Some(_) => rng.gen_range(8 * 60..19 * 60),
                    None if rng.gen_bool(0.7) => rng.gen_range(18 * 60..21 * 60 + 40),
                    None => rng.gen_range(10 * 60..17 * 60),
                };
                let grps = (rng.gen_range(1.5f64..9.0) * 10.0).round() / 10.0;
                let spend = (grps * rng.gen_range(700.0f64..1000.0)).round();
                let st = TV_STATIONS[rng.gen_range(0..TV_STATIONS.len())];
                lines.push(mk("tv", ChannelKind::Spot, at(d, minute), None, spend, Some(grps), st));
            }
            // Radio: daytime spots.
            if rng.gen_bool(0.6) {
                let minute = rng.gen_range(8 * 60..17 * 60);
                let grps = (rng.gen_range(1.0f64..4.0) * 10.0).round() / 10.0;
                let spend = (grps * rng.gen_range(250.0f64..350.0)).round();
                let st = RADIO_STATIONS[rng.gen_range(0..RADIO_STATIONS.len())];
                lines.push(mk("radio", ChannelKind::Spot, at(d, minute), None, spend, Some(grps), st));
            }
            // Email drops on some weekdays.
            if d.weekday().num_days_from_monday() < 5 && rng.gen_bool(0.12) {
                let minute = rng.gen_range(9 * 60..15 * 60);
                let spend = (rng.gen_range(300.0f64..1500.0)).round();
                lines.push(mk("email", ChannelKind::Drop, at(d, minute), None, spend, None, "newsletter"));
            }
        }
        // Flights start on Mondays now and then.
        if rng.gen_bool(0.35) {
            let days = rng.gen_range(5..=14);
            let daily = rng.gen_range(800.0f64..3000.0);
            let end = (week + Duration::days(days - 1)).min(to);
            let spend = (daily * ((end - week).num_days() + 1) as f64).round();
            lines.push(mk(
                "retargeting",
                ChannelKind::Flight,
                at(week, 0),
                Some(at(end, 23 * 60 + 59)),
                spend,
                None,
                "display",
            ));
        }
        if rng.gen_bool(0.35) {
            let start = week + Duration::days(rng.gen_range(0..3));
            let days = rng.gen_range(3..=10);
            let daily = rng.gen_range(600.0f64..2500.0);
            let end = (start + Duration::days(days - 1)).min(to);
            if start <= to {
                let spend = (daily * ((end - start).num_days() + 1) as f64).round();
                lines.push(mk(
                    "click_to_call",
                    ChannelKind::Flight,
                    at(start, 0),
                    Some(at(end, 23 * 60 + 59)),
                    spend,
                    None,
                    "search",
                ));
            }
        }
        week += Duration::days(7);
    }
    lines.sort_by(|a, b| (a.start, &a.channel).cmp(&(b.start, &b.channel)));
    lines
}

/// The planning week's plan: a realistic mix, with two overlapping spots and one
/// close to closing time, so the impact report has something to flag.
fn next_week_plan(rng: &mut ChaCha8Rng, week: NaiveDate, tv: TvPlan) -> Vec<MediaLine> {
    let mut lines = media_for(rng, week, week + Duration::days(6), &[], tv);
    lines.retain(|l| l.channel != "retargeting" && l.channel != "click_to_call");
    let at = |d: i64, h: u32, m: u32| {
        (week + Duration::days(d)).and_time(NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default())
    };
    let base = |ch: &str, kind, start, end, spend: f64, grps: Option<f64>, station: &str, campaign: &str| MediaLine {
        row: 0,
        id: String::new(),
        channel: ch.into(),
        kind,
        start,
        end,
        spend,
        grps,
        impressions: None,
        audience: None,
        campaign: campaign.into(),
        station: station.into(),
        creative: String::new(),
    };
    lines.push(base("tv", ChannelKind::Spot, at(1, 20, 14), None, 7200.0, Some(8.5), "ITV1", "Black Friday"));
    lines.push(base("tv", ChannelKind::Spot, at(1, 20, 21), None, 6100.0, Some(7.0), "Channel 4", "Black Friday"));
    lines.push(base("tv", ChannelKind::Spot, at(3, 21, 55), None, 5200.0, Some(6.0), "Sky One", "Black Friday"));
    lines.push(base(
        "retargeting",
        ChannelKind::Flight,
        at(0, 0, 0),
        Some(at(6, 23, 59)),
        7000.0,
        None,
        "display",
        "Black Friday",
    ));
    lines.push(base(
        "click_to_call",
        ChannelKind::Flight,
        at(2, 0, 0),
        Some(at(5, 23, 59)),
        2400.0,
        None,
        "search",
        "Black Friday",
    ));
    lines.sort_by(|a, b| (a.start, &a.channel).cmp(&(b.start, &b.channel)));
    lines
}

fn media_csv(lines: &[MediaLine]) -> String {
    let mut s = String::from("id,channel,start,end,spend,grps,campaign,station\n");
    for (i, l) in lines.iter().enumerate() {
        let _ = writeln!(
            s,
            "L{:04},{},{},{},{:.0},{},{},{}",
            i + 1,
            l.channel,
            l.start.format("%Y-%m-%d %H:%M"),
            l.end.map(|e| e.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default(),
            l.spend,
            l.grps.map(|g| format!("{g:.1}")).unwrap_or_default(),
            l.campaign,
            l.station
        );
    }
    s
}

/// The generated sample, in memory.
pub struct Sample {
    pub files: Vec<(&'static str, String)>,
    pub truth: GroundTruth,
    /// The planning week's calls as they happen (one queue only).
    pub realised: Option<RealisedWeek>,
}

/// The planning week's realised calls: days × slots (NaN where closed).
#[derive(Debug, Clone)]
pub struct RealisedWeek {
    pub days: Vec<NaiveDate>,
    pub calls: ndarray::Array2<f64>,
    /// The planned lines' truth in it.
    pub lines: Vec<LineTruth>,
}

/// What the realised week is drawn from.
struct WeekTruth<'a> {
    baseline: &'a BaselineTruth,
    first: NaiveDate,
    holidays: &'a [NaiveDate],
    shapes: &'a DayShapes,
}

/// The planning week's calls: the baseline with its noise, the past lines'
/// carry-over, next week's lines at `response_factor` × their response and
/// the unannounced campaign. A stream of its own (the seed + 1), so the
/// other files do not change with it.
fn realised_week(
    args: &SynthOptions,
    t: &WeekTruth<'_>,
    past: &[MediaLine],
    next: &[MediaLine],
    responses: &BTreeMap<String, ChannelResponse>,
) -> anyhow::Result<RealisedWeek> {
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed.wrapping_add(1));
    let per_day = t.shapes.interval.per_day();
    let days: Vec<NaiveDate> = (0..7).map(|i| args.week + Duration::days(i)).collect();
    let carry = true_uplift(past, responses, &args.station_effects, t.shapes).grid(&days, per_day);
    let r = &args.realised;
    let mut next_uplift = true_uplift(next, responses, &args.station_effects, t.shapes);
    if !r.station_factors.is_empty() {
        for l in &mut next_uplift.lines {
            let f = r.station_factors.get(&next[l.line].station).copied().unwrap_or(1.0);
            l.cells.iter_mut().for_each(|c| c.2 *= f);
        }
    }
    let planned = next_uplift.grid(&days, per_day);
    let truth = week_line_truth(args, next, &next_uplift, &days);
    let day_noise = Gamma::new(t.baseline.day_noise_shape, 1.0 / t.baseline.day_noise_shape)?;
    let int_noise = Gamma::new(t.baseline.interval_noise_shape, 1.0 / t.baseline.interval_noise_shape)?;
    let mut calls = ndarray::Array2::from_elem((7, per_day), f64::NAN);
    for (k, d) in days.iter().enumerate() {
        let Some(shape) = t.shapes.by_day.get(d) else { continue };
        let volume = t.baseline.day_volume(*d, t.first, t.holidays) * day_noise.sample(&mut rng) * args.demand_scale;
        for s in (0..per_day).filter(|&s| shape[s] > 0.0) {
            let start = d.and_time(NaiveTime::MIN) + Duration::minutes((s as u32 * INTERVAL) as i64);
            let base = volume * shape[s];
            let surprise = r.unannounced.as_ref().map_or(0.0, |u| {
                let minutes = (start - u.start).num_minutes() as f64;
                if minutes >= 0.0 {
                    u.peak_share * base * 0.5f64.powf(minutes / u.half_life_minutes)
                } else {
                    0.0
                }
            });
            let campaigns = (carry[[k, s]] + r.response_factor * planned[[k, s]]) * args.demand_scale;
            let rate = base * int_noise.sample(&mut rng) + campaigns + surprise;
            calls[[k, s]] = if rate > 0.0 { Poisson::new(rate)?.sample(&mut rng) } else { 0.0 };
        }
    }
    Ok(RealisedWeek { days, calls, lines: truth })
}

/// Each planned line's true extra calls in the week's open intervals.
fn week_line_truth(args: &SynthOptions, next: &[MediaLine], uplift: &Uplift, days: &[NaiveDate]) -> Vec<LineTruth> {
    let r = &args.realised;
    uplift
        .lines
        .iter()
        .map(|u| {
            let l = &next[u.line];
            let station = r.station_factors.get(&l.station).copied().unwrap_or(1.0)
                * args.station_effects.get(&l.station).copied().unwrap_or(1.0);
            let in_week: f64 = u.cells.iter().filter(|c| days.contains(&c.0)).map(|c| c.2).sum();
            let calls = in_week * r.response_factor * args.demand_scale;
            let unit = match l.kind {
                ChannelKind::Spot => l.weight(),
                _ => l.spend / 1000.0,
            };
            LineTruth {
                id: format!("L{:04}", u.line + 1),
                channel: l.channel.clone(),
                station: l.station.clone(),
                start: l.start.format("%Y-%m-%d %H:%M").to_string(),
                factor: r.response_factor * station,
                true_extra_calls: (calls * 10.0).round() / 10.0 + 0.0,
                true_calls_per_unit: if unit > 0.0 { (calls / unit * 1000.0).round() / 1000.0 + 0.0 } else { 0.0 },
            }
        })
        .collect()
}

/// `week_actuals.csv`: the realised calls of the whole planning week, as interval counts.
fn week_actuals_csv(week: &RealisedWeek) -> String {
    let mut out = String::from("interval_start,calls\n");
    for (k, d) in week.days.iter().enumerate() {
        for (s, v) in week.calls.row(k).iter().enumerate() {
            if !v.is_nan() {
                let start = d.and_time(NaiveTime::MIN) + Duration::minutes((s as u32 * INTERVAL) as i64);
                let _ = writeln!(out, "{},{}", start.format("%Y-%m-%d %H:%M"), *v as u64);
            }
        }
    }
    out
}

/// `today.csv`: the realised calls of `today` before `until`, as interval counts.
fn today_csv(week: &RealisedWeek, r: &RealisedOptions) -> String {
    let mut out = String::from("interval_start,calls\n");
    let Some(k) = week.days.iter().position(|d| *d == r.today) else { return out };
    for (s, v) in week.calls.row(k).iter().enumerate() {
        let start = r.today.and_time(NaiveTime::MIN) + Duration::minutes((s as u32 * INTERVAL) as i64);
        if !v.is_nan() && start.time() < r.until {
            let _ = writeln!(out, "{},{}", start.format("%Y-%m-%d %H:%M"), *v as u64);
        }
    }
    out
}

/// Generate the whole sample.
pub fn generate(args: &SynthOptions) -> anyhow::Result<Sample> {
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let holidays = holidays();
    let week = args.week;
    anyhow::ensure!(week.weekday() == Weekday::Mon, "--week must be a Monday, got {week} ({})", week.weekday());
    let first = week - Duration::days(7 * args.weeks as i64);
    let last = week - Duration::days(1);
    let truth_b = BaselineTruth::sample();
    let iv = IntervalMinutes::new(INTERVAL).map_err(anyhow::Error::msg)?;
    let per_day = iv.per_day();

    // Expected history-only calls per open day, and the shapes to spread day-level calls.
    let mut shapes = DayShapes { interval: iv, by_day: BTreeMap::new() };
    let mut day = first;
    while day <= week + Duration::days(6) {
        if let (Some(shape), false) = (sample_shape(day.weekday()), holidays.contains(&day)) {
            shapes.by_day.insert(day, shape);
        }
        day += Duration::days(1);
    }
    args.check()?;
    let open_days = shapes.by_day.keys().filter(|d| **d <= last).count().max(1);
    let tv = TvPlan {
        per_day: args.tv_spots.map(|n| (n as f64 / open_days as f64).min(1.0)),
        evening_share: args.tv_evening_share,
    };
    let past = media_for(&mut rng, first, last, &holidays, tv);
    let mut responses = true_responses();
    if let Some(ChannelResponse::Daily(email)) = responses.get_mut("email") {
        email.send_peak_minutes = args.email_peak_minutes;
        if let Some((shape, mean)) = args.email_send_gamma {
            email.send_peak_minutes = None;
            email.send_curve = crate::forecast::media::response::SendCurve::gamma(shape, mean);
        }
    }
    if let Some(ChannelResponse::Daily(r)) = responses.get_mut("retargeting") {
        r.delay_days = args.retargeting_delay_days;
        if let Some((shape, scale)) = args.retargeting_weibull {
            r.delay_days = None;
            r.day_weights = crate::forecast::media::response::DayWeights::weibull(shape, scale);
        }
    }
    if let Some(ChannelResponse::Spot(tv)) = responses.get_mut("tv") {
        tv.beta = args.tv_grp_power.unwrap_or(tv.beta);
        if let Some(k) = args.tv_hill_grps {
            // The same calls as the power curve at the GRPs of a typical spot (5).
            tv.scale *= 5f64.powf(tv.beta) / (5.0 * (1.0 + k) / (5.0 + k));
            tv.beta = 1.0;
            tv.hill_half_size = Some(k);
        }
    }
    if let (Some(ChannelResponse::Spot(tv)), Some(f)) = (responses.get_mut("tv"), args.tv_evening_factor) {
        let mut m = [1.0; DAYPARTS.len()];
        m[daypart_of(20)] = f;
        tv.dayparts = Some(m);
    }
    let mut uplift = true_uplift(&past, &responses, &args.station_effects, &shapes);
    if let Some(sd) = args.line_response_sd {
        // Its own stream, so the other files stay as without it.
        let mut line_rng = ChaCha8Rng::seed_from_u64(args.seed.wrapping_add(2));
        let factor = rand_distr::LogNormal::new(-sd * sd / 2.0, sd)?;
        for l in &mut uplift.lines {
            let f = factor.sample(&mut line_rng);
            l.cells.iter_mut().for_each(|c| c.2 *= f);
        }
    }
    let hist_days: Vec<NaiveDate> = shapes.by_day.keys().copied().filter(|d| *d <= last).collect();
    let extra = uplift.grid(&hist_days, per_day);

    let day_noise = Gamma::new(truth_b.day_noise_shape, 1.0 / truth_b.day_noise_shape)?;
    let int_noise = Gamma::new(truth_b.interval_noise_shape, 1.0 / truth_b.interval_noise_shape)?;
    let queues = if args.queues > 1 { queue_truth(args.queues) } else { vec![] };
    let mut history =
        String::from(if queues.is_empty() { "interval_start,calls\n" } else { "interval_start,queue,calls\n" });
    for (k, d) in hist_days.iter().enumerate() {
        let volume = truth_b.day_volume(*d, first, &holidays) * day_noise.sample(&mut rng) * args.demand_scale;
        let shape = &shapes.by_day[d];
        for s in 0..per_day {
            if shape[s] <= 0.0 {
                continue;
            }
            let t = d.and_time(NaiveTime::MIN) + Duration::minutes((s as u32 * INTERVAL) as i64);
            let t = t.format("%Y-%m-%d %H:%M");
            if queues.is_empty() {
                let rate = volume * shape[s] * int_noise.sample(&mut rng) + extra[[k, s]] * args.demand_scale;
                let calls = if rate > 0.0 { Poisson::new(rate)?.sample(&mut rng) } else { 0.0 };
                let _ = writeln!(history, "{t},{}", calls as u64);
                continue;
            }
            for q in &queues {
                let rate =
                    q.share * (volume * shape[s] * int_noise.sample(&mut rng) + extra[[k, s]] * args.demand_scale);
                let calls = if rate > 0.0 { Poisson::new(rate)?.sample(&mut rng) } else { 0.0 };
                let _ = writeln!(history, "{t},{},{}", q.name, calls as u64);
            }
        }
    }
    let next = next_week_plan(&mut rng, week, tv);
    let realised = if queues.is_empty() {
        let week_shapes = WeekTruth { baseline: &truth_b, first, holidays: &holidays, shapes: &shapes };
        Some(realised_week(args, &week_shapes, &past, &next, &responses)?)
    } else {
        None
    };
    let mut by_channel: BTreeMap<&str, Vec<&MediaLine>> = BTreeMap::new();
    for l in &past {
        by_channel.entry(l.channel.as_str()).or_default().push(l);
    }
    let summaries = by_channel.iter().map(|(ch, ls)| summarise(ch, &responses[*ch], ls, &shapes)).collect();
    let truth = GroundTruth {
        seed: args.seed,
        interval_minutes: INTERVAL,
        history_from: first,
        history_to: last,
        baseline: truth_b,
        responses,
        summaries,
        demand_scale: args.demand_scale,
        queues,
        realised: realised.is_some().then(|| args.realised.clone()),
        week_lines: realised.as_ref().map(|w| w.lines.clone()).unwrap_or_default(),
        station_effects: args.station_effects.clone(),
    };
    let agents = agents_csv(&mut rng, args.agents, &truth.queues);
    let mut files = vec![
        ("history.csv", history),
        ("media_history.csv", media_csv(&past)),
        ("media_plan_next_week.csv", media_csv(&next)),
        ("agents.csv", agents),
        ("centre.toml", centre_toml(&holidays)),
        ("ground_truth.json", serde_json::to_string_pretty(&truth)? + "\n"),
    ];
    if let Some(week) = &realised {
        files.push(("today.csv", today_csv(week, &args.realised)));
        files.push(("week_actuals.csv", week_actuals_csv(week)));
    }
    Ok(Sample { files, truth, realised })
}

/// Agents with mixed contracts: full-time, part-time and weekend staff.
/// With several queues, each agent has a primary queue drawn by the queues'
/// shares, and three in ten take a second queue too.
fn agents_csv(rng: &mut ChaCha8Rng, n: usize, queues: &[QueueTruth]) -> String {
    const FIRST: [&str; 20] = [
        "Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Mia", "Arthur", "Ivy", "Leo", "Grace", "Oscar", "Freya",
        "Harry", "Lily", "Jack", "Sofia", "Theo", "Rosie", "Finn",
    ];
    const LAST: [&str; 16] = [
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright", "Khan",
        "Evans", "Green", "Hall", "Wood", "Clarke",
    ];
    let mut s = String::from("id,name,contract,min_weekly_hours,max_weekly_hours,max_days,available_days,earliest_start,latest_end,preferred_start");
    s.push_str(if queues.is_empty() { "\n" } else { ",queues,primary_queue\n" });
    for i in 0..n {
        let name = format!("{} {}", FIRST[rng.gen_range(0..FIRST.len())], LAST[rng.gen_range(0..LAST.len())]);
        let r: f64 = rng.gen();
        // 35% full time, 45% part time, 20% flexible (no guaranteed hours).
        let (contract, min_h, max_h, days, avail, earliest, latest) = if r < 0.35 {
            ("full_time", 30, 40, 5, "mon-sat", "08:00", "22:00")
        } else if r < 0.8 {
            ("part_time", 8, 24, 4, "mon-sat", "08:00", "22:00")
        } else {
            ("flexible", 0, 20, 4, "mon-sat", "12:00", "22:00")
        };
        let pref = ["08:00", "09:00", "10:00", "12:00", "14:00"][rng.gen_range(0..5)];
        let pref = if contract == "flexible" { "14:00" } else { pref };
        let _ = write!(s, "A{:03},{name},{contract},{min_h},{max_h},{days},{avail},{earliest},{latest},{pref}", i + 1);
        if !queues.is_empty() {
            let primary = draw_queue(rng, queues);
            let second = (rng.gen::<f64>() < 0.3).then(|| draw_queue(rng, queues)).filter(|q| *q != primary);
            let listed = match second {
                Some(q) => format!("{};{}", queues[primary].name, queues[q].name),
                None => queues[primary].name.clone(),
            };
            let _ = write!(s, ",{listed},{}", queues[primary].name);
        }
        s.push('\n');
    }
    s
}

fn draw_queue(rng: &mut ChaCha8Rng, queues: &[QueueTruth]) -> usize {
    let mut u: f64 = rng.gen();
    for (i, q) in queues.iter().enumerate() {
        if u < q.share {
            return i;
        }
        u -= q.share;
    }
    queues.len() - 1
}

fn centre_toml(holidays: &[NaiveDate]) -> String {
    let closed: Vec<String> = holidays.iter().map(|d| format!("\"{d}\"")).collect();
    format!(
        r#"# Sample centre generated by `ringcast synth`. Times are local (Europe/London).
name = "Sample Bank Contact Centre"
timezone = "Europe/London"
interval_minutes = {INTERVAL}
currency = "GBP"

[opening_hours]
mon = "08:00-22:00"
tue = "08:00-22:00"
wed = "08:00-22:00"
thu = "08:00-22:00"
fri = "08:00-22:00"
sat = "09:00-18:00"
sun = "closed"
closed_dates = [{}]

[service]
target_sl = 0.8
answer_seconds = 20
aht_seconds = 300
patience_seconds = 180
max_occupancy = 0.9
shrinkage = 0.3
min_agents_open = 2

[costs]
hourly_cost = 24.0
value_per_answered_call = 60.0

[scheduling]
objective = "paid-hours"
time_limit_seconds = 20
min_rest_hours = 11

# Full-time: 8.5 h with a paid 15-minute break and a 30-minute unpaid lunch.
[[scheduling.shifts]]
name = "full-time"
earliest_start = "08:00"
latest_start = "13:30"
start_step_minutes = 30
span_hours = 8.5
paid_hours = 8
[[scheduling.shifts.breaks]]
minutes = 15
earliest_after_minutes = 90
latest_after_minutes = 150
step_minutes = 15
paid = true
[[scheduling.shifts.breaks]]
minutes = 30
earliest_after_minutes = 210
latest_after_minutes = 270
step_minutes = 15
paid = false

# Part-time: 4 hours, no breaks.
[[scheduling.shifts]]
name = "part-time"
earliest_start = "08:00"
latest_start = "18:00"
start_step_minutes = 30
span_hours = 4
paid_hours = 4
breaks = []
part_time = true
"#,
        closed.join(", ")
    )
}

/// Generate a sample with `agents` = 5 into a fresh temporary folder (tests).
#[cfg(test)]
pub fn sample_in_tempdir(seed: u64, weeks: u32, week: NaiveDate) -> (tempfile::TempDir, Sample) {
    sample_in_tempdir_with(&SynthOptions::sample(seed, weeks, week, 5))
}

/// Generate a sample with these options into a fresh temporary folder (tests).
#[cfg(test)]
pub fn sample_in_tempdir_with(options: &SynthOptions) -> (tempfile::TempDir, Sample) {
    let dir = tempfile::tempdir().expect("temp dir");
    let sample = generate(options).expect("sample");
    for (name, text) in &sample.files {
        std::fs::write(dir.path().join(name), text).expect("write sample");
    }
    (dir, sample)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_normalised_and_closed_on_sunday() {
        for wd in [Weekday::Mon, Weekday::Sat] {
            let s = sample_shape(wd).unwrap();
            assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            assert_eq!(s[0], 0.0);
        }
        assert!(sample_shape(Weekday::Sun).is_none());
    }

    #[test]
    fn opt_in_behaviours_are_checked_and_written_to_the_truth() {
        let week = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let base = SynthOptions::sample(3, 8, week, 5);
        for bad in [
            SynthOptions { tv_spots: Some(0), ..base.clone() },
            SynthOptions { tv_evening_share: Some(1.5), ..base.clone() },
            SynthOptions { email_send_gamma: Some((0.5, 100.0)), ..base.clone() },
            SynthOptions { retargeting_weibull: Some((2.0, 9.0)), ..base.clone() },
            SynthOptions { station_effects: [("ITV1".to_string(), -1.0)].into_iter().collect(), ..base.clone() },
        ] {
            assert!(generate(&bad).is_err(), "{bad:?}");
        }
        let options = SynthOptions {
            tv_spots: Some(40),
            tv_evening_share: Some(0.5),
            station_effects: [("ITV1".to_string(), 1.25)].into_iter().collect(),
            email_send_gamma: Some((2.0, 100.0)),
            retargeting_weibull: Some((2.0, 2.0)),
            ..base
        };
        let s = generate(&options).unwrap();
        let tv = s.files[1].1.lines().filter(|l| l.contains(",tv,")).count();
        assert!((25..=55).contains(&tv), "{tv} TV spots for about 40");
        let json = &s.files.iter().find(|f| f.0 == "ground_truth.json").unwrap().1;
        for key in ["\"station_effects\"", "\"send_curve\"", "\"day_weights\""] {
            assert!(json.contains(key), "{key} missing from the truth");
        }
        assert_eq!(s.truth.station_effects["ITV1"], 1.25);
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let a = SynthOptions::sample(3, 3, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), 10);
        let x = generate(&a).unwrap();
        let y = generate(&a).unwrap();
        assert_eq!(x.files, y.files);
        let z = generate(&SynthOptions { seed: 4, ..a }).unwrap();
        assert_ne!(x.files[0].1, z.files[0].1);
    }
}
