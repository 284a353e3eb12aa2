//! Scheduling speed: benchmark instance B (model build + solve) for the three
//! objectives, the weekly build of the bundled sample (~150 agents) through
//! the library's pipeline, the roster of a generated centre of 5,000 agents on
//! 10 queues, the whole plan of that centre with 30% of its agents on two
//! queues (the skills model), and the US bank's week with 800 agents (skipped without
//! `../shared/data`). Run: `cargo bench --bench scheduling`.

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

/// The bundled week with 40 trunks (`[lines] trunks = 40`, the other keys at
/// their defaults): the whole weekly build beside `plan_build_week_150_agents`
/// (target: at most 1.5x), and 1,000 replications of its roster's week with
/// lines and the spots' minute curves (target: under 2 s).
fn with_lines(c: &mut Criterion) {
    use ringcast::forecast::minutes::minute_shares;
    use ringcast::simulate::{days_of, simulate, week_input, SimInput, SimSettings};
    use ringcast::staff::lines::Lines;
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let sources = Sources::in_folder(&data);
    let agents = load_agents(&data.join("agents.csv")).expect("agents");
    let lines = Lines { trunks: 40, ivr_ports: None, redial_share: 0.5, redial_minutes: 2.0, target_busy: 0.01 };
    let loaded_with_lines = || {
        let mut loaded = load(&sources).expect("inputs");
        loaded.settings.lines = Some(lines);
        loaded
    };
    let mut g = c.benchmark_group("lines");
    g.sample_size(10);
    g.bench_function("plan_build_week_150_agents_40_trunks", |b| {
        b.iter(|| {
            build_week(loaded_with_lines(), agents.clone(), ImpactThreshold::default(), &|_| {})
                .expect("plan")
                .roster
                .assignments
                .len()
        })
    });
    let plan = build_week(loaded_with_lines(), agents, ImpactThreshold::default(), &|_| {}).expect("plan");
    let on_phones: Vec<u32> = plan.coverage.iter().map(|r| r.on_phones).collect();
    let s = plan.settings();
    let input = SimInput {
        lines: Some(lines),
        minute_shares: minute_shares(&plan.forecast, &plan.loaded.plan.lines, plan.fitted.responses()),
        ..week_input(&plan.series, &on_phones, &s.service, s.simulation.handle_times, None)
    };
    let days = days_of(&plan.series.starts);
    g.bench_function("simulate_week_1000_replications_40_trunks", |b| {
        b.iter(|| simulate(&input, &SimSettings { replications: 1000, seed: 1 }, &days).days.len())
    });
    g.finish();
}

/// Instance B under a daily goal: each interval's requirement is read back
/// as the calls that need exactly that many agents at the instance's service
/// (80% in 20 s, 300 s handle time, Erlang C), then the shifts meet 80% per
/// day instead of every interval. Prints both optima (paid hours).
fn instance_b_daily_goal(c: &mut Criterion) {
    use ringcast::series::CallSeries;
    use ringcast::staff::{required_agents, Queue};
    use ringcast::units::{CallsPerInterval, Minutes};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut settings = Settings::load(&root.join("benches/data/instance_b.toml")).expect("instance B");
    let req = load_requirements(
        &root.join("benches/data/week_7x96_requirements.csv"),
        &settings.calendar,
        ringcast::units::Fraction::ZERO,
    )
    .expect("requirements");
    let policy = settings.service;
    let interval = Minutes::new(15.0).expect("minutes");
    // The most calls that still need `n` agents (bisection on the calls).
    let calls_for = |n: f64| -> f64 {
        if n <= 0.0 {
            return 0.0;
        }
        let need = |c: f64| {
            let q =
                Queue { calls: CallsPerInterval::new(c).expect("calls"), interval, aht: policy.aht, patience: None };
            required_agents(&q, &policy.goal).agents as f64
        };
        let (mut lo, mut hi) = (0.0, n * 900.0 / policy.aht.get());
        for _ in 0..40 {
            let mid = (lo + hi) / 2.0;
            if need(mid) <= n {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    };
    let starts: Vec<_> = (0..req.required.len()).map(|t| req.slot_time(t)).collect();
    let series = CallSeries {
        interval,
        open: (0..starts.len()).map(|t| settings.calendar.is_open(starts[t].date(), t % req.per_day)).collect(),
        calls: req.required.iter().map(|n| CallsPerInterval::new(calls_for(*n)).expect("calls")).collect(),
        starts,
        handle: None,
        patience: None,
    };
    settings.scheduling.objective = Objective::PaidHours;
    let every = schedule(&settings.scheduling, &settings.calendar, req.clone(), Objective::PaidHours).expect("solves");
    settings.goal.scope = ringcast::settings::GoalScope::Day;
    let reqs = ringcast::pipeline::staff(&series, &settings).expect("requirements");
    let daily = ringcast::pipeline::shifts(req.first_day, &series, &reqs, &settings).expect("daily goal");
    eprintln!(
        "instance B, paid hours: every interval {:.0} ({}), daily goal 80% in 20 s {:.0} ({}, LP bound {:.1})",
        every.plan.paid_hours, every.plan.status, daily.plan.paid_hours, daily.plan.status, daily.plan.lp_bound
    );
    let mut g = c.benchmark_group("instance_b");
    g.sample_size(10);
    g.bench_function("daily_goal_paid_hours", |b| {
        b.iter(|| {
            ringcast::pipeline::shifts(req.first_day, &series, &reqs, &settings).expect("daily goal").plan.paid_hours
        })
    });
    g.finish();
}

/// The roster alone for a generated centre: 5,000 agents, 10 queues, demand
/// scaled to them (`ringcast synth --agents 5000 --queues 10`); the queues'
/// shifts are computed once, outside the timing.
fn large_centre_roster(c: &mut Criterion) {
    use ringcast::pipeline::centre::{pooled_shifts, queue_shifts};
    use ringcast::schedule::roster::build_roster;
    use ringcast::synth::{generate, SynthOptions};
    let dir = tempfile::tempdir().expect("temp dir");
    let week = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    let options = SynthOptions { queues: 10, demand_scale: 5000.0 / 150.0, ..SynthOptions::sample(7, 104, week, 5000) };
    for (name, text) in generate(&options).expect("centre").files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let sources = Sources::in_folder(dir.path());
    let names = ringcast::ingest::history::queues(&sources.history, &Default::default()).expect("queues");
    let mut agents = load_agents(&dir.path().join("agents.csv")).expect("agents");
    ringcast::ingest::agents::resolve_queues(&mut agents, &names, &dir.path().join("agents.csv")).expect("queues");
    let weeks = queue_shifts(&sources, &names).expect("shifts");
    let (shift_options, counts) = pooled_shifts(&weeks);
    let (days, per_day, cfg) =
        (&weeks[0].loaded.days, weeks[0].scheduled.req.per_day, &weeks[0].loaded.settings.scheduling);
    let mut g = c.benchmark_group("large");
    g.sample_size(10);
    g.bench_function("roster_5000_agents_10_queues", |b| {
        b.iter(|| build_roster(&shift_options, &counts, days, per_day, &agents, cfg).expect("roster").cost)
    });
    g.finish();
}

/// The whole plan of a generated centre whose agents take several queues:
/// 5,000 agents on 10 queues, about 30% of them on two
/// (`ringcast synth --agents 5000 --queues 10`, `[routing]` set): forecast,
/// staffing by simulation, shifts, roster, the centre's simulation,
/// coverage and impact, without writing outputs. The target is under 60 s
/// and 2 GB; the peak resident memory is read after the runs and checked.
fn large_centre_skills_plan(c: &mut Criterion) {
    use ringcast::pipeline::centre::build_centre;
    use ringcast::synth::{generate, SynthOptions};
    let dir = tempfile::tempdir().expect("temp dir");
    let week = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    let options = SynthOptions { queues: 10, demand_scale: 5000.0 / 150.0, ..SynthOptions::sample(7, 104, week, 5000) };
    for (name, text) in generate(&options).expect("centre").files {
        let text = if name == "centre.toml" {
            format!("{text}\n[routing]\npolicy = \"primary-first-longest-idle\"\n")
        } else {
            text
        };
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let sources = Sources::in_folder(dir.path());
    let names = ringcast::ingest::history::queues(&sources.history, &Default::default()).expect("queues");
    let mut agents = load_agents(&dir.path().join("agents.csv")).expect("agents");
    ringcast::ingest::agents::resolve_queues(&mut agents, &names, &dir.path().join("agents.csv")).expect("queues");
    let several = agents.iter().filter(|a| a.queues.as_ref().is_some_and(|q| q.len() > 1)).count();
    assert!((1250..=1750).contains(&several), "{several} of 5,000 agents on two queues: expected about 30%");
    let mut g = c.benchmark_group("large");
    g.sample_size(10);
    let gap = std::cell::Cell::new(f64::NAN);
    g.bench_function("plan_skills_5000_agents_10_queues", |b| {
        b.iter(|| {
            let centre = build_centre(&sources, &names, agents.clone(), None, ImpactThreshold::default(), &|_| {})
                .expect("plan");
            assert!(centre.skills.is_some(), "the skills model plans this centre");
            gap.set(centre.roster.gap());
            centre.roster.assignments.len()
        })
    });
    g.finish();
    let peak = peak_resident_bytes();
    eprintln!("large/plan_skills_5000_agents_10_queues: peak resident memory {:.2} GB", peak as f64 / 1e9);
    assert!(peak < 2_000_000_000, "peak resident memory {peak} bytes: the target is under 2 GB");
    eprintln!("large/plan_skills_5000_agents_10_queues: roster gap {:.2}%", 100.0 * gap.get());
    assert!(gap.get() < 0.05, "roster gap {:.2}%: the target is under 5%", 100.0 * gap.get());
}

/// The process's peak resident memory (`VmHWM` in /proc/self/status; 0
/// where there is none).
fn peak_resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// The US bank's planning week (158,884 calls) with 800 generated agents
/// available 07:00-22:00: the whole build without writing outputs.
fn us_bank_plan(c: &mut Criterion) {
    use ringcast::synth::{generate, SynthOptions};
    let history = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/us_bank_2003_5min.csv");
    if !history.exists() {
        eprintln!("skipping us_bank/plan_week_800_agents: {} not found", history.display());
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let week = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    let files = generate(&SynthOptions::sample(7, 1, week, 800)).expect("agents").files;
    let agents_csv = &files.iter().find(|(n, _)| *n == "agents.csv").expect("agents.csv").1;
    std::fs::write(dir.path().join("agents.csv"), agents_csv.replace(",08:00,22:00,", ",07:00,22:00,")).expect("write");
    std::fs::write(dir.path().join("us.toml"), US_BANK_CONFIG).expect("write");
    let agents = load_agents(&dir.path().join("agents.csv")).expect("agents");
    let sources = Sources {
        history,
        media: std::path::PathBuf::new(),
        media_plan: std::path::PathBuf::new(),
        config: dir.path().join("us.toml"),
        week: None,
        queue: None,
        overrides: Default::default(),
    };
    let mut g = c.benchmark_group("us_bank");
    g.sample_size(10);
    g.bench_function("plan_week_800_agents", |b| {
        b.iter(|| {
            let loaded = load(&sources).expect("inputs");
            build_week(loaded, agents.clone(), ImpactThreshold::default(), &|_| {}).expect("plan").roster.cost
        })
    });
    g.finish();
}

/// The US bank as a new user would configure it (docs/performance.md).
const US_BANK_CONFIG: &str = include_str!("data/us_bank.toml");

criterion_group!(
    benches,
    instance_b,
    sample_plan,
    daily_goal_and_simulation,
    with_lines,
    instance_b_daily_goal,
    large_centre_roster,
    large_centre_skills_plan,
    us_bank_plan
);
criterion_main!(benches);
