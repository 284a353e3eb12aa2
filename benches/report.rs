//! The HTML report: building `report.html` for the bundled week (charts
//! embedded), and headless Chromium opening and drawing it (the goal: under
//! 2 s; skipped, saying so, without a browser). Run: `cargo bench --bench report`.

use criterion::{criterion_group, criterion_main, Criterion};
use ringcast::impact::ImpactThreshold;
use ringcast::ingest::agents::load_agents;
use ringcast::pipeline::{build_week, load, Sources};
use ringcast::report::atomic::OutDir;
use ringcast::report::html::{plan_report, Chart};
use ringcast::report::summary::summary;
use ringcast::report::weekly::write_all;
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-headless-shell", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

fn report(c: &mut Criterion) {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let agents = load_agents(&data.join("agents.csv")).expect("agents");
    let loaded = load(&Sources::in_folder(&data)).expect("inputs");
    let plan = build_week(loaded, agents, ImpactThreshold::default(), &|_| {}).expect("plan");
    let s = summary(&plan);
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    write_all(&plan, &s, &OutDir::claim(&out).expect("out")).expect("outputs");
    let charts: Vec<Chart> = ["forecast", "coverage", "impact", "roster", "channel_response"]
        .iter()
        .map(|n| Chart {
            caption: n.to_string(),
            png: std::fs::read(out.join(format!("charts/{n}.png"))).expect("chart"),
        })
        .collect();
    let mut g = c.benchmark_group("report");
    g.sample_size(10);
    g.bench_function("html_bundled_week", |b| b.iter(|| plan_report(&plan, &s, &charts).len()));
    match chromium() {
        Some(browser) => {
            let page = out.join("report.html");
            let shot = dir.path().join("shot.png");
            g.bench_function("chromium_render_bundled_report", |b| {
                b.iter(|| {
                    let profile = tempfile::tempdir().expect("profile");
                    let ok = Command::new(&browser)
                        .args(["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1280,2400"])
                        .arg(format!("--user-data-dir={}", profile.path().display()))
                        .arg(format!("--screenshot={}", shot.display()))
                        .arg(format!("file://{}", page.display()))
                        .output()
                        .expect("browser")
                        .status
                        .success();
                    assert!(ok);
                })
            });
        }
        None => eprintln!("skipping report/chromium_render_bundled_report: no headless Chromium on the PATH"),
    }
    g.finish();
}

criterion_group!(benches, report);
criterion_main!(benches);
