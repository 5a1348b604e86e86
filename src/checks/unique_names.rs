//! Every physical name is unique in its AWS scope: no two environments (nor
//! an environment and the lake) create the same bucket, role, stack, export,
//! pipeline, table or output file. One diagnostic per pair of owners, naming
//! every name they share.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::hashing::NameHasher;
use crate::model::physical::{self, Kind, NamedBy, PhysicalName, Scope};
use crate::model::Lake;
use crate::source::Span;

/// A name as its AWS scope tells it from others: kind, scope and text.
type NameKey<'a> = (Kind, &'a Scope, Cow<'a, str>);

/// Who creates a set of names: the lake or one of its environments.
struct Owner {
    name: String,
    span: Span,
    names: Vec<PhysicalName>,
}

/// The names two owners share: (the first owner's, this owner's).
struct Clash<'a> {
    first: usize,
    pairs: Vec<(&'a PhysicalName, &'a PhysicalName)>,
}

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    let mut owners = vec![Owner {
        name: lake.name.clone(),
        span: lake.span,
        names: physical::lake_names(lake),
    }];
    owners.extend(lake.environments.values().map(|env| Owner {
        name: env.name.clone(),
        span: env.span,
        names: physical::environment_names(lake, env),
    }));

    // Sized for every name, each key made and hashed once, and keyed by
    // borrowed names: a large lake has hundreds of thousands.
    let count = owners.iter().map(|owner| owner.names.len()).sum();
    let mut seen: HashMap<NameKey, (usize, &PhysicalName), NameHasher> =
        HashMap::with_capacity_and_hasher(count, NameHasher::default());
    for (index, owner) in owners.iter().enumerate() {
        let mut clashes: Vec<Clash> = Vec::new();
        for name in &owner.names {
            match seen.entry(name.key()) {
                // Within one environment only a repeated zone repeats a
                // name, and `names::check_zone_names` reports it.
                Entry::Occupied(entry) if entry.get().0 == index => {}
                Entry::Occupied(entry) => {
                    let &(first, first_name) = entry.get();
                    match clashes.iter_mut().find(|clash| clash.first == first) {
                        Some(clash) => clash.pairs.push((first_name, name)),
                        None => clashes.push(Clash {
                            first,
                            pairs: vec![(first_name, name)],
                        }),
                    }
                }
                Entry::Vacant(entry) => {
                    entry.insert((index, name));
                }
            }
        }
        for clash in clashes {
            diagnostics.push(report(&owners[clash.first], owner, &clash.pairs));
        }
    }
}

fn report(first: &Owner, owner: &Owner, pairs: &[(&PhysicalName, &PhysicalName)]) -> Diagnostic {
    let (a, b) = (&first.name, &owner.name);
    let (first_name, name) = pairs[0];
    let kinds: BTreeSet<Kind> = pairs.iter().map(|(_, n)| n.kind).collect();
    let count = pairs.len();
    let message = match (count, kinds.len()) {
        (1, _) => format!(
            "`{a}` and `{b}` would both create the {} `{}`",
            name.kind.what(),
            name.name
        ),
        (_, 1) => format!(
            "`{a}` and `{b}` would both create the same {count} {}",
            name.kind.plural()
        ),
        _ => format!("`{a}` and `{b}` would both create the same {count} names"),
    };
    let (label, secondary) = if count == 1 {
        (
            format!("`{b}` creates `{}` again", name.name),
            format!("`{a}` creates `{}` first", first_name.name),
        )
    } else {
        (
            format!("`{b}` creates them again"),
            format!("`{a}` creates them first"),
        )
    };
    // An inherited name points at the environment it was written in, which
    // is the first one: point at the one inheriting it instead.
    let span = if name.span == first_name.span {
        owner.span
    } else {
        name.span
    };
    let mut diagnostic = Diagnostic::new(Code::DuplicateResourceName, span, message)
        .with_label(label)
        .with_secondary(first_name.span, secondary);

    if count > 1 {
        let mut by_kind: BTreeMap<Kind, Vec<String>> = BTreeMap::new();
        for (_, n) in pairs {
            by_kind
                .entry(n.kind)
                .or_default()
                .push(format!("`{}`", n.name));
        }
        for (kind, names) in by_kind {
            diagnostic = diagnostic.with_note(match &names[..] {
                [one] => format!("the {} is {one}", kind.what()),
                _ => format!("the {} are {}", kind.plural(), names.join(", ")),
            });
        }
    }
    if a != b && a.eq_ignore_ascii_case(b) {
        diagnostic = diagnostic.with_note(format!(
            "names are lowercase where AWS asks it, and IAM and output paths ignore case: `{a}` and `{b}` are the same there"
        ));
    }
    diagnostic.with_help(help(pairs))
}

/// Why the names must differ, and what to rename.
fn help(pairs: &[(&PhysicalName, &PhysicalName)]) -> String {
    let kinds: BTreeSet<Kind> = pairs.iter().map(|(_, n)| n.kind).collect();
    // Scopes in a fixed order (the widest first), each said once.
    let mut scopes: Vec<(u8, &Scope)> = pairs
        .iter()
        .map(|(_, n)| {
            let rank = match n.scope {
                Scope::Global => 0,
                Scope::Account(_) => 1,
                Scope::Region { .. } => 2,
                Scope::OutputFolder => 3,
            };
            (rank, &n.scope)
        })
        .collect();
    scopes.sort_by_key(|(rank, _)| *rank);
    scopes.dedup_by_key(|(rank, _)| *rank);
    let subject = |plural: &'static str| match (kinds.len(), kinds.first()) {
        (1, Some(kind)) => format!("{} names", kind.what()),
        _ => plural.to_string(),
    };
    let why: Vec<String> = scopes
        .into_iter()
        .enumerate()
        .map(|(i, (_, scope))| match scope {
            Scope::Global => format!("{} are global", subject("bucket names")),
            Scope::Account(_) => format!("{} are unique in an account", subject("IAM names")),
            Scope::Region { .. } => format!(
                "{} are unique in an account and region",
                subject(if i == 0 { "these names" } else { "the others" })
            ),
            Scope::OutputFolder => "output paths must differ in more than case".to_string(),
        })
        .collect();
    let why = why.join("; ");
    let renamed: BTreeSet<NamedBy> = pairs.iter().map(|(_, n)| n.named_by).collect();
    if renamed.len() == 1 && renamed.contains(&NamedBy::AuditTable) {
        return format!(
            "{why}: give each environment's audit table a `name` of its own, or leave `name` out for the default `<env>-<resource_prefix>-etl-audit`"
        );
    }
    let what: Vec<&str> = renamed
        .iter()
        .map(|r| match r {
            NamedBy::Owner => "the environment",
            NamedBy::Zone => "the zone",
            NamedBy::AuditTable => "the audit table",
        })
        .collect();
    format!("{why}: rename {}", what.join(" or "))
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::codegen::fixtures;
    use crate::diagnostic::{Code, Diagnostic, Diagnostics};
    use crate::model::{AuditTable, Lake};

    fn clashes(lake: &Lake) -> Vec<Diagnostic> {
        let mut diagnostics = Diagnostics::new();
        check(lake, &mut diagnostics);
        let found: Vec<Diagnostic> = diagnostics.into_iter().collect();
        assert!(found.iter().all(|d| d.code == Code::DuplicateResourceName));
        found
    }

    fn name_audit_table(lake: &mut Lake, env: &str, name: &str) {
        let table: &mut AuditTable = lake.environments[env]
            .audit_table
            .as_mut()
            .expect("the seed's environments have an audit table");
        table.name = Some(name.to_string());
    }

    #[test]
    fn the_examples_name_everything_once() {
        for (example, lake) in fixtures::examples() {
            assert!(clashes(&lake).is_empty(), "{example}");
        }
    }

    #[test]
    fn one_table_name_clashes_only_in_one_account_and_region() {
        let mut lake = fixtures::seed();
        name_audit_table(&mut lake, "Dev", "etl_audit");
        name_audit_table(&mut lake, "Test", "etl_audit");
        assert!(clashes(&lake).is_empty(), "different accounts");

        lake.environments["Test"].account = lake.environments["Dev"].account.clone();
        let found = clashes(&lake);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(
            found[0].message,
            "`Dev` and `Test` would both create the DynamoDB table `etl_audit`"
        );
        assert!(found[0].help.as_deref().unwrap().contains("audit table"));
    }

    #[test]
    fn a_written_table_name_clashes_with_another_environments_default() {
        let mut lake = fixtures::seed();
        lake.environments["Test"].account = lake.environments["Dev"].account.clone();
        name_audit_table(&mut lake, "Test", "dev-cdkblog-e2e-etl-audit");
        let found = clashes(&lake);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].message.contains("`dev-cdkblog-e2e-etl-audit`"));
    }

    #[test]
    fn names_equal_but_for_case_clash_in_the_deployment_account_and_on_disk() {
        let mut lake = fixtures::seed();
        let mut prod = lake.environments.shift_remove("Prod").unwrap();
        prod.name = "TEST".into();
        lake.environments.insert("TEST".into(), prod);
        let found = clashes(&lake);
        assert_eq!(found.len(), 1, "{found:#?}");
        let d = &found[0];
        assert!(d.message.starts_with("`Test` and `TEST` would both create"));
        let notes = d.notes.join("\n");
        for name in [
            "`test-cdkblog-e2e-pipeline`",
            "`test-cdkblog-e2e-111111111111-us-east-2-pipeline`",
            "`TEST/Network.template.json`",
        ] {
            assert!(notes.contains(name), "{name} in {notes}");
        }
        // Their own accounts differ: nothing of theirs clashes.
        assert!(!notes.contains("444444444444"), "{notes}");
    }

    #[test]
    fn the_lakes_bootstrap_file_clashes_with_an_environment_named_like_the_lake() {
        let mut lake = fixtures::seed();
        let mut prod = lake.environments.shift_remove("Prod").unwrap();
        prod.name = lake.name.to_lowercase();
        lake.environments.insert(prod.name.clone(), prod);
        let found = clashes(&lake);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].message.contains("the output file"), "{found:#?}");
    }
}
