//! The campaign-aware forecast of a period: history-only baseline plus the
//! extra calls of each line of the media plan, with prediction intervals.

use super::baseline::{DayTypes, FittedSvd, ScorePrior, SvdBaseline};
use super::campaign::{CampaignModel, ClosureSides, DayFeatures, LearnedCampaigns};
use super::count::count_interval;
use super::holidays::{CalendarEffects, DayEffect, HolidayModel};
use super::media::response::{daypart_of, ChannelResponse, DAYPARTS};
use super::media::uplift::{DayShapes, Uplift};
use crate::calendar::OpenCalendar;
use crate::error::Error;
use crate::ingest::media::MediaLine;
use crate::ingest::History;
use crate::series::CallSeries;
use crate::units::{CallsPerInterval, IntervalMinutes};
use chrono::{Datelike, Duration, NaiveDate, Timelike};
use ndarray::Array2;
use std::collections::BTreeMap;

/// Hyper-parameters of the forecaster.
///
/// The baseline of a forecast day is the low-rank model of
/// [`SvdBaseline`] fitted on the recent history with the campaign calls
/// removed; the day-level model of the campaign separation (weekday level ×
/// trend × season × intraday shape) fills in where that model has nothing to
/// say (a slot never open in the recent history, or too short a history).
/// Measured on the US bank series a week ahead (`ringcast backtest … --horizon-days 5`),
/// the day-level model alone scored RMSE 21.35, no better than the weekday
/// mean (21.02); the low-rank model 19.00.
#[derive(Debug, Clone)]
pub struct ForecastModel {
    pub campaign: CampaignModel,
    /// Same-weekday days (most recent) whose intraday shapes make next week's. Default 8, range 1..52.
    pub shape_days: usize,
    /// The low-rank baseline (its `trend` is set per forecast: see `trend_after_days`).
    pub baseline: SvdBaseline,
    /// Most recent days with data the low-rank baseline learns from. Default
    /// 300 (about a year of a six-day centre), range 7..10,000.
    pub baseline_days: usize,
    /// Forecasts reaching further than this many calendar days past the
    /// history use the low-rank baseline's trend: a drifting level matters
    /// weeks ahead, day-to-day persistence a few days ahead. Default 10.
    pub trend_after_days: i64,
    /// The fewest calendar days the recent history must span for any trend:
    /// a slope from four weeks is mostly noise, and extrapolated a month it
    /// slides the forecast (13% on four weeks of the Israeli bank's
    /// records). Default 56 (eight weeks), range 7..=3,650.
    pub min_trend_days: i64,
    /// The level of reopening days, eves and special days, learned from the
    /// whole history with a documented prior (see [`super::holidays`]);
    /// [`HolidayModel::disabled`] keeps the day-level model's closure terms.
    pub holidays: HolidayModel,
}

impl Default for ForecastModel {
    fn default() -> Self {
        Self {
            campaign: CampaignModel::default(),
            shape_days: 8,
            baseline: SvdBaseline { trend: false, ..SvdBaseline::default() },
            baseline_days: 300,
            trend_after_days: 10,
            min_trend_days: 56,
            holidays: HolidayModel::default(),
        }
    }
}

impl ForecastModel {
    /// The parameters, or the first out of its documented range.
    pub fn check(self) -> Result<Self, String> {
        let ranges = [
            ("shape_days", self.shape_days, 1, 52),
            ("baseline_days", self.baseline_days, 7, 10_000),
            ("min_trend_days", self.min_trend_days.max(0) as usize, 7, 3_650),
        ];
        for (name, v, lo, hi) in ranges {
            if !(lo..=hi).contains(&v) {
                return Err(format!("{name} = {v}: expected {lo} to {hi}"));
            }
        }
        Ok(Self { campaign: self.campaign.check()?, ..self })
    }
}

use super::media::assumed::{assumed_report, blend, AssumedResponse};
use super::media::fit::{ChannelReport, ResponseSource, SkippedChannel};

/// A fitted forecaster: only this can predict.
#[derive(Debug, Clone)]
pub struct FittedForecast {
    pub learned: LearnedCampaigns,
    pub interval: IntervalMinutes,
    /// Intraday shape per weekday (Monday first), from the recent history.
    weekday_shape: [Option<Vec<f64>>; 7],
    /// Negative-binomial size k (variance μ + μ²/k); `f64::INFINITY` = Poisson.
    pub dispersion_k: f64,
    /// The low-rank baseline on the recent campaign-free history, without and
    /// with trend; `None` when the history is too short for it.
    low_rank: Option<(FittedSvd, FittedSvd)>,
    trend_after_days: i64,
    /// Whether the history is long enough for a trend (see `min_trend_days`).
    trend_allowed: bool,
    /// Relative sd of each learned channel's extra calls in a future week, by
    /// the daypart a line airs in: the fit's own standard error and how far
    /// the history's campaign cells scatter beyond count noise (see
    /// [`response_misfit`]), added in quadrature.
    response_rel_sd: BTreeMap<String, [f64; DAYPARTS.len()]>,
    /// The levels of reopening days, eves and special days (`None` when the
    /// model's `holidays` is disabled).
    calendar_effects: Option<CalendarEffects>,
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
    /// Variance of the campaign calls from the learned responses' uncertainty
    /// (in the bands on top of the count noise), and of the calendar effects'.
    pub response_var: Array2<f64>,
    /// The forecast's days with a calendar effect (reopening day, eve,
    /// special day) and the factor each got.
    pub calendar_days: Vec<(NaiveDate, DayEffect)>,
}

impl Forecast {
    /// The expected calls as a typed series, one entry per interval of the
    /// period: a non-finite or negative value is an error of the forecast
    /// stage, never a silent 0.
    pub fn series(&self) -> Result<CallSeries, Error> {
        self.typed(&self.total, "expected calls")
    }

    /// The baseline (no campaigns) as a typed series.
    pub fn baseline_series(&self) -> Result<CallSeries, Error> {
        self.typed(&self.baseline, "baseline calls")
    }

    fn typed(&self, values: &Array2<f64>, what: &str) -> Result<CallSeries, Error> {
        let per_day = self.interval.per_day();
        let step = self.interval.get() as i64;
        let n = self.days.len() * per_day;
        let (mut starts, mut calls, mut open) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
        for (k, d) in self.days.iter().enumerate() {
            let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
            for s in 0..per_day {
                let start = midnight + Duration::minutes(s as i64 * step);
                let v = values[[k, s]];
                let c = CallsPerInterval::new(v).map_err(|_| Error::Internal {
                    stage: "forecast",
                    message: format!("{v} {what} at {}; expected a finite count >= 0", start.format("%Y-%m-%d %H:%M")),
                })?;
                starts.push(start);
                calls.push(c);
                open.push(self.open[[k, s]]);
            }
        }
        Ok(CallSeries { interval: self.interval.minutes(), starts, calls, open, handle: None, patience: None })
    }

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
        self.fit_on_calendar(history, past, None, None)
    }

    /// [`Self::fit`], with the calendar effects learned from `longer` (a
    /// history reaching further back than `history`, which it ends with: a
    /// backtest's window is only the baseline's) and `calendar`'s closed and
    /// special days.
    pub fn fit_on_calendar(
        &self,
        history: &History,
        past: &[MediaLine],
        longer: Option<&History>,
        calendar: Option<&OpenCalendar>,
    ) -> FittedForecast {
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
        let misfit = response_misfit(&history.offered, &mu, &learned.history_uplift, inv_k);
        let response_rel_sd = learned
            .fitted
            .relative_se
            .iter()
            .map(|(ch, rse)| (ch.clone(), rse.map(|r| (r * r + misfit).sqrt())))
            .collect();
        // The low-rank model learns from the campaign-free history with the
        // day-level model's trend and season divided out.
        let adjusted = &learned.adjusted;
        let n = adjusted.days.len();
        let mut recent = adjusted.rows(n.saturating_sub(self.baseline_days.max(7)), n);
        // A day after a closure that the low-rank model does not type as a
        // reopening day (a short Saturday after a Friday holiday) has the
        // day-level model's after-closure effect divided out too.
        let types = DayTypes::learn(&recent, self.baseline.closure_effect);
        let calendar_effects = self.holidays.enabled().then(|| {
            let whole = longer.map(|l| l.between(NaiveDate::MIN, first_day(adjusted)).followed_by(adjusted));
            CalendarEffects::learn(&self.holidays, whole.as_ref().unwrap_or(adjusted), &types, calendar)
        });
        let first = adjusted.days.first().copied().unwrap_or_default();
        let last = adjusted.days.last().copied().unwrap_or_default();
        let closed =
            |x: NaiveDate| learned.level.opens_on(x) && adjusted.day_index(x).is_none() && (first..=last).contains(&x);
        let factors: Vec<f64> = recent
            .days
            .iter()
            .map(|d| {
                let (prev, next) = (*d - Duration::days(1), *d + Duration::days(1));
                let prev_has_data = adjusted.day_index(prev).is_some();
                let sides = ClosureSides {
                    after: closed(prev) && !types.is_reopening(*d, prev_has_data),
                    before: closed(next),
                };
                match &calendar_effects {
                    Some(c) => {
                        let own = c.effect(*d, None).map_or(1.0, |e| e.factor);
                        learned.level.slow_factor(*d, ClosureSides::default(), &learned.level_coef) * own
                    }
                    None => learned.level.slow_factor(*d, sides, &learned.level_coef),
                }
            })
            .collect();
        for (k, f) in factors.iter().enumerate() {
            recent.offered.row_mut(k).mapv_inplace(|v| v / f);
        }
        let flat = SvdBaseline { trend: false, ..self.baseline.clone() };
        let trending = SvdBaseline { trend: true, ..self.baseline.clone() };
        let low_rank = flat.fit(&recent).zip(trending.fit(&recent));
        // The low-rank model's own one-step errors set the width of the intervals
        // when it makes the baseline.
        let inv_k = low_rank.as_ref().map_or(inv_k, |(f, _)| f.inverse_dispersion());
        FittedForecast {
            learned,
            interval: history.interval,
            weekday_shape,
            dispersion_k: if inv_k > 0.0 { 1.0 / inv_k } else { f64::INFINITY },
            low_rank,
            trend_after_days: self.trend_after_days,
            trend_allowed: recent_span_days(history, self.baseline_days) >= self.min_trend_days,
            response_rel_sd,
            calendar_effects,
        }
    }
}

/// The first day of `h` (a far-future date when empty, so that nothing is cut).
fn first_day(h: &History) -> NaiveDate {
    h.days.first().copied().unwrap_or(NaiveDate::MAX)
}

impl FittedForecast {
    /// The config's assumed responses: a channel the history did not teach
    /// takes its assumption, with the assumption's range in the bands; one it
    /// did is blended with it by their precisions (calls per GRP, or per
    /// 1,000, in the log scale), so that the data decides as lines accumulate.
    pub fn with_assumed(mut self, assumed: &BTreeMap<String, AssumedResponse>) -> FittedForecast {
        for (ch, a) in assumed {
            let fitted = &mut self.learned.fitted;
            let Some(resp) = fitted.responses.get_mut(ch) else {
                fitted.responses.insert(ch.clone(), a.response.clone());
                fitted.reports.push(assumed_report(ch, a));
                self.response_rel_sd.insert(ch.clone(), a.rel_sd_by_daypart());
                continue;
            };
            let Some(report) = fitted.reports.iter_mut().find(|r| &r.channel == ch) else { continue };
            let learned = match resp {
                ChannelResponse::Spot(_) => report.calls_per_grp.unwrap_or(0.0),
                ChannelResponse::Daily(_) => report.calls_per_1000,
            };
            let (factor, sd) = blend(learned, report.relative_se, a.per_unit, a.rel_sd);
            match resp {
                ChannelResponse::Spot(s) => s.scale *= factor,
                ChannelResponse::Daily(f) => f.scale *= factor,
            }
            report.calls_per_grp = report.calls_per_grp.map(|c| c * factor);
            report.calls_per_1000 *= factor;
            let shrink = if report.relative_se > 0.0 { sd / report.relative_se } else { 1.0 };
            report.relative_se = sd;
            report.source = ResponseSource::Blended;
            if let Some(r) = self.response_rel_sd.get_mut(ch) {
                r.iter_mut().for_each(|v| *v *= shrink);
            }
        }
        self
    }

    /// The intraday shape of each open day of `days` and of the four weeks
    /// after them, restricted to the calendar's open slots: what spreads a
    /// line's daily calls over the day. Carry-over runs past the period, so
    /// the following weeks have their shapes too, and those calls are not
    /// mistaken for calls while closed.
    pub fn day_shapes(&self, days: &[NaiveDate], calendar: &OpenCalendar) -> DayShapes {
        let mut shapes = DayShapes { interval: self.interval, by_day: BTreeMap::new() };
        let after = days.last().map(|last| (1..=28).map(move |i| *last + Duration::days(i)));
        for d in days.iter().copied().chain(after.into_iter().flatten()) {
            let Some(shape) = &self.weekday_shape[d.weekday().num_days_from_monday() as usize] else { continue };
            let flags = calendar.open_slots(d);
            let masked: Vec<f64> = shape.iter().zip(&flags).map(|(v, f)| if *f { *v } else { 0.0 }).collect();
            let kept: f64 = masked.iter().sum();
            if kept > 0.0 {
                shapes.by_day.insert(d, masked.iter().map(|v| v / kept).collect());
            }
        }
        shapes
    }

    /// The learned channel responses.
    /// What was learned of each channel (the fit report).
    pub fn channel_reports(&self) -> &[ChannelReport] {
        &self.learned.fitted.reports
    }

    /// The fit report of `channel`, where it was learned or assumed.
    pub fn channel_report(&self, channel: &str) -> Option<&ChannelReport> {
        self.channel_reports().iter().find(|r| r.channel == channel)
    }

    /// Channels of the past plans whose response was not learned, and why.
    pub fn skipped_channels(&self) -> &[SkippedChannel] {
        &self.learned.fitted.skipped
    }

    pub fn responses(&self) -> &BTreeMap<String, ChannelResponse> {
        &self.learned.fitted.responses
    }

    /// Forecast `days` under the centre's calendar and a media plan; a line
    /// whose channel has no response (learned or assumed) is refused, the
    /// first such named.
    pub fn predict(
        &self,
        days: &[NaiveDate],
        calendar: &OpenCalendar,
        plan: &[MediaLine],
    ) -> Result<Forecast, UnlearnedChannel> {
        if let Some(l) = unlearned_channels(self, plan).first() {
            return Err(UnlearnedChannel { channel: l.channel.clone(), row: l.row, id: l.id.clone() });
        }
        Ok(self.forecast_days(days, calendar, plan))
    }

    /// [`FittedForecast::predict`] once every line's channel has a response.
    fn forecast_days(&self, days: &[NaiveDate], calendar: &OpenCalendar, plan: &[MediaLine]) -> Forecast {
        let slots = self.interval.per_day();
        let n = days.len();
        let mut open = Array2::from_elem((n, slots), false);
        let mut baseline = Array2::zeros((n, slots));
        let feats = &self.learned.level;
        for (k, d) in days.iter().enumerate() {
            let flags = calendar.open_slots(*d);
            let Some(shape) = &self.weekday_shape[d.weekday().num_days_from_monday() as usize] else {
                continue;
            };
            if !flags.iter().any(|f| *f) {
                continue;
            }
            let (sides, factor) = match &self.calendar_effects {
                Some(c) => (ClosureSides::default(), c.effect(*d, Some(calendar)).map_or(1.0, |e| e.factor)),
                None => (closure_sides(feats, calendar, *d), 1.0),
            };
            let level: f64 = factor
                * feats.row(*d, sides).iter().zip(&self.learned.level_coef).map(|(a, b)| a * b).sum::<f64>().max(0.0);
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
        }
        self.low_rank_baseline(days, calendar, &open, &mut baseline);
        let shapes = self.day_shapes(days, calendar);
        let lines = Uplift::compute(plan, self.responses(), &shapes);
        let mut uplift: BTreeMap<String, Array2<f64>> = BTreeMap::new();
        for ch in plan.iter().map(|l| l.channel.clone()) {
            uplift.entry(ch).or_insert_with(|| Array2::zeros((n, slots)));
        }
        // A channel's response error is shared by its lines: their sds add up
        // within a channel, channels add in variance.
        let mut response_sd = uplift.clone();
        response_sd.values_mut().for_each(|g| g.fill(0.0));
        let idx: BTreeMap<NaiveDate, usize> = days.iter().enumerate().map(|(k, d)| (*d, k)).collect();
        for lu in &lines.lines {
            let line = &plan[lu.line];
            let g = uplift.get_mut(&line.channel).expect("channel inserted above");
            let sd = response_sd.get_mut(&line.channel).expect("channel inserted above");
            let rel = self.response_rel_sd.get(&line.channel).map_or(0.0, |r| r[daypart_of(line.start.hour())]);
            for &(d, s, v) in &lu.cells {
                if let Some(&k) = idx.get(&d) {
                    g[[k, s]] += v;
                    sd[[k, s]] += rel * v;
                }
            }
        }
        let mut response_var = response_sd.values().fold(Array2::zeros((n, slots)), |a, g| a + g.mapv(|v| v * v));
        let calendar_days = self.calendar_days(days, calendar);
        add_calendar_variance(&mut response_var, &baseline, days, &calendar_days);
        let total = uplift.values().fold(baseline.clone(), |a, u| a + u);
        let k = self.dispersion_k;
        // Where the low-rank model made the baseline, its per-slot error in the
        // square-root scale gives the band (calibrated out of sample by the
        // fit, `SvdBaseline::band_scale`: on the US bank series 80% / 95% hold
        // 81.4% / 94.9% one day ahead); elsewhere the
        // negative binomial of the day-level model.
        let sigma = |s: usize, level: f64| self.low_rank.as_ref().and_then(|(f, _)| f.slot_sigma(s, level));
        // The learned responses are uncertain too: their variance adds to the count's.
        let bound = |level: f64, upper: bool| {
            Array2::from_shape_fn(total.raw_dim(), |(d, s)| {
                let sig = sigma(s, level).filter(|_| open[[d, s]]);
                let (lo, hi) = count_interval(total[[d, s]], sig, k, response_var[[d, s]], level);
                if upper {
                    hi
                } else {
                    lo
                }
            })
        };
        let (lo80, hi80, lo95, hi95) = (bound(0.8, false), bound(0.8, true), bound(0.95, false), bound(0.95, true));
        Forecast {
            interval: self.interval,
            days: days.to_vec(),
            open,
            lo80,
            hi80,
            lo95,
            hi95,
            baseline,
            uplift,
            lines,
            total,
            dispersion_k: k,
            response_var,
            calendar_days,
        }
    }
}

/// The uncertainty of a calendar effect's level, in the variance of its
/// day's baseline: a level learned from few examples widens the band.
fn add_calendar_variance(
    var: &mut Array2<f64>,
    baseline: &Array2<f64>,
    days: &[NaiveDate],
    effects: &[(NaiveDate, DayEffect)],
) {
    for (d, e) in effects {
        let Some(k) = days.iter().position(|x| x == d) else { continue };
        for s in 0..var.ncols() {
            var[[k, s]] += (e.sd * baseline[[k, s]]).powi(2);
        }
    }
}

/// Calendar days spanned by the most recent `days` days with data.
fn recent_span_days(history: &History, days: usize) -> i64 {
    let n = history.days.len();
    match (history.days.get(n.saturating_sub(days.max(1))), history.days.last()) {
        (Some(a), Some(b)) => (*b - *a).num_days() + 1,
        _ => 0,
    }
}

/// Relative variance of campaign calls beyond count noise, pooled over the
/// history cells where campaigns add at least 10% to the baseline: by moments,
/// Σ (r² − count variance) / Σ uplift², with r the in-sample residual. It
/// catches what the fit's standard errors do not: lines that respond more or
/// less than their channel, and a response shape that is only approximately
/// right. 0 where the cells scatter no more than counts do.
fn response_misfit(observed: &Array2<f64>, expected: &Array2<f64>, uplift: &Array2<f64>, inv_k: f64) -> f64 {
    let (mut excess, mut u2) = (0.0, 0.0);
    for ((y, m), u) in observed.iter().zip(expected.iter()).zip(uplift.iter()) {
        if y.is_nan() || !(*m > 0.0) || *u < 0.1 * (m - u) {
            continue;
        }
        excess += (y - m).powi(2) - (m + inv_k * m * m);
        u2 += u * u;
    }
    if u2 > 0.0 {
        (excess / u2).max(0.0)
    } else {
        0.0
    }
}

impl FittedForecast {
    /// Replace the day-level baseline of the open days by the low-rank model's
    /// forecast wherever it has one.
    fn low_rank_baseline(
        &self,
        days: &[NaiveDate],
        calendar: &OpenCalendar,
        open: &Array2<bool>,
        baseline: &mut Array2<f64>,
    ) {
        let Some((model, open_days)) = self.low_rank_for(days, open) else { return };
        let dates: Vec<NaiveDate> = open_days.iter().map(|&k| days[k]).collect();
        let f = model.predict(&dates);
        for (i, &k) in open_days.iter().enumerate() {
            let slow = self.slow_factor_of(model, &dates, i, calendar);
            for s in 0..baseline.ncols() {
                let v = f.mean[[i, s]] * slow;
                if open[[k, s]] && !v.is_nan() {
                    baseline[[k, s]] = v;
                }
            }
        }
    }

    /// The low-rank model a forecast of `days` uses (with trend when it reaches
    /// far), and the indices of the open days it forecasts.
    fn low_rank_for(&self, days: &[NaiveDate], open: &Array2<bool>) -> Option<(&FittedSvd, Vec<usize>)> {
        let (flat, trending) = self.low_rank.as_ref()?;
        let open_days: Vec<usize> = (0..days.len()).filter(|&k| open.row(k).iter().any(|o| *o)).collect();
        let last = *open_days.last()?;
        let reach = (days[last] - flat.last_day()).num_days();
        Some((if reach > self.trend_after_days && self.trend_allowed { trending } else { flat }, open_days))
    }

    /// Whether (and from how far ahead) the baseline extrapolates a trend, in words.
    pub fn trend_note(&self) -> String {
        match (&self.low_rank, self.trend_allowed) {
            (None, _) => "the day-level model's (a trend only from a year of history)".into(),
            (Some(_), false) => "none: the history is too short to tell a trend from noise (under eight weeks)".into(),
            (Some(_), true) => format!(
                "the low-rank baseline's, in forecasts reaching more than {} days past the history",
                self.trend_after_days
            ),
        }
    }

    /// The day-level model's slow factor (trend, season, closures) of
    /// `dates[i]`, which the low-rank curve is multiplied by.
    fn slow_factor_of(&self, model: &FittedSvd, dates: &[NaiveDate], i: usize, calendar: &OpenCalendar) -> f64 {
        let (d, prev) = (dates[i], dates[i] - Duration::days(1));
        let prev_has_data = if prev <= model.last_day() {
            self.learned.adjusted.day_index(prev).is_some()
        } else {
            dates[..i].contains(&prev)
        };
        if let Some(c) = &self.calendar_effects {
            let own = c.effect(d, Some(calendar)).map_or(1.0, |e| e.factor);
            return self.learned.level.slow_factor(d, ClosureSides::default(), &self.learned.level_coef) * own;
        }
        let mut sides = closure_sides(&self.learned.level, calendar, d);
        sides.after &= !model.day_types().is_reopening(d, prev_has_data);
        self.learned.level.slow_factor(d, sides, &self.learned.level_coef)
    }

    /// The calendar effects learned (`None` when the model's `holidays` is disabled).
    pub fn calendar_effects(&self) -> Option<&CalendarEffects> {
        self.calendar_effects.as_ref()
    }

    /// Each kind's level in words, one line each (the fit report's): the
    /// prior, the factor over it, and how many past days it was learned from.
    pub fn calendar_notes(&self) -> Vec<String> {
        let Some(c) = &self.calendar_effects else {
            return vec!["the day-level model's closure terms (calendar effects off)".into()];
        };
        c.levels()
            .iter()
            .map(|l| {
                let seen = match l.observed {
                    Some(o) => format!("{} example(s) at ×{:.3} their weekday's calls", l.examples, o.exp()),
                    None => "no example in the history".into(),
                };
                // At a prior of 1: an eve, a special day, a reopening busiest weekday.
                let (log, sd, learned) = l.used(0.0);
                let at = if l.kind == super::holidays::DayKind::Reopening { " on the busiest weekday" } else { "" };
                format!(
                    "{}: {seen}; prior {}; used ×{:.3}{at} (sd {sd:.3} in the log), {}",
                    l.kind.name(),
                    l.kind.prior_words(),
                    log.exp(),
                    l.source(learned)
                )
            })
            .collect()
    }

    /// The open days of `days` with a calendar effect, and the effect.
    fn calendar_days(&self, days: &[NaiveDate], calendar: &OpenCalendar) -> Vec<(NaiveDate, DayEffect)> {
        let Some(c) = &self.calendar_effects else { return vec![] };
        days.iter()
            .filter(|d| calendar.is_open_day(**d))
            .filter_map(|d| c.effect(*d, Some(calendar)).map(|e| (*d, e)))
            .collect()
    }

    /// What the intraday update of day `k` of `fc` (made by [`Self::predict`])
    /// starts from: the low-rank model behind its baseline, the day's score
    /// prior and slow factor; `None` where the day-level model made it.
    pub fn low_rank_day(&self, fc: &Forecast, calendar: &OpenCalendar, k: usize) -> Option<LowRankDay<'_>> {
        let (model, open_days) = self.low_rank_for(&fc.days, &fc.open)?;
        let dates: Vec<NaiveDate> = open_days.iter().map(|&k| fc.days[k]).collect();
        let i = open_days.iter().position(|&x| x == k)?;
        Some(LowRankDay {
            model,
            prior: model.score_prior(&dates, i),
            slow: self.slow_factor_of(model, &dates, i, calendar),
        })
    }
}

/// See [`FittedForecast::low_rank_day`].
pub struct LowRankDay<'a> {
    pub model: &'a FittedSvd,
    pub prior: ScorePrior,
    /// The day-level factor the low-rank curve is multiplied by.
    pub slow: f64,
}

/// The closures around a day to forecast: from the calendar, which lists the
/// planned holidays (`closed_dates`) and the regular closed weekdays. The
/// before-a-closure effect only where the history shows it clearly.
fn closure_sides(feats: &DayFeatures, calendar: &OpenCalendar, d: NaiveDate) -> ClosureSides {
    let closed = |x: NaiveDate| !calendar.is_open_day(x) && feats.opens_on(x);
    ClosureSides {
        after: closed(d - Duration::days(1)),
        before: feats.before_closure_clear() && closed(d + Duration::days(1)),
    }
}

/// A plan line whose channel the fitted model has no response for.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {id} (row {row}): no response learned for channel '{channel}'")]
pub struct UnlearnedChannel {
    pub channel: String,
    /// The line's row in its file, as a spreadsheet shows it.
    pub row: usize,
    pub id: String,
}

/// Channels of `plan` that the fitted model has no response for.
pub fn unlearned_channels<'a>(fitted: &FittedForecast, plan: &'a [MediaLine]) -> Vec<&'a MediaLine> {
    plan.iter().filter(|l| !fitted.responses().contains_key(&l.channel)).collect()
}

#[cfg(test)]
mod recovery {
    use super::held_out::forecast_last_week;
    use crate::synth::SynthOptions;
    use chrono::NaiveDate;

    /// Forecast a held-out week of generated data with campaigns: the WAPE over
    /// campaign days is within 1.1× that of forecasting with the true parameters.
    #[test]
    fn campaign_week_wape_is_close_to_the_true_model() {
        for seed in [11, 12, 13] {
            // 105 weeks; the last one is held out.
            let w =
                forecast_last_week(&SynthOptions::sample(seed, 105, NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(), 5));
            let (h, fc) = (&w.history, &w.forecast);
            let true_fc = &w.true_base + &w.true_up;
            let (mut e_model, mut e_true, mut total) = (0.0, 0.0, 0.0);
            for (k, d) in w.days.iter().enumerate() {
                let Some(row) = h.day_index(*d) else { continue };
                if w.true_up.row(k).sum() < 1.0 {
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
mod held_out {
    use super::*;
    use crate::calendar::week_days;
    use crate::ingest::history::load_history;
    use crate::ingest::media::load_media_plan;
    use crate::settings::Settings;
    use crate::synth::{sample_in_tempdir_with, sample_shape, true_baseline, SynthOptions};

    /// Counts over a held-out week: cells, cells inside the 80% / 95% bands,
    /// the same where the true uplift is at least 10% of the true baseline,
    /// and absolute errors of the model and of the true rates.
    #[derive(Debug, Default, Clone, Copy)]
    struct Held {
        n: f64,
        in80: f64,
        in95: f64,
        big: f64,
        big80: f64,
        big95: f64,
        err_model: f64,
        err_true: f64,
        calls: f64,
    }

    impl std::ops::AddAssign for Held {
        fn add_assign(&mut self, o: Held) {
            self.n += o.n;
            self.in80 += o.in80;
            self.in95 += o.in95;
            self.big += o.big;
            self.big80 += o.big80;
            self.big95 += o.big95;
            self.err_model += o.err_model;
            self.err_true += o.err_true;
            self.calls += o.calls;
        }
    }

    /// A generated centre's last week forecast from the weeks before it (the
    /// lines that can still bring calls into it in its plan), with the true
    /// baseline and campaign calls of that week.
    pub(super) struct HeldOutWeek {
        pub days: Vec<NaiveDate>,
        pub history: History,
        pub forecast: Forecast,
        pub true_base: Array2<f64>,
        pub true_up: Array2<f64>,
        pub fitted: FittedForecast,
        pub truth: crate::synth::GroundTruth,
        /// The past lines the fit learned from.
        pub past: Vec<MediaLine>,
    }

    pub(super) fn forecast_last_week(options: &SynthOptions) -> HeldOutWeek {
        forecast_last_week_with(options, &ForecastModel::default())
    }

    /// [`forecast_last_week`] with this model.
    pub(super) fn forecast_last_week_with(options: &SynthOptions, model: &ForecastModel) -> HeldOutWeek {
        let (dir, sample) = sample_in_tempdir_with(options);
        let settings = Settings::load(&dir.path().join("centre.toml")).unwrap();
        let cal = settings.calendar.clone();
        let h = load_history(&dir.path().join("history.csv")).unwrap();
        let lines = load_media_plan(&dir.path().join("media_history.csv"), &settings.channels).unwrap().lines;
        let week = options.week - Duration::days(7);
        let days = week_days(week);
        let train = h.between(h.days[0], week);
        let past: Vec<MediaLine> = lines.iter().filter(|l| l.start.date() < week).cloned().collect();
        // Lines that can still bring calls into the week (carry-over included).
        let plan: Vec<MediaLine> =
            lines.iter().filter(|l| l.start.date() >= week - Duration::days(28)).cloned().collect();
        let fitted = model.fit(&train, &past);
        let forecast = fitted.predict(&days, &cal, &plan).unwrap();
        let shapes = DayShapes {
            interval: h.interval,
            by_day: (0..60)
                .map(|i| week - Duration::days(35) + Duration::days(i))
                .filter(|d| cal.is_open_day(*d))
                .filter_map(|d| sample_shape(d.weekday()).map(|s| (d, s)))
                .collect(),
        };
        let true_up = crate::synth::true_uplift(&plan, &sample.truth.responses, &sample.truth.station_effects, &shapes)
            .grid(&days, h.slots_per_day());
        let true_base = true_baseline(&days, sample.truth.history_from);
        HeldOutWeek { days, history: h, forecast, true_base, true_up, fitted, truth: sample.truth, past }
    }

    /// Fit on all but the last week of a generated centre and score that week.
    fn held_out_week(options: &SynthOptions) -> Held {
        score_week(&forecast_last_week(options))
    }

    /// Score a held-out week's forecast against its calls and true rates.
    fn score_week(w: &HeldOutWeek) -> Held {
        let (h, fc, days, true_up, true_base) = (&w.history, &w.forecast, &w.days, &w.true_up, &w.true_base);
        let mut out = Held::default();
        for (k, d) in days.iter().enumerate() {
            let Some(row) = h.day_index(*d) else { continue };
            for s in (0..h.slots_per_day()).filter(|&s| fc.open[[k, s]]) {
                let y = h.offered[[row, s]];
                if y.is_nan() {
                    continue;
                }
                let in80 = f64::from(u8::from((fc.lo80[[k, s]]..=fc.hi80[[k, s]]).contains(&y)));
                let in95 = f64::from(u8::from((fc.lo95[[k, s]]..=fc.hi95[[k, s]]).contains(&y)));
                let big = f64::from(u8::from(true_up[[k, s]] >= 0.1 * true_base[[k, s]]));
                out += Held {
                    n: 1.0,
                    in80,
                    in95,
                    big,
                    big80: big * in80,
                    big95: big * in95,
                    err_model: (y - fc.total[[k, s]]).abs(),
                    err_true: (y - true_base[[k, s]] - true_up[[k, s]]).abs(),
                    calls: y,
                };
            }
        }
        out
    }

    /// The issue-33 scenario: ~150 past TV spots (37% aired 19:00–21:59, those
    /// at 1.3× the calls per GRP, same GRPs), ITV1 spots 1.25× and Channel 5
    /// spots 0.8× their channel, emails with a gamma send-day delay (shape 2,
    /// mean 100 minutes), retargeting with a Weibull carry-over (shape 2,
    /// scale 2 days); the last of 105 weeks held out.
    fn scenario_33(seed: u64) -> SynthOptions {
        let week = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        SynthOptions {
            tv_spots: Some(150),
            tv_evening_share: Some(56.0 / 150.0),
            tv_evening_factor: Some(1.3),
            station_effects: [("ITV1".to_string(), 1.25), ("Channel 5".to_string(), 0.8)].into_iter().collect(),
            email_send_gamma: Some((2.0, 100.0)),
            retargeting_weibull: Some((2.0, 2.0)),
            ..SynthOptions::sample(seed, 105, week, 5)
        }
    }

    /// The issue-33 targets on one held-out scenario.
    #[derive(Debug, Clone, Copy)]
    struct Scorecard {
        /// Learned over true calls of 5-GRP TV spots at every station, aired
        /// at 19, 20, 21 h (evening) and 08..=18 h (others).
        pub evening: f64,
        pub others: f64,
        /// The same per station of the scenario's effects (ITV1, Channel 5).
        pub itv1: f64,
        pub channel5: f64,
        /// Email send-day calls per interval over the past emails: WAPE of the
        /// learned response against the truth.
        pub email_wape: f64,
        /// Learned over true share of a day's retargeting calls on the day itself.
        pub same_day: f64,
        pub held: Held,
    }

    fn scorecard(w: &HeldOutWeek) -> Scorecard {
        use super::super::media::response::{FlightResponse, SpotResponse};
        use crate::config::ChannelKind;
        let responses = w.fitted.responses();
        let truth = &w.truth.responses;
        let shapes = &w.fitted.learned.shapes;
        let (Some(ChannelResponse::Spot(tv)), Some(ChannelResponse::Spot(tv_true))) =
            (responses.get("tv"), truth.get("tv"))
        else {
            panic!("tv learned as a spot response")
        };
        let effect = |st: &str| w.truth.station_effects.get(st).copied().unwrap_or(1.0);
        let tv_ratio = |hours: &[u32], stations: &[&str]| {
            // The truth's station effects act on its lines (synth::true_uplift).
            let sum = |r: &SpotResponse, with_effect: bool| -> f64 {
                stations
                    .iter()
                    .flat_map(|st| hours.iter().map(move |h| (st, h)))
                    .map(|(st, h)| r.calls_at(5.0, *h, st) * if with_effect { effect(st) } else { 1.0 })
                    .sum()
            };
            sum(tv, false) / sum(tv_true, true)
        };
        let stations = ["ITV1", "Channel 4", "Sky One", "Channel 5"];
        let evening: Vec<u32> = (19..22).collect();
        let others: Vec<u32> = (8..19).collect();
        let all_hours: Vec<u32> = (8..22).collect();
        let flight = |name: &str| match (responses.get(name), truth.get(name)) {
            (Some(ChannelResponse::Daily(a)), Some(ChannelResponse::Daily(b))) => (*a, *b),
            _ => panic!("{name} learned as a daily response"),
        };
        // Email send-day calls per interval, pooled over the past emails.
        let (email, email_true) = flight("email");
        let (mut err, mut total) = (0.0, 0.0);
        for l in w.past.iter().filter(|l| l.channel == "email") {
            let send = l.start.date();
            let cells = |r: &FlightResponse| -> BTreeMap<usize, f64> {
                super::super::media::uplift::daily(l, r, shapes, true)
                    .cells
                    .iter()
                    .filter(|c| c.0 == send)
                    .map(|c| (c.1, c.2))
                    .collect()
            };
            let (g, t) = (cells(&email), cells(&email_true));
            for s in g.keys().chain(t.keys()).collect::<std::collections::BTreeSet<_>>() {
                err += (g.get(s).copied().unwrap_or(0.0) - t.get(s).copied().unwrap_or(0.0)).abs();
                total += t.get(s).copied().unwrap_or(0.0);
            }
        }
        // One day's retargeting spend on a Tuesday in the history.
        let (rt, rt_true) = flight("retargeting");
        let mut line = w.past.iter().find(|l| l.channel == "retargeting").expect("retargeting lines").clone();
        line.kind = ChannelKind::Flight;
        line.start = NaiveDate::from_ymd_opt(2026, 10, 6).unwrap().and_hms_opt(0, 0, 0).unwrap();
        line.end = Some(line.start + Duration::hours(23));
        line.spend = 1000.0;
        let same_day = |r: &FlightResponse| {
            let u = super::super::media::uplift::daily(&line, r, shapes, false);
            let day: f64 = u.cells.iter().filter(|c| c.0 == line.start.date()).map(|c| c.2).sum();
            day / u.total().max(1e-9)
        };
        Scorecard {
            evening: tv_ratio(&evening, &stations),
            others: tv_ratio(&others, &stations),
            itv1: tv_ratio(&all_hours, &["ITV1"]),
            channel5: tv_ratio(&all_hours, &["Channel 5"]),
            email_wape: err / total.max(1e-9),
            same_day: same_day(&rt) / same_day(&rt_true),
            held: score_week(w),
        }
    }

    /// The issue-33 scorecard on seeds 1–3 (run with `cargo test --release
    /// --lib scorecard_33 -- --ignored --nocapture`): evening and other TV
    /// spots' learned / true calls (target 0.92–1.08 each), per station,
    /// email send-day WAPE (target ≤ 0.30), retargeting same-day share
    /// ratio (target 0.8–1.25), forecast WAPE / the true rates' (≤ 1.03) and
    /// 80% / 95% coverage of the held-out week. Prints; asserts nothing but
    /// that the scenario has the TV spots it describes.
    #[test]
    #[ignore]
    fn scorecard_33() {
        // SCORECARD_MODEL=before: the model as it was before issue 33's
        // changes (each is a switch of the model).
        let mut model = ForecastModel::default();
        if std::env::var("SCORECARD_MODEL").as_deref() == Ok("before") {
            model.campaign.media.stations = false;
            model.campaign.media.pooled_variance = crate::forecast::media::fit::PooledVariance::DerSimonianLaird;
            eprintln!("the model before issue 33");
        }
        if std::env::var("SCORECARD_MODEL").as_deref() == Ok("parametric") {
            model.campaign.media.free_lags = false;
            eprintln!("parametric lag shapes");
        }
        if std::env::var("SCORECARD_MODEL").as_deref() == Ok("reml") {
            model.campaign.media.pooled_variance = crate::forecast::media::fit::PooledVariance::Reml;
            eprintln!("REML pooling");
        }
        if std::env::var("SCORECARD_MODEL").as_deref() == Ok("dl") {
            model.campaign.media.pooled_variance = crate::forecast::media::fit::PooledVariance::DerSimonianLaird;
            eprintln!("DerSimonian-Laird pooling");
        }
        // SCORECARD_SEEDS=1,2,...: other scenarios than seeds 1-3.
        let seeds: Vec<u64> = std::env::var("SCORECARD_SEEDS")
            .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
            .unwrap_or_else(|_| vec![1, 2, 3]);
        for seed in seeds {
            let w = forecast_last_week_with(&scenario_33(seed), &model);
            let tv: Vec<&MediaLine> = w.past.iter().filter(|l| l.channel == "tv").collect();
            let prime = tv.iter().filter(|l| (19..22).contains(&l.start.hour())).count();
            let mean_grps = |keep: &dyn Fn(u32) -> bool| {
                let g: Vec<f64> = tv.iter().filter(|l| keep(l.start.hour())).filter_map(|l| l.grps).collect();
                g.iter().sum::<f64>() / g.len().max(1) as f64
            };
            assert!((120..=180).contains(&tv.len()) && (35..=80).contains(&prime), "{} spots, {prime} prime", tv.len());
            let c = scorecard(&w);
            let h = c.held;
            let report = w.fitted.learned.fitted.reports.iter().find(|r| r.channel == "tv").unwrap();
            eprintln!(
                "seed {seed}: {} TV spots, {prime} at 19-22 (GRPs {:.2} vs {:.2}); dayparts {:?}",
                tv.len(),
                mean_grps(&|h| (19..22).contains(&h)),
                mean_grps(&|h| !(19..22).contains(&h)),
                report
                    .dayparts
                    .iter()
                    .map(|d| (d.daypart, d.spots, (d.factor * 100.0).round() / 100.0))
                    .collect::<Vec<_>>()
            );
            eprintln!(
                "seed {seed}: TV evening {:.3}x others {:.3}x truth; ITV1 {:.3}x Channel 5 {:.3}x; email send-day WAPE {:.3}; \
                 retargeting same-day share {:.3}x; forecast WAPE {:.4} / true {:.4} = {:.4}x; cover {:.3} / {:.3}, uplift >= 10%: {:.3} / {:.3}",
                c.evening,
                c.others,
                c.itv1,
                c.channel5,
                c.email_wape,
                c.same_day,
                h.err_model / h.calls,
                h.err_true / h.calls,
                h.err_model / h.err_true,
                h.in80 / h.n,
                h.in95 / h.n,
                h.big80 / h.big.max(1.0),
                h.big95 / h.big.max(1.0)
            );
        }
    }

    /// Campaign cells that scatter by 30% of their uplift beyond Poisson noise
    /// give a misfit near 0.3²; cells that scatter as counts give 0.
    #[test]
    fn response_misfit_measures_scatter_beyond_counts() {
        use rand::SeedableRng;
        use rand_distr::{Distribution, Normal, Poisson};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let n = 20_000;
        let base = Array2::from_elem((1, n), 40.0);
        let uplift = Array2::from_elem((1, n), 60.0);
        let expected = &base + &uplift;
        let draw = |sd: f64, rng: &mut rand_chacha::ChaCha8Rng| {
            Array2::from_shape_fn((1, n), |_| {
                let u = 60.0 * (1.0 + Normal::new(0.0, sd).unwrap().sample(&mut *rng)).max(0.0);
                Poisson::new(40.0 + u + 1e-9).unwrap().sample(&mut *rng)
            })
        };
        let noisy = response_misfit(&draw(0.3, &mut rng), &expected, &uplift, 0.0);
        let plain = response_misfit(&draw(0.0, &mut rng), &expected, &uplift, 0.0);
        assert!((noisy - 0.09).abs() < 0.01, "{noisy}");
        assert!(plain < 0.005, "{plain}");
    }

    /// Held-out weeks of generated centres with each media behaviour (lines
    /// responding ±30% around their channel,
    /// email peaking 90 min after the send, retargeting peaking a day after,
    /// evening TV 1.3×): 80% / 95% bands cover 0.77–0.83 / 0.93–0.97, overall
    /// and where the campaigns add at least 10% to the baseline; the forecast's
    /// WAPE is at most 1.03× that of the true rates.
    #[test]
    fn bands_hold_where_campaigns_dominate() {
        let week = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let mut all = Held::default();
        for seed in 31..=38u64 {
            let base = SynthOptions::sample(seed, 105, week, 5);
            let options = match seed % 4 {
                0 => SynthOptions { line_response_sd: Some(0.3), ..base },
                1 => SynthOptions { email_peak_minutes: Some(90.0), ..base },
                2 => SynthOptions { retargeting_delay_days: Some(1.0), ..base },
                _ => SynthOptions { tv_evening_factor: Some(1.3), ..base },
            };
            let h = held_out_week(&options);
            eprintln!(
                "seed {seed}: cover {:.3} / {:.3}, uplift ≥ 10%: {:.3} / {:.3} ({} cells), WAPE {:.4} vs true {:.4}",
                h.in80 / h.n,
                h.in95 / h.n,
                h.big80 / h.big,
                h.big95 / h.big,
                h.big,
                h.err_model / h.calls,
                h.err_true / h.calls
            );
            all += h;
        }
        let (c80, c95, b80, b95) = (all.in80 / all.n, all.in95 / all.n, all.big80 / all.big, all.big95 / all.big);
        let ratio = all.err_model / all.err_true;
        eprintln!(
            "pooled: cover {c80:.3} / {c95:.3}; uplift ≥ 10%: {b80:.3} / {b95:.3} ({} of {} cells); WAPE ratio {ratio:.3}",
            all.big, all.n
        );
        assert!((0.77..=0.83).contains(&c80) && (0.93..=0.97).contains(&c95), "{c80} {c95}");
        assert!((0.77..=0.83).contains(&b80) && (0.93..=0.97).contains(&b95), "{b80} {b95}");
        assert!(ratio <= 1.03, "WAPE ratio {ratio}");
    }
}

#[cfg(test)]
mod contract {
    use super::*;
    use crate::calendar::week_days;
    use crate::ingest::history::load_history;
    use crate::ingest::media::load_media_plan;
    use crate::settings::Settings;
    use std::path::Path;

    /// A plan line of a channel the model has no response for is refused by
    /// `predict` itself, named by its row and id; without it the forecast
    /// is made.
    #[test]
    fn predict_refuses_a_line_of_an_unlearned_channel() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        let settings = Settings::load(&data.join("centre.toml")).unwrap();
        let h = load_history(&data.join("history.csv")).unwrap();
        let past = load_media_plan(&data.join("media_history.csv"), &settings.channels).unwrap().lines;
        let mut plan = load_media_plan(&data.join("media_plan_next_week.csv"), &settings.channels).unwrap().lines;
        let fitted = ForecastModel::default().fit(&h, &past);
        let days =
            week_days(plan[0].start.date() - Duration::days(plan[0].start.weekday().num_days_from_monday() as i64));
        assert!(fitted.predict(&days, &settings.calendar, &plan).is_ok());
        plan[1].channel = "podcast".into();
        let e = fitted.predict(&days, &settings.calendar, &plan).unwrap_err();
        assert_eq!((e.channel.as_str(), e.row, e.id.as_str()), ("podcast", plan[1].row, plan[1].id.as_str()));
        assert!(e.to_string().contains("no response learned for channel 'podcast'"), "{e}");
    }
}

#[cfg(test)]
mod season {
    use super::*;
    use crate::calendar::week_days;
    use crate::ingest::history::load_history;
    use crate::ingest::media::load_media_plan;
    use crate::settings::Settings;
    use crate::synth::true_baseline;
    use std::path::Path;

    /// The bundled sample's forecast of the week from `monday` with no media
    /// plan, and the generator's true baseline of that week.
    fn baseline_and_truth(monday: NaiveDate) -> (Vec<NaiveDate>, Forecast, Array2<f64>) {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        let cfg_path = data.join("centre.toml");
        let settings = Settings::load(&cfg_path).unwrap();
        let cal = settings.calendar.clone();
        let h = load_history(&data.join("history.csv")).unwrap();
        let past = load_media_plan(&data.join("media_history.csv"), &settings.channels).unwrap().lines;
        let days = week_days(monday);
        let fc = ForecastModel::default().fit(&h, &past).predict(&days, &cal, &[]).unwrap();
        let truth = true_baseline(&days, h.days[0]);
        (days, fc, truth)
    }

    /// The bundled sample's planning week lies on the rising side of a ±12%
    /// annual season: the baseline must carry the season (a low-rank model of
    /// the last 300 days alone came out 1.6% low for the week) and match the
    /// generator's truth day by day.
    #[test]
    fn the_planning_week_baseline_follows_the_true_season() {
        let (days, fc, truth) = baseline_and_truth(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        let (mut got, mut want) = (0.0, 0.0);
        for (k, d) in days.iter().enumerate() {
            let (g, w) = (fc.baseline.row(k).sum(), truth.row(k).sum());
            eprintln!("{d}: baseline {g:.0}, truth {w:.0}");
            assert!((g - w).abs() <= 0.03 * w.max(1.0), "{d}: {g} vs {w}");
            got += g;
            want += w;
        }
        assert!((got / want - 1.0).abs() < 0.01, "week {got} vs {want}");
    }

    /// The week after Christmas 2026: Monday 28 (Boxing Day's substitute) and
    /// Friday 1 January closed. The Tuesday after is modelled as a Monday, the
    /// short Saturday after New Year's Day stays a Saturday with the day-level
    /// model's after-closure effect (it came out as a full Monday, +58%, before).
    #[test]
    fn days_after_holidays_in_the_planning_week() {
        let (days, fc, truth) = baseline_and_truth(NaiveDate::from_ymd_opt(2026, 12, 28).unwrap());
        for (k, tolerance) in [(0, 0.0), (1, 0.10), (2, 0.05), (3, 0.05), (4, 0.0), (5, 0.05)] {
            let (g, w) = (fc.baseline.row(k).sum(), truth.row(k).sum());
            eprintln!("{}: baseline {g:.0}, truth {w:.0}", days[k]);
            assert!((g - w).abs() <= tolerance * w + 1e-9, "{}: {g} vs {w}", days[k]);
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
        let cfg = CentreConfig::from_toml(
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
        let fc = fitted.predict(&[thu, day], &cal, &[]).unwrap();
        for s in 8..12 {
            assert!(!fc.open[[1, s]] && fc.total[[1, s]] == 0.0, "slot {s} of the 23-hour day");
        }
        assert!(fc.open[[1, 12]] && fc.open[[1, 7]], "01:45 and 03:00 exist");
        assert!(fc.open[[0, 8]], "Thursday has its 02:00");
        assert!(fc.total.row(1).sum() > 0.0 && fc.total.row(0).sum() > 0.0);
    }

    #[test]
    fn a_non_finite_forecast_is_an_error_of_the_forecast_stage() {
        let days = vec![NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()];
        let iv = IntervalMinutes::new(720).unwrap();
        let mut total = Array2::zeros((1, 2));
        total[[0, 1]] = f64::NAN;
        let fc = Forecast {
            interval: iv,
            days,
            open: Array2::from_elem((1, 2), true),
            baseline: total.clone(),
            uplift: BTreeMap::new(),
            lines: Uplift::default(),
            total: total.clone(),
            lo80: total.clone(),
            hi80: total.clone(),
            lo95: total.clone(),
            response_var: Array2::zeros(total.raw_dim()),
            calendar_days: vec![],
            hi95: total,
            dispersion_k: f64::INFINITY,
        };
        let e = fc.series().unwrap_err().to_string();
        assert!(e.contains("forecast stage") && e.contains("2026-11-23 12:00") && e.contains("NaN"), "{e}");
    }
}

#[cfg(test)]
mod closures {
    use super::*;

    /// A Sunday–Thursday centre, open 08:00–17:00, whose eves of holidays are
    /// short days (55% of the calls): `holidays` closed, the day before each at
    /// `eve`, a few percent of deterministic day-to-day variation, and calls
    /// rising 10% an hour through the day (the same day total: a flat day
    /// makes the days × slots matrix exactly rank one, where the SVD's
    /// trailing components are arbitrary and the forecast came out 13% low).
    fn eve_history(first: NaiveDate, weeks: i64, holidays: &[NaiveDate], eve: f64) -> History {
        let days: Vec<NaiveDate> = (0..weeks * 7)
            .map(|k| first + Duration::days(k))
            .filter(|d| d.weekday().num_days_from_sunday() < 5 && !holidays.contains(d))
            .collect();
        let offered = Array2::from_shape_fn((days.len(), 24), |(k, s)| {
            let d = days[k];
            let level = if holidays.contains(&(d + Duration::days(1))) { eve } else { 1.0 };
            let wiggle = 1.0 + 0.03 * (k as f64 * 1.7).sin();
            if (8..17).contains(&s) {
                (40.0 * level * wiggle * (1.0 + 0.1 * (s as f64 - 12.0) / 4.0)).round()
            } else {
                f64::NAN
            }
        });
        History::from_offered(IntervalMinutes::new(60).unwrap(), days, offered)
    }

    fn calendar(closed: &[NaiveDate]) -> OpenCalendar {
        let dates: Vec<String> = closed.iter().map(|d| format!("\"{d}\"")).collect();
        OpenCalendar::from_toml_text(&format!(
            "interval_minutes = 60\n[opening_hours]\nsun = \"08:00-17:00\"\nmon = \"08:00-17:00\"\n\
             tue = \"08:00-17:00\"\nwed = \"08:00-17:00\"\nthu = \"08:00-17:00\"\nfri = \"closed\"\n\
             sat = \"closed\"\nclosed_dates = [{}]\n",
            dates.join(", ")
        ))
    }

    /// Eves learned from the history's holidays carry into a future holiday
    /// listed in `closed_dates`; the rest of that week stays at its level.
    #[test]
    fn the_eve_of_a_planned_holiday_is_forecast_as_the_history_eves_were() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let first = d("2026-01-04");
        let past = [d("2026-02-03"), d("2026-03-11"), d("2026-04-16"), d("2026-05-19"), d("2026-06-24")];
        let h = eve_history(first, 26, &past, 0.55);
        let fitted = ForecastModel::default().fit(&h, &[]);
        // Week of Sunday 2026-07-05 with Wednesday 8 July a holiday.
        let holiday = d("2026-07-08");
        let week: Vec<NaiveDate> = (0..5).map(|k| d("2026-07-05") + Duration::days(k)).collect();
        let fc = fitted.predict(&week, &calendar(&[holiday]), &[]).unwrap();
        let totals: Vec<f64> = (0..5).map(|k| fc.baseline.row(k).sum()).collect();
        let normal = 40.0 * 9.0;
        assert_eq!(totals[3], 0.0, "the holiday is closed: {totals:?}");
        let eve = totals[2] / normal;
        assert!((eve - 0.55).abs() < 0.08, "eve at {eve:.2} of a normal day: {totals:?}");
        for k in [0, 1, 4] {
            assert!((totals[k] / normal - 1.0).abs() < 0.08, "day {k}: {totals:?}");
        }
    }

    /// Eves like any other day: no effect is forecast (the gate stays shut).
    #[test]
    fn eves_like_other_days_get_no_effect() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let past = [d("2026-02-03"), d("2026-03-11"), d("2026-04-16"), d("2026-05-19"), d("2026-06-24")];
        let h = eve_history(d("2026-01-04"), 26, &past, 1.0);
        let fitted = ForecastModel::default().fit(&h, &[]);
        assert!(!fitted.learned.level.before_closure_clear());
        let week: Vec<NaiveDate> = (0..5).map(|k| d("2026-07-05") + Duration::days(k)).collect();
        let fc = fitted.predict(&week, &calendar(&[d("2026-07-08")]), &[]).unwrap();
        let eve = fc.baseline.row(2).sum() / (40.0 * 9.0);
        assert!((eve - 1.0).abs() < 0.08, "eve at {eve:.2}");
    }
}

#[cfg(test)]
mod assumed_then_learned {
    use super::*;
    use crate::config::ChannelKinds;
    use crate::forecast::media::assumed::AssumedResponse;
    use crate::ingest::history::load_history;
    use crate::ingest::media::load_media_plan;
    use crate::synth::sample_in_tempdir;

    /// An assumption twice the truth, learned from 0, 3, 10 and 40 past TV
    /// spots (the most recent, every other channel kept): with none the
    /// forecast uses the assumption; as spots accumulate the response moves
    /// to the truth.
    #[test]
    fn the_data_takes_over_from_the_assumption_as_spots_accumulate() {
        let (dir, sample) = sample_in_tempdir(1, 104, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        let h = load_history(&dir.path().join("history.csv")).unwrap();
        let past = load_media_plan(&dir.path().join("media_history.csv"), &ChannelKinds::default()).unwrap().lines;
        let truth = sample.truth.summaries.iter().find(|r| r.channel == "tv").unwrap().calls_per_grp.unwrap();
        let assumed: BTreeMap<String, AssumedResponse> =
            [("tv".to_string(), AssumedResponse::spot(2.0 * truth, 2.0, 2.0))].into_iter().collect();
        let tv: Vec<usize> = (0..past.len()).filter(|&i| past[i].channel == "tv").collect();
        let mut errors = Vec::new();
        for n in [0usize, 3, 10, 40] {
            let keep: std::collections::BTreeSet<usize> = tv.iter().rev().take(n).copied().collect();
            let lines: Vec<MediaLine> = (0..past.len())
                .filter(|i| past[*i].channel != "tv" || keep.contains(i))
                .map(|i| past[i].clone())
                .collect();
            let fitted = ForecastModel::default().fit(&h, &lines).with_assumed(&assumed);
            let r = fitted.learned.fitted.reports.iter().find(|r| r.channel == "tv").unwrap();
            let got = r.calls_per_grp.unwrap();
            let err = (got / truth - 1.0).abs();
            eprintln!(
                "{n:>2} spots: {:?} {got:.2} calls/GRP against the truth's {truth:.2} (error {err:.3})",
                r.source
            );
            errors.push((n, r.source, err));
        }
        assert_eq!(errors[0].1, ResponseSource::Assumed);
        assert!((errors[0].2 - 1.0).abs() < 1e-9, "with no spots the response is the assumption");
        assert!(errors[1..].iter().all(|e| e.1 != ResponseSource::Assumed || e.0 < 3), "{errors:?}");
        for w in errors.windows(2) {
            assert!(w[1].2 < w[0].2, "the error falls as spots accumulate: {errors:?}");
        }
        assert!(errors[3].2 < 0.15, "40 spots: the data decides: {errors:?}");
    }
}
