//! What cross-training would save (`plan --all-queues --cross-train N`).
//!
//! For every pair of queues, `N` agents who take one queue only are given
//! the other as a second skill (half of them from each queue's agents, the
//! first listed in agents.csv, more from one side where the other has too
//! few), and the centre is staffed again by its pooling bounds
//! ([`crate::staff::skills`]). The pairs are ranked by the agent-hours to
//! roster they save against today's skills, staffed the same way (each
//! family's merged need worked out once for all pairs). The
//! staffing is the bounds' alone, without the rounds of simulation the plan
//! runs, so pairs are compared on equal terms and quickly; the plan itself
//! (and its simulation) is of today's skills.

use super::skills::{hours_needed_by_pooling, merged_needs, QueueDemand, Skills};
use crate::schedule::roster::Agent;
use crate::staff::skills::families;
use serde::Serialize;

/// Most agents a what-if may cross-train (`--cross-train`).
pub const MOST_CROSS_TRAINED: u32 = 100_000;

/// One pair of queues with `agents_given` more agents taking both.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairGain {
    /// Queue indices, ascending.
    pub queues: [usize; 2],
    /// Agents given the second skill (fewer than asked where the pair's
    /// queues have too few agents who take one queue only).
    pub agents_given: u32,
    pub agent_hours_needed_rostered: f64,
    /// Today's agent-hours less this pair's (negative: more needed).
    pub hours_saved: f64,
}

/// The what-if: today's need, and every pair, most hours saved first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossTraining {
    /// Agents asked to take a second skill (`--cross-train N`).
    pub agents: u32,
    /// Agent-hours to roster with today's skills, by the pooling bounds.
    pub agent_hours_needed_rostered: f64,
    pub pairs: Vec<PairGain>,
}

/// Every pair of queues with `n` more agents on both, against today's skills.
pub fn cross_training(demands: &[QueueDemand], agents: &[Agent], n: u32) -> CrossTraining {
    let queues = demands.len();
    let now = Skills::of(agents, queues);
    let trained: Vec<([usize; 2], Skills, u32)> = (0..queues)
        .flat_map(|a| (a + 1..queues).map(move |b| [a, b]))
        .map(|pair| {
            let (trained, given) = cross_trained(agents, pair, n);
            (pair, Skills::of(&trained, queues), given)
        })
        .collect();
    let mut all_families = families(queues, &now.sets);
    for (_, skills, _) in &trained {
        all_families.extend(families(queues, &skills.sets));
    }
    let needs = merged_needs(demands, &all_families);
    let today = hours_needed_by_pooling(demands, &now, &needs);
    let mut pairs: Vec<PairGain> = (trained.iter())
        .map(|(pair, skills, given)| {
            let hours = hours_needed_by_pooling(demands, skills, &needs);
            PairGain {
                queues: *pair,
                agents_given: *given,
                agent_hours_needed_rostered: hours,
                hours_saved: today - hours,
            }
        })
        .collect();
    pairs.sort_by(|x, y| y.hours_saved.total_cmp(&x.hours_saved).then(x.queues.cmp(&y.queues)));
    CrossTraining { agents: n, agent_hours_needed_rostered: today, pairs }
}

/// `agents` with up to `n` of those who take one queue of `pair` only
/// given the other too: half from each side, the first listed, the rest
/// from the other side where one has too few. Returns the agents given.
fn cross_trained(agents: &[Agent], pair: [usize; 2], n: u32) -> (Vec<Agent>, u32) {
    let only = |q: usize| -> Vec<usize> {
        (0..agents.len()).filter(|&i| agents[i].queues.as_deref() == Some(&[q][..])).collect()
    };
    let (first, second) = (only(pair[0]), only(pair[1]));
    let n = n as usize;
    let from_first = n.div_ceil(2).min(first.len());
    let from_second = (n - from_first).min(second.len());
    let from_first = (n - from_second).min(first.len());
    let mut out = agents.to_vec();
    for (&i, other) in
        first.iter().take(from_first).map(|i| (i, pair[1])).chain(second.iter().take(from_second).map(|i| (i, pair[0])))
    {
        let primary = out[i].primary.or(out[i].queues.as_ref().and_then(|q| q.first().copied()));
        out[i].primary = primary;
        if let Some(q) = &mut out[i].queues {
            q.push(other);
        }
    }
    (out, (from_first + from_second) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(queues: &[usize]) -> Agent {
        Agent {
            row: 2,
            id: "A".into(),
            name: "A".into(),
            contract: "full_time".into(),
            min_weekly_hours: 0.0,
            max_weekly_hours: 40.0,
            max_days: 5,
            days: vec![],
            earliest_start: 0,
            latest_end: 1440,
            preferred_start: None,
            queue_names: vec![],
            primary_name: None,
            queues: Some(queues.to_vec()),
            primary: queues.first().copied(),
            handle_time_factor_names: vec![],
            handle_time_factors: vec![],
        }
    }

    #[test]
    fn half_from_each_side_and_the_rest_from_the_side_that_has_them() {
        let agents = vec![agent(&[0]), agent(&[0]), agent(&[0]), agent(&[1]), agent(&[0, 1]), agent(&[2])];
        let (out, given) = cross_trained(&agents, [0, 1], 2);
        assert_eq!(given, 2);
        assert_eq!(out[0].queues, Some(vec![0, 1]));
        assert_eq!(out[3].queues, Some(vec![1, 0]));
        assert_eq!(out[3].primary, Some(1), "the agent's primary stays theirs");
        // Queue 1 has one agent of its own: the other three come from queue 0.
        let (out, given) = cross_trained(&agents, [0, 1], 4);
        assert_eq!(given, 4);
        assert!(out[..4].iter().all(|a| a.queues.as_ref().is_some_and(|q| q.len() == 2)));
        assert_eq!(out[5].queues, Some(vec![2]), "agents of other queues are left alone");
        // More than there are: all of them, and no more.
        assert_eq!(cross_trained(&agents, [0, 1], 10).1, 4);
    }
}
