//! After the week: what each media line drove, what each of its calls cost
//! in media, and how many of its callers the centre answered and lost.
//!
//! The week's calls are split jointly into the baseline and each line's
//! response ([`attribution`]); this module turns the fit into marketing's
//! tables: one row per line, per channel × station × daypart, per day.
//! `ringcast review` (`pipeline::review`) reads the files and calls
//! [`review`]; the report writes the result.

pub mod attribution;

use crate::config::ChannelKind;
use crate::forecast::media::response::{daypart_of, DAYPARTS};
use crate::forecast::media::uplift::LineUplift;
use crate::ingest::media::MediaLine;
use attribution::{AttributionModel, LineColumn, Problem, WeekCells};
use chrono::{NaiveDate, NaiveDateTime, Timelike};
use ndarray::Array2;
use serde::Serialize;
use std::collections::BTreeMap;

/// How a line of the week went against the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    /// No as-run log was given: reviewed at its planned time.
    Planned,
    /// In the as-run log at its planned time.
    Aired,
    /// In the as-run log at another time: reviewed at the aired one.
    Moved,
    /// In the plan, not in the as-run log.
    NotAired,
    /// In the as-run log (no id), not in the plan.
    Unplanned,
}

impl LineStatus {
    pub fn label(self) -> &'static str {
        match self {
            LineStatus::Planned => "planned",
            LineStatus::Aired => "aired",
            LineStatus::Moved => "moved",
            LineStatus::NotAired => "not_aired",
            LineStatus::Unplanned => "unplanned",
        }
    }
    fn aired(self) -> bool {
        !matches!(self, LineStatus::NotAired)
    }
}

/// A line to review: as aired (or as planned), its calls under the learned
/// response at scale 1 and what the forecast said.
#[derive(Debug, Clone)]
pub struct ReviewedLine {
    pub line: MediaLine,
    pub planned_start: Option<NaiveDateTime>,
    pub status: LineStatus,
    /// Extra calls at the aired time under the learned response (empty when not aired).
    pub uplift: LineUplift,
    /// The forecast's extra calls of the planned line in the week's open intervals.
    pub forecast_extra_calls: Option<f64>,
}

/// Shares of each interval's calls that were answered and lost (hung up
/// before an answer), where known.
#[derive(Debug, Clone)]
pub struct Outcomes {
    pub answered: Array2<f64>,
    pub lost: Array2<f64>,
    /// Where the shares come from, for the report.
    pub source: String,
}

/// The week as it happened.
#[derive(Debug, Clone)]
pub struct WeekActuals {
    pub days: Vec<NaiveDate>,
    /// Calls per day × slot; NaN where the file has no data.
    pub calls: Array2<f64>,
    pub outcomes: Option<Outcomes>,
}

/// Everything [`review`] needs, on the week's days × slots grid.
pub struct ReviewInputs<'a> {
    pub open: &'a Array2<bool>,
    pub actuals: &'a WeekActuals,
    /// The forecast's baseline (no campaigns).
    pub baseline: &'a Array2<f64>,
    /// Calls of earlier lines still arriving in the week (carry-over), as forecast.
    pub carry_over: &'a Array2<f64>,
    /// The forecast's calls per day (the plan as published or refitted).
    pub forecast_by_day: Vec<f64>,
    pub lines: Vec<ReviewedLine>,
    pub dispersion_k: f64,
    /// Prior sd of a day's (and the week's) level against the baseline.
    pub day_sd: f64,
    pub model: &'a AttributionModel,
}

/// One line's review.
#[derive(Debug, Clone, Serialize)]
pub struct LineReview {
    pub line: String,
    pub status: LineStatus,
    pub channel: String,
    pub campaign: String,
    pub station: String,
    pub daypart: &'static str,
    pub start: NaiveDateTime,
    pub planned_start: Option<NaiveDateTime>,
    pub spend: f64,
    pub grps: Option<f64>,
    pub forecast_extra_calls: Option<f64>,
    /// Its calls that reached the centre in the week's open intervals.
    pub actual_extra_calls: Option<f64>,
    pub actual_extra_calls_low95: Option<f64>,
    pub actual_extra_calls_high95: Option<f64>,
    /// Its calls estimated to have come while the centre was closed.
    pub extra_calls_while_closed: Option<f64>,
    /// Its calls estimated to come after the week (carry-over).
    pub extra_calls_after_week: Option<f64>,
    /// Actual / forecast extra calls.
    pub ratio: Option<f64>,
    /// Times its learned response it drew (1 = as learned).
    pub response_scale: Option<f64>,
    pub answered_extra_calls: Option<f64>,
    pub lost_extra_calls: Option<f64>,
    pub media_cost_per_extra_call: Option<f64>,
    pub media_cost_per_answered_call: Option<f64>,
    /// Actual extra calls per GRP (spots with GRPs) or per 1,000 of spend.
    pub calls_per_unit: Option<f64>,
    pub unit: &'static str,
}

/// Lines of one channel × station × daypart.
#[derive(Debug, Clone, Serialize)]
pub struct StationReview {
    pub channel: String,
    pub station: String,
    pub daypart: &'static str,
    pub lines: usize,
    pub spend: f64,
    pub grps: Option<f64>,
    pub actual_extra_calls: f64,
    pub calls_per_unit: Option<f64>,
    pub unit: &'static str,
    pub media_cost_per_extra_call: Option<f64>,
    /// Rank within the channel by calls per unit (1 = the most).
    pub rank: usize,
}

/// One day of the week.
#[derive(Debug, Clone, Serialize)]
pub struct DayReview {
    pub day: NaiveDate,
    pub open: bool,
    pub actual: Option<f64>,
    pub forecast: f64,
    /// The fitted baseline (the history's forecast at the day's fitted level).
    pub baseline: Option<f64>,
    /// Calls of the week's lines and of earlier lines' carry-over.
    pub campaigns: Option<f64>,
    /// Actual − baseline − campaigns: what no line or baseline explains.
    pub unexplained: Option<f64>,
    pub level: Option<f64>,
}

/// The week's totals.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewTotals {
    pub actual_calls: f64,
    pub forecast_calls: f64,
    pub forecast_extra_calls: f64,
    pub actual_extra_calls: f64,
    pub actual_extra_calls_low95: f64,
    pub actual_extra_calls_high95: f64,
    /// Actual / forecast extra calls over the lines with a forecast.
    pub ratio: Option<f64>,
    pub answered_extra_calls: Option<f64>,
    pub lost_extra_calls: Option<f64>,
    pub spend: f64,
    pub media_cost_per_extra_call: Option<f64>,
    pub media_cost_per_answered_call: Option<f64>,
    pub unexplained_calls: f64,
    pub outcomes_source: Option<String>,
}

/// The review of the week.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub lines: Vec<LineReview>,
    pub stations: Vec<StationReview>,
    pub days: Vec<DayReview>,
    pub totals: ReviewTotals,
}

/// The daypart label of a spot ("" for flights and drops).
pub fn daypart_label(l: &MediaLine) -> &'static str {
    if l.kind == ChannelKind::Spot {
        DAYPARTS[daypart_of(l.start.hour())].0
    } else {
        ""
    }
}

/// The unit a line's calls are counted per: GRPs for spots with them, else 1,000 of spend.
fn unit_of(l: &MediaLine) -> (&'static str, f64) {
    match (l.kind, l.grps) {
        (ChannelKind::Spot, Some(g)) => ("grp", g),
        _ => ("1000_spend", l.spend / 1000.0),
    }
}

fn per(a: f64, b: f64) -> Option<f64> {
    (b > 0.0 && a.is_finite()).then(|| a / b)
}

/// The observed cells (open, with calls data) in day and slot order: the
/// cell of each day × slot (`usize::MAX` where none), the cells, and where
/// each cell is.
fn observed_cells(inp: &ReviewInputs<'_>) -> (Array2<usize>, WeekCells, Vec<(usize, usize)>) {
    let days = &inp.actuals.days;
    let slots = inp.open.ncols();
    let mut cell_of = Array2::from_elem((days.len(), slots), usize::MAX);
    let mut cells = WeekCells::default();
    let mut cell_pos = Vec::new();
    for k in 0..days.len() {
        for s in 0..slots {
            let y = inp.actuals.calls[[k, s]];
            if inp.open[[k, s]] && y.is_finite() {
                cell_of[[k, s]] = cells.calls.len();
                cells.calls.push(y);
                cells.day.push(k);
                cells.baseline.push(inp.baseline[[k, s]]);
                cells.fixed.push(inp.carry_over[[k, s]]);
                cell_pos.push((k, s));
            }
        }
    }
    (cell_of, cells, cell_pos)
}

/// Review the week.
pub fn review(inp: ReviewInputs<'_>) -> Review {
    let days = &inp.actuals.days;
    let day_index: BTreeMap<NaiveDate, usize> = days.iter().enumerate().map(|(k, d)| (*d, k)).collect();
    let (cell_of, cells, cell_pos) = observed_cells(&inp);
    let channels: Vec<String> = {
        let mut c: Vec<String> = inp.lines.iter().map(|l| l.line.channel.clone()).collect();
        c.sort();
        c.dedup();
        c
    };
    let stations: Vec<(String, String)> = {
        let mut c: Vec<(String, String)> =
            inp.lines.iter().map(|l| (l.line.channel.clone(), l.line.station.clone())).collect();
        c.sort();
        c.dedup();
        c
    };
    let aired: Vec<usize> = (0..inp.lines.len()).filter(|&i| inp.lines[i].status.aired()).collect();
    let columns: Vec<LineColumn> = aired
        .iter()
        .map(|&i| {
            let l = &inp.lines[i];
            let cells = l
                .uplift
                .cells
                .iter()
                .filter_map(|(d, s, v)| {
                    let k = *day_index.get(d)?;
                    let c = cell_of[[k, *s]];
                    (c != usize::MAX && *v > 0.0).then_some((c, *v))
                })
                .collect();
            let station = (l.line.channel.clone(), l.line.station.clone());
            LineColumn {
                cells,
                channel: channels.binary_search(&l.line.channel).unwrap_or(0),
                station: stations.binary_search(&station).unwrap_or(0),
            }
        })
        .collect();
    let problem = Problem {
        cells,
        days: days.len(),
        lines: columns,
        channels: channels.len(),
        dispersion_k: inp.dispersion_k,
        week_sd: inp.day_sd,
        day_sd: inp.day_sd,
    };
    let fit = inp.model.fit(&problem);
    let mut scale = vec![None; inp.lines.len()];
    for (j, &i) in aired.iter().enumerate() {
        scale[i] = Some((fit.scale[j], fit.scale_sd[j]));
    }
    let outcome_share = |l: &ReviewedLine, s: f64| -> Option<(f64, f64)> {
        let o = inp.actuals.outcomes.as_ref()?;
        let (mut w, mut a, mut lost) = (0.0, 0.0, 0.0);
        for (d, slot, v) in &l.uplift.cells {
            let Some(&k) = day_index.get(d) else { continue };
            let (ans, lo) = (o.answered[[k, *slot]], o.lost[[k, *slot]]);
            if inp.open[[k, *slot]] && ans.is_finite() && lo.is_finite() {
                w += s * v;
                a += s * v * ans;
                lost += s * v * lo;
            }
        }
        (w > 0.0).then(|| (a / w, lost / w))
    };
    let lines: Vec<LineReview> = inp
        .lines
        .iter()
        .zip(&scale)
        .map(|(l, sc)| line_review(l, *sc, days, inp.open, &day_index, &|s| outcome_share(l, s)))
        .collect();
    let stations = station_table(&lines);
    let day_rows = day_table(&inp, &problem, &fit, &cell_pos);
    let in_week: Vec<f64> = aired.iter().map(|&i| week_split(&inp.lines[i], days, inp.open, &day_index).0).collect();
    let total_sd = (0..aired.len())
        .flat_map(|a| (0..aired.len()).map(move |b| (a, b)))
        .map(|(a, b)| in_week[a] * in_week[b] * fit.scale_cov[(a, b)])
        .sum::<f64>()
        .max(0.0)
        .sqrt();
    let totals = totals(&lines, &day_rows, &inp, total_sd);
    Review { lines, stations, days: day_rows, totals }
}

type OutcomeShare<'a> = dyn Fn(f64) -> Option<(f64, f64)> + 'a;

fn line_review(
    l: &ReviewedLine,
    scale: Option<(f64, f64)>,
    days: &[NaiveDate],
    open: &Array2<bool>,
    day_index: &BTreeMap<NaiveDate, usize>,
    outcome_share: &OutcomeShare<'_>,
) -> LineReview {
    let (unit, size) = unit_of(&l.line);
    let (in_week, after) = week_split(l, days, open, day_index);
    let estimate = scale.map(|(s, sd)| {
        let calls = s * in_week;
        (s, calls, (calls - 1.96 * sd * in_week).max(0.0), calls + 1.96 * sd * in_week)
    });
    let actual = estimate.map(|e| e.1);
    let shares = scale.and_then(|(s, _)| outcome_share(s.max(1e-9)));
    let answered = actual.zip(shares).map(|(a, (ans, _))| a * ans);
    let lost = actual.zip(shares).map(|(a, (_, lost))| (a * lost).min(a));
    let spend = if l.status.aired() { l.line.spend } else { 0.0 };
    LineReview {
        line: l.line.id.clone(),
        status: l.status,
        channel: l.line.channel.clone(),
        campaign: l.line.campaign.clone(),
        station: l.line.station.clone(),
        daypart: daypart_label(&l.line),
        start: l.line.start,
        planned_start: l.planned_start,
        spend: l.line.spend,
        grps: l.line.grps,
        forecast_extra_calls: l.forecast_extra_calls,
        actual_extra_calls: actual,
        actual_extra_calls_low95: estimate.map(|e| e.2),
        actual_extra_calls_high95: estimate.map(|e| e.3),
        extra_calls_while_closed: estimate.map(|e| e.0 * l.uplift.lost_when_closed),
        extra_calls_after_week: estimate.map(|e| e.0 * after),
        ratio: actual.zip(l.forecast_extra_calls).and_then(|(a, f)| per(a, f)),
        response_scale: estimate.map(|e| e.0),
        answered_extra_calls: answered,
        lost_extra_calls: lost,
        media_cost_per_extra_call: actual.and_then(|a| per(spend, a)),
        media_cost_per_answered_call: answered.and_then(|a| per(spend, a)),
        calls_per_unit: actual.and_then(|a| per(a, size)),
        unit,
    }
}

/// A line's calls (at scale 1) in the week's open intervals, and after the week.
fn week_split(
    l: &ReviewedLine,
    days: &[NaiveDate],
    open: &Array2<bool>,
    day_index: &BTreeMap<NaiveDate, usize>,
) -> (f64, f64) {
    let last = days.last().copied();
    l.uplift.cells.iter().fold((0.0, 0.0), |(week, after), (d, s, v)| match day_index.get(d) {
        Some(&k) if open[[k, *s]] => (week + v, after),
        None if Some(*d) > last => (week, after + v),
        _ => (week, after),
    })
}

/// Lines grouped by channel × station × daypart, ranked within each channel.
fn station_table(lines: &[LineReview]) -> Vec<StationReview> {
    let mut groups: BTreeMap<(String, String, &'static str), Vec<&LineReview>> = BTreeMap::new();
    for l in lines.iter().filter(|l| l.actual_extra_calls.is_some()) {
        groups.entry((l.channel.clone(), l.station.clone(), l.daypart)).or_default().push(l);
    }
    let mut rows: Vec<StationReview> = groups
        .into_iter()
        .map(|((channel, station, daypart), ls)| {
            let spend: f64 = ls.iter().map(|l| l.spend).sum();
            let calls: f64 = ls.iter().filter_map(|l| l.actual_extra_calls).sum();
            let unit = ls[0].unit;
            let grps = (unit == "grp").then(|| ls.iter().filter_map(|l| l.grps).sum::<f64>());
            let size = grps.unwrap_or(spend / 1000.0);
            StationReview {
                channel,
                station,
                daypart,
                lines: ls.len(),
                spend,
                grps,
                actual_extra_calls: calls,
                calls_per_unit: per(calls, size),
                unit,
                media_cost_per_extra_call: per(spend, calls),
                rank: 0,
            }
        })
        .collect();
    let channels: Vec<String> = rows.iter().map(|r| r.channel.clone()).collect();
    for ch in channels {
        let mut members: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].channel == ch).collect();
        members.sort_by(|&a, &b| {
            let (x, y) = (rows[a].calls_per_unit.unwrap_or(0.0), rows[b].calls_per_unit.unwrap_or(0.0));
            y.total_cmp(&x)
        });
        for (r, i) in members.into_iter().enumerate() {
            rows[i].rank = r + 1;
        }
    }
    rows
}

fn day_table(
    inp: &ReviewInputs<'_>,
    p: &Problem,
    fit: &attribution::Attribution,
    cell_pos: &[(usize, usize)],
) -> Vec<DayReview> {
    let n = inp.actuals.days.len();
    let (mut actual, mut base, mut fitted) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut seen = vec![false; n];
    for (c, &(k, _)) in cell_pos.iter().enumerate() {
        seen[k] = true;
        actual[k] += p.cells.calls[c];
        base[k] += fit.day_level[k] * p.cells.baseline[c];
        fitted[k] += fit.fitted[c];
    }
    (0..n)
        .map(|k| {
            let open = inp.open.row(k).iter().any(|o| *o);
            let has = seen[k];
            DayReview {
                day: inp.actuals.days[k],
                open,
                actual: has.then_some(actual[k]),
                forecast: inp.forecast_by_day.get(k).copied().unwrap_or(0.0),
                baseline: has.then_some(base[k]),
                campaigns: has.then_some(fitted[k] - base[k]),
                unexplained: has.then_some(actual[k] - fitted[k]),
                level: has.then_some(fit.day_level[k]),
            }
        })
        .collect()
}

fn totals(lines: &[LineReview], days: &[DayReview], inp: &ReviewInputs<'_>, sd: f64) -> ReviewTotals {
    let sum = |f: &dyn Fn(&LineReview) -> Option<f64>| lines.iter().filter_map(f).sum::<f64>();
    let with_forecast: Vec<&LineReview> =
        lines.iter().filter(|l| l.forecast_extra_calls.is_some() && l.actual_extra_calls.is_some()).collect();
    let f: f64 = with_forecast.iter().filter_map(|l| l.forecast_extra_calls).sum();
    let a: f64 = with_forecast.iter().filter_map(|l| l.actual_extra_calls).sum();
    let actual_extra = sum(&|l| l.actual_extra_calls);
    let known = inp.actuals.outcomes.is_some();
    let answered = known.then(|| sum(&|l| l.answered_extra_calls));
    let spend: f64 = lines.iter().filter(|l| l.status.aired()).map(|l| l.spend).sum();
    ReviewTotals {
        actual_calls: days.iter().filter_map(|d| d.actual).sum(),
        forecast_calls: days.iter().map(|d| d.forecast).sum(),
        forecast_extra_calls: sum(&|l| l.forecast_extra_calls),
        actual_extra_calls: actual_extra,
        actual_extra_calls_low95: (actual_extra - 1.96 * sd).max(0.0),
        actual_extra_calls_high95: actual_extra + 1.96 * sd,
        ratio: per(a, f),
        answered_extra_calls: answered,
        lost_extra_calls: known.then(|| sum(&|l| l.lost_extra_calls)),
        spend,
        media_cost_per_extra_call: per(spend, actual_extra),
        media_cost_per_answered_call: answered.and_then(|a| per(spend, a)),
        unexplained_calls: days.iter().filter_map(|d| d.unexplained).sum(),
        outcomes_source: inp.actuals.outcomes.as_ref().map(|o| o.source.clone()),
    }
}
