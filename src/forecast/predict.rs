//! The campaign-aware forecast of a period: history-only baseline plus the
//! extra calls of each line of the media plan, with prediction intervals.

use super::campaign::{CampaignModel, LearnedCampaigns};
use super::media::response::ChannelResponse;
use super::media::uplift::{DayShapes, Uplift};
use crate::calendar::OpenCalendar;
use crate::ingest::media::MediaLine;
use crate::ingest::History;
use crate::units::IntervalMinutes;
use chrono::{Datelike, Duration, NaiveDate};
use ndarray::Array2;
use std::collections::BTreeMap;

/// Hyper-parameters of the forecaster.
#[derive(Debug, Clone)]
pub struct ForecastModel {
    pub campaign: CampaignModel,
    /// Same-weekday days (most recent) whose intraday shapes make next week's. Default 8, range 1..52.
    pub shape_days: usize,
}

impl Default for ForecastModel {
    fn default() -> Self {
        Self { campaign: CampaignModel::default(), shape_days: 8 }
    }
}

/// A fitted forecaster: only this can predict.
#[derive(Debug, Clone)]
pub struct FittedForecast {
    pub learned: LearnedCampaigns,
    pub interval: IntervalMinutes,
    /// Intraday shape per weekday (Monday first), from the recent history.
    weekday_shape: [Option<Vec<f64>>; 7],
    /// Negative-binomial size k (variance μ + μ²/k); `f64::INFINITY` = Poisson.
    pub dispersion_k: f64,
}

/// A forecast on a days × slots grid (local time); closed cells are 0.
#[derive(Debug, Clone)]
pub struct Forecast {
    pub interval: IntervalMinutes,
    pub days: Vec<NaiveDate>,
    pub open: Array2<bool>,
    pub baseline: Array2<f64>,
    /// Extra calls per channel.
    pub uplift: BTreeMap<String, Array2<f64>>,
    /// Extra calls per media-plan line.
    pub lines: Uplift,
    pub total: Array2<f64>,
    pub lo80: Array2<f64>,
    pub hi80: Array2<f64>,
    pub lo95: Array2<f64>,
    pub hi95: Array2<f64>,
    pub dispersion_k: f64,
}

impl Forecast {
    pub fn total_uplift(&self) -> Array2<f64> {
        self.uplift.values().fold(Array2::zeros(self.total.raw_dim()), |a, u| a + u)
    }

    /// A line's extra calls inside the period and after it (carry-over).
    pub fn line_split(&self, line: &super::media::uplift::LineUplift) -> (f64, f64) {
        let (first, last) = (self.days.first().copied(), self.days.last().copied());
        line.cells.iter().fold(
            (0.0, 0.0),
            |(i, a), (d, _, v)| {
                if Some(*d) >= first && Some(*d) <= last {
                    (i + v, a)
                } else {
                    (i, a + v)
                }
            },
        )
    }
}

impl ForecastModel {
    /// Learn from the history and the media plans that ran during it.
    pub fn fit(&self, history: &History, past: &[MediaLine]) -> FittedForecast {
        let learned = self.campaign.learn(history, past);
        let mut weekday_shape: [Option<Vec<f64>>; 7] = Default::default();
        for (w, slot) in weekday_shape.iter_mut().enumerate() {
            let recent: Vec<&Vec<f64>> = history
                .days
                .iter()
                .rev()
                .filter(|d| d.weekday().num_days_from_monday() as usize == w)
                .filter_map(|d| learned.shapes.by_day.get(d))
                .take(self.shape_days.max(1))
                .collect();
            if !recent.is_empty() {
                let n = recent[0].len();
                let mean: Vec<f64> =
                    (0..n).map(|s| recent.iter().map(|r| r[s]).sum::<f64>() / recent.len() as f64).collect();
                *slot = Some(mean);
            }
        }
        // Overdispersion by moments on the in-sample fit: Var = μ + μ²/k.
        let mu = &learned.insample_baseline + &learned.history_uplift;
        let (mut num, mut den) = (0.0, 0.0);
        for (y, m) in history.offered.iter().zip(mu.iter()) {
            if !y.is_nan() && !m.is_nan() && *m > 0.0 {
                num += (y - m).powi(2) - m;
                den += m * m;
            }
        }
        let inv_k = if den > 0.0 { (num / den).max(0.0) } else { 0.0 };
        FittedForecast {
            learned,
            interval: history.interval,
            weekday_shape,
            dispersion_k: if inv_k > 0.0 { 1.0 / inv_k } else { f64::INFINITY },
        }
    }
}

impl FittedForecast {
    /// The learned channel responses.
    pub fn responses(&self) -> &BTreeMap<String, ChannelResponse> {
        &self.learned.fitted.responses
    }

    /// Forecast `days` under the centre's calendar and a media plan. Lines whose
    /// channel was not learned are refused by the caller (see [`unlearned_channels`]).
    pub fn predict(&self, days: &[NaiveDate], calendar: &OpenCalendar, plan: &[MediaLine]) -> Forecast {
        let slots = self.interval.per_day();
        let n = days.len();
        let mut open = Array2::from_elem((n, slots), false);
        let mut baseline = Array2::zeros((n, slots));
        let mut shapes = DayShapes { interval: self.interval, by_day: BTreeMap::new() };
        let feats = &self.learned.level;
        for (k, d) in days.iter().enumerate() {
            let flags = calendar.open_slots(*d);
            let Some(shape) = &self.weekday_shape[d.weekday().num_days_from_monday() as usize] else {
                continue;
            };
            if !flags.iter().any(|f| *f) {
                continue;
            }
            let prev = *d - Duration::days(1);
            let after = !calendar.is_open_day(prev) && feats.opens_on(prev);
            let level: f64 =
                feats.row(*d, after).iter().zip(&self.learned.level_coef).map(|(a, b)| a * b).sum::<f64>().max(0.0);
            // Shape restricted to today's open slots (renormalised).
            let masked: Vec<f64> = shape.iter().zip(&flags).map(|(v, f)| if *f { *v } else { 0.0 }).collect();
            let kept: f64 = masked.iter().sum();
            if kept <= 0.0 {
                continue;
            }
            for s in 0..slots {
                open[[k, s]] = flags[s];
                baseline[[k, s]] = level * masked[s] / kept * kept.min(1.0);
            }
            shapes.by_day.insert(*d, masked.iter().map(|v| v / kept).collect());
        }
        // Carry-over runs past the period: give the following weeks their shapes
        // too, so those calls are not mistaken for calls while closed. They fall
        // outside the period's grid (see `Forecast::after_period`).
        if let Some(last) = days.last() {
            for i in 1..=28 {
                let d = *last + Duration::days(i);
                let flags = calendar.open_slots(d);
                if let Some(shape) = &self.weekday_shape[d.weekday().num_days_from_monday() as usize] {
                    let masked: Vec<f64> = shape.iter().zip(&flags).map(|(v, f)| if *f { *v } else { 0.0 }).collect();
                    let kept: f64 = masked.iter().sum();
                    if kept > 0.0 {
                        shapes.by_day.insert(d, masked.iter().map(|v| v / kept).collect());
                    }
                }
            }
        }
        let lines = Uplift::compute(plan, self.responses(), &shapes);
        let mut uplift: BTreeMap<String, Array2<f64>> = BTreeMap::new();
        for ch in plan.iter().map(|l| l.channel.clone()) {
            uplift.entry(ch).or_insert_with(|| Array2::zeros((n, slots)));
        }
        let idx: BTreeMap<NaiveDate, usize> = days.iter().enumerate().map(|(k, d)| (*d, k)).collect();
        for lu in &lines.lines {
            let g = uplift.get_mut(&plan[lu.line].channel).expect("channel inserted above");
            for &(d, s, v) in &lu.cells {
                if let Some(&k) = idx.get(&d) {
                    g[[k, s]] += v;
                }
            }
        }
        let total = uplift.values().fold(baseline.clone(), |a, u| a + u);
        let k = self.dispersion_k;
        let bound = |level: f64, upper: bool| {
            Array2::from_shape_fn(total.raw_dim(), |ix| {
                let (lo, hi) = nb_interval(total[ix], k, level);
                if upper {
                    hi
                } else {
                    lo
                }
            })
        };
        Forecast {
            interval: self.interval,
            days: days.to_vec(),
            open,
            lo80: bound(0.8, false),
            hi80: bound(0.8, true),
            lo95: bound(0.95, false),
            hi95: bound(0.95, true),
            baseline,
            uplift,
            lines,
            total,
            dispersion_k: k,
        }
    }
}

/// Channels of `plan` that the fitted model has no response for.
pub fn unlearned_channels<'a>(fitted: &FittedForecast, plan: &'a [MediaLine]) -> Vec<&'a MediaLine> {
    plan.iter().filter(|l| !fitted.responses().contains_key(&l.channel)).collect()
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
fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383577518672690e2,
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
}

#[cfg(test)]
mod recovery {
    use super::*;
    use crate::calendar::{week_days, OpenCalendar};
    use crate::config::CentreConfig;
    use crate::ingest::history::load_history;
    use crate::ingest::media::load_media_plan;
    use crate::synth::{sample_in_tempdir, sample_shape, true_baseline};

    /// Forecast a held-out week of generated data with campaigns: the WAPE over
    /// campaign days is within 1.1× that of forecasting with the true parameters.
    #[test]
    fn campaign_week_wape_is_close_to_the_true_model() {
        for seed in [11, 12, 13] {
            // 105 weeks; the last one is held out.
            let (dir, sample) = sample_in_tempdir(seed, 105, NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
            let cfg_path = dir.path().join("centre.toml");
            let cfg = CentreConfig::load(&cfg_path).unwrap();
            let cal = OpenCalendar::from_config(&cfg, &cfg_path).unwrap();
            let h = load_history(&dir.path().join("history.csv")).unwrap();
            let lines = load_media_plan(&dir.path().join("media_history.csv"), &cfg).unwrap().lines;
            let week = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
            let days = week_days(week);
            let train = h.between(h.days[0], week);
            let past: Vec<MediaLine> = lines.iter().filter(|l| l.start.date() < week).cloned().collect();
            // Lines that can still bring calls into the test week (carry-over included).
            let plan: Vec<MediaLine> =
                lines.iter().filter(|l| l.start.date() >= week - Duration::days(28)).cloned().collect();
            let fitted = ForecastModel::default().fit(&train, &past);
            let fc = fitted.predict(&days, &cal, &plan);
            // The true model's forecast of the same week.
            let shapes = DayShapes {
                interval: h.interval,
                by_day: (0..60)
                    .map(|i| week - Duration::days(35) + Duration::days(i))
                    .filter(|d| cal.is_open_day(*d))
                    .filter_map(|d| sample_shape(d.weekday()).map(|s| (d, s)))
                    .collect(),
            };
            let true_up = Uplift::compute(&plan, &sample.truth.responses, &shapes).grid(&days, h.slots_per_day());
            let true_fc = true_baseline(&days, sample.truth.history_from) + &true_up;
            let (mut e_model, mut e_true, mut total) = (0.0, 0.0, 0.0);
            for (k, d) in days.iter().enumerate() {
                let Some(row) = h.day_index(*d) else { continue };
                if true_up.row(k).sum() < 1.0 {
                    continue; // not a campaign day
                }
                for s in 0..h.slots_per_day() {
                    let y = h.offered[[row, s]];
                    if y.is_nan() {
                        continue;
                    }
                    e_model += (y - fc.total[[k, s]]).abs();
                    e_true += (y - true_fc[[k, s]]).abs();
                    total += y;
                }
            }
            let (w_model, w_true) = (e_model / total, e_true / total);
            eprintln!(
                "seed {seed}: WAPE model {w_model:.4}, true parameters {w_true:.4}, ratio {:.3}",
                w_model / w_true
            );
            assert!(total > 0.0);
            assert!(w_model <= 1.1 * w_true, "seed {seed}: {w_model} vs {w_true}");
        }
    }
}

#[cfg(test)]
mod dst {
    use super::*;
    use crate::calendar::OpenCalendar;
    use crate::config::CentreConfig;
    use crate::synth::sample_in_tempdir;
    use std::path::Path;

    /// A 23-hour day: the skipped hour is closed and gets no calls; the rest of
    /// the day is forecast as usual.
    #[test]
    fn the_hour_skipped_by_dst_gets_no_calls() {
        let (dir, _) = sample_in_tempdir(5, 30, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        let h = crate::ingest::history::load_history(&dir.path().join("history.csv")).unwrap();
        // Israel moves its clocks on a Friday (a day with history in the sample).
        let cfg = CentreConfig::parse(
            Path::new("c.toml"),
            "timezone = \"Asia/Jerusalem\"\n[opening_hours]\nfri = \"00:00-24:00\"\nthu = \"00:00-24:00\"\n",
        )
        .unwrap();
        let cal = OpenCalendar::from_config(&cfg, Path::new("c.toml")).unwrap();
        let fitted = ForecastModel::default().fit(&h, &[]);
        // Friday 2027-03-26: 02:00 -> 03:00 in Jerusalem.
        let day = NaiveDate::from_ymd_opt(2027, 3, 26).unwrap();
        assert_eq!(cal.day_hours(day), 23.0);
        let thu = day - Duration::days(1);
        let fc = fitted.predict(&[thu, day], &cal, &[]);
        for s in 8..12 {
            assert!(!fc.open[[1, s]] && fc.total[[1, s]] == 0.0, "slot {s} of the 23-hour day");
        }
        assert!(fc.open[[1, 12]] && fc.open[[1, 7]], "01:45 and 03:00 exist");
        assert!(fc.open[[0, 8]], "Thursday has its 02:00");
        assert!(fc.total.row(1).sum() > 0.0 && fc.total.row(0).sum() > 0.0);
    }
}
