//! What a removal or replacement does to data. A resource that holds data
//! (a bucket, a table, a key, a warehouse namespace) is destructive to
//! remove or replace; what happens to the old one depends on the policy
//! CloudFormation applies to it, which dlc sets from the environment's
//! `retention`: `Delete` under `destroy`, `Retain` under `retain`.

use serde::Serialize;

use super::plan::{Action, Change, Policy};

/// The resource types whose physical resource holds data.
const HOLDS_DATA: &[&str] = &[
    "AWS::S3::Bucket",
    "AWS::DynamoDB::Table",
    "AWS::KMS::Key",
    "AWS::RedshiftServerless::Namespace",
    "AWS::Redshift::Cluster",
];

pub fn holds_data(resource_type: &str) -> bool {
    HOLDS_DATA.contains(&resource_type)
}

/// What becomes of the data of the old physical resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fate {
    /// Deleted by CloudFormation, data and all.
    Deleted,
    /// Left in the account with its data, managed by no stack.
    Orphaned,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Consequence {
    pub fate: Fate,
    /// One sentence for a reviewer.
    pub text: String,
}

/// The consequence of a change for the data it touches; `None` when the
/// change keeps every piece of data where it is.
pub fn consequence(change: &Change) -> Option<Consequence> {
    let resource = change.resource.as_ref()?;
    if !holds_data(&resource.kind) || !matches!(change.action, Action::Remove | Action::Replace) {
        return None;
    }
    // A replacement leaves an old resource beside the new one.
    let noun = match change.action {
        Action::Replace => format!("old {}", noun(&resource.kind)),
        _ => noun(&resource.kind).to_string(),
    };
    let (fate, what) = match change.policy {
        Policy::Delete => (Fate::Deleted, deleted(&resource.kind, &noun)),
        Policy::Retain => (
            Fate::Orphaned,
            format!(
                "the {noun} is retained with its data and orphaned: no stack manages it any more"
            ),
        ),
    };
    let text = match change.action {
        Action::Replace => format!(
            "{what}; a new, empty {} takes its place",
            self::noun(&resource.kind)
        ),
        _ => what,
    };
    Some(Consequence { fate, text })
}

fn deleted(resource_type: &str, noun: &str) -> String {
    match resource_type {
        // CloudFormation deletes only an empty bucket.
        "AWS::S3::Bucket" => format!(
            "the {noun} is deleted with its data (a bucket that still holds objects fails to delete and is left behind, outside the stack)"
        ),
        "AWS::KMS::Key" => format!(
            "the {noun} is scheduled for deletion: whatever it encrypted becomes unreadable once the waiting period ends"
        ),
        _ => format!("the {noun} is deleted with its data"),
    }
}

fn noun(resource_type: &str) -> &'static str {
    match resource_type {
        "AWS::S3::Bucket" => "bucket",
        "AWS::DynamoDB::Table" => "table",
        "AWS::KMS::Key" => "key",
        "AWS::RedshiftServerless::Namespace" => "namespace",
        "AWS::Redshift::Cluster" => "cluster",
        _ => "resource",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::manifest::Location;
    use crate::diff::plan::{Resource, Role};

    fn change(kind: &str, action: Action, policy: Policy) -> Change {
        Change {
            environment: Some("Dev".into()),
            stack: "DevStorage".into(),
            role: Role::Environment,
            resource: Some(Resource {
                logical_id: "RawBucket".into(),
                kind: kind.into(),
            }),
            action,
            properties: Vec::new(),
            replacing: Vec::new(),
            because: None,
            follows: None,
            policy,
            origin: Location {
                file: "lake.dl".into(),
                line: 1,
                column: 1,
            },
            property_origins: Vec::new(),
        }
    }

    #[test]
    fn a_replaced_bucket_is_deleted_or_orphaned_by_its_policy() {
        let deleted = consequence(&change("AWS::S3::Bucket", Action::Replace, Policy::Delete));
        assert_eq!(deleted.map(|c| c.fate), Some(Fate::Deleted));
        let kept = consequence(&change("AWS::S3::Bucket", Action::Replace, Policy::Retain));
        let kept = kept.expect("destructive");
        assert_eq!(kept.fate, Fate::Orphaned);
        assert!(kept.text.ends_with("a new, empty bucket takes its place"));
    }

    #[test]
    fn updates_and_resources_without_data_have_no_consequence() {
        let updated = change("AWS::S3::Bucket", Action::Update, Policy::Delete);
        assert_eq!(consequence(&updated), None);
        let role = change("AWS::IAM::Role", Action::Remove, Policy::Delete);
        assert_eq!(consequence(&role), None);
    }
}
