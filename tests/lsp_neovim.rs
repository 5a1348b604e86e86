//! A real client: Neovim's built-in LSP client runs `dlc lsp` on a copy of
//! the seed lake, sees the overlap an edit makes, applies the code action,
//! and the saved file then checks clean (tests/lsp_neovim/overlap.lua).

mod common;

use std::io::ErrorKind;
use std::path::Path;
use std::process::Command;

#[test]
fn neovim_fixes_an_overlap_with_the_servers_code_action() {
    let dir = common::scratch_dir("lsp_neovim").canonicalize().unwrap();
    let lake = dir.join("lake.dl");
    std::fs::copy("lang-examples/seed/lake.dl", &lake).unwrap();
    let result = dir.join("result.txt");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp_neovim/overlap.lua");
    let output = Command::new("nvim")
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-n", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("DLC", env!("CARGO_BIN_EXE_dlc"))
        .env("DLC_LAKE", &lake)
        .env("DLC_RESULT", &result)
        .output();
    let output = match output {
        Ok(output) => output,
        Err(e) if e.kind() == ErrorKind::NotFound => panic!(
            "`nvim` is not on PATH: this test needs Neovim \
             (Debian/Ubuntu: apt-get install neovim; tests/run-all.sh installs it)"
        ),
        Err(e) => panic!("cannot run nvim: {e}"),
    };
    let said = std::fs::read_to_string(&result).unwrap_or_else(|e| {
        panic!(
            "nvim wrote no result ({e})\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert_eq!(said, "ok");

    let saved = std::fs::read_to_string(&lake).unwrap();
    assert!(
        !saved.contains("10.20.0.0/24"),
        "the edit was saved:\n{saved}"
    );
    let check = Command::new(env!("CARGO_BIN_EXE_dlc"))
        .arg("check")
        .arg(&lake)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "the fixed lake checks clean:\n{}",
        String::from_utf8_lossy(&check.stdout)
    );
}
