//! `dlc deploy` end to end, against a `moto_server` this test starts on a
//! free port (tests/deploy/moto_server.py: moto with its change sets
//! exporting, and failing, as CloudFormation's do), through the AWS CLI of
//! tests/requirements.txt, each account reached by `--role-name` (moto's
//! AssumeRole gives keys that act in that account). The seed's output is
//! deployed with `--from`, its templates changed for moto by
//! tests/deploy/adapt_output_for_moto.py, moto_deploy.py's one
//! `adapt_for_moto`.

mod common;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const DEV: &str = "222222222222";
const TEST: &str = "333333333333";
const REGION: &str = "us-east-2";

struct Moto {
    child: Child,
    url: String,
    scratch: PathBuf,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    fn start(scratch: &Path) -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let script = root().join("tests/deploy/moto_server.py");
        let log = std::fs::File::create(scratch.join("moto.log")).expect("a log file");
        let child = Command::new(common::python_tool("python3"))
            .arg(script)
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("the log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "moto_server does not start ({e}): {}",
                    common::PYTHON_TOOLS_INSTALL
                )
            });
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not listen within 30 s"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
            scratch: scratch.to_path_buf(),
        }
    }

    /// A command with the AWS CLI on the PATH, pointed at moto, with
    /// moto's default keys (account 123456789012) and no configuration of
    /// the machine's.
    fn command(&self, program: &Path) -> Command {
        let venv_bin = common::python_tool("python3")
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let path = std::env::join_paths(std::iter::once(venv_bin).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )))
        .expect("a PATH");
        let mut command = Command::new(program);
        command
            .env("PATH", path)
            .env("AWS_ENDPOINT_URL", &self.url)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", REGION)
            .env("AWS_CONFIG_FILE", self.scratch.join("no-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.scratch.join("no-credentials"),
            )
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .stdin(Stdio::null());
        command
    }

    fn dlc(&self, args: &[&str]) -> Output {
        self.command(Path::new(env!("CARGO_BIN_EXE_dlc")))
            .args(args)
            .output()
            .expect("dlc runs")
    }

    /// An AWS CLI call in `account`, through a role assumed there.
    fn aws(&self, account: &str, args: &[&str]) -> Value {
        let assumed = self.aws_as(
            None,
            &[
                "sts",
                "assume-role",
                "--role-arn",
                &format!("arn:aws:iam::{account}:role/test"),
                "--role-session-name",
                "test",
            ],
        );
        self.aws_as(Some(&assumed["Credentials"]), args)
    }

    fn aws_as(&self, keys: Option<&Value>, args: &[&str]) -> Value {
        let mut command = self.command(Path::new("aws"));
        if let Some(keys) = keys {
            let key = |name: &str| keys[name].as_str().unwrap_or("").to_string();
            command
                .env("AWS_ACCESS_KEY_ID", key("AccessKeyId"))
                .env("AWS_SECRET_ACCESS_KEY", key("SecretAccessKey"))
                .env("AWS_SESSION_TOKEN", key("SessionToken"));
        }
        let out = command
            .args(args)
            .args(["--output", "json"])
            .output()
            .expect("aws runs");
        assert!(
            out.status.success(),
            "aws {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    }

    /// Change sets of a stack that are neither executed nor gone: what a
    /// run must not leave behind. (moto lists executed ones, and every
    /// stack's, where AWS removes them once one runs.)
    fn pending_change_sets(&self, account: &str, stack: &str) -> Vec<Value> {
        let listed = self.aws(
            account,
            &["cloudformation", "list-change-sets", "--stack-name", stack],
        );
        listed["Summaries"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["StackName"] == stack && s["ExecutionStatus"] != "EXECUTE_COMPLETE")
            .cloned()
            .collect()
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `dlc compile` of a lake into `dir`, its templates then adapted for moto.
fn compile_for_moto(lake: &Path, dir: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_dlc"))
        .args([
            "compile",
            &lake.to_string_lossy(),
            "-o",
            &dir.to_string_lossy(),
        ])
        .output()
        .expect("dlc runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let adapted = Command::new(common::python_tool("python3"))
        .arg(root().join("tests/deploy/adapt_output_for_moto.py"))
        .arg(dir)
        .output()
        .expect("python3 runs");
    assert!(
        adapted.status.success(),
        "{}",
        String::from_utf8_lossy(&adapted.stderr)
    );
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_status(out: &Output, status: i32, what: &str) -> (String, String) {
    let (stdout, stderr) = text(out);
    assert_eq!(
        out.status.code(),
        Some(status),
        "{what}\n{stdout}\n{stderr}"
    );
    (stdout, stderr)
}

#[test]
fn the_seed_sets_up_deploys_updates_and_fails_in_moto() {
    let scratch = common::scratch_dir("deploy_cli");
    let moto = Moto::start(&scratch);
    let seed = scratch.join("seed");
    compile_for_moto(&root().join("lang-examples/seed/lake.dl"), &seed);
    let from = seed.to_string_lossy().into_owned();
    let dev_storage = "DevDataLakeCDKBlogStorage";
    let role = ["--role-name", "dlc-deployer"];

    // moto's default keys are of account 123456789012, not Dev's: refused
    // before anything is created.
    let out = moto.dlc(&["deploy", "--from", &from, "--env", "Dev", "--yes"]);
    let (_, stderr) = assert_status(&out, 2, "credentials of another account");
    assert!(
        stderr.contains("[DL0955]") && stderr.contains("are of account 123456789012"),
        "{stderr}"
    );
    let stacks = moto.aws(DEV, &["cloudformation", "list-stacks"]);
    assert_eq!(
        stacks["StackSummaries"].as_array().map(Vec::len),
        Some(0),
        "{stacks}"
    );

    // No terminal and no --yes: the change set is shown, nothing is asked,
    // and nothing is left behind.
    let out = moto.dlc(&["deploy", "--from", &from, "--env", "Dev", role[0], role[1]]);
    let (stdout, stderr) = assert_status(&out, 4, "no terminal");
    assert!(
        stdout.contains(&format!("{dev_storage}: 11 to add")),
        "{stdout}"
    );
    assert!(
        !stdout.contains("[y/N]"),
        "asked without a terminal: {stdout}"
    );
    assert!(stderr.contains("pass `--yes`"), "{stderr}");
    assert!(moto.pending_change_sets(DEV, dev_storage).is_empty());

    // The setup (bootstraps, then pipelines, with their parameters), then Dev.
    let out = moto.dlc(&[
        "deploy", "--from", &from, "--setup", "--yes", role[0], role[1],
    ]);
    let (stdout, _) = assert_status(&out, 0, "--setup");
    assert!(
        stdout.contains("done: 7 deployed, 0 without changes"),
        "{stdout}"
    );
    let out = moto.dlc(&[
        "deploy", "--from", &from, "--env", "Dev", "--yes", role[0], role[1],
    ]);
    let (stdout, _) = assert_status(&out, 0, "--env Dev");
    assert!(
        stdout.contains("DevDataLakeCDKBlogNetwork: deployed (CREATE_COMPLETE)"),
        "{stdout}"
    );
    let exports = moto.aws(DEV, &["cloudformation", "list-exports"]);
    assert!(
        exports.to_string().contains("DevS3AccessLogBucket"),
        "{exports}"
    );

    // Again: no changes, and no change set left.
    let out = moto.dlc(&[
        "deploy", "--from", &from, "--env", "Dev", "--yes", role[0], role[1],
    ]);
    let (stdout, _) = assert_status(&out, 0, "a second run");
    assert!(
        stdout.contains(&format!("{dev_storage}: no changes")),
        "{stdout}"
    );
    assert!(
        stdout.contains("done: 0 deployed, 2 without changes"),
        "{stdout}"
    );
    assert!(moto.pending_change_sets(DEV, dev_storage).is_empty());

    // One line of the lake: only the stack it touches is updated.
    let lake =
        std::fs::read_to_string(root().join("lang-examples/seed/lake.dl")).expect("the seed");
    let changed = lake.replacen("expire_after = 60d", "expire_after = 90d", 1);
    assert_ne!(lake, changed);
    std::fs::write(scratch.join("lake.dl"), changed).expect("write the lake");
    let edited = scratch.join("edited");
    compile_for_moto(&scratch.join("lake.dl"), &edited);
    let edited_from = edited.to_string_lossy().into_owned();
    let out = moto.dlc(&[
        "deploy",
        "--from",
        &edited_from,
        "--env",
        "Dev",
        "--yes",
        role[0],
        role[1],
    ]);
    let (stdout, _) = assert_status(&out, 0, "a one-line change");
    // The review: buckets modified in place, each with its lake line.
    assert!(
        stdout.contains(&format!("{dev_storage}: 0 to add, ")),
        "{stdout}"
    );
    assert!(
        stdout.contains(" to modify, 0 to replace, 0 to remove"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("    modify ") && l.contains("AWS::S3::Bucket  (lake.dl:")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("{dev_storage}: deployed (UPDATE_COMPLETE)")),
        "{stdout}"
    );
    assert!(
        stdout.contains("DevDataLakeCDKBlogNetwork: no changes"),
        "{stdout}"
    );
    assert!(
        stdout.contains("done: 1 deployed, 1 without changes"),
        "{stdout}"
    );

    // A template over 51,200 bytes: refused without a bucket, deployed
    // through one by TemplateURL.
    let template = edited.join("Dev/Storage.template.json");
    let mut padded: Value =
        serde_json::from_str(&std::fs::read_to_string(&template).unwrap()).unwrap();
    padded["Metadata"] = serde_json::json!({ "Padding": "x".repeat(60_000) });
    std::fs::write(&template, padded.to_string()).unwrap();
    let out = moto.dlc(&[
        "deploy",
        "--from",
        &edited_from,
        "--env",
        "Dev",
        "--yes",
        role[0],
        role[1],
    ]);
    let (_, stderr) = assert_status(&out, 2, "a large template without a bucket");
    assert!(stderr.contains("--s3-bucket"), "{stderr}");
    moto.aws(
        DEV,
        &[
            "s3api",
            "create-bucket",
            "--bucket",
            "dlc-uploads",
            "--create-bucket-configuration",
            &format!("LocationConstraint={REGION}"),
        ],
    );
    let out = moto.dlc(&[
        "deploy",
        "--from",
        &edited_from,
        "--env",
        "Dev",
        "--yes",
        "--s3-bucket",
        "dlc-uploads",
        role[0],
        role[1],
    ]);
    let (stdout, _) = assert_status(&out, 0, "a large template through the bucket");
    assert!(
        stdout.contains(&format!("{dev_storage}: deployed (UPDATE_COMPLETE)")),
        "{stdout}"
    );
    let uploaded = moto.aws(
        DEV,
        &["s3api", "list-objects-v2", "--bucket", "dlc-uploads"],
    );
    assert!(
        uploaded
            .to_string()
            .contains("dlc/DevDataLakeCDKBlogStorage/"),
        "{uploaded}"
    );

    // A stack that fails: Test's first bucket name is taken. The run stops
    // there (exit 3) with the resource, CloudFormation's reason, the lake
    // line the manifest gives the resource, and the stack rolled back.
    let test_template: Value = serde_json::from_str(
        &std::fs::read_to_string(seed.join("Test/Storage.template.json")).unwrap(),
    )
    .unwrap();
    let (logical_id, bucket) = test_template["Resources"]
        .as_object()
        .into_iter()
        .flatten()
        .find_map(|(id, r)| Some((id.clone(), r["Properties"]["BucketName"].as_str()?)))
        .expect("a named bucket");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(seed.join("manifest.json")).unwrap())
            .unwrap();
    let stack = manifest["stacks"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["name"] == "TestDataLakeCDKBlogStorage")
        .expect("Test's storage stack");
    let source = &stack["resources"][&logical_id]["source"];
    let line = format!(
        "resource: {logical_id}, from {}:{}:{}",
        source["file"].as_str().unwrap(),
        source["line"],
        source["column"]
    );
    moto.aws(
        TEST,
        &[
            "s3api",
            "create-bucket",
            "--bucket",
            bucket,
            "--create-bucket-configuration",
            &format!("LocationConstraint={REGION}"),
        ],
    );
    let out = moto.dlc(&[
        "deploy", "--from", &from, "--env", "Test", "--yes", role[0], role[1],
    ]);
    let (stdout, stderr) = assert_status(&out, 3, "a failed stack");
    assert!(
        stderr.contains("error: deploying TestDataLakeCDKBlogStorage failed"),
        "{stderr}"
    );
    assert!(stderr.contains(&line), "{line}\n{stderr}");
    assert!(
        stderr.contains("reason: The requested bucket name is not available"),
        "{stderr}"
    );
    assert!(
        stderr.contains("stack: ROLLBACK_COMPLETE (the new stack was rolled back"),
        "{stderr}"
    );
    assert!(stdout.contains("CREATE_FAILED"), "the events: {stdout}");
    assert!(
        !stdout.contains("TestDataLakeCDKBlogNetwork"),
        "the run went on: {stdout}"
    );
}

/// Usage errors and lake errors stop before any AWS call: with no AWS CLI
/// on the PATH, a call would be DL0955 instead.
#[test]
fn usage_and_lake_errors_stop_before_any_call() {
    let dlc = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_dlc"))
            .args(args)
            .env("PATH", "")
            .stdin(Stdio::null())
            .output()
            .expect("dlc runs")
    };
    let seed = root().join("lang-examples/seed/lake.dl");
    let seed = seed.to_string_lossy();

    let (_, stderr) = assert_status(
        &dlc(&["deploy", &seed, "--env", "Deb"]),
        2,
        "an unknown environment",
    );
    assert!(
        stderr.contains("[DL0951]") && stderr.contains("did you mean `--env Dev`?"),
        "{stderr}"
    );

    let (_, stderr) = assert_status(&dlc(&["deploy", &seed]), 2, "neither --setup nor --env");
    assert!(
        stderr.contains("--env <NAME>") || stderr.contains("--setup"),
        "{stderr}"
    );

    let (_, stderr) = assert_status(
        &dlc(&["deploy", &seed, "--setup", "--profile", "dev"]),
        2,
        "a profile without its account",
    );
    assert!(stderr.contains("is not ACCOUNT=PROFILE"), "{stderr}");

    let scratch = common::scratch_dir("deploy_cli_errors");
    let broken = scratch.join("lake.dl");
    let text = std::fs::read_to_string(root().join("lang-examples/seed/lake.dl")).unwrap();
    std::fs::write(&broken, text.replacen("10.20.0.0/24", "10.20.0.0/33", 1)).unwrap();
    let out = dlc(&["deploy", &broken.to_string_lossy(), "--env", "Dev"]);
    let (stdout, stderr) = assert_status(&out, 1, "a lake with errors");
    assert!(
        !format!("{stdout}{stderr}").contains("DL0955"),
        "an AWS call was tried"
    );

    let (_, stderr) = assert_status(
        &dlc(&["deploy", &seed, "--env", "Dev", "--yes"]),
        2,
        "no AWS CLI",
    );
    assert!(
        stderr.contains("[DL0955]") && stderr.contains("the AWS CLI could not be run"),
        "{stderr}"
    );
}
