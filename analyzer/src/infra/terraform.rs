//! Terraform configurations: every `.tf` file of one folder (a Terraform module) read
//! together. Functions are `aws_lambda_function` resources and
//! `terraform-aws-modules/lambda/aws` module calls; their code is the folder an
//! `archive_file` data source zips (`filename = data.archive_file.x.output_path`) or the
//! module's `source_path`. Environment variables bind to the resources they reference
//! (`aws_dynamodb_table.orders.name` is the table, named by its `name` argument where that is
//! static); event source mappings, S3 bucket notifications and SNS subscriptions are the
//! function's triggers. Only what the configuration states statically is evaluated:
//! literals, templates, `var.x` defaults, `local.x` and references; the rest is unknown.
//! References: Terraform AWS provider docs for each resource type
//! (https://registry.terraform.io/providers/hashicorp/aws/latest/docs), the archive provider's
//! `archive_file`, and https://registry.terraform.io/modules/terraform-aws-modules/lambda/aws.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hcl::{Block, Body, Expression, ObjectKey, TraversalOperator};

use super::cloudformation::finish;
use super::discovery::Found;
use super::handler::{self, Code, normalize, search_path};
use super::{EventKind, EventSource, FileFunctions, FunctionSpec, InfraError, RoleSpec};
use crate::diagnostics::Diagnostic;
use crate::source::{read_source, relative};
use crate::value::{InfraRef, Value};

/// The Lambda module of terraform-aws-modules, by its registry source.
const LAMBDA_MODULE: &str = "terraform-aws-modules/lambda/aws";

/// Terraform resource type -> (CloudFormation type it corresponds to, the argument naming the
/// resource, and its attributes: attribute -> `None` for the value `Ref` gives, or the
/// `GetAtt` attribute). From the provider docs' "Attribute Reference" of each type and the
/// CloudFormation "Return values" of the matching type.
type Attributes = &'static [(&'static str, Option<&'static str>)];
const RESOURCE_TYPES: &[(&str, &str, &str, Attributes)] = &[
    (
        "aws_dynamodb_table",
        "AWS::DynamoDB::Table",
        "name",
        &[
            ("name", None),
            ("id", None),
            ("arn", Some("Arn")),
            ("stream_arn", Some("StreamArn")),
        ],
    ),
    (
        "aws_s3_bucket",
        "AWS::S3::Bucket",
        "bucket",
        &[("id", None), ("bucket", None), ("arn", Some("Arn"))],
    ),
    (
        "aws_sqs_queue",
        "AWS::SQS::Queue",
        "name",
        &[
            ("id", None),
            ("url", None),
            ("arn", Some("Arn")),
            ("name", Some("QueueName")),
        ],
    ),
    (
        "aws_sns_topic",
        "AWS::SNS::Topic",
        "name",
        &[("arn", None), ("id", None), ("name", Some("TopicName"))],
    ),
    (
        "aws_secretsmanager_secret",
        "AWS::SecretsManager::Secret",
        "name",
        &[("arn", None), ("id", None), ("name", None)],
    ),
    (
        "aws_ssm_parameter",
        "AWS::SSM::Parameter",
        "name",
        &[("name", None), ("id", None), ("arn", Some("Arn"))],
    ),
    (
        "aws_kinesis_stream",
        "AWS::Kinesis::Stream",
        "name",
        &[("name", None), ("id", None), ("arn", Some("Arn"))],
    ),
    (
        "aws_lambda_function",
        "AWS::Lambda::Function",
        "function_name",
        &[("function_name", None), ("arn", Some("Arn"))],
    ),
    (
        "aws_sfn_state_machine",
        "AWS::StepFunctions::StateMachine",
        "name",
        &[("arn", None), ("id", None), ("name", Some("Name"))],
    ),
    (
        "aws_cloudwatch_event_bus",
        "AWS::Events::EventBus",
        "name",
        &[("name", None), ("arn", Some("Arn"))],
    ),
];

/// Event source ARN's resource type -> the kind of trigger a mapping from it is.
const MAPPING_KINDS: &[(&str, EventKind)] = &[
    ("aws_sqs_queue", EventKind::Sqs),
    ("aws_dynamodb_table", EventKind::DynamodbStream),
    ("aws_kinesis_stream", EventKind::KinesisStream),
];

/// Deepest nesting of evaluations (a local -> a variable -> ...).
const MAX_DEPTH: usize = 32;

/// Reads the Terraform module (folder) of `file`.
pub fn read(root: &Path, file: &Found) -> Result<FileFunctions, InfraError> {
    let dir = normalize(file.path.parent().unwrap_or(root));
    let config = Config::load(root, &dir)?;
    let mut out = FileFunctions::default();
    for (name, block) in config.of_type("resource", "aws_lambda_function") {
        let function = Function {
            address: format!("aws_lambda_function.{name}"),
            name: name.to_string(),
            body: &block.body,
            module: false,
        };
        config.function(root, &function, &mut out);
    }
    for (name, block) in &config.modules {
        let source = block
            .body
            .attributes()
            .find(|a| a.key.as_str() == "source")
            .and_then(|a| config.text(&a.expr));
        if source.as_deref() != Some(LAMBDA_MODULE) {
            continue;
        }
        let function = Function {
            address: format!("module.{name}"),
            name: name.clone(),
            body: &block.body,
            module: true,
        };
        config.function(root, &function, &mut out);
    }
    Ok(out)
}

/// A function declaration: an `aws_lambda_function` resource or a Lambda module call.
struct Function<'a> {
    /// `aws_lambda_function.api` or `module.api`: how other blocks refer to it.
    address: String,
    name: String,
    body: &'a Body,
    module: bool,
}

/// The module's blocks, by kind.
struct Config {
    dir: PathBuf,
    /// Each `.tf` file's relative path and text, for lines.
    files: Vec<(String, String)>,
    /// (`resource`|`data`, type, name) -> block.
    blocks: BTreeMap<(String, String, String), Block>,
    modules: BTreeMap<String, Block>,
    variables: BTreeMap<String, Expression>,
    locals: BTreeMap<String, Expression>,
    depth: Cell<usize>,
}

impl Config {
    fn load(root: &Path, dir: &Path) -> Result<Config, InfraError> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| InfraError::invalid(&relative(root, dir), 0, e.to_string()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "tf") && p.is_file())
            .collect();
        paths.sort();
        let mut config = Config {
            dir: dir.to_path_buf(),
            files: Vec::new(),
            blocks: BTreeMap::new(),
            modules: BTreeMap::new(),
            variables: BTreeMap::new(),
            locals: BTreeMap::new(),
            depth: Cell::new(0),
        };
        for path in paths {
            let source = read_source(root, &path).map_err(|d| InfraError::Invalid {
                file: d.file,
                line: d.line,
                message: d.message,
            })?;
            let body = hcl::parse(&source.text).map_err(|e| {
                InfraError::invalid(&source.rel, 0, format!("invalid Terraform (HCL): {e}"))
            })?;
            for block in body.into_blocks() {
                let labels: Vec<String> = block
                    .labels
                    .iter()
                    .map(|l| l.as_str().to_string())
                    .collect();
                match (block.identifier.as_str(), labels.as_slice()) {
                    ("resource" | "data", [kind, name]) => {
                        let key = (block.identifier.to_string(), kind.clone(), name.clone());
                        config.blocks.insert(key, block);
                    }
                    ("module", [name]) => {
                        config.modules.insert(name.clone(), block);
                    }
                    ("variable", [name]) => {
                        if let Some(default) = block
                            .body
                            .attributes()
                            .find(|a| a.key.as_str() == "default")
                        {
                            config.variables.insert(name.clone(), default.expr.clone());
                        }
                    }
                    ("locals", []) => {
                        for attribute in block.body.attributes() {
                            config
                                .locals
                                .insert(attribute.key.to_string(), attribute.expr.clone());
                        }
                    }
                    _ => {}
                }
            }
            config.files.push((source.rel, source.text));
        }
        Ok(config)
    }

    fn of_type<'a>(
        &'a self,
        block: &'a str,
        kind: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a Block)> + 'a {
        self.blocks
            .iter()
            .filter(move |((b, k, _), _)| b == block && k == kind)
            .map(|((_, _, name), block)| (name.as_str(), block))
    }

    /// The file and 1-based line of the block with these labels.
    fn locate(&self, identifier: &str, labels: &[&str]) -> (String, u32) {
        let quoted: Vec<String> = labels.iter().map(|l| format!("\"{l}\"")).collect();
        let needle = format!("{identifier} {}", quoted.join(" "));
        for (rel, text) in &self.files {
            if let Some(at) = text.find(&needle) {
                let line = text[..at].lines().count() as u32 + 1;
                return (rel.clone(), line);
            }
        }
        let first = self.files.first().map(|(rel, _)| rel.clone());
        (first.unwrap_or_default(), 0)
    }

    fn function(&self, root: &Path, function: &Function, out: &mut FileFunctions) {
        let attribute = |key: &str| {
            function
                .body
                .attributes()
                .find(|a| a.key.as_str() == key)
                .map(|a| &a.expr)
        };
        let (declared_in, line) = if function.module {
            self.locate("module", &[&function.name])
        } else {
            self.locate("resource", &["aws_lambda_function", &function.name])
        };
        let skip = |message: String, out: &mut FileFunctions| {
            out.diagnostics.push(Diagnostic::warning(
                &declared_in,
                line,
                format!("function `{}` skipped: {message}", function.name),
            ));
        };
        if attribute("image_uri").is_some()
            || attribute("package_type")
                .and_then(|e| self.text(e))
                .as_deref()
                == Some("Image")
        {
            skip(
                "a container image function; its code is not in the project".to_string(),
                out,
            );
            return;
        }
        let handler = attribute("handler").and_then(|e| self.text(e));
        let runtime = attribute("runtime").and_then(|e| self.text(e));
        let code_dir = if function.module {
            attribute("source_path").and_then(|e| self.module_source(e))
        } else {
            attribute("filename").and_then(|e| self.archive_source(e))
        };
        let Some(dir) = code_dir else {
            let what = if function.module {
                "its `source_path` is not a static folder"
            } else {
                "its `filename` is not the output of an `archive_file` with a static source"
            };
            skip(what.to_string(), out);
            return;
        };
        let code = Code {
            root,
            dir: dir.clone(),
            handler: handler.as_deref(),
            runtime: runtime.as_deref(),
            rust_build: false,
            rust_binary: None,
            entry_points: Vec::new(),
        };
        let (entry, language) = match handler::map(&code) {
            Ok(found) => found,
            Err(message) => {
                skip(message, out);
                return;
            }
        };
        let env = if function.module {
            attribute("environment_variables")
        } else {
            nested(function.body, "environment").and_then(|b| {
                b.attributes()
                    .find(|a| a.key.as_str() == "variables")
                    .map(|a| &a.expr)
            })
        };
        let env = match env {
            Some(Expression::Object(object)) => object
                .iter()
                .filter_map(|(key, value)| Some((self.key(key)?, self.eval(value))))
                .collect(),
            _ => BTreeMap::new(),
        };
        let function_name = attribute("function_name")
            .map(|e| self.eval(e))
            .unwrap_or(Value::Unknown);
        let tracing = if function.module {
            attribute("tracing_mode")
                .and_then(|e| self.text(e))
                .as_deref()
                == Some("Active")
        } else {
            nested(function.body, "tracing_config")
                .and_then(|b| b.attributes().find(|a| a.key.as_str() == "mode"))
                .and_then(|a| self.text(&a.expr))
                .as_deref()
                == Some("Active")
        };
        let vpc = if function.module {
            attribute("vpc_subnet_ids").is_some()
        } else {
            nested(function.body, "vpc_config").is_some()
        };
        let role = attribute(if function.module {
            "lambda_role"
        } else {
            "role"
        })
        .map(|e| RoleSpec::External { role: self.eval(e) });
        out.functions.push(finish(FunctionSpec {
            name: function.name.clone(),
            runtime,
            language,
            entry,
            also_runs: Vec::new(),
            env,
            search_paths: vec![search_path(root, &dir)],
            declared_in,
            line,
            log_group: Value::concat(vec![Value::str("/aws/lambda/"), function_name.clone()]),
            function_name,
            events: self.events(&function.address),
            tracing,
            vpc,
            destinations: Vec::new(),
            kms_keys: Vec::new(),
            role,
            policies: Vec::new(),
            layers: Vec::new(),
        }));
    }

    /// The folder `data.archive_file.x.output_path` zips (`source_dir`, or the folder of
    /// `source_file`); a literal path is matched against the archives' `output_path`.
    fn archive_source(&self, filename: &Expression) -> Option<PathBuf> {
        let archive = match traversal_path(filename) {
            Some(path) if path.len() >= 3 && path[0] == "data" && path[1] == "archive_file" => {
                self.blocks.get(&(
                    "data".to_string(),
                    "archive_file".to_string(),
                    path[2].clone(),
                ))
            }
            _ => {
                let written = self.text(filename)?;
                self.of_type("data", "archive_file")
                    .map(|(_, block)| block)
                    .find(|block| {
                        block
                            .body
                            .attributes()
                            .find(|a| a.key.as_str() == "output_path")
                            .and_then(|a| self.text(&a.expr))
                            .is_some_and(|out| same_path(&out, &written))
                    })
            }
        }?;
        let attribute = |key: &str| {
            archive
                .body
                .attributes()
                .find(|a| a.key.as_str() == key)
                .and_then(|a| self.text(&a.expr))
        };
        if let Some(dir) = attribute("source_dir") {
            return Some(normalize(&self.dir.join(dir)));
        }
        let file = attribute("source_file")?;
        normalize(&self.dir.join(file))
            .parent()
            .map(Path::to_path_buf)
    }

    /// The Lambda module's `source_path`: a folder, or the first `{ path = .. }` of a list.
    fn module_source(&self, source: &Expression) -> Option<PathBuf> {
        let path = match source {
            Expression::Array(items) => match items.first()? {
                Expression::Object(object) => object
                    .iter()
                    .find(|(k, _)| self.key(k).as_deref() == Some("path"))
                    .and_then(|(_, v)| self.text(v))?,
                other => self.text(other)?,
            },
            other => self.text(other)?,
        };
        let full = normalize(&self.dir.join(path));
        Some(if full.is_file() {
            full.parent()?.to_path_buf()
        } else {
            full
        })
    }

    /// The triggers of the function at `address`: event source mappings, S3 notifications
    /// and SNS subscriptions naming it.
    fn events(&self, address: &str) -> Vec<EventSource> {
        let names_function = |expr: Option<&Expression>| {
            expr.and_then(traversal_path)
                .is_some_and(|path| path.join(".").starts_with(address))
        };
        let mut events = Vec::new();
        for (name, block) in self.of_type("resource", "aws_lambda_event_source_mapping") {
            let attribute = |key: &str| {
                block
                    .body
                    .attributes()
                    .find(|a| a.key.as_str() == key)
                    .map(|a| &a.expr)
            };
            if !names_function(attribute("function_name")) {
                continue;
            }
            let source = attribute("event_source_arn");
            let kind = source
                .and_then(traversal_path)
                .and_then(|path| {
                    MAPPING_KINDS
                        .iter()
                        .find(|(t, _)| path.first() == Some(&t.to_string()))
                        .map(|(_, kind)| *kind)
                })
                .unwrap_or(EventKind::Other);
            events.push(EventSource {
                kind,
                name: format!("aws_lambda_event_source_mapping.{name}"),
                resource: source.map(|e| self.eval(e)),
            });
        }
        for (name, block) in self.of_type("resource", "aws_s3_bucket_notification") {
            let targets = block
                .body
                .blocks()
                .filter(|b| b.identifier.as_str() == "lambda_function")
                .any(|b| {
                    names_function(
                        b.body
                            .attributes()
                            .find(|a| a.key.as_str() == "lambda_function_arn")
                            .map(|a| &a.expr),
                    )
                });
            if targets {
                let bucket = block
                    .body
                    .attributes()
                    .find(|a| a.key.as_str() == "bucket")
                    .map(|a| self.eval(&a.expr));
                events.push(EventSource {
                    kind: EventKind::S3,
                    name: format!("aws_s3_bucket_notification.{name}"),
                    resource: bucket,
                });
            }
        }
        for (name, block) in self.of_type("resource", "aws_sns_topic_subscription") {
            let attribute = |key: &str| {
                block
                    .body
                    .attributes()
                    .find(|a| a.key.as_str() == key)
                    .map(|a| &a.expr)
            };
            if names_function(attribute("endpoint")) {
                events.push(EventSource {
                    kind: EventKind::Sns,
                    name: format!("aws_sns_topic_subscription.{name}"),
                    resource: attribute("topic_arn").map(|e| self.eval(e)),
                });
            }
        }
        events
    }

    /// An expression's static text.
    fn text(&self, expr: &Expression) -> Option<String> {
        match self.eval(expr) {
            Value::Str { value } => Some(value),
            Value::Scalar { value } => Some(value),
            _ => None,
        }
    }

    fn key(&self, key: &ObjectKey) -> Option<String> {
        match key {
            ObjectKey::Identifier(id) => Some(id.to_string()),
            ObjectKey::Expression(expr) => self.text(expr),
            _ => None,
        }
    }

    /// What the configuration states about `expr`.
    fn eval(&self, expr: &Expression) -> Value {
        let depth = self.depth.get();
        if depth >= MAX_DEPTH {
            return Value::Unknown;
        }
        self.depth.set(depth + 1);
        let value = self.eval_inner(expr);
        self.depth.set(depth);
        value
    }

    fn eval_inner(&self, expr: &Expression) -> Value {
        match expr {
            Expression::String(s) => Value::str(s.clone()),
            Expression::Number(n) => Value::Scalar {
                value: n.to_string(),
            },
            Expression::Bool(b) => Value::Scalar {
                value: b.to_string(),
            },
            Expression::Parenthesis(inner) => self.eval(inner),
            Expression::TemplateExpr(template) => {
                let Ok(template) = hcl::Template::from_expr(template) else {
                    return Value::Unknown;
                };
                let mut parts = Vec::new();
                for element in template.elements() {
                    match element {
                        hcl::template::Element::Literal(text) => parts.push(Value::str(text)),
                        hcl::template::Element::Interpolation(i) => parts.push(self.eval(&i.expr)),
                        hcl::template::Element::Directive(_) => return Value::Unknown,
                    }
                }
                Value::concat(parts)
            }
            Expression::Traversal(_) => self.reference(expr),
            _ => Value::Unknown,
        }
    }

    /// `var.x`, `local.x`, `path.module`, `aws_dynamodb_table.orders.name`.
    fn reference(&self, expr: &Expression) -> Value {
        let Some(path) = traversal_path(expr) else {
            return Value::Unknown;
        };
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        match path.as_slice() {
            ["var", name, ..] => self
                .variables
                .get(*name)
                .map(|default| self.eval(default))
                .unwrap_or(Value::Unknown),
            ["local", name, ..] => self
                .locals
                .get(*name)
                .map(|value| self.eval(value))
                .unwrap_or(Value::Unknown),
            // File paths are resolved against the module folder itself.
            ["path", "module" | "root" | "cwd"] => Value::str("."),
            ["data", kind, name, attribute, ..] => self.resource_ref("data", kind, name, attribute),
            [kind, name, attribute, ..] => self.resource_ref("resource", kind, name, attribute),
            _ => Value::Unknown,
        }
    }

    /// A reference to a resource (or data source) of a type the table knows.
    fn resource_ref(&self, block: &str, kind: &str, name: &str, attribute: &str) -> Value {
        let Some((_, cfn_type, name_argument, attributes)) =
            RESOURCE_TYPES.iter().find(|(t, ..)| *t == kind)
        else {
            return Value::Unknown;
        };
        let Some(declared) =
            self.blocks
                .get(&(block.to_string(), kind.to_string(), name.to_string()))
        else {
            return Value::Unknown;
        };
        let Some((_, getatt)) = attributes.iter().find(|(a, _)| *a == attribute) else {
            return Value::Unknown;
        };
        let known = declared
            .body
            .attributes()
            .find(|a| a.key.as_str() == *name_argument)
            .and_then(|a| self.text(&a.expr));
        let prefix = if block == "data" { "data." } else { "" };
        Value::Infra(Box::new(InfraRef {
            logical_id: format!("{prefix}{kind}.{name}"),
            resource_type: (*cfn_type).to_string(),
            attribute: getatt.map(str::to_string),
            known,
        }))
    }
}

/// The Terraform expression for a reference this reader made: `aws_sqs_queue.jobs` with the
/// CloudFormation attribute `QueueName` is `aws_sqs_queue.jobs.name` (`None`: the value `Ref`
/// gives, `aws_dynamodb_table.orders.name`). For the Terraform renderer.
pub fn reference_expression(logical_id: &str, attribute: Option<&str>) -> Option<String> {
    let address = logical_id.strip_prefix("data.").unwrap_or(logical_id);
    let (kind, name) = address.split_once('.')?;
    if name.contains('.') {
        return None;
    }
    let (_, _, _, attributes) = RESOURCE_TYPES.iter().find(|(t, ..)| *t == kind)?;
    let (terraform, _) = attributes.iter().find(|(_, getatt)| *getatt == attribute)?;
    Some(format!("{logical_id}.{terraform}"))
}

/// The nested block `name` of a body (`environment { .. }`).
fn nested<'a>(body: &'a Body, name: &str) -> Option<&'a Body> {
    body.blocks()
        .find(|b| b.identifier.as_str() == name)
        .map(|b| &b.body)
}

/// `aws_sqs_queue.jobs.arn` as `["aws_sqs_queue", "jobs", "arn"]`; indexes are skipped.
fn traversal_path(expr: &Expression) -> Option<Vec<String>> {
    let Expression::Traversal(traversal) = expr else {
        return None;
    };
    let Expression::Variable(root) = &traversal.expr else {
        return None;
    };
    let mut path = vec![root.to_string()];
    for operator in &traversal.operators {
        if let TraversalOperator::GetAttr(id) = operator {
            path.push(id.to_string());
        }
    }
    Some(path)
}

/// Two relative paths naming the same file (`./build/x.zip` and `build/x.zip`).
fn same_path(a: &str, b: &str) -> bool {
    let clean = |p: &str| normalize(Path::new(p.trim_start_matches("./")));
    clean(a) == clean(b)
}
