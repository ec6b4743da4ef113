//! `trail --lookup` and `trail --lake` against a stub of the CloudTrail API on 127.0.0.1.
//!
//! moto implements neither LookupEvents nor CloudTrail Lake, so the stub speaks the AWS JSON
//! 1.1 protocol itself (`POST /`, `X-Amz-Target: CloudTrail_20131101.<Operation>`,
//! `application/x-amz-json-1.1`; errors carry `__type`), answering from a script: a
//! throttling error the client must retry, then pages joined by `NextToken`. The binary is
//! pointed at it with `AWS_ENDPOINT_URL` and dummy credentials.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::{Value, json};
use support::{stderr, stdout};

/// One scripted answer: HTTP status and JSON body.
type Answer = (u16, Value);

/// A request the stub received.
#[derive(Debug, Clone)]
struct Seen {
    target: String,
    body: Value,
}

struct Stub {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Stub {
    /// Serves `script` in order (for every operation alike); past its end, a 500. Stops
    /// accepting after `script.len() + 4` connections or 30 seconds.
    fn start(script: Vec<Answer>) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(script.into_iter()));
        let limit = script.lock().map(|s| s.len()).unwrap_or(0) + 4;
        let seen_by_server = Arc::clone(&seen);
        thread::spawn(move || {
            for stream in listener.incoming().take(limit).flatten() {
                let seen = Arc::clone(&seen_by_server);
                let script = Arc::clone(&script);
                thread::spawn(move || serve(stream, &seen, &script));
            }
        });
        Stub { port, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

/// Answers the requests of one keep-alive connection.
fn serve(stream: TcpStream, seen: &Mutex<Vec<Seen>>, script: &Mutex<std::vec::IntoIter<Answer>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    for _ in 0..64 {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut target = String::new();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                match name.trim().to_ascii_lowercase().as_str() {
                    "x-amz-target" => target = value.trim().to_string(),
                    "content-length" => length = value.trim().parse().unwrap_or(0),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        if let Ok(mut seen) = seen.lock() {
            seen.push(Seen {
                target,
                body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            });
        }
        let (status, answer) = script.lock().ok().and_then(|mut s| s.next()).unwrap_or((
            500,
            json!({"__type": "InternalFailure", "message": "script exhausted"}),
        ));
        let text = answer.to_string();
        let reason = if status == 200 { "OK" } else { "Bad Request" };
        let response = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: stub-{}\r\nContent-Length: {}\r\n\r\n{text}",
            text.len(),
            text.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// Runs `iamsynth` against the stub, with dummy credentials and no shared config.
fn iamsynth_with_stub(cwd: &Path, port: u16, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamsynth"))
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
        .env("AWS_ACCESS_KEY_ID", "AKIDSTUBSTUBSTUBSTUB")
        .env("AWS_SECRET_ACCESS_KEY", "stub-secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials",
        )
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run iamsynth: {e}"))
}

fn orders() -> std::path::PathBuf {
    support::fixtures().join("trail/orders")
}

/// A LookupEvents event: the record as the `CloudTrailEvent` JSON string.
fn event(
    id: &str,
    time: &str,
    session: &str,
    source: &str,
    name: &str,
    error: Option<(&str, &str)>,
) -> Value {
    let mut record = json!({
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "arn": format!("arn:aws:sts::123456789012:assumed-role/orders-dev-us-east-1-lambdaRole/{session}"),
            "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::123456789012:role/orders-dev-us-east-1-lambdaRole", "userName": "orders-dev-us-east-1-lambdaRole"}}
        },
        "eventTime": time,
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "eventType": "AwsApiCall",
        "managementEvent": true
    });
    if let Some((code, message)) = error {
        record["errorCode"] = json!(code);
        record["errorMessage"] = json!(message);
    }
    json!({
        "EventId": id,
        "EventName": name,
        "EventSource": source,
        "CloudTrailEvent": record.to_string(),
    })
}

fn functions_by_name(doc: &Value) -> std::collections::BTreeMap<String, Value> {
    doc["functions"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| {
                    (
                        f["name"].as_str().unwrap_or_default().to_string(),
                        f.clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn lookup_events_pages_and_retries_throttling() {
    let create = "orders-dev-createOrder";
    let process = "orders-dev-processOrder";
    let stub = Stub::start(vec![
        (
            400,
            json!({"__type": "ThrottlingException", "message": "Rate exceeded"}),
        ),
        (
            200,
            json!({
                "Events": [
                    event("e1", "2026-11-01T10:00:00Z", process, "lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", None),
                    event("e2", "2026-11-01T10:05:00Z", create, "kms.amazonaws.com", "Decrypt",
                        Some(("AccessDeniedException", "User: x is not authorized to perform: kms:Decrypt on resource: k"))),
                ],
                "NextToken": "page-2"
            }),
        ),
        (
            200,
            json!({
                "Events": [
                    event("e3", "2026-11-01T11:00:00Z", process, "lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", None),
                    event("e4", "2026-11-01T11:30:00Z", create, "sqs.amazonaws.com", "CreateQueue", None),
                ]
            }),
        ),
    ]);
    let out = iamsynth_with_stub(
        &orders(),
        stub.port,
        &[
            "trail",
            ".",
            "--lookup",
            "--since",
            "2026-11-01",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let seen = stub.seen();
    assert_eq!(
        seen.len(),
        3,
        "one throttled request, retried, then page 2: {seen:?}"
    );
    assert!(
        seen.iter()
            .all(|s| s.target == "CloudTrail_20131101.LookupEvents")
    );
    assert_eq!(seen[0].body, seen[1].body, "the retry repeats the request");
    assert_eq!(seen[1].body.get("NextToken"), None);
    assert_eq!(seen[2].body["NextToken"], "page-2");
    // 2026-11-01T00:00:00Z as epoch seconds.
    assert_eq!(seen[0].body["StartTime"].as_f64(), Some(1_793_491_200.0));

    let functions = functions_by_name(&doc);
    let process = &functions["processOrder"];
    assert_eq!(
        process["observed"],
        json!([{"action": "lambda:UpdateFunctionConfiguration", "count": 2, "last_seen": "2026-11-01T11:00:00Z"}])
    );
    let create = &functions["createOrder"];
    assert_eq!(
        create["denied"],
        json!([{"action": "kms:Decrypt", "count": 1, "last_seen": "2026-11-01T10:05:00Z"}])
    );
    assert_eq!(
        create["observed_not_in_code"],
        json!([{"action": "sqs:CreateQueue", "count": 1, "last_seen": "2026-11-01T11:30:00Z"}])
    );
    assert_eq!(doc["evidence"]["sources"], json!(["LookupEvents"]));
    assert_eq!(doc["evidence"]["records"], 4);
    assert!(
        stderr(&out).contains("LookupEvents holds management events only"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn lake_aggregates_in_the_service_and_pages_the_result() {
    let row = |cells: &[(&str, &str)]| -> Value {
        Value::Array(cells.iter().map(|(k, v)| json!({ *k: *v })).collect())
    };
    let role = "arn:aws:iam::123456789012:role/orders-dev-us-east-1-lambdaRole";
    let stub = Stub::start(vec![
        (200, json!({"QueryId": "q-0001"})),
        (200, json!({"QueryStatus": "RUNNING"})),
        (
            200,
            json!({
                "QueryStatus": "FINISHED",
                "QueryResultRows": [
                    row(&[("role", role), ("session", "orders-dev-createOrder"), ("eventSource", "dynamodb.amazonaws.com"),
                          ("eventName", "PutItem"), ("outcome", "allowed"), ("deniedAction", ""), ("calls", "42"),
                          ("lastSeen", "2026-11-01 10:00:00.000")]),
                ],
                "NextToken": "rows-2"
            }),
        ),
        (
            200,
            json!({
                "QueryStatus": "FINISHED",
                "QueryResultRows": [
                    row(&[("role", role), ("session", "orders-dev-createOrder"), ("eventSource", "kms.amazonaws.com"),
                          ("eventName", "Decrypt"), ("outcome", "denied"), ("deniedAction", "kms:Decrypt"), ("calls", "5"),
                          ("lastSeen", "2026-11-02 08:00:00.000")]),
                    row(&[("role", role), ("session", "orders-dev-createOrder"), ("eventSource", "sqs.amazonaws.com")]),
                ]
            }),
        ),
    ]);
    let out = iamsynth_with_stub(
        &orders(),
        stub.port,
        &[
            "trail",
            ".",
            "--lake",
            "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852-4e8f",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let seen = stub.seen();
    let targets: Vec<&str> = seen.iter().map(|s| s.target.as_str()).collect();
    assert_eq!(
        targets,
        [
            "CloudTrail_20131101.StartQuery",
            "CloudTrail_20131101.GetQueryResults",
            "CloudTrail_20131101.GetQueryResults",
            "CloudTrail_20131101.GetQueryResults",
        ]
    );
    let sql = seen[0].body["QueryStatement"].as_str().unwrap_or_default();
    assert!(sql.contains("FROM EXAMPLE-f852-4e8f WHERE"), "{sql}");
    assert!(sql.contains("GROUP BY 1, 2, 3, 4, 5, 6"), "{sql}");
    assert!(
        sql.contains("IN ('orders-dev-createOrder', 'orders-dev-processOrder')"),
        "{sql}"
    );
    assert_eq!(seen[1].body["QueryId"], "q-0001");
    assert_eq!(seen[3].body["NextToken"], "rows-2");

    let functions = functions_by_name(&doc);
    let create = &functions["createOrder"];
    assert_eq!(
        create["observed"],
        json!([{"action": "dynamodb:PutItem", "count": 42, "last_seen": "2026-11-01T10:00:00Z"}])
    );
    assert_eq!(
        create["denied"],
        json!([{"action": "kms:Decrypt", "count": 5, "last_seen": "2026-11-02T08:00:00Z"}])
    );
    let problems = doc["evidence"]["problems"].as_array().expect("problems");
    assert_eq!(
        problems.len(),
        1,
        "the incomplete row is reported: {problems:?}"
    );
    assert_eq!(problems[0]["file"], "CloudTrail Lake");
}

#[test]
fn aws_errors_exit_2_with_the_service_message() {
    let stub = Stub::start(vec![(
        400,
        json!({"__type": "EventDataStoreNotFoundException", "message": "Event data store EXAMPLE not found"}),
    )]);
    let out = iamsynth_with_stub(&orders(), stub.port, &["trail", ".", "--lake", "EXAMPLE"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("CloudTrail Lake StartQuery") && stderr(&out).contains("not found"),
        "{}",
        stderr(&out)
    );
}
