//! An in-sample baseline for learning media responses.
//!
//! To see what a campaign added on a past day we need what that day would have
//! brought without it. A forecasting model answers that question for the future;
//! for a day inside the history the best answer is its neighbours: the mean of
//! the same weekday in the weeks around it (a centred window cancels a linear
//! trend and nearly all of the annual season), per interval, after removing the
//! campaign calls already attributed to them.

use chrono::{Datelike, Duration, NaiveDate};
use ndarray::Array2;
use std::collections::BTreeMap;

/// Same-weekday neighbours' mean per interval, for each day of `days`.
/// `values` is days × slots (NaN = no data). Days with no neighbour with data
/// get NaN cells.
pub fn neighbour_baseline(days: &[NaiveDate], values: &Array2<f64>, half_window_weeks: i64) -> Array2<f64> {
    neighbour_baseline_masked(days, values, None, half_window_weeks)
}

/// Like [`neighbour_baseline`], but neighbour cells flagged in `mask` are not
/// used (e.g. the minutes after a TV spot, whose calls are not baseline).
pub fn neighbour_baseline_masked(
    days: &[NaiveDate],
    values: &Array2<f64>,
    mask: Option<&Array2<bool>>,
    half_window_weeks: i64,
) -> Array2<f64> {
    let index: BTreeMap<NaiveDate, usize> = days.iter().enumerate().map(|(k, d)| (*d, k)).collect();
    let slots = values.ncols();
    let mut out = Array2::from_elem(values.raw_dim(), f64::NAN);
    for (k, d) in days.iter().enumerate() {
        let neighbours: Vec<usize> = (1..=half_window_weeks)
            .flat_map(|w| [*d - Duration::weeks(w), *d + Duration::weeks(w)])
            .filter_map(|n| index.get(&n).copied())
            .collect();
        debug_assert!(neighbours.iter().all(|&j| days[j].weekday() == d.weekday()));
        for s in 0..slots {
            let (mut sum, mut n) = (0.0, 0);
            for &j in &neighbours {
                let v = values[[j, s]];
                if !v.is_nan() && !mask.is_some_and(|m| m[[j, s]]) {
                    sum += v;
                    n += 1;
                }
            }
            if n > 0 {
                out[[k, s]] = sum / n as f64;
            }
        }
        // Days that are open at unusual hours keep their own opening pattern.
        for s in 0..slots {
            if values[[k, s]].is_nan() {
                out[[k, s]] = f64::NAN;
            } else if out[[k, s]].is_nan() {
                out[[k, s]] = values[[k, s]];
            }
        }
    }
    out
}

/// A smooth in-sample baseline: each day's total from a log-linear regression on
/// weekday, trend, annual season (two harmonics) and "first open day after a
/// closure" — smooth in time, so it cannot soak up a campaign's days — spread
/// over the day by the local same-weekday intraday shape.
pub fn smooth_baseline(days: &[NaiveDate], values: &Array2<f64>, half_window_weeks: i64) -> Array2<f64> {
    let n = days.len();
    let totals: Vec<f64> = (0..n).map(|k| values.row(k).iter().filter(|v| !v.is_nan()).sum()).collect();
    let open: std::collections::BTreeSet<u32> = days.iter().map(|d| d.weekday().num_days_from_monday()).collect();
    let present: std::collections::BTreeSet<NaiveDate> = days.iter().copied().collect();
    let weekdays: Vec<u32> = open.iter().copied().collect();
    let first = days.first().copied().unwrap_or_default();
    let features = |d: &NaiveDate| -> Vec<f64> {
        let mut x: Vec<f64> =
            weekdays.iter().map(|w| if d.weekday().num_days_from_monday() == *w { 1.0 } else { 0.0 }).collect();
        let t = (*d - first).num_days() as f64 / 365.25;
        let a = 2.0 * std::f64::consts::PI * d.ordinal() as f64 / 365.25;
        x.extend([t, a.cos(), a.sin(), (2.0 * a).cos(), (2.0 * a).sin()]);
        // First open day after a day this centre would normally be open but was not.
        let prev = *d - Duration::days(1);
        let after_closure =
            open.contains(&prev.weekday().num_days_from_monday()) && !present.contains(&prev) && prev >= first;
        x.push(if after_closure { 1.0 } else { 0.0 });
        x
    };
    let rows: Vec<(Vec<f64>, f64)> =
        days.iter().zip(&totals).filter(|(_, t)| **t > 0.0).map(|(d, t)| (features(d), t.ln())).collect();
    let p = rows.first().map(|r| r.0.len()).unwrap_or(0);
    let local = neighbour_baseline(days, values, half_window_weeks);
    if rows.len() < p + 5 {
        return local;
    }
    let x = nalgebra::DMatrix::from_fn(rows.len(), p, |i, j| rows[i].0[j]);
    let y = nalgebra::DVector::from_fn(rows.len(), |i, _| rows[i].1);
    // Ridge-stabilised normal equations (a feature can be all-zero, e.g. no closures).
    let xtx = x.transpose() * &x + nalgebra::DMatrix::identity(p, p) * 1e-6;
    let Some(beta) = xtx.cholesky().map(|c| c.solve(&(x.transpose() * &y))) else {
        return local;
    };
    let resid: Vec<f64> = (0..rows.len()).map(|i| y[i] - (x.row(i) * &beta)[0]).collect();
    let smear = resid.iter().map(|r| r.exp()).sum::<f64>() / resid.len() as f64;
    let mut out = Array2::from_elem(values.raw_dim(), f64::NAN);
    for (k, d) in days.iter().enumerate() {
        let f = features(d);
        let level = f.iter().zip(beta.iter()).map(|(a, b)| a * b).sum::<f64>().exp() * smear;
        let row = local.row(k);
        let shape_total: f64 = row.iter().filter(|v| !v.is_nan()).sum();
        for s in 0..values.ncols() {
            if !row[s].is_nan() && shape_total > 0.0 {
                out[[k, s]] = level * row[s] / shape_total;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_of_same_weekday_neighbours_excluding_the_day() {
        let d0 = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let days: Vec<NaiveDate> = (0..5).map(|w| d0 + Duration::weeks(w)).collect();
        let mut v = Array2::from_elem((5, 2), 10.0);
        v[[2, 0]] = 100.0; // a campaign day
        v[[4, 1]] = f64::NAN;
        let b = neighbour_baseline(&days, &v, 2);
        assert_eq!(b[[2, 0]], 10.0, "the day's own spike is not its baseline");
        assert_eq!(b[[0, 0]], (10.0 + 100.0) / 2.0);
        assert!(b[[4, 1]].is_nan());
    }
}
