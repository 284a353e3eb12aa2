//! The review after the week as a library: the plan's inputs, the week's
//! calls and (optionally) the as-run log → what each line drove
//! ([`crate::review`]), and how the responses change once the week is learned.
//!
//! The forecast is refitted from the same inputs as the plan (same inputs,
//! same forecast); with `--plan`, the published plan's own `impact.csv` and
//! `forecast.csv` give the forecast shown, and its `coverage.csv` the agents
//! on the phones from which answered and lost calls are modelled where the
//! actuals do not say.

use super::{expected_calls, forecast, load, Loaded, Sources};
use crate::coverage::project;
use crate::error::{Error, InputError};
use crate::forecast::media::fit::ChannelReport;
use crate::forecast::media::uplift::{DayShapes, LineUplift, Uplift};
use crate::forecast::predict::{unlearned_channels, FittedForecast, Forecast, ForecastModel};
use crate::impact::ImpactThreshold;
use crate::ingest::as_run::{load_as_run, AsRun};
use crate::ingest::media::MediaLine;
use crate::ingest::plan_files::{load_line_forecasts, load_week_column};
use crate::ingest::week_actuals::{load_week_calls, WeekCalls};
use crate::ingest::History;
use crate::review::attribution::AttributionModel;
use crate::review::{review, LineStatus, Outcomes, Review, ReviewInputs, ReviewedLine, WeekActuals};
use chrono::{Duration, NaiveDate};
use ndarray::Array2;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where the review reads.
#[derive(Debug, Clone)]
pub struct ReviewSources {
    /// The plan's inputs: history, past media, the week's media plan, config, week, queue.
    pub sources: Sources,
    /// The week's calls.
    pub actuals: PathBuf,
    /// The lines as they aired.
    pub as_run: Option<PathBuf>,
    /// The published plan's output folder.
    pub plan: Option<PathBuf>,
    /// Agents, to build the week's roster where neither the actuals nor a plan
    /// say how many were on the phones.
    pub agents: Option<PathBuf>,
}

/// A channel's response before and after learning from the week.
#[derive(Debug, Clone, Serialize)]
pub struct ChannelLearning {
    pub channel: String,
    /// `grp` (calls per GRP) or `1000_spend` (calls per 1,000 of spend).
    pub unit: &'static str,
    pub before: f64,
    pub after: f64,
    pub source_before: &'static str,
    pub source_after: &'static str,
    pub lines_before: usize,
    pub lines_after: usize,
    /// The week's lines as forecast, and as forecast with the week learned.
    pub week_forecast_calls: f64,
    pub week_relearned_calls: f64,
}

/// The review, with what it was made from.
pub struct WeekReview {
    pub centre: String,
    pub currency: String,
    pub week: NaiveDate,
    pub review: Review,
    pub learning: Vec<ChannelLearning>,
    /// Where the forecast shown comes from.
    pub forecast_source: String,
    /// Where answered and lost come from; or why they are not known.
    pub outcomes_note: String,
    /// The prior sd of a day's level against the forecast baseline (from the history).
    pub day_level_sd: f64,
    pub warnings: Vec<String>,
}

/// Read, refit, attribute, relearn.
pub fn run_review(s: &ReviewSources) -> Result<WeekReview, Error> {
    let loaded = load(&s.sources)?;
    let (fitted, fc) = forecast(&loaded)?;
    let settings = &loaded.settings;
    let mut warnings = loaded.warnings.clone();
    let opts = settings.history_options(s.sources.queue.clone());
    let week = load_week_calls(&s.actuals, &opts, &settings.calendar, &loaded.days)?;
    warnings.extend(week.warnings.iter().cloned());
    let as_run = s
        .as_run
        .as_ref()
        .map(|p| load_as_run(p, &settings.channels, &settings.media_reading, &loaded.plan, &loaded.days))
        .transpose()?;
    if let Some(a) = &as_run {
        warnings.extend(a.warnings.iter().cloned());
    }
    let published = s.plan.as_ref().map(|dir| published_forecast(dir, &loaded)).transpose()?;
    let mut lines = reviewed_lines(&loaded, &fc, as_run.as_ref(), published.as_ref().map(|p| &p.lines))?;
    let shapes = fitted.day_shapes(&loaded.days, &settings.calendar);
    let aired: Vec<MediaLine> = lines.iter().map(|l| l.line.clone()).collect();
    if let (Some(l), Some(path)) = (unlearned_channels(&fitted, &aired).first(), &s.as_run) {
        return Err(InputError::cell(
            path,
            l.row,
            "channel",
            format!("no response learned or assumed for channel '{}': expected a channel of the plan or the past media, or an assumed response in the config ([channels.{}])", l.channel, l.channel),
        )
        .into());
    }
    for u in Uplift::compute(&aired, fitted.responses(), &shapes).lines {
        if lines[u.line].status != LineStatus::NotAired {
            let i = u.line;
            lines[i].uplift = u;
        }
    }
    let carry_over = carry_over(&loaded, &fitted, &shapes, fc.open.ncols());
    warnings.extend(unused_agents(s, &week));
    let (outcomes, outcomes_note) = outcomes(s, &loaded, &fc, &week)?;
    let actuals = WeekActuals { days: loaded.days.clone(), calls: week.calls.clone(), outcomes };
    let forecast_by_day = match &published {
        Some(p) => p.by_day.clone(),
        None => fc.total.rows().into_iter().map(|r| r.sum()).collect(),
    };
    let model = AttributionModel::default();
    let day_sd = day_level_sd(&loaded.history, &fitted);
    let result = review(ReviewInputs {
        open: &fc.open,
        actuals: &actuals,
        baseline: &fc.baseline,
        carry_over: &carry_over,
        forecast_by_day,
        lines,
        dispersion_k: fitted.dispersion_k,
        day_sd,
        model: &model,
    });
    let learning = relearn(&loaded, &fitted, &week.history, &aired, &result);
    Ok(WeekReview {
        centre: settings.name.clone(),
        currency: settings.costs.currency.clone(),
        week: loaded.week,
        review: result,
        learning,
        forecast_source: match &s.plan {
            Some(p) => format!("the published plan in {}", p.display()),
            None => "refitted from the same inputs as the plan".into(),
        },
        outcomes_note,
        day_level_sd: day_sd,
        warnings,
    })
}

/// The published plan's forecast: per line and per day.
struct Published {
    lines: BTreeMap<String, f64>,
    by_day: Vec<f64>,
}

fn published_forecast(dir: &std::path::Path, loaded: &Loaded) -> Result<Published, Error> {
    let lines = load_line_forecasts(&dir.join("impact.csv"))?;
    let interval = loaded.settings.calendar.interval;
    let path = dir.join("forecast.csv");
    let grid = load_week_column(
        &path,
        &["expected"],
        "the expected calls",
        &crate::limits::CALLS_PER_INTERVAL,
        interval,
        &loaded.days,
    )?;
    if grid.iter().all(|v| v.is_nan()) {
        return Err(InputError::file(
            &path,
            format!("no row in the week of {}: expected the plan of the week under review", loaded.week),
        )
        .into());
    }
    Ok(Published { lines, by_day: grid.rows().into_iter().map(|r| r.iter().filter(|v| v.is_finite()).sum()).collect() })
}

/// The lines to review: the plan's, as aired where an as-run log is given,
/// then the aired lines nobody planned.
fn reviewed_lines(
    loaded: &Loaded,
    fc: &Forecast,
    as_run: Option<&AsRun>,
    published: Option<&BTreeMap<String, f64>>,
) -> Result<Vec<ReviewedLine>, Error> {
    let planned_calls = |i: usize, id: &str| -> Option<f64> {
        match published {
            Some(p) => p.get(id).copied(),
            None => fc.lines.lines.iter().find(|u| u.line == i).map(|u| fc.line_split(u).0),
        }
    };
    let mut out = Vec::new();
    for (i, p) in loaded.plan.lines.iter().enumerate() {
        let aired = as_run.map(|a| a.aired.iter().find(|x| x.planned == Some(i)));
        let (line, status) = match aired {
            None => (p.clone(), LineStatus::Planned),
            Some(None) => (p.clone(), LineStatus::NotAired),
            Some(Some(x)) if x.line.start == p.start => (x.line.clone(), LineStatus::Aired),
            Some(Some(x)) => (x.line.clone(), LineStatus::Moved),
        };
        out.push(ReviewedLine {
            line,
            planned_start: Some(p.start),
            status,
            uplift: LineUplift::default(),
            forecast_extra_calls: planned_calls(i, &p.id),
        });
    }
    for x in as_run.iter().flat_map(|a| a.aired.iter()).filter(|x| x.planned.is_none()) {
        out.push(ReviewedLine {
            line: x.line.clone(),
            planned_start: None,
            status: LineStatus::Unplanned,
            uplift: LineUplift::default(),
            forecast_extra_calls: None,
        });
    }
    Ok(out)
}

/// Earlier lines' calls still arriving in the week, as forecast (lines of
/// the last 90 days before it).
fn carry_over(loaded: &Loaded, fitted: &FittedForecast, shapes: &DayShapes, slots: usize) -> Array2<f64> {
    let since = loaded.week - Duration::days(90);
    let recent: Vec<MediaLine> = loaded.past.lines.iter().filter(|l| l.start.date() >= since).cloned().collect();
    Uplift::compute(&recent, fitted.responses(), shapes).grid(&loaded.days, slots)
}

/// Answered and lost shares per interval: from the actuals' columns, else
/// modelled (Erlang A) from the agents on the phones of the published plan
/// or of a roster built from `--agents`.
fn outcomes(
    s: &ReviewSources,
    loaded: &Loaded,
    fc: &Forecast,
    week: &WeekCalls,
) -> Result<(Option<Outcomes>, String), Error> {
    if let (Some(a), Some(b)) = (&week.answered, &week.abandoned) {
        let share = |g: &Array2<f64>| {
            Array2::from_shape_fn(g.raw_dim(), |(k, t)| {
                let c = week.calls[[k, t]];
                if c > 0.0 {
                    (g[[k, t]] / c).clamp(0.0, 1.0)
                } else {
                    f64::NAN
                }
            })
        };
        let source = format!("the answered and abandoned calls in {}", s.actuals.display());
        return Ok((Some(Outcomes { answered: share(a), lost: share(b), source: source.clone() }), source));
    }
    let interval = loaded.settings.calendar.interval;
    let (on_phones, source) = match (&s.plan, &s.agents) {
        (Some(dir), _) => {
            let path = dir.join("coverage.csv");
            let g = load_week_column(&path, &["on_phones"], "the agents on the phones", &crate::limits::AGENTS_ON_PHONES, interval, &loaded.days)?;
            (g, format!("Erlang A on the week's calls with the agents on the phones in {}", path.display()))
        }
        (None, Some(agents)) => (rostered_on_phones(s, agents)?, format!("Erlang A on the week's calls with the agents on the phones of a roster built from {}", agents.display())),
        (None, None) => {
            return Ok((None, format!("not known: {} has no answered or abandoned column; give the published plan (--plan) or the agents (--agents) to model them", s.actuals.display())))
        }
    };
    let settings = &loaded.settings;
    if settings.service.patience.is_none() && settings.patience_profile.is_none() {
        return Ok((None, "not modelled: the config has no patience (Erlang C), so no caller is modelled as hanging up; set [service] patience_seconds, or give actuals with answered and abandoned columns".into()));
    }
    let mut actual = fc.clone();
    actual.total = week.calls.mapv(|v| if v.is_finite() { v } else { 0.0 });
    let series = expected_calls(&actual, settings)?;
    let slots = fc.open.ncols();
    let mut lost = Array2::from_elem(fc.open.raw_dim(), f64::NAN);
    for ((k, t), v) in lost.indexed_iter_mut() {
        let n = on_phones[[k, t]];
        if n.is_finite() && week.calls[[k, t]].is_finite() {
            if let Some(p) = project(&series, k * slots + t, n as u32, &settings.service).and_then(|p| p.p_abandon) {
                *v = p.clamp(0.0, 1.0);
            }
        }
    }
    let answered = lost.mapv(|p| 1.0 - p);
    Ok((Some(Outcomes { answered, lost, source: source.clone() }), source))
}

/// `--agents` given where it is not used: the actuals' own answered and
/// abandoned calls, or the published plan's agents, come first.
fn unused_agents(s: &ReviewSources, week: &WeekCalls) -> Option<String> {
    let agents = s.agents.as_ref()?;
    let instead = if week.answered.is_some() && week.abandoned.is_some() {
        format!("the answered and abandoned calls in {}", s.actuals.display())
    } else {
        format!("the agents on the phones in {}", s.plan.as_ref()?.join("coverage.csv").display())
    };
    Some(format!("--agents {}: not used, answered and lost calls come from {instead}", agents.display()))
}

/// Agents on the phones per interval of a roster built from `--agents`.
fn rostered_on_phones(s: &ReviewSources, agents: &std::path::Path) -> Result<Array2<f64>, Error> {
    let loaded = load(&s.sources)?;
    let agents = crate::ingest::agents::load_agents(agents)?;
    let plan = super::build_week(loaded, agents, ImpactThreshold::default(), &|_| {})?;
    let slots = plan.forecast.open.ncols();
    let mut g = Array2::from_elem(plan.forecast.open.raw_dim(), f64::NAN);
    for (i, row) in plan.coverage.iter().enumerate() {
        g[[i / slots, i % slots]] = row.on_phones as f64;
    }
    Ok(g)
}

/// Prior sd of a day's level against the forecast: how far the history's
/// daily totals scatter around the in-sample fit beyond count noise (the
/// last 300 days), kept within 1%..30%.
fn day_level_sd(history: &History, fitted: &FittedForecast) -> f64 {
    let mu = &fitted.learned.insample_baseline + &fitted.learned.history_uplift;
    let n = history.days.len();
    let (mut excess, mut days) = (0.0, 0);
    for k in n.saturating_sub(300)..n {
        let (mut y, mut m) = (0.0, 0.0);
        for (a, b) in history.offered.row(k).iter().zip(mu.row(k).iter()) {
            if a.is_finite() && b.is_finite() {
                y += a;
                m += b;
            }
        }
        if m > 0.0 {
            excess += ((y - m).powi(2) - m) / (m * m);
            days += 1;
        }
    }
    let sd = if days > 0 { (excess / days as f64).max(0.0).sqrt() } else { 0.05 };
    sd.clamp(0.01, 0.3)
}

/// Each channel's response learned again with the week added to the history
/// and its aired lines to the past media.
fn relearn(
    loaded: &Loaded,
    fitted: &FittedForecast,
    week: &History,
    aired: &[MediaLine],
    result: &Review,
) -> Vec<ChannelLearning> {
    let calendar = &loaded.settings.calendar;
    let week = week.without_empty_days().retain_days(|d, _| calendar.is_open_day(d));
    let history = loaded.history.followed_by(&week);
    let mut past = loaded.past.lines.clone();
    past.extend(
        aired.iter().zip(&result.lines).filter(|(_, r)| r.status != LineStatus::NotAired).map(|(l, _)| l.clone()),
    );
    let after = ForecastModel::default().fit(&history, &past).with_assumed(&loaded.settings.assumed);
    let find = |f: &FittedForecast, ch: &str| -> Option<ChannelReport> { f.channel_report(ch).cloned() };
    let mut channels: Vec<&str> = result.lines.iter().map(|l| l.channel.as_str()).collect();
    channels.sort();
    channels.dedup();
    channels
        .into_iter()
        .filter_map(|ch| {
            let (b, a) = (find(fitted, ch)?, find(&after, ch)?);
            let (unit, before, now) = match (b.calls_per_grp, a.calls_per_grp) {
                (Some(x), Some(y)) => ("grp", x, y),
                _ => ("1000_spend", b.calls_per_1000, a.calls_per_1000),
            };
            let forecast: f64 =
                result.lines.iter().filter(|l| l.channel == ch).filter_map(|l| l.forecast_extra_calls).sum();
            Some(ChannelLearning {
                channel: ch.to_string(),
                unit,
                before,
                after: now,
                source_before: b.source.label(),
                source_after: a.source.label(),
                lines_before: b.lines,
                lines_after: a.lines,
                week_forecast_calls: forecast,
                week_relearned_calls: if before > 0.0 { forecast * now / before } else { forecast },
            })
        })
        .collect()
}
