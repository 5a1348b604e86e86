//! A CloudFormation template under construction, and the intrinsic functions
//! codegen writes (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::ImportValue`) plus tags.
//!
//! Resources and outputs keep the order they were added in, and every
//! resource remembers the lake span it came from, for the manifest.

use super::json::{ByteCount, Out, Pretty};
use super::value::{json, Object, Text, Value};
use super::Error;
use crate::concat::concat_string;
use crate::hashing::NameMap;
use crate::source::Span;

/// `DeletionPolicy` / `UpdateReplacePolicy` of a stateful resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    Retain,
    Delete,
}

impl Policy {
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Retain => "Retain",
            Policy::Delete => "Delete",
        }
    }
}

/// One resource of a template.
#[derive(Clone, Debug)]
pub struct Resource {
    pub kind: &'static str,
    pub properties: Object,
    pub depends_on: Vec<String>,
    /// Both `DeletionPolicy` and `UpdateReplacePolicy`, when set.
    pub policy: Option<Policy>,
    pub metadata: Option<Value>,
    /// Where in the lake file the resource comes from.
    pub span: Span,
    /// Spans of single properties that come from one value in the lake file
    /// (`CidrBlock` from `cidr = ...`), in the order they were added.
    pub property_spans: Vec<(String, Span)>,
}

impl Resource {
    /// A resource of `kind` with `properties` (a JSON object).
    #[allow(
        clippy::panic,
        reason = "codegen writes properties as `json!({ ... })`; any other value is a bug every codegen test meets"
    )]
    pub fn new(kind: &'static str, span: Span, properties: Value) -> Resource {
        let properties = match properties {
            Value::Object(map) => map,
            other => panic!("resource properties must be an object, got {other:?}"),
        };
        Resource {
            kind,
            properties,
            depends_on: Vec::new(),
            policy: None,
            metadata: None,
            span,
            property_spans: Vec::new(),
        }
    }

    pub fn depends_on(mut self, logical_id: impl Into<String>) -> Resource {
        self.depends_on.push(logical_id.into());
        self
    }

    pub fn policy(mut self, policy: Policy) -> Resource {
        self.policy = Some(policy);
        self
    }

    /// Adds one property. Properties keep the order they were set in.
    pub fn prop(mut self, name: &'static str, value: Value) -> Resource {
        self.properties.insert(name, value);
        self
    }

    pub fn property_span(mut self, property: &str, span: Span) -> Resource {
        self.property_spans.push((property.to_string(), span));
        self
    }

    /// Silences cfn-lint rules for this resource only, with the reason why.
    pub fn ignore_lint(mut self, rules: &[&str], reason: &str) -> Resource {
        let metadata = self.metadata.get_or_insert_with(|| json!({}));
        metadata["cfn-lint"] = json!({ "config": { "ignore_checks": rules } });
        metadata["dlc"] = json!({ "lint-ignore-reason": reason });
        self
    }

    /// Skips one checkov check for this resource only, with the reason why
    /// (checkov reads `Metadata.checkov.skip`).
    pub fn skip_checkov(mut self, check: &str, reason: &str) -> Resource {
        let metadata = self.metadata.get_or_insert_with(|| json!({}));
        metadata["checkov"] = json!({ "skip": [{ "id": check, "comment": reason }] });
        self
    }

    /// The resource as [`Template::render`] writes it: `Type`, `Metadata`,
    /// `DependsOn`, the two policies, `Properties`.
    fn write<O: Out>(&self, w: &mut Pretty<O>) {
        let outer = w.open('{');
        w.key("Type");
        w.string(self.kind);
        if let Some(metadata) = &self.metadata {
            w.key("Metadata");
            w.value(metadata);
        }
        if !self.depends_on.is_empty() {
            w.key("DependsOn");
            let list = w.open('[');
            for id in &self.depends_on {
                w.item();
                w.string(id);
            }
            w.close(']', list);
        }
        if let Some(policy) = self.policy {
            w.key("DeletionPolicy");
            w.string(policy.as_str());
            w.key("UpdateReplacePolicy");
            w.string(policy.as_str());
        }
        w.key("Properties");
        let properties = w.open('{');
        for (name, value) in self.properties.iter() {
            w.key(name);
            w.value(value);
        }
        w.close('}', properties);
        w.close('}', outer);
    }
}

/// An output of a template, exported under a name other stacks import, or
/// (`export` `None`) read by a person or a script.
#[derive(Clone, Debug)]
pub struct Output {
    pub description: String,
    pub value: Value,
    pub export: Option<String>,
}

/// A `String` parameter of a template, its value held to `allowed_pattern`.
#[derive(Clone, Debug)]
pub struct Parameter {
    pub description: String,
    pub allowed_pattern: String,
    /// What CloudFormation says when a value does not match.
    pub constraint_description: String,
}

/// A template's resources, outputs or parameters by logical ID, in the
/// order they were added: short names codegen makes, hashed as the
/// compiler's other names are ([`crate::hashing`]).
pub type IdMap<V> = NameMap<String, V>;

/// A template being built.
#[derive(Clone, Debug, Default)]
pub struct Template {
    pub description: String,
    pub parameters: IdMap<Parameter>,
    pub resources: IdMap<Resource>,
    pub outputs: IdMap<Output>,
    /// Exports of other stacks this template imports, in first-use order.
    pub imports: Vec<String>,
}

impl Template {
    pub fn new(description: impl Into<String>) -> Template {
        Template {
            description: description.into(),
            parameters: IdMap::default(),
            resources: IdMap::default(),
            outputs: IdMap::default(),
            imports: Vec::new(),
        }
    }

    /// Adds a resource. A logical ID used twice is a bug in dlc: the IDs
    /// made from names the user writes are proven distinct by the checks
    /// (DL0313 for zones and pipelines, DL0314 for endpoints).
    pub fn add(&mut self, logical_id: impl Into<String>, resource: Resource) -> Result<(), Error> {
        match self.resources.entry(logical_id.into()) {
            indexmap::map::Entry::Occupied(taken) => Err(Error::new(
                resource.span,
                concat_string!("two resources would get the logical ID `", taken.key(), "`"),
            )),
            indexmap::map::Entry::Vacant(free) => {
                free.insert(resource);
                Ok(())
            }
        }
    }

    /// Adds an exported output. An output or export name used twice is a
    /// bug in dlc, as for [`Template::add`] (zone exports follow zone IDs).
    pub fn output(
        &mut self,
        logical_id: impl Into<String>,
        description: impl Into<String>,
        value: Value,
        export: impl Into<String>,
        span: Span,
    ) -> Result<(), Error> {
        let logical_id = logical_id.into();
        let export = export.into();
        if self.outputs.contains_key(&logical_id)
            || self
                .outputs
                .values()
                .any(|o| o.export.as_ref() == Some(&export))
        {
            return Err(Error::new(
                span,
                concat_string!(
                    "two outputs would get the name `",
                    logical_id,
                    "` or export `",
                    export,
                    "`"
                ),
            ));
        }
        self.outputs.insert(
            logical_id,
            Output {
                description: description.into(),
                value,
                export: Some(export),
            },
        );
        Ok(())
    }

    /// Adds an output that is not exported: a value for whoever deploys the
    /// next stack (another region's stack cannot import it).
    pub fn unexported_output(
        &mut self,
        logical_id: impl Into<String>,
        description: impl Into<String>,
        value: Value,
        span: Span,
    ) -> Result<(), Error> {
        let logical_id = logical_id.into();
        if self.outputs.contains_key(&logical_id) {
            return Err(Error::new(
                span,
                concat_string!("two outputs would get the name `", logical_id, "`"),
            ));
        }
        let description = description.into();
        self.outputs.insert(
            logical_id,
            Output {
                description,
                value,
                export: None,
            },
        );
        Ok(())
    }

    /// Adds a parameter. A name used twice is a bug in dlc.
    pub fn parameter(
        &mut self,
        logical_id: &str,
        parameter: Parameter,
        span: Span,
    ) -> Result<(), Error> {
        if self
            .parameters
            .insert(logical_id.to_string(), parameter)
            .is_some()
        {
            return Err(Error::new(
                span,
                concat_string!("two parameters would get the name `", logical_id, "`"),
            ));
        }
        Ok(())
    }

    /// `Fn::ImportValue` of another stack's export, remembered for the manifest.
    pub fn import(&mut self, export: &str) -> Value {
        if !self.imports.iter().any(|i| i == export) {
            self.imports.push(export.to_string());
        }
        json!({ "Fn::ImportValue": export })
    }

    /// The template as a JSON value: its rendered text, read back.
    #[allow(
        clippy::expect_used,
        reason = "the text is what `render` wrote from JSON"
    )]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::from_str(&self.render()).expect("a rendered template is JSON")
    }

    /// Pretty JSON with a trailing newline, written directly from borrowed
    /// data (see [`super::json`]): rendering clones no property tree.
    pub fn render(&self) -> String {
        self.write(Pretty::with_capacity(32 * 1024))
    }

    /// The length in bytes of [`Template::render`]'s text, counted without
    /// building it.
    pub fn rendered_len(&self) -> usize {
        self.write(Pretty::writing_to(ByteCount::default())).0
    }

    fn write<O: Out>(&self, mut w: Pretty<O>) -> O {
        let top = w.open('{');
        w.key("AWSTemplateFormatVersion");
        w.string("2010-09-09");
        w.key("Description");
        w.string(&self.description);
        if !self.parameters.is_empty() {
            w.key("Parameters");
            let parameters = w.open('{');
            for (id, parameter) in &self.parameters {
                w.key(id);
                let entry = w.open('{');
                w.key("Type");
                w.string("String");
                w.key("Description");
                w.string(&parameter.description);
                w.key("AllowedPattern");
                w.string(&parameter.allowed_pattern);
                w.key("ConstraintDescription");
                w.string(&parameter.constraint_description);
                w.close('}', entry);
            }
            w.close('}', parameters);
        }
        w.key("Resources");
        let resources = w.open('{');
        for (id, resource) in &self.resources {
            w.key(id);
            resource.write(&mut w);
        }
        w.close('}', resources);
        if !self.outputs.is_empty() {
            w.key("Outputs");
            let outputs = w.open('{');
            for (id, output) in &self.outputs {
                w.key(id);
                let entry = w.open('{');
                w.key("Description");
                w.string(&output.description);
                w.key("Value");
                w.value(&output.value);
                if let Some(name) = &output.export {
                    w.key("Export");
                    let export = w.open('{');
                    w.key("Name");
                    w.string(name);
                    w.close('}', export);
                }
                w.close('}', entry);
            }
            w.close('}', outputs);
        }
        w.close('}', top);
        w.finish()
    }
}

/// `{"Ref": id}`: a literal ID is borrowed, a `String` moved.
pub fn ref_(logical_id: impl Into<Text>) -> Value {
    json!({ "Ref": logical_id.into() })
}

/// `{"Fn::GetAtt": [id, attribute]}`
pub fn get_att(logical_id: impl Into<Text>, attribute: &'static str) -> Value {
    json!({ "Fn::GetAtt": [logical_id.into(), Value::literal(attribute)] })
}

/// `{"Fn::Sub": text}`
pub fn sub(text: impl Into<Text>) -> Value {
    json!({ "Fn::Sub": text.into() })
}

/// The root principal of an account: `arn:${AWS::Partition}:iam::<account>:root`.
pub fn account_root(account: &str) -> Value {
    sub(concat_string!(
        "arn:${AWS::Partition}:iam::",
        account,
        ":root"
    ))
}

/// A `Tags` list from key/value pairs, in order; built once, to be written
/// on many resources ([`Value::shared`]).
pub fn tags<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Value {
    Value::shared(Value::Array(
        pairs.into_iter().map(|(k, v)| tag(k, v)).collect(),
    ))
}

/// One tag of a `Tags` list.
pub fn tag(key: impl Into<Value>, value: impl Into<Value>) -> Value {
    json!({ "Key": key.into(), "Value": value.into() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn span() -> Span {
        Span::new(FileId(0), 0, 0)
    }

    #[test]
    fn resource_keys_come_in_a_fixed_order() {
        let mut t = Template::new("d");
        t.add(
            "Bucket",
            Resource::new("AWS::S3::Bucket", span(), json!({ "BucketName": "b" }))
                .depends_on("Other")
                .policy(Policy::Retain),
        )
        .unwrap();
        let text = t.render();
        assert!(text.ends_with("}\n"));
        let order: Vec<_> = t.to_json()["Resources"]["Bucket"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(
            order,
            [
                "Type",
                "DependsOn",
                "DeletionPolicy",
                "UpdateReplacePolicy",
                "Properties"
            ]
        );
    }

    #[test]
    fn a_logical_id_used_twice_is_an_error() {
        let mut t = Template::new("d");
        let r = Resource::new("AWS::SNS::Topic", span(), json!({}));
        t.add("Topic", r.clone()).unwrap();
        assert!(t.add("Topic", r).is_err());
    }

    #[test]
    fn imports_are_remembered_once() {
        let mut t = Template::new("d");
        assert_eq!(
            t.import("DevVpcId"),
            json!({ "Fn::ImportValue": "DevVpcId" })
        );
        t.import("DevVpcId");
        assert_eq!(t.imports, ["DevVpcId"]);
    }
}
