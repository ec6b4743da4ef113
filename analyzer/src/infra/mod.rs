//! Infrastructure: the functions a project deploys, from serverless.yml, SAM/CloudFormation
//! templates and CDK output, with each function's handler and environment bindings.
//!
//! Data flow: [`discovery`] finds the infrastructure files (or takes `--template`s);
//! [`document`] loads YAML/JSON keeping CloudFormation tags; [`serverless`] (with
//! [`variables`]), [`cloudformation`] and [`cdk`] read the functions, evaluating intrinsics
//! through [`intrinsics`] into [`Value`]s; [`handler`] maps handler strings to entries.

mod cdk;
mod cdk_python;
mod cdk_source;
mod cdk_typescript;
mod chalice;
mod cloudformation;
mod discovery;
mod document;
mod event_values;
mod handler;
mod intrinsics;
pub(crate) mod physical_names;
mod serverless;
mod serverless_ts;
mod terraform;
mod ts_literal;
mod variables;
mod zappa;

pub use event_values::event_values;
pub use terraform::reference_expression as terraform_reference;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use thiserror::Error;

use crate::diagnostics::Diagnostic;
use crate::project::{Entry, Language};
use crate::value::Value;

/// One deployed function as the infrastructure declares it.
#[derive(Debug, Clone, Serialize)]
pub struct FunctionSpec {
    /// The function's name in the infrastructure file (logical id or `functions:` key).
    pub name: String,
    pub runtime: Option<String>,
    pub language: Language,
    pub entry: Entry,
    /// Further entry points that run in the same Lambda with the same role (Zappa's
    /// scheduled and event functions beside the WSGI app): their calls count too.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_runs: Vec<Entry>,
    /// Environment variables, bound to literals or infrastructure references.
    pub env: BTreeMap<String, Value>,
    /// Import search folders (layers, source roots), relative to the project root.
    pub search_paths: Vec<PathBuf>,
    /// The infrastructure file that declares the function, relative to the root.
    pub declared_in: String,
    /// 1-based line of the function's declaration in `declared_in` (0 when unknown).
    pub line: u32,
    /// The deployed function name: a literal when the infrastructure states or implies it
    /// (`FunctionName`, Serverless `service-stage-fn`), else an [`crate::InfraRef`] to the
    /// function resource.
    pub function_name: Value,
    /// The CloudWatch log group the function writes to (`/aws/lambda/<name>` unless
    /// `LoggingConfig.LogGroup` says otherwise).
    pub log_group: Value,
    /// What invokes the function: queues and streams it polls, buckets and topics that push.
    pub events: Vec<EventSource>,
    /// X-Ray active tracing (`Tracing: Active`, `tracing.lambda: true`).
    pub tracing: bool,
    /// A VPC configuration is present (the function needs ENI permissions).
    pub vpc: bool,
    /// Dead-letter queues and asynchronous invocation destinations.
    pub destinations: Vec<Destination>,
    /// Customer KMS keys the function's data passes through: the environment's key and the
    /// keys of resources the function references (bucket encryption, table SSE, queue key).
    pub kms_keys: Vec<KmsKey>,
    /// The execution role, when the infrastructure says which one.
    pub role: Option<RoleSpec>,
    /// Permissions the infrastructure already declares for the role, kept raw for `diff`.
    pub policies: Vec<DeclaredPolicy>,
    /// Local layer contents attached to the function, relative to the root.
    pub layers: Vec<String>,
}

/// A service that invokes the function, with the resource it reads from or listens to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct EventSource {
    pub kind: EventKind,
    /// The event's name in the template (SAM event key, `functions.x.events[i]` index).
    pub name: String,
    /// The queue, stream, bucket, topic, schedule expression or API the event names.
    pub resource: Option<Value>,
}

/// Event source kinds. The pollers (SQS, streams, MQ, Kafka) need permissions on the
/// function's role; the pushers (S3, SNS, schedules, APIs) need none there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    Sqs,
    DynamodbStream,
    KinesisStream,
    Kafka,
    Mq,
    S3,
    Sns,
    Schedule,
    EventBridge,
    Api,
    HttpApi,
    Websocket,
    Alb,
    CloudwatchLogs,
    Cognito,
    Iot,
    Other,
}

/// Where failed (or successful) asynchronous invocations go.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Destination {
    pub kind: DestinationKind,
    /// `sqs`, `sns`, `lambda`, `eventbridge`, `s3`, or `unknown` when the target type is not stated.
    pub target_type: String,
    pub target: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DestinationKind {
    DeadLetter,
    OnFailure,
    OnSuccess,
}

/// A KMS key the function may need: `source` is `environment` for the function's own
/// `KmsKeyArn`, else the logical id of the resource whose encryption names the key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct KmsKey {
    pub source: String,
    pub key: Value,
}

/// The function's execution role.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RoleSpec {
    /// Created by the framework for this function alone (SAM's `<Function>Role`).
    Generated { logical_id: String },
    /// Created by the framework and shared by every function of the service (Serverless
    /// `IamRoleLambdaExecution`).
    Shared { logical_id: String },
    /// An `AWS::IAM::Role` resource of the template.
    Resource { logical_id: String },
    /// A role the infrastructure names but does not declare (an ARN, a name, an import).
    External { role: Value },
}

/// A permission declaration found in the infrastructure, kept as written (intrinsics in
/// their long JSON form: `{"Ref": ..}`, `{"Fn::GetAtt": ..}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum DeclaredPolicy {
    /// IAM statements: `iamRoleStatements`, `Policies: - Statement:`, role inline policies,
    /// `AWS::IAM::Policy` documents attached to the role.
    Statements {
        source: String,
        statements: serde_json::Value,
    },
    /// A SAM policy template by name with its parameters (`DynamoDBCrudPolicy: {TableName: ..}`).
    SamTemplate {
        name: String,
        parameters: serde_json::Value,
    },
    /// A managed policy: an ARN or an AWS managed policy name (`AWSLambdaBasicExecutionRole`).
    Managed { policy: serde_json::Value },
    /// A SAM connector from the function to another resource (`AWS::Serverless::Connector`,
    /// or `Connectors` embedded in the function's resource): SAM grants the role the
    /// statements of its connector profile for the destination's type and `Permissions`.
    Connector {
        /// The connector's name as written (its logical id, or its key under `Connectors`).
        name: String,
        /// The destination's CloudFormation type (SAM types translated), as SAM's profiles
        /// are keyed.
        destination_type: String,
        /// The destination's logical id when it is given by `Id`.
        destination_id: Option<String>,
        /// The destination as written when given without `Id` (`Type`, `Arn`, `Name` ...).
        destination: serde_json::Value,
        /// `Read`, `Write`.
        permissions: Vec<String>,
    },
}

/// What discovery found: the functions, and warnings about the files it read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Discovery {
    pub functions: Vec<FunctionSpec>,
    /// Infrastructure files read, relative to the root, sorted.
    pub files: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Error)]
pub enum InfraError {
    #[error("{file}:{line}: {message}")]
    Invalid {
        file: String,
        line: u32,
        message: String,
    },
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
}

/// Finds the infrastructure files in `root` (or reads `templates`) and returns every
/// function they declare, sorted by name.
pub fn discover(root: &Path, templates: &[PathBuf]) -> Result<Vec<FunctionSpec>, InfraError> {
    discover_all(root, templates).map(|found| found.functions)
}

/// Like [`discover`], with the files read and the warnings about them.
///
/// Explicit `templates` that cannot be read or parsed are errors. Discovered files are
/// errors too when their name says they are infrastructure (`serverless.yml`,
/// `template.yaml`, `cdk.out/*.template.json`); other YAML/JSON files are only read when
/// they declare a Lambda function, and skipped with a warning when malformed.
pub fn discover_all(root: &Path, templates: &[PathBuf]) -> Result<Discovery, InfraError> {
    discover_for(root, templates, &Deployment::default())
}

/// What the deploy command would be told, where the infrastructure leaves a choice to it.
#[derive(Debug, Clone, Default)]
pub struct Deployment {
    /// `--stage`: the Serverless stage (`${opt:stage}`, `${sls:stage}`, over
    /// `provider.stage`), the Chalice stage (else `dev`), the one Zappa stage read (else all).
    pub stage: Option<String>,
}

/// Like [`discover_all`], for the deployment `deployment` describes.
pub fn discover_for(
    root: &Path,
    templates: &[PathBuf],
    deployment: &Deployment,
) -> Result<Discovery, InfraError> {
    // Absolute and without symlinks, so containment checks and relative paths are exact.
    let canonical = root.canonicalize().map_err(|source| InfraError::Io {
        file: root.display().to_string(),
        source,
    })?;
    let root = canonical.as_path();
    let files = if templates.is_empty() {
        discovery::find(root)
    } else {
        templates
            .iter()
            .map(|path| discovery::explicit(root, path))
            .collect::<Result<Vec<_>, _>>()?
    };
    let mut found = Discovery::default();
    for file in &files {
        found.files.push(file.rel.clone());
        let result = match file.kind {
            discovery::Kind::Serverless => serverless::read(root, file, deployment),
            discovery::Kind::CloudFormation => cloudformation::read(root, file),
            discovery::Kind::CdkTemplate => cdk::read(root, file),
            discovery::Kind::ServerlessCode => serverless_ts::read(root, file, deployment),
            discovery::Kind::CdkApp => cdk_source::read(root, file),
            discovery::Kind::Chalice => chalice::read(root, file, deployment),
            discovery::Kind::Zappa => zappa::read(root, file, deployment),
            discovery::Kind::Terraform => terraform::read(root, file),
        };
        match result {
            Ok(read) => {
                found.functions.extend(read.functions);
                found.diagnostics.extend(read.diagnostics);
            }
            Err(error) if file.required => return Err(error),
            // A stage asked for by name that the Zappa settings lack is the user's error.
            Err(error) if deployment.stage.is_some() && file.kind == discovery::Kind::Zappa => {
                return Err(error);
            }
            Err(error) => found.diagnostics.push(error.into_diagnostic()),
        }
    }
    disambiguate(&mut found.functions);
    found
        .functions
        .sort_by(|a, b| (&a.name, &a.declared_in).cmp(&(&b.name, &b.declared_in)));
    found.files.sort();
    found.files.dedup();
    found.diagnostics.sort();
    found.diagnostics.dedup();
    Ok(found)
}

/// What one infrastructure file declares.
#[derive(Debug, Default)]
pub(crate) struct FileFunctions {
    pub functions: Vec<FunctionSpec>,
    pub diagnostics: Vec<Diagnostic>,
}

impl InfraError {
    pub(crate) fn invalid(file: &str, line: u32, message: impl Into<String>) -> Self {
        InfraError::Invalid {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }

    fn into_diagnostic(self) -> Diagnostic {
        match self {
            InfraError::Invalid {
                file,
                line,
                message,
            } => Diagnostic::warning(file, line, format!("skipped: {message}")),
            InfraError::Io { file, source } => {
                Diagnostic::warning(file, 0, format!("skipped: {source}"))
            }
        }
    }
}

/// Two files of a monorepo may declare functions of the same name; such names are
/// qualified with their file (`services/orders/serverless.yml:create`) so each function's
/// name stays unique in the output.
fn disambiguate(functions: &mut [FunctionSpec]) {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for function in functions.iter() {
        *counts.entry(function.name.clone()).or_default() += 1;
    }
    for function in functions.iter_mut() {
        if counts.get(&function.name).copied().unwrap_or(0) > 1 {
            function.name = format!("{}:{}", function.declared_in, function.name);
        }
    }
}

#[cfg(test)]
mod code_tests;
#[cfg(test)]
mod tests;
