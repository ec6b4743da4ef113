//! `iamsynth diff`: what each function needs (the generate pipeline) against what its role
//! allows today, declared in the infrastructure files ([`template`]), written in policy
//! files ([`file`]) or live in IAM ([`live`]).
//!
//! Data flow: a [`Deployed`] per function, the [`compare`]d [`Findings`], then a renderer
//! under [`render`]. Functions sharing one role are compared together for `excess`: a grant
//! is excess only when no function of the role needs it.

pub mod arns;
pub mod compare;
pub mod connector;
pub mod data;
pub mod deployed;
pub mod file;
pub mod live;
pub mod pattern;
pub mod render;
pub mod risky;
pub mod template;
pub mod tighten;

use std::collections::{BTreeMap, BTreeSet};

use analyzer::{Unresolved, Value};

pub use compare::{Findings, Names};
pub use deployed::{Deployed, Grant};

use crate::catalog::Catalog;
use crate::generate::Report;
use crate::resolve::ActionGrant;

/// One function's comparison.
#[derive(Debug, Clone)]
pub struct FunctionDiff {
    pub name: String,
    pub role: Option<String>,
    /// The other functions with the same role.
    pub shared_with: Vec<String>,
    /// False when the role's permissions are unknown (nothing compared).
    pub compared: bool,
    pub findings: Findings,
    pub unresolved: Vec<Unresolved>,
    /// The function's entry file, relative to the root: where SARIF places findings that
    /// have no statement to point at (live roles).
    pub entry_file: String,
    /// Where the infrastructure declares the function (file, line).
    pub declared: Option<(String, u32)>,
}

/// Every function's comparison, sorted by name.
#[derive(Debug, Clone, Default)]
pub struct DiffReport {
    pub functions: Vec<FunctionDiff>,
}

impl DiffReport {
    pub fn missing(&self) -> usize {
        self.functions
            .iter()
            .map(|f| f.findings.missing.len())
            .sum()
    }

    pub fn excess(&self) -> usize {
        self.functions.iter().map(|f| f.findings.excess.len()).sum()
    }
}

/// Compares each function of `report` with its `deployed` permissions (same order).
pub fn diff(
    catalog: &Catalog,
    report: &Report,
    deployed: &[Deployed],
    arn: &crate::render::ArnValues,
) -> DiffReport {
    let names = Names::of(report, arn);
    // What each role's functions need together.
    let mut by_role: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, d) in deployed.iter().enumerate() {
        if let Some(role) = &d.role {
            by_role.entry(role.as_str()).or_default().push(index);
        }
    }
    let functions = report
        .functions
        .iter()
        .zip(deployed)
        .enumerate()
        .map(|(index, (function, deployed))| {
            let members: Vec<usize> = deployed
                .role
                .as_deref()
                .and_then(|r| by_role.get(r).cloned())
                .unwrap_or_else(|| vec![index]);
            let mut role_needs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for &member in &members {
                for grant in report.functions[member].actions() {
                    role_needs
                        .entry(grant.action.to_ascii_lowercase())
                        .or_default()
                        .extend(grant.resources.iter().cloned());
                }
            }
            let needed: Vec<&ActionGrant> = function.actions().collect();
            FunctionDiff {
                name: function.name.clone(),
                role: deployed.role.clone(),
                shared_with: members
                    .iter()
                    .filter(|&&m| m != index)
                    .map(|&m| report.functions[m].name.clone())
                    .collect(),
                compared: deployed.known,
                findings: compare::compare(catalog, &needed, &role_needs, deployed, &names),
                unresolved: function.unresolved().to_vec(),
                entry_file: function.entry.file.clone(),
                declared: function
                    .spec
                    .as_ref()
                    .map(|s| (s.declared_in.clone(), s.line.max(1))),
            }
        })
        .collect();
    DiffReport { functions }
}

impl Names {
    /// Placeholder values for `report`: the flags' pseudo parameters, the template's names.
    pub fn of(report: &Report, arn: &crate::render::ArnValues) -> Names {
        Names {
            arn: arn.clone(),
            refs: known_refs(report),
            arns: resource_arns(report),
        }
    }
}

/// Template references whose physical name the infrastructure states, from the functions'
/// environment bindings: `${OrdersTable}` -> `orders-prod` for a `!Ref` whose value is the
/// name (tables, buckets, streams, parameters of SSM, functions, log groups), and
/// `${Queue.QueueName}`-style name attributes.
fn known_refs(report: &Report) -> BTreeMap<String, String> {
    let mut refs = BTreeMap::new();
    for function in &report.functions {
        let Some(spec) = &function.spec else {
            continue;
        };
        for value in spec.env.values() {
            collect_refs(value, &mut refs);
        }
    }
    refs
}

/// `${Orders.Arn}` -> `arn:…:table/${Orders}` for every template resource the functions'
/// environments and events refer to, by its type ([`arns::arn_of`]).
fn resource_arns(report: &Report) -> BTreeMap<String, String> {
    fn collect(value: &Value, out: &mut BTreeMap<String, String>) {
        match value {
            Value::Infra(reference) => {
                if let Some(arn) = arns::arn_of(&reference.resource_type, &reference.logical_id) {
                    out.insert(format!("${{{}.Arn}}", reference.logical_id), arn);
                }
            }
            Value::Concat { parts } => parts.iter().for_each(|p| collect(p, out)),
            Value::List { items } => items.iter().for_each(|p| collect(p, out)),
            Value::Map { entries } => entries.values().for_each(|p| collect(p, out)),
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    for spec in report.functions.iter().filter_map(|f| f.spec.as_ref()) {
        for value in spec.env.values() {
            collect(value, &mut out);
        }
        for value in spec.events.iter().filter_map(|e| e.resource.as_ref()) {
            collect(value, &mut out);
        }
    }
    out
}

/// Resource types whose `Ref` returns the physical name (CloudFormation resource reference,
/// "Return values" of each type).
const REF_IS_NAME: &[&str] = &[
    "AWS::DynamoDB::Table",
    "AWS::Serverless::SimpleTable",
    "AWS::S3::Bucket",
    "AWS::Kinesis::Stream",
    "AWS::SSM::Parameter",
    "AWS::Lambda::Function",
    "AWS::Serverless::Function",
    "AWS::Logs::LogGroup",
];

/// Attributes that return a physical name.
const NAME_ATTRIBUTES: &[&str] = &["QueueName", "TopicName", "Name", "StreamName"];

fn collect_refs(value: &Value, refs: &mut BTreeMap<String, String>) {
    match value {
        Value::Infra(reference) => {
            let Some(known) = &reference.known else {
                return;
            };
            match &reference.attribute {
                None if REF_IS_NAME.contains(&reference.resource_type.as_str()) => {
                    refs.insert(format!("${{{}}}", reference.logical_id), known.clone());
                }
                Some(attribute) if NAME_ATTRIBUTES.contains(&attribute.as_str()) => {
                    refs.insert(
                        format!("${{{}.{attribute}}}", reference.logical_id),
                        known.clone(),
                    );
                }
                _ => {}
            }
        }
        Value::Concat { parts } => parts.iter().for_each(|p| collect_refs(p, refs)),
        Value::List { items } => items.iter().for_each(|p| collect_refs(p, refs)),
        Value::Map { entries } => entries.values().for_each(|p| collect_refs(p, refs)),
        _ => {}
    }
}
