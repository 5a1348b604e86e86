//! The pipeline as CodePipeline's own declaration: the input of
//! `aws codepipeline create-pipeline --cli-input-json`, rendered from the same
//! model as the pipeline stack's `AWS::CodePipeline::Pipeline`.
//!
//! It describes the pipeline only: the bucket, key, roles and build project
//! it names are the pipeline stack's, and so is what starts it on a push for
//! a GitHub token or CodeCommit source (a webhook, an EventBridge rule).
//!
//! Two values exist only in AWS, never in the lake: the artifact keys' ARNs
//! (a key's ID is random, and CodePipeline takes no alias for cross-account
//! actions; a pipeline that deploys into another region has a second key
//! there) and, for a GitHub token source, the token (CodePipeline's API
//! resolves no `{{resolve:...}}` reference). The declaration writes each as
//! a [`Placeholder`], and [`fill`] (`dlc pipeline-declaration`) puts the real
//! values in: its output is the call as AWS takes it.

use std::sync::OnceLock;

use super::value::{json, Object, Value};
use regex::Regex;

use super::json::pretty;
use super::pipeline::{self, Pipeline, Style};

/// A value of the declaration that only AWS knows, written `${dlc:Name}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placeholder {
    /// The ARN of the pipeline stack's artifact key.
    ArtifactKeyArn,
    /// For a pipeline that deploys into another region: the ARN of the key of
    /// its artifact store there (the `<Env>...Artifacts` setup stack's).
    RegionalArtifactKeyArn,
    /// The GitHub token, the value of the lake's `token_secret`.
    GitHubToken,
}

impl Placeholder {
    pub const ALL: &'static [Placeholder] = &[
        Placeholder::ArtifactKeyArn,
        Placeholder::RegionalArtifactKeyArn,
        Placeholder::GitHubToken,
    ];

    /// How the declaration writes it: the whole of a JSON string, or (a key
    /// ARN) part of one.
    pub fn text(self) -> &'static str {
        match self {
            Placeholder::ArtifactKeyArn => "${dlc:ArtifactKeyArn}",
            Placeholder::RegionalArtifactKeyArn => "${dlc:RegionalArtifactKeyArn}",
            Placeholder::GitHubToken => "${dlc:GitHubToken}",
        }
    }

    /// The `dlc pipeline-declaration` option that fills it.
    pub fn option(self) -> &'static str {
        match self {
            Placeholder::ArtifactKeyArn => "--artifact-key-arn",
            Placeholder::RegionalArtifactKeyArn => "--regional-artifact-key-arn",
            Placeholder::GitHubToken => "--github-token-stdin",
        }
    }
}

/// `{ "pipeline": ..., "tags": [...] }`.
pub fn declaration(pipeline: &Pipeline) -> Value {
    let tags: Vec<Value> = pipeline
        .tags
        .iter()
        .map(|(k, v)| json!({ "key": k, "value": v }))
        .collect();
    let mut out = Object::new();
    out.insert(
        "pipeline",
        Value::Object(pipeline::render(pipeline, Style::Declaration)),
    );
    out.insert("tags", Value::Array(tags));
    Value::Object(out)
}

/// Pretty JSON with a trailing newline.
pub fn render(pipeline: &Pipeline) -> String {
    pretty(&declaration(pipeline))
}

/// The values that [`fill`] puts in place of the placeholders.
#[derive(Clone, Debug, Default)]
pub struct Values {
    pub artifact_key_arn: Option<String>,
    pub regional_artifact_key_arn: Option<String>,
    pub github_token: Option<String>,
}

impl Values {
    fn get(&self, placeholder: Placeholder) -> Option<&str> {
        match placeholder {
            Placeholder::ArtifactKeyArn => self.artifact_key_arn.as_deref(),
            Placeholder::RegionalArtifactKeyArn => self.regional_artifact_key_arn.as_deref(),
            Placeholder::GitHubToken => self.github_token.as_deref(),
        }
    }
}

/// Why a declaration cannot be filled; each message says what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FillError {
    /// Not JSON, or not a declaration dlc wrote.
    NotADeclaration(String),
    /// A `${dlc:...}` this dlc does not know (a newer dlc wrote the file).
    UnknownPlaceholder(String),
    /// The declaration has this placeholder and no value was given.
    Missing(Placeholder),
    /// A value was given for a placeholder the declaration does not have.
    Unused(Placeholder),
    /// The artifact key is an alias, which cross-account actions cannot use.
    KeyAlias(String),
    /// Not a KMS key ARN.
    NotAKeyArn(String),
    /// The key is in another account than the pipeline.
    KeyInOtherAccount {
        key: String,
        account: String,
    },
    EmptyToken,
}

impl std::fmt::Display for FillError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FillError::NotADeclaration(why) => write!(f, "not a pipeline declaration dlc wrote: {why}"),
            FillError::UnknownPlaceholder(text) => write!(f, "the declaration has a placeholder this dlc does not know, `{text}`: fill it with the dlc that compiled it"),
            FillError::Missing(p) => write!(f, "the declaration has `{}`: give it with {}", p.text(), p.option()),
            FillError::Unused(p) => write!(f, "{} was given, but the declaration has no `{}` to fill", p.option(), p.text()),
            FillError::KeyAlias(arn) => write!(f, "`{arn}` is an alias: CodePipeline recognizes an alias only in the key's own account, and the pipeline's deploy actions run as roles of the environment's account; give the key's ARN (`aws kms describe-key --key-id <alias> --query KeyMetadata.Arn`)"),
            FillError::NotAKeyArn(arn) => write!(f, "`{arn}` is not a KMS key ARN (`arn:aws:kms:<region>:<account>:key/<key id>`)"),
            FillError::KeyInOtherAccount { key, account } => write!(f, "the key `{key}` is not in the pipeline's account {account}: give the ARN of the pipeline stack's artifact key"),
            FillError::EmptyToken => write!(f, "the GitHub token read from standard input is empty"),
        }
    }
}

impl std::error::Error for FillError {}

/// The declaration `text` (as `dlc compile` wrote it) with every placeholder
/// replaced by its value: pretty JSON, the input of `create-pipeline`.
pub fn fill(text: &str, values: &Values) -> Result<String, FillError> {
    let mut declaration: serde_json::Value =
        serde_json::from_str(text).map_err(|e| FillError::NotADeclaration(e.to_string()))?;
    let account = declaration["pipeline"]["roleArn"]
        .as_str()
        .and_then(|arn| arn.split(':').nth(4))
        .map(str::to_string)
        .ok_or_else(|| FillError::NotADeclaration("it has no `pipeline.roleArn`".into()))?;
    for key in [&values.artifact_key_arn, &values.regional_artifact_key_arn]
        .into_iter()
        .flatten()
    {
        check_key_arn(key, &account)?;
    }
    if values.github_token.as_deref().is_some_and(|t| t.is_empty()) {
        return Err(FillError::EmptyToken);
    }
    let mut found = Vec::new();
    replace(&mut declaration, values, &mut found)?;
    for &placeholder in Placeholder::ALL {
        if values.get(placeholder).is_some() && !found.contains(&placeholder) {
            return Err(FillError::Unused(placeholder));
        }
    }
    // The same bytes as `json::pretty` writes: json.rs's tests prove that
    // `pretty` writes serde_json's pretty text.
    serde_json::to_string_pretty(&declaration)
        .map(|text| text + "\n")
        .map_err(|e| FillError::NotADeclaration(e.to_string()))
}

fn replace(
    value: &mut serde_json::Value,
    values: &Values,
    found: &mut Vec<Placeholder>,
) -> Result<(), FillError> {
    match value {
        // Mostly the whole string; the self-update's parameter overrides
        // write the regional key's inside a JSON object, where a key ARN
        // (checked to hold no quote) goes as it is.
        serde_json::Value::String(text) if text.contains("${dlc:") => {
            let mut filled = String::with_capacity(text.len());
            let mut rest = text.as_str();
            while let Some(start) = rest.find("${dlc:") {
                let end = rest[start..]
                    .find('}')
                    .map(|end| start + end + 1)
                    .ok_or_else(|| FillError::UnknownPlaceholder(rest[start..].to_string()))?;
                let written = &rest[start..end];
                let placeholder = Placeholder::ALL
                    .iter()
                    .copied()
                    .find(|p| p.text() == written)
                    .ok_or_else(|| FillError::UnknownPlaceholder(written.to_string()))?;
                if placeholder == Placeholder::GitHubToken && written.len() != text.len() {
                    // A token inside other text would need escaping.
                    return Err(FillError::UnknownPlaceholder(text.clone()));
                }
                let value = values
                    .get(placeholder)
                    .ok_or(FillError::Missing(placeholder))?;
                filled.push_str(&rest[..start]);
                filled.push_str(value);
                rest = &rest[end..];
                if !found.contains(&placeholder) {
                    found.push(placeholder);
                }
            }
            filled.push_str(rest);
            *text = filled;
        }
        serde_json::Value::Array(items) => {
            for item in items {
                replace(item, values, found)?;
            }
        }
        serde_json::Value::Object(map) => {
            for item in map.values_mut() {
                replace(item, values, found)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// A key ARN (not an alias's) in `account`.
#[allow(
    clippy::expect_used,
    reason = "a constant pattern, which the tests run"
)]
fn check_key_arn(arn: &str, account: &str) -> Result<(), FillError> {
    static KEY: OnceLock<Regex> = OnceLock::new();
    let key = KEY.get_or_init(|| {
        Regex::new(
            r"^arn:aws(-[a-z]+)*:kms:[a-z]{2}(-[a-z]+)+-[0-9]:([0-9]{12}):key/[A-Za-z0-9-]+$",
        )
        .expect("a valid pattern")
    });
    if arn.contains(":alias/") || arn.starts_with("alias/") {
        return Err(FillError::KeyAlias(arn.to_string()));
    }
    let captures = key
        .captures(arn)
        .ok_or_else(|| FillError::NotAKeyArn(arn.to_string()))?;
    if &captures[3] != account {
        return Err(FillError::KeyInOtherAccount {
            key: arn.to_string(),
            account: account.to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    // The tests read the written text back as `serde_json` values.
    use serde_json::{json, Value};

    const KEY: &str = "arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    fn declaration(token: bool) -> String {
        let source = if token { "${dlc:GitHubToken}" } else { "x" };
        json!({
            "pipeline": {
                "roleArn": "arn:aws:iam::111111111111:role/p",
                "artifactStore": { "encryptionKey": { "id": "${dlc:ArtifactKeyArn}", "type": "KMS" } },
                "stages": [{ "actions": [{ "configuration": { "OAuthToken": source } }] }],
            },
            "tags": [],
        })
        .to_string()
    }

    fn values(key: &str, token: Option<&str>) -> Values {
        Values {
            artifact_key_arn: Some(key.into()),
            regional_artifact_key_arn: None,
            github_token: token.map(String::from),
        }
    }

    #[test]
    fn fills_every_placeholder() {
        let filled = fill(&declaration(true), &values(KEY, Some("ghp_x"))).unwrap();
        let value: Value = serde_json::from_str(&filled).unwrap();
        assert_eq!(
            value["pipeline"]["artifactStore"]["encryptionKey"]["id"],
            KEY
        );
        assert_eq!(
            value["pipeline"]["stages"][0]["actions"][0]["configuration"]["OAuthToken"],
            "ghp_x"
        );
        assert!(!filled.contains("${dlc:"));
    }

    #[test]
    fn fills_a_key_arn_inside_the_self_updates_parameter_overrides() {
        let regional =
            "arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let text = json!({
            "pipeline": {
                "roleArn": "arn:aws:iam::111111111111:role/p",
                "artifactStores": {
                    "us-east-2": { "encryptionKey": { "id": "${dlc:ArtifactKeyArn}" } },
                    "us-west-2": { "encryptionKey": { "id": "${dlc:RegionalArtifactKeyArn}" } },
                },
                "stages": [{ "actions": [{ "configuration": {
                    "ParameterOverrides": "{\"RegionalArtifactKeyArn\":\"${dlc:RegionalArtifactKeyArn}\"}",
                    "OAuthToken": "x${dlc:GitHubToken}",
                } }] }],
            },
        })
        .to_string();
        let mut with_regional = values(KEY, None);
        with_regional.regional_artifact_key_arn = Some(regional.into());
        // A token is filled only as a whole string: inside other text it would need escaping.
        assert!(matches!(
            fill(&text, &with_regional),
            Err(FillError::UnknownPlaceholder(_))
        ));
        let text = text.replace("x${dlc:GitHubToken}", "x");
        let filled: Value = serde_json::from_str(&fill(&text, &with_regional).unwrap()).unwrap();
        let overrides = filled["pipeline"]["stages"][0]["actions"][0]["configuration"]
            ["ParameterOverrides"]
            .as_str()
            .unwrap();
        let overrides: Value = serde_json::from_str(overrides).unwrap();
        assert_eq!(overrides["RegionalArtifactKeyArn"], regional);
        assert_eq!(
            filled["pipeline"]["artifactStores"]["us-west-2"]["encryptionKey"]["id"],
            regional
        );
    }

    #[test]
    fn refuses_a_missing_or_unused_value_and_a_key_alias() {
        assert_eq!(
            fill(&declaration(true), &values(KEY, None)),
            Err(FillError::Missing(Placeholder::GitHubToken))
        );
        assert_eq!(
            fill(&declaration(false), &values(KEY, Some("ghp_x"))),
            Err(FillError::Unused(Placeholder::GitHubToken))
        );
        let alias = "arn:aws:kms:us-east-2:111111111111:alias/dev-x-pipeline";
        assert_eq!(
            fill(&declaration(false), &values(alias, None)),
            Err(FillError::KeyAlias(alias.into()))
        );
        let other = "arn:aws:kms:us-east-2:222222222222:key/abc";
        assert!(matches!(
            fill(&declaration(false), &values(other, None)),
            Err(FillError::KeyInOtherAccount { .. })
        ));
        assert!(matches!(
            fill(&declaration(false), &values("abc", None)),
            Err(FillError::NotAKeyArn(_))
        ));
        let unknown = declaration(false).replace("${dlc:ArtifactKeyArn}", "${dlc:Other}");
        assert!(matches!(
            fill(&unknown, &values(KEY, None)),
            Err(FillError::UnknownPlaceholder(_))
        ));
    }
}
