//! From a media plan and channel responses to extra calls per line, day and slot.
//!
//! Each line's uplift is computed on its own (saturation acts on a line's own
//! size), so per-line uplifts add up exactly to the channel and plan totals —
//! marketing can be told what each line does.

use super::response::{ChannelResponse, FlightResponse, SpotResponse};
use crate::config::ChannelKind;
use crate::ingest::media::MediaLine;
use crate::units::IntervalMinutes;
use chrono::{Duration, NaiveDate, Timelike};
use ndarray::Array2;
use std::collections::BTreeMap;

/// The intraday shape of each open day: shares per slot summing to 1 over open
/// slots, 0 where closed. A day absent from the map is closed all day.
#[derive(Debug, Clone)]
pub struct DayShapes {
    pub interval: IntervalMinutes,
    pub by_day: BTreeMap<NaiveDate, Vec<f64>>,
}

impl DayShapes {
    /// The intraday shape of day `d` (each open slot's share), if it opens.
    pub fn get(&self, d: NaiveDate) -> Option<&[f64]> {
        self.by_day.get(&d).map(Vec::as_slice)
    }
    fn is_open(&self, d: NaiveDate, slot: usize) -> bool {
        self.get(d).is_some_and(|s| s.get(slot).is_some_and(|v| *v > 0.0))
    }
}

/// Extra calls of one media line.
#[derive(Debug, Clone, Default)]
pub struct LineUplift {
    /// Index of the line in its plan.
    pub line: usize,
    /// (day, slot, expected extra calls), sorted by day and slot.
    pub cells: Vec<(NaiveDate, usize, f64)>,
    /// Expected calls that would arrive while the centre is closed.
    pub lost_when_closed: f64,
}

impl LineUplift {
    pub fn total(&self) -> f64 {
        self.cells.iter().map(|c| c.2).sum()
    }
    /// The cell with the most extra calls.
    pub fn peak(&self) -> Option<(NaiveDate, usize, f64)> {
        self.cells.iter().copied().fold(None, |best, c| match best {
            Some(b) if b.2 >= c.2 => Some(b),
            _ => Some(c),
        })
    }
}

/// Extra calls of a whole plan, per line.
#[derive(Debug, Clone, Default)]
pub struct Uplift {
    pub lines: Vec<LineUplift>,
}

impl Uplift {
    /// Compute every line's uplift. Lines of channels without a response are
    /// skipped (the caller reports them).
    pub fn compute(lines: &[MediaLine], responses: &BTreeMap<String, ChannelResponse>, shapes: &DayShapes) -> Uplift {
        let lines = lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                let r = responses.get(&l.channel)?;
                let mut u = match (r, l.kind) {
                    (ChannelResponse::Spot(s), _) => spot(l, s, shapes),
                    (ChannelResponse::Daily(f), ChannelKind::Drop) => daily(l, f, shapes, true),
                    (ChannelResponse::Daily(f), _) => daily(l, f, shapes, false),
                };
                u.line = i;
                Some(u)
            })
            .collect();
        Uplift { lines }
    }

    /// Sum of all lines on a days × slots grid (days not listed are ignored).
    pub fn grid(&self, days: &[NaiveDate], slots: usize) -> Array2<f64> {
        self.grid_of(days, slots, |_| true)
    }

    /// Sum of the lines selected by `keep` on a days × slots grid.
    pub fn grid_of(&self, days: &[NaiveDate], slots: usize, keep: impl Fn(usize) -> bool) -> Array2<f64> {
        let idx: BTreeMap<NaiveDate, usize> = days.iter().enumerate().map(|(k, d)| (*d, k)).collect();
        let mut g = Array2::zeros((days.len(), slots));
        for l in self.lines.iter().filter(|l| keep(l.line)) {
            for &(d, s, v) in &l.cells {
                if let Some(&k) = idx.get(&d) {
                    g[[k, s]] += v;
                }
            }
        }
        g
    }
}

/// A spot: the kernel integrated over each slot from air time on.
pub fn spot(l: &MediaLine, r: &SpotResponse, shapes: &DayShapes) -> LineUplift {
    let calls = r.calls_at(l.weight(), l.start.hour(), &l.station);
    let mut u = LineUplift::default();
    if calls <= 0.0 {
        return u;
    }
    let i = shapes.interval.get() as f64;
    let air_day = l.start.date();
    let air = (l.start.hour() * 60 + l.start.minute()) as f64 + l.start.second() as f64 / 60.0;
    let first_slot = (air / i).floor() as i64;
    let horizon = r.kernel.horizon_minutes();
    let mut k = first_slot;
    loop {
        let slot_start = k as f64 * i;
        let (a, b) = (slot_start - air, slot_start + i - air);
        if a > horizon {
            break;
        }
        let v = calls * r.kernel.share(a.max(0.0), b);
        let per_day = shapes.interval.per_day() as i64;
        let day = air_day + Duration::days(k.div_euclid(per_day));
        let s = k.rem_euclid(per_day) as usize;
        if v > 0.0 {
            if shapes.is_open(day, s) {
                u.cells.push((day, s, v));
            } else {
                u.lost_when_closed += v;
            }
        }
        k += 1;
    }
    u
}

/// A flight (spend spread evenly over its days) or a drop (all at send time):
/// adstock per day, saturated, spread by the day's intraday shape.
pub fn daily(l: &MediaLine, r: &FlightResponse, shapes: &DayShapes, drop: bool) -> LineUplift {
    let mut u = LineUplift::default();
    let first = l.start.date();
    let last = if drop { first } else { l.end.map(|e| e.date()).unwrap_or(first).max(first) };
    let active = (last - first).num_days() + 1;
    let per_day = l.spend / 1000.0 / active as f64;
    let n_days = active + r.tail_days() as i64;
    let mut adstock = 0.0;
    let i = shapes.interval.get() as f64;
    let send_minute = (l.start.hour() * 60 + l.start.minute()) as f64;
    let delay = if drop { r.send_kernel() } else { None };
    let curve = if drop { r.send_curve } else { None };
    for k in 0..n_days {
        let day = first + Duration::days(k);
        adstock = if r.delay().is_some() || r.day_weights.is_some() {
            // Delayed or free carry-over: each active day's spend weighted by its lag.
            (0..active.min(k + 1)).map(|j| per_day * r.lag_weight((k - j) as f64)).sum()
        } else {
            adstock * r.carryover + if k < active { per_day } else { 0.0 }
        };
        let calls = r.calls(adstock);
        if calls <= 1e-9 {
            continue;
        }
        let Some(shape) = shapes.get(day) else {
            u.lost_when_closed += calls;
            continue;
        };
        // On a drop's send day, calls can only come after the send, and with
        // a send-day delay they follow it (over the day's shape).
        let weights: Vec<f64> = shape
            .iter()
            .enumerate()
            .map(|(s, w)| {
                if !(drop && k == 0) {
                    return *w;
                }
                let (a, b) = (s as f64 * i - send_minute, (s as f64 + 1.0) * i - send_minute);
                match (&curve, &delay) {
                    (Some(c), _) => w * c.share(a.max(0.0), b.max(0.0)),
                    (None, Some(kernel)) => w * kernel.share(a.max(0.0), b.max(0.0)),
                    (None, None) => w * b.clamp(0.0, i) / i,
                }
            })
            .collect();
        let total: f64 = weights.iter().sum();
        if total <= 0.0 {
            u.lost_when_closed += calls;
            continue;
        }
        for (s, w) in weights.iter().enumerate() {
            if *w > 0.0 {
                u.cells.push((day, s, calls * w / total));
            }
        }
    }
    u
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::media::response::BurstKernel;

    fn line(kind: ChannelKind, start: &str, end: Option<&str>, spend: f64, grps: Option<f64>) -> MediaLine {
        let p = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        MediaLine {
            row: 2,
            id: "L2".into(),
            channel: "x".into(),
            kind,
            start: p(start),
            end: end.map(p),
            spend,
            grps,
            impressions: None,
            audience: None,
            campaign: String::new(),
            station: String::new(),
            creative: String::new(),
        }
    }

    fn shapes(open_from: usize, open_to: usize) -> DayShapes {
        let iv = IntervalMinutes::new(15).unwrap();
        let mut by_day = BTreeMap::new();
        for d in 0..20 {
            let mut v = vec![0.0; 96];
            v[open_from..open_to].fill(1.0 / (open_to - open_from) as f64);
            by_day.insert(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap() + Duration::days(d), v);
        }
        DayShapes { interval: iv, by_day }
    }

    #[test]
    fn spot_burst_lands_in_the_air_interval_and_after() {
        let r = SpotResponse::new(10.0, 1.0, BurstKernel { onset_minutes: 0.5, mu: 4.5f64.ln(), sigma: 1.048 });
        let u = spot(&line(ChannelKind::Spot, "2026-11-23 20:14", None, 0.0, Some(5.0)), &r, &shapes(32, 88));
        let first = u.cells[0];
        assert_eq!(first.1, 80, "20:14 is in the 20:00 slot");
        assert!(first.2 < 1.0, "only a minute of burst in the air slot: {}", first.2);
        assert!(u.cells[1].2 > 20.0, "most calls in the next slot");
        assert!((u.total() + u.lost_when_closed - 50.0 * r.kernel.cdf(r.kernel.horizon_minutes() + 15.0)).abs() < 0.1);
        // Aired at 21:58 with the centre closing at 22:00: most calls are lost.
        let late = spot(&line(ChannelKind::Spot, "2026-11-23 21:58", None, 0.0, Some(5.0)), &r, &shapes(32, 88));
        assert!(late.lost_when_closed > late.total());
    }

    #[test]
    fn flight_carries_over_after_its_end_and_drop_starts_at_send() {
        let r = FlightResponse::new(100.0, 1.0, 0.5);
        let f = daily(
            &line(ChannelKind::Flight, "2026-11-23 00:00", Some("2026-11-24 23:59"), 2000.0, None),
            &r,
            &shapes(32, 88),
            false,
        );
        let day = |d: u32| f.cells.iter().filter(|c| c.0.day0() + 1 == d).map(|c| c.2).sum::<f64>();
        use chrono::Datelike;
        assert!((day(23) - 100.0).abs() < 1e-9);
        assert!((day(24) - 150.0).abs() < 1e-9);
        assert!((day(25) - 75.0).abs() < 1e-9, "carry-over after the flight ends");
        let d = daily(&line(ChannelKind::Drop, "2026-11-23 12:00", None, 1000.0, None), &r, &shapes(32, 88), true);
        assert!(d.cells.iter().filter(|c| c.0.day() == 23).all(|c| c.1 >= 48));
    }
}
