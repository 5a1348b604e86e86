//! Snapshots of every file codegen emits for the two example lakes, and
//! determinism.

mod common;

use common::fixtures;

#[test]
fn every_emitted_file_matches_its_snapshot() {
    for (example, lake) in fixtures::examples() {
        let output = common::compile(example, &lake);
        for file in &output.files {
            let name = format!("{example}__{}", file.path.replace('/', "__"));
            insta::assert_snapshot!(name, file.contents);
        }
    }
}

#[test]
fn compiling_twice_gives_identical_bytes() {
    for (example, lake) in fixtures::examples() {
        let first = common::compile(example, &lake);
        let second = common::compile(
            example,
            &fixtures::examples()
                .into_iter()
                .find(|(e, _)| *e == example)
                .unwrap()
                .1,
        );
        assert_eq!(first.files, second.files, "{example}");
    }
}

#[test]
fn one_environment_compiles_alone() {
    let lake = fixtures::last_mile_health();
    let locate = fixtures::locate_in("last-mile-health");
    let output = dlc::codegen::compile(&lake, Some("Test"), &locate).unwrap();
    let paths: Vec<&str> = output.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "Test/Network.template.json",
            "Test/Storage.template.json",
            "Test/Warehouse.template.json",
            "bootstrap/LastMileHealth.template.json",
            "bootstrap/Test.template.json",
            "pipelines/Test.template.json",
            "pipelines/Test.pipeline.json",
            "manifest.json"
        ]
    );
    // Every file but the manifest is the one a whole compile writes: the
    // deployment account's bootstrap still serves every pipeline.
    let all = common::compile("last-mile-health", &lake);
    for file in &output.files[..paths.len() - 1] {
        assert_eq!(Some(file), all.file(&file.path), "{}", file.path);
    }
    let err = dlc::codegen::compile(&lake, Some("Staging"), &locate).unwrap_err();
    assert_eq!(
        err[0].message,
        "the lake has no environment `Staging`; it has Dev, Test, Prod"
    );
}

#[test]
#[ignore = "writes the examples' output to target/tmp/examples for reading"]
fn write_examples() {
    for (example, lake) in fixtures::examples() {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("examples")
            .join(example);
        let _ = std::fs::remove_dir_all(&dir);
        common::write(&common::compile(example, &lake), &dir);
    }
}
