//! Stack events while a change set runs, and what a failed deploy tells a
//! person: the resource that failed first, CloudFormation's reason, the
//! lake line the resource came from, and the state the stack was left in.

use std::collections::HashSet;

use serde_json::Value;

use super::bundle::StackEntry;

/// The events of a `describe-stack-events` answer not seen before, oldest
/// first (CloudFormation lists the newest first), each as one plain line.
pub fn new_events(answer: &Value, seen: &mut HashSet<String>) -> Vec<String> {
    let events: Vec<&Value> = answer["StackEvents"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    events
        .into_iter()
        .rev()
        .filter(|e| {
            let id = e["EventId"].as_str().unwrap_or("").to_string();
            seen.insert(id)
        })
        .map(line)
        .collect()
}

fn line(event: &Value) -> String {
    let text = |key: &str| event[key].as_str().unwrap_or("");
    let mut line = format!(
        "  {:<28} {:<40} {}",
        text("ResourceStatus"),
        text("LogicalResourceId"),
        text("ResourceType")
    );
    if !text("ResourceStatusReason").is_empty() {
        line.push_str(&format!(": {}", text("ResourceStatusReason")));
    }
    line.trim_end().to_string()
}

/// A stack status after which nothing more happens.
pub fn is_final(status: &str) -> bool {
    !status.ends_with("_IN_PROGRESS")
}

/// A final status of a deploy that worked.
pub fn succeeded(status: &str) -> bool {
    matches!(
        status,
        "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "IMPORT_COMPLETE"
    )
}

/// A failed deploy, traced back to the lake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub stack: String,
    /// The logical ID of the resource that failed first, when CloudFormation names one.
    pub resource: Option<String>,
    pub reason: String,
    /// `lake.dl:12:5`, when the manifest knows the resource.
    pub source: Option<String>,
    /// The stack's status as the run left it.
    pub status: String,
}

/// Reasons CloudFormation gives resources it stopped because another failed.
const CANCELLED: &[&str] = &["Resource creation cancelled", "Resource update cancelled"];

/// The first failed resource in the events (newest first, as CloudFormation
/// lists them); the stack's own reason when no resource failed; `refusal`
/// (the error of the call that started it) when there is neither.
pub fn trace(stack: &StackEntry, events: &Value, status: &str, refusal: Option<&str>) -> Failure {
    let events: Vec<&Value> = events["StackEvents"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    let failed = |e: &&Value| {
        e["ResourceStatus"]
            .as_str()
            .is_some_and(|s| s.ends_with("_FAILED"))
    };
    let reason_of = |e: &Value| e["ResourceStatusReason"].as_str().unwrap_or("").to_string();
    let first_resource = events.iter().rev().copied().filter(failed).find(|e| {
        e["LogicalResourceId"].as_str() != Some(stack.name.as_str())
            && !CANCELLED.iter().any(|c| reason_of(e).starts_with(c))
    });
    let (resource, reason) = match first_resource {
        Some(e) => (
            e["LogicalResourceId"].as_str().map(str::to_string),
            reason_of(e),
        ),
        None => {
            let own = events.iter().rev().copied().find(failed).map(reason_of);
            let reason = refusal
                .map(str::to_string)
                .or(own)
                .unwrap_or_else(|| format!("the stack ended in {status}"));
            (None, reason)
        }
    };
    let source = resource
        .as_ref()
        .and_then(|id| stack.resources.get(id))
        .map(|r| r.source.to_string());
    Failure {
        stack: stack.name.clone(),
        resource,
        reason,
        source,
        status: status.to_string(),
    }
}

/// What the stack's state means for the next attempt.
pub fn rollback_advice(status: &str) -> &'static str {
    match status {
        "ROLLBACK_COMPLETE" => "the new stack was rolled back and cannot be updated: delete it (`aws cloudformation delete-stack`), fix the lake and deploy again",
        "UPDATE_ROLLBACK_COMPLETE" => "the stack was rolled back to its previous state; fix the lake and deploy again",
        "UPDATE_ROLLBACK_FAILED" | "ROLLBACK_FAILED" => "the rollback failed too: continue it in the console (`aws cloudformation continue-update-rollback`) before deploying again",
        _ => "fix the cause and deploy again; the stack is as CloudFormation left it",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stack() -> StackEntry {
        super::super::storage_stack_entry(14, 9)
    }

    /// A `describe-stack-events` answer of a failed create, newest first, as
    /// CloudFormation gives it (trimmed to the fields dlc reads).
    const RECORDED: &str = r#"{"StackEvents": [
      {"EventId": "e6", "LogicalResourceId": "DevStorage", "ResourceType": "AWS::CloudFormation::Stack", "ResourceStatus": "ROLLBACK_COMPLETE"},
      {"EventId": "e5", "LogicalResourceId": "AuditTable", "ResourceType": "AWS::DynamoDB::Table", "ResourceStatus": "CREATE_FAILED", "ResourceStatusReason": "Resource creation cancelled"},
      {"EventId": "e4", "LogicalResourceId": "DevStorage", "ResourceType": "AWS::CloudFormation::Stack", "ResourceStatus": "ROLLBACK_IN_PROGRESS", "ResourceStatusReason": "The following resource(s) failed to create: [RawBucket, AuditTable]. Rollback requested by user."},
      {"EventId": "e3", "LogicalResourceId": "RawBucket", "ResourceType": "AWS::S3::Bucket", "ResourceStatus": "CREATE_FAILED", "ResourceStatusReason": "dev-raw already exists"},
      {"EventId": "e2", "LogicalResourceId": "RawBucket", "ResourceType": "AWS::S3::Bucket", "ResourceStatus": "CREATE_IN_PROGRESS"},
      {"EventId": "e1", "LogicalResourceId": "DevStorage", "ResourceType": "AWS::CloudFormation::Stack", "ResourceStatus": "CREATE_IN_PROGRESS", "ResourceStatusReason": "User Initiated"}
    ]}"#;

    #[test]
    fn the_first_failed_resource_is_traced_to_its_lake_line() {
        let events: Value = serde_json::from_str(RECORDED).expect("JSON");
        let failure = trace(&stack(), &events, "ROLLBACK_COMPLETE", None);
        assert_eq!(failure.resource.as_deref(), Some("RawBucket"));
        assert_eq!(failure.reason, "dev-raw already exists");
        assert_eq!(failure.source.as_deref(), Some("lake.dl:14:9"));
        assert!(rollback_advice(&failure.status).contains("delete it"));
    }

    #[test]
    fn events_print_oldest_first_and_once() {
        let events: Value = serde_json::from_str(RECORDED).expect("JSON");
        let mut seen = HashSet::new();
        let lines = new_events(&events, &mut seen);
        assert_eq!(lines.len(), 6);
        assert!(lines[0].contains("CREATE_IN_PROGRESS") && lines[0].ends_with("User Initiated"));
        assert!(lines[2].contains("RawBucket") && lines[2].ends_with("dev-raw already exists"));
        assert!(new_events(&events, &mut seen).is_empty());
    }

    #[test]
    fn a_refused_call_without_events_gives_its_own_reason() {
        let failure = trace(
            &stack(),
            &json!({"StackEvents": []}),
            "REVIEW_IN_PROGRESS",
            Some("BucketAlreadyExists"),
        );
        assert_eq!(failure.resource, None);
        assert_eq!(failure.reason, "BucketAlreadyExists");
    }
}
