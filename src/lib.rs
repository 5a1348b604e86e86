//! dlc: a typed language and compiler for AWS data lakes.
//!
//! Stages, each a module, data flowing one way:
//! source -> [`syntax`] -> [`resolve`] -> [`types`] + [`eval`] -> [`checks`]
//! -> [`model`] -> [`codegen`] -> [`driver`] / [`cli`]. Every stage returns its
//! result plus [`diagnostic::Diagnostics`]. [`fmt`] prints a file in the
//! canonical layout.

// Library code reports problems as diagnostics: no unwrap, expect or panic.
// Only src/host touches the disk and the environment (clippy.toml lists what
// that means). Unit tests may do all of these (see Cargo.toml, [lints]).
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::disallowed_methods,
        clippy::disallowed_types
    )
)]

// Test support shared with the integration tests (tests/common) names the
// crate `dlc`, as they do.
#[cfg(test)]
extern crate self as dlc;

pub mod checks;
pub mod cli;
pub mod codegen;
pub mod diagnostic;
pub mod driver;
pub mod eval;
pub mod fmt;
pub mod host;
pub mod model;
pub mod resolve;
pub mod source;
pub mod stdlib;
pub mod suggest;
pub mod syntax;
pub mod synth;
pub mod types;
