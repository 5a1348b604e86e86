//! The fields of the model's records, as types. A check names the field it
//! points at by a variant, so a misspelt field is a compile error rather than
//! a span that silently falls back to the whole record. Each enum lists every
//! field of its stdlib record; a test holds them to the stdlib's schema.

use std::fmt::Debug;
use std::hash::Hash;

/// A field of one stdlib record (or, for a union, of its records).
pub trait FieldKey: Copy + Eq + Hash + Debug + 'static {
    /// The stdlib records whose fields these are.
    const RECORDS: &'static [&'static str];
    /// Every field, in the schema's order.
    const ALL: &'static [Self];

    /// The field's name as written in a lake file.
    fn name(self) -> &'static str;

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|field| field.name() == name)
    }
}

macro_rules! fields {
    ($(
        $(#[$doc:meta])*
        $ty:ident for [$($record:literal),+] {
            $($variant:ident = $name:literal),+ $(,)?
        }
    )+) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $ty {
            $($variant),+
        }

        impl FieldKey for $ty {
            const RECORDS: &'static [&'static str] = &[$($record),+];
            const ALL: &'static [Self] = &[$($ty::$variant),+];

            fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }
        }
    )+};
}

fields! {
    /// A field of `lake Name { ... }`.
    LakeField for ["Lake"] {
        LogicalIdPrefix = "logical_id_prefix",
        ResourcePrefix = "resource_prefix",
        DeploymentAccount = "deployment_account",
        DeploymentRegion = "deployment_region",
        Source = "source",
        Tags = "tags",
        AddressPool = "address_pool",
        Reserved = "reserved",
        Build = "build",
    }

    /// A field of one of the lake's `reserved` ranges.
    ReservedRangeField for ["ReservedRange"] {
        Name = "name",
        Cidr = "cidr",
    }

    /// A field of a region's data.
    RegionInfoField for ["RegionInfo"] {
        AvailabilityZones = "availability_zones",
    }

    /// A field of the lake's `build` record.
    BuildField for ["PipelineBuild"] {
        LakeFile = "lake_file",
        Install = "install",
    }

    /// A field of any of the lake's source records.
    SourceField for ["GitHub", "GitHubConnection", "CodeCommit"] {
        Repository = "repository",
        TokenSecret = "token_secret",
        Connection = "connection",
    }

    /// A field of `env Name { ... }`.
    EnvField for ["Environment"] {
        Account = "account",
        Region = "region",
        Network = "network",
        Branch = "branch",
        Approval = "approval",
        Retention = "retention",
        Zones = "zones",
        Lifecycle = "lifecycle",
        AuditTable = "audit_table",
        Warehouse = "warehouse",
        Tags = "tags",
        ExecutionPolicies = "execution_policies",
    }

    /// A field of an environment's `network`.
    NetworkField for ["Network"] {
        Cidr = "cidr",
        AvailabilityZones = "availability_zones",
        NatGateways = "nat_gateways",
        GatewayEndpoints = "gateway_endpoints",
        InterfaceEndpoints = "interface_endpoints",
    }

    /// A field of a zone.
    ZoneField for ["Zone"] {
        Name = "name",
        Lifecycle = "lifecycle",
    }

    /// A field of a `lifecycle` record.
    LifecycleField for ["Lifecycle"] {
        ExpireAfter = "expire_after",
        NoncurrentExpireAfter = "noncurrent_expire_after",
        Transitions = "transitions",
    }

    /// A field of a lifecycle transition.
    TransitionField for ["Transition"] {
        StorageClass = "storage_class",
        After = "after",
    }

    /// A field of an `audit_table`.
    AuditTableField for ["AuditTable"] {
        Name = "name",
        PartitionKey = "partition_key",
        SortKey = "sort_key",
    }

    /// A field of an audit table's key.
    KeyAttributeField for ["KeyAttribute"] {
        Name = "name",
        Kind = "kind",
    }

    /// A field of a `warehouse`.
    WarehouseField for ["Warehouse"] {
        Database = "database",
        AdminUsername = "admin_username",
        BaseCapacity = "base_capacity",
        MaxCapacity = "max_capacity",
        PubliclyAccessible = "publicly_accessible",
        LogExports = "log_exports",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostics;
    use crate::source::FileId;
    use crate::syntax::ast::ItemKind;
    use crate::syntax::parse_module;

    /// The fields of the stdlib record `record`, in the schema's order.
    fn schema_fields(record: &str) -> Vec<String> {
        for module in crate::stdlib::MODULES {
            let mut diagnostics = Diagnostics::default();
            let parsed = parse_module(FileId(0), module.text, &mut diagnostics);
            for item in parsed.items {
                if let ItemKind::Record(decl) = item.kind {
                    if decl.name.name == record {
                        return decl.fields.iter().map(|f| f.name.name.clone()).collect();
                    }
                }
            }
        }
        panic!("no stdlib record `{record}`");
    }

    /// Every field of the records, each once, and nothing else.
    fn assert_matches_schema<F: FieldKey>() {
        let mut expected: Vec<String> = Vec::new();
        for record in F::RECORDS {
            for field in schema_fields(record) {
                if !expected.contains(&field) {
                    expected.push(field);
                }
            }
        }
        let ours: Vec<String> = F::ALL.iter().map(|f| f.name().to_string()).collect();
        assert_eq!(ours, expected, "the fields of {:?}", F::RECORDS);
    }

    #[test]
    fn every_field_enum_lists_its_stdlib_records_fields_in_order() {
        assert_matches_schema::<LakeField>();
        assert_matches_schema::<ReservedRangeField>();
        assert_matches_schema::<RegionInfoField>();
        assert_matches_schema::<TransitionField>();
        assert_matches_schema::<KeyAttributeField>();
        assert_matches_schema::<BuildField>();
        assert_matches_schema::<SourceField>();
        assert_matches_schema::<EnvField>();
        assert_matches_schema::<NetworkField>();
        assert_matches_schema::<ZoneField>();
        assert_matches_schema::<LifecycleField>();
        assert_matches_schema::<AuditTableField>();
        assert_matches_schema::<WarehouseField>();
    }
}
