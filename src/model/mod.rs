//! The checked model: a fully evaluated lake that codegen consumes. Defaults
//! are applied, references resolved and `extends` merged; environments keep
//! their source order. Every part keeps the span it came from, so a later
//! tool can point a finding in a template back at the lake file.
//!
//! Codegen reads only this model: it never sees syntax or raw values.

mod build;
pub mod fields;
pub mod naming;
pub mod physical;

pub use build::{build_model, build_partial_model, ModelError};
pub use fields::{
    AuditTableField, BuildField, EnvField, FieldKey, KeyAttributeField, LakeField, LifecycleField,
    NetworkField, RegionInfoField, ReservedRangeField, SourceField, TransitionField,
    WarehouseField, ZoneField,
};

use indexmap::IndexMap;
use ipnet::Ipv4Net;

use crate::literals::Duration;
use crate::source::Span;

/// Where a field's value comes from: what a diagnostic about it points at.
#[derive(Clone, Debug, PartialEq)]
pub enum Provenance {
    /// Written in the record that holds it; `at` is the value.
    Written { at: Span },
    /// Inherited through `extends`; boxed, since every field of every
    /// record has a provenance and few are inherited (a provenance is 32
    /// bytes, not 56).
    Inherited(Box<InheritedValue>),
    /// Left out, and filled in from the default declared at `default` (in
    /// the stdlib); `at` is the record that left it out.
    Defaulted { at: Span, default: Span },
}

/// A value inherited through `extends`: `at` is the value, written in the
/// environment `from`; `extends` is the heir's own `extends` clause (the name
/// after `extends`), where a diagnostic about the heir points.
#[derive(Clone, Debug, PartialEq)]
pub struct InheritedValue {
    pub at: Span,
    pub from: String,
    pub extends: Span,
}

impl Provenance {
    /// The value, or for a default the record that left it out.
    pub fn span(&self) -> Span {
        match self {
            Provenance::Written { at } | Provenance::Defaulted { at, .. } => *at,
            Provenance::Inherited(inherited) => inherited.at,
        }
    }
}

/// The provenance of each field of one record, so checks can point at the
/// exact value, or at the environment that inherits it. Keyed by the record's
/// field enum ([`fields`]), so a check cannot ask about a field that is not there.
///
/// A list, not a map: a record has a dozen fields at most, and a large lake
/// holds one of these for every record of every environment.
#[derive(Clone, Debug)]
pub struct FieldSpans<F: FieldKey>(Vec<(F, Provenance)>);

impl<F: FieldKey> Default for FieldSpans<F> {
    fn default() -> Self {
        FieldSpans(Vec::new())
    }
}

/// Equal when they give the same fields the same provenance, in any order
/// (as the map they were).
impl<F: FieldKey> PartialEq for FieldSpans<F> {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .all(|(field, provenance)| other.provenance(*field) == Some(provenance))
    }
}

impl<F: FieldKey> FieldSpans<F> {
    pub fn insert(&mut self, field: F, provenance: Provenance) {
        match self.0.iter_mut().find(|(f, _)| *f == field) {
            Some((_, slot)) => *slot = provenance,
            None => self.0.push((field, provenance)),
        }
    }

    /// The field's span, or `fallback` when it has none (an unset optional).
    pub fn get_or(&self, field: F, fallback: Span) -> Span {
        self.provenance(field).map_or(fallback, Provenance::span)
    }

    /// True when the lake gave the field a value, here or in an environment
    /// this one extends; false when it was defaulted or left unset.
    pub fn is_given(&self, field: F) -> bool {
        matches!(
            self.provenance(field),
            Some(Provenance::Written { .. } | Provenance::Inherited(_))
        )
    }

    /// Where the field's value comes from; `None` for an unset optional.
    pub fn provenance(&self, field: F) -> Option<&Provenance> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, provenance)| provenance)
    }
}

/// Where each tag's key and value were written, by key, so that a check can
/// point at the one that breaks a rule, or at the environment that inherits it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TagSpans(IndexMap<String, (TagSpan, Provenance)>);

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TagSpan {
    pub key: Span,
    pub value: Span,
}

impl TagSpans {
    pub fn insert(&mut self, key: &str, span: TagSpan, provenance: Provenance) {
        self.0.insert(key.to_string(), (span, provenance));
    }

    /// The spans of the tag `key`, or `fallback` for both when it has none.
    pub fn get_or(&self, key: &str, fallback: Span) -> TagSpan {
        self.0.get(key).map_or(
            TagSpan {
                key: fallback,
                value: fallback,
            },
            |(span, _)| *span,
        )
    }

    /// Where the tag `key` comes from (its value's provenance).
    pub fn provenance(&self, key: &str) -> Option<&Provenance> {
        self.0.get(key).map(|(_, provenance)| provenance)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Lake {
    /// The name after `lake`.
    pub name: String,
    pub logical_id_prefix: String,
    pub resource_prefix: String,
    pub deployment_account: String,
    pub deployment_region: Region,
    pub source: Source,
    /// Tag keys as written (without the resource prefix), in source order.
    pub tags: IndexMap<String, String>,
    pub tag_spans: TagSpans,
    /// The range every network of the lake is allocated from, if declared.
    pub address_pool: Option<Ipv4Net>,
    /// Ranges used outside the lake (on-premises, partners) that no VPC may overlap.
    pub reserved: Vec<ReservedRange>,
    /// How each pipeline's build step finds the lake file, and dlc if it needs one.
    pub build: Build,
    /// In source order.
    pub environments: IndexMap<String, Environment>,
    pub span: Span,
    pub field_spans: FieldSpans<LakeField>,
    /// In a partial model (see [`build_partial_model`]): the VPC ranges of
    /// the environments left out, where they could be read, so that a
    /// suggested free range avoids them too. Empty otherwise.
    pub left_out_networks: Vec<ipnet::Ipv4Net>,
}

impl Lake {
    /// The environments with a branch, which get a pipeline, in source order.
    pub fn pipelined(&self) -> Vec<&Environment> {
        self.environments
            .values()
            .filter(|e| e.branch.is_some())
            .collect()
    }
}

/// The build step of every pipeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Build {
    /// The lake file's path from the repository's root.
    pub lake_file: String,
    /// Shell commands that put `dlc` on the build's PATH; none: the build
    /// deploys the committed output without dlc.
    pub install: Option<String>,
    pub span: Span,
    pub field_spans: FieldSpans<BuildField>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ReservedRange {
    pub name: String,
    pub cidr: Ipv4Net,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    pub name: String,
    pub availability_zones: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// GitHub, with an OAuth token kept in Secrets Manager (only its name is known).
    GitHub {
        repository: String,
        token_secret: String,
        span: Span,
        field_spans: FieldSpans<SourceField>,
    },
    /// GitHub through a CodeStar / CodeConnections connection.
    GitHubConnection {
        repository: String,
        connection: String,
        span: Span,
        field_spans: FieldSpans<SourceField>,
    },
    CodeCommit {
        repository: String,
        span: Span,
        field_spans: FieldSpans<SourceField>,
    },
}

impl Source {
    /// `owner/name` for GitHub, the repository's name for CodeCommit.
    pub fn repository(&self) -> &str {
        match self {
            Source::GitHub { repository, .. }
            | Source::GitHubConnection { repository, .. }
            | Source::CodeCommit { repository, .. } => repository,
        }
    }

    /// The span of the source record.
    pub fn span(&self) -> Span {
        match self {
            Source::GitHub { span, .. }
            | Source::GitHubConnection { span, .. }
            | Source::CodeCommit { span, .. } => *span,
        }
    }

    /// The span of one field of the source record (the record's, when unset).
    pub fn field_span(&self, field: SourceField) -> Span {
        match self {
            Source::GitHub {
                span, field_spans, ..
            }
            | Source::GitHubConnection {
                span, field_spans, ..
            }
            | Source::CodeCommit {
                span, field_spans, ..
            } => field_spans.get_or(field, *span),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Environment {
    /// The name after `env`: `Dev`.
    pub name: String,
    pub account: String,
    pub region: Region,
    pub network: Network,
    pub branch: Option<String>,
    pub approval: bool,
    pub retention: Retention,
    pub zones: Vec<Zone>,
    pub audit_table: Option<AuditTable>,
    pub warehouse: Option<Warehouse>,
    /// The environment's own tags, in source order (the lake's are in [`Lake::tags`]).
    pub tags: IndexMap<String, String>,
    pub tag_spans: TagSpans,
    /// ARNs of the managed policies CloudFormation deploys the stacks with.
    pub execution_policies: Vec<String>,
    /// Where each of `execution_policies` was written, in the same order.
    pub execution_policy_spans: Vec<Span>,
    pub span: Span,
    pub field_spans: FieldSpans<EnvField>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retention {
    Destroy,
    Retain,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    pub cidr: Ipv4Net,
    /// How many availability zones the subnets span (the first N of the region's).
    pub availability_zones: u32,
    pub nat_gateways: NatGateways,
    /// Service names as in the stdlib: `s3`, `dynamodb`.
    pub gateway_endpoints: Vec<String>,
    /// Service names as in the stdlib: `glue`, `kms`, `ssm`, `secretsmanager`, `states`, ...
    pub interface_endpoints: Vec<String>,
    /// The span of the `cidr` value.
    pub cidr_span: Span,
    pub span: Span,
    pub field_spans: FieldSpans<NetworkField>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NatGateways {
    None,
    One,
    PerAz,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Zone {
    /// `raw`, `conformed`, `purpose-built`.
    pub name: String,
    /// The zone's own rules, or else the environment's.
    pub lifecycle: Option<Lifecycle>,
    pub span: Span,
    pub field_spans: FieldSpans<ZoneField>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Lifecycle {
    pub expire_after: Option<Duration>,
    pub noncurrent_expire_after: Option<Duration>,
    pub transitions: Vec<Transition>,
    pub span: Span,
    pub field_spans: FieldSpans<LifecycleField>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Transition {
    pub storage_class: StorageClass,
    pub after: Duration,
    /// The whole `{ storage_class = ..., after = ... }` record.
    pub span: Span,
    /// The value of `after`, where a diagnostic about the timing points.
    pub after_span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StorageClass {
    StandardIa,
    OnezoneIa,
    IntelligentTiering,
    GlacierIr,
    Glacier,
    DeepArchive,
}

impl StorageClass {
    /// The name S3 uses in lifecycle rules.
    pub fn s3_name(self) -> &'static str {
        match self {
            StorageClass::StandardIa => "STANDARD_IA",
            StorageClass::OnezoneIa => "ONEZONE_IA",
            StorageClass::IntelligentTiering => "INTELLIGENT_TIERING",
            StorageClass::GlacierIr => "GLACIER_IR",
            StorageClass::Glacier => "GLACIER",
            StorageClass::DeepArchive => "DEEP_ARCHIVE",
        }
    }

    /// S3's minimum storage duration for the class, in days.
    pub fn minimum_days(self) -> i64 {
        match self {
            StorageClass::StandardIa | StorageClass::OnezoneIa => 30,
            StorageClass::IntelligentTiering => 0,
            StorageClass::GlacierIr | StorageClass::Glacier => 90,
            StorageClass::DeepArchive => 180,
        }
    }

    /// Whether an S3 lifecycle rule can move objects from this class to
    /// `to`: S3's "waterfall", where objects only move to colder classes,
    /// and from One Zone-IA only to Glacier Flexible Retrieval or Deep Archive.
    pub fn can_transition_to(self, to: StorageClass) -> bool {
        use StorageClass::*;
        match self {
            StandardIa => matches!(
                to,
                IntelligentTiering | OnezoneIa | GlacierIr | Glacier | DeepArchive
            ),
            IntelligentTiering => matches!(to, OnezoneIa | GlacierIr | Glacier | DeepArchive),
            OnezoneIa | GlacierIr => matches!(to, Glacier | DeepArchive),
            Glacier => to == DeepArchive,
            DeepArchive => false,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct AuditTable {
    /// The table name as written; `None` means the default name.
    pub name: Option<String>,
    pub partition_key: KeyAttribute,
    pub sort_key: Option<KeyAttribute>,
    pub span: Span,
    pub field_spans: FieldSpans<AuditTableField>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyAttribute {
    pub name: String,
    pub kind: AttributeType,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttributeType {
    String,
    Number,
    Binary,
}

impl AttributeType {
    /// DynamoDB's letter for the type.
    pub fn dynamodb_letter(self) -> &'static str {
        match self {
            AttributeType::String => "S",
            AttributeType::Number => "N",
            AttributeType::Binary => "B",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Warehouse {
    pub database: String,
    pub admin_username: String,
    pub base_capacity: i64,
    pub max_capacity: Option<i64>,
    pub publicly_accessible: bool,
    /// `useractivitylog`, `userlog`, `connectionlog`.
    pub log_exports: Vec<String>,
    pub span: Span,
    pub field_spans: FieldSpans<WarehouseField>,
    /// The span of `publicly_accessible`, when it was written.
    pub publicly_accessible_span: Option<Span>,
}
