//! One IAM policy statement: effect, actions, resources, conditions.

use std::collections::{BTreeMap, BTreeSet};

/// Whether a statement allows or denies what it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Effect {
    /// `"Effect": "Allow"`.
    #[default]
    Allow,
    /// `"Effect": "Deny"`.
    Deny,
}

impl Effect {
    /// The spelling IAM uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// Whether a statement's list names what it covers (`Action`, `Resource`) or everything but
/// what it names (`NotAction`, `NotResource`). Generation only produces [`Listing::Include`];
/// the diff reads deployed policies, which may use either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Listing {
    /// `Action` / `Resource`: the listed items.
    #[default]
    Include,
    /// `NotAction` / `NotResource`: everything except the listed items.
    Exclude,
}

/// Condition block: operator (`StringEquals`, `ForAnyValue:StringLike`…) -> condition key ->
/// values.
pub type Conditions = BTreeMap<String, BTreeMap<String, Vec<String>>>;

/// One statement of an identity policy.
///
/// Resource strings use CloudFormation `!Sub` placeholder syntax:
/// `arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${OrdersTable}`,
/// that is `${AWS::...}` pseudo parameters and `${LogicalId}` / `${LogicalId.Attr}`
/// references; `"*"` is allowed. IAM policy variables such as `${aws:username}` are kept
/// literally (see [`crate::policy::escape_policy_variables`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Statement {
    /// Statement id; [`crate::policy::PolicyDocument::canonicalize`] assigns stable ones.
    pub sid: Option<String>,
    /// Allow or Deny.
    pub effect: Effect,
    /// IAM actions, `prefix:Name` (e.g. `s3:GetObject`); wildcards allowed when read from a
    /// deployed policy.
    pub actions: BTreeSet<String>,
    /// `Action` or `NotAction`.
    pub action_listing: Listing,
    /// Resource ARNs in placeholder syntax, or `"*"`.
    pub resources: BTreeSet<String>,
    /// `Resource` or `NotResource`.
    pub resource_listing: Listing,
    /// Operator -> key -> values; empty when the statement has no `Condition`.
    pub conditions: Conditions,
}

impl Statement {
    /// An Allow statement granting `actions` on `resources`, without conditions.
    pub fn allow<A, R>(actions: A, resources: R) -> Self
    where
        A: IntoIterator,
        A::Item: Into<String>,
        R: IntoIterator,
        R::Item: Into<String>,
    {
        Statement {
            actions: actions.into_iter().map(Into::into).collect(),
            resources: resources.into_iter().map(Into::into).collect(),
            ..Statement::default()
        }
    }

    /// True for a plain `Action` + `Resource` statement, the only kind whose grants can be
    /// regrouped or split freely.
    pub fn is_plain(&self) -> bool {
        self.action_listing == Listing::Include && self.resource_listing == Listing::Include
    }
}
