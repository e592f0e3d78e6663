//! The result files of a run as one set, under a lock.
//!
//! For `--out DIR` (`PARENT/NAME`):
//!
//! 1. **Lock.** `PARENT/.NAME.lock` is opened and locked with `flock(LOCK_EX | LOCK_NB)`
//!    before the simulation starts; the holder writes its pid into it. A second run into
//!    the same `DIR` is refused at once, naming the directory and the holder's pid. The
//!    lock belongs to the open file: the OS releases it when the process ends however it
//!    ends (kill -9 included), so it is never stale. The lock file itself stays (removing
//!    it would let two runs lock two different files of the same name).
//! 2. **Stage.** The files are written into `PARENT/.NAME.tmp-PID` (same filesystem),
//!    each flushed to disk. Staging directories of earlier runs that died before they
//!    could clean up (kill -9, power loss) are removed first: holding the lock, this run
//!    knows their owners are gone.
//! 3. **Swap.** The staging directory takes `DIR`'s place in one step: Linux
//!    `renameat2(RENAME_EXCHANGE)` swaps the two directories atomically, then the old set
//!    (now under the staging name) is deleted. A reader of `DIR` sees the whole old set
//!    or the whole new one, never a mix. Where the filesystem cannot exchange (or off
//!    Linux), `DIR` is renamed aside, the new set renamed in, and the old one deleted: a
//!    reader may then find `DIR` missing for an instant, still never a mix.
//!
//! A run that fails before the swap (an error, a panic, SIGINT / SIGTERM) removes its
//! staging directory and leaves `DIR` as it was. Because the whole of `DIR` is replaced,
//! a `DIR` that holds anything but result files is refused rather than replaced.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// A locked output directory and the staging directory the new set is written into.
/// Dropped without [`ResultSet::commit`], it removes the staging directory.
pub struct ResultSet {
    /// Where the set goes (`--out`, resolved).
    dir: PathBuf,
    /// The staging directory.
    staging: PathBuf,
    /// The locked lock file; the lock lasts as long as this handle.
    _lock: File,
    committed: bool,
}

impl ResultSet {
    /// Lock `dir` for this process and create an empty staging directory beside it.
    /// `result_names` are the files a set may hold: a `dir` holding anything else is
    /// refused (a run replaces the whole directory).
    pub fn begin(out: &Path, result_names: &[&str]) -> Result<ResultSet> {
        let dir = resolve(out)?;
        let parent = dir.parent().expect("resolved paths have a parent");
        let name = dir
            .file_name()
            .expect("resolved paths have a name")
            .to_string_lossy()
            .into_owned();
        let lock_path = parent.join(format!(".{name}.lock"));
        // Checked before the lock so that a refused directory gets no lock file beside it;
        // a run holding the lock never puts anything but result files there.
        if dir.exists() {
            check_only_results(&dir, out, result_names)?;
        }
        let lock = take_lock(&lock_path, out)?;
        sweep(parent, &name)?;
        let staging = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        std::fs::create_dir(&staging)
            .with_context(|| format!("cannot create {}", staging.display()))?;
        Ok(ResultSet {
            dir,
            staging,
            _lock: lock,
            committed: false,
        })
    }

    /// The directory to write the new set into.
    pub fn staging(&self) -> &Path {
        &self.staging
    }

    /// The output directory (resolved: absolute, symlinks followed).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Put the staged set in place of the old one (see the module doc), then delete the
    /// old one.
    pub fn commit(mut self) -> Result<()> {
        sync_dir(&self.staging)?;
        if self.dir.exists() {
            if exchange(&self.staging, &self.dir).is_err() {
                // No atomic exchange here: move the old set aside, the new one in.
                let aside = self.staging.with_file_name(format!(
                    ".{}.old-{}",
                    self.dir.file_name().expect("named").to_string_lossy(),
                    std::process::id()
                ));
                std::fs::rename(&self.dir, &aside)
                    .with_context(|| format!("cannot move {} aside", self.dir.display()))?;
                if let Err(e) = std::fs::rename(&self.staging, &self.dir) {
                    let _ = std::fs::rename(&aside, &self.dir);
                    return Err(e).with_context(|| {
                        format!("cannot move results into {}", self.dir.display())
                    });
                }
                self.committed = true;
                let _ = std::fs::remove_dir_all(&aside);
            } else {
                // The staging name now holds the old set.
                self.committed = true;
                std::fs::remove_dir_all(&self.staging).with_context(|| {
                    format!(
                        "cannot remove the previous set (now {})",
                        self.staging.display()
                    )
                })?;
            }
        } else {
            std::fs::rename(&self.staging, &self.dir)
                .with_context(|| format!("cannot move results into {}", self.dir.display()))?;
            self.committed = true;
        }
        sync_dir(self.dir.parent().expect("has a parent"))
    }
}

impl Drop for ResultSet {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// `dir` made absolute with symlinks followed (its parent is created if missing); refused
/// if it names no directory (`.`, `..`, `/`) or exists as something else.
fn resolve(dir: &Path) -> Result<PathBuf> {
    if dir.exists() {
        if !dir.is_dir() {
            bail!("--out {}: exists and is not a directory", dir.display());
        }
        let full = dir
            .canonicalize()
            .with_context(|| format!("cannot resolve --out {}", dir.display()))?;
        if full.parent().is_none() {
            bail!("--out {}: cannot replace the root directory", dir.display());
        }
        return Ok(full);
    }
    let Some(name) = dir.file_name().filter(|n| *n != "." && *n != "..") else {
        bail!("--out {}: expected a directory name", dir.display());
    };
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create output directory {}", parent.display()))?;
    let parent = parent
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", parent.display()))?;
    Ok(parent.join(name))
}

/// Open and lock `path` without waiting; on success write our pid into it. `out` is the
/// directory as the user named it, for the message.
fn take_lock(path: &Path, out: &Path) -> Result<File> {
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .with_context(|| format!("cannot create the lock file {}", path.display()))?;
    if !try_flock(&f)? {
        let mut pid = String::new();
        let _ = f.read_to_string(&mut pid);
        let holder = match pid.trim() {
            "" => "another process".to_string(),
            p => format!("pid {p}"),
        };
        bail!(
            "--out {} is in use by another swarmsim run ({holder}; lock file {}); wait for \
             it to finish or give another --out",
            out.display(),
            path.display()
        );
    }
    f.set_len(0)
        .and_then(|_| f.rewind())
        .and_then(|_| writeln!(f, "{}", std::process::id()))
        .with_context(|| format!("cannot write the lock file {}", path.display()))?;
    Ok(f)
}

/// `flock(LOCK_EX | LOCK_NB)`: Ok(false) if another open file holds the lock.
#[cfg(unix)]
fn try_flock(f: &File) -> Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a file descriptor we own; no memory is passed.
    let rc = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(e).context("cannot lock the output directory")
    }
}

/// Refuse a directory that holds more than result files (`out`: as the user named it).
fn check_only_results(dir: &Path, out: &Path, result_names: &[&str]) -> Result<()> {
    let mut foreign: Vec<String> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !result_names.contains(&n.as_str()))
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    let more = foreign.len().saturating_sub(5);
    foreign.truncate(5);
    bail!(
        "--out {}: holds {}{} besides result files; a run replaces the whole directory, so \
         give a new directory or one that holds only {}",
        out.display(),
        foreign.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        },
        result_names.join(", ")
    )
}

/// Remove the staging directories that dead runs into `PARENT/NAME` left behind (called
/// under the lock, so no live run owns them).
fn sweep(parent: &Path, name: &str) -> Result<()> {
    let prefixes = [format!(".{name}.tmp-"), format!(".{name}.old-")];
    for e in std::fs::read_dir(parent)
        .with_context(|| format!("cannot read {}", parent.display()))?
        .flatten()
    {
        let n = e.file_name().to_string_lossy().into_owned();
        if prefixes.iter().any(|p| n.starts_with(p.as_str())) {
            std::fs::remove_dir_all(e.path()).with_context(|| {
                format!(
                    "cannot remove {} (left by an earlier run)",
                    e.path().display()
                )
            })?;
        }
    }
    Ok(())
}

/// Swap the directories `a` and `b` atomically.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: two NUL-terminated paths that live across the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// No atomic exchange off Linux: the caller falls back to two renames.
#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Flush a directory's entries to disk.
fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot flush {}", dir.display()))
}
