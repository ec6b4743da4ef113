//! Canonical form of a policy document: merged, sorted, deduplicated, with stable Sids.
//!
//! The same grants always give the same document, byte for byte, whatever order they came in;
//! that is what makes generated policies diffable and reviewable.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::document::PolicyDocument;
use super::placeholder::substitute;
use super::statement::{Conditions, Effect, Listing, Statement};

/// Longest Sid derived from a statement's content, before any clash suffix. IAM sets no limit
/// but every character counts toward the policy size.
const MAX_SID_LEN: usize = 64;

impl PolicyDocument {
    /// Put the document into canonical form:
    /// - plain `Action` + `Resource` statements are flattened to (action, resource) pairs per
    ///   effect and condition block, a resource covered by `"*"` for the same action is
    ///   dropped, and actions are regrouped so that actions with equal resource sets share one
    ///   statement;
    /// - NotAction/NotResource statements are kept whole (their lists cannot be regrouped
    ///   without changing their meaning), duplicates removed;
    /// - plain statements granting nothing (no action or no resource) are dropped;
    /// - statements are sorted (Allow first, then by actions, resources, conditions);
    /// - every statement gets a Sid derived from its service prefixes and resource names,
    ///   alphanumeric only, with a numeric suffix on clashes; earlier Sids are replaced.
    pub fn canonicalize(&mut self) {
        let mut pairs: BTreeMap<(Effect, Conditions), BTreeMap<String, BTreeSet<String>>> =
            BTreeMap::new();
        let mut kept: BTreeSet<Statement> = BTreeSet::new();
        for statement in std::mem::take(&mut self.statements) {
            if !statement.is_plain() {
                kept.insert(Statement {
                    sid: None,
                    ..statement
                });
                continue;
            }
            let by_action = pairs
                .entry((statement.effect, statement.conditions))
                .or_default();
            for action in statement.actions {
                by_action
                    .entry(action)
                    .or_default()
                    .extend(statement.resources.iter().cloned());
            }
        }
        for ((effect, conditions), by_action) in pairs {
            let mut by_resources: BTreeMap<BTreeSet<String>, BTreeSet<String>> = BTreeMap::new();
            for (action, mut resources) in by_action {
                if resources.is_empty() {
                    continue;
                }
                if resources.contains("*") {
                    resources = BTreeSet::from(["*".to_string()]);
                }
                by_resources.entry(resources).or_default().insert(action);
            }
            for (resources, actions) in by_resources {
                kept.insert(Statement {
                    sid: None,
                    effect,
                    actions,
                    action_listing: Listing::Include,
                    resources,
                    resource_listing: Listing::Include,
                    conditions: conditions.clone(),
                });
            }
        }
        let mut statements: Vec<Statement> = kept.into_iter().collect();
        statements.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        assign_sids(&mut statements);
        self.statements = statements;
    }
}

/// Allow before Deny, then plain before Not* lists, then by content: statements of one
/// service end up next to each other because actions start with the service prefix.
#[allow(clippy::type_complexity)]
fn sort_key(
    s: &Statement,
) -> (
    Effect,
    Listing,
    Listing,
    &BTreeSet<String>,
    &BTreeSet<String>,
    &Conditions,
) {
    (
        s.effect,
        s.action_listing,
        s.resource_listing,
        &s.actions,
        &s.resources,
        &s.conditions,
    )
}

/// Give every statement a unique Sid derived from its content; the first statement (in
/// canonical order) with a given base keeps it, later ones get `2`, `3`…, so a statement's
/// Sid changes only when a statement with the same base is added before it.
pub(super) fn assign_sids(statements: &mut [Statement]) {
    let mut used: HashSet<String> = HashSet::new();
    for statement in statements.iter_mut() {
        let base = base_sid(statement);
        let mut sid = base.clone();
        let mut n = 2;
        while used.contains(&sid) {
            sid = format!("{base}{n}");
            n += 1;
        }
        used.insert(sid.clone());
        statement.sid = Some(sid);
    }
}

/// `Deny`? + `Not`? + service prefixes + `Not`? + the words all resource names start with,
/// CamelCased: `dynamodb:GetItem` on `…:table/${OrdersTable}` and
/// `…:table/${OrdersTable}/index/*` gives `DynamodbTableOrdersTable`.
pub(super) fn base_sid(statement: &Statement) -> String {
    let mut sid = String::new();
    if statement.effect == Effect::Deny {
        sid.push_str("Deny");
    }
    if statement.action_listing == Listing::Exclude {
        sid.push_str("Not");
    }
    let services: BTreeSet<&str> = statement
        .actions
        .iter()
        .map(|a| a.split_once(':').map_or(a.as_str(), |(prefix, _)| prefix))
        .collect();
    let service_words: String = services.iter().map(|s| camel_case(s)).collect();
    sid.push_str(if service_words.is_empty() {
        "All"
    } else {
        &service_words
    });
    if statement.resource_listing == Listing::Exclude {
        sid.push_str("Not");
    }
    sid.push_str(&common_words(&statement.resources).concat());
    sid.truncate(MAX_SID_LEN);
    sid
}

/// The resource part of an ARN with placeholders replaced by their logical ids (pseudo
/// parameters dropped): `arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Jobs.QueueName}`
/// gives `Jobs`.
fn resource_name(resource: &str) -> String {
    let named = substitute(resource, &|placeholder| {
        let inner = placeholder.trim_start_matches("${").trim_end_matches('}');
        if inner.starts_with("AWS::") {
            String::new()
        } else {
            inner.split('.').next().unwrap_or_default().to_string()
        }
    });
    if named.starts_with("arn:") {
        named.splitn(6, ':').nth(5).unwrap_or_default().to_string()
    } else {
        named
    }
}

/// The CamelCase words every resource's name starts with: `my-bucket/*` alone gives
/// `["My", "Bucket"]`; `table/Orders` with `table/Orders/index/*` gives `["Table", "Orders"]`;
/// `table/A` with `table/B` gives `["Table"]`.
fn common_words(resources: &BTreeSet<String>) -> Vec<String> {
    let mut names = resources.iter().map(|r| camel_words(&resource_name(r)));
    let mut common = names.next().unwrap_or_default();
    for words in names {
        let shared = common
            .iter()
            .zip(&words)
            .take_while(|(a, b)| a == b)
            .count();
        common.truncate(shared);
    }
    common
}

/// CamelCase of the ASCII letters and digits of `text`.
fn camel_case(text: &str) -> String {
    camel_words(text).concat()
}

/// ASCII letter-and-digit runs of `text`, first letter upper-cased: `my-bucket/*` gives
/// `["My", "Bucket"]`, `OrdersTable` stays one word.
fn camel_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}
