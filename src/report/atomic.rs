//! All-or-nothing output.
//!
//! A run writes every file into a staging folder inside the output folder, and
//! only when all of them are written moves them into place. If any stage fails
//! first, last week's outputs are untouched and the staging folder is removed.

use crate::error::Error;
use anyhow::Context;
use std::path::{Path, PathBuf};

/// A staging folder for one run's outputs.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    files: Vec<PathBuf>,
    committed: bool,
}

impl Staging {
    /// Prepare to write into `out` (created if missing).
    pub fn new(out: &Path) -> anyhow::Result<Staging> {
        std::fs::create_dir_all(out).with_context(|| format!("cannot create the output folder {}", out.display()))?;
        remove_stale_staging(out);
        let dir = out.join(format!(".ringcast-staging-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).ok();
        }
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(Staging { out: out.to_path_buf(), dir, files: Vec::new(), committed: false })
    }

    /// The staged path for `name` (relative, may contain a sub-folder such as
    /// `charts/forecast.png`); the file is moved to `out/name` on commit.
    pub fn path(&mut self, name: &str) -> anyhow::Result<PathBuf> {
        let p = self.dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        self.files.push(PathBuf::from(name));
        Ok(p)
    }

    /// Write bytes to a staged file.
    pub fn write(&mut self, name: &str, bytes: impl AsRef<[u8]>) -> anyhow::Result<()> {
        let p = self.path(name)?;
        std::fs::write(&p, bytes).with_context(|| format!("cannot write {}", p.display()))
    }

    /// Move every staged file into place.
    pub fn commit(mut self) -> anyhow::Result<Vec<PathBuf>> {
        let mut done = Vec::new();
        for f in &self.files {
            let from = self.dir.join(f);
            let to = self.out.join(f);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::rename(&from, &to).with_context(|| format!("cannot move {} into place", to.display()))?;
            done.push(to);
        }
        self.committed = true;
        std::fs::remove_dir_all(&self.dir).ok();
        Ok(done)
    }
}

/// Remove staging folders left by runs that were killed (their process is
/// gone). Only where `/proc` tells which processes run; elsewhere they stay.
fn remove_stale_staging(out: &Path) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(out) else { return };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(".ringcast-staging-")) else { continue };
        if pid.parse::<u32>().is_ok() && !proc.join(pid).exists() {
            std::fs::remove_dir_all(e.path()).ok();
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            std::fs::remove_dir_all(&self.dir).ok();
        }
    }
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

    #[test]
    fn nothing_moves_until_commit_and_a_dropped_run_leaves_old_outputs() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("a.csv"), "old").unwrap();
        {
            let mut s = Staging::new(d.path()).unwrap();
            s.write("a.csv", "new").unwrap();
            // dropped without commit: a failed run
        }
        assert_eq!(std::fs::read_to_string(d.path().join("a.csv")).unwrap(), "old");
        assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1, "staging folder removed");
        let mut s = Staging::new(d.path()).unwrap();
        s.write("a.csv", "new").unwrap();
        s.write("charts/x.png", "png").unwrap();
        s.commit().unwrap();
        assert_eq!(std::fs::read_to_string(d.path().join("a.csv")).unwrap(), "new");
        assert!(d.path().join("charts/x.png").exists());
    }

    #[test]
    fn a_killed_runs_staging_folder_is_removed_by_the_next_run() {
        if !Path::new("/proc/self").exists() {
            return;
        }
        let d = tempfile::tempdir().unwrap();
        // A pid above the kernel's limit (2^22) never runs.
        let stale = d.path().join(".ringcast-staging-4194305");
        std::fs::create_dir_all(&stale).unwrap();
        std::fs::write(stale.join("a.csv"), "half").unwrap();
        let s = Staging::new(d.path()).unwrap();
        assert!(!stale.exists());
        drop(s);
    }
}
