//! Every shipped lake and stdlib module checks clean, and no input makes the
//! checker panic: every prefix of the seed lake is checked.

use std::path::{Path, PathBuf};

use dlc::driver::check_source;
use dlc::host::FsLoader;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn dl_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("directory exists") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            dl_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "dl") {
            out.push(path);
        }
    }
}

#[test]
fn every_lang_example_and_stdlib_module_checks_clean() {
    let mut files = Vec::new();
    dl_files(&root().join("lang-examples"), &mut files);
    dl_files(&root().join("stdlib"), &mut files);
    assert!(
        files.len() >= 10,
        "expected the examples and stdlib, found {files:?}"
    );
    for path in files {
        let text = std::fs::read_to_string(&path).expect("UTF-8");
        let checked = check_source(&path.to_string_lossy(), &path, text, &mut FsLoader);
        let problems: Vec<String> = checked
            .diagnostics
            .iter()
            .map(|d| format!("{}: {}", d.code.as_str(), d.message))
            .collect();
        assert!(problems.is_empty(), "{}: {problems:#?}", path.display());
        assert!(
            checked.internal_error.is_none(),
            "{}: {:?}",
            path.display(),
            checked.internal_error
        );
    }
}

#[test]
fn the_example_lakes_build_a_model() {
    for lake in ["seed", "last-mile-health"] {
        let path = root().join("lang-examples").join(lake).join("lake.dl");
        let text = std::fs::read_to_string(&path).expect("UTF-8");
        let checked = check_source("lake.dl", &path, text, &mut FsLoader);
        let model = checked.model.expect("a checked model");
        let names: Vec<&str> = model.environments.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            ["Dev", "Test", "Prod"],
            "{lake}: environments in source order"
        );
    }
}

#[test]
fn the_seed_model_has_the_seed_values() {
    let path = root().join("lang-examples/seed/lake.dl");
    let text = std::fs::read_to_string(&path).expect("UTF-8");
    let model = check_source("lake.dl", &path, text, &mut FsLoader)
        .model
        .expect("a checked model");
    assert_eq!(model.logical_id_prefix, "DataLakeCDKBlog");
    assert_eq!(model.resource_prefix, "cdkblog-e2e");
    assert_eq!(model.deployment_account, "111111111111");
    let prod = &model.environments["Prod"];
    // Prod extends Test extends Dev: inherited, overridden and defaulted fields.
    assert_eq!(prod.account, "444444444444");
    assert_eq!(prod.region.name, "us-east-2");
    assert_eq!(
        prod.region.availability_zones,
        ["us-east-2a", "us-east-2b", "us-east-2c"]
    );
    assert_eq!(prod.network.cidr.to_string(), "10.0.0.0/24");
    assert_eq!(prod.network.availability_zones, 3);
    assert_eq!(prod.branch.as_deref(), Some("prod"));
    assert!(prod.approval);
    assert_eq!(prod.retention, dlc::model::Retention::Retain);
    let zones: Vec<&str> = prod.zones.iter().map(|z| z.name.as_str()).collect();
    assert_eq!(zones, ["raw", "conformed", "purpose-built"]);
    let lifecycle = prod.zones[0].lifecycle.as_ref().expect("Prod lifecycle");
    assert_eq!(
        lifecycle.expire_after.and_then(|d| d.whole_days()),
        Some(2555)
    );
    assert_eq!(lifecycle.transitions[0].after.whole_days(), Some(365));
    let dev = &model.environments["Dev"];
    assert_eq!(dev.retention, dlc::model::Retention::Destroy);
    assert!(!dev.approval);
    let dev_lifecycle = dev.zones[0].lifecycle.as_ref().expect("Dev lifecycle");
    assert_eq!(
        dev_lifecycle.expire_after.and_then(|d| d.whole_days()),
        Some(60)
    );
    assert_eq!(
        dev_lifecycle
            .noncurrent_expire_after
            .and_then(|d| d.whole_days()),
        Some(30)
    );
}

/// The seed lake cut at every byte: each prefix is checked without a panic,
/// and every prefix that is not a complete lake reports a coded error.
#[test]
fn no_prefix_of_the_seed_lake_panics() {
    let path = root().join("lang-examples/seed/lake.dl");
    let text = std::fs::read_to_string(&path).expect("UTF-8");
    let mut checked_prefixes = 0;
    for end in 0..=text.len() {
        if !text.is_char_boundary(end) {
            continue;
        }
        let prefix = text[..end].to_string();
        let result = std::panic::catch_unwind(|| {
            check_source("lake.dl", &path, prefix, &mut FsLoader)
                .diagnostics
                .len()
        });
        assert!(result.is_ok(), "panic on the prefix ending at byte {end}");
        checked_prefixes += 1;
    }
    assert!(checked_prefixes > 1000);
}

/// The benchmark generator makes lakes that check clean, or the benchmarks
/// would measure error reporting instead of the compiler.
#[test]
fn synthetic_lakes_check_clean() {
    // 10,000 is the largest lake the benchmarks measure: it must fit the
    // evaluation budget (DL0007), which once stopped at 2,300.
    for envs in [1, 10, 120, 10_000] {
        let text = dlc::synth::lake(envs);
        let path = root().join("synthetic.dl");
        let checked = check_source("synthetic.dl", &path, text, &mut FsLoader);
        let problems: Vec<String> = checked
            .diagnostics
            .iter()
            .map(|d| format!("{}: {}", d.code.as_str(), d.message))
            .collect();
        assert!(problems.is_empty(), "{envs} environments: {problems:#?}");
        assert_eq!(checked.model.expect("model").environments.len(), envs);
    }
}

/// Formatting never changes meaning: the checked lake is the same before and
/// after `dlc fmt`, for every example.
#[test]
fn formatting_keeps_the_checked_model() {
    let mut files = Vec::new();
    dl_files(&root().join("lang-examples"), &mut files);
    for path in files {
        let text = std::fs::read_to_string(&path).expect("UTF-8");
        let messy: String = text
            .lines()
            .map(|l| format!("{}\t\n", l.trim_start()))
            .collect();
        let formatted = dlc::fmt::format_source(dlc::source::FileId(0), &messy).expect("formats");
        let before = check_source("lake.dl", &path, text, &mut FsLoader);
        let after = check_source("lake.dl", &path, formatted, &mut FsLoader);
        assert_eq!(
            before.evaluated.to_json(),
            after.evaluated.to_json(),
            "{}",
            path.display()
        );
        assert_eq!(before.model.is_some(), after.model.is_some());
    }
}
