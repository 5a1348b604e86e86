//! The pipeline as CodePipeline's own declaration: the input of
//! `aws codepipeline create-pipeline --cli-input-json`, rendered from the same
//! model as the pipeline stack's `AWS::CodePipeline::Pipeline`.
//!
//! It describes the pipeline only: the bucket, key, roles and build project
//! it names are the pipeline stack's, and so is what starts it on a push for
//! a GitHub token or CodeCommit source (a webhook, an EventBridge rule). A
//! GitHub token stays the `{{resolve:secretsmanager:...}}` reference the
//! template has: CloudFormation resolves it, CodePipeline's API does not, so
//! whoever creates the pipeline this way puts the token in first.

use serde_json::{json, Map, Value};

use super::json::pretty;
use super::pipeline::{self, Pipeline, Style};

/// `{ "pipeline": ..., "tags": [...] }`.
pub fn declaration(pipeline: &Pipeline) -> Value {
    let tags: Vec<Value> = pipeline
        .tags
        .iter()
        .map(|(k, v)| json!({ "key": k, "value": v }))
        .collect();
    let mut out = Map::new();
    out.insert(
        "pipeline".into(),
        Value::Object(pipeline::render(pipeline, Style::Declaration)),
    );
    out.insert("tags".into(), Value::Array(tags));
    Value::Object(out)
}

/// Pretty JSON with a trailing newline.
pub fn render(pipeline: &Pipeline) -> String {
    pretty(&declaration(pipeline))
}
