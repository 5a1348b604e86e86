//! The pipelines and bootstrap templates of the example lakes (and of the seed
//! with its other sources): what each holds, that the declaration and the
//! template describe the same pipeline, and that no role may do everything.

mod common;

use common::resolve::{Mode, Resolver};

use serde_json::{json, Map, Value};

use common::fixtures;
use dlc::codegen::pipeline_declaration::Placeholder;
use dlc::codegen::Output;
use dlc::model::Lake;

fn json(output: &Output, path: &str) -> Value {
    let file = output
        .file(path)
        .unwrap_or_else(|| panic!("{path} is emitted"));
    serde_json::from_str(&file.contents).unwrap()
}

/// Every lake the tests look at: the examples and the seed's other sources.
fn lakes() -> Vec<(&'static str, Lake)> {
    let mut lakes = fixtures::examples();
    lakes.push(("seed-token", common::seed_with_token()));
    lakes.push(("seed-codecommit", common::seed_with_codecommit()));
    lakes.push(("seed-prod-elsewhere", common::seed_with_prod_elsewhere()));
    lakes
}

fn compile(name: &'static str, lake: &Lake) -> Output {
    let example = if name.starts_with("seed") {
        "seed"
    } else {
        name
    };
    common::compile(example, lake)
}

#[test]
fn the_seed_has_three_pipelines_and_three_target_bootstraps() {
    let output = common::compile("seed", &fixtures::seed());
    for env in ["Dev", "Test", "Prod"] {
        for path in [
            format!("pipelines/{env}.template.json"),
            format!("pipelines/{env}.pipeline.json"),
            format!("bootstrap/{env}.template.json"),
        ] {
            assert!(output.file(&path).is_some(), "{path}");
        }
    }
    assert!(output.file("bootstrap/DataLake.template.json").is_some());

    let manifest = &output.manifest;
    assert_eq!(
        manifest.setup_order,
        [
            "DataLakeCDKBlogBootstrap",
            "DevDataLakeCDKBlogBootstrap",
            "TestDataLakeCDKBlogBootstrap",
            "ProdDataLakeCDKBlogBootstrap",
            "DevDataLakeCDKBlogPipeline",
            "TestDataLakeCDKBlogPipeline",
            "ProdDataLakeCDKBlogPipeline",
        ]
    );
    let branches: Vec<(&str, &str)> = manifest
        .pipelines
        .iter()
        .map(|p| (p.stack.environment.as_deref().unwrap(), p.branch.as_str()))
        .collect();
    assert_eq!(
        branches,
        [("Dev", "main"), ("Test", "test"), ("Prod", "prod")]
    );
    for p in &manifest.pipelines {
        assert_eq!(
            p.stack.account, "111111111111",
            "pipelines run in the deployment account"
        );
    }
    let accounts: Vec<&str> = manifest
        .bootstrap
        .iter()
        .map(|b| b.account.as_str())
        .collect();
    assert_eq!(
        accounts,
        [
            "111111111111",
            "222222222222",
            "333333333333",
            "444444444444"
        ]
    );

    // Only Prod waits for a person: once per level, Storage then Network
    // (whose flow log writes into Storage's bucket).
    for (env, approvals) in [("Dev", 0), ("Test", 0), ("Prod", 2)] {
        let declaration = json(&output, &format!("pipelines/{env}.pipeline.json"));
        let stages: Vec<&str> = declaration["pipeline"]["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert_eq!(stages, ["Source", "Build", "UpdatePipeline", "Deploy"]);
        let found = actions(&declaration)
            .filter(|a| a["actionTypeId"]["category"] == "Approval")
            .count();
        assert_eq!(found, approvals, "{env}");
    }
}

fn actions(declaration: &Value) -> impl Iterator<Item = &Value> {
    declaration["pipeline"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["actions"].as_array().unwrap())
}

#[test]
fn change_sets_deploy_level_by_level_and_approvals_name_them() {
    let output = common::compile("last-mile-health", &fixtures::last_mile_health());
    let declaration = json(&output, "pipelines/Prod.pipeline.json");
    let deploy: Vec<(u64, &str)> = declaration["pipeline"]["stages"][3]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["runOrder"].as_u64().unwrap(), a["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        deploy,
        [
            (1, "Storage.Prepare"),
            (2, "Approve.Storage"),
            (3, "Storage.Execute"),
            (4, "Network.Prepare"),
            (5, "Approve.Network"),
            (6, "Network.Execute"),
            (7, "Warehouse.Prepare"),
            (8, "Approve.Warehouse"),
            (9, "Warehouse.Execute"),
        ]
    );
    let approval = actions(&declaration)
        .find(|a| a["name"] == "Approve.Warehouse")
        .unwrap();
    let message = approval["configuration"]["CustomData"].as_str().unwrap();
    assert!(
        message.contains("PipelineChange of ProdLMDCDKDataLakeWarehouse"),
        "{message}"
    );
    // Without an approval, each level prepares then executes.
    let dev = json(&output, "pipelines/Dev.pipeline.json");
    let orders: Vec<u64> = dev["pipeline"]["stages"][3]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["runOrder"].as_u64().unwrap())
        .collect();
    assert_eq!(orders, [1, 2, 3, 4, 5, 6]);
    let warehouse = actions(&dev)
        .find(|a| a["name"] == "Warehouse.Prepare")
        .unwrap();
    assert_eq!(warehouse["configuration"]["Capabilities"], "CAPABILITY_IAM");
    assert_eq!(
        warehouse["roleArn"],
        "arn:aws:iam::002190277880:role/dev-lmd-v2-deploy"
    );
    assert_eq!(
        warehouse["configuration"]["RoleArn"],
        "arn:aws:iam::002190277880:role/dev-lmd-v2-cfn-exec"
    );
}

/// CloudFormation's PascalCase keys as CodePipeline's API spells them, except
/// inside an action's `Configuration`, whose keys are the action's own.
fn camel_case(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let mut key = k[..1].to_lowercase();
                    key.push_str(&k[1..]);
                    let v = if k == "Configuration" {
                        v.clone()
                    } else {
                        camel_case(v)
                    };
                    (key, v)
                })
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(camel_case).collect()),
        other => other.clone(),
    }
}

#[test]
fn the_declaration_and_the_template_describe_the_same_pipeline() {
    for (name, lake) in lakes() {
        let output = compile(name, &lake);
        for entry in &output.manifest.pipelines {
            let template = json(&output, &entry.stack.template);
            let declaration = json(&output, &entry.declaration);
            // The declaration writes a placeholder for each value only AWS
            // knows: a key's ARN (the regional one a parameter of the
            // stack), the GitHub token.
            let resolver = Resolver {
                template: &template,
                stack: &entry.stack.name,
                account: &entry.stack.account,
                region: &entry.stack.region,
                mode: Mode::Declaration,
            };
            let resource = &template["Resources"]["Pipeline"];
            assert_eq!(resource["Type"], "AWS::CodePipeline::Pipeline");
            let mut properties = resolver.resolve(&resource["Properties"]);
            let properties = properties.as_object_mut().unwrap();
            // Only CloudFormation has these: the declaration's tags sit beside
            // the pipeline, and a restart on update is a stack's affair.
            assert_eq!(
                properties.remove("RestartExecutionOnUpdate"),
                Some(json!(true))
            );
            let tags = properties.remove("Tags").unwrap();
            // CloudFormation lists the stores of a cross-region pipeline as
            // { Region, ArtifactStore }; the API maps each region to its store.
            if let Some(Value::Array(stores)) = properties.remove("ArtifactStores") {
                let by_region: Map<String, Value> = stores
                    .iter()
                    .map(|s| {
                        let region = s["Region"].as_str().unwrap();
                        (region.into(), s["ArtifactStore"].clone())
                    })
                    .collect();
                properties.insert("ArtifactStores".into(), Value::Object(by_region));
            }
            let what = format!("{name} {}", entry.declaration);
            assert_eq!(
                camel_case(&Value::Object(properties.clone())),
                declaration["pipeline"],
                "{what}"
            );
            assert_eq!(camel_case(&tags), declaration["tags"], "{what}");

            // The stages and actions, named, as the issue asks.
            let names = |stages: &Value, stage_key: &str, action_key: &str| -> Vec<String> {
                stages
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|s| {
                        let stage = s[stage_key].as_str().unwrap().to_string();
                        s[action_key]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(move |a| format!("{stage}/{}", a[stage_key].as_str().unwrap()))
                    })
                    .collect()
            };
            assert_eq!(
                names(&properties["Stages"], "Name", "Actions"),
                names(&declaration["pipeline"]["stages"], "name", "actions"),
                "{what}"
            );
            assert_eq!(declaration["pipeline"]["name"], json!(entry.pipeline));
        }
    }
}

#[test]
fn each_source_starts_its_pipeline_on_a_push_to_the_branch() {
    let github = common::compile("seed", &common::seed_with_token());
    let template = json(&github, "pipelines/Test.template.json");
    let webhook = &template["Resources"]["Webhook"]["Properties"];
    assert_eq!(webhook["TargetAction"], "Checkout");
    assert_eq!(webhook["Filters"][0]["MatchEquals"], "refs/heads/{Branch}");
    let source =
        &json(&github, "pipelines/Test.pipeline.json")["pipeline"]["stages"][0]["actions"][0];
    assert_eq!(source["configuration"]["Branch"], "test");
    // The declaration leaves the token to `dlc pipeline-declaration`; the
    // template has CloudFormation read it.
    assert_eq!(source["configuration"]["OAuthToken"], "${dlc:GitHubToken}");
    let template_source =
        &template["Resources"]["Pipeline"]["Properties"]["Stages"][0]["Actions"][0];
    assert_eq!(
        template_source["Configuration"]["OAuthToken"],
        "{{resolve:secretsmanager:/DataLake/GitHubToken:SecretString:::}}"
    );

    let connection = common::compile("seed", &fixtures::seed());
    let declaration = json(&connection, "pipelines/Test.pipeline.json");
    assert_eq!(
        declaration["pipeline"]["triggers"],
        json!([{
            "providerType": "CodeStarSourceConnection",
            "gitConfiguration": {
                "sourceActionName": "Checkout",
                "push": [{ "branches": { "includes": ["test"] } }],
            },
        }])
    );
    let template = json(&connection, "pipelines/Test.template.json");
    assert!(template["Resources"].get("Webhook").is_none());
    let statements = &template["Resources"]["PipelineRole"]["Properties"]["Policies"][0]
        ["PolicyDocument"]["Statement"];
    assert!(statements
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["Action"] == json!(["codestar-connections:UseConnection"])));

    let codecommit = common::compile("seed", &common::seed_with_codecommit());
    let template = json(&codecommit, "pipelines/Dev.template.json");
    let rule = &template["Resources"]["TriggerRule"]["Properties"];
    assert_eq!(
        rule["EventPattern"]["detail"]["referenceName"],
        json!(["main"])
    );
    let build = &template["Resources"]["BuildProject"]["Properties"]["Source"]["BuildSpec"];
    assert!(build
        .as_str()
        .unwrap()
        .contains("run 'dlc compile infra/lake.dl -o out' and commit out/"));
    // Prod has no branch: no pipeline and no bootstrap of its own.
    assert!(codecommit.file("pipelines/Prod.template.json").is_none());
    assert!(codecommit.file("bootstrap/Prod.template.json").is_none());
    assert_eq!(codecommit.manifest.pipelines.len(), 2);
}

/// The examples read their repository through a connection: no file of
/// theirs, declaration or template, holds a dynamic reference (only a
/// GitHub token source's pipeline template does, where CloudFormation
/// resolves it) or a placeholder address.
#[test]
fn no_file_of_the_examples_holds_a_dynamic_reference_or_a_placeholder_address() {
    for (name, lake) in fixtures::examples() {
        let output = compile(name, &lake);
        for file in &output.files {
            for needle in ["{{resolve:", "your-org"] {
                assert!(
                    !file.contents.contains(needle),
                    "{name} {}: `{needle}`",
                    file.path
                );
            }
        }
        let declarations = output
            .files
            .iter()
            .filter(|f| f.path.ends_with(".pipeline.json"))
            .count();
        assert_eq!(declarations, output.manifest.pipelines.len(), "{name}");
    }
    // Every declaration of every variant, the token source's included.
    for (name, lake) in lakes() {
        let output = compile(name, &lake);
        for entry in &output.manifest.pipelines {
            let declaration = &output.file(&entry.declaration).unwrap().contents;
            assert!(
                !declaration.contains("{{resolve:"),
                "{name} {}",
                entry.declaration
            );
            assert!(
                !declaration.contains("your-org"),
                "{name} {}",
                entry.declaration
            );
        }
    }
}

#[test]
fn the_default_build_deploys_the_committed_output_and_downloads_nothing() {
    for (name, lake) in lakes() {
        let output = compile(name, &lake);
        for file in &output.files {
            // The stdlib once defaulted to a placeholder repository.
            assert!(
                !file.contents.contains("your-org"),
                "{name} {}: a placeholder address",
                file.path
            );
        }
        for entry in &output.manifest.pipelines {
            let template = json(&output, &entry.stack.template);
            let project = &template["Resources"]["BuildProject"]["Properties"];
            let spec: Value =
                serde_json::from_str(project["Source"]["BuildSpec"].as_str().unwrap()).unwrap();
            assert!(spec["phases"].get("install").is_none(), "{name}");
            let commands = spec["phases"]["build"]["commands"].to_string();
            assert!(!commands.contains("curl") && !commands.contains("dlc --version"));
            // Every file the later stages read is one the build checks for.
            let declaration = json(&output, &entry.declaration);
            for action in actions(&declaration) {
                if let Some(path) = action["configuration"]["TemplatePath"].as_str() {
                    let path = path.strip_prefix("Build::").unwrap();
                    assert!(output.file(path).is_some(), "{name} {path}");
                    assert!(commands.contains(&format!(" {path}")), "{name} {path}");
                }
            }
        }
    }
}

#[test]
fn a_lake_without_branches_has_no_pipeline_and_no_bootstrap() {
    let mut lake = fixtures::seed();
    for env in lake.environments.values_mut() {
        env.branch = None;
    }
    let output = common::compile("seed", &lake);
    assert!(output
        .files
        .iter()
        .all(|f| !f.path.starts_with("pipelines/") && !f.path.starts_with("bootstrap/")));
    assert!(output.manifest.setup_order.is_empty());
}

#[test]
fn the_deploy_role_trusts_only_its_pipeline() {
    let output = common::compile("seed", &fixtures::seed());
    let template = json(&output, "bootstrap/Prod.template.json");
    let trust =
        &template["Resources"]["DeployRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"];
    assert_eq!(
        trust,
        &json!([{
            "Effect": "Allow",
            "Principal": { "AWS": { "Fn::Sub": "arn:${AWS::Partition}:iam::111111111111:root" } },
            "Action": "sts:AssumeRole",
            "Condition": { "ArnEquals": { "aws:PrincipalArn": {
                "Fn::Sub": "arn:${AWS::Partition}:iam::111111111111:role/prod-cdkblog-e2e-pipeline"
            } } },
        }])
    );
    let execution = &template["Resources"]["ExecutionRole"]["Properties"];
    assert_eq!(
        execution["ManagedPolicyArns"],
        json!([{ "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess" }])
    );
}

/// Every Allow statement of every IAM policy, key policy and bucket policy of
/// a template: (where, statement).
fn allow_statements(template: &Value) -> Vec<(String, Value)> {
    fn walk(value: &Value, path: &str, out: &mut Vec<(String, Value)>) {
        match value {
            Value::Object(map) => {
                if map.get("Effect") == Some(&json!("Allow")) && map.contains_key("Action") {
                    out.push((path.to_string(), value.clone()));
                }
                for (k, v) in map {
                    walk(v, &format!("{path}/{k}"), out);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, &format!("{path}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&template["Resources"], "", &mut out);
    out
}

fn as_list(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    }
}

#[test]
fn no_role_may_do_everything() {
    for (name, lake) in lakes() {
        let output = compile(name, &lake);
        for file in output
            .files
            .iter()
            .filter(|f| f.path.ends_with(".template.json"))
        {
            let template: Value = serde_json::from_str(&file.contents).unwrap();
            for (path, statement) in allow_statements(&template) {
                for action in as_list(&statement["Action"]) {
                    let action = action.as_str().unwrap();
                    let whole_service = action == "*" || action.ends_with(":*");
                    assert!(
                        !whole_service,
                        "{name} {}{path}: allows `{action}`",
                        file.path
                    );
                }
                // `*` as a resource only for calls that take no resource, and
                // in key policies, where it means the key itself.
                let in_key_policy = path.contains("/KeyPolicy/");
                if !in_key_policy && as_list(&statement["Resource"]).contains(&json!("*")) {
                    for action in as_list(&statement["Action"]) {
                        assert!(
                            [
                                "cloudformation:ValidateTemplate",
                                "kms:CreateKey",
                                "kms:ListAliases",
                                "codepipeline:ListWebhooks",
                                "secretsmanager:GetRandomPassword",
                            ]
                            .contains(&action.as_str().unwrap()),
                            "{name} {}{path}: `{action}` on every resource",
                            file.path
                        );
                    }
                }
            }
        }
    }
}

/// Whether the IAM action pattern `pattern` (with `*`) matches `action`.
fn matches(pattern: &str, action: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == action,
        Some((head, tail)) => {
            action.starts_with(head) && action.len() >= head.len() + tail.len() && {
                let rest = &action[head.len()..];
                (0..=rest.len()).any(|i| matches(tail, &rest[i..]))
            }
        }
    }
}

#[test]
fn each_pipeline_has_a_boundary_that_allows_everything_its_roles_do() {
    for (name, lake) in lakes() {
        let output = compile(name, &lake);
        let bootstrap = &output.manifest.bootstrap[0];
        assert_eq!(bootstrap.environment, None);
        let bootstrap = json(&output, &bootstrap.template);
        for entry in &output.manifest.pipelines {
            let env = entry.stack.environment.as_deref().unwrap();
            let boundary = &bootstrap["Resources"][format!("{env}PipelineBoundary")]["Properties"];
            let policy_name = boundary["ManagedPolicyName"].as_str().unwrap();
            let allowed: Vec<String> = boundary["PolicyDocument"]["Statement"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|s| as_list(&s["Action"]))
                .map(|a| a.as_str().unwrap().to_string())
                .collect();
            let template = json(&output, &entry.stack.template);
            for (id, resource) in template["Resources"].as_object().unwrap() {
                if resource["Type"] != "AWS::IAM::Role" {
                    continue;
                }
                let props = &resource["Properties"];
                let carried = props["PermissionsBoundary"]["Fn::Sub"]
                    .as_str()
                    .unwrap_or("");
                assert!(
                    carried.ends_with(&format!(":policy/{policy_name}")),
                    "{name} {env} {id}: carries `{carried}`, not its pipeline's boundary"
                );
                for policy in props["Policies"].as_array().unwrap() {
                    for statement in policy["PolicyDocument"]["Statement"].as_array().unwrap() {
                        for action in as_list(&statement["Action"]) {
                            let action = action.as_str().unwrap();
                            assert!(
                                allowed.iter().any(|p| p == action || matches(p, action)),
                                "{name} {} {id}: the boundary does not allow `{action}`",
                                entry.stack.template
                            );
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn action_patterns() {
    assert!(matches("kms:ReEncrypt*", "kms:ReEncrypt*"));
    assert!(matches("s3:Get*", "s3:GetObject"));
    assert!(!matches("s3:Get*", "s3:PutObject"));
}

/// `tests/validate_declarations.py` over `files`: (success, its output).
fn validate_declarations(files: &[std::path::PathBuf]) -> (bool, String) {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/validate_declarations.py");
    let out = std::process::Command::new(common::python_tool("python3"))
        .arg(script)
        .args(files)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "python3 does not run ({e}): {}",
                common::PYTHON_TOOLS_INSTALL
            )
        });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !text.contains("ModuleNotFoundError"),
        "botocore is missing: {}\n{text}",
        common::PYTHON_TOOLS_INSTALL
    );
    (out.status.success(), text)
}

/// `dlc pipeline-declaration`, as the docs tell a person to run it.
fn fill_declaration(
    path: &std::path::Path,
    key: &str,
    regional_key: Option<&str>,
    token: Option<&str>,
) -> std::process::Output {
    use std::io::Write;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_dlc"));
    command
        .arg("pipeline-declaration")
        .arg(path)
        .args(["--artifact-key-arn", key])
        .args(
            regional_key
                .map(|k| vec!["--regional-artifact-key-arn", k])
                .unwrap_or_default(),
        )
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    if token.is_some() {
        command.arg("--github-token-stdin");
    }
    let mut child = command.spawn().expect("dlc runs");
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(token.unwrap_or_default().as_bytes())
        .unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn filled_declarations_are_valid_create_pipeline_input_for_botocore() {
    let mut filled = Vec::new();
    let mut written = Vec::new();
    for (name, lake) in lakes() {
        let output = compile(name, &lake);
        let dir = common::scratch_dir(&format!("declarations/{name}"));
        common::write(&output, &dir);
        for file in &output.files {
            assert!(
                !file.contents.contains("{{resolve:") || file.path.ends_with(".template.json"),
                "{name} {}: a dynamic reference outside a template",
                file.path
            );
        }
        assert!(!output.manifest.pipelines.is_empty(), "{name}");
        for entry in &output.manifest.pipelines {
            let path = dir.join(&entry.declaration);
            let key = format!(
                "arn:aws:kms:{}:{}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                entry.stack.region, entry.stack.account
            );
            let text = std::fs::read_to_string(&path).unwrap();
            let token = text
                .contains("${dlc:GitHubToken}")
                .then_some("ghp_example\n");
            // A pipeline that crosses regions has a second key, there.
            let regional = text
                .contains(Placeholder::RegionalArtifactKeyArn.text())
                .then(|| {
                    let env = entry
                        .stack
                        .environment
                        .as_deref()
                        .expect("a pipeline has an environment");
                    let region = &lake.environments[env].region.name;
                    format!(
                        "arn:aws:kms:{region}:{}:key/5678abcd-12ab-34cd-56ef-1234567890ab",
                        entry.stack.account
                    )
                });
            let out = fill_declaration(&path, &key, regional.as_deref(), token);
            assert!(
                out.status.success(),
                "{name} {}: {}",
                entry.declaration,
                String::from_utf8_lossy(&out.stderr)
            );
            let filled_path = dir.join(format!("{}.filled.json", entry.pipeline));
            std::fs::write(&filled_path, &out.stdout).unwrap();
            written.push(path);
            filled.push(filled_path);
        }
    }
    let (ok, text) = validate_declarations(&filled);
    assert!(ok, "{text}");

    // As written, the declarations are not yet the call: the placeholders are
    // what the validator finds, and nothing else.
    let (ok, text) = validate_declarations(&written);
    assert!(!ok);
    for line in text.lines().filter(|l| l.starts_with("INVALID")) {
        assert!(
            line.contains("is a placeholder the API does not resolve"),
            "{line}"
        );
    }

    // The step refuses the alias the declaration once named the key by.
    let alias = fill_declaration(
        &written[0],
        "arn:aws:kms:us-east-2:111111111111:alias/dev-cdkblog-e2e-pipeline",
        None,
        Some("ghp_example"),
    );
    assert_eq!(alias.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&alias.stderr).contains("is an alias"));

    // A broken declaration fails, and each problem is named.
    let mut broken: Value = serde_json::from_slice(&std::fs::read(&filled[0]).unwrap()).unwrap();
    let pipeline = &mut broken["pipeline"];
    pipeline["artifactStore"]["encryptionKey"]["id"] =
        json!("arn:aws:kms:us-east-2:111111111111:alias/dev-x-pipeline");
    pipeline["stages"][1]["actions"][0]["name"] = json!("Compile it");
    pipeline["stages"][1]["actions"][0]["runOrder"] = json!(1000);
    pipeline["stages"][2]["actions"][0]
        .as_object_mut()
        .unwrap()
        .remove("actionTypeId");
    pipeline["executionMode"] = json!("PARALLELISH");
    pipeline["stageCount"] = json!(4);
    let broken_path = filled[0].with_extension("broken.json");
    std::fs::write(&broken_path, serde_json::to_string(&broken).unwrap()).unwrap();
    let (ok, text) = validate_declarations(&[broken_path]);
    assert!(!ok, "{text}");
    for problem in [
        "is an alias, but actions run as roles of",
        "'Compile it' does not match ActionName's pattern",
        "1000 is over ActionRunOrder's maximum 999",
        "Missing required parameter in pipeline.stages[2].actions[0]: \"actionTypeId\"",
        "'PARALLELISH' is not one of",
        "Unknown parameter in pipeline: \"stageCount\"",
    ] {
        assert!(text.contains(problem), "{problem:?} in\n{text}");
    }
}

#[test]
fn a_pipeline_deploys_into_another_region_through_a_store_of_that_region() {
    let output = common::compile("seed", &common::seed_with_prod_elsewhere());
    let manifest = &output.manifest;
    let store = manifest
        .bootstrap
        .iter()
        .find(|b| b.name == "ProdDataLakeCDKBlogArtifacts")
        .expect("a bootstrap stack for Prod's region");
    assert_eq!(
        (store.account.as_str(), store.region.as_str()),
        ("111111111111", "us-west-2")
    );
    assert_eq!(store.template, "bootstrap/Prod.artifacts.template.json");
    assert_eq!(store.depends_on, ["ProdDataLakeCDKBlogBootstrap"]);
    let order = &manifest.setup_order;
    let position = |name: &str| order.iter().position(|n| n == name).unwrap();
    assert!(position("ProdDataLakeCDKBlogArtifacts") < position("ProdDataLakeCDKBlogPipeline"));
    assert!(position("ProdDataLakeCDKBlogBootstrap") < position("ProdDataLakeCDKBlogArtifacts"));
    // Only Prod crosses regions.
    assert_eq!(
        manifest
            .bootstrap
            .iter()
            .filter(|b| b.name.ends_with("Artifacts"))
            .count(),
        1
    );

    let declaration = json(&output, "pipelines/Prod.pipeline.json");
    let pipeline = &declaration["pipeline"];
    assert!(pipeline.get("artifactStore").is_none());
    // The API's form: a map from region to store.
    assert_eq!(
        pipeline["artifactStores"],
        json!({
            "us-east-2": {
                "type": "S3",
                "location": "prod-cdkblog-e2e-111111111111-us-east-2-pipeline",
                "encryptionKey": { "id": "${dlc:ArtifactKeyArn}", "type": "KMS" },
            },
            "us-west-2": {
                "type": "S3",
                "location": "prod-cdkblog-e2e-111111111111-us-west-2-pipeline",
                "encryptionKey": { "id": "${dlc:RegionalArtifactKeyArn}", "type": "KMS" },
            },
        })
    );
    // CloudFormation's: a list of { Region, ArtifactStore }.
    let template = json(&output, "pipelines/Prod.template.json");
    let stores = &template["Resources"]["Pipeline"]["Properties"]["ArtifactStores"];
    let regions: Vec<&str> = stores
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Region"].as_str().unwrap())
        .collect();
    assert_eq!(regions, ["us-east-2", "us-west-2"]);
    // The regional key is the stack's parameter, filled with the artifacts
    // stack's output: a key ARN of the deployment account in us-west-2, never
    // an alias, which cross-account actions cannot use.
    assert_eq!(
        stores[1]["ArtifactStore"]["EncryptionKey"]["Id"],
        json!({ "Ref": "RegionalArtifactKeyArn" })
    );
    let parameter = &template["Parameters"]["RegionalArtifactKeyArn"];
    assert_eq!(parameter["Type"], "String");
    let pattern = regex::Regex::new(parameter["AllowedPattern"].as_str().unwrap()).unwrap();
    let key = "arn:aws:kms:us-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    assert!(pattern.is_match(key));
    for wrong in [
        "arn:aws:kms:us-west-2:111111111111:alias/prod-cdkblog-e2e-pipeline",
        "arn:aws:kms:us-east-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:us-west-2:444444444444:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    ] {
        assert!(!pattern.is_match(wrong), "{wrong}");
    }
    let artifacts = json(&output, "bootstrap/Prod.artifacts.template.json");
    let key_output = &artifacts["Outputs"]["ArtifactKeyArn"];
    assert_eq!(
        key_output["Value"],
        json!({ "Fn::GetAtt": ["ArtifactKey", "Arn"] })
    );
    assert!(
        key_output.get("Export").is_none(),
        "another region cannot import it"
    );
    let entry = manifest
        .pipelines
        .iter()
        .find(|p| p.stack.environment.as_deref() == Some("Prod"))
        .unwrap();
    let source = &entry.parameters["RegionalArtifactKeyArn"];
    assert_eq!(
        (source.stack.as_str(), source.output.as_str()),
        ("ProdDataLakeCDKBlogArtifacts", "ArtifactKeyArn")
    );
    // The self-update passes the value on, so the stack keeps it.
    let self_update = template["Resources"]["Pipeline"]["Properties"]["Stages"][2]["Actions"][0]
        ["Configuration"]["ParameterOverrides"]
        .clone();
    assert_eq!(
        self_update,
        json!({ "Fn::Sub": "{\"RegionalArtifactKeyArn\":\"${RegionalArtifactKeyArn}\"}" })
    );
    // No key is named by an alias anywhere (an alias ARN is only the
    // resource of the update role's alias management).
    fn key_names<'a>(value: &'a Value, under_key: bool, out: &mut Vec<&'a Value>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let key = matches!(
                        k.to_ascii_lowercase().as_str(),
                        "encryptionkey" | "kmsmasterkeyid" | "kmskeyid" | "kmskeyarn"
                    );
                    key_names(v, under_key || key, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| key_names(v, under_key, out)),
            _ if under_key => out.push(value),
            _ => {}
        }
    }
    let mut named = Vec::new();
    let files: Vec<Value> = output
        .files
        .iter()
        .filter(|f| f.path.ends_with(".json"))
        .map(|f| serde_json::from_str(&f.contents).unwrap())
        .collect();
    for file in &files {
        key_names(file, false, &mut named);
    }
    assert!(named.len() > 10, "{named:?}");
    for name in named {
        assert!(
            !name.to_string().contains("alias/"),
            "a key named by its alias: {name}"
        );
    }
    for action in actions(&declaration) {
        let deploys = action["roleArn"]
            .as_str()
            .is_some_and(|r| r.ends_with("-deploy"));
        let region = action.get("region").and_then(Value::as_str);
        assert_eq!(region, deploys.then_some("us-west-2"), "{}", action["name"]);
    }
    // The deploy role reads the artifacts from the store of its region.
    let bootstrap = json(&output, "bootstrap/Prod.template.json");
    let policy = bootstrap["Resources"]["DeployRole"]["Properties"]["Policies"][0]
        ["PolicyDocument"]
        .to_string();
    assert!(
        policy.contains("s3:::prod-cdkblog-e2e-111111111111-us-west-2-pipeline/*"),
        "{policy}"
    );
    assert!(
        policy.contains("kms:us-west-2:111111111111:key/*"),
        "{policy}"
    );

    // Dev stays in one region, with one store.
    let dev = json(&output, "pipelines/Dev.pipeline.json");
    assert!(dev["pipeline"].get("artifactStores").is_none());
    assert!(actions(&dev).all(|a| a.get("region").is_none()));
}

#[test]
fn a_connection_is_passed_by_the_update_role_and_used_by_the_pipeline_role() {
    let lake = fixtures::seed();
    let connection = match &lake.source {
        dlc::model::Source::GitHubConnection { connection, .. } => connection.clone(),
        _ => unreachable!("the seed reads its repository through a connection"),
    };
    let output = common::compile("seed", &lake);
    let bootstrap = json(&output, "bootstrap/DataLake.template.json");
    let update = &bootstrap["Resources"]["DevUpdatePipelineRole"]["Properties"]["Policies"][0]
        ["PolicyDocument"]["Statement"];
    let pass = update
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "PassConnection")
        .expect("the update role passes the connection");
    assert_eq!(
        pass,
        &json!({
            "Sid": "PassConnection",
            "Effect": "Allow",
            "Action": ["codestar-connections:PassConnection"],
            "Resource": connection,
            "Condition": { "StringEquals": {
                "codestar-connections:PassedToService": "codepipeline.amazonaws.com",
            } },
        })
    );
    let pipeline = json(&output, "pipelines/Dev.template.json");
    let statements = &pipeline["Resources"]["PipelineRole"]["Properties"]["Policies"][0]
        ["PolicyDocument"]["Statement"];
    let use_ = statements
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "UseConnection")
        .expect("the pipeline role uses the connection");
    assert_eq!(
        use_["Action"],
        json!(["codestar-connections:UseConnection"])
    );
    assert_eq!(use_["Resource"], json!(connection));
}

#[test]
fn a_github_webhook_signs_with_a_secret_of_its_own_not_the_token() {
    let output = common::compile("seed", &common::seed_with_token());
    let template = json(&output, "pipelines/Dev.template.json");
    let resources = &template["Resources"];
    let secret = &resources["WebhookSecret"];
    assert_eq!(secret["Type"], "AWS::SecretsManager::Secret");
    assert_eq!(
        secret["Properties"]["Name"],
        "dev-cdkblog-e2e-pipeline-webhook"
    );
    assert!(secret["Properties"]["GenerateSecretString"].is_object());
    let token = resources["Webhook"]["Properties"]["AuthenticationConfiguration"]["SecretToken"]
        .to_string();
    assert!(!token.contains("GitHubToken"), "{token}");
    assert!(token.contains("${WebhookSecret}"), "{token}");
}
