//! What README.md shows a newcomer works as shown: its lake excerpts check,
//! its deploy commands say which account and region they act on, and its
//! editor setups start `dlc lsp` for `.dl` files (Neovim's run in a headless
//! Neovim, Helix's parsed as TOML, Emacs's read).
//! And what the documents name is there: every `dlc` command and flag they
//! show, every repository path, every diagnostic code and every test they
//! cite by name.

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

/// The text the stub server returns for `dlc/readStdlib`.
const STDLIB_TEXT: &str = "/// Where a lake is deployed.\nrecord Environment {\n}\n";

/// Runs a README Lua block as a headless Neovim's configuration, with
/// `vim.lsp` recording the servers it is asked for instead of starting them
/// (the block must not need a `dlc lsp` to be checked) and one running stub
/// `dlc` client that answers `dlc/readStdlib`, then opens a `.dl` file.
/// Returns the file's filetype and what was recorded, and the folder.
fn neovim_with(block: &str) -> (serde_json::Value, tempfile::TempDir) {
    neovim_opening(block, "edit lake.dl")
}

/// As `neovim_with`, opening the buffer with the Ex command `open`; the
/// report also has the current buffer's lines and options.
fn neovim_opening(block: &str, open: &str) -> (serde_json::Value, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let prelude = format!(
        "\
vim.g.do_filetype_lua = 1 -- Neovim 0.7 reads vim.filetype.add only with it
_G.recorded = {{ started = {{}}, configs = {{}}, enabled = {{}}, requests = {{}}, notified = {{}} }}
vim.lsp.start = function(config) table.insert(_G.recorded.started, config) return 1 end
vim.lsp.config = function(name, config) _G.recorded.configs[name] = config end
vim.lsp.enable = function(name) table.insert(_G.recorded.enabled, name) end
vim.notify = function(message) table.insert(_G.recorded.notified, message) end
_G.clients = {{ {{ name = 'dlc', request_sync = function(method, params, timeout)
  table.insert(_G.recorded.requests, {{ method = method, params = params, timeout = timeout }})
  return {{ result = {text:?} }}
end }} }}
local function get_clients(filter)
  return vim.tbl_filter(function(c) return c.name == filter.name end, _G.clients)
end
vim.lsp.get_active_clients, vim.lsp.get_clients = get_clients, get_clients
",
        text = STDLIB_TEXT
    );
    std::fs::write(dir.path().join("prelude.lua"), prelude).unwrap();
    std::fs::write(dir.path().join("block.lua"), block).unwrap();
    std::fs::write(dir.path().join("lake.dl"), seed()).unwrap();
    let report = "lua vim.fn.writefile({ vim.fn.json_encode({ filetype = vim.bo.filetype, \
                  recorded = _G.recorded, lines = vim.api.nvim_buf_get_lines(0, 0, -1, false), \
                  buftype = vim.bo.buftype, modifiable = vim.bo.modifiable, \
                  syntax = vim.bo.syntax }) }, 'report.json')";
    let output = Command::new("nvim")
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-n"])
        .args(["--cmd", "luafile prelude.lua", "--cmd", "luafile block.lua"])
        .args(["-c", "filetype on", "-c", open, "-c", report, "-c", "qa!"])
        .current_dir(dir.path())
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run nvim ({e}): install Neovim (Debian: apt-get install neovim)")
        });
    let report = std::fs::read_to_string(dir.path().join("report.json")).unwrap_or_else(|_| {
        panic!(
            "Neovim did not run the README's block:\n{block}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (serde_json::from_str(&report).unwrap(), dir)
}

#[test]
fn the_neovim_setups_start_dlc_lsp_for_dl_files() {
    let lua = blocks("lua");
    assert_eq!(
        lua.len(),
        3,
        "the README shows two Neovim setups and the stdlib reader"
    );

    let (seen, dir) = neovim_with(&lua[0]);
    assert_eq!(seen["filetype"], "dl", "{seen}");
    let started = &seen["recorded"]["started"];
    assert_eq!(started.as_array().map(Vec::len), Some(1), "{seen}");
    assert_eq!(started[0]["name"], "dlc");
    assert_eq!(started[0]["cmd"], serde_json::json!(["dlc", "lsp"]));
    let root_dir = started[0]["root_dir"].as_str().expect("a root_dir");
    assert_eq!(
        std::fs::canonicalize(root_dir).unwrap(),
        std::fs::canonicalize(dir.path()).unwrap(),
        "the server's root is the lake's folder"
    );

    let (seen, _dir) = neovim_with(&lua[1]);
    assert_eq!(seen["filetype"], "dl", "{seen}");
    let config = &seen["recorded"]["configs"]["dlc"];
    assert_eq!(config["cmd"], serde_json::json!(["dlc", "lsp"]), "{seen}");
    assert_eq!(config["filetypes"], serde_json::json!(["dl"]));
    assert_eq!(seen["recorded"]["enabled"], serde_json::json!(["dlc"]));
}

#[test]
fn the_neovim_stdlib_reader_opens_dlc_std_documents_from_the_server() {
    let lua = blocks("lua");
    let reader = &lua[2];
    // Where go to definition lands: Neovim's LSP client makes a buffer of the
    // location's URI (tests/lsp.rs checks the server gives this one).
    let jump = "lua vim.api.nvim_win_set_buf(0, vim.uri_to_bufnr('dlc-std:std/environment.dl'))";

    let (seen, _dir) = neovim_opening(&format!("{}\n{reader}", lua[0]), jump);
    let requests = &seen["recorded"]["requests"];
    assert_eq!(requests.as_array().map(Vec::len), Some(1), "{seen}");
    assert_eq!(requests[0]["method"], "dlc/readStdlib");
    assert_eq!(
        requests[0]["params"],
        serde_json::json!({ "uri": "dlc-std:std/environment.dl" })
    );
    let lines: Vec<&str> = STDLIB_TEXT.lines().collect();
    assert_eq!(seen["lines"], serde_json::json!(lines), "{seen}");
    assert_eq!(seen["modifiable"], false, "stdlib documents are read-only");
    assert_eq!(seen["buftype"], "nofile");
    assert_eq!(seen["syntax"], "dl");
    assert_eq!(seen["filetype"], "", "no filetype: no FileType autocommand");
    assert_eq!(
        seen["recorded"]["started"],
        serde_json::json!([]),
        "the stdlib document starts no server of its own"
    );
    assert_eq!(seen["recorded"]["notified"], serde_json::json!([]));

    // Without a running dlc lsp the reader says so instead of showing nothing.
    let (seen, _dir) = neovim_opening(&format!("_G.clients = {{}}\n{reader}"), jump);
    let notified = &seen["recorded"]["notified"];
    assert_eq!(notified.as_array().map(Vec::len), Some(1), "{seen}");
    assert!(
        notified[0]
            .as_str()
            .is_some_and(|m| m.contains("dlc-std:std/environment.dl")),
        "{seen}"
    );
}

#[test]
fn the_helix_setup_is_toml_that_runs_dlc_lsp_for_dl_files() {
    let [block] = blocks("toml").try_into().expect("one Helix block");
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python3");
    let python = if venv.is_file() {
        venv
    } else {
        "python3".into()
    };
    let parse = "import json, sys, tomllib; print(json.dumps(tomllib.loads(sys.argv[1])))";
    let output = Command::new(&python)
        .args(["-c", parse, &block])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {} ({e}): Python 3.11 or later",
                python.display()
            )
        });
    assert!(
        output.status.success(),
        "the Helix block is not TOML:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let config: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let server = &config["language-server"]["dlc"];
    assert_eq!(server["command"], "dlc");
    assert_eq!(server["args"], serde_json::json!(["lsp"]));
    let language = &config["language"][0];
    assert_eq!(language["name"], "dl");
    assert_eq!(language["file-types"], serde_json::json!(["dl"]));
    assert_eq!(language["language-servers"], serde_json::json!(["dlc"]));
    assert_eq!(language["comment-tokens"], "//");
}

#[test]
fn the_emacs_setup_gives_eglot_dlc_lsp_for_dl_files() {
    // Not run in an Emacs: its parentheses balance, and it names the server
    // and the file pattern.
    let [block] = blocks("elisp").try_into().expect("one Emacs block");
    let mut depth = 0i32;
    let mut in_string = false;
    let mut escaped = false;
    for c in block.chars() {
        match (in_string, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (true, false, '"') => in_string = false,
            (false, _, '"') => in_string = true,
            (false, _, '(') => depth += 1,
            (false, _, ')') => depth -= 1,
            _ => {}
        }
        assert!(depth >= 0, "a `)` closes nothing:\n{block}");
    }
    assert_eq!((depth, in_string), (0, false), "unbalanced:\n{block}");
    assert!(block.contains("(add-to-list 'eglot-server-programs '(dl-mode \"dlc\" \"lsp\"))"));
    assert!(block.contains("(add-to-list 'auto-mode-alist '(\"\\\\.dl\\\\'\" . dl-mode))"));
    assert!(block.contains("(define-derived-mode dl-mode "));
    assert!(block.contains("(add-hook 'dl-mode-hook #'eglot-ensure)"));
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

/// The documents whose commands, paths and codes the tests below hold to
/// the code.
const DOCS: &[&str] = &[
    "README.md",
    "tests/README.md",
    "docs/output.md",
    "BENCHMARKS.md",
    "editors/README.md",
    "editors/vscode/README.md",
];

fn doc(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The code of a Markdown document: each fenced block's lines and each
/// inline code span (a span that wraps a line is joined with a space).
fn code_of(text: &str) -> Vec<String> {
    let mut code = Vec::new();
    let mut prose = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if fenced {
            code.push(line.to_string());
        } else {
            prose.push_str(line);
            prose.push('\n');
        }
    }
    code.extend(
        prose
            .split('`')
            .skip(1)
            .step_by(2)
            .map(|span| span.replace('\n', " ")),
    );
    code
}

fn dlc_help(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_dlc"))
        .args(args)
        .arg("--help")
        .output()
        .expect("dlc runs");
    assert!(output.status.success(), "dlc {args:?} --help fails");
    String::from_utf8(output.stdout).expect("UTF-8 help")
}

/// The subcommands `dlc --help` lists.
fn subcommands() -> Vec<String> {
    let help = dlc_help(&[]);
    let listed = help
        .split("Commands:\n")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .expect("a Commands section");
    listed
        .lines()
        .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// Every `dlc SUBCOMMAND --flag ...` the documents show is a subcommand and
/// flags that `dlc --help` and `dlc SUBCOMMAND --help` list.
#[test]
fn every_command_and_flag_the_docs_show_exists() {
    let subcommands = subcommands();
    let mut shown = 0;
    for name in DOCS {
        for code in code_of(&doc(name)) {
            let mut rest = code.as_str();
            while let Some(at) = rest.find("dlc ") {
                let preceded = rest[..at].chars().last();
                let command = &rest[at + 4..];
                rest = command;
                if preceded.is_some_and(|c| c.is_alphanumeric() || "-_./".contains(c)) {
                    continue;
                }
                // The command ends where the shell, a table cell, a comment or
                // a code span (in a fenced file tree) does.
                let end = command
                    .find(['|', '&', ';', '#', '>', ')', '`'])
                    .unwrap_or(command.len());
                let words: Vec<&str> = command[..end].split_whitespace().collect();
                let Some(first) = words.first() else { continue };
                let (help_of, flags): (Vec<&str>, &[&str]) = if first.starts_with('-') {
                    (vec![], &words[..])
                } else {
                    assert!(
                        subcommands.iter().any(|s| s == first),
                        "{name} shows `dlc {first}`, which `dlc --help` does not list: {code}"
                    );
                    (vec![*first], &words[1..])
                };
                let help = dlc_help(&help_of);
                for flag in flags.iter().filter(|w| w.starts_with('-') && w.len() > 1) {
                    let flag = flag.trim_start_matches('[').trim_end_matches([']', ',']);
                    let flag = flag.split('=').next().unwrap_or(flag);
                    assert!(
                        help.contains(&format!("{flag} ")) || help.contains(&format!("{flag},"))
                            || help.contains(&format!("{flag}\n")),
                        "{name} shows `dlc {}` with `{flag}`, which its --help does not list: {code}",
                        help_of.join(" ")
                    );
                }
                shown += 1;
            }
        }
    }
    assert!(
        shown > 20,
        "only {shown} commands found: is the parsing broken?"
    );
}

/// Every file or folder of the repository the documents name exists (those
/// that installs create, like `node_modules`, aside).
#[test]
fn every_path_the_docs_name_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tops = [
        "tests/",
        "src/",
        "benches/",
        "editors/",
        "scripts/",
        "docs/",
        "stdlib/",
        "lang-examples/",
        "grammar/",
        "fuzz/",
    ];
    let mut named = 0;
    for name in DOCS {
        let text = doc(name);
        let starts = tops
            .iter()
            .flat_map(|top| text.match_indices(top).map(|(at, _)| at));
        for at in starts {
            if at > 0 && !text[..at].ends_with(['`', '(', ' ', '\n', '[', '"']) {
                continue;
            }
            let path: String = text[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || "_./-".contains(*c))
                .collect();
            let path = path.trim_end_matches(['.', ',']);
            let generated = path.contains("node_modules") || path.ends_with(".snap.new");
            let pattern = text[at + path.len()..].starts_with(['<', '*', '{']);
            if generated || pattern {
                continue;
            }
            assert!(
                root.join(path).exists(),
                "{name} names `{path}`, which does not exist"
            );
            named += 1;
        }
    }
    assert!(
        named > 50,
        "only {named} paths found: is the parsing broken?"
    );
}

/// Every diagnostic code the documents name is one `dlc explain` knows.
#[test]
fn every_code_the_docs_name_exists() {
    let mut named = std::collections::BTreeSet::new();
    for name in DOCS {
        let text = doc(name);
        for (at, _) in text.match_indices("DL") {
            let digits = &text[at + 2..];
            let code: String = digits.chars().take_while(char::is_ascii_digit).collect();
            let before = text[..at].chars().last();
            if code.len() == 4 && !before.is_some_and(char::is_alphanumeric) {
                named.insert(format!("DL{code}"));
            }
        }
    }
    assert!(
        named.len() > 10,
        "only {named:?} found: is the parsing broken?"
    );
    for code in &named {
        let output = Command::new(env!("CARGO_BIN_EXE_dlc"))
            .args(["explain", code])
            .output()
            .expect("dlc runs");
        assert!(
            output.status.success(),
            "the docs name {code}, which dlc does not know"
        );
    }
}

/// Every test the documents cite by file and name (`tests/diff.rs`,
/// `some_test` or `tests/diff.rs` (`some_test`); a name ending in `...` is a
/// prefix) is a function of that file.
#[test]
fn every_test_the_docs_cite_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let citation =
        regex::Regex::new(r"`(tests/[\w/]+\.rs)`(?:,| \()\s*((?:`[\w.]+`(?:,| and|\s)*)+)")
            .expect("a valid pattern");
    let name = regex::Regex::new(r"`([\w.]+)`").expect("a valid pattern");
    let mut cited = 0;
    for doc_name in DOCS {
        let text = doc(doc_name);
        for found in citation.captures_iter(&text) {
            let file = &found[1];
            let source = std::fs::read_to_string(root.join(file))
                .unwrap_or_else(|e| panic!("{doc_name} cites {file}: {e}"));
            for test in name.captures_iter(&found[2]) {
                let test = &test[1];
                let exists = match test.strip_suffix("...") {
                    Some(prefix) => source.contains(&format!("fn {prefix}")),
                    None => source.contains(&format!("fn {test}(")),
                };
                assert!(
                    exists,
                    "{doc_name} cites `{test}` in {file}, which has no such test"
                );
                cited += 1;
            }
        }
    }
    assert!(
        cited > 5,
        "only {cited} tests cited: is the parsing broken?"
    );
}

/// tests/README.md says what each test file proves: every `tests/*.rs` has
/// its row, and every row names a file that exists.
#[test]
fn tests_readme_has_a_row_for_every_test_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = doc("tests/README.md");
    let rows: std::collections::BTreeSet<String> = text
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .filter(|file| file.ends_with(".rs"))
        .map(str::to_string)
        .collect();
    let files: std::collections::BTreeSet<String> = std::fs::read_dir(root.join("tests"))
        .expect("tests/")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".rs"))
        .collect();
    assert_eq!(
        files.difference(&rows).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "test files tests/README.md does not describe"
    );
    assert_eq!(
        rows.difference(&files).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "rows of tests/README.md for files that do not exist"
    );
}

/// The README opens with what `dlc check` prints for a mistake: that block
/// is the real output, whole, for the seed lake with Dev's account one digit
/// short.
#[test]
fn the_opening_example_is_what_dlc_check_prints() {
    let [shown] = blocks("text")
        .into_iter()
        .filter(|block| block.starts_with("error[DL0204]"))
        .collect::<Vec<_>>()
        .try_into()
        .expect("one example of dlc check's output");
    let lake = seed().replacen("\"222222222222\"", "\"22222222222\"", 1);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lake.dl"), lake).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_dlc"))
        .args(["check", "--color", "never", "lake.dl"])
        .current_dir(dir.path())
        .output()
        .expect("dlc runs");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&output.stdout), shown);
}

/// The README's commands table has a row for every subcommand `dlc --help`
/// lists, so a new command comes with its exit statuses.
#[test]
fn the_commands_table_has_every_subcommand() {
    let readme = readme();
    let rows: Vec<&str> = readme
        .lines()
        .filter_map(|line| line.strip_prefix("| `dlc "))
        .filter_map(|rest| rest.split([' ', '`']).next())
        .collect();
    for subcommand in subcommands().iter().filter(|s| *s != "help") {
        assert!(
            rows.contains(&subcommand.as_str()),
            "the README's commands table has no row for `dlc {subcommand}`: add what it does and its exit statuses"
        );
    }
}
