//! Diff output formats, one a file: `text` (a terminal), `markdown` (a pull-request comment),
//! `json` (the contract), `sarif` (code scanning) and `policy` (the tightened policies).

pub mod json;
pub mod markdown;
pub mod policy;
pub mod sarif;
pub mod text;

use super::{DiffReport, FunctionDiff};

/// How many findings of each kind, for summary lines.
pub struct Counts {
    pub functions: usize,
    pub missing: usize,
    pub excess: usize,
    pub broadened: usize,
    pub risky: usize,
    pub unresolved: usize,
}

impl Counts {
    pub fn of(report: &DiffReport) -> Counts {
        let sum = |f: fn(&FunctionDiff) -> usize| report.functions.iter().map(f).sum();
        Counts {
            functions: report.functions.len(),
            missing: sum(|f| f.findings.missing.len()),
            excess: sum(|f| f.findings.excess.len()),
            broadened: sum(|f| f.findings.broadened.len()),
            risky: sum(|f| f.findings.risky.len()),
            unresolved: sum(|f| f.unresolved.len()),
        }
    }

    /// `1 missing, 3 excess, 0 broadened, 1 risky across 2 functions`.
    pub fn sentence(&self) -> String {
        format!(
            "{} missing, {} excess, {} broadened, {} risky across {} {}{}",
            self.missing,
            self.excess,
            self.broadened,
            self.risky,
            self.functions,
            if self.functions == 1 {
                "function"
            } else {
                "functions"
            },
            if self.unresolved > 0 {
                format!(
                    " ({} unresolved {} not compared)",
                    self.unresolved,
                    if self.unresolved == 1 {
                        "call"
                    } else {
                        "calls"
                    }
                )
            } else {
                String::new()
            }
        )
    }
}
