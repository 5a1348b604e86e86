//! Redshift Serverless: capacity in the allowed steps, and no public access
//! without a warning.

use super::inherited::Findings;
use crate::diagnostic::{count, Code, Diagnostic, Diagnostics};
use crate::model::{EnvField, Lake, NetworkField, WarehouseField};

const MIN_RPU: i64 = 8;
const MAX_BASE_RPU: i64 = 512;
const RPU_STEP: i64 = 8;
/// Redshift Serverless wants subnets in at least three availability zones.
pub const WAREHOUSE_MIN_AZS: u32 = 3;

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    let mut findings = Findings::default();
    for env in lake.environments.values() {
        let Some(warehouse) = &env.warehouse else {
            continue;
        };
        let spans = &warehouse.field_spans;
        let base = warehouse.base_capacity;
        if !(MIN_RPU..=MAX_BASE_RPU).contains(&base) || base % RPU_STEP != 0 {
            let nearest =
                ((base + RPU_STEP / 2) / RPU_STEP * RPU_STEP).clamp(MIN_RPU, MAX_BASE_RPU);
            findings.push(
                &env.name,
                &warehouse.field_spans,
                WarehouseField::BaseCapacity,
                Diagnostic::new(
                    Code::InvalidWarehouseCapacity,
                    spans.get_or(WarehouseField::BaseCapacity, warehouse.span),
                    format!("Redshift Serverless takes a base capacity of 8 to 512 RPUs in steps of 8, not {base}"),
                )
                .with_label(count(base, "RPU"))
                .with_help(format!("use {nearest}")),
            );
        }
        if let Some(max) = warehouse.max_capacity {
            if max < base || max % RPU_STEP != 0 {
                findings.push(
                    &env.name,
                    &warehouse.field_spans,
                    WarehouseField::MaxCapacity,
                    Diagnostic::new(
                        Code::InvalidWarehouseCapacity,
                        spans.get_or(WarehouseField::MaxCapacity, warehouse.span),
                        format!("the maximum capacity ({}) must be a multiple of 8 and at least the base capacity ({base})", count(max, "RPU")),
                    )
                    .with_label(count(max, "RPU"))
                    .with_help(format!("use {} or more, in steps of 8", base.max(MIN_RPU))),
                );
            }
        }
        let azs = env.network.availability_zones;
        if azs < WAREHOUSE_MIN_AZS {
            findings.push(
                &env.name,
                &env.field_spans,
                EnvField::Warehouse,
                Diagnostic::new(
                    Code::WarehouseNeedsThreeZones,
                    warehouse.span,
                    format!("a Redshift Serverless workgroup needs subnets in at least {WAREHOUSE_MIN_AZS} availability zones, and the network of `{}` spans {azs}", env.name),
                )
                .with_label("the warehouse")
                .with_secondary(
                    env.network.field_spans.get_or(NetworkField::AvailabilityZones, env.network.span),
                    count(azs, "availability zone"),
                )
                .with_help(format!("set `availability_zones = {WAREHOUSE_MIN_AZS}` or more in the network")),
            );
        }
        if warehouse.publicly_accessible {
            findings.push(
                &env.name,
                &warehouse.field_spans,
                WarehouseField::PubliclyAccessible,
                Diagnostic::new(
                    Code::PublicWarehouse,
                    spans.get_or(WarehouseField::PubliclyAccessible, warehouse.span),
                    "this warehouse accepts connections from the internet",
                )
                .with_label("publicly accessible")
                .with_note("the workgroup gets a public endpoint; only its security group and the admin password stand in the way")
                .with_help("remove `publicly_accessible = true` and connect through the VPC (a VPN, a bastion or the Redshift Data API)"),
            );
        }
    }
    findings.report(diagnostics);
}
