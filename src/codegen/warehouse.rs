//! The `Warehouse` stack: a Redshift Serverless namespace and workgroup in the
//! private subnets with the shared security group, and the role Redshift uses
//! to read and write the zone buckets. Redshift manages the admin password in
//! Secrets Manager: it is never in the template.

use super::value::{json, Value};

use super::template::{get_att, ref_, sub, Resource, Template};
use super::{naming, Ctx, Error};
use crate::model::Warehouse;

use crate::checks::warehouse::WAREHOUSE_MIN_AZS as MIN_AZS;
use crate::concat::concat_string;

pub fn template(ctx: &Ctx, warehouse: &Warehouse) -> Result<Template, Error> {
    let env = ctx.env;
    let span = warehouse.span;
    let azs = env.network.availability_zones;
    if azs < MIN_AZS {
        return Err(Error::new(
            span,
            format!(
                "a Redshift Serverless workgroup needs subnets in at least {MIN_AZS} availability zones; \
                 the {} network spans {azs}",
                env.name
            ),
        ));
    }
    let name = naming::warehouse_name(ctx.lake, env);
    let mut t = Template::new(concat_string!(
        ctx.lake.name,
        " ",
        env.name,
        ": Redshift Serverless warehouse `",
        name,
        "`"
    ));

    let key_arn = t.import(&ctx.export("S3KmsKeyArn"));
    let subnets: Vec<Value> = (1..=env.network.availability_zones)
        .map(|n| t.import(&ctx.export(&concat_string!("SubnetId", n.to_string()))))
        .collect();
    let security_group = t.import(&ctx.export("SharedSecurityGroupId"));

    let bucket_arns: Vec<String> = env
        .zones
        .iter()
        .map(|z| {
            concat_string!(
                "arn:${AWS::Partition}:s3:::",
                naming::bucket_name(ctx.lake, env, &z.name)
            )
        })
        .collect();
    t.add(
        "WarehouseRole",
        Resource::new(
            "AWS::IAM::Role",
            span,
            json!({
                "Description": concat_string!("Lets the ", name, " Redshift Serverless namespace read and write the zone buckets"),
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Principal": {
                            "Service": ["redshift.amazonaws.com", "redshift-serverless.amazonaws.com"],
                        },
                        "Action": "sts:AssumeRole",
                    }],
                },
                "Policies": [{
                    "PolicyName": "ZoneBucketAccess",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "ListZoneBuckets",
                                "Effect": "Allow",
                                "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
                                "Resource": bucket_arns.iter().map(|a| sub(a.clone())).collect::<Vec<_>>(),
                            },
                            {
                                "Sid": "ReadWriteZoneObjects",
                                "Effect": "Allow",
                                "Action": ["s3:GetObject", "s3:PutObject"],
                                "Resource": bucket_arns.iter().map(|a| sub(concat_string!(a, "/*"))).collect::<Vec<_>>(),
                            },
                            {
                                "Sid": "UseZoneKey",
                                "Effect": "Allow",
                                "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                                "Resource": key_arn.clone(),
                            },
                        ],
                    },
                }],
                "Tags": ctx.tags(),
            }),
        ),
    )?;

    let mut namespace = json!({
        "NamespaceName": &name,
        "DbName": &warehouse.database,
        "AdminUsername": &warehouse.admin_username,
        "ManageAdminPassword": true,
        // The environment's own key, as for the zones, not an AWS-owned one.
        "KmsKeyId": key_arn,
        "IamRoles": [get_att("WarehouseRole", "Arn")],
        "DefaultIamRoleArn": get_att("WarehouseRole", "Arn"),
        "LogExports": &warehouse.log_exports,
        "Tags": ctx.tags(),
    });
    if warehouse.log_exports.is_empty() {
        namespace.as_object_mut().map(|o| o.remove("LogExports"));
    }
    t.add(
        "WarehouseNamespace",
        Resource::new("AWS::RedshiftServerless::Namespace", span, namespace)
            .policy(ctx.retention()),
    )?;

    let mut workgroup = Resource::new(
        "AWS::RedshiftServerless::Workgroup",
        span,
        json!({
            "WorkgroupName": name,
            "NamespaceName": ref_("WarehouseNamespace"),
            "BaseCapacity": warehouse.base_capacity,
        }),
    );
    if let Some(max) = warehouse.max_capacity {
        workgroup = workgroup.prop("MaxCapacity", json!(max));
    }
    workgroup = workgroup
        .prop("PubliclyAccessible", json!(warehouse.publicly_accessible))
        .prop("EnhancedVpcRouting", json!(true))
        .prop("SubnetIds", json!(subnets))
        .prop("SecurityGroupIds", json!([security_group]))
        .prop("Tags", ctx.tags());
    if let Some(s) = warehouse.publicly_accessible_span {
        workgroup = workgroup.property_span("PubliclyAccessible", s);
    }
    t.add("WarehouseWorkgroup", workgroup)?;

    t.output(
        "WarehouseNamespaceName",
        "The Redshift Serverless namespace",
        ref_("WarehouseNamespace"),
        ctx.export("WarehouseNamespaceName"),
        span,
    )?;
    t.output(
        "WarehouseWorkgroupName",
        "The Redshift Serverless workgroup",
        ref_("WarehouseWorkgroup"),
        ctx.export("WarehouseWorkgroupName"),
        span,
    )?;
    t.output(
        "WarehouseRoleArn",
        "The role the warehouse uses to reach the zone buckets",
        get_att("WarehouseRole", "Arn"),
        ctx.export("WarehouseRoleArn"),
        span,
    )?;
    Ok(t)
}
