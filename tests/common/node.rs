//! Node's own test runner, for the editors' JavaScript tests.

use std::io::ErrorKind;
use std::path::Path;
use std::process::{Command, Output};

/// Runs `node --test` on one file (an explicit file: Node 21 and later no
/// longer search a directory argument for tests) from the package root.
/// Fails, never skips, when node is missing, saying how to install it and
/// the npm packages of `npm_prefix` the test needs.
pub fn run_test(file: &str, npm_prefix: &str) -> Output {
    let output = Command::new("node")
        .args(["--test", "--test-reporter=spec", file])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .output();
    match output {
        Ok(output) => output,
        Err(e) if e.kind() == ErrorKind::NotFound => panic!(
            "`node` is not on PATH: install Node.js 18 or later (Debian: apt-get install nodejs npm), \
             then run `npm ci --prefix {npm_prefix}`"
        ),
        Err(e) => panic!("cannot run node: {e}"),
    }
}
