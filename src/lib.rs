//! ringcast: how many calls are coming, interval by interval — including the calls
//! marketing's campaigns will cause — and the shift rosters to answer them.
//!
//! The module tree is the pipeline:
//!
//! ```text
//! ingest ──► forecast ──► staff ──► schedule ──► report
//!   │  (history, media plans,   (Erlang C/A)  (good_lp + HiGHS)  (CSV, XLSX, PNG)
//!   │   agents, centre config)
//!   └── synth: sample centre with known ground truth
//! ```
//!
//! [`plan`] runs the whole weekly build; [`impact`] tells marketing what each
//! media-plan line does to the phones.

// `!(x > 0.0)` is how the input checks reject NaN along with the non-positive.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod calendar;
pub mod check;
pub mod cli;
pub mod config;
pub mod error;
pub mod forecast;
pub mod impact;
pub mod ingest;
pub mod plan;
pub mod report;
pub mod schedule;
pub mod staff;
pub mod synth;
pub mod units;
