//! Forecast: a calendar-keyed baseline plus the calls each media channel drives.
//!
//! * [`baseline`]: the low-rank history-only intraday forecast (SVD of
//!   √(N+¼), weekday medians and AR(1) of the day scores, days after holidays).
//! * [`campaign`]: separates baseline and campaign calls in the history with a
//!   day-level model (weekday level, trend, season, days after closures).
//! * [`holidays`]: the level of reopening days, eves and special days,
//!   learned from the whole history and shrunk toward a documented prior.
//! * [`predict`]: the campaign-aware forecast of a period and its intervals.
//! * [`media`]: channel responses learned from past media plans (TV bursts in
//!   minutes, flight carryover, saturation).
//! * [`count`]: the count likelihood (Poisson / negative binomial) and
//!   prediction intervals.
//! * [`intraday`]: today's calls so far update the rest of today (day
//!   scores, running lines' response, surprises).
//! * [`minutes`]: calls minute by minute where a spot's burst falls (for
//!   lines and busy signals).
//! * [`backtest`]: rolling-origin evaluation against simple baselines.
//! * [`typical`]: what each learned response does for a typical line (the
//!   report's response chart).

pub mod backtest;
pub mod baseline;
pub mod campaign;
pub mod count;
pub mod holidays;
pub mod insample;
pub mod intraday;
pub mod media;
pub mod minutes;
pub mod predict;
pub mod typical;
