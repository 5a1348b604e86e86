//! The standard library: schemas written in dl, embedded in the binary so that
//! `dlc` works from any directory. The prelude's syntax trees are embedded
//! too, built ahead of time (see [`tree`]).

mod tree;

use crate::source::FileId;
use crate::syntax::ast::Module;

pub struct StdModule {
    /// The name used in `import std.NAME`.
    pub name: &'static str,
    pub text: &'static str,
    /// Prelude modules are visible in every lake file without an import.
    pub prelude: bool,
    /// The hash of `text`, computed when the crate is compiled: the embedded
    /// syntax tree is used only if it was made from this text.
    hash: u64,
}

impl StdModule {
    /// The name shown in diagnostics.
    pub fn display_path(&self) -> String {
        format!("std/{}.dl", self.name)
    }
}

macro_rules! std_module {
    ($name:literal, $prelude:expr) => {
        StdModule {
            name: $name,
            text: include_str!(concat!("../stdlib/", $name, ".dl")),
            prelude: $prelude,
            hash: tree::text_hash(include_str!(concat!("../stdlib/", $name, ".dl"))),
        }
    };
}

pub const MODULES: &[StdModule] = &[
    std_module!("aws", true),
    std_module!("lake", true),
    std_module!("environment", true),
    std_module!("network", true),
    std_module!("storage", true),
    std_module!("audit", true),
    std_module!("warehouse", true),
    std_module!("presets", false),
];

pub fn find(name: &str) -> Option<&'static StdModule> {
    MODULES.iter().find(|m| m.name == name)
}

/// The prelude's syntax trees, made by `tree`'s bless test from `stdlib/*.dl`.
const PRELUDE_TREE: &[u8] = include_bytes!("stdlib/prelude.tree");

fn prelude_modules() -> impl Iterator<Item = &'static StdModule> {
    MODULES.iter().filter(|m| m.prelude)
}

/// The syntax tree of `text` when it is the prelude module the loader adds as
/// `file` (the prelude comes first, in [`MODULES`] order), read from the
/// embedded form instead of parsed. `None` for any other file, and for a
/// module whose embedded tree was made from other text.
pub fn prelude_tree(file: FileId, text: &str) -> Option<Module> {
    let index = file.0 as usize;
    let module = prelude_modules().nth(index)?;
    if module.text != text {
        return None;
    }
    tree::read_module(PRELUDE_TREE, index, module.hash, file)
}

/// The prelude module's tree as the parser builds it.
#[cfg(test)]
fn parse_fresh(index: usize, module: &StdModule) -> Module {
    let mut ignored = crate::diagnostic::Diagnostics::new();
    crate::syntax::parse_module(FileId(index as u32), module.text, &mut ignored)
}
