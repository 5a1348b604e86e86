//! Writing the compile output: all of it or nothing.
//!
//! The files go into a fresh folder beside `out/`, which then takes `out/`'s
//! place in one atomic exchange: a reader (or a kill at any moment) sees the
//! complete old set or the complete new set. Files in `out/` that dlc did not
//! write (it keeps a list, [`MARKER`]) move over to the new set; dlc never
//! writes outside `out/`.
//!
//! The guarantee is against interruption (a kill, a failed write, a full
//! disk), which is what a pipeline meets. The files are not fsynced: that
//! doubled the time of a small compile, and a lost `out/` after a power cut
//! is rebuilt by compiling again.

use std::collections::BTreeSet;
use std::io;
use std::path::{Component, Path, PathBuf};

/// The list of files dlc wrote, one relative path per line, inside `out/`.
pub const MARKER: &str = ".dlc-output";

#[derive(Debug)]
pub enum OutputError {
    /// `out/` exists and is not a folder.
    NotADirectory(PathBuf),
    /// A path that would leave `out/` (a bug in codegen, refused anyway).
    Escapes(String),
    Io(PathBuf, io::Error),
}

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutputError::NotADirectory(path) => {
                write!(f, "{} exists and is not a folder", path.display())
            }
            OutputError::Escapes(path) => write!(
                f,
                "refusing to write {path}: it is outside the output folder"
            ),
            OutputError::Io(path, error) => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for OutputError {}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |e| OutputError::Io(path.to_path_buf(), e)
}

/// Replaces the contents dlc wrote in `out` by `files` (relative path, text).
pub fn replace_output(out: &Path, files: &[(String, String)]) -> Result<(), OutputError> {
    let mut staging = Staging::new(out)?;
    for (relative, contents) in files {
        staging.write(relative, contents)?;
    }
    staging.commit()
}

/// A compile's output being written beside `out/`, invisible until
/// [`Staging::commit`]. Files can be written as they are produced, so a large
/// lake's output never has to sit in memory at once. Dropped without a
/// commit, it removes itself and `out/` is untouched.
pub struct Staging {
    out: PathBuf,
    existing: bool,
    dir: tempfile::TempDir,
    written: BTreeSet<String>,
    directories: BTreeSet<PathBuf>,
}

impl Staging {
    /// Checks `out` (absent, or a folder) and opens a staging folder beside it.
    pub fn new(out: &Path) -> Result<Staging, OutputError> {
        let existing = match std::fs::symlink_metadata(out) {
            Ok(metadata) if metadata.is_dir() => true,
            Ok(_) => return Err(OutputError::NotADirectory(out.to_path_buf())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(OutputError::Io(out.to_path_buf(), e)),
        };
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(io_at(&parent))?;
        let dir = tempfile::Builder::new()
            .prefix(".dlc-staging-")
            .tempdir_in(&parent)
            .map_err(io_at(&parent))?;
        Ok(Staging {
            out: out.to_path_buf(),
            existing,
            dir,
            written: BTreeSet::new(),
            directories: BTreeSet::new(),
        })
    }

    /// Writes one file, at a path relative to `out/`.
    pub fn write(&mut self, relative: &str, contents: &str) -> Result<(), OutputError> {
        if !is_inside(relative) {
            return Err(OutputError::Escapes(relative.to_string()));
        }
        let path = self.dir.path().join(relative);
        if let Some(dir) = path.parent() {
            if self.directories.insert(dir.to_path_buf()) {
                std::fs::create_dir_all(dir).map_err(io_at(dir))?;
            }
        }
        std::fs::write(&path, contents).map_err(io_at(&path))?;
        self.written.insert(relative.to_string());
        Ok(())
    }

    /// Makes the staged files the content of `out/`, in one atomic exchange.
    pub fn commit(self) -> Result<(), OutputError> {
        let Staging {
            out,
            existing,
            dir,
            written,
            ..
        } = self;
        if existing {
            keep_foreign_files(&out, dir.path(), &written)?;
        }
        let list: String = written.iter().map(|p| format!("{p}\n")).collect();
        let marker = dir.path().join(MARKER);
        std::fs::write(&marker, list).map_err(io_at(&marker))?;

        let staged = dir.keep();
        if existing {
            exchange(&staged, &out).map_err(io_at(&out))?;
            // `staged` now holds the old output.
            std::fs::remove_dir_all(&staged).map_err(io_at(&staged))?;
        } else {
            std::fs::rename(&staged, &out).map_err(io_at(&out))?;
        }
        Ok(())
    }
}

/// Relative, and without `..`: the path stays inside `out/`.
fn is_inside(path: &str) -> bool {
    let path = Path::new(path);
    !path.as_os_str().is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)))
}

/// Links (or copies) into `staging` every file of `out` that dlc did not write.
fn keep_foreign_files(
    out: &Path,
    staging: &Path,
    new: &BTreeSet<String>,
) -> Result<(), OutputError> {
    let ours: BTreeSet<String> = std::fs::read_to_string(out.join(MARKER))
        .map(|list| list.lines().map(String::from).collect())
        .unwrap_or_default();
    let mut stack = vec![PathBuf::new()];
    while let Some(relative) = stack.pop() {
        let dir = out.join(&relative);
        for entry in std::fs::read_dir(&dir).map_err(io_at(&dir))? {
            let entry = entry.map_err(io_at(&dir))?;
            let relative = relative.join(entry.file_name());
            let key = relative.to_string_lossy().replace('\\', "/");
            let kind = entry.file_type().map_err(io_at(&dir))?;
            if kind.is_dir() {
                stack.push(relative);
            } else if key != MARKER && !ours.contains(&key) && !new.contains(&key) {
                let from = out.join(&relative);
                let to = staging.join(&relative);
                if let Some(parent) = to.parent() {
                    std::fs::create_dir_all(parent).map_err(io_at(parent))?;
                }
                if std::fs::hard_link(&from, &to).is_err() {
                    std::fs::copy(&from, &to).map_err(io_at(&from))?;
                }
            }
        }
    }
    Ok(())
}

/// Swaps two folders atomically.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes()).map_err(io::Error::other)?;
    let b = CString::new(b.as_os_str().as_bytes()).map_err(io::Error::other)?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let result = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if result == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Elsewhere: two renames, with a window in which `b` is missing.
#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    let aside = a.with_extension("old");
    std::fs::rename(b, &aside)?;
    std::fs::rename(a, b)?;
    std::fs::rename(&aside, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect()
    }

    #[test]
    fn replaces_what_dlc_wrote_and_keeps_the_rest() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        replace_output(&out, &files(&[("a.json", "1"), ("Dev/b.json", "2")])).unwrap();
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        replace_output(&out, &files(&[("a.json", "3")])).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.json")).unwrap(), "3");
        assert!(
            !out.join("Dev/b.json").exists(),
            "a file dlc wrote before and not now is gone"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("notes.txt")).unwrap(),
            "mine"
        );
        assert_eq!(
            std::fs::read_to_string(out.join(MARKER)).unwrap(),
            "a.json\n"
        );
        let leftovers: Vec<_> = std::fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no staging folder is left behind");
    }

    #[test]
    fn refuses_a_file_and_paths_that_escape() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        std::fs::write(&out, "a file").unwrap();
        assert!(matches!(
            replace_output(&out, &files(&[("a", "1")])),
            Err(OutputError::NotADirectory(_))
        ));
        let out = root.path().join("out2");
        assert!(matches!(
            replace_output(&out, &files(&[("../x", "1")])),
            Err(OutputError::Escapes(_))
        ));
        assert!(matches!(
            replace_output(&out, &files(&[("/etc/x", "1")])),
            Err(OutputError::Escapes(_))
        ));
        assert!(!root.path().join("x").exists());
    }
}
