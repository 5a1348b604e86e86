//! Diagnostics about inherited values. A value an environment inherits
//! through `extends` was written in another environment: a diagnostic about
//! the heir points at the heir's `extends` clause and shows where the value
//! was written; a problem in the value itself is reported once, on the
//! environment that wrote it, naming every environment that inherits it.

use crate::diagnostic::Diagnostic;
use crate::model::{Environment, FieldKey, FieldSpans, Lake, Provenance};
use crate::source::Span;

/// Where a diagnostic about `env`'s field points: the value when `env` wrote
/// it (or defaulted it), `env`'s `extends` clause when it inherited it.
pub fn primary<F: FieldKey>(spans: &FieldSpans<F>, field: F, fallback: Span) -> Span {
    match spans.provenance(field) {
        Some(Provenance::Inherited { extends, .. }) => *extends,
        _ => spans.get_or(field, fallback),
    }
}

/// The environment `env`'s field was inherited from, if it was.
pub fn inherited_from<F: FieldKey>(spans: &FieldSpans<F>, field: F) -> Option<&str> {
    match spans.provenance(field) {
        Some(Provenance::Inherited { from, .. }) => Some(from),
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
    let Some(Provenance::Inherited { at, from, .. }) = spans.provenance(field) else {
        return diagnostic;
    };
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
            Provenance::Inherited { from, extends, .. } if from == owner => {
                Some((env.name.as_str(), *extends))
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
    let names: Vec<String> = heirs.iter().map(|(name, _)| format!("`{name}`")).collect();
    let names = match names.as_slice() {
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => String::new(),
    };
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
