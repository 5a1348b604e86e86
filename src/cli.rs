//! The command line: argument parsing, reading the inputs, rendering the results.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};

use crate::diagnostic::{render, Code, Diagnostic, Severity};
use crate::driver::{self, Checked, Keep, Quotas};
use crate::host::{self, FsLoader, Input, ReadError};
use crate::resolve::{AllowOutsideImports, SourceLoader};
use crate::source::SourceMap;

mod deploy;

const EXAMPLES: &str = "\
Examples:
  dlc compile lake.dl -o out            write templates, pipelines, bootstrap and manifest to out/
  dlc compile lake.dl -o out --env Dev  compile one environment
  dlc compile --check lake.dl -o out    list the files of out/ that differ from the lake; exit 1 if any
  dlc check lake.dl                     check a lake; exit 1 on any error
  dlc check --format short *.dl         one line per problem, for editors and CI
  dlc check --format json lake.dl       machine-readable diagnostics
  dlc check --format sarif lake.dl      SARIF 2.1.0, for GitHub code scanning
  cat lake.dl | dlc check -             check the lake on standard input
  dlc check --fix lake.dl               apply every fix a help spells out, then check again
  dlc eval lake.dl                      print the checked lake as JSON
  dlc pipeline-declaration out/pipelines/Dev.pipeline.json --artifact-key-arn ARN
                                        the declaration with AWS's values, for create-pipeline
  dlc diff old.dl lake.dl               what deploying lake.dl over old.dl replaces or destroys
  dlc diff --base HEAD lake.dl          the same against the lake as committed at HEAD
  dlc explain DL0204                    explain a diagnostic code
  dlc fmt lake.dl                       rewrite a lake in the canonical layout
  dlc fmt --check *.dl                  list files that are not formatted; exit 1 if any";

const DEPLOY_EXAMPLES: &str = "\
Examples:
  dlc deploy lake.dl --setup --profile 111111111111=admin   the bootstrap and pipeline stacks
  dlc deploy lake.dl --env Dev --role-name OrganizationAccountAccessRole
                                        one environment's stacks, through a role in its account
  dlc deploy --from out --env Dev --yes  an existing output, without asking (CI)";

/// `ACCOUNT=PROFILE`.
fn parse_profile(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((account, profile))
            if account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && !profile.is_empty() =>
        {
            Ok((account.to_string(), profile.to_string()))
        }
        _ => Err(format!(
            "`{text}` is not ACCOUNT=PROFILE, a 12-digit account and a profile name"
        )),
    }
}

#[derive(Parser, Debug)]
#[command(
    name = "dlc",
    version,
    about = "Check and compile data-lake descriptions (.dl files) for AWS",
    after_help = EXAMPLES
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Every run used to build the arguments of all ten subcommands, about 50 of
// the page faults of a seed `dlc check`; deferred, clap builds only the
// arguments of the subcommand being run (and all of them for `--help`).
#[derive(Subcommand, Debug)]
#[command(defer = true)]
enum Command {
    /// Check lake files and report every problem found.
    #[command(after_help = EXAMPLES)]
    Check {
        /// Lake files to check; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        output: OutputOptions,
        /// Exit with status 1 when there are warnings, too.
        #[arg(long)]
        deny_warnings: bool,
        /// Also print how the address pool is used: allocated and free blocks.
        #[arg(long)]
        cidr_report: bool,
        /// Apply every fix a help spells out as edits, to the lake and its
        /// imports, report each, then check again. With `-`, print the fixed
        /// lake on standard output and the report on standard error.
        #[arg(long)]
        fix: bool,
        #[command(flatten)]
        imports: ImportOptions,
    },
    /// Check a lake and write its CloudFormation templates, pipelines, bootstrap
    /// templates and manifest. On any error nothing in the output folder changes.
    #[command(after_help = EXAMPLES)]
    Compile {
        /// The lake file; `-` reads standard input.
        file: PathBuf,
        /// The output folder. dlc replaces only the files it wrote there.
        #[arg(short, long, default_value = "out")]
        out: PathBuf,
        /// Compile only this environment.
        #[arg(long)]
        env: Option<String>,
        #[command(flatten)]
        output: OutputOptions,
        /// Exit with status 1 (and write nothing) when there are warnings, too.
        #[arg(long)]
        deny_warnings: bool,
        /// Write nothing: list the files in the output folder that differ from
        /// what the lake compiles to, exit 1 if any.
        #[arg(long)]
        check: bool,
        #[command(flatten)]
        imports: ImportOptions,
    },
    /// Print a pipeline's declaration (`out/pipelines/<Env>.pipeline.json`)
    /// with the values only AWS has filled in: the input of
    /// `aws codepipeline create-pipeline --cli-input-json`.
    PipelineDeclaration {
        /// The declaration `dlc compile` wrote.
        file: PathBuf,
        /// The ARN of the pipeline stack's artifact key (an alias will not do).
        #[arg(long)]
        artifact_key_arn: String,
        /// For a pipeline that deploys into another region: the ARN of the key
        /// of its artifact store there (the `<Env>...Artifacts` stack's).
        #[arg(long)]
        regional_artifact_key_arn: Option<String>,
        /// Read the GitHub token of a `GitHub` token source from standard input.
        #[arg(long)]
        github_token_stdin: bool,
    },
    /// Print the checked lake as JSON: defaults applied, references resolved.
    Eval {
        /// The lake file; `-` reads standard input.
        file: PathBuf,
        #[command(flatten)]
        output: OutputOptions,
        #[command(flatten)]
        imports: ImportOptions,
    },
    /// Rewrite lake files in the canonical layout, keeping every comment.
    #[command(after_help = EXAMPLES)]
    Fmt {
        /// Files to format; `-` formats standard input to standard output.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Change nothing: list the files that would change, exit 1 if any.
        #[arg(long)]
        check: bool,
        #[command(flatten)]
        output: OutputOptions,
    },
    /// Show what deploying a changed lake adds, updates, replaces and
    /// destroys, each entry pointing at the lake line that caused it.
    /// Exit status: 0 no change, 1 errors in a lake, 2 usage or I/O,
    /// 4 changes, 5 destructive changes.
    #[command(after_help = EXAMPLES)]
    Diff {
        /// OLD and NEW lake files; with `--base`, only the lake file.
        #[arg(required = true, num_args = 1..=2, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Compare the lake file (and its imports) as committed at this git
        /// ref with the working tree.
        #[arg(long, value_name = "REF")]
        base: Option<String>,
        /// How to print the report.
        #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
        format: DiffFormat,
        /// When to colour human output. `NO_COLOR` in the environment turns `auto` off.
        #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
        color: ColorWhen,
        /// Which changes make the exit status non-zero.
        #[arg(long, value_enum, default_value_t = FailOnArg::Changes)]
        fail_on: FailOnArg,
        /// Acknowledge destructive changes: exit as for other changes. Setting
        /// `DLC_ALLOW_DESTRUCTIVE=1` in the environment does the same.
        #[arg(long)]
        allow_destructive: bool,
        #[command(flatten)]
        imports: ImportOptions,
    },
    /// Deploy a lake into AWS through CloudFormation change sets: the setup
    /// stacks (bootstraps, then pipelines) and environments' stacks, each
    /// change set reviewed and confirmed before it runs.
    /// Exit status: 0 deployed or nothing to do, 1 errors in the lake,
    /// 2 usage or credentials, 3 a deploy failed, 4 declined.
    #[command(after_help = DEPLOY_EXAMPLES)]
    Deploy {
        /// The lake file; compiled in memory.
        #[arg(required_unless_present = "from", conflicts_with = "from")]
        file: Option<PathBuf>,
        /// Deploy an existing output folder (with its manifest.json) instead.
        #[arg(long, value_name = "DIR")]
        from: Option<PathBuf>,
        /// The bootstrap and pipeline stacks, in the manifest's `setup_order`.
        #[arg(long, required_unless_present = "env")]
        setup: bool,
        /// This environment's stacks, in the manifest's `deploy_order` (repeatable).
        #[arg(long, value_name = "NAME")]
        env: Vec<String>,
        /// Execute each change set without asking (for CI). Without it and
        /// without a terminal, dlc deploy refuses (exit 4).
        #[arg(long)]
        yes: bool,
        /// Use this AWS CLI profile for this account (repeatable).
        #[arg(long, value_name = "ACCOUNT=PROFILE", value_parser = parse_profile)]
        profile: Vec<(String, String)>,
        /// Assume this role in each target account that has no `--profile`.
        #[arg(long, value_name = "NAME")]
        role_name: Option<String>,
        /// Upload templates over 51,200 bytes to this bucket and deploy them from there.
        #[arg(long, value_name = "NAME")]
        s3_bucket: Option<String>,
        #[command(flatten)]
        imports: ImportOptions,
    },
    /// Explain a diagnostic code, with an example that triggers it.
    Explain {
        /// A code such as DL0204.
        code: String,
    },
    /// Run the language server on standard input and output, for editors.
    Lsp,
    /// Print a synthetic lake of N environments (for benchmarks).
    #[command(hide = true)]
    Generate {
        /// How many environments.
        #[arg(long, default_value_t = 1)]
        envs: usize,
        /// Instead, one environment and this many disjoint reserved ranges.
        #[arg(long)]
        ranges: Option<usize>,
        /// Give every environment the same VPC range, from one `let`.
        #[arg(long, conflicts_with = "ranges")]
        shared_range: bool,
    },
}

#[derive(clap::Args, Debug, Clone)]
struct OutputOptions {
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// When to colour human output. `NO_COLOR` in the environment turns `auto` off.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    color: ColorWhen,
}

#[derive(clap::Args, Debug, Clone)]
struct ImportOptions {
    /// Let imports reach files outside the directory of the lake file, through
    /// `..`, absolute paths or symbolic links.
    #[arg(long)]
    allow_outside_imports: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// Source lines, labels, notes and help.
    Human,
    /// `file:line:col: severity[CODE]: message`.
    Short,
    /// A versioned JSON document (see README).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF tools.
    Sarif,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum DiffFormat {
    /// Per environment: counts, then destructive entries first.
    Human,
    /// A pull-request comment.
    Markdown,
    /// A versioned JSON document (see README).
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum FailOnArg {
    /// Exit 4 on any change, 5 on a destructive one.
    Changes,
    /// Exit 5 on a destructive change, 0 otherwise (the pre-commit hook).
    Destructive,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl Command {
    /// How the command prints diagnostics; commands without `--format` print
    /// them for a person.
    fn output_options(&self) -> OutputOptions {
        match self {
            Command::Check { output, .. }
            | Command::Compile { output, .. }
            | Command::Eval { output, .. }
            | Command::Fmt { output, .. } => output.clone(),
            // A diff's JSON report carries the lakes' problems as `dlc check`'s
            // JSON does; its other formats print them for a person.
            Command::Diff { format, color, .. } => OutputOptions {
                format: if *format == DiffFormat::Json {
                    Format::Json
                } else {
                    Format::Human
                },
                color: *color,
            },
            Command::PipelineDeclaration { .. }
            | Command::Deploy { .. }
            | Command::Explain { .. }
            | Command::Lsp
            | Command::Generate { .. } => OutputOptions {
                format: Format::Human,
                color: ColorWhen::Auto,
            },
        }
    }
}

/// Why a command stopped before its end: an I/O, usage or internal error,
/// as diagnostics, with the sources their spans point into (a codegen error
/// has a place in the lake; the others have none and an empty map).
struct Failure {
    sources: SourceMap,
    diagnostics: Vec<Diagnostic>,
}

impl From<Diagnostic> for Failure {
    fn from(diagnostic: Diagnostic) -> Failure {
        Failure {
            sources: SourceMap::new(),
            diagnostics: vec![diagnostic],
        }
    }
}

/// What a command ends with: its exit status, or the failure that stopped it.
type Outcome = Result<ExitCode, Failure>;

/// The status `dlc` exits with: 0 when all is well, 1 when the input has
/// errors (or a change destroys what it may not), 2 when dlc could not do
/// its job. The executable returns it from C's `main` (src/main.rs), which
/// `std::process::ExitCode` cannot be turned into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitCode(u8);

impl ExitCode {
    pub const SUCCESS: ExitCode = ExitCode(0);

    pub fn code(self) -> u8 {
        self.0
    }
}

impl From<u8> for ExitCode {
    fn from(code: u8) -> Self {
        ExitCode(code)
    }
}

/// Runs the command line and returns the process's exit status:
/// 0 clean, 1 problems in the input, 2 usage, I/O or internal errors.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let mut reporter = Reporter::new(cli.command.output_options());
    let status = match execute(cli, &mut reporter) {
        Ok(status) => status,
        Err(failure) => {
            reporter.failure(&failure);
            ExitCode::from(2)
        }
    };
    match reporter.finish() {
        Ok(()) => status,
        Err(error) => {
            // Standard output is gone (a full disk, a closed file): standard
            // error is the one place left to say so.
            eprintln!(
                "error[{}]: cannot write the diagnostics: {error}",
                Code::CannotWrite.as_str()
            );
            ExitCode::from(2)
        }
    }
}

fn execute(cli: Cli, reporter: &mut Reporter) -> Outcome {
    match cli.command {
        Command::Check {
            files,
            deny_warnings,
            cidr_report,
            fix,
            imports,
            ..
        } => {
            let stdin = if fix {
                reporter.start_fixes(files.iter().any(|f| f == Path::new("-")));
                fix_files(&files, reporter, &imports)?
            } else {
                None
            };
            let settings = CheckSettings {
                deny_warnings,
                cidr_report,
                stdin,
            };
            check(&files, reporter, settings, &imports)
        }
        Command::Eval { file, imports, .. } => eval(&file, reporter, &imports),
        Command::Compile {
            file,
            out,
            env,
            deny_warnings,
            check,
            imports,
            ..
        } => compile(
            &file,
            &out,
            env.as_deref(),
            reporter,
            CompileMode {
                deny_warnings,
                check,
            },
            &imports,
        ),
        Command::PipelineDeclaration {
            file,
            artifact_key_arn,
            regional_artifact_key_arn,
            github_token_stdin,
        } => pipeline_declaration(
            &file,
            artifact_key_arn,
            regional_artifact_key_arn,
            github_token_stdin,
        ),
        Command::Fmt { files, check, .. } => format_files(&files, check, reporter),
        Command::Diff {
            files,
            base,
            format,
            color,
            fail_on,
            allow_destructive,
            imports,
        } => {
            let allow_destructive = allow_destructive || host::allow_destructive();
            let fail_on = match fail_on {
                FailOnArg::Changes => crate::diff::FailOn::Changes,
                FailOnArg::Destructive => crate::diff::FailOn::Destructive,
            };
            Ok(
                match diff(&files, base.as_deref(), format, color, &imports, reporter)? {
                    Some(outcome) => ExitCode::from(crate::diff::exit_status(
                        outcome,
                        fail_on,
                        allow_destructive,
                    )),
                    None => ExitCode::from(1),
                },
            )
        }
        Command::Deploy {
            file,
            from,
            setup,
            env,
            yes,
            profile,
            role_name,
            s3_bucket,
            imports,
        } => deploy::deploy(
            deploy::Source {
                file: file.as_deref(),
                from: from.as_deref(),
                imports: &imports,
            },
            crate::deploy::bundle::Selection {
                setup,
                environments: env,
            },
            crate::deploy::Options {
                yes,
                profiles: profile.into_iter().collect(),
                role_name,
                s3_bucket,
                run_id: host::aws::run_id(),
            },
            reporter,
        ),
        Command::Explain { code } => explain(&code),
        Command::Lsp => lsp(),
        Command::Generate {
            envs,
            ranges,
            shared_range,
        } => {
            match ranges {
                Some(count) => print!("{}", crate::synth::reserved_ranges_lake(count)),
                None if shared_range => print!("{}", crate::synth::shared_range_lake(envs)),
                None => print!("{}", crate::synth::lake(envs)),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `dlc lsp`: serves until the editor exits.
fn lsp() -> Outcome {
    host::lsp::serve_stdio().map_err(|error| {
        Diagnostic::unlocated(
            Code::CannotRead,
            format!("the language server lost its editor: {error}"),
        )
        .with_help("the editor ended the connection or sent a message that is not LSP; restart the server from the editor")
    })?;
    Ok(ExitCode::SUCCESS)
}

/// How `dlc check` reports, and the check of standard input when `--fix`
/// already read it (it cannot be read twice).
struct CheckSettings {
    deny_warnings: bool,
    cidr_report: bool,
    stdin: Option<Checked>,
}

fn check(
    files: &[PathBuf],
    reporter: &mut Reporter,
    settings: CheckSettings,
    imports: &ImportOptions,
) -> Outcome {
    let CheckSettings {
        deny_warnings,
        cidr_report,
        mut stdin,
    } = settings;
    // (what to call it on success, the result)
    let mut results: Vec<(String, Checked)> = Vec::new();
    for file in files {
        let checked = match stdin.take() {
            Some(checked) if file == Path::new("-") => checked,
            other => {
                stdin = other;
                check_one(file, imports)?
            }
        };
        let name = file.display().to_string();
        if checked.is_module && file != Path::new("-") {
            // A file with no lake (pre-commit may stage only it) is checked
            // as part of the lakes that import it, where its values are used.
            let importers = importers_of(file, &checked, imports)?;
            if !importers.is_empty() {
                results.extend(importers);
                continue;
            }
        }
        results.push((name, checked));
    }
    // A lake is checked once, even when pre-commit passes both it and the
    // files it imports, or two files it imports.
    let roots: Vec<Option<&PathBuf>> = results.iter().map(|(_, c)| c.files.first()).collect();
    let keep: Vec<bool> = (0..results.len())
        .map(|i| {
            let root = roots[i];
            let repeated = roots[..i].contains(&root) && root.is_some();
            let imported = results.iter().enumerate().any(|(j, (_, other))| {
                j != i && other.files.iter().skip(1).any(|f| Some(f) == root)
            });
            !repeated && !imported
        })
        .collect();
    let results: Vec<(String, Checked)> = results
        .into_iter()
        .zip(keep)
        .filter_map(|(r, keep)| keep.then_some(r))
        .collect();
    let (names, results): (Vec<String>, Vec<Checked>) = results.into_iter().unzip();

    if let Some(error) = results.iter().find_map(|r| r.internal_error.as_ref()) {
        return Err(internal(error).into());
    }
    reporter.lakes(&results)?;
    if cidr_report {
        for checked in &results {
            if let Some(lake) = &checked.model {
                reporter
                    .print(&crate::checks::cidr_report(lake))
                    .map_err(|e| Failure::from(cannot_print(&e)))?;
            }
        }
    }
    let failed = results.iter().any(|checked| {
        checked
            .diagnostics
            .iter()
            .any(|d| d.is_error() || deny_warnings)
    });
    if failed {
        return Ok(ExitCode::from(1));
    }
    for (name, checked) in names.iter().zip(&results) {
        done(|| {
            let warnings = checked.diagnostics.len();
            let problems = match warnings {
                0 => "no problems".to_string(),
                n => plural(n, "warning"),
            };
            match &checked.model {
                Some(lake) => format!(
                    "checked {name}: {}, {problems}",
                    plural(lake.environments.len(), "environment")
                ),
                None if checked.is_module => {
                    format!(
                        "checked {name} on its own (no lake file near it imports it): {problems}"
                    )
                }
                None => format!("checked {name}: {problems}"),
            }
        });
    }
    Ok(ExitCode::SUCCESS)
}

/// The checks of the lake files near `module` (see
/// [`host::lake_files_near`]) that import it, directly or not.
fn importers_of(
    module: &Path,
    checked: &Checked,
    imports: &ImportOptions,
) -> Result<Vec<(String, Checked)>, Failure> {
    let Some(identity) = checked.files.first() else {
        return Ok(Vec::new());
    };
    let mut importers = Vec::new();
    for candidate in host::lake_files_near(module) {
        let lake = check_one(&candidate, imports)?;
        if lake.files.iter().skip(1).any(|f| f == identity) {
            let name = format!(
                "{} (which imports {})",
                candidate.display(),
                module.display()
            );
            importers.push((name, lake));
        }
    }
    Ok(importers)
}

/// `--fix`: applies the fixes of each lake in rounds (see [`crate::fix`])
/// and reports each. Returns the last check of standard input, whose fixed
/// text it printed, when `-` is one of the files.
fn fix_files(
    files: &[PathBuf],
    reporter: &mut Reporter,
    imports: &ImportOptions,
) -> Result<Option<Checked>, Failure> {
    let mut stdin = None;
    for file in files {
        if file == Path::new("-") {
            stdin = Some(fix_stdin(reporter, imports)?);
        } else {
            fix_file(file, reporter, imports)?;
        }
    }
    Ok(stdin)
}

/// Fixes a lake file and its imports on disk, checking again after each
/// round, until no fix applies or [`fix::MAX_ROUNDS`](crate::fix::MAX_ROUNDS).
fn fix_file(file: &Path, reporter: &mut Reporter, imports: &ImportOptions) -> Result<(), Failure> {
    for round in 1..=crate::fix::MAX_ROUNDS {
        let checked = check_one(file, imports)?;
        // Only the lake's own files: never the embedded standard library.
        let plan = crate::fix::plan(&checked.sources, &checked.diagnostics, |id| {
            !checked.sources.get(id).name.starts_with("std/")
        });
        let last = plan.texts.is_empty() || round == crate::fix::MAX_ROUNDS;
        reporter.fixes(&checked.sources, &plan, last)?;
        if plan.texts.is_empty() {
            break;
        }
        write_fixed(&checked.sources, &plan.texts)?;
    }
    Ok(())
}

/// Fixes the lake on standard input in memory and prints the fixed text.
/// Its imports are files other commands may be reading: they are not changed.
fn fix_stdin(reporter: &mut Reporter, imports: &ImportOptions) -> Result<Checked, Failure> {
    let path = working_directory()?.join("<stdin>");
    let mut loader = loader(imports);
    let (name, mut bytes) = match read_input(Path::new("-"))? {
        Input::Bytes(name, bytes) => (name, bytes),
        Input::TooLarge(name, size) => {
            return Ok(driver::too_large(&name, &path, size, loader.as_ref()));
        }
    };
    let mut checked = driver::check_bytes(&name, &path, bytes.clone(), loader.as_mut());
    for round in 1..=crate::fix::MAX_ROUNDS {
        let sources = &checked.sources;
        let root = sources
            .files()
            .find(|(_, f)| f.name == name)
            .map(|(id, _)| id);
        let plan = crate::fix::plan(sources, &checked.diagnostics, |id| Some(id) == root);
        let last = plan.texts.is_empty() || round == crate::fix::MAX_ROUNDS;
        reporter.fixes(sources, &plan, last)?;
        let Some(text) = plan.texts.into_values().next() else {
            break;
        };
        bytes = text.into_bytes();
        checked = driver::check_bytes(&name, &path, bytes.clone(), loader.as_mut());
    }
    std::io::stdout()
        .write_all(&bytes)
        .and_then(|()| std::io::stdout().flush())
        .map_err(|e| Failure::from(cannot_print(&e)))?;
    Ok(checked)
}

/// Writes the fixed files, each only if it still holds the text the fixes
/// were made from: an editor may have saved it meanwhile. All are compared
/// before any is written, so a fix across two files is not left half done.
fn write_fixed(
    sources: &SourceMap,
    texts: &std::collections::BTreeMap<crate::source::FileId, String>,
) -> Result<(), Failure> {
    let error = |name: &str, error: host::ReplaceError| -> Failure {
        match error {
            host::ReplaceError::Changed => Diagnostic::unlocated(
                Code::CannotWrite,
                format!("{name} changed since dlc read it: its fixes were not written"),
            )
            .with_help("run `dlc check --fix` again once the file is saved: it reads it anew"),
            host::ReplaceError::Io(e) => {
                Diagnostic::unlocated(Code::CannotWrite, format!("cannot write {name}: {e}"))
                    .with_help("the file was left as it was; check its folder's permissions")
            }
        }
        .into()
    };
    for id in texts.keys() {
        let file = sources.get(*id);
        host::still_holds(Path::new(&file.name), &file.text).map_err(|e| error(&file.name, e))?;
    }
    for (id, text) in texts {
        let file = sources.get(*id);
        host::replace_if_unchanged(Path::new(&file.name), &file.text, text)
            .map_err(|e| error(&file.name, e))?;
    }
    Ok(())
}

/// `lake.dl:12: DL0301 `10.0.0.1/16` -> `10.0.0.0/16``: a fix, on one line.
fn fix_line(fix: &render::located::LocatedFix) -> String {
    let shown = |text: &str| format!("`{}`", text.replace('\n', "\\n"));
    let place = fix
        .edits
        .first()
        .map(|e| format!("{}:{}: ", e.position.file, e.position.line))
        .unwrap_or_default();
    let edits: Vec<String> = fix
        .edits
        .iter()
        .map(|e| format!("{} -> {}", shown(&e.original), shown(&e.replacement)))
        .collect();
    format!("fixed {place}{} {}", fix.code.as_str(), edits.join(", "))
}

/// Why a fix was left out, on one line.
fn skipped_line(sources: &SourceMap, skipped: &crate::fix::Skipped) -> String {
    use crate::fix::SkipReason;
    let file = sources.get(skipped.span.file);
    let (line, _) = file.line_col(skipped.span.start as usize);
    let why = match skipped.reason {
        SkipReason::Overlaps => {
            "its edits overlap a fix applied above; the lake is checked again after it"
        }
        SkipReason::NotWritable => {
            "its edits are in a file --fix does not change (an import of standard input)"
        }
        SkipReason::BadSpan => "its edits do not fit the file: a bug in dlc, please report it",
    };
    format!(
        "not fixed {}:{line}: {}: {why}",
        file.name,
        skipped.code.as_str()
    )
}

fn eval(file: &Path, reporter: &mut Reporter, imports: &ImportOptions) -> Outcome {
    let checked = check_file(file, imports, Quotas::Check, Keep::Everything)?;
    if let Some(error) = &checked.internal_error {
        return Err(internal(error).into());
    }
    if checked.has_errors() {
        reporter.lakes(std::slice::from_ref(&checked))?;
        return Ok(ExitCode::from(1));
    }
    let text = serde_json::to_string_pretty(&checked.evaluated.to_json())
        .map_err(|e| internal(&format!("cannot print the lake as JSON: {e}")))?;
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// How `dlc compile` treats warnings and the output folder.
struct CompileMode {
    deny_warnings: bool,
    /// Compare with the output folder instead of writing it.
    check: bool,
}

fn compile(
    file: &Path,
    out: &Path,
    env: Option<&str>,
    reporter: &mut Reporter,
    mode: CompileMode,
    imports: &ImportOptions,
) -> Outcome {
    // Writing the whole lake, the templates' quotas are checked on the
    // templates as they are written, so that each is built once; the
    // diagnostics are reported, and out/ changed, once they are known.
    let quotas = if env.is_none() && !mode.check {
        Quotas::Deferred
    } else {
        Quotas::Check
    };
    let mut checked = check_file(file, imports, quotas, Keep::Model)?;
    if let Some(error) = &checked.internal_error {
        return Err(internal(error).into());
    }
    let deferred = quotas == Quotas::Deferred && checked.model.is_some();
    if !deferred && !checked.diagnostics.is_empty() {
        reporter.lakes(std::slice::from_ref(&checked))?;
    }
    let warnings = checked.diagnostics.iter().any(|d| !d.is_error());
    let Some(lake) = checked
        .model
        .as_ref()
        .filter(|_| deferred || !(mode.deny_warnings && warnings))
    else {
        return Ok(ExitCode::from(1));
    };
    if let Some(name) = env {
        if !lake.environments.contains_key(name) {
            let names: Vec<&str> = lake.environments.keys().map(String::as_str).collect();
            let suggestion = crate::suggest::closest(name, names.iter().copied());
            let diagnostic = Diagnostic::unlocated(
                Code::NoSuchEnvironment,
                format!("the lake has no environment `{name}`"),
            )
            .with_help(match suggestion {
                Some(s) => format!("did you mean `--env {s}`?"),
                None => format!("the environments are {}", names.join(", ")),
            });
            return Err(diagnostic.into());
        }
    }
    // Sources are named relative to the lake's folder (imports on stdin are
    // relative to the working directory), so the manifest does not depend on
    // the path the lake was given by.
    let project = if file == Path::new("-") {
        working_directory()?
    } else {
        file.parent().unwrap_or(Path::new("")).to_path_buf()
    };
    let locate = crate::codegen::locate_in_project(&checked.sources, &project);
    if mode.check {
        let compared = compare_output(lake, env, &locate, file, out);
        drop(locate);
        return compared.map_err(|stop| stop.into_failure(checked.sources));
    }
    let write_error = |e| output_error(e, OutputAccess::Write);
    // What stops a compile before it writes: an error, or a warning when
    // warnings are denied.
    let stops = |checked: &Checked| {
        checked.has_errors()
            || (mode.deny_warnings && checked.diagnostics.iter().any(|d| !d.is_error()))
    };
    // With the quotas deferred, what the check found is reported with what
    // they find. When the compile fails first, they are measured then and
    // reported; if they stop the compile, its own error is not, as when the
    // check measured them.
    let report_first = |reporter: &mut Reporter, checked: &mut Checked| {
        if deferred {
            checked.check_quotas();
            if !checked.diagnostics.is_empty() {
                reporter.lakes(std::slice::from_ref(checked))?;
            }
        }
        Ok::<bool, Failure>(deferred && stops(checked))
    };
    // Files go to the staging folder as they are rendered, and the manifest
    // as its stacks are; out/ changes only at the commit, after the last one.
    use crate::codegen::Emitted;
    let mut staging = match crate::host::output::Staging::new(out) {
        Ok(staging) => staging,
        Err(e) => {
            drop(locate);
            if report_first(reporter, &mut checked)? {
                return Ok(ExitCode::from(1));
            }
            return Err(write_error(e).into());
        }
    };
    let mut over_quota = Vec::new();
    let compiled = crate::codegen::compile_in_pieces(
        lake,
        env,
        &locate,
        |emitted| match emitted {
            Emitted::File(file) => staging.write(&file.path, &file.contents),
            Emitted::Piece(piece) => staging.append(crate::codegen::MANIFEST, piece),
            Emitted::ManifestEnd => staging.finish_pieces(),
        },
        |template| {
            if template.over_a_quota() {
                over_quota.push(template);
            }
        },
    );
    drop(locate);
    if let Err(error) = compiled {
        if report_first(reporter, &mut checked)? {
            return Ok(ExitCode::from(1));
        }
        return Err(match error {
            crate::codegen::CompileError::Codegen(errors) => {
                Stop::Codegen(errors).into_failure(checked.sources)
            }
            crate::codegen::CompileError::Emit(e) => write_error(e).into(),
        });
    }
    if deferred {
        let mut found = crate::diagnostic::Diagnostics::new();
        crate::checks::check_measured_templates(lake, &over_quota, &mut found);
        checked.add_quota_findings(found.into_sorted());
        if !checked.diagnostics.is_empty() {
            reporter.lakes(std::slice::from_ref(&checked))?;
        }
        if stops(&checked) {
            // The staged files are removed; out/ is untouched.
            return Ok(ExitCode::from(1));
        }
    }
    let committed = staging.commit().map_err(write_error)?;
    done(|| {
        let files = plural(committed.files, "file");
        if committed.changed {
            format!("wrote {files} to {}/", out.display())
        } else {
            format!("{}/ is up to date: {files}, none changed", out.display())
        }
    });
    Ok(ExitCode::SUCCESS)
}

/// One line on standard error saying what a successful command did, for a
/// person at a terminal; a pipe or a file (scripts, CI, pre-commit) gets none.
fn done(line: impl FnOnce() -> String) {
    if std::io::stderr().is_terminal() {
        eprintln!("{}", line());
    }
}

/// `1 file`, `17 files`.
fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Why a compile stopped: a diagnostic of its own, or codegen errors whose
/// spans point into the lake's sources (which the caller owns).
enum Stop {
    Diagnostic(Box<Diagnostic>),
    Codegen(Vec<crate::codegen::Error>),
}

impl From<Diagnostic> for Stop {
    fn from(diagnostic: Diagnostic) -> Stop {
        Stop::Diagnostic(Box::new(diagnostic))
    }
}

impl Stop {
    fn into_failure(self, sources: SourceMap) -> Failure {
        match self {
            Stop::Diagnostic(diagnostic) => (*diagnostic).into(),
            Stop::Codegen(errors) => Failure {
                sources,
                diagnostics: errors.into_iter().map(codegen_error).collect(),
            },
        }
    }
}

/// A codegen error, at its place in the lake: the checks let through a lake
/// that codegen cannot compile, which is a bug in dlc.
fn codegen_error(error: crate::codegen::Error) -> Diagnostic {
    Diagnostic::new(
        Code::InternalError,
        error.span,
        format!(
            "internal error: the checked lake cannot be compiled: {}",
            error.message
        ),
    )
    .with_label("codegen cannot compile this")
    .with_help(BUG_HELP)
}

const BUG_HELP: &str =
    "this is a bug in dlc, not in your lake: please report it with the lake file";

/// What dlc was doing with the output folder when it failed.
#[derive(Clone, Copy)]
enum OutputAccess {
    /// `dlc compile`: writing it.
    Write,
    /// `dlc compile --check`: reading it, to compare.
    Compare,
}

/// A failure to write, or to read for a comparison, the output folder.
fn output_error(error: crate::host::output::OutputError, access: OutputAccess) -> Diagnostic {
    use crate::host::output::OutputError;
    match error {
        OutputError::NotADirectory(path) => Diagnostic::unlocated(
            Code::OutputNotAFolder,
            format!(
                "the output folder {} exists and is not a folder",
                path.display()
            ),
        )
        .with_help("give `-o` a folder, or a path where dlc may create one"),
        OutputError::Escapes(path) => Diagnostic::unlocated(
            Code::InternalError,
            format!("internal error: refusing to write {path}: it is outside the output folder"),
        )
        .with_help(BUG_HELP),
        OutputError::Io(path, e) => match access {
            OutputAccess::Write => Diagnostic::unlocated(
                Code::CannotWrite,
                format!("cannot write {}: {e}", path.display()),
            )
            .with_help("nothing in the output folder changed"),
            OutputAccess::Compare => Diagnostic::unlocated(
                Code::CannotRead,
                format!("cannot read {}: {e}", path.display()),
            )
            .with_help("check the output folder's permissions"),
        },
    }
}

/// `dlc compile --check`: the lake compiled in memory and compared with
/// `out`, file by file; nothing is written.
fn compare_output(
    lake: &crate::model::Lake,
    env: Option<&str>,
    locate: crate::codegen::Locate<'_>,
    file: &Path,
    out: &Path,
) -> Result<ExitCode, Stop> {
    let read_error = |e| output_error(e, OutputAccess::Compare);
    let mut comparison = crate::host::output::Comparison::new(out).map_err(read_error)?;
    // The manifest is compared in pieces, as it is written.
    use crate::codegen::Emitted;
    crate::codegen::compile_in_pieces(
        lake,
        env,
        locate,
        |emitted| match emitted {
            Emitted::File(file) => comparison.file(&file.path, &file.contents),
            Emitted::Piece(piece) => comparison.append(crate::codegen::MANIFEST, piece),
            Emitted::ManifestEnd => {
                comparison.finish_pieces();
                Ok(())
            }
        },
        |_| {},
    )
    .map_err(|error| match error {
        crate::codegen::CompileError::Codegen(errors) => Stop::Codegen(errors),
        crate::codegen::CompileError::Emit(e) => read_error(e).into(),
    })?;
    let differences = comparison.finish();
    let out_name = out.display();
    let lake_name = file.display();
    if differences.is_empty() {
        println!("{out_name} is what {lake_name} compiles to");
        return Ok(ExitCode::SUCCESS);
    }
    println!("{out_name} is not what {lake_name} compiles to:");
    for (what, paths) in [
        ("added", &differences.added),
        ("changed", &differences.changed),
        ("removed", &differences.removed),
    ] {
        for path in paths {
            println!("  {what:<8} {path}");
        }
    }
    let env_flag = env.map(|e| format!(" --env {e}")).unwrap_or_default();
    println!(
        "help: run `dlc compile {lake_name} -o {out_name}{env_flag}` and commit {out_name}; \
         the pipelines deploy the committed files"
    );
    Ok(ExitCode::from(1))
}

/// `dlc pipeline-declaration`: the declaration with its placeholders filled.
fn pipeline_declaration(
    file: &Path,
    artifact_key_arn: String,
    regional_artifact_key_arn: Option<String>,
    github_token_stdin: bool,
) -> Outcome {
    use crate::codegen::pipeline_declaration::{fill, Values};
    let text = host::read_text(file).map_err(|e| cannot_read(file, &e))?;
    let github_token = if github_token_stdin {
        let mut token = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut token).map_err(|e| {
            Diagnostic::unlocated(
                Code::CannotRead,
                format!("cannot read the GitHub token from standard input: {e}"),
            )
            .with_help("pipe the token in: `... --github-token-stdin < token.txt`")
        })?;
        Some(token.trim().to_string())
    } else {
        None
    };
    let values = Values {
        artifact_key_arn: Some(artifact_key_arn),
        regional_artifact_key_arn,
        github_token,
    };
    let filled = fill(&text, &values).map_err(|e| {
        Diagnostic::unlocated(
            Code::CannotFillDeclaration,
            format!("cannot fill {}: {e}", file.display()),
        )
        .with_help("see \"The declaration\" in docs/output.md for where each value comes from")
    })?;
    print!("{filled}");
    Ok(ExitCode::SUCCESS)
}

/// `dlc diff`: reads and checks both lakes, prints the report; the outcome,
/// or `None` when a lake has errors (printed as `dlc check` prints them).
fn diff(
    files: &[PathBuf],
    base: Option<&str>,
    format: DiffFormat,
    color: ColorWhen,
    imports: &ImportOptions,
    reporter: &mut Reporter,
) -> Result<Option<crate::diff::Outcome>, Failure> {
    let usage = |message: &str, help: &str| -> Failure {
        Diagnostic::unlocated(Code::DiffUsage, message)
            .with_help(help)
            .into()
    };
    // The quotas are checked on the templates the comparison compiles.
    let check = |file| check_file(file, imports, Quotas::Deferred, Keep::Everything);
    let (old, new, new_file) = match (base, files) {
        (None, [old, new]) => (check(old)?, check(new)?, new),
        (Some(_), [file]) if file == Path::new("-") => {
            return Err(usage(
                "with --base, dlc diff cannot read the lake from standard input",
                "name the lake file: git reads it by its path",
            ))
        }
        (Some(reference), [file]) => {
            let old = driver::check_at_ref(
                file,
                reference,
                imports.allow_outside_imports,
                Quotas::Deferred,
            )
            .map_err(|e| {
                Failure::from(
                    Diagnostic::unlocated(Code::CannotReadThroughGit, e.to_string())
                        .with_help(e.help()),
                )
            })?;
            (old, check(file)?, file)
        }
        (None, _) => return Err(usage(
            "dlc diff needs two lake files",
            "`dlc diff OLD NEW`, or `dlc diff --base REF FILE` for the lake as committed at REF",
        )),
        (Some(_), _) => {
            return Err(usage(
                "with --base, dlc diff takes one lake file",
                "`dlc diff --base REF FILE` compares FILE with itself as committed at REF",
            ))
        }
    };
    for checked in [&old, &new] {
        if let Some(error) = &checked.internal_error {
            return Err(internal(error).into());
        }
    }
    let mut both = [old, new];
    if both.iter().any(Checked::has_errors) {
        // Neither is compiled: a clean side's quotas are measured now, so
        // that its errors are reported too.
        both.iter_mut().for_each(Checked::check_quotas);
    }
    if report_lake_errors(&both, base, format, reporter)? {
        return Ok(None);
    }
    let [old, new] = &both;
    let (Some(old_lake), Some(new_lake)) = (&old.model, &new.model) else {
        return Err(usage(
            "dlc diff compares lakes, and a file declares none",
            "name a lake file: one that declares a `lake`",
        ));
    };
    let project = if new_file == Path::new("-") {
        working_directory()?
    } else {
        new_file.parent().unwrap_or(Path::new("")).to_path_buf()
    };
    let old_project = match base {
        Some(_) => project.clone(),
        None => files[0].parent().unwrap_or(Path::new("")).to_path_buf(),
    };
    let side = |checked, lake, project| crate::diff::Side {
        checked,
        lake,
        project,
    };
    let compared = crate::diff::compare_checking_quotas(
        &side(old, old_lake, &old_project),
        &side(new, new_lake, &project),
    )
    .map_err(|errors| {
        let messages: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        Failure::from(internal(&messages.join("; ")))
    })?;
    let report = match compared {
        crate::diff::Compared::Report(report) => report,
        crate::diff::Compared::OverQuota(found) => {
            for (checked, found) in both.iter_mut().zip(found) {
                checked.add_quota_findings(found);
            }
            report_lake_errors(&both, base, format, reporter)?;
            return Ok(None);
        }
    };
    let printed = match format {
        DiffFormat::Json => write!(std::io::stdout(), "{}", crate::diff::render::json(&report)),
        DiffFormat::Markdown => {
            write!(
                std::io::stdout(),
                "{}",
                crate::diff::render::markdown(&report)
            )
        }
        DiffFormat::Human => {
            let mut stream = StandardStream::stdout(color_choice(color, &std::io::stdout()));
            crate::diff::render::human(&mut stream, &report).and_then(|()| stream.flush())
        }
    };
    printed.map_err(|e| Failure::from(cannot_print(&e)))?;
    Ok(Some(report.outcome))
}

/// Prints the errors of the lakes `dlc diff` compares, as `dlc check`
/// prints them; whether there were any.
fn report_lake_errors(
    both: &[Checked; 2],
    base: Option<&str>,
    format: DiffFormat,
    reporter: &mut Reporter,
) -> Result<bool, Failure> {
    let [old, new] = both;
    match (old.has_errors(), new.has_errors()) {
        (true, true) if format == DiffFormat::Json => reporter.lakes(both)?,
        (false, false) => return Ok(false),
        _ => {
            for (checked, side) in [(old, "old"), (new, "new")] {
                if !checked.has_errors() {
                    continue;
                }
                if let (Some(reference), "old", DiffFormat::Human) = (base, side, format) {
                    // Both sides have the same file names: say which this is.
                    println!("the lake as committed at {reference}:");
                }
                reporter.lakes(std::slice::from_ref(checked))?;
            }
        }
    }
    Ok(true)
}

fn explain(code: &str) -> Outcome {
    match Code::parse(code) {
        Some(code) => {
            println!("{}", code.explanation().trim_end());
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
            let help = match crate::suggest::closest(code, codes.iter().copied()) {
                Some(s) => format!("did you mean {s}? Codes are {}", codes.join(", ")),
                None => format!("codes are {}", codes.join(", ")),
            };
            let diagnostic = Diagnostic::unlocated(
                Code::UnknownCode,
                format!("`{code}` is not a dlc diagnostic code"),
            );
            Err(diagnostic.with_help(help).into())
        }
    }
}

fn format_files(files: &[PathBuf], check: bool, reporter: &mut Reporter) -> Outcome {
    let mut failed = false;
    let mut rewritten = 0;
    for file in files {
        let (name, bytes) = match read_input(file)? {
            Input::Bytes(name, bytes) => (name, bytes),
            Input::TooLarge(name, size) => {
                let checked = driver::too_large(&name, file, size, &FsLoader);
                reporter.lake(&checked)?;
                failed = true;
                continue;
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => {
                let checked = driver::check_bytes(&name, file, error.into_bytes(), &mut FsLoader);
                reporter.lake(&checked)?;
                failed = true;
                continue;
            }
        };
        let mut sources = crate::source::SourceMap::new();
        let file_id = sources.add(name.clone(), text.clone());
        match crate::fmt::format_source(file_id, &text) {
            Ok(formatted) => {
                let changed = formatted != text;
                if file == Path::new("-") {
                    if check {
                        failed |= changed;
                    } else {
                        print!("{formatted}");
                    }
                } else if changed {
                    if check {
                        println!("{name}");
                        failed = true;
                    } else {
                        // As `--fix` writes: through a symbolic link to its
                        // target, and never over a file an editor saved
                        // since dlc read it.
                        host::replace_if_unchanged(file, &text, &formatted).map_err(
                            |e| match e {
                                host::ReplaceError::Changed => Diagnostic::unlocated(
                                    Code::CannotWrite,
                                    format!(
                                        "{} changed since dlc read it: it was not formatted",
                                        file.display()
                                    ),
                                )
                                .with_help("run `dlc fmt` again once the file is saved"),
                                host::ReplaceError::Io(e) => Diagnostic::unlocated(
                                    Code::CannotWrite,
                                    format!("cannot write {}: {e}", file.display()),
                                )
                                .with_help(
                                    "the file was left as it was; check its folder's permissions",
                                ),
                            },
                        )?;
                        rewritten += 1;
                    }
                }
            }
            Err(crate::fmt::FormatError::Syntax(diagnostics)) => {
                let checked = Checked::unread(sources, diagnostics.into_sorted(), Vec::new());
                reporter.lake(&checked)?;
                failed = true;
            }
            Err(crate::fmt::FormatError::Internal(message)) => {
                let diagnostic = Diagnostic::unlocated(
                    Code::InternalError,
                    format!("internal error: cannot format {name}: {message}"),
                )
                .with_help("this is a bug in dlc's formatter; the file was left as it was. Please report it with the file");
                return Err(diagnostic.into());
            }
        }
    }
    if failed {
        return Ok(ExitCode::from(1));
    }
    let on_disk = files.iter().filter(|f| *f != Path::new("-")).count();
    if on_disk > 0 {
        done(|| match (check, rewritten) {
            (true, _) => format!("{} already formatted", plural(on_disk, "file")),
            (false, 0) => format!(
                "{} already formatted, none changed",
                plural(on_disk, "file")
            ),
            (false, n) => format!("formatted {}: {n} rewritten", plural(on_disk, "file")),
        });
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a path, or stdin for `-`, never more than the size limit.
fn read_input(file: &Path) -> Result<Input, Failure> {
    let diagnostic = match host::read_input(file) {
        Ok(input) => return Ok(input),
        Err(ReadError::Io(e)) if file == Path::new("-") => {
            Diagnostic::unlocated(Code::CannotRead, format!("cannot read standard input: {e}"))
        }
        Err(ReadError::Io(e)) => {
            cannot_read(file, &e).with_help("check the path; lake files usually end in .dl")
        }
        Err(ReadError::Directory) => {
            Diagnostic::unlocated(Code::NotAFile, format!("{} is a directory", file.display()))
                .with_help(format!(
                    "name a lake file, e.g. {}",
                    file.join("lake.dl").display()
                ))
        }
    };
    Err(diagnostic.into())
}

/// Reads one lake (a path or `-` for stdin) and checks it, for what needs
/// its diagnostics and its model only: `check`, `--fix`, `deploy`. The
/// editor's tables are not built, and the trees and the evaluated values go
/// once the model is built ([`Keep::Model`]): a 10,000-environment check
/// peaked at 243 MB with them. tests/ui.rs proves the diagnostics are the
/// editor's.
fn check_one(file: &Path, imports: &ImportOptions) -> Result<Checked, Failure> {
    check_file(file, imports, Quotas::Check, Keep::Model)
}

/// Reads one lake (a path or `-` for stdin) and checks it, measuring the
/// templates or not and keeping what `keep` says.
fn check_file(
    file: &Path,
    imports: &ImportOptions,
    quotas: Quotas,
    keep: Keep,
) -> Result<Checked, Failure> {
    let mut loader = loader(imports);
    let loader = loader.as_mut();
    let path = if file == Path::new("-") {
        // Imports on stdin are relative to the working directory.
        working_directory()?.join("<stdin>")
    } else {
        file.to_path_buf()
    };
    Ok(match read_input(file)? {
        Input::Bytes(name, bytes) => {
            driver::check_bytes_with(&name, &path, bytes, loader, quotas, keep)
        }
        Input::TooLarge(name, size) => driver::too_large(&name, &path, size, loader),
    })
}

/// Reads imports from disk, inside the project unless the user allows otherwise.
fn loader(imports: &ImportOptions) -> Box<dyn SourceLoader> {
    if imports.allow_outside_imports {
        Box::new(AllowOutsideImports(FsLoader))
    } else {
        Box::new(FsLoader)
    }
}

/// The working directory, against which imports on standard input resolve.
fn working_directory() -> Result<PathBuf, Failure> {
    host::working_directory().map_err(|e| {
        let diagnostic = Diagnostic::unlocated(
            Code::CannotRead,
            format!("cannot read the working directory: {e}"),
        )
        .with_help("it may have been removed: change to an existing directory");
        diagnostic.into()
    })
}

fn cannot_read(file: &Path, error: &std::io::Error) -> Diagnostic {
    Diagnostic::unlocated(
        Code::CannotRead,
        format!("cannot read {}: {error}", file.display()),
    )
}

/// The stdlib and the model disagree: a bug in dlc, not in the lake.
fn internal(error: &str) -> Diagnostic {
    Diagnostic::unlocated(
        Code::InternalError,
        format!("internal error: the checked lake does not match the model: {error}"),
    )
    .with_help(BUG_HELP)
}

/// Prints diagnostics in the chosen format. Human and short output is
/// printed as it comes (diagnostics about a lake on standard output, a
/// failure on standard error); a JSON or SARIF document holds every
/// diagnostic of the run, and is printed once, at the end, on standard
/// output, when anything was reported.
struct Reporter {
    options: OutputOptions,
    /// For JSON and SARIF: every diagnostic so far, once anything was reported.
    document: Option<Vec<render::Located>>,
    /// With `--fix`: the fixes applied so far, for the JSON document.
    fixes: Option<Vec<render::located::LocatedFix>>,
    /// Where the report about lakes goes: standard output, unless `--fix`
    /// prints a fixed lake there.
    report: Stream,
}

impl Reporter {
    fn new(options: OutputOptions) -> Reporter {
        Reporter {
            options,
            document: None,
            fixes: None,
            report: Stream::Stdout,
        }
    }

    /// `--fix` runs: the JSON document lists the fixes applied, even none,
    /// and when the fixed text of standard input goes to standard output,
    /// the report goes to standard error.
    fn start_fixes(&mut self, fixing_stdin: bool) {
        self.fixes = Some(Vec::new());
        if fixing_stdin {
            self.report = Stream::Stderr;
        }
    }

    /// One round of `--fix`: each fix applied, each fix skipped for an
    /// overlap, and on the `last` round the fixes that cannot be applied.
    fn fixes(
        &mut self,
        sources: &SourceMap,
        plan: &crate::fix::Plan,
        last: bool,
    ) -> Result<(), Failure> {
        let applied: Vec<render::located::LocatedFix> = plan
            .fixes
            .iter()
            .map(|fix| render::located::locate_fix(sources, fix))
            .collect();
        let mut lines: Vec<String> = applied.iter().map(fix_line).collect();
        lines.extend(
            plan.skipped
                .iter()
                .filter(|s| last || s.reason == crate::fix::SkipReason::Overlaps)
                .map(|s| skipped_line(sources, s)),
        );
        self.fixes.get_or_insert_with(Vec::new).extend(applied);
        if matches!(self.options.format, Format::Human | Format::Short) {
            for line in lines {
                self.print(&format!("{line}\n"))
                    .map_err(|e| Failure::from(cannot_print(&e)))?;
            }
        }
        Ok(())
    }

    /// Text about lakes, on the stream the report goes to.
    fn print(&self, text: &str) -> std::io::Result<()> {
        match self.report {
            Stream::Stdout => std::io::stdout().write_all(text.as_bytes()),
            Stream::Stderr => std::io::stderr().write_all(text.as_bytes()),
        }
    }

    /// The diagnostics of checked lakes, and for a person a summary line.
    fn lakes(&mut self, results: &[Checked]) -> Result<(), Failure> {
        for checked in results {
            self.lake(checked)?;
        }
        if self.options.format == Format::Human {
            if let Some(line) = summary(results) {
                self.print(&format!("{line}\n"))
                    .map_err(|e| Failure::from(cannot_print(&e)))?;
            }
        }
        Ok(())
    }

    fn lake(&mut self, checked: &Checked) -> Result<(), Failure> {
        self.write(&checked.sources, &checked.diagnostics, self.report)
            .map_err(|e| cannot_print(&e).into())
    }

    fn failure(&mut self, failure: &Failure) {
        if let Err(error) = self.write(&failure.sources, &failure.diagnostics, Stream::Stderr) {
            eprintln!("{}", cannot_print(&error).message);
        }
    }

    fn write(
        &mut self,
        sources: &SourceMap,
        diagnostics: &[Diagnostic],
        stream: Stream,
    ) -> std::io::Result<()> {
        match self.options.format {
            Format::Json | Format::Sarif => {
                let document = self.document.get_or_insert_with(Vec::new);
                document.extend(render::locate(sources, diagnostics));
                Ok(())
            }
            Format::Short => {
                let text = render::short(sources, diagnostics);
                match stream {
                    Stream::Stdout => std::io::stdout().write_all(text.as_bytes()),
                    Stream::Stderr => std::io::stderr().write_all(text.as_bytes()),
                }
            }
            Format::Human => {
                let color = self.options.color;
                let mut out = match stream {
                    Stream::Stdout => {
                        StandardStream::stdout(color_choice(color, &std::io::stdout()))
                    }
                    Stream::Stderr => {
                        StandardStream::stderr(color_choice(color, &std::io::stderr()))
                    }
                };
                render::human(&mut out, sources, diagnostics)?;
                out.flush()
            }
        }
    }

    /// Prints the JSON or SARIF document, if there is one.
    fn finish(self) -> std::io::Result<()> {
        let Some(diagnostics) = &self.document else {
            return Ok(());
        };
        let text = match self.options.format {
            Format::Sarif => render::sarif::sarif(diagnostics),
            _ => render::json::json_with_fixes(diagnostics, self.fixes.as_deref()),
        };
        let text = text.map_err(std::io::Error::other)?;
        self.print(&format!("{text}\n"))
    }
}

#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

fn cannot_print(error: &std::io::Error) -> Diagnostic {
    Diagnostic::unlocated(
        Code::CannotWrite,
        format!("cannot print the diagnostics: {error}"),
    )
}

/// `2 errors and 1 warning in 1 lake`, when there is anything to count.
fn summary(results: &[Checked]) -> Option<String> {
    let all: Vec<&Diagnostic> = results.iter().flat_map(|r| &r.diagnostics).collect();
    let errors = all.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = all.len() - errors;
    if all.is_empty() {
        return None;
    }
    Some(format!(
        "{} and {} in {}",
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(results.len(), "lake")
    ))
}

/// `--color auto` colours only a terminal, and never when `NO_COLOR` is set.
fn color_choice(when: ColorWhen, stream: &impl IsTerminal) -> ColorChoice {
    match when {
        ColorWhen::Always => ColorChoice::Always,
        ColorWhen::Never => ColorChoice::Never,
        ColorWhen::Auto => {
            if !host::no_color() && stream.is_terminal() {
                ColorChoice::Auto
            } else {
                ColorChoice::Never
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    #[test]
    fn a_codegen_error_keeps_its_place_in_the_lake() {
        let span = Span::new(FileId(0), 10, 20);
        let diagnostic = codegen_error(crate::codegen::Error::new(span, "no subnet fits"));
        assert_eq!(diagnostic.code, Code::InternalError);
        assert_eq!(diagnostic.span(), Some(span));
        assert!(diagnostic.message.ends_with("no subnet fits"));
        assert_eq!(diagnostic.help.as_deref(), Some(BUG_HELP));
    }
}
