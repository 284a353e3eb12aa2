//! Learning channel responses from past media plans and call history.
//!
//! Given the history-only baseline `b`, the calls a channel adds are
//! `k · u(θ)`: the scale `k` enters linearly, the shape θ (saturation β and the
//! burst kernel, or the carry-over λ) does not. For each θ the best `k` has a
//! closed form (weighted least squares with Poisson weights 1/b), so θ is found
//! by profiling: a coarse grid, then coordinate refinement. Channels are fitted in
//! turn against what the others leave (backfitting), a few rounds.
//!
//! Only the cells a channel touches enter its fit, which keeps two years of
//! history with five channels well under a second.

use super::response::{BurstKernel, ChannelResponse, FlightResponse, SpotResponse};
use super::uplift::{daily, spot, DayShapes, LineUplift};
use crate::config::ChannelKind;
use crate::ingest::media::MediaLine;
use chrono::NaiveDate;
use ndarray::Array2;
use serde::Serialize;
use std::collections::BTreeMap;

/// Hyper-parameters of the media fit.
#[derive(Debug, Clone)]
pub struct MediaModel {
    /// Minutes from air time to the first call; fixed, not learned. Default 0.5, range 0..5.
    pub onset_minutes: f64,
    /// Backfitting rounds over the channels. Default 3, range 1..10.
    pub rounds: usize,
    /// A channel needs at least this many past lines to be learned. Default 3.
    pub min_lines: usize,
}

impl Default for MediaModel {
    fn default() -> Self {
        Self {
            onset_minutes: 0.5,
            rounds: 3,
            min_lines: 3,
        }
    }
}

/// What was learned about one channel, in planner's units.
#[derive(Debug, Clone, Serialize)]
pub struct ChannelReport {
    pub channel: String,
    pub kind: &'static str,
    pub lines: usize,
    /// Calls per GRP over the past spots that had GRPs (spots only).
    pub calls_per_grp: Option<f64>,
    /// Calls per 1,000 spent over the past lines.
    pub calls_per_1000: f64,
    /// Relative standard error of the response scale (uncertainty of the two above).
    pub relative_se: f64,
    /// Saturation exponent β (1 = linear).
    pub saturation_beta: f64,
    /// Minute of the peak call rate after air time (spots).
    pub peak_minute: Option<f64>,
    /// Share of a spot's calls within 15 and 60 minutes (spots).
    pub share_15_min: Option<f64>,
    pub share_60_min: Option<f64>,
    /// Days for carried-over activity to halve (flights, drops).
    pub half_life_days: Option<f64>,
}

/// The learned responses.
#[derive(Debug, Clone, Default)]
pub struct FittedMedia {
    pub responses: BTreeMap<String, ChannelResponse>,
    pub reports: Vec<ChannelReport>,
    /// Channels present in the past plans but not learned, with why.
    pub skipped: Vec<(String, String)>,
}

/// The data a fit needs, aligned on the history grid.
pub struct FitData<'a> {
    pub days: &'a [NaiveDate],
    /// Observed calls; NaN where no data.
    pub observed: &'a Array2<f64>,
    /// History-only expected calls on the same grid.
    pub baseline: &'a Array2<f64>,
    /// Intraday shapes of the history days (for spreading day-level calls).
    pub shapes: &'a DayShapes,
}

impl MediaModel {
    /// Learn every channel of `lines` (past media plans).
    pub fn fit(&self, data: &FitData<'_>, lines: &[MediaLine]) -> FittedMedia {
        let index: BTreeMap<NaiveDate, usize> =
            data.days.iter().enumerate().map(|(k, d)| (*d, k)).collect();
        let mut by_channel: BTreeMap<String, Vec<&MediaLine>> = BTreeMap::new();
        for l in lines {
            by_channel.entry(l.channel.clone()).or_default().push(l);
        }
        let mut out = FittedMedia::default();
        let mut fits: BTreeMap<String, Channel> = BTreeMap::new();
        for (ch, ls) in &by_channel {
            let in_history = ls
                .iter()
                .filter(|l| index.contains_key(&l.start.date()))
                .count();
            if in_history < self.min_lines {
                out.skipped.push((ch.clone(), format!("{in_history} line(s) fall within the history; at least {} needed to learn a response", self.min_lines)));
                continue;
            }
            let kind = ls[0].kind;
            fits.insert(ch.clone(), Channel::initial(kind, self.onset_minutes));
        }
        // Current uplift of each channel on the grid, for backfitting.
        let shape = data.observed.raw_dim();
        let mut current: BTreeMap<String, Array2<f64>> = fits
            .keys()
            .map(|c| (c.clone(), Array2::zeros(shape)))
            .collect();
        for _ in 0..self.rounds {
            for (ch, fit) in fits.iter_mut() {
                let others: Array2<f64> = current
                    .iter()
                    .filter(|(c, _)| *c != ch)
                    .fold(Array2::zeros(shape), |acc, (_, g)| acc + g);
                let resid = Array2::from_shape_fn(shape, |ix| {
                    data.observed[ix] - data.baseline[ix] - others[ix]
                });
                let ctx = Ctx {
                    index: &index,
                    resid: &resid,
                    baseline: data.baseline,
                    shapes: data.shapes,
                };
                fit.refine(&ctx, &by_channel[ch]);
                current.insert(ch.clone(), fit.grid(&ctx, &by_channel[ch]));
            }
        }
        for (ch, fit) in &fits {
            let ls = &by_channel[ch];
            let resp = fit.response();
            let calls: Vec<f64> = ls
                .iter()
                .map(|l| line_calls(l, &resp, data.shapes))
                .collect();
            out.reports.push(report(ch, fit, &resp, ls, &calls));
            out.responses.insert(ch.clone(), resp);
        }
        out
    }
}

/// Planner's summary of a response over a set of lines (also used for the ground truth).
pub fn summarise(
    channel: &str,
    resp: &ChannelResponse,
    lines: &[&MediaLine],
    shapes: &DayShapes,
) -> ChannelReport {
    let calls: Vec<f64> = lines.iter().map(|l| line_calls(l, resp, shapes)).collect();
    let fit = Channel {
        kind: lines.first().map(|l| l.kind).unwrap_or(ChannelKind::Flight),
        shape: Shape::from(resp),
        scale: 0.0,
        se: 0.0,
    };
    report(channel, &fit, resp, lines, &calls)
}

/// All calls a line causes, including those arriving while the centre is closed.
fn line_calls(l: &MediaLine, r: &ChannelResponse, shapes: &DayShapes) -> f64 {
    let u: LineUplift = match r {
        ChannelResponse::Spot(s) => spot(l, s, shapes),
        ChannelResponse::Daily(f) => daily(l, f, shapes, l.kind == ChannelKind::Drop),
    };
    u.total() + u.lost_when_closed
}

fn report(
    ch: &str,
    fit: &Channel,
    resp: &ChannelResponse,
    ls: &[&MediaLine],
    calls: &[f64],
) -> ChannelReport {
    let total: f64 = calls.iter().sum();
    let spend: f64 = ls.iter().map(|l| l.spend).sum::<f64>() / 1000.0;
    let (grp_calls, grps) = ls
        .iter()
        .zip(calls)
        .filter_map(|(l, c)| l.grps.map(|g| (*c, g)))
        .fold((0.0, 0.0), |a, (c, g)| (a.0 + c, a.1 + g));
    let mut r = ChannelReport {
        channel: ch.to_string(),
        kind: match fit.kind {
            ChannelKind::Spot => "spot",
            ChannelKind::Flight => "flight",
            ChannelKind::Drop => "drop",
        },
        lines: ls.len(),
        calls_per_grp: None,
        calls_per_1000: if spend > 0.0 { total / spend } else { 0.0 },
        relative_se: if fit.scale > 0.0 {
            fit.se / fit.scale
        } else {
            0.0
        },
        saturation_beta: 0.0,
        peak_minute: None,
        share_15_min: None,
        share_60_min: None,
        half_life_days: None,
    };
    match resp {
        ChannelResponse::Spot(s) => {
            r.saturation_beta = s.beta;
            r.calls_per_grp = (grps > 0.0).then(|| grp_calls / grps);
            r.peak_minute = Some(s.kernel.peak_minute());
            r.share_15_min = Some(s.kernel.cdf(15.0));
            r.share_60_min = Some(s.kernel.cdf(60.0));
        }
        ChannelResponse::Daily(f) => {
            r.saturation_beta = f.beta;
            r.half_life_days = Some(f.half_life_days());
        }
    }
    r
}

struct Ctx<'a> {
    index: &'a BTreeMap<NaiveDate, usize>,
    resid: &'a Array2<f64>,
    baseline: &'a Array2<f64>,
    shapes: &'a DayShapes,
}

/// The nonlinear shape parameters of a channel.
#[derive(Debug, Clone, Copy)]
enum Shape {
    Spot {
        beta: f64,
        median: f64,
        sigma: f64,
        onset: f64,
    },
    Daily {
        beta: f64,
        carryover: f64,
    },
}

impl Shape {
    fn from(r: &ChannelResponse) -> Shape {
        match r {
            ChannelResponse::Spot(s) => Shape::Spot {
                beta: s.beta,
                median: s.kernel.mu.exp(),
                sigma: s.kernel.sigma,
                onset: s.kernel.onset_minutes,
            },
            ChannelResponse::Daily(f) => Shape::Daily {
                beta: f.beta,
                carryover: f.carryover,
            },
        }
    }
    fn response(&self, scale: f64) -> ChannelResponse {
        match *self {
            Shape::Spot {
                beta,
                median,
                sigma,
                onset,
            } => ChannelResponse::Spot(SpotResponse {
                scale,
                beta,
                kernel: BurstKernel {
                    onset_minutes: onset,
                    mu: median.ln(),
                    sigma,
                },
            }),
            Shape::Daily { beta, carryover } => ChannelResponse::Daily(FlightResponse {
                scale,
                beta,
                carryover,
            }),
        }
    }
    /// Parameters as a vector, with bounds, for coordinate search.
    fn params(&self) -> Vec<(f64, f64, f64)> {
        match *self {
            Shape::Spot {
                beta,
                median,
                sigma,
                ..
            } => vec![
                (beta, 0.2, 1.2),
                (median.ln(), 0.0f64.max(-1.0), 4.0),
                (sigma, 0.2, 2.5),
            ],
            Shape::Daily { beta, carryover } => vec![(beta, 0.2, 1.2), (carryover, 0.0, 0.95)],
        }
    }
    fn with(&self, p: &[f64]) -> Shape {
        match *self {
            Shape::Spot { onset, .. } => Shape::Spot {
                beta: p[0],
                median: p[1].exp(),
                sigma: p[2],
                onset,
            },
            Shape::Daily { .. } => Shape::Daily {
                beta: p[0],
                carryover: p[1],
            },
        }
    }
}

struct Channel {
    kind: ChannelKind,
    shape: Shape,
    scale: f64,
    se: f64,
}

impl Channel {
    fn initial(kind: ChannelKind, onset: f64) -> Channel {
        let shape = match kind {
            ChannelKind::Spot => Shape::Spot {
                beta: 0.8,
                median: 5.0,
                sigma: 1.0,
                onset,
            },
            _ => Shape::Daily {
                beta: 0.7,
                carryover: 0.4,
            },
        };
        Channel {
            kind,
            shape,
            scale: 0.0,
            se: 0.0,
        }
    }

    fn response(&self) -> ChannelResponse {
        self.shape.response(self.scale)
    }

    /// Weighted fit of the scale for a shape: (scale, se, sse reduction).
    fn score(&self, ctx: &Ctx<'_>, lines: &[&MediaLine], shape: Shape) -> (f64, f64, f64) {
        let unit = shape.response(1.0);
        let (mut ru, mut uu, mut rr, mut n) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        let mut touched: BTreeMap<(usize, usize), f64> = BTreeMap::new();
        for l in lines {
            for (d, s, v) in unit_cells(l, &unit, ctx.shapes) {
                if let Some(&k) = ctx.index.get(&d) {
                    *touched.entry((k, s)).or_default() += v;
                }
            }
        }
        for (&(k, s), &u) in &touched {
            let r = ctx.resid[[k, s]];
            if r.is_nan() {
                continue;
            }
            let w = 1.0 / ctx.baseline[[k, s]].max(1.0);
            ru += w * r * u;
            uu += w * u * u;
            rr += w * r * r;
            n += 1.0;
        }
        if uu <= 0.0 {
            return (0.0, 0.0, 0.0);
        }
        let scale = (ru / uu).max(0.0);
        let gain = if ru > 0.0 { ru * ru / uu } else { 0.0 };
        let sigma2 = ((rr - gain) / (n - 1.0).max(1.0)).max(1e-12);
        (scale, (sigma2 / uu).sqrt(), gain)
    }

    /// Grid then coordinate search over the shape, scale in closed form.
    fn refine(&mut self, ctx: &Ctx<'_>, lines: &[&MediaLine]) {
        let base = self.shape;
        let mut best = (f64::NEG_INFINITY, base, 0.0, 0.0);
        let consider = |sh: Shape, best: &mut (f64, Shape, f64, f64)| {
            let (scale, se, gain) = self.score(ctx, lines, sh);
            if gain > best.0 {
                *best = (gain, sh, scale, se);
            }
        };
        // Coarse grid.
        match base {
            Shape::Spot { onset, .. } => {
                for beta in [0.5, 0.7, 0.9, 1.1] {
                    for median in [1.5, 3.0, 5.0, 8.0, 13.0, 20.0] {
                        for sigma in [0.5, 0.9, 1.3, 1.8] {
                            consider(
                                Shape::Spot {
                                    beta,
                                    median,
                                    sigma,
                                    onset,
                                },
                                &mut best,
                            );
                        }
                    }
                }
            }
            Shape::Daily { .. } => {
                for beta in [0.4, 0.6, 0.8, 1.0] {
                    for carryover in [0.0, 0.2, 0.4, 0.6, 0.8] {
                        consider(Shape::Daily { beta, carryover }, &mut best);
                    }
                }
            }
        }
        consider(base, &mut best);
        // Coordinate refinement with halving steps.
        let mut p: Vec<f64> = best.1.params().iter().map(|x| x.0).collect();
        let bounds: Vec<(f64, f64)> = best.1.params().iter().map(|x| (x.1, x.2)).collect();
        let mut step: Vec<f64> = bounds.iter().map(|(lo, hi)| (hi - lo) / 8.0).collect();
        for _ in 0..7 {
            for j in 0..p.len() {
                for dir in [-1.0, 1.0] {
                    let mut q = p.clone();
                    q[j] = (p[j] + dir * step[j]).clamp(bounds[j].0, bounds[j].1);
                    let before = best.0;
                    consider(best.1.with(&q), &mut best);
                    if best.0 > before {
                        p = q;
                    }
                }
                step[j] /= 2.0;
            }
        }
        self.shape = best.1;
        self.scale = best.2;
        self.se = best.3;
    }

    fn grid(&self, ctx: &Ctx<'_>, lines: &[&MediaLine]) -> Array2<f64> {
        let mut g = Array2::zeros(ctx.resid.raw_dim());
        let r = self.response();
        for l in lines {
            for (d, s, v) in unit_cells(l, &r, ctx.shapes) {
                if let Some(&k) = ctx.index.get(&d) {
                    g[[k, s]] += v;
                }
            }
        }
        g
    }
}

fn unit_cells(
    l: &MediaLine,
    r: &ChannelResponse,
    shapes: &DayShapes,
) -> Vec<(NaiveDate, usize, f64)> {
    match r {
        ChannelResponse::Spot(s) => spot(l, s, shapes).cells,
        ChannelResponse::Daily(f) => daily(l, f, shapes, l.kind == ChannelKind::Drop).cells,
    }
}
