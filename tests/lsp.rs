//! `dlc lsp`: the language server driven as an editor drives it, in-process
//! on a memory connection, and once over its real stdio transport.

mod common;

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::lsp::{apply, position, Client};
use common::scratch_dir;
use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::{json, Value};

const SEED: &str = include_str!("../lang-examples/seed/lake.dl");

/// A copy of the seed lake in a fresh folder, and its URI.
fn seed_copy(name: &str) -> (PathBuf, String) {
    let dir = scratch_dir(name).canonicalize().unwrap();
    let path = dir.join("lake.dl");
    std::fs::write(&path, SEED).unwrap();
    let uri = url(&path);
    (path, uri)
}

fn url(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn codes(diagnostics: &Value) -> Vec<String> {
    diagnostics
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn errors(diagnostics: &Value) -> Vec<&Value> {
    diagnostics
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == 1)
        .collect()
}

/// Dev's range made to overlap Prod's.
fn overlapping() -> String {
    SEED.replace("cidr = 10.20.0.0/24", "cidr = 10.0.0.0/25")
}

#[test]
fn an_overlap_is_reported_on_change_and_its_code_action_fixes_it() {
    let (_, uri) = seed_copy("lsp_overlap");
    let mut client = Client::start();
    let opened = client.open(&uri, SEED);
    assert!(errors(&opened[&uri]).is_empty(), "{:#}", opened[&uri]);

    let text = overlapping();
    let changed = client.change(&uri, &text);
    let diagnostics = &changed[&uri];
    let overlap = errors(diagnostics)[0];
    assert_eq!(overlap["source"], "dlc");
    assert!(
        overlap["message"].as_str().unwrap().contains("overlap"),
        "{overlap:#}"
    );
    assert!(
        overlap["relatedInformation"]
            .as_array()
            .is_some_and(|r| !r.is_empty()),
        "secondary labels become related information: {overlap:#}"
    );

    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": overlap["range"],
            "context": { "diagnostics": [overlap] },
        }),
    );
    let action = &actions[0];
    assert_eq!(action["kind"], "quickfix");

    // While the lake has the error, the CIDR's hover shows its neighbours.
    let hover = client.at(
        "textDocument/hover",
        &uri,
        position(&text, "10.0.0.0/25", 0, 1),
    );
    let hover = hover["contents"]["value"].as_str().unwrap();
    assert!(hover.contains("(VPC of Prod)"), "{hover}");

    let fixed = apply(&text, &action["edit"]["changes"][&uri]);
    let after = client.change(&uri, &fixed);
    assert!(errors(&after[&uri]).is_empty(), "{:#}", after[&uri]);
}

#[test]
fn columns_are_utf16_code_units_on_a_line_with_non_ascii_text() {
    let (_, uri) = seed_copy("lsp_utf16");
    let text = SEED.replace(
        "    retention = destroy",
        "    tags = { owner = \"Zoë 𝄞\" }, retention = destroi",
    );
    let mut client = Client::start();
    let published = client.open(&uri, &text);
    let typo = published[&uri]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "DL0205")
        .unwrap()
        .clone();
    assert_eq!(typo["range"]["start"], position(&text, "destroi", 0, 0));
    // 𝄞 is two UTF-16 units: a count of characters would be one short.
    let line = text.lines().find(|l| l.contains("destroi")).unwrap();
    let chars = line[..line.find("destroi").unwrap()].chars().count();
    assert_eq!(typo["range"]["start"]["character"], chars + 1);

    // The did-you-mean's edit lands on the same units.
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": typo["range"], "context": { "diagnostics": [] } }),
    );
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("destroy"))
        .unwrap();
    let fixed = apply(&text, &action["edit"]["changes"][&uri]);
    assert!(fixed.contains("}, retention = destroy\n"), "{fixed}");
}

#[test]
fn an_error_in_an_imported_file_shows_in_both_files() {
    let dir = scratch_dir("lsp_import").canonicalize().unwrap();
    let lake = SEED.replace(
        "    zones = [{ name = \"raw\" }, { name = \"conformed\" }, { name = \"purpose-built\" }]",
        "    zones = dev_zones",
    );
    let lake = format!("import \"zones.dl\"\n{lake}");
    std::fs::write(dir.join("lake.dl"), &lake).unwrap();
    std::fs::write(
        dir.join("zones.dl"),
        "let dev_zones = [{ name = \"raw\" }]\n",
    )
    .unwrap();
    let (lake_uri, zones_uri) = (url(&dir.join("lake.dl")), url(&dir.join("zones.dl")));

    let mut client = Client::start();
    let published = client.open(&lake_uri, &lake);
    assert!(
        errors(&published[&lake_uri]).is_empty(),
        "{:#}",
        published[&lake_uri]
    );

    // An unsaved buffer of the module, different from the disk, is what counts.
    let broken = "let dev_zones = [{ name = \"raw\" }]\nlet unfinished =\n";
    let published = client.open(&zones_uri, broken);
    let in_module = codes(&published[&zones_uri]);
    assert!(!in_module.is_empty(), "{published:#?}");
    let on_import = errors(&published[&lake_uri]);
    assert_eq!(on_import.len(), 1, "{:#}", published[&lake_uri]);
    assert_eq!(on_import[0]["range"]["start"]["line"], 0);
    assert!(on_import[0]["message"]
        .as_str()
        .unwrap()
        .contains("zones.dl"));
    let related = &on_import[0]["relatedInformation"][0]["location"]["uri"];
    assert_eq!(related, &json!(zones_uri));

    // Fixed in the buffer: both files clear.
    let published = client.change(&zones_uri, "let dev_zones = [{ name = \"raw\" }]\n");
    assert!(published[&zones_uri].as_array().unwrap().is_empty());
    assert!(errors(&published[&lake_uri]).is_empty());
}

#[test]
fn hover_tells_a_fields_doc_what_an_environment_compiles_to_a_cidr_plan_and_a_variants_doc() {
    let (_, uri) = seed_copy("lsp_hover");
    let mut client = Client::start();
    client.open(&uri, SEED);
    let hover = |client: &mut Client, needle: &str, nth: usize| -> String {
        let result = client.at("textDocument/hover", &uri, position(SEED, needle, nth, 1));
        result["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let field = hover(&mut client, "retention", 1);
    assert!(field.contains("retention: Retention"), "{field}");
    assert!(field.contains("A field of `Environment`"), "{field}");

    let env = hover(&mut client, "Dev {", 0);
    assert!(env.contains("`DevDataLakeCDKBlogNetwork`"), "{env}");
    assert!(
        env.contains("`dev-cdkblog-e2e-222222222222-us-east-2-raw`"),
        "{env}"
    );

    let cidr = hover(&mut client, "10.20.0.0/24", 0);
    assert!(cidr.contains("subnets over"), "{cidr}");
    assert!(
        cidr.contains("nearest below: `10.10.0.0/24` (VPC of Test)"),
        "{cidr}"
    );

    let variant = hover(&mut client, "glacier, after", 0);
    assert!(variant.contains("StorageClass.glacier"), "{variant}");
}

#[test]
fn definitions_and_references_reach_lets_environments_and_the_stdlib() {
    let (_, uri) = seed_copy("lsp_definition");
    let mut client = Client::start();
    client.open(&uri, SEED);

    let definition = client.at(
        "textDocument/definition",
        &uri,
        position(SEED, "= home", 1, 3),
    );
    assert_eq!(definition["uri"], json!(uri));
    assert_eq!(definition["range"]["start"], position(SEED, "home", 0, 0));

    let parent = client.at(
        "textDocument/definition",
        &uri,
        position(SEED, "extends Dev", 0, 9),
    );
    assert_eq!(parent["range"]["start"], position(SEED, "Dev {", 0, 0));

    let field = client.at(
        "textDocument/definition",
        &uri,
        position(SEED, "retention", 1, 1),
    );
    let std_uri = field["uri"].as_str().unwrap().to_string();
    assert_eq!(std_uri, "dlc-std:std/environment.dl");
    let text = client.request("dlc/readStdlib", json!({ "uri": std_uri }));
    assert!(text.as_str().unwrap().contains("record Environment"));

    let references = client.at(
        "textDocument/references",
        &uri,
        position(SEED, "home", 0, 1),
    );
    assert_eq!(references.as_array().unwrap().len(), 3, "{references:#}");
}

#[test]
fn completion_offers_missing_fields_variants_environments_and_files() {
    let (path, uri) = seed_copy("lsp_completion");
    std::fs::write(path.with_file_name("zones.dl"), "let z = 1\n").unwrap();
    let labels = |items: &Value| -> Vec<String> {
        items
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    let mut client = Client::start();

    let text = SEED.replace(
        "    retention = destroy\n",
        "    retention = destroy\n    \n",
    );
    client.open(&uri, &text);
    let at_key = position(&text, "destroy\n    \n", 0, "destroy\n    ".len());
    let items = client.at("textDocument/completion", &uri, at_key);
    let fields = labels(&items);
    assert!(fields.contains(&"warehouse".to_string()), "{fields:?}");
    assert!(
        !fields.contains(&"account".to_string()),
        "written already: {fields:?}"
    );
    let warehouse = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "warehouse")
        .unwrap();
    assert!(
        warehouse["documentation"]["value"].is_string(),
        "{warehouse:#}"
    );

    let text = SEED.replace("    retention = retain", "    retention = ");
    client.change(&uri, &text);
    let at_value = position(&text, "retention = \n", 0, "retention = ".len());
    let variants = labels(&client.at("textDocument/completion", &uri, at_value));
    assert_eq!(variants, ["destroy", "retain"]);

    let text = SEED.replace("env Test extends Dev", "env Test extends ");
    client.change(&uri, &text);
    let after_extends = position(&text, "extends ", 0, "extends ".len());
    let envs = labels(&client.at("textDocument/completion", &uri, after_extends));
    assert!(
        envs.contains(&"Dev".to_string()) && envs.contains(&"Prod".to_string()),
        "{envs:?}"
    );

    let text = format!("import \"\n{SEED}");
    client.change(&uri, &text);
    let files = labels(&client.at(
        "textDocument/completion",
        &uri,
        json!({ "line": 0, "character": 8 }),
    ));
    assert_eq!(files, ["zones.dl"]);
}

#[test]
fn a_file_that_does_not_parse_still_answers_hover_and_completion() {
    let (_, uri) = seed_copy("lsp_broken");
    // Dev loses its branch's value: a syntax error inside Dev.
    let text = SEED.replace("    branch = \"main\"\n", "    branch = \n    \n");
    let mut client = Client::start();
    let published = client.open(&uri, &text);
    assert!(!errors(&published[&uri]).is_empty());

    let hover = client.at("textDocument/hover", &uri, position(&text, "home", 0, 1));
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("let home"),
        "{hover:#}"
    );

    let at_key = position(&text, "branch = \n    \n", 0, "branch = \n    ".len());
    let items = client.at("textDocument/completion", &uri, at_key);
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"warehouse"), "{labels:?}");
}

#[test]
fn a_missing_required_field_gets_a_stub() {
    let (_, uri) = seed_copy("lsp_stub");
    let text = SEED.replace("    account = \"222222222222\"\n", "");
    let mut client = Client::start();
    let published = client.open(&uri, &text);
    let missing = published[&uri]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains("`account`"))
        .unwrap()
        .clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": missing["range"], "context": { "diagnostics": [] } }),
    );
    let stub = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Add `account = "))
        .unwrap_or_else(|| panic!("{actions:#}"));
    let fixed = apply(&text, &stub["edit"]["changes"][&uri]);
    assert!(
        fixed.contains("    account = \"\"\n}\n\n/// Test"),
        "{fixed}"
    );

    // On one line, after the record's type name.
    let start = SEED.find("source = GitHubConnection {").unwrap();
    let end = start + SEED[start..].find("\n    }").unwrap() + "\n    }".len();
    let text = format!(
        "{}source = GitHubConnection {{}}{}",
        &SEED[..start],
        &SEED[end..]
    );
    let published = client.change(&uri, &text);
    let missing = errors(&published[&uri])[0].clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": missing["range"], "context": { "diagnostics": [] } }),
    );
    let fixed = apply(&text, &actions[0]["edit"]["changes"][&uri]);
    let stubbed = ["repository", "connection"]
        .map(|field| format!("source = GitHubConnection {{ {field} = \"\" }}\n"));
    assert!(stubbed.iter().any(|s| fixed.contains(s)), "{fixed}");
}

#[test]
fn inlay_hints_formatting_and_symbols() {
    let (_, uri) = seed_copy("lsp_inlay");
    let mut client = Client::start();
    client.open(&uri, SEED);
    let range =
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 999, "character": 0 } });
    let hints = client.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": uri }, "range": range }),
    );
    let labels: Vec<&str> = hints
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"dev-cdkblog-e2e-222222222222-us-east-2-raw"),
        "{labels:?}"
    );
    assert!(
        labels.iter().any(|l| l.starts_with("subnets 10.20.0.")),
        "{labels:?}"
    );

    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["home", "DataLake", "Dev", "Test", "Prod"]);

    let untidy = SEED.replace(
        "    account = \"222222222222\"",
        "  account   =   \"222222222222\"",
    );
    client.change(&uri, &untidy);
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 4, "insertSpaces": true } }),
    );
    assert_eq!(apply(&untidy, &edits), SEED);
}

/// The real transport: `dlc lsp` as an editor starts it.
#[test]
fn dlc_lsp_speaks_over_stdio() {
    let (_, uri) = seed_copy("lsp_stdio");
    let mut server = Command::new(env!("CARGO_BIN_EXE_dlc"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = server.stdin.take().unwrap();
    let mut stdout = BufReader::new(server.stdout.take().unwrap());
    let mut send = |message: Message| {
        message.write(&mut stdin).unwrap();
        stdin.flush().unwrap();
    };
    send(
        Request::new(
            RequestId::from(1),
            "initialize".into(),
            json!({ "capabilities": {} }),
        )
        .into(),
    );
    let Some(Message::Response(initialized)) = Message::read(&mut stdout).unwrap() else {
        panic!("no response to initialize")
    };
    assert!(
        initialized.result.unwrap()["capabilities"]["inlayHintProvider"]
            .as_bool()
            .unwrap()
    );
    send(Notification::new("initialized".into(), json!({})).into());
    let text = overlapping();
    send(Notification::new(
        "textDocument/didOpen".into(),
        json!({ "textDocument": { "uri": uri, "languageId": "dl", "version": 1, "text": text } }),
    )
    .into());
    let Some(Message::Notification(published)) = Message::read(&mut stdout).unwrap() else {
        panic!("no diagnostics")
    };
    assert_eq!(published.method, "textDocument/publishDiagnostics");
    assert_eq!(published.params["version"], 1, "the buffer's version");
    assert!(!errors(&published.params["diagnostics"]).is_empty());
    send(Request::new(RequestId::from(2), "shutdown".into(), Value::Null).into());
    let Some(Message::Response(_)) = Message::read(&mut stdout).unwrap() else {
        panic!("no response to shutdown")
    };
    send(Notification::new("exit".into(), Value::Null).into());
    assert!(server.wait().unwrap().success());
}

/// An editor that goes away mid-message (or without `exit`) leaves the
/// server with a broken connection: it stops with status 2, as the README's
/// commands table says, instead of waiting for more.
#[test]
fn dlc_lsp_exits_2_when_the_connection_breaks() {
    for input in [&b"Content-Length: 40\r\n\r\n{\"jsonrpc\":"[..], &b""[..]] {
        let mut server = Command::new(env!("CARGO_BIN_EXE_dlc"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = server.stdin.take().unwrap();
        stdin.write_all(input).unwrap();
        drop(stdin);
        assert_eq!(server.wait().unwrap().code(), Some(2), "{input:?}");
    }
}

/// 1,000 edits leave the server holding what one edit does: one document,
/// one buffer, one analysis, the URIs with problems.
#[test]
fn a_thousand_edits_retain_no_more_than_one() {
    use dlc::lsp::Server;
    use dlc::resolve::MemoryLoader;

    let uri = "file:///memory/lake.dl";
    let clean = dlc::synth::lake(1);
    let broken = clean.replacen("account = ", "acount = ", 1);
    let change = |text: &str| -> Message {
        Notification::new(
            "textDocument/didChange".into(),
            json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": text }] }),
        )
        .into()
    };
    let mut loader = MemoryLoader::new();
    let mut server = Server::new(&mut loader);
    server.handle(
        Notification::new(
            "textDocument/didOpen".into(),
            json!({ "textDocument": { "uri": uri, "languageId": "dl", "version": 1, "text": clean } }),
        )
        .into(),
    );
    server.handle(change(&broken));
    let after_one = server.retained();
    assert_eq!(after_one.documents, 1);
    assert_eq!(after_one.analyses, 1);
    assert_eq!(after_one.published, 1, "the broken buffer has problems");
    for i in 0..1_000 {
        let replies = server.handle(change(if i % 2 == 0 { &clean } else { &broken }));
        assert_eq!(replies.len(), 1, "one publishDiagnostics per change");
    }
    assert_eq!(server.retained(), after_one);
}

/// A change is published twice when its lake's templates break a quota:
/// first the check without the quotas (not kept waiting for every template
/// to be built), then with them. The second is what `dlc check` reports.
#[test]
fn quota_findings_follow_the_first_publish_and_end_as_dlc_check_reports() {
    let dir = scratch_dir("lsp_quotas").canonicalize().unwrap();
    for name in ["too-many-resources.dl", "too-many-resources.import.dl"] {
        std::fs::copy(Path::new("tests/ui/checks").join(name), dir.join(name)).unwrap();
    }
    let path = dir.join("too-many-resources.dl");
    let text = std::fs::read_to_string(&path).unwrap();
    let uri = url(&path);

    let mut client = Client::start();
    let published = client.notify_publishing(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "dl", "version": 1, "text": text } }),
    );
    let lists: Vec<&Value> = published
        .iter()
        .filter(|(u, _)| *u == uri)
        .map(|(_, list)| list)
        .collect();
    assert_eq!(lists.len(), 2, "{published:#?}");
    assert!(codes(lists[0]).is_empty(), "{:#}", lists[0]);
    assert!(
        published.iter().all(|(u, _)| *u == uri),
        "only the root has problems: {published:#?}"
    );

    let cli = Command::new(env!("CARGO_BIN_EXE_dlc"))
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let cli: Value = serde_json::from_slice(&cli.stdout).unwrap();
    let expected: Vec<Value> = cli["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let at = |key: &str| d[key].as_u64().unwrap() - 1;
            json!({
                "code": d["code"],
                "severity": if d["severity"] == "error" { 1 } else { 2 },
                "message": format!("{}\nhelp: {}", d["message"].as_str().unwrap(), d["help"].as_str().unwrap()),
                "range": {
                    "start": { "line": at("line"), "character": at("column") },
                    "end": { "line": at("end_line"), "character": at("end_column") },
                },
            })
        })
        .collect();
    let last: Vec<Value> = lists[1]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            json!({
                "code": d["code"],
                "severity": d["severity"],
                "message": d["message"],
                "range": d["range"],
            })
        })
        .collect();
    assert_eq!(codes(&json!(expected)), ["DL0395", "DL0397", "DL0398"]);
    assert_eq!(last, expected);
}

/// An edit already waiting when a check ends makes that check's quota
/// measurements stale: they are skipped, and only the newer text's are
/// published. The messages are queued before the server starts, so the
/// order is fixed.
#[test]
fn a_queued_edit_skips_the_stale_quota_measuring() {
    let dir = scratch_dir("lsp_stale_quotas").canonicalize().unwrap();
    for name in ["too-many-resources.dl", "too-many-resources.import.dl"] {
        std::fs::copy(Path::new("tests/ui/checks").join(name), dir.join(name)).unwrap();
    }
    let path = dir.join("too-many-resources.dl");
    let text = std::fs::read_to_string(&path).unwrap();
    let uri = url(&path);

    let (server, client) = lsp_server::Connection::memory();
    let queue = |message: Message| client.sender.send(message).unwrap();
    queue(
        Request::new(
            RequestId::from(1),
            "initialize".into(),
            json!({ "capabilities": {} }),
        )
        .into(),
    );
    queue(Notification::new("initialized".into(), json!({})).into());
    queue(Notification::new(
        "textDocument/didOpen".into(),
        json!({ "textDocument": { "uri": uri, "languageId": "dl", "version": 1, "text": text } }),
    )
    .into());
    queue(Notification::new(
        "textDocument/didChange".into(),
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": text }] }),
    )
    .into());
    queue(Request::new(RequestId::from(2), "shutdown".into(), Value::Null).into());
    queue(Notification::new("exit".into(), Value::Null).into());
    dlc::lsp::serve(&server, &mut dlc::host::FsLoader).unwrap();

    let published: Vec<(Value, Vec<String>)> = client
        .receiver
        .try_iter()
        .filter_map(|message| match message {
            Message::Notification(n) if n.method == "textDocument/publishDiagnostics" => {
                Some((n.params["version"].clone(), codes(&n.params["diagnostics"])))
            }
            _ => None,
        })
        .collect();
    let quotas = vec!["DL0395".to_string(), "DL0397".into(), "DL0398".into()];
    assert_eq!(
        published,
        [(json!(1), vec![]), (json!(2), vec![]), (json!(2), quotas)],
        "version 1's quotas are never measured"
    );
}
