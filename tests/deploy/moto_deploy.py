#!/usr/bin/env python3
"""Deploy dlc's output into moto's CloudFormation emulation and read it back.

Usage: moto_deploy.py OUT_DIR [--env NAME]

Starts `moto_server` on a free 127.0.0.1 port, creates every stack of
OUT_DIR/manifest.json (or of one environment) in the manifest's deploy order,
each in its own account (through sts:AssumeRole, as a pipeline would) and
region, waits for CREATE_COMPLETE, then reads back what moto models: exports,
buckets (name, encryption, versioning, public access block, ownership, logging,
lifecycle, policy statements), the KMS key's rotation, the audit table, and the
VPC with its subnets. Expected values come from the templates themselves.

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


def adapt_for_moto(template):
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
            props["KeyPolicy"] = json.dumps(_resolve_partition(props["KeyPolicy"]))
        if resource["Type"] == "AWS::DynamoDB::Table" and "SSESpecification" in props:
            # moto reads the DynamoDB API's `Enabled` where CloudFormation says
            # `SSEEnabled`, and so reports the table as unencrypted.
            props["SSESpecification"]["Enabled"] = props["SSESpecification"]["SSEEnabled"]
    return template


def _resolve_partition(value):
    """`{"Fn::Sub": "arn:${AWS::Partition}:..."}` -> `"arn:aws:..."`, recursively."""
    if isinstance(value, dict):
        if list(value) == ["Fn::Sub"] and isinstance(value["Fn::Sub"], str):
            return value["Fn::Sub"].replace("${AWS::Partition}", "aws")
        return {k: _resolve_partition(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_partition(v) for v in value]
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
    # Not supported at all: moto skips them with a warning, and a Ref to them
    # (the warehouse's name exports) has no value.
    ("AWS::RedshiftServerless::Namespace", "*"),
    ("AWS::RedshiftServerless::Workgroup", "*"),
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


def create_stack(client, stack, body):
    cfn = client("cloudformation")
    cfn.create_stack(
        StackName=stack["name"],
        TemplateBody=json.dumps(body),
        Capabilities=stack["capabilities"],
        Tags=[{"Key": k, "Value": v} for k, v in stack["tags"].items()],
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


def check_stack(client, stack, template, desc, exports, check):
    cfn = client("cloudformation")
    physical = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.list_stack_resources(StackName=stack["name"])["StackResourceSummaries"]
    }
    name = stack["name"]
    stack_tags = {t["Key"]: t["Value"] for t in desc.get("Tags", [])}
    check.eq(f"{name} stack tags", stack_tags, stack["tags"])
    for export in stack["exports"]:
        check.eq(f"{name} exports {export}", export in exports, True)

    s3 = client("s3")
    kms = client("kms")
    for logical_id, resource in template["Resources"].items():
        props = resource.get("Properties", {})
        what = f"{name}/{logical_id}"
        kind = resource["Type"]
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
                key_arn = exports[f"{stack['environment']}S3KmsKeyArn"]
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
            check.eq(f"{what} key ARN export", exports[f"{stack['environment']}S3KmsKeyArn"],
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
            check.eq(f"{what} trust", role["AssumeRolePolicyDocument"]["Statement"],
                     props["AssumeRolePolicyDocument"]["Statement"])
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
        elif kind == "AWS::EC2::Subnet":
            check.eq(f"{what} physical ID is a subnet", physical[logical_id].startswith("subnet-"), True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out_dir")
    parser.add_argument("--env")
    args = parser.parse_args()

    with open(os.path.join(args.out_dir, "manifest.json")) as f:
        manifest = json.load(f)
    stacks = {s["name"]: s for s in manifest["stacks"]}
    order = [n for n in manifest["deploy_order"] if args.env is None or stacks[n]["environment"] == args.env]
    if not order:
        raise SystemExit(f"no stacks for environment {args.env!r}")

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
            exports_by_target = {}
            for name in order:
                stack = stacks[name]
                client = session_for(url, stack["account"], stack["region"])
                with open(os.path.join(args.out_dir, stack["template"])) as f:
                    template = json.load(f)
                desc = create_stack(client, stack, adapt_for_moto(template))
                target = (stack["account"], stack["region"])
                exports = {
                    e["Name"]: e.get("Value")
                    for page in client("cloudformation").get_paginator("list_exports").paginate()
                    for e in page["Exports"]
                }
                exports_by_target[target] = exports
                for output in template.get("Outputs", {}).values():
                    export = output["Export"]["Name"]
                    source = output_source(template, output["Value"])
                    if source is None or check.models(source, "*"):
                        check.eq(f"{name} export {export} has a value",
                                 exports.get(export) is not None, True)
                for imported in stack["imports"]:
                    check.eq(f"{name} imports {imported}", imported in exports, True)
                check_stack(client, stack, template, desc, exports, check)
                print(f"CREATE_COMPLETE {name} ({stack['account']}, {stack['region']})")
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
    print(f"ok: {len(order)} stacks, {check.checked} checks")


if __name__ == "__main__":
    main()
