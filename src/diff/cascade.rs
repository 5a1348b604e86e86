//! Replacements and updates that follow from references: a resource that
//! refers to a replaced one, or imports a changed export, gets a new value;
//! in a create-only property that replaces it too.

use std::collections::HashSet;

use indexmap::IndexMap;
use serde_json::Value;

use super::plan::{
    kind_of, policy_of, properties_of, resource_change, resource_origin, Action, Change, StackView,
    Template,
};
use super::references::{references, Reference};
use super::replacement;

/// Marks the resources of one stack that refer to a replaced resource of the
/// same stack, or import a changed export: replaced when the reference is in
/// a create-only property, updated otherwise. True when anything changed.
pub(super) fn follow_references(
    after: &StackView,
    t_old: &Template,
    t_new: &Template,
    changed_exports: &HashSet<String>,
    changes: &mut IndexMap<String, Change>,
) -> bool {
    let mut grew = false;
    for (id, resource) in &t_new.resources {
        if !t_old.resources.contains_key(id) {
            continue;
        }
        let kind = kind_of(resource);
        let current = changes.get(id).map(|c| c.action);
        if current == Some(Action::Replace) {
            continue;
        }
        let Value::Object(properties) = properties_of(resource) else {
            continue;
        };
        for (property, value) in properties {
            let refs = references(value);
            // (why, the replaced resource of this stack it follows)
            let cause = refs.iter().find_map(|target| match target {
                Reference::Export(name) => changed_exports
                    .contains(*name)
                    .then(|| (format!("the export `{name}` changes"), None)),
                Reference::Resource(id) => changes
                    .get(*id)
                    .filter(|c| c.action == Action::Replace)
                    .map(|_| (format!("`{id}` is replaced"), Some(id.to_string()))),
            });
            let Some((cause, follows)) = cause else {
                continue;
            };
            let replaces = replacement::replaces(kind, property);
            let action = if replaces {
                Action::Replace
            } else {
                Action::Update
            };
            let now = changes.get(id).map(|c| c.action);
            if now == Some(Action::Replace) || (now == Some(Action::Update) && !replaces) {
                continue;
            }
            let entry = changes.entry(id.clone()).or_insert_with(|| {
                resource_change(
                    after,
                    id,
                    kind,
                    action,
                    policy_of(resource, "UpdateReplacePolicy"),
                    resource_origin(after, id),
                )
            });
            entry.action = action;
            if !entry.properties.contains(property) {
                entry.properties.push(property.clone());
            }
            if replaces {
                entry.replacing.push(property.clone());
            }
            if entry.because.is_none() {
                entry.because = Some(cause);
                entry.follows = follows;
            }
            grew = true;
        }
    }
    grew
}
