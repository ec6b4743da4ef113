//! `generate --cloudtrail ... --with-observed`: actions a function's role used that its code
//! does not explain are added to its policy, each with its evidence as the reason. Calls the
//! analysis cannot see (dynamic calls, libraries) are then still allowed, and say why.

use std::collections::{BTreeMap, BTreeSet};

use super::report::TrailReport;
use crate::catalog::{Basis, Catalog};
use crate::generate::Report;
use crate::resolve::{ActionGrant, Reason, arn};

/// The file name a CloudTrail reason carries.
pub const EVIDENCE_FILE: &str = "cloudtrail";

/// Adds every observed-not-in-code action to its function. Resources are the action's ARN
/// formats with every name part `*`: CloudTrail counts calls, not the resources they named.
pub fn add_observed(catalog: &Catalog, report: &mut Report, trail: &TrailReport) {
    for function in &mut report.functions {
        let Some(evidence) = trail
            .functions
            .iter()
            .find(|t| t.has_code && t.name == function.name)
        else {
            continue;
        };
        let role = evidence.roles.first().map_or("its role", |r| r.as_str());
        for seen in &evidence.observed_not_in_code {
            let resources: BTreeSet<String> =
                arn::resources(catalog, &seen.action, &BTreeMap::new(), &seen.members, None)
                    .into_iter()
                    .collect();
            let reason = Reason {
                file: EVIDENCE_FILE.to_string(),
                line: 0,
                call: format!(
                    "observed {} time{} as {role}, last {}",
                    seen.count,
                    if seen.count == 1 { "" } else { "s" },
                    seen.last_seen
                ),
                chain: Vec::new(),
                via: analyzer::Via::Call,
            };
            function
                .resolved
                .actions
                .entry(seen.action.clone())
                .or_insert_with(|| ActionGrant::new(seen.action.clone(), Basis::ServiceReference))
                .add(resources, reason, None);
        }
    }
}
