//! `--format json`: the contract's machine-readable document (`iamsynth/v1`).

use serde_json::{Value, json};

use super::{ArnValues, Rendered, pretty};
use crate::generate::{FunctionReport, Report};

pub const SCHEMA: &str = "iamsynth/v1";

/// One function as the contract describes it.
pub fn function(f: &FunctionReport, arn: &ArnValues) -> Value {
    let substitute = |p: &str| arn.plain(p);
    let actions: Vec<Value> = f
        .actions()
        .map(|grant| {
            let mut resources: Vec<String> = grant.resources.iter().map(|r| crate::policy::substitute(r, &substitute)).collect();
            resources.sort();
            resources.dedup();
            let mut action = json!({
                "action": grant.action,
                "resources": resources,
                "reasons": grant.reasons.iter().map(|r| json!({"file": r.file, "line": r.line, "call": r.call})).collect::<Vec<_>>(),
            });
            // Only where the grant is conditioned (`iam:PassedToService`): an addition to
            // the contract's action object, absent otherwise.
            if let Some(conditions) = &grant.conditions {
                action["conditions"] = json!(conditions);
            }
            action
        })
        .collect();
    let unresolved: Vec<Value> =
        f.unresolved().iter().map(|u| json!({"file": u.location.file, "line": u.location.line, "call": u.call, "why": u.why})).collect();
    let diagnostics: Vec<Value> = f
        .resolved
        .diagnostics
        .iter()
        .map(|d| json!({"severity": d.severity, "file": d.file, "line": d.line, "message": d.message}))
        .collect();
    json!({
        "name": f.name,
        "entry": {"file": f.entry.file, "function": f.entry.function},
        "language": f.language,
        "actions": actions,
        "unresolved": unresolved,
        "diagnostics": diagnostics,
        "policy": f.policy().to_iam_json(&substitute),
    })
}

pub fn render(report: &Report, arn: &ArnValues) -> Rendered {
    let functions: Vec<Value> = report.functions.iter().map(|f| function(f, arn)).collect();
    let stdout = pretty(&json!({"schema": SCHEMA, "functions": functions}));
    let files = report
        .functions
        .iter()
        .map(|f| {
            (
                f.name.clone(),
                "json",
                pretty(&json!({"schema": SCHEMA, "functions": [function(f, arn)]})),
            )
        })
        .collect();
    Rendered { files, stdout }
}
