//! One stack through a change set: created, reviewed, confirmed, executed
//! and followed to its end; a change set with nothing to do deleted.

use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};

use super::bundle::{Bundle, Step};
use super::events::{self, Failure};
use super::{args, review, CallError, Cloud, Console, Credentials, Options, Stop};
use super::{INLINE_TEMPLATE_LIMIT, MAX_POLLS};

pub(super) enum Outcome {
    Deployed,
    Unchanged,
}

pub(super) struct Run<'a> {
    pub bundle: &'a Bundle,
    pub options: &'a Options,
    pub sessions: HashMap<String, Credentials>,
    pub cloud: &'a mut dyn Cloud,
    pub console: &'a mut dyn Console,
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

    pub(super) fn stack(&mut self, step: &Step) -> Result<Outcome, Stop> {
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
