//! What `dlc deploy` deploys: a compiled lake's manifest and templates,
//! compiled in memory or read from an output folder (`--from DIR`), and the
//! stacks a run deploys, in order.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde::Deserialize;

/// The parts of `manifest.json` a deploy needs. Read back from JSON, so that
/// an output folder written by an earlier compile deploys as well.
#[derive(Debug, Deserialize)]
pub struct Manifest {
    pub deploy_order: Vec<String>,
    pub stacks: Vec<StackEntry>,
    pub setup_order: Vec<String>,
    pub bootstrap: Vec<StackEntry>,
    pub pipelines: Vec<PipelineEntry>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct StackEntry {
    pub name: String,
    /// `null` for the deployment account's bootstrap.
    pub environment: Option<String>,
    pub account: String,
    pub region: String,
    pub template: String,
    pub capabilities: Vec<String>,
    pub tags: IndexMap<String, String>,
    pub resources: IndexMap<String, ResourceEntry>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct PipelineEntry {
    #[serde(flatten)]
    pub stack: StackEntry,
    pub update_role: String,
    #[serde(default)]
    pub parameters: IndexMap<String, ParameterSource>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ParameterSource {
    pub stack: String,
    pub output: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct ResourceEntry {
    #[serde(rename = "type")]
    pub kind: String,
    pub source: Location,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A manifest with the templates it names, by their path in the output.
#[derive(Debug)]
pub struct Bundle {
    pub manifest: Manifest,
    pub templates: HashMap<String, String>,
}

/// One stack to deploy, with everything its change set needs.
#[derive(Clone, Debug)]
pub struct Step {
    pub stack: StackEntry,
    /// The role CloudFormation deploys a pipeline stack with.
    pub role_arn: Option<String>,
    pub parameters: IndexMap<String, ParameterSource>,
}

/// What a run deploys.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// The bootstrap and pipeline stacks, in `setup_order`.
    pub setup: bool,
    /// These environments' stacks, in `deploy_order`.
    pub environments: Vec<String>,
}

/// Why a selection names no stacks that exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelectError {
    /// No environment of that name; with the closest name, if one is close.
    NoSuchEnvironment {
        name: String,
        suggestion: Option<String>,
        names: Vec<String>,
    },
    /// The manifest lists a stack it does not describe: a damaged output folder.
    UnknownStack(String),
}

/// Why an output could not be read as a bundle.
#[derive(Debug)]
pub enum LoadError<E> {
    /// `manifest.json` is not a manifest dlc wrote.
    Manifest(serde_json::Error),
    /// A template it names could not be read.
    Template(String, E),
}

impl Bundle {
    /// A manifest's text and its templates, read with `read` by their
    /// path relative to the manifest's folder.
    pub fn load<E>(
        manifest: &str,
        mut read: impl FnMut(&str) -> Result<String, E>,
    ) -> Result<Bundle, LoadError<E>> {
        let manifest: Manifest = serde_json::from_str(manifest).map_err(LoadError::Manifest)?;
        let mut templates = HashMap::new();
        let paths = manifest
            .stacks
            .iter()
            .chain(&manifest.bootstrap)
            .chain(manifest.pipelines.iter().map(|p| &p.stack))
            .map(|s| s.template.clone());
        for path in paths {
            let text = read(&path).map_err(|e| LoadError::Template(path.clone(), e))?;
            templates.insert(path, text);
        }
        Ok(Bundle {
            manifest,
            templates,
        })
    }

    /// The stacks of `selection`: the setup first (bootstraps, then
    /// pipelines, in `setup_order`), then the environments' stacks in
    /// `deploy_order`, whatever order the environments were named in.
    pub fn steps(&self, selection: &Selection) -> Result<Vec<Step>, SelectError> {
        let m = &self.manifest;
        let known: Vec<&str> = {
            let mut envs: Vec<&str> = m.stacks.iter().map(|s| s.environment_name()).collect();
            envs.dedup();
            envs
        };
        for name in &selection.environments {
            if !known.contains(&name.as_str()) {
                return Err(SelectError::NoSuchEnvironment {
                    name: name.clone(),
                    suggestion: crate::suggest::closest(name, known.iter().copied())
                        .map(str::to_string),
                    names: known.iter().map(|s| s.to_string()).collect(),
                });
            }
        }
        let mut steps = Vec::new();
        if selection.setup {
            for name in &m.setup_order {
                steps.push(self.setup_step(name)?);
            }
        }
        for name in &m.deploy_order {
            let stack = m
                .stacks
                .iter()
                .find(|s| &s.name == name)
                .ok_or_else(|| SelectError::UnknownStack(name.clone()))?;
            if selection
                .environments
                .iter()
                .any(|e| e == stack.environment_name())
            {
                steps.push(Step {
                    stack: stack.clone(),
                    role_arn: None,
                    parameters: IndexMap::new(),
                });
            }
        }
        Ok(steps)
    }

    fn setup_step(&self, name: &str) -> Result<Step, SelectError> {
        let m = &self.manifest;
        if let Some(stack) = m.bootstrap.iter().find(|s| s.name == name) {
            return Ok(Step {
                stack: stack.clone(),
                role_arn: None,
                parameters: IndexMap::new(),
            });
        }
        m.pipelines
            .iter()
            .find(|p| p.stack.name == name)
            .map(|p| Step {
                stack: p.stack.clone(),
                role_arn: Some(p.update_role.clone()),
                parameters: p.parameters.clone(),
            })
            .ok_or_else(|| SelectError::UnknownStack(name.to_string()))
    }

    /// A setup or environment stack by name: where a parameter's output is read.
    pub fn stack(&self, name: &str) -> Option<&StackEntry> {
        let m = &self.manifest;
        m.stacks
            .iter()
            .chain(&m.bootstrap)
            .chain(m.pipelines.iter().map(|p| &p.stack))
            .find(|s| s.name == name)
    }
}

impl StackEntry {
    fn environment_name(&self) -> &str {
        self.environment.as_deref().unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack(name: &str, env: Option<&str>) -> serde_json::Value {
        serde_json::json!({
            "name": name, "environment": env, "account": "111111111111",
            "region": "eu-west-1", "template": format!("{name}.json"),
            "depends_on": [], "capabilities": [], "tags": {}, "resources": {}
        })
    }

    fn bundle() -> Bundle {
        let mut pipeline = stack("DevPipeline", Some("Dev"));
        pipeline["update_role"] = "arn:aws:iam::1:role/update".into();
        pipeline["parameters"] = serde_json::json!({"RegionalArtifactKeyArn": {"stack": "DevArtifacts", "output": "ArtifactKeyArn"}});
        let manifest = serde_json::json!({
            "format_version": 1, "lake": "L",
            "deploy_order": ["DevStorage", "DevNetwork", "ProdStorage"],
            "stacks": [stack("DevStorage", Some("Dev")), stack("DevNetwork", Some("Dev")), stack("ProdStorage", Some("Prod"))],
            "setup_order": ["Bootstrap", "DevPipeline"],
            "bootstrap": [stack("Bootstrap", None)],
            "pipelines": [pipeline],
        });
        Bundle {
            manifest: serde_json::from_value(manifest).expect("a manifest"),
            templates: HashMap::new(),
        }
    }

    fn names(steps: &[Step]) -> Vec<&str> {
        steps.iter().map(|s| s.stack.name.as_str()).collect()
    }

    #[test]
    fn setup_comes_first_and_environments_keep_the_deploy_order() {
        let selection = Selection {
            setup: true,
            environments: vec!["Prod".into(), "Dev".into()],
        };
        let steps = bundle().steps(&selection).expect("steps");
        assert_eq!(
            names(&steps),
            [
                "Bootstrap",
                "DevPipeline",
                "DevStorage",
                "DevNetwork",
                "ProdStorage"
            ]
        );
        assert_eq!(
            steps[1].role_arn.as_deref(),
            Some("arn:aws:iam::1:role/update")
        );
        assert_eq!(
            steps[1].parameters["RegionalArtifactKeyArn"].output,
            "ArtifactKeyArn"
        );
    }

    #[test]
    fn an_unknown_environment_is_refused_with_the_closest_name() {
        let selection = Selection {
            setup: false,
            environments: vec!["Deb".into()],
        };
        match bundle().steps(&selection) {
            Err(SelectError::NoSuchEnvironment { suggestion, .. }) => {
                assert_eq!(suggestion.as_deref(), Some("Dev"))
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}
