//! Scheduling speed: benchmark instance B (model build + solve) for the three
//! objectives, and a named roster of the bundled sample's ~150 agents.
//! Run: `cargo bench --bench scheduling`.

use criterion::{criterion_group, criterion_main, Criterion};
use ringcast::config::CentreConfig;
use ringcast::schedule::cli::{load_requirements, schedule};
use ringcast::schedule::Objective;
use std::path::Path;

fn instance_b(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cfg_path = root.join("benches/data/instance_b.toml");
    let cfg = CentreConfig::load(&cfg_path).expect("instance B");
    let req = load_requirements(&root.join("benches/data/week_7x96_requirements.csv"), 96).expect("requirements");
    let mut g = c.benchmark_group("instance_b");
    g.sample_size(10);
    for (name, obj) in
        [("heads", Objective::Heads), ("paid_hours", Objective::PaidHours), ("abs_deviation", Objective::AbsDeviation)]
    {
        g.bench_function(name, |b| {
            b.iter(|| schedule(&cfg, &cfg_path, req.clone(), obj).expect("solves").plan.objective)
        });
    }
    g.finish();
}

fn sample_plan(c: &mut Criterion) {
    // The whole weekly build on the bundled sample (forecast, staff, shifts, roster).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).expect("project root");
    use clap::Parser;
    let cli = ringcast::cli::Cli::parse_from(["ringcast", "plan"]);
    let ringcast::cli::Command::Plan(args) = cli.command else { unreachable!() };
    let mut g = c.benchmark_group("sample");
    g.sample_size(10);
    g.bench_function("plan_build_week_150_agents", |b| {
        b.iter(|| ringcast::plan::build(&args, &|_| {}).expect("plan").roster.assignments.len())
    });
    g.finish();
}

criterion_group!(benches, instance_b, sample_plan);
criterion_main!(benches);
