//! The ETL audit table, in the `Storage` stack: on-demand, point-in-time
//! recovery, encrypted with the zone key.

use super::value::json;

use super::template::{get_att, ref_, Resource, Template};
use super::{naming, Ctx, Error};
use crate::concat::concat_string;
use crate::model::AuditTable;

pub fn add(ctx: &Ctx, t: &mut Template, table: &AuditTable) -> Result<(), Error> {
    let name = naming::audit_table_physical_name(ctx.lake, ctx.env, table);
    let mut attributes = vec![json!({
        "AttributeName": &table.partition_key.name,
        "AttributeType": table.partition_key.kind.dynamodb_letter(),
    })];
    let mut keys = vec![json!({ "AttributeName": &table.partition_key.name, "KeyType": "HASH" })];
    if let Some(sort) = &table.sort_key {
        if sort.name == table.partition_key.name {
            return Err(Error::new(
                table.span,
                concat_string!(
                    "the audit table's sort key `",
                    sort.name,
                    "` is also its partition key"
                ),
            ));
        }
        attributes.push(json!({
            "AttributeName": &sort.name,
            "AttributeType": sort.kind.dynamodb_letter(),
        }));
        keys.push(json!({ "AttributeName": &sort.name, "KeyType": "RANGE" }));
    }
    t.add(
        "AuditTable",
        Resource::new(
            "AWS::DynamoDB::Table",
            table.span,
            json!({
                "TableName": name,
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": attributes,
                "KeySchema": keys,
                "PointInTimeRecoverySpecification": { "PointInTimeRecoveryEnabled": true },
                "SSESpecification": {
                    "SSEEnabled": true,
                    "SSEType": "KMS",
                    "KMSMasterKeyId": get_att("KmsKey", "Arn"),
                },
                "DeletionProtectionEnabled": ctx.retained(),
                "Tags": ctx.tags(),
            }),
        )
        .policy(ctx.retention()),
    )
}

pub fn outputs(ctx: &Ctx, t: &mut Template, table: &AuditTable) -> Result<(), Error> {
    t.output(
        "AuditTableName",
        "The table where ETL jobs record their runs",
        ref_("AuditTable"),
        ctx.export("AuditTableName"),
        table.span,
    )?;
    t.output(
        "AuditTableArn",
        "The ARN of the audit table",
        get_att("AuditTable", "Arn"),
        ctx.export("AuditTableArn"),
        table.span,
    )
}
