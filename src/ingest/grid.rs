//! Call history as a calendar grid: one row per day with data, one column per
//! interval of the local day.
//!
//! Keying on the calendar (not on row position) means a missing day or a closed
//! hour can never shift the seasonality: a gap is a missing row or a NaN cell.

use crate::units::IntervalMinutes;
use chrono::{Datelike, NaiveDate, Weekday};
use ndarray::Array2;

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
        }
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
        })
    }
}
