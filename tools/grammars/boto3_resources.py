#!/usr/bin/env python3
"""Generates grammars/python/boto3_resources.json from boto3's resource models.

boto3's resource API (`boto3.resource('s3').Bucket('b').objects.filter(...)`) is defined by
data files, `boto3/data/<service>/<version>/resources-1.json`; attribute names come from the
botocore service model shape each resource loads. This script reads both wheels (never
imports or runs boto3), keeps the newest model version per service, and writes a compact
table in the names Python code uses (snake_case methods, as boto3's `xform_name` does).

Usage:
    pip download --no-deps boto3==1.44.5 botocore==1.44.5 -d /tmp/src
    python3 tools/grammars/boto3_resources.py /tmp/src/boto3-1.44.5-py3-none-any.whl \
        /tmp/src/botocore-1.44.5-py3-none-any.whl > grammars/python/boto3_resources.json
"""

import gzip
import hashlib
import json
import re
import sys
import zipfile

# botocore.xform_name, reproduced so the script needs nothing but the standard library.
_FIRST = re.compile(r"(.)([A-Z][a-z]+)")
_END = re.compile(r"([a-z0-9])([A-Z])")
_SPECIAL = re.compile(r"[A-Z]{2,}s$")


def xform_name(name):
    if "_" in name or name.islower():
        return name
    match = _SPECIAL.search(name)
    if match:
        matched = match.group()
        name = name[: -len(matched)] + "_" + matched.lower()
    name = _FIRST.sub(r"\1_\2", name)
    return _END.sub(r"\1_\2", name).lower()


def params(raw):
    out = []
    for p in raw or []:
        item = {"target": p["target"], "source": p["source"]}
        for key in ("name", "path", "value"):
            if key in p:
                item[key] = p[key]
        out.append(item)
    return out


def request(raw):
    if raw is None:
        return None
    return {"op": xform_name(raw["operation"]), "params": params(raw.get("params"))}


def reference(raw):
    if raw is None:
        return None
    return {"type": raw["type"], "identifiers": params(raw.get("identifiers"))}


def shape_members(service_model, shape_name):
    if not shape_name:
        return []
    shape = service_model["shapes"].get(shape_name, {})
    return sorted(xform_name(m) for m in shape.get("members", {}))


def resource(raw, service_model):
    out = {
        "identifiers": [
            {"name": i["name"], "attribute": xform_name(i["name"])}
            for i in raw.get("identifiers", [])
        ],
        "attributes": shape_members(service_model, raw.get("shape")),
        "load": request(raw.get("load", {}).get("request")),
        "actions": {
            xform_name(name): {
                "request": request(a["request"]),
                "resource": reference(a.get("resource")),
            }
            for name, a in sorted(raw.get("actions", {}).items())
        },
        "waiters": {
            "wait_until_" + xform_name(name): {
                "waiter": xform_name(w["waiterName"]),
                "params": params(w.get("params")),
            }
            for name, w in sorted(raw.get("waiters", {}).items())
        },
        "subresources": {},
        "references": {},
        "collections": {},
    }
    # boto3.resources.model.ResourceModel._get_related_resources: a `has` entry that needs
    # loaded data is a reference (snake_case property), otherwise a subresource (method).
    for name, h in sorted(raw.get("has", {}).items()):
        ref = reference(h["resource"])
        if any(i["source"] == "data" for i in ref["identifiers"]):
            out["references"][xform_name(name)] = ref
        else:
            out["subresources"][name] = ref
    for name, c in sorted(raw.get("hasMany", {}).items()):
        out["collections"][xform_name(name)] = {
            "request": request(c["request"]),
            "resource": reference(c.get("resource")),
            "batch": {},
        }
    return out


def service_with_all_has(raw):
    """boto3.resources.model.ResourceModel._get_has_definition: the service resource
    exposes every resource type as a subresource whose identifiers are all inputs
    (`s3.Object(bucket, key)`), unless its `has` already names that type."""
    service = dict(raw["service"])
    has = dict(service.get("has", {}))
    named = {h.get("resource", {}).get("type") for h in has.values()}
    for name, definition in sorted(raw.get("resources", {}).items()):
        if name not in named:
            has[name] = {
                "resource": {
                    "type": name,
                    "identifiers": [
                        {"target": i["name"], "source": "input"}
                        for i in definition.get("identifiers", [])
                    ],
                }
            }
    service["has"] = has
    return service


def main(boto3_wheel, botocore_wheel):
    with open(boto3_wheel, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    version = re.search(r"boto3-([^-]+)-", boto3_wheel).group(1)
    b3 = zipfile.ZipFile(boto3_wheel)
    bc = zipfile.ZipFile(botocore_wheel)
    newest = {}
    for name in b3.namelist():
        m = re.match(r"boto3/data/([^/]+)/([^/]+)/resources-1\.json$", name)
        if m and m.group(2) > newest.get(m.group(1), ("", ""))[0]:
            newest[m.group(1)] = (m.group(2), name)
    services = {}
    for service, (api_version, path) in sorted(newest.items()):
        raw = json.loads(b3.read(path))
        model_path = f"botocore/data/{service}/{api_version}/service-2.json"
        try:
            model = json.loads(gzip.decompress(bc.read(model_path + ".gz")))
        except KeyError:
            model = json.loads(bc.read(model_path))
        resources = {
            name: resource(r, model) for name, r in sorted(raw.get("resources", {}).items())
        }
        # Batch actions belong to the collection's resource type.
        for name, r in sorted(raw.get("resources", {}).items()):
            for batch_name, b in sorted(r.get("batchActions", {}).items()):
                resources[name].setdefault("batch", {})[xform_name(batch_name)] = request(
                    b["request"]
                )
        svc = {"service": resource(service_with_all_has(raw), model), "resources": resources}
        for res in [svc["service"], *resources.values()]:
            for coll in res["collections"].values():
                item_type = (coll["resource"] or {}).get("type")
                coll["batch"] = resources.get(item_type, {}).get("batch", {})
        for res in resources.values():
            res.pop("batch", None)
        services[service] = svc
    json.dump(
        {
            "source": {
                "boto3": version,
                "wheel_sha256": digest,
                "generator": "tools/grammars/boto3_resources.py",
            },
            "services": services,
        },
        sys.stdout,
        indent=None,
        separators=(",", ":"),
        sort_keys=True,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
