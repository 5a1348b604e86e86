//! Resolution: loads the import graph and builds the one scope of a lake.
//!
//! All files of a lake (the root, what it imports, and the stdlib prelude)
//! share one flat namespace: a name is declared once across all of them.
//! Items are kept in source order, an imported file's items standing where
//! its first `import` is.

mod loader;

pub use loader::{load_program, AllowOutsideImports, LoadError, SourceLoader, MAX_IMPORT_DEPTH};

use indexmap::IndexMap;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast::{Item, ItemKind, Module};

/// Every file of one lake, parsed.
#[derive(Debug)]
pub struct Program {
    pub sources: SourceMap,
    pub modules: Vec<Module>,
    /// The file the user named.
    pub root: Option<FileId>,
    /// (module index, item index) in source order.
    pub order: Vec<ItemRef>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ItemRef {
    pub module: usize,
    pub item: usize,
}

impl Program {
    pub fn item(&self, r: ItemRef) -> &Item {
        &self.modules[r.module].items[r.item]
    }

    pub fn items(&self) -> impl Iterator<Item = (ItemRef, &Item)> {
        self.order.iter().map(move |r| (*r, self.item(*r)))
    }

    /// True when the item comes from the embedded standard library.
    pub fn is_std(&self, r: ItemRef) -> bool {
        self.sources
            .get(self.modules[r.module].file)
            .name
            .starts_with("std/")
    }
}

/// The names declared by a lake, each bound to its item.
#[derive(Debug, Default)]
pub struct Scope {
    names: IndexMap<String, ItemRef>,
}

impl Scope {
    pub fn build(program: &Program, diagnostics: &mut Diagnostics) -> Scope {
        let mut names: IndexMap<String, ItemRef> = IndexMap::new();
        for (r, item) in program.items() {
            let Some(name) = item.kind.name() else {
                continue;
            };
            if name.name.is_empty() {
                continue;
            }
            if let Some(first) = names.get(&name.name) {
                let first_span = program
                    .item(*first)
                    .kind
                    .name()
                    .map_or(program.item(*first).span, |n| n.span);
                let mut diagnostic = Diagnostic::new(
                    Code::DuplicateDeclaration,
                    name.span,
                    format!("`{}` is declared twice", name.name),
                )
                .with_label("declared again here")
                .with_secondary(first_span, "first declared here");
                diagnostic = if program.is_std(*first) {
                    diagnostic.with_help(format!(
                        "`{}` is a standard library name; choose another name",
                        name.name
                    ))
                } else {
                    diagnostic.with_help("rename one of them, or remove the second")
                };
                diagnostics.push(diagnostic);
                continue;
            }
            names.insert(name.name.clone(), r);
        }
        Scope { names }
    }

    pub fn get(&self, name: &str) -> Option<ItemRef> {
        self.names.get(name).copied()
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.keys().map(String::as_str)
    }

    /// Names that denote values (not types), for suggestions.
    pub fn value_names<'a>(&'a self, program: &'a Program) -> impl Iterator<Item = &'a str> {
        self.names.iter().filter_map(move |(name, r)| {
            matches!(
                program.item(*r).kind,
                ItemKind::Let(_) | ItemKind::Lake(_) | ItemKind::Env(_)
            )
            .then_some(name.as_str())
        })
    }
}

/// The `lake` declaration of a program, checking there is exactly one in the user's files.
pub fn find_lake(program: &Program, diagnostics: &mut Diagnostics) -> Option<ItemRef> {
    let lakes: Vec<ItemRef> = program
        .items()
        .filter(|(_, item)| matches!(item.kind, ItemKind::Lake(_)))
        .map(|(r, _)| r)
        .collect();
    match lakes.as_slice() {
        [] => {
            if let Some(root) = program.root {
                let span = Span::new(root, 0, 0);
                diagnostics.push(
                    Diagnostic::new(Code::MissingLake, span, "this lake has no `lake` declaration")
                        .with_label("expected a `lake Name { ... }` declaration in this file or its imports")
                        .with_help("add `lake MyLake { logical_id_prefix = \"...\", resource_prefix = \"...\", ... }`; `dlc explain DL0106` shows a full one"),
                );
            }
            None
        }
        [one] => Some(*one),
        [first, rest @ ..] => {
            let first_span = name_span(program, *first);
            for other in rest {
                diagnostics.push(
                    Diagnostic::new(
                        Code::DuplicateLake,
                        name_span(program, *other),
                        "a lake has exactly one `lake` declaration",
                    )
                    .with_label("a second `lake`")
                    .with_secondary(first_span, "the first `lake` is here")
                    .with_help(
                        "merge the two into one declaration; environments go in `env` declarations",
                    ),
                );
            }
            Some(*first)
        }
    }
}

fn name_span(program: &Program, r: ItemRef) -> Span {
    let item = program.item(r);
    item.kind.name().map_or(item.span, |n| n.span)
}
