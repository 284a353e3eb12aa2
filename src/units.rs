//! Units carried in types.
//!
//! A contact centre mixes calls per interval with calls per hour, seconds with
//! minutes and fractions with percent. Every quantity that crosses a module
//! boundary is one of these newtypes, checked once where it enters (see
//! [`crate::error`]) and trusted afterwards.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a raw number was refused as a unit value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("expected {expected}, got {value}")]
pub struct UnitError {
    pub value: f64,
    pub expected: &'static str,
}

macro_rules! checked_f64 {
    ($(#[$m:meta])* $name:ident, $check:expr, $expected:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize, Default)]
        #[serde(try_from = "f64", into = "f64")]
        pub struct $name(f64);

        impl $name {
            /// Checked constructor: refuses NaN and values out of range.
            pub fn new(v: f64) -> Result<Self, UnitError> {
                let ok: fn(f64) -> bool = $check;
                if ok(v) {
                    Ok(Self(v))
                } else {
                    Err(UnitError { value: v, expected: $expected })
                }
            }
            /// The raw value in this type's unit.
            #[inline]
            pub fn get(self) -> f64 {
                self.0
            }
        }
        impl TryFrom<f64> for $name {
            type Error = UnitError;
            fn try_from(v: f64) -> Result<Self, UnitError> {
                Self::new(v)
            }
        }
        impl From<$name> for f64 {
            fn from(v: $name) -> f64 {
                v.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

checked_f64!(
    /// A duration in seconds (handle time, answer-time target, patience). Finite, ≥ 0.
    Seconds, |v| v.is_finite() && v >= 0.0, "a finite number of seconds >= 0"
);
checked_f64!(
    /// A duration in minutes (interval length, response lags). Finite, ≥ 0.
    Minutes, |v| v.is_finite() && v >= 0.0, "a finite number of minutes >= 0"
);
checked_f64!(
    /// A share between 0 and 1 inclusive (service level, shrinkage, occupancy).
    /// Never percent: `0.8`, not `80`.
    Fraction, |v| (0.0..=1.0).contains(&v), "a fraction between 0 and 1 (e.g. 0.8, not 80)"
);
checked_f64!(
    /// Calls arriving in one interval (of the length the context names). Finite, ≥ 0.
    CallsPerInterval, |v| v.is_finite() && v >= 0.0, "a finite call count >= 0"
);
checked_f64!(
    /// Offered load in Erlangs (arrival rate × mean handle time). Finite, ≥ 0.
    Erlangs, |v| v.is_finite() && v >= 0.0, "a finite load in Erlangs >= 0"
);
checked_f64!(
    /// Money in the centre's currency. Finite, ≥ 0.
    Money, |v| v.is_finite() && v >= 0.0, "a finite amount of money >= 0"
);

impl Seconds {
    pub fn from_minutes(m: Minutes) -> Seconds {
        Seconds(m.get() * 60.0)
    }
    pub fn to_minutes(self) -> Minutes {
        Minutes(self.0 / 60.0)
    }
}

impl Minutes {
    pub fn to_seconds(self) -> Seconds {
        Seconds(self.0 * 60.0)
    }
}

impl CallsPerInterval {
    /// Offered load of these calls over an interval with the given handle time.
    pub fn load(self, interval: Minutes, aht: Seconds) -> Erlangs {
        Erlangs(self.0 * aht.get() / interval.to_seconds().get().max(f64::MIN_POSITIVE))
    }
}

impl Fraction {
    pub const ZERO: Fraction = Fraction(0.0);
    pub const ONE: Fraction = Fraction(1.0);
    /// As percent, for display only.
    pub fn percent(self) -> f64 {
        self.0 * 100.0
    }
}

/// An interval length in whole minutes that divides a day (5, 6, 10, 15, 20, 30, 60…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct IntervalMinutes(u32);

impl IntervalMinutes {
    pub fn new(m: u32) -> Result<Self, UnitError> {
        if m > 0 && 1440 % m == 0 {
            Ok(Self(m))
        } else {
            Err(UnitError {
                value: m as f64,
                expected: "an interval length in minutes that divides 1440 (e.g. 5, 15, 30, 60)",
            })
        }
    }
    pub fn get(self) -> u32 {
        self.0
    }
    pub fn minutes(self) -> Minutes {
        Minutes(self.0 as f64)
    }
    pub fn per_day(self) -> usize {
        (1440 / self.0) as usize
    }
}
impl TryFrom<u32> for IntervalMinutes {
    type Error = UnitError;
    fn try_from(v: u32) -> Result<Self, UnitError> {
        Self::new(v)
    }
}
impl From<IntervalMinutes> for u32 {
    fn from(v: IntervalMinutes) -> u32 {
        v.0
    }
}
impl fmt::Display for IntervalMinutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} min", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fraction_refuses_percent() {
        assert!(Fraction::new(0.8).is_ok());
        let e = Fraction::new(80.0).unwrap_err();
        assert!(e.to_string().contains("not 80"), "{e}");
        assert!(Fraction::new(f64::NAN).is_err());
    }

    #[test]
    fn load_of_100_calls_in_30_min_at_180s_is_10_erlangs() {
        let a = CallsPerInterval::new(100.0).unwrap().load(Minutes::new(30.0).unwrap(), Seconds::new(180.0).unwrap());
        assert!((a.get() - 10.0).abs() < 1e-12);
    }

    #[test]
    fn interval_must_divide_day() {
        assert!(IntervalMinutes::new(15).is_ok());
        assert!(IntervalMinutes::new(7).is_err());
        assert!(IntervalMinutes::new(0).is_err());
        assert_eq!(IntervalMinutes::new(5).unwrap().per_day(), 288);
    }
}
