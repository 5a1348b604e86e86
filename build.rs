//! Link settings of the `dlc` executable.

use std::env;
use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let target_os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let target_env = env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if target_os == "linux" && target_env == "gnu" {
        link_without_pie();
        if env::var("PROFILE").as_deref() == Ok("release") && links_with_rust_lld() {
            put_hot_code_first();
        }
    }
}

/// A position-independent executable carries about 5,000 relative
/// relocations that the dynamic loader applies on every start, writing each
/// page of .data.rel.ro and .got: a seed `dlc check` paid about 23 page
/// faults for them. Linked as a fixed-address executable it has none (the
/// price: the executable's own image is not randomized; the heap, stack and
/// shared libraries still are). Only the binaries link this way: the
/// library, tests, build scripts and proc-macros are unchanged, and the code
/// stays position-independent, so no crate is rebuilt.
fn link_without_pie() {
    println!("cargo:rustc-link-arg-bins=-no-pie");
}

/// The code a check, a compile and `--version` run, listed by
/// scripts/hot-symbols.sh, placed first and together: a seed check touched
/// nearly every 64 KiB of the 4.7 MB of code, a page fault each, and about
/// 30 fewer with it. A function the list does not name (new, or renamed) is
/// placed after the list, as any other, so a stale list costs only faults.
fn put_hot_code_first() {
    let list = Path::new("link/hot-symbols.txt");
    println!("cargo:rerun-if-changed={}", list.display());
    let Ok(list) = list.canonicalize() else {
        return;
    };
    println!(
        "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
        list.display()
    );
    println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
}

/// Whether the binaries link with rustc's own lld, the only linker here that
/// reads a symbol ordering file: the default for x86_64-unknown-linux-gnu
/// since Rust 1.90, unless a linker or linker options are chosen.
fn links_with_rust_lld() -> bool {
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    if env::var("TARGET").as_deref() != Ok("x86_64-unknown-linux-gnu")
        || env::var_os("RUSTC_LINKER").is_some()
        || env::var("CARGO_ENCODED_RUSTFLAGS").is_ok_and(|flags| flags.contains("link"))
    {
        return false;
    }
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(output) = Command::new(rustc).arg("-V").output() else {
        return false;
    };
    // `rustc 1.95.0 (59807616e 2026-04-14)`
    let version = String::from_utf8_lossy(&output.stdout);
    let minor = version
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.split('.').nth(1))
        .and_then(|minor| minor.parse::<u32>().ok());
    minor.is_some_and(|minor| minor >= 90)
}
