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
use std::collections::BTreeSet;
use std::path::Path;

/// Opening hours resolved for fast lookup.
#[derive(Debug, Clone)]
pub struct OpenCalendar {
    pub interval: IntervalMinutes,
    pub tz: Tz,
    hours: [Option<DayHours>; 7],
    closed: BTreeSet<NaiveDate>,
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
        })
    }

    /// Opening hours read off a history, for a bare series without a centre
    /// config (the backtest): a weekday opens from its earliest to its latest
    /// slot with calls, and a day of an open weekday without calls (absent, or
    /// explicit zero rows) inside the history's range is a closed date (a
    /// holiday, known in advance).
    pub fn from_history(h: &crate::ingest::History, tz: Tz) -> OpenCalendar {
        let step = h.interval.get();
        let hours = h
            .weekday_spans()
            .map(|o| o.map(|(a, b)| DayHours { open_minute: a as u32 * step, close_minute: (b as u32 + 1) * step }));
        let present: BTreeSet<NaiveDate> = h
            .days
            .iter()
            .enumerate()
            .filter(|(k, _)| h.offered.row(*k).iter().any(|v| *v > 0.0))
            .map(|(_, d)| *d)
            .collect();
        let mut closed = BTreeSet::new();
        if let (Some(&first), Some(&last)) = (h.days.first(), h.days.last()) {
            let mut d = first;
            while d <= last {
                if hours[d.weekday().num_days_from_monday() as usize].is_some() && !present.contains(&d) {
                    closed.insert(d);
                }
                d += Duration::days(1);
            }
        }
        OpenCalendar { interval: h.interval, tz, hours, closed }
    }

    /// Calls a history holds where this calendar says the centre is closed:
    /// (outside the opening hours of its days, on closed dates).
    /// A history on another grid is summed onto this calendar's intervals
    /// first (nothing is counted when it cannot be).
    pub fn calls_when_closed(&self, h: &crate::ingest::History) -> (f64, f64) {
        let resampled;
        let h = if h.interval == self.interval {
            h
        } else {
            match h.resample(self.interval) {
                Ok(r) => {
                    resampled = r;
                    &resampled
                }
                Err(_) => return (0.0, 0.0),
            }
        };
        let (mut outside, mut on_closed_dates) = (0.0, 0.0);
        for (k, d) in h.days.iter().enumerate() {
            let day_closed = self.closed.contains(d);
            for (s, v) in h.offered.row(k).iter().enumerate() {
                if !(*v > 0.0) {
                    continue;
                }
                if day_closed {
                    on_closed_dates += v;
                } else if !self.is_open(*d, s) {
                    outside += v;
                }
            }
        }
        (outside, on_closed_dates)
    }

    /// A warning when a history has calls where the calendar is closed.
    pub fn closed_calls_warning(&self, h: &crate::ingest::History) -> Option<String> {
        let (outside, on_closed) = self.calls_when_closed(h);
        (outside + on_closed > 0.0).then(|| {
            format!(
                "the history has {outside:.0} calls outside the configured opening hours and {on_closed:.0} on configured closed dates; the forecast treats those times as closed (check opening_hours and closed_dates)"
            )
        })
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
        let closed: Vec<String> = self.closed.iter().map(|d| d.to_string()).collect();
        format!(
            "{}; {} closed date(s){}{}",
            hours.join(", "),
            closed.len(),
            if closed.is_empty() { "" } else { ": " },
            closed.join(", ")
        )
    }

    /// Regular open hours of a weekday, `None` when closed.
    pub fn hours_of_weekday(&self, wd: chrono::Weekday) -> Option<DayHours> {
        self.hours[wd.num_days_from_monday() as usize]
    }

    /// Open hours on a date, `None` when closed all day.
    pub fn hours_on(&self, d: NaiveDate) -> Option<DayHours> {
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
pub fn week_days(monday: NaiveDate) -> Vec<NaiveDate> {
    (0..7).map(|i| monday + Duration::days(i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal(text: &str) -> OpenCalendar {
        let cfg = CentreConfig::from_toml(Path::new("c.toml"), text).unwrap();
        OpenCalendar::from_config(&cfg, Path::new("c.toml")).unwrap()
    }

    #[test]
    fn calls_where_the_calendar_is_closed_are_counted() {
        let cal = cal("[opening_hours]\nmon = \"08:00-12:00\"\nclosed_dates = [\"2026-01-06\"]\n");
        let days = vec![NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(), NaiveDate::from_ymd_opt(2026, 1, 6).unwrap()];
        let mut offered = ndarray::Array2::zeros((2, 96));
        offered[[0, 32]] = 5.0; // Monday 08:00: open
        offered[[0, 20]] = 2.0; // Monday 05:00: outside the hours
        offered[[1, 40]] = 3.0; // Tuesday 6 January: a closed date
        let h = crate::ingest::History::from_offered(crate::units::IntervalMinutes::new(15).unwrap(), days, offered);
        assert_eq!(cal.calls_when_closed(&h), (2.0, 3.0));
        assert!(cal.closed_calls_warning(&h).unwrap().contains("2 calls outside the configured opening hours and 3"));
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

    #[test]
    fn opening_hours_read_off_a_history() {
        use crate::units::IntervalMinutes;
        let iv = IntervalMinutes::new(60).unwrap();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        // Mon 1 Sep (holiday) missing; Tue–Fri 08:00–17:00, one Tuesday also 07:00.
        let days = vec![d("2003-08-29"), d("2003-09-02"), d("2003-09-03"), d("2003-09-12")];
        let mut offered = ndarray::Array2::from_elem((4, 24), f64::NAN);
        for k in 0..4 {
            for s in 8..17 {
                offered[[k, s]] = 10.0;
            }
        }
        offered[[1, 7]] = 2.0;
        let h = crate::ingest::History::from_offered(iv, days, offered);
        let c = OpenCalendar::from_history(&h, chrono_tz::UTC);
        let tue = d("2003-09-02");
        assert!(c.is_open(tue, 7) && c.is_open(tue, 16) && !c.is_open(tue, 17) && !c.is_open(tue, 6));
        assert!(!c.is_open(d("2003-09-03"), 7), "Wednesday never opened at 07:00");
        // Weekend: never seen, closed. Monday: never seen either (only the holiday).
        assert!(!c.is_open_day(d("2003-08-30")) && !c.is_open_day(d("2003-09-01")));
        // A Friday without data inside the range is a closed date; one after the history opens.
        assert!(!c.is_open_day(d("2003-09-05")) && c.is_open_day(d("2003-09-19")));
        assert!(c.describe().starts_with("Mon closed, Tue 07:00-17:00, Wed 08:00-17:00"), "{}", c.describe());
        assert!(c.describe().contains("closed date(s): 2003-09-05"), "{}", c.describe());
    }

    #[test]
    fn explicit_zero_rows_read_as_closed() {
        use crate::units::IntervalMinutes;
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        // A 24-hour export: every hour present, calls 08:00-17:00 only; Thursday all zeros.
        let days = vec![d("2026-01-05"), d("2026-01-06"), d("2026-01-07"), d("2026-01-08"), d("2026-01-09")];
        let mut offered = ndarray::Array2::zeros((5, 24));
        for k in [0, 1, 2, 4] {
            for s in 8..17 {
                offered[[k, s]] = 3.0;
            }
        }
        let h = crate::ingest::History::from_offered(IntervalMinutes::new(60).unwrap(), days, offered);
        let c = OpenCalendar::from_history(&h, chrono_tz::UTC);
        assert!(!c.is_open(d("2026-01-05"), 3) && c.is_open(d("2026-01-05"), 8) && !c.is_open(d("2026-01-05"), 17));
        assert!(!c.is_open_day(d("2026-01-08")), "a day with no calls is closed");
    }
}
