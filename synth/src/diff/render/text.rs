//! `--format text`: findings for a person at a terminal, coloured when asked (`--color`,
//! `NO_COLOR`): missing in red, excess and broadened in yellow, risky in magenta.

use std::fmt::Write as _;

use super::super::{DiffReport, FunctionDiff};
use super::Counts;

/// ANSI styles, or nothing.
struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, t: &str) -> String {
        self.wrap("1", t)
    }
    fn red(&self, t: &str) -> String {
        self.wrap("31", t)
    }
    fn yellow(&self, t: &str) -> String {
        self.wrap("33", t)
    }
    fn magenta(&self, t: &str) -> String {
        self.wrap("35", t)
    }
    fn green(&self, t: &str) -> String {
        self.wrap("32", t)
    }
    fn dim(&self, t: &str) -> String {
        self.wrap("2", t)
    }
}

pub fn render(report: &DiffReport, color: bool) -> String {
    let paint = Paint(color);
    let mut out = String::new();
    for function in &report.functions {
        section(function, &paint, &mut out);
        out.push('\n');
    }
    let counts = Counts::of(report);
    let _ = writeln!(out, "{}", paint.bold(&counts.sentence()));
    out
}

fn section(f: &FunctionDiff, paint: &Paint, out: &mut String) {
    let role = match &f.role {
        Some(role) => format!(" (role {role})"),
        None => String::new(),
    };
    let _ = writeln!(out, "{}{}", paint.bold(&f.name), role);
    if !f.shared_with.is_empty() {
        let _ = writeln!(
            out,
            "  {}",
            paint.dim(&format!("role shared with {}", f.shared_with.join(", ")))
        );
    }
    if !f.compared {
        let _ = writeln!(
            out,
            "  {}",
            paint.dim("not compared: the role's permissions are unknown")
        );
    }
    for m in &f.findings.missing {
        let _ = writeln!(
            out,
            "  {}  {} on {}",
            paint.red("missing  "),
            m.action,
            m.resources.join(", ")
        );
        for r in &m.reasons {
            let _ = writeln!(
                out,
                "             {}",
                paint.dim(&format!("{}:{}  {}", r.file, r.line, r.call))
            );
        }
        if !m.denied_by.is_empty() {
            let _ = writeln!(
                out,
                "             {}",
                paint.dim(&format!("denied by {}", m.denied_by.join(", ")))
            );
        }
    }
    for e in &f.findings.excess {
        let unused = match (e.unused, e.covers.is_empty()) {
            (Some(n), false) => format!(", {n} unused; needed: {}", e.covers.join(", ")),
            (Some(n), true) => format!(", {n} unused"),
            (None, false) => format!(", needed: {}", e.covers.join(", ")),
            (None, true) => String::new(),
        };
        let _ = writeln!(
            out,
            "  {}  {} on {}  {}",
            paint.yellow("excess   "),
            e.action,
            e.resources.join(", "),
            paint.dim(&format!("(granted by {}{unused})", e.granted_by))
        );
    }
    for b in &f.findings.broadened {
        let _ = writeln!(
            out,
            "  {}  {} on {} where {} would do  {}",
            paint.yellow("broadened"),
            b.action,
            b.granted.join(", "),
            b.needed.join(", "),
            paint.dim(&format!("(granted by {})", b.granted_by))
        );
    }
    for r in &f.findings.risky {
        let _ = writeln!(
            out,
            "  {}  {} on {}: {}  {}",
            paint.magenta("risky    "),
            r.action,
            r.resources.join(", "),
            r.why,
            paint.dim(&format!("(granted by {})", r.granted_by))
        );
    }
    for k in &f.findings.kept {
        let _ = writeln!(
            out,
            "  {}  {} on {}  {}",
            paint.green("kept     "),
            k.action,
            k.resources.join(", "),
            paint.dim(&format!("(granted by {})", k.granted_by.join(", ")))
        );
    }
    for u in &f.unresolved {
        let _ = writeln!(
            out,
            "  {}  {}:{}  {}: {}",
            paint.yellow("unresolved"),
            u.location.file,
            u.location.line,
            u.call,
            u.why
        );
    }
    for n in &f.findings.notes {
        let _ = writeln!(out, "  {}  {}", paint.dim("note     "), n);
    }
}
