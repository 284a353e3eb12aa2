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
//!   and [`IntradayModel::surprise_share`]. A flagged surprise becomes one more
//!   regressor (a share of the baseline from its start) and its excess is
//!   carried into the rest of the day, fading with [`IntradayModel::surprise_half_life_slots`].

use super::baseline::{ScorePrior, UpdateParts, BAND_LEVELS};
use super::count::{nb_interval, sqrt_scale_interval};
use super::predict::{FittedForecast, Forecast, LowRankDay};
use crate::calendar::OpenCalendar;
use nalgebra::{DMatrix, DVector};

/// Hyper-parameters of the update (linfa style: build, then [`Self::check`]).
#[derive(Debug, Clone)]
pub struct IntradayModel {
    /// Multiplier of the score prior's covariance: above 1 trusts today's
    /// calls more. Default 1 (the history's own one-step errors), range 0.1..10.
    pub prior_scale: f64,
    /// Prior sd of a running line's response scale around 1 (its learned
    /// response). Default 0.5, range 0.05..5.
    pub line_sd: f64,
    /// Standardised excess a surprise must reach. Default 4.5, range 2..20.
    pub surprise_z: f64,
    /// Share of the forecast a surprise must add or take away. Default 0.2, range 0.05..5.
    pub surprise_share: f64,
    /// Half-life, in intervals, of a surprise's excess in the rest of the day.
    /// Default 8 (two hours of 15-minute intervals), range 1..1,000.
    pub surprise_half_life_slots: f64,
}

impl Default for IntradayModel {
    fn default() -> Self {
        Self { prior_scale: 1.0, line_sd: 0.5, surprise_z: 4.5, surprise_share: 0.2, surprise_half_life_slots: 8.0 }
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
    /// Per line of the morning: its response scale (1 = as learned) and updated extra calls.
    pub lines: Vec<(usize, f64, Vec<f64>)>,
    /// The surprise's excess carried into the rest of the day (0 without one).
    pub unexplained: Vec<f64>,
    pub total: Vec<f64>,
    /// Per band level of [`BAND_LEVELS`]: (lo, hi) per slot.
    pub bands: Vec<(Vec<f64>, Vec<f64>)>,
    pub surprise: Option<Surprise>,
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
        let extra: Option<Vec<f64>> = surprise.as_ref().map(|s| (0..n).map(|j| if j >= s.start { 1.0 } else { 0.0 }).collect());
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
        let lines: Vec<(usize, f64, Vec<f64>)> = day
            .lines
            .iter()
            .zip(&fit.scales)
            .map(|(l, &a)| (l.line, a, l.uplift.iter().map(|u| u * a).collect()))
            .collect();
        let total: Vec<f64> = (0..n)
            .map(|j| {
                if !day.open[j] {
                    return 0.0;
                }
                fit.baseline[j] + lines.iter().map(|l| l.2[j]).sum::<f64>() + unexplained[j].max(-fit.baseline[j])
            })
            .map(|v: f64| v.max(0.0))
            .collect();
        let bands = BAND_LEVELS
            .iter()
            .map(|&(level, _)| {
                let (lo, hi): (Vec<f64>, Vec<f64>) = (0..n)
                    .map(|j| match fit.sigma[j] {
                        _ if !day.open[j] => (0.0, 0.0),
                        Some(sig) => sqrt_scale_interval(total[j], sig, level),
                        None => nb_interval(total[j], day.dispersion_k, level),
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
        let mut extra_share = 0.0;
        let mut fit = self.baseline_given(day, low, &seen_slots, &scales, extra, extra_share);
        for _ in 0..4 {
            // Regressors: each line's uplift (prior 1 ± line_sd), the surprise (weak prior 0 ± 5).
            let mut regs: Vec<(Vec<f64>, f64, f64)> =
                day.lines.iter().map(|l| (l.uplift.clone(), 1.0, self.line_sd)).collect();
            if let Some(x) = extra {
                regs.push(((0..n).map(|j| x[j] * fit.baseline[j]).collect(), 0.0, 5.0));
            }
            let coef = ridge(&regs, &seen_slots, |j, y| {
                let mean: f64 = fit.baseline[j] + regs.iter().map(|r| r.0[j]).sum::<f64>();
                (y - fit.baseline[j], mean.max(1.0))
            });
            scales = coef[..day.lines.len()].iter().map(|a| a.clamp(0.0, 10.0)).collect();
            if extra.is_some() {
                extra_share = coef[day.lines.len()].clamp(-1.0, 20.0);
            }
            fit = self.baseline_given(day, low, &seen_slots, &scales, extra, extra_share);
        }
        fit.scales = scales;
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
        }
        Fit { baseline, sigma, scales: scales.to_vec(), extra_share }
    }

    /// The most standardised excess or shortfall from any start on, against
    /// the forecast made from the calls before that start; `None` below the thresholds.
    fn scan(&self, day: &MorningDay<'_>, low: Option<&LowRank<'_>>, seen: &Seen) -> Option<Surprise> {
        let n = day.open.len();
        let seen_slots: Vec<(usize, f64)> =
            (0..n).filter(|&j| day.open[j]).filter_map(|j| seen.get(j).map(|y| (j, y))).collect();
        let campaign = |j: usize| day.lines.iter().map(|l| l.uplift[j]).sum::<f64>();
        let mut best: Option<Surprise> = None;
        for (i, &(start, _)) in seen_slots.iter().enumerate() {
            let (before, since) = seen_slots.split_at(i);
            let (mut exp, mut got, mut var, mut line_sd) = (0.0, 0.0, 0.0, 0.0);
            let mut grad: Option<DVector<f64>> = None;
            let post = low.map(|l| l.posterior(self.prior_scale, before.iter().map(|&(j, y)| (j, y - campaign(j)))));
            for &(j, y) in since {
                let (base, g) = match (low, &post) {
                    (Some(l), Some(p)) => match l.expected(j, p, self.prior_scale) {
                        Some((m, _)) => (m, l.gradient(j, p)),
                        None => (day.baseline[j], None),
                    },
                    _ => (day.baseline[j], None),
                };
                let f = base + campaign(j);
                exp += f;
                got += y;
                let noise = low.and_then(|l| l.row[j].map(|r| 4.0 * l.parts.noise_var[r] * base)).unwrap_or(0.0);
                var += noise.max(f).max(1.0);
                line_sd += self.line_sd * campaign(j);
                if let Some(g) = g {
                    grad = Some(grad.map_or(g.clone(), |a| a + g));
                }
            }
            // Without a low-rank model, the day's level is as uncertain as the counts' dispersion says.
            let level_var = match (&grad, &post) {
                (Some(g), Some(p)) => (g.transpose() * &p.cov * g)[(0, 0)],
                _ => exp * exp / day.dispersion_k.max(1e-9),
            };
            let z = (got - exp) / (var + level_var + line_sd * line_sd).sqrt();
            let candidate = Surprise { start, seen: got, expected: exp, z };
            let big = (candidate.share().abs() >= self.surprise_share) && z.abs() >= self.surprise_z;
            if big && best.as_ref().is_none_or(|b| z.abs() > b.z.abs()) {
                best = Some(candidate);
            }
        }
        best
    }
}

/// One round's fit.
struct Fit {
    baseline: Vec<f64>,
    /// sd of the square root per slot where the low-rank model made the baseline.
    sigma: Vec<Option<f64>>,
    scales: Vec<f64>,
    extra_share: f64,
}

/// Weighted ridge regression of the residual on `regs` (values per slot,
/// prior mean, prior sd): `target(j, y)` gives each seen slot's residual and
/// variance. Returns the coefficients (the prior means where nothing is seen).
fn ridge(regs: &[(Vec<f64>, f64, f64)], seen: &[(usize, f64)], target: impl Fn(usize, f64) -> (f64, f64)) -> Vec<f64> {
    let p = regs.len();
    if p == 0 {
        return vec![];
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
    a.lu().solve(&b).map(|x| x.iter().copied().collect()).unwrap_or_else(|| regs.iter().map(|r| r.1).collect())
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
        }
    }
}
