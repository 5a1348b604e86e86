#!/usr/bin/env python3
"""Deploy dlc's output into moto's CloudFormation emulation and read it back.

Usage: moto_deploy.py OUT_DIR [--env NAME] [--dlc PATH]

Starts `moto_server` on a free 127.0.0.1 port and creates, each in its own
account (through sts:AssumeRole) and region, waiting for CREATE_COMPLETE:
first the bootstrap and pipeline stacks of OUT_DIR/manifest.json in its
`setup_order`, as a team does by hand; then every environment stack (or those
of one environment) in the manifest's deploy order, as the pipelines would. It
reads back what moto models: exports, buckets (name, encryption, versioning,
public access block, ownership, logging, lifecycle, policy statements), KMS
keys and aliases, roles (trust, inline policies, managed policies, permissions
boundary), the audit table, and the VPC with its subnets. Expected values come
from the templates themselves.

Then, for each pipeline, it fills its declaration
(`pipelines/<Env>.pipeline.json`) as docs/output.md tells a person to, with
`dlc pipeline-declaration` (the artifact key's ARN looked up by its alias, a
token for a GitHub token source), creates the pipeline from it with
CodePipeline's `create_pipeline` in the deployment account, reads it back with `get_pipeline`, and checks that the
stages and actions are the declaration's. (moto's CloudFormation does not
create `AWS::CodePipeline::Pipeline` or `AWS::CodeBuild::Project` resources;
creating the pipeline checks that the stack made its role, trusted by
CodePipeline, under the name the declaration gives.)

moto is not AWS: where moto is wrong and the template is right, the copy of
the template sent to moto is changed in ONE place, `adapt_for_moto`, each
change with its reason. The compiler's output is never changed for moto.

Needs: pip install 'moto[server]' boto3
"""

import argparse
import ast
import copy
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

try:
    import boto3
    from botocore.config import Config
except ImportError:
    sys.exit("boto3 is missing: pip install 'moto[server]' boto3")

START_TIMEOUT = 30  # seconds for moto_server to answer
STACK_TIMEOUT = 120  # seconds for one stack to reach a final state
BOTO_CONFIG = Config(connect_timeout=5, read_timeout=60, retries={"max_attempts": 2})


def adapt_for_moto(template, account, region):
    """The one place where the template sent to moto differs from dlc's output.

    Each change works around a moto 5.2 gap; the original is valid for
    CloudFormation (cfn-lint and the resource schemas agree).
    """
    template = copy.deepcopy(template)
    for resource in template["Resources"].values():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::KMS::Key":
            # moto reads KMS tags as TagKey/TagValue (the KMS API's shape) and
            # fails with KeyError 'TagKey' on CloudFormation's Key/Value tags.
            props.pop("Tags", None)
            # moto keeps a KeyPolicy given as a JSON object as a dict, then
            # fails (500, "the JSON object must be str") on json.loads of it in
            # DescribeKey. CloudFormation takes either form: send it as a
            # string, with the partition resolved since a string is opaque.
            props["KeyPolicy"] = json.dumps(_resolve_partition(props["KeyPolicy"], account, region))
        if resource["Type"] == "AWS::DynamoDB::Table" and "SSESpecification" in props:
            # moto reads the DynamoDB API's `Enabled` where CloudFormation says
            # `SSEEnabled`, and so reports the table as unencrypted.
            props["SSESpecification"]["Enabled"] = props["SSESpecification"]["SSEEnabled"]
        if resource["Type"] not in UNSUPPORTED_NAMES:
            # moto refuses a template whose GetAtt (or Sub) names a resource
            # of a type it does not create ("references undefined resource"):
            # such a reference becomes what CloudFormation would resolve it to.
            resource["Properties"] = _resolve_unsupported(resource.get("Properties", {}), template, account, region)
    return template


# Resource types moto's CloudFormation skips, and how CloudFormation names
# them: (the property holding the name, the ARN's format).
UNSUPPORTED_NAMES = {
    "AWS::CodeBuild::Project": ("Name", "arn:aws:codebuild:{region}:{account}:project/{name}"),
    "AWS::CodePipeline::Pipeline": ("Name", "arn:aws:codepipeline:{region}:{account}:{name}"),
    "AWS::CodePipeline::Webhook": ("Name", "arn:aws:codepipeline:{region}:{account}:webhook:{name}"),
}


def _resolve_unsupported(value, template, account, region):
    """`Ref`, `Fn::GetAtt` and `${...}` of a resource moto skips, resolved as
    CloudFormation would (a pipeline's Version is 1 when it is created)."""
    resources = template["Resources"]

    def name_of(logical_id):
        kind = resources.get(logical_id, {}).get("Type")
        if kind not in UNSUPPORTED_NAMES:
            return None
        prop, arn = UNSUPPORTED_NAMES[kind]
        name = resources[logical_id]["Properties"][prop]
        return name, arn.format(region=region, account=account, name=name)

    if isinstance(value, dict) and len(value) == 1:
        (fn, arg), = value.items()
        if fn == "Ref" and isinstance(arg, str) and name_of(arg):
            return name_of(arg)[0]
        if fn == "Fn::GetAtt" and name_of(arg[0]):
            return name_of(arg[0])[1] if arg[1] == "Arn" else 1
        if fn == "Fn::Sub" and isinstance(arg, str):
            for logical_id in resources:
                if name_of(logical_id):
                    name, arn = name_of(logical_id)
                    arg = arg.replace("${" + logical_id + ".Arn}", arn).replace("${" + logical_id + "}", name)
            return {"Fn::Sub": arg}
    if isinstance(value, dict):
        return {k: _resolve_unsupported(v, template, account, region) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_unsupported(v, template, account, region) for v in value]
    return value


def _resolve_partition(value, account, region):
    """`{"Fn::Sub": "arn:${AWS::Partition}:..."}` -> `"arn:aws:..."`, recursively,
    and the same for the account and region."""
    if isinstance(value, dict):
        if list(value) == ["Fn::Sub"] and isinstance(value["Fn::Sub"], str):
            return (value["Fn::Sub"].replace("${AWS::Partition}", "aws")
                    .replace("${AWS::AccountId}", account).replace("${AWS::Region}", region))
        return {k: _resolve_partition(v, account, region) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_partition(v, account, region) for v in value]
    return value


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto(log):
    # The module form works even where the console script is not on PATH
    # (a pyenv that has not rehashed since the install, say).
    try:
        import moto.server  # noqa: F401
    except ImportError:
        sys.exit("moto_server is missing: pip install 'moto[server]' boto3")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"moto_server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=2)
            return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"moto_server did not answer on {url} within {START_TIMEOUT}s")


# Properties that moto 5.2's CloudFormation accepts but does not apply, so
# there is nothing to read back. Checked on AWS by nobody here: listed so the
# skips are visible, and printed at the end of every run.
MOTO_IGNORES = {
    ("AWS::S3::Bucket", "VersioningConfiguration"),
    ("AWS::S3::Bucket", "PublicAccessBlockConfiguration"),
    ("AWS::S3::Bucket", "OwnershipControls"),
    ("AWS::S3::Bucket", "LoggingConfiguration"),
    ("AWS::S3::Bucket", "LifecycleConfiguration"),
    ("AWS::S3::Bucket", "BucketEncryption.BucketKeyEnabled"),
    ("AWS::S3::BucketPolicy", "*"),  # not supported at all: skipped with a warning
    ("AWS::DynamoDB::Table", "PointInTimeRecoverySpecification"),
    # moto's CloudFormation creates the role but attaches none of its managed
    # policies (the execution role's AdministratorAccess, say).
    ("AWS::IAM::Role", "ManagedPolicyArns"),
    # Not supported at all: moto skips them with a warning, and a Ref to them
    # (the warehouse's name exports) has no value.
    ("AWS::RedshiftServerless::Namespace", "*"),
    ("AWS::RedshiftServerless::Workgroup", "*"),
    # Not supported at all either: each pipeline is instead created from its
    # declaration with CodePipeline's own API, and read back from there.
    ("AWS::CodePipeline::Pipeline", "*"),
    ("AWS::CodePipeline::Webhook", "*"),
    ("AWS::CodeBuild::Project", "*"),
}


class Checker:
    def __init__(self):
        self.failures = []
        self.checked = 0
        self.skipped = set()

    def models(self, kind, prop):
        """Whether moto applies `prop` of `kind`; if not, note the skip."""
        if (kind, prop) in MOTO_IGNORES or (kind, "*") in MOTO_IGNORES:
            self.skipped.add(f"{kind} {prop}")
            return False
        return True

    def eq(self, what, actual, expected):
        self.checked += 1
        if actual != expected:
            self.failures.append(f"{what}: moto has {actual!r}, the template says {expected!r}")


def session_for(url, account, region):
    """Credentials of `account`, through sts:AssumeRole as a pipeline would."""
    sts = boto3.client(
        "sts",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=BOTO_CONFIG,
    )
    creds = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/dlc-deploy", RoleSessionName="dlc-test"
    )["Credentials"]
    session = boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=region,
    )
    identity = session.client("sts", endpoint_url=url, config=BOTO_CONFIG).get_caller_identity()
    if identity["Account"] != account:
        raise SystemExit(f"assumed account {identity['Account']}, wanted {account}")
    return lambda service: session.client(service, endpoint_url=url, config=BOTO_CONFIG)


def create_stack(client, stack, body, parameters):
    cfn = client("cloudformation")
    extra = {}
    if "update_role" in stack:
        # A pipeline stack deploys with the role its pipeline updates it with.
        extra["RoleARN"] = stack["update_role"]
    if parameters:
        extra["Parameters"] = [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()]
    cfn.create_stack(
        StackName=stack["name"],
        TemplateBody=json.dumps(body),
        Capabilities=stack["capabilities"],
        Tags=[{"Key": k, "Value": v} for k, v in stack["tags"].items()],
        **extra,
    )
    deadline = time.monotonic() + STACK_TIMEOUT
    while True:
        desc = cfn.describe_stacks(StackName=stack["name"])["Stacks"][0]
        status = desc["StackStatus"]
        if status == "CREATE_COMPLETE":
            return desc
        if not status.endswith("IN_PROGRESS") or time.monotonic() > deadline:
            events = cfn.describe_stack_events(StackName=stack["name"])["StackEvents"]
            reasons = [
                f"  {e['LogicalResourceId']}: {e['ResourceStatus']} {e.get('ResourceStatusReason', '')}"
                for e in events
                if "FAILED" in e["ResourceStatus"]
            ]
            raise SystemExit(f"{stack['name']}: {status}\n" + "\n".join(reasons))
        time.sleep(0.5)


def output_source(template, value):
    """The resource type an output's Ref or GetAtt points at, if any."""
    if isinstance(value, dict) and len(value) == 1:
        (fn, arg), = value.items()
        logical_id = arg if fn == "Ref" else arg[0] if fn == "Fn::GetAtt" else None
        if logical_id in template["Resources"]:
            return template["Resources"][logical_id]["Type"]
    return None


def resolve(value, physical, exports):
    """Enough of CloudFormation's intrinsics to compare the template with moto."""
    if isinstance(value, dict) and len(value) == 1:
        (fn, arg), = value.items()
        if fn == "Ref":
            return physical.get(arg, arg)
        if fn == "Fn::ImportValue":
            return exports[arg]
        if fn == "Fn::GetAtt":
            return ("GetAtt", arg[0], arg[1])
    return value


def resolve_partition(value, physical):
    """`Fn::Sub` of a partition, account or region, and `Ref` of a resource of
    the stack or a pseudo parameter, as CloudFormation resolves them in moto
    (partition `aws`). `physical` holds the pseudo parameters too."""
    if isinstance(value, dict) and len(value) == 1:
        (fn, arg), = value.items()
        if fn == "Fn::Sub" and isinstance(arg, str):
            text = arg.replace("${AWS::Partition}", "aws")
            for name, resolved in physical.items():
                text = text.replace("${" + name + "}", resolved)
            return text
        if fn == "Ref" and arg in physical:
            return physical[arg]
    if isinstance(value, dict):
        return {k: resolve_partition(v, physical) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_partition(v, physical) for v in value]
    return value


def key_arn_of(kms, physical, exports, value):
    """The ARN of the key a bucket names: an imported export, or a key of its stack."""
    if isinstance(value, dict) and "Fn::ImportValue" in value:
        return exports[value["Fn::ImportValue"]]
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return kms.describe_key(KeyId=physical[value["Fn::GetAtt"][0]])["KeyMetadata"]["Arn"]
    return value


def check_stack(client, stack, template, desc, exports, check):
    cfn = client("cloudformation")
    physical = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.list_stack_resources(StackName=stack["name"])["StackResourceSummaries"]
    }
    physical["AWS::AccountId"] = stack["account"]
    physical["AWS::Region"] = stack["region"]
    name = stack["name"]
    stack_tags = {t["Key"]: t["Value"] for t in desc.get("Tags", [])}
    check.eq(f"{name} stack tags", stack_tags, stack["tags"])
    for export in stack.get("exports", []):
        check.eq(f"{name} exports {export}", export in exports, True)

    s3 = client("s3")
    kms = client("kms")
    for logical_id, resource in template["Resources"].items():
        props = resource.get("Properties", {})
        what = f"{name}/{logical_id}"
        kind = resource["Type"]
        if (kind, "*") in MOTO_IGNORES:
            check.models(kind, "*")
            continue
        if kind == "AWS::S3::Bucket":
            bucket = props["BucketName"]
            check.eq(f"{what} physical name", physical.get(logical_id), bucket)
            s3.head_bucket(Bucket=bucket)
            rule = s3.get_bucket_encryption(Bucket=bucket)[
                "ServerSideEncryptionConfiguration"
            ]["Rules"][0]
            want = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
            sse = rule["ApplyServerSideEncryptionByDefault"]
            check.eq(f"{what} SSE algorithm", sse["SSEAlgorithm"],
                     want["ServerSideEncryptionByDefault"]["SSEAlgorithm"])
            if "KMSMasterKeyID" in want["ServerSideEncryptionByDefault"]:
                key_arn = key_arn_of(kms, physical, exports,
                                     want["ServerSideEncryptionByDefault"]["KMSMasterKeyID"])
                check.eq(f"{what} SSE key", sse.get("KMSMasterKeyID"), key_arn)
                if check.models(kind, "BucketEncryption.BucketKeyEnabled"):
                    check.eq(f"{what} bucket key", rule.get("BucketKeyEnabled"), True)
            if check.models(kind, "VersioningConfiguration"):
                check.eq(f"{what} versioning", s3.get_bucket_versioning(Bucket=bucket).get("Status"),
                         props["VersioningConfiguration"]["Status"])
            if check.models(kind, "PublicAccessBlockConfiguration"):
                check.eq(f"{what} public access block",
                         s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"],
                         props["PublicAccessBlockConfiguration"])
            if check.models(kind, "OwnershipControls"):
                check.eq(f"{what} ownership",
                         s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"],
                         props["OwnershipControls"])
            if "LoggingConfiguration" in props and check.models(kind, "LoggingConfiguration"):
                logging = s3.get_bucket_logging(Bucket=bucket).get("LoggingEnabled", {})
                want_logging = props["LoggingConfiguration"]
                check.eq(f"{what} access-log bucket", logging.get("TargetBucket"),
                         resolve(want_logging["DestinationBucketName"], physical, exports))
                check.eq(f"{what} access-log prefix", logging.get("TargetPrefix"),
                         want_logging["LogFilePrefix"])
            if "LifecycleConfiguration" in props and check.models(kind, "LifecycleConfiguration"):
                rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
                got = {r["ID"]: r for r in rules}
                for want_rule in props["LifecycleConfiguration"]["Rules"]:
                    rule_id = want_rule["Id"]
                    got_rule = got.get(rule_id, {})
                    check.eq(f"{what} lifecycle {rule_id} status", got_rule.get("Status"),
                             want_rule["Status"])
                    if "ExpirationInDays" in want_rule:
                        check.eq(f"{what} lifecycle {rule_id} expiration",
                                 got_rule.get("Expiration", {}).get("Days"),
                                 want_rule["ExpirationInDays"])
                    if "NoncurrentVersionExpiration" in want_rule:
                        check.eq(f"{what} lifecycle {rule_id} noncurrent expiration",
                                 got_rule.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays"),
                                 want_rule["NoncurrentVersionExpiration"]["NoncurrentDays"])
                    if "Transitions" in want_rule:
                        check.eq(f"{what} lifecycle {rule_id} transitions",
                                 [(t.get("StorageClass"), t.get("Days")) for t in got_rule.get("Transitions", [])],
                                 [(t["StorageClass"], t["TransitionInDays"]) for t in want_rule["Transitions"]])
                    if "AbortIncompleteMultipartUpload" in want_rule:
                        check.eq(f"{what} lifecycle {rule_id} abort uploads",
                                 got_rule.get("AbortIncompleteMultipartUpload"),
                                 want_rule["AbortIncompleteMultipartUpload"])
        elif kind == "AWS::S3::BucketPolicy" and check.models(kind, "*"):
            bucket = resolve(props["Bucket"], physical, exports)
            policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
            check.eq(f"{what} statements",
                     [(s.get("Sid"), s["Effect"], s["Action"]) for s in policy["Statement"]],
                     [(s.get("Sid"), s["Effect"], s["Action"]) for s in props["PolicyDocument"]["Statement"]])
        elif kind == "AWS::KMS::Key":
            key_id = physical[logical_id]
            check.eq(f"{what} rotation",
                     kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"],
                     props["EnableKeyRotation"])
            export = f"{stack.get('environment')}S3KmsKeyArn"
            if export in stack.get("exports", []):
                check.eq(f"{what} key ARN export", exports[export],
                         kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"])
        elif kind == "AWS::KMS::Alias":
            aliases = [a["AliasName"] for a in kms.list_aliases()["Aliases"]]
            check.eq(f"{what} alias exists", props["AliasName"] in aliases, True)
        elif kind == "AWS::DynamoDB::Table":
            dynamodb = client("dynamodb")
            table = dynamodb.describe_table(TableName=props["TableName"])["Table"]
            check.eq(f"{what} key schema", table["KeySchema"], props["KeySchema"])
            check.eq(f"{what} attributes", table["AttributeDefinitions"], props["AttributeDefinitions"])
            check.eq(f"{what} billing", table.get("BillingModeSummary", {}).get("BillingMode"),
                     props["BillingMode"])
            check.eq(f"{what} SSE type", table.get("SSEDescription", {}).get("SSEType"),
                     props["SSESpecification"]["SSEType"])
            check.eq(f"{what} SSE key", table.get("SSEDescription", {}).get("KMSMasterKeyArn"),
                     exports[f"{stack['environment']}S3KmsKeyArn"])
            if check.models(kind, "PointInTimeRecoverySpecification"):
                pitr = dynamodb.describe_continuous_backups(TableName=props["TableName"])[
                    "ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
                check.eq(f"{what} point-in-time recovery", pitr["PointInTimeRecoveryStatus"], "ENABLED")
        elif kind == "AWS::EC2::VPC":
            ec2 = client("ec2")
            vpc_id = physical[logical_id]
            vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
            check.eq(f"{what} CIDR", vpc["CidrBlock"], props["CidrBlock"])
            check.eq(f"{what} VpcId export", exports[f"{stack['environment']}VpcId"], vpc_id)
            subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
            got = sorted((s["CidrBlock"], s["AvailabilityZone"]) for s in subnets)
            want = sorted(
                (r["Properties"]["CidrBlock"], r["Properties"]["AvailabilityZone"])
                for r in template["Resources"].values()
                if r["Type"] == "AWS::EC2::Subnet"
            )
            check.eq(f"{what} subnets (CIDR, zone)", got, want)
        elif kind == "AWS::IAM::Role":
            iam = client("iam")
            role_name = physical[logical_id]
            role = iam.get_role(RoleName=role_name)["Role"]
            check.eq(f"{what} name", role_name, props.get("RoleName", role_name))
            check.eq(f"{what} trust", role["AssumeRolePolicyDocument"]["Statement"],
                     resolve_partition(props["AssumeRolePolicyDocument"]["Statement"], physical))
            if "PermissionsBoundary" in props:
                check.eq(f"{what} permissions boundary",
                         role.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn"),
                         resolve_partition(props["PermissionsBoundary"], physical))
            if "ManagedPolicyArns" in props and check.models(kind, "ManagedPolicyArns"):
                attached = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
                check.eq(f"{what} managed policies", sorted(p["PolicyArn"] for p in attached),
                         sorted(resolve_partition(props["ManagedPolicyArns"], physical)))
            for policy in props.get("Policies", []):
                got = iam.get_role_policy(RoleName=role_name, PolicyName=policy["PolicyName"])
                document = got["PolicyDocument"]
                if isinstance(document, str):
                    # moto 5.2 keeps an inline policy created through
                    # CloudFormation as Python's repr of the dict, not JSON.
                    try:
                        document = json.loads(urllib.parse.unquote(document))
                    except ValueError:
                        document = ast.literal_eval(document)
                check.eq(f"{what} policy {policy['PolicyName']} statements",
                         [(st["Sid"], st["Action"]) for st in document["Statement"]],
                         [(st["Sid"], st["Action"]) for st in policy["PolicyDocument"]["Statement"]])
        elif kind == "AWS::Events::Rule":
            events = client("events")
            rule = events.describe_rule(Name=props["Name"])
            check.eq(f"{what} event pattern", json.loads(rule["EventPattern"]),
                     resolve_partition(props["EventPattern"], physical))
            targets = events.list_targets_by_rule(Rule=props["Name"])["Targets"]
            check.eq(f"{what} targets", [(t["Id"], t["Arn"]) for t in targets],
                     [(t["Id"], resolve_partition(_resolve_unsupported(t["Arn"], template, stack["account"],
                                                                       stack["region"]), physical))
                      for t in props["Targets"]])
        elif kind == "AWS::IAM::ManagedPolicy":
            iam = client("iam")
            arn = physical[logical_id]
            version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
            document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
            if isinstance(document, str):
                document = json.loads(urllib.parse.unquote(document))
            check.eq(f"{what} name", arn.rsplit("/", 1)[-1], props["ManagedPolicyName"])
            check.eq(f"{what} statements",
                     [(st["Sid"], st["Action"]) for st in document["Statement"]],
                     [(st["Sid"], st["Action"]) for st in props["PolicyDocument"]["Statement"]])
        elif kind == "AWS::EC2::Subnet":
            check.eq(f"{what} physical ID is a subnet", physical[logical_id].startswith("subnet-"), True)


def deploy(client, stack, out_dir, check, outputs):
    """Creates one stack from its template, checks it, and returns its
    template. Its parameters are the outputs of earlier stacks the manifest
    names (`outputs`: by stack, by output key), as a person passes them with
    `--parameter-overrides`; its own outputs join `outputs`."""
    with open(os.path.join(out_dir, stack["template"])) as f:
        template = json.load(f)
    parameters = {
        name: outputs[source["stack"]][source["output"]]
        for name, source in stack.get("parameters", {}).items()
    }
    check.eq(f"{stack['name']} parameters", sorted(parameters), sorted(template.get("Parameters", {})))
    for name, value in parameters.items():
        pattern = template["Parameters"][name]["AllowedPattern"]
        check.eq(f"{stack['name']} parameter {name} = {value} matches {pattern}",
                 re.fullmatch(pattern, value) is not None, True)
    desc = create_stack(client, stack, adapt_for_moto(template, stack["account"], stack["region"]), parameters)
    outputs[stack["name"]] = {o["OutputKey"]: o["OutputValue"] for o in desc.get("Outputs", [])}
    if "update_role" in stack:
        check.eq(f"{stack['name']} role", desc.get("RoleARN"), stack["update_role"])
    exports = {
        e["Name"]: e.get("Value")
        for page in client("cloudformation").get_paginator("list_exports").paginate()
        for e in page["Exports"]
    }
    for key, output in template.get("Outputs", {}).items():
        if "Export" not in output:
            check.eq(f"{stack['name']} output {key} has a value",
                     outputs[stack["name"]].get(key) is not None, True)
            continue
        export = output["Export"]["Name"]
        source = output_source(template, output["Value"])
        if source is None or check.models(source, "*"):
            check.eq(f"{stack['name']} export {export} has a value",
                     exports.get(export) is not None, True)
    for imported in stack.get("imports", []):
        check.eq(f"{stack['name']} imports {imported}", imported in exports, True)
    check_stack(client, stack, template, desc, exports, check)
    print(f"CREATE_COMPLETE {stack['name']} ({stack['account']}, {stack['region']})")
    return template


def normalized_stages(stages):
    """Stages with the defaults CodePipeline fills in written out, so that a
    declaration and what get_pipeline returns compare equal."""
    out = []
    for stage in stages:
        actions = []
        for action in stage["actions"]:
            action = dict(action)
            action.setdefault("runOrder", 1)
            action.setdefault("configuration", {})
            action.setdefault("inputArtifacts", [])
            action.setdefault("outputArtifacts", [])
            actions.append(action)
        out.append({"name": stage["name"], "actions": actions})
    return out


def camel_case(value, in_configuration=False):
    """CloudFormation's PascalCase keys as CodePipeline's API spells them (an
    action's configuration keeps its own)."""
    if isinstance(value, dict):
        return {
            (k if in_configuration else k[:1].lower() + k[1:]):
                camel_case(v, in_configuration or k == "Configuration")
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [camel_case(v, in_configuration) for v in value]
    return value


def template_pipeline(client, entry, template):
    """The pipeline stack's AWS::CodePipeline::Pipeline, its references resolved
    to what moto created for the stack, in the API's spelling."""
    cfn, iam, kms = client("cloudformation"), client("iam"), client("kms")
    physical = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.list_stack_resources(StackName=entry["name"])["StackResourceSummaries"]
    }
    physical.update({"AWS::AccountId": entry["account"], "AWS::Region": entry["region"]})
    # The stack's parameters (the regional artifact key's ARN) resolve to
    # what it was deployed with.
    stack = cfn.describe_stacks(StackName=entry["name"])["Stacks"][0]
    physical.update({p["ParameterKey"]: p["ParameterValue"] for p in stack.get("Parameters", [])})
    resources = template["Resources"]

    def att(logical_id):
        kind = resources[logical_id]["Type"]
        if kind == "AWS::IAM::Role":
            return iam.get_role(RoleName=physical[logical_id])["Role"]["Arn"]
        if kind == "AWS::KMS::Key":
            return kms.describe_key(KeyId=physical[logical_id])["KeyMetadata"]["Arn"]
        raise SystemExit(f"no ARN for {kind}")

    def resolve(value):
        if isinstance(value, dict) and len(value) == 1:
            (fn, arg), = value.items()
            if fn == "Ref":
                if arg in physical:
                    return physical[arg]
                return resources[arg]["Properties"][UNSUPPORTED_NAMES[resources[arg]["Type"]][0]]
            if fn == "Fn::GetAtt":
                return att(arg[0])
            if fn == "Fn::Sub":
                return resolve_partition(value, physical)
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if secret_name(value) is not None:
            return client("secretsmanager").get_secret_value(SecretId=secret_name(value))["SecretString"]
        return value

    properties = dict(resources["Pipeline"]["Properties"])
    properties.pop("RestartExecutionOnUpdate", None)
    properties.pop("Tags", None)
    return camel_case(resolve(properties))


def artifact_stores(pipeline, region):
    """A pipeline's artifact stores by region: its `artifactStores`, or its one
    `artifactStore` in the pipeline's region."""
    stores = pipeline.get("artifactStores")
    if isinstance(stores, list):  # CloudFormation's form, camel-cased
        return {s["region"]: s["artifactStore"] for s in stores}
    if stores is not None:  # the API's: a map from region
        return stores
    return {region: pipeline["artifactStore"]}


SECRET_REFERENCE = ("{{resolve:secretsmanager:", ":SecretString:::}}")


def secret_name(text):
    """The secret a `{{resolve:secretsmanager:...}}` reference names, if it is one."""
    head, tail = SECRET_REFERENCE
    if isinstance(text, str) and text.startswith(head) and text.endswith(tail):
        return text[len(head):-len(tail)]
    return None


def github_secret(client, template):
    """The GitHub token's secret the pipeline's source reads, created in moto
    as a team creates it before the pipeline stack (README, step 1)."""
    stages = template["Resources"]["Pipeline"]["Properties"]["Stages"]
    name = secret_name(stages[0]["Actions"][0]["Configuration"].get("OAuthToken"))
    if name is None:
        return None
    secrets = client("secretsmanager")
    try:
        secrets.create_secret(Name=name, SecretString="moto-github-token")
    except secrets.exceptions.ResourceExistsException:
        pass
    return name


def filled_declaration(url, client, entry, path, template, dlc):
    """The declaration with its placeholders filled by `dlc
    pipeline-declaration`, as docs/output.md shows: each key's ARN looked up
    by its alias (in the environment's region too, for a pipeline that
    crosses regions), the token read from its secret."""
    alias = template["Resources"]["ArtifactKeyAlias"]["Properties"]["AliasName"]
    key_arn = client("kms").describe_key(KeyId=alias)["KeyMetadata"]["Arn"]
    command = [dlc, "pipeline-declaration", path, "--artifact-key-arn", key_arn]
    with open(path) as f:
        stores = json.load(f)["pipeline"].get("artifactStores") or {}
    for region in stores:
        if region != entry["region"]:
            kms = session_for(url, entry["account"], region)("kms")
            regional = kms.describe_key(KeyId=alias)["KeyMetadata"]["Arn"]
            command += ["--regional-artifact-key-arn", regional]
    name = github_secret(client, template)
    token = ""
    if name is not None:
        token = client("secretsmanager").get_secret_value(SecretId=name)["SecretString"]
        command.append("--github-token-stdin")
    filled = subprocess.run(command, input=token, capture_output=True, text=True)
    if filled.returncode != 0:
        raise SystemExit(f"dlc pipeline-declaration {path} failed:\n{filled.stderr}")
    return json.loads(filled.stdout)


def create_declared_pipeline(url, client, entry, out_dir, check, dlc):
    """create_pipeline from the filled declaration, then get_pipeline: the same
    stages and actions as the declaration, and as the pipeline stack's resource."""
    with open(os.path.join(out_dir, entry["template"])) as f:
        template = json.load(f)
    github_secret(client, template)
    from_template = template_pipeline(client, entry, template)
    declaration = filled_declaration(url, client, entry, os.path.join(out_dir, entry["declaration"]),
                                     template, dlc)
    codepipeline = client("codepipeline")
    codepipeline.create_pipeline(**declaration)
    got = codepipeline.get_pipeline(name=entry["pipeline"])["pipeline"]
    want = declaration["pipeline"]
    what = f"pipeline {entry['pipeline']}"
    for key in ("name", "roleArn", "artifactStore", "artifactStores", "pipelineType", "executionMode",
                "triggers"):
        if key in want:
            check.eq(f"{what} {key}", got.get(key), want[key])
    check.eq(f"{what} stages", [s["name"] for s in got["stages"]], [s["name"] for s in want["stages"]])
    for got_stage, want_stage in zip(normalized_stages(got["stages"]), normalized_stages(want["stages"])):
        check.eq(f"{what} {want_stage['name']} actions",
                 [a["name"] for a in got_stage["actions"]],
                 [a["name"] for a in want_stage["actions"]])
        for got_action, want_action in zip(got_stage["actions"], want_stage["actions"]):
            check.eq(f"{what} {want_stage['name']}/{want_action['name']}", got_action, want_action)
    # The stack's pipeline resource, resolved against what moto created: the
    # same pipeline, with the same keys (the filled declaration has their
    # ARNs, the stack their aliases). A store in another region is the
    # bootstrap's, there.
    want_stores = artifact_stores(from_template, entry["region"])
    got_stores = artifact_stores(got, entry["region"])
    check.eq(f"{what} artifact store regions", sorted(got_stores), sorted(want_stores))
    for region, want_store in want_stores.items():
        got_store = got_stores.get(region, {})
        kms = session_for(url, entry["account"], region)("kms")
        key_arn = lambda key_id: kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
        check.eq(f"{what} artifact key in {region} (from its alias)",
                 key_arn(got_store["encryptionKey"]["id"]), key_arn(want_store["encryptionKey"]["id"]))
        check.eq(f"{what} artifact bucket in {region}", got_store["location"], want_store["location"])
    check.eq(f"{what} role (the stack's)", got["roleArn"], from_template["roleArn"])
    check.eq(f"{what} stages and actions (the stack's)",
             normalized_stages(got["stages"]), normalized_stages(from_template["stages"]))
    arn = codepipeline.get_pipeline(name=entry["pipeline"])["metadata"]["pipelineArn"]
    tags = codepipeline.list_tags_for_resource(resourceArn=arn)["tags"]
    check.eq(f"{what} tags", sorted((t["key"], t["value"]) for t in tags),
             sorted((t["key"], t["value"]) for t in declaration["tags"]))
    print(f"CREATED {what} from {entry['declaration']} ({entry['account']}, {entry['region']})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir")
    parser.add_argument("--env")
    parser.add_argument("--dlc", default="dlc", help="the dlc binary that fills the declarations")
    args = parser.parse_args()

    with open(os.path.join(args.out_dir, "manifest.json")) as f:
        manifest = json.load(f)
    stacks = {s["name"]: s for s in manifest["stacks"]}
    order = [n for n in manifest["deploy_order"] if args.env is None or stacks[n]["environment"] == args.env]
    if not order:
        raise SystemExit(f"no stacks for environment {args.env!r}")
    # The bootstrap and pipeline stacks: the deployment account's bootstrap
    # always, the others of the environment asked for.
    setup = {s["name"]: s for s in manifest.get("bootstrap", []) + manifest.get("pipelines", [])}
    setup_order = [n for n in manifest.get("setup_order", [])
                   if args.env is None or setup[n]["environment"] in (None, args.env)]
    pipelines = [p for p in manifest.get("pipelines", []) if p["name"] in setup_order]

    # Never reach real AWS or read local AWS configuration.
    os.environ.update({
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    })
    os.environ.pop("AWS_PROFILE", None)

    check = Checker()
    with tempfile.TemporaryFile(mode="w+") as log:
        proc, url = start_moto(log)
        try:
            outputs = {}
            for name in setup_order + order:
                stack = setup.get(name) or stacks[name]
                deploy(session_for(url, stack["account"], stack["region"]), stack, args.out_dir, check, outputs)
            for entry in pipelines:
                client = session_for(url, entry["account"], entry["region"])
                create_declared_pipeline(url, client, entry, args.out_dir, check, args.dlc)
        except BaseException:
            log.seek(0)
            print("--- moto_server log (tail) ---\n" + log.read()[-6000:], file=sys.stderr)
            raise
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    if check.failures:
        print("\n".join(check.failures), file=sys.stderr)
        raise SystemExit(f"{len(check.failures)} of {check.checked} checks failed")
    for skip in sorted(check.skipped):
        print(f"not read back (moto does not apply it): {skip}")
    print(f"ok: {len(setup_order) + len(order)} stacks, {len(pipelines)} pipelines, {check.checked} checks")


if __name__ == "__main__":
    main()
