"""Validates CodePipeline declarations (the input of `create-pipeline`)
against botocore's model of the CodePipeline API, offline.

First botocore's own ParamValidator on CreatePipeline's input shape: required
members, types, unknown keys, minimum lengths and values. Then what it leaves
to the service, from the same model: maximum lengths and values, patterns and
enums. Then two rules of the API reference that no shape states: no value is
a placeholder or a CloudFormation dynamic reference (the API resolves
neither), and the artifact key is not an alias when an action runs as a role
of another account ("Aliases are recognized only in the account that created
the AWS KMS key. For cross-account actions, you can only use the key ID or key
ARN", EncryptionKey, AWS CodePipeline API Reference).

Usage: validate_declarations.py FILE...
Prints `OK FILE` or `INVALID FILE: problem` per problem; exits 1 if any file
is invalid.
"""

import json
import re
import sys

import botocore.session
from botocore.validate import ParamValidator


def constraints(shape, value, path, problems):
    """The constraints of `shape` that ParamValidator does not check."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for key, item in value.items():
            if key in shape.members:
                constraints(shape.members[key], item, f"{path}.{key}", problems)
    elif kind == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            constraints(shape.member, item, f"{path}[{i}]", problems)
    elif kind == "map" and isinstance(value, dict):
        for key, item in value.items():
            constraints(shape.key, key, f"{path} key {key!r}", problems)
            constraints(shape.value, item, f"{path}.{key}", problems)
    elif kind == "string" and isinstance(value, str):
        meta = shape.metadata
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{path}: {len(value)} characters, over {shape.name}'s {meta['max']}")
        if "pattern" in meta and not re.fullmatch(meta["pattern"], value):
            problems.append(f"{path}: {value!r} does not match {shape.name}'s pattern {meta['pattern']}")
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} is not one of {shape.enum}")
    elif kind in ("integer", "long") and isinstance(value, int):
        meta = shape.metadata
        if "max" in meta and value > meta["max"]:
            problems.append(f"{path}: {value} is over {shape.name}'s maximum {meta['max']}")


def strings(value, path):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from strings(item, f"{path}[{i}]")
    elif isinstance(value, str):
        yield path, value


def account_of(arn):
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else None


def api_rules(declaration, problems):
    for path, text in strings(declaration, ""):
        if "${dlc:" in text or "{{resolve:" in text:
            problems.append(f"{path}: {text!r} is a placeholder the API does not resolve")
    pipeline = declaration.get("pipeline", {})
    key = pipeline.get("artifactStore", {}).get("encryptionKey", {}).get("id", "")
    home = account_of(pipeline.get("roleArn", ""))
    others = {
        account_of(action["roleArn"])
        for stage in pipeline.get("stages", [])
        for action in stage.get("actions", [])
        if "roleArn" in action
    } - {home}
    if ":alias/" in key and others:
        problems.append(
            f".pipeline.artifactStore.encryptionKey.id: {key!r} is an alias, but actions run "
            f"as roles of {sorted(others)}: cross-account actions need the key ID or key ARN"
        )


def main(paths):
    model = botocore.session.get_session().get_service_model("codepipeline")
    shape = model.operation_model("CreatePipeline").input_shape
    invalid = False
    for path in paths:
        with open(path) as f:
            declaration = json.load(f)
        problems = []
        report = ParamValidator().validate(declaration, shape)
        if report.has_errors():
            problems.extend(report.generate_report().splitlines())
        constraints(shape, declaration, "", problems)
        api_rules(declaration, problems)
        for problem in problems:
            print(f"INVALID {path}: {problem.strip()}")
        if problems:
            invalid = True
        else:
            print(f"OK {path}")
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
