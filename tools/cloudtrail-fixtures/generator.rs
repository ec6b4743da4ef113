//! Realistic CloudTrail log trees for tests and benchmarks, made at run time.
//!
//! Included with `#[path]` by `tests/trail.rs` and `bench/trail.rs` (it needs `flate2`).
//! Writes the S3 delivery layout
//! `AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz`
//! with digest files beside it, records shaped like real ones (CloudTrail User Guide,
//! "CloudTrail record contents" and its examples): role sessions named after Lambda
//! functions, data and management events, Lambda's API-version event names, AccessDenied
//! errors, IAM-user and AWS-service records that belong to no role. Deterministic: the same
//! spec writes the same bytes.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;

/// One kind of call a role makes.
#[derive(Debug, Clone)]
pub struct Call {
    pub event_source: &'static str,
    pub event_name: &'static str,
    /// Relative frequency among the role's calls.
    pub weight: u32,
    /// `Some(action)`: the call is refused with AccessDenied naming `action`.
    pub denied: Option<&'static str>,
}

impl Call {
    pub const fn ok(event_source: &'static str, event_name: &'static str, weight: u32) -> Call {
        Call {
            event_source,
            event_name,
            weight,
            denied: None,
        }
    }
    pub const fn denied(
        event_source: &'static str,
        event_name: &'static str,
        weight: u32,
        action: &'static str,
    ) -> Call {
        Call {
            event_source,
            event_name,
            weight,
            denied: Some(action),
        }
    }
}

/// A Lambda function's execution role and what it calls.
#[derive(Debug, Clone)]
pub struct Role {
    pub name: String,
    /// The session name: Lambda uses the function's name.
    pub session: String,
    pub calls: Vec<Call>,
}

/// A log tree.
#[derive(Debug, Clone)]
pub struct Spec {
    pub account: String,
    /// An organisation trail's `o-...` folder.
    pub org: Option<String>,
    pub regions: Vec<String>,
    /// First day (`YYYY`, `MM`, `DD`) and how many days.
    pub start: (u32, u32, u32),
    pub days: u32,
    /// Files per region and day (delivered every 5 minutes from 00:05).
    pub files_per_day: u32,
    pub records_per_file: u32,
    pub roles: Vec<Role>,
    /// One record in this many is by an IAM user or an AWS service, not a role.
    pub noise_every: u32,
    pub seed: u64,
}

/// What was written, for checks.
#[derive(Debug, Clone, Default)]
pub struct Written {
    pub files: Vec<PathBuf>,
    pub records: u64,
    pub uncompressed_bytes: u64,
    pub compressed_bytes: u64,
    /// Per role name: per (event source, event name, denied action) the count.
    pub counts: std::collections::BTreeMap<(String, String, String, String), u64>,
}

/// A small deterministic PRNG (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n.max(1))) as u32
    }
    fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len);
        while s.len() < len {
            let _ = write!(s, "{:016x}", self.next());
        }
        s.truncate(len);
        s
    }
}

/// The folder a region's logs live in.
pub fn region_dir(root: &Path, spec: &Spec, region: &str) -> PathBuf {
    let mut dir = root.join("AWSLogs");
    if let Some(org) = &spec.org {
        dir = dir.join(org);
    }
    dir.join(&spec.account).join("CloudTrail").join(region)
}

/// Writes the tree under `root`.
pub fn write_tree(root: &Path, spec: &Spec) -> std::io::Result<Written> {
    let mut rng = Rng::new(spec.seed);
    let mut written = Written::default();
    let (y, m, d) = spec.start;
    for day in 0..spec.days {
        let (year, month, dom) = add_days(y, m, d, day);
        for region in &spec.regions {
            let dir = region_dir(root, spec, region)
                .join(format!("{year:04}"))
                .join(format!("{month:02}"))
                .join(format!("{dom:02}"));
            std::fs::create_dir_all(&dir)?;
            // A digest file, as CloudTrail writes beside the logs: never read as events.
            let digest_dir = root
                .join("AWSLogs")
                .join(spec.org.as_deref().unwrap_or(""))
                .join(&spec.account)
                .join("CloudTrail-Digest")
                .join(region)
                .join(format!("{year:04}/{month:02}/{dom:02}"));
            std::fs::create_dir_all(&digest_dir)?;
            std::fs::write(
                digest_dir.join(format!(
                    "{}_CloudTrail-Digest_{region}_trail_{region}_{year:04}{month:02}{dom:02}T010000Z.json.gz",
                    spec.account
                )),
                gzip(br#"{"awsAccountId":"000000000000","digestStartTime":"x","logFiles":[{"s3Object":"x"}]}"#)?,
            )?;
            for file in 0..spec.files_per_day {
                let minutes = 5 + file * 5;
                let (hour, minute) = ((minutes / 60) % 24, minutes % 60);
                let stamp = format!("{year:04}{month:02}{dom:02}T{hour:02}{minute:02}Z");
                let name = format!(
                    "{}_CloudTrail_{region}_{stamp}_{}.json.gz",
                    spec.account,
                    rng.hex(16)
                );
                let mut text = String::with_capacity(spec.records_per_file as usize * 1400);
                text.push_str("{\"Records\":[");
                for i in 0..spec.records_per_file {
                    if i > 0 {
                        text.push(',');
                    }
                    // Events of the 5 minutes before delivery.
                    let second = (minutes * 60).saturating_sub(1 + rng.below(299));
                    let time = format!(
                        "{year:04}-{month:02}-{dom:02}T{:02}:{:02}:{:02}Z",
                        (second / 3600) % 24,
                        (second / 60) % 60,
                        second % 60
                    );
                    record(&mut text, &mut rng, spec, region, &time, &mut written);
                }
                text.push_str("]}");
                let compressed = gzip(text.as_bytes())?;
                written.uncompressed_bytes += text.len() as u64;
                written.compressed_bytes += compressed.len() as u64;
                let path = dir.join(name);
                std::fs::write(&path, compressed)?;
                written.files.push(path);
            }
        }
    }
    Ok(written)
}

pub fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes)?;
    encoder.finish()
}

fn add_days(year: u32, month: u32, day: u32, plus: u32) -> (u32, u32, u32) {
    let (mut y, mut m, mut d) = (year, month, day);
    for _ in 0..plus {
        let len = match m {
            2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        d += 1;
        if d > len {
            d = 1;
            m += 1;
            if m > 12 {
                m = 1;
                y += 1;
            }
        }
    }
    (y, m, d)
}

fn record(
    out: &mut String,
    rng: &mut Rng,
    spec: &Spec,
    region: &str,
    time: &str,
    written: &mut Written,
) {
    written.records += 1;
    let account = &spec.account;
    let request_id = rng.hex(32);
    let event_id = rng.hex(36);
    if spec.noise_every > 0 && rng.below(spec.noise_every) == 0 {
        // An IAM user's console call: no session issuer, belongs to no role.
        let _ = write!(
            out,
            r#"{{"eventVersion":"1.09","userIdentity":{{"type":"IAMUser","principalId":"AIDA{rid}","arn":"arn:aws:iam::{account}:user/alice","accountId":"{account}","accessKeyId":"ASIA{key}","userName":"alice","sessionContext":{{"attributes":{{"creationDate":"{time}","mfaAuthenticated":"true"}}}}}},"eventTime":"{time}","eventSource":"iam.amazonaws.com","eventName":"ListRoles","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7","userAgent":"AWS Internal","requestParameters":null,"responseElements":null,"requestID":"{request_id}","eventID":"{event_id}","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"{account}","eventCategory":"Management","tlsDetails":{{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"iam.amazonaws.com"}},"sessionCredentialFromConsole":"true"}}"#,
            rid = rng.hex(17).to_uppercase(),
            key = rng.hex(16).to_uppercase(),
        );
        return;
    }
    let role = &spec.roles[rng.below(spec.roles.len() as u32) as usize];
    let total: u32 = role.calls.iter().map(|c| c.weight).sum();
    let mut pick = rng.below(total);
    let call = role
        .calls
        .iter()
        .find(|c| {
            if pick < c.weight {
                true
            } else {
                pick -= c.weight;
                false
            }
        })
        .unwrap_or(&role.calls[0]);
    *written
        .counts
        .entry((
            role.name.clone(),
            call.event_source.to_string(),
            call.event_name.to_string(),
            call.denied.unwrap_or("").to_string(),
        ))
        .or_default() += 1;
    let data_event = matches!(
        (call.event_source, call.event_name),
        (
            "s3.amazonaws.com",
            "GetObject" | "PutObject" | "DeleteObject"
        ) | (
            "dynamodb.amazonaws.com",
            "GetItem" | "PutItem" | "UpdateItem" | "Query"
        ) | ("lambda.amazonaws.com", "Invoke")
            | (
                "sqs.amazonaws.com",
                "SendMessage" | "ReceiveMessage" | "DeleteMessage"
            )
            | ("sns.amazonaws.com", "Publish")
    );
    let role_arn = format!("arn:aws:iam::{account}:role/{}", role.name);
    let (request, resources) = request_parameters(call, region, account);
    let error = match call.denied {
        Some(action) => format!(
            r#","errorCode":"{}","errorMessage":"User: arn:aws:sts::{account}:assumed-role/{}/{} is not authorized to perform: {action} on resource: arn:aws:{}:{region}:{account}:* because no identity-based policy allows the {action} action""#,
            if call.event_source == "s3.amazonaws.com" {
                "AccessDenied"
            } else {
                "AccessDeniedException"
            },
            role.name,
            role.session,
            action.split(':').next().unwrap_or("")
        ),
        None => String::new(),
    };
    let _ = write!(
        out,
        r#"{{"eventVersion":"1.09","userIdentity":{{"type":"AssumedRole","principalId":"AROA{pid}:{session}","arn":"arn:aws:sts::{account}:assumed-role/{role}/{session}","accountId":"{account}","accessKeyId":"ASIA{key}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROA{pid}","arn":"{role_arn}","accountId":"{account}","userName":"{role}"}},"attributes":{{"creationDate":"{time}","mfaAuthenticated":"false"}},"ec2RoleDelivery":null}}}},"eventTime":"{time}","eventSource":"{source}","eventName":"{name}","awsRegion":"{region}","sourceIPAddress":"3.{a}.{b}.{c}","userAgent":"Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux#5.10.227-239.884.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.35.0","requestParameters":{request}{error},"responseElements":null,"requestID":"{request_id}","eventID":"{event_id}","readOnly":{read_only},"resources":{resources},"eventType":"AwsApiCall","managementEvent":{management},"recipientAccountId":"{account}","eventCategory":"{category}","tlsDetails":{{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"{host}"}}}}"#,
        pid = rng.hex(17).to_uppercase(),
        key = rng.hex(16).to_uppercase(),
        session = role.session,
        role = role.name,
        source = call.event_source,
        name = call.event_name,
        a = rng.below(255),
        b = rng.below(255),
        c = rng.below(255),
        read_only = call.event_name.starts_with("Get")
            || call.event_name.starts_with("List")
            || call.event_name.starts_with("Describe"),
        management = !data_event,
        category = if data_event { "Data" } else { "Management" },
        host = call
            .event_source
            .replace(".amazonaws.com", &format!(".{region}.amazonaws.com")),
    );
}

/// Plausible `requestParameters` and `resources` for a call.
fn request_parameters(call: &Call, region: &str, account: &str) -> (String, String) {
    match call.event_source {
        "s3.amazonaws.com" => (
            r#"{"bucketName":"orders-archive","Host":"orders-archive.s3.amazonaws.com","key":"2026/11/01/order-8812.json","x-id":"GetObject"}"#.to_string(),
            r#"[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::orders-archive/2026/11/01/order-8812.json"},{"accountId":"ACCOUNT","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::orders-archive"}]"#.replace("ACCOUNT", account),
        ),
        "dynamodb.amazonaws.com" => (
            r#"{"tableName":"Orders","key":{"pk":"HIDDEN_DUE_TO_SECURITY_REASONS"},"consistentRead":false,"returnConsumedCapacity":"NONE"}"#.to_string(),
            format!(r#"[{{"accountId":"{account}","type":"AWS::DynamoDB::Table","ARN":"arn:aws:dynamodb:{region}:{account}:table/Orders"}}]"#),
        ),
        "sqs.amazonaws.com" => (
            format!(r#"{{"queueUrl":"https://sqs.{region}.amazonaws.com/{account}/orders-events","messageBody":"HIDDEN_DUE_TO_SECURITY_REASONS","messageAttributes":{{"kind":{{"stringValue":"created","dataType":"String"}}}}}}"#),
            format!(r#"[{{"accountId":"{account}","type":"AWS::SQS::Queue","ARN":"arn:aws:sqs:{region}:{account}:orders-events"}}]"#),
        ),
        "lambda.amazonaws.com" => (
            format!(r#"{{"functionName":"arn:aws:lambda:{region}:{account}:function:notify","invocationType":"Event"}}"#),
            "[]".to_string(),
        ),
        "kms.amazonaws.com" => (
            r#"{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"aws:lambda:FunctionArn":"x"}}"#.to_string(),
            format!(r#"[{{"accountId":"{account}","type":"AWS::KMS::Key","ARN":"arn:aws:kms:{region}:{account}:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}]"#),
        ),
        _ => ("null".to_string(), "[]".to_string()),
    }
}
