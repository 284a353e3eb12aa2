//! One resolver for the service values, recording where each came from.
//!
//! `plan`, `forecast`, `impact`, `intraday` and `review` (through
//! [`super::Settings`]) and `ringcast staff` take the same service values from
//! the same kinds of places. Each used to rank those places itself and, for
//! its messages, rebuild a flag's name from the config key. Here the places
//! are typed ([`Source`], carrying the exact flag, variable or key), and the
//! precedence is written once, in [`Source::rank`]:
//!
//! command-line flag > environment variable > config file > learned from the
//! history > built-in default.
//!
//! Every value resolved keeps its [`Source`] ([`Provenance`]), so a broken
//! rule names what the planner wrote (`--target-sl`, `RINGCAST_TARGET_SL`,
//! `service.target_sl`) and a report says whether the handle time was set or
//! learned. The command line tells which flag or variable gave a value; this
//! module never sees the argument parser's types (as in astral-sh/uv, the
//! parsed arguments stay apart from the resolved settings).

use super::GoalScope;
use crate::ingest::queue_stats::Estimate;
use crate::staff::{PolicyError, ServicePolicy, ServiceValues, SlDefinition};
use std::path::{Path, PathBuf};

/// Where a value came from, as exactly as a message needs to name it.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A command-line flag (`--target-sl`).
    Flag { name: String },
    /// An environment variable (`RINGCAST_TARGET_SL`).
    Environment { var: String },
    /// The config file and its key (`service.target_sl`); a key left out is
    /// the file's default for it.
    File { path: PathBuf, key: String },
    /// Read off the history.
    Learned(Estimate),
    /// The built-in default, or (for an optional value) not set at all.
    Default,
}

impl Source {
    /// The config file `path`'s `key` (or its default there).
    pub fn file(path: &Path, key: impl Into<String>) -> Source {
        Source::File { path: path.into(), key: key.into() }
    }

    /// The precedence, the one place it is written: lower wins.
    fn rank(&self) -> u8 {
        match self {
            Source::Flag { .. } => 0,
            Source::Environment { .. } => 1,
            Source::File { .. } => 2,
            Source::Learned(_) => 3,
            Source::Default => 4,
        }
    }

    /// A value set as the planner wrote it: `--goal day (flag)`,
    /// `RINGCAST_GOAL=day (environment)`, `service.goal = day (centre.toml)`.
    pub fn naming(&self, value: &str) -> String {
        match self {
            Source::Flag { name } => format!("{name} {value} (flag)"),
            Source::Environment { var } => format!("{var}={value} (environment)"),
            Source::File { path, key } => format!("{key} = {value} ({})", path.display()),
            Source::Learned(_) => format!("{value} (learned from the history)"),
            Source::Default => format!("{value} (default)"),
        }
    }

    /// Whether the planner gave the value for this run (flag or environment).
    pub fn for_this_run(&self) -> bool {
        matches!(self, Source::Flag { .. } | Source::Environment { .. })
    }
}

/// A value offered for a setting, and where it was offered.
#[derive(Debug, Clone, PartialEq)]
pub struct Given<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Given<T> {
    /// Written on the command line as `name` (`--target-sl`).
    pub fn flag(value: T, name: impl Into<String>) -> Self {
        Given { value, source: Source::Flag { name: name.into() } }
    }
    /// Set by the environment variable `var`.
    pub fn environment(value: T, var: impl Into<String>) -> Self {
        Given { value, source: Source::Environment { var: var.into() } }
    }
    /// Written in the config file `path` under `key` (or its default there).
    pub fn file(value: T, path: &Path, key: impl Into<String>) -> Self {
        Given { value, source: Source::file(path, key) }
    }
    /// Read off the history.
    pub fn learned(value: T, estimate: Estimate) -> Self {
        Given { value, source: Source::Learned(estimate) }
    }
    /// The built-in default.
    pub fn built_in(value: T) -> Self {
        Given { value, source: Source::Default }
    }
}

/// The values offered for one setting, at most one per kind of source.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidates<T>(Vec<Given<T>>);

impl<T> Default for Candidates<T> {
    fn default() -> Self {
        Candidates(Vec::new())
    }
}

impl<T: Copy> Candidates<T> {
    /// Offer a value; it replaces one offered before from the same kind of
    /// source (a second read of the history, say).
    pub fn offer(&mut self, given: Option<Given<T>>) {
        if let Some(g) = given {
            self.0.retain(|o| o.source.rank() != g.source.rank());
            self.0.push(g);
        }
    }

    /// The offer the precedence picks, if any.
    pub fn resolved(&self) -> Option<&Given<T>> {
        self.0.iter().min_by_key(|g| g.source.rank())
    }

    fn value(&self) -> Option<T> {
        self.resolved().map(|g| g.value)
    }

    fn source(&self) -> Source {
        self.resolved().map(|g| g.source.clone()).unwrap_or(Source::Default)
    }
}

/// Every value offered for the service policy and the goal.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceCandidates {
    pub target_sl: Candidates<f64>,
    pub answer_seconds: Candidates<f64>,
    pub aht_seconds: Candidates<f64>,
    pub patience_seconds: Candidates<f64>,
    pub shrinkage: Candidates<f64>,
    pub max_occupancy: Candidates<f64>,
    pub max_asa_seconds: Candidates<f64>,
    pub max_abandon: Candidates<f64>,
    pub min_agents_open: Candidates<u32>,
    pub goal: Candidates<GoalScope>,
    /// Not ranked: only `ringcast staff` sets it, by a flag with a default.
    pub sl_definition: SlDefinition,
}

/// Where each resolved value came from ([`Source::Default`] for an optional
/// value left unset).
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    pub target_sl: Source,
    pub answer_seconds: Source,
    pub aht_seconds: Source,
    pub patience_seconds: Source,
    pub shrinkage: Source,
    pub max_occupancy: Source,
    pub max_asa_seconds: Source,
    pub max_abandon: Source,
    pub min_agents_open: Source,
    pub goal: Source,
}

/// The service values resolved and checked, with where each came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedService {
    pub policy: ServicePolicy,
    pub values: ServiceValues,
    /// `None` when nothing offered a goal (`ringcast staff` without a config).
    pub goal: Option<GoalScope>,
    pub provenance: Provenance,
}

/// Why the service values could not be resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum ResolveError {
    /// Nothing offered a value the policy needs (`target_sl`, …).
    Missing { key: &'static str },
    /// A value broke a rule of the policy.
    Rejected(Rejected),
}

/// A value that broke a rule: its `[service]` key, the value, where it came
/// from, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    pub key: &'static str,
    pub value: Option<f64>,
    pub source: Source,
    pub message: String,
}

/// A `[service]` key as the config file spells it (`service.target_sl`).
pub fn config_key(key: &str) -> String {
    format!("service.{key}")
}

impl ServiceCandidates {
    /// Where each value would come from; never fails, so that what was
    /// learned can be told before a missing or broken value is reported.
    pub fn provenance(&self) -> Provenance {
        Provenance {
            target_sl: self.target_sl.source(),
            answer_seconds: self.answer_seconds.source(),
            aht_seconds: self.aht_seconds.source(),
            patience_seconds: self.patience_seconds.source(),
            shrinkage: self.shrinkage.source(),
            max_occupancy: self.max_occupancy.source(),
            max_asa_seconds: self.max_asa_seconds.source(),
            max_abandon: self.max_abandon.source(),
            min_agents_open: self.min_agents_open.source(),
            goal: self.goal.source(),
        }
    }

    /// Pick each value by the precedence and check the policy once; a broken
    /// rule comes back with the source of the value that broke it.
    pub fn resolve(&self) -> Result<ResolvedService, ResolveError> {
        let values = self.values()?;
        let provenance = self.provenance();
        let policy = ServicePolicy::new(&values).map_err(|e| rejected(e, &values, &provenance))?;
        Ok(ResolvedService { policy, values, goal: self.goal.value(), provenance })
    }

    /// The values picked, the required ones in the order they are reported
    /// missing (handle time, target, answer time).
    fn values(&self) -> Result<ServiceValues, ResolveError> {
        let required = |c: &Candidates<f64>, key| c.value().ok_or(ResolveError::Missing { key });
        Ok(ServiceValues {
            aht_seconds: required(&self.aht_seconds, "aht_seconds")?,
            target_sl: required(&self.target_sl, "target_sl")?,
            answer_seconds: required(&self.answer_seconds, "answer_seconds")?,
            patience_seconds: self.patience_seconds.value(),
            shrinkage: required(&self.shrinkage, "shrinkage")?,
            max_occupancy: self.max_occupancy.value(),
            max_asa_seconds: self.max_asa_seconds.value(),
            max_abandon: self.max_abandon.value(),
            min_agents_open: self.min_agents_open.value().ok_or(ResolveError::Missing { key: "min_agents_open" })?,
            sl_definition: self.sl_definition,
        })
    }
}

/// A policy error with the value it names and where that value came from.
fn rejected(e: PolicyError, v: &ServiceValues, p: &Provenance) -> ResolveError {
    let unknown = Source::Default;
    let (value, source) = match e.key {
        "target_sl" => (Some(v.target_sl), &p.target_sl),
        "answer_seconds" => (Some(v.answer_seconds), &p.answer_seconds),
        "aht_seconds" => (Some(v.aht_seconds), &p.aht_seconds),
        "patience_seconds" => (v.patience_seconds, &p.patience_seconds),
        "shrinkage" => (Some(v.shrinkage), &p.shrinkage),
        "max_occupancy" => (v.max_occupancy, &p.max_occupancy),
        "max_asa_seconds" => (v.max_asa_seconds, &p.max_asa_seconds),
        "max_abandon" => (v.max_abandon, &p.max_abandon),
        "min_agents_open" => (Some(v.min_agents_open as f64), &p.min_agents_open),
        _ => (None, &unknown),
    };
    ResolveError::Rejected(Rejected { key: e.key, value, source: source.clone(), message: e.message })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::queue_stats::CallBasis;

    const PATH: &str = "centre.toml";

    fn estimate(seconds: f64) -> Estimate {
        Estimate { seconds, calls: 1_000.0, basis: CallBasis::Answered }
    }

    /// A file's service values, as `Settings` offers them.
    fn from_file() -> ServiceCandidates {
        let p = Path::new(PATH);
        let mut c = ServiceCandidates::default();
        c.target_sl.offer(Some(Given::file(0.8, p, "service.target_sl")));
        c.answer_seconds.offer(Some(Given::file(20.0, p, "service.answer_seconds")));
        c.aht_seconds.offer(Some(Given::built_in(300.0)));
        c.shrinkage.offer(Some(Given::file(0.3, p, "service.shrinkage")));
        c.min_agents_open.offer(Some(Given::file(0, p, "service.min_agents_open")));
        c.goal.offer(Some(Given::file(GoalScope::Interval, p, "service.goal")));
        c
    }

    #[test]
    fn flag_beats_environment_beats_file_beats_learned_beats_default() {
        let mut aht = Candidates::default();
        aht.offer(Some(Given::built_in(300.0)));
        assert_eq!((aht.value(), aht.source()), (Some(300.0), Source::Default));
        aht.offer(Some(Given::learned(176.0, estimate(176.0))));
        assert_eq!((aht.value(), aht.source()), (Some(176.0), Source::Learned(estimate(176.0))));
        aht.offer(Some(Given::file(200.0, Path::new(PATH), "service.aht_seconds")));
        assert_eq!(aht.value(), Some(200.0));
        assert_eq!(aht.source(), Source::File { path: PATH.into(), key: "service.aht_seconds".into() });
        aht.offer(Some(Given::environment(210.0, "RINGCAST_AHT_SECONDS")));
        assert_eq!(
            (aht.value(), aht.source()),
            (Some(210.0), Source::Environment { var: "RINGCAST_AHT_SECONDS".into() })
        );
        aht.offer(Some(Given::flag(220.0, "--aht-seconds")));
        assert_eq!((aht.value(), aht.source()), (Some(220.0), Source::Flag { name: "--aht-seconds".into() }));
        // The order of offering does not matter: a default offered last still loses.
        aht.offer(Some(Given::built_in(1.0)));
        assert_eq!(aht.value(), Some(220.0));
    }

    #[test]
    fn each_resolved_value_records_its_source() {
        let mut c = from_file();
        c.target_sl.offer(Some(Given::flag(0.9, "--target-sl")));
        c.shrinkage.offer(Some(Given::environment(0.2, "RINGCAST_SHRINKAGE")));
        c.aht_seconds.offer(Some(Given::learned(176.0, estimate(176.0))));
        let r = c.resolve().unwrap();
        assert_eq!((r.values.target_sl, r.values.shrinkage, r.values.aht_seconds), (0.9, 0.2, 176.0));
        assert_eq!(r.policy.aht.get(), 176.0);
        assert_eq!(r.goal, Some(GoalScope::Interval));
        let p = r.provenance;
        assert_eq!(p.target_sl, Source::Flag { name: "--target-sl".into() });
        assert_eq!(p.shrinkage, Source::Environment { var: "RINGCAST_SHRINKAGE".into() });
        assert_eq!(p.aht_seconds, Source::Learned(estimate(176.0)));
        assert_eq!(p.answer_seconds, Source::File { path: PATH.into(), key: "service.answer_seconds".into() });
        assert_eq!((p.patience_seconds, p.max_abandon), (Source::Default, Source::Default), "unset");
    }

    #[test]
    fn a_broken_rule_names_the_flag_variable_or_key_that_set_the_value() {
        let broken_by = |offer: Given<f64>| {
            let mut c = from_file();
            c.target_sl.offer(Some(offer));
            match c.resolve() {
                Err(ResolveError::Rejected(r)) => (r.key, r.value, r.source),
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(
            broken_by(Given::flag(1.2, "--target-sl")),
            ("target_sl", Some(1.2), Source::Flag { name: "--target-sl".into() })
        );
        assert_eq!(
            broken_by(Given::environment(1.2, "RINGCAST_TARGET_SL")).2,
            Source::Environment { var: "RINGCAST_TARGET_SL".into() }
        );
        assert_eq!(
            broken_by(Given::file(80.0, Path::new(PATH), "service.target_sl")).2,
            Source::File { path: PATH.into(), key: "service.target_sl".into() }
        );
        let mut c = from_file();
        c.max_abandon.offer(Some(Given::flag(0.05, "--max-abandon")));
        let Err(ResolveError::Rejected(r)) = c.resolve() else { panic!("a cap without patience") };
        assert_eq!((r.key, r.source), ("max_abandon", Source::Flag { name: "--max-abandon".into() }));
        assert!(r.message.contains("patience"), "{}", r.message);
    }

    #[test]
    fn a_value_nothing_offers_is_missing_by_its_key() {
        let mut c = from_file();
        c.aht_seconds = Candidates::default();
        assert_eq!(c.resolve().unwrap_err(), ResolveError::Missing { key: "aht_seconds" });
    }

    #[test]
    fn sources_name_what_the_planner_wrote() {
        assert_eq!(Source::Flag { name: "--goal".into() }.naming("day"), "--goal day (flag)");
        assert_eq!(
            Source::Environment { var: "RINGCAST_GOAL".into() }.naming("day"),
            "RINGCAST_GOAL=day (environment)"
        );
        let file = Source::File { path: PATH.into(), key: "service.goal".into() };
        assert_eq!(file.naming("day"), "service.goal = day (centre.toml)");
        assert!(!file.for_this_run());
    }
}
