//! Scheduling speed: benchmark instance B (model build + solve) for the three
//! objectives, and the weekly build of the bundled sample (~150 agents) through
//! the library's pipeline. Run: `cargo bench --bench scheduling`.

use criterion::{criterion_group, criterion_main, Criterion};
use ringcast::impact::ImpactThreshold;
use ringcast::ingest::agents::load_agents;
use ringcast::ingest::requirements::load_requirements;
use ringcast::pipeline::{build_week, load, Sources};
use ringcast::schedule::week::schedule;
use ringcast::schedule::Objective;
use ringcast::settings::Settings;
use std::path::Path;

fn instance_b(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let settings = Settings::load(&root.join("benches/data/instance_b.toml")).expect("instance B");
    let req = load_requirements(
        &root.join("benches/data/week_7x96_requirements.csv"),
        &settings.calendar,
        ringcast::units::Fraction::ZERO,
    )
    .expect("requirements");
    let mut g = c.benchmark_group("instance_b");
    g.sample_size(10);
    for (name, obj) in
        [("heads", Objective::Heads), ("paid_hours", Objective::PaidHours), ("abs_deviation", Objective::AbsDeviation)]
    {
        g.bench_function(name, |b| {
            b.iter(|| {
                schedule(&settings.scheduling, &settings.calendar, req.clone(), obj).expect("solves").plan.objective
            })
        });
    }
    g.finish();
}

fn sample_plan(c: &mut Criterion) {
    // The whole weekly build on the bundled sample (forecast, staff, shifts,
    // roster, coverage, impact), without writing outputs.
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let sources = Sources::in_folder(&data);
    let agents = load_agents(&data.join("agents.csv")).expect("agents");
    let mut g = c.benchmark_group("sample");
    g.sample_size(10);
    g.bench_function("plan_build_week_150_agents", |b| {
        b.iter(|| {
            let loaded = load(&sources).expect("inputs");
            build_week(loaded, agents.clone(), ImpactThreshold::default(), &|_| {})
                .expect("plan")
                .roster
                .assignments
                .len()
        })
    });
    g.finish();
}

/// The bundled week under a daily goal: its shift model alone, and 1,000
/// replications of the simulation of its roster.
fn daily_goal_and_simulation(c: &mut Criterion) {
    use ringcast::pipeline::{expected_calls, forecast, staff};
    use ringcast::simulate::{days_of, simulate, week_input, SimSettings};
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let sources = Sources::in_folder(&data);
    let agents = load_agents(&data.join("agents.csv")).expect("agents");
    let mut loaded = load(&sources).expect("inputs");
    loaded.settings.goal.scope = ringcast::settings::GoalScope::Day;
    let (_, fc) = forecast(&loaded).expect("forecast");
    let series = expected_calls(&fc, &loaded.settings).expect("series");
    let reqs = staff(&series, &loaded.settings).expect("requirements");
    let mut g = c.benchmark_group("sample");
    g.sample_size(10);
    g.bench_function("daily_goal_schedule", |b| {
        b.iter(|| {
            ringcast::pipeline::shifts(loaded.week, &series, &reqs, &loaded.settings).expect("shifts").plan.paid_hours
        })
    });
    let plan = build_week(load(&sources).expect("inputs"), agents, ImpactThreshold::default(), &|_| {}).expect("plan");
    let on_phones: Vec<u32> = plan.coverage.iter().map(|r| r.on_phones).collect();
    let s = plan.settings();
    let input = week_input(&plan.series, &on_phones, &s.service, s.simulation.handle_times, None);
    let days = days_of(&plan.series.starts);
    g.bench_function("simulate_week_1000_replications", |b| {
        b.iter(|| simulate(&input, &SimSettings { replications: 1000, seed: 1 }, &days).days.len())
    });
    g.finish();
}

criterion_group!(benches, instance_b, sample_plan, daily_goal_and_simulation);
criterion_main!(benches);
