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
