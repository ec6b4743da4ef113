//! `--format policy`: the tightened policy of each function, as IAM accepts it. One function
//! prints its document alone, several print one JSON object keyed by function name (so the
//! output always parses); `--out` writes `<function>.json` files.

use serde_json::{Map, Value};

use crate::policy::PolicyDocument;
use crate::render::{ArnValues, Rendered, pretty};

pub fn render(policies: &[(String, PolicyDocument)], arn: &ArnValues) -> Rendered {
    let document = |p: &PolicyDocument| p.to_iam_json(&|placeholder| arn.plain(placeholder));
    let files = policies
        .iter()
        .map(|(name, p)| (name.clone(), "json", pretty(&document(p))))
        .collect();
    let stdout = match policies {
        [(_, only)] => pretty(&document(only)),
        _ => {
            let map: Map<String, Value> = policies
                .iter()
                .map(|(name, p)| (name.clone(), document(p)))
                .collect();
            pretty(&Value::Object(map))
        }
    };
    Rendered { files, stdout }
}
