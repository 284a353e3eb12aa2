//! The one integration-test binary: every test drives the `ringcast` binary.

mod architecture;
mod common;
mod exports;
mod forecast;
mod ingest;
mod intraday;
mod lines;
mod plan;
mod queues;
mod report;
mod review;
mod schedule;
mod skills;
mod staff;
