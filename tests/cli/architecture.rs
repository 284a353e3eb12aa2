//! The module structure the architecture guide promises (docs/architecture.md),
//! read off the source: clap only in the command line, and every module's
//! imports (`crate::…`, outside its tests) at or below its documented layer.

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

/// The layers of docs/architecture.md ("Which module may use which"), from
/// the bottom up: a module may use its own layer and those below it.
const LAYERS: [&[&str]; 14] = [
    &["units", "error", "limits"],
    &["series"],
    &["staff"],
    &["simulate"],
    &["config"],
    &["calendar"],
    &["schedule"],
    &["ingest"],
    &["forecast"],
    &["settings", "coverage"],
    &["impact", "synth", "review"],
    &["pipeline"],
    &["report"],
    &["cli", "main", "lib"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The top-level module a file of `src/` belongs to (`forecast/media/fit.rs`
/// → `forecast`).
fn module_of(file: &str) -> &str {
    file.split('/').next().unwrap_or(file).trim_end_matches(".rs")
}

/// The text of a file without its tests (`#[cfg(test)]` and what follows)
/// and without comments: what the built library imports.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or(text);
    text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n")
}

/// The top-level modules a file's code names through `crate::`.
fn imports_of(code: &str) -> Vec<String> {
    let mut out: Vec<String> = code
        .split("crate::")
        .skip(1)
        .map(|rest| rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>())
        .filter(|m| !m.is_empty())
        .collect();
    // `use crate::{a, b}` names several at once.
    for group in code.split("crate::{").skip(1) {
        let inside = group.split('}').next().unwrap_or("");
        out.extend(inside.split(',').map(|m| m.trim().split("::").next().unwrap_or("").to_string()));
    }
    out.retain(|m| !m.is_empty());
    out.sort();
    out.dedup();
    out
}

/// Imports that reach a layer above the importing module's, as
/// "src/FILE uses MODULE".
fn upward_imports(files: &[(String, String)]) -> Vec<String> {
    let test_only = test_only_files(files);
    let mut bad = Vec::new();
    for (file, text) in files.iter().filter(|(f, _)| !test_only.contains(f)) {
        let module = module_of(file);
        let own = layer_of(module).unwrap_or_else(|| panic!("src/{file}: module `{module}` is in no documented layer"));
        for used in imports_of(&code_of(text)) {
            let Some(layer) = layer_of(&used) else { continue };
            if layer > own {
                bad.push(format!("src/{file} ({module}, layer {}) uses {used} (layer {})", own + 1, layer + 1));
            }
        }
    }
    bad
}

/// Files declared `#[cfg(test)] mod name;` by their parent: tests, not the
/// library.
fn test_only_files(files: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (file, text) in files {
        let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
        for decl in text.split("#[cfg(test)]").skip(1) {
            let decl = decl.trim_start();
            let Some(name) = decl.strip_prefix("mod ").and_then(|d| d.split(';').next()) else { continue };
            if name.contains('{') || name.contains(' ') {
                continue;
            }
            out.push(if dir.is_empty() { format!("{name}.rs") } else { format!("{dir}/{name}.rs") });
        }
    }
    out
}

#[test]
fn no_module_imports_a_layer_above_it() {
    let bad = upward_imports(&sources());
    assert!(bad.is_empty(), "imports against docs/architecture.md's layers:\n{}", bad.join("\n"));
}

/// The check itself: an engine importing the pipeline, or the report the
/// command line, is caught; a test module's imports and a comment are not.
#[test]
fn an_upward_import_is_caught() {
    let file = |name: &str, text: &str| vec![(name.to_string(), text.to_string())];
    assert_eq!(upward_imports(&file("staff/erlang.rs", "use crate::pipeline::build_week;\n")).len(), 1);
    assert_eq!(upward_imports(&file("report/html.rs", "use crate::{cli, units};\n")).len(), 1);
    assert_eq!(upward_imports(&file("config/mod.rs", "use crate::schedule::X;\nuse crate::staff::Y;\n")).len(), 1);
    assert_eq!(upward_imports(&file("schedule/mod.rs", "use crate::config::X;\nuse crate::calendar::Y;\n")).len(), 0);
    let test_only = "use crate::units::X;\n#[cfg(test)]\nmod tests { use crate::pipeline::Z; }\n";
    assert!(upward_imports(&file("staff/erlang.rs", test_only)).is_empty());
    assert!(upward_imports(&file("staff/erlang.rs", "//! Feeds [`crate::pipeline`].\n")).is_empty());
}

#[test]
fn the_report_never_uses_the_command_line() {
    for (file, text) in sources() {
        if file.starts_with("report/") {
            assert!(!code_of(&text).contains("crate::cli"), "src/{file} uses the command line");
        }
    }
}
