//! The module structure the architecture guide promises (docs/architecture.md),
//! read off the source: clap only in the command line, and no engine module
//! reaching back into the command line, the pipeline or the report.

use super::common::root;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every source file with its path relative to `src/` and its text.
fn sources() -> Vec<(String, String)> {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

#[test]
fn clap_lives_only_in_the_command_line() {
    for (file, text) in sources() {
        if file.starts_with("cli/") || file == "main.rs" {
            continue;
        }
        assert!(!text.contains("clap"), "src/{file} mentions clap; clap types belong in src/cli/");
    }
}

#[test]
fn engines_do_not_reach_back_up_the_pipeline() {
    let engines = [
        "ingest/",
        "forecast/",
        "staff/",
        "schedule/",
        "calendar.rs",
        "config.rs",
        "settings.rs",
        "series.rs",
        "units.rs",
        "error.rs",
        "coverage.rs",
        "impact.rs",
        "review/",
        "synth.rs",
    ];
    for (file, text) in sources() {
        if !engines.iter().any(|e| file.starts_with(e)) {
            continue;
        }
        for upper in ["crate::cli", "crate::pipeline", "crate::report::weekly", "crate::report::tables"] {
            assert!(!text.contains(upper), "src/{file} uses {upper}: an engine must not depend on a later layer");
        }
    }
    for (file, text) in sources() {
        if file.starts_with("report/") {
            assert!(!text.contains("crate::cli"), "src/{file} uses the command line");
        }
    }
}
