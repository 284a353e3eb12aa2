//! What a history says about the queue itself: the mean handle time of
//! answered calls, caller patience and the share who abandoned.
//!
//! Patience is the censored exponential estimate: every caller's time in queue
//! is an exposure (an answered caller's patience is only known to exceed their
//! wait), so the rate of abandoning is abandonments / total time in queue of all
//! callers, and mean patience its inverse (Mandelbaum & Zeltyn). The mean wait
//! of the abandoners alone would be biased low.

use crate::ingest::grid::History;
use ndarray::Array2;

/// A value read off the history with the number of calls behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub seconds: f64,
    /// Calls the estimate rests on (answered calls for handle time,
    /// abandonments for patience).
    pub calls: f64,
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
        let weights = h.answered.as_ref().unwrap_or(&h.offered);
        let aht = h.aht_seconds.as_ref().and_then(|aht| {
            let (handled, n) = aht
                .iter()
                .zip(weights.iter())
                .filter(|(a, n)| a.is_finite() && n.is_finite())
                .fold((0.0, 0.0), |(t, c), (a, n)| (t + a * n, c + n));
            (n > 0.0).then(|| Estimate { seconds: handled / n, calls: n })
        });
        let patience = match (&h.queue_seconds, abandoned) {
            (Some(q), Some(ab)) if ab > 0.0 => Some(Estimate { seconds: total(q) / ab, calls: ab }),
            _ => None,
        };
        let abandon_rate = match (answered, abandoned) {
            (Some(a), Some(b)) if a + b > 0.0 => Some(b / (a + b)),
            _ => None,
        };
        QueueStats { aht, patience, abandon_rate }
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
        assert_eq!(q.aht, Some(Estimate { seconds: 150.0, calls: 4.0 }));
        // 120 s of exposure / 2 abandonments = 60 s, above the abandoners' mean wait of 40 s.
        assert_eq!(q.patience, Some(Estimate { seconds: 60.0, calls: 2.0 }));
        assert_eq!(q.abandon_rate, Some(2.0 / 6.0));
    }

    #[test]
    fn counts_alone_give_nothing() {
        let iv = IntervalMinutes::new(720).unwrap();
        let h = History::from_offered(iv, vec![NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()], Array2::zeros((1, 2)));
        assert_eq!(QueueStats::of(&h), QueueStats::default());
    }
}
