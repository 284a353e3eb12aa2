//! Ingest: read user files through polars, validate at the boundary, return typed
//! records. Every error names file, row, column and expectation.

pub mod calls;
pub mod history;
pub mod media;
pub mod table;

pub use history::History;
pub mod agents;
#[cfg(test)]
mod fuzz;
