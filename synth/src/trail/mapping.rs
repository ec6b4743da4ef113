//! A CloudTrail event (`eventSource` + `eventName`) to the IAM actions it was authorized by.
//!
//! The event names an API operation; the catalog already knows which actions each operation
//! needs, so the only work here is finding the operation: the fix-ups of
//! `synth/data/cloudtrail-fixups.toml` (eventSource renames, Lambda's API-version suffixes),
//! then the catalog's clients by name and by IAM prefix.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use analyzer::Sdk;
use serde::Deserialize;

use crate::catalog::{Basis, Catalog, ClientId, OpRef};

const FIXUPS: &str = include_str!("../../data/cloudtrail-fixups.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixups {
    source: Vec<SourceRow>,
    #[serde(default)]
    item_dependent: Vec<ItemDependentRow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemDependentRow {
    event_source: String,
    event_names: Vec<String>,
    why: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceRow {
    event_source: String,
    /// boto3 client names to look the operation up in, in order.
    clients: Vec<String>,
    /// Strip a trailing API version (`20150331`, `20150331v2`) from event names.
    #[serde(default)]
    strip_api_version: bool,
    #[allow(dead_code)]
    why: String,
}

fn fixups() -> &'static Fixups {
    static ONCE: OnceLock<Fixups> = OnceLock::new();
    ONCE.get_or_init(|| match toml::from_str(FIXUPS) {
        Ok(fixups) => fixups,
        // Compiled-in data, checked by a test: failing here is a build defect.
        Err(e) => panic!("synth/data/cloudtrail-fixups.toml is invalid: {e}"),
    })
}

/// What an event was authorized by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapped {
    /// The IAM actions of the operation.
    Actions(Vec<String>),
    /// AWS documents that the operation needs no permission (`sts:GetCallerIdentity`).
    NoPermission,
    /// One or more of `actions`, depending on the request's items (DynamoDB transactions).
    OneOf { actions: Vec<String>, why: String },
    /// The catalog has no such operation; `why` says what was missing.
    Unknown { why: String },
}

/// Maps one event. Cheap enough per distinct event; callers cache per (source, name).
pub fn map_event(catalog: &Catalog, event_source: &str, event_name: &str) -> Mapped {
    let Some(op) = find_operation(catalog, event_source, event_name) else {
        let host = host_prefix(event_source);
        let why = if candidates(catalog, event_source).is_empty() {
            format!("no AWS client in the catalog answers to {event_source} (`{host}`)")
        } else {
            format!("no operation {event_name} in the catalog's {host} clients")
        };
        return Mapped::Unknown { why };
    };
    let requirement = catalog.required(op, &BTreeMap::new());
    if requirement.basis == Basis::NoPermission {
        return Mapped::NoPermission;
    }
    let mut actions: Vec<String> = requirement.needs.into_iter().map(|n| n.action).collect();
    actions.sort();
    actions.dedup();
    let item_dependent = fixups().item_dependent.iter().find(|row| {
        row.event_source.eq_ignore_ascii_case(event_source)
            && row.event_names.iter().any(|n| n == event_name)
    });
    if actions.is_empty() {
        Mapped::NoPermission
    } else if let Some(row) = item_dependent.filter(|_| actions.len() > 1) {
        Mapped::OneOf {
            actions,
            why: row.why.clone(),
        }
    } else {
        Mapped::Actions(actions)
    }
}

/// The catalog operation an event names.
pub fn find_operation(catalog: &Catalog, event_source: &str, event_name: &str) -> Option<OpRef> {
    let row = source_row(event_source);
    let name = match row {
        Some(row) if row.strip_api_version => strip_api_version(event_name),
        _ => event_name,
    };
    candidates(catalog, event_source)
        .into_iter()
        .find_map(|client| catalog.find_operation(client, Sdk::Boto3, name).ok())
}

fn source_row(event_source: &str) -> Option<&'static SourceRow> {
    fixups()
        .source
        .iter()
        .find(|row| row.event_source.eq_ignore_ascii_case(event_source))
}

/// `dynamodb.amazonaws.com` -> `dynamodb`; `s3.amazonaws.com.cn` -> `s3`.
fn host_prefix(event_source: &str) -> &str {
    event_source
        .find(".amazonaws.com")
        .map_or(event_source, |i| &event_source[..i])
}

/// The clients to look an event's operation up in, in order.
fn candidates(catalog: &Catalog, event_source: &str) -> Vec<ClientId> {
    if let Some(row) = source_row(event_source) {
        return row
            .clients
            .iter()
            .filter_map(|c| catalog.find_client(Sdk::Boto3, c).ok())
            .collect();
    }
    let host = host_prefix(event_source).to_ascii_lowercase();
    let mut out: Vec<ClientId> = catalog
        .find_client(Sdk::Boto3, &host)
        .ok()
        .into_iter()
        .collect();
    for (id, names) in catalog.clients() {
        if names.prefix == host && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// `UpdateFunctionConfiguration20150331v2` -> `UpdateFunctionConfiguration`;
/// `CreateFunction20150331` -> `CreateFunction`. Names without a date suffix are unchanged.
pub fn strip_api_version(name: &str) -> &str {
    let without_v = match name.rfind('v') {
        Some(i) if i + 1 < name.len() && name[i + 1..].bytes().all(|b| b.is_ascii_digit()) => {
            &name[..i]
        }
        _ => name,
    };
    let digits = without_v
        .bytes()
        .rev()
        .take_while(u8::is_ascii_digit)
        .count();
    if digits == 8 && without_v.len() > 8 {
        &without_v[..without_v.len() - 8]
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;

    fn actions(source: &str, name: &str) -> Vec<String> {
        match map_event(catalog(), source, name) {
            Mapped::Actions(actions) => actions,
            other => panic!("{source} {name}: {other:?}"),
        }
    }

    #[test]
    fn the_fixup_table_parses() {
        assert!(fixups().source.len() >= 8);
    }

    #[test]
    fn lambda_api_versions_are_stripped() {
        assert_eq!(
            strip_api_version("UpdateFunctionConfiguration20150331v2"),
            "UpdateFunctionConfiguration"
        );
        assert_eq!(
            strip_api_version("CreateFunction20150331"),
            "CreateFunction"
        );
        assert_eq!(strip_api_version("Invoke"), "Invoke");
        assert_eq!(strip_api_version("ListObjectsV2"), "ListObjectsV2");
        assert_eq!(
            actions(
                "lambda.amazonaws.com",
                "UpdateFunctionConfiguration20150331v2"
            ),
            vec!["lambda:UpdateFunctionConfiguration"]
        );
    }

    // Expected actions: the Service Authorization Reference pages of each service.
    #[test]
    fn data_and_management_events_map_to_their_actions() {
        assert_eq!(
            actions("dynamodb.amazonaws.com", "PutItem"),
            vec!["dynamodb:PutItem"]
        );
        assert_eq!(
            actions("s3.amazonaws.com", "GetObject"),
            vec!["s3:GetObject"]
        );
        assert_eq!(
            actions("lambda.amazonaws.com", "Invoke"),
            vec!["lambda:InvokeFunction"]
        );
        assert_eq!(
            actions("sqs.amazonaws.com", "SendMessageBatch"),
            vec!["sqs:SendMessage"]
        );
        assert_eq!(actions("kms.amazonaws.com", "Decrypt"), vec!["kms:Decrypt"]);
        assert_eq!(
            actions("monitoring.amazonaws.com", "PutMetricData"),
            vec!["cloudwatch:PutMetricData"]
        );
        assert_eq!(
            actions("streams.dynamodb.amazonaws.com", "GetRecords"),
            vec!["dynamodb:GetRecords"]
        );
        assert_eq!(
            actions("states.amazonaws.com", "StartExecution"),
            vec!["states:StartExecution"]
        );
        assert_eq!(
            actions("bedrock.amazonaws.com", "InvokeModel"),
            vec!["bedrock:InvokeModel"]
        );
        assert_eq!(
            actions("tagging.amazonaws.com", "GetResources"),
            vec!["tag:GetResources"]
        );
    }

    #[test]
    fn unknown_events_say_why_and_free_calls_need_nothing() {
        assert!(matches!(
            map_event(catalog(), "signin.amazonaws.com", "ConsoleLogin"),
            Mapped::Unknown { .. }
        ));
        assert!(matches!(
            map_event(catalog(), "s3.amazonaws.com", "NoSuchThing"),
            Mapped::Unknown { .. }
        ));
        assert_eq!(
            map_event(catalog(), "sts.amazonaws.com", "GetCallerIdentity"),
            Mapped::NoPermission
        );
        assert!(matches!(
            map_event(catalog(), "dynamodb.amazonaws.com", "TransactWriteItems"),
            Mapped::OneOf { actions, .. } if actions.len() == 4
        ));
    }
}
