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
//! "`dlc deploy`"), it alone locks 234 packages (dlc, 83) and takes
//! 3.5 minutes of CPU to build clean, for an async runtime and a TLS stack that nothing
//! else in dlc needs; the CLI is what the teams deploying by hand already have,
//! reads the same credential chain and profiles, and honours
//! `AWS_ENDPOINT_URL`, so the tests run it against moto unchanged.

pub mod bundle;
pub mod events;
pub mod review;

use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};

use bundle::{Bundle, Step};
use events::Failure;

/// CloudFormation takes a template body of at most this many bytes inline;
/// a larger one must come from S3 by `TemplateURL` (`TemplateBody`, "Maximum
/// length of 51200", in "CreateChangeSet", AWS CloudFormation API Reference,
/// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html).
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
    let sessions = verify_accounts(steps, options, cloud)?;
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

/// The credentials of every account the steps touch, each checked with STS
/// `GetCallerIdentity` before anything changes anywhere.
fn verify_accounts(
    steps: &[Step],
    options: &Options,
    cloud: &mut dyn Cloud,
) -> Result<HashMap<String, Credentials>, Stop> {
    let mut sessions = HashMap::new();
    for step in steps {
        let (account, region) = (&step.stack.account, &step.stack.region);
        if sessions.contains_key(account) {
            continue;
        }
        let credentials = credentials_for(account, region, options, cloud)?;
        let identity = cloud
            .call(
                &credentials,
                region,
                &args(&["sts", "get-caller-identity"]),
                None,
            )
            .map_err(|e| credential_stop(account, &e.message, e.not_run))?;
        let actual = identity["Account"].as_str().unwrap_or("");
        if actual != account {
            return Err(Stop::Usage {
                message: format!(
                    "the credentials for account {account} (stack {}) are of account {actual}; nothing was changed",
                    step.stack.name
                ),
                help: format!(
                    "give that account's credentials: `--profile {account}=PROFILE`, or `--role-name NAME` to assume a role in it"
                ),
            });
        }
        sessions.insert(account.clone(), credentials);
    }
    Ok(sessions)
}

fn credentials_for(
    account: &str,
    region: &str,
    options: &Options,
    cloud: &mut dyn Cloud,
) -> Result<Credentials, Stop> {
    if let Some(profile) = options.profiles.get(account) {
        return Ok(Credentials::Profile(profile.clone()));
    }
    let Some(role) = &options.role_name else {
        return Ok(Credentials::Chain);
    };
    let arn = format!("arn:aws:iam::{account}:role/{role}");
    let answer = cloud
        .call(
            &Credentials::Chain,
            region,
            &args(&[
                "sts",
                "assume-role",
                "--role-arn",
                &arn,
                "--role-session-name",
                "dlc-deploy",
            ]),
            None,
        )
        .map_err(|e| credential_stop(account, &e.message, e.not_run))?;
    let field = |name: &str| {
        answer["Credentials"][name]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    Ok(Credentials::Temporary {
        access_key_id: field("AccessKeyId"),
        secret_access_key: field("SecretAccessKey"),
        session_token: field("SessionToken"),
    })
}

fn credential_stop(account: &str, message: &str, not_run: bool) -> Stop {
    if not_run {
        return Stop::Usage {
            message: format!("the AWS CLI could not be run: {message}"),
            help: "install the AWS CLI (`pip install awscli`) and put `aws` on the PATH".into(),
        };
    }
    Stop::Usage {
        message: format!("no usable credentials for account {account}: {message}"),
        help: format!(
            "configure the AWS CLI's credentials, or pass `--profile {account}=PROFILE` or `--role-name NAME`"
        ),
    }
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

enum Outcome {
    Deployed,
    Unchanged,
}

struct Run<'a> {
    bundle: &'a Bundle,
    options: &'a Options,
    sessions: HashMap<String, Credentials>,
    cloud: &'a mut dyn Cloud,
    console: &'a mut dyn Console,
}

/// CloudFormation's reasons for a change set with nothing to do.
const NO_CHANGES: &[&str] = &[
    "The submitted information didn't contain changes",
    "No updates are to be performed",
];

impl Run<'_> {
    fn call(
        &mut self,
        step: &Step,
        parts: &[String],
        stdin: Option<&str>,
    ) -> Result<Value, CallError> {
        let credentials = self
            .sessions
            .get(&step.stack.account)
            .cloned()
            .unwrap_or(Credentials::Chain);
        self.cloud
            .call(&credentials, &step.stack.region, parts, stdin)
    }

    fn stack(&mut self, step: &Step) -> Result<Outcome, Stop> {
        let name = step.stack.name.clone();
        let failed = |reason: String, status: &str| {
            Stop::Failed(events::trace(
                &step.stack,
                &Value::Null,
                status,
                Some(&reason),
            ))
        };
        let text = self
            .bundle
            .templates
            .get(&step.stack.template)
            .ok_or_else(|| Stop::Usage {
                message: format!("the output has no template {}", step.stack.template),
                help: "compile the lake again: `dlc compile LAKE -o DIR`".into(),
            })?;
        let template: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        let status = self
            .status(step)
            .map_err(|e| failed(e.message, "unknown"))?;
        if status.as_deref() == Some("ROLLBACK_COMPLETE") {
            return Err(Stop::Failed(Failure {
                stack: name,
                resource: None,
                reason: "a failed create left the stack in ROLLBACK_COMPLETE".into(),
                source: None,
                status: "ROLLBACK_COMPLETE".into(),
            }));
        }
        let creating = matches!(status.as_deref(), None | Some("REVIEW_IN_PROGRESS"));
        let change_set = format!("dlc-{}", self.options.run_id);
        let mut create = args(&[
            "cloudformation",
            "create-change-set",
            "--stack-name",
            &name,
            "--change-set-name",
            &change_set,
            "--change-set-type",
            if creating { "CREATE" } else { "UPDATE" },
        ]);
        create.extend(self.template_source(step, text)?);
        create.extend(self.stack_options(step)?);
        let created = self
            .call(step, &create, None)
            .map_err(|e| failed(e.message, status.as_deref().unwrap_or("none")))?;
        // By its ARN from here on: a name is only unique within its stack.
        let change_set = created["Id"].as_str().unwrap_or(&change_set).to_string();
        let described = self.wait_for_change_set(step, &change_set)?;
        let cs_status = described["Status"].as_str().unwrap_or("");
        if cs_status == "FAILED" {
            let reason = described["StatusReason"].as_str().unwrap_or("").to_string();
            self.discard(step, &change_set, false);
            if NO_CHANGES.iter().any(|n| reason.starts_with(n)) {
                self.console.line(&format!("{name}: no changes"));
                return Ok(Outcome::Unchanged);
            }
            return Err(failed(
                format!("the change set failed: {reason}"),
                status.as_deref().unwrap_or("none"),
            ));
        }
        let entries = review::review(&described, &step.stack, &template);
        for line in review::render(&name, &entries) {
            self.console.line(&line);
        }
        if !self.options.yes {
            let question = format!(
                "Deploy these changes to {name} in account {} ({})?",
                step.stack.account, step.stack.region
            );
            let answer = self.console.confirm(&question);
            if answer != Some(true) {
                self.discard(step, &change_set, creating && status.is_none());
                return Err(Stop::Declined {
                    stack: name,
                    no_terminal: answer.is_none(),
                });
            }
        }
        let executed = self.call(
            step,
            &args(&[
                "cloudformation",
                "execute-change-set",
                "--stack-name",
                &name,
                "--change-set-name",
                &change_set,
            ]),
            None,
        );
        if let Err(e) = executed {
            return Err(self.failure(step, Some(&e.message)));
        }
        self.follow(step)
    }

    /// The stack's status, `None` when there is no such stack.
    fn status(&mut self, step: &Step) -> Result<Option<String>, CallError> {
        let parts = args(&[
            "cloudformation",
            "describe-stacks",
            "--stack-name",
            &step.stack.name,
        ]);
        match self.call(step, &parts, None) {
            Ok(answer) => Ok(answer["Stacks"][0]["StackStatus"]
                .as_str()
                .map(str::to_string)),
            Err(e) if e.message.contains("does not exist") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `--template-body`, or for a template over the inline limit, an upload
    /// to the bucket and `--template-url`.
    fn template_source(&mut self, step: &Step, text: &str) -> Result<Vec<String>, Stop> {
        let bucket = match &self.options.s3_bucket {
            Some(bucket) if text.len() > INLINE_TEMPLATE_LIMIT => bucket.clone(),
            _ => return Ok(args(&["--template-body", text])),
        };
        let key = format!(
            "dlc/{}/{}.template.json",
            step.stack.name, self.options.run_id
        );
        let target = format!("s3://{bucket}/{key}");
        self.call(step, &args(&["s3", "cp", "-", &target]), Some(text))
            .map_err(|e| {
                Stop::Failed(events::trace(
                    &step.stack,
                    &Value::Null,
                    "none",
                    Some(&format!(
                        "uploading the template to {target} failed: {}",
                        e.message
                    )),
                ))
            })?;
        let url = format!(
            "https://{bucket}.s3.{}.amazonaws.com/{key}",
            step.stack.region
        );
        Ok(args(&["--template-url", &url]))
    }

    /// Capabilities, tags, the role and parameters the manifest names.
    fn stack_options(&mut self, step: &Step) -> Result<Vec<String>, Stop> {
        let mut parts = Vec::new();
        if !step.stack.capabilities.is_empty() {
            parts.push("--capabilities".to_string());
            parts.extend(step.stack.capabilities.iter().cloned());
        }
        if !step.stack.tags.is_empty() {
            let tags: Vec<Value> = step
                .stack
                .tags
                .iter()
                .map(|(k, v)| json!({ "Key": k, "Value": v }))
                .collect();
            parts.extend(args(&["--tags", &Value::Array(tags).to_string()]));
        }
        if let Some(role) = &step.role_arn {
            parts.extend(args(&["--role-arn", role]));
        }
        if !step.parameters.is_empty() {
            let mut values = Vec::new();
            for (key, source) in &step.parameters {
                let value = self
                    .output_of(&source.stack, &source.output)
                    .map_err(|reason| {
                        Stop::Failed(events::trace(
                            &step.stack,
                            &Value::Null,
                            "none",
                            Some(&reason),
                        ))
                    })?;
                values.push(json!({ "ParameterKey": key, "ParameterValue": value }));
            }
            parts.extend(args(&["--parameters", &Value::Array(values).to_string()]));
        }
        Ok(parts)
    }

    /// An output of a stack deployed before (a parameter's source).
    fn output_of(&mut self, stack: &str, output: &str) -> Result<String, String> {
        let entry = self
            .bundle
            .stack(stack)
            .ok_or_else(|| format!("the manifest has no stack {stack}"))?;
        let source = Step {
            stack: entry.clone(),
            role_arn: None,
            parameters: Default::default(),
        };
        let answer = self
            .call(
                &source,
                &args(&["cloudformation", "describe-stacks", "--stack-name", stack]),
                None,
            )
            .map_err(|e| format!("reading the outputs of {stack}: {}", e.message))?;
        answer["Stacks"][0]["Outputs"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|o| o["OutputKey"] == output)
            .and_then(|o| o["OutputValue"].as_str())
            .map(str::to_string)
            .ok_or_else(|| format!("{stack} has no output {output}: deploy the setup first (`dlc deploy LAKE --setup`)"))
    }

    fn wait_for_change_set(&mut self, step: &Step, change_set: &str) -> Result<Value, Stop> {
        let parts = args(&[
            "cloudformation",
            "describe-change-set",
            "--stack-name",
            &step.stack.name,
            "--change-set-name",
            change_set,
        ]);
        for _ in 0..MAX_POLLS {
            let answer = self.call(step, &parts, None).map_err(|e| {
                Stop::Failed(events::trace(
                    &step.stack,
                    &Value::Null,
                    "none",
                    Some(&e.message),
                ))
            })?;
            match answer["Status"].as_str() {
                Some("CREATE_PENDING" | "CREATE_IN_PROGRESS") => self.cloud.pause(),
                _ => return Ok(answer),
            }
        }
        self.discard(step, change_set, false);
        Err(Stop::Failed(events::trace(
            &step.stack,
            &Value::Null,
            "none",
            Some("the change set was still being created after an hour"),
        )))
    }

    /// Removes a change set that will not run, and the empty stack a
    /// declined first deploy created for it. Best effort: the run is
    /// stopping or moving on either way.
    fn discard(&mut self, step: &Step, change_set: &str, stack_too: bool) {
        let name = &step.stack.name;
        let _ = self.call(
            step,
            &args(&[
                "cloudformation",
                "delete-change-set",
                "--stack-name",
                name,
                "--change-set-name",
                change_set,
            ]),
            None,
        );
        if stack_too {
            let _ = self.call(
                step,
                &args(&["cloudformation", "delete-stack", "--stack-name", name]),
                None,
            );
        }
    }

    /// Follows the stack to a final status, printing its events.
    fn follow(&mut self, step: &Step) -> Result<Outcome, Stop> {
        let mut seen = HashSet::new();
        let events_call = args(&[
            "cloudformation",
            "describe-stack-events",
            "--stack-name",
            &step.stack.name,
        ]);
        for _ in 0..MAX_POLLS {
            let status = self
                .status(step)
                .map_err(|e| {
                    Stop::Failed(events::trace(
                        &step.stack,
                        &Value::Null,
                        "unknown",
                        Some(&e.message),
                    ))
                })?
                .unwrap_or_default();
            if let Ok(answer) = self.call(step, &events_call, None) {
                for line in events::new_events(&answer, &mut seen) {
                    self.console.line(&line);
                }
            }
            if events::succeeded(&status) {
                self.console
                    .line(&format!("{}: deployed ({status})", step.stack.name));
                return Ok(Outcome::Deployed);
            }
            if events::is_final(&status) {
                // Nothing left to wait on: an empty line before the failure.
                self.console.progress("");
                return Err(self.failure(step, None));
            }
            self.console.progress(&format!(
                "{}: {status} ({} events so far)",
                step.stack.name,
                seen.len()
            ));
            self.cloud.pause();
        }
        Err(self.failure(step, Some("the stack was still changing after an hour")))
    }

    fn failure(&mut self, step: &Step, refusal: Option<&str>) -> Stop {
        let events_answer = self
            .call(
                step,
                &args(&[
                    "cloudformation",
                    "describe-stack-events",
                    "--stack-name",
                    &step.stack.name,
                ]),
                None,
            )
            .unwrap_or(Value::Null);
        let status = self
            .status(step)
            .ok()
            .flatten()
            .unwrap_or_else(|| "unknown".into());
        Stop::Failed(events::trace(&step.stack, &events_answer, &status, refusal))
    }
}

fn args(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

#[cfg(test)]
mod tests;
