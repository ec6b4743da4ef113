//! `iamsynth trail` on generated CloudTrail trees (many roles, an organisation trail, two
//! regions, data and management events, denials, Lambda's versioned event names, records
//! of IAM users) and `generate --cloudtrail --with-observed` on the orders fixture.
//!
//! The generator counts what it writes; the expected actions per event are written here by
//! hand from the Service Authorization Reference.

mod support;

#[path = "../tools/cloudtrail-fixtures/generator.rs"]
mod generator;

use std::collections::BTreeMap;

use generator::{Call, Role, Spec};
use serde_json::Value;
use support::{iamsynth, stderr, stdout};

const ACCOUNT: &str = "210987654321";

/// The action each generated event was authorized by (Service Authorization Reference:
/// Lambda `Invoke` is `lambda:InvokeFunction`; CloudWatch's endpoint is `monitoring`;
/// DynamoDB Streams log as `streams.dynamodb`).
const ACTION_OF: &[(&str, &str, &str)] = &[
    ("dynamodb.amazonaws.com", "PutItem", "dynamodb:PutItem"),
    ("sqs.amazonaws.com", "SendMessage", "sqs:SendMessage"),
    ("s3.amazonaws.com", "GetObject", "s3:GetObject"),
    ("s3.amazonaws.com", "PutObject", "s3:PutObject"),
    (
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        "lambda:UpdateFunctionConfiguration",
    ),
    ("lambda.amazonaws.com", "Invoke", "lambda:InvokeFunction"),
    ("sns.amazonaws.com", "Publish", "sns:Publish"),
    (
        "streams.dynamodb.amazonaws.com",
        "GetRecords",
        "dynamodb:GetRecords",
    ),
    (
        "monitoring.amazonaws.com",
        "PutMetricData",
        "cloudwatch:PutMetricData",
    ),
];

/// Per role name: (observed action -> count, denied action -> count).
type PerRole = BTreeMap<String, (BTreeMap<String, u64>, BTreeMap<String, u64>)>;

fn spec() -> Spec {
    let role = |name: &str, session: &str, calls: Vec<Call>| Role {
        name: name.to_string(),
        session: session.to_string(),
        calls,
    };
    Spec {
        account: ACCOUNT.to_string(),
        org: Some("o-exampleorg1".to_string()),
        regions: vec!["us-east-1".to_string(), "eu-west-1".to_string()],
        start: (2026, 10, 31),
        days: 2,
        files_per_day: 3,
        records_per_file: 120,
        roles: vec![
            role(
                "orders-create-role",
                "orders-prod-create",
                vec![
                    Call::ok("dynamodb.amazonaws.com", "PutItem", 5),
                    Call::ok("sqs.amazonaws.com", "SendMessage", 2),
                    Call::denied("kms.amazonaws.com", "Decrypt", 1, "kms:Decrypt"),
                ],
            ),
            role(
                "reports-role",
                "reports-prod-daily",
                vec![
                    Call::ok("s3.amazonaws.com", "GetObject", 4),
                    Call::ok("s3.amazonaws.com", "PutObject", 2),
                    Call::ok(
                        "lambda.amazonaws.com",
                        "UpdateFunctionConfiguration20150331v2",
                        1,
                    ),
                ],
            ),
            role(
                "notifier-role",
                "notify",
                vec![
                    Call::ok("lambda.amazonaws.com", "Invoke", 3),
                    Call::ok("sns.amazonaws.com", "Publish", 2),
                    Call::ok("streams.dynamodb.amazonaws.com", "GetRecords", 2),
                ],
            ),
            role(
                "metrics-role",
                "metrics",
                vec![
                    Call::ok("monitoring.amazonaws.com", "PutMetricData", 3),
                    Call::denied("s3.amazonaws.com", "GetObject", 1, "s3:GetObject"),
                ],
            ),
        ],
        noise_every: 10,
        seed: 7,
    }
}

/// Per role name: (observed action -> count, denied action -> count), from the generator's
/// own tally and the table above.
fn expected(written: &generator::Written) -> PerRole {
    let mut out: PerRole = BTreeMap::new();
    for ((role, source, name, denied), count) in &written.counts {
        let entry = out.entry(role.clone()).or_default();
        if denied.is_empty() {
            let action = ACTION_OF
                .iter()
                .find(|(s, n, _)| s == source && n == name)
                .map(|(_, _, a)| a.to_string())
                .unwrap_or_else(|| panic!("no expected action for {source} {name}"));
            *entry.0.entry(action).or_default() += count;
        } else {
            *entry.1.entry(denied.clone()).or_default() += count;
        }
    }
    out
}

fn counts(list: &Value) -> BTreeMap<String, u64> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| {
                    (
                        i["action"].as_str().unwrap_or_default().to_string(),
                        i["count"].as_u64().unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(out))
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", stdout(out), stderr(out)))
}

#[test]
fn a_generated_org_trail_reduces_to_the_per_role_report() {
    let logs = tempfile::tempdir().expect("temp dir");
    let project = tempfile::tempdir().expect("temp dir");
    let written = generator::write_tree(logs.path(), &spec()).expect("write logs");
    assert_eq!(written.files.len(), 2 * 2 * 3);

    let out = iamsynth(
        project.path(),
        &[
            "trail",
            ".",
            "--cloudtrail",
            &logs.path().display().to_string(),
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json_of(&out);
    assert_eq!(doc["evidence"]["files"], 12, "digests are not read");
    assert_eq!(doc["evidence"]["records"], written.records);
    assert_eq!(doc["evidence"]["problems"], serde_json::json!([]));

    let expected = expected(&written);
    let functions = doc["functions"].as_array().expect("functions");
    let got: PerRole = functions
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap_or_default().to_string(),
                (counts(&f["observed"]), counts(&f["denied"])),
            )
        })
        .collect();
    assert_eq!(got, expected);
    for f in functions {
        let name = f["name"].as_str().unwrap_or_default();
        assert_eq!(
            f["role"],
            format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
            "a role-only entry is named after its role"
        );
    }
}

#[test]
fn since_skips_day_folders_and_a_given_role_is_reported_alone() {
    let logs = tempfile::tempdir().expect("temp dir");
    let project = tempfile::tempdir().expect("temp dir");
    generator::write_tree(logs.path(), &spec()).expect("write logs");
    let out = iamsynth(
        project.path(),
        &[
            "trail",
            ".",
            "--cloudtrail",
            &logs.path().display().to_string(),
            "--since",
            "2026-11-01",
            "--role",
            &format!("arn:aws:iam::{ACCOUNT}:role/reports-role"),
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json_of(&out);
    assert_eq!(
        doc["evidence"]["files"], 6,
        "only 2026-11-01's files are opened"
    );
    let functions = doc["functions"].as_array().expect("functions");
    assert_eq!(functions.len(), 1);
    assert_eq!(functions[0]["name"], "reports-role");
    let observed: Vec<&str> = functions[0]["observed"]
        .as_array()
        .expect("observed")
        .iter()
        .filter_map(|o| o["action"].as_str())
        .collect();
    assert_eq!(
        observed,
        [
            "lambda:UpdateFunctionConfiguration",
            "s3:GetObject",
            "s3:PutObject"
        ]
    );
    for o in functions[0]["observed"].as_array().expect("observed") {
        assert!(
            o["last_seen"]
                .as_str()
                .is_some_and(|t| t.starts_with("2026-11-01T")),
            "{o}"
        );
    }
}

fn orders() -> std::path::PathBuf {
    support::fixtures().join("trail/orders")
}

fn action<'a>(function: &'a Value, name: &str) -> Option<&'a Value> {
    function["actions"]
        .as_array()?
        .iter()
        .find(|a| a["action"] == name)
}

#[test]
fn with_observed_adds_evidence_to_the_policy() {
    let out = iamsynth(
        &orders(),
        &[
            "generate",
            ".",
            "--cloudtrail",
            "logs",
            "--with-observed",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json_of(&out);
    let create = &doc["functions"][0];
    assert_eq!(create["name"], "createOrder");
    let sqs = action(create, "sqs:SendMessage").expect("sqs:SendMessage added");
    // The Service Authorization Reference's queue ARN, every name part unknown.
    assert_eq!(sqs["resources"], serde_json::json!(["arn:aws:sqs:*:*:*"]));
    assert_eq!(
        sqs["reasons"],
        serde_json::json!([{
            "file": "cloudtrail",
            "line": 0,
            "call": "observed 2 times as arn:aws:iam::123456789012:role/orders-dev-us-east-1-lambdaRole, last 2026-11-01T10:04:00Z"
        }])
    );
    let granted = create["policy"]["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .any(|s| {
            s["Action"]
                .as_array()
                .is_some_and(|a| a.iter().any(|a| a == "sqs:SendMessage"))
        });
    assert!(granted, "the policy grants the observed action");
    // Denied actions are reported, never granted.
    assert!(action(create, "kms:Decrypt").is_none());
    assert!(stderr(&out).contains("createOrder: kms:Decrypt was denied 1 times"));
    // processOrder's observed actions are all in its code: nothing added.
    let process = &doc["functions"][1];
    assert!(
        process["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .all(|a| a["reasons"][0]["file"] != "cloudtrail")
    );
}

#[test]
fn without_with_observed_generate_only_tells() {
    let out = iamsynth(
        &orders(),
        &["generate", ".", "--cloudtrail", "logs", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json_of(&out);
    assert!(action(&doc["functions"][0], "sqs:SendMessage").is_none());
    assert!(stderr(&out).contains(
        "createOrder: its role used sqs:SendMessage (2 times, last 2026-11-01T10:04:00Z), which the code does not explain"
    ));
}

#[test]
fn bad_evidence_flags_are_errors_that_say_what() {
    let cases: &[(&[&str], &str)] = &[
        (&["trail", "."], "trail needs evidence"),
        (
            &["trail", ".", "--cloudtrail", "no-such-logs"],
            "no-such-logs: no such file or folder",
        ),
        (
            &["trail", ".", "--cloudtrail", "logs", "--since", "yesterday"],
            "--since yesterday",
        ),
        (
            &[
                "trail",
                ".",
                "--cloudtrail",
                "logs",
                "--role",
                "nope=arn:aws:iam::1:role/x",
            ],
            "no function named nope",
        ),
        (
            &["generate", ".", "--with-observed"],
            "--with-observed needs evidence",
        ),
    ];
    for (args, message) in cases {
        let out = iamsynth(&orders(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn a_role_for_one_function_overrides_the_session_match() {
    let out = iamsynth(
        &orders(),
        &[
            "trail",
            ".",
            "--cloudtrail",
            "logs",
            "--role",
            "processOrder=arn:aws:iam::123456789012:role/analytics-etl",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json_of(&out);
    let process = &doc["functions"][1];
    assert_eq!(process["name"], "processOrder");
    assert_eq!(
        process["role"],
        "arn:aws:iam::123456789012:role/analytics-etl"
    );
    assert_eq!(
        counts(&process["observed"]),
        BTreeMap::from([("athena:StartQueryExecution".to_string(), 1)])
    );
    assert_eq!(
        counts(&process["observed_not_in_code"]),
        BTreeMap::from([("athena:StartQueryExecution".to_string(), 1)])
    );
}
