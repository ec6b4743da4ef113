//! Infrastructure written in code: CDK apps without `cdk.out` (TypeScript and Python) and
//! `serverless.ts`. Expectations written from the constructs' documented props and the
//! CloudFormation return values (`Ref` of a table is its name, of a queue its URL).

use std::path::PathBuf;

use super::tests::project;
use super::*;
use crate::value::InfraRef;

fn infra(id: &str, resource_type: &str, attribute: Option<&str>, known: Option<&str>) -> Value {
    Value::Infra(InfraRef {
        logical_id: id.into(),
        resource_type: resource_type.into(),
        attribute: attribute.map(Into::into),
        known: known.map(Into::into),
    })
}

fn named<'a>(found: &'a Discovery, name: &str) -> &'a FunctionSpec {
    let names: Vec<&str> = found.functions.iter().map(|f| f.name.as_str()).collect();
    found
        .functions
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no function {name} in {names:?}"))
}

fn entry(file: &str, function: &str) -> Entry {
    Entry {
        file: file.into(),
        function: Some(function.into()),
    }
}

const CDK_JSON: &str = r#"{ "app": "npx ts-node bin/app.ts" }"#;

const TS_STACK: &str = r#"import * as path from 'path';
import * as cdk from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';

const STAGE = 'dev';

export class AppStack extends cdk.Stack {
  private readonly bucket: s3.Bucket;
  constructor(scope: cdk.App, id: string, props: any) {
    super(scope, id);
    const table = new dynamodb.Table(this, 'Orders', { tableName: `orders-${STAGE}` });
    const queue = new sqs.Queue(this, 'Jobs', {});
    this.bucket = new s3.Bucket(this, 'Files', { bucketName: 'files-bucket' });
    const shared = { LOG_LEVEL: 'info' };

    const worker = new lambda.Function(this, 'Worker', {
      runtime: lambda.Runtime.PYTHON_3_12,
      handler: 'jobs.worker.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, '../functions')),
      environment: {
        ...shared,
        TABLE: table.tableName,
        TABLE_ARN: table.tableArn,
        QUEUE_URL: queue.queueUrl,
        BUCKET: this.bucket.bucketName,
        OTHER: props.otherTable.tableName,
      },
      tracing: lambda.Tracing.ACTIVE,
    });
    worker.addEnvironment('EXTRA', 'x');
    worker.addEventSource(new SqsEventSource(queue, { batchSize: 5 }));

    new NodejsFunction(this, 'Api', { entry: 'src/api.ts', handler: 'main' });
    new lambda.Function(this, 'Inline', {
      runtime: lambda.Runtime.NODEJS_20_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
    });
    new cloudfront.Function(this, 'Edge', { code: cloudfront.FunctionCode.fromInline('') });
  }
}
"#;

#[test]
fn cdk_typescript_app_without_cdk_out() {
    let dir = project(&[
        ("cdk.json", CDK_JSON),
        ("lib/app-stack.ts", TS_STACK),
        (
            "functions/jobs/worker.py",
            "def handler(event, context):\n    pass\n",
        ),
        ("src/api.ts", "export const main = async () => {};\n"),
    ]);
    let found = discover_all(dir.path(), &[]).expect("discover");
    let names: Vec<&str> = found.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["Api", "Worker"]);

    let worker = named(&found, "Worker");
    assert_eq!(worker.entry, entry("functions/jobs/worker.py", "handler"));
    assert_eq!(worker.language, Language::Python);
    assert_eq!(worker.runtime.as_deref(), Some("python3.12"));
    assert_eq!(worker.declared_in, "lib/app-stack.ts");
    assert_eq!(worker.line, 21);
    assert!(worker.tracing);
    let table = "AWS::DynamoDB::Table";
    let expected: BTreeMap<String, Value> = [
        ("LOG_LEVEL", Value::str("info")),
        ("TABLE", infra("Orders", table, None, Some("orders-dev"))),
        (
            "TABLE_ARN",
            infra("Orders", table, Some("Arn"), Some("orders-dev")),
        ),
        ("QUEUE_URL", infra("Jobs", "AWS::SQS::Queue", None, None)),
        (
            "BUCKET",
            infra("Files", "AWS::S3::Bucket", None, Some("files-bucket")),
        ),
        ("OTHER", Value::Unknown),
        ("EXTRA", Value::str("x")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(worker.env, expected);
    assert_eq!(worker.events.len(), 1);
    assert_eq!(worker.events[0].kind, EventKind::Sqs);
    assert_eq!(
        worker.events[0].resource,
        Some(infra("Jobs", "AWS::SQS::Queue", Some("Arn"), None))
    );

    let api = named(&found, "Api");
    assert_eq!(api.entry, entry("src/api.ts", "main"));
    assert_eq!(api.language, Language::TypeScript);

    let messages: Vec<&str> = found
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`Inline` skipped") && m.contains("Code.fromAsset")),
        "{messages:?}"
    );
    assert!(messages.iter().any(|m| m.contains("run `cdk synth`")));
}

#[test]
fn cdk_python_app_without_cdk_out() {
    let stack = r#"import os
from aws_cdk import Stack, aws_lambda as _lambda, aws_dynamodb as dynamodb, aws_sns as sns
from aws_cdk.aws_lambda_python_alpha import PythonFunction

LAMBDA_DIR = os.path.join(os.path.dirname(__file__), "..", "lambda")


class Api(Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        self.table = dynamodb.Table(self, "Items", table_name="items")
        topic = sns.Topic(self, "Alerts", topic_name=f"alerts-{construct_id}")
        fn = _lambda.Function(
            self,
            "ApiFunction",
            runtime=_lambda.Runtime.PYTHON_3_11,
            handler="app.handler",
            code=_lambda.Code.from_asset(LAMBDA_DIR),
            environment={"TABLE_NAME": self.table.table_name, "MODE": "prod"},
        )
        fn.add_environment("TOPIC_ARN", topic.topic_arn)
        PythonFunction(self, "Report", entry="report", index="main.py")
"#;
    let dir = project(&[
        ("cdk.json", r#"{ "app": "python3 app.py" }"#),
        ("stacks/api.py", stack),
        ("lambda/app.py", "def handler(event, context):\n    pass\n"),
        ("report/main.py", "def handler(event, context):\n    pass\n"),
    ]);
    let found = discover_all(dir.path(), &[]).expect("discover");
    let function = named(&found, "ApiFunction");
    assert_eq!(function.entry, entry("lambda/app.py", "handler"));
    assert_eq!(function.runtime.as_deref(), Some("python3.11"));
    assert_eq!(function.line, 13);
    let expected: BTreeMap<String, Value> = [
        (
            "TABLE_NAME",
            infra("Items", "AWS::DynamoDB::Table", None, Some("items")),
        ),
        ("MODE", Value::str("prod")),
        ("TOPIC_ARN", infra("Alerts", "AWS::SNS::Topic", None, None)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(function.env, expected);
    let report = named(&found, "Report");
    assert_eq!(report.entry, entry("report/main.py", "handler"));
}

#[test]
fn cdk_out_wins_over_the_app_source() {
    let dir = project(&[
        ("cdk.json", CDK_JSON),
        ("lib/app-stack.ts", TS_STACK),
        ("cdk.out/App.template.json", r#"{"Resources": {}}"#),
    ]);
    let found = discover_all(dir.path(), &[]).expect("discover");
    assert!(found.functions.is_empty());
    assert!(!found.files.contains(&"cdk.json".to_string()));
}

#[test]
fn cdk_app_without_readable_constructs_says_to_synth() {
    let dir = project(&[
        ("cdk.json", CDK_JSON),
        (
            "bin/app.ts",
            "import * as cdk from 'aws-cdk-lib';\nconst app = new cdk.App();\n",
        ),
    ]);
    let found = discover_all(dir.path(), &[]).expect("discover");
    assert!(found.functions.is_empty());
    assert_eq!(found.diagnostics.len(), 1);
    assert_eq!(
        found.diagnostics[0].message,
        "found cdk.json but no cdk.out: run `cdk synth` for exact results"
    );
}

#[test]
fn serverless_ts_template_with_imported_functions() {
    let config = r#"import type { AWS } from '@serverless/typescript';
import hello from '@functions/hello';
import { worker } from './src/functions';

const region = 'eu-west-1';
const serverlessConfiguration: AWS = {
  service: 'greeter',
  provider: {
    name: 'aws',
    runtime: 'nodejs18.x',
    region,
    environment: { TABLE: '${self:service}-${self:provider.stage, "dev"}-items', REGION: region },
  },
  functions: { hello, worker },
};

module.exports = serverlessConfiguration;
"#;
    let hello = r#"import { handlerPath } from '@libs/handler-resolver';
export default {
  handler: `${handlerPath(__dirname)}/handler.main`,
  environment: { GREETING: `hi \${self:service}` },
};
"#;
    let dir = project(&[
        ("serverless.ts", config),
        (
            "tsconfig.json",
            r#"{ "compilerOptions": { "baseUrl": ".", "paths": { "@functions/*": ["src/functions/*"], "@libs/*": ["src/libs/*"] } } }"#,
        ),
        ("src/functions/hello/index.ts", hello),
        (
            "src/functions/hello/handler.ts",
            "export const main = async () => {};\n",
        ),
        (
            "src/functions/index.ts",
            "export { default as worker } from './worker';\n",
        ),
        (
            "src/functions/worker/index.ts",
            "export default { handler: 'src/functions/worker/handler.run' };\n",
        ),
        (
            "src/functions/worker/handler.ts",
            "export const run = async () => {};\n",
        ),
    ]);
    let found = discover_all(dir.path(), &[]).expect("discover");
    let hello = named(&found, "hello");
    assert_eq!(hello.entry, entry("src/functions/hello/handler.ts", "main"));
    assert_eq!(
        hello.env.get("TABLE"),
        Some(&Value::str("greeter-dev-items"))
    );
    assert_eq!(hello.env.get("REGION"), Some(&Value::str("eu-west-1")));
    assert_eq!(hello.env.get("GREETING"), Some(&Value::str("hi greeter")));
    assert_eq!(hello.function_name, Value::str("greeter-dev-hello"));
    let worker = named(&found, "worker");
    assert_eq!(
        worker.entry,
        entry("src/functions/worker/handler.ts", "run")
    );
    assert!(found.diagnostics.is_empty(), "{:?}", found.diagnostics);
}

#[test]
fn serverless_file_loaded_into_custom_is_read_by_path() {
    let yml = "service: users
custom:
  stage: ${opt:stage, self:provider.stage}
  config: ${file(./config/${self:custom.stage}.yml)}
  alias: ${self:custom.config}
provider:
  name: aws
  runtime: python3.11
  stage: dev
  environment:
    BUCKET: ${self:custom.config.avatarBucket}
    VIA_ALIAS: ${self:custom.alias.avatarBucket}-x
    MISSING: ${self:custom.config.nothing}
    PARAM: ${ssm:/users/key}
functions:
  upload:
    handler: app.handler
";
    let dir = project(&[
        ("serverless.yml", yml),
        ("config/dev.yml", "avatarBucket: avatars-dev\n"),
        ("app.py", "def handler(event, context):\n    pass\n"),
    ]);
    let found = discover_all(dir.path(), &[]).expect("discover");
    let upload = named(&found, "upload");
    assert_eq!(upload.env.get("BUCKET"), Some(&Value::str("avatars-dev")));
    assert_eq!(
        upload.env.get("VIA_ALIAS"),
        Some(&Value::str("avatars-dev-x"))
    );
    assert_eq!(upload.env.get("MISSING"), Some(&Value::Unknown));
    assert_eq!(upload.env.get("PARAM"), Some(&Value::Unknown));
    let messages: Vec<&str> = found
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "variable `${self:custom.config.nothing}` resolves to nothing in the configuration files; its value is unknown"
        ]
    );
}

const CHALICE_APP: &str = r#"import boto3
from chalice import Chalice

app = Chalice(app_name="notes")
_S3 = boto3.client("s3")
_SQS = boto3.client("sqs")


@app.route("/notes", methods=["GET"])
def list_notes():
    return _S3.list_objects_v2(Bucket="notes-index")


@app.on_s3_event(bucket="notes-attachments", events=["s3:ObjectCreated:*"])
def on_attachment(event):
    return _S3.head_object(Bucket=event.bucket, Key=event.key)


@app.on_sqs_message(queue="jobs", batch_size=5)
def on_job(event):
    pass


@app.lambda_function(name="worker")
def custom(event, context):
    _SQS.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/1/out", MessageBody="x")
"#;

#[test]
fn chalice_app_functions_and_stage_environment() {
    let config = r#"{
  "version": "2.0",
  "app_name": "notes",
  "environment_variables": { "LEVEL": "info", "TABLE": "global" },
  "stages": {
    "dev": {
      "environment_variables": { "TABLE": "notes-dev" },
      "xray": true,
      "lambda_functions": { "on_job": { "environment_variables": { "JOB": "1" } } }
    },
    "prod": { "environment_variables": { "TABLE": "notes-prod" } }
  }
}"#;
    let dir = project(&[(".chalice/config.json", config), ("app.py", CHALICE_APP)]);
    let found = discover_all(dir.path(), &[]).expect("discover");
    let names: Vec<&str> = found.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["api_handler", "on_attachment", "on_job", "worker"]);

    let api = named(&found, "api_handler");
    assert_eq!(api.entry, entry("app.py", "@app.route"));
    assert_eq!(api.function_name, Value::str("notes-dev"));
    assert_eq!(api.line, 10);
    assert!(api.tracing);
    assert_eq!(api.env.get("TABLE"), Some(&Value::str("notes-dev")));
    assert_eq!(api.env.get("LEVEL"), Some(&Value::str("info")));
    assert_eq!(api.env.get("JOB"), None);
    assert!(api.events.is_empty());

    let attachment = named(&found, "on_attachment");
    assert_eq!(attachment.entry, entry("app.py", "on_attachment"));
    assert_eq!(
        attachment.function_name,
        Value::str("notes-dev-on_attachment")
    );
    assert_eq!(attachment.events.len(), 1);
    assert_eq!(attachment.events[0].kind, EventKind::S3);
    assert_eq!(
        attachment.events[0].resource,
        Some(Value::str("notes-attachments"))
    );

    let job = named(&found, "on_job");
    assert_eq!(job.env.get("JOB"), Some(&Value::str("1")));
    assert_eq!(job.events[0].kind, EventKind::Sqs);
    assert_eq!(job.events[0].resource, Some(Value::str("jobs")));

    let worker = named(&found, "worker");
    assert_eq!(worker.entry, entry("app.py", "custom"));
    assert_eq!(worker.function_name, Value::str("notes-dev-worker"));
}

#[test]
fn routed_app_entry_reaches_only_the_routes() {
    let dir = project(&[("app.py", CHALICE_APP)]);
    let ctx = crate::project::Context::new(dir.path().canonicalize().expect("root"));
    let facts = crate::analyze(&ctx, Language::Python, &entry("app.py", "@app.route"));
    let calls: Vec<(String, u32)> = facts
        .calls
        .iter()
        .map(|c| (format!("{:?}", c.operation), c.location.line))
        .collect();
    assert_eq!(calls, [("Method(\"list_objects_v2\")".to_string(), 11)]);
}

#[test]
fn zappa_stages_with_extends_and_event_functions() {
    let settings = r#"{
  "base": {
    "app_function": "api.app.app",
    "project_name": "uploads",
    "runtime": "python3.11",
    "environment_variables": { "BUCKET": "uploads-dev" }
  },
  "production": {
    "extends": "base",
    "environment_variables": { "BUCKET": "uploads-prod" },
    "aws_environment_variables": { "TABLE": "jobs" },
    "events": [
      { "function": "api.tasks.cleanup", "expression": "rate(1 day)" },
      { "function": "api.tasks.on_upload",
        "event_source": { "arn": "arn:aws:s3:::uploads-prod", "events": ["s3:ObjectCreated:*"] } }
    ]
  }
}"#;
    let dir = project(&[
        ("service/zappa_settings.json", settings),
        (
            "service/api/app.py",
            "from flask import Flask\napp = Flask(__name__)\n",
        ),
        ("service/api/tasks.py", "def cleanup(e, c):\n    pass\n"),
    ]);
    let found = discover_all(dir.path(), &[]).expect("discover");
    let names: Vec<&str> = found.functions.iter().map(|f| f.name.as_str()).collect();
    // One Lambda per stage: the event functions run in it, with its role.
    assert_eq!(names, ["base", "production"]);
    let production = named(&found, "production");
    assert_eq!(production.entry, entry("service/api/app.py", "app"));
    assert_eq!(
        production.also_runs,
        [
            entry("service/api/tasks.py", "cleanup"),
            entry("service/api/tasks.py", "on_upload")
        ]
    );
    assert_eq!(production.function_name, Value::str("uploads-production"));
    assert_eq!(
        production.env.get("BUCKET"),
        Some(&Value::str("uploads-prod"))
    );
    assert_eq!(production.env.get("TABLE"), Some(&Value::str("jobs")));
    assert_eq!(production.runtime.as_deref(), Some("python3.11"));
    assert_eq!(production.search_paths, [PathBuf::from("service")]);
    let kinds: Vec<EventKind> = production.events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::S3, EventKind::Schedule]);
    assert_eq!(
        production.events[0].resource,
        Some(Value::str("arn:aws:s3:::uploads-prod"))
    );
    assert!(named(&found, "base").also_runs.is_empty());
}
