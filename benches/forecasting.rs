//! Forecast evaluation speed: the whole 64-origin US bank protocol (skipped
//! with a message when ../shared/data is absent), and the intraday update on
//! the bundled sample (goal: `ringcast intraday` end to end under 1 s), and
//! the review of the bundled week (goal: `ringcast review` under 2 s).
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

/// The bundled Friday at 11:00: the update alone, and everything
/// `ringcast intraday` computes (inputs read and checked, refit, update,
/// re-staffing, offers) from a plan's roster.csv and forecast.csv.
fn intraday(c: &mut Criterion) {
    use ringcast::forecast::intraday::{IntradayModel, MorningDay, Seen};
    use ringcast::impact::ImpactThreshold;
    use ringcast::ingest::agents::load_agents;
    use ringcast::pipeline::intraday::{run_intraday, IntradaySources};
    use ringcast::pipeline::{build_week, forecast, load, Sources};
    use ringcast::report::tables::{forecast_csv, roster_csv};
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let sources = Sources::in_folder(&data);
    let agents = load_agents(&data.join("agents.csv")).expect("agents");
    let plan = build_week(load(&sources).expect("inputs"), agents, ImpactThreshold::default(), &|_| {}).expect("plan");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("roster.csv"), roster_csv(&plan)).expect("roster");
    std::fs::write(dir.path().join("forecast.csv"), forecast_csv(&plan.forecast)).expect("forecast");
    let loaded = load(&sources).expect("inputs");
    let (fitted, fc) = forecast(&loaded).expect("forecast");
    let friday = 4;
    let today = load_history(&data.join("today.csv")).expect("today");
    let calls: Vec<f64> = today.offered.row(0).to_vec();
    let mut g = c.benchmark_group("intraday");
    g.sample_size(20);
    g.bench_function("update_bundled_friday_at_11", |b| {
        b.iter(|| {
            let morning = MorningDay::of(&fitted, &fc, &loaded.settings.calendar, friday);
            IntradayModel::default().update(&morning, &Seen { calls: calls.clone(), at: 44 }).total.len()
        })
    });
    let s = IntradaySources {
        sources: sources.clone(),
        actuals: data.join("today.csv"),
        at: None,
        plan: dir.path().to_path_buf(),
        agents: data.join("agents.csv"),
        max_overtime_hours: 2.0,
    };
    g.bench_function("intraday_bundled_end_to_end", |b| b.iter(|| run_intraday(&s).expect("intraday").at));
    g.finish();
}

/// Everything `ringcast review` computes on the bundled week (inputs read
/// and checked, the forecast refitted, the joint attribution, the responses
/// relearned with the week), against the published plan's files.
fn review(c: &mut Criterion) {
    use ringcast::impact::ImpactThreshold;
    use ringcast::ingest::agents::load_agents;
    use ringcast::pipeline::review::{run_review, ReviewSources};
    use ringcast::pipeline::{build_week, load, Sources};
    use ringcast::report::impact::impact_csv;
    use ringcast::report::tables::{coverage_csv, forecast_csv};
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let sources = Sources::in_folder(&data);
    let agents = load_agents(&data.join("agents.csv")).expect("agents");
    let plan = build_week(load(&sources).expect("inputs"), agents, ImpactThreshold::default(), &|_| {}).expect("plan");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("impact.csv"), impact_csv(&plan.impact)).expect("impact");
    std::fs::write(dir.path().join("forecast.csv"), forecast_csv(&plan.forecast)).expect("forecast");
    std::fs::write(dir.path().join("coverage.csv"), coverage_csv(&plan.coverage)).expect("coverage");
    let s = ReviewSources {
        sources,
        actuals: data.join("week_actuals.csv"),
        as_run: None,
        plan: Some(dir.path().to_path_buf()),
        agents: None,
    };
    let mut g = c.benchmark_group("review");
    g.sample_size(10);
    g.bench_function("review_bundled_week", |b| b.iter(|| run_review(&s).expect("review").review.lines.len()));
    g.finish();
}

criterion_group!(benches, protocol, intraday, review);
criterion_main!(benches);
