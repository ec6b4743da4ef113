//! Rust analysis throughput: 1,000 generated cargo-lambda binaries (~150 lines each) in one
//! package, each analysed as its own function from `main`, on all cores (rayon). Beside it,
//! syn's raw parse rate on the same files, also on all cores: the analysis should reach at
//! least half of it. Target: the 1,000 files analysed in under 0.5 s.
//!
//! `cargo bench -p iamsynth-bench --bench rust`

// The binary's allocator (bench/lib.rs).
use iamsynth_bench as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use analyzer::{Context, Entry, Language};
use divan::counter::BytesCount;
use rayon::prelude::*;

const FILES: usize = 1_000;

/// The generated package, written once per process and removed when `main` ends.
struct Project {
    root: PathBuf,
    entries: Vec<Entry>,
    texts: Vec<String>,
    bytes: usize,
}

fn project() -> &'static Project {
    static PROJECT: std::sync::OnceLock<Project> = std::sync::OnceLock::new();
    PROJECT.get_or_init(|| {
        generate(&std::env::temp_dir().join(format!("iamsynth-bench-rust-{}", std::process::id())))
    })
}

fn generate(root: &Path) -> Project {
    let bin = root.join("src/bin");
    std::fs::create_dir_all(&bin).expect("create the bench project");
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"bench-fns\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\naws-config = \"1\"\naws-sdk-dynamodb = \"1\"\naws-sdk-s3 = \"1\"\nsqs = { package = \"aws-sdk-sqs\", version = \"1\" }\nlambda_runtime = \"0.13\"\n",
    )
    .expect("write Cargo.toml");
    let mut entries = Vec::with_capacity(FILES);
    let mut texts = Vec::with_capacity(FILES);
    for i in 0..FILES {
        let text = function_source(i);
        let file = format!("src/bin/fn_{i:04}.rs");
        std::fs::write(root.join(&file), &text).expect("write a bench source");
        entries.push(Entry {
            file,
            function: Some("main".into()),
        });
        texts.push(text);
    }
    let bytes = texts.iter().map(String::len).sum();
    Project {
        root: root.to_path_buf(),
        entries,
        texts,
        bytes,
    }
}

/// One ~150-line function in the style of real cargo-lambda code: a struct holding
/// clients, methods with fluent calls, env reads, `format!`, helpers, a paginator,
/// closures and `tokio::join!`.
fn function_source(i: usize) -> String {
    format!(
        r#"use std::env;
use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client as DynamoClient;
use aws_sdk_s3::primitives::ByteStream;
use lambda_runtime::{{run, service_fn, Error, LambdaEvent}};
use serde_json::{{json, Value}};

const TABLE_PREFIX: &str = "orders-{i}";
static ARCHIVE_BUCKET: &str = "archive-{i}";

#[derive(Clone)]
struct Service{i} {{
    ddb: DynamoClient,
    s3: Arc<aws_sdk_s3::Client>,
    queue: sqs::Client,
    table: String,
    queue_url: String,
}}

impl Service{i} {{
    async fn new() -> Self {{
        let config = aws_config::load_from_env().await;
        let stage = env::var("STAGE").unwrap_or_else(|_| "dev".to_string());
        Self {{
            ddb: DynamoClient::new(&config),
            s3: Arc::new(aws_sdk_s3::Client::new(&config)),
            queue: sqs::Client::new(&config),
            table: format!("{{}}-{{}}", TABLE_PREFIX, stage),
            queue_url: env::var("QUEUE_URL").expect("QUEUE_URL must be set"),
        }}
    }}

    async fn load(&self, id: &str) -> Result<Option<Value>, Error> {{
        let out = self
            .ddb
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(id.to_string()))
            .consistent_read(true)
            .send()
            .await?;
        Ok(out.item.map(|item| json!({{ "found": item.len() }})))
    }}

    async fn save(&self, id: &str, body: &str) -> Result<(), Error> {{
        self.ddb
            .put_item()
            .table_name(&self.table)
            .item("pk", AttributeValue::S(id.to_string()))
            .item("body", AttributeValue::S(body.to_string()))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await?;
        Ok(())
    }}

    async fn archive(&self, id: &str, body: String) -> Result<(), Error> {{
        let key = format!("archive/{{id}}.json");
        self.s3
            .put_object()
            .bucket(ARCHIVE_BUCKET)
            .key(key)
            .body(ByteStream::from(body.into_bytes()))
            .content_type("application/json")
            .send()
            .await?;
        Ok(())
    }}

    async fn notify(&self, id: &str) -> Result<(), Error> {{
        let message = json!({{ "id": id, "source": "fn-{i}" }}).to_string();
        self.queue
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(message)
            .send()
            .await?;
        Ok(())
    }}

    async fn sweep(&self) -> Result<usize, Error> {{
        let mut count = 0;
        let mut pages = self
            .s3
            .list_objects_v2()
            .bucket(ARCHIVE_BUCKET)
            .prefix("archive/")
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {{
            for object in page?.contents() {{
                if object.size().unwrap_or_default() == 0 {{
                    self.s3
                        .delete_object()
                        .bucket(ARCHIVE_BUCKET)
                        .key(object.key().unwrap_or_default())
                        .send()
                        .await?;
                    count += 1;
                }}
            }}
        }}
        Ok(count)
    }}
}}

fn order_id(event: &Value) -> String {{
    event
        .get("id")
        .and_then(|v| v.as_str())
        .map(|s| s.trim().to_lowercase())
        .unwrap_or_else(|| "unknown".to_string())
}}

async fn handle(service: &Service{i}, event: LambdaEvent<Value>) -> Result<Value, Error> {{
    let id = order_id(&event.payload);
    if let Some(existing) = service.load(&id).await? {{
        return Ok(existing);
    }}
    let body = event.payload.to_string();
    service.save(&id, &body).await?;
    let (archived, notified) = tokio::join!(service.archive(&id, body.clone()), service.notify(&id));
    archived?;
    notified?;
    if id.ends_with('0') {{
        let swept = service.sweep().await?;
        tracing::info!(swept, "archive swept");
    }}
    Ok(json!({{ "id": id, "status": "saved" }}))
}}

#[tokio::main]
async fn main() -> Result<(), Error> {{
    tracing_subscriber::fmt().json().with_target(false).init();
    let service = Service{i}::new().await;
    let service = &service;
    run(service_fn(move |event: LambdaEvent<Value>| async move {{
        handle(service, event).await
    }}))
    .await
}}
"#
    )
}

fn analyze_all(p: &Project) -> usize {
    let ctx = Context::new(&p.root);
    p.entries
        .par_iter()
        .map(|entry| analyzer::analyze(&ctx, Language::Rust, entry).calls.len())
        .sum()
}

fn parse_all(p: &Project) -> usize {
    p.texts
        .par_iter()
        .map(|text| syn::parse_file(text).map(|f| f.items.len()).unwrap_or(0))
        .sum()
}

fn main() {
    let p = project();
    // One timed pass of each, printed beside each other, before divan's sampling.
    let calls = analyze_all(p);
    let start = Instant::now();
    let calls_again = analyze_all(p);
    let analysed = start.elapsed();
    let start = Instant::now();
    let items = parse_all(p);
    let parsed = start.elapsed();
    assert_eq!(calls, calls_again);
    assert_eq!(
        calls,
        FILES * 6,
        "every generated function makes six SDK calls"
    );
    assert!(items > 0);
    let mb = p.bytes as f64 / 1e6;
    let analyse_rate = mb / analysed.as_secs_f64();
    let parse_rate = mb / parsed.as_secs_f64();
    println!(
        "rust: {FILES} files, {mb:.1} MB on {} threads: analysed in {:.0} ms ({analyse_rate:.1} MB/s, target < 500 ms); \
         syn parse alone {:.0} ms ({parse_rate:.1} MB/s); analysis reaches {:.0}% of the parse rate (target >= 50%)",
        rayon::current_num_threads(),
        analysed.as_secs_f64() * 1e3,
        parsed.as_secs_f64() * 1e3,
        100.0 * analyse_rate / parse_rate,
    );
    divan::main();
    let _ = std::fs::remove_dir_all(&p.root);
}

/// Analysis of all files, from each `main`, on all cores.
#[divan::bench(sample_count = 10)]
fn analyze_1000_files(bencher: divan::Bencher) {
    let p = project();
    bencher
        .counter(BytesCount::new(p.bytes))
        .bench(|| analyze_all(p));
}

/// syn's parse of the same files, on all cores: the ceiling for analysis.
#[divan::bench(sample_count = 10)]
fn syn_parse_1000_files(bencher: divan::Bencher) {
    let p = project();
    bencher
        .counter(BytesCount::new(p.bytes))
        .bench(|| parse_all(p));
}
