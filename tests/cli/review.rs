//! `ringcast review` through the binary: the week after, line by line.

use crate::common::{bundled_plan, read_csv, refuses, ringcast, ringcast_in, root, stderr, stdout};
use std::collections::BTreeMap;
use std::path::Path;

/// `ringcast review` of the bundled week against the bundled plan, into `out`.
fn review_bundled(out: &Path) -> std::process::Output {
    let plan = bundled_plan();
    ringcast(&[
        "review",
        "--actuals",
        &data("week_actuals.csv"),
        "--plan",
        plan.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
}

fn num(r: &BTreeMap<String, String>, k: &str) -> f64 {
    r[k].parse().unwrap_or_else(|_| panic!("{k} = '{}' in {r:?}", r[k]))
}

fn data(name: &str) -> String {
    root().join("data").join(name).to_str().unwrap().to_string()
}

/// The review columns the issue fixes, in review.csv.
const LINE_COLUMNS: [&str; 17] = [
    "line",
    "channel",
    "campaign",
    "station",
    "daypart",
    "start",
    "spend",
    "grps",
    "forecast_extra_calls",
    "actual_extra_calls",
    "actual_extra_calls_low95",
    "actual_extra_calls_high95",
    "ratio",
    "answered_extra_calls",
    "lost_extra_calls",
    "media_cost_per_extra_call",
    "media_cost_per_answered_call",
];

#[test]
fn the_review_of_the_bundled_week_writes_every_output_and_its_numbers_agree() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("review");
    let o = review_bundled(&out);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut names: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["report.html", "review.csv", "review.json", "review_days.csv", "review_stations.csv"]);
    let lines = read_csv(&out.join("review.csv"));
    let plan = read_csv(&root().join("data/media_plan_next_week.csv"));
    assert_eq!(lines.len(), plan.len());
    let impact: BTreeMap<String, f64> = read_csv(&bundled_plan().join("impact.csv"))
        .iter()
        .map(|r| (r["line"].clone(), num(r, "extra_calls_in_week")))
        .collect();
    for l in &lines {
        for c in LINE_COLUMNS {
            assert!(l.contains_key(c), "review.csv lacks {c}");
        }
        assert_eq!(l["status"], "planned");
        // The forecast shown is the published plan's.
        assert!((num(l, "forecast_extra_calls") - impact[&l["line"]]).abs() < 0.051, "{l:?}");
        let (a, lo, hi) =
            (num(l, "actual_extra_calls"), num(l, "actual_extra_calls_low95"), num(l, "actual_extra_calls_high95"));
        assert!(lo <= a && a <= hi, "{l:?}");
        if a > 0.5 {
            let (ans, lost) = (num(l, "answered_extra_calls"), num(l, "lost_extra_calls"));
            assert!(lost <= a && ans + lost <= a + 0.11, "answered {ans} + lost {lost} > {a}: {l:?}");
            assert!((num(l, "media_cost_per_extra_call") - num(l, "spend") / a).abs() / (num(l, "spend") / a) < 0.01);
        }
    }
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("review.json")).unwrap()).unwrap();
    let total: f64 = lines.iter().map(|l| num(l, "actual_extra_calls")).sum();
    let t = &json["totals"];
    assert!((t["actual_extra_calls"].as_f64().unwrap() - total).abs() < 0.1 * lines.len() as f64, "{t}");
    assert!(t["lost_extra_calls"].as_f64().unwrap() <= t["actual_extra_calls"].as_f64().unwrap());
    let days = read_csv(&out.join("review_days.csv"));
    assert_eq!(days.len(), 7);
    let week: f64 = read_csv(&root().join("data/week_actuals.csv")).iter().map(|r| num(r, "calls")).sum();
    let actual: f64 = days.iter().filter(|d| !d["actual"].is_empty()).map(|d| num(d, "actual")).sum();
    assert_eq!(actual, week);
    for d in days.iter().filter(|d| !d["actual"].is_empty()) {
        let parts = num(d, "baseline") + num(d, "campaigns") + num(d, "unexplained");
        assert!((parts - num(d, "actual")).abs() < 0.2, "{d:?}");
    }
    // The push nobody announced (Friday from 09:45, ground_truth.json) is the day's unexplained calls.
    let friday = days.iter().find(|d| d["day"] == "2026-11-27").unwrap();
    let others = days.iter().filter(|d| d["day"] != "2026-11-27" && !d["actual"].is_empty());
    assert!(others.map(|d| num(d, "unexplained").abs()).all(|u| u < num(friday, "unexplained")), "{days:?}");
    let stations = read_csv(&out.join("review_stations.csv"));
    for c in [
        "channel",
        "station",
        "daypart",
        "lines",
        "spend",
        "grps",
        "actual_extra_calls",
        "calls_per_unit",
        "media_cost_per_extra_call",
        "rank",
    ] {
        assert!(stations[0].contains_key(c), "review_stations.csv lacks {c}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("What each line drove") && html.contains("Stations and dayparts"), "{html}");
    assert!(stdout(&o).contains("campaign calls"), "{}", stdout(&o));
    // Same inputs, same bytes.
    let again = dir.path().join("again");
    let o = review_bundled(&again);
    assert!(o.status.success(), "{}", stderr(&o));
    for n in &names {
        assert!(
            std::fs::read(out.join(n)).unwrap() == std::fs::read(again.join(n)).unwrap(),
            "{n} differs between two runs"
        );
    }
}

/// Per-line truth from `synth` (ground_truth.json's `week_lines`) against
/// what `review` finds: the per-line WAPE, and actual / forecast in total.
fn review_against_truth(seed: u64, factor: f64) -> (f64, f64) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = ringcast_in(
        d,
        &[
            "synth",
            "--seed",
            &seed.to_string(),
            "--unannounced",
            "none",
            "--response-factor",
            &factor.to_string(),
            "--out",
            "c",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let args = [
        "review",
        "--history",
        "c/history.csv",
        "--media",
        "c/media_history.csv",
        "--media-plan",
        "c/media_plan_next_week.csv",
        "--config",
        "c/centre.toml",
        "--actuals",
        "c/week_actuals.csv",
        "--out",
        "r",
    ];
    let o = ringcast_in(d, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("c/ground_truth.json")).unwrap()).unwrap();
    let truth: BTreeMap<String, f64> = truth["week_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["id"].as_str().unwrap().to_string(), l["true_extra_calls"].as_f64().unwrap()))
        .collect();
    let rows = read_csv(&d.join("r/review.csv"));
    let (mut err, mut sum, mut actual, mut forecast) = (0.0, 0.0, 0.0, 0.0);
    for r in &rows {
        let a = num(r, "actual_extra_calls");
        err += (a - truth[&r["line"]]).abs();
        sum += truth[&r["line"]];
        actual += a;
        forecast += num(r, "forecast_extra_calls");
    }
    (err / sum, actual / forecast)
}

#[test]
fn the_review_finds_each_lines_true_calls_on_generated_weeks() {
    for seed in [1, 2, 3] {
        let (wape, ratio) = review_against_truth(seed, 1.0);
        assert!(
            wape <= 0.20 && (ratio - 1.0).abs() <= 0.15,
            "seed {seed} as learned: WAPE {wape:.3}, ratio {ratio:.3}"
        );
        let (wape, ratio) = review_against_truth(seed, 1.5);
        assert!(wape <= 0.20 && (ratio - 1.5).abs() <= 0.2, "seed {seed} at 1.5×: WAPE {wape:.3}, ratio {ratio:.3}");
    }
}

#[test]
fn an_as_run_log_moves_drops_and_adds_lines() {
    let dir = tempfile::tempdir().unwrap();
    let plan = std::fs::read_to_string(root().join("data/media_plan_next_week.csv")).unwrap();
    // L0002 aired an hour late, L0003 never aired, and a radio spot nobody planned aired on Wednesday.
    let as_run: String = plan
        .lines()
        .filter(|l| !l.starts_with("L0003,"))
        .map(|l| l.replace("L0002,tv,2026-11-23 11:38", "L0002,tv,2026-11-23 12:38"))
        .chain(std::iter::once(",radio,2026-11-25 15:05,,900,3.0,Loyalty Plus,Heart".to_string()))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.path().join("aired.csv"), as_run + "\n").unwrap();
    let out = dir.path().join("r");
    let o = ringcast(&[
        "review",
        "--actuals",
        &data("week_actuals.csv"),
        "--as-run",
        dir.path().join("aired.csv").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&out.join("review.csv"));
    let by: BTreeMap<&str, &BTreeMap<String, String>> = rows.iter().map(|r| (r["line"].as_str(), r)).collect();
    assert_eq!(by["L0002"]["status"], "moved");
    assert_eq!(by["L0002"]["start"], "2026-11-23 12:38");
    assert_eq!(by["L0002"]["planned_start"], "2026-11-23 11:38");
    assert_eq!(by["L0003"]["status"], "not_aired");
    assert_eq!(by["L0003"]["actual_extra_calls"], "");
    assert_eq!(by["L0004"]["status"], "aired");
    let unplanned: Vec<_> = rows.iter().filter(|r| r["status"] == "unplanned").collect();
    assert_eq!(unplanned.len(), 1, "{rows:?}");
    assert!(unplanned[0]["forecast_extra_calls"].is_empty() && num(unplanned[0], "actual_extra_calls") > 0.0);
}

#[test]
fn bad_review_inputs_are_refused_naming_file_row_and_column() {
    let base = |extra: &[&'static str]| -> Vec<String> {
        let mut v: Vec<String> = [
            "review",
            "--history",
            &data("history.csv"),
            "--media",
            &data("media_history.csv"),
            "--media-plan",
            &data("media_plan_next_week.csv"),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let cfg = std::fs::read_to_string(root().join("data/centre.toml")).unwrap();
    let run = |files: &[(&str, &str)], extra: &[&'static str], needles: &[&str]| {
        let args = base(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        refuses(files, &args, needles);
    };
    let week = "interval_start,calls\n2026-11-23 09:00,40\n2026-11-30 09:00,38\n";
    run(
        &[("c.toml", &cfg), ("w.csv", week)],
        &["--config", "c.toml", "--actuals", "w.csv", "--out", "out"],
        &["w.csv:3", "interval_start", "2026-11-30 09:00", "2026-11-23 .. 2026-11-29"],
    );
    let good = "interval_start,calls\n2026-11-23 09:00,40\n";
    let aired = "id,channel,start,spend,grps\nL9999,tv,2026-11-24 20:14,7200,8.5\n";
    run(
        &[("c.toml", &cfg), ("w.csv", good), ("a.csv", aired)],
        &["--config", "c.toml", "--actuals", "w.csv", "--as-run", "a.csv", "--out", "out"],
        &["a.csv:2", "column 'id'", "L9999", "the id of a line in the media plan"],
    );
    let late = "id,channel,start,spend,grps\nL0006,tv,2026-12-01 20:14,7200,8.5\n";
    run(
        &[("c.toml", &cfg), ("w.csv", good), ("a.csv", late)],
        &["--config", "c.toml", "--actuals", "w.csv", "--as-run", "a.csv", "--out", "out"],
        &["a.csv:2", "start", "2026-12-01 20:14", "in the week under review"],
    );
    let assumed = format!("{cfg}\n[channels.tv]\nkind = \"spot\"\nassumed_calls_per_grp = 20000.0\n");
    run(
        &[("c.toml", &assumed), ("w.csv", good)],
        &["--config", "c.toml", "--actuals", "w.csv", "--out", "out"],
        &["c.toml", "assumed_calls_per_grp", "20000"],
    );
}

#[test]
fn without_patience_lost_callers_are_those_not_answered_in_time_and_never_more_than_the_extra_calls() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = std::fs::read_to_string(root().join("data/centre.toml")).unwrap();
    let cfg: String = cfg.lines().filter(|l| !l.starts_with("patience_seconds")).map(|l| format!("{l}\n")).collect();
    std::fs::write(dir.path().join("c.toml"), cfg).unwrap();
    let out = dir.path().join("i");
    let o =
        ringcast(&["impact", "--config", dir.path().join("c.toml").to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("nobody is modelled as hanging up"), "{}", stdout(&o));
    for l in read_csv(&out.join("impact.csv")) {
        assert!(num(&l, "lost_calls_if_not_told") <= num(&l, "extra_calls_in_week") + 0.05, "{l:?}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("nobody is modelled as hanging up") && html.contains("response_source"), "report.html");
    // The answering and the media cost per extra call are named apart.
    let lines = read_csv(&out.join("impact.csv"));
    let groups = read_csv(&out.join("impact_campaigns.csv"));
    for rows in [&lines, &groups] {
        assert!(
            rows[0].contains_key("answering_cost_per_extra_call") && rows[0].contains_key("media_cost_per_extra_call")
        );
        assert!(!rows[0].contains_key("cost_per_extra_call"));
    }
    for g in groups.iter().filter(|g| num(g, "extra_calls_in_week") >= 0.5) {
        let media = num(g, "spend") / num(g, "extra_calls_in_week");
        assert!((num(g, "media_cost_per_extra_call") - media).abs() <= 0.01 + media * 1e-3, "{g:?}");
    }
}

/// Answered and lost come from the actuals' own columns where they have them,
/// else from a roster built from `--agents`; without either they are not
/// known, and the review says so.
#[test]
fn answered_and_lost_come_from_the_actuals_or_the_agents() {
    let dir = tempfile::tempdir().unwrap();
    let week = std::fs::read_to_string(root().join("data/week_actuals.csv")).unwrap();
    let mut with_outcomes = String::from("interval_start,calls,answered,abandoned\n");
    for l in week.lines().skip(1) {
        let (t, c) = l.split_once(',').unwrap();
        let c: u64 = c.parse().unwrap();
        with_outcomes.push_str(&format!("{t},{c},{},{}\n", c - c / 10, c / 10));
    }
    std::fs::write(dir.path().join("w.csv"), with_outcomes).unwrap();
    let review = |actuals: &str, extra: &[&str], out: &str| -> serde_json::Value {
        let out = dir.path().join(out);
        let mut args = vec!["review", "--actuals", actuals, "--out", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        let o = ringcast(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_slice(&std::fs::read(out.join("review.json")).unwrap()).unwrap()
    };
    let own = review(dir.path().join("w.csv").to_str().unwrap(), &[], "own");
    let t = &own["totals"];
    let share = t["lost_extra_calls"].as_f64().unwrap() / t["actual_extra_calls"].as_f64().unwrap();
    assert!((0.08..=0.11).contains(&share), "a tenth of each interval's calls abandoned: {share}");
    assert!(own["outcomes"].as_str().unwrap().contains("answered and abandoned calls in"), "{}", own["outcomes"]);
    let agents = review(&data("week_actuals.csv"), &["--agents", &data("agents.csv")], "agents");
    assert!(agents["outcomes"].as_str().unwrap().contains("roster built from"), "{}", agents["outcomes"]);
    assert!(agents["totals"]["answered_extra_calls"].as_f64().unwrap() > 0.0);
    let none = review(&data("week_actuals.csv"), &[], "none");
    assert!(
        none["totals"]["lost_extra_calls"].is_null() && none["outcomes"].as_str().unwrap().starts_with("not known"),
        "{none}"
    );
}
