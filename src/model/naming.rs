//! Names and sizes derived from the model, shared by the checks (which
//! validate them) and codegen (which emits them), so that both agree.

use super::{Environment, Lake};

/// The public and the private tier.
pub const SUBNET_TIERS: u32 = 2;

/// The smallest subnet AWS allows.
pub const SMALLEST_SUBNET_PREFIX: u8 = 28;

/// `<env>-<resource_prefix>-<account>-<region>-<suffix>`, as the reference
/// names its buckets (`dev-lmd-v2-002190277880-us-east-1-raw`).
pub fn bucket_name(lake: &Lake, env: &Environment, suffix: &str) -> String {
    format!(
        "{}-{}-{}-{}-{suffix}",
        env.name.to_lowercase(),
        lake.resource_prefix,
        env.account,
        env.region.name
    )
}

/// The suffix of the access-logs bucket.
pub const ACCESS_LOGS_SUFFIX: &str = "access-logs";

/// `purpose-built` -> `PurposeBuilt`: a zone's part of logical IDs and export names.
pub fn pascal_case(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// The export of a zone's bucket name: `DevRawBucketName`.
pub fn zone_bucket_export(env: &Environment, zone: &str) -> String {
    format!("{}{}BucketName", env.name, pascal_case(zone))
}

/// Every export name an environment's stacks create.
pub fn export_names(env: &Environment) -> Vec<String> {
    let e = &env.name;
    let mut names = vec![format!("{e}VpcId")];
    for i in 1..=env.network.availability_zones {
        names.push(format!("{e}AvailabilityZone{i}"));
        names.push(format!("{e}SubnetId{i}"));
        names.push(format!("{e}RouteTable{i}"));
    }
    names.push(format!("{e}SharedSecurityGroupId"));
    names.push(format!("{e}S3KmsKeyArn"));
    names.push(format!("{e}S3AccessLogBucket"));
    names.extend(env.zones.iter().map(|z| zone_bucket_export(env, &z.name)));
    names
}

/// The prefix length of each subnet when a VPC of `vpc_prefix` is split into
/// a public and a private subnet per availability zone: a /24 over 3 zones
/// gives six /27s. `None` when the subnets would be smaller than AWS allows.
pub fn subnet_prefix(vpc_prefix: u8, availability_zones: u32) -> Option<u8> {
    let subnets = availability_zones.max(1) * SUBNET_TIERS;
    let extra_bits = u32::BITS - (subnets - 1).leading_zeros();
    let prefix = u32::from(vpc_prefix) + extra_bits;
    (prefix <= u32::from(SMALLEST_SUBNET_PREFIX)).then_some(prefix as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnets_are_carved_as_the_reference_does() {
        assert_eq!(subnet_prefix(24, 3), Some(27));
        assert_eq!(subnet_prefix(24, 2), Some(26));
        assert_eq!(subnet_prefix(24, 4), Some(27));
        assert_eq!(subnet_prefix(16, 1), Some(17));
        assert_eq!(subnet_prefix(25, 3), Some(28));
        assert_eq!(subnet_prefix(26, 3), None);
        assert_eq!(subnet_prefix(28, 1), None);
    }

    #[test]
    fn zone_names_become_pascal_case() {
        assert_eq!(pascal_case("purpose-built"), "PurposeBuilt");
        assert_eq!(pascal_case("raw"), "Raw");
    }
}
