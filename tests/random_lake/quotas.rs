//! The property's second half, shared by the property test and the fuzz
//! target: every template a compile wrote is within CloudFormation's quotas,
//! measured here on the written JSON, independently of `codegen::limits`.

use std::collections::BTreeMap;

use dlc::codegen::Output;
use dlc::diagnostic::Code;
use dlc::driver::Checked;
use serde_json::Value;

// From AWS's "Understand CloudFormation quotas" page.
pub const BODY_IN_REQUEST: usize = 51_200;
pub const BODY_FROM_S3: usize = 1_000_000;
pub const RESOURCES: usize = 500;
pub const OUTPUTS: usize = 200;
pub const PARAMETERS: usize = 200;

/// Each template over a quota, one line each. `checked` is the check that
/// let the lake compile: a hand-deployed template may pass 51,200 bytes only
/// if its DL0395 said to deploy it with `--s3-bucket`.
pub fn problems(checked: &Checked, output: &Output) -> Vec<String> {
    let Some(model) = &checked.model else {
        return vec!["compiled a lake without a model".into()];
    };
    // Stacks a person deploys: the setup stacks, and the stacks of an
    // environment without a pipeline. Keyed by template path.
    let manifest = &output.manifest;
    let mut by_hand: BTreeMap<&str, &str> = BTreeMap::new();
    for s in &manifest.stacks {
        let pipelined = model
            .environments
            .get(&s.environment)
            .is_some_and(|e| e.branch.is_some());
        if !pipelined {
            by_hand.insert(&s.template, &s.name);
        }
    }
    for s in manifest
        .bootstrap
        .iter()
        .chain(manifest.pipelines.iter().map(|p| &p.stack))
    {
        by_hand.insert(&s.template, &s.name);
    }
    let warned = |stack: &str| {
        checked.diagnostics.iter().any(|d| {
            d.code == Code::TemplateNeedsS3Bucket
                && d.message.contains(&format!("`{stack}`"))
                && d.help.iter().any(|h| h.contains("--s3-bucket"))
        })
    };
    let mut problems = Vec::new();
    for file in output
        .files
        .iter()
        .filter(|f| f.path.ends_with(".template.json"))
    {
        let bytes = file.contents.len();
        let json: Value = match serde_json::from_str(&file.contents) {
            Ok(json) => json,
            Err(e) => {
                problems.push(format!("{}: not JSON: {e}", file.path));
                continue;
            }
        };
        let count = |section: &str| {
            json.get(section)
                .and_then(Value::as_object)
                .map_or(0, |o| o.len())
        };
        let mut over = |what: &str, n: usize, limit: usize| {
            if n > limit {
                problems.push(format!("{}: {n} {what}, over {limit}", file.path));
            }
        };
        over("bytes", bytes, BODY_FROM_S3);
        over("resources", count("Resources"), RESOURCES);
        over("outputs", count("Outputs"), OUTPUTS);
        over("parameters", count("Parameters"), PARAMETERS);
        if let Some(stack) = by_hand.get(file.path.as_str()) {
            if bytes > BODY_IN_REQUEST && !warned(stack) {
                problems.push(format!(
                    "{}: {bytes} bytes, deployed by hand as `{stack}`, and no DL0395 said to use --s3-bucket",
                    file.path
                ));
            }
        }
    }
    problems
}
