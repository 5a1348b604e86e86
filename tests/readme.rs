//! What README.md shows a newcomer works as shown: its lake excerpts check,
//! and its deploy commands say which account and region they act on.

use std::path::Path;
use std::process::{Command, Output};

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md")
}

/// Every fenced block of `language`, in order.
fn blocks(language: &str) -> Vec<String> {
    let fence = format!("```{language}\n");
    let text = readme();
    let mut found = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find(&fence) {
        let body = &rest[start + fence.len()..];
        let end = body.find("```").expect("a closed block");
        found.push(body[..end].to_string());
        rest = &body[end..];
    }
    found
}

fn seed() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("lang-examples/seed/lake.dl"),
    )
    .expect("the seed lake")
}

fn check(text: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lake.dl"), text).unwrap();
    Command::new(env!("CARGO_BIN_EXE_dlc"))
        .args(["check", "--format", "short", "lake.dl"])
        .current_dir(dir.path())
        .output()
        .expect("dlc runs")
}

fn assert_clean(what: &str, text: &str) {
    let output = check(text);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{what} does not check clean:\n{}\n{text}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// The seed lake's `source = ...` record, replaced by `source`.
fn seed_with_source(source: &str) -> String {
    let seed = seed();
    let start = seed.find("    source = ").expect("the seed has a source");
    let close = start + seed[start..].find("\n    }\n").expect("a record source") + 7;
    format!(
        "{}    {}\n{}",
        &seed[..start],
        source.trim(),
        &seed[close..]
    )
}

#[test]
fn the_lake_excerpts_check_clean() {
    let lakes: Vec<String> = blocks("dl")
        .into_iter()
        .filter(|b| b.contains("\nlake "))
        .collect();
    assert!(!lakes.is_empty(), "the README shows a lake");
    for lake in lakes {
        assert_clean("a lake in README.md", &lake);
    }
}

#[test]
fn every_source_variant_shown_checks_in_the_seed_lake() {
    let block = blocks("dl")
        .into_iter()
        .find(|b| b.contains("source = CodeCommit"))
        .expect("the README shows the sources");
    // One `source = ...` per variant, each up to the next comment line.
    let mut parts: Vec<String> = Vec::new();
    for line in block.lines() {
        if line.trim_start().starts_with("//") {
            parts.push(String::new());
        } else if let Some(part) = parts.last_mut() {
            part.push_str(line.trim());
            part.push('\n');
        }
    }
    let variants: Vec<String> = parts
        .into_iter()
        .filter_map(|part| part.find("source = ").map(|i| part[i..].to_string()))
        .collect();
    let names: Vec<&str> = variants
        .iter()
        .map(|v| {
            v["source = ".len()..]
                .split([' ', '{'])
                .next()
                .unwrap_or("")
        })
        .collect();
    assert_eq!(names, ["GitHubConnection", "GitHub", "CodeCommit"]);
    for variant in &variants {
        assert_clean(
            "the seed lake with a README source",
            &seed_with_source(variant),
        );
    }
    let build = readme()
        .split('`')
        .find(|s| s.starts_with("build = { lake_file"))
        .expect("the README shows build.lake_file")
        .to_string();
    let with_build = seed().replacen("    source = ", &format!("    {build}\n    source = "), 1);
    assert_clean("the seed lake with the README's build", &with_build);
}

/// The README's shell lines, continuations joined.
fn shell_lines() -> Vec<String> {
    blocks("sh")
        .iter()
        .flat_map(|block| {
            block
                .replace("\\\n", " ")
                .lines()
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn every_deploy_command_names_its_region_and_profile() {
    let commands: Vec<String> = shell_lines()
        .into_iter()
        .filter(|line| line.trim_start().starts_with("aws "))
        .collect();
    assert!(
        !commands.is_empty(),
        "the README creates the connection with the AWS CLI"
    );
    for command in commands {
        assert!(
            command.contains("--region ") && command.contains("--profile "),
            "this command acts on whatever account and region the shell is set to:\n{command}"
        );
    }
}

/// `dlc deploy` checks each account's credentials itself (tests/deploy_cli.rs);
/// the README's commands give every account they touch its profile, so
/// that none runs with whatever the shell is set to.
#[test]
fn every_dlc_deploy_command_names_a_profile_for_each_account() {
    let seed_accounts = |name: &str| match name {
        "Dev" => "222222222222",
        "Test" => "333333333333",
        "Prod" => "444444444444",
        _ => "111111111111",
    };
    let commands: Vec<String> = shell_lines()
        .into_iter()
        .filter(|line| line.trim_start().starts_with("dlc deploy "))
        .collect();
    assert!(
        commands.len() >= 2,
        "the README sets up and deploys with dlc deploy"
    );
    for command in commands {
        let words: Vec<&str> = command.split_whitespace().collect();
        let profiles: Vec<&str> = words
            .windows(2)
            .filter(|w| w[0] == "--profile")
            .filter_map(|w| w[1].split_once('=').map(|(account, _)| account))
            .collect();
        let needed: Vec<&str> = if words.contains(&"--setup") {
            ["deployment", "Dev", "Test", "Prod"]
                .map(seed_accounts)
                .to_vec()
        } else {
            words
                .windows(2)
                .filter(|w| w[0] == "--env")
                .map(|w| seed_accounts(w[1]))
                .collect()
        };
        for account in needed {
            assert!(
                profiles.contains(&account),
                "this command does not say how to reach account {account}:\n{command}"
            );
        }
    }
}
