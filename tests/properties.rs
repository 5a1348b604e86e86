//! The contract between `dlc check` and `dlc compile`, over random lakes
//! (tests/random_lake): a lake that checks without errors compiles, and every
//! template it compiles to is within CloudFormation's quotas: at most 1 MB,
//! 500 resources, 200 outputs and 200 parameters, and at most 51,200 bytes
//! for a stack deployed by hand unless the check warned about it (DL0395).
//! A few templates per run also go through cfn-lint.
//!
//! `DLC_PROPERTY_CASES=5000` runs more lakes; `DLC_PROPERTY_SEED=<n>` starts
//! from another seed. A failure prints each failing lake's seed (rerun it
//! alone with `DLC_PROPERTY_SEED=<seed> DLC_PROPERTY_CASES=1`) and files.

mod common;
mod random_lake;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use dlc::diagnostic::Code;
use dlc::driver::check_bytes;
use dlc::host::FsLoader;
use random_lake::{quotas, SplitMix, Trigger};

/// Enough lakes to cover every choice of the generator in a few seconds of
/// a debug build.
const CASES: u64 = 150;
const SEED: u64 = 0x00D1_CE5E_ED00;
/// Templates linted per run: cfn-lint takes seconds to start.
const LINTED: usize = 8;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| {
            let v = v.trim();
            match v.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16).ok(),
                None => v.parse().ok(),
            }
        })
        .unwrap_or(default)
}

/// A lake that broke the property.
struct Failure {
    seed: u64,
    problems: Vec<String>,
    lake: random_lake::Lake,
}

/// What one case left for cfn-lint: (region, path of a template written to disk).
type Lintable = Vec<(String, PathBuf)>;

/// What one lake gave.
#[derive(Default)]
struct Verified {
    problems: Vec<String>,
    lintable: Lintable,
    /// The codes of the errors that rejected it; empty if it checked clean.
    rejected_by: Vec<Code>,
}

/// Writes the lake's files to `dir`, checks it and, if clean, compiles it
/// and measures every template. Returns the problems found.
fn verify(dir: &Path, files: &[(String, String)]) -> Verified {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("writable scratch folder");
    }
    let root = dir.join(&files[0].0);
    let bytes = files[0].1.clone().into_bytes();
    let checked = check_bytes("lake.dl", &root, bytes, &mut FsLoader);
    let mut problems = Vec::new();
    if let Some(error) = &checked.internal_error {
        problems.push(format!("check: internal error: {error}"));
    }
    if checked.has_errors() {
        let rejected_by = checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.code)
            .collect();
        return Verified {
            problems,
            rejected_by,
            ..Verified::default()
        };
    }
    let Some(model) = &checked.model else {
        problems.push("check reported no error but built no model".into());
        return Verified {
            problems,
            ..Verified::default()
        };
    };
    let locate = dlc::codegen::locate_in(&checked.sources);
    let output = match dlc::codegen::compile(model, None, &locate) {
        Ok(output) => output,
        Err(errors) => {
            for e in errors {
                problems.push(format!("compile failed on a lake that checks clean: {e}"));
            }
            return Verified {
                problems,
                ..Verified::default()
            };
        }
    };
    problems.extend(quotas::problems(&checked, &output));
    // Every template, with its stack's region, for cfn-lint.
    let manifest = &output.manifest;
    let regions = manifest
        .stacks
        .iter()
        .map(|s| (&s.template, &s.region))
        .chain(manifest.bootstrap.iter().map(|s| (&s.template, &s.region)))
        .chain(
            manifest
                .pipelines
                .iter()
                .map(|p| (&p.stack.template, &p.stack.region)),
        );
    let mut lintable = Vec::new();
    for (template, region) in regions {
        let Some(file) = output.file(template) else {
            problems.push(format!(
                "the manifest names `{template}`, which was not written"
            ));
            continue;
        };
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().expect("a template is in a folder"))
            .expect("writable scratch folder");
        std::fs::write(&path, &file.contents).expect("writable scratch folder");
        lintable.push((region.clone(), path));
    }
    Verified {
        problems,
        lintable,
        rejected_by: Vec::new(),
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("writable target folder");
    dir
}

#[test]
fn a_lake_that_checks_clean_compiles_within_cloudformation_quotas() {
    let cases = env_number("DLC_PROPERTY_CASES", CASES);
    let first = env_number("DLC_PROPERTY_SEED", SEED);
    let mut failures = Vec::new();
    let mut clean = 0;
    // (seed, region, template path)
    let mut sampled: Vec<(u64, String, PathBuf)> = Vec::new();
    let mut triggered: BTreeMap<Trigger, usize> = BTreeMap::new();
    let mut rejections: BTreeMap<&str, usize> = BTreeMap::new();
    for seed in first..first.saturating_add(cases) {
        let lake = random_lake::lake(&mut SplitMix(seed));
        for t in &lake.triggers {
            *triggered.entry(*t).or_default() += 1;
        }
        let dir = scratch(&format!("properties/{seed}"));
        let Verified {
            problems,
            lintable,
            rejected_by,
        } = verify(&dir, &lake.files);
        clean += usize::from(rejected_by.is_empty());
        for code in rejected_by {
            *rejections.entry(code.as_str()).or_default() += 1;
        }
        // One template from each clean lake, kinds taken in turn, until enough.
        if sampled.len() < LINTED && !lintable.is_empty() {
            let (region, path) = lintable[sampled.len() % lintable.len()].clone();
            sampled.push((seed, region, path));
        } else if problems.is_empty() && cases > 1 {
            let _ = std::fs::remove_dir_all(&dir);
        }
        if cases == 1 {
            eprintln!(
                "seed {seed:#x}: the lake and its output are in {}",
                dir.display()
            );
        }
        if !problems.is_empty() {
            failures.push(Failure {
                seed,
                problems,
                lake,
            });
        }
    }
    eprintln!(
        "{cases} lakes from seed {first:#x}: {clean} checked clean; triggers {triggered:?}; errors that rejected the others {rejections:?}"
    );
    // The property is vacuous if the generator rarely makes a clean lake.
    assert!(
        clean * 3 >= cases as usize,
        "only {clean} of {cases} lakes checked clean: the generator needs fixing"
    );

    eprintln!("cfn-lint over {} sampled templates", sampled.len());
    // cfn-lint's findings belong to the lake their template came from.
    let regions: Lintable = sampled
        .iter()
        .map(|(_, r, p)| (r.clone(), p.clone()))
        .collect();
    for line in lint(&regions).lines() {
        let seed = sampled
            .iter()
            .find(|(_, _, path)| line.starts_with(&*path.to_string_lossy()))
            .map(|(seed, _, _)| *seed);
        let problem = format!("cfn-lint: {line}");
        match seed.and_then(|s| failures.iter_mut().find(|f| f.seed == s)) {
            Some(failure) => failure.problems.push(problem),
            None => failures.push(Failure {
                seed: seed.unwrap_or(first),
                problems: vec![problem],
                lake: random_lake::lake(&mut SplitMix(seed.unwrap_or(first))),
            }),
        }
    }
    let mut report = String::new();
    for f in &failures {
        report.push_str(&format!(
            "\n=== seed {:#x} (rerun: DLC_PROPERTY_SEED={:#x} DLC_PROPERTY_CASES=1), triggers {:?}\n{}\n{}",
            f.seed,
            f.seed,
            f.lake.triggers,
            f.problems.join("\n"),
            f.lake
        ));
    }
    assert!(report.is_empty(), "{report}");
}

/// cfn-lint over the sampled templates, each region's together: its findings.
fn lint(templates: &Lintable) -> String {
    let cfn_lint = common::cfn_lint();
    let mut by_region: BTreeMap<&str, Vec<&Path>> = BTreeMap::new();
    for (region, path) in templates {
        by_region.entry(region).or_default().push(path);
    }
    let mut findings = String::new();
    for (region, paths) in by_region {
        let out = Command::new(&cfn_lint)
            .args(["--format", "parseable", "--regions", region, "--"])
            .args(&paths)
            .output()
            .expect("cfn-lint runs");
        // Exit status bits: 2 errors, 4 warnings, 8 informational; 1 a crash.
        let code = out.status.code().unwrap_or(1);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if code & 0b111 != 0 || !stderr.trim().is_empty() {
            // One finding a line, each starting with its template's path.
            findings.push_str(&String::from_utf8_lossy(&out.stdout));
            if !stderr.trim().is_empty() || code & 1 != 0 {
                findings.push_str(&format!(
                    "cfn-lint failed in {region} (exit {code}): {stderr}\n"
                ));
            }
        }
    }
    findings
}

/// The seed lake with six more environments that have a branch: nine
/// pipelines put the deployment account's bootstrap over 51,200 bytes, and
/// the check says to deploy it through S3.
#[test]
fn the_seed_lake_with_six_more_pipelines_fits_or_is_told_what_to_do() {
    let seed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("lang-examples/seed/lake.dl"),
    )
    .expect("the seed lake");
    let mut text = seed;
    for i in 1..=6 {
        text.push_str(&format!(
            "\nenv Extra{i} extends Dev {{\n    account = \"55555555555{i}\"\n    network = {{ cidr = 10.3{i}.0.0/24 }}\n    branch = \"extra-{i}\"\n}}\n"
        ));
    }
    let dir = scratch("properties/seed-plus-six");
    let verified = verify(&dir, &[("lake.dl".into(), text)]);
    assert!(
        verified.rejected_by.is_empty(),
        "{:?}",
        verified.rejected_by
    );
    assert!(
        verified.problems.is_empty(),
        "{}",
        verified.problems.join("\n")
    );
}

/// The fuzz target checks the generated files from memory: the same lake
/// must give the same diagnostics there as from disk.
#[test]
fn a_generated_lake_checks_the_same_from_memory_and_from_disk() {
    for seed in SEED..SEED + 40 {
        let lake = random_lake::lake(&mut SplitMix(seed));
        let dir = scratch(&format!("properties/memory-{seed}"));
        for (name, text) in &lake.files {
            std::fs::write(dir.join(name), text).expect("writable scratch folder");
        }
        let root = dir.join(&lake.files[0].0);
        let from_disk = check_bytes(
            "lake.dl",
            &root,
            lake.root().as_bytes().to_vec(),
            &mut FsLoader,
        );
        let from_memory = lake.check_in_memory();
        let codes = |c: &dlc::driver::Checked| -> Vec<(Code, String)> {
            c.diagnostics
                .iter()
                .map(|d| (d.code, d.message.clone()))
                .collect()
        };
        assert_eq!(
            codes(&from_disk),
            codes(&from_memory),
            "seed {seed:#x}\n{lake}"
        );
        assert_eq!(from_disk.model.is_some(), from_memory.model.is_some());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// `dlc diff` of any lake with itself reports nothing, also when one side
/// is laid out anew by `dlc fmt` (every line moves, no value changes): the
/// plan compares what was compiled, never where it was written.
#[test]
fn a_diff_of_a_lake_with_itself_is_empty() {
    let cases = env_number("DLC_PROPERTY_CASES", CASES);
    let first = env_number("DLC_PROPERTY_SEED", SEED);
    let mut compared = 0;
    for seed in first..first.saturating_add(cases) {
        let lake = random_lake::lake(&mut SplitMix(seed));
        let checked = lake.check_in_memory();
        let Some(model) = &checked.model else {
            continue;
        };
        let mut sources = dlc::source::SourceMap::new();
        let file = sources.add("lake.dl", lake.root().to_string());
        let formatted = dlc::fmt::format_source(file, lake.root()).expect("a clean lake formats");
        let mut files = lake.files.clone();
        files[0].1 = formatted;
        let relaid = random_lake::Lake {
            files,
            triggers: Vec::new(),
        }
        .check_in_memory();
        let relaid_model = relaid
            .model
            .as_ref()
            .expect("the formatted lake checks clean");
        let side = |checked, lake| dlc::diff::Side {
            checked,
            lake,
            project: Path::new("/lake"),
        };
        for (old, new) in [
            (side(&checked, model), side(&checked, model)),
            (side(&checked, model), side(&relaid, relaid_model)),
        ] {
            let report = dlc::diff::compare(&old, &new).expect("a clean lake compiles");
            assert!(
                report.environments.is_empty() && report.outcome == dlc::diff::Outcome::Unchanged,
                "seed {seed:#x}: a diff with itself is not empty:\n{}\n{lake}",
                dlc::diff::render::json(&report)
            );
        }
        compared += 1;
    }
    assert!(
        compared * 3 >= cases as usize,
        "only {compared} clean lakes"
    );
}
