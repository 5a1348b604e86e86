//! The analysis layer that `dlc check` and `dlc lsp` share: one entry point
//! checks a lake as an editor sees it (open buffers over the disk) and keeps
//! what an editor asks about beside the result: the trees, the schemas, and
//! an [`Index`] of names, fields and literals by position.

mod index;
mod line_index;
mod overlay;

pub use index::{Index, Node, NodeKind};
pub use line_index::{LineIndex, Position};
pub use overlay::{Overlay, OverlayLoader};

use std::path::Path;

use crate::driver::{self, Checked, Keep, Quotas, Syntax};
use crate::resolve::{LoadError, SourceLoader};
use crate::source::FileId;

/// A checked lake and its editor tables.
#[derive(Debug)]
pub struct Analysis {
    pub checked: Checked,
    pub syntax: Syntax,
    pub index: Index,
}

impl Analysis {
    /// The file of the lake whose identity (under `loader`) is `identity`.
    pub fn file_of(&self, identity: &Path, loader: &dyn SourceLoader) -> Option<FileId> {
        self.checked
            .sources
            .files()
            .filter(|(_, f)| !f.name.starts_with("std/"))
            .find(|(_, f)| loader.identity(Path::new(&f.name)) == identity)
            .map(|(id, _)| id)
    }
}

/// Checks the lake whose root is `root` (named `name` in diagnostics), its
/// text and its imports read through `overlay` first, then `disk`. Fails
/// when the root is neither open nor readable. `quotas` as in
/// [`analyze_bytes`]; deferred, [`Checked::check_quotas`] finishes the check.
///
/// [`Checked::check_quotas`]: crate::driver::Checked::check_quotas
pub fn analyze(
    name: &str,
    root: &Path,
    overlay: &Overlay,
    disk: &mut dyn SourceLoader,
    quotas: Quotas,
) -> Result<Analysis, LoadError> {
    let mut loader = OverlayLoader {
        overlay,
        inner: disk,
    };
    let text = loader.read(root)?;
    Ok(analyze_bytes(
        name,
        root,
        text.into_bytes(),
        &mut loader,
        quotas,
    ))
}

/// Checks a lake whose root file's content is `bytes` (a file, standard
/// input or a buffer), keeping the editor tables. `quotas` says whether the
/// check measures the templates (a compile measures them as it writes).
pub fn analyze_bytes(
    name: &str,
    root: &Path,
    bytes: Vec<u8>,
    loader: &mut dyn SourceLoader,
    quotas: Quotas,
) -> Analysis {
    match String::from_utf8(bytes) {
        Ok(text) => {
            let (checked, syntax) =
                driver::check_source_keeping_syntax(name, root, text, loader, quotas);
            let index = Index::build(&syntax, &checked.sources);
            Analysis {
                checked,
                syntax,
                index,
            }
        }
        Err(error) => Analysis {
            checked: driver::check_bytes_with(
                name,
                root,
                error.into_bytes(),
                loader,
                quotas,
                Keep::Everything,
            ),
            syntax: Syntax::default(),
            index: Index::default(),
        },
    }
}

#[cfg(test)]
mod tests;
