//! Deploys every environment of both example lakes into moto's CloudFormation
//! emulation, in manifest order, and reads back what moto models. The work is
//! in tests/deploy/moto_deploy.py; this test compiles the lakes and runs it.

mod common;

use std::path::Path;
use std::process::Command;

use dlc::codegen::fixtures;

const INSTALL: &str = "pip install 'moto[server]' boto3";

fn require_moto() {
    let python = Command::new("python3")
        .args([
            "-c",
            "import boto3, moto, shutil; assert shutil.which('moto_server')",
        ])
        .output();
    match python {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "python3 lacks boto3, moto or moto_server: run `{INSTALL}`\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!("python3 is not available ({e}): install it, then `{INSTALL}`"),
    }
}

#[test]
fn every_environment_deploys_into_moto() {
    require_moto();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/deploy/moto_deploy.py");
    for (example, lake) in fixtures::examples() {
        let dir = common::scratch_dir(&format!("moto/{example}"));
        common::write(&common::compile(example, &lake), &dir);
        let out = Command::new("python3")
            .arg(&script)
            .arg(&dir)
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
