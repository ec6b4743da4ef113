//! Needed against allowed, with IAM's semantics: an action is allowed when an Allow
//! statement matches it (wildcards, `NotAction`, `NotResource`) and no Deny statement
//! surely matches it. Conditions are not evaluated: a conditional Allow counts as allowing
//! and the output says so.
//!
//! Needed resources hold unknowns (template placeholders, `*` for names the code computes),
//! so an Allow counts when it *may* match the needed resource ([`pattern::intersects`]): a
//! `missing` finding is then certain, never a guess. A Deny subtracts only what it surely
//! matches ([`pattern::contains`]). An action that takes no resource needs a grant on `*`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::deployed::{Deployed, Grant};
use super::pattern::{self, Pattern, action_matches};
use super::risky::{RULES, Trigger};
use crate::catalog::Catalog;
use crate::policy::{Effect, Listing, Statement};
use crate::resolve::{ActionGrant, Reason};

/// Values for placeholders: pseudo parameters from the flags, template references whose
/// physical name the infrastructure states. Anything else is an unknown.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub arn: crate::render::ArnValues,
    /// `${OrdersTable}` -> `orders-prod`.
    pub refs: BTreeMap<String, String>,
    /// `${OrdersTable.Arn}` -> `arn:…:table/${OrdersTable}`: declared grants on a resource's
    /// ARN attribute compare by its name.
    pub arns: BTreeMap<String, String>,
}

impl Names {
    fn value(&self, placeholder: &str) -> Option<String> {
        match placeholder {
            "${AWS::Partition}" => Some(self.arn.plain(placeholder)),
            "${AWS::URLSuffix}" => Some(self.arn.plain(placeholder)),
            "${AWS::Region}" => self.arn.region.clone(),
            "${AWS::AccountId}" => self.arn.account.clone(),
            other => self.refs.get(other).cloned(),
        }
    }

    pub fn pattern(&self, resource: &str) -> Pattern {
        Pattern::new(&self.expand_arns(resource), &|p| self.value(p))
    }

    /// The resource as the output shows it: placeholders as IAM text (`*` if unknown).
    pub fn display(&self, resource: &str) -> String {
        crate::policy::substitute(&self.expand_arns(resource), &|p| {
            self.value(p).unwrap_or_else(|| self.arn.plain(p))
        })
    }

    /// `${Orders.Arn}` written as the table's ARN by its name placeholder.
    fn expand_arns(&self, resource: &str) -> String {
        crate::policy::substitute(resource, &|p| {
            self.arns.get(p).cloned().unwrap_or_else(|| p.to_string())
        })
    }
}

/// A needed action the role does not allow.
#[derive(Debug, Clone, Serialize)]
pub struct Missing {
    pub action: String,
    pub resources: Vec<String>,
    pub reasons: Vec<ReasonOut>,
    /// Deny statements that take it away, when one does.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub denied_by: Vec<String>,
}

/// A call site, as output.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ReasonOut {
    pub file: String,
    pub line: u32,
    pub call: String,
}

impl From<&Reason> for ReasonOut {
    fn from(r: &Reason) -> Self {
        ReasonOut {
            file: r.file.clone(),
            line: r.line,
            call: r.call.clone(),
        }
    }
}

/// A grant no code of the role's functions needs.
#[derive(Debug, Clone, Serialize)]
pub struct Excess {
    /// As written: an exact action or a pattern (`dynamodb:*`).
    pub action: String,
    pub resources: Vec<String>,
    pub granted_by: String,
    /// For a pattern: how many of the actions it matches no code needs (absent when the
    /// catalog cannot count them, as for `*`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unused: Option<usize>,
    /// For a pattern: the needed actions it also grants, which a tighter policy keeps.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub covers: Vec<String>,
    #[serde(skip)]
    pub location: Option<(String, u32)>,
}

/// A needed action that the role allows.
#[derive(Debug, Clone, Serialize)]
pub struct Kept {
    pub action: String,
    pub resources: Vec<String>,
    pub granted_by: Vec<String>,
}

/// A needed action granted on every resource where specific ones would do.
#[derive(Debug, Clone, Serialize)]
pub struct Broadened {
    pub action: String,
    pub granted: Vec<String>,
    pub needed: Vec<String>,
    pub granted_by: String,
    #[serde(skip)]
    pub location: Option<(String, u32)>,
}

/// A grant the risk table flags.
#[derive(Debug, Clone, Serialize)]
pub struct Risky {
    pub rule: String,
    pub action: String,
    pub resources: Vec<String>,
    pub granted_by: String,
    pub why: String,
    #[serde(skip)]
    pub location: Option<(String, u32)>,
}

/// The findings for one function.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    pub missing: Vec<Missing>,
    pub excess: Vec<Excess>,
    pub kept: Vec<Kept>,
    pub broadened: Vec<Broadened>,
    pub risky: Vec<Risky>,
    pub notes: Vec<String>,
}

/// Compares what one function needs with what its role allows. `role_needs` is what every
/// function sharing the role needs (action, lower-cased -> resources): a grant is excess only
/// when none of them needs it.
pub fn compare(
    catalog: &Catalog,
    needed: &[&ActionGrant],
    role_needs: &BTreeMap<String, BTreeSet<String>>,
    deployed: &Deployed,
    names: &Names,
) -> Findings {
    let mut out = Findings {
        notes: deployed.notes.clone(),
        ..Findings::default()
    };
    if !deployed.known {
        return out;
    }
    for grant in &deployed.grants {
        if !grant.statement.conditions.is_empty() {
            let keys: BTreeSet<String> = grant
                .statement
                .conditions
                .iter()
                .flat_map(|(op, keys)| keys.keys().map(move |k| format!("{op} {k}")))
                .collect();
            out.notes.push(format!(
                "{}: has a Condition ({}), not evaluated: counted as allowing",
                grant.granted_by,
                keys.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    for need in needed {
        needed_action(need, deployed, names, &mut out);
    }
    excess(catalog, role_needs, deployed, names, &mut out);
    risky(deployed, names, &mut out);
    out.notes.sort();
    out.notes.dedup();
    out.missing.sort_by(|a, b| a.action.cmp(&b.action));
    out.kept.sort_by(|a, b| a.action.cmp(&b.action));
    out.excess.sort_by(|a, b| {
        (&a.action, &a.granted_by, &a.resources).cmp(&(&b.action, &b.granted_by, &b.resources))
    });
    out.broadened
        .sort_by(|a, b| (&a.action, &a.granted_by).cmp(&(&b.action, &b.granted_by)));
    out.broadened
        .dedup_by(|a, b| a.action == b.action && a.granted_by == b.granted_by);
    out.risky
        .sort_by(|a, b| (&a.rule, &a.granted_by).cmp(&(&b.rule, &b.granted_by)));
    out.risky
        .dedup_by(|a, b| a.rule == b.rule && a.granted_by == b.granted_by);
    out
}

/// The needed resources of a grant; an action that takes no resource needs `*`.
fn needed_resources(need: &ActionGrant) -> Vec<String> {
    if need.resources.is_empty() {
        vec!["*".to_string()]
    } else {
        need.resources.iter().cloned().collect()
    }
}

fn needed_action(need: &ActionGrant, deployed: &Deployed, names: &Names, out: &mut Findings) {
    let mut covered = Vec::new();
    let mut uncovered = Vec::new();
    let mut granted_by = BTreeSet::new();
    let mut denied_by = BTreeSet::new();
    let resources = needed_resources(need);
    let specific = !resources.iter().any(|r| r == "*");
    for resource in &resources {
        let wanted = names.pattern(resource);
        let everything = resource == "*";
        let denies: Vec<&Grant> = deployed
            .grants
            .iter()
            .filter(|g| g.statement.effect == Effect::Deny)
            .filter(|g| applies_to_action(&g.statement, &need.action))
            .filter(|g| surely_applies_to_resource(&g.statement, &wanted, names))
            .collect();
        let allows: Vec<&Grant> = deployed
            .grants
            .iter()
            .filter(|g| g.statement.effect == Effect::Allow)
            .filter(|g| applies_to_action(&g.statement, &need.action))
            .filter(|g| {
                if everything {
                    surely_applies_to_resource(&g.statement, &wanted, names)
                } else {
                    may_apply_to_resource(&g.statement, &wanted, names)
                }
            })
            .collect();
        if !denies.is_empty() {
            denied_by.extend(denies.iter().map(|g| g.granted_by.clone()));
            uncovered.push(names.display(resource));
        } else if allows.is_empty() {
            uncovered.push(names.display(resource));
        } else {
            covered.push(names.display(resource));
            granted_by.extend(allows.iter().map(|g| g.granted_by.clone()));
            if specific {
                for allow in &allows {
                    broadened(need, allow, &resources, names, out);
                }
            }
        }
    }
    if !uncovered.is_empty() {
        uncovered.sort();
        uncovered.dedup();
        out.missing.push(Missing {
            action: need.action.clone(),
            resources: uncovered,
            reasons: need.reasons.iter().map(ReasonOut::from).collect(),
            denied_by: denied_by.into_iter().collect(),
        });
    }
    if !covered.is_empty() {
        covered.sort();
        covered.dedup();
        out.kept.push(Kept {
            action: need.action.clone(),
            resources: covered,
            granted_by: granted_by.into_iter().collect(),
        });
    }
}

/// A statement grants on every resource (`*`) or on every resource of a service
/// (`arn:aws:s3:::*`, `arn:aws:dynamodb:*:*:*`).
fn is_broad(resource: &str) -> bool {
    if resource.chars().all(|c| c == '*') {
        return true;
    }
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    parts.len() == 6 && parts[5].chars().all(|c| c == '*') && !parts[5].is_empty()
}

fn broadened(
    need: &ActionGrant,
    allow: &Grant,
    needed: &[String],
    names: &Names,
    out: &mut Findings,
) {
    if allow.framework || allow.statement.resource_listing != Listing::Include {
        return;
    }
    let broad: Vec<String> = allow
        .statement
        .resources
        .iter()
        .filter(|r| is_broad(&names.display(r)))
        .map(|r| names.display(r))
        .collect();
    if broad.is_empty() {
        return;
    }
    let mut needed: Vec<String> = needed.iter().map(|r| names.display(r)).collect();
    needed.sort();
    needed.dedup();
    out.broadened.push(Broadened {
        action: need.action.clone(),
        granted: broad,
        needed,
        granted_by: allow.granted_by.clone(),
        location: allow.location.clone(),
    });
}

fn applies_to_action(statement: &Statement, action: &str) -> bool {
    let listed = statement
        .actions
        .iter()
        .any(|pattern| action_matches(pattern, action));
    match statement.action_listing {
        Listing::Include => listed,
        Listing::Exclude => !listed,
    }
}

fn may_apply_to_resource(statement: &Statement, wanted: &Pattern, names: &Names) -> bool {
    match statement.resource_listing {
        Listing::Include => statement
            .resources
            .iter()
            .any(|r| pattern::intersects(&names.pattern(r), wanted)),
        Listing::Exclude => !statement
            .resources
            .iter()
            .any(|r| pattern::contains(&names.pattern(r), wanted)),
    }
}

fn surely_applies_to_resource(statement: &Statement, wanted: &Pattern, names: &Names) -> bool {
    match statement.resource_listing {
        Listing::Include => statement
            .resources
            .iter()
            .any(|r| pattern::contains(&names.pattern(r), wanted)),
        Listing::Exclude => !statement
            .resources
            .iter()
            .any(|r| pattern::intersects(&names.pattern(r), wanted)),
    }
}

fn statement_resources(statement: &Statement, names: &Names) -> Vec<String> {
    let mut resources: Vec<String> = statement
        .resources
        .iter()
        .map(|r| names.display(r))
        .collect();
    resources.sort();
    resources.dedup();
    if statement.resource_listing == Listing::Exclude {
        resources = vec![format!("* except {}", resources.join(", "))];
    }
    resources
}

/// Grants that no function of the role needs: exact actions nobody calls, exact actions on
/// resources nobody uses, patterns matching actions nobody calls, and `NotAction` grants.
fn excess(
    catalog: &Catalog,
    role_needs: &BTreeMap<String, BTreeSet<String>>,
    deployed: &Deployed,
    names: &Names,
    out: &mut Findings,
) {
    for grant in &deployed.grants {
        let statement = &grant.statement;
        // What the framework adds to its role is not the user's to remove.
        if statement.effect != Effect::Allow || grant.framework {
            continue;
        }
        let resources = statement_resources(statement, names);
        let entry = |action: String, unused, covers| Excess {
            action,
            resources: resources.clone(),
            granted_by: grant.granted_by.clone(),
            unused,
            covers,
            location: grant.location.clone(),
        };
        if statement.action_listing == Listing::Exclude {
            let listed: Vec<&str> = statement.actions.iter().map(String::as_str).collect();
            out.excess.push(entry(
                format!("* except {}", listed.join(", ")),
                None,
                Vec::new(),
            ));
            continue;
        }
        for action in &statement.actions {
            if !action.contains(['*', '?']) {
                match role_needs.get(&action.to_ascii_lowercase()) {
                    None => out
                        .excess
                        .push(entry(canonical(catalog, action), None, Vec::new())),
                    Some(needed) => {
                        let needed: Vec<String> = if needed.is_empty() {
                            vec!["*".to_string()]
                        } else {
                            needed.iter().cloned().collect()
                        };
                        let used = needed.iter().any(|n| {
                            let wanted = names.pattern(n);
                            may_apply_to_resource(statement, &wanted, names)
                        });
                        if !used {
                            out.excess
                                .push(entry(canonical(catalog, action), None, Vec::new()));
                        }
                    }
                }
                continue;
            }
            let covers: Vec<String> = role_needs
                .keys()
                .filter(|n| action_matches(action, n))
                .map(|n| canonical(catalog, n))
                .collect();
            match expand(catalog, action) {
                Some(all) => {
                    let unused = all.len().saturating_sub(covers.len());
                    if unused > 0 || covers.is_empty() {
                        out.excess.push(entry(action.clone(), Some(unused), covers));
                    }
                }
                None => out.excess.push(entry(action.clone(), None, covers)),
            }
        }
    }
}

/// The actions a pattern with a literal service prefix matches (`s3:Get*`); `None` when the
/// prefix itself is a pattern (`*`, `s*:Get*`) or unknown to the catalog.
fn expand(catalog: &Catalog, pattern: &str) -> Option<Vec<String>> {
    let (prefix, _) = pattern.split_once(':')?;
    if prefix.contains(['*', '?']) {
        return None;
    }
    let service = catalog.service(&prefix.to_ascii_lowercase())?;
    Some(
        service
            .actions
            .keys()
            .map(|name| format!("{}:{name}", service.prefix))
            .filter(|action| action_matches(pattern, action))
            .collect(),
    )
}

/// An action as the catalog spells it (`dynamodb:putitem` -> `dynamodb:PutItem`).
fn canonical(catalog: &Catalog, action: &str) -> String {
    match catalog.action(action) {
        Some((service, name, _)) => format!("{}:{name}", service.prefix),
        None => action.to_string(),
    }
}

fn risky(deployed: &Deployed, names: &Names, out: &mut Findings) {
    let everything = Pattern::plain("*");
    for grant in &deployed.grants {
        let statement = &grant.statement;
        if statement.effect != Effect::Allow {
            continue;
        }
        let on_everything = surely_applies_to_resource(statement, &everything, names);
        // A rule on a written pattern (`*`, `iam:*`) says it all for the actions it covers.
        let mut covered_by_written: Vec<&str> = Vec::new();
        for rule in RULES {
            let written = statement.action_listing == Listing::Include
                && statement
                    .actions
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(rule.action));
            let flagged = match rule.trigger {
                Trigger::Written => written,
                Trigger::WrittenOnEverything => written && on_everything,
                Trigger::GrantedOnEverything => {
                    on_everything
                        && applies_to_action(statement, rule.action)
                        && !covered_by_written
                            .iter()
                            .any(|w| action_matches(w, rule.action))
                }
            };
            if flagged && rule.trigger != Trigger::GrantedOnEverything {
                covered_by_written.push(rule.action);
            }
            if flagged {
                out.risky.push(Risky {
                    rule: rule.id.to_string(),
                    action: rule.action.to_string(),
                    resources: statement_resources(statement, names),
                    granted_by: grant.granted_by.clone(),
                    why: rule.why.to_string(),
                    location: grant.location.clone(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Basis, catalog};

    fn need(action: &str, resources: &[&str]) -> ActionGrant {
        ActionGrant {
            action: action.to_string(),
            resources: resources.iter().map(|r| r.to_string()).collect(),
            reasons: BTreeSet::new(),
            basis: Basis::ServiceReference,
            conditions: None,
        }
    }

    fn deployed(policy: serde_json::Value) -> Deployed {
        let mut d = Deployed::new(Some("role".into()));
        d.add_statements(&policy, "policy", None, true);
        assert!(d.notes.is_empty(), "{:?}", d.notes);
        d
    }

    fn run(needs: &[ActionGrant], d: &Deployed) -> Findings {
        let refs: Vec<&ActionGrant> = needs.iter().collect();
        let mut role_needs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for n in needs {
            role_needs
                .entry(n.action.to_ascii_lowercase())
                .or_default()
                .extend(n.resources.iter().cloned());
        }
        compare(catalog(), &refs, &role_needs, d, &Names::default())
    }

    const TABLE: &str =
        "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/Orders";

    #[test]
    fn a_deny_takes_away_what_an_allow_grants() {
        let d = deployed(serde_json::json!({"Statement": [
            {"Sid": "All", "Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
            {"Sid": "NoDelete", "Effect": "Deny", "Action": "dynamodb:Delete*", "Resource": "arn:aws:dynamodb:*:*:table/*"},
        ]}));
        let f = run(
            &[
                need("dynamodb:DeleteItem", &[TABLE]),
                need("dynamodb:GetItem", &[TABLE]),
            ],
            &d,
        );
        assert_eq!(f.missing.len(), 1);
        assert_eq!(f.missing[0].action, "dynamodb:DeleteItem");
        assert_eq!(f.missing[0].denied_by, ["NoDelete"]);
        assert_eq!(f.kept[0].action, "dynamodb:GetItem");
        // dynamodb:* on * grants GetItem on every table: broadened, and a pattern mostly unused.
        assert_eq!(f.broadened[0].action, "dynamodb:GetItem");
        assert_eq!(f.excess[0].action, "dynamodb:*");
        assert_eq!(
            f.excess[0].covers,
            ["dynamodb:DeleteItem", "dynamodb:GetItem"]
        );
        assert!(f.excess[0].unused.is_some_and(|n| n > 10));
    }

    #[test]
    fn not_action_and_not_resource_follow_iam() {
        let d = deployed(serde_json::json!({"Statement": [
            {"Sid": "AllButIam", "Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret/*"},
        ]}));
        let f = run(
            &[
                need("s3:GetObject", &["arn:${AWS::Partition}:s3:::public/a.txt"]),
                need("s3:PutObject", &["arn:${AWS::Partition}:s3:::secret/key"]),
                need(
                    "iam:GetRole",
                    &["arn:${AWS::Partition}:iam::${AWS::AccountId}:role/x"],
                ),
            ],
            &d,
        );
        let missing: Vec<&str> = f.missing.iter().map(|m| m.action.as_str()).collect();
        assert_eq!(missing, ["iam:GetRole", "s3:PutObject"]);
        assert_eq!(f.kept[0].action, "s3:GetObject");
        assert_eq!(f.excess[0].action, "* except iam:*");
    }

    #[test]
    fn an_action_without_resources_needs_a_grant_on_everything() {
        let d = deployed(serde_json::json!({"Statement": [
            {"Effect": "Allow", "Action": "xray:PutTraceSegments", "Resource": "arn:aws:xray:*:*:group/x"},
        ]}));
        let f = run(&[need("xray:PutTraceSegments", &[])], &d);
        assert_eq!(f.missing[0].resources, ["*"]);
    }

    #[test]
    fn conditions_are_noted_and_admin_says_it_all() {
        let d = deployed(serde_json::json!({"Statement": [
            {"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": "*",
             "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}},
        ]}));
        let f = run(&[need("dynamodb:GetItem", &[TABLE])], &d);
        assert!(f.missing.is_empty());
        let rules: Vec<&str> = f.risky.iter().map(|r| r.rule.as_str()).collect();
        assert_eq!(rules, ["admin"]);
        assert_eq!(
            f.notes,
            [
                "Admin: has a Condition (StringEquals aws:RequestedRegion), not evaluated: counted as allowing"
            ]
        );
    }
}
