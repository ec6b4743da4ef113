//! `--deployed template`: the permissions the infrastructure files declare for each
//! function's role: IAM statements (`iamRoleStatements`, `Policies`, role inline policies,
//! attached `AWS::IAM::Policy`, the template's own `AWS::IAM::ManagedPolicy`), SAM policy
//! templates and SAM connectors expanded as the SAM translator expands them, and AWS managed
//! policies.

use std::path::Path;

use analyzer::infra::{DeclaredPolicy, EventKind, FunctionSpec, RoleSpec};
use serde_json::Value;

use super::deployed::Deployed;
use super::{connector, data};

/// The declared permissions of `spec`'s role. `root` is the project, for statement lines.
pub fn deployed(root: &Path, spec: &FunctionSpec) -> Deployed {
    let mut out = Deployed::new(role_id(spec));
    let text = analyzer::source::read_source(root, Path::new(&spec.declared_in))
        .map(|f| f.text)
        .unwrap_or_default();
    let locate = |needle: &str| -> Option<(String, u32)> {
        Some((
            spec.declared_in.clone(),
            line_of(&text, needle, spec.line).unwrap_or(spec.line.max(1)),
        ))
    };
    if let Some(RoleSpec::External { role }) = &spec.role {
        out.known = false;
        out.notes.push(format!(
            "the role {} is not declared in the infrastructure files: its permissions are unknown here (compare with --deployed live)",
            role_text(role)
        ));
        return out;
    }
    implicit(spec, &mut out, spec_location(spec));
    for policy in &spec.policies {
        match policy {
            DeclaredPolicy::Statements { source, statements } => {
                // Statements are written where their Sid (or the policy's name) is.
                let items: Vec<&Value> = match statements {
                    Value::Array(items) => items.iter().collect(),
                    single => vec![single],
                };
                let several = items.len() > 1;
                for (index, item) in items.into_iter().enumerate() {
                    let sid = item.get("Sid").and_then(Value::as_str);
                    let needle = sid.unwrap_or_else(|| last_segment(source));
                    let label = match sid {
                        Some(sid) => sid.to_string(),
                        None if several => format!("{source}[{index}]"),
                        None => source.clone(),
                    };
                    out.add_statements(item, &label, locate(needle), false);
                }
            }
            DeclaredPolicy::SamTemplate { name, parameters } => {
                let Some(template) = data::sam_template(name) else {
                    out.notes.push(format!(
                        "{name}: not a SAM policy template this build knows; its permissions are not counted"
                    ));
                    continue;
                };
                let missing: Vec<&String> = template
                    .parameters
                    .iter()
                    .filter(|p| parameters.get(p.as_str()).is_none())
                    .collect();
                if !missing.is_empty() {
                    out.notes.push(format!(
                        "{name}: parameter {} not given; SAM rejects the template",
                        missing
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                let statements =
                    substitute_parameters(&template.statements, &template.parameters, parameters);
                out.add_statements(&statements, name, locate(name), false);
            }
            DeclaredPolicy::Connector {
                name,
                destination_type,
                destination_id,
                destination,
                permissions,
            } => match connector::statements(
                destination_type,
                destination_id.as_deref(),
                destination,
                permissions,
            ) {
                Ok(statements) => out.add_statements(&statements, name, locate(name), false),
                Err(why) => out.notes.push(format!(
                    "connector {name}: {why}; its permissions are not counted"
                )),
            },
            DeclaredPolicy::Managed { policy } => {
                let Some(arn) = managed_text(policy) else {
                    out.notes.push(format!(
                        "managed policy {policy} is not an AWS managed policy name or ARN: its permissions are not counted (compare with --deployed live)"
                    ));
                    continue;
                };
                match data::managed_policy(&arn) {
                    Some(managed) => out.add_statements(
                        &managed.document,
                        &managed.name,
                        locate(&managed.name),
                        false,
                    ),
                    None => out.notes.push(format!(
                        "managed policy {arn} is not an AWS managed policy this build knows: its permissions are not counted (compare with --deployed live)"
                    )),
                }
            }
        }
    }
    out
}

fn spec_location(spec: &FunctionSpec) -> Option<(String, u32)> {
    Some((spec.declared_in.clone(), spec.line.max(1)))
}

/// SAM's generated role: AWSLambdaBasicExecutionRole always, and the managed policies its
/// translator adds for tracing, a VPC and polled event sources
/// (samtranslator/model/sam_resources.py `_construct_role`, eventsources/pull.py
/// `get_policy_arn`; https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html#sam-function-role).
const SAM_BASIC: &str = "service-role/AWSLambdaBasicExecutionRole";
const SAM_TRACING: &str = "AWSXrayWriteOnlyAccess";
const SAM_VPC: &str = "service-role/AWSLambdaVPCAccessExecutionRole";
const SAM_POLLERS: &[(EventKind, &str)] = &[
    (
        EventKind::Sqs,
        "service-role/AWSLambdaSQSQueueExecutionRole",
    ),
    (
        EventKind::DynamodbStream,
        "service-role/AWSLambdaDynamoDBExecutionRole",
    ),
    (
        EventKind::KinesisStream,
        "service-role/AWSLambdaKinesisExecutionRole",
    ),
];

/// The Serverless Framework's role (shared `IamRoleLambdaExecution`, or per function with
/// serverless-iam-roles-per-function): log group statements, the polled event sources'
/// statements, X-Ray when `tracing.lambda` is on, AWSLambdaVPCAccessExecutionRole for a VPC
/// (lib/plugins/aws/package/lib/merge-iam-templates.js and the event plugins).
const SLS_LOGS: &[&str] = &[
    "logs:CreateLogStream",
    "logs:CreateLogGroup",
    "logs:TagResource",
    "logs:PutLogEvents",
];
const SLS_POLLERS: &[(EventKind, &[&str])] = &[
    (
        EventKind::Sqs,
        &[
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
        ],
    ),
    (
        EventKind::DynamodbStream,
        &[
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            "dynamodb:DescribeStream",
            "dynamodb:ListStreams",
        ],
    ),
    (
        EventKind::KinesisStream,
        &[
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:DescribeStream",
            "kinesis:DescribeStreamSummary",
            "kinesis:ListShards",
            "kinesis:ListStreams",
        ],
    ),
];
const XRAY: &[&str] = &["xray:PutTraceSegments", "xray:PutTelemetryRecords"];

/// Dead-letter and destination targets: SAM adds a statement for each
/// (sam-resource-function.html, DeadLetterQueue and EventInvokeConfig).
const DELIVERY: &[(&str, &str)] = &[
    ("sqs", "sqs:SendMessage"),
    ("sns", "sns:Publish"),
    ("lambda", "lambda:InvokeFunction"),
    ("eventbridge", "events:PutEvents"),
];

/// What the framework adds to a role it generates, beside what the template declares.
fn implicit(spec: &FunctionSpec, out: &mut Deployed, location: Option<(String, u32)>) {
    let before = out.grants.len();
    implicit_grants(spec, out, location);
    for grant in &mut out.grants[before..] {
        grant.framework = true;
    }
}

fn implicit_grants(spec: &FunctionSpec, out: &mut Deployed, location: Option<(String, u32)>) {
    let Some(role) = &spec.role else {
        return;
    };
    let serverless = match role {
        RoleSpec::Shared { .. } => true,
        RoleSpec::Generated { logical_id } => logical_id.ends_with("IamRoleLambdaExecution"),
        _ => return,
    };
    let statement = |actions: &[&str], resources: Vec<String>| serde_json::json!({"Effect": "Allow", "Action": actions, "Resource": resources});
    if serverless {
        let label = "serverless framework role";
        out.add_statements(
            &statement(SLS_LOGS, vec!["arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/*".into()]),
            label,
            location.clone(),
            false,
        );
        for event in &spec.events {
            if let Some((_, actions)) = SLS_POLLERS.iter().find(|(k, _)| *k == event.kind) {
                let resource = event
                    .resource
                    .as_ref()
                    .map_or("*".to_string(), placeholder_text);
                out.add_statements(
                    &statement(actions, vec![resource]),
                    label,
                    location.clone(),
                    false,
                );
            }
        }
        if spec.tracing {
            out.add_statements(
                &statement(XRAY, vec!["*".into()]),
                label,
                location.clone(),
                false,
            );
        }
        if spec.vpc {
            add_managed(out, SAM_VPC, location.clone());
        }
        return;
    }
    add_managed(out, SAM_BASIC, location.clone());
    if spec.tracing {
        add_managed(out, SAM_TRACING, location.clone());
    }
    if spec.vpc {
        add_managed(out, SAM_VPC, location.clone());
    }
    for event in &spec.events {
        if let Some((_, policy)) = SAM_POLLERS.iter().find(|(k, _)| *k == event.kind) {
            add_managed(out, policy, location.clone());
        }
    }
    for destination in &spec.destinations {
        if let Some((_, action)) = DELIVERY.iter().find(|(t, _)| *t == destination.target_type) {
            out.add_statements(
                &statement(&[action], vec![placeholder_text(&destination.target)]),
                "SAM destination",
                location.clone(),
                false,
            );
        }
    }
}

fn add_managed(out: &mut Deployed, name: &str, location: Option<(String, u32)>) {
    let arn = format!("arn:aws:iam::aws:policy/{name}");
    match data::managed_policy(&arn) {
        Some(managed) => out.add_statements(&managed.document, &managed.name, location, false),
        None => out.notes.push(format!(
            "managed policy {arn} is not in this build's data: not counted"
        )),
    }
}

/// A value as policy placeholder text: known text, `${Logical}`/`${Logical.Attr}`, else `*`.
fn placeholder_text(value: &analyzer::Value) -> String {
    match value {
        analyzer::Value::Str { value } => value.clone(),
        analyzer::Value::Infra(reference) => match &reference.attribute {
            Some(attribute) => format!("${{{}.{attribute}}}", reference.logical_id),
            None => format!("${{{}}}", reference.logical_id),
        },
        analyzer::Value::Concat { parts } => parts.iter().map(placeholder_text).collect(),
        _ => "*".to_string(),
    }
}

/// The role's identity, so functions sharing one role are compared together.
pub fn role_id(spec: &FunctionSpec) -> Option<String> {
    match spec.role.as_ref()? {
        RoleSpec::Generated { logical_id }
        | RoleSpec::Shared { logical_id }
        | RoleSpec::Resource { logical_id } => Some(logical_id.clone()),
        RoleSpec::External { role } => Some(role_text(role)),
    }
}

fn role_text(role: &analyzer::Value) -> String {
    match role {
        analyzer::Value::Str { value } => value.clone(),
        analyzer::Value::Infra(reference) => reference
            .known
            .clone()
            .unwrap_or_else(|| reference.logical_id.clone()),
        _ => "(unknown)".to_string(),
    }
}

/// `{"Ref": "TableName"}` where `TableName` is a template parameter becomes the value the
/// function gives it; SAM's policy template processor does the same.
fn substitute_parameters(value: &Value, names: &[String], given: &Value) -> Value {
    match value {
        Value::Object(map) => {
            if let (1, Some(Value::String(name))) = (map.len(), map.get("Ref"))
                && names.contains(name)
                && let Some(given) = given.get(name.as_str())
            {
                return given.clone();
            }
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), substitute_parameters(v, names, given)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| substitute_parameters(v, names, given))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A managed policy as written: a name, an ARN, or `!Sub arn:${AWS::Partition}:iam::aws:policy/X`.
fn managed_text(policy: &Value) -> Option<String> {
    match policy {
        Value::String(text) => Some(text.replace("${AWS::Partition}", "aws")),
        Value::Object(map) if map.len() == 1 => match map.get("Fn::Sub") {
            Some(Value::String(text)) => Some(text.replace("${AWS::Partition}", "aws")),
            _ => None,
        },
        _ => None,
    }
}

fn last_segment(source: &str) -> &str {
    source.rsplit(['/', '.']).next().unwrap_or(source)
}

/// 1-based line of the first occurrence of `needle` at or after line `from`, else anywhere.
fn line_of(text: &str, needle: &str, from: u32) -> Option<u32> {
    if needle.is_empty() {
        return None;
    }
    let lines: Vec<&str> = text.lines().collect();
    let start = (from.max(1) - 1) as usize;
    let find = |range: std::ops::Range<usize>| {
        range
            .into_iter()
            .find(|&i| lines.get(i).is_some_and(|l| l.contains(needle)))
    };
    find(start..lines.len())
        .or_else(|| find(0..start.min(lines.len())))
        .map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sam_parameters_replace_their_refs() {
        let template = data::sam_template("DynamoDBCrudPolicy").expect("template");
        let given = serde_json::json!({"TableName": {"Ref": "OrdersTable"}});
        let statements = substitute_parameters(&template.statements, &template.parameters, &given);
        let mut deployed = Deployed::new(None);
        deployed.add_statements(&statements, "DynamoDBCrudPolicy", None, false);
        assert!(deployed.notes.is_empty(), "{:?}", deployed.notes);
        let resources = &deployed.grants[0].statement.resources;
        assert!(
            resources.contains(
                "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}"
            ),
            "{resources:?}"
        );
        assert_eq!(deployed.grants[0].granted_by, "DynamoDBCrudPolicy");
    }

    #[test]
    fn lines_are_found_after_the_function() {
        let text = "a\nSid: X\nb\nSid: X\n";
        assert_eq!(line_of(text, "Sid: X", 3), Some(4));
        assert_eq!(line_of(text, "Sid: X", 1), Some(2));
        assert_eq!(line_of(text, "nothing", 1), None);
    }
}
