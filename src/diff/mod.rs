//! `dlc diff`: what deploying a changed lake will add, update, replace and
//! destroy, before anyone deploys it.
//!
//! Both lakes are compiled in memory; [`plan`] compares the outputs stack by
//! stack and resource by resource, [`replacement`] says which property
//! changes replace a resource, `cascade` follows replacements through
//! references and `exports` through other stacks' imports, [`consequences`]
//! says what a removal or replacement does to data, [`attribution`] which
//! lake line caused each entry, and [`render`] prints the [`Report`].

pub mod attribution;
pub mod consequences;
pub mod plan;
pub mod render;
pub mod replacement;

mod cascade;
mod exports;
mod references;

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use crate::checks;
use crate::codegen::limits::Measured;
use crate::codegen::{self, manifest::Location};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::driver::Checked;
use crate::model::Lake;
use crate::source::Span;
use attribution::{Cause, Causes};
use consequences::Consequence;
use plan::{Action, Resource, Role};

/// The version of the JSON report's format; bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;

/// One lake as `dlc diff` reads it: checked without errors.
pub struct Side<'a> {
    pub checked: &'a Checked,
    pub lake: &'a Lake,
    /// The folder of the lake file: sources are named relative to it.
    pub project: &'a Path,
}

/// How the report ends: the exit status of `dlc diff` follows from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Unchanged,
    Changed,
    Destructive,
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub format_version: u32,
    pub lake: String,
    pub outcome: Outcome,
    pub counts: Counts,
    /// The environments of NEW in order, then those only OLD has, then
    /// (named `null`) the deployment account's setup, shared by all.
    pub environments: Vec<EnvironmentReport>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub add: usize,
    pub update: usize,
    pub replace: usize,
    pub remove: usize,
    pub destructive: usize,
}

impl Counts {
    fn count(&mut self, entry: &Entry) {
        match entry.action {
            Action::Add => self.add += 1,
            Action::Update => self.update += 1,
            Action::Replace => self.replace += 1,
            Action::Remove => self.remove += 1,
        }
        self.destructive += usize::from(entry.consequence.is_some());
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct EnvironmentReport {
    pub name: Option<String>,
    pub counts: Counts,
    /// Destructive entries first, then in stack and template order.
    pub entries: Vec<Entry>,
    /// Deploys that fail unless made in another order.
    pub notes: Vec<NoteEntry>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    pub stack: String,
    pub role: Role,
    /// True when a person must deploy it: a bootstrap stack's change, a
    /// pipeline stack created or removed, any stack removed.
    pub by_hand: bool,
    /// `null` for the whole stack.
    pub resource: Option<Resource>,
    pub action: Action,
    pub properties: Vec<String>,
    pub replacing: Vec<String>,
    pub because: Option<String>,
    /// For a destructive entry: what happens to the data.
    pub consequence: Option<Consequence>,
    /// The lake line that caused it.
    pub cause: Cause,
}

#[derive(Clone, Debug, Serialize)]
pub struct NoteEntry {
    pub stack: String,
    pub text: String,
    pub cause: Cause,
}

/// What [`compare_checking_quotas`] finds.
pub enum Compared {
    Report(Report),
    /// A lake's templates break CloudFormation's quotas: the diagnostics of
    /// the old side and of the new (DL0395 to DL0398), at least one an error.
    OverQuota([Vec<Diagnostic>; 2]),
}

/// Compiles both lakes and compares them.
pub fn compare(old: &Side, new: &Side) -> Result<Report, Vec<codegen::Error>> {
    let [(old_output, _), (new_output, _)] = compile_both(old, new)?;
    Ok(compare_outputs(old, new, &old_output, &new_output))
}

/// [`compare`] for two lakes checked with [`crate::driver::Quotas::Deferred`]:
/// their templates' quotas are checked on the templates the compiles build,
/// so that each is built once.
pub fn compare_checking_quotas(old: &Side, new: &Side) -> Result<Compared, Vec<codegen::Error>> {
    let [(old_output, old_over), (new_output, new_over)] = compile_both(old, new)?;
    let found = [(old, old_over), (new, new_over)].map(|(side, over)| {
        let mut diagnostics = Diagnostics::new();
        checks::check_measured_templates(side.lake, &over, &mut diagnostics);
        diagnostics.into_sorted()
    });
    if found.iter().flatten().any(Diagnostic::is_error) {
        return Ok(Compared::OverQuota(found));
    }
    Ok(Compared::Report(compare_outputs(
        old,
        new,
        &old_output,
        &new_output,
    )))
}

/// Both lakes compiled, each with its templates over a quota.
fn compile_both(
    old: &Side,
    new: &Side,
) -> Result<[(codegen::Output, Vec<Measured>); 2], Vec<codegen::Error>> {
    let old_locate = codegen::locate_in_project(&old.checked.sources, old.project);
    let new_locate = codegen::locate_in_project(&new.checked.sources, new.project);
    // The two compiles share nothing: one on another core, when there is one.
    let (old_output, new_output) = std::thread::scope(|scope| {
        let old_output = scope.spawn(|| codegen::compile_over_quota(old.lake, None, &old_locate));
        let new_output = codegen::compile_over_quota(new.lake, None, &new_locate);
        let old_output = old_output
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (old_output, new_output)
    });
    Ok([old_output?, new_output?])
}

fn compare_outputs(
    old: &Side,
    new: &Side,
    old_output: &codegen::Output,
    new_output: &codegen::Output,
) -> Report {
    let old_locate = codegen::locate_in_project(&old.checked.sources, old.project);
    let new_locate = codegen::locate_in_project(&new.checked.sources, new.project);
    let plan = plan::plan(old_output, new_output);
    let old_place = |span| location(&old_locate, span);
    let new_place = |span| location(&new_locate, span);
    let causes = Causes::find(
        &old.checked.evaluated,
        &new.checked.evaluated,
        &old_place,
        &new_place,
    );
    report(new.lake, old.lake, plan, &causes)
}

/// The cause of each change. One that follows a replaced resource (a
/// subnet replaced with its VPC) has the cause of that resource, down the
/// chain: the edit that replaced the VPC is the one that replaces the subnet.
fn attribute_all(changes: &[plan::Change], causes: &Causes) -> Vec<Cause> {
    let own: Vec<Cause> = changes.iter().map(|c| causes.attribute(c)).collect();
    let by_resource: HashMap<(&str, &str), usize> = changes
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            Some((
                (c.stack.as_str(), c.resource.as_ref()?.logical_id.as_str()),
                i,
            ))
        })
        .collect();
    (0..changes.len())
        .map(|i| {
            let mut at = i;
            // At most one step per change: a cycle cannot loop forever.
            for _ in 0..changes.len() {
                let next = changes[at]
                    .follows
                    .as_deref()
                    .and_then(|id| by_resource.get(&(changes[at].stack.as_str(), id)));
                match next {
                    Some(&j) if j != at => at = j,
                    _ => break,
                }
            }
            own[at].clone()
        })
        .collect()
}

fn location(locate: codegen::Locate<'_>, span: Span) -> Location {
    let (file, line, column) = locate(span);
    Location { file, line, column }
}

fn report(new: &Lake, old: &Lake, plan: plan::Plan, causes: &Causes) -> Report {
    let mut names: Vec<Option<String>> = new.environments.keys().cloned().map(Some).collect();
    names.extend(
        old.environments
            .keys()
            .filter(|n| !new.environments.contains_key(*n))
            .cloned()
            .map(Some),
    );
    names.push(None);
    let mut environments: Vec<EnvironmentReport> = names
        .into_iter()
        .map(|name| EnvironmentReport {
            name,
            counts: Counts::default(),
            entries: Vec::new(),
            notes: Vec::new(),
        })
        .collect();
    let index: HashMap<Option<String>, usize> = environments
        .iter()
        .enumerate()
        .map(|(i, e)| (e.name.clone(), i))
        .collect();
    // An environment the lakes do not have goes with the setup (last).
    let slot = |name: &Option<String>| index.get(name).copied().unwrap_or(index.len() - 1);
    let attributed = attribute_all(&plan.changes, causes);
    for (change, cause) in plan.changes.into_iter().zip(attributed) {
        let entry = Entry {
            by_hand: change
                .role
                .by_hand(change.action, change.resource.is_none()),
            consequence: consequences::consequence(&change),
            stack: change.stack,
            role: change.role,
            resource: change.resource,
            action: change.action,
            properties: change.properties,
            replacing: change.replacing,
            because: change.because,
            cause,
        };
        let i = slot(&change.environment);
        environments[i].counts.count(&entry);
        environments[i].entries.push(entry);
    }
    for note in plan.notes {
        let cause = causes.attribute(&plan::Change {
            environment: note.environment.clone(),
            stack: note.stack.clone(),
            role: Role::Environment,
            resource: None,
            action: Action::Update,
            properties: Vec::new(),
            replacing: Vec::new(),
            because: None,
            follows: None,
            policy: plan::Policy::Delete,
            origin: note.origin,
            property_origins: Vec::new(),
        });
        let i = slot(&note.environment);
        environments[i].notes.push(NoteEntry {
            stack: note.stack,
            text: note.text,
            cause,
        });
    }
    environments.retain(|e| !e.entries.is_empty() || !e.notes.is_empty());
    let mut counts = Counts::default();
    for environment in &mut environments {
        // Stable: stack and template order within each group.
        environment.entries.sort_by_key(|e| e.consequence.is_none());
        for entry in &environment.entries {
            counts.count(entry);
        }
    }
    let outcome = if counts.destructive > 0 {
        Outcome::Destructive
    } else if environments.is_empty() {
        Outcome::Unchanged
    } else {
        Outcome::Changed
    };
    Report {
        format_version: FORMAT_VERSION,
        lake: new.name.clone(),
        outcome,
        counts,
        environments,
    }
}

/// Which outcome fails `dlc diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    /// Any change: exit 4, or 5 when destructive (for CI and scripts).
    Changes,
    /// Only a destructive change: exit 5 (for the pre-commit hook).
    Destructive,
}

/// Exit statuses: 0 no change (or none that fails), 1 errors in a lake (as
/// `dlc check`), 2 usage or I/O; these two are the CLI's.
pub const EXIT_CHANGES: u8 = 4;
pub const EXIT_DESTRUCTIVE: u8 = 5;

/// The exit status of a report. `allow_destructive` acknowledges the
/// destructive changes: they count as plain changes.
pub fn exit_status(outcome: Outcome, fail_on: FailOn, allow_destructive: bool) -> u8 {
    match (outcome, fail_on) {
        (Outcome::Unchanged, _) => 0,
        (Outcome::Destructive, _) if !allow_destructive => EXIT_DESTRUCTIVE,
        (_, FailOn::Changes) => EXIT_CHANGES,
        (_, FailOn::Destructive) => 0,
    }
}
