//! Test support: the example lakes (`lang-examples/seed`, `lang-examples/
//! last-mile-health`) checked by the real front end, so codegen tests compile
//! exactly what a user's `dlc compile` would. Reads the repository's files,
//! so it is no part of the library: integration tests get it through
//! tests/common, the library's unit tests as `crate::codegen::fixtures`
//! (the same file, by `#[path]`; lib.rs names the crate `dlc` for them).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use dlc::driver::{check_source, Checked};
use dlc::host::FsLoader;
use dlc::model::Lake;
use dlc::source::Span;

fn example_path(example: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("lang-examples")
        .join(example)
        .join("lake.dl")
}

/// Checks an example lake; panics (in a test) if it does not check clean.
pub fn check_example(example: &str) -> Checked {
    let path = example_path(example);
    let text = std::fs::read_to_string(&path).expect("the example exists");
    let name = format!("lang-examples/{example}/lake.dl");
    let checked = check_source(&name, &path, text, &mut FsLoader);
    assert!(
        checked.model.is_some(),
        "{name} does not check clean: {:?}",
        checked.diagnostics
    );
    checked
}

fn model(example: &str) -> Lake {
    check_example(example).model.expect("checked above")
}

pub fn seed() -> Lake {
    model("seed")
}

pub fn last_mile_health() -> Lake {
    model("last-mile-health")
}

/// Both examples, by folder name under `lang-examples/`.
pub fn examples() -> Vec<(&'static str, Lake)> {
    vec![("seed", seed()), ("last-mile-health", last_mile_health())]
}

/// Maps spans of an example to file, line and column, as the driver does.
pub fn locate_in(example: &'static str) -> impl Fn(Span) -> (std::sync::Arc<str>, usize, usize) {
    let checked = check_example(example);
    move |span| dlc::codegen::locate_in(&checked.sources)(span)
}
