//! The AWS CLI as a subprocess: `dlc deploy`'s one way to AWS. Each call is
//! `aws SERVICE OPERATION ... --region R --output json`, with the account's
//! credentials (a profile, or a role's temporary keys in the environment of
//! that one process). The CLI reads its usual chain and configuration and
//! honours `AWS_ENDPOINT_URL`, which the tests point at moto.

use std::io::{IsTerminal, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::deploy::{CallError, Cloud, Console, Credentials};

/// The CLI on the `PATH`.
pub struct AwsCli {
    /// Between two polls of a change set or a stack.
    pub pause: Duration,
}

impl Default for AwsCli {
    fn default() -> AwsCli {
        AwsCli {
            pause: Duration::from_secs(2),
        }
    }
}

impl Cloud for AwsCli {
    fn call(
        &mut self,
        credentials: &Credentials,
        region: &str,
        args: &[String],
        stdin: Option<&str>,
    ) -> Result<Value, CallError> {
        let mut command = Command::new("aws");
        command
            .args(args)
            .args(["--region", region, "--output", "json"])
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        match credentials {
            Credentials::Chain => {}
            Credentials::Profile(profile) => {
                command.args(["--profile", profile]);
            }
            Credentials::Temporary {
                access_key_id,
                secret_access_key,
                session_token,
            } => {
                // These keys, for this process only; a profile in the
                // environment would otherwise win.
                command
                    .env("AWS_ACCESS_KEY_ID", access_key_id)
                    .env("AWS_SECRET_ACCESS_KEY", secret_access_key)
                    .env("AWS_SESSION_TOKEN", session_token)
                    .env_remove("AWS_PROFILE");
            }
        }
        let not_run = |e: std::io::Error| CallError {
            message: e.to_string(),
            not_run: true,
        };
        let mut child = command.spawn().map_err(not_run)?;
        if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(text.as_bytes()).map_err(not_run)?;
        }
        let output = child.wait_with_output().map_err(not_run)?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(CallError {
                message: stderr.trim().to_string(),
                not_run: false,
            });
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        if stdout.trim().is_empty() {
            return Ok(Value::Null);
        }
        Ok(serde_json::from_str(&stdout).unwrap_or_else(|_| Value::String(stdout.into_owned())))
    }

    fn pause(&mut self) {
        std::thread::sleep(self.pause);
    }
}

/// Standard output for progress, standard input for the question: asked
/// only when standard input is a terminal. On a terminal, what the run waits
/// on stays on one line, rewritten in place; elsewhere only plain lines.
#[derive(Default)]
pub struct TerminalConsole {
    /// A progress line is on the screen, to clear before the next line.
    progress_shown: bool,
}

/// Back to the start of the line, and clear it.
const CLEAR_LINE: &str = "\r\x1b[2K";

impl Console for TerminalConsole {
    fn line(&mut self, text: &str) {
        if std::mem::take(&mut self.progress_shown) {
            print!("{CLEAR_LINE}");
        }
        println!("{text}");
    }

    fn progress(&mut self, text: &str) {
        if std::io::stdout().is_terminal() {
            print!("{CLEAR_LINE}{text}");
            let _ = std::io::stdout().flush();
            self.progress_shown = true;
        }
    }

    fn confirm(&mut self, question: &str) -> Option<bool> {
        if !std::io::stdin().is_terminal() {
            return None;
        }
        if std::mem::take(&mut self.progress_shown) {
            print!("{CLEAR_LINE}");
        }
        print!("{question} [y/N] ");
        let _ = std::io::stdout().flush();
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer).ok()?;
        Some(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
    }
}

/// Names a run's change sets and uploads: the seconds since the epoch.
pub fn run_id() -> String {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        .to_string()
}
