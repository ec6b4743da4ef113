//! Discovery at the `FunctionSpec` level, against expectations written from the fixtures'
//! templates and the CloudFormation / SAM / Serverless documentation.

use std::path::{Path, PathBuf};

use super::*;
use crate::value::InfraRef;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/infra")
        .join(name)
}

fn s(value: &str) -> Value {
    Value::str(value)
}

fn infra(id: &str, resource_type: &str, attribute: Option<&str>, known: Option<&str>) -> Value {
    Value::Infra(Box::new(InfraRef {
        logical_id: id.into(),
        resource_type: resource_type.into(),
        attribute: attribute.map(Into::into),
        known: known.map(Into::into),
    }))
}

fn env(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn entry(file: &str, function: &str) -> Entry {
    Entry {
        file: file.into(),
        function: Some(function.into()),
    }
}

fn paths(items: &[&str]) -> Vec<PathBuf> {
    items.iter().map(PathBuf::from).collect()
}

fn named<'a>(found: &'a Discovery, name: &str) -> &'a FunctionSpec {
    found
        .functions
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no function {name} in {:?}", names(found)))
}

fn names(found: &Discovery) -> Vec<&str> {
    found.functions.iter().map(|f| f.name.as_str()).collect()
}

fn event(kind: EventKind, name: &str, resource: Option<Value>) -> EventSource {
    EventSource {
        kind,
        name: name.into(),
        resource,
    }
}

#[test]
fn serverless_node_service() {
    let found = discover_all(&fixture("serverless-node"), &[]).expect("discover");
    assert_eq!(found.files, vec!["serverless.yml"]);
    assert_eq!(found.diagnostics, vec![]);
    assert_eq!(
        names(&found),
        vec!["createOrder", "dailyReport", "processOrder"]
    );

    // provider env + function env; ${self:service}-${sls:stage}-orders with stage 'dev'.
    let create = named(&found, "createOrder");
    assert_eq!(create.runtime.as_deref(), Some("nodejs20.x"));
    assert_eq!(create.language, Language::JavaScript);
    assert_eq!(create.entry, entry("src/orders/create.js", "handler"));
    assert_eq!(
        create.env,
        env(&[
            ("POWERTOOLS_SERVICE_NAME", s("orders")),
            (
                "QUEUE_URL",
                infra(
                    "OrdersQueue",
                    "AWS::SQS::Queue",
                    None,
                    Some("orders-api-dev-orders")
                ),
            ),
            ("TABLE_NAME", s("orders-api-dev-orders")),
        ])
    );
    assert_eq!(create.search_paths, paths(&["."]));
    assert_eq!(create.declared_in, "serverless.yml");
    assert_eq!(create.line, 31);
    assert_eq!(create.function_name, s("orders-api-dev-createOrder"));
    assert_eq!(
        create.log_group,
        s("/aws/lambda/orders-api-dev-createOrder")
    );
    assert_eq!(
        create.events,
        vec![event(EventKind::HttpApi, "httpApi[0]", Some(s("/orders")))]
    );
    assert!(create.tracing, "provider.tracing.lambda: true");
    assert!(!create.vpc);
    assert_eq!(
        create.role,
        Some(RoleSpec::Shared {
            logical_id: "IamRoleLambdaExecution".into()
        })
    );
    assert_eq!(
        create.policies,
        vec![DeclaredPolicy::Statements {
            source: "provider.iam.role.statements".into(),
            statements: serde_json::json!([
                {"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:GetItem"],
                 "Resource": {"Fn::GetAtt": ["OrdersTable", "Arn"]}},
                {"Effect": "Allow", "Action": "sqs:SendMessage",
                 "Resource": {"Fn::GetAtt": ["OrdersQueue", "Arn"]}}
            ]),
        }]
    );
    // QUEUE_URL refers to a queue encrypted with a customer key.
    assert_eq!(
        create.kms_keys,
        vec![KmsKey {
            source: "OrdersQueue".into(),
            key: s("alias/orders-key"),
        }]
    );

    // ${ssm:...} is not static: unknown; the SQS event keeps the queue reference.
    let process = named(&found, "processOrder");
    assert_eq!(process.entry, entry("src/orders/process.mjs", "handler"));
    assert_eq!(process.env["API_KEY"], Value::Unknown);
    assert_eq!(process.env["BUCKET_NAME"], s("orders-api-dev-reports"));
    assert_eq!(
        process.events,
        vec![event(
            EventKind::Sqs,
            "sqs[0]",
            Some(infra(
                "OrdersQueue",
                "AWS::SQS::Queue",
                Some("Arn"),
                Some("orders-api-dev-orders")
            ))
        )]
    );

    // TypeScript source, explicit `name:`, ${env:X} unknown inside a string.
    let daily = named(&found, "dailyReport");
    assert_eq!(daily.language, Language::TypeScript);
    assert_eq!(daily.entry, entry("src/reports/daily.ts", "handler"));
    assert_eq!(daily.function_name, s("orders-daily-report"));
    assert_eq!(
        daily.env["BUCKET_NAME"],
        infra(
            "ReportsBucket",
            "AWS::S3::Bucket",
            None,
            Some("orders-api-dev-reports")
        )
    );
    assert_eq!(
        daily.env["BUILD_LABEL"],
        Value::Concat {
            parts: vec![s("report-dev-"), Value::Unknown]
        }
    );
    assert_eq!(
        daily.events,
        vec![event(
            EventKind::Schedule,
            "schedule[0]",
            Some(s("rate(1 day)"))
        )]
    );
    assert_eq!(daily.kms_keys, vec![]);
}

#[test]
fn sam_python_with_globals_layer_and_samconfig() {
    let found = discover_all(&fixture("sam-python"), &[]).expect("discover");
    assert_eq!(found.files, vec!["template.yaml"]);
    assert_eq!(found.diagnostics, vec![]);
    assert_eq!(names(&found), vec!["NotifyFunction", "OrdersFunction"]);

    // samconfig.toml's parameter_overrides Stage="staging" replaces the default `dev`.
    let stage = infra("Stage", "Parameter", None, Some("staging"));
    let orders = named(&found, "OrdersFunction");
    assert_eq!(orders.runtime.as_deref(), Some("python3.12"));
    assert_eq!(orders.language, Language::Python);
    assert_eq!(orders.entry, entry("src/orders/app.py", "lambda_handler"));
    assert_eq!(
        orders.env,
        env(&[
            (
                "ARCHIVE_PREFIX",
                Value::Concat {
                    // BucketName `orders-archive-${Stage}-${AWS::AccountId}`: the account
                    // stays a placeholder the policy model fills.
                    parts: vec![
                        infra(
                            "ArchiveBucket",
                            "AWS::S3::Bucket",
                            None,
                            Some("orders-archive-staging-${AWS::AccountId}")
                        ),
                        s("/orders"),
                    ]
                },
            ),
            ("LOG_LEVEL", s("INFO")),
            // QueueName `${AWS::StackName}-notify`, stack_name "orders" in samconfig.toml.
            (
                "QUEUE_URL",
                infra(
                    "NotifyQueue",
                    "AWS::SQS::Queue",
                    None,
                    Some("orders-notify")
                )
            ),
            ("STAGE", stage.clone()),
            (
                "TABLE_NAME",
                infra(
                    "OrdersTable",
                    "AWS::DynamoDB::Table",
                    None,
                    Some("orders-staging")
                ),
            ),
        ])
    );
    assert_eq!(
        orders.search_paths,
        paths(&["src/orders", "layers/shared/python"])
    );
    assert_eq!(orders.layers, vec!["layers/shared"]);
    assert!(orders.tracing, "Globals Tracing: Active");
    assert_eq!(orders.line, 32);
    assert_eq!(
        orders.function_name,
        infra("OrdersFunction", "AWS::Lambda::Function", None, None)
    );
    assert_eq!(
        orders.log_group,
        Value::Concat {
            parts: vec![
                s("/aws/lambda/"),
                infra("OrdersFunction", "AWS::Lambda::Function", None, None)
            ]
        }
    );
    assert_eq!(
        orders.events,
        vec![event(EventKind::Api, "CreateOrder", None)]
    );
    assert_eq!(
        orders.kms_keys,
        vec![KmsKey {
            source: "OrdersTable".into(),
            key: infra("OrdersKey", "AWS::KMS::Key", None, None),
        }]
    );
    assert_eq!(
        orders.role,
        Some(RoleSpec::Generated {
            logical_id: "OrdersFunctionRole".into()
        })
    );
    assert_eq!(
        orders.policies,
        vec![
            DeclaredPolicy::SamTemplate {
                name: "DynamoDBCrudPolicy".into(),
                parameters: serde_json::json!({"TableName": {"Ref": "OrdersTable"}}),
            },
            DeclaredPolicy::SamTemplate {
                name: "SQSSendMessagePolicy".into(),
                parameters: serde_json::json!({"QueueName": {"Fn::GetAtt": ["NotifyQueue", "QueueName"]}}),
            },
            DeclaredPolicy::SamTemplate {
                name: "S3WritePolicy".into(),
                parameters: serde_json::json!({"BucketName": {"Ref": "ArchiveBucket"}}),
            },
        ]
    );

    // Function env overrides the global LOG_LEVEL; Tracing: PassThrough overrides Active.
    let notify = named(&found, "NotifyFunction");
    assert_eq!(notify.entry, entry("src/notify/app.py", "handler"));
    assert_eq!(
        notify.env,
        env(&[
            ("LOG_LEVEL", s("DEBUG")),
            (
                "SECRET_ID",
                infra(
                    "ApiSecret",
                    "AWS::SecretsManager::Secret",
                    None,
                    Some("orders/notify-api-key")
                ),
            ),
            ("STAGE", stage),
            (
                "TOPIC_ARN",
                infra("AlertsTopic", "AWS::SNS::Topic", None, Some("order-alerts")),
            ),
        ])
    );
    assert!(!notify.tracing);
    assert_eq!(
        notify.events,
        vec![event(
            EventKind::Sqs,
            "Queue",
            Some(infra(
                "NotifyQueue",
                "AWS::SQS::Queue",
                Some("Arn"),
                Some("orders-notify")
            ))
        )]
    );
    assert_eq!(
        notify.destinations,
        vec![Destination {
            kind: DestinationKind::DeadLetter,
            target_type: "sqs".into(),
            target: infra("NotifyDLQ", "AWS::SQS::Queue", Some("Arn"), None),
        }]
    );
    assert_eq!(
        notify.policies,
        vec![
            DeclaredPolicy::SamTemplate {
                name: "SNSPublishMessagePolicy".into(),
                parameters: serde_json::json!({"TopicName": {"Fn::GetAtt": ["AlertsTopic", "TopicName"]}}),
            },
            DeclaredPolicy::Statements {
                source: "NotifyFunction/Policies".into(),
                statements: serde_json::json!([
                    {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                     "Resource": {"Ref": "ApiSecret"}}
                ]),
            },
        ]
    );
}

#[test]
fn cdk_output_maps_assets_back_to_sources() {
    let found = discover_all(&fixture("cdk-typescript"), &[]).expect("discover");
    assert_eq!(found.files, vec!["cdk.out/OrdersStack.template.json"]);
    assert_eq!(found.diagnostics, vec![]);
    // The LogRetention provider function is CDK's own, not the project's.
    assert_eq!(
        names(&found),
        vec!["AuditFunction5A6B7C8D", "OrdersHandler8B7A6C5D"]
    );
    let table = infra(
        "OrdersTable315BB997",
        "AWS::DynamoDB::Table",
        None,
        Some("cdk-orders"),
    );

    // NodejsFunction bundle: the source map names lambda/orders.ts.
    let orders = named(&found, "OrdersHandler8B7A6C5D");
    assert_eq!(orders.language, Language::TypeScript);
    assert_eq!(orders.entry, entry("lambda/orders.ts", "handler"));
    assert_eq!(orders.search_paths, paths(&["lambda"]));
    assert_eq!(
        orders.env,
        env(&[
            ("NODE_OPTIONS", s("--enable-source-maps")),
            ("TABLE_NAME", table.clone())
        ])
    );
    // The SqsEventSource is a separate AWS::Lambda::EventSourceMapping resource.
    assert_eq!(
        orders.events,
        vec![event(
            EventKind::Sqs,
            "OrdersHandlerSqsEventSourceOrdersStackOrdersQueueB7C2D1E0",
            Some(infra(
                "OrdersQueue2E1E5A80",
                "AWS::SQS::Queue",
                Some("Arn"),
                None
            ))
        )]
    );
    assert_eq!(
        orders.role,
        Some(RoleSpec::Resource {
            logical_id: "OrdersHandlerServiceRoleA5B1A7E4".into()
        })
    );
    // The role's managed policy and the DefaultPolicy attached to it through `Roles`.
    assert_eq!(orders.policies.len(), 2);
    assert_eq!(
        orders.policies[0],
        DeclaredPolicy::Managed {
            policy: serde_json::json!({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
                ":iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]]})
        }
    );
    match &orders.policies[1] {
        DeclaredPolicy::Statements { source, statements } => {
            assert_eq!(source, "OrdersHandlerServiceRoleDefaultPolicy9F0C4F2E");
            assert_eq!(statements[1]["Action"][4], "sqs:ReceiveMessage");
        }
        other => panic!("unexpected policy {other:?}"),
    }

    // Code.fromAsset copy: same file name and content as lambda-py/handler.py.
    let audit = named(&found, "AuditFunction5A6B7C8D");
    assert_eq!(audit.language, Language::Python);
    assert_eq!(audit.entry, entry("lambda-py/handler.py", "main"));
    assert_eq!(
        audit.env,
        env(&[
            (
                "QUEUE_URL",
                infra("OrdersQueue2E1E5A80", "AWS::SQS::Queue", None, None)
            ),
            ("TABLE_NAME", table),
        ])
    );
    assert_eq!(audit.events, vec![]);
}

#[test]
fn mixed_python_and_cargo_lambda_rust() {
    let found = discover_all(&fixture("mixed-rust"), &[]).expect("discover");
    assert_eq!(found.diagnostics, vec![]);
    assert_eq!(
        names(&found),
        vec!["ThumbnailFunction", "UploadUrlFunction"]
    );
    let uploads = infra("UploadsBucket", "AWS::S3::Bucket", None, None);
    let uploads_key = KmsKey {
        source: "UploadsBucket".into(),
        key: infra("UploadsKey", "AWS::KMS::Key", Some("Arn"), None),
    };

    let python = named(&found, "UploadUrlFunction");
    assert_eq!(python.language, Language::Python);
    assert_eq!(python.entry, entry("python/app.py", "handler"));
    assert_eq!(python.env, env(&[("UPLOAD_BUCKET", uploads.clone())]));
    assert_eq!(python.events, vec![event(EventKind::HttpApi, "Api", None)]);
    assert_eq!(python.kms_keys, vec![uploads_key.clone()]);

    // BuildMethod rust-cargolambda + Binary: the [[bin]] of that name.
    let rust = named(&found, "ThumbnailFunction");
    assert_eq!(rust.runtime.as_deref(), Some("provided.al2023"));
    assert_eq!(rust.language, Language::Rust);
    assert_eq!(
        rust.entry,
        entry("thumbnails/src/bin/thumbnailer.rs", "main")
    );
    assert_eq!(rust.search_paths, paths(&["thumbnails"]));
    assert_eq!(
        rust.env,
        env(&[
            (
                "THUMBNAIL_BUCKET",
                infra(
                    "ThumbnailsBucket",
                    "AWS::S3::Bucket",
                    None,
                    Some("image-thumbnails-example")
                ),
            ),
            ("THUMBNAIL_PREFIX", s("thumbs/small")),
        ])
    );
    assert_eq!(rust.function_name, s("image-thumbnailer"));
    assert_eq!(rust.log_group, s("/aws/lambda/image-thumbnailer"));
    assert!(rust.vpc);
    assert_eq!(
        rust.events,
        vec![event(EventKind::S3, "Uploaded", Some(uploads))]
    );
    assert_eq!(
        rust.destinations,
        vec![Destination {
            kind: DestinationKind::OnFailure,
            target_type: "sns".into(),
            target: infra("FailuresTopic", "AWS::SNS::Topic", None, None),
        }]
    );
    assert_eq!(rust.kms_keys, vec![uploads_key]);
    assert_eq!(rust.policies, vec![]);
}

/// Writes `files` (`path=content`) under a fresh temporary root.
pub(super) fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, content).expect("write");
    }
    dir
}

const SMALL_SAM: &str = "Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
";

#[test]
fn build_copies_and_dependencies_are_not_discovered() {
    let dir = project(&[
        ("template.yaml", SMALL_SAM),
        ("src/app.py", "def handler(e, c):\n    pass\n"),
        (".aws-sam/build/template.yaml", SMALL_SAM),
        (".aws-sam/build/Fn/app.py", ""),
        ("node_modules/some-lib/template.yaml", SMALL_SAM),
        (
            ".serverless/cloudformation-template-update-stack.json",
            "{\"Resources\": {\"X\": {\"Type\": \"AWS::Lambda::Function\"}}}",
        ),
        ("package.json", "{\"name\": \"x\"}"),
    ]);
    let found = discover_all(dir.path(), &[]).expect("discover");
    assert_eq!(found.files, vec!["template.yaml"]);
    assert_eq!(names(&found), vec!["Fn"]);
    assert_eq!(found.functions[0].entry, entry("src/app.py", "handler"));
}

#[test]
fn monorepo_services_with_the_same_function_name_are_qualified() {
    let service = |name: &str| {
        format!(
            "service: {name}\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  hello:\n    handler: handler.hello\n"
        )
    };
    let (a, b) = (service("a"), service("b"));
    let dir = project(&[
        ("services/a/serverless.yml", &a),
        ("services/a/handler.py", "def hello(e, c):\n    pass\n"),
        ("services/b/serverless.yaml", &b),
        ("services/b/handler.py", "def hello(e, c):\n    pass\n"),
    ]);
    let found = discover_all(dir.path(), &[]).expect("discover");
    assert_eq!(
        names(&found),
        vec![
            "services/a/serverless.yml:hello",
            "services/b/serverless.yaml:hello"
        ]
    );
    assert_eq!(
        found.functions[1].entry,
        entry("services/b/handler.py", "hello")
    );
    assert_eq!(found.functions[1].function_name, s("b-dev-hello"));
    assert_eq!(found.functions[1].search_paths, paths(&["services/b"]));
}

#[test]
fn malformed_templates_are_errors_with_file_and_line() {
    let dir = project(&[(
        "template.yaml",
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: [unclosed\n",
    )]);
    let error = discover_all(dir.path(), &[]).expect_err("bad yaml");
    let text = error.to_string();
    assert!(text.starts_with("template.yaml:"), "{text}");
    assert!(text.contains("invalid YAML"), "{text}");
    match error {
        InfraError::Invalid { line, .. } => assert!(line >= 4, "line {line}"),
        other => panic!("unexpected {other:?}"),
    }

    let dir = project(&[("serverless.yml", "{\"service\": ")]);
    assert!(discover_all(dir.path(), &[]).is_err());

    // An explicit --template that does not exist.
    let dir = project(&[]);
    let error = discover_all(dir.path(), &[PathBuf::from("nope.yaml")]).expect_err("missing");
    assert_eq!(error.to_string(), "nope.yaml:0: template file not found");
}

#[test]
fn alias_bomb_in_a_template_is_an_error_not_a_hang() {
    let mut text = String::from(
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\nBomb:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for level in 1..14 {
        let prev = level - 1;
        let refs = vec![format!("*a{prev}"); 10].join(", ");
        text.push_str(&format!("  a{level}: &a{level} [{refs}]\n"));
    }
    let dir = project(&[("template.yaml", &text)]);
    let error = discover_all(dir.path(), &[]).expect_err("bomb");
    assert!(error.to_string().contains("limit exceeded"), "{error}");
}

#[test]
fn missing_references_and_unreadable_code_are_warnings() {
    let template = "Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Environment:
        Variables:
          TABLE: !Ref MissingTable
          OPTIONAL: !If [IsProd, x, !Ref AWS::NoValue]
  Gone:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: not-there/
      Handler: app.handler
      Runtime: python3.12
  Java:
    Type: AWS::Lambda::Function
    Properties:
      Code: java/
      Handler: com.example.Handler::handle
      Runtime: java21
";
    let dir = project(&[
        ("infra/template.yaml", template),
        ("infra/src/app.py", "def handler(e, c):\n    pass\n"),
        ("infra/java/Handler.java", ""),
    ]);
    let found = discover_all(dir.path(), &[]).expect("discover");
    assert_eq!(names(&found), vec!["Fn"]);
    let fn_ = &found.functions[0];
    assert_eq!(fn_.entry, entry("infra/src/app.py", "handler"));
    assert_eq!(fn_.env["TABLE"], Value::Unknown);
    assert_eq!(fn_.env["OPTIONAL"], Value::Unknown);
    let messages: Vec<String> = found.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        vec![
            "warning: infra/template.yaml:10: reference to `MissingTable`, which is not a resource or parameter of this template",
            "warning: infra/template.yaml:12: function `Gone` skipped: code folder `infra/not-there` does not exist",
            "warning: infra/template.yaml:18: function `Java` skipped: runtime java21 is not analysed",
        ]
    );
}

#[test]
fn explicit_templates_replace_discovery() {
    let dir = project(&[
        ("template.yaml", SMALL_SAM),
        ("src/app.py", ""),
        (
            "other/stack.yml",
            &SMALL_SAM
                .replace("CodeUri: src/", "CodeUri: ../src/")
                .replace("  Fn:", "  Other:"),
        ),
    ]);
    let found = discover_all(dir.path(), &[PathBuf::from("other/stack.yml")]).expect("discover");
    assert_eq!(found.files, vec!["other/stack.yml"]);
    assert_eq!(names(&found), vec!["Other"]);
    assert_eq!(found.functions[0].entry, entry("src/app.py", "handler"));
}

#[test]
fn serverless_code_configuration_without_service_is_reported() {
    let dir = project(&[("serverless.ts", "export default {}\n")]);
    let found = discover_all(dir.path(), &[]).expect("discover");
    assert_eq!(found.functions.len(), 0);
    assert_eq!(found.diagnostics.len(), 1);
    assert!(
        found.diagnostics[0]
            .message
            .contains("not a Serverless configuration")
    );
}

#[test]
fn serverless_file_variables_per_function_roles_and_destinations() {
    let yml = "service: billing
provider:
  name: aws
  runtime: python3.11
  stage: ${opt:stage, 'prod'}
  environment: ${file(./config/${sls:stage}.yml):environment}
  vpc:
    securityGroupIds: [sg-1]
    subnetIds: [subnet-1]
  iamRoleStatements:
    - Effect: Allow
      Action: s3:GetObject
      Resource: arn:aws:s3:::billing/*
functions:
  - charge:
      handler: billing/charge.handler
      onError: arn:aws:sns:us-east-1:123456789012:billing-dlq
      destinations:
        onFailure: refund
      iamRoleStatements:
        - Effect: Allow
          Action: dynamodb:PutItem
          Resource: '*'
      events:
        - stream:
            type: kinesis
            arn: arn:aws:kinesis:us-east-1:123456789012:stream/payments
        - s3: uploads-bucket
  - refund:
      handler: billing/refund.handler
      tracing: Active
      events:
        - stream: arn:aws:dynamodb:us-east-1:123456789012:table/Payments/stream/2024-01-01T00:00:00.000
";
    let dir = project(&[
        ("serverless.yml", yml),
        (
            "config/prod.yml",
            "environment:\n  TABLE: payments-prod\n  REGION_HINT: ${self:provider.stage}\n",
        ),
        ("billing/charge.py", ""),
        ("billing/refund.py", ""),
    ]);
    let found = discover_all(dir.path(), &[]).expect("discover");
    assert_eq!(found.diagnostics, vec![]);
    assert_eq!(names(&found), vec!["charge", "refund"]);
    let charge = named(&found, "charge");
    assert_eq!(charge.entry, entry("billing/charge.py", "handler"));
    assert_eq!(
        charge.env,
        env(&[("REGION_HINT", s("prod")), ("TABLE", s("payments-prod"))])
    );
    assert!(charge.vpc);
    assert!(!charge.tracing);
    assert_eq!(charge.function_name, s("billing-prod-charge"));
    assert_eq!(
        charge.events,
        vec![
            event(
                EventKind::KinesisStream,
                "stream[0]",
                Some(s("arn:aws:kinesis:us-east-1:123456789012:stream/payments"))
            ),
            event(EventKind::S3, "s3[1]", Some(s("uploads-bucket"))),
        ]
    );
    assert_eq!(
        charge.destinations,
        vec![
            Destination {
                kind: DestinationKind::DeadLetter,
                target_type: "sns".into(),
                target: s("arn:aws:sns:us-east-1:123456789012:billing-dlq"),
            },
            Destination {
                kind: DestinationKind::OnFailure,
                target_type: "lambda".into(),
                target: s("billing-prod-refund"),
            },
        ]
    );
    // serverless-iam-roles-per-function: own role, provider statements not inherited.
    assert_eq!(
        charge.role,
        Some(RoleSpec::Generated {
            logical_id: "ChargeIamRoleLambdaExecution".into()
        })
    );
    assert_eq!(
        charge.policies,
        vec![DeclaredPolicy::Statements {
            source: "functions.charge.iamRoleStatements".into(),
            statements: serde_json::json!([{"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "*"}]),
        }]
    );

    let refund = named(&found, "refund");
    assert!(refund.tracing);
    assert_eq!(
        refund.events,
        vec![event(
            EventKind::DynamodbStream,
            "stream[0]",
            Some(s(
                "arn:aws:dynamodb:us-east-1:123456789012:table/Payments/stream/2024-01-01T00:00:00.000"
            ))
        )]
    );
    assert_eq!(
        refund.policies,
        vec![DeclaredPolicy::Statements {
            source: "provider.iamRoleStatements".into(),
            statements: serde_json::json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::billing/*"}]),
        }]
    );
}

#[test]
fn typescript_build_output_maps_to_sources() {
    let template = "Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs20.x
Resources:
  Compiled:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: api/
      Handler: dist/handlers/get.handler
  Esbuild:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: esbuild
      BuildProperties:
        EntryPoints:
          - src/put.ts
    Properties:
      CodeUri: api/
      Handler: put.handler
";
    let dir = project(&[
        ("template.yaml", template),
        (
            "api/tsconfig.json",
            "{\n  // compiled with tsc\n  \"compilerOptions\": {\"outDir\": \"dist\", \"rootDir\": \"src\"},\n}\n",
        ),
        ("api/src/handlers/get.ts", ""),
        ("api/src/put.ts", ""),
    ]);
    let found = discover_all(dir.path(), &[]).expect("discover");
    assert_eq!(found.diagnostics, vec![]);
    assert_eq!(
        named(&found, "Compiled").entry,
        entry("api/src/handlers/get.ts", "handler")
    );
    assert_eq!(named(&found, "Compiled").language, Language::TypeScript);
    assert_eq!(
        named(&found, "Esbuild").entry,
        entry("api/src/put.ts", "handler")
    );
}

#[test]
fn standalone_lambda_function_with_role_resource_and_attachments() {
    let template = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Parameters": {"Env": {"Type": "String", "Default": "qa"}},
  "Resources": {
    "Worker": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "Code": "./worker",
        "Handler": "main.handler",
        "Runtime": "python3.13",
        "FunctionName": {"Fn::Sub": "worker-${Env}"},
        "Role": {"Fn::GetAtt": ["WorkerRole", "Arn"]},
        "TracingConfig": {"Mode": "Active"},
        "DeadLetterConfig": {"TargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]}},
        "KmsKeyArn": "arn:aws:kms:eu-west-1:111122223333:key/abcd",
        "LoggingConfig": {"LogGroup": "/custom/worker"},
        "Environment": {"Variables": {"STREAM": {"Ref": "Stream"}}}
      }
    },
    "WorkerRole": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "Policies": [{"PolicyName": "kinesis", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "kinesis:PutRecord", "Resource": "*"}]}}]
      }
    },
    "Stream": {"Type": "AWS::Kinesis::Stream", "Properties": {"Name": {"Fn::Sub": "events-${Env}"}, "StreamEncryption": {"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}}},
    "Dlq": {"Type": "AWS::SQS::Queue"},
    "Topic": {"Type": "AWS::SNS::Topic"},
    "Subscription": {"Type": "AWS::SNS::Subscription", "Properties": {"Protocol": "lambda", "Endpoint": {"Fn::GetAtt": ["Worker", "Arn"]}, "TopicArn": {"Ref": "Topic"}}},
    "Nightly": {"Type": "AWS::Events::Rule", "Properties": {"ScheduleExpression": "cron(0 3 * * ? *)", "Targets": [{"Id": "w", "Arn": {"Fn::GetAtt": ["Worker", "Arn"]}}]}}
  }
}"#;
    let dir = project(&[("stack.json", template), ("worker/main.py", "")]);
    let found = discover_all(dir.path(), &[]).expect("discover");
    assert_eq!(found.diagnostics, vec![]);
    let worker = named(&found, "Worker");
    assert_eq!(worker.entry, entry("worker/main.py", "handler"));
    // A parameter stays a reference (renderers write `!Sub` back), its default known.
    assert_eq!(
        worker.function_name,
        Value::Concat {
            parts: vec![s("worker-"), infra("Env", "Parameter", None, Some("qa"))]
        }
    );
    assert_eq!(worker.log_group, s("/custom/worker"));
    assert!(worker.tracing);
    assert_eq!(
        worker.env["STREAM"],
        infra("Stream", "AWS::Kinesis::Stream", None, Some("events-qa"))
    );
    assert_eq!(
        worker.events,
        vec![
            event(
                EventKind::Sns,
                "Subscription",
                Some(infra("Topic", "AWS::SNS::Topic", None, None))
            ),
            event(EventKind::Schedule, "Nightly", Some(s("cron(0 3 * * ? *)"))),
        ]
    );
    assert_eq!(
        worker.destinations,
        vec![Destination {
            kind: DestinationKind::DeadLetter,
            target_type: "sqs".into(),
            target: infra("Dlq", "AWS::SQS::Queue", Some("Arn"), None),
        }]
    );
    assert_eq!(
        worker.kms_keys,
        vec![
            KmsKey {
                source: "Stream".into(),
                key: s("alias/aws/kinesis"),
            },
            KmsKey {
                source: "environment".into(),
                key: s("arn:aws:kms:eu-west-1:111122223333:key/abcd"),
            },
        ]
    );
    assert_eq!(
        worker.role,
        Some(RoleSpec::Resource {
            logical_id: "WorkerRole".into()
        })
    );
    assert_eq!(
        worker.policies,
        vec![DeclaredPolicy::Statements {
            source: "WorkerRole/kinesis".into(),
            statements: serde_json::json!([{"Effect": "Allow", "Action": "kinesis:PutRecord", "Resource": "*"}]),
        }]
    );
}

#[test]
fn sam_creates_destination_queues_without_a_destination() {
    let template = "Transform: AWS::Serverless-2016-10-31
Resources:
  Handler:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      EventInvokeConfig:
        MaximumRetryAttempts: 1
        DestinationConfig:
          OnFailure:
            Type: SQS
          OnSuccess:
            Type: Lambda
";
    let dir = project(&[("template.yaml", template), ("src/app.py", "")]);
    let found = discover_all(dir.path(), &[]).expect("discover");
    assert_eq!(
        found.functions[0].destinations,
        vec![Destination {
            kind: DestinationKind::OnFailure,
            target_type: "sqs".into(),
            target: Value::Unknown,
        }]
    );
}

#[test]
fn stack_name_of_serverless_and_cdk_stacks() {
    // Serverless names the stack `<service>-<stage>` unless provider.stackName says otherwise.
    let yml = |provider_extra: &str| {
        format!(
            "service: billing\nprovider:\n  name: aws\n  stage: prod\n{provider_extra}  environment:\n    QUEUE: !GetAtt Jobs.QueueName\nfunctions:\n  run:\n    handler: handler.main\nresources:\n  Resources:\n    Jobs:\n      Type: AWS::SQS::Queue\n      Properties:\n        QueueName: !Sub \"${{AWS::StackName}}-jobs\"\n"
        )
    };
    for (extra, name) in [
        ("", "billing-prod-jobs"),
        ("  stackName: custom\n", "custom-jobs"),
    ] {
        let dir = project(&[
            ("serverless.yml", &yml(extra)),
            ("handler.py", "def main(e, c):\n    pass\n"),
        ]);
        let found = discover_all(dir.path(), &[]).expect("discover");
        let env = &found.functions[0].env;
        assert_eq!(
            env.get("QUEUE"),
            Some(&infra(
                "Jobs",
                "AWS::SQS::Queue",
                Some("QueueName"),
                Some(name)
            )),
            "{extra:?}"
        );
    }
}

fn diff_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/diff")
        .join(name)
}

/// SAM connectors (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-connector.html):
/// an embedded `Connectors` entry and an `AWS::Serverless::Connector`, both from the
/// function, become declarations on the role SAM generates for it.
#[test]
fn sam_connectors_are_declared_on_the_source_function_role() {
    let found = discover_all(&diff_fixture("connectors"), &[]).expect("discovery");
    let function = named(&found, "OrdersFunction");
    assert_eq!(
        function.role,
        Some(RoleSpec::Generated {
            logical_id: "OrdersFunctionRole".into()
        })
    );
    let mut connectors: Vec<&DeclaredPolicy> = function
        .policies
        .iter()
        .filter(|p| matches!(p, DeclaredPolicy::Connector { .. }))
        .collect();
    connectors.sort_by_key(|p| format!("{p:?}"));
    assert_eq!(
        connectors,
        [
            &DeclaredPolicy::Connector {
                name: "ReceiptsConn".into(),
                destination_type: "AWS::S3::Bucket".into(),
                destination_id: Some("ReceiptsBucket".into()),
                destination: serde_json::Value::Null,
                permissions: vec!["Write".into()],
            },
            &DeclaredPolicy::Connector {
                name: "TableConn".into(),
                destination_type: "AWS::DynamoDB::Table".into(),
                destination_id: Some("OrdersTable".into()),
                destination: serde_json::Value::Null,
                permissions: vec!["Read".into(), "Write".into()],
            },
        ]
    );
}

/// `!Ref` of an `AWS::IAM::ManagedPolicy` returns its ARN (CloudFormation reference,
/// AWS::IAM::ManagedPolicy "Return values"): its statements are the declaration. An
/// `AWS::IAM::Policy` naming SAM's generated role counts for that function; a managed
/// policy both listed by a role and naming it in `Roles` counts once.
#[test]
fn template_managed_policies_and_policies_on_generated_roles_are_declared() {
    let found = discover_all(&diff_fixture("template-policies"), &[]).expect("discovery");
    let sources = |name: &str| -> Vec<String> {
        named(&found, name)
            .policies
            .iter()
            .map(|p| match p {
                DeclaredPolicy::Statements { source, .. } => source.clone(),
                DeclaredPolicy::Managed { policy } => format!("managed {policy}"),
                other => format!("{other:?}"),
            })
            .collect()
    };
    let mut reports = sources("ReportsFunction");
    reports.sort();
    assert_eq!(reports, ["ExportsWritePolicy", "ReportsReadPolicy"]);
    assert_eq!(
        sources("ArchiveFunction"),
        [
            "managed \"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole\"",
            "ArchiveReadPolicy"
        ]
    );
}

#[test]
fn terraform_modules_are_read_once_and_bad_hcl_is_a_warning() {
    let function = "resource \"aws_lambda_function\" \"f\" {\n  function_name = \"f\"\n  handler = \"app.handler\"\n  runtime = \"python3.12\"\n  filename = data.archive_file.code.output_path\n}\n";
    let archive = "data \"archive_file\" \"code\" {\n  type = \"zip\"\n  source_dir = \"${path.module}/src\"\n  output_path = \"${path.module}/code.zip\"\n}\n";
    let dir = project(&[
        ("infra/lambda.tf", function),
        ("infra/archive.tf", archive),
        ("infra/src/app.py", "def handler(e, c):\n    pass\n"),
        (
            "broken/main.tf",
            "resource \"aws_lambda_function\" \"g\" {\n  handler = \n",
        ),
        (
            "image/main.tf",
            "resource \"aws_lambda_function\" \"img\" {\n  package_type = \"Image\"\n  image_uri = \"r:latest\"\n}\n",
        ),
    ]);
    let found = discover_all(dir.path(), &[]).expect("discover");
    assert_eq!(names(&found), vec!["f"]);
    assert_eq!(
        found.functions[0].entry,
        entry("infra/src/app.py", "handler")
    );
    assert_eq!(found.functions[0].function_name, s("f"));
    assert!(
        found
            .diagnostics
            .iter()
            .any(|d| d.file == "broken/main.tf" && d.message.contains("invalid Terraform")),
        "{:?}",
        found.diagnostics
    );
    assert!(
        found.diagnostics.iter().any(|d| d.file == "image/main.tf"
            && d.message
                .contains("`img` skipped: a container image function")),
        "{:?}",
        found.diagnostics
    );
}
