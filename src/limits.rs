//! Plausible ranges of every number that enters ringcast.
//!
//! A value outside its range is refused where it is read, naming the file,
//! row and column (or the config key), the value and the range. The ranges
//! are wide — far beyond any real contact centre — and exist so that a typo
//! (a missing decimal point, a value in the wrong unit, 1e12) ends in a clear
//! error instead of a computation that runs for hours or a forecast of 10²⁰³
//! calls. docs/formats.md lists them.

/// A closed range `min..=max` of a quantity, with the words for it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plausible {
    pub min: f64,
    pub max: f64,
    /// What the number is, with its unit ("calls in one interval").
    pub what: &'static str,
}

impl Plausible {
    /// Whether `v` is a finite number in range.
    pub fn contains(&self, v: f64) -> bool {
        v.is_finite() && v >= self.min && v <= self.max
    }

    /// "calls in one interval between 0 and 100,000".
    pub fn expected(&self) -> String {
        format!("{} between {} and {}", self.what, grouped(self.min), grouped(self.max))
    }
}

/// A number with thousands separators (and up to 3 decimals) for messages.
fn grouped(v: f64) -> String {
    if v.fract() != 0.0 || v.abs() >= 1e15 {
        return format!("{v}");
    }
    let digits = format!("{}", v.abs() as u64);
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

/// Calls (offered, answered, abandoned, expected) in one interval of a file.
pub const CALLS_PER_INTERVAL: Plausible = Plausible { min: 0.0, max: 100_000.0, what: "calls in one interval" };
/// Calls of one media line, or of a centre, in a week.
pub const CALLS_IN_WEEK: Plausible = Plausible { min: 0.0, max: 100_000_000.0, what: "calls in a week" };
/// Agents on the phones in one interval.
pub const AGENTS_ON_PHONES: Plausible = Plausible { min: 0.0, max: 100_000.0, what: "agents on the phones" };
/// An average handle time of an interval, seconds (4 hours at most).
pub const HANDLE_SECONDS: Plausible = Plausible { min: 0.0, max: 14_400.0, what: "a handle time in seconds" };
/// One call's wait or handle time in a call record, seconds (a day at most).
pub const CALL_SECONDS: Plausible = Plausible { min: 0.0, max: 86_400.0, what: "seconds" };
/// Agents required in one interval.
pub const AGENTS_PER_INTERVAL: Plausible = Plausible { min: 0.0, max: 100_000.0, what: "agents required" };
/// Contracted hours per week of one agent.
pub const HANDLE_TIME_FACTOR: Plausible =
    Plausible { min: 0.25, max: 4.0, what: "a handle-time factor (times the queue's mean handle time)" };
/// Hours an agent works in a week.
pub const WEEKLY_HOURS: Plausible = Plausible { min: 0.0, max: 84.0, what: "hours per week" };
/// Working days per week of one agent.
pub const DAYS_PER_WEEK: Plausible = Plausible { min: 0.0, max: 7.0, what: "a number of days" };
/// GRPs of one media-plan line (a spot rarely exceeds 50, a month's flight 2,000).
pub const GRPS: Plausible = Plausible { min: 0.0, max: 10_000.0, what: "GRPs" };
/// Spend of one media-plan line, in the centre's currency.
pub const SPEND: Plausible = Plausible { min: 0.0, max: 1e10, what: "a spend" };
/// Impressions of one media-plan line.
pub const IMPRESSIONS: Plausible = Plausible { min: 0.0, max: 1e11, what: "impressions" };
/// Audience (recipients, reach) of one media-plan line.
pub const AUDIENCE: Plausible = Plausible { min: 0.0, max: 1e10, what: "an audience size" };

/// Configured handle time, seconds (above 0).
pub const AHT_SECONDS: Plausible = Plausible { min: 0.0, max: 14_400.0, what: "a handle time in seconds" };
/// Configured mean caller patience, seconds (above 0).
pub const PATIENCE_SECONDS: Plausible = Plausible { min: 0.0, max: 14_400.0, what: "a mean patience in seconds" };
/// Configured answer-time target, seconds.
pub const ANSWER_SECONDS: Plausible = Plausible { min: 0.0, max: 3_600.0, what: "an answer-time target in seconds" };
/// Configured cap on the average speed of answer, seconds.
pub const MAX_ASA_SECONDS: Plausible = Plausible { min: 0.0, max: 14_400.0, what: "an ASA cap in seconds" };

/// The interval of the one-interval calculator (`staff --interval-minutes`):
/// a minute to a day.
pub const CALCULATOR_INTERVAL_MINUTES: Plausible =
    Plausible { min: 1.0, max: 1_440.0, what: "an interval length in minutes" };

/// Years a date may lie in: history, plans, holidays, requirements.
pub const YEARS: std::ops::RangeInclusive<i32> = 1970..=2200;

/// Calendar days one file's rows may span (a history of twenty years).
pub const MAX_SPAN_DAYS: i64 = 7_320;

/// Offered load of one interval the staffing searches accept, Erlangs: the
/// agents needed grow with it (about the load), and so does the cost of
/// Erlang A. Inputs within their ranges can still exceed it (100,000 calls of
/// 4 hours each in 5 minutes); such an interval is refused by the staff stage.
pub const MAX_LOAD_ERLANGS: f64 = 20_000.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_read_as_words() {
        assert_eq!(CALLS_PER_INTERVAL.expected(), "calls in one interval between 0 and 100,000");
        assert_eq!(SPEND.expected(), "a spend between 0 and 10,000,000,000");
        assert!(GRPS.contains(0.0) && GRPS.contains(10_000.0));
        assert!(!GRPS.contains(1e9) && !GRPS.contains(-1.0) && !GRPS.contains(f64::NAN));
    }
}
