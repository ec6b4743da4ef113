//! `--format sam`: each function's `Policies` property for a SAM template, as a fragment
//! that mirrors the template (`Resources: <Function>: Properties: Policies:`). The policy is
//! an inline document, which SAM attaches to the role it creates for the function (next to
//! AWSLambdaBasicExecutionRole). Resources with placeholders are `!Sub`.
//! Reference: https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html#sam-function-policies

use serde_norway::{Mapping, Value as Yaml};

use super::cfn::{header, logical_id, policy_yaml, to_text};
use super::{ArnValues, Rendered};
use crate::generate::{FunctionReport, Report};

fn document(functions: &[&FunctionReport], arn: &ArnValues) -> Yaml {
    let mut resources = Mapping::new();
    for f in functions.iter().filter(|f| f.actions().next().is_some()) {
        let mut properties = Mapping::new();
        properties.insert("Policies".into(), Yaml::Sequence(vec![policy_yaml(f, arn)]));
        let mut function = Mapping::new();
        function.insert("Properties".into(), Yaml::Mapping(properties));
        resources.insert(Yaml::String(logical_id(&f.name)), Yaml::Mapping(function));
    }
    let mut root = Mapping::new();
    root.insert("Resources".into(), Yaml::Mapping(resources));
    Yaml::Mapping(root)
}

pub fn render(report: &Report, arn: &ArnValues) -> Rendered {
    let title = "iamsynth: least-privilege Policies for each function of the SAM template";
    let all: Vec<&FunctionReport> = report.functions.iter().collect();
    let stdout = format!("{}{}", header(title, report), to_text(&document(&all, arn)));
    let files = report
        .functions
        .iter()
        .map(|f| (f.name.clone(), "yaml", to_text(&document(&[f], arn))))
        .collect();
    Rendered { files, stdout }
}
