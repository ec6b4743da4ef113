//! `--format json`: the contract's diff document (`iamsynth/v1`), extended with
//! `broadened`, `risky`, `unresolved`, `shared_with`, `compared` and `notes`.

use serde_json::{Value, json};

use super::super::{DiffReport, FunctionDiff};
use crate::render::pretty;

pub fn function(f: &FunctionDiff) -> Value {
    let unresolved: Vec<Value> = f
        .unresolved
        .iter()
        .map(|u| json!({"file": u.location.file, "line": u.location.line, "call": u.call, "why": u.why}))
        .collect();
    json!({
        "name": f.name,
        "role": f.role,
        "shared_with": f.shared_with,
        "compared": f.compared,
        "missing": f.findings.missing,
        "excess": f.findings.excess,
        "kept": f.findings.kept,
        "broadened": f.findings.broadened,
        "risky": f.findings.risky,
        "unresolved": unresolved,
        "notes": f.findings.notes,
    })
}

pub fn render(report: &DiffReport) -> String {
    let functions: Vec<Value> = report.functions.iter().map(function).collect();
    pretty(&json!({"schema": crate::render::json::SCHEMA, "functions": functions}))
}
