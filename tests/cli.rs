//! The `dlc` binary: exit codes, the output formats, colour, explain, and I/O
//! and usage errors as coded diagnostics.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn dlc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dlc"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("dlc runs")
}

fn dlc_with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dlc"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write");
    child.wait_with_output().expect("dlc ends")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

fn seed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("lang-examples/seed/lake.dl")
}

/// A copy of the seed lake with one substitution, in a fresh temp dir.
fn mutated(from: &str, to: &str) -> (tempfile::TempDir, PathBuf) {
    let text = std::fs::read_to_string(seed()).expect("seed");
    assert!(text.contains(from), "the seed lake contains {from:?}");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("lake.dl");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
    (dir, path)
}

fn line_of(path: &Path, needle: &str) -> usize {
    let text = std::fs::read_to_string(path).expect("read");
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle present")
        + 1
}

#[test]
fn a_clean_lake_exits_0_and_prints_nothing() {
    let output = dlc(&["check", seed().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "");
}

#[test]
fn an_error_exits_1_and_a_missing_file_exits_2() {
    let (_dir, path) = mutated("10.20.0.0/24", "10.20.0.0/33");
    assert_eq!(
        dlc(&["check", path.to_str().unwrap()]).status.code(),
        Some(1)
    );
    let missing = dlc(&["check", "/nonexistent/lake.dl"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read"));
    assert_eq!(
        dlc(&["check", "--format", "xml", "x.dl"]).status.code(),
        Some(2)
    );
    assert_eq!(dlc(&["explain", "DL9999"]).status.code(), Some(2));
}

/// The mutations named by the language-core issue, each a coded error on the
/// line of the mutation.
#[test]
fn seed_mutations_give_coded_errors_on_the_right_line() {
    let cases = [
        ("10.20.0.0/24", "10.20.0.0/33", "DL0003"),
        ("\"222222222222\"", "\"22222222222\"", "DL0204"),
        (
            "let home: Region = us-east-2",
            "let home: Region = us-east-7",
            "DL0205",
        ),
        ("branch = \"main\"", "brnch = \"main\"", "DL0201"),
        ("extends Dev", "extends Deev", "DL0101"),
        ("approval = true", "approval = = true", "DL0001"),
    ];
    for (from, to, code) in cases {
        let (_dir, path) = mutated(from, to);
        let output = dlc(&["check", "--format", "short", path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(1), "{to}");
        let line = line_of(&path, to);
        let expected = format!("{}:{line}:", path.display());
        let text = stdout(&output);
        assert!(
            text.lines()
                .any(|l| l.starts_with(&expected) && l.contains(&format!("[{code}]"))),
            "{to}: expected {code} at line {line}, got:\n{text}"
        );
    }
    // Did-you-mean for the region.
    let (_dir, path) = mutated(
        "let home: Region = us-east-2",
        "let home: Region = us-east-7",
    );
    let human = stdout(&dlc(&["check", "--color", "never", path.to_str().unwrap()]));
    assert!(human.contains("did you mean `us-east-1`?"), "{human}");
}

#[test]
fn a_missing_required_field_is_reported_at_its_environment() {
    let (_dir, path) = mutated("    account = \"222222222222\"\n", "");
    let output = dlc(&["check", "--format", "short", path.to_str().unwrap()]);
    let line = line_of(&path, "env Dev {");
    assert!(
        stdout(&output).contains(&format!(
            ":{line}:5: error[DL0202]: `Environment` is missing the required field `account`"
        )),
        "{}",
        stdout(&output)
    );
}

#[test]
fn json_output_is_only_json_with_positions_and_labels() {
    let (_dir, path) = mutated("\"222222222222\"", "\"22222222222\"");
    let output = dlc(&["check", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let document: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(document["version"], 2);
    let diagnostic = &document["diagnostics"][0];
    assert_eq!(diagnostic["code"], "DL0204");
    assert_eq!(diagnostic["severity"], "error");
    assert_eq!(diagnostic["file"], path.to_str().unwrap());
    assert_eq!(diagnostic["line"], line_of(&path, "\"22222222222\"") as u64);
    assert_eq!(diagnostic["column"], 15);
    assert!(diagnostic["message"]
        .as_str()
        .unwrap()
        .contains("exactly 12 digits"));
    let labels = diagnostic["labels"].as_array().expect("labels");
    assert!(labels.len() >= 2);
    assert_eq!(labels[0]["primary"], true);
    assert!(labels.iter().any(|l| l["file"] == "std/aws.dl"));
    let start = diagnostic["start_offset"].as_u64().unwrap() as usize;
    let end = diagnostic["end_offset"].as_u64().unwrap() as usize;
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(&text[start..end], "\"22222222222\"");
}

#[test]
fn an_unreadable_file_is_one_coded_diagnostic_in_a_complete_json_document() {
    let output = dlc(&["check", "--format", "json", "/nonexistent/lake.dl"]);
    assert_eq!(output.status.code(), Some(2));
    let document: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    let diagnostics = document["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diagnostics.len(), 1, "{document}");
    assert_eq!(diagnostics[0]["code"], "DL0901");
    assert_eq!(diagnostics[0]["file"], serde_json::Value::Null);
    assert!(diagnostics[0]["message"]
        .as_str()
        .unwrap()
        .contains("/nonexistent/lake.dl"));
    assert!(output.stderr.is_empty());
}

#[test]
fn usage_errors_are_coded_diagnostics_on_standard_error() {
    let seed = seed();
    let unknown = dlc(&["compile", seed.to_str().unwrap(), "--env", "Prdo"]);
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        stderr.starts_with("error[DL0951]: the lake has no environment `Prdo`"),
        "{stderr}"
    );
    let short = dlc(&["check", "--format", "short", "/nonexistent/lake.dl"]);
    let stderr = String::from_utf8_lossy(&short.stderr);
    assert!(
        stderr.starts_with("dlc: error[DL0901]: cannot read /nonexistent/lake.dl"),
        "{stderr}"
    );
}

#[test]
fn short_output_is_one_line_per_diagnostic() {
    let (_dir, path) = mutated("10.20.0.0/24", "10.20.0.0/33");
    let text = stdout(&dlc(&[
        "check",
        "--format",
        "short",
        path.to_str().unwrap(),
    ]));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(lines[0].ends_with(
        "error[DL0003]: invalid CIDR `10.20.0.0/33`: the prefix length /33 is larger than 32"
    ));
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let (_dir, path) = mutated("10.20.0.0/24", "10.20.0.0/33");
    let path = path.to_str().unwrap();
    let always = stdout(&dlc(&["check", "--color", "always", path]));
    assert!(always.contains("\u{1b}["), "--color always colours");
    let never = stdout(&dlc(&["check", "--color", "never", path]));
    assert!(!never.contains("\u{1b}["));
    // Not a terminal: auto does not colour.
    let auto = stdout(&dlc(&["check", path]));
    assert!(!auto.contains("\u{1b}["));
    assert!(auto.contains("error[DL0003]"));
    let no_color = Command::new(env!("CARGO_BIN_EXE_dlc"))
        .args(["check", path])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&no_color.stdout).contains("\u{1b}["));
}

#[test]
fn warnings_fail_only_with_deny_warnings() {
    // No check emits a warning yet in this stage; a clean lake passes both ways.
    let path = seed();
    assert_eq!(
        dlc(&["check", "--deny-warnings", path.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn stdin_is_read_with_a_dash() {
    let output = dlc_with_stdin(
        &["check", "--format", "short", "-"],
        b"let x: Cidr = \"10.0.0.0/16\"\n",
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).starts_with("<stdin>:1:15: error[DL0203]"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn explain_prints_the_page_and_version_and_help_work() {
    let output = dlc(&["explain", "dl0204"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).starts_with("# DL0204"));
    let version = stdout(&dlc(&["--version"]));
    assert!(version.starts_with("dlc "));
    let help = stdout(&dlc(&["check", "--help"]));
    assert!(help.contains("Examples:"));
}

#[test]
fn eval_prints_the_checked_lake() {
    let output = dlc(&["eval", seed().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    let model: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(
        model["lake"]["fields"]["source"]["type"],
        "GitHubConnection"
    );
    // Inherited from Dev through Test, defaulted from the stdlib, overridden in Prod.
    assert_eq!(model["environments"]["Prod"]["region"], "us-east-2");
    assert_eq!(
        model["environments"]["Prod"]["network"]["nat_gateways"],
        "per-az"
    );
    assert_eq!(
        model["environments"]["Prod"]["network"]["cidr"],
        "10.0.0.0/24"
    );
    // Stable: the same bytes twice.
    assert_eq!(
        output.stdout,
        dlc(&["eval", seed().to_str().unwrap()]).stdout
    );
}

#[test]
fn extends_merges_nested_records_through_three_levels() {
    let lake = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extends/lake.dl");
    let output = dlc(&["eval", lake.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let model: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let environments = serde_json::to_string_pretty(&model["environments"]).expect("JSON");
    insta::assert_snapshot!("extends_three_levels", environments);
}

#[test]
fn prod_of_the_seed_lake_keeps_the_network_fields_it_does_not_write() {
    let (_dir, lake) = mutated(
        "network = { cidr = 10.20.0.0/24 }",
        "network = { cidr = 10.20.0.0/24, nat_gateways = one, interface_endpoints = [kms] }",
    );
    let output = dlc(&["eval", lake.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let model: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let network = &model["environments"]["Prod"]["network"];
    assert_eq!(network["cidr"], "10.0.0.0/24");
    assert_eq!(network["nat_gateways"], "one");
    assert_eq!(network["interface_endpoints"], serde_json::json!(["kms"]));
}

#[test]
fn a_file_imported_by_another_on_the_command_line_is_checked_once() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("lang-examples/last-mile-health");
    let lake = dir.join("lake.dl");
    let zones = dir.join("zones.dl");
    for order in [[&zones, &lake], [&lake, &zones]] {
        let output = dlc(&[
            "check",
            order[0].to_str().unwrap(),
            order[1].to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    }
}

/// The overlap check's promise: one error naming both environments, both
/// lines labelled, and a free /16 that is not in the lake.
#[test]
fn an_overlapping_dev_range_names_both_environments_and_a_free_block() {
    let (_dir, path) = mutated("10.20.0.0/24", "10.0.0.0/16");
    let output = dlc(&["check", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let diagnostics = document["diagnostics"].as_array().expect("array");
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let overlap = &diagnostics[0];
    assert_eq!(overlap["code"], "DL0303");
    let message = overlap["message"].as_str().unwrap();
    assert!(
        message.contains("`Dev`") && message.contains("`Prod`"),
        "{message}"
    );
    let lines: Vec<u64> = overlap["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            line_of(&path, "10.0.0.0/16") as u64,
            line_of(&path, "10.0.0.0/24") as u64
        ]
    );
    let help = overlap["help"].as_str().unwrap();
    let free: ipnet::Ipv4Net = help
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .expect("a CIDR first");
    assert_eq!(free.prefix_len(), 16);
    for taken in ["10.0.0.0/16", "10.10.0.0/24", "10.0.0.0/24"] {
        let taken: ipnet::Ipv4Net = taken.parse().unwrap();
        assert!(
            !free.contains(&taken) && !taken.contains(&free),
            "{free} overlaps {taken}"
        );
    }
}

/// Writes the seed lake, badly indented, to `path`; returns the seed's
/// (formatted) text.
fn write_messy_seed(path: &Path) -> String {
    let seed_text = std::fs::read_to_string(seed()).unwrap();
    std::fs::write(path, seed_text.replace("    account", "  account")).unwrap();
    seed_text
}

#[test]
fn fmt_check_lists_files_that_would_change_and_fmt_rewrites_them() {
    let dir = tempfile::tempdir().unwrap();
    let messy = dir.path().join("messy.dl");
    let tidy = dir.path().join("tidy.dl");
    let seed_text = write_messy_seed(&messy);
    std::fs::write(&tidy, &seed_text).unwrap();
    let check = dlc(&[
        "fmt",
        "--check",
        messy.to_str().unwrap(),
        tidy.to_str().unwrap(),
    ]);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(stdout(&check), format!("{}\n", messy.display()));
    // --check changes nothing.
    assert_ne!(std::fs::read_to_string(&messy).unwrap(), seed_text);
    let rewrite = dlc(&["fmt", messy.to_str().unwrap()]);
    assert_eq!(rewrite.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), seed_text);
    let again = dlc(&["fmt", "--check", messy.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(0));
}

/// `dlc fmt` on a symbolic link formats the file it points to and leaves
/// the link a link, as `check --fix` does.
#[cfg(unix)]
#[test]
fn fmt_formats_a_linked_file_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.dl");
    let link = dir.path().join("lake.dl");
    let seed_text = write_messy_seed(&target);
    std::os::unix::fs::symlink("real.dl", &link).unwrap();
    let output = dlc(&["fmt", link.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), seed_text);
}

#[test]
fn fmt_refuses_a_file_that_does_not_parse() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.dl");
    std::fs::write(&broken, "let a = = 1\n").unwrap();
    let output = dlc(&["fmt", "--format", "short", broken.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("[DL0001]"));
    assert_eq!(std::fs::read_to_string(&broken).unwrap(), "let a = = 1\n");
}

#[test]
fn fmt_reads_stdin_and_writes_stdout() {
    let output = dlc_with_stdin(&["fmt", "-"], b"let   a =1\n");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "let a = 1\n");
}

fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.push((relative, std::fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn compile_writes_templates_and_a_manifest_deterministically() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let output = dlc(&[
            "compile",
            seed().to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let files = tree(&a);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "manifest.json",
        "Dev/Network.template.json",
        "Prod/Storage.template.json",
    ] {
        assert!(names.contains(&expected), "{names:?}");
    }
    assert_eq!(files, tree(&b), "the same lake gives the same bytes");
    for (name, bytes) in &files {
        if name.ends_with(".json") {
            assert!(bytes.ends_with(b"}\n"), "{name} ends with a newline");
            serde_json::from_slice::<serde_json::Value>(bytes).expect("valid JSON");
        }
    }
}

#[test]
fn an_immediate_transition_checks_clean_and_compiles() {
    // S3 accepts `TransitionInDays: 0` for the Glacier classes.
    let (dir, lake) = mutated("after = 365d", "after = 0d");
    let out = dir.path().join("out");
    let output = dlc(&[
        "compile",
        lake.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let template = std::fs::read_to_string(out.join("Prod/Storage.template.json")).unwrap();
    assert!(template.contains("\"TransitionInDays\": 0"), "{template}");
}

#[test]
fn compile_on_an_error_leaves_the_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_eq!(
        dlc(&[
            "compile",
            seed().to_str().unwrap(),
            "-o",
            out.to_str().unwrap()
        ])
        .status
        .code(),
        Some(0)
    );
    std::fs::write(out.join("README.txt"), "ours").unwrap();
    let before = tree(&out);
    let (_lake_dir, broken) = mutated("10.20.0.0/24", "10.20.0.0/33");
    let output = dlc(&[
        "compile",
        broken.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("DL0003"));
    assert_eq!(tree(&out), before);
    // A compile of one environment replaces dlc's files and keeps the user's.
    let dev = dlc(&[
        "compile",
        seed().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--env",
        "Dev",
    ]);
    assert_eq!(dev.status.code(), Some(0));
    assert!(out.join("Dev/Network.template.json").exists());
    assert!(!out.join("Prod/Network.template.json").exists());
    assert_eq!(
        std::fs::read_to_string(out.join("README.txt")).unwrap(),
        "ours"
    );
}

#[test]
fn compile_check_lists_the_files_that_differ_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let lake = seed();
    let check = |extra: &[&str]| {
        let mut args = vec![
            "compile",
            "--check",
            lake.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        dlc(&args)
    };
    let missing = check(&[]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stdout(&missing).contains("  added    manifest.json\n"));
    assert!(!out.exists(), "--check writes nothing");

    let compile = dlc(&[
        "compile",
        lake.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(compile.status.code(), Some(0));
    let clean = check(&[]);
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));

    // A hand edit, a deleted file and a file the lake no longer compiles to.
    std::fs::write(out.join("Dev/Network.template.json"), "{}\n").unwrap();
    std::fs::remove_file(out.join("manifest.json")).unwrap();
    let before = tree(&out);
    let stale = check(&["--env", "Dev"]);
    assert_eq!(stale.status.code(), Some(1));
    let text = stdout(&stale);
    for line in [
        "  changed  Dev/Network.template.json\n",
        "  added    manifest.json\n",
        "  removed  Prod/Network.template.json\n",
        "--env Dev` and commit",
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }
    assert_eq!(tree(&out), before, "--check writes nothing");

    // A lake with errors is reported as compile reports it.
    let (_lake_dir, broken) = mutated("10.20.0.0/24", "10.20.0.0/33");
    let output = dlc(&[
        "compile",
        "--check",
        broken.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("DL0003"));
}

#[test]
fn compile_refuses_an_output_path_that_is_a_file_and_an_unknown_environment() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out");
    std::fs::write(&file, "not a folder").unwrap();
    let output = dlc(&[
        "compile",
        seed().to_str().unwrap(),
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not a folder"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not a folder");
    let out = dir.path().join("fresh");
    let unknown = dlc(&[
        "compile",
        seed().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--env",
        "Prdo",
    ]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("did you mean `--env Prod`?"));
    assert!(!out.exists());
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dlc"))
        .args(["explain", "DL0303"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
}

#[test]
fn the_cidr_report_lists_allocated_and_free_blocks() {
    let output = dlc(&["check", "--cidr-report", seed().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.contains("pool 10.0.0.0/8"), "{text}");
    for line in [
        "10.0.0.0/24        VPC of Prod",
        "10.20.0.0/24       VPC of Dev",
    ] {
        assert!(text.contains(line), "{text}");
    }
    // The largest free block of 10.0.0.0/8 once three /24s near its start are taken.
    assert!(text.contains("\n    10.128.0.0/9\n"), "{text}");
}

/// S3 accepts a transition to Glacier on the day an object is written; only
/// expirations must wait a day.
#[test]
fn an_immediate_glacier_transition_is_accepted() {
    let (_dir, path) = mutated("after = 365d", "after = 0d");
    let output = dlc(&["check", "--format", "short", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let (_dir, path) = mutated("expire_after = 60d", "expire_after = 0d");
    let output = dlc(&["check", "--format", "short", path.to_str().unwrap()]);
    assert!(stdout(&output).contains("[DL0333]"), "{}", stdout(&output));
}

/// The manifest names sources relative to the lake's folder, so it is the
/// same bytes whichever path the lake was given by.
#[test]
fn the_manifest_is_the_same_whichever_path_names_the_lake() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seed_dir = root.join("lang-examples/seed");
    let out = tempfile::tempdir().unwrap();
    let compile = |cwd: &Path, lake: &Path, name: &str| -> String {
        let dir = out.path().join(name);
        let output = Command::new(env!("CARGO_BIN_EXE_dlc"))
            .args([
                "compile",
                lake.to_str().unwrap(),
                "-o",
                dir.to_str().unwrap(),
            ])
            .current_dir(cwd)
            .output()
            .expect("dlc runs");
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        std::fs::read_to_string(dir.join("manifest.json")).unwrap()
    };
    let relative = compile(root, Path::new("lang-examples/seed/lake.dl"), "relative");
    let absolute = compile(Path::new("/"), &seed_dir.join("lake.dl"), "absolute");
    let inside = compile(&seed_dir, Path::new("lake.dl"), "inside");
    let dotted = compile(&seed_dir, Path::new("./lake.dl"), "dotted");
    let elsewhere = compile(
        &root.join("src"),
        Path::new("../lang-examples/seed/lake.dl"),
        "up",
    );
    assert!(relative.contains("\"file\": \"lake.dl\""), "{relative}");
    assert!(!relative.contains("lang-examples"), "{relative}");
    for (how, manifest) in [
        ("absolute", &absolute),
        ("inside", &inside),
        ("./", &dotted),
        ("..", &elsewhere),
    ] {
        assert!(
            manifest == &relative,
            "the manifest differs when the lake is given {how}"
        );
    }
}

/// A copy of the seed lake whose Dev range comes from `shared/net.dl`, in a
/// folder that is a git repository (as where pre-commit runs).
fn lake_with_a_module(dev_range: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::create_dir(dir.path().join("shared")).unwrap();
    let text = std::fs::read_to_string(seed()).unwrap();
    let lake = format!(
        "import \"shared/net.dl\"\n{}",
        text.replacen("cidr = 10.20.0.0/24", "cidr = dev_range", 1)
    );
    std::fs::write(dir.path().join("lake.dl"), lake).unwrap();
    std::fs::write(
        dir.path().join("shared/net.dl"),
        format!("let dev_range = {dev_range}\n"),
    )
    .unwrap();
    dir
}

/// A file with no lake (pre-commit may stage only it) is checked as part of
/// the lakes that import it: a range that is fine on its own overlaps there.
#[test]
fn checking_a_module_checks_the_lakes_that_import_it() {
    let run = |dir: &Path| {
        Command::new(env!("CARGO_BIN_EXE_dlc"))
            .args(["check", "--format", "short", "shared/net.dl"])
            .current_dir(dir)
            .output()
            .expect("dlc runs")
    };
    let good = lake_with_a_module("10.20.0.0/24");
    let output = run(good.path());
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));

    let bad = lake_with_a_module("10.0.0.0/24"); // Prod's range
    let output = run(bad.path());
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("[DL0303]"), "{text}");

    // Outside any lake's imports, the module is checked on its own.
    let alone = tempfile::tempdir().unwrap();
    std::fs::write(alone.path().join("net.dl"), "let dev_range = 10.0.0.0/24\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_dlc"))
        .args(["check", "net.dl"])
        .current_dir(alone.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
}

/// Runs `dlc ARGS` in a pseudo-terminal (util-linux `script`), so that its
/// standard error is a terminal; returns everything it printed.
fn in_a_terminal(args: &str, cwd: &Path) -> String {
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_dlc"));
    let output = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("`script` (util-linux) runs a command in a pseudo-terminal");
    String::from_utf8_lossy(&output.stdout).replace('\r', "")
}

#[test]
fn success_is_one_line_in_a_terminal_and_nothing_in_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(seed(), dir.path().join("lake.dl")).unwrap();
    let checked = in_a_terminal("check lake.dl", dir.path());
    assert_eq!(checked, "checked lake.dl: 3 environments, no problems\n");
    let compiled = in_a_terminal("compile lake.dl -o out", dir.path());
    let files = std::fs::read_to_string(dir.path().join("out/.dlc-output"))
        .map(|list| list.lines().count())
        .unwrap_or_default();
    assert_eq!(compiled, format!("wrote {files} files to out/\n"));
    let again = in_a_terminal("compile lake.dl -o out", dir.path());
    assert_eq!(
        again,
        format!("out/ is up to date: {files} files, none changed\n")
    );
    let formatted = in_a_terminal("fmt lake.dl", dir.path());
    assert_eq!(formatted, "1 file already formatted, none changed\n");

    for args in [
        &["check", "lake.dl"][..],
        &["compile", "lake.dl", "-o", "out"],
        &["fmt", "lake.dl"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_dlc"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        assert!(
            output.stdout.is_empty() && output.stderr.is_empty(),
            "{args:?}: {output:?}"
        );
    }
}

/// A copy of the seed lake with each substitution made once, in order.
fn mutated_many(substitutions: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let mut text = std::fs::read_to_string(seed()).expect("seed");
    for (from, to) in substitutions {
        assert!(text.contains(from), "the lake contains {from:?}");
        text = text.replacen(from, to, 1);
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("lake.dl");
    std::fs::write(&path, text).expect("write");
    (dir, path)
}

/// Lakes that codegen used to refuse (with "internal error ... this is a bug
/// in dlc") or compile into colliding names: each is now an error at check
/// time, so `dlc compile` stops before codegen and writes nothing.
#[test]
fn what_codegen_would_refuse_is_a_coded_error_at_check_time() {
    let dev_network = "network = { cidr = 10.20.0.0/24 }";
    let cases: &[(&str, &[(&str, &str)])] = &[
        // Zones whose logical IDs collide: `Stage1Bucket` twice.
        (
            "DL0313",
            &[(
                r#"{ name = "conformed" }"#,
                r#"{ name = "stage-1" }, { name = "stage1" }"#,
            )],
        ),
        // Pipelined environments whose update roles' logical IDs collide.
        (
            "DL0313",
            &[
                ("env Test extends Dev {", "env dev-eu extends Dev {"),
                ("env Prod extends Test {", "env DevEu extends dev-eu {"),
            ],
        ),
        // An endpoint listed twice: two resources with one logical ID.
        (
            "DL0314",
            &[(
                dev_network,
                "network = { cidr = 10.20.0.0/24, interface_endpoints = [glue, kms, glue] }",
            )],
        ),
        (
            "DL0314",
            &[(
                dev_network,
                "network = { cidr = 10.20.0.0/24, gateway_endpoints = [s3, s3] }",
            )],
        ),
        // A policy attached twice: cfn-lint's E3037, a role CloudFormation refuses.
        (
            "DL0314",
            &[(
                r#"execution_policies = ["arn:aws:iam::aws:policy/AdministratorAccess"]"#,
                r#"execution_policies = ["arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess"]"#,
            )],
        ),
        // Names equal but for case, in different accounts: the pipelines
        // collide in the deployment account, the output folders on disk.
        (
            "DL0312",
            &[("env Prod extends Test {", "env TEST extends Test {")],
        ),
        // One audit table name twice in one account and region.
        (
            "DL0312",
            &[
                (
                    "audit_table = {}",
                    r#"audit_table = { name = "etl_audit" }"#,
                ),
                (r#"account = "333333333333""#, r#"account = "222222222222""#),
            ],
        ),
        // The former codegen errors the checks already caught: more
        // availability zones than the region has, subnets too small, a
        // warehouse in fewer than three zones, a bucket name too long, an
        // expiration on day 0, a sort key repeating the partition key.
        (
            "DL0306",
            &[(
                dev_network,
                "network = { cidr = 10.20.0.0/24, availability_zones = 6 }",
            )],
        ),
        (
            "DL0305",
            &[(dev_network, "network = { cidr = 10.20.0.0/27 }")],
        ),
        (
            "DL0363",
            &[(
                dev_network,
                r#"network = { cidr = 10.20.0.0/24, availability_zones = 2 }
    warehouse = { database = "analytics" }"#,
            )],
        ),
        (
            "DL0311",
            &[(
                r#"resource_prefix = "cdkblog-e2e""#,
                r#"resource_prefix = "cdkblog-e2e-with-a-much-longer-prefix""#,
            )],
        ),
        ("DL0333", &[("expire_after = 60d", "expire_after = 0d")]),
        (
            "DL0371",
            &[(
                "audit_table = {}",
                r#"audit_table = {
        partition_key = { name = "execution_id" }
        sort_key = { name = "execution_id" }
    }"#,
            )],
        ),
    ];
    for (code, substitutions) in cases {
        let (dir, path) = mutated_many(substitutions);
        let check = dlc(&["check", "--format", "short", path.to_str().unwrap()]);
        let found = stdout(&check);
        assert_eq!(check.status.code(), Some(1), "{substitutions:?}: {found}");
        assert!(
            found.contains(&format!("[{code}]")),
            "{substitutions:?}: {found}"
        );

        let out = dir.path().join("out");
        let compile = dlc(&[
            "compile",
            path.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        let said = format!(
            "{}{}",
            stdout(&compile),
            String::from_utf8_lossy(&compile.stderr)
        );
        assert_eq!(compile.status.code(), Some(1), "{substitutions:?}: {said}");
        assert!(said.contains(code), "{substitutions:?}: {said}");
        assert!(
            !said.contains("internal error"),
            "{substitutions:?}: {said}"
        );
        assert!(!out.exists(), "{substitutions:?}: compile wrote {out:?}");
    }
}

/// The seed lake as an editor on another system may save it.
fn variants() -> Vec<(&'static str, String)> {
    let seed = std::fs::read_to_string(seed()).expect("seed");
    let tabs: String = seed
        .lines()
        .map(|line| {
            let indent = line.len() - line.trim_start_matches(' ').len();
            format!("{}{}\n", "\t".repeat(indent / 4), &line[indent / 4 * 4..])
        })
        .collect();
    vec![
        ("plain", seed.clone()),
        ("bom", format!("\u{feff}{seed}")),
        ("crlf", seed.replace('\n', "\r\n")),
        ("tabs", tabs),
        // A byte-order mark in an imported file too.
        (
            "bom-crlf",
            format!("\u{feff}{}", seed.replace('\n', "\r\n")),
        ),
    ]
}

/// Runs dlc in `dir`.
fn dlc_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dlc"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("dlc runs")
}

/// Output files by relative path.
type Files = std::collections::BTreeMap<String, Vec<u8>>;

/// The manifest without columns: a tab is one column, four spaces are four.
fn without_columns(manifest: &[u8]) -> serde_json::Value {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.remove("column");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value: serde_json::Value = serde_json::from_slice(manifest).expect("JSON");
    strip(&mut value);
    value
}

#[test]
fn every_command_reads_a_byte_order_mark_crlf_and_tabs_alike() {
    let plain = std::fs::read_to_string(seed()).expect("seed");
    let mut reference: Option<(Vec<u8>, Files)> = None;
    for (name, text) in variants() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("lake.dl"), &text).expect("write");
        let check = dlc_in(dir.path(), &["check", "lake.dl"]);
        assert_eq!(check.status.code(), Some(0), "{name}: {}", stdout(&check));
        let eval = dlc_in(dir.path(), &["eval", "lake.dl"]);
        assert_eq!(eval.status.code(), Some(0), "{name}");
        let compile = dlc_in(dir.path(), &["compile", "lake.dl", "-o", "out"]);
        assert_eq!(compile.status.code(), Some(0), "{name}");
        let out: Files = tree(&dir.path().join("out")).into_iter().collect();
        // fmt keeps the mark, and turns the rest into the plain seed.
        let formatted = dlc_with_stdin(&["fmt", "-"], text.as_bytes());
        let bom = if text.starts_with('\u{feff}') {
            "\u{feff}"
        } else {
            ""
        };
        assert_eq!(stdout(&formatted), format!("{bom}{plain}"), "{name}");
        let fmt_check = dlc_in(dir.path(), &["fmt", "--check", "lake.dl"]);
        let already = name == "plain" || name == "bom";
        assert_eq!(
            fmt_check.status.code(),
            Some(if already { 0 } else { 1 }),
            "{name}"
        );
        match &reference {
            None => reference = Some((eval.stdout, out)),
            Some((eval_ref, out_ref)) => {
                assert_eq!(&eval.stdout, eval_ref, "{name}: eval");
                assert_eq!(
                    out.keys().collect::<Vec<_>>(),
                    out_ref.keys().collect::<Vec<_>>()
                );
                for (file, bytes) in &out {
                    if file == "manifest.json" && name == "tabs" {
                        assert_eq!(without_columns(bytes), without_columns(&out_ref[file]));
                    } else {
                        assert_eq!(bytes, &out_ref[file], "{name}: {file}");
                    }
                }
            }
        }
    }
}

#[test]
fn diagnostics_count_offsets_from_the_first_byte_and_columns_without_the_mark() {
    let mut found = Vec::new();
    for (name, text) in variants() {
        let broken = text.replacen("\"444444444444\"", "\"4444\"", 1);
        let dir = tempfile::tempdir().expect("temp dir");
        // The mark and the line ends of an imported file are read alike.
        std::fs::write(dir.path().join("lake.dl"), "import \"envs.dl\"\n").expect("write");
        std::fs::write(dir.path().join("envs.dl"), &broken).expect("write");
        let output = dlc_in(dir.path(), &["check", "--format", "json", "lake.dl"]);
        assert_eq!(output.status.code(), Some(1), "{name}");
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let diagnostic = &json["diagnostics"][0];
        assert_eq!(diagnostic["code"], "DL0204", "{name}");
        let offset = diagnostic["start_offset"].as_u64().expect("offset") as usize;
        assert_eq!(
            &broken.as_bytes()[offset..offset + 6],
            b"\"4444\"",
            "{name}"
        );
        let position = (diagnostic["line"].clone(), diagnostic["column"].clone());
        found.push((name, position));
    }
    // Same line everywhere; same column but for the tab-indented file.
    let (_, plain) = &found[0];
    for (name, position) in &found {
        assert_eq!(position.0, plain.0, "{name}");
        if *name != "tabs" {
            assert_eq!(position.1, plain.1, "{name}");
        }
    }
}

/// `dlc compile` checks CloudFormation's quotas on the templates as it writes
/// them, not in its check: it must report what `dlc check` reports, and
/// write nothing when that is an error (or a warning it is told to deny).
#[test]
fn compile_reports_the_template_quotas_as_check_does() {
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui/checks");
    for (case, writes) in [
        ("template-needs-s3-bucket.dl", true),
        ("template-too-large.dl", false),
        ("too-many-resources.dl", false),
        ("template-quotas-inherited.dl", false),
    ] {
        let lake = cases.join(case);
        let lake = lake.to_str().unwrap();
        let checked = dlc(&["check", lake]);
        assert!(stdout(&checked).contains("DL039"), "{case}");
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let out = out.to_str().unwrap();
        let denied = dlc(&["compile", "--deny-warnings", lake, "-o", out]);
        assert_eq!(stdout(&denied), stdout(&checked), "{case}");
        assert_eq!(denied.status.code(), Some(1), "{case}");
        assert!(!Path::new(out).exists(), "{case}: nothing written");
        let compiled = dlc(&["compile", lake, "-o", out]);
        assert_eq!(stdout(&compiled), stdout(&checked), "{case}");
        assert_eq!(compiled.status.code(), checked.status.code(), "{case}");
        assert_eq!(
            Path::new(out).join("manifest.json").exists(),
            writes,
            "{case}"
        );
        // The compile fails before any template is built: the quotas are
        // reported all the same, and an error among them stops the compile
        // before the output folder does, as when the check measured them.
        let a_file = dir.path().join("a-file");
        std::fs::write(&a_file, "").unwrap();
        let refused = dlc(&["compile", lake, "-o", a_file.to_str().unwrap()]);
        assert_eq!(stdout(&refused), stdout(&checked), "{case}");
        let output_error = String::from_utf8_lossy(&refused.stderr).contains("DL09");
        assert_eq!(output_error, writes, "{case}");
        assert_eq!(refused.status.code() == Some(1), !writes, "{case}");
    }
}

/// Started with standard output closed, dlc points it at /dev/null, as a
/// Rust program's start-up does (src/main.rs starts at C's `main`): else the
/// first file dlc opens would be its standard output, and a diagnostic could
/// be written into a template. Seen from outside while `dlc lsp` waits for
/// its first message.
#[cfg(target_os = "linux")]
#[test]
fn a_closed_standard_output_becomes_dev_null() {
    let mut child = Command::new("sh")
        .args(["-c", r#"exec "$0" lsp >&-"#])
        .arg(env!("CARGO_BIN_EXE_dlc"))
        .stdin(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sh runs");
    // `exec` keeps the process: once it runs dlc, the shell has closed
    // descriptor 1, and it exists again once dlc is past its first lines.
    let process = PathBuf::from(format!("/proc/{}", child.id()));
    let dlc = std::fs::canonicalize(env!("CARGO_BIN_EXE_dlc")).expect("dlc");
    let mut target = None;
    for _ in 0..1000 {
        if std::fs::read_link(process.join("exe")).is_ok_and(|exe| exe == dlc) {
            target = std::fs::read_link(process.join("fd/1")).ok();
            if target.is_some() {
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    drop(child.stdin.take());
    child.wait().expect("dlc ends");
    assert_eq!(target, Some(PathBuf::from("/dev/null")));
}
