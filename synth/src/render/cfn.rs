//! `--format cfn`: one `AWS::IAM::Policy` resource per function, attached to the function's
//! role, as a `Resources:` fragment to add to a CloudFormation template. Resources with
//! placeholders are written as `!Sub` (IAM policy variables escaped as `${!...}`), so the
//! template resolves `${AWS::Region}` and `${OrdersTable}` at deploy time; `--region`,
//! `--account` and `--partition` replace their pseudo parameters.
//! Reference: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-policy.html
//!
//! Also the YAML helpers the SAM and Serverless renderers share.

use serde_json::Value as Json;
use serde_norway::value::{Tag, TaggedValue};
use serde_norway::{Mapping, Value as Yaml};

use analyzer::Value;
use analyzer::infra::RoleSpec;

use super::{ArnValues, Rendered};
use crate::generate::{FunctionReport, Report};
use crate::policy::{escape_policy_variables, placeholders};

/// The function's policy document as YAML for a template: strings with placeholders as
/// `!Sub`, pseudo parameters the flags give replaced.
pub fn policy_yaml(f: &FunctionReport, arn: &ArnValues) -> Yaml {
    let keep = |p: &str| flag_value(arn, p).unwrap_or_else(|| p.to_string());
    yaml(&f.policy().to_iam_json(&keep))
}

/// The value `--partition`, `--region` or `--account` gives a pseudo parameter, if any.
pub fn flag_value(arn: &ArnValues, placeholder: &str) -> Option<String> {
    match placeholder {
        "${AWS::Partition}" => arn.partition.clone(),
        "${AWS::Region}" => arn.region.clone(),
        "${AWS::AccountId}" => arn.account.clone(),
        _ => None,
    }
}

/// JSON to YAML, strings with placeholders as `!Sub`.
fn yaml(value: &Json) -> Yaml {
    match value {
        Json::Null => Yaml::Null,
        Json::Bool(b) => Yaml::Bool(*b),
        Json::Number(n) => serde_norway::to_value(n).unwrap_or(Yaml::Null),
        Json::String(s) if !placeholders(s).is_empty() => sub(s),
        Json::String(s) => Yaml::String(s.clone()),
        Json::Array(items) => Yaml::Sequence(items.iter().map(yaml).collect()),
        Json::Object(map) => Yaml::Mapping(
            map.iter()
                .map(|(k, v)| (Yaml::String(k.clone()), yaml(v)))
                .collect(),
        ),
    }
}

/// `!Sub "text"`, IAM policy variables escaped.
pub fn sub(text: &str) -> Yaml {
    Yaml::Tagged(Box::new(TaggedValue {
        tag: Tag::new("Sub"),
        value: Yaml::String(escape_policy_variables(text)),
    }))
}

/// `!Ref id`.
pub fn reference(id: &str) -> Yaml {
    Yaml::Tagged(Box::new(TaggedValue {
        tag: Tag::new("Ref"),
        value: Yaml::String(id.to_string()),
    }))
}

/// A CloudFormation logical id from a function name: its letters and digits.
pub fn logical_id(name: &str) -> String {
    let id: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    if id.is_empty() || id.starts_with(|c: char| c.is_ascii_digit()) {
        format!("Function{id}")
    } else {
        id
    }
}

/// The role the policy attaches to: the template's role, the framework's generated one, or
/// the name in a role ARN; `!Ref <Id>Role` (SAM's name for a function's role) otherwise.
fn role(f: &FunctionReport) -> Yaml {
    match f.spec.as_ref().and_then(|s| s.role.as_ref()) {
        Some(RoleSpec::Resource { logical_id })
        | Some(RoleSpec::Generated { logical_id })
        | Some(RoleSpec::Shared { logical_id }) => reference(logical_id),
        Some(RoleSpec::External {
            role: Value::Str { value },
        }) => Yaml::String(value.rsplit('/').next().unwrap_or(value).to_string()),
        _ => reference(&format!("{}Role", logical_id(&f.name))),
    }
}

/// YAML text; serialising a `Yaml` tree cannot fail. The policy `Version` is quoted: a
/// YAML 1.1 reader would take `2012-10-17` for a date.
pub fn to_text(value: &Yaml) -> String {
    let text = serde_norway::to_string(value).unwrap_or_default();
    text.replace(
        "Version: 2012-10-17\n",
        &format!("Version: '{}'\n", crate::policy::POLICY_VERSION),
    )
}

/// A header comment naming the functions without permissions (IAM rejects empty policies).
pub fn header(title: &str, report: &Report) -> String {
    let mut text = format!("# {title}\n");
    for f in report
        .functions
        .iter()
        .filter(|f| f.actions().next().is_none())
    {
        text.push_str(&format!(
            "# {}: no permissions needed, no policy written\n",
            f.name
        ));
    }
    text
}

fn resource(f: &FunctionReport, arn: &ArnValues) -> (String, Yaml) {
    let id = logical_id(&f.name);
    let mut properties = Mapping::new();
    properties.insert(
        "PolicyName".into(),
        Yaml::String(format!("{id}-least-privilege")),
    );
    properties.insert("Roles".into(), Yaml::Sequence(vec![role(f)]));
    properties.insert("PolicyDocument".into(), policy_yaml(f, arn));
    let mut resource = Mapping::new();
    resource.insert("Type".into(), Yaml::String("AWS::IAM::Policy".into()));
    resource.insert("Properties".into(), Yaml::Mapping(properties));
    (format!("{id}Policy"), Yaml::Mapping(resource))
}

fn document(functions: &[&FunctionReport], arn: &ArnValues) -> Yaml {
    let mut resources = Mapping::new();
    for f in functions.iter().filter(|f| f.actions().next().is_some()) {
        let (id, body) = resource(f, arn);
        resources.insert(Yaml::String(id), body);
    }
    let mut root = Mapping::new();
    root.insert("Resources".into(), Yaml::Mapping(resources));
    Yaml::Mapping(root)
}

pub fn render(report: &Report, arn: &ArnValues) -> Rendered {
    let title = "iamsynth: least-privilege policies; add these resources to the template";
    let all: Vec<&FunctionReport> = report.functions.iter().collect();
    let stdout = format!("{}{}", header(title, report), to_text(&document(&all, arn)));
    let files = report
        .functions
        .iter()
        .map(|f| (f.name.clone(), "yaml", to_text(&document(&[f], arn))))
        .collect();
    Rendered { files, stdout }
}
