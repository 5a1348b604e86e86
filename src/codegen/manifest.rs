//! `manifest.json`: every stack with its account, region, template, tags,
//! dependencies and the deploy order, and for every resource the place in the
//! lake file it came from, so a later tool can point a CloudFormation finding
//! back at the source; then the bootstrap and pipeline stacks a team deploys
//! by hand, in their order.
//!
//! Codegen stays pure: the caller passes a [`Locate`] that maps a span to a
//! file name and a 1-based line and column.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use indexmap::IndexMap;
use serde::Serialize;

use super::template::Template;
use super::{SetupStack, Stack};
use crate::model::{Environment, Lake};
use crate::source::{SourceMap, Span};

/// Maps a span to (file name, 1-based line, 1-based column).
pub type Locate<'a> = &'a dyn Fn(Span) -> (Arc<str>, usize, usize);

/// The usual [`Locate`]: the span's file name as the user gave it, and the
/// 1-based line and column of its start. Each file's name is allocated once
/// and shared by every location in it: a large lake has millions.
pub fn locate_in(sources: &SourceMap) -> impl Fn(Span) -> (Arc<str>, usize, usize) + '_ {
    locate_with_names(sources, file_names(sources, |name| name.to_string()))
}

/// [`locate_in`] with file names relative to `project`, the folder of the
/// lake file: the manifest is the same bytes whether the lake was given as
/// `lake.dl`, `./lake.dl`, `infra/lake.dl` or an absolute path. Names of
/// files outside it (the stdlib's `std/...`) stay as they are.
pub fn locate_in_project<'a>(
    sources: &'a SourceMap,
    project: &Path,
) -> impl Fn(Span) -> (Arc<str>, usize, usize) + 'a {
    locate_with_names(
        sources,
        file_names(sources, |name| project_relative(name, project)),
    )
}

fn file_names(sources: &SourceMap, name_of: impl Fn(&str) -> String) -> Vec<Arc<str>> {
    sources
        .files()
        .map(|(_, f)| Arc::from(name_of(&f.name).as_str()))
        .collect()
}

fn locate_with_names(
    sources: &SourceMap,
    names: Vec<Arc<str>>,
) -> impl Fn(Span) -> (Arc<str>, usize, usize) + '_ {
    move |span| {
        let file = sources.get(span.file);
        let (line, column) = file.line_col(span.start as usize);
        (names[span.file.0 as usize].clone(), line, column)
    }
}

/// `infra/shared/zones.dl` in project `infra` -> `shared/zones.dl`, with `/`
/// between components on every platform.
fn project_relative(name: &str, project: &Path) -> String {
    match Path::new(name).strip_prefix(project) {
        Ok(relative) => relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => name.to_string(),
    }
}

/// The version of the manifest's format; bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Manifest {
    pub format_version: u32,
    pub lake: String,
    pub deployment_account: String,
    pub deployment_region: String,
    /// Stack names, in an order that deploys every stack after the ones it
    /// depends on: environments in source order, and in each `Storage`,
    /// `Network` (its flow log writes into Storage's bucket), `Warehouse`.
    /// The pipelines deploy these.
    pub deploy_order: Vec<String>,
    pub stacks: Vec<StackEntry>,
    /// The stacks a team deploys by hand, once, in this order: the bootstrap
    /// stacks (the deployment account's first), then the pipeline stacks.
    pub setup_order: Vec<String>,
    pub bootstrap: Vec<SetupEntry>,
    pub pipelines: Vec<PipelineEntry>,
}

/// A bootstrap or pipeline stack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SetupEntry {
    pub name: String,
    /// `null` for the deployment account's bootstrap, which serves every
    /// environment.
    pub environment: Option<String>,
    pub account: String,
    pub region: String,
    /// Relative to the manifest's folder.
    pub template: String,
    pub depends_on: Vec<String>,
    pub capabilities: Vec<String>,
    pub tags: IndexMap<String, String>,
    pub source: Location,
    pub resources: IndexMap<String, ResourceEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PipelineEntry {
    #[serde(flatten)]
    pub stack: SetupEntry,
    /// The CodePipeline pipeline's name.
    pub pipeline: String,
    /// The branch whose pushes start it.
    pub branch: String,
    /// The same pipeline as CodePipeline's declaration, relative to the manifest's folder.
    pub declaration: String,
    /// The environment's stacks it deploys, in order.
    pub deploys: Vec<String>,
    /// The role to deploy the pipeline stack with (`--role-arn`): the one the
    /// pipeline updates its own stack with.
    pub update_role: String,
    /// The pipeline stack's parameters (`--parameter-overrides`), each the
    /// output of a setup stack deployed before it; absent when it has none.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub parameters: IndexMap<String, ParameterSource>,
}

/// Where a pipeline stack's parameter comes from: an output of a stack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParameterSource {
    pub stack: String,
    pub output: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StackEntry {
    pub name: String,
    pub environment: String,
    pub account: String,
    pub region: String,
    /// Relative to the manifest's folder.
    pub template: String,
    pub depends_on: Vec<String>,
    pub capabilities: Vec<String>,
    /// Tags to put on the stack when deploying it.
    pub tags: IndexMap<String, String>,
    pub exports: Vec<String>,
    pub imports: Vec<String>,
    pub source: Location,
    /// By logical ID, in template order.
    pub resources: IndexMap<String, ResourceEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResourceEntry {
    #[serde(rename = "type")]
    pub kind: String,
    pub source: Location,
    /// Properties that come from one value of the lake file, with its place.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub properties: IndexMap<String, Location>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: Arc<str>,
    pub line: usize,
    pub column: usize,
}

impl Manifest {
    /// Pretty JSON with a trailing newline, written straight from the
    /// manifest: no intermediate JSON tree, which for a large lake would be
    /// several times the size of the text.
    #[allow(
        clippy::expect_used,
        reason = "serializing plain JSON values and structs cannot fail"
    )]
    pub fn render(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("the manifest always serializes");
        text.push('\n');
        text
    }

    pub fn stack(&self, name: &str) -> Option<&StackEntry> {
        self.stacks.iter().find(|s| s.name == name)
    }
}

/// Each resource of a template with the place in the lake it comes from.
fn resources(
    template: &Template,
    location: &dyn Fn(Span) -> Location,
) -> IndexMap<String, ResourceEntry> {
    template
        .resources
        .iter()
        .map(|(id, r)| {
            (
                id.clone(),
                ResourceEntry {
                    kind: r.kind.to_string(),
                    source: location(r.span),
                    properties: r
                        .property_spans
                        .iter()
                        .map(|(p, span)| (p.clone(), location(*span)))
                        .collect(),
                },
            )
        })
        .collect()
}

/// Writes the manifest in pieces, each stack's entry as the stack is
/// rendered, so that neither the entries nor the text of a large lake's
/// manifest (130 MB for 10,000 environments) are held whole, unless the
/// caller asks for the entries (`keep_stacks`: [`super::compile`]). The pieces
/// make the bytes [`Manifest::render`] gives: the head and the tail are
/// rendered from the manifest without its stacks, and each entry at the
/// depth of the `stacks` array.
pub struct ManifestWriter<'a> {
    locate: Locate<'a>,
    /// Said ahead, before the stacks: checked against them at the end.
    deploy_order: Vec<String>,
    /// Each stack written so far, with the stacks it depends on.
    written: Vec<(String, Vec<String>)>,
    /// The entries too, for a caller that wants the whole [`Manifest`].
    kept: Option<Vec<StackEntry>>,
    bootstrap: Vec<SetupEntry>,
    pipelines: Vec<PipelineEntry>,
    setup_order: Vec<String>,
}

/// Where the head of the rendered manifest ends and its tail begins: the
/// top-level `stacks` key (no string holds a raw newline, so no value can
/// contain this).
const STACKS_KEY: &str = "\n  \"stacks\": [";

impl<'a> ManifestWriter<'a> {
    /// `deploy_order`: [`planned_deploy_order`] of the compiled environments.
    /// With `keep_stacks`, [`ManifestWriter::finish`] returns the stacks'
    /// entries too.
    pub fn new(
        locate: Locate<'a>,
        deploy_order: Vec<String>,
        keep_stacks: bool,
    ) -> ManifestWriter<'a> {
        ManifestWriter {
            locate,
            deploy_order,
            written: Vec::new(),
            kept: keep_stacks.then(Vec::new),
            bootstrap: Vec::new(),
            pipelines: Vec::new(),
            setup_order: Vec::new(),
        }
    }

    /// Everything before the first stack's entry.
    pub fn head(&mut self, lake: &Lake) -> String {
        let mut head = empty(lake);
        // Lent to the head for its rendering, not copied: 30,000 names for
        // 10,000 environments.
        head.deploy_order = std::mem::take(&mut self.deploy_order);
        let mut text = head.render();
        self.deploy_order = head.deploy_order;
        let end = text
            .find(STACKS_KEY)
            .map_or(text.len(), |at| at + STACKS_KEY.len());
        text.truncate(end);
        text
    }

    fn location(&self, span: Span) -> Location {
        let (file, line, column) = (self.locate)(span);
        Location { file, line, column }
    }

    /// An environment's stack, in deploy order: the text of its entry.
    pub fn stack(&mut self, s: &Stack) -> String {
        let location = |span| self.location(span);
        let entry = StackEntry {
            name: s.name.clone(),
            environment: s.environment.clone(),
            account: s.account.clone(),
            region: s.region.clone(),
            template: s.path.clone(),
            depends_on: s.depends_on.clone(),
            capabilities: s.capabilities.iter().map(|c| c.to_string()).collect(),
            tags: s.tags.iter().cloned().collect(),
            exports: s
                .template
                .outputs
                .values()
                .filter_map(|o| o.export.clone())
                .collect(),
            imports: s.template.imports.clone(),
            source: location(s.span),
            resources: resources(&s.template, &location),
        };
        let separator = if self.written.is_empty() { "\n" } else { ",\n" };
        let text = entry_text(separator, &entry);
        self.written.push((s.name.clone(), s.depends_on.clone()));
        if let Some(kept) = &mut self.kept {
            kept.push(entry);
        }
        text
    }

    /// Records a bootstrap or pipeline stack, in setup order (bootstrap
    /// stacks first). They are few (one or two for each pipeline) and are
    /// written at the end.
    pub fn setup(&mut self, s: &SetupStack) {
        let location = |span| self.location(span);
        let entry = SetupEntry {
            name: s.name.clone(),
            environment: s.environment.clone(),
            account: s.account.clone(),
            region: s.region.clone(),
            template: s.path.clone(),
            depends_on: s.depends_on.clone(),
            capabilities: s.capabilities.iter().map(|c| c.to_string()).collect(),
            tags: s.tags.iter().cloned().collect(),
            source: location(s.span),
            resources: resources(&s.template, &location),
        };
        self.setup_order.push(s.name.clone());
        match &s.pipeline {
            None => self.bootstrap.push(entry),
            Some(p) => self.pipelines.push(PipelineEntry {
                stack: entry,
                pipeline: p.model.name.clone(),
                branch: p.branch.clone(),
                declaration: p.declaration.clone(),
                deploys: p.deploys.clone(),
                update_role: p.update_role.clone(),
                parameters: p.parameters.iter().cloned().collect(),
            }),
        }
    }

    /// The text after the last stack's entry, and the manifest (its stacks
    /// only when kept); or an error when the deploy order said in the head
    /// is not the one the stacks' dependencies give.
    pub fn finish(self, lake: &Lake) -> Result<(String, Manifest), super::Error> {
        let actual = deploy_order(&self.written);
        if actual != self.deploy_order {
            return Err(super::Error::new(
                lake.span,
                format!(
                    "the manifest's deploy order, said before the stacks were built ({}), \
                     is not the one their dependencies give ({})",
                    self.deploy_order.join(", "),
                    actual.join(", ")
                ),
            ));
        }
        // The tail is rendered from the manifest before its deploy order
        // and stacks go in.
        let mut manifest = Manifest {
            setup_order: self.setup_order,
            bootstrap: self.bootstrap,
            pipelines: self.pipelines,
            ..empty(lake)
        };
        let text = manifest.render();
        let start = text.find(STACKS_KEY).map_or(0, |at| at + STACKS_KEY.len());
        let mut tail = String::new();
        if !self.written.is_empty() {
            tail.push_str("\n  ");
        }
        tail.push_str(&text[start..]);
        manifest.deploy_order = self.deploy_order;
        manifest.stacks = self.kept.unwrap_or_default();
        Ok((tail, manifest))
    }
}

/// The manifest of `lake` with no stacks.
fn empty(lake: &Lake) -> Manifest {
    Manifest {
        format_version: FORMAT_VERSION,
        lake: lake.name.clone(),
        deployment_account: lake.deployment_account.clone(),
        deployment_region: lake.deployment_region.name.clone(),
        deploy_order: Vec::new(),
        stacks: Vec::new(),
        setup_order: Vec::new(),
        bootstrap: Vec::new(),
        pipelines: Vec::new(),
    }
}

/// One entry of the `stacks` array after `separator`, at its depth: the
/// entry rendered in a one-entry `stacks` array of an object, as in the
/// manifest, out of its frame.
#[allow(
    clippy::expect_used,
    reason = "serializing plain JSON values and structs cannot fail, and a \
              one-entry array in an object always has this frame"
)]
fn entry_text(separator: &str, entry: &StackEntry) -> String {
    #[derive(Serialize)]
    struct Framed<'a> {
        stacks: [&'a StackEntry; 1],
    }
    const START: &str = "{\n  \"stacks\": [\n";
    const END: &str = "\n  ]\n}";
    let framed = serde_json::to_string_pretty(&Framed { stacks: [entry] })
        .expect("a stack entry always serializes");
    let indented = framed
        .strip_prefix(START)
        .and_then(|text| text.strip_suffix(END))
        .expect("pretty JSON frames the entry so");
    let mut text = String::with_capacity(separator.len() + indented.len());
    text.push_str(separator);
    text.push_str(indented);
    text
}

/// The deploy order of `environments`' stacks, known before any is built:
/// each environment's in turn, `Storage` first (Network's flow log writes
/// into its access-logs bucket), then `Network`, then `Warehouse` (which
/// imports both). The manifest says it before the stacks, which it lists as
/// they are compiled; [`ManifestWriter::finish`] checks it against their
/// dependencies.
pub fn planned_deploy_order(lake: &Lake, environments: &[&Environment]) -> Vec<String> {
    use crate::model::naming::{stack_kinds, stack_name, StackKind};
    let rank = |kind: &StackKind| match kind {
        StackKind::Storage => 0,
        StackKind::Network => 1,
        StackKind::Warehouse => 2,
    };
    environments
        .iter()
        .flat_map(|env| {
            let mut kinds = stack_kinds(env);
            kinds.sort_by_key(rank);
            kinds.into_iter().map(|kind| stack_name(lake, env, kind))
        })
        .collect()
}

/// Stacks in their given order, each moved after its dependencies (a stable
/// topological sort by depth-first search, linear in the stacks): the order
/// [`ManifestWriter::finish`] checks [`planned_deploy_order`] against, since
/// codegen emits an environment's `Network` before the `Storage` it imports
/// from. A dependency outside this compile (`--env`) is skipped, and a cycle
/// keeps source order.
fn deploy_order(stacks: &[(String, Vec<String>)]) -> Vec<String> {
    type Named<'a> = &'a (String, Vec<String>);
    let by_name: HashMap<&str, Named> = stacks.iter().map(|s| (s.0.as_str(), s)).collect();
    let mut visited: HashSet<&str> = HashSet::new();
    let mut order: Vec<String> = Vec::with_capacity(stacks.len());
    fn visit<'a>(
        (name, depends_on): Named<'a>,
        by_name: &HashMap<&str, Named<'a>>,
        visited: &mut HashSet<&'a str>,
        order: &mut Vec<String>,
    ) {
        if !visited.insert(name.as_str()) {
            return;
        }
        for dependency in depends_on {
            if let Some(dependency) = by_name.get(dependency.as_str()) {
                visit(dependency, by_name, visited, order);
            }
        }
        order.push(name.clone());
    }
    for stack in stacks {
        visit(stack, &by_name, &mut visited, &mut order);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::codegen::{compile, compile_in_pieces, fixtures, Emitted, MANIFEST};

    /// The manifest written in pieces, each stack's entry with its
    /// template, is the text of the whole manifest, for every example and
    /// for one environment alone.
    #[test]
    fn the_pieces_make_the_whole_manifest() {
        for (example, lake) in fixtures::examples() {
            let locate = fixtures::locate_in(example);
            let first_env = lake.environments.keys().next().cloned();
            for only_env in [None, first_env.as_deref()] {
                let whole = compile(&lake, only_env, &locate).expect("the example compiles");
                let mut pieces = String::new();
                let mut ended = false;
                compile_in_pieces(
                    &lake,
                    only_env,
                    &locate,
                    |emitted| {
                        match emitted {
                            Emitted::Piece(piece) => pieces.push_str(piece),
                            Emitted::ManifestEnd => ended = true,
                            Emitted::File(_) => assert!(!ended, "the manifest ends last"),
                        }
                        Ok::<(), std::convert::Infallible>(())
                    },
                    |_| {},
                )
                .expect("the example compiles");
                assert!(ended, "{example}");
                assert_eq!(pieces, whole.manifest.render(), "{example} {only_env:?}");
                assert_eq!(
                    whole.file(MANIFEST).map(|f| f.contents.as_str()),
                    Some(pieces.as_str()),
                    "{example} {only_env:?}"
                );
            }
        }
    }

    /// The deploy order said before the stacks is checked against their
    /// dependencies: a compile stops rather than write a wrong one.
    #[test]
    fn a_deploy_order_said_ahead_is_checked() {
        let lake = fixtures::seed();
        let locate = fixtures::locate_in("seed");
        let environments: Vec<_> = lake.environments.values().collect();
        let mut planned = planned_deploy_order(&lake, &environments);
        planned.swap(0, 1);
        let mut writer = ManifestWriter::new(&locate, planned, false);
        for env in &environments {
            for stack in crate::codegen::environment_stacks(&lake, env).expect("stacks") {
                writer.stack(&stack);
            }
        }
        let error = writer.finish(&lake).expect_err("a wrong order is refused");
        assert!(error.message.contains("deploy order"), "{}", error.message);
    }

    #[test]
    fn a_span_is_located_by_its_start() {
        let mut sources = SourceMap::new();
        sources.add("std/aws.dl", "x");
        let lake = sources.add("lake.dl", "lake L {\n  x = 1\n}\n");
        let locate = locate_in(&sources);
        assert_eq!(
            locate(Span::new(lake, 11, 16)),
            (Arc::from("lake.dl"), 2, 3)
        );
    }
}
