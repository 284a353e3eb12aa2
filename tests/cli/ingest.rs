//! Ingestion through the binary: the real files load, the sample regenerates
//! byte for byte, and bad input gets one clear line naming file, row and column.

use super::common::{refuses, ringcast, ringcast_in, root, shared_data, stderr, stdout};
use std::path::Path;

#[test]
fn help_lists_every_subcommand() {
    let o = ringcast(&["--help"]);
    assert!(o.status.success());
    let s = stdout(&o);
    for c in ["plan", "forecast", "staff", "schedule", "backtest", "impact", "synth", "check"] {
        assert!(s.contains(c), "--help lacks {c}: {s}");
    }
}

#[test]
fn us_bank_history_loads_with_no_options() {
    let Some(p) = shared_data("us_bank_2003_5min.csv") else { return };
    let o = ringcast(&["check", "--history", p.to_str().unwrap(), "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["history"]["interval_minutes"], 5);
    assert_eq!(v["history"]["days"], 164);
    assert_eq!(v["history"]["intervals_with_data"], 27716);
    assert_eq!(v["history"]["first_day"], "2003-03-03");
}

#[test]
fn anonymous_bank_call_records_load_through_their_layout() {
    let Some(p) = shared_data("anonymous_bank_feb1999_calls.tsv") else { return };
    let o = ringcast(&["check", "--history", p.to_str().unwrap(), "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["history"]["days"], 28);
    assert_eq!(v["history"]["has_abandoned"], true);
    // 33,344 records less the PHANTOM calls that never reached the queue.
    let calls = v["history"]["calls"].as_f64().unwrap();
    assert!(calls > 30_000.0 && calls < 33_344.0, "{calls}");
    assert!(v["warnings"][0].as_str().unwrap().contains("anonymous_bank layout"));
}

#[test]
fn synth_regenerates_the_bundled_sample_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let o = ringcast(&["synth", "--seed", "7", "--out", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "history.csv",
        "media_history.csv",
        "media_plan_next_week.csv",
        "agents.csv",
        "centre.toml",
        "ground_truth.json",
        "today.csv",
        "week_actuals.csv",
    ] {
        let a = std::fs::read(dir.path().join(f)).unwrap();
        let b = std::fs::read(root().join("data").join(f)).unwrap();
        assert!(a == b, "data/{f} differs from `ringcast synth --seed 7`");
    }
}

fn check_history(text: &str, needles: &[&str]) {
    refuses(&[("h.csv", text)], &["check", "--history", "h.csv"], needles);
}

#[test]
fn bad_history_files() {
    check_history("", &["h.csv", "empty"]);
    check_history("interval_start,calls\n", &["h.csv", "no data rows"]);
    check_history("when,calls\n2026-01-05 08:00,3\n", &["h.csv", "interval_start", "found columns: when, calls"]);
    check_history("interval_start,volumes\n2026-01-05 08:00,3\n", &["h.csv", "'calls'", "found columns"]);
    check_history(
        "interval_start,calls\n2026-01-05 08:00,3\n2026-01-05 08:15,-4\n",
        &["h.csv:3", "column 'calls'", "'-4'"],
    );
    check_history("interval_start,calls\n2026-01-05 08:00,3\n2026-01-05 08:15,NaN\n", &["h.csv:3", "'NaN'"]);
    check_history(
        "interval_start,calls\n2026-01-05 08:00,3\n2026-01-05 08:15,lots\n",
        &["h.csv:3", "'lots'", "calls in one interval between 0 and 100,000"],
    );
    check_history(
        "interval_start,calls\n05/01/2026 08:00,3\n",
        &["h.csv:2", "column 'interval_start'", "05/01/2026 08:00", "YYYY-MM-DD"],
    );
    check_history(
        "interval_start,calls\n2026-01-05 08:00,3\n2026-01-05 08:00,4\n",
        &["h.csv:3", "duplicate interval", "row 2"],
    );
    check_history(
        "interval_start,calls\n2026-01-05 08:00,1\n2026-01-05 08:15,1\n2026-01-05 08:20,1\n2026-01-05 08:30,1\n2026-01-05 08:45,1\n",
        &["h.csv:4", "15-minute grid"],
    );
    check_history("interval_start,calls\n2026-01-05 08:00,3\n", &["h.csv", "interval length"]);
    check_history("interval_start,queue,calls\n2026-01-05 08:00,a,1\n2026-01-05 08:00,b,1\n", &["2 queues", "--queue"]);
}

#[test]
fn non_utf8_history_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("h.csv"), b"interval_start,calls\n2026-01-05 08:00,3\n2026-01-05 08:15,\xff\n")
        .unwrap();
    let o = ringcast_in(dir.path(), &["check", "--history", "h.csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("h.csv:3") && stderr(&o).contains("UTF-8"), "{}", stderr(&o));
}

#[test]
fn odd_but_usable_history_is_accepted_with_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\u{feff}interval_start;calls\r\n2026-01-05 08:15;4\r\n2026-01-05 08:00;3\r\n";
    std::fs::write(dir.path().join("h.csv"), text).unwrap();
    let o = ringcast_in(dir.path(), &["check", "--history", "h.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("not in time order"), "{}", stderr(&o));
    assert!(stdout(&o).contains("7 calls"));
}

#[test]
fn dst_days_in_history() {
    let cfg = "timezone = \"Europe/London\"\n";
    // 25-hour day: the repeated 01:00 hour is summed, with a warning.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.toml"), cfg).unwrap();
    std::fs::write(
        dir.path().join("h.csv"),
        "interval_start,calls\n2026-10-25 00:30,1\n2026-10-25 01:00,2\n2026-10-25 01:00,3\n2026-10-25 01:30,4\n",
    )
    .unwrap();
    let o = ringcast_in(dir.path(), &["check", "--history", "h.csv", "--config", "c.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("DST"));
    // 23-hour day: a time in the skipped hour is refused.
    refuses(
        &[
            ("c.toml", cfg),
            ("h.csv", "interval_start,calls\n2026-03-29 00:30,1\n2026-03-29 01:00,1\n2026-03-29 01:30,1\n"),
        ],
        &["check", "--history", "h.csv", "--config", "c.toml"],
        &["h.csv:3", "skipped by the DST change"],
    );
}

#[test]
fn bad_media_plans() {
    let m = |text: &str, needles: &[&str]| refuses(&[("m.csv", text)], &["check", "--media", "m.csv"], needles);
    m("channel,start,spend\ntv,2026-11-24 20:14,-10\n", &["m.csv:2", "column 'spend'", "'-10'"]);
    m(
        "channel,start,end,spend\nretargeting,2026-11-25 00:00,2026-11-24 00:00,10\n",
        &["m.csv:2", "column 'end'", "at or after the start"],
    );
    m("channel,spend\ntv,10\n", &["m.csv", "missing column", "start"]);
    m("channel,start,spend\n,2026-11-24 20:14,10\n", &["m.csv:2", "column 'channel'", "empty cell"]);
    m("channel,start,spend,grps\ntv,2026-11-24 20:14,10,many\n", &["m.csv:2", "column 'grps'", "'many'"]);
    m("channel,start,spend\ntv,tomorrow,10\n", &["m.csv:2", "column 'start'", "'tomorrow'"]);
    // The backtest reads past plans through the same checks.
    let h = "interval_start,calls\n2026-11-23 08:00,5\n2026-11-23 08:15,6\n";
    refuses(
        &[("h.csv", h), ("m.csv", "channel,start,spend\ntv,2026-11-24 20:14,lots\n")],
        &["backtest", "--history", "h.csv", "--media", "m.csv", "--from", "2026-11-23", "--to", "2026-11-29"],
        &["m.csv:2", "column 'spend'", "'lots'"],
    );
}

#[test]
fn unknown_channel_is_accepted_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.csv"), "channel,start,spend\npodcast,2026-11-24 08:00,100\n").unwrap();
    let o = ringcast_in(dir.path(), &["check", "--media", "m.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("unknown channel 'podcast'"));
}

#[test]
fn bad_configs() {
    let c = |text: &str, needles: &[&str]| refuses(&[("c.toml", text)], &["check", "--config", "c.toml"], needles);
    c("[service]\ntarget_sl = 80\n", &["c.toml", "service.target_sl", "not 80"]);
    c("[service]\ntarget_sl = 1.0\nanswer_seconds = 0\n", &["service.target_sl", "below 1"]);
    c("timezone = \"Mars/Olympus\"\n", &["c.toml", "timezone", "Mars/Olympus"]);
    c("interval_minutes = 7\n", &["interval_minutes", "divides 1440"]);
    c("name = \"x\"\n[service]\nshrinkage = 0.3\nshrinkagee = 0.2\n", &["c.toml:4", "shrinkagee"]);
    c(
        "[opening_hours]\nmon='closed'\ntue='closed'\nwed='closed'\nthu='closed'\nfri='closed'\nsat='closed'\nsun='closed'\n",
        &["opening_hours", "closed every day"],
    );
    c("[opening_hours]\nmon = \"9 to 5\"\n", &["opening_hours.mon", "9 to 5"]);
    c("[service]\nmax_abandon = 0.05\n", &["service.max_abandon", "patience"]);
    c("[service]\naht_seconds = -3\n", &["service.aht_seconds"]);
}

#[test]
fn forecast_refuses_a_plan_line_outside_the_week_and_an_unlearned_channel() {
    let data = root().join("data");
    let d = |f: &str| data.join(f).to_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("p.csv");
    std::fs::write(&plan, "channel,start,spend,grps\ntv,2026-12-24 20:14,1000,5\n").unwrap();
    let args = |p: &Path| {
        vec![
            "forecast".to_string(),
            "--history".into(),
            d("history.csv"),
            "--media".into(),
            d("media_history.csv"),
            "--config".into(),
            d("centre.toml"),
            "--media-plan".into(),
            p.to_str().unwrap().to_string(),
            "--out".into(),
            dir.path().join("f.csv").to_str().unwrap().to_string(),
        ]
    };
    let a = args(&plan);
    let o = ringcast(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("p.csv:2") && stderr(&o).contains("within the planning week 2026-11-23"),
        "{}",
        stderr(&o)
    );
    std::fs::write(&plan, "channel,start,spend\npodcast,2026-11-24 08:00,100\n").unwrap();
    let o = ringcast(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("p.csv:2") && stderr(&o).contains("no response learned for channel 'podcast'"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("f.csv").exists());
}

#[test]
fn bad_agents_and_scheduling_rules_through_the_plan() {
    // Every case must stop the weekly build with exit 2 before anything is written.
    let data = root().join("data");
    let plan_with = |files: &[(&str, &str)], extra: &[&str], needles: &[&str]| {
        let dir = tempfile::tempdir().unwrap();
        for (n, t) in files {
            std::fs::write(dir.path().join(n), t).unwrap();
        }
        let mut args: Vec<String> = vec![
            "plan".into(),
            "--history".into(),
            data.join("history.csv").to_str().unwrap().into(),
            "--media".into(),
            data.join("media_history.csv").to_str().unwrap().into(),
            "--media-plan".into(),
            data.join("media_plan_next_week.csv").to_str().unwrap().into(),
            "--out".into(),
            dir.path().join("out").to_str().unwrap().into(),
        ];
        if !extra.contains(&"--config") {
            args.extend(["--config".into(), data.join("centre.toml").to_str().unwrap().into()]);
        }
        if !extra.contains(&"--agents") {
            args.extend(["--agents".into(), data.join("agents.csv").to_str().unwrap().into()]);
        }
        args.extend(extra.iter().map(|e| {
            let p = dir.path().join(e);
            if p.exists() {
                p.to_str().unwrap().to_string()
            } else {
                e.to_string()
            }
        }));
        let o = ringcast_in(dir.path(), &args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        for n in needles {
            assert!(stderr(&o).contains(n), "lacks '{n}': {}", stderr(&o));
        }
        assert!(!dir.path().join("out").join("roster.csv").exists());
    };
    let head = "id,name,contract,min_weekly_hours,max_weekly_hours,max_days,available_days,earliest_start,latest_end,preferred_start\n";
    plan_with(
        &[("a.csv", &format!("{head}A1,Ann,ft,0,0,0,mon-fri,08:00,22:00,\n"))],
        &["--agents", "a.csv"],
        &["a.csv:2", "no availability"],
    );
    plan_with(
        &[("a.csv", &format!("{head}A1,Ann,ft,0,40,5,weekdays,08:00,22:00,\n"))],
        &["--agents", "a.csv"],
        &["a.csv:2", "available_days", "weekdays"],
    );
    plan_with(
        &[("a.csv", &format!("{head}A1,Ann,ft,0,40,5,mon-fri,22:00,08:00,\n"))],
        &["--agents", "a.csv"],
        &["a.csv:2", "after earliest_start"],
    );
    plan_with(
        &[("a.csv", &format!("{head}A1,Ann,ft,0,40,9,mon-fri,08:00,22:00,\n"))],
        &["--agents", "a.csv"],
        &["a.csv:2", "max_days", "between 0 and 7"],
    );
    plan_with(
        &[("a.csv", "id|name|min_weekly_hours\nA1|Ann|10\n")],
        &["--agents", "a.csv"],
        &["a.csv:1", "split by '|'", "a comma, a semicolon or a tab"],
    );
    let cfg = std::fs::read_to_string(data.join("centre.toml")).unwrap();
    plan_with(
        &[("c.toml", &cfg.replace("paid_hours = 8\n", "paid_hours = 9\n"))],
        &["--config", "c.toml"],
        &["c.toml", "scheduling.shifts[0].paid_hours", "at most span_hours"],
    );
    plan_with(
        &[("c.toml", &cfg.replace("latest_after_minutes = 270", "latest_after_minutes = 600"))],
        &["--config", "c.toml"],
        &["scheduling.shifts[0].breaks[1].latest_after_minutes", "after the shift"],
    );
    plan_with(
        &[("c.toml", &cfg.replace("earliest_start = \"08:00\"", "earliest_start = \"8 am\""))],
        &["--config", "c.toml"],
        &["scheduling.shifts[0].earliest_start", "8 am"],
    );
    // A break the 15-minute grid cannot hold was dropped from the shifts
    // without a word; it is refused by its key.
    plan_with(
        &[("c.toml", &cfg.replace("\nminutes = 15\n", "\nminutes = 10\n"))],
        &["--config", "c.toml"],
        &["c.toml", "scheduling.shifts[0].breaks[0].minutes", "got 10", "15-minute intervals"],
    );
    plan_with(
        &[(
            "c.toml",
            &cfg.replace("target_sl = 0.8", "target_sl = 1.0").replace("answer_seconds = 20", "answer_seconds = 0"),
        )],
        &["--config", "c.toml"],
        &["service.target_sl", "below 1"],
    );
    plan_with(&[], &["--week", "2026-11-24"], &["--week 2026-11-24", "Monday"]);
}

#[test]
fn a_queue_of_call_records_is_chosen_or_refused_by_name() {
    let records = "arrival,queue,wait_seconds,outcome,handle_seconds\n2026-01-05 08:01,sales,10,answered,200\n2026-01-05 08:02,service,5,answered,100\n2026-01-05 08:03,sales,40,abandoned,0\n";
    refuses(
        &[("c.csv", records)],
        &["check", "--history", "c.csv", "--queue", "billing"],
        &["c.csv:1", "column 'queue'", "queue 'billing' not found", "sales, service"],
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.csv"), records).unwrap();
    let o = ringcast_in(dir.path(), &["check", "--history", "c.csv", "--queue", "sales", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["history"]["calls"], 2.0);
    let o = ringcast_in(dir.path(), &["check", "--history", "c.csv", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["history"]["calls"], 3.0, "without --queue every queue is read, with a warning");
    assert!(v["warnings"][1].as_str().unwrap().contains("2 queues (sales, service)"), "{v}");
}

#[test]
fn check_with_a_config_counts_calls_the_calendar_calls_closed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("c.toml"),
        "[opening_hours]\nmon = \"09:00-17:00\"\nclosed_dates = [\"2026-01-06\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("h.csv"),
        "interval_start,calls\n2026-01-05 08:45,4\n2026-01-05 09:00,5\n2026-01-05 09:15,6\n2026-01-06 09:00,7\n",
    )
    .unwrap();
    let o = ringcast_in(dir.path(), &["check", "--history", "h.csv", "--config", "c.toml"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("4 calls outside the configured opening hours and 7 on configured closed dates"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_history_with_blank_lines_at_the_end_is_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("h.csv"), "interval_start,calls\n2026-01-05 08:00,3\n2026-01-05 08:15,4\n\n,\n\n")
        .unwrap();
    let o = ringcast_in(dir.path(), &["check", "--history", "h.csv", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["history"]["calls"], 7.0);
}

/// Numbers beyond their plausible range (docs/formats.md) end in an error
/// naming file, row, column, value and range — not in a computation that runs
/// for minutes (these values did) or a forecast of 10²⁰³ calls.
#[test]
fn implausible_numbers_are_refused_with_their_range() {
    check_history(
        "interval_start,calls\n2026-01-05 08:00,3\n2026-01-05 08:15,1e12\n",
        &["h.csv:3", "column 'calls'", "'1e12'", "between 0 and 100,000"],
    );
    check_history(
        "interval_start,calls,aht\n2026-01-05 08:00,3,1e7\n",
        &["h.csv:2", "column 'aht'", "handle time in seconds between 0 and 14,400"],
    );
    check_history("interval_start,calls\n9999-01-05 08:00,3\n", &["h.csv:2", "9999-01-05", "1970 to 2200"]);
    check_history(
        "interval_start,calls\n1970-01-05 08:00,3\n1970-01-05 08:15,3\n2200-01-05 08:00,4\n",
        &["h.csv:4", "within 7320 days"],
    );
    let m = |text: &str, needles: &[&str]| refuses(&[("m.csv", text)], &["check", "--media", "m.csv"], needles);
    m("channel,start,spend,grps\ntv,2026-11-24 20:14,10,1e9\n", &["m.csv:2", "column 'grps'", "between 0 and 10,000"]);
    m("channel,start,spend\ntv,2026-11-24 20:14,1e300\n", &["m.csv:2", "column 'spend'", "10,000,000,000"]);
    // A 1 MB cell is not echoed whole.
    let long = format!("interval_start,calls\n2026-01-05 08:00,{}\n", "9".repeat(1_000_000));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("h.csv"), long).unwrap();
    let o = ringcast_in(dir.path(), &["check", "--history", "h.csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).len() < 500 && stderr(&o).contains("(1000000 characters)"), "{}", stderr(&o).len());
}

/// A row with a field too many is named by its row; so are config keys of
/// every kind of mistake.
#[test]
fn extra_fields_and_config_mistakes_name_their_place() {
    check_history(
        "interval_start,calls\n2026-01-05 08:00,3\n2026-01-05 08:15,4,99\n",
        &["h.csv:3", "3 fields", "2 columns"],
    );
    let config = |text: &str, needles: &[&str]| refuses(&[("c.toml", text)], &["check", "--config", "c.toml"], needles);
    config("[channels]\npodcast = \"spott\"\n", &["c.toml:2", "key 'channels.podcast'", "spott"]);
    config(
        "[opening_hours]\nclosed_dates = [\"2026-12-25\", \"2026-02-30\"]\n",
        &["c.toml:2", "key 'opening_hours.closed_dates[1]'"],
    );
    config("interval_minutes = -15\n", &["c.toml:1", "key 'interval_minutes'", "-15"]);
    config("[service]\naht_seconds = 1e9\n", &["key 'service.aht_seconds'", "between 0 and 14,400"]);
    config("[service]\npatience_seconds = 1e9\n", &["key 'service.patience_seconds'", "14,400"]);
    config("[service]\nanswer_seconds = 86400\n", &["key 'service.answer_seconds'", "3,600"]);
}

/// The staff command refuses calls beyond their range, and a load no single
/// queue carries, before any search.
#[test]
fn staff_refuses_implausible_loads() {
    let staff = |calls: &str, aht: &str| {
        ringcast(&[
            "staff",
            "--calls",
            calls,
            "--interval-minutes",
            "5",
            "--aht-seconds",
            aht,
            "--patience-seconds",
            "300",
            "--target-sl",
            "0.8",
            "--answer-seconds",
            "20",
        ])
    };
    let o = staff("1e10", "300");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--calls 10000000000") && stderr(&o).contains("100,000"), "{}", stderr(&o));
    let o = staff("100000", "14400");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("4800000 Erlangs") && stderr(&o).contains("at most 20000"), "{}", stderr(&o));
    // The largest load ringcast staffs, with Erlang A: answered (it took 64 s at 1e6 calls before).
    let o = staff("20000", "300");
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Flags out of their range name the flag, its value and what was expected,
/// before any work.
#[test]
fn backtest_and_staff_flags_out_of_range_name_the_flag() {
    let h = root().join("data/history.csv");
    let h = h.to_str().unwrap();
    let bt = |extra: &[&str], needles: &[&str]| {
        let mut args = vec!["backtest", "--history", h];
        args.extend(extra);
        let o = ringcast(&args);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
        for n in needles {
            assert!(stderr(&o).contains(n), "lacks '{n}': {}", stderr(&o));
        }
    };
    bt(
        &["--from", "2026-10-01", "--to", "2026-10-07", "--horizon-days", "0"],
        &["--horizon-days 0", "expected 1 to 366 days"],
    );
    bt(
        &["--from", "2020-01-01", "--to", "2026-10-07"],
        &["--from 2020-01-01", "after the history's first day 2024-11-25", "history.csv"],
    );
    bt(
        &["--from", "2030-01-01", "--to", "2030-01-07"],
        &["--from 2030-01-01", "up to the history's last day 2026-11-21"],
    );
    let o = ringcast(&[
        "staff",
        "--calls",
        "100",
        "--interval-minutes",
        "0.0001",
        "--aht-seconds",
        "180",
        "--target-sl",
        "0.8",
        "--answer-seconds",
        "20",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--interval-minutes 0.0001: expected an interval length in minutes between 1 and 1,440"),
        "{}",
        stderr(&o)
    );
}

/// A history that ends in weeks of rows without calls (the wrong queue, a
/// broken feed) warns naming the span, in `check` and in `plan`.
#[test]
fn a_history_whose_last_weeks_are_silent_warns_naming_the_span() {
    let text = std::fs::read_to_string(root().join("data/history.csv")).unwrap();
    let mut out = String::new();
    for (k, line) in text.lines().enumerate() {
        match line.split_once(',') {
            Some((ts, _)) if k > 0 && ts >= "2025-11-24" => out += &format!("{ts},0\n"),
            _ => out += &format!("{line}\n"),
        }
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("h.csv"), out).unwrap();
    let o = ringcast_in(dir.path(), &["check", "--history", "h.csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let want = "h.csv: the last 363 days of the history (2025-11-24 .. 2026-11-21) hold rows but no calls (the last call is on 2025-11-22)";
    assert!(stderr(&o).contains(want), "{}", stderr(&o));
    let data = root().join("data");
    let d = |f: &str| data.join(f).to_str().unwrap().to_string();
    let o = ringcast_in(
        dir.path(),
        &[
            "plan",
            "--history",
            "h.csv",
            "--config",
            &d("centre.toml"),
            "--media",
            &d("media_history.csv"),
            "--media-plan",
            &d("media_plan_next_week.csv"),
            "--agents",
            &d("agents.csv"),
            "--out",
            "out",
        ],
    );
    assert!(stderr(&o).contains(want), "{}", stderr(&o));
}
