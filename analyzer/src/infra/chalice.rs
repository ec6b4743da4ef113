//! Chalice apps: `.chalice/config.json` (stages, environment variables, per-function
//! settings) and `app.py` (`app = Chalice(app_name=..)` with decorated functions).
//!
//! Chalice deploys one Lambda for the REST API, `api_handler`, whose code is the routed app
//! (every `@app.route` function is reachable: its entry is `app.py:@app.route`, see
//! `python::analyze`; when the app mounts blueprints, whose routes that would miss, the entry
//! is the app object `app.py:app`, which dispatches the routes of the app and its
//! blueprints), and one Lambda per event handler, `@app.lambda_function` or authorizer, on the
//! app or on a mounted blueprint (its name after the mount's `name_prefix`), named
//! `<app_name>-<stage>-<name>`. The stage is `--stage`, else `dev`, Chalice's default.
//! References: https://aws.github.io/chalice/topics/configfile.html,
//! https://aws.github.io/chalice/topics/events.html,
//! https://aws.github.io/chalice/topics/blueprints.html

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value as Json;
use tree_sitter::{Node, Parser};

use super::cloudformation::finish;
use super::discovery::Found;
use super::handler::{normalize, search_path};
use super::{
    DeclaredPolicy, Deployment, EventKind, EventSource, FileFunctions, FunctionSpec, InfraError,
    RoleSpec,
};
use crate::diagnostics::Diagnostic;
use crate::project::{Entry, Language};
use crate::source::{read_source, relative};
use crate::value::Value;

/// The stage `chalice deploy` uses without `--stage` (and iamsynth without `--stage`).
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
pub fn read(
    root: &Path,
    file: &Found,
    deployment: &Deployment,
) -> Result<FileFunctions, InfraError> {
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
    let stage = deployment.stage.as_deref().unwrap_or(DEFAULT_STAGE);
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
    let mounts = !decorated.blueprints.is_empty();
    let api_line = decorated.first_route.or(mounts.then_some(0));
    if let Some(line) = api_line {
        let function = if mounts {
            out.diagnostics.push(Diagnostic::note(
                &app.rel,
                line,
                format!("`{API_HANDLER}`: the app mounts blueprints, so the routes of `{app_var}` and of its blueprints are reachable from the API"),
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
    let mut functions = decorated.functions.clone();
    for function in &mut functions {
        function.file = app_rel.clone();
    }
    functions.extend(blueprint_functions(
        root,
        &app_dir,
        &decorated.blueprints,
        &mut out.diagnostics,
        &app.rel,
    ));
    for function in &functions {
        let name = function.name.clone();
        let mut spec = base(
            &name,
            format!("{app_name}-{stage}-{name}"),
            Entry {
                file: function.file.clone(),
                function: Some(function.python_name.clone()),
            },
            function.line,
        );
        spec.declared_in = function.file.clone();
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
    /// Blueprints the app registers.
    blueprints: Vec<Mount>,
}

#[derive(Debug)]
struct Mount {
    expr: String,
    /// The module defining the blueprint and its name there, from app.py's imports.
    origin: Option<(String, String)>,
    name_prefix: String,
}

/// The functions with a Lambda of their own that `owner` (a blueprint variable) registers in
/// a module's text.
fn functions_in(text: &str, owner: &str) -> Vec<EventFunction> {
    let mut parser = Parser::new();
    if parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .is_err()
    {
        return Vec::new();
    }
    let Some(tree) = parser.parse(text, None) else {
        return Vec::new();
    };
    let root = tree.root_node();
    let mut cursor = root.walk();
    let statements: Vec<Node> = root.named_children(&mut cursor).collect();
    scan_owner(&statements, owner, text.as_bytes()).1
}

/// Event handlers registered on the blueprints the app mounts, each in its own Lambda named
/// with the mount's `name_prefix` (https://aws.github.io/chalice/topics/blueprints.html).
fn blueprint_functions(
    root: &Path,
    app_dir: &Path,
    mounts: &[Mount],
    diagnostics: &mut Vec<Diagnostic>,
    app_rel: &str,
) -> Vec<EventFunction> {
    let mut out = Vec::new();
    for mount in mounts {
        let Some((module, name)) = &mount.origin else {
            diagnostics.push(Diagnostic::note(
                app_rel,
                0,
                format!("blueprint `{}` is not imported from a local module: its event handlers are not read", mount.expr),
            ));
            continue;
        };
        let base = app_dir.join(module.replace('.', "/"));
        let candidates = [base.with_extension("py"), base.join("__init__.py")];
        let Some(source) = candidates
            .iter()
            .filter(|p| p.is_file())
            .find_map(|p| read_source(root, p).ok())
        else {
            continue;
        };
        for mut function in functions_in(&source.text, name) {
            function.file = source.rel.clone();
            function.name = format!("{}{}", mount.name_prefix, function.name);
            out.push(function);
        }
    }
    out
}

#[derive(Debug, Clone)]
struct EventFunction {
    /// The file defining it, relative to the root (app.py, or a blueprint's module).
    file: String,
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
    let (first_route, functions) = scan_owner(&statements, &app, src);
    out.first_route = first_route;
    out.functions = functions;
    out.blueprints = blueprint_mounts(&statements, &app, src);
    out
}

/// Functions decorated on `owner` (`@owner.route`, `@owner.on_s3_event(..)`, ...) among
/// top-level statements: the first route's line, and the functions with their own Lambda.
fn scan_owner(statements: &[Node], owner: &str, src: &[u8]) -> (Option<u32>, Vec<EventFunction>) {
    let node_text = |n: Node| n.utf8_text(src).unwrap_or_default().to_string();
    let mut first_route = None;
    let mut functions = Vec::new();
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
            let Some(method) = callee.strip_prefix(&format!("{owner}.")) else {
                continue;
            };
            if method == "route" {
                first_route.get_or_insert(line);
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
            functions.push(EventFunction {
                file: String::new(),
                name,
                python_name: python_name.clone(),
                decorator: decorator_name.to_string(),
                kind: *kind,
                source: source.filter(|_| !source_keyword.is_empty()),
                line,
            });
        }
    }
    (first_route, functions)
}

/// `app.register_blueprint(<expr>, name_prefix="p_")` calls: the blueprint expression
/// (`bp`, `events.bp`) and the prefix Chalice puts before its functions' names.
fn blueprint_mounts(statements: &[Node], app: &str, src: &[u8]) -> Vec<Mount> {
    let node_text = |n: Node| n.utf8_text(src).unwrap_or_default().to_string();
    let mut out = Vec::new();
    for statement in statements
        .iter()
        .filter(|s| s.kind() == "expression_statement")
    {
        let Some(call) = statement.named_child(0).filter(|c| c.kind() == "call") else {
            continue;
        };
        let is_mount = call
            .child_by_field_name("function")
            .is_some_and(|f| node_text(f) == format!("{app}.register_blueprint"));
        let first = call
            .child_by_field_name("arguments")
            .and_then(|a| a.named_child(0))
            .filter(|a| matches!(a.kind(), "identifier" | "attribute"));
        if let (true, Some(first)) = (is_mount, first) {
            let expr = node_text(first);
            out.push(Mount {
                origin: blueprint_origin(statements, &expr, src),
                expr,
                name_prefix: keyword(call, "name_prefix", src).unwrap_or_default(),
            });
        }
    }
    out
}

/// Where `expr` (a name or `module.name` in app.py) is defined: the module path
/// (`chalicelib.events`) and the name inside it, from app.py's imports.
fn blueprint_origin(statements: &[Node], expr: &str, src: &[u8]) -> Option<(String, String)> {
    let node_text = |n: Node| n.utf8_text(src).unwrap_or_default().to_string();
    let (head, attribute) = match expr.rsplit_once('.') {
        Some((module, name)) => (module.to_string(), Some(name.to_string())),
        None => (expr.to_string(), None),
    };
    for statement in statements {
        let mut cursor = statement.walk();
        let names: Vec<Node> = statement
            .children_by_field_name("name", &mut cursor)
            .collect();
        for name in names {
            let (imported, alias) = match name.kind() {
                "aliased_import" => (
                    name.child_by_field_name("name").map(node_text),
                    name.child_by_field_name("alias").map(node_text),
                ),
                _ => (Some(node_text(name)), None),
            };
            let Some(imported) = imported else { continue };
            let bound = alias.clone().unwrap_or_else(|| imported.clone());
            match statement.kind() {
                // `from chalicelib.events import bp` / `from chalicelib import events`.
                "import_from_statement" => {
                    let module = statement
                        .child_by_field_name("module_name")
                        .map(node_text)?;
                    if bound != head {
                        continue;
                    }
                    return Some(match &attribute {
                        None => (module, imported),
                        Some(attribute) => (format!("{module}.{imported}"), attribute.clone()),
                    });
                }
                // `import chalicelib.events as events`.
                "import_statement" if bound == head => {
                    return attribute.clone().map(|a| (imported, a));
                }
                _ => {}
            }
        }
    }
    None
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
