//! Throughput of each stage on synthetic lakes of 1 to 10,000 environments,
//! of the check of 10,000 environments sharing one range, and of the overlap
//! check alone on 1,000 to 100,000 ranges.
//!
//! `cargo bench --bench compiler` measures. `cargo test --all-targets` runs
//! each bench once (divan's test mode, as the test suite does) on the small
//! sizes only, and so does `DLC_BENCH_QUICK=1`: they assert nothing.
//! BENCHMARKS.md has the numbers and the whole-process measurements.

// The allocator of the `dlc` binary, so that these numbers are its numbers.
#[global_allocator]
static ALLOCATOR: dlc::allocator::Mimalloc = dlc::allocator::Mimalloc;

use std::path::Path;

use divan::Bencher;
use dlc::checks::cidr::{overlapping_pairs, Occupied};
use dlc::diagnostic::Diagnostics;
use dlc::driver::check_source;
use dlc::host::FsLoader;
use dlc::source::FileId;
use dlc::synth;

fn main() {
    divan::main();
}

/// Small sizes only: under `cargo test` (cargo passes `--bench` only to a
/// real benchmark run) or when asked.
fn quick() -> bool {
    std::env::var_os("DLC_BENCH_QUICK").is_some() || !std::env::args().any(|a| a == "--bench")
}

fn environments() -> Vec<usize> {
    if quick() {
        vec![1, 10]
    } else {
        vec![1, 10, 100, 1_000, 10_000]
    }
}

fn ranges() -> Vec<usize> {
    if quick() {
        vec![1_000]
    } else {
        vec![1_000, 10_000, 100_000]
    }
}

/// The overlap check's worst case, every environment on one range.
fn shared_range_environments() -> Vec<usize> {
    if quick() {
        vec![100]
    } else {
        vec![10_000]
    }
}

fn checked(envs: usize) -> dlc::driver::Checked {
    let checked = check_source(
        "synthetic.dl",
        Path::new("synthetic.dl"),
        synth::lake(envs),
        &mut FsLoader,
    );
    assert!(checked.model.is_some(), "the synthetic lake checks clean");
    checked
}

#[divan::bench(args = environments(), sample_count = 5, sample_size = 1)]
fn parse(bencher: Bencher, envs: usize) {
    let text = synth::lake(envs);
    bencher
        .counter(divan::counter::BytesCount::of_str(&text))
        .bench(|| dlc::syntax::parse_module(FileId(0), &text, &mut Diagnostics::new()));
}

#[divan::bench(args = environments(), sample_count = 5, sample_size = 1)]
fn check(bencher: Bencher, envs: usize) {
    let text = synth::lake(envs);
    bencher
        .counter(divan::counter::ItemsCount::new(envs))
        .with_inputs(|| text.clone())
        .bench_values(|text| {
            check_source(
                "synthetic.dl",
                Path::new("synthetic.dl"),
                text,
                &mut FsLoader,
            )
        });
}

/// Shared range, 10,000 environments: all on one VPC range from one `let`.
/// The overlap check reports the group once (one pair per diagnostic took
/// 40.8 s at 6,000), so this costs what a clean check of as many does.
#[divan::bench(args = shared_range_environments(), sample_count = 3, sample_size = 1)]
fn check_shared_range(bencher: Bencher, envs: usize) {
    let text = synth::shared_range_lake(envs);
    bencher
        .counter(divan::counter::ItemsCount::new(envs))
        .with_inputs(|| text.clone())
        .bench_values(|text| {
            let checked = check_source("shared.dl", Path::new("shared.dl"), text, &mut FsLoader);
            assert_eq!(checked.diagnostics.len(), 1, "one DL0303 for the group");
            checked
        });
}

#[divan::bench(args = environments(), sample_count = 5, sample_size = 1)]
fn compile_in_memory(bencher: Bencher, envs: usize) {
    let checked = checked(envs);
    let lake = checked.model.as_ref().expect("checked");
    let locate = dlc::codegen::locate_in(&checked.sources);
    bencher
        .counter(divan::counter::ItemsCount::new(envs))
        .bench(|| dlc::codegen::compile(lake, None, &locate).expect("compiles"));
}

/// Codegen streamed into a staging folder and swapped in, as `dlc compile`
/// does, into a new output folder each time (its removal is not timed).
#[divan::bench(args = environments(), sample_count = 3, sample_size = 1)]
fn compile_to_disk(bencher: Bencher, envs: usize) {
    let checked = checked(envs);
    let lake = checked.model.as_ref().expect("checked");
    let locate = dlc::codegen::locate_in(&checked.sources);
    bencher
        .counter(divan::counter::ItemsCount::new(envs))
        .with_inputs(|| tempfile::tempdir().expect("temp dir"))
        .bench_values(|dir| {
            write_output(lake, &locate, &dir.path().join("out"));
            dir
        });
}

/// The same, into an output folder that already holds this output: every
/// file is compared and none is written.
#[divan::bench(args = environments(), sample_count = 3, sample_size = 1)]
fn compile_unchanged(bencher: Bencher, envs: usize) {
    let checked = checked(envs);
    let lake = checked.model.as_ref().expect("checked");
    let locate = dlc::codegen::locate_in(&checked.sources);
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    write_output(lake, &locate, &out);
    bencher
        .counter(divan::counter::ItemsCount::new(envs))
        .bench(|| write_output(lake, &locate, &out));
}

fn write_output(lake: &dlc::model::Lake, locate: dlc::codegen::Locate<'_>, out: &Path) {
    let mut staging = dlc::host::output::Staging::new(out).expect("staging");
    dlc::codegen::compile_each(lake, None, locate, |file| {
        staging.write(&file.path, &file.contents)
    })
    .expect("compiles and writes");
    staging.commit().expect("commits");
}

/// The sort-and-sweep overlap check and a free-block suggestion per overlap,
/// on `synth::ranges`: /26s with one range in a hundred overlapping others.
#[divan::bench(args = ranges(), sample_count = 5, sample_size = 1)]
fn overlap_check(bencher: Bencher, count: usize) {
    let nets = synth::ranges(count);
    let pool: ipnet::Ipv4Net = "10.0.0.0/8".parse().expect("a CIDR");
    bencher
        .counter(divan::counter::ItemsCount::new(count))
        .bench(|| {
            let pairs = overlapping_pairs(&nets);
            let mut occupied = Occupied::new(nets.iter().copied());
            let suggestions = pairs
                .iter()
                .filter_map(|&(outer, _)| {
                    let net = nets[outer];
                    occupied.nearest_free(&pool, net.prefix_len(), u32::from(net.network()))
                })
                .count();
            (pairs.len(), suggestions)
        });
}
