//! `dlc deploy`: the setup stacks or environments' stacks of a compiled lake,
//! into AWS through CloudFormation change sets: each created, reviewed (as
//! `dlc diff` classifies changes), confirmed, executed and followed to its
//! end, with a failure traced back to the lake line.
//!
//! The client is the AWS CLI (v1, from PyPI), run as a subprocess by
//! `host::aws`: everything here talks to a [`Cloud`] that answers one CLI
//! call with its JSON, so the whole run is tested with recorded answers.
//! Why not the AWS SDK for Rust: measured in a scratch crate with
//! `aws-config`, `aws-sdk-cloudformation`, `-sts` and `-s3` (docs/output.md,
//! "`dlc deploy`"), it alone locks 234 packages (dlc, 83) and takes 3.5
//! minutes of CPU to build clean, for an async runtime and a TLS stack that
//! nothing else in dlc needs; the CLI is what the teams deploying by hand
//! already have, reads the same credential chain and profiles, and honours
//! `AWS_ENDPOINT_URL`, so the tests run it against moto unchanged.
//!
//! [`bundle`] says which stacks a run deploys, `accounts` reaches and
//! checks each account, `stack` takes one stack through its change set,
//! [`review`] shows a change set and [`events`] what happened.

pub mod bundle;
pub mod events;
pub mod review;

mod accounts;
mod stack;

use std::collections::HashMap;

use serde_json::Value;

use bundle::{Bundle, Step};
use events::Failure;
use stack::{Outcome, Run};

/// CloudFormation takes a template body of at most this many bytes inline;
/// a larger one must come from S3 by `TemplateURL` (`TemplateBody`, "Maximum
/// length of 51200", in "CreateChangeSet", AWS CloudFormation API Reference,
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html>).
pub const INLINE_TEMPLATE_LIMIT: usize = 51_200;

/// Exit statuses: 0 deployed or nothing to do, 1 lake errors (as `dlc
/// check`), 2 usage or credentials; these three are the CLI's.
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_FAILED: u8 = 3;
pub const EXIT_DECLINED: u8 = 4;

/// How many times a change set or a stack is polled before giving up; with
/// the host's pause between polls, about an hour.
const MAX_POLLS: usize = 1800;

/// The credentials one account is reached with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// The AWS CLI's own chain: environment, default profile, instance role.
    Chain,
    /// A named profile of the AWS CLI's configuration.
    Profile(String),
    /// Temporary credentials from assuming a role in the account.
    Temporary {
        access_key_id: String,
        secret_access_key: String,
        session_token: String,
    },
}

/// Why one call failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallError {
    pub message: String,
    /// The client could not be run at all (not installed).
    pub not_run: bool,
}

/// One AWS CLI call: `args` are the service, the operation and its
/// arguments; the answer is its JSON output (`null` when it prints none).
pub trait Cloud {
    fn call(
        &mut self,
        credentials: &Credentials,
        region: &str,
        args: &[String],
        stdin: Option<&str>,
    ) -> Result<Value, CallError>;
    /// Waits between two polls.
    fn pause(&mut self);
}

/// Where the run speaks to a person.
pub trait Console {
    fn line(&mut self, text: &str);
    /// What the run is waiting on, replacing the last such text: shown on
    /// a terminal only, where plain lines would repeat it every poll.
    fn progress(&mut self, text: &str);
    /// Asks a yes/no question; `None` when there is no terminal to ask on.
    fn confirm(&mut self, question: &str) -> Option<bool>;
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Execute without asking (CI).
    pub yes: bool,
    /// Account -> profile.
    pub profiles: HashMap<String, String>,
    /// A role to assume in every target account without a profile.
    pub role_name: Option<String>,
    /// Where templates too large to send inline go.
    pub s3_bucket: Option<String>,
    /// Names this run's change sets and uploads: `dlc-<run_id>`.
    pub run_id: String,
}

/// Why a run stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Before any change: credentials missing or of another account, no
    /// AWS CLI, no bucket for a large template.
    Usage { message: String, help: String },
    /// A change set could not be made or did not deploy.
    Failed(Failure),
    /// Not confirmed; `no_terminal` when there was no one to ask.
    Declined { stack: String, no_terminal: bool },
}

impl Stop {
    pub fn exit_status(&self) -> u8 {
        match self {
            Stop::Usage { .. } => EXIT_USAGE,
            Stop::Failed(_) => EXIT_FAILED,
            Stop::Declined { .. } => EXIT_DECLINED,
        }
    }
}

/// What a run did, stack by stack.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub deployed: Vec<String>,
    pub unchanged: Vec<String>,
}

/// Deploys `steps` in order, stopping at the first that fails or is declined.
pub fn deploy(
    bundle: &Bundle,
    steps: &[Step],
    options: &Options,
    cloud: &mut dyn Cloud,
    console: &mut dyn Console,
) -> Result<Summary, Stop> {
    let sessions = accounts::verify_accounts(steps, options, cloud)?;
    check_sizes(bundle, steps, options)?;
    let mut run = Run {
        bundle,
        options,
        sessions,
        cloud,
        console,
    };
    let mut summary = Summary::default();
    for step in steps {
        match run.stack(step)? {
            Outcome::Deployed => summary.deployed.push(step.stack.name.clone()),
            Outcome::Unchanged => summary.unchanged.push(step.stack.name.clone()),
        }
    }
    Ok(summary)
}

/// A template too large to send inline needs a bucket: known before any change.
fn check_sizes(bundle: &Bundle, steps: &[Step], options: &Options) -> Result<(), Stop> {
    for step in steps {
        let size = bundle
            .templates
            .get(&step.stack.template)
            .map_or(0, String::len);
        if size > INLINE_TEMPLATE_LIMIT && options.s3_bucket.is_none() {
            return Err(Stop::Usage {
                message: format!(
                    "the template of {} is {size} bytes, over the {INLINE_TEMPLATE_LIMIT} bytes CloudFormation takes inline",
                    step.stack.name
                ),
                help: format!(
                    "name a bucket in {} that the deploy may upload to: `--s3-bucket NAME`",
                    step.stack.region
                ),
            });
        }
    }
    Ok(())
}

fn args(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

#[cfg(test)]
mod tests;

/// The manifest's entry of Dev's Storage stack, with one bucket written at
/// `lake.dl:line:column`: what the unit tests of the review and of the
/// events trace resources back to.
#[cfg(test)]
pub(crate) fn storage_stack_entry(line: u32, column: u32) -> bundle::StackEntry {
    serde_json::from_value(serde_json::json!({
        "name": "DevStorage", "environment": "Dev", "account": "111111111111",
        "region": "eu-west-1", "template": "Dev/Storage.template.json",
        "capabilities": [], "tags": {},
        "resources": {"RawBucket": {"type": "AWS::S3::Bucket",
            "source": {"file": "lake.dl", "line": line, "column": column}}}
    }))
    .expect("a stack entry")
}
