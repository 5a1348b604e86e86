//! The JSON output, `--format json`: one document per run, every diagnostic
//! of every lake checked, and of the run itself (I/O, usage, internal
//! errors). Its fields are documented in the README ("JSON diagnostics").

use serde::Serialize;

use super::located::LocatedFix;
use super::Located;

/// Bumped when a field changes meaning or disappears; adding a field does
/// not bump it. Version 2: a diagnostic's position fields are absent when it
/// has no place in a file, and diagnostics carry `edits`.
pub const VERSION: u32 = 2;

#[derive(Debug, Serialize)]
pub struct Document<'a> {
    pub version: u32,
    pub diagnostics: &'a [Located],
    /// The fixes `dlc check --fix` applied, in order; absent without `--fix`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixes: Option<&'a [LocatedFix]>,
}

/// The document of `diagnostics`, pretty-printed, with no trailing newline.
pub fn json(diagnostics: &[Located]) -> serde_json::Result<String> {
    json_with_fixes(diagnostics, None)
}

/// The document of `diagnostics` and, when `--fix` ran, of the fixes it
/// applied, pretty-printed, with no trailing newline.
pub fn json_with_fixes(
    diagnostics: &[Located],
    fixes: Option<&[LocatedFix]>,
) -> serde_json::Result<String> {
    serde_json::to_string_pretty(&Document {
        version: VERSION,
        diagnostics,
        fixes,
    })
}
