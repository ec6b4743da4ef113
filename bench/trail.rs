//! CloudTrail evidence throughput: 1 GB of uncompressed CloudTrail records, gzip'd on disk in
//! the S3 delivery layout, reduced to the per-role report. Targets: under 10 s on this
//! machine (2 cores) and a peak resident set under 300 MB.
//!
//! `cargo bench -p iamsynth-bench --bench trail` (`IAMSYNTH_BENCH_TRAIL_MB=100` for a
//! smaller run). The logs are generated into a temporary folder first, outside the timing.

#[path = "../tools/cloudtrail-fixtures/generator.rs"]
mod generator;

// The binary's allocator (bench/lib.rs).
use iamsynth_bench as _;
use std::time::Instant;

use generator::{Call, Role, Spec};
use synth::trail::{Filter, Progress, Source, files::LogFiles, report};

fn spec(day: u32, seed: u64) -> Spec {
    let role = |name: &str, calls: Vec<Call>| Role {
        name: name.to_string(),
        session: format!("{name}-fn"),
        calls,
    };
    let roles = (0..40)
        .map(|i| {
            role(
                &format!("service-{i:02}-role"),
                vec![
                    Call::ok("dynamodb.amazonaws.com", "PutItem", 5),
                    Call::ok("dynamodb.amazonaws.com", "Query", 3),
                    Call::ok("s3.amazonaws.com", "GetObject", 4),
                    Call::ok("sqs.amazonaws.com", "SendMessage", 2),
                    Call::ok("lambda.amazonaws.com", "Invoke", 1),
                    Call::ok("kms.amazonaws.com", "GenerateDataKey", 1),
                    Call::ok(
                        "lambda.amazonaws.com",
                        "UpdateFunctionConfiguration20150331v2",
                        1,
                    ),
                    Call::denied("kms.amazonaws.com", "Decrypt", 1, "kms:Decrypt"),
                ],
            )
        })
        .collect();
    Spec {
        account: "123456789012".to_string(),
        org: Some("o-benchmark01".to_string()),
        regions: vec!["us-east-1".to_string(), "eu-west-1".to_string()],
        start: (2026, 10, 1 + day),
        days: 1,
        files_per_day: 24,
        records_per_file: 2_000,
        roles,
        noise_every: 20,
        seed,
    }
}

fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn main() {
    let target_mb: u64 = std::env::var("IAMSYNTH_BENCH_TRAIL_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let start = Instant::now();
    let (mut raw, mut gz, mut files, mut records) = (0u64, 0u64, 0usize, 0u64);
    let mut day = 0;
    while raw < target_mb * 1_000_000 && day < 28 {
        let written =
            generator::write_tree(dir.path(), &spec(day, u64::from(day) + 1)).expect("write logs");
        raw += written.uncompressed_bytes;
        gz += written.compressed_bytes;
        files += written.files.len();
        records += written.records;
        day += 1;
    }
    println!(
        "generated {files} files, {records} records: {:.0} MB uncompressed, {:.0} MB gzip'd, in {:.1} s",
        raw as f64 / 1e6,
        gz as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );
    let before = peak_rss_kb().unwrap_or(0);

    let start = Instant::now();
    let source = LogFiles {
        paths: vec![dir.path().to_path_buf()],
    };
    let evidence = source
        .read(&Filter::default(), &Progress::hidden())
        .expect("read logs");
    let report = report::build(
        synth::catalog::catalog(),
        &synth::generate::Report::default(),
        &[],
        evidence,
        vec![source.name()],
    );
    let elapsed = start.elapsed();
    let read_records = report.evidence.stats.records;
    assert_eq!(read_records, records, "every record counted");
    println!(
        "reduced to {} roles in {:.2} s ({:.0} MB/s uncompressed; target < 10 s for 1 GB)",
        report.functions.len(),
        elapsed.as_secs_f64(),
        raw as f64 / 1e6 / elapsed.as_secs_f64()
    );
    println!(
        "peak RSS (VmHWM): {} MB (after generation: {} MB; target < 300 MB)",
        peak_rss_kb().unwrap_or(0) / 1024,
        before / 1024
    );
}
