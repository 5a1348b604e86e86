//! The language server's latency, in-process (`Server::handle`, no
//! transport), on the seed lake and on a generated 1,000-environment lake.
//! The files live in memory: the check, not the disk, is measured.
//!
//! A change is published in two steps (see `dlc::lsp::serve`): the check
//! without the quotas on the templates, then the quotas' findings. The
//! `first_publish` benches measure from the `didChange` to the first
//! `publishDiagnostics`; the `final_diagnostics` ones to the end of the
//! quota measuring, when the diagnostics are those of `dlc check`.
//!
//! `cargo bench --bench lsp` measures; `cargo test --bench lsp` runs each
//! once (divan's test mode), asserting that a change publishes.

#[global_allocator]
static ALLOCATOR: dlc::allocator::Mimalloc = dlc::allocator::Mimalloc;

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

/// Up to the first publish, or (`to_final`) through the quota measuring.
fn did_change(bencher: Bencher, text: String, to_final: bool) {
    let mut loader = MemoryLoader::new();
    let mut server = Server::new(&mut loader);
    server.handle(opened(&text));
    server.measure_quotas();
    bencher
        .with_inputs(|| changed(&text))
        .bench_local_values(|change| {
            let mut replies = server.handle(change);
            assert!(publishes(&replies));
            // Without it the next change skips the stale measuring, as the
            // server does for an edit that is already waiting.
            if to_final {
                replies.extend(server.measure_quotas());
            }
            replies
        });
}

fn seed() -> String {
    include_str!("../lang-examples/seed/lake.dl").to_string()
}

#[divan::bench]
fn did_change_to_first_publish_seed(bencher: Bencher) {
    did_change(bencher, seed(), false);
}

#[divan::bench]
fn did_change_to_final_diagnostics_seed(bencher: Bencher) {
    did_change(bencher, seed(), true);
}

#[divan::bench(sample_count = 20)]
fn did_change_to_first_publish_1000_environments(bencher: Bencher) {
    did_change(bencher, dlc::synth::lake(1_000), false);
}

#[divan::bench(sample_count = 20)]
fn did_change_to_final_diagnostics_1000_environments(bencher: Bencher) {
    did_change(bencher, dlc::synth::lake(1_000), true);
}
