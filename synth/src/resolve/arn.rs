//! Resource ARNs from an action's resource types and the call's arguments.
//!
//! The Service Reference gives each action's resource types and their ARN formats
//! (`arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}`). We fill each
//! `${Variable}` from the input member that carries it ([`BINDINGS`], else the member of the
//! same name), keep partition/region/account as CloudFormation pseudo-parameter placeholders,
//! and put `*` in a segment only when its value is unknown. Of several resource types the one
//! the arguments fill best wins.

use std::collections::BTreeMap;

use analyzer::{InfraRef, Value};

use crate::catalog::Catalog;

/// How a member's value becomes an ARN variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    /// Taken as it is.
    Identity,
    /// The last `/` segment: SQS queue URL to queue name; an ARN `table/Orders` to `Orders`.
    AfterLastSlash,
    /// The last `:` segment: an SNS topic ARN to the topic name.
    AfterLastColon,
    /// Lambda's FunctionName: a name, a partial or full ARN, with an optional `:qualifier`.
    LambdaFunction,
    /// Secrets Manager SecretId: a name gets AWS's random six-character suffix as `-??????`;
    /// an ARN keeps its own suffix.
    SecretId,
    /// SSM parameter names lose their leading `/` (the ARN format adds it).
    StripLeadingSlash,
    /// A `GetParametersByPath` path: as a parameter name, and when it ends in `/` also
    /// without that `/`. Parameter Store takes `/app/prod` and `/app/prod/` as the same
    /// hierarchy, and AccessDenied errors name the path without the final `/`
    /// (aws/aws-dotnet-extensions-configuration#108), but which form IAM evaluates is not
    /// documented: both are granted, so that neither is an outage.
    ParameterPath,
    /// An IAM role ARN to its name with path (`arn:aws:iam::1:role/service/x` -> `service/x`).
    RoleNameWithPath,
    /// ECS `family[:revision]` or its ARN -> the family.
    TaskFamily,
    /// ECS `family[:revision]` or its ARN -> the revision (`*` without one).
    TaskRevision,
    /// A KMS `KeyId`: a key id or key ARN -> the key id; an alias (`alias/app`, an alias ARN)
    /// -> `*`, since IAM authorizes the key the alias points to, which the call does not name
    /// (https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html).
    KmsKeyId,
    /// An SES sender (`Name <no-reply@example.com>` or the bare address) -> the identities
    /// that may authorise it: the address and its domain. SES checks the verified identity
    /// that covers the address, which is usually the domain
    /// (https://docs.aws.amazon.com/ses/latest/dg/sending-authorization-policies.html,
    /// "identity" is an email address or a domain).
    EmailIdentity,
}

/// One row of [`BINDINGS`]: IAM prefix, ARN variable, the members that fill it in order.
pub type Binding = (
    &'static str,
    &'static str,
    &'static [(&'static str, Transform)],
);

/// (IAM prefix, ARN variable) -> the members that fill it, tried in order.
/// Sources: each service's API reference for the member, and the Service Authorization
/// Reference's ARN formats (https://docs.aws.amazon.com/service-authorization/latest/reference/).
pub const BINDINGS: &[Binding] = &[
    (
        "bedrock",
        "GuardrailId",
        &[
            ("guardrailIdentifier", Transform::AfterLastSlash),
            (
                "guardrailConfig.guardrailIdentifier",
                Transform::AfterLastSlash,
            ),
        ],
    ),
    (
        "iam",
        "RoleNameWithPath",
        &[("RoleArn", Transform::RoleNameWithPath)],
    ),
    (
        "ecs",
        "TaskDefinitionFamilyName",
        &[("taskDefinition", Transform::TaskFamily)],
    ),
    (
        "ecs",
        "TaskDefinitionRevisionNumber",
        &[("taskDefinition", Transform::TaskRevision)],
    ),
    (
        "scheduler",
        "ScheduleName",
        &[("Name", Transform::Identity)],
    ),
    (
        "scheduler",
        "GroupName",
        &[("GroupName", Transform::Identity)],
    ),
    ("s3", "BucketName", &[("Bucket", Transform::Identity)]),
    (
        "s3",
        "ObjectName",
        &[
            ("Key", Transform::Identity),
            ("Prefix", Transform::Identity),
        ],
    ),
    (
        "sqs",
        "QueueName",
        &[
            ("QueueUrl", Transform::AfterLastSlash),
            ("QueueName", Transform::Identity),
        ],
    ),
    (
        "sns",
        "TopicName",
        &[
            ("TopicArn", Transform::AfterLastColon),
            ("TargetArn", Transform::AfterLastColon),
            ("Name", Transform::Identity),
        ],
    ),
    (
        "lambda",
        "FunctionName",
        &[("FunctionName", Transform::LambdaFunction)],
    ),
    (
        "dynamodb",
        "TableName",
        &[
            ("TableName", Transform::AfterLastSlash),
            ("TableArn", Transform::AfterLastSlash),
            // BatchGetItem / BatchWriteItem key their requests by table name.
            ("RequestItems{}", Transform::AfterLastSlash),
        ],
    ),
    (
        "dynamodb",
        "StreamLabel",
        &[("StreamArn", Transform::AfterLastSlash)],
    ),
    (
        "secretsmanager",
        "SecretId",
        &[
            ("SecretId", Transform::SecretId),
            ("Name", Transform::SecretId),
        ],
    ),
    (
        "ssm",
        "ParameterNameWithoutLeadingSlash",
        &[
            ("Name", Transform::StripLeadingSlash),
            ("Names", Transform::StripLeadingSlash),
            ("Path", Transform::ParameterPath),
        ],
    ),
    (
        "states",
        "StateMachineName",
        &[("stateMachineArn", Transform::AfterLastColon)],
    ),
    (
        "states",
        "ActivityName",
        &[("activityArn", Transform::AfterLastColon)],
    ),
    (
        "kinesis",
        "StreamName",
        &[
            ("StreamName", Transform::Identity),
            ("StreamARN", Transform::AfterLastSlash),
        ],
    ),
    (
        "firehose",
        "DeliveryStreamName",
        &[("DeliveryStreamName", Transform::Identity)],
    ),
    (
        "events",
        "EventBusName",
        // PutEvents names the bus per entry; an entry without one goes to the default bus.
        &[
            ("EventBusName", Transform::AfterLastSlash),
            ("Entries[].EventBusName", Transform::AfterLastSlash),
        ],
    ),
    (
        "logs",
        "LogGroupName",
        &[("logGroupName", Transform::Identity)],
    ),
    (
        "logs",
        "LogStreamName",
        &[("logStreamName", Transform::Identity)],
    ),
    ("kms", "KeyId", &[("KeyId", Transform::KmsKeyId)]),
    (
        "cognito-idp",
        "UserPoolId",
        &[("UserPoolId", Transform::Identity)],
    ),
    (
        "ses",
        "IdentityName",
        &[
            ("Source", Transform::EmailIdentity),
            ("FromEmailAddress", Transform::EmailIdentity),
        ],
    ),
];

/// Values used when the member is absent: the service's documented default.
/// Source: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html
/// https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html (GroupName)
const DEFAULTS: &[(&str, &str, &str)] = &[
    ("events", "EventBusName", "default"),
    ("scheduler", "GroupName", "default"),
];

/// `(CloudFormation type, transform)` -> the `!GetAtt` attribute that yields the transformed
/// value, for resources the template names without a physical name.
/// Source: the "Return values" section of each resource type in the CloudFormation User Guide.
const INFRA_ATTRIBUTES: &[(&str, Transform, &str)] = &[
    ("AWS::SQS::Queue", Transform::AfterLastSlash, "QueueName"),
    ("AWS::SNS::Topic", Transform::AfterLastColon, "TopicName"),
    (
        "AWS::StepFunctions::StateMachine",
        Transform::AfterLastColon,
        "Name",
    ),
    (
        "AWS::Serverless::StateMachine",
        Transform::AfterLastColon,
        "Name",
    ),
];

/// Resource types that always apply to their action, even when the call cannot name the
/// resource (the Service Reference copy we build from does not mark required types).
/// Source: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
/// (PassRole: resource type `role`, required).
const ALWAYS_APPLIES: &[(&str, &str)] = &[("iam", "role")];

const PSEUDO: [(&str, &str); 3] = [
    ("Partition", "${AWS::Partition}"),
    ("Region", "${AWS::Region}"),
    ("Account", "${AWS::AccountId}"),
];

/// The resources `action` needs for a call with `scope` arguments, on a client of `region`
/// when the code fixed one (else the function's region); `["*"]` when the action takes no
/// resource type.
pub fn resources(
    catalog: &Catalog,
    action: &str,
    scope: &BTreeMap<String, Value>,
    members: &[String],
    region: Option<&Value>,
) -> Vec<String> {
    let Some((service, _, data)) = catalog.action(action) else {
        return vec!["*".to_string()];
    };
    let prefix = service.prefix.as_str();
    // A Bedrock model id decides the resource type itself (see `bedrock.rs`), for the
    // actions checked on models (not, say, a guardrail the same call applies).
    if prefix == "bedrock"
        && data.resources.iter().any(|t| t == "foundation-model")
        && let Some(arns) = scope
            .get("modelId")
            .and_then(super::bedrock::model_resources)
    {
        return with_client_region(arns, region);
    }
    // Best: most variables filled, then fewest left as `*`, then most the operation's members
    // could fill, then the Service Reference's order.
    let mut best: Option<((usize, i64, usize, i64), Vec<String>)> = None;
    for (order, resource_type) in data.resources.iter().enumerate() {
        let Some(format) = service.resources.get(resource_type).and_then(|f| f.first()) else {
            continue;
        };
        let (filled, bindable, total, arns) = fill(format, prefix, scope, members, region);
        let score = (
            filled,
            -((total - filled) as i64),
            bindable,
            -(order as i64),
        );
        if best.as_ref().is_none_or(|(s, _)| score > *s) {
            best = Some((score, arns));
        }
    }
    match best {
        // A resource type the call's members cannot reach at all (an optional type such as
        // CloudWatch's `dataset` for PutMetricData) does not describe this call.
        Some(((0, _, 0, _), arns)) if applies_always(prefix, &data.resources) => arns,
        Some(((0, _, 0, _), _)) | None => vec!["*".to_string()],
        Some((_, arns)) if arns.is_empty() => vec!["*".to_string()],
        Some((_, arns)) => arns,
    }
}

/// ARNs with `${AWS::Region}` replaced by a region the code fixed for the client.
fn with_client_region(arns: Vec<String>, region: Option<&Value>) -> Vec<String> {
    let Some(region) = region.map(region_text) else {
        return arns;
    };
    arns.into_iter()
        .map(|arn| arn.replace("${AWS::Region}", &region))
        .collect()
}

/// A client's region as ARN text: the name, or `*` for one the code does not make knowable.
fn region_text(region: &Value) -> String {
    match region {
        Value::Str { value } if !value.is_empty() => value.clone(),
        _ => "*".to_string(),
    }
}

/// Partition, region and account as a literal argument states them: a full ARN
/// (`arn:aws:sns:us-east-1:123456789012:alerts`) or an SQS queue URL
/// (`https://sqs.us-east-1.amazonaws.com/123456789012/jobs`). Only from the members that
/// fill this ARN's own variables, and only fields that are stated (not empty, not `*`).
fn stated_location(
    format: &str,
    prefix: &str,
    scope: &BTreeMap<String, Value>,
) -> Option<BTreeMap<&'static str, String>> {
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        let len = rest[start..].find('}')?;
        let variable = &rest[start + 2..start + len];
        rest = &rest[start + len + 1..];
        for (member, _) in binding(prefix, variable) {
            if let Some(Value::Str { value }) = scope.get(member) {
                if let Some(location) = location_of(value) {
                    return Some(location);
                }
            }
        }
    }
    None
}

fn location_of(text: &str) -> Option<BTreeMap<&'static str, String>> {
    let mut found = BTreeMap::new();
    let mut keep = |key: &'static str, value: &str| {
        if !value.is_empty() && !value.contains('*') && !value.contains("${") {
            found.insert(key, value.to_string());
        }
    };
    if let Some(arn) = text.strip_prefix("arn:") {
        let parts: Vec<&str> = arn.splitn(5, ':').collect();
        if parts.len() == 5 {
            keep("Partition", parts[0]);
            keep("Region", parts[2]);
            keep("Account", parts[3]);
        }
    } else if let Some(url) = text.strip_prefix("https://") {
        // sqs.<region>.amazonaws.com/<account>/<queue>, or the legacy <region>.queue.amazonaws.com
        let (host, path) = url.split_once('/')?;
        let region = host
            .strip_prefix("sqs.")
            .or_else(|| host.split_once(".queue.").map(|(r, _)| r))?;
        let region = region.split('.').next()?;
        keep("Region", region);
        keep("Account", path.split('/').next()?);
    }
    (!found.is_empty()).then_some(found)
}

fn applies_always(prefix: &str, types: &[String]) -> bool {
    types
        .iter()
        .any(|t| ALWAYS_APPLIES.contains(&(prefix, t.as_str())))
}

/// Fills one ARN format: (variables filled, variables bindable from the operation's members,
/// variables in all, the ARNs — several when a member holds a list).
fn fill(
    format: &str,
    prefix: &str,
    scope: &BTreeMap<String, Value>,
    members: &[String],
    region: Option<&Value>,
) -> (usize, usize, usize, Vec<String>) {
    let mut arns = vec![String::new()];
    let (mut filled, mut bindable, mut total) = (0, 0, 0);
    let mut stated = stated_location(format, prefix, scope);
    // A region the code fixed for the client, unless an ARN or URL argument states one.
    if let Some(region) = region {
        stated
            .get_or_insert_with(BTreeMap::new)
            .entry("Region")
            .or_insert_with(|| region_text(region));
    }
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let literal = &rest[..start];
        let variable = &rest[start + 2..start + len];
        rest = &rest[start + len + 1..];
        let values: Vec<String> =
            if let Some((_, placeholder)) = PSEUDO.iter().find(|(v, _)| *v == variable) {
                let stated = stated.as_ref().and_then(|l| l.get(variable));
                vec![stated.map_or_else(|| (*placeholder).to_string(), String::clone)]
            } else {
                total += 1;
                let candidates = binding(prefix, variable);
                let root = |m: &str| {
                    let m = m.strip_suffix("{}").unwrap_or(m);
                    let m = m.split_once("[].").map_or(m, |(list, _)| list);
                    m.split_once('.')
                        .map_or(m, |(structure, _)| structure)
                        .to_string()
                };
                if candidates.iter().any(|(m, _)| {
                    members.iter().any(|x| *x == root(m)) || scope.contains_key(&root(m))
                }) {
                    bindable += 1;
                }
                let found = candidates.iter().find_map(|(member, transform)| {
                    member_value(scope, member, prefix, variable).map(|v| render(&v, *transform))
                });
                let found = found.or_else(|| {
                    DEFAULTS
                        .iter()
                        .find(|(p, v, _)| *p == prefix && *v == variable)
                        .map(|(_, _, d)| vec![(*d).to_string()])
                });
                match found {
                    Some(values) if values.iter().any(|v| v != "*") => {
                        filled += 1;
                        bindable = bindable.max(filled);
                        values
                    }
                    _ => vec!["*".to_string()],
                }
            };
        arns = arns
            .iter()
            .flat_map(|arn| values.iter().map(move |v| format!("{arn}{literal}{v}")))
            .collect();
    }
    for arn in &mut arns {
        arn.push_str(rest);
    }
    (filled, bindable, total, arns)
}

/// The value of `member` in the arguments. `List[].Member` reads that member of every element
/// of a list argument (an element without it takes the service's documented default);
/// `Structure.Member` that member of a structure argument.
fn member_value(
    scope: &BTreeMap<String, Value>,
    member: &str,
    prefix: &str,
    variable: &str,
) -> Option<Value> {
    if let Some(map) = member.strip_suffix("{}") {
        return scope.get(map).map(|value| match value {
            Value::Map { entries } => Value::List {
                items: entries.keys().map(Value::str).collect(),
            },
            _ => Value::Unknown,
        });
    }
    let Some((list, inner)) = member.split_once("[].") else {
        // `Structure.Member`: that member of a structure argument.
        if let Some((structure, inner)) = member.split_once('.') {
            return scope.get(structure).map(|value| match value {
                Value::Map { entries } => entries.get(inner).cloned().unwrap_or(Value::Unknown),
                _ => Value::Unknown,
            });
        }
        return scope.get(member).cloned();
    };
    let default = DEFAULTS
        .iter()
        .find(|(p, v, _)| *p == prefix && *v == variable)
        .map(|(_, _, d)| Value::str(*d));
    match scope.get(list)? {
        Value::List { items } => Some(Value::List {
            items: items
                .iter()
                .map(|item| match item {
                    Value::Map { entries } => entries
                        .get(inner)
                        .cloned()
                        .or_else(|| default.clone())
                        .unwrap_or(Value::Unknown),
                    _ => Value::Unknown,
                })
                .collect(),
        }),
        _ => Some(Value::Unknown),
    }
}

/// The members that fill `variable`: the table's row, else the member named like the
/// variable (`TableName`, `FunctionName`, `StreamName`).
fn binding<'a>(prefix: &str, variable: &'a str) -> Vec<(&'a str, Transform)> {
    match BINDINGS
        .iter()
        .find(|(p, v, _)| *p == prefix && *v == variable)
    {
        Some((_, _, members)) => members.to_vec(),
        None => vec![(variable, Transform::Identity)],
    }
}

/// A value as ARN text: known strings transformed, infrastructure references as
/// `${Logical}` / `${Logical.Attribute}` placeholders, anything unknown as `*`.
/// A list gives one text per element.
fn render(value: &Value, transform: Transform) -> Vec<String> {
    if transform == Transform::EmailIdentity {
        return render(value, Transform::Identity)
            .iter()
            .flat_map(|sender| email_identities(sender))
            .collect();
    }
    if transform == Transform::ParameterPath {
        return render(value, Transform::StripLeadingSlash)
            .into_iter()
            .flat_map(|path| match path.strip_suffix('/') {
                Some(bare) if !bare.is_empty() => vec![bare.to_string(), path],
                _ => vec![path],
            })
            .collect();
    }
    match value {
        Value::List { items } if !items.is_empty() => {
            items.iter().flat_map(|v| render(v, transform)).collect()
        }
        Value::Infra(reference) => vec![render_infra(reference, transform)],
        other => vec![apply(&text(other), transform)],
    }
}

/// Source text of a value with unknown parts as `*`.
fn text(value: &Value) -> String {
    match value {
        Value::Str { value } => value.clone(),
        Value::Infra(reference) => render_infra(reference, Transform::Identity),
        Value::Concat { parts } => parts.iter().map(text).collect(),
        Value::Env { .. }
        | Value::Unknown
        | Value::Scalar { .. }
        | Value::List { .. }
        | Value::Map { .. } => "*".to_string(),
    }
}

fn render_infra(reference: &InfraRef, transform: Transform) -> String {
    if let Some(known) = &reference.known {
        return apply(known, transform);
    }
    if reference.attribute.is_none() {
        if let Some((_, _, attribute)) = INFRA_ATTRIBUTES
            .iter()
            .find(|(t, tr, _)| *t == reference.resource_type && *tr == transform)
        {
            return format!("${{{}.{attribute}}}", reference.logical_id);
        }
    }
    match &reference.attribute {
        Some(attribute) => apply(
            &format!("${{{}.{attribute}}}", reference.logical_id),
            transform,
        ),
        None => format!("${{{}}}", reference.logical_id),
    }
}

/// The address of an SES sender and its domain, or the text as it is when it is no address.
fn email_identities(sender: &str) -> Vec<String> {
    let address = match (sender.rfind('<'), sender.rfind('>')) {
        (Some(open), Some(close)) if open < close => &sender[open + 1..close],
        _ => sender,
    }
    .trim();
    match address.rsplit_once('@') {
        Some((_, domain)) if !domain.is_empty() => vec![address.to_string(), domain.to_string()],
        _ => vec![address.to_string()],
    }
}

fn apply(text: &str, transform: Transform) -> String {
    // Placeholders contain neither `/` nor `:` except in `${AWS::...}`, which transforms
    // never split because they only take the tail.
    let out = match transform {
        // Split into identities by `render`.
        Transform::Identity | Transform::EmailIdentity => text.to_string(),
        Transform::AfterLastSlash => tail(text, '/'),
        Transform::KmsKeyId if text.starts_with("alias/") || text.contains(":alias/") => {
            "*".to_string()
        }
        Transform::KmsKeyId => tail(text, '/'),
        Transform::AfterLastColon => tail(text, ':'),
        Transform::LambdaFunction => lambda_function_name(text),
        Transform::SecretId => secret_id(text),
        Transform::StripLeadingSlash | Transform::ParameterPath => {
            text.trim_start_matches('/').to_string()
        }
        Transform::RoleNameWithPath => text
            .split_once(":role/")
            .map_or(text, |(_, name)| name)
            .to_string(),
        Transform::TaskFamily => tail(text, '/')
            .split(':')
            .next()
            .unwrap_or_default()
            .to_string(),
        Transform::TaskRevision => tail(text, '/')
            .split_once(':')
            .map_or("*", |(_, revision)| revision)
            .to_string(),
    };
    if out.is_empty() { "*".to_string() } else { out }
}

fn tail(text: &str, separator: char) -> String {
    if text.starts_with("${") && text.ends_with('}') && !text[2..].contains("${") {
        return text.to_string();
    }
    text.rsplit(separator).next().unwrap_or(text).to_string()
}

/// `my-fn`, `my-fn:prod`, `123456789012:function:my-fn`, `arn:aws:lambda:...:function:my-fn:1`.
/// Source: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html (FunctionName).
fn lambda_function_name(text: &str) -> String {
    let parts: Vec<&str> = text.split(':').collect();
    match parts.iter().position(|p| *p == "function") {
        Some(i) => parts
            .get(i + 1)
            .map_or_else(|| "*".to_string(), |name| (*name).to_string()),
        None => parts
            .first()
            .map_or_else(String::new, |name| (*name).to_string()),
    }
}

/// Source: https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_iam-policies.html
/// ("Secrets Manager adds a hyphen and six random characters"; match them with `-??????`).
fn secret_id(text: &str) -> String {
    if let Some(i) = text.find(":secret:") {
        return text[i + ":secret:".len()..].to_string();
    }
    if text == "*" || text.ends_with('*') {
        text.to_string()
    } else {
        format!("{text}-??????")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;

    /// [`super::resources`] for a client of the function's own region.
    fn resources(
        catalog: &Catalog,
        action: &str,
        scope: &BTreeMap<String, Value>,
        members: &[String],
    ) -> Vec<String> {
        super::resources(catalog, action, scope, members, None)
    }

    #[test]
    fn a_region_fixed_for_the_client_replaces_the_functions() {
        let c = catalog();
        let m = members(&["Source"]);
        let sender = scope(&[("Source", Value::str("no-reply@example.com"))]);
        let east = Value::str("us-east-1");
        assert_eq!(
            super::resources(c, "ses:SendEmail", &sender, &m, Some(&east)),
            [
                "arn:${AWS::Partition}:ses:us-east-1:${AWS::AccountId}:identity/no-reply@example.com",
                "arn:${AWS::Partition}:ses:us-east-1:${AWS::AccountId}:identity/example.com"
            ]
        );
        assert_eq!(
            super::resources(c, "ses:SendEmail", &sender, &m, Some(&Value::Unknown)),
            [
                "arn:${AWS::Partition}:ses:*:${AWS::AccountId}:identity/no-reply@example.com",
                "arn:${AWS::Partition}:ses:*:${AWS::AccountId}:identity/example.com"
            ],
            "a region the code does not make knowable is any region"
        );
        // A queue URL states its own region, which is where the call goes.
        let queue = scope(&[(
            "QueueUrl",
            Value::str("https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"),
        )]);
        assert_eq!(
            super::resources(
                c,
                "sqs:SendMessage",
                &queue,
                &members(&["QueueUrl"]),
                Some(&east)
            ),
            ["arn:${AWS::Partition}:sqs:eu-west-1:123456789012:jobs"]
        );
    }

    fn scope(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn members(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn s3_object_and_bucket() {
        let c = catalog();
        let m = members(&["Bucket", "Key"]);
        let args = scope(&[
            ("Bucket", Value::str("media")),
            (
                "Key",
                Value::concat(vec![Value::str("uploads/"), Value::Unknown]),
            ),
        ]);
        assert_eq!(
            resources(c, "s3:GetObject", &args, &m),
            ["arn:${AWS::Partition}:s3:::media/uploads/*"]
        );
        assert_eq!(
            resources(c, "s3:ListBucket", &args, &m),
            ["arn:${AWS::Partition}:s3:::media"]
        );
        // Nothing known: wildcards in the segments only, on the object type.
        assert_eq!(
            resources(c, "s3:GetObject", &BTreeMap::new(), &m),
            ["arn:${AWS::Partition}:s3:::*/*"]
        );
    }

    #[test]
    fn dynamodb_table_and_index() {
        let c = catalog();
        let m = members(&["TableName", "IndexName", "KeyConditionExpression"]);
        let table = scope(&[("TableName", Value::str("Orders"))]);
        assert_eq!(
            resources(c, "dynamodb:Query", &table, &m),
            ["arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/Orders"]
        );
        let index = scope(&[
            ("TableName", Value::str("Orders")),
            ("IndexName", Value::str("byCustomer")),
        ]);
        assert_eq!(
            resources(c, "dynamodb:Query", &index, &m),
            [
                "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/Orders/index/byCustomer"
            ]
        );
    }

    #[test]
    fn names_from_urls_and_arns() {
        let c = catalog();
        let url = scope(&[(
            "QueueUrl",
            Value::str("https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"),
        )]);
        assert_eq!(
            resources(c, "sqs:SendMessage", &url, &members(&["QueueUrl"])),
            ["arn:${AWS::Partition}:sqs:eu-west-1:123456789012:jobs"]
        );
        let topic = scope(&[(
            "TopicArn",
            Value::str("arn:aws:sns:us-east-1:123456789012:alerts"),
        )]);
        assert_eq!(
            resources(c, "sns:Publish", &topic, &members(&["TopicArn"])),
            ["arn:aws:sns:us-east-1:123456789012:alerts"]
        );
        let function = scope(&[(
            "FunctionName",
            Value::str("arn:aws:lambda:us-east-1:1:function:worker:live"),
        )]);
        assert_eq!(
            resources(
                c,
                "lambda:InvokeFunction",
                &function,
                &members(&["FunctionName"])
            ),
            ["arn:aws:lambda:us-east-1:1:function:worker"]
        );
        let secret = scope(&[("SecretId", Value::str("prod/db"))]);
        assert_eq!(
            resources(
                c,
                "secretsmanager:GetSecretValue",
                &secret,
                &members(&["SecretId"])
            ),
            [
                "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:prod/db-??????"
            ]
        );
        let parameter = scope(&[(
            "Names",
            Value::List {
                items: vec![Value::str("/app/a"), Value::str("/app/b")],
            },
        )]);
        assert_eq!(
            resources(c, "ssm:GetParameters", &parameter, &members(&["Names"])),
            [
                "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/a",
                "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/b"
            ]
        );
        let parameter = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/";
        let by_path = |path: &str| {
            resources(
                c,
                "ssm:GetParametersByPath",
                &scope(&[("Path", Value::str(path))]),
                &members(&["Path"]),
            )
        };
        assert_eq!(
            by_path("/app/prod/"),
            [
                format!("{parameter}app/prod"),
                format!("{parameter}app/prod/")
            ],
            "a path ending in / is granted in both spellings of the hierarchy"
        );
        assert_eq!(by_path("/app/prod"), [format!("{parameter}app/prod")]);
        assert_eq!(
            by_path("/"),
            [format!("{parameter}*")],
            "the root path is every parameter"
        );
    }

    #[test]
    fn infrastructure_references_stay_placeholders() {
        let c = catalog();
        let queue = Value::Infra(Box::new(InfraRef {
            logical_id: "JobsQueue".into(),
            resource_type: "AWS::SQS::Queue".into(),
            attribute: None,
            known: None,
        }));
        assert_eq!(
            resources(
                c,
                "sqs:SendMessage",
                &scope(&[("QueueUrl", queue)]),
                &members(&["QueueUrl"])
            ),
            ["arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${JobsQueue.QueueName}"]
        );
        let table = Value::Infra(Box::new(InfraRef {
            logical_id: "Orders".into(),
            resource_type: "AWS::DynamoDB::Table".into(),
            attribute: None,
            known: None,
        }));
        assert_eq!(
            resources(
                c,
                "dynamodb:PutItem",
                &scope(&[("TableName", table)]),
                &members(&["TableName"])
            ),
            ["arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Orders}"]
        );
        let env = Value::Env {
            name: "TABLE".into(),
            default: None,
        };
        assert_eq!(
            resources(
                c,
                "dynamodb:PutItem",
                &scope(&[("TableName", env)]),
                &members(&["TableName"])
            ),
            ["arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*"]
        );
    }

    #[test]
    fn a_kms_alias_is_any_key_and_a_key_id_is_that_key() {
        let c = catalog();
        let m = members(&["KeyId"]);
        // An ARN keeps the region and account it states; the key part is what changes.
        for (given, expected) in [
            ("alias/app", "*"),
            ("arn:aws:kms:eu-west-1:1:alias/app", "*"),
            (
                "1234abcd-12ab-34cd-56ef-1234567890ab",
                "1234abcd-12ab-34cd-56ef-1234567890ab",
            ),
            ("arn:aws:kms:eu-west-1:111122223333:key/k-1", "k-1"),
        ] {
            let got = resources(
                c,
                "kms:Decrypt",
                &scope(&[("KeyId", Value::str(given))]),
                &m,
            );
            assert_eq!(got.len(), 1, "{given}");
            assert!(
                got[0].ends_with(&format!("key/{expected}")),
                "{given}: {got:?}"
            );
        }
    }

    #[test]
    fn ses_senders_are_authorised_by_address_or_domain() {
        let c = catalog();
        let m = members(&["FromEmailAddress"]);
        let identity = "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/";
        let named = scope(&[(
            "FromEmailAddress",
            Value::str("Billing <billing@example.com>"),
        )]);
        let mut got = resources(c, "ses:SendEmail", &named, &m);
        got.sort();
        assert_eq!(
            got,
            [
                format!("{identity}billing@example.com"),
                format!("{identity}example.com")
            ]
        );
        assert_eq!(
            email_identities("*"),
            ["*"],
            "an unknown sender is any identity, once"
        );
    }

    #[test]
    fn eventbridge_buses_come_from_each_entry() {
        let c = catalog();
        let m = members(&["Entries"]);
        let entry = |bus: Option<&str>| Value::Map {
            entries: bus
                .map(|b| ("EventBusName".to_string(), Value::str(b)))
                .into_iter()
                .chain([("Detail".to_string(), Value::Unknown)])
                .collect(),
        };
        let bus = "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/";
        let two = scope(&[(
            "Entries",
            Value::List {
                items: vec![entry(Some("orders")), entry(None)],
            },
        )]);
        assert_eq!(
            resources(c, "events:PutEvents", &two, &m),
            [format!("{bus}orders"), format!("{bus}default")]
        );
        let unknown = scope(&[("Entries", Value::Unknown)]);
        assert_eq!(
            resources(c, "events:PutEvents", &unknown, &m),
            [format!("{bus}*")]
        );
    }

    #[test]
    fn batch_requests_ecs_tasks_and_passed_roles() {
        let c = catalog();
        let table = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/";
        let items = Value::Map {
            entries: [("invoices".to_string(), Value::Unknown)]
                .into_iter()
                .collect(),
        };
        let m = members(&["RequestItems"]);
        assert_eq!(
            resources(
                c,
                "dynamodb:BatchWriteItem",
                &scope(&[("RequestItems", items)]),
                &m
            ),
            [format!("{table}invoices")]
        );
        assert_eq!(
            resources(
                c,
                "dynamodb:BatchWriteItem",
                &scope(&[("RequestItems", Value::Unknown)]),
                &m
            ),
            [format!("{table}*")]
        );
        let task = scope(&[("taskDefinition", Value::str("report-builder:3"))]);
        assert_eq!(
            resources(
                c,
                "ecs:RunTask",
                &task,
                &members(&["taskDefinition", "cluster"])
            ),
            [
                "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task-definition/report-builder:3"
            ]
        );
        let role = scope(&[(
            "RoleArn",
            Value::str("arn:aws:iam::123456789012:role/service-role/scheduler"),
        )]);
        assert_eq!(
            resources(c, "iam:PassRole", &role, &[]),
            ["arn:aws:iam::123456789012:role/service-role/scheduler"]
        );
        assert_eq!(
            resources(c, "iam:PassRole", &BTreeMap::new(), &[]),
            ["arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*"]
        );
    }

    #[test]
    fn literal_arns_and_queue_urls_keep_their_region_and_account() {
        let c = catalog();
        let topic = scope(&[(
            "TopicArn",
            Value::str("arn:aws:sns:us-east-1:123456789012:alerts"),
        )]);
        assert_eq!(
            resources(c, "sns:Publish", &topic, &members(&["TopicArn"])),
            ["arn:aws:sns:us-east-1:123456789012:alerts"]
        );
        let url = scope(&[(
            "QueueUrl",
            Value::str("https://sqs.eu-west-1.amazonaws.com/123456789012/jobs"),
        )]);
        assert_eq!(
            resources(c, "sqs:SendMessage", &url, &members(&["QueueUrl"])),
            ["arn:${AWS::Partition}:sqs:eu-west-1:123456789012:jobs"]
        );
        let partial = scope(&[(
            "QueueUrl",
            Value::concat(vec![
                Value::str("https://sqs.eu-west-1.amazonaws.com/"),
                Value::Unknown,
                Value::str("/jobs"),
            ]),
        )]);
        assert_eq!(
            resources(c, "sqs:SendMessage", &partial, &members(&["QueueUrl"])),
            ["arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:jobs"]
        );
    }

    #[test]
    fn an_item_scope_with_an_unknown_table_keeps_the_table_shape() {
        // A transaction item's body holds TableName; the operation's own members do not.
        let c = catalog();
        let item = scope(&[
            (
                "TableName",
                Value::Env {
                    name: "TABLE_NAME".into(),
                    default: None,
                },
            ),
            ("Key", Value::Unknown),
        ]);
        assert_eq!(
            resources(
                c,
                "dynamodb:DeleteItem",
                &item,
                &members(&["TransactItems", "ClientRequestToken"])
            ),
            ["arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*"]
        );
    }

    #[test]
    fn actions_without_resource_types_take_star() {
        assert_eq!(
            resources(catalog(), "s3:ListAllMyBuckets", &BTreeMap::new(), &[]),
            ["*"]
        );
        assert_eq!(
            resources(catalog(), "cloudwatch:PutMetricData", &BTreeMap::new(), &[]),
            ["*"]
        );
    }
}
