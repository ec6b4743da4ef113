//! A policy document: the statements of one IAM identity policy.

use std::collections::BTreeSet;

use super::statement::{Conditions, Effect, Statement};

/// The policy language version every document is written with.
pub const POLICY_VERSION: &str = "2012-10-17";

/// One IAM identity policy. Its `Version` is always [`POLICY_VERSION`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyDocument {
    /// The statements, in document order.
    pub statements: Vec<Statement>,
}

impl PolicyDocument {
    /// The canonical document allowing each `(action, resources)` grant. An action with an
    /// empty resource set applies to no specific resource (e.g. `s3:ListAllMyBuckets`) and
    /// is granted on `"*"`, as IAM requires for such actions.
    pub fn from_grants(grants: impl IntoIterator<Item = (String, BTreeSet<String>)>) -> Self {
        Self::from_conditional_grants(
            grants
                .into_iter()
                .map(|(action, resources)| (action, resources, Conditions::new())),
        )
    }

    /// As [`Self::from_grants`], each grant under its conditions (empty: none).
    pub fn from_conditional_grants(
        grants: impl IntoIterator<Item = (String, BTreeSet<String>, Conditions)>,
    ) -> Self {
        let statements = grants
            .into_iter()
            .map(|(action, resources, conditions)| {
                let resources = if resources.is_empty() {
                    BTreeSet::from(["*".to_string()])
                } else {
                    resources
                };
                Statement {
                    actions: BTreeSet::from([action]),
                    resources,
                    conditions,
                    ..Statement::default()
                }
            })
            .collect();
        let mut document = PolicyDocument { statements };
        document.canonicalize();
        document
    }

    /// Every `(action, resource)` pair the document's plain Allow statements without
    /// conditions grant, sorted. Deny, NotAction/NotResource and conditional statements are
    /// not flattened here: their meaning is not a set of pairs.
    pub fn allowed_pairs(&self) -> BTreeSet<(String, String)> {
        self.statements
            .iter()
            .filter(|s| s.effect == Effect::Allow && s.is_plain() && s.conditions.is_empty())
            .flat_map(|s| {
                s.actions
                    .iter()
                    .flat_map(|a| s.resources.iter().map(move |r| (a.clone(), r.clone())))
            })
            .collect()
    }
}
