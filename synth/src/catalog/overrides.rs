//! Reviewed exceptions to the Service Reference's operation-to-action data, loaded from
//! `synth/data/overrides.toml`. Every row cites its source.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    #[serde(default)]
    pub operation: Vec<OperationOverride>,
    #[serde(default)]
    pub no_permission: Vec<NoPermission>,
    #[serde(default)]
    pub extra: Vec<ConditionalExtra>,
    #[serde(default)]
    pub object_read: Vec<ObjectRead>,
}

/// The actions one operation needs, replacing the catalog's default.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationOverride {
    /// boto3 client name.
    pub client: String,
    /// Operation name as in the service model (`ListObjectsV2`).
    pub operation: String,
    /// Actions needed whatever the arguments.
    #[serde(default)]
    pub actions: Vec<String>,
    /// Argument-dependent changes.
    #[serde(default)]
    pub when: Vec<WhenArg>,
    /// One action per element of a list argument, by the element's key (transactions).
    pub per_item: Option<PerItem>,
    /// One action per statement verb (PartiQL).
    pub by_statement: Option<ByStatement>,
    pub source: String,
}

/// When `arg` is passed (with any value, or one of `values`), add and remove actions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhenArg {
    pub arg: String,
    #[serde(default)]
    pub values: Vec<String>,
    #[serde(default)]
    pub add: Vec<String>,
    #[serde(default)]
    pub remove: Vec<String>,
}

/// `TransactItems=[{"Put": {...}}, {"Update": {...}}]`: each element's single key picks the
/// action, and the element's body scopes the resource (its `TableName`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerItem {
    /// The list argument.
    pub list: String,
    /// Element key -> action.
    pub actions: BTreeMap<String, String>,
}

/// PartiQL: the statement's first word picks the action.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ByStatement {
    /// The argument holding the statement, or a list of `{Statement: ...}` elements.
    pub arg: String,
    /// Upper-case verb -> action.
    pub verbs: BTreeMap<String, String>,
}

/// Operations that need no IAM permission (bearer-token APIs, identity queries).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoPermission {
    pub client: String,
    /// Operation names; `*` for every operation of the client.
    pub operations: Vec<String>,
    pub source: String,
}

/// Actions the Service Reference lists as possibly checked that a call needs only when it
/// passes a certain argument: `iam:PassRole` with a role ARN, tagging with tags.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionalExtra {
    /// Applies to authorized actions ending with this (`:PassRole`, `:TagResource`).
    pub action_suffix: String,
    /// Argument names (normalised: lower case, no `_`) ending with one of these trigger it.
    pub arg_suffixes: Vec<String>,
    /// Where the found value goes in the extra action's resource scope (`RoleArn` for
    /// `iam:PassRole`: the role passed); `None` scopes it by the call's own arguments.
    #[serde(default)]
    pub scope_member: Option<String>,
    /// Citation; read by reviewers and checked to be present by a test.
    #[allow(dead_code)]
    pub source: String,
}

/// A service that reads an S3 object named in the request with the caller's permissions
/// (Rekognition and Textract `S3Object`): the call also needs the S3 action on that object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectRead {
    /// boto3 client names.
    pub clients: Vec<String>,
    /// The member (at any depth, normalised as for extras) naming the object.
    pub member: String,
    /// The S3 action needed on it.
    pub action: String,
    /// The members of the object naming its bucket and key.
    pub bucket: String,
    pub key: String,
    /// Citation; read by reviewers and checked to be present by a test.
    #[allow(dead_code)]
    pub source: String,
}
