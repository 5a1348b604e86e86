//! A change set, as a person reviews it before it runs: each resource
//! change classified as `dlc diff` classifies it (added, modified,
//! replaced, removed; a removal or replacement of a resource that holds
//! data is destructive, with what happens to the data), destructive ones
//! first, each with the lake line its resource comes from.
//!
//! Whether a change replaces is CloudFormation's own answer (`Replacement`),
//! not a guess: the change set is the deploy.

use std::sync::Arc;

use serde_json::Value;

use super::bundle::StackEntry;
use crate::codegen::manifest::Location as DiffLocation;
use crate::diff::consequences::{self, Consequence};
use crate::diff::plan::{self, Action, Change, Policy, Resource, Role};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewEntry {
    pub logical_id: String,
    pub kind: String,
    pub action: Action,
    /// `Conditional` in CloudFormation's answer: it may replace.
    pub may_replace_only: bool,
    pub consequence: Option<Consequence>,
    /// `lake.dl:12:5`, when the manifest knows the resource.
    pub source: Option<String>,
}

/// The resource changes of a `describe-change-set` answer, destructive first.
pub fn review(change_set: &Value, stack: &StackEntry, template: &Value) -> Vec<ReviewEntry> {
    let mut entries: Vec<ReviewEntry> = change_set["Changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| entry(&c["ResourceChange"], stack, template))
        .collect();
    // Stable: CloudFormation's order within each group.
    entries.sort_by_key(|e| e.consequence.is_none());
    entries
}

fn entry(change: &Value, stack: &StackEntry, template: &Value) -> Option<ReviewEntry> {
    let logical_id = change["LogicalResourceId"].as_str()?.to_string();
    let kind = change["ResourceType"].as_str().unwrap_or("").to_string();
    let replacement = change["Replacement"].as_str().unwrap_or("False");
    let action = match change["Action"].as_str()? {
        "Add" => Action::Add,
        "Remove" => Action::Remove,
        "Modify" if replacement != "False" => Action::Replace,
        _ => Action::Update,
    };
    let resource = &template["Resources"][&logical_id];
    // A removed resource is not in the new template; its policy is the
    // deployed one, unknown here: taken as `Delete`, the one to warn about.
    let policy = match action {
        Action::Replace => plan::policy_of(resource, "UpdateReplacePolicy"),
        _ => plan::policy_of(resource, "DeletionPolicy"),
    };
    let source = stack.resources.get(&logical_id).map(|r| r.source.clone());
    let consequence = consequences::consequence(&Change {
        environment: stack.environment.clone(),
        stack: stack.name.clone(),
        role: Role::Environment,
        resource: Some(Resource {
            logical_id: logical_id.clone(),
            kind: kind.clone(),
        }),
        action,
        properties: Vec::new(),
        replacing: Vec::new(),
        because: None,
        follows: None,
        policy: if matches!(action, Action::Remove) {
            Policy::Delete
        } else {
            policy
        },
        origin: DiffLocation {
            file: Arc::from(""),
            line: 0,
            column: 0,
        },
        property_origins: Vec::new(),
    });
    Some(ReviewEntry {
        logical_id,
        kind,
        action,
        may_replace_only: action == Action::Replace && replacement == "Conditional",
        consequence,
        source: source.map(|s| s.to_string()),
    })
}

/// The review as lines for a person: one per resource, destructive ones
/// marked `!` with what happens to the data beneath.
pub fn render(stack: &str, entries: &[ReviewEntry]) -> Vec<String> {
    let mut lines = vec![format!("{stack}: {}", summary(entries))];
    for e in entries {
        let verb = match (e.action, e.may_replace_only) {
            (Action::Add, _) => "add",
            (Action::Update, _) => "modify",
            (Action::Replace, false) => "replace",
            (Action::Replace, true) => "may replace",
            (Action::Remove, _) => "remove",
        };
        let mark = if e.consequence.is_some() { "!" } else { " " };
        let at = e
            .source
            .as_deref()
            .map(|s| format!("  ({s})"))
            .unwrap_or_default();
        lines.push(format!(
            "  {mark} {verb:<11} {} {}{at}",
            e.logical_id, e.kind
        ));
        if let Some(c) = &e.consequence {
            lines.push(format!("      destructive: {}", c.text));
        }
    }
    lines
}

fn summary(entries: &[ReviewEntry]) -> String {
    let count = |a: Action| entries.iter().filter(|e| e.action == a).count();
    let destructive = entries.iter().filter(|e| e.consequence.is_some()).count();
    let mut text = format!(
        "{} to add, {} to modify, {} to replace, {} to remove",
        count(Action::Add),
        count(Action::Update),
        count(Action::Replace),
        count(Action::Remove)
    );
    if destructive > 0 {
        text.push_str(&format!("; {destructive} destructive"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stack() -> StackEntry {
        super::super::storage_stack_entry(12, 5)
    }

    /// A `describe-change-set` answer as CloudFormation gives it (trimmed).
    const RECORDED: &str = r#"{"Changes": [
        {"Type": "Resource", "ResourceChange": {"Action": "Modify", "LogicalResourceId": "AuditRole",
         "ResourceType": "AWS::IAM::Role", "Replacement": "False", "Scope": ["Properties"]}},
        {"Type": "Resource", "ResourceChange": {"Action": "Modify", "LogicalResourceId": "RawBucket",
         "PhysicalResourceId": "dev-raw", "ResourceType": "AWS::S3::Bucket", "Replacement": "True",
         "Scope": ["Properties"]}},
        {"Type": "Resource", "ResourceChange": {"Action": "Add", "LogicalResourceId": "Queue",
         "ResourceType": "AWS::SQS::Queue"}}
    ], "Status": "CREATE_COMPLETE", "ExecutionStatus": "AVAILABLE"}"#;

    #[test]
    fn a_replaced_bucket_is_destructive_comes_first_and_names_its_lake_line() {
        let change_set: Value = serde_json::from_str(RECORDED).expect("JSON");
        let template = json!({"Resources": {"RawBucket": {"Type": "AWS::S3::Bucket"}}});
        let entries = review(&change_set, &stack(), &template);
        let ids: Vec<&str> = entries.iter().map(|e| e.logical_id.as_str()).collect();
        assert_eq!(ids, ["RawBucket", "AuditRole", "Queue"]);
        assert_eq!(entries[0].action, Action::Replace);
        assert_eq!(entries[0].source.as_deref(), Some("lake.dl:12:5"));
        let lines = render("DevStorage", &entries);
        assert_eq!(
            lines[0],
            "DevStorage: 1 to add, 1 to modify, 1 to replace, 0 to remove; 1 destructive"
        );
        assert!(lines[1].starts_with("  ! replace     RawBucket AWS::S3::Bucket  (lake.dl:12:5)"));
        assert!(lines[2].contains("deleted with its data"), "{}", lines[2]);
    }

    #[test]
    fn a_retained_bucket_replaced_is_orphaned_not_deleted() {
        let change_set: Value = serde_json::from_str(RECORDED).expect("JSON");
        let template = json!({"Resources": {"RawBucket": {"Type": "AWS::S3::Bucket",
            "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}}});
        let entries = review(&change_set, &stack(), &template);
        let fate = entries[0].consequence.as_ref().map(|c| c.fate);
        assert_eq!(fate, Some(consequences::Fate::Orphaned));
    }
}
