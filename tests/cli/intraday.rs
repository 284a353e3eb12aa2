//! `ringcast intraday` and `backtest --intraday` through the binary.

use crate::common::{bundled_plan, ringcast, ringcast_in, root, stderr, stdout};
use crate::plan::csv;
use std::collections::BTreeMap;
use std::path::Path;

fn intraday(actuals: &Path, plan: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "intraday",
        "--actuals",
        actuals.to_str().unwrap(),
        "--plan",
        plan.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    ringcast(&args)
}

fn num(r: &BTreeMap<String, String>, k: &str) -> f64 {
    r[k].parse().unwrap_or_else(|_| panic!("{k} = '{}' in {r:?}", r[k]))
}

#[test]
fn the_bundled_day_flags_the_push_and_its_outputs_agree() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("intraday");
    let o = intraday(&root().join("data/today.csv"), bundled_plan(), &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    // The generator's push nobody announced starts at 09:45 (ground_truth.json).
    assert!(text.contains("SURPRISE") && text.contains("since 09:45"), "{text}");
    let rows = csv(&out.join("intraday.csv"));
    assert_eq!(rows.len(), 96);
    // The seen intervals are today.csv's, up to 11:00.
    let today: BTreeMap<String, String> = csv(&root().join("data/today.csv"))
        .into_iter()
        .map(|r| (r["interval_start"].clone(), r["calls"].clone()))
        .collect();
    for r in &rows {
        let seen = r["seen"] == "1";
        assert_eq!(seen, r["interval_start"].as_str() < "2026-11-27 11:00", "{r:?}");
        if let Some(c) = today.get(&r["interval_start"]) {
            assert_eq!(&r["actual"], c, "{r:?}");
        }
        if r["open"] == "1" && !seen {
            let (lo, f, hi) = (num(r, "lo80"), num(r, "updated_forecast"), num(r, "hi80"));
            assert!(lo <= f + 1.0 && f <= hi + 1.0, "{r:?}");
            let parts = num(r, "baseline_updated") + num(r, "campaigns_updated") + num(r, "unexplained");
            assert!((parts - f).abs() < 0.01, "{r:?}");
        }
    }
    // Rostered agents per interval are the plan roster's agents on shift (not on a break).
    let roster = csv(&bundled_plan().join("roster.csv"));
    let on_shift = |t: &str| {
        roster
            .iter()
            .filter(|s| s["agent_id"] != "UNFILLED" && s["day"] == "2026-11-27")
            .filter(|s| {
                let (a, b) = (s["start"].as_str(), s["end"].as_str());
                let hm = &t[11..];
                let in_shift = if b > a { hm >= a && hm < b } else { hm >= a };
                let on_break = s["breaks"].split_whitespace().any(|br| {
                    let (x, y) = br.split_once('-').unwrap();
                    hm >= x && hm < y
                });
                in_shift && !on_break
            })
            .count()
    };
    for r in rows.iter().filter(|r| r["open"] == "1") {
        assert_eq!(num(r, "rostered_agents") as usize, on_shift(&r["interval_start"]), "{r:?}");
    }
    // Every offer is for an agent rostered that day (a call-in: one not rostered
    // that day, and free to work Fridays), in the future, within the overtime cap.
    let actions = csv(&out.join("actions.csv"));
    assert!(!actions.is_empty());
    let agents = csv(&root().join("data/agents.csv"));
    for a in &actions {
        let rostered_today = roster.iter().any(|s| s["agent_id"] == a["agent_id"] && s["day"] == "2026-11-27");
        if a["action"] == "call_in" {
            let agent = agents.iter().find(|x| x["id"] == a["agent_id"]).unwrap();
            let days = agent["available_days"].as_str();
            assert!(!rostered_today && (days.contains("fri") || days == "mon-sat"), "{a:?}");
        } else {
            assert!(rostered_today, "{a:?}");
        }
        assert!(a["from"].as_str() >= "2026-11-27 11:00", "{a:?}");
        if a["action"] != "leave_early" {
            assert!(num(a, "hours") <= 2.0 + 1e-9, "{a:?}");
        }
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("intraday.json")).unwrap()).unwrap();
    assert_eq!(summary["surprise"]["start"], "09:45");
    // With the push, the day is short: agents off today are called in, and nobody is sent home.
    assert!(summary["call_in_offers"].as_u64().unwrap() > 0 && summary["time_off_offers"] == 0, "{summary}");
    assert!(!stdout(&o).contains("-0.0"), "{}", stdout(&o));
    // Callbacks are placed into named later intervals, never more than there are.
    let placed = summary["callbacks_placed"].as_array().unwrap();
    assert!(!placed.is_empty(), "{summary}");
    let sum: f64 = placed.iter().map(|m| m["calls"].as_f64().unwrap()).sum();
    assert!(sum <= summary["callbacks"].as_f64().unwrap() + 1e-6, "{summary}");
    assert!(placed.iter().all(|m| m["to"].as_str() > m["from"].as_str()), "{summary}");
    assert!(stdout(&o).contains("callbacks: call back in "), "{}", stdout(&o));
    assert!(
        summary["service_level_rest_after_offers"].as_f64().unwrap() > summary["service_level_rest"].as_f64().unwrap()
    );
    assert_eq!(summary["at"], "11:00");
    assert!(out.join("charts/intraday.png").exists());
    // Same inputs, same bytes.
    let again = dir.path().join("again");
    assert!(intraday(&root().join("data/today.csv"), bundled_plan(), &again, &[]).status.success());
    for f in ["intraday.csv", "actions.csv", "intraday.json", "charts/intraday.png"] {
        assert_eq!(std::fs::read(out.join(f)).unwrap(), std::fs::read(again.join(f)).unwrap(), "{f} differs");
    }
}

/// A bad input exits 2, names file, row and column, and writes nothing.
fn refused(actuals_text: Option<&str>, plan: &Path, extra: &[&str], expect: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let actuals = dir.path().join("today.csv");
    match actuals_text {
        Some(t) => std::fs::write(&actuals, t).unwrap(),
        None => std::fs::copy(root().join("data/today.csv"), &actuals).map(|_| ()).unwrap(),
    }
    let out = dir.path().join("intraday");
    let o = intraday(&actuals, plan, &out, extra);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for e in expect {
        assert!(err.contains(e), "expected '{e}' in: {err}");
    }
    assert!(!out.exists(), "nothing is written on bad input");
}

#[test]
fn actuals_from_another_day_or_beyond_the_update_time_are_refused() {
    let plan = bundled_plan();
    let today = std::fs::read_to_string(root().join("data/today.csv")).unwrap();
    // A day outside the planning week.
    let other_week = today.replace("2026-11-27", "2026-12-04");
    refused(Some(&other_week), plan, &[], &["today.csv:2:", "column 'interval_start'", "2026-12-04", "planning week"]);
    // Two days in one file: the row of the second is named.
    let two_days = today.replacen("2026-11-27 10:45", "2026-11-26 10:45", 1);
    refused(
        Some(&two_days),
        plan,
        &[],
        &["today.csv:13:", "column 'interval_start'", "2026-11-26 10:45", "one day's calls"],
    );
    // Calls at or after --at have not happened yet.
    refused(
        None,
        plan,
        &["--at", "10:00"],
        &["today.csv:10:", "column 'interval_start'", "'10:00'", "before --at 10:00"],
    );
    // --at off the interval grid.
    refused(None, plan, &["--at", "10:10"], &["--at 10:10", "15-minute"]);
    // A day the config closes (Sunday).
    refused(
        Some("interval_start,calls\n2026-11-29 10:00,5\n"),
        plan,
        &[],
        &["today.csv:2:", "2026-11-29 10:00", "a day the centre is open"],
    );
}

#[test]
fn a_line_added_since_the_plan_explains_the_jump_it_starts() {
    // Marketing owns up: an email went out at 09:45. With it in the media
    // plan, the jump is the line's (its response re-scaled), not a surprise.
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("media_plan.csv");
    let mut text = std::fs::read_to_string(root().join("data/media_plan_next_week.csv")).unwrap();
    text.push_str("L9001,email,2026-11-27 09:45,,4000,,Flash sale,newsletter\n");
    std::fs::write(&plan, text).unwrap();
    let out = dir.path().join("intraday");
    let o = intraday(&root().join("data/today.csv"), bundled_plan(), &out, &["--media-plan", plan.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("the inputs changed since the plan"), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("no surprise") && text.contains("line email Flash sale (L9001): response"), "{text}");
}

#[test]
fn one_interval_is_enough_and_calls_while_closed_are_left_out_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let actuals = dir.path().join("early.csv");
    std::fs::write(&actuals, "interval_start,calls\n2026-11-27 07:00,5\n2026-11-27 08:00,20\n").unwrap();
    let out = dir.path().join("intraday");
    let o = intraday(&actuals, bundled_plan(), &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("5 call(s) in 1 interval(s) the config has closed (from 07:00)"), "{}", stderr(&o));
    assert!(stdout(&o).contains("at 08:15: 20 calls so far"), "{}", stdout(&o));
}

#[test]
fn a_roster_that_does_not_match_the_config_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan");
    std::fs::create_dir(&plan).unwrap();
    std::fs::copy(bundled_plan().join("forecast.csv"), plan.join("forecast.csv")).unwrap();
    let roster = std::fs::read_to_string(bundled_plan().join("roster.csv")).unwrap();
    let mut lines: Vec<String> = roster.lines().map(String::from).collect();
    // Row 3 (the second shift) starts off the config's 15-minute grid.
    let cells: Vec<&str> = lines[2].split(',').collect();
    let bad_start = format!("{},{},{},{},08:10,{}", cells[0], cells[1], cells[2], cells[3], cells[5..].join(","));
    let original = lines[2].clone();
    lines[2] = bad_start;
    std::fs::write(plan.join("roster.csv"), lines.join("\n") + "\n").unwrap();
    refused(None, &plan, &[], &["roster.csv:3:", "column 'start'", "08:10", "15-minute grid"]);
    // A shift family the config does not have.
    lines[2] = original.replace("part-time", "night-owl").replace("full-time", "night-owl");
    std::fs::write(plan.join("roster.csv"), lines.join("\n") + "\n").unwrap();
    refused(None, &plan, &[], &["roster.csv:3:", "column 'shift_family'", "night-owl", "a shift family of the config"]);
    // No roster at all.
    std::fs::remove_file(plan.join("roster.csv")).unwrap();
    refused(None, &plan, &[], &["roster.csv", "no roster"]);
}

#[test]
fn call_records_update_at_the_start_of_the_interval_still_filling() {
    let dir = tempfile::tempdir().unwrap();
    // today.csv's counts as call records, plus three calls in the 11:00 interval still filling.
    let mut records = String::from("arrival,wait_seconds,outcome,handle_seconds\n");
    for r in csv(&root().join("data/today.csv")) {
        let n: usize = r["calls"].parse().unwrap();
        let start = chrono::NaiveDateTime::parse_from_str(&r["interval_start"], "%Y-%m-%d %H:%M").unwrap();
        for i in 0..n {
            let at = start + chrono::Duration::seconds((i * 900 / n.max(1)) as i64);
            records.push_str(&format!("{},5,answered,240\n", at.format("%Y-%m-%d %H:%M:%S")));
        }
    }
    records.push_str(
        "2026-11-27 11:01:00,5,answered,240\n2026-11-27 11:02:00,5,answered,240\n2026-11-27 11:04:00,3,abandoned,0\n",
    );
    let actuals = dir.path().join("records.csv");
    std::fs::write(&actuals, records).unwrap();
    let out = dir.path().join("intraday");
    let o = intraday(&actuals, bundled_plan(), &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("updating at 11:00"), "{}", stderr(&o));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("intraday.json")).unwrap()).unwrap();
    assert_eq!(summary["at"], "11:00");
    assert_eq!(summary["surprise"]["start"], "09:45");
}

#[test]
fn actuals_of_another_queue_than_the_plan_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let o = ringcast_in(dir.path(), &["synth", "--queues", "2", "--weeks", "30", "--agents", "60", "--out", "data"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = ringcast_in(dir.path(), &["plan", "--queue", "cards", "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let today = std::fs::read_to_string(root().join("data/today.csv")).unwrap();
    let loans: String = today
        .lines()
        .enumerate()
        .map(
            |(i, l)| {
                if i == 0 {
                    "interval_start,queue,calls\n".to_string()
                } else {
                    l.replacen(',', ",loans,", 1) + "\n"
                }
            },
        )
        .collect();
    let actuals = dir.path().join("loans.csv");
    std::fs::write(&actuals, loans).unwrap();
    let o = ringcast_in(
        dir.path(),
        &["intraday", "--queue", "cards", "--actuals", actuals.to_str().unwrap(), "--plan", "out", "--out", "intraday"],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("loans.csv") && err.contains("queue 'cards' not found") && err.contains("loans"), "{err}");
    assert!(!dir.path().join("intraday").exists());
    assert!(data.exists());
    // The centre's roster of `plan --all-queues`: the cards queue's shifts answer cards' calls.
    let o = ringcast_in(dir.path(), &["plan", "--all-queues", "--out", "centre"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cards = std::fs::read_to_string(&actuals).unwrap().replace(",loans,", ",cards,");
    std::fs::write(&actuals, cards).unwrap();
    let o = ringcast_in(
        dir.path(),
        &[
            "intraday",
            "--queue",
            "cards",
            "--actuals",
            actuals.to_str().unwrap(),
            "--plan",
            "centre",
            "--out",
            "intraday",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let roster = csv(&dir.path().join("centre/roster.csv"));
    let noon_cards = roster
        .iter()
        .filter(|s| s["queue"] == "cards" && s["day"] == "2026-11-27" && s["agent_id"] != "UNFILLED")
        .filter(|s| s["start"].as_str() <= "12:00" && s["end"].as_str() > "12:00")
        .filter(|s| {
            !s["breaks"].split_whitespace().any(|b| b.split_once('-').is_some_and(|(x, y)| x <= "12:00" && "12:00" < y))
        })
        .count();
    let rows = csv(&dir.path().join("intraday/intraday.csv"));
    let noon = rows.iter().find(|r| r["interval_start"] == "2026-11-27 12:00").unwrap();
    assert_eq!(noon["rostered_agents"].parse::<usize>().unwrap(), noon_cards, "{noon:?}");
}

#[test]
fn backtest_scores_the_update_against_no_update_and_the_ratio_method() {
    let o = ringcast(&[
        "backtest",
        "--history",
        "data/history.csv",
        "--media",
        "data/media_history.csv",
        "--config",
        "data/centre.toml",
        "--from",
        "2026-11-16",
        "--to",
        "2026-11-20",
        "--window-days",
        "200",
        "--intraday",
        "10:00,14:00",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    for t in ["10:00", "14:00"] {
        for m in ["no_update", "ratio", "ringcast_update"] {
            assert_eq!(v[t][m]["days_scored"], 5, "{t} {m}: {v}");
            assert!(v[t][m]["rmse_mean"].as_f64().unwrap() > 0.0);
        }
    }
    let o = ringcast(&[
        "backtest",
        "--history",
        "data/history.csv",
        "--from",
        "2026-11-16",
        "--to",
        "2026-11-20",
        "--intraday",
        "10:07",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--intraday 10:07"), "{}", stderr(&o));
}
