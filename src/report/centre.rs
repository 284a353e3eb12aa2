//! Outputs of a several-queue plan: each queue's full weekly outputs under
//! `queues/<queue>/`, and for the centre as a whole one `roster.csv` (with a
//! queue column), `summary.json` with a line per queue and the totals, and
//! `report.html` linking to each queue's report.

use super::atomic::OutDir;
use super::html::{kpi, page, pct, sourced};
use super::summary::{summary, Summary};
use super::tables::csv_text;
use super::weekly::write_into;
use super::Staging;
use crate::pipeline::centre::CentrePlan;
use crate::pipeline::skills::SkillsOutcome;
use crate::simulate::skills::Routing;
use maud::html;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

/// One queue's line in the centre summary.
#[derive(Debug, Serialize)]
pub struct QueueLine {
    pub queue: String,
    /// The folder holding the queue's own outputs.
    pub folder: String,
    pub calls_forecast: f64,
    pub agent_hours_needed_rostered: f64,
    pub agent_hours_rostered: f64,
    pub shifts: u32,
    pub unfilled_shifts: u32,
    /// Calls-weighted projected service level over the week's open days.
    pub service_level: Option<f64>,
    /// Agents with at least one shift on the queue.
    pub agents_on_queue: usize,
    /// With skills: the share of the week's callers answered within the
    /// target in the centre's simulation, under the named routing (mean of
    /// the replications).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub simulated_service_level: Option<f64>,
    /// With skills: the lowest open day's simulated service level.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lowest_day_simulated_service_level: Option<f64>,
}

/// With agents of several queues: how they were staffed and routed.
#[derive(Debug, Serialize)]
pub struct SkillsSummary {
    /// The routing policy (`[routing] policy`).
    pub routing: String,
    /// Seconds a caller waits for their queue's primary agents before others
    /// may answer (0: at once).
    pub overflow_seconds: f64,
    pub skill_sets: Vec<SkillSetLine>,
    /// Agent-hours the queues would need each with agents of its own.
    pub agent_hours_needed_rostered_queues_apart: f64,
    /// Rounds of simulation the staffing took, and whether every queue's
    /// every open day met its target in the last one.
    pub staffing_rounds: usize,
    pub staffing_met_in_simulation: bool,
    /// Each skill group (a primary and the queues taken) in the roster's
    /// simulation.
    pub skill_groups: Vec<SkillGroupLine>,
    /// `--cross-train N`: what N more agents on two queues would save.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cross_training: Option<CrossTrainingSummary>,
}

/// The cross-training what-if (staffed by the pooling bounds alone, today's
/// skills the same way).
#[derive(Debug, Serialize)]
pub struct CrossTrainingSummary {
    /// Agents asked to take a second skill.
    pub agents: u32,
    /// Agent-hours to roster with today's skills, by the pooling bounds.
    pub agent_hours_needed_rostered: f64,
    /// Every pair of queues, most hours saved first.
    pub pairs: Vec<CrossTrainingLine>,
}

/// One pair of queues in the what-if.
#[derive(Debug, Serialize)]
pub struct CrossTrainingLine {
    pub queues: [String; 2],
    pub agents_given: u32,
    pub agent_hours_needed_rostered: f64,
    pub hours_saved: f64,
}

/// One skill group's line: who they are and how busy the simulation found them.
#[derive(Debug, Serialize)]
pub struct SkillGroupLine {
    pub primary: String,
    pub queues: Vec<String>,
    pub agents: u32,
    /// Busy time over time on the phones (mean and 95% range).
    pub occupancy: Option<crate::simulate::Estimate>,
    /// Share of the calls they answered that were not of their primary queue.
    pub other_queue_share: Option<crate::simulate::Estimate>,
    /// Per queue of `queues`, their handle time against the queue's mean
    /// (agents.csv `handle_time_factors`); absent: 1 on every queue.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub handle_time_factors: Vec<f64>,
}

/// One skill set's line.
#[derive(Debug, Serialize)]
pub struct SkillSetLine {
    pub queues: Vec<String>,
    pub agents: u32,
    pub agent_hours_needed_rostered: f64,
}

/// The centre's summary: the queues and the shared roster.
#[derive(Debug, Serialize)]
pub struct CentreSummary {
    pub week: String,
    pub queues: Vec<QueueLine>,
    pub calls_forecast: f64,
    pub agent_hours_needed_rostered: f64,
    pub agent_hours_rostered: f64,
    pub shifts: u32,
    pub unfilled_shifts: u32,
    pub agents: usize,
    pub agents_rostered: usize,
    /// Agents who work shifts of more than one queue this week.
    pub agents_on_several_queues: usize,
    pub agents_below_contract_minimum: usize,
    pub roster_status: String,
    pub roster_cost_points: f64,
    pub roster_bound_points: f64,
    pub roster_gap: f64,
    /// Groups of interchangeable agents the roster was solved by.
    pub roster_groups: usize,
    /// With agents of several queues under a routing (`None`: each shift
    /// answers one queue).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skills: Option<SkillsSummary>,
    /// Printed, not written: outputs do not depend on the machine's speed.
    #[serde(skip)]
    pub roster_seconds: f64,
}

/// A queue name as a folder name.
pub fn folder_name(queue: &str) -> String {
    crate::ingest::history::output_name(queue)
}

/// The centre summary from the queues' own summaries.
pub fn centre_summary(c: &CentrePlan, per_queue: &[Summary]) -> CentreSummary {
    let queues: Vec<QueueLine> = c
        .queues
        .iter()
        .zip(per_queue)
        .zip(&c.names)
        .map(|((p, s), name)| {
            let open: Vec<_> = s.days.iter().filter(|d| d.service_level.is_some() && d.calls > 0.0).collect();
            let calls: f64 = open.iter().map(|d| d.calls).sum();
            let answered: f64 = open.iter().map(|d| d.calls * d.service_level.unwrap_or(0.0)).sum();
            QueueLine {
                queue: name.clone(),
                folder: format!("queues/{}", folder_name(name)),
                calls_forecast: s.calls_forecast,
                agent_hours_needed_rostered: s.agent_hours_needed_rostered,
                agent_hours_rostered: s.agent_hours_rostered,
                shifts: p.roster.assignments.len() as u32 + s.unfilled_shifts,
                unfilled_shifts: s.unfilled_shifts,
                service_level: (calls > 0.0).then(|| answered / calls),
                agents_on_queue: p.roster.assignments.iter().map(|a| a.agent).collect::<BTreeSet<_>>().len(),
                simulated_service_level: None,
                lowest_day_simulated_service_level: None,
            }
        })
        .collect();
    let r = &c.roster;
    let mut queues_of_agent: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); c.agents.len()];
    for a in &r.assignments {
        match &c.skills {
            Some(k) => queues_of_agent[a.agent].extend(&k.skills.groups[k.skills.group_of[a.agent]].queues),
            None => {
                queues_of_agent[a.agent].insert(c.options[a.option].queue);
            }
        }
    }
    let apart: f64 = queues.iter().map(|q| q.agent_hours_needed_rostered).sum();
    let mut queues = queues;
    let skills = c.skills.as_ref().map(|k| skills_summary(c, k, apart, &mut queues));
    CentreSummary {
        week: c.queues[0].loaded.week.to_string(),
        calls_forecast: queues.iter().map(|q| q.calls_forecast).sum(),
        agent_hours_needed_rostered: c.skills.as_ref().map_or(apart, |k| k.agent_hours_needed_rostered),
        agent_hours_rostered: r.hours.iter().sum(),
        shifts: queues.iter().map(|q| q.shifts).sum(),
        unfilled_shifts: queues.iter().map(|q| q.unfilled_shifts).sum(),
        agents: c.agents.len(),
        agents_rostered: r.hours.iter().filter(|h| **h > 0.0).count(),
        agents_on_several_queues: queues_of_agent.iter().filter(|q| q.len() > 1).count(),
        agents_below_contract_minimum: r.below_minimum.len(),
        roster_status: r.status.to_string(),
        roster_cost_points: r.cost,
        roster_bound_points: r.bound,
        roster_gap: r.gap(),
        roster_groups: r.groups,
        roster_seconds: r.solve_seconds,
        queues,
        skills,
    }
}

/// The skills model's lines, and each queue's simulated service under it.
fn skills_summary(c: &CentrePlan, k: &SkillsOutcome, apart: f64, queues: &mut [QueueLine]) -> SkillsSummary {
    if let Some(sim) = &k.simulation {
        for (q, line) in queues.iter_mut().enumerate() {
            line.simulated_service_level = sim.whole[q].service_level.map(|e| e.mean);
            line.lowest_day_simulated_service_level = (sim.days[q].iter())
                .filter(|o| o.offered > 0.0)
                .filter_map(|o| o.service_level.map(|e| e.mean))
                .min_by(f64::total_cmp);
        }
    }
    let Routing::PrimaryFirstLongestIdle { overflow_after } = k.routing;
    SkillsSummary {
        routing: k.routing.name().to_string(),
        overflow_seconds: overflow_after.map_or(0.0, |s| s.get()),
        skill_sets: (k.skills.sets.iter().enumerate())
            .map(|(s, set)| SkillSetLine {
                queues: set.iter().map(|&q| c.names[q].clone()).collect(),
                agents: k.skills.headcount[s],
                agent_hours_needed_rostered: k.set_hours_needed_rostered[s],
            })
            .collect(),
        agent_hours_needed_rostered_queues_apart: apart,
        staffing_rounds: k.staffing.rounds,
        staffing_met_in_simulation: k.staffing.met,
        skill_groups: (k.skills.groups.iter().enumerate())
            .map(|(g, group)| {
                let sim = k.simulation.as_ref().map(|r| r.groups[g]);
                SkillGroupLine {
                    primary: c.names[group.primary()].clone(),
                    queues: group.queues.iter().map(|&q| c.names[q].clone()).collect(),
                    agents: k.skills.group_headcount[g],
                    occupancy: sim.and_then(|o| o.occupancy),
                    other_queue_share: sim.and_then(|o| o.other_queue_share),
                    handle_time_factors: group.factors.iter().map(|&f| f as f64 / 1000.0).collect(),
                }
            })
            .collect(),
        cross_training: k.cross_training.as_ref().map(|w| CrossTrainingSummary {
            agents: w.agents,
            agent_hours_needed_rostered: w.agent_hours_needed_rostered,
            pairs: (w.pairs.iter())
                .map(|p| CrossTrainingLine {
                    queues: p.queues.map(|q| c.names[q].clone()),
                    agents_given: p.agents_given,
                    agent_hours_needed_rostered: p.agent_hours_needed_rostered,
                    hours_saved: p.hours_saved,
                })
                .collect(),
        }),
    }
}

/// The cross-training what-if as a table: one pair of queues a row, most
/// hours saved first.
pub fn cross_training_csv(w: &CrossTrainingSummary) -> String {
    let mut out =
        String::from("queue_a,queue_b,agents_given,agent_hours_needed_rostered,agent_hours_today,hours_saved\n");
    for p in &w.pairs {
        let _ = writeln!(
            out,
            "{},{},{},{:.2},{:.2},{:.2}",
            csv_text(&p.queues[0]),
            csv_text(&p.queues[1]),
            p.agents_given,
            p.agent_hours_needed_rostered,
            w.agent_hours_needed_rostered,
            p.hours_saved
        );
    }
    out
}

/// Every agent's shifts over all queues, then the unfilled shifts.
pub fn centre_roster_csv(c: &CentrePlan) -> String {
    // (agent, start slot, queue, option within the queue)
    let mut rows: Vec<(usize, usize, usize, usize)> = Vec::new();
    for (q, p) in c.queues.iter().enumerate() {
        rows.extend(p.roster.assignments.iter().map(|a| (a.agent, p.scheduled.options[a.option].start, q, a.option)));
    }
    rows.sort_unstable();
    let mut out = String::from("agent_id,name,contract,queue,day,start,end,breaks,paid_hours,shift_family\n");
    let cells = |q: usize, o: &crate::schedule::shifts::ShiftOption| {
        let req = &c.queues[q].scheduled.req;
        let family = c.queues[q].settings().scheduling.shifts.get(o.family).map_or("", |f| f.name.as_str());
        format!(
            "{},{},{},{},{},{:.2},{}",
            csv_text(&c.names[q]),
            req.slot_time(o.start).format("%Y-%m-%d"),
            req.slot_time(o.start).format("%H:%M"),
            req.slot_time(o.end).format("%H:%M"),
            super::tables::breaks_text(o, req),
            o.paid_hours,
            csv_text(family)
        )
    };
    for (agent, _, q, option) in rows {
        let o = &c.queues[q].scheduled.options[option];
        let a = &c.agents[agent];
        let _ = writeln!(out, "{},{},{},{}", csv_text(&a.id), csv_text(&a.name), csv_text(&a.contract), cells(q, o));
    }
    for (q, p) in c.queues.iter().enumerate() {
        for (o, n) in &p.roster.unfilled {
            let o = &p.scheduled.options[*o];
            for _ in 0..*n {
                let _ = writeln!(out, "UNFILLED,,,{}", cells(q, o));
            }
        }
    }
    out
}

/// Write every queue's outputs and the centre's, all or nothing.
pub fn write_centre(c: &CentrePlan, out: &OutDir) -> anyhow::Result<(CentreSummary, Vec<PathBuf>)> {
    let per_queue: Vec<Summary> = c.queues.iter().map(summary).collect();
    let st = Staging::new(out)?;
    // Each queue's charts and workbook in parallel, into its own folder.
    c.queues
        .par_iter()
        .zip(&per_queue)
        .zip(&c.names)
        .try_for_each(|((p, s), name)| write_into(p, s, &st, &format!("queues/{}/", folder_name(name))))?;
    let total = centre_summary(c, &per_queue);
    st.write("roster.csv", centre_roster_csv(c))?;
    if let Some(w) = total.skills.as_ref().and_then(|k| k.cross_training.as_ref()) {
        st.write("cross_training.csv", cross_training_csv(w))?;
    }
    st.write("summary.json", serde_json::to_string_pretty(&total)? + "\n")?;
    let name = c.queues.first().map(|p| p.settings().name.clone()).unwrap_or_default();
    st.write("report.html", centre_report(&name, &total))?;
    let written = st.commit()?;
    Ok((total, written))
}

/// The centre summary as the terminal shows it.
pub fn centre_text(s: &CentreSummary) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "Week of {} — {} queues, one roster", s.week, s.queues.len());
    let _ = writeln!(
        o,
        "{:<16} {:>9} {:>10} {:>10} {:>7} {:>9} {:>8} {:>7}",
        "queue", "calls", "hours need", "rostered", "shifts", "unfilled", "SL", "agents"
    );
    for q in &s.queues {
        let sl = q.service_level.map_or("-".to_string(), |v| format!("{:.1}%", 100.0 * v));
        let _ = writeln!(
            o,
            "{:<16} {:>9.0} {:>10.0} {:>10.0} {:>7} {:>9} {:>8} {:>7}",
            q.queue,
            q.calls_forecast,
            q.agent_hours_needed_rostered,
            q.agent_hours_rostered,
            q.shifts,
            q.unfilled_shifts,
            sl,
            q.agents_on_queue
        );
    }
    let _ = writeln!(
        o,
        "{:<16} {:>9.0} {:>10.0} {:>10.0} {:>7} {:>9}",
        "total", s.calls_forecast, s.agent_hours_needed_rostered, s.agent_hours_rostered, s.shifts, s.unfilled_shifts
    );
    let _ = writeln!(
        o,
        "roster           {} of {} agents rostered, {} on several queues; {} below contract minimum; {} groups, {:.1} s ({}: {:.1} points against a bound of {:.1}, {})",
        s.agents_rostered,
        s.agents,
        s.agents_on_several_queues,
        s.agents_below_contract_minimum,
        s.roster_groups,
        s.roster_seconds,
        s.roster_status,
        s.roster_cost_points,
        s.roster_bound_points,
        super::summary::gap_words(s.roster_cost_points, s.roster_bound_points, s.roster_gap)
    );
    if let Some(k) = &s.skills {
        let _ = writeln!(o, "{}", skills_text(s, k));
        if let Some(w) = &k.cross_training {
            let _ = writeln!(o, "{}", cross_training_text(w));
        }
    }
    o
}

/// The what-if in one line: the three pairs that save most.
fn cross_training_text(w: &CrossTrainingSummary) -> String {
    let best: Vec<String> = (w.pairs.iter().take(3))
        .map(|p| format!("{} + {} {:.0} h ({} agents)", p.queues[0], p.queues[1], p.hours_saved, p.agents_given))
        .collect();
    format!(
        "cross-training   {} more agents on two queues, against {:.0} agent-hours today (pooling bounds): most saved by {} (cross_training.csv)",
        w.agents,
        w.agent_hours_needed_rostered,
        if best.is_empty() { "no pair (one queue)".to_string() } else { best.join(", ") }
    )
}

/// The skills model in one paragraph: the routing, what pooling saved, and
/// each queue's simulated service level under it.
fn skills_text(s: &CentreSummary, k: &SkillsSummary) -> String {
    let sims: Vec<String> = (s.queues.iter())
        .filter_map(|q| {
            let week = q.simulated_service_level?;
            let low = q.lowest_day_simulated_service_level.unwrap_or(week);
            Some(format!("{} {:.1}% (lowest day {:.1}%)", q.queue, week * 100.0, low * 100.0))
        })
        .collect();
    format!(
        "skills           {} skill sets, routing {}{}: {:.0} agent-hours to roster, against {:.0} with each queue's own agents; simulated service level {}",
        k.skill_sets.len(),
        k.routing,
        if k.overflow_seconds > 0.0 { format!(" (others after {:.0} s)", k.overflow_seconds) } else { String::new() },
        s.agent_hours_needed_rostered,
        k.agent_hours_needed_rostered_queues_apart,
        if sims.is_empty() { "not simulated (simulation.replications = 0)".to_string() } else { sims.join(", ") }
    )
}

/// A several-queue centre's page: the centre's figures and one line per
/// queue, each linking to the queue's own report.
fn centre_report(name: &str, c: &CentreSummary) -> String {
    let title = format!("{name} — week of {} ({} queues)", c.week, c.queues.len());
    let total = |pointer: &str, text: String| sourced(format!("summary.json:{pointer}"), text);
    page(
        &title,
        &[("week", "Centre"), ("queues", "Queues")],
        html! {
            section #week {
                h2 { "The centre's week" }
                div.kpis {
                    (kpi("calls forecast", total("/calls_forecast", format!("{:.0}", c.calls_forecast))))
                    (kpi("paid hours rostered", html! { (total("/agent_hours_rostered", format!("{:.0}", c.agent_hours_rostered))) " h" }))
                    (kpi("shifts", total("/shifts", c.shifts.to_string())))
                    (kpi("shifts no agent could take", total("/unfilled_shifts", c.unfilled_shifts.to_string())))
                    (kpi("agents rostered", html! { (total("/agents_rostered", c.agents_rostered.to_string())) " of " (total("/agents", c.agents.to_string())) }))
                    (kpi("agents on several queues", total("/agents_on_several_queues", c.agents_on_several_queues.to_string())))
                }
                p.note { "Roster: " (c.roster_status) ". Each queue's report has its forecast, service level, charts, roster and media plan." }
                @if let Some(k) = &c.skills {
                    p.note {
                        "Agents answer every queue they take, under the routing " strong { (k.routing) } ": "
                        (total("/agent_hours_needed_rostered", format!("{:.0}", c.agent_hours_needed_rostered)))
                        " agent-hours to roster, against "
                        (total("/skills/agent_hours_needed_rostered_queues_apart", format!("{:.0}", k.agent_hours_needed_rostered_queues_apart)))
                        " with each queue's own agents. Simulated service level per queue:"
                        @for (i, q) in c.queues.iter().enumerate() {
                            @if let Some(v) = q.simulated_service_level {
                                " " (q.queue) " " (total(&format!("/queues/{i}/simulated_service_level"), pct(Some(v))))
                            }
                        }
                        "."
                    }
                }
            }
            section #queues {
                h2 { "Queues" }
                table {
                    tr { th { "queue" } th.n { "calls" } th.n { "hours to roster" } th.n { "hours rostered" } th.n { "shifts" } th.n { "unfilled" } th.n { "service level" } th.n { "agents" } }
                    @for (k, q) in c.queues.iter().enumerate() {
                        @let at = |field: &str| format!("/queues/{k}/{field}");
                        tr {
                            td { a href=(format!("{}/report.html", q.folder)) { (q.queue) } }
                            td.n { (total(&at("calls_forecast"), format!("{:.0}", q.calls_forecast))) }
                            td.n { (total(&at("agent_hours_needed_rostered"), format!("{:.1}", q.agent_hours_needed_rostered))) }
                            td.n { (total(&at("agent_hours_rostered"), format!("{:.1}", q.agent_hours_rostered))) }
                            td.n { (total(&at("shifts"), q.shifts.to_string())) }
                            td.n { (total(&at("unfilled_shifts"), q.unfilled_shifts.to_string())) }
                            td.n { @match q.service_level { Some(v) => (total(&at("service_level"), pct(Some(v)))), None => "closed" } }
                            td.n { (total(&at("agents_on_queue"), q.agents_on_queue.to_string())) }
                        }
                    }
                }
            }
        },
    )
}
