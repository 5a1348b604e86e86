//! Redshift Serverless: capacity in the allowed steps, and no public access
//! without a warning.

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::Lake;

const MIN_RPU: i64 = 8;
const MAX_BASE_RPU: i64 = 512;
const RPU_STEP: i64 = 8;

pub fn check(lake: &Lake, diagnostics: &mut Diagnostics) {
    for env in lake.environments.values() {
        let Some(warehouse) = &env.warehouse else {
            continue;
        };
        let spans = &warehouse.field_spans;
        let base = warehouse.base_capacity;
        if !(MIN_RPU..=MAX_BASE_RPU).contains(&base) || base % RPU_STEP != 0 {
            let nearest =
                ((base + RPU_STEP / 2) / RPU_STEP * RPU_STEP).clamp(MIN_RPU, MAX_BASE_RPU);
            diagnostics.push(
                Diagnostic::new(
                    Code::InvalidWarehouseCapacity,
                    spans.get_or("base_capacity", warehouse.span),
                    format!("Redshift Serverless takes a base capacity of 8 to 512 RPUs in steps of 8; `{}` asks for {base}", env.name),
                )
                .with_label(format!("{base} RPUs"))
                .with_help(format!("use {nearest}")),
            );
        }
        if let Some(max) = warehouse.max_capacity {
            if max < base || max % RPU_STEP != 0 {
                diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidWarehouseCapacity,
                        spans.get_or("max_capacity", warehouse.span),
                        format!("the maximum capacity of `{}` ({max} RPUs) must be a multiple of 8 and at least the base capacity ({base})", env.name),
                    )
                    .with_label(format!("{max} RPUs"))
                    .with_help(format!("use {} or more, in steps of 8", base.max(MIN_RPU))),
                );
            }
        }
        if warehouse.publicly_accessible {
            diagnostics.push(
                Diagnostic::new(
                    Code::PublicWarehouse,
                    spans.get_or("publicly_accessible", warehouse.span),
                    format!("the warehouse of `{}` accepts connections from the internet", env.name),
                )
                .with_label("publicly accessible")
                .with_note("the workgroup gets a public endpoint; only its security group and the admin password stand in the way")
                .with_help("remove `publicly_accessible = true` and connect through the VPC (a VPN, a bastion or the Redshift Data API)"),
            );
        }
    }
}
