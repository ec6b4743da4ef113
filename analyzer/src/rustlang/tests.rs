//! Fact-level tests on the fixtures under `fixtures/rust/`: the exact calls, arguments,
//! lines and chains, written by hand from reading each fixture.

use std::path::PathBuf;

use crate::facts::{CallFact, Operation, Via};
use crate::value::Value;
use crate::{Context, Entry, FunctionFacts};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/rust")
        .join(name)
}

fn run(name: &str, file: &str, function: Option<&str>) -> FunctionFacts {
    let ctx = Context::new(fixture(name));
    let entry = Entry {
        file: file.to_string(),
        function: function.map(str::to_string),
    };
    super::analyze(&ctx, &entry)
}

/// A compact, readable form of a value: `"s"`, `env(NAME|default)`, `?`, `{k: v}`.
fn show(value: &Value) -> String {
    match value {
        Value::Str { value } => format!("{value:?}"),
        Value::Scalar { value } => value.clone(),
        Value::Env { name, default } => match default {
            Some(d) => format!("env({name}|{})", show(d)),
            None => format!("env({name})"),
        },
        Value::Infra(r) => format!("infra({})", r.logical_id),
        Value::Concat { parts } => parts.iter().map(show).collect::<Vec<_>>().join(" + "),
        Value::List { items } => format!(
            "[{}]",
            items.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
        Value::Map { entries } => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{k}: {}", show(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Unknown => "?".to_string(),
    }
}

/// `service op via file:line args`, one fact a line.
fn show_call(fact: &CallFact) -> String {
    let op = match &fact.operation {
        Operation::Method(m) => m.clone(),
        Operation::Waiter(w) => format!("waiter:{w}"),
    };
    let via = match fact.via {
        Via::Call => "",
        Via::Paginator => " (paginator)",
        Via::Presign => " (presign)",
        Via::Waiter => " (waiter)",
        Via::Helper => " (helper)",
        Via::Library => " (library)",
    };
    let args = fact
        .args
        .iter()
        .map(|(k, v)| format!("{k}={}", show(v)))
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "{} {op}{via} {}:{} {args}",
        fact.client.service, fact.location.file, fact.location.line
    )
}

fn calls(facts: &FunctionFacts) -> Vec<String> {
    let mut shown: Vec<String> = facts.calls.iter().map(show_call).collect();
    shown.dedup();
    shown
}

fn chains(facts: &FunctionFacts) -> Vec<String> {
    facts
        .calls
        .iter()
        .map(|c| {
            c.chain
                .iter()
                .map(|s| format!("{}@{}", s.function, s.at.line))
                .collect::<Vec<_>>()
                .join(" > ")
        })
        .collect()
}

#[test]
fn single_file_follows_service_fn_closure_to_the_handler() {
    let facts = run("single-file", "src/main.rs", Some("main"));
    assert_eq!(
        calls(&facts),
        [
            "aws-sdk-dynamodb get_item src/main.rs:27 key={id: ?} table_name=env(TABLE_NAME|\"orders\")",
            "aws-sdk-dynamodb put_item src/main.rs:20 item={body: ?, id: ?} table_name=env(TABLE_NAME|\"orders\")",
        ]
    );
    assert_eq!(
        chains(&facts),
        [
            "main@42 > function_handler@27",
            "main@42 > function_handler@20"
        ]
    );
    assert!(facts.unresolved.is_empty(), "{:?}", facts.unresolved);
    assert!(facts.diagnostics.is_empty(), "{:?}", facts.diagnostics);
    assert_eq!(
        facts.calls[1].call,
        "client .put_item() .table_name(table) .item(\"id\", AttributeValue::S(request.id.…"
    );
}

#[test]
fn one_thread_analysing_many_functions_keeps_exact_lines() {
    // Analyses reuse this thread's worker, which forgets the spans of each analysis's
    // files before the next: lines must stay those of the file being analysed, whatever
    // was lexed before it.
    let first = run("single-file", "src/main.rs", Some("main"));
    let other = run("modules", "src/main.rs", Some("main"));
    let again = run("single-file", "src/main.rs", Some("main"));
    assert_eq!(calls(&first), calls(&again));
    assert_eq!(chains(&first), chains(&again));
    assert_eq!(
        calls(&again),
        [
            "aws-sdk-dynamodb get_item src/main.rs:27 key={id: ?} table_name=env(TABLE_NAME|\"orders\")",
            "aws-sdk-dynamodb put_item src/main.rs:20 item={body: ?, id: ?} table_name=env(TABLE_NAME|\"orders\")",
        ]
    );
    assert_eq!(
        calls(&other),
        calls(&run("modules", "src/main.rs", Some("main")))
    );
}

#[test]
fn modules_follow_mod_files_path_attributes_and_renamed_crates() {
    let facts = run("modules", "src/main.rs", Some("main"));
    assert_eq!(
        calls(&facts),
        [
            "aws-sdk-s3 get_object src/storage_s3.rs:8 bucket=\"thumbs-images-\" + env(STAGE|\"dev\") key=?",
            "aws-sdk-s3 put_object src/storage_s3.rs:11 body=? key=\"small/\" + ? set_bucket=\"thumbs-images-\" + env(STAGE|\"dev\")",
            "aws-sdk-sqs send_message src/handlers/process_event.rs:14 message_body=? queue_url=env(QUEUE_URL)",
        ]
    );
    assert_eq!(
        chains(&facts),
        [
            "main@15 > process@12 > copy_thumb@8",
            "main@15 > process@12 > copy_thumb@11",
            "main@15 > process@14",
        ]
    );
    assert!(facts.unresolved.is_empty(), "{:?}", facts.unresolved);
    assert!(facts.diagnostics.is_empty(), "{:?}", facts.diagnostics);
}

#[test]
fn struct_client_reads_clients_and_names_from_fields() {
    let facts = run("struct-client", "src/main.rs", Some("main"));
    assert_eq!(
        calls(&facts),
        [
            "aws-sdk-sns publish src/main.rs:40 message=? topic_arn=\"arn:aws:sns:us-east-1:123456789012:order-events\"",
            "aws-sdk-sqs send_message src/main.rs:34 message_body=? queue_url=env(QUEUE_URL)",
        ]
    );
    assert_eq!(
        chains(&facts),
        [
            "main@58 > handler@50 > Notifier::notify@40",
            "main@58 > handler@50 > Notifier::notify@34",
        ]
    );
    assert!(facts.unresolved.is_empty(), "{:?}", facts.unresolved);
}

#[test]
fn store_trait_keeps_the_concrete_store_through_dyn_and_generic_parameters() {
    let get = run("store-trait", "src/bin/get-product.rs", Some("main"));
    assert_eq!(
        calls(&get),
        [
            "aws-sdk-dynamodb get_item src/store/dynamodb.rs:26 key={id: ?} table_name=env(TABLE_NAME)"
        ]
    );
    assert_eq!(
        chains(&get),
        ["main@9 > get_product@5 > DynamoDBStore::get@26"]
    );
    assert!(get.unresolved.is_empty(), "{:?}", get.unresolved);

    let put = run("store-trait", "src/bin/put-product.rs", Some("main"));
    assert_eq!(
        calls(&put),
        [
            "aws-sdk-dynamodb put_item src/store/dynamodb.rs:42 item={id: ?, name: ?} table_name=env(TABLE_NAME)"
        ]
    );
    assert!(put.unresolved.is_empty(), "{:?}", put.unresolved);
}

#[test]
fn store_trait_without_a_concrete_store_is_unresolved_not_guessed() {
    let facts = run("store-trait", "src/domain.rs", Some("get_product"));
    assert!(facts.calls.is_empty(), "{:?}", facts.calls);
    assert_eq!(facts.unresolved.len(), 1);
    let u = &facts.unresolved[0];
    assert_eq!(
        (u.location.file.as_str(), u.location.line),
        ("src/domain.rs", 5)
    );
    assert_eq!(u.call, "store.get(id)");
    assert_eq!(
        u.why,
        "`get` is called on `StoreGet` whose concrete type is not known here; implemented with AWS calls by DynamoDBStore"
    );

    let generic = run("store-trait", "src/domain.rs", Some("put_product"));
    assert!(generic.calls.is_empty());
    assert_eq!(generic.unresolved.len(), 1);
    assert_eq!(generic.unresolved[0].location.line, 9);
}

#[test]
fn paginators_waiters_and_once_cell_statics() {
    let facts = run("paginator", "src/main.rs", Some("main"));
    assert_eq!(
        calls(&facts),
        [
            "aws-sdk-dynamodb scan (paginator) src/main.rs:44 table_name=\"reports\"",
            "aws-sdk-dynamodb waiter:table_exists (waiter) src/main.rs:39 table_name=\"reports\"",
            "aws-sdk-s3 delete_object src/main.rs:30 bucket=env(REPORTS_BUCKET) key=?",
            "aws-sdk-s3 list_objects_v2 (paginator) src/main.rs:22 bucket=env(REPORTS_BUCKET) prefix=\"reports/\"",
        ]
    );
    assert!(facts.unresolved.is_empty(), "{:?}", facts.unresolved);
}

#[test]
fn presigned_requests_including_a_builder_split_across_lets() {
    let facts = run("presigned", "src/main.rs", Some("main"));
    assert_eq!(
        calls(&facts),
        [
            "aws-sdk-s3 get_object (presign) src/main.rs:18 bucket=env(UPLOAD_BUCKET) key=\"uploads/\" + ? + \".jpg\"",
            "aws-sdk-s3 put_object (presign) src/main.rs:12 bucket=env(UPLOAD_BUCKET) content_type=\"image/jpeg\" key=\"uploads/\" + ? + \".jpg\"",
        ]
    );
    assert!(facts.unresolved.is_empty(), "{:?}", facts.unresolved);
}

#[test]
fn axum_handlers_get_the_state_built_in_main() {
    let facts = run("axum-state", "src/main.rs", Some("main"));
    assert_eq!(
        calls(&facts),
        [
            "aws-sdk-dynamodb delete_item src/main.rs:30 key={pk: ?} table_name=env(TODO_TABLE|\"todos\")",
            "aws-sdk-dynamodb query src/main.rs:18 expression_attribute_values={:pk: ?} key_condition_expression=\"pk = :pk\" table_name=env(TODO_TABLE|\"todos\")",
        ]
    );
    assert_eq!(
        chains(&facts),
        ["main@47 > delete_todo@30", "main@46 > list_todos@18"]
    );
}

#[test]
fn a_handler_named_directly_gets_its_clients_from_parameter_types() {
    let facts = run("presigned", "src/main.rs", Some("handler"));
    assert_eq!(
        calls(&facts),
        [
            "aws-sdk-s3 get_object (presign) src/main.rs:18 bucket=? key=\"uploads/\" + ? + \".jpg\"",
            "aws-sdk-s3 put_object (presign) src/main.rs:12 bucket=? content_type=\"image/jpeg\" key=\"uploads/\" + ? + \".jpg\"",
        ]
    );
    assert_eq!(chains(&facts), ["handler@18", "handler@12"]);
}

#[test]
fn whole_file_entry_walks_every_function_of_the_file() {
    let facts = run("store-trait", "src/store/dynamodb.rs", None);
    let mut ops: Vec<String> = calls(&facts);
    ops.sort();
    assert_eq!(
        ops,
        [
            "aws-sdk-dynamodb get_item src/store/dynamodb.rs:26 key={id: ?} table_name=?",
            "aws-sdk-dynamodb put_item src/store/dynamodb.rs:42 item={id: ?, name: ?} table_name=?",
        ]
    );
}

#[test]
fn package_folder_entry_picks_the_named_binary() {
    let facts = run("store-trait", ".", Some("get-product"));
    assert_eq!(
        calls(&facts),
        [
            "aws-sdk-dynamodb get_item src/store/dynamodb.rs:26 key={id: ?} table_name=env(TABLE_NAME)"
        ]
    );
    let single = run("single-file", "Cargo.toml", None);
    assert_eq!(single.calls.len(), 2);
    let ambiguous = run("store-trait", ".", None);
    assert!(ambiguous.calls.is_empty());
    assert_eq!(
        ambiguous.diagnostics[0].message,
        "cannot tell which binary is the function (found: get-product, put-product)"
    );
}

#[test]
fn local_traits_implemented_for_the_sdk_client_are_followed_not_taken_as_operations() {
    let facts = run("client-trait", "src/main.rs", Some("main"));
    assert_eq!(
        calls(&facts),
        [
            "aws-sdk-s3 get_object src/storage.rs:19 bucket=\"incoming-images\" key=?",
            "aws-sdk-s3 put_object src/storage.rs:27 body=? bucket=\"resized-images\" key=\"small/\" + ?",
        ]
    );
    assert_eq!(
        chains(&facts),
        [
            "main@28 > resize@13 > Client::fetch@19",
            "main@28 > resize@14 > Client::store@27"
        ]
    );
    assert!(facts.unresolved.is_empty(), "{:?}", facts.unresolved);

    // The generic handler on its own: which storage runs is not known.
    let alone = run("client-trait", "src/main.rs", Some("resize"));
    assert!(alone.calls.is_empty(), "{:?}", alone.calls);
    let why: Vec<&str> = alone.unresolved.iter().map(|u| u.why.as_str()).collect();
    assert_eq!(
        why,
        [
            "`fetch` is called on `Fetch` whose concrete type is not known here; implemented with AWS calls by aws_sdk_s3::Client",
            "`store` is called on `Store` whose concrete type is not known here; implemented with AWS calls by aws_sdk_s3::Client",
        ]
    );
}

#[test]
fn foreign_trait_impls_of_values_handed_to_the_runtime_are_walked() {
    let facts = run("service-impl", "src/main.rs", Some("main"));
    assert_eq!(
        calls(&facts),
        ["aws-sdk-kinesis put_records src/main.rs:33 records=? stream_name=\"clickstream\""]
    );
    assert_eq!(chains(&facts), ["main@47 > Forwarder::call@33"]);
}

/// Writes `files` into a fresh project and analyses `entry`.
fn run_files(files: &[(&str, &str)], file: &str, function: Option<&str>) -> FunctionFacts {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    }
    let ctx = Context::new(dir.path());
    let entry = Entry {
        file: file.to_string(),
        function: function.map(str::to_string),
    };
    super::analyze(&ctx, &entry)
}

#[test]
fn hostile_projects_give_diagnostics_not_panics() {
    let chain: String = (0..400).map(|i| format!(".key(\"k{i}\")")).collect();
    let main = format!(
        r#"
#[path = "main.rs"]
mod again;
mod missing;
mod a {{ pub use super::b::f; }}
mod b {{ pub use super::a::f; }}
use a::f as g;
macro_rules! boom {{ ($($t:tt)*) => {{}} }}
fn rec(c: &aws_sdk_s3::Client) {{ rec(c); c.head_bucket().bucket("x").send(); }}
#[tokio::main]
async fn main() {{
    let c = aws_sdk_s3::Client::new(&aws_config::load_from_env().await);
    g();
    boom!(c.list_buckets().send() => weird tokens);
    tokio::select! {{ r = c.delete_bucket().bucket("gone").send() => {{}} }}
    let _ = c.get_object().bucket("deep"){chain}.send().await;
    rec(&c);
    let _ = format!("{{a b}} {{:?}} {{9}}", c);
}}
"#
    );
    let facts = run_files(
        &[("src/main.rs", &main), ("src/broken.rs", "fn (")],
        "src/main.rs",
        Some("main"),
    );
    let ops: Vec<String> = facts
        .calls
        .iter()
        .map(|c| format!("{:?}", c.operation))
        .collect();
    assert_eq!(ops, ["Method(\"get_object\")", "Method(\"head_bucket\")"]);
    let notes: Vec<String> = facts.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        notes,
        [
            "note: src/main.rs:4: module `missing` has no source file here; not analysed",
            "note: src/main.rs:14: cannot read inside macro `boom!`; SDK calls in it are not analysed",
            "note: src/main.rs:15: cannot read inside macro `select!`; SDK calls in it are not analysed",
        ]
    );
    // A file that does not parse is a warning, never a panic.
    let broken = run_files(&[("src/broken.rs", "fn (")], "src/broken.rs", None);
    assert!(
        broken.diagnostics[0]
            .message
            .starts_with("cannot parse Rust:")
    );
}

#[test]
fn lazy_static_clients_and_names_are_statics() {
    let main = r#"use lazy_static::lazy_static;
use aws_sdk_sqs::Client;

lazy_static! {
    static ref QUEUE: String = std::env::var("QUEUE_URL").unwrap();
    pub static ref SQS: Client = make();
}

fn make() -> Client {
    panic!("configured at start-up")
}

fn main() {
    SQS.purge_queue().queue_url(QUEUE.as_str()).send();
}
"#;
    let facts = run_files(&[("src/main.rs", main)], "src/main.rs", Some("main"));
    assert_eq!(
        calls(&facts),
        ["aws-sdk-sqs purge_queue src/main.rs:14 queue_url=env(QUEUE_URL)"]
    );
}

#[test]
fn functions_declared_inside_main_are_reachable() {
    let main = r#"use aws_sdk_sns::Client;

#[tokio::main]
async fn main() {
    const TOPIC: &str = "arn:aws:sns:eu-west-1:111122223333:alerts";
    async fn handler(client: &Client) {
        client.publish().topic_arn(TOPIC).message("up").send().await;
    }
    let client = Client::new(&aws_config::load_from_env().await);
    lambda_runtime::run(lambda_runtime::service_fn(|_e: ()| handler(&client))).await;
}
"#;
    let facts = run_files(&[("src/main.rs", main)], "src/main.rs", Some("main"));
    assert_eq!(
        calls(&facts),
        [
            "aws-sdk-sns publish src/main.rs:7 message=\"up\" topic_arn=\"arn:aws:sns:eu-west-1:111122223333:alerts\""
        ]
    );
}

#[test]
fn client_configuration_reads_are_not_operations() {
    let main = r#"fn main() {
    let client = aws_sdk_s3::Client::new(&config);
    println!("{:?} {:?}", client.conf().region(), client.config().region());
    client.list_buckets().send();
}
"#;
    let facts = run_files(&[("src/main.rs", main)], "src/main.rs", Some("main"));
    assert_eq!(calls(&facts), ["aws-sdk-s3 list_buckets src/main.rs:4 "]);
    assert!(facts.unresolved.is_empty());
}

#[test]
fn clients_held_in_collections_are_still_clients() {
    let main = r#"use std::collections::HashMap;
use aws_sdk_sqs::Client;

struct Fanout {
    by_region: HashMap<String, Client>,
    all: Vec<Client>,
}

fn handler(f: &Fanout) {
    f.by_region.get("eu").unwrap().purge_queue().queue_url("q1").send();
    for client in &f.all {
        client.delete_queue().queue_url("q2").send();
    }
}
"#;
    let facts = run_files(&[("src/main.rs", main)], "src/main.rs", Some("handler"));
    assert_eq!(
        calls(&facts),
        [
            "aws-sdk-sqs delete_queue src/main.rs:12 queue_url=\"q2\"",
            "aws-sdk-sqs purge_queue src/main.rs:10 queue_url=\"q1\"",
        ]
    );
}

#[test]
fn test_only_code_is_not_part_of_the_function() {
    let main = r#"use aws_sdk_s3::Client;

pub async fn handler(client: &Client) {
    client.head_bucket().bucket("live").send().await;
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn cleans_up() {
        let client = aws_sdk_s3::Client::new(&config);
        client.delete_bucket().bucket("test").send().await;
    }
}

#[test]
fn also_a_test() {
    let client = aws_sdk_s3::Client::new(&config);
    client.delete_bucket().bucket("test").send();
}
"#;
    let facts = run_files(&[("src/lib.rs", main)], "src/lib.rs", None);
    assert_eq!(
        calls(&facts),
        ["aws-sdk-s3 head_bucket src/lib.rs:4 bucket=\"live\""]
    );
}

#[test]
fn envy_structs_read_one_variable_per_field() {
    let main = r#"use serde::Deserialize;

#[derive(Deserialize)]
struct Config {
    table_name: String,
    bucket: String,
}

async fn handler(ddb: &aws_sdk_dynamodb::Client, s3: &aws_sdk_s3::Client) -> Result<(), Error> {
    let config: Config = envy::from_env()?;
    ddb.get_item().table_name(&config.table_name).send().await?;
    let again = envy::from_env::<Config>().expect("config");
    s3.get_object().bucket(again.bucket).key("k").send().await?;
    Ok(())
}
"#;
    let facts = run_files(&[("src/main.rs", main)], "src/main.rs", Some("handler"));
    assert_eq!(
        calls(&facts),
        [
            "aws-sdk-dynamodb get_item src/main.rs:11 table_name=env(TABLE_NAME)",
            "aws-sdk-s3 get_object src/main.rs:13 bucket=env(BUCKET) key=\"k\"",
        ]
    );
}

#[test]
fn associated_consts_name_resources() {
    let main = r#"struct Orders {
    db: aws_sdk_dynamodb::Client,
}

impl Orders {
    const TABLE: &'static str = "orders";

    async fn remove(&self, id: &str) {
        self.db.delete_item().table_name(Self::TABLE).send().await;
        self.db.describe_table().table_name(Orders::TABLE).send().await;
    }
}
"#;
    let facts = run_files(
        &[("src/main.rs", main)],
        "src/main.rs",
        Some("Orders::remove"),
    );
    assert_eq!(
        calls(&facts),
        [
            "aws-sdk-dynamodb delete_item src/main.rs:9 table_name=\"orders\"",
            "aws-sdk-dynamodb describe_table src/main.rs:10 table_name=\"orders\"",
        ]
    );
}

#[test]
fn clients_from_other_crates_functions_are_unresolved_and_channels_are_not_aws() {
    let main = r#"async fn handler() {
    let client = shared_clients::dynamodb().await;
    client.put_item().table_name("orders").send().await;
    let http = reqwest::Client::new();
    http.get("https://example.com").send().await;
    let (tx, _rx) = tokio::sync::mpsc::channel(8);
    tx.clone().send(1).await;
}
"#;
    let facts = run_files(&[("src/main.rs", main)], "src/main.rs", Some("handler"));
    assert!(facts.calls.is_empty(), "{:?}", facts.calls);
    let shown: Vec<String> = facts
        .unresolved
        .iter()
        .map(|u| {
            format!(
                "{}:{} {} | {}",
                u.location.file, u.location.line, u.call, u.why
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            "src/main.rs:3 client.put_item().table_name(\"orders\").send() | `.send()` on a request whose client type is not known here"
        ]
    );
}

#[test]
fn workspace_members_reach_the_shared_crate_by_workspace_and_renamed_path_dependencies() {
    let create = run(
        "workspace",
        "functions/create-user/src/main.rs",
        Some("main"),
    );
    assert_eq!(
        calls(&create),
        [
            "aws-sdk-dynamodb put_item shared/src/users.rs:13 condition_expression=\"attribute_not_exists(id)\" item={id: ?} table_name=\"users\""
        ]
    );
    assert_eq!(chains(&create), ["main@9 > Users::create@13"]);

    let delete = run(
        "workspace",
        "functions/delete-user/src/main.rs",
        Some("main"),
    );
    assert_eq!(
        calls(&delete),
        [
            "aws-sdk-cognitoidentityprovider admin_delete_user functions/delete-user/src/main.rs:8 user_pool_id=\"eu-west-1_AbCdEf123\" username=?",
            "aws-sdk-dynamodb delete_item shared/src/users.rs:24 key={id: ?} table_name=\"users\"",
        ]
    );
    assert!(delete.unresolved.is_empty(), "{:?}", delete.unresolved);
    assert!(delete.diagnostics.is_empty(), "{:?}", delete.diagnostics);
}

#[test]
fn strings_changed_in_place_are_followed_or_forgotten_never_stale() {
    let main = r#"struct Cfg {
    table: String,
}

fn handler(s3: &aws_sdk_s3::Client, ddb: &aws_sdk_dynamodb::Client) {
    let mut bucket = "images".to_owned();
    bucket.push_str("-thumbs");
    s3.head_bucket().bucket(&bucket).send();
    let mut prefix = String::from("logs");
    prefix += "/2024";
    s3.list_objects_v2().bucket("b").prefix(prefix.clone()).send();
    prefix.truncate(2);
    s3.list_objects_v2().bucket("c").prefix(prefix).send();
    let mut cfg = Cfg { table: "a".into() };
    cfg.table = std::env::var("TABLE").unwrap();
    ddb.scan().table_name(&cfg.table).send();
}
"#;
    let facts = run_files(&[("src/main.rs", main)], "src/main.rs", Some("handler"));
    assert_eq!(
        calls(&facts),
        [
            "aws-sdk-dynamodb scan src/main.rs:16 table_name=env(TABLE)",
            "aws-sdk-s3 head_bucket src/main.rs:8 bucket=\"images-thumbs\"",
            "aws-sdk-s3 list_objects_v2 src/main.rs:11 bucket=\"b\" prefix=\"logs/2024\"",
            "aws-sdk-s3 list_objects_v2 src/main.rs:13 bucket=\"c\" prefix=?",
        ]
    );
}

#[test]
fn locals_changed_in_a_loop_are_not_pinned_to_their_first_value() {
    let main = r#"fn handler(sqs: &aws_sdk_sqs::Client, ids: Vec<String>) {
    let mut queue = "first".to_string();
    let fixed = "fixed";
    for id in ids {
        sqs.purge_queue().queue_url(&queue).send();
        sqs.get_queue_url().queue_name(fixed).send();
        queue = format!("next-{id}");
    }
}
"#;
    let facts = run_files(&[("src/main.rs", main)], "src/main.rs", Some("handler"));
    assert_eq!(
        calls(&facts),
        [
            "aws-sdk-sqs get_queue_url src/main.rs:6 queue_name=\"fixed\"",
            "aws-sdk-sqs purge_queue src/main.rs:5 queue_url=?",
        ]
    );
}

#[test]
fn locals_set_in_one_branch_only_are_not_pinned() {
    let main = r#"fn handler(sqs: &aws_sdk_sqs::Client, urgent: bool, kind: u8) {
    let mut queue = "normal".to_string();
    if urgent {
        queue = "urgent".to_string();
    }
    sqs.purge_queue().queue_url(&queue).send();
    let same = if urgent { "both" } else { "both" };
    let mut other = "x";
    match kind {
        1 => other = "y",
        _ => other = "y",
    }
    sqs.purge_queue().queue_url(same).queue_url(other).send();
}
"#;
    let facts = run_files(&[("src/main.rs", main)], "src/main.rs", Some("handler"));
    assert_eq!(
        calls(&facts),
        [
            "aws-sdk-sqs purge_queue src/main.rs:13 queue_url=[\"both\", \"y\"]",
            "aws-sdk-sqs purge_queue src/main.rs:6 queue_url=?",
        ]
    );
}

#[test]
fn an_invalid_cargo_toml_is_a_warning_and_the_file_is_still_analysed() {
    let facts = run_files(
        &[
            ("Cargo.toml", "[package]\nname = \"x\"\n[dependencies\n"),
            (
                "src/main.rs",
                "fn main() { aws_sdk_sts::Client::new(&c).get_caller_identity().send(); }\n",
            ),
        ],
        "src/main.rs",
        Some("main"),
    );
    assert_eq!(
        calls(&facts),
        ["aws-sdk-sts get_caller_identity src/main.rs:1 "]
    );
    assert_eq!(facts.diagnostics.len(), 1);
    assert!(
        facts.diagnostics[0]
            .message
            .starts_with("invalid Cargo.toml")
    );
    assert_eq!(facts.diagnostics[0].line, 3);
}

#[test]
fn fields_changed_by_a_mut_self_method_are_seen_by_the_caller() {
    let main = r#"struct Repo {
    ddb: aws_sdk_dynamodb::Client,
    table: String,
}

impl Repo {
    fn use_table(&mut self, name: &str) {
        self.table = name.to_string();
    }

    fn count(&self) {
        self.ddb.describe_table().table_name(&self.table).send();
    }
}

fn handler(ddb: aws_sdk_dynamodb::Client) {
    let mut repo = Repo { ddb, table: "default".into() };
    repo.use_table("archive");
    repo.count();
}
"#;
    let facts = run_files(&[("src/main.rs", main)], "src/main.rs", Some("handler"));
    assert_eq!(
        calls(&facts),
        ["aws-sdk-dynamodb describe_table src/main.rs:12 table_name=\"archive\""]
    );
}

#[test]
fn library_models_turn_the_secrets_manager_caching_client_into_its_sdk_calls() {
    let facts = run("secrets-cache", "src/main.rs", Some("main"));
    assert_eq!(
        calls(&facts),
        [
            "aws-sdk-secretsmanager describe_secret (library) src/main.rs:10 secret_id=\"prod/orders/db\"",
            "aws-sdk-secretsmanager get_secret_value (library) src/main.rs:10 secret_id=\"prod/orders/db\"",
        ]
    );
    // Known by its declared type alone, too.
    let typed = run("secrets-cache", "src/main.rs", Some("handler"));
    assert_eq!(typed.calls.len(), 2);
}

#[test]
fn rusoto_clients_make_the_same_operations_with_input_structs() {
    let main = r#"use rusoto_core::Region;
use rusoto_dynamodb::{DynamoDb, DynamoDbClient, PutItemInput};
use rusoto_events::{EventBridge, EventBridgeClient, PutEventsRequest};

const TABLE: &str = "visits";

async fn handler(ddb: &DynamoDbClient) {
    let input = PutItemInput {
        table_name: TABLE.to_string(),
        item: Default::default(),
        ..Default::default()
    };
    ddb.put_item(input).await.unwrap();
    let events = EventBridgeClient::new(Region::default());
    events.put_events(PutEventsRequest { entries: vec![] }).await.unwrap();
}
"#;
    let facts = run_files(
        &[
            (
                "Cargo.toml",
                "[package]\nname = \"visits\"\n[dependencies]\nrusoto_core = \"0.47\"\nrusoto_dynamodb = \"0.47\"\nrusoto_events = \"0.47\"\n",
            ),
            ("src/main.rs", main),
        ],
        "src/main.rs",
        Some("handler"),
    );
    assert_eq!(
        calls(&facts),
        [
            "aws-sdk-dynamodb put_item src/main.rs:13 item=? table_name=\"visits\"",
            "aws-sdk-eventbridge put_events src/main.rs:15 entries=[]",
        ]
    );
    assert!(facts.unresolved.is_empty(), "{:?}", facts.unresolved);
}
