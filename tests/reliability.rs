//! Output that can be trusted: a compile killed mid-write leaves the old
//! output or the new one, never a mix; the same lake always gives the same
//! bytes, whatever the order of its imports.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn dlc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_dlc"))
}

/// Every file under `dir` with its bytes, sorted.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("readable");
                files.push((path.strip_prefix(dir).expect("inside").to_path_buf(), bytes));
            }
        }
    }
    files.sort();
    files
}

fn compile(lake: &Path, out: &Path) {
    let status = dlc()
        .args([
            "compile",
            lake.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .status()
        .expect("dlc runs");
    assert!(status.success());
}

/// Kills compiles of a large lake at increasing moments and checks, each
/// time, that `out/` holds exactly the old set or exactly the new one.
#[test]
fn a_compile_killed_mid_write_leaves_the_old_output_or_the_new() {
    let dir = tempfile::tempdir().unwrap();
    let old_lake = dir.path().join("old.dl");
    let new_lake = dir.path().join("new.dl");
    std::fs::write(&old_lake, dlc::synth::lake(40)).unwrap();
    // A different lake: 300 environments, so the write takes a while.
    std::fs::write(&new_lake, dlc::synth::lake(300)).unwrap();
    let (old_ref, new_ref, out) = (
        dir.path().join("old-ref"),
        dir.path().join("new-ref"),
        dir.path().join("out"),
    );
    compile(&old_lake, &old_ref);
    let started = Instant::now();
    compile(&new_lake, &new_ref);
    // Kill times are spread over the length of a whole compile, and past it.
    let full = started.elapsed();
    let (old, new) = (tree(&old_ref), tree(&new_ref));
    assert_ne!(old, new);

    let mut saw_old = false;
    for attempt in 0..12u64 {
        let _ = std::fs::remove_dir_all(&out);
        compile(&old_lake, &out);
        let mut child = dlc()
            .args([
                "compile",
                new_lake.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("dlc runs");
        // From "before it read the lake" to "after it finished".
        let deadline = Instant::now() + full.mul_f64(attempt as f64 / 4.0);
        while Instant::now() < deadline && child.try_wait().expect("wait").is_none() {
            std::thread::sleep(Duration::from_millis(1));
        }
        let _ = child.kill();
        let _ = child.wait();
        let now = tree(&out);
        if now == old {
            saw_old = true;
        } else if now != new {
            panic!("attempt {attempt}: out/ is neither the old nor the new output");
        }
        // A killed compile leaves its staging folder; never anything in out/.
        for entry in std::fs::read_dir(dir.path()).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.starts_with(".dlc-staging-") {
                std::fs::remove_dir_all(dir.path().join(&name)).unwrap();
            }
        }
    }
    // Early kills must have landed before the swap, or the test proves little.
    // (Late ones usually find the new output; a loaded machine may not get there.)
    assert!(saw_old, "no kill landed before the compile finished");
}

/// A lake whose imports come in another order compiles to the same bytes
/// (imports here hold only `let`s, whose order means nothing).
#[test]
fn the_order_of_imports_does_not_change_the_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("zones.dl"),
        "let zones: [Zone] = [{ name = \"raw\" }, { name = \"curated\" }]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("rules.dl"),
        "let rules: Lifecycle = { expire_after = 60d }\n",
    )
    .unwrap();
    let body = "lake L {\n    logical_id_prefix = \"L\"\n    resource_prefix = \"l\"\n    deployment_account = \"111111111111\"\n    deployment_region = us-east-2\n    source = CodeCommit { repository = \"l\" }\n}\n\nenv Dev {\n    account = \"222222222222\"\n    region = us-east-2\n    network = { cidr = 10.1.0.0/24 }\n    zones = zones\n    lifecycle = rules\n}\n";
    let a = dir.path().join("a.dl");
    let b = dir.path().join("b.dl");
    std::fs::write(
        &a,
        format!("import \"zones.dl\"\nimport \"rules.dl\"\n\n{body}"),
    )
    .unwrap();
    std::fs::write(
        &b,
        format!("import \"rules.dl\"\nimport \"zones.dl\"\n\n{body}"),
    )
    .unwrap();
    let (out_a, out_b) = (dir.path().join("out-a"), dir.path().join("out-b"));
    compile(&a, &out_a);
    compile(&b, &out_b);
    let normalize = |files: Vec<(PathBuf, Vec<u8>)>| -> Vec<(PathBuf, String)> {
        files
            .into_iter()
            // The manifest names the root file; that is the one difference.
            .map(|(p, bytes)| (p, String::from_utf8(bytes).unwrap().replace("b.dl", "a.dl")))
            .collect()
    };
    assert_eq!(normalize(tree(&out_a)), normalize(tree(&out_b)));
}
