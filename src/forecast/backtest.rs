//! Rolling-origin evaluation: one forecast per origin, each fitted only on the
//! `window` days with data before it, against simple baselines in the same run.
//!
//! Per day, RMSE is over that day's intervals with data and
//! APE = 100 · mean(|N − F| / N) over intervals with N > 0 — the published
//! protocol of Weinberg, Brown & Stroud (2007) on the US bank series. The
//! coverage of each prediction band is the share of intervals whose actual
//! falls inside it: the calibration check of the intervals.
//!
//! Methods: the two reference baselines, the SVD baseline (history only), and
//! the campaign-aware forecaster of `ringcast forecast`, which learns from the
//! media lines that ran before each origin and is told the lines of the days
//! it forecasts (marketing's plan is known in advance).

use super::baseline::{Band, DayForecast, SvdBaseline, BAND_LEVELS};
use super::intraday::{IntradayModel, MorningDay, Seen};
use super::predict::ForecastModel;
use crate::calendar::OpenCalendar;
use crate::ingest::media::MediaLine;
use crate::ingest::History;
use chrono::{Datelike, NaiveDate};
use ndarray::Array2;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Instant;

/// Scores of one method.
#[derive(Debug, Clone, Serialize)]
pub struct MethodScore {
    pub rmse_mean: f64,
    pub rmse_median: f64,
    pub ape_mean: f64,
    pub ape_median: f64,
    /// Share of actuals inside the 80% interval (`null` for methods without intervals).
    pub coverage80: Option<f64>,
    /// Share of actuals inside the 95% interval (`null` for methods without intervals).
    pub coverage95: Option<f64>,
    pub seconds: f64,
    /// Target days with calls, scored.
    pub days_scored: usize,
    /// Target days forecast but left out of the statistics: no calls (closed).
    pub days_skipped: usize,
    /// Intervals scored over those days (with data; with a config, open).
    pub intervals_scored: usize,
    /// The length of the intervals scored, minutes.
    pub interval_minutes: u32,
    /// Each scored day's scores (`backtest --per-day`; not in the JSON).
    #[serde(skip)]
    pub per_day: Vec<DayRecord>,
}

/// One target day's scores.
#[derive(Debug, Clone, Serialize)]
pub struct DayRecord {
    pub day: NaiveDate,
    pub rmse: f64,
    pub ape: f64,
    pub intervals: usize,
    pub actual: f64,
    pub forecast: f64,
}

type Method<'a> = dyn Fn(&History, &[NaiveDate]) -> Option<DayForecast> + Sync + 'a;

/// Same weekday last week: the latest earlier day of that weekday with data.
fn same_weekday_last_week(train: &History, days: &[NaiveDate]) -> Option<DayForecast> {
    let mut mean = Array2::from_elem((days.len(), train.slots_per_day()), f64::NAN);
    for (i, d) in days.iter().enumerate() {
        let k = (0..train.days.len()).rev().find(|&k| train.days[k].weekday() == d.weekday())?;
        mean.row_mut(i).assign(&train.offered.row(k));
    }
    Some(DayForecast { mean, bands: vec![] })
}

/// Mean of the same weekday over the window.
fn weekday_mean(train: &History, days: &[NaiveDate]) -> Option<DayForecast> {
    let s = train.slots_per_day();
    let mut mean = Array2::from_elem((days.len(), s), f64::NAN);
    for (i, d) in days.iter().enumerate() {
        let rows: Vec<usize> = (0..train.days.len()).filter(|&k| train.days[k].weekday() == d.weekday()).collect();
        if rows.is_empty() {
            return None;
        }
        for slot in 0..s {
            let v: Vec<f64> = rows.iter().map(|&k| train.offered[[k, slot]]).filter(|v| !v.is_nan()).collect();
            if !v.is_empty() {
                mean[[i, slot]] = v.iter().sum::<f64>() / v.len() as f64;
            }
        }
    }
    Some(DayForecast { mean, bands: vec![] })
}

/// What the campaign-aware forecaster needs beyond the history.
#[derive(Debug, Clone)]
pub struct CampaignInputs {
    pub calendar: OpenCalendar,
    /// Every media line of the file; each origin learns from those before it.
    pub lines: Vec<MediaLine>,
}

/// The campaign-aware forecaster fitted on `train`: it learns from the lines
/// that started before the first forecast day and forecasts with the lines
/// that start up to the last one (earlier lines' carry-over included).
///
/// The calendar effects (reopening days, eves, special days) learn from all of
/// `whole` before the first forecast day, not only the window: what earlier
/// holidays showed is known at the origin.
fn campaign_forecast(
    inputs: &CampaignInputs,
    whole: &History,
    train: &History,
    days: &[NaiveDate],
) -> Option<DayForecast> {
    let (first, last) = (*days.first()?, *days.last()?);
    let past: Vec<MediaLine> = inputs.lines.iter().filter(|l| l.start.date() < first).cloned().collect();
    let plan: Vec<MediaLine> = inputs.lines.iter().filter(|l| l.start.date() <= last).cloned().collect();
    let before = whole.between(NaiveDate::MIN, first).without_empty_days();
    let fitted = ForecastModel::default().fit_on_calendar(train, &past, Some(&before), Some(&inputs.calendar));
    // A channel first seen in the forecast days has no response yet: left out.
    let plan: Vec<MediaLine> = plan.into_iter().filter(|l| fitted.responses().contains_key(&l.channel)).collect();
    let f = fitted.predict(days, &inputs.calendar, &plan).ok()?;
    let closed_nan =
        |a: &Array2<f64>| Array2::from_shape_fn(a.raw_dim(), |ix| if f.open[ix] { a[ix] } else { f64::NAN });
    Some(DayForecast {
        mean: closed_nan(&f.total),
        bands: vec![
            Band { level: 0.80, lo: closed_nan(&f.lo80), hi: closed_nan(&f.hi80) },
            Band { level: 0.95, lo: closed_nan(&f.lo95), hi: closed_nan(&f.hi95) },
        ],
    })
}

/// Per target day: RMSE, APE, and per band level (intervals inside, intervals scored).
struct DayScore {
    rmse: f64,
    ape: f64,
    inside: Vec<(f64, usize, usize)>,
    record: DayRecord,
}

/// Score target day `k` against row `i` of a forecast; `None` for a day
/// without calls (closed, or no data), which the day statistics leave out.
///
/// Every method is scored on the same bins, those where the actual has data:
/// a bin a method has no forecast for counts as a forecast of 0 calls.
fn score_day(h: &History, k: usize, f: &DayForecast, i: usize) -> Option<DayScore> {
    let day_calls: f64 = h.offered.row(k).iter().filter(|v| !v.is_nan()).sum();
    if day_calls <= 0.0 {
        return None;
    }
    let seen = h.offered.row(k).to_vec();
    let (rmse, ape) = rest_error(&seen, &f.mean.row(i).to_vec())?;
    let or_zero = |v: f64| if v.is_nan() { 0.0 } else { v };
    let scored = seen.iter().filter(|y| !y.is_nan()).count();
    let forecast: f64 = (0..seen.len()).filter(|&s| !seen[s].is_nan()).map(|s| or_zero(f.mean[[i, s]])).sum();
    let record = DayRecord { day: h.days[k], rmse, ape, intervals: scored, actual: day_calls, forecast };
    let inside = f
        .bands
        .iter()
        .map(|b| {
            let hits = (0..seen.len())
                .filter(|&s| !seen[s].is_nan() && seen[s] >= or_zero(b.lo[[i, s]]) && seen[s] <= or_zero(b.hi[[i, s]]))
                .count();
            (b.level, hits, scored)
        })
        .collect();
    Some(DayScore { rmse, ape, inside, record })
}

/// Evaluate `method` over the protocol.
pub fn evaluate(
    h: &History,
    from: NaiveDate,
    to: NaiveDate,
    window: usize,
    horizon: usize,
    method: &Method<'_>,
) -> MethodScore {
    evaluate_on(h, h, (from, to, window, horizon), method)
}

/// [`evaluate`], fitting on `h` and scoring against `scored` (the same days
/// and slots; NaN where an interval is not scored, such as a closed one).
pub fn evaluate_on(
    h: &History,
    scored: &History,
    (from, to, window, horizon): (NaiveDate, NaiveDate, usize, usize),
    method: &Method<'_>,
) -> MethodScore {
    let t0 = Instant::now();
    let targets: Vec<usize> =
        (0..h.days.len()).filter(|&k| h.days[k] >= from && h.days[k] <= to && k >= window).collect();
    let origins: Vec<usize> = targets.iter().copied().step_by(horizon.max(1)).collect();
    use rayon::prelude::*;
    let per_origin: Vec<Vec<Option<DayScore>>> = origins
        .par_iter()
        .map(|&o| {
            // A day without calls in the window is a closure, not data.
            let train = h.rows(o - window, o).without_empty_days();
            let days: Vec<usize> = (o..(o + horizon).min(h.days.len())).filter(|k| h.days[*k] <= to).collect();
            let dates: Vec<NaiveDate> = days.iter().map(|&k| h.days[k]).collect();
            let Some(f) = method(&train, &dates) else { return vec![] };
            days.iter().enumerate().map(|(i, &k)| score_day(scored, k, &f, i)).collect()
        })
        .collect();
    let forecast_days: Vec<Option<DayScore>> = per_origin.into_iter().flatten().collect();
    let days_skipped = forecast_days.iter().filter(|d| d.is_none()).count();
    let all: Vec<DayScore> = forecast_days.into_iter().flatten().collect();
    // No day scored: NaN, which the JSON shows as null.
    let stats = |v: Vec<f64>| mean_median(&v);
    let (rmse_mean, rmse_median) = stats(all.iter().map(|x| x.rmse).collect());
    let (ape_mean, ape_median) = stats(all.iter().map(|x| x.ape).collect());
    let coverage = |level: f64| {
        let (inside, total) = all
            .iter()
            .flat_map(|d| d.inside.iter().filter(|c| (c.0 - level).abs() < 1e-9))
            .fold((0, 0), |(a, b), c| (a + c.1, b + c.2));
        (total > 0).then(|| inside as f64 / total as f64)
    };
    MethodScore {
        rmse_mean,
        rmse_median,
        ape_mean,
        ape_median,
        coverage80: coverage(BAND_LEVELS[0].0),
        coverage95: coverage(BAND_LEVELS[1].0),
        seconds: t0.elapsed().as_secs_f64(),
        days_scored: all.len(),
        days_skipped,
        intervals_scored: all.iter().map(|d| d.record.intervals).sum(),
        interval_minutes: h.interval.get(),
        per_day: all.into_iter().map(|d| d.record).collect(),
    }
}

/// All methods on one protocol, keyed by name. With `campaign`, the
/// campaign-aware forecaster is scored too.
pub fn run_protocol(
    h: &History,
    from: NaiveDate,
    to: NaiveDate,
    window: usize,
    horizon: usize,
    campaign: Option<&CampaignInputs>,
) -> BTreeMap<String, MethodScore> {
    run_protocol_scored(h, h, (from, to, window, horizon), campaign)
}

/// [`run_protocol`], scoring against `scored` (see [`evaluate_on`]).
pub fn run_protocol_scored(
    h: &History,
    scored: &History,
    protocol: (NaiveDate, NaiveDate, usize, usize),
    campaign: Option<&CampaignInputs>,
) -> BTreeMap<String, MethodScore> {
    let horizon = protocol.3;
    let evaluate = |m: &Method<'_>| evaluate_on(h, scored, protocol, m);
    let mut out = BTreeMap::new();
    out.insert("same_weekday_last_week".into(), evaluate(&same_weekday_last_week));
    out.insert("weekday_mean".into(), evaluate(&weekday_mean));
    // Forecasting weeks ahead, the drift of the level matters more than the
    // day-to-day persistence the AR(1) captures: measured on the US bank data
    // (`tuning::scan`), a linear trend of the scores gives RMSE 16.21 instead
    // of 22.00 three weeks ahead, but 18.36 instead of 18.03 one day ahead.
    let svd = SvdBaseline { trend: horizon > 5, ..SvdBaseline::default() };
    let m = move |train: &History, days: &[NaiveDate]| svd.fit(train).map(|f| f.predict(days));
    out.insert("ringcast_svd".into(), evaluate(&m));
    if let Some(c) = campaign {
        let m = |train: &History, days: &[NaiveDate]| campaign_forecast(c, h, train, days);
        out.insert("ringcast_campaign".into(), evaluate(&m));
    }
    out
}

/// The history with its closed intervals (under `calendar`) as NaN, and the
/// intervals with calls among them (and those calls) on the days `from..=to`:
/// what an honest score leaves out.
pub fn open_intervals_only(
    h: &History,
    calendar: &OpenCalendar,
    from: NaiveDate,
    to: NaiveDate,
) -> (History, usize, f64) {
    let mut scored = h.clone();
    let (mut intervals, mut calls) = (0, 0.0);
    for (k, d) in h.days.iter().enumerate() {
        let counted = (from..=to).contains(d);
        for s in 0..h.slots_per_day() {
            let v = h.offered[[k, s]];
            if !v.is_nan() && !calendar.is_open(*d, s) {
                scored.offered[[k, s]] = f64::NAN;
                if v > 0.0 && counted {
                    intervals += 1;
                    calls += v;
                }
            }
        }
    }
    (scored, intervals, calls)
}

#[cfg(test)]
mod tuning {
    use super::*;
    use crate::ingest::history::load_history;

    /// Parameter scan on the US bank protocol (run by hand with --ignored --nocapture).
    #[test]
    #[ignore]
    fn scan() {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/us_bank_2003_5min.csv");
        let Ok(h) = load_history(&p) else { return };
        let (from, to) =
            (NaiveDate::from_ymd_opt(2003, 7, 25).unwrap(), NaiveDate::from_ymd_opt(2003, 10, 24).unwrap());
        let (f3, t3) = (NaiveDate::from_ymd_opt(2003, 5, 5).unwrap(), NaiveDate::from_ymd_opt(2003, 5, 23).unwrap());
        for closure_effect in [false, true] {
            for median_levels in [false, true] {
                for trend in [false, true] {
                    let svd = SvdBaseline { closure_effect, median_levels, trend, ..SvdBaseline::default() };
                    let m = move |train: &History, days: &[NaiveDate]| svd.fit(train).map(|f| f.predict(days));
                    let s = evaluate(&h, f3, t3, 43, 15, &m);
                    let s1 = evaluate(&h, from, to, 100, 1, &m);
                    eprintln!(
                        "closure {closure_effect} median {median_levels} trend {trend}: 3wk rmse {:.2} | 1day rmse {:.2} ape {:.2} cover95 {:.3}",
                        s.rmse_mean, s1.rmse_mean, s1.ape_mean, s1.coverage95.unwrap_or(f64::NAN)
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::IntervalMinutes;
    use chrono::Duration;

    #[test]
    fn closed_days_are_counted_apart_and_a_missing_forecast_is_zero() {
        let first = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let days: Vec<NaiveDate> = (0..10).map(|d| first + Duration::days(d)).collect();
        // Two 12-hour slots a day: 4 and 2 calls; the ninth day has none (closed).
        let mut offered = Array2::from_shape_fn((10, 2), |(_, s)| if s == 0 { 4.0 } else { 2.0 });
        offered.row_mut(8).fill(0.0);
        let h = History::from_offered(IntervalMinutes::new(720).unwrap(), days.clone(), offered);
        // A method that forecasts 4 calls in the first slot and nothing in the second.
        let method = |_: &History, d: &[NaiveDate]| {
            Some(DayForecast {
                mean: Array2::from_shape_fn((d.len(), 2), |(_, s)| if s == 0 { 4.0 } else { f64::NAN }),
                bands: vec![],
            })
        };
        let score = evaluate(&h, days[7], days[9], 7, 1, &method);
        assert_eq!((score.days_scored, score.days_skipped), (2, 1));
        // The second slot counts as a forecast of 0 against 2 calls: RMSE sqrt(4 / 2).
        assert!((score.rmse_mean - 2f64.sqrt()).abs() < 1e-12, "{}", score.rmse_mean);
    }
}

/// Rest-of-day scores of one method at one update time.
#[derive(Debug, Clone, Serialize)]
pub struct RestOfDayScore {
    pub rmse_mean: f64,
    pub rmse_median: f64,
    pub ape_mean: f64,
    pub ape_median: f64,
    /// Target days scored (open after the update time, with calls).
    pub days_scored: usize,
    /// Days on which the update flagged a surprise (`null` for the other methods).
    pub days_flagged: Option<usize>,
}

/// Rest-of-day forecasts of one target day after seeing it up to a slot:
/// (method name, forecast per slot).
fn rest_of_day_methods(
    model: &IntradayModel,
    morning: &MorningDay<'_>,
    fc_total: &[f64],
    actual: &[f64],
    at: usize,
) -> Vec<(&'static str, Vec<f64>, bool)> {
    let seen: f64 = (0..at).filter(|&j| morning.open[j] && !actual[j].is_nan()).map(|j| actual[j]).sum();
    let expected: f64 = (0..at).filter(|&j| morning.open[j] && !actual[j].is_nan()).map(|j| fc_total[j]).sum();
    // The ratio method of commercial tools: the rest scaled by calls seen over calls forecast so far.
    let ratio = if expected > 0.0 { seen / expected } else { 1.0 };
    let calls = (0..actual.len()).map(|j| if j < at { actual[j] } else { f64::NAN }).collect();
    let update = model.update(morning, &Seen { calls, at });
    vec![
        ("no_update", fc_total.to_vec(), false),
        ("ratio", fc_total.iter().map(|f| f * ratio).collect(), false),
        ("ringcast_update", update.total, update.surprise.is_some()),
    ]
}

/// Rest-of-day accuracy of the intraday update against no update and the
/// ratio method: per target day, the campaign-aware forecast made at the
/// protocol's origin is updated with the day's calls before each slot of
/// `at_slots`, and scored on the day's intervals from that slot on.
pub fn run_intraday(
    h: &History,
    protocol: (NaiveDate, NaiveDate, usize, usize),
    at_slots: &[usize],
    inputs: &CampaignInputs,
) -> BTreeMap<usize, BTreeMap<String, RestOfDayScore>> {
    let (from, to, window, horizon) = protocol;
    let model = IntradayModel::default();
    let targets: Vec<usize> =
        (0..h.days.len()).filter(|&k| h.days[k] >= from && h.days[k] <= to && k >= window).collect();
    let origins: Vec<usize> = targets.iter().copied().step_by(horizon.max(1)).collect();
    use rayon::prelude::*;
    // Per origin, per target day, per time, per method: (rmse, ape, flagged).
    let scored: Vec<Vec<ScoredDay>> = origins
        .par_iter()
        .map(|&o| {
            let train = h.rows(o - window, o).without_empty_days();
            let days: Vec<usize> = (o..(o + horizon).min(h.days.len())).filter(|k| h.days[*k] <= to).collect();
            let dates: Vec<NaiveDate> = days.iter().map(|&k| h.days[k]).collect();
            let (Some(&first), Some(&last)) = (dates.first(), dates.last()) else { return vec![] };
            let past: Vec<MediaLine> = inputs.lines.iter().filter(|l| l.start.date() < first).cloned().collect();
            let fitted = ForecastModel::default().fit(&train, &past);
            let plan: Vec<MediaLine> = inputs
                .lines
                .iter()
                .filter(|l| l.start.date() <= last && fitted.responses().contains_key(&l.channel))
                .cloned()
                .collect();
            let Ok(fc) = fitted.predict(&dates, &inputs.calendar, &plan) else { return vec![] };
            let mut out = vec![];
            for (i, &k) in days.iter().enumerate() {
                let actual: Vec<f64> = h.offered.row(k).to_vec();
                if actual.iter().filter(|v| !v.is_nan()).sum::<f64>() <= 0.0 {
                    continue;
                }
                let morning = MorningDay::of(&fitted, &fc, &inputs.calendar, i);
                let total: Vec<f64> = fc.total.row(i).to_vec();
                for &at in at_slots {
                    for (name, f, flagged) in rest_of_day_methods(&model, &morning, &total, &actual, at) {
                        if let Some((rmse, ape)) = rest_error(&actual[at.min(actual.len())..], &f[at.min(f.len())..]) {
                            out.push((at, name, rmse, ape, flagged));
                        }
                    }
                }
            }
            out
        })
        .collect();
    let mut by: BTreeMap<usize, BTreeMap<String, MethodTally>> = BTreeMap::new();
    for (at, name, rmse, ape, flagged) in scored.into_iter().flatten() {
        let e = by.entry(at).or_default().entry(name.to_string()).or_default();
        e.0.push(rmse);
        e.1.push(ape);
        e.2 += usize::from(flagged);
    }
    by.into_iter()
        .map(|(at, methods)| {
            let scores = methods
                .into_iter()
                .map(|(name, (rmse, ape, flagged))| {
                    let (rmse_mean, rmse_median) = mean_median(&rmse);
                    let (ape_mean, ape_median) = mean_median(&ape);
                    let days_flagged = (name == "ringcast_update").then_some(flagged);
                    let days_scored = rmse.len();
                    (name, RestOfDayScore { rmse_mean, rmse_median, ape_mean, ape_median, days_scored, days_flagged })
                })
                .collect();
            (at, scores)
        })
        .collect()
}

/// One target day's score: update slot, method, RMSE, APE, surprise flagged.
type ScoredDay = (usize, &'static str, f64, f64, bool);

/// A method's day RMSEs, APEs and days flagged.
type MethodTally = (Vec<f64>, Vec<f64>, usize);

/// RMSE and APE (%) over the intervals with data (a missing forecast counts
/// as 0 calls); `None` without any.
fn rest_error(actual: &[f64], forecast: &[f64]) -> Option<(f64, f64)> {
    let (mut se, mut n, mut ape, mut na) = (0.0, 0usize, 0.0, 0usize);
    for (y, f) in actual.iter().zip(forecast) {
        if y.is_nan() {
            continue;
        }
        let f = if f.is_nan() { 0.0 } else { *f };
        se += (y - f).powi(2);
        n += 1;
        if *y > 0.0 {
            ape += (y - f).abs() / y;
            na += 1;
        }
    }
    (n > 0).then(|| ((se / n as f64).sqrt(), 100.0 * ape / na.max(1) as f64))
}

/// Mean and median (NaN when empty).
fn mean_median(v: &[f64]) -> (f64, f64) {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    if s.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = s.iter().sum::<f64>() / s.len() as f64;
    let mid = s.len() / 2;
    (mean, if s.len() % 2 == 1 { s[mid] } else { (s[mid - 1] + s[mid]) / 2.0 })
}
