//! `--format terraform`: one `aws_iam_policy_document` data source per function
//! (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document).
//! Pseudo parameters become the AWS provider's data sources (`aws_partition`, `aws_region`,
//! `aws_caller_identity`) unless `--partition/--region/--account` give them; references to
//! CloudFormation resources have no Terraform counterpart and become `*` in their segment.
//! IAM policy variables are written `&{aws:username}`, as Terraform requires inside
//! `aws_iam_policy_document`; other `${` and `%{` are escaped.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use super::{ArnValues, Rendered};
use crate::generate::{FunctionReport, Report};
use crate::policy::substitute;

/// Pseudo parameter -> (data source block, interpolation).
const PSEUDO: &[(&str, &str, &str)] = &[
    (
        "${AWS::Partition}",
        "data \"aws_partition\" \"current\" {}",
        "data.aws_partition.current.partition",
    ),
    (
        "${AWS::Region}",
        "data \"aws_region\" \"current\" {}",
        "data.aws_region.current.name",
    ),
    (
        "${AWS::AccountId}",
        "data \"aws_caller_identity\" \"current\" {}",
        "data.aws_caller_identity.current.account_id",
    ),
    (
        "${AWS::URLSuffix}",
        "data \"aws_partition\" \"current\" {}",
        "data.aws_partition.current.dns_suffix",
    ),
];

/// Marks our own interpolations while the rest of the text is escaped.
const OPEN: char = '\u{1}';

/// A Terraform identifier from a function name: lower-case letters, digits and `_`.
fn identifier(name: &str) -> String {
    let mut id = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 && !id.ends_with('_') {
            id.push('_');
        }
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('_') {
            id.push('_');
        }
    }
    let id = id.trim_matches('_').to_string();
    if id.is_empty() || id.starts_with(|c: char| c.is_ascii_digit()) {
        format!("function_{id}")
    } else {
        id
    }
}

/// A policy string as an HCL string literal, recording the data sources it uses.
fn string(text: &str, arn: &ArnValues, used: &mut BTreeSet<&'static str>) -> String {
    let replaced = substitute(text, &|p: &str| {
        if let Some(value) = super::cfn::flag_value(arn, p) {
            return value;
        }
        if let Some((_, _, interpolation)) = PSEUDO.iter().find(|(name, ..)| *name == p) {
            return format!("{OPEN}{interpolation}}}");
        }
        // A resource of a Terraform configuration: its own attribute, exact at apply time.
        let inner = &p[2..p.len() - 1];
        let reference = analyzer::infra::terraform_reference(inner, None).or_else(|| {
            let (id, attribute) = inner.rsplit_once('.')?;
            analyzer::infra::terraform_reference(id, Some(attribute))
        });
        match reference {
            Some(expression) => format!("{OPEN}{expression}}}"),
            None => "*".to_string(),
        }
    });
    for (name, block, _) in PSEUDO {
        if text.contains(name) && super::cfn::flag_value(arn, name).is_none() {
            used.insert(block);
        }
    }
    let escaped = replaced
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace("%{", "%%{")
        .replace("${", "&{")
        .replace(OPEN, "${");
    format!("\"{escaped}\"")
}

fn list(values: &Json, arn: &ArnValues, used: &mut BTreeSet<&'static str>) -> String {
    let items: Vec<String> = match values {
        Json::Array(items) => items
            .iter()
            .filter_map(Json::as_str)
            .map(|s| string(s, arn, used))
            .collect(),
        Json::String(s) => vec![string(s, arn, used)],
        _ => Vec::new(),
    };
    format!("[{}]", items.join(", "))
}

fn data_source(f: &FunctionReport, arn: &ArnValues, used: &mut BTreeSet<&'static str>) -> String {
    let document = f.policy().to_iam_json(&|p| p.to_string());
    let mut out = format!(
        "# {}\ndata \"aws_iam_policy_document\" \"{}\" {{\n",
        f.name,
        identifier(&f.name)
    );
    for statement in document["Statement"].as_array().into_iter().flatten() {
        out.push_str("  statement {\n");
        if let Some(sid) = statement["Sid"].as_str() {
            out.push_str(&format!("    sid       = {}\n", string(sid, arn, used)));
        }
        if let Some(effect) = statement["Effect"].as_str() {
            out.push_str(&format!("    effect    = {}\n", string(effect, arn, used)));
        }
        for (key, field) in [
            ("Action", "actions"),
            ("NotAction", "not_actions"),
            ("Resource", "resources"),
            ("NotResource", "not_resources"),
        ] {
            if let Some(values) = statement.get(key) {
                out.push_str(&format!("    {field:<9} = {}\n", list(values, arn, used)));
            }
        }
        for (test, keys) in statement["Condition"].as_object().into_iter().flatten() {
            for (variable, values) in keys.as_object().into_iter().flatten() {
                out.push_str("    condition {\n");
                out.push_str(&format!("      test     = {}\n", string(test, arn, used)));
                out.push_str(&format!(
                    "      variable = {}\n",
                    string(variable, arn, used)
                ));
                out.push_str(&format!("      values   = {}\n", list(values, arn, used)));
                out.push_str("    }\n");
            }
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n");
    out
}

fn text(functions: &[&FunctionReport], arn: &ArnValues) -> String {
    let mut used = BTreeSet::new();
    let mut blocks = Vec::new();
    let mut empty = Vec::new();
    for f in functions {
        if f.actions().next().is_none() {
            empty.push(format!(
                "# {}: no permissions needed, no policy written\n",
                f.name
            ));
        } else {
            blocks.push(data_source(f, arn, &mut used));
        }
    }
    let mut out = String::from("# iamsynth: least-privilege policy documents\n");
    out.extend(empty);
    let sources: BTreeSet<&str> = used.into_iter().collect();
    if !sources.is_empty() {
        out.push('\n');
        for source in sources {
            out.push_str(source);
            out.push('\n');
        }
    }
    for block in blocks {
        out.push('\n');
        out.push_str(&block);
    }
    out
}

pub fn render(report: &Report, arn: &ArnValues) -> Rendered {
    let all: Vec<&FunctionReport> = report.functions.iter().collect();
    let files = report
        .functions
        .iter()
        .map(|f| (f.name.clone(), "tf", text(&[f], arn)))
        .collect();
    Rendered {
        files,
        stdout: text(&all, arn),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_escaping() {
        assert_eq!(identifier("OrdersFunction"), "orders_function");
        assert_eq!(identifier("src/app.py:handler"), "src_app_py_handler");
        assert_eq!(identifier("9lives"), "function_9lives");
        let mut used = BTreeSet::new();
        let arn = ArnValues {
            region: Some("eu-west-1".into()),
            ..ArnValues::default()
        };
        assert_eq!(
            string(
                "arn:${AWS::Partition}:s3:::${Bucket}/home/${aws:username}/*",
                &arn,
                &mut used
            ),
            "\"arn:${data.aws_partition.current.partition}:s3:::*/home/&{aws:username}/*\""
        );
        assert_eq!(
            string(
                "arn:${AWS::Partition}:logs:${AWS::Region}:x",
                &arn,
                &mut used
            ),
            "\"arn:${data.aws_partition.current.partition}:logs:eu-west-1:x\""
        );
        assert_eq!(
            used.into_iter().collect::<Vec<_>>(),
            vec!["data \"aws_partition\" \"current\" {}"]
        );
    }
}
