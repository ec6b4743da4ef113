//! `--format markdown`: a pull-request comment. A summary line, a table of findings per
//! function, and the call sites and kept actions folded in `<details>`.

use std::fmt::Write as _;

use super::super::{DiffReport, FunctionDiff};
use super::Counts;

pub fn render(report: &DiffReport) -> String {
    let counts = Counts::of(report);
    let mut out = String::new();
    let verdict = if counts.missing > 0 {
        "**Permissions missing: these calls will be denied in production.**"
    } else if counts.excess + counts.broadened + counts.risky > 0 {
        "No permission missing; the roles grant more than the code needs."
    } else {
        "The roles grant exactly what the code needs."
    };
    let _ = writeln!(
        out,
        "### iamsynth diff: {}\n\n{verdict}\n",
        counts.sentence()
    );
    for function in &report.functions {
        section(function, &mut out);
    }
    out
}

/// Text safe inside a table cell: pipes escaped, no line breaks.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn code(text: &str) -> String {
    format!("`{}`", cell(text).replace('`', "'"))
}

fn codes(items: &[String]) -> String {
    items.iter().map(|i| code(i)).collect::<Vec<_>>().join(", ")
}

fn section(f: &FunctionDiff, out: &mut String) {
    let role = f
        .role
        .as_deref()
        .map(|r| format!(" (role {})", code(r)))
        .unwrap_or_default();
    let _ = writeln!(out, "#### {}{role}\n", code(&f.name));
    if !f.shared_with.is_empty() {
        let _ = writeln!(out, "Role shared with {}.\n", codes(&f.shared_with));
    }
    if !f.compared {
        let _ = writeln!(out, "Not compared: the role's permissions are unknown.\n");
    }
    let findings = &f.findings;
    let rows = findings.missing.len()
        + findings.excess.len()
        + findings.broadened.len()
        + findings.risky.len();
    if rows == 0 {
        let _ = writeln!(out, "No findings.\n");
    } else {
        let _ = writeln!(
            out,
            "| Finding | Action | Resources | Where |\n| --- | --- | --- | --- |"
        );
        for m in &findings.missing {
            let places: Vec<String> = m
                .reasons
                .iter()
                .map(|r| format!("{}:{}", r.file, r.line))
                .collect();
            let _ = writeln!(
                out,
                "| **missing** | {} | {} | needed at {} |",
                code(&m.action),
                codes(&m.resources),
                codes(&places)
            );
        }
        for e in &findings.excess {
            let note = match e.unused {
                Some(n) => format!(" ({n} unused)"),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "| excess | {}{note} | {} | granted by {} |",
                code(&e.action),
                codes(&e.resources),
                code(&e.granted_by)
            );
        }
        for b in &findings.broadened {
            let _ = writeln!(
                out,
                "| broadened | {} | {} where {} would do | granted by {} |",
                code(&b.action),
                codes(&b.granted),
                codes(&b.needed),
                code(&b.granted_by)
            );
        }
        for r in &findings.risky {
            let _ = writeln!(
                out,
                "| **risky** | {} | {} | granted by {}: {} |",
                code(&r.action),
                codes(&r.resources),
                code(&r.granted_by),
                cell(&r.why)
            );
        }
        out.push('\n');
    }
    let details = !findings.missing.is_empty()
        || !findings.kept.is_empty()
        || !f.unresolved.is_empty()
        || !findings.notes.is_empty();
    if !details {
        return;
    }
    let _ = writeln!(
        out,
        "<details><summary>Call sites, kept actions and notes</summary>\n"
    );
    for m in &findings.missing {
        for r in &m.reasons {
            let _ = writeln!(
                out,
                "- {} needed by {} at {}",
                code(&m.action),
                code(&r.call),
                code(&format!("{}:{}", r.file, r.line))
            );
        }
    }
    for k in &findings.kept {
        let _ = writeln!(
            out,
            "- kept {} on {} (granted by {})",
            code(&k.action),
            codes(&k.resources),
            codes(&k.granted_by)
        );
    }
    for u in &f.unresolved {
        let _ = writeln!(
            out,
            "- unresolved {} at {}: {}",
            code(&u.call),
            code(&format!("{}:{}", u.location.file, u.location.line)),
            cell(&u.why)
        );
    }
    for n in &findings.notes {
        let _ = writeln!(out, "- note: {}", cell(n));
    }
    let _ = writeln!(out, "\n</details>\n");
}
