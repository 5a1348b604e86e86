//! The report for people (a terminal, coloured as the diagnostics are), for
//! a pull-request comment (markdown) and for programs (versioned JSON).

use std::fmt::Write as _;
use std::io;

use codespan_reporting::term::termcolor::{Color, ColorSpec, WriteColor};

use super::attribution::{Cause, Side};
use super::consequences::Fate;
use super::plan::Action;
use super::{Counts, Entry, EnvironmentReport, Report};

/// Properties listed by name before "and N more".
const LISTED_PROPERTIES: usize = 4;

#[allow(
    clippy::expect_used,
    reason = "the report is plain data (strings, numbers, lists), which always serializes"
)]
pub fn json(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).expect("the report always serializes");
    text.push('\n');
    text
}

pub fn human(w: &mut dyn WriteColor, report: &Report) -> io::Result<()> {
    if report.environments.is_empty() {
        writeln!(w, "no changes: deploying the new lake changes nothing")?;
        return Ok(());
    }
    for environment in &report.environments {
        w.set_color(ColorSpec::new().set_bold(true))?;
        write!(w, "{}", title(environment))?;
        w.reset()?;
        writeln!(w, ": {}", counts(&environment.counts))?;
        for group in groups(&environment.entries) {
            human_entry(w, &group)?;
        }
        for note in &environment.notes {
            w.set_color(ColorSpec::new().set_fg(Some(Color::Yellow)).set_bold(true))?;
            write!(w, "  note")?;
            w.reset()?;
            writeln!(w, ": {}", note.text)?;
            writeln!(w, "      {}", cause(&note.cause))?;
        }
    }
    w.set_color(ColorSpec::new().set_bold(true))?;
    write!(w, "in all")?;
    w.reset()?;
    writeln!(w, ": {}", counts(&report.counts))?;
    Ok(())
}

fn human_entry(w: &mut dyn WriteColor, group: &[&Entry]) -> io::Result<()> {
    let entry = group[0];
    let (mark, color) = match (entry.consequence.is_some(), entry.action) {
        (true, _) => ("!", Color::Red),
        (false, Action::Add) => ("+", Color::Green),
        (false, Action::Remove) => ("-", Color::Red),
        (false, Action::Update) => ("~", Color::Cyan),
        (false, Action::Replace) => ("±", Color::Yellow),
    };
    w.set_color(ColorSpec::new().set_fg(Some(color)).set_bold(true))?;
    write!(w, "  {mark} {:<7}", verb(entry.action))?;
    w.reset()?;
    writeln!(w, " {}", subject(group))?;
    if let Some(line) = properties(entry) {
        writeln!(w, "      {line}")?;
    }
    if let Some(because) = because(entry) {
        writeln!(w, "      {because}")?;
    }
    if let Some(consequence) = &entry.consequence {
        w.set_color(ColorSpec::new().set_fg(Some(Color::Red)))?;
        write!(w, "      data")?;
        w.reset()?;
        writeln!(w, ": {}", consequence.text)?;
    }
    writeln!(w, "      {}", cause(&entry.cause))?;
    Ok(())
}

pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### `dlc diff`: {}\n", report.lake);
    if report.environments.is_empty() {
        out.push_str("No changes: deploying the new lake changes nothing.\n");
        return out;
    }
    let _ = writeln!(out, "**In all:** {}\n", counts(&report.counts));
    for environment in &report.environments {
        markdown_environment(&mut out, environment);
    }
    out
}

fn markdown_environment(out: &mut String, environment: &EnvironmentReport) {
    let _ = writeln!(
        out,
        "#### {}\n\n{}\n",
        title(environment),
        counts(&environment.counts)
    );
    out.push_str("| | Change | What | Caused by |\n|---|---|---|---|\n");
    for group in groups(&environment.entries) {
        let entry = group[0];
        let mark = match entry.consequence.as_ref().map(|c| c.fate) {
            Some(Fate::Deleted) => "**destroys data**",
            Some(Fate::Orphaned) => "**orphans data**",
            None => "",
        };
        let mut what = Vec::new();
        if let Some(line) = properties(entry) {
            what.push(line);
        }
        if let Some(because) = because(entry) {
            what.push(because);
        }
        if let Some(consequence) = &entry.consequence {
            what.push(format!("**data:** {}", consequence.text));
        }
        let _ = writeln!(
            out,
            "| {mark} | {} {} | {} | {} |",
            verb(entry.action),
            cell(&subject(&group)),
            cell(&what.join("<br>")),
            cell(&cause_short(&entry.cause)),
        );
    }
    for note in &environment.notes {
        let _ = writeln!(
            out,
            "\n> **Note:** {} ({})",
            note.text,
            cause_short(&note.cause)
        );
    }
    out.push('\n');
}

/// `because Vpc is replaced`; for a whole stack, what becomes of it.
fn because(entry: &Entry) -> Option<String> {
    let text = entry.because.as_ref()?;
    Some(match entry.resource {
        Some(_) => format!("because {text}"),
        None => text.clone(),
    })
}

/// Escapes what would end a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn title(environment: &EnvironmentReport) -> String {
    match &environment.name {
        Some(name) => name.clone(),
        None => "Deployment account (setup)".to_string(),
    }
}

fn verb(action: Action) -> &'static str {
    match action {
        Action::Add => "add",
        Action::Remove => "remove",
        Action::Update => "update",
        Action::Replace => "replace",
    }
}

/// Runs of entries that differ only in the resource: the same stack, action,
/// properties and cause, none destructive or with a reason of its own
/// (a tag on every resource of a stack is one line, not twenty).
fn groups(entries: &[Entry]) -> Vec<Vec<&Entry>> {
    let mut groups: Vec<Vec<&Entry>> = Vec::new();
    for entry in entries {
        let joins = |last: &&Entry| {
            last.stack == entry.stack
                && last.action == entry.action
                && last.properties == entry.properties
                && last.cause == entry.cause
                && last.resource.is_some()
                && entry.resource.is_some()
                && last.consequence.is_none()
                && entry.consequence.is_none()
                && last.because.is_none()
                && entry.because.is_none()
        };
        match groups.last_mut() {
            Some(group) if group.last().is_some_and(joins) => group.push(entry),
            _ => groups.push(vec![entry]),
        }
    }
    groups
}

/// `stack DataLakeDevNetwork`, `DataLakeDevStorage/RawBucket (AWS::S3::Bucket)`
/// or, for a group, `DataLakeDevNetwork`: `Vpc`, `Subnet1` (2 resources); with
/// "deployed by hand" for setup stacks.
fn subject(group: &[&Entry]) -> String {
    let entry = group[0];
    let by_hand = if entry.by_hand {
        " (deployed by hand)"
    } else {
        ""
    };
    match (&entry.resource, group.len()) {
        (None, _) => format!("stack `{}`{by_hand}", entry.stack),
        (Some(r), 1) => format!("`{}/{}` ({}){by_hand}", entry.stack, r.logical_id, r.kind),
        (Some(_), n) => {
            let ids: Vec<String> = group
                .iter()
                .filter_map(|e| e.resource.as_ref())
                .map(|r| format!("`{}`", r.logical_id))
                .collect();
            format!(
                "`{}`: {} ({n} resources){by_hand}",
                entry.stack,
                ids.join(", ")
            )
        }
    }
}

/// `BucketName (replaces it), Tags` and "and N more".
fn properties(entry: &Entry) -> Option<String> {
    if entry.properties.is_empty() {
        return None;
    }
    let named: Vec<String> = entry
        .properties
        .iter()
        .take(LISTED_PROPERTIES)
        .map(|p| {
            if entry.replacing.contains(p) {
                format!("`{p}` (replaces it)")
            } else {
                format!("`{p}`")
            }
        })
        .collect();
    let more = entry.properties.len().saturating_sub(LISTED_PROPERTIES);
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    Some(format!("changes {}{more}", named.join(", ")))
}

/// ` in the old lake` for a place in OLD.
fn side(cause: &Cause) -> &'static str {
    match cause.side {
        Side::Old => " in the old lake",
        Side::New => "",
    }
}

fn cause(cause: &Cause) -> String {
    let at = format!(
        "{}:{}:{}{}",
        cause.at.file,
        cause.at.line,
        cause.at.column,
        side(cause)
    );
    if cause.field.is_empty() {
        format!("from {at}")
    } else {
        format!("caused by `{}` at {at}", cause.field)
    }
}

fn cause_short(cause: &Cause) -> String {
    let at = format!("{}:{}{}", cause.at.file, cause.at.line, side(cause));
    if cause.field.is_empty() {
        at
    } else {
        format!("`{}` at {at}", cause.field)
    }
}

/// `2 to replace (2 destroy data), 1 to update`.
fn counts(counts: &Counts) -> String {
    let mut parts = Vec::new();
    for (n, what) in [
        (counts.add, "to add"),
        (counts.update, "to update"),
        (counts.replace, "to replace"),
        (counts.remove, "to remove"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    if parts.is_empty() {
        parts.push("no resource changes".to_string());
    }
    let destructive = match counts.destructive {
        0 => String::new(),
        1 => "; 1 destroys or orphans data".to_string(),
        n => format!("; {n} destroy or orphan data"),
    };
    format!("{}{destructive}", parts.join(", "))
}
