//! The driver runs the stages in order. It reads nothing itself: sources
//! come as bytes, imports through a [`SourceLoader`] (the disk's is
//! [`crate::host::FsLoader`]).

use std::path::{Path, PathBuf};

use crate::checks;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::eval::{self, Evaluated};
use crate::host::git::{GitError, GitLoader};
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

    /// Finishes a check made with [`Quotas::Deferred`] whose lake will not
    /// be compiled after all: measures its templates now.
    pub fn check_quotas(&mut self) {
        let Some(lake) = &self.model else {
            return;
        };
        let mut found = Diagnostics::new();
        checks::check_templates(lake, &mut found);
        self.add_quota_findings(found.into_sorted());
    }

    /// Adds what the quota check found on the compiled templates of a check
    /// made with [`Quotas::Deferred`]. On an error the model goes, as a
    /// check that measured the templates itself would leave none.
    pub fn add_quota_findings(&mut self, found: Vec<Diagnostic>) {
        if found.is_empty() {
            return;
        }
        let mut all = Diagnostics::new();
        all.extend(std::mem::take(&mut self.diagnostics));
        all.extend(found);
        self.diagnostics = all.into_sorted();
        if self.has_errors() {
            self.model = None;
        }
    }
}

/// Whether a check measures the templates against CloudFormation's quotas
/// (DL0395 to DL0398), which means building every one of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quotas {
    Check,
    /// Left to the caller, which compiles the whole lake next and checks the
    /// templates as it writes them ([`checks::check_measured_templates`]),
    /// so that each is built once. [`Checked::model`] is then a lake whose
    /// quotas are not checked yet.
    Deferred,
}

/// Checks a lake given as bytes (a file's content, or stdin).
pub fn check_bytes(
    name: &str,
    path: &Path,
    bytes: Vec<u8>,
    loader: &mut dyn SourceLoader,
) -> Checked {
    check_bytes_with(name, path, bytes, loader, Quotas::Check, Keep::Everything)
}

/// [`check_bytes`], measuring the templates or not, keeping what `keep`
/// says.
pub fn check_bytes_with(
    name: &str,
    path: &Path,
    bytes: Vec<u8>,
    loader: &mut dyn SourceLoader,
    quotas: Quotas,
    keep: Keep,
) -> Checked {
    match String::from_utf8(bytes) {
        Ok(text) => run_stages(name, path, text, loader, quotas, keep).0,
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

/// Runs every stage on a lake whose root file is `text`.
pub fn check_source(
    name: &str,
    path: &Path,
    text: String,
    loader: &mut dyn SourceLoader,
) -> Checked {
    check_source_with(name, path, text, loader, Quotas::Check)
}

/// [`check_source`], measuring the templates or not.
pub fn check_source_with(
    name: &str,
    path: &Path,
    text: String,
    loader: &mut dyn SourceLoader,
    quotas: Quotas,
) -> Checked {
    check_source_keeping_syntax(name, path, text, loader, quotas).0
}

/// What the stages parsed and declared, kept for an editor's tables
/// ([`crate::analysis`]): `dlc check` needs only the [`Checked`] result.
#[derive(Debug, Default)]
pub struct Syntax {
    /// Every file's tree, the stdlib's included, indexed as spans' files are not:
    /// each module names its own [`crate::source::FileId`].
    pub modules: Vec<crate::syntax::ast::Module>,
    pub scope: Scope,
    pub types: TypeDefs,
}

/// [`check_source_with`], keeping the trees, the scope and the types.
pub fn check_source_keeping_syntax(
    name: &str,
    path: &Path,
    text: String,
    loader: &mut dyn SourceLoader,
    quotas: Quotas,
) -> (Checked, Syntax) {
    run_stages(name, path, text, loader, quotas, Keep::Everything)
}

/// What a check keeps once its stages are done with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// The trees, scope and types, and the evaluated values ([`Checked`]
    /// holds the values; `dlc eval` prints them, `dlc diff` compares them).
    Everything,
    /// The model and the diagnostics: what `dlc check` and `dlc compile`
    /// need. The trees and the evaluated values go as soon as the stages are
    /// done with them, so that a large lake's model is never checked with
    /// them beside it (a 10,000-environment lake's values are over 100 MB);
    /// [`Checked::evaluated`] is empty once the model is built.
    Model,
}

fn run_stages(
    name: &str,
    path: &Path,
    text: String,
    loader: &mut dyn SourceLoader,
    quotas: Quotas,
    keep: Keep,
) -> (Checked, Syntax) {
    let mut diagnostics = Diagnostics::new();
    let mut program = resolve::load_program(name, path, text, loader, &mut diagnostics);
    let scope = Scope::build(&program, &mut diagnostics);
    let types = TypeDefs::build(&program, &scope, &mut diagnostics);
    let is_module = !needs_lake(&program);
    let lake = if !is_module {
        resolve::find_lake(&program, &mut diagnostics)
    } else {
        None
    };
    let mut evaluated = eval::evaluate(&program, &scope, &types, lake, &mut diagnostics);
    checks::check_program(&program, &mut diagnostics);
    let (scope, types) = match keep {
        Keep::Everything => (scope, types),
        Keep::Model => {
            drop(std::mem::take(&mut program.modules));
            (Scope::default(), TypeDefs::default())
        }
    };
    let mut model = None;
    let mut internal_error = None;
    if !diagnostics.has_errors() {
        let built = model::build_model(&evaluated);
        if keep == Keep::Model && matches!(built, Ok(Some(_))) {
            // The partial model below, for a lake with errors, is built
            // from the values: they go only when the model is whole.
            evaluated = Evaluated::default();
        }
        match built {
            Ok(Some(lake)) => {
                checks::check_lake(&lake, &mut diagnostics);
                if !diagnostics.has_errors() && quotas == Quotas::Check {
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
    let checked = Checked {
        sources: program.sources,
        diagnostics: diagnostics.into_sorted(),
        evaluated,
        model,
        files,
        internal_error,
        is_module,
    };
    let syntax = Syntax {
        modules: program.modules,
        scope,
        types,
    };
    (checked, syntax)
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

/// Checks `file` as committed at `reference`, imports included.
pub fn check_at_ref(
    file: &Path,
    reference: &str,
    allow_outside_imports: bool,
    quotas: Quotas,
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
        let mut loader = resolve::AllowOutsideImports(loader);
        check_source_with(&name, file, text, &mut loader, quotas)
    } else {
        check_source_with(&name, file, text, &mut loader, quotas)
    })
}
