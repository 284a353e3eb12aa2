//! Real exports in: ACD interval reports as centres download them (Genesys
//! Cloud, Avaya CMS, Cisco, Amazon Connect shapes, built here from the US bank
//! series), an agency's as-run log, and the config's mapping for anything
//! else. Nothing is dropped silently: every column read is reported, every
//! column not used is named, a field given twice is refused.

use super::common::{files_under, refuses, ringcast_in, root, shared_data, stderr, stdout};
use std::fmt::Write as _;
use std::path::Path;

/// One interval of the US bank series with the columns an ACD report adds:
/// answered, abandoned and a handle time that varies by interval.
struct Interval {
    date: chrono::NaiveDate,
    time: chrono::NaiveTime,
    offered: u32,
    answered: u32,
    abandoned: u32,
    aht: u32,
}

/// The US bank's 5-minute counts, with handle times of 400-499 s (a mean of
/// about 449.5 s over the answered calls) and 5% abandoned.
fn us_bank_intervals(path: &Path) -> Vec<Interval> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .skip(1)
        .enumerate()
        .map(|(k, line)| {
            let f: Vec<&str> = line.split(',').collect();
            let offered: u32 = f[3].trim().parse().unwrap();
            let abandoned = offered / 20;
            Interval {
                date: f[0].parse().unwrap(),
                time: chrono::NaiveTime::parse_from_str(f[2], "%H:%M").unwrap(),
                offered,
                answered: offered - abandoned,
                abandoned,
                aht: 400 + (k as u32 * 37) % 100,
            }
        })
        .collect()
}

/// The answered-call weighted mean handle time of the intervals.
fn mean_aht(rows: &[Interval]) -> f64 {
    let (s, n) = rows.iter().fold((0.0, 0.0), |(s, n), r| (s + (r.aht * r.answered) as f64, n + r.answered as f64));
    s / n
}

fn mss(seconds: u32) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// The export shapes, each with the text of its file.
fn exports(rows: &[Interval]) -> Vec<(&'static str, String)> {
    let mut genesys = String::from("Interval Start,Calls Offered,Calls Answered,Abandoned,Avg Handle Time (sec)\n");
    let mut avaya = String::from("Date,Interval,ACD Calls,Aban Calls,Avg ACD Time,Avg ACW Time,Avg Speed Ans\n");
    let mut cisco = String::from("Date/Time,Call Type,Calls Offered,Calls Handled,Total Abandon,AHT\n");
    let mut connect =
        String::from("StartInterval,Queue,Contacts queued,Contacts handled,Contacts abandoned,Average handle time\n");
    for r in rows {
        let iso = format!("{} {}", r.date, r.time.format("%H:%M"));
        let us_date = r.date.format("%m/%d/%Y");
        let twelve = r.time.format("%-I:%M %p");
        let end = (r.time + chrono::Duration::minutes(5)).format("%H:%M");
        writeln!(genesys, "{iso},{},{},{},{}", r.offered, r.answered, r.abandoned, r.aht).unwrap();
        // Avaya: talk and after-call work apart, as m:ss; no calls-offered column.
        writeln!(avaya, "{us_date},{twelve},{},{},{},{},0:12", r.answered, r.abandoned, mss(r.aht - 60), mss(60))
            .unwrap();
        writeln!(cisco, "{us_date} {twelve},Retail,{},{},{},0:{}", r.offered, r.answered, r.abandoned, mss(r.aht))
            .unwrap();
        writeln!(
            connect,
            "{} {}-{end},Retail,{},{},{},{}",
            r.date,
            r.time.format("%H:%M"),
            r.offered,
            r.answered,
            r.abandoned,
            r.aht
        )
        .unwrap();
    }
    let answered: u32 = rows.iter().map(|r| r.answered).sum();
    let abandoned: u32 = rows.iter().map(|r| r.abandoned).sum();
    writeln!(avaya, "Totals,,{answered},{abandoned},,,\n,,,,,,\nReport run by CMS R19,,,,,,").unwrap();
    vec![("genesys.csv", genesys), ("avaya.csv", avaya), ("cisco.csv", cisco), ("connect.csv", connect)]
}

fn check_json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["check", "--format", "json"];
    all.extend(args);
    let o = ringcast_in(dir, &all);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

#[test]
fn vendor_exports_of_the_us_bank_read_with_their_handle_time() {
    let Some(p) = shared_data("us_bank_2003_5min.csv") else { return };
    let rows = us_bank_intervals(&p);
    let truth = mean_aht(&rows);
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in exports(&rows) {
        std::fs::write(dir.path().join(name), text).unwrap();
        let v = check_json(dir.path(), &["--history", name]);
        let h = &v["history"];
        assert_eq!(h["intervals_with_data"], 27716, "{name}");
        assert_eq!(h["calls"].as_f64(), Some(5_323_661.0), "{name}");
        let aht = h["handle_time_seconds"].as_f64().unwrap_or(0.0);
        assert!((aht / truth - 1.0).abs() < 0.02, "{name}: handle time {aht} against the file's {truth}");
        let fields: Vec<&str> =
            v["readings"][0]["columns"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&"answered") && fields.contains(&"abandoned"), "{name}: {fields:?}");
        let warnings = v["warnings"].to_string();
        match name {
            "avaya.csv" => {
                assert!(warnings.contains("rows 27718-27720 skipped: a total"), "{warnings}");
                assert!(warnings.contains("column not used: 'Avg Speed Ans'"), "{warnings}");
                assert!(warnings.contains("calls offered = 'ACD Calls' + 'Aban Calls'"), "{warnings}");
            }
            "cisco.csv" | "connect.csv" => assert!(fields.contains(&"queue"), "{name}: {fields:?}"),
            _ => assert!(!warnings.contains("not used"), "{name}: {warnings}"),
        }
    }
    // The plan staffs with the file's handle time, not the 300 s default.
    let cfg = dir.path().join("usbank.toml");
    let config = std::fs::read_to_string(root().join("benches/data/us_bank.toml")).unwrap();
    std::fs::write(&cfg, config + "[simulation]\nreplications = 0\n").unwrap();
    let agents = root().join("data/agents.csv");
    let o = ringcast_in(
        dir.path(),
        &[
            "plan",
            "--history",
            "genesys.csv",
            "--config",
            "usbank.toml",
            "--media",
            "",
            "--media-plan",
            "",
            "--agents",
            agents.to_str().unwrap(),
            "--out",
            "out",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains(&format!("handle time {truth:.1} s (learned from")), "{}", stdout(&o));
}

/// The Israeli bank's call records as NICE CXone's Call Detail download
/// writes them: month-first dates, a yes/no `Abandon`, `InQueue` and
/// `Agent_Time` seconds, the skill. They read with the records' own figures.
#[test]
fn the_anonymous_bank_as_a_cxone_call_detail_export() {
    let Some(p) = shared_data("anonymous_bank_feb1999_calls.tsv") else { return };
    let text = std::fs::read_to_string(&p).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').map(str::trim).collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (date, start, queue, wait, outcome, handle, id) =
        (col("date"), col("vru_exit"), col("type"), col("q_time"), col("outcome"), col("ser_time"), col("call_id"));
    let mut out = String::from("Contact_ID,Start_Date,Start_Time,Skill_Name,InQueue,Agent_Time,Abandon\n");
    for line in lines {
        let f: Vec<&str> = line.split('\t').map(str::trim).collect();
        if f.len() < header.len() || f[outcome] == "PHANTOM" {
            continue;
        }
        let d = chrono::NaiveDate::parse_from_str(f[date], "%y%m%d").unwrap();
        let abandon = if f[outcome] == "HANG" { "Y" } else { "N" };
        writeln!(
            out,
            "{},{},{},{},{},{},{abandon}",
            f[id],
            d.format("%m/%d/%Y"),
            f[start],
            f[queue],
            f[wait],
            f[handle]
        )
        .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cxone.csv"), out).unwrap();
    let v = check_json(dir.path(), &["--history", "cxone.csv"]);
    let h = &v["history"];
    assert_eq!(h["calls"].as_f64(), Some(33_066.0));
    let aht = h["handle_time_seconds"].as_f64().unwrap();
    assert!((aht - 176.4).abs() < 0.1, "{aht}");
    assert_eq!(h["abandoned_calls"].as_f64(), Some(5_904.0));
    let fields: Vec<&str> =
        v["readings"][0]["columns"].as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["date", "arrival", "queue", "wait_seconds", "handle_seconds", "abandoned_flag"], "{v}");
}

/// `plan` on the bundled sample with the history (and config) given.
fn plan_args<'a>(history: &'a str, config: &'a str, data: &'a str) -> Vec<String> {
    let d = |f: &str| format!("{data}/{f}");
    vec![
        "plan".into(),
        "--history".into(),
        history.into(),
        "--config".into(),
        config.into(),
        "--media".into(),
        d("media_history.csv"),
        "--media-plan".into(),
        d("media_plan_next_week.csv"),
        "--agents".into(),
        d("agents.csv"),
        "--out".into(),
        "out".into(),
    ]
}

#[test]
fn a_field_given_twice_is_refused_naming_both_columns() {
    let data = root().join("data");
    let data = data.to_str().unwrap();
    let cfg = std::fs::read_to_string(root().join("data/centre.toml")).unwrap();
    for (text, needles) in [
        (
            "interval_start,calls,calls\n2026-11-16 08:00,1,2\n",
            vec!["h.csv:1: column 'calls'", "names 'calls' twice (columns B and C)"],
        ),
        (
            "interval_start,calls,offered\n2026-11-16 08:00,1,2\n",
            vec![
                "h.csv:1: column 'offered'",
                "columns 'calls' (B) and 'offered' (C) both give the field calls",
                "[history.columns]",
            ],
        ),
        (
            "interval_start,Interval Start,calls\n2026-11-16 08:00,2026-11-17 08:00,2\n",
            vec![
                "h.csv:1: column 'Interval Start'",
                "columns 'interval_start' (A) and 'Interval Start' (B) both give the field interval_start",
            ],
        ),
    ] {
        let args = plan_args("h.csv", "c.toml", data);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        refuses(&[("h.csv", text), ("c.toml", &cfg)], &args, &needles);
        refuses(&[("h.csv", text)], &["check", "--history", "h.csv"], &needles);
    }
}

#[test]
fn formats_refused_say_the_fix() {
    let h = |text: &str, needles: &[&str]| refuses(&[("h.csv", text)], &["check", "--history", "h.csv"], needles);
    h(
        "date,time,calls\n03/04/2003,07:00,1\n03/04/2003,07:15,1\n",
        &["h.csv:2: column 'date'", "ambiguous date", "date_format", "\"%m/%d/%Y\" (month first)"],
    );
    h("interval_start|calls\n2026-01-05 08:00|1\n", &["h.csv:1", "split by '|'", "a comma, a semicolon or a tab"]);
    h(
        "interval_start;calls;aht\n2026-01-05 08:00;3;312,5\n",
        &["h.csv:2: column 'aht'", "'312,5'", "use a decimal point (312.5) or set decimal = \",\""],
    );
    h(
        "interval_start,offered,Avg Handle Time\n2026-01-05 08:00,3,five minutes\n",
        &["h.csv:2: column 'Avg Handle Time'", "or m:ss, h:mm:ss"],
    );
    let c = |config: &str, needles: &[&str]| {
        refuses(
            &[("h.csv", "interval_start,calls\n2026-01-05 08:00,3\n2026-01-05 08:15,3\n"), ("c.toml", config)],
            &["check", "--history", "h.csv", "--config", "c.toml"],
            needles,
        )
    };
    c("[service]\ntarget_sl = \"80%\"\n", &["c.toml:2: key 'service.target_sl'", "write 0.8"]);
    c(
        "[history.columns]\ncalls = \"ACD Calls\"\n",
        &["c.toml: key 'history.columns.calls'", "got 'ACD Calls'", "h.csv has no such column"],
    );
    c(
        "[history.columns]\ncall = \"calls\"\n",
        &["key 'history.columns.call'", "not a field ringcast reads", "aht_seconds"],
    );
    c("[history]\ndate_format = \"%Q\"\n", &["key 'history.date_format'", "strftime"]);
    c("[history]\ndecimal = \";\"\n", &["key 'history.decimal'", "expected \".\" or \",\""]);
    refuses(
        &[
            ("h.csv", "date,time,calls\n5-1-2026,08:00,3\n5-1-2026,08:15,3\n"),
            ("c.toml", "[history]\ndate_format = \"%d/%m/%Y\"\n"),
        ],
        &["check", "--history", "h.csv", "--config", "c.toml"],
        &["h.csv:2: column 'date'", "got '5-1-2026'", "\"%d/%m/%Y\" (date_format under [history] in the config)"],
    );
    refuses(&[], &["plan", "--week", "23/11/2026", "--out", "out"], &["'23/11/2026'", "YYYY-MM-DD"]);
}

#[test]
fn odd_handle_times_warn_and_check_reports_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("h.csv"), "interval_start,calls,aht\n2026-01-05 08:00,3,5\n2026-01-05 08:15,3,6\n").unwrap();
    std::fs::write(p.join("c.toml"), "[service]\naht_seconds = 5\n").unwrap();
    let data = root().join("data");
    let d = |f: &str| data.join(f).to_str().unwrap().to_string();
    let (agents, plan, req) = (d("agents.csv"), d("media_plan_next_week.csv"), p.join("req.csv"));
    let mut rows = String::from("interval_start,required_agents,note\n");
    for q in 0..48 {
        writeln!(rows, "2026-01-05 {:02}:{:02},3,x", 8 + q / 4, (q % 4) * 15).unwrap();
    }
    std::fs::write(&req, rows).unwrap();
    let o = ringcast_in(
        p,
        &[
            "check",
            "--history",
            "h.csv",
            "--config",
            "c.toml",
            "--agents",
            &agents,
            "--media-plan",
            &plan,
            "--requirements",
            req.to_str().unwrap(),
        ],
    );
    let (out, err) = (stdout(&o), stderr(&o));
    assert!(o.status.success(), "{err}");
    assert!(err.contains("service.aht_seconds = 5: a handle time under 30 s; did you mean minutes? (300 s)"), "{err}");
    assert!(
        err.contains("2 of 2 intervals have an average handle time under 30 s")
            && err.contains("did you mean minutes?"),
        "{err}"
    );
    for line in [
        "h.csv: read",
        "  aht -> aht_seconds",
        "agents.csv: read",
        "  min_weekly_hours -> min_weekly_hours",
        "media_plan_next_week.csv: read",
        "  grps -> grps",
        "req.csv: read",
        "  not used: note",
        "agents: 150",
        "requirements: 1 days",
    ] {
        assert!(out.contains(line), "lacks {line:?}: {out}");
    }
    assert!(err.contains("req.csv: column not used: 'note'"), "{err}");
}

#[test]
fn an_as_run_log_reads_with_the_media_section() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(
        p.join("asrun.csv"),
        "Date,Time,Station,Programme,Duration,TVR,Cost\n24/11/2026,20:14,ITV1,News at Ten,30,4.5,12000\n25/11/2026,21:40,Channel 4,Film,30,2.1,6000\nTotal,,,,,6.6,18000\n",
    )
    .unwrap();
    std::fs::write(p.join("c.toml"), "[media]\nchannel = \"tv\"\ndate_format = \"%d/%m/%Y\"\n").unwrap();
    let o = ringcast_in(p, &["check", "--media-plan", "asrun.csv", "--config", "c.toml", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["media_plan"]["lines"], 2);
    assert_eq!(v["media_plan"]["channels"][0], "tv");
    assert_eq!(v["media_plan"]["spend"], 18000.0);
    assert_eq!(v["media_plan"]["first_start"], "2026-11-24 20:14:00");
    assert_eq!(v["readings"][0]["unused"], serde_json::json!(["Programme", "Duration"]));
    let w = v["warnings"].to_string();
    assert!(w.contains("row 4 skipped") && w.contains("columns not used: 'Programme', 'Duration'"), "{w}");
    // Without [media] channel the file is refused, saying what to set.
    refuses(
        &[("asrun.csv", "Date,Time,TVR,Cost\n24/11/2026,20:14,4.5,12000\n")],
        &["check", "--media", "asrun.csv"],
        &["asrun.csv: missing column for the channel", "set channel = \"tv\" under [media]"],
    );
}

/// The bundled history and media plans re-headed and re-formatted as
/// another centre's exports, with the `[history]` and `[media]` mapping
/// that reads them: the plan is the same, byte for byte.
#[test]
fn a_re_headed_re_formatted_twin_gives_a_byte_identical_plan() {
    let data = root().join("data");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let history = std::fs::read_to_string(data.join("history.csv")).unwrap();
    let mut twin = String::from("Tag;Uhrzeit;Anrufe\n");
    for line in history.lines().skip(1) {
        let (ts, calls) = line.split_once(',').unwrap();
        let t = chrono::NaiveDateTime::parse_from_str(ts, "%Y-%m-%d %H:%M").unwrap();
        writeln!(twin, "{};{};{calls}", t.format("%d.%m.%Y"), t.format("%I:%M %p")).unwrap();
    }
    std::fs::write(p.join("verlauf.csv"), twin).unwrap();
    for f in ["media_history.csv", "media_plan_next_week.csv"] {
        let text = std::fs::read_to_string(data.join(f)).unwrap();
        let mut out = String::from("Nr;Kanal;Beginn;Ende;Kosten;GRP;Kampagne;Sender\n");
        for line in text.lines().skip(1) {
            let c: Vec<&str> = line.split(',').collect();
            let when = |s: &str| {
                if s.is_empty() {
                    String::new()
                } else {
                    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
                        .unwrap()
                        .format("%d.%m.%Y %H:%M")
                        .to_string()
                }
            };
            let grps = c[5].replace('.', ",");
            writeln!(out, "{};{};{};{};{};{grps};{};{}", c[0], c[1], when(c[2]), when(c[3]), c[4], c[6], c[7]).unwrap();
        }
        std::fs::write(p.join(format!("twin_{f}")), out).unwrap();
    }
    let mut cfg = std::fs::read_to_string(data.join("centre.toml")).unwrap();
    cfg.push_str(
        "\n[history]\ndate_format = \"%d.%m.%Y\"\ntime_format = \"%I:%M %p\"\n[history.columns]\ndate = \"Tag\"\ntime = \"Uhrzeit\"\ncalls = \"Anrufe\"\n\
         [media]\ndate_format = \"%d.%m.%Y\"\ntime_format = \"%H:%M\"\ndecimal = \",\"\n[media.columns]\nid = \"Nr\"\nchannel = \"Kanal\"\nstart = \"Beginn\"\nend = \"Ende\"\nspend = \"Kosten\"\ngrps = \"GRP\"\ncampaign = \"Kampagne\"\nstation = \"Sender\"\n",
    );
    std::fs::write(p.join("twin.toml"), cfg).unwrap();
    std::fs::copy(data.join("centre.toml"), p.join("centre.toml")).unwrap();
    let run = |history: &str, config: &str, media: &str, plan: &str, out: &str| {
        let agents = data.join("agents.csv");
        let o = ringcast_in(
            p,
            &[
                "plan",
                "--history",
                history,
                "--config",
                config,
                "--media",
                media,
                "--media-plan",
                plan,
                "--agents",
                agents.to_str().unwrap(),
                "--out",
                out,
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(!stderr(&o).contains("not used"), "{}", stderr(&o));
    };
    let d = |f: &str| data.join(f).to_str().unwrap().to_string();
    run(&d("history.csv"), "centre.toml", &d("media_history.csv"), &d("media_plan_next_week.csv"), "a");
    run("verlauf.csv", "twin.toml", "twin_media_history.csv", "twin_media_plan_next_week.csv", "b");
    let files = files_under(&p.join("a"));
    assert!(files.len() > 10, "{files:?}");
    assert_eq!(files, files_under(&p.join("b")));
    for f in files {
        let (x, y) = (std::fs::read(p.join("a").join(&f)).unwrap(), std::fs::read(p.join("b").join(&f)).unwrap());
        assert!(x == y, "{f:?} differs between the file and its twin");
    }
}
