//! Forecast evaluation speed: the whole 64-origin US bank protocol (skipped
//! with a message when ../shared/data is absent).
//! Run: `cargo bench --bench forecasting`.

use criterion::{criterion_group, criterion_main, Criterion};
use ringcast::forecast::backtest::{run_protocol, CampaignInputs};
use ringcast::ingest::history::load_history;
use std::path::Path;

fn protocol(c: &mut Criterion) {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/us_bank_2003_5min.csv");
    let Ok(h) = load_history(&p) else {
        eprintln!("skipping: {} not found (real data lives beside the project)", p.display());
        return;
    };
    let d = |m, day| chrono::NaiveDate::from_ymd_opt(2003, m, day).unwrap();
    let mut g = c.benchmark_group("us_bank");
    g.sample_size(10);
    // What `ringcast backtest` runs: the baselines, the SVD model and the
    // campaign-aware forecaster (no media on this series).
    let campaign = CampaignInputs { calendar: h.opening_calendar(chrono_tz::UTC), lines: vec![] };
    g.bench_function("protocol_64_origins_all_methods", |b| {
        b.iter(|| run_protocol(&h, d(7, 25), d(10, 24), 100, 1, Some(&campaign)).len())
    });
    g.bench_function("load_27716_rows", |b| b.iter(|| load_history(&p).expect("loads").days.len()));
    g.finish();
}

criterion_group!(benches, protocol);
criterion_main!(benches);
