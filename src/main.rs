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
