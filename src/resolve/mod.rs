//! Resolution: loads the import graph and builds the one scope of a lake.
//!
//! All files of a lake (the root, what it imports, and the stdlib prelude)
//! share one flat namespace: a name is declared once across all of them.
//! Items are kept in source order, an imported file's items standing where
//! its first `import` is.

mod loader;
mod memory;

pub use loader::{load_program, AllowOutsideImports, LoadError, SourceLoader, MAX_IMPORT_DEPTH};
pub use memory::MemoryLoader;

use crate::hashing::{name_map_with_capacity, NameMap};

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
    /// True when an import could not be loaded (reported as DL0105 or DL0108).
    pub failed_import: bool,
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

    /// True when a declaration of `name` failed to parse. Uses of the name
    /// are not reported as undefined: the syntax error covers them.
    pub fn failed_to_parse(&self, name: &str) -> bool {
        self.modules
            .iter()
            .any(|m| m.unparsed.iter().any(|(_, n)| n == name))
    }

    /// True when `name` may be declared where the compiler could not look:
    /// in an item that failed to parse or, when `plausible_typo` is false,
    /// in an import that could not be loaded. An undefined-name error would
    /// then only echo the first error.
    pub fn may_declare(&self, name: &str, plausible_typo: bool) -> bool {
        self.failed_to_parse(name) || (self.failed_import && !plausible_typo)
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
    names: NameMap<String, ItemRef>,
}

impl Scope {
    pub fn build(program: &Program, diagnostics: &mut Diagnostics) -> Scope {
        let mut names: NameMap<String, ItemRef> = name_map_with_capacity(program.order.len());
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
                let message = format!("`{}` is declared twice", name.name);
                let diagnostic = match (program.is_std(*first), program.is_std(r)) {
                    // A clash with the standard library is the user's
                    // declaration's to fix, whichever comes first.
                    (true, _) | (_, true) => {
                        let (user, std) = if program.is_std(r) {
                            (first_span, name.span)
                        } else {
                            (name.span, first_span)
                        };
                        Diagnostic::new(Code::DuplicateDeclaration, user, message)
                            .with_label("declared here")
                            .with_secondary(std, "the standard library declares it here")
                            .with_help(format!(
                                "`{}` is a standard library name; choose another name",
                                name.name
                            ))
                    }
                    _ => Diagnostic::new(Code::DuplicateDeclaration, name.span, message)
                        .with_label("declared again here")
                        .with_secondary(first_span, "first declared here")
                        .with_help("rename one of them, or remove the second"),
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
            let lake_unseen = program.failed_import
                || program
                    .modules
                    .iter()
                    .any(|m| m.unparsed.iter().any(|(keyword, _)| keyword == "lake"));
            if lake_unseen {
                // The lake is in the item or the import already reported.
                return None;
            }
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
        _ => {
            // The root file's `lake` is the lake; one in an imported file is
            // a leftover there, whatever the order the files were read in.
            let in_root = |r: &ItemRef| Some(program.modules[r.module].file) == program.root;
            let chosen = lakes.iter().copied().find(in_root).unwrap_or(lakes[0]);
            let chosen_span = name_span(program, chosen);
            let chosen_file = file_name(program, chosen);
            for other in lakes.iter().copied().filter(|r| *r != chosen) {
                let other_file = file_name(program, other);
                let diagnostic = if in_root(&chosen) && other_file != chosen_file {
                    Diagnostic::new(
                        Code::DuplicateLake,
                        name_span(program, other),
                        format!(
                            "the imported file `{other_file}` declares a `lake`, \
                             and so does the root file `{chosen_file}`"
                        ),
                    )
                    .with_label("a leftover `lake` in an imported file")
                    .with_secondary(chosen_span, "the lake, in the root file")
                    .with_help(format!(
                        "delete this `lake` from `{other_file}`: only the root file declares \
                         the lake; a shared file holds `let`s, types and environments"
                    ))
                } else {
                    Diagnostic::new(
                        Code::DuplicateLake,
                        name_span(program, other),
                        "a lake has exactly one `lake` declaration",
                    )
                    .with_label("a second `lake`")
                    .with_secondary(chosen_span, "the first `lake` is here")
                    .with_help(
                        "merge the two into one declaration; environments go in `env` declarations",
                    )
                };
                diagnostics.push(diagnostic);
            }
            Some(chosen)
        }
    }
}

/// The name of the file that declares `r`, as diagnostics show it.
fn file_name(program: &Program, r: ItemRef) -> &str {
    &program.sources.get(program.modules[r.module].file).name
}

fn name_span(program: &Program, r: ItemRef) -> Span {
    let item = program.item(r);
    item.kind.name().map_or(item.span, |n| n.span)
}
