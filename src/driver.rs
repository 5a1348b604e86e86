//! The driver runs the stages in order, and owns the only file-system access
//! of the compiler ([`FsLoader`]).

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::checks;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::eval::{self, Evaluated};
use crate::model::{self, Lake};
use crate::resolve::{self, LoadError, Program, Scope, SourceLoader};
use crate::source::{SourceMap, Span};
use crate::syntax::ast::ItemKind;
use crate::types::TypeDefs;

/// The largest lake file dlc reads. Real lakes are a few kilobytes; the limit
/// keeps a wrong path (a log, a dump) from exhausting memory.
pub const MAX_SOURCE_BYTES: u64 = 16 * 1024 * 1024;

/// Everything `dlc check` learns about one lake.
#[derive(Debug)]
pub struct Checked {
    pub sources: SourceMap,
    /// Sorted by position, repeats removed.
    pub diagnostics: Vec<Diagnostic>,
    pub evaluated: Evaluated,
    /// The checked model, when there are no errors and the files declare a lake.
    pub model: Option<Lake>,
    /// Identities of every user file the lake loaded (the root and its imports).
    pub files: Vec<PathBuf>,
    /// A disagreement between the stdlib and the model: a bug in dlc, not in the lake.
    pub internal_error: Option<String>,
    /// The root file declares only `let`s and types: a module that lakes
    /// import, checked here on its own.
    pub is_module: bool,
}

impl Checked {
    /// The result for a source the stages never got to: it could not be read
    /// as a lake at all (too large, not UTF-8, not parsed), so only
    /// diagnostics.
    pub fn unread(
        sources: SourceMap,
        diagnostics: Vec<Diagnostic>,
        files: Vec<PathBuf>,
    ) -> Checked {
        Checked {
            sources,
            diagnostics,
            evaluated: Evaluated::default(),
            model: None,
            files,
            internal_error: None,
            is_module: false,
        }
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Checks a lake given as bytes (a file's content, or stdin).
pub fn check_bytes(
    name: &str,
    path: &Path,
    bytes: Vec<u8>,
    loader: &mut dyn SourceLoader,
) -> Checked {
    match String::from_utf8(bytes) {
        Ok(text) => check_source(name, path, text, loader),
        Err(error) => {
            let valid_up_to = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let mut sources = SourceMap::new();
            // The lossy text has the same bytes up to the first invalid one.
            let file = sources.add(name, text);
            let diagnostic = Diagnostic::new(
                Code::InvalidSourceText,
                Span::new(file, valid_up_to, valid_up_to + 1),
                format!(
                    "the file is not valid UTF-8: byte {valid_up_to} starts an invalid sequence"
                ),
            )
            .with_label("invalid UTF-8 here")
            .with_help("save the file as UTF-8; lake files are text");
            Checked::unread(sources, vec![diagnostic], vec![loader.identity(path)])
        }
    }
}

/// The result of checking a source over [`MAX_SOURCE_BYTES`]: it is not read.
/// `size` is its size in bytes, when known (it is not for standard input).
pub fn too_large(name: &str, path: &Path, size: Option<u64>, loader: &dyn SourceLoader) -> Checked {
    let mut sources = SourceMap::new();
    let file = sources.add(name, String::new());
    let limit = MAX_SOURCE_BYTES / (1024 * 1024);
    let size = match size {
        Some(bytes) => format!("{bytes} bytes"),
        None => format!("more than {MAX_SOURCE_BYTES} bytes"),
    };
    let diagnostic = Diagnostic::new(
        Code::SourceTooLarge,
        Span::new(file, 0, 0),
        format!("`{name}` is too large to be a lake file: {size}, over the limit of {limit} MiB"),
    )
    .with_label("not read")
    .with_help("lake files are small text files; check that this is the file you meant");
    Checked::unread(sources, vec![diagnostic], vec![loader.identity(path)])
}

/// Reads at most [`MAX_SOURCE_BYTES`] + 1 bytes: enough to tell that a source
/// is too large without reading all of it (it may be endless, as `/dev/zero` is).
pub fn read_limited(reader: impl Read) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(MAX_SOURCE_BYTES + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Runs every stage on a lake whose root file is `text`.
pub fn check_source(
    name: &str,
    path: &Path,
    text: String,
    loader: &mut dyn SourceLoader,
) -> Checked {
    let mut diagnostics = Diagnostics::new();
    let program = resolve::load_program(name, path, text, loader, &mut diagnostics);
    let scope = Scope::build(&program, &mut diagnostics);
    let types = TypeDefs::build(&program, &scope, &mut diagnostics);
    let is_module = !needs_lake(&program);
    let lake = if !is_module {
        resolve::find_lake(&program, &mut diagnostics)
    } else {
        None
    };
    let evaluated = eval::evaluate(&program, &scope, &types, lake, &mut diagnostics);
    checks::check_source(&program, &mut diagnostics);
    let mut model = None;
    let mut internal_error = None;
    if !diagnostics.has_errors() {
        match model::build_model(&evaluated) {
            Ok(Some(lake)) => {
                checks::check_lake(&lake, &mut diagnostics);
                if !diagnostics.has_errors() {
                    checks::check_templates(&lake, &mut diagnostics);
                }
                // Codegen sees only a lake without errors.
                if !diagnostics.has_errors() {
                    model = Some(lake);
                }
            }
            Ok(None) => {}
            Err(error) => internal_error = Some(error.0),
        }
    } else if let Some(partial) = model::build_partial_model(&evaluated) {
        // One run reports both a type error and, in the environments that
        // type-check, an overlap or a bad name. Every domain check looks at
        // one environment or a pair, so leaving some out hides findings
        // but invents none. Only errors: warnings are advice on a lake that
        // is otherwise ready, and would bury the errors here.
        let mut domain = Diagnostics::new();
        checks::check_lake(&partial, &mut domain);
        diagnostics.extend(domain.into_sorted().into_iter().filter(|d| d.is_error()));
    }
    if let Some(root) = program.root {
        diagnostics.finish(Span::new(root, 0, 0));
    }
    let files = user_files(&program, loader);
    Checked {
        sources: program.sources,
        diagnostics: diagnostics.into_sorted(),
        evaluated,
        model,
        files,
        internal_error,
        is_module,
    }
}

/// A file that declares environments, or declares nothing, must have a lake.
/// One that only declares `let`s and types is a module for other lakes to import.
/// Declarations that failed to parse count by their keyword.
fn needs_lake(program: &Program) -> bool {
    let mut declares_anything = false;
    for (r, item) in program.items() {
        if program.is_std(r) {
            continue;
        }
        match item.kind {
            ItemKind::Env(_) | ItemKind::Lake(_) => return true,
            ItemKind::Import(_) => {}
            _ => declares_anything = true,
        }
    }
    for module in &program.modules {
        for (keyword, _) in &module.unparsed {
            match keyword.as_str() {
                "env" | "lake" => return true,
                "import" => {}
                _ => declares_anything = true,
            }
        }
    }
    !declares_anything
}

fn user_files(program: &Program, loader: &dyn SourceLoader) -> Vec<PathBuf> {
    program
        .sources
        .files()
        .filter(|(_, f)| !f.name.starts_with("std/"))
        .map(|(_, f)| loader.identity(Path::new(&f.name)))
        .collect()
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
    fn tree_path(&self, path: &Path) -> Option<String> {
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

/// Checks `file` as committed at `reference`, imports included.
pub fn check_at_ref(
    file: &Path,
    reference: &str,
    allow_outside_imports: bool,
) -> Result<Checked, GitError> {
    let mut loader = GitLoader::new(file, reference)?;
    let name = file.to_string_lossy().replace('\\', "/");
    if loader.tree_path(file).is_none() {
        return Err(GitError::OutsideRepository {
            file: file.to_path_buf(),
        });
    }
    let text = loader.read(file).map_err(|error| match error {
        LoadError::NotFound => GitError::NotCommitted {
            reference: reference.to_string(),
            file: name.clone(),
        },
        other => GitError::Read {
            file: name.clone(),
            message: match other {
                LoadError::IsDirectory => "it is a folder at that commit".to_string(),
                LoadError::NotUtf8 => "it is not valid UTF-8 at that commit".to_string(),
                LoadError::TooLarge { bytes, .. } => {
                    format!("it is {bytes} bytes at that commit, over the limit")
                }
                LoadError::NotFound => "no such file".to_string(),
                LoadError::Other(message) => message,
            },
        },
    })?;
    Ok(if allow_outside_imports {
        check_source(&name, file, text, &mut resolve::AllowOutsideImports(loader))
    } else {
        check_source(&name, file, text, &mut loader)
    })
}
