//! Renderers: one diagnostic model, four outputs, one file each.
//!
//! - [`human`](mod@human): codespan-reporting, with source lines and labels;
//! - [`short`](mod@short): `file:line:col: severity[CODE]: message`, one line each;
//! - [`json`]: a typed, versioned document, see [`json::VERSION`];
//! - [`sarif`]: SARIF 2.1.0, for GitHub code scanning and other SARIF tools.
//!
//! The two machine formats serialize [`located`] diagnostics: positions
//! resolved once, so a run over several lakes (each with its own sources)
//! makes one document.

pub mod human;
pub mod json;
pub mod located;
pub mod sarif;
pub mod short;

#[cfg(test)]
mod tests;

pub use human::human;
pub use located::{locate, Located};
pub use short::short;
