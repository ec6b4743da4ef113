//! `--format serverless`: per-function `iamRoleStatements` for serverless.yml, the form the
//! serverless-iam-roles-per-function plugin reads to give each function its own role
//! (https://github.com/functionalone/serverless-iam-roles-per-function). Without the plugin
//! the Framework has one role per service (`provider.iam.role.statements`), which cannot be
//! least privilege for several functions. Resources with placeholders are `!Sub`.

use serde_norway::{Mapping, Value as Yaml};

use super::cfn::{header, policy_yaml, to_text};
use super::{ArnValues, Rendered};
use crate::generate::{FunctionReport, Report};

/// The function's key under `functions:`: its name, without the `file:` qualifier that
/// monorepo discovery adds to clashing names.
fn key(f: &FunctionReport) -> String {
    match &f.spec {
        Some(spec) => spec
            .name
            .rsplit(':')
            .next()
            .unwrap_or(&spec.name)
            .to_string(),
        None => f.name.clone(),
    }
}

fn document(functions: &[&FunctionReport], arn: &ArnValues) -> Yaml {
    let mut entries = Mapping::new();
    for f in functions.iter().filter(|f| f.actions().next().is_some()) {
        let statements = match policy_yaml(f, arn) {
            Yaml::Mapping(mut document) => document.remove("Statement").unwrap_or(Yaml::Null),
            other => other,
        };
        let mut function = Mapping::new();
        function.insert("iamRoleStatements".into(), statements);
        entries.insert(Yaml::String(key(f)), Yaml::Mapping(function));
    }
    let mut root = Mapping::new();
    root.insert("functions".into(), Yaml::Mapping(entries));
    Yaml::Mapping(root)
}

pub fn render(report: &Report, arn: &ArnValues) -> Rendered {
    let title = "iamsynth: least-privilege iamRoleStatements per function (plugin serverless-iam-roles-per-function)";
    let all: Vec<&FunctionReport> = report.functions.iter().collect();
    let stdout = format!("{}{}", header(title, report), to_text(&document(&all, arn)));
    let files = report
        .functions
        .iter()
        .map(|f| (f.name.clone(), "yml", to_text(&document(&[f], arn))))
        .collect();
    Rendered { files, stdout }
}
