//! Link settings of the `dlc` executable.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // A position-independent executable carries about 5,000 relative
    // relocations that the dynamic loader applies on every start, writing
    // each page of .data.rel.ro and .got: a seed `dlc check` paid about 23
    // page faults for them. Linked as a fixed-address executable it has none
    // (the price: the executable's own image is not randomized; the heap,
    // stack and shared libraries still are). Only the binaries link this
    // way: the library, tests, build scripts and proc-macros are unchanged,
    // and the code stays position-independent, so no crate is rebuilt.
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
