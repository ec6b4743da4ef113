//! Serverless Framework (v3, v4) services: `serverless.yml` / `.yaml` / `.json`.
//! Variables are resolved first ([`super::variables`]); `resources.Resources` is a
//! CloudFormation fragment whose intrinsics (and the logical ids the framework generates,
//! such as `HelloLambdaFunction`) env vars and events may refer to.
//! Reference: https://www.serverless.com/framework/docs/providers/aws/guide/serverless.yml

use std::path::{Path, PathBuf};

use serde_norway::Value as Yaml;

use super::cloudformation::{self, Attachments};
use super::discovery::Found;
use super::document::{self, Document, get, to_json};
use super::handler::{self, Code, normalize};
use super::intrinsics::{Evaluator, Template, static_string, string_value};
use super::variables::{Resolver, UNKNOWN_MARK, static_text};
use super::{
    DeclaredPolicy, Deployment, Destination, DestinationKind, EventKind, EventSource,
    FileFunctions, FunctionSpec, InfraError, KmsKey, RoleSpec,
};
use crate::diagnostics::Diagnostic;
use crate::source::relative;
use crate::value::Value;

/// Serverless event keys: the kind, and the field naming the source when the event is a
/// mapping (a plain string event is the source itself). Source: the Serverless "Events"
/// reference (https://www.serverless.com/framework/docs/providers/aws/events).
const EVENTS: &[(&str, EventKind, &str)] = &[
    ("sqs", EventKind::Sqs, "arn"),
    ("stream", EventKind::DynamodbStream, "arn"),
    ("kafka", EventKind::Kafka, "arn"),
    ("msk", EventKind::Kafka, "arn"),
    ("activemq", EventKind::Mq, "arn"),
    ("rabbitmq", EventKind::Mq, "arn"),
    ("s3", EventKind::S3, "bucket"),
    ("sns", EventKind::Sns, "arn"),
    ("schedule", EventKind::Schedule, "rate"),
    ("eventBridge", EventKind::EventBridge, "eventBus"),
    ("cloudwatchEvent", EventKind::EventBridge, "event"),
    ("http", EventKind::Api, "path"),
    ("httpApi", EventKind::HttpApi, "path"),
    ("websocket", EventKind::Websocket, "route"),
    ("alb", EventKind::Alb, "listenerArn"),
    ("cloudwatchLog", EventKind::CloudwatchLogs, "logGroup"),
    ("cognitoUserPool", EventKind::Cognito, "pool"),
    ("iot", EventKind::Iot, "sql"),
];

/// The shared role the framework creates for a service's functions.
const SHARED_ROLE: &str = "IamRoleLambdaExecution";

/// Reads one Serverless service.
pub fn read(
    root: &Path,
    file: &Found,
    deployment: &Deployment,
) -> Result<FileFunctions, InfraError> {
    read_document(root, file, document::load(root, &file.path)?, deployment)
}

/// Reads one Serverless service already loaded (from YAML/JSON, or evaluated from code).
pub fn read_document(
    root: &Path,
    file: &Found,
    doc: Document,
    deployment: &Deployment,
) -> Result<FileFunctions, InfraError> {
    if !doc.tree.is_mapping() {
        return Err(InfraError::invalid(
            &doc.rel,
            1,
            "a Serverless configuration must be a mapping",
        ));
    }
    if get(&doc.tree, &["functions"]).is_none() && get(&doc.tree, &["service"]).is_none() {
        return Err(InfraError::invalid(
            &doc.rel,
            1,
            "not a Serverless configuration: no `service` or `functions`",
        ));
    }
    let base = normalize(file.path.parent().unwrap_or(root));
    let resolver = Resolver::new(root, base.clone(), &doc, deployment.stage.as_deref());
    let tree = resolver.resolve(&doc.tree);
    let stage = resolver.stage();
    let service = match get(&tree, &["service"]) {
        Some(Yaml::Mapping(m)) => m.get("name").and_then(static_text),
        Some(other) => static_text(other),
        None => None,
    };

    let functions = function_list(&tree);
    let empty = Yaml::Mapping(Default::default());
    let resources = get(&tree, &["resources"]).unwrap_or(&empty);
    let mut template = Template::from_node(
        &doc,
        merged_resources(resources).as_ref().unwrap_or(resources),
    );
    // Serverless names the stack `<service>-<stage>` unless `provider.stackName` says otherwise
    // (https://www.serverless.com/framework/docs/providers/aws/guide/serverless.yml#provider).
    template.stack_name = match get(&tree, &["provider", "stackName"]) {
        Some(name) => static_text(name),
        None => service
            .as_deref()
            .zip(stage.as_deref())
            .map(|(service, stage)| format!("{service}-{stage}")),
    };
    add_generated(
        &mut template,
        &tree,
        &functions,
        service.as_deref(),
        stage.as_deref(),
    );
    let eval = Evaluator::new(&template);
    let attached = Attachments::collect(&template, &eval);

    let service_ctx = Service {
        functions: &functions,
        root,
        base: &base,
        doc: &doc,
        tree: &tree,
        eval: &eval,
        attached: &attached,
        service: service.as_deref(),
        stage: stage.as_deref(),
    };
    let mut out = FileFunctions::default();
    for (name, function) in &functions {
        let line = doc.line_of_key(name, Some("functions"));
        match service_ctx.function(name, function) {
            Ok(mut spec) => {
                spec.line = line;
                out.functions.push(cloudformation::finish(spec));
            }
            Err(reason) => out.diagnostics.push(Diagnostic::warning(
                &doc.rel,
                line,
                format!("function `{name}` skipped: {reason}"),
            )),
        }
    }
    out.diagnostics.extend(resolver.take_diagnostics());
    out.diagnostics.extend(eval.take_diagnostics());
    Ok(out)
}

/// `functions:` as (name, definition): a mapping, or a list of mappings (each usually a
/// `${file(...)}` include).
fn function_list(tree: &Yaml) -> Vec<(String, Yaml)> {
    let mut out = Vec::new();
    let mut add = |map: &serde_norway::Mapping| {
        for (name, function) in map {
            out.push((document::key_string(name), function.clone()));
        }
    };
    match get(tree, &["functions"]) {
        Some(Yaml::Mapping(map)) => add(map),
        Some(Yaml::Sequence(items)) => items.iter().filter_map(Yaml::as_mapping).for_each(&mut add),
        _ => {}
    }
    out
}

/// `resources` may be a list of fragments (`- ${file(resources/table.yml)}`); merge them.
fn merged_resources(resources: &Yaml) -> Option<Yaml> {
    let items = resources.as_sequence()?;
    let mut merged = serde_norway::Mapping::new();
    for item in items.iter().filter_map(Yaml::as_mapping) {
        for (section, content) in item {
            let entry = merged
                .entry(section.clone())
                .or_insert_with(|| Yaml::Mapping(Default::default()));
            if let (Some(target), Some(source)) = (entry.as_mapping_mut(), content.as_mapping()) {
                for (k, v) in source {
                    target.insert(k.clone(), v.clone());
                }
            }
        }
    }
    Some(Yaml::Mapping(merged))
}

/// The framework's logical id spelling: first letter upper-cased, `-` -> `Dash`,
/// `_` -> `Underscore`, other non-alphanumerics dropped (`getNormalizedFunctionName`).
fn normalized(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        match c {
            '-' => out.push_str("Dash"),
            '_' => out.push_str("Underscore"),
            c if c.is_ascii_alphanumeric() => {
                if i == 0 {
                    out.push(c.to_ascii_uppercase());
                } else {
                    out.push(c);
                }
            }
            _ => {}
        }
    }
    out
}

/// Logical ids the framework generates, which `resources` and env vars may reference
/// (https://www.serverless.com/framework/docs/providers/aws/guide/resources#aws-cloudformation-resource-reference).
fn add_generated(
    template: &mut Template,
    tree: &Yaml,
    functions: &[(String, Yaml)],
    service: Option<&str>,
    stage: Option<&str>,
) {
    let mut add = |id: String, resource_type: &str, known: Option<String>| {
        template
            .generated
            .entry(id)
            .or_insert((resource_type.to_string(), known));
    };
    for (name, function) in functions {
        let known = deployed_name(function, name, service, stage).and_then(|v| static_string(&v));
        let id = normalized(name);
        add(
            format!("{id}LambdaFunction"),
            "AWS::Lambda::Function",
            known.clone(),
        );
        add(
            format!("{id}LogGroup"),
            "AWS::Logs::LogGroup",
            known.map(|k| format!("/aws/lambda/{k}")),
        );
        add(
            format!("{id}IamRoleLambdaExecution"),
            "AWS::IAM::Role",
            None,
        );
    }
    for (name, _) in get(tree, &["layers"])
        .and_then(Yaml::as_mapping)
        .into_iter()
        .flatten()
    {
        add(
            format!("{}LambdaLayer", normalized(&document::key_string(name))),
            "AWS::Lambda::LayerVersion",
            None,
        );
    }
    add(SHARED_ROLE.to_string(), "AWS::IAM::Role", None);
    add(
        "ServerlessDeploymentBucket".to_string(),
        "AWS::S3::Bucket",
        None,
    );
    add(
        "ApiGatewayRestApi".to_string(),
        "AWS::ApiGateway::RestApi",
        None,
    );
    add("HttpApi".to_string(), "AWS::ApiGatewayV2::Api", None);
    add("WebsocketsApi".to_string(), "AWS::ApiGatewayV2::Api", None);
}

/// `name:` of the function, else `<service>-<stage>-<function>`.
fn deployed_name(
    function: &Yaml,
    key: &str,
    service: Option<&str>,
    stage: Option<&str>,
) -> Option<Value> {
    if let Some(name) = get(function, &["name"]) {
        return document::scalar_string(name).map(|n| string_value(&n));
    }
    let part = |p: Option<&str>| p.map(Value::str).unwrap_or(Value::Unknown);
    Some(Value::concat(vec![
        part(service),
        Value::str("-"),
        part(stage),
        Value::str(format!("-{key}")),
    ]))
}

struct Service<'a> {
    functions: &'a [(String, Yaml)],
    root: &'a Path,
    base: &'a Path,
    doc: &'a Document,
    tree: &'a Yaml,
    eval: &'a Evaluator<'a>,
    attached: &'a Attachments,
    service: Option<&'a str>,
    stage: Option<&'a str>,
}

impl Service<'_> {
    fn provider(&self, path: &[&str]) -> Option<&Yaml> {
        get(self.tree, &["provider"]).and_then(|p| get(p, path))
    }

    fn function(&self, name: &str, function: &Yaml) -> Result<FunctionSpec, String> {
        if get(function, &["image"]).is_some() {
            return Err("container image functions are not analysed".to_string());
        }
        let text = |node: Option<&Yaml>| node.and_then(static_text);
        let handler_text =
            text(get(function, &["handler"])).ok_or("the function has no static `handler`")?;
        let runtime =
            text(get(function, &["runtime"])).or_else(|| text(self.provider(&["runtime"])));
        let module = text(get(function, &["module"]));
        let dir = match &module {
            Some(module) => normalize(&self.base.join(module)),
            None => self.base.to_path_buf(),
        };
        let code = Code {
            root: self.root,
            dir: dir.clone(),
            handler: Some(&handler_text),
            runtime: runtime.as_deref(),
            rust_build: false,
            rust_binary: None,
            entry_points: Vec::new(),
        };
        let (entry, language) = handler::map(&code)?;

        let mut env = cloudformation::environment(self.provider(&["environment"]), self.eval);
        env.extend(cloudformation::environment(
            get(function, &["environment"]),
            self.eval,
        ));

        let mut events = self.events(function);
        let function_id = format!("{}LambdaFunction", normalized(name));
        events.extend(
            self.attached
                .events
                .get(&function_id)
                .cloned()
                .unwrap_or_default(),
        );

        let mut destinations = self.destinations(function);
        destinations.extend(
            self.attached
                .destinations
                .get(&function_id)
                .cloned()
                .unwrap_or_default(),
        );

        let tracing = match get(function, &["tracing"]) {
            Some(t) => is_active(t),
            None => self.provider(&["tracing", "lambda"]).is_some_and(is_active),
        };
        let vpc = get(function, &["vpc"])
            .or_else(|| self.provider(&["vpc"]))
            .is_some_and(|v| !v.is_null());

        let (role, policies) = self.role(name, function);

        let function_name =
            deployed_name(function, name, self.service, self.stage).unwrap_or(Value::Unknown);
        let log_group = Value::concat(vec![Value::str("/aws/lambda/"), function_name.clone()]);

        let mut kms_keys = Vec::new();
        if let Some(key) = get(function, &["kmsKeyArn"]).or_else(|| self.provider(&["kmsKeyArn"])) {
            kms_keys.push(KmsKey {
                source: "environment".to_string(),
                key: self.eval.eval(key),
            });
        }
        let mut referenced: Vec<&Value> = env.values().collect();
        referenced.extend(events.iter().filter_map(|e| e.resource.as_ref()));
        referenced.extend(destinations.iter().map(|d| &d.target));
        kms_keys.extend(cloudformation::referenced_keys(&referenced, self.eval));

        let (layers, layer_search) = self.layers(function);
        let mut search_paths = vec![handler::search_path(self.root, &dir)];
        search_paths.extend(layer_search);

        Ok(FunctionSpec {
            also_runs: Vec::new(),
            name: name.to_string(),
            runtime,
            language,
            entry,
            env,
            search_paths,
            declared_in: self.doc.rel.clone(),
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
        })
    }

    fn events(&self, function: &Yaml) -> Vec<EventSource> {
        let mut out = Vec::new();
        for (index, event) in get(function, &["events"])
            .and_then(Yaml::as_sequence)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let Some((key, body)) = event.as_mapping().and_then(|m| m.iter().next()) else {
                continue;
            };
            let key = document::key_string(key);
            let (mut kind, field) = EVENTS
                .iter()
                .find(|(k, _, _)| *k == key)
                .map(|(_, kind, field)| (*kind, Some(*field)))
                .unwrap_or((EventKind::Other, None));
            let source = match (body, field) {
                (Yaml::Mapping(_), Some(field)) if document::intrinsic(body).is_none() => {
                    get(body, &[field])
                        .or_else(|| get(body, &["topicName"]))
                        .or_else(|| get(body, &["bucket"]))
                }
                (Yaml::Mapping(_), None) => None,
                _ => Some(body),
            };
            let resource = source.map(|s| self.eval.eval(s));
            if key == "stream" {
                let stated = get(body, &["type"]).and_then(Yaml::as_str);
                let text = resource.as_ref().map(known_text).unwrap_or_default();
                if stated == Some("kinesis")
                    || text.contains(":kinesis:")
                    || matches!(&resource, Some(Value::Infra(r)) if r.resource_type == "AWS::Kinesis::Stream")
                {
                    kind = EventKind::KinesisStream;
                }
            }
            out.push(EventSource {
                kind,
                name: format!("{key}[{index}]"),
                resource,
            });
        }
        out
    }

    /// `onError` (a dead-letter topic or queue) and `destinations.onFailure/onSuccess`
    /// (an ARN, a function of the service, or `{type, arn}`).
    fn destinations(&self, function: &Yaml) -> Vec<Destination> {
        let mut out = Vec::new();
        if let Some(target) = get(function, &["onError"]) {
            let target = self.eval.eval(target);
            out.push(Destination {
                kind: DestinationKind::DeadLetter,
                target_type: arn_type(&target),
                target,
            });
        }
        for (field, kind) in [
            ("onFailure", DestinationKind::OnFailure),
            ("onSuccess", DestinationKind::OnSuccess),
        ] {
            let Some(node) = get(function, &["destinations", field]) else {
                continue;
            };
            let (target_node, stated) = match node {
                Yaml::Mapping(_) if document::intrinsic(node).is_none() => (
                    get(node, &["arn"]),
                    get(node, &["type"])
                        .and_then(Yaml::as_str)
                        .map(str::to_lowercase),
                ),
                other => (Some(other), None),
            };
            let Some(target_node) = target_node else {
                continue;
            };
            let mut target = self.eval.eval(target_node);
            // A bare name is another function of the service.
            if let Value::Str { value } = &target
                && !value.starts_with("arn:")
                && let Some((_, function)) = self.functions.iter().find(|(n, _)| n == value)
            {
                target = deployed_name(function, value, self.service, self.stage)
                    .unwrap_or(Value::Unknown);
                out.push(Destination {
                    kind,
                    target_type: "lambda".to_string(),
                    target,
                });
                continue;
            }
            let target_type = stated
                .map(|s| {
                    if s == "function" {
                        "lambda".to_string()
                    } else {
                        s
                    }
                })
                .unwrap_or_else(|| arn_type(&target));
            out.push(Destination {
                kind,
                target_type,
                target,
            });
        }
        out
    }

    /// The role and the permissions declared for it: provider statements and managed
    /// policies (v3 `provider.iam.role`, v2 `provider.iamRoleStatements`), function
    /// statements (serverless-iam-roles-per-function), or a role the service names.
    fn role(&self, name: &str, function: &Yaml) -> (Option<RoleSpec>, Vec<DeclaredPolicy>) {
        let named = get(function, &["role"])
            .or_else(|| self.provider(&["role"]))
            .or_else(|| {
                self.provider(&["iam", "role"])
                    .filter(|r| !r.is_mapping() || document::intrinsic(r).is_some())
            });
        if let Some(role) = named {
            let value = match role {
                Yaml::String(s) if !s.starts_with("arn:") && !s.contains(UNKNOWN_MARK) => {
                    self.eval.reference(s, None)
                }
                other => self.eval.eval(other),
            };
            return match value {
                Value::Infra(reference)
                    if reference.resource_type == "AWS::IAM::Role"
                        && self
                            .eval
                            .template
                            .resources
                            .contains_key(&reference.logical_id) =>
                {
                    let policies = cloudformation::role_policies(
                        &reference.logical_id,
                        self.eval,
                        self.attached,
                    );
                    (
                        Some(RoleSpec::Resource {
                            logical_id: reference.logical_id,
                        }),
                        policies,
                    )
                }
                other => (Some(RoleSpec::External { role: other }), Vec::new()),
            };
        }
        let mut policies = Vec::new();
        for (path, source) in [
            (
                &["iam", "role", "statements"][..],
                "provider.iam.role.statements",
            ),
            (&["iamRoleStatements"][..], "provider.iamRoleStatements"),
        ] {
            if let Some(statements) = self.provider(path) {
                policies.push(DeclaredPolicy::Statements {
                    source: source.to_string(),
                    statements: to_json(statements),
                });
            }
        }
        for path in [
            &["iam", "role", "managedPolicies"][..],
            &["iamManagedPolicies"][..],
        ] {
            for policy in self
                .provider(path)
                .and_then(Yaml::as_sequence)
                .into_iter()
                .flatten()
            {
                policies.push(cloudformation::managed_policy(policy, self.eval));
            }
        }
        if let Some(statements) = get(function, &["iamRoleStatements"]) {
            let own = DeclaredPolicy::Statements {
                source: format!("functions.{name}.iamRoleStatements"),
                statements: to_json(statements),
            };
            // serverless-iam-roles-per-function: a role of its own, provider statements
            // inherited only when `iamRoleStatementsInherit` is true.
            let inherit = get(function, &["iamRoleStatementsInherit"])
                .and_then(Yaml::as_bool)
                .unwrap_or(false);
            let mut mine = if inherit { policies } else { Vec::new() };
            mine.push(own);
            return (
                Some(RoleSpec::Generated {
                    logical_id: format!("{}IamRoleLambdaExecution", normalized(name)),
                }),
                mine,
            );
        }
        (
            Some(RoleSpec::Shared {
                logical_id: SHARED_ROLE.to_string(),
            }),
            policies,
        )
    }

    /// The function's layers (else the provider's) that the service builds from a local
    /// folder (`layers: name: path: ...`), with their import folders.
    fn layers(&self, function: &Yaml) -> (Vec<String>, Vec<PathBuf>) {
        let mut contents = Vec::new();
        let mut search = Vec::new();
        let declared = get(self.tree, &["layers"]).and_then(Yaml::as_mapping);
        let used = get(function, &["layers"]).or_else(|| self.provider(&["layers"]));
        for layer in used.and_then(Yaml::as_sequence).into_iter().flatten() {
            let Value::Infra(reference) = self.eval.eval(layer) else {
                continue;
            };
            let Some(path) = declared.into_iter().flatten().find_map(|(name, body)| {
                let id = format!("{}LambdaLayer", normalized(&document::key_string(name)));
                (id == reference.logical_id)
                    .then(|| get(body, &["path"]).and_then(static_text))
                    .flatten()
            }) else {
                continue;
            };
            let dir = normalize(&self.base.join(path));
            if !handler::inside(self.root, &dir) || !dir.is_dir() {
                continue;
            }
            contents.push(relative(self.root, &dir));
            for sub in ["python", "nodejs/node_modules", "nodejs"] {
                if dir.join(sub).is_dir() {
                    search.push(handler::search_path(self.root, &dir.join(sub)));
                }
            }
        }
        (contents, search)
    }
}

/// `tracing: Active` / `true` (PassThrough does not send traces).
fn is_active(node: &Yaml) -> bool {
    match node {
        Yaml::Bool(b) => *b,
        Yaml::String(s) => s.eq_ignore_ascii_case("active") || s == "true",
        _ => false,
    }
}

/// The target type of an ARN value: `sqs`, `sns`, `lambda`, `eventbridge`, or `unknown`.
fn arn_type(target: &Value) -> String {
    if let Value::Infra(reference) = target {
        return match reference.resource_type.as_str() {
            "AWS::SQS::Queue" => "sqs",
            "AWS::SNS::Topic" => "sns",
            "AWS::Lambda::Function" => "lambda",
            "AWS::Events::EventBus" => "eventbridge",
            _ => "unknown",
        }
        .to_string();
    }
    let text = known_text(target);
    [
        (":sqs:", "sqs"),
        (":sns:", "sns"),
        (":lambda:", "lambda"),
        (":events:", "eventbridge"),
    ]
    .iter()
    .find(|(service, _)| text.contains(service))
    .map(|(_, t)| t.to_string())
    .unwrap_or_else(|| "unknown".to_string())
}

/// The known text of a value, unknown parts dropped.
fn known_text(value: &Value) -> String {
    match value {
        Value::Str { value } => value.clone(),
        Value::Concat { parts } => parts.iter().map(known_text).collect(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_id_normalisation() {
        assert_eq!(normalized("hello"), "Hello");
        assert_eq!(normalized("create-order_v2"), "CreateDashorderUnderscorev2");
    }
}
