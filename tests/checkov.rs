//! checkov over every template codegen emits for the example lakes: no failed
//! check. A check skipped for one resource is skipped in that resource's
//! `Metadata.checkov.skip`, with its reason; docs/output.md lists them.

mod common;

use std::process::Command;

use serde_json::Value;

use common::fixtures;

const INSTALL: &str = "bash tests/run-all.sh once (it installs tests/requirements-checkov.txt \
     into .venv-checkov, an environment of its own: checkov pins another boto3)";

#[test]
fn every_template_passes_checkov() {
    match Command::new(common::python_tool("checkov"))
        .arg("--version")
        .output()
    {
        Ok(out) if out.status.success() => {}
        _ => panic!("checkov is not installed: run `{INSTALL}`"),
    }
    let mut failures = Vec::new();
    for (example, lake) in fixtures::examples() {
        let dir = common::scratch_dir(&format!("checkov/{example}"));
        common::write(&common::compile(example, &lake), &dir);
        let out = Command::new(common::python_tool("checkov"))
            .args(["--framework", "cloudformation", "--quiet", "--compact"])
            .args(["--output", "json", "--directory"])
            .arg(&dir)
            .output()
            .expect("checkov runs");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{example}: checkov's report is not JSON ({e}):\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let results = &report["results"];
        for failed in results["failed_checks"].as_array().into_iter().flatten() {
            failures.push(format!(
                "{example}: {} {} on {} in {}",
                failed["check_id"].as_str().unwrap_or("?"),
                failed["check_name"].as_str().unwrap_or("?"),
                failed["resource"].as_str().unwrap_or("?"),
                failed["file_path"].as_str().unwrap_or("?"),
            ));
        }
        for skipped in results["skipped_checks"].as_array().into_iter().flatten() {
            let reason = skipped["check_result"]["suppress_comment"]
                .as_str()
                .unwrap_or("");
            assert!(
                reason.len() > 20,
                "{example}: {} is skipped on {} without a reason",
                skipped["check_id"],
                skipped["resource"]
            );
        }
        println!("{example}: {}", report["summary"]);
    }
    assert!(failures.is_empty(), "checkov:\n{}", failures.join("\n"));
}
