//! The trail report as text (for people) and as the contract's JSON (`iamsynth/v1`).

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::report::{FunctionTrail, Matched, Seen, TrailReport, Unmapped};
use crate::render::json::SCHEMA;

/// The contract's document, plus `unmapped` per function and an `evidence` summary.
pub fn json(report: &TrailReport) -> String {
    let functions: Vec<Value> = report.functions.iter().map(function_json).collect();
    let stats = &report.evidence.stats;
    let document = json!({
        "schema": SCHEMA,
        "functions": functions,
        "evidence": {
            "sources": report.sources,
            "files": stats.files,
            "files_skipped": stats.files_skipped,
            "records": stats.records,
            "problems": report.problems.iter().map(|p| json!({"file": p.file, "message": p.message})).collect::<Vec<_>>(),
            "notes": report.evidence.notes.iter().collect::<Vec<_>>(),
        },
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

fn function_json(f: &FunctionTrail) -> Value {
    let seen = |list: &[Seen]| -> Vec<Value> {
        list.iter()
            .map(|s| json!({"action": s.action, "count": s.count, "last_seen": s.last_seen}))
            .collect()
    };
    let mut value = json!({
        "name": f.name,
        "role": f.roles.first(),
        "observed": seen(&f.observed),
        "observed_not_in_code": seen(&f.observed_not_in_code),
        "in_code_not_observed": f.in_code_not_observed.iter().map(|a| json!({"action": a})).collect::<Vec<_>>(),
        "denied": seen(&f.denied),
        "unmapped": f.unmapped.iter().map(|u| json!({
            "event_source": u.event_source,
            "event_name": u.event_name,
            "denied": u.denied,
            "count": u.count,
            "last_seen": u.last_seen,
            "why": u.why,
        })).collect::<Vec<_>>(),
    });
    if f.roles.len() > 1
        && let Some(map) = value.as_object_mut()
    {
        map.insert("other_roles".into(), json!(f.roles[1..]));
    }
    value
}

/// A section per function; empty sections are left out.
pub fn text(report: &TrailReport) -> String {
    let mut out = String::new();
    for f in &report.functions {
        let role = match (f.matched, f.roles.as_slice()) {
            (Matched::None, _) | (_, []) => {
                "no role: the infrastructure does not say which, and no --role FUNCTION=ARN was given"
                    .to_string()
            }
            (_, [one]) => format!("role {one}"),
            (_, many) => format!("roles {}", many.join(", ")),
        };
        let _ = writeln!(out, "{} ({role})", f.name);
        if f.matched == Matched::None {
            out.push('\n');
            continue;
        }
        let width = label_width(f);
        section(&mut out, "observed", &f.observed, width);
        if f.has_code {
            section(
                &mut out,
                "observed, not in code",
                &f.observed_not_in_code,
                width,
            );
            if !f.in_code_not_observed.is_empty() {
                let _ = writeln!(
                    out,
                    "  in code, not observed ({}):",
                    f.in_code_not_observed.len()
                );
                for action in &f.in_code_not_observed {
                    let _ = writeln!(out, "    {action}");
                }
            }
        }
        section(&mut out, "denied", &f.denied, width);
        if !f.unmapped.is_empty() {
            let _ = writeln!(
                out,
                "  events not mapped to one action ({}):",
                f.unmapped.len()
            );
            for u in &f.unmapped {
                let _ = writeln!(
                    out,
                    "    {:<width$} {:>8}  last {}\n      {}",
                    event_label(u),
                    u.count,
                    u.last_seen,
                    u.why
                );
            }
        }
        if f.observed.is_empty() && f.denied.is_empty() && f.unmapped.is_empty() {
            out.push_str("  no events in the window\n");
        }
        out.push('\n');
    }
    let stats = &report.evidence.stats;
    let _ = write!(out, "evidence: {}", report.sources.join(", "));
    if stats.files > 0 || stats.files_skipped > 0 {
        let _ = write!(out, "; {} files read", stats.files);
        if stats.files_skipped > 0 {
            let _ = write!(out, ", {} skipped by date", stats.files_skipped);
        }
    }
    let _ = writeln!(out, "; {} records", stats.records);
    for note in &report.evidence.notes {
        let _ = writeln!(out, "note: {note}");
    }
    for problem in &report.problems {
        let _ = writeln!(out, "problem: {}: {}", problem.file, problem.message);
    }
    out
}

fn section(out: &mut String, title: &str, list: &[Seen], width: usize) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "  {title} ({}):", list.len());
    for s in list {
        let _ = writeln!(
            out,
            "    {:<width$} {:>8}  last {}",
            s.action, s.count, s.last_seen
        );
    }
}

fn event_label(u: &Unmapped) -> String {
    format!(
        "{} {}{}",
        u.event_source,
        u.event_name,
        if u.denied { " (denied)" } else { "" }
    )
}

/// The widest label of a function's sections, so its counts line up.
fn label_width(f: &FunctionTrail) -> usize {
    f.observed
        .iter()
        .chain(&f.denied)
        .map(|s| s.action.len())
        .chain(f.unmapped.iter().map(|u| event_label(u).len()))
        .max()
        .unwrap_or(0)
}
