//! No environment's pipeline can be turned against another's. A small IAM
//! evaluator, written for this test, reads every policy of the output (the
//! roles' inline and managed policies, their permissions boundaries, trust
//! policies, key policies and bucket policies), resolves the templates'
//! intrinsic functions into concrete ARNs with the manifest's accounts and
//! regions, and asks, for every pair of environments A and B, whether any role
//! of A's pipeline (pipeline, build and trigger roles, update role, deploy role,
//! execution role) may modify, pass or assume anything of B's: its stacks,
//! pipeline stack, bootstrap stack, roles, boundary, key, bucket, build
//! project, pipeline, webhook, webhook secret or rule.
//!
//! The threat it models is the audit's: a change pushed to a branch rewrites
//! that pipeline's stack, and so, through the update role, the inline policies
//! of the pipeline's roles. A role whose policies some role may rewrite is
//! therefore taken to hold anything its permissions boundary allows.
//!
//! It over-approximates where it must: Deny statements are ignored, and so are
//! conditions, except the three that scope who or what a statement is about
//! (`aws:PrincipalArn`, `kms:ResourceAliases`, and `iam:PermissionsBoundary`
//! on role creation). An escape it misses would need a policy element it
//! refuses to read (`NotAction`, `NotResource`, an IAM resource type it does
//! not know), and it panics on those.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use common::fixtures;
use common::resolve::{Mode, Resolver};
use dlc::codegen::{bootstrap, Output};
use dlc::model::Lake;

// ---------------------------------------------------------------------------
// Matching

/// IAM's wildcards: `*` matches any run of characters, `?` exactly one.
fn wildcard(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // matched[j]: pattern[..i] matches text[..j].
    let mut matched = vec![false; t.len() + 1];
    matched[0] = true;
    for &c in &p {
        let mut next = vec![false; t.len() + 1];
        if c == '*' {
            let mut any = false;
            for j in 0..=t.len() {
                any |= matched[j];
                next[j] = any;
            }
        } else {
            for j in 1..=t.len() {
                next[j] = matched[j - 1] && (c == '?' || c == t[j - 1]);
            }
        }
        matched = next;
    }
    matched[t.len()]
}

/// Actions are case-insensitive.
fn action_matches(pattern: &str, action: &str) -> bool {
    wildcard(&pattern.to_ascii_lowercase(), &action.to_ascii_lowercase())
}

/// ARNs are case-sensitive.
fn arn_matches(pattern: &str, arn: &str) -> bool {
    wildcard(pattern, arn)
}

/// The account of an ARN (empty for S3's).
fn arn_account(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or("")
}

// ---------------------------------------------------------------------------
// Policies

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::Null => Vec::new(),
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        Value::String(s) => vec![s.clone()],
        other => panic!("expected strings, found {other}"),
    }
}

/// One Allow statement, resolved.
#[derive(Clone, Debug)]
struct Statement {
    actions: Vec<String>,
    resources: Vec<String>,
    /// The `AWS` principals of a resource policy (`*` for anyone).
    principals: Vec<String>,
    /// `aws:PrincipalArn`: only these callers.
    principal_arns: Option<Vec<String>>,
    /// `kms:ResourceAliases`: only keys with one of these aliases.
    key_aliases: Option<Vec<String>>,
    /// `iam:PermissionsBoundary`: a role created or re-bounded through this
    /// statement gets this boundary.
    boundary: Option<String>,
}

impl Statement {
    /// Every Allow statement of a resolved policy document.
    fn all(document: &Value) -> Vec<Statement> {
        let statements = match &document["Statement"] {
            Value::Array(items) => items.clone(),
            one => vec![one.clone()],
        };
        statements
            .iter()
            .filter(|s| s["Effect"] == "Allow")
            .map(|s| {
                for unread in ["NotAction", "NotResource", "NotPrincipal"] {
                    assert!(
                        s.get(unread).is_none(),
                        "the evaluator does not read {unread}: {s}"
                    );
                }
                let mut statement = Statement {
                    actions: strings(&s["Action"]),
                    resources: match s.get("Resource") {
                        Some(r) => strings(r),
                        // A trust policy's resource is the role itself.
                        None => vec!["*".into()],
                    },
                    principals: match &s["Principal"] {
                        Value::String(any) => vec![any.clone()],
                        p => strings(&p["AWS"]),
                    },
                    principal_arns: None,
                    key_aliases: None,
                    boundary: None,
                };
                if let Some(condition) = s["Condition"].as_object() {
                    for block in condition.values() {
                        for (key, value) in block.as_object().unwrap() {
                            match key.to_ascii_lowercase().as_str() {
                                "aws:principalarn" => {
                                    statement.principal_arns = Some(strings(value))
                                }
                                "kms:resourcealiases" => {
                                    statement.key_aliases = Some(strings(value))
                                }
                                "iam:permissionsboundary" => {
                                    statement.boundary = strings(value).into_iter().next()
                                }
                                // The rest can only narrow what is allowed.
                                _ => {}
                            }
                        }
                    }
                }
                statement
            })
            .collect()
    }

    /// Whether this statement allows `action` on `resource` (whose key
    /// aliases are `aliases`) to the caller `caller`.
    fn allows(&self, caller: &str, action: &str, resource: &str, aliases: &[String]) -> bool {
        self.actions.iter().any(|a| action_matches(a, action))
            && self.resources.iter().any(|r| arn_matches(r, resource))
            && self
                .principal_arns
                .as_ref()
                .is_none_or(|arns| arns.iter().any(|a| arn_matches(a, caller)))
            && self
                .key_aliases
                .as_ref()
                .is_none_or(|want| want.iter().any(|a| aliases.contains(a)))
    }

    /// Whether a resource policy's statement names `caller`: directly, or
    /// through its account's root (which delegates to the caller's own IAM
    /// policies). Returns (direct, through root).
    fn names(&self, caller: &str) -> (bool, bool) {
        let root = format!("arn:aws:iam::{}:root", arn_account(caller));
        let direct = self.principals.iter().any(|p| p == caller || p == "*");
        let through_root = self
            .principals
            .iter()
            .any(|p| *p == root || *p == arn_account(caller));
        (direct, through_root)
    }
}

// ---------------------------------------------------------------------------
// The world: every role, resource and resource policy of one output

/// What kind of thing a resource is: it says which actions count as taking it over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Stack,
    Role,
    Policy,
    Bucket,
    Objects,
    Key,
    Alias,
    Pipeline,
    Project,
    LogGroup,
    Webhook,
    Rule,
    Secret,
}

impl Kind {
    /// The actions that modify, pass, assume or read into a resource of this kind.
    fn takeovers(self) -> &'static [&'static str] {
        match self {
            Kind::Stack => &[
                "cloudformation:CreateStack",
                "cloudformation:UpdateStack",
                "cloudformation:DeleteStack",
                "cloudformation:CreateChangeSet",
                "cloudformation:ExecuteChangeSet",
                "cloudformation:SetStackPolicy",
            ],
            Kind::Role => &[
                "sts:AssumeRole",
                "iam:PassRole",
                "iam:CreateRole",
                "iam:DeleteRole",
                "iam:PutRolePolicy",
                "iam:AttachRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:UpdateAssumeRolePolicy",
                "iam:PutRolePermissionsBoundary",
                "iam:DeleteRolePermissionsBoundary",
            ],
            Kind::Policy => &[
                "iam:CreatePolicyVersion",
                "iam:SetDefaultPolicyVersion",
                "iam:DeletePolicy",
            ],
            Kind::Bucket => &[
                "s3:PutBucketPolicy",
                "s3:DeleteBucketPolicy",
                "s3:PutBucketAcl",
                "s3:DeleteBucket",
                "s3:PutEncryptionConfiguration",
                "s3:PutLifecycleConfiguration",
                "s3:ListBucket",
            ],
            Kind::Objects => &[
                "s3:PutObject",
                "s3:GetObject",
                "s3:GetObjectVersion",
                "s3:DeleteObject",
            ],
            Kind::Key => &[
                "kms:Decrypt",
                "kms:Encrypt",
                "kms:GenerateDataKey",
                "kms:ReEncryptFrom",
                "kms:ReEncryptTo",
                "kms:CreateGrant",
                "kms:PutKeyPolicy",
                "kms:ScheduleKeyDeletion",
                "kms:DisableKey",
            ],
            Kind::Alias => &["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"],
            Kind::Pipeline => &[
                "codepipeline:UpdatePipeline",
                "codepipeline:DeletePipeline",
                "codepipeline:StartPipelineExecution",
                "codepipeline:PutApprovalResult",
            ],
            Kind::Project => &[
                "codebuild:StartBuild",
                "codebuild:UpdateProject",
                "codebuild:DeleteProject",
            ],
            Kind::LogGroup => &[
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:DeleteLogGroup",
            ],
            Kind::Webhook => &[
                "codepipeline:PutWebhook",
                "codepipeline:DeleteWebhook",
                "codepipeline:RegisterWebhookWithThirdParty",
            ],
            Kind::Rule => &["events:PutRule", "events:PutTargets", "events:DeleteRule"],
            Kind::Secret => &[
                "secretsmanager:GetSecretValue",
                "secretsmanager:PutSecretValue",
                "secretsmanager:UpdateSecret",
                "secretsmanager:DeleteSecret",
            ],
        }
    }

    /// Whether using a resource of this kind needs its resource policy to
    /// allow it even within its own account (a key policy always does; a
    /// role's trust policy does for `sts:AssumeRole`).
    fn resource_policy_required(self, action: &str) -> bool {
        match self {
            Kind::Key => true,
            Kind::Role => action_matches("sts:AssumeRole", action),
            _ => false,
        }
    }
}

#[derive(Clone, Debug)]
struct Role {
    env: String,
    arn: String,
    /// Inline policies and the ARNs of managed ones.
    inline: Vec<Statement>,
    managed: Vec<String>,
    boundary: Option<String>,
}

#[derive(Clone, Debug)]
struct Owned {
    env: String,
    arn: String,
    kind: Kind,
}

#[derive(Default)]
struct World {
    roles: Vec<Role>,
    owned: Vec<Owned>,
    /// Managed policies by ARN.
    policies: BTreeMap<String, Vec<Statement>>,
    /// Key policies, trust policies and bucket policies, by the ARN they guard
    /// (a bucket policy guards the bucket and `bucket/*`).
    resource_policies: BTreeMap<String, Vec<Statement>>,
    /// Each key's aliases, by the key's ARN.
    aliases: BTreeMap<String, Vec<String>>,
    /// Each bucket's account (an S3 ARN has none).
    bucket_accounts: BTreeMap<String, String>,
    /// Roles whose policies some role may rewrite: they hold what their
    /// boundary allows.
    rewritable: BTreeSet<String>,
    /// Every boundary a role may end up with (`None`: no boundary), when some
    /// role may create it or set its boundary.
    possible_boundaries: BTreeMap<String, BTreeSet<Option<String>>>,
}

/// AWS's managed policies that the examples name, as the evaluator reads them.
fn aws_managed(arn: &str) -> Vec<Statement> {
    assert_eq!(
        arn, "arn:aws:iam::aws:policy/AdministratorAccess",
        "the evaluator does not know the managed policy {arn}"
    );
    Statement::all(&json!({ "Statement": [{ "Effect": "Allow", "Action": "*", "Resource": "*" }] }))
}

impl World {
    /// Reads the output of `lake`, with each template given by `templates`
    /// (the output's own, or a test's edited copy).
    fn new(lake: &Lake, output: &Output, templates: &BTreeMap<String, Value>) -> World {
        let manifest = &output.manifest;
        let mut world = World::default();
        // Which environment owns what the deployment bootstrap holds.
        let mut owner_of_id = BTreeMap::new();
        for env in lake.pipelined() {
            owner_of_id.insert(dlc::codegen::naming::update_role_id(env), env.name.clone());
            owner_of_id.insert(bootstrap::boundary_id(env), env.name.clone());
        }
        // A pipeline stack's parameters are outputs of bootstrap stacks.
        let no_parameters = BTreeMap::new();
        let mut outputs: BTreeMap<(&str, &str), String> = BTreeMap::new();
        for setup in &manifest.bootstrap {
            let template = &templates[&setup.template];
            let place = Resolver {
                template,
                stack: &setup.name,
                account: &setup.account,
                region: &setup.region,
                mode: Mode::Deployed {
                    parameters: &no_parameters,
                },
            };
            for (key, output) in template["Outputs"].as_object().into_iter().flatten() {
                let value = place.resolve(&output["Value"]);
                outputs.insert((&setup.name, key), value.as_str().unwrap().to_string());
            }
        }
        let setups: Vec<_> = manifest
            .bootstrap
            .iter()
            .map(|b| (b, no_parameters.clone()))
            .chain(manifest.pipelines.iter().map(|p| {
                let parameters = p
                    .parameters
                    .iter()
                    .map(|(name, source)| {
                        let key = (source.stack.as_str(), source.output.as_str());
                        let value = outputs.get(&key).cloned();
                        (
                            name.clone(),
                            value.unwrap_or_else(|| panic!("no output {key:?}")),
                        )
                    })
                    .collect::<BTreeMap<_, _>>();
                (&p.stack, parameters)
            }))
            .collect();
        for (setup, parameters) in &setups {
            let template = &templates[&setup.template];
            let place = Resolver {
                template,
                stack: &setup.name,
                account: &setup.account,
                region: &setup.region,
                mode: Mode::Deployed { parameters },
            };
            if let Some(env) = &setup.environment {
                world.own(env, place.stack_arn(), Kind::Stack);
            }
            for (id, resource) in template["Resources"].as_object().unwrap() {
                let env = match &setup.environment {
                    Some(env) => env.clone(),
                    None => owner_of_id
                        .get(id)
                        .unwrap_or_else(|| panic!("{}: whose is {id}?", setup.template))
                        .clone(),
                };
                world.read(&place, &env, id, resource);
            }
        }
        for stack in &manifest.stacks {
            world.own(
                &stack.environment,
                format!(
                    "arn:aws:cloudformation:{}:{}:stack/{}/id",
                    stack.region, stack.account, stack.name
                ),
                Kind::Stack,
            );
        }
        world.settle();
        world
    }

    fn own(&mut self, env: &str, arn: String, kind: Kind) {
        self.owned.push(Owned {
            env: env.into(),
            arn,
            kind,
        });
    }

    /// Reads one resource of a template.
    fn read(&mut self, place: &Resolver<'_>, env: &str, id: &str, resource: &Value) {
        let resolved = place.resolve(&resource["Properties"]);
        let (account, region) = (place.account, place.region);
        match resource["Type"].as_str().unwrap() {
            "AWS::IAM::Role" => {
                let arn = place.attribute(id, "Arn");
                let inline = resolved["Policies"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|p| Statement::all(&p["PolicyDocument"]))
                    .collect();
                self.resource_policies
                    .entry(arn.clone())
                    .or_default()
                    .extend(Statement::all(&resolved["AssumeRolePolicyDocument"]));
                self.roles.push(Role {
                    env: env.into(),
                    arn: arn.clone(),
                    inline,
                    managed: strings(&resolved["ManagedPolicyArns"]),
                    boundary: resolved["PermissionsBoundary"].as_str().map(String::from),
                });
                self.own(env, arn, Kind::Role);
            }
            "AWS::IAM::ManagedPolicy" => {
                let arn = place.reference(id);
                self.policies
                    .insert(arn.clone(), Statement::all(&resolved["PolicyDocument"]));
                self.own(env, arn, Kind::Policy);
            }
            "AWS::KMS::Key" => {
                let arn = place.attribute(id, "Arn");
                self.resource_policies
                    .entry(arn.clone())
                    .or_default()
                    .extend(Statement::all(&resolved["KeyPolicy"]));
                self.own(env, arn, Kind::Key);
            }
            "AWS::KMS::Alias" => {
                let name = resolved["AliasName"].as_str().unwrap().to_string();
                let key = format!(
                    "arn:aws:kms:{region}:{account}:key/{}",
                    resolved["TargetKeyId"].as_str().unwrap()
                );
                self.aliases.entry(key).or_default().push(name.clone());
                self.own(
                    env,
                    format!("arn:aws:kms:{region}:{account}:{name}"),
                    Kind::Alias,
                );
            }
            "AWS::S3::Bucket" => {
                let name = place.reference(id);
                self.bucket_accounts.insert(name.clone(), account.into());
                self.own(env, format!("arn:aws:s3:::{name}"), Kind::Bucket);
                self.own(
                    env,
                    format!("arn:aws:s3:::{name}/an-artifact"),
                    Kind::Objects,
                );
            }
            "AWS::S3::BucketPolicy" => {
                let bucket = resolved["Bucket"].as_str().unwrap();
                let statements = Statement::all(&resolved["PolicyDocument"]);
                for arn in [
                    format!("arn:aws:s3:::{bucket}"),
                    format!("arn:aws:s3:::{bucket}/an-artifact"),
                ] {
                    self.resource_policies
                        .entry(arn)
                        .or_default()
                        .extend(statements.clone());
                }
            }
            "AWS::CodePipeline::Pipeline" => self.own(
                env,
                format!(
                    "arn:aws:codepipeline:{region}:{account}:{}",
                    place.reference(id)
                ),
                Kind::Pipeline,
            ),
            "AWS::CodePipeline::Webhook" => self.own(
                env,
                format!(
                    "arn:aws:codepipeline:{region}:{account}:webhook:{}",
                    place.reference(id)
                ),
                Kind::Webhook,
            ),
            "AWS::CodeBuild::Project" => {
                let name = place.reference(id);
                self.own(env, place.attribute(id, "Arn"), Kind::Project);
                // CodeBuild makes the project's log group on its first build.
                self.own(
                    env,
                    format!("arn:aws:logs:{region}:{account}:log-group:/aws/codebuild/{name}"),
                    Kind::LogGroup,
                );
            }
            "AWS::SecretsManager::Secret" => self.own(
                env,
                // Secrets Manager ends a secret's ARN with six random characters.
                format!(
                    "arn:aws:secretsmanager:{region}:{account}:secret:{}-AbCdEf",
                    resolved["Name"].as_str().unwrap()
                ),
                Kind::Secret,
            ),
            "AWS::Events::Rule" => self.own(
                env,
                format!(
                    "arn:aws:events:{region}:{account}:rule/{}",
                    place.reference(id)
                ),
                Kind::Rule,
            ),
            other => {
                assert!(
                    !other.starts_with("AWS::IAM::"),
                    "the evaluator does not read {other} ({id})"
                );
            }
        }
    }

    fn role(&self, arn: &str) -> &Role {
        self.roles.iter().find(|r| r.arn == arn).unwrap()
    }

    fn managed(&self, arn: &str) -> Vec<Statement> {
        match self.policies.get(arn) {
            Some(statements) => statements.clone(),
            None => aws_managed(arn),
        }
    }

    /// What `role` may do by its own policies, whatever boundary it has: all
    /// of it when its policies may be rewritten.
    fn identity(&self, role: &Role) -> Option<Vec<Statement>> {
        if self.rewritable.contains(&role.arn) {
            return None;
        }
        let mut statements = role.inline.clone();
        for arn in &role.managed {
            statements.extend(self.managed(arn));
        }
        Some(statements)
    }

    /// The boundaries `role` may have: its own, and any another role may give it.
    fn boundaries(&self, role: &Role) -> BTreeSet<Option<String>> {
        let mut all = BTreeSet::from([role.boundary.clone()]);
        if let Some(more) = self.possible_boundaries.get(&role.arn) {
            all.extend(more.iter().cloned());
        }
        all
    }

    fn key_aliases(&self, resource: &str) -> &[String] {
        self.aliases.get(resource).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether `role`'s own policies, within one of the boundaries it may
    /// have, allow `action` on `resource`.
    fn identity_allows(&self, role: &Role, action: &str, resource: &str) -> bool {
        let aliases = self.key_aliases(resource);
        let allowed_by = |statements: &[Statement]| {
            statements
                .iter()
                .any(|s| s.allows(&role.arn, action, resource, aliases))
        };
        let by_identity = self.identity(role).is_none_or(|s| allowed_by(&s));
        by_identity
            && self.boundaries(role).iter().any(|b| match b {
                None => true,
                Some(arn) => allowed_by(&self.managed(arn)),
            })
    }

    fn resource_account(&self, resource: &str) -> String {
        match resource.strip_prefix("arn:aws:s3:::") {
            Some(rest) => {
                let bucket = rest.split('/').next().unwrap();
                self.bucket_accounts
                    .get(bucket)
                    .cloned()
                    .unwrap_or_default()
            }
            None => arn_account(resource).into(),
        }
    }

    /// Whether `role` may do `action` on `resource` (of `kind`).
    fn allows(&self, role: &Role, action: &str, resource: &str, kind: Kind) -> bool {
        let aliases = self.key_aliases(resource);
        let (mut direct, mut through_root) = (false, false);
        for s in self.resource_policies.get(resource).into_iter().flatten() {
            // A trust policy's only action is assuming the role.
            if kind == Kind::Role && !action_matches("sts:AssumeRole", action) {
                continue;
            }
            if s.allows(&role.arn, action, resource, aliases) {
                let (d, r) = s.names(&role.arn);
                direct |= d;
                through_root |= r;
            }
        }
        let identity = || self.identity_allows(role, action, resource);
        if arn_account(&role.arn) != self.resource_account(resource) {
            (direct || through_root) && identity()
        } else if kind.resource_policy_required(action) {
            direct || (through_root && identity())
        } else {
            direct || identity()
        }
    }

    /// Finds, until nothing changes, the roles whose policies may be
    /// rewritten and the boundaries roles may be given.
    fn settle(&mut self) {
        loop {
            let mut rewritable = BTreeSet::new();
            let mut possible: BTreeMap<String, BTreeSet<Option<String>>> = BTreeMap::new();
            for target in &self.roles {
                for actor in &self.roles {
                    let may = |action: &str| self.allows(actor, action, &target.arn, Kind::Role);
                    if may("iam:PutRolePolicy") || may("iam:AttachRolePolicy") {
                        rewritable.insert(target.arn.clone());
                    }
                    if may("iam:DeleteRolePermissionsBoundary") {
                        possible.entry(target.arn.clone()).or_default().insert(None);
                    }
                    for action in ["iam:CreateRole", "iam:PutRolePermissionsBoundary"] {
                        if !may(action) {
                            continue;
                        }
                        // The boundaries the allowing statements demand: those
                        // of the actor's own policies, or its boundary's when
                        // its policies may be rewritten.
                        let statements = match self.identity(actor) {
                            Some(statements) => statements,
                            None => match &actor.boundary {
                                Some(b) => self.managed(b),
                                None => Vec::new(),
                            },
                        };
                        let demanded: Vec<Option<String>> = statements
                            .iter()
                            .filter(|s| s.allows(&actor.arn, action, &target.arn, &[]))
                            .map(|s| s.boundary.clone())
                            .collect();
                        let entry = possible.entry(target.arn.clone()).or_default();
                        if demanded.is_empty() {
                            entry.insert(None);
                        }
                        entry.extend(demanded);
                    }
                }
            }
            if rewritable == self.rewritable && possible == self.possible_boundaries {
                return;
            }
            self.rewritable = rewritable;
            self.possible_boundaries = possible;
        }
    }

    /// Every way a role of one environment may take over something of another.
    fn escapes(&self) -> Vec<String> {
        let mut found = Vec::new();
        for role in &self.roles {
            for owned in self.owned.iter().filter(|o| o.env != role.env) {
                for action in owned.kind.takeovers() {
                    if self.allows(role, action, &owned.arn, owned.kind) {
                        found.push(format!(
                            "{}'s {} may {action} on {}'s {}",
                            role.env, role.arn, owned.env, owned.arn
                        ));
                    }
                }
            }
        }
        found
    }
}

// ---------------------------------------------------------------------------
// The lakes

fn templates(output: &Output) -> BTreeMap<String, Value> {
    output
        .files
        .iter()
        .filter(|f| f.path.ends_with(".template.json"))
        .map(|f| (f.path.clone(), serde_json::from_str(&f.contents).unwrap()))
        .collect()
}

/// The seed with four more environments, each with a branch and an account
/// of its own.
fn many_environments() -> Lake {
    let mut lake = fixtures::seed();
    let test = lake.environments["Test"].clone();
    for (i, name) in ["Stage", "Qa", "Perf", "Demo"].into_iter().enumerate() {
        let mut env = test.clone();
        env.name = name.into();
        env.account = format!("55555555555{i}");
        env.branch = Some(name.to_lowercase());
        env.network.cidr = format!("10.{}.0.0/24", 30 + i).parse().unwrap();
        lake.environments.insert(name.into(), env);
    }
    lake
}

/// Every lake the test looks at, with the example its spans belong to.
fn lakes() -> Vec<(&'static str, &'static str, Lake)> {
    vec![
        ("seed", "seed", fixtures::seed()),
        (
            "last-mile-health",
            "last-mile-health",
            fixtures::last_mile_health(),
        ),
        ("seed-token", "seed", common::seed_with_token()),
        ("seed-codecommit", "seed", common::seed_with_codecommit()),
        (
            "seed-prod-elsewhere",
            "seed",
            common::seed_with_prod_elsewhere(),
        ),
        ("seven-environments", "seed", many_environments()),
    ]
}

fn world(example: &'static str, lake: &Lake) -> (Output, World) {
    let output = common::compile(example, lake);
    let world = World::new(lake, &output, &templates(&output));
    (output, world)
}

// ---------------------------------------------------------------------------
// Tests

#[test]
fn no_pipeline_can_reach_another_environments_pipeline_stacks_roles_keys_or_buckets() {
    for (name, example, lake) in lakes() {
        let (_, world) = world(example, &lake);
        let escapes = world.escapes();
        assert!(
            escapes.is_empty(),
            "{name}: {} escapes, the first:\n{}",
            escapes.len(),
            escapes[..escapes.len().min(20)].join("\n")
        );
    }
}

#[test]
fn the_evaluator_sees_what_a_pipeline_may_do() {
    let (_, world) = world("seed", &fixtures::seed());
    let role = |name: &str| world.role(&format!("arn:aws:iam::111111111111:role/{name}"));
    let pipeline = role("dev-cdkblog-e2e-pipeline");
    let update = role("dev-cdkblog-e2e-update-pipeline");
    // A push to `main` may rewrite the Dev pipeline's roles...
    assert!(world.rewritable.contains(&pipeline.arn));
    assert!(!world.rewritable.contains(&update.arn));
    // ...which may then do what the Dev boundary allows, and no more.
    let stack = "arn:aws:cloudformation:us-east-2:111111111111:stack/DevDataLakeCDKBlogPipeline/id";
    assert!(world.allows(pipeline, "cloudformation:UpdateStack", stack, Kind::Stack));
    let deploy = "arn:aws:iam::222222222222:role/dev-cdkblog-e2e-deploy";
    assert!(world.allows(pipeline, "sts:AssumeRole", deploy, Kind::Role));
    let prod_deploy = "arn:aws:iam::444444444444:role/prod-cdkblog-e2e-deploy";
    assert!(!world.allows(pipeline, "sts:AssumeRole", prod_deploy, Kind::Role));
    let key = "arn:aws:kms:us-east-2:111111111111:key/DevDataLakeCDKBlogPipeline-ArtifactKey";
    assert!(world.allows(pipeline, "kms:Decrypt", key, Kind::Key));
    assert!(world.allows(
        role("dev-cdkblog-e2e-pipeline-build"),
        "kms:GenerateDataKey",
        key,
        Kind::Key
    ));
    assert!(!world.allows(
        role("test-cdkblog-e2e-pipeline"),
        "kms:Decrypt",
        key,
        Kind::Key
    ));
    // The Dev deploy role, in Dev's account, reads Dev's artifacts only.
    let dev_deploy = world.role(deploy);
    assert!(world.allows(dev_deploy, "kms:Decrypt", key, Kind::Key));
    let objects = "arn:aws:s3:::dev-cdkblog-e2e-111111111111-us-east-2-pipeline/an-artifact";
    assert!(world.allows(dev_deploy, "s3:GetObject", objects, Kind::Objects));
    assert!(!world.allows(
        world.role(prod_deploy),
        "s3:GetObject",
        objects,
        Kind::Objects
    ));
}

#[test]
fn wildcards_follow_iam() {
    assert!(action_matches("s3:Get*", "s3:getobject"));
    assert!(action_matches("kms:ReEncrypt*", "kms:ReEncryptFrom"));
    assert!(!action_matches("s3:Get*", "s3:PutObject"));
    assert!(arn_matches(
        "arn:aws:s3:::b-??????",
        "arn:aws:s3:::b-abc123"
    ));
    assert!(!arn_matches(
        "arn:aws:s3:::b-??????",
        "arn:aws:s3:::b-abc12"
    ));
    assert!(!arn_matches(
        "arn:aws:iam::1:role/Dev",
        "arn:aws:iam::1:role/dev"
    ));
    assert!(arn_matches("*", ""));
}

/// The seed's templates, with `edit` applied to the deployment bootstrap.
fn widened(edit: impl Fn(&mut Value)) -> Vec<String> {
    let lake = fixtures::seed();
    let output = common::compile("seed", &lake);
    let mut templates = templates(&output);
    edit(
        templates
            .get_mut("bootstrap/DataLake.template.json")
            .unwrap(),
    );
    World::new(&lake, &output, &templates).escapes()
}

#[test]
fn a_boundary_widened_to_every_resource_lets_main_take_over_prod() {
    let escapes = widened(|bootstrap| {
        let boundary = &mut bootstrap["Resources"]["DevPipelineBoundary"]["Properties"];
        for statement in boundary["PolicyDocument"]["Statement"]
            .as_array_mut()
            .unwrap()
        {
            statement["Resource"] = json!("*");
        }
    });
    let takeover = "arn:aws:iam::111111111111:role/dev-cdkblog-e2e-pipeline may cloudformation:UpdateStack on Prod's arn:aws:cloudformation:us-east-2:111111111111:stack/ProdDataLakeCDKBlogPipeline/id";
    assert!(
        escapes.iter().any(|e| e.ends_with(takeover)),
        "{escapes:#?}"
    );
    let pass = "may iam:PassRole on Prod's arn:aws:iam::111111111111:role/prod-cdkblog-e2e-update-pipeline";
    assert!(escapes.iter().any(|e| e.ends_with(pass)), "{escapes:#?}");
}

#[test]
fn an_update_role_that_may_write_any_role_lets_main_take_over_prod() {
    let escapes = widened(|bootstrap| {
        let role = &mut bootstrap["Resources"]["DevUpdatePipelineRole"]["Properties"];
        let statements = role["Policies"][0]["PolicyDocument"]["Statement"]
            .as_array_mut()
            .unwrap();
        statements.push(json!({
            "Effect": "Allow",
            "Action": ["iam:PutRolePolicy"],
            "Resource": { "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*" },
        }));
    });
    let rewrite =
        "may iam:PutRolePolicy on Prod's arn:aws:iam::111111111111:role/prod-cdkblog-e2e-pipeline";
    assert!(escapes.iter().any(|e| e.ends_with(rewrite)), "{escapes:#?}");
}

#[test]
fn one_boundary_for_every_pipeline_lets_main_take_over_prod() {
    // The audit's finding: one boundary listing every pipeline's stacks and
    // update roles.
    let escapes = widened(|bootstrap| {
        let resources = bootstrap["Resources"].as_object_mut().unwrap();
        let prod =
            resources["ProdPipelineBoundary"]["Properties"]["PolicyDocument"]["Statement"].clone();
        let dev = resources["DevPipelineBoundary"]["Properties"]["PolicyDocument"]["Statement"]
            .as_array_mut()
            .unwrap();
        dev.extend(prod.as_array().unwrap().iter().cloned());
    });
    let takeover = "dev-cdkblog-e2e-pipeline may cloudformation:UpdateStack on Prod's arn:aws:cloudformation:us-east-2:111111111111:stack/ProdDataLakeCDKBlogPipeline/id";
    assert!(
        escapes.iter().any(|e| e.ends_with(takeover)),
        "{escapes:#?}"
    );
}
