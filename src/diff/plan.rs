//! The resource-level plan: what deploying NEW over OLD adds, removes,
//! updates in place and replaces, per stack, from the two compiled outputs
//! in memory (templates and manifests). Nothing here knows the lake: where
//! an entry comes from in the lake file is [`super::attribution`]'s job.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Map, Value};

use super::replacement;
use super::{cascade, exports};
use crate::codegen::manifest::{Location, ResourceEntry};
use crate::codegen::Output;

/// What happens to a stack or a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Add,
    Remove,
    /// Updated in place.
    Update,
    /// Created anew under a new physical ID; the old one is deleted or, under
    /// `Retain`, left behind.
    Replace,
}

/// Who deploys a stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// An environment's stack, deployed by its pipeline.
    Environment,
    /// A bootstrap stack, deployed by hand.
    Bootstrap,
    /// A pipeline's own stack: deployed by hand the first time, then
    /// updated by its pipeline (`UpdatePipeline`).
    Pipeline,
}

impl Role {
    /// True when a person must deploy `action` on a stack of this role: any
    /// change of a bootstrap stack, a pipeline stack created or deleted.
    /// (The pipelines never delete a stack: one that is removed stays until
    /// deleted by hand.)
    pub fn by_hand(self, action: Action, whole_stack: bool) -> bool {
        match self {
            Role::Bootstrap => true,
            Role::Pipeline => whole_stack,
            Role::Environment => whole_stack && action == Action::Remove,
        }
    }
}

/// One stack as the manifest describes it, with its parsed template.
pub(super) struct StackView<'a> {
    pub(super) name: &'a str,
    pub(super) environment: Option<&'a str>,
    pub(super) role: Role,
    pub(super) source: &'a Location,
    pub(super) resources: &'a IndexMap<String, ResourceEntry>,
    pub(super) imports: &'a [String],
    pub(super) text: &'a str,
}

/// One change, before attribution to the lake.
#[derive(Clone, Debug)]
pub struct Change {
    pub environment: Option<String>,
    pub stack: String,
    pub role: Role,
    /// `None` for a change of the whole stack (added or removed).
    pub resource: Option<Resource>,
    pub action: Action,
    /// Changed property paths below `Properties` (`/`-separated), and
    /// `DeletionPolicy` when the retention changed.
    pub properties: Vec<String>,
    /// The changed properties that force the replacement.
    pub replacing: Vec<String>,
    /// Why a resource whose own properties did not change is updated or
    /// replaced: `` `Vpc` is replaced ``.
    pub because: Option<String>,
    /// The replaced resource of the same stack named in `because`: the
    /// change has the same cause in the lake as that one.
    pub follows: Option<String>,
    /// The policy CloudFormation applies to the old physical resource of a
    /// removal (`DeletionPolicy`) or replacement (`UpdateReplacePolicy`).
    pub policy: Policy,
    /// Where the manifest says the resource (or stack) comes from: in OLD
    /// for a removal, in NEW otherwise.
    pub origin: Location,
    /// The manifest's places (in NEW) of the changed properties that have
    /// one; of a replacement, those of the properties that force it.
    pub property_origins: Vec<Location>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Resource {
    pub logical_id: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// `DeletionPolicy` / `UpdateReplacePolicy`, `Delete` when unset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Policy {
    Delete,
    Retain,
}

/// Something about the order of a deploy that the plan alone does not show.
#[derive(Clone, Debug)]
pub struct Note {
    pub environment: Option<String>,
    pub stack: String,
    pub text: String,
    pub origin: Location,
}

#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
    pub notes: Vec<Note>,
}

/// The plan of deploying `new` where `old` is deployed.
pub fn plan(old: &Output, new: &Output) -> Plan {
    let old_stacks = stacks(old);
    let new_stacks = stacks(new);
    let old_by_name: HashMap<&str, &StackView> = old_stacks.iter().map(|s| (s.name, s)).collect();
    let new_names: HashSet<&str> = new_stacks.iter().map(|s| s.name).collect();

    let mut plan = Plan::default();
    // Parsed templates of the stacks that differ: (old, new).
    let mut differing: Vec<Differing> = Vec::new();
    // Stacks whose template is the same, but which may import a changed export.
    let mut same: Vec<(&StackView, &StackView)> = Vec::new();
    for stack in &new_stacks {
        match old_by_name.get(stack.name) {
            None => plan.changes.push(stack_change(stack, Action::Add)),
            Some(before) if before.text != stack.text => {
                differing.push((before, stack, parse(before.text), parse(stack.text)));
            }
            Some(before) => same.push((before, stack)),
        }
    }
    for stack in old_stacks.iter().filter(|s| !new_names.contains(s.name)) {
        plan.changes.push(stack_change(stack, Action::Remove));
    }

    // Resource changes, then replacements that follow from references, to a
    // fixed point: a replaced VPC replaces its subnets, whose new IDs change
    // the exports other stacks import.
    let mut per_stack: Vec<IndexMap<String, Change>> = differing
        .iter()
        .map(|(before, after, t_old, t_new)| resource_changes(before, after, t_old, t_new))
        .collect();
    loop {
        let changed_exports = exports::changed(&differing, &per_stack);
        let mut grew = false;
        let mut still_same = Vec::new();
        for (before, after) in same {
            if after.imports.iter().any(|i| changed_exports.contains(i)) {
                differing.push((before, after, parse(before.text), parse(after.text)));
                per_stack.push(IndexMap::new());
                grew = true;
            } else {
                still_same.push((before, after));
            }
        }
        same = still_same;
        for (i, (_, after, t_old, t_new)) in differing.iter().enumerate() {
            grew |= cascade::follow_references(
                after,
                t_old,
                t_new,
                &changed_exports,
                &mut per_stack[i],
            );
        }
        if !grew {
            break;
        }
    }
    plan.notes = exports::notes(&differing, &per_stack, &old_stacks);
    for changes in per_stack {
        plan.changes.extend(changes.into_values());
    }
    plan
}

fn stacks(output: &Output) -> Vec<StackView<'_>> {
    // By path: a lake of thousands of environments has thousands of files.
    let files: HashMap<&str, &str> = output
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.contents.as_str()))
        .collect();
    let text = |path: &str| files.get(path).copied().unwrap_or("");
    let m = &output.manifest;
    let environments = m.stacks.iter().map(|s| StackView {
        name: &s.name,
        environment: Some(&s.environment),
        role: Role::Environment,
        source: &s.source,
        resources: &s.resources,
        imports: &s.imports,
        text: text(&s.template),
    });
    let bootstrap = m.bootstrap.iter().map(|s| StackView {
        name: &s.name,
        environment: s.environment.as_deref(),
        role: Role::Bootstrap,
        source: &s.source,
        resources: &s.resources,
        imports: &[],
        text: text(&s.template),
    });
    let pipelines = m.pipelines.iter().map(|p| StackView {
        name: &p.stack.name,
        environment: p.stack.environment.as_deref(),
        role: Role::Pipeline,
        source: &p.stack.source,
        resources: &p.stack.resources,
        imports: &[],
        text: text(&p.stack.template),
    });
    environments.chain(bootstrap).chain(pipelines).collect()
}

fn stack_change(stack: &StackView, action: Action) -> Change {
    let because = (action == Action::Remove).then(|| {
        let delete = format!(
            "until deleted by hand (`aws cloudformation delete-stack --stack-name {}`)",
            stack.name
        );
        match stack.role {
            Role::Environment => {
                format!("no pipeline deploys it any more: it stays, with its resources, {delete}")
            }
            Role::Bootstrap => format!("dlc no longer writes it: it stays {delete}"),
            Role::Pipeline => {
                format!("the pipeline stays, and runs on pushes to its branch, {delete}")
            }
        }
    });
    Change {
        environment: stack.environment.map(str::to_string),
        stack: stack.name.to_string(),
        role: stack.role,
        resource: None,
        action,
        properties: Vec::new(),
        replacing: Vec::new(),
        because,
        follows: None,
        policy: Policy::Delete,
        origin: stack.source.clone(),
        property_origins: Vec::new(),
    }
}

/// A template's resources and outputs.
#[derive(Default)]
pub(super) struct Template {
    pub(super) resources: Map<String, Value>,
    pub(super) outputs: Map<String, Value>,
}

/// A stack whose template differs, or that imports a changed export: its
/// manifest entries (OLD, NEW) and parsed templates (OLD, NEW).
pub(super) type Differing<'a> = (&'a StackView<'a>, &'a StackView<'a>, Template, Template);

/// dlc wrote the template, so it parses; an unparsable one reads as empty.
fn parse(text: &str) -> Template {
    let Ok(Value::Object(mut root)) = serde_json::from_str::<Value>(text) else {
        return Template::default();
    };
    let mut take = |key: &str| match root.remove(key) {
        Some(Value::Object(map)) => map,
        _ => Map::new(),
    };
    Template {
        resources: take("Resources"),
        outputs: take("Outputs"),
    }
}

pub(super) fn kind_of(resource: &Value) -> &str {
    resource["Type"].as_str().unwrap_or("")
}

pub(super) fn properties_of(resource: &Value) -> &Value {
    &resource["Properties"]
}

pub fn policy_of(resource: &Value, attribute: &str) -> Policy {
    match resource[attribute].as_str() {
        Some("Retain" | "RetainExceptOnCreate" | "Snapshot") => Policy::Retain,
        _ => Policy::Delete,
    }
}

/// A change of the resource `id` (a `kind`) of `stack`, before its
/// properties and cause are known.
pub(super) fn resource_change(
    stack: &StackView,
    id: &str,
    kind: &str,
    action: Action,
    policy: Policy,
    origin: Location,
) -> Change {
    Change {
        environment: stack.environment.map(str::to_string),
        stack: stack.name.to_string(),
        role: stack.role,
        resource: Some(Resource {
            logical_id: id.to_string(),
            kind: kind.to_string(),
        }),
        action,
        properties: Vec::new(),
        replacing: Vec::new(),
        because: None,
        follows: None,
        policy,
        origin,
        property_origins: Vec::new(),
    }
}

/// Where the manifest says the resource `id` of `stack` comes from; the
/// stack's own place when it names none.
pub(super) fn resource_origin(stack: &StackView, id: &str) -> Location {
    stack
        .resources
        .get(id)
        .map_or_else(|| stack.source.clone(), |r| r.source.clone())
}

/// The resources of one stack that are added, removed or whose own
/// properties changed, by logical ID.
fn resource_changes(
    before: &StackView,
    after: &StackView,
    t_old: &Template,
    t_new: &Template,
) -> IndexMap<String, Change> {
    let mut changes = IndexMap::new();
    for (id, new) in &t_new.resources {
        let kind = kind_of(new);
        let Some(old) = t_old.resources.get(id) else {
            let added = resource_change(
                after,
                id,
                kind,
                Action::Add,
                Policy::Delete,
                resource_origin(after, id),
            );
            changes.insert(id.clone(), added);
            continue;
        };
        let mut paths = Vec::new();
        changed_paths(properties_of(old), properties_of(new), "", &mut paths);
        if policy_of(old, "DeletionPolicy") != policy_of(new, "DeletionPolicy") {
            paths.push("DeletionPolicy".to_string());
        }
        let retyped = kind_of(old) != kind;
        if paths.is_empty() && !retyped {
            continue;
        }
        let replacing: Vec<String> = paths
            .iter()
            .filter(|p| *p != "DeletionPolicy" && replacement::replaces(kind, p))
            .cloned()
            .collect();
        let action = if retyped || !replacing.is_empty() {
            Action::Replace
        } else {
            Action::Update
        };
        let mut entry = resource_change(
            after,
            id,
            kind,
            action,
            policy_of(new, "UpdateReplacePolicy"),
            resource_origin(after, id),
        );
        // A replacement is explained by the properties that force it.
        let explaining = if replacing.is_empty() {
            &paths
        } else {
            &replacing
        };
        entry.property_origins = after
            .resources
            .get(id)
            .map(|r| {
                r.properties
                    .iter()
                    .filter(|(p, _)| explaining.iter().any(|c| top(c) == p.as_str()))
                    .map(|(_, at)| at.clone())
                    .collect()
            })
            .unwrap_or_default();
        entry.properties = paths;
        entry.replacing = replacing;
        changes.insert(id.clone(), entry);
    }
    for (id, old) in &t_old.resources {
        if !t_new.resources.contains_key(id) {
            let removed = resource_change(
                after,
                id,
                kind_of(old),
                Action::Remove,
                policy_of(old, "DeletionPolicy"),
                resource_origin(before, id),
            );
            changes.insert(id.clone(), removed);
        }
    }
    changes
}

/// The first component of a property path.
fn top(path: &str) -> &str {
    path.split('/').next().unwrap_or(path)
}

/// Collects the paths (below `prefix`) where `old` and `new` differ: into
/// objects, key by key; any other value as a whole.
fn changed_paths(old: &Value, new: &Value, prefix: &str, out: &mut Vec<String>) {
    let join = |key: &str| {
        if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}/{key}")
        }
    };
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in b {
                match a.get(key) {
                    Some(before) => changed_paths(before, value, &join(key), out),
                    None => out.push(join(key)),
                }
            }
            for key in a.keys().filter(|k| !b.contains_key(*k)) {
                out.push(join(key));
            }
        }
        _ if old != new => out.push(prefix.to_string()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(old: Value, new: Value) -> Vec<String> {
        let mut out = Vec::new();
        changed_paths(&old, &new, "", &mut out);
        out
    }

    #[test]
    fn changed_paths_go_into_objects_and_take_lists_whole() {
        let old = json!({ "A": 1, "B": { "C": [1, 2], "D": "x" }, "Gone": true });
        let new = json!({ "A": 1, "B": { "C": [1, 3], "D": "x", "E": 0 } });
        assert_eq!(paths(old, new), ["B/C", "B/E", "Gone"]);
    }

    #[test]
    fn the_same_properties_have_no_changed_path() {
        let same = json!({ "BucketName": "dev-shop-raw", "Tags": [{ "Key": "k" }] });
        assert!(paths(same.clone(), same).is_empty());
    }

    #[test]
    fn an_unset_policy_deletes() {
        assert_eq!(policy_of(&json!({}), "DeletionPolicy"), Policy::Delete);
        let retained = json!({ "DeletionPolicy": "Retain" });
        assert_eq!(policy_of(&retained, "DeletionPolicy"), Policy::Retain);
    }
}
