//! The language server's transport: the editor's messages on standard
//! input, the server's on standard output.

use crate::host::FsLoader;

/// Serves one editor over stdio until it exits. The error says why the
/// conversation broke off.
pub fn serve_stdio() -> Result<(), String> {
    let (connection, io_threads) = lsp_server::Connection::stdio();
    crate::lsp::serve(&connection, &mut FsLoader)?;
    // The writer thread ends when the last sender is gone.
    drop(connection);
    io_threads.join().map_err(|e| e.to_string())
}
