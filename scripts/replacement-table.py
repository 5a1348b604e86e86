#!/usr/bin/env python3
"""Writes src/diff/replacement-table.json: for each CloudFormation resource
type dlc emits, the properties CloudFormation cannot update in place
(`createOnlyProperties`: a change replaces the resource) and every property
the type has (so a test can prove that every property dlc writes is
classified).

The data comes from the resource provider schemas that cfn-lint ships
(us-east-1, with cfn-lint's patches applied). Run it with the cfn-lint the
tests use, after adding a resource type to codegen or upgrading cfn-lint:

    .venv/bin/python scripts/replacement-table.py > src/diff/replacement-table.json
"""

import json
import sys

import cfnlint.version
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

REGION = "us-east-1"

# Every type codegen writes; tests/diff.rs fails when a compiled lake has one
# that is missing here.
TYPES = [
    "AWS::CodeBuild::Project",
    "AWS::CodePipeline::Pipeline",
    "AWS::CodePipeline::Webhook",
    "AWS::DynamoDB::Table",
    "AWS::EC2::EIP",
    "AWS::EC2::FlowLog",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::NatGateway",
    "AWS::EC2::Route",
    "AWS::EC2::RouteTable",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::Subnet",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::VPC",
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::Events::Rule",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::Role",
    "AWS::KMS::Alias",
    "AWS::KMS::Key",
    "AWS::RedshiftServerless::Namespace",
    "AWS::RedshiftServerless::Workgroup",
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::SNS::Topic",
    "AWS::SecretsManager::Secret",
]


def property_path(pointer):
    """`/properties/A/B` -> `A/B`."""
    prefix = "/properties/"
    if not pointer.startswith(prefix):
        sys.exit(f"unexpected createOnlyProperties entry {pointer!r}")
    return pointer[len(prefix):]


def main():
    types = {}
    for name in sorted(TYPES):
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(REGION, name).schema
        types[name] = {
            "create_only": sorted(
                property_path(p) for p in schema.get("createOnlyProperties", [])
            ),
            "properties": sorted(schema.get("properties", {})),
        }
    table = {
        "source": f"CloudFormation resource provider schemas ({REGION}) "
        f"as shipped by cfn-lint {cfnlint.version.__version__}",
        "generated_by": "scripts/replacement-table.py",
        "types": types,
    }
    json.dump(table, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
