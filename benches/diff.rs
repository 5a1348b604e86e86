//! `dlc diff` from the two lakes' texts to the report: both checked,
//! compiled in memory and compared. The seed lake against itself and against
//! one-line changes (its `resource_prefix`, which replaces every bucket, and
//! Prod's lifecycle, which updates three buckets in place), and a synthetic
//! lake of 1,000 environments against itself and against one line that
//! changes every environment (its `resource_prefix`).
//!
//! `cargo bench --bench diff` measures. Under `cargo test` (or with
//! `DLC_BENCH_QUICK=1`) each bench runs once on 10 environments instead of
//! 1,000; it asserts only what each report must say.

#[global_allocator]
static ALLOCATOR: dlc::allocator::Mimalloc = dlc::allocator::Mimalloc;

use std::path::Path;

use divan::Bencher;
use dlc::diff::{self, Outcome, Side};
use dlc::driver::{check_source, Checked};
use dlc::host::FsLoader;

fn main() {
    divan::main();
}

/// Small sizes only: under `cargo test` (cargo passes `--bench` only to a
/// real benchmark run) or when asked.
fn quick() -> bool {
    std::env::var_os("DLC_BENCH_QUICK").is_some() || !std::env::args().any(|a| a == "--bench")
}

fn seed() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("lang-examples/seed/lake.dl"),
    )
    .expect("the seed lake")
}

fn check(text: String) -> Checked {
    check_source("lake.dl", Path::new("lake.dl"), text, &mut FsLoader)
}

/// Checks both texts and compares them, as `dlc diff OLD NEW` does.
fn diff(old: String, new: String) -> Outcome {
    let (old, new) = (check(old), check(new));
    diff::compare(&side(&old), &side(&new))
        .expect("a clean lake compiles")
        .outcome
}

fn side(checked: &Checked) -> Side<'_> {
    Side {
        checked,
        lake: checked.model.as_ref().expect("the lake checks clean"),
        project: Path::new(""),
    }
}

fn bench_pair(bencher: Bencher, old: String, new: String, expected: Outcome) {
    bencher
        .with_inputs(|| (old.clone(), new.clone()))
        .bench_values(|(old, new)| {
            let outcome = diff(old, new);
            assert_eq!(outcome, expected);
            outcome
        });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn seed_against_itself(bencher: Bencher) {
    bench_pair(bencher, seed(), seed(), Outcome::Unchanged);
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn seed_new_resource_prefix(bencher: Bencher) {
    let new = seed().replace("\"cdkblog-e2e\"", "\"cdkblog-e3e\"");
    bench_pair(bencher, seed(), new, Outcome::Destructive);
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn seed_new_prod_lifecycle(bencher: Bencher) {
    let new = seed().replace("expire_after = 2555d", "expire_after = 3000d");
    bench_pair(bencher, seed(), new, Outcome::Changed);
}

fn environments() -> usize {
    if quick() {
        10
    } else {
        1_000
    }
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn synthetic_against_itself(bencher: Bencher) {
    let lake = dlc::synth::lake(environments());
    bench_pair(bencher, lake.clone(), lake, Outcome::Unchanged);
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn synthetic_new_resource_prefix(bencher: Bencher) {
    let lake = dlc::synth::lake(environments());
    let new = lake.replace(
        "resource_prefix = \"synth\"",
        "resource_prefix = \"synth2\"",
    );
    bench_pair(bencher, lake, new, Outcome::Destructive);
}
