//! Benchmarks of the campaign-aware forecast on the bundled sample (two years of
//! 15-minute history, five channels): learning, and the whole forecast command's
//! model part. Run: `cargo bench --bench engines`.

use criterion::{criterion_group, criterion_main, Criterion};
use ringcast::forecast::predict::ForecastModel;
use ringcast::ingest::history::load_history;
use ringcast::ingest::media::load_media_plan;
use ringcast::settings::Settings;
use std::path::Path;

fn campaign_forecast(c: &mut Criterion) {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let settings = Settings::load(&data.join("centre.toml")).expect("sample config");
    let cal = &settings.calendar;
    let h = load_history(&data.join("history.csv")).expect("sample history");
    let past = load_media_plan(&data.join("media_history.csv"), &settings.channels).expect("past plans");
    let next = load_media_plan(&data.join("media_plan_next_week.csv"), &settings.channels).expect("plan");
    let week: Vec<_> = ringcast::calendar::week_days(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
    let mut g = c.benchmark_group("forecast");
    g.sample_size(10);
    g.bench_function("fit_2y_15min_5_channels", |b| b.iter(|| ForecastModel::default().fit(&h, &past.lines)));
    let fitted = ForecastModel::default().fit(&h, &past.lines);
    g.bench_function("predict_week", |b| b.iter(|| fitted.predict(&week, cal, &next.lines).unwrap()));
    g.finish();
}

criterion_group!(benches, campaign_forecast);
criterion_main!(benches);
