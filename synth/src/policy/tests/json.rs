use super::{keep, set};
use crate::policy::{Effect, Listing, PolicyDocument, PolicyError, Statement};

#[test]
fn reads_single_strings_and_a_single_statement_object() {
    let text = r#"{
        "Version": "2012-10-17",
        "Statement": {
            "Sid": "ReadOrders",
            "Effect": "Allow",
            "Action": "dynamodb:GetItem",
            "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Orders"
        }
    }"#;
    let document = PolicyDocument::from_iam_json(text).expect("valid policy");
    assert_eq!(
        document.statements,
        vec![Statement {
            sid: Some("ReadOrders".into()),
            ..Statement::allow(
                ["dynamodb:GetItem"],
                ["arn:aws:dynamodb:us-east-1:123456789012:table/Orders"]
            )
        }]
    );
}

#[test]
fn reads_not_lists_deny_and_conditions_of_every_scalar_kind() {
    // Shaped like the AWS "deny outside of eu-west-1" example policy.
    let text = r#"{"Version":"2012-10-17","Id":"x","Statement":[
        {"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*",
         "Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]},
                      "Bool":{"aws:SecureTransport":false},
                      "NumericLessThan":{"s3:max-keys":10}}},
        {"Effect":"Allow","Action":["s3:*"],"NotResource":["arn:aws:s3:::secret","arn:aws:s3:::secret/*"]}
    ]}"#;
    let document = PolicyDocument::from_iam_json(text).expect("valid policy");
    let deny = &document.statements[0];
    assert_eq!(deny.effect, Effect::Deny);
    assert_eq!(deny.action_listing, Listing::Exclude);
    assert_eq!(deny.actions, set(&["iam:*", "sts:*"]));
    assert_eq!(deny.resource_listing, Listing::Include);
    assert_eq!(
        deny.conditions["StringNotEquals"]["aws:RequestedRegion"],
        ["eu-west-1", "eu-central-1"]
    );
    assert_eq!(deny.conditions["Bool"]["aws:SecureTransport"], ["false"]);
    assert_eq!(deny.conditions["NumericLessThan"]["s3:max-keys"], ["10"]);
    let allow = &document.statements[1];
    assert_eq!(allow.resource_listing, Listing::Exclude);
    assert_eq!(
        allow.resources,
        set(&["arn:aws:s3:::secret", "arn:aws:s3:::secret/*"])
    );

    // Written back: NotAction/NotResource keys, Condition values as arrays.
    let json = document.to_iam_json(&keep);
    assert_eq!(
        json["Statement"][0]["NotAction"],
        serde_json::json!(["iam:*", "sts:*"])
    );
    assert_eq!(
        json["Statement"][0]["Condition"]["Bool"]["aws:SecureTransport"],
        serde_json::json!(["false"])
    );
    assert_eq!(
        json["Statement"][1]["NotResource"][1],
        "arn:aws:s3:::secret/*"
    );
    assert_eq!(PolicyDocument::from_iam_value(&json), Ok(document));
}

#[test]
fn reads_percent_encoded_documents_as_get_role_policy_returns_them() {
    // {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",
    //  "Resource":"arn:aws:s3:::my-bucket/*"}]} with a newline and spaces, encoded by hand.
    let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%0A%20%20%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Amy-bucket%2F%2A%22%7D%5D%7D";
    let document = PolicyDocument::from_iam_json(encoded).expect("decodes");
    assert_eq!(
        document.statements,
        vec![Statement::allow(
            ["s3:GetObject"],
            ["arn:aws:s3:::my-bucket/*"]
        )]
    );
    // Lower-case escapes and a '+' that is literal in RFC 3986 encoding.
    let lower = "%7b%22Statement%22%3a%7b%22Effect%22%3a%22Allow%22%2c%22Action%22%3a%22s3%3aGetObject%22%2c%22Resource%22%3a%22arn%3aaws%3as3%3a%3a%3ab%2fa+b%22%7d%7d";
    let document = PolicyDocument::from_iam_json(lower).expect("decodes");
    assert_eq!(
        document.statements[0].resources,
        set(&["arn:aws:s3:::b/a+b"])
    );
    // An unencoded document containing '%' is read as JSON, not decoded.
    let plain = r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/100%25"}]}"#;
    let document = PolicyDocument::from_iam_json(plain).expect("plain JSON");
    assert_eq!(
        document.statements[0].resources,
        set(&["arn:aws:s3:::b/100%25"])
    );
}

#[test]
fn errors_say_what_is_wrong() {
    let cases = [
        (
            "not json",
            "policy document is not valid JSON: expected ident at line 1 column 2",
        ),
        (
            "%7B%2",
            "policy document is not valid percent-encoded text: bad escape at character 4",
        ),
        (
            "%7B%+1",
            "policy document is not valid percent-encoded text: bad escape at character 4",
        ),
        (
            "%FF%FE",
            "policy document is not valid percent-encoded text: decoded text is not UTF-8",
        ),
        (
            "[]",
            "invalid policy document: a policy document must be a JSON object",
        ),
        (
            r#"{"Version":"2012-10-17"}"#,
            "invalid policy document: missing Statement",
        ),
        (
            r#"{"Version":"2020-01-01","Statement":[]}"#,
            "invalid policy document: unsupported Version \"2020-01-01\"; IAM accepts \"2012-10-17\" and \"2008-10-17\"",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Action":"s3:*","Resource":"*"}]}"#,
            "invalid policy statement 1: missing Effect",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"iam:*","Resource":"*"}]}"#,
            "invalid policy statement 0: a statement has either Action or NotAction, not both",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}"#,
            "invalid policy statement 0: Principal belongs to resource-based policies; an identity policy statement has none",
        ),
        (
            r#"{"Statement":[{"Effect":"allow","Action":"s3:*","Resource":"*"}]}"#,
            "invalid policy statement 0: Effect must be \"Allow\" or \"Deny\", not \"allow\"",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":["s3:*",1],"Resource":"*"}]}"#,
            "invalid policy statement 0: Action must hold strings: found 1",
        ),
        (
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*"}]}"#,
            "invalid policy statement 0: missing Resource (or NotResource)",
        ),
    ];
    for (text, message) in cases {
        let error = PolicyDocument::from_iam_json(text).expect_err(text);
        assert_eq!(error.to_string(), message, "for {text}");
    }
    assert!(matches!(
        PolicyDocument::from_iam_json("x"),
        Err(PolicyError::Json(_))
    ));
}

#[test]
fn reads_cloudformation_intrinsics_as_placeholders() {
    // A SAM/CloudFormation inline policy, as a template reader hands it over (long forms).
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": [
                {"Fn::GetAtt": ["OrdersTable", "Arn"]},
                {"Fn::Sub": "${OrdersTable.Arn}/index/*"},
                {"Fn::GetAtt": "Archive.Arn"}
            ]},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Fn::Join": ["", [
                "arn:", {"Ref": "AWS::Partition"}, ":s3:::", {"Ref": "Uploads"}, "/*"
            ]]}},
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": {"Fn::Sub": [
                "arn:${AWS::Partition}:s3:::${Name}/home/${!aws:username}",
                {"Name": {"Ref": "Uploads"}}
            ]}, "Condition": {"StringEquals": {"aws:ResourceAccount": {"Ref": "AWS::AccountId"}}}}
        ]
    });
    let document = PolicyDocument::from_iam_value(&policy).expect("valid policy");
    assert_eq!(
        document.statements[0].resources,
        set(&[
            "${OrdersTable.Arn}",
            "${OrdersTable.Arn}/index/*",
            "${Archive.Arn}"
        ])
    );
    assert_eq!(
        document.statements[1].resources,
        set(&["arn:${AWS::Partition}:s3:::${Uploads}/*"])
    );
    assert_eq!(
        document.statements[2].resources,
        set(&["arn:${AWS::Partition}:s3:::${Uploads}/home/${aws:username}"])
    );
    assert_eq!(
        document.statements[2].conditions["StringEquals"]["aws:ResourceAccount"],
        ["${AWS::AccountId}"]
    );

    let unsupported = serde_json::json!({"Statement": [{"Effect": "Allow", "Action": "s3:*",
        "Resource": {"Fn::If": ["Prod", "a", "b"]}}]});
    assert_eq!(
        PolicyDocument::from_iam_value(&unsupported).map_err(|e| e.to_string()),
        Err("invalid policy statement 0: Resource must be a string or an array of strings: unsupported CloudFormation function Fn::If".to_string())
    );
}

#[test]
fn iam_json_keys_come_in_iam_order() {
    let statement = Statement {
        sid: Some("Fence".into()),
        effect: Effect::Deny,
        action_listing: Listing::Exclude,
        resource_listing: Listing::Exclude,
        conditions: [(
            "StringEquals".to_string(),
            [(
                "aws:ResourceAccount".to_string(),
                vec!["${AWS::AccountId}".to_string()],
            )]
            .into(),
        )]
        .into(),
        ..Statement::allow(["sts:GetCallerIdentity"], ["${Bucket.Arn}"])
    };
    let document = PolicyDocument {
        statements: vec![statement, Statement::allow(["s3:GetObject"], ["*"])],
    };
    let substitute = |p: &str| {
        if p == "${AWS::AccountId}" {
            "123456789012".to_string()
        } else {
            "arn:aws:s3:::b".to_string()
        }
    };
    assert_eq!(
        document.to_iam_json(&substitute).to_string(),
        concat!(
            r#"{"Version":"2012-10-17","Statement":["#,
            r#"{"Sid":"Fence","Effect":"Deny","NotAction":["sts:GetCallerIdentity"],"NotResource":["arn:aws:s3:::b"],"#,
            r#""Condition":{"StringEquals":{"aws:ResourceAccount":["123456789012"]}}},"#,
            r#"{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["*"]}]}"#
        )
    );
}

#[test]
fn two_placeholders_with_one_value_give_one_resource() {
    let document = PolicyDocument {
        statements: vec![Statement::allow(["s3:GetObject"], ["${A}/*", "${B}/*"])],
    };
    let json = document.to_iam_json(&|_| "arn:aws:s3:::same".to_string());
    assert_eq!(
        json["Statement"][0]["Resource"],
        serde_json::json!(["arn:aws:s3:::same/*"])
    );
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let text = "\u{feff}{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}";
    let document = PolicyDocument::from_iam_json(text).expect("valid policy");
    assert_eq!(
        document.statements,
        vec![Statement::allow(["s3:GetObject"], ["*"])]
    );
}
