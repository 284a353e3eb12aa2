//! The weekly build through the binary: every output, consistent with each
//! other, byte-identical on a second run, and untouched by a failed run.

use super::common::{ringcast, root, stderr, stdout};
use std::collections::BTreeMap;
use std::path::Path;

const OUTPUTS: [&str; 15] = [
    "forecast.csv",
    "requirements.csv",
    "shifts.csv",
    "roster.csv",
    "coverage.csv",
    "roster.xlsx",
    "summary.json",
    "impact.csv",
    "impact_campaigns.csv",
    "charts/forecast.png",
    "charts/coverage.png",
    "charts/roster.png",
    "charts/channel_response.png",
    "charts/impact.png",
    "report.html",
];

pub(crate) fn csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    super::common::read_csv(path)
}

pub(crate) fn minutes(hhmm: &str) -> i64 {
    let (h, m) = hhmm.split_once(':').unwrap();
    h.parse::<i64>().unwrap() * 60 + m.parse::<i64>().unwrap()
}

/// Every contract rule of the bundled agents holds in `roster.csv`, and the
/// evening shifts (ending after 20:00) are shared: nobody works more of them
/// than the average of those who work any, rounded up (a min–max of the
/// evenings once left ten agents with five each).
fn roster_keeps_the_rules(roster: &Path) {
    let (evenings, with_evenings, most) =
        roster_keeps_the_rules_of(&super::common::root().join("data/agents.csv"), roster);
    assert!(evenings > 0);
    assert!(most <= evenings.div_ceil(with_evenings), "{most} evenings for one agent; {evenings} over {with_evenings}");
}

/// Every contract rule of `agents` holds in `roster` (and with a `queue`
/// column, every shift is on one of the agent's queues); returns the evening
/// shifts, the agents who work any, and the most one agent works.
pub(crate) fn roster_keeps_the_rules_of(agents: &Path, roster: &Path) -> (usize, usize, usize) {
    let agents: BTreeMap<String, BTreeMap<String, String>> =
        csv(agents).into_iter().map(|a| (a["id"].clone(), a)).collect();
    let mut by_agent: BTreeMap<String, Vec<(chrono::NaiveDate, i64, i64, f64)>> = BTreeMap::new();
    for r in csv(roster) {
        if r["agent_id"] == "UNFILLED" {
            continue;
        }
        let day: chrono::NaiveDate = r["day"].parse().unwrap();
        let shift = (day, minutes(&r["start"]), minutes(&r["end"]), r["paid_hours"].parse::<f64>().unwrap());
        if let (Some(q), Some(listed)) = (r.get("queue"), agents[&r["agent_id"]].get("queues")) {
            assert!(listed.split(';').any(|l| l == q), "{} works queue {q}, listed for {listed}", r["agent_id"]);
        }
        by_agent.entry(r["agent_id"].clone()).or_default().push(shift);
    }
    let (mut evenings, mut with_evenings, mut most) = (0, 0, 0);
    for (id, mut shifts) in by_agent {
        let a = &agents[&id];
        shifts.sort_by_key(|s| (s.0, s.1));
        let hours: f64 = shifts.iter().map(|s| s.3).sum();
        assert!(hours <= a["max_weekly_hours"].parse::<f64>().unwrap() + 1e-9, "{id}: {hours} h");
        assert!(shifts.len() <= a["max_days"].parse::<usize>().unwrap(), "{id}: {} days", shifts.len());
        for s in &shifts {
            assert!(s.1 >= minutes(&a["earliest_start"]) && s.2 <= minutes(&a["latest_end"]), "{id}: {s:?}");
            assert_ne!(s.0.format("%a").to_string(), "Sun", "{id} works a Sunday (available mon-sat)");
        }
        for w in shifts.windows(2) {
            assert!(w[0].0 < w[1].0, "{id}: two shifts on {}", w[0].0);
            let rest = (w[1].0 - w[0].0).num_minutes() + w[1].1 - w[0].2;
            assert!(rest >= 11 * 60, "{id}: {rest} min rest before {}", w[1].0);
        }
        let e = shifts.iter().filter(|s| s.2 > 20 * 60).count();
        evenings += e;
        with_evenings += usize::from(e > 0);
        most = most.max(e);
    }
    (evenings, with_evenings, most)
}

#[test]
fn weekly_plan_outputs_are_complete_consistent_and_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = ringcast(&["plan", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("calls forecast"), "{}", stdout(&o));
    for f in OUTPUTS {
        let p = out.join(f);
        assert!(p.exists() && std::fs::metadata(&p).unwrap().len() > 0, "missing {f}");
    }
    // Forecast: expected = baseline + uplift_total, and uplift_total = Σ channels.
    let fc = csv(&out.join("forecast.csv"));
    assert_eq!(fc.len(), 7 * 96);
    let mut uplift_total = 0.0;
    for r in &fc {
        let f = |k: &str| r[k].parse::<f64>().unwrap();
        let channels: f64 = r
            .iter()
            .filter(|(k, _)| k.starts_with("uplift_") && *k != "uplift_total")
            .map(|(_, v)| v.parse::<f64>().unwrap())
            .sum();
        assert!((f("expected") - f("baseline") - f("uplift_total")).abs() < 0.01, "{r:?}");
        assert!((channels - f("uplift_total")).abs() < 0.01, "{r:?}");
        assert!(f("lo95") <= f("expected") + 1.0 && f("expected") <= f("hi95") + 1.0, "{r:?}");
        uplift_total += f("uplift_total");
    }
    // Impact: the lines add up to the forecast's uplift.
    let imp = csv(&out.join("impact.csv"));
    let lines: f64 = imp.iter().map(|r| r["extra_calls_in_week"].parse::<f64>().unwrap()).sum();
    assert!((lines - uplift_total).abs() < 0.1 * imp.len() as f64, "lines {lines} vs forecast uplift {uplift_total}");
    // Coverage: rostered agents per interval = what the roster's shifts put on the phones.
    let mut from_roster: BTreeMap<String, i64> = BTreeMap::new();
    for r in csv(&out.join("roster.csv")) {
        if r["agent_id"] == "UNFILLED" {
            continue;
        }
        let (start, end) = (minutes(&r["start"]), minutes(&r["end"]));
        let breaks: Vec<(i64, i64)> = r["breaks"]
            .split(' ')
            .filter(|b| !b.is_empty())
            .map(|b| {
                let (a, e) = b.split_once('-').unwrap();
                (minutes(a), minutes(e))
            })
            .collect();
        let mut t = start;
        while t < end {
            if !breaks.iter().any(|(a, e)| t >= *a && t < *e) {
                *from_roster.entry(format!("{} {:02}:{:02}", r["day"], t / 60, t % 60)).or_default() += 1;
            }
            t += 15;
        }
    }
    for r in csv(&out.join("coverage.csv")) {
        let want = from_roster.get(&r["interval_start"]).copied().unwrap_or(0);
        assert_eq!(r["rostered_agents"].parse::<i64>().unwrap(), want, "{}", r["interval_start"]);
    }
    roster_keeps_the_rules(&out.join("roster.csv"));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert!(summary["calls_forecast"].as_f64().unwrap() > 1000.0);
    // A second run writes the same bytes.
    let out2 = dir.path().join("out2");
    let o = ringcast(&["plan", "--out", out2.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in OUTPUTS {
        assert!(
            std::fs::read(out.join(f)).unwrap() == std::fs::read(out2.join(f)).unwrap(),
            "{f} differs between runs"
        );
    }
    // A run that fails at a later stage (bad agents file) leaves the outputs intact.
    let bad = dir.path().join("agents.csv");
    std::fs::write(&bad, "id,name,min_weekly_hours,max_weekly_hours,max_days\nA1,Ann,40,30,5\n").unwrap();
    let before = std::fs::read(out.join("roster.csv")).unwrap();
    let o = ringcast(&["plan", "--out", out.to_str().unwrap(), "--agents", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("agents.csv:2") && stderr(&o).contains("max_weekly_hours"), "{}", stderr(&o));
    assert_eq!(std::fs::read(out.join("roster.csv")).unwrap(), before);
    assert!(std::fs::read_dir(&out).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with(".ringcast-staging")));
}

#[test]
fn impact_flags_closed_hours_and_overlapping_spots() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.csv");
    std::fs::write(
        &plan,
        "id,channel,start,end,spend,grps,campaign\nA,tv,2026-11-24 20:14,,7000,8,Test\nB,tv,2026-11-24 20:20,,7000,8,Test\nC,tv,2026-11-29 20:00,,5000,6,Test\nD,retargeting,2026-11-23 00:00,2026-11-27 23:59,5000,,Test\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = ringcast(&["impact", "--media-plan", plan.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = std::fs::read_to_string(out.join("impact.csv")).unwrap();
    let line = |id: &str| rows.lines().find(|l| l.starts_with(&format!("{id},"))).unwrap().to_string();
    assert!(line("A").contains("burst overlaps B") && line("B").contains("burst overlaps A"), "{rows}");
    assert!(line("C").contains("arrive while the centre is closed"), "Sunday is closed: {}", line("C"));
    assert!(line("C").contains("move the spot") || line("C").contains("roster"), "{}", line("C"));
    let s = stdout(&o);
    assert!(s.contains("extra calls") && s.contains("If the centre is not told"), "{s}");
}

#[test]
fn a_plan_that_cannot_be_built_as_asked_exits_3_and_writes_nothing() {
    // Open from 06:00 on Monday, but no shift family starts before 08:00:
    // the early intervals need agents no allowed shift can give.
    let dir = tempfile::tempdir().unwrap();
    let cfg = std::fs::read_to_string(root().join("data/centre.toml")).unwrap();
    let cfg = cfg.replacen("mon = \"08:00-22:00\"", "mon = \"06:00-22:00\"", 1);
    std::fs::write(dir.path().join("c.toml"), cfg).unwrap();
    let out = dir.path().join("out");
    let o =
        ringcast(&["plan", "--config", dir.path().join("c.toml").to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("cannot be built as asked") && e.contains("06:00"), "{e}");
    assert!(!out.join("roster.csv").exists());
}

#[test]
fn a_centre_without_campaigns_plans_forecasts_and_assesses() {
    let dir = tempfile::tempdir().unwrap();
    let header_only = dir.path().join("none.csv");
    std::fs::write(&header_only, "channel,start,spend\n").unwrap();
    let out = dir.path().join("out");
    let o = ringcast(&["plan", "--media", "", "--media-plan", "", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("no campaign part"), "{}", stdout(&o));
    assert_eq!(std::fs::read_to_string(out.join("impact.csv")).unwrap().lines().count(), 1, "header only");
    let h = header_only.to_str().unwrap();
    let o = ringcast(&["impact", "--media", "/dev/null", "--media-plan", h, "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("no campaign calls to assess"), "{}", stdout(&o));
    let f = dir.path().join("f.csv");
    let o = ringcast(&["forecast", "--media", h, "--media-plan", h, "--out", f.to_str().unwrap()]);
    assert!(o.status.success() && stdout(&o).contains("no campaign part"), "{}", stderr(&o));
    // A plan line still needs a channel learned from past plans.
    let plan = dir.path().join("plan.csv");
    std::fs::write(&plan, "channel,start,spend,grps\ntv,2026-11-24 20:14,1000,5\n").unwrap();
    let o =
        ringcast(&["forecast", "--media", "", "--media-plan", plan.to_str().unwrap(), "--out", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("plan.csv:2") && stderr(&o).contains("no past media plans were given"),
        "{}",
        stderr(&o)
    );
}

/// The Feb 1999 per-call records (real data, `../shared/data`; skipped where
/// absent), a short config and no media files: the weekly plan runs end to end
/// and staffs with the handle time and patience of the records.
#[test]
fn call_records_plan_with_their_own_handle_time_and_patience() {
    let Some(records) = super::common::shared_data("anonymous_bank_feb1999_calls.tsv") else { return };
    // Direct computation from the file: mean service time of answered calls,
    // and total queue time of all queued callers / abandonments.
    let text = std::fs::read_to_string(&records).unwrap();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |n: &str| head.iter().position(|h| *h == n).unwrap();
    let (outcome, ser, q) = (col("outcome"), col("ser_time"), col("q_time"));
    let (mut served, mut handle, mut hung, mut queued) = (0.0, 0.0, 0.0, 0.0);
    for l in lines {
        let f: Vec<&str> = l.split('\t').collect();
        let secs = |i: usize| f[i].trim().parse::<f64>().unwrap();
        match f[outcome] {
            "AGENT" => {
                served += 1.0;
                handle += secs(ser);
                queued += secs(q);
            }
            "HANG" => {
                hung += 1.0;
                queued += secs(q);
            }
            _ => {}
        }
    }
    let (aht, patience) = (handle / served, queued / hung);
    let dir = tempfile::tempdir().unwrap();
    // A config a planner writes in a dozen lines: no shift families (they
    // follow the opening hours), no service values (they come from the records).
    let cfg = "name = \"Anonymous Bank\"\ntimezone = \"Asia/Jerusalem\"\nweek_start = \"sun\"\n[opening_hours]\nsun = \"07:00-24:00\"\nmon = \"07:00-24:00\"\ntue = \"07:00-24:00\"\nwed = \"07:00-24:00\"\nthu = \"07:00-24:00\"\nfri = \"07:00-14:00\"\nsat = \"20:00-24:00\"\n";
    // The weekly plan of the records with `config`, no media files: stdout and summary.json.
    let plan = |config: &str, out: &str| {
        std::fs::write(dir.path().join("c.toml"), config).unwrap();
        let out = dir.path().join(out);
        let c = dir.path().join("c.toml");
        let args = ["plan", "--history", records.to_str().unwrap(), "--config", c.to_str().unwrap()];
        let o = ringcast(&[&args[..], &["--media", "", "--media-plan", "", "--out", out.to_str().unwrap()]].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        (stdout(&o), summary)
    };
    let (printed, summary) = plan(cfg, "out");
    let used_aht = summary["handle_time_seconds"].as_f64().unwrap();
    let used_patience = summary["patience_seconds"].as_f64().unwrap();
    assert!((used_aht / aht - 1.0).abs() < 0.01, "handle time {used_aht} vs {aht}");
    assert!((used_patience / patience - 1.0).abs() < 0.05, "patience {used_patience} vs {patience}");
    assert!(summary["handle_time_source"].as_str().unwrap().contains(&format!("{served:.0} answered calls")));
    assert!(printed.contains("handle time 176.4 s (learned from"), "{printed}");
    // The simulation draws handle times with the records' own spread (1.231 computed directly).
    assert!(printed.contains("log-normal (CV 1.23, learned from the call records)"), "{printed}");
    // The config wins over the history.
    let (_, summary) = plan(&cfg.replace("[opening_hours]", "[service]\naht_seconds = 200\n[opening_hours]"), "out2");
    assert_eq!(
        (summary["handle_time_seconds"].as_f64(), summary["handle_time_source"].as_str()),
        (Some(200.0), Some("config"))
    );
    let o = ringcast(&["check", "--history", records.to_str().unwrap()]);
    assert!(
        stdout(&o).contains("handle time: 176.4 s mean over 27162 answered calls, coefficient of variation 1.23"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("abandoned calls); 17.9% abandoned"), "{}", stdout(&o));
}

#[test]
fn an_out_that_cannot_be_written_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let o = ringcast(&["plan", "--out", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is a file; expected a folder"), "{}", stderr(&o));
    let o = ringcast(&["forecast", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is a folder; expected a file path"), "{}", stderr(&o));
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 1, "no stray files: {left:?}");
}

/// Kill the weekly build at points spread over its run (SIGKILL), and stop it
/// once with SIGTERM: the output folder always holds one whole set — the
/// previous files or the new ones, never a mix — and a later run leaves no
/// staging folder beside it.
#[test]
fn killed_runs_leave_the_previous_outputs_or_the_new_ones() {
    use std::process::{Command, Stdio};
    use std::time::Instant;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_ringcast"))
            .args(["plan", "--out", out.to_str().unwrap()])
            .current_dir(root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let t0 = Instant::now();
    assert!(start().wait().unwrap().success());
    let full = t0.elapsed();
    let new: BTreeMap<&str, Vec<u8>> = OUTPUTS.iter().map(|f| (*f, std::fs::read(out.join(f)).unwrap())).collect();
    let mark_old = || {
        for f in OUTPUTS {
            std::fs::write(out.join(f), "old").unwrap();
        }
    };
    let whole_set = |what: &str| {
        let now: Vec<Vec<u8>> = OUTPUTS.iter().map(|f| std::fs::read(out.join(f)).unwrap()).collect();
        let old = now.iter().all(|b| b == b"old");
        let fresh = OUTPUTS.iter().zip(&now).all(|(f, b)| &new[f] == b);
        assert!(old || fresh, "{what}: a mix of previous and new outputs");
        fresh
    };
    mark_old();
    let mut outcomes = Vec::new();
    for share in [0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0] {
        let mut child = start();
        std::thread::sleep(full.mul_f64(share));
        child.kill().ok();
        child.wait().unwrap();
        let fresh = whole_set(&format!("killed at {share} of a run"));
        outcomes.push(fresh);
        if fresh {
            mark_old();
        }
    }
    let mut child = start();
    std::thread::sleep(full.mul_f64(0.95));
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    child.wait().unwrap();
    whole_set("stopped by SIGTERM");
    mark_old();
    // A completed run clears what the killed ones left beside the folder.
    assert!(start().wait().unwrap().success());
    assert!(whole_set("a completed run"));
    let beside: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "out" && !n.ends_with(".ringcast-lock"))
        .collect();
    assert!(beside.is_empty(), "left beside the output folder: {beside:?}");
    eprintln!("killed runs ended with the new outputs: {outcomes:?} (full run {:.1} s)", full.as_secs_f64());
}

/// The bundled centre with `extra` keys under `[service]` and `tables` at the end.
fn plan_with_service(dir: &Path, extra: &str, tables: &str) -> std::process::Output {
    let text = std::fs::read_to_string(root().join("data/centre.toml")).unwrap();
    let text = text.replace("[service]\n", &format!("[service]\n{extra}\n")) + tables;
    let cfg = dir.join("centre.toml");
    std::fs::write(&cfg, text).unwrap();
    ringcast(&["plan", "--config", cfg.to_str().unwrap(), "--out", dir.join("out").to_str().unwrap()])
}

fn summary_json(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("out/summary.json")).unwrap()).unwrap()
}

/// A daily goal of 80% in 20 s on the bundled week: at least 10% fewer paid
/// hours than covering every interval, every open day at 80% or more as
/// projected, and within simulation noise of it as simulated.
#[test]
fn a_daily_goal_needs_fewer_hours_and_every_day_still_meets_it() {
    let every = tempfile::tempdir().unwrap();
    let o = plan_with_service(every.path(), "", "");
    assert!(o.status.success(), "{}", stderr(&o));
    let daily = tempfile::tempdir().unwrap();
    let o = plan_with_service(daily.path(), "goal = \"day\"", "");
    assert!(o.status.success(), "{}", stderr(&o));
    let hours = |d: &Path| summary_json(d)["agent_hours_rostered"].as_f64().unwrap();
    let (h_every, h_daily) = (hours(every.path()), hours(daily.path()));
    assert!(h_daily <= 0.9 * h_every, "daily goal {h_daily} h vs every interval {h_every} h");
    for day in summary_json(daily.path())["days"].as_array().unwrap() {
        let Some(sl) = day["service_level"].as_f64() else { continue };
        assert!(sl >= 0.8 - 1e-9, "{day}");
        let sim = day["simulated_service_level"]["mean"].as_f64().unwrap();
        assert!(sim >= 0.79, "simulated {day}");
    }
}

/// The goal's values are checked after the flags and the environment are
/// applied: the file's floor under its own (default) interval goal is
/// refused naming both, taken with `--goal day`, and set aside with a warning
/// under `RINGCAST_GOAL=interval`, each message naming where the value came from.
#[test]
fn a_goal_flag_is_applied_before_the_files_floor_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let o = plan_with_service(dir.path(), "interval_floor_sl = 0.5", "");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("service.goal = interval (") && e.contains("the default when left out"), "{e}");
    let cfg = dir.path().join("centre.toml");
    let run = |goal: (&str, &str), env: Option<&str>| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_ringcast"));
        c.current_dir(root()).args(["plan", "--config", cfg.to_str().unwrap(), "--out"]);
        c.arg(dir.path().join(goal.1)).args(if env.is_none() { vec!["--goal", goal.0] } else { vec![] });
        c.env_remove("RINGCAST_GOAL");
        if let Some(v) = env {
            c.env("RINGCAST_GOAL", v);
        }
        c.output().unwrap()
    };
    let o = run(("day", "day"), None);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = std::fs::read_to_string(dir.path().join("day/summary.json")).unwrap();
    let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
    for w in summary["worst_intervals"].as_array().unwrap() {
        assert!(w["service_level"].as_f64().unwrap() >= 0.5 - 1e-9, "the file's floor holds: {w}");
    }
    let text = std::fs::read_to_string(&cfg).unwrap().replace("[service]\n", "[service]\ngoal = \"day\"\n");
    std::fs::write(&cfg, text).unwrap();
    let o = run(("interval", "interval"), Some("interval"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("does not apply under RINGCAST_GOAL=interval (environment)"), "{}", stderr(&o));
}

/// A goal beyond reach is explained (which day, how far) and exits 3.
#[test]
fn an_unreachable_daily_goal_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let o = plan_with_service(dir.path(), "goal = \"day\"", "\n[service.sat]\ntarget_sl = 0.9999\n");
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("Sat 2026-11-28: 100% answered within 20 s cannot be met"), "{}", stderr(&o));
    assert!(!dir.path().join("out").exists());
}

/// `simulate` on a plan's coverage.csv: byte-identical on rerun with a seed,
/// a different result with another, and a roster cut in half gives a lower
/// service level; bad flags exit 2.
#[test]
fn simulate_a_coverage_file() {
    let dir = tempfile::tempdir().unwrap();
    let cov = dir.path().join("coverage.csv");
    let mut text = String::from("interval_start,open,calls,on_phones\n");
    for s in 0..8 {
        text += &format!("2026-11-23 {:02}:{:02},1,90,32\n", 10 + s / 4, s % 4 * 15);
    }
    std::fs::write(&cov, &text).unwrap();
    let half = dir.path().join("half.csv");
    std::fs::write(&half, text.replace(",32\n", ",16\n")).unwrap();
    let run = |file: &Path, out: &str, seed: &str| {
        let out = dir.path().join(out);
        let o = ringcast(&[
            "simulate",
            "--coverage",
            file.to_str().unwrap(),
            "--replications",
            "200",
            "--seed",
            seed,
            "--out",
            out.to_str().unwrap(),
            "--format",
            "json",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let days: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        (std::fs::read(&out).unwrap(), days[0]["service_level"]["mean"].as_f64().unwrap())
    };
    let (a, sl) = run(&cov, "a.csv", "1");
    let (b, _) = run(&cov, "b.csv", "1");
    let (c, _) = run(&cov, "c.csv", "2");
    assert_eq!(a, b, "same seed, same bytes");
    assert_ne!(a, c);
    let (_, sl_half) = run(&half, "h.csv", "1");
    assert!(sl > 0.7 && sl_half < sl - 0.3, "{sl} vs {sl_half} with half the agents");
    let o = ringcast(&["simulate", "--coverage", cov.to_str().unwrap(), "--replications", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// What-ifs from the command line: a flag wins over its environment variable,
/// which wins over the config; a bad value names the flag.
#[test]
fn what_if_flags_win_over_environment_and_config() {
    let run = |env: Option<&str>, flag: Option<&str>| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let mut args = vec!["plan", "--out", out.to_str().unwrap()];
        if let Some(f) = flag {
            args.extend(["--target-sl", f]);
        }
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_ringcast"));
        cmd.args(&args).current_dir(root());
        if let Some(e) = env {
            cmd.env("RINGCAST_TARGET_SL", e);
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let s: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
        s["agent_hours_needed_on_phones"].as_f64().unwrap()
    };
    let env_only = run(Some("0.95"), None);
    let flag_over_env = run(Some("0.95"), Some("0.7"));
    assert!(flag_over_env < env_only - 100.0, "{flag_over_env} vs {env_only}");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = ringcast(&["plan", "--target-sl", "1.2", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--target-sl: got 1.2"), "{}", stderr(&o));
}

/// Which limit set the agents is said per interval (requirements.csv and
/// coverage.csv `set_by`), in summary.json (`staffing_set_by`: intervals and
/// the agent-hours each limit added beyond the service-level target) and in
/// one sentence of the summary and the report.
#[test]
fn the_limit_that_set_the_agents_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = std::fs::read_to_string(root().join("data/centre.toml"))
        .unwrap()
        .replace("max_occupancy = 0.9", "max_occupancy = 0.75");
    assert!(cfg.contains("max_occupancy = 0.75"));
    std::fs::write(dir.path().join("c.toml"), cfg).unwrap();
    let out = dir.path().join("out");
    let o =
        ringcast(&["plan", "--config", dir.path().join("c.toml").to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let line = text.lines().find(|l| l.starts_with("staffing")).unwrap_or_default();
    assert!(line.contains("the occupancy cap (max_occupancy) in"), "{text}");
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let cap = &s["staffing_set_by"]["occupancy_cap"];
    assert!(
        cap["intervals"].as_u64().unwrap() > 0 && cap["agent_hours_beyond_service_level"].as_f64().unwrap() > 0.0,
        "{s}"
    );
    for f in ["requirements.csv", "coverage.csv"] {
        let rows = csv(&out.join(f));
        let capped = rows.iter().filter(|r| r["set_by"] == "occupancy_cap").count();
        assert_eq!(capped as u64, cap["intervals"].as_u64().unwrap(), "{f}");
        assert!(rows.iter().all(|r| ["", "service_level", "occupancy_cap"].contains(&r["set_by"].as_str())), "{f}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Agents needed: set by the service-level target in"), "report.html");
}

/// Contract minimums that add up to more than the week's shifts: the summary
/// and the report say so with both numbers and what to do; the bundled plan,
/// whose minimums fit, says nothing of it.
#[test]
fn minimums_beyond_the_need_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let agents = std::fs::read_to_string(root().join("data/agents.csv")).unwrap();
    let raised: String = agents
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                return format!("{l}\n");
            }
            let mut f: Vec<String> = l.split(',').map(str::to_string).collect();
            let max: f64 = f[4].parse().unwrap();
            f[3] = format!("{}", max.min(30.0));
            f.join(",") + "\n"
        })
        .collect();
    std::fs::write(dir.path().join("agents.csv"), raised).unwrap();
    let out = dir.path().join("out");
    let o = ringcast(&[
        "plan",
        "--agents",
        dir.path().join("agents.csv").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let (minimums, rostered) =
        (s["contract_minimum_hours"].as_f64().unwrap(), s["agent_hours_rostered"].as_f64().unwrap());
    assert!(minimums > rostered, "{s}");
    let text = stdout(&o);
    let line = text.lines().find(|l| l.starts_with("minimums")).unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains(&format!("{minimums:.0} h")) && line.contains(&format!("{rostered:.0} paid hours")),
        "{line}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Contract minimums: the agents"), "report.html");
    assert_eq!(s["contract_minimums"], "spread", "{s}");
    assert!(line.contains("\"fill\" brings"), "the choice is named: {line}");
    let spread_at_minimum = s["agents_at_contract_minimum"].as_u64().unwrap();

    // scheduling.minimums = "fill": as many agents as the hours allow reach
    // their minimum, and the summary says so.
    let config = std::fs::read_to_string(root().join("data/centre.toml")).unwrap();
    let config = config.replacen("[scheduling]\n", "[scheduling]\nminimums = \"fill\"\n", 1);
    std::fs::write(dir.path().join("fill.toml"), config).unwrap();
    let fill_out = dir.path().join("fill");
    let o = ringcast(&[
        "plan",
        "--agents",
        dir.path().join("agents.csv").to_str().unwrap(),
        "--config",
        dir.path().join("fill.toml").to_str().unwrap(),
        "--out",
        fill_out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let f: serde_json::Value = serde_json::from_slice(&std::fs::read(fill_out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(f["contract_minimums"], "fill", "{f}");
    let fill_at_minimum = f["agents_at_contract_minimum"].as_u64().unwrap();
    assert!(fill_at_minimum > spread_at_minimum + 10, "fill {fill_at_minimum} against spread {spread_at_minimum}");
    assert_eq!(f["unfilled_shifts"], s["unfilled_shifts"], "fill takes every shift spread takes");
    let text = stdout(&o);
    let line = text.lines().find(|l| l.starts_with("minimums")).unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains(&format!("{fill_at_minimum} agent(s) brought up to their minimum")), "{line}");

    let o = ringcast(&["plan", "--out", dir.path().join("bundled").to_str().unwrap()]);
    assert!(!stdout(&o).lines().any(|l| l.starts_with("minimums")), "{}", stdout(&o));
}

/// `scheduling.minimums` takes `spread` or `fill`; anything else is refused
/// naming the key.
#[test]
fn an_unknown_minimums_choice_is_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = std::fs::read_to_string(root().join("data/centre.toml")).unwrap();
    let config = config.replacen("[scheduling]\n", "[scheduling]\nminimums = \"even\"\n", 1);
    std::fs::write(dir.path().join("c.toml"), config).unwrap();
    let out = dir.path().join("out");
    let o =
        ringcast(&["plan", "--config", dir.path().join("c.toml").to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("minimums") && stderr(&o).contains("even"), "{}", stderr(&o));
    assert!(!out.exists(), "nothing written");
}

/// A special day's hours (`[opening_hours] special`) are honoured in the
/// forecast, the staffing, the roster and the simulation, and the summary
/// lists it; bad entries are refused naming the key.
#[test]
fn special_days_are_honoured_and_bad_ones_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = std::fs::read_to_string(root().join("data/centre.toml")).unwrap();
    let with = |special: &str| {
        let i = cfg.find("closed_dates").unwrap();
        let j = i + cfg[i..].find('\n').unwrap() + 1;
        format!("{}special = {{ {special} }}\n{}", &cfg[..j], &cfg[j..])
    };
    std::fs::write(dir.path().join("c.toml"), with("\"2026-11-27\" = \"08:00-13:00\"")).unwrap();
    let out = dir.path().join("out");
    let o =
        ringcast(&["plan", "--config", dir.path().join("c.toml").to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("special days     Fri 2026-11-27 08:00-13:00"), "{}", stdout(&o));
    // The bundled history lists no past special day: its level is the prior's.
    let effect = "calendar effect  Fri 2026-11-27 special day ×1.00 (prior (no example in the history))";
    assert!(stdout(&o).contains(effect), "{}", stdout(&o));
    let friday = |r: &BTreeMap<String, String>| r["interval_start"].starts_with("2026-11-27");
    let after_one = |r: &BTreeMap<String, String>| r["interval_start"].as_str() >= "2026-11-27 13:00";
    for r in csv(&out.join("forecast.csv")).iter().filter(|r| friday(r)) {
        assert_eq!(r["open"] == "1", !after_one(r) && r["interval_start"].as_str() >= "2026-11-27 08:00", "{r:?}");
        if after_one(r) {
            assert_eq!(r["expected"], "0.000", "{r:?}");
        }
    }
    for r in csv(&out.join("coverage.csv")).iter().filter(|r| friday(r) && after_one(r)) {
        assert!(r["rostered_agents"] == "0" && r["simulated_service_level"].is_empty(), "{r:?}");
    }
    for r in csv(&out.join("roster.csv")).iter().filter(|r| r["day"] == "2026-11-27") {
        assert!(r["end"].as_str() <= "13:00", "{r:?}");
    }
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["special_days"][0], "Fri 2026-11-27 08:00-13:00");
    // The intervals the special day closes that a Friday opens are set by it.
    let closed_by_it: Vec<String> = csv(&out.join("requirements.csv"))
        .into_iter()
        .filter(|r| r["set_by"] == "special_day")
        .map(|r| r["interval_start"].clone())
        .collect();
    assert!(
        !closed_by_it.is_empty()
            && closed_by_it.iter().all(|t| t.as_str() >= "2026-11-27 13:00" && t.as_str() < "2026-11-28"),
        "{closed_by_it:?}"
    );
    assert_eq!(s["staffing_set_by"]["special_day"]["intervals"].as_u64(), Some(closed_by_it.len() as u64), "{s}");
    assert!(
        stdout(&o).contains(&format!(
            "a special day's hours ([opening_hours] special) in {} interval(s)",
            closed_by_it.len()
        )),
        "{}",
        stdout(&o)
    );
    assert!(s["calendar_effects"][0].as_str().unwrap().starts_with("Fri 2026-11-27 special day ×1.00"), "{s}");
    for (special, needles) in [
        ("\"2026-02-30\" = \"08:00-13:00\"", &["opening_hours.special.\"2026-02-30\"", "a real date"][..]),
        ("\"2026-11-27\" = \"08:00-25:00\"", &["opening_hours.special.\"2026-11-27\"", "25:00"][..]),
        ("\"2026-11-27\" = \"08:00-12:00,11:00-14:00\"", &["opening_hours.special.\"2026-11-27\"", "one range"][..]),
        ("\"2026-12-25\" = \"10:00-12:00\"", &["opening_hours.special.\"2026-12-25\"", "closed_dates too"][..]),
    ] {
        super::common::refuses(&[("c.toml", &with(special))], &["plan", "--config", "c.toml", "--out", "out"], needles);
    }
}
