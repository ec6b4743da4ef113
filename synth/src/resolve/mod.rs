//! Facts to actions: each call fact is resolved through the catalog to the IAM actions it
//! needs and the resources they apply to, keeping every call site as a reason. Calls the
//! catalog cannot place become `unresolved`, never a guess.

pub mod arn;
mod bedrock;
mod conditions;
mod glob;

use std::collections::{BTreeMap, BTreeSet};

use analyzer::{CallFact, Diagnostic, FunctionFacts, Location, Step, Unresolved, Via};
use serde::Serialize;

use crate::catalog::{Basis, Catalog, LookupError};
use crate::policy::Conditions;

/// Why an action is needed: one call site.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Reason {
    pub file: String,
    pub line: u32,
    pub call: String,
    /// Handler first; for `explain`.
    #[serde(skip)]
    pub chain: Vec<Step>,
    #[serde(skip)]
    pub via: Via,
}

/// One action with its resources and reasons.
#[derive(Debug, Clone, Serialize)]
pub struct ActionGrant {
    pub action: String,
    pub resources: BTreeSet<String>,
    pub reasons: BTreeSet<Reason>,
    #[serde(skip)]
    pub basis: Basis,
    /// Conditions that allow every need of the action (`iam:PassedToService` for the
    /// service a role is handed to); `None` when some need is unconditional.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Conditions>,
}

impl ActionGrant {
    pub fn new(action: impl Into<String>, basis: Basis) -> Self {
        ActionGrant {
            action: action.into(),
            resources: BTreeSet::new(),
            reasons: BTreeSet::new(),
            basis,
            conditions: None,
        }
    }

    /// Adds one need for the action, with the conditions it can be granted under.
    pub fn add(
        &mut self,
        resources: impl IntoIterator<Item = String>,
        reason: Reason,
        conditions: Option<Conditions>,
    ) {
        self.conditions = if self.reasons.is_empty() {
            conditions
        } else {
            conditions::join(self.conditions.take(), conditions)
        };
        self.resources.extend(resources);
        self.reasons.insert(reason);
    }
}

/// What a function needs.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// By action name, so output is sorted.
    pub actions: BTreeMap<String, ActionGrant>,
    pub unresolved: Vec<Unresolved>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Resolves every fact of a function.
pub fn resolve(catalog: &Catalog, facts: &FunctionFacts) -> Resolved {
    let mut resolved = Resolved {
        unresolved: facts.unresolved.clone(),
        diagnostics: facts.diagnostics.clone(),
        ..Resolved::default()
    };
    for fact in &facts.calls {
        resolve_call(catalog, fact, &mut resolved);
    }
    for grant in resolved.actions.values_mut() {
        grant.resources = glob::drop_covered(std::mem::take(&mut grant.resources));
    }
    resolved.unresolved.sort();
    resolved.unresolved.dedup();
    resolved.diagnostics.sort();
    resolved.diagnostics.dedup();
    resolved
}

fn resolve_call(catalog: &Catalog, fact: &CallFact, out: &mut Resolved) {
    let op = match catalog.resolve(&fact.client, &fact.operation) {
        Ok(op) => op,
        Err(error) => {
            out.unresolved.push(Unresolved {
                location: fact.location.clone(),
                call: fact.call.clone(),
                why: unresolved_why(&error),
            });
            return;
        }
    };
    let requirement = catalog.required(op, &fact.args);
    let members = catalog.input_members(op);
    if requirement.basis == Basis::Inferred {
        let action = requirement.needs.first().map_or("", |n| n.action.as_str());
        out.diagnostics.push(Diagnostic::warning(
            &fact.location.file,
            fact.location.line,
            format!(
                "{action} is inferred from the operation name: the AWS Service Authorization Reference in this build lists no action for {}",
                catalog.operation_name(op)
            ),
        ));
    }
    let reason = Reason {
        file: fact.location.file.clone(),
        line: fact.location.line,
        call: fact.call.clone(),
        chain: fact.chain.clone(),
        via: fact.via,
    };
    let call_actions: Vec<String> = requirement.needs.iter().map(|n| n.action.clone()).collect();
    let call_actions: Vec<&str> = call_actions.iter().map(String::as_str).collect();
    for need in requirement.needs {
        let resources = arn::resources(
            catalog,
            &need.action,
            &need.scope,
            members,
            fact.region.as_ref(),
        );
        let conditions = conditions::for_need(&need.action, &call_actions, &need.scope);
        out.actions
            .entry(need.action.clone())
            .or_insert_with(|| ActionGrant::new(need.action.clone(), requirement.basis))
            .add(resources, reason.clone(), conditions);
    }
}

fn unresolved_why(error: &LookupError) -> String {
    match error {
        LookupError::UnknownClient { .. } => format!("not in the AWS catalog: {error}"),
        LookupError::UnknownOperation { .. } | LookupError::UnknownWaiter { .. } => {
            format!("not in the AWS catalog: {error}")
        }
    }
}

/// Where a fact is, for messages.
pub fn location_text(location: &Location) -> String {
    format!("{}:{}", location.file, location.line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;
    use analyzer::{Client, Operation, Sdk, Value};

    fn fact(service: &str, method: &str, args: &[(&str, Value)], line: u32) -> CallFact {
        CallFact {
            client: Client {
                sdk: Sdk::Boto3,
                service: service.to_string(),
            },
            operation: Operation::Method(method.to_string()),
            args: args
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
            via: Via::Call,
            location: Location {
                file: "app.py".into(),
                line,
            },
            call: format!("{service}.{method}(...)"),
            chain: vec![],
            region: None,
        }
    }

    #[test]
    fn reasons_accumulate_and_unknown_calls_are_unresolved() {
        let facts = FunctionFacts {
            calls: vec![
                fact(
                    "dynamodb",
                    "put_item",
                    &[("TableName", Value::str("Orders"))],
                    10,
                ),
                fact(
                    "dynamodb",
                    "put_item",
                    &[("TableName", Value::str("Audit"))],
                    20,
                ),
                fact("s3", "get_objekt", &[], 30),
            ],
            ..FunctionFacts::default()
        };
        let resolved = resolve(catalog(), &facts);
        let put = &resolved.actions["dynamodb:PutItem"];
        assert_eq!(
            put.reasons.iter().map(|r| r.line).collect::<Vec<_>>(),
            [10, 20]
        );
        assert_eq!(put.resources.len(), 2);
        assert_eq!(resolved.unresolved.len(), 1);
        assert!(
            resolved.unresolved[0].why.contains("get_object"),
            "{}",
            resolved.unresolved[0].why
        );
    }

    #[test]
    fn a_wildcard_resource_covers_narrower_ones() {
        let facts = FunctionFacts {
            calls: vec![
                fact(
                    "dynamodb",
                    "get_item",
                    &[("TableName", Value::str("Orders"))],
                    1,
                ),
                fact("dynamodb", "get_item", &[("TableName", Value::Unknown)], 2),
            ],
            ..FunctionFacts::default()
        };
        let resolved = resolve(catalog(), &facts);
        let resources: Vec<_> = resolved.actions["dynamodb:GetItem"]
            .resources
            .iter()
            .cloned()
            .collect();
        assert_eq!(
            resources,
            ["arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*"]
        );
    }
}
