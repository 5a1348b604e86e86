//! The host: the one module of dlc that touches the file system and the
//! environment. Everything else gets bytes, paths and answers from here, so
//! the stages stay pure and testable; clippy.toml forbids `std::fs`,
//! `std::env` and temporary files anywhere else in the library.

#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "the host module is where dlc touches the disk and the environment"
)]

pub mod aws;
pub mod git;
pub mod lsp;
pub mod output;

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::driver::MAX_SOURCE_BYTES;
use crate::resolve::{LoadError, SourceLoader};

/// Reads at most [`MAX_SOURCE_BYTES`] + 1 bytes: enough to tell that a source
/// is too large without reading all of it (it may be endless, as `/dev/zero` is).
pub fn read_limited(reader: impl Read) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(MAX_SOURCE_BYTES + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// A lake's bytes, or the news that it is over the size limit.
pub enum Input {
    /// The display name and the bytes.
    Bytes(String, Vec<u8>),
    /// The display name and the size, when known (a device has none).
    TooLarge(String, Option<u64>),
}

/// Why [`read_input`] read nothing.
pub enum ReadError {
    Io(std::io::Error),
    /// The path names a folder.
    Directory,
}

/// Reads a path, or stdin for `-`, never more than the size limit.
pub fn read_input(file: &Path) -> Result<Input, ReadError> {
    if file == Path::new("-") {
        let bytes = read_limited(std::io::stdin()).map_err(ReadError::Io)?;
        if bytes.len() as u64 > MAX_SOURCE_BYTES {
            return Ok(Input::TooLarge("<stdin>".into(), None));
        }
        return Ok(Input::Bytes("<stdin>".into(), bytes));
    }
    let metadata = std::fs::metadata(file).map_err(ReadError::Io)?;
    if metadata.is_dir() {
        return Err(ReadError::Directory);
    }
    let name = file.to_string_lossy().replace('\\', "/");
    if metadata.len() > MAX_SOURCE_BYTES {
        return Ok(Input::TooLarge(name, Some(metadata.len())));
    }
    // Read with a limit: a device or a pipe has no size to check first.
    let bytes = std::fs::File::open(file)
        .and_then(read_limited)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Ok(Input::TooLarge(name, None));
    }
    Ok(Input::Bytes(name, bytes))
}

/// A whole text file (a pipeline declaration: no size limit, dlc wrote it).
pub fn read_text(file: &Path) -> std::io::Result<String> {
    std::fs::read_to_string(file)
}

/// The working directory, against which imports on standard input resolve.
pub fn working_directory() -> std::io::Result<PathBuf> {
    std::env::current_dir()
}

/// Whether `NO_COLOR` asks for no colour (set and not empty).
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// `DLC_ALLOW_DESTRUCTIVE` set (and not `0`): the user acknowledges the
/// destructive changes `dlc diff` reports, for this run.
pub fn allow_destructive() -> bool {
    std::env::var_os("DLC_ALLOW_DESTRUCTIVE").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Reads lake files from disk. Imports stay inside the project; wrap it in
/// [`AllowOutsideImports`](crate::resolve::AllowOutsideImports) to let them leave.
#[derive(Debug, Default)]
pub struct FsLoader;

impl SourceLoader for FsLoader {
    /// The canonical path, symbolic links resolved. For a path that does not
    /// exist, the canonical path of its nearest existing ancestor followed by
    /// the rest, so that it compares with canonical paths.
    fn identity(&self, path: &Path) -> PathBuf {
        // `import ""` names the importer's directory.
        let path = if path.as_os_str().is_empty() {
            Path::new(".")
        } else {
            path
        };
        if let Ok(canonical) = std::fs::canonicalize(path) {
            return canonical;
        }
        let absolute = normalize(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()));
        absolute
            .ancestors()
            .skip(1)
            .find_map(|ancestor| {
                let canonical = std::fs::canonicalize(ancestor).ok()?;
                Some(canonical.join(absolute.strip_prefix(ancestor).ok()?))
            })
            .unwrap_or(absolute)
    }

    fn read(&mut self, path: &Path) -> Result<String, LoadError> {
        let metadata = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => LoadError::NotFound,
            _ => LoadError::Other(e.to_string()),
        })?;
        if metadata.is_dir() {
            return Err(LoadError::IsDirectory);
        }
        // A pipe or a device could block or never end.
        if !metadata.is_file() {
            return Err(LoadError::Other("it is not a regular file".into()));
        }
        let too_large = |bytes| LoadError::TooLarge {
            bytes,
            limit: MAX_SOURCE_BYTES,
        };
        if metadata.len() > MAX_SOURCE_BYTES {
            return Err(too_large(metadata.len()));
        }
        let file = std::fs::File::open(path).map_err(|e| LoadError::Other(e.to_string()))?;
        let bytes = read_limited(file).map_err(|e| LoadError::Other(e.to_string()))?;
        if bytes.len() as u64 > MAX_SOURCE_BYTES {
            // The file grew after its size was read.
            return Err(too_large(bytes.len() as u64));
        }
        String::from_utf8(bytes).map_err(|_| LoadError::NotUtf8)
    }

    fn lake_files_in(&self, dir: &Path) -> Vec<String> {
        // `import "zone.dl"` from `lake.dl` looks in the current folder.
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .take(MAX_SEARCHED_ENTRIES)
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|e| e == "dl") && path.is_file())
            .filter_map(|path| Some(path.file_name()?.to_string_lossy().into_owned()))
            .collect();
        names.sort();
        names
    }
}

/// Folders a search for lake files does not enter: build output and
/// dependencies (hidden folders such as `.git` are skipped too).
const UNSEARCHED_FOLDERS: &[&str] = &["target", "node_modules"];

/// The most folder entries one search looks at, so that a check of a file
/// in a large folder (a home directory, `/tmp`) ends quickly.
const MAX_SEARCHED_ENTRIES: usize = 100_000;

/// The lake files that may import `module`: every `.dl` file that declares a
/// `lake` and names `module`'s file in a string, in the repository that holds
/// `module` (the nearest folder above it with a `.git`) or, outside a
/// repository, in the module's own folder and below. Paths are relative to
/// the working directory where they can be, in sorted order. Which of them
/// really import `module` only a check can tell.
pub fn lake_files_near(module: &Path) -> Vec<PathBuf> {
    let Ok(absolute) = std::path::absolute(module) else {
        return Vec::new();
    };
    let folder = absolute.parent().unwrap_or(Path::new("/"));
    let root = folder
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .unwrap_or(folder);
    let Some(file_name) = absolute.file_name() else {
        return Vec::new();
    };
    // `import "shared/net.dl"` ends with the module's name and a quote.
    let import_end = format!("{}\"", file_name.to_string_lossy());
    let cwd = std::env::current_dir().ok();
    let mut found = Vec::new();
    let mut seen = 0;
    let mut folders = vec![root.to_path_buf()];
    while let Some(dir) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            seen += 1;
            if seen > MAX_SEARCHED_ENTRIES {
                break;
            }
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !name.starts_with('.') && !UNSEARCHED_FOLDERS.contains(&name.as_ref()) {
                    folders.push(path);
                }
            } else if kind.is_file()
                && name.ends_with(".dl")
                && path != absolute
                && may_import(&path, &import_end)
            {
                let shown = cwd
                    .as_deref()
                    .and_then(|cwd| path.strip_prefix(cwd).ok())
                    .map(Path::to_path_buf)
                    .unwrap_or(path);
                found.push(shown);
            }
        }
    }
    found.sort();
    found
}

/// A quick look, not a parse: a line that starts with `lake`, and the
/// module's name at the end of a string (`import_end`).
fn may_import(path: &Path, import_end: &str) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let Ok(bytes) = read_limited(file) else {
        return false;
    };
    let text = String::from_utf8_lossy(&bytes);
    text.contains(import_end)
        && text[crate::source::bom_len(&text)..].lines().any(|line| {
            line.trim_start()
                .strip_prefix("lake")
                .is_some_and(|rest| rest.starts_with(char::is_whitespace))
        })
}

/// `a/./b/../c` -> `a/c`, without touching the disk.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Replaces `path` with `bytes` so that a reader sees the old file or the new
/// one, never half of it: write a temporary file beside it, then rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let directory = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::NamedTempFile::new_in(directory)?;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    if let Ok(metadata) = std::fs::metadata(path) {
        temporary
            .as_file()
            .set_permissions(metadata.permissions())?;
    }
    temporary.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Why [`replace_if_unchanged`] left a file as it was.
#[derive(Debug)]
pub enum ReplaceError {
    /// The file's text is no longer the text the new one was made from
    /// (an editor saved it meanwhile): writing would lose that change.
    Changed,
    Io(std::io::Error),
}

/// Whether `path` still holds `read`, the text dlc read from it.
pub fn still_holds(path: &Path, read: &str) -> Result<(), ReplaceError> {
    let current = std::fs::read(path).map_err(ReplaceError::Io)?;
    if current != read.as_bytes() {
        return Err(ReplaceError::Changed);
    }
    Ok(())
}

/// Replaces `path` with `new`, atomically, if it still holds `read`, the
/// text `new` was made from. A symbolic link stays one: its target is
/// replaced.
pub fn replace_if_unchanged(path: &Path, read: &str, new: &str) -> Result<(), ReplaceError> {
    let target = std::fs::canonicalize(path).map_err(ReplaceError::Io)?;
    still_holds(&target, read)?;
    write_atomically(&target, new.as_bytes()).map_err(ReplaceError::Io)
}
