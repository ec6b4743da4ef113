//! Fact-level tests on the fixtures under `fixtures/javascript` and `fixtures/typescript`.
//! Each expectation is written by hand from the fixture's source: one line per fact,
//! `file:line sdk service operation via args`.

use std::path::PathBuf;

use crate::facts::{Operation, Sdk, Via};
use crate::value::Value;
use crate::{Context, Entry, FunctionFacts};

fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(path)
}

fn run(dir: &str, file: &str, function: Option<&str>) -> FunctionFacts {
    let ctx = Context::new(fixture(dir));
    run_with(ctx, file, function)
}

fn run_with(ctx: Context, file: &str, function: Option<&str>) -> FunctionFacts {
    super::analyze(
        &ctx,
        &Entry {
            file: file.to_string(),
            function: function.map(str::to_string),
        },
    )
}

fn value(v: &Value) -> String {
    match v {
        Value::Str { value } => format!("{value:?}"),
        Value::Scalar { value } => value.clone(),
        Value::Env { name, default } => match default {
            Some(d) => format!("env({name}|{})", value(d)),
            None => format!("env({name})"),
        },
        Value::Infra(r) => format!("infra({})", r.logical_id),
        Value::Concat { parts } => parts.iter().map(value).collect::<Vec<_>>().join("+"),
        Value::List { items } => format!(
            "[{}]",
            items.iter().map(value).collect::<Vec<_>>().join(",")
        ),
        Value::Map { entries } => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{k}:{}", value(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        Value::Unknown => "?".into(),
    }
}

/// One line per fact, in the canonical order.
fn lines(facts: &FunctionFacts) -> Vec<String> {
    facts
        .calls
        .iter()
        .map(|c| {
            let sdk = match c.client.sdk {
                Sdk::JsV2 => "v2",
                Sdk::JsV3 => "v3",
                Sdk::Boto3 => "boto3",
                Sdk::Rust => "rust",
            };
            let op = match &c.operation {
                Operation::Method(m) => m.clone(),
                Operation::Waiter(w) => format!("waiter:{w}"),
            };
            let via = match c.via {
                Via::Call => "call",
                Via::Paginator => "paginator",
                Via::Waiter => "waiter",
                Via::Presign => "presign",
                Via::Helper => "helper",
                Via::Library => "library",
            };
            let args: Vec<String> = c
                .args
                .iter()
                .map(|(k, v)| format!("{k}={}", value(v)))
                .collect();
            format!(
                "{}:{} {sdk} {} {op} {via} {}",
                c.location.file,
                c.location.line,
                c.client.service,
                args.join(" ")
            )
            .trim_end()
            .to_string()
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn unresolved(facts: &FunctionFacts) -> Vec<String> {
    facts
        .unresolved
        .iter()
        .map(|u| format!("{}:{} {}", u.location.file, u.location.line, u.why))
        .collect()
}

fn sorted(expected: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    v.sort();
    v.dedup();
    v
}

#[test]
fn v2_clients_callbacks_promises_and_s3_helpers() {
    let facts = run("javascript/v2-callbacks", "handler.js", Some("handler"));
    let upload = "Body=? Bucket=\"reports-bucket\" Key=\"latest.csv\"";
    assert_eq!(
        lines(&facts),
        sorted(&[
            "handler.js:10 v2 S3 putObject call Body=? Bucket=env(UPLOAD_BUCKET) Key=\"archive/\"+?",
            "handler.js:12 v2 SQS sendMessage call MessageBody=? QueueUrl=env(QUEUE_URL)",
            "handler.js:17 v2 S3 getObject call Bucket=env(UPLOAD_BUCKET) Key=?",
            &format!("handler.js:18 v2 S3 putObject helper {upload}"),
            &format!("handler.js:18 v2 S3 createMultipartUpload helper {upload}"),
            &format!("handler.js:18 v2 S3 uploadPart helper {upload}"),
            &format!("handler.js:18 v2 S3 completeMultipartUpload helper {upload}"),
            &format!("handler.js:18 v2 S3 abortMultipartUpload helper {upload}"),
            "handler.js:19 v2 S3 getObject presign Bucket=env(UPLOAD_BUCKET) Expires=60 Key=\"public/readme.txt\"",
            "handler.js:20 v2 S3 putObject presign Bucket=env(UPLOAD_BUCKET) Key=\"incoming/upload.bin\"",
        ])
    );
    assert!(facts.unresolved.is_empty(), "{:?}", facts.unresolved);
    let archive = facts
        .calls
        .iter()
        .find(|c| c.location.line == 10)
        .expect("putObject in archive");
    let chain: Vec<(&str, u32)> = archive
        .chain
        .iter()
        .map(|s| (s.function.as_str(), s.at.line))
        .collect();
    assert_eq!(
        chain,
        vec![("handler", 21), ("<anonymous>", 22), ("archive", 10)]
    );
}

#[test]
fn v2_document_client_per_handler() {
    let dir = "javascript/v2-documentclient";
    let create = run(dir, "app.js", Some("create"));
    assert_eq!(
        lines(&create),
        sorted(&[
            "app.js:10 v2 DynamoDB putItem call Item=? TableName=env(ORDERS_TABLE|\"orders-dev\")",
            "app.js:12 v2 DynamoDB putItem call Item={action:\"create\",id:?} TableName=env(AUDIT_TABLE|\"audit-dev\")",
        ])
    );
    let get = run(dir, "app.js", Some("get"));
    assert_eq!(
        lines(&get),
        sorted(&[
            "app.js:24 v2 DynamoDB getItem call Key={id:?} TableName=env(ORDERS_TABLE|\"orders-dev\")"
        ])
    );
    let list = run(dir, "app.js", Some("list"));
    assert_eq!(
        lines(&list),
        sorted(&[
            "app.js:32 v2 DynamoDB query call IndexName=\"byStatus\" KeyConditionExpression=\"#s = :s\" TableName=env(ORDERS_TABLE|\"orders-dev\")",
            "app.js:33 v2 DynamoDB batchWriteItem call RequestItems=?",
            "app.js:34 v2 DynamoDB transactWriteItems call TransactItems=[]",
        ])
    );
}

#[test]
fn v3_commands_built_inline_earlier_and_from_namespaces() {
    let facts = run("javascript/v3-commands", "index.mjs", Some("handler"));
    assert_eq!(
        lines(&facts),
        sorted(&[
            "index.mjs:17 v3 client-s3 GetObjectCommand call Bucket=env(BUCKET) Key=?",
            "index.mjs:21 v3 client-s3 PutObjectCommand call Body=? Bucket=env(BUCKET) Key=\"copies/\"+?",
            "index.mjs:23 v3 client-s3 ListObjectsV2Command paginator Bucket=env(BUCKET) Prefix=\"copies/\"",
            "index.mjs:27 v3 client-sqs SendMessageCommand call MessageBody=? QueueUrl=env(QUEUE_URL)",
            "index.mjs:28 v3 client-sns PublishCommand call Message=\"copied\" TopicArn=env(TOPIC_ARN)",
            "index.mjs:29 v3 client-dynamodb waiter:waitUntilTableExists waiter TableName=\"jobs\"",
            "index.mjs:30 v3 client-secrets-manager getSecretValue call SecretId=\"prod/api-key\"",
        ])
    );
    assert!(facts.unresolved.is_empty(), "{:?}", facts.unresolved);
}

#[test]
fn v3_lib_dynamodb_commands_and_aggregated_document() {
    let dir = "javascript/v3-lib-dynamodb";
    let handler = run(dir, "handler.ts", Some("handler"));
    assert_eq!(
        lines(&handler),
        sorted(&[
            "handler.ts:22 v3 client-dynamodb GetItemCommand call Key={pk:?} TableName=env(TABLE_NAME)",
            "handler.ts:27 v3 client-dynamodb PutItemCommand call Item={pk:?} TableName=env(TABLE_NAME)",
            "handler.ts:28 v3 client-dynamodb UpdateItemCommand call Key={pk:\"counter\"} TableName=env(TABLE_NAME) UpdateExpression=\"ADD #n :one\"",
            "handler.ts:49 v3 client-dynamodb QueryCommand call IndexName=\"status-index\" KeyConditionExpression=\"#s = :s\" TableName=env(TABLE_NAME)",
        ])
    );
    let cleanup = run(dir, "handler.ts", Some("cleanup"));
    assert_eq!(
        lines(&cleanup),
        sorted(&[
            "handler.ts:38 v3 client-dynamodb deleteItem call Key={pk:?} TableName=env(TABLE_NAME)",
            "handler.ts:39 v3 client-dynamodb TransactWriteItemsCommand call TransactItems=[{Delete:{Key:{pk:?},TableName:env(TABLE_NAME)}}]",
            "handler.ts:60 v3 client-dynamodb ScanCommand paginator TableName=env(TABLE_NAME)",
            "handler.ts:65 v3 client-dynamodb DeleteItemCommand call Key={pk:\"counter\"} TableName=env(TABLE_NAME)",
        ])
    );
}

#[test]
fn v3_lib_storage_upload_and_presigners() {
    let dir = "javascript/v3-upload-presign";
    let bucket = "Bucket=env(MEDIA_BUCKET|\"media-dev\")";
    let upload = run(dir, "app.js", Some("upload"));
    let members = format!("Body=? {bucket} Key=\"uploads/\"+?");
    let expected: Vec<String> = [
        "PutObjectCommand",
        "CreateMultipartUploadCommand",
        "UploadPartCommand",
        "CompleteMultipartUploadCommand",
        "AbortMultipartUploadCommand",
        "PutObjectTaggingCommand",
    ]
    .iter()
    .map(|c| format!("app.js:10 v3 client-s3 {c} helper {members}"))
    .collect();
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    assert_eq!(lines(&upload), sorted(&expected));
    assert_eq!(
        lines(&run(dir, "app.js", Some("download"))),
        sorted(&[&format!(
            "app.js:20 v3 client-s3 GetObjectCommand presign {bucket} Key=?"
        )])
    );
    assert_eq!(
        lines(&run(dir, "app.js", Some("form"))),
        sorted(&[&format!(
            "app.js:24 v3 client-s3 PutObjectCommand presign {bucket} Key=\"forms/${{filename}}\""
        )])
    );
    assert_eq!(
        lines(&run(dir, "app.js", Some("direct"))),
        sorted(&[&format!(
            "app.js:27 v3 client-s3 PutObjectCommand presign {bucket} Key=?"
        )])
    );
}

#[test]
fn commonjs_and_es_modules_barrels_lazy_singletons_and_layers() {
    let mut ctx = Context::new(fixture("javascript/esm-cjs-modules"));
    ctx.search_paths = vec![PathBuf::from("layers/common/nodejs/node_modules")];
    let ingest = run_with(ctx.clone(), "src/handlers.js", Some("ingest"));
    assert_eq!(
        lines(&ingest),
        sorted(&[
            "src/services/notifier.js:6 v2 SNS publish call Message=\"ingested \"+? TopicArn=env(TOPIC_ARN)",
            "src/services/storage.mjs:15 v3 client-dynamodb PutItemCommand call Item={body:?,id:?} TableName=env(STAGE|\"dev\")+\"-items\"",
        ])
    );
    let notify = ingest
        .calls
        .iter()
        .find(|c| c.location.file.ends_with("notifier.js"))
        .expect("publish");
    let chain: Vec<String> = notify
        .chain
        .iter()
        .map(|s| format!("{}@{}:{}", s.function, s.at.file, s.at.line))
        .collect();
    assert_eq!(
        chain,
        vec![
            "ingest@src/handlers.js:8",
            "notify@src/services/notifier.js:6"
        ]
    );
    let report = run_with(ctx, "src/handlers.js", Some("report"));
    assert_eq!(
        lines(&report),
        sorted(&[
            "layers/common/nodejs/node_modules/common-utils/index.js:6 v3 client-eventbridge PutEventsCommand call Entries=[{Detail:\"{}\",DetailType:\"report\",EventBusName:\"audit\",Source:\"app\"}]",
            "src/services/storage.mjs:19 v3 client-dynamodb ScanCommand call TableName=\"reports\"",
        ])
    );
    assert!(report.unresolved.is_empty(), "{:?}", report.unresolved);
}

#[test]
fn typescript_paths_classes_injection_and_factories() {
    let dir = "typescript/ts-multi-module";
    let handler = run(dir, "src/handler.ts", Some("handler"));
    assert_eq!(
        lines(&handler),
        sorted(&[
            "src/repositories/order-repository.ts:11 v3 client-dynamodb PutItemCommand call Item=? TableName=env(ORDERS_TABLE|\"orders\")",
            "src/services/receipt-service.ts:16 v3 client-s3 PutObjectCommand call Body=\"{}\" Bucket=env(RECEIPTS_BUCKET) Key=\"receipts/\"+?+\".json\"",
            "src/services/receipt-service.ts:19 v3 client-sfn StartExecutionCommand call input=\"{}\" stateMachineArn=env(FULFILMENT_ARN)",
        ])
    );
    assert!(handler.unresolved.is_empty(), "{:?}", handler.unresolved);
    assert!(handler.diagnostics.is_empty(), "{:?}", handler.diagnostics);
    let save = handler
        .calls
        .iter()
        .find(|c| c.location.line == 11)
        .expect("save");
    let chain: Vec<&str> = save.chain.iter().map(|s| s.function.as_str()).collect();
    assert_eq!(chain, vec!["handler", "OrderRepository.save"]);
    let lookup = run(dir, "src/handler.ts", Some("lookup"));
    assert_eq!(
        lines(&lookup),
        sorted(&[
            "src/repositories/order-repository.ts:15 v3 client-dynamodb GetItemCommand call Key={id:?} TableName=env(ORDERS_TABLE|\"orders\")",
        ])
    );
}

#[test]
fn middy_wrapped_handlers_get_their_own_middlewares() {
    let dir = "javascript/middy";
    let handler = run(dir, "handler.mjs", Some("handler"));
    assert_eq!(
        lines(&handler),
        sorted(&[
            "handler.mjs:12 v3 client-sesv2 SendEmailCommand call Content={Simple:{Body:{Text:{Data:?}},Subject:{Data:\"Hi\"}}} Destination={ToAddresses:[?]} FromEmailAddress=\"welcome@example.com\"",
            "handler.mjs:25 v3 client-ssm GetParametersCommand library Names=[\"/app/greeting\"]",
            "handler.mjs:25 v3 client-ssm GetParametersByPathCommand library Path=[\"/app/flags/\"]",
            "handler.mjs:30 v3 client-secrets-manager GetSecretValueCommand library SecretId=[env(STAGE)+\"/api-key\"]",
        ])
    );
    let stream = run(dir, "handler.mjs", Some("stream"));
    assert_eq!(
        lines(&stream),
        sorted(&[
            "handler.mjs:33 v3 client-ssm GetParametersCommand library Names=[\"/app/stream-name\"]",
            "handler.mjs:35 v3 client-kinesis PutRecordCommand call Data=? PartitionKey=\"k\" StreamName=env(STREAM)",
        ])
    );
}

#[test]
fn powertools_parameters_idempotency_and_traced_clients() {
    let facts = run("typescript/powertools", "handler.ts", Some("handler"));
    let table = "TableName=env(IDEMPOTENCY_TABLE|\"idempotency\")";
    assert_eq!(
        lines(&facts),
        sorted(&[
            &format!("handler.ts:12 v3 client-dynamodb PutItemCommand library {table}"),
            &format!("handler.ts:12 v3 client-dynamodb GetItemCommand library {table}"),
            &format!("handler.ts:12 v3 client-dynamodb UpdateItemCommand library {table}"),
            &format!("handler.ts:12 v3 client-dynamodb DeleteItemCommand library {table}"),
            "handler.ts:17 v3 client-ssm GetParameterCommand library Name=\"/payments/endpoint\"",
            "handler.ts:18 v3 client-ssm GetParametersByPathCommand library Path=\"/payments/limits/\"",
            "handler.ts:19 v3 client-secrets-manager GetSecretValueCommand library SecretId=\"payments/\"+env(STAGE)+\"/api-key\"",
            "handler.ts:20 v3 client-ssm GetParameterCommand library Name=\"/payments/region\"",
            "handler.ts:21 v3 client-sqs SendMessageCommand call MessageBody=? QueueUrl=env(QUEUE_URL)",
        ])
    );
}

#[test]
fn dynamic_operations_are_unresolved_never_guessed() {
    let facts = run("javascript/dynamic-calls", "handler.js", Some("handler"));
    assert_eq!(
        lines(&facts),
        sorted(&[
            "handler.js:11 v2 S3 deleteObject call Bucket=\"dynamic-bucket\" Key=\"tmp/x\"",
            "handler.js:13 v2 S3 headObject call Bucket=\"dynamic-bucket\" Key=\"tmp/y\"",
        ])
    );
    assert_eq!(
        unresolved(&facts),
        vec![
            "handler.js:10 the operation name is not a constant",
            "handler.js:14 the command sent cannot be determined",
            "handler.js:15 the operation name is not a constant",
        ]
    );
}

#[test]
fn handler_forms_default_async_function_and_class_methods() {
    let dir = "javascript/handler-forms";
    assert_eq!(
        lines(&run(dir, "default-export.mjs", Some("default"))),
        sorted(&[
            "default-export.mjs:6 v3 client-lambda InvokeCommand call FunctionName=\"worker\" Payload=?"
        ])
    );
    assert_eq!(
        lines(&run(dir, "async-function.ts", Some("handler"))),
        sorted(&[
            "async-function.ts:8 v3 client-kms DecryptCommand call CiphertextBlob=? KeyId=\"alias/app\""
        ])
    );
    let class = run(dir, "class-handler.js", Some("handler"));
    assert_eq!(
        lines(&class),
        sorted(&[
            "class-handler.js:14 v3 client-sns PublishCommand call Message=? TopicArn=env(TOPIC)"
        ])
    );
    let chain: Vec<&str> = class.calls[0]
        .chain
        .iter()
        .map(|s| s.function.as_str())
        .collect();
    assert_eq!(chain, vec!["Handler.handle", "Handler.publish"]);
}

#[test]
fn whole_file_mode_reaches_every_function() {
    let facts = run("javascript/handler-forms", "async-function.ts", None);
    assert_eq!(
        lines(&facts),
        sorted(&[
            "async-function.ts:13 v3 client-eventbridge PutEventsCommand call Entries=[]",
            "async-function.ts:8 v3 client-kms DecryptCommand call CiphertextBlob=? KeyId=\"alias/app\"",
        ])
    );
    let all = run("javascript/v2-documentclient", "app.js", None);
    let lines_reached: std::collections::BTreeSet<u32> =
        all.calls.iter().map(|c| c.location.line).collect();
    assert_eq!(
        lines_reached.into_iter().collect::<Vec<_>>(),
        vec![10, 12, 24, 32, 33, 34]
    );
}

#[test]
fn environment_bindings_from_infrastructure_replace_env_reads() {
    let mut ctx = Context::new(fixture("javascript/v3-commands"));
    ctx.env.insert("BUCKET".into(), Value::str("media-prod"));
    let facts = run_with(ctx, "index.mjs", Some("handler"));
    let get = facts
        .calls
        .iter()
        .find(|c| c.location.line == 17)
        .expect("GetObject");
    assert_eq!(get.args.get("Bucket"), Some(&Value::str("media-prod")));
}

/// A scratch project with the given files.
fn scratch(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        let full = dir.path().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(full, text).expect("write");
    }
    dir
}

#[test]
fn bundles_declarations_node_modules_and_syntax_errors_are_notes_not_failures() {
    let long_line = format!("var x = \"{}\";\n", "a".repeat(super::MAX_LINE_CHARS + 10));
    let dir = scratch(&[
        (
            "app.js",
            "const b = require('./dist/bundle');\nconst m = require('./vendor.min.js');\nconst u = require('./node_modules/lib/index.js');\nconst AWS = require('aws-sdk');\nconst sqs = new AWS.SQS();\nexports.handler = async () => {\n  await sqs.deleteQueue({ QueueUrl: 'q' }).promise();\n  if (( {\n};\n",
        ),
        ("dist/bundle.js", &long_line),
        ("vendor.min.js", "var a=1;"),
        ("node_modules/lib/index.js", "module.exports = 1;"),
        ("types.d.ts", "export declare const x: number;"),
    ]);
    let ctx = Context::new(dir.path());
    let facts = run_with(ctx.clone(), "app.js", Some("handler"));
    assert_eq!(
        lines(&facts),
        sorted(&["app.js:7 v2 SQS deleteQueue call QueueUrl=\"q\""])
    );
    let messages: Vec<String> = facts
        .diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.file, d.message))
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("dist/bundle.js: skipped: a line over")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("vendor.min.js: skipped: minified")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("node_modules")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("app.js: syntax error")),
        "{messages:?}"
    );
    let declaration = run_with(ctx.clone(), "types.d.ts", None);
    assert!(declaration.calls.is_empty());
    assert_eq!(declaration.diagnostics.len(), 1);
    let vendored = run_with(ctx, "node_modules/lib/index.js", None);
    assert!(vendored.calls.is_empty());
    assert!(vendored.diagnostics[0].message.contains("node_modules"));
}

#[test]
fn pathological_nesting_and_recursion_terminate() {
    let nested = format!(
        "const AWS = require('aws-sdk');\nconst s3 = new AWS.S3();\nfunction f(n) {{ return n ? f(n - 1) : g(); }}\nfunction g() {{ return f(3); }}\nexports.handler = async () => {{\n  f(10);\n  const v = {}1{};\n  await s3.listBuckets().promise();\n}};\n",
        "(".repeat(4000),
        ")".repeat(4000)
    );
    let dir = scratch(&[("app.js", &nested)]);
    let facts = run_with(Context::new(dir.path()), "app.js", Some("handler"));
    assert_eq!(
        lines(&facts),
        sorted(&["app.js:8 v2 S3 listBuckets call"]),
        "{:?}",
        facts.diagnostics
    );
}

#[test]
fn a_handler_the_file_does_not_define_is_a_warning() {
    let facts = run("javascript/middy", "handler.mjs", Some("missing"));
    assert!(facts.calls.is_empty());
    assert_eq!(facts.diagnostics.len(), 1, "{:?}", facts.diagnostics);
    assert!(facts.diagnostics[0].message.contains("`missing`"));
    let stream = run("javascript/middy", "handler.mjs", Some("stream"));
    assert!(stream.diagnostics.is_empty(), "{:?}", stream.diagnostics);
}

#[test]
fn v2_bound_params_and_callbacks_in_arrays() {
    let facts = run("javascript/v2-bound-params", "handler.js", Some("handler"));
    assert_eq!(
        lines(&facts),
        sorted(&[
            "handler.js:10 v2 S3 getObject call Bucket=\"assets-bucket\" Key=\"config.json\"",
            "handler.js:11 v2 S3 listObjects call Bucket=\"assets-bucket\"",
            "handler.js:12 v2 S3 putObject call Body=\"\" Bucket=\"other-bucket\" Key=\"index.json\"",
            "handler.js:15 v2 CloudWatchLogs putLogEvents call logEvents=[] logGroupName=\"/app/audit\" logStreamName=\"main\"",
        ])
    );
}

#[test]
fn serverless_examples_rest_api_shape() {
    let dir = "javascript/rest-api-dynamodb";
    assert_eq!(
        lines(&run(dir, "todos/create.js", Some("create"))),
        sorted(&[
            "todos/create.js:31 v2 DynamoDB putItem call Item={checked:false,createdAt:?,id:?,text:?,updatedAt:?} TableName=env(DYNAMODB_TABLE)",
        ])
    );
    assert_eq!(
        lines(&run(dir, "todos/list.js", Some("list"))),
        sorted(&["todos/list.js:11 v2 DynamoDB scan call TableName=env(DYNAMODB_TABLE)"])
    );
}

#[test]
fn decorated_class_handler_with_traced_clients() {
    let facts = run("typescript/powertools-class", "index.ts", Some("handler"));
    assert_eq!(
        lines(&facts),
        sorted(&[
            "index.ts:19 v3 client-s3 headObject call Bucket=? Key=?",
            "index.ts:22 v3 client-sqs SendMessageBatchCommand call Entries=[{Id:?,MessageBody:?}] QueueUrl=env(QUEUE_URL)",
        ])
    );
}

#[test]
fn entries_naming_built_or_extensionless_files_find_the_source() {
    let dir = "typescript/ts-multi-module";
    for named in ["src/handler.js", "src/handler"] {
        let facts = run(dir, named, Some("lookup"));
        assert_eq!(
            lines(&facts),
            sorted(&[
                "src/repositories/order-repository.ts:15 v3 client-dynamodb GetItemCommand call Key={id:?} TableName=env(ORDERS_TABLE|\"orders\")",
            ]),
            "{named}"
        );
    }
}

#[test]
fn xray_wrappers_higher_order_handlers_and_optional_calls() {
    let facts = run("javascript/wrappers", "handler.js", Some("handler"));
    assert_eq!(
        lines(&facts),
        sorted(&[
            "handler.js:14 v2 SQS sendMessage call MessageBody=? QueueUrl=env(DLQ_URL)",
            "handler.js:20 v3 client-lambda InvokeCommand call FunctionName=env(STAGE)+\"-worker\" InvocationType=\"Event\"",
        ])
    );
}

#[test]
fn base_url_star_exports_namespace_reexports_and_import_equals() {
    let dir = scratch(&[
        (
            "tsconfig.json",
            "{ \"compilerOptions\": { \"baseUrl\": \"src\" } }",
        ),
        (
            "src/handler.ts",
            "import { clients } from 'lib/all';\nimport repo = require('./repo');\n\nexport const handler = async () => {\n  await clients.sqs.purge();\n  await repo.clear();\n};\n",
        ),
        (
            "src/lib/all.ts",
            "export * as clients from './clients';\nexport * from './clients';\n",
        ),
        (
            "src/lib/clients.ts",
            "import { SQSClient, PurgeQueueCommand } from '@aws-sdk/client-sqs';\nconst client = new SQSClient({});\nexport const sqs = { purge: () => client.send(new PurgeQueueCommand({ QueueUrl: 'https://sqs/q' })) };\n",
        ),
        (
            "src/repo.ts",
            "import { sqs } from 'lib/all';\nimport { S3Client, DeleteBucketCommand } from '@aws-sdk/client-s3';\nconst s3 = new S3Client({});\nexport async function clear() {\n  await s3.send(new DeleteBucketCommand({ Bucket: 'scratch' }));\n}\n",
        ),
    ]);
    let facts = run_with(Context::new(dir.path()), "src/handler.ts", Some("handler"));
    assert_eq!(
        lines(&facts),
        sorted(&[
            "src/lib/clients.ts:3 v3 client-sqs PurgeQueueCommand call QueueUrl=\"https://sqs/q\"",
            "src/repo.ts:5 v3 client-s3 DeleteBucketCommand call Bucket=\"scratch\"",
        ])
    );
    assert!(facts.diagnostics.is_empty(), "{:?}", facts.diagnostics);
}

#[test]
fn getters_with_lazy_clients_and_static_fields() {
    let facts = run("typescript/lazy-clients", "handler.ts", Some("handler"));
    assert_eq!(
        lines(&facts),
        sorted(&[
            "handler.ts:12 v3 client-s3 GetObjectCommand call Bucket=\"lazy-bucket\" Key=?",
            "handler.ts:20 v3 client-sns PublishCommand call Message=\"read\" TopicArn=env(TOPIC_ARN)",
        ])
    );
}

#[test]
fn json_config_modules_and_asset_imports() {
    let dir = scratch(&[
        (
            "app.mjs",
            "import config from './config.json' with { type: 'json' };\nimport './styles.css';\nimport { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';\nconst settings = require('./settings');\nconst sqs = new SQSClient({});\nexport const handler = async () => {\n  await sqs.send(new SendMessageCommand({ QueueUrl: config.queues.jobs, MessageBody: settings.greeting }));\n};\n",
        ),
        (
            "config.json",
            "{ \"queues\": { \"jobs\": \"https://sqs.eu-west-1.amazonaws.com/123456789012/jobs\" } }",
        ),
        ("settings.json", "{ \"greeting\": \"hi\" }"),
        ("styles.css", "body {}"),
    ]);
    let facts = run_with(Context::new(dir.path()), "app.mjs", Some("handler"));
    assert_eq!(
        lines(&facts),
        sorted(&[
            "app.mjs:7 v3 client-sqs SendMessageCommand call MessageBody=\"hi\" QueueUrl=\"https://sqs.eu-west-1.amazonaws.com/123456789012/jobs\"",
        ])
    );
    assert!(facts.diagnostics.is_empty(), "{:?}", facts.diagnostics);
}

#[test]
fn electrodb_entities_read_the_table_from_their_constructor() {
    let dir = scratch(&[(
        "app.js",
        "const { Entity } = require('electrodb');\nconst { DynamoDBClient } = require('@aws-sdk/client-dynamodb');\nconst client = new DynamoDBClient({});\nconst Task = new Entity({ model: { entity: 'task', version: '1', service: 'app' } }, { client, table: process.env.TABLE });\nexports.handler = async (event) => {\n  await Task.put({ id: event.id }).go();\n  await Task.get({ id: event.id }).go();\n  await Task.query.byOwner({ owner: 'x' }).go();\n};\n",
    )]);
    let facts = run_with(Context::new(dir.path()), "app.js", Some("handler"));
    assert_eq!(
        lines(&facts),
        sorted(&[
            "app.js:6 v3 client-dynamodb PutItemCommand library TableName=env(TABLE)",
            "app.js:7 v3 client-dynamodb GetItemCommand library TableName=env(TABLE)",
            "app.js:8 v3 client-dynamodb QueryCommand library TableName=env(TABLE)",
        ])
    );
}

#[test]
fn sdk_classes_chosen_at_run_time_are_unresolved() {
    let dir = scratch(&[(
        "app.js",
        "const AWS = require('aws-sdk');\nconst s3 = require('@aws-sdk/client-s3');\nexports.handler = async (event) => {\n  const client = new AWS[event.service]();\n  await new s3.S3Client({}).send(new s3[event.command]({ Bucket: 'b' }));\n};\n",
    )]);
    let facts = run_with(Context::new(dir.path()), "app.js", Some("handler"));
    assert!(facts.calls.is_empty(), "{:?}", facts.calls);
    assert_eq!(
        unresolved(&facts),
        vec![
            "app.js:4 the SDK class is not a constant",
            "app.js:5 the command sent cannot be determined",
            "app.js:5 the SDK class is not a constant",
        ]
    );
}

#[test]
fn framework_routes_run_only_for_the_handler_that_dispatches_the_app() {
    let dir = "javascript/express-routes";
    let api = run(dir, "src/handler.js", Some("api"));
    assert_eq!(
        lines(&api),
        sorted(&[
            "src/routes/orders.js:11 v3 client-dynamodb PutItemCommand call Item=? TableName=env(ORDERS_TABLE)",
            "src/routes/orders.js:18 v3 client-dynamodb GetItemCommand call Key={orderId:?} TableName=env(ORDERS_TABLE)",
            "src/routes/orders.js:22 v3 client-dynamodb DeleteItemCommand call Key={orderId:?} TableName=env(ORDERS_TABLE)",
        ])
    );
    assert!(api.diagnostics.is_empty(), "{:?}", api.diagnostics);
    // The chain starts at the export and goes through the route callback.
    let put = api
        .calls
        .iter()
        .find(|c| c.location.line == 11)
        .expect("PutItem");
    assert_eq!(put.chain.first().map(|s| s.function.as_str()), Some("api"));
    // The other function of the same file registers nothing and dispatches nothing.
    let purge = run(dir, "src/handler.js", Some("purgeSessions"));
    assert_eq!(
        lines(&purge),
        sorted(&[
            "src/handler.js:17 v3 client-dynamodb ScanCommand call TableName=env(SESSIONS_TABLE)",
            "src/handler.js:19 v3 client-dynamodb BatchWriteItemCommand call RequestItems=?",
        ])
    );
}

#[test]
fn koa_fastify_and_lambda_api_apps_dispatch_through_adapters_and_run_methods() {
    let dir = scratch(&[
        (
            "koa.js",
            "const Koa = require('koa');\nconst Router = require('@koa/router');\nconst serverless = require('serverless-http');\nconst { SNSClient, PublishCommand } = require('@aws-sdk/client-sns');\nconst sns = new SNSClient({});\nconst app = new Koa();\nconst router = new Router();\nrouter.post('/notify', async (ctx) => {\n  await sns.send(new PublishCommand({ TopicArn: process.env.TOPIC, Message: 'x' }));\n});\napp.use(router.routes()).use(router.allowedMethods());\nexports.handler = serverless(app);\n",
        ),
        (
            "fastify.mjs",
            "import Fastify from 'fastify';\nimport awsLambdaFastify from '@fastify/aws-lambda';\nimport { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';\nconst sqs = new SQSClient({});\nconst app = Fastify({ logger: true });\napp.register(async (instance) => {\n  instance.route({ method: 'POST', url: '/jobs', handler: async () => {\n    await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE, MessageBody: 'x' }));\n  } });\n});\nexport const handler = awsLambdaFastify(app);\n",
        ),
        (
            "api.js",
            "const api = require('lambda-api')();\nconst AWS = require('aws-sdk');\nconst s3 = new AWS.S3();\napi.get('/files', async () => s3.listObjectsV2({ Bucket: 'files' }).promise());\nexports.handler = async (event, context) => api.run(event, context);\nexports.unused = async () => 'no routes here';\n",
        ),
    ]);
    let koa = run_with(Context::new(dir.path()), "koa.js", Some("handler"));
    assert_eq!(
        lines(&koa),
        sorted(&["koa.js:9 v3 client-sns PublishCommand call Message=\"x\" TopicArn=env(TOPIC)"])
    );
    let fastify = run_with(Context::new(dir.path()), "fastify.mjs", Some("handler"));
    assert_eq!(
        lines(&fastify),
        sorted(&[
            "fastify.mjs:8 v3 client-sqs SendMessageCommand call MessageBody=\"x\" QueueUrl=env(QUEUE)"
        ])
    );
    let api = run_with(Context::new(dir.path()), "api.js", Some("handler"));
    assert_eq!(
        lines(&api),
        sorted(&["api.js:4 v2 S3 listObjectsV2 call Bucket=\"files\""])
    );
    // Routes registered at module load do not run for a handler that never dispatches them.
    let unused = run_with(Context::new(dir.path()), "api.js", Some("unused"));
    assert!(unused.calls.is_empty(), "{:?}", unused.calls);
}

#[test]
fn handlers_exported_through_wrapper_calls_run_the_wrapped_function() {
    let dir = scratch(&[
        (
            "libs/lambda.ts",
            "import middy from '@middy/core';\nimport jsonBodyParser from '@middy/http-json-body-parser';\nexport const middyfy = (handler) => middy(handler).use(jsonBodyParser());\n",
        ),
        (
            "hello.ts",
            "import { middyfy } from './libs/lambda';\nimport { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';\nconst ddb = new DynamoDBClient({});\nconst hello = async (event) => {\n  await ddb.send(new PutItemCommand({ TableName: 'greetings', Item: {} }));\n};\nexport const main = middyfy(hello);\n",
        ),
        (
            "sentry.js",
            "const Sentry = require('@sentry/serverless');\nconst { compose } = require('ramda');\nconst AWS = require('aws-sdk');\nconst sqs = new AWS.SQS();\nconst withLogging = (fn) => fn;\nexports.handler = Sentry.AWSLambda.wrapHandler(async (event) => {\n  await sqs.sendMessage({ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/1/q', MessageBody: 'x' }).promise();\n});\nexports.composed = compose(withLogging)(async function composed(event) {\n  await sqs.deleteMessage({ QueueUrl: 'https://sqs.us-east-1.amazonaws.com/1/q', ReceiptHandle: 'r' }).promise();\n});\n",
        ),
    ]);
    let hello = run_with(Context::new(dir.path()), "hello.ts", Some("main"));
    assert_eq!(
        lines(&hello),
        sorted(&[
            "hello.ts:5 v3 client-dynamodb PutItemCommand call Item={} TableName=\"greetings\""
        ])
    );
    assert!(hello.diagnostics.is_empty(), "{:?}", hello.diagnostics);
    let sentry = run_with(Context::new(dir.path()), "sentry.js", Some("handler"));
    assert_eq!(
        lines(&sentry),
        sorted(&[
            "sentry.js:7 v2 SQS sendMessage call MessageBody=\"x\" QueueUrl=\"https://sqs.us-east-1.amazonaws.com/1/q\""
        ])
    );
    assert!(sentry.diagnostics.is_empty(), "{:?}", sentry.diagnostics);
    let composed = run_with(Context::new(dir.path()), "sentry.js", Some("composed"));
    assert_eq!(
        lines(&composed),
        sorted(&[
            "sentry.js:10 v2 SQS deleteMessage call QueueUrl=\"https://sqs.us-east-1.amazonaws.com/1/q\" ReceiptHandle=\"r\""
        ])
    );
}

#[test]
fn client_methods_taken_as_values_are_bound_promisified_and_called() {
    let facts = run("javascript/method-aliases", "handler.js", Some("handler"));
    assert_eq!(
        lines(&facts),
        sorted(&[
            "handler.js:16 v2 S3 getObject call Bucket=\"inbox-bucket\" Key=\"raw/\"+?+\".json\"",
            "handler.js:17 v2 DynamoDB putItem call Item=? TableName=\"messages\"",
            "handler.js:18 v2 S3 putObject call Body=? Bucket=\"inbox-bucket\" Key=\"done/\"+?+\".json\"",
            "handler.js:19 v2 SNS publish call Message=? TopicArn=\"arn:aws:sns:us-east-1:123456789012:inbox-events\"",
            "handler.js:20 v2 S3 deleteObject call Bucket=\"inbox-bucket\" Key=\"raw/\"+?+\".json\"",
        ])
    );
    assert!(facts.unresolved.is_empty(), "{:?}", facts.unresolved);
}

#[test]
fn dynamoose_models_name_their_table_and_initialise_it_unless_told_not_to() {
    let facts = run("javascript/dynamoose", "handler.js", Some("handler"));
    let orders = "TableName=env(ORDERS_TABLE)";
    let customers = "TableName=env(STAGE)+\"-Customer\"";
    assert_eq!(
        lines(&facts),
        sorted(&[
            &format!("handler.js:5 v3 client-dynamodb DescribeTableCommand library {orders}"),
            "handler.js:22 v3 client-dynamodb DescribeTableCommand library TableName=\"Audit\"",
            &format!("handler.js:25 v3 client-dynamodb GetItemCommand library {customers}"),
            &format!("handler.js:27 v3 client-dynamodb PutItemCommand library {orders}"),
            // A query may use the schema's index: on the table and on the index.
            &format!("handler.js:28 v3 client-dynamodb QueryCommand library {orders}"),
            &format!(
                "handler.js:28 v3 client-dynamodb QueryCommand library IndexName=[\"status-index\"] {orders}"
            ),
            &format!("handler.js:29 v3 client-dynamodb QueryCommand library {orders}"),
            &format!(
                "handler.js:29 v3 client-dynamodb QueryCommand library IndexName=[\"status-index\"] {orders}"
            ),
            "handler.js:31 v3 client-dynamodb TransactWriteItemsCommand library TransactItems=[{Put:{TableName:\"Audit\"}}]",
            &format!(
                "handler.js:32 v3 client-dynamodb TransactWriteItemsCommand library TransactItems=[{{Update:{{{customers}}}}}]",
                customers = customers.replace('=', ":")
            ),
        ])
    );
}

#[test]
fn dynamoose_schema_indexes_without_a_name_are_any_index_and_scans_stay_on_the_table() {
    let dir = scratch(&[(
        "app.mjs",
        "import dynamoose from 'dynamoose';\nconst User = dynamoose.model('User', new dynamoose.Schema({ id: String, email: { type: String, index: true }, team: { type: String, index: false } }), { initialize: false });\nexport const handler = async (event) => {\n  await User.query('email').eq(event.email).exec();\n  await User.scan().exec();\n};\n",
    )]);
    let facts = run_with(Context::new(dir.path()), "app.mjs", Some("handler"));
    assert_eq!(
        lines(&facts),
        sorted(&[
            "app.mjs:4 v3 client-dynamodb QueryCommand library TableName=\"User\"",
            "app.mjs:4 v3 client-dynamodb QueryCommand library IndexName=[?] TableName=\"User\"",
            "app.mjs:5 v3 client-dynamodb ScanCommand library TableName=\"User\"",
        ])
    );
}

#[test]
fn dynamoose_initialize_false_makes_no_call_and_batch_operations_name_the_table() {
    let dir = scratch(&[(
        "app.mjs",
        "import dynamoose from 'dynamoose';\nconst Cat = dynamoose.model('Cat', { id: Number }, { initialize: false });\nexport const handler = async (event) => {\n  await Cat.batchPut(event.cats);\n  await Cat.batchGet(event.ids);\n  await Cat.scan().exec();\n  await new Cat({ id: 1 }).delete();\n};\n",
    )]);
    let facts = run_with(Context::new(dir.path()), "app.mjs", Some("handler"));
    assert_eq!(
        lines(&facts),
        sorted(&[
            "app.mjs:4 v3 client-dynamodb BatchWriteItemCommand library TableName=\"Cat\"",
            "app.mjs:5 v3 client-dynamodb BatchGetItemCommand library TableName=\"Cat\"",
            "app.mjs:6 v3 client-dynamodb ScanCommand library TableName=\"Cat\"",
            "app.mjs:7 v3 client-dynamodb DeleteItemCommand library TableName=\"Cat\"",
        ])
    );
}

#[test]
fn electrodb_find_match_access_patterns_and_service_collections_query_their_index() {
    let dir = scratch(&[(
        "app.js",
        "const { Entity, Service } = require('electrodb');\nconst { DynamoDBClient } = require('@aws-sdk/client-dynamodb');\nconst client = new DynamoDBClient({});\nconst table = 'projects';\nconst Task = new Entity({ model: { entity: 'task', version: '1', service: 'pm' }, indexes: { byId: { pk: { composite: ['id'] } }, byProject: { index: 'gsi1', collection: 'team', pk: { composite: ['projectId'] } } } }, { client, table });\nconst Member = new Entity({ model: { entity: 'member', version: '1', service: 'pm' }, indexes: { byId: { pk: { composite: ['id'] } }, byName: { index: 'gsi2', pk: { composite: ['name'] } } } }, { client, table });\nconst Project = new Service({ task: Task, member: Member }, { client, table });\nexports.handler = async (event) => {\n  await Task.find({ projectId: event.projectId }).go();\n  await Member.match({ name: event.name }).go();\n  await Task.query.byProject({ projectId: 'p' }).go();\n  await Task.query.byId({ id: 'x' }).go();\n  return Project.collections.team({ projectId: event.projectId }).go();\n};\n",
    )]);
    let facts = run_with(Context::new(dir.path()), "app.js", Some("handler"));
    assert_eq!(
        lines(&facts),
        sorted(&[
            "app.js:9 v3 client-dynamodb QueryCommand library TableName=\"projects\"",
            "app.js:9 v3 client-dynamodb QueryCommand library IndexName=[\"gsi1\"] TableName=\"projects\"",
            "app.js:9 v3 client-dynamodb ScanCommand library TableName=\"projects\"",
            "app.js:10 v3 client-dynamodb QueryCommand library TableName=\"projects\"",
            "app.js:10 v3 client-dynamodb QueryCommand library IndexName=[\"gsi2\"] TableName=\"projects\"",
            "app.js:10 v3 client-dynamodb ScanCommand library TableName=\"projects\"",
            "app.js:11 v3 client-dynamodb QueryCommand library IndexName=\"gsi1\" TableName=\"projects\"",
            "app.js:12 v3 client-dynamodb QueryCommand library TableName=\"projects\"",
            "app.js:13 v3 client-dynamodb QueryCommand library IndexName=\"gsi1\" TableName=\"projects\"",
        ])
    );
}

#[test]
fn dynamoose_global_table_defaults_apply_to_later_models() {
    let dir = scratch(&[(
        "app.js",
        "const dynamoose = require('dynamoose');\ndynamoose.Table.defaults.set({ prefix: `${process.env.STAGE}_`, create: false, waitForActive: false });\nconst Cat = dynamoose.model('Cat', { id: Number });\nconst Dog = dynamoose.model('Dog', { id: Number }, { suffix: '_v2' });\nexports.handler = async (event) => {\n  await Cat.get(event.id);\n  await Dog.get(event.id);\n};\n",
    )]);
    let facts = run_with(Context::new(dir.path()), "app.js", Some("handler"));
    assert_eq!(
        lines(&facts),
        sorted(&[
            "app.js:6 v3 client-dynamodb GetItemCommand library TableName=env(STAGE)+\"_Cat\"",
            "app.js:7 v3 client-dynamodb GetItemCommand library TableName=env(STAGE)+\"_Dog_v2\"",
        ])
    );
}

/// The bucket an S3 notification names is one of the function's trigger buckets, however
/// the handler reaches `Records[].s3.bucket.name` (Lambda developer guide, example Amazon S3
/// notification event): for-of, `map` callbacks, destructuring; other paths stay unknown.
#[test]
fn s3_event_bucket_binds_to_the_trigger_buckets() {
    let uploads = Value::Infra(Box::new(crate::InfraRef {
        logical_id: "Uploads".into(),
        resource_type: "AWS::S3::Bucket".into(),
        attribute: None,
        known: Some("uploads".into()),
    }));
    let ctx = || {
        let mut ctx = Context::new(fixture("javascript/s3-event"));
        ctx.event
            .insert("Records[].s3.bucket.name".into(), uploads.clone());
        ctx
    };
    for (function, expected) in [
        (
            "forOf",
            "handler.mjs:7 v3 client-s3 GetObjectCommand call Bucket=infra(Uploads) Key=?",
        ),
        (
            "mapped",
            "handler.mjs:14 v3 client-s3 DeleteObjectCommand call Bucket=infra(Uploads) Key=?",
        ),
        (
            "destructured",
            "handler.mjs:22 v3 client-s3 HeadObjectCommand call Bucket=infra(Uploads) Key=\"x\"",
        ),
        (
            "notTheBucket",
            "handler.mjs:26 v3 client-s3 GetObjectCommand call Bucket=? Key=\"y\"",
        ),
    ] {
        let facts = run_with(ctx(), "handler.mjs", Some(function));
        assert_eq!(lines(&facts), [expected], "{function}");
    }
    let plain = run("javascript/s3-event", "handler.mjs", Some("forOf"));
    assert_eq!(
        lines(&plain),
        ["handler.mjs:7 v3 client-s3 GetObjectCommand call Bucket=? Key=?"]
    );
}
