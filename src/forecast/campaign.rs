//! Learning the campaigns out of the history.
//!
//! Calls in the history are baseline plus what past campaigns caused. The two
//! are separated by alternating: estimate each day's baseline from its
//! same-weekday neighbours with the campaign calls found so far removed, fit the
//! channel responses against that baseline, repeat. What remains — the history
//! with campaign calls removed — is what the history-only baseline model learns
//! from, so a campaign-heavy past does not inflate next week's baseline.

use super::insample::{neighbour_baseline_masked, smooth_baseline};
use super::media::fit::{BaselineDesign, FitData, FittedMedia, MediaModel};
use super::media::uplift::{DayShapes, Uplift};
use crate::ingest::media::MediaLine;
use crate::ingest::History;
use chrono::NaiveDate;
use ndarray::Array2;
use std::collections::BTreeMap;

/// Hyper-parameters of the separation.
#[derive(Debug, Clone)]
pub struct CampaignModel {
    pub media: MediaModel,
    /// Rounds of (shape from neighbours less the campaign calls found so far,
    /// joint fit). Default 1, range 1..5.
    pub rounds: usize,
    /// Same-weekday neighbours on each side for the intraday shape. Default 26
    /// (half a year each side: a noisy shape biases the spot responses), range 1..52.
    pub half_window_weeks: i64,
}

impl Default for CampaignModel {
    fn default() -> Self {
        Self { media: MediaModel::default(), rounds: 1, half_window_weeks: 26 }
    }
}

impl CampaignModel {
    /// The parameters, or the first out of its documented range.
    pub fn check(self) -> Result<Self, String> {
        if !(1..=5).contains(&self.rounds) {
            return Err(format!("rounds = {}: expected 1 to 5", self.rounds));
        }
        if !(1..=52).contains(&self.half_window_weeks) {
            return Err(format!("half_window_weeks = {}: expected 1 to 52", self.half_window_weeks));
        }
        Ok(self)
    }
}

/// What the history taught about campaigns.
#[derive(Debug, Clone)]
pub struct LearnedCampaigns {
    pub fitted: FittedMedia,
    /// Campaign calls attributed to each history cell.
    pub history_uplift: Array2<f64>,
    /// The history with campaign calls removed (the baseline model's input).
    pub adjusted: History,
    /// The in-sample baseline of the last round.
    pub insample_baseline: Array2<f64>,
    /// The day-level model and its coefficients (extrapolates to future days).
    pub level: DayFeatures,
    pub level_coef: Vec<f64>,
    /// The intraday shapes of the history days.
    pub shapes: DayShapes,
}

/// Intraday shapes from a days × slots grid of expected calls.
pub fn shapes_from(interval: crate::units::IntervalMinutes, days: &[NaiveDate], expected: &Array2<f64>) -> DayShapes {
    let mut by_day = BTreeMap::new();
    for (k, d) in days.iter().enumerate() {
        let row: Vec<f64> = expected.row(k).iter().map(|v| if v.is_nan() { 0.0 } else { v.max(0.0) }).collect();
        let total: f64 = row.iter().sum();
        if total > 0.0 {
            by_day.insert(*d, row.iter().map(|v| v / total).collect());
        }
    }
    DayShapes { interval, by_day }
}

impl CampaignModel {
    /// Separate baseline and campaign calls in `history` given the past plans.
    pub fn learn(&self, history: &History, past: &[MediaLine]) -> LearnedCampaigns {
        let days = &history.days;
        let slots = history.slots_per_day();
        // The intraday shape comes from same-weekday neighbours, leaving out the
        // hour after every spot: flights and drops scale a whole day and do not
        // distort the shape, spots do.
        let mask = spot_mask(history, past, 60);
        let mut base = smooth_baseline(days, &history.offered, self.half_window_weeks);
        let mut fitted = FittedMedia::default();
        let mut level_coef = Vec::new();
        let mut uplift = Array2::zeros(history.offered.raw_dim());
        let mut shapes = DayShapes { interval: history.interval, by_day: BTreeMap::new() };
        for _ in 0..self.rounds.max(1) {
            // Neighbours with the campaign calls found so far removed give the shape.
            let adjusted = &history.offered - &uplift;
            let local = neighbour_baseline_masked(days, &adjusted, Some(&mask), self.half_window_weeks);
            shapes = shapes_from(history.interval, days, &local);
            let design = day_level_design(days, &history.offered, &shapes);
            let data =
                FitData { days, observed: &history.offered, baseline: &base, shapes: &shapes, design: Some(&design) };
            let j = self.media.fit_joint(&data, past);
            fitted = j.media;
            base = j.baseline;
            level_coef = j.level_coef;
            uplift = Uplift::compute(past, &fitted.responses, &shapes).grid(days, slots);
        }
        let mut adjusted = history.clone();
        adjusted.offered = Array2::from_shape_fn(history.offered.raw_dim(), |ix| {
            let v = history.offered[ix];
            if v.is_nan() {
                v
            } else {
                (v - uplift[ix]).max(0.0)
            }
        });
        LearnedCampaigns {
            fitted,
            history_uplift: uplift,
            adjusted,
            insample_baseline: base,
            level: DayFeatures::from_history(days, &history.offered),
            level_coef,
            shapes,
        }
    }
}

/// Cells within `minutes` after any spot of the plan.
pub fn spot_mask(history: &History, plan: &[MediaLine], minutes: u32) -> Array2<bool> {
    use chrono::Timelike;
    let mut m = Array2::from_elem(history.offered.raw_dim(), false);
    let iv = history.interval.get();
    let per_day = history.slots_per_day() as i64;
    for l in plan.iter().filter(|l| l.kind == crate::config::ChannelKind::Spot) {
        let first = ((l.start.hour() * 60 + l.start.minute()) / iv) as i64;
        let last = ((l.start.hour() * 60 + l.start.minute() + minutes) / iv) as i64;
        for k in first..=last {
            let day = l.start.date() + chrono::Duration::days(k.div_euclid(per_day));
            if let Some(d) = history.day_index(day) {
                m[[d, k.rem_euclid(per_day) as usize]] = true;
            }
        }
    }
    m
}

/// The day-level baseline features: a level per weekday, and — scaled by that
/// weekday's mean — a linear trend, two annual harmonics, "first open day
/// after a closure" and "last open day before a closure". Smooth in time, so a campaign's days cannot be absorbed,
/// and defined for any date, so the fitted level extrapolates to next week.
///
/// A history too short to identify a term leaves it out (its column is zero):
/// annual harmonics fitted on a few weeks extrapolate wildly (measured on the
/// US bank series, nine weeks → the next three: RMSE 276 with them, see the
/// backtest), and a trend needs [`MIN_TREND_DAYS`] to be told from noise.
#[derive(Debug, Clone)]
pub struct DayFeatures {
    /// Weekdays (0 = Monday) with data, each with its mean daily calls.
    weekdays: Vec<usize>,
    mean: [f64; 7],
    first: NaiveDate,
    trend: bool,
    season: bool,
    /// The history shows the last open day before a closure clearly apart
    /// from its weekday (see [`before_closure_is_clear`]).
    before_closure_clear: bool,
}

/// Day-level terms after the weekday levels: trend, two annual harmonics (cos,
/// sin each), after a closure, before a closure.
const SLOW_TERMS: usize = 7;

/// Where a day sits against the centre's unusual closures (holidays): a day
/// whose weekday normally opens but is closed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClosureSides {
    /// The day before was closed although its weekday normally opens.
    pub after: bool,
    /// The day after is closed although its weekday normally opens.
    pub before: bool,
}

/// Calendar days of history the annual harmonics need: a whole year.
pub const MIN_SEASON_DAYS: i64 = 364;
/// Calendar days of history a linear trend needs.
pub const MIN_TREND_DAYS: i64 = 42;

impl DayFeatures {
    pub fn from_history(days: &[NaiveDate], observed: &Array2<f64>) -> DayFeatures {
        use chrono::Datelike;
        let mut mean = [0.0f64; 7];
        let mut count = [0usize; 7];
        for (k, d) in days.iter().enumerate() {
            let w = d.weekday().num_days_from_monday() as usize;
            mean[w] += observed.row(k).iter().filter(|v| !v.is_nan()).sum::<f64>();
            count[w] += 1;
        }
        let weekdays: Vec<usize> = (0..7).filter(|&w| count[w] > 0).collect();
        for w in &weekdays {
            mean[*w] /= count[*w] as f64;
        }
        let first = days.first().copied().unwrap_or_default();
        let span = days.last().map_or(0, |l| (*l - first).num_days() + 1);
        let totals: Vec<f64> = observed.rows().into_iter().map(|r| r.iter().filter(|v| !v.is_nan()).sum()).collect();
        DayFeatures {
            weekdays,
            mean,
            first,
            trend: span >= MIN_TREND_DAYS,
            season: span >= MIN_SEASON_DAYS,
            before_closure_clear: before_closure_is_clear(days, &totals),
        }
    }

    /// Whether forecasts carry the before-a-closure effect (the history shows it clearly).
    pub fn before_closure_clear(&self) -> bool {
        self.before_closure_clear
    }

    pub fn len(&self) -> usize {
        self.weekdays.len() + SLOW_TERMS
    }

    pub fn is_empty(&self) -> bool {
        self.weekdays.is_empty()
    }

    /// Whether the centre normally opens on this weekday (it has history).
    pub fn opens_on(&self, d: NaiveDate) -> bool {
        use chrono::Datelike;
        self.weekdays.contains(&(d.weekday().num_days_from_monday() as usize))
    }

    /// The slow part of the fitted day level on `d`, as a factor of its
    /// weekday's level: trend and annual season, both only from a history of
    /// a year or more (else 1), and the effects of the closures around it.
    /// Dividing it out leaves what the low-rank baseline models well (the
    /// intraday shapes and the day-to-day persistence); multiplying it back
    /// carries the season into the forecast.
    pub fn slow_factor(&self, d: NaiveDate, sides: ClosureSides, coef: &[f64]) -> f64 {
        use chrono::Datelike;
        let w = d.weekday().num_days_from_monday() as usize;
        let Some(j) = self.weekdays.iter().position(|x| *x == w) else { return 1.0 };
        let x = self.row(d, sides);
        let nw = self.weekdays.len();
        let (Some(base), Some(slow)) = (coef.get(j), coef.get(nw..nw + SLOW_TERMS)) else { return 1.0 };
        if *base <= 0.0 || self.mean[w] <= 0.0 {
            return 1.0;
        }
        // The trend only from a year or more of history: over a few months a
        // fitted trend is mostly noise and the low-rank model's persistence
        // follows the level better (US bank, one day ahead: RMSE 18.33 with the
        // trend divided out, 18.03 without).
        let from = if self.season { 0 } else { 1 };
        let extra: f64 =
            x[nw + from..nw + SLOW_TERMS].iter().zip(&slow[from..]).map(|(a, b)| a * b).sum::<f64>() / self.mean[w];
        (1.0 + extra / base).clamp(0.2, 5.0)
    }

    /// The feature row of a date with the closures around it.
    pub fn row(&self, d: NaiveDate, sides: ClosureSides) -> Vec<f64> {
        use chrono::Datelike;
        let w = d.weekday().num_days_from_monday() as usize;
        let mut x = vec![0.0; self.len()];
        if let Some(j) = self.weekdays.iter().position(|x| *x == w) {
            x[j] = self.mean[w];
        }
        let t = if self.trend { (d - self.first).num_days() as f64 / 365.25 } else { 0.0 };
        let a = 2.0 * std::f64::consts::PI * d.ordinal() as f64 / 365.25;
        let (s1, s2) = if self.season { (1.0, 1.0) } else { (0.0, 0.0) };
        let f = [
            t,
            s1 * a.cos(),
            s1 * a.sin(),
            s2 * (2.0 * a).cos(),
            s2 * (2.0 * a).sin(),
            if sides.after { 1.0 } else { 0.0 },
            if sides.before { 1.0 } else { 0.0 },
        ];
        for (j, v) in f.iter().enumerate() {
            x[self.weekdays.len() + j] = self.mean[w] * v;
        }
        x
    }
}

/// Days before a closure the history needs before their effect is forecast.
const MIN_BEFORE_CLOSURE_DAYS: usize = 3;

/// Whether the last open days before the history's closures differ from their
/// weekday clearly: the mean log ratio of each such day's calls to the median
/// of the same weekday within three weeks is at least two standard errors from
/// zero, over at least [`MIN_BEFORE_CLOSURE_DAYS`] days.
///
/// Why a gate: the regression estimates the effect from the few holidays of a
/// window, and applied unconditionally that noise costs accuracy (US bank
/// protocol, one day ahead: RMSE 18.17 against 18.01 gated; there the five
/// eves average +5% with t = 1.8). A centre whose eves are short days (the
/// day before a national holiday) shows it at once.
fn before_closure_is_clear(days: &[NaiveDate], totals: &[f64]) -> bool {
    use chrono::Datelike;
    let index: BTreeMap<NaiveDate, f64> = days.iter().copied().zip(totals.iter().copied()).collect();
    let open_weekday = |x: NaiveDate| days.iter().any(|d| d.weekday() == x.weekday());
    let (Some(&first), Some(&last)) = (days.first(), days.last()) else { return false };
    let logs: Vec<f64> = days
        .iter()
        .filter(|d| {
            let next = **d + chrono::Duration::days(1);
            next <= last && next >= first && open_weekday(next) && !index.contains_key(&next)
        })
        .filter_map(|d| {
            let mut peers: Vec<f64> = [-3i64, -2, -1, 1, 2, 3]
                .iter()
                .filter_map(|k| index.get(&(*d + chrono::Duration::weeks(*k))).copied())
                .filter(|v| *v > 0.0)
                .collect();
            peers.sort_by(f64::total_cmp);
            let own = index[d];
            (own > 0.0 && !peers.is_empty()).then(|| (own / peers[peers.len() / 2]).ln())
        })
        .collect();
    let n = logs.len();
    if n < MIN_BEFORE_CLOSURE_DAYS {
        return false;
    }
    let mean = logs.iter().sum::<f64>() / n as f64;
    let var = logs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    mean.abs() >= 2.0 * (var / n as f64).sqrt()
}

/// The design of the history days.
pub fn day_level_design(days: &[NaiveDate], observed: &Array2<f64>, shapes: &DayShapes) -> BaselineDesign {
    let feats = DayFeatures::from_history(days, observed);
    let present: std::collections::BTreeSet<NaiveDate> = days.iter().copied().collect();
    let (Some(&first), Some(&last)) = (days.first(), days.last()) else {
        return BaselineDesign { z: Array2::zeros((0, feats.len())), shape: Array2::zeros(observed.raw_dim()) };
    };
    let mut z = Array2::zeros((days.len(), feats.len()));
    for (k, d) in days.iter().enumerate() {
        let closed = |x: NaiveDate| feats.opens_on(x) && !present.contains(&x) && (first..=last).contains(&x);
        let sides = ClosureSides {
            after: closed(*d - chrono::Duration::days(1)),
            before: closed(*d + chrono::Duration::days(1)),
        };
        for (j, v) in feats.row(*d, sides).into_iter().enumerate() {
            z[[k, j]] = v;
        }
    }
    let mut shape = Array2::zeros(observed.raw_dim());
    for (k, d) in days.iter().enumerate() {
        if let Some(sh) = shapes.by_day.get(d) {
            for (s, v) in sh.iter().enumerate() {
                shape[[k, s]] = *v;
            }
        }
    }
    BaselineDesign { z, shape }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ChannelKinds;
    use crate::ingest::history::load_history;

    #[test]
    fn documented_ranges_are_checked() {
        use crate::forecast::predict::ForecastModel;
        assert!(ForecastModel::default().check().is_ok());
        let e = CampaignModel { rounds: 0, ..CampaignModel::default() }.check().unwrap_err();
        assert!(e.contains("rounds = 0"), "{e}");
        let e = ForecastModel { shape_days: 0, ..ForecastModel::default() }.check().unwrap_err();
        assert!(e.contains("shape_days = 0"), "{e}");
        let e = ForecastModel { min_trend_days: 5, ..ForecastModel::default() }.check().unwrap_err();
        assert!(e.contains("min_trend_days = 5"), "{e}");
        let bad = CampaignModel { half_window_weeks: 60, ..CampaignModel::default() };
        let e = ForecastModel { campaign: bad, ..ForecastModel::default() }.check().unwrap_err();
        assert!(e.contains("half_window_weeks = 60"), "{e}");
    }
    use crate::ingest::media::load_media_plan;
    use crate::synth::sample_in_tempdir;

    #[test]
    fn a_short_history_has_no_season_and_a_long_one_has() {
        let d0 = NaiveDate::from_ymd_opt(2003, 3, 3).unwrap();
        let feats = |n: i64| {
            let days: Vec<NaiveDate> = (0..n).map(|k| d0 + chrono::Duration::days(k)).collect();
            DayFeatures::from_history(&days, &Array2::from_elem((days.len(), 4), 10.0))
        };
        let later = d0 + chrono::Duration::days(500);
        // Columns: 7 weekdays, then trend, cos, sin, cos2, sin2, after and before a closure.
        let short = feats(30).row(later, ClosureSides::default());
        assert!(short[7..12].iter().all(|v| *v == 0.0), "{short:?}");
        let weeks = feats(60).row(later, ClosureSides::default());
        assert!(weeks[7] > 0.0 && weeks[8..12].iter().all(|v| *v == 0.0), "{weeks:?}");
        let year = feats(400).row(later, ClosureSides::default());
        assert!(year[7] > 0.0 && year[8..12].iter().any(|v| *v != 0.0), "{year:?}");
    }

    /// End to end on generated samples, baseline estimated: each channel's calls
    /// per GRP / per 1,000 within 10%, TV peak minute within 1, half-life within 20%.
    #[test]
    fn recovers_the_generated_truth_from_history_alone() {
        let mut failures = Vec::new();
        for seed in [1, 2, 3] {
            let (dir, sample) = sample_in_tempdir(seed, 104, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
            let h = load_history(&dir.path().join("history.csv")).unwrap();
            let plan = load_media_plan(&dir.path().join("media_history.csv"), &ChannelKinds::default()).unwrap();
            let learned = CampaignModel::default().learn(&h, &plan.lines);
            for truth in &sample.truth.summaries {
                let got = learned.fitted.reports.iter().find(|r| r.channel == truth.channel).unwrap();
                let rel = |a: f64, b: f64| (a - b).abs() / b;
                eprintln!(
                    "seed {seed} {:>14}: calls/1000 {:.1} vs {:.1} (se {:.1}%), calls/GRP {:?} vs {:?}, peak {:?} vs {:?}, half-life {:?} vs {:?}",
                    truth.channel,
                    got.calls_per_1000,
                    truth.calls_per_1000,
                    got.relative_se * 100.0,
                    got.calls_per_grp,
                    truth.calls_per_grp,
                    got.peak_minute,
                    truth.peak_minute,
                    got.half_life_days,
                    truth.half_life_days
                );
                if rel(got.calls_per_1000, truth.calls_per_1000) >= 0.10 {
                    failures.push(format!("seed {seed} {} calls/1000", truth.channel));
                }
                if let (Some(g), Some(t)) = (got.calls_per_grp, truth.calls_per_grp) {
                    if rel(g, t) >= 0.10 {
                        failures.push(format!("seed {seed} {} calls/GRP", truth.channel));
                    }
                }
                if let (Some(g), Some(t)) = (got.peak_minute, truth.peak_minute) {
                    if (g - t).abs() > 1.0 {
                        failures.push(format!("seed {seed} {} peak minute", truth.channel));
                    }
                }
                if let (Some(g), Some(t)) = (got.half_life_days, truth.half_life_days) {
                    if rel(g, t) >= 0.20 {
                        failures.push(format!("seed {seed} {} half-life", truth.channel));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    /// Send-day email calls of a response against the truth's, pooled over emails.
    struct SendDay {
        /// Per-interval WAPE against the truth.
        wape: f64,
        /// Share of the send day's calls in the hour after the send, and the truth's.
        first_hour: f64,
        true_first_hour: f64,
    }

    impl SendDay {
        fn of(
            emails: &[&MediaLine],
            r: &super::super::media::response::FlightResponse,
            truth: &super::super::media::response::FlightResponse,
            shapes: &DayShapes,
        ) -> SendDay {
            use chrono::Timelike;
            let (mut err, mut total, mut first, mut true_first, mut day) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for l in emails {
                let send = l.start.date();
                let minute = (l.start.hour() * 60 + l.start.minute()) as usize;
                let cells = |r| -> BTreeMap<usize, f64> {
                    super::super::media::uplift::daily(l, r, shapes, true)
                        .cells
                        .iter()
                        .filter(|c| c.0 == send)
                        .map(|c| (c.1, c.2))
                        .collect()
                };
                let (g, t) = (cells(r), cells(truth));
                for s in g.keys().chain(t.keys()).collect::<std::collections::BTreeSet<_>>() {
                    let (a, b) = (g.get(s).copied().unwrap_or(0.0), t.get(s).copied().unwrap_or(0.0));
                    err += (a - b).abs();
                    total += b;
                    day += a;
                    if s * 15 < minute + 60 {
                        first += a;
                        true_first += b;
                    }
                }
            }
            SendDay { wape: err / total, first_hour: first / day, true_first_hour: true_first / total }
        }
    }

    /// Emails whose calls peak 90 minutes after the send: the learned send-day
    /// delay finds the peak, and the send day's email calls per interval and
    /// their first-hour share follow the truth (the old model put the peak
    /// minutes after the send).
    #[test]
    fn learns_an_emails_delayed_send_day_peak() {
        use super::super::media::response::ChannelResponse;
        use crate::synth::{sample_in_tempdir_with, SynthOptions};
        for seed in [1, 2] {
            let week = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
            let options = SynthOptions { email_peak_minutes: Some(90.0), ..SynthOptions::sample(seed, 104, week, 5) };
            let (dir, sample) = sample_in_tempdir_with(&options);
            let h = load_history(&dir.path().join("history.csv")).unwrap();
            let plan = load_media_plan(&dir.path().join("media_history.csv"), &ChannelKinds::default()).unwrap();
            let learned = CampaignModel::default().learn(&h, &plan.lines);
            let (Some(ChannelResponse::Daily(got)), Some(ChannelResponse::Daily(truth))) =
                (learned.fitted.responses.get("email"), sample.truth.responses.get("email"))
            else {
                panic!("email learned as a daily response")
            };
            let emails: Vec<&MediaLine> = plan.lines.iter().filter(|l| l.channel == "email").collect();
            let stats = SendDay::of(&emails, got, truth, &learned.shapes);
            // The same emails without the delay (the model before): for the record.
            let flat =
                super::super::media::response::FlightResponse { send_peak_minutes: None, send_curve: None, ..*got };
            let before = SendDay::of(&emails, &flat, truth, &learned.shapes);
            eprintln!(
                "seed {seed}: email send peak {:?} (truth 90), send-day WAPE {:.3}, first-hour share {:.3} vs {:.3}; without the delay WAPE {:.3}, first-hour share {:.3}",
                got.send_peak_minutes,
                stats.wape,
                stats.first_hour,
                stats.true_first_hour,
                before.wape,
                before.first_hour
            );
            let (wape, ratio) = (stats.wape, stats.first_hour / stats.true_first_hour);
            let peak = got.send_peak_minutes.unwrap_or(0.0);
            assert!((60.0..=130.0).contains(&peak), "seed {seed}: peak {peak}");
            assert!(wape <= 0.30, "seed {seed}: send-day WAPE {wape}");
            assert!((0.8..=1.25).contains(&ratio), "seed {seed}: first-hour share ratio {ratio}");
        }
    }

    /// Retargeting whose calls peak the day after the spend: the fit chooses
    /// the one-day delay, and a day's spend puts the true share of its calls
    /// on the day itself (the geometric carry-over put 1.7–2.1× there).
    #[test]
    fn learns_a_delayed_carry_over() {
        use super::super::media::response::ChannelResponse;
        use super::super::media::uplift::daily;
        use crate::config::ChannelKind;
        use crate::synth::{sample_in_tempdir_with, SynthOptions};
        for seed in [1, 2] {
            let week = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
            let options =
                SynthOptions { retargeting_delay_days: Some(1.0), ..SynthOptions::sample(seed, 104, week, 5) };
            let (dir, sample) = sample_in_tempdir_with(&options);
            let h = load_history(&dir.path().join("history.csv")).unwrap();
            let plan = load_media_plan(&dir.path().join("media_history.csv"), &ChannelKinds::default()).unwrap();
            let learned = CampaignModel::default().learn(&h, &plan.lines);
            let (Some(ChannelResponse::Daily(got)), Some(ChannelResponse::Daily(truth))) =
                (learned.fitted.responses.get("retargeting"), sample.truth.responses.get("retargeting"))
            else {
                panic!("retargeting learned as a daily response")
            };
            // One day's spend on a Tuesday in the history: the share of its calls that day.
            let mut line = plan.lines.iter().find(|l| l.channel == "retargeting").unwrap().clone();
            line.kind = ChannelKind::Flight;
            line.start = NaiveDate::from_ymd_opt(2026, 10, 6).unwrap().and_hms_opt(0, 0, 0).unwrap();
            line.end = Some(line.start + chrono::Duration::hours(23));
            line.spend = 1000.0;
            let same_day = |r| {
                let u = daily(&line, r, &learned.shapes, false);
                let day: f64 = u.cells.iter().filter(|c| c.0 == line.start.date()).map(|c| c.2).sum();
                day / u.total().max(1e-9)
            };
            let flat = super::super::media::response::FlightResponse { delay_days: None, day_weights: None, ..*got };
            let ratio = same_day(got) / same_day(truth);
            eprintln!(
                "seed {seed}: delay {:?} (truth 1), same-day share {:.3} vs {:.3} (ratio {ratio:.2}); without the delay {:.3}",
                got.delay_days,
                same_day(got),
                same_day(truth),
                same_day(&flat)
            );
            assert_eq!(got.delay_days, Some(1.0), "seed {seed}");
            assert!((0.8..=1.25).contains(&ratio), "seed {seed}: same-day share ratio {ratio}");
        }
    }
}

#[cfg(test)]
mod dayparts {
    use super::*;
    use crate::config::ChannelKinds;
    use crate::forecast::media::fit::ChannelReport;
    use crate::forecast::media::response::{ChannelResponse, SpotResponse};
    use crate::ingest::history::load_history;
    use crate::ingest::media::load_media_plan;
    use crate::synth::{sample_in_tempdir_with, SynthOptions};
    use chrono::Timelike;

    /// Learn a generated centre; return the learned reports and TV response,
    /// the true TV response and the planning week's TV spots.
    fn learn(seed: u64, evening: Option<f64>) -> (Vec<ChannelReport>, SpotResponse, SpotResponse, Vec<MediaLine>) {
        learn_weeks(seed, 104, evening)
    }

    /// [`learn`] from `weeks` of history.
    fn learn_weeks(
        seed: u64,
        weeks: u32,
        evening: Option<f64>,
    ) -> (Vec<ChannelReport>, SpotResponse, SpotResponse, Vec<MediaLine>) {
        let week = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        learn_with(&SynthOptions { tv_evening_factor: evening, ..SynthOptions::sample(seed, weeks, week, 5) })
    }

    /// [`learn`] a centre generated with these options.
    fn learn_with(options: &SynthOptions) -> (Vec<ChannelReport>, SpotResponse, SpotResponse, Vec<MediaLine>) {
        let (dir, sample) = sample_in_tempdir_with(options);
        let h = load_history(&dir.path().join("history.csv")).unwrap();
        let kinds = ChannelKinds::default();
        let past = load_media_plan(&dir.path().join("media_history.csv"), &kinds).unwrap();
        let next = load_media_plan(&dir.path().join("media_plan_next_week.csv"), &kinds).unwrap();
        let learned = CampaignModel::default().learn(&h, &past.lines);
        let (Some(ChannelResponse::Spot(got)), Some(ChannelResponse::Spot(truth))) =
            (learned.fitted.responses.get("tv"), sample.truth.responses.get("tv"))
        else {
            panic!("tv learned as a spot response")
        };
        let spots = next.lines.into_iter().filter(|l| l.channel == "tv").collect();
        (learned.fitted.reports.clone(), got.clone(), truth.clone(), spots)
    }

    /// Learned over true calls of spots selected by `keep`: the planning
    /// week's, or (where it has none) one of 5 GRPs at each hour 08..22.
    fn ratio(got: &SpotResponse, truth: &SpotResponse, spots: &[MediaLine], keep: impl Fn(u32) -> bool) -> f64 {
        let mut sizes: Vec<(f64, u32)> =
            spots.iter().filter(|l| keep(l.start.hour())).map(|l| (l.weight(), l.start.hour())).collect();
        if sizes.is_empty() {
            sizes = (8..22).filter(|h| keep(*h)).map(|h| (5.0, h)).collect();
        }
        let sum = |r: &SpotResponse| sizes.iter().map(|(w, h)| r.calls(*w, *h)).sum::<f64>();
        sum(got) / sum(truth)
    }

    /// The evening daypart's factor, and the spot-weighted mean of the others'.
    fn evening_and_others(tv: &ChannelReport) -> (f64, f64) {
        let evening = tv.dayparts.iter().find(|d| d.daypart == "evening").map_or(1.0, |d| d.factor);
        let others: Vec<_> = tv.dayparts.iter().filter(|d| d.daypart != "evening").collect();
        let n: usize = others.iter().map(|d| d.spots).sum();
        let mean = if n == 0 { 1.0 } else { others.iter().map(|d| d.factor * d.spots as f64).sum::<f64>() / n as f64 };
        (evening, mean)
    }

    /// TV spots aired 19:00–22:00 bring 1.3× the calls per GRP of the others:
    /// the evening daypart is learned, and evening and other spots of the
    /// planning week are each forecast within 8% of their true response
    /// (one response per channel was 6–19% under and 8–24% over).
    #[test]
    fn learns_tv_evening_response() {
        let evening = |h: u32| (19..22).contains(&h);
        for seed in [1, 2, 3] {
            let (reports, got, truth, spots) = learn(seed, Some(1.3));
            let tv = reports.iter().find(|r| r.channel == "tv").unwrap();
            let (e, o) = (ratio(&got, &truth, &spots, evening), ratio(&got, &truth, &spots, |h| !evening(h)));
            let flat = SpotResponse { dayparts: None, ..got.clone() };
            eprintln!(
                "seed {seed}: dayparts {:?}; evening spots {e:.3}× truth, others {o:.3}×; one response: {:.3}× / {:.3}×",
                tv.dayparts.iter().map(|d| (d.daypart, d.spots, d.factor, d.relative_se)).collect::<Vec<_>>(),
                ratio(&flat, &truth, &spots, evening),
                ratio(&flat, &truth, &spots, |h| !evening(h)),
            );
            assert!((0.92..=1.08).contains(&e), "seed {seed}: evening spots {e}");
            assert!((0.92..=1.08).contains(&o), "seed {seed}: other spots {o}");
        }
    }

    /// Without a daypart effect in the truth, no daypart of TV or radio is
    /// learned as different (a daypart step tried before found a false 10% for
    /// radio): over eight centres, at most 5% of the dayparts lie more than 2
    /// standard errors from 1, none more than 3, and none more than 12% away
    /// (measured: none beyond 0.26 standard errors).
    #[test]
    fn finds_no_daypart_effect_where_there_is_none() {
        let mut z = Vec::new();
        for seed in 1..=8 {
            let (reports, ..) = learn(seed, None);
            for r in reports.iter().filter(|r| r.kind == "spot") {
                for d in &r.dayparts {
                    eprintln!(
                        "seed {seed} {} {}: {} spots, factor {:.3}, relative se {:.3}",
                        r.channel, d.daypart, d.spots, d.factor, d.relative_se
                    );
                    assert!((d.factor - 1.0).abs() <= 0.12, "seed {seed} {} {}: {}", r.channel, d.daypart, d.factor);
                    z.push(((d.factor - 1.0) / d.relative_se.max(1e-9)).abs());
                }
            }
        }
        let beyond2 = z.iter().filter(|v| **v > 2.0).count();
        eprintln!(
            "{beyond2} of {} dayparts beyond 2 se, largest {:.2} se",
            z.len(),
            z.iter().fold(0.0f64, |a, b| a.max(*b))
        );
        assert!(z.len() >= 40, "{} dayparts", z.len());
        assert!(beyond2 as f64 <= 0.05 * z.len() as f64, "{beyond2} of {}", z.len());
        assert!(z.iter().all(|v| *v <= 3.0), "{z:?}");
    }

    /// With about 150 past TV spots (26 weeks, 70–86 of them in the evening),
    /// a real evening effect shows without any on/off gate: at 30% the
    /// learned evening / other ratio is within 10% of 1.3 on every seed, at
    /// 20% it shows (ratio at least 1.1) on four seeds of five. (The planning
    /// week's spots are printed against their truth: from 26 weeks the
    /// channel's own scale is 0–9% off, evening and others alike.)
    #[test]
    fn finds_a_real_evening_effect_from_about_150_spots() {
        let evening = |h: u32| (19..22).contains(&h);
        let mut shown_at_20 = 0;
        for seed in 1..=5 {
            let (reports, got, truth, spots) = learn_weeks(seed, 26, Some(1.3));
            let (e, o) = evening_and_others(reports.iter().find(|r| r.channel == "tv").unwrap());
            let (fe, fo) = (ratio(&got, &truth, &spots, evening), ratio(&got, &truth, &spots, |h| !evening(h)));
            eprintln!(
                "seed {seed} at 30%: evening / others {:.3}; planning week evening {fe:.3}×, others {fo:.3}× truth",
                e / o
            );
            assert!((1.17..=1.43).contains(&(e / o)), "seed {seed}: evening / others {}", e / o);
            let (reports, ..) = learn_weeks(seed, 26, Some(1.2));
            let (e, o) = evening_and_others(reports.iter().find(|r| r.channel == "tv").unwrap());
            eprintln!("seed {seed} at 20%: evening / others {:.3}", e / o);
            shown_at_20 += usize::from(e / o >= 1.1);
        }
        assert!(shown_at_20 >= 4, "a 20% effect shown on {shown_at_20} of 5 seeds");
    }

    /// Ten null centres with about 150 TV spots: the dayparts stay at the
    /// channel's response, at most one of them beyond 2 standard errors and
    /// none beyond 3.
    #[test]
    fn short_null_centres_show_no_daypart_effect() {
        let mut z = Vec::new();
        for seed in 1..=10 {
            let (reports, ..) = learn_weeks(seed, 26, None);
            for d in reports.iter().filter(|r| r.kind == "spot").flat_map(|r| r.dayparts.iter()) {
                z.push(((d.factor - 1.0) / d.relative_se.max(1e-9)).abs());
            }
        }
        let beyond2 = z.iter().filter(|v| **v > 2.0).count();
        eprintln!(
            "{beyond2} of {} dayparts beyond 2 se, largest {:.2}",
            z.len(),
            z.iter().fold(0.0f64, |a, b| a.max(*b))
        );
        assert!(z.len() >= 40 && beyond2 <= 1 && z.iter().all(|v| *v <= 3.0), "{z:?}");
    }

    /// Issue 33: a spot's calls bend with its GRPs only where the history
    /// shows it. On 26 weeks of history (~180 TV spots of 1.5–9 GRPs): a
    /// linear truth is learned linear (β 1, its 95% interval holding 1); a
    /// Hill truth (half-saturation 8 GRPs) is learned concave (the power's
    /// interval below 1), as a Hill curve or a power, its calls at 3, 5 and 9
    /// GRPs within 10% of the truth and at 2 GRPs (the low edge of the
    /// history's sizes, where the two families part most) within 15%.
    #[test]
    fn spots_bend_with_grps_only_where_the_history_shows_it() {
        let week = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let mut failures = Vec::new();
        for seed in 1..=3 {
            let base = SynthOptions::sample(seed, 26, week, 5);
            let beta = |reports: &[ChannelReport]| {
                let tv = reports.iter().find(|r| r.channel == "tv").unwrap();
                (tv.saturation_beta, tv.saturation_beta_95.unwrap_or([f64::NAN; 2]))
            };
            let (reports, ..) = learn_with(&SynthOptions { tv_grp_power: Some(1.0), ..base.clone() });
            let (b, [lo, hi]) = beta(&reports);
            eprintln!("seed {seed} linear truth: beta {b:.2} (95% {lo:.2}-{hi:.2})");
            if b != 1.0 || !(lo..=hi).contains(&1.0) {
                failures.push(format!("seed {seed} linear truth: beta {b} ({lo}-{hi})"));
            }
            let (reports, got, truth, _) = learn_with(&SynthOptions { tv_hill_grps: Some(8.0), ..base });
            let (b, [lo, hi]) = beta(&reports);
            let at = |g: f64| {
                let sum = |r: &SpotResponse| (8..22).map(|h| r.calls(g, h)).sum::<f64>();
                sum(&got) / sum(&truth)
            };
            eprintln!(
                "seed {seed} Hill truth: beta {b:.2} (95% {lo:.2}-{hi:.2}), Hill {:?}; learned / true calls at 2, 3, 5, 9 GRPs {:.3} {:.3} {:.3} {:.3}",
                got.hill_half_size,
                at(2.0),
                at(3.0),
                at(5.0),
                at(9.0)
            );
            let off = |g: f64, tol: f64| (at(g) - 1.0).abs() > tol;
            if hi >= 1.0 || off(2.0, 0.15) || [3.0, 5.0, 9.0].iter().any(|g| off(*g, 0.10)) {
                failures.push(format!("seed {seed} Hill truth: beta {b} ({lo}-{hi})"));
            }
        }
        assert!(failures.is_empty(), "{failures:?}");
    }

    /// Issue 33: about 150 past TV spots of which ~56 aired 19:00–21:59 (the
    /// others 08:00–18:59, GRPs drawn alike), 26 weeks of history.
    fn options_33(seed: u64, evening: Option<f64>, stations: &[(&str, f64)]) -> SynthOptions {
        let week = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        SynthOptions {
            tv_spots: Some(150),
            tv_evening_share: Some(56.0 / 150.0),
            tv_evening_factor: evening,
            station_effects: stations.iter().map(|(s, f)| (s.to_string(), *f)).collect(),
            ..SynthOptions::sample(seed, 26, week, 5)
        }
    }

    /// A real evening effect on ~56 of ~150 spots shows through the pooled
    /// variance (no gate): at 30% the learned evening / other ratio is
    /// within 10% of 1.3 on three seeds (measured 1.383 / 1.308 / 1.241), at
    /// 20% it is at least 1.05 on each and at least 1.1 on two of three
    /// (measured 1.073 / 1.210 / 1.121).
    #[test]
    fn a_30_and_a_20_percent_evening_effect_show_from_56_evening_spots() {
        let mut failures = Vec::new();
        let mut shown_at_20 = 0;
        for seed in 1..=3 {
            for effect in [1.3, 1.2] {
                let (reports, ..) = learn_with(&options_33(seed, Some(effect), &[]));
                let (e, o) = evening_and_others(reports.iter().find(|r| r.channel == "tv").unwrap());
                eprintln!("seed {seed} at {effect}: evening / others {:.3}", e / o);
                let ok = if effect > 1.25 { (e / o - 1.3).abs() <= 0.13 } else { e / o >= 1.05 };
                shown_at_20 += usize::from(effect < 1.25 && e / o >= 1.1);
                if !ok {
                    failures.push(format!("seed {seed} at {effect}: {:.3}", e / o));
                }
            }
        }
        assert!(failures.is_empty(), "{failures:?}");
        assert!(shown_at_20 >= 2, "a 20% effect at 1.1 or more on {shown_at_20} of 3 seeds");
    }

    /// ITV1 spots at 1.25× and Channel 5 spots at 0.8× their channel (the
    /// others 1×), ~150 TV spots on four stations: relative to the
    /// spot-weighted mean of the stations (the truth's mean is 1.0125),
    /// ITV1 is learned highest and Channel 5 lowest, and every station lies
    /// within 2.5 of its standard errors of its true factor.
    #[test]
    fn station_effects_are_learned() {
        for seed in 1..=3 {
            let (reports, ..) = learn_with(&options_33(seed, None, &[("ITV1", 1.25), ("Channel 5", 0.8)]));
            let tv = reports.iter().find(|r| r.channel == "tv").unwrap();
            let f = |st: &str| tv.stations.iter().find(|s| s.station == st).map_or(1.0, |s| s.factor);
            let n: usize = tv.stations.iter().map(|s| s.spots).sum();
            let mean = tv.stations.iter().map(|s| s.factor * s.spots as f64).sum::<f64>() / n.max(1) as f64;
            eprintln!(
                "seed {seed}: stations {:?}",
                tv.stations.iter().map(|s| (&s.station, s.spots, s.factor, s.relative_se)).collect::<Vec<_>>()
            );
            let true_mean = (1.25 + 0.8 + 2.0) / 4.0;
            assert_eq!(tv.stations.len(), 4, "seed {seed}");
            for s in &tv.stations {
                let truth = match s.station.as_str() {
                    "ITV1" => 1.25,
                    "Channel 5" => 0.8,
                    _ => 1.0,
                };
                let got = s.factor / mean * true_mean;
                assert!(
                    (got - truth).abs() <= 2.5 * s.relative_se * got,
                    "seed {seed} {}: {got} vs {truth}",
                    s.station
                );
                if s.station != "ITV1" {
                    assert!(f("ITV1") > s.factor, "seed {seed}: ITV1 not highest");
                }
                if s.station != "Channel 5" {
                    assert!(f("Channel 5") < s.factor, "seed {seed}: Channel 5 not lowest");
                }
            }
        }
    }

    /// Ten null centres: of the ~130 dayparts and stations of TV and radio,
    /// none lies beyond 2 standard errors of its factor (`factor_se`,
    /// measured: largest 1.45) from the channel's response; by the reported
    /// relative se of its response (`relative_se`, which includes the
    /// channel's own uncertainty) at most one lies beyond 2 and none beyond 3
    /// (measured: 1 at 2.28).
    #[test]
    fn ten_null_centres_report_no_daypart_or_station_effect() {
        /// Seed, channel, level, factor, |factor − 1| in factor se and in reported se.
        type Level = (u64, String, String, f64, f64, f64);
        let mut z: Vec<Level> = Vec::new();
        for seed in 1..=10 {
            let (reports, ..) = learn_with(&options_33(seed, None, &[]));
            for r in reports.iter().filter(|r| r.kind == "spot") {
                for (name, factor, fse, rse) in r
                    .dayparts
                    .iter()
                    .map(|d| (d.daypart.to_string(), d.factor, d.factor_se, d.relative_se))
                    .chain(r.stations.iter().map(|s| (s.station.clone(), s.factor, s.factor_se, s.relative_se)))
                {
                    let (zf, zr) = ((factor - 1.0).abs() / fse.max(1e-9), (factor - 1.0).abs() / rse.max(1e-9));
                    z.push((seed, r.channel.clone(), name, factor, zf, zr));
                }
            }
        }
        let largest = |f: fn(&Level) -> f64| z.iter().map(f).fold(0.0f64, f64::max);
        let beyond: Vec<_> = z.iter().filter(|v| v.4 > 2.0).collect();
        let beyond_reported = z.iter().filter(|v| v.5 > 2.0).count();
        eprintln!(
            "{} levels: {} beyond 2 factor se (largest {:.2}), {beyond_reported} beyond 2 reported se (largest {:.2})",
            z.len(),
            beyond.len(),
            largest(|v| v.4),
            largest(|v| v.5)
        );
        assert!(z.len() >= 60, "{} levels", z.len());
        assert!(beyond.is_empty(), "{beyond:?}");
        assert!(beyond_reported <= 1 && largest(|v| v.5) <= 3.0, "{z:?}");
    }
}
