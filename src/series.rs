//! Values per interval that pass between stages: calls from the forecast (or a
//! forecast file) to staffing, coverage and impact; agents to roster from
//! staffing (or a requirements file) to the shift model.

use crate::units::{CallsPerInterval, Minutes, Seconds};
use chrono::{Duration, NaiveDate, NaiveDateTime};

/// Expected calls per interval, with each interval's start and whether the
/// centre is open. The calls are typed: finite and ≥ 0 by construction.
#[derive(Debug, Clone, PartialEq)]
pub struct CallSeries {
    /// Interval length.
    pub interval: Minutes,
    pub starts: Vec<NaiveDateTime>,
    pub calls: Vec<CallsPerInterval>,
    pub open: Vec<bool>,
    /// Handle time per interval, where it differs by time of day (learned
    /// from the history); `None`: the service policy's one handle time.
    pub handle: Option<Vec<Seconds>>,
    /// Caller patience per interval, where it differs by time of day;
    /// `None`: the service policy's.
    pub patience: Option<Vec<Seconds>>,
}

impl CallSeries {
    /// Number of intervals.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The calls as plain numbers (for formatting and sums).
    pub fn raw_calls(&self) -> Vec<f64> {
        self.calls.iter().map(|c| c.get()).collect()
    }
}

/// Agents to roster per slot, over a whole number of days from `first_day`.
#[derive(Debug, Clone)]
pub struct RequirementGrid {
    pub first_day: NaiveDate,
    pub per_day: usize,
    pub required: Vec<f64>,
}

impl RequirementGrid {
    pub fn days(&self) -> Vec<NaiveDate> {
        (0..self.required.len().div_ceil(self.per_day)).map(|d| self.first_day + Duration::days(d as i64)).collect()
    }
    /// Local start time of slot `t` of the grid.
    pub fn slot_time(&self, t: usize) -> NaiveDateTime {
        let minutes = 1440 / self.per_day as i64;
        self.first_day.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(t as i64 * minutes)
    }
}

/// One interval's service curves: for `n = floor, floor + 1, …, floor + K`
/// agents on the phones, the value of each goal's function `h(n)`.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalCurve {
    /// Agents on the phones the interval needs at least (floor service level,
    /// occupancy cap, minimum agents).
    pub floor: u32,
    /// Offered load, Erlangs (for the period's occupancy cap).
    pub load: f64,
    /// Per goal, `h(floor + k)` for k = 0..=K (convex, decreasing).
    pub values: Vec<Vec<f64>>,
}
