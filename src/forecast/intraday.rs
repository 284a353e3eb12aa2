//! Intraday update: today's calls so far re-forecast the rest of today.
//!
//! The morning's forecast of a day is a low-rank curve (the day's component
//! scores times the intraday shapes, in the square-root scale) times a slow
//! day-level factor, plus each running media line's extra calls. The calls
//! seen so far say three things:
//!
//! * **The day's scores.** The scores' forecast and its error covariance are
//!   the prior; the seen intervals are observations of the curve with the
//!   noise variance the history shows around a day's own curve. The posterior
//!   mean is a penalised least-squares fit of the scores to the morning (Shen &
//!   Huang 2008, *Interday forecasting and intraday updating of call center
//!   arrivals*), with the penalty set by the two variances instead of tuned.
//! * **Each running line's response**, as a scale of its learned uplift
//!   (prior 1 ± [`IntradayModel::line_sd`]), fitted jointly with the scores.
//! * **A surprise**: an excess (or shortfall) from some interval on that
//!   neither the day's level nor the planned lines explain. For every possible
//!   start, the scores are updated on the calls before it and the calls since
//!   are compared with that forecast, with the variance of the counts, of the
//!   updated scores and of the lines' response; the start with the largest
//!   standardised excess is reported when it passes [`IntradayModel::surprise_z`]
//!   and [`IntradayModel::surprise_share`]; a planned line starting where the
//!   jump starts may explain up to [`LINE_START_ALLOWANCE`] times its response.
//!   A flagged surprise becomes one more
//!   regressor (a share of the baseline from its start) and its excess is
//!   carried into the rest of the day, fading with [`IntradayModel::surprise_half_life_slots`].

use super::baseline::{ScorePrior, UpdateParts, BAND_LEVELS};
use super::count::count_interval;
use super::predict::{FittedForecast, Forecast, LowRankDay};
use crate::calendar::OpenCalendar;
use nalgebra::{DMatrix, DVector};

/// How many times its fitted response a planned line starting at a surprise's
/// start may draw before the jump counts as a surprise.
pub const LINE_START_ALLOWANCE: f64 = 3.0;

/// Hyper-parameters of the update (linfa style: build, then [`Self::check`]).
#[derive(Debug, Clone)]
pub struct IntradayModel {
    /// Multiplier of the score prior's covariance: above 1 trusts today's
    /// calls more. Default 1 (the history's own one-step errors), range 0.1..10.
    pub prior_scale: f64,
    /// Prior sd of a running line's response scale around 1 (its learned
    /// response). Default 0.5, range 0.05..5.
    pub line_sd: f64,
    /// Standardised excess a surprise must reach. Default 4.25, range 2..20:
    /// on ten generated weeks without a surprise, updated at every interval,
    /// nothing is flagged; with a push doubling the calls, 9 of 10 are flagged
    /// 30 minutes after it starts (`cargo test --release --lib intraday::generated`).
    pub surprise_z: f64,
    /// Share of the forecast a surprise must add or take away. Default 0.2, range 0.05..5.
    pub surprise_share: f64,
    /// Intervals the likeliest start of a surprise must be behind the calls
    /// seen: one odd interval is noise more often than news. Default 2, range 1..8.
    pub surprise_min_slots: usize,
    /// Half-life, in intervals, of a surprise's excess in the rest of the day.
    /// Default 8 (two hours of 15-minute intervals), range 1..1,000.
    pub surprise_half_life_slots: f64,
}

impl Default for IntradayModel {
    fn default() -> Self {
        Self {
            prior_scale: 1.0,
            line_sd: 0.5,
            surprise_z: 4.25,
            surprise_share: 0.2,
            surprise_min_slots: 2,
            surprise_half_life_slots: 8.0,
        }
    }
}

impl IntradayModel {
    /// The parameters, or the name of the first out of its range.
    pub fn check(self) -> Result<Self, String> {
        let ranges = [
            ("prior_scale", self.prior_scale, 0.1, 10.0),
            ("line_sd", self.line_sd, 0.05, 5.0),
            ("surprise_z", self.surprise_z, 2.0, 20.0),
            ("surprise_share", self.surprise_share, 0.05, 5.0),
            ("surprise_half_life_slots", self.surprise_half_life_slots, 1.0, 1000.0),
        ];
        if !(1..=8).contains(&self.surprise_min_slots) {
            return Err(format!("surprise_min_slots = {}: expected 1 to 8", self.surprise_min_slots));
        }
        for (name, v, lo, hi) in ranges {
            if !(lo..=hi).contains(&v) {
                return Err(format!("{name} = {v}: expected {lo} to {hi}"));
            }
        }
        Ok(self)
    }
}

/// One running (or later) media line's extra calls today, per slot, as the morning forecast has them.
#[derive(Debug, Clone)]
pub struct LineToday {
    /// Index of the line in the media plan.
    pub line: usize,
    pub uplift: Vec<f64>,
}

/// What the morning forecast of one day is made of, per slot of the day.
pub struct MorningDay<'a> {
    /// The low-rank model behind the baseline, where it made it.
    pub low_rank: Option<LowRankDay<'a>>,
    /// The morning's baseline (no campaigns); 0 where closed.
    pub baseline: Vec<f64>,
    pub open: Vec<bool>,
    pub lines: Vec<LineToday>,
    /// Negative-binomial size of the day-level model's intervals (where the
    /// low-rank model has no slot).
    pub dispersion_k: f64,
    /// The morning's variance of the campaign calls from the learned
    /// responses' uncertainty (kept as is through the day: conservative once a
    /// line's scale has been fitted to what it brought).
    pub response_var: Vec<f64>,
}

/// Today's calls seen so far: per slot of the day, NaN where not seen.
#[derive(Debug, Clone)]
pub struct Seen {
    pub calls: Vec<f64>,
    /// The first slot not seen yet (the update's "now").
    pub at: usize,
}

impl Seen {
    fn get(&self, j: usize) -> Option<f64> {
        (j < self.at).then(|| self.calls.get(j).copied()).flatten().filter(|v| !v.is_nan())
    }
}

/// An excess or shortfall no planned line explains.
#[derive(Debug, Clone, PartialEq)]
pub struct Surprise {
    /// First slot of the surprise.
    pub start: usize,
    /// Calls seen since `start`, and the forecast of those intervals made from the calls before it.
    pub seen: f64,
    pub expected: f64,
    /// Standardised size: (seen − expected) / sd.
    pub z: f64,
}

impl Surprise {
    /// Relative size: 0.38 for 38% above the forecast.
    pub fn share(&self) -> f64 {
        self.seen / self.expected.max(1e-9) - 1.0
    }
}

/// The updated day, per slot.
#[derive(Debug, Clone)]
pub struct DayUpdate {
    pub baseline: Vec<f64>,
    /// Per line of the morning: its response scale and updated extra calls.
    pub lines: Vec<LineUpdate>,
    /// The surprise's excess carried into the rest of the day (0 without one).
    pub unexplained: Vec<f64>,
    pub total: Vec<f64>,
    /// Per band level of [`BAND_LEVELS`]: (lo, hi) per slot.
    pub bands: Vec<(Vec<f64>, Vec<f64>)>,
    pub surprise: Option<Surprise>,
}

/// One media line of the morning after the update.
#[derive(Debug, Clone, PartialEq)]
pub struct LineUpdate {
    /// Index into the week's media plan lines.
    pub line: usize,
    /// Its response relative to the learned one (1 = as learned).
    pub scale: f64,
    /// Its extra calls per slot of the day, scaled.
    pub extra_calls: Vec<f64>,
}

/// The low-rank part in the form the update works with.
struct LowRank<'a> {
    parts: UpdateParts<'a>,
    prior: ScorePrior,
    slow: f64,
    /// Slot of the day → row of the model's shapes.
    row: Vec<Option<usize>>,
}

/// Scores after seeing part of the day: mean and covariance.
struct Posterior {
    mean: DVector<f64>,
    cov: DMatrix<f64>,
}

impl<'a> LowRank<'a> {
    fn new(day: &LowRankDay<'a>) -> Self {
        let parts = day.model.update_parts();
        let mut row = vec![None; parts.per_day];
        for (j, &s) in parts.slots.iter().enumerate() {
            row[s] = Some(j);
        }
        Self { parts, prior: day.prior.clone(), slow: day.slow.max(1e-9), row }
    }

    fn shape(&self, j: usize) -> DVector<f64> {
        DVector::from_iterator(self.parts.shapes.ncols(), self.parts.shapes.row(j).iter().copied())
    }

    /// The posterior of the scores given baseline-only calls `b` on `slots`.
    fn posterior(&self, scale: f64, obs: impl Iterator<Item = (usize, f64)>) -> Posterior {
        let k = self.prior.mean.len();
        let prior_cov = &self.prior.cov * scale + DMatrix::identity(k, k) * 1e-9;
        let prior_prec = prior_cov.clone().try_inverse().unwrap_or_else(|| DMatrix::identity(k, k) * 1e9);
        let m0 = DVector::from_column_slice(&self.prior.mean);
        let (mut prec, mut rhs) = (prior_prec.clone(), &prior_prec * &m0);
        for (slot, calls) in obs {
            let Some(j) = self.row[slot] else { continue };
            let s = self.shape(j);
            let z = (calls.max(0.0) / self.slow + 0.25).sqrt();
            let w = 1.0 / self.parts.noise_var[j];
            prec += &s * s.transpose() * w;
            rhs += &s * (z * w);
        }
        match prec.try_inverse() {
            Some(cov) => Posterior { mean: &cov * rhs, cov },
            None => Posterior { mean: m0, cov: prior_cov },
        }
    }

    /// Expected baseline calls in a slot under a posterior, and the sd of the
    /// square root there (the one-step sd shrunk by what the calls taught).
    fn expected(&self, slot: usize, post: &Posterior, scale: f64) -> Option<(f64, f64)> {
        let j = self.row[slot]?;
        let s = self.shape(j);
        let f = s.dot(&post.mean);
        let noise = self.parts.noise_var[j];
        let var_post = (s.transpose() * &post.cov * &s)[(0, 0)] + noise;
        let var_prior = (s.transpose() * (&self.prior.cov * scale) * &s)[(0, 0)] + noise;
        let sigma = self.parts.sigma[j] * (var_post / var_prior.max(1e-12)).min(1.0).sqrt();
        let mean = (f * f + self.parts.variance_correction * sigma * sigma - 0.25).max(0.0) * self.slow;
        Some((mean, sigma))
    }

    /// d(expected calls)/d(scores) at a slot: 2·f·slow·shape.
    fn gradient(&self, slot: usize, post: &Posterior) -> Option<DVector<f64>> {
        let s = self.shape(self.row[slot]?);
        let f = s.dot(&post.mean).max(0.0);
        Some(s * (2.0 * f * self.slow))
    }
}

impl IntradayModel {
    /// Update `day` with the calls `seen` so far.
    pub fn update(&self, day: &MorningDay<'_>, seen: &Seen) -> DayUpdate {
        let low = day.low_rank.as_ref().map(LowRank::new);
        let surprise = self.scan(day, low.as_ref(), seen);
        let n = day.open.len();
        let extra: Option<Vec<f64>> =
            surprise.as_ref().map(|s| (0..n).map(|j| if j >= s.start { 1.0 } else { 0.0 }).collect());
        let fit = self.joint_fit(day, low.as_ref(), seen, extra.as_deref());
        let fade = 0.5f64.powf(1.0 / self.surprise_half_life_slots);
        let unexplained: Vec<f64> = (0..n)
            .map(|j| match (&extra, day.open[j]) {
                (Some(_), true) if j >= seen.at => {
                    fit.extra_share * fit.baseline[j] * fade.powi((j - seen.at + 1) as i32)
                }
                _ => 0.0,
            })
            .map(|v| if v.is_finite() { v } else { 0.0 })
            .collect();
        let lines: Vec<LineUpdate> = day
            .lines
            .iter()
            .zip(&fit.scales)
            .map(|(l, &a)| LineUpdate { line: l.line, scale: a, extra_calls: l.uplift.iter().map(|u| u * a).collect() })
            .collect();
        let total: Vec<f64> = (0..n)
            .map(|j| {
                if !day.open[j] {
                    return 0.0;
                }
                fit.baseline[j]
                    + lines.iter().map(|l| l.extra_calls[j]).sum::<f64>()
                    + unexplained[j].max(-fit.baseline[j])
            })
            .map(|v: f64| v.max(0.0))
            .collect();
        let bands = BAND_LEVELS
            .iter()
            .map(|&(level, _)| {
                let (lo, hi): (Vec<f64>, Vec<f64>) = (0..n)
                    .map(|j| match day.open[j] {
                        false => (0.0, 0.0),
                        true => count_interval(total[j], fit.sigma[j], day.dispersion_k, day.response_var[j], level),
                    })
                    .unzip();
                (lo, hi)
            })
            .collect();
        DayUpdate { baseline: fit.baseline, lines, unexplained, total, bands, surprise }
    }

    /// Scores, line scales and (with `extra`, a surprise's indicator per slot)
    /// the surprise's share of the baseline, fitted to the calls seen: a few
    /// rounds of alternating the two least-squares problems.
    fn joint_fit(&self, day: &MorningDay<'_>, low: Option<&LowRank<'_>>, seen: &Seen, extra: Option<&[f64]>) -> Fit {
        let n = day.open.len();
        let seen_slots: Vec<(usize, f64)> =
            (0..n).filter(|&j| day.open[j]).filter_map(|j| seen.get(j).map(|y| (j, y))).collect();
        let mut scales = vec![1.0; day.lines.len()];
        let mut scale_sd = vec![self.line_sd; day.lines.len()];
        let mut extra_share = 0.0;
        let mut fit = self.baseline_given(day, low, &seen_slots, &scales, extra, extra_share);
        for _ in 0..4 {
            // Regressors: each line's uplift (prior 1 ± line_sd), the surprise (weak prior 0 ± 5).
            let mut regs: Vec<(Vec<f64>, f64, f64)> =
                day.lines.iter().map(|l| (l.uplift.clone(), 1.0, self.line_sd)).collect();
            if let Some(x) = extra {
                regs.push(((0..n).map(|j| x[j] * fit.baseline[j]).collect(), 0.0, 5.0));
            }
            let (coef, sd) = ridge(&regs, &seen_slots, |j, y| {
                let mean: f64 = fit.baseline[j] + regs.iter().map(|r| r.0[j]).sum::<f64>();
                (y - fit.baseline[j], count_variance(low, j, fit.baseline[j], mean))
            });
            scales = coef[..day.lines.len()].iter().map(|a| a.clamp(0.0, 10.0)).collect();
            scale_sd = sd[..day.lines.len()].to_vec();
            if extra.is_some() {
                extra_share = coef[day.lines.len()].clamp(-1.0, 20.0);
            }
            fit = self.baseline_given(day, low, &seen_slots, &scales, extra, extra_share);
        }
        fit.scales = scales;
        fit.scale_sd = scale_sd;
        fit.extra_share = extra_share;
        fit
    }

    /// The baseline updated on the calls seen less the lines' (scaled) and a surprise's calls.
    fn baseline_given(
        &self,
        day: &MorningDay<'_>,
        low: Option<&LowRank<'_>>,
        seen: &[(usize, f64)],
        scales: &[f64],
        extra: Option<&[f64]>,
        extra_share: f64,
    ) -> Fit {
        let n = day.open.len();
        let campaign = |j: usize| day.lines.iter().zip(scales).map(|(l, a)| a * l.uplift[j]).sum::<f64>();
        let mut baseline = day.baseline.clone();
        let mut sigma = vec![None; n];
        let mut posterior = None;
        if let Some(low) = low {
            // Baseline calls: the seen calls less the lines', divided by the surprise's factor.
            let factor = |j: usize| 1.0 + extra.map_or(0.0, |x| x[j] * extra_share);
            let obs = seen.iter().map(|&(j, y)| (j, (y - campaign(j)) / factor(j).max(0.05)));
            let post = low.posterior(self.prior_scale, obs);
            for j in (0..n).filter(|&j| day.open[j]) {
                if let Some((mean, sig)) = low.expected(j, &post, self.prior_scale) {
                    baseline[j] = mean;
                    sigma[j] = Some(sig);
                }
            }
            posterior = Some(post);
        }
        Fit {
            baseline,
            sigma,
            posterior,
            scales: scales.to_vec(),
            scale_sd: vec![self.line_sd; scales.len()],
            extra_share,
        }
    }

    /// The most standardised excess or shortfall from any start on, against
    /// the forecast made from the calls before that start (scores and line
    /// scales fitted on them); `None` below the thresholds.
    fn scan(&self, day: &MorningDay<'_>, low: Option<&LowRank<'_>>, seen: &Seen) -> Option<Surprise> {
        let n = day.open.len();
        let seen_slots: Vec<(usize, f64)> =
            (0..n).filter(|&j| day.open[j]).filter_map(|j| seen.get(j).map(|y| (j, y))).collect();
        let mut best: Option<Surprise> = None;
        for i in 0..seen_slots.len() {
            let candidate = self.candidate(day, low, seen, &seen_slots[i..]);
            if self.big(&candidate) && best.as_ref().is_none_or(|b| candidate.z.abs() > b.z.abs()) {
                best = Some(candidate);
            }
        }
        // The likeliest start must have lasted: a single odd interval is noise
        // more often than news (and a window stretched back to reach the
        // minimum would place the start too early).
        let lasted = |b: &Surprise| seen_slots.iter().filter(|(j, _)| *j >= b.start).count() >= self.surprise_min_slots;
        best.filter(lasted).and_then(|b| self.trim_start(day, low, seen, &seen_slots, b))
    }

    fn big(&self, s: &Surprise) -> bool {
        s.share().abs() >= self.surprise_share && s.z.abs() >= self.surprise_z
    }

    /// The surprise starting at `since[0]`: the calls since against the
    /// forecast fitted on the calls before. A planned line starting there may
    /// draw anywhere from nothing to [`LINE_START_ALLOWANCE`] times its fitted
    /// response (its first intervals are the least known): a jump (or a dip)
    /// it can explain that way is its, not a surprise.
    fn candidate(
        &self,
        day: &MorningDay<'_>,
        low: Option<&LowRank<'_>>,
        seen: &Seen,
        since: &[(usize, f64)],
    ) -> Surprise {
        let start = since[0].0;
        let fit = self.joint_fit(day, low, &Seen { calls: seen.calls.clone(), at: start }, None);
        let plain = self.excess(day, low, &fit, since);
        let starting: Vec<bool> =
            day.lines.iter().map(|l| l.uplift.iter().position(|u| *u > 0.0) == Some(start)).collect();
        if !starting.contains(&true) {
            return plain;
        }
        let mut stretched = fit;
        for (a, s) in stretched.scales.iter_mut().zip(&starting) {
            if *s {
                *a = if plain.z > 0.0 { a.max(1.0) * LINE_START_ALLOWANCE } else { 0.0 };
            }
        }
        let c = self.excess(day, low, &stretched, since);
        if c.z * plain.z <= 0.0 {
            // Fully explained by the line.
            return Surprise { expected: c.seen, z: 0.0, ..c };
        }
        // Judged with the allowance; its size told against the forecast.
        Surprise { z: c.z, ..plain }
    }

    /// Move a surprise's start past leading intervals that are not part of it
    /// (less than half its relative size): the largest standardised excess
    /// often takes in an ordinary interval before the jump. If what is left
    /// is no longer a surprise (a planned line starting there explains it),
    /// there is none.
    fn trim_start(
        &self,
        day: &MorningDay<'_>,
        low: Option<&LowRank<'_>>,
        seen: &Seen,
        seen_slots: &[(usize, f64)],
        mut best: Surprise,
    ) -> Option<Surprise> {
        loop {
            let Some(i) = seen_slots.iter().position(|(j, _)| *j == best.start) else { return Some(best) };
            if seen_slots.len() - i <= self.surprise_min_slots {
                return Some(best);
            }
            let fit = self.joint_fit(day, low, &Seen { calls: seen.calls.clone(), at: best.start }, None);
            let (j, y) = seen_slots[i];
            let f = fit.baseline[j] + day.lines.iter().zip(&fit.scales).map(|(l, a)| a * l.uplift[j]).sum::<f64>();
            let own = y / f.max(1e-9) - 1.0;
            if own * best.share().signum() >= 0.5 * best.share().abs() {
                return Some(best);
            }
            best = self.candidate(day, low, seen, &seen_slots[i + 1..]);
            if !self.big(&best) {
                return None;
            }
        }
    }

    /// The calls seen on `since` against `fit`'s forecast of them, standardised
    /// by the variance of the counts, of the fitted scores and of the lines' scales.
    fn excess(&self, day: &MorningDay<'_>, low: Option<&LowRank<'_>>, fit: &Fit, since: &[(usize, f64)]) -> Surprise {
        let (mut expected, mut got, mut count_var) = (0.0, 0.0, 0.0);
        let mut line_calls = vec![0.0; day.lines.len()];
        let mut grad: Option<DVector<f64>> = None;
        for &(j, y) in since {
            let base = fit.baseline[j];
            let campaign: f64 = day.lines.iter().zip(&fit.scales).map(|(l, a)| a * l.uplift[j]).sum();
            let f = base + campaign;
            expected += f;
            got += y;
            count_var += count_variance(low, j, base, f);
            for (c, l) in line_calls.iter_mut().zip(&day.lines) {
                *c += l.uplift[j];
            }
            if let (Some(l), Some(p)) = (low, &fit.posterior) {
                if let Some(g) = l.gradient(j, p) {
                    grad = Some(grad.map_or(g.clone(), |a| a + g));
                }
            }
        }
        // Without a low-rank model, the day's level is as uncertain as the counts' dispersion says.
        let level_var = match (&grad, &fit.posterior) {
            (Some(g), Some(p)) => (g.transpose() * &p.cov * g)[(0, 0)],
            _ => expected * expected / day.dispersion_k.max(1e-9),
        };
        let line_var: f64 = line_calls.iter().zip(&fit.scale_sd).map(|(c, sd)| (c * sd).powi(2)).sum();
        let z = (got - expected) / (count_var + level_var + line_var).sqrt();
        Surprise { start: since.first().map_or(0, |x| x.0), seen: got, expected, z }
    }
}

/// The variance of a slot's count around its expectation `mean` (baseline
/// `base`): at least Poisson, and as overdispersed as the history's noise
/// around a day's own curve (delta method: Var N ≈ 4·μ·Var √N).
fn count_variance(low: Option<&LowRank<'_>>, slot: usize, base: f64, mean: f64) -> f64 {
    let noise = low.and_then(|l| l.row[slot].map(|r| 4.0 * l.parts.noise_var[r] * base)).unwrap_or(0.0);
    noise.max(mean).max(1.0)
}

/// One round's fit.
struct Fit {
    baseline: Vec<f64>,
    /// sd of the square root per slot where the low-rank model made the baseline.
    sigma: Vec<Option<f64>>,
    /// The scores' posterior, where the low-rank model made the baseline.
    posterior: Option<Posterior>,
    scales: Vec<f64>,
    /// Posterior sd of each line's scale.
    scale_sd: Vec<f64>,
    extra_share: f64,
}

/// Weighted ridge regression of the residual on `regs` (values per slot,
/// prior mean, prior sd): `target(j, y)` gives each seen slot's residual and
/// variance. Returns the coefficients and their posterior sds (the priors
/// where nothing is seen).
fn ridge(
    regs: &[(Vec<f64>, f64, f64)],
    seen: &[(usize, f64)],
    target: impl Fn(usize, f64) -> (f64, f64),
) -> (Vec<f64>, Vec<f64>) {
    let p = regs.len();
    let prior = || (regs.iter().map(|r| r.1).collect(), regs.iter().map(|r| r.2).collect());
    if p == 0 {
        return prior();
    }
    let mut a = DMatrix::<f64>::zeros(p, p);
    let mut b = DVector::<f64>::zeros(p);
    for (r, reg) in regs.iter().enumerate() {
        a[(r, r)] += 1.0 / (reg.2 * reg.2);
        b[r] += reg.1 / (reg.2 * reg.2);
    }
    for &(j, y) in seen {
        let (res, var) = target(j, y);
        for r in 0..p {
            for c in 0..p {
                a[(r, c)] += regs[r].0[j] * regs[c].0[j] / var;
            }
            b[r] += regs[r].0[j] * res / var;
        }
    }
    match a.try_inverse() {
        Some(inv) => ((&inv * b).iter().copied().collect(), (0..p).map(|r| inv[(r, r)].max(0.0).sqrt()).collect()),
        None => prior(),
    }
}

impl<'a> MorningDay<'a> {
    /// Day `k` of a forecast `fc` that `fitted` made for `calendar`.
    pub fn of(fitted: &'a FittedForecast, fc: &Forecast, calendar: &OpenCalendar, k: usize) -> Self {
        let day = fc.days[k];
        let n = fc.interval.per_day();
        let lines = fc
            .lines
            .lines
            .iter()
            .filter_map(|lu| {
                let mut uplift = vec![0.0; n];
                for &(d, s, v) in &lu.cells {
                    if d == day && fc.open[[k, s]] {
                        uplift[s] += v;
                    }
                }
                uplift.iter().any(|v| *v > 0.0).then_some(LineToday { line: lu.line, uplift })
            })
            .collect();
        MorningDay {
            low_rank: fitted.low_rank_day(fc, calendar, k),
            baseline: fc.baseline.row(k).to_vec(),
            open: fc.open.row(k).to_vec(),
            lines,
            dispersion_k: fc.dispersion_k,
            response_var: fc.response_var.row(k).to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_out_of_range_are_named() {
        assert!(IntradayModel::default().check().is_ok());
        let e = IntradayModel { surprise_z: 1.0, ..IntradayModel::default() }.check().unwrap_err();
        assert!(e.contains("surprise_z = 1") && e.contains("2 to 20"), "{e}");
        let e = IntradayModel { surprise_min_slots: 0, ..IntradayModel::default() }.check().unwrap_err();
        assert!(e.contains("surprise_min_slots"), "{e}");
        assert!(IntradayModel { line_sd: f64::NAN, ..IntradayModel::default() }.check().is_err());
    }

    #[test]
    fn ridge_falls_back_to_its_priors_without_data_and_follows_clear_data() {
        let regs = vec![(vec![1.0, 1.0, 1.0], 1.0, 0.5)];
        assert_eq!(ridge(&regs, &[], |_, y| (y, 1.0)), (vec![1.0], vec![0.5]));
        // Three slots each showing twice the regressor, with tiny variance: the coefficient goes to 2.
        let (coef, sd) = ridge(&regs, &[(0, 2.0), (1, 2.0), (2, 2.0)], |_, y| (y, 1e-4));
        assert!((coef[0] - 2.0).abs() < 1e-3 && sd[0] < 0.01, "{coef:?} {sd:?}");
    }
}

#[cfg(test)]
mod generated {
    //! Against the generator's truth: a campaign nobody announced is flagged
    //! soon after it starts, a week without one is never flagged, and a line
    //! that draws twice its learned response is re-scaled.
    use super::*;
    use crate::calendar::week_days;
    use crate::forecast::predict::ForecastModel;
    use crate::ingest::history::load_history;
    use crate::ingest::media::{load_media_plan, MediaLine};
    use crate::settings::Settings;
    use crate::synth::{sample_in_tempdir_with, RealisedOptions, RealisedWeek, SynthOptions, Unannounced};
    use chrono::{Duration, NaiveDate, NaiveTime};

    const WEEK: (i32, u32, u32) = (2026, 11, 23);

    /// The model's forecast of the planning week and the week as it happened.
    struct Case {
        fitted: FittedForecast,
        fc: Forecast,
        calendar: OpenCalendar,
        realised: RealisedWeek,
        plan: Vec<MediaLine>,
    }

    fn case(seed: u64, realised: RealisedOptions) -> Case {
        let week = NaiveDate::from_ymd_opt(WEEK.0, WEEK.1, WEEK.2).unwrap();
        let options = SynthOptions { realised, ..SynthOptions::sample(seed, 60, week, 5) };
        let (dir, sample) = sample_in_tempdir_with(&options);
        let settings = Settings::load(&dir.path().join("centre.toml")).unwrap();
        let h = load_history(&dir.path().join("history.csv")).unwrap();
        let past = load_media_plan(&dir.path().join("media_history.csv"), &settings.channels).unwrap().lines;
        let plan = load_media_plan(&dir.path().join("media_plan_next_week.csv"), &settings.channels).unwrap().lines;
        let fitted = ForecastModel::default().fit(&h, &past);
        // The plan with the past lines whose carry-over reaches the week, as `plan` forecasts it.
        let mut all: Vec<MediaLine> =
            past.into_iter().filter(|l| l.start.date() >= week - Duration::days(28)).collect();
        all.extend(plan);
        let fc = fitted.predict(&week_days(week), &settings.calendar, &all).unwrap();
        Case { fitted, fc, calendar: settings.calendar, realised: sample.realised.unwrap(), plan: all }
    }

    /// The surprise flagged by an update of day `k` at each slot of the day, in order.
    fn flags(c: &Case, k: usize) -> Vec<(usize, Surprise)> {
        let morning = MorningDay::of(&c.fitted, &c.fc, &c.calendar, k);
        let calls = c.realised.calls.row(k).to_vec();
        (0..calls.len())
            .filter(|&at| at > 0 && morning.open[at - 1])
            .filter_map(|at| {
                let seen = Seen { calls: calls.clone(), at };
                IntradayModel::default().update(&morning, &seen).surprise.map(|s| (at, s))
            })
            .collect()
    }

    fn no_surprise() -> RealisedOptions {
        let week = NaiveDate::from_ymd_opt(WEEK.0, WEEK.1, WEEK.2).unwrap();
        RealisedOptions { unannounced: None, ..RealisedOptions::bundled(week) }
    }

    #[test]
    fn an_unannounced_campaign_is_flagged_within_30_minutes() {
        let week = NaiveDate::from_ymd_opt(WEEK.0, WEEK.1, WEEK.2).unwrap();
        let mut caught = 0;
        for seed in 0..10u64 {
            // Tuesday to Friday, 10:00 to 13:45.
            let k = 1 + (seed % 4) as usize;
            let onset_slot = 40 + (seed % 16) as usize;
            let start =
                (week + Duration::days(k as i64)).and_time(NaiveTime::MIN) + Duration::minutes(15 * onset_slot as i64);
            let realised = RealisedOptions { unannounced: Some(Unannounced::push(start)), ..no_surprise() };
            let c = case(seed, realised);
            let found = flags(&c, k);
            let first = found.first();
            eprintln!(
                "seed {seed}: onset slot {onset_slot}, first flag {:?}",
                first.map(|(at, s)| (at, s.start, s.share(), s.z))
            );
            // Flagged once at most two intervals after the onset are seen, starting at the onset, never before it.
            if let Some((at, s)) = first {
                if *at <= onset_slot + 2 && *at > onset_slot && s.start == onset_slot {
                    caught += 1;
                }
            }
        }
        assert!(caught >= 9, "flagged within 30 minutes on {caught} of 10 seeds");
    }

    #[test]
    fn a_week_without_surprises_is_never_flagged() {
        for seed in 20..30u64 {
            let c = case(seed, no_surprise());
            for k in 0..7 {
                if !c.fc.open.row(k).iter().any(|o| *o) {
                    continue;
                }
                let found = flags(&c, k);
                assert!(found.is_empty(), "seed {seed}, day {k}: flagged {:?}", found.first());
            }
        }
    }

    /// Rest-of-day WAPE of `f` against the day's calls from slot `at` on.
    fn wape(calls: &[f64], f: &[f64], at: usize) -> (f64, f64) {
        (at..calls.len())
            .filter(|&j| !calls[j].is_nan())
            .fold((0.0, 0.0), |(e, t), j| (e + (calls[j] - f[j]).abs(), t + calls[j]))
    }

    #[test]
    fn a_line_drawing_twice_its_response_is_rescaled_within_two_hours() {
        let week = NaiveDate::from_ymd_opt(WEEK.0, WEEK.1, WEEK.2).unwrap();
        let (mut e_update, mut e_true, mut e_morning) = (0.0, 0.0, 0.0);
        for seed in 40..45u64 {
            let c = case(seed, RealisedOptions { response_factor: 2.0, ..no_surprise() });
            for k in 0..7 {
                let morning = MorningDay::of(&c.fitted, &c.fc, &c.calendar, k);
                let planned = |l: &LineToday| c.plan[l.line].start.date() >= week;
                // Lines of the plan that start today, with the first interval they bring calls to.
                let starts: Vec<usize> = morning
                    .lines
                    .iter()
                    .filter(|l| planned(l) && c.plan[l.line].start.date() == c.fc.days[k])
                    .filter_map(|l| l.uplift.iter().position(|u| *u > 0.0))
                    .collect();
                let Some(&first) = starts.iter().min() else { continue };
                let at = first + 8;
                if at >= morning.open.len() || !morning.open[at] {
                    continue;
                }
                let calls = c.realised.calls.row(k).to_vec();
                let update = IntradayModel::default().update(&morning, &Seen { calls: calls.clone(), at });
                // The forecast with the true rates: the plan's lines at twice their learned response.
                let truth: Vec<f64> = (0..calls.len())
                    .map(|j| {
                        let doubled: f64 = morning.lines.iter().filter(|l| planned(l)).map(|l| l.uplift[j]).sum();
                        c.fc.total[[k, j]] + doubled
                    })
                    .collect();
                let (u, t) = wape(&calls, &update.total, at);
                let (tr, _) = wape(&calls, &truth, at);
                let (m, _) = wape(&calls, &c.fc.total.row(k).to_vec(), at);
                let scales: Vec<String> =
                    update.lines.iter().map(|l| format!("{}:{:.2}", c.plan[l.line].channel, l.scale)).collect();
                eprintln!(
                    "seed {seed} day {k} at {at}: WAPE update {:.4} true rates {:.4} morning {:.4}; scales {scales:?}",
                    u / t,
                    tr / t,
                    m / t
                );
                e_update += u;
                e_true += tr;
                e_morning += m;
            }
        }
        eprintln!("pooled: update/true {:.3}, morning/true {:.3}", e_update / e_true, e_morning / e_true);
        assert!(e_update <= 1.2 * e_true, "update {e_update} vs true rates {e_true}");
        assert!(e_update < e_morning, "the update must beat the morning forecast");
    }

    /// One generated week without surprises, shared by the tests below.
    fn shared_case() -> &'static Case {
        static CASE: std::sync::OnceLock<Case> = std::sync::OnceLock::new();
        CASE.get_or_init(|| case(7, no_surprise()))
    }

    #[test]
    fn with_nothing_seen_the_update_is_the_morning_forecast() {
        let c = shared_case();
        for k in (0..7).filter(|&k| c.fc.open.row(k).iter().any(|o| *o)) {
            let morning = MorningDay::of(&c.fitted, &c.fc, &c.calendar, k);
            let u = IntradayModel::default().update(&morning, &Seen { calls: vec![f64::NAN; 96], at: 0 });
            for j in 0..96 {
                assert!(
                    (u.total[j] - c.fc.total[[k, j]]).abs() < 1e-6 * c.fc.total[[k, j]].max(1.0),
                    "day {k} slot {j}"
                );
                assert!((u.bands[1].1[j] - c.fc.hi95[[k, j]]).abs() <= 1.0, "day {k} slot {j}");
            }
            assert!(u.surprise.is_none() && u.lines.iter().all(|l| l.scale == 1.0));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// Whatever the morning brings (a quiet day, a flood, one wild
        /// interval), the rest of the day is finite, non-negative, inside its
        /// bands, the surprise's calls only come after now, and the lines'
        /// scales stay within their range.
        #[test]
        fn any_morning_gives_a_sane_rest_of_day(
            k in 0usize..6,
            at in 33usize..88,
            scale in 0.0f64..4.0,
            spike_at in 32usize..88,
            spike in 0.0f64..20.0,
        ) {
            let c = shared_case();
            let morning = MorningDay::of(&c.fitted, &c.fc, &c.calendar, k);
            let calls: Vec<f64> = c
                .realised
                .calls
                .row(k)
                .iter()
                .enumerate()
                .map(|(j, v)| if j == spike_at { (v * spike).round() } else { (v * scale).round() })
                .collect();
            let u = IntradayModel::default().update(&morning, &Seen { calls, at });
            for j in 0..96 {
                proptest::prop_assert!(u.total[j].is_finite() && u.total[j] >= 0.0, "slot {} total {}", j, u.total[j]);
                for (lo, hi) in &u.bands {
                    proptest::prop_assert!(lo[j] <= hi[j] && lo[j] <= u.total[j] + 1.0 && u.total[j] <= hi[j] + 1.0,
                        "slot {} band {}..{} total {}", j, lo[j], hi[j], u.total[j]);
                }
                if j < at {
                    proptest::prop_assert_eq!(u.unexplained[j], 0.0);
                }
            }
            proptest::prop_assert!(u.lines.iter().all(|l| (0.0..=10.0).contains(&l.scale)));
        }
    }
}
