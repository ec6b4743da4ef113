//! `--format sarif`: SARIF 2.1.0 for code scanning. A missing permission is located at the
//! call that needs it, an excess, broadened or risky grant at the statement that grants it
//! (or, for a live role, at the function's declaration or entry file).
//! Specification: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html

use serde_json::{Value, json};

use super::super::{DiffReport, FunctionDiff};
use crate::render::pretty;

/// `(id, level, short description, help)`.
const RULES: &[(&str, &str, &str, &str)] = &[
    (
        "missing-permission",
        "error",
        "The code calls an AWS API its role does not allow",
        "The function's role lacks an IAM action the code needs: the call fails with AccessDenied in production. Add the action on the resources listed, or run `iamsynth generate` for the complete least-privilege policy.",
    ),
    (
        "excess-permission",
        "warning",
        "The role allows an action no code of its functions needs",
        "No function using this role calls an API that needs this action. Remove it to follow least privilege; `iamsynth diff --format policy` writes the tightened policy, keeping what `--keep` names.",
    ),
    (
        "broadened-resource",
        "warning",
        "A needed action is granted on every resource where specific ones would do",
        "The code needs this action on specific resources only; grant it on those ARNs instead of `*`.",
    ),
    (
        "risky-grant",
        "error",
        "The role allows a privilege-escalation or data-exfiltration class of action",
        "Grants such as iam:PassRole on *, iam:*, *, s3:* on *, kms:Decrypt on * or secret reads on * let a compromised function reach far beyond its job. Scope them to specific resources or remove them.",
    ),
];

fn rule_index(id: &str) -> usize {
    RULES.iter().position(|r| r.0 == id).unwrap_or(0)
}

fn location(file: &str, line: u32) -> Value {
    json!({"physicalLocation": {
        "artifactLocation": {"uri": file},
        "region": {"startLine": line.max(1)},
    }})
}

fn result(id: &str, message: String, file: &str, line: u32) -> Value {
    json!({
        "ruleId": id,
        "ruleIndex": rule_index(id),
        "level": RULES[rule_index(id)].1,
        "message": {"text": message},
        "locations": [location(file, line)],
    })
}

/// Where a grant without its own location is reported.
fn fallback(f: &FunctionDiff) -> (String, u32) {
    f.declared
        .clone()
        .unwrap_or_else(|| (f.entry_file.clone(), 1))
}

fn results(f: &FunctionDiff, out: &mut Vec<Value>) {
    let fallback = fallback(f);
    for m in &f.findings.missing {
        for r in &m.reasons {
            out.push(result(
                "missing-permission",
                format!(
                    "{}: the role lacks {} on {} needed by `{}`",
                    f.name,
                    m.action,
                    m.resources.join(", "),
                    r.call
                ),
                &r.file,
                r.line,
            ));
        }
        if m.reasons.is_empty() {
            out.push(result(
                "missing-permission",
                format!(
                    "{}: the role lacks {} on {}",
                    f.name,
                    m.action,
                    m.resources.join(", ")
                ),
                &fallback.0,
                fallback.1,
            ));
        }
    }
    for e in &f.findings.excess {
        let (file, line) = e.location.clone().unwrap_or_else(|| fallback.clone());
        out.push(result(
            "excess-permission",
            format!(
                "{}: {} on {} is granted by {} but no code needs it",
                f.name,
                e.action,
                e.resources.join(", "),
                e.granted_by
            ),
            &file,
            line,
        ));
    }
    for b in &f.findings.broadened {
        let (file, line) = b.location.clone().unwrap_or_else(|| fallback.clone());
        out.push(result(
            "broadened-resource",
            format!(
                "{}: {} is granted on {} by {}; the code needs only {}",
                f.name,
                b.action,
                b.granted.join(", "),
                b.granted_by,
                b.needed.join(", ")
            ),
            &file,
            line,
        ));
    }
    for r in &f.findings.risky {
        let (file, line) = r.location.clone().unwrap_or_else(|| fallback.clone());
        out.push(result(
            "risky-grant",
            format!(
                "{}: {} on {} granted by {}: {}",
                f.name,
                r.action,
                r.resources.join(", "),
                r.granted_by,
                r.why
            ),
            &file,
            line,
        ));
    }
}

pub fn render(report: &DiffReport) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, level, short, help)| {
            json!({
                "id": id,
                "name": id,
                "shortDescription": {"text": short},
                "fullDescription": {"text": help},
                "help": {"text": help},
                "defaultConfiguration": {"level": level},
            })
        })
        .collect();
    let mut all = Vec::new();
    for function in &report.functions {
        results(function, &mut all);
    }
    pretty(&json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "iamsynth",
                "informationUri": "https://github.com/iamsynth/iamsynth",
                "rules": rules,
            }},
            "results": all,
        }],
    }))
}
