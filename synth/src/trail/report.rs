//! Evidence against code, per function: what its role did (observed), what it did that the
//! code does not explain, what the code needs that never happened in the window, and what
//! IAM refused.
//!
//! A function's events are its role's. The role comes from `--role FUNCTION=ARN`, else from
//! the infrastructure when it names an ARN or a role name; else it is found in the evidence:
//! Lambda names a role session after the function (`assumed-role/ROLE/FUNCTION`), so a
//! deployed function name the infrastructure states picks out the function's own calls even
//! on a shared role; failing that, a role whose name holds `-<LogicalId>-` (CloudFormation's
//! generated `stack-LogicalId-RANDOM` physical name) is the function's.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use analyzer::Value;
use analyzer::infra::RoleSpec;

use super::evidence::{Evidence, Key, Outcome, Problem, Tally};
use super::mapping::{Mapped, find_operation, map_event};
use crate::catalog::Catalog;
use crate::generate::{FunctionReport, Report};

/// A `--role` value: `ARN`, `NAME`, `FUNCTION=ARN` or `FUNCTION=NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleArg {
    pub function: Option<String>,
    pub role: String,
}

impl RoleArg {
    pub fn parse(text: &str) -> Result<RoleArg, String> {
        let text = text.trim();
        let (function, role) = match text.split_once('=') {
            Some((f, r)) if !f.is_empty() && !f.starts_with("arn:") => {
                (Some(f.to_string()), r.to_string())
            }
            _ => (None, text.to_string()),
        };
        if role.is_empty() || (role.starts_with("arn:") && !role.contains(":role/")) {
            return Err(format!(
                "--role {text}: expected a role ARN (arn:aws:iam::123456789012:role/NAME), a role name, or FUNCTION=ROLE"
            ));
        }
        Ok(RoleArg { function, role })
    }
}

/// Whether the role ARN of an event is the role `wanted` names (an ARN, with or without its
/// path, or a bare role name).
pub fn role_matches(wanted: &str, arn: &str) -> bool {
    let name = |a: &str| a.rsplit('/').next().unwrap_or(a).to_string();
    let account = |a: &str| a.split(':').nth(4).map(str::to_string);
    if wanted.starts_with("arn:") {
        wanted == arn || (account(wanted) == account(arn) && name(wanted) == name(arn))
    } else {
        name(arn) == wanted.rsplit('/').next().unwrap_or(wanted)
    }
}

/// An action with its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub action: String,
    pub count: u64,
    pub last_seen: String,
    /// Input members of the operations the events named, for resource ARN formats.
    pub members: Vec<String>,
}

/// An event no catalog operation explains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    pub event_source: String,
    pub event_name: String,
    pub denied: bool,
    pub count: u64,
    pub last_seen: String,
    pub why: String,
}

/// How the function's role was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matched {
    /// `--role`.
    Given,
    /// The infrastructure names the role.
    Infrastructure,
    /// Role sessions named after the deployed function.
    Session,
    /// A role named after the role's logical id.
    LogicalId,
    /// No role: nothing can be said about this function.
    None,
}

/// One function's (or one role's) evidence.
#[derive(Debug, Clone)]
pub struct FunctionTrail {
    pub name: String,
    /// Role ARNs whose events count for this function, sorted.
    pub roles: Vec<String>,
    pub matched: Matched,
    /// Whether there is code to compare with (false for a role given without a function).
    pub has_code: bool,
    pub observed: Vec<Seen>,
    pub observed_not_in_code: Vec<Seen>,
    pub in_code_not_observed: Vec<String>,
    pub denied: Vec<Seen>,
    pub unmapped: Vec<Unmapped>,
    /// Actions an item-dependent event may have used (not counted as observed, and not
    /// reported as unobserved either).
    pub possibly_observed: BTreeSet<String>,
}

/// The whole report.
#[derive(Debug, Clone)]
pub struct TrailReport {
    pub functions: Vec<FunctionTrail>,
    pub sources: Vec<String>,
    pub evidence: Evidence,
    pub problems: Vec<Problem>,
}

/// Which events belong to a function.
struct Selection {
    roles: BTreeSet<String>,
    session: Option<String>,
    matched: Matched,
}

/// Builds the report for every function of `report` (and every `--role` given without one).
pub fn build(
    catalog: &Catalog,
    report: &Report,
    roles: &[RoleArg],
    evidence: Evidence,
    sources: Vec<String>,
) -> TrailReport {
    let evidence_roles: BTreeSet<&str> = evidence.tallies.keys().map(|k| k.role.as_str()).collect();
    let mut mapper = Mapper {
        catalog,
        cache: HashMap::new(),
    };
    let mut functions = Vec::new();
    let single_function = report.functions.len() == 1;
    let mut used_bare = BTreeSet::new();
    for function in &report.functions {
        let given: Vec<&RoleArg> = roles
            .iter()
            .filter(|r| match &r.function {
                Some(name) => name == &function.name,
                None => single_function,
            })
            .collect();
        for g in &given {
            if g.function.is_none() {
                used_bare.insert(g.role.clone());
            }
        }
        let selection = select(function, &given, &evidence_roles);
        let trail = tally_function(&mut mapper, function, &selection, &evidence);
        functions.push(trail);
    }
    // Roles given on their own, and with no function at all every role in the evidence: the
    // per-role report.
    let mut role_only: Vec<String> = roles
        .iter()
        .filter(|r| r.function.is_none() && !used_bare.contains(&r.role))
        .map(|r| r.role.clone())
        .collect();
    if report.functions.is_empty() && roles.is_empty() {
        role_only = evidence_roles.iter().map(|r| r.to_string()).collect();
    }
    for wanted in role_only {
        let matching: BTreeSet<String> = evidence_roles
            .iter()
            .filter(|arn| role_matches(&wanted, arn))
            .map(|s| s.to_string())
            .collect();
        let selection = Selection {
            roles: if matching.is_empty() {
                [wanted.clone()].into()
            } else {
                matching
            },
            session: None,
            matched: Matched::Given,
        };
        let mut trail = tally(&mut mapper, &selection, &evidence);
        trail.name = wanted.rsplit('/').next().unwrap_or(&wanted).to_string();
        functions.push(trail);
    }
    functions.sort_by(|a, b| a.name.cmp(&b.name).then(a.roles.cmp(&b.roles)));
    let problems = evidence.all_problems();
    TrailReport {
        functions,
        sources,
        evidence,
        problems,
    }
}

/// The session names worth keeping while reading: deployed function names the
/// infrastructure states.
pub fn session_names(report: &Report) -> BTreeSet<String> {
    report.functions.iter().filter_map(deployed_name).collect()
}

fn deployed_name(function: &FunctionReport) -> Option<String> {
    match &function.spec.as_ref()?.function_name {
        Value::Str { value } if !value.is_empty() => Some(value.clone()),
        _ => None,
    }
}

fn select(
    function: &FunctionReport,
    given: &[&RoleArg],
    evidence_roles: &BTreeSet<&str>,
) -> Selection {
    let name = deployed_name(function);
    let resolve = |wanted: &str| -> BTreeSet<String> {
        let found: BTreeSet<String> = evidence_roles
            .iter()
            .filter(|arn| role_matches(wanted, arn))
            .map(|s| s.to_string())
            .collect();
        if found.is_empty() {
            [wanted.to_string()].into()
        } else {
            found
        }
    };
    if !given.is_empty() {
        return Selection {
            roles: given.iter().flat_map(|g| resolve(&g.role)).collect(),
            session: name,
            matched: Matched::Given,
        };
    }
    let spec_role = function.spec.as_ref().and_then(|s| s.role.as_ref());
    if let Some(RoleSpec::External {
        role: Value::Str { value },
    }) = spec_role
    {
        let value = value.trim();
        if !value.is_empty() && (!value.starts_with("arn:") || value.contains(":role/")) {
            return Selection {
                roles: resolve(value),
                session: name,
                matched: Matched::Infrastructure,
            };
        }
    }
    // Sessions named after the function; the session filter only keeps known names, so a
    // key carrying this name is this function's.
    if let Some(name) = &name {
        // Checked against the evidence by the caller's tallies: collect roles lazily.
        return Selection {
            roles: BTreeSet::new(),
            session: Some(name.clone()),
            matched: Matched::Session,
        };
    }
    let logical_id = match spec_role {
        Some(RoleSpec::Generated { logical_id })
        | Some(RoleSpec::Shared { logical_id })
        | Some(RoleSpec::Resource { logical_id }) => Some(logical_id.clone()),
        _ => None,
    };
    if let Some(logical_id) = logical_id {
        let needle = format!("-{logical_id}-");
        let roles: BTreeSet<String> = evidence_roles
            .iter()
            .filter(|arn| arn.rsplit('/').next().is_some_and(|n| n.contains(&needle)))
            .map(|s| s.to_string())
            .collect();
        if !roles.is_empty() {
            return Selection {
                roles,
                session: None,
                matched: Matched::LogicalId,
            };
        }
    }
    Selection {
        roles: BTreeSet::new(),
        session: None,
        matched: Matched::None,
    }
}

struct Mapper<'a> {
    catalog: &'a Catalog,
    cache: HashMap<(String, String), (Mapped, Vec<String>)>,
}

impl Mapper<'_> {
    /// The event's actions, and its operation's input members.
    fn map(&mut self, source: &str, name: &str) -> &(Mapped, Vec<String>) {
        let catalog = self.catalog;
        self.cache
            .entry((source.to_string(), name.to_string()))
            .or_insert_with(|| {
                let members = find_operation(catalog, source, name)
                    .map(|op| catalog.input_members(op).to_vec())
                    .unwrap_or_default();
                (map_event(catalog, source, name), members)
            })
    }
}

fn tally_function(
    mapper: &mut Mapper,
    function: &FunctionReport,
    selection: &Selection,
    evidence: &Evidence,
) -> FunctionTrail {
    let mut trail = tally(mapper, selection, evidence);
    trail.name = function.name.clone();
    trail.has_code = true;
    if trail.matched == Matched::None {
        return trail;
    }
    let code: BTreeSet<&str> = function.actions().map(|g| g.action.as_str()).collect();
    let observed: BTreeSet<&str> = trail
        .observed
        .iter()
        .map(|s| s.action.as_str())
        .chain(trail.possibly_observed.iter().map(String::as_str))
        .collect();
    trail.observed_not_in_code = trail
        .observed
        .iter()
        .filter(|s| !code.contains(s.action.as_str()))
        .cloned()
        .collect();
    trail.in_code_not_observed = code
        .iter()
        .filter(|a| !observed.contains(*a))
        .map(|a| a.to_string())
        .collect();
    trail
}

/// Counts the selected events into actions.
fn tally(mapper: &mut Mapper, selection: &Selection, evidence: &Evidence) -> FunctionTrail {
    let mut keys: Vec<(&Key, &Tally)> = match selection.matched {
        Matched::None => Vec::new(),
        Matched::Session => evidence
            .tallies
            .iter()
            .filter(|(k, _)| Some(&k.session) == selection.session.as_ref())
            .collect(),
        _ => {
            let of_roles: Vec<(&Key, &Tally)> = evidence
                .tallies
                .iter()
                .filter(|(k, _)| selection.roles.contains(&k.role))
                .collect();
            // On a role shared by several functions, the function's own sessions, if any.
            match &selection.session {
                Some(session) if of_roles.iter().any(|(k, _)| &k.session == session) => of_roles
                    .into_iter()
                    .filter(|(k, _)| &k.session == session)
                    .collect(),
                _ => of_roles,
            }
        }
    };
    keys.sort_by(|a, b| a.0.cmp(b.0));
    let mut roles: BTreeSet<String> = selection.roles.clone();
    let mut matched = selection.matched;
    if matched == Matched::Session {
        roles.extend(keys.iter().map(|(k, _)| k.role.clone()));
        if roles.is_empty() {
            matched = Matched::None;
        }
    }

    let mut observed: BTreeMap<String, Tally> = BTreeMap::new();
    let mut denied: BTreeMap<String, Tally> = BTreeMap::new();
    let mut members_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut unmapped: BTreeMap<(String, String, bool), (Tally, String)> = BTreeMap::new();
    let mut possibly: BTreeSet<String> = BTreeSet::new();
    for (key, tally) in keys {
        let into = |map: &mut BTreeMap<String, Tally>, action: &str| {
            map.entry(action.to_string()).or_default().merge(tally);
        };
        match &key.outcome {
            Outcome::Denied {
                action: Some(action),
            } => into(&mut denied, action),
            outcome => {
                let is_denied = *outcome != Outcome::Allowed;
                let (mapped, members) = mapper.map(&key.event_source, &key.event_name);
                match mapped {
                    Mapped::Actions(actions) => {
                        for action in actions {
                            members_of
                                .entry(action.clone())
                                .or_default()
                                .extend(members.iter().cloned());
                            into(
                                if is_denied {
                                    &mut denied
                                } else {
                                    &mut observed
                                },
                                action,
                            );
                        }
                    }
                    Mapped::NoPermission => {}
                    Mapped::OneOf { actions, why } => {
                        possibly.extend(actions.iter().cloned());
                        let why = format!("one or more of {}: {why}", actions.join(", "));
                        let entry = unmapped
                            .entry((key.event_source.clone(), key.event_name.clone(), is_denied))
                            .or_insert_with(|| (Tally::default(), why));
                        entry.0.merge(tally);
                    }
                    Mapped::Unknown { why } => {
                        let entry = unmapped
                            .entry((key.event_source.clone(), key.event_name.clone(), is_denied))
                            .or_insert_with(|| (Tally::default(), why.clone()));
                        entry.0.merge(tally);
                    }
                }
            }
        }
    }
    let seen = |map: BTreeMap<String, Tally>| -> Vec<Seen> {
        map.into_iter()
            .map(|(action, t)| Seen {
                members: members_of
                    .get(&action)
                    .map(|m| m.iter().cloned().collect())
                    .unwrap_or_default(),
                action,
                count: t.count,
                last_seen: t.last_seen,
            })
            .collect()
    };
    FunctionTrail {
        name: String::new(),
        roles: roles.into_iter().collect(),
        matched,
        has_code: false,
        observed: seen(observed),
        observed_not_in_code: Vec::new(),
        in_code_not_observed: Vec::new(),
        denied: seen(denied),
        possibly_observed: possibly,
        unmapped: unmapped
            .into_iter()
            .map(|((event_source, event_name, denied), (t, why))| Unmapped {
                event_source,
                event_name,
                denied,
                count: t.count,
                last_seen: t.last_seen,
                why,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arguments_and_matching() {
        assert_eq!(
            RoleArg::parse("CreateOrder=arn:aws:iam::1:role/orders"),
            Ok(RoleArg {
                function: Some("CreateOrder".into()),
                role: "arn:aws:iam::1:role/orders".into()
            })
        );
        assert_eq!(
            RoleArg::parse("arn:aws:iam::1:role/orders").map(|r| r.function),
            Ok(None)
        );
        assert!(RoleArg::parse("arn:aws:iam::1:user/bob").is_err());
        assert!(role_matches(
            "arn:aws:iam::1:role/orders",
            "arn:aws:iam::1:role/service-role/orders"
        ));
        assert!(!role_matches(
            "arn:aws:iam::1:role/orders",
            "arn:aws:iam::2:role/orders"
        ));
        assert!(role_matches("orders", "arn:aws:iam::1:role/orders"));
        assert!(!role_matches("orders", "arn:aws:iam::1:role/orders-2"));
    }
}
