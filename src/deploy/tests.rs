//! The run against recorded answers: a fake [`Cloud`] answers each AWS CLI
//! operation from a queue and records every call.

use std::collections::{HashMap, VecDeque};

use serde_json::{json, Value};

use super::bundle::{Bundle, Selection, Step};
use super::*;

#[derive(Default)]
struct Recorded {
    answers: HashMap<&'static str, VecDeque<Result<Value, CallError>>>,
    /// (operation, credentials, stdin given) of every call.
    calls: Vec<(String, Credentials, bool)>,
    all_args: Vec<Vec<String>>,
}

impl Recorded {
    fn answer(mut self, operation: &'static str, answer: Result<Value, &str>) -> Recorded {
        let answer = answer.map_err(|message| CallError {
            message: message.to_string(),
            not_run: false,
        });
        self.answers.entry(operation).or_default().push_back(answer);
        self
    }

    fn operations(&self) -> Vec<&str> {
        self.calls.iter().map(|(op, _, _)| op.as_str()).collect()
    }
}

impl Cloud for Recorded {
    fn call(
        &mut self,
        credentials: &Credentials,
        _region: &str,
        args: &[String],
        stdin: Option<&str>,
    ) -> Result<Value, CallError> {
        let operation = args.get(1).cloned().unwrap_or_default();
        self.calls
            .push((operation.clone(), credentials.clone(), stdin.is_some()));
        self.all_args.push(args.to_vec());
        self.answers
            .get_mut(operation.as_str())
            .and_then(VecDeque::pop_front)
            .unwrap_or(Ok(Value::Null))
    }

    fn pause(&mut self) {}
}

struct Answering(Option<bool>, Vec<String>);

impl Console for Answering {
    fn line(&mut self, text: &str) {
        self.1.push(text.to_string());
    }
    fn progress(&mut self, _: &str) {}
    fn confirm(&mut self, _: &str) -> Option<bool> {
        self.0
    }
}

fn bundle(template_bytes: usize) -> Bundle {
    let stack = json!({
        "name": "DevStorage", "environment": "Dev", "account": "222222222222",
        "region": "us-east-2", "template": "Dev/Storage.template.json",
        "capabilities": ["CAPABILITY_NAMED_IAM"], "tags": {"lake": "L"},
        "resources": {"RawBucket": {"type": "AWS::S3::Bucket",
            "source": {"file": "lake.dl", "line": 14, "column": 9}}}
    });
    let manifest = json!({"deploy_order": ["DevStorage"], "stacks": [stack],
        "setup_order": [], "bootstrap": [], "pipelines": []});
    let template = json!({"Resources": {"RawBucket": {"Type": "AWS::S3::Bucket"}},
        "Description": "x".repeat(template_bytes)});
    Bundle::load(&manifest.to_string(), |_| Ok::<_, ()>(template.to_string())).expect("a bundle")
}

fn steps(bundle: &Bundle) -> Vec<Step> {
    bundle
        .steps(&Selection {
            setup: false,
            environments: vec!["Dev".into()],
        })
        .expect("steps")
}

fn options(yes: bool) -> Options {
    Options {
        yes,
        run_id: "1".into(),
        ..Options::default()
    }
}

const IDENTITY: &str = "get-caller-identity";
const NO_STACK: &str = "Stack with id DevStorage does not exist";

fn added() -> Value {
    json!({"Status": "CREATE_COMPLETE", "Changes": [{"ResourceChange": {"Action": "Add",
        "LogicalResourceId": "RawBucket", "ResourceType": "AWS::S3::Bucket"}}]})
}

fn run(
    cloud: &mut Recorded,
    answer: Option<bool>,
    yes: bool,
) -> (Result<Summary, Stop>, Vec<String>) {
    let bundle = bundle(10);
    let mut console = Answering(answer, Vec::new());
    let result = deploy(&bundle, &steps(&bundle), &options(yes), cloud, &mut console);
    (result, console.1)
}

#[test]
fn credentials_of_another_account_are_refused_before_any_change() {
    let mut cloud = Recorded::default().answer(IDENTITY, Ok(json!({"Account": "999999999999"})));
    let (result, _) = run(&mut cloud, Some(true), true);
    match result {
        Err(Stop::Usage { message, .. }) => {
            assert!(message.contains("are of account 999999999999"), "{message}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(cloud.operations(), [IDENTITY]);
}

#[test]
fn without_a_terminal_nothing_is_asked_and_the_change_set_and_new_stack_go() {
    let mut cloud = Recorded::default()
        .answer(IDENTITY, Ok(json!({"Account": "222222222222"})))
        .answer("describe-stacks", Err(NO_STACK))
        .answer("create-change-set", Ok(json!({"Id": "arn:cs"})))
        .answer("describe-change-set", Ok(added()));
    let (result, lines) = run(&mut cloud, None, false);
    assert_eq!(
        result,
        Err(Stop::Declined {
            stack: "DevStorage".into(),
            no_terminal: true
        })
    );
    assert_eq!(
        lines[0],
        "DevStorage: 1 to add, 0 to modify, 0 to replace, 0 to remove"
    );
    let operations = cloud.operations();
    assert!(
        operations.ends_with(&["delete-change-set", "delete-stack"]),
        "{operations:?}"
    );
    assert!(!operations.contains(&"execute-change-set"));
}

#[test]
fn nothing_to_change_deletes_the_empty_change_set() {
    let mut cloud = Recorded::default()
        .answer(IDENTITY, Ok(json!({"Account": "222222222222"})))
        .answer("describe-stacks", Ok(json!({"Stacks": [{"StackStatus": "UPDATE_COMPLETE"}]})))
        .answer("create-change-set", Ok(json!({"Id": "arn:cs"})))
        .answer("describe-change-set", Ok(json!({"Status": "FAILED",
            "StatusReason": "The submitted information didn't contain changes. Submit different information to create a change set."})));
    let (result, lines) = run(&mut cloud, None, false);
    assert_eq!(
        result.map(|s| s.unchanged),
        Ok(vec!["DevStorage".to_string()])
    );
    assert_eq!(lines, ["DevStorage: no changes"]);
    assert_eq!(cloud.operations().last(), Some(&"delete-change-set"));
    let create = &cloud.all_args[2];
    assert!(create
        .windows(2)
        .any(|w| w == ["--change-set-type", "UPDATE"]));
    let delete = cloud.all_args.last().expect("a call");
    assert!(
        delete
            .windows(2)
            .any(|w| w == ["--change-set-name", "arn:cs"]),
        "by its ARN"
    );
}

#[test]
fn a_failed_create_is_traced_to_the_resource_and_its_lake_line() {
    let events = json!({"StackEvents": [
        {"EventId": "2", "LogicalResourceId": "RawBucket", "ResourceStatus": "CREATE_FAILED",
         "ResourceStatusReason": "dev-raw already exists"},
        {"EventId": "1", "LogicalResourceId": "DevStorage", "ResourceStatus": "CREATE_IN_PROGRESS"}]});
    let mut cloud = Recorded::default()
        .answer(IDENTITY, Ok(json!({"Account": "222222222222"})))
        .answer("describe-stacks", Err(NO_STACK))
        .answer(
            "describe-stacks",
            Ok(json!({"Stacks": [{"StackStatus": "ROLLBACK_COMPLETE"}]})),
        )
        .answer(
            "describe-stacks",
            Ok(json!({"Stacks": [{"StackStatus": "ROLLBACK_COMPLETE"}]})),
        )
        .answer("create-change-set", Ok(json!({"Id": "arn:cs"})))
        .answer("describe-change-set", Ok(added()))
        .answer("describe-stack-events", Ok(events.clone()))
        .answer("describe-stack-events", Ok(events));
    let (result, lines) = run(&mut cloud, None, true);
    let Err(Stop::Failed(failure)) = result else {
        panic!("expected a failure, got {result:?}");
    };
    assert_eq!(failure.resource.as_deref(), Some("RawBucket"));
    assert_eq!(failure.reason, "dev-raw already exists");
    assert_eq!(failure.source.as_deref(), Some("lake.dl:14:9"));
    assert_eq!(failure.status, "ROLLBACK_COMPLETE");
    assert!(lines
        .iter()
        .any(|l| l.contains("CREATE_FAILED") && l.ends_with("dev-raw already exists")));
}

#[test]
fn a_role_is_assumed_in_each_account_and_its_keys_used() {
    let mut cloud = Recorded::default()
        .answer(
            "assume-role",
            Ok(json!({"Credentials": {"AccessKeyId": "AK",
            "SecretAccessKey": "SK", "SessionToken": "ST"}})),
        )
        .answer(IDENTITY, Ok(json!({"Account": "222222222222"})))
        .answer(
            "describe-stacks",
            Ok(json!({"Stacks": [{"StackStatus": "CREATE_COMPLETE"}]})),
        )
        .answer(
            "describe-change-set",
            Ok(json!({"Status": "FAILED",
            "StatusReason": "No updates are to be performed."})),
        );
    let bundle = bundle(10);
    let mut console = Answering(None, Vec::new());
    let options = Options {
        role_name: Some("deployer".into()),
        ..options(false)
    };
    deploy(&bundle, &steps(&bundle), &options, &mut cloud, &mut console).expect("no changes");
    assert!(cloud.all_args[0].contains(&"arn:aws:iam::222222222222:role/deployer".to_string()));
    assert_eq!(cloud.calls[0].1, Credentials::Chain);
    let temporary = Credentials::Temporary {
        access_key_id: "AK".into(),
        secret_access_key: "SK".into(),
        session_token: "ST".into(),
    };
    assert!(cloud.calls[1..].iter().all(|(_, c, _)| *c == temporary));
}

#[test]
fn a_template_over_the_inline_limit_goes_through_the_bucket() {
    let bundle = bundle(INLINE_TEMPLATE_LIMIT);
    let mut console = Answering(None, Vec::new());
    let mut cloud = Recorded::default().answer(IDENTITY, Ok(json!({"Account": "222222222222"})));
    let refused = deploy(
        &bundle,
        &steps(&bundle),
        &options(true),
        &mut cloud,
        &mut console,
    );
    assert!(matches!(refused, Err(Stop::Usage { ref help, .. }) if help.contains("--s3-bucket")));
    assert!(!cloud.operations().contains(&"create-change-set"));

    let mut cloud = Recorded::default()
        .answer(IDENTITY, Ok(json!({"Account": "222222222222"})))
        .answer("describe-stacks", Err(NO_STACK))
        .answer(
            "describe-change-set",
            Ok(json!({"Status": "FAILED",
            "StatusReason": "No updates are to be performed."})),
        );
    let options = Options {
        s3_bucket: Some("uploads".into()),
        ..options(true)
    };
    deploy(&bundle, &steps(&bundle), &options, &mut cloud, &mut console).expect("no changes");
    let upload = cloud
        .calls
        .iter()
        .position(|(op, _, stdin)| op == "cp" && *stdin);
    let upload = upload.expect("an upload through standard input");
    assert_eq!(
        cloud.all_args[upload][3],
        "s3://uploads/dlc/DevStorage/1.template.json"
    );
    let create = &cloud.all_args[upload + 1];
    assert!(create.windows(2).any(|w| w
        == [
            "--template-url",
            "https://uploads.s3.us-east-2.amazonaws.com/dlc/DevStorage/1.template.json"
        ]));
    assert!(!create.contains(&"--template-body".to_string()));
}

#[test]
fn a_pipeline_stack_gets_its_update_role_and_the_parameters_from_earlier_outputs() {
    let entry = |name: &str, env: Option<&str>| {
        json!({"name": name, "environment": env, "account": "111111111111",
            "region": "us-east-2", "template": format!("{name}.json"),
            "capabilities": [], "tags": {}, "resources": {}})
    };
    let mut pipeline = entry("ProdPipeline", Some("Prod"));
    pipeline["update_role"] = "arn:aws:iam::111111111111:role/update".into();
    pipeline["parameters"] = json!({"RegionalArtifactKeyArn":
        {"stack": "ProdArtifacts", "output": "ArtifactKeyArn"}});
    let manifest = json!({"deploy_order": [], "stacks": [],
        "setup_order": ["ProdArtifacts", "ProdPipeline"],
        "bootstrap": [entry("ProdArtifacts", Some("Prod"))], "pipelines": [pipeline]});
    let bundle =
        Bundle::load(&manifest.to_string(), |_| Ok::<_, ()>("{}".to_string())).expect("a bundle");
    let steps = bundle
        .steps(&Selection {
            setup: true,
            environments: Vec::new(),
        })
        .expect("steps");
    let unchanged =
        || Ok(json!({"Status": "FAILED", "StatusReason": "No updates are to be performed."}));
    let deployed = || Ok(json!({"Stacks": [{"StackStatus": "CREATE_COMPLETE"}]}));
    let mut cloud = Recorded::default()
        .answer(IDENTITY, Ok(json!({"Account": "111111111111"})))
        .answer("describe-stacks", deployed())
        .answer("describe-stacks", deployed())
        .answer(
            "describe-stacks",
            Ok(json!({"Stacks": [{"StackStatus": "CREATE_COMPLETE",
            "Outputs": [{"OutputKey": "ArtifactKeyArn", "OutputValue": "arn:aws:kms:key"}]}]})),
        )
        .answer("describe-change-set", unchanged())
        .answer("describe-change-set", unchanged());
    let mut console = Answering(None, Vec::new());
    let summary = deploy(&bundle, &steps, &options(false), &mut cloud, &mut console);
    assert_eq!(summary.map(|s| s.unchanged.len()), Ok(2));
    let create = cloud
        .all_args
        .iter()
        .filter(|a| a[1] == "create-change-set")
        .nth(1)
        .expect("the pipeline's change set");
    assert!(create
        .windows(2)
        .any(|w| w == ["--role-arn", "arn:aws:iam::111111111111:role/update"]));
    let parameters =
        r#"[{"ParameterKey":"RegionalArtifactKeyArn","ParameterValue":"arn:aws:kms:key"}]"#;
    assert!(
        create.windows(2).any(|w| w == ["--parameters", parameters]),
        "{create:?}"
    );
}

#[test]
fn on_a_terminal_a_no_declines_and_a_yes_executes() {
    let new_stack = || {
        Recorded::default()
            .answer(IDENTITY, Ok(json!({"Account": "222222222222"})))
            .answer("describe-stacks", Err(NO_STACK))
            .answer(
                "describe-stacks",
                Ok(json!({"Stacks": [{"StackStatus": "CREATE_COMPLETE"}]})),
            )
            .answer("create-change-set", Ok(json!({"Id": "arn:cs"})))
            .answer("describe-change-set", Ok(added()))
    };
    let mut cloud = new_stack();
    let (result, _) = run(&mut cloud, Some(false), false);
    assert_eq!(
        result,
        Err(Stop::Declined {
            stack: "DevStorage".into(),
            no_terminal: false
        })
    );
    assert!(!cloud.operations().contains(&"execute-change-set"));

    let mut cloud = new_stack();
    let (result, lines) = run(&mut cloud, Some(true), false);
    assert_eq!(
        result.map(|s| s.deployed),
        Ok(vec!["DevStorage".to_string()])
    );
    assert!(cloud.operations().contains(&"execute-change-set"));
    assert_eq!(
        lines.last().map(String::as_str),
        Some("DevStorage: deployed (CREATE_COMPLETE)")
    );
}
