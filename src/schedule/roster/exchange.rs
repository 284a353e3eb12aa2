//! Two agents recombine their weeks, day by day.
//!
//! An agent above the even share of evenings can rarely hand one evening to
//! an agent below it by a single swap: the taker's early shift the next day
//! breaks the rest after it, the giver's evening the day before breaks the
//! rest before the daytime shift taken in return. Here the two agents keep
//! or swap their shifts on each day, every combination (at most 2⁷ for a
//! week), and take the legal one that costs least: the rest, days and hours
//! of both weeks are checked whole.

use super::{RosterInputs, EXTRA_EVENING_COST, SHORT_HOUR_COST};
use std::collections::BTreeMap;

/// Most pairs of agents the exchanges may weigh: they stop there, the same
/// place on every machine.
const EXCHANGE_PAIRS: usize = 2_000_000;

/// Agents above the even share of evenings exchange days with agents below
/// it, where that lowers the two weeks' cost (preferences, evenings, hours
/// short): each such agent with the partner that saves most.
pub fn share_evenings_by_exchange(inp: &RosterInputs<'_>, taken: &mut [(usize, usize)]) {
    let mut weeks = Weeks::of(inp, taken);
    let evenings = |w: &Weeks, a: usize| w.week[a].values().filter(|&&k| inp.is_evening(k)).count() as f64;
    let above: Vec<usize> = (0..inp.agents.len()).filter(|&a| evenings(&weeks, a) > inp.fair_share).collect();
    let mut pairs = 0usize;
    for a in above {
        let below: Vec<usize> = (0..inp.agents.len()).filter(|&b| evenings(&weeks, b) < inp.fair_share).collect();
        let mut best: Option<(f64, usize, Week, Week)> = None;
        for b in below {
            pairs += 1;
            if pairs > EXCHANGE_PAIRS {
                break;
            }
            if let Some((gain, wa, wb)) = best_exchange(inp, &weeks, a, b) {
                if best.as_ref().is_none_or(|x| gain > x.0 + 1e-9) {
                    best = Some((gain, b, wa, wb));
                }
            }
        }
        if let Some((_, b, wa, wb)) = best {
            weeks.set(a, &wa);
            weeks.set(b, &wb);
        }
    }
    weeks.write(taken);
}

/// Most days two weeks may differ on for their 2ⁿ recombinations to be
/// weighed (a week has seven).
const MOST_EXCHANGED_DAYS: usize = 10;

/// Most pairs the exchanges within groups may weigh.
const GROUP_EXCHANGE_PAIRS: usize = 4_000_000;

/// Every two agents of a group (the same hard rules) recombine their weeks
/// where that lowers the two weeks' cost, a pass over each group's pairs:
/// what the same-day swaps miss, a shift moved to a member off that day
/// together with the days around it.
pub fn exchange_within_groups(inp: &RosterInputs<'_>, groups: &[Vec<usize>], taken: &mut [(usize, usize)]) {
    let mut weeks = Weeks::of(inp, taken);
    let mut pairs = 0usize;
    'all: for members in groups {
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                pairs += 1;
                if pairs > GROUP_EXCHANGE_PAIRS {
                    break 'all;
                }
                if let Some((_, wa, wb)) = best_exchange(inp, &weeks, a, b) {
                    weeks.set(a, &wa);
                    weeks.set(b, &wb);
                }
            }
        }
    }
    weeks.write(taken);
}

/// Each agent's week: used option per day.
struct Weeks<'a, 'b> {
    inp: &'a RosterInputs<'b>,
    week: Vec<BTreeMap<usize, usize>>,
}

impl<'a, 'b> Weeks<'a, 'b> {
    fn of(inp: &'a RosterInputs<'b>, taken: &[(usize, usize)]) -> Self {
        let mut week = vec![BTreeMap::new(); inp.agents.len()];
        for &(a, k) in taken {
            week[a].insert(inp.option(k).day, k);
        }
        Weeks { inp, week }
    }
    fn set(&mut self, a: usize, days: &[(usize, Option<usize>)]) {
        self.week[a] = days.iter().filter_map(|&(d, k)| k.map(|k| (d, k))).collect();
    }
    /// The weeks back as (agent, used option) pairs, in the slots they held:
    /// the same shifts, only the agents changed.
    fn write(&self, taken: &mut [(usize, usize)]) {
        let mut by_option: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (a, days) in self.week.iter().enumerate() {
            for &k in days.values() {
                by_option.entry(k).or_default().push(a);
            }
        }
        for slot in taken.iter_mut() {
            let agents = by_option.get_mut(&slot.1).expect("every shift still worked");
            slot.0 = agents.pop().expect("as many agents as shifts");
        }
    }
    /// What agent `a`'s week costs (preferences, evenings above the share,
    /// hours short), `None` where it breaks their rest, days or hours (the
    /// caller has checked each shift is one they may work).
    fn cost(&self, a: usize, days: &[(usize, Option<usize>)]) -> Option<f64> {
        let (inp, ag) = (self.inp, &self.inp.agents[a]);
        let (mut hours, mut worked, mut evenings, mut preferences) = (0.0, 0u32, 0.0, 0.0);
        let mut previous: Option<usize> = None;
        for &(_, k) in days {
            let Some(k) = k else {
                previous = None;
                continue;
            };
            if previous.is_some_and(|p| inp.too_close(p, k)) {
                return None;
            }
            hours += inp.option(k).paid_hours;
            worked += 1;
            evenings += if inp.is_evening(k) { 1.0 } else { 0.0 };
            preferences += inp.preference_cost(ag, k);
            previous = Some(k);
        }
        if worked > ag.max_days || hours > ag.max_weekly_hours + 1e-9 {
            return None;
        }
        Some(
            preferences
                + EXTRA_EVENING_COST * (evenings - inp.fair_share).max(0.0)
                + SHORT_HOUR_COST * (ag.min_weekly_hours - hours).max(0.0),
        )
    }
}

/// An agent's week as (day, used option worked that day).
type Week = Vec<(usize, Option<usize>)>;

/// The best recombination of agents `a`'s and `b`'s weeks (each day kept or
/// swapped) and what it saves, where it saves anything.
fn best_exchange(inp: &RosterInputs<'_>, w: &Weeks<'_, '_>, a: usize, b: usize) -> Option<(f64, Week, Week)> {
    let days = inp.days.len();
    let of = |x: usize| -> Week { (0..days).map(|d| (d, w.week[x].get(&d).copied())).collect() };
    let (wa, wb) = (of(a), of(b));
    // Days where swapping is allowed for both (each may take the other's shift).
    let may = |x: usize, k: Option<usize>| k.is_none_or(|k| inp.allowed(&inp.agents[x], k));
    let differing: Vec<usize> = (0..days).filter(|&d| wa[d].1 != wb[d].1).collect();
    let swappable: Vec<usize> = differing.into_iter().filter(|&d| may(a, wb[d].1) && may(b, wa[d].1)).collect();
    if swappable.is_empty() || swappable.len() > MOST_EXCHANGED_DAYS {
        return None;
    }
    let before = w.cost(a, &wa)? + w.cost(b, &wb)?;
    let (mut na, mut nb) = (wa.clone(), wb.clone());
    let mut best: Option<(f64, u32)> = None;
    for mask in 1u32..(1 << swappable.len()) {
        for (bit, &d) in swappable.iter().enumerate() {
            let swap = mask & (1 << bit) != 0;
            na[d].1 = if swap { wb[d].1 } else { wa[d].1 };
            nb[d].1 = if swap { wa[d].1 } else { wb[d].1 };
        }
        let Some(ca) = w.cost(a, &na) else { continue };
        let Some(cb) = w.cost(b, &nb) else { continue };
        let gain = before - ca - cb;
        if gain > 1e-9 && best.is_none_or(|x| gain > x.0 + 1e-9) {
            best = Some((gain, mask));
        }
    }
    let (gain, mask) = best?;
    for (bit, &d) in swappable.iter().enumerate() {
        if mask & (1 << bit) != 0 {
            na[d].1 = wb[d].1;
            nb[d].1 = wa[d].1;
        } else {
            na[d].1 = wa[d].1;
            nb[d].1 = wb[d].1;
        }
    }
    Some((gain, na, nb))
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::*;
    use super::super::SchedulingRules;
    use super::*;

    /// A (preferring 14:00) works evenings on Monday and Wednesday around a
    /// late day on Tuesday; B (preferring 08:00) works early on Monday and
    /// Tuesday. Neither day's swap alone is legal (an evening followed by
    /// an 08:00 start breaks the 11 hours' rest), swapping both days is: A
    /// ends with one evening, B with one.
    #[test]
    fn two_agents_recombine_their_days_where_no_single_swap_is_legal() {
        let options =
            vec![option(0, 14, 8, 0), option(1, 12, 8, 0), option(2, 14, 8, 0), option(0, 8, 8, 0), option(1, 8, 8, 0)];
        let counts = vec![1; options.len()];
        let mut agents = vec![agent(0, 24.0, 40.0, 5, 7 * 60, None), agent(1, 16.0, 40.0, 5, 7 * 60, None)];
        agents[0].preferred_start = Some(14 * 60);
        agents[1].preferred_start = Some(8 * 60);
        let (days, cfg) = (week_days(), SchedulingRules::default());
        let inp = RosterInputs::new(&options, &counts, &days, PER_DAY, &agents, &cfg);
        assert_eq!(inp.fair_share, 1.0);
        let mut taken = vec![(0, 0), (0, 1), (0, 2), (1, 3), (1, 4)];
        let evenings =
            |taken: &[(usize, usize)], a: usize| taken.iter().filter(|&&(x, k)| x == a && inp.is_evening(k)).count();
        assert_eq!((evenings(&taken, 0), evenings(&taken, 1)), (2, 0));
        share_evenings_by_exchange(&inp, &mut taken);
        assert_eq!((evenings(&taken, 0), evenings(&taken, 1)), (1, 1), "{taken:?}");
        let w = Weeks::of(&inp, &taken);
        for a in 0..2 {
            let week: Week = (0..days.len()).map(|d| (d, w.week[a].get(&d).copied())).collect();
            assert!(w.cost(a, &week).is_some(), "agent {a}'s week keeps the rest: {week:?}");
        }
        let mut shifts: Vec<usize> = taken.iter().map(|&(_, k)| k).collect();
        shifts.sort_unstable();
        assert_eq!(shifts, vec![0, 1, 2, 3, 4], "the same shifts, only the agents changed");
    }
}
