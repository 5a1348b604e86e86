//! Which property changes CloudFormation makes by replacing the resource: the
//! `createOnlyProperties` of the resource provider schemas, for the types dlc
//! emits. `scripts/replacement-table.py` generates the table from the schemas
//! cfn-lint ships; the table names its source and version.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

const TABLE: &str = include_str!("replacement-table.json");

#[derive(Debug, Deserialize)]
pub struct Table {
    /// The schemas the table was generated from, and their version.
    pub source: String,
    pub types: HashMap<String, TypeEntry>,
}

#[derive(Debug, Deserialize)]
pub struct TypeEntry {
    /// Property paths below `Properties`, `/`-separated: `BucketName`,
    /// `DnsOptions/PrivateDnsPreference`.
    pub create_only: Vec<String>,
    /// Every top-level property of the type.
    pub properties: Vec<String>,
}

/// The table, parsed once.
pub fn table() -> &'static Table {
    static PARSED: OnceLock<Table> = OnceLock::new();
    PARSED.get_or_init(|| {
        serde_json::from_str(TABLE).expect("replacement-table.json is generated valid")
    })
}

/// True when changing the property at `path` (`/`-separated, below
/// `Properties`) of a `resource_type` replaces the resource: the path is a
/// create-only property, inside one, or holds one. A type missing from the
/// table is taken as replaced by any change: the safe guess, and a test
/// keeps the table complete.
pub fn replaces(resource_type: &str, path: &str) -> bool {
    let Some(entry) = table().types.get(resource_type) else {
        return true;
    };
    entry
        .create_only
        .iter()
        .any(|create_only| nests(path, create_only) || nests(create_only, path))
}

/// `inner` is `outer` or below it: `A/B` in `A`.
fn nests(inner: &str, outer: &str) -> bool {
    inner == outer
        || inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_name_replaces_and_a_lifecycle_does_not() {
        assert!(replaces("AWS::S3::Bucket", "BucketName"));
        assert!(!replaces("AWS::S3::Bucket", "LifecycleConfiguration"));
        assert!(!replaces("AWS::S3::Bucket", "BucketNameSuffix"));
    }

    #[test]
    fn nested_create_only_properties_replace_from_either_side() {
        let t = "AWS::EC2::VPCEndpoint";
        assert!(replaces(t, "DnsOptions/PrivateDnsPreference"));
        assert!(replaces(t, "DnsOptions"));
        assert!(!replaces(t, "PolicyDocument"));
    }

    #[test]
    fn the_table_names_its_source() {
        assert!(table().source.contains("cfn-lint"));
    }
}
