//! The formatter on any text: no panic, and for text that parses, formatting
//! is idempotent (the formatter itself checks that meaning and comments are
//! kept, and reports an internal error otherwise, which fails here).
#![no_main]

use dlc::fmt::{format_source, FormatError};
use dlc::source::FileId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match format_source(FileId(0), text) {
        Ok(formatted) => {
            let again = format_source(FileId(0), &formatted).expect("formatted text parses");
            assert_eq!(again, formatted, "formatting is idempotent");
        }
        Err(FormatError::Syntax(_)) => {}
        Err(FormatError::Internal(message)) => panic!("formatter broke the file: {message}"),
    }
});
