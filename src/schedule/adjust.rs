//! Same-day roster adjustments: who could stay on or come in early where the
//! rest of the day is short of agents, who could come in though not rostered
//! today, and who could go home early where it has more than it needs.
//!
//! Greedy, one offer at a time: the overtime or call-in that covers the most
//! short agent-intervals first, then the time off that frees the most surplus ones.
//! Every offer keeps the agent's contract (weekly maximum hours, daily window
//! in agents.csv), the rest between shifts (`min_rest_hours`), the opening
//! hours and the day's overtime cap, and starts no earlier than now.

use crate::calendar::slot_time;
use crate::schedule::roster::Agent;
use crate::units::IntervalMinutes;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde::Serialize;

/// One shift of a plan's roster.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterShift {
    /// Spreadsheet row, for messages.
    pub row: usize,
    /// `None` for a shift no agent could take (`UNFILLED`).
    pub agent_id: Option<String>,
    pub name: String,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub breaks: Vec<(NaiveDateTime, NaiveDateTime)>,
    pub paid_hours: f64,
    pub family: String,
    /// The queue the shift answers (a centre roster of `plan --all-queues`).
    pub queue: Option<String>,
}

impl RosterShift {
    /// Whether the shift answers `queue`: every shift does, except in a
    /// centre roster (`plan --all-queues`, a queue per shift), only that queue's.
    pub fn answers(&self, queue: Option<&str>) -> bool {
        match (&self.queue, queue) {
            (Some(q), Some(w)) => q == w,
            _ => true,
        }
    }

    /// Whether the agent is on the phones' side of the shift at `t` (on shift, not on a break).
    pub fn on_shift_at(&self, t: NaiveDateTime) -> bool {
        t >= self.start && t < self.end && !self.breaks.iter().any(|(a, b)| t >= *a && t < *b)
    }
}

/// What kind of change an offer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// Stay on after the shift's end.
    Extend,
    /// Start before the shift's start.
    StartEarly,
    /// Go home before the shift's end (voluntary time off).
    LeaveEarly,
    /// Come in today though not rostered (within availability, weekly
    /// maximum, days a week, rest and the overtime cap).
    CallIn,
}

impl ActionKind {
    pub fn label(self) -> &'static str {
        match self {
            ActionKind::Extend => "extend",
            ActionKind::StartEarly => "start_early",
            ActionKind::LeaveEarly => "leave_early",
            ActionKind::CallIn => "call_in",
        }
    }
}

/// One offer to one agent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    pub agent_id: String,
    pub name: String,
    pub kind: ActionKind,
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
}

impl Action {
    pub fn hours(&self) -> f64 {
        (self.to - self.from).num_minutes() as f64 / 60.0
    }
}

/// The day as the adjustments see it, per slot of the day.
pub struct DayNeeds<'a> {
    pub day: NaiveDate,
    pub interval: IntervalMinutes,
    /// The first slot still to come.
    pub at: usize,
    pub open: &'a [bool],
    /// Agents to roster per slot (with shrinkage).
    pub required: &'a [u32],
    /// Agents rostered per slot (on shift, not on a break).
    pub rostered: &'a [u32],
}

/// The rules the offers keep.
pub struct OfferRules<'a> {
    pub min_rest_hours: f64,
    /// Most overtime offered to one agent today, hours.
    pub max_overtime_hours: f64,
    /// Shortest offer worth making, slots.
    pub min_slots: usize,
    /// Contracts by agent id, when the agents file is known.
    pub agents: Option<&'a [Agent]>,
    /// In a centre roster (shifts with queues), the queue whose agents get
    /// offers; every shift still counts for rest and weekly hours.
    pub queue: Option<&'a str>,
}

/// The offers, and agents rostered per slot once they are all taken.
#[derive(Debug, Clone)]
pub struct Offers {
    pub actions: Vec<Action>,
    pub rostered_after: Vec<u32>,
}

impl DayNeeds<'_> {
    fn time(&self, slot: usize) -> NaiveDateTime {
        slot_time(self.day, slot, self.interval)
    }

    fn midnight(&self) -> NaiveDateTime {
        self.time(0)
    }

    /// The slot `t` falls in (may be beyond the day).
    fn slot(&self, t: NaiveDateTime) -> i64 {
        (t - self.midnight()).num_minutes().div_euclid(self.interval.get() as i64)
    }

    fn future(&self, slot: usize) -> bool {
        slot >= self.at && slot < self.open.len() && self.open[slot]
    }
}

/// Overtime where the rest of the day is short, then time off where it has
/// more than it needs. `shifts` is the whole week's roster (rest rules look
/// at the days around).
pub fn offers(day: &DayNeeds<'_>, shifts: &[RosterShift], rules: &OfferRules<'_>) -> Offers {
    let n = day.open.len();
    let mut rostered = day.rostered.to_vec();
    let today: Vec<&RosterShift> =
        shifts.iter().filter(|s| s.agent_id.is_some() && s.start < day.time(n) && s.end > day.midnight()).collect();
    let mut actions = Vec::new();
    let mut used: Vec<(String, ActionKind)> = Vec::new();
    loop {
        let short = |t: usize| day.future(t) && rostered[t] < day.required[t];
        let best = today
            .iter()
            .flat_map(|s| {
                [
                    overtime(day, s, shifts, rules, ActionKind::Extend, &short),
                    overtime(day, s, shifts, rules, ActionKind::StartEarly, &short),
                ]
            })
            .flatten()
            .chain(call_ins(day, &today, shifts, rules, &short))
            .filter(|(a, _)| !used.iter().any(|(id, k)| *id == a.agent_id && *k == a.kind))
            .filter(|(a, _)| a.kind != ActionKind::CallIn || !used.iter().any(|(id, _)| *id == a.agent_id))
            .max_by(|(a, ga), (b, gb)| {
                ga.cmp(gb).then_with(|| b.agent_id.cmp(&a.agent_id)).then_with(|| b.from.cmp(&a.from))
            });
        let Some((action, slots)) = best else { break };
        if slots < rules.min_slots {
            break;
        }
        for t in slots_of(day, &action) {
            rostered[t] += 1;
        }
        used.push((action.agent_id.clone(), action.kind));
        actions.push(action);
    }
    // Time off only where the day's goal still holds without those hours:
    // not while any interval to come is short after the overtime and call-ins.
    let still_short = (0..n).any(|t| day.future(t) && rostered[t] < day.required[t]);
    if !still_short {
        time_off_offers(day, &today, rules, &mut rostered, &mut actions);
    }
    Offers { actions, rostered_after: rostered }
}

/// Time off, greedily, where every interval to the end of a shift has a spare agent.
fn time_off_offers(
    day: &DayNeeds<'_>,
    today: &[&RosterShift],
    rules: &OfferRules<'_>,
    rostered: &mut [u32],
    actions: &mut Vec<Action>,
) {
    loop {
        let spare = |t: usize| day.future(t) && rostered[t] > day.required[t];
        let best = today
            .iter()
            .filter(|s| !actions.iter().any(|a| Some(&a.agent_id) == s.agent_id.as_ref()))
            .filter_map(|s| time_off(day, s, &spare))
            .max_by(|(a, ga), (b, gb)| ga.cmp(gb).then_with(|| b.agent_id.cmp(&a.agent_id)));
        let Some((action, slots)) = best else { break };
        if slots.len() < rules.min_slots {
            break;
        }
        for t in slots {
            rostered[t] -= 1;
        }
        actions.push(action);
    }
}

/// The slots of the day an action adds to the shift.
fn slots_of(day: &DayNeeds<'_>, a: &Action) -> Vec<usize> {
    let (s, e) = (day.slot(a.from).max(0) as usize, day.slot(a.to).max(0) as usize);
    (s..e.min(day.open.len())).collect()
}

/// The longest stretch of short slots right after (`Extend`) or before
/// (`StartEarly`) the shift that the agent may work, and how many short slots it covers.
fn overtime(
    day: &DayNeeds<'_>,
    s: &RosterShift,
    shifts: &[RosterShift],
    rules: &OfferRules<'_>,
    kind: ActionKind,
    short: &dyn Fn(usize) -> bool,
) -> Option<(Action, usize)> {
    let id = s.agent_id.clone()?;
    let agent = rules.agents.and_then(|a| a.iter().find(|x| x.id == id));
    let cap_slots = (rules.max_overtime_hours * 60.0 / day.interval.get() as f64).floor() as i64;
    let weekly: f64 = shifts.iter().filter(|x| x.agent_id.as_deref() == Some(id.as_str())).map(|x| x.paid_hours).sum();
    let room_slots = agent.map_or(i64::MAX, |a| {
        ((a.max_weekly_hours - weekly).max(0.0) * 60.0 / day.interval.get() as f64).floor() as i64
    });
    let rest = Duration::minutes((rules.min_rest_hours * 60.0).round() as i64);
    let limit = cap_slots.min(room_slots);
    // Walk away from the shift (after its end, or before its start) while the
    // slot is short and the agent may work it.
    let (first, step) = match kind {
        ActionKind::Extend => (day.slot(s.end), 1),
        ActionKind::StartEarly => (day.slot(s.start) - 1, -1),
        ActionKind::LeaveEarly | ActionKind::CallIn => return None,
    };
    let next_start = shifts.iter().filter(|x| x.agent_id == s.agent_id && x.start > s.end).map(|x| x.start).min();
    let prev_end = shifts.iter().filter(|x| x.agent_id == s.agent_id && x.end < s.start).map(|x| x.end).max();
    let may_work = |t: i64| {
        if t < 0 {
            return false;
        }
        let (from, to) = (day.time(t as usize), day.time(t as usize + 1));
        let in_window = agent.is_none_or(|a| {
            minutes_of(from, day) >= a.earliest_start as i64 && minutes_of(to, day) <= a.latest_end as i64
        });
        let rested = next_start.is_none_or(|n| n - to >= rest) && prev_end.is_none_or(|p| from - p >= rest);
        in_window && rested && short(t as usize)
    };
    let slots = (0..limit.max(0)).take_while(|&i| may_work(first + step * i)).count() as i64;
    if slots == 0 {
        return None;
    }
    let (from, to) = match kind {
        ActionKind::Extend => (s.end, day.time((first + slots) as usize)),
        _ => (day.time((first - slots + 1) as usize), s.start),
    };
    Some((Action { agent_id: id, name: s.name.clone(), kind, from, to }, slots as usize))
}

/// For each agent not rostered today who may work today, the longest run of
/// short slots within their daily window, the rest around their other
/// shifts, their weekly room and the overtime cap; how many short slots it covers.
fn call_ins(
    day: &DayNeeds<'_>,
    today: &[&RosterShift],
    shifts: &[RosterShift],
    rules: &OfferRules<'_>,
    short: &dyn Fn(usize) -> bool,
) -> Vec<(Action, usize)> {
    use chrono::Datelike;
    let Some(agents) = rules.agents else { return vec![] };
    let rest = Duration::minutes((rules.min_rest_hours * 60.0).round() as i64);
    let step = day.interval.get() as f64;
    let cap_slots = (rules.max_overtime_hours * 60.0 / step).floor() as usize;
    agents
        .iter()
        .filter(|a| a.days.contains(&day.day.weekday()))
        .filter(|a| rules.queue.is_none_or(|q| a.queue_names.is_empty() || a.queue_names.iter().any(|x| x == q)))
        .filter(|a| !today.iter().any(|s| s.agent_id.as_deref() == Some(a.id.as_str())))
        .filter_map(|a| {
            let mine: Vec<&RosterShift> =
                shifts.iter().filter(|s| s.agent_id.as_deref() == Some(a.id.as_str())).collect();
            let days: std::collections::BTreeSet<NaiveDate> = mine.iter().map(|s| s.start.date()).collect();
            if days.len() as u32 >= a.max_days {
                return None;
            }
            let weekly: f64 = mine.iter().map(|s| s.paid_hours).sum();
            let room = ((a.max_weekly_hours - weekly).max(0.0) * 60.0 / step).floor() as usize;
            let limit = cap_slots.min(room);
            let may_work = |t: usize| {
                let (from, to) = (day.time(t), day.time(t + 1));
                minutes_of(from, day) >= a.earliest_start as i64
                    && minutes_of(to, day) <= a.latest_end as i64
                    && mine.iter().all(|s| s.end + rest <= from || to + rest <= s.start)
                    && short(t)
            };
            let mut best: Option<(usize, usize)> = None;
            let mut t = day.at;
            while t < day.open.len() {
                let run = (t..day.open.len()).take(limit).take_while(|&u| may_work(u)).count();
                if run > best.map_or(0, |b| b.1) {
                    best = Some((t, run));
                }
                t += run.max(1);
            }
            let (from, slots) = best?;
            Some((
                Action {
                    agent_id: a.id.clone(),
                    name: a.name.clone(),
                    kind: ActionKind::CallIn,
                    from: day.time(from),
                    to: day.time(from + slots),
                },
                slots,
            ))
        })
        .collect()
}

/// Minutes after the day's midnight.
fn minutes_of(t: NaiveDateTime, day: &DayNeeds<'_>) -> i64 {
    (t - day.midnight()).num_minutes()
}

/// The earliest time from which the agent could go home with every slot of
/// the rest of the shift spare; the slots it frees.
fn time_off(day: &DayNeeds<'_>, s: &RosterShift, spare: &dyn Fn(usize) -> bool) -> Option<(Action, Vec<usize>)> {
    let id = s.agent_id.clone()?;
    let on: Vec<usize> = (day.at..day.open.len()).filter(|&t| s.on_shift_at(day.time(t))).collect();
    let last = day.slot(s.end) - 1;
    if on.is_empty() || last >= day.open.len() as i64 {
        return None; // the shift runs past midnight: leave it to the next day
    }
    // The longest spare tail of the shift.
    let keep = on.iter().rposition(|&t| !spare(t)).map_or(0, |p| p + 1);
    let freed = on[keep..].to_vec();
    let from = day.time(*freed.first()?).max(s.start);
    Some((Action { agent_id: id, name: s.name.clone(), kind: ActionKind::LeaveEarly, from, to: s.end }, freed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::roster::tests_support::agent;
    use chrono::NaiveDate;

    const DAY: (i32, u32, u32) = (2026, 11, 27);

    fn at(d: i64, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(DAY.0, DAY.1, DAY.2).unwrap().and_hms_opt(h, m, 0).unwrap() + Duration::days(d)
    }

    fn shift(id: &str, d: i64, from: (u32, u32), to: (u32, u32), hours: f64) -> RosterShift {
        RosterShift {
            row: 2,
            agent_id: Some(id.into()),
            name: id.into(),
            start: at(d, from.0, from.1),
            end: at(d, to.0, to.1),
            breaks: vec![],
            paid_hours: hours,
            family: "f".into(),
            queue: None,
        }
    }

    /// Agents rostered per 15-minute slot of the day.
    fn rostered(shifts: &[RosterShift]) -> Vec<u32> {
        (0..96)
            .map(|j| shifts.iter().filter(|s| s.on_shift_at(at(0, 0, 0) + Duration::minutes(15 * j))).count() as u32)
            .collect()
    }

    fn offers_for(required: &[u32], shifts: &[RosterShift], agents: &[Agent], now: usize) -> Offers {
        let open: Vec<bool> = (0..96).map(|j| (32..88).contains(&j)).collect();
        let r = rostered(shifts);
        let day = DayNeeds {
            day: at(0, 0, 0).date(),
            interval: IntervalMinutes::new(15).unwrap(),
            at: now,
            open: &open,
            required,
            rostered: &r,
        };
        let rules = OfferRules {
            min_rest_hours: 11.0,
            max_overtime_hours: 2.0,
            min_slots: 2,
            agents: Some(agents),
            queue: None,
        };
        offers(&day, shifts, &rules)
    }

    #[test]
    fn overtime_covers_the_gap_within_contract_rest_and_cap() {
        // Short by one agent 17:00–20:00, all three on 09:00–17:00. A0 may work
        // until 18:00 (its window), A1 has no weekly room left, A2 starts at
        // 06:00 tomorrow and so must stop by 19:00 (11 hours' rest).
        let shifts = vec![
            shift("A0", 0, (9, 0), (17, 0), 8.0),
            shift("A1", 0, (9, 0), (17, 0), 8.0),
            shift("A2", 0, (9, 0), (17, 0), 8.0),
            shift("A2", 1, (6, 0), (14, 0), 8.0),
        ];
        let mut agents =
            vec![agent(0, 0.0, 40.0, 5, 0, None), agent(1, 0.0, 8.0, 5, 0, None), agent(2, 0.0, 40.0, 5, 0, None)];
        agents[0].latest_end = 18 * 60;
        let required: Vec<u32> = (0..96).map(|j| if (68..80).contains(&j) { 1 } else { 0 }).collect();
        let o = offers_for(&required, &shifts, &agents, 40);
        // A2's two hours cover the most; A0's hour would then cover nothing new.
        let ext: Vec<(&str, NaiveDateTime, NaiveDateTime)> = o
            .actions
            .iter()
            .filter(|a| a.kind == ActionKind::Extend)
            .map(|a| (a.agent_id.as_str(), a.from, a.to))
            .collect();
        assert_eq!(ext, vec![("A2", at(0, 17, 0), at(0, 19, 0))]);
        assert!((68..76).all(|j| o.rostered_after[j] == 1) && (76..80).all(|j| o.rostered_after[j] == 0));
        // Without those limits, one agent takes the two hours the cap allows:
        // a second could only start at 17:00 too, on slots already covered.
        let free =
            vec![agent(0, 0.0, 40.0, 5, 0, None), agent(1, 0.0, 8.0, 5, 0, None), agent(2, 0.0, 40.0, 5, 0, None)];
        let o = offers_for(&required, &shifts[..3], &free, 40);
        let overtime: Vec<&Action> = o.actions.iter().filter(|a| a.kind != ActionKind::LeaveEarly).collect();
        assert_eq!(overtime.len(), 1, "{overtime:?}");
        assert!(overtime[0].agent_id != "A1" && overtime[0].hours() == 2.0, "{overtime:?}");
    }

    #[test]
    fn agents_off_today_are_called_in_within_their_window_days_and_rest() {
        // A0 works 09:00–17:00; short by two 12:00–14:00. A1 is off today and
        // may come in (window 08:00–22:00); A2 has used its days; A3 ends
        // yesterday at 23:00 and starts tomorrow at 07:00, with an 11-hour rest
        // it may only work 10:00–20:00 — fine for 12:00–14:00 but its window
        // ends at 13:00.
        let shifts = vec![
            shift("A0", 0, (9, 0), (17, 0), 8.0),
            shift("A2", -1, (9, 0), (17, 0), 8.0),
            shift("A3", -1, (15, 0), (23, 0), 8.0),
            shift("A3", 1, (7, 0), (15, 0), 8.0),
        ];
        let mut agents = vec![
            agent(0, 0.0, 40.0, 5, 0, None),
            agent(1, 0.0, 40.0, 5, 0, None),
            agent(2, 0.0, 40.0, 1, 0, None),
            agent(3, 0.0, 40.0, 5, 0, None),
        ];
        agents[3].latest_end = 13 * 60;
        // Nobody needed after 15:00: A0 could go home then, were the day not short.
        let required: Vec<u32> = (0..96)
            .map(|j| match j {
                48..56 => 3,
                j if j < 60 => 1,
                _ => 0,
            })
            .collect();
        let o = offers_for(&required, &shifts, &agents, 40);
        let calls: Vec<(&str, NaiveDateTime, NaiveDateTime)> = o
            .actions
            .iter()
            .filter(|a| a.kind == ActionKind::CallIn)
            .map(|a| (a.agent_id.as_str(), a.from, a.to))
            .collect();
        assert!(calls.contains(&("A1", at(0, 12, 0), at(0, 14, 0))), "{calls:?}");
        assert!(calls.contains(&("A3", at(0, 12, 0), at(0, 13, 0))), "{calls:?}");
        assert!(!calls.iter().any(|c| c.0 == "A2" || c.0 == "A0"), "{calls:?}");
        // Still short 13:00–14:00 by one: nobody is offered time off.
        assert!(o.actions.iter().all(|a| a.kind != ActionKind::LeaveEarly), "{:?}", o.actions);
        // Once the day is covered, A0 may go home at 15:00.
        let covered: Vec<u32> = required.iter().map(|r| (*r).min(1)).collect();
        let o = offers_for(&covered, &shifts, &agents, 40);
        assert!(o.actions.iter().any(|a| a.kind == ActionKind::LeaveEarly && a.agent_id == "A0"), "{:?}", o.actions);
    }

    #[test]
    fn time_off_only_where_every_slot_left_has_a_spare_agent_and_never_in_the_past() {
        let shifts = vec![shift("A0", 0, (9, 0), (17, 0), 8.0), shift("A1", 0, (9, 0), (17, 0), 8.0)];
        let agents = vec![agent(0, 0.0, 40.0, 5, 0, None), agent(1, 0.0, 40.0, 5, 0, None)];
        // Two needed until 15:00, one until 17:00, none after: one agent may go home at 15:00.
        let required: Vec<u32> = (0..96).map(|j| if j < 60 { 2 } else { u32::from(j < 68) }).collect();
        let o = offers_for(&required, &shifts, &agents, 44);
        let off: Vec<&Action> = o.actions.iter().filter(|a| a.kind == ActionKind::LeaveEarly).collect();
        assert_eq!(off.len(), 1, "{off:?}");
        assert_eq!((off[0].from, off[0].to), (at(0, 15, 0), at(0, 17, 0)));
        assert!((60..68).all(|j| o.rostered_after[j] == 1));
        // Asked at 16:00, the offer starts at 16:00, not in the past.
        let later = offers_for(&required, &shifts, &agents, 64);
        assert!(later.actions.iter().all(|a| a.from >= at(0, 16, 0)), "{:?}", later.actions);
    }
}
