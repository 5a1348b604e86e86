//! What CloudFormation makes of a template's intrinsic functions (`Ref`,
//! `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::ImportValue`), from the
//! template's own resources and where it is deployed: a `Ref` is a resource's
//! name, a role's `Arn` its ARN. What only AWS knows (a KMS key's random ID,
//! a stack parameter's value, a secret) resolves as the [`Mode`] says.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use dlc::codegen::pipeline::REGIONAL_KEY_PARAMETER;
use dlc::codegen::pipeline_declaration::Placeholder;

/// How the values that only AWS knows resolve.
pub enum Mode<'a> {
    /// As deployed: a key's ID is a stand-in, `<stack>-<logical id>`; a
    /// parameter is the value the stack was deployed with.
    Deployed {
        parameters: &'a BTreeMap<String, String>,
    },
    /// As the pipeline's declaration writes them: the artifact key's ARN, the
    /// regional key's parameter and the GitHub token are its placeholders.
    Declaration,
}

/// One template with where it is deployed.
pub struct Resolver<'a> {
    pub template: &'a Value,
    pub stack: &'a str,
    pub account: &'a str,
    pub region: &'a str,
    pub mode: Mode<'a>,
}

impl Resolver<'_> {
    pub fn resource(&self, id: &str) -> &Value {
        let r = &self.template["Resources"][id];
        assert!(r.is_object(), "{}: no resource {id}", self.stack);
        r
    }

    pub fn stack_arn(&self) -> String {
        format!(
            "arn:aws:cloudformation:{}:{}:stack/{}/id",
            self.region, self.account, self.stack
        )
    }

    /// A key's ID is random: this stands for it.
    fn key_id(&self, id: &str) -> String {
        format!("{}-{id}", self.stack)
    }

    fn parameter(&self, name: &str) -> String {
        assert!(
            self.template["Parameters"][name].is_object(),
            "{}: no resource or parameter {name}",
            self.stack
        );
        match &self.mode {
            Mode::Deployed { parameters } => parameters
                .get(name)
                .unwrap_or_else(|| panic!("{}: no value for the parameter {name}", self.stack))
                .clone(),
            Mode::Declaration => {
                assert_eq!(name, REGIONAL_KEY_PARAMETER, "{}", self.stack);
                Placeholder::RegionalArtifactKeyArn.text().into()
            }
        }
    }

    pub fn reference(&self, id: &str) -> String {
        match id {
            "AWS::AccountId" => return self.account.into(),
            "AWS::Region" => return self.region.into(),
            "AWS::Partition" => return "aws".into(),
            "AWS::StackName" => return self.stack.into(),
            "AWS::StackId" => return self.stack_arn(),
            _ => {}
        }
        if !self.template["Resources"][id].is_object() {
            return self.parameter(id);
        }
        let r = self.resource(id);
        let props = &r["Properties"];
        let name = |field: &str| {
            props[field]
                .as_str()
                .unwrap_or_else(|| panic!("{}: {id} has no {field}", self.stack))
                .to_string()
        };
        match r["Type"].as_str().unwrap() {
            "AWS::IAM::Role" => name("RoleName"),
            "AWS::IAM::ManagedPolicy" => format!(
                "arn:aws:iam::{}:policy/{}",
                self.account,
                name("ManagedPolicyName")
            ),
            "AWS::S3::Bucket" => name("BucketName"),
            "AWS::KMS::Key" => self.key_id(id),
            "AWS::KMS::Alias" => name("AliasName"),
            _ => name("Name"),
        }
    }

    pub fn attribute(&self, id: &str, attribute: &str) -> String {
        let (account, region) = (self.account, self.region);
        let kind = self.resource(id)["Type"].as_str().unwrap();
        match (kind, attribute) {
            ("AWS::IAM::Role", "Arn") => {
                format!("arn:aws:iam::{account}:role/{}", self.reference(id))
            }
            ("AWS::S3::Bucket", "Arn") => format!("arn:aws:s3:::{}", self.reference(id)),
            ("AWS::KMS::Key", "Arn") => match self.mode {
                Mode::Deployed { .. } => {
                    format!("arn:aws:kms:{region}:{account}:key/{}", self.key_id(id))
                }
                Mode::Declaration => Placeholder::ArtifactKeyArn.text().into(),
            },
            ("AWS::CodeBuild::Project", "Arn") => format!(
                "arn:aws:codebuild:{region}:{account}:project/{}",
                self.reference(id)
            ),
            _ => format!("{id}.{attribute}"),
        }
    }

    fn sub(&self, text: &str, variables: &Value) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let end = start + rest[start..].find('}').expect("a closed ${...}");
            let name = &rest[start + 2..end];
            out.push_str(&if let Some(v) = variables.get(name) {
                self.resolve(v).as_str().unwrap().to_string()
            } else {
                match name.split_once('.') {
                    Some((id, attribute)) if !name.starts_with("AWS::") => {
                        self.attribute(id, attribute)
                    }
                    _ => self.reference(name),
                }
            });
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }

    /// The value with every intrinsic function replaced by what it stands for.
    pub fn resolve(&self, value: &Value) -> Value {
        match value {
            Value::Object(map) if map.len() == 1 => {
                let (function, argument) = map.iter().next().unwrap();
                match function.as_str() {
                    "Ref" => json!(self.reference(argument.as_str().unwrap())),
                    "Fn::GetAtt" => json!(self
                        .attribute(argument[0].as_str().unwrap(), argument[1].as_str().unwrap())),
                    "Fn::Sub" => match argument {
                        Value::String(text) => json!(self.sub(text, &json!({}))),
                        _ => json!(self.sub(argument[0].as_str().unwrap(), &argument[1])),
                    },
                    "Fn::Join" => {
                        let parts: Vec<String> = self
                            .resolve(&argument[1])
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|p| p.as_str().unwrap().to_string())
                            .collect();
                        json!(parts.join(argument[0].as_str().unwrap()))
                    }
                    "Fn::ImportValue" => json!(format!(
                        "import:{}",
                        self.resolve(argument).as_str().unwrap()
                    )),
                    _ => Value::Object(
                        map.iter()
                            .map(|(k, v)| (k.clone(), self.resolve(v)))
                            .collect(),
                    ),
                }
            }
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.resolve(v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.resolve(v)).collect()),
            Value::String(s)
                if s.starts_with("{{resolve:secretsmanager:")
                    && matches!(self.mode, Mode::Declaration) =>
            {
                json!(Placeholder::GitHubToken.text())
            }
            other => other.clone(),
        }
    }
}
