//! Property-based fuzzing of ingestion: malformed files of every kind — call
//! history, media plans, agents, requirements, forecast files, the config and
//! its shift families — must give `Ok` or a clear `Err`, never a panic.
//!
//! CI runs a short smoke (64 cases per target); a long local run sets
//! `RINGCAST_FUZZ_CASES`, e.g. `RINGCAST_FUZZ_CASES=200000 cargo test --release --lib fuzz`.

use crate::config::{CentreConfig, ChannelKinds};
use crate::ingest::agents::load_agents;
use crate::ingest::history::{load_history_with, HistoryOptions};
use crate::ingest::media::load_media_plan;
use crate::ingest::requirements::{load_call_series, load_requirements};
use proptest::prelude::*;
use std::path::Path;

fn cases() -> u32 {
    std::env::var("RINGCAST_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64)
}

/// Cells that look like what telephony exports and spreadsheets produce, and
/// what they get wrong.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("NaN".to_string()),
        Just("-1".to_string()),
        Just("1e309".to_string()),
        Just("2026-03-29 01:30".to_string()),
        Just("2026-10-25 01:00".to_string()),
        Just("\"quoted,comma\"".to_string()),
        Just("\"unterminated".to_string()),
        (0u32..2000).prop_map(|n| n.to_string()),
        (0.0f64..1e4).prop_map(|x| format!("{x:.3}")),
        (0i64..200_000, 0u32..96).prop_map(|(d, s)| {
            let t = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap()
                + chrono::Duration::days(d % 1000)
                + chrono::Duration::minutes(s as i64 * 15);
            t.format("%Y-%m-%d %H:%M").to_string()
        }),
        "[ -~]{0,12}",
        any::<String>(),
        Just("1e12".to_string()),
        Just("9999-12-31 08:00".to_string()),
        Just("mon-fri".to_string()),
        Just("08:00".to_string()),
        Just("25:61".to_string()),
    ]
}

fn csv(headers: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    let header = prop::sample::subsequence(headers.to_vec(), 0..=headers.len());
    (
        header,
        prop::collection::vec(prop::collection::vec(cell(), 0..6), 0..30),
        prop_oneof![Just(","), Just(";"), Just("\t")],
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(h, rows, sep, crlf, bom)| {
            let nl = if crlf { "\r\n" } else { "\n" };
            let mut s = String::new();
            if bom {
                s.push('\u{feff}');
            }
            s.push_str(&h.join(sep));
            s.push_str(nl);
            for r in rows {
                s.push_str(&r.join(sep));
                s.push_str(nl);
            }
            s.into_bytes()
        })
}

fn write(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path().join("f.csv");
    std::fs::write(&p, bytes).expect("write");
    (dir, p)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn history_never_panics(bytes in prop_oneof![
        csv(&["interval_start", "date", "time", "calls", "answered", "abandoned", "aht", "queue", "outcome", "wait_seconds", "arrival", "handle_seconds"]),
        prop::collection::vec(any::<u8>(), 0..400),
    ]) {
        let (_d, p) = write(&bytes);
        let tz: chrono_tz::Tz = "Europe/London".parse().unwrap();
        let _ = load_history_with(&p, &HistoryOptions::default());
        let _ = load_history_with(&p, &HistoryOptions { tz: Some(tz), ..Default::default() });
    }

    #[test]
    fn media_plan_never_panics(bytes in prop_oneof![
        csv(&["id", "channel", "start", "end", "spend", "grps", "campaign", "station"]),
        prop::collection::vec(any::<u8>(), 0..400),
    ]) {
        let (_d, p) = write(&bytes);
        let _ = load_media_plan(&p, &ChannelKinds::default());
    }

    #[test]
    fn agents_never_panic(bytes in prop_oneof![
        csv(&["id", "name", "contract", "min_weekly_hours", "max_weekly_hours", "max_days", "available_days", "earliest_start", "latest_end", "preferred_start", "queues", "primary_queue"]),
        prop::collection::vec(any::<u8>(), 0..400),
    ]) {
        let (_d, p) = write(&bytes);
        if let Ok(mut agents) = load_agents(&p) {
            let queues = vec!["sales".to_string(), "service".to_string()];
            let _ = crate::ingest::agents::resolve_queues(&mut agents, &queues, &p);
        }
    }

    /// Requirements: never a panic; an accepted file fills whole days of the
    /// calendar's grid with finite, non-negative agents.
    #[test]
    fn requirements_never_panic(bytes in prop_oneof![
        csv(&["interval_start", "required_agents"]),
        prop::collection::vec(any::<u8>(), 0..400),
    ]) {
        let (_d, p) = write(&bytes);
        let cal = crate::calendar::OpenCalendar::from_toml_text("interval_minutes = 15\n");
        if let Ok(g) = load_requirements(&p, &cal, crate::units::Fraction::new(0.3).unwrap()) {
            prop_assert_eq!(g.required.len() % g.per_day, 0);
            prop_assert!(g.required.len() <= 31 * g.per_day);
            prop_assert!(g.required.iter().all(|v| v.is_finite() && *v >= 0.0));
        }
    }

    #[test]
    fn forecast_file_never_panics(bytes in prop_oneof![
        csv(&["interval_start", "expected", "open"]),
        prop::collection::vec(any::<u8>(), 0..400),
    ]) {
        let (_d, p) = write(&bytes);
        let _ = load_call_series(&p, None);
        let _ = load_call_series(&p, crate::units::Minutes::new(15.0).ok());
    }

    /// Shift families with every kind of value: settings are built or refused
    /// naming a key, never a panic.
    #[test]
    fn shift_families_never_panic(
        earliest in prop::sample::select(vec!["\"07:00\"", "\"23:59\"", "\"25:00\"", "\"x\"", "7"]),
        latest in prop::sample::select(vec!["\"06:00\"", "\"12:00\"", "\"24:00\"", "\"\""]),
        step in prop::sample::select(vec!["0", "15", "7", "-30", "1440", "100000"]),
        span in prop::sample::select(vec!["0", "8.5", "16", "17", "-1", "1e300", "nan"]),
        paid in prop::sample::select(vec!["0", "8", "9", "-8", "1e9"]),
        days in prop::sample::select(vec!["[]", "[\"mon\"]", "[\"someday\"]", "\"mon\""]),
    ) {
        let text = format!(
            "interval_minutes = 15\n[opening_hours]\nmon = \"08:00-20:00\"\n[[scheduling.shifts]]\nname = \"f\"\nearliest_start = {earliest}\nlatest_start = {latest}\nstart_step_minutes = {step}\nspan_hours = {span}\npaid_hours = {paid}\ndays = {days}\n"
        );
        let _ = CentreConfig::from_toml(Path::new("c.toml"), &text).map(|c| crate::settings::Settings::from_config(&c, Path::new("c.toml")));
    }

    #[test]
    fn config_never_panics(text in prop_oneof![
        "[ -~\n]{0,200}",
        (prop::sample::select(vec!["target_sl", "answer_seconds", "aht_seconds", "shrinkage", "max_occupancy", "patience_seconds", "interval_minutes", "timezone", "mon"]),
         prop::sample::select(vec!["0", "-1", "1e400", "nan", "\"x\"", "0.8", "80", "[]", "\"08:00-07:00\"", "\"25:00-26:00\""]))
            .prop_map(|(k, v)| format!("interval_minutes = 15\n[service]\n{k} = {v}\n[opening_hours]\n{k} = {v}\n")),
    ]) {
        let _ = CentreConfig::from_toml(Path::new("c.toml"), &text).map(|c| crate::settings::Settings::from_config(&c, Path::new("c.toml")));
    }
}
