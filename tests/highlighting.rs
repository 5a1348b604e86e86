//! Editor highlighting (`editors/`) checked against the language itself.
//!
//! - The keyword list comes from the `keyword` rule of `grammar/dl.pest`, and both
//!   the VS Code grammar and the Vim syntax file must highlight every keyword.
//! - The VS Code grammar is run by VS Code's own tokenizer (vscode-textmate on
//!   oniguruma) over every `.dl` file: `editors/tests/tokenize.test.mjs`, through
//!   node. It needs `npm ci --prefix editors/tests` once; it works offline after.
//! - The Vim syntax file is loaded by a headless Vim (and Neovim, when installed)
//!   over the same files: `editors/tests/vim/check.vim`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    let path = root().join(relative);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// The words of the `keyword` rule of `grammar/dl.pest`, in the order written.
fn pest_keywords() -> Vec<String> {
    let pest = read("grammar/dl.pest");
    let start = pest
        .lines()
        .scan(0, |offset, line| {
            let here = *offset;
            *offset += line.len() + 1;
            Some((here, line))
        })
        .find(|(_, line)| {
            line.strip_prefix("keyword")
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|(offset, _)| offset)
        .expect("grammar/dl.pest has no `keyword = ...` rule");
    let open = start
        + pest[start..]
            .find('{')
            .expect("the `keyword` rule has no body");
    let mut depth = 0;
    let mut close = None;
    for (i, c) in pest[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + i);
                    break;
                }
            }
            _ => {}
        }
    }
    let body = &pest[open..close.expect("the `keyword` rule is not closed")];
    let words: Vec<String> = body
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    assert!(!words.is_empty(), "the `keyword` rule lists no words");
    for word in &words {
        assert!(
            !word.is_empty() && word.chars().all(is_ident_char),
            "unexpected keyword {word:?} read from the `keyword` rule"
        );
    }
    words
}

/// `regex` without its negative lookarounds `(?!...)` and `(?<!...)`: a word that
/// appears only there (an identifier rule excluding keywords) highlights nothing.
fn without_negative_lookarounds(regex: &str) -> String {
    let chars: Vec<char> = regex.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..chars.len().min(i + 4)].iter().collect();
        if rest.starts_with("(?!") || rest.starts_with("(?<!") {
            // Skip to the matching parenthesis, minding escapes and classes.
            let mut depth = 0;
            let mut in_class = false;
            while i < chars.len() {
                match chars[i] {
                    '\\' => i += 1,
                    '[' if !in_class => in_class = true,
                    ']' if in_class => in_class = false,
                    '(' if !in_class => depth += 1,
                    ')' if !in_class => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        if chars[i] == '\\' && i + 1 < chars.len() {
            out.push(chars[i]);
            i += 1;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Whether `word` appears in `regex` as a whole word (an alternative or literal),
/// not as part of a longer name.
fn regex_mentions(regex: &str, word: &str) -> bool {
    regex.match_indices(word).any(|(at, _)| {
        let before = regex[..at].chars().next_back();
        let escaped = regex[..at]
            .strip_suffix(|c: char| c.is_ascii_alphabetic())
            .is_some_and(|r| r.ends_with('\\'));
        let after = regex[at + word.len()..].chars().next();
        (before.is_none_or(|c| !is_ident_char(c)) || escaped)
            && after.is_none_or(|c| !is_ident_char(c))
    })
}

/// Scope names a rule gives: its `name` and the names of its captures.
fn rule_scopes(rule: &serde_json::Map<String, Value>) -> Vec<String> {
    let mut scopes = Vec::new();
    if let Some(Value::String(name)) = rule.get("name") {
        scopes.push(name.clone());
    }
    for key in ["captures", "beginCaptures", "endCaptures"] {
        if let Some(Value::Object(captures)) = rule.get(key) {
            for capture in captures.values() {
                if let Some(Value::String(name)) = capture.get("name") {
                    scopes.push(name.clone());
                }
            }
        }
    }
    scopes
}

/// Every (regex, scopes) pair of a TextMate grammar: one per rule with `match` or `begin`.
fn textmate_rules(value: &Value, out: &mut Vec<(String, Vec<String>)>) {
    match value {
        Value::Object(map) => {
            for key in ["match", "begin"] {
                if let Some(Value::String(regex)) = map.get(key) {
                    out.push((regex.clone(), rule_scopes(map)));
                }
            }
            map.values().for_each(|v| textmate_rules(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| textmate_rules(v, out)),
        _ => {}
    }
}

fn is_keyword_scope(scope: &str) -> bool {
    ["keyword.", "storage.", "constant.language."]
        .iter()
        .any(|prefix| scope.starts_with(prefix))
}

#[test]
fn pest_keyword_rule_is_read() {
    let keywords = pest_keywords();
    let unique: BTreeSet<&String> = keywords.iter().collect();
    assert_eq!(
        unique.len(),
        keywords.len(),
        "duplicate keywords: {keywords:?}"
    );
    // The parser's own list (its messages, and the test that no keyword is
    // an identifier) is the grammar's.
    assert_eq!(keywords, dlc::syntax::KEYWORDS);
}

#[test]
fn textmate_grammar_covers_every_keyword() {
    let path = "editors/vscode/syntaxes/dl.tmLanguage.json";
    let grammar: Value =
        serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"));
    assert_eq!(grammar["scopeName"], "source.dl", "{path}: scopeName");
    let mut rules = Vec::new();
    textmate_rules(&grammar, &mut rules);
    assert!(!rules.is_empty(), "{path} has no rules");
    let uncovered: Vec<String> = pest_keywords()
        .into_iter()
        .filter(|word| {
            !rules.iter().any(|(regex, scopes)| {
                scopes.iter().any(|s| is_keyword_scope(s))
                    && regex_mentions(&without_negative_lookarounds(regex), word)
            })
        })
        .collect();
    assert!(
        uncovered.is_empty(),
        "{path}: no rule with a keyword.*, storage.* or constant.language.* scope matches {uncovered:?}"
    );
}

/// The groups of `syn keyword` statements: group -> words.
fn vim_keywords(syntax: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut groups: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in syntax.lines() {
        let mut words = line.split_whitespace();
        if !matches!(words.next(), Some("syn" | "syntax")) || words.next() != Some("keyword") {
            continue;
        }
        let Some(group) = words.next() else { continue };
        let options = [
            "contained",
            "transparent",
            "skipwhite",
            "skipnl",
            "skipempty",
            "conceal",
            "display",
            "fold",
        ];
        for word in words {
            if word.starts_with('"') {
                break;
            }
            if !word.contains('=') && !options.contains(&word) {
                groups
                    .entry(group.to_string())
                    .or_default()
                    .insert(word.to_string());
            }
        }
    }
    groups
}

/// `hi def link From To` statements: from -> to.
fn vim_links(syntax: &str) -> BTreeMap<String, String> {
    syntax
        .lines()
        .filter_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                [hi, "def" | "default", "link", from, to] if ["hi", "highlight"].contains(hi) => {
                    Some((from.to_string(), to.to_string()))
                }
                _ => None,
            }
        })
        .collect()
}

#[test]
fn vim_syntax_covers_every_keyword() {
    let path = "editors/vim/syntax/dl.vim";
    let syntax = read(path);
    let groups = vim_keywords(&syntax);
    let links = vim_links(&syntax);
    let keyword_groups = ["Keyword", "Structure", "Include", "Boolean", "Statement"];
    for word in pest_keywords() {
        let (group, _) = groups
            .iter()
            .find(|(_, words)| words.contains(&word))
            .unwrap_or_else(|| panic!("{path}: no `syn keyword` statement lists `{word}`"));
        let target = links
            .get(group)
            .unwrap_or_else(|| panic!("{path}: group {group} (for `{word}`) has no `hi def link`"));
        assert!(
            keyword_groups.contains(&target.as_str()),
            "{path}: `{word}` is in {group}, linked to {target}, not to one of {keyword_groups:?}"
        );
    }
}

/// The `.dl` files the editor checks run over: examples, stdlib, test fixtures.
fn dl_files() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "dl") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    for dir in ["lang-examples", "stdlib", "editors/tests/fixtures"] {
        let mut found = Vec::new();
        walk(&root().join(dir), &mut found);
        found.sort();
        files.extend(found);
    }
    assert!(
        files
            .iter()
            .any(|f| f.ends_with("lang-examples/seed/lake.dl")),
        "lang-examples/seed/lake.dl is missing"
    );
    files
        .iter()
        .map(|f| {
            f.strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

fn describe(output: &Output) -> String {
    format!(
        "exit status: {}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn vscode_grammar_tokenizes_the_examples() {
    let tests = root().join("editors/tests");
    for package in ["vscode-textmate", "vscode-oniguruma"] {
        assert!(
            tests.join("node_modules").join(package).join("package.json").is_file(),
            "the npm package {package} is missing: run `npm ci --prefix editors/tests` (needs Node.js 18 or later)"
        );
    }
    let output = common::node::run_test("editors/tests/tokenize.test.mjs", "editors/tests");
    assert!(
        output.status.success(),
        "the VS Code grammar tests failed (node --test editors/tests/tokenize.test.mjs); \
         if the npm packages are missing run `npm ci --prefix editors/tests`\n{}",
        describe(&output)
    );
}

/// A fresh directory for one test's files, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("dlc-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Runs `editors/tests/vim/check.vim` in `program` (vim or nvim) and returns the
/// problems it found; `None` when the program is not installed.
fn run_vim_check(program: &str, extra_args: &[&str]) -> Option<Vec<String>> {
    let temp = TempDir::new(program);
    let out = temp.0.join("result.txt");
    let files = dl_files();
    let config = serde_json::json!({
        "runtime": root().join("editors/vim"),
        "files": files,
        "keywords": pest_keywords(),
        "out": out,
    });
    let config_path = temp.0.join("config.json");
    fs::write(&config_path, config.to_string()).expect("write the Vim check's config");
    let output = Command::new(program)
        .args(extra_args)
        .args([
            "-N",
            "-u",
            "NONE",
            "-i",
            "NONE",
            "-n",
            "-Es",
            "-S",
            "editors/tests/vim/check.vim",
        ])
        .env("DL_VIM_CONFIG", &config_path)
        .current_dir(root())
        .output();
    let output = match output {
        Ok(output) => output,
        Err(e) if e.kind() == ErrorKind::NotFound => return None,
        Err(e) => panic!("cannot run {program}: {e}"),
    };
    let result = fs::read_to_string(&out).unwrap_or_else(|e| {
        panic!(
            "{program} wrote no result to {} ({e})\n{}",
            out.display(),
            describe(&output)
        )
    });
    let mut lines = result.lines().map(str::to_string);
    let summary = lines.next().unwrap_or_default();
    assert!(
        summary.starts_with("checked ") && summary.ends_with(&format!(" in {} files", files.len())),
        "{program}: unexpected summary {summary:?}\n{}",
        describe(&output)
    );
    assert!(
        !summary.starts_with("checked 0 "),
        "{program} checked no words: {summary}"
    );
    Some(lines.collect())
}

#[test]
fn vim_highlights_every_word_of_the_examples() {
    let problems = run_vim_check("vim", &[]).unwrap_or_else(|| {
        panic!(
            "`vim` is not on PATH: the Vim syntax check needs a Vim with +syntax \
             (Debian/Ubuntu: apt-get install vim)"
        )
    });
    assert!(
        problems.is_empty(),
        "editors/vim in Vim:\n{}",
        problems.join("\n")
    );
}

#[test]
fn neovim_highlights_every_word_of_the_examples() {
    let problems = run_vim_check("nvim", &["--headless"]).unwrap_or_else(|| {
        panic!(
            "`nvim` is not on PATH: the Neovim syntax check needs Neovim \
             (Debian/Ubuntu: apt-get install neovim; tests/run-all.sh installs it)"
        )
    });
    assert!(
        problems.is_empty(),
        "editors/vim in Neovim:\n{}",
        problems.join("\n")
    );
}
