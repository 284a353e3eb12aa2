//! PNG charts for planners, managers and marketing (plotters, bitmap backend).
//!
//! The font is bundled (DejaVu Sans, `assets/`), so charts render the same on a
//! machine without system fonts, and the same input gives the same bytes.
//! Every chart has a title, axis labels with units, a legend and local times.

use super::chart_kit::{
    beside_legend, err, finish, legend_panel, legend_panel_wrapped, register_font, tick, titled_canvas, Area,
    ChartResult, Mark, Midnights,
};
use chrono::{Duration, NaiveDateTime};
use plotters::prelude::*;
use std::path::Path;

const BASELINE: RGBColor = RGBColor(70, 110, 170);
/// The forecast's baseline area: a light tint of [`BASELINE`], opaque.
const BASELINE_FILL: RGBColor = RGBColor(150, 180, 220);
const UPLIFT: RGBColor = RGBColor(230, 130, 40);
const ACTUAL: RGBColor = RGBColor(40, 40, 40);
const REQUIRED: RGBColor = RGBColor(200, 40, 40);
const SCHEDULED: RGBColor = RGBColor(40, 120, 60);
const SL: RGBColor = RGBColor(110, 60, 160);

/// A time axis: point `i` is at `start + i · step_minutes`, except that from
/// point `resume.0` on it is at `resume.1 + (i − resume.0) · step_minutes` —
/// a history that ends days before the forecast week is drawn right beside
/// it, its last whole days rather than the empty days between.
#[derive(Debug, Clone, Copy)]
pub struct TimeAxis {
    pub start: NaiveDateTime,
    pub step_minutes: u32,
    pub resume: Option<(f64, NaiveDateTime)>,
}

impl TimeAxis {
    /// A regular axis from `start`.
    pub fn new(start: NaiveDateTime, step_minutes: u32) -> Self {
        TimeAxis { start, step_minutes, resume: None }
    }
    fn label(&self, x: f64) -> String {
        let (from, x) = match self.resume {
            Some((at, resume)) if x >= at => (resume, x - at),
            _ => (self.start, x),
        };
        let t = from + Duration::minutes((x * self.step_minutes as f64).round() as i64);
        t.format("%a %d %b").to_string()
    }
    fn x_of(&self, t: NaiveDateTime) -> f64 {
        match self.resume {
            Some((at, resume)) if t >= resume => at + (t - resume).num_minutes() as f64 / self.step_minutes as f64,
            _ => (t - self.start).num_minutes() as f64 / self.step_minutes as f64,
        }
    }
}

/// Data of `charts/forecast.png`.
pub struct ForecastChart<'a> {
    pub title: &'a str,
    pub axis: TimeAxis,
    /// Recent actual calls (None where the centre was closed / no data).
    pub actual: &'a [Option<f64>],
    /// Index where the forecast begins.
    pub forecast_from: usize,
    pub baseline: &'a [f64],
    pub uplift: &'a [f64],
    pub lo95: &'a [f64],
    pub hi95: &'a [f64],
    /// TV/radio air times in the forecast period.
    pub spots: &'a [NaiveDateTime],
    pub interval_minutes: u32,
}

/// Recent actuals and the week's forecast with its 95% band, baseline and
/// campaign uplift stacked, TV air times marked.
pub fn forecast_chart(path: &Path, c: &ForecastChart<'_>) -> ChartResult {
    register_font();
    let n = c.forecast_from + c.baseline.len();
    let per_day = (1440 / c.interval_minutes as usize).max(1);
    let ymax = c.actual.iter().flatten().copied().chain(c.hi95.iter().copied()).fold(1.0f64, f64::max) * 1.1;
    let root = titled_canvas(path, 800, c.title, 28)?;
    let (plot, side) = beside_legend(&root);
    let mut ch = ChartBuilder::on(&plot)
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(Midnights::new(n, per_day), 0f64..ymax)
        .map_err(err)?;
    let axis = c.axis;
    ch.configure_mesh()
        .x_label_formatter(&|x| axis.label(*x))
        .y_desc(format!("calls per {} minutes", c.interval_minutes))
        .y_label_formatter(&|v| tick(*v))
        .x_desc("local time (ticks at midnight)")
        .disable_x_mesh()
        .draw()
        .map_err(err)?;
    let off = c.forecast_from as f64;
    let band_colour = BASELINE.mix(0.15);
    let uplift_colour = UPLIFT.to_rgba();
    let baseline_colour = BASELINE_FILL.to_rgba();
    // 95% prediction band.
    let band: Vec<(f64, f64)> = c
        .hi95
        .iter()
        .enumerate()
        .map(|(i, v)| (off + i as f64, *v))
        .chain(c.lo95.iter().enumerate().rev().map(|(i, v)| (off + i as f64, *v)))
        .collect();
    ch.draw_series(std::iter::once(Polygon::new(band, band_colour.filled()))).map_err(err)?;
    // Opaque areas, so each shows the colour of its legend entry.
    let total: Vec<f64> = c.baseline.iter().zip(c.uplift).map(|(b, u)| b + u).collect();
    ch.draw_series(AreaSeries::new(total.iter().enumerate().map(|(i, v)| (off + i as f64, *v)), 0.0, uplift_colour))
        .map_err(err)?;
    ch.draw_series(AreaSeries::new(
        c.baseline.iter().enumerate().map(|(i, v)| (off + i as f64, *v)),
        0.0,
        baseline_colour,
    ))
    .map_err(err)?;
    // Actuals as line segments, broken where there is no data.
    let mut seg: Vec<(f64, f64)> = Vec::new();
    let mut segments = Vec::new();
    for (i, v) in c.actual.iter().enumerate() {
        match v {
            Some(v) => seg.push((i as f64, *v)),
            None if !seg.is_empty() => segments.push(std::mem::take(&mut seg)),
            None => {}
        }
    }
    if !seg.is_empty() {
        segments.push(seg);
    }
    for s in segments {
        ch.draw_series(LineSeries::new(s, ACTUAL.stroke_width(2))).map_err(err)?;
    }
    let spot_colour = RED.mix(0.5);
    for t in c.spots {
        let x = axis.x_of(*t);
        ch.draw_series(std::iter::once(PathElement::new(vec![(x, 0.0), (x, ymax)], spot_colour.stroke_width(1))))
            .map_err(err)?;
    }
    ch.draw_series(std::iter::once(PathElement::new(vec![(off, 0.0), (off, ymax)], BLACK.stroke_width(2))))
        .map_err(err)?;
    let mut items = vec![
        ("actual calls (history), calls per interval".to_string(), Mark::Line(ACTUAL.to_rgba(), 2)),
        ("baseline forecast (no campaigns), calls per interval".into(), Mark::Fill(baseline_colour)),
        ("campaign uplift (forecast), extra calls per interval".into(), Mark::Fill(uplift_colour)),
        ("95% prediction interval of the calls".into(), Mark::Fill(band_colour)),
        ("start of the forecast week".into(), Mark::Line(BLACK.to_rgba(), 2)),
    ];
    if !c.spots.is_empty() {
        items.push(("TV/radio spot air time".into(), Mark::Line(spot_colour, 1)));
    }
    legend_panel(&side, &items)?;
    finish(&root, path)
}

/// Data of `charts/coverage.png`.
pub struct CoverageChart<'a> {
    pub title: &'a str,
    pub axis: TimeAxis,
    pub required: &'a [f64],
    pub scheduled: &'a [f64],
    /// Projected service level per interval (0..1), None when closed.
    pub service_level: &'a [Option<f64>],
    pub target_sl: f64,
    pub interval_minutes: u32,
}

/// Required vs scheduled agents, under-staffed intervals highlighted, projected
/// service level on the right axis.
pub fn coverage_chart(path: &Path, c: &CoverageChart<'_>) -> ChartResult {
    register_font();
    let n = c.required.len();
    let per_day = (1440 / c.interval_minutes as usize).max(1);
    let ymax = c.required.iter().chain(c.scheduled).fold(1.0f64, |a, b| a.max(*b)) * 1.15;
    let root = titled_canvas(path, 800, c.title, 28)?;
    let (plot, side) = beside_legend(&root);
    let mut ch = ChartBuilder::on(&plot)
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .right_y_label_area_size(80)
        .build_cartesian_2d(Midnights::new(n, per_day), 0f64..ymax)
        .map_err(err)?
        .set_secondary_coord(0f64..n as f64, 0f64..1.05f64);
    let axis = c.axis;
    ch.configure_mesh()
        .x_label_formatter(&|x| axis.label(*x))
        .y_desc("agents on the phones")
        .y_label_formatter(&|v| tick(*v))
        .x_desc("local time (ticks at midnight)")
        .disable_x_mesh()
        .draw()
        .map_err(err)?;
    ch.configure_secondary_axes()
        .y_desc("projected service level (% answered in time)")
        .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
        .draw()
        .map_err(err)?;
    let short_colour = REQUIRED.mix(0.15);
    let short: Vec<usize> = (0..n).filter(|&i| c.scheduled[i] + 1e-9 < c.required[i]).collect();
    ch.draw_series(
        short.iter().map(|&i| Rectangle::new([(i as f64, 0.0), (i as f64 + 1.0, ymax)], short_colour.filled())),
    )
    .map_err(err)?;
    let step = |v: &[f64]| -> Vec<(f64, f64)> {
        v.iter().enumerate().flat_map(|(i, y)| [(i as f64, *y), (i as f64 + 1.0, *y)]).collect()
    };
    ch.draw_series(LineSeries::new(step(c.scheduled), SCHEDULED.stroke_width(2))).map_err(err)?;
    ch.draw_series(LineSeries::new(step(c.required), REQUIRED.stroke_width(2))).map_err(err)?;
    let pts: Vec<(f64, f64)> =
        c.service_level.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i as f64 + 0.5, v))).collect();
    ch.draw_secondary_series(pts.iter().map(|p| Circle::new(*p, 2, SL.filled()))).map_err(err)?;
    let goal_colour = SL.mix(0.6);
    ch.draw_secondary_series(std::iter::once(PathElement::new(
        vec![(0.0, c.target_sl), (n as f64, c.target_sl)],
        goal_colour.stroke_width(1),
    )))
    .map_err(err)?;
    let items = [
        (
            "agents on the phones as rostered (after breaks and shrinkage)".to_string(),
            Mark::Line(SCHEDULED.to_rgba(), 2),
        ),
        ("agents required (Erlang, service goal)".into(), Mark::Line(REQUIRED.to_rgba(), 2)),
        ("under-staffed interval".into(), Mark::Fill(short_colour)),
        ("projected service level, % (right axis)".into(), Mark::Dot(SL.to_rgba())),
        (format!("service-level goal {:.0}% (right axis)", c.target_sl * 100.0), Mark::Line(goal_colour, 1)),
    ];
    legend_panel(&side, &items)?;
    finish(&root, path)
}

/// One bar of the roster Gantt.
pub struct GanttShift {
    pub row: usize,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    /// Breaks and lunch (start, end) inside the shift.
    pub breaks: Vec<(NaiveDateTime, NaiveDateTime)>,
}

/// Data of `charts/roster.png`.
pub struct RosterChart<'a> {
    pub title: &'a str,
    pub week_start: NaiveDateTime,
    /// Agent names, one per row.
    pub agents: &'a [String],
    pub shifts: &'a [GanttShift],
}

/// Rosters up to this many agents are drawn as a Gantt with every agent
/// named; larger ones as a heat map of agents on shift. In the report the
/// chart is scaled to about two thirds: beyond 60 rows of 20 px a name
/// would be under 13 px tall, too small to read (every agent's shifts are
/// in the report's roster tables, by day and by agent).
pub const GANTT_MAX_AGENTS: usize = 60;

/// The week's roster: up to [`GANTT_MAX_AGENTS`] agents a Gantt (one named row
/// per agent, ordered by their first start, a bar per shift, breaks in grey);
/// more, a heat map of agents on shift per day and quarter-hour.
pub fn roster_chart(path: &Path, c: &RosterChart<'_>) -> ChartResult {
    register_font();
    if c.agents.len() > GANTT_MAX_AGENTS {
        return headcount_chart(path, c);
    }
    // Rows in order of each agent's first start, so the bars form a staircase.
    let mut first: Vec<(NaiveDateTime, usize)> = (0..c.agents.len())
        .map(|r| (c.shifts.iter().filter(|s| s.row == r).map(|s| s.start).min().unwrap_or(c.week_start), r))
        .collect();
    first.sort();
    let position: Vec<usize> = {
        let mut p = vec![0; c.agents.len()];
        for (i, (_, r)) in first.iter().enumerate() {
            p[*r] = i;
        }
        p
    };
    let names: Vec<String> = first.iter().map(|(_, r)| c.agents[*r].clone()).collect();
    let rows = names.len().max(1);
    let height = (160 + rows * 20).max(500) as u32;
    let root = titled_canvas(path, height, c.title, 28)?;
    let (plot, side) = beside_legend(&root);
    let mut ch = ChartBuilder::on(&plot)
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(190)
        .build_cartesian_2d(Midnights::new(7 * 24, 24), (rows as f64 - 0.5)..-0.5f64)
        .map_err(err)?;
    let start = c.week_start;
    ch.configure_mesh()
        .x_label_formatter(&|x| (start + Duration::minutes((*x * 60.0) as i64)).format("%a %d %b").to_string())
        .y_labels(rows + 1)
        .y_label_formatter(&|y| {
            let r = y.round();
            if (y - r).abs() < 1e-6 && r >= 0.0 {
                names.get(r as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_label_style(("sans-serif", 12))
        .x_desc("local time (ticks at midnight)")
        .y_desc("agent (ordered by first start)")
        .disable_y_mesh()
        .draw()
        .map_err(err)?;
    let h = |t: NaiveDateTime| (t - start).num_minutes() as f64 / 60.0;
    let shift_colour = SCHEDULED.mix(0.8);
    let break_colour = RGBColor(200, 200, 200).to_rgba();
    let row = |s: &GanttShift| position[s.row] as f64;
    ch.draw_series(
        c.shifts
            .iter()
            .map(|s| Rectangle::new([(h(s.start), row(s) - 0.35), (h(s.end), row(s) + 0.35)], shift_colour.filled())),
    )
    .map_err(err)?;
    ch.draw_series(c.shifts.iter().flat_map(|s| {
        s.breaks
            .iter()
            .map(move |(a, b)| Rectangle::new([(h(*a), row(s) - 0.35), (h(*b), row(s) + 0.35)], break_colour.filled()))
    }))
    .map_err(err)?;
    let items =
        [("on shift".to_string(), Mark::Fill(shift_colour)), ("break / lunch".into(), Mark::Fill(break_colour))];
    legend_panel(&side, &items)?;
    finish(&root, path)
}

/// A large roster: agents on shift (not on a break) per day and quarter-hour,
/// as a heat map with its colour scale.
fn headcount_chart(path: &Path, c: &RosterChart<'_>) -> ChartResult {
    const SLOTS: usize = 96;
    let mut count = vec![[0u32; SLOTS]; 7];
    for s in c.shifts {
        let on = |t: NaiveDateTime| t >= s.start && t < s.end && !s.breaks.iter().any(|(a, b)| t >= *a && t < *b);
        for (d, day) in count.iter_mut().enumerate() {
            for (k, n) in day.iter_mut().enumerate() {
                let t = c.week_start + Duration::days(d as i64) + Duration::minutes(15 * k as i64);
                *n += u32::from(on(t));
            }
        }
    }
    let max = count.iter().flatten().copied().max().unwrap_or(0).max(1);
    let root = titled_canvas(path, 700, c.title, 28)?;
    let (plot, side) = beside_legend(&root);
    let mut ch = ChartBuilder::on(&plot)
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(130)
        .build_cartesian_2d(0f64..24f64, 6.5f64..-0.5f64)
        .map_err(err)?;
    let start = c.week_start;
    ch.configure_mesh()
        .x_labels(13)
        .x_label_formatter(&|x| format!("{:02}:00", *x as u32))
        .y_labels(8)
        .y_label_formatter(&|y| {
            let d = y.round();
            if (y - d).abs() < 1e-6 && (0.0..7.0).contains(&d) {
                (start + Duration::days(d as i64)).format("%a %d %b").to_string()
            } else {
                String::new()
            }
        })
        .x_desc("local time of day")
        .y_desc("day")
        .disable_mesh()
        .draw()
        .map_err(err)?;
    let shade = |n: u32| -> RGBAColor {
        let f = n as f64 / max as f64;
        let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
        RGBColor(mix(245, 20), mix(248, 90), mix(245, 40)).to_rgba()
    };
    ch.draw_series(count.iter().enumerate().flat_map(|(d, day)| {
        day.iter().enumerate().filter(|(_, n)| **n > 0).map(move |(k, n)| {
            let x = k as f64 / 4.0;
            Rectangle::new([(x, d as f64 - 0.45), (x + 0.25, d as f64 + 0.45)], shade(*n).filled())
        })
    }))
    .map_err(err)?;
    let steps = [0.25, 0.5, 0.75, 1.0];
    let items: Vec<(String, Mark)> =
        std::iter::once((format!("{} agents rostered", c.agents.len()), Mark::Fill(WHITE.to_rgba())))
            .chain(steps.iter().map(|f| {
                let n = (f * max as f64).round() as u32;
                (format!("{n} agents on shift (not on a break)"), Mark::Fill(shade(n)))
            }))
            .collect();
    legend_panel(&side, &items)?;
    finish(&root, path)
}

/// One channel's learned response for `charts/channel_response.png`.
pub enum ResponseCurve {
    /// Calls per minute after air time of a typical spot.
    Burst { channel: String, per_minute: Vec<f64>, typical: String },
    /// Calls per day after one day of activity.
    Carryover { channel: String, per_day: Vec<f64>, typical: String },
    /// A drop's send-day curve: the share of the send day's calls per
    /// minute after the send.
    SendDay { channel: String, per_minute: Vec<f64>, typical: String },
}

/// Left: the burst of a typical TV/radio spot, minute by minute (and below
/// it, where a drop has one, its send-day curve). Right: the day-by-day
/// carry-over of flights and drops.
pub fn channel_response_chart(path: &Path, title: &str, curves: &[ResponseCurve]) -> ChartResult {
    register_font();
    let root = titled_canvas(path, 820, title, 30)?;
    let (charts, legends) = root.split_vertically(520);
    let (left, right) = charts.split_horizontally(900);
    let (left_legend, right_legend) = legends.split_horizontally(900);
    let colors = [
        RGBColor(200, 60, 40),
        RGBColor(40, 100, 180),
        RGBColor(40, 150, 80),
        RGBColor(150, 80, 170),
        RGBColor(210, 150, 30),
    ];
    let bursts: Vec<_> = curves
        .iter()
        .filter_map(|c| match c {
            ResponseCurve::Burst { channel, per_minute, typical } => Some((channel, per_minute, typical)),
            _ => None,
        })
        .collect();
    let sends: Vec<_> = curves
        .iter()
        .filter_map(|c| match c {
            ResponseCurve::SendDay { channel, per_minute, typical } => Some((channel, per_minute, typical)),
            _ => None,
        })
        .collect();
    let days: Vec<_> = curves
        .iter()
        .filter_map(|c| match c {
            ResponseCurve::Carryover { channel, per_day, typical } => Some((channel, per_day, typical)),
            _ => None,
        })
        .collect();
    let mut items = Vec::new();
    let spot_color = |k: usize| colors[k % colors.len()];
    // A drop's send-day curve in the colour of its carry-over on the right.
    let send_color = |k: usize| {
        let day = days.iter().position(|d| d.0 == sends[k].0).unwrap_or(k);
        colors[(day + bursts.len()) % colors.len()]
    };
    let spots_caption = "Spots: calls per minute after air time";
    if sends.is_empty() {
        items.extend(minute_panel(
            &left,
            spots_caption,
            ("minutes after the spot airs", "extra calls per minute"),
            &bursts,
            spot_color,
        )?);
    } else {
        let (top, bottom) = left.split_vertically(260);
        items.extend(minute_panel(
            &top,
            spots_caption,
            ("minutes after the spot airs", "extra calls per minute"),
            &bursts,
            spot_color,
        )?);
        let caption = "Drops: share of the send day's calls per minute after the send";
        items.extend(minute_panel(
            &bottom,
            caption,
            ("minutes after the send", "share of the calls per minute"),
            &sends,
            send_color,
        )?);
    }
    legend_panel_wrapped(&left_legend, &items, 85)?;
    carryover_panel(&right, &right_legend, &days, |k| colors[(k + bursts.len()) % colors.len()])?;
    finish(&root, path)
}

/// The right panel: each flight's and drop's calls per day after one day of
/// activity, with its legend.
fn carryover_panel(
    area: &Area<'_>,
    legend: &Area<'_>,
    days: &[(&String, &Vec<f64>, &String)],
    color_of: impl Fn(usize) -> RGBColor,
) -> ChartResult {
    let ymax = days.iter().flat_map(|b| b.1.iter()).fold(0.1f64, |a, b| a.max(*b)) * 1.15;
    let n = days.iter().map(|d| d.1.len()).max().unwrap_or(7).max(2);
    let mut ch = ChartBuilder::on(area)
        .caption("Flights and drops: calls per day after one day of activity", ("sans-serif", 22))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..ymax)
        .map_err(err)?;
    ch.configure_mesh()
        .x_desc("days after the activity (0 = same day)")
        .y_desc("extra calls per day")
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .draw()
        .map_err(err)?;
    let mut items = Vec::new();
    for (k, (channel, per_day, typical)) in days.iter().enumerate() {
        let col = color_of(k);
        ch.draw_series(LineSeries::new(per_day.iter().enumerate().map(|(d, v)| (d as f64, *v)), col.stroke_width(3)))
            .map_err(err)?;
        ch.draw_series(per_day.iter().enumerate().map(|(d, v)| Circle::new((d as f64, *v), 4, col.filled())))
            .map_err(err)?;
        items.push((format!("{channel}: {typical}"), Mark::Line(col.to_rgba(), 3)));
    }
    legend_panel_wrapped(legend, &items, 85)
}

/// One panel of curves over minutes (x up to the longest curve), with the
/// legend items it adds.
fn minute_panel(
    area: &Area<'_>,
    caption: &str,
    (x_desc, y_desc): (&str, &str),
    curves: &[(&String, &Vec<f64>, &String)],
    color_of: impl Fn(usize) -> RGBColor,
) -> anyhow::Result<Vec<(String, Mark)>> {
    let ymax = curves.iter().flat_map(|b| b.1.iter()).fold(1e-6f64, |a, b| a.max(*b)) * 1.15;
    let xmax = curves.iter().map(|c| c.1.len()).max().unwrap_or(60).max(1) as f64;
    let mut ch = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 22))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..xmax, 0f64..ymax)
        .map_err(err)?;
    ch.configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .draw()
        .map_err(err)?;
    let mut items = Vec::new();
    for (k, (channel, per_minute, typical)) in curves.iter().enumerate() {
        let col = color_of(k);
        ch.draw_series(LineSeries::new(
            per_minute.iter().enumerate().map(|(m, v)| (m as f64 + 0.5, *v)),
            col.stroke_width(3),
        ))
        .map_err(err)?;
        items.push((format!("{channel}: {typical}"), Mark::Line(col.to_rgba(), 3)));
    }
    Ok(items)
}

/// Data of `charts/impact.png`.
pub struct ImpactChart<'a> {
    pub title: &'a str,
    pub axis: TimeAxis,
    pub uplift_by_channel: &'a std::collections::BTreeMap<String, Vec<f64>>,
    pub sl_told: &'a [Option<f64>],
    pub sl_not_told: &'a [Option<f64>],
    pub target_sl: f64,
    pub interval_minutes: u32,
}

/// Top: extra calls per interval from each channel, stacked. Bottom: projected
/// service level with the campaign-aware roster and with the baseline-only one.
pub fn impact_chart(path: &Path, c: &ImpactChart<'_>) -> ChartResult {
    register_font();
    let n = c.sl_told.len();
    let root = titled_canvas(path, 1000, c.title, 26)?;
    let (main, side) = beside_legend(&root);
    let (top, bottom) = main.split_vertically(520);
    let (side_top, side_bottom) = side.split_vertically(520);
    let colors = [
        RGBColor(230, 130, 40),
        RGBColor(40, 100, 180),
        RGBColor(40, 150, 80),
        RGBColor(150, 80, 170),
        RGBColor(200, 60, 40),
        RGBColor(120, 120, 120),
    ];
    let mut stack = vec![0.0; n];
    let mut layers = Vec::new();
    for (ch, v) in c.uplift_by_channel {
        for (s, x) in stack.iter_mut().zip(v) {
            *s += x;
        }
        layers.push((ch.clone(), stack.clone()));
    }
    let ymax = stack.iter().fold(1.0f64, |a, b| a.max(*b)) * 1.15;
    let axis = c.axis;
    let per_day = (1440 / c.interval_minutes as usize).max(1);
    {
        let mut ch = ChartBuilder::on(&top)
            .caption("Extra calls from the media plan, by channel", ("sans-serif", 20))
            .margin(15)
            .x_label_area_size(40)
            .y_label_area_size(80)
            .build_cartesian_2d(Midnights::new(n, per_day), 0f64..ymax)
            .map_err(err)?;
        ch.configure_mesh()
            .x_label_formatter(&|x| axis.label(*x))
            .y_desc(format!("extra calls per {} minutes", c.interval_minutes))
            .y_label_formatter(&|v| tick(*v))
            .disable_x_mesh()
            .draw()
            .map_err(err)?;
        let mut items = Vec::new();
        for (k, (name, values)) in layers.iter().enumerate().rev() {
            let col = colors[k % colors.len()];
            ch.draw_series(AreaSeries::new(values.iter().enumerate().map(|(i, v)| (i as f64, *v)), 0.0, col.filled()))
                .map_err(err)?;
            items.push((format!("{name}: extra calls per interval"), Mark::Fill(col.to_rgba())));
        }
        legend_panel(&side_top, &items)?;
    }
    {
        let mut ch = ChartBuilder::on(&bottom)
            .caption(
                "Projected service level: roster built with the campaigns vs for the baseline only",
                ("sans-serif", 20),
            )
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(Midnights::new(n, per_day), 0f64..1.05f64)
            .map_err(err)?;
        ch.configure_mesh()
            .x_label_formatter(&|x| axis.label(*x))
            .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
            .y_desc("projected service level (% answered in time)")
            .x_desc("local time (ticks at midnight)")
            .disable_x_mesh()
            .draw()
            .map_err(err)?;
        let told: Vec<(f64, f64)> =
            c.sl_told.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i as f64 + 0.5, v))).collect();
        let not: Vec<(f64, f64)> =
            c.sl_not_told.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i as f64 + 0.5, v))).collect();
        ch.draw_series(not.iter().map(|p| Circle::new(*p, 3, REQUIRED.filled()))).map_err(err)?;
        ch.draw_series(told.iter().map(|p| Circle::new(*p, 3, SCHEDULED.filled()))).map_err(err)?;
        ch.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, c.target_sl), (n as f64, c.target_sl)],
            BLACK.stroke_width(1),
        )))
        .map_err(err)?;
        let items = [
            ("centre not told (roster for the baseline only), %".to_string(), Mark::Dot(REQUIRED.to_rgba())),
            ("campaign-aware roster, %".into(), Mark::Dot(SCHEDULED.to_rgba())),
            (format!("service-level goal {:.0}%", c.target_sl * 100.0), Mark::Line(BLACK.to_rgba(), 1)),
        ];
        legend_panel(&side_bottom, &items)?;
    }
    finish(&root, path)
}

/// Data of `charts/intraday.png`: one day, per slot from `first_slot`.
pub struct IntradayChart<'a> {
    pub title: &'a str,
    /// Midnight of the day.
    pub midnight: NaiveDateTime,
    pub interval_minutes: u32,
    /// The slots drawn (the opening hours).
    pub first_slot: usize,
    pub last_slot: usize,
    /// The first slot not seen yet.
    pub at: usize,
    pub actual: &'a [f64],
    pub morning: &'a [f64],
    pub updated: &'a [f64],
    pub lo80: &'a [f64],
    pub hi80: &'a [f64],
    /// Where a surprise started.
    pub surprise: Option<usize>,
}

/// Today so far and the rest of the day: actual calls, the morning's
/// forecast, and the update with its 80% interval, with "now" marked.
pub fn intraday_chart(path: &Path, c: &IntradayChart<'_>) -> ChartResult {
    register_font();
    // x in hours after midnight, so that the ticks fall on whole hours.
    let h = |slot: usize| slot as f64 * c.interval_minutes as f64 / 60.0;
    let (a, b) = (h(c.first_slot).floor(), h(c.last_slot + 1).ceil());
    let range = c.first_slot..=c.last_slot;
    let finite = |v: &f64| v.is_finite();
    let top = range
        .clone()
        .flat_map(|j| [c.actual[j], c.morning[j], c.hi80[j], c.updated[j]])
        .filter(finite)
        .fold(1.0f64, f64::max);
    let ymax = top * 1.1;
    let root = titled_canvas(path, 800, c.title, 28)?;
    let (plot, side) = beside_legend(&root);
    let mut ch = ChartBuilder::on(&plot)
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(a..b, 0f64..ymax)
        .map_err(err)?;
    let midnight = c.midnight;
    ch.configure_mesh()
        .x_labels((b - a) as usize + 1)
        .x_label_formatter(&|x| (midnight + Duration::minutes((x * 60.0).round() as i64)).format("%H:%M").to_string())
        .y_label_formatter(&|y| format!("{y:.0}"))
        .y_desc(format!("calls per {} minutes", c.interval_minutes))
        .x_desc("local time (interval start)")
        .draw()
        .map_err(err)?;
    let now = h(c.at);
    let rest: Vec<usize> = range.clone().filter(|&j| j >= c.at).collect();
    let (band_colour, morning_colour) = (BASELINE.mix(0.18), RGBColor(150, 150, 150));
    let mut items: Vec<(String, Mark)> = vec![
        ("actual calls so far, calls per interval".into(), Mark::Line(ACTUAL.to_rgba(), 2)),
        ("this morning's forecast, calls per interval".into(), Mark::Line(morning_colour.to_rgba(), 2)),
        ("updated forecast (rest of the day), calls per interval".into(), Mark::Line(BASELINE.to_rgba(), 3)),
    ];
    if !rest.is_empty() {
        let band: Vec<(f64, f64)> =
            rest.iter().map(|&j| (h(j), c.hi80[j])).chain(rest.iter().rev().map(|&j| (h(j), c.lo80[j]))).collect();
        ch.draw_series(std::iter::once(Polygon::new(band, band_colour.filled()))).map_err(err)?;
        items.push(("80% interval of the update".into(), Mark::Fill(band_colour)));
    }
    ch.draw_series(LineSeries::new(range.clone().map(|j| (h(j), c.morning[j])), morning_colour.stroke_width(2)))
        .map_err(err)?;
    ch.draw_series(LineSeries::new(rest.iter().map(|&j| (h(j), c.updated[j])), BASELINE.stroke_width(3)))
        .map_err(err)?;
    let seen: Vec<(f64, f64)> =
        range.clone().filter(|&j| j < c.at && c.actual[j].is_finite()).map(|j| (h(j), c.actual[j])).collect();
    ch.draw_series(LineSeries::new(seen, ACTUAL.stroke_width(2))).map_err(err)?;
    ch.draw_series(std::iter::once(PathElement::new(vec![(now, 0.0), (now, top * 1.05)], BLACK.stroke_width(2))))
        .map_err(err)?;
    items.push(("now (the update time)".into(), Mark::Line(BLACK.to_rgba(), 2)));
    if let Some(s) = c.surprise {
        let x = h(s);
        ch.draw_series(std::iter::once(PathElement::new(vec![(x, 0.0), (x, top * 1.05)], REQUIRED.stroke_width(2))))
            .map_err(err)?;
        items.push(("start of calls no planned line explains".into(), Mark::Line(REQUIRED.to_rgba(), 2)));
    }
    legend_panel(&side, &items)?;
    finish(&root, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_render_and_are_byte_identical() {
        let d = tempfile::tempdir().unwrap();
        let start = chrono::NaiveDate::from_ymd_opt(2026, 11, 16).unwrap().and_hms_opt(0, 0, 0).unwrap();
        let n = 96 * 7;
        let base: Vec<f64> = (0..n).map(|i| ((i % 96) as f64 / 10.0).sin().abs() * 30.0).collect();
        let up: Vec<f64> = (0..n).map(|i| if i % 96 == 80 { 15.0 } else { 0.0 }).collect();
        let lo: Vec<f64> = base.iter().map(|b| b * 0.8).collect();
        let hi: Vec<f64> = base.iter().zip(&up).map(|(b, u)| (b + u) * 1.2).collect();
        let actual: Vec<Option<f64>> = base.iter().map(|b| Some(*b)).collect();
        let c = ForecastChart {
            title: "Calls",
            axis: TimeAxis::new(start, 15),
            actual: &actual,
            forecast_from: n,
            baseline: &base,
            uplift: &up,
            lo95: &lo,
            hi95: &hi,
            spots: &[start + Duration::days(8) + Duration::hours(20)],
            interval_minutes: 15,
        };
        let (a, b) = (d.path().join("a.png"), d.path().join("b.png"));
        forecast_chart(&a, &c).unwrap();
        forecast_chart(&b, &c).unwrap();
        let (x, y) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        assert!(x.len() > 10_000 && x.starts_with(b"\x89PNG"));
        assert_eq!(x, y);
    }

    #[test]
    fn time_axes_tick_at_midnight() {
        use plotters::coord::ranged1d::Ranged;
        // Two weeks of 15-minute points: a tick at each midnight, the last one included.
        let ticks = Midnights::new(2 * 7 * 96, 96).key_points(100usize);
        assert_eq!(ticks.len(), 15);
        assert!(ticks.iter().enumerate().all(|(d, t)| *t == (d * 96) as f64));
        let axis =
            TimeAxis::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap().and_hms_opt(0, 0, 0).unwrap(), 15);
        assert_eq!(axis.label(ticks[5]), "Sat 28 Nov");
        // A history ending Sunday 1 Nov beside the week of Monday 23 Nov:
        // the days after the jump are the week's.
        let week = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap().and_hms_opt(0, 0, 0).unwrap();
        let jumped = TimeAxis {
            start: chrono::NaiveDate::from_ymd_opt(2026, 10, 26).unwrap().and_hms_opt(0, 0, 0).unwrap(),
            step_minutes: 15,
            resume: Some((7.0 * 96.0, week)),
        };
        assert_eq!(jumped.label(ticks[6]), "Sun 01 Nov");
        assert_eq!(jumped.label(ticks[7]), "Mon 23 Nov");
        assert_eq!(jumped.x_of(week + Duration::hours(12)), 7.0 * 96.0 + 48.0);
        assert_eq!(Midnights::new(168, 24).map(&84.0, (0, 1000)), 500);
    }

    /// 150 agents draw a Gantt with a named row each; 1,000 a heat map.
    #[test]
    fn rosters_small_and_large_render() {
        let d = tempfile::tempdir().unwrap();
        let start = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap().and_hms_opt(0, 0, 0).unwrap();
        for agents in [40usize, 150, 1000] {
            let names: Vec<String> = (0..agents).map(|a| format!("A{a:04}")).collect();
            let shifts: Vec<GanttShift> = (0..agents)
                .map(|a| {
                    let s = start + Duration::days((a % 6) as i64) + Duration::hours(8 + (a % 5) as i64);
                    GanttShift { row: a, start: s, end: s + Duration::hours(8), breaks: vec![] }
                })
                .collect();
            let path = d.path().join(format!("r{agents}.png"));
            roster_chart(&path, &RosterChart { title: "Roster", week_start: start, agents: &names, shifts: &shifts })
                .unwrap();
            let (w, h) = png_size(&path);
            assert_eq!(w, 1800);
            if agents <= GANTT_MAX_AGENTS {
                assert!(h as usize >= agents * 20, "{agents} agents: {h} px tall");
            } else {
                assert!(h <= 800, "heat map {h} px tall");
            }
        }
    }

    fn png_size(path: &Path) -> (u32, u32) {
        let b = std::fs::read(path).unwrap();
        (u32::from_be_bytes(b[16..20].try_into().unwrap()), u32::from_be_bytes(b[20..24].try_into().unwrap()))
    }
}
