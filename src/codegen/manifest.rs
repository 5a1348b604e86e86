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
use crate::model::Lake;
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

/// Builds the manifest one stack at a time, as each is rendered, so that a
/// stack's template can go as soon as it is written.
pub struct ManifestBuilder<'a> {
    locate: Locate<'a>,
    stacks: Vec<StackEntry>,
    bootstrap: Vec<SetupEntry>,
    pipelines: Vec<PipelineEntry>,
    setup_order: Vec<String>,
}

impl<'a> ManifestBuilder<'a> {
    pub fn new(locate: Locate<'a>) -> ManifestBuilder<'a> {
        ManifestBuilder {
            locate,
            stacks: Vec::new(),
            bootstrap: Vec::new(),
            pipelines: Vec::new(),
            setup_order: Vec::new(),
        }
    }

    fn location(&self, span: Span) -> Location {
        let (file, line, column) = (self.locate)(span);
        Location { file, line, column }
    }

    /// Records an environment's stack, in deploy order.
    pub fn add_stack(&mut self, s: &Stack) {
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
        self.stacks.push(entry);
    }

    /// Records a bootstrap or pipeline stack, in setup order (bootstrap
    /// stacks first).
    pub fn add_setup(&mut self, s: &SetupStack) {
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

    pub fn finish(self, lake: &Lake) -> Manifest {
        Manifest {
            format_version: FORMAT_VERSION,
            lake: lake.name.clone(),
            deployment_account: lake.deployment_account.clone(),
            deployment_region: lake.deployment_region.name.clone(),
            deploy_order: deploy_order(&self.stacks),
            stacks: self.stacks,
            setup_order: self.setup_order,
            bootstrap: self.bootstrap,
            pipelines: self.pipelines,
        }
    }
}

/// Stacks in their given order, each moved after its dependencies (a stable
/// topological sort by depth-first search, linear in the stacks; codegen
/// emits stacks in dependency order already, so this only guards the
/// invariant). A dependency outside this compile (`--env`) is skipped, and a
/// cycle keeps source order.
fn deploy_order(stacks: &[StackEntry]) -> Vec<String> {
    let by_name: HashMap<&str, &StackEntry> = stacks.iter().map(|s| (s.name.as_str(), s)).collect();
    let mut visited: HashSet<&str> = HashSet::new();
    let mut order: Vec<String> = Vec::with_capacity(stacks.len());
    fn visit<'a>(
        stack: &'a StackEntry,
        by_name: &HashMap<&str, &'a StackEntry>,
        visited: &mut HashSet<&'a str>,
        order: &mut Vec<String>,
    ) {
        if !visited.insert(stack.name.as_str()) {
            return;
        }
        for dependency in &stack.depends_on {
            if let Some(dependency) = by_name.get(dependency.as_str()) {
                visit(dependency, by_name, visited, order);
            }
        }
        order.push(stack.name.clone());
    }
    for stack in stacks {
        visit(stack, &by_name, &mut visited, &mut order);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

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
