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
    let req = load_requirements(&root.join("benches/data/week_7x96_requirements.csv"), &settings.calendar)
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

criterion_group!(benches, instance_b, sample_plan);
criterion_main!(benches);
