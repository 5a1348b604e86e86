//! The bad-input corpus. Every file in `tests/corpus/bad/`, and every input
//! too large to commit (generated here into a temporary directory), is
//! checked by the real binary, `dlc check --format json FILE`, which must:
//!
//! - exit with status 1, not 101 (a panic) nor a signal (a stack overflow);
//! - print a JSON document with at least one `DL0...` diagnostic;
//! - print no panic message;
//! - fire the code that starts the file's name (`dl0203-...` fires DL0203).
//!
//! A run that takes longer than a generous timeout is killed and fails as a
//! hang. Times are measured and printed (`--nocapture` shows them), never
//! asserted.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use dlc::diagnostic::Code;

/// Kills a check of a committed corpus file that runs this long.
const TIMEOUT: Duration = Duration::from_secs(20);
/// The same for the multi-megabyte generated inputs (a debug build parses a
/// few megabytes a second, and other tests share the machine).
const TIMEOUT_LARGE: Duration = Duration::from_secs(120);

const MB: usize = 1024 * 1024;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/bad")
}

fn corpus_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/corpus/bad exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "dl"))
        .collect();
    files.sort();
    files
}

/// The code a file's name promises: `dl0203-string-where-an-integer-goes.dl`
/// promises DL0203.
fn promised_code(name: &str) -> Option<String> {
    let code = name.get(..6)?.to_ascii_uppercase();
    (code.starts_with("DL") && code[2..].chars().all(|c| c.is_ascii_digit())).then_some(code)
}

struct Run {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: String,
    elapsed: Duration,
}

/// Runs dlc, feeding `stdin` if given, and kills it after `timeout`.
fn run_dlc(args: &[&str], cwd: &Path, stdin: Option<Vec<u8>>, timeout: Duration) -> Run {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dlc"))
        .args(args)
        .current_dir(cwd)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dlc starts");
    // Pipes are drained by threads so that a large output cannot block dlc.
    let feeder = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        // dlc stops reading at its size limit, so a broken pipe is expected.
        std::thread::spawn(move || drop(pipe.write_all(&bytes)))
    });
    let mut out_pipe = child.stdout.take().expect("stdout is piped");
    let mut err_pipe = child.stderr.take().expect("stderr is piped");
    let out_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        drop(out_pipe.read_to_end(&mut bytes));
        bytes
    });
    let err_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        drop(err_pipe.read_to_end(&mut bytes));
        bytes
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("dlc can be waited for") {
            break status;
        }
        if start.elapsed() > timeout {
            drop(child.kill());
            drop(child.wait());
            panic!("dlc {args:?} still ran after {timeout:?}: a hang or a pathological slowdown");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = start.elapsed();
    if let Some(feeder) = feeder {
        feeder.join().expect("the stdin feeder finishes");
    }
    Run {
        status,
        stdout: out_reader.join().expect("stdout is read"),
        stderr: String::from_utf8_lossy(&err_reader.join().expect("stderr is read")).into_owned(),
        elapsed,
    }
}

/// The slowest run of each test, for the log.
static SLOWEST: Mutex<Vec<(Duration, String)>> = Mutex::new(Vec::new());

fn record_time(what: &str, elapsed: Duration) {
    SLOWEST
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push((elapsed, what.to_string()));
}

fn report_slowest(test: &str, names: &[String]) {
    let times = SLOWEST.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((elapsed, name)) = times.iter().filter(|(_, n)| names.contains(n)).max() {
        eprintln!(
            "{test}: {} runs, the slowest {name} in {elapsed:?}",
            names.len()
        );
    }
}

/// Checks the promises above for one run; returns the codes that fired, or
/// a description of what went wrong.
fn judge(name: &str, run: &Run) -> Result<BTreeSet<String>, String> {
    let stdout = String::from_utf8_lossy(&run.stdout);
    let context = || {
        let head: String = stdout.chars().take(2000).collect();
        let tail: String = run.stderr.chars().take(2000).collect();
        format!("status {:?}\nstdout: {head}\nstderr: {tail}", run.status)
    };
    if run.stderr.contains("panicked") || run.stderr.contains("overflow") {
        return Err(format!("{name}: dlc crashed\n{}", context()));
    }
    if run.status.code() != Some(1) {
        return Err(format!("{name}: expected exit status 1\n{}", context()));
    }
    let document: serde_json::Value = serde_json::from_str(&stdout)
        .map_err(|e| format!("{name}: stdout is not JSON ({e})\n{}", context()))?;
    let codes: BTreeSet<String> = document["diagnostics"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|d| d["code"].as_str())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    if !codes.iter().any(|c| c.starts_with("DL0")) {
        return Err(format!("{name}: no coded diagnostic\n{}", context()));
    }
    if let Some(code) = promised_code(name) {
        if !codes.contains(&code) {
            return Err(format!("{name}: {code} did not fire, {codes:?} did"));
        }
    }
    Ok(codes)
}

/// Checks each file with `dlc check --format json`, then in each of `formats`,
/// and collects every failure.
fn check_all(test: &str, files: &[PathBuf], cwd: &Path, timeout: Duration, formats: &[&str]) {
    let mut failures = Vec::new();
    let mut names = Vec::new();
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let run = run_dlc(
            &["check", "--format", "json", &path.to_string_lossy()],
            cwd,
            None,
            timeout,
        );
        record_time(&name, run.elapsed);
        eprintln!("{test}: {name}: {:.2?}", run.elapsed);
        names.push(name.clone());
        if let Err(failure) = judge(&name, &run) {
            failures.push(failure);
        }
        // The other formats must not crash either, nor print far more than
        // the input (a renderer that shows a 10 MB line under each of a
        // thousand diagnostics prints ten gigabytes).
        let size = std::fs::metadata(path).map_or(0, |m| m.len() as usize);
        for format in formats {
            let run = run_dlc(
                &[
                    "check",
                    "--format",
                    format,
                    "--color",
                    "never",
                    &path.to_string_lossy(),
                ],
                cwd,
                None,
                timeout,
            );
            if run.stderr.contains("panicked") || run.status.code() != Some(1) {
                failures.push(format!(
                    "{name}: --format {format}: status {:?}\n{}",
                    run.status,
                    run.stderr.chars().take(2000).collect::<String>()
                ));
            } else if run.stdout.len() > 4 * size + MB {
                failures.push(format!(
                    "{name}: --format {format} printed {} bytes for {size} bytes of input",
                    run.stdout.len()
                ));
            }
        }
    }
    report_slowest(test, &names);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_corpus_file_gives_a_coded_diagnostic_and_exit_1() {
    let files = corpus_files();
    assert!(
        files.len() >= 150,
        "the corpus holds {} files; it should hold at least 150",
        files.len()
    );
    check_all(
        "corpus",
        &files,
        &corpus_dir(),
        TIMEOUT,
        &["human", "short"],
    );
}

#[test]
fn corpus_file_names_start_with_the_code_they_fire() {
    let unnamed: Vec<String> = corpus_files()
        .iter()
        .map(|p| {
            p.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| promised_code(name).is_none())
        .collect();
    assert!(
        unnamed.is_empty(),
        "name these after their code: {unnamed:?}"
    );
}

#[test]
fn every_code_is_fired_by_the_corpus_or_a_generated_input() {
    let mut named: BTreeSet<String> = corpus_files()
        .iter()
        .filter_map(|p| promised_code(&p.file_name()?.to_string_lossy()))
        .collect();
    named.extend(generated().iter().filter_map(|g| promised_code(&g.name)));
    // A warning measured only on a lake without errors, so never with the
    // error status a corpus file needs: its ui case and explain page fire it.
    named.insert(Code::TemplateNeedsS3Bucket.as_str().to_string());
    named.insert(Code::SourceTooLarge.as_str().to_string()); // see `oversized_sources_*`
    let missing: Vec<&str> = Code::ALL
        .iter()
        // A retired code (DL0385) fires nowhere; a code about dlc's run
        // (DL09xx) fires on no lake: tests/explain.rs runs its command.
        .filter(|c| c.retired_since().is_none() && !c.is_host())
        .map(|c| c.as_str())
        .filter(|c| !named.contains(*c))
        .collect();
    assert!(missing.is_empty(), "no corpus file fires {missing:?}");
}

// ---------------------------------------------------------------- generated inputs

struct Generated {
    name: String,
    bytes: Vec<u8>,
}

fn generated_input(name: &str, bytes: impl Into<Vec<u8>>) -> Generated {
    Generated {
        name: format!("{name}.dl"),
        bytes: bytes.into(),
    }
}

/// A small deterministic generator (xorshift), so that the garbage is the
/// same on every run.
fn garbage(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// Lines of `item` up to about `bytes` bytes, joined by `sep`.
fn repeat_to(item: &str, sep: &str, bytes: usize) -> String {
    let count = bytes / (item.len() + sep.len());
    vec![item; count].join(sep)
}

/// Inputs too deep or too large to commit.
fn generated() -> Vec<Generated> {
    const DEEP: usize = 100_000;
    // Chains far past the evaluation limits (128 levels).
    const CHAIN: usize = 20_000;
    let mut inputs = vec![
        // Nesting.
        generated_input(
            "dl0007-lists-100000-deep",
            format!("let x = {}{}\n", "[".repeat(DEEP), "]".repeat(DEEP)),
        ),
        generated_input(
            "dl0007-records-100000-deep",
            format!("let x = {}1{}\n", "{ a = ".repeat(DEEP), " }".repeat(DEEP)),
        ),
        generated_input(
            "dl0007-unclosed-brackets-100000-deep",
            format!("lake A {{ x = {}\n", "[{".repeat(DEEP / 2)),
        ),
        generated_input(
            "dl0007-list-types-100000-deep",
            format!("let x: {}Int{} = []\n", "[".repeat(DEEP), "]".repeat(DEEP)),
        ),
        generated_input(
            "dl0007-map-types-100000-deep",
            format!(
                "record R {{ m: {}Int{} }}\n",
                "Map[".repeat(DEEP),
                "]".repeat(DEEP)
            ),
        ),
        // Chains through declarations.
        generated_input(
            "dl0007-chain-of-20000-lets",
            (0..CHAIN)
                .map(|i| format!("let a{i} = a{}\n", i + 1))
                .chain([format!("let a{CHAIN} = 1\n")])
                .collect::<String>(),
        ),
        generated_input(
            "dl0007-cycle-of-20000-lets",
            (0..CHAIN)
                .map(|i| format!("let a{i} = a{}\n", (i + 1) % CHAIN))
                .collect::<String>(),
        ),
        generated_input(
            "dl0007-chain-of-20000-interpolations",
            (0..CHAIN)
                .map(|i| format!("let s{i} = \"${{s{}}}\"\n", i + 1))
                .chain([format!("let s{CHAIN} = \"end\"\nlet x: Int = s0\n")])
                .collect::<String>(),
        ),
        generated_input(
            "dl0007-chain-of-20000-environments",
            (0..CHAIN)
                .map(|i| format!("env E{i} extends E{} {{}}\n", i + 1))
                .chain([format!("env E{CHAIN} {{}}\n")])
                .collect::<String>(),
        ),
        generated_input(
            "dl0007-20000-environments-each-extending-the-last",
            (1..CHAIN)
                .map(|i| format!("env E{i} extends E{} {{}}\n", i - 1))
                .chain(["env E0 {}\n".to_string()])
                .collect::<String>(),
        ),
        generated_input(
            "dl0007-chain-of-20000-type-aliases",
            (0..CHAIN)
                .map(|i| format!("type T{i} = T{}\n", i + 1))
                .chain([format!("type T{CHAIN} = Int\nlet x: T0 = \"no\"\n")])
                .collect::<String>(),
        ),
        generated_input(
            "dl0208-cycle-of-20000-type-aliases",
            (0..CHAIN)
                .map(|i| format!("type T{i} = T{}\n", (i + 1) % CHAIN))
                .chain(["let x: T0 = 1\n".to_string()])
                .collect::<String>(),
        ),
        generated_input(
            "dl0007-chain-of-20000-defaults",
            (0..CHAIN)
                .map(|i| format!("record R{i} {{ next: R{} = {{}} }}\n", i + 1))
                .chain([format!("record R{CHAIN} {{}}\nlet x: R0 = {{}}\n")])
                .collect::<String>(),
        ),
        // Many mistakes: reported up to the limit, then a note.
        generated_input("dl0007-200000-broken-lets", "let =\n".repeat(200_000)),
        generated_input(
            "dl0007-100000-duplicate-lets",
            "let a = 1\n".repeat(100_000),
        ),
        generated_input(
            "dl0007-200000-unknown-fields-on-one-line",
            format!(
                "lake A {{ {} }}\n",
                (0..200_000)
                    .map(|i| format!("f{i} = 1"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        // Ten-megabyte lines.
        generated_input(
            "dl0203-10-mb-string-where-an-integer-goes",
            format!("let x: Int = \"{}\"\n", "a".repeat(10 * MB)),
        ),
        generated_input(
            "dl0001-10-mb-unterminated-string",
            format!("let x = \"{}\nlake A {{}}\n", "a".repeat(10 * MB)),
        ),
        generated_input(
            "dl0001-10-mb-comment-then-a-mistake",
            format!("// {}\nlet = 1\n", "x".repeat(10 * MB)),
        ),
        generated_input(
            "dl0001-10-mb-of-spaces-then-a-mistake",
            format!("{}=\n", " ".repeat(10 * MB)),
        ),
        generated_input("dl0001-10-mb-word", format!("{}\n", "a".repeat(10 * MB))),
        generated_input(
            "dl0004-10-mb-number",
            format!("let x = {}\n", "9".repeat(10 * MB)),
        ),
        generated_input(
            "dl0201-10-mb-field-name",
            format!("lake A {{ {} = 1 }}\n", "a".repeat(10 * MB)),
        ),
        generated_input(
            "dl0203-10-mb-line-of-list-items",
            format!(
                "let x: [Int] = [{}]\n",
                repeat_to("\"an item that is text\"", ", ", 10 * MB)
            ),
        ),
        generated_input(
            "dl0203-10-mb-line-outside-ascii",
            format!(
                "let x: [Int] = [{}]\n",
                repeat_to("\"données ünïcödé ✓ 数据湖\"", ", ", 10 * MB)
            ),
        ),
        generated_input(
            "dl0341-10-mb-string-then-a-token",
            format!(
                "let x = \"{} ghp_0123456789abcdefghijABCDEFGHIJ012345\"\n",
                "a b/c ".repeat(10 * MB / 6)
            ),
        ),
        // Garbage.
        generated_input("dl0005-1-mb-of-random-bytes", garbage(1, MB)),
        generated_input("dl0005-4-mb-of-random-bytes", garbage(2, 4 * MB)),
        generated_input(
            "dl0007-1-mb-of-random-ascii",
            garbage(3, MB)
                .into_iter()
                .map(|b| b"{}[]()=,.:;\"$\\/ abcXYZ019\n\t"[b as usize % 27])
                .collect::<Vec<u8>>(),
        ),
    ];
    // Random tokens of the language, a new item on most lines.
    const TOKENS: &[&str] = &[
        "\nlet ",
        "\nlake ",
        "\nenv ",
        "\nimport ",
        "\ntype ",
        "\nrecord ",
        "\nenum ",
        "extends ",
        "where ",
        "length ",
        "matches ",
        "true ",
        "x ",
        "Dev ",
        "a.b ",
        "= ",
        ": ",
        ", ",
        "| ",
        "? ",
        "{ ",
        "} ",
        "[ ",
        "] ",
        "\"s\" ",
        "\"${a}\" ",
        "\"\\q\" ",
        "10.0.0.0/24 ",
        "300.0.0.0/33 ",
        "30d ",
        "1..6 ",
        "42 ",
        "99999999999999999999 ",
        "/// doc\n",
        "// comment\n",
        "std.presets ",
    ];
    inputs.push(generated_input(
        "dl0001-200000-random-tokens",
        garbage(4, 200_000)
            .into_iter()
            .map(|b| TOKENS[b as usize % TOKENS.len()])
            .collect::<String>(),
    ));
    // A doubling chain: each list holds the previous one twice.
    inputs.push(generated_input(
        "dl0007-list-doubling-1000-times",
        std::iter::once("let a0 = [1, 1]\n".to_string())
            .chain((1..1000).map(|i| format!("let a{i} = [a{}, a{}]\n", i - 1, i - 1)))
            .collect::<String>(),
    ));
    inputs
}

fn write_generated(dir: &Path, inputs: &[Generated]) -> Vec<PathBuf> {
    inputs
        .iter()
        .map(|input| {
            let path = dir.join(&input.name);
            std::fs::write(&path, &input.bytes).expect("write a generated input");
            path
        })
        .collect()
}

#[test]
fn generated_inputs_give_a_coded_diagnostic_and_exit_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = write_generated(dir.path(), &generated());
    // Short output is cheap to render; parsing the large inputs is not.
    check_all("generated", &files, dir.path(), TIMEOUT_LARGE, &["human"]);
}

// ---------------------------------------------------------------- hostile inputs

/// A project directory with `lake.dl` and other files, inside a temp dir that
/// also holds an `outside/` directory.
struct Project {
    root: tempfile::TempDir,
}

impl Project {
    fn new(files: &[(&str, &str)]) -> Project {
        let root = tempfile::tempdir().expect("temp dir");
        for dir in ["project", "outside"] {
            std::fs::create_dir(root.path().join(dir)).expect("create dir");
        }
        let project = Project { root };
        for (name, text) in files {
            let path = project.root.path().join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("create dir");
            }
            std::fs::write(path, text).expect("write");
        }
        project
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    /// `dlc check --format json project/lake.dl`, run from the temp dir.
    fn check(&self, extra: &[&str]) -> (Run, BTreeSet<String>) {
        let mut args = vec!["check", "--format", "json"];
        args.extend(extra);
        args.push("project/lake.dl");
        let run = run_dlc(&args, self.root.path(), None, TIMEOUT);
        let codes = judge("project/lake.dl", &run).unwrap_or_else(|failure| panic!("{failure}"));
        (run, codes)
    }

    /// Checks and expects no diagnostic at all.
    fn check_clean(&self, extra: &[&str]) {
        let mut args = vec!["check", "--format", "json"];
        args.extend(extra);
        args.push("project/lake.dl");
        let run = run_dlc(&args, self.root.path(), None, TIMEOUT);
        assert_eq!(
            run.status.code(),
            Some(0),
            "{}{}",
            String::from_utf8_lossy(&run.stdout),
            run.stderr
        );
    }
}

/// The seed lake, which checks clean, with `imports` above it.
fn lake_importing(imports: &str) -> String {
    let seed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("lang-examples/seed/lake.dl"),
    )
    .expect("the seed lake");
    format!("{imports}\n{seed}")
}

const MODULE: &str = "/// A value shared by lakes.\nlet shared_retention: Retention = retain\n";

#[test]
fn an_import_of_a_directory_or_a_missing_file_is_dl0105() {
    let project = Project::new(&[
        (
            "project/lake.dl",
            &lake_importing("import \"modules\"\nimport \"missing.dl\"\nimport \"\""),
        ),
        ("project/modules/a.dl", MODULE),
    ]);
    let (run, codes) = project.check(&[]);
    assert_eq!(codes, BTreeSet::from(["DL0105".to_string()]));
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("it is a directory"), "{stdout}");
    assert!(stdout.contains("no such file"), "{stdout}");
}

#[test]
fn an_import_cycle_is_dl0103() {
    let project = Project::new(&[
        ("project/lake.dl", &lake_importing("import \"a.dl\"")),
        ("project/a.dl", "import \"b.dl\"\nlet a = 1\n"),
        ("project/b.dl", "import \"a.dl\"\nlet b = 1\n"),
    ]);
    let (_, codes) = project.check(&[]);
    assert_eq!(codes, BTreeSet::from(["DL0103".to_string()]));
}

#[test]
fn an_import_that_climbs_out_of_the_project_is_dl0112_unless_allowed() {
    let project = Project::new(&[
        (
            "project/lake.dl",
            &lake_importing("import \"../outside/shared.dl\""),
        ),
        ("outside/shared.dl", MODULE),
    ]);
    let (run, codes) = project.check(&[]);
    assert_eq!(codes, BTreeSet::from(["DL0112".to_string()]));
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("--allow-outside-imports"), "{stdout}");
    project.check_clean(&["--allow-outside-imports"]);

    // The other commands that load a lake refuse it too, and take the flag.
    let diff_with = ["diff", "project/lake.dl"];
    for command in [&["eval"][..], &["compile", "-o", "out"], &diff_with] {
        for (flag, status) in [(None, 1), (Some("--allow-outside-imports"), 0)] {
            let mut args = command.to_vec();
            args.extend(flag);
            args.push("project/lake.dl");
            let run = run_dlc(&args, project.root.path(), None, TIMEOUT);
            assert_eq!(
                run.status.code(),
                Some(status),
                "dlc {}\n{}{}",
                args.join(" "),
                String::from_utf8_lossy(&run.stdout),
                run.stderr
            );
        }
    }
}

#[test]
fn an_absolute_import_is_fine_inside_the_project_and_dl0112_outside() {
    let project = Project::new(&[("project/inside.dl", MODULE), ("outside/shared.dl", MODULE)]);
    let inside = project.path("project/inside.dl");
    std::fs::write(
        project.path("project/lake.dl"),
        lake_importing(&format!("import \"{}\"", inside.display())),
    )
    .expect("write");
    project.check_clean(&[]);
    let outside = project.path("outside/shared.dl");
    std::fs::write(
        project.path("project/lake.dl"),
        lake_importing(&format!("import \"{}\"", outside.display())),
    )
    .expect("write");
    let (_, codes) = project.check(&[]);
    assert_eq!(codes, BTreeSet::from(["DL0112".to_string()]));
}

#[test]
fn climbing_out_and_back_in_stays_in_the_project() {
    let project = Project::new(&[
        (
            "project/lake.dl",
            &lake_importing("import \"../project/sub/../inside.dl\""),
        ),
        ("project/inside.dl", MODULE),
        ("project/sub/other.dl", MODULE),
    ]);
    project.check_clean(&[]);
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_out_of_the_project_is_dl0112_unless_allowed() {
    use std::os::unix::fs::symlink;
    let project = Project::new(&[
        ("project/lake.dl", &lake_importing("import \"link.dl\"")),
        ("outside/shared.dl", MODULE),
    ]);
    symlink(
        project.path("outside/shared.dl"),
        project.path("project/link.dl"),
    )
    .expect("symlink");
    let (_, codes) = project.check(&[]);
    assert_eq!(codes, BTreeSet::from(["DL0112".to_string()]));
    project.check_clean(&["--allow-outside-imports"]);

    // A linked directory is followed the same way.
    std::fs::write(
        project.path("project/lake.dl"),
        lake_importing("import \"linked/shared.dl\""),
    )
    .expect("write");
    symlink(project.path("outside"), project.path("project/linked")).expect("symlink");
    let (_, codes) = project.check(&[]);
    assert_eq!(codes, BTreeSet::from(["DL0112".to_string()]));
}

#[cfg(unix)]
#[test]
fn symbolic_links_inside_the_project_are_fine() {
    use std::os::unix::fs::symlink;
    let project = Project::new(&[
        ("project/lake.dl", &lake_importing("import \"link.dl\"")),
        ("project/modules/shared.dl", MODULE),
    ]);
    symlink(
        project.path("project/modules/shared.dl"),
        project.path("project/link.dl"),
    )
    .expect("symlink");
    project.check_clean(&[]);

    // Checking the lake through a linked project directory: its imports are
    // inside the link's target, and so inside the project.
    symlink(project.path("project"), project.path("via-link")).expect("symlink");
    let run = run_dlc(
        &["check", "--format", "json", "via-link/lake.dl"],
        project.root.path(),
        None,
        TIMEOUT,
    );
    assert_eq!(run.status.code(), Some(0), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn an_import_of_a_device_is_refused_without_reading_it() {
    use std::os::unix::fs::symlink;
    let project = Project::new(&[("project/lake.dl", &lake_importing("import \"zero.dl\""))]);
    symlink("/dev/zero", project.path("project/zero.dl")).expect("symlink");
    // Outside the project first; then, allowed, refused as a device.
    let (_, codes) = project.check(&[]);
    assert_eq!(codes, BTreeSet::from(["DL0112".to_string()]));
    let (run, codes) = project.check(&["--allow-outside-imports"]);
    assert_eq!(codes, BTreeSet::from(["DL0105".to_string()]));
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("not a regular file"), "{stdout}");
}

#[test]
fn imports_nested_too_deeply_are_dl0007() {
    let mut files: Vec<(String, String)> = (0..100)
        .map(|i| {
            (
                format!("project/f{i}.dl"),
                format!("import \"f{}.dl\"\nlet v{i} = {i}\n", i + 1),
            )
        })
        .collect();
    files.push(("project/f100.dl".into(), "let v100 = 100\n".into()));
    files.push(("project/lake.dl".into(), lake_importing("import \"f0.dl\"")));
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let project = Project::new(&borrowed);
    let (_, codes) = project.check(&[]);
    assert_eq!(codes, BTreeSet::from(["DL0007".to_string()]));
}

/// A file over the size limit is not read: DL0006, status 1, whether it is
/// the file named, standard input or a device that never ends. An import of
/// one is DL0105.
#[test]
fn oversized_sources_are_dl0006_and_are_not_read() {
    let project = Project::new(&[("project/lake.dl", &lake_importing("import \"huge.dl\""))]);
    // A sparse file: 100 MB that take no room on disk.
    let huge = std::fs::File::create(project.path("project/huge.dl")).expect("create");
    huge.set_len(100 * MB as u64).expect("set the size");

    let run = run_dlc(
        &["check", "--format", "json", "project/huge.dl"],
        project.root.path(),
        None,
        TIMEOUT,
    );
    let codes = judge("huge.dl", &run).unwrap_or_else(|f| panic!("{f}"));
    assert_eq!(codes, BTreeSet::from(["DL0006".to_string()]));
    assert!(String::from_utf8_lossy(&run.stdout).contains("104857600 bytes"));

    let run = run_dlc(
        &["check", "--format", "json", "-"],
        project.root.path(),
        Some(vec![b' '; 17 * MB]),
        TIMEOUT,
    );
    let codes = judge("<stdin>", &run).unwrap_or_else(|f| panic!("{f}"));
    assert_eq!(codes, BTreeSet::from(["DL0006".to_string()]));

    let (run, codes) = project.check(&[]);
    assert_eq!(codes, BTreeSet::from(["DL0105".to_string()]));
    assert!(String::from_utf8_lossy(&run.stdout).contains("over the limit"));

    if cfg!(unix) && Path::new("/dev/zero").exists() {
        let run = run_dlc(
            &["check", "--format", "json", "/dev/zero"],
            project.root.path(),
            None,
            TIMEOUT,
        );
        let codes = judge("/dev/zero", &run).unwrap_or_else(|f| panic!("{f}"));
        assert_eq!(codes, BTreeSet::from(["DL0006".to_string()]));
    }
    // `eval` reads the same way.
    let run = run_dlc(
        &["eval", "--format", "json", "project/huge.dl"],
        project.root.path(),
        None,
        TIMEOUT,
    );
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
}

// ---------------------------------------------------------------- stack depth

/// The limits keep every stage within a thread's stack: the deepest inputs
/// they allow are checked in-process on a thread with 2 MiB of stack (what a
/// spawned thread gets by default), so that a fuzzer or a language server can
/// check untrusted input on a worker thread. In a debug build the deepest,
/// a chain of defaults, needs about 1.5 MiB.
#[test]
fn the_deepest_inputs_the_limits_allow_fit_in_a_small_stack() {
    let nested = |open: &str, leaf: &str, close: &str, depth: usize| {
        format!("{}{leaf}{}", open.repeat(depth), close.repeat(depth))
    };
    let inputs: Vec<(&str, String)> = vec![
        (
            "lists 64 deep, typed",
            format!(
                "let x: {} = {}\n",
                nested("[", "Int", "]", 63),
                nested("[", "\"no\"", "]", 63)
            ),
        ),
        (
            "records 64 deep in a lake",
            format!("lake A {{ tags = {} }}\n", nested("{ a = ", "1", " }", 63)),
        ),
        (
            "lists 64 deep, each level a reference to the next",
            (0..300)
                .map(|i| {
                    format!(
                        "let a{i} = {}\n",
                        nested("[", &format!("a{}", i + 1), "]", 60)
                    )
                })
                .chain(["let a300 = 1\nlet x: Int = a0\n".to_string()])
                .collect(),
        ),
        (
            "300 chained lets",
            (0..300)
                .map(|i| format!("let a{i} = a{}\n", i + 1))
                .chain(["let a300 = 1\n".to_string()])
                .collect(),
        ),
        (
            "300 chained environments",
            (0..300)
                .map(|i| format!("env E{i} extends E{} {{}}\n", i + 1))
                .chain(["env E300 {}\n".to_string()])
                .collect(),
        ),
        (
            "300 chained type aliases",
            (0..300)
                .map(|i| format!("type T{i} = T{}\n", i + 1))
                .chain(["type T300 = Int\nlet x: T0 = \"no\"\n".to_string()])
                .collect(),
        ),
        (
            "300 chained defaults",
            (0..300)
                .map(|i| format!("record R{i} {{ next: R{} = {{}} }}\n", i + 1))
                .chain(["record R300 { x: Int }\nlet x: R0 = {}\n".to_string()])
                .collect(),
        ),
        (
            "values built 64 levels at a time",
            std::iter::once("let v0 = 1\n".to_string())
                .chain((1..50).map(|i| {
                    format!(
                        "let v{i} = {}\n",
                        nested("{ a = ", &format!("v{}", i - 1), " }", 60)
                    )
                }))
                .chain(["let x: Int = v49\n".to_string()])
                .collect(),
        ),
    ];
    for (what, text) in inputs {
        let path = corpus_dir().join("deep.dl");
        let checked = std::thread::Builder::new()
            .stack_size(2 * MB)
            .spawn(move || {
                dlc::driver::check_source("deep.dl", &path, text, &mut dlc::host::FsLoader)
            })
            .expect("spawn")
            .join()
            .unwrap_or_else(|_| panic!("{what}: the check panicked"));
        assert!(checked.has_errors(), "{what}: no error");
    }
}
