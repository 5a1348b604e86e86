//! dlc: a typed language and compiler for AWS data lakes.
//!
//! Stages, each a module, data flowing one way:
//! source -> [`syntax`] -> [`resolve`] -> [`types`] + [`eval`] -> [`model`]
//! -> codegen -> [`driver`] / cli. Every stage returns its result plus
//! [`diagnostic::Diagnostics`].

pub mod checks;
pub mod cli;
pub mod diagnostic;
pub mod driver;
pub mod eval;
pub mod model;
pub mod resolve;
pub mod source;
pub mod stdlib;
pub mod suggest;
pub mod syntax;
pub mod types;
