//! The command line: argument parsing, reading the inputs, rendering the results.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use miette::{miette, IntoDiagnostic, Report};

use crate::diagnostic::{render, Code, Diagnostic, Severity};
use crate::driver::{self, Checked, FsLoader, MAX_SOURCE_BYTES};
use crate::resolve::{AllowOutsideImports, SourceLoader};

const EXAMPLES: &str = "\
Examples:
  dlc compile lake.dl -o out            write templates, pipelines, bootstrap and manifest to out/
  dlc compile lake.dl -o out --env Dev  compile one environment
  dlc compile --check lake.dl -o out    list the files of out/ that differ from the lake; exit 1 if any
  dlc check lake.dl                     check a lake; exit 1 on any error
  dlc check --format short *.dl         one line per problem, for editors and CI
  dlc check --format json lake.dl       machine-readable diagnostics
  cat lake.dl | dlc check -             check the lake on standard input
  dlc eval lake.dl                      print the checked lake as JSON
  dlc pipeline-declaration out/pipelines/Dev.pipeline.json --artifact-key-arn ARN
                                        the declaration with AWS's values, for create-pipeline
  dlc diff old.dl lake.dl               what deploying lake.dl over old.dl replaces or destroys
  dlc diff --base HEAD lake.dl          the same against the lake as committed at HEAD
  dlc explain DL0204                    explain a diagnostic code
  dlc fmt lake.dl                       rewrite a lake in the canonical layout
  dlc fmt --check *.dl                  list files that are not formatted; exit 1 if any";

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

#[derive(Subcommand, Debug)]
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
    /// Explain a diagnostic code, with an example that triggers it.
    Explain {
        /// A code such as DL0204.
        code: String,
    },
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

/// Runs the command line and returns the process's exit status:
/// 0 clean, 1 problems in the input, 2 usage or I/O errors.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli) {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(2)
        }
    }
}

fn execute(cli: Cli) -> miette::Result<ExitCode> {
    match cli.command {
        Command::Check {
            files,
            output,
            deny_warnings,
            cidr_report,
            imports,
        } => check(&files, &output, deny_warnings, cidr_report, &imports),
        Command::Eval {
            file,
            output,
            imports,
        } => eval(&file, &output, &imports),
        Command::Compile {
            file,
            out,
            env,
            output,
            deny_warnings,
            check,
            imports,
        } => compile(
            &file,
            &out,
            env.as_deref(),
            &output,
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
        Command::Fmt {
            files,
            check,
            output,
        } => format_files(&files, check, &output),
        Command::Diff {
            files,
            base,
            format,
            color,
            fail_on,
            allow_destructive,
            imports,
        } => {
            let allow_destructive = allow_destructive
                || std::env::var_os("DLC_ALLOW_DESTRUCTIVE")
                    .is_some_and(|v| !v.is_empty() && v != "0");
            let fail_on = match fail_on {
                FailOnArg::Changes => crate::diff::FailOn::Changes,
                FailOnArg::Destructive => crate::diff::FailOn::Destructive,
            };
            Ok(
                match diff(&files, base.as_deref(), format, color, &imports)? {
                    Some(outcome) => ExitCode::from(crate::diff::exit_status(
                        outcome,
                        fail_on,
                        allow_destructive,
                    )),
                    None => ExitCode::from(1),
                },
            )
        }
        Command::Explain { code } => explain(&code),
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

fn check(
    files: &[PathBuf],
    output: &OutputOptions,
    deny_warnings: bool,
    cidr_report: bool,
    imports: &ImportOptions,
) -> miette::Result<ExitCode> {
    // (what to call it on success, the result)
    let mut results: Vec<(String, Checked)> = Vec::new();
    for file in files {
        let checked = check_one(file, imports)?;
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
        return Err(internal(error));
    }
    report(&results, output)?;
    if cidr_report {
        for checked in &results {
            if let Some(lake) = &checked.model {
                print!("{}", crate::checks::cidr_report(lake));
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
/// [`driver::lake_files_near`]) that import it, directly or not.
fn importers_of(
    module: &Path,
    checked: &Checked,
    imports: &ImportOptions,
) -> miette::Result<Vec<(String, Checked)>> {
    let Some(identity) = checked.files.first() else {
        return Ok(Vec::new());
    };
    let mut importers = Vec::new();
    for candidate in driver::lake_files_near(module) {
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

fn eval(file: &Path, output: &OutputOptions, imports: &ImportOptions) -> miette::Result<ExitCode> {
    let checked = check_one(file, imports)?;
    if let Some(error) = &checked.internal_error {
        return Err(internal(error));
    }
    if checked.has_errors() {
        report(std::slice::from_ref(&checked), output)?;
        return Ok(ExitCode::from(1));
    }
    let text = serde_json::to_string_pretty(&checked.evaluated.to_json()).into_diagnostic()?;
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
    output: &OutputOptions,
    mode: CompileMode,
    imports: &ImportOptions,
) -> miette::Result<ExitCode> {
    let checked = check_one(file, imports)?;
    if let Some(error) = &checked.internal_error {
        return Err(internal(error));
    }
    if !checked.diagnostics.is_empty() {
        report(std::slice::from_ref(&checked), output)?;
    }
    let warnings = checked.diagnostics.iter().any(|d| !d.is_error());
    let Some(lake) = checked
        .model
        .as_ref()
        .filter(|_| !(mode.deny_warnings && warnings))
    else {
        return Ok(ExitCode::from(1));
    };
    if let Some(name) = env {
        if !lake.environments.contains_key(name) {
            let names: Vec<&str> = lake.environments.keys().map(String::as_str).collect();
            let suggestion = crate::suggest::closest(name, names.iter().copied());
            return Err(miette!(
                help = match suggestion {
                    Some(s) => format!("did you mean `--env {s}`?"),
                    None => format!("the environments are {}", names.join(", ")),
                },
                "the lake has no environment `{name}`"
            ));
        }
    }
    // Sources are named relative to the lake's folder (imports on stdin are
    // relative to the working directory), so the manifest does not depend on
    // the path the lake was given by.
    let project = if file == Path::new("-") {
        std::env::current_dir().into_diagnostic()?
    } else {
        file.parent().unwrap_or(Path::new("")).to_path_buf()
    };
    let locate = crate::codegen::locate_in_project(&checked.sources, &project);
    if mode.check {
        return compare_output(lake, env, &locate, file, out);
    }
    let write_error = |e: crate::output::OutputError| {
        miette!(
            help = "nothing in the output folder changed",
            "cannot write the output: {e}"
        )
    };
    // Files go to the staging folder as they are rendered; out/ changes only
    // at the commit, after the last one.
    let mut staging = crate::output::Staging::new(out).map_err(write_error)?;
    crate::codegen::compile_each(lake, env, &locate, |file| {
        staging.write(&file.path, &file.contents)
    })
    .map_err(|error| match error {
        crate::codegen::CompileError::Codegen(errors) => {
            let messages: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            internal(&messages.join("; "))
        }
        crate::codegen::CompileError::Emit(e) => write_error(e),
    })?;
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

/// `dlc compile --check`: the lake compiled in memory and compared with
/// `out`, file by file; nothing is written.
fn compare_output(
    lake: &crate::model::Lake,
    env: Option<&str>,
    locate: crate::codegen::Locate<'_>,
    file: &Path,
    out: &Path,
) -> miette::Result<ExitCode> {
    let read_error = |e: crate::output::OutputError| miette!("cannot compare with the output: {e}");
    let mut comparison = crate::output::Comparison::new(out).map_err(read_error)?;
    crate::codegen::compile_each(lake, env, locate, |file| {
        comparison.file(&file.path, &file.contents)
    })
    .map_err(|error| match error {
        crate::codegen::CompileError::Codegen(errors) => {
            let messages: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            internal(&messages.join("; "))
        }
        crate::codegen::CompileError::Emit(e) => read_error(e),
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
) -> miette::Result<ExitCode> {
    use crate::codegen::pipeline_declaration::{fill, Values};
    let text = std::fs::read_to_string(file)
        .map_err(|e| miette!("cannot read {}: {e}", file.display()))?;
    let github_token = if github_token_stdin {
        let mut token = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut token)
            .map_err(|e| miette!("cannot read the GitHub token from standard input: {e}"))?;
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
        miette!(
            help = "see \"The declaration\" in docs/output.md for where each value comes from",
            "cannot fill {}: {e}",
            file.display()
        )
    })?;
    print!("{filled}");
    Ok(ExitCode::SUCCESS)
}

/// Prints the diagnostics of checked lakes in the chosen format.
fn report(results: &[Checked], output: &OutputOptions) -> miette::Result<()> {
    match output.format {
        Format::Json => {
            let documents = results
                .iter()
                .map(|c| render::json(&c.sources, &c.diagnostics))
                .collect();
            let text = serde_json::to_string_pretty(&merge_json(documents)).into_diagnostic()?;
            println!("{text}");
        }
        _ => {
            for checked in results {
                print_diagnostics(checked, output)?;
            }
            if output.format == Format::Human {
                print_summary(results);
            }
        }
    }
    Ok(())
}

/// `dlc diff`: reads and checks both lakes, prints the report; the outcome,
/// or `None` when a lake has errors (printed as `dlc check` prints them).
fn diff(
    files: &[PathBuf],
    base: Option<&str>,
    format: DiffFormat,
    color: ColorWhen,
    imports: &ImportOptions,
) -> miette::Result<Option<crate::diff::Outcome>> {
    let (old, new, new_file) = match (base, files) {
        (None, [old, new]) => (check_one(old, imports)?, check_one(new, imports)?, new),
        (Some(_), [file]) if file == Path::new("-") => {
            return Err(miette!(
                help = "name the lake file: git reads it by its path",
                "with --base, dlc diff cannot read the lake from standard input"
            ))
        }
        (Some(reference), [file]) => {
            let old = driver::check_at_ref(file, reference, imports.allow_outside_imports)
                .map_err(|e| miette!(help = e.help(), "{e}"))?;
            (old, check_one(file, imports)?, file)
        }
        (None, _) => {
            return Err(miette!(
                help = "`dlc diff OLD NEW`, or `dlc diff --base REF FILE` for the lake as committed at REF",
                "dlc diff needs two lake files"
            ))
        }
        (Some(_), _) => {
            return Err(miette!(
                help = "`dlc diff --base REF FILE` compares FILE with itself as committed at REF",
                "with --base, dlc diff takes one lake file"
            ))
        }
    };
    for checked in [&old, &new] {
        if let Some(error) = &checked.internal_error {
            return Err(internal(error));
        }
    }
    let output = OutputOptions {
        format: if format == DiffFormat::Json {
            Format::Json
        } else {
            Format::Human
        },
        color,
    };
    let both = [old, new];
    let [old, new] = &both;
    match (old.has_errors(), new.has_errors()) {
        (true, true) if output.format == Format::Json => report(&both, &output)?,
        (false, false) => {}
        _ => {
            for (checked, side) in [(old, "old"), (new, "new")] {
                if !checked.has_errors() {
                    continue;
                }
                if let (Some(reference), "old", Format::Human) = (base, side, output.format) {
                    // Both sides have the same file names: say which this is.
                    println!("the lake as committed at {reference}:");
                }
                report(std::slice::from_ref(checked), &output)?;
            }
        }
    }
    if old.has_errors() || new.has_errors() {
        return Ok(None);
    }
    let (Some(old_lake), Some(new_lake)) = (&old.model, &new.model) else {
        return Err(miette!(
            help = "name a lake file: one that declares a `lake`",
            "dlc diff compares lakes, and a file declares none"
        ));
    };
    let project = if new_file == Path::new("-") {
        std::env::current_dir().into_diagnostic()?
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
    let report = crate::diff::compare(
        &side(old, old_lake, &old_project),
        &side(new, new_lake, &project),
    )
    .map_err(|errors| {
        let messages: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        internal(&messages.join("; "))
    })?;
    match format {
        DiffFormat::Json => print!("{}", crate::diff::render::json(&report)),
        DiffFormat::Markdown => print!("{}", crate::diff::render::markdown(&report)),
        DiffFormat::Human => {
            let mut stream = StandardStream::stdout(color_choice(color));
            crate::diff::render::human(&mut stream, &report).into_diagnostic()?;
            stream.flush().into_diagnostic()?;
        }
    }
    Ok(Some(report.outcome))
}

fn explain(code: &str) -> miette::Result<ExitCode> {
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
            Err(miette!(
                help = help,
                "`{code}` is not a dlc diagnostic code"
            ))
        }
    }
}

fn format_files(
    files: &[PathBuf],
    check: bool,
    output: &OutputOptions,
) -> miette::Result<ExitCode> {
    let mut failed = false;
    let mut rewritten = 0;
    for file in files {
        let (name, bytes) = match read_input(file)? {
            Input::Bytes(name, bytes) => (name, bytes),
            Input::TooLarge(name, size) => {
                let checked = driver::too_large(&name, file, size, &FsLoader);
                print_diagnostics(&checked, output)?;
                failed = true;
                continue;
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => {
                let checked = driver::check_bytes(&name, file, error.into_bytes(), &mut FsLoader);
                print_diagnostics(&checked, output)?;
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
                        driver::write_atomically(file, formatted.as_bytes())
                            .map_err(|e| miette!("cannot write {}: {e}", file.display()))?;
                        rewritten += 1;
                    }
                }
            }
            Err(crate::fmt::FormatError::Syntax(diagnostics)) => {
                let checked = Checked::unread(sources, diagnostics.into_sorted(), Vec::new());
                print_diagnostics(&checked, output)?;
                failed = true;
            }
            Err(crate::fmt::FormatError::Internal(message)) => {
                return Err(miette!(
                    help = "this is a bug in dlc's formatter; the file was left as it was. Please report it with the file",
                    "cannot format {name}: {message}"
                ));
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

/// A lake's bytes, or the news that it is over the size limit.
enum Input {
    /// The display name and the bytes.
    Bytes(String, Vec<u8>),
    /// The display name and the size, when known (a device has none).
    TooLarge(String, Option<u64>),
}

/// Reads a path, or stdin for `-`, never more than the size limit.
fn read_input(file: &Path) -> miette::Result<Input> {
    if file == Path::new("-") {
        let bytes = driver::read_limited(std::io::stdin()).into_diagnostic()?;
        if bytes.len() as u64 > MAX_SOURCE_BYTES {
            return Ok(Input::TooLarge("<stdin>".into(), None));
        }
        return Ok(Input::Bytes("<stdin>".into(), bytes));
    }
    let metadata = std::fs::metadata(file).map_err(|e| {
        miette!(
            help = "check the path; lake files usually end in .dl",
            "cannot read {}: {e}",
            file.display()
        )
    })?;
    if metadata.is_dir() {
        return Err(miette!(
            help = format!("name a lake file, e.g. {}", file.join("lake.dl").display()),
            "{} is a directory",
            file.display()
        ));
    }
    let name = file.to_string_lossy().replace('\\', "/");
    if metadata.len() > MAX_SOURCE_BYTES {
        return Ok(Input::TooLarge(name, Some(metadata.len())));
    }
    // Read with a limit: a device or a pipe has no size to check first.
    let bytes = std::fs::File::open(file)
        .and_then(driver::read_limited)
        .map_err(|e| miette!("cannot read {}: {e}", file.display()))?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Ok(Input::TooLarge(name, None));
    }
    Ok(Input::Bytes(name, bytes))
}

/// Reads one lake (a path or `-` for stdin) and checks it.
fn check_one(file: &Path, imports: &ImportOptions) -> miette::Result<Checked> {
    let mut inside = FsLoader;
    let mut anywhere = AllowOutsideImports(FsLoader);
    let loader: &mut dyn SourceLoader = if imports.allow_outside_imports {
        &mut anywhere
    } else {
        &mut inside
    };
    let path = if file == Path::new("-") {
        // Imports on stdin are relative to the working directory.
        std::env::current_dir().into_diagnostic()?.join("<stdin>")
    } else {
        file.to_path_buf()
    };
    Ok(match read_input(file)? {
        Input::Bytes(name, bytes) => driver::check_bytes(&name, &path, bytes, loader),
        Input::TooLarge(name, size) => driver::too_large(&name, &path, size, loader),
    })
}

fn internal(error: &str) -> Report {
    miette!(
        help = "this is a bug in dlc, not in your lake: please report it with the lake file",
        "internal error: the checked lake does not match the model: {error}"
    )
}

fn print_diagnostics(checked: &Checked, output: &OutputOptions) -> miette::Result<()> {
    match output.format {
        Format::Short => {
            print!("{}", render::short(&checked.sources, &checked.diagnostics));
            Ok(())
        }
        _ => {
            let mut stream = StandardStream::stdout(color_choice(output.color));
            render::human(&mut stream, &checked.sources, &checked.diagnostics).into_diagnostic()?;
            stream.flush().into_diagnostic()
        }
    }
}

fn print_summary(results: &[Checked]) {
    let all: Vec<&Diagnostic> = results.iter().flat_map(|r| &r.diagnostics).collect();
    let errors = all.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = all.len() - errors;
    if all.is_empty() {
        return;
    }
    println!(
        "{} and {} in {}",
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(results.len(), "lake")
    );
}

/// `--color auto` colours only a terminal, and never when `NO_COLOR` is set.
fn color_choice(when: ColorWhen) -> ColorChoice {
    match when {
        ColorWhen::Always => ColorChoice::Always,
        ColorWhen::Never => ColorChoice::Never,
        ColorWhen::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            if !no_color && std::io::stdout().is_terminal() {
                ColorChoice::Auto
            } else {
                ColorChoice::Never
            }
        }
    }
}

/// Several lakes' JSON documents as one.
fn merge_json(documents: Vec<serde_json::Value>) -> serde_json::Value {
    let diagnostics: Vec<serde_json::Value> = documents
        .into_iter()
        .flat_map(|mut d| match d["diagnostics"].take() {
            serde_json::Value::Array(items) => items,
            _ => Vec::new(),
        })
        .collect();
    serde_json::json!({ "version": render::JSON_SCHEMA_VERSION, "diagnostics": diagnostics })
}
