//! Ingest: read user files through polars, validate at the boundary, return typed
//! records. Every error names file, row, column and expectation.

pub mod actuals;
pub mod as_run;
pub mod calls;
pub mod grid;
pub mod history;
pub mod media;
pub mod plan_files;
pub mod queue_stats;
pub mod requirements;
pub mod table;
pub mod week_actuals;

pub use grid::History;
pub mod agents;
#[cfg(test)]
mod fuzz;
