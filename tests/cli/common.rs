//! Helpers shared by the CLI tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The project root (where `data/` and `benches/data/` live).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/data/<name>` if present; tests that need it skip with a message otherwise.
pub fn shared_data(name: &str) -> Option<PathBuf> {
    let p = root().join("..").join("shared").join("data").join(name);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} not found (real data lives beside the project)", p.display());
        None
    }
}

/// Run `ringcast` with `args` in `dir`.
pub fn ringcast_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ringcast"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("failed to start the ringcast binary")
}

/// Run `ringcast` with `args` from the project root.
pub fn ringcast(args: &[&str]) -> Output {
    ringcast_in(&root(), args)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Read a small CSV (quoted fields allowed) into maps.
pub fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = split_csv(lines.next().unwrap());
    lines.map(|l| header.iter().cloned().zip(split_csv(l)).collect()).collect()
}

fn split_csv(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Every file below `dir`, relative to it, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// Write `files` into a fresh folder and run `args` there: exit 2, every
/// needle in the error's line (warnings may come before it), nothing
/// written to `out/`.
pub fn refuses(files: &[(&str, &str)], args: &[&str], needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let o = ringcast_in(dir.path(), args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "expected exit 2 for {args:?}; stderr: {err}");
    let line = err.lines().find(|l| l.starts_with("error")).unwrap_or("");
    for n in needles {
        assert!(line.contains(n), "message lacks '{n}': {err}");
    }
    assert!(!dir.path().join("out").exists(), "nothing may be written on failure");
}

/// The bundled plan (`ringcast plan` on data/), built once for every test that reads one.
pub fn bundled_plan() -> &'static Path {
    static PLAN: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    let (_, out) = PLAN.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let o = ringcast(&["plan", "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        (dir, out)
    });
    out
}
