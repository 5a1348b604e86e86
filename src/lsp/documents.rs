//! The open documents and the lakes they belong to. Every open file is
//! checked as a root, unless a lake already checked imports it: a module's
//! values are checked where a lake uses them, as `dlc check` does.

use std::collections::BTreeMap;
use std::path::PathBuf;

use lsp_types::Url;

use super::convert::{self, Lines};
use crate::analysis::{self, Analysis, NodeKind, Overlay};
use crate::diagnostic::Severity;
use crate::driver::Quotas;
use crate::resolve::SourceLoader;
use crate::source::{FileId, Span};

struct Document {
    identity: PathBuf,
    path: PathBuf,
    /// The editor's version of the buffer, sent back with its diagnostics
    /// so that the editor can drop those of an older text.
    version: i32,
}

/// What the server keeps between messages.
pub struct Documents<'l> {
    loader: &'l mut dyn SourceLoader,
    open: BTreeMap<Url, Document>,
    overlay: Overlay,
    analyses: Vec<Analysis>,
    /// The analyses' templates are not measured against CloudFormation's
    /// quotas yet ([`Documents::measure_quotas`]).
    quotas_pending: bool,
    /// The non-empty lists last published, by URI: to clear a URI when its
    /// problems are gone, and to publish after the quotas only what they
    /// changed.
    published: BTreeMap<Url, Vec<lsp_types::Diagnostic>>,
}

/// One URI's diagnostics, with the version of its open buffer.
pub type Published = (Url, Option<i32>, Vec<lsp_types::Diagnostic>);

/// How much the server holds: the same after any number of edits to the
/// same files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retained {
    pub documents: usize,
    pub buffers: usize,
    pub analyses: usize,
    pub published: usize,
}

impl<'l> Documents<'l> {
    pub fn new(loader: &'l mut dyn SourceLoader) -> Documents<'l> {
        Documents {
            loader,
            open: BTreeMap::new(),
            overlay: Overlay::new(),
            analyses: Vec::new(),
            quotas_pending: false,
            published: BTreeMap::new(),
        }
    }

    pub fn retained(&self) -> Retained {
        Retained {
            documents: self.open.len(),
            buffers: self.overlay.len(),
            analyses: self.analyses.len(),
            published: self.published.len(),
        }
    }

    pub fn loader(&mut self) -> &mut dyn SourceLoader {
        self.loader
    }

    pub fn overlay(&self) -> &Overlay {
        &self.overlay
    }

    /// Opens or replaces a buffer. False for a URI that is not a file.
    pub fn set(&mut self, uri: Url, version: i32, text: String) -> bool {
        let Some(path) = convert::path_of(&uri) else {
            return false;
        };
        let identity = self.loader.identity(&path);
        self.overlay.set(identity.clone(), text);
        self.open.insert(
            uri,
            Document {
                identity,
                path,
                version,
            },
        );
        true
    }

    pub fn close(&mut self, uri: &Url) {
        if let Some(document) = self.open.remove(uri) {
            self.overlay.remove(&document.identity);
        }
    }

    /// Checks every lake of the open documents again, all but the quotas on
    /// their templates: building every template is over half a check's work,
    /// and the rest of the diagnostics should not wait for it.
    pub fn reanalyze(&mut self) {
        let mut analyses: Vec<Analysis> = Vec::new();
        for document in self.open.values() {
            let covered = analyses
                .iter()
                .any(|a| !a.checked.is_module && a.checked.files.contains(&document.identity));
            if covered {
                continue;
            }
            let name = convert::display_name(&document.path);
            if let Ok(analysis) = analysis::analyze(
                &name,
                &document.path,
                &self.overlay,
                self.loader,
                Quotas::Deferred,
            ) {
                analyses.push(analysis);
            }
        }
        // A module opened before the lake that imports it.
        let lake_files: Vec<PathBuf> = analyses
            .iter()
            .filter(|a| !a.checked.is_module)
            .flat_map(|a| a.checked.files.iter().cloned())
            .collect();
        analyses.retain(|a| {
            !a.checked.is_module
                || !a
                    .checked
                    .files
                    .first()
                    .is_some_and(|f| lake_files.contains(f))
        });
        self.analyses = analyses;
        self.quotas_pending = true;
    }

    /// Whether the last check still owes its quota measurements.
    pub fn quotas_pending(&self) -> bool {
        self.quotas_pending
    }

    /// Finishes the last check: measures every clean lake's templates
    /// against CloudFormation's quotas, as `dlc check` does.
    pub fn measure_quotas(&mut self) {
        if std::mem::take(&mut self.quotas_pending) {
            for analysis in &mut self.analyses {
                analysis.checked.check_quotas();
            }
        }
    }

    /// The analysis that holds an open document, and the document's file in it.
    pub fn analysis_of(&self, uri: &Url) -> Option<(&Analysis, FileId)> {
        let document = self.open.get(uri)?;
        self.analyses.iter().find_map(|analysis| {
            let file = analysis.file_of(&document.identity, self.loader)?;
            Some((analysis, file))
        })
    }

    /// Every file's diagnostics with the version of its open buffer, the
    /// files that have none any more included (with an empty list).
    pub fn diagnostics(&mut self) -> Vec<Published> {
        self.publish(|_, _| true)
    }

    /// The files whose diagnostics differ from those last published.
    pub fn changed_diagnostics(&mut self) -> Vec<Published> {
        self.publish(|before, now| before != now)
    }

    /// The lists for which `differs(last published, current)` holds, each
    /// remembered as published.
    fn publish(
        &mut self,
        differs: impl Fn(&[lsp_types::Diagnostic], &[lsp_types::Diagnostic]) -> bool,
    ) -> Vec<Published> {
        let mut by_uri = self.current();
        let previously = std::mem::take(&mut self.published);
        for (uri, list) in &by_uri {
            if !list.is_empty() {
                self.published.insert(uri.clone(), list.clone());
            }
        }
        for uri in previously.keys() {
            by_uri.entry(uri.clone()).or_default();
        }
        by_uri
            .into_iter()
            .filter(|(uri, list)| {
                let before = previously.get(uri).map_or(&[][..], Vec::as_slice);
                differs(before, list)
            })
            .map(|(uri, list)| {
                let version = self.open.get(&uri).map(|d| d.version);
                (uri, version, list)
            })
            .collect()
    }

    /// Every open or analysed file's diagnostics now. A problem in an
    /// imported file is also shown on the `import` that brings it in, so that
    /// the lake shows it is not clean.
    fn current(&self) -> BTreeMap<Url, Vec<lsp_types::Diagnostic>> {
        let mut by_uri: BTreeMap<Url, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
        for uri in self.open.keys() {
            by_uri.insert(uri.clone(), Vec::new());
        }
        for analysis in &self.analyses {
            let sources = &analysis.checked.sources;
            let mut lines = Lines::default();
            let Some(root) = root_of(analysis) else {
                continue;
            };
            for diagnostic in &analysis.checked.diagnostics {
                let span = diagnostic.span().unwrap_or(Span::new(root, 0, 0));
                let Some(uri) = convert::uri_of(sources, span.file) else {
                    continue;
                };
                if uri.scheme() == convert::STD_SCHEME {
                    continue;
                }
                let converted = convert::diagnostic(sources, &mut lines, diagnostic, span);
                by_uri.entry(uri).or_default().push(converted);
            }
            for node in analysis.index.nodes() {
                let NodeKind::Import {
                    written,
                    target: Some(imported),
                } = &node.kind
                else {
                    continue;
                };
                let errors: Vec<_> = analysis
                    .checked
                    .diagnostics
                    .iter()
                    .filter(|d| d.span().is_some_and(|s| s.file == *imported))
                    .collect();
                let Some(first) = errors.first() else {
                    continue;
                };
                let Some(uri) = convert::uri_of(sources, node.span.file) else {
                    continue;
                };
                let severity = if errors.iter().any(|d| d.severity == Severity::Error) {
                    lsp_types::DiagnosticSeverity::ERROR
                } else {
                    lsp_types::DiagnosticSeverity::WARNING
                };
                let related = errors
                    .iter()
                    .filter_map(|d| {
                        Some(lsp_types::DiagnosticRelatedInformation {
                            location: lines.location(sources, d.span()?)?,
                            message: format!("{}: {}", d.code.as_str(), d.message),
                        })
                    })
                    .collect();
                let count = crate::diagnostic::count(errors.len() as i128, "problem");
                by_uri.entry(uri).or_default().push(lsp_types::Diagnostic {
                    range: lines.range(sources, node.span),
                    severity: Some(severity),
                    code: Some(lsp_types::NumberOrString::String(
                        first.code.as_str().to_string(),
                    )),
                    source: Some("dlc".into()),
                    message: format!("`{written}` has {count}; the first: {}", first.message),
                    related_information: Some(related),
                    ..lsp_types::Diagnostic::default()
                });
            }
        }
        by_uri
    }
}

/// The root file of an analysis: the first user file loaded.
pub fn root_of(analysis: &Analysis) -> Option<FileId> {
    analysis
        .checked
        .sources
        .files()
        .find(|(_, f)| !f.name.starts_with("std/"))
        .map(|(id, _)| id)
}
