//! `ringcast check`: validate input files and summarise what was read, without
//! running anything — what a planner runs on Monday morning before the build.

use super::Format;
use crate::config::CentreConfig;
use crate::ingest::history::{load_history_with, HistoryOptions};
use crate::ingest::media::load_media_plan;
use crate::ingest::queue_stats::QueueStats;
use crate::settings::Settings;
use serde::Serialize;
use std::path::PathBuf;

/// Files to check (each optional).
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Call history: interval counts or call-detail records.
    #[arg(long)]
    pub history: Option<PathBuf>,
    /// A media plan (past or next).
    #[arg(long)]
    pub media: Option<PathBuf>,
    /// Centre configuration; also used to read the others (time zone, interval, channels).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Queue to read when the history holds several.
    #[arg(long)]
    pub queue: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Default, Serialize)]
struct Summary {
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<HistorySummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    media: Option<MediaSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    config: Option<String>,
    /// Without a config: the opening hours and closed dates read off the history.
    #[serde(skip_serializing_if = "Option::is_none")]
    calendar: Option<String>,
    warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
struct HistorySummary {
    interval_minutes: u32,
    days: usize,
    first_day: String,
    last_day: String,
    /// Calendar days between first and last without data.
    missing_days: usize,
    intervals_with_data: usize,
    calls: f64,
    has_answered: bool,
    has_abandoned: bool,
    has_aht: bool,
    /// Mean handle time, and how many calls it rests on (answered calls, or
    /// offered calls where the history has no answered column).
    handle_time_seconds: Option<f64>,
    handle_time_calls: Option<f64>,
    handle_time_basis: Option<String>,
    /// Spread of the calls' handle times (call records): standard deviation / mean.
    handle_time_cv: Option<f64>,
    /// Mean patience (censored exponential estimate), and the abandonments behind it.
    patience_seconds: Option<f64>,
    abandoned_calls: Option<f64>,
    abandon_rate: Option<f64>,
    /// Share of all callers answered within `answer_seconds` (call records).
    observed_service_level: Option<f64>,
    answer_seconds: f64,
}

#[derive(Debug, Serialize)]
struct MediaSummary {
    lines: usize,
    channels: Vec<String>,
    spend: f64,
    first_start: String,
    last_start: String,
}

pub fn run(a: &CheckArgs) -> anyhow::Result<()> {
    let mut out = Summary::default();
    let settings = match &a.config {
        Some(p) => {
            let s = Settings::load(p)?;
            out.config =
                Some(format!("{} ({}, {}-minute intervals)", s.name, s.calendar.tz, s.calendar.interval.get()));
            Some(s)
        }
        None => None,
    };
    let channels = settings.as_ref().map(|s| s.channels.clone()).unwrap_or_else(|| CentreConfig::default().channels);
    if let Some(p) = &a.history {
        let tz = settings.as_ref().map(|s| s.calendar.tz);
        let records_interval = settings.as_ref().map(|s| s.calendar.interval);
        let answer_seconds = settings.as_ref().map(|s| s.service.goal.answer_time.get());
        let opts = HistoryOptions { tz, queue: a.queue.clone(), records_interval, answer_seconds, interval_hint: None };
        let (h, w) = load_history_with(p, &opts)?;
        out.warnings.extend(w);
        match &settings {
            Some(s) => out.warnings.extend(h.closed_calls_warning(&s.calendar)),
            None => out.calendar = Some(h.opening_calendar(chrono_tz::UTC).describe()),
        }
        let q = QueueStats::of(&h);
        let first = h.days.first().copied().unwrap_or_default();
        let last = h.days.last().copied().unwrap_or_default();
        out.history = Some(HistorySummary {
            interval_minutes: h.interval.get(),
            days: h.days.len(),
            first_day: first.to_string(),
            last_day: last.to_string(),
            missing_days: ((last - first).num_days() as usize + 1).saturating_sub(h.days.len()),
            intervals_with_data: h.offered.iter().filter(|v| !v.is_nan()).count(),
            calls: h.offered.iter().filter(|v| !v.is_nan()).sum(),
            has_answered: h.answered.is_some(),
            has_abandoned: h.abandoned.is_some(),
            has_aht: h.aht_seconds.is_some(),
            handle_time_seconds: q.aht.map(|e| e.seconds),
            handle_time_calls: q.aht.map(|e| e.calls),
            handle_time_basis: q.aht.map(|e| e.basis.to_string()),
            handle_time_cv: q.handle_cv,
            patience_seconds: q.patience.map(|e| e.seconds),
            abandoned_calls: q.patience.map(|e| e.calls),
            abandon_rate: q.abandon_rate,
            observed_service_level: q.service_level,
            answer_seconds: answer_seconds.unwrap_or(20.0),
        });
    }
    if let Some(p) = &a.media {
        let m = load_media_plan(p, &channels)?;
        out.warnings.extend(m.warnings.iter().cloned());
        let starts = m.lines.iter().map(|l| l.start);
        out.media = Some(MediaSummary {
            lines: m.lines.len(),
            channels: m.channels(),
            spend: m.lines.iter().map(|l| l.spend).sum(),
            first_start: starts.clone().min().map(|t| t.to_string()).unwrap_or_default(),
            last_start: starts.max().map(|t| t.to_string()).unwrap_or_default(),
        });
    }
    match a.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&out)?),
        Format::Text => {
            for w in &out.warnings {
                eprintln!("warning: {w}");
            }
            if let Some(c) = &out.config {
                println!("config: {c}");
            }
            if let Some(h) = &out.history {
                println!(
                    "history: {} days ({} .. {}, {} calendar days without data), {}-minute intervals, {} intervals with data, {:.0} calls",
                    h.days, h.first_day, h.last_day, h.missing_days, h.interval_minutes, h.intervals_with_data, h.calls
                );
                if let (Some(v), Some(n), Some(b)) = (h.handle_time_seconds, h.handle_time_calls, &h.handle_time_basis)
                {
                    let spread =
                        h.handle_time_cv.map(|cv| format!(", coefficient of variation {cv:.2}")).unwrap_or_default();
                    println!("handle time: {v:.1} s mean over {n:.0} {b} calls{spread}");
                }
                if let (Some(v), Some(n)) = (h.patience_seconds, h.abandoned_calls) {
                    println!(
                        "patience: {v:.1} s mean (time in queue of all callers / {n:.0} abandoned calls); {:.1}% abandoned",
                        h.abandon_rate.unwrap_or(0.0) * 100.0
                    );
                }
                if let Some(sl) = h.observed_service_level {
                    println!(
                        "observed service level: {:.1}% of callers answered within {} s",
                        sl * 100.0,
                        h.answer_seconds
                    );
                }
            }
            if let Some(c) = &out.calendar {
                println!("opening hours read off the history (give --config to set them): {c}");
            }
            if let Some(m) = &out.media {
                println!(
                    "media plan: {} lines, channels {}, spend {:.0}, {} .. {}",
                    m.lines,
                    m.channels.join(", "),
                    m.spend,
                    m.first_start,
                    m.last_start
                );
            }
            println!("ok");
        }
    }
    Ok(())
}
