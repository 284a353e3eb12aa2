//! Two agents recombine their weeks, day by day.
//!
//! An agent above the even share of evenings can rarely hand one evening to
//! an agent below it by a single swap: the taker's early shift the next day
//! breaks the rest after it, the giver's evening the day before breaks the
//! rest before the daytime shift taken in return. Here the two agents keep
//! or swap their shifts on each day, every combination (at most 2⁷ for a
//! week), and take the legal one that costs least: the rest, days and hours
//! of both weeks are checked whole. Where no two weeks can share an evening,
//! three can: [`pass_evenings_along`].

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
            if let Some((gain, wa, wb)) = best_exchange(&weeks, a, b) {
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
                if let Some((_, wa, wb)) = best_exchange(&weeks, a, b) {
                    weeks.set(a, &wa);
                    weeks.set(b, &wb);
                }
            }
        }
    }
    weeks.write(taken);
}

/// Most pairs of weeks a pass of chains weighs, both steps counted: it
/// stops there, the same place on every machine, however many agents are
/// above the share or below their minimum.
const CHAIN_PAIRS: usize = 2_000_000;

/// Partners at the share each agent above it tries a chain through: those
/// whose first step costs least.
const CHAIN_PARTNERS: usize = 400;

/// Colleagues each agent below their minimum tries a chain through: fewer
/// than for evenings, because every agent with hours to spare may end it.
const HOURS_CHAIN_PARTNERS: usize = 40;

/// An agent above the even share of evenings passes one on along a chain
/// of three weeks: a partner at the share takes it (now above), and hands
/// one of its own to an agent below the share, each step a recombination of
/// two weeks. Where the agents below the share start early the day after
/// every evening the agent above could give, and the one above works its
/// evenings on consecutive days, no recombination of two weeks is legal;
/// through a third week it often is.
pub fn pass_evenings_along(inp: &RosterInputs<'_>, taken: &mut [(usize, usize)]) {
    let mut weeks = Weeks::of(inp, taken);
    let evenings_in = |w: &Week| w.iter().filter(|(_, k)| k.is_some_and(|k| inp.is_evening(k))).count() as f64;
    let mut evenings: Vec<f64> = (0..inp.agents.len()).map(|a| evenings_in(&weeks.week_of(a))).collect();
    let of_week =
        |w: &Week| -> Vec<usize> { w.iter().filter_map(|&(_, k)| k.filter(|&k| inp.is_evening(k))).collect() };
    let may_take = |x: usize, shifts: &[usize]| shifts.iter().any(|&k| inp.allowed(&inp.agents[x], k));
    let above: Vec<usize> = (0..inp.agents.len()).filter(|&a| evenings[a] > inp.fair_share).collect();
    let mut pairs = 0usize;
    for a in above {
        let given = of_week(&weeks.week_of(a));
        let at_share: Vec<usize> =
            (0..inp.agents.len()).filter(|&b| b != a && evenings[b] == inp.fair_share && may_take(b, &given)).collect();
        let below: Vec<usize> = (0..inp.agents.len()).filter(|&c| evenings[c] < inp.fair_share).collect();
        let chain = Chain {
            partners: CHAIN_PARTNERS,
            first: &|na, _| evenings_in(na) < evenings[a],
            ends: &|b, nb| {
                let passed = of_week(nb);
                below.iter().copied().filter(|&c| c != a && c != b && may_take(c, &passed)).collect()
            },
            second: &|c, nc| evenings_in(nc) > evenings[c],
        };
        let Some(links) = chain.best(&weeks, a, &at_share, &mut pairs) else { continue };
        for (x, week) in links {
            evenings[x] = evenings_in(&week);
            weeks.set(x, &week);
        }
    }
    weeks.write(taken);
}

/// An agent below their contract minimum takes a shift along a chain of
/// three weeks: a colleague hands them one on a day they are off, and takes
/// one back from a third agent with hours to spare, each step a
/// recombination of two weeks. Where every colleague working the short
/// agent's days off is at their own minimum, no two weeks can mend it (a
/// full-timer left at 28 hours on the 5,000-agent skills centre).
pub fn pass_hours_along(inp: &RosterInputs<'_>, taken: &mut [(usize, usize)]) {
    let mut weeks = Weeks::of(inp, taken);
    let hours_in = |w: &Week| w.iter().filter_map(|&(_, k)| k).map(|k| inp.option(k).paid_hours).sum::<f64>();
    let short = |w: &Weeks<'_, '_>, a: usize| hours_in(&w.week_of(a)) + 1e-9 < inp.agents[a].min_weekly_hours;
    let may_work = |x: usize, w: &Week| w.iter().filter_map(|&(_, k)| k).any(|k| inp.allowed(&inp.agents[x], k));
    let needy: Vec<usize> = (0..inp.agents.len()).filter(|&c| short(&weeks, c)).collect();
    let mut pairs = 0usize;
    for c in needy {
        let hours_c = hours_in(&weeks.week_of(c));
        let colleagues: Vec<usize> =
            (0..inp.agents.len()).filter(|&b| b != c && may_work(c, &weeks.week_of(b))).collect();
        let spare: Vec<usize> = (0..inp.agents.len())
            .filter(|&x| x != c && hours_in(&weeks.week_of(x)) > inp.agents[x].min_weekly_hours + 1e-9)
            .collect();
        let chain = Chain {
            partners: HOURS_CHAIN_PARTNERS,
            first: &|nc, _| hours_in(nc) > hours_c,
            ends: &|b, _| spare.iter().copied().filter(|&x| x != b && may_work(b, &weeks.week_of(x))).collect(),
            second: &|_, _| true,
        };
        let Some(links) = chain.best(&weeks, c, &colleagues, &mut pairs) else { continue };
        for (x, week) in links {
            weeks.set(x, &week);
        }
    }
    weeks.write(taken);
}

/// A chain of three weeks through a middle agent: the first step
/// recombines the fixed agent's week with the middle one's (`first` takes
/// the new weeks of the fixed and middle agents), the second the middle
/// one's new week with an end agent's (`ends` lists them for the middle
/// agent and its new week; `second` takes the end agent and its new week).
struct Chain<'f> {
    /// Most middle agents tried, those whose first step saves most.
    partners: usize,
    first: &'f dyn Fn(&Week, &Week) -> bool,
    ends: &'f dyn Fn(usize, &Week) -> Vec<usize>,
    second: &'f dyn Fn(usize, &Week) -> bool,
}

impl Chain<'_> {
    /// The chain from `fixed` through one of `middles` that saves most,
    /// where any saves anything: the three agents and their new weeks.
    /// Middles are tried in the order of what their first step saves, at
    /// most `partners`; `pairs` counts both steps against [`CHAIN_PAIRS`]
    /// (past it, the best chain found so far).
    fn best(
        &self,
        w: &Weeks<'_, '_>,
        fixed: usize,
        middles: &[usize],
        pairs: &mut usize,
    ) -> Option<[(usize, Week); 3]> {
        let wf = w.week_of(fixed);
        let mut firsts: Vec<(f64, usize, Week, Week)> = Vec::new();
        for &b in middles {
            *pairs += 1;
            if *pairs > CHAIN_PAIRS {
                return None;
            }
            let wb = w.week_of(b);
            if let Some((gain, nf, nb)) = best_recombination(w, (fixed, &wf), (b, &wb), self.first) {
                firsts.push((gain, b, nf, nb));
            }
        }
        firsts.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        firsts.truncate(self.partners);
        let mut best: Option<(f64, [(usize, Week); 3])> = None;
        for (first, b, nf, nb) in firsts {
            for c in (self.ends)(b, &nb) {
                *pairs += 1;
                if *pairs > CHAIN_PAIRS {
                    return best.map(|(_, links)| links);
                }
                let wc = w.week_of(c);
                let Some((second, nb2, nc)) = best_recombination(w, (b, &nb), (c, &wc), &|_, nc| (self.second)(c, nc))
                else {
                    continue;
                };
                let gain = first + second;
                if gain > 1e-9 && best.as_ref().is_none_or(|x| gain > x.0 + 1e-9) {
                    best = Some((gain, [(fixed, nf.clone()), (b, nb2), (c, nc)]));
                }
            }
        }
        best.map(|(_, links)| links)
    }
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
    /// Agent `a`'s week, every day listed.
    fn week_of(&self, a: usize) -> Week {
        (0..self.inp.days.len()).map(|d| (d, self.week[a].get(&d).copied())).collect()
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
fn best_exchange(w: &Weeks<'_, '_>, a: usize, b: usize) -> Option<(f64, Week, Week)> {
    let (wa, wb) = (w.week_of(a), w.week_of(b));
    best_recombination(w, (a, &wa), (b, &wb), &|_, _| true).filter(|x| x.0 > 1e-9)
}

/// The recombination of weeks `wa` (agent `a`'s) and `wb` (`b`'s) that
/// saves most among the legal ones `accept` takes, whatever it saves (less
/// than nothing too); `None` where no recombination is legal and accepted.
fn best_recombination(
    w: &Weeks<'_, '_>,
    (a, wa): (usize, &Week),
    (b, wb): (usize, &Week),
    accept: &dyn Fn(&Week, &Week) -> bool,
) -> Option<(f64, Week, Week)> {
    let inp = w.inp;
    // Days where swapping is allowed for both (each may take the other's shift).
    let may = |x: usize, k: Option<usize>| k.is_none_or(|k| inp.allowed(&inp.agents[x], k));
    let differing: Vec<usize> = (0..wa.len()).filter(|&d| wa[d].1 != wb[d].1).collect();
    let swappable: Vec<usize> = differing.into_iter().filter(|&d| may(a, wb[d].1) && may(b, wa[d].1)).collect();
    if swappable.is_empty() || swappable.len() > MOST_EXCHANGED_DAYS {
        return None;
    }
    let before = w.cost(a, wa)? + w.cost(b, wb)?;
    let swapped = |mask: u32| -> (Week, Week) {
        let (mut na, mut nb) = (wa.clone(), wb.clone());
        for (bit, &d) in swappable.iter().enumerate() {
            if mask & (1 << bit) != 0 {
                na[d].1 = wb[d].1;
                nb[d].1 = wa[d].1;
            }
        }
        (na, nb)
    };
    let mut best: Option<(f64, u32)> = None;
    for mask in 1u32..(1 << swappable.len()) {
        let (na, nb) = swapped(mask);
        let Some(ca) = w.cost(a, &na) else { continue };
        let Some(cb) = w.cost(b, &nb) else { continue };
        let gain = before - ca - cb;
        if best.is_none_or(|x| gain > x.0 + 1e-9) && accept(&na, &nb) {
            best = Some((gain, mask));
        }
    }
    let (gain, mask) = best?;
    let (na, nb) = swapped(mask);
    Some((gain, na, nb))
}

#[cfg(test)]
mod tests {
    use super::super::tests_support::*;
    use super::super::{Agent, SchedulingRules};
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

    /// C (minimum 24 hours) works Wednesday and Thursday, 16 hours; X
    /// (minimum 16) works Monday and Tuesday; Y (no minimum) Wednesday. Y
    /// cannot hand C its Wednesday (C works then), and X cannot spare a day
    /// without falling short itself: no two weeks mend C's hours. Along a
    /// chain they are mended: X hands C its Monday and takes Y's Wednesday.
    #[test]
    fn hours_pass_along_three_weeks_where_no_two_weeks_can_mend_them() {
        let options =
            vec![option(2, 9, 8, 0), option(3, 9, 8, 0), option(0, 9, 8, 0), option(1, 9, 8, 0), option(2, 10, 8, 0)];
        let counts = vec![1; options.len()];
        let mins = [24.0, 16.0, 0.0];
        let agents: Vec<_> =
            (0..3).map(|i| Agent { preferred_start: None, ..agent(i, mins[i], 40.0, 5, 7 * 60, None) }).collect();
        let (days, cfg) = (week_days(), SchedulingRules::default());
        let inp = RosterInputs::new(&options, &counts, &days, PER_DAY, &agents, &cfg);
        let mut taken = vec![(0, 0), (0, 1), (1, 2), (1, 3), (2, 4)];
        let hours = |taken: &[(usize, usize)]| -> Vec<f64> {
            (0..3)
                .map(|a| taken.iter().filter(|&&(x, _)| x == a).map(|&(_, k)| inp.option(k).paid_hours).sum())
                .collect()
        };
        two_weeks_at_a_time(&inp, &mut taken);
        assert_eq!(hours(&taken), vec![16.0, 16.0, 8.0], "two weeks at a time: {taken:?}");
        pass_hours_along(&inp, &mut taken);
        assert_eq!(hours(&taken), vec![24.0, 16.0, 0.0], "{taken:?}");
        every_week_keeps_the_rules(&inp, &taken);
    }

    /// Every exchange of two weeks the roster runs, on three agents.
    fn two_weeks_at_a_time(inp: &RosterInputs<'_>, taken: &mut [(usize, usize)]) {
        share_evenings_by_exchange(inp, taken);
        exchange_within_groups(inp, &[vec![0, 1, 2]], taken);
    }

    fn every_week_keeps_the_rules(inp: &RosterInputs<'_>, taken: &[(usize, usize)]) {
        let w = Weeks::of(inp, taken);
        for a in 0..inp.agents.len() {
            assert!(w.cost(a, &w.week_of(a)).is_some(), "agent {a}'s week keeps the rules: {:?}", w.week_of(a));
        }
    }

    /// A works evenings (14:00-22:00) on Tuesday and Wednesday, B on
    /// Thursday, C none (08:00 every day). Every evening A could hand C is
    /// followed by C's 08:00 start, or A would take an 08:00 start after its
    /// own evening: no recombination of two weeks shares them (with B, A
    /// would only move the extra evening). Along a chain it is shared: B
    /// takes A's Tuesday evening, and hands its Thursday evening to C.
    #[test]
    fn an_evening_passes_along_three_weeks_where_no_two_weeks_can_share_it() {
        let (day, evening, early) = (|d| option(d, 10, 8, 0), |d| option(d, 14, 8, 0), |d| option(d, 8, 8, 0));
        let weeks = [
            [day(0), evening(1), evening(2), day(3)],
            [day(0), day(1), day(2), evening(3)],
            [early(0), early(1), early(2), early(3)],
        ];
        let options: Vec<_> = weeks.iter().flatten().cloned().collect();
        let counts = vec![1; options.len()];
        let agents: Vec<_> =
            (0..3).map(|i| Agent { preferred_start: None, ..agent(i, 0.0, 40.0, 5, 7 * 60, None) }).collect();
        let (days, cfg) = (week_days(), SchedulingRules::default());
        let inp = RosterInputs::new(&options, &counts, &days, PER_DAY, &agents, &cfg);
        assert_eq!(inp.fair_share, 1.0);
        let mut taken: Vec<(usize, usize)> = (0..12).map(|k| (k / 4, k)).collect();
        let evenings = |taken: &[(usize, usize)]| -> Vec<usize> {
            (0..3).map(|a| taken.iter().filter(|&&(x, k)| x == a && inp.is_evening(k)).count()).collect()
        };
        two_weeks_at_a_time(&inp, &mut taken);
        assert_eq!(evenings(&taken), vec![2, 1, 0], "two weeks at a time: {taken:?}");
        pass_evenings_along(&inp, &mut taken);
        assert_eq!(evenings(&taken), vec![1, 1, 1], "{taken:?}");
        every_week_keeps_the_rules(&inp, &taken);
        let mut shifts: Vec<usize> = taken.iter().map(|&(_, k)| k).collect();
        shifts.sort_unstable();
        assert_eq!(shifts, (0..12).collect::<Vec<_>>(), "the same shifts, only the agents changed");
    }
}
