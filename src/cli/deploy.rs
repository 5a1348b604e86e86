//! `dlc deploy`'s command line: the bundle from the lake (compiled in
//! memory) or an output folder, the stacks selected, then the run through
//! the AWS CLI, its end told as an exit status.

use std::path::Path;

use super::{check_one, internal, ExitCode, Failure, ImportOptions, Outcome, Reporter, Stop};
use crate::deploy::bundle::{Bundle, LoadError, SelectError, Selection};
use crate::deploy::{self as engine, Options};
use crate::diagnostic::{Code, Diagnostic};
use crate::host::aws::{AwsCli, TerminalConsole};

pub(super) struct Source<'a> {
    pub file: Option<&'a Path>,
    pub from: Option<&'a Path>,
    pub imports: &'a ImportOptions,
}

pub(super) fn deploy(
    source: Source,
    selection: Selection,
    options: Options,
    reporter: &mut Reporter,
) -> Outcome {
    let bundle = match (source.from, source.file) {
        (Some(dir), _) => read_output(dir)?,
        (None, Some(file)) => match compile(file, source.imports, reporter)? {
            Some(bundle) => bundle,
            None => return Ok(ExitCode::from(1)),
        },
        (None, None) => return Err(refused("name a lake file or `--from DIR`", "").into()),
    };
    let steps = bundle.steps(&selection).map_err(select_error)?;
    let mut cloud = AwsCli::default();
    let mut console = TerminalConsole::default();
    match engine::deploy(&bundle, &steps, &options, &mut cloud, &mut console) {
        Ok(summary) => {
            println!(
                "done: {} deployed, {} without changes",
                summary.deployed.len(),
                summary.unchanged.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(stop) => {
            let status = ExitCode::from(stop.exit_status());
            match stop {
                engine::Stop::Usage { message, help } => Err(refused(&message, &help).into()),
                engine::Stop::Failed(failure) => {
                    eprintln!("error: deploying {} failed", failure.stack);
                    match (&failure.resource, &failure.source) {
                        (Some(resource), Some(at)) => {
                            eprintln!("  resource: {resource}, from {at}")
                        }
                        (Some(resource), None) => eprintln!("  resource: {resource}"),
                        (None, _) => eprintln!("  resource: CloudFormation named none"),
                    }
                    eprintln!("  reason: {}", failure.reason);
                    eprintln!(
                        "  stack: {} ({})",
                        failure.status,
                        engine::events::rollback_advice(&failure.status)
                    );
                    Ok(status)
                }
                engine::Stop::Declined { stack, no_terminal } => {
                    if no_terminal {
                        eprintln!("error: not deploying {stack}: there is no terminal to confirm on; pass `--yes` to deploy without asking");
                    } else {
                        eprintln!("not deploying {stack}: declined; its change set is deleted");
                    }
                    Ok(status)
                }
            }
        }
    }
}

fn refused(message: &str, help: &str) -> Diagnostic {
    let diagnostic = Diagnostic::unlocated(Code::DeployRefused, message.to_string());
    if help.is_empty() {
        diagnostic
    } else {
        diagnostic.with_help(help.to_string())
    }
}

/// The lake compiled in memory; `None` when it has errors (reported).
fn compile(
    file: &Path,
    imports: &ImportOptions,
    reporter: &mut Reporter,
) -> Result<Option<Bundle>, Failure> {
    let checked = check_one(file, imports)?;
    if let Some(error) = &checked.internal_error {
        return Err(internal(error).into());
    }
    if !checked.diagnostics.is_empty() {
        reporter.lakes(std::slice::from_ref(&checked))?;
    }
    let Some(lake) = checked.model.as_ref() else {
        return Ok(None);
    };
    let project = file.parent().unwrap_or(Path::new(""));
    let locate = crate::codegen::locate_in_project(&checked.sources, project);
    let output = match crate::codegen::compile(lake, None, &locate) {
        Ok(output) => output,
        Err(errors) => {
            drop(locate);
            return Err(Stop::Codegen(errors).into_failure(checked.sources));
        }
    };
    let bundle = Bundle::load(&output.manifest.render(), |path| {
        output
            .file(path)
            .map(|f| f.contents.clone())
            .ok_or_else(|| format!("the compile wrote no {path}"))
    });
    bundle
        .map(Some)
        .map_err(|e| internal(&format!("{e:?}")).into())
}

/// An output folder written by `dlc compile`.
fn read_output(dir: &Path) -> Result<Bundle, Failure> {
    let manifest_path = dir.join("manifest.json");
    let manifest = crate::host::read_text(&manifest_path)
        .map_err(|e| super::cannot_read(&manifest_path, &e))?;
    Bundle::load(&manifest, |path| crate::host::read_text(&dir.join(path))).map_err(|error| {
        let diagnostic = match error {
            LoadError::Manifest(e) => Diagnostic::unlocated(
                Code::CannotRead,
                format!(
                    "{} is not a manifest dlc wrote: {e}",
                    manifest_path.display()
                ),
            ),
            LoadError::Template(path, e) => super::cannot_read(&dir.join(path), &e),
        };
        diagnostic
            .with_help("compile the lake into that folder again: `dlc compile LAKE -o DIR`")
            .into()
    })
}

fn select_error(error: SelectError) -> Failure {
    match error {
        SelectError::NoSuchEnvironment {
            name,
            suggestion,
            names,
        } => Diagnostic::unlocated(
            Code::NoSuchEnvironment,
            format!("the lake has no environment `{name}`"),
        )
        .with_help(match suggestion {
            Some(s) => format!("did you mean `--env {s}`?"),
            None => format!("the environments are {}", names.join(", ")),
        })
        .into(),
        SelectError::UnknownStack(name) => Diagnostic::unlocated(
            Code::CannotRead,
            format!("the manifest lists the stack {name} but does not describe it"),
        )
        .with_help("compile the lake into that folder again: `dlc compile LAKE -o DIR`")
        .into(),
    }
}
