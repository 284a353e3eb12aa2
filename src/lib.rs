//! ringcast: how many calls are coming, interval by interval — including the calls
//! marketing's campaigns will cause — and the shift rosters to answer them.
//!
//! The module tree is the pipeline ([`pipeline`] composes the stages):
//!
//! ```text
//! settings ─┐
//! ingest ───┴► forecast ──► staff ──► schedule ──► coverage ──► impact ──► report
//!  (files)     (calls)      (Erlang)   (HiGHS)     (projected    (per media   (CSV, XLSX,
//!                                                   service)      line)        PNG)
//! ```
//!
//! [`cli`] is a thin layer over [`pipeline`]; no other module knows the command line.
//! See `docs/architecture.md`.

// `!(x > 0.0)` is how the input checks reject NaN along with the non-positive.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod calendar;
pub mod cli;
pub mod config;
pub mod coverage;
pub mod error;
pub mod forecast;
pub mod impact;
pub mod ingest;
pub mod limits;
pub mod pipeline;
pub mod report;
pub mod review;
pub mod schedule;
pub mod series;
pub mod settings;
pub mod simulate;
pub mod staff;
pub mod synth;
pub mod units;
