//! Writing the compile output: all of it or nothing.
//!
//! The files go into a fresh folder beside `out/`, which then takes `out/`'s
//! place in one atomic exchange: a reader (or a kill at any moment) sees the
//! complete old set or the complete new set. Files in `out/` that dlc did not
//! write (it keeps a list, [`MARKER`]) move over to the new set; dlc never
//! writes outside `out/`.
//!
//! A file whose bytes are already in `out/` is not written again: it is
//! hard-linked into the new set, and when every file is unchanged `out/` is
//! left as it is. Compiling an unchanged lake then costs reads, not file
//! creations and deletions, and keeps the files' modification times.
//!
//! [`Comparison`] is the read-only twin of [`Staging`], for
//! `dlc compile --check`: it reports what a compile would change in `out/`.
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

/// A compile's output being written beside `out/`, invisible until
/// [`Staging::commit`]. Files can be written as they are produced, so a large
/// lake's output never has to sit in memory at once. Dropped without a
/// commit, it removes itself and `out/` is untouched.
pub struct Staging {
    out: PathBuf,
    parent: PathBuf,
    /// When `out/` exists: the files dlc wrote there last time (its marker).
    previous: Option<BTreeSet<String>>,
    /// The file being written in pieces ([`Staging::append`]), if any.
    /// Before `dir`, so that a staging dropped without a commit closes the
    /// file before it removes the folder (which Windows requires).
    open: Option<Piecewise>,
    /// The staging folder, created at the first file that differs from `out/`.
    dir: Option<tempfile::TempDir>,
    /// Files identical to those in `out/`, seen before the staging folder existed.
    unchanged: Vec<String>,
    written: BTreeSet<String>,
    directories: BTreeSet<PathBuf>,
}

/// A file written in pieces: compared with `out/`'s as the pieces come, and
/// staged from the first piece that differs, so that an unchanged file is
/// read, not written, as a whole one is.
struct Piecewise {
    relative: String,
    /// The bytes of the pieces so far.
    length: u64,
    state: PieceState,
}

enum PieceState {
    /// The pieces so far are the start of `out/`'s file, read along.
    SameAsOut(ReadAlong),
    /// The staged file, being written.
    Staged(io::BufWriter<std::fs::File>),
}

/// `out/`'s copy of a file written or compared in pieces, read along with
/// them: each piece is compared with the next bytes, in one buffer reused
/// for every piece.
struct ReadAlong {
    reader: io::BufReader<std::fs::File>,
    buffer: Vec<u8>,
}

impl ReadAlong {
    fn new(file: std::fs::File) -> ReadAlong {
        ReadAlong {
            reader: io::BufReader::new(file),
            buffer: Vec::new(),
        }
    }

    /// Whether the next bytes are `piece`'s (consumed either way).
    fn continues_with(&mut self, piece: &[u8]) -> bool {
        self.buffer.resize(piece.len(), 0);
        io::Read::read_exact(&mut self.reader, &mut self.buffer).is_ok() && self.buffer == piece
    }

    /// Whether the file ends here.
    fn at_end(&mut self) -> bool {
        let mut more = [0; 1];
        io::Read::read(&mut self.reader, &mut more).is_ok_and(|n| n == 0)
    }
}

impl Staging {
    /// Checks `out` (absent, or a folder) and prepares to write beside it.
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
        let previous = existing.then(|| {
            std::fs::read_to_string(out.join(MARKER))
                .map(|list| list.lines().map(String::from).collect())
                .unwrap_or_default()
        });
        Ok(Staging {
            out: out.to_path_buf(),
            parent,
            previous,
            open: None,
            dir: None,
            unchanged: Vec::new(),
            written: BTreeSet::new(),
            directories: BTreeSet::new(),
        })
    }

    /// Appends a piece to the file at `relative` (a path relative to `out/`),
    /// for a file too large to hold whole: the first piece starts it, and
    /// [`Staging::finish_pieces`] (or a piece of another file, or the commit)
    /// ends it. One file is written in pieces at a time, while whole files
    /// are written beside it.
    pub fn append(&mut self, relative: &str, piece: &str) -> Result<(), OutputError> {
        let open = match self.open.take() {
            Some(open) if open.relative == relative => open,
            other => {
                if let Some(other) = other {
                    self.finish_piecewise(other)?;
                }
                self.start_piecewise(relative)?
            }
        };
        let open = self.append_to(open, piece.as_bytes())?;
        self.open = Some(open);
        Ok(())
    }

    /// Ends the file being written in pieces, if any.
    pub fn finish_pieces(&mut self) -> Result<(), OutputError> {
        match self.open.take() {
            Some(open) => self.finish_piecewise(open),
            None => Ok(()),
        }
    }

    fn start_piecewise(&mut self, relative: &str) -> Result<Piecewise, OutputError> {
        if !is_inside(relative) {
            return Err(OutputError::Escapes(relative.to_string()));
        }
        let existing = self.out.join(relative);
        let same_so_far = self
            .written_before(relative)
            .and_then(|_| std::fs::File::open(&existing).ok());
        let state = match same_so_far {
            Some(file) => PieceState::SameAsOut(ReadAlong::new(file)),
            None => PieceState::Staged(self.create_staged(relative)?),
        };
        Ok(Piecewise {
            relative: relative.to_string(),
            length: 0,
            state,
        })
    }

    fn append_to(&mut self, mut open: Piecewise, piece: &[u8]) -> Result<Piecewise, OutputError> {
        if let PieceState::SameAsOut(in_out) = &mut open.state {
            if in_out.continues_with(piece) {
                open.length += piece.len() as u64;
                return Ok(open);
            }
            open.state = PieceState::Staged(self.stage_prefix(&open.relative, open.length)?);
        }
        if let PieceState::Staged(writer) = &mut open.state {
            let path = || self.out.join(&open.relative);
            io::Write::write_all(writer, piece).map_err(|e| OutputError::Io(path(), e))?;
        }
        open.length += piece.len() as u64;
        Ok(open)
    }

    /// A staged file that starts with the first `length` bytes of `out/`'s
    /// (the pieces so far, which were the same).
    fn stage_prefix(
        &mut self,
        relative: &str,
        length: u64,
    ) -> Result<io::BufWriter<std::fs::File>, OutputError> {
        let mut writer = self.create_staged(relative)?;
        let from = self.out.join(relative);
        let file = std::fs::File::open(&from).map_err(io_at(&from))?;
        let copied =
            io::copy(&mut io::Read::take(file, length), &mut writer).map_err(io_at(&from))?;
        if copied != length {
            let changed = io::Error::other("it changed while dlc was writing the output");
            return Err(OutputError::Io(from, changed));
        }
        Ok(writer)
    }

    fn create_staged(
        &mut self,
        relative: &str,
    ) -> Result<io::BufWriter<std::fs::File>, OutputError> {
        let path = self.staging_dir()?.join(relative);
        self.create_parent(&path)?;
        let file = std::fs::File::create(&path).map_err(io_at(&path))?;
        Ok(io::BufWriter::new(file))
    }

    fn finish_piecewise(&mut self, open: Piecewise) -> Result<(), OutputError> {
        let writer = match open.state {
            PieceState::SameAsOut(mut in_out) => {
                if in_out.at_end() {
                    self.keep_unchanged(&open.relative)?;
                    self.written.insert(open.relative);
                    return Ok(());
                }
                // out/'s file is longer: the pieces are a new, shorter file.
                self.stage_prefix(&open.relative, open.length)?
            }
            PieceState::Staged(writer) => writer,
        };
        let path = self.out.join(&open.relative);
        writer
            .into_inner()
            .map_err(|e| OutputError::Io(path, e.into_error()))?;
        self.written.insert(open.relative);
        Ok(())
    }

    /// Carries `out/relative`, unchanged, into the new output.
    fn keep_unchanged(&mut self, relative: &str) -> Result<(), OutputError> {
        match &self.dir {
            None => self.unchanged.push(relative.to_string()),
            Some(_) => self.link_from_out(relative)?,
        }
        Ok(())
    }

    /// Writes one file, at a path relative to `out/`.
    pub fn write(&mut self, relative: &str, contents: &str) -> Result<(), OutputError> {
        if !is_inside(relative) {
            return Err(OutputError::Escapes(relative.to_string()));
        }
        if self.already_in_out(relative, contents) {
            self.keep_unchanged(relative)?;
        } else {
            let path = self.staging_dir()?.join(relative);
            self.create_parent(&path)?;
            std::fs::write(&path, contents).map_err(io_at(&path))?;
        }
        self.written.insert(relative.to_string());
        Ok(())
    }

    /// Whether `out/relative` is a file dlc wrote, with exactly `contents`.
    /// Sizes are compared first, so a changed file is rarely read.
    fn already_in_out(&self, relative: &str, contents: &str) -> bool {
        self.written_before(relative)
            .is_some_and(|m| m.len() == contents.len() as u64)
            && std::fs::read(self.out.join(relative))
                .is_ok_and(|bytes| bytes == contents.as_bytes())
    }

    /// `out/relative`'s metadata when it is a regular file (not a link)
    /// that dlc wrote there: only such a file may be kept.
    fn written_before(&self, relative: &str) -> Option<std::fs::Metadata> {
        if !self.previous.as_ref().is_some_and(|p| p.contains(relative)) {
            return None;
        }
        std::fs::symlink_metadata(self.out.join(relative))
            .ok()
            .filter(std::fs::Metadata::is_file)
    }

    /// The staging folder; at its creation, the unchanged files seen so far
    /// are linked into it.
    fn staging_dir(&mut self) -> Result<PathBuf, OutputError> {
        if let Some(dir) = &self.dir {
            return Ok(dir.path().to_path_buf());
        }
        let dir = tempfile::Builder::new()
            .prefix(".dlc-staging-")
            .tempdir_in(&self.parent)
            .map_err(io_at(&self.parent))?;
        let path = dir.path().to_path_buf();
        self.dir = Some(dir);
        for relative in std::mem::take(&mut self.unchanged) {
            self.link_from_out(&relative)?;
        }
        Ok(path)
    }

    /// Puts `out/relative` into the staging folder: a hard link, or a copy
    /// where the file system has none.
    fn link_from_out(&mut self, relative: &str) -> Result<(), OutputError> {
        let to = self.staging_dir()?.join(relative);
        self.create_parent(&to)?;
        let from = self.out.join(relative);
        if std::fs::hard_link(&from, &to).is_err() {
            std::fs::copy(&from, &to).map_err(io_at(&from))?;
        }
        Ok(())
    }

    fn create_parent(&mut self, path: &Path) -> Result<(), OutputError> {
        if let Some(dir) = path.parent() {
            if self.directories.insert(dir.to_path_buf()) {
                std::fs::create_dir_all(dir).map_err(io_at(dir))?;
            }
        }
        Ok(())
    }

    /// Makes the staged files the content of `out/`, in one atomic exchange;
    /// or, when `out/` holds exactly these files already, leaves it alone.
    pub fn commit(mut self) -> Result<Committed, OutputError> {
        self.finish_pieces()?;
        let files = self.written.len();
        if self.dir.is_none() && self.previous.as_ref() == Some(&self.written) {
            return Ok(Committed {
                files,
                changed: false,
            });
        }
        let staging = self.staging_dir()?;
        if self.previous.is_some() {
            keep_foreign_files(&self.out, &staging, &self.written)?;
        }
        let list: String = self.written.iter().map(|p| format!("{p}\n")).collect();
        let marker = staging.join(MARKER);
        std::fs::write(&marker, list).map_err(io_at(&marker))?;

        let staged = match self.dir.take() {
            Some(dir) => dir.keep(),
            None => staging,
        };
        if self.previous.is_some() {
            exchange(&staged, &self.out).map_err(io_at(&self.out))?;
            // `staged` now holds the old output.
            std::fs::remove_dir_all(&staged).map_err(io_at(&staged))?;
        } else {
            std::fs::rename(&staged, &self.out).map_err(io_at(&self.out))?;
        }
        Ok(Committed {
            files,
            changed: true,
        })
    }
}

/// What a commit did: how many files dlc's output has, and whether `out/`
/// changed (an unchanged lake leaves it untouched).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Committed {
    pub files: usize,
    pub changed: bool,
}

/// How `out/` differs from a compile's files, by relative path, sorted.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Differences {
    /// Files the compile writes that `out/` lacks.
    pub added: Vec<String>,
    /// Files in `out/` whose bytes the compile would replace.
    pub changed: Vec<String>,
    /// Files dlc wrote to `out/` before that the compile no longer writes.
    pub removed: Vec<String>,
}

impl Differences {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

/// `dlc compile --check`: compares a compile's files, as they are rendered,
/// with `out/`, and writes nothing. What it reports is exactly what a
/// [`Staging`] of the same files would change in `out/`.
pub struct Comparison {
    out: PathBuf,
    /// The files dlc wrote to `out/` last time (its marker), when `out/` exists.
    previous: Option<BTreeSet<String>>,
    seen: BTreeSet<String>,
    differences: Differences,
    /// The file being compared in pieces ([`Comparison::append`]), if any.
    open: Option<ComparedPieces>,
}

/// A file compared in pieces with `out/`'s, read along as they come.
struct ComparedPieces {
    relative: String,
    state: Compared,
}

enum Compared {
    /// `out/` has no such file.
    Added,
    /// The pieces so far are the start of `out/`'s file.
    SameSoFar(ReadAlong),
    Changed,
}

impl Comparison {
    pub fn new(out: &Path) -> Result<Comparison, OutputError> {
        let previous = match std::fs::symlink_metadata(out) {
            Ok(metadata) if metadata.is_dir() => Some(
                std::fs::read_to_string(out.join(MARKER))
                    .map(|list| list.lines().map(String::from).collect())
                    .unwrap_or_default(),
            ),
            Ok(_) => return Err(OutputError::NotADirectory(out.to_path_buf())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(OutputError::Io(out.to_path_buf(), e)),
        };
        Ok(Comparison {
            out: out.to_path_buf(),
            previous,
            seen: BTreeSet::new(),
            differences: Differences::default(),
            open: None,
        })
    }

    /// Compares a piece of the file at `relative` (see [`Staging::append`]):
    /// the first piece starts it, and [`Comparison::finish_pieces`] (or a
    /// piece of another file, or [`Comparison::finish`]) ends it.
    pub fn append(&mut self, relative: &str, piece: &str) -> Result<(), OutputError> {
        let mut open = match self.open.take() {
            Some(open) if open.relative == relative => open,
            other => {
                if let Some(other) = other {
                    self.finish_compared(other);
                }
                self.start_compared(relative)?
            }
        };
        if let Compared::SameSoFar(in_out) = &mut open.state {
            if !in_out.continues_with(piece.as_bytes()) {
                open.state = Compared::Changed;
            }
        }
        self.open = Some(open);
        Ok(())
    }

    /// Ends the file being compared in pieces, if any.
    pub fn finish_pieces(&mut self) {
        if let Some(open) = self.open.take() {
            self.finish_compared(open);
        }
    }

    fn start_compared(&mut self, relative: &str) -> Result<ComparedPieces, OutputError> {
        if !is_inside(relative) {
            return Err(OutputError::Escapes(relative.to_string()));
        }
        let path = self.out.join(relative);
        let state = match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Compared::Added,
            Err(e) => return Err(OutputError::Io(path, e)),
            Ok(m) if !m.is_file() => Compared::Changed,
            Ok(_) => {
                let file = std::fs::File::open(&path).map_err(io_at(&path))?;
                Compared::SameSoFar(ReadAlong::new(file))
            }
        };
        Ok(ComparedPieces {
            relative: relative.to_string(),
            state,
        })
    }

    fn finish_compared(&mut self, open: ComparedPieces) {
        let relative = open.relative;
        match open.state {
            Compared::Added => self.differences.added.push(relative.clone()),
            Compared::Changed => self.differences.changed.push(relative.clone()),
            Compared::SameSoFar(mut in_out) => {
                // Equal only if out/'s file ends where the pieces do.
                if !in_out.at_end() {
                    self.differences.changed.push(relative.clone());
                }
            }
        }
        self.seen.insert(relative);
    }

    /// Compares one file, at a path relative to `out/`, with `out/`'s.
    pub fn file(&mut self, relative: &str, contents: &str) -> Result<(), OutputError> {
        if !is_inside(relative) {
            return Err(OutputError::Escapes(relative.to_string()));
        }
        let path = self.out.join(relative);
        match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                self.differences.added.push(relative.to_string());
            }
            Err(e) => return Err(OutputError::Io(path, e)),
            Ok(m) if !m.is_file() || m.len() != contents.len() as u64 => {
                self.differences.changed.push(relative.to_string());
            }
            Ok(_) => {
                if std::fs::read(&path).map_err(io_at(&path))? != contents.as_bytes() {
                    self.differences.changed.push(relative.to_string());
                }
            }
        }
        self.seen.insert(relative.to_string());
        Ok(())
    }

    pub fn finish(mut self) -> Differences {
        self.finish_pieces();
        let previous = self.previous.take();
        if let Some(previous) = &previous {
            self.differences.removed = previous.difference(&self.seen).cloned().collect();
        }
        // Same files, but a list that does not name exactly them (out/ was
        // written by hand, or its list was not committed): compile would
        // write the list, so out/ is not what the lake compiles to.
        if self.differences.is_empty() && previous.as_ref() != Some(&self.seen) {
            let marker = self.out.join(MARKER);
            if marker.is_file() {
                self.differences.changed.push(MARKER.to_string());
            } else {
                self.differences.added.push(MARKER.to_string());
            }
        }
        self.differences.added.sort();
        self.differences.changed.sort();
        self.differences
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

    /// One whole compile's files through a staging folder.
    fn replace_output(out: &Path, files: &[(String, String)]) -> Result<Committed, OutputError> {
        let mut staging = Staging::new(out)?;
        for (relative, contents) in files {
            staging.write(relative, contents)?;
        }
        staging.commit()
    }

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

    #[cfg(unix)]
    fn inode(path: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).unwrap().ino()
    }

    fn entries(dir: &Path) -> usize {
        std::fs::read_dir(dir).unwrap().count()
    }

    #[cfg(unix)]
    #[test]
    fn an_unchanged_output_is_left_alone() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let set = files(&[("a.json", "1"), ("Dev/b.json", "22")]);
        let first = replace_output(&out, &set).unwrap();
        assert_eq!(
            first,
            Committed {
                files: 2,
                changed: true
            }
        );
        let before = (
            inode(&out),
            inode(&out.join("a.json")),
            inode(&out.join(MARKER)),
        );
        let second = replace_output(&out, &set).unwrap();
        assert!(!second.changed, "an unchanged output is reported unchanged");
        let after = (
            inode(&out),
            inode(&out.join("a.json")),
            inode(&out.join(MARKER)),
        );
        assert_eq!(before, after, "the same folder, files and marker");
        assert_eq!(entries(root.path()), 1, "no staging folder is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn unchanged_files_carry_over_and_changed_ones_are_rewritten() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        replace_output(
            &out,
            &files(&[("a.json", "1"), ("Dev/b.json", "22"), ("c.json", "3")]),
        )
        .unwrap();
        let a = inode(&out.join("a.json"));
        let c = inode(&out.join("c.json"));
        // Same size, other bytes: compared by content, not only by size.
        replace_output(
            &out,
            &files(&[("a.json", "1"), ("Dev/b.json", "23"), ("c.json", "3")]),
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("Dev/b.json")).unwrap(),
            "23"
        );
        assert_eq!(
            inode(&out.join("a.json")),
            a,
            "linked before the first change"
        );
        assert_eq!(
            inode(&out.join("c.json")),
            c,
            "linked after the first change"
        );
        assert_eq!(entries(root.path()), 1, "no staging folder is left behind");
    }

    #[test]
    fn a_file_edited_in_out_is_written_again() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let set = files(&[("a.json", "1"), ("b.json", "2")]);
        replace_output(&out, &set).unwrap();
        std::fs::write(out.join("a.json"), "edited").unwrap();
        std::fs::remove_file(out.join("b.json")).unwrap();
        assert!(replace_output(&out, &set).unwrap().changed);
        assert_eq!(std::fs::read_to_string(out.join("a.json")).unwrap(), "1");
        assert_eq!(std::fs::read_to_string(out.join("b.json")).unwrap(), "2");
    }

    #[test]
    fn a_smaller_set_with_unchanged_files_still_drops_the_rest() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        replace_output(&out, &files(&[("a.json", "1"), ("b.json", "2")])).unwrap();
        replace_output(&out, &files(&[("a.json", "1")])).unwrap();
        assert!(out.join("a.json").exists());
        assert!(
            !out.join("b.json").exists(),
            "b.json is no longer part of the output"
        );
        assert_eq!(
            std::fs::read_to_string(out.join(MARKER)).unwrap(),
            "a.json\n"
        );
    }

    /// A compile whose last file, `big.json`, comes in `pieces`.
    fn replace_with_pieces(out: &Path, pieces: &[&str]) -> Committed {
        let mut staging = Staging::new(out).unwrap();
        staging.write("a.json", "1").unwrap();
        for piece in pieces {
            staging.append("big.json", piece).unwrap();
        }
        staging.finish_pieces().unwrap();
        staging.commit().unwrap()
    }

    #[cfg(unix)]
    #[test]
    fn a_file_in_pieces_is_written_and_left_alone_when_unchanged() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        assert!(replace_with_pieces(&out, &["{", "\"x\": 1", "}"]).changed);
        assert_eq!(
            std::fs::read_to_string(out.join("big.json")).unwrap(),
            "{\"x\": 1}"
        );
        assert_eq!(
            std::fs::read_to_string(out.join(MARKER)).unwrap(),
            "a.json\nbig.json\n"
        );
        let before = (inode(&out), inode(&out.join("big.json")));
        // The same bytes, cut elsewhere.
        let second = replace_with_pieces(&out, &["{\"x", "\": 1}"]);
        assert!(
            !second.changed,
            "an unchanged file in pieces changes nothing"
        );
        assert_eq!(before, (inode(&out), inode(&out.join("big.json"))));
        assert_eq!(entries(root.path()), 1, "no staging folder is left behind");
    }

    /// A link dlc did not write is never kept, whether the file comes whole
    /// or in pieces: it is replaced by the file, and its target is left as
    /// it was.
    #[cfg(unix)]
    #[test]
    fn a_link_in_out_is_replaced_whole_or_in_pieces() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        replace_with_pieces(&out, &["{}"]);
        let target = root.path().join("elsewhere.json");
        for name in ["a.json", "big.json"] {
            std::fs::write(&target, if name == "a.json" { "1" } else { "{}" }).unwrap();
            std::fs::remove_file(out.join(name)).unwrap();
            std::os::unix::fs::symlink(&target, out.join(name)).unwrap();
            assert!(replace_with_pieces(&out, &["{", "}"]).changed, "{name}");
            let kind = std::fs::symlink_metadata(out.join(name)).unwrap();
            assert!(kind.is_file(), "{name} is a file again");
            std::fs::remove_file(&target).unwrap();
        }
    }

    /// Two files in pieces in turn: a piece of the second ends the first.
    #[test]
    fn a_piece_of_another_file_ends_the_one_before() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        for _ in 0..2 {
            let mut staging = Staging::new(&out).unwrap();
            staging.append("one.json", "[1,").unwrap();
            staging.append("one.json", "2]").unwrap();
            staging.append("two.json", "[3]").unwrap();
            staging.commit().unwrap();
            assert_eq!(
                std::fs::read_to_string(out.join("one.json")).unwrap(),
                "[1,2]"
            );
            assert_eq!(
                std::fs::read_to_string(out.join("two.json")).unwrap(),
                "[3]"
            );
        }
    }

    #[test]
    fn a_file_in_pieces_that_differs_anywhere_is_written_whole() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let first = ["abc", "def", "ghi"];
        // Differs in a later piece, in the first, is shorter, is longer.
        for next in [
            &["abc", "dXf", "ghi"][..],
            &["Xbc", "def", "ghi"],
            &["abc", "def", "gh"],
            &["abc", "def", "ghi", "j"],
        ] {
            replace_with_pieces(&out, &first);
            assert!(replace_with_pieces(&out, next).changed, "{next:?}");
            assert_eq!(
                std::fs::read_to_string(out.join("big.json")).unwrap(),
                next.concat()
            );
            assert_eq!(entries(root.path()), 1, "no staging folder is left behind");
        }
    }

    #[test]
    fn a_file_in_pieces_is_ended_by_the_commit_and_refused_outside_out() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let mut staging = Staging::new(&out).unwrap();
        staging.append("Dev/big.json", "1").unwrap();
        staging.append("Dev/big.json", "2").unwrap();
        staging.commit().unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("Dev/big.json")).unwrap(),
            "12"
        );
        let mut staging = Staging::new(&out).unwrap();
        assert!(matches!(
            staging.append("../big.json", "1"),
            Err(OutputError::Escapes(_))
        ));
    }

    fn compare(out: &Path, files: &[(String, String)]) -> Differences {
        let mut comparison = Comparison::new(out).unwrap();
        for (relative, contents) in files {
            comparison.file(relative, contents).unwrap();
        }
        comparison.finish()
    }

    fn paths(list: &[&str]) -> Vec<String> {
        list.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn a_comparison_lists_what_a_compile_would_change_and_writes_nothing() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let set = files(&[("a.json", "1"), ("Dev/b.json", "22"), ("c.json", "3")]);
        let absent = compare(&out, &set);
        assert_eq!(absent.added, paths(&["Dev/b.json", "a.json", "c.json"]));
        assert!(!out.exists(), "nothing is written");

        replace_output(&out, &set).unwrap();
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        assert!(
            compare(&out, &set).is_empty(),
            "the files dlc wrote, and one of the user's"
        );

        // Same size, other bytes; a new file; a file no longer written.
        let next = files(&[("a.json", "1"), ("Dev/b.json", "23"), ("d.json", "4")]);
        assert_eq!(
            compare(&out, &next),
            Differences {
                added: paths(&["d.json"]),
                changed: paths(&["Dev/b.json"]),
                removed: paths(&["c.json"]),
            }
        );
        assert_eq!(
            std::fs::read_to_string(out.join("Dev/b.json")).unwrap(),
            "22"
        );
    }

    /// The same differences whether the last file comes whole or in pieces.
    #[test]
    fn a_comparison_in_pieces_finds_what_a_whole_one_finds() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let in_pieces = |pieces: &[&str]| {
            let mut comparison = Comparison::new(&out).unwrap();
            comparison.file("a.json", "1").unwrap();
            for piece in pieces {
                comparison.append("big.json", piece).unwrap();
            }
            comparison.finish()
        };
        assert_eq!(
            in_pieces(&["ab", "c"]).added,
            paths(&["a.json", "big.json"])
        );
        replace_output(&out, &files(&[("a.json", "1"), ("big.json", "abc")])).unwrap();
        assert!(in_pieces(&["a", "bc"]).is_empty());
        for changed in [&["a", "bX"][..], &["ab"], &["ab", "cd"]] {
            assert_eq!(
                in_pieces(changed),
                compare(
                    &out,
                    &files(&[("a.json", "1"), ("big.json", &changed.concat())])
                ),
                "{changed:?}"
            );
            assert_eq!(in_pieces(changed).changed, paths(&["big.json"]));
        }
    }

    #[test]
    fn a_comparison_sees_a_missing_list_of_files() {
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let set = files(&[("a.json", "1")]);
        replace_output(&out, &set).unwrap();
        std::fs::remove_file(out.join(MARKER)).unwrap();
        assert_eq!(
            compare(&out, &set),
            Differences {
                added: paths(&[MARKER]),
                ..Differences::default()
            }
        );
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
