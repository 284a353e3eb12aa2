//! Staffing speed: required agents for a week of 15-minute intervals, the
//! rate per interval at loads of 10, 100 and 1,000 Erlangs, and the largest
//! load ringcast staffs (20,000 Erlangs, `limits::MAX_LOAD_ERLANGS`) with
//! Erlang C and Erlang A — the cost must not explode with the load.
//! Run: `cargo bench --bench staffing`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ringcast::staff::{required_agents, Queue, ServiceGoal, SlDefinition};
use ringcast::units::{CallsPerInterval, Fraction, Minutes, Seconds};

fn goal() -> ServiceGoal {
    ServiceGoal::new(
        Fraction::new(0.8).unwrap(),
        Seconds::new(20.0).unwrap(),
        None,
        None,
        None,
        SlDefinition::AllCallers,
    )
    .unwrap()
}

fn queue(erlangs: f64, patience: Option<f64>) -> Queue {
    // 15-minute intervals, AHT 300 s: calls = A · 900 / 300.
    Queue {
        calls: CallsPerInterval::new(erlangs * 3.0).unwrap(),
        interval: Minutes::new(15.0).unwrap(),
        aht: Seconds::new(300.0).unwrap(),
        patience: patience.map(|p| Seconds::new(p).unwrap()),
    }
}

fn week(c: &mut Criterion) {
    let g = goal();
    // A double-peaked week peaking at ~100 Erlangs, closed at night.
    let week: Vec<Queue> = (0..672)
        .map(|i| {
            let h = (i % 96) as f64 / 4.0;
            let a = if (8.0..22.0).contains(&h) {
                100.0
                    * (0.3 + 0.7 * (-((h - 11.0) / 2.0).powi(2)).exp() + 0.5 * (-((h - 15.0) / 2.5).powi(2)).exp())
                        .min(1.0)
            } else {
                0.0
            };
            queue(a, None)
        })
        .collect();
    c.bench_function("erlang_c_week_672_intervals_peak_100", |b| {
        b.iter(|| week.iter().map(|q| required_agents(q, &g).agents).sum::<u32>())
    });
    let week_a: Vec<Queue> =
        week.iter().map(|q| Queue { patience: Some(Seconds::new(180.0).unwrap()), ..*q }).collect();
    c.bench_function("erlang_a_week_672_intervals_peak_100", |b| {
        b.iter(|| week_a.iter().map(|q| required_agents(q, &g).agents).sum::<u32>())
    });
    let mut grp = c.benchmark_group("erlang_c_per_interval");
    for a in [10.0, 100.0, 1000.0] {
        grp.throughput(Throughput::Elements(1));
        let q = queue(a, None);
        grp.bench_function(format!("load_{a}"), |b| b.iter(|| required_agents(&q, &g).agents));
    }
    grp.finish();
    let mut top = c.benchmark_group("largest_load");
    top.sample_size(10);
    let max = ringcast::limits::MAX_LOAD_ERLANGS;
    for (name, patience) in
        [("erlang_c", None), ("erlang_a_patience_180", Some(180.0)), ("erlang_a_patience_14400", Some(14_400.0))]
    {
        let q = queue(max, patience);
        top.bench_function(name, |b| b.iter(|| required_agents(&q, &g).agents));
    }
    top.finish();
}

criterion_group!(benches, week);
criterion_main!(benches);
