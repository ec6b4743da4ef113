#!/usr/bin/env python3
"""Builds iamsynth's offline AWS catalog from registry packages.

Inputs (see tools/catalog/sources.toml, fetched by tools/catalog/regenerate):
  - botocore wheel: clients, operations, input members, HTTP method, paginators, waiters;
  - cloudcover-aws crate: a dated copy of the AWS Service Authorization Reference (SAR):
    operations to authorized actions, actions to resource types, ARN formats, access levels;
  - aws-sdk (JavaScript v2) tarball: the SDK's class names (`AWS.StepFunctions`).

Output, in --out:
  - catalog.jsonl: line 1 is an index; then one line per SDK client, then one line per IAM
    service prefix. synth parses the index at start-up and a client's or service's line only
    when a lookup needs it, which keeps start-up cheap.
  - catalog-manifest.json: every source package with version and sha256, the artifact's
    sha256 and the counts. A test checks the artifact against it.

The operation-to-action choice made here is the *default*: the SAR's authorized actions are
what MAY be checked; we keep that superset as `may` and pick the action the call needs as
`req` by the rules in `required_actions`. Reviewed exceptions live in
synth/data/overrides.toml, applied by synth at run time, each row with its source.
Standard library only; deterministic (sorted keys, no timestamps).
"""

import argparse
import gzip
import hashlib
import io
import json
import re
import tarfile
import zipfile
from collections import Counter

SCHEMA = 1

# Clients whose IAM prefix is not their signingName/endpointPrefix and whose SAR entry does
# not tell us (no authorized actions). Source: ../shared/aws-data-notes.md, "IAM prefix of a
# client", checked against the SAR's service prefixes.
PREFIX_EXCEPTIONS = {
    "cloudwatch": "cloudwatch",
    "resourcegroupstaggingapi": "tag",
    "mturk": "mechanicalturk",
    "cloudcontrol": "cloudformation",
    "iot-data": "iot",
    "iotsecuretunneling": "iot",
    "apigatewaymanagementapi": "execute-api",
}

# Authorized actions that are conditional on an argument: they never become the default
# required action, synth adds them when the argument is present (overrides.toml [[extra]]).
CONDITIONAL_SUFFIXES = ("TagResource", "CreateTags", "PassRole")


def xform_name(name):
    """botocore.xform_name: the snake_case method name of an operation."""
    s1 = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    s2 = re.sub("([a-z0-9])([A-Z])", r"\1_\2", s1)
    return s2.lower()


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def js_v3_package(service_id):
    """`@aws-sdk/client-<x>` without the scope: serviceId lower-cased, spaces to dashes."""
    return "client-" + service_id.lower().replace(" ", "-")


def rust_crate(service_id):
    """aws-sdk-rust's crate: serviceId lower-cased without spaces, minus a trailing
    `service` or `api` (smithy-rs naming: `Config Service` -> aws-sdk-config,
    `ApiGatewayManagementApi` -> aws-sdk-apigatewaymanagement)."""
    name = service_id.lower().replace(" ", "").replace("-", "")
    for suffix in ("service", "api"):
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
    return "aws-sdk-" + name


def load_botocore(wheel):
    """{client: {"service": service-2 model, "waiters": ..., "paginators": ...}} (newest api-version)."""
    clients = {}
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        versions = {}
        for n in names:
            m = re.match(r"botocore/data/([^/]+)/([^/]+)/service-2\.json(\.gz)?$", n)
            if m:
                versions.setdefault(m.group(1), []).append((m.group(2), n))
        for client, found in versions.items():
            version, path = sorted(found)[-1]
            raw = z.read(path)
            model = json.loads(gzip.decompress(raw) if path.endswith(".gz") else raw)
            entry = {"service": model, "waiters": {}, "paginators": {}}
            for kind, fname in (("waiters", "waiters-2.json"), ("paginators", "paginators-1.json")):
                base = f"botocore/data/{client}/{version}/{fname}"
                for candidate in (base, base + ".gz"):
                    if candidate in names:
                        data = z.read(candidate)
                        doc = json.loads(gzip.decompress(data) if candidate.endswith(".gz") else data)
                        entry[kind] = doc.get("waiters" if kind == "waiters" else "pagination", {})
            clients[client] = entry
    return clients


def load_sar(crate):
    with tarfile.open(crate, "r:gz") as t:
        member = next(m for m in t.getmembers() if m.name.endswith("data/sar/catalog.json"))
        doc = json.load(t.extractfile(member))
        manifest = next(m for m in t.getmembers() if m.name.endswith("data/sar/manifest.json"))
        sar_manifest = json.load(t.extractfile(manifest))
    return {s["service"]: s["document"] for s in doc["services"]}, sar_manifest


def load_js_v2_names(tgz):
    """serviceId -> JS v2 class name, from aws-sdk's apis/metadata.json and api files."""
    names = {}
    with tarfile.open(tgz, "r:gz") as t:
        members = {m.name: m for m in t.getmembers()}
        metadata = json.load(t.extractfile(members["package/apis/metadata.json"]))
        api_files = sorted(n for n in members if re.match(r"package/apis/.+\.min\.json$", n))
        for key, info in sorted(metadata.items()):
            prefix = info.get("prefix", key)
            candidates = [n for n in api_files if re.match(rf"package/apis/{re.escape(prefix)}-\d{{4}}-\d\d-\d\d\.min\.json$", n)]
            if not candidates:
                continue
            api = json.load(t.extractfile(members[candidates[-1]]))
            service_id = api.get("metadata", {}).get("serviceId")
            if service_id:
                names[service_id] = info["name"]
    return names


def access_level(action):
    props = action.get("Annotations", {}).get("Properties", {})
    if props.get("IsPermissionManagement"):
        return "Permissions management"
    if props.get("IsTaggingOnly"):
        return "Tagging"
    if props.get("IsWrite"):
        return "Write"
    if props.get("IsList"):
        return "List"
    return "Read"


def required_actions(op_name, http_method, prefix, may, prefix_actions):
    """The default action(s) an operation needs, chosen from the SAR superset `may`.

    1. the action of the client's prefix named like the operation;
    2. the single authorized action;
    3. the single authorized action of the client's prefix that is not conditional
       (tagging, iam:PassRole) and not another service's;
    4. HTTP-verb services (API Gateway): the action named after the operation's HTTP method;
    5. no authorized actions listed: the prefix's action named like the operation, if any.
    Anything else is left to overrides.toml (empty here, counted as unresolved).
    """
    by_lower = {a.lower(): a for a in may}
    same = f"{prefix}:{op_name}".lower()
    if same in by_lower:
        return [by_lower[same]]
    if len(may) == 1:
        return list(may)
    own = [a for a in may if a.startswith(prefix + ":") and not a.endswith(CONDITIONAL_SUFFIXES)]
    if len(own) == 1:
        return own
    verb = f"{prefix}:{http_method}".lower()
    if http_method and verb in by_lower:
        return [by_lower[verb]]
    if not may and op_name in prefix_actions:
        return [f"{prefix}:{op_name}"]
    return []


def build(botocore, sar, js_v2_names):
    # boto3 (client, method) -> SAR operation entry
    sar_ops = {}
    for svc, doc in sar.items():
        for op in doc.get("Operations", []):
            for sdk in op.get("SDK", []):
                if sdk.get("Package") == "Boto3":
                    sar_ops[(sdk["Name"], sdk["Method"])] = op
    sar_actions = {svc: {a["Name"]: a for a in doc.get("Actions", [])} for svc, doc in sar.items()}

    clients = []
    for client in sorted(botocore):
        model = botocore[client]["service"]
        meta = model["metadata"]
        service_id = meta.get("serviceId") or meta.get("serviceFullName") or client
        ops = model.get("operations", {})
        # The client's IAM prefix: the service most of its authorized actions belong to.
        votes = Counter()
        for op_name in ops:
            op = sar_ops.get((client, xform_name(op_name)))
            for a in (op or {}).get("AuthorizedActions", []):
                votes[a["Service"]] += 1
        if client in PREFIX_EXCEPTIONS:
            prefix = PREFIX_EXCEPTIONS[client]
        elif votes:
            prefix = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        else:
            prefix = meta.get("signingName") or meta.get("endpointPrefix") or client
        prefix_actions = sar_actions.get(prefix, {})

        out_ops = []
        for op_name in sorted(ops):
            op = ops[op_name]
            shape = model["shapes"].get(op.get("input", {}).get("shape", ""), {})
            members = sorted(shape.get("members", {}))
            sar_op = sar_ops.get((client, xform_name(op_name)))
            may = sorted({f"{a['Service']}:{a['Name']}" for a in (sar_op or {}).get("AuthorizedActions", [])})
            http_method = op.get("http", {}).get("method", "")
            req = required_actions(op_name, http_method, prefix, may, prefix_actions)
            out_ops.append([op_name, http_method, members, req, may])

        waiters = {name: w["operation"] for name, w in sorted(botocore[client]["waiters"].items())}
        paginators = sorted(botocore[client]["paginators"])
        clients.append(
            {
                "boto3": client,
                "service_id": service_id,
                "js_v2": js_v2_names.get(service_id),
                "js_v3": js_v3_package(service_id),
                "rust": rust_crate(service_id),
                "prefix": prefix,
                "ops": out_ops,
                "waiters": waiters,
                "paginators": paginators,
            }
        )

    services = []
    for svc in sorted(sar):
        doc = sar[svc]
        actions = {}
        for a in sorted(doc.get("Actions", []), key=lambda a: a["Name"]):
            actions[a["Name"]] = {
                "level": access_level(a),
                "resources": [r["Name"] for r in a.get("Resources", [])],
                "conditions": sorted(a.get("ActionConditionKeys", [])),
            }
        resources = {r["Name"]: r.get("ARNFormats", []) for r in sorted(doc.get("Resources", []), key=lambda r: r["Name"])}
        services.append({"prefix": svc, "name": doc.get("ServiceName", svc), "actions": actions, "resources": resources})
    return clients, services


def write(out_dir, clients, services, sources):
    lines = []
    index = {"schema": SCHEMA, "clients": [], "services": []}
    # Line numbers are fixed by sorting: index on line 0, clients from line 1, then services.
    for i, c in enumerate(clients):
        index["clients"].append([c["boto3"], c["service_id"], c["js_v2"], c["js_v3"], c["rust"], c["prefix"], 1 + i])
    for j, s in enumerate(services):
        index["services"].append([s["prefix"], 1 + len(clients) + j])
    lines.append(json.dumps(index, sort_keys=True, separators=(",", ":")))
    lines += [json.dumps(c, sort_keys=True, separators=(",", ":")) for c in clients]
    lines += [json.dumps(s, sort_keys=True, separators=(",", ":")) for s in services]
    artifact = "\n".join(lines) + "\n"
    path = f"{out_dir}/catalog.jsonl"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(artifact)

    op_count = sum(len(c["ops"]) for c in clients)
    with_default = sum(1 for c in clients for op in c["ops"] if op[3])
    manifest = {
        "artifact": "catalog.jsonl",
        "artifact_sha256": hashlib.sha256(artifact.encode("utf-8")).hexdigest(),
        "schema": SCHEMA,
        "generator": "tools/catalog/generate.py",
        "sources": sources,
        "counts": {
            "clients": len(clients),
            "operations": op_count,
            "operations_with_default_action": with_default,
            "iam_services": len(services),
            "iam_actions": sum(len(s["actions"]) for s in services),
        },
    }
    with open(f"{out_dir}/catalog-manifest.json", "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--botocore", required=True)
    ap.add_argument("--boto3", required=True)
    ap.add_argument("--cloudcover", required=True)
    ap.add_argument("--aws-sdk-js", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    botocore = load_botocore(args.botocore)
    sar, sar_manifest = load_sar(args.cloudcover)
    js_v2 = load_js_v2_names(args.aws_sdk_js)
    clients, services = build(botocore, sar, js_v2)

    def source(package, registry, path, note, extra=None):
        entry = {"package": package, "registry": registry, "file": path.rsplit("/", 1)[-1], "sha256": sha256(path), "used_for": note}
        entry.update(extra or {})
        return entry

    version = lambda path: re.search(r"-(\d+(?:\.\d+)+)", path.rsplit("/", 1)[-1]).group(1)
    sources = [
        source("botocore", "pypi", args.botocore, "clients, operations, input members, HTTP methods, paginators, waiters", {"version": version(args.botocore)}),
        source("boto3", "pypi", args.boto3, "resource models (consumed by grammars/python)", {"version": version(args.boto3)}),
        source(
            "cloudcover-aws",
            "crates.io",
            args.cloudcover,
            "AWS Service Authorization Reference copy: operations to authorized actions, resource types, ARN formats, access levels",
            {"version": version(args.cloudcover), "sar_retrieved_at": sar_manifest.get("retrieved_at"), "sar_catalog_sha256": sar_manifest.get("catalog_sha256")},
        ),
        source("aws-sdk", "npm", args.aws_sdk_js, "JavaScript SDK v2 class names", {"version": version(args.aws_sdk_js)}),
    ]
    manifest = write(args.out, clients, services, sources)
    print(json.dumps(manifest["counts"]))


if __name__ == "__main__":
    main()
