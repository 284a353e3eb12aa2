//! Call history as a calendar grid: one row per day with data, one column per
//! interval of the local day.
//!
//! Keying on the calendar (not on row position) means a missing day or a closed
//! hour can never shift the seasonality: a gap is a missing row or a NaN cell.

use crate::calendar::OpenCalendar;
use crate::config::DayHours;
use crate::units::IntervalMinutes;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use chrono_tz::Tz;
use ndarray::Array2;
use std::collections::BTreeSet;

/// Interval call history on a day × slot grid.
///
/// * `days` are ascending and unique; days absent from the input (holidays,
///   dropped days, weekends of a weekday-only centre) are simply not rows.
/// * `offered[[d, s]]` is the calls offered on `days[d]` in the slot starting at
///   local time `s * interval` minutes after midnight; `NaN` means no data for that
///   slot (closed, or the skipped hour of a 23-hour DST day).
/// * On a 25-hour DST day the repeated hour's counts are summed into its slots.
#[derive(Debug, Clone)]
pub struct History {
    pub interval: IntervalMinutes,
    pub days: Vec<NaiveDate>,
    pub offered: Array2<f64>,
    /// Calls answered, where the source has it.
    pub answered: Option<Array2<f64>>,
    /// Calls abandoned, where the source has it.
    pub abandoned: Option<Array2<f64>>,
    /// Average handle time in seconds, where the source has it.
    pub aht_seconds: Option<Array2<f64>>,
    /// Seconds all the interval's callers waited in queue together (answered
    /// and abandoned), where call records give it: with the abandonments, the
    /// censored estimate of patience.
    pub queue_seconds: Option<Array2<f64>>,
    /// Calls answered within the answer-time target the records were read
    /// with (the history options' `answer_seconds`).
    pub answered_in_time: Option<Array2<f64>>,
    /// Coefficient of variation of the answered calls' handle times, where
    /// call records give each call's (the simulation's log-normal spread).
    pub handle_cv: Option<f64>,
}

impl History {
    /// Build from a grid of offered calls only.
    pub fn from_offered(interval: IntervalMinutes, days: Vec<NaiveDate>, offered: Array2<f64>) -> Self {
        debug_assert_eq!(offered.nrows(), days.len());
        debug_assert_eq!(offered.ncols(), interval.per_day());
        Self {
            interval,
            days,
            offered,
            answered: None,
            abandoned: None,
            aht_seconds: None,
            queue_seconds: None,
            answered_in_time: None,
            handle_cv: None,
        }
    }

    pub fn slots_per_day(&self) -> usize {
        self.interval.per_day()
    }

    /// Slots that carry data on at least one day (the centre's observed open hours).
    pub fn observed_slots(&self) -> Vec<usize> {
        (0..self.slots_per_day()).filter(|&s| self.offered.column(s).iter().any(|v| !v.is_nan())).collect()
    }

    /// Index of `day` in `days`, if present.
    pub fn day_index(&self, day: NaiveDate) -> Option<usize> {
        self.days.binary_search(&day).ok()
    }

    /// The rows for days in `[from, to)` (by date), as a new history.
    pub fn between(&self, from: NaiveDate, to: NaiveDate) -> History {
        let lo = self.days.partition_point(|d| *d < from);
        let hi = self.days.partition_point(|d| *d < to);
        self.rows(lo, hi)
    }

    /// Rows `lo..hi` as a new history.
    pub fn rows(&self, lo: usize, hi: usize) -> History {
        let sl = ndarray::s![lo..hi, ..];
        History {
            interval: self.interval,
            days: self.days[lo..hi].to_vec(),
            offered: self.offered.slice(sl).to_owned(),
            answered: self.answered.as_ref().map(|a| a.slice(sl).to_owned()),
            abandoned: self.abandoned.as_ref().map(|a| a.slice(sl).to_owned()),
            aht_seconds: self.aht_seconds.as_ref().map(|a| a.slice(sl).to_owned()),
            queue_seconds: self.queue_seconds.as_ref().map(|a| a.slice(sl).to_owned()),
            answered_in_time: self.answered_in_time.as_ref().map(|a| a.slice(sl).to_owned()),
            handle_cv: self.handle_cv,
        }
    }

    /// This history with the days of `later` after its last day appended
    /// (offered calls only: what the forecast learns from). Days of `later`
    /// at or before this history's end are left out.
    pub fn followed_by(&self, later: &History) -> History {
        let last = self.last_day();
        let rows: Vec<usize> = (0..later.days.len()).filter(|&k| Some(later.days[k]) > last).collect();
        let added = later.offered.select(ndarray::Axis(0), &rows);
        let offered = ndarray::concatenate(ndarray::Axis(0), &[self.offered.view(), added.view()])
            .unwrap_or_else(|_| self.offered.clone());
        let mut days = self.days.clone();
        days.extend(rows.iter().map(|&k| later.days[k]));
        History::from_offered(self.interval, days, offered)
    }

    /// The days for which `keep(day, row)` holds, as a new history.
    pub fn retain_days(&self, keep: impl Fn(NaiveDate, ndarray::ArrayView1<'_, f64>) -> bool) -> History {
        let rows: Vec<usize> = (0..self.days.len()).filter(|&k| keep(self.days[k], self.offered.row(k))).collect();
        if rows.len() == self.days.len() {
            return self.clone();
        }
        let pick = |m: &Array2<f64>| m.select(ndarray::Axis(0), &rows);
        History {
            interval: self.interval,
            days: rows.iter().map(|&k| self.days[k]).collect(),
            offered: pick(&self.offered),
            answered: self.answered.as_ref().map(pick),
            abandoned: self.abandoned.as_ref().map(pick),
            aht_seconds: self.aht_seconds.as_ref().map(pick),
            queue_seconds: self.queue_seconds.as_ref().map(pick),
            answered_in_time: self.answered_in_time.as_ref().map(pick),
            handle_cv: self.handle_cv,
        }
    }

    /// Without the days that hold no calls at all: a closed day exported as
    /// zero rows is a closure, not a day on which nobody called. Models then
    /// see the gap (and type the day after it as a reopening day).
    pub fn without_empty_days(&self) -> History {
        self.retain_days(|_, row| row.iter().any(|v| *v > 0.0))
    }

    /// Last day with data.
    pub fn last_day(&self) -> Option<NaiveDate> {
        self.days.last().copied()
    }

    /// First and last slot with calls per weekday (Monday first), over all
    /// rows: the hours the centre keeps on that weekday. Explicit zero rows (a
    /// 24-hour export of a centre open by day) do not count as open.
    pub fn weekday_spans(&self) -> [Option<(usize, usize)>; 7] {
        let mut spans: [Option<(usize, usize)>; 7] = [None; 7];
        for (k, d) in self.days.iter().enumerate() {
            let row = self.offered.row(k);
            let has_calls = |v: &f64| *v > 0.0;
            if let (Some(a), Some(b)) = (row.iter().position(has_calls), row.iter().rposition(has_calls)) {
                let w = &mut spans[d.weekday().num_days_from_monday() as usize];
                let (lo, hi) = w.unwrap_or((a, b));
                *w = Some((lo.min(a), hi.max(b)));
            }
        }
        spans
    }

    /// Weekday of row `d`.
    pub fn weekday(&self, d: usize) -> Weekday {
        self.days[d].weekday()
    }
}

impl History {
    /// Sum into a coarser interval (a multiple of the current one). A coarse slot
    /// with no data in any of its fine slots stays NaN.
    pub fn resample(&self, to: IntervalMinutes) -> Result<History, String> {
        if to == self.interval {
            return Ok(self.clone());
        }
        if !to.get().is_multiple_of(self.interval.get()) {
            return Err(format!(
                "cannot turn {}-minute history into {}-minute intervals: expected a planning interval that is a multiple of the history's",
                self.interval.get(),
                to.get()
            ));
        }
        let k = (to.get() / self.interval.get()) as usize;
        let sum = |m: &Array2<f64>| {
            Array2::from_shape_fn((m.nrows(), to.per_day()), |(d, s)| {
                let cells = (0..k).map(|j| m[[d, s * k + j]]).filter(|v| !v.is_nan());
                let (n, t) = cells.fold((0, 0.0), |(n, t), v| (n + 1, t + v));
                if n == 0 {
                    f64::NAN
                } else {
                    t
                }
            })
        };
        let aht = match (&self.aht_seconds, &self.answered) {
            (Some(a), Some(h)) => {
                let weighted = Array2::from_shape_fn(a.raw_dim(), |ix| a[ix] * h[ix]);
                let (w, hh) = (sum(&weighted), sum(h));
                Some(Array2::from_shape_fn(w.raw_dim(), |ix| if hh[ix] > 0.0 { w[ix] / hh[ix] } else { f64::NAN }))
            }
            _ => None,
        };
        Ok(History {
            interval: to,
            days: self.days.clone(),
            offered: sum(&self.offered),
            answered: self.answered.as_ref().map(sum),
            abandoned: self.abandoned.as_ref().map(sum),
            aht_seconds: aht,
            queue_seconds: self.queue_seconds.as_ref().map(sum),
            answered_in_time: self.answered_in_time.as_ref().map(sum),
            handle_cv: self.handle_cv,
        })
    }
}

// --- the calendar a history shows, and the calls a calendar calls closed ----

impl History {
    /// Opening hours read off the history, for a bare series without a centre
    /// config (the backtest, `check`): a weekday opens from its earliest to
    /// its latest slot with calls, and a day of an open weekday without calls
    /// (absent, or explicit zero rows) inside the history's range is a closed
    /// date (a holiday, known in advance).
    pub fn opening_calendar(&self, tz: Tz) -> OpenCalendar {
        let step = self.interval.get();
        let hours = self
            .weekday_spans()
            .map(|o| o.map(|(a, b)| DayHours { open_minute: a as u32 * step, close_minute: (b as u32 + 1) * step }));
        let present: BTreeSet<NaiveDate> = self
            .days
            .iter()
            .enumerate()
            .filter(|(k, _)| self.offered.row(*k).iter().any(|v| *v > 0.0))
            .map(|(_, d)| *d)
            .collect();
        let mut closed = BTreeSet::new();
        if let (Some(&first), Some(&last)) = (self.days.first(), self.days.last()) {
            let mut d = first;
            while d <= last {
                if hours[d.weekday().num_days_from_monday() as usize].is_some() && !present.contains(&d) {
                    closed.insert(d);
                }
                d += Duration::days(1);
            }
        }
        OpenCalendar::new(self.interval, tz, hours, closed)
    }

    /// Calls the history holds where `cal` says the centre is closed:
    /// (outside the opening hours of its days, on closed dates). A history on
    /// another grid is summed onto the calendar's intervals first (nothing is
    /// counted when it cannot be).
    pub fn calls_when_closed(&self, cal: &OpenCalendar) -> (f64, f64) {
        let resampled;
        let h = if self.interval == cal.interval {
            self
        } else {
            match self.resample(cal.interval) {
                Ok(r) => {
                    resampled = r;
                    &resampled
                }
                Err(_) => return (0.0, 0.0),
            }
        };
        let (mut outside, mut on_closed_dates) = (0.0, 0.0);
        for (k, d) in h.days.iter().enumerate() {
            let day_closed = cal.is_closed_date(*d);
            for (s, v) in h.offered.row(k).iter().enumerate() {
                if !(*v > 0.0) {
                    continue;
                }
                if day_closed {
                    on_closed_dates += v;
                } else if !cal.is_open(*d, s) {
                    outside += v;
                }
            }
        }
        (outside, on_closed_dates)
    }

    /// A warning when the history has calls where `cal` is closed.
    pub fn closed_calls_warning(&self, cal: &OpenCalendar) -> Option<String> {
        let (outside, on_closed) = self.calls_when_closed(cal);
        (outside + on_closed > 0.0).then(|| {
            format!(
                "the history has {outside:.0} calls outside the configured opening hours and {on_closed:.0} on configured closed dates; the forecast treats those times as closed (check opening_hours and closed_dates)"
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal(text: &str) -> OpenCalendar {
        OpenCalendar::from_toml_text(text)
    }

    #[test]
    fn calls_where_the_calendar_is_closed_are_counted() {
        let cal = cal("[opening_hours]\nmon = \"08:00-12:00\"\nclosed_dates = [\"2026-01-06\"]\n");
        let days = vec![NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(), NaiveDate::from_ymd_opt(2026, 1, 6).unwrap()];
        let mut offered = ndarray::Array2::zeros((2, 96));
        offered[[0, 32]] = 5.0; // Monday 08:00: open
        offered[[0, 20]] = 2.0; // Monday 05:00: outside the hours
        offered[[1, 40]] = 3.0; // Tuesday 6 January: a closed date
        let h = History::from_offered(crate::units::IntervalMinutes::new(15).unwrap(), days, offered);
        assert_eq!(h.calls_when_closed(&cal), (2.0, 3.0));
        assert!(h.closed_calls_warning(&cal).unwrap().contains("2 calls outside the configured opening hours and 3"));
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
        let h = History::from_offered(iv, days, offered);
        let c = h.opening_calendar(chrono_tz::UTC);
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
        let h = History::from_offered(IntervalMinutes::new(60).unwrap(), days, offered);
        let c = h.opening_calendar(chrono_tz::UTC);
        assert!(!c.is_open(d("2026-01-05"), 3) && c.is_open(d("2026-01-05"), 8) && !c.is_open(d("2026-01-05"), 17));
        assert!(!c.is_open_day(d("2026-01-08")), "a day with no calls is closed");
    }
}
