//! `--deployed FILE`: an IAM policy JSON file that every function's role holds, or a folder
//! of `<function>.json` files, one per function (named as `generate --out` names them:
//! `file_name` maps a function name to its file name).

use std::path::Path;

use anyhow::{Context as _, Result, bail};

use super::deployed::Deployed;
use crate::generate::Report;

/// The deployed permissions of each function of `report`, in order.
pub fn deployed(
    path: &Path,
    report: &Report,
    file_name: &dyn Fn(&str) -> String,
) -> Result<Vec<Deployed>> {
    if path.is_dir() {
        report
            .functions
            .iter()
            .map(|f| {
                let name = file_name(&f.name);
                let file = path.join(&name);
                if !file.is_file() {
                    bail!(
                        "{}: no policy for function {} (expected {name})",
                        path.display(),
                        f.name
                    );
                }
                read(&file)
            })
            .collect()
    } else {
        let one = read(path)?;
        Ok(report.functions.iter().map(|_| one.clone()).collect())
    }
}

/// One policy file: a policy document, or an array of them.
fn read(path: &Path) -> Result<Deployed> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let shown = path.display().to_string();
    let mut deployed = Deployed::new(Some(shown.clone()));
    let value: Option<serde_json::Value> =
        serde_json::from_str(text.trim_start_matches('\u{feff}')).ok();
    let documents: Vec<String> = match &value {
        Some(serde_json::Value::Array(items)) => items.iter().map(|d| d.to_string()).collect(),
        _ => vec![text.clone()],
    };
    for document in &documents {
        // Validate as a whole first, so a file that is not a policy at all is an error.
        crate::policy::PolicyDocument::from_iam_json(document)
            .map_err(|e| anyhow::anyhow!("{shown}: not an IAM policy document: {e}"))?;
        let before = deployed.grants.len();
        deployed.add_document_text(document, &shown, None);
        for (offset, grant) in deployed.grants[before..].iter_mut().enumerate() {
            grant.location = Some((
                shown.clone(),
                sid_line(&text, grant.statement.sid.as_deref(), offset),
            ));
        }
    }
    Ok(deployed)
}

/// The line of a statement in the file: its Sid's line, else the n-th `"Effect"`.
fn sid_line(text: &str, sid: Option<&str>, index: usize) -> u32 {
    let found = match sid {
        Some(sid) => text
            .lines()
            .position(|l| l.contains("\"Sid\"") && l.contains(&format!("\"{sid}\""))),
        None => text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains("\"Effect\""))
            .nth(index)
            .map(|(i, _)| i),
    };
    found.map_or(1, |i| i as u32 + 1)
}
