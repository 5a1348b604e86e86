//! dlc: a typed language and compiler for AWS data lakes.
//!
//! Stages, each a module, data flowing one way:
//! source -> [`syntax`] -> [`resolve`] -> [`types`] + [`eval`] -> [`checks`]
//! -> [`model`] -> [`codegen`] -> [`driver`] / [`cli`]. Every stage returns its
//! result plus [`diagnostic::Diagnostics`]. [`fmt`] prints a file in the
//! canonical layout.

pub mod checks;
pub mod cli;
pub mod codegen;
pub mod diagnostic;
pub mod diff;
pub mod driver;
pub mod eval;
pub mod fmt;
pub mod model;
pub mod output;
pub mod resolve;
pub mod source;
pub mod stdlib;
pub mod suggest;
pub mod syntax;
pub mod synth;
pub mod types;
