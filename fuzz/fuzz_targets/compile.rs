//! Check, then generate every template in memory, for any text that checks.
#![no_main]

use std::path::Path;

use dlc::driver::check_source;
use dlc::resolve::MemoryLoader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let checked = check_source("fuzz.dl", Path::new("fuzz.dl"), text.to_string(), &mut MemoryLoader::new());
    if let Some(lake) = &checked.model {
        let locate = dlc::codegen::locate_in(&checked.sources);
        // A lake that checks clean must compile: a codegen error here is a
        // check missing upstream.
        if let Err(errors) = dlc::codegen::compile(lake, None, &locate) {
            panic!("checked lake failed to compile: {errors:?}");
        }
    }
});
