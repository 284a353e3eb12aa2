//! Calls minute by minute inside the intervals a spot's burst falls in.
//!
//! The forecast counts calls per interval; a spot's calls come within
//! minutes of air time, so a 15-minute count hides a burst that fills the
//! lines. Each spot's calls in an interval are spread over its minutes by
//! the channel's learned burst kernel (its share of each minute over its
//! share of the interval), and the interval's other calls evenly: the same
//! interval totals, arriving when the kernel says they do.

use super::media::response::{BurstKernel, ChannelResponse};
use super::media::uplift::LineUplift;
use super::predict::Forecast;
use crate::ingest::media::MediaLine;
use chrono::Timelike;
use std::collections::BTreeMap;

/// Extra calls of one spot per minute of each interval its burst reaches:
/// (interval index in the forecast's period, calls in each minute).
pub type LineMinutes = Vec<(usize, Vec<f64>)>;

/// The spot's calls in each interval of `lu`, spread over its minutes by
/// `kernel` (intervals outside the forecast's days are left out).
pub fn spot_minutes(fc: &Forecast, line: &MediaLine, lu: &LineUplift, kernel: &BurstKernel) -> LineMinutes {
    let per_day = fc.interval.per_day();
    let width = fc.interval.get() as usize;
    let air_day = line.start.date();
    let air = (line.start.hour() * 60 + line.start.minute()) as f64 + line.start.second() as f64 / 60.0;
    lu.cells
        .iter()
        .filter_map(|&(day, slot, calls)| {
            let k = fc.days.iter().position(|d| *d == day)?;
            let start = (day - air_day).num_days() as f64 * 1440.0 + (slot * width) as f64 - air;
            let minutes: Vec<f64> =
                (0..width).map(|m| kernel.share((start + m as f64).max(0.0), start + m as f64 + 1.0)).collect();
            let whole: f64 = minutes.iter().sum();
            (whole > 0.0).then(|| (k * per_day + slot, minutes.iter().map(|s| calls * s / whole).collect()))
        })
        .collect()
}

/// The kernel of a line's channel, where it is a spot channel with a
/// response.
pub fn kernel_of<'a>(line: &MediaLine, responses: &'a BTreeMap<String, ChannelResponse>) -> Option<&'a BurstKernel> {
    match responses.get(&line.channel)? {
        ChannelResponse::Spot(s) => Some(&s.kernel),
        ChannelResponse::Daily(_) => None,
    }
}

/// Every spot's minutes in the forecast's period, by interval: the calls per
/// minute the spots bring (summed over the spots in an interval).
pub fn spots_by_interval(
    fc: &Forecast,
    plan: &[MediaLine],
    responses: &BTreeMap<String, ChannelResponse>,
) -> BTreeMap<usize, Vec<f64>> {
    let mut out: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    for lu in &fc.lines.lines {
        let Some(line) = plan.get(lu.line) else { continue };
        let Some(kernel) = kernel_of(line, responses) else { continue };
        for (t, minutes) in spot_minutes(fc, line, lu, kernel) {
            let acc = out.entry(t).or_insert_with(|| vec![0.0; minutes.len()]);
            for (a, m) in acc.iter_mut().zip(&minutes) {
                *a += m;
            }
        }
    }
    out
}

/// Calls per minute of interval `t` whose expected calls are `total`, with
/// `spots` the spots' calls per minute in it: the rest spread evenly.
pub fn interval_minutes(total: f64, spots: &[f64]) -> Vec<f64> {
    let rest = (total - spots.iter().sum::<f64>()).max(0.0) / spots.len().max(1) as f64;
    spots.iter().map(|s| s + rest).collect()
}

/// Per interval of the period (in series order), the share of its calls in
/// each minute where a spot's burst falls in it; `None` elsewhere (evenly).
pub fn minute_shares(
    fc: &Forecast,
    plan: &[MediaLine],
    responses: &BTreeMap<String, ChannelResponse>,
) -> Vec<Option<Vec<f64>>> {
    let per_day = fc.interval.per_day();
    let mut shares = vec![None; fc.days.len() * per_day];
    for (t, spots) in spots_by_interval(fc, plan, responses) {
        let total = fc.total[[t / per_day, t % per_day]];
        let minutes = interval_minutes(total, &spots);
        let sum: f64 = minutes.iter().sum();
        if sum > 0.0 {
            shares[t] = Some(minutes.iter().map(|m| m / sum).collect());
        }
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ChannelKind;
    use crate::units::IntervalMinutes;
    use chrono::NaiveDate;
    use ndarray::Array2;

    fn forecast(days: &[NaiveDate], per_day_calls: f64) -> Forecast {
        let interval = IntervalMinutes::new(15).unwrap();
        let shape = (days.len(), interval.per_day());
        let total = Array2::from_elem(shape, per_day_calls);
        Forecast {
            interval,
            days: days.to_vec(),
            open: Array2::from_elem(shape, true),
            baseline: total.clone(),
            uplift: BTreeMap::new(),
            lines: Default::default(),
            total: total.clone(),
            lo80: total.clone(),
            hi80: total.clone(),
            lo95: total.clone(),
            hi95: total,
            dispersion_k: f64::INFINITY,
            response_var: Array2::zeros(shape),
            calendar_days: Vec::new(),
        }
    }

    fn spot(at: &str) -> MediaLine {
        MediaLine {
            row: 2,
            id: "L2".into(),
            channel: "tv".into(),
            kind: ChannelKind::Spot,
            start: chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M").unwrap(),
            end: None,
            spend: 1000.0,
            grps: Some(5.0),
            impressions: None,
            audience: None,
            campaign: String::new(),
            station: String::new(),
            creative: String::new(),
        }
    }

    /// A spot at 20:07 with 60 calls in its first interval: they arrive from
    /// its minute on, peaking a few minutes later; the interval keeps its
    /// total and the rest of its calls are spread evenly.
    #[test]
    fn a_spot_fills_the_minutes_after_its_air_time() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let mut fc = forecast(&[day], 10.0);
        let kernel = BurstKernel { onset_minutes: 0.5, mu: 4.5f64.ln(), sigma: 1.048 };
        let line = spot("2026-03-02 20:07");
        let slot = 20 * 4; // 20:00-20:15
        let lu = LineUplift { line: 0, cells: vec![(day, slot, 60.0), (day, slot + 1, 30.0)], lost_when_closed: 0.0 };
        let minutes = spot_minutes(&fc, &line, &lu, &kernel);
        assert_eq!(minutes.len(), 2);
        let (t, first) = &minutes[0];
        assert_eq!(*t, slot);
        assert!((first.iter().sum::<f64>() - 60.0).abs() < 1e-9);
        assert!(first[..7].iter().all(|m| *m == 0.0), "nothing before air time: {first:?}");
        let peak = first.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0;
        assert!((8..=11).contains(&peak), "peak minute {peak}");
        fc.total[[0, slot]] = 75.0;
        let mut responses = BTreeMap::new();
        responses.insert(
            "tv".to_string(),
            ChannelResponse::Spot(crate::forecast::media::response::SpotResponse::new(1.0, 1.0, kernel)),
        );
        fc.lines.lines.push(lu);
        let shares = minute_shares(&fc, &[line], &responses);
        let s = shares[slot].as_ref().expect("the spot's interval has a curve");
        assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((s[0] - 1.0 / 75.0).abs() < 1e-12, "15 other calls spread evenly: {}", s[0]);
        assert!(shares[slot - 1].is_none());
    }
}
