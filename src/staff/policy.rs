//! The service policy: the goal an interval's staffing must meet and the queue's
//! parameters (handle time, patience, shrinkage), checked once.
//!
//! Every rule lives in [`ServicePolicy::new`]; a broken rule names its
//! `[service]` key ([`PolicyError::key`]), which the config layer reports as
//! `service.<key>` and the `staff` command as the matching flag.

use super::{ServiceGoal, SlDefinition};
use crate::limits::{self, Plausible};
use crate::units::{Fraction, Seconds};

/// The raw values of a service policy, as a config file or flags give them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceValues {
    /// Share answered within `answer_seconds`, 0..1 (below 1).
    pub target_sl: f64,
    /// Answer-time target, seconds ≥ 0.
    pub answer_seconds: f64,
    /// Cap on the average speed of answer, seconds > 0.
    pub max_asa_seconds: Option<f64>,
    /// Cap on agent occupancy, 0 < cap ≤ 1.
    pub max_occupancy: Option<f64>,
    /// Cap on the share of callers who abandon, 0..1; needs patience.
    pub max_abandon: Option<f64>,
    /// Average handle time, seconds > 0.
    pub aht_seconds: f64,
    /// Mean caller patience, seconds > 0 (Erlang A when given).
    pub patience_seconds: Option<f64>,
    /// Share of paid time off the phones, 0 ≤ s < 0.95.
    pub shrinkage: f64,
    /// Agents on duty at least whenever open.
    pub min_agents_open: u32,
    /// Which callers the service level is a share of.
    pub sl_definition: SlDefinition,
}

/// The most agents `min_agents_open` may ask for in every open interval.
pub const MAX_AGENTS_OPEN: u32 = 1_000;

/// A broken rule of the service policy: which `[service]` key, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct PolicyError {
    /// The key under `[service]`, e.g. `target_sl`.
    pub key: &'static str,
    pub message: String,
}

impl PolicyError {
    fn new(key: &'static str, message: impl Into<String>) -> Self {
        PolicyError { key, message: message.into() }
    }
}

/// A checked service policy: what staffing, coverage and impact all use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServicePolicy {
    pub goal: ServiceGoal,
    pub aht: Seconds,
    /// `None`: callers never abandon (Erlang C).
    pub patience: Option<Seconds>,
    pub shrinkage: Fraction,
    pub min_agents_open: u32,
}

fn fraction(key: &'static str, v: f64) -> Result<Fraction, PolicyError> {
    Fraction::new(v).map_err(|e| PolicyError::new(key, format!("got {v}, expected {}", e.expected)))
}

/// Seconds within their plausible range (see [`crate::limits`]).
fn seconds(key: &'static str, v: f64, range: &Plausible) -> Result<Seconds, PolicyError> {
    if !range.contains(v) {
        return Err(PolicyError::new(key, format!("got {v}, expected {}", range.expected())));
    }
    Seconds::new(v).map_err(|e| PolicyError::new(key, format!("got {v}, expected {}", e.expected)))
}

impl ServicePolicy {
    /// Check every rule of the policy once.
    pub fn new(v: &ServiceValues) -> Result<ServicePolicy, PolicyError> {
        let target_sl = fraction("target_sl", v.target_sl)?;
        let answer_time = seconds("answer_seconds", v.answer_seconds, &limits::ANSWER_SECONDS)?;
        let aht = seconds("aht_seconds", v.aht_seconds, &limits::AHT_SECONDS)?;
        if aht.get() <= 0.0 {
            return Err(PolicyError::new("aht_seconds", "expected a handle time above 0 seconds"));
        }
        let shrinkage = fraction("shrinkage", v.shrinkage)?;
        if shrinkage.get() >= 0.95 {
            return Err(PolicyError::new(
                "shrinkage",
                format!("got {}, expected shrinkage below 0.95 (a share of paid time, e.g. 0.3)", v.shrinkage),
            ));
        }
        if v.min_agents_open > MAX_AGENTS_OPEN {
            return Err(PolicyError::new(
                "min_agents_open",
                format!(
                    "got {}, expected at most {MAX_AGENTS_OPEN} agents on duty at every open interval",
                    v.min_agents_open
                ),
            ));
        }
        let patience =
            v.patience_seconds.map(|p| seconds("patience_seconds", p, &limits::PATIENCE_SECONDS)).transpose()?;
        if patience.is_some_and(|p| p.get() <= 0.0) {
            return Err(PolicyError::new(
                "patience_seconds",
                "got 0: callers who hang up at once cannot be answered; expected a mean patience above 0 seconds (leave it out for Erlang C)",
            ));
        }
        let max_abandon = v.max_abandon.map(|a| fraction("max_abandon", a)).transpose()?;
        if max_abandon.is_some() && patience.is_none() {
            return Err(PolicyError::new(
                "max_abandon",
                "an abandonment cap needs caller patience: set service.patience_seconds",
            ));
        }
        let goal = ServiceGoal::new(
            target_sl,
            answer_time,
            v.max_asa_seconds.map(|a| seconds("max_asa_seconds", a, &limits::MAX_ASA_SECONDS)).transpose()?,
            v.max_occupancy.map(|o| fraction("max_occupancy", o)).transpose()?,
            max_abandon,
            v.sl_definition,
        )?;
        Ok(ServicePolicy { goal, aht, patience, shrinkage, min_agents_open: v.min_agents_open })
    }

    /// Agents on the phones out of `rostered` on shift, after shrinkage.
    pub fn on_phones(&self, rostered: u32) -> u32 {
        (rostered as f64 * (1.0 - self.shrinkage.get()) + 1e-9).floor() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> ServiceValues {
        ServiceValues {
            target_sl: 0.8,
            answer_seconds: 20.0,
            max_asa_seconds: None,
            max_occupancy: Some(0.9),
            max_abandon: None,
            aht_seconds: 300.0,
            patience_seconds: None,
            shrinkage: 0.3,
            min_agents_open: 1,
            sl_definition: SlDefinition::AllCallers,
        }
    }

    #[test]
    fn each_rule_names_its_key() {
        let bad = |v: ServiceValues| ServicePolicy::new(&v).unwrap_err().key;
        assert_eq!(bad(ServiceValues { target_sl: 1.0, ..values() }), "target_sl");
        assert_eq!(bad(ServiceValues { target_sl: 80.0, ..values() }), "target_sl");
        assert_eq!(bad(ServiceValues { aht_seconds: 0.0, ..values() }), "aht_seconds");
        assert_eq!(bad(ServiceValues { shrinkage: 0.95, ..values() }), "shrinkage");
        assert_eq!(bad(ServiceValues { max_abandon: Some(0.05), ..values() }), "max_abandon");
        assert_eq!(bad(ServiceValues { max_occupancy: Some(0.0), ..values() }), "max_occupancy");
        assert_eq!(bad(ServiceValues { max_asa_seconds: Some(0.0), ..values() }), "max_asa_seconds");
        assert_eq!(bad(ServiceValues { patience_seconds: Some(0.0), ..values() }), "patience_seconds");
        assert_eq!(bad(ServiceValues { min_agents_open: 100_000, ..values() }), "min_agents_open");
        assert!(ServicePolicy::new(&values()).is_ok());
    }

    #[test]
    fn on_phones_floors_after_shrinkage() {
        let p = ServicePolicy::new(&values()).unwrap();
        assert_eq!(p.on_phones(10), 7);
        assert_eq!(p.on_phones(3), 2);
    }
}
