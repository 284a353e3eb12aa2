//! Schedule: shifts and rosters at least cost, by integer programming
//! (good_lp with HiGHS).
//!
//! * [`shifts`]: shift families from the config → concrete shift options (start,
//!   covered intervals, breaks placed), one per start time and break placement,
//!   so break placement is part of the optimisation.
//! * [`model`]: how many of each option (coverage MIP; objectives heads, paid
//!   hours/cost, or absolute deviation), with its LP bound.
//! * [`week`]: a week's requirements grid → its shift options → the solved plan.
//! * [`roster`]: named agents on those shifts under contracts and weekly rules.

pub mod adjust;
pub mod compact;
pub mod goal;
pub mod model;
pub mod roster;
pub mod shifts;
pub mod week;

pub use crate::config::scheduling::{
    BreakRule, Minimums, Objective, SchedulingRules, ShiftFamily, MAX_TIME_LIMIT_SECONDS,
};
use serde::Serialize;

/// Absolute MIP gap of the roster model, in its cost points (20 per hour
/// below a contract minimum, 5 per evening above the even share, 0.1 per
/// hour away from a preferred start).
pub const ROSTER_ABS_GAP: f64 = 2.0;

/// How a solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SolveStatus {
    /// Proved optimal (within the configured MIP gap).
    Optimal,
    /// Stopped within the roster model's relative or absolute gap of its bound.
    WithinGap,
    /// Stopped at the time limit with the best solution found.
    TimeLimit,
    /// Every step finished, but further from the bound than the gap allows
    /// (a roster whose groups' patterns the days could not hold).
    AboveGap,
}

impl std::fmt::Display for SolveStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SolveStatus::Optimal => f.write_str("optimal"),
            SolveStatus::WithinGap => {
                write!(f, "within 1% or {} cost points of its bound", ROSTER_ABS_GAP)
            }
            SolveStatus::TimeLimit => f.write_str("time limit (best found)"),
            SolveStatus::AboveGap => f.write_str("best found, above the gap"),
        }
    }
}

impl Serialize for SolveStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
