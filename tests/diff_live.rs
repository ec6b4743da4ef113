//! `iamsynth diff --deployed live` against a real IAM API: a local moto server
//! (`MOTO_IAM_LOAD_MANAGED_POLICIES=true`, so AWS managed policies exist). `.ci/run` starts
//! it and exports `AWS_ENDPOINT_URL`; without that, the test starts `moto_server` from
//! `target/moto-venv` itself, and fails saying how to get one when neither is there.
//!
//! Roles are created through aws-sdk-iam with inline and managed policies; the expected
//! findings follow from the policies written here and the AWS managed policy documents
//! (AWSLambdaBasicExecutionRole grants the three log actions, AmazonS3ReadOnlyAccess
//! `s3:Get*` and `s3:List*`, among others).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aws_sdk_iam::config::{BehaviorVersion, Credentials, Region};
use serde_json::Value;

/// The moto endpoint for this test process.
struct Moto {
    url: String,
    /// The stdin of the supervisor of the server this process started: when the test
    /// process ends, the pipe closes and the supervisor stops the server.
    _supervisor: Option<std::process::ChildStdin>,
    /// The supervisor itself; it exits on its own once its stdin closes.
    _process: Option<std::process::Child>,
}

/// Runs moto's server and stops it when its stdin closes (statics are never dropped, so the
/// end of the test process is seen through the pipe).
const SUPERVISOR: &str = "import subprocess, sys\n\
server = subprocess.Popen([sys.executable, '-m', 'moto.server', '-H', '127.0.0.1', '-p', sys.argv[1]],\n\
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n\
sys.stdin.read()\n\
server.terminate()\n\
server.wait(timeout=10)\n";

fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(|| {
        if let Ok(url) = std::env::var("AWS_ENDPOINT_URL")
            && !url.is_empty()
        {
            return Moto {
                url,
                _supervisor: None,
                _process: None,
            };
        }
        start_moto(&[])
    })
}

/// Starts a moto server of this process from `target/moto-venv`, with `env` added to its
/// environment, and waits until it listens.
fn start_moto(env: &[(&str, &str)]) -> Moto {
    let python = support::repo_root().join("target/moto-venv/bin/python");
    assert!(
        python.is_file(),
        "the live diff tests need moto in target/moto-venv: run them through `bash .ci/run` (it installs \
         moto there and exports AWS_ENDPOINT_URL), or install moto[server] into target/moto-venv"
    );
    let port = free_port();
    let mut child = Command::new(&python)
        .args(["-c", SUPERVISOR, &port.to_string()])
        .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start moto with {}: {e}", python.display()));
    let supervisor = child.stdin.take();
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "moto server did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    Moto {
        url,
        _supervisor: supervisor,
        _process: Some(child),
    }
}

/// A second moto server that authenticates every request and checks the caller's IAM
/// policies, as AWS does. moto does so once `INITIAL_NO_AUTH_ACTION_COUNT` requests have
/// been served (moto/core/authorization.py); the first [`AUTH_SETUP_REQUESTS`] create, unchecked,
/// a user without any policy, its access key, and a role for it to try to read.
struct AuthMoto {
    moto: Moto,
    /// The access key id and secret of the user without policies.
    reader: (String, String),
    role: String,
}

/// CreateUser, CreateAccessKey, CreateRole.
const AUTH_SETUP_REQUESTS: &str = "3";

fn auth_moto() -> &'static AuthMoto {
    static AUTH: OnceLock<AuthMoto> = OnceLock::new();
    AUTH.get_or_init(|| {
        let moto = start_moto(&[("INITIAL_NO_AUTH_ACTION_COUNT", AUTH_SETUP_REQUESTS)]);
        let iam = iam_at(&moto.url, "testing", "testing");
        let user = "diff-live-reader";
        let role = "diff-live-guarded";
        let reader = runtime().block_on(async {
            iam.create_user()
                .user_name(user)
                .send()
                .await
                .unwrap_or_else(|e| panic!("CreateUser {user}: {e:?}"));
            let key = iam
                .create_access_key()
                .user_name(user)
                .send()
                .await
                .unwrap_or_else(|e| panic!("CreateAccessKey {user}: {e:?}"));
            iam.create_role()
                .role_name(role)
                .assume_role_policy_document(TRUST)
                .send()
                .await
                .unwrap_or_else(|e| panic!("CreateRole {role}: {e:?}"));
            let key = key.access_key().expect("the new access key");
            (
                key.access_key_id().to_string(),
                key.secret_access_key().to_string(),
            )
        });
        AuthMoto {
            moto,
            reader,
            role: role.to_string(),
        }
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn iam() -> aws_sdk_iam::Client {
    iam_at(&moto().url, "testing", "testing")
}

fn iam_at(url: &str, key: &str, secret: &str) -> aws_sdk_iam::Client {
    let config = aws_sdk_iam::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(url)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(key, secret, None, None, "tests"))
        .build();
    aws_sdk_iam::Client::from_conf(config)
}

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// Creates a role (unique per test run) with inline policies and attached managed
/// policies; returns its name.
fn create_role(base: &str, inline: &[(&str, &str)], managed: &[&str]) -> String {
    let name = format!("{base}-{}", std::process::id());
    let iam = iam();
    runtime().block_on(async {
        iam.create_role()
            .role_name(&name)
            .path("/service-role/")
            .assume_role_policy_document(TRUST)
            .send()
            .await
            .unwrap_or_else(|e| panic!("CreateRole {name}: {e:?}"));
        for (policy, document) in inline {
            iam.put_role_policy()
                .role_name(&name)
                .policy_name(*policy)
                .policy_document(*document)
                .send()
                .await
                .unwrap_or_else(|e| panic!("PutRolePolicy {policy}: {e:?}"));
        }
        for arn in managed {
            iam.attach_role_policy()
                .role_name(&name)
                .policy_arn(*arn)
                .send()
                .await
                .unwrap_or_else(|e| panic!("AttachRolePolicy {arn}: {e:?}"));
        }
    });
    name
}

fn fixture() -> PathBuf {
    support::fixtures().join("diff/exact")
}

/// Runs iamsynth against `endpoint` with dummy credentials.
/// `iamsynth diff . --entry app.py:handler --deployed live ARGS` on the fixture.
fn live_diff(endpoint: &str, args: &[&str]) -> Output {
    let mut all = vec![
        "diff",
        ".",
        "--entry",
        "app.py:handler",
        "--deployed",
        "live",
    ];
    all.extend_from_slice(args);
    iamsynth_live(&fixture(), endpoint, &all)
}

fn iamsynth_live(cwd: &Path, endpoint: &str, args: &[&str]) -> Output {
    iamsynth_live_as(cwd, endpoint, ("testing", "testing"), args)
}

/// Runs iamsynth against `endpoint` with the access key `credentials` (id, secret).
fn iamsynth_live_as(
    cwd: &Path,
    endpoint: &str,
    credentials: (&str, &str),
    args: &[&str],
) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iamsynth"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", credentials.0)
        .env("AWS_SECRET_ACCESS_KEY", credentials.1)
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run iamsynth: {e}"))
}

fn json(output: &Output) -> Value {
    serde_json::from_str(&support::stdout(output)).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}):\n{}\nstderr:\n{}",
            support::stdout(output),
            support::stderr(output)
        )
    })
}

fn actions(function: &Value, key: &str) -> Vec<(String, String)> {
    function[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is an array"))
        .iter()
        .map(|f| {
            (
                f["action"].as_str().unwrap_or_default().to_string(),
                f["granted_by"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_default(),
            )
        })
        .collect()
}

const SEND_JOBS: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"SendJobs","Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:eu-west-1:123456789012:jobs"},{"Sid":"ReadAnything","Effect":"Allow","Action":["s3:GetObject","kms:Decrypt"],"Resource":"*"}]}"#;

#[test]
fn live_role_with_inline_and_managed_policies_gives_excess_and_risky() {
    let role = create_role(
        "diff-live-broad",
        &[("jobs", SEND_JOBS)],
        &[
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        ],
    );
    let out = live_diff(&moto().url, &["--role", &role, "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "no missing permission: exit 0\n{}",
        support::stderr(&out)
    );
    let doc = json(&out);
    let function = &doc["functions"][0];
    assert!(
        function["role"]
            .as_str()
            .is_some_and(|r| r.ends_with(&format!(":role/service-role/{role}"))),
        "{function}"
    );
    assert_eq!(function["missing"], Value::Array(vec![]));
    assert_eq!(
        actions(function, "kept"),
        vec![("sqs:SendMessage".to_string(), String::new())]
    );
    assert_eq!(function["kept"][0]["granted_by"][0], "SendJobs");
    let excess = actions(function, "excess");
    for expected in [
        ("s3:GetObject", "ReadAnything"),
        ("kms:Decrypt", "ReadAnything"),
        ("logs:CreateLogGroup", "AWSLambdaBasicExecutionRole"),
        ("logs:PutLogEvents", "AWSLambdaBasicExecutionRole"),
        ("s3:Get*", "AmazonS3ReadOnlyAccess"),
        ("s3:List*", "AmazonS3ReadOnlyAccess"),
    ] {
        assert!(
            excess.contains(&(expected.0.to_string(), expected.1.to_string())),
            "{expected:?} not in excess {excess:?}"
        );
    }
    let risky: Vec<&str> = function["risky"]
        .as_array()
        .expect("risky")
        .iter()
        .filter_map(|r| r["rule"].as_str())
        .collect();
    assert_eq!(risky, ["kms-decrypt"], "{function}");

    // The same findings fail the run when excess is what fails it.
    let strict = live_diff(&moto().url, &["--role", &role, "--fail-on", "excess"]);
    assert_eq!(
        strict.status.code(),
        Some(1),
        "{}",
        support::stderr(&strict)
    );
}

#[test]
fn live_role_without_the_needed_action_is_missing_it() {
    let role = create_role(
        "diff-live-narrow",
        &[],
        &["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
    );
    let out = live_diff(&moto().url, &["--role", &role, "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "missing findings: exit 1\n{}",
        support::stderr(&out)
    );
    let doc = json(&out);
    let missing = &doc["functions"][0]["missing"];
    assert_eq!(missing[0]["action"], "sqs:SendMessage", "{missing}");
    // The queue URL states the queue, its region and its account.
    assert_eq!(
        missing[0]["resources"][0],
        "arn:aws:sqs:eu-west-1:123456789012:jobs"
    );
    assert_eq!(missing[0]["reasons"][0]["file"], "app.py");
    assert_eq!(missing[0]["reasons"][0]["line"], 7);
}

#[test]
fn tighten_writes_the_needed_policy_plus_kept_actions() {
    let role = create_role(
        "diff-live-tighten",
        &[("jobs", SEND_JOBS)],
        &["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
    );
    let out_dir = tempfile::tempdir().expect("temp dir");
    let out_path = out_dir.path().to_string_lossy().to_string();
    let out = live_diff(
        &moto().url,
        &[
            "--role",
            &role,
            "--format",
            "policy",
            "--out",
            &out_path,
            "--keep",
            "logs:PutLogEvents",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    let written = std::fs::read_to_string(out_dir.path().join("app.py-handler.json"))
        .expect("the tightened policy file");
    let policy: Value = serde_json::from_str(&written).expect("JSON policy");
    let statements = policy["Statement"].as_array().expect("statements");
    let granted: Vec<(String, String)> = statements
        .iter()
        .flat_map(|s| {
            let resources: Vec<String> = s["Resource"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect();
            s["Action"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str().map(str::to_string))
                .flat_map(move |a| resources.clone().into_iter().map(move |r| (a.clone(), r)))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(
        granted,
        vec![
            ("logs:PutLogEvents".to_string(), "*".to_string()),
            (
                "sqs:SendMessage".to_string(),
                "arn:aws:sqs:eu-west-1:123456789012:jobs".to_string()
            ),
        ],
        "{written}"
    );
}

#[test]
fn unknown_role_is_an_error_that_says_so() {
    let out = live_diff(&moto().url, &["--role", "no-such-role-anywhere"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = support::stderr(&out);
    assert!(
        stderr.contains("no-such-role-anywhere") && stderr.contains("not found"),
        "{stderr}"
    );
}

#[test]
fn unreachable_endpoint_is_an_error_within_30_seconds() {
    // A port nothing listens on: connection refused, on this machine only.
    let port = free_port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let out = live_diff(&endpoint, &["--role", "any"]);
    let elapsed = started.elapsed();
    assert_eq!(out.status.code(), Some(2), "{}", support::stderr(&out));
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
    let stderr = support::stderr(&out);
    assert!(
        stderr.contains("unreachable") && stderr.contains(&endpoint),
        "{stderr}"
    );
}

#[test]
fn the_role_of_a_deployed_function_is_found_through_lambda() {
    let role = create_role("diff-live-fn", &[("jobs", SEND_JOBS)], &[]);
    let function = format!("diff-live-jobs-{}", std::process::id());
    let config = aws_sdk_lambda::Config::builder()
        .behavior_version(aws_sdk_lambda::config::BehaviorVersion::latest())
        .endpoint_url(&moto().url)
        .region(aws_sdk_lambda::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_lambda::config::Credentials::new(
            "testing", "testing", None, None, "tests",
        ))
        .build();
    let lambda = aws_sdk_lambda::Client::from_conf(config);
    // The smallest valid zip archive: an end-of-central-directory record alone.
    let mut empty_zip = b"PK\x05\x06".to_vec();
    empty_zip.extend([0u8; 18]);
    runtime().block_on(async {
        lambda
            .create_function()
            .function_name(&function)
            .runtime(aws_sdk_lambda::types::Runtime::Python312)
            .handler("app.handler")
            .role(format!(
                "arn:aws:iam::123456789012:role/service-role/{role}"
            ))
            .code(
                aws_sdk_lambda::types::FunctionCode::builder()
                    .zip_file(aws_sdk_lambda::primitives::Blob::new(empty_zip))
                    .build(),
            )
            .send()
            .await
            .unwrap_or_else(|e| panic!("CreateFunction {function}: {e:?}"));
    });
    let out = live_diff(
        &moto().url,
        &[
            "--function-name",
            &format!("app.py:handler={function}"),
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    let doc = json(&out);
    let found = &doc["functions"][0];
    assert!(
        found["role"]
            .as_str()
            .is_some_and(|r| r.ends_with(&format!("/{role}"))),
        "{found}"
    );
    assert_eq!(found["kept"][0]["action"], "sqs:SendMessage");
    assert_eq!(found["kept"][0]["granted_by"][0], "SendJobs");
}

/// `diff --deployed live` of the auth-enforcing server's role with `credentials`: it must
/// fail with exit 2 within 30 seconds; returns its stderr.
fn live_diff_fails_as(auth: &AuthMoto, credentials: (&str, &str)) -> String {
    let started = Instant::now();
    let out = iamsynth_live_as(
        &fixture(),
        &auth.moto.url,
        credentials,
        &[
            "diff",
            ".",
            "--entry",
            "app.py:handler",
            "--deployed",
            "live",
            "--role",
            &auth.role,
        ],
    );
    let elapsed = started.elapsed();
    assert_eq!(out.status.code(), Some(2), "{}", support::stderr(&out));
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
    support::stderr(&out)
}

#[test]
fn unknown_credentials_are_an_error_that_says_they_were_rejected() {
    let auth = auth_moto();
    let stderr = live_diff_fails_as(auth, ("AKIAIAMSYNTHUNKNOWN1", "not-a-secret-moto-knows"));
    // moto answers an unknown access key as IAM does: InvalidClientTokenId.
    assert!(
        stderr.contains("rejected the credentials") && stderr.contains("InvalidClientTokenId"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("unreachable") && !stderr.contains("not found"),
        "{stderr}"
    );
}

#[test]
fn a_user_without_iam_read_permissions_is_told_which_action_to_grant() {
    let auth = auth_moto();
    let stderr = live_diff_fails_as(auth, (&auth.reader.0, &auth.reader.1));
    // The credentials are valid: the user has no policy allowing iam:GetRole, the first call.
    assert!(
        stderr.contains(&format!("IAM role {}", auth.role))
            && stderr.contains("not allowed to call iam:GetRole")
            && stderr.contains("AccessDenied")
            && stderr.contains("grant iam:GetRole"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("rejected the credentials") && !stderr.contains("unreachable"),
        "{stderr}"
    );
}
