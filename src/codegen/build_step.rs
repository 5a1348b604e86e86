//! The `Build` stage's CodeBuild project: its buildspec.
//!
//! The lake's repository commits `out/` (at its root), and the pipeline
//! deploys those committed files: the files a person compiled and reviewed,
//! written by the dlc their pre-commit hook pins. By default the build needs
//! no dlc at all, so it downloads nothing and compiles nothing: it checks
//! that every file the later stages read is in `out/` and hands `out/` on.
//! A lake that sets `build.install` gets that dlc installed, and the build
//! proves with `dlc compile --check` that `out/` is what the lake compiles to.

use super::json::pretty;
use super::value::{json, Object};

use super::pipeline::{Pipeline, Val, BUILD_ARTIFACT};
use crate::concat::concat_string;
use crate::model::Lake;

/// The folder of the compiled output, from the repository's root.
pub const OUT_DIR: &str = "out";

/// The buildspec (JSON is YAML) of `pipeline`'s build project.
pub fn buildspec(lake: &Lake, pipeline: &Pipeline) -> String {
    let file = &lake.build.lake_file;
    let recompile = concat_string!("dlc compile ", file, " -o ", OUT_DIR);
    let mut phases = Object::new();
    let build = match &lake.build.install {
        None => {
            let paths = artifact_paths(pipeline).join(" ");
            vec![concat_string!(
                "for f in ",
                paths,
                "; do [ -f \"",
                OUT_DIR,
                "/$f\" ] || { echo \"",
                OUT_DIR,
                "/$f is not committed: run '",
                recompile,
                "' and commit ",
                OUT_DIR,
                "/\" >&2; exit 1; }; done"
            )]
        }
        Some(install) => {
            phases.insert("install", json!({ "commands": [install] }));
            vec![
                "dlc --version".to_string(),
                concat_string!("dlc compile --check ", file, " -o ", OUT_DIR),
            ]
        }
    };
    phases.insert("build", json!({ "commands": build }));
    let spec = json!({
        "version": "0.2",
        "phases": phases,
        "artifacts": { "base-directory": OUT_DIR, "files": ["**/*"] },
    });
    // The buildspec is a string of the template: without the newline that
    // ends a file.
    let mut text = pretty(&spec);
    text.pop();
    text
}

/// What the build project does, for its `Description`.
pub fn description(lake: &Lake, environment: &str) -> String {
    let file = &lake.build.lake_file;
    match lake.build.install {
        None => concat_string!(
            "Hands the committed ",
            OUT_DIR,
            "/ of ",
            file,
            " to the ",
            environment,
            " pipeline"
        ),
        Some(_) => concat_string!(
            "Checks that the committed ",
            OUT_DIR,
            "/ is what ",
            file,
            " compiles to, for the ",
            environment,
            " pipeline"
        ),
    }
}

/// The files of the `Build` artifact that the pipeline's actions read, in
/// the order they first appear.
pub fn artifact_paths(pipeline: &Pipeline) -> Vec<String> {
    let prefix = concat_string!(BUILD_ARTIFACT, "::");
    let mut paths: Vec<String> = Vec::new();
    for action in pipeline.stages.iter().flat_map(|s| &s.actions) {
        for (key, value) in &action.configuration {
            if let (&"TemplatePath", Val::Text(path)) = (key, value) {
                if let Some(path) = path.strip_prefix(&prefix) {
                    if !paths.iter().any(|p| p == path) {
                        paths.push(path.to_string());
                    }
                }
            }
        }
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;
    // The tests read the written text back as `serde_json` values.
    use crate::codegen::fixtures;
    use serde_json::json;

    fn seed_pipeline(lake: &Lake) -> Pipeline {
        let env = &lake.environments["Dev"];
        let stacks = crate::codegen::environment_stacks(lake, env).unwrap();
        let names = crate::model::naming::PipelineNames::new(lake, env);
        crate::codegen::pipeline::build(lake, env, &names, &stacks).unwrap()
    }

    #[test]
    fn the_default_build_downloads_nothing_and_needs_no_dlc() {
        let lake = fixtures::seed();
        let spec: serde_json::Value =
            serde_json::from_str(&buildspec(&lake, &seed_pipeline(&lake))).unwrap();
        assert!(spec["phases"].get("install").is_none());
        let commands = spec["phases"]["build"]["commands"].to_string();
        for absent in ["curl", "wget", "cargo", "dlc --version", "| sh"] {
            assert!(!commands.contains(absent), "{absent} in {commands}");
        }
        assert!(commands.contains(
            "for f in pipelines/Dev.template.json Dev/Storage.template.json Dev/Network.template.json; do"
        ));
        assert_eq!(spec["artifacts"]["base-directory"], "out");
    }

    #[test]
    fn an_install_runs_the_check_with_the_installed_dlc() {
        let mut lake = fixtures::seed();
        lake.build.install = Some("pip install dlc==1.2.3".into());
        let spec: serde_json::Value =
            serde_json::from_str(&buildspec(&lake, &seed_pipeline(&lake))).unwrap();
        assert_eq!(
            spec["phases"]["install"]["commands"],
            json!(["pip install dlc==1.2.3"])
        );
        assert_eq!(
            spec["phases"]["build"]["commands"],
            json!(["dlc --version", "dlc compile --check lake.dl -o out"])
        );
    }
}
