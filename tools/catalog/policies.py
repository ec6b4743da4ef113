#!/usr/bin/env python3
"""Builds the policy data `iamsynth diff` reads declared permissions with.

Inputs (pinned in tools/catalog/sources.toml, fetched by tools/catalog/regenerate-policies):
  - aws-sam-translator wheel: samtranslator/policy_templates_data/policy_templates.json, the
    SAM policy templates (`DynamoDBCrudPolicy`, `S3ReadPolicy` ...) exactly as the SAM
    translator expands them at deploy time;
  - the same wheel's samtranslator/model/connector_profiles/profiles.json, the statements
    SAM generates for a connector (`AWS::Serverless::Connector`, embedded `Connectors`) from
    a source type to a destination type, per access category (`Read`, `Write`);
  - moto wheel: moto/iam/aws_managed_policies.py, a copy of the AWS managed policies
    (name, path, default version, document) that moto serves.

Output, in --out:
  - sam-policy-templates.json: {"version": ..., "templates": {name: {"parameters": [..],
    "statements": [..]}}}, keys sorted;
  - sam-connector-profiles.json: {"version": .., "destinations": {type: {category:
    [statements]}}, "outputs": {type: {"Arn": .., "Name": ..}}}: the IAM role policies SAM
    gives a Lambda function (source `AWS::Lambda::Function`) for each destination type, and
    how a destination given by `Id` yields its ARN, name, URL (`%{logicalId}` in them);
  - managed-policies.jsonl: one AWS managed policy a line, sorted by name, each line
    starting with `{"name":"<name>",` so synth can find a policy without parsing the rest;
  - policies-manifest.json: the source packages with version and sha256, each artifact's
    sha256 and the counts. A test checks the artifacts against it.

Standard library only; deterministic (sorted keys, no timestamps).
"""

import argparse
import ast
import hashlib
import json
import os
import zipfile

SAM_MEMBER = "samtranslator/policy_templates_data/policy_templates.json"
CONNECTOR_MEMBER = "samtranslator/model/connector_profiles/profiles.json"
MOTO_MEMBER = "moto/iam/aws_managed_policies.py"
# The connector source whose profiles grant a function's role; profiles of type
# AWS_IAM_ROLE_MANAGED_POLICY are the ones SAM turns into a policy on the source's role.
CONNECTOR_SOURCE = "AWS::Lambda::Function"
ROLE_POLICY_PROFILE = "AWS_IAM_ROLE_MANAGED_POLICY"


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def dist_version(wheel):
    """`moto-5.2.5-py3-none-any.whl` -> `5.2.5`."""
    return os.path.basename(wheel).split("-")[1]


def sam_templates(wheel):
    with zipfile.ZipFile(wheel) as z:
        data = json.loads(z.read(SAM_MEMBER))
    templates = {}
    for name, template in data["Templates"].items():
        templates[name] = {
            "parameters": sorted(template.get("Parameters", {}).keys()),
            "statements": template["Definition"]["Statement"],
        }
    return {"version": data.get("Version", ""), "templates": templates}


def connector_profiles(wheel):
    with zipfile.ZipFile(wheel) as z:
        data = json.loads(z.read(CONNECTOR_MEMBER))
    destinations = {}
    for destination, profile in data["Permissions"][CONNECTOR_SOURCE].items():
        if profile["Type"] != ROLE_POLICY_PROFILE:
            continue
        categories = profile["Properties"]["AccessCategories"]
        destinations[destination] = {
            category: body["Statement"] for category, body in categories.items()
        }
    outputs = {
        resource_type: properties["Outputs"]
        for resource_type, properties in data["CfnResourceProperties"].items()
        if "Outputs" in properties
    }
    return {"version": data.get("Version", ""), "destinations": destinations, "outputs": outputs}


def managed_policies(wheel):
    with zipfile.ZipFile(wheel) as z:
        source = z.read(MOTO_MEMBER).decode("utf-8")
    data = None
    for node in ast.parse(source).body:
        if (
            isinstance(node, ast.Assign)
            and any(getattr(t, "id", None) == "aws_managed_policies_data" for t in node.targets)
        ):
            data = json.loads(node.value.value)
    if data is None:
        raise SystemExit(f"{MOTO_MEMBER}: no aws_managed_policies_data")
    lines = []
    for name in sorted(data):
        policy = data[name]
        path = policy.get("Path", "/")
        # Key order is part of the format: `name` first (see the module doc).
        line = {
            "name": name,
            "arn": f"arn:aws:iam::aws:policy{path}{name}",
            "version": policy.get("DefaultVersionId", ""),
            "document": policy["Document"],
        }
        lines.append(json.dumps(line, separators=(",", ":"), ensure_ascii=False))
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sam-translator", required=True, help="aws_sam_translator wheel")
    parser.add_argument("--moto", required=True, help="moto wheel")
    parser.add_argument("--out", required=True, help="output folder (synth/data)")
    args = parser.parse_args()

    templates = sam_templates(args.sam_translator)
    sam_path = os.path.join(args.out, "sam-policy-templates.json")
    with open(sam_path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(templates, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")

    connectors = connector_profiles(args.sam_translator)
    connector_path = os.path.join(args.out, "sam-connector-profiles.json")
    with open(connector_path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(connectors, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")

    lines = managed_policies(args.moto)
    managed_path = os.path.join(args.out, "managed-policies.jsonl")
    with open(managed_path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines))
        f.write("\n")

    manifest = {
        "artifacts": [
            {
                "artifact": "managed-policies.jsonl",
                "count": len(lines),
                "sha256": sha256(managed_path),
            },
            {
                "artifact": "sam-connector-profiles.json",
                "count": len(connectors["destinations"]),
                "sha256": sha256(connector_path),
            },
            {
                "artifact": "sam-policy-templates.json",
                "count": len(templates["templates"]),
                "sha256": sha256(sam_path),
            },
        ],
        "generator": "tools/catalog/policies.py",
        "sources": [
            {
                "file": os.path.basename(args.sam_translator),
                "member": SAM_MEMBER,
                "package": "aws-sam-translator",
                "registry": "pypi",
                "sha256": sha256(args.sam_translator),
                "used_for": "SAM policy templates",
                "version": dist_version(args.sam_translator),
            },
            {
                "file": os.path.basename(args.sam_translator),
                "member": CONNECTOR_MEMBER,
                "package": "aws-sam-translator",
                "registry": "pypi",
                "sha256": sha256(args.sam_translator),
                "used_for": "SAM connector profiles (a Lambda function's role)",
                "version": dist_version(args.sam_translator),
            },
            {
                "file": os.path.basename(args.moto),
                "member": MOTO_MEMBER,
                "package": "moto",
                "registry": "pypi",
                "sha256": sha256(args.moto),
                "used_for": "AWS managed policy documents (default versions)",
                "version": dist_version(args.moto),
            },
        ],
    }
    with open(os.path.join(args.out, "policies-manifest.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
