//! Property-based fuzzing of ingestion: malformed files of every kind must give
//! `Ok` or a clear `Err`, never a panic.
//!
//! CI runs a short smoke (64 cases per target); a long local run sets
//! `RINGCAST_FUZZ_CASES`, e.g. `RINGCAST_FUZZ_CASES=200000 cargo test --release --lib fuzz`.

use crate::config::{CentreConfig, ChannelKinds};
use crate::ingest::history::{load_history_with, HistoryOptions};
use crate::ingest::media::load_media_plan;
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
    fn config_never_panics(text in prop_oneof![
        "[ -~\n]{0,200}",
        (prop::sample::select(vec!["target_sl", "answer_seconds", "aht_seconds", "shrinkage", "max_occupancy", "patience_seconds", "interval_minutes", "timezone", "mon"]),
         prop::sample::select(vec!["0", "-1", "1e400", "nan", "\"x\"", "0.8", "80", "[]", "\"08:00-07:00\"", "\"25:00-26:00\""]))
            .prop_map(|(k, v)| format!("interval_minutes = 15\n[service]\n{k} = {v}\n[opening_hours]\n{k} = {v}\n")),
    ]) {
        let _ = CentreConfig::from_toml(Path::new("c.toml"), &text).map(|c| crate::settings::Settings::from_config(&c, Path::new("c.toml")));
    }
}
