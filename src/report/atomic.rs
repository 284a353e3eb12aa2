//! All-or-nothing output.
//!
//! A run claims its output folder before any work ([`OutDir::claim`]: a file
//! of that name, or another run writing there, stops it at once). Its outputs
//! go into a staging folder beside the output folder, which starts as a copy
//! of the current outputs (hard links) so that files this run does not write
//! are kept. The commit is one step: the staging folder and the output folder
//! are exchanged by a single `renameat2(RENAME_EXCHANGE)` (Linux), so a reader
//! sees the previous outputs or the new ones, never a mix; the previous ones
//! are then removed. A failure, SIGINT, SIGTERM or SIGHUP before the exchange
//! leaves the previous outputs and removes the staging folder; a staging
//! folder of a killed run (SIGKILL) is removed by the next run into the same
//! folder.

use crate::error::Error;
use anyhow::Context;
use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

/// An output folder this run holds: checked, and locked against other runs
/// until the run ends.
#[derive(Debug)]
pub struct OutDir {
    path: PathBuf,
    parent: PathBuf,
    name: OsString,
    _lock: File,
}

impl OutDir {
    /// Check `--out` before any work and take its lock: a file of that name, a
    /// path with no folder name (`.`), or another ringcast run writing there
    /// stops the run with a usage error (exit 2).
    pub fn claim(path: &Path) -> Result<OutDir, Error> {
        check_out_dir(path)?;
        let name = path
            .file_name()
            .filter(|n| !n.is_empty())
            .ok_or_else(|| Error::usage(format!("--out {}: expected a folder name, such as out", path.display())))?
            .to_os_string();
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
        std::fs::create_dir_all(&parent)
            .map_err(|e| Error::usage(format!("--out {}: cannot create {}: {e}", path.display(), parent.display())))?;
        let lock_path = parent.join(sibling(&name, "lock"));
        let lock = File::options().create(true).truncate(false).write(true).open(&lock_path).map_err(|e| {
            Error::usage(format!("--out {}: cannot create {}: {e}", path.display(), lock_path.display()))
        })?;
        lock.try_lock().map_err(|_| {
            Error::usage(format!(
                "--out {}: another ringcast run is writing there; wait for it to finish or choose another folder",
                path.display()
            ))
        })?;
        Ok(OutDir { path: path.to_path_buf(), parent, name, _lock: lock })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `parent/.NAME.ringcast-KIND-PID`
    fn sibling_path(&self, kind: &str, pid: u32) -> PathBuf {
        self.parent.join(sibling(&self.name, &format!("{kind}-{pid}")))
    }
}

/// The name of a file beside the output folder: `.NAME.ringcast-SUFFIX`.
fn sibling(name: &OsString, suffix: &str) -> OsString {
    let mut s = OsString::from(".");
    s.push(name);
    s.push(format!(".ringcast-{suffix}"));
    s
}

/// A staging folder for one run's outputs.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    /// Files written, in the order written (several threads may write).
    files: std::sync::Mutex<Vec<PathBuf>>,
    committed: bool,
}

/// Where [`Staging::commit`] can fail, for tests that inject a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitStep {
    /// Before the exchange: the previous outputs must stay.
    Exchange,
    /// After it, removing the previous outputs: the new ones must stay.
    RemovePrevious,
}

impl Staging {
    /// Prepare to write into `out`: a staging folder beside it holding the
    /// current outputs (hard links, or copies where links are refused).
    pub fn new(out: &OutDir) -> anyhow::Result<Staging> {
        install_signal_cleanup();
        remove_stale_staging(out);
        let dir = out.sibling_path("staging", std::process::id());
        if dir.exists() {
            std::fs::remove_dir_all(&dir).ok();
        }
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        register(&dir);
        let staging = Staging { out: out.path.clone(), dir, files: Default::default(), committed: false };
        if out.path.is_dir() {
            link_tree(&out.path, &staging.dir)
                .with_context(|| format!("cannot stage the current outputs of {}", out.path.display()))?;
        }
        Ok(staging)
    }

    /// The staged path for `name` (relative, may contain a sub-folder such as
    /// `charts/forecast.png`). A staged link to a previous output is removed
    /// first, so writing never touches the previous file.
    pub fn path(&self, name: &str) -> anyhow::Result<PathBuf> {
        let p = self.dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if p.symlink_metadata().is_ok() {
            std::fs::remove_file(&p).with_context(|| format!("cannot replace {}", p.display()))?;
        }
        self.files.lock().unwrap_or_else(|e| e.into_inner()).push(PathBuf::from(name));
        Ok(p)
    }

    /// Whether this run has staged `name` (a previous output linked in does not count).
    pub fn wrote(&self, name: &str) -> bool {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).iter().any(|f| f == Path::new(name))
    }

    /// Leave `name` out of the new outputs: a previous run's file of that
    /// name (a chart this run has nothing to draw in) must not stay beside
    /// this run's outputs.
    pub fn leave_out(&self, name: &str) -> anyhow::Result<()> {
        let p = self.dir.join(name);
        if p.symlink_metadata().is_ok() {
            std::fs::remove_file(&p).with_context(|| format!("cannot remove {}", p.display()))?;
        }
        Ok(())
    }

    /// Read back a file this run has staged (the HTML report embeds the charts).
    pub fn read(&self, name: &str) -> anyhow::Result<Vec<u8>> {
        let p = self.dir.join(name);
        std::fs::read(&p).with_context(|| format!("reading back {}", p.display()))
    }

    /// Write bytes to a staged file.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> anyhow::Result<()> {
        let p = self.path(name)?;
        std::fs::write(&p, bytes).with_context(|| format!("cannot write {}", p.display()))
    }

    /// Put the staged folder in place of the output folder in one step; the
    /// paths of the files this run wrote.
    pub fn commit(self) -> anyhow::Result<Vec<PathBuf>> {
        self.commit_with(&|_| Ok(()))
    }

    /// [`Staging::commit`] with a fault injected at a step (tests).
    pub fn commit_with(mut self, fault: &dyn Fn(CommitStep) -> std::io::Result<()>) -> anyhow::Result<Vec<PathBuf>> {
        fault(CommitStep::Exchange).and_then(|_| exchange(&self.dir, &self.out)).with_context(|| {
            format!("cannot put the new outputs in place of {} (the previous ones are kept)", self.out.display())
        })?;
        self.committed = true;
        // The staging path now holds the previous outputs.
        let removed = fault(CommitStep::RemovePrevious).and_then(|_| std::fs::remove_dir_all(&self.dir));
        if removed.is_ok() {
            unregister(&self.dir);
        }
        let files = std::mem::take(&mut *self.files.lock().unwrap_or_else(|e| e.into_inner()));
        Ok(files.iter().map(|f| self.out.join(f)).collect())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            std::fs::remove_dir_all(&self.dir).ok();
            unregister(&self.dir);
        }
    }
}

/// Replace `out` by `staged` in one step. Where `out` exists: an atomic
/// exchange (Linux), else a rename aside and back — a moment without `out`,
/// never a mix. `staged` then holds the previous outputs (or nothing).
fn exchange(staged: &Path, out: &Path) -> std::io::Result<()> {
    if !out.exists() {
        return std::fs::rename(staged, out);
    }
    if exchange_atomically(staged, out)? {
        return Ok(());
    }
    let mut aside = staged.as_os_str().to_os_string();
    aside.push(".previous");
    let aside = PathBuf::from(aside);
    std::fs::rename(out, &aside)?;
    if let Err(e) = std::fs::rename(staged, out) {
        std::fs::rename(&aside, out).ok();
        return Err(e);
    }
    std::fs::rename(&aside, staged)
}

/// `renameat2(RENAME_EXCHANGE)`; `Ok(false)` where the system or file system
/// does not offer it.
#[cfg(target_os = "linux")]
fn exchange_atomically(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
    let (ca, cb) = (c(a)?, c(b)?);
    // SAFETY: both arguments are valid NUL-terminated paths that outlive the call.
    let r = unsafe { libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE) };
    if r == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP) => Ok(false),
        _ => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange_atomically(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Mirror the tree `from` into `to`: folders created, files hard-linked (or
/// copied). Staging folders of older versions inside `from` are left out.
fn link_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let name = e.file_name();
        if name.to_string_lossy().starts_with(".ringcast-staging-") {
            continue;
        }
        let (src, dst) = (e.path(), to.join(&name));
        let kind = e.file_type()?;
        if kind.is_dir() {
            std::fs::create_dir_all(&dst)?;
            link_tree(&src, &dst)?;
        } else if std::fs::hard_link(&src, &dst).is_err() {
            std::fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}

/// Remove staging folders beside `out` left by runs that were killed (their
/// process is gone), and those older versions left inside it. Only where
/// `/proc` tells which processes run; elsewhere they stay.
fn remove_stale_staging(out: &OutDir) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let dead = |pid: &str| pid.parse::<u32>().is_ok() && !proc.join(pid).exists();
    let prefix = sibling(&out.name, "staging-").to_string_lossy().into_owned();
    if let Ok(entries) = std::fs::read_dir(&out.parent) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let pid = name.strip_prefix(&prefix).map(|p| p.trim_end_matches(".previous"));
            if pid.is_some_and(dead) {
                std::fs::remove_dir_all(e.path()).ok();
            }
        }
    }
    if let Ok(entries) = std::fs::read_dir(&out.path) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.strip_prefix(".ringcast-staging-").is_some_and(dead) {
                std::fs::remove_dir_all(e.path()).ok();
            }
        }
    }
}

/// Staging folders of this process, removed on SIGINT, SIGTERM and SIGHUP.
static STAGED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn register(dir: &Path) {
    if let Ok(mut v) = STAGED.lock() {
        v.push(dir.to_path_buf());
    }
}

fn unregister(dir: &Path) {
    if let Ok(mut v) = STAGED.lock() {
        v.retain(|d| d != dir);
    }
}

/// On the first staging, a thread that waits for SIGINT, SIGTERM or SIGHUP,
/// removes this process's staging folders and exits with 128 + the signal.
fn install_signal_cleanup() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else { return };
        std::thread::spawn(move || {
            if let Some(sig) = signals.forever().next() {
                // Hold the lock to the end: no staging starts or commits meanwhile.
                let staged = STAGED.lock();
                if let Ok(dirs) = &staged {
                    for d in dirs.iter() {
                        std::fs::remove_dir_all(d).ok();
                    }
                }
                eprintln!("ringcast: stopped by signal {sig}; the previous outputs are kept");
                std::process::exit(128 + sig);
            }
        });
    });
}

/// Refuse, before any work, an output folder that names an existing file.
pub fn check_out_dir(out: &Path) -> Result<(), Error> {
    if out.is_file() {
        return Err(Error::usage(format!("--out {}: is a file; expected a folder for the outputs", out.display())));
    }
    Ok(())
}

/// Refuse, before any work, an output file that names an existing folder.
pub fn check_out_file(path: &Path) -> Result<(), Error> {
    if path.is_dir() {
        return Err(Error::usage(format!(
            "--out {}: is a folder; expected a file path such as {}/forecast.csv",
            path.display(),
            path.display()
        )));
    }
    Ok(())
}

/// Write one file atomically: a temporary file beside it, then a rename (the
/// temporary file is removed when the rename fails).
pub fn write_file(path: &Path, bytes: impl AsRef<[u8]>) -> anyhow::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp =
        dir.join(format!(".{}.tmp-{}", path.file_name().and_then(|n| n.to_str()).unwrap_or("out"), std::process::id()));
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        std::fs::remove_file(&tmp).ok();
        anyhow::Error::from(e).context(format!("cannot move {} into place", path.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(p: &Path) -> String {
        std::fs::read_to_string(p).unwrap()
    }

    /// The entries beside and inside `out` other than the lock file.
    fn leftovers(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != "out" && !n.ends_with(".ringcast-lock"))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn nothing_moves_until_commit_and_a_dropped_run_leaves_old_outputs() {
        let d = tempfile::tempdir().unwrap();
        let out_path = d.path().join("out");
        std::fs::create_dir_all(&out_path).unwrap();
        std::fs::write(out_path.join("a.csv"), "old").unwrap();
        std::fs::write(out_path.join("notes.txt"), "mine").unwrap();
        let out = OutDir::claim(&out_path).unwrap();
        {
            let s = Staging::new(&out).unwrap();
            s.write("a.csv", "new").unwrap();
            // dropped without commit: a failed run
        }
        assert_eq!(read(&out_path.join("a.csv")), "old");
        assert!(leftovers(d.path()).is_empty(), "{:?}", leftovers(d.path()));
        let s = Staging::new(&out).unwrap();
        s.write("a.csv", "new").unwrap();
        // The staged link is replaced, never written through: the old file is intact.
        assert_eq!(read(&out_path.join("a.csv")), "old");
        s.write("charts/x.png", "png").unwrap();
        let written = s.commit().unwrap();
        assert_eq!(written, vec![out_path.join("a.csv"), out_path.join("charts/x.png")]);
        assert_eq!(read(&out_path.join("a.csv")), "new");
        assert_eq!(read(&out_path.join("notes.txt")), "mine", "files the run does not write are kept");
        assert!(out_path.join("charts/x.png").exists());
        assert!(leftovers(d.path()).is_empty(), "{:?}", leftovers(d.path()));
    }

    /// A failure injected at each step of the commit: before the exchange the
    /// previous outputs stay whole; after it the new ones are whole.
    #[test]
    fn a_failure_at_each_commit_step_leaves_one_whole_set() {
        for step in [CommitStep::Exchange, CommitStep::RemovePrevious] {
            let d = tempfile::tempdir().unwrap();
            let out_path = d.path().join("out");
            std::fs::create_dir_all(out_path.join("charts")).unwrap();
            for f in ["a.csv", "b.csv", "charts/c.png"] {
                std::fs::write(out_path.join(f), "old").unwrap();
            }
            let out = OutDir::claim(&out_path).unwrap();
            let s = Staging::new(&out).unwrap();
            for f in ["a.csv", "b.csv", "charts/c.png"] {
                s.write(f, "new").unwrap();
            }
            let fail = |at: CommitStep| if at == step { Err(std::io::Error::other("injected")) } else { Ok(()) };
            let r = s.commit_with(&fail);
            let want = if step == CommitStep::Exchange { "old" } else { "new" };
            assert_eq!(r.is_err(), step == CommitStep::Exchange, "{step:?}");
            for f in ["a.csv", "b.csv", "charts/c.png"] {
                assert_eq!(read(&out_path.join(f)), want, "{step:?}: {f}");
            }
            if step == CommitStep::Exchange {
                assert!(leftovers(d.path()).is_empty(), "{:?}", leftovers(d.path()));
            }
        }
    }

    #[test]
    fn a_second_run_into_the_same_folder_stops_with_a_clear_message() {
        let d = tempfile::tempdir().unwrap();
        let out_path = d.path().join("out");
        let first = OutDir::claim(&out_path).unwrap();
        let e = OutDir::claim(&out_path).unwrap_err().to_string();
        assert!(e.contains("another ringcast run is writing there"), "{e}");
        drop(first);
        OutDir::claim(&out_path).unwrap();
        assert!(OutDir::claim(Path::new(".")).is_err(), "no folder name to swap");
    }

    #[test]
    fn a_killed_runs_staging_folder_is_removed_by_the_next_run() {
        if !Path::new("/proc/self").exists() {
            return;
        }
        let d = tempfile::tempdir().unwrap();
        let out_path = d.path().join("out");
        std::fs::create_dir_all(&out_path).unwrap();
        // A pid above the kernel's limit (2^22) never runs.
        let stale = d.path().join(".out.ringcast-staging-4194305");
        let old_style = out_path.join(".ringcast-staging-4194305");
        for dir in [&stale, &old_style] {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(dir.join("a.csv"), "half").unwrap();
        }
        let out = OutDir::claim(&out_path).unwrap();
        let s = Staging::new(&out).unwrap();
        assert!(!stale.exists() && !old_style.exists());
        drop(s);
    }
}
