//! The week's calls split jointly into the baseline and each line's response.
//!
//! Every observed interval `c` of the week is modelled as
//!
//! ```text
//! μ_c = α_day(c) · baseline_c + fixed_c + Σ_l θ_l · u_lc
//! ```
//!
//! with `baseline` the history's forecast for that interval, `fixed` the
//! calls of earlier lines still arriving (carry-over, taken as forecast),
//! `u_l` line `l`'s extra calls under the learned response at its aired time,
//! `α` each day's level against the forecast and `θ_l` how many times its
//! learned response line `l` drew. Because the lines' curves differ (a TV spot
//! rings for minutes, a flight for days), overlapping lines are separated by
//! their shapes; where they cannot be (a flight whose calls follow the day's
//! own shape), the priors decide, and the ranges say so.
//!
//! Priors, all Gaussian in the scale of the parameters (1 = as forecast):
//! * day levels: a common week level with sd `week_sd` and each day's own
//!   deviation with sd `day_sd` (from the history's day-to-day scatter beyond
//!   count noise);
//! * line scales: a scale all the week's lines share around what was learned
//!   (sd [`AttributionModel::shared_sd`]), each channel's deviation from it
//!   ([`AttributionModel::channel_sd`]), each station's from its channel's
//!   ([`AttributionModel::station_sd`]) and each line's own
//!   ([`AttributionModel::line_sd`]; creatives and audiences differ): partial
//!   pooling, so a line with a handful of calls borrows from its channel's
//!   other lines, and a flight whose calls look like the baseline's borrows
//!   from the spots that show clearly how the week's campaigns drew.
//!
//! The maximum a posteriori estimate is found by iteratively reweighted
//! least squares under negative-binomial variance `μ + μ²/k`, with Huber
//! weights (an interval far off the model, such as a campaign nobody
//! announced, pulls the estimates less), and line scales held at zero or
//! more. The 95% ranges come from the posterior covariance at the estimate:
//! count noise, the baseline's level uncertainty and the overlap of lines
//! all widen them.

use nalgebra::{DMatrix, DVector};

/// Hyper-parameters of the joint fit.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributionModel {
    /// Prior sd of the scale all of the week's lines share (a week when every
    /// campaign draws more or less than learned: a season, a competitor).
    /// Default 0.5; range 0.01..=5.
    pub shared_sd: f64,
    /// Prior sd of a channel's common scale this week around the shared one.
    /// Default 0.2; range 0.01..=5.
    pub channel_sd: f64,
    /// Prior sd of a station's (publisher's) scale around its channel's.
    /// Default 0.3; range 0.01..=5.
    pub station_sd: f64,
    /// Prior sd of one line's scale around its station's. Default 0.2;
    /// range 0.01..=5.
    pub line_sd: f64,
    /// Standardised residual beyond which an interval's weight falls (Huber).
    /// Default 2.5; range 1..=100 (100: plain least squares).
    pub huber: f64,
    /// Reweighting rounds at most. Default 100; range 1..=10,000.
    pub max_iterations: usize,
}

impl Default for AttributionModel {
    fn default() -> Self {
        AttributionModel {
            shared_sd: 0.5,
            channel_sd: 0.2,
            station_sd: 0.3,
            line_sd: 0.2,
            huber: 2.5,
            max_iterations: 100,
        }
    }
}

impl AttributionModel {
    /// The model with every hyper-parameter inside its documented range.
    pub fn check(self) -> Result<AttributionModel, String> {
        let within = |v: f64, lo: f64, hi: f64, name: &str| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(format!("{name} {v}: expected {lo}..={hi}"))
            }
        };
        within(self.shared_sd, 0.01, 5.0, "shared_sd")?;
        within(self.channel_sd, 0.01, 5.0, "channel_sd")?;
        within(self.station_sd, 0.01, 5.0, "station_sd")?;
        within(self.line_sd, 0.01, 5.0, "line_sd")?;
        within(self.huber, 1.0, 100.0, "huber")?;
        within(self.max_iterations as f64, 1.0, 10_000.0, "max_iterations")?;
        Ok(self)
    }
}

/// One line's extra calls at scale 1, on the observed cells.
#[derive(Debug, Clone, Default)]
pub struct LineColumn {
    /// (observed cell, extra calls).
    pub cells: Vec<(usize, f64)>,
    /// The channel the line pools with (an index into the channels).
    pub channel: usize,
    /// The station it pools with inside its channel (an index unique over
    /// channel × station).
    pub station: usize,
}

/// The observed week, cell by cell (open intervals with calls data only).
#[derive(Debug, Clone, Default)]
pub struct WeekCells {
    pub calls: Vec<f64>,
    /// Day index of each cell (into `days` of the problem).
    pub day: Vec<usize>,
    pub baseline: Vec<f64>,
    pub fixed: Vec<f64>,
}

/// What the fit needs.
#[derive(Debug, Clone)]
pub struct Problem {
    pub cells: WeekCells,
    pub days: usize,
    pub lines: Vec<LineColumn>,
    pub channels: usize,
    /// Negative-binomial size (`f64::INFINITY` = Poisson).
    pub dispersion_k: f64,
    /// Prior sd of the week's level against the forecast baseline.
    pub week_sd: f64,
    /// Prior sd of a day's level around the week's.
    pub day_sd: f64,
}

/// The fit: levels and scales with their posterior sds.
#[derive(Debug, Clone)]
pub struct Attribution {
    pub day_level: Vec<f64>,
    pub day_level_sd: Vec<f64>,
    pub scale: Vec<f64>,
    pub scale_sd: Vec<f64>,
    /// Posterior covariance of the scales (lines × lines).
    pub scale_cov: DMatrix<f64>,
    /// The fitted calls of each cell.
    pub fitted: Vec<f64>,
    pub iterations: usize,
}

impl AttributionModel {
    /// Fit levels and scales jointly.
    pub fn fit(&self, p: &Problem) -> Attribution {
        let n = p.days + p.lines.len();
        let design = design(p);
        let (precision, mean) = prior(p, self);
        let prior_rhs = &precision * &mean;
        let mut beta = mean.clone();
        let mut iterations = 0;
        let mut information = DMatrix::zeros(n, n);
        for it in 0..self.max_iterations {
            iterations = it + 1;
            let fitted = fitted_calls(p, &design, &beta);
            let weights = weights(p, &fitted, self.huber);
            information = weighted_cross(&design, &weights, n);
            let mut rhs = prior_rhs.clone();
            for (c, row) in design.iter().enumerate() {
                let target = weights[c] * (p.cells.calls[c] - p.cells.fixed[c]);
                for &(j, x) in row {
                    rhs[j] += x * target;
                }
            }
            let next = solve_nonnegative(&(&precision + &information), &rhs, p.days);
            let change = (&next - &beta).amax();
            beta = next;
            if change < 1e-7 {
                break;
            }
        }
        let cov = (&precision + &information).try_inverse().unwrap_or_else(|| DMatrix::zeros(n, n));
        let sd = |j: usize| cov[(j, j)].max(0.0).sqrt();
        Attribution {
            day_level: (0..p.days).map(|d| beta[d]).collect(),
            day_level_sd: (0..p.days).map(sd).collect(),
            scale: (p.days..n).map(|j| beta[j]).collect(),
            scale_sd: (p.days..n).map(sd).collect(),
            scale_cov: cov.view((p.days, p.days), (p.lines.len(), p.lines.len())).into_owned(),
            fitted: fitted_calls(p, &design, &beta).iter().copied().collect(),
            iterations,
        }
    }
}

/// Each cell's nonzero design entries: (parameter, value).
fn design(p: &Problem) -> Vec<Vec<(usize, f64)>> {
    let mut rows: Vec<Vec<(usize, f64)>> =
        p.cells.day.iter().zip(&p.cells.baseline).map(|(d, b)| vec![(*d, *b)]).collect();
    for (l, line) in p.lines.iter().enumerate() {
        for &(c, u) in &line.cells {
            rows[c].push((p.days + l, u));
        }
    }
    rows
}

/// The prior's precision matrix and mean (1 for every parameter).
fn prior(p: &Problem, m: &AttributionModel) -> (DMatrix<f64>, DVector<f64>) {
    let n = p.days + p.lines.len();
    let mut precision = DMatrix::zeros(n, n);
    let days: Vec<usize> = (0..p.days).collect();
    place_block(&mut precision, &days, p.week_sd, p.day_sd);
    let lines = line_prior_precision(p, m);
    let k = p.lines.len();
    precision.view_mut((p.days, p.days), (k, k)).copy_from(&lines);
    (precision, DVector::from_element(n, 1.0))
}

/// The precision of the line scales' prior: shared + channel + station + own variance.
fn line_prior_precision(p: &Problem, m: &AttributionModel) -> DMatrix<f64> {
    let k = p.lines.len();
    let (s2, c2, st2, l2) = (m.shared_sd.powi(2), m.channel_sd.powi(2), m.station_sd.powi(2), m.line_sd.powi(2));
    let (a, b) = (&p.lines, |x: bool, v: f64| if x { v } else { 0.0 });
    let cov = DMatrix::from_fn(k, k, |i, j| {
        s2 + b(a[i].channel == a[j].channel, c2) + b(a[i].station == a[j].station, st2) + b(i == j, l2)
    });
    cov.clone().cholesky().map(|c| c.inverse()).unwrap_or_else(|| DMatrix::from_diagonal_element(k, k, 1.0 / l2))
}

/// The precision of `shared² J + own² I` over `members`, placed in `into`.
fn place_block(into: &mut DMatrix<f64>, members: &[usize], shared: f64, own: f64) {
    let k = members.len();
    if k == 0 {
        return;
    }
    // (a² J + b² I)⁻¹ = (I − a² / (b² + k a²) J) / b²
    let (a2, b2) = (shared * shared, own * own);
    let off = -a2 / (b2 + k as f64 * a2) / b2;
    for (x, &i) in members.iter().enumerate() {
        for (y, &j) in members.iter().enumerate() {
            into[(i, j)] = off + if x == y { 1.0 / b2 } else { 0.0 };
        }
    }
}

fn fitted_calls(p: &Problem, design: &[Vec<(usize, f64)>], beta: &DVector<f64>) -> DVector<f64> {
    DVector::from_iterator(
        design.len(),
        design.iter().enumerate().map(|(c, row)| p.cells.fixed[c] + row.iter().map(|&(j, x)| beta[j] * x).sum::<f64>()),
    )
}

/// Negative-binomial working weights `1 / V(μ)`, times Huber's down-weighting
/// of cells far off the model.
fn weights(p: &Problem, fitted: &DVector<f64>, huber: f64) -> Vec<f64> {
    let inv_k = if p.dispersion_k.is_finite() && p.dispersion_k > 0.0 { 1.0 / p.dispersion_k } else { 0.0 };
    fitted
        .iter()
        .zip(&p.cells.calls)
        .map(|(mu, y)| {
            let mu = mu.max(0.5);
            let var = mu + inv_k * mu * mu;
            let z = ((y - mu) / var.sqrt()).abs();
            let h = if z <= huber { 1.0 } else { huber / z };
            h / var
        })
        .collect()
}

fn weighted_cross(design: &[Vec<(usize, f64)>], weights: &[f64], n: usize) -> DMatrix<f64> {
    let mut m = DMatrix::zeros(n, n);
    for (row, w) in design.iter().zip(weights) {
        for &(i, xi) in row {
            for &(j, xj) in row {
                m[(i, j)] += w * xi * xj;
            }
        }
    }
    m
}

/// Solve `a β = rhs` with the parameters from `first_scale` on held at zero
/// or more: a scale that comes out negative is pinned to zero and the rest
/// solved again.
fn solve_nonnegative(a: &DMatrix<f64>, rhs: &DVector<f64>, first_scale: usize) -> DVector<f64> {
    let n = rhs.len();
    let mut pinned = vec![false; n];
    loop {
        let mut a = a.clone();
        let mut rhs = rhs.clone();
        for j in (0..n).filter(|&j| pinned[j]) {
            a.row_mut(j).fill(0.0);
            a.column_mut(j).fill(0.0);
            a[(j, j)] = 1.0;
            rhs[j] = 0.0;
        }
        let beta = match a.clone().cholesky() {
            Some(ch) => ch.solve(&rhs),
            None => a.lu().solve(&rhs).unwrap_or_else(|| DVector::from_element(n, 1.0)),
        };
        let negative: Vec<usize> = (first_scale..n).filter(|&j| !pinned[j] && beta[j] < 0.0).collect();
        if negative.is_empty() {
            return beta.map(|v| if v.abs() < 1e-12 { 0.0 } else { v });
        }
        negative.into_iter().for_each(|j| pinned[j] = true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, Poisson};

    /// A day of 56 intervals at 40 calls, with two overlapping spot-like
    /// lines and a flat flight, drawn at known scales.
    fn case(scales: [f64; 3], seed: u64) -> (Problem, Vec<f64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let cells = 56 * 3;
        let mut w = WeekCells::default();
        let spot =
            |at: usize| -> Vec<(usize, f64)> { (0..6).map(|i| (at + i, 30.0 * 0.5f64.powi(i as i32))).collect() };
        let lines = vec![
            LineColumn { cells: spot(20), channel: 0, station: 0 },
            LineColumn { cells: spot(22), channel: 0, station: 1 },
            LineColumn { cells: (0..cells).map(|c| (c, 2.0)).collect(), channel: 1, station: 2 },
        ];
        let mut truth = vec![0.0; cells];
        for (l, s) in lines.iter().zip(scales) {
            for &(c, u) in &l.cells {
                truth[c] += s * u;
            }
        }
        for (c, extra) in truth.iter().enumerate() {
            let rate = 40.0 + extra;
            w.calls.push(Poisson::new(rate).unwrap().sample(&mut rng));
            w.day.push(c / 56);
            w.baseline.push(40.0);
            w.fixed.push(0.0);
        }
        let true_calls = lines.iter().zip(scales).map(|(l, s)| s * l.cells.iter().map(|c| c.1).sum::<f64>()).collect();
        let p =
            Problem { cells: w, days: 3, lines, channels: 2, dispersion_k: f64::INFINITY, week_sd: 0.03, day_sd: 0.03 };
        (p, true_calls)
    }

    #[test]
    fn overlapping_spots_are_separated_and_their_sum_is_found() {
        let (mut first, mut second, mut sum_err) = (0.0, 0.0, 0.0);
        for seed in 1..=20 {
            let (p, truth) = case([1.5, 0.5, 1.0], seed);
            let a = AttributionModel::default().fit(&p);
            assert!(a.scale.iter().all(|s| *s >= 0.0));
            let calls = |l: usize| a.scale[l] * p.lines[l].cells.iter().map(|c| c.1).sum::<f64>();
            first += a.scale[0] / 20.0;
            second += a.scale[1] / 20.0;
            sum_err += ((calls(0) + calls(1)) / (truth[0] + truth[1]) - 1.0).abs() / 20.0;
        }
        // Partial pooling pulls the two towards each other, never past each other.
        assert!(first > 1.2 && second < 0.8, "mean scales {first:.2} and {second:.2} (truth 1.5 and 0.5)");
        assert!(sum_err < 0.12, "the two spots' calls together off by {sum_err:.3} on average");
    }

    #[test]
    fn the_ranges_cover_the_truth_about_as_often_as_they_claim() {
        let (mut inside, mut total) = (0, 0);
        for seed in 1..=40 {
            let (p, _) = case([1.2, 0.8, 1.0], seed);
            let a = AttributionModel::default().fit(&p);
            for (l, s) in [1.2, 0.8].iter().enumerate() {
                total += 1;
                inside += usize::from((a.scale[l] - s).abs() <= 1.96 * a.scale_sd[l]);
            }
        }
        let share = inside as f64 / total as f64;
        assert!((0.85..=1.0).contains(&share), "95% ranges held {share}");
    }

    #[test]
    fn with_no_calls_data_a_line_keeps_its_prior_and_a_wide_range() {
        let (mut p, _) = case([1.0, 1.0, 1.0], 3);
        p.lines.push(LineColumn { cells: vec![], channel: 0, station: 0 });
        let a = AttributionModel::default().fit(&p);
        let last = a.scale.len() - 1;
        assert!((a.scale[last] - a.scale[0].min(a.scale[1])).abs() < 0.6, "{:?}", a.scale);
        assert!(a.scale_sd[last] > 0.25, "{:?}", a.scale_sd);
    }

    #[test]
    fn hyper_parameters_outside_their_range_are_refused() {
        assert!(AttributionModel { channel_sd: 0.0, ..Default::default() }.check().is_err());
        assert!(AttributionModel { shared_sd: 6.0, ..Default::default() }.check().is_err());
        assert!(AttributionModel { huber: 0.5, ..Default::default() }.check().is_err());
        assert!(AttributionModel::default().check().is_ok());
    }
}
