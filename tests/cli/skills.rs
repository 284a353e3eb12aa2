//! Agents who take several queues (issue #32's targets): generated centres
//! whose agents are given no second skill, every skill, or a chain of two.

use super::common::{ringcast, stderr};
use super::plan::csv;
use std::path::Path;

/// A generated centre of `queues` queues and `agents` agents.
fn centre(dir: &Path, queues: &str, agents: &str) {
    let out = dir.to_str().unwrap();
    let o = ringcast(&["synth", "--queues", queues, "--agents", agents, "--weeks", "26", "--seed", "3", "--out", out]);
    assert!(o.status.success(), "{}", stderr(&o));
    let config = std::fs::read_to_string(dir.join("centre.toml")).unwrap();
    let routing = "\n[routing]\npolicy = \"primary-first-longest-idle\"\n";
    std::fs::write(dir.join("centre.toml"), config + routing).unwrap();
}

/// The centre's agents file with each agent's queues rewritten by `skills`
/// (from their primary and the queues in name order).
fn agents_with(dir: &Path, name: &str, skills: impl Fn(&str, &[String]) -> Vec<String>) -> std::path::PathBuf {
    let rows = csv(&dir.join("agents.csv"));
    let mut queues: Vec<String> = rows.iter().map(|r| r["primary_queue"].clone()).collect();
    queues.sort();
    queues.dedup();
    let header = std::fs::read_to_string(dir.join("agents.csv")).unwrap().lines().next().unwrap().to_string();
    let mut text = header.clone() + "\n";
    for r in &rows {
        let cells: Vec<String> = header
            .split(',')
            .map(|h| if h == "queues" { skills(&r["primary_queue"], &queues).join(";") } else { r[h].clone() })
            .collect();
        text += &(cells.join(",") + "\n");
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `plan` (`--all-queues`, or one merged history) into `out`; its summary.
fn plan(dir: &Path, history: &str, all_queues: bool, agents: &Path, out: &str) -> serde_json::Value {
    let f = |n: &str| dir.join(n).to_str().unwrap().to_string();
    let out = f(out);
    let (media, plan, config) = (f("media_history.csv"), f("media_plan_next_week.csv"), f("centre.toml"));
    let mut args = vec!["plan", "--history", history, "--media", &media];
    args.extend(["--media-plan", &plan, "--config", &config, "--agents", agents.to_str().unwrap(), "--out", &out]);
    if all_queues {
        args.push("--all-queues");
    }
    let o = ringcast(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&std::fs::read_to_string(Path::new(&out).join("summary.json")).unwrap()).unwrap()
}

/// The centre's history with every queue's calls added up, as one queue.
fn merged_history(dir: &Path) -> String {
    let mut calls: std::collections::BTreeMap<String, f64> = Default::default();
    for r in csv(&dir.join("history.csv")) {
        *calls.entry(r["interval_start"].clone()).or_default() += r["calls"].parse::<f64>().unwrap();
    }
    let text: String = calls.iter().map(|(t, c)| format!("{t},{c}\n")).collect();
    let path = dir.join("merged.csv");
    std::fs::write(&path, "interval_start,calls\n".to_string() + &text).unwrap();
    path.to_str().unwrap().to_string()
}

fn hours(s: &serde_json::Value) -> f64 {
    s["agent_hours_needed_rostered"].as_f64().unwrap()
}

/// Every queue's simulated service level on every open day, from its own
/// summary, meets the centre's target (0.8 in the generated config).
fn every_day_meets_the_goal(out: &Path, summary: &serde_json::Value) {
    for q in summary["queues"].as_array().unwrap() {
        let own: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(out.join(q["folder"].as_str().unwrap()).join("summary.json")).unwrap(),
        )
        .unwrap();
        for d in own["days"].as_array().unwrap().iter().filter(|d| d["calls"].as_f64().unwrap() > 0.0) {
            let sl = d["simulated_service_level"]["mean"].as_f64().unwrap();
            assert!(sl >= 0.8, "{} on {}: simulated {sl}", q["queue"], d["date"]);
        }
        assert!(q["simulated_service_level"].as_f64().unwrap() >= 0.8, "{q}");
    }
}

/// Two queues (the centre): agents on both need what the merged
/// queue needs (within 3%); agents on one need what separate queues need
/// (within 1%); the summary names the routing and each queue's simulated
/// service level, which meets the goal on every open day.
#[test]
fn two_queues_pool_as_far_as_their_agents_skills_go() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    centre(dir, "2", "300");
    let history = dir.join("history.csv").to_str().unwrap().to_string();
    let both = agents_with(dir, "both.csv", |p, all| {
        std::iter::once(p.to_string()).chain(all.iter().filter(|q| *q != p).cloned()).collect()
    });
    let one = agents_with(dir, "one.csv", |p, _| vec![p.to_string()]);
    let merged = hours(&plan(dir, &merged_history(dir), false, &one, "merged"));
    let separate = plan(dir, &history, true, &one, "separate");
    let pooled = plan(dir, &history, true, &both, "pooled");
    assert!(separate.get("skills").is_none(), "no agent on two queues: no skills model");
    let apart = pooled["skills"]["agent_hours_needed_rostered_queues_apart"].as_f64().unwrap();
    assert!((apart / hours(&separate) - 1.0).abs() < 0.01, "{apart} vs {}", hours(&separate));
    assert!(hours(&pooled) > merged * 0.97 && hours(&pooled) < merged * 1.03, "{} vs merged {merged}", hours(&pooled));
    assert!(merged < hours(&separate) * 0.97, "pooling saves: {merged} vs {}", hours(&separate));
    assert_eq!(pooled["skills"]["routing"], "primary-first-longest-idle");
    assert!(pooled["agents_on_several_queues"].as_u64().unwrap() > 100, "{}", pooled["agents_on_several_queues"]);
    // Per skill group: both groups busy, and each answering some of the other queue's calls.
    for g in pooled["skills"]["skill_groups"].as_array().unwrap() {
        let occupancy = g["occupancy"]["mean"].as_f64().unwrap();
        let other = g["other_queue_share"]["mean"].as_f64().unwrap();
        assert!(occupancy > 0.2 && occupancy < 1.0 && other > 0.0 && other < 0.9, "{g}");
    }
    every_day_meets_the_goal(&dir.join("pooled"), &pooled);
    // The centre's page names the routing and shows the same figures.
    let page = std::fs::read_to_string(dir.join("pooled").join("report.html")).unwrap();
    assert!(page.contains("primary-first-longest-idle"), "routing not named on the page");
    super::report::numbers_match_their_sources(&dir.join("pooled"), &page, 7 + 2 * 7 + 4);
}

/// Five queues, each agent on their primary and the next queue (a chain):
/// at least 80% of the full pooling benefit, every goal met in simulation.
#[test]
fn a_chain_of_two_skills_gives_most_of_the_pooling() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    centre(dir, "5", "600");
    let history = dir.join("history.csv").to_str().unwrap().to_string();
    let chain = agents_with(dir, "chain.csv", |p, all| {
        let i = all.iter().position(|q| q == p).unwrap();
        vec![p.to_string(), all[(i + 1) % all.len()].clone()]
    });
    let full = agents_with(dir, "full.csv", |p, all| {
        std::iter::once(p.to_string()).chain(all.iter().filter(|q| *q != p).cloned()).collect()
    });
    let chained = plan(dir, &history, true, &chain, "chain");
    let pooled = hours(&plan(dir, &history, true, &full, "full"));
    let apart = chained["skills"]["agent_hours_needed_rostered_queues_apart"].as_f64().unwrap();
    let benefit = (apart - hours(&chained)) / (apart - pooled);
    assert!(
        benefit >= 0.8,
        "chain {} hours, full {pooled}, apart {apart}: {benefit:.2} of the benefit",
        hours(&chained)
    );
    every_day_meets_the_goal(&dir.join("chain"), &chained);
}

/// Without `[routing]` each shift answers one queue (the summary has no
/// skills model); a routing policy or overflow wait out of range is refused
/// naming its key.
#[test]
fn routing_is_named_in_the_config_and_checked() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let out = dir.to_str().unwrap();
    let o = ringcast(&["synth", "--queues", "2", "--agents", "60", "--weeks", "26", "--seed", "4", "--out", out]);
    assert!(o.status.success(), "{}", stderr(&o));
    let history = dir.join("history.csv").to_str().unwrap().to_string();
    let default = plan(dir, &history, true, &dir.join("agents.csv"), "default");
    assert!(default.get("skills").is_none(), "{default}");
    let config = std::fs::read_to_string(dir.join("centre.toml")).unwrap();
    for (routing, key) in [
        ("policy = \"round-robin\"", "routing.policy"),
        ("overflow_seconds = -5", "routing.overflow_seconds"),
        ("overflow_seconds = 7200", "routing.overflow_seconds"),
    ] {
        std::fs::write(dir.join("bad.toml"), format!("{config}\n[routing]\n{routing}\n")).unwrap();
        let o = ringcast(&[
            "plan",
            "--all-queues",
            "--history",
            &history,
            "--config",
            dir.join("bad.toml").to_str().unwrap(),
            "--agents",
            dir.join("agents.csv").to_str().unwrap(),
            "--out",
            dir.join("bad").to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{routing}: {}", stderr(&o));
        assert!(stderr(&o).contains(key) && stderr(&o).contains("bad.toml"), "{routing}: {}", stderr(&o));
        assert!(!dir.join("bad").exists(), "nothing written");
    }
}

/// `--cross-train N` on three queues whose agents take one queue each: every
/// pair ranked by the hours it saves (the best saves some), the same pairs
/// in the summary and cross_training.csv; without `[routing]` it is refused
/// naming the config and the key, and nothing is written.
#[test]
fn cross_training_ranks_every_pair_of_queues() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    centre(dir, "3", "150");
    let one = agents_with(dir, "one.csv", |p, _| vec![p.to_string()]);
    let f = |n: &str| dir.join(n).to_str().unwrap().to_string();
    let args = |config: &str, out: &str| {
        let mut a: Vec<String> =
            ["plan", "--all-queues", "--cross-train", "10", "--history"].map(String::from).to_vec();
        a.extend([f("history.csv"), "--media".into(), f("media_history.csv"), "--media-plan".into()]);
        a.extend([f("media_plan_next_week.csv"), "--config".into(), f(config), "--agents".into()]);
        a.extend([one.to_str().unwrap().to_string(), "--out".into(), f(out)]);
        a
    };
    let run = |config: &str, out: &str| ringcast(&args(config, out).iter().map(String::as_str).collect::<Vec<_>>());
    let o = run("centre.toml", "what_if");
    assert!(o.status.success(), "{}", stderr(&o));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("what_if/summary.json")).unwrap()).unwrap();
    let w = &summary["skills"]["cross_training"];
    assert_eq!(w["agents"], 10);
    let pairs = w["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 3, "{w}");
    let saved: Vec<f64> = pairs.iter().map(|p| p["hours_saved"].as_f64().unwrap()).collect();
    assert!(saved.windows(2).all(|s| s[0] >= s[1]), "most saved first: {saved:?}");
    assert!(saved[0] > 0.0, "ten agents on two queues save hours: {saved:?}");
    assert!(pairs.iter().all(|p| p["agents_given"] == 10), "{w}");
    let today = w["agent_hours_needed_rostered"].as_f64().unwrap();
    for p in pairs {
        let need = p["agent_hours_needed_rostered"].as_f64().unwrap();
        assert!((today - need - p["hours_saved"].as_f64().unwrap()).abs() < 1e-6, "{p}");
    }
    let rows = csv(&dir.join("what_if/cross_training.csv"));
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["queue_a"], pairs[0]["queues"][0].as_str().unwrap());
    assert!((rows[0]["hours_saved"].parse::<f64>().unwrap() - saved[0]).abs() < 0.01);
    assert!(stdout_has(&o, "cross-training"), "the terminal names the what-if");
    // No routing: refused, naming the config and the key.
    let config = std::fs::read_to_string(dir.join("centre.toml")).unwrap();
    std::fs::write(
        dir.join("plain.toml"),
        config.replace("[routing]", "").replace("policy = \"primary-first-longest-idle\"", ""),
    )
    .unwrap();
    let o = run("plain.toml", "refused");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("[routing]") && stderr(&o).contains("plain.toml"), "{}", stderr(&o));
    assert!(!dir.join("refused").exists(), "nothing written");
}

fn stdout_has(o: &std::process::Output, text: &str) -> bool {
    String::from_utf8_lossy(&o.stdout).contains(text)
}

/// Handle-time factors: agents on both queues who take 1.5 times the other
/// queue's handle time form their own skill groups, the summary gives the
/// factors, and every queue still meets its goal in simulation; without
/// `[routing]` the column is named in a warning as not used.
#[test]
fn handle_time_factors_slow_the_agents_they_name() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    centre(dir, "2", "150");
    let both = agents_with(dir, "both.csv", |p, all| {
        std::iter::once(p.to_string()).chain(all.iter().filter(|q| *q != p).cloned()).collect()
    });
    let header = std::fs::read_to_string(&both).unwrap().lines().next().unwrap().to_string();
    let mut out = header.clone() + ",handle_time_factors\n";
    for r in csv(&both) {
        let other = r["queues"].split(';').nth(1).unwrap().to_string();
        let cells: Vec<String> = header.split(',').map(|h| r[h].clone()).collect();
        out += &format!("{},{other}:1.5\n", cells.join(","));
    }
    let slow = dir.join("slow.csv");
    std::fs::write(&slow, out).unwrap();
    let history = dir.join("history.csv").to_str().unwrap().to_string();
    let summary = plan(dir, &history, true, &slow, "slow");
    for g in summary["skills"]["skill_groups"].as_array().unwrap() {
        assert_eq!(g["handle_time_factors"], serde_json::json!([1.0, 1.5]), "{g}");
    }
    every_day_meets_the_goal(&dir.join("slow"), &summary);
    let config = std::fs::read_to_string(dir.join("centre.toml")).unwrap();
    std::fs::write(
        dir.join("plain.toml"),
        config.replace("[routing]", "").replace("policy = \"primary-first-longest-idle\"", ""),
    )
    .unwrap();
    let f = |n: &str| dir.join(n).to_str().unwrap().to_string();
    let o = ringcast(&[
        "plan",
        "--all-queues",
        "--history",
        &history,
        "--media",
        &f("media_history.csv"),
        "--media-plan",
        &f("media_plan_next_week.csv"),
        "--config",
        &f("plain.toml"),
        "--agents",
        slow.to_str().unwrap(),
        "--out",
        &f("plain"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("column 'handle_time_factors' (150 agents)"), "{}", stderr(&o));
}
