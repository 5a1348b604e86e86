//! The audit table: a sort key must be another attribute than the partition key.

use super::inherited;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{AuditTableField, Environment, Lake};

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    for env in lake.environments.values() {
        let (Some(table), Some(key)) = (&env.audit_table, repeated_key(env)) else {
            continue;
        };
        let spans = &table.field_spans;
        // A sort key inherited with the same mistake is reported once, on
        // the environment that wrote it.
        let from = inherited::inherited_from(spans, AuditTableField::SortKey);
        if from
            .and_then(|from| lake.environments.get(from))
            .is_some_and(|origin| repeated_key(origin) == Some(key))
        {
            continue;
        }
        let heirs: Vec<_> = inherited::heirs(
            lake,
            &env.name,
            |e| e.audit_table.as_ref().map(|t| &t.field_spans),
            AuditTableField::SortKey,
        )
        .into_iter()
        .filter(|(heir, _)| repeated_key(&lake.environments[*heir]) == Some(key))
        .collect();
        let diagnostic = Diagnostic::new(
            Code::AuditKeyRepeated,
            inherited::primary(spans, AuditTableField::SortKey, table.span),
            format!(
                "the audit table of `{}` uses `{key}` as both its partition key and its sort key",
                env.name
            ),
        )
        .with_label(format!("sorts by `{key}`"))
        .with_secondary(
            spans.get_or(AuditTableField::PartitionKey, table.span),
            format!("`{key}` is already the partition key"),
        )
        .with_note("DynamoDB rejects a key schema that names one attribute twice")
        .with_help("sort by another attribute, e.g. `sort_key = { name = \"started_at\" }`");
        let diagnostic =
            inherited::with_origin(diagnostic, &env.name, spans, AuditTableField::SortKey);
        diagnostics.push(inherited::naming_heirs(diagnostic, &heirs));
    }
}

/// The attribute an environment's audit table names as both keys, if any.
fn repeated_key(env: &Environment) -> Option<&str> {
    let table = env.audit_table.as_ref()?;
    let sort = table.sort_key.as_ref()?;
    (sort.name == table.partition_key.name).then_some(sort.name.as_str())
}
