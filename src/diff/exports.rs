//! Exports whose value changes (their output changed, or refers to a
//! replaced resource) and the deploys that CloudFormation refuses because
//! another stack imports them.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;

use super::plan::{Action, Change, Differing, Note, StackView};
use super::references::{references, Reference};

/// Export names whose value changes: the output's text changed, or it
/// refers to a resource that is replaced.
pub(super) fn changed(
    differing: &[Differing],
    per_stack: &[IndexMap<String, Change>],
) -> HashSet<String> {
    let mut changed = HashSet::new();
    for ((_, _, t_old, t_new), changes) in differing.iter().zip(per_stack) {
        for (id, output) in &t_new.outputs {
            let Some(name) = output["Export"]["Name"].as_str() else {
                continue;
            };
            let text_changed = t_old.outputs.get(id).map(|o| &o["Value"]) != Some(&output["Value"]);
            let replaced = references(&output["Value"]).iter().any(|r| match r {
                Reference::Resource(id) => changes
                    .get(*id)
                    .is_some_and(|c| c.action == Action::Replace),
                Reference::Export(_) => false,
            });
            if text_changed || replaced {
                changed.insert(name.to_string());
            }
        }
    }
    changed
}

/// CloudFormation will not change or remove an export while another stack
/// imports it, and the pipeline deploys the exporting stack first: each
/// such stack is a deploy that fails unless made in another order. One note
/// per exporting stack and way (changed or removed), naming the exports.
pub(super) fn notes(
    differing: &[Differing],
    per_stack: &[IndexMap<String, Change>],
    old_stacks: &[StackView],
) -> Vec<Note> {
    let changed = changed(differing, per_stack);
    let mut importers: HashMap<&str, Vec<&str>> = HashMap::new();
    for stack in old_stacks {
        for export in stack.imports {
            importers.entry(export).or_default().push(stack.name);
        }
    }
    let importers_of = |name: &str| -> Vec<String> {
        importers
            .get(name)
            .map(|stacks| stacks.iter().map(|s| s.to_string()).collect())
            .unwrap_or_default()
    };
    let mut notes = Vec::new();
    for (_, after, t_old, t_new) in differing {
        let new_exports: HashSet<&str> = t_new
            .outputs
            .values()
            .filter_map(|o| o["Export"]["Name"].as_str())
            .collect();
        // (exports, their importers) that stop, and that change value.
        let mut stopping: (Vec<&str>, Vec<String>) = Default::default();
        let mut changing: (Vec<&str>, Vec<String>) = Default::default();
        for output in t_old.outputs.values() {
            let Some(name) = output["Export"]["Name"].as_str() else {
                continue;
            };
            let importers = importers_of(name);
            if importers.is_empty() {
                continue;
            }
            let group = if !new_exports.contains(name) {
                &mut stopping
            } else if changed.contains(name) {
                &mut changing
            } else {
                continue;
            };
            group.0.push(name);
            for importer in importers {
                if !group.1.contains(&importer) {
                    group.1.push(importer);
                }
            }
        }
        let stack = after.name;
        let list = |names: &[&str]| format!("`{}`", names.join("`, `"));
        let owned = |names: &[String]| format!("`{}`", names.join("`, `"));
        let mut note = |text| {
            notes.push(Note {
                environment: after.environment.map(str::to_string),
                stack: stack.to_string(),
                text,
                origin: after.source.clone(),
            })
        };
        if !stopping.0.is_empty() {
            note(format!(
                "`{stack}` stops exporting {}, which {} imports: CloudFormation refuses while an import is in use, and the pipeline deploys `{stack}` first; deploy {} without the import first",
                list(&stopping.0),
                owned(&stopping.1),
                owned(&stopping.1),
            ));
        }
        if !changing.0.is_empty() {
            note(format!(
                "`{stack}` changes the value of its exports {}, which {} imports: CloudFormation refuses to change an export in use, so the deploy of `{stack}` fails while {} imports them",
                list(&changing.0),
                owned(&changing.1),
                owned(&changing.1),
            ));
        }
    }
    notes
}
