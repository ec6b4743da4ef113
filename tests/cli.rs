//! The command line's contract: `catalog` answers, exit codes, errors that name what is wrong,
//! nothing half-written. Expected actions come from the AWS pages cited in
//! `synth/data/overrides.toml` and the Service Authorization Reference.

mod support;

use support::{iamsynth, stderr, stdout};

fn catalog_actions(lang: &str, client: &str, method: &str) -> Vec<String> {
    let out = iamsynth(
        &support::repo_root(),
        &["catalog", lang, client, method, "--format", "json"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "catalog {lang} {client} {method}: {}",
        stderr(&out)
    );
    let doc: serde_json::Value =
        serde_json::from_str(&stdout(&out)).expect("catalog --format json is JSON");
    assert_eq!(doc["schema"], "iamsynth/v1");
    doc["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| a["action"].as_str().expect("action").to_string())
        .collect()
}

#[test]
fn catalog_answers_the_issue_examples_in_every_spelling() {
    let table: &[(&str, [&str; 8], &[&str])] = &[
        (
            "list_objects_v2",
            [
                "s3",
                "list_objects_v2",
                "S3",
                "listObjectsV2",
                "client-s3",
                "ListObjectsV2Command",
                "aws-sdk-s3",
                "list_objects_v2",
            ],
            &["s3:ListBucket"],
        ),
        (
            "head_object",
            [
                "s3",
                "head_object",
                "S3",
                "headObject",
                "client-s3",
                "HeadObjectCommand",
                "aws-sdk-s3",
                "head_object",
            ],
            &["s3:GetObject"],
        ),
        (
            "delete_objects",
            [
                "s3",
                "delete_objects",
                "S3",
                "deleteObjects",
                "client-s3",
                "DeleteObjectsCommand",
                "aws-sdk-s3",
                "delete_objects",
            ],
            &["s3:DeleteObject"],
        ),
        (
            "list_buckets",
            [
                "s3",
                "list_buckets",
                "S3",
                "listBuckets",
                "client-s3",
                "ListBucketsCommand",
                "aws-sdk-s3",
                "list_buckets",
            ],
            &["s3:ListAllMyBuckets"],
        ),
        (
            "invoke",
            [
                "lambda",
                "invoke",
                "Lambda",
                "invoke",
                "client-lambda",
                "InvokeCommand",
                "aws-sdk-lambda",
                "invoke",
            ],
            &["lambda:InvokeFunction"],
        ),
        (
            "send_message_batch",
            [
                "sqs",
                "send_message_batch",
                "SQS",
                "sendMessageBatch",
                "client-sqs",
                "SendMessageBatchCommand",
                "aws-sdk-sqs",
                "send_message_batch",
            ],
            &["sqs:SendMessage"],
        ),
        (
            "publish_batch",
            [
                "sns",
                "publish_batch",
                "SNS",
                "publishBatch",
                "client-sns",
                "PublishBatchCommand",
                "aws-sdk-sns",
                "publish_batch",
            ],
            &["sns:Publish"],
        ),
        (
            "transact_write_items",
            [
                "dynamodb",
                "transact_write_items",
                "DynamoDB",
                "transactWriteItems",
                "client-dynamodb",
                "TransactWriteItemsCommand",
                "aws-sdk-dynamodb",
                "transact_write_items",
            ],
            &[
                "dynamodb:ConditionCheckItem",
                "dynamodb:DeleteItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
            ],
        ),
        (
            "send_email",
            [
                "sesv2",
                "send_email",
                "SESV2",
                "sendEmail",
                "client-sesv2",
                "SendEmailCommand",
                "aws-sdk-sesv2",
                "send_email",
            ],
            &["ses:SendEmail"],
        ),
        (
            "start_sync_execution",
            [
                "stepfunctions",
                "start_sync_execution",
                "StepFunctions",
                "startSyncExecution",
                "client-sfn",
                "StartSyncExecutionCommand",
                "aws-sdk-sfn",
                "start_sync_execution",
            ],
            &["states:StartSyncExecution"],
        ),
        (
            "get_caller_identity",
            [
                "sts",
                "get_caller_identity",
                "STS",
                "getCallerIdentity",
                "client-sts",
                "GetCallerIdentityCommand",
                "aws-sdk-sts",
                "get_caller_identity",
            ],
            &[],
        ),
        (
            "put_metric_data",
            [
                "cloudwatch",
                "put_metric_data",
                "CloudWatch",
                "putMetricData",
                "client-cloudwatch",
                "PutMetricDataCommand",
                "aws-sdk-cloudwatch",
                "put_metric_data",
            ],
            &["cloudwatch:PutMetricData"],
        ),
        (
            "re_encrypt",
            [
                "kms",
                "re_encrypt",
                "KMS",
                "reEncrypt",
                "client-kms",
                "ReEncryptCommand",
                "aws-sdk-kms",
                "re_encrypt",
            ],
            &["kms:ReEncryptFrom", "kms:ReEncryptTo"],
        ),
        (
            "post_to_connection",
            [
                "apigatewaymanagementapi",
                "post_to_connection",
                "ApiGatewayManagementApi",
                "postToConnection",
                "client-apigatewaymanagementapi",
                "PostToConnectionCommand",
                "aws-sdk-apigatewaymanagement",
                "post_to_connection",
            ],
            &["execute-api:ManageConnections"],
        ),
    ];
    for (label, [py_c, py_m, v2_c, v2_m, v3_c, v3_m, rs_c, rs_m], expected) in table {
        for (lang, client, method) in [
            ("python", py_c, py_m),
            ("js-v2", v2_c, v2_m),
            ("js-v3", v3_c, v3_m),
            ("rust", rs_c, rs_m),
        ] {
            assert_eq!(
                catalog_actions(lang, client, method),
                *expected,
                "{label} as {lang} {client} {method}"
            );
        }
    }
}

#[test]
fn catalog_json_has_resource_types_and_arn_formats() {
    let out = iamsynth(
        &support::repo_root(),
        &[
            "catalog", "python", "dynamodb", "get_item", "--format", "json",
        ],
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let action = &doc["actions"][0];
    assert_eq!(action["action"], "dynamodb:GetItem");
    assert_eq!(action["access_level"], "Read");
    let table = action["resource_types"]
        .as_array()
        .expect("types")
        .iter()
        .find(|t| t["name"] == "table")
        .expect("table type");
    assert_eq!(
        table["arn_formats"][0],
        "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}"
    );
}

#[test]
fn unknown_names_exit_2_with_suggestions() {
    let out = iamsynth(
        &support::repo_root(),
        &["catalog", "python", "dynamdb", "put_item"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `dynamodb`"),
        "{}",
        stderr(&out)
    );
    let out = iamsynth(
        &support::repo_root(),
        &["catalog", "js-v3", "client-s3", "GetObjektCommand"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("GetObjectCommand"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn bad_flags_and_missing_paths_exit_2() {
    let root = support::repo_root();
    assert_eq!(
        iamsynth(&root, &["generate", "--format", "yaml"])
            .status
            .code(),
        Some(2)
    );
    let out = iamsynth(&root, &["generate", "no/such/dir"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no/such/dir"), "{}", stderr(&out));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = iamsynth(
        dir.path(),
        &["generate", ".", "--entry", "missing.py:handler"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.py"), "{}", stderr(&out));
    let out = iamsynth(&root, &["explain", "not-an-action"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn nothing_is_written_to_out_when_the_run_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("policies");
    let out = iamsynth(
        dir.path(),
        &[
            "generate",
            ".",
            "--entry",
            "missing.py:handler",
            "--out",
            "policies",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !out_dir.exists(),
        "--out was created although the run failed"
    );
}

#[test]
fn help_has_examples_for_every_command() {
    for command in ["generate", "explain", "catalog"] {
        let out = iamsynth(&support::repo_root(), &[command, "--help"]);
        assert_eq!(out.status.code(), Some(0));
        assert!(
            stdout(&out).contains("Examples:"),
            "{command} --help has no examples"
        );
    }
}
