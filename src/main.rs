// The executable starts at C's `main`, not Rust's: Rust's start-up asks
// glibc for the main thread's stack bounds (to report a stack overflow by
// name), and glibc finds them by reading /proc/self/maps with sscanf, about
// 0.1 M instructions, 2 % of a seed check. The parser bounds its nesting
// (`parser::MAX_NESTING`), so a stack overflow is not a way dlc ends; if it
// happened it would be a plain SIGSEGV. What else Rust's start-up does is
// done below: the standard descriptors, standard output flushed at the end,
// and a panic's exit status. Tests build with the test harness's own main.
#![cfg_attr(not(test), no_main)]

use std::ffi::c_int;

#[global_allocator]
static ALLOCATOR: dlc::allocator::Mimalloc = dlc::allocator::Mimalloc;

/// The status Rust gives a program whose main thread panicked.
#[cfg_attr(test, allow(dead_code))]
const PANICKED: c_int = 101;

#[cfg(not(test))]
#[unsafe(no_mangle)]
extern "C" fn main(_argc: c_int, _argv: *const *const std::ffi::c_char) -> c_int {
    open_missing_standard_descriptors();
    return_freed_memory_sooner();
    // The arguments reach `std::env::args` from glibc at load time (Rust's
    // `.init_array` hook), not from these parameters.
    let status = match std::panic::catch_unwind(dlc::cli::run) {
        Ok(status) => c_int::from(status.code()),
        Err(_) => PANICKED,
    };
    // Rust's start-up flushes standard output at exit; C's `exit` does not
    // know Rust's buffer. An error here has nowhere left to be told.
    let _ = std::io::Write::flush(&mut std::io::stdout());
    status
}

/// mimalloc's option `purge_delay`, by its index in `mi_option_t` (the
/// `mimalloc.h` of mimalloc 3, which libmimalloc-sys 0.1.49 builds): the
/// Rust binding names no constant for it. The test below checks the index.
const MI_OPTION_PURGE_DELAY: c_int = 15;

unsafe extern "C" {
    fn mi_option_set(option: c_int, value: std::ffi::c_long);
    #[cfg(test)]
    fn mi_option_get(option: c_int) -> std::ffi::c_long;
}

/// mimalloc 3 keeps freed memory for a second before giving it back, so the
/// syntax trees and evaluated values a compile drops stayed resident while
/// the manifest and templates were made: a 10,000-environment compile peaked
/// 30 MB higher. 10 ms (mimalloc 2's default) gives it back within the
/// compile; a seed check's page faults are the same either way.
#[cfg_attr(test, allow(dead_code))]
fn return_freed_memory_sooner() {
    // SAFETY: sets one of mimalloc's integer options; no memory is touched.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, 10) }
}

/// A descriptor 0, 1 or 2 the parent closed would be the next file dlc
/// opens, and diagnostics would be written into a template. Rust's start-up
/// points a closed one at /dev/null; so does this, in the same way. SIGPIPE
/// keeps its default (Rust's start-up ignores it), so `dlc explain DL0303 |
/// head` ends quietly, as other command-line tools do.
#[cfg(unix)]
#[cfg_attr(test, allow(dead_code))]
fn open_missing_standard_descriptors() {
    let mut descriptors = [0, 1, 2].map(|fd| libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    });
    // SAFETY: polls three descriptors without waiting; the array outlives
    // the call.
    let polled = unsafe { libc::poll(descriptors.as_mut_ptr(), 3, 0) };
    if polled <= 0 {
        return;
    }
    for descriptor in descriptors {
        if descriptor.revents & libc::POLLNVAL != 0 {
            // SAFETY: opens a path given as a C string; the lowest free
            // descriptor, the closed one, is the one it takes.
            unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
        }
    }
}

#[cfg(not(unix))]
fn open_missing_standard_descriptors() {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index names `purge_delay`: the only option of mimalloc 3 whose
    /// default is 1000 (ms), read before `main` changes it.
    #[test]
    fn the_purge_delay_index_is_mimallocs() {
        // SAFETY: reads one of mimalloc's integer options.
        assert_eq!(unsafe { mi_option_get(MI_OPTION_PURGE_DELAY) }, 1000);
    }
}
