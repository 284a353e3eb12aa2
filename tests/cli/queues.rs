//! Several queues in one plan: a generated centre with three queues and
//! agents who take one or two of them.

use super::common::{files_under, ringcast, stderr, stdout};
use super::plan::{csv, roster_keeps_the_rules_of};
use std::path::Path;

/// A generated centre: 90 agents, 3 queues, 20 weeks of history.
fn centre(dir: &Path) {
    let out = dir.to_str().unwrap();
    let o = ringcast(&["synth", "--agents", "90", "--queues", "3", "--weeks", "20", "--seed", "5", "--out", out]);
    assert!(o.status.success(), "{}", stderr(&o));
}

fn plan_all_queues(dir: &Path, agents: &Path, out: &Path) -> std::process::Output {
    plan_centre(dir, "--all-queues", agents, out)
}

/// `plan` on the generated centre in `dir` with `which` (`--all-queues`, or
/// `--queue=NAME`).
fn plan_centre(dir: &Path, which: &str, agents: &Path, out: &Path) -> std::process::Output {
    let f = |n: &str| dir.join(n).to_str().unwrap().to_string();
    ringcast(&[
        "plan",
        which,
        "--history",
        &f("history.csv"),
        "--media",
        &f("media_history.csv"),
        "--media-plan",
        &f("media_plan_next_week.csv"),
        "--config",
        &f("centre.toml"),
        "--agents",
        agents.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
}

#[test]
fn several_queues_share_one_roster_and_each_gets_its_own_outputs() {
    let d = tempfile::tempdir().unwrap();
    centre(d.path());
    let out = d.path().join("out");
    let o = plan_all_queues(d.path(), &d.path().join("agents.csv"), &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("ground_truth.json")).unwrap()).unwrap();
    let names: Vec<String> =
        truth["queues"].as_array().unwrap().iter().map(|q| q["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(names.len(), 3);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let mut calls = 0.0;
    for name in &names {
        let folder = out.join("queues").join(name);
        for f in [
            "forecast.csv",
            "coverage.csv",
            "roster.csv",
            "summary.json",
            "roster.xlsx",
            "charts/coverage.png",
            "report.html",
        ] {
            assert!(folder.join(f).exists(), "{name}: {f} missing");
        }
        let own: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(folder.join("summary.json")).unwrap()).unwrap();
        calls += own["calls_forecast"].as_f64().unwrap();
        assert!(stdout(&o).contains(name.as_str()), "{name} not in the printed table");
    }
    assert!((summary["calls_forecast"].as_f64().unwrap() - calls).abs() < 1e-6);
    assert_eq!(summary["queues"].as_array().unwrap().len(), 3);
    // The centre's page links to each queue's report and shows the summary's numbers.
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    for name in &names {
        assert!(page.contains(&format!("href=\"queues/{name}/report.html\"")), "{name} not linked");
    }
    super::report::numbers_match_their_sources(&out, &page, 7 + 3 * 7);
    // One roster: each agent's week keeps the rules across queues, and agents
    // work only their listed queues.
    roster_keeps_the_rules_of(&d.path().join("agents.csv"), &out.join("roster.csv"));
    let rows = csv(&out.join("roster.csv"));
    let shifts = rows.iter().filter(|r| r["agent_id"] != "UNFILLED").count();
    let per_queue: usize = names
        .iter()
        .map(|n| {
            csv(&out.join("queues").join(n).join("roster.csv")).iter().filter(|r| r["agent_id"] != "UNFILLED").count()
        })
        .sum();
    assert_eq!(shifts, per_queue, "the centre roster is the queues' rosters together");
    assert!(summary["roster_bound_points"].as_f64().unwrap() <= summary["roster_cost_points"].as_f64().unwrap() + 1e-6);
}

#[test]
fn agents_listed_for_an_unknown_queue_or_a_queue_nobody_takes_are_refused() {
    let d = tempfile::tempdir().unwrap();
    centre(d.path());
    let text = std::fs::read_to_string(d.path().join("agents.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    // Row 4 as a spreadsheet shows it: the header is row 1.
    let cells: Vec<&str> = lines[3].split(',').collect();
    let n = cells.len();
    lines[3] = format!("{},nosuch,nosuch", cells[..n - 2].join(","));
    let bad = d.path().join("bad_agents.csv");
    std::fs::write(&bad, lines.join("\n") + "\n").unwrap();
    let out = d.path().join("out");
    let o = plan_all_queues(d.path(), &bad, &out);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("bad_agents.csv:4") && stderr(&o).contains("'queues'"), "{}", stderr(&o));
    assert!(stderr(&o).contains("nosuch"), "{}", stderr(&o));
    assert!(!out.join("summary.json").exists());

    // Everyone on the first queue only: the other queues have nobody.
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("ground_truth.json")).unwrap()).unwrap();
    let first = truth["queues"][0]["name"].as_str().unwrap().to_string();
    let second = truth["queues"][1]["name"].as_str().unwrap().to_string();
    let only_first: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                return l.to_string();
            }
            let cells: Vec<&str> = l.split(',').collect();
            format!("{},{first},{first}", cells[..cells.len() - 2].join(","))
        })
        .collect();
    std::fs::write(&bad, only_first.join("\n") + "\n").unwrap();
    let o = plan_all_queues(d.path(), &bad, &out);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("bad_agents.csv") && e.contains("'queues'") && e.contains(&format!("queue '{second}'")), "{e}");
    let o = ringcast(&["impact", "--all-queues", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("plan --all-queues"), "{}", stderr(&o));
}

#[test]
fn one_queue_is_rostered_with_the_agents_who_take_it() {
    let d = tempfile::tempdir().unwrap();
    centre(d.path());
    let out = d.path().join("one");
    let o = plan_centre(d.path(), "--queue=loans", &d.path().join("agents.csv"), &out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("queue loans:") && stderr(&o).contains("agents take it"), "{}", stderr(&o));
    let agents: std::collections::BTreeMap<String, String> =
        csv(&d.path().join("agents.csv")).into_iter().map(|a| (a["id"].clone(), a["queues"].clone())).collect();
    let rows = csv(&out.join("roster.csv"));
    assert!(rows.iter().any(|r| r["agent_id"] != "UNFILLED"));
    for r in rows.iter().filter(|r| r["agent_id"] != "UNFILLED") {
        let listed = &agents[&r["agent_id"]];
        assert!(listed.split(';').any(|q| q == "loans"), "{} listed for {listed} works loans", r["agent_id"]);
    }
}

/// Renaming every queue and agent of a generated centre changes no model:
/// the text outputs, names mapped back, are byte for byte the same (the
/// charts draw the names, so they are left out).
#[test]
fn renaming_every_queue_and_agent_gives_the_same_plan() {
    let a = tempfile::tempdir().unwrap();
    let o = ringcast(&[
        "synth",
        "--queues",
        "2",
        "--agents",
        "120",
        "--weeks",
        "30",
        "--seed",
        "3",
        "--out",
        a.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let b = tempfile::tempdir().unwrap();
    for f in ["media_history.csv", "media_plan_next_week.csv", "centre.toml"] {
        std::fs::copy(a.path().join(f), b.path().join(f)).unwrap();
    }
    // Queues renamed against their name order: `loans` sorts after `cards`, `../../evil` before.
    let queue_names = [("loans", "../../evil"), ("cards", "Karten-2")];
    let rename_queues = |s: &str| queue_names.iter().fold(s.to_string(), |s, (old, new)| s.replace(old, new));
    let history = std::fs::read_to_string(a.path().join("history.csv")).unwrap();
    std::fs::write(b.path().join("history.csv"), rename_queues(&history)).unwrap();
    let rows = csv(&a.path().join("agents.csv"));
    let header = std::fs::read_to_string(a.path().join("agents.csv")).unwrap().lines().next().unwrap().to_string();
    let mut agents = header.clone() + "\n";
    let mut back: Vec<(String, String)> = Vec::new();
    for r in &rows {
        let (id, name) = (
            format!("Z{}", r["id"].chars().rev().collect::<String>()),
            format!("Agent {}", r["name"].chars().rev().collect::<String>()),
        );
        back.push((id.clone(), r["id"].clone()));
        back.push((name.clone(), r["name"].clone()));
        let cells: Vec<String> = header
            .split(',')
            .map(|h| match h {
                "id" => id.clone(),
                "name" => name.clone(),
                "queues" | "primary_queue" => rename_queues(&r[h]),
                _ => r[h].clone(),
            })
            .collect();
        agents += &(cells.join(",") + "\n");
    }
    std::fs::write(b.path().join("agents.csv"), agents).unwrap();
    for (old, new) in queue_names {
        back.push((new.to_string(), old.to_string()));
        back.push((new.replace(['.', '/'], "_"), old.to_string()));
    }
    let (out_a, out_b) = (a.path().join("out"), b.path().join("out"));
    for (dir, out) in [(a.path(), &out_a), (b.path(), &out_b)] {
        let o = plan_all_queues(dir, &dir.join("agents.csv"), out);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(!stdout(&o).contains("time limit"), "a normal run ends on a node limit or the gap: {}", stdout(&o));
    }
    let map_back = |text: String| back.iter().fold(text, |t, (new, old)| t.replace(new, old));
    let text_files: Vec<_> =
        files_under(&out_a).into_iter().filter(|f| f.extension().is_some_and(|e| e == "csv" || e == "json")).collect();
    assert!(text_files.len() >= 10, "{text_files:?}");
    for f in text_files {
        let renamed = std::path::PathBuf::from(
            map_back(f.to_str().unwrap().to_string()).replace("loans", "______evil").replace("cards", "Karten-2"),
        );
        let x = std::fs::read_to_string(out_a.join(&f)).unwrap();
        let y = map_back(std::fs::read_to_string(out_b.join(&renamed)).unwrap_or_else(|e| panic!("{renamed:?}: {e}")));
        assert!(x == y, "{f:?} differs once the names are mapped back");
    }
}

/// Two queue names that write to one output folder are refused naming both.
#[test]
fn queue_names_that_share_an_output_folder_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    centre(dir.path());
    let history = std::fs::read_to_string(dir.path().join("history.csv")).unwrap();
    let names: Vec<String> = {
        let mut q: Vec<String> = history.lines().skip(1).map(|l| l.split(',').nth(1).unwrap().to_string()).collect();
        q.sort();
        q.dedup();
        q
    };
    let (x, y) = (&names[0], &names[1]);
    std::fs::write(
        dir.path().join("history.csv"),
        history.replace(&format!(",{x},"), ",a/b,").replace(&format!(",{y},"), ",A_b,"),
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = plan_all_queues(dir.path(), &dir.path().join("agents.csv"), &out);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("history.csv:") && e.contains("column 'queue'") && e.contains("'a/b' and 'A_b'")
            || e.contains("'A_b' and 'a/b'"),
        "{e}"
    );
    assert!(e.contains("both become the output folder queues/"), "{e}");
    assert!(!out.exists());
}
