//! `--format policy` (the default): one IAM policy document per function, exactly as IAM
//! accepts it. On a terminal each document is preceded by a `// name` header; otherwise a
//! single function prints its document alone and several print one JSON object keyed by
//! function name, so the output always parses.

use serde_json::{Map, Value};

use super::{ArnValues, Rendered, per_function, pretty};
use crate::generate::{FunctionReport, Report};

pub fn document(f: &FunctionReport, arn: &ArnValues) -> Value {
    f.policy().to_iam_json(&|p| arn.plain(p))
}

pub fn render(report: &Report, arn: &ArnValues, terminal: bool) -> Rendered {
    let files = per_function(report, "json", |f| pretty(&document(f, arn)));
    let stdout = if terminal {
        report
            .functions
            .iter()
            .map(|f| format!("// {}\n{}", f.name, pretty(&document(f, arn))))
            .collect::<Vec<_>>()
            .join("\n")
    } else if let [only] = report.functions.as_slice() {
        pretty(&document(only, arn))
    } else {
        let map: Map<String, Value> = report
            .functions
            .iter()
            .map(|f| (f.name.clone(), document(f, arn)))
            .collect();
        pretty(&Value::Object(map))
    };
    Rendered { files, stdout }
}
