//! Helpers shared by the codegen tests: compile the example lakes and write
//! their output to a fresh folder.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use dlc::codegen::{self, fixtures, Output};

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

/// The seed lake reading its repository through a CodeStar connection.
pub fn seed_with_connection() -> dlc::model::Lake {
    let mut lake = fixtures::seed();
    let span = lake.source.span();
    lake.source = dlc::model::Source::GitHubConnection {
        repository: "aws-samples/aws-cdk-pipelines-datalake-infrastructure".into(),
        connection: "arn:aws:codestar-connections:us-east-2:111111111111:connection/8d0f5c3e-1a2b-4c5d-9e8f-0a1b2c3d4e5f".into(),
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

/// A Python tool of tests/requirements.txt (`python3`, `cfn-lint`, ...): the
/// one in the repository's `.venv`, which tests/run-all.sh installs, when it
/// is there; otherwise whatever PATH finds.
pub fn python_tool(name: &str) -> PathBuf {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".venv/bin")
        .join(name);
    if venv.is_file() {
        venv
    } else {
        PathBuf::from(name)
    }
}

/// How to install the Python tools, for messages of tests that need them.
pub const PYTHON_TOOLS_INSTALL: &str = "run `bash tests/run-all.sh` once (it installs \
     tests/requirements.txt into .venv), or `pip install -r tests/requirements.txt`";
