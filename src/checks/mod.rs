//! Domain checks: the rules of AWS and of a sound lake that no type can
//! express. They run on the checked model (and, for secrets, on the user's
//! literals). When there are type errors, they run on the environments that
//! type-check (`model::build_partial_model`) and report only errors. Each
//! rule looks at one environment or a pair, so that leaving environments out
//! hides findings but never makes one up.

mod accounts;
mod audit;
mod branch_refs;
pub mod cidr;
mod comments;
mod inherited;
mod lifecycle;
mod logical_ids;
mod names;
mod network;
pub(crate) mod pipelines;
mod repeated_entries;
mod report;
mod retention;
pub(crate) mod secrets;
pub mod tags;
mod templates;
mod unique_names;
pub mod warehouse;

pub use report::cidr_report;

use crate::codegen::limits::Measured;
use crate::diagnostic::Diagnostics;
use crate::model::Lake;
use crate::resolve::Program;

/// Runs every domain rule over a checked lake.
pub fn check_lake(lake: &Lake, diagnostics: &mut Diagnostics) {
    network::check(lake, diagnostics);
    names::check(lake, diagnostics);
    unique_names::check(lake, diagnostics);
    logical_ids::check(lake, diagnostics);
    repeated_entries::check(lake, diagnostics);
    accounts::check(lake, diagnostics);
    lifecycle::check(lake, diagnostics);
    pipelines::check(lake, diagnostics);
    branch_refs::check(lake, diagnostics);
    retention::check(lake, diagnostics);
    warehouse::check(lake, diagnostics);
    audit::check(lake, diagnostics);
    tags::check(lake, diagnostics);
}

/// CloudFormation's quotas on each template, measured on the templates
/// `dlc compile` would write. Only for a lake without errors: codegen needs one.
pub fn check_templates(lake: &Lake, diagnostics: &mut Diagnostics) {
    templates::check(lake, diagnostics);
}

/// [`check_templates`] on the templates `dlc compile` measured as it wrote
/// them ([`crate::codegen::compile_measured`]): every template, or at least
/// each one over a quota.
pub fn check_measured_templates(lake: &Lake, measured: &[Measured], diagnostics: &mut Diagnostics) {
    templates::check_measured(lake, measured, diagnostics);
}

/// Rules over the source itself rather than the model.
pub fn check_program(program: &Program, diagnostics: &mut Diagnostics) {
    secrets::check(program, diagnostics);
}
