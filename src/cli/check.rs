//! `ringcast check`: validate input files and summarise what was read, without
//! running anything — what a planner runs on Monday morning before the build.

use super::Format;
use crate::config::CentreConfig;
use crate::ingest::agents::agents_from_table;
use crate::ingest::history::{history_from_table, silent_end_warning, HistoryOptions};
use crate::ingest::media::{media_from_table, read_media_table, MediaReading};
use crate::ingest::queue_stats::QueueStats;
use crate::ingest::requirements::requirements_from_table;
use crate::ingest::table::{ReadFormat, Table};
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
    /// Next week's media plan (checked like `--media`).
    #[arg(long)]
    pub media_plan: Option<PathBuf>,
    /// The agents file of `plan`.
    #[arg(long)]
    pub agents: Option<PathBuf>,
    /// A requirements file of `schedule` (needs the config's calendar).
    #[arg(long)]
    pub requirements: Option<PathBuf>,
    /// Queue to read when the history holds several.
    #[arg(long)]
    pub queue: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// How one file was read: each column read as which field, and those not used.
#[derive(Debug, Serialize)]
struct Reading {
    file: String,
    columns: Vec<ColumnRead>,
    unused: Vec<String>,
}

#[derive(Debug, Serialize)]
struct ColumnRead {
    column: String,
    field: String,
}

impl Reading {
    fn of(t: &Table) -> Reading {
        Reading {
            file: t.path.display().to_string(),
            columns: t.reading().into_iter().map(|(column, field)| ColumnRead { column, field }).collect(),
            unused: t.unused(),
        }
    }
}

#[derive(Debug, Default, Serialize)]
struct Summary {
    /// Every file's reading, in the order of the flags.
    readings: Vec<Reading>,
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<HistorySummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    media: Option<MediaSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    media_plan: Option<MediaSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    agents: Option<AgentsSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    requirements: Option<RequirementsSummary>,
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

#[derive(Debug, Serialize)]
struct AgentsSummary {
    agents: usize,
    min_weekly_hours: f64,
    max_weekly_hours: f64,
}

#[derive(Debug, Serialize)]
struct RequirementsSummary {
    days: usize,
    interval_minutes: u32,
    agent_intervals: f64,
}

pub fn run(a: &CheckArgs) -> anyhow::Result<()> {
    let mut out = Summary::default();
    let settings = match &a.config {
        Some(p) => {
            let s = Settings::load(p)?;
            out.config =
                Some(format!("{} ({}, {}-minute intervals)", s.name, s.calendar.tz, s.calendar.interval.get()));
            out.warnings.extend(s.warnings.iter().cloned());
            Some(s)
        }
        None => None,
    };
    let channels =
        settings.as_ref().map(|s| s.channels.clone()).unwrap_or_else(|| CentreConfig::default().channel_kinds());
    if let Some(p) = &a.history {
        out.history = Some(check_history(p, a, settings.as_ref(), &mut out)?);
    }
    let reading = settings.as_ref().map(|s| s.media_reading.clone()).unwrap_or_default();
    if let Some(p) = &a.media {
        out.media = Some(check_media(p, &channels, &reading, &mut out)?);
    }
    if let Some(p) = &a.media_plan {
        out.media_plan = Some(check_media(p, &channels, &reading, &mut out)?);
    }
    if let Some(p) = &a.agents {
        let t = Table::read(p)?;
        let agents = agents_from_table(&t)?;
        out.readings.push(Reading::of(&t));
        out.warnings.extend(t.reading_warnings());
        out.agents = Some(AgentsSummary {
            agents: agents.len(),
            min_weekly_hours: agents.iter().map(|x| x.min_weekly_hours).sum(),
            max_weekly_hours: agents.iter().map(|x| x.max_weekly_hours).sum(),
        });
    }
    if let Some(p) = &a.requirements {
        let Some(s) = &settings else {
            return Err(super::usage(
                "--requirements: give --config too (the requirements are checked against its calendar)",
            ));
        };
        let t = Table::read(p)?;
        let grid = requirements_from_table(&t, &s.calendar, s.service.shrinkage)?;
        out.readings.push(Reading::of(&t));
        out.warnings.extend(t.reading_warnings());
        out.requirements = Some(RequirementsSummary {
            days: grid.days().len(),
            interval_minutes: s.calendar.interval.get(),
            agent_intervals: grid.required.iter().sum(),
        });
    }
    match a.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&out)?),
        Format::Text => print_text(&out),
    }
    Ok(())
}

/// Read the history as `plan` would (the config's columns and formats, or
/// the defaults), and summarise it with what it says about the queue.
fn check_history(
    p: &std::path::Path,
    a: &CheckArgs,
    settings: Option<&Settings>,
    out: &mut Summary,
) -> anyhow::Result<HistorySummary> {
    let opts = match settings {
        Some(s) => s.history_options(a.queue.clone()),
        None => HistoryOptions { queue: a.queue.clone(), format: ReadFormat::of("history"), ..Default::default() },
    };
    let t = Table::read_as(p, &opts.format)?;
    let (h, w) = history_from_table(&t, &opts)?;
    out.readings.push(Reading::of(&t));
    out.warnings.extend(w);
    out.warnings.extend(silent_end_warning(p, &h));
    match settings {
        Some(s) => out.warnings.extend(h.closed_calls_warning(&s.calendar)),
        None => out.calendar = Some(h.opening_calendar(chrono_tz::UTC).describe()),
    }
    let q = QueueStats::of(&h);
    let first = h.days.first().copied().unwrap_or_default();
    let last = h.days.last().copied().unwrap_or_default();
    Ok(HistorySummary {
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
        answer_seconds: opts.answer_seconds.unwrap_or(20.0),
    })
}

/// The summary as text: warnings to stderr, the rest to stdout.
fn print_text(s: &Summary) {
    for w in &s.warnings {
        eprintln!("warning: {w}");
    }
    for r in &s.readings {
        println!("{}: read", r.file);
        for c in &r.columns {
            println!("  {} -> {}", c.column, c.field);
        }
        if !r.unused.is_empty() {
            println!("  not used: {}", r.unused.join(", "));
        }
    }
    if let Some(c) = &s.config {
        println!("config: {c}");
    }
    if let Some(h) = &s.history {
        println!(
            "history: {} days ({} .. {}, {} calendar days without data), {}-minute intervals, {} intervals with data, {:.0} calls",
            h.days, h.first_day, h.last_day, h.missing_days, h.interval_minutes, h.intervals_with_data, h.calls
        );
        if let (Some(v), Some(n), Some(b)) = (h.handle_time_seconds, h.handle_time_calls, &h.handle_time_basis) {
            let spread = h.handle_time_cv.map(|cv| format!(", coefficient of variation {cv:.2}")).unwrap_or_default();
            println!("handle time: {v:.1} s mean over {n:.0} {b} calls{spread}");
        }
        if let (Some(v), Some(n)) = (h.patience_seconds, h.abandoned_calls) {
            println!(
                "patience: {v:.1} s mean (time in queue of all callers / {n:.0} abandoned calls); {:.1}% abandoned",
                h.abandon_rate.unwrap_or(0.0) * 100.0
            );
        }
        if let Some(sl) = h.observed_service_level {
            println!("observed service level: {:.1}% of callers answered within {} s", sl * 100.0, h.answer_seconds);
        }
    }
    if let Some(c) = &s.calendar {
        println!("opening hours read off the history (give --config to set them): {c}");
    }
    for (what, m) in [("media", &s.media), ("media plan", &s.media_plan)] {
        if let Some(m) = m {
            println!(
                "{what}: {} lines, channels {}, spend {:.0}, {} .. {}",
                m.lines,
                m.channels.join(", "),
                m.spend,
                m.first_start,
                m.last_start
            );
        }
    }
    if let Some(g) = &s.agents {
        println!(
            "agents: {}, contracted {:.0} to {:.0} hours a week in all",
            g.agents, g.min_weekly_hours, g.max_weekly_hours
        );
    }
    if let Some(r) = &s.requirements {
        println!(
            "requirements: {} days of {}-minute intervals, {:.0} agent-intervals to roster",
            r.days, r.interval_minutes, r.agent_intervals
        );
    }
    println!("ok");
}

/// Read a media file as `plan` would, and summarise it.
fn check_media(
    p: &std::path::Path,
    channels: &crate::config::ChannelKinds,
    reading: &MediaReading,
    out: &mut Summary,
) -> anyhow::Result<MediaSummary> {
    let m = match read_media_table(p, reading)? {
        Some(t) => {
            let m = media_from_table(&t, channels, reading)?;
            out.readings.push(Reading::of(&t));
            m
        }
        None => Default::default(),
    };
    out.warnings.extend(m.warnings.iter().cloned());
    let starts = m.lines.iter().map(|l| l.start);
    Ok(MediaSummary {
        lines: m.lines.len(),
        channels: m.channels(),
        spend: m.lines.iter().map(|l| l.spend).sum(),
        first_start: starts.clone().min().map(|t| t.to_string()).unwrap_or_default(),
        last_start: starts.max().map(|t| t.to_string()).unwrap_or_default(),
    })
}
