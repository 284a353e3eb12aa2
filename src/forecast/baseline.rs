//! History-only baseline on the day × interval matrix.
//!
//! The classic model is a daily level times an intraday profile. A better one
//! for call centres treats the whole day as a vector: the square-root transform
//! √(N + ¼) stabilises Poisson variance, a truncated SVD of the days × intervals
//! matrix gives a few intraday shapes, and each shape's daily score is
//! forecast from its weekday mean plus an AR(1) on the deviations (Shen & Huang
//! 2008; Weinberg, Brown & Stroud 2007 compare on the US bank data). Rows are
//! days with data, so gaps never shift the weekly pattern: weekday effects are
//! keyed on the calendar.
//!
//! Two calendar refinements, each measured on the US bank protocol (one day
//! ahead, 64 origins): the first day after an unusual closure (a holiday) is
//! modelled as a day after the regular closure — a Tuesday after a bank
//! holiday Monday looks like a Monday, because callers held back over the
//! long weekend call then (RMSE 18.70 → 18.16); and the weekday levels of the
//! scores are medians, so one odd day in the window (an outage, a storm) does
//! not drag a weekday's level for 20 weeks (18.16 → 18.03).

use crate::ingest::History;
use chrono::{Datelike, NaiveDate};
use ndarray::Array2;

/// Hyper-parameters (augurs style: unfitted params → `fit` → fitted model).
#[derive(Debug, Clone)]
pub struct SvdBaseline {
    /// Number of intraday components. Default 6, range 1..10.
    pub components: usize,
    /// Half-life, in days with data, of the weight of past days in the weekday
    /// means of the scores. Default 1e9 (equal weights: best on the US bank
    /// protocol), range 5..1e9.
    pub half_life_days: f64,
    /// Multiplier of the AR(1) deviation (shrinkage towards the weekday mean). Default 1.
    pub ar_shrink: f64,
    /// Weight of an exponentially smoothed deviation (level memory beyond one
    /// day) mixed with the AR(1) one: 0 = AR(1) only. Default 0, range 0..1.
    pub ewma_mix: f64,
    /// Smoothing factor of that exponentially smoothed deviation. Default 0.3.
    pub ewma_alpha: f64,
    /// Model the first open day after an unusual closure (a holiday) like the
    /// day after the centre's regular closure (Monday, for a centre closed at
    /// weekends). Default true.
    pub closure_effect: bool,
    /// Weekday levels of the scores by (weighted) median instead of mean:
    /// robust to one odd day in the window. Default true.
    pub median_levels: bool,
    /// Separate AR coefficient for transitions over a gap in the days (weekend,
    /// holiday). Default false (no gain measured on the US bank protocol).
    pub gap_aware: bool,
    /// A linear trend of the daily scores (per calendar day). Default false;
    /// worth it for forecasts weeks ahead (the backtest turns it on beyond five days).
    pub trend: bool,
    /// Share of the residual variance added back when squaring the forecast
    /// (E[Y²] = f² + σ²). Default 1, range 0..1.
    pub variance_correction: f64,
    /// Half-width, in intervals, of the moving average that smooths the
    /// forecast curve (arrival rates are smooth in time). Default 1, range 0..6.
    pub smooth_slots: usize,
    /// Last days of the history forecast out of sample (each one day ahead
    /// from the days before it) to calibrate the prediction bands; 0 = off.
    /// Default 7, range 0..60. See [`SvdBaseline::band_scale`].
    pub calibration_days: usize,
}

impl Default for SvdBaseline {
    fn default() -> Self {
        Self {
            components: 6,
            half_life_days: 1e9,
            ar_shrink: 1.0,
            ewma_mix: 0.0,
            ewma_alpha: 0.3,
            closure_effect: true,
            median_levels: true,
            gap_aware: false,
            variance_correction: 1.0,
            trend: false,
            smooth_slots: 1,
            calibration_days: 7,
        }
    }
}

/// A fitted baseline: only this can predict.
#[derive(Debug, Clone)]
pub struct FittedSvd {
    smooth_slots: usize,
    variance_correction: f64,
    slots: Vec<usize>,
    per_day: usize,
    /// Intraday components (slots × K), already scaled by the singular values.
    shapes: Array2<f64>,
    /// Per component: weekday means (Mon..Sun; NaN when unseen), AR coefficient, last deviation.
    weekday_mean: Vec<[f64; 7]>,
    phi: Vec<f64>,
    phi_gap: Vec<f64>,
    /// Per component: trend per calendar day (0 without `trend`).
    trend: Vec<f64>,
    last_dev: Vec<f64>,
    last_day: NaiveDate,
    /// Days with data of the history (to tell whether a forecast day follows a closure).
    history_days: Vec<NaiveDate>,
    day_types: DayTypes,
    /// Residual standard deviation per slot in the square-root scale.
    sigma: Vec<f64>,
    /// Factor on `sigma` for each band of [`BAND_LEVELS`] (at least 1): how
    /// much wider one-day-ahead errors out of sample are than the in-sample
    /// ones at that level.
    band_scale: [f64; 2],
    /// Mean fitted calls per slot.
    slot_mean: Vec<f64>,
    /// Covariance (components × components) of the one-step errors of the day
    /// scores: how far a day's scores stray from their forecast.
    score_cov: nalgebra::DMatrix<f64>,
    /// Variance per slot, in the square-root scale, of what the day's scores
    /// do not explain: the noise around a day's own curve.
    noise_var: Vec<f64>,
}

/// See [`FittedSvd::update_parts`].
pub(crate) struct UpdateParts<'a> {
    pub per_day: usize,
    pub slots: &'a [usize],
    pub shapes: Array2<f64>,
    pub noise_var: &'a [f64],
    pub sigma: &'a [f64],
    pub variance_correction: f64,
}

/// A forecast for given days: mean and prediction bands per slot (NaN where
/// no data is expected).
#[derive(Debug, Clone)]
pub struct DayForecast {
    pub mean: Array2<f64>,
    /// Central prediction intervals, e.g. 80% and 95%; empty for point forecasts.
    pub bands: Vec<Band>,
}

/// A central prediction interval per slot.
#[derive(Debug, Clone)]
pub struct Band {
    /// Nominal coverage, a fraction (0.95 for a 95% interval).
    pub level: f64,
    pub lo: Array2<f64>,
    pub hi: Array2<f64>,
}

/// Nominal levels of the bands the forecasts carry, with their standard normal quantiles.
pub const BAND_LEVELS: [(f64, f64); 2] = [(0.80, 1.281_551_565_5), (0.95, 1.959_963_984_5)];

/// Days with data the low-rank baseline needs before it fits (three weeks of a
/// weekday centre); with fewer, [`SvdBaseline::fit`] returns `None`.
pub const MIN_DAYS: usize = 15;

/// Widest the out-of-sample calibration makes the bands, as a factor on the
/// in-sample residuals: beyond it the held-out days are too odd to trust.
const MAX_BAND_SCALE: f64 = 2.0;

/// Standardised errors the calibration needs (about a day and a half of
/// half-hours) before it widens the bands at all.
const MIN_CALIBRATION_ERRORS: usize = 60;

impl SvdBaseline {
    /// Fit on `h`, with the bands calibrated out of sample.
    pub fn fit(&self, h: &History) -> Option<FittedSvd> {
        let mut fitted = self.fit_in_sample(h)?;
        fitted.band_scale = self.band_scale(h);
        Some(fitted)
    }

    /// How much wider the bands must be than the in-sample residuals say.
    ///
    /// The residuals `sigma` are in-sample: each day helped fit the shapes
    /// and weekday levels it is measured against, so they understate a
    /// forecast's error — most where day levels wander (busy and quiet
    /// spells), where 95% bands held 0.89 to 0.90 of the actuals on a real
    /// Sunday-week centre and on the generated one. So each of the last
    /// `calibration_days` days is forecast one day ahead from the days
    /// before it alone, its errors are standardised by that fit's own
    /// `sigma`, and each band takes the percentile of their size at its level
    /// over its normal quantile (the 95th over 1.96, the 80th over 1.28:
    /// errors with heavy tails need more at 95% than at 80%), at least 1
    /// (never narrower than in sample), at most [`MAX_BAND_SCALE`].
    fn band_scale(&self, h: &History) -> [f64; 2] {
        let n = h.days.len();
        let held_out = self.calibration_days.min(n.saturating_sub(MIN_DAYS));
        let mut z: Vec<f64> = Vec::new();
        for idx in n - held_out..n {
            let Some(f) = self.fit_in_sample(&h.rows(0, idx)) else { continue };
            let day = f.predict(&[h.days[idx]]);
            let (hi95, z95) = (&day.bands[1].hi, BAND_LEVELS[1].1);
            for (j, &s) in f.slots.iter().enumerate() {
                let (y, hi) = (h.offered[[idx, s]], hi95[[0, s]]);
                if y.is_nan() || hi <= 0.0 || f.sigma[j] <= 0.0 {
                    continue;
                }
                let centre = (hi + 0.25).sqrt() - z95 * f.sigma[j];
                z.push(((y + 0.25).sqrt() - centre).abs() / f.sigma[j]);
            }
        }
        if z.len() < MIN_CALIBRATION_ERRORS {
            return [1.0; 2];
        }
        z.sort_by(f64::total_cmp);
        BAND_LEVELS.map(|(level, quantile)| {
            let q = z[((z.len() as f64 * level) as usize).min(z.len() - 1)];
            (q / quantile).clamp(1.0, MAX_BAND_SCALE)
        })
    }

    fn fit_in_sample(&self, h: &History) -> Option<FittedSvd> {
        let slots = h.observed_slots();
        let (n, m) = (h.days.len(), slots.len());
        // Weekday levels and one-step errors need a few weeks: on one week each
        // weekday's level is a single day, fits it exactly, and the intervals
        // collapse (one-week windows covered a quarter of the actuals at 95%).
        if n < MIN_DAYS || m == 0 {
            return None;
        }
        let y = sqrt_matrix(h, &slots);
        let k = self.components.clamp(1, m.min(n));
        let (shapes, scores) = leading_components(&y, k)?;
        let day_types = DayTypes::learn(h, self.closure_effect);
        let types: Vec<usize> =
            (0..n).map(|d| day_types.of(h.days[d], d == 0 || (h.days[d] - h.days[d - 1]).num_days() == 1)).collect();
        let fits: Vec<ComponentFit> = scores.iter().map(|sc| self.fit_component(h, sc, &types)).collect();
        let fitted_scores: Vec<&[f64]> = fits.iter().map(|f| f.fitted.as_slice()).collect();
        let (sigma, slot_mean) = one_step_residuals(&y, &shapes, &fitted_scores);
        let score_cov = innovation_cov(&scores, &fitted_scores);
        let noise_var = noise_variance(&y, &smoothed(&shapes, self.smooth_slots), &scores);
        Some(FittedSvd {
            smooth_slots: self.smooth_slots,
            variance_correction: self.variance_correction,
            slots,
            per_day: h.slots_per_day(),
            shapes,
            weekday_mean: fits.iter().map(|f| f.mean).collect(),
            phi: fits.iter().map(|f| f.phi).collect(),
            phi_gap: fits.iter().map(|f| f.phi_gap).collect(),
            trend: fits.iter().map(|f| f.trend).collect(),
            last_dev: fits.iter().map(|f| f.last_dev).collect(),
            last_day: *h.days.last()?,
            history_days: h.days.clone(),
            day_types,
            sigma,
            band_scale: [1.0; 2],
            slot_mean,
            score_cov,
            noise_var,
        })
    }

    /// The level of a day type from its days' (value, weight) pairs.
    fn level(&self, values: &[(f64, f64)]) -> f64 {
        if self.median_levels {
            weighted_median(values)
        } else {
            let w: f64 = values.iter().map(|x| x.1).sum();
            if w > 0.0 {
                values.iter().map(|x| x.0 * x.1).sum::<f64>() / w
            } else {
                f64::NAN
            }
        }
    }

    /// One component's day scores: weekday levels (by day type), an optional
    /// linear trend, and an AR(1) of the deviations.
    fn fit_component(&self, h: &History, sc: &[f64], types: &[usize]) -> ComponentFit {
        let n = sc.len();
        let decay = 0.5f64.powf(1.0 / self.half_life_days.max(1e-9));
        let wt = |d: usize| decay.powi((n - 1 - d) as i32);
        // Weekday level of `x` (per day) from the (value, weight) pairs of each day type.
        let levels = |x: &dyn Fn(usize) -> f64| -> [f64; 7] {
            let mut by_type: [Vec<(f64, f64)>; 7] = Default::default();
            for d in 0..n {
                by_type[types[d]].push((x(d), wt(d)));
            }
            std::array::from_fn(|w| self.level(&by_type[w]))
        };
        let mut mean = levels(&|d| sc[d]);
        // Optional linear trend in calendar days (t ≤ 0 at the last day).
        let last = h.days[n - 1];
        let tday: Vec<f64> = (0..n).map(|d| (h.days[d] - last).num_days() as f64).collect();
        let mut beta = 0.0;
        if self.trend {
            let sw: f64 = (0..n).map(wt).sum();
            let tm = (0..n).map(|d| wt(d) * tday[d]).sum::<f64>() / sw;
            let (num, den) = (0..n).fold((0.0, 0.0), |(a, b), d| {
                let x = tday[d] - tm;
                (a + wt(d) * x * (sc[d] - mean[types[d]]), b + wt(d) * x * x)
            });
            beta = if den > 0.0 { num / den } else { 0.0 };
            mean = levels(&|d| sc[d] - beta * tday[d]);
        }
        let dev: Vec<f64> = (0..n).map(|d| sc[d] - mean[types[d]] - beta * tday[d]).collect();
        let (p, pg) = self.ar_coefficients(h, &dev);
        let fitted =
            (0..n).map(|d| mean[types[d]] + beta * tday[d] + if d > 0 { p * dev[d - 1] } else { 0.0 }).collect();
        let ew = dev.iter().fold(0.0, |acc, d| self.ewma_alpha * d + (1.0 - self.ewma_alpha) * acc);
        let last = *dev.last().unwrap_or(&0.0);
        // Mixed memory: the one-step forecast of the deviation is
        // (1−mix)·φ·last + mix·ewma; stored as an equivalent "last" for φ.
        let one_step = (1.0 - self.ewma_mix) * p * last + self.ewma_mix * ew;
        ComponentFit {
            mean,
            phi: if p.abs() <= 1e-9 { 1.0 } else { p },
            phi_gap: pg,
            trend: beta,
            last_dev: if p.abs() > 1e-9 { one_step / p } else { one_step },
            fitted,
        }
    }

    /// AR(1) across consecutive days with data; a transition over a gap
    /// (weekend, holiday) gets its own coefficient: memory fades faster.
    fn ar_coefficients(&self, h: &History, dev: &[f64]) -> (f64, f64) {
        let (mut nc, mut dc, mut ng, mut dg) = (0.0, 0.0, 0.0, 0.0);
        for d in 1..dev.len() {
            let gap = (h.days[d] - h.days[d - 1]).num_days() > 1;
            if gap && self.gap_aware {
                ng += dev[d - 1] * dev[d];
                dg += dev[d - 1] * dev[d - 1];
            } else {
                nc += dev[d - 1] * dev[d];
                dc += dev[d - 1] * dev[d - 1];
            }
        }
        let p = if dc > 0.0 { (nc / dc).clamp(-0.99, 0.99) * self.ar_shrink } else { 0.0 };
        let pg = if dg > 0.0 { (ng / dg).clamp(-0.99, 0.99) * self.ar_shrink } else { p };
        (p, pg)
    }
}

/// One component's fitted day-score model.
struct ComponentFit {
    mean: [f64; 7],
    phi: f64,
    phi_gap: f64,
    trend: f64,
    last_dev: f64,
    /// One-step fitted scores per day.
    fitted: Vec<f64>,
}

/// √(N+¼) per day and observed slot, gaps filled with the weekday mean of the slot.
fn sqrt_matrix(h: &History, slots: &[usize]) -> nalgebra::DMatrix<f64> {
    let n = h.days.len();
    let mut y = nalgebra::DMatrix::<f64>::zeros(n, slots.len());
    for (j, &s) in slots.iter().enumerate() {
        let mut by_wd = [(0.0f64, 0usize); 7];
        for d in 0..n {
            let v = h.offered[[d, s]];
            if !v.is_nan() {
                let w = h.days[d].weekday().num_days_from_monday() as usize;
                by_wd[w].0 += (v + 0.25).sqrt();
                by_wd[w].1 += 1;
            }
        }
        let all: f64 = by_wd.iter().map(|x| x.0).sum::<f64>() / by_wd.iter().map(|x| x.1).sum::<usize>().max(1) as f64;
        for d in 0..n {
            let v = h.offered[[d, s]];
            let w = h.days[d].weekday().num_days_from_monday() as usize;
            y[(d, j)] = if v.is_nan() {
                if by_wd[w].1 > 0 {
                    by_wd[w].0 / by_wd[w].1 as f64
                } else {
                    all
                }
            } else {
                (v + 0.25).sqrt()
            };
        }
    }
    y
}

/// The `k` leading components of `y`: intraday shapes (slot × component,
/// scaled by the singular values) and day scores (per component, per day).
fn leading_components(y: &nalgebra::DMatrix<f64>, k: usize) -> Option<(Array2<f64>, Vec<Vec<f64>>)> {
    let (n, m) = y.shape();
    let svd = y.clone().svd(true, true);
    let (u, vt) = (svd.u?, svd.v_t?);
    // Sort singular values descending (nalgebra does not promise an order).
    let mut order: Vec<usize> = (0..svd.singular_values.len()).collect();
    order.sort_by(|a, b| svd.singular_values[*b].total_cmp(&svd.singular_values[*a]));
    let order = &order[..k];
    let shapes = Array2::from_shape_fn((m, k), |(j, c)| vt[(order[c], j)] * svd.singular_values[order[c]]);
    let scores = order.iter().map(|&c| (0..n).map(|d| u[(d, c)]).collect()).collect();
    Some((shapes, scores))
}

/// Residual sd per slot of the one-step in-sample fit (√ scale), and the
/// slot's mean fitted level in calls.
fn one_step_residuals(y: &nalgebra::DMatrix<f64>, shapes: &Array2<f64>, fitted: &[&[f64]]) -> (Vec<f64>, Vec<f64>) {
    let (n, m) = y.shape();
    let k = fitted.len();
    let mut slot_mean = vec![0.0; m];
    let sigma = (0..m)
        .map(|j| {
            let (mut ss, mut level) = (0.0, 0.0);
            for d in 1..n {
                let f: f64 = (0..k).map(|c| fitted[c][d] * shapes[[j, c]]).sum();
                ss += (y[(d, j)] - f).powi(2);
                level += (f * f - 0.25).max(0.0);
            }
            slot_mean[j] = level / (n - 1).max(1) as f64;
            (ss / (n - 1).max(1) as f64).sqrt()
        })
        .collect();
    (sigma, slot_mean)
}

/// Covariance of the one-step errors of the day scores (days after the first).
fn innovation_cov(scores: &[Vec<f64>], fitted: &[&[f64]]) -> nalgebra::DMatrix<f64> {
    let k = scores.len();
    let n = scores.first().map_or(0, |s| s.len());
    let err = |c: usize, d: usize| scores[c][d] - fitted[c][d];
    nalgebra::DMatrix::from_fn(k, k, |a, b| (1..n).map(|d| err(a, d) * err(b, d)).sum::<f64>() / (n - 1).max(1) as f64)
}

/// The shapes after the forecast's moving average over ±`w` slots (the
/// average is linear, so a day's smoothed curve is these shapes times its scores).
fn smoothed(shapes: &Array2<f64>, w: usize) -> Array2<f64> {
    let m = shapes.nrows();
    Array2::from_shape_fn(shapes.raw_dim(), |(j, c)| {
        let (a, b) = (j.saturating_sub(w), (j + w + 1).min(m));
        (a..b).map(|i| shapes[[i, c]]).sum::<f64>() / (b - a) as f64
    })
}

/// Per slot, the variance of a day's square roots around its own smoothed
/// low-rank curve (floored at a tenth of the Poisson 1/4: a slot that never
/// varied is still counts).
fn noise_variance(y: &nalgebra::DMatrix<f64>, smooth: &Array2<f64>, scores: &[Vec<f64>]) -> Vec<f64> {
    let (n, m) = y.shape();
    (0..m)
        .map(|j| {
            let ss: f64 = (0..n)
                .map(|d| (y[(d, j)] - (0..scores.len()).map(|c| scores[c][d] * smooth[[j, c]]).sum::<f64>()).powi(2))
                .sum();
            (ss / n.max(1) as f64).max(0.025)
        })
        .collect()
}

/// Which weekday's level a date takes: its own, or — for the first open day
/// after an unusual closure — that of the day after the regular closure.
///
/// Only a weekday with the same hours as the reopening day is mapped to it: a
/// Saturday after a New Year's Friday is still a short Saturday, not a Monday.
#[derive(Debug, Clone)]
pub struct DayTypes {
    /// Weekdays (Mon = 0) the centre normally opens: they have data.
    open: [bool; 7],
    /// First and last slot with data per weekday.
    hours: [Option<(usize, usize)>; 7],
    /// The weekday after the longest regular closure (Monday for a Mon–Fri
    /// centre); `None` when the centre opens every day or the effect is off.
    reopening: Option<usize>,
}

impl DayTypes {
    pub fn learn(h: &History, enabled: bool) -> Self {
        let mut open = [false; 7];
        for d in &h.days {
            open[d.weekday().num_days_from_monday() as usize] = true;
        }
        let hours = h.weekday_spans();
        let closed_before = |w: usize| (1..7).take_while(|k| !open[(w + 7 - k) % 7]).count();
        let reopening = (0..7)
            .filter(|&w| enabled && open[w] && closed_before(w) > 0)
            .max_by_key(|&w| (closed_before(w), std::cmp::Reverse(w)));
        Self { open, hours, reopening }
    }

    /// Day type (0..7) of `d`; `prev_has_data`: the calendar day before has data.
    pub fn of(&self, d: NaiveDate, prev_has_data: bool) -> usize {
        let w = d.weekday().num_days_from_monday() as usize;
        match self.reopening {
            Some(r) if self.open[(w + 6) % 7] && !prev_has_data && self.hours[w] == self.hours[r] => r,
            _ => w,
        }
    }

    /// Whether `d` is modelled as the reopening day rather than as its own weekday.
    pub fn is_reopening(&self, d: NaiveDate, prev_has_data: bool) -> bool {
        self.of(d, prev_has_data) != d.weekday().num_days_from_monday() as usize
    }
}

/// Median of values with weights (the smallest value at which the cumulative
/// weight reaches half); NaN when empty.
fn weighted_median(values: &[(f64, f64)]) -> f64 {
    let mut v: Vec<(f64, f64)> = values.iter().copied().filter(|x| x.1 > 0.0 && !x.0.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let half = v.iter().map(|x| x.1).sum::<f64>() / 2.0;
    let mut cum = 0.0;
    for (i, (x, w)) in v.iter().enumerate() {
        cum += w;
        if (cum - half).abs() <= 1e-12 * half.max(1.0) {
            // Exactly half: the midpoint with the next value (the plain median for equal weights).
            return v.get(i + 1).map_or(*x, |n| (x + n.0) / 2.0);
        }
        if cum > half {
            return *x;
        }
    }
    v[v.len() - 1].0
}

/// What a day's component scores are expected to be before any of its calls
/// are seen: their forecast and its error covariance.
#[derive(Debug, Clone)]
pub struct ScorePrior {
    pub mean: Vec<f64>,
    pub cov: nalgebra::DMatrix<f64>,
}

impl FittedSvd {
    /// The scores of `days[i]` forecast from the history (the days before
    /// `i` in `days` are taken as open, whether or not they are past).
    pub fn score_prior(&self, days: &[NaiveDate], i: usize) -> ScorePrior {
        let d = days[i];
        let prev = d - chrono::Duration::days(1);
        let prev_has_data = if prev <= self.last_day {
            self.history_days.binary_search(&prev).is_ok()
        } else {
            days[..i].contains(&prev)
        };
        let w = self.day_types.of(d, prev_has_data);
        let step = (i + 1) as i32;
        let mean = (0..self.shapes.ncols())
            .map(|c| {
                let m = self.weekday_mean[c][w];
                let m =
                    if m.is_nan() { self.weekday_mean[c].iter().filter(|v| !v.is_nan()).sum::<f64>() / 7.0 } else { m };
                // The first step crosses a gap when the target is not the next calendar day.
                let first = if (d - self.last_day).num_days() > step as i64 { self.phi_gap[c] } else { self.phi[c] };
                let ahead = (d - self.last_day).num_days() as f64;
                m + self.trend[c] * ahead + first * self.phi[c].powi(step - 1) * self.last_dev[c]
            })
            .collect();
        // Each further step adds the AR(1)'s growing error: Σ φ^(2i) per component.
        let growth: Vec<f64> = self.phi.iter().map(|p| (0..step).map(|i| p.powi(2 * i)).sum::<f64>().sqrt()).collect();
        let cov = nalgebra::DMatrix::from_fn(self.score_cov.nrows(), self.score_cov.ncols(), |a, b| {
            self.score_cov[(a, b)] * growth[a] * growth[b]
        });
        ScorePrior { mean, cov }
    }

    /// The parts the intraday update needs: the day's slots with data, the
    /// smoothed shapes (slots × components), the noise variance and one-step
    /// sd per slot (square-root scale), and the back-transform's variance share.
    pub(crate) fn update_parts(&self) -> UpdateParts<'_> {
        UpdateParts {
            per_day: self.per_day,
            slots: &self.slots,
            shapes: smoothed(&self.shapes, self.smooth_slots),
            noise_var: &self.noise_var,
            sigma: &self.sigma,
            variance_correction: self.variance_correction,
        }
    }

    /// The negative-binomial overdispersion 1/k (count variance μ + μ²/k) of
    /// the one-step forecast errors, by moments over the slots: the square-root
    /// scale's residual variance σ² is a count variance of about 4μσ² (delta method).
    pub fn inverse_dispersion(&self) -> f64 {
        let (num, den) = self
            .slot_mean
            .iter()
            .zip(&self.sigma)
            .fold((0.0, 0.0), |(a, b), (&mu, &sig)| (a + 4.0 * mu * sig * sig - mu, b + mu * mu));
        if den > 0.0 {
            (num / den).max(0.0)
        } else {
            0.0
        }
    }

    /// The residual sd of the one-step forecast in the square-root scale for
    /// a slot of the day; `None` for a slot never open in the history.
    pub fn slot_sigma(&self, slot: usize, level: f64) -> Option<f64> {
        let scale = if level > BAND_LEVELS[0].0 { self.band_scale[1] } else { self.band_scale[0] };
        self.slots.binary_search(&slot).ok().map(|j| self.sigma[j] * scale)
    }

    /// How it types days (own weekday, or the reopening day after a closure).
    pub fn day_types(&self) -> &DayTypes {
        &self.day_types
    }

    /// The last day of the history it was fitted on.
    pub fn last_day(&self) -> NaiveDate {
        self.last_day
    }

    /// Forecast `days` (after the history). `steps` ahead counts days with data:
    /// the i-th requested day is i+1 steps after the last history day.
    pub fn predict(&self, days: &[NaiveDate]) -> DayForecast {
        let shape = (days.len(), self.per_day);
        let mut mean = Array2::from_elem(shape, f64::NAN);
        let mut bands: Vec<Band> = BAND_LEVELS
            .iter()
            .map(|&(level, _)| Band {
                level,
                lo: Array2::from_elem(shape, f64::NAN),
                hi: Array2::from_elem(shape, f64::NAN),
            })
            .collect();
        for i in 0..days.len() {
            let scores = self.score_prior(days, i).mean;
            let raw: Vec<f64> = (0..self.slots.len())
                .map(|j| scores.iter().enumerate().map(|(c, sc)| sc * self.shapes[[j, c]]).sum())
                .collect();
            let w = self.smooth_slots;
            let curve: Vec<f64> = (0..raw.len())
                .map(|j| {
                    let (a, b) = (j.saturating_sub(w), (j + w + 1).min(raw.len()));
                    raw[a..b].iter().sum::<f64>() / (b - a) as f64
                })
                .collect();
            for (j, &s) in self.slots.iter().enumerate() {
                let f = curve[j];
                let sig = self.sigma[j];
                // E[Y²] = f² + σ²: unbiased back-transform of the square root.
                mean[[i, s]] = (f * f + self.variance_correction * sig * sig - 0.25).max(0.0);
                // Normal bands in the square-root scale, squared back.
                for ((b, &(_, z)), scale) in bands.iter_mut().zip(&BAND_LEVELS).zip(self.band_scale) {
                    let sig = sig * scale;
                    let l = (f - z * sig).max(0.0);
                    b.lo[[i, s]] = (l * l - 0.25).max(0.0);
                    b.hi[[i, s]] = ((f + z * sig).powi(2) - 0.25).max(0.0);
                }
            }
        }
        DayForecast { mean, bands }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::IntervalMinutes;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn weighted_median_of_equal_weights_is_the_plain_median() {
        assert_eq!(weighted_median(&[(3.0, 1.0), (1.0, 1.0), (2.0, 1.0)]), 2.0);
        assert_eq!(weighted_median(&[(4.0, 1.0), (1.0, 1.0), (2.0, 1.0), (3.0, 1.0)]), 2.5);
        // A heavy weight pulls the median to its value; an outlier does not move it.
        assert_eq!(weighted_median(&[(1.0, 1.0), (2.0, 5.0), (100.0, 1.0)]), 2.0);
        assert!(weighted_median(&[]).is_nan());
    }

    /// A history open 08:00–17:00 (Saturdays 09:00–13:00) on `days`.
    fn open_on(days: Vec<NaiveDate>) -> History {
        let iv = IntervalMinutes::new(60).unwrap();
        let offered = Array2::from_shape_fn((days.len(), 24), |(k, s)| {
            let sat = days[k].weekday() == chrono::Weekday::Sat;
            let (a, b) = if sat { (9, 13) } else { (8, 17) };
            if (a..b).contains(&s) {
                10.0
            } else {
                f64::NAN
            }
        });
        History::from_offered(iv, days, offered)
    }

    #[test]
    fn the_day_after_a_holiday_is_typed_like_a_monday() {
        // Mon–Fri centre over three weeks.
        let days: Vec<NaiveDate> = (0..21)
            .map(|k| date("2003-08-18") + chrono::Duration::days(k))
            .filter(|d| d.weekday().num_days_from_monday() < 5)
            .collect();
        let t = DayTypes::learn(&open_on(days.clone()), true);
        assert_eq!(t.reopening, Some(0));
        // Tuesday 2003-09-02 after Labor Day (Monday) closed: a Monday.
        assert_eq!(t.of(date("2003-09-02"), false), 0);
        // An ordinary Tuesday, and a Monday after the weekend, keep their own type.
        assert_eq!(t.of(date("2003-08-26"), true), 1);
        assert_eq!(t.of(date("2003-08-25"), false), 0);
        assert_eq!(DayTypes::learn(&open_on(days), false).of(date("2003-09-02"), false), 1);
        // A centre open every day has no regular closure: no reopening type.
        let all: Vec<NaiveDate> = (0..14).map(|k| date("2003-08-18") + chrono::Duration::days(k)).collect();
        assert_eq!(DayTypes::learn(&open_on(all.clone()), true).reopening, None);
        // Open Mon–Sat: Monday still reopens after the Sunday closure; a short
        // Saturday after a Friday holiday stays a Saturday.
        let six: Vec<NaiveDate> = all.iter().copied().filter(|d| d.weekday() != chrono::Weekday::Sun).collect();
        let t = DayTypes::learn(&open_on(six), true);
        assert_eq!(t.reopening, Some(0));
        assert_eq!(t.of(date("2003-08-30"), false), 5);
        assert!(t.is_reopening(date("2003-08-26"), false) && !t.is_reopening(date("2003-08-30"), false));
    }

    #[test]
    fn too_short_a_history_is_not_fitted() {
        let iv = IntervalMinutes::new(60).unwrap();
        let h = |n: usize| {
            let days: Vec<NaiveDate> = (0..n as i64).map(|k| date("2026-01-05") + chrono::Duration::days(k)).collect();
            History::from_offered(iv, days, Array2::from_shape_fn((n, 24), |(d, s)| ((d * 3 + s) % 7) as f64))
        };
        assert!(SvdBaseline::default().fit(&h(MIN_DAYS - 1)).is_none());
        assert!(SvdBaseline::default().fit(&h(MIN_DAYS)).is_some());
    }

    /// Mondays and days after a holiday carry 1.5× the calls of other days; the
    /// forecast for a Tuesday after a holiday must follow the Mondays.
    #[test]
    fn a_tuesday_after_a_holiday_is_forecast_at_monday_level() {
        let start = date("2003-03-03");
        let holidays = [date("2003-05-26"), date("2003-07-04")];
        let days: Vec<NaiveDate> = (0..175)
            .map(|k| start + chrono::Duration::days(k))
            .filter(|d| d.weekday().num_days_from_monday() < 5 && !holidays.contains(d))
            .collect();
        let per_day = IntervalMinutes::new(60).unwrap().per_day();
        let mut offered = Array2::from_elem((days.len(), per_day), f64::NAN);
        for (k, d) in days.iter().enumerate() {
            let after = k > 0 && (*d - days[k - 1]).num_days() > 1 && d.weekday() != chrono::Weekday::Mon;
            let level = if d.weekday() == chrono::Weekday::Mon || after { 150.0 } else { 100.0 };
            for s in 8..18 {
                // A fixed intraday shape with a little deterministic wobble.
                offered[[k, s]] = level * (1.0 + 0.1 * ((s as f64) - 12.5).abs() / 5.0) + ((k * 7 + s) % 5) as f64;
            }
        }
        let h = History::from_offered(IntervalMinutes::new(60).unwrap(), days, offered);
        let total = |m: &SvdBaseline, d: &str| -> f64 {
            m.fit(&h).unwrap().predict(&[date(d)]).mean.row(0).iter().filter(|v| !v.is_nan()).sum()
        };
        let on = SvdBaseline::default();
        let off = SvdBaseline { closure_effect: false, ..SvdBaseline::default() };
        // History ends Friday 2003-08-22; forecast Tuesday 08-26 as if Monday 08-25 were a holiday.
        assert_eq!(h.last_day(), Some(date("2003-08-22")));
        let plain = total(&on, "2003-08-26");
        let monday_level = total(&on, "2003-08-25");
        assert!((plain / monday_level - 1.0).abs() < 0.05, "after-holiday {plain} vs Monday {monday_level}");
        // Forecast with the Monday open too: the Tuesday is an ordinary one.
        let both = on.fit(&h).unwrap().predict(&[date("2003-08-25"), date("2003-08-26")]);
        let tuesday: f64 = both.mean.row(1).iter().filter(|v| !v.is_nan()).sum();
        assert!(tuesday < 0.8 * plain, "ordinary Tuesday {tuesday} vs after-holiday {plain}");
        let without = total(&off, "2003-08-26");
        assert!(without < 0.8 * plain, "without the effect {without} vs with {plain}");
    }
}
