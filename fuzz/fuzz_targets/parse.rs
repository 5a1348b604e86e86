//! The parser on any text: it must return, never panic.
#![no_main]

use dlc::diagnostic::Diagnostics;
use dlc::source::FileId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let mut diagnostics = Diagnostics::new();
    let _ = dlc::syntax::parse_module(FileId(0), text, &mut diagnostics);
});
