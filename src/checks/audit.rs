//! The audit table: a sort key must be another attribute than the partition key.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::Lake;

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    for env in lake.environments.values() {
        let Some(table) = &env.audit_table else {
            continue;
        };
        let Some(sort) = &table.sort_key else {
            continue;
        };
        if sort.name == table.partition_key.name {
            diagnostics.push(
                Diagnostic::new(
                    Code::AuditKeyRepeated,
                    table.field_spans.get_or("sort_key", table.span),
                    format!(
                        "the audit table of `{}` uses `{}` as both its partition key and its sort key",
                        env.name, sort.name
                    ),
                )
                .with_label(format!("sorts by `{}`", sort.name))
                .with_secondary(
                    table.field_spans.get_or("partition_key", table.span),
                    format!("`{}` is already the partition key", sort.name),
                )
                .with_note("DynamoDB rejects a key schema that names one attribute twice")
                .with_help("sort by another attribute, e.g. `sort_key = { name = \"started_at\" }`"),
            );
        }
    }
}
