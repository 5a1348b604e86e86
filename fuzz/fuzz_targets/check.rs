//! The whole front end, to diagnostics, on any bytes. Every error must carry
//! a code and a span inside its file.
#![no_main]

use std::path::Path;

use dlc::driver::check_bytes;
use dlc::resolve::MemoryLoader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let checked = check_bytes("fuzz.dl", Path::new("fuzz.dl"), bytes.to_vec(), &mut MemoryLoader::new());
    for diagnostic in &checked.diagnostics {
        let file = checked.sources.get(diagnostic.primary.span.file);
        assert!(diagnostic.primary.span.end as usize <= file.text.len());
        assert!(diagnostic.primary.span.start <= diagnostic.primary.span.end);
    }
});
