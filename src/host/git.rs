//! Reading a lake as committed at a git ref, through `git` as a subprocess:
//! `dlc diff --base REF`.

use std::path::{Path, PathBuf};

use super::FsLoader;
use crate::driver::MAX_SOURCE_BYTES;
use crate::resolve::{LoadError, SourceLoader};

/// Why a lake could not be read as committed at a git ref.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitError {
    /// `git` could not be run.
    NoGit(String),
    /// The lake file is not in a git work tree.
    NotARepository { file: PathBuf },
    /// The ref names no commit.
    UnknownRef { reference: String },
    /// The commit has no such file.
    NotCommitted { reference: String, file: String },
    /// The file is outside the repository.
    OutsideRepository { file: PathBuf },
    /// Reading through git failed otherwise.
    Read { file: String, message: String },
}

impl GitError {
    /// What to do about it.
    pub fn help(&self) -> String {
        match self {
            GitError::NoGit(_) => "install git, or compare two files: `dlc diff OLD NEW`".into(),
            GitError::NotARepository { .. } => {
                "run it inside a git work tree, or compare two files: `dlc diff OLD NEW`".into()
            }
            GitError::UnknownRef { .. } => {
                "name a commit, branch or tag: `HEAD`, `main`, `origin/main`, a commit hash".into()
            }
            GitError::NotCommitted { reference, .. } => format!(
                "a lake added since `{reference}` has nothing to compare with; compare two files with `dlc diff OLD NEW`"
            ),
            GitError::OutsideRepository { .. } => {
                "the lake file and its imports must be inside the repository".into()
            }
            GitError::Read { .. } => "check the repository with `git status`".into(),
        }
    }
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitError::NoGit(e) => write!(f, "cannot run git: {e}"),
            GitError::NotARepository { file } => {
                write!(f, "{} is not in a git repository", file.display())
            }
            GitError::UnknownRef { reference } => {
                write!(f, "`{reference}` is not a commit in this repository")
            }
            GitError::NotCommitted { reference, file } => {
                write!(f, "{file} is not in the commit `{reference}`")
            }
            GitError::OutsideRepository { file } => {
                write!(f, "{} is outside the git repository", file.display())
            }
            GitError::Read { file, message } => {
                write!(f, "cannot read {file} through git: {message}")
            }
        }
    }
}

/// Runs git in `dir`; its standard output, or its first error line.
fn git(dir: &Path, args: &[&str]) -> Result<Result<Vec<u8>, String>, GitError> {
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| GitError::NoGit(e.to_string()))?;
    if output.status.success() {
        return Ok(Ok(output.stdout));
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Ok(Err(stderr.lines().next().unwrap_or("").trim().to_string()))
}

/// Reads lake files as committed at a git ref (`git cat-file blob REF:path`),
/// through the paths of the work tree: `dlc diff --base REF`.
#[derive(Debug)]
pub struct GitLoader {
    /// The repository's top folder, canonical.
    root: PathBuf,
    /// The commit, resolved once so every file comes from the same one.
    commit: String,
}

impl GitLoader {
    /// A loader for the repository that holds `file`, at `reference`.
    pub fn new(file: &Path, reference: &str) -> Result<GitLoader, GitError> {
        let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
        let dir = absolute.parent().unwrap_or(Path::new("/"));
        let dir = FsLoader.identity(dir);
        let root = git(&dir, &["rev-parse", "--show-toplevel"])?.map_err(|_| {
            GitError::NotARepository {
                file: file.to_path_buf(),
            }
        })?;
        let root = String::from_utf8_lossy(&root).trim().to_string();
        let root = FsLoader.identity(Path::new(&root));
        // git would read a leading `-` as an option, not a ref.
        if reference.starts_with('-') {
            return Err(GitError::UnknownRef {
                reference: reference.to_string(),
            });
        }
        let commit = git(
            &root,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{reference}^{{commit}}"),
            ],
        )?
        .map_err(|_| GitError::UnknownRef {
            reference: reference.to_string(),
        })?;
        let commit = String::from_utf8_lossy(&commit).trim().to_string();
        Ok(GitLoader { root, commit })
    }

    /// `path` as git names it in a tree: relative to the root, with `/`.
    pub fn tree_path(&self, path: &Path) -> Option<String> {
        let identity = FsLoader.identity(path);
        let relative = identity.strip_prefix(&self.root).ok()?;
        Some(
            relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
        )
    }
}

impl SourceLoader for GitLoader {
    fn identity(&self, path: &Path) -> PathBuf {
        FsLoader.identity(path)
    }

    fn read(&mut self, path: &Path) -> Result<String, LoadError> {
        let tree_path = self
            .tree_path(path)
            .ok_or_else(|| LoadError::Other("it is outside the git repository".to_string()))?;
        let object = format!("{}:{tree_path}", self.commit);
        let query =
            |args: &[&str]| git(&self.root, args).map_err(|e| LoadError::Other(e.to_string()));
        match query(&["cat-file", "-t", &object])? {
            Ok(kind) if kind.trim_ascii() == b"tree" => return Err(LoadError::IsDirectory),
            Ok(_) => {}
            Err(_) => return Err(LoadError::NotFound),
        }
        // The size first, as for a file on disk: a large blob is not read.
        let size = query(&["cat-file", "-s", &object])?.map_err(LoadError::Other)?;
        let size: u64 = String::from_utf8_lossy(&size).trim().parse().unwrap_or(0);
        if size > MAX_SOURCE_BYTES {
            return Err(LoadError::TooLarge {
                bytes: size,
                limit: MAX_SOURCE_BYTES,
            });
        }
        let bytes = query(&["cat-file", "blob", &object])?.map_err(LoadError::Other)?;
        String::from_utf8(bytes).map_err(|_| LoadError::NotUtf8)
    }
}
