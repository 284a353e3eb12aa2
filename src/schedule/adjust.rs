//! Same-day roster adjustments: who could stay on or come in early where the
//! rest of the day is short of agents, and who could go home early where it
//! has more than it needs.
//!
//! Greedy, one offer at a time: the overtime that covers the most short
//! agent-intervals first, then the time off that frees the most surplus ones.
//! Every offer keeps the agent's contract (weekly maximum hours, daily window
//! in agents.csv), the rest between shifts (`min_rest_hours`), the opening
//! hours and the day's overtime cap, and starts no earlier than now.

use crate::ingest::plan_files::RosterShift;
use crate::schedule::roster::Agent;
use chrono::{Duration, NaiveDateTime};
use serde::Serialize;

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
}

impl ActionKind {
    pub fn label(self) -> &'static str {
        match self {
            ActionKind::Extend => "extend",
            ActionKind::StartEarly => "start_early",
            ActionKind::LeaveEarly => "leave_early",
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
    /// Midnight of the day.
    pub midnight: NaiveDateTime,
    pub interval_minutes: u32,
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
}

/// The offers, and agents rostered per slot once they are all taken.
#[derive(Debug, Clone)]
pub struct Offers {
    pub actions: Vec<Action>,
    pub rostered_after: Vec<u32>,
}

impl DayNeeds<'_> {
    fn time(&self, slot: usize) -> NaiveDateTime {
        self.midnight + Duration::minutes((slot as u32 * self.interval_minutes) as i64)
    }

    /// The slot `t` falls in (may be beyond the day).
    fn slot(&self, t: NaiveDateTime) -> i64 {
        (t - self.midnight).num_minutes().div_euclid(self.interval_minutes as i64)
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
        shifts.iter().filter(|s| s.agent_id.is_some() && s.start < day.time(n) && s.end > day.midnight).collect();
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
            .filter(|(a, _)| !used.iter().any(|(id, k)| *id == a.agent_id && *k == a.kind))
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
    Offers { actions, rostered_after: rostered }
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
    let cap_slots = (rules.max_overtime_hours * 60.0 / day.interval_minutes as f64).floor() as i64;
    let weekly: f64 = shifts.iter().filter(|x| x.agent_id.as_deref() == Some(id.as_str())).map(|x| x.paid_hours).sum();
    let room_slots = agent.map_or(i64::MAX, |a| {
        ((a.max_weekly_hours - weekly).max(0.0) * 60.0 / day.interval_minutes as f64).floor() as i64
    });
    let rest = Duration::minutes((rules.min_rest_hours * 60.0).round() as i64);
    let limit = cap_slots.min(room_slots);
    let mut slots = 0i64;
    match kind {
        ActionKind::Extend => {
            let first = day.slot(s.end);
            let next_start =
                shifts.iter().filter(|x| x.agent_id == s.agent_id && x.start > s.end).map(|x| x.start).min();
            while slots < limit {
                let t = first + slots;
                let end = day.time((t + 1) as usize);
                let in_window = agent.is_none_or(|a| minutes_of(end, day) <= a.latest_end as i64);
                let rested = next_start.is_none_or(|n| n - end >= rest);
                if t < 0 || !short(t as usize) || !in_window || !rested {
                    break;
                }
                slots += 1;
            }
            (slots > 0).then(|| {
                (
                    Action {
                        agent_id: id,
                        name: s.name.clone(),
                        kind,
                        from: s.end,
                        to: day.time((first + slots) as usize),
                    },
                    slots as usize,
                )
            })
        }
        ActionKind::StartEarly => {
            let first = day.slot(s.start) - 1;
            let prev_end = shifts.iter().filter(|x| x.agent_id == s.agent_id && x.end < s.start).map(|x| x.end).max();
            while slots < limit {
                let t = first - slots;
                if t < 0 {
                    break;
                }
                let start = day.time(t as usize);
                let in_window = agent.is_none_or(|a| minutes_of(start, day) >= a.earliest_start as i64);
                let rested = prev_end.is_none_or(|p| start - p >= rest);
                if !short(t as usize) || !in_window || !rested {
                    break;
                }
                slots += 1;
            }
            (slots > 0).then(|| {
                (
                    Action {
                        agent_id: id,
                        name: s.name.clone(),
                        kind,
                        from: day.time((first - slots + 1) as usize),
                        to: s.start,
                    },
                    slots as usize,
                )
            })
        }
        ActionKind::LeaveEarly => None,
    }
}

/// Minutes after the day's midnight.
fn minutes_of(t: NaiveDateTime, day: &DayNeeds<'_>) -> i64 {
    (t - day.midnight).num_minutes()
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
