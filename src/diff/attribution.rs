//! Which lake line caused a change. The two evaluated lakes are compared
//! field by field: every value that differs is a cause, at its place in
//! NEW (in OLD when NEW no longer has it). A change of the templates is
//! then pinned to one cause: the cause the manifest places at a changed
//! property, else the first changed field of the change's environment
//! (inherited values count: they point where they were written), else the
//! first changed field of the lake itself (`resource_prefix` renames every
//! bucket).

use serde::Serialize;

use super::plan::{Action, Change};
use crate::codegen::manifest::Location;
use crate::eval::value::{Value, ValueKind};
use crate::eval::Evaluated;
use crate::source::Span;

/// A lake field whose value differs between OLD and NEW.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cause {
    /// `resource_prefix`, `Prod.lifecycle.expire_after`, `Dev.zones[raw]`.
    pub field: String,
    pub at: Location,
}

/// The differing fields: the lake's own, then each environment's.
#[derive(Debug, Default)]
pub struct Causes {
    lake: Vec<Cause>,
    environments: Vec<(String, Vec<Cause>)>,
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
                }),
            }
            causes.environments.push((name.clone(), found));
        }
        for (name, a) in &old.environments {
            if !new.environments.contains_key(name) {
                let at = old_at(a.span);
                causes.environments.push((
                    name.clone(),
                    vec![Cause {
                        field: name.clone(),
                        at,
                    }],
                ));
            }
        }
        causes
    }

    pub fn is_empty(&self) -> bool {
        self.lake.is_empty() && self.environments.iter().all(|(_, c)| c.is_empty())
    }

    fn of_environment(&self, name: &str) -> &[Cause] {
        self.environments
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&[], |(_, c)| c.as_slice())
    }

    /// The cause of `change`: where an entry of the report points.
    pub fn attribute(&self, change: &Change) -> Cause {
        let manifest = || Cause {
            field: String::new(),
            at: change.origin.clone(),
        };
        // An added or removed resource is where its lake value is (or was).
        if matches!(change.action, Action::Add | Action::Remove) && change.because.is_none() {
            let environment = change
                .environment
                .as_deref()
                .map(|e| self.of_environment(e));
            // When the whole environment came or went, say so.
            if let Some([only]) = environment {
                if change.environment.as_deref() == Some(only.field.as_str()) {
                    return only.clone();
                }
            }
            return environment
                .into_iter()
                .flatten()
                .find(|c| same_line(&c.at, &change.origin))
                .cloned()
                .unwrap_or_else(manifest);
        }
        let environment = change
            .environment
            .as_deref()
            .map_or(&[][..], |e| self.of_environment(e));
        let all = || environment.iter().chain(&self.lake);
        all()
            .find(|c| change.property_origins.iter().any(|p| same_line(p, &c.at)))
            .or_else(|| all().next())
            .cloned()
            .unwrap_or_else(manifest)
    }
}

fn same_line(a: &Location, b: &Location) -> bool {
    a.file == b.file && a.line == b.line
}

struct Places<'a> {
    old_at: Place<'a>,
    new_at: Place<'a>,
}

/// Collects the fields under `path` whose values differ: into records field
/// by field and into lists of the same length item by item (items named by
/// their `name` field where they have one); anything else as a whole.
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
                    }),
                }
            }
            for (key, field) in &a.fields {
                if !b.fields.contains_key(key) {
                    out.push(Cause {
                        field: join(&path, key),
                        at: (places.old_at)(field.value.span),
                    });
                }
            }
        }
        (ValueKind::List(a), ValueKind::List(b)) if a.len() == b.len() => {
            for (i, (before, after)) in a.iter().zip(b).enumerate() {
                let item = match after.field("name").map(|n| &n.kind) {
                    Some(ValueKind::Str(name)) => name.clone(),
                    _ => i.to_string(),
                };
                compare(before, after, format!("{path}[{item}]"), places, out);
            }
        }
        _ if old.to_json() != new.to_json() => out.push(Cause {
            field: path,
            at: (places.new_at)(new.span),
        }),
        _ => {}
    }
}

/// `Prod` + `lifecycle` -> `Prod.lifecycle`; the lake's own fields have no prefix.
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}
