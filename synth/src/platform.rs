//! Platform permissions: what the Lambda service does with the function's role, as opposed
//! to what the function's code calls. Writing logs, polling its event sources, sending
//! failed events to a dead-letter queue or destination, tracing, attaching to a VPC, and
//! decrypting with customer managed KMS keys. Derived from the infrastructure's
//! [`FunctionSpec`], one table row per feature, each citing the AWS page that lists the
//! permissions. Also warns when the code writes to the resource that invokes it (a
//! recursive loop).

use analyzer::infra::{DestinationKind, EventKind, FunctionSpec};
use analyzer::{Diagnostic, InfraRef, Value, Via};

use crate::catalog::Basis;
use crate::resolve::{ActionGrant, Reason, Resolved};

/// Pseudo parameter placeholders, as the policy model writes them.
const ARN_PREFIX: &str = "arn:${AWS::Partition}";
const REGION_ACCOUNT: &str = "${AWS::Region}:${AWS::AccountId}";

/// Log group permissions of AWSLambdaBasicExecutionRole
/// (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html):
/// `logs:CreateLogGroup` on the account and region, `logs:CreateLogStream` and
/// `logs:PutLogEvents` on the function's log group.
const LOGS_ACCOUNT: &[&str] = &["logs:CreateLogGroup"];
const LOGS_GROUP: &[&str] = &["logs:CreateLogStream", "logs:PutLogEvents"];

/// Event sources Lambda polls with the function's role: actions on the source, actions that
/// take no resource (granted on `*`), and the page listing them.
const POLLERS: &[(EventKind, &[&str], &[&str], &str)] = &[
    (
        EventKind::Sqs,
        &[
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
        ],
        &[],
        "https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-permissions",
    ),
    (
        EventKind::DynamodbStream,
        &[
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
        ],
        &["dynamodb:ListStreams"],
        "https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-eventsourcemapping.html",
    ),
    (
        EventKind::KinesisStream,
        &[
            "kinesis:DescribeStream",
            "kinesis:DescribeStreamSummary",
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:ListShards",
        ],
        &["kinesis:ListStreams"],
        "https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-eventsourcemapping.html",
    ),
];

/// Destination and dead-letter target types -> the actions Lambda uses to deliver
/// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
const DELIVERY: &[(&str, &[&str])] = &[
    ("sqs", &["sqs:SendMessage"]),
    ("sns", &["sns:Publish"]),
    ("lambda", &["lambda:InvokeFunction"]),
    ("eventbridge", &["events:PutEvents"]),
    ("s3", &["s3:PutObject", "s3:ListBucket"]),
];

/// Active tracing: AWSXRayDaemonWriteAccess's write actions, which take no resource
/// (https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html#services-xray-permissions).
const TRACING: &[&str] = &["xray:PutTraceSegments", "xray:PutTelemetryRecords"];

/// VPC attachment: AWSLambdaVPCAccessExecutionRole, on `*`
/// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions).
const VPC: &[&str] = &[
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
];

/// What a customer managed key is used for -> the KMS actions the role needs.
/// Environment variables: Lambda decrypts them with the role at init
/// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html).
/// An encrypted SQS event source: `kms:Decrypt` (with-sqs.html, "Execution role permissions").
/// Sending to an encrypted queue or topic: `kms:GenerateDataKey` and `kms:Decrypt`
/// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html).
const KMS_DECRYPT: &[&str] = &["kms:Decrypt"];
const KMS_PRODUCE: &[&str] = &["kms:Decrypt", "kms:GenerateDataKey"];

/// Data actions in code on a resource encrypted with a customer managed key -> the KMS
/// actions the caller needs on that key. S3 SSE-KMS: upload needs `kms:GenerateDataKey`,
/// download `kms:Decrypt` (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms);
/// SQS and SNS producers `kms:GenerateDataKey` + `kms:Decrypt`, SQS consumers `kms:Decrypt`
/// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html,
/// https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html); Kinesis producers
/// `kms:GenerateDataKey`, consumers `kms:Decrypt`
/// (https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html); Secrets
/// Manager reads `kms:Decrypt` (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
/// DynamoDB uses grants of its own for table keys: no row.
const KMS_FOR_DATA: &[(&str, &[&str])] = &[
    ("s3:PutObject", &["kms:GenerateDataKey"]),
    ("s3:GetObject", &["kms:Decrypt"]),
    ("sqs:SendMessage", &["kms:GenerateDataKey", "kms:Decrypt"]),
    ("sqs:ReceiveMessage", &["kms:Decrypt"]),
    ("sns:Publish", &["kms:GenerateDataKey", "kms:Decrypt"]),
    ("kinesis:PutRecord", &["kms:GenerateDataKey"]),
    ("kinesis:PutRecords", &["kms:GenerateDataKey"]),
    ("kinesis:GetRecords", &["kms:Decrypt"]),
    ("secretsmanager:GetSecretValue", &["kms:Decrypt"]),
];

/// Actions in code that write to a resource of each event source kind: calling one on the
/// function's own source makes the function invoke itself.
const RECURSIVE_WRITES: &[(EventKind, &[&str])] = &[
    (EventKind::Sqs, &["sqs:SendMessage"]),
    (EventKind::Sns, &["sns:Publish"]),
    (
        EventKind::S3,
        &["s3:PutObject", "s3:CopyObject", "s3:RestoreObject"],
    ),
    (
        EventKind::DynamodbStream,
        &[
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:PartiQLInsert",
            "dynamodb:PartiQLUpdate",
            "dynamodb:PartiQLDelete",
        ],
    ),
    (
        EventKind::KinesisStream,
        &["kinesis:PutRecord", "kinesis:PutRecords"],
    ),
];

/// A resource the infrastructure names: a full ARN, or a name the ARN format completes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Arn(String),
    Name(String),
}

/// How a resource kind's ARN is written from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Queue,
    Topic,
    Table,
    TableStream,
    Stream,
    Function,
    EventBus,
    Bucket,
    Objects,
    Key,
}

impl Kind {
    fn arn(self, name: &str) -> String {
        let (service, path) = match self {
            Kind::Queue => ("sqs", name.to_string()),
            Kind::Topic => ("sns", name.to_string()),
            Kind::Table => ("dynamodb", format!("table/{name}")),
            Kind::TableStream => ("dynamodb", format!("table/{name}/stream/*")),
            Kind::Stream => ("kinesis", format!("stream/{name}")),
            Kind::Function => ("lambda", format!("function:{name}")),
            Kind::EventBus => ("events", format!("event-bus/{name}")),
            Kind::Key => ("kms", format!("key/{name}")),
            Kind::Bucket => return format!("{ARN_PREFIX}:s3:::{name}"),
            Kind::Objects => return format!("{ARN_PREFIX}:s3:::{name}/*"),
        };
        format!("{ARN_PREFIX}:{service}:{REGION_ACCOUNT}:{path}")
    }

    /// The kind of a destination's target type.
    fn of_target(target_type: &str) -> Option<Kind> {
        Some(match target_type {
            "sqs" => Kind::Queue,
            "sns" => Kind::Topic,
            "lambda" => Kind::Function,
            "eventbridge" => Kind::EventBus,
            "s3" => Kind::Bucket,
            _ => return None,
        })
    }

    fn of_event(kind: EventKind) -> Option<Kind> {
        Some(match kind {
            EventKind::Sqs => Kind::Queue,
            EventKind::Sns => Kind::Topic,
            EventKind::DynamodbStream => Kind::TableStream,
            EventKind::KinesisStream => Kind::Stream,
            EventKind::S3 => Kind::Bucket,
            _ => return None,
        })
    }
}

/// A value in policy placeholder syntax, unknown parts as `*`; `Infra` parts as their known
/// name or a `${Logical}` / `${Logical.Attr}` placeholder.
fn text(value: &Value) -> String {
    match value {
        Value::Str { value } => value.clone(),
        Value::Infra(reference) => match (&reference.known, &reference.attribute) {
            (Some(known), None) => known.clone(),
            (_, Some(attribute)) => format!("${{{}.{attribute}}}", reference.logical_id),
            (None, None) => format!("${{{}}}", reference.logical_id),
        },
        Value::Concat { parts } => parts.iter().map(text).collect(),
        _ => "*".to_string(),
    }
}

/// What a value designates, for a resource of `kind`. `None` when nothing is known.
fn target(value: &Value, kind: Kind) -> Option<Target> {
    match value {
        Value::Infra(reference) => Some(infra_target(reference, kind)),
        Value::Unknown | Value::Env { .. } | Value::List { .. } | Value::Map { .. } => None,
        other => {
            let text = text(other);
            if text == "*" {
                None
            } else if text.starts_with("arn:") {
                Some(Target::Arn(text))
            } else {
                Some(Target::Name(text))
            }
        }
    }
}

/// A template reference as a target: the physical name when known, else the attribute (or
/// `Ref`) that yields the name, per the "Return values" of each resource type in the
/// CloudFormation User Guide (a queue's `Ref` is its URL, so its name is `QueueName`; a
/// topic's `Ref` is its ARN, its name `TopicName`). A name inside the ARN format keeps the
/// service, region and account in plain policies, where a whole-ARN placeholder would
/// become a bare `*`.
fn infra_target(reference: &InfraRef, kind: Kind) -> Target {
    let id = &reference.logical_id;
    if let Some(known) = &reference.known {
        return if known.starts_with("arn:") {
            Target::Arn(known.clone())
        } else {
            Target::Name(known.clone())
        };
    }
    let name = match kind {
        Kind::Queue => format!("${{{id}.QueueName}}"),
        Kind::Topic => format!("${{{id}.TopicName}}"),
        Kind::EventBus => format!("${{{id}.Name}}"),
        // Tables, streams, functions, buckets and keys: `Ref` is the name (the key id).
        Kind::Table
        | Kind::TableStream
        | Kind::Stream
        | Kind::Function
        | Kind::Bucket
        | Kind::Objects
        | Kind::Key => format!("${{{id}}}"),
    };
    match reference.resource_type.as_str() {
        // Parameters and imports hold whatever the user passes, often a whole ARN.
        "Parameter" | "Pseudo" => Target::Arn(format!("${{{id}}}")),
        _ => Target::Name(name),
    }
}

/// The ARN of a target of `kind`; a table's stream ARN for `TableStream`, the bucket's
/// objects for `Objects` given the bucket.
fn arn(target: &Target, kind: Kind) -> String {
    match target {
        Target::Name(name) => kind.arn(name),
        Target::Arn(arn) if kind == Kind::Objects => format!("{arn}/*"),
        Target::Arn(arn) => arn.clone(),
    }
}

/// Adds the platform permissions of `spec` to `resolved` and warns about recursive loops.
pub fn apply(spec: &FunctionSpec, resolved: &mut Resolved) {
    let recursion = recursion_warnings(spec, resolved);
    resolved.diagnostics.extend(recursion);
    let mut diagnostics = Vec::new();
    let platform = grants(spec, resolved, &mut diagnostics);
    resolved.diagnostics.extend(diagnostics);
    for (action, resource, why) in platform {
        let reason = Reason {
            file: spec.declared_in.clone(),
            line: spec.line,
            call: why,
            chain: Vec::new(),
            via: Via::Call,
        };
        resolved
            .actions
            .entry(action.clone())
            .or_insert_with(|| ActionGrant::new(action, Basis::Override))
            .add([resource], reason, None);
    }
    resolved.diagnostics.sort();
    resolved.diagnostics.dedup();
}

/// `(action, resource, reason)` for every platform permission of the function.
fn grants(
    spec: &FunctionSpec,
    code: &Resolved,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(String, String, String)> {
    let mut out = data_keys(spec, code);
    let mut add = |actions: &[&str], resource: &str, why: &str| {
        for action in actions {
            out.push((action.to_string(), resource.to_string(), why.to_string()));
        }
    };

    // Logs.
    let group = text(&spec.log_group);
    add(
        LOGS_ACCOUNT,
        &format!("{ARN_PREFIX}:logs:{REGION_ACCOUNT}:*"),
        "Lambda: CloudWatch Logs",
    );
    add(
        LOGS_GROUP,
        &format!("{ARN_PREFIX}:logs:{REGION_ACCOUNT}:log-group:{group}:*"),
        &format!("Lambda: logs to {group}"),
    );

    // Polled event sources.
    for event in &spec.events {
        let Some((_, on_source, on_any, _)) = POLLERS.iter().find(|(k, ..)| *k == event.kind)
        else {
            if matches!(event.kind, EventKind::Kafka | EventKind::Mq) {
                diagnostics.push(Diagnostic::warning(
                    &spec.declared_in,
                    spec.line,
                    format!("{}: the permissions Lambda needs to poll a {} event source are not generated", spec.name, kind_name(event.kind)),
                ));
            }
            continue;
        };
        let why = format!("Lambda: polls event source {}", event.name);
        let kind = Kind::of_event(event.kind).unwrap_or(Kind::Queue);
        let resource = match event.resource.as_ref().and_then(|v| target(v, kind)) {
            Some(t) => arn(&t, kind),
            None => kind.arn("*"),
        };
        add(on_source, &resource, &why);
        add(on_any, "*", &why);
        // An encrypted queue: Lambda decrypts the messages it receives.
        if event.kind == EventKind::Sqs {
            for key in keys_of(spec, event.resource.as_ref()) {
                add(
                    KMS_DECRYPT,
                    &key,
                    &format!("Lambda: decrypts messages of {}", event.name),
                );
            }
        }
    }

    // Dead-letter queues and destinations.
    for destination in &spec.destinations {
        let label = match destination.kind {
            DestinationKind::DeadLetter => "dead-letter target",
            DestinationKind::OnFailure => "on-failure destination",
            DestinationKind::OnSuccess => "on-success destination",
        };
        let why = format!("Lambda: delivers to its {label}");
        let Some(kind) = Kind::of_target(&destination.target_type) else {
            diagnostics.push(Diagnostic::warning(
                &spec.declared_in,
                spec.line,
                format!(
                    "{}: the type of its {label} is not known; no permission generated for it",
                    spec.name
                ),
            ));
            continue;
        };
        let Some((_, actions)) = DELIVERY.iter().find(|(t, _)| *t == destination.target_type)
        else {
            continue;
        };
        let resolved = target(&destination.target, kind);
        for action in *actions {
            let resource = match (&resolved, *action) {
                (Some(t), "s3:PutObject") => arn(t, Kind::Objects),
                (Some(t), _) => arn(t, kind),
                (None, "s3:PutObject") => Kind::Objects.arn("*"),
                (None, _) => kind.arn("*"),
            };
            add(&[action], &resource, &why);
        }
        if matches!(kind, Kind::Queue | Kind::Topic) {
            for key in keys_of(spec, Some(&destination.target)) {
                add(
                    KMS_PRODUCE,
                    &key,
                    &format!("Lambda: encrypts for its {label}"),
                );
            }
        }
    }

    if spec.tracing {
        add(TRACING, "*", "Lambda: active tracing");
    }
    if spec.vpc {
        add(VPC, "*", "Lambda: VPC network interfaces");
    }
    for key in spec.kms_keys.iter().filter(|k| k.source == "environment") {
        if let Some(resource) = key_arn(&key.key) {
            add(
                KMS_DECRYPT,
                &resource,
                "Lambda: decrypts environment variables",
            );
        }
    }
    out
}

/// KMS permissions for the code's own calls on encrypted resources the infrastructure names.
/// `code` holds the code's grants only: platform grants are added after this runs.
fn data_keys(spec: &FunctionSpec, code: &Resolved) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for key in spec.kms_keys.iter().filter(|k| k.source != "environment") {
        let Some(key_resource) = key_arn(&key.key) else {
            continue;
        };
        let names = known_names(spec, &key.source);
        let trigger = is_event_source(spec, &key.source);
        for (action, kms) in KMS_FOR_DATA {
            let Some(grant) = code.actions.get(*action) else {
                continue;
            };
            let named = grant
                .resources
                .iter()
                .any(|r| mentions(r, &key.source, &names));
            // The code reads a resource it does not name, and the function's trigger is this
            // encrypted resource: the name most likely comes from the event
            // (`record.s3.bucket.name`), so the key is needed on the first event.
            let from_event = !named && trigger && grant.resources.iter().any(|r| names_nothing(r));
            if !named && !from_event {
                continue;
            }
            let why = if from_event {
                format!(
                    "{action} on a resource the code does not name; the function's trigger {} is encrypted with a customer managed key",
                    key.source
                )
            } else {
                format!(
                    "{action} on {}, encrypted with a customer managed key",
                    key.source
                )
            };
            for kms_action in *kms {
                out.push((kms_action.to_string(), key_resource.clone(), why.clone()));
            }
        }
    }
    out
}

/// The physical names the function's bindings know for a logical id.
fn known_names(spec: &FunctionSpec, id: &str) -> Vec<String> {
    fn collect(value: &Value, id: &str, out: &mut Vec<String>) {
        match value {
            Value::Infra(r) if r.logical_id == id => out.extend(r.known.clone()),
            Value::Concat { parts } => parts.iter().for_each(|p| collect(p, id, out)),
            Value::List { items } => items.iter().for_each(|p| collect(p, id, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for value in spec.env.values() {
        collect(value, id, &mut out);
    }
    for event in &spec.events {
        if let Some(value) = &event.resource {
            collect(value, id, &mut out);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether the function has an event source on the resource `id`.
fn is_event_source(spec: &FunctionSpec, id: &str) -> bool {
    fn refers(value: &Value, id: &str) -> bool {
        match value {
            Value::Infra(r) => r.logical_id == id,
            Value::Concat { parts } => parts.iter().any(|p| refers(p, id)),
            Value::List { items } => items.iter().any(|p| refers(p, id)),
            _ => false,
        }
    }
    spec.events
        .iter()
        .any(|e| e.resource.as_ref().is_some_and(|v| refers(v, id)))
}

/// Whether a granted resource leaves its resource name wholly unknown: `*`, or an ARN whose
/// resource part starts with a wildcard (`arn:aws:s3:::*/*`, `arn:aws:sqs:*:*:*`).
fn names_nothing(resource: &str) -> bool {
    // Pseudo parameter placeholders hold `::`; they are never the resource part.
    let resource = ["${AWS::Partition}", "${AWS::Region}", "${AWS::AccountId}"]
        .iter()
        .fold(resource.to_string(), |r, p| r.replace(p, "x"));
    resource == "*"
        || resource
            .splitn(6, ':')
            .nth(5)
            .is_some_and(|name| name.starts_with('*'))
}

/// Whether a granted resource names the resource `id`: its placeholder, or one of its known
/// names as a whole `:`/`/`-separated segment.
fn mentions(resource: &str, id: &str, names: &[String]) -> bool {
    if resource.contains(&format!("${{{id}}}")) || resource.contains(&format!("${{{id}.")) {
        return true;
    }
    resource
        .split([':', '/'])
        .any(|segment| names.iter().any(|n| n == segment))
}

fn kind_name(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Kafka => "Kafka",
        EventKind::Mq => "Amazon MQ",
        _ => "this",
    }
}

/// The customer managed keys of the resource a value refers to.
fn keys_of(spec: &FunctionSpec, value: Option<&Value>) -> Vec<String> {
    let Some(Value::Infra(reference)) = value else {
        return Vec::new();
    };
    spec.kms_keys
        .iter()
        .filter(|k| k.source == reference.logical_id)
        .filter_map(|k| key_arn(&k.key))
        .collect()
}

/// A key's ARN for IAM; `None` for AWS managed keys (`alias/aws/...`), whose use needs no
/// KMS permission in the role. An alias names no key in IAM's terms: any key of the account.
fn key_arn(key: &Value) -> Option<String> {
    let text = text(key);
    if text.starts_with("alias/aws/") || text.contains(":alias/aws/") || text == "*" {
        return None;
    }
    if text.starts_with("alias/") || text.contains(":alias/") {
        return Some(Kind::Key.arn("*"));
    }
    Some(match target(key, Kind::Key)? {
        Target::Arn(arn) => arn,
        Target::Name(name) => Kind::Key.arn(&name),
    })
}

/// Warnings for code that writes to the resource that invokes the function.
fn recursion_warnings(spec: &FunctionSpec, resolved: &Resolved) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for event in &spec.events {
        let Some((_, writes)) = RECURSIVE_WRITES.iter().find(|(k, _)| *k == event.kind) else {
            continue;
        };
        let Some(source) = &event.resource else {
            continue;
        };
        for action in *writes {
            let Some(grant) = resolved.actions.get(*action) else {
                continue;
            };
            if grant
                .resources
                .iter()
                .any(|r| same_resource(source, event.kind, r))
            {
                let reason = grant.reasons.iter().next();
                let (file, line) = reason
                    .map(|r| (r.file.clone(), r.line))
                    .unwrap_or_else(|| (spec.declared_in.clone(), spec.line));
                out.push(Diagnostic::warning(
                    file,
                    line,
                    format!(
                        "{}: {action} writes to the {} that invokes this function (event {}): a recursive loop unless the code filters its own writes",
                        spec.name,
                        kind_name_of_source(event.kind),
                        event.name
                    ),
                ));
            }
        }
    }
    out
}

fn kind_name_of_source(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Sqs => "queue",
        EventKind::Sns => "topic",
        EventKind::S3 => "bucket",
        EventKind::DynamodbStream => "table",
        EventKind::KinesisStream => "stream",
        _ => "resource",
    }
}

/// Whether a granted resource ARN is the event source (or, for a bucket, inside it).
fn same_resource(source: &Value, kind: EventKind, granted: &str) -> bool {
    if let Value::Infra(reference) = source {
        let id = &reference.logical_id;
        if granted.contains(&format!("${{{id}}}")) || granted.contains(&format!("${{{id}.")) {
            return true;
        }
    }
    let Some(kind) = Kind::of_event(kind) else {
        return false;
    };
    let Some(target) = target(source, kind) else {
        return false;
    };
    let exact = match kind {
        Kind::TableStream => arn(&target, Kind::Table),
        other => arn(&target, other),
    };
    if exact.contains('*') {
        return false;
    }
    granted == exact || (kind == Kind::Bucket && granted.starts_with(&format!("{exact}/")))
}

#[cfg(test)]
mod tests;
