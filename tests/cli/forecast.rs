//! Forecast evaluation through the binary on the published US bank protocol.

use super::common::{ringcast, shared_data, stderr, stdout};
use std::path::Path;

/// The published protocol on `history`: one day ahead over the 64 days
/// 2003-07-25 .. 2003-10-24, 100-day windows; the scores as JSON.
fn one_day_protocol(history: &Path) -> serde_json::Value {
    let o = ringcast(&[
        "backtest",
        "--history",
        history.to_str().unwrap(),
        "--from",
        "2003-07-25",
        "--to",
        "2003-10-24",
        "--window-days",
        "100",
        "--horizon-days",
        "1",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

#[test]
fn backtest_reproduces_the_reference_baselines_and_beats_the_published_peers() {
    let Some(p) = shared_data("us_bank_2003_5min.csv") else { return };
    let v = one_day_protocol(&p);
    let get = |m: &str, k: &str| v[m][k].as_f64().unwrap();
    // The protocol check: the two simple baselines reproduce the published scores.
    assert!((get("same_weekday_last_week", "rmse_mean") - 28.37).abs() < 0.01);
    assert!((get("same_weekday_last_week", "ape_mean") - 12.88).abs() < 0.01);
    assert!((get("weekday_mean", "rmse_mean") - 20.96).abs() < 0.01);
    assert!((get("weekday_mean", "ape_mean") - 9.36).abs() < 0.01);
    assert_eq!(v["weekday_mean"]["days_scored"], 64);
    // ringcast's model meets the targets of the forecast issue, below every
    // peer listed (best: RMSE 19.01, APE 8.63).
    assert!(get("ringcast_svd", "rmse_mean") <= 18.5, "{v}");
    assert!(get("ringcast_svd", "ape_mean") <= 8.4, "{v}");
    let c = get("ringcast_svd", "coverage95");
    assert!((0.93..=0.97).contains(&c), "coverage {c}");
    for m in ["ringcast_svd", "ringcast_campaign", "weekday_mean", "same_weekday_last_week"] {
        for k in ["rmse_median", "ape_median", "coverage80", "coverage95", "seconds"] {
            assert!(v[m].get(k).is_some(), "{m} lacks {k}");
        }
    }
}

#[test]
fn forecast_with_no_campaigns_equals_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("empty.csv");
    // A plan whose only line has no spend: no extra calls anywhere.
    std::fs::write(&plan, "channel,start,end,spend\nretargeting,2026-11-23 00:00,2026-11-29 23:59,0\n").unwrap();
    let out = dir.path().join("f.csv");
    let o = ringcast(&["forecast", "--media-plan", plan.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| head.iter().position(|h| *h == n).unwrap();
    let (b, e, u) = (col("baseline"), col("expected"), col("uplift_total"));
    let mut open_rows = 0;
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        assert_eq!(f[b], f[e], "{l}");
        assert_eq!(f[u], "0.000", "{l}");
        open_rows += usize::from(f[1] == "1");
    }
    assert!(open_rows > 300);
}

#[test]
fn several_queues_are_forecast_and_staffed_in_parallel() {
    let dir = tempfile::tempdir().unwrap();
    let history = std::fs::read_to_string(super::common::root().join("data/history.csv")).unwrap();
    let mut two = String::from("interval_start,queue,calls\n");
    for line in history.lines().skip(1) {
        let (t, c) = line.split_once(',').unwrap();
        let c: u64 = c.parse().unwrap();
        two += &format!("{t},sales,{c}\n{t},service,{}\n", c / 2);
    }
    let h = dir.path().join("h.csv");
    std::fs::write(&h, two).unwrap();
    let out = dir.path().join("q");
    let o = ringcast(&["forecast", "--history", h.to_str().unwrap(), "--all-queues", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["forecast_sales.csv", "forecast_service.csv", "requirements_sales.csv", "requirements_service.csv"] {
        assert!(out.join(f).exists(), "{f}");
    }
    let total = |f: &str| -> f64 {
        std::fs::read_to_string(out.join(f))
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(2).unwrap().parse::<f64>().unwrap())
            .sum()
    };
    let (sales, service) = (total("forecast_sales.csv"), total("forecast_service.csv"));
    assert!(service < 0.6 * sales && service > 0.4 * sales, "baselines {sales} vs {service}");
    // Without --all-queues, a history with two queues needs a choice.
    let o =
        ringcast(&["forecast", "--history", h.to_str().unwrap(), "--out", dir.path().join("f.csv").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--queue"));
}

#[test]
fn three_weeks_ahead_from_nine_weeks_of_history() {
    let Some(p) = shared_data("us_bank_2003_5min.csv") else { return };
    // Train on 2003-03-03 .. 05-02 (43 days with data), forecast the next 15 days with data at once.
    let o = ringcast(&[
        "backtest",
        "--history",
        p.to_str().unwrap(),
        "--from",
        "2003-05-05",
        "--to",
        "2003-05-23",
        "--window-days",
        "43",
        "--horizon-days",
        "15",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["ringcast_svd"]["days_scored"], 15);
    let rmse = v["ringcast_svd"]["rmse_mean"].as_f64().unwrap();
    assert!(rmse <= 16.9, "3-week RMSE {rmse} (best peer 16.99)");
    // The campaign-aware forecaster on nine weeks: no annual season to
    // extrapolate from so short a history (it scored RMSE 276 when it did).
    let rmse = v["ringcast_campaign"]["rmse_mean"].as_f64().unwrap();
    assert!(rmse <= 18.0, "3-week RMSE of the campaign-aware forecaster {rmse}");
}

/// On the bundled sample (campaign-heavy, known truth) the campaign-aware
/// forecaster, told the past media plans, beats the history-only methods, and
/// its 80% and 95% intervals hold about that share of the actuals.
#[test]
fn backtest_with_media_learns_the_campaigns() {
    let run = |media: bool| {
        let mut args = vec![
            "backtest",
            "--history",
            "data/history.csv",
            "--config",
            "data/centre.toml",
            "--from",
            "2026-10-01",
            "--to",
            "2026-11-22",
            "--window-days",
            "300",
            "--horizon-days",
            "6",
            "--format",
            "json",
        ];
        if media {
            args.extend(["--media", "data/media_history.csv"]);
        }
        let o = ringcast(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str::<serde_json::Value>(&stdout(&o)).unwrap()
    };
    let (with, without) = (run(true), run(false));
    let get = |v: &serde_json::Value, m: &str, k: &str| v[m][k].as_f64().unwrap();
    let campaign = get(&with, "ringcast_campaign", "rmse_mean");
    assert!(campaign < get(&with, "weekday_mean", "rmse_mean"), "{with}");
    assert!(campaign < get(&with, "ringcast_svd", "rmse_mean"), "{with}");
    assert!(campaign < 0.9 * get(&without, "ringcast_campaign", "rmse_mean"), "{with} vs {without}");
    let (c80, c95) = (get(&with, "ringcast_campaign", "coverage80"), get(&with, "ringcast_campaign", "coverage95"));
    assert!((0.74..=0.86).contains(&c80) && (0.91..=0.98).contains(&c95), "coverage {c80} / {c95}");
    assert!(with["weekday_mean"]["coverage80"].is_null(), "a point forecast has no interval");
}

/// The US bank series as a 24-hour-style export would give it: the six missing
/// weekdays (holidays) written as rows of zero calls. They are closures, not
/// days nobody called: the protocol must score as on the series with gaps
/// (before they were read as data, RMSE 26.63), and the closed days must be
/// counted apart, not as perfect days.
#[test]
fn holidays_exported_as_zero_rows_are_closures() {
    let Some(p) = shared_data("us_bank_2003_5min.csv") else { return };
    let text = std::fs::read_to_string(&p).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let day_one: Vec<&Vec<&str>> = rows.iter().filter(|r| r[0] == "2003-03-03").collect();
    let mut out = format!("{header}\n");
    let mut day = chrono::NaiveDate::from_ymd_opt(2003, 3, 3).unwrap();
    let last = chrono::NaiveDate::from_ymd_opt(2003, 10, 24).unwrap();
    while day <= last {
        use chrono::Datelike;
        let ds = day.to_string();
        let of_day: Vec<&Vec<&str>> = rows.iter().filter(|r| r[0] == ds).collect();
        if day.weekday().num_days_from_monday() < 5 {
            if of_day.is_empty() {
                for r in &day_one {
                    out += &format!("{ds},{},{},0\n", r[1], r[2]);
                }
            } else {
                for r in of_day {
                    out += &(r.join(",") + "\n");
                }
            }
        }
        day += chrono::Duration::days(1);
    }
    let dir = tempfile::tempdir().unwrap();
    let zeros = dir.path().join("us_bank_zero_holidays.csv");
    std::fs::write(&zeros, out).unwrap();
    let v = one_day_protocol(&zeros);
    assert!(v["ringcast_svd"]["rmse_mean"].as_f64().unwrap() <= 18.5, "{v}");
    assert_eq!(
        (v["ringcast_svd"]["days_scored"].as_u64(), v["ringcast_svd"]["days_skipped"].as_u64()),
        (Some(64), Some(2))
    );
}

/// A generated centre whose evening TV spots bring 1.3× the calls per GRP:
/// `--fit-report` lists TV's dayparts with the evening clearly above the
/// rest; an out-of-range factor is a usage error naming the flag.
#[test]
fn fit_report_shows_a_generated_evening_daypart() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let o = ringcast(&["synth", "--out", out.to_str().unwrap(), "--tv-evening-factor", "1.3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let file = |n: &str| out.join(n).to_string_lossy().into_owned();
    let o = ringcast(&[
        "forecast",
        "--history",
        &file("history.csv"),
        "--media",
        &file("media_history.csv"),
        "--media-plan",
        &file("media_plan_next_week.csv"),
        "--config",
        &file("centre.toml"),
        "--out",
        dir.path().join("fc").to_str().unwrap(),
        "--fit-report",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = format!("{}{}", stdout(&o), stderr(&o));
    let line = text.lines().find(|l| l.starts_with("tv") && l.contains("dayparts:")).expect("tv dayparts");
    // "tv dayparts: morning ×0.99 ±6% (57 spots), ..., evening ×1.16 ±1% (315 spots)"
    let parts: Vec<(String, f64)> = line
        .split_once("dayparts: ")
        .unwrap()
        .1
        .split(", ")
        .map(|p| {
            let (name, rest) = p.split_once(" ×").unwrap();
            (name.to_string(), rest.split_whitespace().next().unwrap().parse().unwrap())
        })
        .collect();
    let evening = parts.iter().find(|p| p.0 == "evening").expect("evening").1;
    let others: Vec<f64> = parts.iter().filter(|p| p.0 != "evening").map(|p| p.1).collect();
    assert!(evening >= 1.1 * others.iter().cloned().fold(0.0, f64::max), "{line}");
    let bad = ringcast(&["synth", "--out", dir.path().join("bad").to_str().unwrap(), "--tv-evening-factor", "9"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("--tv-evening-factor 9"), "{}", stderr(&bad));
    assert!(!dir.path().join("bad").exists(), "nothing written");
}

/// `synth --tv-hill-grps` writes a Hill-curve TV truth into
/// ground_truth.json; out-of-range values, and both TV saturations at once,
/// are usage errors naming the flag, with nothing written.
#[test]
fn synth_tv_saturation_flags_are_written_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hill");
    let o = ringcast(&["synth", "--out", out.to_str().unwrap(), "--tv-hill-grps", "8"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("ground_truth.json")).unwrap()).unwrap();
    assert_eq!(truth["responses"]["tv"]["hill_half_size"].as_f64(), Some(8.0), "{}", truth["responses"]["tv"]);
    for (args, named) in [
        (vec!["--tv-grp-power", "2"], "--tv-grp-power 2"),
        (vec!["--tv-hill-grps", "0.1"], "--tv-hill-grps 0.1"),
        (vec!["--tv-hill-grps", "8", "--tv-grp-power", "1"], "--tv-hill-grps and --tv-grp-power"),
    ] {
        let bad = dir.path().join("bad");
        let mut a = vec!["synth", "--out", bad.to_str().unwrap()];
        a.extend(args);
        let o = ringcast(&a);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(named), "{}", stderr(&o));
        assert!(!bad.exists(), "nothing written");
    }
}

/// A centre with no campaign history forecasts marketing's first TV flight
/// from the config's assumed response: five spots of 8 GRPs at 5 calls per
/// GRP bring about 200 extra calls, each line labelled assumed.
#[test]
fn a_first_campaign_is_forecast_from_an_assumed_response() {
    let data = super::common::root().join("data");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let cfg = std::fs::read_to_string(data.join("centre.toml")).unwrap();
    std::fs::write(p.join("c.toml"), format!("{cfg}\n[channels.tv]\nkind = \"spot\"\nassumed_calls_per_grp = 5.0\n"))
        .unwrap();
    std::fs::write(
        p.join("plan.csv"),
        "id,channel,start,spend,grps,campaign\nT1,tv,2026-11-23 20:14,8000,8,Launch\nT2,tv,2026-11-24 19:40,8000,8,Launch\nT3,tv,2026-11-25 20:50,8000,8,Launch\nT4,tv,2026-11-26 12:10,8000,8,Launch\nT5,tv,2026-11-27 18:30,8000,8,Launch\n",
    )
    .unwrap();
    let h = data.join("history.csv");
    let a = data.join("agents.csv");
    let args = |cfg: &str| {
        vec![
            "impact".to_string(),
            "--history".into(),
            h.to_str().unwrap().into(),
            "--config".into(),
            cfg.into(),
            "--media".into(),
            "".into(),
            "--media-plan".into(),
            "plan.csv".into(),
            "--agents".into(),
            a.to_str().unwrap().into(),
            "--out".into(),
            "out".into(),
        ]
    };
    let run = |cfg: &str| {
        let args = args(cfg);
        super::common::ringcast_in(p, &args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let o = run("c.toml");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("[response assumed in the config: no past lines]"), "{}", stdout(&o));
    let rows = super::common::read_csv(&p.join("out/impact.csv"));
    let total: f64 = rows.iter().map(|r| r["extra_calls_in_week"].parse::<f64>().unwrap()).sum();
    assert!((total / 200.0 - 1.0).abs() < 0.15, "{total}");
    assert!(rows.iter().all(|r| r["response_source"] == "assumed" && r["response_lines"] == "0"));
    // Each line's daypart, and its media cost per extra call apart from the answering cost.
    let dayparts: Vec<&str> = rows.iter().map(|r| r["daypart"].as_str()).collect();
    assert_eq!(dayparts, ["evening", "evening", "evening", "afternoon", "early evening"]);
    for r in &rows {
        let media: f64 = r["media_cost_per_extra_call"].parse().unwrap();
        let extra: f64 = r["extra_calls_in_week"].parse().unwrap();
        assert!((media * extra / 8000.0 - 1.0).abs() < 0.005, "{r:?}");
    }
    // Without the assumption the message says what to set.
    std::fs::write(p.join("plain.toml"), &cfg).unwrap();
    let o = run("plain.toml");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("[channels.tv] assumed_calls_per_grp"), "{}", stderr(&o));
    // An assumption out of its range, or of the wrong kind, names its key
    // and leaves the previous outputs as they were.
    let before = std::fs::read(p.join("out/impact.csv")).unwrap();
    for (extra, key) in [
        ("[channels.tv]\nassumed_calls_per_grp = -5\n", "channels.tv.assumed_calls_per_grp"),
        ("[channels.tv]\nassumed_calls_per_grp = 5\nassumed_range_factor = 50\n", "channels.tv.assumed_range_factor"),
        ("[channels.tv]\nassumed_calls_per_1000 = 5\n", "channels.tv.assumed_calls_per_1000"),
        (
            "[channels.email]\nassumed_half_life_days = 99\nassumed_calls_per_1000 = 5\n",
            "channels.email.assumed_half_life_days",
        ),
    ] {
        std::fs::write(p.join("bad.toml"), format!("{cfg}\n{extra}")).unwrap();
        let o = run("bad.toml");
        assert_eq!(o.status.code(), Some(2), "{extra}: {}", stderr(&o));
        assert!(stderr(&o).contains(key), "{extra}: {}", stderr(&o));
        assert_eq!(std::fs::read(p.join("out/impact.csv")).unwrap(), before);
    }
}

/// With `--config`, calls an export holds in intervals the config closes are
/// not scored (they are not the forecast's to predict): the output names the
/// interval length, the intervals and days scored and what was left out, and
/// `--per-day` writes each day's scores.
#[test]
fn backtest_with_a_config_scores_only_open_intervals_and_writes_each_days_scores() {
    let dir = tempfile::tempdir().unwrap();
    let history = std::fs::read_to_string(super::common::root().join("data/history.csv")).unwrap();
    // Calls at 07:00 and 07:15 (the config opens at 08:00) on 2026-11-02 .. 2026-11-06.
    let mut text = history.clone();
    for day in 2..=6 {
        text.push_str(&format!("2026-11-{day:02} 07:00,9\n2026-11-{day:02} 07:15,11\n"));
    }
    std::fs::write(dir.path().join("h.csv"), text).unwrap();
    let per_day = dir.path().join("days.csv");
    let data = |f: &str| super::common::root().join("data").join(f).to_str().unwrap().to_string();
    let args = |h: &str| {
        vec![
            "backtest".to_string(),
            "--history".into(),
            h.to_string(),
            "--config".into(),
            data("centre.toml"),
            "--from".into(),
            "2026-11-02".into(),
            "--to".into(),
            "2026-11-07".into(),
            "--window-days".into(),
            "100".into(),
            "--per-day".into(),
            per_day.to_str().unwrap().into(),
        ]
    };
    let run = |h: &str| {
        let a = args(h);
        let o = ringcast(&a.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    let with_closed = run(dir.path().join("h.csv").to_str().unwrap());
    assert!(
        with_closed.contains("intervals of 15 minutes on 6 days")
            && with_closed.contains("10 closed interval(s) holding 100 calls left out"),
        "{with_closed}"
    );
    let rows = super::common::read_csv(&per_day);
    assert_eq!(rows.iter().filter(|r| r["method"] == "ringcast_svd").count(), 6, "{rows:?}");
    // The same intervals are scored as without the closed calls.
    let clean = run(&data("history.csv"));
    let scored = |t: &str| t.lines().find(|l| l.starts_with("scored:")).map(|l| l[..45].to_string());
    assert_eq!(scored(&with_closed), scored(&clean), "{with_closed}\n{clean}");
}

/// Four weeks of call records (the Israeli bank's February 1999, real data in
/// ../shared/data; skipped where absent): no trend is read from so short a
/// history, so the next four weeks are forecast within 5% of each other (a
/// trend once slid them 13%), and `--fit-report` says so.
#[test]
fn four_weeks_of_history_forecast_no_trend() {
    let Some(records) = super::common::shared_data("anonymous_bank_feb1999_calls.tsv") else { return };
    let dir = tempfile::tempdir().unwrap();
    let cfg = "name = \"Anonymous Bank\"\ntimezone = \"Asia/Jerusalem\"\nweek_start = \"sun\"\n[opening_hours]\nsun = \"07:00-24:00\"\nmon = \"07:00-24:00\"\ntue = \"07:00-24:00\"\nwed = \"07:00-24:00\"\nthu = \"07:00-24:00\"\nfri = \"07:00-14:00\"\nsat = \"20:00-24:00\"\n";
    std::fs::write(dir.path().join("c.toml"), cfg).unwrap();
    let mut totals = Vec::new();
    for week in ["1999-02-28", "1999-03-07", "1999-03-14", "1999-03-21"] {
        let out = dir.path().join(format!("{week}.csv"));
        let c = dir.path().join("c.toml");
        let args = [
            "forecast",
            "--history",
            records.to_str().unwrap(),
            "--config",
            c.to_str().unwrap(),
            "--media",
            "",
            "--media-plan",
            "",
        ];
        let o = ringcast(&[&args[..], &["--week", week, "--fit-report", "--out", out.to_str().unwrap()]].concat());
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("baseline trend: none"), "{}", stdout(&o));
        let total: f64 = super::common::read_csv(&out).iter().map(|r| r["expected"].parse::<f64>().unwrap()).sum();
        totals.push(total);
    }
    let (lo, hi) = totals.iter().fold((f64::MAX, 0.0f64), |(a, b), t| (a.min(*t), b.max(*t)));
    assert!(hi / lo <= 1.05, "weekly totals {totals:?}");
}

/// A Monday of the planning week closed (`closed_dates`): the Tuesday after it
/// is a reopening day, forecast above an ordinary Tuesday at a level learned
/// from the bundled history's bank holidays, and `--fit-report` says so.
#[test]
fn a_reopening_day_is_forecast_at_its_learned_level_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cfg = std::fs::read_to_string(root.join("data/centre.toml")).unwrap();
    let closed = cfg.replacen("closed_dates = [", "closed_dates = [\"2026-11-23\", ", 1);
    std::fs::write(dir.path().join("closed.toml"), closed).unwrap();
    let tuesday = |config: &Path, name: &str| -> (f64, String) {
        let out = dir.path().join(name);
        let o = ringcast(&[
            "forecast",
            "--config",
            config.to_str().unwrap(),
            "--fit-report",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let rows = super::common::read_csv(&out);
        let total = rows
            .iter()
            .filter(|r| r["interval_start"].starts_with("2026-11-24"))
            .map(|r| r["expected"].parse::<f64>().unwrap())
            .sum();
        (total, stdout(&o))
    };
    let (plain, report) = tuesday(&root.join("data/centre.toml"), "plain.csv");
    let (after, closed_report) = tuesday(&dir.path().join("closed.toml"), "closed.csv");
    let level = report.lines().find(|l| l.starts_with("calendar level: reopening day")).unwrap_or_default();
    assert!(level.contains("learned from") && level.contains("examples"), "{report}");
    assert!(!report.contains("calendar day:"), "{report}");
    assert!(closed_report.contains("calendar day: Tue 2026-11-24 reopening day ×"), "{closed_report}");
    assert!(after > 1.05 * plain, "Tuesday after a closed Monday {after:.0} vs ordinary {plain:.0}");
}
