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
  dlc check lake.dl                     check a lake; exit 1 on any error
  dlc check --format short *.dl         one line per problem, for editors and CI
  dlc check --format json lake.dl       machine-readable diagnostics
  cat lake.dl | dlc check -             check the lake on standard input
  dlc eval lake.dl                      print the checked lake as JSON
  dlc explain DL0204                    explain a diagnostic code";

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
        #[command(flatten)]
        imports: ImportOptions,
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
    /// Explain a diagnostic code, with an example that triggers it.
    Explain {
        /// A code such as DL0204.
        code: String,
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
            imports,
        } => check(&files, &output, deny_warnings, &imports),
        Command::Eval {
            file,
            output,
            imports,
        } => eval(&file, &output, &imports),
        Command::Explain { code } => explain(&code),
    }
}

fn check(
    files: &[PathBuf],
    output: &OutputOptions,
    deny_warnings: bool,
    imports: &ImportOptions,
) -> miette::Result<ExitCode> {
    let mut results = Vec::new();
    for file in files {
        results.push(check_one(file, imports)?);
    }
    // A file imported by another file on the command line is checked as part
    // of that lake, not again on its own (pre-commit passes both).
    let keep: Vec<bool> = results
        .iter()
        .enumerate()
        .map(|(i, checked)| {
            let root = checked.files.first();
            !results
                .iter()
                .enumerate()
                .any(|(j, other)| j != i && other.files.iter().skip(1).any(|f| Some(f) == root))
        })
        .collect();
    let results: Vec<Checked> = results
        .into_iter()
        .zip(keep)
        .filter_map(|(r, keep)| keep.then_some(r))
        .collect();

    let mut failed = false;
    let mut json_documents = Vec::new();
    for checked in &results {
        if let Some(error) = &checked.internal_error {
            return Err(internal(error));
        }
        let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
        let warnings = checked.diagnostics.len() - errors;
        failed |= errors > 0 || (deny_warnings && warnings > 0);
        match output.format {
            Format::Json => {
                json_documents.push(render::json(&checked.sources, &checked.diagnostics))
            }
            _ => print_diagnostics(checked, output)?,
        }
    }
    if output.format == Format::Json {
        let document = merge_json(json_documents);
        let text = serde_json::to_string_pretty(&document).into_diagnostic()?;
        println!("{text}");
    } else if output.format == Format::Human {
        print_summary(&results);
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn eval(file: &Path, output: &OutputOptions, imports: &ImportOptions) -> miette::Result<ExitCode> {
    let checked = check_one(file, imports)?;
    if let Some(error) = &checked.internal_error {
        return Err(internal(error));
    }
    if checked.has_errors() {
        if output.format == Format::Json {
            let document = render::json(&checked.sources, &checked.diagnostics);
            println!(
                "{}",
                serde_json::to_string_pretty(&document).into_diagnostic()?
            );
        } else {
            print_diagnostics(&checked, output)?;
            print_summary(std::slice::from_ref(&checked));
        }
        return Ok(ExitCode::from(1));
    }
    let text = serde_json::to_string_pretty(&checked.evaluated.to_json()).into_diagnostic()?;
    println!("{text}");
    Ok(ExitCode::SUCCESS)
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

/// Reads one lake (a path or `-` for stdin) and checks it.
fn check_one(file: &Path, imports: &ImportOptions) -> miette::Result<Checked> {
    let mut inside = FsLoader;
    let mut anywhere = AllowOutsideImports(FsLoader);
    let loader: &mut dyn SourceLoader = if imports.allow_outside_imports {
        &mut anywhere
    } else {
        &mut inside
    };
    if file == Path::new("-") {
        let bytes = driver::read_limited(std::io::stdin()).into_diagnostic()?;
        // Imports on stdin are relative to the working directory.
        let path = std::env::current_dir().into_diagnostic()?.join("<stdin>");
        if bytes.len() as u64 > MAX_SOURCE_BYTES {
            return Ok(driver::too_large("<stdin>", &path, None, loader));
        }
        return Ok(driver::check_bytes("<stdin>", &path, bytes, loader));
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
        return Ok(driver::too_large(&name, file, Some(metadata.len()), loader));
    }
    // Read with a limit: a device or a pipe has no size to check first.
    let bytes = std::fs::File::open(file)
        .and_then(driver::read_limited)
        .map_err(|e| miette!("cannot read {}: {e}", file.display()))?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Ok(driver::too_large(&name, file, None, loader));
    }
    Ok(driver::check_bytes(&name, file, bytes, loader))
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
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
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
