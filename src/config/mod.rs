//! The centre configuration (TOML): time zone, interval length, opening hours,
//! service goal, handle time, patience, shrinkage, occupancy cap, costs, channel
//! kinds and the scheduling rules.
//!
//! Every section has defaults, so a file holds only what differs. Unknown keys are
//! refused (a typo must not silently fall back to a default). This module reads
//! the file as written; the `settings` module checks the values once and
//! turns them into the typed settings the stages take.

use crate::error::{InputError, InputResult};
use crate::staff::{ServiceValues, SlDefinition};
use crate::units::IntervalMinutes;
use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub mod scheduling;

pub use scheduling::{parse_hhmm, weekday_of, SchedulingConfig};

/// The whole centre configuration as written in TOML.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CentreConfig {
    /// Display name used in report titles.
    pub name: String,
    /// IANA time zone of the centre; all times in all files are local wall-clock
    /// times in this zone. Default `UTC`.
    pub timezone: String,
    /// Planning interval in minutes (divides 1440). Default 15.
    pub interval_minutes: u32,
    /// Currency label for costs. Default `EUR`.
    pub currency: String,
    /// First day of the centre's planning week (`sun` for a Sunday-to-Thursday
    /// centre). Default `mon`.
    pub week_start: String,
    pub opening_hours: OpeningHours,
    pub service: ServiceConfig,
    pub costs: CostConfig,
    /// Channel name → response kind (`tv = "spot"`), or a table with the kind
    /// and an assumed response for a channel with no past lines
    /// (`[channels.tv] kind = "spot"`, `assumed_calls_per_grp = 5.0`).
    /// Channels not listed are classified by name (tv/radio → spot,
    /// email/sms/mail → drop, else flight).
    pub channels: BTreeMap<String, ChannelEntry>,
    pub scheduling: SchedulingConfig,
    pub simulation: SimulationConfig,
    /// The telephone lines callers must seize (`[lines] trunks = 40`); absent:
    /// lines are not modelled (no caller ever hears a busy signal).
    pub lines: Option<LinesConfig>,
    /// How calls reach agents who take several queues (`[routing]`).
    pub routing: RoutingConfig,
    /// How the history file writes its columns and values (an ACD export as
    /// it is downloaded): `[history.columns]`, `date_format`, `time_format`, `decimal`.
    pub history: FileReadingConfig,
    /// How media plans write their columns and values (an agency's spot
    /// schedule or as-run log), and the channel of a file without a channel column.
    pub media: FileReadingConfig,
    /// Whether the file lists its own `[[scheduling.shifts]]`; without them
    /// the settings derive shift families from the opening hours.
    #[serde(skip)]
    pub shifts_given: bool,
}

/// `[history]` / `[media]`: how an input file writes its columns and values
/// (docs/formats.md, "Reading your own export").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FileReadingConfig {
    /// ringcast field → the file's header, e.g. `calls = "ACD Calls"`.
    pub columns: BTreeMap<String, String>,
    /// strftime format of the file's dates, e.g. `"%m/%d/%Y"`.
    pub date_format: Option<String>,
    /// strftime format of the file's times of day, e.g. `"%I:%M %p"`.
    pub time_format: Option<String>,
    /// Decimal mark: `"."` (default) or `","`.
    pub decimal: Option<String>,
    /// `[media]` only: the channel of every line of a file without a
    /// channel column (an as-run log of TV spots: `channel = "tv"`).
    pub channel: Option<String>,
}

/// Opening hours per weekday, e.g. `mon = "08:00-20:00"`, `sun = "closed"`.
/// `"00:00-24:00"` is open all day. Default: every day 08:00–20:00.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OpeningHours {
    pub mon: String,
    pub tue: String,
    pub wed: String,
    pub thu: String,
    pub fri: String,
    pub sat: String,
    pub sun: String,
    /// Dates the centre is closed all day (public holidays), `YYYY-MM-DD`.
    pub closed_dates: Vec<NaiveDate>,
    /// Dates with their own hours, over their weekday's: `{ "2026-12-24" =
    /// "08:00-13:00", "2026-12-31" = "closed" }` (a holiday eve that closes
    /// early, a special opening). Checked by [`CentreConfig::special_days`].
    pub special: BTreeMap<String, String>,
}

/// The service goal and the queue's parameters.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceConfig {
    /// Share of calls answered within `answer_seconds` (0..1, not percent). Default 0.8.
    pub target_sl: f64,
    /// Answer-time target in seconds. Default 20.
    pub answer_seconds: f64,
    /// Optional cap on average speed of answer, seconds.
    pub max_asa_seconds: Option<f64>,
    /// Optional cap on agent occupancy (0..1). Default 0.9.
    pub max_occupancy: Option<f64>,
    /// Optional cap on the share of callers who abandon (0..1); needs patience.
    pub max_abandon: Option<f64>,
    /// Average handle time in seconds (talk + wrap-up). Default: learned from
    /// a history that has it (call records, or an AHT column), else 300.
    pub aht_seconds: Option<f64>,
    /// Mean caller patience in seconds; with it staffing uses Erlang A (callers
    /// abandon), without it Erlang C. Default: learned from call records, else none.
    pub patience_seconds: Option<f64>,
    /// Share of paid time not on the phones (breaks aside: training, absence). Default 0.3.
    pub shrinkage: f64,
    /// Agents on duty at least, whenever open. Default 1.
    pub min_agents_open: u32,
    /// What `target_sl` is answered for: `"interval"` (every interval meets
    /// it, the default), `"day"` (the call-weighted service level of each
    /// day) or `"week"`. With `day` or `week` the caps on ASA and abandonment
    /// apply to the same period.
    pub goal: String,
    /// With `goal = "day"` or `"week"`: the service level every open interval
    /// keeps at least (e.g. 0.5). Default none (only the period's goal).
    pub interval_floor_sl: Option<f64>,
    /// Per-weekday goals, e.g. `[service.sat]` `target_sl = 0.7`.
    pub mon: Option<DayGoalConfig>,
    pub tue: Option<DayGoalConfig>,
    pub wed: Option<DayGoalConfig>,
    pub thu: Option<DayGoalConfig>,
    pub fri: Option<DayGoalConfig>,
    pub sat: Option<DayGoalConfig>,
    pub sun: Option<DayGoalConfig>,
}

/// A weekday's own service goal (`[service.sat]`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayGoalConfig {
    pub target_sl: f64,
}

/// `[simulation]`: how `plan` and `simulate` check a roster by simulation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimulationConfig {
    /// Replications of the week; 0 turns the simulation off. Default 300, at most 100,000.
    pub replications: usize,
    /// Seed of the first replication's random stream. Default 1.
    pub seed: u64,
    /// Coefficient of variation of handle times: log-normal handle times with
    /// it; unset: exponential (the Erlang assumption). Range (0, 5].
    pub handle_cv: Option<f64>,
    /// Draw each interval's arrival rate from the forecast's predictive
    /// distribution (forecast error included). Default false: the rate is the forecast.
    pub draw_rates: bool,
}

impl Default for SimulationConfig {
    fn default() -> Self {
        Self { replications: 300, seed: 1, handle_cv: None, draw_rates: false }
    }
}

/// `[routing]` as written (checked in `settings`; docs/skills.md says what
/// each policy does).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RoutingConfig {
    /// `"one-queue-per-shift"` (default): each shift answers one queue; or
    /// `"primary-first-longest-idle"`: agents who take several queues answer
    /// any of them, their primary first (docs/skills.md).
    pub policy: String,
    /// Seconds a caller waits for an agent of their queue's primary before
    /// agents of other primaries may answer. Default 0 (at once), range
    /// 0..=3600.
    pub overflow_seconds: f64,
}

impl Default for RoutingConfig {
    fn default() -> Self {
        Self { policy: "one-queue-per-shift".into(), overflow_seconds: 0.0 }
    }
}

/// `[lines]`: trunks, IVR ports and redials as written (checked in
/// `settings`; docs/lines.md says what each means).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinesConfig {
    /// Trunks or SIP channels: callers the centre can hold at once, talking
    /// or waiting. Required, 1..=100,000.
    pub trunks: i64,
    /// IVR ports callers wait on; unset: waiting is limited by the trunks only.
    /// 0..=100,000.
    pub ivr_ports: Option<i64>,
    /// Share of callers who hear a busy signal and call again. Default 0.5, range 0..=0.95.
    pub redial_share: Option<f64>,
    /// Mean minutes before they call again. Default 2, range (0, 120].
    pub redial_minutes: Option<f64>,
    /// Busy share the lines are sized for, in the worst minute after a spot.
    /// Default 0.01, range (0, 0.5].
    pub target_busy: Option<f64>,
}

/// Money.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CostConfig {
    /// Loaded cost of one paid agent hour. Default 25.
    pub hourly_cost: f64,
    /// Value of one answered call (lead value), for the campaign impact. Default 40.
    pub value_per_answered_call: f64,
}

/// One `[channels]` entry: a kind alone, or a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ChannelEntry {
    Kind(ChannelKind),
    Table(ChannelTable),
}

/// A string is a kind, a table a [`ChannelTable`]; each keeps its own
/// message (`unknown variant 'spott', expected one of 'spot', …`), where an
/// untagged enum would only say that nothing matched.
impl<'de> Deserialize<'de> for ChannelEntry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entry;
        impl<'de> serde::de::Visitor<'de> for Entry {
            type Value = ChannelEntry;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a kind (\"spot\", \"flight\" or \"drop\") or a table such as { kind = \"spot\", assumed_calls_per_grp = 5.0 }")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ChannelEntry, E> {
                use serde::de::IntoDeserializer;
                ChannelKind::deserialize(v.into_deserializer()).map(ChannelEntry::Kind)
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, map: M) -> Result<ChannelEntry, M::Error> {
                ChannelTable::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(ChannelEntry::Table)
            }
        }
        d.deserialize_any(Entry)
    }
}

/// `[channels.NAME]`: the kind and, for a channel without past lines to
/// learn from, the response marketing or a similar centre expects. The
/// ranges are checked by the settings (docs/formats.md).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelTable {
    pub kind: Option<ChannelKind>,
    /// Spots: extra calls per GRP (a spot of 8 GRPs at 5 brings 40 calls).
    pub assumed_calls_per_grp: Option<f64>,
    /// Spots: minutes from air time to the busiest minute of the calls. Default 2.
    pub assumed_peak_minutes: Option<f64>,
    /// Flights and drops: extra calls per 1,000 of spend.
    pub assumed_calls_per_1000: Option<f64>,
    /// Flights and drops: days for the calls to halve after the activity. Default 1.
    pub assumed_half_life_days: Option<f64>,
    /// How far the truth may lie from the assumption at 95%, as a factor
    /// either way. Default 2.
    pub assumed_range_factor: Option<f64>,
}

impl CentreConfig {
    /// Each configured channel's kind.
    pub fn channel_kinds(&self) -> ChannelKinds {
        ChannelKinds(
            self.channels
                .iter()
                .map(|(name, e)| {
                    let kind = match e {
                        ChannelEntry::Kind(k) => *k,
                        ChannelEntry::Table(t) => t.kind.unwrap_or_else(|| ChannelKind::guess(name)),
                    };
                    (name.clone(), kind)
                })
                .collect(),
        )
    }
}

/// Channel name → response kind, as configured under `[channels]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChannelKinds(pub BTreeMap<String, ChannelKind>);

impl ChannelKinds {
    /// The response kind of a channel: configured, else guessed from its name.
    pub fn kind(&self, channel: &str) -> ChannelKind {
        self.0.get(channel).copied().unwrap_or_else(|| ChannelKind::guess(channel))
    }
    /// Whether the config names this channel.
    pub fn is_configured(&self, channel: &str) -> bool {
        self.0.contains_key(channel)
    }
}

/// How a channel's activity turns into calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// A burst minutes after an air time (TV, radio).
    Spot,
    /// Daily activity over a date range with carry-over (retargeting, search, social).
    Flight,
    /// A one-off send whose calls decay over the following days (email, SMS).
    Drop,
}

impl Default for CentreConfig {
    fn default() -> Self {
        Self {
            name: "Contact centre".into(),
            timezone: "UTC".into(),
            interval_minutes: 15,
            currency: "EUR".into(),
            week_start: "mon".into(),
            opening_hours: OpeningHours::default(),
            service: ServiceConfig::default(),
            costs: CostConfig::default(),
            channels: BTreeMap::new(),
            scheduling: SchedulingConfig::default(),
            simulation: SimulationConfig::default(),
            lines: None,
            routing: RoutingConfig::default(),
            history: FileReadingConfig::default(),
            media: FileReadingConfig::default(),
            shifts_given: false,
        }
    }
}

impl Default for OpeningHours {
    fn default() -> Self {
        let d = || "08:00-20:00".to_string();
        Self {
            mon: d(),
            tue: d(),
            wed: d(),
            thu: d(),
            fri: d(),
            sat: d(),
            sun: d(),
            closed_dates: vec![],
            special: BTreeMap::new(),
        }
    }
}

impl Default for ServiceConfig {
    fn default() -> Self {
        Self {
            target_sl: 0.8,
            answer_seconds: 20.0,
            max_asa_seconds: None,
            max_occupancy: Some(0.9),
            max_abandon: None,
            aht_seconds: None,
            patience_seconds: None,
            shrinkage: 0.3,
            min_agents_open: 1,
            goal: "interval".into(),
            interval_floor_sl: None,
            mon: None,
            tue: None,
            wed: None,
            thu: None,
            fri: None,
            sat: None,
            sun: None,
        }
    }
}

impl Default for CostConfig {
    fn default() -> Self {
        Self { hourly_cost: 25.0, value_per_answered_call: 40.0 }
    }
}

/// Open period of one day, minutes after local midnight: `[open, close)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayHours {
    pub open_minute: u32,
    pub close_minute: u32,
}

impl CentreConfig {
    /// Read a centre configuration file as written (syntax and keys only).
    pub fn read(path: &Path) -> InputResult<CentreConfig> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| InputError::file(path, format!("cannot read the config file: {e}")))?;
        Self::from_toml(path, &text)
    }

    /// Parse TOML text (syntax and keys only); `path` names the source in errors.
    pub fn from_toml(path: &Path, text: &str) -> InputResult<CentreConfig> {
        let de = toml::Deserializer::new(text);
        let mut cfg: CentreConfig = serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            let inner = e.inner();
            let msg = format!(
                "invalid config: {}{}",
                crate::error::shortened_message(inner.message()),
                percent_hint(inner.message())
            );
            let line = inner
                .span()
                .map(|s| text.as_bytes()[..s.start.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1);
            let mut err = match line {
                Some(l) => InputError::row(path, l, msg),
                None => InputError::file(path, msg),
            };
            if !key.is_empty() && key != "." {
                err.at.column = Some(key);
                err.at.is_key = true;
            }
            err
        })?;
        cfg.shifts_given = text
            .parse::<toml::Table>()
            .ok()
            .and_then(|t| t.get("scheduling").and_then(|s| s.get("shifts")).map(|_| true))
            .unwrap_or(false);
        Ok(cfg)
    }

    /// The time zone.
    pub fn tz(&self, path: &Path) -> InputResult<Tz> {
        self.timezone.parse::<Tz>().map_err(|_| {
            InputError::key(
                path,
                "timezone",
                format!(
                    "got '{}', expected an IANA time zone such as \"Europe/London\"",
                    crate::error::shortened(&self.timezone)
                ),
            )
        })
    }

    /// The planning interval.
    pub fn interval(&self, path: &Path) -> InputResult<IntervalMinutes> {
        IntervalMinutes::new(self.interval_minutes)
            .map_err(|e| InputError::key(path, "interval_minutes", e.to_string()))
    }

    /// Opening hours of a weekday; `None` when closed.
    pub fn hours_of(&self, path: &Path, wd: Weekday) -> InputResult<Option<DayHours>> {
        let (key, v) = match wd {
            Weekday::Mon => ("mon", &self.opening_hours.mon),
            Weekday::Tue => ("tue", &self.opening_hours.tue),
            Weekday::Wed => ("wed", &self.opening_hours.wed),
            Weekday::Thu => ("thu", &self.opening_hours.thu),
            Weekday::Fri => ("fri", &self.opening_hours.fri),
            Weekday::Sat => ("sat", &self.opening_hours.sat),
            Weekday::Sun => ("sun", &self.opening_hours.sun),
        };
        parse_hours(v).map_err(|m| InputError::key(path, format!("opening_hours.{key}"), m))
    }

    /// Opening hours on a date (closed dates and special days included).
    pub fn hours_on(&self, path: &Path, date: NaiveDate) -> InputResult<Option<DayHours>> {
        use chrono::Datelike;
        if let Some(h) = self.special_days(path)?.get(&date) {
            return Ok(*h);
        }
        if self.opening_hours.closed_dates.contains(&date) {
            return Ok(None);
        }
        self.hours_of(path, date.weekday())
    }

    /// `[opening_hours] special`, checked: each key a real date (`YYYY-MM-DD`)
    /// not also in `closed_dates`, each value one range of hours inside the
    /// day (`"07:00-13:00"`) or `"closed"`.
    pub fn special_days(&self, path: &Path) -> InputResult<BTreeMap<NaiveDate, Option<DayHours>>> {
        let mut out = BTreeMap::new();
        for (date, hours) in &self.opening_hours.special {
            let key = format!("opening_hours.special.\"{date}\"");
            let d = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
                .ok()
                .filter(|d| crate::limits::YEARS.contains(&chrono::Datelike::year(d)))
                .ok_or_else(|| {
                    InputError::key(
                        path,
                        &key,
                        format!(
                            "got the date '{}', expected a real date written YYYY-MM-DD (e.g. 2026-12-24)",
                            crate::error::shortened(date)
                        ),
                    )
                })?;
            if self.opening_hours.closed_dates.contains(&d) {
                return Err(InputError::key(
                    path,
                    &key,
                    format!("{d} is in closed_dates too; expected it in one of them"),
                ));
            }
            if hours.contains(',') || hours.matches('-').count() > 1 {
                return Err(InputError::key(
                    path,
                    &key,
                    format!("got '{}', expected one range of hours like \"07:00-13:00\" (ringcast opens a day once: not several or overlapping ranges) or \"closed\"", crate::error::shortened(hours)),
                ));
            }
            out.insert(d, parse_hours(hours).map_err(|m| InputError::key(path, &key, m))?);
        }
        Ok(out)
    }

    /// The `[service]` values as written.
    pub fn service_values(&self) -> ServiceValues {
        let s = &self.service;
        ServiceValues {
            target_sl: s.target_sl,
            answer_seconds: s.answer_seconds,
            max_asa_seconds: s.max_asa_seconds,
            max_occupancy: s.max_occupancy,
            max_abandon: s.max_abandon,
            aht_seconds: s.aht_seconds.unwrap_or(DEFAULT_AHT_SECONDS),
            patience_seconds: s.patience_seconds,
            shrinkage: s.shrinkage,
            min_agents_open: s.min_agents_open,
            sl_definition: SlDefinition::AllCallers,
        }
    }
}

impl ChannelKind {
    /// Classify a channel by its name when the config does not say.
    pub fn guess(channel: &str) -> ChannelKind {
        let c = channel.to_ascii_lowercase();
        if c.contains("tv") || c.contains("radio") || c.contains("television") {
            ChannelKind::Spot
        } else if c.contains("email")
            || c.contains("e-mail")
            || c.contains("sms")
            || c.contains("mail")
            || c.contains("newsletter")
        {
            ChannelKind::Drop
        } else {
            ChannelKind::Flight
        }
    }
    /// Channels ringcast knows by name; others are accepted with a warning.
    pub fn is_known_name(channel: &str) -> bool {
        const KNOWN: [&str; 12] = [
            "tv",
            "radio",
            "retargeting",
            "click_to_call",
            "email",
            "social",
            "search",
            "display",
            "sms",
            "direct_mail",
            "video",
            "affiliate",
        ];
        KNOWN.contains(&channel.to_ascii_lowercase().as_str())
    }
}

/// A number written as a percent in quotes (`target_sl = "80%"`): the fix.
fn percent_hint(message: &str) -> String {
    let Some(rest) = message.strip_prefix("invalid type: string \"") else { return String::new() };
    let Some(value) = rest.split('"').next().and_then(|v| v.trim().strip_suffix('%')) else { return String::new() };
    match value.trim().parse::<f64>() {
        Ok(p) => format!("; write {} (a fraction without quotes, not a percent)", p / 100.0),
        Err(_) => String::new(),
    }
}

/// Handle time when neither the config nor the history gives one.
pub const DEFAULT_AHT_SECONDS: f64 = 300.0;

/// Weekdays Monday first.
pub const WEEKDAYS: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

/// Parse `"08:00-20:00"`, `"closed"`, or `"00:00-24:00"`.
fn parse_hours(v: &str) -> Result<Option<DayHours>, String> {
    let t = v.trim();
    if t.eq_ignore_ascii_case("closed") || t.is_empty() {
        return Ok(None);
    }
    let bad =
        || format!("got '{}', expected opening hours like \"08:00-20:00\" or \"closed\"", crate::error::shortened(v));
    let (a, b) = t.split_once('-').ok_or_else(bad)?;
    let minute = |s: &str| -> Result<u32, String> {
        let s = s.trim();
        if s == "24:00" {
            return Ok(1440);
        }
        let tm = NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| bad())?;
        use chrono::Timelike;
        Ok(tm.hour() * 60 + tm.minute())
    };
    let (open, close) = (minute(a)?, minute(b)?);
    if close <= open {
        return Err(format!(
            "got '{v}': closing time must be after opening time (shifts past midnight: use \"00:00-24:00\")"
        ));
    }
    Ok(Some(DayHours { open_minute: open, close_minute: close }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> InputResult<CentreConfig> {
        CentreConfig::from_toml(Path::new("centre.toml"), text)
    }

    #[test]
    fn empty_file_is_all_defaults() {
        let c = parse("").unwrap();
        assert_eq!(c.interval_minutes, 15);
        assert_eq!(c.service_values().target_sl, 0.8);
    }

    #[test]
    fn unknown_key_is_refused_with_line() {
        let e = parse("name = \"x\"\n[service]\ntarget_sll = 0.8\n").unwrap_err().to_string();
        assert!(e.contains("centre.toml:3") && e.contains("target_sll"), "{e}");
    }

    #[test]
    fn bad_timezone_and_hours() {
        let c = parse("timezone = \"Mars/Base\"").unwrap();
        let e = c.tz(Path::new("centre.toml")).unwrap_err().to_string();
        assert!(e.contains("timezone") && e.contains("Mars/Base"), "{e}");
        let c = parse("[opening_hours]\nmon = \"20:00-08:00\"").unwrap();
        let e = c.hours_of(Path::new("centre.toml"), Weekday::Mon).unwrap_err().to_string();
        assert!(e.contains("opening_hours.mon"), "{e}");
    }

    #[test]
    fn channel_kinds_are_guessed_or_configured() {
        let c = parse("[channels]\npodcast = \"spot\"\n").unwrap();
        assert_eq!(c.channel_kinds().kind("podcast"), ChannelKind::Spot);
        assert_eq!(c.channel_kinds().kind("tv"), ChannelKind::Spot);
        assert_eq!(c.channel_kinds().kind("email"), ChannelKind::Drop);
        assert_eq!(c.channel_kinds().kind("retargeting"), ChannelKind::Flight);
        let c = parse("[channels.tv]\nkind = \"spot\"\nassumed_calls_per_grp = 5.0\n[channels]\npodcast = \"spot\"\n")
            .unwrap();
        assert_eq!(c.channel_kinds().kind("tv"), ChannelKind::Spot);
        assert!(matches!(&c.channels["tv"], ChannelEntry::Table(t) if t.assumed_calls_per_grp == Some(5.0)));
    }
}
