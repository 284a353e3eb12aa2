//! The weekly build and its shared inputs.
//!
//! [`Inputs`] are the clap flags (with `RINGCAST_*` environment variables and the
//! bundled `data/` as defaults, in that order of precedence); [`Loaded`] is what
//! they resolve to once every file has been read and validated. Stages take
//! `Loaded`, never flags.

use crate::calendar::{week_days, OpenCalendar};
use crate::config::CentreConfig;
use crate::error::InputError;
use crate::forecast::predict::{unlearned_channels, FittedForecast, Forecast, ForecastModel};
use crate::ingest::history::{load_history_with, HistoryOptions};
use crate::ingest::media::{load_media_plan, MediaPlan};
use crate::ingest::History;
use crate::report::atomic::write_file;
use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Input files shared by `plan`, `forecast` and `impact`.
#[derive(Debug, Clone, clap::Args)]
pub struct Inputs {
    /// Call history: interval counts (CSV).
    #[arg(long, env = "RINGCAST_HISTORY", default_value = "data/history.csv")]
    pub history: PathBuf,
    /// Past media plans, for learning each channel's response (CSV).
    #[arg(long, env = "RINGCAST_MEDIA", default_value = "data/media_history.csv")]
    pub media: PathBuf,
    /// Next period's media plan, as marketing submits it (CSV).
    #[arg(long, env = "RINGCAST_MEDIA_PLAN", default_value = "data/media_plan_next_week.csv")]
    pub media_plan: PathBuf,
    /// Centre configuration (TOML).
    #[arg(long, env = "RINGCAST_CONFIG", default_value = "data/centre.toml")]
    pub config: PathBuf,
    /// Monday of the week to plan (default: the week after the history ends).
    #[arg(long)]
    pub week: Option<NaiveDate>,
    /// Queue to read when the history holds several.
    #[arg(long)]
    pub queue: Option<String>,
}

/// Inputs read and validated.
pub struct Loaded {
    pub config: CentreConfig,
    pub calendar: OpenCalendar,
    pub history: History,
    pub past: MediaPlan,
    pub plan: MediaPlan,
    pub week: NaiveDate,
    pub days: Vec<NaiveDate>,
    pub warnings: Vec<String>,
    pub inputs: Inputs,
}

impl Inputs {
    /// Read every input and check them against each other.
    pub fn load(&self) -> anyhow::Result<Loaded> {
        let config = CentreConfig::load(&self.config)?;
        let calendar = OpenCalendar::from_config(&config, &self.config)?;
        let opts = HistoryOptions {
            tz: Some(calendar.tz),
            queue: self.queue.clone(),
            records_interval: Some(calendar.interval),
        };
        let (raw, mut warnings) = load_history_with(&self.history, &opts)?;
        let history = raw.resample(calendar.interval).map_err(|m| {
            InputError::key(&self.config, "interval_minutes", format!("{m} (history {})", self.history.display()))
        })?;
        let past = load_media_plan(&self.media, &config)?;
        let plan = load_media_plan(&self.media_plan, &config)?;
        warnings.extend(past.warnings.iter().cloned());
        warnings.extend(plan.warnings.iter().cloned());
        let last = history.last_day().ok_or_else(|| InputError::file(&self.history, "no history rows"))?;
        let week = match self.week {
            Some(w) if w.weekday() != Weekday::Mon => {
                anyhow::bail!("--week {w} is a {}; expected the Monday that starts the planning week", w.weekday())
            }
            Some(w) => w,
            None => last + Duration::days(7 - last.weekday().num_days_from_monday() as i64),
        };
        let days = week_days(week);
        let end = week + Duration::days(7);
        for l in &plan.lines {
            let last_moment = l.end.unwrap_or(l.start);
            if last_moment.date() < week || l.start.date() >= end {
                return Err(InputError::bad_value(
                    &self.media_plan,
                    l.row,
                    "start",
                    &l.start.format("%Y-%m-%d %H:%M").to_string(),
                    format!("a time within the planning week {week} .. {}", end - Duration::days(1)),
                )
                .into());
            }
        }
        Ok(Loaded { config, calendar, history, past, plan, week, days, warnings, inputs: self.clone() })
    }
}

impl Loaded {
    /// Fit the forecaster and forecast the planning week.
    pub fn forecast(&self) -> anyhow::Result<(FittedForecast, Forecast)> {
        let fitted = ForecastModel::default().fit(&self.history, &self.past.lines);
        let missing = unlearned_channels(&fitted, &self.plan.lines);
        if let Some(l) = missing.first() {
            let why = fitted
                .learned
                .fitted
                .skipped
                .iter()
                .find(|(c, _)| *c == l.channel)
                .map(|(_, w)| w.clone())
                .unwrap_or_else(|| {
                    format!("it never appears in the past media plans ({})", self.inputs.media.display())
                });
            return Err(InputError::cell(
                &self.inputs.media_plan,
                l.row,
                "channel",
                format!(
                    "no response learned for channel '{}': {why}; expected a channel with history (learned: {})",
                    l.channel,
                    fitted.responses().keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            )
            .into());
        }
        let fc = fitted.predict(&self.days, &self.calendar, &self.plan.lines);
        Ok((fitted, fc))
    }
}

/// The forecast as CSV: one row per interval of the period.
pub fn forecast_csv(fc: &Forecast) -> String {
    let channels: Vec<&String> = fc.uplift.keys().collect();
    let mut s = String::from("interval_start,open,baseline");
    for c in &channels {
        let _ = write!(s, ",uplift_{c}");
    }
    s.push_str(",uplift_total,expected,lo80,hi80,lo95,hi95\n");
    let step = fc.interval.get() as i64;
    for (k, d) in fc.days.iter().enumerate() {
        for slot in 0..fc.interval.per_day() {
            let t = d.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(slot as i64 * step);
            let up: f64 = channels.iter().map(|c| fc.uplift[*c][[k, slot]]).sum();
            let _ = write!(
                s,
                "{},{},{:.3}",
                t.format("%Y-%m-%d %H:%M"),
                u8::from(fc.open[[k, slot]]),
                fc.baseline[[k, slot]]
            );
            for c in &channels {
                let _ = write!(s, ",{:.3}", fc.uplift[*c][[k, slot]]);
            }
            let _ = writeln!(
                s,
                ",{:.3},{:.3},{},{},{},{}",
                up,
                fc.total[[k, slot]],
                fc.lo80[[k, slot]],
                fc.hi80[[k, slot]],
                fc.lo95[[k, slot]],
                fc.hi95[[k, slot]]
            );
        }
    }
    s
}

/// The learned channel responses as a text table.
pub fn fit_report(fitted: &FittedForecast) -> String {
    let mut s = String::from(
        "channel        kind    lines  calls/GRP  calls/1000  ±se   peak min  ≤15 min  ≤60 min  half-life d\n",
    );
    let opt = |v: Option<f64>, d: usize| v.map(|x| format!("{x:.d$}")).unwrap_or_else(|| "-".into());
    for r in &fitted.learned.fitted.reports {
        let _ = writeln!(
            s,
            "{:<14} {:<7} {:>5}  {:>9}  {:>10.1}  {:>3.0}%  {:>8}  {:>7}  {:>7}  {:>11}",
            r.channel,
            r.kind,
            r.lines,
            opt(r.calls_per_grp, 2),
            r.calls_per_1000,
            r.relative_se * 100.0,
            opt(r.peak_minute, 1),
            opt(r.share_15_min.map(|v| v * 100.0), 0),
            opt(r.share_60_min.map(|v| v * 100.0), 0),
            opt(r.half_life_days, 2)
        );
    }
    for (c, why) in &fitted.learned.fitted.skipped {
        let _ = writeln!(s, "{c:<14} not learned: {why}");
    }
    s
}

/// Inputs of the weekly build.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    /// Agents with contracts and availability (CSV).
    #[arg(long, env = "RINGCAST_AGENTS", default_value = "data/agents.csv")]
    pub agents: PathBuf,
    /// Output folder (outputs replace last run's only when every stage succeeded).
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
}

/// Inputs of a forecast.
#[derive(Debug, clap::Args)]
pub struct ForecastArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    /// Where to write the forecast CSV.
    #[arg(long, default_value = "forecast.csv")]
    pub out: PathBuf,
    /// Print what was learned about each channel.
    #[arg(long)]
    pub fit_report: bool,
}

pub fn run_forecast(a: &ForecastArgs) -> anyhow::Result<()> {
    let loaded = a.inputs.load()?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    let (fitted, fc) = loaded.forecast()?;
    write_file(&a.out, forecast_csv(&fc)).with_context(|| format!("writing {}", a.out.display()))?;
    if a.fit_report {
        print!("{}", fit_report(&fitted));
    }
    let base: f64 = fc.baseline.sum();
    let up: f64 = fc.total_uplift().sum();
    println!(
        "forecast {} .. {}: {:.0} calls ({:.0} baseline + {:.0} from campaigns); written to {}",
        loaded.week,
        loaded.week + Duration::days(6),
        base + up,
        base,
        up,
        a.out.display()
    );
    Ok(())
}

pub fn run_plan(_: &PlanArgs) -> anyhow::Result<()> {
    anyhow::bail!("the weekly build needs the staffing and scheduling engines (in progress)")
}
