//! Helpers shared by the codegen tests: compile the example lakes and write
//! their output to a fresh folder.

#![allow(dead_code)]

pub mod resolve;

use std::path::{Path, PathBuf};

pub mod fixtures;
pub mod lsp;
pub mod node;

use dlc::codegen::{self, Output};

/// Every `.dl` file under tests/ui, the cases and the helpers they import,
/// sorted.
pub fn ui_files_and_helpers() -> Vec<PathBuf> {
    fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("tests/ui exists") {
            let path = entry.expect("readable entry").path();
            if path.is_dir() {
                collect(&path, files);
            } else if path.extension().is_some_and(|e| e == "dl") {
                files.push(path);
            }
        }
    }
    let mut files = Vec::new();
    collect(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui"),
        &mut files,
    );
    files.sort();
    files
}

/// Files named `*.import.dl` are imported by a ui case, not cases themselves.
pub fn is_ui_helper(path: &Path) -> bool {
    path.to_string_lossy().ends_with(".import.dl")
}

/// Every ui case's root file: each `.dl` file under tests/ui but the
/// `*.import.dl` files the cases import, sorted.
pub fn ui_cases() -> Vec<PathBuf> {
    ui_files_and_helpers()
        .into_iter()
        .filter(|path| !is_ui_helper(path))
        .collect()
}

/// Compiles one example lake (all environments).
pub fn compile(example: &'static str, lake: &dlc::model::Lake) -> Output {
    let locate = fixtures::locate_in(example);
    codegen::compile(lake, None, &locate).expect("the example compiles")
}

/// Writes every file of `output` under `dir`.
pub fn write(output: &Output, dir: &Path) {
    for file in &output.files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &file.contents).unwrap();
    }
}

/// A fresh, empty folder under the target directory's tmp folder, named after the test.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The seed lake reading its repository with an OAuth token kept in Secrets
/// Manager (the `GitHub` source), started by a webhook.
pub fn seed_with_token() -> dlc::model::Lake {
    let mut lake = fixtures::seed();
    let span = lake.source.span();
    lake.source = dlc::model::Source::GitHub {
        repository: "aws-samples/aws-cdk-pipelines-datalake-infrastructure".into(),
        token_secret: "/DataLake/GitHubToken".into(),
        span,
        field_spans: Default::default(),
    };
    lake
}

/// The seed lake reading a CodeCommit repository, with the lake file in a
/// folder of it, and Prod deployed by hand (no branch).
pub fn seed_with_codecommit() -> dlc::model::Lake {
    let mut lake = fixtures::seed();
    let span = lake.source.span();
    lake.source = dlc::model::Source::CodeCommit {
        repository: "datalake-infrastructure".into(),
        span,
        field_spans: Default::default(),
    };
    lake.build.lake_file = "infra/lake.dl".into();
    lake.environments.get_mut("Prod").unwrap().branch = None;
    lake
}

/// A Python tool of tests/requirements.txt (`python3`, `cfn-lint`, ...) or
/// of tests/requirements-checkov.txt (`checkov`): the one in the
/// repository's `.venv` or `.venv-checkov`, which tests/run-all.sh installs,
/// when it is there; otherwise whatever PATH finds.
pub fn python_tool(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [".venv", ".venv-checkov"]
        .iter()
        .map(|venv| root.join(venv).join("bin").join(name))
        .find(|path| path.is_file())
        .unwrap_or_else(|| PathBuf::from(name))
}

/// How to install the Python tools, for messages of tests that need them.
pub const PYTHON_TOOLS_INSTALL: &str = "run `bash tests/run-all.sh` once (it installs \
     tests/requirements.txt into .venv), or `pip install -r tests/requirements.txt`";

/// The seed lake with Prod in us-west-2: its pipeline, in us-east-2 with the
/// others, deploys across regions.
pub fn seed_with_prod_elsewhere() -> dlc::model::Lake {
    let mut lake = fixtures::seed();
    let prod = lake.environments.get_mut("Prod").unwrap();
    prod.region = dlc::model::Region {
        name: "us-west-2".into(),
        availability_zones: ["us-west-2a", "us-west-2b", "us-west-2c"]
            .map(String::from)
            .to_vec(),
    };
    lake
}

/// cfn-lint, after making sure it runs: a test that needs it fails with how
/// to install it, never skips.
pub fn cfn_lint() -> PathBuf {
    let cfn_lint = python_tool("cfn-lint");
    match std::process::Command::new(&cfn_lint)
        .arg("--version")
        .output()
    {
        Ok(out) if out.status.success() => cfn_lint,
        _ => panic!("cfn-lint is not installed: {PYTHON_TOOLS_INSTALL}"),
    }
}
