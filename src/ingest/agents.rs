//! Agents: who can work, how much, and when.
//!
//! `id,name,contract,min_weekly_hours,max_weekly_hours,max_days,available_days,earliest_start,latest_end,preferred_start`
//!
//! * `available_days`: `mon-fri`, `sun-thu` (a range may run over the end of
//!   the week), or a list like `mon,wed,fri` or `sun-wed;fri` (`;` or space
//!   separated; commas inside a quoted cell).
//! * `earliest_start` / `latest_end`: the agent's daily availability window, `HH:MM`.
//! * `preferred_start`: optional; the roster leans towards it.
//! * `contract`: free text (`full_time`, `part_time` …), reported as is.
//! * `queues`: optional; the queues the agent takes, separated by `;`, `|` or
//!   spaces (`sales;service`). Empty or absent: every queue. Checked against
//!   the plan's queues by [`resolve_queues`].
//! * `primary_queue`: optional; one of the agent's queues, preferred by the
//!   roster when it may choose.
//! * `handle_time_factors`: optional (also `proficiency`); how long the agent
//!   takes on a queue against its mean handle time, `queue:factor` items
//!   (`loans:1.3;cards:0.9`), each factor 0.25–4, each queue one of the
//!   agent's; a queue not listed is 1. Read by the skills model
//!   (docs/skills.md): its simulation draws the agent's handle times at
//!   the factor.

use crate::config::{parse_hhmm, weekday_of};
use crate::error::{InputError, InputResult};
use crate::ingest::table::{sheet_row, Table};
use crate::schedule::roster::Agent;
use chrono::Weekday;
use std::path::Path;

const DAYS: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

fn parse_days(s: &str) -> Option<Vec<Weekday>> {
    let s = s.trim().to_ascii_lowercase();
    let mut days: Vec<Weekday> = Vec::new();
    for part in s.split([',', ';', ' ']).filter(|p| !p.is_empty()) {
        days.extend(day_range(part)?);
    }
    days.sort_by_key(|d| d.num_days_from_monday());
    days.dedup();
    (!days.is_empty()).then_some(days)
}

/// One day (`wed`) or a range (`mon-fri`); a range may run over the end of
/// the week (`sun-thu`: a Sunday-to-Thursday centre's week, `fri-mon`).
fn day_range(part: &str) -> Option<Vec<Weekday>> {
    let Some((a, b)) = part.split_once('-') else { return Some(vec![weekday_of(part)?]) };
    let (i, j) = (weekday_of(a)?.num_days_from_monday() as usize, weekday_of(b)?.num_days_from_monday() as usize);
    Some(if i <= j { DAYS[i..=j].to_vec() } else { DAYS[i..].iter().chain(&DAYS[..=j]).copied().collect() })
}

/// Read the agents file.
pub fn load_agents(path: &Path) -> InputResult<Vec<Agent>> {
    load_agents_with_warnings(path).map(|(agents, _)| agents)
}

/// Read the agents file; with the warnings about its reading (columns not used).
pub fn load_agents_with_warnings(path: &Path) -> InputResult<(Vec<Agent>, Vec<String>)> {
    let t = Table::read(path)?;
    let agents = agents_from_table(&t)?;
    Ok((agents, t.reading_warnings()))
}

/// [`load_agents`] on a table already read.
pub fn agents_from_table(t: &Table) -> InputResult<Vec<Agent>> {
    let path = t.path.as_path();
    t.require_rows()?;
    let id = t.require(&["id", "agent_id"], "the agent id")?;
    let name = t.column(&["name", "agent_name"])?;
    let contract = t.column(&["contract"])?;
    let min_h = t.require(&["min_weekly_hours", "min_hours"], "the contracted minimum weekly hours")?;
    let max_h = t.require(&["max_weekly_hours", "max_hours"], "the contracted maximum weekly hours")?;
    let max_days = t.require(&["max_days", "max_days_per_week"], "the maximum working days per week")?;
    let days = t.column(&["available_days", "days"])?;
    let earliest = t.column(&["earliest_start"])?;
    let latest = t.column(&["latest_end"])?;
    let pref = t.column(&["preferred_start"])?;
    let queues = t.column(&["queues", "queue", "skills"])?;
    let primary = t.column(&["primary_queue", "primary"])?;
    let factors = t.column(&["handle_time_factors", "proficiency"])?;
    let mut out: Vec<Agent> = Vec::with_capacity(t.height());
    let mut seen = std::collections::BTreeMap::new();
    for i in t.rows() {
        let r = sheet_row(i);
        let aid = t.required(id, i, "an agent id")?.to_string();
        if let Some(prev) = seen.insert(aid.clone(), r) {
            return Err(InputError::bad_value(
                path,
                r,
                id.name,
                &aid,
                format!("a unique agent id (also at row {prev})"),
            ));
        }
        let lo = t.number_at(min_h, i, &crate::limits::WEEKLY_HOURS)?;
        let hi = t.number_at(max_h, i, &crate::limits::WEEKLY_HOURS)?;
        if hi < lo {
            return Err(InputError::bad_value(
                path,
                r,
                max_h.name,
                &hi.to_string(),
                format!("at least min_weekly_hours ({lo})"),
            ));
        }
        let md = t.number_at(max_days, i, &crate::limits::DAYS_PER_WEEK)?;
        if md > 7.0 || md.fract() != 0.0 {
            return Err(InputError::bad_value(path, r, max_days.name, &md.to_string(), "a whole number of days 0..7"));
        }
        let time = |c: Option<crate::ingest::table::Col<'_>>, default: u32| -> InputResult<u32> {
            match c.and_then(|c| c.get(i).map(|v| (c, v))) {
                None => Ok(default),
                Some((c, v)) => {
                    parse_hhmm(v).ok_or_else(|| InputError::bad_value(path, r, c.name, v, "a time like 08:00"))
                }
            }
        };
        let e = time(earliest, 0)?;
        let l = time(latest, 1440)?;
        if l <= e {
            return Err(InputError::bad_value(
                path,
                r,
                latest.map(|c| c.name).unwrap_or("latest_end"),
                &format!("{:02}:{:02}", l / 60, l % 60),
                "a time after earliest_start",
            ));
        }
        let d = match days.and_then(|c| c.get(i).map(|v| (c, v))) {
            None => DAYS.to_vec(),
            Some((c, v)) => parse_days(v)
                .ok_or_else(|| InputError::bad_value(path, r, c.name, v, "days like mon-fri or mon,wed,fri"))?,
        };
        if md == 0.0 || hi == 0.0 {
            return Err(InputError::cell(path, r, max_days.name, format!("agent '{aid}' has no availability (max_days {md}, max_weekly_hours {hi}); expected some, or remove the row")));
        }
        let (queue_names, primary_name, handle_time_factor_names) =
            queues_at(path, r, queues.and_then(|c| c.get(i)), primary, factors, i)?;
        out.push(Agent {
            row: r,
            id: aid,
            name: name.and_then(|c| c.get(i)).unwrap_or("").to_string(),
            contract: contract.and_then(|c| c.get(i)).unwrap_or("").to_string(),
            min_weekly_hours: lo,
            max_weekly_hours: hi,
            max_days: md as u32,
            days: d,
            earliest_start: e,
            latest_end: l,
            preferred_start: (pref.and_then(|c| c.get(i).map(|v| (c, v))))
                .map(|(c, v)| {
                    parse_hhmm(v).ok_or_else(|| InputError::bad_value(path, r, c.name, v, "a time like 09:00"))
                })
                .transpose()?,
            queue_names,
            primary_name,
            queues: None,
            primary: None,
            handle_time_factor_names,
            handle_time_factors: Vec::new(),
        });
    }
    Ok(out)
}

/// Handle-time factors as listed: (queue name, factor).
type Factors = Vec<(String, f64)>;

/// The queues an agent may take (split by `;`, `|` or a space), the
/// primary one, which must be one of them, and the agent's handle-time
/// factors ([`factors_at`]).
fn queues_at(
    path: &Path,
    r: usize,
    listed: Option<&str>,
    primary: Option<crate::ingest::table::Col<'_>>,
    factors: Option<crate::ingest::table::Col<'_>>,
    i: usize,
) -> InputResult<(Vec<String>, Option<String>, Factors)> {
    let queue_names: Vec<String> = listed
        .map(|v| v.split([';', '|', ' ']).filter(|q| !q.is_empty()).map(str::to_string).collect())
        .unwrap_or_default();
    let primary_name = primary.and_then(|c| c.get(i)).map(str::trim).filter(|p| !p.is_empty());
    if let (Some(p), Some(c)) = (primary_name, primary) {
        if !queue_names.is_empty() && !queue_names.iter().any(|q| q == p) {
            return Err(InputError::bad_value(
                path,
                r,
                c.name,
                p,
                format!("one of the agent's queues ({})", queue_names.join(", ")),
            ));
        }
    }
    let factors = factors_at(path, r, factors.and_then(|c| c.get(i).map(|v| (c.name, v))), &queue_names)?;
    Ok((queue_names, primary_name.map(str::to_string), factors))
}

/// An agent's handle-time factors from their cell (column, text; `None`:
/// none): `queue:factor` items split by `;`, `|` or a space, each factor in
/// [`crate::limits::HANDLE_TIME_FACTOR`], each queue once and one of the
/// agent's (when they list theirs).
fn factors_at(path: &Path, r: usize, cell: Option<(&str, &str)>, queues: &[String]) -> InputResult<Vec<(String, f64)>> {
    let Some((column, cell)) = cell else { return Ok(Vec::new()) };
    let limit = crate::limits::HANDLE_TIME_FACTOR;
    let mut out: Vec<(String, f64)> = Vec::new();
    for item in cell.split([';', '|', ' ']).filter(|s| !s.is_empty()) {
        let bad = |expected: String| InputError::bad_value(path, r, column, item, expected);
        let (queue, factor) = item.split_once(':').ok_or_else(|| bad("queue:factor items like loans:1.3".into()))?;
        let factor: f64 = factor.trim().parse().map_err(|_| bad(format!("queue:factor with {}", limit.expected())))?;
        if !limit.contains(factor) {
            return Err(bad(limit.expected()));
        }
        let queue = queue.trim().to_string();
        if !queues.is_empty() && !queues.contains(&queue) {
            return Err(bad(format!("a factor for one of the agent's queues ({})", queues.join(", "))));
        }
        if out.iter().any(|(q, _)| *q == queue) {
            return Err(bad(format!("one factor per queue ({queue} is listed twice)")));
        }
        out.push((queue, factor));
    }
    Ok(out)
}

/// Check each agent's queues against the plan's `queues` and set their
/// indices; every queue needs at least one agent who may take it.
pub fn resolve_queues(agents: &mut [Agent], queues: &[String], path: &Path) -> InputResult<()> {
    let index = |name: &str| queues.iter().position(|q| q == name);
    for a in agents.iter_mut() {
        if a.queue_names.is_empty() {
            a.queues = None;
        } else {
            let found: Option<Vec<usize>> = a.queue_names.iter().map(|n| index(n)).collect();
            let Some(found) = found else {
                let bad = a.queue_names.iter().find(|n| index(n).is_none()).expect("one is unknown");
                return Err(InputError::bad_value(
                    path,
                    a.row,
                    "queues",
                    bad,
                    format!("a queue of the history ({})", queues.join(", ")),
                ));
            };
            a.queues = Some(found);
        }
        a.primary = a.primary_name.as_deref().and_then(index);
        let mut factors = Vec::with_capacity(a.handle_time_factor_names.len());
        for (name, factor) in &a.handle_time_factor_names {
            let Some(q) = index(name) else {
                return Err(InputError::bad_value(
                    path,
                    a.row,
                    "handle_time_factors",
                    name,
                    format!("a queue of the history ({})", queues.join(", ")),
                ));
            };
            factors.push((q, *factor));
        }
        a.handle_time_factors = factors;
        if let (Some(p), None) = (&a.primary_name, a.primary) {
            return Err(InputError::bad_value(
                path,
                a.row,
                "primary_queue",
                p,
                format!("a queue of the history ({})", queues.join(", ")),
            ));
        }
    }
    for (q, name) in queues.iter().enumerate() {
        if !agents.iter().any(|a| a.queues.as_ref().is_none_or(|l| l.contains(&q))) {
            return Err(InputError::file(
                path,
                format!(
                    "column 'queues': no agent is listed for queue '{name}', which the history has; expected at least one agent who takes it (or leave an agent's queues empty for every queue)"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> InputResult<Vec<Agent>> {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.csv");
        std::fs::write(&p, text).unwrap();
        load_agents(&p).map_err(|mut e| {
            e.at.file = "a.csv".into();
            e
        })
    }

    const HEAD: &str = "id,name,contract,min_weekly_hours,max_weekly_hours,max_days,available_days,earliest_start,latest_end,preferred_start\n";

    #[test]
    fn reads_agents_and_day_ranges() {
        let a = load(&format!("{HEAD}A1,Ann,full_time,35,40,5,mon-fri,08:00,22:00,09:00\nA2,Bob,part_time,16,24,4,\"mon,wed,sat\",16:00,22:00,\n")).unwrap();
        assert_eq!(a[0].days.len(), 5);
        assert_eq!(a[1].days, vec![Weekday::Mon, Weekday::Wed, Weekday::Sat]);
        assert_eq!(a[1].earliest_start, 960);
        assert_eq!(a[1].preferred_start, None);
    }

    /// A Sunday-to-Thursday centre writes its week as it says it: `sun-thu`.
    #[test]
    fn day_ranges_run_over_the_end_of_the_week() {
        use Weekday::*;
        assert_eq!(parse_days("sun-thu"), Some(vec![Mon, Tue, Wed, Thu, Sun]));
        assert_eq!(parse_days("fri-mon"), Some(vec![Mon, Fri, Sat, Sun]));
        assert_eq!(parse_days("sun-wed;fri"), Some(vec![Mon, Tue, Wed, Fri, Sun]));
        assert_eq!(parse_days("mon-sun"), Some(vec![Mon, Tue, Wed, Thu, Fri, Sat, Sun]));
        assert_eq!(parse_days("sun-funday"), None);
        assert_eq!(parse_days(" "), None);
    }

    #[test]
    fn bad_agents_name_row_and_column() {
        let e = load(&format!("{HEAD}A1,Ann,ft,40,35,5,mon-fri,08:00,22:00,\n")).unwrap_err().to_string();
        assert!(e.contains("a.csv:2: column 'max_weekly_hours'"), "{e}");
        let e = load(&format!("{HEAD}A1,Ann,ft,0,0,0,mon-fri,08:00,22:00,\n")).unwrap_err().to_string();
        assert!(e.contains("no availability"), "{e}");
        let e = load(&format!("{HEAD}A1,Ann,ft,0,40,5,someday,08:00,22:00,\n")).unwrap_err().to_string();
        assert!(e.contains("column 'available_days'") && e.contains("someday"), "{e}");
        let e = load(&format!("{HEAD}A1,Ann,ft,0,40,5,mon-fri,08:00,22:00,\nA1,Bo,ft,0,40,5,mon-fri,08:00,22:00,\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("a.csv:3") && e.contains("also at row 2"), "{e}");
        let e = load(&format!("{HEAD}A1,Ann,ft,0,200,5,mon-fri,08:00,22:00,\n")).unwrap_err().to_string();
        assert!(e.contains("column 'max_weekly_hours': got '200'") && e.contains("between 0 and 84"), "{e}");
    }

    #[test]
    fn queues_are_checked_against_the_plans_queues() {
        let head = HEAD.trim_end().to_string() + ",queues,primary_queue\n";
        let queues = vec!["sales".to_string(), "service".to_string()];
        let path = std::path::Path::new("a.csv");
        let mut a = load(&format!("{head}A1,Ann,ft,0,40,5,mon-fri,08:00,22:00,,sales;service,service\nA2,Bob,ft,0,40,5,mon-fri,08:00,22:00,,,\n")).unwrap();
        resolve_queues(&mut a, &queues, path).unwrap();
        assert_eq!(a[0].queues, Some(vec![0, 1]));
        assert_eq!(a[0].primary, Some(1));
        assert_eq!(a[1].queues, None, "no queues listed: every queue");
        let mut a = load(&format!("{head}A1,Ann,ft,0,40,5,mon-fri,08:00,22:00,,sales|billing,\n")).unwrap();
        let e = resolve_queues(&mut a, &queues, path).unwrap_err().to_string();
        assert!(e.contains("a.csv:2: column 'queues': got 'billing'") && e.contains("sales, service"), "{e}");
        let mut a = load(&format!("{head}A1,Ann,ft,0,40,5,mon-fri,08:00,22:00,,sales,\n")).unwrap();
        let e = resolve_queues(&mut a, &queues, path).unwrap_err().to_string();
        assert!(e.contains("column 'queues'") && e.contains("no agent is listed for queue 'service'"), "{e}");
        let e = load(&format!("{head}A1,Ann,ft,0,40,5,mon-fri,08:00,22:00,,sales,service\n")).unwrap_err().to_string();
        assert!(e.contains("a.csv:2: column 'primary_queue': got 'service'"), "{e}");
    }

    /// Handle-time factors: `queue:factor` items read and resolved to queue
    /// indices; a malformed item, a factor out of range, a queue the agent
    /// does not take or the history does not have, or a queue twice, is
    /// refused naming the row, the column and the item.
    #[test]
    fn handle_time_factors_are_read_and_checked() {
        let head = HEAD.trim_end().to_string() + ",queues,primary_queue,handle_time_factors\n";
        let row =
            |factors: &str| format!("{head}A1,Ann,ft,0,40,5,mon-fri,08:00,22:00,,sales;service,sales,{factors}\n");
        let queues = vec!["sales".to_string(), "service".to_string()];
        let mut a = load(&row("service:1.25")).unwrap();
        assert_eq!(a[0].handle_time_factor_names, vec![("service".to_string(), 1.25)]);
        resolve_queues(&mut a, &queues, std::path::Path::new("a.csv")).unwrap();
        assert_eq!(a[0].handle_time_factors, vec![(1, 1.25)]);
        for (cell, expected) in [
            ("service=1.2", "queue:factor items"),
            ("service:fast", "between 0.25 and 4"),
            ("service:9", "between 0.25 and 4"),
            ("billing:1.1", "one of the agent's queues (sales, service)"),
            ("sales:1.1;sales:1.2", "listed twice"),
        ] {
            let e = load(&row(cell)).unwrap_err().to_string();
            assert!(e.contains("a.csv:2: column 'handle_time_factors'") && e.contains(expected), "{cell}: {e}");
        }
        // An agent who takes every queue may name any; the history decides.
        let every = format!("{head}A1,Ann,ft,0,40,5,mon-fri,08:00,22:00,,,,billing:1.1\n");
        let mut a = load(&every).unwrap();
        let e = resolve_queues(&mut a, &queues, std::path::Path::new("a.csv")).unwrap_err().to_string();
        assert!(e.contains("column 'handle_time_factors'") && e.contains("billing"), "{e}");
    }
}
