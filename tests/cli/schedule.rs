//! Scheduling through the binary: the benchmark instances hit their published optima.

use super::common::{ringcast, root, stderr, stdout};

fn optimum(instance: &str, objective: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let o = ringcast(&[
        "schedule",
        "--requirements",
        "benches/data/week_7x96_requirements.csv",
        "--config",
        &format!("benches/data/instance_{instance}.toml"),
        "--objective",
        objective,
        "--format",
        "json",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    // The coverage written agrees with the requirement (hard objectives cover it).
    let cov = std::fs::read_to_string(dir.path().join("coverage.csv")).unwrap();
    if objective != "abs-deviation" {
        for line in cov.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let (r, s): (f64, f64) = (f[1].parse().unwrap(), f[2].parse().unwrap());
            assert!(s >= r, "under-covered: {line}");
        }
    }
    v
}

#[test]
fn instance_a_optima() {
    for (obj, want) in [("heads", 798.0), ("paid-hours", 6024.0), ("abs-deviation", 2696.0)] {
        let v = optimum("a", obj);
        assert_eq!(v["status"], "optimal");
        assert!((v["objective"].as_f64().unwrap() - want).abs() < 1e-6, "A {obj}: {v}");
    }
}

#[test]
fn instance_b_optima() {
    for (obj, want) in [("heads", 811.0), ("paid-hours", 5068.0), ("abs-deviation", 400.0)] {
        let v = optimum("b", obj);
        assert_eq!(v["status"], "optimal");
        assert!((v["objective"].as_f64().unwrap() - want).abs() < 1e-6, "B {obj}: {v}");
        assert!(v["lp_bound"].as_f64().unwrap() <= want + 1e-6);
        for k in ["heads", "paid_hours", "gap", "solve_seconds"] {
            assert!(v.get(k).is_some(), "summary lacks {k}");
        }
    }
}

/// Write a requirements file for Monday 2026-11-23 (a row per 15 minutes from
/// `from_slot` to 22:00, agents where `need` says) and schedule it with
/// instance A's config (open 07:00-22:00, the first shift at 07:00), with
/// `opening` replacing Monday's hours.
fn schedule_monday(from_slot: usize, need: impl Fn(usize) -> u32, opening: &str) -> (std::process::Output, bool) {
    let dir = tempfile::tempdir().unwrap();
    let req = dir.path().join("r.csv");
    let mut text = String::from("interval_start,required_agents\n");
    for slot in from_slot..88 {
        text += &format!("2026-11-23 {:02}:{:02},{}\n", slot / 4, slot % 4 * 15, need(slot));
    }
    std::fs::write(&req, text).unwrap();
    let cfg = std::fs::read_to_string(root().join("benches/data/instance_a.toml")).unwrap();
    let cfg_path = dir.path().join("c.toml");
    std::fs::write(&cfg_path, cfg.replacen("mon = \"07:00-22:00\"", &format!("mon = \"{opening}\""), 1)).unwrap();
    let out = dir.path().join("out");
    let o = ringcast(&[
        "schedule",
        "--requirements",
        req.to_str().unwrap(),
        "--config",
        cfg_path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    (o, out.exists())
}

#[test]
fn a_requirement_on_a_closed_interval_is_a_bad_input_naming_its_row() {
    // Two rows before opening (05:00, 05:15) ask for agents.
    let (o, written) = schedule_monday(20, |s| if s < 22 { 3 } else { u32::from(s == 32) * 2 }, "07:00-22:00");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains(
            "r.csv:2: column 'required_agents': got '3', expected 0 agents on a closed interval (Mon 2026-11-23 05:00"
        ),
        "{e}"
    );
    assert!(!written);
}

#[test]
fn an_open_interval_no_shift_can_cover_exits_3() {
    // Open from 06:00, but the first shift starts at 07:00.
    let (o, written) = schedule_monday(24, |s| if s < 26 { 3 } else { 0 }, "06:00-22:00");
    assert_eq!(o.status.code(), Some(3), "a plan that cannot be built as asked exits 3: {}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("no allowed shift covers them") && e.contains("06:00"), "{e}");
    assert!(!written);
}

#[test]
fn solver_time_limit_returns_the_best_schedule_labelled_with_its_gap() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = std::fs::read_to_string(super::common::root().join("benches/data/instance_b.toml"))
        .unwrap()
        .replace("time_limit_seconds = 60", "time_limit_seconds = 0.05");
    let cfg_path = dir.path().join("b.toml");
    std::fs::write(&cfg_path, cfg).unwrap();
    let o = ringcast(&[
        "schedule",
        "--requirements",
        "benches/data/week_7x96_requirements.csv",
        "--config",
        cfg_path.to_str().unwrap(),
        "--objective",
        "abs-deviation",
        "--format",
        "json",
        "--out",
        dir.path().join("out").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["status"], "time limit (best found)", "{v}");
    assert!(v["objective"].as_f64().unwrap() >= 400.0 && v["gap"].as_f64().unwrap() >= 0.0, "{v}");
}

/// Requirements files are checked against the config's grid and hours: a
/// missing row, a coarser export, an interval twice, a span of centuries.
#[test]
fn requirements_with_gaps_duplicates_or_another_grid_are_refused() {
    let refuse = |rows: &str, needles: &[&str]| {
        let dir = tempfile::tempdir().unwrap();
        let req = dir.path().join("req.csv");
        std::fs::write(&req, format!("interval_start,required_agents\n{rows}")).unwrap();
        let out = dir.path().join("out");
        let o = ringcast(&[
            "schedule",
            "--requirements",
            req.to_str().unwrap(),
            "--config",
            "benches/data/instance_a.toml",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{rows}: {}", stderr(&o));
        for n in needles {
            assert!(stderr(&o).contains(n), "lacks '{n}': {}", stderr(&o));
        }
        assert!(!out.exists());
    };
    let day = |skip: usize| -> String {
        (28..88).filter(|s| *s != skip).map(|s| format!("2026-11-23 {:02}:{:02},1\n", s / 4, s % 4 * 15)).collect()
    };
    refuse(&day(40), &["req.csv:14", "no row for 2026-11-23 10:00"]);
    refuse(&format!("{}2026-11-23 08:00,3\n", day(0)), &["req.csv:62", "also at row 6"]);
    let coarse: String = (14..44).map(|h| format!("2026-11-23 {:02}:{:02},1\n", h / 2, h % 2 * 30)).collect();
    refuse(&coarse, &["30 minutes apart", "15-minute intervals"]);
    refuse("1900-01-01 08:00,3\n9999-12-31 08:00,4\n", &["req.csv:2", "1970 to 2200"]);
    refuse(&format!("{}2027-03-01 08:00,1\n", day(0)), &["within 31 days"]);
}

/// Agents on the phones (`required_agents`) are rostered with the config's
/// shrinkage; agents to roster (`agents_with_shrinkage`) are taken as they are.
#[test]
fn shrinkage_applies_to_agents_on_the_phones_only() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    let text = std::fs::read_to_string(super::common::root().join("benches/data/instance_a.toml")).unwrap();
    std::fs::write(&cfg, text.replace("shrinkage = 0.0", "shrinkage = 0.5")).unwrap();
    let required = |column: &str| -> Vec<f64> {
        let req = dir.path().join(format!("{column}.csv"));
        let rows: String = (28..88).map(|s| format!("2026-11-23 {:02}:{:02},3\n", s / 4, s % 4 * 15)).collect();
        std::fs::write(&req, format!("interval_start,{column}\n{rows}")).unwrap();
        let out = dir.path().join(format!("out_{column}"));
        let o = ringcast(&[
            "schedule",
            "--requirements",
            req.to_str().unwrap(),
            "--config",
            cfg.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let text = std::fs::read_to_string(out.join("coverage.csv")).unwrap();
        text.lines().skip(1).map(|l| l.split(',').nth(1).unwrap().parse().unwrap()).filter(|v: &f64| *v > 0.0).collect()
    };
    assert!(required("required_agents").iter().all(|v| *v == 6.0), "3 on the phones at 50% shrinkage: 6 to roster");
    assert!(required("agents_with_shrinkage").iter().all(|v| *v == 3.0));
}
