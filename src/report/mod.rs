//! Report: outputs for planners and marketing — CSV, XLSX, PNG charts — written
//! so that a failed run never leaves half-written files.

pub mod atomic;
pub mod centre;
mod chart_kit;
pub mod charts;
pub mod html;
pub mod impact;
pub mod intraday;
pub mod review;
pub mod summary;
pub mod tables;
pub mod weekly;
pub mod workbook;

pub use atomic::Staging;
