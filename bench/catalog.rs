//! Catalog figures: cold load (parse the index of the compiled-in data) and a first lookup,
//! which parses one client's and one service's line. Target: cold load under 20 ms.
//!
//! `cargo bench -p iamsynth-bench --bench catalog`

// The binary's allocator (bench/lib.rs).
use iamsynth_bench as _;
use std::collections::BTreeMap;

use analyzer::{Client, Operation, Sdk};

fn main() {
    // The process-wide catalog is loaded once; time that first, cold, outside divan's loop.
    let start = std::time::Instant::now();
    let catalog = synth::catalog::catalog();
    let cold = start.elapsed();
    let start = std::time::Instant::now();
    let op = catalog
        .resolve(
            &Client {
                sdk: Sdk::Boto3,
                service: "dynamodb".into(),
            },
            &Operation::Method("put_item".into()),
        )
        .expect("dynamodb put_item is in the catalog");
    let _ = catalog.required(op, &BTreeMap::new());
    let first_lookup = start.elapsed();
    println!(
        "catalog cold load: {:.2} ms (target < 20 ms); first lookup: {:.2} ms",
        cold.as_secs_f64() * 1e3,
        first_lookup.as_secs_f64() * 1e3
    );
    divan::main();
}

/// A lookup once the client's line is parsed: the steady state of analysis.
#[divan::bench]
fn warm_lookup() -> usize {
    let catalog = synth::catalog::catalog();
    let op = catalog
        .resolve(
            &Client {
                sdk: Sdk::JsV3,
                service: "client-s3".into(),
            },
            &Operation::Method(divan::black_box("GetObjectCommand").into()),
        )
        .expect("in catalog");
    catalog.required(op, &BTreeMap::new()).needs.len()
}
