// The compiler allocates many small, short-lived values (syntax nodes, JSON
// trees): glibc's malloc and free were a fifth of a seed compile's
// instructions, and mimalloc does the same work in less than half of them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    restore_sigpipe();
    dlc::cli::run()
}

/// Rust ignores SIGPIPE, so `dlc explain DL0303 | head` would panic on the
/// closed pipe. A command-line tool should end quietly instead, as others do.
#[cfg(unix)]
fn restore_sigpipe() {
    // SAFETY: setting a signal's disposition to the default before any other
    // thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_sigpipe() {}
