//! Forecast: a calendar-keyed baseline plus the calls each media channel drives.
//!
//! * [`baseline`]: history-only intraday forecast (weekday × intraday shape,
//!   level, trend, season, special days).
//! * [`media`]: channel responses learned from past media plans (TV bursts in
//!   minutes, flight carryover, saturation).
//! * [`count`]: the count likelihood (Poisson / negative binomial) and
//!   prediction intervals.
//! * [`backtest`]: rolling-origin evaluation against simple baselines.

pub mod backtest;
pub mod baseline;
pub mod campaign;
pub mod count;
pub mod insample;
pub mod media;
pub mod predict;
