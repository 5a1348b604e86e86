//! Deploys the bootstrap and pipeline stacks, then every environment, of both
//! example lakes (and of the seed with its other sources) into moto's
//! CloudFormation emulation, in manifest order; creates each pipeline from its
//! declaration, filled by `dlc pipeline-declaration`, with CodePipeline's API; and reads back what moto models. The
//! work is in tests/deploy/moto_deploy.py; this test compiles the lakes and
//! runs it.

mod common;

use std::path::Path;
use std::process::Command;

use common::fixtures;

fn require_moto() {
    let python = Command::new(common::python_tool("python3"))
        .args(["-c", "import boto3, moto.server"])
        .output();
    match python {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "python3 lacks boto3 or moto's server: {}\n{}",
            common::PYTHON_TOOLS_INSTALL,
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!(
            "python3 is not available ({e}): install it, then {}",
            common::PYTHON_TOOLS_INSTALL
        ),
    }
}

#[test]
fn every_environment_deploys_into_moto() {
    require_moto();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/deploy/moto_deploy.py");
    let mut lakes = fixtures::examples();
    // The seed's other sources: a pipeline started by a GitHub webhook, and
    // one started by an EventBridge rule.
    lakes.push(("seed-token", common::seed_with_token()));
    lakes.push(("seed-codecommit", common::seed_with_codecommit()));
    // Prod in another region than its pipeline: an artifact store there.
    lakes.push(("seed-prod-elsewhere", common::seed_with_prod_elsewhere()));
    for (example, lake) in lakes {
        let dir = common::scratch_dir(&format!("moto/{example}"));
        let spans = if example.starts_with("seed") {
            "seed"
        } else {
            example
        };
        common::write(&common::compile(spans, &lake), &dir);
        let out = Command::new(common::python_tool("python3"))
            .arg(&script)
            .arg(&dir)
            .args(["--dlc", env!("CARGO_BIN_EXE_dlc")])
            .output()
            .expect("python3 runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "{example}: the deploy into moto failed\n{stdout}\n{stderr}"
        );
        println!("{example}:\n{stdout}");
    }
}
