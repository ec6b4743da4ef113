use std::collections::{BTreeSet, HashSet};

use super::{keep, set};
use crate::policy::{
    Listing, MANAGED_POLICY_LIMIT, PolicyDocument, PolicyError, PolicyKind, Statement, policy_size,
};

#[test]
fn size_counts_non_whitespace_characters_of_minified_json() {
    // {"Version":"2012-10-17","Statement":[]}
    //  1 + 9 + 1 + 12 + 1 + 11 + 1 + 2 + 1 = 39
    assert_eq!(
        policy_size(&PolicyDocument::default().to_iam_json(&keep)),
        39
    );
    // {"Effect":"Allow","Action":["s3:GetObject"],"Resource":["*"]}
    //  1 + 8+1+7 + 1 + 8+1+16 + 1 + 10+1+5 + 1 = 61, plus the 39 around it.
    let one = PolicyDocument {
        statements: vec![Statement::allow(["s3:GetObject"], ["*"])],
    };
    assert_eq!(policy_size(&one.to_iam_json(&keep)), 100);
    // Whitespace inside values does not count either, and pretty-printing changes nothing.
    let spaced = serde_json::json!({"Version": "2012-10-17", "Statement": [{"Sid": "a b c"}]});
    // {"Version":"2012-10-17","Statement":[{"Sid":"abc"}]} = 39 + 1 + 5+1+5 + 1 = 52
    assert_eq!(policy_size(&spaced), 52);
    // Measured after substitution: ${Bucket} (9 characters) becomes "b" (1).
    let placeholder = PolicyDocument {
        statements: vec![Statement::allow(["s3:GetObject"], ["${Bucket}"])],
    };
    assert_eq!(
        policy_size(&placeholder.to_iam_json(&|_| "b".to_string())),
        100
    );
    assert_eq!(policy_size(&placeholder.to_iam_json(&keep)), 108);
}

/// A generated policy far over the managed limit: 300 tables with their own action sets,
/// one statement of 700 actions, one action on 400 resources.
fn large_policy() -> PolicyDocument {
    let mut grants: Vec<(String, BTreeSet<String>)> = Vec::new();
    for table in 0..300 {
        let arn = format!(
            "arn:${{AWS::Partition}}:dynamodb:${{AWS::Region}}:${{AWS::AccountId}}:table/Table{table}"
        );
        grants.push((format!("dynamodb:Action{}", table % 7), set(&[&arn])));
    }
    for action in 0..700 {
        grants.push((format!("ec2:DescribeThing{action:04}"), set(&["*"])));
    }
    let buckets: Vec<String> = (0..400)
        .map(|b| format!("arn:aws:s3:::bucket-{b:04}/*"))
        .collect();
    grants.push(("s3:GetObject".into(), buckets.iter().cloned().collect()));
    PolicyDocument::from_grants(grants)
}

#[test]
fn managed_split_pieces_fit_and_grant_exactly_the_same() {
    let document = large_policy();
    let substitute = |p: &str| {
        if p == "${AWS::Partition}" {
            "aws".to_string()
        } else {
            "*".to_string()
        }
    };
    assert!(policy_size(&document.to_iam_json(&substitute)) > 5 * MANAGED_POLICY_LIMIT);
    let pieces = document
        .split(PolicyKind::Managed, &substitute)
        .expect("splits");
    assert!(pieces.len() > 5);
    let mut granted = BTreeSet::new();
    for piece in &pieces {
        assert!(policy_size(&piece.to_iam_json(&substitute)) <= MANAGED_POLICY_LIMIT);
        let sids: HashSet<_> = piece.statements.iter().map(|s| s.sid.clone()).collect();
        assert_eq!(
            sids.len(),
            piece.statements.len(),
            "Sids unique within a document"
        );
        granted.extend(piece.allowed_pairs());
    }
    assert_eq!(granted, document.allowed_pairs());
    // The 700-action statement was split by actions, its parts named after it.
    let ec2_parts: Vec<_> = pieces
        .iter()
        .flat_map(|p| &p.statements)
        .filter_map(|s| s.sid.as_deref().filter(|sid| sid.starts_with("Ec2Part")))
        .collect();
    assert_eq!(
        ec2_parts.len(),
        3,
        "{:?}",
        pieces
            .iter()
            .flat_map(|p| &p.statements)
            .map(|s| s.sid.clone())
            .collect::<Vec<_>>()
    );
    assert_eq!(ec2_parts[0], "Ec2Part1");
    // Splitting is deterministic.
    assert_eq!(document.split(PolicyKind::Managed, &substitute), Ok(pieces));
}

#[test]
fn a_document_that_fits_stays_whole() {
    let document =
        PolicyDocument::from_grants([("s3:GetObject".to_string(), set(&["arn:aws:s3:::b/*"]))]);
    assert_eq!(
        document.split(PolicyKind::Managed, &keep),
        Ok(vec![document.clone()])
    );
    assert_eq!(
        document.split(PolicyKind::Inline, &keep),
        Ok(vec![document.clone()])
    );
    // An empty document is one empty document.
    assert_eq!(
        PolicyDocument::default().split(PolicyKind::Managed, &keep),
        Ok(vec![PolicyDocument::default()])
    );
}

#[test]
fn packing_is_exact_at_the_limit() {
    // Two statements of 61 characters: alone 100, together 39 + 61 + 1 + 61 = 162.
    let document = PolicyDocument {
        statements: vec![
            Statement::allow(["s3:GetObject"], ["*"]),
            Statement::allow(["s3:PutObject"], ["*"]),
        ],
    };
    assert_eq!(document.split_to_fit(162, &keep).map(|d| d.len()), Ok(1));
    assert_eq!(document.split_to_fit(161, &keep).map(|d| d.len()), Ok(2));
    // At 100 each statement fits alone; at 99 not even one action on one resource does.
    assert_eq!(document.split_to_fit(100, &keep).map(|d| d.len()), Ok(2));
    assert_eq!(
        document.split_to_fit(99, &keep),
        Err(PolicyError::GrantTooLarge {
            action: "s3:GetObject".into(),
            resource: "*".into(),
            size: 100,
            limit: 99
        })
    );
}

#[test]
fn inline_policies_cannot_be_split_around_the_role_limit() {
    let error = large_policy()
        .split(PolicyKind::Inline, &keep)
        .expect_err("too large");
    assert!(
        matches!(error, PolicyError::InlineTooLarge { limit: 10_240, .. }),
        "{error}"
    );
}

#[test]
fn a_grant_too_large_for_any_policy_is_an_error() {
    let huge = format!("arn:aws:s3:::{}", "b".repeat(7000));
    let document = PolicyDocument::from_grants([("s3:GetObject".to_string(), set(&[&huge]))]);
    let error = document
        .split(PolicyKind::Managed, &keep)
        .expect_err("cannot fit");
    assert!(
        matches!(error, PolicyError::GrantTooLarge { ref action, .. } if action == "s3:GetObject"),
        "{error}"
    );
}

#[test]
fn not_action_statements_are_never_split() {
    let actions: Vec<String> = (0..700).map(|i| format!("ec2:Describe{i:04}")).collect();
    let statement = Statement {
        sid: Some("Fence".into()),
        action_listing: Listing::Exclude,
        ..Statement::allow(actions, ["*"])
    };
    let document = PolicyDocument {
        statements: vec![statement],
    };
    let error = document
        .split(PolicyKind::Managed, &keep)
        .expect_err("cannot split");
    assert!(
        matches!(error, PolicyError::StatementTooLarge { ref sid, .. } if sid == "Fence"),
        "{error}"
    );
}
