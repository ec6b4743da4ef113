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
