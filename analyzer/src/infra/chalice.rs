//! Chalice apps: `.chalice/config.json` (stages, environment variables, per-function
//! settings) and `app.py` (`app = Chalice(app_name=..)` with decorated functions).
//!
//! Chalice deploys one Lambda for the REST API, `api_handler`, whose code is the routed app
//! (every `@app.route` function is reachable: its entry is `app.py:@app.route`, see
//! `python::analyze`; when the app mounts blueprints, whose routes that would miss, the entry
//! is the app object `app.py:app`, which runs everything registered on it), and one Lambda per event handler or `@app.lambda_function`, named
//! `<app_name>-<stage>[-<name>]`. The stage is `dev`, Chalice's default.
//! References: https://aws.github.io/chalice/topics/configfile.html,
//! https://aws.github.io/chalice/topics/events.html

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value as Json;
use tree_sitter::{Node, Parser};

use super::cloudformation::finish;
use super::discovery::Found;
use super::handler::{normalize, search_path};
use super::{
    DeclaredPolicy, EventKind, EventSource, FileFunctions, FunctionSpec, InfraError, RoleSpec,
};
use crate::diagnostics::Diagnostic;
use crate::project::{Entry, Language};
use crate::source::{read_source, relative};
use crate::value::Value;

/// The stage `chalice deploy` uses without `--stage`.
const DEFAULT_STAGE: &str = "dev";

/// Decorators that make a Lambda function of their own, with the event kind and the
/// keyword naming the event's source (Chalice's `app.on_*` API).
const EVENT_DECORATORS: &[(&str, Option<EventKind>, &str)] = &[
    ("on_s3_event", Some(EventKind::S3), "bucket"),
    ("on_sns_message", Some(EventKind::Sns), "topic"),
    ("on_sqs_message", Some(EventKind::Sqs), "queue"),
    ("on_cw_event", Some(EventKind::EventBridge), "event_pattern"),
    ("schedule", Some(EventKind::Schedule), "expression"),
    (
        "on_dynamodb_record",
        Some(EventKind::DynamodbStream),
        "stream_arn",
    ),
    (
        "on_kinesis_record",
        Some(EventKind::KinesisStream),
        "stream",
    ),
    ("on_ws_connect", Some(EventKind::Websocket), ""),
    ("on_ws_message", Some(EventKind::Websocket), ""),
    ("on_ws_disconnect", Some(EventKind::Websocket), ""),
    ("authorizer", None, ""),
    ("lambda_function", None, ""),
];

/// Keywords that name the source as an ARN instead (`queue_arn=`, `topic` may be an ARN).
const ARN_KEYWORDS: &[&str] = &["queue_arn"];

/// The app's name for the API handler function in `config.json` `lambda_functions`.
const API_HANDLER: &str = "api_handler";

/// Reads the Chalice app whose configuration is `file` (`<app>/.chalice/config.json`).
pub fn read(root: &Path, file: &Found) -> Result<FileFunctions, InfraError> {
    let source = read_source(root, &file.path).map_err(|d| InfraError::Invalid {
        file: d.file,
        line: d.line,
        message: d.message,
    })?;
    let config: Json = serde_json::from_str(&source.text).map_err(|e| {
        InfraError::invalid(&source.rel, e.line() as u32, format!("invalid JSON: {e}"))
    })?;
    let chalice_dir = file.path.parent().unwrap_or(root);
    let app_dir = normalize(chalice_dir.parent().unwrap_or(root));
    let app_file = app_dir.join("app.py");
    let app = read_source(root, &app_file).map_err(|d| InfraError::Invalid {
        file: d.file,
        line: d.line,
        message: d.message,
    })?;
    let decorated = decorated_functions(&app.text);
    let mut out = FileFunctions::default();
    let Some(app_var) = decorated.app.clone() else {
        out.diagnostics.push(Diagnostic::warning(
            &app.rel,
            0,
            "no `Chalice(app_name=..)` app in app.py: no Chalice function read",
        ));
        return Ok(out);
    };
    let app_name = config
        .get("app_name")
        .and_then(Json::as_str)
        .map(String::from)
        .or(decorated.app_name.clone())
        .unwrap_or_else(|| "app".to_string());
    let stage = DEFAULT_STAGE;
    let settings = Settings {
        config: &config,
        stage,
    };
    let role = if settings.flag("manage_iam_role") == Some(false) {
        settings
            .string(None, "iam_role_arn")
            .map(|arn| RoleSpec::External {
                role: Value::str(arn),
            })
    } else {
        Some(RoleSpec::Shared {
            logical_id: "default-role".to_string(),
        })
    };
    let policies = declared_policy(root, chalice_dir, &settings);
    let base = |name: &str, function_name: String, entry: Entry, line: u32| FunctionSpec {
        also_runs: Vec::new(),
        name: name.to_string(),
        runtime: None,
        language: Language::Python,
        entry,
        env: settings.environment(name),
        search_paths: vec![search_path(root, &app_dir)],
        declared_in: app.rel.clone(),
        line,
        log_group: Value::str(format!("/aws/lambda/{function_name}")),
        function_name: Value::str(function_name),
        events: Vec::new(),
        tracing: settings.flag_for(name, "xray") == Some(true),
        vpc: settings.value_for(name, "subnet_ids").is_some(),
        destinations: Vec::new(),
        kms_keys: Vec::new(),
        role: role.clone(),
        policies: policies.clone(),
        layers: Vec::new(),
    };
    let app_rel = relative(root, &app_file);
    let mounts = app.text.contains(&format!("{app_var}.register_blueprint("));
    let api_line = decorated.first_route.or(mounts.then_some(0));
    if let Some(line) = api_line {
        let function = if mounts {
            out.diagnostics.push(Diagnostic::note(
                &app.rel,
                line,
                format!("`{API_HANDLER}`: the app mounts blueprints, so every function registered on `{app_var}` counts as reachable from the API, event handlers included"),
            ));
            app_var.clone()
        } else {
            format!("@{app_var}.route")
        };
        out.functions.push(finish(base(
            API_HANDLER,
            format!("{app_name}-{stage}"),
            Entry {
                file: app_rel.clone(),
                function: Some(function),
            },
            line,
        )));
    }
    for function in &decorated.functions {
        let name = function.name.clone();
        let mut spec = base(
            &name,
            format!("{app_name}-{stage}-{name}"),
            Entry {
                file: app_rel.clone(),
                function: Some(function.python_name.clone()),
            },
            function.line,
        );
        if let Some(kind) = function.kind {
            spec.events.push(EventSource {
                kind,
                name: function.decorator.clone(),
                resource: function.source.clone().map(Value::str),
            });
        }
        out.functions.push(finish(spec));
    }
    Ok(out)
}

/// `config.json` settings for the stage, with Chalice's precedence: the function's
/// `stages.<stage>.lambda_functions.<name>`, then `stages.<stage>`, then the top level.
struct Settings<'a> {
    config: &'a Json,
    stage: &'a str,
}

impl Settings<'_> {
    fn layers(&self, function: Option<&str>) -> Vec<&Json> {
        let stage = self.config.get("stages").and_then(|s| s.get(self.stage));
        let mut layers = vec![self.config];
        if let Some(stage) = stage {
            layers.push(stage);
        }
        if let Some(function) = function {
            if let Some(own) = self
                .config
                .get("lambda_functions")
                .and_then(|f| f.get(function))
            {
                layers.push(own);
            }
            if let Some(own) = stage
                .and_then(|s| s.get("lambda_functions"))
                .and_then(|f| f.get(function))
            {
                layers.push(own);
            }
        }
        layers
    }

    fn value_for(&self, function: &str, key: &str) -> Option<&Json> {
        self.layers(Some(function))
            .into_iter()
            .rev()
            .find_map(|layer| layer.get(key))
    }

    fn flag_for(&self, function: &str, key: &str) -> Option<bool> {
        self.value_for(function, key).and_then(Json::as_bool)
    }

    fn flag(&self, key: &str) -> Option<bool> {
        self.layers(None)
            .into_iter()
            .rev()
            .find_map(|layer| layer.get(key))
            .and_then(Json::as_bool)
    }

    fn string(&self, function: Option<&str>, key: &str) -> Option<String> {
        self.layers(function)
            .into_iter()
            .rev()
            .find_map(|layer| layer.get(key))
            .and_then(Json::as_str)
            .map(String::from)
    }

    /// `environment_variables` merged across the layers (inner ones override).
    fn environment(&self, function: &str) -> BTreeMap<String, Value> {
        let mut env = BTreeMap::new();
        for layer in self.layers(Some(function)) {
            if let Some(vars) = layer.get("environment_variables").and_then(Json::as_object) {
                for (key, value) in vars {
                    let value = match value {
                        Json::String(s) => Value::str(s),
                        Json::Number(n) => Value::str(n.to_string()),
                        Json::Bool(b) => Value::str(b.to_string()),
                        _ => Value::Unknown,
                    };
                    env.insert(key.clone(), value);
                }
            }
        }
        env
    }
}

/// With `autogen_policy: false`, the role's policy is `.chalice/<iam_policy_file>`
/// (default `policy-<stage>.json`): kept for `diff`.
fn declared_policy(root: &Path, chalice_dir: &Path, settings: &Settings) -> Vec<DeclaredPolicy> {
    if settings.flag("autogen_policy") != Some(false) {
        return Vec::new();
    }
    let file = settings
        .string(None, "iam_policy_file")
        .unwrap_or_else(|| format!("policy-{}.json", settings.stage));
    let path = chalice_dir.join(&file);
    let Ok(source) = read_source(root, &path) else {
        return Vec::new();
    };
    let Ok(policy) = serde_json::from_str::<Json>(&source.text) else {
        return Vec::new();
    };
    match policy.get("Statement") {
        Some(statements) => vec![DeclaredPolicy::Statements {
            source: source.rel,
            statements: statements.clone(),
        }],
        None => Vec::new(),
    }
}

/// What `app.py` declares.
#[derive(Debug, Default)]
struct Decorated {
    /// The variable holding `Chalice(..)`.
    app: Option<String>,
    app_name: Option<String>,
    /// Line of the first `@app.route`, when there is one.
    first_route: Option<u32>,
    functions: Vec<EventFunction>,
}

#[derive(Debug)]
struct EventFunction {
    /// The function's name for Chalice (`name=` of the decorator, else the Python name).
    name: String,
    python_name: String,
    decorator: String,
    kind: Option<EventKind>,
    /// The bucket, topic, queue, stream or expression, when a literal.
    source: Option<String>,
    line: u32,
}

fn decorated_functions(text: &str) -> Decorated {
    let mut parser = Parser::new();
    let mut out = Decorated::default();
    if parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .is_err()
    {
        return out;
    }
    let Some(tree) = parser.parse(text, None) else {
        return out;
    };
    let src = text.as_bytes();
    let node_text = |n: Node| n.utf8_text(src).unwrap_or_default().to_string();
    let root = tree.root_node();
    let mut cursor = root.walk();
    let statements: Vec<Node> = root.named_children(&mut cursor).collect();
    // `app = Chalice(app_name="x")`.
    for statement in &statements {
        let Some(assignment) = statement
            .named_child(0)
            .filter(|_| statement.kind() == "expression_statement")
            .filter(|a| a.kind() == "assignment")
        else {
            continue;
        };
        let (Some(left), Some(right)) = (
            assignment.child_by_field_name("left"),
            assignment.child_by_field_name("right"),
        ) else {
            continue;
        };
        let is_chalice = right.kind() == "call"
            && right
                .child_by_field_name("function")
                .is_some_and(|f| node_text(f).rsplit('.').next() == Some("Chalice"));
        if is_chalice {
            out.app = Some(node_text(left));
            out.app_name =
                keyword(right, "app_name", src).or_else(|| positional_string(right, src));
            break;
        }
    }
    let Some(app) = out.app.clone() else {
        return out;
    };
    for statement in statements
        .iter()
        .filter(|s| s.kind() == "decorated_definition")
    {
        let Some(definition) = statement.child_by_field_name("definition") else {
            continue;
        };
        let Some(python_name) = definition.child_by_field_name("name").map(node_text) else {
            continue;
        };
        let line = definition.start_position().row as u32 + 1;
        let mut decorators = statement.walk();
        for decorator in statement
            .named_children(&mut decorators)
            .filter(|d| d.kind() == "decorator")
        {
            let Some(expr) = decorator.named_child(0) else {
                continue;
            };
            let callee = if expr.kind() == "call" {
                expr.child_by_field_name("function")
            } else {
                Some(expr)
            };
            let Some(callee) = callee.map(node_text) else {
                continue;
            };
            let Some(method) = callee.strip_prefix(&format!("{app}.")) else {
                continue;
            };
            if method == "route" {
                out.first_route.get_or_insert(line);
                continue;
            }
            let Some((decorator_name, kind, source_keyword)) =
                EVENT_DECORATORS.iter().find(|(d, _, _)| *d == method)
            else {
                continue;
            };
            let call = (expr.kind() == "call").then_some(expr);
            let source = call.and_then(|c| {
                keyword(c, source_keyword, src)
                    .or_else(|| ARN_KEYWORDS.iter().find_map(|k| keyword(c, k, src)))
                    .or_else(|| positional_string(c, src))
            });
            let name = call
                .and_then(|c| keyword(c, "name", src))
                .unwrap_or_else(|| python_name.clone());
            out.functions.push(EventFunction {
                name,
                python_name: python_name.clone(),
                decorator: decorator_name.to_string(),
                kind: *kind,
                source: source.filter(|_| !source_keyword.is_empty()),
                line,
            });
        }
    }
    out
}

/// A keyword argument's string literal (no f-string).
fn keyword(call: Node, name: &str, src: &[u8]) -> Option<String> {
    let args = call.child_by_field_name("arguments")?;
    let mut cursor = args.walk();
    let found = args
        .named_children(&mut cursor)
        .filter(|a| a.kind() == "keyword_argument")
        .find(|a| {
            a.child_by_field_name("name")
                .and_then(|n| n.utf8_text(src).ok())
                == Some(name)
        })?;
    string_literal(found.child_by_field_name("value")?, src)
}

fn positional_string(call: Node, src: &[u8]) -> Option<String> {
    let args = call.child_by_field_name("arguments")?;
    let first = args.named_child(0)?;
    (first.kind() == "string")
        .then(|| string_literal(first, src))
        .flatten()
}

fn string_literal(node: Node, src: &[u8]) -> Option<String> {
    if node.kind() != "string" {
        return None;
    }
    let mut out = String::new();
    let mut cursor = node.walk();
    for part in node.named_children(&mut cursor) {
        match part.kind() {
            "string_content" => out.push_str(part.utf8_text(src).ok()?),
            "interpolation" => return None,
            _ => {}
        }
    }
    Some(out)
}
