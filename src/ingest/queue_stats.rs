//! What a history says about the queue itself: the mean handle time of
//! answered calls, caller patience and the share who abandoned.
//!
//! Patience is the censored exponential estimate: every caller's time in queue
//! is an exposure (an answered caller's patience is only known to exceed their
//! wait), so the rate of abandoning is abandonments / total time in queue of all
//! callers, and mean patience its inverse (Mandelbaum & Zeltyn). The mean wait
//! of the abandoners alone would be biased low.

use crate::ingest::grid::History;
use chrono::{Datelike, NaiveDateTime, Timelike};
use ndarray::Array2;

/// A value read off the history with the number of calls behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub seconds: f64,
    /// Calls the estimate rests on (see `basis`).
    pub calls: f64,
    /// Which calls those are.
    pub basis: CallBasis,
}

/// The calls an estimate is weighted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallBasis {
    /// Answered calls: handle time where the history counts them.
    Answered,
    /// Offered calls: handle time of an interval history without an answered column.
    Offered,
    /// Abandonments: patience.
    Abandoned,
}

impl std::fmt::Display for CallBasis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CallBasis::Answered => "answered",
            CallBasis::Offered => "offered",
            CallBasis::Abandoned => "abandoned",
        })
    }
}

/// Queue parameters read off a history; `None` where the history lacks the columns.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct QueueStats {
    /// Mean handle time of answered calls.
    pub aht: Option<Estimate>,
    /// Mean patience (censored exponential estimate).
    pub patience: Option<Estimate>,
    /// Abandoned / (answered + abandoned).
    pub abandon_rate: Option<f64>,
    /// Mean handle time by weekday and hour of day.
    pub aht_profile: Option<HourProfile>,
    /// Mean patience by weekday and hour of day.
    pub patience_profile: Option<HourProfile>,
    /// Share of all callers answered within the answer-time target (call records).
    pub service_level: Option<f64>,
    /// Coefficient of variation of handle times (call records).
    pub handle_cv: Option<f64>,
}

/// Answered calls at which an hour's own mean handle time and the overall mean
/// weigh the same: an hour with few calls stays near the overall mean.
pub const HANDLE_TIME_PRIOR_CALLS: f64 = 200.0;

/// Abandonments at which an hour's own patience estimate and the overall one
/// weigh the same.
pub const PATIENCE_PRIOR_ABANDONMENTS: f64 = 50.0;

/// Seconds by weekday (Monday first) and hour of day: a ratio of sums per
/// hour (handle seconds / answered calls; queue seconds / abandonments), each
/// shrunk towards the overall value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HourProfile {
    seconds: [[f64; 24]; 7],
}

impl HourProfile {
    /// `cell(day, slot)` gives the (numerator, denominator) an interval adds;
    /// an hour's value is Σ numerator / Σ denominator, shrunk towards
    /// `overall` with the weight of `prior` units of the denominator.
    fn learn(h: &History, cell: impl Fn(usize, usize) -> Option<(f64, f64)>, overall: f64, prior: f64) -> HourProfile {
        let mut num = [[0.0f64; 24]; 7];
        let mut den = [[0.0f64; 24]; 7];
        let minutes = h.interval.get() as usize;
        for (k, d) in h.days.iter().enumerate() {
            let w = d.weekday().num_days_from_monday() as usize;
            for s in 0..h.slots_per_day() {
                if let Some((a, b)) = cell(k, s) {
                    let hour = s * minutes / 60;
                    num[w][hour] += a;
                    den[w][hour] += b;
                }
            }
        }
        let seconds =
            std::array::from_fn(|w| std::array::from_fn(|hr| (num[w][hr] + prior * overall) / (den[w][hr] + prior)));
        HourProfile { seconds }
    }

    /// The value for a call arriving at `t` (local time).
    pub fn at(&self, t: NaiveDateTime) -> f64 {
        self.seconds[t.weekday().num_days_from_monday() as usize][t.hour() as usize]
    }
}

fn total(m: &Array2<f64>) -> f64 {
    m.iter().filter(|v| v.is_finite()).sum()
}

impl QueueStats {
    /// Read the queue's parameters off `h`.
    pub fn of(h: &History) -> QueueStats {
        let answered = h.answered.as_ref().map(total);
        let abandoned = h.abandoned.as_ref().map(total);
        // Each interval's AHT weighs by its answered calls (by its offered
        // calls when the history has no answered column).
        let (weights, basis) = match &h.answered {
            Some(a) => (a, CallBasis::Answered),
            None => (&h.offered, CallBasis::Offered),
        };
        let aht = h.aht_seconds.as_ref().and_then(|aht| {
            let (handled, n) = aht
                .iter()
                .zip(weights.iter())
                .filter(|(a, n)| a.is_finite() && n.is_finite())
                .fold((0.0, 0.0), |(t, c), (a, n)| (t + a * n, c + n));
            (n > 0.0).then(|| Estimate { seconds: handled / n, calls: n, basis })
        });
        let aht_profile = match (aht, &h.aht_seconds) {
            (Some(e), Some(a)) => {
                let cell = |k: usize, s: usize| {
                    let (a, c) = (a[[k, s]], weights[[k, s]]);
                    (a.is_finite() && c.is_finite() && c > 0.0).then_some((a * c, c))
                };
                Some(HourProfile::learn(h, cell, e.seconds, HANDLE_TIME_PRIOR_CALLS))
            }
            _ => None,
        };
        let patience = match (&h.queue_seconds, abandoned) {
            (Some(q), Some(ab)) if ab > 0.0 => {
                Some(Estimate { seconds: total(q) / ab, calls: ab, basis: CallBasis::Abandoned })
            }
            _ => None,
        };
        let patience_profile = match (patience, &h.queue_seconds, &h.abandoned) {
            (Some(e), Some(q), Some(b)) => {
                let cell = |k: usize, s: usize| {
                    let (q, b) = (q[[k, s]], b[[k, s]]);
                    (q.is_finite() && b.is_finite()).then_some((q, b))
                };
                Some(HourProfile::learn(h, cell, e.seconds, PATIENCE_PRIOR_ABANDONMENTS))
            }
            _ => None,
        };
        let abandon_rate = match (answered, abandoned) {
            (Some(a), Some(b)) if a + b > 0.0 => Some(b / (a + b)),
            _ => None,
        };
        let service_level = match (&h.answered_in_time, answered, abandoned) {
            (Some(t), Some(a), Some(b)) if a + b > 0.0 => Some(total(t) / (a + b)),
            _ => None,
        };
        QueueStats { aht, patience, abandon_rate, aht_profile, patience_profile, service_level, handle_cv: h.handle_cv }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::IntervalMinutes;
    use chrono::NaiveDate;

    #[test]
    fn handle_time_is_weighted_by_answered_calls_and_patience_is_censored() {
        let iv = IntervalMinutes::new(720).unwrap();
        let mut h =
            History::from_offered(iv, vec![NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()], Array2::zeros((1, 2)));
        h.answered = Some(Array2::from_shape_vec((1, 2), vec![3.0, 1.0]).unwrap());
        h.abandoned = Some(Array2::from_shape_vec((1, 2), vec![1.0, 1.0]).unwrap());
        h.aht_seconds = Some(Array2::from_shape_vec((1, 2), vec![100.0, 300.0]).unwrap());
        // Four answered callers waited 10 s each; two abandoners 30 s and 50 s.
        h.queue_seconds = Some(Array2::from_shape_vec((1, 2), vec![30.0 + 30.0, 10.0 + 50.0]).unwrap());
        let q = QueueStats::of(&h);
        assert_eq!(q.aht, Some(Estimate { seconds: 150.0, calls: 4.0, basis: CallBasis::Answered }));
        // 120 s of exposure / 2 abandonments = 60 s, above the abandoners' mean wait of 40 s.
        assert_eq!(q.patience, Some(Estimate { seconds: 60.0, calls: 2.0, basis: CallBasis::Abandoned }));
        assert_eq!(q.abandon_rate, Some(2.0 / 6.0));
        // Monday's first slot (hour 0): 3 calls of 100 s, shrunk towards 150 s by 200 prior calls.
        let p = q.aht_profile.unwrap();
        let at = |hh: u32| NaiveDate::from_ymd_opt(2026, 1, 5).unwrap().and_hms_opt(hh, 0, 0).unwrap();
        assert!((p.at(at(0)) - (300.0 + 200.0 * 150.0) / 203.0).abs() < 1e-9);
        assert!((p.at(at(12)) - (300.0 + 200.0 * 150.0) / 201.0).abs() < 1e-9);
        assert_eq!(p.at(at(3)), 150.0, "an hour without calls takes the overall mean");
        // Patience, hour 0: 60 s of queue time, 1 abandonment, shrunk towards 60 s.
        let pp = q.patience_profile.unwrap();
        assert!((pp.at(at(0)) - (60.0 + 50.0 * 60.0) / 51.0).abs() < 1e-9);
    }

    #[test]
    fn counts_alone_give_nothing() {
        let iv = IntervalMinutes::new(720).unwrap();
        let h = History::from_offered(iv, vec![NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()], Array2::zeros((1, 2)));
        assert_eq!(QueueStats::of(&h), QueueStats::default());
    }
}
