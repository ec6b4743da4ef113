//! SAM and CloudFormation templates (YAML or JSON): `AWS::Serverless::Function` (with
//! `Globals`) and `AWS::Lambda::Function`, their code, handler, environment, events,
//! destinations, role and declared policies; plus the resources that attach to a function
//! from outside (event source mappings, SNS subscriptions, EventBridge rules, invoke
//! configs, IAM policies on its role). CDK output reuses this with its own code locator.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_norway::Value as Yaml;

use super::discovery::Found;
use super::document::{self, get, intrinsic, to_json};
use super::handler::{self, Code, normalize};
use super::intrinsics::{Evaluator, Resource, Template, is_no_value, static_string};
use super::physical_names::{deployed_type, kms_key_property};
use super::{
    DeclaredPolicy, Destination, DestinationKind, EventKind, EventSource, FileFunctions,
    FunctionSpec, InfraError, KmsKey, RoleSpec,
};
use crate::diagnostics::Diagnostic;
use crate::source::{read_source, relative};
use crate::value::{InfraRef, Value};

pub const SAM_FUNCTION: &str = "AWS::Serverless::Function";
pub const LAMBDA_FUNCTION: &str = "AWS::Lambda::Function";

/// SAM event source types: the `Type` of an entry under `Events`, its kind, and the
/// property naming the source resource. Source: SAM "EventSource" reference
/// (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-eventsource.html).
const SAM_EVENTS: &[(&str, EventKind, &str)] = &[
    ("SQS", EventKind::Sqs, "Queue"),
    ("DynamoDB", EventKind::DynamodbStream, "Stream"),
    ("Kinesis", EventKind::KinesisStream, "Stream"),
    ("MSK", EventKind::Kafka, "Stream"),
    (
        "SelfManagedKafka",
        EventKind::Kafka,
        "KafkaBootstrapServers",
    ),
    ("MQ", EventKind::Mq, "Broker"),
    ("S3", EventKind::S3, "Bucket"),
    ("SNS", EventKind::Sns, "Topic"),
    ("Schedule", EventKind::Schedule, "Schedule"),
    ("ScheduleV2", EventKind::Schedule, "ScheduleExpression"),
    ("CloudWatchEvent", EventKind::EventBridge, "EventBusName"),
    ("EventBridgeRule", EventKind::EventBridge, "EventBusName"),
    ("Api", EventKind::Api, "RestApiId"),
    ("HttpApi", EventKind::HttpApi, "ApiId"),
    ("CloudWatchLogs", EventKind::CloudwatchLogs, "LogGroupName"),
    ("Cognito", EventKind::Cognito, "UserPool"),
    ("IoTRule", EventKind::Iot, "Sql"),
    ("DocumentDB", EventKind::Other, "Cluster"),
];

/// Event source ARNs by service, for mappings and destinations given as ARNs:
/// `arn:<partition>:<service>:...` -> kind.
const ARN_SERVICES: &[(&str, EventKind)] = &[
    (":sqs:", EventKind::Sqs),
    (":dynamodb:", EventKind::DynamodbStream),
    (":kinesis:", EventKind::KinesisStream),
    (":kafka:", EventKind::Kafka),
    (":mq:", EventKind::Mq),
];

/// Resource types whose ARN is an event source, by kind.
const SOURCE_TYPES: &[(&str, EventKind)] = &[
    ("AWS::SQS::Queue", EventKind::Sqs),
    ("AWS::DynamoDB::Table", EventKind::DynamodbStream),
    ("AWS::Kinesis::Stream", EventKind::KinesisStream),
    ("AWS::MSK::Cluster", EventKind::Kafka),
    ("AWS::AmazonMQ::Broker", EventKind::Mq),
];

/// Destination target types: resource type or ARN service -> the name synth expects.
const TARGET_TYPES: &[(&str, &str)] = &[
    ("AWS::SQS::Queue", "sqs"),
    ("AWS::SNS::Topic", "sns"),
    ("AWS::Lambda::Function", "lambda"),
    ("AWS::Events::EventBus", "eventbridge"),
    ("AWS::S3::Bucket", "s3"),
    (":sqs:", "sqs"),
    (":sns:", "sns"),
    (":lambda:", "lambda"),
    (":events:", "eventbridge"),
    (":s3:", "s3"),
];

/// Where a function's code is, as a locator found it.
pub struct CodeLocation {
    pub dir: PathBuf,
    /// A handler that replaces the `Handler` property (container images' `Command`).
    pub handler: Option<String>,
}

/// Finds a function's code folder (absolute), or says why it cannot be analysed.
pub type Locator<'a> =
    dyn Fn(&str, &Resource, &Yaml, &Evaluator) -> Result<CodeLocation, String> + 'a;

/// Reads a SAM or CloudFormation template.
pub fn read(root: &Path, file: &Found) -> Result<FileFunctions, InfraError> {
    let doc = document::load(root, &file.path)?;
    if get(&doc.tree, &["Resources"])
        .and_then(Yaml::as_mapping)
        .is_none()
    {
        return Err(InfraError::invalid(
            &doc.rel,
            0,
            "not a CloudFormation template: no `Resources` mapping",
        ));
    }
    let template_dir = normalize(file.path.parent().unwrap_or(root));
    let mut template = Template::from_node(&doc, &doc.tree);
    let mut diagnostics = Vec::new();
    apply_samconfig(root, &template_dir, &mut template, &mut diagnostics);
    add_sam_generated(&mut template);
    let globals = get(&doc.tree, &["Globals", "Function"]).cloned();
    let locate = |_: &str, resource: &Resource, props: &Yaml, eval: &Evaluator| {
        local_code(root, &template_dir, resource, props, eval)
    };
    let mut read = functions(root, &template, globals.as_ref(), &locate);
    read.diagnostics.extend(diagnostics);
    Ok(read)
}

/// Every function of `template`.
pub fn functions(
    root: &Path,
    template: &Template,
    globals: Option<&Yaml>,
    locate: &Locator,
) -> FileFunctions {
    let eval = Evaluator::new(template);
    let attached = Attachments::collect(template, &eval);
    let mut out = FileFunctions::default();
    for (id, resource) in &template.resources {
        if resource.resource_type != SAM_FUNCTION && resource.resource_type != LAMBDA_FUNCTION {
            continue;
        }
        let line = template.line_of_key(id, None);
        if let Some(condition) = get(&resource.node, &["Condition"]).and_then(Yaml::as_str)
            && eval.condition(condition) == Some(false)
        {
            out.diagnostics.push(Diagnostic::note(
                &template.rel,
                line,
                format!("function `{id}` skipped: its condition `{condition}` is false with the parameter defaults"),
            ));
            continue;
        }
        let empty = Yaml::Mapping(Default::default());
        let own = resource.properties().unwrap_or(&empty);
        let props = match (resource.resource_type == SAM_FUNCTION, globals) {
            (true, Some(globals)) => merge_globals(globals, own),
            _ => own.clone(),
        };
        match build(root, id, resource, &props, &eval, &attached, locate) {
            Ok(mut spec) => {
                spec.line = line;
                out.functions.push(spec);
            }
            Err(reason) => out.diagnostics.push(Diagnostic::warning(
                &template.rel,
                line,
                format!("function `{id}` skipped: {reason}"),
            )),
        }
    }
    let shared = eval.take_diagnostics();
    out.diagnostics.extend(shared);
    out
}

/// SAM Globals: maps merged key by key, lists appended (globals first), scalars replaced
/// (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-template-anatomy-globals.html).
fn merge_globals(global: &Yaml, own: &Yaml) -> Yaml {
    match (global, own) {
        (Yaml::Mapping(g), Yaml::Mapping(o))
            if intrinsic(own).is_none() && intrinsic(global).is_none() =>
        {
            let mut merged = g.clone();
            for (key, value) in o {
                let value = match g.get(key) {
                    Some(existing) => merge_globals(existing, value),
                    None => value.clone(),
                };
                merged.insert(key.clone(), value);
            }
            Yaml::Mapping(merged)
        }
        (Yaml::Sequence(g), Yaml::Sequence(o)) => {
            Yaml::Sequence(g.iter().chain(o.iter()).cloned().collect())
        }
        _ => own.clone(),
    }
}

fn build(
    root: &Path,
    id: &str,
    resource: &Resource,
    props: &Yaml,
    eval: &Evaluator,
    attached: &Attachments,
    locate: &Locator,
) -> Result<FunctionSpec, String> {
    let template = eval.template;
    let sam = resource.resource_type == SAM_FUNCTION;
    let text = |path: &[&str]| get(props, path).and_then(|n| static_string(&eval.eval(n)));
    let runtime = text(&["Runtime"]);
    let location = locate(id, resource, props, eval)?;
    let handler_text = location.handler.clone().or_else(|| text(&["Handler"]));
    let metadata = get(&resource.node, &["Metadata"]);
    let meta = |path: &[&str]| metadata.and_then(|m| get(m, path));
    let rust_build = meta(&["BuildMethod"])
        .and_then(Yaml::as_str)
        .is_some_and(|m| m == "rust-cargolambda");
    let rust_binary = meta(&["BuildProperties", "Binary"]).and_then(Yaml::as_str);
    let entry_points = meta(&["BuildProperties", "EntryPoints"])
        .and_then(Yaml::as_sequence)
        .map(|points| {
            points
                .iter()
                .filter_map(|p| p.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let code = Code {
        root,
        dir: location.dir.clone(),
        handler: handler_text.as_deref(),
        runtime: runtime.as_deref(),
        rust_build,
        rust_binary,
        entry_points,
    };
    let (entry, language) = handler::map(&code)?;

    let env = environment(get(props, &["Environment", "Variables"]), eval);
    let (layers, mut search_paths) = layer_paths(root, get(props, &["Layers"]), eval);
    search_paths.insert(0, handler::search_path(root, &location.dir));

    let mut events = if sam {
        sam_events(get(props, &["Events"]), eval)
    } else {
        Vec::new()
    };
    events.extend(attached.events.get(id).cloned().unwrap_or_default());

    let mut destinations = Vec::new();
    if sam {
        if let Some(dlq) = get(props, &["DeadLetterQueue"]) {
            let target_type = get(dlq, &["Type"])
                .and_then(Yaml::as_str)
                .map(str::to_lowercase)
                .unwrap_or_else(|| "unknown".to_string());
            if let Some(target) = get(dlq, &["TargetArn"]) {
                destinations.push(Destination {
                    kind: DestinationKind::DeadLetter,
                    target_type,
                    target: eval.eval(target),
                });
            }
        }
        if let Some(config) = get(props, &["EventInvokeConfig", "DestinationConfig"]) {
            destinations.extend(invoke_destinations(config, eval, "Destination"));
        }
    } else if let Some(target) = get(props, &["DeadLetterConfig", "TargetArn"]) {
        let target = eval.eval(target);
        destinations.push(Destination {
            kind: DestinationKind::DeadLetter,
            target_type: target_type(&target),
            target,
        });
    }
    destinations.extend(attached.destinations.get(id).cloned().unwrap_or_default());

    let tracing = if sam {
        text(&["Tracing"]).is_some_and(|t| t == "Active")
    } else {
        text(&["TracingConfig", "Mode"]).is_some_and(|t| t == "Active")
    };
    let vpc = get(props, &["VpcConfig"]).is_some_and(|v| !is_no_value(v) && !v.is_null());

    let (role, mut policies) = match get(props, &["Role"]).filter(|r| !is_no_value(r)) {
        Some(role) => {
            let role = role_spec(eval.eval(role));
            let policies = match &role {
                RoleSpec::Resource { logical_id } => role_policies(logical_id, eval, attached),
                _ => Vec::new(),
            };
            (Some(role), policies)
        }
        // SAM's generated role `<Function>Role`: what the template attaches to it by that
        // name (`AWS::IAM::Policy` / `ManagedPolicy` with `Roles: [!Ref <Function>Role]`).
        None if sam => {
            let logical_id = format!("{id}Role");
            let policies = attached
                .role_policies
                .get(&logical_id)
                .cloned()
                .unwrap_or_default();
            (Some(RoleSpec::Generated { logical_id }), policies)
        }
        None => (None, Vec::new()),
    };
    if sam {
        // A template managed policy both in `Policies` and naming the role in its `Roles`
        // is one attachment.
        for policy in sam_policies(id, get(props, &["Policies"]), eval) {
            if !policies.contains(&policy) {
                policies.push(policy);
            }
        }
    }

    let function_name = match get(props, &["FunctionName"]) {
        Some(name) => eval.eval(name),
        None => Value::Infra(InfraRef {
            logical_id: id.to_string(),
            resource_type: LAMBDA_FUNCTION.to_string(),
            attribute: None,
            known: None,
        }),
    };
    let log_group = match get(props, &["LoggingConfig", "LogGroup"]) {
        Some(group) => eval.eval(group),
        None => Value::concat(vec![Value::str("/aws/lambda/"), function_name.clone()]),
    };

    let mut kms_keys = Vec::new();
    if let Some(key) = get(props, &["KmsKeyArn"]).filter(|k| !is_no_value(k)) {
        kms_keys.push(KmsKey {
            source: "environment".to_string(),
            key: eval.eval(key),
        });
    }
    let mut referenced: Vec<&Value> = env.values().collect();
    referenced.extend(events.iter().filter_map(|e| e.resource.as_ref()));
    referenced.extend(destinations.iter().map(|d| &d.target));
    kms_keys.extend(referenced_keys(&referenced, eval));

    Ok(finish(FunctionSpec {
        also_runs: Vec::new(),
        name: id.to_string(),
        runtime,
        language,
        entry,
        env,
        search_paths,
        declared_in: template.rel.clone(),
        line: 0,
        function_name,
        log_group,
        events,
        tracing,
        vpc,
        destinations,
        kms_keys,
        role,
        policies,
        layers,
    }))
}

/// Sorts and deduplicates the spec's lists, so output is deterministic.
pub fn finish(mut spec: FunctionSpec) -> FunctionSpec {
    spec.events.sort();
    spec.events.dedup();
    spec.destinations.sort();
    spec.destinations.dedup();
    spec.kms_keys.sort();
    spec.kms_keys.dedup();
    let mut seen = BTreeSet::new();
    spec.search_paths.retain(|p| seen.insert(p.clone()));
    spec.layers.sort();
    spec.layers.dedup();
    spec
}

/// `Environment.Variables`, each evaluated; `!Ref AWS::NoValue` drops the variable.
pub fn environment(variables: Option<&Yaml>, eval: &Evaluator) -> BTreeMap<String, Value> {
    let mut env = BTreeMap::new();
    if let Some(map) = variables.and_then(Yaml::as_mapping) {
        for (name, node) in map {
            if is_no_value(node) {
                continue;
            }
            env.insert(document::key_string(name), eval.eval(node));
        }
    }
    env
}

/// Layers that are resources of this template with local content: their folders, and the
/// import folders inside them (`python/`, `nodejs/node_modules`).
fn layer_paths(
    root: &Path,
    layers: Option<&Yaml>,
    eval: &Evaluator,
) -> (Vec<String>, Vec<PathBuf>) {
    let mut contents = Vec::new();
    let mut search = Vec::new();
    let template_dir = normalize(&root.join(&eval.template.rel));
    let template_dir = template_dir.parent().unwrap_or(root).to_path_buf();
    for layer in layers.and_then(Yaml::as_sequence).into_iter().flatten() {
        let Value::Infra(reference) = eval.eval(layer) else {
            continue;
        };
        let Some(resource) = eval.template.resources.get(&reference.logical_id) else {
            continue;
        };
        let content = resource
            .property(&["ContentUri"])
            .or_else(|| resource.property(&["Content"]))
            .and_then(Yaml::as_str);
        let Some(content) = content.filter(|c| !c.starts_with("s3://")) else {
            continue;
        };
        let dir = normalize(&template_dir.join(content));
        if !handler::inside(root, &dir) || !dir.is_dir() {
            continue;
        }
        contents.push(relative(root, &dir));
        for sub in ["python", "nodejs/node_modules", "nodejs"] {
            if dir.join(sub).is_dir() {
                search.push(handler::search_path(root, &dir.join(sub)));
            }
        }
        // `BuildMethod` layers are built from the folder itself into `python/` or `nodejs/`.
        if get(&resource.node, &["Metadata", "BuildMethod"]).is_some() {
            search.push(handler::search_path(root, &dir));
        }
    }
    (contents, search)
}

/// Events of a SAM function.
fn sam_events(events: Option<&Yaml>, eval: &Evaluator) -> Vec<EventSource> {
    let mut out = Vec::new();
    for (name, event) in events.and_then(Yaml::as_mapping).into_iter().flatten() {
        let event_type = get(event, &["Type"])
            .and_then(Yaml::as_str)
            .unwrap_or_default();
        let (kind, property) = SAM_EVENTS
            .iter()
            .find(|(t, _, _)| *t == event_type)
            .map(|(_, kind, property)| (*kind, Some(*property)))
            .unwrap_or((EventKind::Other, None));
        let resource = property
            .and_then(|p| get(event, &["Properties", p]))
            .map(|node| eval.eval(node));
        out.push(EventSource {
            kind,
            name: document::key_string(name),
            resource,
        });
    }
    out
}

/// `DestinationConfig.OnFailure/OnSuccess` (SAM: `Type` + `Destination`; Lambda
/// `EventInvokeConfig`: `Destination` alone).
fn invoke_destinations(config: &Yaml, eval: &Evaluator, key: &str) -> Vec<Destination> {
    let mut out = Vec::new();
    for (field, kind) in [
        ("OnFailure", DestinationKind::OnFailure),
        ("OnSuccess", DestinationKind::OnSuccess),
    ] {
        let stated = get(config, &[field, "Type"])
            .and_then(Yaml::as_str)
            .map(|t| match t {
                "S3Bucket" => "s3".to_string(),
                other => other.to_lowercase(),
            });
        // SAM creates the queue or topic when `Type` is SQS/SNS and `Destination` is absent
        // (sam-property-function-onfailure.html): a target whose name is not known here.
        let target = match get(config, &[field, key]) {
            Some(target) => eval.eval(target),
            None if matches!(stated.as_deref(), Some("sqs" | "sns")) => Value::Unknown,
            None => continue,
        };
        out.push(Destination {
            kind,
            target_type: stated.unwrap_or_else(|| target_type(&target)),
            target,
        });
    }
    out
}

/// `sqs`, `sns`, `lambda`, `eventbridge`, `s3` from a target's resource type or ARN.
fn target_type(target: &Value) -> String {
    let key = match target {
        Value::Infra(reference) => reference.resource_type.clone(),
        other => static_text_parts(other),
    };
    TARGET_TYPES
        .iter()
        .find(|(k, _)| key == *k || (k.starts_with(':') && key.contains(k)))
        .map(|(_, t)| t.to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

/// The known text of a value, unknown parts dropped: enough to read an ARN's service.
fn static_text_parts(value: &Value) -> String {
    match value {
        Value::Str { value } => value.clone(),
        Value::Concat { parts } => parts.iter().map(static_text_parts).collect(),
        Value::Infra(InfraRef { logical_id, .. }) if logical_id == "AWS::Partition" => {
            "aws".to_string()
        }
        _ => String::new(),
    }
}

/// The kind of event source an ARN value names.
fn source_kind(source: &Value) -> EventKind {
    if let Value::Infra(reference) = source {
        return SOURCE_TYPES
            .iter()
            .find(|(t, _)| *t == reference.resource_type)
            .map(|(_, k)| *k)
            .unwrap_or(EventKind::Other);
    }
    let text = static_text_parts(source);
    ARN_SERVICES
        .iter()
        .find(|(service, _)| text.contains(service))
        .map(|(_, k)| *k)
        .unwrap_or(EventKind::Other)
}

fn role_spec(role: Value) -> RoleSpec {
    match role {
        Value::Infra(reference) if reference.resource_type == "AWS::IAM::Role" => {
            RoleSpec::Resource {
                logical_id: reference.logical_id,
            }
        }
        other => RoleSpec::External { role: other },
    }
}

/// Inline policies and managed policy ARNs of a role resource, and the `AWS::IAM::Policy`
/// / `ManagedPolicy` resources attached to it.
pub fn role_policies(
    role_id: &str,
    eval: &Evaluator,
    attached: &Attachments,
) -> Vec<DeclaredPolicy> {
    let mut out = Vec::new();
    if let Some(role) = eval.template.resources.get(role_id) {
        for policy in role
            .property(&["Policies"])
            .and_then(Yaml::as_sequence)
            .into_iter()
            .flatten()
        {
            let name = get(policy, &["PolicyName"])
                .and_then(|n| static_string(&eval.eval(n)))
                .unwrap_or_default();
            if let Some(statements) = get(policy, &["PolicyDocument", "Statement"]) {
                out.push(DeclaredPolicy::Statements {
                    source: format!("{role_id}/{name}"),
                    statements: to_json(statements),
                });
            }
        }
        for arn in role
            .property(&["ManagedPolicyArns"])
            .and_then(Yaml::as_sequence)
            .into_iter()
            .flatten()
        {
            out.push(managed_policy(arn, eval));
        }
    }
    // A managed policy of the template both listed in the role's `ManagedPolicyArns` and
    // naming the role in its `Roles` is attached once.
    for policy in attached.role_policies.get(role_id).into_iter().flatten() {
        if !out.contains(policy) {
            out.push(policy.clone());
        }
    }
    out
}

/// A managed policy as a role or SAM `Policies` names it: the statements of an
/// `AWS::IAM::ManagedPolicy` of this template when it is `!Ref` to one (`Ref` returns its
/// ARN), else the name or ARN as written.
pub fn managed_policy(node: &Yaml, eval: &Evaluator) -> DeclaredPolicy {
    if let Value::Infra(reference) = eval.eval(node)
        && reference.attribute.is_none()
        && let Some(resource) = eval.template.resources.get(&reference.logical_id)
        && resource.resource_type == MANAGED_POLICY
        && let Some(statements) = resource.property(&["PolicyDocument", "Statement"])
    {
        return DeclaredPolicy::Statements {
            source: reference.logical_id,
            statements: to_json(statements),
        };
    }
    DeclaredPolicy::Managed {
        policy: to_json(node),
    }
}

/// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-managedpolicy.html
const MANAGED_POLICY: &str = "AWS::IAM::ManagedPolicy";

/// SAM `Policies`: a managed policy name/ARN, a policy document, a policy template, or a
/// list of those (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html#sam-function-policies).
pub fn sam_policies(id: &str, policies: Option<&Yaml>, eval: &Evaluator) -> Vec<DeclaredPolicy> {
    let items: Vec<&Yaml> = match policies {
        None => Vec::new(),
        Some(Yaml::Sequence(items)) => items.iter().collect(),
        Some(single) => vec![single],
    };
    let mut out = Vec::new();
    for item in items {
        if let Some(statements) = get(item, &["Statement"]) {
            out.push(DeclaredPolicy::Statements {
                source: format!("{id}/Policies"),
                statements: to_json(statements),
            });
            continue;
        }
        match item {
            Yaml::Mapping(map) if intrinsic(item).is_none() && map.len() == 1 => {
                if let Some((name, parameters)) = map.iter().next() {
                    out.push(DeclaredPolicy::SamTemplate {
                        name: document::key_string(name),
                        parameters: to_json(parameters),
                    });
                }
            }
            other => out.push(managed_policy(other, eval)),
        }
    }
    out
}

/// KMS keys of the resources `values` refer to (bucket encryption, table SSE, queue key).
pub fn referenced_keys(values: &[&Value], eval: &Evaluator) -> Vec<KmsKey> {
    let mut ids = BTreeSet::new();
    for value in values {
        collect_ids(value, &mut ids);
    }
    let mut out = Vec::new();
    for id in ids {
        let Some(resource) = eval.template.resources.get(&id) else {
            continue;
        };
        let Some(path) = kms_key_property(&resource.resource_type) else {
            continue;
        };
        let Some(properties) = resource.properties() else {
            continue;
        };
        for node in nodes_at(properties, path) {
            if is_no_value(node) {
                continue;
            }
            out.push(KmsKey {
                source: id.clone(),
                key: eval.eval(node),
            });
        }
    }
    out
}

fn collect_ids(value: &Value, ids: &mut BTreeSet<String>) {
    match value {
        Value::Infra(reference) => {
            ids.insert(reference.logical_id.clone());
        }
        Value::Concat { parts } => parts.iter().for_each(|p| collect_ids(p, ids)),
        Value::List { items } => items.iter().for_each(|p| collect_ids(p, ids)),
        Value::Map { entries } => entries.values().for_each(|p| collect_ids(p, ids)),
        _ => {}
    }
}

/// The nodes at a dotted path where `name[]` means every item of the list `name`.
fn nodes_at<'y>(node: &'y Yaml, path: &str) -> Vec<&'y Yaml> {
    let mut current = vec![node];
    for segment in path.split('.') {
        let (key, each) = match segment.strip_suffix("[]") {
            Some(key) => (key, true),
            None => (segment, false),
        };
        let mut next = Vec::new();
        for at in current {
            let Some(child) = get(at, &[key]) else {
                continue;
            };
            if each {
                next.extend(child.as_sequence().into_iter().flatten());
            } else {
                next.push(child);
            }
        }
        current = next;
    }
    current
}

/// What other resources of the template attach to functions and roles.
#[derive(Debug, Default)]
pub struct Attachments {
    pub events: BTreeMap<String, Vec<EventSource>>,
    pub destinations: BTreeMap<String, Vec<Destination>>,
    pub role_policies: BTreeMap<String, Vec<DeclaredPolicy>>,
}

impl Attachments {
    pub fn collect(template: &Template, eval: &Evaluator) -> Attachments {
        let mut out = Attachments::default();
        let function_ids = |value: &Value| function_targets(template, eval, value);
        for (id, resource) in &template.resources {
            let property = |name: &str| resource.property(&[name]).map(|n| eval.eval(n));
            // Connectors embedded in their source resource.
            for (name, connector) in get(&resource.node, &["Connectors"])
                .and_then(Yaml::as_mapping)
                .into_iter()
                .flatten()
            {
                let source = serde_norway::Mapping::from_iter([(
                    Yaml::String("Id".into()),
                    Yaml::String(id.clone()),
                )]);
                out.connector(
                    &document::key_string(name),
                    &Yaml::Mapping(source),
                    get(connector, &["Properties"]),
                    template,
                    eval,
                );
            }
            match resource.resource_type.as_str() {
                // https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-connector.html
                "AWS::Serverless::Connector" => {
                    if let Some(source) = resource.property(&["Source"]) {
                        out.connector(id, source, resource.properties(), template, eval);
                    }
                }
                // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-eventsourcemapping.html
                "AWS::Lambda::EventSourceMapping" => {
                    let (Some(function), Some(source)) =
                        (property("FunctionName"), property("EventSourceArn"))
                    else {
                        continue;
                    };
                    for target in function_ids(&function) {
                        out.events.entry(target).or_default().push(EventSource {
                            kind: source_kind(&source),
                            name: id.clone(),
                            resource: Some(source.clone()),
                        });
                    }
                }
                "AWS::SNS::Subscription" => {
                    let protocol = property("Protocol").and_then(|p| static_string(&p));
                    let (Some(endpoint), Some(topic)) =
                        (property("Endpoint"), property("TopicArn"))
                    else {
                        continue;
                    };
                    if protocol.as_deref() != Some("lambda") {
                        continue;
                    }
                    for target in function_ids(&endpoint) {
                        out.events.entry(target).or_default().push(EventSource {
                            kind: EventKind::Sns,
                            name: id.clone(),
                            resource: Some(topic.clone()),
                        });
                    }
                }
                "AWS::SNS::Topic" => {
                    for subscription in resource
                        .property(&["Subscription"])
                        .and_then(Yaml::as_sequence)
                        .into_iter()
                        .flatten()
                    {
                        let protocol = get(subscription, &["Protocol"]).and_then(Yaml::as_str);
                        let Some(endpoint) = get(subscription, &["Endpoint"]) else {
                            continue;
                        };
                        if protocol != Some("lambda") {
                            continue;
                        }
                        for target in function_ids(&eval.eval(endpoint)) {
                            out.events.entry(target).or_default().push(EventSource {
                                kind: EventKind::Sns,
                                name: id.clone(),
                                resource: Some(eval.reference(id, None)),
                            });
                        }
                    }
                }
                "AWS::Events::Rule" => {
                    let schedule = property("ScheduleExpression");
                    let (kind, source) = match schedule {
                        Some(schedule) => (EventKind::Schedule, Some(schedule)),
                        None => (EventKind::EventBridge, property("EventBusName")),
                    };
                    for target in resource
                        .property(&["Targets"])
                        .and_then(Yaml::as_sequence)
                        .into_iter()
                        .flatten()
                    {
                        let Some(arn) = get(target, &["Arn"]) else {
                            continue;
                        };
                        for function in function_ids(&eval.eval(arn)) {
                            out.events.entry(function).or_default().push(EventSource {
                                kind,
                                name: id.clone(),
                                resource: source.clone(),
                            });
                        }
                    }
                }
                "AWS::S3::Bucket" => {
                    for config in resource
                        .property(&["NotificationConfiguration", "LambdaConfigurations"])
                        .and_then(Yaml::as_sequence)
                        .into_iter()
                        .flatten()
                    {
                        let Some(function) = get(config, &["Function"]) else {
                            continue;
                        };
                        for target in function_ids(&eval.eval(function)) {
                            out.events.entry(target).or_default().push(EventSource {
                                kind: EventKind::S3,
                                name: id.clone(),
                                resource: Some(eval.reference(id, None)),
                            });
                        }
                    }
                }
                "AWS::Lambda::EventInvokeConfig" => {
                    let (Some(function), Some(config)) = (
                        property("FunctionName"),
                        resource.property(&["DestinationConfig"]),
                    ) else {
                        continue;
                    };
                    for target in function_ids(&function) {
                        out.destinations
                            .entry(target)
                            .or_default()
                            .extend(invoke_destinations(config, eval, "Destination"));
                    }
                }
                // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-policy.html
                "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
                    let Some(statements) = resource.property(&["PolicyDocument", "Statement"])
                    else {
                        continue;
                    };
                    for role in resource
                        .property(&["Roles"])
                        .and_then(Yaml::as_sequence)
                        .into_iter()
                        .flatten()
                    {
                        if let Value::Infra(reference) = eval.eval(role) {
                            out.role_policies
                                .entry(reference.logical_id)
                                .or_default()
                                .push(DeclaredPolicy::Statements {
                                    source: id.clone(),
                                    statements: to_json(statements),
                                });
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }
}

impl Attachments {
    /// A connector from `source` (a function of the template, by `Id`) to each of its
    /// `Destination`s, recorded for the function's role: its `Role` when that is a role of
    /// the template, else SAM's generated `<Function>Role`, where SAM attaches the
    /// connector's policy (samtranslator/model/connector/connector.py, the role of the
    /// source's `Role` input).
    fn connector(
        &mut self,
        name: &str,
        source: &Yaml,
        properties: Option<&Yaml>,
        template: &Template,
        eval: &Evaluator,
    ) {
        let Some(properties) = properties else {
            return;
        };
        let Some(function_id) = get(source, &["Id"]).and_then(Yaml::as_str) else {
            return;
        };
        let Some(function) = template.resources.get(function_id) else {
            return;
        };
        if deployed_type(&function.resource_type) != LAMBDA_FUNCTION {
            return;
        }
        let role_id = match function.property(&["Role"]).map(|r| eval.eval(r)) {
            Some(Value::Infra(reference)) if reference.resource_type == "AWS::IAM::Role" => {
                reference.logical_id
            }
            Some(_) => return,
            None => format!("{function_id}Role"),
        };
        let permissions: Vec<String> = match get(properties, &["Permissions"]) {
            Some(Yaml::Sequence(items)) => items
                .iter()
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect(),
            Some(Yaml::String(single)) => vec![single.clone()],
            _ => Vec::new(),
        };
        let destinations: Vec<&Yaml> = match get(properties, &["Destination"]) {
            Some(Yaml::Sequence(items)) => items.iter().collect(),
            Some(single) => vec![single],
            None => Vec::new(),
        };
        for destination in destinations {
            let destination_id = get(destination, &["Id"])
                .and_then(Yaml::as_str)
                .map(str::to_string);
            let stated_type = match &destination_id {
                Some(id) => template.resources.get(id).map(|r| r.resource_type.clone()),
                None => get(destination, &["Type"])
                    .and_then(Yaml::as_str)
                    .map(str::to_string),
            };
            let Some(stated_type) = stated_type else {
                continue;
            };
            self.role_policies.entry(role_id.clone()).or_default().push(
                DeclaredPolicy::Connector {
                    name: name.to_string(),
                    destination_type: deployed_type(&stated_type).to_string(),
                    destination: if destination_id.is_some() {
                        serde_json::Value::Null
                    } else {
                        to_json(destination)
                    },
                    destination_id,
                    permissions: permissions.clone(),
                },
            );
        }
    }
}

/// The functions of the template a value designates: `!Ref Fn`, `!GetAtt Fn.Arn`, or a
/// static name equal to a function's stated `FunctionName`.
fn function_targets(template: &Template, eval: &Evaluator, value: &Value) -> Vec<String> {
    match value {
        Value::Infra(reference) if reference.resource_type == LAMBDA_FUNCTION => {
            vec![reference.logical_id.clone()]
        }
        Value::Str { value: name } => template
            .resources
            .iter()
            .filter(|(_, r)| deployed_type(&r.resource_type) == LAMBDA_FUNCTION)
            .filter(|(id, _)| eval.physical_name(id).as_deref() == Some(name.as_str()))
            .map(|(id, _)| id.clone())
            .collect(),
        _ => Vec::new(),
    }
}

/// The local code folder of a SAM/CloudFormation function.
fn local_code(
    root: &Path,
    template_dir: &Path,
    resource: &Resource,
    props: &Yaml,
    eval: &Evaluator,
) -> Result<CodeLocation, String> {
    let sam = resource.resource_type == SAM_FUNCTION;
    let package_type = get(props, &["PackageType"]).and_then(Yaml::as_str);
    if package_type == Some("Image") {
        return image_code(root, template_dir, resource, props);
    }
    let code = if sam {
        if get(props, &["InlineCode"]).is_some() {
            return Err("inline code is not analysed".to_string());
        }
        get(props, &["CodeUri"])
    } else {
        get(props, &["Code"])
    };
    let code = match code {
        None if sam => {
            return Ok(CodeLocation {
                dir: template_dir.to_path_buf(),
                handler: None,
            });
        }
        None => return Err("the function has no `Code`".to_string()),
        Some(code) => code,
    };
    if let Yaml::Mapping(map) = code
        && intrinsic(code).is_none()
    {
        if map.contains_key("ZipFile") {
            return Err("inline code (`ZipFile`) is not analysed".to_string());
        }
        if map.contains_key("ImageUri") {
            return image_code(root, template_dir, resource, props);
        }
        return Err("the code is in S3, not in the project".to_string());
    }
    let path = static_string(&eval.eval(code)).ok_or("the code location is not static")?;
    if path.starts_with("s3://") {
        return Err(format!("the code is in S3 ({path}), not in the project"));
    }
    let dir = normalize(&template_dir.join(&path));
    if !handler::inside(root, &dir) {
        return Err(format!("code folder `{path}` is outside the project"));
    }
    if dir.is_file() {
        return Err(format!(
            "the code is an archive (`{path}`), not a source folder"
        ));
    }
    if !dir.is_dir() {
        return Err(format!(
            "code folder `{}` does not exist",
            relative(root, &dir)
        ));
    }
    Ok(CodeLocation { dir, handler: None })
}

/// A container image function: the Docker context and the handler from `ImageConfig.Command`
/// or the Dockerfile's `CMD`.
fn image_code(
    root: &Path,
    template_dir: &Path,
    resource: &Resource,
    props: &Yaml,
) -> Result<CodeLocation, String> {
    let context = get(&resource.node, &["Metadata", "DockerContext"])
        .and_then(Yaml::as_str)
        .ok_or("container image function without `Metadata.DockerContext`: the code is not in the project")?;
    let dir = normalize(&template_dir.join(context));
    if !handler::inside(root, &dir) || !dir.is_dir() {
        return Err(format!(
            "Docker context `{context}` is not a folder of the project"
        ));
    }
    let command = get(props, &["ImageConfig", "Command"])
        .and_then(Yaml::as_sequence)
        .and_then(|c| c.first())
        .and_then(Yaml::as_str)
        .map(String::from);
    let handler = command.or_else(|| {
        let dockerfile = get(&resource.node, &["Metadata", "Dockerfile"])
            .and_then(Yaml::as_str)
            .unwrap_or("Dockerfile");
        let text = read_source(root, &dir.join(dockerfile)).ok()?.text;
        dockerfile_cmd(&text)
    });
    Ok(CodeLocation { dir, handler })
}

/// The first argument of the last `CMD ["..."]` of a Dockerfile.
fn dockerfile_cmd(text: &str) -> Option<String> {
    let line = text
        .lines()
        .rev()
        .find(|l| l.trim_start().to_ascii_uppercase().starts_with("CMD"))?;
    let args = line.trim_start()[3..].trim();
    let parsed: Vec<String> = serde_json::from_str(args).ok()?;
    parsed.into_iter().next()
}

/// `samconfig.toml` beside the template: its `parameter_overrides` (deploy, else global,
/// of the `default` environment) replace parameter defaults, and its `stack_name` is the
/// value of `AWS::StackName`, as `sam deploy` would deploy it.
fn apply_samconfig(
    root: &Path,
    template_dir: &Path,
    template: &mut Template,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let path = template_dir.join("samconfig.toml");
    if !path.is_file() {
        return;
    }
    let Ok(source) = read_source(root, &path) else {
        return;
    };
    let config: toml::Table = match toml::from_str(&source.text) {
        Ok(config) => config,
        Err(error) => {
            diagnostics.push(Diagnostic::warning(
                &source.rel,
                0,
                format!("invalid samconfig.toml, ignored: {error}"),
            ));
            return;
        }
    };
    template.stack_name = ["deploy", "global"].iter().find_map(|command| {
        config
            .get("default")?
            .get(*command)?
            .get("parameters")?
            .get("stack_name")?
            .as_str()
            .map(str::to_string)
    });
    let overrides = ["deploy", "global"].iter().find_map(|command| {
        config
            .get("default")?
            .get(*command)?
            .get("parameters")?
            .get("parameter_overrides")
            .cloned()
    });
    let pairs: Vec<String> = match overrides {
        Some(toml::Value::String(s)) => split_overrides(&s),
        Some(toml::Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str())
            .flat_map(split_overrides)
            .collect(),
        _ => return,
    };
    for pair in pairs {
        if let Some((key, value)) = pair.split_once('=')
            && template.parameters.contains_key(key)
        {
            let value = value.trim_matches('"').trim_matches('\'').to_string();
            template.parameters.insert(key.to_string(), Some(value));
        }
    }
}

/// `A=1 B="two words"` as `["A=1", "B=two words"]`.
fn split_overrides(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quote = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => quote = Some(c),
            (None, c) if c.is_whitespace() => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            (None, c) => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Logical ids SAM creates: each function's `<Id>Role` when it has no `Role`, and the
/// implicit APIs (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-generated-resources.html).
fn add_sam_generated(template: &mut Template) {
    let mut generated = Vec::new();
    for (id, resource) in template.of_type(SAM_FUNCTION) {
        if resource.property(&["Role"]).is_none() {
            generated.push((format!("{id}Role"), "AWS::IAM::Role"));
        }
    }
    generated.push(("ServerlessRestApi".to_string(), "AWS::ApiGateway::RestApi"));
    generated.push(("ServerlessHttpApi".to_string(), "AWS::ApiGatewayV2::Api"));
    for (id, resource_type) in generated {
        template
            .generated
            .entry(id)
            .or_insert((resource_type.to_string(), None));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_cmd_and_overrides() {
        assert_eq!(
            dockerfile_cmd(
                "FROM public.ecr.aws/lambda/python:3.12\nCOPY app.py ./\nCMD [\"app.handler\"]\n"
            ),
            Some("app.handler".to_string())
        );
        assert_eq!(
            split_overrides("Stage=prod Name=\"two words\""),
            vec!["Stage=prod".to_string(), "Name=two words".to_string()]
        );
    }

    #[test]
    fn globals_merge() {
        let globals = document::parse(
            "g.yaml",
            "Runtime: python3.12\nEnvironment:\n  Variables:\n    A: a\n    B: b\nLayers: [x]\n",
        )
        .expect("yaml");
        let own = document::parse(
            "o.yaml",
            "Environment:\n  Variables:\n    B: own\nLayers: [y]\n",
        )
        .expect("yaml");
        let merged = merge_globals(&globals, &own);
        assert_eq!(merged["Runtime"].as_str(), Some("python3.12"));
        assert_eq!(merged["Environment"]["Variables"]["A"].as_str(), Some("a"));
        assert_eq!(
            merged["Environment"]["Variables"]["B"].as_str(),
            Some("own")
        );
        assert_eq!(merged["Layers"].as_sequence().map(Vec::len), Some(2));
    }
}
