//! Builds the typed model from conformed values. The values were checked
//! against the stdlib schemas, so a shape this code does not expect means the
//! stdlib and the model disagree: an internal error, reported as such.

use indexmap::IndexMap;

use super::*;
use crate::eval::{Evaluated, Field, Origin, Value, ValueKind};

/// A disagreement between the stdlib schemas and the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelError(pub String);

type Result<T> = std::result::Result<T, ModelError>;

/// The typed lake, or `None` when there is no lake to build.
pub fn build_model(evaluated: &Evaluated) -> Result<Option<Lake>> {
    let Some((name, lake)) = &evaluated.lake else {
        return Ok(None);
    };
    let mut environments = IndexMap::new();
    for (env_name, value) in &evaluated.environments {
        environments.insert(env_name.clone(), environment(env_name, value)?);
    }
    lake_with(name, lake, environments).map(Some)
}

/// For a lake that has errors already: the lake with only the environments
/// whose values are whole, so that the domain checks can still look at
/// those. `None` when the lake's own fields are not whole. Never used for
/// codegen.
pub fn build_partial_model(evaluated: &Evaluated) -> Option<Lake> {
    let (name, lake) = evaluated.lake.as_ref()?;
    if !is_whole(lake) {
        return None;
    }
    let mut environments = IndexMap::new();
    let mut left_out_networks = Vec::new();
    for (env_name, value) in &evaluated.environments {
        match is_whole(value)
            .then(|| environment(env_name, value).ok())
            .flatten()
        {
            Some(env) => {
                environments.insert(env_name.clone(), env);
            }
            None => left_out_networks.extend(
                optional(value, EnvField::Network)
                    .and_then(|n| optional(n, NetworkField::Cidr))
                    .and_then(|c| cidr(c).ok()),
            ),
        }
    }
    let mut partial = lake_with(name, lake, environments).ok()?;
    partial.left_out_networks = left_out_networks;
    Some(partial)
}

/// Whether nothing in `value` is a mistake already reported.
fn is_whole(value: &Value) -> bool {
    match &value.kind {
        ValueKind::Invalid => false,
        ValueKind::List(items) => items.iter().all(is_whole),
        ValueKind::Record(record) => record.fields.values().all(|f| is_whole(&f.value)),
        ValueKind::Variant(variant) => variant.data.as_ref().is_none_or(|d| is_whole(d)),
        _ => true,
    }
}

fn lake_with(
    name: &str,
    lake: &Value,
    environments: IndexMap<String, Environment>,
) -> Result<Lake> {
    Ok(Lake {
        name: name.to_string(),
        logical_id_prefix: string(field(lake, LakeField::LogicalIdPrefix)?)?,
        resource_prefix: string(field(lake, LakeField::ResourcePrefix)?)?,
        deployment_account: string(field(lake, LakeField::DeploymentAccount)?)?,
        deployment_region: region(field(lake, LakeField::DeploymentRegion)?)?,
        source: source(field(lake, LakeField::Source)?)?,
        tags: string_map(field(lake, LakeField::Tags)?)?,
        tag_spans: tag_spans(field(lake, LakeField::Tags)?),
        address_pool: optional(lake, LakeField::AddressPool)
            .map(cidr)
            .transpose()?,
        reserved: list(field(lake, LakeField::Reserved)?)?
            .iter()
            .map(|r| {
                Ok(ReservedRange {
                    name: string(field(r, ReservedRangeField::Name)?)?,
                    cidr: cidr(field(r, ReservedRangeField::Cidr)?)?,
                    span: field(r, ReservedRangeField::Cidr)?.span,
                })
            })
            .collect::<Result<Vec<_>>>()?,
        build: build(field(lake, LakeField::Build)?)?,
        environments,
        span: lake.span,
        field_spans: field_spans(lake),
        left_out_networks: Vec::new(),
    })
}

fn environment(name: &str, value: &Value) -> Result<Environment> {
    let lifecycle_default = optional(value, EnvField::Lifecycle)
        .map(lifecycle)
        .transpose()?;
    let zones = list(field(value, EnvField::Zones)?)?
        .iter()
        .map(|z| {
            let own = optional(z, ZoneField::Lifecycle)
                .map(lifecycle)
                .transpose()?;
            Ok(Zone {
                name: string(field(z, ZoneField::Name)?)?,
                lifecycle: own.or_else(|| lifecycle_default.clone()),
                span: z.span,
                field_spans: field_spans(z),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Environment {
        name: name.to_string(),
        account: string(field(value, EnvField::Account)?)?,
        region: region(field(value, EnvField::Region)?)?,
        network: network(field(value, EnvField::Network)?)?,
        branch: optional(value, EnvField::Branch).map(string).transpose()?,
        approval: boolean(field(value, EnvField::Approval)?)?,
        retention: match variant(field(value, EnvField::Retention)?)? {
            "retain" => Retention::Retain,
            _ => Retention::Destroy,
        },
        zones,
        audit_table: optional(value, EnvField::AuditTable)
            .map(audit_table)
            .transpose()?,
        warehouse: optional(value, EnvField::Warehouse)
            .map(warehouse)
            .transpose()?,
        tags: string_map(field(value, EnvField::Tags)?)?,
        tag_spans: tag_spans(field(value, EnvField::Tags)?),
        execution_policies: list(field(value, EnvField::ExecutionPolicies)?)?
            .iter()
            .map(string)
            .collect::<Result<Vec<_>>>()?,
        execution_policy_spans: list(field(value, EnvField::ExecutionPolicies)?)?
            .iter()
            .map(|p| p.span)
            .collect(),
        span: value.span,
        field_spans: field_spans(value),
    })
}

fn build(value: &Value) -> Result<Build> {
    Ok(Build {
        lake_file: string(field(value, BuildField::LakeFile)?)?,
        install: optional(value, BuildField::Install)
            .map(string)
            .transpose()?,
        span: value.span,
        field_spans: field_spans(value),
    })
}

fn network(value: &Value) -> Result<Network> {
    let cidr_value = field(value, NetworkField::Cidr)?;
    Ok(Network {
        cidr: cidr(cidr_value)?,
        availability_zones: u32::try_from(integer(field(value, NetworkField::AvailabilityZones)?)?)
            .map_err(|_| ModelError("availability_zones out of range".into()))?,
        nat_gateways: match variant(field(value, NetworkField::NatGateways)?)? {
            "none" => NatGateways::None,
            "one" => NatGateways::One,
            _ => NatGateways::PerAz,
        },
        gateway_endpoints: variants(field(value, NetworkField::GatewayEndpoints)?)?,
        interface_endpoints: variants(field(value, NetworkField::InterfaceEndpoints)?)?,
        cidr_span: cidr_value.span,
        span: value.span,
        field_spans: field_spans(value),
    })
}

fn lifecycle(value: &Value) -> Result<Lifecycle> {
    Ok(Lifecycle {
        expire_after: optional(value, LifecycleField::ExpireAfter)
            .map(duration)
            .transpose()?,
        noncurrent_expire_after: optional(value, LifecycleField::NoncurrentExpireAfter)
            .map(duration)
            .transpose()?,
        transitions: list(field(value, LifecycleField::Transitions)?)?
            .iter()
            .map(|t| {
                let after = field(t, TransitionField::After)?;
                Ok(Transition {
                    storage_class: storage_class(variant(field(
                        t,
                        TransitionField::StorageClass,
                    )?)?)?,
                    after: duration(after)?,
                    span: t.span,
                    after_span: after.span,
                })
            })
            .collect::<Result<Vec<_>>>()?,
        span: value.span,
        field_spans: field_spans(value),
    })
}

fn storage_class(name: &str) -> Result<StorageClass> {
    Ok(match name {
        "standard-ia" => StorageClass::StandardIa,
        "onezone-ia" => StorageClass::OnezoneIa,
        "intelligent-tiering" => StorageClass::IntelligentTiering,
        "glacier-ir" => StorageClass::GlacierIr,
        "glacier" => StorageClass::Glacier,
        "deep-archive" => StorageClass::DeepArchive,
        other => return Err(ModelError(format!("unknown storage class `{other}`"))),
    })
}

fn audit_table(value: &Value) -> Result<AuditTable> {
    Ok(AuditTable {
        name: optional(value, AuditTableField::Name)
            .map(string)
            .transpose()?,
        partition_key: key_attribute(field(value, AuditTableField::PartitionKey)?)?,
        sort_key: optional(value, AuditTableField::SortKey)
            .map(key_attribute)
            .transpose()?,
        span: value.span,
        field_spans: field_spans(value),
    })
}

fn key_attribute(value: &Value) -> Result<KeyAttribute> {
    Ok(KeyAttribute {
        name: string(field(value, KeyAttributeField::Name)?)?,
        kind: match variant(field(value, KeyAttributeField::Kind)?)? {
            "number" => AttributeType::Number,
            "binary" => AttributeType::Binary,
            _ => AttributeType::String,
        },
    })
}

fn warehouse(value: &Value) -> Result<Warehouse> {
    let public = field(value, WarehouseField::PubliclyAccessible)?;
    Ok(Warehouse {
        database: string(field(value, WarehouseField::Database)?)?,
        admin_username: string(field(value, WarehouseField::AdminUsername)?)?,
        base_capacity: integer(field(value, WarehouseField::BaseCapacity)?)?,
        max_capacity: optional(value, WarehouseField::MaxCapacity)
            .map(integer)
            .transpose()?,
        publicly_accessible: boolean(public)?,
        log_exports: variants(field(value, WarehouseField::LogExports)?)?,
        span: value.span,
        field_spans: field_spans(value),
        // A defaulted field carries the span of its record; a written one its own.
        publicly_accessible_span: (public.span != value.span).then_some(public.span),
    })
}

fn source(value: &Value) -> Result<Source> {
    let ValueKind::Record(record) = &value.kind else {
        return Err(unexpected("a source record", value));
    };
    let repository = string(field(value, SourceField::Repository)?)?;
    Ok(match record.type_name.as_deref() {
        Some("GitHub") => Source::GitHub {
            repository,
            token_secret: string(field(value, SourceField::TokenSecret)?)?,
            span: value.span,
            field_spans: field_spans(value),
        },
        Some("GitHubConnection") => Source::GitHubConnection {
            repository,
            connection: string(field(value, SourceField::Connection)?)?,
            span: value.span,
            field_spans: field_spans(value),
        },
        Some("CodeCommit") => Source::CodeCommit {
            repository,
            span: value.span,
            field_spans: field_spans(value),
        },
        other => return Err(ModelError(format!("unknown source kind {other:?}"))),
    })
}

fn region(value: &Value) -> Result<Region> {
    let ValueKind::Variant(v) = &value.kind else {
        return Err(unexpected("a region", value));
    };
    let zones = v
        .data
        .as_deref()
        .map(|data| field(data, RegionInfoField::AvailabilityZones).and_then(list))
        .transpose()?
        .unwrap_or(&[])
        .iter()
        .map(string)
        .collect::<Result<Vec<_>>>()?;
    Ok(Region {
        name: v.name.clone(),
        availability_zones: zones,
    })
}

fn field_spans<F: FieldKey>(value: &Value) -> FieldSpans<F> {
    let mut spans = FieldSpans::default();
    if let ValueKind::Record(record) = &value.kind {
        for (name, field) in &record.fields {
            // Conformed to its schema, so every field is one of `F`'s.
            let Some(key) = F::from_name(name) else {
                debug_assert!(false, "field `{name}` is not one of {:?}", F::RECORDS);
                continue;
            };
            spans.insert(key, provenance(field));
        }
    }
    spans
}

fn provenance(field: &Field) -> Provenance {
    let at = field.value.span;
    match &field.origin {
        Origin::Written => Provenance::Written { at },
        Origin::Inherited(inheritance) => Provenance::Inherited(Box::new(InheritedValue {
            at,
            from: inheritance.from.clone(),
            extends: inheritance.extends.first().copied().unwrap_or(at),
        })),
        Origin::Defaulted { default } => Provenance::Defaulted {
            at,
            default: *default,
        },
    }
}

fn tag_spans(value: &Value) -> TagSpans {
    let mut spans = TagSpans::default();
    if let ValueKind::Record(record) = &value.kind {
        for (key, field) in &record.fields {
            let span = TagSpan {
                key: field.key_span,
                value: field.value.span,
            };
            spans.insert(key, span, provenance(field));
        }
    }
    spans
}

fn cidr(value: &Value) -> Result<ipnet::Ipv4Net> {
    match value.kind {
        ValueKind::Cidr(c) => Ok(c),
        _ => Err(unexpected("a CIDR", value)),
    }
}

fn field<F: FieldKey>(value: &Value, field: F) -> Result<&Value> {
    let name = field.name();
    value
        .field(name)
        .ok_or_else(|| ModelError(format!("missing field `{name}` in {}", value.describe())))
}

fn optional<F: FieldKey>(value: &Value, field: F) -> Option<&Value> {
    value.field(field.name())
}

fn unexpected(what: &str, value: &Value) -> ModelError {
    ModelError(format!("expected {what}, found {}", value.describe()))
}

fn string(value: &Value) -> Result<String> {
    match &value.kind {
        ValueKind::Str(s) => Ok(s.clone()),
        _ => Err(unexpected("a string", value)),
    }
}

fn integer(value: &Value) -> Result<i64> {
    match value.kind {
        ValueKind::Int(i) => Ok(i),
        _ => Err(unexpected("an integer", value)),
    }
}

fn boolean(value: &Value) -> Result<bool> {
    match value.kind {
        ValueKind::Bool(b) => Ok(b),
        _ => Err(unexpected("a boolean", value)),
    }
}

fn duration(value: &Value) -> Result<crate::literals::Duration> {
    match value.kind {
        ValueKind::Duration(d) => Ok(d),
        _ => Err(unexpected("a duration", value)),
    }
}

fn variant(value: &Value) -> Result<&str> {
    match &value.kind {
        ValueKind::Variant(v) => Ok(&v.name),
        _ => Err(unexpected("an enum variant", value)),
    }
}

fn list(value: &Value) -> Result<&[Value]> {
    match &value.kind {
        ValueKind::List(items) => Ok(items),
        _ => Err(unexpected("a list", value)),
    }
}

fn variants(value: &Value) -> Result<Vec<String>> {
    list(value)?
        .iter()
        .map(|v| variant(v).map(String::from))
        .collect()
}

fn string_map(value: &Value) -> Result<IndexMap<String, String>> {
    match &value.kind {
        ValueKind::Record(record) => record
            .fields
            .iter()
            .map(|(k, f)| Ok((k.clone(), string(&f.value)?)))
            .collect(),
        _ => Err(unexpected("a map", value)),
    }
}
