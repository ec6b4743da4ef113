//! Grants worth a second look whatever the code needs: privilege escalation, full control
//! of a service, and reading every secret or key of the account.
//!
//! Sources: the IAM User Guide, "Grant a user permissions to pass a role to an AWS service"
//! (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html) and
//! "Security best practices in IAM" (https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html,
//! "Apply least-privilege permissions"); Rhino Security Labs, "AWS IAM Privilege Escalation –
//! Methods and Mitigation" (https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/)
//! for the iam:/lambda: escalation paths; the AWS KMS, Secrets Manager and Systems Manager
//! guides for decrypt and secret-read scoping.

/// How a rule recognises a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The statement writes this action pattern itself (`*`, `iam:*`, `s3:*`), on any resource.
    Written,
    /// The statement writes this action pattern itself, on every resource (`*`).
    WrittenOnEverything,
    /// The statement allows this exact action (directly or through a wildcard or
    /// `NotAction`) on every resource.
    GrantedOnEverything,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Stable id, used as the SARIF rule id suffix and in JSON.
    pub id: &'static str,
    pub action: &'static str,
    pub trigger: Trigger,
    pub why: &'static str,
}

pub const RULES: &[Rule] = &[
    Rule {
        id: "admin",
        action: "*",
        trigger: Trigger::Written,
        why: "every action of every service: the function can do anything the account can",
    },
    Rule {
        id: "iam-all",
        action: "iam:*",
        trigger: Trigger::Written,
        why: "full control of IAM: the function can grant itself any permission",
    },
    Rule {
        id: "pass-role",
        action: "iam:PassRole",
        trigger: Trigger::GrantedOnEverything,
        why: "passing any role to a service it can call is privilege escalation",
    },
    Rule {
        id: "attach-role-policy",
        action: "iam:AttachRolePolicy",
        trigger: Trigger::GrantedOnEverything,
        why: "attaching policies to any role, its own included, is privilege escalation",
    },
    Rule {
        id: "put-role-policy",
        action: "iam:PutRolePolicy",
        trigger: Trigger::GrantedOnEverything,
        why: "writing inline policies on any role, its own included, is privilege escalation",
    },
    Rule {
        id: "create-policy-version",
        action: "iam:CreatePolicyVersion",
        trigger: Trigger::GrantedOnEverything,
        why: "rewriting any managed policy is privilege escalation",
    },
    Rule {
        id: "assume-role",
        action: "sts:AssumeRole",
        trigger: Trigger::GrantedOnEverything,
        why: "assuming any role that trusts the account widens the function's reach to that role's permissions",
    },
    Rule {
        id: "update-function-code",
        action: "lambda:UpdateFunctionCode",
        trigger: Trigger::GrantedOnEverything,
        why: "replacing the code of any function runs code with that function's role: privilege escalation",
    },
    Rule {
        id: "s3-all",
        action: "s3:*",
        trigger: Trigger::WrittenOnEverything,
        why: "every S3 action on every bucket: read, overwrite and delete all data, change bucket policies",
    },
    Rule {
        id: "kms-decrypt",
        action: "kms:Decrypt",
        trigger: Trigger::GrantedOnEverything,
        why: "decrypting with every KMS key of the account exposes all data encrypted with them",
    },
    Rule {
        id: "secrets-read",
        action: "secretsmanager:GetSecretValue",
        trigger: Trigger::GrantedOnEverything,
        why: "reading every secret of the account (data exfiltration)",
    },
    Rule {
        id: "parameters-read",
        action: "ssm:GetParameter",
        trigger: Trigger::GrantedOnEverything,
        why: "reading every SSM parameter, SecureString ones included (data exfiltration)",
    },
];
