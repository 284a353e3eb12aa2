//! Staffing through the binary.

use super::common::{ringcast, stderr, stdout};

#[test]
fn one_interval_calculator_matches_the_references() {
    let o = ringcast(&[
        "staff",
        "--calls",
        "100",
        "--interval-minutes",
        "30",
        "--aht-seconds",
        "180",
        "--target-sl",
        "0.8",
        "--answer-seconds",
        "20",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["agents"], 14);
    assert!((v["p_wait"].as_f64().unwrap() - 0.1741319).abs() < 1e-6);
    assert!((v["service_level"].as_f64().unwrap() - 0.8883500).abs() < 1e-6);
    assert!((v["asa_seconds"].as_f64().unwrap() - 7.836).abs() < 1e-3);
    assert!((v["occupancy"].as_f64().unwrap() - 0.7143).abs() < 1e-4);
    assert!(v.get("p_abandon").is_none());
    let o = ringcast(&[
        "staff",
        "--calls",
        "100",
        "--interval-minutes",
        "30",
        "--aht-seconds",
        "180",
        "--target-sl",
        "0.8",
        "--answer-seconds",
        "20",
        "--shrinkage",
        "0.3",
        "--patience-seconds",
        "300",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["agents"], 13, "Erlang A with 5-minute patience meets 80/20 with 13");
    assert!((v["p_abandon"].as_f64().unwrap() - 0.024963).abs() < 1e-6);
    assert_eq!(v["agents_with_shrinkage"], 19);
}

#[test]
fn percent_instead_of_fraction_is_refused() {
    let o = ringcast(&[
        "staff",
        "--calls",
        "100",
        "--interval-minutes",
        "30",
        "--aht-seconds",
        "180",
        "--target-sl",
        "80",
        "--answer-seconds",
        "20",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--target-sl 80") && stderr(&o).contains("not 80"), "{}", stderr(&o));
    let o = ringcast(&[
        "staff",
        "--calls",
        "100",
        "--interval-minutes",
        "30",
        "--aht-seconds",
        "180",
        "--target-sl",
        "1",
        "--answer-seconds",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot be met"), "{}", stderr(&o));
}

#[test]
fn file_mode_writes_requirements() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("f.csv");
    std::fs::write(
        &f,
        "interval_start,open,expected\n2026-11-23 07:45,0,0\n2026-11-23 08:00,1,100\n2026-11-23 08:15,1,0\n",
    )
    .unwrap();
    let out = dir.path().join("r.csv");
    let o = ringcast(&[
        "staff",
        "--forecast",
        f.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--aht-seconds",
        "180",
        "--target-sl",
        "0.8",
        "--answer-seconds",
        "20",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert_eq!(rows[0][2], "0", "closed interval");
    // 20 Erlangs: 23 agents give SL 0.702, 24 give 0.809 (independent Python check).
    assert_eq!(rows[1][2], "24", "100 calls in 15 min at 180 s");
    assert_eq!(rows[2][2], "0", "no calls");
}

#[test]
fn handle_time_and_patience_come_from_a_history_unless_a_flag_sets_them() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("calls.csv");
    std::fs::write(
        &records,
        "arrival,wait_seconds,outcome,handle_seconds\n2026-01-05 08:01,10,answered,200\n2026-01-05 08:14,40,abandoned,0\n2026-01-05 08:16,0,answered,100\n",
    )
    .unwrap();
    let one = |extra: &[&str]| {
        let base =
            ["staff", "--calls", "100", "--interval-minutes", "30", "--target-sl", "0.8", "--answer-seconds", "20"];
        let o = ringcast(&[&base[..], extra, &["--format", "json"]].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        (stdout(&o), stderr(&o))
    };
    let (learned, note) = one(&["--history", records.to_str().unwrap()]);
    assert!(note.contains("handle time 150.0 s, learned from 2 answered calls"), "{note}");
    // Patience: 50 s of queue time over 1 abandonment.
    assert!(note.contains("patience 50.0 s, learned from 1 abandoned calls"), "{note}");
    let (direct, _) = one(&["--aht-seconds", "150", "--patience-seconds", "50"]);
    assert_eq!(learned, direct);
    let (flagged, _) =
        one(&["--history", records.to_str().unwrap(), "--aht-seconds", "300", "--patience-seconds", "90"]);
    let (flags_only, _) = one(&["--aht-seconds", "300", "--patience-seconds", "90"]);
    assert_eq!(flagged, flags_only, "flags win over the history");
    assert_ne!(flagged, direct);
}

/// An interval history with a handle-time column and no answered column: the
/// mean weighs each interval by its offered calls, and says so.
#[test]
fn handle_time_of_an_interval_history_without_answered_calls_says_offered() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history.csv");
    std::fs::write(&history, "date,time,calls,aht\n2026-01-05,08:00,10,100\n2026-01-05,08:30,30,200\n").unwrap();
    let o = ringcast(&["check", "--history", history.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // (10 × 100 + 30 × 200) / 40 = 175.
    assert!(stdout(&o).contains("handle time: 175.0 s mean over 40 offered calls"), "{}", stdout(&o));
}

/// The reverse calculation: what 14 agents give on 100 calls in 30 minutes
/// at 180 s (Erlang C reference: 88.835% within 20 s, ASA 7.836 s), for one
/// interval and for every interval of a file.
#[test]
fn agents_given_report_the_service_they_give() {
    let base =
        ["staff", "--interval-minutes", "30", "--aht-seconds", "180", "--target-sl", "0.8", "--answer-seconds", "20"];
    let o = ringcast(&[&base[..], &["--calls", "100", "--agents", "14", "--format", "json"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["agents"], 14);
    assert!((v["service_level"].as_f64().unwrap() - 0.888350).abs() < 1e-5, "{v}");
    assert!((v["asa_seconds"].as_f64().unwrap() - 7.836).abs() < 1e-3, "{v}");
    let dir = tempfile::tempdir().unwrap();
    let fc = dir.path().join("fc.csv");
    std::fs::write(&fc, "interval_start,expected\n2026-01-05 08:00,100\n2026-01-05 08:30,50\n").unwrap();
    let out = dir.path().join("perf.csv");
    let o = ringcast(
        &[&base[..], &["--forecast", fc.to_str().unwrap(), "--agents", "14", "--out", out.to_str().unwrap()]].concat(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.lines().nth(1).unwrap().starts_with("2026-01-05 08:00,100.000,14,0.8884"), "{text}");
    let o = ringcast(&[&base[..], &["--calls", "100", "--agents", "1000000"]].concat());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // The target only decides how many agents to search for: not asked with --agents.
    let no_target = ["staff", "--interval-minutes", "30", "--aht-seconds", "180", "--answer-seconds", "20"];
    let o = ringcast(&[&no_target[..], &["--calls", "100", "--agents", "14", "--format", "json"]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!((v["service_level"].as_f64().unwrap() - 0.888350).abs() < 1e-5, "{v}");
    let o = ringcast(&[&no_target[..], &["--calls", "100"]].concat());
    assert_eq!(o.status.code(), Some(2), "searching agents still needs the target: {}", stderr(&o));
    assert!(stderr(&o).contains("--target-sl"), "{}", stderr(&o));
}

/// `staff --lines`: the busy share of 14 agents on 14 lines without redials
/// is Erlang B (computed here by its recursion); `--target-busy` gives the
/// fewest lines that keep it (one fewer misses); bad values name their flag.
#[test]
fn lines_give_busy_signals_and_a_busy_target_gives_the_lines() {
    let base =
        ["staff", "--calls", "100", "--interval-minutes", "30", "--aht-seconds", "180", "--answer-seconds", "20"];
    let json = |extra: &[&str]| -> serde_json::Value {
        let o = ringcast(&[&base[..], extra, &["--format", "json"]].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str(&stdout(&o)).unwrap()
    };
    // 100 calls of 180 s in 30 minutes: 10 Erlangs.
    let erlang_b = |a: f64, n: u32| (1..=n).fold(1.0, |b, k| a * b / (k as f64 + a * b));
    let v = json(&["--agents", "14", "--lines", "14", "--redial-share", "0"]);
    let busy = v["busy_share"].as_f64().unwrap();
    assert!((busy - erlang_b(10.0, 14)).abs() < 1e-9, "{busy} vs {}", erlang_b(10.0, 14));
    // With redials the attempts rise above the calls, and so does the busy share.
    let r = json(&["--agents", "14", "--lines", "14"]);
    assert!(r["attempts"].as_f64().unwrap() > 100.0 && r["busy_share"].as_f64().unwrap() > busy, "{r}");
    // The fewest lines for 1% busy, with patience: one line fewer misses it.
    let t = json(&["--agents", "14", "--patience-seconds", "120", "--target-busy", "0.01"]);
    let lines = t["lines"].as_u64().unwrap();
    assert!(t["busy_share"].as_f64().unwrap() <= 0.01, "{t}");
    let fewer = (lines - 1).to_string();
    let f = json(&["--agents", "14", "--patience-seconds", "120", "--lines", &fewer]);
    assert!(f["busy_share"].as_f64().unwrap() > 0.01, "{f}");
    // Without --agents: the fewest agents for 80/20 on the lines.
    let g = json(&["--target-sl", "0.8", "--lines", "16"]);
    assert!(g["service_level"].as_f64().unwrap() >= 0.8, "{g}");
    let n = (g["agents"].as_u64().unwrap() - 1).to_string();
    let below = json(&["--agents", &n, "--lines", "16"]);
    assert!(below["service_level"].as_f64().unwrap() < 0.8, "{below}");
    for (extra, needle) in [
        (&["--agents", "14", "--lines", "14", "--redial-share", "1.5"][..], "--redial-share 1.5"),
        (&["--agents", "14", "--target-busy", "0"][..], "--target-busy 0"),
        (&["--agents", "14", "--lines", "0"][..], "--lines 0"),
    ] {
        let o = ringcast(&[&base[..], extra].concat());
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{}", stderr(&o));
    }
    // More agents than lines: a warning, the extra agents idle.
    let o = ringcast(&[&base[..], &["--agents", "20", "--lines", "12"]].concat());
    assert!(o.status.success() && stderr(&o).contains("8 of them cannot take a call"), "{}", stderr(&o));
}
