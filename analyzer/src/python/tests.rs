//! Fact-level tests over `fixtures/python/*`. Expectations are written by hand from the
//! boto3 / library documentation: one line per fact, `file:line service.op via args`.

use std::path::PathBuf;

use crate::facts::{CallFact, Operation};
use crate::{Context, Entry, Value};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/python")
        .join(name)
}

fn render_value(v: &Value) -> String {
    match v {
        Value::Str { value } => format!("'{value}'"),
        Value::Scalar { value } => value.clone(),
        Value::Env { name, default } => match default {
            Some(d) => format!("${name}|{}", render_value(d)),
            None => format!("${name}"),
        },
        Value::Infra(r) => format!("!{}", r.logical_id),
        Value::Concat { parts } => parts.iter().map(render_value).collect::<Vec<_>>().join("+"),
        Value::List { items } => format!(
            "[{}]",
            items.iter().map(render_value).collect::<Vec<_>>().join(",")
        ),
        Value::Map { entries } => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{k}:{}", render_value(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        Value::Unknown => "?".into(),
    }
}

fn render(fact: &CallFact) -> String {
    let op = match &fact.operation {
        Operation::Method(m) => m.clone(),
        Operation::Waiter(w) => format!("waiter:{w}"),
    };
    let args: Vec<String> = fact
        .args
        .iter()
        .map(|(k, v)| format!("{k}={}", render_value(v)))
        .collect();
    format!(
        "{}:{} {}.{} {:?} {}",
        fact.location.file,
        fact.location.line,
        fact.client.service,
        op,
        fact.via,
        args.join(" ")
    )
    .trim_end()
    .to_string()
}

struct Run {
    calls: Vec<String>,
    unresolved: Vec<String>,
    diagnostics: Vec<String>,
    facts: crate::FunctionFacts,
}

fn run_ctx(ctx: &Context, file: &str, function: Option<&str>) -> Run {
    let entry = Entry {
        file: file.to_string(),
        function: function.map(str::to_string),
    };
    let facts = crate::analyze(ctx, crate::Language::Python, &entry);
    let mut calls: Vec<String> = facts.calls.iter().map(render).collect();
    calls.sort();
    calls.dedup();
    let unresolved = facts
        .unresolved
        .iter()
        .map(|u| {
            format!(
                "{}:{} {} ({})",
                u.location.file, u.location.line, u.call, u.why
            )
        })
        .collect();
    let diagnostics = facts.diagnostics.iter().map(|d| d.to_string()).collect();
    Run {
        calls,
        unresolved,
        diagnostics,
        facts,
    }
}

fn run(name: &str, file: &str, function: Option<&str>) -> Run {
    run_ctx(&Context::new(fixture(name)), file, function)
}

fn sorted(lines: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
    v.sort();
    v.dedup();
    v
}

fn assert_calls(run: &Run, expected: &[&str]) {
    assert_eq!(
        run.calls,
        sorted(expected),
        "\nunresolved: {:?}\ndiagnostics: {:?}",
        run.unresolved,
        run.diagnostics
    );
}

#[test]
fn orders_api_follows_modules_classes_and_globals() {
    let r = run("orders-api", "src/app.py", Some("create_order"));
    assert_calls(
        &r,
        &[
            "src/orders/repo.py:10 dynamodb.put_item Helper Item=? TableName=$ORDERS_TABLE",
            "src/shared/clients.py:18 events.put_events Call Entries=[{Detail:?,DetailType:'OrderCreated',EventBusName:$EVENT_BUS,Source:'orders'}]",
            "src/app.py:16 s3.put_object Call Body=? Bucket=$RECEIPTS_BUCKET|'receipts' Key='receipts/'+?+'.json'",
        ],
    );
    assert!(r.unresolved.is_empty());
    // The chain runs from the handler to the enclosing function.
    let put = r
        .facts
        .calls
        .iter()
        .find(|c| c.location.file == "src/orders/repo.py")
        .expect("put_item fact");
    let chain: Vec<(String, u32)> = put
        .chain
        .iter()
        .map(|s| (s.function.clone(), s.at.line))
        .collect();
    assert_eq!(
        chain,
        vec![
            ("create_order".to_string(), 14),
            ("OrderRepository.save".to_string(), 10)
        ]
    );
    assert_eq!(put.call, "self.table.put_item(Item=order)");

    let r = run("orders-api", "src/app.py", Some("get_order"));
    assert_calls(
        &r,
        &["src/orders/repo.py:13 dynamodb.get_item Helper Key={id:?} TableName=$ORDERS_TABLE"],
    );
}

#[test]
fn infrastructure_bindings_replace_env_reads() {
    let mut ctx = Context::new(fixture("orders-api"));
    ctx.env
        .insert("ORDERS_TABLE".into(), Value::str("orders-prod"));
    let r = run_ctx(&ctx, "src/app.py", Some("get_order"));
    assert_calls(
        &r,
        &["src/orders/repo.py:13 dynamodb.get_item Helper Key={id:?} TableName='orders-prod'"],
    );
}

#[test]
fn resource_api_uses_boto3_resource_models() {
    let r = run("resource-api", "handler.py", Some("handler"));
    assert_calls(
        &r,
        &[
            "handler.py:12 dynamodb.put_item Helper Item={pk:?} TableName=$TABLE_NAME",
            "handler.py:13 dynamodb.query Helper KeyConditionExpression='pk = :pk' TableName=$TABLE_NAME",
            // `table.item_count` loads the table: DescribeTable.
            "handler.py:14 dynamodb.describe_table Helper TableName=$TABLE_NAME",
            "handler.py:15 dynamodb.batch_write_item Helper TableName=$TABLE_NAME",
            // Bucket.objects is ListObjects (v1), as in boto3's s3 resources-1.json.
            "handler.py:19 s3.list_objects Helper Bucket='media-bucket' Prefix='uploads/'",
            "handler.py:22 s3.head_object Helper Bucket='media-bucket' Key='thumbs/'+?",
            "handler.py:23 s3.head_object Helper Bucket='media-bucket' Key='thumbs/'+?",
            "handler.py:24 s3.put_object Helper Body='<html/>' Bucket='media-bucket' Key='index.html'",
            "handler.py:26 sqs.get_queue_url Helper QueueName='jobs'",
            "handler.py:27 sqs.send_message Helper MessageBody='go' QueueUrl=?",
        ],
    );
}

#[test]
fn s3_transfer_helpers_expand_to_every_operation() {
    let r = run("s3-transfer", "app.py", Some("handler"));
    let upload = |line: u32, bucket: &str, key: &str| {
        [
            "put_object",
            "create_multipart_upload",
            "upload_part",
            "complete_multipart_upload",
            "abort_multipart_upload",
        ]
        .iter()
        .map(|op| format!("app.py:{line} s3.{op} Helper Bucket='{bucket}' Key='{key}'"))
        .collect::<Vec<_>>()
    };
    let mut expected: Vec<String> = Vec::new();
    expected.extend(upload(8, "artifacts", "reports/latest.csv"));
    expected.push("app.py:9 s3.head_object Helper Bucket='inputs' Key=?".into());
    expected.push("app.py:9 s3.get_object Helper Bucket='inputs' Key=?".into());
    expected.extend(upload(11, "archive", "x.bin"));
    expected.push("app.py:12 s3.head_object Helper Bucket='inputs' Key='a.txt'".into());
    for op in [
        "create_multipart_upload",
        "complete_multipart_upload",
        "abort_multipart_upload",
    ] {
        expected.push(format!(
            "app.py:12 s3.{op} Helper Bucket='archive' Key='copies/a.txt'"
        ));
    }
    for op in ["copy_object", "upload_part_copy"] {
        expected.push(format!(
            "app.py:12 s3.{op} Helper Bucket='archive' CopySource={{Bucket:'inputs',Key:'a.txt'}} Key='copies/a.txt'"
        ));
    }
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    assert_calls(&r, &expected);
}

#[test]
fn presigned_urls_name_the_operation_they_sign() {
    let r = run("presign", "app.py", Some("handler"));
    assert_calls(
        &r,
        &[
            "app.py:10 s3.get_object Presign Bucket=$UPLOADS Key=?",
            "app.py:13 s3.put_object Presign Bucket=$UPLOADS Key='incoming/'+?",
        ],
    );
}

#[test]
fn paginators_and_waiters() {
    let r = run("paginators-waiters", "app.py", Some("handler"));
    assert_calls(
        &r,
        &[
            "app.py:10 s3.list_objects_v2 Paginator Bucket='logs' Prefix='2024/'",
            "app.py:13 dynamodb.waiter:table_exists Waiter TableName='Sessions'",
        ],
    );
}

#[test]
fn powertools_parameters_and_idempotency() {
    let r = run("powertools", "app.py", Some("handler"));
    assert_calls(
        &r,
        &[
            "app.py:14 dynamodb.put_item Library TableName=$IDEMPOTENCY_TABLE",
            "app.py:14 dynamodb.get_item Library TableName=$IDEMPOTENCY_TABLE",
            "app.py:14 dynamodb.update_item Library TableName=$IDEMPOTENCY_TABLE",
            "app.py:14 dynamodb.delete_item Library TableName=$IDEMPOTENCY_TABLE",
            "app.py:16 ssm.get_parameter Library Name='/payments/api-url'",
            "app.py:17 secretsmanager.get_secret_value Library SecretId='payments/api-key'",
            "app.py:18 appconfigdata.start_configuration_session Library ApplicationIdentifier='payments' ConfigurationProfileIdentifier='flags' EnvironmentIdentifier='prod'",
            "app.py:18 appconfigdata.get_latest_configuration Library ApplicationIdentifier='payments' ConfigurationProfileIdentifier='flags' EnvironmentIdentifier='prod'",
        ],
    );
}

#[test]
fn pynamodb_models_use_their_meta_table() {
    let r = run("pynamodb", "app.py", Some("handler"));
    assert_calls(
        &r,
        &[
            "app.py:10 dynamodb.put_item Library TableName='audit-log'",
            "app.py:5 dynamodb.get_item Library TableName=$USERS_TABLE|'users'",
            "app.py:7 dynamodb.put_item Library TableName=$USERS_TABLE|'users'",
            "app.py:8 dynamodb.scan Library TableName=$USERS_TABLE|'users'",
        ],
    );
    // Meta.region, else PynamoDB's default us-east-1 (not the function's region).
    let regions: Vec<(u32, Option<Value>)> = r
        .facts
        .calls
        .iter()
        .map(|c| (c.location.line, c.region.clone()))
        .collect();
    for (line, region) in regions {
        let expected = if line == 10 { "us-east-1" } else { "eu-west-1" };
        assert_eq!(region, Some(Value::str(expected)), "line {line}");
    }
}

#[test]
fn two_handlers_in_one_module_get_their_own_calls() {
    let producer = run("two-handlers", "app.py", Some("producer"));
    assert_calls(
        &producer,
        &[
            "app.py:13 sqs.send_message Call MessageBody='job' QueueUrl='https://sqs.us-east-1.amazonaws.com/123456789012/work'",
        ],
    );
    let consumer = run("two-handlers", "app.py", Some("consumer"));
    assert_calls(
        &consumer,
        &[
            "app.py:9 sns.publish Call Message='done' TopicArn='arn:aws:sns:us-east-1:123456789012:alerts'",
            "app.py:17 sqs.delete_message Call QueueUrl='https://sqs.us-east-1.amazonaws.com/123456789012/work' ReceiptHandle=?",
        ],
    );
    // Without a handler name the whole file is reachable: every function, called with
    // unknown arguments (so `_notify` also appears with an unknown message).
    let whole = run("two-handlers", "app.py", None);
    assert_calls(
        &whole,
        &[
            "app.py:9 sns.publish Call Message='done' TopicArn='arn:aws:sns:us-east-1:123456789012:alerts'",
            "app.py:9 sns.publish Call Message=? TopicArn='arn:aws:sns:us-east-1:123456789012:alerts'",
            "app.py:13 sqs.send_message Call MessageBody='job' QueueUrl='https://sqs.us-east-1.amazonaws.com/123456789012/work'",
            "app.py:17 sqs.delete_message Call QueueUrl='https://sqs.us-east-1.amazonaws.com/123456789012/work' ReceiptHandle=?",
        ],
    );
}

#[test]
fn dynamic_calls_are_unresolved_never_guessed() {
    let r = run("dynamic-calls", "app.py", Some("handler"));
    assert_calls(&r, &["app.py:11 s3.head_bucket Call Bucket='data'"]);
    assert_eq!(
        r.unresolved,
        vec![
            "app.py:8 getattr(s3, operation)(Bucket=\"data\") (operation name is not a constant (getattr))",
            "app.py:10 client.describe_things() (service of this client is not a constant)",
        ]
    );
}

#[test]
fn client_idioms_aliases_factories_class_attributes_layers_decorators() {
    let mut ctx = Context::new(fixture("client-idioms"));
    ctx.search_paths.push("layer/python".into());
    let r = run_ctx(&ctx, "handler.py", Some("handler"));
    assert_calls(
        &r,
        &[
            "handler.py:19 kinesis.put_record Call Data=? PartitionKey='p' StreamName='clicks'",
            "handler.py:25 sqs.send_message Call MessageBody='x' QueueUrl=$QUEUE_URL",
            "lib/factory.py:14 sns.publish Call Message='hi' TopicArn='arn:aws:sns:us-east-1:123456789012:alerts'",
            "lib/storage.py:10 dynamodb.put_item Helper Item={k:'k',v:'v'} TableName='kv-'+$STAGE|'dev'",
            "handler.py:29 kms.decrypt Call CiphertextBlob='...'",
            "layer/python/common_layer/audit.py:7 firehose.put_record Call DeliveryStreamName='audit' Record={Data:'event'}",
            "handler.py:32 logs.create_log_stream Call logGroupName='logs-'+? logStreamName='s'",
        ],
    );
    // Without the layer on the search path its module is third-party: not read.
    let r = run("client-idioms", "handler.py", Some("handler"));
    assert!(!r.calls.iter().any(|c| c.contains("firehose")));
}

#[test]
fn bad_input_gives_warnings_not_panics() {
    let r = run("bad-input", "app.py", Some("handler"));
    assert_calls(
        &r,
        &[
            "app.py:6 s3.get_object Call Bucket='b' Key='k'",
            "app.py:9 s3.delete_object Call Bucket='b' Key='k'",
        ],
    );
    assert_eq!(
        r.diagnostics,
        vec!["warning: app.py:7: syntax error; analysed what could be read"]
    );
    let r = run("bad-input", "uses_binary.py", None);
    assert!(r.calls.is_empty());
    assert_eq!(
        r.diagnostics,
        vec!["warning: helper.py: skipped: binary file"]
    );
    let r = run("bad-input", "missing.py", Some("handler"));
    assert_eq!(r.diagnostics.len(), 1);
    assert!(
        r.diagnostics[0].contains("missing.py"),
        "{:?}",
        r.diagnostics
    );
}

#[test]
fn symlinks_leaving_the_root_and_loops_are_not_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("proj");
    std::fs::create_dir(&root).expect("mkdir");
    std::fs::write(
        dir.path().join("outside.py"),
        "import boto3\nboto3.client('s3').delete_bucket(Bucket='x')\n",
    )
    .expect("write");
    std::fs::write(
        root.join("app.py"),
        "import outside\nimport loop\n\ndef handler(e, c):\n    pass\n",
    )
    .expect("write");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.path().join("outside.py"), root.join("outside.py"))
            .expect("symlink");
        std::os::unix::fs::symlink(root.join("loop.py"), root.join("loop.py")).expect("symlink");
    }
    let r = run_ctx(&Context::new(&root), "app.py", Some("handler"));
    assert!(r.calls.is_empty(), "{:?}", r.calls);
    #[cfg(unix)]
    {
        assert!(
            r.diagnostics
                .iter()
                .any(|d| d.contains("outside.py") && d.contains("symlink")),
            "{:?}",
            r.diagnostics
        );
        assert!(
            r.diagnostics.iter().any(|d| d.contains("loop.py")),
            "{:?}",
            r.diagnostics
        );
    }
}

#[test]
fn framework_routes_batch_callbacks_branches_and_main_guard() {
    let r = run("framework-routes", "app.py", Some("api_handler"));
    // TABLE is "orders-prod" on one branch and "orders-dev" on the other: unknown, not a guess.
    assert_calls(
        &r,
        &[
            "app.py:23 dynamodb.get_item Call Key={id:{S:?}} TableName=?",
            "app.py:28 dynamodb.delete_item Call Key={id:{S:?}} TableName='orders-archive'",
        ],
    );
    let r = run("framework-routes", "app.py", Some("batch_handler"));
    assert_calls(
        &r,
        &["app.py:32 dynamodb.put_item Call Item={body:{S:?}} TableName='events'"],
    );
}

#[test]
fn class_hierarchy_super_properties_async_executors_and_joined_returns() {
    let r = run("class-hierarchy", "app.py", Some("handler"));
    assert_calls(
        &r,
        &[
            // table_for returns one of two tables: the name is not guessed.
            "app.py:29 dynamodb.get_item Helper Key={id:?} TableName=?",
            "repositories.py:9 dynamodb.put_item Helper Item={event:?} TableName='audit-log'",
            "repositories.py:18 cloudwatch.put_metric_data Call MetricData=[] Namespace='Audit'",
            // archive runs on the executor's threads.
            "app.py:19 s3.delete_object Call Bucket='archive' Key=?",
            "app.py:34 sqs.send_message Call MessageBody='x' QueueUrl=$QUEUE_URL",
            "app.py:25 sns.publish Call Message='done' TopicArn=$TOPIC",
        ],
    );
}

#[test]
fn dependencies_vendored_by_pip_are_not_read() {
    let r = run("vendored", "app.py", Some("handler"));
    assert_calls(
        &r,
        &["app.py:12 ssm.get_parameter Call Name='/app/settings'"],
    );
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
}

#[test]
fn clients_kept_in_dicts_and_kwargs_built_step_by_step() {
    let r = run("client-cache", "app.py", Some("handler"));
    assert_calls(
        &r,
        &[
            "app.py:17 sqs.send_message Call MessageBody='x' QueueUrl='https://sqs.eu-west-1.amazonaws.com/1/jobs'",
            "app.py:18 dynamodb.put_item Helper Item={} TableName='orders'",
            // A key only known at run time: either table, so the name is unknown.
            "app.py:19 dynamodb.get_item Helper Key={} TableName=?",
            "app.py:22 s3.put_object Call Bucket='reports' Key='daily.csv'",
        ],
    );
}

#[test]
fn deeply_nested_and_oversized_generated_code_is_survived() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let terms: Vec<String> = (0..20_000).map(|i| format!("\"p{i}\"")).collect();
    let parens = format!("{}1{}", "(".repeat(3_000), ")".repeat(3_000));
    std::fs::write(
        root.join("gen.py"),
        format!(
            "import boto3\nNAME = {}\nX = {parens}\n\ndef handler(e, c):\n    boto3.client('sqs').send_message(QueueUrl=NAME)\n",
            terms.join(" + ")
        ),
    )
    .expect("write");
    let big = "x = 1\n".repeat(1_000_000);
    std::fs::write(root.join("big.py"), &big).expect("write");
    std::fs::write(root.join("app.py"), "import gen\nimport big\n").expect("write");
    let r = run_ctx(&Context::new(root), "gen.py", Some("handler"));
    assert_eq!(r.calls.len(), 1, "{:?}", r.calls);
    // Too deep to follow: the head of the name is unknown, not a wrong guess.
    assert!(
        r.calls[0].contains("QueueUrl=?+'p") && r.calls[0].ends_with("p19999'"),
        "{:?}",
        r.calls
    );
    let r = run_ctx(&Context::new(root), "app.py", None);
    assert!(
        r.diagnostics.iter().any(|d| d.contains("big.py")),
        "{:?}",
        r.diagnostics
    );
}

#[test]
fn powertools_feature_flags_read_their_store() {
    let r = run("powertools", "flags.py", Some("handler"));
    assert_calls(
        &r,
        &[
            "flags.py:8 appconfigdata.start_configuration_session Library ApplicationIdentifier='checkout' ConfigurationProfileIdentifier='features' EnvironmentIdentifier='prod'",
            "flags.py:8 appconfigdata.get_latest_configuration Library ApplicationIdentifier='checkout' ConfigurationProfileIdentifier='features' EnvironmentIdentifier='prod'",
        ],
    );
}

#[test]
fn analyses_run_from_rayon_workers_do_not_wait_on_themselves() {
    use rayon::prelude::*;
    // synth analyses functions on rayon's global pool; each analysis parses on a pool of
    // its own, so this finishes instead of deadlocking.
    let entries = ["producer", "consumer", "producer", "consumer"];
    let counts: Vec<usize> = entries
        .par_iter()
        .map(|f| run("two-handlers", "app.py", Some(f)).calls.len())
        .collect();
    assert_eq!(counts, vec![1, 2, 1, 2]);
}

#[test]
fn sam_template_bindings_flow_into_arguments() {
    let root = fixture("sam-app");
    let functions = crate::infra::discover(&root, &[]).expect("template reads");
    let create = functions
        .iter()
        .find(|f| f.name == "CreateOrderFunction")
        .expect("CreateOrderFunction");
    assert_eq!(create.entry.file, "src/app.py");
    let ctx = Context {
        root: root.canonicalize().expect("root"),
        env: create.env.clone(),
        search_paths: create.search_paths.clone(),
        event: crate::infra::event_values(create),
    };
    let r = run_ctx(&ctx, &create.entry.file, create.entry.function.as_deref());
    assert_calls(
        &r,
        &[
            "src/orders/store.py:14 dynamodb.put_item Helper Item=? TableName=!OrdersTable",
            "src/orders/store.py:20 s3.put_object Call Body=? Bucket=!ReceiptsBucket Key='receipts/'+?+'.json'",
        ],
    );
}

#[test]
fn dispatch_tables_call_every_entry() {
    let r = run("client-cache", "app.py", Some("router"));
    assert_calls(
        &r,
        &[
            "app.py:26 dynamodb.scan Helper TableName='orders'",
            "app.py:30 sns.publish Call Message='x' TopicArn='arn:aws:sns:eu-west-1:1:created'",
        ],
    );
}

#[test]
fn getattr_with_a_known_prefix_dispatches_to_every_matching_method() {
    let r = run("getattr-dispatch", "app.py", Some("handler"));
    assert_calls(
        &r,
        &[
            "app.py:9 sqs.send_message Call MessageBody='c' QueueUrl='https://sqs.us-east-1.amazonaws.com/1/created'",
            "app.py:12 s3.delete_object Call Bucket='documents' Key=?",
        ],
    );
    assert!(r.unresolved.is_empty(), "{:?}", r.unresolved);
}

fn run_source(files: &[(&str, &str)], entry: &str, function: Option<&str>) -> Run {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }
    run_ctx(&Context::new(dir.path()), entry, function)
}

#[test]
fn resource_waiters_received_messages_and_collection_batch_actions() {
    let source = r#"import boto3

sqs = boto3.resource("sqs")
ddb = boto3.resource("dynamodb")
s3 = boto3.resource("s3")


def handler(event, context):
    queue = sqs.Queue("https://sqs.us-east-1.amazonaws.com/1/jobs")
    for message in queue.receive_messages(MaxNumberOfMessages=10):
        message.delete()
    ddb.Table("sessions").wait_until_exists()
    s3.Bucket("scratch").objects.all().delete()
"#;
    let r = run_source(&[("app.py", source)], "app.py", Some("handler"));
    assert_calls(
        &r,
        &[
            "app.py:10 sqs.receive_message Helper MaxNumberOfMessages=10 QueueUrl='https://sqs.us-east-1.amazonaws.com/1/jobs'",
            "app.py:11 sqs.delete_message Helper QueueUrl='https://sqs.us-east-1.amazonaws.com/1/jobs' ReceiptHandle=?",
            "app.py:12 dynamodb.waiter:table_exists Waiter TableName='sessions'",
            "app.py:13 s3.list_objects Helper Bucket='scratch'",
            "app.py:13 s3.delete_objects Helper Bucket='scratch' Delete=?",
        ],
    );
}

#[test]
fn walrus_bindings_and_functions_handed_to_partial() {
    let source = r#"import functools

import boto3


def archive(bucket, key):
    boto3.client("s3").copy_object(Bucket=bucket, Key=key, CopySource="live/" + key)


def handler(event, context):
    if (queue := boto3.resource("sqs").Queue("https://sqs.us-east-1.amazonaws.com/1/q")):
        queue.send_message(MessageBody="x")
    task = functools.partial(archive, "archive")
    task(event["key"])
"#;
    let r = run_source(&[("app.py", source)], "app.py", Some("handler"));
    assert_calls(
        &r,
        &[
            "app.py:12 sqs.send_message Helper MessageBody='x' QueueUrl='https://sqs.us-east-1.amazonaws.com/1/q'",
            // partial() binds the bucket; the call supplies the key.
            "app.py:7 s3.copy_object Call Bucket='archive' CopySource='live/'+? Key=?",
        ],
    );
}

#[test]
fn tracing_decorators_wrap_and_register_nothing() {
    let source = r#"import boto3
from aws_lambda_powertools import Logger, Tracer

logger = Logger(service="cart")
tracer = Tracer(service="cart")
table = boto3.resource("dynamodb").Table("carts")


@tracer.capture_method
def purge(user_id):
    table.delete_item(Key={"pk": user_id})


@logger.inject_lambda_context(log_event=True)
@tracer.capture_lambda_handler
def lambda_handler(event, context):
    tracer.put_annotation(key="user", value=event["user"])
    table.query(KeyConditionExpression="pk = :u")
"#;
    let r = run_source(&[("app.py", source)], "app.py", Some("lambda_handler"));
    assert_calls(
        &r,
        &["app.py:18 dynamodb.query Helper KeyConditionExpression='pk = :u' TableName='carts'"],
    );
}

#[test]
fn powertools_decrypt_is_passed_as_with_decryption() {
    let source = r#"from aws_lambda_powertools.utilities import parameters


def handler(event, context):
    return parameters.get_parameter("/db/password", decrypt=True)
"#;
    let r = run_source(&[("app.py", source)], "app.py", Some("handler"));
    assert_calls(
        &r,
        &["app.py:5 ssm.get_parameter Library Name='/db/password' WithDecryption=True"],
    );
}

#[test]
fn sdk_calls_on_unidentified_receivers_are_unresolved_not_dropped() {
    let app = r#"import boto3
from shared.aws import ddb_client

tbl = boto3.resource("dynamodb").Table("orders")


def handler(event, context, table=None, client=None):
    table.put_item(Item={"pk": "1"})
    client.start_execution(stateMachineArn="arn")
    sm.get_secret_value(SecretId="s")
    ddb_client.update_item(Key={})
    env.get_template("page.html")
    objects.create_user("bob")
    session.query("select 1")
    cache.get("k")
    notify(boto3.client("sqs"))
    with tbl.batch_writer() as batch:
        batch.put_item(Item={"pk": "2"})


def notify(sqs):
    sqs.send_message(QueueUrl="q", MessageBody="m")
"#;
    let why = "(receiver is not a known AWS client)";
    let expected_unresolved: Vec<String> = [
        "app.py:8 table.put_item(Item={\"pk\": \"1\"})",
        "app.py:9 client.start_execution(stateMachineArn=\"arn\")",
        "app.py:10 sm.get_secret_value(SecretId=\"s\")",
        "app.py:11 ddb_client.update_item(Key={})",
    ]
    .iter()
    .map(|u| format!("{u} {why}"))
    .collect();
    let expected_calls = [
        "app.py:17 dynamodb.batch_write_item Helper TableName='orders'",
        "app.py:22 sqs.send_message Call MessageBody='m' QueueUrl='q'",
    ];
    for function in [Some("handler"), None] {
        let run = run_source(&[("app.py", app)], "app.py", function);
        assert_calls(&run, &expected_calls);
        // `notify` is also walked with an unknown argument when the whole file is
        // reachable: its call was resolved through the handler, so it is not unresolved.
        assert_eq!(run.unresolved, expected_unresolved, "entry {function:?}");
    }
}

#[test]
fn fastapi_routers_included_in_a_mangum_app_and_their_dependencies() {
    let run = run_ctx(
        &Context::new(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/realism/fastapi-mangum"),
        ),
        "app/main.py",
        Some("handler"),
    );
    // Routes of `notes.router` (mounted with include_router) run with `table` and `s3`
    // bound to what `Depends(get_table)` / `Depends(get_s3)` return.
    assert_calls(
        &run,
        &[
            "app/main.py:17 sqs.send_message Call MessageBody='health' QueueUrl=$AUDIT_QUEUE_URL",
            "app/routers/notes.py:12 dynamodb.get_item Helper Key={id:?} TableName=$NOTES_TABLE",
            "app/routers/notes.py:17 dynamodb.put_item Helper Item={id:?} TableName=$NOTES_TABLE",
            "app/routers/notes.py:23 s3.get_object Call Bucket=$FILES_BUCKET Key=?+'.txt'",
        ],
    );
    assert!(run.unresolved.is_empty(), "{:?}", run.unresolved);
}

#[test]
fn dependencies_that_yield_annotated_dependencies_and_blueprints() {
    let routes = r#"from typing import Annotated

import boto3
from fastapi import APIRouter, Depends


def get_queue():
    client = boto3.client("sqs")
    try:
        yield client
    finally:
        client.close()


def get_bus():
    return boto3.client("events")


router = APIRouter()


@router.post("/send")
def send(q=Depends(get_queue)):
    q.send_message(QueueUrl="jobs", MessageBody="x")


@router.post("/emit")
def emit(bus: Annotated[object, Depends(get_bus)]):
    bus.put_events(Entries=[])
"#;
    let views = r#"import boto3
from flask import Blueprint

bp = Blueprint("files", __name__)


@bp.route("/f")
def files():
    boto3.client("s3").list_buckets()
"#;
    let app = r#"from fastapi import FastAPI
from mangum import Mangum

import routes

api = FastAPI()
api.include_router(routes.router, prefix="/v1")
handler = Mangum(api)
"#;
    let wsgi = r#"from flask import Flask

from views import bp

flask_app = Flask(__name__)
flask_app.register_blueprint(bp)
"#;
    let files = [
        ("app.py", app),
        ("wsgi.py", wsgi),
        ("routes.py", routes),
        ("views.py", views),
    ];
    let run = run_source(&files, "app.py", Some("handler"));
    assert_calls(
        &run,
        &[
            "routes.py:24 sqs.send_message Call MessageBody='x' QueueUrl='jobs'",
            "routes.py:29 events.put_events Call Entries=[]",
        ],
    );
    assert!(run.unresolved.is_empty(), "{:?}", run.unresolved);
    // Zappa-style entry naming the WSGI app object: its blueprints' routes are reachable.
    let run = run_source(&files, "wsgi.py", Some("flask_app"));
    assert!(run.diagnostics.is_empty(), "{:?}", run.diagnostics);
    assert_calls(&run, &["views.py:9 s3.list_buckets Call"]);
    // Zappa's routed-app entry (`@flask_app.route`) reaches the mounted blueprint too.
    let run = run_source(&files, "wsgi.py", Some("@flask_app.route"));
    assert_calls(&run, &["views.py:9 s3.list_buckets Call"]);
}

#[test]
fn dataclass_factories_literal_loops_and_one_fact_per_call() {
    let app = r#"import os
from dataclasses import dataclass, field

import boto3
from fastapi import FastAPI
from mangum import Mangum

s3 = boto3.client("s3")
app = FastAPI()


@dataclass
class Settings:
    table: str = field(default_factory=lambda: os.environ["TABLE"])
    archive: str = field(default="archive-bucket")


@app.get("/")
def index(limit=10):
    settings = Settings()
    boto3.resource("dynamodb").Table(settings.table).get_item(Key={"id": "1"})
    s3.head_bucket(Bucket=settings.archive)
    for bucket in ["logs", "media"]:
        s3.head_bucket(Bucket=bucket)
    for name, queue in [("a", "q1"), ("b", "q2")]:
        boto3.client("sqs").get_queue_url(QueueName=queue)
    return {}


def warm(event, context):
    return index(limit=1)


handler = Mangum(app)
"#;
    // The whole file: `index` is reached as a route, as a file-level function and from
    // `warm` with other arguments (a second chain); each call is still one fact.
    let run = run_source(&[("app.py", app)], "app.py", None);
    assert_calls(
        &run,
        &[
            "app.py:21 dynamodb.get_item Helper Key={id:'1'} TableName=$TABLE",
            "app.py:22 s3.head_bucket Call Bucket='archive-bucket'",
            "app.py:24 s3.head_bucket Call Bucket='logs'",
            "app.py:24 s3.head_bucket Call Bucket='media'",
            "app.py:26 sqs.get_queue_url Call QueueName='q1'",
            "app.py:26 sqs.get_queue_url Call QueueName='q2'",
        ],
    );
    assert_eq!(run.facts.calls.len(), 6, "{:#?}", run.facts.calls);
    assert!(run.unresolved.is_empty(), "{:?}", run.unresolved);
}

#[test]
fn repository_settings_from_a_dataclass_factory() {
    let run = run_ctx(
        &Context::new(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../fixtures/realism/python-repository-class"),
        ),
        "src/app/main.py",
        Some("handler"),
    );
    let tables: Vec<&str> = run
        .calls
        .iter()
        .filter(|c| c.contains("dynamodb."))
        .map(String::as_str)
        .collect();
    assert!(!tables.is_empty());
    assert!(
        tables.iter().all(|c| c.contains("$INVOICES_TABLE")),
        "{tables:#?}"
    );
}

/// The bucket an S3 notification names is one of the function's trigger buckets: every
/// way handlers read `Records[].s3.bucket.name` binds to them; other event paths stay
/// unknown (Lambda developer guide, example Amazon S3 notification event).
#[test]
fn s3_event_bucket_binds_to_the_trigger_buckets() {
    let uploads = Value::Infra(Box::new(crate::InfraRef {
        logical_id: "Uploads".into(),
        resource_type: "AWS::S3::Bucket".into(),
        attribute: None,
        known: Some("uploads".into()),
    }));
    let mut ctx = Context::new(fixture("s3-event"));
    ctx.event
        .insert("Records[].s3.bucket.name".into(), uploads.clone());
    for (function, expected) in [
        (
            "subscripts",
            "app.py:13 s3.get_object Call Bucket=!Uploads Key=?",
        ),
        (
            "gets",
            "app.py:18 s3.delete_object Call Bucket=!Uploads Key='x'",
        ),
        (
            "data_class",
            "app.py:24 s3.head_object Call Bucket=!Uploads Key=?",
        ),
        (
            "not_the_bucket",
            "app.py:28 s3.put_object Call Body='' Bucket=? Key='y'",
        ),
    ] {
        let r = run_ctx(&ctx, "app.py", Some(function));
        assert_eq!(r.calls, vec![expected.to_string()], "{function}");
    }
    // Without triggers the bucket is unknown.
    let r = run("s3-event", "app.py", Some("subscripts"));
    assert_eq!(
        r.calls,
        vec!["app.py:13 s3.get_object Call Bucket=? Key=?".to_string()]
    );
}

#[test]
fn pynamodb_index_queries_name_the_index_of_the_model_table() {
    // Meta.index_name when the index sets it, else the model attribute's name (PynamoDB
    // docs, "Index Queries"); the table is the model's Meta.table_name; queries on an index
    // return the model's items (`order.save()` writes the model's table).
    let by_email = run("pynamodb-indexes", "app.py", Some("find_by_email"));
    assert_calls(
        &by_email,
        &["app.py:5 dynamodb.query Library IndexName='email-index' TableName='orders'"],
    );
    let report = run("pynamodb-indexes", "app.py", Some("pending_report"));
    assert_calls(
        &report,
        &[
            "app.py:9 dynamodb.query Library IndexName='status_index' TableName='orders'",
            "app.py:10 dynamodb.query Library IndexName='status_index' TableName='orders'",
            "app.py:12 dynamodb.put_item Library TableName='orders'",
        ],
    );
    let recent = run("pynamodb-indexes", "app.py", Some("recent"));
    assert_calls(
        &recent,
        &["app.py:17 dynamodb.query Library IndexName='by-created' TableName='orders'"],
    );
    let audit = run("pynamodb-indexes", "app.py", Some("audit"));
    assert_calls(
        &audit,
        &["app.py:24 dynamodb.scan Library IndexName='email-index' TableName='orders'"],
    );
}

#[test]
fn an_index_not_read_from_a_model_queries_an_unknown_index_of_an_unknown_table() {
    let models = r#"from pynamodb.indexes import GlobalSecondaryIndex
from pynamodb.models import Model


class ByStatus(GlobalSecondaryIndex):
    pass


class Job(Model):
    class Meta:
        table_name = "jobs"

    by_status = ByStatus()
"#;
    let app = r#"from models import ByStatus, Job


def run_query(index):
    return list(index.query("DONE"))


def handler(event, context):
    run_query(Job.by_status)
    return ByStatus().scan()
"#;
    let r = run_source(
        &[("models.py", models), ("app.py", app)],
        "app.py",
        Some("handler"),
    );
    // Passed along, the index still knows its model; made on its own, it names neither
    // (an index of some table: never the table itself).
    assert_calls(
        &r,
        &[
            "app.py:5 dynamodb.query Library IndexName='by_status' TableName='jobs'",
            "app.py:10 dynamodb.scan Library IndexName=? TableName=?",
        ],
    );
}

#[test]
fn keyword_splats_dict_builders_partials_and_method_aliases() {
    let export = run("kwargs-builders", "app.py", Some("export"));
    assert_calls(
        &export,
        &[
            "app.py:23 s3.put_object Call Body=? Bucket='acme-exports' ContentType='application/json' ExpectedBucketOwner='123456789012' Key='exports/'+?+'.json'",
            "app.py:26 s3.head_object Call Bucket='acme-exports' ExpectedBucketOwner='123456789012' Key='exports/'+?+'.json'",
            "app.py:28 sqs.send_message Call MessageBody=? QueueUrl='https://sqs.eu-west-1.amazonaws.com/123456789012/exports'",
        ],
    );
    let save = run("kwargs-builders", "app.py", Some("save"));
    assert_calls(
        &save,
        &[
            "app.py:33 dynamodb.put_item Helper Item={pk:?} TableName='orders'",
            "app.py:35 s3.get_object Call Bucket='acme-exports' ExpectedBucketOwner='123456789012' Key='incoming/'+?",
        ],
    );
    let cleanup = run("kwargs-builders", "app.py", Some("cleanup"));
    assert_calls(
        &cleanup,
        &[
            "app.py:41 s3.delete_object Call Bucket='acme-exports' ExpectedBucketOwner='123456789012' Key='tmp/'+?",
        ],
    );
}

#[test]
fn dict_mutations_update_what_a_splat_passes() {
    let source = r#"import boto3

s3 = boto3.client("s3")
BASE = {"Bucket": "base"}


def handler(event, context):
    kw = {}
    kw.update(BASE)
    kw.setdefault("Key", "default-key")
    s3.get_object(**kw)
    gone = dict(BASE, Key="k")
    gone.pop("Bucket")
    s3.delete_object(**gone)
    unknown = dict(BASE)
    unknown.update(event["extra"])
    s3.head_object(**unknown)
"#;
    let r = run_source(&[("app.py", source)], "app.py", Some("handler"));
    assert_calls(
        &r,
        &[
            "app.py:11 s3.get_object Call Bucket='base' Key='default-key'",
            "app.py:14 s3.delete_object Call Key='k'",
            // Updated from an unknown mapping: any key may have changed.
            "app.py:17 s3.head_object Call",
        ],
    );
}

#[test]
fn aioboto3_and_aiobotocore_clients_resources_and_sessions_make_boto3_facts() {
    let r = run("aioboto3-async", "app.py", Some("handler"));
    assert_calls(
        &r,
        &[
            // `async with session.client("s3") as s3`: the context manager is the client.
            "app.py:14 s3.put_object Call Body=? Bucket=$RECEIPTS_BUCKET Key='receipts/'+?+'.json'",
            // `await ddb.Table(name)`: the awaited table is a boto3 Table resource.
            "app.py:24 dynamodb.put_item Helper Item=? TableName=$ORDERS_TABLE",
            // aiobotocore: `get_session().create_client("sqs")`.
            "app.py:29 sqs.send_message Call MessageBody=? QueueUrl=$QUEUE_URL",
        ],
    );
    assert!(r.unresolved.is_empty(), "{:?}", r.unresolved);
}

#[test]
fn settings_class_fields_read_the_environment() {
    let r = run("settings-env", "service/handler.py", Some("handler"));
    assert_calls(
        &r,
        &[
            // `table_name: str` -> TABLE_NAME.
            "service/handler.py:17 dynamodb.put_item Helper Item={id:?,name:?} TableName=$TABLE_NAME",
            // validation_alias=AliasChoices(...): the first name, the field default kept.
            "service/handler.py:18 s3.put_object Call Body=? Bucket=$UPLOADS_BUCKET|'uploads-local' Key='uploads/'+?+'.json'",
            // alias="EVENTS_TOPIC_ARN": the alias, not the field name.
            "service/handler.py:19 sns.publish Call Message=? TopicArn=$EVENTS_TOPIC_ARN",
            // env_prefix="JOBS_".
            "service/handler.py:20 sqs.send_message Call MessageBody=? QueueUrl=$JOBS_QUEUE_URL",
            // pydantic v1: Field(env=...) ignores the prefix; a plain field takes it.
            "service/handler.py:22 dynamodb.put_item Helper Item={id:?} TableName=$AUDIT_TABLE_NAME|'audit-local'",
            "service/handler.py:23 secretsmanager.get_secret_value Call SecretId=$AUDIT_SECRET_ID",
            // pydantic v1: `alias` does not name the variable.
            "service/handler.py:24 s3.put_object Call Body=? Bucket=$AUDIT_ARCHIVE_BUCKET|'archive-local' Key='audit/latest.json'",
            // A keyword argument is the field's value.
            "service/handler.py:26 dynamodb.get_item Helper Key={id:?} TableName='archive'",
        ],
    );
}

#[test]
fn settings_variables_bind_without_case_and_alias_choices_in_order() {
    let mut ctx = Context::new(fixture("settings-env"));
    // pydantic-settings compares names without case; the second AliasChoices name is bound.
    ctx.env
        .insert("table_name".into(), Value::str("orders-prod"));
    ctx.env.insert("BUCKET".into(), Value::str("uploads-prod"));
    ctx.env
        .insert("jobs_queue_url".into(), Value::str("https://sqs/1/jobs"));
    let r = run_ctx(&ctx, "service/handler.py", Some("handler"));
    let wanted = [
        "service/handler.py:17 dynamodb.put_item Helper Item={id:?,name:?} TableName='orders-prod'",
        "service/handler.py:18 s3.put_object Call Body=? Bucket='uploads-prod' Key='uploads/'+?+'.json'",
        "service/handler.py:20 sqs.send_message Call MessageBody=? QueueUrl='https://sqs/1/jobs'",
    ];
    for line in wanted {
        assert!(
            r.calls.iter().any(|c| c == line),
            "{line} not in {:#?}",
            r.calls
        );
    }
}

#[test]
fn settings_inherit_fields_and_configuration_from_local_bases() {
    let source = r#"import boto3
from pydantic_settings import BaseSettings, SettingsConfigDict


class AppSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_", case_sensitive=True)

    table_name: str = "local-table"


class Settings(AppSettings):
    bucket: str


settings = Settings()


def handler(event, context):
    boto3.resource("dynamodb").Table(settings.table_name).delete_item(Key={"id": "1"})
    boto3.client("s3").get_object(Bucket=settings.bucket, Key="k")
"#;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("app.py"), source).expect("write");
    let mut ctx = Context::new(dir.path());
    // case_sensitive=True: `APP_bucket` is the variable, `APP_BUCKET` is not it.
    ctx.env
        .insert("APP_BUCKET".into(), Value::str("wrong-case"));
    let r = run_ctx(&ctx, "app.py", Some("handler"));
    assert_calls(
        &r,
        &[
            "app.py:19 dynamodb.delete_item Helper Key={id:'1'} TableName=$APP_table_name|'local-table'",
            "app.py:20 s3.get_object Call Bucket=$APP_bucket Key='k'",
        ],
    );
}

#[test]
fn settings_handed_to_a_fastapi_route_by_depends() {
    let source = r#"from functools import lru_cache
from typing import Annotated

import boto3
from fastapi import Depends, FastAPI
from mangum import Mangum
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    table_name: str


@lru_cache
def get_settings():
    return Settings()


app = FastAPI()


@app.get("/items/{item_id}")
def read_item(item_id: str, settings: Annotated[Settings, Depends(get_settings)]):
    return boto3.resource("dynamodb").Table(settings.table_name).get_item(Key={"id": item_id})


handler = Mangum(app)
"#;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.py"), source).expect("write");
    let mut ctx = Context::new(dir.path());
    ctx.env
        .insert("TABLE_NAME".into(), Value::str("items-prod"));
    let r = run_ctx(&ctx, "main.py", Some("handler"));
    assert_calls(
        &r,
        &["main.py:24 dynamodb.get_item Helper Key={id:?} TableName='items-prod'"],
    );
}

#[test]
fn regions_fixed_for_clients_travel_with_their_calls() {
    let r = run("client-region", "app.py", Some("handler"));
    let mut regions: Vec<(String, String, Option<Value>)> = r
        .facts
        .calls
        .iter()
        .map(|c| {
            (
                c.client.service.clone(),
                c.location.line.to_string(),
                c.region.clone(),
            )
        })
        .collect();
    regions.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        regions,
        [
            // The runtime's own region (`AWS_REGION`) is no region of its own.
            ("dynamodb".into(), "25".into(), None),
            (
                "dynamodb".into(),
                "26".into(),
                Some(Value::str("eu-central-1"))
            ),
            ("ses".into(), "27".into(), Some(Value::str("us-east-1"))),
            (
                "sns".into(),
                "32".into(),
                Some(Value::Env {
                    name: "ALERTS_REGION".into(),
                    default: None
                })
            ),
            // From `config=Config(region_name=...)`.
            ("sqs".into(), "33".into(), Some(Value::str("us-west-2"))),
        ]
    );
}
