//! Platform permissions of the infra fixtures, expectations written from the AWS pages the
//! tables cite.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use analyzer::infra::{self, FunctionSpec, KmsKey};

use super::*;

fn spec(fixture: &str, name: &str) -> FunctionSpec {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/infra")
        .join(fixture);
    let specs = infra::discover(&root, &[]).expect("discover");
    specs
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no {name} in {fixture}"))
}

/// action -> resources, after applying the platform rules to an empty result.
fn platform(spec: &FunctionSpec) -> (BTreeMap<String, Vec<String>>, Vec<String>) {
    let mut resolved = Resolved::default();
    apply(spec, &mut resolved);
    let actions = resolved
        .actions
        .iter()
        .map(|(a, g)| (a.clone(), g.resources.iter().cloned().collect()))
        .collect();
    let messages = resolved.diagnostics.iter().map(|d| d.to_string()).collect();
    (actions, messages)
}

fn expect(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    pairs
        .iter()
        .map(|(a, r)| (a.to_string(), r.iter().map(|s| s.to_string()).collect()))
        .collect()
}

/// `!GetAtt NotifyQueue.Arn`, named `${AWS::StackName}-notify`, deployed as stack `orders`
/// (samconfig.toml).
const NOTIFY_QUEUE: &str =
    "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders-notify";
const ACCOUNT_LOGS: &str = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*";

#[test]
fn sqs_consumer_with_dead_letter_queue() {
    let (actions, messages) = platform(&spec("sam-python", "NotifyFunction"));
    let group = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/${NotifyFunction}:*";
    assert_eq!(
        actions,
        expect(&[
            ("logs:CreateLogGroup", &[ACCOUNT_LOGS]),
            ("logs:CreateLogStream", &[group]),
            ("logs:PutLogEvents", &[group]),
            ("sqs:DeleteMessage", &[NOTIFY_QUEUE]),
            ("sqs:GetQueueAttributes", &[NOTIFY_QUEUE]),
            ("sqs:ReceiveMessage", &[NOTIFY_QUEUE]),
            (
                "sqs:SendMessage",
                &[
                    "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${NotifyDLQ.QueueName}"
                ],
            ),
        ])
    );
    assert_eq!(messages, Vec::<String>::new());
}

#[test]
fn tracing_from_globals() {
    let (actions, _) = platform(&spec("sam-python", "OrdersFunction"));
    assert_eq!(actions["xray:PutTraceSegments"], vec!["*"]);
    assert_eq!(actions["xray:PutTelemetryRecords"], vec!["*"]);
    assert!(!actions.contains_key("ec2:CreateNetworkInterface"));
}

#[test]
fn vpc_and_on_failure_topic() {
    let (actions, _) = platform(&spec("mixed-rust", "ThumbnailFunction"));
    let group = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/image-thumbnailer:*";
    assert_eq!(
        actions,
        expect(&[
            ("ec2:AssignPrivateIpAddresses", &["*"]),
            ("ec2:CreateNetworkInterface", &["*"]),
            ("ec2:DeleteNetworkInterface", &["*"]),
            ("ec2:DescribeNetworkInterfaces", &["*"]),
            ("ec2:DescribeSubnets", &["*"]),
            ("ec2:UnassignPrivateIpAddresses", &["*"]),
            ("logs:CreateLogGroup", &[ACCOUNT_LOGS]),
            ("logs:CreateLogStream", &[group]),
            ("logs:PutLogEvents", &[group]),
            // A topic's Ref is its ARN; its name is the TopicName attribute.
            (
                "sns:Publish",
                &[
                    "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${FailuresTopic.TopicName}"
                ],
            ),
        ])
    );
}

#[test]
fn serverless_queue_with_customer_key_alias() {
    let (actions, _) = platform(&spec("serverless-node", "processOrder"));
    let queue = "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders-api-dev-orders";
    assert_eq!(actions["sqs:ReceiveMessage"], vec![queue]);
    // An alias names no key for IAM: any key of the account.
    assert_eq!(
        actions["kms:Decrypt"],
        vec!["arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*"]
    );
    assert_eq!(
        actions["logs:PutLogEvents"],
        vec![
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/orders-api-dev-processOrder:*"
        ]
    );
    assert_eq!(actions["xray:PutTraceSegments"], vec!["*"]);
    // createOrder only references the encrypted queue: no platform KMS permission.
    let (create, _) = platform(&spec("serverless-node", "createOrder"));
    assert!(!create.contains_key("kms:Decrypt"));
    assert!(!create.contains_key("sqs:ReceiveMessage"));
}

#[test]
fn environment_key_and_aws_managed_keys() {
    let mut spec = spec("sam-python", "OrdersFunction");
    spec.kms_keys.push(KmsKey {
        source: "environment".into(),
        key: Value::str("arn:aws:kms:eu-west-1:111122223333:key/1234abcd"),
    });
    let (actions, _) = platform(&spec);
    assert_eq!(
        actions["kms:Decrypt"],
        vec!["arn:aws:kms:eu-west-1:111122223333:key/1234abcd"]
    );
    spec.kms_keys = vec![KmsKey {
        source: "environment".into(),
        key: Value::str("alias/aws/lambda"),
    }];
    let (actions, _) = platform(&spec);
    assert!(!actions.contains_key("kms:Decrypt"));
}

#[test]
fn writing_to_the_own_event_source_is_a_recursion_warning() {
    let spec = spec("serverless-node", "processOrder");
    let mut resolved = Resolved::default();
    resolved.actions.insert(
        "sqs:SendMessage".into(),
        ActionGrant {
            action: "sqs:SendMessage".into(),
            resources: BTreeSet::from([
                "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders-api-dev-orders"
                    .to_string(),
            ]),
            reasons: BTreeSet::from([Reason {
                file: "src/orders/process.mjs".into(),
                line: 12,
                call: "sqs.send(new SendMessageCommand(…))".into(),
                chain: Vec::new(),
                via: Via::Call,
            }]),
            basis: Basis::ServiceReference,
            conditions: None,
        },
    );
    apply(&spec, &mut resolved);
    let messages: Vec<String> = resolved.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        messages,
        vec![
            "warning: src/orders/process.mjs:12: processOrder: sqs:SendMessage writes to the queue that invokes this function (event sqs[0]): a recursive loop unless the code filters its own writes"
        ]
    );
    // The platform reason names the infrastructure declaration.
    let reasons = &resolved.actions["sqs:ReceiveMessage"].reasons;
    let reason = reasons.iter().next().expect("reason");
    assert_eq!((reason.file.as_str(), reason.line), ("serverless.yml", 39));
    assert_eq!(reason.call, "Lambda: polls event source sqs[0]");
}

#[test]
fn code_writing_to_a_kms_encrypted_bucket_needs_generate_data_key() {
    let spec = spec("mixed-rust", "UploadUrlFunction");
    let mut resolved = Resolved::default();
    let code_reason = Reason {
        file: "python/app.py".into(),
        line: 11,
        call: "s3.generate_presigned_url(\"put_object\", …)".into(),
        chain: Vec::new(),
        via: Via::Presign,
    };
    resolved.actions.insert(
        "s3:PutObject".into(),
        ActionGrant {
            action: "s3:PutObject".into(),
            resources: BTreeSet::from([
                "arn:${AWS::Partition}:s3:::${UploadsBucket}/uploads/*".to_string()
            ]),
            reasons: BTreeSet::from([code_reason]),
            basis: Basis::ServiceReference,
            conditions: None,
        },
    );
    apply(&spec, &mut resolved);
    let actions: BTreeMap<String, Vec<String>> = resolved
        .actions
        .iter()
        .map(|(a, g)| (a.clone(), g.resources.iter().cloned().collect()))
        .collect();
    // The bucket's SSE-KMS key is `!GetAtt UploadsKey.Arn`; a key's Ref is its key id.
    assert_eq!(
        actions["kms:GenerateDataKey"],
        vec!["arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${UploadsKey}"]
    );
    assert!(!actions.contains_key("kms:Decrypt"));
    // Without a code call on the bucket, no KMS permission.
    let (plain, _) = platform(&spec);
    assert!(!plain.contains_key("kms:GenerateDataKey"));
}

/// A read of an object in a bucket the code does not name, by a function whose S3 trigger
/// is SSE-KMS encrypted: the bucket may be the trigger's, so kms:Decrypt on its key (S3 User
/// Guide, SSE-KMS downloads); a named other bucket gets none.
#[test]
fn unnamed_reads_of_an_encrypted_trigger_need_its_key() {
    let spec = spec("mixed-rust", "ThumbnailFunction");
    let with_read = |resource: &str| {
        let mut resolved = Resolved::default();
        resolved.actions.insert(
            "s3:GetObject".into(),
            ActionGrant {
                action: "s3:GetObject".into(),
                resources: BTreeSet::from([resource.to_string()]),
                reasons: BTreeSet::from([Reason {
                    file: "thumbnails/src/bin/thumbnailer.rs".into(),
                    line: 11,
                    call: "client.get_object()…".into(),
                    chain: Vec::new(),
                    via: Via::Call,
                }]),
                basis: Basis::ServiceReference,
                conditions: None,
            },
        );
        apply(&spec, &mut resolved);
        resolved
            .actions
            .get("kms:Decrypt")
            .map(|g| g.reasons.iter().map(|r| r.call.clone()).collect::<Vec<_>>())
    };
    let unnamed = with_read("arn:${AWS::Partition}:s3:::*/*").expect("kms:Decrypt");
    assert_eq!(
        unnamed,
        [
            "s3:GetObject on a resource the code does not name; the function's trigger UploadsBucket is encrypted with a customer managed key"
        ]
    );
    assert_eq!(with_read("arn:${AWS::Partition}:s3:::other-bucket/*"), None);
}
