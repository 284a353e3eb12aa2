//! `ringcast backtest`: rolling-origin evaluation on any history.

use super::{usage, Format};
use crate::config::ChannelKinds;
use crate::error::Error;
use crate::forecast::backtest::{
    open_intervals_only, run_intraday as run_intraday_protocol, run_protocol_scored, CampaignInputs, MethodScore,
};
use crate::ingest::history::{load_history, load_history_with, HistoryOptions};
use crate::ingest::media::{load_media_plan_as, MediaReading};
use crate::ingest::History;
use crate::settings::Settings;
use anyhow::Context;
use chrono::{NaiveDate, NaiveTime, Timelike};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Rolling-origin backtest.
#[derive(Debug, clap::Args)]
pub struct BacktestArgs {
    /// Call history (interval counts or call records).
    #[arg(long)]
    pub history: PathBuf,
    /// First target day (inclusive).
    #[arg(long, value_parser = super::iso_date)]
    pub from: NaiveDate,
    /// Last target day (inclusive).
    #[arg(long, value_parser = super::iso_date)]
    pub to: NaiveDate,
    /// Days with data each forecast is fitted on (the most recent before the origin).
    #[arg(long, default_value_t = 100)]
    pub window_days: usize,
    /// Days with data forecast at once from each origin (origins step by this).
    #[arg(long, default_value_t = 1)]
    pub horizon_days: usize,
    /// Past media plans (CSV): the campaign-aware forecaster learns each
    /// channel's response from the lines before each origin.
    #[arg(long)]
    pub media: Option<PathBuf>,
    /// Centre configuration (TOML): time zone, interval, opening hours, closed
    /// dates, channel kinds. Without it the opening hours and holidays are
    /// read off the history.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Score the intraday update instead: rest-of-day accuracy after seeing
    /// each target day up to these local times (e.g. `10:00,12:00,14:00`),
    /// against no update and the ratio method.
    #[arg(long, value_delimiter = ',')]
    pub intraday: Vec<NaiveTime>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write each scored day's scores per method to this CSV (day, intervals,
    /// actual and forecast calls, RMSE, APE), to see which days fail.
    #[arg(long)]
    pub per_day: Option<PathBuf>,
}

/// The history (on the config's time zone and interval, if given) and what
/// the campaign-aware forecaster needs (no media lines without `--media`: it
/// is then the classic daily level × intraday profile model).
fn load_inputs(a: &BacktestArgs) -> anyhow::Result<(History, CampaignInputs)> {
    let (h, channels, calendar, reading) = match &a.config {
        Some(p) => {
            let settings = Settings::load(p)?;
            let opts = HistoryOptions { queue: None, answer_seconds: None, ..settings.history_options(None) };
            let cal = settings.calendar;
            let (raw, _) = load_history_with(&a.history, &opts)?;
            let h = raw
                .resample(cal.interval)
                .map_err(|m| Error::config(p, "interval_minutes", format!("{m} (history {})", a.history.display())))?;
            (h, settings.channels, cal, settings.media_reading)
        }
        None => {
            let h = load_history(&a.history)?;
            let cal = h.opening_calendar(chrono_tz::UTC);
            (h, ChannelKinds::default(), cal, MediaReading::default())
        }
    };
    let lines = match &a.media {
        Some(media) => load_media_plan_as(media, &channels, &reading)?.lines,
        None => vec![],
    };
    Ok((h, CampaignInputs { calendar, lines }))
}

/// Longest horizon a backtest forecasts from one origin: a year.
pub const MAX_HORIZON_DAYS: usize = 366;
/// Longest fitting window, days with data.
pub const MAX_BACKTEST_DAYS: usize = crate::limits::MAX_SPAN_DAYS as usize;

/// `--from` must lie inside the history: a first target day before its first
/// day, or after its last, has nothing to learn from or to score.
fn check_range_in_history(a: &BacktestArgs, h: &History) -> anyhow::Result<()> {
    let (Some(first), Some(last)) = (h.days.first(), h.days.last()) else { return Ok(()) };
    if a.from <= *first {
        return Err(usage(format!(
            "--from {}: expected a day after the history's first day {first} ({}), with --window-days {} days of data before it",
            a.from,
            a.history.display(),
            a.window_days
        )));
    }
    if a.from > *last {
        return Err(usage(format!(
            "--from {}: expected a day up to the history's last day {last} ({}): later days have no calls to score",
            a.from,
            a.history.display()
        )));
    }
    Ok(())
}

/// The protocol's flags in their ranges, `--to` not before `--from`.
fn check_flags(a: &BacktestArgs) -> anyhow::Result<()> {
    if a.window_days < 7 {
        return Err(usage(format!("--window-days {}: expected at least 7 days", a.window_days)));
    }
    if a.window_days > MAX_BACKTEST_DAYS {
        return Err(usage(format!(
            "--window-days {}: expected at most {MAX_BACKTEST_DAYS} days (twenty years)",
            a.window_days
        )));
    }
    if !(1..=MAX_HORIZON_DAYS).contains(&a.horizon_days) {
        return Err(usage(format!(
            "--horizon-days {}: expected 1 to {MAX_HORIZON_DAYS} days forecast from each origin",
            a.horizon_days
        )));
    }
    if a.to < a.from {
        return Err(usage(format!("--to {} is before --from {}", a.to, a.from)));
    }
    Ok(())
}

pub fn run(a: &BacktestArgs) -> anyhow::Result<()> {
    check_flags(a)?;
    let (h, campaign) = load_inputs(a)?;
    check_range_in_history(a, &h)?;
    if !a.intraday.is_empty() {
        return run_intraday(a, &h, &campaign);
    }
    if let Some(p) = &a.per_day {
        crate::report::atomic::check_out_file(p)?;
    }
    let inferred = a.config.is_none().then(|| campaign.calendar.describe());
    // With a config, only the intervals it opens are scored: calls in closed
    // ones are the export's, not the forecast's to predict.
    let (scored, closed) = match &a.config {
        Some(_) => {
            let (s, n, calls) = open_intervals_only(&h, &campaign.calendar, a.from, a.to);
            (s, Some((n, calls)))
        }
        None => (h.clone(), None),
    };
    let protocol = (a.from, a.to, a.window_days, a.horizon_days);
    let scores = run_protocol_scored(&h, &scored, protocol, Some(&campaign));
    if scores.values().all(|s| s.days_scored == 0) {
        return Err(usage(format!(
            "no target day between {} and {} has {} days with data before it in {}",
            a.from,
            a.to,
            a.window_days,
            a.history.display()
        )));
    }
    if let Some(p) = &a.per_day {
        crate::report::atomic::write_file(p, per_day_csv(&scores))
            .with_context(|| format!("writing {}", p.display()))?;
    }
    match a.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&scores)?),
        Format::Text => {
            println!(
                "method                    days   RMSE mean  median   APE% mean  median   cover80  cover95   seconds"
            );
            let cov = |c: Option<f64>| c.map(|c| format!("{c:.3}")).unwrap_or_else(|| "-".into());
            for (name, s) in &scores {
                if s.days_scored == 0 {
                    println!("{name:<24} {:>5}   not scored: too little history in each window for this method", 0);
                    continue;
                }
                println!(
                    "{:<24} {:>5}   {:>9.2} {:>7.2}   {:>9.2} {:>7.2}   {:>7}  {:>7}   {:>7.3}",
                    name,
                    s.days_scored,
                    s.rmse_mean,
                    s.rmse_median,
                    s.ape_mean,
                    s.ape_median,
                    cov(s.coverage80),
                    cov(s.coverage95),
                    s.seconds
                );
            }
            if let Some(s) = scores.values().find(|s| s.days_scored > 0) {
                println!(
                    "scored: {} intervals of {} minutes on {} days{}",
                    s.intervals_scored,
                    s.interval_minutes,
                    s.days_scored,
                    match closed {
                        Some((n, calls)) => format!(
                            "; only the intervals the config opens ({n} closed interval(s) holding {calls:.0} calls left out)"
                        ),
                        None => "; every interval with data".into(),
                    }
                );
            }
            if let Some(c) = &inferred {
                println!("opening hours read off the history (no --config): {c}");
            }
            if let Some(s) = scores.values().find(|s| s.days_skipped > 0) {
                println!(
                    "{} target day(s) without calls (closed) left out of the day statistics; every method is scored on the same intervals (those with data)",
                    s.days_skipped
                );
            }
        }
    }
    Ok(())
}

/// `--per-day`: one row per method and scored day.
fn per_day_csv(scores: &BTreeMap<String, MethodScore>) -> String {
    use std::fmt::Write as _;
    let mut out = String::from("method,day,intervals,actual,forecast,rmse,ape\n");
    for (name, s) in scores {
        for d in &s.per_day {
            let _ = writeln!(
                out,
                "{name},{},{},{:.0},{:.1},{:.3},{:.3}",
                d.day,
                d.intervals,
                d.actual,
                d.forecast + 0.0,
                d.rmse,
                d.ape
            );
        }
    }
    out
}

/// The slot of the day at `t`, which must fall on an interval boundary.
fn slot_at(t: NaiveTime, h: &History) -> anyhow::Result<usize> {
    let step = h.interval.get();
    let minutes = t.hour() * 60 + t.minute();
    if !minutes.is_multiple_of(step) || t.second() != 0 {
        return Err(usage(format!(
            "--intraday {}: expected a time on the history's {step}-minute interval boundaries",
            t.format("%H:%M")
        )));
    }
    Ok((minutes / step) as usize)
}

/// `backtest --intraday`: rest-of-day scores per update time and method.
fn run_intraday(a: &BacktestArgs, h: &History, campaign: &CampaignInputs) -> anyhow::Result<()> {
    let slots: Vec<usize> = a.intraday.iter().map(|t| slot_at(*t, h)).collect::<anyhow::Result<_>>()?;
    let scores = run_intraday_protocol(h, (a.from, a.to, a.window_days, a.horizon_days), &slots, campaign);
    if scores.values().all(|m| m.values().all(|s| s.days_scored == 0)) {
        return Err(usage(format!(
            "no target day between {} and {} has {} days with data before it and calls after the update times in {}",
            a.from,
            a.to,
            a.window_days,
            a.history.display()
        )));
    }
    let time_of = |slot: usize| {
        let m = slot as u32 * h.interval.get();
        format!("{:02}:{:02}", m / 60, m % 60)
    };
    match a.format {
        Format::Json => {
            let keyed: BTreeMap<String, _> = scores.iter().map(|(s, v)| (time_of(*s), v)).collect();
            println!("{}", serde_json::to_string_pretty(&keyed)?);
        }
        Format::Text => {
            println!(
                "update at  method              days   rest-of-day RMSE mean  median   APE% mean  median   surprises"
            );
            for (slot, methods) in &scores {
                for (name, s) in methods {
                    println!(
                        "{:<10} {:<18} {:>5}   {:>21.2} {:>7.2}   {:>9.2} {:>7.2}   {:>9}",
                        time_of(*slot),
                        name,
                        s.days_scored,
                        s.rmse_mean,
                        s.rmse_median,
                        s.ape_mean,
                        s.ape_median,
                        s.days_flagged.map_or("-".to_string(), |n| n.to_string())
                    );
                }
            }
        }
    }
    Ok(())
}
