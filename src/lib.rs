//! dlc: a typed language and compiler for AWS data lakes.
//!
//! Stages, each a module, data flowing one way:
//! source -> [`syntax`] -> [`resolve`] -> [`types`] + [`eval`] -> [`model`]
//! -> codegen -> [`driver`] / cli. Every stage returns its result plus
//! [`diagnostic::Diagnostics`].

pub mod codegen;
pub mod diagnostic;
pub mod model;
pub mod source;
pub mod syntax;
