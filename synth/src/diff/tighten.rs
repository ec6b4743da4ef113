//! The replacement policy (`--format policy`): what the code needs, plus the grants of the
//! deployed role that `--keep ACTION` names, on the resources the role grants them on.

use std::collections::{BTreeMap, BTreeSet};

use super::compare::Names;
use super::deployed::Deployed;
use super::pattern::action_matches;
use crate::generate::FunctionReport;
use crate::policy::{Conditions, Effect, Listing, PolicyDocument};

/// The tightened policy of one function.
pub fn policy(
    function: &FunctionReport,
    deployed: &Deployed,
    keep: &[String],
    names: &Names,
) -> PolicyDocument {
    // Action -> resources, and the conditions the code's needs allow (none once a kept grant
    // joins, since the deployed grant it keeps is not conditioned by them).
    let mut grants: BTreeMap<String, (BTreeSet<String>, Option<Conditions>)> = BTreeMap::new();
    for grant in function.actions() {
        grants.insert(
            grant.action.clone(),
            (grant.resources.clone(), grant.conditions.clone()),
        );
    }
    for grant in &deployed.grants {
        let statement = &grant.statement;
        if statement.effect != Effect::Allow
            || statement.action_listing != Listing::Include
            || statement.resource_listing != Listing::Include
        {
            continue;
        }
        for written in &statement.actions {
            for wanted in keep {
                // The narrower of the two is what is kept: `--keep s3:GetObject` out of
                // `s3:*`, or `s3:GetObject` out of `--keep 's3:*'`.
                let kept = if action_matches(written, wanted) {
                    wanted
                } else if action_matches(wanted, written) {
                    written
                } else {
                    continue;
                };
                // Template names the infrastructure states are written out; pseudo
                // parameters stay placeholders for the renderer's flags.
                let resources = statement.resources.iter().map(|r| {
                    crate::policy::substitute(r, &|p| {
                        names.refs.get(p).cloned().unwrap_or_else(|| p.to_string())
                    })
                });
                let entry = grants.entry(kept.clone()).or_default();
                entry.0.extend(resources);
                entry.1 = None;
            }
        }
    }
    PolicyDocument::from_conditional_grants(grants.into_iter().map(
        |(action, (resources, conditions))| (action, resources, conditions.unwrap_or_default()),
    ))
}
