//! dlc: a typed language and compiler for AWS data lakes.
//!
//! # Stages
//!
//! [`driver::check_source`] runs them in this order, data flowing one way,
//! each adding what it finds to one [`diagnostic::Diagnostics`]:
//!
//! 1. [`resolve`] loads the root file, its imports and the standard library
//!    (`stdlib`), each parsed by [`syntax`], and builds the scope of names;
//! 2. [`types`] builds the type definitions: the schemas, and the lake's own
//!    `type`, `record` and `enum` declarations;
//! 3. `eval` evaluates each declaration once and type-checks as it goes:
//!    `eval::typeck` conforms every value to the type its position
//!    expects (defaults, enum variants, refinements). Checking lives inside
//!    evaluation because conforming produces the value evaluation goes on
//!    with; `types` only describes the types;
//! 4. [`checks::check_program`]: rules over the source (credentials);
//! 5. [`model`] builds the typed lake, when there is no error so far;
//! 6. [`checks::check_lake`]: the domain rules on the model (networks,
//!    names, lifecycle, ...), then [`checks::check_templates`]:
//!    CloudFormation's quotas, measured on the templates codegen would write
//!    (`dlc compile` and `dlc diff` measure them as they compile instead,
//!    [`driver::Quotas::Deferred`], so that each template is built once);
//! 7. [`codegen`] turns a lake without errors into files, and [`cli`] has
//!    [`host::output`] write them.
//!
//! Besides the stages: [`host`] is the only module that touches the disk and
//! the environment (clippy.toml and the lints below enforce it);
//! [`diagnostic`] and its renderers report everything, from a type error to
//! a file that cannot be read; [`literals`] holds the values the language
//! writes and the model keeps (durations); [`fmt`] prints a file in the
//! canonical layout; [`fix`] chooses the fixes `dlc check --fix` applies;
//! [`synth`] writes synthetic lakes for benchmarks.
//!
//! # Public items
//!
//! A module is public when the binary ([`cli::run`]) or a user of the
//! library needs it; the integration tests, benches and fuzz targets are such
//! users: they check sources ([`driver`], [`host::FsLoader`]), read
//! diagnostics and render them ([`diagnostic`], [`source`]), build and
//! compile models ([`model`], [`checks`], [`codegen`]), parse and format
//! ([`syntax`], [`resolve`], [`fmt`]), write output ([`host::output`]) and
//! make lakes ([`synth`]). [`types`] is public for the language server
//! (a field's documentation is there): [`lsp`], on the tables of [`analysis`]. Evaluation, the stdlib's text
//! and suggestions are internal (`pub(crate)`).

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

// pest is used without its `std` feature, whose only gain is a stack probe
// on every rule call (and reading /proc/self/maps once to find the stack):
// `parser::MAX_NESTING` already bounds the parser's recursion. Its derived
// parser then names the `alloc` crate.
extern crate alloc;

pub mod allocator;
pub mod analysis;
pub(crate) mod automata;
pub mod checks;
pub mod cli;
pub mod codegen;
pub(crate) mod concat;
pub mod deploy;
pub mod diagnostic;
pub mod diff;
pub mod driver;
pub(crate) mod eval;
pub mod fix;
pub mod fmt;
pub mod hashing;
pub mod host;
pub mod literals;
pub mod lsp;
pub mod model;
pub mod resolve;
pub mod source;
pub(crate) mod stdlib;
pub(crate) mod suggest;
pub mod syntax;
pub mod synth;
pub mod types;
