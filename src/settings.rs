//! Settings resolved once: the centre configuration checked and turned into the
//! typed values the stages take ([`OpenCalendar`], [`ServicePolicy`],
//! [`SchedulingRules`], [`Costs`], [`ChannelKinds`]). Every rule is checked
//! here, once, and a broken one names its config key. Stages never see a path
//! or a flag.
//!
//! The service values come through the one resolver of [`resolve`] (flag >
//! environment > config file > history > default), which records where each
//! came from ([`Provenance`]); `ringcast staff` uses the same resolver.

pub mod resolve;

pub use resolve::{config_key, Candidates, Given, Provenance, Rejected, ResolveError, ResolvedService};
pub use resolve::{ServiceCandidates, Source};

use crate::calendar::OpenCalendar;
use crate::config::weekday_of;
use crate::config::{CentreConfig, ChannelKinds, WEEKDAYS};
use crate::config::{ChannelEntry, ChannelKind, FileReadingConfig};
use crate::error::{Error, InputError};
use crate::forecast::media::assumed::AssumedResponse;
use crate::ingest::media::MediaReading;
use crate::ingest::queue_stats::{Estimate, HourProfile, QueueStats};
use crate::ingest::table::ReadFormat;
use crate::limits;
use crate::schedule::{SchedulingRules, ShiftFamily};
use crate::simulate::{HandleTimes, SimSettings};
use crate::staff::lines::Lines;
use crate::staff::ServicePolicy;
use crate::units::{Fraction, Money};
use chrono::Weekday;
use std::collections::BTreeMap;
use std::path::Path;

/// What answering costs and what a call is worth.
#[derive(Debug, Clone, PartialEq)]
pub struct Costs {
    /// Loaded cost of one paid agent hour.
    pub hourly: Money,
    /// Value of one answered call (lead value), for the campaign impact.
    pub value_per_answered_call: Money,
    /// Currency label.
    pub currency: String,
}

/// The centre's settings, checked.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Display name used in report titles.
    pub name: String,
    pub calendar: OpenCalendar,
    pub service: ServicePolicy,
    /// Every value offered for the policy (file, flags, environment, history,
    /// defaults), resolved again whenever one is added.
    pub service_candidates: ServiceCandidates,
    /// Where each value of `service` came from.
    pub provenance: Provenance,
    /// Handle time by weekday and hour, when it was learned from the history.
    pub aht_profile: Option<HourProfile>,
    /// Patience by weekday and hour, when it was learned from the history.
    pub patience_profile: Option<HourProfile>,
    pub scheduling: SchedulingRules,
    pub costs: Costs,
    pub channels: ChannelKinds,
    /// First day of the planning week.
    pub week_start: Weekday,
    pub simulation: SimulationSettings,
    /// The centre's lines (`[lines]`); `None`: not modelled.
    pub lines: Option<Lines>,
    /// What the service goal is answered for.
    pub goal: GoalSettings,
    /// How the history file is read (`[history]`).
    pub history_format: ReadFormat,
    /// How media plans are read (`[media]`).
    pub media_reading: MediaReading,
    /// Odd but usable values in the config (`aht_seconds = 5`).
    pub warnings: Vec<String>,
    /// Assumed responses of channels (`[channels.tv] assumed_calls_per_grp`).
    pub assumed: BTreeMap<String, AssumedResponse>,
    /// How calls reach agents of several queues (`[routing]`); `None`:
    /// `one-queue-per-shift`, each shift answers one queue.
    pub routing: Option<crate::simulate::skills::Routing>,
}

/// Service values given on the command line (or in the environment) for a
/// what-if, each with the flag or variable that gave it: they win over the
/// config file (see [`resolve`] for the precedence).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceOverrides {
    pub target_sl: Option<Given<f64>>,
    pub answer_seconds: Option<Given<f64>>,
    pub shrinkage: Option<Given<f64>>,
    pub aht_seconds: Option<Given<f64>>,
    pub patience_seconds: Option<Given<f64>>,
    pub goal: Option<Given<GoalScope>>,
}

impl ServiceOverrides {
    fn offer_to(&self, c: &mut ServiceCandidates) {
        c.target_sl.offer(self.target_sl.clone());
        c.answer_seconds.offer(self.answer_seconds.clone());
        c.shrinkage.offer(self.shrinkage.clone());
        c.aht_seconds.offer(self.aht_seconds.clone());
        c.patience_seconds.offer(self.patience_seconds.clone());
        c.goal.offer(self.goal.clone());
    }
}

impl Settings {
    /// Offer a what-if's values over the file's and resolve, then check the
    /// goal's values as one set (a flag's `--goal day` takes the file's
    /// floor); a broken rule names the flag or variable (`--target-sl: …`).
    pub fn apply(&mut self, o: &ServiceOverrides, path: &Path) -> Result<(), Error> {
        o.offer_to(&mut self.service_candidates);
        let resolved = self.resolve_service(path)?;
        if let Some(scope) = resolved.goal {
            self.goal.scope = scope;
        }
        self.goal.scope_from = resolved.provenance.goal.clone();
        self.goal.target_sl = (resolved.values.target_sl, resolved.provenance.target_sl.clone());
        let warnings = self.goal.check(path)?;
        self.warnings.extend(warnings);
        Ok(())
    }

    /// Resolve the candidates into the policy and its provenance.
    fn resolve_service(&mut self, path: &Path) -> Result<ResolvedService, Error> {
        let resolved = self.service_candidates.resolve().map_err(|e| service_error(e, path))?;
        self.service = resolved.policy;
        self.provenance = resolved.provenance.clone();
        Ok(resolved)
    }
}

/// A service value that could not be resolved, named by where it came from:
/// a flag or variable (exit 2, `--target-sl: …`), the config's key, or the
/// history.
fn service_error(e: ResolveError, path: &Path) -> Error {
    let r = match e {
        ResolveError::Missing { key } => return Error::config(path, config_key(key), "missing"),
        ResolveError::Rejected(r) => r,
    };
    match r.source {
        Source::Flag { name } => Error::usage(format!("{name}: {}", r.message)),
        Source::Environment { var } => Error::usage(format!("{var}: {}", r.message)),
        Source::File { path, key } => Error::config(path, key, r.message),
        Source::Learned(_) => {
            Error::config(path, "service", format!("with the queue read off the history: {}", r.message))
        }
        Source::Default => Error::config(path, config_key(r.key), r.message),
    }
}

/// The `[service]` values of the file, each named by its key (a key left out
/// by its default there); the handle time, when left out, is the built-in
/// default that the history may replace.
fn file_candidates(cfg: &CentreConfig, path: &Path) -> ServiceCandidates {
    let s = &cfg.service;
    let file = |v: f64, key: &str| Some(Given::file(v, path, config_key(key)));
    let set = |v: Option<f64>, key: &str| v.and_then(|v| file(v, key));
    let mut c = ServiceCandidates::default();
    c.target_sl.offer(file(s.target_sl, "target_sl"));
    c.answer_seconds.offer(file(s.answer_seconds, "answer_seconds"));
    c.shrinkage.offer(file(s.shrinkage, "shrinkage"));
    c.aht_seconds.offer(set(s.aht_seconds, "aht_seconds"));
    c.aht_seconds.offer(Some(Given::built_in(crate::config::DEFAULT_AHT_SECONDS)));
    c.patience_seconds.offer(set(s.patience_seconds, "patience_seconds"));
    c.max_occupancy.offer(set(s.max_occupancy, "max_occupancy"));
    c.max_asa_seconds.offer(set(s.max_asa_seconds, "max_asa_seconds"));
    c.max_abandon.offer(set(s.max_abandon, "max_abandon"));
    c.min_agents_open.offer(Some(Given::file(s.min_agents_open, path, config_key("min_agents_open"))));
    c
}

/// Over which period the service goal holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoalScope {
    /// Every open interval meets the goal (the shift model covers each
    /// interval's Erlang requirement).
    Interval,
    /// The call-weighted service level of each day.
    Day,
    /// Of the whole week.
    Week,
}

/// `service.goal`, `service.interval_floor_sl` and the weekday goals, each
/// value checked on its own; [`GoalSettings::check`] checks them together
/// once the flags and the environment are applied.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalSettings {
    pub scope: GoalScope,
    /// Where `scope` came from.
    pub scope_from: Source,
    /// The service level every open interval keeps (day and week goals).
    pub floor_sl: Option<Fraction>,
    /// Per weekday (Mon = 0) the goal's own target, where one is set.
    pub weekday_targets: [Option<Fraction>; 7],
    /// The target the goal answers for, and where it came from (the floor
    /// is checked against it).
    pub target_sl: (f64, Source),
}

impl GoalScope {
    fn word(self) -> &'static str {
        match self {
            GoalScope::Interval => "interval",
            GoalScope::Day => "day",
            GoalScope::Week => "week",
        }
    }
}

impl GoalSettings {
    /// Check the goal's values together, each named by where it came from.
    /// A file's floor or weekday goals under a scope the planner chose for
    /// this run (`--goal interval`) do not apply: a warning says so (returned)
    /// and they are dropped; under the file's own scope they are refused.
    fn check(&mut self, path: &Path) -> Result<Vec<String>, Error> {
        let mut warnings = Vec::new();
        let file = |v: &dyn std::fmt::Display, key: &str| Source::file(path, key).naming(&v.to_string());
        let scope = self.scope_from.naming(self.scope.word());
        let scope = if matches!(self.scope_from, Source::File { .. }) && self.scope == GoalScope::Interval {
            format!("{scope}, the default when left out")
        } else {
            scope
        };
        if let Some(f) = self.floor_sl {
            let floor = file(&f.get(), "service.interval_floor_sl");
            if self.scope == GoalScope::Interval {
                let why = "a floor per interval goes with goal = \"day\" or \"week\" (with \"interval\" every interval meets target_sl)";
                if !self.scope_from.for_this_run() {
                    return Err(Error::config(
                        path,
                        "service.interval_floor_sl",
                        format!("{floor} with {scope}: {why}"),
                    ));
                }
                warnings.push(format!("{floor} does not apply under {scope}: every interval meets target_sl"));
                self.floor_sl = None;
            } else if f.get() > self.target_sl.0 {
                let target = self.target_sl.1.naming(&self.target_sl.0.to_string());
                return Err(Error::config(
                    path,
                    "service.interval_floor_sl",
                    format!("{floor} is above {target}: expected a floor at most the target"),
                ));
            }
        }
        if let Some(k) = self.weekday_targets.iter().position(Option::is_some) {
            if self.scope != GoalScope::Day {
                let day = WEEKDAYS[k].to_string().to_lowercase();
                let why = "weekday goals ([service.sat] …) need goal = \"day\"";
                if !self.scope_from.for_this_run() {
                    return Err(Error::config(path, "service.goal", format!("{scope} with [service.{day}]: {why}")));
                }
                warnings.push(format!(
                    "the weekday goals ([service.{day}] …, {}) do not apply under {scope}",
                    path.display()
                ));
                self.weekday_targets = [None; 7];
            }
        }
        Ok(warnings)
    }
}

/// The goal's values read off the file, each checked on its own.
fn goal_settings(cfg: &CentreConfig, path: &Path) -> Result<GoalSettings, Error> {
    let s = &cfg.service;
    let scope = match s.goal.as_str() {
        "interval" => GoalScope::Interval,
        "day" => GoalScope::Day,
        "week" => GoalScope::Week,
        other => {
            return Err(Error::config(
                path,
                "service.goal",
                format!("got '{}', expected \"interval\", \"day\" or \"week\"", crate::error::shortened(other)),
            ))
        }
    };
    let fraction_below_one = |key: &str, v: f64| -> Result<Fraction, Error> {
        match Fraction::new(v) {
            Ok(f) if v < 1.0 => Ok(f),
            _ => {
                Err(Error::config(path, key, format!("got {v}, expected a service level from 0 to below 1 (e.g. 0.8)")))
            }
        }
    };
    let floor_sl = s.interval_floor_sl.map(|v| fraction_below_one("service.interval_floor_sl", v)).transpose()?;
    let days = [&s.mon, &s.tue, &s.wed, &s.thu, &s.fri, &s.sat, &s.sun];
    let mut weekday_targets = [None; 7];
    for (k, d) in days.iter().enumerate() {
        if let Some(g) = d {
            weekday_targets[k] = Some(fraction_below_one(
                &format!("service.{}.target_sl", WEEKDAYS[k].to_string().to_lowercase()),
                g.target_sl,
            )?);
        }
    }
    let file = Source::file(path, config_key("goal"));
    let target_sl = (s.target_sl, Source::file(path, config_key("target_sl")));
    Ok(GoalSettings { scope, scope_from: file, floor_sl, weekday_targets, target_sl })
}

/// The `[simulation]` section, checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimulationSettings {
    /// `None`: no simulation (`replications = 0`).
    pub run: Option<SimSettings>,
    pub handle_times: HandleTimes,
    /// Whether the handle-time spread was read off call records (the config
    /// did not set `simulation.handle_cv`).
    pub handle_cv_learned: bool,
    pub draw_rates: bool,
}

/// Most trunks or IVR ports: beyond any one centre's switch.
pub const MAX_LINES: i64 = 100_000;

/// The `[lines]` section, checked: every value in its documented range.
fn lines(cfg: &CentreConfig, path: &Path) -> Result<Option<Lines>, Error> {
    let Some(l) = &cfg.lines else { return Ok(None) };
    let count = |key: &str, v: i64, least: i64| -> Result<u32, Error> {
        if (least..=MAX_LINES).contains(&v) {
            Ok(v as u32)
        } else {
            Err(Error::config(path, key, format!("got {v}, expected a whole number from {least} to {MAX_LINES}")))
        }
    };
    let share = |key: &str, v: Option<f64>, default: f64, lo: f64, hi: f64, lo_open: bool, what: &str| {
        let v = v.unwrap_or(default);
        let ok = v.is_finite() && v <= hi && if lo_open { v > lo } else { v >= lo };
        if ok {
            Ok(v)
        } else {
            let from = if lo_open { format!("above {lo}") } else { format!("from {lo}") };
            Err(Error::config(path, key, format!("got {v}, expected {what} {from} to {hi}")))
        }
    };
    Ok(Some(Lines {
        trunks: count("lines.trunks", l.trunks, 1)?,
        ivr_ports: l.ivr_ports.map(|p| count("lines.ivr_ports", p, 0)).transpose()?,
        redial_share: share("lines.redial_share", l.redial_share, 0.5, 0.0, 0.95, false, "a share of busy callers")?,
        redial_minutes: share("lines.redial_minutes", l.redial_minutes, 2.0, 0.0, 120.0, true, "minutes")?,
        target_busy: share("lines.target_busy", l.target_busy, 0.01, 0.0, 0.5, true, "a share of call attempts")?,
    }))
}

/// Longest overflow wait `[routing] overflow_seconds` takes: an hour.
pub const MAX_OVERFLOW_SECONDS: f64 = 3600.0;

/// The `[routing]` section, checked.
fn routing(cfg: &CentreConfig, path: &Path) -> Result<Option<crate::simulate::skills::Routing>, Error> {
    let r = &cfg.routing;
    let wait = r.overflow_seconds;
    if !(0.0..=MAX_OVERFLOW_SECONDS).contains(&wait) {
        return Err(Error::config(
            path,
            "routing.overflow_seconds",
            format!("got {wait}, expected seconds from 0 (at once) to {MAX_OVERFLOW_SECONDS}"),
        ));
    }
    match r.policy.as_str() {
        "primary-first-longest-idle" => Ok(Some(crate::simulate::skills::Routing::PrimaryFirstLongestIdle {
            overflow_after: (wait > 0.0).then(|| crate::units::Seconds::new(wait)).transpose().ok().flatten(),
        })),
        "one-queue-per-shift" => Ok(None),
        other => Err(Error::config(
            path,
            "routing.policy",
            format!(
                "got '{}', expected \"primary-first-longest-idle\" or \"one-queue-per-shift\"",
                crate::error::shortened(other)
            ),
        )),
    }
}

/// A handle-time coefficient of variation the simulation takes: above 0 and
/// at most 5 (real handle times: 0.7–1.2), whether set or learned.
fn plausible_handle_cv(cv: f64) -> bool {
    cv > 0.0 && cv <= 5.0
}

/// Most replications a run may ask for.
pub const MAX_REPLICATIONS: usize = 100_000;

fn simulation(cfg: &CentreConfig, path: &Path) -> Result<SimulationSettings, Error> {
    let s = &cfg.simulation;
    if s.replications > MAX_REPLICATIONS {
        return Err(Error::config(
            path,
            "simulation.replications",
            format!("got {}, expected at most {MAX_REPLICATIONS} (0 turns the simulation off)", s.replications),
        ));
    }
    let handle_times = match s.handle_cv {
        None => HandleTimes::Exponential,
        Some(cv) if plausible_handle_cv(cv) => HandleTimes::LogNormal { cv },
        Some(cv) => {
            return Err(Error::config(
                path,
                "simulation.handle_cv",
                format!("got {cv}, expected a coefficient of variation above 0 and at most 5 (leave it out for exponential handle times)"),
            ))
        }
    };
    Ok(SimulationSettings {
        run: (s.replications > 0).then_some(SimSettings { replications: s.replications, seed: s.seed }),
        handle_times,
        handle_cv_learned: false,
        draw_rates: s.draw_rates,
    })
}

impl Settings {
    /// Read and check a centre configuration file.
    pub fn load(path: &Path) -> Result<Settings, Error> {
        Self::load_with(path, &ServiceOverrides::default())
    }

    /// Check a configuration as written; `path` names it in errors.
    pub fn from_config(cfg: &CentreConfig, path: &Path) -> Result<Settings, Error> {
        Self::from_config_with(cfg, path, &ServiceOverrides::default())
    }

    /// Read and check a configuration file with a what-if's values over it.
    pub fn load_with(path: &Path, overrides: &ServiceOverrides) -> Result<Settings, Error> {
        let cfg = CentreConfig::read(path).map_err(Error::Config)?;
        Self::from_config_with(&cfg, path, overrides)
    }

    /// The file's values, the what-if's over them, checked as one set.
    pub fn from_config_with(cfg: &CentreConfig, path: &Path, overrides: &ServiceOverrides) -> Result<Settings, Error> {
        let mut settings = Self::unchecked(cfg, path)?;
        settings.apply(overrides, path)?;
        Ok(settings)
    }

    /// Each value checked on its own; the goal's values together are not yet.
    fn unchecked(cfg: &CentreConfig, path: &Path) -> Result<Settings, Error> {
        let calendar = calendar(cfg, path)?;
        let scheduling = scheduling_rules(cfg, &calendar, path)?;
        let service_candidates = file_candidates(cfg, path);
        let service = service_candidates.resolve().map_err(|e| service_error(e, path))?;
        let mut settings = Settings {
            name: cfg.name.clone(),
            calendar,
            service: service.policy,
            service_candidates,
            provenance: service.provenance,
            aht_profile: None,
            patience_profile: None,
            scheduling,
            costs: costs(cfg, path)?,
            channels: cfg.channel_kinds(),
            assumed: assumed_responses(cfg, path)?,
            simulation: simulation(cfg, path)?,
            lines: lines(cfg, path)?,
            routing: routing(cfg, path)?,
            goal: goal_settings(cfg, path)?,
            history_format: read_format(&cfg.history, "history", crate::ingest::history::HISTORY_FIELDS, path)?,
            media_reading: media_reading(cfg, path)?,
            warnings: config_warnings(cfg, path),
            week_start: weekday_of(&cfg.week_start).ok_or_else(|| {
                Error::config(
                    path,
                    "week_start",
                    format!(
                        "got '{}', expected a weekday: mon, tue, wed, thu, fri, sat or sun",
                        crate::error::shortened(&cfg.week_start)
                    ),
                )
            })?,
        };
        let goal = Some(Given::file(settings.goal.scope, path, config_key("goal")));
        settings.service_candidates.goal.offer(goal);
        Ok(settings)
    }
}

impl Settings {
    /// How to read this centre's history: its time zone, interval, answer
    /// target and the `[history]` format; `queue` when one is asked for.
    pub fn history_options(&self, queue: Option<String>) -> crate::ingest::history::HistoryOptions {
        crate::ingest::history::HistoryOptions {
            tz: Some(self.calendar.tz),
            queue,
            records_interval: Some(self.calendar.interval),
            answer_seconds: Some(self.service.goal.answer_time.get()),
            interval_hint: None,
            format: self.history_format.clone(),
        }
    }

    /// Offer the handle time and patience the history shows (the config,
    /// flags and environment win over them), and resolve the policy again.
    ///
    /// A learned value beyond its plausible range (patience of days, where
    /// callers almost never abandon) is odd but usable: it is capped at the
    /// range's end, flat over the week, with a warning (returned) when used.
    pub fn learn_queue(&mut self, stats: &QueueStats, path: &Path) -> Result<Vec<String>, Error> {
        let aht = stats.aht.map(|e| Learned::within(e, &limits::AHT_SECONDS, "aht_seconds"));
        let patience = stats.patience.map(|e| Learned::within(e, &limits::PATIENCE_SECONDS, "patience_seconds"));
        self.service_candidates.aht_seconds.offer(aht.as_ref().map(Learned::given));
        self.service_candidates.patience_seconds.offer(patience.as_ref().map(Learned::given));
        // Handle-time spread for the simulation: the records' own, log-normal,
        // where the config leaves `simulation.handle_cv` out.
        if let (HandleTimes::Exponential, Some(cv)) = (self.simulation.handle_times, stats.handle_cv) {
            if plausible_handle_cv(cv) {
                self.simulation.handle_times = HandleTimes::LogNormal { cv };
                self.simulation.handle_cv_learned = true;
            }
        }
        let resolved = self.resolve_service(path)?;
        let mut warnings = Vec::new();
        if let (Source::Learned(_), Some(l)) = (&resolved.provenance.aht_seconds, &aht) {
            warnings.extend(l.warning.clone());
            self.aht_profile = if l.warning.is_some() { None } else { stats.aht_profile };
        }
        if let (Source::Learned(_), Some(l)) = (&resolved.provenance.patience_seconds, &patience) {
            warnings.extend(l.warning.clone());
            self.patience_profile = if l.warning.is_some() { None } else { stats.patience_profile };
        }
        Ok(warnings)
    }
}

/// A value read off the history, capped at its plausible range's end, with
/// the warning that says so when it was.
struct Learned {
    estimate: Estimate,
    seconds: f64,
    warning: Option<String>,
}

impl Learned {
    fn within(e: Estimate, range: &limits::Plausible, key: &str) -> Learned {
        let warning = (e.seconds > range.max).then(|| {
            format!(
                "{}: the history shows {:.0} s, beyond {}; using {} s for every interval (set service.{key} to choose)",
                key.replace('_', " "),
                e.seconds,
                range.expected(),
                range.max
            )
        });
        let seconds = if warning.is_some() { range.max } else { e.seconds };
        Learned { estimate: e, seconds, warning }
    }

    fn given(&self) -> Given<f64> {
        Given::learned(self.seconds, self.estimate)
    }
}

/// The `[scheduling]` rules; without `[[scheduling.shifts]]` in the file,
/// shift families that fit the opening hours: a full-time day (8.5 h with an
/// unpaid 30-minute lunch) and a 4-hour part-time shift, each starting from
/// the earliest opening to the latest time it still ends by closing.
fn scheduling_rules(cfg: &CentreConfig, calendar: &OpenCalendar, path: &Path) -> Result<SchedulingRules, Error> {
    let derived = (!cfg.shifts_given).then(|| families_for(calendar));
    cfg.scheduling.rules(path, calendar.interval, derived).map_err(Error::Config)
}

fn families_for(cal: &OpenCalendar) -> Vec<ShiftFamily> {
    let hours: Vec<_> = WEEKDAYS.iter().filter_map(|&w| cal.hours_of_weekday(w)).collect();
    let open = hours.iter().map(|h| h.open_minute).min().unwrap_or(8 * 60);
    let close = hours.iter().map(|h| h.close_minute).max().unwrap_or(20 * 60);
    // Starts every 30 minutes where that reaches both the opening and the last
    // start that ends at closing; else at the step that does (07:00–21:15 and
    // 8.5 h: every 15 minutes, or 21:00–21:15 goes uncovered).
    let step_for = |window: u32| {
        let gcd = (1..=30u32).rev().find(|d| 30u32.is_multiple_of(*d) && window.is_multiple_of(*d)).unwrap_or(1);
        gcd.max(cal.interval.get())
    };
    let family = |name: &str, span_minutes: u32, template: ShiftFamily| {
        (close >= open + span_minutes).then(|| ShiftFamily {
            name: name.into(),
            earliest_start: open,
            latest_start: close - span_minutes,
            start_step_minutes: step_for(close - span_minutes - open),
            ..template
        })
    };
    let full = family("full-time", 510, ShiftFamily::default());
    let part = family(
        "part-time",
        240,
        ShiftFamily { span_hours: 4.0, paid_hours: 4.0, breaks: vec![], part_time: true, ..ShiftFamily::default() },
    );
    full.into_iter().chain(part).collect()
}

/// `[history]` or `[media]`, checked: every mapped field is one the reader
/// takes, every format a valid strftime format, the decimal mark `.` or `,`.
fn read_format(c: &FileReadingConfig, section: &str, fields: &[&str], path: &Path) -> Result<ReadFormat, Error> {
    for (field, header) in &c.columns {
        if !fields.contains(&field.as_str()) {
            return Err(Error::config(
                path,
                format!("{section}.columns.{field}"),
                format!(
                    "'{}' is not a field ringcast reads; expected one of {}",
                    crate::error::shortened(field),
                    fields.join(", ")
                ),
            ));
        }
        if header.trim().is_empty() {
            return Err(Error::config(
                path,
                format!("{section}.columns.{field}"),
                "got an empty header; expected the file's column name",
            ));
        }
    }
    let mut seen: std::collections::BTreeMap<String, &str> = std::collections::BTreeMap::new();
    for (field, header) in &c.columns {
        if let Some(other) = seen.insert(header.trim().to_ascii_lowercase(), field) {
            return Err(Error::config(
                path,
                format!("{section}.columns.{field}"),
                format!("got '{header}', which {section}.columns.{other} maps too; expected one field per column"),
            ));
        }
    }
    for (key, f) in [("date_format", &c.date_format), ("time_format", &c.time_format)] {
        if let Some(f) = f {
            use chrono::format::{Item, StrftimeItems};
            if f.trim().is_empty() || StrftimeItems::new(f).any(|i| matches!(i, Item::Error)) {
                return Err(Error::config(
                    path,
                    format!("{section}.{key}"),
                    format!(
                        "got '{}', expected a strftime format such as \"%m/%d/%Y\" or \"%I:%M %p\"",
                        crate::error::shortened(f)
                    ),
                ));
            }
        }
    }
    let decimal_comma = match c.decimal.as_deref() {
        None | Some(".") => false,
        Some(",") => true,
        Some(other) => {
            return Err(Error::config(
                path,
                format!("{section}.decimal"),
                format!("got '{}', expected \".\" or \",\"", crate::error::shortened(other)),
            ))
        }
    };
    Ok(ReadFormat {
        section: section.to_string(),
        config: Some(path.to_path_buf()),
        columns: c.columns.clone(),
        date_format: c.date_format.clone(),
        time_format: c.time_format.clone(),
        decimal_comma,
    })
}

fn media_reading(cfg: &CentreConfig, path: &Path) -> Result<MediaReading, Error> {
    if cfg.history.channel.is_some() {
        return Err(Error::config(path, "history.channel", "a channel belongs to media plans: set it under [media]"));
    }
    let format = read_format(&cfg.media, "media", crate::ingest::media::MEDIA_FIELDS, path)?;
    let channel = match cfg.media.channel.as_deref().map(str::trim) {
        Some("") => {
            return Err(Error::config(path, "media.channel", "got an empty name; expected a channel such as \"tv\""))
        }
        c => c.map(str::to_ascii_lowercase),
    };
    Ok(MediaReading { format, channel })
}

/// The `[channels.NAME]` tables' assumed responses, each value in its
/// documented range (docs/formats.md), named by its key when not.
fn assumed_responses(cfg: &CentreConfig, path: &Path) -> Result<BTreeMap<String, AssumedResponse>, Error> {
    let kinds = cfg.channel_kinds();
    let mut out = BTreeMap::new();
    for (name, entry) in &cfg.channels {
        let ChannelEntry::Table(t) = entry else { continue };
        let key = |k: &str| format!("channels.{name}.{k}");
        let check = |k: &str, v: Option<f64>, lo: f64, hi: f64, what: &str| -> Result<Option<f64>, Error> {
            match v {
                Some(x) if !(x.is_finite() && x > lo && x <= hi) => {
                    Err(Error::config(path, key(k), format!("got {x}, expected {what} above {lo} and at most {hi}")))
                }
                v => Ok(v),
            }
        };
        let range = check("assumed_range_factor", t.assumed_range_factor, 1.0, 10.0, "a factor")?.unwrap_or(2.0);
        let spot_keys = t.assumed_calls_per_grp.is_some() || t.assumed_peak_minutes.is_some();
        let daily_keys = t.assumed_calls_per_1000.is_some() || t.assumed_half_life_days.is_some();
        let kind = kinds.kind(name);
        let wrong = |k: &str| {
            Error::config(
                path,
                key(k),
                format!("'{name}' is a {kind:?} channel; spots take assumed_calls_per_grp and assumed_peak_minutes, flights and drops assumed_calls_per_1000 and assumed_half_life_days"),
            )
        };
        if kind == ChannelKind::Spot && daily_keys {
            return Err(wrong(if t.assumed_calls_per_1000.is_some() {
                "assumed_calls_per_1000"
            } else {
                "assumed_half_life_days"
            }));
        }
        if kind != ChannelKind::Spot && spot_keys {
            return Err(wrong(if t.assumed_calls_per_grp.is_some() {
                "assumed_calls_per_grp"
            } else {
                "assumed_peak_minutes"
            }));
        }
        let assumed = if kind == ChannelKind::Spot {
            let peak = check("assumed_peak_minutes", t.assumed_peak_minutes, 0.5, 120.0, "minutes after air time")?;
            let per_grp = check("assumed_calls_per_grp", t.assumed_calls_per_grp, 0.0, 10_000.0, "calls per GRP")?;
            match (per_grp, peak) {
                (Some(c), p) => Some(AssumedResponse::spot(c, p.unwrap_or(2.0), range)),
                (None, Some(_)) => {
                    return Err(Error::config(
                        path,
                        key("assumed_calls_per_grp"),
                        "missing: assumed_peak_minutes needs the calls per GRP it shapes",
                    ))
                }
                (None, None) => None,
            }
        } else {
            let half = t.assumed_half_life_days;
            if let Some(h) = half.filter(|h| !(h.is_finite() && (0.0..=60.0).contains(h))) {
                return Err(Error::config(
                    path,
                    key("assumed_half_life_days"),
                    format!("got {h}, expected days from 0 to 60"),
                ));
            }
            let per_1000 =
                check("assumed_calls_per_1000", t.assumed_calls_per_1000, 0.0, 100_000.0, "calls per 1,000 of spend")?;
            match (per_1000, half) {
                (Some(c), h) => Some(AssumedResponse::daily(c, h.unwrap_or(1.0), range)),
                (None, Some(_)) => {
                    return Err(Error::config(
                        path,
                        key("assumed_calls_per_1000"),
                        "missing: assumed_half_life_days needs the calls per 1,000 it spreads",
                    ))
                }
                (None, None) => None,
            }
        };
        if let Some(a) = assumed {
            out.insert(name.to_ascii_lowercase(), a);
        }
    }
    Ok(out)
}

/// Values that are valid but more often a slip: a handle time under 30 s
/// is usually minutes typed as seconds.
fn config_warnings(cfg: &CentreConfig, path: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(a) = cfg.service.aht_seconds.filter(|a| *a > 0.0 && *a < 30.0) {
        out.push(format!(
            "{}: service.aht_seconds = {a}: a handle time under 30 s; did you mean minutes? ({} s)",
            path.display(),
            a * 60.0
        ));
    }
    out
}

/// The longest planning interval: staffing by the hour is already coarse, and
/// a day-long "interval" would plan no calls at all.
pub const MAX_INTERVAL_MINUTES: u32 = 60;

fn calendar(cfg: &CentreConfig, path: &Path) -> Result<OpenCalendar, Error> {
    if cfg.interval_minutes > MAX_INTERVAL_MINUTES {
        return Err(Error::config(
            path,
            "interval_minutes",
            format!(
                "got {}, expected a planning interval of at most {MAX_INTERVAL_MINUTES} minutes that divides the day (5, 6, 10, 15, 30, 60 …)",
                cfg.interval_minutes
            ),
        ));
    }
    let calendar = OpenCalendar::from_config(cfg, path).map_err(Error::Config)?;
    if WEEKDAYS.iter().all(|&wd| calendar.hours_of_weekday(wd).is_none()) {
        return Err(Error::config(
            path,
            "opening_hours",
            "the centre is closed every day of the week; expected at least one day with opening hours such as \"08:00-20:00\"",
        ));
    }
    Ok(calendar)
}

fn costs(cfg: &CentreConfig, path: &Path) -> Result<Costs, Error> {
    let money = |key: &str, v: f64| {
        Money::new(v)
            .map_err(|e| Error::Config(InputError::key(path, key, format!("got {v}, expected {}", e.expected))))
    };
    Ok(Costs {
        hourly: money("costs.hourly_cost", cfg.costs.hourly_cost)?,
        value_per_answered_call: money("costs.value_per_answered_call", cfg.costs.value_per_answered_call)?,
        currency: cfg.currency.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::queue_stats::CallBasis;

    fn parse(text: &str) -> Result<Settings, Error> {
        let p = Path::new("centre.toml");
        Settings::from_config(&CentreConfig::from_toml(p, text).map_err(Error::Config)?, p)
    }

    #[test]
    fn defaults_are_valid() {
        let s = parse("").unwrap();
        assert_eq!(s.service.goal.target_sl.get(), 0.8);
        assert_eq!(s.calendar.interval.get(), 15);
        assert_eq!(s.costs.hourly.get(), 25.0);
    }

    #[test]
    fn percent_instead_of_fraction_names_the_key() {
        let e = parse("[service]\ntarget_sl = 80\n").unwrap_err().to_string();
        assert!(e.contains("service.target_sl") && e.contains("not 80"), "{e}");
    }

    #[test]
    fn closed_all_week_is_refused() {
        let t = "[opening_hours]\nmon='closed'\ntue='closed'\nwed='closed'\nthu='closed'\nfri='closed'\nsat='closed'\nsun='closed'\n";
        let e = parse(t).unwrap_err().to_string();
        assert!(e.contains("opening_hours") && e.contains("closed every day"), "{e}");
    }

    #[test]
    fn impossible_goal_is_refused() {
        let e = parse("[service]\ntarget_sl = 1.0\nanswer_seconds = 0\n").unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let e = e.to_string();
        assert!(e.contains("service.target_sl") && e.contains("below 1"), "{e}");
    }

    #[test]
    fn the_history_fills_in_what_the_config_leaves_out() {
        let stats = QueueStats {
            aht: Some(Estimate { seconds: 176.4, calls: 27_000.0, basis: CallBasis::Answered }),
            patience: Some(Estimate { seconds: 232.0, calls: 5_900.0, basis: CallBasis::Abandoned }),
            abandon_rate: Some(0.18),
            aht_profile: None,
            patience_profile: None,
            service_level: None,
            handle_cv: Some(1.23),
        };
        let mut s = parse("").unwrap();
        s.learn_queue(&stats, Path::new("centre.toml")).unwrap();
        assert_eq!(s.service.aht.get(), 176.4);
        assert_eq!(s.simulation.handle_times, HandleTimes::LogNormal { cv: 1.23 });
        let mut s = parse("[simulation]\nhandle_cv = 0.8\n").unwrap();
        s.learn_queue(&stats, Path::new("centre.toml")).unwrap();
        assert_eq!(s.simulation.handle_times, HandleTimes::LogNormal { cv: 0.8 }, "the config wins");
        assert_eq!(s.service.patience.map(|p| p.get()), Some(232.0));
        assert!(matches!(s.provenance.aht_seconds, Source::Learned(e) if e.calls == 27_000.0));
        let mut s = parse("[service]\naht_seconds = 200\n").unwrap();
        s.learn_queue(&stats, Path::new("centre.toml")).unwrap();
        assert_eq!(s.service.aht.get(), 200.0, "the config wins");
        assert_eq!(s.provenance.aht_seconds, Source::file(Path::new("centre.toml"), "service.aht_seconds"));
        let mut s = parse("").unwrap();
        s.learn_queue(&QueueStats::default(), Path::new("centre.toml")).unwrap();
        assert_eq!((s.service.aht.get(), s.provenance.aht_seconds, s.service.patience), (300.0, Source::Default, None));
    }

    #[test]
    fn a_capped_learned_value_warns_only_when_it_is_used() {
        let days = Estimate { seconds: 1e6, calls: 10.0, basis: CallBasis::Abandoned };
        let stats = QueueStats { patience: Some(days), ..QueueStats::default() };
        let p = Path::new("centre.toml");
        let mut s = parse("").unwrap();
        let warnings = s.learn_queue(&stats, p).unwrap();
        assert_eq!(s.service.patience.map(|p| p.get()), Some(limits::PATIENCE_SECONDS.max));
        assert_eq!(s.provenance.patience_seconds, Source::Learned(days));
        assert!(warnings.len() == 1 && warnings[0].starts_with("patience seconds: the history shows"), "{warnings:?}");
        let mut s = parse("[service]\npatience_seconds = 90\n").unwrap();
        assert!(s.learn_queue(&stats, p).unwrap().is_empty(), "the config wins: nothing capped is used");
        assert_eq!(s.service.patience.map(|p| p.get()), Some(90.0));
        assert_eq!(s.provenance.patience_seconds, Source::file(p, "service.patience_seconds"));
    }

    #[test]
    fn without_shift_families_they_follow_the_opening_hours() {
        let s = parse("[opening_hours]\nsun = \"07:00-24:00\"\nfri = \"07:00-14:00\"\n").unwrap();
        let f: Vec<(&str, u32, u32)> =
            s.scheduling.shifts.iter().map(|f| (f.name.as_str(), f.earliest_start, f.latest_start)).collect();
        assert_eq!(f, vec![("full-time", 7 * 60, 15 * 60 + 30), ("part-time", 7 * 60, 20 * 60)]);
        assert!(s.scheduling.shifts.iter().all(|f| f.start_step_minutes == 30));
        // 07:00–21:15: the last full-time start, 12:45, is off the half hour.
        let s = parse("[opening_hours]\nmon = \"07:00-21:15\"\n").unwrap();
        let steps: Vec<(u32, u32)> =
            s.scheduling.shifts.iter().map(|f| (f.latest_start, f.start_step_minutes)).collect();
        assert_eq!(steps, vec![(12 * 60 + 45, 15), (17 * 60 + 15, 15)]);
        let s = parse("[[scheduling.shifts]]\nname = \"mine\"\n").unwrap();
        assert_eq!(s.scheduling.shifts.len(), 1);
        assert_eq!(s.scheduling.shifts[0].name, "mine");
    }

    fn with(text: &str, o: &ServiceOverrides) -> Result<Settings, Error> {
        let p = Path::new("centre.toml");
        Settings::from_config_with(&CentreConfig::from_toml(p, text).map_err(Error::Config)?, p, o)
    }

    #[test]
    fn the_goal_is_checked_after_the_flags_and_names_where_each_value_came_from() {
        let floor = "[service]\ninterval_floor_sl = 0.5\n";
        // The file alone: its (default) interval goal refuses its floor.
        let e = with(floor, &ServiceOverrides::default()).unwrap_err().to_string();
        assert!(e.contains("service.goal = interval (centre.toml") && e.contains("interval_floor_sl = 0.5"), "{e}");
        // `--goal day` takes the file's floor.
        let day = ServiceOverrides { goal: Some(Given::flag(GoalScope::Day, "--goal")), ..ServiceOverrides::default() };
        let s = with(floor, &day).unwrap();
        assert_eq!((s.goal.scope, s.goal.floor_sl.map(|f| f.get())), (GoalScope::Day, Some(0.5)));
        assert_eq!(s.goal.scope_from, Source::Flag { name: "--goal".into() });
        // The environment's `interval` over a day goal with a floor: the floor
        // does not apply, and the warning names the variable.
        let env = Some(Given::environment(GoalScope::Interval, "RINGCAST_GOAL"));
        let interval = ServiceOverrides { goal: env, ..day.clone() };
        let s = with("[service]\ngoal = \"day\"\ninterval_floor_sl = 0.5\n", &interval).unwrap();
        assert_eq!(s.goal.floor_sl, None);
        assert!(s.warnings.iter().any(|w| w.contains("RINGCAST_GOAL=interval (environment)")), "{:?}", s.warnings);
        // A target below the file's floor, from a flag: both named.
        let low = ServiceOverrides { target_sl: Some(Given::flag(0.4, "--target-sl")), ..day };
        let e = with(floor, &low).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let e = e.to_string();
        assert!(e.contains("--target-sl 0.4 (flag)") && e.contains("interval_floor_sl = 0.5 (centre.toml)"), "{e}");
    }

    #[test]
    fn bad_values_name_their_keys() {
        for (text, key) in [
            ("timezone = \"Mars/Base\"", "timezone"),
            ("[opening_hours]\nmon = \"20:00-08:00\"", "opening_hours.mon"),
            ("[costs]\nhourly_cost = -1", "costs.hourly_cost"),
            ("[service]\nmax_abandon = 0.05", "service.max_abandon"),
            ("[service]\nshrinkage = 0.97", "service.shrinkage"),
            ("week_start = \"sunday-ish\"", "week_start"),
            ("interval_minutes = 1440", "interval_minutes"),
            ("[service]\npatience_seconds = 0", "service.patience_seconds"),
            ("[[scheduling.shifts]]\nearliest_start = \"12:00\"\nlatest_start = \"08:00\"", "latest_start"),
            ("[[scheduling.shifts]]\nspan_hours = 8.1\npaid_hours = 8", "scheduling.shifts[0].span_hours"),
            ("[service]\ngoal = \"month\"", "service.goal"),
            ("[service]\ninterval_floor_sl = 0.5", "service.interval_floor_sl"),
            ("[service]\ngoal = \"day\"\ninterval_floor_sl = 0.9", "service.interval_floor_sl"),
            ("[service]\ngoal = \"day\"\n[service.sat]\ntarget_sl = 1.0", "service.sat.target_sl"),
            ("[service.sat]\ntarget_sl = 0.7", "service.goal"),
            ("[simulation]\nreplications = 1000000", "simulation.replications"),
            ("[simulation]\nhandle_cv = 0", "simulation.handle_cv"),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(key), "{text}: {e}");
        }
    }
}
