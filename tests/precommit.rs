//! The pre-commit hooks, run exactly as `.pre-commit-hooks.yaml` states
//! them: its `entry` with the staged files appended, as pre-commit does.

mod common;

use std::path::Path;
use std::process::Command;

struct Hook {
    id: String,
    entry: Vec<String>,
    /// Default arguments, after the entry (a flow list: `[a, b]`).
    args: Vec<String>,
    files: String,
    language: String,
    /// Whether pre-commit appends the staged files (`pass_filenames`).
    pass_filenames: bool,
}

/// The hooks file is a flat list of maps with scalar values; this reads
/// exactly that shape and fails loudly on anything else.
fn hooks() -> Vec<Hook> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .expect(".pre-commit-hooks.yaml at the repo root");
    let mut hooks = Vec::new();
    let mut current: Option<Hook> = None;
    for line in text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
    {
        let (starts_item, body) = match line.strip_prefix("- ") {
            Some(rest) => (true, rest),
            None => (false, line.trim_start()),
        };
        if starts_item {
            hooks.extend(current.take());
            current = Some(Hook {
                id: String::new(),
                entry: Vec::new(),
                args: Vec::new(),
                files: String::new(),
                language: String::new(),
                pass_filenames: true,
            });
        }
        let (key, value) = body.split_once(": ").expect("key: value");
        let hook = current.as_mut().expect("a hook");
        match key {
            "id" => hook.id = value.to_string(),
            "entry" => hook.entry = value.split_whitespace().map(String::from).collect(),
            "args" => {
                let list = value
                    .strip_prefix('[')
                    .and_then(|v| v.strip_suffix(']'))
                    .expect("args is a flow list");
                hook.args = list.split(',').map(|a| a.trim().to_string()).collect();
            }
            "pass_filenames" => hook.pass_filenames = value == "true",
            "files" => hook.files = value.to_string(),
            "language" => hook.language = value.to_string(),
            _ => {}
        }
    }
    hooks.extend(current);
    hooks
}

fn run(hook: &Hook, dir: &Path, files: &[&str]) -> std::process::Output {
    assert_eq!(hook.entry[0], "dlc", "hooks run the dlc binary");
    assert!(hook.pass_filenames || files.is_empty());
    Command::new(env!("CARGO_BIN_EXE_dlc"))
        .args(&hook.entry[1..])
        .args(&hook.args)
        .args(files)
        .current_dir(dir)
        .output()
        .expect("dlc runs")
}

fn seed() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("lang-examples/seed/lake.dl"),
    )
    .unwrap()
}

#[test]
fn the_hooks_are_declared_for_dl_files() {
    let hooks = hooks();
    let ids: Vec<&str> = hooks.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "dlc-check",
            "dlc-fmt",
            "dlc-compile-check",
            "dlc-diff-destructive"
        ]
    );
    for hook in &hooks {
        assert_eq!(hook.language, "rust");
        // A hook that reads no file names runs on every commit.
        if hook.pass_filenames {
            assert_eq!(hook.files, r"\.dl$");
        }
    }
}

#[test]
fn the_check_hook_passes_a_good_lake_and_fails_a_bad_one() {
    let hooks = hooks();
    let check = hooks.iter().find(|h| h.id == "dlc-check").unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.dl"), seed()).unwrap();
    std::fs::write(
        dir.path().join("bad.dl"),
        seed().replace("10.20.0.0/24", "10.20.0.0/33"),
    )
    .unwrap();
    assert_eq!(run(check, dir.path(), &["good.dl"]).status.code(), Some(0));
    let output = run(check, dir.path(), &["good.dl", "bad.dl"]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.starts_with("bad.dl:") && text.contains("[DL0003]"),
        "{text}"
    );
}

#[test]
fn the_fmt_hook_rewrites_a_messy_lake_and_leaves_a_formatted_one() {
    let hooks = hooks();
    let fmt = hooks.iter().find(|h| h.id == "dlc-fmt").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let messy: String = seed()
        .lines()
        .map(|l| format!("{}  \n", l.trim_start()))
        .collect();
    std::fs::write(dir.path().join("messy.dl"), &messy).unwrap();
    std::fs::write(dir.path().join("tidy.dl"), seed()).unwrap();
    let output = run(fmt, dir.path(), &["messy.dl", "tidy.dl"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    // pre-commit fails the hook because messy.dl changed; the content is the seed lake.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("messy.dl")).unwrap(),
        seed()
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("tidy.dl")).unwrap(),
        seed()
    );
}

/// The diff hook in a repository whose lake is committed: a change that
/// replaces buckets fails it until acknowledged; one that updates buckets
/// in place passes.
#[test]
fn the_diff_hook_fails_a_destructive_change_unless_acknowledged() {
    let hooks = hooks();
    let hook = hooks
        .iter()
        .find(|h| h.id == "dlc-diff-destructive")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .current_dir(dir.path())
            .args(["-c", "user.name=dlc", "-c", "user.email=dlc@example.com"])
            .args(["-c", "commit.gpgsign=false"])
            .args(args)
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    };
    std::fs::write(dir.path().join("lake.dl"), seed()).unwrap();
    git(&["init", "-q"]);
    git(&["add", "lake.dl"]);
    git(&["commit", "-q", "-m", "lake"]);
    let hook_status = |acknowledged: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dlc"));
        command
            .args(&hook.entry[1..])
            .args(&hook.args)
            .current_dir(dir.path());
        if acknowledged {
            command.env("DLC_ALLOW_DESTRUCTIVE", "1");
        } else {
            command.env_remove("DLC_ALLOW_DESTRUCTIVE");
        }
        command.output().expect("dlc runs").status.code()
    };
    assert_eq!(hook_status(false), Some(0), "no change since HEAD");
    let prefix = seed().replace("\"cdkblog-e2e\"", "\"cdkblog-e3e\"");
    std::fs::write(dir.path().join("lake.dl"), prefix).unwrap();
    assert_eq!(hook_status(false), Some(5));
    assert_eq!(hook_status(true), Some(0));
    let lifecycle = seed().replace("expire_after = 2555d", "expire_after = 3000d");
    std::fs::write(dir.path().join("lake.dl"), lifecycle).unwrap();
    assert_eq!(hook_status(false), Some(0));
}

/// The fenced block of `language` that follows `heading` in README.md.
fn readme_block(heading: &str, language: &str) -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let section = &readme[readme.find(heading).expect("the README has the heading")..];
    let fence = format!("```{language}\n");
    let start = section.find(&fence).expect("a fenced block in the section") + fence.len();
    let end = start + section[start..].find("```").expect("a closed block");
    section[start..end].to_string()
}

/// Runs `program` in `dir`, with the dlc under test first on PATH.
fn in_repository(dir: &Path, program: &Path, args: &[&str]) -> std::process::Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_dlc")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", dir.join(".pre-commit-home"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
}

/// The configuration README.md gives, run by pre-commit itself on a lake
/// repository: only a module of the lake is staged, and its mistake shows
/// only in the lake that imports it.
#[test]
fn the_readme_configuration_runs_in_pre_commit() {
    let config = readme_block("## Pre-commit", "yaml");
    assert!(
        config.starts_with("repos:"),
        "a whole .pre-commit-config.yaml:\n{config}"
    );
    let pre_commit = common::python_tool("pre-commit");
    match Command::new(&pre_commit).arg("--version").output() {
        Ok(out) if out.status.success() => {}
        _ => panic!(
            "pre-commit is not installed: {}",
            common::PYTHON_TOOLS_INSTALL
        ),
    }
    let git = Path::new("git");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    assert!(in_repository(root, git, &["init", "-q"]).status.success());
    std::fs::write(root.join(".pre-commit-config.yaml"), &config).unwrap();
    std::fs::create_dir(root.join("shared")).unwrap();
    let lake = seed().replacen("cidr = 10.20.0.0/24", "cidr = dev_range", 1);
    std::fs::write(
        root.join("lake.dl"),
        format!("import \"shared/net.dl\"\n{lake}"),
    )
    .unwrap();
    let stage = |range: &str| {
        std::fs::write(
            root.join("shared/net.dl"),
            format!("let dev_range = {range}\n"),
        )
        .unwrap();
        assert!(in_repository(root, git, &["add", "-A"]).status.success());
        in_repository(root, &pre_commit, &["run", "--files", "shared/net.dl"])
    };

    // The committed out/ is what the lake compiles to.
    std::fs::write(root.join("shared/net.dl"), "let dev_range = 10.20.0.0/24\n").unwrap();
    let compile = in_repository(
        root,
        Path::new(env!("CARGO_BIN_EXE_dlc")),
        &["compile", "lake.dl", "-o", "out"],
    );
    assert!(compile.status.success(), "{compile:?}");

    let good = stage("10.20.0.0/24");
    let text = String::from_utf8_lossy(&good.stdout);
    assert_eq!(good.status.code(), Some(0), "{text}");
    assert!(
        text.contains("dlc check") && text.contains("Passed"),
        "{text}"
    );
    assert!(!text.contains("Failed"), "{text}");

    // Prod's range: fine in the module alone, an overlap in the lake.
    let bad = stage("10.0.0.0/24");
    let text = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1), "{text}");
    assert!(text.contains("[DL0303]"), "{text}");

    // A lake change not compiled into out/ fails the compile check.
    let lake = std::fs::read_to_string(root.join("lake.dl")).unwrap();
    std::fs::write(
        root.join("lake.dl"),
        lake.replacen("10.10.0.0/24", "10.11.0.0/24", 1),
    )
    .unwrap();
    let stale = stage("10.20.0.0/24");
    let text = String::from_utf8_lossy(&stale.stdout);
    assert_eq!(stale.status.code(), Some(1), "{text}");
    assert!(
        text.contains("changed  Test/Network.template.json"),
        "{text}"
    );
}

#[test]
fn the_compile_check_hook_fails_until_out_is_what_the_lake_compiles_to() {
    let hooks = hooks();
    let hook = hooks.iter().find(|h| h.id == "dlc-compile-check").unwrap();
    assert!(!hook.pass_filenames);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lake.dl"), seed()).unwrap();
    let missing = run(hook, dir.path(), &[]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(!dir.path().join("out").exists(), "the hook writes nothing");

    let compile = Command::new(env!("CARGO_BIN_EXE_dlc"))
        .args(["compile", "lake.dl", "-o", "out"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(compile.status.code(), Some(0));
    assert_eq!(run(hook, dir.path(), &[]).status.code(), Some(0));

    // A change to the lake not compiled into out/.
    std::fs::write(
        dir.path().join("lake.dl"),
        seed().replace("10.20.0.0/24", "10.21.0.0/24"),
    )
    .unwrap();
    let stale = run(hook, dir.path(), &[]);
    assert_eq!(stale.status.code(), Some(1));
    let text = String::from_utf8_lossy(&stale.stdout);
    assert!(
        text.contains("changed  Dev/Network.template.json"),
        "{text}"
    );
}
