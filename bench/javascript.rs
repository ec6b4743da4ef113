//! JavaScript/TypeScript analysis throughput. 2,000 generated files of about 100 lines
//! (half CommonJS with SDK v2, half TypeScript ES modules with SDK v3, each importing one of
//! 20 shared helper modules) are analysed file by file (whole-file entries) on all cores with
//! rayon; each analysis loads its file and the helper it imports.
//!
//! Targets (issue 4): all 2,000 in under 1 s, peak memory under 300 MB, and at least half of
//! tree-sitter's raw parse rate on the same files and cores. Before divan's samples, one run
//! of each prints its MB/s and the process's peak resident memory.

// The binary's allocator (bench/lib.rs).
use iamsynth_bench as _;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

use analyzer::{Context, Entry, Language};
use rayon::prelude::*;

const FILES: usize = 2_000;
/// Helper modules the generated files import.
const SHARED: usize = 20;

struct Corpus {
    dir: tempfile::TempDir,
    files: Vec<String>,
    bytes: usize,
}

fn js_file(i: usize) -> String {
    let mut s = format!(
        "'use strict';\nconst AWS = require('aws-sdk');\nconst {{ helper }} = require('./shared/helper_{shared}');\n\
         const s3 = new AWS.S3();\nconst ddb = new AWS.DynamoDB.DocumentClient();\n\
         const TABLE = process.env.TABLE_{i} || 'table-{i}';\n\n",
        shared = i % SHARED
    );
    for k in 0..10 {
        s.push_str(&format!(
            "async function step{k}(event) {{\n  const key = `prefix/{k}/${{event.id}}`;\n  \
             const item = await ddb.get({{ TableName: TABLE, Key: {{ id: event.id }} }}).promise();\n  \
             if (!item.Item) {{\n    await s3.putObject({{ Bucket: 'bucket-{i}', Key: key, Body: JSON.stringify(event) }}).promise();\n  }}\n  \
             // step {k} of file {i}: keep going\n  return helper(item);\n}}\n\n"
        ));
    }
    s.push_str("exports.handler = async (event) => {\n");
    for k in 0..10 {
        s.push_str(&format!("  await step{k}(event);\n"));
    }
    s.push_str("};\n");
    s
}

fn ts_file(i: usize) -> String {
    let mut s = format!(
        "import {{ S3Client, PutObjectCommand }} from \"@aws-sdk/client-s3\";\n\
         import {{ DynamoDBDocumentClient, GetCommand }} from \"@aws-sdk/lib-dynamodb\";\n\
         import {{ DynamoDBClient }} from \"@aws-sdk/client-dynamodb\";\n\
         import {{ helper }} from \"./shared/helper_{shared}.js\";\n\n\
         const s3 = new S3Client({{}});\nconst ddb = DynamoDBDocumentClient.from(new DynamoDBClient({{}}));\n\
         const TABLE: string = process.env.TABLE_{i} ?? \"table-{i}\";\n\n",
        shared = i % SHARED
    );
    for k in 0..10 {
        s.push_str(&format!(
            "async function step{k}(event: {{ id: string }}): Promise<unknown> {{\n  const key = `prefix/{k}/${{event.id}}`;\n  \
             const item = await ddb.send(new GetCommand({{ TableName: TABLE, Key: {{ id: event.id }} }}));\n  \
             if (!item.Item) {{\n    await s3.send(new PutObjectCommand({{ Bucket: \"bucket-{i}\", Key: key, Body: JSON.stringify(event) }}));\n  }}\n  \
             // step {k} of file {i}\n  return helper(item);\n}}\n\n"
        ));
    }
    s.push_str("export const handler = async (event: { id: string }) => {\n");
    for k in 0..10 {
        s.push_str(&format!("  await step{k}(event);\n"));
    }
    s.push_str("};\n");
    s
}

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary folder for the corpus");
        let mut files = Vec::with_capacity(FILES);
        let mut bytes = 0;
        let shared = dir.path().join("shared");
        std::fs::create_dir_all(&shared).expect("shared folder");
        for i in 0..SHARED {
            let (js, ts) = (
                "exports.helper = (x) => x;\n".to_string(),
                "export const helper = (x: unknown): unknown => x;\n".to_string(),
            );
            std::fs::write(shared.join(format!("helper_{i}.js")), js).expect("write helper");
            std::fs::write(shared.join(format!("helper_{i}.ts")), ts).expect("write helper");
        }
        for i in 0..FILES {
            let (name, text) = if i % 2 == 0 {
                (format!("mod_{i}.js"), js_file(i))
            } else {
                (format!("mod_{i}.ts"), ts_file(i))
            };
            bytes += text.len();
            std::fs::write(dir.path().join(&name), text).expect("write corpus file");
            files.push(name);
        }
        Corpus { dir, files, bytes }
    })
}

fn analyze_all(corpus: &Corpus) -> usize {
    let ctx = Context::new(corpus.dir.path());
    corpus
        .files
        .par_iter()
        .map(|file| {
            let language = Language::of_path(Path::new(file)).unwrap_or(Language::JavaScript);
            let entry = Entry {
                file: file.clone(),
                function: None,
            };
            analyzer::analyze(&ctx, language, &entry).calls.len()
        })
        .sum()
}

fn parse_all(corpus: &Corpus) -> usize {
    corpus
        .files
        .par_iter()
        .map(|file| {
            let text = std::fs::read_to_string(corpus.dir.path().join(file)).unwrap_or_default();
            let grammar: tree_sitter::Language = if file.ends_with(".ts") {
                tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()
            } else {
                tree_sitter_javascript::LANGUAGE.into()
            };
            let mut parser = tree_sitter::Parser::new();
            if parser.set_language(&grammar).is_err() {
                return 0;
            }
            parser
                .parse(&text, None)
                .map_or(0, |t| t.root_node().child_count() as usize)
        })
        .sum()
}

/// Peak resident memory of this process, from /proc (Linux), in MB.
fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let corpus = corpus();
    let mb = corpus.bytes as f64 / 1e6;
    let start = Instant::now();
    let parsed = parse_all(corpus);
    let parse = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let calls = analyze_all(corpus);
    let analyse = start.elapsed().as_secs_f64();
    eprintln!(
        "javascript: {FILES} files, {mb:.1} MB, {threads} threads\n  tree-sitter parse only: {parse:.3} s, {:.1} MB/s ({parsed} top-level nodes)\n  iamsynth analysis:      {analyse:.3} s, {:.1} MB/s ({calls} call facts), {:.0}% of the parse rate\n  peak memory: {} MB",
        mb / parse,
        mb / analyse,
        100.0 * parse / analyse,
        peak_mb().map_or_else(|| "unknown".to_string(), |m| format!("{m:.0}")),
        threads = rayon::current_num_threads(),
    );
    divan::main();
}

#[divan::bench(sample_count = 5)]
fn analyze_2000_files() -> usize {
    analyze_all(corpus())
}

#[divan::bench(sample_count = 5)]
fn tree_sitter_parse_2000_files() -> usize {
    parse_all(corpus())
}
