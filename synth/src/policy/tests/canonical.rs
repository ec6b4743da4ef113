use std::collections::BTreeSet;

use super::{keep, set};
use crate::policy::{Effect, Listing, PolicyDocument, Statement};

const ORDERS: &str =
    "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}";
const ORDERS_INDEXES: &str =
    "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}/index/*";
const OBJECTS: &str = "arn:aws:s3:::my-bucket/*";
const BUCKET: &str = "arn:aws:s3:::my-bucket";

fn grants() -> Vec<(String, BTreeSet<String>)> {
    vec![
        ("dynamodb:PutItem".into(), set(&[ORDERS])),
        ("s3:GetObject".into(), set(&[OBJECTS])),
        ("dynamodb:GetItem".into(), set(&[ORDERS])),
        ("s3:ListAllMyBuckets".into(), set(&[])),
        ("dynamodb:Query".into(), set(&[ORDERS_INDEXES, ORDERS])),
        ("s3:PutObject".into(), set(&[OBJECTS, "*"])),
        ("dynamodb:GetItem".into(), set(&[ORDERS])),
    ]
}

fn statement(sid: &str, actions: &[&str], resources: &[&str]) -> Statement {
    Statement {
        sid: Some(sid.into()),
        ..Statement::allow(actions.iter().copied(), resources.iter().copied())
    }
}

#[test]
fn from_grants_groups_actions_by_resource_set() {
    let document = PolicyDocument::from_grants(grants());
    let expected = vec![
        statement(
            "DynamodbTableOrdersTable",
            &["dynamodb:GetItem", "dynamodb:PutItem"],
            &[ORDERS],
        ),
        statement(
            "DynamodbTableOrdersTable2",
            &["dynamodb:Query"],
            &[ORDERS, ORDERS_INDEXES],
        ),
        statement("S3MyBucket", &["s3:GetObject"], &[OBJECTS]),
        // ListAllMyBuckets applies to no resource: "*"; PutObject's bucket ARN is covered by "*".
        statement("S3", &["s3:ListAllMyBuckets", "s3:PutObject"], &["*"]),
    ];
    assert_eq!(document.statements, expected);
}

#[test]
fn canonical_form_does_not_depend_on_input_order() {
    let mut reversed = grants();
    reversed.reverse();
    assert_eq!(
        PolicyDocument::from_grants(reversed),
        PolicyDocument::from_grants(grants())
    );
    // Canonicalizing twice changes nothing.
    let mut again = PolicyDocument::from_grants(grants());
    again.canonicalize();
    assert_eq!(again, PolicyDocument::from_grants(grants()));
}

#[test]
fn star_in_another_statement_covers_the_same_action() {
    let mut document = PolicyDocument {
        statements: vec![
            Statement::allow(["s3:GetObject", "s3:PutObject"], [OBJECTS]),
            Statement::allow(["s3:GetObject"], ["*"]),
        ],
    };
    document.canonicalize();
    assert_eq!(
        document.statements,
        vec![
            statement("S3", &["s3:GetObject"], &["*"]),
            statement("S3MyBucket", &["s3:PutObject"], &[OBJECTS])
        ]
    );
}

#[test]
fn sid_clashes_get_numeric_suffixes_in_canonical_order() {
    let document = PolicyDocument::from_grants([
        ("s3:ListBucket".to_string(), set(&[BUCKET])),
        ("s3:GetObject".to_string(), set(&[OBJECTS])),
    ]);
    let sids: Vec<_> = document
        .statements
        .iter()
        .map(|s| s.sid.as_deref())
        .collect();
    assert_eq!(sids, [Some("S3MyBucket"), Some("S3MyBucket2")]);
    assert_eq!(document.statements[1].actions, set(&["s3:ListBucket"]));
}

#[test]
fn adding_an_unrelated_statement_keeps_other_sids() {
    let before = PolicyDocument::from_grants(grants());
    let mut more = grants();
    more.push((
        "sqs:SendMessage".into(),
        set(&["arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Jobs.QueueName}"]),
    ));
    let after = PolicyDocument::from_grants(more);
    assert_eq!(after.statements.len(), before.statements.len() + 1);
    for statement in &before.statements {
        assert!(
            after.statements.contains(statement),
            "{statement:?} changed"
        );
    }
    assert_eq!(
        after.statements.last().and_then(|s| s.sid.as_deref()),
        Some("SqsJobs")
    );
}

#[test]
fn sids_are_alphanumeric_and_bounded() {
    let document = PolicyDocument::from_grants([
        (
            "execute-api:Invoke".to_string(),
            set(&["arn:aws:execute-api:*:*:abc/*/POST/orders"]),
        ),
        (
            "logs:PutLogEvents".to_string(),
            set(&[&format!(
                "arn:aws:logs:*:*:log-group:/{}:*",
                "x".repeat(100)
            )]),
        ),
        ("*".to_string(), set(&["*"])),
    ]);
    let sids: Vec<_> = document
        .statements
        .iter()
        .filter_map(|s| s.sid.clone())
        .collect();
    assert_eq!(sids[0], "All");
    assert_eq!(sids[1], "ExecuteApiAbcPOSTOrders");
    assert!(sids[2].starts_with("LogsLogGroupXxx"));
    assert_eq!(sids[2].len(), 64);
    assert!(
        sids.iter()
            .all(|s| s.chars().all(|c| c.is_ascii_alphanumeric()))
    );
}

#[test]
fn deny_conditions_and_not_lists_stay_apart() {
    let conditional = Statement {
        conditions: [(
            "StringEquals".to_string(),
            [(
                "aws:RequestedRegion".to_string(),
                vec!["eu-west-1".to_string()],
            )]
            .into(),
        )]
        .into(),
        ..Statement::allow(["s3:GetObject"], [OBJECTS])
    };
    let deny = Statement {
        effect: Effect::Deny,
        ..Statement::allow(["s3:DeleteObject"], [OBJECTS])
    };
    let not_action = Statement {
        sid: Some("Old".into()),
        action_listing: Listing::Exclude,
        ..Statement::allow(["iam:*"], ["*"])
    };
    let mut document = PolicyDocument {
        statements: vec![
            deny.clone(),
            not_action.clone(),
            not_action.clone(),
            conditional.clone(),
            Statement::allow(["s3:GetObject"], [OBJECTS]),
            Statement::allow(Vec::<String>::new(), [OBJECTS]),
        ],
    };
    document.canonicalize();
    let with_sid = |s: &Statement, sid: &str| Statement {
        sid: Some(sid.into()),
        ..s.clone()
    };
    assert_eq!(
        document.statements,
        vec![
            statement("S3MyBucket", &["s3:GetObject"], &[OBJECTS]),
            with_sid(&conditional, "S3MyBucket2"),
            with_sid(&not_action, "NotIam"),
            with_sid(&deny, "DenyS3MyBucket"),
        ]
    );
}

#[test]
fn iam_json_of_a_canonical_document() {
    let document = PolicyDocument::from_grants(grants());
    let substitute = |p: &str| match p {
        "${AWS::Partition}" => "aws".to_string(),
        "${OrdersTable}" => "orders".to_string(),
        _ => "*".to_string(),
    };
    let json = document.to_iam_json(&substitute).to_string();
    let expected = concat!(
        r#"{"Version":"2012-10-17","Statement":["#,
        r#"{"Sid":"DynamodbTableOrdersTable","Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:PutItem"],"Resource":["arn:aws:dynamodb:*:*:table/orders"]},"#,
        r#"{"Sid":"DynamodbTableOrdersTable2","Effect":"Allow","Action":["dynamodb:Query"],"Resource":["arn:aws:dynamodb:*:*:table/orders","arn:aws:dynamodb:*:*:table/orders/index/*"]},"#,
        r#"{"Sid":"S3MyBucket","Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::my-bucket/*"]},"#,
        r#"{"Sid":"S3","Effect":"Allow","Action":["s3:ListAllMyBuckets","s3:PutObject"],"Resource":["*"]}"#,
        "]}"
    );
    assert_eq!(json, expected);
    // Keeping placeholders gives the CloudFormation !Sub form.
    let kept = document.to_iam_json(&keep);
    assert_eq!(kept["Statement"][0]["Resource"][0], ORDERS);
}
