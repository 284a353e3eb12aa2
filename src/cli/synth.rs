//! `ringcast synth`: write the sample centre.

use crate::report::Staging;
use crate::synth::{generate, SynthOptions, AGENTS_FOR_BUNDLED_DEMAND};
use crate::synth::{RealisedOptions, Unannounced};
use anyhow::Context;
use chrono::{Duration, NaiveDate, NaiveTime};
use std::path::PathBuf;

/// Generate the sample centre.
#[derive(Debug, Clone, clap::Args)]
pub struct SynthArgs {
    /// Random seed; the same seed writes byte-identical files.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Output folder.
    #[arg(long, default_value = "data")]
    pub out: PathBuf,
    /// Weeks of history ending the Sunday before the planning week (1..=520).
    #[arg(long, default_value_t = 104, value_parser = clap::value_parser!(u32).range(1..=520))]
    pub weeks: u32,
    /// Monday of the planning week (the week after the history).
    #[arg(long, default_value = "2026-11-23", value_parser = super::iso_date)]
    pub week: NaiveDate,
    /// Number of agents in agents.csv (1..=100000).
    #[arg(long, default_value_t = 150, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub agents: u64,
    /// Queues (1..=50); with more than one, history.csv has a `queue` column and
    /// agents list the queues they take (for `plan --all-queues`).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=50))]
    pub queues: u64,
    /// Calls multiplied by this (0.01..=1000); default: agents / 150, the
    /// bundled demand scaled to the agents.
    #[arg(long)]
    pub demand_scale: Option<f64>,
    /// The day of the planning week `today.csv` holds (default: its Friday).
    #[arg(long, value_parser = super::iso_date)]
    pub today: Option<NaiveDate>,
    /// `today.csv` holds the calls before this local time.
    #[arg(long, default_value = "11:00")]
    pub until: NaiveTime,
    /// Start (local time on `--today`) of a campaign nobody announced, in the
    /// planning week's calls but in no media plan; `none` for a week without one.
    #[arg(long, default_value = "09:45")]
    pub unannounced: String,
    /// The planned lines' true response in the planning week, as a multiple of
    /// what the history taught (0..=10).
    #[arg(long, default_value_t = 1.0)]
    pub response_factor: f64,
    /// Emails' send-day calls peak this many minutes after the send (1..=300);
    /// default: they follow the day's shape from the send on.
    #[arg(long)]
    pub email_peak_minutes: Option<f64>,
    /// Retargeting's calls peak this many days after the spend (1..=3, a
    /// delayed carry-over); default: on the day itself.
    #[arg(long)]
    pub retargeting_delay_days: Option<f64>,
    /// TV spots aired 19:00–22:00 bring this many times the calls per GRP of
    /// other TV spots (0.2..=5); default: the same at every hour.
    #[arg(long)]
    pub tv_evening_factor: Option<f64>,
    /// TV spots' calls grow as GRPs to this power (0.2..=1.2; 1 = linear);
    /// default 0.75.
    #[arg(long)]
    pub tv_grp_power: Option<f64>,
    /// TV spots' calls saturate as a Hill curve in GRPs with this
    /// half-saturation (0.5..=100 GRPs), the same calls as the default at 5
    /// GRPs; default: a power.
    #[arg(long)]
    pub tv_hill_grps: Option<f64>,
    /// Each past line responds as its channel times a log-normal factor with
    /// this log-sd (0..=1); default: every line as its channel.
    #[arg(long)]
    pub line_response_sd: Option<f64>,
    /// `STATION=F`: the planned lines at this station draw F times their
    /// response in the planning week (0..=10; repeat for several stations).
    #[arg(long = "station-factor", value_name = "STATION=F")]
    pub station_factors: Vec<String>,
    /// About this many TV spots over the whole history, at most one a day
    /// (1..=10000); default: 0–2 every open day.
    #[arg(long)]
    pub tv_spots: Option<u32>,
    /// Share of TV spots aired 19:00–21:59, the others 08:00–18:59 with the
    /// same GRPs (0..=1); default: 70% between 18:00 and 21:40.
    #[arg(long)]
    pub tv_evening_share: Option<f64>,
    /// `STATION=F`: lines at this station respond F times their channel's
    /// response, in the history and the planning week (0..=10; repeat for
    /// several stations).
    #[arg(long = "station-effect", value_name = "STATION=F")]
    pub station_effects: Vec<String>,
    /// `SHAPE,MEAN`: emails' send-day delay is a gamma with this shape
    /// (1..=20) and mean in minutes (5..=300).
    #[arg(long, value_name = "SHAPE,MEAN")]
    pub email_send_gamma: Option<String>,
    /// `SHAPE,SCALE`: retargeting's carry-over is a Weibull delay with this
    /// shape (0.5..=10) and scale in days (0.2..=7).
    #[arg(long, value_name = "SHAPE,SCALE")]
    pub retargeting_weibull: Option<String>,
}

/// `A,B` as two numbers.
fn pair(flag: &str, given: &Option<String>) -> anyhow::Result<Option<(f64, f64)>> {
    let Some(g) = given else { return Ok(None) };
    let parsed =
        g.split_once(',').and_then(|(a, b)| Some((a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?)));
    parsed
        .map(Some)
        .ok_or_else(|| crate::cli::usage(format!("--{flag} '{g}': expected two numbers separated by a comma")))
}

/// `--station-factor` (`--station-effect`) values as a map, each factor checked.
fn station_factors(given: &[String]) -> anyhow::Result<std::collections::BTreeMap<String, f64>> {
    let mut m = std::collections::BTreeMap::new();
    for g in given {
        let parsed = g.rsplit_once('=').and_then(|(name, f)| Some((name.trim(), f.trim().parse::<f64>().ok()?)));
        match parsed {
            Some((name, f)) if !name.is_empty() && (0.0..=10.0).contains(&f) => {
                m.insert(name.to_string(), f);
            }
            _ => {
                return Err(crate::cli::usage(format!(
                    "--station-factor '{g}': expected STATION=F with F from 0 to 10 (e.g. ITV1=1.3)"
                )))
            }
        }
    }
    Ok(m)
}

/// `HH:MM`, or `none`.
fn time_or_none(s: &str) -> anyhow::Result<Option<NaiveTime>> {
    if s.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    NaiveTime::parse_from_str(s, "%H:%M")
        .map(Some)
        .map_err(|_| crate::cli::usage(format!("--unannounced '{s}': expected HH:MM or none")))
}

/// Write the sample into `--out`, all files or none.
pub fn run(a: &SynthArgs) -> anyhow::Result<()> {
    let out = crate::report::atomic::OutDir::claim(&a.out)?;
    let agents = a.agents as usize;
    let demand_scale = a.demand_scale.unwrap_or(agents as f64 / AGENTS_FOR_BUNDLED_DEMAND);
    if !(0.01..=1000.0).contains(&demand_scale) {
        return Err(crate::cli::usage(format!("--demand-scale {demand_scale}: expected 0.01..=1000")));
    }
    if !(0.0..=10.0).contains(&a.response_factor) {
        return Err(crate::cli::usage(format!("--response-factor {}: expected 0..=10", a.response_factor)));
    }
    if let Some(p) = a.email_peak_minutes.filter(|p| !(1.0..=300.0).contains(p)) {
        return Err(crate::cli::usage(format!("--email-peak-minutes {p}: expected 1 to 300 minutes")));
    }
    if let Some(d) = a.retargeting_delay_days.filter(|d| !(1.0..=3.0).contains(d)) {
        return Err(crate::cli::usage(format!("--retargeting-delay-days {d}: expected 1 to 3 days")));
    }
    if let Some(f) = a.tv_evening_factor.filter(|f| !(0.2..=5.0).contains(f)) {
        return Err(crate::cli::usage(format!("--tv-evening-factor {f}: expected 0.2 to 5")));
    }
    if let Some(sd) = a.line_response_sd.filter(|sd| !(0.0..=1.0).contains(sd)) {
        return Err(crate::cli::usage(format!("--line-response-sd {sd}: expected 0 to 1")));
    }
    let today = a.today.unwrap_or(a.week + Duration::days(4));
    if !(a.week..a.week + Duration::days(7)).contains(&today) {
        return Err(crate::cli::usage(format!("--today {today}: expected a day of the week from {}", a.week)));
    }
    let realised = RealisedOptions {
        today,
        until: a.until,
        response_factor: a.response_factor,
        unannounced: time_or_none(&a.unannounced)?.map(|t| Unannounced::push(today.and_time(t))),
        station_factors: station_factors(&a.station_factors)?,
    };
    let options = SynthOptions {
        seed: a.seed,
        weeks: a.weeks,
        week: a.week,
        agents,
        queues: a.queues as usize,
        demand_scale,
        realised,
        email_peak_minutes: a.email_peak_minutes,
        retargeting_delay_days: a.retargeting_delay_days,
        tv_evening_factor: a.tv_evening_factor,
        tv_grp_power: a.tv_grp_power,
        tv_hill_grps: a.tv_hill_grps,
        line_response_sd: a.line_response_sd,
        tv_spots: a.tv_spots,
        tv_evening_share: a.tv_evening_share,
        station_effects: station_factors(&a.station_effects)?,
        email_send_gamma: pair("email-send-gamma", &a.email_send_gamma)?,
        retargeting_weibull: pair("retargeting-weibull", &a.retargeting_weibull)?,
    };
    options.check().map_err(|e| crate::cli::usage(e.to_string()))?;
    let sample = generate(&options)?;
    let staging = Staging::new(&out)?;
    for (name, text) in &sample.files {
        staging.write(name, text)?;
    }
    let written = staging.commit().with_context(|| format!("writing the sample into {}", a.out.display()))?;
    for w in written {
        println!("wrote {}", w.display());
    }
    Ok(())
}
