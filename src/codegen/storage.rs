//! The `Storage` stack: the zone key and its alias, the access-logs bucket,
//! one bucket per zone with its policy, and the audit table.

use super::value::{json, Object, Value};

use super::template::{account_root, get_att, ref_, sub, Resource, Template};
use super::{audit, naming, Ctx, Error};
use crate::concat::concat_string;
use crate::model::{Lifecycle, Zone};

/// S3 bucket names are 3 to 63 characters.
const MAX_BUCKET_NAME: usize = 63;

/// Days before S3 aborts an unfinished multipart upload (a default of ours:
/// the parts are billed and invisible until then).
const ABORT_INCOMPLETE_UPLOAD_DAYS: i64 = 7;

/// The statement id of the TLS-only deny, as in the reference.
pub const TLS_SID: &str = "OnlyAllowSecureTransport";

/// Days an overwritten or deleted access log version is kept.
const ACCESS_LOG_NONCURRENT_DAYS: u32 = 30;
/// The statement id of the bucket-deletion deny, as in the reference.
pub const DELETE_SID: &str = "BlockUserDeletionOfBucket";

/// What the administrators of a KMS key may do: everything but use it.
pub(crate) const KEY_ADMINISTRATION: &[&str] = &[
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
];

pub fn template(ctx: &Ctx) -> Result<Template, Error> {
    let env = ctx.env;
    let mut t = Template::new(concat_string!(
        ctx.lake.name,
        " ",
        env.name,
        ": zone buckets, their KMS key, access logs and the audit table"
    ));
    let retention = ctx.retention();

    let mut usage_principals = vec![account_root(&env.account)];
    if ctx.lake.deployment_account != env.account {
        usage_principals.push(account_root(&ctx.lake.deployment_account));
    }
    t.add(
        "KmsKey",
        Resource::new(
            "AWS::KMS::Key",
            env.span,
            json!({
                "Description": concat_string!("Encrypts the ", env.name, " zone buckets and audit table of the ", ctx.lake.name, " lake"),
                "EnableKeyRotation": true,
                "KeyPolicy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "KeyAdministration",
                            "Effect": "Allow",
                            "Principal": { "AWS": account_root(&env.account) },
                            "Action": KEY_ADMINISTRATION,
                            "Resource": "*",
                        },
                        {
                            "Sid": "KeyUsage",
                            "Effect": "Allow",
                            "Principal": { "AWS": usage_principals },
                            "Action": [
                                "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*",
                                "kms:GenerateDataKey*", "kms:DescribeKey"
                            ],
                            "Resource": "*",
                        },
                    ],
                },
                "Tags": ctx.tags(),
            }),
        )
        .policy(retention),
    )?;
    t.add(
        "KmsKeyAlias",
        Resource::new(
            "AWS::KMS::Alias",
            env.span,
            json!({
                "AliasName": naming::kms_alias(ctx.lake, env),
                "TargetKeyId": ref_("KmsKey"),
            }),
        ),
    )?;

    // S3 server access logging cannot write to a KMS-encrypted bucket: the
    // logs bucket uses SSE-S3, and takes log deliveries through its policy
    // (object ownership is enforced, so there are no ACLs to grant them).
    let logs_name = naming::bucket_name(ctx.lake, env, naming::ACCESS_LOGS);
    check_bucket_name(&logs_name, env.span)?;
    t.add(
        "AccessLogsBucket",
        Resource::new(
            "AWS::S3::Bucket",
            env.span,
            // The logs are the audit trail of the data: current ones are
            // kept; overwritten or deleted versions and abandoned uploads
            // are not.
            access_logs_bucket(
                &logs_name,
                json!({
                    "Id": "ExpireOldLogVersions",
                    "Status": "Enabled",
                    "NoncurrentVersionExpiration": { "NoncurrentDays": ACCESS_LOG_NONCURRENT_DAYS },
                }),
                ctx.tags(),
            ),
        )
        .policy(retention)
        .skip_checkov(
            "CKV_AWS_18",
            "this bucket receives the other buckets' access logs; logging its own access would take another log bucket, and that one another",
        ),
    )?;

    let mut zone_ids = Vec::new();
    for zone in &ctx.env.zones {
        let id = naming::zone_bucket_id(&zone.name);
        zone_ids.push(id.clone());
        zone_bucket(ctx, &mut t, zone, &id)?;
    }

    let mut logs_statements = vec![tls_only("AccessLogsBucket")];
    logs_statements.push(access_log_delivery(
        "AccessLogsBucket",
        json!(&env.account),
        zone_ids
            .iter()
            .map(|id| get_att(id.clone(), "Arn"))
            .collect(),
    ));
    logs_statements.extend(flow_log_delivery("AccessLogsBucket", &env.account));
    if ctx.retained() {
        logs_statements.push(deny_delete("AccessLogsBucket"));
    }
    t.add(
        "AccessLogsBucketPolicy",
        Resource::new(
            "AWS::S3::BucketPolicy",
            env.span,
            json!({
                "Bucket": ref_("AccessLogsBucket"),
                "PolicyDocument": { "Version": "2012-10-17", "Statement": logs_statements },
            }),
        ),
    )?;

    if let Some(table) = &env.audit_table {
        audit::add(ctx, &mut t, table)?;
    }

    t.output(
        "KmsKeyArn",
        "The KMS key of the zone buckets and the audit table",
        get_att("KmsKey", "Arn"),
        ctx.export("S3KmsKeyArn"),
        env.span,
    )?;
    t.output(
        "AccessLogsBucketName",
        "The bucket that receives the zone buckets' access logs",
        ref_("AccessLogsBucket"),
        ctx.export("S3AccessLogBucket"),
        env.span,
    )?;
    for (zone, id) in env.zones.iter().zip(&zone_ids) {
        let name = concat_string!(id, "Name");
        t.output(
            &name,
            concat_string!("The ", zone.name, " zone's bucket"),
            ref_(id.clone()),
            ctx.export(&name),
            zone.span,
        )?;
    }
    if let Some(table) = &env.audit_table {
        audit::outputs(ctx, &mut t, table)?;
    }
    Ok(t)
}

fn zone_bucket(ctx: &Ctx, t: &mut Template, zone: &Zone, id: &str) -> Result<(), Error> {
    let name = naming::bucket_name(ctx.lake, ctx.env, &zone.name);
    check_bucket_name(&name, zone.span)?;
    let mut rules = Vec::new();
    if let Some(lifecycle) = &zone.lifecycle {
        rules.push(lifecycle_rule(lifecycle)?);
    }
    rules.push(abort_incomplete_uploads());
    let mut bucket = Resource::new(
        "AWS::S3::Bucket",
        zone.span,
        json!({
            "BucketName": name,
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [{
                    "ServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": get_att("KmsKey", "Arn"),
                    },
                    "BucketKeyEnabled": true,
                }],
            },
            "VersioningConfiguration": { "Status": "Enabled" },
            "PublicAccessBlockConfiguration": public_access_block(),
            "OwnershipControls": { "Rules": [{ "ObjectOwnership": "BucketOwnerEnforced" }] },
            "LoggingConfiguration": {
                "DestinationBucketName": ref_("AccessLogsBucket"),
                "LogFilePrefix": concat_string!(zone.name, "/"),
            },
            "LifecycleConfiguration": { "Rules": rules },
            "Tags": ctx.tags(),
        }),
    )
    .policy(ctx.retention());
    if let Some(lifecycle) = &zone.lifecycle {
        bucket = bucket.property_span("LifecycleConfiguration", lifecycle.span);
    }
    t.add(id, bucket)?;

    let mut statements = vec![tls_only(id)];
    if ctx.retained() {
        statements.push(deny_delete(id));
    }
    t.add(
        concat_string!(id, "Policy"),
        Resource::new(
            "AWS::S3::BucketPolicy",
            zone.span,
            json!({
                "Bucket": ref_(id.to_string()),
                "PolicyDocument": { "Version": "2012-10-17", "Statement": statements },
            }),
        ),
    )
}

fn check_bucket_name(name: &str, span: crate::source::Span) -> Result<(), Error> {
    if name.len() > MAX_BUCKET_NAME {
        return Err(Error::new(
            span,
            format!(
                "the bucket name `{name}` is {} characters long; S3 allows at most {MAX_BUCKET_NAME}",
                name.len()
            ),
        ));
    }
    Ok(())
}

/// The properties of a bucket that receives S3 server access logs: SSE-S3
/// (log delivery cannot write to a KMS-encrypted bucket), versioned, private,
/// owner-enforced, with `expiry` and the abort of incomplete uploads as its
/// lifecycle.
pub(crate) fn access_logs_bucket(name: &str, expiry: Value, tags: Value) -> Value {
    json!({
        "BucketName": name,
        "BucketEncryption": {
            "ServerSideEncryptionConfiguration": [{
                "ServerSideEncryptionByDefault": { "SSEAlgorithm": "AES256" },
            }],
        },
        "VersioningConfiguration": { "Status": "Enabled" },
        "PublicAccessBlockConfiguration": public_access_block(),
        "OwnershipControls": { "Rules": [{ "ObjectOwnership": "BucketOwnerEnforced" }] },
        "LifecycleConfiguration": { "Rules": [expiry, abort_incomplete_uploads()] },
        "Tags": tags,
    })
}

pub(crate) fn public_access_block() -> Value {
    json!({
        "BlockPublicAcls": true,
        "BlockPublicPolicy": true,
        "IgnorePublicAcls": true,
        "RestrictPublicBuckets": true,
    })
}

pub(crate) fn abort_incomplete_uploads() -> Value {
    json!({
        "Id": "AbortIncompleteMultipartUploads",
        "Status": "Enabled",
        "AbortIncompleteMultipartUpload": { "DaysAfterInitiation": ABORT_INCOMPLETE_UPLOAD_DAYS },
    })
}

/// The lake's lifecycle as one S3 rule.
fn lifecycle_rule(lifecycle: &Lifecycle) -> Result<Value, Error> {
    // Expirations count at least one day; a transition may happen on day 0
    // (the checks allow it where S3 does: DL0333, DL0335).
    let days_from = |least: i64| {
        move |d: &crate::literals::Duration, span| {
            d.whole_days().filter(|&n| n >= least).ok_or_else(|| {
                Error::new(
                    span,
                    format!("S3 lifecycle rules count whole days, at least {least}: `{d}` is not"),
                )
            })
        }
    };
    let days = days_from(1);
    let transition_days = days_from(0);
    let mut rule = Object::new();
    rule.insert("Id", json!("ZoneLifecycle"));
    rule.insert("Status", json!("Enabled"));
    if let Some(d) = &lifecycle.expire_after {
        rule.insert("ExpirationInDays", json!(days(d, lifecycle.span)?));
    }
    if let Some(d) = &lifecycle.noncurrent_expire_after {
        rule.insert(
            "NoncurrentVersionExpiration",
            json!({ "NoncurrentDays": days(d, lifecycle.span)? }),
        );
    }
    if !lifecycle.transitions.is_empty() {
        let transitions = lifecycle
            .transitions
            .iter()
            .map(|tr| {
                Ok(json!({
                    "StorageClass": tr.storage_class.s3_name(),
                    "TransitionInDays": transition_days(&tr.after, tr.span)?,
                }))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        rule.insert("Transitions", Value::Array(transitions));
    }
    Ok(Value::Object(rule))
}

/// Lets S3's log delivery write the access logs of `sources` (bucket ARNs of
/// `account`) into the bucket `logs_bucket_id`.
pub(crate) fn access_log_delivery(
    logs_bucket_id: &str,
    account: Value,
    sources: Vec<Value>,
) -> Value {
    json!({
        "Sid": "AllowServerAccessLogDelivery",
        "Effect": "Allow",
        "Principal": { "Service": "logging.s3.amazonaws.com" },
        "Action": "s3:PutObject",
        "Resource": sub(concat_string!("${", logs_bucket_id, ".Arn}/*")),
        "Condition": {
            "StringEquals": { "aws:SourceAccount": account },
            "ArnLike": { "aws:SourceArn": sources },
        },
    })
}

/// Lets log delivery write the VPC flow logs of `account` into the bucket
/// `logs_bucket_id`: the two statements AWS documents ("Amazon S3 bucket
/// permissions for flow logs"), the bucket-level one narrowed to the ACL
/// check and listing, the write to the account's `AWSLogs/` prefix.
fn flow_log_delivery(logs_bucket_id: &str, account: &str) -> [Value; 2] {
    let source = json!({
        "StringEquals": { "aws:SourceAccount": account },
        "ArnLike": { "aws:SourceArn": sub(concat_string!("arn:${AWS::Partition}:logs:${AWS::Region}:", account, ":*")) },
    });
    let mut write = source.clone();
    write["StringEquals"]["s3:x-amz-acl"] = json!("bucket-owner-full-control");
    [
        json!({
            "Sid": "AWSLogDeliveryWrite",
            "Effect": "Allow",
            "Principal": { "Service": "delivery.logs.amazonaws.com" },
            "Action": "s3:PutObject",
            "Resource": sub(concat_string!("${", logs_bucket_id, ".Arn}/AWSLogs/", account, "/*")),
            "Condition": write,
        }),
        json!({
            "Sid": "AWSLogDeliveryAclCheck",
            "Effect": "Allow",
            "Principal": { "Service": "delivery.logs.amazonaws.com" },
            "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
            "Resource": get_att(logs_bucket_id.to_string(), "Arn"),
            "Condition": source,
        }),
    ]
}

/// Denies every request to the bucket and its objects that does not use TLS.
pub(crate) fn tls_only(bucket_id: &str) -> Value {
    json!({
        "Sid": TLS_SID,
        "Effect": "Deny",
        "Principal": { "AWS": "*" },
        "Action": "s3:*",
        "Resource": [get_att(bucket_id.to_string(), "Arn"), sub(concat_string!("${", bucket_id, ".Arn}/*"))],
        "Condition": { "Bool": { "aws:SecureTransport": false } },
    })
}

/// Denies deleting the bucket to everyone: retained environments keep their data.
fn deny_delete(bucket_id: &str) -> Value {
    json!({
        "Sid": DELETE_SID,
        "Effect": "Deny",
        "Principal": { "AWS": "*" },
        "Action": "s3:DeleteBucket",
        "Resource": get_att(bucket_id.to_string(), "Arn"),
    })
}
