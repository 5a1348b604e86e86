//! The property of tests/properties.rs with the fuzzer choosing: its bytes
//! drive the random-lake generator (tests/random_lake), so every input is a
//! lake that looks valid, and coverage guides the search through the
//! checks instead of the parser. A lake that checks clean must compile, to
//! templates within CloudFormation's quotas.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/random_lake/mod.rs"]
mod random_lake;

fuzz_target!(|bytes: &[u8]| {
    let lake = random_lake::lake(&mut random_lake::Bytes(bytes));
    let checked = lake.check_in_memory();
    if let Some(error) = &checked.internal_error {
        panic!("internal error: {error}\n{lake}");
    }
    let Some(model) = &checked.model else {
        return;
    };
    let locate = dlc::codegen::locate_in(&checked.sources);
    let output = match dlc::codegen::compile(model, None, &locate) {
        Ok(output) => output,
        Err(errors) => panic!("a lake that checks clean failed to compile: {errors:?}\n{lake}"),
    };
    let problems = random_lake::quotas::problems(&checked, &output);
    assert!(problems.is_empty(), "{}\n{lake}", problems.join("\n"));
});
