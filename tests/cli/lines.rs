//! Lines and busy signals in the weekly build and the intraday update
//! (`[lines]`, docs/lines.md).

use crate::common::*;
use std::path::Path;

/// The bundled centre's config with `section` appended, written into `dir`.
fn config_with(dir: &Path, section: &str) -> String {
    let cfg = std::fs::read_to_string(root().join("data/centre.toml")).unwrap() + "\n" + section;
    let path = dir.join("c.toml");
    std::fs::write(&path, cfg).unwrap();
    path.to_str().unwrap().to_string()
}

/// The bundled week with `[lines] trunks = 40`, planned once.
fn plan_with_40_trunks() -> &'static (tempfile::TempDir, std::path::PathBuf, String) {
    static PLAN: std::sync::OnceLock<(tempfile::TempDir, std::path::PathBuf, String)> = std::sync::OnceLock::new();
    PLAN.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let cfg = config_with(dir.path(), "[lines]\ntrunks = 40\n");
        let out = dir.path().join("out");
        let o = ringcast(&["plan", "--config", &cfg, "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        (dir, out, stderr(&o) + &stdout(&o))
    })
}

fn num(row: &std::collections::BTreeMap<String, String>, col: &str) -> f64 {
    row[col].parse().unwrap_or(0.0)
}

/// With 40 trunks the bundled week reports busy signals per interval, per
/// day and per spot, and they sit in the minutes after the spots that cause
/// them: the intervals with the most busy signals start within half an hour
/// after a spot's air time, and each one's worst minute comes after it.
#[test]
fn busy_signals_follow_the_spots_that_cause_them() {
    let (_, out, printed) = plan_with_40_trunks();
    let rows = read_csv(&out.join("coverage.csv"));
    assert!(rows[0].contains_key("busy_signals") && rows[0].contains_key("worst_minute"));
    let total: f64 = rows.iter().map(|r| num(r, "busy_signals")).sum();
    assert!(total > 5.0, "busy signals with 40 trunks: {total}");
    let plan = read_csv(&root().join("data/media_plan_next_week.csv"));
    let spots: Vec<chrono::NaiveDateTime> = plan
        .iter()
        .filter(|l| l["channel"] == "tv" || l["channel"] == "radio")
        .map(|l| chrono::NaiveDateTime::parse_from_str(&l["start"], "%Y-%m-%d %H:%M").unwrap())
        .collect();
    let mut busiest: Vec<_> = rows.iter().filter(|r| num(r, "busy_signals") > 0.0).collect();
    busiest.sort_by(|a, b| num(b, "busy_signals").total_cmp(&num(a, "busy_signals")));
    let at = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    let first = busiest[0];
    let (start, worst) = (at(&first["interval_start"]), at(&first["worst_minute"]));
    let spot = spots
        .iter()
        .find(|s| **s <= worst && worst - **s <= chrono::Duration::minutes(30))
        .unwrap_or_else(|| panic!("the busiest interval {start} (worst minute {worst}) follows no spot: {spots:?}"));
    assert!(worst >= *spot && num(first, "worst_minute_busy_share") > 0.05, "{first:?}");
    // Evenly spread, the same calls would hardly fill 40 lines: the busy
    // share of the interval is far below its worst minute's.
    assert!(num(first, "worst_minute_busy_share") > 2.0 * num(first, "busy_share"), "{first:?}");

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let week = &summary["lines"]["week"];
    assert!((week["busy_signals"].as_f64().unwrap() - total).abs() < 0.01 * total + 0.1, "{week}");
    assert!(week["callers_lost_to_busy"].as_f64().unwrap() > 0.0);
    assert!(week["abandoned_calls"].as_f64().unwrap() > 0.0, "abandonment apart from busy signals");
    let monday = &summary["days"][0]["busy"];
    assert!(monday["busy_signals"].as_f64().unwrap() > 0.0, "{monday}");
    assert!(printed.contains("busy signals") && printed.contains("callers lost to them"), "{printed}");

    let impact = read_csv(&out.join("impact.csv"));
    let tv = impact.iter().find(|l| l["channel"] == "tv").unwrap();
    let needed: u32 = tv["lines_for_busy_target"].parse().unwrap();
    assert!(needed > 20 && num(tv, "busy_callers_if_not_told") >= 0.0, "{tv:?}");
    let flight = impact.iter().find(|l| l["channel"] == "retargeting").unwrap();
    assert_eq!(flight["lines_for_busy_target"], "", "a flight has no minute curve");
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("lines for the busy target") && html.contains("callers lost to busy signals"));
}

/// More agents on the phones than trunks: a warning that names the key.
#[test]
fn trunks_below_the_agents_on_the_phones_warn() {
    let (_, _, printed) = plan_with_40_trunks();
    assert!(printed.contains("lines.trunks = 40 is below the agents on the phones"), "{printed}");
}

/// Without `[lines]` nothing about lines appears.
#[test]
fn without_lines_no_busy_columns() {
    let rows = read_csv(&bundled_plan().join("coverage.csv"));
    assert!(!rows[0].contains_key("busy_signals"));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bundled_plan().join("summary.json")).unwrap()).unwrap();
    assert!(summary.get("lines").is_none() && summary["days"][0].get("busy").is_none());
}

/// During the day: the busy risk of the rest of the day.
#[test]
fn intraday_reports_the_busy_risk_of_the_rest_of_the_day() {
    let (dir, out, _) = plan_with_40_trunks();
    let cfg = dir.path().join("c.toml");
    let intra = dir.path().join("intraday");
    let o = ringcast(&[
        "intraday",
        "--config",
        cfg.to_str().unwrap(),
        "--actuals",
        "data/today.csv",
        "--plan",
        out.to_str().unwrap(),
        "--out",
        intra.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(intra.join("intraday.json")).unwrap()).unwrap();
    let b = &j["busy_rest"];
    assert!(b["busy_callers"].as_f64().unwrap() >= 0.0 && b["busy_share"].as_f64().is_some(), "{j}");
    assert!(stdout(&o).contains("busy signals:"), "{}", stdout(&o));
    let rows = read_csv(&intra.join("intraday.csv"));
    assert!(rows[0].contains_key("busy_callers"));
}

/// Bad values in `[lines]`: the key named, exit 2, nothing written.
#[test]
fn bad_lines_values_name_their_key() {
    let base = std::fs::read_to_string(root().join("data/centre.toml")).unwrap();
    for (section, needles) in [
        ("[lines]\ntrunks = 0\n", &["lines.trunks", "got 0"][..]),
        ("[lines]\ntrunks = -3\n", &["lines.trunks", "got -3"][..]),
        ("[lines]\ntrunks = 40\nredial_share = 1.5\n", &["lines.redial_share", "1.5"][..]),
        ("[lines]\ntrunks = 40\nredial_minutes = 0\n", &["lines.redial_minutes"][..]),
        ("[lines]\ntrunks = 40\ntarget_busy = 0.9\n", &["lines.target_busy", "0.9"][..]),
        ("[lines]\ntrunks = 40\nivr_ports = 1000000\n", &["lines.ivr_ports"][..]),
        ("[lines]\ntrunk = 40\n", &["trunk"][..]),
    ] {
        let cfg = format!("{base}\n{section}");
        let data = root().join("data");
        let args: Vec<String> = [
            "plan",
            "--config",
            "c.toml",
            "--history",
            data.join("history.csv").to_str().unwrap(),
            "--media",
            data.join("media_history.csv").to_str().unwrap(),
            "--media-plan",
            data.join("media_plan_next_week.csv").to_str().unwrap(),
            "--agents",
            data.join("agents.csv").to_str().unwrap(),
            "--out",
            "out",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        refuses(&[("c.toml", &cfg)], &args, needles);
    }
}
