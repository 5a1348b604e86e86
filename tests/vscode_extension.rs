//! The VS Code extension starts `dlc lsp` through vscode-languageclient:
//! `editors/tests/extension.test.mjs` loads `editors/vscode/extension.js`
//! in node with a stubbed `vscode` API and the pinned vscode-languageclient
//! (`npm ci --prefix editors/vscode`), and checks the client it builds and
//! the extension's package.json. No VS Code and no `dlc lsp` are needed.

mod common;

use std::path::Path;

#[test]
fn the_vscode_extension_starts_dlc_lsp_over_stdio() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(
        root.join("editors/vscode/node_modules/vscode-languageclient/package.json")
            .is_file(),
        "vscode-languageclient is missing: run `npm ci --prefix editors/vscode` (needs Node.js 18 or later)"
    );
    let output = common::node::run_test("editors/tests/extension.test.mjs", "editors/vscode");
    assert!(
        output.status.success(),
        "the VS Code extension tests failed (node --test editors/tests/extension.test.mjs)\n\
         --- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
