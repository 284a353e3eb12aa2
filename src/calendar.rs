//! Calendar facts of the centre: which days and intervals are open.
//!
//! All times are local wall-clock times in the centre's zone. A planning day
//! has `1440 / interval` slots by the clock; on a 23-hour DST day the skipped
//! hour's slots do not exist and are closed, on a 25-hour day the repeated
//! hour is one slot by the clock (its calls are summed, see ingest).

use crate::config::{CentreConfig, DayHours, WEEKDAYS};
use crate::error::InputResult;
use crate::units::IntervalMinutes;
use chrono::{Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Opening hours resolved for fast lookup.
#[derive(Debug, Clone)]
pub struct OpenCalendar {
    pub interval: IntervalMinutes,
    pub tz: Tz,
    hours: [Option<DayHours>; 7],
    closed: BTreeSet<NaiveDate>,
    /// Dates with their own hours (`[opening_hours] special`).
    special: BTreeMap<NaiveDate, Option<DayHours>>,
}

impl OpenCalendar {
    /// From a validated config (`path` names it in errors).
    pub fn from_config(cfg: &CentreConfig, path: &Path) -> InputResult<OpenCalendar> {
        let mut hours = [None; 7];
        for (i, wd) in WEEKDAYS.iter().enumerate() {
            hours[i] = cfg.hours_of(path, *wd)?;
        }
        Ok(OpenCalendar {
            interval: cfg.interval(path)?,
            tz: cfg.tz(path)?,
            hours,
            closed: cfg.opening_hours.closed_dates.iter().copied().collect(),
            special: cfg.special_days(path)?,
        })
    }

    /// A calendar from its parts (the one read off a history is built in
    /// `ingest`).
    pub fn new(
        interval: IntervalMinutes,
        tz: Tz,
        hours: [Option<DayHours>; 7],
        closed: BTreeSet<NaiveDate>,
    ) -> OpenCalendar {
        OpenCalendar { interval, tz, hours, closed, special: BTreeMap::new() }
    }

    /// A calendar from config text (tests).
    #[cfg(test)]
    pub(crate) fn from_toml_text(text: &str) -> OpenCalendar {
        let cfg = CentreConfig::from_toml(Path::new("c.toml"), text).expect("test config");
        OpenCalendar::from_config(&cfg, Path::new("c.toml")).expect("test calendar")
    }

    /// Whether `d` is a closed date (a holiday), whatever its weekday's hours.
    pub fn is_closed_date(&self, d: NaiveDate) -> bool {
        self.closed.contains(&d) || self.special.get(&d).is_some_and(|h| h.is_none())
    }

    /// Whether `d` is listed in `special` with hours of its own (a short eve,
    /// a special opening): the forecaster learns such days' level from the past ones.
    pub fn is_special_open(&self, d: NaiveDate) -> bool {
        matches!(self.special.get(&d), Some(Some(_)))
    }

    /// The opening hours and closed dates in words, as `check` and `backtest`
    /// print a calendar read off a history.
    pub fn describe(&self) -> String {
        let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let hhmm = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
        let hours: Vec<String> = names
            .iter()
            .zip(&self.hours)
            .map(|(n, h)| match h {
                Some(h) => format!("{n} {}-{}", hhmm(h.open_minute), hhmm(h.close_minute)),
                None => format!("{n} closed"),
            })
            .collect();
        // A long history can hold hundreds of closures: list the first ones.
        const LISTED: usize = 30;
        let mut closed: Vec<String> = self.closed.iter().take(LISTED).map(|d| d.to_string()).collect();
        if self.closed.len() > LISTED {
            closed.push(format!("… and {} more", self.closed.len() - LISTED));
        }
        format!(
            "{}; {} closed date(s){}{}",
            hours.join(", "),
            self.closed.len(),
            if closed.is_empty() { "" } else { ": " },
            closed.join(", ")
        )
    }

    /// Regular open hours of a weekday, `None` when closed.
    pub fn hours_of_weekday(&self, wd: chrono::Weekday) -> Option<DayHours> {
        self.hours[wd.num_days_from_monday() as usize]
    }

    /// The special days (their own hours, or closed) from `from` to `to`, in words.
    pub fn special_days_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<String> {
        let hhmm = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
        self.special
            .range(from..=to)
            .map(|(d, h)| match h {
                Some(h) => format!("{} {} {}-{}", d.format("%a"), d, hhmm(h.open_minute), hhmm(h.close_minute)),
                None => format!("{} {} closed", d.format("%a"), d),
            })
            .collect()
    }

    /// Open hours on a date, `None` when closed all day: a special day's own
    /// hours, else closed on a closed date, else its weekday's.
    pub fn hours_on(&self, d: NaiveDate) -> Option<DayHours> {
        if let Some(h) = self.special.get(&d) {
            return *h;
        }
        if self.closed.contains(&d) {
            return None;
        }
        self.hours[d.weekday().num_days_from_monday() as usize]
    }

    /// Whether the slot starting `slot · interval` minutes after midnight is open
    /// (and exists on that day: not in a DST gap).
    pub fn is_open(&self, d: NaiveDate, slot: usize) -> bool {
        let Some(h) = self.hours_on(d) else {
            return false;
        };
        let start = slot as u32 * self.interval.get();
        if start < h.open_minute || start >= h.close_minute {
            return false;
        }
        let t = d.and_time(NaiveTime::MIN) + Duration::minutes(start as i64);
        !matches!(self.tz.from_local_datetime(&t), LocalResult::None)
    }

    /// Whether a special day (`[opening_hours] special`) closes the slot its
    /// weekday's regular hours would open.
    pub fn closed_by_special_day(&self, d: NaiveDate, slot: usize) -> bool {
        let Some(regular) = self.hours[d.weekday().num_days_from_monday() as usize] else { return false };
        let start = slot as u32 * self.interval.get();
        self.special.contains_key(&d)
            && !self.closed.contains(&d)
            && (regular.open_minute..regular.close_minute).contains(&start)
            && !self.is_open(d, slot)
    }

    /// Open flags of every slot of a day.
    pub fn open_slots(&self, d: NaiveDate) -> Vec<bool> {
        (0..self.interval.per_day()).map(|s| self.is_open(d, s)).collect()
    }

    /// Whether the centre opens at all on `d`.
    pub fn is_open_day(&self, d: NaiveDate) -> bool {
        self.hours_on(d).is_some()
    }

    /// Hours in the local day (23 or 25 on DST change days).
    pub fn day_hours(&self, d: NaiveDate) -> f64 {
        let start = self.tz.from_local_datetime(&d.and_time(NaiveTime::MIN)).earliest();
        let end = self.tz.from_local_datetime(&(d + Duration::days(1)).and_time(NaiveTime::MIN)).earliest();
        match (start, end) {
            (Some(a), Some(b)) => (b - a).num_minutes() as f64 / 60.0,
            _ => 24.0,
        }
    }
}

/// The seven days from `monday`.
/// The start of slot `slot` of `day` (local time) at `interval`.
pub fn slot_time(day: NaiveDate, slot: usize, interval: IntervalMinutes) -> chrono::NaiveDateTime {
    day.and_time(NaiveTime::MIN) + Duration::minutes(slot as i64 * interval.get() as i64)
}

pub fn week_days(monday: NaiveDate) -> Vec<NaiveDate> {
    (0..7).map(|i| monday + Duration::days(i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal(text: &str) -> OpenCalendar {
        OpenCalendar::from_toml_text(text)
    }

    #[test]
    fn opening_hours_closed_dates_and_dst() {
        let c = cal("timezone = \"Europe/London\"\n[opening_hours]\nsun = \"closed\"\nsat = \"00:00-24:00\"\nclosed_dates = [\"2026-12-25\"]\n");
        let mon = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert!(!c.is_open(mon, 31) && c.is_open(mon, 32) && c.is_open(mon, 79) && !c.is_open(mon, 80));
        assert!(!c.is_open_day(NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()));
        assert!(!c.is_open_day(NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()));
        // Saturday 2026-03-28 is a normal day; Sunday 03-29 is the 23-hour day (closed anyway).
        let spring = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        assert_eq!(c.day_hours(spring), 23.0);
        assert_eq!(c.day_hours(NaiveDate::from_ymd_opt(2026, 10, 25).unwrap()), 25.0);
        let c2 = cal("timezone = \"Europe/London\"\n[opening_hours]\nsun = \"00:00-24:00\"\n");
        assert!(c2.is_open(spring, 0) && !c2.is_open(spring, 4), "01:00-02:00 does not exist on the 23-hour day");
    }
}
