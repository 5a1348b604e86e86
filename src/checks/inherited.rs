//! Diagnostics about inherited values. A value an environment inherits
//! through `extends` was written in another environment: a diagnostic about
//! the heir points at the heir's `extends` clause and shows where the value
//! was written; a problem in the value itself is reported once, on the
//! environment that wrote it, naming every environment that inherits it.

use indexmap::IndexMap;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Environment, FieldKey, FieldSpans, Lake, Provenance};
use crate::source::Span;

/// Where a diagnostic about `env`'s field points: the value when `env` wrote
/// it (or defaulted it), `env`'s `extends` clause when it inherited it.
pub fn primary<F: FieldKey>(spans: &FieldSpans<F>, field: F, fallback: Span) -> Span {
    match spans.provenance(field) {
        Some(Provenance::Inherited(inherited)) => inherited.extends,
        _ => spans.get_or(field, fallback),
    }
}

/// The environment `env`'s field was inherited from, if it was.
pub fn inherited_from<F: FieldKey>(spans: &FieldSpans<F>, field: F) -> Option<&str> {
    match spans.provenance(field) {
        Some(Provenance::Inherited(inherited)) => Some(&inherited.from),
        _ => None,
    }
}

/// A diagnostic whose primary label is at [`primary`] for `env`'s field:
/// when the value is inherited, the line that wrote it becomes a secondary
/// label (unless one is there already).
pub fn with_origin<F: FieldKey>(
    diagnostic: Diagnostic,
    env: &str,
    spans: &FieldSpans<F>,
    field: F,
) -> Diagnostic {
    let Some(Provenance::Inherited(inherited)) = spans.provenance(field) else {
        return diagnostic;
    };
    let (at, from) = (&inherited.at, &inherited.from);
    if diagnostic.secondary.iter().any(|label| label.span == *at) {
        return diagnostic;
    }
    diagnostic.with_secondary(
        *at,
        format!("`{env}` inherits `{}` from `{from}`, here", field.name()),
    )
}

/// The environments that inherit `owner`'s value of a field unchanged, each
/// with its `extends` clause. `spans` finds the record that holds the field.
pub fn heirs<'a, F: FieldKey>(
    lake: &'a Lake,
    owner: &str,
    spans: impl Fn(&'a Environment) -> Option<&'a FieldSpans<F>>,
    field: F,
) -> Vec<(&'a str, Span)> {
    lake.environments
        .values()
        .filter_map(|env| match spans(env)?.provenance(field)? {
            Provenance::Inherited(inherited) if inherited.from == owner => {
                Some((env.name.as_str(), inherited.extends))
            }
            _ => None,
        })
        .collect()
}

/// Names the environments that inherit the value a diagnostic is about.
pub fn naming_heirs(mut diagnostic: Diagnostic, heirs: &[(&str, Span)]) -> Diagnostic {
    if heirs.is_empty() {
        return diagnostic;
    }
    let names: Vec<&str> = heirs.iter().map(|(name, _)| *name).collect();
    let names = list(&names);
    let verb = if heirs.len() == 1 {
        "inherits"
    } else {
        "inherit"
    };
    for (name, extends) in heirs {
        diagnostic = diagnostic.with_secondary(*extends, format!("`{name}` inherits it here"));
    }
    diagnostic.with_note(format!(
        "{names} {verb} this value through `extends`: fixing it here fixes them too"
    ))
}

/// A problem one environment has with the value of one of its fields.
struct Finding<'a> {
    env: &'a str,
    field: &'static str,
    provenance: Option<&'a Provenance>,
    diagnostic: Diagnostic,
}

/// The problems a check finds in values that environments may share through
/// `extends`, reported once per value: on the environment that wrote it,
/// naming every heir that has the same problem; or, when only heirs have it
/// (the writer overrides what makes it a problem, or the problem is the
/// heir's alone), on the first heir's `extends` clause, with the line that
/// wrote the value as a secondary label, naming the other heirs.
#[derive(Default)]
pub struct Findings<'a>(Vec<Finding<'a>>);

impl<'a> Findings<'a> {
    /// `diagnostic` is about `env`'s value of `field`.
    pub fn push<F: FieldKey>(
        &mut self,
        env: &'a str,
        spans: &'a FieldSpans<F>,
        field: F,
        diagnostic: Diagnostic,
    ) {
        self.push_value(env, field.name(), spans.provenance(field), diagnostic);
    }

    /// `diagnostic` is about `env`'s value of `field` (named, for a map's
    /// entry: `tags`), which comes from `provenance`.
    pub fn push_value(
        &mut self,
        env: &'a str,
        field: &'static str,
        provenance: Option<&'a Provenance>,
        diagnostic: Diagnostic,
    ) {
        self.0.push(Finding {
            env,
            field,
            provenance,
            diagnostic,
        });
    }

    pub fn report(self, diagnostics: &mut Diagnostics) {
        // One group per problem in one value, in the order first found.
        let mut groups: IndexMap<_, Vec<Finding>> = IndexMap::new();
        for finding in self.0 {
            groups.entry(group_key(&finding)).or_default().push(finding);
        }
        for group in groups.into_values() {
            diagnostics.push(report_group(group));
        }
    }
}

/// Findings with one key are one problem in one value: the same code, about
/// a value written at one place, and the same message but for the name of
/// the environment (`Dev` keeps its data ... and `Test` keeps its data ...).
fn group_key(finding: &Finding) -> (crate::diagnostic::Code, String, Option<Span>) {
    let value = finding
        .provenance
        .map(Provenance::span)
        .or_else(|| finding.diagnostic.span());
    let message = finding
        .diagnostic
        .message
        .replace(&format!("`{}`", finding.env), "`{env}`");
    (finding.diagnostic.code, message, value)
}

fn report_group(mut group: Vec<Finding>) -> Diagnostic {
    let is_heir = |f: &Finding| matches!(f.provenance, Some(Provenance::Inherited(_)));
    let writer = group.iter().position(|f| !is_heir(f));
    let first = group.remove(writer.unwrap_or(0));
    // An environment's zones share its lifecycle: one finding per zone.
    let mut heirs: Vec<(&str, Span)> = Vec::new();
    for finding in &group {
        if let Some(Provenance::Inherited(inherited)) = finding.provenance {
            if finding.env != first.env && !heirs.iter().any(|(name, _)| *name == finding.env) {
                heirs.push((finding.env, inherited.extends));
            }
        }
    }
    let Some(Provenance::Inherited(inherited)) = first.provenance else {
        return naming_heirs(first.diagnostic, &heirs);
    };
    let (at, from, extends) = (&inherited.at, &inherited.from, &inherited.extends);
    let mut diagnostic = first.diagnostic;
    if let Some(primary) = &mut diagnostic.primary {
        primary.span = *extends;
    }
    if !diagnostic.secondary.iter().any(|label| label.span == *at) {
        diagnostic = diagnostic.with_secondary(
            *at,
            format!(
                "`{}` inherits `{}` from `{from}`, here",
                first.env, first.field
            ),
        );
    }
    if heirs.is_empty() {
        return diagnostic;
    }
    for (name, extends) in &heirs {
        diagnostic = diagnostic.with_secondary(*extends, format!("`{name}` inherits it too"));
    }
    let mut names = vec![first.env];
    names.extend(heirs.iter().map(|(name, _)| *name));
    diagnostic.with_note(format!(
        "{} inherit this value from `{from}` through `extends`: fixing it there fixes them all",
        list(&names)
    ))
}

/// `A`, `A` and `B`, `A`, `B` and `C`.
fn list(names: &[&str]) -> String {
    let names: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match names.as_slice() {
        [rest @ .., last] if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.concat(),
    }
}
