//! CDK apps without `cdk.out`: most CDK repositories do not commit the synthesized
//! templates (`cdk init` ignores `cdk.out`), so the app's source is read statically.
//!
//! Each TypeScript/JavaScript ([`super::cdk_typescript`]) or Python
//! ([`super::cdk_python`]) file of the app that uses the CDK is scanned for construct
//! instantiations (`new lambda.Function(this, 'Id', {..})`, `_lambda.Function(self, "Id",
//! ..)`) with literal props. They become a CloudFormation template of the file (functions
//! with `Handler`, `Runtime`, `Environment`; tables, buckets, queues ... with their literal
//! names; event source mappings), read like any other template, so `table.tableName` in an
//! environment is a reference to the table with its stated name. What the source does not
//! state literally stays unknown. `cdk synth` output, when present, is read instead
//! ([`super::cdk`]).
//! Construct reference: https://docs.aws.amazon.com/cdk/api/v2/

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_norway::{Mapping, Value as Yaml};

use super::cloudformation::{self, CodeLocation};
use super::discovery::Found;
use super::document::Document;
use super::handler::{inside, normalize};
use super::intrinsics::{Evaluator, Resource, Template};
use super::physical_names::name_property;
use super::ts_literal::ASSET_KEY;
use super::variables::UNKNOWN_MARK;
use super::{FileFunctions, InfraError};
use crate::diagnostics::Diagnostic;
use crate::source::read_source;

/// Folders of a CDK app never searched for stack sources.
const SKIPPED_FOLDERS: &[&str] = &[
    "node_modules",
    "cdk.out",
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    "target",
    "dist",
    "coverage",
    ".aws-sam",
    ".serverless",
];

/// Text a source file must contain to be a CDK app file.
const CDK_MARKERS: &[&str] = &["aws-cdk-lib", "@aws-cdk/", "aws_cdk"];

/// Most source files scanned in one app.
const MAX_FILES: usize = 2_000;

/// Function construct classes and how each names its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunctionClass {
    /// `lambda.Function`: `code: Code.fromAsset(dir)` + `handler: 'file.fn'`.
    Asset,
    /// `NodejsFunction`: `entry` file (default `<stack file>.<id>.ts`) + `handler` (`handler`).
    Nodejs,
    /// `PythonFunction`: `entry` folder + `index` (`index.py`) + `handler` (`handler`).
    Python,
}

/// Construct class name (last segment of the constructor) -> function class.
pub const FUNCTION_CLASSES: &[(&str, FunctionClass)] = &[
    ("Function", FunctionClass::Asset),
    ("SingletonFunction", FunctionClass::Asset),
    ("NodejsFunction", FunctionClass::Nodejs),
    ("PythonFunction", FunctionClass::Python),
];

/// Function constructs whose code this reader cannot locate from source (container
/// images, Go and Rust builds): reported, not guessed.
pub const UNREAD_FUNCTION_CLASSES: &[&str] = &["DockerImageFunction", "GoFunction", "RustFunction"];

/// Construct class -> CloudFormation type and the CDK prop naming the resource
/// (the CloudFormation name property in camelCase; Python spells it in snake_case).
pub const RESOURCE_CLASSES: &[(&str, &str, &str)] = &[
    ("Table", "AWS::DynamoDB::Table", "tableName"),
    ("TableV2", "AWS::DynamoDB::GlobalTable", "tableName"),
    ("Bucket", "AWS::S3::Bucket", "bucketName"),
    ("Queue", "AWS::SQS::Queue", "queueName"),
    ("Topic", "AWS::SNS::Topic", "topicName"),
    (
        "StateMachine",
        "AWS::StepFunctions::StateMachine",
        "stateMachineName",
    ),
    ("Secret", "AWS::SecretsManager::Secret", "secretName"),
    ("StringParameter", "AWS::SSM::Parameter", "parameterName"),
    ("EventBus", "AWS::Events::EventBus", "eventBusName"),
    ("Stream", "AWS::Kinesis::Stream", "streamName"),
    ("LogGroup", "AWS::Logs::LogGroup", "logGroupName"),
    ("UserPool", "AWS::Cognito::UserPool", "userPoolName"),
];

/// Construct qualifiers whose `Function`/`Table`/... are not the classes above
/// (`cloudfront.Function`, `glue.Table`).
pub const FOREIGN_QUALIFIERS: &[&str] = &[
    "cloudfront",
    "glue",
    "timestream",
    "appsync",
    "athena",
    "lakeformation",
];

/// CDK attribute (camelCase) -> the intrinsic CloudFormation gives it: `None` for `Ref`,
/// `Some(attribute)` for `Fn::GetAtt`. Per the CDK docs of each construct's attributes
/// and the CloudFormation "Return values" of each type.
pub const ATTRIBUTES: &[(&str, Option<&str>)] = &[
    ("tableName", None),
    ("tableArn", Some("Arn")),
    ("tableStreamArn", Some("StreamArn")),
    ("bucketName", None),
    ("bucketArn", Some("Arn")),
    ("queueUrl", None),
    ("queueArn", Some("Arn")),
    ("queueName", Some("QueueName")),
    ("topicArn", None),
    ("topicName", Some("TopicName")),
    ("stateMachineArn", None),
    ("stateMachineName", Some("Name")),
    ("secretArn", None),
    ("parameterName", None),
    ("eventBusName", None),
    ("eventBusArn", Some("Arn")),
    ("streamName", None),
    ("streamArn", Some("Arn")),
    ("functionName", None),
    ("functionArn", Some("Arn")),
    ("logGroupName", None),
    ("logGroupArn", Some("Arn")),
    ("userPoolId", None),
    ("userPoolArn", Some("Arn")),
];

/// Event source classes (`aws-lambda-event-sources`) -> the source's attribute that
/// `EventSourceArn` takes.
pub const EVENT_SOURCES: &[(&str, &str)] = &[
    ("SqsEventSource", "Arn"),
    ("DynamoEventSource", "StreamArn"),
    ("KinesisEventSource", "Arn"),
];

/// A construct instantiation found in the source.
#[derive(Debug, Clone)]
pub struct Construct {
    /// The construct id (second argument).
    pub id: String,
    /// The constructor's last segment (`Function`, `Table`).
    pub class: String,
    /// 1-based line of the instantiation.
    pub line: u32,
    /// Props with camelCase keys, evaluated; unknown parts are [`UNKNOWN_MARK`].
    pub props: Mapping,
    /// `(class, field)` when the construct is assigned to `this.field` in a class body: a
    /// stack exposing it to other stacks (TypeScript only).
    pub exposed_as: Option<(String, String)>,
}

/// What one source file declares.
#[derive(Debug, Default)]
pub struct Declared {
    pub constructs: Vec<Construct>,
    /// `fn.addEnvironment(key, value)`: (function construct id, key, value).
    pub env: Vec<(String, String, Yaml)>,
    /// `fn.addEventSource(new SqsEventSource(queue))`: (function id, source id, attribute).
    pub event_sources: Vec<(String, String, String)>,
    /// `new ApiStack(app, 'Api', { table: data.table })` with `data = new DataStack(..)`:
    /// ((ApiStack, table), (DataStack, table)).
    pub passed: Vec<((String, String), (String, String))>,
}

/// Constructs handed from one stack to another through props, across the app's files.
#[derive(Debug, Default)]
pub struct Wiring {
    /// (class, field) -> the construct a stack class assigns to `this.field`.
    pub fields: BTreeMap<(String, String), Construct>,
    /// (stack class, prop) -> (class, field) of the construct passed in that prop.
    pub props: BTreeMap<(String, String), (String, String)>,
}

impl Wiring {
    /// The construct a stack class receives in `prop`, when the app passes one.
    pub fn received(&self, class: &str, prop: &str) -> Option<&Construct> {
        let source = self.props.get(&(class.to_string(), prop.to_string()))?;
        self.fields.get(source)
    }

    fn add(&mut self, declared: &Declared) {
        for construct in &declared.constructs {
            if let Some(key) = &construct.exposed_as {
                self.fields.insert(key.clone(), construct.clone());
            }
        }
        self.props.extend(declared.passed.iter().cloned());
    }
}

/// Reads the CDK app whose `cdk.json` is `file`.
pub fn read(root: &Path, file: &Found) -> Result<FileFunctions, InfraError> {
    let app_dir = normalize(file.path.parent().unwrap_or(root));
    let mut out = FileFunctions::default();
    let sources: Vec<_> = app_sources(root, &app_dir)
        .into_iter()
        .filter_map(|path| read_source(root, &path).ok().map(|source| (path, source)))
        .filter(|(_, source)| CDK_MARKERS.iter().any(|m| source.text.contains(m)))
        .collect();
    let is_python = |path: &Path| path.extension().and_then(|e| e.to_str()) == Some("py");
    // First pass: which constructs stacks expose and pass to each other.
    let mut wiring = Wiring::default();
    let none = Wiring::default();
    for (path, source) in &sources {
        wiring.add(&if is_python(path) {
            super::cdk_python::declared(path, &source.text, &none)
        } else {
            super::cdk_typescript::declared(root, path, &app_dir, &none)
        });
    }
    for (path, source) in sources {
        let declared = if is_python(&path) {
            super::cdk_python::declared(&path, &source.text, &wiring)
        } else {
            super::cdk_typescript::declared(root, &path, &app_dir, &wiring)
        };
        if !declared
            .constructs
            .iter()
            .any(|c| function_class(c).is_some())
        {
            continue;
        }
        let read = functions(root, &app_dir, &path, source.rel, source.text, &declared);
        out.functions.extend(read.functions);
        out.diagnostics.extend(read.diagnostics);
    }
    let message = if out.functions.is_empty() && out.diagnostics.is_empty() {
        "found cdk.json but no cdk.out: run `cdk synth` for exact results"
    } else {
        "found cdk.json but no cdk.out: functions read from the CDK app source; run `cdk synth` for exact results"
    };
    out.diagnostics
        .push(Diagnostic::warning(&file.rel, 0, message));
    Ok(out)
}

/// Source files of the app (`.ts`, `.js`, `.py`; no declarations), sorted, bounded.
fn app_sources(root: &Path, app_dir: &Path) -> Vec<PathBuf> {
    let walker = ignore::WalkBuilder::new(app_dir)
        .standard_filters(false)
        .follow_links(false)
        .filter_entry(|e| !SKIPPED_FOLDERS.contains(&e.file_name().to_string_lossy().as_ref()))
        .build();
    let mut files: Vec<PathBuf> = walker
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.path().to_path_buf())
        .filter(|p| {
            let name = p.to_string_lossy();
            (name.ends_with(".ts") && !name.ends_with(".d.ts"))
                || name.ends_with(".js")
                || name.ends_with(".py")
        })
        .filter(|p| inside(root, p))
        .take(MAX_FILES)
        .collect();
    files.sort();
    files
}

/// The function class of a construct, unless its qualifier says it is another service's.
pub fn function_class(construct: &Construct) -> Option<FunctionClass> {
    FUNCTION_CLASSES
        .iter()
        .find(|(name, _)| *name == construct.class)
        .map(|(_, class)| *class)
}

/// `Runtime.NODEJS_20_X` -> `nodejs20.x`, `PYTHON_3_12` -> `python3.12`,
/// `PROVIDED_AL2023` -> `provided.al2023` (the CDK constants name the runtime ids).
pub fn runtime_id(constant: &str) -> Option<String> {
    let lower = constant.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("nodejs_") {
        let version = rest.trim_end_matches("_x").replace('_', ".");
        return Some(if rest.ends_with("_x") {
            format!("nodejs{version}.x")
        } else {
            format!("nodejs{version}")
        });
    }
    if let Some(rest) = lower.strip_prefix("python_") {
        return Some(format!("python{}", rest.replace('_', ".")));
    }
    if lower == "provided" {
        return Some(lower);
    }
    if let Some(rest) = lower.strip_prefix("provided_") {
        return Some(format!("provided.{rest}"));
    }
    None
}

/// The intrinsic for `<construct>.<attribute>` (camelCase attribute).
pub fn attribute_intrinsic(id: &str, attribute: &str) -> Option<Yaml> {
    let (_, getatt) = ATTRIBUTES.iter().find(|(name, _)| *name == attribute)?;
    let mut map = Mapping::new();
    match getatt {
        None => map.insert(Yaml::String("Ref".into()), Yaml::String(id.to_string())),
        Some(att) => map.insert(
            Yaml::String("Fn::GetAtt".into()),
            Yaml::Sequence(vec![
                Yaml::String(id.to_string()),
                Yaml::String(att.to_string()),
            ]),
        ),
    };
    Some(Yaml::Mapping(map))
}

/// The name of the nearest enclosing node of `kind` (`class_declaration` in TypeScript,
/// `class_definition` in Python) around `node`, in `text`.
pub fn enclosing_name(node: tree_sitter::Node, kind: &str, text: &str) -> Option<String> {
    let mut at = node.parent();
    while let Some(n) = at {
        if n.kind() == kind {
            return n
                .child_by_field_name("name")
                .and_then(|name| name.utf8_text(text.as_bytes()).ok())
                .map(str::to_string);
        }
        at = n.parent();
    }
    None
}

/// `table_name` -> `tableName`.
pub fn camel_case(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' && !out.is_empty() {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Where a function's code and handler are, or why they cannot be known.
fn code_location(
    app_dir: &Path,
    stack_file: &Path,
    construct: &Construct,
    class: FunctionClass,
) -> Result<(PathBuf, String), String> {
    let text = |key: &str| {
        construct
            .props
            .get(key)
            .and_then(Yaml::as_str)
            .filter(|s| !s.contains(UNKNOWN_MARK))
            .map(String::from)
    };
    let path = |p: &str| normalize(&app_dir.join(p));
    match class {
        FunctionClass::Asset => {
            let asset = construct
                .props
                .get("code")
                .and_then(|code| code.get(ASSET_KEY))
                .and_then(Yaml::as_str)
                .filter(|s| !s.contains(UNKNOWN_MARK))
                .ok_or("its `code` is not `Code.fromAsset(<literal path>)`")?;
            let handler = text("handler").ok_or("its `handler` is not a literal")?;
            Ok((path(asset), handler))
        }
        FunctionClass::Nodejs => {
            let entry = match construct.props.get("entry") {
                Some(_) => path(&text("entry").ok_or("its `entry` is not a literal path")?),
                None => {
                    let stem = stack_file
                        .file_stem()
                        .and_then(|s| s.to_str())
                        .unwrap_or_default();
                    stack_file.with_file_name(format!("{stem}.{}.ts", construct.id))
                }
            };
            let function = text("handler").unwrap_or_else(|| "handler".to_string());
            let stem = entry
                .file_stem()
                .and_then(|s| s.to_str())
                .ok_or("its `entry` names no file")?;
            let dir = entry.parent().unwrap_or(app_dir).to_path_buf();
            Ok((dir, format!("{stem}.{function}")))
        }
        FunctionClass::Python => {
            let entry = path(&text("entry").ok_or("its `entry` is not a literal path")?);
            let index = text("index").unwrap_or_else(|| "index.py".to_string());
            let module = index.strip_suffix(".py").unwrap_or(&index).to_string();
            let function = text("handler").unwrap_or_else(|| "handler".to_string());
            Ok((entry, format!("{module}.{function}")))
        }
    }
}

/// The file's constructs as a CloudFormation template, read for its functions.
fn functions(
    root: &Path,
    app_dir: &Path,
    stack_file: &Path,
    rel: String,
    text: String,
    declared: &Declared,
) -> FileFunctions {
    let mut resources = Mapping::new();
    let mut code: BTreeMap<String, Result<(PathBuf, String), String>> = BTreeMap::new();
    let mut lines: BTreeMap<String, u32> = BTreeMap::new();
    let mut skipped = Vec::new();
    for construct in &declared.constructs {
        if UNREAD_FUNCTION_CLASSES.contains(&construct.class.as_str()) {
            skipped.push(Diagnostic::warning(
                &rel,
                construct.line,
                format!(
                    "function `{}` skipped: a `{}` is not read from CDK source; run `cdk synth`",
                    construct.id, construct.class
                ),
            ));
            continue;
        }
        let node = match function_class(construct) {
            Some(class) => {
                code.insert(
                    construct.id.clone(),
                    code_location(app_dir, stack_file, construct, class),
                );
                lines.insert(construct.id.clone(), construct.line);
                function_resource(construct, declared)
            }
            None => match resource(construct) {
                Some(node) => node,
                None => continue,
            },
        };
        resources.insert(Yaml::String(construct.id.clone()), node);
    }
    for (index, (function, source, attribute)) in declared.event_sources.iter().enumerate() {
        let mut props = Mapping::new();
        props.insert(
            "FunctionName".into(),
            single("Ref", Yaml::String(function.clone())),
        );
        props.insert(
            "EventSourceArn".into(),
            single(
                "Fn::GetAtt",
                Yaml::Sequence(vec![
                    Yaml::String(source.clone()),
                    Yaml::String(attribute.clone()),
                ]),
            ),
        );
        let mut node = Mapping::new();
        node.insert("Type".into(), "AWS::Lambda::EventSourceMapping".into());
        node.insert("Properties".into(), Yaml::Mapping(props));
        resources.insert(
            Yaml::String(format!("{function}EventSource{source}{index}")),
            Yaml::Mapping(node),
        );
    }
    let mut tree = Mapping::new();
    tree.insert("Resources".into(), Yaml::Mapping(resources));
    let doc = Document {
        rel,
        text,
        tree: Yaml::Mapping(tree),
    };
    let template = Template::from_node(&doc, &doc.tree);
    let locate = |id: &str, _: &Resource, _: &Yaml, _: &Evaluator| match code.get(id) {
        Some(Ok((dir, handler))) => Ok(CodeLocation {
            dir: dir.clone(),
            handler: Some(handler.clone()),
        }),
        Some(Err(reason)) => Err(reason.clone()),
        None => Err("its code is unknown".to_string()),
    };
    let mut read = cloudformation::functions(root, &template, None, &locate);
    for function in &mut read.functions {
        function.line = lines.get(&function.name).copied().unwrap_or(0);
    }
    for diagnostic in &mut read.diagnostics {
        if diagnostic.line == 0
            && let Some((_, line)) = lines
                .iter()
                .find(|(id, _)| diagnostic.message.contains(&format!("`{id}`")))
        {
            diagnostic.line = *line;
        }
    }
    read.diagnostics.extend(skipped);
    read
}

fn single(key: &str, value: Yaml) -> Yaml {
    let mut map = Mapping::new();
    map.insert(Yaml::String(key.to_string()), value);
    Yaml::Mapping(map)
}

/// `AWS::Lambda::Function` with the props CloudFormation needs to read the function.
fn function_resource(construct: &Construct, declared: &Declared) -> Yaml {
    let mut props = Mapping::new();
    if let Some(runtime) = construct.props.get("runtime") {
        props.insert("Runtime".into(), runtime.clone());
    }
    let mut variables = match construct.props.get("environment") {
        Some(Yaml::Mapping(env)) => env.clone(),
        _ => Mapping::new(),
    };
    for (id, key, value) in &declared.env {
        if *id == construct.id {
            variables.insert(Yaml::String(key.clone()), value.clone());
        }
    }
    if !variables.is_empty() {
        props.insert(
            "Environment".into(),
            single("Variables", Yaml::Mapping(variables)),
        );
    }
    if let Some(name) = construct.props.get("functionName") {
        props.insert("FunctionName".into(), name.clone());
    }
    if construct
        .props
        .get("tracing")
        .and_then(Yaml::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("active"))
    {
        props.insert("TracingConfig".into(), single("Mode", "Active".into()));
    }
    if construct.props.contains_key("vpc") {
        props.insert("VpcConfig".into(), Yaml::Mapping(Mapping::new()));
    }
    let mut node = Mapping::new();
    node.insert("Type".into(), cloudformation::LAMBDA_FUNCTION.into());
    node.insert("Properties".into(), Yaml::Mapping(props));
    Yaml::Mapping(node)
}

/// A named resource (table, bucket, queue ...) with its literal physical name.
fn resource(construct: &Construct) -> Option<Yaml> {
    let (_, resource_type, name_prop) = RESOURCE_CLASSES
        .iter()
        .find(|(class, _, _)| *class == construct.class)?;
    let mut props = Mapping::new();
    if let (Some(property), Some(name)) = (
        name_property(resource_type),
        construct.props.get(*name_prop),
    ) {
        props.insert(Yaml::String(property.to_string()), name.clone());
    }
    let mut node = Mapping::new();
    node.insert("Type".into(), Yaml::String(resource_type.to_string()));
    node.insert("Properties".into(), Yaml::Mapping(props));
    Some(Yaml::Mapping(node))
}
