//! Loading the import graph. File access goes through [`SourceLoader`], so that
//! only the driver touches the file system.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{ItemRef, Program};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, SourceMap, Span};
use crate::stdlib;
use crate::syntax::ast::{ImportTarget, ItemKind};
use crate::syntax::parse_module;

/// Why an imported file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    NotFound,
    IsDirectory,
    NotUtf8,
    TooLarge { bytes: u64, limit: u64 },
    Other(String),
}

impl LoadError {
    fn describe(&self) -> String {
        match self {
            LoadError::NotFound => "no such file".into(),
            LoadError::IsDirectory => "it is a directory, not a lake file".into(),
            LoadError::NotUtf8 => "it is not valid UTF-8 text".into(),
            LoadError::TooLarge { bytes, limit } => {
                format!("it is {bytes} bytes, over the limit of {limit} bytes")
            }
            LoadError::Other(message) => message.clone(),
        }
    }
}

pub trait SourceLoader {
    /// A stable identity for a path (the canonical path on disk), used to
    /// load each file once, to find import cycles and to keep imports inside
    /// the project.
    fn identity(&self, path: &Path) -> PathBuf;
    fn read(&mut self, path: &Path) -> Result<String, LoadError>;
    /// Whether an import may name a file outside the project: the directory
    /// of the root file. No by default.
    fn allows_outside_imports(&self) -> bool {
        false
    }
    /// The names of the lake files (`*.dl`) in `dir`, for a did-you-mean
    /// when an import names a file that is not there. None by default.
    fn lake_files_in(&self, _dir: &Path) -> Vec<String> {
        Vec::new()
    }
}

/// A loader whose imports may leave the project (`--allow-outside-imports`).
#[derive(Debug, Default)]
pub struct AllowOutsideImports<L>(pub L);

impl<L: SourceLoader> SourceLoader for AllowOutsideImports<L> {
    fn identity(&self, path: &Path) -> PathBuf {
        self.0.identity(path)
    }

    fn read(&mut self, path: &Path) -> Result<String, LoadError> {
        self.0.read(path)
    }

    fn allows_outside_imports(&self) -> bool {
        true
    }

    fn lake_files_in(&self, dir: &Path) -> Vec<String> {
        self.0.lake_files_in(dir)
    }
}

/// How many files deep imports may nest. Real lakes import a file or two.
pub const MAX_IMPORT_DEPTH: usize = 64;

struct Loading<'l> {
    loader: &'l mut dyn SourceLoader,
    program: Program,
    /// Files already loaded, by identity, with their module index.
    loaded: HashMap<PathBuf, usize>,
    std_loaded: HashMap<&'static str, usize>,
    /// The chain of imports being followed: (identity, display name, import span).
    stack: Vec<(PathBuf, String, Option<Span>)>,
    /// The directory of the root file, by identity: imports stay inside it.
    project: PathBuf,
    /// The project's folder as the user named it, for messages.
    project_display: String,
}

/// Loads the root file, its imports and the stdlib prelude.
pub fn load_program(
    root_name: &str,
    root_path: &Path,
    root_text: String,
    loader: &mut dyn SourceLoader,
    diagnostics: &mut Diagnostics,
) -> Program {
    let root_dir = match root_path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let project = loader.identity(root_dir);
    // Shown as the user named it, so that messages do not depend on where
    // the project sits on this machine.
    let project_display = match Path::new(root_name).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_string_lossy().replace('\\', "/"),
        _ => "the current folder".to_string(),
    };
    let mut loading = Loading {
        loader,
        project,
        project_display,
        program: Program {
            sources: SourceMap::new(),
            modules: Vec::new(),
            root: None,
            order: Vec::new(),
            failed_import: false,
        },
        loaded: HashMap::new(),
        std_loaded: HashMap::new(),
        stack: Vec::new(),
    };
    for module in stdlib::MODULES.iter().filter(|m| m.prelude) {
        // Checking a stdlib file itself: it stands as the root, not twice.
        if module.text != root_text {
            loading.load_std(module, diagnostics);
        }
    }
    let identity = loading.loader.identity(root_path);
    let file = loading.program.sources.add(root_name, root_text);
    loading.program.root = Some(file);
    loading
        .stack
        .push((identity.clone(), root_name.to_string(), None));
    loading.add_module(file, Some(root_path), identity, diagnostics);
    loading.stack.pop();
    loading.program
}

impl Loading<'_> {
    fn load_std(
        &mut self,
        module: &'static stdlib::StdModule,
        diagnostics: &mut Diagnostics,
    ) -> usize {
        if let Some(index) = self.std_loaded.get(module.name) {
            return *index;
        }
        let file = self.program.sources.add(module.display_path(), module.text);
        let index = self.add_module(
            file,
            None,
            PathBuf::from(module.display_path()),
            diagnostics,
        );
        self.std_loaded.insert(module.name, index);
        index
    }

    /// Parses a file, then follows its imports; its items join the order with
    /// each import's items standing at the import.
    fn add_module(
        &mut self,
        file: FileId,
        path: Option<&Path>,
        identity: PathBuf,
        diagnostics: &mut Diagnostics,
    ) -> usize {
        let text = &self.program.sources.get(file).text;
        // The prelude's trees are built ahead of time and embedded.
        let module = match stdlib::prelude_tree(file, text) {
            Some(module) => module,
            None => parse_module(file, text, diagnostics),
        };
        let index = self.program.modules.len();
        self.loaded.insert(identity, index);
        let imports: Vec<(usize, ImportTarget, Span)> = module
            .items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| match &item.kind {
                ItemKind::Import(import) => Some((i, import.target.clone(), import.span)),
                _ => None,
            })
            .collect();
        let item_count = module.items.len();
        self.program.modules.push(module);
        let mut next_import = imports.into_iter().peekable();
        for item in 0..item_count {
            if let Some((_, target, span)) = next_import.next_if(|(i, _, _)| *i == item) {
                self.follow_import(&target, span, path, diagnostics);
            }
            self.program.order.push(ItemRef {
                module: index,
                item,
            });
        }
        index
    }

    /// The help of an import of a file that is not there: the lake file
    /// beside it with the nearest name, if one is near, else where to look.
    fn misspelled_import(
        &self,
        diagnostic: Diagnostic,
        relative: &str,
        path: &Path,
        span: Span,
    ) -> Diagnostic {
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return diagnostic;
        };
        let name = name.to_string_lossy();
        let files = self.loader.lake_files_in(dir);
        let Some(nearest) = crate::suggest::closest(&name, files.iter().map(String::as_str)) else {
            return diagnostic
                .with_help("check the path, or `import std.NAME` for a standard library module");
        };
        // The path as written, with the file's name replaced.
        let Some(fixed) = relative
            .strip_suffix(name.as_ref())
            .map(|folder| format!("{folder}{nearest}"))
        else {
            return diagnostic.with_help(format!("did you mean the file `{nearest}`?"));
        };
        let diagnostic = diagnostic.with_help(format!("did you mean `import \"{fixed}\"`?"));
        // The import as written ends with the quoted path.
        let quoted = format!("\"{relative}\"");
        if self.program.sources.text(span).ends_with(&quoted) {
            let start = span.end - quoted.len() as u32;
            diagnostic.with_edit(Span { start, ..span }, format!("\"{fixed}\""))
        } else {
            diagnostic
        }
    }

    fn follow_import(
        &mut self,
        target: &ImportTarget,
        span: Span,
        importer: Option<&Path>,
        diagnostics: &mut Diagnostics,
    ) {
        match target {
            ImportTarget::Std(name) => match stdlib::find(name) {
                Some(module) => {
                    self.load_std(module, diagnostics);
                }
                None => {
                    self.program.failed_import = true;
                    let names: Vec<&str> = stdlib::MODULES.iter().map(|m| m.name).collect();
                    let suggestion = crate::suggest::closest(name, names.iter().copied());
                    let mut diagnostic = Diagnostic::new(
                        Code::UnknownStdModule,
                        span,
                        format!("the standard library has no module `{name}`"),
                    )
                    .with_label("unknown module")
                    .with_note(format!(
                        "its modules are {}",
                        crate::suggest::list_or(&names)
                    ))
                    .with_help_opt(suggestion.map(|s| format!("did you mean `import std.{s}`?")));
                    // The import as written ends with the module's name.
                    let written = self.program.sources.text(span);
                    if let Some(s) = suggestion.filter(|_| written.ends_with(name.as_str())) {
                        let start = span.end - name.len() as u32;
                        diagnostic = diagnostic.with_edit(Span { start, ..span }, s);
                    }
                    diagnostics.push(diagnostic);
                }
            },
            ImportTarget::File(relative) => {
                let base = importer
                    .and_then(Path::parent)
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                let path = base.join(relative);
                let identity = self.loader.identity(&path);
                if !identity.starts_with(&self.project) && !self.loader.allows_outside_imports() {
                    self.report_outside(relative, &identity, span, diagnostics);
                    return;
                }
                if self.stack.len() > MAX_IMPORT_DEPTH {
                    diagnostics.push(
                        Diagnostic::new(
                            Code::LimitExceeded,
                            span,
                            format!("imports nest too deeply: more than {MAX_IMPORT_DEPTH} files"),
                        )
                        .with_label("the limit is reached here")
                        .with_help("import the files you need from the root file instead of through a chain"),
                    );
                    return;
                }
                if let Some(position) = self.stack.iter().position(|(id, _, _)| *id == identity) {
                    self.report_cycle(position, relative, span, diagnostics);
                    return;
                }
                if self.loaded.contains_key(&identity) {
                    return;
                }
                match self.loader.read(&path) {
                    Ok(text) => {
                        let display = path.to_string_lossy().replace('\\', "/");
                        let file = self.program.sources.add(display.clone(), text);
                        self.stack.push((identity.clone(), display, Some(span)));
                        self.add_module(file, Some(&path), identity, diagnostics);
                        self.stack.pop();
                    }
                    Err(error) => {
                        self.program.failed_import = true;
                        let diagnostic = Diagnostic::new(
                            Code::ImportNotFound,
                            span,
                            format!("cannot import `{relative}`: {}", error.describe()),
                        );
                        let diagnostic = match error {
                            LoadError::NotFound => self.misspelled_import(
                                diagnostic
                                    .with_label(format!("looked for {}", path.display()))
                                    .with_note(
                                        "import paths are relative to the file that imports them",
                                    ),
                                relative,
                                &path,
                                span,
                            ),
                            LoadError::NotUtf8 => diagnostic
                                .with_label(format!("{} is not text", path.display()))
                                .with_help("save the file as UTF-8; lake files are text"),
                            LoadError::IsDirectory => diagnostic
                                .with_label(format!("{} is a directory", path.display()))
                                .with_help("import each `.dl` file of the directory by its path"),
                            LoadError::TooLarge { .. } | LoadError::Other(_) => {
                                diagnostic.with_label(format!("could not read {}", path.display()))
                            }
                        };
                        diagnostics.push(diagnostic);
                    }
                }
            }
        }
    }

    fn report_outside(
        &self,
        relative: &str,
        identity: &Path,
        span: Span,
        diagnostics: &mut Diagnostics,
    ) {
        diagnostics.push(
            Diagnostic::new(
                Code::ImportOutsideProject,
                span,
                format!("cannot import `{relative}`: it is outside the project"),
            )
            .with_label(format!(
                "this is {} from the project's folder",
                relative_to(&self.project, identity).display()
            ))
            .with_note(format!(
                "the project is {}, the folder of the lake being checked; imports stay inside it, \
                 so that the lake checks the same on every machine",
                self.project_display
            ))
            .with_help("move the file into the project, or pass `--allow-outside-imports` if the lake must read it"),
        );
    }

    fn report_cycle(
        &self,
        position: usize,
        relative: &str,
        span: Span,
        diagnostics: &mut Diagnostics,
    ) {
        let chain: Vec<&str> = self.stack[position..]
            .iter()
            .map(|(_, name, _)| name.as_str())
            .collect();
        let mut cycle = chain.join(" imports ");
        cycle.push_str(&format!(" imports {}", chain[0]));
        let mut diagnostic = Diagnostic::new(
            Code::ImportCycle,
            span,
            format!("import cycle: `{relative}` is already being imported"),
        )
        .with_label("this import closes the cycle")
        .with_note(format!("the cycle: {cycle}"))
        .with_help(if chain.len() == 2 {
            "move what both files need into a third file that both import"
        } else {
            "move what these files share into a new file that imports none of them"
        });
        for (_, name, import_span) in &self.stack[position + 1..] {
            if let Some(s) = import_span {
                diagnostic = diagnostic.with_secondary(*s, format!("imports {name}"));
            }
        }
        diagnostics.push(diagnostic);
    }
}

/// `to` as a path relative to `from` (both absolute, or both relative to the
/// same folder): `../checks/x.dl`.
fn relative_to(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<_> = from.components().collect();
    let to_parts: Vec<_> = to.components().collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &to_parts[common..] {
        out.push(part);
    }
    out
}
