//! Which lake line caused a change. The two evaluated lakes are compared
//! field by field: every value that differs is a cause, at its place in
//! NEW (in OLD when NEW no longer has it). A change of the templates is
//! then pinned to one cause: the one on the line the manifest gives for the
//! resource (added or removed) or for a changed property, else the first
//! changed field of the change's environment (inherited values count: they
//! point where they were written), else the first changed field of the lake
//! itself (`resource_prefix` renames every bucket); a resource replaced for
//! a new physical name looks at the lake's fields first, since only they
//! rename a resource in place. (A resource replaced because it refers to a
//! replaced one takes that one's cause: see `attribute_all` in `diff`.) When
//! one edit changes several fields, an entry none of these rules places
//! points at the first.

use indexmap::IndexMap;
use serde::Serialize;

use super::plan::{Action, Change};
use crate::codegen::manifest::Location;
use crate::eval::value::{Value, ValueKind};
use crate::eval::Evaluated;
use crate::source::Span;

/// A lake field whose value differs between OLD and NEW.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cause {
    /// `resource_prefix`, `Prod.lifecycle.expire_after`, `Dev.zones[raw]`;
    /// empty when no changed field explains the entry (it points at the
    /// resource's own place).
    pub field: String,
    pub at: Location,
    /// Which lake `at` is in: `new`, or `old` for what NEW no longer has
    /// (with `--base`, both lakes have the same file names).
    pub side: Side,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Old,
    New,
}

/// The differing fields: the lake's own, then each environment's.
#[derive(Debug, Default)]
pub struct Causes {
    lake: Vec<Cause>,
    /// By environment: NEW's in order, then those only OLD has.
    environments: IndexMap<String, Vec<Cause>>,
}

/// Places a span in OLD or NEW, as the manifests do.
pub type Place<'a> = &'a dyn Fn(Span) -> Location;

impl Causes {
    pub fn find(old: &Evaluated, new: &Evaluated, old_at: Place, new_at: Place) -> Causes {
        let mut causes = Causes::default();
        let places = Places { old_at, new_at };
        if let (Some((_, a)), Some((_, b))) = (&old.lake, &new.lake) {
            compare(a, b, String::new(), &places, &mut causes.lake);
        }
        for (name, b) in &new.environments {
            let mut found = Vec::new();
            match old.environments.get(name) {
                Some(a) => compare(a, b, name.clone(), &places, &mut found),
                None => found.push(Cause {
                    field: name.clone(),
                    at: new_at(b.span),
                    side: Side::New,
                }),
            }
            causes.environments.insert(name.clone(), found);
        }
        for (name, a) in &old.environments {
            if !new.environments.contains_key(name) {
                let at = old_at(a.span);
                causes.environments.insert(
                    name.clone(),
                    vec![Cause {
                        field: name.clone(),
                        at,
                        side: Side::Old,
                    }],
                );
            }
        }
        causes
    }

    fn of_environment(&self, name: &str) -> &[Cause] {
        self.environments.get(name).map_or(&[], Vec::as_slice)
    }

    /// The cause of `change`: where an entry of the report points. A change
    /// of the deployment account's setup, which serves every environment,
    /// may come from any of them.
    pub fn attribute(&self, change: &Change) -> Cause {
        let environment = match change.environment.as_deref() {
            Some(name) => self.of_environment(name).iter().collect::<Vec<_>>(),
            None => self.environments.values().flatten().collect(),
        };
        // A physical name (`BucketName`, `RoleName`) changes under the same
        // logical ID only through the lake's prefixes: an environment's or a
        // zone's new name is a new logical ID. So a renamed resource looks to
        // the lake's own fields first.
        let renamed = change.action == Action::Replace
            && !change.replacing.is_empty()
            && change.replacing.iter().all(|p| is_name(p));
        let (first, then): (Vec<&Cause>, Vec<&Cause>) = if renamed {
            (self.lake.iter().collect(), environment)
        } else {
            (environment, self.lake.iter().collect())
        };
        let candidates = || first.iter().chain(&then).copied();
        // An added or removed resource is where its lake value is (or was);
        // the others, where a changed property's value is.
        let pinned = if matches!(change.action, Action::Add | Action::Remove) {
            candidates().find(|c| same_line(&c.at, &change.origin))
        } else {
            candidates().find(|c| change.property_origins.iter().any(|p| same_line(p, &c.at)))
        };
        pinned
            .or_else(|| candidates().next())
            .cloned()
            .unwrap_or_else(|| Cause {
                field: String::new(),
                at: change.origin.clone(),
                side: if change.action == Action::Remove {
                    Side::Old
                } else {
                    Side::New
                },
            })
    }
}

/// A property that holds a resource's physical name.
fn is_name(property: &str) -> bool {
    property == "Name" || property.ends_with("Name") && !property.contains('/')
}

fn same_line(a: &Location, b: &Location) -> bool {
    a.file == b.file && a.line == b.line
}

struct Places<'a> {
    old_at: Place<'a>,
    new_at: Place<'a>,
}

/// Collects the fields under `path` whose values differ: into records field
/// by field, into lists of named records name by name and into other lists
/// of the same length item by item; anything else as a whole.
fn compare(old: &Value, new: &Value, path: String, places: &Places, out: &mut Vec<Cause>) {
    match (&old.kind, &new.kind) {
        (ValueKind::Record(a), ValueKind::Record(b)) => {
            for (key, field) in &b.fields {
                let inner = join(&path, key);
                match a.fields.get(key) {
                    Some(before) => compare(&before.value, &field.value, inner, places, out),
                    None => out.push(Cause {
                        field: inner,
                        at: (places.new_at)(field.value.span),
                        side: Side::New,
                    }),
                }
            }
            for (key, field) in &a.fields {
                if !b.fields.contains_key(key) {
                    out.push(Cause {
                        field: join(&path, key),
                        at: (places.old_at)(field.value.span),
                        side: Side::Old,
                    });
                }
            }
        }
        (ValueKind::List(a), ValueKind::List(b)) => match (named(a), named(b)) {
            // Items with names (zones) are matched by name: one taken out is
            // a cause at its place in OLD, one put in at its place in NEW.
            (Some(a), Some(b)) => {
                for (name, after) in &b {
                    let inner = format!("{path}[{name}]");
                    match a.iter().find(|(n, _)| n == name) {
                        Some((_, before)) => compare(before, after, inner, places, out),
                        None => out.push(Cause {
                            field: inner,
                            at: (places.new_at)(after.span),
                            side: Side::New,
                        }),
                    }
                }
                for (name, before) in &a {
                    if !b.iter().any(|(n, _)| n == name) {
                        out.push(Cause {
                            field: format!("{path}[{name}]"),
                            at: (places.old_at)(before.span),
                            side: Side::Old,
                        });
                    }
                }
            }
            _ if a.len() == b.len() => {
                for (i, (before, after)) in a.iter().zip(b).enumerate() {
                    compare(before, after, format!("{path}[{i}]"), places, out);
                }
            }
            _ => out.push(Cause {
                field: path,
                at: (places.new_at)(new.span),
                side: Side::New,
            }),
        },
        _ if old.to_json() != new.to_json() => out.push(Cause {
            field: path,
            at: (places.new_at)(new.span),
            side: Side::New,
        }),
        _ => {}
    }
}

/// The items of a list by their `name` field, when every item has one.
fn named(items: &[Value]) -> Option<Vec<(&str, &Value)>> {
    items
        .iter()
        .map(|item| match item.field("name").map(|n| &n.kind) {
            Some(ValueKind::Str(name)) => Some((name.as_str(), item)),
            _ => None,
        })
        .collect()
}

/// `Prod` + `lifecycle` -> `Prod.lifecycle`; the lake's own fields have no prefix.
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}
