//! The language server's latency: from a `didChange` to the
//! `publishDiagnostics` it causes, in-process (`Server::handle`, no
//! transport), on the seed lake and on a generated 1,000-environment lake.
//! The files live in memory: the check, not the disk, is measured.
//!
//! `cargo bench --bench lsp` measures; `cargo test --bench lsp` runs each
//! once (divan's test mode), asserting that a change publishes.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use divan::Bencher;
use dlc::lsp::Server;
use dlc::resolve::MemoryLoader;
use lsp_server::{Message, Notification};
use serde_json::json;

fn main() {
    divan::main();
}

const URI: &str = "file:///bench/lake.dl";

fn opened(text: &str) -> Message {
    Notification::new(
        "textDocument/didOpen".into(),
        json!({ "textDocument": { "uri": URI, "languageId": "dl", "version": 1, "text": text } }),
    )
    .into()
}

fn changed(text: &str) -> Message {
    Notification::new(
        "textDocument/didChange".into(),
        json!({ "textDocument": { "uri": URI, "version": 2 }, "contentChanges": [{ "text": text }] }),
    )
    .into()
}

fn publishes(replies: &[Message]) -> bool {
    replies.iter().any(
        |m| matches!(m, Message::Notification(n) if n.method == "textDocument/publishDiagnostics"),
    )
}

fn did_change(bencher: Bencher, text: String) {
    let mut loader = MemoryLoader::new();
    let mut server = Server::new(&mut loader);
    server.handle(opened(&text));
    bencher
        .with_inputs(|| changed(&text))
        .bench_local_values(|change| {
            let replies = server.handle(change);
            assert!(publishes(&replies));
            replies
        });
}

#[divan::bench]
fn did_change_seed(bencher: Bencher) {
    did_change(
        bencher,
        include_str!("../lang-examples/seed/lake.dl").to_string(),
    );
}

#[divan::bench(sample_count = 20)]
fn did_change_1000_environments(bencher: Bencher) {
    did_change(bencher, dlc::synth::lake(1_000));
}
